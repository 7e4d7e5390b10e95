/*
 * workloads.c - benchmark workloads beyond churn (issue 7), each run on SLOB
 * segfit (a private heap), the slab caches (kmalloc=slab) and picolibc's
 * malloc in the same boot, with the same requests (the engine: workloads.h):
 *
 *   fixed     churn's slot scheme with one size: 64 bytes;
 *   mixed     sizes drawn from a real kmalloc trace (wl_kernel_sizes below);
 *   lifetime  the same sizes, 5% of the allocations kept for the whole run,
 *             the rest in 1024 short-lived slots (freed soon);
 *   slob_pc   producer-consumer across harts on a SLOB heap: the companion
 *             of slab_pc (bench/slab_bench.c), wall time, needs 2 harts.
 *
 * Lines (the table of scripts/bench.sh picks up every line with insns=):
 *
 *   bench: NAME alloc=slob ... insns=N peak_kb=K live_kb=L overhead_pct=O pfrag_pct=F slob_waste_pct=W ratio=R
 *   bench: NAME alloc=slab ... insns=N peak_kb=K live_kb=L overhead_pct=O pfrag_pct=F slab_waste_pct=W ratio=R
 *   bench: NAME alloc=picolibc ... insns=N peak_kb=K live_kb=L overhead_pct=O
 *
 *   insns          instructions per allocator call (alloc or free);
 *   peak_kb        the most memory the allocator took from below during the
 *                  run (as churn: SLOB pages + bigblocks of the private heap;
 *                  slab pages + descriptors + magazines; picolibc's highest
 *                  sbrk break);
 *   live_kb        the most bytes requested and live at once;
 *   overhead_pct   (peak - live) / live: what the allocator needed beyond
 *                  what was asked for, at its worst;
 *   pfrag_pct      the page allocator after the last step, live set still
 *                  allocated: free pages not in 4 MiB (order 10) blocks /
 *                  free pages (Linux's unusable free space index for the
 *                  largest order). The literal "1 - largest free block /
 *                  total free" is pinned near 100% by the 4 MiB cap on a
 *                  block (1 - 1024 / 128000 on 512 MiB), so it says nothing;
 *   slab_waste_pct (slab pages - live bytes) / slab pages after the last
 *                  step: slack inside objects (size classes) plus free
 *                  objects in slabs;
 *   slob_waste_pct free bytes inside the heap's SLOB pages / SLOB page bytes
 *                  after the last step;
 *   ratio          picolibc's insns / this allocator's insns, one decimal.
 */
#include <bench/bench.h>
#include <boot/hart.h>
#include <lib/kstring.h>
#include <mm/kmalloc.h>
#include <boot/ktime.h>
#include <mm/mmzone.h>
#include <mm/slab.h>
#include <mm/slob.h>

#include "workloads.h"

/* --------------------------------- engine --------------------------------- */

static inline u64 xorshift64(u64 *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static u32 pick_size(const struct wl_spec *s, u64 r)
{
	u32 w = (u32)(r % 1000);

	for (unsigned int i = 0; i < s->nr_sizes; i++) {
		if (w < s->sizes[i].weight)
			return s->sizes[i].size;
		w -= s->sizes[i].weight;
	}
	return s->sizes[s->nr_sizes - 1].size;
}

static bool intact(const struct wl_slot *sl)
{
	u8 last = (u8)~sl->tag;

	return sl->p[0] == sl->tag && sl->p[sl->size - 1] == last;
}

static void drain_slot(struct wl_slot *sl, void (*release)(void *), struct wl_result *r)
{
	if (!intact(sl))
		r->corrupt++;
	release(sl->p);
	r->live_bytes -= sl->size;
	r->live--;
	sl->p = NULL;
	r->final_frees++;
}

/*
 * Whether the hooks say stop. Out of line and cold: inlined, the test moved
 * the step loop's register allocation and with it the instructions
 * between the rdinstret reads around each call (a spill came or went),
 * so the benchmarks' counts changed by one.
 */
static __attribute__((noinline, cold)) bool wl_stop(const struct wl_hooks *h)
{
	return h && h->stop && h->stop();
}

void wl_run(const struct wl_spec *s, struct wl_slot *table, const struct churn_ops *ops,
	    const struct wl_hooks *h, struct wl_result *r)
{
	void *(*const alloc)(size_t) = ops->alloc;
	void (*const release)(void *) = ops->free;
	struct wl_slot *longs = table + s->slots;
	u64 x = s->seed, ainsns = 0, finsns = 0, cal;
	u32 nlong = 0, every = h ? h->every : 0, step;

	*r = (struct wl_result){ 0 };
	for (u32 i = 0; i < s->slots + s->long_max; i++)
		table[i] = (struct wl_slot){ 0 };
	cal = bench_rdinstret_cost();
	r->rdinstret_cost = cal;

	for (step = 0; step < s->steps; step++) {
		struct wl_slot *sl;
		u64 t0, t1;

		if (__builtin_expect(step % WL_STOP_POLL == 0, 0) && wl_stop(h))
			break;
		sl = &table[xorshift64(&x) % s->slots];
		if (every && h->sample && step % every == 0)
			h->sample(step, WL_STEPS, r, h->arg);
		if (sl->p) {
			if (!intact(sl))
				r->corrupt++;
			t0 = bench_instret();
			release(sl->p);
			t1 = bench_instret();
			finsns += t1 - t0 - cal;
			r->frees++;
			r->live--;
			r->live_bytes -= sl->size;
			sl->p = NULL;
		} else {
			u64 rs = xorshift64(&x);
			u32 size = pick_size(s, rs);
			u8 *p;

			t0 = bench_instret();
			p = alloc(size);
			t1 = bench_instret();
			ainsns += t1 - t0 - cal;
			r->allocs++;
			if (!p) {
				r->failed_allocs++;
				continue;
			}
			if (s->long_permille && (rs >> 40) % 1000 < s->long_permille && nlong < s->long_max) {
				sl = &longs[nlong++];
				r->long_lived++;
			}
			sl->p = p;
			sl->size = size;
			sl->tag = (u8)(rs >> 32);
			p[0] = sl->tag;
			p[size - 1] = (u8)~sl->tag;
			r->live_bytes += size;
			if (r->live_bytes > r->peak_live_bytes)
				r->peak_live_bytes = r->live_bytes;
			if (++r->live > r->max_live)
				r->max_live = r->live;
		}
	}
	r->steps_done = step;
	r->alloc_insns = ainsns;
	r->free_insns = finsns;
	r->insns = ainsns + finsns;
	if (h && h->sample && every)
		h->sample(step, WL_STEPS, r, h->arg);
	if (h && h->at_end)
		h->at_end(r, h->arg);

	for (u32 pass = 0, n = 0; pass < 2; pass++) {
		for (u32 i = 0; i < s->slots + nlong; i++) {
			struct wl_slot *sl = i < s->slots ? &table[i] : &longs[i - s->slots];
			bool spared = s->drain_keep > 1 && i < s->slots && i % s->drain_keep == 0;

			if (!sl->p || (pass == 0 && spared))
				continue;
			drain_slot(sl, release, r);
			if (every && h->sample && ++n % every == 0)
				h->sample(step + n, WL_DRAIN, r, h->arg);
		}
	}
	if (every && h->sample)
		h->sample(step + (u32)r->final_frees, WL_DRAIN, r, h->arg);
}

u64 wl_insns_per_op(const struct wl_result *r)
{
	u64 n = r->allocs + r->frees;

	return n ? (r->insns + n / 2) / n : 0;
}

void page_frag_now(struct page_frag *f)
{
	const struct pglist_data *node = mem_node;
	unsigned long top = 0;

	f->free_pages = node_free_pages_count(node);
	f->largest_order = -1;
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = &node->zones[zi];

		for (int o = 0; o < MAX_ORDER; o++)
			if (z->free_area[o].nr_free && o > f->largest_order)
				f->largest_order = o;
		top += z->free_area[MAX_ORDER - 1].nr_free << (MAX_ORDER - 1);
	}
	/* A free page on a per-hart list counts as a block of order 0. */
	if (f->largest_order < 0 && f->free_pages)
		f->largest_order = 0;
	if (!f->free_pages) {
		f->frag_permille = f->unusable_permille = 0;
		return;
	}
	f->frag_permille = (unsigned int)(1000 - (1000ul << MAX(f->largest_order, 0)) / f->free_pages);
	f->unusable_permille = (unsigned int)((f->free_pages - top) * 1000 / f->free_pages);
}

void wl_shrink_kmalloc_caches(void)
{
	for (int i = 0; i < KMALLOC_NR_CACHES; i++)
		if (kmalloc_caches[i])
			kmem_cache_shrink(kmalloc_caches[i]);
	slob_heap_shrink(&kmalloc_heap);
}

unsigned long wl_kmalloc_fresh_start(void)
{
	for (int i = 0; i < KMALLOC_NR_CACHES; i++)
		kfree(kmalloc(kmalloc_sizes[i], GFP_KERNEL));
	wl_shrink_kmalloc_caches();
	return kmalloc_held_bytes();
}

/*
 * A realistic kernel size distribution. Source: a published trace of the
 * kmem:kmalloc tracepoint of a running x86-64 Linux, captured with bpftrace
 * (one line per kmalloc: ptr, bytes_req, bytes_alloc):
 *   https://github.com/purplewall1206/KETag, file
 *   kmemstatistic/kmallocstatistic.txt (commit fe86015ad2b3), 3.8 MB,
 *   about 100000 events.
 * Two windows of it were tallied by hand (the first 16 KB, and 16 KB at
 * byte 1300000: about 860 events), so the weights are good to about half a
 * percent, not exact; the requested sizes are values the trace shows
 * (bytes_req), grouped where close (48..56 -> 52, 11..12 -> 12,
 * 28..31 -> 32), weights in per mille. By kmalloc class: 8: 26%, 16: 13.5%, 32: 7.5%,
 * 64: 7%, 96: 3%, 128: 7.5%, 192: 19.5%, 256: 2.5%, 512: 7.5%, 1k: 2.5%,
 * 2k: 2%, 4k: 1.2%, 8k: 0.3%; mean request 203 bytes. Small requests
 * dominate the count, a few of a page or more dominate the bytes, which is
 * the shape Linux's kmalloc-N caches (with their 96 and 192) are built for.
 * It is one machine's steady state, not a boot.
 */
const struct wl_size wl_kernel_sizes[] = {
	{ 8, 260 },   { 12, 20 },  { 16, 115 },  { 32, 75 },   { 52, 50 },  { 64, 20 },
	{ 80, 25 },   { 96, 5 },   { 104, 25 },  { 120, 50 },  { 144, 25 }, { 152, 10 },
	{ 176, 10 },  { 184, 150 }, { 248, 25 }, { 448, 25 },  { 488, 25 }, { 512, 25 },
	{ 640, 13 },  { 728, 12 }, { 1072, 12 }, { 1360, 8 },  { 4096, 12 }, { 4816, 3 },
};
const unsigned int wl_nr_kernel_sizes = ARRAY_SIZE(wl_kernel_sizes);

/* -------------------------------- benchmarks ------------------------------ */

struct wl_bench {
	const char *name;
	const char *params; /* printed after alloc=... */
	struct wl_spec spec;
};

/* What one allocator's run measured. */
struct wl_figures {
	struct wl_result r;
	unsigned long peak_bytes;
	unsigned long peak_heap_bytes; /* kmalloc=slab: kmalloc's SLOB heap's part of it */
	unsigned long meta_bytes; /* kmalloc=slab: descriptors and magazines, in the base */
	struct page_frag pf;    /* after the last step */
	unsigned long waste_permille; /* slab or SLOB waste after the last step */
	bool has_waste;
	int err;                /* picolibc could not run */
};

static struct slob_heap wl_heap;

static void *slob_op_alloc(size_t size)
{
	return heap_kmalloc(&wl_heap, size, GFP_KERNEL);
}

static void op_free(void *p)
{
	kfree(p);
}

static void *slab_op_alloc(size_t size)
{
	return kmalloc(size, GFP_KERNEL);
}

static void slob_at_end(const struct wl_result *r, void *arg)
{
	struct wl_figures *f = arg;
	struct slob_stats st;

	(void)r;
	page_frag_now(&f->pf);
	slob_get_stats(&wl_heap, &st);
	f->waste_permille = st.pages ? st.free_bytes * 1000 / (st.pages * PAGE_SIZE) : 0;
	f->has_waste = true;
}

static unsigned long slab_base_pages;

/* Pages kmalloc=slab serves objects from: slabs and kmalloc's SLOB heap
 * (the heap classes). */
static unsigned long slab_object_pages(void)
{
	return slab_pages + slob_heap_pages(&kmalloc_heap);
}

static void slab_at_end(const struct wl_result *r, void *arg)
{
	struct wl_figures *f = arg;
	unsigned long bytes = (slab_object_pages() - slab_base_pages) * PAGE_SIZE;

	page_frag_now(&f->pf);
	f->waste_permille = bytes > r->live_bytes ? (bytes - r->live_bytes) * 1000 / bytes : 0;
	f->has_waste = true;
}

static void report_errors(const char *name, const char *alloc, const struct wl_result *r)
{
	if (r->corrupt || r->failed_allocs)
		bench_fail("bench: %s error: alloc=%s corrupt=%llu failed_allocs=%llu\n", name, alloc,
			(unsigned long long)r->corrupt, (unsigned long long)r->failed_allocs);
	if (r->live || r->live_bytes)
		bench_fail("bench: %s error: alloc=%s %llu blocks (%llu bytes) left after the end\n", name,
			alloc, (unsigned long long)r->live, (unsigned long long)r->live_bytes);
}

static void run_slob(const struct wl_bench *b, struct wl_slot *table, struct wl_figures *f)
{
	static const struct churn_ops ops = { slob_op_alloc, op_free };
	const struct wl_hooks hooks = { .at_end = slob_at_end, .arg = f };
	unsigned long busy;
	int problems;

	slob_heap_init(&wl_heap, b->name, SLOB_SEGFIT);
	wl_run(&b->spec, table, &ops, &hooks, &f->r);
	f->peak_bytes = wl_heap.peak_pages * PAGE_SIZE;
	report_errors(b->name, "slob", &f->r);
	problems = slob_check(&wl_heap);
	if (problems || wl_heap.nr_bad_frees)
		bench_fail("bench: %s error: alloc=slob slob_check=%d bad_frees=%lu\n", b->name, problems,
			wl_heap.nr_bad_frees);
	busy = slob_heap_destroy(&wl_heap);
	if (busy || wl_heap.used_bytes || wl_heap.big_pages)
		bench_fail("bench: %s error: alloc=slob %lu pages left after freeing everything\n", b->name,
			busy + wl_heap.big_pages);
}

static void run_slab(const struct wl_bench *b, struct wl_slot *table, struct wl_figures *f)
{
	static const struct churn_ops ops = { slab_op_alloc, op_free };
	const struct wl_hooks hooks = { .at_end = slab_at_end, .arg = f };
	enum kmalloc_backend saved = kmalloc_backend;
	unsigned long base, heap_base;

	kmalloc_set_backend(KMALLOC_SLAB);
	base = wl_kmalloc_fresh_start();
	slab_base_pages = slab_object_pages();
	heap_base = slob_heap_pages(&kmalloc_heap) * PAGE_SIZE;
	f->meta_bytes = slab_meta_bytes;
	kmalloc_peak_bytes = base;
	kmalloc_peak_heap_bytes = heap_base;
	wl_run(&b->spec, table, &ops, &hooks, &f->r);
	f->peak_bytes = kmalloc_peak_bytes - base;
	f->peak_heap_bytes = kmalloc_heap_classes ? kmalloc_peak_heap_bytes - heap_base : 0;
	report_errors(b->name, "slab", &f->r);
	for (int i = 0; i < KMALLOC_NR_CACHES; i++)
		if (kmalloc_caches[i] && kmem_cache_check(kmalloc_caches[i]))
			bench_fail("bench: %s error: alloc=slab kmem_cache_check(%s) failed\n", b->name,
				kmalloc_caches[i]->name);
	wl_shrink_kmalloc_caches();
	kmalloc_set_backend(saved);
}

/* picolibc's half: runs with tp on picolibc's scratch block, no kernel calls. */
struct pl_job {
	const struct wl_spec *spec;
	struct wl_slot *table;
	struct wl_result *r;
};

static void pl_job_run(const struct churn_ops *ops, void *arg)
{
	struct pl_job *j = arg;

	wl_run(j->spec, j->table, ops, NULL, j->r);
}

static void run_picolibc(const struct wl_bench *b, struct wl_slot *table, struct wl_figures *f)
{
	struct pl_job job = { &b->spec, table, &f->r };
	unsigned long peak = 0;
	int pl_errno = 0;

	f->err = picolibc_run(pl_job_run, &job, &peak, &pl_errno);
	if (f->err) {
		bench_fail("bench: %s error: alloc=picolibc could not run (%d)\n", b->name, f->err);
		return;
	}
	f->peak_bytes = peak;
	report_errors(b->name, "picolibc", &f->r);
	if (pl_errno)
		bench_fail("bench: %s error: alloc=picolibc errno=%d\n", b->name, pl_errno);
}

static unsigned long kb_up(unsigned long bytes)
{
	return (bytes + 1023) / 1024;
}

/* "X.Y" of a per-mille value into @buf. */
static const char *permille_str(char *buf, size_t size, unsigned long pm)
{
	ksnprintf(buf, size, "%lu.%lu", pm / 10, pm % 10);
	return buf;
}

static void print_figures(const struct wl_bench *b, const char *alloc, const struct wl_figures *f,
			  const struct wl_figures *pl)
{
	u64 n = wl_insns_per_op(&f->r), m = pl && !pl->err ? wl_insns_per_op(&pl->r) : 0;
	unsigned long live = f->r.peak_live_bytes;
	unsigned long over = live && f->peak_bytes > live ? (f->peak_bytes - live) * 1000 / live : 0;
	char o[16], pfr[16], w[16], ratio[24] = "";
	char tail[112] = "";

	if (f->has_waste)
		ksnprintf(tail, sizeof(tail), " pfrag_pct=%s %s_waste_pct=%s",
			  permille_str(pfr, sizeof(pfr), f->pf.unusable_permille), alloc,
			  permille_str(w, sizeof(w), f->waste_permille));
	if (m && n) {
		u64 r10 = (m * 10 + n / 2) / n;

		ksnprintf(ratio, sizeof(ratio), " ratio=%llu.%llu", (unsigned long long)(r10 / 10),
			  (unsigned long long)(r10 % 10));
	}
	if (f->peak_heap_bytes) /* (kmalloc=slab with heap classes: their part of the peak) */
		ksnprintf(tail + strlen(tail), sizeof(tail) - strlen(tail), " peak_heap_kb=%lu",
			  kb_up(f->peak_heap_bytes));
	if (f->meta_bytes)
		ksnprintf(tail + strlen(tail), sizeof(tail) - strlen(tail), " meta_kb=%lu",
			  kb_up(f->meta_bytes));
	kprintf("bench: %s alloc=%s %s insns=%llu peak_kb=%lu live_kb=%lu overhead_pct=%s%s%s\n",
		b->name, alloc, b->params, (unsigned long long)n, kb_up(f->peak_bytes), kb_up(live),
		permille_str(o, sizeof(o), over), tail, ratio);
}

static struct wl_figures fig_slob, fig_slab, fig_pl;

static void run_bench(const struct wl_bench *b)
{
	unsigned long bytes = wl_table_bytes(&b->spec);
	unsigned int order = get_order(bytes);
	struct page *page = alloc_pages(GFP_KERNEL, order);
	struct wl_slot *table;

	if (!page) {
		bench_fail("bench: %s error: no memory for its table (%lu bytes)\n", b->name, bytes);
		return;
	}
	table = page_address(page);
	memset(&fig_slob, 0, sizeof(fig_slob));
	memset(&fig_slab, 0, sizeof(fig_slab));
	memset(&fig_pl, 0, sizeof(fig_pl));
	run_slob(b, table, &fig_slob);
	run_slab(b, table, &fig_slab);
	run_picolibc(b, table, &fig_pl);
	__free_pages(page, order);

	print_figures(b, "slob", &fig_slob, &fig_pl);
	print_figures(b, "slab", &fig_slab, &fig_pl);
	if (!fig_pl.err)
		print_figures(b, "picolibc", &fig_pl, NULL);
	for (int i = 0; i < 3; i++) {
		const struct wl_figures *f = i == 0 ? &fig_slob : i == 1 ? &fig_slab : &fig_pl;

		if (i == 2 && f->err)
			break;
		if (f->r.rdinstret_cost != 1)
			kprintf("bench: %s note: two rdinstret reads cost %llu (expected 1)\n", b->name,
				(unsigned long long)f->r.rdinstret_cost);
	}
}

static const struct wl_size fixed64[] = { { 64, 1000 } };

#define WL_SEED 0x2545f4914f6cdd1dull /* churn's */

static void fixed_bench(void)
{
	static const struct wl_bench b = {
		"fixed", "size=64",
		{ fixed64, 1, 4096, 200000, 0, 0, WL_SEED, 0 },
	};

	run_bench(&b);
}
BENCH("fixed", fixed_bench);

static void mixed_bench(void)
{
	static const struct wl_bench b = {
		"mixed", "sizes=kernel",
		{ wl_kernel_sizes, ARRAY_SIZE(wl_kernel_sizes), 4096, 200000, 0, 0, WL_SEED, 0 },
	};

	run_bench(&b);
}
BENCH("mixed", mixed_bench);

static void lifetime_bench(void)
{
	static const struct wl_bench b = {
		"lifetime", "sizes=kernel long_pct=5",
		{ wl_kernel_sizes, ARRAY_SIZE(wl_kernel_sizes), 1024, 200000, 50, 8192, WL_SEED, 0 },
	};

	run_bench(&b);
}
BENCH("lifetime", lifetime_bench);

/*
 * slob_pc: producer-consumer across harts on a SLOB segfit heap, as slab_pc
 * does on a slab cache: cpu 0 allocates a batch of 64-byte blocks, cpu 1
 * frees them (on_hart), PC_ROUNDS times; then both halves on cpu 0. Wall
 * time, so only meaningful without -icount (make bench runs it in a boot
 * of its own, two harts; the -icount boot prints a skip line).
 */
#define PC_BATCH 1000
#define PC_ROUNDS 200

static void *pc_objs[PC_BATCH];
static struct slob_heap pc_heap;

static void pc_free_batch(void *arg)
{
	(void)arg;
	for (int i = 0; i < PC_BATCH; i++)
		kfree(pc_objs[i]);
}

static unsigned long pc_run(unsigned int consumer)
{
	u64 t0 = time_now_us(), us;

	for (int r = 0; r < PC_ROUNDS; r++) {
		for (int i = 0; i < PC_BATCH; i++)
			pc_objs[i] = heap_kmalloc(&pc_heap, 64, GFP_KERNEL);
		on_hart(consumer, pc_free_batch, NULL);
	}
	us = time_now_us() - t0;
	return us ? (unsigned long)(2ull * PC_BATCH * PC_ROUNDS * 1000000 / us) : 0;
}

static void slob_pc_bench(void)
{
	unsigned long cross, local, busy;

	if (nr_harts < 2 || this_cpu() != 0) {
		kprintf("bench: slob_pc skipped: needs 2 harts, run from cpu 0, without -icount\n");
		return;
	}
	slob_heap_init(&pc_heap, "bench-pc", SLOB_SEGFIT);
	local = pc_run(0);
	cross = pc_run(1);
	kprintf("bench: slob_pc size=64 harts=2 ops_per_sec=%lu one_hart_ops_per_sec=%lu ratio_pct=%lu"
		" (wall time, without -icount)\n", cross, local, local ? cross * 100 / local : 0);
	busy = slob_heap_destroy(&pc_heap);
	if (busy)
		bench_fail("bench: slob_pc error: %lu pages left\n", busy);
}
BENCH("slob_pc", slob_pc_bench);
