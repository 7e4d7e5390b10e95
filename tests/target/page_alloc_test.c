/*
 * page_alloc_test.c - the buddy allocator on the running kernel's own RAM:
 * exhaustion at every order, zeroing, zones and their fallbacks, bad frees,
 * all harts at once, the per-hart lists.
 *
 * Every case leaves memory exactly as it found it: it takes a snapshot
 * (per-hart lists drained, free pages, each zone's free pages and its count
 * of free blocks per order) and, after freeing what it allocated, expects the
 * same snapshot back and node_check() to find nothing. Merging is canonical
 * (a fully merged buddy state is unique for a set of free pages), so a missed
 * or wrong merge shows up as a different block count at some order. Cases
 * assume nothing else allocates meanwhile (the other harts idle).
 *
 * Blocks a case holds are chained through their head's page->lru (the
 * owner's list) and tagged in page->priv with their sequence number, so
 * exhausting 8 GiB needs no table. A block handed out twice would be linked
 * twice (the walk comes up short) and tagged twice (a tag is missing).
 * Blocks also carry a pattern in their first and last word, checked before
 * they are freed (on large machines, a sample: see block_is_deep).
 *
 * Cost: with -m 8G an order-0 exhaustion is 2M allocations; the heavy
 * checks (node_check, the snapshots) run once per phase.
 */
#include <boot/boot.h>
#include <drivers/console.h>
#include <boot/hart.h>
#include <lib/kstring.h>
#include <tests/ktest.h>
#include "ram_floor.h"
#include <mm/memblock.h>
#include <mm/mm_init.h>
#include <mm/mmzone.h>
#include <mm/page_owner.h>
#include <mm/port.h>
#include <mm/slab.h>

#define PFN_4G PHYS_PFN(1ull << 32)

static char out[1024];

static struct zone *zone(unsigned int zi)
{
	return &mem_node->zones[zi];
}

/* ASSERT for a case that holds blocks: record the failure, go free them. */
#define ASSERT_OR_OUT(cond)                                                     \
	do {                                                                    \
		if (!(cond)) {                                                  \
			ktest_fail(t, __FILE__, __LINE__, "ASSERT(%s)", #cond); \
			goto out;                                               \
		}                                                               \
	} while (0)

/* --- snapshots ------------------------------------------------------------ */

struct snapshot {
	unsigned long free; /* nr_free_pages() */
	unsigned long zone_free[MAX_NR_ZONES];
	unsigned long nr_free[MAX_NR_ZONES][MAX_ORDER];
};

static void take_snapshot(struct snapshot *s)
{
	/* Settle first: what the shrinkers would give back when memory runs
	 * out (this hart's magazines, free slabs) is given back now, so an
	 * exhaustion's count is exact. */
	run_shrinkers(GFP_KERNEL);
	node_drain_pages(mem_node);
	s->free = nr_free_pages();
	for (unsigned int zi = 0; zi < MAX_NR_ZONES; zi++) {
		s->zone_free[zi] = zone(zi)->free_pages;
		for (unsigned int o = 0; o < MAX_ORDER; o++)
			s->nr_free[zi][o] = zone(zi)->free_area[o].nr_free;
	}
}

/* Everything the case allocated is back: same counts, same shape, and the
 * checker is happy. */
static void expect_restored(struct ktest *t, const struct snapshot *before)
{
	struct snapshot now;

	take_snapshot(&now);
	EXPECT_EQ(now.free, before->free);
	for (unsigned int zi = 0; zi < MAX_NR_ZONES; zi++) {
		EXPECT_EQ(now.zone_free[zi], before->zone_free[zi]);
		for (unsigned int o = 0; o < MAX_ORDER; o++)
			if (now.nr_free[zi][o] != before->nr_free[zi][o])
				ktest_fail(t, __FILE__, __LINE__,
					   "zone %s order %u: %lu free blocks, %lu before",
					   zone(zi)->name, o, now.nr_free[zi][o],
					   before->nr_free[zi][o]);
	}
	EXPECT_EQ(node_check(mem_node), 0);
}

/* --- blocks held by a case ------------------------------------------------ */

static u64 mix(u64 x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ull;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dull;
	x ^= x >> 33;
	return x;
}

/* The word a block tagged @tag keeps at address @w. */
static u64 pattern(u64 tag, const u64 *w)
{
	return mix(tag * 0x9e3779b97f4a7c15ull + (uintptr_t)w);
}

static u64 *block_last_word(struct page *p, unsigned int order)
{
	return (u64 *)((char *)page_address(p) + (PAGE_SIZE << order)) - 1;
}

/*
 * Deep checks (a pattern in memory, memblock's view of the block) for every
 * block on machines up to 512 MiB; above that only for blocks lying in the
 * first 4 MiB (the largest block) of each 128 MiB section, the others get
 * the struct page checks alone. At -m 8G writing to every block would make
 * QEMU back all 8 GiB (in 2 MiB huge pages: one write per 2 MiB is enough)
 * and take seconds; this way it backs 256 MiB.
 */
#define DEEP_ALL_PAGES (512ul << (20 - PAGE_SHIFT))
#define DEEP_WINDOW_PAGES MAX_ORDER_NR_PAGES

static bool block_is_deep(unsigned long pfn, unsigned int order)
{
	return mem_node->node_present_pages <= DEEP_ALL_PAGES ||
	       (pfn & (PAGES_PER_SECTION - 1)) + (1ul << order) <= DEEP_WINDOW_PAGES;
}

static void block_fill(struct page *p, unsigned int order, u64 tag)
{
	u64 *first, *last;

	p->priv = tag;
	if (!block_is_deep(page_to_pfn(p), order))
		return;
	first = page_address(p);
	last = block_last_word(p, order);
	*first = pattern(tag, first);
	*last = pattern(tag, last);
}

/*
 * A held block of @order tagged @tag: an allocated head of that order with
 * one reference, naturally aligned, inside one zone; when deep, also RAM
 * that memblock never reserved, with its pattern intact. Returns NULL or
 * what is wrong.
 */
static const char *block_problem(struct page *p, unsigned int order, u64 tag)
{
	unsigned long n = 1ul << order, pfn;
	const struct zone *z;
	u64 *first, *last;

	if (p->priv != tag)
		return "tag differs (handed out twice, or the list is corrupt)";
	if (!PageHead(p) || PageBuddy(p) || PageReserved(p) || page_order(p) != order)
		return "not an allocated head of its order";
	if (page_count(p) != 1)
		return "reference count is not 1";
	pfn = page_to_pfn(p);
	if (!IS_ALIGNED(pfn, n))
		return "not aligned to its order";
	if (!pfn_valid(pfn) || !pfn_valid(pfn + n - 1))
		return "outside the memory map";
	z = zone(page_zonenum(p));
	if (!populated_zone(z) || pfn < z->zone_start_pfn || pfn + n > zone_end_pfn(z))
		return "outside its zone";
	if (!block_is_deep(pfn, order))
		return NULL;
	if (!memblock_is_memory(&memblock, PFN_PHYS(pfn)) ||
	    !memblock_is_memory(&memblock, PFN_PHYS(pfn + n) - 1))
		return "not RAM";
	if (memblock_is_reserved(&memblock, PFN_PHYS(pfn)) ||
	    memblock_is_reserved(&memblock, PFN_PHYS(pfn + n) - 1))
		return "memblock reserved it (firmware, kernel, DTB or memmap)";
	first = page_address(p);
	last = block_last_word(p, order);
	if (*first != pattern(tag, first) || *last != pattern(tag, last))
		return "pattern overwritten";
	return NULL;
}

/*
 * Take the @n blocks of @order off @head, tagged salt + 0, salt + 1, ... in
 * order: each must pass block_problem; free each. The list must hold
 * exactly @n. Reports the first problem.
 */
static void verify_and_free(struct ktest *t, struct list_head *head, unsigned long n,
			    unsigned int order, u64 salt)
{
	unsigned long i = 0, bad = 0;

	for (; i < n && !list_empty(head); i++) {
		struct page *p = list_first_entry(head, struct page, lru);
		const char *why = block_problem(p, order, salt + i);

		if (why && bad++ == 0)
			ktest_fail(t, __FILE__, __LINE__, "order %u block %lu (pfn 0x%lx): %s",
				   order, i, page_to_pfn(p), why);
		list_del(&p->lru);
		__free_pages(p, order);
	}
	EXPECT_EQ(i, n);
	EXPECT(list_empty(head));
	EXPECT_EQ(bad, 0);
}

/* Free (at most @n) blocks of @head at their allocated order. */
static void free_blocks(struct list_head *head, unsigned long n)
{
	while (n-- && !list_empty(head)) {
		struct page *p = list_first_entry(head, struct page, lru);

		list_del(&p->lru);
		__free_pages(p, page_order(p));
	}
}

/* --- 1. exhaustion at each order ------------------------------------------ */

#define EXHAUST_GFP (GFP_ATOMIC | __GFP_NOWARN)

/*
 * Allocate blocks of @order until the allocator says no. Then: the free
 * count dropped by exactly what was handed out; every zone refuses (its
 * watermark is reached, or only blocks smaller than @order are left, which
 * all existed before); a further attempt fails silently; the checker is
 * happy with memory full; every block is sound. Free all: back to before.
 */
static void exhaust_order(struct ktest *t, unsigned int order)
{
	const u64 salt = 0xe8a0000000000000ull | (u64)order << 40;
	struct list_head blocks = LIST_HEAD_INIT(blocks);
	struct snapshot before;
	unsigned long n = 0;
	struct page *p;

	take_snapshot(&before);
	while ((p = alloc_pages(EXHAUST_GFP, order)) != NULL) {
		block_fill(p, order, salt + n);
		list_add_tail(&p->lru, &blocks);
		n++;
	}
	console_capture_begin(out, sizeof(out));
	p = alloc_pages(EXHAUST_GFP, order);
	console_capture_end();
	EXPECT(p == NULL);
	EXPECT_STREQ(out, ""); /* __GFP_NOWARN */
	if (p)
		__free_pages(p, order);

	/* (a board below 24 MiB may have no block of the top orders at all) */
	EXPECT(n > 0 || ktest_managed_mib() < 24);
	EXPECT_EQ(nr_free_pages(), before.free - (n << order));
	for (unsigned int zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = zone(zi);
		unsigned long min = z->watermark[WMARK_MIN];
		unsigned long floor = (unsigned long)gfp_watermark(min, EXHAUST_GFP) +
				      z->lowmem_reserve[ZONE_NORMAL];
		unsigned long smaller = 0;

		if (!populated_zone(z))
			continue;
		for (unsigned int o = 0; o < order; o++)
			smaller += before.nr_free[zi][o] << o;
		EXPECT(!zone_watermark_ok(z, order, min, ZONE_NORMAL, GFP_ATOMIC));
		EXPECT_EQ(zone_pcp_count(z), 0);
		if (z->free_pages > MAX(floor + (1ul << order) - 1, smaller))
			ktest_fail(t, __FILE__, __LINE__,
				   "order %u: zone %s gave up with %lu pages free (floor %lu, %lu in smaller blocks)",
				   order, z->name, z->free_pages, floor, smaller);
	}
	EXPECT_EQ(node_check(mem_node), 0); /* with memory full */
	verify_and_free(t, &blocks, n, order, salt);
	expect_restored(t, &before);
}

#define EXHAUST_CASE(o)                                  \
	static void exhaust_order_##o(struct ktest *t)   \
	{                                                \
		exhaust_order(t, o);                     \
	}
EXHAUST_CASE(0)
EXHAUST_CASE(1)
EXHAUST_CASE(2)
EXHAUST_CASE(3)
EXHAUST_CASE(4)
EXHAUST_CASE(5)
EXHAUST_CASE(6)
EXHAUST_CASE(7)
EXHAUST_CASE(8)
EXHAUST_CASE(9)
EXHAUST_CASE(10)

/* Orders above the largest are refused (with a message unless NOWARN). */
static void order_above_largest_refused(struct ktest *t)
{
	struct snapshot before;
	struct page *p;

	take_snapshot(&before);
	console_capture_begin(out, sizeof(out));
	p = alloc_pages(GFP_KERNEL, MAX_ORDER);
	console_capture_end();
	EXPECT(p == NULL);
	EXPECT(strstr(out, "order 11 is above the largest (10)") != NULL);
	console_capture_begin(out, sizeof(out));
	p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_ORDER + 3);
	console_capture_end();
	EXPECT(p == NULL);
	EXPECT_STREQ(out, "");
	expect_restored(t, &before);
}

/* --- 2. zeroed pages ------------------------------------------------------ */

#define NR_DIRTY 8

/* Dirty pages, free them, ask for zeroed ones: the same pages come back
 * (per-hart lists are LIFO), cleared. */
static void get_zeroed_page_is_zero(struct ktest *t)
{
	unsigned long dirty[NR_DIRTY], zeroed[NR_DIRTY];
	struct snapshot before;
	int reused = 0;

	take_snapshot(&before);
	for (int i = 0; i < NR_DIRTY; i++) {
		dirty[i] = __get_free_page(GFP_KERNEL);
		ASSERT(dirty[i] != 0);
		memset((void *)dirty[i], 0xa5, PAGE_SIZE);
	}
	for (int i = 0; i < NR_DIRTY; i++)
		free_page(dirty[i]);
	for (int i = 0; i < NR_DIRTY; i++) {
		zeroed[i] = get_zeroed_page(GFP_KERNEL);
		ASSERT(zeroed[i] != 0);
		EXPECT(IS_ALIGNED(zeroed[i], PAGE_SIZE));
		EXPECT(!memchr_inv((void *)zeroed[i], 0, PAGE_SIZE));
		for (int j = 0; j < NR_DIRTY; j++)
			reused += zeroed[i] == dirty[j];
	}
	EXPECT(reused > 0); /* else the test proved nothing */
	for (int i = 0; i < NR_DIRTY; i++)
		free_page(zeroed[i]);
	expect_restored(t, &before);
}

/* Whether the 2^order blocks at @a and @b share a page. */
static bool blocks_overlap(struct page *a, struct page *b, unsigned int order)
{
	unsigned long pa = page_to_pfn(a), pb = page_to_pfn(b), n = 1ul << order;

	return pa < pb + n && pb < pa + n;
}

/* __GFP_ZERO at every order: blocks dirtied in full and freed come back
 * zeroed in full (the buddy lists are LIFO: the dirty memory is reused). */
static void gfp_zero_clears_whole_block(struct ktest *t)
{
	struct snapshot before;

	KTEST_NEEDS_RAM(24); /* four blocks of every order: 16 MiB of order 10 */
	take_snapshot(&before);
	for (unsigned int order = 0; order < MAX_ORDER; order++) {
		struct page *dirty[4], *zeroed[4];
		int reused = 0;

		for (int i = 0; i < 4; i++) {
			dirty[i] = alloc_pages(GFP_KERNEL, order);
			ASSERT(dirty[i] != NULL);
			memset(page_address(dirty[i]), 0xff, PAGE_SIZE << order);
		}
		for (int i = 0; i < 4; i++)
			__free_pages(dirty[i], order);
		for (int i = 0; i < 4; i++) {
			zeroed[i] = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
			ASSERT(zeroed[i] != NULL);
			if (memchr_inv(page_address(zeroed[i]), 0, PAGE_SIZE << order))
				ktest_fail(t, __FILE__, __LINE__, "order %u block at pfn 0x%lx not zeroed",
					   order, page_to_pfn(zeroed[i]));
			for (int j = 0; j < 4; j++)
				reused += blocks_overlap(zeroed[i], dirty[j], order);
		}
		for (int i = 0; i < 4; i++)
			__free_pages(zeroed[i], order);
		if (!reused) /* else this order proved nothing */
			ktest_fail(t, __FILE__, __LINE__, "order %u: no dirtied memory came back", order);
	}
	expect_restored(t, &before);
}

/* --- 3. zones --------------------------------------------------------------- */

static bool below_4g(struct page *p, unsigned int order)
{
	return page_to_pfn(p) + (1ul << order) <= PFN_4G;
}

static void note_skip(struct ktest *t, const char *why)
{
	kprintf("# %s.%s: %s: nothing to test\n", t->suite, t->name, why);
}

/* GFP_DMA32 blocks of every order lie below 4 GiB; a plain request
 * prefers ZONE_NORMAL when it has memory. Up to 8 blocks of each order,
 * within half of what the zones below 4 GiB have free (a board with 64 MiB
 * has no room for 8 blocks of 4 MiB: the orders that do not fit are left
 * out, said on the console). */
static void dma32_pages_below_4g(struct ktest *t)
{
	struct list_head held = LIST_HEAD_INIT(held);
	struct snapshot before;
	unsigned long n = 0, free_below = 0, budget;

	take_snapshot(&before);
	for (int zi = 0; zi <= ZONE_DMA32; zi++)
		free_below += zone(zi)->free_pages;
	budget = free_below / 2;
	for (unsigned int order = 0; order < MAX_ORDER; order++) {
		if (budget < 1ul << order) {
			kprintf("# %s.%s: orders %u and up left out: %lu pages free below 4 GiB\n",
				t->suite, t->name, order, free_below);
			break;
		}
		for (int i = 0; i < 8 && budget >= 1ul << order; i++, budget -= 1ul << order) {
			struct page *p = alloc_pages(GFP_DMA32, order);

			ASSERT_OR_OUT(p != NULL);
			list_add_tail(&p->lru, &held);
			n++;
			if (!below_4g(p, order) || page_zonenum(p) > ZONE_DMA32)
				ktest_fail(t, __FILE__, __LINE__, "GFP_DMA32 order %u at pfn 0x%lx",
					   order, page_to_pfn(p));
		}
	}
	if (populated_zone(zone(ZONE_NORMAL))) {
		struct page *p = alloc_page(GFP_KERNEL);

		ASSERT_OR_OUT(p != NULL);
		EXPECT_EQ(page_zonenum(p), ZONE_NORMAL);
		EXPECT(page_to_pfn(p) >= PFN_4G);
		__free_pages(p, 0);
	}
out:
	free_blocks(&held, n);
	expect_restored(t, &before);
}

/* Exhausting below 4 GiB with GFP_DMA32 never takes a page above it. */
static void dma32_exhaustion_never_goes_above_4g(struct ktest *t)
{
	struct list_head held = LIST_HEAD_INIT(held);
	unsigned long normal_free, n = 0, bad = 0;
	struct snapshot before;
	struct page *p;

	take_snapshot(&before);
	normal_free = zone(ZONE_NORMAL)->free_pages;
	for (int order = MAX_ORDER - 1; order >= 0; order--) {
		while ((p = alloc_pages(GFP_DMA32 | __GFP_NOWARN, (unsigned int)order)) != NULL) {
			list_add_tail(&p->lru, &held);
			n++;
			bad += !below_4g(p, (unsigned int)order);
		}
	}
	EXPECT(n > 0);
	EXPECT_EQ(bad, 0);
	p = alloc_page(GFP_DMA32 | __GFP_NOWARN);
	EXPECT(p == NULL);
	if (p) {
		list_add_tail(&p->lru, &held);
		n++;
	}
	node_drain_pages(mem_node);
	EXPECT_EQ(zone(ZONE_NORMAL)->free_pages, normal_free);
	free_blocks(&held, n);
	expect_restored(t, &before);
}

/* Could a GFP_KERNEL request of @order fall back to @dma32 now: it holds a
 * free block of that order or more, and its watermark (with the reserve it
 * keeps from Normal requests) allows the request? */
static bool dma32_can_serve(struct zone *dma32, unsigned int order)
{
	bool block = false;

	for (unsigned int o = order; o < MAX_ORDER; o++)
		block |= dma32->free_area[o].nr_free != 0;
	return block && zone_watermark_ok(dma32, order, dma32->watermark[WMARK_MIN], ZONE_NORMAL,
					  GFP_KERNEL);
}

/*
 * With RAM above 4 GiB: exhaust ZONE_NORMAL with GFP_KERNEL (largest
 * blocks first); the request that Normal refuses is served from DMA32
 * (when DMA32 has a block of the order: a small one may not),
 * below 4 GiB. Keep going until the allocator refuses: DMA32 then stops at
 * exactly min + its lowmem reserve for Normal requests, and that reserve
 * still serves a GFP_DMA32 request.
 */
static void kernel_falls_back_to_dma32(struct ktest *t)
{
	struct list_head held = LIST_HEAD_INIT(held);
	struct zone *normal = zone(ZONE_NORMAL), *dma32 = zone(ZONE_DMA32);
	unsigned long n = 0, above = 0, below_after_fallback = 0;
	struct snapshot before;
	struct page *p;
	bool room;

	if (!populated_zone(normal)) {
		note_skip(t, "ZONE_NORMAL is empty (no RAM above 4 GiB)");
		return;
	}
	ASSERT(populated_zone(dma32));
	node_drain_pages(mem_node);
	if (dma32->free_pages <= dma32->watermark[WMARK_MIN] + dma32->lowmem_reserve[ZONE_NORMAL]) {
		note_skip(t, "ZONE_DMA32 holds no more than its min and its reserve for Normal requests: "
			     "nothing for GFP_KERNEL to fall back to");
		return;
	}
	take_snapshot(&before);
	/* Normal first: keep taking each order until a block comes from below. */
	for (int order = MAX_ORDER - 1; order >= 0; order--) {
		while ((p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, (unsigned int)order)) != NULL) {
			list_add_tail(&p->lru, &held);
			n++;
			if (page_zonenum(p) != ZONE_NORMAL)
				break;
			above++;
		}
		if (!p) { /* DMA32 too has no such block for GFP_KERNEL (a small DMA32) */
			EXPECT(!dma32_can_serve(dma32, (unsigned int)order));
			continue;
		}
		EXPECT_EQ(page_zonenum(p), ZONE_DMA32);
		EXPECT(below_4g(p, (unsigned int)order));
	}
	EXPECT(above > 0);
	EXPECT(!zone_watermark_ok(normal, 0, normal->watermark[WMARK_MIN], ZONE_NORMAL, GFP_KERNEL));
	/* Normal is exhausted: a plain page request now lands below 4 GiB,
	 * when DMA32 has room above its min and reserve (a small DMA32 may
	 * have given it all to the fallbacks above). */
	room = dma32_can_serve(dma32, 0);
	p = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	EXPECT_EQ(p != NULL, room);
	if (p) {
		list_add_tail(&p->lru, &held);
		n++;
		EXPECT(page_to_pfn(p) < PFN_4G);
		EXPECT_EQ(page_zonenum(p), ZONE_DMA32);
	}
	room = dma32_can_serve(dma32, 0);

	/* Now exhaust what GFP_KERNEL may take from DMA32. */
	for (int order = MAX_ORDER - 1; order >= 0; order--) {
		while ((p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, (unsigned int)order)) != NULL) {
			list_add_tail(&p->lru, &held);
			n++;
			if (!below_4g(p, (unsigned int)order))
				break;
			below_after_fallback++;
		}
		EXPECT(p == NULL);
		if (p)
			break;
	}
	EXPECT_EQ(below_after_fallback > 0, room);
	node_drain_pages(mem_node);
	EXPECT_EQ(dma32->free_pages,
		  dma32->watermark[WMARK_MIN] + dma32->lowmem_reserve[ZONE_NORMAL]);
	EXPECT(dma32->lowmem_reserve[ZONE_NORMAL] > 0);
	/* The lowmem reserve is there for requests that need DMA32. */
	p = alloc_page(GFP_DMA32 | __GFP_NOWARN);
	EXPECT(p != NULL);
	if (p) {
		EXPECT(below_4g(p, 0));
		__free_pages(p, 0);
	}
	EXPECT_EQ(node_check(mem_node), 0);
	free_blocks(&held, n);
	expect_restored(t, &before);
}

/*
 * GFP_DMA: with zone_dma_limit= every page lies below the limit, even when
 * ZONE_DMA runs out (or has no free page at all: then there is none), and
 * the zones above give nothing; without it, below 4 GiB.
 */
static void gfp_dma_below_its_limit(struct ktest *t)
{
	u64 limit = zone_dma_limit ? zone_dma_limit : 1ull << 32;
	struct list_head held = LIST_HEAD_INIT(held);
	unsigned long n = 0, bad = 0, dma32_free, normal_free;
	struct snapshot before;

	take_snapshot(&before);
	dma32_free = zone(ZONE_DMA32)->free_pages;
	normal_free = zone(ZONE_NORMAL)->free_pages;
	for (int order = MAX_ORDER - 1; order >= 0; order--) {
		struct page *p;

		while ((p = alloc_pages(GFP_DMA | __GFP_NOWARN, (unsigned int)order)) != NULL) {
			list_add_tail(&p->lru, &held);
			n++;
			if (PFN_PHYS(page_to_pfn(p) + (1ul << order)) > limit && bad++ == 0)
				ktest_fail(t, __FILE__, __LINE__,
					   "GFP_DMA order %d block at 0x%llx reaches above 0x%llx",
					   order, (unsigned long long)PFN_PHYS(page_to_pfn(p)),
					   (unsigned long long)limit);
		}
	}
	EXPECT_EQ(bad, 0);
	node_drain_pages(mem_node);
	if (zone_dma_limit) {
		kprintf("# %s.%s: zone_dma_limit=0x%llx: %lu GFP_DMA blocks\n", t->suite, t->name,
			(unsigned long long)zone_dma_limit, n);
		if (populated_zone(zone(ZONE_DMA)))
			EXPECT(n > 0);
		else
			EXPECT_EQ(n, 0);
		EXPECT_EQ(zone(ZONE_DMA32)->free_pages, dma32_free);
	} else {
		EXPECT(n > 0);
		EXPECT_EQ(zone(ZONE_DMA)->spanned_pages, 0);
	}
	EXPECT_EQ(zone(ZONE_NORMAL)->free_pages, normal_free);
	free_blocks(&held, n);
	expect_restored(t, &before);
}

/* --- 4. bad frees ------------------------------------------------------------ */

struct bad_free {
	unsigned long nr_bad, free;
};

static void bad_begin(struct bad_free *b)
{
	b->nr_bad = mem_node->nr_bad_pages;
	b->free = nr_free_pages();
	console_capture_begin(out, sizeof(out));
}

/* The lines after a bad free's first one (@nl: its end): none, or while
 * page_owner records only its "page ..." lines (page_owner_dump). */
static bool only_owner_lines_after(const char *nl)
{
	if (!nl)
		return false;
	for (; nl[1]; nl = strchr(nl + 1, '\n'))
		if (!page_owner_on || strncmp(nl + 1, "page", 4) != 0 || !strchr(nl + 1, '\n'))
			return false;
	return true;
}

/*
 * The bad free was reported once: last_bad_reason contains @reason, the
 * console shows one line starting with @line; nothing changed.
 */
static void bad_end_line(struct ktest *t, struct bad_free *b, const char *line, const char *reason)
{
	const char *why = mem_node->last_bad_reason;

	console_capture_end();
	EXPECT_EQ(mem_node->nr_bad_pages, b->nr_bad + 1);
	if (!why || !strstr(why, reason))
		ktest_fail(t, __FILE__, __LINE__, "last_bad_reason \"%s\", wanted \"%s\"",
			   why ? why : "(null)", reason);
	if (strncmp(out, line, strlen(line)) != 0)
		ktest_fail(t, __FILE__, __LINE__, "console \"%.60s\", wanted \"%.50s\"", out, line);
	EXPECT(only_owner_lines_after(strchr(out, '\n'))); /* one line (and page_owner's) */
	EXPECT_EQ(nr_free_pages(), b->free);
	EXPECT_EQ(node_check(mem_node), 0);
}

/* ... as a bad page: "BUG: Bad page state: pfn 0x...: <reason>". */
static void bad_end(struct ktest *t, struct bad_free *b, unsigned long pfn, const char *reason)
{
	char line[160];

	ksnprintf(line, sizeof(line), "BUG: Bad page state: pfn 0x%lx: %s", pfn,
		  mem_node->last_bad_reason ? mem_node->last_bad_reason : reason);
	bad_end_line(t, b, line, reason);
}

static void double_free_order0(struct ktest *t)
{
	struct snapshot before;
	struct bad_free b;
	struct page *p;
	u32 flags;

	take_snapshot(&before);
	p = alloc_page(GFP_KERNEL);
	ASSERT(p != NULL);
	__free_pages(p, 0);
	flags = p->flags;
	bad_begin(&b);
	__free_pages(p, 0);
	bad_end(t, &b, page_to_pfn(p), "double free");
	EXPECT_EQ(p->flags, flags);
	EXPECT_EQ(page_count(p), 0);
	expect_restored(t, &before);
}

#define NR_ORDER3 64

/*
 * Order 3: free a block whose buddy is still allocated, free it again while
 * it waits on the hart's list of order 3, and again once drained (a free
 * block of order 3 on the zone's lists); then free the buddy (drained, the
 * two merge) and free each of them again: the merged-away half is no free
 * head any more, yet still never accepted.
 */
static void double_free_order3(struct ktest *t)
{
	struct page *blk[NR_ORDER3], *a = NULL, *buddy = NULL;
	struct snapshot before;
	struct bad_free b;

	take_snapshot(&before);
	for (int i = 0; i < NR_ORDER3; i++) {
		blk[i] = alloc_pages(GFP_KERNEL, 3);
		ASSERT(blk[i] != NULL);
	}
	for (int i = 0; i < NR_ORDER3 && !a; i++)
		for (int j = 0; j < NR_ORDER3 && !a; j++)
			if (page_to_pfn(blk[j]) == (page_to_pfn(blk[i]) ^ 8)) {
				a = blk[i];
				buddy = blk[j];
			}
	for (int i = 0; i < NR_ORDER3; i++)
		if (blk[i] != a && blk[i] != buddy)
			__free_pages(blk[i], 3);
	ASSERT(a != NULL); /* 64 blocks split from larger ones include buddies */

	node_drain_pages(mem_node);
	__free_pages(a, 3);
	if (a->flags & PG_pcp) {
		EXPECT((a->flags & (PG_pcp | PG_head | PG_buddy)) == PG_pcp && page_order(a) == 3);
		bad_begin(&b);
		__free_pages(a, 3);
		bad_end(t, &b, page_to_pfn(a), "double free");
	} else { /* lists too short for 8 pages (a tiny zone): drained at once */
		EXPECT(mem_node->zones[page_zonenum(a)].pcp[this_cpu()].high < 8);
	}
	node_drain_pages(mem_node);
	EXPECT(PageBuddy(a) && page_order(a) == 3);
	bad_begin(&b);
	__free_pages(a, 3);
	bad_end(t, &b, page_to_pfn(a), "double free");

	__free_pages(buddy, 3);
	node_drain_pages(mem_node); /* merges with a */
	EXPECT(!PageBuddy(a) || page_order(a) > 3);
	bad_begin(&b);
	__free_pages(a, 3);
	bad_end(t, &b, page_to_pfn(a), PageBuddy(a) ? "double free" : "not the head");
	bad_begin(&b);
	__free_pages(buddy, 3);
	bad_end(t, &b, page_to_pfn(buddy), PageBuddy(buddy) ? "double free" : "not the head");
	expect_restored(t, &before);
}

/* The kernel image's pages are reserved: neither __free_pages nor
 * free_page on them is accepted. */
static void free_kernel_image_page(struct ktest *t)
{
	struct page *text = virt_to_page(_start), *data = virt_to_page(out);
	struct snapshot before;
	struct bad_free b;
	u32 flags;

	ASSERT(text != NULL && data != NULL);
	EXPECT(PageReserved(text) && PageReserved(data));
	EXPECT_EQ(page_type(text), PGTY_KERNEL);
	take_snapshot(&before);
	flags = text->flags;
	bad_begin(&b);
	__free_pages(text, 0);
	bad_end(t, &b, page_to_pfn(text), "reserved");
	EXPECT_EQ(text->flags, flags);
	flags = data->flags;
	bad_begin(&b);
	free_page((unsigned long)out & PAGE_MASK);
	bad_end(t, &b, page_to_pfn(data), "reserved");
	EXPECT_EQ(data->flags, flags);
	expect_restored(t, &before);
}

static void free_tail_page(struct ktest *t)
{
	struct snapshot before;
	struct bad_free b;
	struct page *p;

	take_snapshot(&before);
	p = alloc_pages(GFP_KERNEL, 2);
	ASSERT(p != NULL);
	bad_begin(&b);
	__free_pages(p + 1, 0);
	bad_end(t, &b, page_to_pfn(p) + 1, "not the head");
	bad_begin(&b);
	free_pages((unsigned long)page_address(p + 2), 1);
	bad_end(t, &b, page_to_pfn(p) + 2, "not the head");
	EXPECT(PageHead(p) && page_count(p) == 1 && page_order(p) == 2);
	__free_pages(p, 2);
	expect_restored(t, &before);
}

static void free_wrong_order(struct ktest *t)
{
	struct snapshot before;
	struct bad_free b;
	struct page *p;

	take_snapshot(&before);
	p = alloc_pages(GFP_KERNEL, 2);
	ASSERT(p != NULL);
	bad_begin(&b);
	__free_pages(p, 1);
	bad_end(t, &b, page_to_pfn(p), "another order");
	bad_begin(&b);
	free_pages((unsigned long)page_address(p), 3);
	bad_end(t, &b, page_to_pfn(p), "another order");
	bad_begin(&b);
	__free_pages(p, MAX_ORDER);
	bad_end(t, &b, page_to_pfn(p), "order out of range");
	EXPECT(PageHead(p) && page_count(p) == 1 && page_order(p) == 2);
	__free_pages(p, 2);
	expect_restored(t, &before);
}

/* References: get_page keeps a block, the last put_page frees it, one
 * more put_page is a bad free. */
static void put_page_past_last_reference(struct ktest *t)
{
	struct snapshot before;
	struct bad_free b;
	unsigned long free0;
	struct page *p;

	take_snapshot(&before);
	for (unsigned int order = 0; order <= 2; order += 2) {
		p = alloc_pages(GFP_KERNEL, order);
		ASSERT(p != NULL);
		free0 = nr_free_pages();
		get_page(p);
		EXPECT_EQ(page_count(p), 2);
		put_page(p);
		EXPECT_EQ(page_count(p), 1);
		EXPECT(PageHead(p));
		EXPECT_EQ(nr_free_pages(), free0);
		put_page(p);
		EXPECT_EQ(page_count(p), 0);
		EXPECT_EQ(nr_free_pages(), free0 + (1ul << order));
		if (order == 0) { /* still on this hart's list: a free page */
			bad_begin(&b);
			put_page(p);
			bad_end(t, &b, page_to_pfn(p), "double free");
			EXPECT_EQ(page_count(p), 0);
		}
	}
	expect_restored(t, &before);
}

/* get_page on a free page warns and takes no reference. */
static void get_page_on_free_page_refused(struct ktest *t)
{
	struct snapshot before;
	struct page *p;

	take_snapshot(&before);
	p = alloc_page(GFP_KERNEL);
	ASSERT(p != NULL);
	__free_pages(p, 0);
	console_capture_begin(out, sizeof(out));
	get_page(p);
	console_capture_end();
	EXPECT(strstr(out, "WARNING") != NULL);
	EXPECT_EQ(page_count(p), 0);
	expect_restored(t, &before);
}

/*
 * free_pages of an address that is no page of RAM (below RAM, MMIO, not
 * page aligned) is reported with the address (there is no struct page to
 * name) and ignored; free_pages(0) is a no-op.
 */
static void free_pages_non_ram(struct ktest *t)
{
	static const unsigned long addrs[] = { 0x1000, 0x10000000 /* UART */, 0x2000000 /* CLINT */ };
	struct snapshot before;
	struct bad_free b;
	unsigned long nr_bad, a;
	char line[64];
	struct page *p;

	take_snapshot(&before);
	for (size_t i = 0; i < ARRAY_SIZE(addrs); i++) {
		EXPECT(!memblock_is_memory(&memblock, virt_to_phys((void *)addrs[i])));
		EXPECT(virt_to_page((void *)addrs[i]) == NULL);
		bad_begin(&b);
		free_pages(addrs[i], (unsigned int)i);
		ksnprintf(line, sizeof(line), "BUG: free_pages(0x%lx, %zu): ", addrs[i], i);
		bad_end_line(t, &b, line, "not a page of RAM");
	}
	p = alloc_page(GFP_KERNEL);
	ASSERT(p != NULL);
	a = (unsigned long)page_address(p) + 8;
	bad_begin(&b);
	free_pages(a, 0);
	ksnprintf(line, sizeof(line), "BUG: free_pages(0x%lx, 0): ", a);
	bad_end_line(t, &b, line, "not a page of RAM");
	EXPECT(PageHead(p) && page_count(p) == 1);
	__free_pages(p, 0);
	nr_bad = mem_node->nr_bad_pages;
	free_pages(0, 0);
	free_page(0);
	EXPECT_EQ(mem_node->nr_bad_pages, nr_bad);
	expect_restored(t, &before);
}

/* --- 5. all harts at once ------------------------------------------------------ */

#define HART_SLOTS 48
#define HART_ROUNDS 6000

struct hart_result {
	unsigned long allocs, frees, alloc_failures, errors;
	unsigned long first_bad_pfn;
	const char *first_error;
};

static struct hart_result hart_results[MAX_HARTS];

static u64 rng_next(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Mostly order 0 (the per-hart lists), some small blocks, a few large. */
static unsigned int pick_order(u64 r)
{
	unsigned int x = (unsigned int)(r >> 32) & 15;

	if (x < 8)
		return 0;
	if (x < 12)
		return 1 + (x & 1);
	if (x < 15)
		return 3 + (unsigned int)((r >> 40) % 3);
	return 6 + (unsigned int)((r >> 48) % 3);
}

static u64 hart_tag(unsigned int cpu)
{
	return 0xa11a000000000000ull | (u64)cpu << 32;
}

/* Every page of the block: its first and last word, from hart and address. */
static void hart_fill(struct page *p, unsigned int order, u64 tag)
{
	char *va = page_address(p);

	p->priv = tag;
	for (unsigned long i = 0; i < (1ul << order); i++) {
		u64 *first = (u64 *)(va + i * PAGE_SIZE);
		u64 *last = first + PAGE_SIZE / sizeof(u64) - 1;

		*first = pattern(tag, first);
		*last = pattern(tag, last);
	}
}

static const char *hart_block_problem(struct page *p, unsigned int order, u64 tag)
{
	char *va = page_address(p);

	if (p->priv != tag)
		return "tag of another hart";
	if (!PageHead(p) || page_order(p) != order || page_count(p) != 1)
		return "head state changed";
	for (unsigned long i = 0; i < (1ul << order); i++) {
		u64 *first = (u64 *)(va + i * PAGE_SIZE);
		u64 *last = first + PAGE_SIZE / sizeof(u64) - 1;

		if (*first != pattern(tag, first) || *last != pattern(tag, last))
			return "pattern overwritten";
	}
	return NULL;
}

static void hart_check_and_free(struct hart_result *r, struct page *p, unsigned int order, u64 tag)
{
	const char *why = hart_block_problem(p, order, tag);

	if (why && r->errors++ == 0) {
		r->first_error = why;
		r->first_bad_pfn = page_to_pfn(p);
	}
	__free_pages(p, order);
	r->frees++;
}

static void hart_stress(void *arg)
{
	unsigned int cpu = this_cpu();
	struct hart_result *r = &hart_results[cpu];
	struct page *slot[HART_SLOTS] = { 0 };
	unsigned int order[HART_SLOTS];
	u64 tag = hart_tag(cpu), rng = 0x9e3779b97f4a7c15ull * (cpu + 1);

	(void)arg;
	for (int round = 0; round < HART_ROUNDS; round++) {
		u64 x = rng_next(&rng);
		unsigned int s = (unsigned int)(x % HART_SLOTS);

		if (slot[s]) {
			hart_check_and_free(r, slot[s], order[s], tag);
			slot[s] = NULL;
		} else {
			order[s] = pick_order(x);
			slot[s] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order[s]);
			if (!slot[s]) {
				r->alloc_failures++;
				continue;
			}
			r->allocs++;
			hart_fill(slot[s], order[s], tag);
		}
		/* Pull every hart's per-hart pages back now and then, as a
		 * failing allocation would, while the others use them. */
		if (cpu == 0 && round % 256 == 255)
			node_drain_pages(mem_node);
	}
	for (int s = 0; s < HART_SLOTS; s++)
		if (slot[s])
			hart_check_and_free(r, slot[s], order[s], tag);
}

static void all_harts_alloc_and_free(struct ktest *t)
{
	struct snapshot before;

	KTEST_NEEDS_RAM(24); /* every hart's blocks at once */

	take_snapshot(&before);
	memset(hart_results, 0, sizeof(hart_results));
	on_each_hart(hart_stress, NULL);
	for (unsigned int cpu = 0; cpu < nr_harts; cpu++) {
		struct hart_result *r = &hart_results[cpu];

		EXPECT(r->allocs > HART_ROUNDS / 4);
		EXPECT_EQ(r->frees, r->allocs);
		EXPECT_EQ(r->alloc_failures, 0);
		if (r->errors)
			ktest_fail(t, __FILE__, __LINE__, "cpu %u: %lu bad blocks, first pfn 0x%lx: %s",
				   cpu, r->errors, r->first_bad_pfn, r->first_error);
	}
	expect_restored(t, &before);
}

/*
 * All harts exhaust memory together (orders 10 down to 0, each hart its own
 * list), so they meet in the failing path and its drain. Afterwards no
 * block was handed to two harts, none overlaps memory another holds, and
 * together they took everything but the reserves.
 */
struct hart_hoard {
	struct list_head list;
	unsigned long n[MAX_ORDER];
	unsigned long blocks, pages;
} __aligned(64);

static struct hart_hoard hoards[MAX_HARTS];

static void hart_exhaust(void *arg)
{
	struct hart_hoard *h = &hoards[this_cpu()];
	u64 tag = hart_tag(this_cpu());

	(void)arg;
	for (int order = MAX_ORDER - 1; order >= 0; order--) {
		struct page *p;

		while ((p = alloc_pages(EXHAUST_GFP, (unsigned int)order)) != NULL) {
			block_fill(p, (unsigned int)order, tag + h->blocks);
			list_add_tail(&p->lru, &h->list);
			h->blocks++;
			h->pages += 1ul << order;
			h->n[order]++;
		}
	}
}

static void hart_free_hoard(void *arg)
{
	struct hart_hoard *h = &hoards[this_cpu()];

	(void)arg;
	free_blocks(&h->list, h->blocks);
}

static void all_harts_exhaust_together(struct ktest *t)
{
	struct snapshot before;
	unsigned long pages = 0;

	take_snapshot(&before);
	for (unsigned int cpu = 0; cpu < MAX_HARTS; cpu++) {
		memset(&hoards[cpu], 0, sizeof(hoards[cpu]));
		INIT_LIST_HEAD(&hoards[cpu].list);
	}
	on_each_hart(hart_exhaust, NULL);
	for (unsigned int cpu = 0; cpu < nr_harts; cpu++) {
		struct hart_hoard *h = &hoards[cpu];
		unsigned long i = 0, bad = 0;
		struct list_head *pos;

		pages += h->pages;
		list_for_each(pos, &h->list) {
			struct page *p = list_entry(pos, struct page, lru);
			const char *why;

			if (i == h->blocks)
				break;
			why = block_problem(p, page_order(p), hart_tag(cpu) + i);
			if (why && bad++ == 0)
				ktest_fail(t, __FILE__, __LINE__, "cpu %u block %lu (pfn 0x%lx): %s", cpu,
					   i, page_to_pfn(p), why);
			i++;
		}
		EXPECT_EQ(i, h->blocks);
	}
	EXPECT(pages > 0);
	EXPECT_EQ(nr_free_pages(), before.free - pages);
	node_drain_pages(mem_node);
	for (unsigned int zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = zone(zi);

		if (populated_zone(z))
			EXPECT(!zone_watermark_ok(z, 0, z->watermark[WMARK_MIN], ZONE_NORMAL, GFP_ATOMIC));
	}
	EXPECT_EQ(node_check(mem_node), 0);
	on_each_hart(hart_free_hoard, NULL);
	for (unsigned int cpu = 0; cpu < nr_harts; cpu++)
		EXPECT(list_empty(&hoards[cpu].list));
	expect_restored(t, &before);
}

/* --- per-hart lists -------------------------------------------------------- */

/* The request (GFP_KERNEL, else GFP_DMA32, else GFP_DMA) whose first zone
 * can give @pcp_pages(zone) order-0 pages and stay well above its high mark,
 * so that every page comes from that zone; NULL if none can. With
 * zone_dma_limit= at the end of RAM ZONE_DMA is the only zone (GFP_KERNEL's
 * first); with it one page short of the end, DMA32 is that page. */
static struct zone *zone_for_pcp_case(gfp_t *gfp, int (*pcp_pages)(const struct zone *))
{
	static const gfp_t gfps[] = { GFP_KERNEL, GFP_DMA32, GFP_DMA };

	for (unsigned int i = 0; i < ARRAY_SIZE(gfps); i++) {
		struct zone *z = mem_node->fast_zone[gfps[i] & GFP_ZONEMASK];
		unsigned long keep = z ? z->watermark[WMARK_HIGH] + z->lowmem_reserve[ZONE_NORMAL] : 0;

		if (z && z->free_pages > 2 * (keep + (unsigned long)pcp_pages(z))) {
			*gfp = gfps[i];
			return z;
		}
	}
	return NULL;
}

/* Pages per_hart_list_bounded_and_drained takes of @z. */
static int pcp_case_pages(const struct zone *z)
{
	const struct per_cpu_pages *pcp = &z->pcp[this_cpu()];

	return pcp->high + 2 * pcp->batch + 5;
}

/* Order-0 frees stay on this hart's list up to `high`, then a batch goes
 * back; a drain empties every list. */
static void per_hart_list_bounded_and_drained(struct ktest *t)
{
	gfp_t gfp = GFP_KERNEL;
	struct zone *z = zone_for_pcp_case(&gfp, pcp_case_pages);
	unsigned int zi;
	struct per_cpu_pages *pcp;
	struct list_head held = LIST_HEAD_INIT(held);
	int n, max_count = 0;
	struct snapshot before;

	if (!z) {
		ktest_skip(t, "no zone has room for the case");
		return;
	}
	zi = z->id;
	pcp = &z->pcp[this_cpu()];
	n = pcp_case_pages(z);
	take_snapshot(&before);
	EXPECT_EQ(pcp->count, 0);
	for (int i = 0; i < n; i++) {
		struct page *p = alloc_page(gfp);

		ASSERT(p != NULL);
		EXPECT_EQ(page_zonenum(p), zi);
		list_add(&p->lru, &held);
	}
	EXPECT(pcp->count <= pcp->batch);
	for (int i = 0; i < n; i++) {
		struct page *p = list_first_entry(&held, struct page, lru);

		list_del(&p->lru);
		__free_pages(p, 0);
		EXPECT(p->flags & PG_pcp || !(p->flags & PG_head));
		max_count = MAX(max_count, pcp->count);
	}
	EXPECT_EQ(max_count, pcp->high); /* filled up to high, never above */
	EXPECT(pcp->count > 0);
	EXPECT_EQ(node_check(mem_node), 0);
	node_drain_pages(mem_node);
	EXPECT_EQ(zone_pcp_count(zone(zi)), 0);
	expect_restored(t, &before);
}

/* --- grouping by use -------------------------------------------------------- */

static bool in_small_pageblock(unsigned long pfn)
{
	return pageblock_small(node_pfn_section(mem_node, pfn), pfn);
}

/* The order of the free block that holds @pfn, or -1 when it is not free. */
static int free_block_order_at(unsigned long pfn)
{
	for (unsigned int o = 0; o < MAX_ORDER; o++) {
		unsigned long head = pfn & ~((1ul << o) - 1);
		struct page *p;

		if (!node_pfn_valid(mem_node, head))
			break;
		p = node_pfn_to_page(mem_node, head);
		if ((p->flags & PG_buddy) && page_order(p) >= o)
			return (int)page_order(p);
	}
	return -1;
}

#define GROUP_OBJS 512 /* 64-byte objects: eight slabs of a page */

/* Whole free pageblocks of the zone GFP_KERNEL takes first. Grouping keeps
 * small requests out of general blocks only while the zone has one to
 * claim; a zone without (a ZONE_DMA32 of 2 MiB that holds the device tree
 * and the memmap, under zone_dma_limit) gives its general blocks rather
 * than take ZONE_DMA's pages. */
static unsigned long kernel_zone_free_pageblocks(void)
{
	const struct zone *z = mem_node->fast_zone[0];
	unsigned long n = 0;

	for (unsigned int o = PAGEBLOCK_ORDER; o < MAX_ORDER; o++)
		n += z->free_area[o].nr_free << (o - PAGEBLOCK_ORDER);
	return n;
}

/* Skip @t unless the zone GFP_KERNEL takes first has @n free pageblocks. */
static bool kernel_zone_has_pageblocks(struct ktest *t, unsigned long n)
{
	if (kernel_zone_free_pageblocks() >= n)
		return true;
	ktest_skip(t, "zone %s has fewer than %lu free pageblocks", mem_node->fast_zone[0]->name,
		   n);
	return false;
}

/* With grouping on (page_grouping=on, the default), every slab page lies
 * in a pageblock kept for small allocations and a run's pages in a
 * general one; node_check proves the lists match the pageblocks. */
/* Make this hart's magazine of @c now (a cache makes it on first use, from
 * the slab metadata heap), so that a snapshot taken after it already counts
 * the metadata heap's pages. Of a few allocations KFENCE samples at most
 * one: the others reach the magazine. */
static void make_magazine(struct kmem_cache *c)
{
	void *o[4];
	int n = 0;

	while (n < 4 && (o[n] = kmem_cache_alloc(c, GFP_KERNEL)) != NULL)
		n++;
	while (n)
		kmem_cache_free(c, o[--n]);
	kmem_cache_shrink(c);
}

static void slab_pages_in_small_pageblocks(struct ktest *t)
{
	bool was = port_group_pages_by_use;
	struct kmem_cache *c;
	struct page *run = NULL;
	void **objs = NULL;
	unsigned long slabs = 0;
	struct snapshot before;

	if (!kernel_zone_has_pageblocks(t, 1))
		return;
	port_group_pages_by_use = true;
	c = kmem_cache_create("group-small", 64, 0, SLAB_NOSLOB, NULL);
	ASSERT(c != NULL);
	make_magazine(c);
	take_snapshot(&before); /* (drains the per-hart lists: refills come after) */
	objs = (void **)get_zeroed_page(GFP_KERNEL);
	ASSERT_OR_OUT(objs != NULL);
	for (int i = 0; i < GROUP_OBJS; i++) {
		struct page *p;

		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		ASSERT_OR_OUT(objs[i] != NULL);
		if (is_kfence_address(objs[i]))
			continue; /* (kfence.sample_interval=: not in the linear map) */
		p = virt_to_page(objs[i]);
		slabs++;
		if (!in_small_pageblock(page_to_pfn(p)))
			ktest_fail(t, __FILE__, __LINE__, "slab page pfn 0x%lx in a general pageblock",
				   page_to_pfn(p));
	}
	EXPECT(slabs >= GROUP_OBJS / 2);
	run = alloc_pages(GFP_KERNEL, PAGEBLOCK_ORDER);
	ASSERT_OR_OUT(run != NULL);
	EXPECT(!in_small_pageblock(page_to_pfn(run)));
	EXPECT_EQ(node_check(mem_node), 0);
out:
	if (run)
		__free_pages(run, PAGEBLOCK_ORDER);
	for (int i = 0; objs && i < GROUP_OBJS && objs[i]; i++)
		kmem_cache_free(c, objs[i]);
	if (objs)
		free_page((unsigned long)objs);
	port_group_pages_by_use = was;
	kmem_cache_shrink(c);
	expect_restored(t, &before);
	kmem_cache_destroy(c);
}

#define RUN_PAGES 100 /* an exact run of a 128-page block: its tail is 4 + 8 + 16 pages */

/*
 * A run's free tail is not taken by a small request while a whole free
 * pageblock is left: alloc_pages_exact of 100 pages lists the last 28
 * pages of its 2^7 block (orders 2, 3, 4), the newest blocks of those
 * orders; an order-2 request (a slab's size) would take the first of them
 * in plain buddy order. With grouping it goes to a small-use pageblock,
 * and the run, freed while that block is still allocated, merges back to
 * a block of PAGEBLOCK_ORDER or more.
 */
static void freed_run_merges_while_small_block_live(struct ktest *t)
{
	bool was = port_group_pages_by_use;
	unsigned long run_pfn, small_pfn;
	struct page *small = NULL;
	void *run = NULL;
	struct snapshot before;

	if (!kernel_zone_has_pageblocks(t, 2)) /* the run's and one to claim */
		return;
	port_group_pages_by_use = true;
	take_snapshot(&before);
	run = alloc_pages_exact(RUN_PAGES * PAGE_SIZE, GFP_KERNEL);
	ASSERT_OR_OUT(run != NULL);
	run_pfn = PHYS_PFN(virt_to_phys(run));
	ASSERT_OR_OUT(IS_ALIGNED(run_pfn, PAGEBLOCK_NR_PAGES));
	EXPECT_EQ(free_block_order_at(run_pfn + RUN_PAGES), 2);
	small = alloc_pages(GFP_KERNEL, 2);
	ASSERT_OR_OUT(small != NULL);
	small_pfn = page_to_pfn(small);
	EXPECT(small_pfn < run_pfn || small_pfn >= run_pfn + PAGEBLOCK_NR_PAGES);
	EXPECT(in_small_pageblock(small_pfn));
	free_pages_exact(run, RUN_PAGES * PAGE_SIZE);
	run = NULL;
	EXPECT(free_block_order_at(run_pfn) >= PAGEBLOCK_ORDER);
	EXPECT_EQ(node_check(mem_node), 0);
out:
	if (run)
		free_pages_exact(run, RUN_PAGES * PAGE_SIZE);
	if (small)
		__free_pages(small, 2);
	port_group_pages_by_use = was;
	expect_restored(t, &before);
}

/* Flip @pfn's pageblock bit (as a corrupted section would). */
static void flip_pageblock_bit(unsigned long pfn)
{
	struct mem_section *ms = node_pfn_section(mem_node, pfn);
	unsigned long i = pageblock_index(pfn);

	ms->small_pageblocks[PAGEBLOCK_WORD(i)] ^= PAGEBLOCK_MASK(i);
}

/* node_check proves the grouping invariant: a whole pageblock's block
 * allocated in a pageblock marked small-use, or free blocks of a small-use
 * pageblock on the general lists, are reported. */
static void node_check_sees_pageblock_mismatch(struct ktest *t)
{
	struct page *big = alloc_pages(GFP_KERNEL, PAGEBLOCK_ORDER);
	unsigned long pfn;
	void *run;

	ASSERT(big != NULL);
	pfn = page_to_pfn(big);
	EXPECT_EQ(node_check(mem_node), 0);
	flip_pageblock_bit(pfn);
	EXPECT(node_check(mem_node) > 0); /* an allocated 2^PAGEBLOCK_ORDER block there */
	flip_pageblock_bit(pfn);
	EXPECT_EQ(node_check(mem_node), 0);
	__free_pages(big, PAGEBLOCK_ORDER);

	/* A run's free tail (general blocks) in a pageblock marked small-use. */
	run = alloc_pages_exact(RUN_PAGES * PAGE_SIZE, GFP_KERNEL);
	ASSERT(run != NULL);
	pfn = PHYS_PFN(virt_to_phys(run));
	flip_pageblock_bit(pfn);
	EXPECT_EQ(node_check(mem_node), 3); /* its three tail blocks */
	flip_pageblock_bit(pfn);
	EXPECT_EQ(node_check(mem_node), 0);
	free_pages_exact(run, RUN_PAGES * PAGE_SIZE);
}

KTEST_SUITE(page_alloc,
	    KTEST_CASE(exhaust_order_0), KTEST_CASE(exhaust_order_1), KTEST_CASE(exhaust_order_2),
	    KTEST_CASE(exhaust_order_3), KTEST_CASE(exhaust_order_4), KTEST_CASE(exhaust_order_5),
	    KTEST_CASE(exhaust_order_6), KTEST_CASE(exhaust_order_7), KTEST_CASE(exhaust_order_8),
	    KTEST_CASE(exhaust_order_9), KTEST_CASE(exhaust_order_10),
	    KTEST_CASE(order_above_largest_refused),
	    KTEST_CASE(get_zeroed_page_is_zero), KTEST_CASE(gfp_zero_clears_whole_block),
	    KTEST_CASE(dma32_pages_below_4g), KTEST_CASE(dma32_exhaustion_never_goes_above_4g),
	    KTEST_CASE(kernel_falls_back_to_dma32), KTEST_CASE(gfp_dma_below_its_limit),
	    KTEST_CASE(double_free_order0), KTEST_CASE(double_free_order3),
	    KTEST_CASE(free_kernel_image_page), KTEST_CASE(free_tail_page),
	    KTEST_CASE(free_wrong_order), KTEST_CASE(put_page_past_last_reference),
	    KTEST_CASE(get_page_on_free_page_refused), KTEST_CASE(free_pages_non_ram),
	    KTEST_CASE(all_harts_alloc_and_free), KTEST_CASE(all_harts_exhaust_together),
	    KTEST_CASE(per_hart_list_bounded_and_drained),
	    KTEST_CASE(slab_pages_in_small_pageblocks),
	    KTEST_CASE(freed_run_merges_while_small_block_live),
	    KTEST_CASE(node_check_sees_pageblock_mismatch));
