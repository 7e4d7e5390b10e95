/*
 * parse_test.c - the strict number parser (lib/parse.c, include/lib/parse.h)
 * and memparse over it (lib/cmdline.c): good values, overflow, junk, empty
 * strings, and the K/M/G/T suffixes that only memparse takes. Runs on the
 * host (ASan, UBSan) and on the target (suite "parse").
 */
#include <lib/cmdline.h>
#include <lib/kstring.h>
#include <lib/parse.h>
#include <tests/ktest.h>

#define UNTOUCHED 0x5a5a5a5a5a5a5a5aull

/* Each string through parse_u64 and memparse: the value both give, or the
 * error each gives (*out left as it was). */
static void plain_numbers(struct ktest *t)
{
	static const struct {
		const char *s;
		int rc;    /* parse_u64 */
		u64 v;
		int mrc;   /* memparse */
		u64 mv;
	} cases[] = {
		{ "0", 0, 0, 0, 0 },
		{ "4096", 0, 4096, 0, 4096 },
		{ "007", 0, 7, 0, 7 }, /* a leading 0 is decimal, not octal */
		{ "0x1000", 0, 0x1000, 0, 0x1000 },
		{ "0XfF", 0, 255, 0, 255 },
		{ "0x0", 0, 0, 0, 0 },
		{ "18446744073709551615", 0, ~0ull, 0, ~0ull },
		{ "0xffffffffffffffff", 0, ~0ull, 0, ~0ull },
		{ "0x00000000000000000001", 0, 1, 0, 1 }, /* leading zeros never overflow */
		/* overflow */
		{ "18446744073709551616", -ERANGE, 0, -ERANGE, 0 },
		{ "99999999999999999999999", -ERANGE, 0, -ERANGE, 0 },
		{ "0x10000000000000000", -ERANGE, 0, -ERANGE, 0 },
		/* junk */
		{ "12x", -EINVAL, 0, -EINVAL, 0 },
		{ "x12", -EINVAL, 0, -EINVAL, 0 },
		{ " 1", -EINVAL, 0, -EINVAL, 0 },
		{ "1 ", -EINVAL, 0, -EINVAL, 0 },
		{ "-1", -EINVAL, 0, -EINVAL, 0 },
		{ "+1", -EINVAL, 0, -EINVAL, 0 },
		{ "1.5", -EINVAL, 0, -EINVAL, 0 },
		{ "0x", -EINVAL, 0, -EINVAL, 0 },
		{ "0X", -EINVAL, 0, -EINVAL, 0 },
		{ "0xg", -EINVAL, 0, -EINVAL, 0 },
		{ "0x-1", -EINVAL, 0, -EINVAL, 0 },
		{ "12ab", -EINVAL, 0, -EINVAL, 0 }, /* hex digits without 0x */
		/* empty */
		{ "", -EINVAL, 0, -EINVAL, 0 },
		/* suffixes: memparse's alone */
		{ "1K", -EINVAL, 0, 0, 1024 },
		{ "1k", -EINVAL, 0, 0, 1024 },
		{ "16M", -EINVAL, 0, 0, 16ull << 20 },
		{ "2G", -EINVAL, 0, 0, 2ull << 30 },
		{ "0x1K", -EINVAL, 0, 0, 1024 },
		{ "0x100k", -EINVAL, 0, 0, 0x40000 },
		{ "K", -EINVAL, 0, -EINVAL, 0 },
		{ "0xK", -EINVAL, 0, -EINVAL, 0 },
		{ "16MB", -EINVAL, 0, -EINVAL, 0 },
		{ "16T", -EINVAL, 0, 0, 16ull << 40 },
		{ "16t", -EINVAL, 0, 0, 16ull << 40 },
		{ "16P", -EINVAL, 0, -EINVAL, 0 },
		{ "16777215T", -EINVAL, 0, 0, 16777215ull << 40 },
		{ "16777216T", -EINVAL, 0, -ERANGE, 0 }, /* 2^24 TiB: 2^64 */
		{ "16 M", -EINVAL, 0, -EINVAL, 0 },
		{ "17179869183G", -EINVAL, 0, 0, 17179869183ull << 30 },
		{ "17179869184G", -EINVAL, 0, -ERANGE, 0 }, /* 2^34 GiB: 2^64 */
		{ "0x40000000000000K", -EINVAL, 0, -ERANGE, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		u64 v = UNTOUCHED, mv = UNTOUCHED;
		int rc = parse_u64(cases[i].s, &v), mrc = memparse(cases[i].s, &mv);

		if (rc != cases[i].rc || v != (rc ? UNTOUCHED : cases[i].v))
			ktest_fail(t, __FILE__, __LINE__, "parse_u64('%s'): %d, %llu", cases[i].s, rc,
				   (unsigned long long)v);
		if (mrc != cases[i].mrc || mv != (mrc ? UNTOUCHED : cases[i].mv))
			ktest_fail(t, __FILE__, __LINE__, "memparse('%s'): %d, %llu", cases[i].s, mrc,
				   (unsigned long long)mv);
	}
}

static void null_and_u32(struct ktest *t)
{
	u64 v = UNTOUCHED;
	u32 w = 7;

	EXPECT_EQ(parse_u64(NULL, &v), -EINVAL);
	EXPECT_EQ(memparse(NULL, &v), -EINVAL);
	EXPECT_EQ(parse_u64_len(NULL, 3, &v), -EINVAL);
	EXPECT_EQ(v, UNTOUCHED);
	EXPECT_EQ(parse_u32("0xffffffff", &w), 0);
	EXPECT_EQ(w, 0xffffffffu);
	EXPECT_EQ(parse_u32("4294967295", &w), 0);
	EXPECT_EQ(w, 0xffffffffu);
	EXPECT_EQ(parse_u32("4294967296", &w), -ERANGE);
	EXPECT_EQ(parse_u32("0x100000000", &w), -ERANGE);
	EXPECT_EQ(parse_u32("18446744073709551616", &w), -ERANGE);
	EXPECT_EQ(parse_u32("0x1K", &w), -EINVAL);
	EXPECT_EQ(parse_u32("", &w), -EINVAL);
	EXPECT_EQ(w, 0xffffffffu);
}

/* A piece of a longer string: exactly its characters. */
static void pieces(struct ktest *t)
{
	const char spec[] = "12,0x34,5%";
	const char nul[] = { '1', '\0', '2' };
	u64 v = UNTOUCHED;

	EXPECT_EQ(parse_u64_len(spec, 2, &v), 0);
	EXPECT_EQ(v, 12);
	EXPECT_EQ(parse_u64_len(spec + 3, 4, &v), 0);
	EXPECT_EQ(v, 0x34);
	EXPECT_EQ(parse_u64_len(spec + 8, 1, &v), 0);
	EXPECT_EQ(v, 5);
	v = UNTOUCHED;
	EXPECT_EQ(parse_u64_len(spec, 3, &v), -EINVAL);  /* "12," */
	EXPECT_EQ(parse_u64_len(spec + 8, 2, &v), -EINVAL); /* "5%" */
	EXPECT_EQ(parse_u64_len(spec, 0, &v), -EINVAL);
	EXPECT_EQ(parse_u64_len(spec + 3, 2, &v), -EINVAL); /* "0x" */
	EXPECT_EQ(parse_u64_len(nul, sizeof(nul), &v), -EINVAL);
	EXPECT_EQ(v, UNTOUCHED);
}

/* The prefix parser: the number at the start, and where it stopped. */
static void prefix(struct ktest *t)
{
	const char s[] = "0x1fK rest", d[] = "123abc";
	const char *stop = NULL;
	u64 v = UNTOUCHED;

	EXPECT_EQ(parse_u64_prefix(s, s + strlen(s), &v, &stop), 0);
	EXPECT_EQ(v, 0x1f);
	EXPECT(stop == s + 4);
	EXPECT_EQ(parse_u64_prefix(d, d + strlen(d), &v, &stop), 0);
	EXPECT_EQ(v, 123);
	EXPECT(stop == d + 3);
	EXPECT_EQ(parse_u64_prefix(d, d + 2, &v, &stop), 0); /* the end bounds it */
	EXPECT_EQ(v, 12);
	EXPECT(stop == d + 2);
	stop = NULL;
	v = UNTOUCHED;
	EXPECT_EQ(parse_u64_prefix(d + 3, d + strlen(d), &v, &stop), -EINVAL);
	EXPECT_EQ(parse_u64_prefix(d, d, &v, &stop), -EINVAL);
	EXPECT(stop == NULL);
	EXPECT_EQ(v, UNTOUCHED);
}

KTEST_SUITE(parse, KTEST_CASE(plain_numbers), KTEST_CASE(null_and_u32), KTEST_CASE(pieces),
	    KTEST_CASE(prefix));
