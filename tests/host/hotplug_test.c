/*
 * hotplug_test.c - host tests (suite "hotplug"): memory hotplug
 * (node_add_memory, mm/hotplug.c) and page runs beyond MAX_ORDER
 * (alloc_contig_pages / free_contig_range, mm/page_alloc.c), which
 * build/librvmm-malloc.so grows its heap and serves big requests with.
 *
 * A node of 8 MiB at 4 GiB (ZONE_NORMAL) planned up to 64 MiB with a
 * zeroed vmemmap grows by 24 MiB: exactly those pages become free, the
 * checker finds nothing, the zone spans the new end, struct pages beyond
 * it stay untouched (zero), and bad adds are refused. Runs: 1500 pages come
 * as aligned blocks (order 10, then 8, 7, 6, 4, 3, 2), exactly 1500 pages
 * leave the free count and come back, a second free is reported, an
 * alignment of 4096 pages holds, __GFP_ZERO clears, too big a run is NULL;
 * runs whose last pages were freed to a per-hart list can be taken again
 * (the per-hart lists are drained before a run request fails); a run goes
 * to the lowest free place that fits; a run grows in place into free pages
 * past it (extend_contig_range) and not into a run that follows it; a run
 * is one request to fail_page_alloc and wakes kswapd below the low mark;
 * page_owner's records, made before the node grows, cover the pages added.
 */
#include <stdlib.h>
#include <string.h>

#include <mm/fault_inject.h>
#include <mm/memblock.h>
#include <mm/mm.h>
#include <mm/mmzone.h>
#include <mm/page_owner.h>
#include <mm/reclaim.h>
#include <lib/kstring.h>
#include <tests/ktest.h>
#include "fakeram.h"
#include "host.h"

#define BASE 0x100000000ull
#define SPAN (64ull << 20)
#define FIRST (8ull << 20)

static struct page *vmemmap;

/* A node over [BASE, BASE + first) planned for hotplug up to BASE + SPAN. */
static struct fakeram *hotplug_node(struct ktest *t, u64 first)
{
	struct fakeram *fr = fakeram_new(BASE, SPAN);

	vmemmap = calloc(SPAN >> PAGE_SHIFT, sizeof(struct page));
	if (!fr || !vmemmap) {
		ktest_fail(t, __FILE__, __LINE__, "no fake RAM");
		fakeram_done(fr);
		free(vmemmap);
		return NULL;
	}
	memblock_add(&fr->mb, BASE, first);
	fr->mb.hotplug_end = BASE + SPAN;
	fr->mb.vmemmap = vmemmap;
	if (fakeram_node_init(fr, &(struct zone_limits){ 0, (1ull << 32) >> PAGE_SHIFT, false })) {
		ktest_fail(t, __FILE__, __LINE__, "node_init failed");
		fakeram_done(fr);
		free(vmemmap);
		return NULL;
	}
	return fr;
}

static void hotplug_done(struct fakeram *fr)
{
	fakeram_done(fr);
	free(vmemmap);
}

static void grows_a_node(struct ktest *t)
{
	struct fakeram *fr = hotplug_node(t, FIRST);
	unsigned long before, added = (24ull << 20) >> PAGE_SHIFT;
	struct zone *z;

	if (!fr)
		return;
	z = &fr->node.zones[ZONE_NORMAL];
	before = node_free_pages_count(&fr->node);
	EXPECT_EQ(fr->node.hotplug_end_pfn, (BASE + SPAN) >> PAGE_SHIFT);
	EXPECT_EQ(node_add_memory(&fr->node, BASE + FIRST + PAGE_SIZE, 1 << 20), -EINVAL); /* a gap */
	EXPECT_EQ(node_add_memory(&fr->node, BASE + FIRST, SPAN), -EINVAL);             /* too far */
	EXPECT_EQ(node_add_memory(&fr->node, BASE + FIRST, 100), -EINVAL);              /* not pages */
	EXPECT_EQ(node_free_pages_count(&fr->node), before);
	ASSERT_EQ(node_add_memory(&fr->node, BASE + FIRST, 24ull << 20), 0);
	EXPECT_EQ(node_free_pages_count(&fr->node), before + added);
	EXPECT_EQ(z->spanned_pages, (FIRST + (24ull << 20)) >> PAGE_SHIFT);
	EXPECT_EQ(fr->node.node_end_pfn, (BASE + FIRST + (24ull << 20)) >> PAGE_SHIFT);
	EXPECT_EQ(node_check(&fr->node), 0);
	/* struct pages beyond the new end were never written */
	EXPECT(!memchr_inv(vmemmap + ((FIRST + (24ull << 20)) >> PAGE_SHIFT), 0,
			   ((SPAN - FIRST - (24ull << 20)) >> PAGE_SHIFT) * sizeof(struct page)));
	/* and the new pages are handed out: every max-order block of them */
	{
		struct page *held[16];
		int n = 0;

		while (n < 16 && (held[n] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_ORDER - 1)))
			n++;
		EXPECT_EQ(n >= 6, true); /* 32 MiB less the min watermark and the boot data */
		for (int i = 0; i < n; i++) {
			memset(page_address(held[i]), 0x5a, PAGE_SIZE << (MAX_ORDER - 1));
			__free_pages(held[i], MAX_ORDER - 1);
		}
	}
	EXPECT_EQ(node_check(&fr->node), 0);
	hotplug_done(fr);
}

static void contig_runs(struct ktest *t)
{
	struct fakeram *fr = hotplug_node(t, 32ull << 20);
	unsigned long before, pfn, bad;
	struct page *run;

	if (!fr)
		return;
	before = node_free_pages_count(&fr->node);
	run = alloc_contig_pages(1500, GFP_KERNEL, 0);
	ASSERT(run != NULL);
	pfn = page_to_pfn(run);
	EXPECT_EQ(pfn % MAX_ORDER_NR_PAGES, 0);
	EXPECT_EQ(node_free_pages_count(&fr->node), before - 1500);
	EXPECT_EQ(page_order(run), MAX_ORDER - 1);
	EXPECT_EQ(PageHead(pfn_to_page(pfn + 1024)) && page_order(pfn_to_page(pfn + 1024)) == 8, true);
	EXPECT_EQ(PageHead(pfn_to_page(pfn + 1496)) && page_order(pfn_to_page(pfn + 1496)) == 2, true);
	EXPECT_EQ(node_check(&fr->node), 0);
	memset(page_address(run), 0xa5, 1500 * PAGE_SIZE);
	free_contig_range(pfn, 1500);
	EXPECT_EQ(node_free_pages_count(&fr->node), before);
	EXPECT_EQ(node_check(&fr->node), 0);
	bad = fr->node.nr_bad_pages;
	free_contig_range(pfn, 1500); /* a second time: reported, nothing changes */
	EXPECT_EQ(fr->node.nr_bad_pages > bad, true);
	EXPECT_EQ(node_free_pages_count(&fr->node), before);

	run = alloc_contig_pages(10, GFP_KERNEL | __GFP_ZERO, 4096);
	ASSERT(run != NULL);
	EXPECT_EQ(page_to_pfn(run) % 4096, 0);
	EXPECT(!memchr_inv(page_address(run), 0, 10 * PAGE_SIZE));
	free_contig_range(page_to_pfn(run), 10);
	EXPECT_EQ(alloc_contig_pages(SPAN >> PAGE_SHIFT, GFP_KERNEL, 0) == NULL, true);
	EXPECT_EQ(alloc_contig_pages(2000, GFP_KERNEL, 1000) == NULL, true); /* not a power of two */
	EXPECT_EQ(node_free_pages_count(&fr->node), before);
	EXPECT_EQ(node_check(&fr->node), 0);
	hotplug_done(fr);
}

/* A run of 1025 pages frees its last page to this hart's per-hart list,
 * so the max-order block it came from cannot re-form there; a run request
 * that finds no free run drains the per-hart lists and tries again, so
 * the node holds as many runs after the frees as before (without the
 * drain: fewer each round, then none, with the node all but empty). */
static void contig_runs_after_frees(struct ktest *t)
{
	struct fakeram *fr = hotplug_node(t, 32ull << 20);
	unsigned long before, first = 0;
	struct page *held[16];

	if (!fr)
		return;
	before = node_free_pages_count(&fr->node);
	for (int round = 0; round < 4; round++) {
		unsigned long n = 0;

		while (n < 16 && (held[n] = alloc_contig_pages(1025, GFP_KERNEL, 0)) != NULL)
			n++;
		if (round == 0)
			first = n;
		EXPECT_EQ(n >= 2, true);
		EXPECT_EQ(n, first);
		for (unsigned long i = 0; i < n; i++)
			free_contig_range(page_to_pfn(held[i]), 1025);
		EXPECT_EQ(node_free_pages_count(&fr->node), before);
	}
	for (int i = 0; i < 40; i++) { /* one run at a time, never more than one live */
		struct page *run = alloc_contig_pages(1025, GFP_KERNEL, 0);

		EXPECT_EQ(run != NULL, true);
		if (!run)
			break;
		free_contig_range(page_to_pfn(run), 1025);
	}
	EXPECT_EQ(node_free_pages_count(&fr->node), before);
	EXPECT_EQ(node_check(&fr->node), 0);
	hotplug_done(fr);
}

/* Runs take the lowest free place that fits: two runs freed, the later
 * one higher, the next run goes to the lower (taking the first fit on the
 * max-order list, the later one's place, left the freed runs below it to
 * smaller requests and took a big aligned one ever higher, growing the
 * malloc library's heap at every round of the same requests). */
static void contig_runs_lowest_first(struct ktest *t)
{
	struct fakeram *fr = hotplug_node(t, 32ull << 20);
	struct page *x, *y, *z, *again;
	unsigned long before;

	if (!fr)
		return;
	before = node_free_pages_count(&fr->node);
	x = alloc_contig_pages(1024, GFP_KERNEL, 0);
	y = alloc_contig_pages(1024, GFP_KERNEL, 0);
	z = alloc_contig_pages(1024, GFP_KERNEL, 0);
	ASSERT(x && y && z);
	EXPECT_EQ(page_to_pfn(x) < page_to_pfn(y) && page_to_pfn(y) < page_to_pfn(z), true);
	free_contig_range(page_to_pfn(x), 1024);
	free_contig_range(page_to_pfn(z), 1024);
	again = alloc_contig_pages(1024, GFP_KERNEL, 0);
	EXPECT_EQ(again == x, true);
	free_contig_range(page_to_pfn(again), 1024);
	free_contig_range(page_to_pfn(y), 1024);
	EXPECT_EQ(node_free_pages_count(&fr->node), before);
	EXPECT_EQ(node_check(&fr->node), 0);
	hotplug_done(fr);
}

/* extend_contig_range: a run of 1025 pages grows into the free rest of its
 * last max-order block (to 1500: its blocks then those of a 1500-page run,
 * 475 pages fewer free) and to the block's end, but not into a run that
 * follows it (nothing changes); free_pages_at counts the free pages past
 * it; the grown run frees whole. */
static void contig_runs_grow_in_place(struct ktest *t)
{
	struct fakeram *fr = hotplug_node(t, 32ull << 20);
	unsigned long before, pfn;
	struct page *run, *next;

	if (!fr)
		return;
	before = node_free_pages_count(&fr->node);
	run = alloc_contig_pages(1025, GFP_KERNEL, 0);
	ASSERT(run != NULL);
	pfn = page_to_pfn(run);
	next = alloc_contig_pages(1024, GFP_KERNEL, 0);
	ASSERT(next != NULL);
	EXPECT_EQ(page_to_pfn(next), pfn + 2048); /* the next free place up */
	EXPECT_EQ(free_pages_at(pfn + 1025, 5000), 1023);
	EXPECT_EQ(free_pages_at(pfn + 1024, 5000), 0); /* allocated */
	memset(page_address(run), 0x3c, 1025 * PAGE_SIZE);
	EXPECT_EQ(extend_contig_range(pfn, 1025, 1500, GFP_KERNEL), true);
	EXPECT_EQ(node_free_pages_count(&fr->node), before - 1500 - 1024);
	EXPECT_EQ(PageHead(pfn_to_page(pfn + 1024)) && page_order(pfn_to_page(pfn + 1024)) == 8, true);
	EXPECT_EQ(PageHead(pfn_to_page(pfn + 1496)) && page_order(pfn_to_page(pfn + 1496)) == 2, true);
	EXPECT_EQ(PageHead(pfn_to_page(pfn + 1025)), false); /* the old tail's head is inside a block now */
	EXPECT_EQ(node_check(&fr->node), 0);
	EXPECT_EQ(extend_contig_range(pfn, 1500, 2049, GFP_KERNEL), false);
	EXPECT_EQ(extend_contig_range(pfn, 1500, 1500, GFP_KERNEL), false);
	EXPECT_EQ(node_free_pages_count(&fr->node), before - 1500 - 1024);
	EXPECT_EQ(extend_contig_range(pfn, 1500, 2048, GFP_KERNEL), true);
	EXPECT_EQ(page_order(pfn_to_page(pfn + 1024)), MAX_ORDER - 1);
	EXPECT_EQ(node_check(&fr->node), 0);
	EXPECT_EQ(((unsigned char *)page_address(run))[1025 * PAGE_SIZE - 1], 0x3c);
	free_contig_range(pfn, 2048);
	free_contig_range(page_to_pfn(next), 1024);
	EXPECT_EQ(node_free_pages_count(&fr->node), before);
	EXPECT_EQ(node_check(&fr->node), 0);
	hotplug_done(fr);
}

/* A run is one request to fail_page_alloc, of its order (1500 pages:
 * order 11), and one that leaves its zone below the low watermark wakes
 * background reclaim, as alloc_pages_fit's runs do. */
static void contig_runs_fault_inject_and_kswapd(struct ktest *t)
{
	struct fakeram *fr = hotplug_node(t, 32ull << 20);
	unsigned long before, wake0 = vm_events[KSWAPD_WAKEUP], nr, target;
	static struct page *held[1024];
	unsigned int n = 0;
	bool was_on;
	struct zone *z;
	struct page *run;

	if (!fr)
		return;
	node_drain_pages(&fr->node);
	before = node_free_pages_count(&fr->node);
	ASSERT_EQ(fault_inject_set(&fail_page_alloc, "1,verbose=0"), 0);
	EXPECT(alloc_contig_pages(1500, GFP_KERNEL, 0) == NULL);
	EXPECT_EQ(fail_page_alloc.failures, 1ul);
	run = alloc_contig_pages(1500, GFP_KERNEL | __GFP_NOFAIL, 0); /* never failed */
	ASSERT(run != NULL);
	free_contig_range(page_to_pfn(run), 1500);
	ASSERT_EQ(fault_inject_set(&fail_page_alloc, "1,order=3,verbose=0"), 0);
	run = alloc_contig_pages(1500, GFP_KERNEL, 0); /* another order */
	ASSERT(run != NULL);
	EXPECT_EQ(fail_page_alloc.failures, 0ul);
	fault_inject_clear(&fail_page_alloc);
	EXPECT_EQ(node_free_pages_count(&fr->node), before - 1500);
	free_contig_range(page_to_pfn(run), 1500);
	EXPECT_EQ(vm_events[KSWAPD_WAKEUP], wake0);

	/* Single pages from the one max-order block already cut (free blocks
	 * below order 10 go first) until seven whole blocks as a run leave the
	 * zone between its min and low marks. Background reclaim on, with no
	 * wakeup an earlier suite left pending. */
	was_on = mm_background_set(false);
	mm_background_set(true);
	wake0 = vm_events[KSWAPD_WAKEUP];
	z = &fr->node.zones[ZONE_NORMAL];
	nr = 7 * MAX_ORDER_NR_PAGES;
	target = (z->watermark[WMARK_LOW] + z->watermark[WMARK_MIN]) / 2;
	while (n < 1024 && z->free_pages > nr + target)
		held[n++] = alloc_pages(GFP_KERNEL, 0);
	ASSERT(n > 0 && n < 1024 && held[n - 1] != NULL);
	EXPECT_EQ(vm_events[KSWAPD_WAKEUP], wake0);
	run = alloc_contig_pages(nr, GFP_KERNEL, 0);
	ASSERT(run != NULL);
	EXPECT(z->free_pages < z->watermark[WMARK_LOW]);
	EXPECT_EQ(vm_events[KSWAPD_WAKEUP], wake0 + 1);
	free_contig_range(page_to_pfn(run), nr);
	while (n)
		__free_pages(held[--n], 0);
	kswapd_run(mem_node);
	mm_background_set(was_on);
	EXPECT_EQ(node_check(&fr->node), 0);
	hotplug_done(fr);
}

/* A run taken from a function of its own (the result goes out through a
 * pointer: no tail call). */
static KTEST_OWN_FRAME void owner_takes_run(unsigned long nr, struct page **res)
{
	*res = alloc_contig_pages(nr, GFP_KERNEL, 0);
}

/* page_owner switched on before the node grows: its records already cover
 * the pfns hotplug may add, so pages of memory added later are recorded. */
static void page_owner_covers_added_memory(struct ktest *t)
{
	struct fakeram *fr = hotplug_node(t, FIRST);
	unsigned long first_end = (BASE + FIRST) >> PAGE_SHIFT, pfn;
	struct page *run;

	if (!fr)
		return;
	ASSERT(page_owner_enable(&fr->node) == 0);
	ASSERT_EQ(node_add_memory(&fr->node, BASE + FIRST, 24ull << 20), 0);
	/* 6 MiB: more than the first 8 MiB has left, so it lies in added memory */
	owner_takes_run(1536, &run);
	ASSERT(run != NULL);
	pfn = page_to_pfn(run);
	EXPECT(pfn + 1536 > first_end);
	for (unsigned long i = 0; i < 1536; i++) {
		const struct page_owner_rec *r = page_owner_rec(&fr->node, pfn + i);

		ASSERT(r != NULL);
		EXPECT(r->caller > (unsigned long)owner_takes_run &&
		       r->caller - (unsigned long)owner_takes_run < 1024);
		EXPECT_EQ(r->flags, i ? 0 : PO_FIRST);
	}
	free_contig_range(pfn, 1536);
	page_owner_disable(&fr->node);
	EXPECT_EQ(node_check(&fr->node), 0);
	hotplug_done(fr);
}

KTEST_SUITE(hotplug, KTEST_CASE(grows_a_node), KTEST_CASE(contig_runs),
	    KTEST_CASE(contig_runs_after_frees), KTEST_CASE(contig_runs_lowest_first),
	    KTEST_CASE(contig_runs_grow_in_place), KTEST_CASE(contig_runs_fault_inject_and_kswapd),
	    KTEST_CASE(page_owner_covers_added_memory));
