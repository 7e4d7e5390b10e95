/*
 * memblock_test.c - host tests of the boot allocator (suite "memblock").
 *
 * Every case checks the tables region by region after each operation and
 * runs memblock_check() after every step (check_ok). The random cases keep
 * a model of memory and reserved as a bitmap over a small window and compare
 * the tables, the free ranges and every memblock_alloc result with what the
 * model says (the expected allocation found by brute force from the top).
 */
#include <stdlib.h>
#include <string.h>

#include <drivers/devicetree.h>
#include <tests/ktest.h>
#include <mm/memblock.h>
#include <mm/mm_init.h>
#include <mm/mmzone.h>
#include <mm/pgtable.h>
#include "fakeram.h"
#include "host.h"

struct rng {
	u64 base, size;
};

/* memblock_check() must find nothing; its output is shown if it does. */
#define check_ok(mb) EXPECT_EQ(memblock_check(mb), 0)

static void expect_type(struct ktest *t, const struct memblock_type *type,
			const struct rng *want, int n)
{
	EXPECT_EQ(type->cnt, n);
	for (int i = 0; i < n && i < type->cnt; i++) {
		EXPECT_EQ(type->regions[i].base, want[i].base);
		EXPECT_EQ(type->regions[i].size, want[i].size);
	}
}

/* Every free range memblock_next_free reports, in order. */
static int free_ranges(const struct memblock *mb, struct rng *out, int max)
{
	u64 cursor = 0, start, end;
	int n = 0;

	while (memblock_next_free(mb, &cursor, &start, &end)) {
		if (n < max) {
			out[n].base = start;
			out[n].size = end - start;
		}
		if (++n > 4 * MEMBLOCK_MAX_REGIONS)
			break; /* a cursor that does not advance */
	}
	return n;
}

static void expect_free(struct ktest *t, const struct memblock *mb, const struct rng *want, int n)
{
	struct rng got[2 * MEMBLOCK_MAX_REGIONS + 2];
	int cnt = free_ranges(mb, got, (int)ARRAY_SIZE(got));

	EXPECT_EQ(cnt, n);
	for (int i = 0; i < n && i < cnt; i++) {
		EXPECT_EQ(got[i].base, want[i].base);
		EXPECT_EQ(got[i].size, want[i].size);
	}
}

/* ---- merging ------------------------------------------------------------- */

static void add_merges_overlapping_adjacent_duplicate(struct ktest *t)
{
	static struct memblock mb;

	memblock_init(&mb);
	EXPECT_EQ(mb.alloc_limit, ~0ull);
	ASSERT_EQ(memblock_add(&mb, 0x10000, 0x1000), 0);
	check_ok(&mb);
	/* Duplicate: no change. */
	ASSERT_EQ(memblock_add(&mb, 0x10000, 0x1000), 0);
	check_ok(&mb);
	expect_type(t, &mb.memory, (const struct rng[]){ { 0x10000, 0x1000 } }, 1);
	/* Adjacent above and below: one range. */
	ASSERT_EQ(memblock_add(&mb, 0x11000, 0x800), 0);
	check_ok(&mb);
	ASSERT_EQ(memblock_add(&mb, 0xf000, 0x1000), 0);
	check_ok(&mb);
	expect_type(t, &mb.memory, (const struct rng[]){ { 0xf000, 0x2800 } }, 1);
	/* Overlapping the top. */
	ASSERT_EQ(memblock_add(&mb, 0x11000, 0x2000), 0);
	check_ok(&mb);
	expect_type(t, &mb.memory, (const struct rng[]){ { 0xf000, 0x4000 } }, 1);
	/* Contained: no change. */
	ASSERT_EQ(memblock_add(&mb, 0x10001, 0x10), 0);
	check_ok(&mb);
	expect_type(t, &mb.memory, (const struct rng[]){ { 0xf000, 0x4000 } }, 1);
	/* One byte apart: stays separate. */
	ASSERT_EQ(memblock_add(&mb, 0x13001, 0xfff), 0);
	check_ok(&mb);
	expect_type(t, &mb.memory,
		    (const struct rng[]){ { 0xf000, 0x4000 }, { 0x13001, 0xfff } }, 2);
	/* The missing byte joins them. */
	ASSERT_EQ(memblock_add(&mb, 0x13000, 1), 0);
	check_ok(&mb);
	expect_type(t, &mb.memory, (const struct rng[]){ { 0xf000, 0x5000 } }, 1);
	EXPECT_EQ(memblock_phys_mem_size(&mb), 0x5000);
	/* The other tables are untouched. */
	EXPECT_EQ(mb.reserved.cnt, 0);
	EXPECT_EQ(mb.nomap.cnt, 0);
}

static void one_insert_merges_many(struct ktest *t)
{
	static struct memblock mb;

	memblock_init(&mb);
	for (u64 i = 0; i < 10; i++) {
		ASSERT_EQ(memblock_reserve(&mb, 0x100000 + i * 0x10000, 0x1000), 0);
		check_ok(&mb);
	}
	ASSERT_EQ(memblock_reserve(&mb, 0x400000, 0x1000), 0);
	EXPECT_EQ(mb.reserved.cnt, 11);
	/* From inside the third to exactly the start of the eighth: ranges
	 * 2..7 (the 8th by adjacency) become one. */
	ASSERT_EQ(memblock_reserve(&mb, 0x120800, 0x170000 - 0x120800), 0);
	check_ok(&mb);
	expect_type(t, &mb.reserved,
		    (const struct rng[]){ { 0x100000, 0x1000 }, { 0x110000, 0x1000 },
					  { 0x120000, 0x51000 }, { 0x180000, 0x1000 },
					  { 0x190000, 0x1000 }, { 0x400000, 0x1000 } },
		    6);
	/* Covering everything. */
	ASSERT_EQ(memblock_reserve(&mb, 0xff000, 0x302000), 0);
	check_ok(&mb);
	expect_type(t, &mb.reserved, (const struct rng[]){ { 0xff000, 0x302000 } }, 1);
	EXPECT_EQ(mb.memory.cnt, 0);
}

static void disjoint_inserts_keep_order(struct ktest *t)
{
	static struct memblock mb;
	int order[40];
	u64 seed = 0x1234;

	memblock_init(&mb);
	for (int i = 0; i < 40; i++)
		order[i] = i;
	for (int i = 39; i > 0; i--) {
		int j = (int)(fr_rand(&seed) % (u64)(i + 1)), tmp = order[i];

		order[i] = order[j];
		order[j] = tmp;
	}
	for (int i = 0; i < 40; i++) {
		u64 base = 0x80000000ull + (u64)order[i] * 0x3000;

		ASSERT_EQ(memblock_add(&mb, base, 0x1000 + (u64)order[i]), 0);
		check_ok(&mb);
		ASSERT_EQ(mb.memory.cnt, i + 1);
	}
	for (int i = 0; i < 40; i++) {
		EXPECT_EQ(mb.memory.regions[i].base, 0x80000000ull + (u64)i * 0x3000);
		EXPECT_EQ(mb.memory.regions[i].size, 0x1000 + (u64)i);
	}
	/* Far apart, at both ends of the address space. */
	ASSERT_EQ(memblock_add(&mb, 0, 0x10), 0);
	ASSERT_EQ(memblock_add(&mb, ~0ull - 0x1000, 0x1000), 0);
	check_ok(&mb);
	EXPECT_EQ(mb.memory.cnt, 42);
	EXPECT_EQ(mb.memory.regions[0].base, 0);
	EXPECT_EQ(mb.memory.regions[41].base, ~0ull - 0x1000);
}

static void rejects_empty_and_wrapping(struct ktest *t)
{
	static struct memblock mb, copy;

	memblock_init(&mb);
	ASSERT_EQ(memblock_add(&mb, 0x80000000, 0x1000), 0);
	ASSERT_EQ(memblock_reserve(&mb, 0x80000000, 0x100), 0);
	copy = mb;
	EXPECT_EQ(memblock_add(&mb, 0x90000000, 0), -EINVAL);
	EXPECT_EQ(memblock_reserve(&mb, 0x90000000, 0), -EINVAL);
	EXPECT_EQ(memblock_reserve_flags(&mb, 0x90000000, 0, MEMBLOCK_NOMAP), -EINVAL);
	EXPECT_EQ(memblock_add(&mb, ~0ull - 0xfff, 0x2000), -EINVAL);
	EXPECT_EQ(memblock_reserve(&mb, ~0ull - 0xfff, 0x2000), -EINVAL);
	EXPECT_EQ(memblock_reserve_flags(&mb, ~0ull, 2, MEMBLOCK_NOMAP), -EINVAL);
	EXPECT_EQ(memblock_add(&mb, 1, ~0ull), -EINVAL);
	/* Ending exactly at 2^64 cannot be represented by an exclusive end. */
	EXPECT_EQ(memblock_add(&mb, ~0ull - 0xfff, 0x1000), -EINVAL);
	/* Zero size at address 0. */
	EXPECT_EQ(memblock_add(&mb, 0, 0), -EINVAL);
	check_ok(&mb);
	EXPECT(memcmp(&mb, &copy, sizeof(mb)) == 0);
	/* The largest range that fits is fine. */
	EXPECT_EQ(memblock_add(&mb, 0, ~0ull), 0);
	check_ok(&mb);
	expect_type(t, &mb.memory, (const struct rng[]){ { 0, ~0ull } }, 1);
}

static void full_table_is_enospc_and_intact(struct ktest *t)
{
	static struct memblock mb, copy;

	memblock_init(&mb);
	for (u64 i = 0; i < MEMBLOCK_MAX_REGIONS; i++) {
		ASSERT_EQ(memblock_add(&mb, 0x100000 + i * 0x2000, 0x1000), 0);
		ASSERT_EQ(memblock_reserve(&mb, 0x100000 + i * 0x2000, 0x800), 0);
	}
	check_ok(&mb);
	EXPECT_EQ(mb.memory.cnt, MEMBLOCK_MAX_REGIONS);
	copy = mb;
	/* New disjoint ranges: below, between and above. */
	EXPECT_EQ(memblock_add(&mb, 0x1000, 0x1000), -ENOSPC);
	EXPECT_EQ(memblock_add(&mb, 0x101800, 0x100), -ENOSPC);
	EXPECT_EQ(memblock_add(&mb, 0x10000000, 0x1000), -ENOSPC);
	EXPECT_EQ(memblock_reserve(&mb, 0x101800, 0x100), -ENOSPC);
	EXPECT_EQ(memblock_reserve_flags(&mb, 0x10000000, 0x100, MEMBLOCK_NOMAP), -ENOSPC);
	check_ok(&mb);
	EXPECT(memcmp(&mb.memory, &copy.memory, sizeof(mb.memory)) == 0);
	EXPECT(memcmp(&mb.reserved, &copy.reserved, sizeof(mb.reserved)) == 0);
	EXPECT_EQ(mb.nomap.cnt, 0);
	/* What merges needs no new entry: still fine when full. */
	EXPECT_EQ(memblock_add(&mb, 0x100000, 0x1000), 0);        /* duplicate */
	EXPECT_EQ(memblock_add(&mb, 0x100000 + 0x1000, 0x80), 0); /* adjacent */
	check_ok(&mb);
	EXPECT_EQ(mb.memory.cnt, MEMBLOCK_MAX_REGIONS);
	EXPECT_EQ(mb.memory.regions[0].size, 0x1080);
	/* Joining two frees an entry, and then a new range fits. */
	EXPECT_EQ(memblock_add(&mb, 0x101000, 0x1000), 0);
	check_ok(&mb);
	EXPECT_EQ(mb.memory.cnt, MEMBLOCK_MAX_REGIONS - 1);
	EXPECT_EQ(memblock_add(&mb, 0x1000, 0x1000), 0);
	EXPECT_EQ(memblock_add(&mb, 0x2000000, 0x1000), -ENOSPC);
	check_ok(&mb);
	EXPECT_EQ(mb.memory.cnt, MEMBLOCK_MAX_REGIONS);
	EXPECT_EQ(mb.memory.regions[0].base, 0x1000);
	EXPECT_EQ(mb.memory.regions[1].base, 0x100000);
	EXPECT_EQ(mb.memory.regions[1].size, 0x3000);
	EXPECT_EQ(mb.memory.regions[MEMBLOCK_MAX_REGIONS - 1].base,
		  0x100000 + (MEMBLOCK_MAX_REGIONS - 1) * 0x2000);
}

static void nomap_ranges_are_reserved_and_listed(struct ktest *t)
{
	static struct memblock mb;

	memblock_init(&mb);
	ASSERT_EQ(memblock_add(&mb, 0x80000000, 0x10000000), 0);
	ASSERT_EQ(memblock_reserve_flags(&mb, 0x80000000, 0x80000, 0), 0);
	check_ok(&mb);
	ASSERT_EQ(memblock_reserve_flags(&mb, 0x88000000, 0x100000, MEMBLOCK_NOMAP), 0);
	check_ok(&mb);
	ASSERT_EQ(memblock_reserve_flags(&mb, 0x88100000, 0x1000, MEMBLOCK_NOMAP), 0);
	check_ok(&mb);
	ASSERT_EQ(memblock_reserve_flags(&mb, 0x8a000000, 0x1000, MEMBLOCK_NOMAP), 0);
	check_ok(&mb);
	ASSERT_EQ(memblock_reserve(&mb, 0x8c000000, 0x1000), 0);
	check_ok(&mb);
	expect_type(t, &mb.nomap,
		    (const struct rng[]){ { 0x88000000, 0x101000 }, { 0x8a000000, 0x1000 } }, 2);
	expect_type(t, &mb.reserved,
		    (const struct rng[]){ { 0x80000000, 0x80000 },
					  { 0x88000000, 0x101000 },
					  { 0x8a000000, 0x1000 },
					  { 0x8c000000, 0x1000 } },
		    4);
	EXPECT(memblock_is_reserved(&mb, 0x88100fff));
	EXPECT(!memblock_is_reserved(&mb, 0x88101000));
	/* A plain reservation over a no-map range leaves nomap alone. */
	ASSERT_EQ(memblock_reserve(&mb, 0x89fff000, 0x3000), 0);
	check_ok(&mb);
	expect_type(t, &mb.nomap,
		    (const struct rng[]){ { 0x88000000, 0x101000 }, { 0x8a000000, 0x1000 } }, 2);
	EXPECT_EQ(mb.reserved.cnt, 4);
	EXPECT_EQ(mb.reserved.regions[2].base, 0x89fff000);
	EXPECT_EQ(mb.reserved.regions[2].size, 0x3000);
}

static void lookups_at_the_edges(struct ktest *t)
{
	static struct memblock mb;

	memblock_init(&mb);
	EXPECT(!memblock_is_memory(&mb, 0));
	ASSERT_EQ(memblock_add(&mb, 0x80000000, 0x1000), 0);
	ASSERT_EQ(memblock_add(&mb, 0x90000000, 0x2000), 0);
	ASSERT_EQ(memblock_reserve(&mb, 0x90001000, 0x10), 0);
	check_ok(&mb);
	EXPECT(!memblock_is_memory(&mb, 0x7fffffff));
	EXPECT(memblock_is_memory(&mb, 0x80000000));
	EXPECT(memblock_is_memory(&mb, 0x80000fff));
	EXPECT(!memblock_is_memory(&mb, 0x80001000));
	EXPECT(memblock_is_memory(&mb, 0x90001fff));
	EXPECT(!memblock_is_memory(&mb, 0x90002000));
	EXPECT(!memblock_is_reserved(&mb, 0x90000fff));
	EXPECT(memblock_is_reserved(&mb, 0x90001000));
	EXPECT(memblock_is_reserved(&mb, 0x9000100f));
	EXPECT(!memblock_is_reserved(&mb, 0x90001010));
	EXPECT_EQ(memblock_phys_mem_size(&mb), 0x3000);
	EXPECT_EQ(memblock_reserved_in_memory(&mb), 0x10);
}

/* ---- free ranges --------------------------------------------------------- */

static void next_free_is_memory_minus_reserved(struct ktest *t)
{
	static struct memblock mb;

	memblock_init(&mb);
	/* Nothing at all. */
	expect_free(t, &mb, NULL, 0);
	ASSERT_EQ(memblock_add(&mb, 0x80000000, 0x100000), 0); /* bank A */
	ASSERT_EQ(memblock_add(&mb, 0x90000000, 0x100000), 0); /* bank B */
	ASSERT_EQ(memblock_add(&mb, 0xa0000000, 0x100000), 0); /* bank C */
	ASSERT_EQ(memblock_add(&mb, 0xb0000000, 0x100000), 0); /* bank D */
	check_ok(&mb);
	expect_free(t, &mb,
		    (const struct rng[]){ { 0x80000000, 0x100000 }, { 0x90000000, 0x100000 },
					  { 0xa0000000, 0x100000 }, { 0xb0000000, 0x100000 } },
		    4);
	/* Reserved outside RAM changes nothing. */
	ASSERT_EQ(memblock_reserve(&mb, 0x1000, 0x1000), 0);
	ASSERT_EQ(memblock_reserve(&mb, 0x80100000, 0x1000), 0); /* just above A */
	ASSERT_EQ(memblock_reserve(&mb, 0xc0000000, 0x1000), 0);
	check_ok(&mb);
	expect_free(t, &mb,
		    (const struct rng[]){ { 0x80000000, 0x100000 }, { 0x90000000, 0x100000 },
					  { 0xa0000000, 0x100000 }, { 0xb0000000, 0x100000 } },
		    4);
	EXPECT_EQ(memblock_reserved_in_memory(&mb), 0);
	/* A: reserved at both edges (one straddling the bank's start). */
	ASSERT_EQ(memblock_reserve(&mb, 0x7ffff000, 0x2000), 0);
	ASSERT_EQ(memblock_reserve(&mb, 0x800ff800, 0x800), 0); /* touches 0x80100000 */
	/* B: two byte-exact holes inside. */
	ASSERT_EQ(memblock_reserve(&mb, 0x90000123, 0x10), 0);
	ASSERT_EQ(memblock_reserve(&mb, 0x90050000, 0x1), 0);
	/* C: covered whole (and beyond on both sides). */
	ASSERT_EQ(memblock_reserve(&mb, 0x9ffff000, 0x102000), 0);
	/* D: from the middle to past the end. */
	ASSERT_EQ(memblock_reserve(&mb, 0xb0080000, 0x100000), 0);
	check_ok(&mb);
	expect_free(t, &mb,
		    (const struct rng[]){ { 0x80001000, 0xfe800 },
					  { 0x90000000, 0x123 },
					  { 0x90000133, 0x50000 - 0x133 },
					  { 0x90050001, 0xaffff },
					  { 0xb0000000, 0x80000 } },
		    5);
	EXPECT_EQ(memblock_reserved_in_memory(&mb),
		  0x1000 + 0x800 + 0x10 + 0x1 + 0x100000 + 0x80000);
	/* Everything reserved: no free range. */
	ASSERT_EQ(memblock_reserve(&mb, 0x70000000, 0x50000000), 0);
	check_ok(&mb);
	expect_free(t, &mb, NULL, 0);
	EXPECT_EQ(memblock_reserved_in_memory(&mb), memblock_phys_mem_size(&mb));
}

static void next_free_resumes_from_cursor(struct ktest *t)
{
	static struct memblock mb;
	u64 cursor, start, end;

	memblock_init(&mb);
	ASSERT_EQ(memblock_add(&mb, 0x1000, 0x9000), 0);
	ASSERT_EQ(memblock_reserve(&mb, 0x4000, 0x1000), 0);
	cursor = 0x2000; /* starting inside the first free range */
	ASSERT(memblock_next_free(&mb, &cursor, &start, &end));
	EXPECT_EQ(start, 0x2000);
	EXPECT_EQ(end, 0x4000);
	cursor = 0x4800; /* inside the reserved range */
	ASSERT(memblock_next_free(&mb, &cursor, &start, &end));
	EXPECT_EQ(start, 0x5000);
	EXPECT_EQ(end, 0xa000);
	EXPECT_EQ(cursor, 0xa000);
	EXPECT(!memblock_next_free(&mb, &cursor, &start, &end));
}

/* ---- allocation ---------------------------------------------------------- */

static void alloc_is_top_down_and_reserves(struct ktest *t)
{
	static struct memblock mb;
	u64 a, b, c, d, before;

	memblock_init(&mb);
	ASSERT_EQ(memblock_add(&mb, 0x80000000, 0x100000), 0);
	ASSERT_EQ(memblock_add(&mb, 0x90000000, 0x10000), 0);
	check_ok(&mb);
	a = memblock_alloc(&mb, 0x1000, 0x1000);
	check_ok(&mb);
	EXPECT_EQ(a, 0x9000f000);
	b = memblock_alloc(&mb, 0x1000, 0x1000);
	check_ok(&mb);
	EXPECT_EQ(b, 0x9000e000);
	EXPECT(memblock_is_reserved(&mb, a) && memblock_is_reserved(&mb, b + 0xfff));
	expect_type(t, &mb.reserved, (const struct rng[]){ { 0x9000e000, 0x2000 } }, 1);
	EXPECT_EQ(mb.allocated_bytes, 0x2000);
	EXPECT_EQ(memblock_reserved_in_memory(&mb), 0x2000);
	/* Does not fit in the high bank any more: the next lower one. */
	c = memblock_alloc(&mb, 0xf000, 8);
	check_ok(&mb);
	EXPECT_EQ(c, 0x80100000 - 0xf000);
	/* 0x18 bytes still fit in the high bank, right below b. */
	d = memblock_alloc(&mb, 0x18, 8);
	check_ok(&mb);
	EXPECT_EQ(d, b - 0x18);
	EXPECT_EQ(mb.allocated_bytes, 0x2000 + 0xf000 + 0x18);
	expect_type(t, &mb.reserved,
		    (const struct rng[]){ { c, 0xf000 }, { d, 0x2018 } }, 2);
	/* Nothing fits: 0 and no change. */
	before = mb.allocated_bytes;
	EXPECT_EQ(memblock_alloc(&mb, 0x200000, 8), 0);
	EXPECT_EQ(memblock_alloc(&mb, 0, 8), 0);
	EXPECT_EQ(memblock_alloc(&mb, 0x1000, 0), 0);
	EXPECT_EQ(memblock_alloc(&mb, 0x1000, 0x3000), 0); /* not a power of two */
	check_ok(&mb);
	EXPECT_EQ(mb.allocated_bytes, before);
	EXPECT_EQ(mb.reserved.cnt, 2);
	/* Fill up with pages: disjoint, inside RAM, highest first. */
	for (int i = 0; i < 1000; i++) {
		u64 p = memblock_alloc(&mb, 0x1000, 0x1000);

		check_ok(&mb);
		if (!p)
			break;
		EXPECT(memblock_is_memory(&mb, p) && memblock_is_memory(&mb, p + 0xfff));
		EXPECT_EQ(p, i < 13 ? 0x9000c000 - (u64)i * 0x1000
				    : 0x800f0000 - (u64)(i - 13) * 0x1000);
		if (t->failures)
			return;
	}
	/* Left: [0x9000d000, d), too short for an aligned page; a byte fits. */
	expect_type(t, &mb.reserved,
		    (const struct rng[]){ { 0x80000000, 0x100000 }, { 0x90000000, 0xd000 },
					  { d, 0x2018 } },
		    3);
	expect_free(t, &mb, (const struct rng[]){ { 0x9000d000, d - 0x9000d000 } }, 1);
	EXPECT_EQ(memblock_alloc(&mb, 1, 1), d - 1);
	check_ok(&mb);
	EXPECT_EQ(memblock_reserved_in_memory(&mb),
		  memblock_phys_mem_size(&mb) - (d - 1 - 0x9000d000));
}

static void alloc_honours_alignment(struct ktest *t)
{
	static struct memblock mb;

	memblock_init(&mb);
	ASSERT_EQ(memblock_add(&mb, 0x80000000, 0x1000000), 0);
	ASSERT_EQ(memblock_reserve(&mb, 0x80ffff00, 0x100), 0); /* the top is unaligned */
	for (u64 align = 1; align <= 0x200000; align <<= 1) {
		u64 cursor = 0, start, end, want = 0, p;

		/* The highest aligned place in any free range. */
		while (memblock_next_free(&mb, &cursor, &start, &end))
			if (end - start >= 0x123 && ALIGN_DOWN(end - 0x123, align) >= start)
				want = ALIGN_DOWN(end - 0x123, align);
		p = memblock_alloc(&mb, 0x123, align);
		check_ok(&mb);
		ASSERT(p != 0);
		EXPECT(IS_ALIGNED(p, align));
		EXPECT_EQ(p, want);
		EXPECT(memblock_is_reserved(&mb, p) && memblock_is_reserved(&mb, p + 0x122));
	}
	/* An alignment bigger than RAM fits only at an address that is RAM. */
	EXPECT_EQ(memblock_alloc(&mb, 0x1000, 0x100000000ull), 0);
	EXPECT_EQ(memblock_alloc(&mb, 0x1000, 0x80000000ull), 0x80000000);
	check_ok(&mb);
}

static void alloc_respects_limit(struct ktest *t)
{
	static struct memblock mb;
	u64 p;

	memblock_init(&mb);
	ASSERT_EQ(memblock_add(&mb, 0x80000000, 0x100000), 0);
	ASSERT_EQ(memblock_add(&mb, 0x100000000ull, 0x100000), 0);
	mb.alloc_limit = 0x80080000;
	p = memblock_alloc(&mb, 0x1000, 0x1000);
	check_ok(&mb);
	EXPECT_EQ(p, 0x8007f000);
	/* A limit in the middle of a page: the allocation ends below it. */
	mb.alloc_limit = 0x8007e800;
	p = memblock_alloc(&mb, 0x1000, 0x1000);
	EXPECT_EQ(p, 0x8007d000);
	EXPECT(p + 0x1000 <= mb.alloc_limit);
	mb.alloc_limit = 0x80000fff;
	EXPECT_EQ(memblock_alloc(&mb, 0x1000, 0x1000), 0);
	mb.alloc_limit = 0x80001000;
	EXPECT_EQ(memblock_alloc(&mb, 0x1000, 0x1000), 0x80000000);
	mb.alloc_limit = 0x7fffffff; /* below all RAM */
	EXPECT_EQ(memblock_alloc(&mb, 1, 1), 0);
	mb.alloc_limit = 0; /* closed, as node_init leaves it */
	EXPECT_EQ(memblock_alloc(&mb, 1, 1), 0);
	mb.alloc_limit = ~0ull;
	EXPECT_EQ(memblock_alloc(&mb, 0x1000, 0x1000), 0x1000ff000ull);
	check_ok(&mb);
	EXPECT_EQ(mb.allocated_bytes, 0x4000);
}

static void alloc_skips_reserved_and_never_returns_zero(struct ktest *t)
{
	static struct memblock mb;

	memblock_init(&mb);
	ASSERT_EQ(memblock_add(&mb, 0, 0x10000), 0);
	ASSERT_EQ(memblock_reserve(&mb, 0x3000, 0xd000), 0);
	ASSERT_EQ(memblock_reserve(&mb, 0x1000, 0x1000), 0);
	/* Free: [0, 0x1000) and [0x2000, 0x3000). */
	EXPECT_EQ(memblock_alloc(&mb, 0x1001, 1), 0);
	EXPECT_EQ(memblock_alloc(&mb, 0x1000, 0x1000), 0x2000);
	check_ok(&mb);
	/* Only [0, 0x1000) is left and address 0 means failure. */
	EXPECT_EQ(memblock_alloc(&mb, 0x1000, 0x1000), 0);
	EXPECT_EQ(memblock_alloc(&mb, 0x800, 0x800), 0x800);
	check_ok(&mb);
	EXPECT(!memblock_is_reserved(&mb, 0));
}

/* memblock_alloc_range: top-down inside the window only, the whole range
 * inside it, aligned, below alloc_limit; nothing when nothing fits. */
static void alloc_range_is_top_down_within_the_window(struct ktest *t)
{
	static struct memblock mb;

	memblock_init(&mb);
	ASSERT_EQ(memblock_add(&mb, 0x80000000, 0x1000000), 0);
	ASSERT_EQ(memblock_add(&mb, 0x100000000ull, 0x1000000), 0);
	ASSERT_EQ(memblock_reserve(&mb, 0x80800000, 0x1000), 0);
	/* The top of the window, not of RAM (memblock_alloc: the high bank). */
	EXPECT_EQ(memblock_alloc_range(&mb, 0x1000, 0x1000, 0x80000000, 0x80900000), 0x808ff000);
	check_ok(&mb);
	/* 1 MiB aligned: not above the reservation at 0x80800000, so below it. */
	EXPECT_EQ(memblock_alloc_range(&mb, 0x100000, 0x100000, 0x80000000, 0x80900000), 0x80700000);
	check_ok(&mb);
	/* A window that starts below RAM: only its RAM part counts, and the
	 * range must lie wholly inside both. */
	EXPECT_EQ(memblock_alloc_range(&mb, 0x2000, 0x1000, 0x7ff00000, 0x80001000), 0);
	EXPECT_EQ(memblock_alloc_range(&mb, 0x1000, 0x1000, 0x7ff00000, 0x80001000), 0x80000000);
	check_ok(&mb);
	/* A window of no RAM, an empty or reversed one, bad arguments. */
	EXPECT_EQ(memblock_alloc_range(&mb, 0x1000, 0x1000, 0xc0000000, 0xd0000000), 0);
	EXPECT_EQ(memblock_alloc_range(&mb, 0x1000, 0x1000, 0x80400000, 0x80400000), 0);
	EXPECT_EQ(memblock_alloc_range(&mb, 0x1000, 0x1000, 0x80500000, 0x80400000), 0);
	EXPECT_EQ(memblock_alloc_range(&mb, 0, 0x1000, 0x80000000, 0x81000000), 0);
	EXPECT_EQ(memblock_alloc_range(&mb, 0x1000, 0x3000, 0x80000000, 0x81000000), 0);
	/* The alignment rounds below the window's start: no fit. */
	EXPECT_EQ(memblock_alloc_range(&mb, 0x1000, 0x4000, 0x80002000, 0x80003000), 0);
	EXPECT_EQ(memblock_alloc_range(&mb, 0x1000, 0x2000, 0x80002000, 0x80003000), 0x80002000);
	check_ok(&mb);
	EXPECT_EQ(mb.allocated_bytes, 0x1000 + 0x100000 + 0x1000 + 0x1000);
	/* alloc_limit caps the window. */
	mb.alloc_limit = 0x80400000;
	EXPECT_EQ(memblock_alloc_range(&mb, 0x1000, 0x1000, 0x80000000, 0x80900000), 0x803ff000);
	mb.alloc_limit = ~0ull;
	/* The whole address space is memblock_alloc: the top of the high bank. */
	EXPECT_EQ(memblock_alloc_range(&mb, 0x1000, 0x1000, 0, ~0ull), 0x100fff000ull);
	expect_type(t, &mb.reserved,
		    (const struct rng[]){ { 0x80000000, 0x1000 },
					  { 0x80002000, 0x1000 },
					  { 0x803ff000, 0x1000 },
					  { 0x80700000, 0x101000 }, /* merged with the reservation */
					  { 0x808ff000, 0x1000 },
					  { 0x100fff000ull, 0x1000 } },
		    6);
	check_ok(&mb);
}

/* ---- the model ----------------------------------------------------------- */

/* A window of MODEL_UNITS units of MODEL_UNIT bytes at MODEL_BASE. */
#define MODEL_BASE 0x80000000ull
#define MODEL_UNIT 0x100ull
#define MODEL_UNITS 2048

struct model {
	u8 mem[MODEL_UNITS], res[MODEL_UNITS];
};

static u64 unit_addr(int u)
{
	return MODEL_BASE + (u64)u * MODEL_UNIT;
}

/* Runs of set units in @map as ranges. */
static int model_runs(const u8 *map, const u8 *mask, struct rng *out, int max)
{
	int n = 0;

	for (int u = 0; u < MODEL_UNITS;) {
		int v;

		if (!map[u] || (mask && mask[u])) {
			u++;
			continue;
		}
		for (v = u; v < MODEL_UNITS && map[v] && !(mask && mask[v]); v++)
			;
		if (n < max) {
			out[n].base = unit_addr(u);
			out[n].size = (u64)(v - u) * MODEL_UNIT;
		}
		n++;
		u = v;
	}
	return n;
}

/* Would setting [u, u + n) in @map need a new run? */
static bool model_needs_entry(const u8 *map, int u, int n)
{
	for (int i = MAX(u - 1, 0); i < MIN(u + n + 1, MODEL_UNITS); i++)
		if (map[i])
			return false;
	return true;
}

static void model_compare(struct ktest *t, const struct model *m, const struct memblock *mb)
{
	static struct rng runs[MODEL_UNITS];
	int n;

	n = model_runs(m->mem, NULL, runs, MODEL_UNITS);
	expect_type(t, &mb->memory, runs, n);
	n = model_runs(m->res, NULL, runs, MODEL_UNITS);
	expect_type(t, &mb->reserved, runs, n);
	n = model_runs(m->mem, m->res, runs, MODEL_UNITS);
	expect_free(t, mb, runs, n);
}

#define MODEL_PAGE_UNITS ((int)(PAGE_SIZE / MODEL_UNIT))

/* Is the page holding unit @u all RAM (mapped, so memblock_alloc uses it)? */
static bool model_page_is_ram(const struct model *m, int u)
{
	int p = ALIGN_DOWN(u, MODEL_PAGE_UNITS);

	for (int i = p; i < p + MODEL_PAGE_UNITS; i++)
		if (!m->mem[i])
			return false;
	return true;
}

/* The highest aligned unit address in units [@lo, @hi) where @n free units
 * of whole-RAM pages fit, or -1. */
static int model_alloc(const struct model *m, int n, int align_units, int lo, int hi)
{
	for (int u = ALIGN_DOWN(hi - n, align_units); hi - n >= 0 && u >= lo; u -= align_units) {
		bool ok = true;

		for (int i = u; i < u + n && ok; i++)
			ok = m->mem[i] && !m->res[i] && model_page_is_ram(m, i);
		if (ok)
			return u;
	}
	return -1;
}

static void random_operations_match_model(struct ktest *t)
{
	static struct memblock mb;
	static struct model m;
	u64 seed = 0x9e3779b97f4a7c15ull;
	int enospc = 0, allocs = 0, failed_allocs = 0, ranged_allocs = 0;

	for (int round = 0; round < 6; round++) {
		memblock_init(&mb);
		memset(&m, 0, sizeof(m));
		for (int step = 0; step < 400; step++) {
			u64 r = fr_rand(&seed);
			int op = (int)(r % 10);
			/* Mostly short ranges so the tables fill up in some rounds. */
			int n = (round & 1) ? 1 + (int)((r >> 8) % 3) : 1 + (int)((r >> 8) % 64);
			int u = (int)((r >> 20) % (u64)(MODEL_UNITS - n));

			if (op < 6) { /* 0..3 add, 4..5 reserve, 6..7 allocate, 8..9 in a window */
				u8 *map = op < 4 ? m.mem : m.res;
				struct memblock_type *type = op < 4 ? &mb.memory : &mb.reserved;
				int want = 0, got;

				if (model_needs_entry(map, u, n) && type->cnt == MEMBLOCK_MAX_REGIONS)
					want = -ENOSPC;
				got = op < 4 ? memblock_add(&mb, unit_addr(u), (u64)n * MODEL_UNIT)
					     : memblock_reserve(&mb, unit_addr(u), (u64)n * MODEL_UNIT);
				EXPECT_EQ(got, want);
				if (want == 0)
					memset(map + u, 1, (size_t)n);
				else
					enospc++;
			} else {
				int align = 1 << ((r >> 40) % 6);
				int lo = op < 8 ? 0 : (int)((r >> 46) % MODEL_UNITS);
				int hi = op < 8 ? MODEL_UNITS
						: MIN(MODEL_UNITS, lo + (int)((r >> 32) % 256));
				int want = model_alloc(&m, n, align, lo, hi);
				u64 got;

				if (want >= 0 && model_needs_entry(m.res, want, n) &&
				    mb.reserved.cnt == MEMBLOCK_MAX_REGIONS)
					want = -1; /* would need a reserved entry: fails */
				if (op < 8)
					got = memblock_alloc(&mb, (u64)n * MODEL_UNIT, (u64)align * MODEL_UNIT);
				else
					got = memblock_alloc_range(&mb, (u64)n * MODEL_UNIT,
								   (u64)align * MODEL_UNIT,
								   unit_addr(lo), unit_addr(hi));
				EXPECT_EQ(got, want < 0 ? 0 : unit_addr(want));
				ranged_allocs += op >= 8 && want >= 0;

				if (want >= 0) {
					memset(m.res + want, 1, (size_t)n);
					allocs++;
				} else {
					failed_allocs++;
				}
			}
			check_ok(&mb);
			model_compare(t, &m, &mb);
			if (t->failures)
				return;
		}
		{
			u64 res_in_mem = 0;

			for (int i = 0; i < MODEL_UNITS; i++)
				res_in_mem += (m.mem[i] && m.res[i]) ? MODEL_UNIT : 0;
			EXPECT_EQ(memblock_reserved_in_memory(&mb), res_in_mem);
		}
	}
	/* The rounds exercised what they are for. */
	EXPECT(enospc > 0);
	EXPECT(allocs > 50);
	EXPECT(failed_allocs > 0);
	EXPECT(ranged_allocs > 20);
}

/* memblock_check must be able to fail, or "check_ok" proves nothing. */
static void check_finds_broken_tables(struct ktest *t)
{
	static struct memblock mb, good;
	struct fr_capture cap;
	char out[2048];
	int bad[6];

	memblock_init(&good);
	ASSERT_EQ(memblock_add(&good, 0x1000, 0x1000), 0);
	ASSERT_EQ(memblock_add(&good, 0x3000, 0x1000), 0);
	ASSERT_EQ(memblock_reserve(&good, 0x1000, 0x100), 0);
	check_ok(&good);
	fr_capture_start(&cap);
	mb = good; /* unsorted */
	mb.memory.regions[0].base = 0x5000;
	bad[0] = memblock_check(&mb);
	mb = good; /* adjacent, not merged */
	mb.memory.regions[0].size = 0x2000;
	bad[1] = memblock_check(&mb);
	mb = good; /* overlapping */
	mb.memory.regions[0].size = 0x2800;
	bad[2] = memblock_check(&mb);
	mb = good; /* empty */
	mb.reserved.regions[0].size = 0;
	bad[3] = memblock_check(&mb);
	mb = good; /* wraps */
	mb.memory.regions[1].base = ~0ull - 0x10;
	mb.memory.regions[1].size = 0x20;
	bad[4] = memblock_check(&mb);
	mb = good; /* count */
	mb.nomap.cnt = MEMBLOCK_MAX_REGIONS + 1;
	bad[5] = memblock_check(&mb);
	fr_capture_end(&cap, out, sizeof(out));
	for (int i = 0; i < 6; i++)
		EXPECT(bad[i] > 0);
	EXPECT(strstr(out, "memblock: memory[1]: not sorted, disjoint and merged") != NULL);
	EXPECT(strstr(out, "memblock: reserved[0]: empty or wrapping range") != NULL);
	EXPECT(strstr(out, "memblock: nomap: bad count") != NULL);
}

/* ---- from the device tree ------------------------------------------------ */

static int mb_from_fixture(struct memblock *mb, struct dt_info *info, const char *name,
			   u64 dtb_phys)
{
	size_t size = 0;
	u8 *blob = host_load_dtb(name, &size);
	int err;

	struct fr_capture cap;
	char out[1024];

	if (!blob)
		return 1;
	fr_capture_start(&cap); /* fixtures may warn */
	err = dt_parse(info, blob, size, dtb_phys);
	fr_capture_end(&cap, out, sizeof(out));
	free(blob);
	if (err)
		return err;
	memblock_init(mb);
	return memblock_add_dt(mb, info);
}

static void add_dt_two_banks(struct ktest *t)
{
	static struct memblock mb;
	static struct dt_info info;
	u64 dtb;

	/* The blob right after the firmware's range: one reserved range. */
	ASSERT_EQ(mb_from_fixture(&mb, &info, "two-banks", 0x80080000), 0);
	check_ok(&mb);
	dtb = info.fdt.totalsize;
	ASSERT(dtb > 0);
	expect_type(t, &mb.memory,
		    (const struct rng[]){ { 0x80000000, 0x10000000 },
					  { 0x140000000ull, 0x10000000 } },
		    2);
	expect_type(t, &mb.reserved, (const struct rng[]){ { 0x80000000, 0x80000 + dtb } }, 1);
	EXPECT_EQ(mb.nomap.cnt, 0);
	EXPECT_EQ(memblock_phys_mem_size(&mb), 512ull << 20);
	EXPECT_EQ(memblock_reserved_in_memory(&mb), 0x80000 + dtb);
	expect_free(t, &mb,
		    (const struct rng[]){ { 0x80080000 + dtb, 0x10000000 - 0x80000 - dtb },
					  { 0x140000000ull, 0x10000000 } },
		    2);
	/* The first allocation comes from the top of the high bank. */
	EXPECT_EQ(memblock_alloc(&mb, 0x1000, 0x1000), 0x14ffff000ull);
	check_ok(&mb);
}

static void add_dt_resmem_middle(struct ktest *t)
{
	static struct memblock mb;
	static struct dt_info info;
	u64 dtb;

	ASSERT_EQ(mb_from_fixture(&mb, &info, "resmem-middle", 0x87e00000), 0);
	check_ok(&mb);
	dtb = info.fdt.totalsize;
	expect_type(t, &mb.memory, (const struct rng[]){ { 0x80000000, 0x20000000 } }, 1);
	expect_type(t, &mb.reserved,
		    (const struct rng[]){ { 0x80000000, 0x80000 },
					  { 0x87e00000, dtb },
					  { 0x8c000000, 0x100000 },
					  { 0x90000000, 0x800000 },
					  { 0x9a000000, 0x1000 },
					  { 0x9b000000, 0x2000 } },
		    6);
	expect_type(t, &mb.nomap,
		    (const struct rng[]){ { 0x90000000, 0x800000 },
					  { 0x9a000000, 0x1000 },
					  { 0x9b000000, 0x2000 } },
		    3);
	EXPECT(!memblock_is_reserved(&mb, 0x98000000)); /* the disabled child */
	EXPECT_EQ(memblock_reserved_in_memory(&mb),
		  0x80000 + dtb + 0x100000 + 0x800000 + 0x1000 + 0x2000);
}

static void add_dt_memreserve(struct ktest *t)
{
	static struct memblock mb;
	static struct dt_info info;
	u64 dtb;

	ASSERT_EQ(mb_from_fixture(&mb, &info, "memreserve", 0x8ff00000), 0);
	check_ok(&mb);
	dtb = info.fdt.totalsize;
	expect_type(t, &mb.memory, (const struct rng[]){ { 0x80000000, 0x10000000 } }, 1);
	expect_type(t, &mb.reserved,
		    (const struct rng[]){ { 0x84000000, 0x2000 },
					  { 0x88000000, 0x10000 },
					  { 0x8ff00000, dtb } },
		    3);
	EXPECT_EQ(mb.nomap.cnt, 0);
	expect_free(t, &mb,
		    (const struct rng[]){ { 0x80000000, 0x4000000 },
					  { 0x84002000, 0x88000000 - 0x84002000 },
					  { 0x88010000, 0x8ff00000 - 0x88010000 },
					  { 0x8ff00000 + dtb, 0x100000 - dtb } },
		    4);
}

static void add_dt_virt_and_multi_reg(struct ktest *t)
{
	static struct memblock mb;
	static struct dt_info info;
	u64 dtb;

	ASSERT_EQ(mb_from_fixture(&mb, &info, "virt", 0x87e00000), 0);
	check_ok(&mb);
	dtb = info.fdt.totalsize;
	expect_type(t, &mb.memory, (const struct rng[]){ { 0x80000000, 0x8000000 } }, 1);
	expect_type(t, &mb.reserved,
		    (const struct rng[]){ { 0x80000000, 0x80000 }, { 0x87e00000, dtb } }, 2);
	/* Linux's "kernel" reservation on top, as rvmm's boot adds it. */
	ASSERT_EQ(memblock_reserve(&mb, 0x80200000, 0x200000), 0);
	check_ok(&mb);
	EXPECT_EQ(memblock_reserved_in_memory(&mb), 0x80000 + dtb + 0x200000);

	ASSERT_EQ(mb_from_fixture(&mb, &info, "multi-reg", 0x8ff00000), 0);
	check_ok(&mb);
	dtb = info.fdt.totalsize;
	expect_type(t, &mb.memory,
		    (const struct rng[]){ { 0x80000000, 0x10000000 },
					  { 0xc0000000, 0x10000000 },
					  { 0x100000000ull, 0x10000000 } },
		    3);
	expect_type(t, &mb.reserved, (const struct rng[]){ { 0x8ff00000, dtb } }, 1);
}

/* memblock_alloc hands out only bytes of pages the direct map maps: never
 * the partial page at either end of a RAM range nor the rest of a page a
 * no-map range touches; a page shared with a plain reserved range (mapped)
 * is used to the byte. */
static void alloc_uses_mapped_pages_only(struct ktest *t)
{
	static struct memblock mb;
	u64 cursor = 0, s, e;

	memblock_init(&mb); /* RAM ends mid-page */
	ASSERT_EQ(memblock_add(&mb, 0x80000000, 0x1800), 0);
	EXPECT_EQ(memblock_alloc(&mb, 0x100, 0x100), 0x80000f00);
	check_ok(&mb);

	memblock_init(&mb); /* RAM starts mid-page: one whole page only */
	ASSERT_EQ(memblock_add(&mb, 0x80000800, 0x1800), 0);
	EXPECT_EQ(memblock_alloc(&mb, 0x1000, 0x100), 0x80001000);
	EXPECT_EQ(memblock_alloc(&mb, 0x100, 0x100), 0); /* 2 KiB free, not mapped */
	check_ok(&mb);

	memblock_init(&mb); /* a no-map range over the top half of the last page */
	ASSERT_EQ(memblock_add(&mb, 0x80000000, 0x2000), 0);
	ASSERT_EQ(memblock_reserve_flags(&mb, 0x80001800, 0x800, MEMBLOCK_NOMAP), 0);
	EXPECT(memblock_next_free_mappable(&mb, &cursor, &s, &e));
	EXPECT_EQ(s, 0x80000000);
	EXPECT_EQ(e, 0x80001000);
	EXPECT(!memblock_next_free_mappable(&mb, &cursor, &s, &e));
	EXPECT_EQ(memblock_alloc(&mb, 0x100, 0x100), 0x80000f00);
	EXPECT_EQ(memblock_alloc(&mb, 0xf00, 0x100), 0x80000000);
	EXPECT_EQ(memblock_alloc(&mb, 0x100, 0x100), 0);
	check_ok(&mb);

	memblock_init(&mb); /* a no-map range over the bottom half of the first page */
	ASSERT_EQ(memblock_add(&mb, 0x80000000, 0x2000), 0);
	ASSERT_EQ(memblock_reserve_flags(&mb, 0x80000000, 0x800, MEMBLOCK_NOMAP), 0);
	EXPECT_EQ(memblock_alloc(&mb, 0x1000, 0x100), 0x80001000);
	EXPECT_EQ(memblock_alloc(&mb, 0x100, 0x100), 0);

	memblock_init(&mb); /* a plain reserved half page: the other half is used */
	ASSERT_EQ(memblock_add(&mb, 0x80000000, 0x2000), 0);
	ASSERT_EQ(memblock_reserve(&mb, 0x80001800, 0x800), 0);
	EXPECT_EQ(memblock_alloc(&mb, 0x100, 0x100), 0x80001700);
	/* and allocations pack: the next one ends where the last began */
	EXPECT_EQ(memblock_alloc(&mb, 0x40, 0x40), 0x800016c0);
	check_ok(&mb);
}

/* memblock_report_unusable names each piece of RAM that is not a whole
 * mapped page. */
static void report_unusable_names_partial_pages(struct ktest *t)
{
	static struct memblock mb;
	struct fr_capture cap;
	char out[1024];

	memblock_init(&mb);
	ASSERT_EQ(memblock_add(&mb, 0x80000800, 0x10000), 0);    /* [..800, 0x80010800) */
	ASSERT_EQ(memblock_add(&mb, 0x90000000, 0x400), 0);       /* no whole page */
	ASSERT_EQ(memblock_reserve_flags(&mb, 0x80004800, 0x1000, MEMBLOCK_NOMAP), 0);
	ASSERT_EQ(memblock_reserve(&mb, 0x80008800, 0x100), 0); /* plain: not reported */
	fr_capture_start(&cap);
	memblock_report_unusable(&mb);
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT(strstr(out, "memblock: [mem 0x0000000080000800-0x0000000080000fff] not usable: partial page at the start of a RAM range\n"));
	EXPECT(strstr(out, "memblock: [mem 0x0000000080010000-0x00000000800107ff] not usable: partial page at the end of a RAM range\n"));
	EXPECT(strstr(out, "memblock: [mem 0x0000000090000000-0x00000000900003ff] not usable: RAM range without a whole page\n"));
	EXPECT(strstr(out, "memblock: [mem 0x0000000080004000-0x00000000800047ff] not usable: shares a page with a no-map range (not mapped)\n"));
	EXPECT(strstr(out, "memblock: [mem 0x0000000080005800-0x0000000080005fff] not usable: shares a page with a no-map range (not mapped)\n"));
	EXPECT_EQ(fr_count_substr(out, "memblock:"), 5);
}

/* RAM at or above a limit leaves memblock's memory; alloc_limit follows. */
static void limit_memory_drops_ram_above(struct ktest *t)
{
	static struct memblock mb;

	memblock_init(&mb);
	ASSERT_EQ(memblock_add(&mb, 0x80000000, 0x10000000), 0);
	ASSERT_EQ(memblock_add(&mb, 0x3ff0000000ull, 0x20000000), 0);
	ASSERT_EQ(memblock_add(&mb, 0x5000000000ull, 0x40000000), 0);
	ASSERT_EQ(memblock_reserve(&mb, 0x5000000000ull, 0x1000), 0);
	EXPECT_EQ(memblock_limit_memory(&mb, SV39_LOW_END), 0x10000000ull + 0x40000000);
	expect_type(t, &mb.memory,
		    (const struct rng[]){ { 0x80000000, 0x10000000 }, { 0x3ff0000000ull, 0x10000000 } }, 2);
	EXPECT_EQ(mb.alloc_limit, SV39_LOW_END);
	EXPECT_EQ(memblock_phys_mem_size(&mb), 0x20000000);
	EXPECT_EQ(memblock_alloc(&mb, 0x1000, 0x1000), SV39_LOW_END - 0x1000);
	EXPECT_EQ(memblock_limit_memory(&mb, SV39_LOW_END), 0); /* nothing left above */
	check_ok(&mb);
}

/* The boot's memblock_from_dt leaves RAM above 256 GiB out, says so, and
 * the node laid out from it neither counts nor spans that RAM. */
static void from_dt_leaves_out_ram_above_256g(struct ktest *t)
{
	static struct memblock mb;
	static struct dt_info info;
	static struct pglist_data node;
	const struct zone_limits lim = { 0, 0x100000, false };
	struct fr_capture cap;
	char out[2048];

	ASSERT_EQ(mb_from_fixture(&mb, &info, "ram-above-256g", 0x8fe00000), 0);
	ASSERT_EQ(dt_add_reserved(&info, 0x80200000, 0x200000, "kernel", false), 0);
	fr_capture_start(&cap);
	memblock_from_dt(&mb, &info, 0x80200000, 0x80400000);
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT(strstr(out, "memblock: RAM above 256 GiB [mem 0x0000004000000000-0x000000503fffffff] left out (1280 MiB): the direct map ends there\n"));
	expect_type(t, &mb.memory,
		    (const struct rng[]){ { 0x80000000, 0x10000000 }, { 0x3ff0000000ull, 0x10000000 } }, 2);
	EXPECT_EQ(mb.alloc_limit, SV39_LOW_END);
	ASSERT_EQ(node_layout(&node, &mb, &lim), 0);
	EXPECT_EQ(node.node_end_pfn, SV39_LOW_END >> PAGE_SHIFT);
	EXPECT_EQ(node.node_present_pages, 0x20000000 >> PAGE_SHIFT);
	EXPECT_EQ(node.zones[ZONE_NORMAL].present_pages, 0x10000000 >> PAGE_SHIFT);
	EXPECT(memblock_alloc(&mb, 0x1000, 0x1000) < SV39_LOW_END);
}

KTEST_SUITE(memblock,
	KTEST_CASE(add_merges_overlapping_adjacent_duplicate),
	KTEST_CASE(one_insert_merges_many),
	KTEST_CASE(disjoint_inserts_keep_order),
	KTEST_CASE(rejects_empty_and_wrapping),
	KTEST_CASE(full_table_is_enospc_and_intact),
	KTEST_CASE(nomap_ranges_are_reserved_and_listed),
	KTEST_CASE(lookups_at_the_edges),
	KTEST_CASE(next_free_is_memory_minus_reserved),
	KTEST_CASE(next_free_resumes_from_cursor),
	KTEST_CASE(alloc_is_top_down_and_reserves),
	KTEST_CASE(alloc_honours_alignment),
	KTEST_CASE(alloc_respects_limit),
	KTEST_CASE(alloc_skips_reserved_and_never_returns_zero),
	KTEST_CASE(alloc_range_is_top_down_within_the_window),
	KTEST_CASE(random_operations_match_model),
	KTEST_CASE(check_finds_broken_tables),
	KTEST_CASE(add_dt_two_banks),
	KTEST_CASE(add_dt_resmem_middle),
	KTEST_CASE(add_dt_memreserve),
	KTEST_CASE(add_dt_virt_and_multi_reg),
	KTEST_CASE(alloc_uses_mapped_pages_only),
	KTEST_CASE(report_unusable_names_partial_pages),
	KTEST_CASE(limit_memory_drops_ram_above),
	KTEST_CASE(from_dt_leaves_out_ram_above_256g));
