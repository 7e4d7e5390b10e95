/*
 * kprintf_test.c - kprintf's output reaches the sink whole, in one call, or,
 * when longer than its buffer, ends with a marker naming the cut and with
 * the newline the whole output had (suite "kprintf"). Host only: the sink
 * is swapped for one that records, then stdout's is put back.
 */
#include <stdio.h>
#include <string.h>

#include <mm/port.h>
#include <tests/ktest.h>

static char seen[2 * KPRINTF_MAX];
static size_t seen_len;
static int sink_calls;

static void record_sink(const char *s, size_t n)
{
	sink_calls++;
	seen_len = n < sizeof(seen) ? n : sizeof(seen) - 1;
	memcpy(seen, s, seen_len);
	seen[seen_len] = '\0';
}

/* kprintf("%s%s", @a, @b) into record_sink; returns kprintf's result. */
static int print_recorded(const char *a, const char *b)
{
	int n;

	sink_calls = 0;
	kprintf_set_sink(record_sink);
	n = kprintf("%s%s", a, b);
	kprintf_set_sink(port_host_stdout_sink);
	return n;
}

static void short_output_whole(struct ktest *t)
{
	EXPECT_EQ(print_recorded("Kernel command line: ", "x=1\n"), 25);
	EXPECT_EQ(sink_calls, 1);
	EXPECT_STREQ(seen, "Kernel command line: x=1\n");
}

/* The longest output that fits, KPRINTF_MAX - 1 bytes, is not cut. */
static void output_at_limit_whole(struct ktest *t)
{
	static char text[KPRINTF_MAX];

	memset(text, 'y', KPRINTF_MAX - 2);
	text[KPRINTF_MAX - 2] = '\0';
	EXPECT_EQ(print_recorded(text, "\n"), KPRINTF_MAX - 1);
	EXPECT_EQ(seen_len, (size_t)KPRINTF_MAX - 1);
	EXPECT_EQ(seen[KPRINTF_MAX - 2], '\n');
	EXPECT(strstr(seen, "cut") == NULL);
}

static void long_line_marked_and_ended(struct ktest *t)
{
	static char text[3001];
	char mark[64];

	memset(text, 'y', 3000);
	EXPECT_EQ(print_recorded(text, "\n"), 3001);
	EXPECT_EQ(sink_calls, 1);
	EXPECT_EQ(seen_len, (size_t)KPRINTF_MAX - 1);
	snprintf(mark, sizeof(mark), "yyy... [kprintf: 3001 bytes cut to %d]\n", KPRINTF_MAX - 1);
	EXPECT(seen_len > strlen(mark) && strcmp(seen + seen_len - strlen(mark), mark) == 0);
	EXPECT(strchr(seen, '\n') == seen + seen_len - 1);
}

/* Output without a final newline gets none: the caller's next kprintf
 * continues the line, as it would have without the cut. */
static void long_text_without_newline_gets_none(struct ktest *t)
{
	static char text[1001];
	char mark[64];

	memset(text, 'z', 1000);
	EXPECT_EQ(print_recorded(text, ""), 1000);
	snprintf(mark, sizeof(mark), "z... [kprintf: 1000 bytes cut to %d]", KPRINTF_MAX - 1);
	EXPECT(strcmp(seen + seen_len - strlen(mark), mark) == 0);
}

KTEST_SUITE(kprintf, KTEST_CASE(short_output_whole), KTEST_CASE(output_at_limit_whole),
	    KTEST_CASE(long_line_marked_and_ended), KTEST_CASE(long_text_without_newline_gets_none));
