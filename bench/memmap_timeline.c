/*
 * memmap_timeline.c - workloads for the pictures of memory (docs/memmap.md,
 * scripts/memmap-plot.sh, make memmap):
 *
 * memmap-timeline [slots [steps [every]]]
 *   (each 1 .. 2^32 - 1, decimal or 0x hex with a K/M/G suffix as stress
 *   takes them: shell_parse_number; "16K" slots is 16384)
 *   The churn workload (bench/churn.h: its slot scheme and its size weights
 *   16:20 32:20 64:20 128:10 192:8 256:8 512:6 1024:4 3000:2 8192:2), scaled
 *   up to `slots` slots (default 262144: about 46 MiB live once half are
 *   taken, for machines of 128 MiB and more; the slot table takes 4 MiB)
 *   for `steps` steps (default 800000), through kmalloc (whichever backend
 *   kmalloc= chose). Then it drains in two passes: first every
 *   block but those of every 8th slot (the survivors pin their slabs and
 *   SLOB pages), then the rest; then the kmalloc caches are shrunk, and
 *   then the per-hart page lists drained (node_drain_pages). Every `every`
 *   steps (default 10000), every `every` frees while draining, after the
 *   shrink and after the per-hart drain, one line:
 *
 *     memmap-sample: step=N phase=churn|drain|shrunk|pcp-drained free_pages=F
 *                    largest_free_order=O frag_pct=P unusable_pct=U live_kb=L
 *
 *   free_pages: free pages of the node (buddy lists and per-hart lists);
 *   largest_free_order: the largest order with a free block; frag_pct:
 *   100 * (1 - largest free block / free pages); unusable_pct: free pages
 *   not in 4 MiB blocks / free pages (Linux's unusable free space index for
 *   order 10, bench/workloads.h); live_kb: bytes requested and live.
 *   Percentages with one decimal. Ctrl-C ends the churn early
 *   ("memmap-timeline: interrupted after N steps"); the drain, the samples
 *   after it and the summary follow as usual, so nothing stays allocated.
 *
 * memmap-fill [free]
 *   Leaves memory in a state worth a picture: kmalloc objects of the kernel
 *   size mix (slab caches with kmalloc=slab), blocks from kmalloc's SLOB heap,
 *   bigblocks, bare page blocks of orders 0-3 and a few vmalloc areas, all
 *   allocated interleaved (Ctrl-C stops it and frees what it took), then
 *   about a third of them freed again, so that free holes sit between the
 *   owners. Everything stays allocated until `memmap-fill free`, which
 *   gives it all back, the table of what is held (FILL_MAX entries, 64
 *   pages) too.
 */
#include <bench/bench.h>
#include <mm/kmalloc.h>
#include <lib/kstring.h>
#include <mm/mmzone.h>
#include <shell/shell.h>
#include <mm/slab.h>
#include <mm/slob.h>
#include <mm/vmalloc.h>

#include "workloads.h"

static const struct wl_size churn_weights[] = {
	{ 16, 200 },  { 32, 200 },  { 64, 200 },   { 128, 100 }, { 192, 80 },
	{ 256, 80 },  { 512, 60 },  { 1024, 40 },  { 3000, 20 }, { 8192, 20 },
};

static void *tl_alloc(size_t size)
{
	return kmalloc(size, GFP_KERNEL);
}

static void tl_free(void *p)
{
	kfree(p);
}

static void print_permille(const char *key, unsigned int pm)
{
	kprintf(" %s=%u.%u", key, pm / 10, pm % 10);
}

static void tl_sample(u32 step, enum wl_phase phase, const struct wl_result *r, void *arg)
{
	struct page_frag f;

	(void)arg;
	page_frag_now(&f);
	kprintf("memmap-sample: step=%u phase=%s free_pages=%lu largest_free_order=%d", step,
		phase == WL_STEPS ? "churn" : phase == WL_DRAIN ? "drain" :
		phase == WL_SHRUNK ? "shrunk" : "pcp-drained", f.free_pages, f.largest_order);
	print_permille("frag_pct", f.frag_permille);
	print_permille("unusable_pct", f.unusable_permille);
	kprintf(" live_kb=%llu\n", (unsigned long long)((r->live_bytes + 1023) / 1024));
}

static int cmd_memmap_timeline(int argc, char **argv)
{
	static const struct churn_ops ops = { tl_alloc, tl_free };
	struct wl_spec spec = { churn_weights, ARRAY_SIZE(churn_weights), 262144, 800000, 0, 0,
				0x2545f4914f6cdd1dull, 8 };
	struct wl_hooks hooks = { .every = 10000, .sample = tl_sample, .stop = shell_interrupted };
	u32 *const args[] = { &spec.slots, &spec.steps, &hooks.every };
	static const char *const names[] = { "slots", "steps", "every" };
	struct wl_result r;
	struct page *page;
	unsigned int order;

	if (argc > 4) {
		kprintf("usage: memmap-timeline [slots [steps [every]]]\n");
		return -EINVAL;
	}
	for (int i = 1; i < argc; i++) {
		u64 v;

		if (shell_parse_number("memmap-timeline", names[i - 1], argv[i], &v))
			return -EINVAL;
		if (v == 0 || v > UINT32_MAX) {
			kprintf("memmap-timeline: %s '%s' is not from 1 to %u\n", names[i - 1], argv[i],
				UINT32_MAX);
			return -EINVAL;
		}
		*args[i - 1] = (u32)v;
	}
	order = get_order(wl_table_bytes(&spec));
	if (order >= MAX_ORDER || !(page = alloc_pages(GFP_KERNEL, order))) {
		kprintf("memmap-timeline: no memory for %u slots\n", spec.slots);
		return -ENOMEM;
	}
	kprintf("memmap-timeline: churn weights, %u slots, %u steps, a sample every %u, kmalloc=%s\n",
		spec.slots, spec.steps, hooks.every, kmalloc_backend == KMALLOC_SLAB ? "slab" : "slob");
	wl_run(&spec, page_address(page), &ops, &hooks, &r);
	__free_pages(page, order);
	if (r.steps_done < spec.steps)
		kprintf("memmap-timeline: interrupted after %u steps; every block freed\n", r.steps_done);
	wl_shrink_kmalloc_caches();
	tl_sample(r.steps_done + (u32)r.final_frees, WL_SHRUNK, &r, NULL);
	node_drain_pages(mem_node);
	tl_sample(r.steps_done + (u32)r.final_frees, WL_PCP_DRAINED, &r, NULL);
	kprintf("memmap-timeline: %llu allocs, %llu frees, %llu at the end, peak %llu KiB live,"
		" %llu corrupt, %llu failed\n", (unsigned long long)r.allocs,
		(unsigned long long)r.frees, (unsigned long long)r.final_frees,
		(unsigned long long)((r.peak_live_bytes + 1023) / 1024), (unsigned long long)r.corrupt,
		(unsigned long long)r.failed_allocs);
	if (r.corrupt || r.failed_allocs)
		return -EIO;
	return r.steps_done < spec.steps ? -EINTR : 0;
}
SHELL_CMD("memmap-timeline", cmd_memmap_timeline, "[slots [steps [every]]]",
	  "churn through kmalloc, printing free memory and fragmentation samples");

/* ------------------------------- memmap-fill ------------------------------ */

enum fill_kind { FILL_KMALLOC, FILL_SLOB, FILL_BIG, FILL_PAGES, FILL_VMALLOC };

struct fill_obj {
	void *p;
	u8 kind, order;
};

#define FILL_MAX 12000
#define FILL_STOP_POLL 256 /* allocations between two checks for Ctrl-C */
#define FILL_TABLE_ORDER get_order(FILL_MAX * sizeof(struct fill_obj))
/* FILL_MAX entries, from the page allocator while allocations are held:
 * NULL before the first memmap-fill and after memmap-fill free. */
static struct fill_obj *fill;
static unsigned int fill_n;

static void fill_release(struct fill_obj *o)
{
	switch (o->kind) {
	case FILL_PAGES:
		free_pages((unsigned long)o->p, o->order);
		break;
	case FILL_VMALLOC:
		vfree(o->p);
		break;
	default:
		kfree(o->p);
	}
	o->p = NULL;
}

/* Everything memmap-fill holds goes back, its table too. */
static void fill_free_all(void)
{
	if (!fill)
		return;
	for (unsigned int i = 0; i < fill_n; i++)
		if (fill[i].p)
			fill_release(&fill[i]);
	fill_n = 0;
	free_pages((unsigned long)fill, FILL_TABLE_ORDER);
	fill = NULL;
	wl_shrink_kmalloc_caches();
}

static inline u64 xorshift64(u64 *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static u32 kernel_size(u64 r)
{
	u32 w = (u32)(r % 1000);

	for (unsigned int i = 0; i < wl_nr_kernel_sizes; i++) {
		if (w < wl_kernel_sizes[i].weight)
			return wl_kernel_sizes[i].size;
		w -= wl_kernel_sizes[i].weight;
	}
	return 64;
}

static int cmd_memmap_fill(int argc, char **argv)
{
	static const unsigned int big_sizes[] = { 12288, 16384, 32768, 65536 };
	unsigned long counts[5] = { 0 }, freed = 0;
	u64 x = 0x9e3779b97f4a7c15ull;

	if (argc == 2 && strcmp(argv[1], "free") == 0) {
		fill_free_all();
		kprintf("memmap-fill: everything freed\n");
		return 0;
	}
	if (argc != 1) {
		kprintf("usage: memmap-fill [free]\n");
		return -EINVAL;
	}
	fill_free_all();
	fill = (struct fill_obj *)__get_free_pages(GFP_KERNEL | __GFP_ZERO, FILL_TABLE_ORDER);
	if (!fill) {
		kprintf("memmap-fill: no memory for its table (%lu pages)\n", 1ul << FILL_TABLE_ORDER);
		return -ENOMEM;
	}
	while (fill_n < FILL_MAX) {
		u64 r;

		if (fill_n % FILL_STOP_POLL == 0 && shell_interrupted()) {
			kprintf("memmap-fill: interrupted after %u allocations; everything freed\n", fill_n);
			fill_free_all();
			return -EINTR;
		}
		r = xorshift64(&x);
		unsigned int pick = (unsigned int)(r % 1000);
		struct fill_obj *o = &fill[fill_n];

		if (pick < 600) { /* kmalloc: the slab caches (or SLOB with kmalloc=slob) */
			o->kind = FILL_KMALLOC;
			o->p = kmalloc(kernel_size(r >> 12), GFP_KERNEL);
		} else if (pick < 940) { /* kmalloc's SLOB heap itself */
			o->kind = FILL_SLOB;
			o->p = heap_kmalloc(&kmalloc_heap, kernel_size(r >> 12) % 2048 + 8, GFP_KERNEL);
		} else if (pick < 965) { /* bigblocks */
			o->kind = FILL_BIG;
			o->p = kmalloc(big_sizes[(r >> 12) % ARRAY_SIZE(big_sizes)], GFP_KERNEL);
		} else if (pick < 998) { /* bare pages, orders 0-3 */
			o->kind = FILL_PAGES;
			o->order = (u8)((r >> 12) % 4);
			o->p = (void *)__get_free_pages(GFP_KERNEL, o->order);
		} else { /* vmalloc areas of 64-256 KiB */
			o->kind = FILL_VMALLOC;
			o->p = vmalloc((((r >> 12) % 4) + 1) * 65536);
		}
		if (!o->p)
			break;
		counts[o->kind]++;
		fill_n++;
	}
	/* Free about a third, spread over everything. */
	for (unsigned int i = 0; i < fill_n; i++)
		if (xorshift64(&x) % 3 == 0) {
			fill_release(&fill[i]);
			freed++;
		}
	kprintf("memmap-fill: %lu kmalloc, %lu SLOB, %lu bigblocks, %lu page blocks, %lu vmalloc areas;"
		" %lu of them freed again\n", counts[FILL_KMALLOC], counts[FILL_SLOB], counts[FILL_BIG],
		counts[FILL_PAGES], counts[FILL_VMALLOC], freed);
	return 0;
}
SHELL_CMD("memmap-fill", cmd_memmap_fill, "[free]",
	  "leave slab, SLOB, bigblock, page and vmalloc allocations for a memmap picture");
