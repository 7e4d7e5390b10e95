/*
 * string_test.c - lib/string.c's portable functions (suite "string"):
 * memchr_inv at every alignment, length and position of the one byte that
 * differs, against a byte-by-byte model, and kstrlcpy's truncation.
 */
#include <string.h>

#include <lib/kstring.h>
#include <tests/ktest.h>

#define SPAN 80

/* What memchr_inv must return: the model. */
static const unsigned char *first_not(const unsigned char *p, size_t n, unsigned char c)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != c)
			return p + i;
	return NULL;
}

/* Every start offset 0..7, every length up to SPAN, each byte of the span
 * made different in turn (and none): the answer is the model's. */
static void memchr_inv_matches_model(struct ktest *t)
{
	static unsigned char buf[SPAN + 16] __attribute__((aligned(8)));
	static const int fills[] = { 0, 0x6b, 0xff };
	unsigned long wrong = 0;

	for (unsigned int fi = 0; fi < sizeof(fills) / sizeof(fills[0]); fi++) {
		unsigned char c = (unsigned char)fills[fi];

		for (size_t off = 0; off < 8; off++)
			for (size_t n = 0; n <= SPAN; n++)
				for (size_t bad = 0; bad <= n + 1; bad++) {
					unsigned char *p = buf + off;

					memset(buf, c, sizeof(buf));
					if (bad < n + 1) /* bad == n: just past the end */
						p[bad] = (unsigned char)(c ^ (1u << (bad % 8)));
					if (memchr_inv(p, c, n) != first_not(p, n, c))
						wrong++;
				}
	}
	EXPECT_EQ(wrong, 0);
	/* The int argument is taken as a byte, as memset takes it. */
	memset(buf, 0xab, 16);
	EXPECT(memchr_inv(buf, 0x1ab, 16) == NULL);
	EXPECT(memchr_inv(buf, 0, 0) == NULL);
}

static void kstrlcpy_truncates(struct ktest *t)
{
	char dst[8];

	memset(dst, 'x', sizeof(dst));
	EXPECT_EQ(kstrlcpy(dst, "abcdefghij", sizeof(dst)), 10);
	EXPECT(strcmp(dst, "abcdefg") == 0);
	EXPECT_EQ(kstrlcpy(dst, "ab", sizeof(dst)), 2);
	EXPECT(strcmp(dst, "ab") == 0);
	dst[0] = 'q';
	EXPECT_EQ(kstrlcpy(dst, "abc", 0), 3);
	EXPECT_EQ(dst[0], 'q');
}

KTEST_SUITE(string, KTEST_CASE(memchr_inv_matches_model), KTEST_CASE(kstrlcpy_truncates));
