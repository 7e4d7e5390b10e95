/*
 * kernel_test.c - kprintf and WARN_ON as the kernel builds them: output
 * reaches the console (seen through the capture) and WARN_ON names its
 * file and line and passes its condition through.
 */
#include <drivers/console.h>
#include <lib/kstring.h>
#include <tests/ktest.h>

static char out[512];

static void kprintf_reaches_console(struct ktest *t)
{
	int n;

	console_capture_begin(out, sizeof(out));
	n = kprintf("%s=%d %05x|%-3s|%p\n", "v", -7, 0xbeef, "a", (void *)0x80200000ul);
	console_capture_end();
	EXPECT_STREQ(out, "v=-7 0beef|a  |0x80200000\n");
	EXPECT_EQ(n, (int)strlen(out));
}

static void warn_on_reports_file_and_line(struct ktest *t)
{
	char expect[96];
	int line;
	bool r;

	console_capture_begin(out, sizeof(out));
	line = __LINE__ + 1;
	r = WARN_ON(1 + 1 == 2);
	console_capture_end();
	EXPECT(r);
	ksnprintf(expect, sizeof(expect), "at %s:%d: 1 + 1 == 2\n", __FILE__, line);
	EXPECT(strstr(out, "WARNING: hart ") == out);
	EXPECT(strstr(out, expect) != NULL);
}

static void warn_on_false_is_silent(struct ktest *t)
{
	bool r;

	console_capture_begin(out, sizeof(out));
	r = WARN_ON(out[0] == 'x' && out[0] == 'y');
	console_capture_end();
	EXPECT(!r);
	EXPECT_STREQ(out, "");
}

static void capture_truncates_safely(struct ktest *t)
{
	char small[8];

	memset(small, 'X', sizeof(small));
	console_capture_begin(small, 5);
	kprintf("0123456789\n");
	EXPECT_EQ(console_capture_end(), 4);
	EXPECT_STREQ(small, "0123");
	EXPECT_EQ(small[5], 'X');
}

KTEST_SUITE(kernel, KTEST_CASE(kprintf_reaches_console), KTEST_CASE(warn_on_reports_file_and_line),
	    KTEST_CASE(warn_on_false_is_silent), KTEST_CASE(capture_truncates_safely));
