/*
 * slab_bench.c - kmem_cache_alloc + kmem_cache_free pairs (the per-hart
 * magazine fast path) for object sizes 32, 64, 256 and 1024.
 */
#include <bench/bench.h>
#include <mm/slab.h>

#define PAIRS 10000

static void bench_size(unsigned int size)
{
	struct kmem_cache *c = kmem_cache_create("bench", size, 0, 0, NULL);
	void *obj;
	u64 t0, t1;

	if (!c) {
		kprintf("bench: kmem_cache size=%u failed: no cache\n", size);
		return;
	}
	obj = kmem_cache_alloc(c, GFP_KERNEL); /* warm this hart's magazine */
	kmem_cache_free(c, obj);
	t0 = bench_instret();
	for (int i = 0; i < PAIRS; i++) {
		obj = kmem_cache_alloc(c, GFP_KERNEL);
		kmem_cache_free(c, obj);
	}
	t1 = bench_instret();
	kprintf("bench: kmem_cache size=%u insns=%llu pairs=%d\n", size,
		(unsigned long long)bench_per_op(t0, t1, PAIRS), PAIRS);
	kmem_cache_shrink(c);
	kmem_cache_destroy(c);
}

static void slab_bench(void)
{
	bench_size(32);
	bench_size(64);
	bench_size(256);
	bench_size(1024);
}
BENCH("kmem_cache", slab_bench);

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
