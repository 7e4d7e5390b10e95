/*
 * printf_test.c - kvsnprintf against exact expected output. Portable: runs on
 * the host and on the target (where the compiler, calling convention and
 * va_list are the kernel's own).
 */
#include <lib/kstring.h>
#include <tests/ktest.h>

#define CHECK_FMT(expect, ...)                                          \
	do {                                                            \
		char b_[128];                                           \
		int n_ = ksnprintf(b_, sizeof(b_), __VA_ARGS__);        \
		EXPECT_STREQ(b_, expect);                               \
		EXPECT_EQ(n_, (int)strlen(expect));                     \
	} while (0)

static void integers(struct ktest *t)
{
	CHECK_FMT("0", "%d", 0);
	CHECK_FMT("-42 42 42", "%d %i %u", -42, 42, 42u);
	CHECK_FMT("-2147483648", "%d", (int)0x80000000u);
	CHECK_FMT("4294967295", "%u", 0xffffffffu);
	CHECK_FMT("-9223372036854775808", "%lld", (long long)0x8000000000000000ull);
	CHECK_FMT("18446744073709551615", "%llu", ~0ull);
	/* Wider arguments than the h and hh lengths say, as C's promotions pass
	 * them: the conversion must cut them down (clang's -Wformat objects). */
#pragma GCC diagnostic push
#ifdef __clang__
#pragma GCC diagnostic ignored "-Wformat"
#endif
	CHECK_FMT("-1 65535 255 -1", "%ld %hu %hhu %hhd", -1L, 0xffffu, 0x1ffu, 0xff);
#pragma GCC diagnostic pop
	CHECK_FMT("123456789012", "%zu", (size_t)123456789012ull);
	CHECK_FMT("+5 -5  5", "%+d %+d % d", 5, -5, 5);
}

static void hex_and_octal(struct ktest *t)
{
	CHECK_FMT("deadbeef DEADBEEF", "%x %X", 0xdeadbeefu, 0xdeadbeefu);
	CHECK_FMT("ffffffffffffffff", "%lx", ~0ul);
	CHECK_FMT("0x1f 0X1F 0", "%#x %#X %#x", 0x1f, 0x1f, 0);
	CHECK_FMT("0000000080000000", "%016llx", 0x80000000ull);
	CHECK_FMT("17 017 0", "%o %#o %#o", 15, 15, 0);
}

static void width_precision_alignment(struct ktest *t)
{
	CHECK_FMT("   42|42   |00042", "%5d|%-5d|%05d", 42, 42, 42);
	CHECK_FMT("  -42|-0042", "%5d|%05d", -42, -42);
	CHECK_FMT("  007", "%5.3d", 7);
	CHECK_FMT("", "%.0d", 0);
	CHECK_FMT("   ab|ab   |a", "%5s|%-5s|%.1s", "ab", "ab", "ab");
	CHECK_FMT("   xy", "%*s", 5, "xy");
	CHECK_FMT("xy   |", "%*s|", -5, "xy");
	CHECK_FMT("abc", "%.*s", 3, "abcdef");
	CHECK_FMT("  c|c  ", "%3c|%-3c", 'c', 'c');
	CHECK_FMT("0x00ff", "%#06x", 0xff);
}

static void strings_pointers_percent(struct ktest *t)
{
	const char *volatile null_str = NULL;
	/* Formats the compiler would reject, passed where it cannot see them. */
	const char *volatile lone_percent = "a%", *volatile unknown_conv = "%q";

	CHECK_FMT("(null)", "%s", null_str);
	CHECK_FMT("100%", "%d%%", 100);
	CHECK_FMT("0x80200000", "%p", (void *)(uintptr_t)0x80200000u);
	CHECK_FMT("(null)", "%p", (void *)NULL);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-security"
	CHECK_FMT("a%", lone_percent);
	CHECK_FMT("%q", unknown_conv);
#pragma GCC diagnostic pop
}

static void truncation(struct ktest *t)
{
	char buf[8];
	int n;

	memset(buf, 'X', sizeof(buf));
	n = ksnprintf(buf, 5, "%s", "abcdefgh");
	EXPECT_EQ(n, 8);
	EXPECT_STREQ(buf, "abcd");
	EXPECT_EQ(buf[5], 'X'); /* nothing written past size */

	n = ksnprintf(buf, 0, "%d", 12345);
	EXPECT_EQ(n, 5);
	EXPECT_EQ(buf[0], 'a'); /* size 0 writes nothing */

	n = ksnprintf(buf, 1, "%d", 7);
	EXPECT_EQ(n, 1);
	EXPECT_EQ(buf[0], '\0');
}

KTEST_SUITE(printf, KTEST_CASE(integers), KTEST_CASE(hex_and_octal),
	    KTEST_CASE(width_precision_alignment), KTEST_CASE(strings_pointers_percent),
	    KTEST_CASE(truncation));
