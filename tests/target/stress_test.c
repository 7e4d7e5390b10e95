/*
 * stress_test.c - the stress run (mm/stress.c) as a ktest suite, "stress":
 * random mixed page, kmalloc, krealloc and kmem_cache operations on every
 * hart at once with content checks, on each kmalloc backend, and once with
 * memory nearly exhausted so that real allocation failures happen. Each
 * run must end with no error and every page back (stress.h says how that
 * is counted). make stress runs the same code 10 million operations long.
 */
#include <mm/fault_inject.h>
#include <boot/hart.h>
#include <mm/kmalloc.h>
#include <tests/ktest.h>
#include <lib/list.h>
#include <mm/mmzone.h>
#include <mm/slab.h>
#include <mm/vmalloc.h>
#include <mm/slob.h>
#include <tests/stress.h>

#define OPS 100000

/* With @pressure, allocations are expected to fail, and few to succeed. */
static void run_checked(struct ktest *t, unsigned long ops, u64 seed, bool pressure)
{
	struct stress_result r;

	ASSERT_EQ(stress_run(ops, seed, NULL, &r), 0);
	stress_print(&r);
	EXPECT_EQ(r.ops, ops);
	EXPECT_EQ(r.errors, 0);
	EXPECT_EQ(r.leaked_pages, 0);
	EXPECT_EQ(r.harts, nr_harts);
	EXPECT_EQ(r.allocs, r.frees);
	if (pressure) {
		EXPECT(r.alloc_failures > 0);
		EXPECT(r.allocs > 0);
		return;
	}
	EXPECT(r.allocs > ops / 4);
	EXPECT(r.reallocs > 0);
	if (nr_harts > 1)
		EXPECT(r.passes > 0);
}

static void mixed_on_all_harts(struct ktest *t)
{
	run_checked(t, OPS, 1, false);
}

static void mixed_with_the_other_backend(struct ktest *t)
{
	enum kmalloc_backend saved = kmalloc_backend;

	kmalloc_set_backend(saved == KMALLOC_SLAB ? KMALLOC_SLOB : KMALLOC_SLAB);
	run_checked(t, OPS, 2, false);
	kmalloc_set_backend(saved);
}

/* Held blocks are listed through their struct pages (lru, the order in
 * private), never touched: on an 8 GiB machine writing to every block
 * would make QEMU back all of guest RAM with host memory. */
static struct list_head held = LIST_HEAD_INIT(held);

static void hold(struct page *page, unsigned int order)
{
	page->priv = order;
	list_add(&page->lru, &held);
}

/* Free the most recently held block; its pages. */
static unsigned long release_one(void)
{
	struct page *page = list_first_entry(&held, struct page, lru);
	unsigned int order = (unsigned int)page->priv;

	list_del(&page->lru);
	page->priv = 0;
	__free_pages(page, order);
	return 1ul << order;
}

static void release_all(void)
{
	while (!list_empty(&held))
		release_one();
}

/* GFP_KERNEL pages left to the run: 512 KiB, less than one hart's live
 * objects at their peak (GFP_DMA32 and GFP_ATOMIC requests may also dip
 * into the reserves GFP_KERNEL leaves). */
#define KEEP_PAGES 128

/* Pages kmalloc's SLOB heaps hold: the kernel heap and the zone heaps
 * (GFP_DMA32 / GFP_DMA requests under kmalloc=slob), whose pages kept for
 * reuse the shrinker may give back under pressure. */
static unsigned long kmalloc_heaps_pages(void)
{
	unsigned long n = kmalloc_heap.nr_pages;

	for (unsigned int zt = 0; zt < KMALLOC_NR_ZONE_TYPES; zt++)
		if (kmalloc_zone_heap_of(zt))
			n += kmalloc_zone_heap_of(zt)->nr_pages;
	return n;
}

static void under_memory_pressure(struct ktest *t)
{
	unsigned long before, given = 0, meta0, meta, scans0, kheap0, busy0, busy;

	vmalloc_purge(); /* (vfree'd areas of earlier cases: the run's settling purges them) */
	node_drain_pages(mem_node);
	before = nr_free_pages();
	meta0 = slab_held_pages() - slab_pages;
	kheap0 = kmalloc_heaps_pages();
	busy0 = kmalloc_heap.nr_pages - slob_reuse_pages(&kmalloc_heap);
	for (int order = 9; order >= 0; order--) {
		struct page *p;

		while ((p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, (unsigned int)order)) != NULL)
			hold(p, (unsigned int)order);
	}
	/* Give back the last (smallest) blocks: KEEP_PAGES GFP_KERNEL can take. */
	while (!list_empty(&held) && given < KEEP_PAGES)
		given += release_one();
	scans0 = slab_shrinker.nr_scans;
	run_checked(t, OPS / 2, 3, true);
	if (!fail_page_alloc.active && !failslab.active)
		EXPECT(slab_shrinker.nr_scans > scans0); /* asked before each failure */
	release_all();
	node_drain_pages(mem_node);
	/* Every held block is back. Slab metadata (descriptors and magazines
	 * in their own SLOB heap, which keeps one empty page) may hold one page
	 * more, as the run's own leak count allows; kmalloc's SLOB heap (which
	 * slab=slob's caches share) may keep or give back the pages it keeps
	 * for reuse (its idle segfit page, its empty size page and the size
	 * pages only idle quarters hold: slob_reuse_pages; a bigblock's
	 * allocation gives them back; the zone heaps' too, through the
	 * shrinker), and its other pages may differ by the two they could
	 * before the quarters; nothing else may. */
	meta = slab_held_pages() - slab_pages - meta0;
	EXPECT(meta <= 1);
	busy = kmalloc_heap.nr_pages - slob_reuse_pages(&kmalloc_heap);
	EXPECT(busy <= busy0 + 2 && busy0 <= busy + 2);
	EXPECT_EQ(nr_free_pages() + meta + kmalloc_heaps_pages(), before + kheap0);
	EXPECT_EQ(node_check(mem_node), 0);
}

KTEST_SUITE(stress, KTEST_CASE(mixed_on_all_harts), KTEST_CASE(mixed_with_the_other_backend),
	    KTEST_CASE(under_memory_pressure));
