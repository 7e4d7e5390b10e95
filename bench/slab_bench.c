/*
 * slab_bench.c - kmem_cache_alloc + kmem_cache_free pairs for object sizes
 * 32, 64, 256 and 1024 (and 24, 100, 3000 on the SLOB model), on both cache
 * models: slab (the per-hart magazine fast path) and SLOB (SLAB_SLOB:
 * slob_alloc / slob_free on kmalloc's heap, mm/slab_slob.c).
 *
 *   bench: kmem_cache size=S [align=A] insns=N pairs=P model=slab|slob live_kb=K
 *
 * align=A: the cache was made with SLAB_HWCACHE_ALIGN (sizes 192 and 600:
 * A is 64, the cache line), as much kernel code makes its caches.
 *
 * live_kb: the pages the page allocator gave up while the fresh cache
 * holds LIVE objects (its slabs and magazine, or the SLOB pages they took),
 * in KiB; insns: instructions per pair after they were freed.
 *
 *   bench: kmem_cache_few caches=C objs=N model=slab|slob live_kb=K
 *
 * the other case, a system of many small caches: C caches of sizes from 24
 * to 1000 bytes, N objects live in each; live_kb as above (descriptors
 * excluded: they are the same in both models).
 *
 *   bench: kmem_cache_slob_parts size=64 insns=N ksize_insns=M
 *
 * what a SLOB-model pair is made of: slob_alloc + slob_free of the same
 * 64-byte block on kmalloc's heap alone (insns), and the slob_ksize the
 * free's check adds (ksize_insns).
 */
#include <bench/bench.h>
#include <mm/mm.h>
#include <mm/mmzone.h>
#include <mm/slab.h>
#include <mm/slob.h>

#define PAIRS 10000
#define LIVE 1000

static void *live_objs[LIVE];

static unsigned long free_pages_now(void)
{
	node_drain_pages(mem_node);
	return nr_free_pages();
}

/* KiB taken from the page allocator by LIVE objects of the cache; 0 when
 * an allocation failed (printed). */
static unsigned long live_kb(struct kmem_cache *c)
{
	unsigned long before = free_pages_now(), after;
	int n;

	for (n = 0; n < LIVE; n++)
		if (!(live_objs[n] = kmem_cache_alloc(c, GFP_KERNEL)))
			break;
	after = free_pages_now();
	if (n < LIVE)
		bench_fail("bench: kmem_cache error: %s: allocation %d of %d failed\n", c->name, n, LIVE);
	while (n--)
		kmem_cache_free(c, live_objs[n]);
	kmem_cache_shrink(c);
	return (before - after) * (PAGE_SIZE / 1024);
}

static void bench_size(unsigned int size, unsigned long flags)
{
	struct kmem_cache *c = kmem_cache_create("bench", size, 0, flags, NULL);
	char align[16] = "";
	unsigned long kb;
	void *obj;
	u64 t0, t1;

	if (!c) {
		bench_fail("bench: kmem_cache size=%u failed: no cache\n", size);
		return;
	}
	kb = live_kb(c); /* on the fresh cache: every page its objects take */
	obj = kmem_cache_alloc(c, GFP_KERNEL); /* warm this hart's magazine */
	kmem_cache_free(c, obj);
	t0 = bench_instret();
	for (int i = 0; i < PAIRS; i++) {
		obj = kmem_cache_alloc(c, GFP_KERNEL);
		kmem_cache_free(c, obj);
	}
	t1 = bench_instret();
	if (flags & SLAB_HWCACHE_ALIGN)
		ksnprintf(align, sizeof(align), " align=%u", c->align);
	kprintf("bench: kmem_cache size=%u%s insns=%llu pairs=%d model=%s live_kb=%lu\n", size, align,
		(unsigned long long)bench_per_op(t0, t1, PAIRS), PAIRS,
		c->flags & SLAB_SLOB ? "slob" : "slab", kb);
	kmem_cache_shrink(c);
	kmem_cache_destroy(c);
}

static void bench_slob_parts(void)
{
	void *o;
	u64 t0, t1, t2;

	t0 = bench_instret();
	for (int i = 0; i < PAIRS; i++) {
		o = slob_alloc(&kmalloc_heap, 64, GFP_KERNEL, sizeof(void *));
		slob_free(&kmalloc_heap, o, 64);
	}
	t1 = bench_instret();
	for (int i = 0; i < PAIRS; i++) {
		o = slob_alloc(&kmalloc_heap, 64, GFP_KERNEL, sizeof(void *));
		if (slob_ksize(&kmalloc_heap, o) < 64)
			bench_fail("bench: kmem_cache_slob_parts error: slob_ksize of a live block\n");
		slob_free(&kmalloc_heap, o, 64);
	}
	t2 = bench_instret();
	kprintf("bench: kmem_cache_slob_parts size=64 insns=%llu ksize_insns=%llu\n",
		(unsigned long long)bench_per_op(t0, t1, PAIRS),
		(unsigned long long)(bench_per_op(t1, t2, PAIRS) - bench_per_op(t0, t1, PAIRS)));
}

#define FEW_CACHES 16
#define FEW_OBJS 10

static void bench_few(unsigned long model)
{
	static struct kmem_cache *cs[FEW_CACHES];
	static void *objs[FEW_CACHES][FEW_OBJS];
	unsigned long before, after;
	bool ok = true;

	for (int i = 0; i < FEW_CACHES; i++)
		ok = (cs[i] = kmem_cache_create("bench-few", 24 + (unsigned int)i * 65, 0, model, NULL)) &&
		     ok;
	before = free_pages_now();
	for (int i = 0; i < FEW_CACHES; i++)
		for (int k = 0; k < FEW_OBJS; k++)
			ok = cs[i] && (objs[i][k] = kmem_cache_alloc(cs[i], GFP_KERNEL)) && ok;
	after = free_pages_now();
	if (ok)
		kprintf("bench: kmem_cache_few caches=%d objs=%d model=%s live_kb=%lu\n", FEW_CACHES,
			FEW_OBJS, model == SLAB_SLOB ? "slob" : "slab",
			(before - after) * (PAGE_SIZE / 1024));
	else
		bench_fail("bench: kmem_cache_few error: a cache or an object could not be made\n");
	for (int i = 0; i < FEW_CACHES; i++) {
		for (int k = 0; k < FEW_OBJS; k++)
			if (cs[i] && objs[i][k])
				kmem_cache_free(cs[i], objs[i][k]);
		kmem_cache_destroy(cs[i]);
	}
}

static void slab_bench(void)
{
	static const unsigned int sizes[] = { 24, 32, 64, 100, 256, 1024, 3000 };
	static const unsigned int aligned[] = { 192, 600 };
	static const unsigned long models[] = { SLAB_NOSLOB, SLAB_SLOB };

	for (unsigned int m = 0; m < ARRAY_SIZE(models); m++) {
		for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++)
			bench_size(sizes[i], models[m]);
		for (unsigned int i = 0; i < ARRAY_SIZE(aligned); i++)
			bench_size(aligned[i], models[m] | SLAB_HWCACHE_ALIGN);
	}
	bench_slob_parts();
	bench_few(SLAB_NOSLOB);
	bench_few(SLAB_SLOB);
}
BENCH("kmem_cache", slab_bench);

/*
 * The slow paths, per operation: a 64-byte cache (limit 120, batch 60)
 * takes ROUNDS rounds of OBJS allocations then OBJS frees, and every call
 * is timed on its own; a call during which nr_refills (nr_flushes) grew is
 * a refill (flush), and refill_insns (flush_insns) is the mean of those
 * calls, the magazine pop or push included. bounce: BOUNCES rounds of
 * alloc 90 / free 90, the pattern that crosses one magazine boundary each
 * way (where a depot saves the trip to the slabs). scatter: as bulk, but
 * the frees in an order that takes each object from another slab than the
 * one before (a stride through the allocation order: a hash table or a
 * tree destroyed, whose order is not the order its nodes were made in), so
 * every flush gives back runs of one object.
 */
#define SLOW_OBJS 2000
#define SLOW_ROUNDS 5
#define BOUNCES 200
#define SCATTER_STRIDE 773 /* coprime with SLOW_OBJS, above a slab's 64 objects */

static void *slow_objs[SLOW_OBJS];

struct slow_sums {
	u64 refill_insns, flush_insns, refills, flushes;
};

static void slow_alloc(struct kmem_cache *c, void **slot, struct slow_sums *s, u64 cal)
{
	unsigned long r = c->nr_refills;
	u64 t0 = bench_instret(), t1;

	*slot = kmem_cache_alloc(c, GFP_KERNEL);
	t1 = bench_instret();
	if (c->nr_refills != r) {
		s->refill_insns += t1 - t0 - cal;
		s->refills++;
	}
}

static void slow_free(struct kmem_cache *c, void *obj, struct slow_sums *s, u64 cal)
{
	unsigned long f = c->nr_flushes;
	u64 t0 = bench_instret(), t1;

	kmem_cache_free(c, obj);
	t1 = bench_instret();
	if (c->nr_flushes != f) {
		s->flush_insns += t1 - t0 - cal;
		s->flushes++;
	}
}

static void slow_report(const char *pattern, struct kmem_cache *c, unsigned long grows,
			const struct slow_sums *s)
{
	kprintf("bench: slab_slow pattern=%s size=64 refills=%llu flushes=%llu grows=%lu "
		"insns=%llu refill_insns=%llu flush_insns=%llu\n", pattern,
		(unsigned long long)s->refills, (unsigned long long)s->flushes,
		c->nr_grows - grows,
		(unsigned long long)((s->refill_insns + s->flush_insns) /
				     (s->refills + s->flushes ? s->refills + s->flushes : 1)),
		(unsigned long long)(s->refills ? s->refill_insns / s->refills : 0),
		(unsigned long long)(s->flushes ? s->flush_insns / s->flushes : 0));
}

static void slab_slow_bench(void)
{
	struct kmem_cache *c = kmem_cache_create("bench-slow", 64, 0, 0, NULL);
	u64 cal = bench_rdinstret_cost();
	struct slow_sums s = { 0 };
	unsigned long grows;

	if (!c) {
		bench_fail("bench: slab_slow failed: no cache\n");
		return;
	}
	grows = c->nr_grows;
	for (int r = 0; r < SLOW_ROUNDS; r++) {
		for (int i = 0; i < SLOW_OBJS; i++)
			slow_alloc(c, &slow_objs[i], &s, cal);
		for (int i = 0; i < SLOW_OBJS; i++)
			slow_free(c, slow_objs[i], &s, cal);
	}
	slow_report("bulk", c, grows, &s);
	s = (struct slow_sums){ 0 };
	grows = c->nr_grows;
	for (int r = 0; r < BOUNCES; r++) {
		for (int i = 0; i < 90; i++)
			slow_alloc(c, &slow_objs[i], &s, cal);
		for (int i = 0; i < 90; i++)
			slow_free(c, slow_objs[i], &s, cal);
	}
	slow_report("bounce", c, grows, &s);
	s = (struct slow_sums){ 0 };
	grows = c->nr_grows;
	for (int r = 0; r < SLOW_ROUNDS; r++) {
		for (int i = 0; i < SLOW_OBJS; i++)
			slow_alloc(c, &slow_objs[i], &s, cal);
		for (int i = 0; i < SLOW_OBJS; i++)
			slow_free(c, slow_objs[(unsigned long)i * SCATTER_STRIDE % SLOW_OBJS], &s, cal);
	}
	slow_report("scatter", c, grows, &s);
	if (kmem_cache_check(c))
		bench_fail("bench: slab_slow error: kmem_cache_check failed\n");
	kmem_cache_shrink(c);
	kmem_cache_destroy(c);
}
BENCH("slab_slow", slab_slow_bench);

/*
 * Producer-consumer across harts: cpu 0 allocates a batch of objects, cpu 1
 * frees them (on_hart: the waiting hart sleeps in wfi, nothing spins), for
 * ROUNDS batches; the same with both halves on cpu 0 for comparison. Wall
 * time from the time CSR, so meaningful only without -icount (make bench
 * runs one hart and prints a skip line).
 */
#define PC_BATCH 1000
#define PC_ROUNDS 200

#include <boot/hart.h>
#include <boot/ktime.h>

static void *pc_objs[PC_BATCH];
static struct kmem_cache *pc_cache;

static void pc_free_batch(void *arg)
{
	(void)arg;
	for (int i = 0; i < PC_BATCH; i++)
		kmem_cache_free(pc_cache, pc_objs[i]);
}

static void shrink_here(void *arg)
{
	kmem_cache_shrink(arg);
}

/* Operations per second with the frees on @consumer. */
static unsigned long pc_run(unsigned int consumer)
{
	u64 t0 = time_now_us(), us;

	for (int r = 0; r < PC_ROUNDS; r++) {
		for (int i = 0; i < PC_BATCH; i++)
			pc_objs[i] = kmem_cache_alloc(pc_cache, GFP_KERNEL);
		on_hart(consumer, pc_free_batch, NULL);
	}
	us = time_now_us() - t0;
	return us ? (unsigned long)(2ull * PC_BATCH * PC_ROUNDS * 1000000 / us) : 0;
}

static void slab_pc_bench(void)
{
	unsigned long cross, local;

	if (nr_harts < 2 || this_cpu() != 0) {
		kprintf("bench: slab_pc skipped: needs 2 harts, run from cpu 0, without -icount\n");
		return;
	}
	pc_cache = kmem_cache_create("bench-pc", 64, 0, 0, NULL);
	if (!pc_cache)
		return;
	local = pc_run(0);
	cross = pc_run(1);
	kprintf("bench: slab_pc size=64 harts=2 ops_per_sec=%lu one_hart_ops_per_sec=%lu ratio_pct=%lu"
		" (wall time, without -icount)\n", cross, local, local ? cross * 100 / local : 0);
	on_each_hart(shrink_here, pc_cache);
	kmem_cache_destroy(pc_cache);
}
BENCH("slab_pc", slab_pc_bench);
