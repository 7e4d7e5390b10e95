/*
 * mapped_test.c - host tests of the malloc library's mapped blocks
 * (malloc/mapped.c; suite "mapped"): every block alloc returns is found
 * with its size until freed and never after; the record stays consistent
 * (mapped_check) through its doublings and through frees in an order that
 * moves entries back along their probe runs; alignment; resize keeps the
 * bytes; a pointer inside a block, or one freed already, is no block.
 */
#include <stdint.h>
#include <string.h>

#include <tests/ktest.h>

#include "../../malloc/mapped.h"

#define BLOCKS 1500 /* past three doublings of the 256-slot table at half load */

static unsigned char *blocks[BLOCKS];

static unsigned long next_random(unsigned long *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Every block live in blocks[] is found with its size, its first byte its
 * tag; every freed one (NULL entry) is not counted. */
static int record_matches(unsigned long live)
{
	int bad = mapped_check();

	for (unsigned long i = 0; i < BLOCKS; i++)
		if (blocks[i] && (mapped_size(blocks[i]) != 4096 * (1 + i % 3) || blocks[i][0] != (unsigned char)i))
			bad++;
	return bad + (mapped_blocks() != live);
}

static void found_until_freed(struct ktest *t)
{
	unsigned long x = 88172645463325252ul, live = 0, before = mapped_blocks(),
		      before_bytes = mapped_bytes();

	ASSERT_EQ(before, 0);
	for (unsigned long i = 0; i < BLOCKS; i++) {
		blocks[i] = mapped_alloc(4096 * (1 + i % 3) - 100, 0);
		ASSERT(blocks[i] != NULL);
		EXPECT_EQ((uintptr_t)blocks[i] & 4095, 0);
		blocks[i][0] = (unsigned char)i;
		blocks[i][4096 * (1 + i % 3) - 1] = 1; /* its last page is mapped */
		live++;
		if (i % 100 == 0)
			EXPECT_EQ(record_matches(live), 0);
	}
	EXPECT_EQ(record_matches(live), 0);
	/* frees in a random order: holes in the middle of probe runs */
	for (unsigned long n = 0; n < BLOCKS; n++) {
		unsigned long i = next_random(&x) % BLOCKS;

		while (!blocks[i])
			i = (i + 1) % BLOCKS;
		unsigned char *p = blocks[i];

		EXPECT(!mapped_free(p + 2048)); /* inside it: no block */
		EXPECT(mapped_free(p));
		EXPECT(!mapped_free(p));        /* a second time: no block */
		EXPECT_EQ(mapped_size(p), 0);
		blocks[i] = NULL;
		live--;
		if (n % 50 == 0)
			EXPECT_EQ(record_matches(live), 0);
	}
	EXPECT_EQ(record_matches(0), 0);
	EXPECT_EQ(mapped_bytes(), before_bytes);
}

static void aligned_and_resized(struct ktest *t)
{
	unsigned char *p = mapped_alloc(3 << 20, 4 << 20), *q;

	ASSERT(p != NULL);
	EXPECT_EQ((uintptr_t)p & ((4 << 20) - 1), 0);
	EXPECT_EQ(mapped_size(p), 3 << 20);
	EXPECT_EQ(mapped_bytes(), 3 << 20);
	memset(p, 5, 3 << 20);
	q = mapped_resize(p, (8 << 20) + 1, true);
	ASSERT(q != NULL);
	EXPECT_EQ(mapped_size(q), (8 << 20) + 4096);
	EXPECT_EQ(mapped_bytes(), (8 << 20) + 4096);
	EXPECT(q[0] == 5 && q[(3 << 20) - 1] == 5 && q[(8 << 20)] == 0);
	if (q != p)
		EXPECT_EQ(mapped_size(p), 0);
	p = mapped_resize(q, 10, false); /* (a shrink stays in place) */
	ASSERT(p != NULL);
	EXPECT(p == q);
	EXPECT_EQ(mapped_size(p), 4096);
	EXPECT(p[0] == 5);
	EXPECT_EQ(mapped_check(), 0);
	EXPECT(mapped_free(p));
	EXPECT_EQ(mapped_blocks(), 0);
	EXPECT_EQ(mapped_bytes(), 0);
	EXPECT(mapped_resize((void *)0x1000, 4096, true) == NULL); /* no block there */
	EXPECT_EQ(mapped_size(NULL), 0);
}

KTEST_SUITE(mapped, KTEST_CASE(found_until_freed), KTEST_CASE(aligned_and_resized));
