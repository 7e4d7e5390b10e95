/*
 * cmdline.h - Linux-style kernel command line parameters.
 *
 * The command line (/chosen bootargs, qemu -append) is a list of words
 * separated by spaces: `key=value`, or a bare `key`. A value may be quoted
 * ("key=\"a b\"") to hold spaces. The subsystem that owns a parameter
 * registers it with KPARAM(); the parser calls its setter with the value
 * (NULL for a bare key). Unknown keys are warned about and ignored.
 */
#ifndef RVMM_CMDLINE_H
#define RVMM_CMDLINE_H

#ifdef __cplusplus
extern "C" {
#endif

#include <lib/kernel.h>

struct kparam {
	const char *name;
	/* Returns 0, or a negative errno when the value is invalid. */
	int (*set)(const char *value);
	const char *help; /* "ktest=all|SUITE,...  run self-tests, then power off" */
};

#define KPARAM(pname, setter, helptext)                                        \
	static const struct kparam kparam_##setter = { pname, setter, helptext }; \
	static const struct kparam *const kparam_ptr_##setter                  \
		__attribute__((used, section("rvmm_params"), aligned(8))) =     \
			&kparam_##setter

/*
 * Parse @buf in place (words are NUL terminated where they stand; values
 * passed to setters point into @buf, so it must live as long as they are
 * used). Returns the number of problems: unknown keys plus values their
 * setter rejected (each is printed).
 */
int cmdline_parse(char *buf);

/*
 * Copy the boot command line to a static buffer and parse it. A line longer
 * than 1023 bytes is cut there, and a word the cut falls in (inside quotes
 * included) is dropped whole with a message naming it: a value cut short is
 * never applied.
 */
int cmdline_parse_boot(const char *bootargs);

/* The boot command line as kept ("" before cmdline_parse_boot): as given,
 * or for a longer line its whole words within the first 1023 bytes. */
const char *cmdline_get(void);

/*
 * @line is the start of a command line and @next the byte after it in the
 * whole line ('\0' when @line is all of it). Returns the length of the part
 * of @line made of whole words: strlen(@line) when @line ends between words
 * (in spaces, or @next is a space outside quotes, or '\0'), else the offset
 * of the last word, which @next continues or whose quotes are still open.
 */
size_t cmdline_whole_words(const char *line, char next);

/* A size or address: decimal or 0x hex (lib/parse.h's digits), optionally
 * followed by K, M, G or T (binary multiples): "16M", "0x90000000", "0x100K".
 * Returns 0, -EINVAL or -ERANGE. A plain number, no suffix: parse_u64. */
int memparse(const char *s, u64 *out);
/* memparse of the characters [s, end) only (a part of a longer value, such
 * as cma='s SIZE@BASE). */
int memparse_range(const char *s, const char *end, u64 *out);

/* A switch's value: "on" is true, "off" false; anything else, or no value
 * (a bare word), -EINVAL. For the setters of on|off parameters. */
int parse_on_off(const char *value, bool *out);
/* A boolean parameter's value, as Linux's take it: 1, on, y, yes, true are
 * true; 0, off, n, no, false are false; anything else, or no value,
 * -EINVAL. */
int parse_bool(const char *value, bool *out);

size_t kparam_count(void);
const struct kparam *kparam_at(size_t i);

#ifdef __cplusplus
}
#endif

#endif
