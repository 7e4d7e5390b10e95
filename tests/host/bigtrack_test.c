/*
 * bigtrack_test.c - host tests of the malloc library's record of blocks
 * above the slab classes (malloc/bigtrack.c, RVMM_MALLOC_DEBUG=U; suite
 * "bigtrack"): what is noted and not forgotten is listed by caller, largest
 * total first; tombstones left by many distinct blocks are cleared without
 * losing a live entry; a full record counts what it could not note. (The
 * host port names no code: callers print as their addresses.)
 */
#include <stdio.h>
#include <string.h>

#include <tests/ktest.h>

#include "fakeram.h"
#include "../../malloc/bigtrack.h"

static size_t three_pages(const void *p)
{
	(void)p;
	return 3 * 4096;
}

static char out[16384];

static void show(void)
{
	struct fr_capture cap;

	fr_capture_start(&cap);
	bigtrack_show(three_pages);
	fr_capture_end(&cap, out, sizeof(out));
}

/* A block address: page-aligned, distinct for each @i. */
static const void *block(unsigned long i)
{
	return (const void *)(0x7f0000000000ul + (i << 14));
}

static void lists_what_is_kept(struct ktest *t)
{
	ASSERT(bigtrack_setup());
	show();
	EXPECT_STREQ(out, ""); /* nothing recorded: nothing printed */
	for (unsigned long i = 0; i < 30; i++)
		bigtrack_note(block(i), i < 20 ? 0x1111 : 0x2222);
	for (unsigned long i = 0; i < 30; i += 3) /* 10 forgotten: 7 of 0x1111's, 3 of 0x2222's */
		bigtrack_forget(block(i));
	bigtrack_forget(block(1000)); /* never noted: nothing happens */
	bigtrack_note(block(29), 0x3333); /* noted again: its new caller, one block */
	show();
	EXPECT_STREQ(out, "bigblocks, page runs and mapped blocks (above the slab classes): 20 blocks of 245760 bytes\n"
			  "     13 0x1111 bytes=159744\n"
			  "      6 0x2222 bytes=73728\n"
			  "      1 0x3333 bytes=12288\n");
}

static void tombstones_cleared(struct ktest *t)
{
	ASSERT(bigtrack_setup());
	/* Three times the table in distinct blocks, each forgotten: without
	 * the rehash the tombstones would fill it and the last notes fail. */
	for (unsigned long i = 0; i < 3 * BIGTRACK_SLOTS; i++) {
		bigtrack_note(block(i), 0x1111);
		if (i % 1000 != 0)
			bigtrack_forget(block(i));
	}
	show();
	EXPECT_STREQ(out, "bigblocks, page runs and mapped blocks (above the slab classes): 197 blocks of 2420736 bytes\n"
			  "    197 0x1111 bytes=2420736\n");
}

static void full_record_counts_the_rest(struct ktest *t)
{
	char want[256];

	ASSERT(bigtrack_setup());
	for (unsigned long i = 0; i < BIGTRACK_SLOTS / 4 * 3 + 5; i++)
		bigtrack_note(block(i), 0x1111);
	show();
	snprintf(want, sizeof(want),
		 "bigblocks, page runs and mapped blocks (above the slab classes): %lu blocks of %lu bytes\n"
		 "%7lu 0x1111 bytes=%lu\n"
		 "      5 blocks not recorded (the record was full)\n",
		 BIGTRACK_SLOTS / 4 * 3, BIGTRACK_SLOTS / 4 * 3 * 12288, BIGTRACK_SLOTS / 4 * 3,
		 BIGTRACK_SLOTS / 4 * 3 * 12288);
	EXPECT_STREQ(out, want);
}

KTEST_SUITE(bigtrack, KTEST_CASE(lists_what_is_kept), KTEST_CASE(tombstones_cleared),
	    KTEST_CASE(full_record_counts_the_rest));
