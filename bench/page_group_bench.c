/*
 * page_group_bench.c - what grouping by use (mm/page_alloc.c, "Grouping by
 * use"; page_grouping=on|off) keeps of the big free blocks (bench
 * page_group).
 *
 * The workload: PG_SLOTS slots, PG_STEPS steps, each drawing r with
 * xorshift64 (seed 0x2545f4914f6cdd1d) and taking slot r % PG_SLOTS: an
 * occupied slot is kfree'd, an empty one gets a kmalloc whose size comes
 * from a second draw s: with (s >> 8) % 100 < 8 a bigblock (kmalloc's
 * pages, placed as runs: 12, 20, 40, 64, 100, 200 or 512 KiB, by s % 7),
 * else a small request of the kernel's size mix (wl_kernel_sizes, s % 1000
 * per mille: slab objects). A small request with (s >> 40) % 1000 < 30 is
 * long-lived: it goes to a table of PG_LONG_MAX (while there is room) and
 * stays allocated after the steps. Then every short-lived block is freed,
 * the kmalloc caches shrunk and the per-hart lists drained: what is left
 * allocated is the long-lived slab objects (and the slabs holding them).
 *
 * Printed then (and before the steps, after the same shrink and drain):
 *   order9      free blocks of 2 MiB the buddy lists could give (a block
 *               of order o >= 9 counts 2^(o-9)), as many alloc_pages of
 *               order 9 could succeed but for the watermarks;
 *   unusable9_pct  free pages not in blocks of order 9 or more / free
 *               pages (Linux's unusable free space index at order 9);
 *   order10     the same count for 4 MiB (MAX_ORDER - 1) blocks;
 *   small_pageblocks  pageblocks kept for small allocations at that point;
 *   long / long_kb  the long-lived objects and their bytes.
 * Everything is freed at the end. Exact under qemu -icount shift=0 (the
 * same requests, the same memory, each boot).
 */
#include <bench/bench.h>
#include <mm/kmalloc.h>
#include <mm/mmzone.h>
#include <mm/port.h>
#include <mm/vmalloc.h>

#include "workloads.h"

#define PG_SLOTS 4096
#define PG_STEPS 200000
#define PG_LONG_MAX 8192
#define PG_BIG_PCT 8
#define PG_LONG_PERMILLE 30

static const u32 big_kb[] = { 12, 20, 40, 64, 100, 200, 512 };

struct pg_counts {
	unsigned long free_pages, order9, order10, unusable9_permille, small_pageblocks;
};

static void count_free_blocks(struct pg_counts *c)
{
	unsigned long big = 0;

	wl_shrink_kmalloc_caches();
	node_drain_pages(mem_node);
	c->free_pages = node_nr_free_pages(mem_node);
	c->order9 = c->order10 = 0;
	c->small_pageblocks = 0;
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = &mem_node->zones[zi];
		struct pageblock_counts pb;

		for (unsigned int o = 9; o < MAX_ORDER; o++) {
			c->order9 += z->free_area[o].nr_free << (o - 9);
			big += z->free_area[o].nr_free << o;
		}
		c->order10 += z->free_area[MAX_ORDER - 1].nr_free;
		zone_pageblock_counts(z, &pb);
		c->small_pageblocks += pb.small;
	}
	c->unusable9_permille = c->free_pages ? (c->free_pages - big) * 1000 / c->free_pages : 0;
}

static u64 xorshift(u64 *x)
{
	*x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
	return *x;
}

/* A request size for the draw @s, and whether it may be long-lived. */
static size_t draw_size(u64 s, bool *small)
{
	u32 pm = (u32)(s % 1000), acc = 0;

	*small = (s >> 8) % 100 >= PG_BIG_PCT;
	if (!*small)
		return big_kb[s % ARRAY_SIZE(big_kb)] * 1024;
	for (unsigned int i = 0; i < wl_nr_kernel_sizes; i++) {
		acc += wl_kernel_sizes[i].weight;
		if (pm < acc)
			return wl_kernel_sizes[i].size;
	}
	return wl_kernel_sizes[wl_nr_kernel_sizes - 1].size;
}

static void print_counts(const char *when, const struct pg_counts *c)
{
	kprintf(" %s_order9=%lu %s_order10=%lu %s_unusable9_pct=%lu.%lu %s_small_pageblocks=%lu", when,
		c->order9, when, c->order10, when, c->unusable9_permille / 10,
		c->unusable9_permille % 10, when, c->small_pageblocks);
}

static void page_group_bench(void)
{
	/* slots and the long-lived table: PG_SLOTS + PG_LONG_MAX pointers */
	unsigned long bytes = (PG_SLOTS + PG_LONG_MAX) * sizeof(void *);
	void **slot = kvmalloc(bytes, GFP_KERNEL | __GFP_ZERO), **longs = slot + PG_SLOTS;
	u64 x = 0x2545f4914f6cdd1dull;
	unsigned long nlong = 0, long_bytes = 0, failed = 0;
	struct pg_counts before, after;

	if (!slot) {
		bench_fail("bench: page_group failed: no memory\n");
		return;
	}
	count_free_blocks(&before);
	for (int i = 0; i < PG_STEPS; i++) {
		void **f = &slot[xorshift(&x) % PG_SLOTS];
		u64 s = xorshift(&x);
		bool small;
		size_t size;

		if (*f) {
			kfree(*f);
			*f = NULL;
			continue;
		}
		size = draw_size(s, &small);
		if (small && (s >> 40) % 1000 < PG_LONG_PERMILLE && nlong < PG_LONG_MAX) {
			longs[nlong] = kmalloc(size, GFP_KERNEL | __GFP_NOWARN);
			failed += !longs[nlong];
			long_bytes += longs[nlong] ? size : 0;
			nlong += !!longs[nlong];
			continue;
		}
		*f = kmalloc(size, GFP_KERNEL | __GFP_NOWARN);
		failed += !*f;
	}
	for (int i = 0; i < PG_SLOTS; i++)
		kfree(slot[i]);
	count_free_blocks(&after);
	for (unsigned long i = 0; i < nlong; i++)
		kfree(longs[i]);
	kvfree(slot);
	kprintf("bench: page_group grouping=%s long=%lu long_kb=%lu failed=%lu free_kb=%lu",
		port_group_pages_by_use ? "on" : "off", nlong, long_bytes / 1024, failed,
		after.free_pages * (PAGE_SIZE / 1024));
	print_counts("before", &before);
	print_counts("after", &after);
	kprintf("\n");
}
BENCH("page_group", page_group_bench);
