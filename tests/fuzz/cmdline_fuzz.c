/*
 * cmdline_fuzz.c - libFuzzer target: the kernel command line parser
 * (lib/cmdline.c) and every boot parameter's setter linked into the host
 * build (the memory manager's: kmalloc=, kmalloc_heap=, slab_debug=,
 * fail_page_alloc=, failslab=, mem=, zone_dma_limit=, maxcpus=, ...) on
 * any line, as a boot loader or a user may hand one over in /chosen
 * bootargs.
 *
 * The input, cut at its first NUL and at CMDLINE_FUZZ_MAX bytes, goes
 * through cmdline_parse_boot, as at boot. For every input:
 *
 *   - no crash, no read or write outside the line or a setter's own data
 *     (ASan), no undefined behaviour (UBSan), no hang (libFuzzer's timeout);
 *   - the problem count is between 0 and the number of words;
 *   - the line kept (cmdline_get) is the input when it is at most 1023
 *     bytes, else a prefix of it of at most 1023 bytes that ends between
 *     words (cmdline_whole_words: a word cut at byte 1023 is dropped whole);
 *   - every setter's verdict on a value is the same when asked again (a
 *     setter that accepted a value must accept it a second time: none
 *     keeps state that makes the same word invalid).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lib/cmdline.h>
#include "fuzz.h"

#define CMDLINE_FUZZ_MAX 2048
#define LINE_KEPT_MAX 1023

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Words of @s as the parser splits them (quotes join), an upper bound on
 * the problems one line can count (each word at most two: an open quote
 * and a refusal). */
static size_t words_of(const char *s)
{
	size_t n = 0;
	bool quoted = false, in_word = false;

	for (; *s; s++) {
		if (!quoted && is_space(*s)) {
			in_word = false;
			continue;
		}
		if (!in_word)
			n++;
		in_word = true;
		if (*s == '"')
			quoted = !quoted;
	}
	return n;
}

/* Each parameter's setter asked twice about @value: the same verdict. */
static void setters_agree(const char *value)
{
	for (size_t i = 0; i < kparam_count(); i++) {
		const struct kparam *kp = kparam_at(i);
		char a[64], b[64];
		int first, second;

		snprintf(a, sizeof(a), "%s", value);
		memcpy(b, a, sizeof(b));
		first = kp->set(a);
		second = kp->set(b);
		FUZZ_CHECK(first <= 0 && second <= 0, "%s=%s: %d, %d", kp->name, value, first, second);
		FUZZ_CHECK((first == 0) == (second == 0), "%s=%s: first %d, then %d", kp->name, value,
			   first, second);
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static char line[CMDLINE_FUZZ_MAX + 1];
	size_t len = strnlen((const char *)data, size < CMDLINE_FUZZ_MAX ? size : CMDLINE_FUZZ_MAX);
	const char *kept;
	size_t kept_len;
	int problems;

	fuzz_quiet();
	fuzz_log_reset();
	memcpy(line, data, len);
	line[len] = '\0';

	problems = cmdline_parse_boot(line);
	FUZZ_CHECK(problems >= 0 && (size_t)problems <= 2 * words_of(line) + 2, "%d problems, %zu words",
		   problems, words_of(line));
	kept = cmdline_get();
	kept_len = strlen(kept);
	FUZZ_CHECK(kept_len <= LINE_KEPT_MAX, "kept %zu bytes", kept_len);
	FUZZ_CHECK(memcmp(kept, line, kept_len) == 0, "the kept line is not a prefix of the input");
	if (len <= LINE_KEPT_MAX) {
		FUZZ_CHECK(kept_len == len, "a line of %zu bytes kept as %zu", len, kept_len);
	} else {
		char first[LINE_KEPT_MAX + 1];

		memcpy(first, line, LINE_KEPT_MAX);
		first[LINE_KEPT_MAX] = '\0';
		FUZZ_CHECK(kept_len == cmdline_whole_words(first, line[LINE_KEPT_MAX]),
			   "kept %zu bytes of %zu, whole words: %zu", kept_len, len,
			   cmdline_whole_words(first, line[LINE_KEPT_MAX]));
	}

	/* The setters again, on the input's first 63 bytes as one value. */
	if (len) {
		char value[64];

		snprintf(value, sizeof(value), "%.*s", (int)len, line);
		setters_agree(value);
	}
	return 0;
}
