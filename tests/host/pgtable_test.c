/*
 * pgtable_test.c - host tests of the Sv39 page-table code (mm/pgtable.c)
 * over fake RAM (suite "pgtable").
 *
 * Table pages come from a fake-RAM node (tests/host/fakeram.h) and are
 * reached through phys_to_virt, exactly as on the target; the addresses
 * mapped are never touched, so any virtual and physical address can be
 * used. Every case checks the tables it caused against an independent walk
 * of the tree (count_tables): each table page is typed PGTY_PAGETABLE, holds
 * one reference, and their number is pt.nr_table_pages and exactly what the
 * page allocator lost.
 */
#include <stdlib.h>
#include <string.h>

#include <tests/ktest.h>
#include <mm/mm.h>
#include <mm/mmzone.h>
#include <mm/pgtable.h>
#include "fakeram.h"

/* Constants, not macros: a failed EXPECT_EQ prints its arguments as written. */
static const u64 MiB = 1ull << 20, GiB = 1ull << 30;
static const u64 SZ_4K = PAGE_SIZE, SZ_2M = LEVEL_SIZE(1), SZ_1G = LEVEL_SIZE(2);
static const u64 RW = PAGE_KERNEL, RO = PAGE_KERNEL_RO;
static const u64 UNMAPPED = ~0ull;
#define RAM 0x80000000ull

static const struct zone_limits lim_4g = { 0, (unsigned long)((1ull << 32) >> PAGE_SHIFT), false };

static pte_t *table_of(u64 pa)
{
	return phys_to_virt(pa);
}

/*
 * Walk the whole tree from the root: count the table pages and every leaf
 * per level; report (once) a table page that is not an allocated,
 * PGTY_PAGETABLE page with one reference, or a non-leaf entry at level 0.
 */
struct tree_count {
	unsigned long tables, leaves[PT_LEVELS], bad;
};

static void count_level(struct ktest *t, u64 table_pa, int level, struct tree_count *c)
{
	struct page *pg = virt_to_page(table_of(table_pa));
	const pte_t *table = table_of(table_pa);

	c->tables++;
	if (!pg || page_type(pg) != PGTY_PAGETABLE || page_count(pg) != 1 || PageBuddy(pg)) {
		if (c->bad++ == 0)
			ktest_fail(t, __FILE__, __LINE__,
				   "table page at 0x%llx: type %d, count %d (want PGTY_PAGETABLE, 1)",
				   (unsigned long long)table_pa, pg ? (int)page_type(pg) : -1,
				   pg ? page_count(pg) : -1);
	}
	for (int i = 0; i < PTRS_PER_PT; i++) {
		pte_t e = table[i];

		if (!(e & PTE_V))
			continue;
		if (pte_leaf(e)) {
			c->leaves[level]++;
		} else if (level == 0) {
			if (c->bad++ == 0)
				ktest_fail(t, __FILE__, __LINE__, "non-leaf entry 0x%llx at level 0",
					   (unsigned long long)e);
		} else {
			count_level(t, pte_pa(e), level - 1, c);
		}
	}
}

static struct tree_count count_tables(struct ktest *t, const struct pgtable *pt)
{
	struct tree_count c;

	memset(&c, 0, sizeof(c));
	count_level(t, pt->root_pa, PT_LEVELS - 1, &c);
	return c;
}

/* The tree agrees with pt's count and with what the allocator handed out
 * since @free0 (the free page count before pgtable_init). */
static void expect_tables(struct ktest *t, const struct pgtable *pt, unsigned long free0,
			  unsigned long want_tables)
{
	struct tree_count c = count_tables(t, pt);

	EXPECT_EQ(c.tables, want_tables);
	EXPECT_EQ(pt->nr_table_pages, want_tables);
	EXPECT_EQ(nr_free_pages(), free0 - want_tables);
	EXPECT_EQ(c.bad, 0);
}

/* The level of the leaf mapping @va (-1: none). */
static int level_of(const struct pgtable *pt, u64 va)
{
	int level;

	pgtable_walk(pt, va, &level);
	return level;
}

/* A fake-RAM node of 16 MiB and an empty table on it. */
static struct fakeram *setup(struct ktest *t, struct pgtable *pt, unsigned long *free0)
{
	struct fakeram *fr = fakeram_simple(RAM, 16 * MiB, &lim_4g);

	if (!fr)
		return NULL;
	*free0 = nr_free_pages();
	if (pgtable_init(pt)) {
		ktest_fail(t, __FILE__, __LINE__, "pgtable_init failed");
		fakeram_done(fr);
		return NULL;
	}
	return fr;
}

/* ---- an empty table -------------------------------------------------------- */

static void init_allocates_a_zeroed_root(struct ktest *t)
{
	struct pgtable pt;
	unsigned long free0;
	struct fakeram *fr = setup(t, &pt, &free0);
	const pte_t *root;
	int level = 7, nonzero = 0;

	ASSERT(fr != NULL);
	expect_tables(t, &pt, free0, 1);
	EXPECT(IS_ALIGNED(pt.root_pa, PAGE_SIZE));
	EXPECT(fakeram_covers(fr, pt.root_pa, PAGE_SIZE));
	root = table_of(pt.root_pa);
	for (int i = 0; i < PTRS_PER_PT; i++)
		nonzero += root[i] != 0;
	EXPECT_EQ(nonzero, 0);
	EXPECT_EQ(pgtable_walk(&pt, 0x80000000, &level), 0);
	EXPECT_EQ(level, -1);
	EXPECT_EQ(pgtable_translate(&pt, 0), UNMAPPED);
	EXPECT_EQ(pgtable_translate(&pt, VMALLOC_START), UNMAPPED);
	fakeram_done(fr);
}

/* With no page left, pgtable_init says so. */
static void init_without_memory_fails(struct ktest *t)
{
	struct fakeram *fr = fakeram_simple(RAM, 16 * MiB, &lim_4g);
	struct page *held = NULL, *p;
	struct fr_capture cap;
	struct pgtable pt;
	char out[512];

	ASSERT(fr != NULL);
	while ((p = alloc_page(GFP_ATOMIC | __GFP_NOWARN)) != NULL) {
		p->priv = (unsigned long)held;
		held = p;
	}
	fr_capture_start(&cap);
	EXPECT_EQ(pgtable_init(&pt), -ENOMEM);
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT_EQ(fr_count_substr(out, "page allocation failure: order:0"), 1);
	EXPECT_EQ(pt.root_pa, 0);
	EXPECT_EQ(pt.nr_table_pages, 0);
	fakeram_done(fr);
}

/* ---- page sizes chosen by alignment ------------------------------------------ */

/*
 * [0x3fbff000, 0x80601000) mapped to itself: one 4 KiB page up to the
 * first 2 MiB boundary, two 2 MiB pages up to 1 GiB, one 1 GiB page, three
 * 2 MiB pages, one 4 KiB page. Tables: the root, a level-1 table for each
 * of the GiB 0 and 2, a level-0 table for each end.
 */
#define MIX_START 0x3fbff000ull
#define MIX_END 0x80601000ull

static void large_pages_by_alignment(struct ktest *t)
{
	struct pgtable pt;
	unsigned long free0;
	struct fakeram *fr = setup(t, &pt, &free0);
	struct tree_count c;

	ASSERT(fr != NULL);
	ASSERT_EQ(pgtable_map(&pt, MIX_START, MIX_START, MIX_END - MIX_START, RW, 2), 0);
	EXPECT_EQ(level_of(&pt, 0x3fbff000), 0);
	EXPECT_EQ(level_of(&pt, 0x3fc00000), 1);
	EXPECT_EQ(level_of(&pt, 0x3fe00000), 1);
	EXPECT_EQ(level_of(&pt, 0x40000000), 2);
	EXPECT_EQ(level_of(&pt, 0x7fffffff), 2);
	EXPECT_EQ(level_of(&pt, 0x80000000), 1);
	EXPECT_EQ(level_of(&pt, 0x80400000), 1);
	EXPECT_EQ(level_of(&pt, 0x80600000), 0);
	EXPECT_EQ(level_of(&pt, 0x3fbfe000), -1);
	EXPECT_EQ(level_of(&pt, 0x80601000), -1);
	c = count_tables(t, &pt);
	EXPECT_EQ(c.leaves[2], 1);
	EXPECT_EQ(c.leaves[1], 5);
	EXPECT_EQ(c.leaves[0], 2);
	expect_tables(t, &pt, free0, 5);
	fakeram_done(fr);
}

/* max_level caps the page size: 1 -> no 1 GiB page, 0 -> 4 KiB only. */
static void max_level_caps_page_size(struct ktest *t)
{
	struct pgtable pt;
	unsigned long free0;
	struct fakeram *fr = setup(t, &pt, &free0);
	struct tree_count c;

	ASSERT(fr != NULL);
	ASSERT_EQ(pgtable_map(&pt, MIX_START, MIX_START, MIX_END - MIX_START, RW, 1), 0);
	c = count_tables(t, &pt);
	EXPECT_EQ(c.leaves[2], 0);
	EXPECT_EQ(c.leaves[1], (0x80600000 - 0x3fc00000) / SZ_2M);
	EXPECT_EQ(c.leaves[0], 2);
	EXPECT_EQ(level_of(&pt, 0x40000000), 1);
	/* root, level-1 tables for GiB 0, 1, 2, level-0 tables at both ends */
	expect_tables(t, &pt, free0, 6);

	/* 4 KiB only, 2 MiB + 8 KiB at a 1 GiB boundary of GiB 4. */
	ASSERT_EQ(pgtable_map(&pt, 4 * GiB, 4 * GiB, SZ_2M + 2 * SZ_4K, RW, 0), 0);
	c = count_tables(t, &pt);
	EXPECT_EQ(c.leaves[0], 2 + 512 + 2);
	EXPECT_EQ(c.leaves[1], (0x80600000 - 0x3fc00000) / SZ_2M);
	EXPECT_EQ(level_of(&pt, 4 * GiB), 0);
	EXPECT_EQ(level_of(&pt, 4 * GiB + SZ_2M + SZ_4K), 0);
	EXPECT_EQ(level_of(&pt, 4 * GiB + SZ_2M + 2 * SZ_4K), -1);
	expect_tables(t, &pt, free0, 6 + 1 + 2); /* level 1 for GiB 4, two level-0 */
	fakeram_done(fr);
}

/* The virtual and the physical address must both be aligned, and the size
 * must reach, for a large page. */
static void alignment_of_both_addresses_counts(struct ktest *t)
{
	struct pgtable pt;
	unsigned long free0;
	struct fakeram *fr = setup(t, &pt, &free0);

	ASSERT(fr != NULL);
	/* va 1 GiB aligned, pa only 2 MiB aligned: 2 MiB pages. */
	ASSERT_EQ(pgtable_map(&pt, 8 * GiB, 0x80200000, SZ_1G, RW, 2), 0);
	EXPECT_EQ(level_of(&pt, 8 * GiB), 1);
	EXPECT_EQ(level_of(&pt, 9 * GiB - 1), 1);
	EXPECT_EQ(pgtable_translate(&pt, 9 * GiB - 1), 0x80200000 + SZ_1G - 1);
	/* va 2 MiB aligned, pa only 4 KiB aligned: 4 KiB pages. */
	ASSERT_EQ(pgtable_map(&pt, 10 * GiB, 0x80001000, SZ_2M, RW, 2), 0);
	EXPECT_EQ(level_of(&pt, 10 * GiB), 0);
	EXPECT_EQ(level_of(&pt, 10 * GiB + SZ_2M - SZ_4K), 0);
	/* pa 1 GiB aligned, va 4 KiB aligned: 4 KiB pages up to va's 2 MiB
	 * boundary... where pa is 4 KiB off: 4 KiB pages all the way. */
	ASSERT_EQ(pgtable_map(&pt, 11 * GiB + SZ_4K, 2 * GiB, 4 * SZ_4K, RW, 2), 0);
	EXPECT_EQ(level_of(&pt, 11 * GiB + SZ_4K), 0);
	/* Both aligned but the size is one page short of 2 MiB: 4 KiB pages. */
	ASSERT_EQ(pgtable_map(&pt, 12 * GiB, 12 * GiB, SZ_2M - SZ_4K, RW, 2), 0);
	EXPECT_EQ(level_of(&pt, 12 * GiB), 0);
	EXPECT_EQ(level_of(&pt, 12 * GiB + SZ_2M - SZ_4K), -1);
	/* Misaligned arguments are refused and change nothing. */
	EXPECT_EQ(pgtable_map(&pt, 13 * GiB + 8, 0, SZ_4K, RW, 2), -EINVAL);
	EXPECT_EQ(pgtable_map(&pt, 13 * GiB, 0x80000100, SZ_4K, RW, 2), -EINVAL);
	EXPECT_EQ(pgtable_map(&pt, 13 * GiB, 0, 100, RW, 2), -EINVAL);
	EXPECT_EQ(level_of(&pt, 13 * GiB), -1);
	/* root; level 1 for GiB 8, 10, 11, 12; level 0 for each of 10, 11, 12 */
	expect_tables(t, &pt, free0, 1 + 4 + 3);
	fakeram_done(fr);
}

/* ---- translation ---------------------------------------------------------------- */

/*
 * An upper-half range (the vmalloc area) over 4 KiB, 2 MiB and 1 GiB pages
 * translates page by page (and at an odd byte of each page) to the physical
 * range; the entries carry the protection asked for; just outside, nothing.
 */
static void translate_every_mapped_page(struct ktest *t)
{
	const u64 va = VMALLOC_START + SZ_1G - SZ_2M - 3 * SZ_4K;
	const u64 pa = 0x200000000ull + SZ_1G - SZ_2M - 3 * SZ_4K;
	const u64 size = 3 * SZ_4K + SZ_2M + SZ_1G + 3 * SZ_2M + 5 * SZ_4K;
	struct pgtable pt;
	unsigned long free0, bad = 0, pages = 0;
	struct fakeram *fr = setup(t, &pt, &free0);
	struct tree_count c;

	ASSERT(fr != NULL);
	ASSERT_EQ(pgtable_map(&pt, va, pa, size, RO, 2), 0);
	for (u64 off = 0; off < size; off += SZ_4K, pages++) {
		u64 odd = (off / SZ_4K * 8 + 3) & (SZ_4K - 1);
		int level;
		pte_t e = pgtable_walk(&pt, va + off, &level);

		if (pgtable_translate(&pt, va + off) != pa + off ||
		    pgtable_translate(&pt, va + off + odd) != pa + off + odd ||
		    (e & ~(~0ull << PTE_PPN_SHIFT)) != RO ||
		    pte_pa(e) != ALIGN_DOWN(pa + off, LEVEL_SIZE(level))) {
			if (bad++ == 0)
				ktest_fail(t, __FILE__, __LINE__,
					   "va 0x%llx: translates to 0x%llx, entry 0x%llx, level %d",
					   (unsigned long long)(va + off),
					   (unsigned long long)pgtable_translate(&pt, va + off),
					   (unsigned long long)e, level);
		}
	}
	EXPECT_EQ(bad, 0);
	EXPECT_EQ(pages, size / SZ_4K);
	EXPECT_EQ(pgtable_translate(&pt, va - 1), UNMAPPED);
	EXPECT_EQ(pgtable_translate(&pt, va + size), UNMAPPED);
	EXPECT_EQ(level_of(&pt, va + 3 * SZ_4K), 1);
	EXPECT_EQ(level_of(&pt, va + 3 * SZ_4K + SZ_2M), 2);
	c = count_tables(t, &pt);
	EXPECT_EQ(c.leaves[0], 8);
	EXPECT_EQ(c.leaves[1], 4);
	EXPECT_EQ(c.leaves[2], 1);
	/* Sv39 indexes the root with va bits 38..30: the vmalloc area starts
	 * at entry 256. */
	EXPECT(table_of(pt.root_pa)[256] & PTE_V);
	EXPECT(!pte_leaf(table_of(pt.root_pa)[256]));
	/* root; level 1 for the first and last GiB; level 0 at both ends */
	expect_tables(t, &pt, free0, 5);
	fakeram_done(fr);
}

/*
 * The memory types of T-Head's MAEE harts (pgtable_set_memory_types): every
 * leaf of a memory mapping carries C | B | SH in bits 63..59 and every leaf
 * of a PTE_DEVICE mapping SO | SH, at each page size; table entries carry
 * none; the address read back (pte_pa, pgtable_translate) is the PPN alone.
 * With the types zero (the default) no leaf has any of those bits.
 */
static void memory_types_on_leaves_only(struct ktest *t)
{
	struct pgtable pt;
	unsigned long free0;
	struct fakeram *fr = setup(t, &pt, &free0);
	const u64 dev = 0x10000000, dev_size = 3 * SZ_2M;
	unsigned long bad = 0;

	ASSERT(fr != NULL);
	pgtable_set_memory_types(PTE_THEAD_MEMORY, PTE_THEAD_IO);
	ASSERT_EQ(pgtable_map(&pt, MIX_START, MIX_START, MIX_END - MIX_START, RW, 2), 0);
	ASSERT_EQ(pgtable_map(&pt, dev, dev, dev_size, RW | PTE_DEVICE, 1), 0);
	for (u64 va = MIX_START; va < MIX_END; va += SZ_4K) {
		int level;
		pte_t e = pgtable_walk(&pt, va, &level);

		if (((e & PTE_TYPE_MASK) != PTE_THEAD_MEMORY || (e & PTE_DEVICE) ||
		     pgtable_translate(&pt, va) != va) && bad++ == 0)
			ktest_fail(t, __FILE__, __LINE__, "memory va 0x%llx: entry 0x%llx",
				   (unsigned long long)va, (unsigned long long)e);
	}
	for (u64 va = dev; va < dev + dev_size; va += SZ_4K) {
		int level;
		pte_t e = pgtable_walk(&pt, va, &level);

		if (((e & PTE_TYPE_MASK) != PTE_THEAD_IO || !(e & PTE_DEVICE) || level != 1 ||
		     pte_pa(e) != ALIGN_DOWN(va, SZ_2M)) && bad++ == 0)
			ktest_fail(t, __FILE__, __LINE__, "device va 0x%llx: entry 0x%llx, level %d",
				   (unsigned long long)va, (unsigned long long)e, level);
	}
	EXPECT_EQ(bad, 0);
	/* the root's table entries: no type bits */
	for (int i = 0; i < PTRS_PER_PT; i++) {
		pte_t e = table_of(pt.root_pa)[i];

		if ((e & PTE_V) && !pte_leaf(e))
			EXPECT_EQ(e & PTE_TYPE_MASK, 0);
	}
	pgtable_set_memory_types(0, 0);
	pgtable_unmap(&pt, 0x80600000, SZ_4K);
	ASSERT_EQ(pgtable_map(&pt, 0x80600000, 0x80600000, SZ_4K, RW, 0), 0);
	EXPECT_EQ(pgtable_walk(&pt, 0x80600000, &(int){ 0 }) & PTE_TYPE_MASK, 0);
	EXPECT_EQ(pgtable_translate(&pt, 0x80600123), 0x80600123);
	fakeram_done(fr);
}

/* ---- overlaps --------------------------------------------------------------------- */

/* A page already mapped: -EEXIST, the old entry is kept; a range that runs
 * into one keeps the pages mapped before the collision. */
static void eexist_on_4k_overlap(struct ktest *t)
{
	const u64 x = 0x90004000; /* x - 8K .. x + 8K: one level-0 table */
	struct pgtable pt;
	unsigned long free0;
	struct fakeram *fr = setup(t, &pt, &free0);

	ASSERT(fr != NULL);
	ASSERT_EQ(pgtable_map(&pt, x, 0x80001000, SZ_4K, RW, 2), 0);
	EXPECT_EQ(pgtable_map(&pt, x, 0x80002000, SZ_4K, RO, 2), -EEXIST);
	EXPECT_EQ(pgtable_translate(&pt, x), 0x80001000);
	EXPECT_EQ(pgtable_walk(&pt, x, &(int){ 0 }), pfn_pte(0x80001000, RW));
	/* [x - 8K, x + 8K): two pages map, the third collides, the fourth is
	 * never reached. */
	EXPECT_EQ(pgtable_map(&pt, x - 2 * SZ_4K, 0x80010000, 4 * SZ_4K, RW, 2), -EEXIST);
	EXPECT_EQ(pgtable_translate(&pt, x - 2 * SZ_4K), 0x80010000);
	EXPECT_EQ(pgtable_translate(&pt, x - SZ_4K), 0x80011000);
	EXPECT_EQ(pgtable_translate(&pt, x), 0x80001000);
	EXPECT_EQ(pgtable_translate(&pt, x + SZ_4K), UNMAPPED);
	expect_tables(t, &pt, free0, 3);
	fakeram_done(fr);
}

/* A small page inside a large one, and a large page over smaller ones
 * (or over a table): -EEXIST, no table created, nothing changed. */
static void eexist_on_large_page_overlap(struct ktest *t)
{
	const u64 g = 4 * GiB, m = 0x90000000; /* a 1 GiB page, a 2 MiB page */
	struct pgtable pt;
	unsigned long free0;
	struct fakeram *fr = setup(t, &pt, &free0);
	pte_t big, mid;

	ASSERT(fr != NULL);
	ASSERT_EQ(pgtable_map(&pt, g, g, SZ_1G, RW, 2), 0);
	ASSERT_EQ(pgtable_map(&pt, m, m, SZ_2M, RW, 2), 0);
	ASSERT_EQ(level_of(&pt, g), 2);
	ASSERT_EQ(level_of(&pt, m), 1);
	big = pgtable_walk(&pt, g, &(int){ 0 });
	mid = pgtable_walk(&pt, m, &(int){ 0 });
	expect_tables(t, &pt, free0, 2);

	/* 4 KiB and 2 MiB inside the 1 GiB page, 4 KiB inside the 2 MiB one. */
	EXPECT_EQ(pgtable_map(&pt, g + SZ_2M + SZ_4K, 0x80000000, SZ_4K, RW, 2), -EEXIST);
	EXPECT_EQ(pgtable_map(&pt, g + 4 * SZ_2M, 0x80000000, SZ_2M, RW, 2), -EEXIST);
	EXPECT_EQ(pgtable_map(&pt, m + 5 * SZ_4K, 0x80000000, SZ_4K, RW, 2), -EEXIST);
	/* A 2 MiB request that only gets 4 KiB pages (pa misaligned). */
	EXPECT_EQ(pgtable_map(&pt, m, 0x80001000, SZ_2M, RW, 2), -EEXIST);
	EXPECT_EQ(pgtable_walk(&pt, g + SZ_2M + SZ_4K, &(int){ 0 }), big);
	EXPECT_EQ(pgtable_walk(&pt, m + 5 * SZ_4K, &(int){ 0 }), mid);
	expect_tables(t, &pt, free0, 2);

	/* 1 GiB over the GiB holding the 2 MiB page (a table is there). */
	EXPECT_EQ(pgtable_map(&pt, 2 * GiB, 2 * GiB, SZ_1G, RW, 2), -EEXIST);
	EXPECT_EQ(level_of(&pt, 2 * GiB), -1);
	EXPECT_EQ(level_of(&pt, m), 1);

	/* 2 MiB over a 2 MiB region holding one 4 KiB page. */
	ASSERT_EQ(pgtable_map(&pt, 0xa0003000, 0x80003000, SZ_4K, RW, 2), 0);
	EXPECT_EQ(pgtable_map(&pt, 0xa0000000, 0x80000000, SZ_2M, RW, 2), -EEXIST);
	EXPECT_EQ(level_of(&pt, 0xa0000000), -1);
	EXPECT_EQ(pgtable_translate(&pt, 0xa0003000), 0x80003000);
	expect_tables(t, &pt, free0, 3);
	fakeram_done(fr);
}

/* ---- unmapping ---------------------------------------------------------------------- */

/* pgtable_unmap clears 4 KiB mappings only, keeps the tables, and the
 * pages can be mapped again. Unmapping where nothing is mapped creates no
 * table. */
static void unmap_clears_4k_pages(struct ktest *t)
{
	const u64 va = VMALLOC_START + 0x7ff000; /* the 16 pages straddle a 2 MiB boundary */
	struct pgtable pt;
	unsigned long free0;
	struct fakeram *fr = setup(t, &pt, &free0);

	ASSERT(fr != NULL);
	ASSERT_EQ(pgtable_map(&pt, va, 0x81000000, 16 * SZ_4K, RW, 2), 0);
	expect_tables(t, &pt, free0, 4);
	pgtable_unmap(&pt, va + 4 * SZ_4K, 4 * SZ_4K);
	for (int i = 0; i < 16; i++) {
		u64 want = i >= 4 && i < 8 ? UNMAPPED : 0x81000000 + (u64)i * SZ_4K;

		if (pgtable_translate(&pt, va + (u64)i * SZ_4K) != want)
			ktest_fail(t, __FILE__, __LINE__, "page %d: 0x%llx", i,
				   (unsigned long long)pgtable_translate(&pt, va + (u64)i * SZ_4K));
	}
	expect_tables(t, &pt, free0, 4); /* leaf tables stay */
	/* Mapped again, to other pages. */
	EXPECT_EQ(pgtable_map(&pt, va + 4 * SZ_4K, 0x82000000, 4 * SZ_4K, RW, 2), 0);
	EXPECT_EQ(pgtable_translate(&pt, va + 7 * SZ_4K), 0x82003000);
	/* Everything, twice. */
	pgtable_unmap(&pt, va, 16 * SZ_4K);
	pgtable_unmap(&pt, va, 16 * SZ_4K);
	for (int i = 0; i < 16; i++)
		EXPECT_EQ(level_of(&pt, va + (u64)i * SZ_4K), -1);
	/* Where no table exists: nothing is created. */
	pgtable_unmap(&pt, 0x100000000ull, 64 * SZ_4K);
	expect_tables(t, &pt, free0, 4);
	fakeram_done(fr);
}

/* As documented, unmap leaves a 2 MiB or 1 GiB mapping in place. */
static void unmap_keeps_large_pages(struct ktest *t)
{
	struct pgtable pt;
	unsigned long free0;
	struct fakeram *fr = setup(t, &pt, &free0);

	ASSERT(fr != NULL);
	ASSERT_EQ(pgtable_map(&pt, 0x80000000, 0x80000000, SZ_2M, RW, 2), 0);
	ASSERT_EQ(pgtable_map(&pt, 4 * GiB, 4 * GiB, SZ_1G, RW, 2), 0);
	pgtable_unmap(&pt, 0x80000000, SZ_2M);
	pgtable_unmap(&pt, 4 * GiB, 4 * SZ_4K);
	EXPECT_EQ(level_of(&pt, 0x80000000), 1);
	EXPECT_EQ(level_of(&pt, 4 * GiB), 2);
	expect_tables(t, &pt, free0, 2);
	fakeram_done(fr);
}

/* ---- out of memory ----------------------------------------------------------------------- */

/* With the allocator empty a map that needs a table fails with -ENOMEM;
 * one into an existing table still works; the count stays exact. */
static void enomem_when_no_table_page(struct ktest *t)
{
	struct pgtable pt;
	unsigned long free0, n = 0;
	struct fakeram *fr = setup(t, &pt, &free0);
	struct page *held = NULL, *p;
	struct fr_capture cap;
	char out[512];

	ASSERT(fr != NULL);
	ASSERT_EQ(pgtable_map(&pt, VMALLOC_START, 0x80000000, SZ_4K, RW, 2), 0);
	while ((p = alloc_page(GFP_ATOMIC | __GFP_NOWARN)) != NULL) {
		p->priv = (unsigned long)held;
		held = p;
		n++;
	}
	fr_capture_start(&cap);
	EXPECT_EQ(pgtable_map(&pt, VMALLOC_START + SZ_1G, 0x80000000, SZ_4K, RW, 2), -ENOMEM);
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT_EQ(fr_count_substr(out, "page allocation failure: order:0"), 1);
	EXPECT_EQ(pgtable_map(&pt, VMALLOC_START + SZ_4K, 0x80001000, SZ_4K, RW, 2), 0);
	/* A level-1 entry needs no new table below the root's existing one. */
	EXPECT_EQ(pgtable_map(&pt, VMALLOC_START + SZ_2M, 0x80200000, SZ_2M, RW, 2), 0);
	EXPECT_EQ(pgtable_translate(&pt, VMALLOC_START + SZ_1G), UNMAPPED);
	EXPECT_EQ(pgtable_translate(&pt, VMALLOC_START + SZ_4K), 0x80001000);
	while (held) {
		p = held;
		held = (struct page *)p->priv;
		p->priv = 0;
		__free_pages(p, 0);
		n--;
	}
	EXPECT_EQ(n, 0);
	expect_tables(t, &pt, free0, 3);
	fakeram_done(fr);
}

/* ---- a random model --------------------------------------------------------------------- */

/*
 * Random 4 KiB maps and unmaps over a 64-page window spanning two level-0
 * tables, checked against a shadow after every step: a map succeeds exactly
 * when none of its pages is mapped before the collision point, and
 * translate always agrees with the shadow.
 */
#define WIN_PAGES 64

static void random_model(struct ktest *t)
{
	const u64 base = VMALLOC_START + SZ_2M - 32 * SZ_4K;
	u64 shadow[WIN_PAGES], rng = 0x9e3779b97f4a7c15ull;
	struct pgtable pt;
	unsigned long free0, bad = 0;
	struct fakeram *fr = setup(t, &pt, &free0);

	ASSERT(fr != NULL);
	for (int i = 0; i < WIN_PAGES; i++)
		shadow[i] = UNMAPPED;
	for (int step = 0; step < 4000 && !bad; step++) {
		u64 x = fr_rand(&rng);
		int first = (int)(x % WIN_PAGES), n = 1 + (int)((x >> 8) % 6);
		u64 pa = 0x80000000 + ((x >> 16) % 4096) * SZ_4K;

		if (first + n > WIN_PAGES)
			n = WIN_PAGES - first;
		if (x & (1ull << 40)) {
			int rc = pgtable_map(&pt, base + (u64)first * SZ_4K, pa, (u64)n * SZ_4K,
					     RW, 2);
			int want = 0;

			for (int i = first; i < first + n; i++) {
				if (shadow[i] != UNMAPPED) {
					want = -EEXIST;
					break;
				}
				shadow[i] = pa + (u64)(i - first) * SZ_4K;
			}
			if (rc != want && bad++ == 0)
				ktest_fail(t, __FILE__, __LINE__, "step %d: map returned %d, want %d",
					   step, rc, want);
		} else {
			pgtable_unmap(&pt, base + (u64)first * SZ_4K, (u64)n * SZ_4K);
			for (int i = first; i < first + n; i++)
				shadow[i] = UNMAPPED;
		}
		for (int i = 0; i < WIN_PAGES; i++)
			if (pgtable_translate(&pt, base + (u64)i * SZ_4K) != shadow[i] && bad++ == 0)
				ktest_fail(t, __FILE__, __LINE__, "step %d: page %d translates wrong",
					   step, i);
	}
	EXPECT_EQ(bad, 0);
	expect_tables(t, &pt, free0, 4);
	fakeram_done(fr);
}

KTEST_SUITE(pgtable,
	KTEST_CASE(init_allocates_a_zeroed_root),
	KTEST_CASE(init_without_memory_fails),
	KTEST_CASE(large_pages_by_alignment),
	KTEST_CASE(max_level_caps_page_size),
	KTEST_CASE(alignment_of_both_addresses_counts),
	KTEST_CASE(translate_every_mapped_page),
	KTEST_CASE(memory_types_on_leaves_only),
	KTEST_CASE(eexist_on_4k_overlap),
	KTEST_CASE(eexist_on_large_page_overlap),
	KTEST_CASE(unmap_clears_4k_pages),
	KTEST_CASE(unmap_keeps_large_pages),
	KTEST_CASE(enomem_when_no_table_page),
	KTEST_CASE(random_model));
