/*
 * kmalloc_bench.c - SLOB's kmalloc: alloc + free pairs by size, and the
 * churn workload (bench/churn.h) against SLOB and picolibc's malloc.
 *
 * bench kmalloc: for each size, a private heap (segfit, then classic) first
 * gets 1000 live objects of that size; then heap_kmalloc + kfree pairs of
 * the same size are timed (one pair = one operation). Sizes above what a
 * SLOB page holds (8192) are bigblocks from the buddy allocator.
 *
 *   bench: kmalloc alloc=slob size=S insns=N
 *   bench: kmalloc alloc=slob-classic size=S insns=N
 *
 * bench churn: the workload on a private segfit heap, on picolibc's
 * nano-malloc in the same kernel, and on a private classic heap.
 *
 *   bench: churn alloc=slob insns=N peak_kb=K picolibc_insns=M picolibc_peak_kb=Q ratio=R
 *   bench: churn alloc=slob-classic insns=N peak_kb=K
 *
 * insns is instructions per operation; peak_kb the most memory the
 * allocator took from below: SLOB pages and bigblock pages (peak_pages * 4)
 * for rvmm, the highest sbrk break minus its start for picolibc (rounded up
 * to KiB). ratio = picolibc_insns / insns as printed, one decimal. Problems
 * (corrupted bytes, failed allocations, slob_check findings, pages left
 * behind) print "bench: churn error: ..." lines.
 */
#include <bench/bench.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/slab.h>
#include <mm/slob.h>

#include "churn.h"
#include "workloads.h"

#define PAIRS 10000
#define LIVE 1000

static struct slob_heap bench_heap;
static void *live[LIVE];

static const char *mode_label(enum slob_mode mode)
{
	return mode == SLOB_SEGFIT ? "slob" : "slob-classic";
}

static void bench_size(enum slob_mode mode, size_t size)
{
	struct slob_heap *h = &bench_heap;
	unsigned long busy;
	u64 t0, t1;
	void *p;
	int n;

	slob_heap_init(h, "bench", mode);
	for (n = 0; n < LIVE; n++) {
		live[n] = heap_kmalloc(h, size, GFP_KERNEL);
		if (!live[n])
			break;
	}
	p = n == LIVE ? heap_kmalloc(h, size, GFP_KERNEL) : NULL;
	if (!p) {
		bench_fail("bench: kmalloc alloc=%s size=%zu failed: no memory\n", mode_label(mode), size);
	} else {
		kfree(p);
		t0 = bench_instret();
		for (int i = 0; i < PAIRS; i++) {
			p = heap_kmalloc(h, size, GFP_KERNEL);
			kfree(p);
		}
		t1 = bench_instret();
		kprintf("bench: kmalloc alloc=%s size=%zu insns=%llu\n", mode_label(mode), size,
			(unsigned long long)bench_per_op(t0, t1, PAIRS));
	}
	while (n--)
		kfree(live[n]);
	busy = slob_heap_destroy(h);
	if (busy)
		kprintf("bench: kmalloc alloc=%s size=%zu: %lu pages still busy\n", mode_label(mode),
			size, busy);
}

/* The same pairs through kmalloc with kmalloc=slab (the kmalloc-N caches).
 * Inlined at each call with a literal size: kmalloc then sees a
 * compile-time size, as in kernel code (kmalloc(sizeof(struct foo))). */
static inline __attribute__((always_inline)) void bench_size_slab(size_t size)
{
	enum kmalloc_backend saved = kmalloc_backend;
	u64 t0, t1;
	void *p;
	int n;

	kmalloc_set_backend(KMALLOC_SLAB);
	for (n = 0; n < LIVE; n++) {
		live[n] = kmalloc(size, GFP_KERNEL);
		if (!live[n])
			break;
	}
	p = n == LIVE ? kmalloc(size, GFP_KERNEL) : NULL;
	if (!p) {
		bench_fail("bench: kmalloc alloc=slab size=%zu failed: no memory\n", size);
	} else {
		kfree(p);
		t0 = bench_instret();
		for (int i = 0; i < PAIRS; i++) {
			p = kmalloc(size, GFP_KERNEL);
			kfree(p);
		}
		t1 = bench_instret();
		kprintf("bench: kmalloc alloc=slab size=%zu insns=%llu\n", size,
			(unsigned long long)bench_per_op(t0, t1, PAIRS));
	}
	while (n--)
		kfree(live[n]);
	wl_shrink_kmalloc_caches();
	kmalloc_set_backend(saved);
}

static void kmalloc_bench(void)
{
	/* segfit: powers of two (size pages) and sizes between them (blocks) */
	static const size_t seg_sizes[] = { 16, 24, 64, 100, 200, 256, 500, 700, 1024, 1500, 3000, 8192 };
	static const size_t sizes[] = { 16, 64, 256, 1024, 3000, 8192 };

	for (unsigned int i = 0; i < ARRAY_SIZE(seg_sizes); i++)
		bench_size(SLOB_SEGFIT, seg_sizes[i]);
	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++)
		bench_size(SLOB_CLASSIC, sizes[i]);
	bench_size_slab(16);
	bench_size_slab(64);
	bench_size_slab(256);
	bench_size_slab(1024);
	bench_size_slab(3000);
	bench_size_slab(8192);
}
BENCH("kmalloc", kmalloc_bench);

/* ------------------------------- churn ----------------------------------- */

static void *slob_op_alloc(size_t size)
{
	return heap_kmalloc(&bench_heap, size, GFP_KERNEL);
}

static void slob_op_free(void *p)
{
	kfree(p);
}

/* Details that are not in the table (no "insns=" key): bench.sh skips them. */
static void report_split(const char *alloc, const struct churn_result *r)
{
	kprintf("bench: churn-split alloc=%s per_alloc=%llu per_free=%llu allocs=%llu frees=%llu max_live=%llu\n",
		alloc, (unsigned long long)churn_insns_per_alloc(r),
		(unsigned long long)churn_insns_per_free(r), (unsigned long long)r->allocs,
		(unsigned long long)r->frees, (unsigned long long)r->max_live);
}

static void report_problems(const char *alloc, const struct churn_result *r)
{
	if (r->corrupt || r->failed_allocs)
		bench_fail("bench: churn error: alloc=%s corrupt=%llu failed_allocs=%llu\n", alloc,
			(unsigned long long)r->corrupt, (unsigned long long)r->failed_allocs);
	if (r->rdinstret_cost != 1)
		kprintf("bench: churn note: alloc=%s two rdinstret reads cost %llu (expected 1)\n",
			alloc, (unsigned long long)r->rdinstret_cost);
}

/* The workload on a fresh private heap; problems are printed. */
static void churn_slob(enum slob_mode mode, struct churn_result *r, unsigned long *peak_kb)
{
	static const struct churn_ops ops = { slob_op_alloc, slob_op_free };
	struct slob_heap *h = &bench_heap;
	unsigned long busy;
	int problems;

	slob_heap_init(h, mode == SLOB_SEGFIT ? "churn" : "churn-classic", mode);
	churn_run(&ops, r);
	problems = slob_check(h);
	*peak_kb = h->peak_pages * (PAGE_SIZE / 1024);
	report_problems(mode_label(mode), r);
	if (problems || h->nr_bad_frees)
		bench_fail("bench: churn error: alloc=%s slob_check=%d bad_frees=%lu\n", mode_label(mode),
			problems, h->nr_bad_frees);
	busy = slob_heap_destroy(h);
	if (busy || h->used_bytes || h->big_pages) {
		bench_fail("bench: churn error: alloc=%s %lu pages, %lu bytes, %lu bigblock pages left after freeing everything\n",
			mode_label(mode), busy, h->used_bytes, h->big_pages);
	}
}

static void *slab_op_alloc(size_t size)
{
	return kmalloc(size, GFP_KERNEL);
}

/* The workload through kmalloc with kmalloc=slab. peak_kb: slab pages plus
 * cache descriptors and magazines plus kmalloc's SLOB heap (the heap
 * classes' blocks) at their highest (kmalloc_peak_bytes). */
static void churn_slab(struct churn_result *r, unsigned long *peak_kb)
{
	static const struct churn_ops ops = { slab_op_alloc, slob_op_free };
	enum kmalloc_backend saved = kmalloc_backend;
	unsigned long base;

	kmalloc_set_backend(KMALLOC_SLAB);
	base = wl_kmalloc_fresh_start();
	kmalloc_peak_bytes = base;
	churn_run(&ops, r);
	*peak_kb = (kmalloc_peak_bytes - base + 1023) / 1024;
	report_problems("slab", r);
	for (int i = 0; i < KMALLOC_NR_CACHES; i++)
		if (kmalloc_caches[i] && kmem_cache_check(kmalloc_caches[i]))
			bench_fail("bench: churn error: alloc=slab kmem_cache_check(%s) failed\n",
				kmalloc_caches[i]->name);
	wl_shrink_kmalloc_caches();
	kmalloc_set_backend(saved);
}

static void print_churn(const char *alloc, const struct churn_result *r, unsigned long peak_kb,
			const struct churn_result *pr, unsigned long pl_peak, int err)
{
	u64 n = churn_insns_per_op(r), m = err ? 0 : churn_insns_per_op(pr);
	u64 ratio10 = n ? (m * 10 + n / 2) / n : 0;

	if (err) {
		kprintf("bench: churn alloc=%s insns=%llu peak_kb=%lu\n", alloc, (unsigned long long)n,
			peak_kb);
		return;
	}
	kprintf("bench: churn alloc=%s insns=%llu peak_kb=%lu picolibc_insns=%llu picolibc_peak_kb=%lu ratio=%llu.%llu\n",
		alloc, (unsigned long long)n, peak_kb, (unsigned long long)m, (pl_peak + 1023) / 1024,
		(unsigned long long)(ratio10 / 10), (unsigned long long)(ratio10 % 10));
}

static void churn_bench(void)
{
	struct churn_result r, pr;
	unsigned long peak_kb, pl_peak;
	int err, pl_errno = 0;

	churn_slob(SLOB_SEGFIT, &r, &peak_kb);
	err = picolibc_churn(&pr, &pl_peak, &pl_errno);
	if (err)
		bench_fail("bench: churn error: alloc=picolibc could not run (%d)\n", err);
	else
		report_problems("picolibc", &pr);
	if (pl_errno)
		bench_fail("bench: churn error: alloc=picolibc errno=%d\n", pl_errno);
	print_churn("slob", &r, peak_kb, &pr, pl_peak, err);
	report_split("slob", &r);
	if (!err)
		report_split("picolibc", &pr);

	churn_slab(&r, &peak_kb);
	print_churn("slab", &r, peak_kb, &pr, pl_peak, err);
	report_split("slab", &r);

	churn_slob(SLOB_CLASSIC, &r, &peak_kb);
	kprintf("bench: churn alloc=slob-classic insns=%llu peak_kb=%lu\n",
		(unsigned long long)churn_insns_per_op(&r), peak_kb);
	report_split("slob-classic", &r);
}
BENCH("churn", churn_bench);
