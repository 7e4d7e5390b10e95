/*
 * buddy_test.c - host tests of the buddy allocator over fake RAM (suite
 * "buddy"; the device-tree fixtures are in mm_dt_test.c).
 *
 * Each case builds its own node with tests/host/fakeram.c: RAM ranges,
 * reservations and zone limits chosen so the expected free blocks can be
 * written down by hand (a block's buddy is pfn ^ 2^order; blocks never
 * straddle a zone boundary, a hole or a reserved page). The model case runs
 * thousands of random allocations and frees against a shadow of the
 * allocated pfns and runs node_check() after every step; most cases end by
 * freeing everything and proving the free lists are exactly what node_init
 * built (same blocks, same counts), which only holds if every merge that
 * should happen did and none that should not did.
 *
 * Some cases set a zone's watermarks (or a per-hart batch) by hand to reach
 * states the defaults would keep out of reach, e.g. to hand out every page.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <lib/kstring.h>
#include <tests/ktest.h>
#include <mm/fault_inject.h>
#include <mm/kmalloc.h>
#include <mm/memblock.h>
#include <mm/mmzone.h>
#include "../../mm/internal.h"
#include "fakeram.h"
#include "host.h"

#define MiB (1ull << 20)
#define RAM 0x80000000ull /* where fake RAM starts, as on QEMU virt */
#define PFN(pa) ((unsigned long)((pa) >> PAGE_SHIFT))

static const struct zone_limits lim_4g = { 0, PFN(1ull << 32), false };

/* ---- free-list snapshots ------------------------------------------------- */

struct blk {
	unsigned long pfn;
	unsigned int order, zone;
};

struct snap {
	unsigned long nr_free[MAX_NR_ZONES][MAX_ORDER];
	unsigned long free_pages[MAX_NR_ZONES], pcp[MAX_NR_ZONES];
	unsigned long total; /* node_free_pages_count */
	size_t n;
	struct blk *blk; /* every free block, by pfn */
};

static int blk_cmp(const void *a, const void *b)
{
	const struct blk *x = a, *y = b;

	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

static void snap_take(struct pglist_data *node, struct snap *s)
{
	size_t cap = 0;

	memset(s, 0, sizeof(*s));
	for (int zi = 0; zi < MAX_NR_ZONES; zi++)
		for (int o = 0; o < MAX_ORDER; o++)
			cap += node->zones[zi].free_area[o].nr_free;
	s->blk = calloc(cap + 1, sizeof(*s->blk));
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		struct zone *z = &node->zones[zi];

		s->free_pages[zi] = z->free_pages;
		s->pcp[zi] = zone_pcp_count(z);
		for (unsigned int o = 0; o < MAX_ORDER; o++) {
			struct list_head *pos;

			s->nr_free[zi][o] = z->free_area[o].nr_free;
			list_for_each(pos, &z->free_area[o].free_list) {
				struct page *page = list_entry(pos, struct page, lru);

				if (s->n < cap)
					s->blk[s->n++] = (struct blk){ node_page_to_pfn(node, page), o,
								       (unsigned int)zi };
			}
		}
	}
	qsort(s->blk, s->n, sizeof(*s->blk), blk_cmp);
	s->total = node_free_pages_count(node);
}

static void snap_release(struct snap *s)
{
	free(s->blk);
	s->blk = NULL;
}

/* The free lists are exactly the same (order on the lists aside). */
static void expect_snap_eq(struct ktest *t, const struct snap *a, const struct snap *b)
{
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		EXPECT_EQ(a->free_pages[zi], b->free_pages[zi]);
		EXPECT_EQ(a->pcp[zi], b->pcp[zi]);
		for (int o = 0; o < MAX_ORDER; o++)
			EXPECT_EQ(a->nr_free[zi][o], b->nr_free[zi][o]);
	}
	EXPECT_EQ(a->total, b->total);
	EXPECT_EQ(a->n, b->n);
	for (size_t i = 0; i < a->n && i < b->n; i++) {
		if (a->blk[i].pfn != b->blk[i].pfn || a->blk[i].order != b->blk[i].order ||
		    a->blk[i].zone != b->blk[i].zone) {
			ktest_fail(t, __FILE__, __LINE__,
				   "free block %zu: pfn 0x%lx order %u zone %u != pfn 0x%lx order %u zone %u",
				   i, a->blk[i].pfn, a->blk[i].order, a->blk[i].zone, b->blk[i].pfn,
				   b->blk[i].order, b->blk[i].zone);
			break;
		}
	}
}

/* The free blocks of @s with pfns in [lo, hi) are exactly @want. */
static void expect_blocks(struct ktest *t, const struct snap *s, unsigned long lo,
			  unsigned long hi, const struct blk *want, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct blk *b = &s->blk[i];

		if (b->pfn < lo || b->pfn >= hi)
			continue;
		if (k >= n || b->pfn != want[k].pfn || b->order != want[k].order ||
		    b->zone != want[k].zone) {
			ktest_fail(t, __FILE__, __LINE__,
				   "free block #%zu in [0x%lx, 0x%lx): pfn 0x%lx order %u zone %u unexpected",
				   k, lo, hi, b->pfn, b->order, b->zone);
			return;
		}
		k++;
	}
	EXPECT_EQ(k, n);
}

static bool free_block_at(struct pglist_data *node, unsigned long pfn, unsigned int order)
{
	struct page *p;

	if (!node_pfn_valid(node, pfn))
		return false;
	p = node_pfn_to_page(node, pfn);
	return PageBuddy(p) && page_order(p) == order;
}

/* ---- helpers ------------------------------------------------------------- */

/* Let a zone hand out every page: no watermarks, no lowmem reserve. */
static void open_zone(struct zone *z)
{
	for (int w = 0; w < NR_WMARK; w++)
		z->watermark[w] = 0;
	for (int i = 0; i < MAX_NR_ZONES; i++)
		z->lowmem_reserve[i] = 0;
}

static void open_all_zones(struct pglist_data *node)
{
	for (int zi = 0; zi < MAX_NR_ZONES; zi++)
		open_zone(&node->zones[zi]);
}

/* Is the page at @pfn RAM that no reserved byte touches? (by brute force) */
static bool page_is_free_ram(const struct memblock *mb, unsigned long pfn)
{
	u64 s = PFN_PHYS(pfn), e = s + PAGE_SIZE;
	bool in_ram = false;

	for (int i = 0; i < mb->memory.cnt; i++) {
		const struct memblock_region *r = &mb->memory.regions[i];

		if (s >= r->base && e <= r->base + r->size)
			in_ram = true;
	}
	if (!in_ram)
		return false;
	for (int i = 0; i < mb->reserved.cnt; i++) {
		const struct memblock_region *r = &mb->reserved.regions[i];

		if (s < r->base + r->size && r->base < e)
			return false;
	}
	return true;
}

/* RAM pages of the node that are not free RAM (reserved), by brute force. */
static unsigned long reserved_pages_of(const struct pglist_data *node, const struct memblock *mb)
{
	unsigned long n = 0;

	for (unsigned long pfn = node->node_start_pfn; pfn < node->node_end_pfn; pfn++) {
		bool ram = false;

		for (int i = 0; i < mb->memory.cnt; i++) {
			const struct memblock_region *r = &mb->memory.regions[i];

			ram |= PFN_PHYS(pfn) >= r->base &&
			       PFN_PHYS(pfn) + PAGE_SIZE <= r->base + r->size;
		}
		n += ram && !page_is_free_ram(mb, pfn);
	}
	return n;
}

/* Recognisable contents: three words per page, from a tag. */
static void fill_block(struct page *page, unsigned int order, u64 tag)
{
	u8 *va = page_address(page);

	for (unsigned long i = 0; i < (1ul << order); i++) {
		u64 *w = (u64 *)(va + i * PAGE_SIZE);

		w[0] = tag + i;
		w[PAGE_SIZE / 16] = tag ^ (i << 32);
		w[PAGE_SIZE / 8 - 1] = ~(tag + i);
	}
}

static bool block_holds(struct page *page, unsigned int order, u64 tag)
{
	u8 *va = page_address(page);

	for (unsigned long i = 0; i < (1ul << order); i++) {
		u64 *w = (u64 *)(va + i * PAGE_SIZE);

		if (w[0] != tag + i || w[PAGE_SIZE / 16] != (tag ^ (i << 32)) ||
		    w[PAGE_SIZE / 8 - 1] != ~(tag + i))
			return false;
	}
	return true;
}

static bool block_is_zero(struct page *page, unsigned int order)
{
	return !memchr_inv(page_address(page), 0, PAGE_SIZE << order);
}

static bool block_is_byte(struct page *page, unsigned int order, u8 byte)
{
	const u8 *b = page_address(page);

	for (unsigned long i = 0; i < (PAGE_SIZE << order); i++)
		if (b[i] != byte)
			return false;
	return true;
}

struct held {
	struct page *page;
	unsigned long pfn;
	unsigned int order;
	u64 tag;
};

/* Allocate @order blocks with @gfp until it fails; returns how many. */
static size_t take_all(struct pglist_data *node, gfp_t gfp, unsigned int order, struct held *h,
		       size_t n, size_t max)
{
	size_t start = n;

	while (n < max) {
		struct page *p = node_alloc_pages(node, gfp | __GFP_NOWARN, order);

		if (!p)
			break;
		h[n++] = (struct held){ p, node_page_to_pfn(node, p), order, 0 };
	}
	return n - start;
}

static void free_held(struct pglist_data *node, struct held *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		node_free_pages(node, h[i].page, h[i].order);
}

/* Shuffle (Fisher-Yates). */
static void shuffle(struct held *h, size_t n, u64 *seed)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(fr_rand(seed) % i);
		struct held tmp = h[i - 1];

		h[i - 1] = h[j];
		h[j] = tmp;
	}
}

/* ---- 1. the model -------------------------------------------------------- */

/*
 * Fake RAM: two banks in one section with a 2 MiB hole, a "kernel"
 * reservation that ends inside a page, another one of two partial pages,
 * and the DMA32/Normal boundary 6 MiB in (a 2 MiB boundary inside a 4 MiB
 * block):
 *   [0x80000000, 0x80c00000) RAM     [0x80200000, 0x80300800) reserved
 *   [0x80e00000, 0x81800000) RAM     [0x80a00800, 0x80a01800) reserved
 * One 4 MiB block is whole, [0x81000000, 0x81400000); node_init's data
 * splits the one above it.
 */
#define M_DMA32_END 0x80600ul

static unsigned int model_highest(gfp_t gfp)
{
	return (gfp & __GFP_DMA) ? ZONE_DMA : (gfp & __GFP_DMA32) ? ZONE_DMA32 : ZONE_NORMAL;
}

/* Could any zone @gfp may use have satisfied the request? (the documented
 * rule, computed here from the zone's counters) */
static bool model_could_allocate(struct pglist_data *node, gfp_t gfp, unsigned int order)
{
	unsigned int highest = model_highest(gfp);
	unsigned int top = highest == ZONE_DMA && !node->zones[ZONE_DMA].managed_pages ? ZONE_DMA32
										      : highest;

	for (int zi = (int)top; zi >= 0; zi--) {
		const struct zone *z = &node->zones[zi];
		long min = (long)z->watermark[WMARK_MIN], free;
		bool block = false;

		if (!z->managed_pages)
			continue;
		/* ALLOC_HIGH halves min, ALLOC_HARDER takes a quarter of the rest. */
		if (gfp & __GFP_HIGH)
			min -= min / 2;
		if (gfp & __GFP_ATOMIC)
			min -= min / 4;
		free = (long)z->free_pages - ((1l << order) - 1);
		for (unsigned int o = order; o < MAX_ORDER; o++)
			block |= z->free_area[o].nr_free != 0;
		if (free > min + (long)z->lowmem_reserve[highest] && block)
			return true;
	}
	return false;
}

static void model_random_alloc_free(struct ktest *t)
{
	static const gfp_t gfps[] = { GFP_KERNEL, GFP_ATOMIC, GFP_DMA32, GFP_DMA,
				      GFP_DMA32 | GFP_ATOMIC };
	enum { MAX_LIVE = 2048, STEPS = 12000 };
	struct fakeram *fr = fakeram_new(RAM, 24 * MiB);
	struct pglist_data *node;
	struct held *live = calloc(MAX_LIVE, sizeof(*live));
	u8 *owned = NULL;
	struct snap start, end;
	unsigned long base, span, allocated = 0, free0;
	u64 seed = 0x5eed1234abcdull;
	unsigned int nr_live = 0, fails = 0, small_fails = 0, allocs = 0, by_order[MAX_ORDER] = { 0 };

	ASSERT(fr && live);
	ASSERT_EQ(memblock_add(&fr->mb, RAM, 12 * MiB), 0);
	ASSERT_EQ(memblock_add(&fr->mb, RAM + 14 * MiB, 10 * MiB), 0);
	ASSERT_EQ(memblock_reserve(&fr->mb, 0x80200000, 0x100800), 0);
	ASSERT_EQ(memblock_reserve(&fr->mb, 0x80a00800, 0x1000), 0);
	ASSERT_EQ(fakeram_node_init(fr, &(struct zone_limits){ 0, M_DMA32_END, false }), 0);
	node = &fr->node;
	ASSERT_EQ(node_check(node), 0);
	base = node->node_start_pfn;
	span = node->node_end_pfn - base;
	owned = calloc(span, 1);
	ASSERT(owned);
	EXPECT_EQ(node->zones[ZONE_DMA32].zone_start_pfn, 0x80000);
	EXPECT_EQ(zone_end_pfn(&node->zones[ZONE_DMA32]), M_DMA32_END);
	snap_take(node, &start);
	free0 = node_free_pages_count(node);

	for (int step = 0; step < STEPS && !t->failures; step++) {
		u64 r = fr_rand(&seed);
		/* Waves: fill up to exhaustion, then give most of it back. */
		unsigned int p_alloc = (step / 1500) % 2 ? 30 : 75;
		bool do_alloc = nr_live == 0 || (nr_live < MAX_LIVE && (r % 100) < p_alloc);

		if (do_alloc) {
			unsigned int pick = (unsigned int)((r >> 8) % 100), order;
			gfp_t gfp = gfps[(r >> 16) % ARRAY_SIZE(gfps)] | __GFP_NOWARN;
			bool zero = ((r >> 24) & 7) == 0, slow = (r >> 27) & 1;
			struct page *p;
			unsigned long pfn;

			order = pick < 45 ? 0 : pick < 65 ? 1 + (unsigned int)((r >> 32) % 2)
				: pick < 90 ? 3 + (unsigned int)((r >> 32) % 3)
					    : 6 + (unsigned int)((r >> 32) % 5);
			if (zero)
				gfp |= __GFP_ZERO;
			p = slow ? node_alloc_pages(node, gfp, order) : alloc_pages(gfp, order);
			if (!p) {
				/* Only when no zone the request may use could give it. */
				EXPECT(!model_could_allocate(node, gfp, order));
				fails++;
				small_fails += order <= 1;
				goto check;
			}
			pfn = page_to_pfn(p);
			ASSERT(pfn >= base && pfn + (1ul << order) <= base + span);
			EXPECT(IS_ALIGNED(pfn, 1ul << order));
			EXPECT(PageHead(p) && page_order(p) == order && page_count(p) == 1);
			if (gfp & (__GFP_DMA | __GFP_DMA32))
				EXPECT(pfn + (1ul << order) <= M_DMA32_END);
			EXPECT_EQ(page_zonenum(p), pfn < M_DMA32_END ? ZONE_DMA32 : ZONE_NORMAL);
			for (unsigned long i = 0; i < (1ul << order); i++) {
				EXPECT(!owned[pfn + i - base]);
				EXPECT(page_is_free_ram(&fr->mb, pfn + i));
				owned[pfn + i - base] = 1;
			}
			if (zero)
				EXPECT(block_is_zero(p, order));
			live[nr_live] = (struct held){ p, pfn, order, r };
			fill_block(p, order, r);
			nr_live++;
			allocated += 1ul << order;
			allocs++;
			by_order[order]++;
		} else {
			unsigned int i = (unsigned int)((r >> 8) % nr_live);
			struct held h = live[i];

			EXPECT(block_holds(h.page, h.order, h.tag));
			for (unsigned long k = 0; k < (1ul << h.order); k++)
				owned[h.pfn + k - base] = 0;
			switch ((r >> 20) % 4) {
			case 0:
				__free_pages(h.page, h.order);
				break;
			case 1:
				free_pages((unsigned long)page_address(h.page), h.order);
				break;
			case 2:
				put_page(h.page);
				break;
			default:
				node_free_pages(node, h.page, h.order);
				break;
			}
			live[i] = live[--nr_live];
			allocated -= 1ul << h.order;
		}
check:
		ASSERT_EQ(node_check(node), 0);
		ASSERT_EQ(node_free_pages_count(node), free0 - allocated);
		ASSERT_EQ(node->nr_bad_pages, 0);
		/* Nobody wrote into a block while it was allocated. */
		if (step % 256 == 0)
			for (unsigned int i = 0; i < nr_live; i++)
				EXPECT(block_holds(live[i].page, live[i].order, live[i].tag));
	}
	/* The run covered what it is for. */
	EXPECT(fails > 10);
	EXPECT(small_fails > 10); /* refusals at the watermarks, not just of big blocks */
	EXPECT(allocs > STEPS / 3);
	for (int o = 0; o < MAX_ORDER; o++)
		EXPECT(by_order[o] > 0);

	for (unsigned int i = 0; i < nr_live; i++) {
		EXPECT(block_holds(live[i].page, live[i].order, live[i].tag));
		__free_pages(live[i].page, live[i].order);
	}
	node_drain_pages(node);
	EXPECT_EQ(node_check(node), 0);
	snap_take(node, &end);
	expect_snap_eq(t, &start, &end);
	EXPECT_EQ(node_free_pages_count(node), free0);
	snap_release(&start);
	snap_release(&end);
	free(owned);
	free(live);
	fakeram_done(fr);
}

/* ---- 2. split and merge -------------------------------------------------- */

static void split_and_merge_exact(struct ktest *t)
{
	struct fakeram *fr = fakeram_simple(RAM, 8 * MiB, &lim_4g);
	struct pglist_data *node;
	struct zone *z;
	struct held *hold = calloc(4096, sizeof(*hold));
	size_t nh = 0;
	struct snap start, end;
	struct page *p0, *p1, *p2, *p3, *big;
	unsigned long f;

	ASSERT(fr && hold);
	node = &fr->node;
	z = &node->zones[ZONE_DMA32];
	snap_take(node, &start);
	/* node_init's data lies at the top: the low 4 MiB are one block. */
	EXPECT(free_block_at(node, 0x80000, 10));
	for (int cpu = 0; cpu < MAX_HARTS; cpu++)
		z->pcp[cpu].batch = 1; /* order-0 refills take exactly one page */
	/* Take every smaller block, smallest first, so only that one is left. */
	for (unsigned int o = 0; o < MAX_ORDER - 1; o++)
		while (z->free_area[o].nr_free) {
			struct page *p = node_alloc_pages(node, GFP_KERNEL, o);

			ASSERT(p);
			hold[nh++] = (struct held){ p, page_to_pfn(p), o, 0 };
		}
	ASSERT_EQ(z->free_area[MAX_ORDER - 1].nr_free, 1);
	ASSERT(free_block_at(node, 0x80000, 10));
	f = z->free_pages;
	EXPECT_EQ(f, 1024);

	/* Order 0 from a pristine 4 MiB block: one free block at each order
	 * 0..9, the upper halves. */
	p0 = alloc_pages(GFP_KERNEL, 0);
	ASSERT(p0);
	EXPECT_EQ(page_to_pfn(p0), 0x80000);
	for (unsigned int o = 0; o < MAX_ORDER - 1; o++) {
		EXPECT_EQ(z->free_area[o].nr_free, 1);
		EXPECT(free_block_at(node, 0x80000 + (1ul << o), o));
	}
	EXPECT_EQ(z->free_area[10].nr_free, 0);
	EXPECT_EQ(z->free_pages, f - 1);
	EXPECT_EQ(zone_pcp_count(z), 0);
	EXPECT_EQ(node_check(node), 0);

	p1 = alloc_pages(GFP_KERNEL, 0);
	p3 = alloc_pages(GFP_KERNEL, 3);
	p2 = alloc_pages(GFP_KERNEL, 2);
	ASSERT(p1 && p2 && p3);
	EXPECT_EQ(page_to_pfn(p1), 0x80001);
	EXPECT_EQ(page_to_pfn(p3), 0x80008);
	EXPECT_EQ(page_to_pfn(p2), 0x80004);
	EXPECT_EQ(z->free_area[0].nr_free, 0);
	EXPECT_EQ(z->free_area[2].nr_free, 0);
	EXPECT_EQ(z->free_area[3].nr_free, 0);
	EXPECT_EQ(z->free_pages, f - 14);
	EXPECT_EQ(node_check(node), 0);

	/* Buddy 0x80001 is allocated: 0x80000 stays an order-0 block. */
	__free_pages(p0, 0);
	EXPECT_EQ(zone_pcp_count(z), 1);
	node_drain_pages(node);
	EXPECT_EQ(zone_pcp_count(z), 0);
	EXPECT(free_block_at(node, 0x80000, 0));
	EXPECT_EQ(z->free_area[0].nr_free, 1);
	EXPECT_EQ(node_check(node), 0);
	/* 0x80001 joins it, then 0x80002 (order 1); 0x80004 is allocated. */
	__free_pages(p1, 0);
	node_drain_pages(node);
	EXPECT_EQ(z->free_area[0].nr_free, 0);
	EXPECT_EQ(z->free_area[1].nr_free, 0);
	EXPECT_EQ(z->free_area[2].nr_free, 1);
	EXPECT(free_block_at(node, 0x80000, 2));
	EXPECT(!PageBuddy(pfn_to_page(0x80001)) && !PageBuddy(pfn_to_page(0x80002)));
	EXPECT_EQ(node_check(node), 0);
	__free_pages(p2, 2); /* (onto the per-hart list of order 2, then drained) */
	EXPECT_EQ(zone_pcp_count(z), 4);
	node_drain_pages(node);
	EXPECT_EQ(z->free_area[2].nr_free, 0);
	EXPECT_EQ(z->free_area[3].nr_free, 1);
	EXPECT(free_block_at(node, 0x80000, 3));
	EXPECT_EQ(node_check(node), 0);
	/* The last piece: everything merges back into one order-10 block. */
	__free_pages(p3, 3);
	node_drain_pages(node);
	for (unsigned int o = 0; o < MAX_ORDER - 1; o++)
		EXPECT_EQ(z->free_area[o].nr_free, 0);
	EXPECT_EQ(z->free_area[10].nr_free, 1);
	EXPECT(free_block_at(node, 0x80000, 10));
	EXPECT_EQ(z->free_pages, f);
	EXPECT_EQ(node_check(node), 0);

	/* An order-10 request takes the block whole: no split (with the
	 * watermarks out of the way, so it may take the last 4 MiB). */
	open_zone(z);
	big = alloc_pages(GFP_ATOMIC, 10);
	ASSERT(big);
	EXPECT_EQ(page_to_pfn(big), 0x80000);
	for (unsigned int o = 0; o < MAX_ORDER; o++)
		EXPECT_EQ(z->free_area[o].nr_free, 0);
	EXPECT_EQ(z->free_pages, 0);
	/* Nothing is left for anyone. */
	EXPECT(alloc_pages(GFP_ATOMIC | __GFP_NOWARN, 0) == NULL);
	__free_pages(big, 10);
	EXPECT_EQ(z->free_pages, f);

	free_held(node, hold, nh);
	node_drain_pages(node);
	EXPECT_EQ(node_check(node), 0);
	snap_take(node, &end);
	expect_snap_eq(t, &start, &end);
	snap_release(&start);
	snap_release(&end);
	free(hold);
	fakeram_done(fr);
}

/* Hand out every page one by one, give them back in random order: the free
 * lists must come back exactly as node_init built them. */
static void page_by_page_round_trip(struct ktest *t, struct pglist_data *node, u64 seed)
{
	unsigned long total = node_free_pages_count(node);
	struct held *h = calloc(total + 1, sizeof(*h));
	struct snap before, after;
	size_t n;

	ASSERT(h);
	open_all_zones(node);
	snap_take(node, &before);
	n = take_all(node, GFP_KERNEL, 0, h, 0, total + 1);
	EXPECT_EQ(n, total);
	EXPECT_EQ(node_free_pages_count(node), 0);
	EXPECT_EQ(node_check(node), 0);
	shuffle(h, n, &seed);
	free_held(node, h, n);
	node_drain_pages(node);
	EXPECT_EQ(node_check(node), 0);
	snap_take(node, &after);
	expect_snap_eq(t, &before, &after);
	snap_release(&before);
	snap_release(&after);
	free(h);
}

/* ---- 3. zone boundaries and holes ---------------------------------------- */

static void no_merge_across_zone_boundary(struct ktest *t)
{
	/* 16 MiB; DMA32 ends 6 MiB in, on a 2 MiB (order-9) boundary. */
	struct fakeram *fr = fakeram_new(RAM, 16 * MiB);
	struct pglist_data *node;
	struct zone *dma32, *normal;
	struct held hold[16];
	struct page *lo = NULL, *hi = NULL;
	size_t nh = 0;
	struct snap s;

	ASSERT(fr);
	ASSERT_EQ(memblock_add(&fr->mb, RAM, 16 * MiB), 0);
	ASSERT_EQ(fakeram_node_init(fr, &(struct zone_limits){ 0, 0x80600, false }), 0);
	node = &fr->node;
	dma32 = &node->zones[ZONE_DMA32];
	normal = &node->zones[ZONE_NORMAL];
	EXPECT_EQ(dma32->zone_start_pfn, 0x80000);
	EXPECT_EQ(dma32->spanned_pages, 0x600);
	EXPECT_EQ(dma32->present_pages, 0x600);
	EXPECT_EQ(dma32->managed_pages, 0x600); /* node_init's data went to the top */
	EXPECT_EQ(normal->zone_start_pfn, 0x80600);
	EXPECT_EQ(normal->spanned_pages, 0xa00);
	EXPECT_EQ(normal->present_pages, 0xa00);
	snap_take(node, &s);
	/* 0x80400 (DMA32) and 0x80600 (Normal) are buddies of order 9. */
	expect_blocks(t, &s, 0x80000, 0x80c00,
		      (const struct blk[]){ { 0x80000, 10, ZONE_DMA32 },
					    { 0x80400, 9, ZONE_DMA32 },
					    { 0x80600, 9, ZONE_NORMAL },
					    { 0x80800, 10, ZONE_NORMAL } },
		      4);
	snap_release(&s);

	/* Take both halves, give them back in both orders: never one block. */
	for (int round = 0; round < 2; round++) {
		lo = node_alloc_pages(node, GFP_DMA32, 9);
		ASSERT(lo);
		EXPECT_EQ(page_to_pfn(lo), 0x80400);
		while (nh < ARRAY_SIZE(hold)) {
			struct page *p = node_alloc_pages(node, GFP_KERNEL, 9);

			ASSERT(p);
			if (page_to_pfn(p) == 0x80600) {
				hi = p;
				break;
			}
			hold[nh++] = (struct held){ p, page_to_pfn(p), 9, 0 };
		}
		ASSERT(hi);
		if (round == 0) {
			__free_pages(lo, 9);
			__free_pages(hi, 9);
		} else {
			__free_pages(hi, 9);
			__free_pages(lo, 9);
		}
		EXPECT(free_block_at(node, 0x80400, 9));
		EXPECT(free_block_at(node, 0x80600, 9));
		EXPECT_EQ(page_zonenum(pfn_to_page(0x80400)), ZONE_DMA32);
		EXPECT_EQ(dma32->free_area[9].nr_free, 1);
		EXPECT_EQ(dma32->free_area[10].nr_free, 1);
		EXPECT_EQ(dma32->free_pages, 0x600);
		EXPECT_EQ(node_check(node), 0);
		free_held(node, hold, nh);
		nh = 0;
		hi = NULL;
	}
	page_by_page_round_trip(t, node, 1);
	fakeram_done(fr);
}

/*
 * node_check's walk of every page skips a zone's holes whole (a zone may
 * span banks 62 GiB apart) and still reaches every page after them: a tail
 * page carrying another zone's index, which only that walk reads, is found
 * on the first and the last page after a hole of six sections.
 */
static void check_walks_past_holes(struct ktest *t)
{
	struct fakeram *fr = fakeram_new(0x80000000, 1024 * MiB);
	unsigned long hi = PFN(0xb8000000), pfns[] = { PFN(0xb8000000) + 1, PFN(0xb9000000) - 1 };
	struct pglist_data *node;

	ASSERT(fr);
	if (memblock_add(&fr->mb, 0x80000000, 16 * MiB) || memblock_add(&fr->mb, 0xb8000000, 16 * MiB) ||
	    fakeram_node_init(fr, &lim_4g)) {
		fakeram_done(fr);
		ASSERT(!"two banks 880 MiB apart set up");
	}
	node = &fr->node;
	EXPECT_EQ(node->zones[ZONE_DMA32].zone_start_pfn, PFN(0x80000000));
	EXPECT_EQ(zone_end_pfn(&node->zones[ZONE_DMA32]), PFN(0xb9000000));
	EXPECT(!node_pfn_valid(node, hi - 1));
	EXPECT_EQ(node_check(node), 0);
	for (size_t i = 0; i < ARRAY_SIZE(pfns); i++) {
		struct page *p = node_pfn_to_page(node, pfns[i]);

		EXPECT(!(p->flags & (PG_buddy | PG_head))); /* a tail: pass 1 reads no zone there */
		p->flags ^= (ZONE_DMA32 ^ ZONE_NORMAL) << PAGE_ZONE_SHIFT;
		EXPECT_EQ(node_check(node), 1);
		p->flags ^= (ZONE_DMA32 ^ ZONE_NORMAL) << PAGE_ZONE_SHIFT;
	}
	EXPECT_EQ(node_check(node), 0);
	fakeram_done(fr);
}

static void no_merge_across_holes_or_reserved(struct ktest *t)
{
	/*
	 * Section 0 (0x80000000-0x88000000): RAM [0x80200000, 0x80600000) and
	 * [0x80800000, 0x80a00000). Each of its three order-9 blocks has its
	 * buddy in a hole: below the section's first struct page (0x80000),
	 * in the hole between the banks (0x80600: reserved struct pages), or
	 * past its last struct page (0x80a00).
	 * Section 1: [0x88000000, 0x88200000) with one reserved page at
	 * 0x88100000, and [0x88800000, 0x88c00000) where node_init's data goes.
	 */
	struct fakeram *fr = fakeram_new(RAM, 0x8c00000);
	struct pglist_data *node;
	struct held taken[1024];
	size_t n = 0;
	struct snap s;

	ASSERT(fr);
	ASSERT_EQ(memblock_add(&fr->mb, 0x80200000, 4 * MiB), 0);
	ASSERT_EQ(memblock_add(&fr->mb, 0x80800000, 2 * MiB), 0);
	ASSERT_EQ(memblock_add(&fr->mb, 0x88000000, 2 * MiB), 0);
	ASSERT_EQ(memblock_add(&fr->mb, 0x88800000, 4 * MiB), 0);
	ASSERT_EQ(memblock_reserve(&fr->mb, 0x88100000, PAGE_SIZE), 0);
	ASSERT_EQ(fakeram_node_init(fr, &lim_4g), 0);
	node = &fr->node;
	EXPECT_EQ(node->node_present_pages, 0x400 + 0x200 + 0x200 + 0x400);
	EXPECT_EQ(node->nr_sections, 2);
	/* A section has struct pages from its first to its last RAM page. */
	EXPECT_EQ(node->sections[0].start_pfn, 0x80200);
	EXPECT_EQ(node->sections[0].end_pfn, 0x80a00);
	EXPECT_EQ(node->sections[1].start_pfn, 0x88000);
	EXPECT_EQ(node->sections[1].end_pfn, 0x88c00);
	EXPECT_EQ(node->memmap_pages, 0x800 + 0xc00);
	EXPECT(PageReserved(pfn_to_page(0x80600)) && PageReserved(pfn_to_page(0x807ff)));
	EXPECT(PageReserved(pfn_to_page(0x88100)) && PageReserved(pfn_to_page(0x88200)));
	snap_take(node, &s);
	expect_blocks(t, &s, 0x80000, 0x88800,
		      (const struct blk[]){ { 0x80200, 9, ZONE_DMA32 },
					    { 0x80400, 9, ZONE_DMA32 },
					    { 0x80800, 9, ZONE_DMA32 },
					    { 0x88000, 8, ZONE_DMA32 },
					    { 0x88101, 0, ZONE_DMA32 },
					    { 0x88102, 1, ZONE_DMA32 },
					    { 0x88104, 2, ZONE_DMA32 },
					    { 0x88108, 3, ZONE_DMA32 },
					    { 0x88110, 4, ZONE_DMA32 },
					    { 0x88120, 5, ZONE_DMA32 },
					    { 0x88140, 6, ZONE_DMA32 },
					    { 0x88180, 7, ZONE_DMA32 } },
		      12);
	snap_release(&s);
	/* The page next to the reserved one comes back as order 0. */
	while (n < ARRAY_SIZE(taken)) {
		struct page *p = node_alloc_pages(node, GFP_KERNEL, 0);

		ASSERT(p);
		taken[n++] = (struct held){ p, page_to_pfn(p), 0, 0 };
		if (page_to_pfn(p) == 0x88101)
			break;
	}
	ASSERT_EQ(taken[n - 1].pfn, 0x88101);
	free_held(node, taken, n);
	node_drain_pages(node);
	EXPECT(free_block_at(node, 0x88101, 0));
	EXPECT_EQ(node_check(node), 0);
	/* Every page out and back in, one by one: still no merge. */
	page_by_page_round_trip(t, node, 2);
	EXPECT(free_block_at(node, 0x80200, 9));
	EXPECT(free_block_at(node, 0x80400, 9));
	EXPECT(free_block_at(node, 0x80800, 9));
	EXPECT(free_block_at(node, 0x88000, 8));
	EXPECT(free_block_at(node, 0x88101, 0));
	fakeram_done(fr);
}

static void partial_pages_at_bank_edges(struct ktest *t)
{
	/*
	 * Banks that start and end inside a page: [0x80000800, 0x803fff00)
	 * and [0x80400100, 0x80800000). Only whole pages are RAM: 0x80001 to
	 * 0x803fe and 0x80401 to 0x807ff; 0x80000, 0x803ff and 0x80400 are not
	 * (their struct pages exist and stay reserved).
	 */
	struct fakeram *fr = fakeram_new(RAM, 8 * MiB);
	struct pglist_data *node;
	struct zone *z;
	unsigned long present = (0x803ff - 0x80001) + (0x80800 - 0x80401);

	ASSERT(fr);
	ASSERT_EQ(memblock_add(&fr->mb, 0x80000800, 0x3ff700), 0);
	ASSERT_EQ(memblock_add(&fr->mb, 0x80400100, 0x3fff00), 0);
	ASSERT_EQ(fakeram_node_init(fr, &lim_4g), 0);
	node = &fr->node;
	z = &node->zones[ZONE_DMA32];
	EXPECT_EQ(node->node_start_pfn, 0x80001);
	EXPECT_EQ(node->node_end_pfn, 0x80800);
	EXPECT_EQ(node->node_present_pages, present);
	EXPECT_EQ(z->zone_start_pfn, 0x80001);
	EXPECT_EQ(z->spanned_pages, 0x7ff);
	EXPECT_EQ(z->present_pages, present);
	EXPECT_EQ(z->managed_pages, present - reserved_pages_of(node, &fr->mb));
	EXPECT(!pfn_valid(0x80000));
	EXPECT(pfn_valid(0x803ff) && PageReserved(pfn_to_page(0x803ff)));
	EXPECT(pfn_valid(0x80400) && PageReserved(pfn_to_page(0x80400)));
	EXPECT(free_block_at(node, 0x80001, 0));
	EXPECT(free_block_at(node, 0x80100, 8));
	EXPECT(free_block_at(node, 0x80200, 8));
	EXPECT(free_block_at(node, 0x803fe, 0));
	EXPECT(free_block_at(node, 0x80401, 0));
	page_by_page_round_trip(t, node, 3);
	fakeram_done(fr);
}

/* ---- 4. reserved pages --------------------------------------------------- */

static void reserved_pages_never_handed_out(struct ktest *t)
{
	struct fakeram *fr = fakeram_new(RAM, 20 * MiB);
	struct pglist_data *node;
	unsigned long base, span, managed = 0, handed = 0, expected = 0;
	struct held *h;
	u8 *got;
	size_t n = 0;

	ASSERT(fr);
	ASSERT_EQ(memblock_add(&fr->mb, RAM, 16 * MiB), 0);
	ASSERT_EQ(memblock_reserve(&fr->mb, 0x80000000, 0x80000), 0);  /* firmware */
	ASSERT_EQ(memblock_reserve(&fr->mb, 0x80200000, 0x201234), 0); /* kernel, odd end */
	ASSERT_EQ(memblock_reserve(&fr->mb, 0x80abc123, 0x10), 0);     /* inside one page */
	ASSERT_EQ(memblock_reserve_flags(&fr->mb, 0x80c00000, 0x10000, MEMBLOCK_NOMAP), 0);
	ASSERT_EQ(memblock_reserve(&fr->mb, 0x80fffff0, 0x20), 0);     /* across RAM's end */
	ASSERT_EQ(memblock_reserve(&fr->mb, 0x81100000, 0x1000), 0);   /* outside RAM */
	ASSERT_EQ(fakeram_node_init(fr, &(struct zone_limits){ 0, 0x80800, false }), 0);
	node = &fr->node;
	ASSERT_EQ(node_check(node), 0);
	base = node->node_start_pfn;
	span = node->node_end_pfn - base;
	for (int zi = 0; zi < MAX_NR_ZONES; zi++)
		managed += node->zones[zi].managed_pages;
	for (unsigned long pfn = base; pfn < base + span; pfn++)
		expected += page_is_free_ram(&fr->mb, pfn);
	EXPECT_EQ(managed, expected);
	EXPECT_EQ(node_free_pages_count(node), expected);

	h = calloc(span, sizeof(*h));
	got = calloc(span, 1);
	ASSERT(h && got);
	open_all_zones(node);
	/* Exhaust the node, largest blocks first, from both zones. */
	for (int o = MAX_ORDER - 1; o >= 0; o--) {
		n += take_all(node, GFP_DMA32, (unsigned int)o, h, n, span);
		n += take_all(node, GFP_ATOMIC, (unsigned int)o, h, n, span);
	}
	EXPECT_EQ(node_free_pages_count(node), 0);
	for (size_t i = 0; i < n; i++)
		for (unsigned long k = 0; k < (1ul << h[i].order); k++) {
			unsigned long pfn = h[i].pfn + k;

			ASSERT(pfn >= base && pfn < base + span);
			EXPECT(!got[pfn - base]);
			EXPECT(page_is_free_ram(&fr->mb, pfn));
			got[pfn - base] = 1;
			handed++;
		}
	/* ...and every page that is free RAM was handed out. */
	EXPECT_EQ(handed, expected);
	for (unsigned long pfn = base; pfn < base + span; pfn++)
		if (page_is_free_ram(&fr->mb, pfn) != (bool)got[pfn - base]) {
			ktest_fail(t, __FILE__, __LINE__, "pfn 0x%lx: handed out %d", pfn,
				   got[pfn - base]);
			break;
		}
	EXPECT(PageReserved(pfn_to_page(0x80401)));
	EXPECT(PageReserved(pfn_to_page(0x80abc)));
	EXPECT(PageReserved(pfn_to_page(0x80fff)));
	EXPECT(!PageReserved(pfn_to_page(0x80402)) && !PageReserved(pfn_to_page(0x80abd)));
	free_held(node, h, n);
	node_drain_pages(node);
	EXPECT_EQ(node_check(node), 0);
	EXPECT_EQ(node_free_pages_count(node), expected);
	free(h);
	free(got);
	fakeram_done(fr);
}

/* ---- 5. bad frees -------------------------------------------------------- */

#define BAD_PAGE "BUG: Bad page state"
#define R_DOUBLE "freeing a free page (double free)"
#define R_NOT_HEAD "not the head of an allocated block"
#define R_ORDER "freed with another order than it was allocated with"
#define R_RESERVED "freeing a reserved page"
#define R_REF "reference count already zero"
#define R_RANGE "order out of range"
#define R_NOT_RAM "free_pages of an address that is not a page of RAM"

struct bad {
	struct snap before;
	unsigned long nr_bad;
	struct fr_capture cap;
	char out[2048];
};

static void bad_begin(struct pglist_data *node, struct bad *b)
{
	snap_take(node, &b->before);
	b->nr_bad = node->nr_bad_pages;
	fr_capture_start(&b->cap);
}

/* One bad free was reported (with @reason or @alt) and nothing changed. */
static void bad_end(struct ktest *t, int line, struct pglist_data *node, struct bad *b,
		    const char *reason, const char *alt, const char *banner)
{
	struct snap after;
	const char *got;

	fr_capture_end(&b->cap, b->out, sizeof(b->out));
	got = node->last_bad_reason;
	if (node->nr_bad_pages != b->nr_bad + 1)
		ktest_fail(t, __FILE__, line, "nr_bad_pages %lu, want %lu", node->nr_bad_pages,
			   b->nr_bad + 1);
	if (!ktest_streq_(got, reason) && !(alt && ktest_streq_(got, alt)))
		ktest_fail(t, __FILE__, line, "last_bad_reason \"%s\", want \"%s\"",
			   got ? got : "(null)", reason);
	if (fr_count_substr(b->out, banner) != 1 || fr_count_substr(b->out, "BUG:") != 1 ||
	    (strcmp(banner, BAD_PAGE) == 0 && got && !strstr(b->out, got)))
		ktest_fail(t, __FILE__, line, "printed \"%.80s\"", b->out);
	if (node_check(node) != 0)
		ktest_fail(t, __FILE__, line, "node_check failed after the bad free");
	snap_take(node, &after);
	expect_snap_eq(t, &b->before, &after);
	snap_release(&after);
	snap_release(&b->before);
}

static struct fakeram *bad_setup(void)
{
	struct fakeram *fr = fakeram_new(RAM, 8 * MiB);

	if (!fr)
		return NULL;
	if (memblock_add(&fr->mb, RAM, 8 * MiB) ||
	    memblock_reserve(&fr->mb, 0x80200000, 0x100000) || /* "kernel" */
	    fakeram_node_init(fr, &lim_4g)) {
		fakeram_done(fr);
		return NULL;
	}
	return fr;
}

static void bad_double_free(struct ktest *t)
{
	struct fakeram *fr = bad_setup();
	struct pglist_data *node;
	struct page *p, *q;
	struct bad b;

	ASSERT(fr);
	node = &fr->node;
	/* Order 0, while the page sits on a per-hart list. */
	p = alloc_pages(GFP_KERNEL, 0);
	ASSERT(p);
	__free_pages(p, 0);
	bad_begin(node, &b);
	__free_pages(p, 0);
	bad_end(t, __LINE__, node, &b, R_DOUBLE, NULL, BAD_PAGE);
	bad_begin(node, &b);
	node_free_pages(node, p, 0);
	bad_end(t, __LINE__, node, &b, R_DOUBLE, NULL, BAD_PAGE);
	/* ...and once it is back in the buddy lists (merged or not). */
	node_drain_pages(node);
	bad_begin(node, &b);
	__free_pages(p, 0);
	bad_end(t, __LINE__, node, &b, R_DOUBLE, R_NOT_HEAD, BAD_PAGE);
	/* Order 3. */
	q = alloc_pages(GFP_KERNEL, 3);
	ASSERT(q);
	__free_pages(q, 3);
	bad_begin(node, &b);
	__free_pages(q, 3);
	bad_end(t, __LINE__, node, &b, R_DOUBLE, R_NOT_HEAD, BAD_PAGE);
	/* A block's head that merged into a lower buddy is no free head. */
	q = alloc_pages(GFP_KERNEL, 3);
	ASSERT(q);
	p = alloc_pages(GFP_KERNEL, 3);
	ASSERT(p);
	__free_pages(q, 3);
	__free_pages(p, 3);
	bad_begin(node, &b);
	__free_pages(page_to_pfn(p) > page_to_pfn(q) ? p : q, 3);
	bad_end(t, __LINE__, node, &b, R_DOUBLE, R_NOT_HEAD, BAD_PAGE);
	EXPECT_EQ(node->nr_bad_pages, 5);
	fakeram_done(fr);
}

static void bad_reserved_tail_and_order(struct ktest *t)
{
	struct fakeram *fr = bad_setup();
	struct pglist_data *node;
	struct page *r, *kernel;
	struct bad b;

	ASSERT(fr);
	node = &fr->node;
	kernel = pfn_to_page(PFN(0x80200000));
	ASSERT(PageReserved(kernel));
	bad_begin(node, &b);
	__free_pages(kernel, 0);
	bad_end(t, __LINE__, node, &b, R_RESERVED, NULL, BAD_PAGE);
	bad_begin(node, &b);
	free_pages((unsigned long)phys_to_virt(0x802ff000), 0);
	bad_end(t, __LINE__, node, &b, R_RESERVED, NULL, BAD_PAGE);
	bad_begin(node, &b);
	put_page(kernel);
	bad_end(t, __LINE__, node, &b, R_RESERVED, NULL, BAD_PAGE);
	/* The struct pages of node_init's own data are reserved too. */
	bad_begin(node, &b);
	free_pages(ALIGN_DOWN((unsigned long)node->sections, PAGE_SIZE), 0);
	bad_end(t, __LINE__, node, &b, R_RESERVED, NULL, BAD_PAGE);

	r = alloc_pages(GFP_KERNEL, 2);
	ASSERT(r);
	/* Tail pages. */
	bad_begin(node, &b);
	__free_pages(r + 1, 0);
	bad_end(t, __LINE__, node, &b, R_NOT_HEAD, NULL, BAD_PAGE);
	bad_begin(node, &b);
	__free_pages(r + 2, 1);
	bad_end(t, __LINE__, node, &b, R_NOT_HEAD, NULL, BAD_PAGE);
	/* Wrong orders. */
	bad_begin(node, &b);
	__free_pages(r, 1);
	bad_end(t, __LINE__, node, &b, R_ORDER, NULL, BAD_PAGE);
	bad_begin(node, &b);
	__free_pages(r, 0);
	bad_end(t, __LINE__, node, &b, R_ORDER, NULL, BAD_PAGE);
	bad_begin(node, &b);
	free_pages((unsigned long)page_address(r), 3);
	bad_end(t, __LINE__, node, &b, R_ORDER, NULL, BAD_PAGE);
	bad_begin(node, &b);
	__free_pages(r, MAX_ORDER);
	bad_end(t, __LINE__, node, &b, R_RANGE, NULL, BAD_PAGE);
	/* The block is still allocated and frees normally. */
	EXPECT(PageHead(r) && page_count(r) == 1 && page_order(r) == 2);
	{
		unsigned long before = node_free_pages_count(node);

		__free_pages(r, 2);
		EXPECT_EQ(node_free_pages_count(node), before + 4);
	}
	EXPECT_EQ(node->nr_bad_pages, 10);
	EXPECT_EQ(node_check(node), 0);
	fakeram_done(fr);
}

static void bad_references(struct ktest *t)
{
	struct fakeram *fr = bad_setup();
	struct pglist_data *node;
	struct page *s, *z;
	struct bad b;
	unsigned long f;

	ASSERT(fr);
	node = &fr->node;
	for (unsigned int order = 0; order < 2; order++) {
		s = alloc_pages(GFP_KERNEL, order);
		ASSERT(s);
		f = node_free_pages_count(node);
		get_page(s);
		EXPECT_EQ(page_count(s), 2);
		put_page(s); /* not the last reference: nothing is freed */
		EXPECT_EQ(page_count(s), 1);
		EXPECT(PageHead(s));
		EXPECT_EQ(node_free_pages_count(node), f);
		EXPECT_EQ(node_check(node), 0);
		put_page(s); /* the last one frees the block */
		EXPECT_EQ(node_free_pages_count(node), f + (1ul << order));
		bad_begin(node, &b);
		put_page(s); /* one too many */
		bad_end(t, __LINE__, node, &b, R_DOUBLE, R_NOT_HEAD, BAD_PAGE);
	}
	/* An allocated head whose count someone dropped behind our back. */
	z = alloc_pages(GFP_KERNEL, 1);
	ASSERT(z);
	bad_begin(node, &b);
	z->refcount = 0;
	__free_pages(z, 1);
	z->refcount = 1; /* (node_check would rightly complain) */
	bad_end(t, __LINE__, node, &b, R_REF, NULL, BAD_PAGE);
	__free_pages(z, 1);
	EXPECT_EQ(node->nr_bad_pages, 3);
	EXPECT_EQ(node_check(node), 0);
	fakeram_done(fr);
}

static void bad_free_pages_address(struct ktest *t)
{
	struct fakeram *fr = bad_setup();
	struct pglist_data *node;
	unsigned long a;
	struct bad b;

	ASSERT(fr);
	node = &fr->node;
	/* Past the end of RAM, below it, and not page aligned. */
	bad_begin(node, &b);
	free_pages((unsigned long)phys_to_virt(RAM + 8 * MiB), 0);
	bad_end(t, __LINE__, node, &b, R_NOT_RAM, NULL, "BUG: free_pages(");
	bad_begin(node, &b);
	free_pages((unsigned long)phys_to_virt(RAM - PAGE_SIZE), 2);
	bad_end(t, __LINE__, node, &b, R_NOT_RAM, NULL, "BUG: free_pages(");
	a = __get_free_pages(GFP_KERNEL, 1);
	ASSERT(a);
	bad_begin(node, &b);
	free_pages(a + 8, 1);
	bad_end(t, __LINE__, node, &b, R_NOT_RAM, NULL, "BUG: free_pages(");
	free_pages(a, 1);
	/* free_pages(0) is a no-op, as in Linux. */
	free_pages(0, 0);
	free_page(0);
	EXPECT_EQ(node->nr_bad_pages, 3);
	EXPECT_EQ(node_check(node), 0);
	fakeram_done(fr);
}

/* ---- 6. watermarks and zones --------------------------------------------- */

/* Order-0 pages with @gfp until the allocator says no; returns how many. */
static size_t drain_order0(gfp_t gfp, struct held *h, size_t n, size_t max)
{
	size_t start = n;
	struct page *p;

	while (n < max && (p = alloc_pages(gfp | __GFP_NOWARN, 0)) != NULL)
		h[n++] = (struct held){ p, page_to_pfn(p), 0, 0 };
	return n - start;
}

static void watermark_min_and_atomic(struct ktest *t)
{
	/* 64 MiB: one zone, per-hart batches of more than one page. */
	struct fakeram *fr = fakeram_simple(RAM, 64 * MiB, &lim_4g);
	struct pglist_data *node;
	struct zone *z;
	struct held *h;
	size_t n = 0, max = 16384, atomic;
	unsigned long min;
	struct snap start, end;

	ASSERT(fr);
	node = &fr->node;
	z = &node->zones[ZONE_DMA32];
	min = z->watermark[WMARK_MIN];
	ASSERT(min > 100);
	EXPECT(z->watermark[WMARK_LOW] > min && z->watermark[WMARK_HIGH] > z->watermark[WMARK_LOW]);
	h = calloc(max, sizeof(*h));
	ASSERT(h);
	snap_take(node, &start);
	/* GFP_KERNEL: big blocks, then pages, until refused. */
	for (int o = MAX_ORDER - 1; o > 0; o--)
		n += take_all(node, GFP_KERNEL, (unsigned int)o, h, n, max);
	n += drain_order0(GFP_KERNEL, h, n, max);
	/* It stops exactly at the min watermark, with nothing on per-hart lists. */
	EXPECT_EQ(z->free_pages, min);
	EXPECT_EQ(zone_pcp_count(z), 0);
	EXPECT_EQ(nr_free_pages(), min);
	EXPECT(alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0) == NULL);
	EXPECT(node_alloc_pages(node, GFP_KERNEL | __GFP_NOWARN, 1) == NULL);
	/* __GFP_HIGH alone (ALLOC_HIGH) may go down to half of min... */
	atomic = drain_order0(__GFP_HIGH, h, n, max);
	n += atomic;
	EXPECT_EQ(atomic, min / 2);
	EXPECT_EQ(nr_free_pages(), min - min / 2);
	EXPECT(alloc_pages(__GFP_HIGH | __GFP_NOWARN, 0) == NULL);
	/* ...GFP_ATOMIC (ALLOC_HIGH and ALLOC_HARDER) a quarter below that:
	 * its floor is min - min/2 - (min - min/2)/4. */
	atomic = drain_order0(GFP_ATOMIC, h, n, max);
	n += atomic;
	EXPECT_EQ(atomic, (min - min / 2) / 4);
	EXPECT_EQ(nr_free_pages(), (min - min / 2) - (min - min / 2) / 4);
	EXPECT_EQ((long)nr_free_pages(), gfp_watermark(min, GFP_ATOMIC));
	EXPECT(alloc_pages(GFP_ATOMIC | __GFP_NOWARN, 0) == NULL);
	EXPECT_EQ(node_check(node), 0);
	free_held(node, h, n);
	node_drain_pages(node);
	snap_take(node, &end);
	expect_snap_eq(t, &start, &end);
	snap_release(&start);
	snap_release(&end);
	free(h);
	fakeram_done(fr);
}

static void atomic_reserve_stays_out_of_kernel_reach(struct ktest *t)
{
	/* GFP_ATOMIC dipping below min must not let GFP_KERNEL follow,
	 * although its refill leaves pages on this hart's list. */
	struct fakeram *fr = fakeram_simple(RAM, 64 * MiB, &lim_4g);
	struct pglist_data *node;
	struct zone *z;
	struct held *h;
	size_t n = 0, max = 16384;
	struct page *a;

	ASSERT(fr);
	node = &fr->node;
	z = &node->zones[ZONE_DMA32];
	h = calloc(max, sizeof(*h));
	ASSERT(h);
	ASSERT(z->pcp[0].batch > 1);
	for (int o = MAX_ORDER - 1; o > 0; o--)
		n += take_all(node, GFP_KERNEL, (unsigned int)o, h, n, max);
	n += drain_order0(GFP_KERNEL, h, n, max);
	ASSERT_EQ(z->free_pages, z->watermark[WMARK_MIN]);
	a = alloc_pages(GFP_ATOMIC, 0);
	ASSERT(a);
	EXPECT(z->free_pages < z->watermark[WMARK_MIN]);
	EXPECT(alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0) == NULL);
	EXPECT(node_alloc_pages(node, GFP_KERNEL | __GFP_NOWARN, 0) == NULL);
	__free_pages(a, 0);
	free_held(node, h, n);
	free(h);
	fakeram_done(fr);
}

/*
 * DMA32 and Normal at the real 4 GiB line: 16 MiB below, 64 MiB above.
 */
static struct fakeram *two_zones(const struct zone_limits *lim)
{
	struct fakeram *fr = fakeram_new(0xff000000, 80 * MiB);

	if (!fr)
		return NULL;
	if (memblock_add(&fr->mb, 0xff000000, 80 * MiB) || fakeram_node_init(fr, lim)) {
		fakeram_done(fr);
		return NULL;
	}
	return fr;
}

static void lowmem_reserve_and_fallback(struct ktest *t)
{
	struct fakeram *fr = two_zones(&lim_4g);
	struct pglist_data *node;
	struct zone *dma32, *normal;
	struct held *h;
	size_t n, max = 20480, dma;
	unsigned long reserve, n_normal, n_dma32;
	struct snap start, end;

	ASSERT(fr);
	node = &fr->node;
	dma32 = &node->zones[ZONE_DMA32];
	normal = &node->zones[ZONE_NORMAL];
	EXPECT_EQ(dma32->zone_start_pfn, 0xff000);
	EXPECT_EQ(dma32->managed_pages, 4096);
	EXPECT_EQ(normal->zone_start_pfn, 0x100000);
	EXPECT_EQ(normal->present_pages, 16384);
	reserve = dma32->lowmem_reserve[ZONE_NORMAL];
	EXPECT_EQ(reserve, normal->managed_pages / 256);
	EXPECT_EQ(dma32->lowmem_reserve[ZONE_DMA32], 0);
	ASSERT(reserve > 10);
	n_normal = normal->free_pages - normal->watermark[WMARK_MIN];
	n_dma32 = dma32->free_pages - dma32->watermark[WMARK_MIN] - reserve;
	h = calloc(max, sizeof(*h));
	ASSERT(h);
	snap_take(node, &start);

	/* GFP_KERNEL: Normal down to its min, then DMA32 down to min plus
	 * the reserve it keeps from requests that could use Normal. */
	n = drain_order0(GFP_KERNEL, h, 0, max);
	EXPECT_EQ(n, n_normal + n_dma32);
	for (size_t i = 0; i < n; i++)
		if ((i < n_normal) != (h[i].pfn >= 0x100000)) {
			ktest_fail(t, __FILE__, __LINE__, "allocation %zu: pfn 0x%lx", i, h[i].pfn);
			break;
		}
	EXPECT_EQ(normal->free_pages, normal->watermark[WMARK_MIN]);
	EXPECT_EQ(dma32->free_pages, dma32->watermark[WMARK_MIN] + reserve);
	/* The reserve is there for GFP_DMA32, and only for it. */
	dma = drain_order0(GFP_DMA32, h, n, max);
	EXPECT_EQ(dma, reserve);
	for (size_t i = n; i < n + dma; i++)
		EXPECT(h[i].pfn < 0x100000);
	n += dma;
	EXPECT_EQ(dma32->free_pages, dma32->watermark[WMARK_MIN]);
	EXPECT(alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0) == NULL);
	EXPECT(alloc_pages(GFP_DMA32 | __GFP_NOWARN, 0) == NULL);
	EXPECT_EQ(node_check(node), 0);
	free_held(node, h, n);
	node_drain_pages(node);
	snap_take(node, &end);
	expect_snap_eq(t, &start, &end);
	snap_release(&start);
	snap_release(&end);
	free(h);
	fakeram_done(fr);
}

static void dma_zone_requests(struct ktest *t)
{
	struct fakeram *fr = two_zones(&lim_4g);
	struct pglist_data *node;
	struct held *h;
	size_t n = 0, max = 8192;
	u64 seed = 77;

	ASSERT(fr);
	node = &fr->node;
	h = calloc(max, sizeof(*h));
	ASSERT(h);
	/* No ZONE_DMA: GFP_DMA means below 4 GiB, like GFP_DMA32. */
	EXPECT_EQ(node->zones[ZONE_DMA].present_pages, 0);
	for (int i = 0; i < 200; i++) {
		unsigned int order = (unsigned int)(fr_rand(&seed) % 4);
		gfp_t gfp = (i & 1) ? GFP_DMA : GFP_DMA32;
		struct page *p = alloc_pages(gfp, order);

		ASSERT(p);
		EXPECT(page_to_pfn(p) + (1ul << order) <= 0x100000);
		EXPECT_EQ(page_zonenum(p), ZONE_DMA32);
		h[n++] = (struct held){ p, page_to_pfn(p), order, 0 };
	}
	free_held(node, h, n);
	fakeram_done(fr);

	/* A ZONE_DMA of the first 4 MiB: GFP_DMA stays inside it. */
	fr = two_zones(&(struct zone_limits){ 0xff400, 0x100000, false });
	ASSERT(fr);
	node = &fr->node;
	EXPECT_EQ(node->zones[ZONE_DMA].present_pages, 1024);
	EXPECT_EQ(node->zones[ZONE_DMA32].present_pages, 3072);
	n = drain_order0(GFP_DMA, h, 0, max);
	EXPECT_EQ(n, node->zones[ZONE_DMA].managed_pages - node->zones[ZONE_DMA].watermark[WMARK_MIN]);
	for (size_t i = 0; i < n; i++)
		EXPECT(h[i].pfn < 0xff400);
	EXPECT(node_alloc_pages(node, GFP_DMA | __GFP_NOWARN, 2) == NULL);
	/* GFP_DMA32 and GFP_KERNEL still have their zones. */
	{
		struct page *a = alloc_pages(GFP_DMA32, 0), *b = alloc_pages(GFP_KERNEL, 0);

		ASSERT(a && b);
		EXPECT(page_to_pfn(a) >= 0xff400 && page_to_pfn(a) < 0x100000);
		EXPECT(page_to_pfn(b) >= 0x100000);
		__free_pages(a, 0);
		__free_pages(b, 0);
	}
	free_held(node, h, n);
	EXPECT_EQ(node_check(node), 0);
	fakeram_done(fr);

	/* A ZONE_DMA whose every page is reserved: GFP_DMA has nothing to
	 * give, and must not hand out pages above the DMA limit. */
	fr = fakeram_new(0xff000000, 80 * MiB);
	ASSERT(fr);
	ASSERT_EQ(memblock_add(&fr->mb, 0xff000000, 80 * MiB), 0);
	ASSERT_EQ(memblock_reserve(&fr->mb, 0xff000000, 0x10000), 0);
	ASSERT_EQ(fakeram_node_init(fr, &(struct zone_limits){ 0xff010, 0x100000, false }), 0);
	node = &fr->node;
	EXPECT_EQ(node->zones[ZONE_DMA].present_pages, 16);
	EXPECT_EQ(node->zones[ZONE_DMA].managed_pages, 0);
	{
		struct page *p0 = alloc_pages(GFP_DMA | __GFP_NOWARN, 0);
		struct page *p1 = node_alloc_pages(node, GFP_DMA | __GFP_NOWARN, 1);

		EXPECT(p0 == NULL || page_to_pfn(p0) < 0xff010);
		EXPECT(p1 == NULL || page_to_pfn(p1) < 0xff010);
	}
	free(h);
	fakeram_done(fr);
}

static void gfp_zero_clears_dirty_pages(struct ktest *t)
{
	struct fakeram *fr = fakeram_dirty(RAM, 16 * MiB, &lim_4g, 0xa5); /* every free byte dirty */
	struct pglist_data *node;
	static const unsigned int orders[] = { 0, 1, 3, 6, 10 };
	struct page *p, *q;
	unsigned long a;

	ASSERT(fr);
	node = &fr->node;
	for (size_t i = 0; i < ARRAY_SIZE(orders); i++) {
		unsigned int o = orders[i];

		p = alloc_pages(GFP_KERNEL, o); /* no __GFP_ZERO: as it was */
		ASSERT(p);
		EXPECT(block_is_byte(p, o, 0xa5));
		q = alloc_pages(GFP_KERNEL | __GFP_ZERO, o);
		ASSERT(q);
		EXPECT(block_is_zero(q, o));
		__free_pages(p, o);
		__free_pages(q, o);
	}
	/* Dirty a page, free it, take it back zeroed: the same page (per-hart
	 * lists are LIFO), now all zero. */
	p = alloc_pages(GFP_KERNEL, 0);
	ASSERT(p);
	memset(page_address(p), 0x5a, PAGE_SIZE);
	__free_pages(p, 0);
	q = alloc_pages(GFP_KERNEL | __GFP_ZERO, 0);
	EXPECT(q == p);
	EXPECT(block_is_zero(q, 0));
	memset(page_address(q), 0x5a, PAGE_SIZE);
	free_page((unsigned long)page_address(q));
	a = get_zeroed_page(GFP_KERNEL);
	EXPECT(a == (unsigned long)page_address(p));
	EXPECT(block_is_zero(virt_to_page((void *)a), 0));
	free_page(a);
	/* The slow path and order > 0: dirty, free, reallocate the same block. */
	p = node_alloc_pages(node, GFP_DMA32, 2);
	ASSERT(p);
	memset(page_address(p), 0x5a, 4 * PAGE_SIZE);
	__free_pages(p, 2);
	q = node_alloc_pages(node, GFP_DMA32 | __GFP_ZERO, 2);
	EXPECT(q == p);
	EXPECT(block_is_zero(q, 2));
	__free_pages(q, 2);
	EXPECT_EQ(node_check(node), 0);
	fakeram_done(fr);
}

/* node_alloc_pages on a node that is not mem_node zeroes its own pages. */
static void gfp_zero_on_another_node(struct ktest *t)
{
	/* One window, two nodes over its two halves; the global API runs
	 * on the first, the second is used explicitly. */
	struct fakeram *fr = fakeram_new(RAM, 16 * MiB);
	static struct memblock mb2;
	static struct pglist_data other;
	struct page *p;

	ASSERT(fr);
	ASSERT_EQ(memblock_add(&fr->mb, RAM, 8 * MiB), 0);
	memblock_init(&mb2);
	ASSERT_EQ(memblock_add(&mb2, RAM + 8 * MiB, 8 * MiB), 0);
	{
		u64 cursor = 0, s, e;

		while (memblock_next_free(&mb2, &cursor, &s, &e))
			memset(phys_to_virt(s), 0xa5, (size_t)(e - s));
	}
	ASSERT_EQ(node_init(&other, &mb2, &lim_4g), 0);
	ASSERT_EQ(fakeram_node_init(fr, &lim_4g), 0);
	ASSERT(mem_node == &fr->node);
	p = node_alloc_pages(&other, GFP_KERNEL | __GFP_ZERO, 1);
	ASSERT(p);
	ASSERT(node_page_to_pfn(&other, p) >= PFN(RAM + 8 * MiB));
	EXPECT(!memchr_inv(phys_to_virt(PFN_PHYS(node_page_to_pfn(&other, p))), 0, 2 * PAGE_SIZE));
	node_free_pages(&other, p, 1);
	EXPECT_EQ(node_check(&other), 0);
	EXPECT_EQ(node_check(&fr->node), 0);
	fakeram_done(fr);
}

static void order_too_large_fails(struct ktest *t)
{
	struct fakeram *fr = fakeram_simple(RAM, 16 * MiB, &lim_4g);
	struct pglist_data *node;
	struct fr_capture cap;
	struct snap a, b;
	char out[1024];
	struct page *p[4];

	ASSERT(fr);
	node = &fr->node;
	snap_take(node, &a);
	fr_capture_start(&cap);
	p[0] = alloc_pages(GFP_KERNEL, MAX_ORDER);
	p[1] = node_alloc_pages(node, GFP_ATOMIC, MAX_ORDER + 5);
	p[2] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_ORDER);
	p[3] = (struct page *)__get_free_pages(GFP_KERNEL | __GFP_NOWARN, 40);
	fr_capture_end(&cap, out, sizeof(out));
	for (int i = 0; i < 4; i++)
		EXPECT(p[i] == NULL);
	EXPECT_EQ(fr_count_substr(out, "above the largest"), 2);
	EXPECT(strstr(out, "order 11 is above the largest (10)") != NULL);
	snap_take(node, &b);
	expect_snap_eq(t, &a, &b);
	/* MAX_ORDER - 1 is fine. */
	p[0] = alloc_pages(GFP_KERNEL, MAX_ORDER - 1);
	EXPECT(p[0] != NULL);
	if (p[0])
		__free_pages(p[0], MAX_ORDER - 1);
	snap_release(&a);
	snap_release(&b);
	fakeram_done(fr);
}

/* alloc_pages_exact: exactly the pages asked for, aligned to the order
 * that holds them, as allocated blocks (the largest aligned ones from the
 * start); the rest of that block is free at once; free_pages_exact gives
 * everything back; 0 bytes and more than the largest block fail. */
static void exact_pages(struct ktest *t)
{
	static const struct {
		size_t size;
		unsigned int first_order; /* the run's first block */
	} cases[] = { { 1, 0 }, { 4096, 0 }, { 8193, 1 }, { 5 * 4096, 2 }, { 7 * 4096 + 1, 3 },
		      { 1000 * 4096, 9 } };
	struct fakeram *fr = fakeram_simple(RAM, 16 * MiB, &lim_4g);
	unsigned long free0;

	ASSERT(fr);
	node_drain_pages(&fr->node);
	free0 = nr_free_pages();
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned long nr = (cases[i].size + PAGE_SIZE - 1) / PAGE_SIZE;
		u8 *p = alloc_pages_exact(cases[i].size, GFP_KERNEL);
		struct page *page;

		ASSERT(p);
		page = virt_to_page(p);
		EXPECT((page_to_pfn(page) & ((1ul << get_order(cases[i].size)) - 1)) == 0);
		EXPECT(PageHead(page) && page_order(page) == cases[i].first_order);
		EXPECT_EQ(page_count(page), 1);
		node_drain_pages(&fr->node);
		EXPECT_EQ(free0 - nr_free_pages(), nr);
		EXPECT_EQ(node_check(&fr->node), 0);
		memset(p, 0x33, nr * PAGE_SIZE);
		free_pages_exact(p, cases[i].size);
		node_drain_pages(&fr->node);
		EXPECT_EQ(nr_free_pages(), free0);
		EXPECT_EQ(node_check(&fr->node), 0);
	}
	EXPECT(alloc_pages_exact(0, GFP_KERNEL) == NULL);
	EXPECT(alloc_pages_exact((PAGE_SIZE << (MAX_ORDER - 1)) + 1, GFP_KERNEL | __GFP_NOWARN) == NULL);
	node_drain_pages(&fr->node);
	EXPECT_EQ(nr_free_pages(), free0);
	fakeram_done(fr);
}

/* Every page of @fr's node (@nr_pfn pages from RAM) that can be taken,
 * taken one at a time into @h (their count in *n) and listed by pfn in
 * @by_pfn: the entries of the first window of @span pages all taken, at a
 * multiple of @step pages, or NULL. */
static struct held **take_all_window(struct fakeram *fr, struct held *h, struct held **by_pfn,
				     unsigned long nr_pfn, unsigned long span, unsigned long step, size_t *n)
{
	const unsigned long ram_pfn = RAM >> PAGE_SHIFT;

	node_drain_pages(&fr->node);
	*n = take_all(&fr->node, GFP_KERNEL, 0, h, 0, nr_pfn);
	for (size_t i = 0; i < *n; i++)
		by_pfn[h[i].pfn - ram_pfn] = &h[i];
	for (unsigned long b = 0; b + span <= nr_pfn; b += step) {
		unsigned long i = 0;

		while (i < span && by_pfn[b + i])
			i++;
		if (i == span)
			return &by_pfn[b];
	}
	return NULL;
}

/* alloc_pages_fit: the shortest row of free pages that holds the request,
 * across buddy boundaries, before a block of the request's order is cut;
 * with port_fit_lowest, of rows alike the lowest; the pages past the
 * request go back; only
 * page-aligned; NULL (quietly with __GFP_NOWARN) when no row holds it. Rows are made by freeing single
 * pages of a node whose every page above its min watermark was taken one at
 * a time. */
static void fit_pages(struct ktest *t)
{
	struct fakeram *fr = fakeram_simple(RAM, 16 * MiB, &lim_4g);
	const unsigned long nr_pfn = (16 * MiB) >> PAGE_SHIFT;
	struct held *h = calloc(nr_pfn, sizeof(*h)), **by_pfn = calloc(nr_pfn, sizeof(*by_pfn));
	struct held **at;
	unsigned long free0;
	size_t n;
	u8 *p;

	ASSERT(fr && h && by_pfn);
	at = take_all_window(fr, h, by_pfn, nr_pfn, 64, 64, &n); /* 64 pages all taken */
	ASSERT(n > 1000);
	ASSERT(at != NULL);
	const unsigned long base = at[0]->pfn;
	node_drain_pages(&fr->node);
	const unsigned long reserve = nr_free_pages(); /* below the min watermark */

	/* Rows: A = base+5..7 (3 pages: blocks of order 0 and 1), B = base+17..21
	 * (5 pages: 0, 1, 1), and an order-2 block at base+24 (4 pages). */
	for (int i = 5; i < 8; i++)
		__free_pages(at[i]->page, 0);
	for (int i = 17; i < 22; i++)
		__free_pages(at[i]->page, 0);
	for (int i = 24; i < 28; i++)
		__free_pages(at[i]->page, 0);
	node_drain_pages(&fr->node);
	free0 = nr_free_pages();
	EXPECT_EQ(free0, reserve + 12);
	EXPECT_EQ(node_check(&fr->node), 0);

	/* 3 pages: row A exactly, not the order-2 block nor B. */
	p = alloc_pages_fit(3 * PAGE_SIZE, GFP_KERNEL);
	ASSERT(p);
	EXPECT_EQ(page_to_pfn(virt_to_page(p)), base + 5);
	EXPECT_EQ(nr_free_pages(), free0 - 3);
	EXPECT_EQ(node_check(&fr->node), 0);
	memset(p, 0x5a, 3 * PAGE_SIZE);
	free_pages_exact(p, 3 * PAGE_SIZE);
	node_drain_pages(&fr->node);
	EXPECT_EQ(nr_free_pages(), free0);
	EXPECT_EQ(node_check(&fr->node), 0);

	/* 5 pages: only B holds them (the order-2 block is one too few). */
	p = alloc_pages_fit(5 * PAGE_SIZE - 100, GFP_KERNEL);
	ASSERT(p);
	EXPECT_EQ(page_to_pfn(virt_to_page(p)), base + 17);
	EXPECT_EQ(node_check(&fr->node), 0);
	free_pages_exact(p, 5 * PAGE_SIZE - 100);
	node_drain_pages(&fr->node);

	/* 2 pages with __GFP_ZERO: the shortest row is A; its first two pages,
	 * cleared, the third back on the lists. */
	memset(page_address(at[5]->page), 0x77, 3 * PAGE_SIZE);
	p = alloc_pages_fit(2 * PAGE_SIZE, GFP_KERNEL | __GFP_ZERO);
	ASSERT(p);
	EXPECT_EQ(page_to_pfn(virt_to_page(p)), base + 5);
	EXPECT(p[0] == 0 && memcmp(p, p + 1, 2 * PAGE_SIZE - 1) == 0);
	EXPECT_EQ(nr_free_pages(), free0 - 2);
	EXPECT_EQ(node_check(&fr->node), 0);
	free_pages_exact(p, 2 * PAGE_SIZE);
	node_drain_pages(&fr->node);
	EXPECT_EQ(nr_free_pages(), free0);

	/* More than the free pages above the watermark: none. */
	EXPECT(alloc_pages_fit(13 * PAGE_SIZE, GFP_KERNEL | __GFP_NOWARN) == NULL);
	EXPECT(alloc_pages_fit(0, GFP_KERNEL) == NULL);
	EXPECT_EQ(nr_free_pages(), free0);
	EXPECT_EQ(node_check(&fr->node), 0);

	/* With port_fit_lowest (the malloc library's), of rows alike the
	 * lowest: order-3 blocks L = base+32..39 and H = base+48..55, H freed
	 * last (the lists' first), and 6 pages go to L, where a program's
	 * pages are resident already (the kernel's rule cuts a block of the
	 * request's order, newest first, elsewhere). */
	for (int i = 32; i < 40; i++)
		__free_pages(at[i]->page, 0);
	for (int i = 48; i < 56; i++)
		__free_pages(at[i]->page, 0);
	node_drain_pages(&fr->node);
	port_fit_lowest = true;
	p = alloc_pages_fit(6 * PAGE_SIZE, GFP_KERNEL);
	port_fit_lowest = false;
	ASSERT(p);
	EXPECT_EQ(page_to_pfn(virt_to_page(p)), base + 32);
	EXPECT_EQ(node_check(&fr->node), 0);
	free_pages_exact(p, 6 * PAGE_SIZE);
	node_drain_pages(&fr->node);
	EXPECT_EQ(nr_free_pages(), free0 + 16);
	EXPECT_EQ(node_check(&fr->node), 0);
	free(by_pfn);
	free(h);
	fakeram_done(fr);
}

/* Grouping by use (port_group_pages_by_use, the malloc library's setting):
 * small requests (orders 0 to 3) share a pageblock claimed for them, a run
 * placed by alloc_pages_fit lies outside it though free pages follow the
 * small ones there, and once all is freed the pageblock merges whole and
 * is general again (node_check proves the lists against the marks). */
static void pages_grouped_by_use(struct ktest *t)
{
	struct fakeram *fr = fakeram_simple(RAM, 16 * MiB, &lim_4g);
	struct page *small[4];
	unsigned long pb, free0, rp;
	u8 *run;

	ASSERT(fr);
	port_group_pages_by_use = true;
	node_drain_pages(&fr->node);
	free0 = nr_free_pages();
	for (unsigned int o = 0; o < 4; o++) {
		small[o] = alloc_pages(GFP_KERNEL, o);
		ASSERT(small[o]);
	}
	pb = page_to_pfn(small[0]) >> PAGEBLOCK_ORDER;
	for (unsigned int o = 1; o < 4; o++)
		EXPECT_EQ(page_to_pfn(small[o]) >> PAGEBLOCK_ORDER, pb);
	EXPECT_EQ(node_check(&fr->node), 0);
	run = alloc_pages_fit(5 * PAGE_SIZE, GFP_KERNEL);
	ASSERT(run);
	rp = page_to_pfn(virt_to_page(run));
	EXPECT(rp >> PAGEBLOCK_ORDER != pb && (rp + 4) >> PAGEBLOCK_ORDER != pb);
	EXPECT_EQ(node_check(&fr->node), 0);
	free_pages_exact(run, 5 * PAGE_SIZE);
	for (unsigned int o = 0; o < 4; o++)
		__free_pages(small[o], o);
	node_drain_pages(&fr->node);
	EXPECT_EQ(nr_free_pages(), free0);
	EXPECT_EQ(node_check(&fr->node), 0);
	port_group_pages_by_use = false;
	fakeram_done(fr);
}

/* alloc_pages_fit beyond the largest block: runs of max-order blocks side
 * by side, placed where they fit best and only page-aligned (the malloc
 * library's runs), in a window of eight max-order blocks whose every page
 * was taken one at a time: rows S (1528 pages: one block and a half less
 * 8), T (1544, from 300 pages into a block) and R (four whole blocks). A
 * run of a block and a half goes to T, unaligned, not to R's aligned
 * blocks; one of three blocks to R; one longer than a section to none. */
static void fit_runs_beyond_max_order(struct ktest *t)
{
	struct fakeram *fr = fakeram_simple(RAM, 128 * MiB, &lim_4g);
	const unsigned long nr_pfn = (128 * MiB) >> PAGE_SHIFT, M = MAX_ORDER_NR_PAGES;
	struct held *h = calloc(nr_pfn, sizeof(*h)), **by_pfn = calloc(nr_pfn, sizeof(*by_pfn));
	struct held **at;
	unsigned long free0;
	size_t n;
	u8 *p, *q;

	ASSERT(fr && h && by_pfn);
	at = take_all_window(fr, h, by_pfn, nr_pfn, 8 * M, M, &n); /* eight max-order blocks all taken */
	ASSERT(n > nr_pfn / 2);
	ASSERT(at != NULL);
	const unsigned long base = at[0]->pfn;

	for (unsigned long i = 100; i < 100 + 3 * M / 2 - 8; i++) /* S */
		__free_pages(at[i]->page, 0);
	for (unsigned long i = 2 * M + 300; i < 2 * M + 300 + 3 * M / 2 + 8; i++) /* T */
		__free_pages(at[i]->page, 0);
	for (unsigned long i = 4 * M; i < 8 * M; i++) /* R */
		__free_pages(at[i]->page, 0);
	node_drain_pages(&fr->node);
	free0 = nr_free_pages();
	EXPECT_EQ(node_check(&fr->node), 0);

	p = alloc_pages_fit(3 * M / 2 * PAGE_SIZE, GFP_KERNEL);
	ASSERT(p);
	EXPECT_EQ(page_to_pfn(virt_to_page(p)), base + 2 * M + 300);
	EXPECT_EQ(nr_free_pages(), free0 - 3 * M / 2);
	EXPECT_EQ(node_check(&fr->node), 0);
	q = alloc_pages_fit(3 * M * PAGE_SIZE, GFP_KERNEL);
	ASSERT(q);
	EXPECT_EQ(page_to_pfn(virt_to_page(q)), base + 4 * M);
	EXPECT_EQ(nr_free_pages(), free0 - 3 * M / 2 - 3 * M);
	EXPECT_EQ(node_check(&fr->node), 0);
	memset(p, 0x5a, 3 * M / 2 * PAGE_SIZE);
	memset(q, 0xa5, 3 * M * PAGE_SIZE);
	EXPECT(alloc_pages_fit((PAGES_PER_SECTION + 1) * PAGE_SIZE, GFP_KERNEL | __GFP_NOWARN) == NULL);
	free_pages_exact(p, 3 * M / 2 * PAGE_SIZE);
	free_pages_exact(q, 3 * M * PAGE_SIZE);
	node_drain_pages(&fr->node);
	EXPECT_EQ(nr_free_pages(), free0);
	EXPECT_EQ(node_check(&fr->node), 0);
	free(by_pfn);
	free(h);
	fakeram_done(fr);
}

/* With port_fit_lowest (the malloc library's), a run freed and taken again
 * in a loop stays where it went first, at the low end of its stretch,
 * though the stretch holds more max-order blocks than the fit looks at
 * (FIT_SCAN): the lowest of the blocks looked at was taken each round and
 * freed to the list's head, so the next round's lowest was the next block
 * down (a 3 MB buffer in the malloc library walked a block a round through
 * pages given back, faulting each in). The stretch that wins is walked
 * back to its start. */
static void fit_run_stays_put(struct ktest *t)
{
	struct fakeram *fr = fakeram_simple(RAM, 256 * MiB, &lim_4g);
	const unsigned long nr = 733, M = MAX_ORDER_NR_PAGES;
	unsigned long first = 0, moves = 0, free0;

	ASSERT(fr);
	port_fit_lowest = true;
	node_drain_pages(&fr->node);
	free0 = nr_free_pages();
	for (int round = 0; round < 80; round++) {
		u8 *p = alloc_pages_fit(nr * PAGE_SIZE, GFP_KERNEL);
		unsigned long pfn;

		ASSERT(p);
		pfn = page_to_pfn(virt_to_page(p));
		if (!round)
			first = pfn;
		moves += pfn != first;
		p[0] = p[nr * PAGE_SIZE - 1] = (u8)round;
		free_pages_exact(p, nr * PAGE_SIZE);
	}
	port_fit_lowest = false;
	EXPECT_EQ(moves, 0);
	/* the low end of its stretch (the fake RAM's free pages start at a
	 * max-order block) */
	EXPECT(first % M == 0);
	node_drain_pages(&fr->node);
	EXPECT_EQ(nr_free_pages(), free0);
	EXPECT_EQ(node_check(&fr->node), 0);
	fakeram_done(fr);
}

/* fail_page_alloc fails alloc_pages_fit as it fails alloc_pages_exact
 * (docs/reliability.md: bigblocks are eligible), at the run's order, and
 * nothing is taken; order=N leaves runs of other orders alone. */
static void fit_pages_fail_page_alloc(struct ktest *t)
{
	struct fakeram *fr = fakeram_simple(RAM, 16 * MiB, &lim_4g);
	unsigned long free0;
	void *p, *q, *cut;

	ASSERT(fr);
	node_drain_pages(&fr->node);
	free0 = nr_free_pages();
	/* Small free blocks for the fit to find: the page after the 3 and the
	 * blocks split off above them. */
	cut = alloc_pages_exact(3 * PAGE_SIZE, GFP_KERNEL);
	ASSERT(cut);
	ASSERT_EQ(fault_inject_set(&fail_page_alloc, "1,verbose=0"), 0);
	p = alloc_pages_fit(3 * PAGE_SIZE, GFP_KERNEL | __GFP_NOWARN);
	EXPECT(p == NULL);
	EXPECT(fail_page_alloc.failures >= 1);
	ASSERT_EQ(fault_inject_set(&fail_page_alloc, "1,order=3,verbose=0"), 0);
	p = alloc_pages_fit(3 * PAGE_SIZE, GFP_KERNEL | __GFP_NOWARN); /* order 2 */
	EXPECT(p != NULL);
	EXPECT(alloc_pages_fit(5 * PAGE_SIZE, GFP_KERNEL | __GFP_NOWARN) == NULL);
	/* One request, one question: with every second call failed, a fit
	 * whose stretch search finds nothing (no free block below order 3 is
	 * left near enough) and falls back to cutting a block is not asked
	 * twice (it was: the second ask failed the fallback). */
	ASSERT_EQ(fault_inject_set(&fail_page_alloc, "2,verbose=0"), 0);
	q = alloc_pages_fit(7 * PAGE_SIZE, GFP_KERNEL | __GFP_NOWARN);
	EXPECT(q != NULL);
	EXPECT_EQ(fail_page_alloc.calls, 1ul);
	EXPECT_EQ(fail_page_alloc.failures, 0ul);
	fault_inject_clear(&fail_page_alloc);
	if (q)
		free_pages_exact(q, 7 * PAGE_SIZE);
	if (p)
		free_pages_exact(p, 3 * PAGE_SIZE);
	free_pages_exact(cut, 3 * PAGE_SIZE);
	node_drain_pages(&fr->node);
	EXPECT_EQ(nr_free_pages(), free0);
	EXPECT_EQ(node_check(&fr->node), 0);
	fakeram_done(fr);
}

static void failure_warns_once_per_order(struct ktest *t)
{
	struct fakeram *fr = fakeram_simple(RAM, 16 * MiB, &lim_4g);
	struct pglist_data *node;
	struct held *h = calloc(64, sizeof(*h));
	struct fr_capture cap;
	char out[4096];
	size_t n = 0;
	unsigned long fails;
	struct page *p[6];

	ASSERT(fr && h);
	node = &fr->node;
	n += take_all(node, GFP_KERNEL, 10, h, n, 64); /* quietly */
	EXPECT(n >= 2);
	EXPECT_EQ(node->warned_orders, 0);
	fails = node->zones[ZONE_DMA32].nr_alloc_fail;
	fr_capture_start(&cap);
	p[0] = alloc_pages(GFP_KERNEL, 10);              /* warns */
	p[1] = alloc_pages(GFP_KERNEL, 10);              /* already warned */
	p[2] = alloc_pages(GFP_ATOMIC | __GFP_NOWARN, 9 + 1);
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT(!p[0] && !p[1] && !p[2]);
	EXPECT_EQ(fr_count_substr(out, "page allocation failure: order:10,"), 1);
	EXPECT_EQ(fr_count_substr(out, "page allocation failure"), 1);
	EXPECT(strstr(out, "DMA32 ") != NULL); /* the zone's counts */
	EXPECT_EQ(node->zones[ZONE_DMA32].nr_alloc_fail, fails + 3);
	EXPECT_EQ(node->warned_orders, 1u << 10);
	/* Order 9: a __GFP_NOWARN failure first does not use up the warning. */
	n += take_all(node, GFP_KERNEL, 9, h, n, 64);
	fr_capture_start(&cap);
	p[3] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 9);
	p[4] = node_alloc_pages(node, GFP_KERNEL, 9); /* warns */
	p[5] = alloc_pages(GFP_KERNEL, 9);
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT(!p[3] && !p[4] && !p[5]);
	EXPECT_EQ(fr_count_substr(out, "page allocation failure: order:9,"), 1);
	EXPECT_EQ(fr_count_substr(out, "page allocation failure"), 1);
	EXPECT_EQ(node->warned_orders, (1u << 10) | (1u << 9));
	free_held(node, h, n);
	EXPECT_EQ(node_check(node), 0);
	free(h);
	fakeram_done(fr);
}

/* ---- 7. per-hart lists --------------------------------------------------- */

static void pcp_lists_park_and_drain(struct ktest *t)
{
	/* 64 MiB: batches of 3 pages, lists drained above 18. */
	struct fakeram *fr = fakeram_simple(RAM, 64 * MiB, &lim_4g);
	struct pglist_data *node;
	struct zone *z;
	struct per_cpu_pages *pcp;
	struct page *pages[64], *p, *q;
	long high, batch, c = 0;
	unsigned long f, b, drains, trims = 0;
	int n;

	ASSERT(fr);
	node = &fr->node;
	z = &node->zones[ZONE_DMA32];
	pcp = &z->pcp[3];
	high = pcp->high;
	batch = pcp->batch;
	ASSERT(batch > 1 && high > batch);
	n = (int)(high + 2 * batch + 2);
	ASSERT(n <= (int)ARRAY_SIZE(pages));
	host_set_cpu(3);
	for (int i = 0; i < n; i++) {
		pages[i] = alloc_pages(GFP_KERNEL, 0);
		ASSERT(pages[i]);
	}
	/* A refill takes a batch: what this hart did not use waits on its list. */
	EXPECT(pcp->count < batch);
	EXPECT_EQ(zone_pcp_count(z), (unsigned long)pcp->count);
	node_drain_pages(node);
	EXPECT_EQ(zone_pcp_count(z), 0);
	f = nr_free_pages();
	b = z->free_pages;
	drains = pcp->nr_drain;
	/* Frees park pages on this hart's list, counted as free; above
	 * `high` the list is trimmed back to high - batch. */
	for (int i = 0; i < n; i++) {
		__free_pages(pages[i], 0);
		if (++c > high) {
			c = high - batch;
			trims++;
		}
		EXPECT_EQ(pcp->count, c);
		EXPECT_EQ(zone_pcp_count(z), (unsigned long)c);
		EXPECT_EQ(nr_free_pages(), f + (unsigned long)i + 1);
		EXPECT_EQ(z->free_pages, b + (unsigned long)(i + 1 - c));
		if (t->failures)
			break;
	}
	EXPECT(trims >= 1);
	EXPECT_EQ(pcp->nr_drain, drains + trims);
	for (int cpu = 0; cpu < MAX_HARTS; cpu++)
		if (cpu != 3)
			EXPECT_EQ(z->pcp[cpu].count, 0);
	EXPECT_EQ(node_check(node), 0);
	/* Allocation takes the last page freed (LIFO) without touching the
	 * buddy lists. */
	p = alloc_pages(GFP_KERNEL, 0);
	EXPECT(p == pages[n - 1]);
	EXPECT_EQ(pcp->count, c - 1);
	EXPECT_EQ(z->free_pages, b + (unsigned long)(n - c));
	__free_pages(p, 0);
	EXPECT_EQ(pcp->count, c);
	/* Another hart's frees go to its own list; any hart may drain all. */
	host_set_cpu(5);
	q = alloc_pages(GFP_KERNEL, 0);
	ASSERT(q);
	EXPECT_EQ(z->pcp[5].count, batch - 1);
	free_page((unsigned long)page_address(q));
	EXPECT_EQ(z->pcp[5].count, batch);
	EXPECT(alloc_pages(GFP_KERNEL, 0) == q);
	host_set_cpu(6);
	put_page(q);
	EXPECT_EQ(z->pcp[6].count, 1);
	EXPECT_EQ(z->pcp[5].count, batch - 1);
	EXPECT_EQ(pcp->count, c);
	/* So do the node-level frees. */
	p = alloc_pages(GFP_KERNEL, 0);
	ASSERT(p);
	EXPECT_EQ(z->pcp[6].count, 0);
	node_free_pages(node, p, 0);
	EXPECT_EQ(z->pcp[6].count, 1);
	/* Blocks of orders 1 .. PCP_MAX_ORDER park on the hart's lists of
	 * their order (pcp_hi_lists has the rest); bigger ones skip them. */
	p = alloc_pages(GFP_KERNEL, 1);
	ASSERT(p);
	f = z->free_pages;
	__free_pages(p, 1);
	EXPECT_EQ(z->free_pages, f);
	EXPECT(z->pcp[6].hi[0] == p);
	EXPECT_EQ(z->pcp[6].hi_count, 2);
	p = alloc_pages(GFP_KERNEL, PCP_MAX_ORDER + 1);
	ASSERT(p);
	f = z->free_pages;
	__free_pages(p, PCP_MAX_ORDER + 1);
	EXPECT_EQ(z->free_pages, f + (1ul << (PCP_MAX_ORDER + 1)));
	EXPECT_EQ(z->pcp[6].hi_count, 2);
	EXPECT_EQ(z->pcp[6].count, 1);
	/* hart 3's, hart 5's, hart 6's page and its order-1 block */
	EXPECT_EQ(zone_pcp_count(z), (unsigned long)(c + batch - 1 + 1 + 2));
	host_set_cpu(0);
	f = nr_free_pages();
	node_drain_pages(node);
	EXPECT_EQ(zone_pcp_count(z), 0);
	EXPECT_EQ(nr_free_pages(), f);
	EXPECT_EQ(z->free_pages, f);
	EXPECT_EQ(node_check(node), 0);
	fakeram_done(fr);
}

/*
 * The lists of orders 1 .. PCP_MAX_ORDER: a refill takes max(batch >>
 * order, 1) blocks, allocation takes the last block freed, a free that
 * leaves more than high pages on them drains them to high - batch, the
 * highest order first; requests for runs bypass them; a drain merges
 * everything back; block_head and node_check know their blocks, and
 * node_check finds each kind of damage.
 */
static void pcp_hi_lists(struct ktest *t)
{
	struct fakeram *fr = fakeram_simple(RAM, 64 * MiB, &lim_4g);
	struct pglist_data *node;
	struct zone *z;
	struct per_cpu_pages *pcp;
	struct page *p, *q, *small[4], *big[16];
	unsigned long f0, f;

	ASSERT(fr);
	node = &fr->node;
	z = &node->zones[ZONE_DMA32];
	pcp = &z->pcp[2];
	host_set_cpu(2);
	node_drain_pages(node);
	f0 = z->free_pages;
	pcp->batch = 15;
	pcp->high = 40;

	/* Refills: 7 blocks of order 1, 3 of order 2, 1 of order 3. */
	p = alloc_pages(GFP_KERNEL, 1);
	ASSERT(p);
	EXPECT_EQ(pcp->hi_count, 6 * 2);
	EXPECT_EQ(z->free_pages, f0 - 7 * 2);
	q = alloc_pages(GFP_KERNEL, 2);
	ASSERT(q);
	EXPECT_EQ(pcp->hi_count, 6 * 2 + 2 * 4);
	EXPECT_EQ(z->free_pages, f0 - 7 * 2 - 3 * 4);
	EXPECT_EQ(page_order(q), 2);
	EXPECT_EQ(node_check(node), 0);
	/* The last block freed is the next one taken, off the zone's lists. */
	f = z->free_pages;
	__free_pages(q, 2);
	EXPECT_EQ(z->free_pages, f);
	EXPECT(pcp->hi[1] == q);
	EXPECT((q->flags & (PG_pcp | PG_head | PG_buddy)) == PG_pcp && page_order(q) == 2);
	EXPECT(alloc_pages(GFP_KERNEL, 2) == q);
	EXPECT_EQ(z->free_pages, f);
	EXPECT((q->flags & (PG_pcp | PG_head)) == PG_head && q->refcount == 1);
	/* A run's request leaves them alone. */
	small[0] = node_alloc_pages(node, GFP_KERNEL | __GFP_RUN, 2);
	ASSERT(small[0]);
	EXPECT_EQ(pcp->hi_count, 6 * 2 + 2 * 4);
	EXPECT_EQ(z->free_pages, f - 4);
	__free_pages(small[0], 2); /* (a free of the order parks it) */
	EXPECT_EQ(pcp->hi_count, 6 * 2 + 3 * 4);
	/* block_head finds a listed block's head from inside it. */
	EXPECT_EQ(block_head(node, page_to_pfn(small[0]) + 3), page_to_pfn(small[0]));

	/* The trim: order-3 frees above high (40) drain to high - batch (25),
	 * the order-3 list first; the order-1 blocks outlast them. */
	__free_pages(p, 1);
	__free_pages(q, 2);
	EXPECT_EQ(pcp->hi_count, 7 * 2 + 4 * 4);
	for (int i = 0; i < 4; i++) {
		small[i] = alloc_pages(GFP_KERNEL, 1);
		ASSERT(small[i]);
	}
	for (int i = 0; i < 16; i++) {
		big[i] = alloc_pages(GFP_KERNEL, 3);
		ASSERT(big[i]);
	}
	EXPECT_EQ(pcp->hi_count, 3 * 2 + 4 * 4);
	for (int i = 0; i < 4; i++)
		__free_pages(small[i], 1);
	for (int i = 0; i < 16; i++) {
		long before = pcp->hi_count;

		__free_pages(big[i], 3);
		EXPECT(pcp->hi_count <= pcp->high);
		if (before + 8 > pcp->high)
			EXPECT(pcp->hi_count <= pcp->high - pcp->batch);
		if (t->failures)
			break;
	}
	EXPECT(pcp->hi[0] != NULL); /* order 1 kept while order 3 drained */
	EXPECT_EQ(node_check(node), 0);

	/* Damage node_check must find. */
	p = pcp->hi[0];
	ASSERT(p);
	p[1].flags |= PG_head;
	EXPECT(node_check(node) > 0);
	p[1].flags &= ~PG_head;
	p->flags ^= (1u << PAGE_ORDER_SHIFT) | (2u << PAGE_ORDER_SHIFT); /* order 1 -> 2 */
	EXPECT(node_check(node) > 0);
	p->flags ^= (1u << PAGE_ORDER_SHIFT) | (2u << PAGE_ORDER_SHIFT);
	pcp->hi_count += 2;
	EXPECT(node_check(node) > 0);
	pcp->hi_count -= 2;
	EXPECT_EQ(node_check(node), 0);
	/* A double free of a listed block is refused and changes nothing. */
	f = node->nr_bad_pages;
	__free_pages(p, 1);
	EXPECT_EQ(node->nr_bad_pages, f + 1);
	EXPECT_EQ(node_check(node), 0);

	/* A drain gives everything back, merged. */
	node_drain_pages(node);
	EXPECT_EQ(pcp->hi_count, 0);
	for (unsigned int o = 1; o <= PCP_MAX_ORDER; o++)
		EXPECT(pcp->hi[o - 1] == NULL);
	EXPECT_EQ(z->free_pages, f0);
	EXPECT_EQ(node_check(node), 0);
	host_set_cpu(0);
	fakeram_done(fr);
}

/* Eight harts allocating and freeing at once, handing blocks to each other. */
#define T_HARTS MAX_HARTS
#define T_STEPS 3000
#define T_HOLD 48

struct hart_run {
	pthread_t thread;
	unsigned int cpu;
	struct pglist_data *node;
	unsigned long base, span;
	u8 *owner; /* shared: 1 + cpu of the holder of each pfn, 0 if free */
	unsigned long allocs, fails, errors, handed;
};

static pthread_mutex_t t_mailbox_lock = PTHREAD_MUTEX_INITIALIZER;
static struct held t_mailbox[4];
static bool t_mailbox_full[4];

static void t_claim(struct hart_run *h, const struct held *b, u8 who)
{
	for (unsigned long k = 0; k < (1ul << b->order); k++) {
		u8 old = __atomic_exchange_n(&h->owner[b->pfn + k - h->base], who, __ATOMIC_RELAXED);

		if ((who && old) || (!who && !old))
			h->errors++;
	}
}

static void *hart_main(void *arg)
{
	struct hart_run *h = arg;
	struct held mine[T_HOLD];
	unsigned int n = 0;
	u64 seed = 0x1234567ull * (h->cpu + 1);

	host_set_cpu(h->cpu);
	for (int step = 0; step < T_STEPS; step++) {
		u64 r = fr_rand(&seed);
		unsigned int op = (unsigned int)(r % 100);

		if (op < 50 && n < T_HOLD) {
			static const gfp_t gfps[] = { GFP_KERNEL, GFP_ATOMIC, GFP_DMA32 };
			unsigned int order = ((r >> 8) % 4) ? 0 : 1 + (unsigned int)((r >> 12) % 4);
			gfp_t gfp = gfps[(r >> 16) % 3] | __GFP_NOWARN;
			struct page *p;

			if ((r >> 20) % 8 == 0)
				gfp |= __GFP_ZERO;
			p = ((r >> 24) & 1) ? alloc_pages(gfp, order)
					    : node_alloc_pages(h->node, gfp, order);
			if (!p) {
				h->fails++;
				continue;
			}
			mine[n] = (struct held){ p, page_to_pfn(p), order,
						 ((u64)h->cpu << 56) | (u64)step << 16 };
			if (!IS_ALIGNED(mine[n].pfn, 1ul << order) || mine[n].pfn < h->base ||
			    mine[n].pfn + (1ul << order) > h->base + h->span ||
			    page_order(p) != order || !PageHead(p))
				h->errors++;
			if ((gfp & __GFP_DMA32) && mine[n].pfn + (1ul << order) > 0x82000)
				h->errors++;
			if ((gfp & __GFP_ZERO) && !block_is_zero(p, order))
				h->errors++;
			t_claim(h, &mine[n], (u8)(1 + h->cpu));
			fill_block(p, order, mine[n].tag);
			n++;
			h->allocs++;
		} else if (op < 90 && n) {
			unsigned int i = (unsigned int)((r >> 8) % n);
			struct held b = mine[i];

			if (!block_holds(b.page, b.order, b.tag))
				h->errors++;
			t_claim(h, &b, 0);
			if ((r >> 20) & 1)
				__free_pages(b.page, b.order);
			else
				free_pages((unsigned long)page_address(b.page), b.order);
			mine[i] = mine[--n];
		} else if (op < 95 && n) {
			/* Hand a block to whichever hart looks next. */
			unsigned int slot = (unsigned int)((r >> 8) % 4);

			pthread_mutex_lock(&t_mailbox_lock);
			if (!t_mailbox_full[slot]) {
				t_mailbox[slot] = mine[--n];
				t_mailbox_full[slot] = true;
				h->handed++;
			}
			pthread_mutex_unlock(&t_mailbox_lock);
		} else if (n < T_HOLD) {
			unsigned int slot = (unsigned int)((r >> 8) % 4);

			pthread_mutex_lock(&t_mailbox_lock);
			if (t_mailbox_full[slot]) {
				mine[n++] = t_mailbox[slot];
				t_mailbox_full[slot] = false;
			}
			pthread_mutex_unlock(&t_mailbox_lock);
		}
		if (h->cpu == T_HARTS - 1 && step % 64 == 0)
			node_drain_pages(h->node); /* pull other harts' lists */
	}
	for (unsigned int i = 0; i < n; i++) {
		if (!block_holds(mine[i].page, mine[i].order, mine[i].tag))
			h->errors++;
		t_claim(h, &mine[i], 0);
		__free_pages(mine[i].page, mine[i].order);
	}
	return NULL;
}

static void pcp_concurrent_harts(struct ktest *t)
{
	/* 64 MiB, DMA32 the lower half. */
	struct fakeram *fr = fakeram_new(RAM, 64 * MiB);
	struct pglist_data *node;
	struct hart_run runs[T_HARTS];
	struct snap start, end;
	unsigned long allocs = 0, handed = 0, base, span;
	u8 *owner;

	ASSERT(fr);
	ASSERT_EQ(memblock_add(&fr->mb, RAM, 64 * MiB), 0);
	ASSERT_EQ(fakeram_node_init(fr, &(struct zone_limits){ 0, 0x82000, false }), 0);
	node = &fr->node;
	base = node->node_start_pfn;
	span = node->node_end_pfn - base;
	owner = calloc(span, 1);
	ASSERT(owner);
	snap_take(node, &start);
	memset(t_mailbox_full, 0, sizeof(t_mailbox_full));
	for (unsigned int i = 0; i < T_HARTS; i++) {
		runs[i] = (struct hart_run){ .cpu = i, .node = node, .base = base, .span = span,
					     .owner = owner };
		ASSERT_EQ(pthread_create(&runs[i].thread, NULL, hart_main, &runs[i]), 0);
	}
	for (unsigned int i = 0; i < T_HARTS; i++) {
		pthread_join(runs[i].thread, NULL);
		EXPECT_EQ(runs[i].errors, 0);
		allocs += runs[i].allocs;
		handed += runs[i].handed;
	}
	/* Blocks left in the mailbox. */
	for (int s = 0; s < 4; s++)
		if (t_mailbox_full[s]) {
			EXPECT(block_holds(t_mailbox[s].page, t_mailbox[s].order, t_mailbox[s].tag));
			__free_pages(t_mailbox[s].page, t_mailbox[s].order);
		}
	EXPECT(allocs > T_HARTS * T_STEPS / 4);
	EXPECT(handed > 0);
	EXPECT_EQ(node->nr_bad_pages, 0);
	EXPECT_EQ(node_check(node), 0);
	node_drain_pages(node);
	EXPECT_EQ(node_check(node), 0);
	snap_take(node, &end);
	expect_snap_eq(t, &start, &end);
	snap_release(&start);
	snap_release(&end);
	free(owner);
	fakeram_done(fr);
}

/* ---- node_check itself --------------------------------------------------- */

/* node_check is the oracle of every case here: it must see each kind of
 * damage (each made by hand, checked, then undone). */
static void node_check_finds_damage(struct ktest *t)
{
	struct fakeram *fr = fakeram_simple(RAM, 8 * MiB, &lim_4g);
	struct pglist_data *node;
	struct zone *z;
	struct fr_capture cap;
	char out[8192];
	int found[9];
	struct page *p, *q;
	u32 saved;

	ASSERT(fr);
	node = &fr->node;
	z = &node->zones[ZONE_DMA32];
	ASSERT_EQ(node_check(node), 0);
	p = alloc_pages(GFP_KERNEL, 1);
	q = alloc_pages(GFP_KERNEL, 0);
	ASSERT(p && q);
	__free_pages(q, 0); /* on this hart's list */
	ASSERT_EQ(z->pcp[0].count, 1);
	ASSERT(z->free_area[5].nr_free > 0 && z->free_area[3].nr_free > 0);
	fr_capture_start(&cap);
	/* 1. the free page count */
	z->free_pages++;
	found[0] = node_check(node);
	z->free_pages--;
	/* 2. a list's block count */
	z->free_area[3].nr_free++;
	found[1] = node_check(node);
	z->free_area[3].nr_free--;
	/* 3. a free block claiming another order */
	{
		struct page *b = list_first_entry(&z->free_area[5].free_list, struct page, lru);

		saved = b->flags;
		b->flags = (b->flags & ~PAGE_ORDER_MASK) | (4u << PAGE_ORDER_SHIFT);
		found[2] = node_check(node);
		b->flags = saved;
	}
	/* 4. a page marked free on no list */
	p[1].flags |= PG_buddy;
	found[3] = node_check(node);
	p[1].flags &= ~PG_buddy;
	/* 5. two free buddies of the same order, not merged */
	saved = p->flags;
	p->flags = (p->flags & ~(PG_head | PAGE_ORDER_MASK)) | PG_buddy;
	p->refcount = 0;
	p[1].flags |= PG_buddy;
	list_add(&p[0].lru, &z->free_area[0].free_list);
	list_add(&p[1].lru, &z->free_area[0].free_list);
	z->free_area[0].nr_free += 2;
	z->free_pages += 2;
	found[4] = node_check(node);
	list_del(&p[0].lru);
	list_del(&p[1].lru);
	z->free_area[0].nr_free -= 2;
	z->free_pages -= 2;
	p->flags = saved;
	p->refcount = 1;
	p[1].flags &= ~PG_buddy;
	/* 6. a per-hart count */
	z->pcp[0].count++;
	found[5] = node_check(node);
	z->pcp[0].count--;
	/* 7. an allocated block without a reference */
	p->refcount = 0;
	found[6] = node_check(node);
	p->refcount = 1;
	/* 8. a reserved page inside a free block */
	{
		struct page *b = list_first_entry(&z->free_area[5].free_list, struct page, lru);

		b[7].flags |= PG_reserved;
		found[7] = node_check(node);
		b[7].flags &= ~PG_reserved;
	}
	/* 9. a page of a free block also marked as on a per-hart list */
	{
		struct page *b = list_first_entry(&z->free_area[5].free_list, struct page, lru);

		b[3].flags |= PG_pcp;
		found[8] = node_check(node);
		b[3].flags &= ~PG_pcp;
	}
	fr_capture_end(&cap, out, sizeof(out));
	for (int i = 0; i < 9; i++)
		if (found[i] <= 0)
			ktest_fail(t, __FILE__, __LINE__, "damage %d not found", i + 1);
	EXPECT(strstr(out, "free block and its buddy both free at the same order") != NULL);
	EXPECT(strstr(out, "page marked free but on no list") != NULL);
	EXPECT(strstr(out, "allocated block without a reference") != NULL);
	EXPECT_EQ(node_check(node), 0);
	__free_pages(p, 1);
	EXPECT_EQ(node_check(node), 0);
	fakeram_done(fr);
}

/* ---- 9. pfn and address conversions -------------------------------------- */

static void pfn_conversions_round_trip(struct ktest *t)
{
	/*
	 * Section 0: RAM [0x80000000, 0x80400000) and [0x80600000, 0x80800000)
	 * (struct pages also for the hole between, which is no RAM);
	 * section 1: RAM [0x88100000, 0x88300000) (not from its start).
	 */
	struct fakeram *fr = fakeram_new(RAM, 0x8400000);
	struct pglist_data *node;
	unsigned long valid = 0;

	ASSERT(fr);
	ASSERT_EQ(memblock_add(&fr->mb, 0x80000000, 4 * MiB), 0);
	ASSERT_EQ(memblock_add(&fr->mb, 0x80600000, 2 * MiB), 0);
	ASSERT_EQ(memblock_add(&fr->mb, 0x88100000, 2 * MiB), 0);
	ASSERT_EQ(fakeram_node_init(fr, &lim_4g), 0);
	node = &fr->node;
	EXPECT_EQ(node->section_base_pfn, 0x80000);
	EXPECT_EQ(node->nr_sections, 2);
	for (unsigned long pfn = 0x7fe00; pfn < 0x88600; pfn++) {
		bool want = (pfn >= 0x80000 && pfn < 0x80800) || (pfn >= 0x88100 && pfn < 0x88300);
		void *va = phys_to_virt(PFN_PHYS(pfn));
		struct page *p;

		if (pfn_valid(pfn) != want) {
			ktest_fail(t, __FILE__, __LINE__, "pfn_valid(0x%lx) != %d", pfn, want);
			break;
		}
		if (!want) {
			if (virt_to_page(va) != NULL) {
				ktest_fail(t, __FILE__, __LINE__, "virt_to_page(pfn 0x%lx)", pfn);
				break;
			}
			continue;
		}
		valid++;
		p = pfn_to_page(pfn);
		if (page_to_pfn(p) != pfn || page_address(p) != va || virt_to_page(va) != p ||
		    virt_to_page((char *)va + 1) != p || virt_to_page((char *)va + PAGE_SIZE - 1) != p ||
		    (pfn_valid(pfn + 1) && pfn_to_page(pfn + 1) != p + 1) ||
		    node_pfn_to_page(node, pfn) != p || page_zonenum(p) != ZONE_DMA32 ||
		    page_section(p) != (pfn - 0x80000) >> PFN_SECTION_SHIFT ||
		    PageReserved(p) == page_is_free_ram(&fr->mb, pfn)) {
			ktest_fail(t, __FILE__, __LINE__, "round trip of pfn 0x%lx", pfn);
			break;
		}
	}
	EXPECT_EQ(valid, 0x800 + 0x200);
	EXPECT_EQ(node->memmap_pages, valid);
	EXPECT(!pfn_valid(0));
	EXPECT(!pfn_valid(~0ul));
	EXPECT(!pfn_valid(0x80000 + 2 * PAGES_PER_SECTION));
	EXPECT(virt_to_page(phys_to_virt(0x200000000ull)) == NULL);
	/* An allocated block's address converts back to its head. */
	{
		struct page *p = alloc_pages(GFP_KERNEL, 3);
		unsigned long a;

		ASSERT(p);
		a = (unsigned long)page_address(p);
		EXPECT(virt_to_page((void *)a) == p);
		EXPECT(virt_to_page((void *)(a + 3 * PAGE_SIZE)) == p + 3);
		EXPECT_EQ(virt_to_phys((void *)a), PFN_PHYS(page_to_pfn(p)));
		free_pages(a, 3);
	}
	EXPECT_EQ(node_check(node), 0);
	fakeram_done(fr);
}

/*
 * The memmap's two layouts. One bank, or banks whose gaps cost at most 1/8
 * more struct pages: one flat array over the span, shared by every
 * section, and kfree's window (virt_to_page_flat) agrees with virt_to_page
 * on every page of RAM; a gap's struct pages are zero (untyped) and not
 * pfn_valid. Wider gaps: struct pages per section and an empty window.
 */
static void check_flat_layout(struct ktest *t, struct fakeram *fr, unsigned long gap_start,
			      unsigned long gap_end)
{
	struct pglist_data *node = &fr->node;
	unsigned long span = node->node_end_pfn - node->node_start_pfn;

	ASSERT(node->flat_map);
	EXPECT_EQ(node->memmap_pages, span);
	for (unsigned long i = 0; i < node->nr_sections; i++)
		EXPECT_EQ(node->sections[i].map_base,
			  (uintptr_t)node->flat_map - node->node_start_pfn * sizeof(struct page));
	EXPECT_EQ(memmap_win_size, span << PAGE_SHIFT);
	for (unsigned long pfn = node->node_start_pfn - 4; pfn < node->node_end_pfn + 4; pfn++) {
		char *va = phys_to_virt(PFN_PHYS(pfn));
		bool in_span = pfn >= node->node_start_pfn && pfn < node->node_end_pfn;
		bool in_gap = pfn >= gap_start && pfn < gap_end;
		struct page *flat = virt_to_page_flat(va + 123);

		if (!in_span ? flat != NULL
			     : flat != node->flat_map + (pfn - node->node_start_pfn) ||
				       virt_to_page_flat(va + PAGE_SIZE - 1) != flat) {
			ktest_fail(t, __FILE__, __LINE__, "window lookup of pfn 0x%lx", pfn);
			return;
		}
		if (in_span && !in_gap && virt_to_page(va) != flat) {
			ktest_fail(t, __FILE__, __LINE__, "window and virt_to_page differ at 0x%lx", pfn);
			return;
		}
		if (in_gap && (pfn_valid(pfn) || flat->flags != 0 || PageSlab(flat))) {
			ktest_fail(t, __FILE__, __LINE__, "gap pfn 0x%lx looks like RAM", pfn);
			return;
		}
	}
	EXPECT(virt_to_page_flat(NULL) == NULL);
	EXPECT(virt_to_page_flat((void *)16) == NULL);
	EXPECT(virt_to_page_flat((void *)~0ul) == NULL);
}

static void flat_memmap_and_window(struct ktest *t)
{
	struct fakeram *fr;

	/* One bank with a hole punched by no-map memory: flat. */
	fr = fakeram_new(RAM, 64 * MiB);
	ASSERT(fr);
	ASSERT_EQ(memblock_add(&fr->mb, RAM, 64 * MiB), 0);
	ASSERT_EQ(memblock_reserve(&fr->mb, RAM + 8 * MiB, 1 * MiB), 0);
	ASSERT_EQ(fakeram_node_init(fr, &lim_4g), 0);
	check_flat_layout(t, fr, 0, 0);
	EXPECT_EQ(node_check(&fr->node), 0);
	fakeram_done(fr);
	EXPECT_EQ(memmap_win_size, 0); /* the previous node had none */

	/* Two banks 2 MiB apart in different sections (1/64 of RAM): flat;
	 * the gap's struct pages are zero and invalid. */
	fr = fakeram_new(RAM, 256 * MiB);
	ASSERT(fr);
	ASSERT_EQ(memblock_add(&fr->mb, RAM, 127 * MiB), 0);
	ASSERT_EQ(memblock_add(&fr->mb, RAM + 129 * MiB, 127 * MiB), 0);
	ASSERT_EQ(fakeram_node_init(fr, &lim_4g), 0);
	EXPECT_EQ(fr->node.nr_sections, 2);
	check_flat_layout(t, fr, PFN(RAM + 127 * MiB), PFN(RAM + 129 * MiB));
	{
		/* A pointer into the gap: kfree reports it and changes nothing. */
		unsigned long err0 = kfree_errors, free0 = nr_free_pages();

		kfree(phys_to_virt(RAM + 128 * MiB));
		EXPECT_EQ(kfree_errors, err0 + 1);
		EXPECT_EQ(nr_free_pages(), free0);
	}
	EXPECT_EQ(node_check(&fr->node), 0);
	fakeram_done(fr);

	/* Gaps of more than 1/8: per-section arrays, no window. */
	fr = fakeram_new(RAM, 512 * MiB);
	ASSERT(fr);
	ASSERT_EQ(memblock_add(&fr->mb, RAM, 64 * MiB), 0);
	ASSERT_EQ(memblock_add(&fr->mb, RAM + 448 * MiB, 64 * MiB), 0);
	ASSERT_EQ(fakeram_node_init(fr, &lim_4g), 0);
	EXPECT(fr->node.flat_map == NULL);
	EXPECT_EQ(fr->node.memmap_pages, PFN(128 * MiB));
	EXPECT_EQ(memmap_win_size, 0);
	EXPECT(virt_to_page_flat(phys_to_virt(RAM)) == NULL);
	EXPECT(virt_to_page(phys_to_virt(RAM + 448 * MiB)) != NULL);
	EXPECT(virt_to_page(phys_to_virt(RAM + 200 * MiB)) == NULL);
	EXPECT_EQ(node_check(&fr->node), 0);
	fakeram_done(fr);
}

/*
 * Shrinkers: a request that every zone refuses, even after the per-hart
 * lists are drained, asks the registered shrinkers and succeeds with what
 * they give back; with nothing given back it fails as before. A shrinker
 * that is not registered is never asked.
 */
static struct list_head shrink_stash = LIST_HEAD_INIT(shrink_stash);
static unsigned long shrink_calls;

static unsigned long stash_scan(gfp_t gfp)
{
	unsigned long n = 0;

	(void)gfp;
	shrink_calls++;
	while (!list_empty(&shrink_stash)) {
		struct page *p = list_first_entry(&shrink_stash, struct page, lru);

		list_del(&p->lru);
		__free_pages(p, 0);
		n++;
	}
	return n;
}

static void shrinker_gives_memory_back(struct ktest *t)
{
	struct fakeram *fr = fakeram_simple(RAM, 16 * MiB, &lim_4g);
	struct shrinker s = { .name = "stash", .scan = stash_scan };
	struct list_head held = LIST_HEAD_INIT(held);
	struct page *p;
	unsigned long scans0;

	ASSERT(fr);
	for (int i = 0; i < 8; i++) {
		p = alloc_pages(GFP_KERNEL, 0);
		ASSERT(p);
		list_add(&p->lru, &shrink_stash);
	}
	register_shrinker(&s);
	shrink_calls = 0;
	while ((p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0)) != NULL)
		list_add(&p->lru, &held);
	/* Asked once when the zones ran dry (its 8 pages were then taken),
	 * and once more for the request that failed, with nothing to give. */
	EXPECT_EQ(shrink_calls, 2);
	EXPECT_EQ(s.nr_scans, 2);
	EXPECT_EQ(s.nr_freed, 8);
	EXPECT(list_empty(&shrink_stash));
	/* Unregistered: never asked, even with pages to give. */
	p = list_first_entry(&held, struct page, lru);
	list_del(&p->lru);
	list_add(&p->lru, &shrink_stash);
	unregister_shrinker(&s);
	scans0 = s.nr_scans;
	EXPECT(alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0) == NULL);
	EXPECT_EQ(s.nr_scans, scans0);
	EXPECT_EQ(shrink_calls, 2);
	while (!list_empty(&held)) {
		p = list_first_entry(&held, struct page, lru);
		list_del(&p->lru);
		__free_pages(p, 0);
	}
	stash_scan(0);
	EXPECT_EQ(node_check(&fr->node), 0);
	fakeram_done(fr);
}

/* Allocate order-@order blocks until two are buddies; free the others and
 * return the pair allocated in @a and @b. */
static bool take_buddy_pair(struct pglist_data *node, unsigned int order, struct page **a,
			    struct page **b)
{
	struct page *got[64];
	unsigned int n = 0, i, j;
	bool found = false;

	while (!found && n < 64 && (got[n] = alloc_pages(GFP_KERNEL, order)) != NULL) {
		for (i = 0; i < n && !found; i++)
			if ((node_page_to_pfn(node, got[i]) ^ (1ul << order)) ==
			    node_page_to_pfn(node, got[n])) {
				*a = got[i];
				*b = got[n];
				found = true;
			}
		n++;
	}
	for (j = 0; j < n; j++)
		if (!found || (got[j] != *a && got[j] != *b))
			__free_pages(got[j], order);
	return found;
}

/* A free block that reaches PORT_RELEASE_MIN_ORDER, freed as such or by
 * merging, is handed to port_release_free_block once, with its address and
 * size; a smaller free block that does not merge that far is not. */
static void high_order_frees_are_released(struct ktest *t)
{
	struct fakeram *fr = fakeram_simple(RAM, 16 * MiB, &lim_4g);
	unsigned long blocks, bytes;
	struct pglist_data *node;
	struct page *p, *a, *b;
	void *va;

	ASSERT(fr);
	node = &fr->node;
	p = alloc_pages(GFP_KERNEL, MAX_ORDER - 1);
	ASSERT(p);
	va = phys_to_virt(PFN_PHYS(node_page_to_pfn(node, p)));
	blocks = port_host_released_blocks;
	bytes = port_host_released_bytes;
	__free_pages(p, MAX_ORDER - 1);
	EXPECT_EQ(port_host_released_blocks, blocks + 1);
	EXPECT_EQ(port_host_released_bytes, bytes + (PAGE_SIZE << (MAX_ORDER - 1)));
	EXPECT(port_host_last_released == va);

	/* Two buddies below the least order: the first free merges with
	 * nothing and is not released; the second merges into a free block
	 * (read back from the free lists) that is released if and only if it
	 * reached the least order. Order 3 (taken next to blocks that stay
	 * allocated, so it merges only a little) and the order just below the
	 * least, whose pairs are taken until one merged far enough. */
	for (unsigned int order = 3; order < PORT_RELEASE_MIN_ORDER; order += PORT_RELEASE_MIN_ORDER - 4) {
		int max_tries = order < PORT_RELEASE_MIN_ORDER - 1 ? 1 : 16;
		bool released_seen = false;

		for (int tries = 0; tries < max_tries && !released_seen; tries++) {
			unsigned long pa;
			struct snap sn;
			size_t i;

			ASSERT(take_buddy_pair(node, order, &a, &b));
			blocks = port_host_released_blocks;
			bytes = port_host_released_bytes;
			__free_pages(a, order);
			EXPECT_EQ(port_host_released_blocks, blocks);
			__free_pages(b, order);
			pa = node_page_to_pfn(node, a);
			snap_take(node, &sn);
			for (i = 0; i < sn.n; i++)
				if (sn.blk[i].pfn <= pa && pa < sn.blk[i].pfn + (1ul << sn.blk[i].order))
					break;
			ASSERT(i < sn.n);
			if (sn.blk[i].order >= PORT_RELEASE_MIN_ORDER) {
				released_seen = true;
				EXPECT_EQ(port_host_released_blocks, blocks + 1);
				EXPECT_EQ(port_host_released_bytes - bytes, PAGE_SIZE << sn.blk[i].order);
				EXPECT(port_host_last_released == phys_to_virt(PFN_PHYS(sn.blk[i].pfn)));
			} else {
				EXPECT_EQ(port_host_released_blocks, blocks);
			}
			snap_release(&sn);
		}
		EXPECT(released_seen || order < PORT_RELEASE_MIN_ORDER - 1);
	}
	EXPECT_EQ(node_check(node), 0);
	fakeram_done(fr);
}

/* Is the block at @pfn (a max-order block's first pfn) in @set[0..n)? */
static bool pfn_in_set(const unsigned long *set, size_t n, unsigned long pfn)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == pfn)
			return true;
	return false;
}

/* The model of zone_take_run's choice: the lowest block of @set[0..n)
 * (free max-order blocks) aligned to @align pages from which @k blocks in a
 * row are all in the set, or ~0ul. */
static unsigned long model_lowest_run(const unsigned long *set, size_t n, unsigned long k, unsigned long align)
{
	unsigned long best = ~0ul;

	for (size_t i = 0; i < n; i++) {
		unsigned long j = 0;

		if (set[i] >= best || set[i] % align)
			continue;
		while (j < k && pfn_in_set(set, n, set[i] + j * MAX_ORDER_NR_PAGES))
			j++;
		if (j == k)
			best = set[i];
	}
	return best;
}

/* alloc_contig_pages takes the lowest free run of whole max-order blocks
 * (aligned as asked): on random patterns of free blocks its choice is the
 * model's, and node_check (which proves the free_max map it searches
 * marks exactly the listed max-order blocks) stays clean; damage to the
 * map, either way, is found. */
static void contig_runs_take_the_lowest_fit(struct ktest *t)
{
	struct fakeram *fr = fakeram_simple(RAM, 512 * MiB, &lim_4g);
	unsigned long all[128], freed[128], state = 12345;
	size_t n = 0, nf;
	struct pglist_data *node;
	struct page *p;

	ASSERT(fr);
	node = &fr->node;
	while (n < ARRAY_SIZE(all) && (p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_ORDER - 1)))
		all[n++] = node_page_to_pfn(node, p);
	ASSERT(n > 100);
	for (int round = 0; round < 40; round++) {
		/* the upper half free (room above the watermarks), a random
		 * pattern below it */
		nf = 0;
		for (size_t i = 0; i < n; i++) {
			state = state * 6364136223846793005ul + 1442695040888963407ul;
			if (i >= n / 2 || (state >> 33) % 3 == 0) {
				__free_pages(node_pfn_to_page(node, all[i]), MAX_ORDER - 1);
				freed[nf++] = all[i];
			}
		}
		EXPECT_EQ(node_check(node), 0);
		for (unsigned long k = 1; k <= 4; k++) {
			unsigned long align = (round & 1) && k > 1 ? 2 * MAX_ORDER_NR_PAGES : MAX_ORDER_NR_PAGES;
			unsigned long want = model_lowest_run(freed, nf, k, align);

			p = alloc_contig_pages(k * MAX_ORDER_NR_PAGES, GFP_KERNEL, align);
			ASSERT(p);
			EXPECT_EQ(node_page_to_pfn(node, p), want);
			EXPECT_EQ(node_check(node), 0);
			free_contig_range(node_page_to_pfn(node, p), k * MAX_ORDER_NR_PAGES);
		}
		/* damage: a free block unmarked, an allocated one marked */
		for (int side = 0; side < 2; side++) {
			unsigned long pfn = side ? all[0] : freed[0], rel = pfn - node->section_base_pfn;
			u32 bit = 1u << ((rel >> (MAX_ORDER - 1)) & 31);

			if (side && pfn_in_set(freed, nf, pfn))
				continue;
			node->free_max[rel >> PFN_SECTION_SHIFT] ^= bit;
			EXPECT(node_check(node) > 0);
			node->free_max[rel >> PFN_SECTION_SHIFT] ^= bit;
			EXPECT_EQ(node_check(node), 0);
		}
		for (size_t i = 0; i < nf; i++) {
			p = alloc_contig_pages(MAX_ORDER_NR_PAGES, GFP_KERNEL, 0);
			ASSERT(p);
			EXPECT(pfn_in_set(freed, nf, node_page_to_pfn(node, p)));
		}
	}
	fakeram_done(fr);
}

/* With a keep (the malloc library's port), a big free block stays out of
 * the port's hands: listed in zone->kept, newest first, within the budget;
 * the list is exact (a kept block taken or merged leaves it at once, so a
 * release never reaches pages in use), and node_check finds an entry that
 * is not a free block of its order. */
static void kept_big_blocks_exact(struct ktest *t)
{
	struct fakeram *fr = fakeram_simple(RAM, 64 * MiB, &lim_4g);
	unsigned long keep = port_release_keep, blocks, bytes;
	struct page *p[4], *q;
	struct zone *z;

	ASSERT(fr);
	z = &fr->node.zones[ZONE_DMA32];
	port_release_keep = 2 * (PAGE_SIZE << (MAX_ORDER - 1)); /* two blocks */
	for (int i = 0; i < 4; i++)
		ASSERT((p[i] = alloc_pages(GFP_KERNEL, MAX_ORDER - 1)));
	blocks = port_host_released_blocks;
	bytes = port_host_released_bytes;
	__free_pages(p[0], MAX_ORDER - 1);
	EXPECT_EQ(port_host_released_blocks, blocks);
	EXPECT_EQ(z->kept[0], node_page_to_pfn(&fr->node, p[0]) << 4 | (MAX_ORDER - 1));
	EXPECT_EQ(z->kept[1], 0);
	/* taken again (the list's head): it leaves the kept blocks, released never */
	q = alloc_pages(GFP_KERNEL, MAX_ORDER - 1);
	EXPECT(q == p[0]);
	EXPECT_EQ(z->kept[0], 0);
	EXPECT_EQ(node_check(&fr->node), 0);
	/* four freed: the two newest kept, the two oldest released, together
	 * at the last free (the budget is twice the pages in use, the block
	 * being freed among them: 8, 6 and 4 blocks at the first three frees,
	 * then the two blocks of the keep) */
	for (int i = 0; i < 3; i++)
		__free_pages(p[i], MAX_ORDER - 1);
	EXPECT_EQ(port_host_released_blocks, blocks);
	__free_pages(p[3], MAX_ORDER - 1);
	EXPECT_EQ(port_host_released_bytes, bytes + 2 * (PAGE_SIZE << (MAX_ORDER - 1)));
	EXPECT_EQ(port_host_released_blocks, blocks + 1);
	EXPECT_EQ(z->kept[0], node_page_to_pfn(&fr->node, p[3]) << 4 | (MAX_ORDER - 1));
	EXPECT_EQ(z->kept[1], node_page_to_pfn(&fr->node, p[2]) << 4 | (MAX_ORDER - 1));
	EXPECT_EQ(z->kept[2], 0);
	EXPECT_EQ(node_check(&fr->node), 0);
	/* damage, each alone (count and bytes kept right): an entry naming an
	 * allocated block, one kept twice; then an entry past the count */
	ASSERT((q = alloc_pages(GFP_KERNEL, MAX_ORDER - 1)));
	EXPECT(q == p[3]);
	EXPECT_EQ(z->kept_n, 1);
	z->kept_n = 2;
	z->kept_bytes += PAGE_SIZE << (MAX_ORDER - 1);
	z->kept[1] = node_page_to_pfn(&fr->node, q) << 4 | (MAX_ORDER - 1);
	EXPECT(node_check(&fr->node) > 0);
	z->kept[1] = z->kept[0];
	EXPECT(node_check(&fr->node) > 0);
	z->kept_n = 1;
	z->kept_bytes -= PAGE_SIZE << (MAX_ORDER - 1);
	EXPECT(node_check(&fr->node) > 0);
	z->kept[1] = 0;
	EXPECT_EQ(node_check(&fr->node), 0);
	__free_pages(q, MAX_ORDER - 1);
	EXPECT_EQ(node_check(&fr->node), 0);
	port_release_keep = keep;
	fakeram_done(fr);
}

/* Kept blocks let go together go to the port together: a run of four
 * blocks freed (all kept, within a budget of four), then with the keep
 * lowered to one block the block after them freed: the budget is then
 * twice the pages in use, the freed block's own (two blocks), and joining
 * the kept ones leaves room for one of the four, the newest: the other
 * three go, neighbours, in one call. */
static void kept_neighbours_released_in_one_call(struct ktest *t)
{
	struct fakeram *fr = fakeram_simple(RAM, 128 * MiB, &lim_4g);
	unsigned long keep = port_release_keep, blocks, bytes, r, y;
	struct zone *z;

	ASSERT(fr);
	z = &fr->node.zones[ZONE_DMA32];
	port_release_keep = 4 * (PAGE_SIZE << (MAX_ORDER - 1));
	r = node_page_to_pfn(&fr->node, alloc_contig_pages(4 * MAX_ORDER_NR_PAGES, GFP_KERNEL, 0));
	y = node_page_to_pfn(&fr->node, alloc_contig_pages(MAX_ORDER_NR_PAGES, GFP_KERNEL, 0));
	EXPECT_EQ(y, r + 4 * MAX_ORDER_NR_PAGES); /* the lowest fits, one after the other */
	blocks = port_host_released_blocks;
	bytes = port_host_released_bytes;
	free_contig_range(r, 4 * MAX_ORDER_NR_PAGES);
	EXPECT_EQ(port_host_released_blocks, blocks);
	for (unsigned long i = 0; i < 4; i++)
		EXPECT_EQ(z->kept[i], (r + i * MAX_ORDER_NR_PAGES) << 4 | (MAX_ORDER - 1));
	port_release_keep = PAGE_SIZE << (MAX_ORDER - 1);
	EXPECT_EQ(z->managed_pages - z->free_pages, MAX_ORDER_NR_PAGES); /* y's alone */
	free_contig_range(y, MAX_ORDER_NR_PAGES);
	EXPECT_EQ(port_host_released_blocks, blocks + 1);
	EXPECT_EQ(port_host_released_bytes, bytes + 3 * (PAGE_SIZE << (MAX_ORDER - 1)));
	EXPECT(port_host_last_released == phys_to_virt(PFN_PHYS(r + MAX_ORDER_NR_PAGES)));
	EXPECT_EQ(z->kept[0], y << 4 | (MAX_ORDER - 1));
	EXPECT_EQ(z->kept[1], r << 4 | (MAX_ORDER - 1));
	EXPECT_EQ(z->kept[2], 0);
	EXPECT_EQ(node_check(&fr->node), 0);
	port_release_keep = keep;
	fakeram_done(fr);
}

/* What releases_outside_the_zone_lock's hook saw of the block it was given. */
static struct {
	struct zone *z;
	int calls;
	bool lock_held, listed, allocated;
	unsigned long free_pages;
} seen_release;

static void note_release_state(void *addr, unsigned long size)
{
	const struct page *page = virt_to_page(addr);

	(void)size;
	seen_release.calls++;
	seen_release.lock_held = __atomic_load_n(&seen_release.z->lock.locked, __ATOMIC_RELAXED) != 0;
	seen_release.listed = (page->flags & PG_buddy) != 0;
	seen_release.allocated = (page->flags & PG_head) != 0;
	seen_release.free_pages = seen_release.z->free_pages;
}

/* A block goes to the port with the zone's lock dropped (other threads do
 * not wait for the system call), held apart meanwhile: off the free lists
 * and the free count, allocated to no one; then it is listed again, after
 * the blocks whose pages are resident (it is taken last). */
static void releases_outside_the_zone_lock(struct ktest *t)
{
	struct fakeram *fr = fakeram_simple(RAM, 64 * MiB, &lim_4g);
	struct page *p, *q;
	unsigned long before;

	ASSERT(fr);
	seen_release.z = &fr->node.zones[ZONE_DMA32];
	seen_release.calls = 0;
	ASSERT((p = alloc_pages(GFP_KERNEL, MAX_ORDER - 1)));
	before = seen_release.z->free_pages;
	port_host_release_hook = note_release_state;
	__free_pages(p, MAX_ORDER - 1);
	port_host_release_hook = NULL;
	EXPECT_EQ(seen_release.calls, 1);
	EXPECT(!seen_release.lock_held);
	EXPECT(!seen_release.listed);
	EXPECT(!seen_release.allocated);
	EXPECT_EQ(seen_release.free_pages, before);
	/* listed again, at the end of its list */
	EXPECT_EQ(seen_release.z->free_pages, before + MAX_ORDER_NR_PAGES);
	EXPECT(PageBuddy(p) && page_order(p) == MAX_ORDER - 1);
	EXPECT_EQ(seen_release.z->releasing_n, 0);
	EXPECT(list_entry(seen_release.z->free_area[MAX_ORDER - 1].free_list.prev, struct page, lru) == p);
	q = alloc_pages(GFP_KERNEL, MAX_ORDER - 1);
	EXPECT(q && q != p);
	EXPECT_EQ(node_check(&fr->node), 0);
	__free_pages(q, MAX_ORDER - 1);
	fakeram_done(fr);
}

KTEST_SUITE(buddy,
	KTEST_CASE(model_random_alloc_free),
	KTEST_CASE(pages_grouped_by_use),
	KTEST_CASE(split_and_merge_exact),
	KTEST_CASE(no_merge_across_zone_boundary),
	KTEST_CASE(no_merge_across_holes_or_reserved),
	KTEST_CASE(check_walks_past_holes),
	KTEST_CASE(partial_pages_at_bank_edges),
	KTEST_CASE(reserved_pages_never_handed_out),
	KTEST_CASE(bad_double_free),
	KTEST_CASE(bad_reserved_tail_and_order),
	KTEST_CASE(bad_references),
	KTEST_CASE(bad_free_pages_address),
	KTEST_CASE(watermark_min_and_atomic),
	KTEST_CASE(atomic_reserve_stays_out_of_kernel_reach),
	KTEST_CASE(lowmem_reserve_and_fallback),
	KTEST_CASE(dma_zone_requests),
	KTEST_CASE(gfp_zero_clears_dirty_pages),
	KTEST_CASE(gfp_zero_on_another_node),
	KTEST_CASE(order_too_large_fails),
	KTEST_CASE(exact_pages),
	KTEST_CASE(fit_pages),
	KTEST_CASE(fit_runs_beyond_max_order),
	KTEST_CASE(fit_run_stays_put),
	KTEST_CASE(fit_pages_fail_page_alloc),
	KTEST_CASE(failure_warns_once_per_order),
	KTEST_CASE(pcp_lists_park_and_drain),
	KTEST_CASE(pcp_hi_lists),
	KTEST_CASE(pcp_concurrent_harts),
	KTEST_CASE(node_check_finds_damage),
	KTEST_CASE(pfn_conversions_round_trip),
	KTEST_CASE(flat_memmap_and_window),
	KTEST_CASE(shrinker_gives_memory_back),
	KTEST_CASE(high_order_frees_are_released),
	KTEST_CASE(contig_runs_take_the_lowest_fit),
	KTEST_CASE(kept_big_blocks_exact),
	KTEST_CASE(kept_neighbours_released_in_one_call),
	KTEST_CASE(releases_outside_the_zone_lock));
