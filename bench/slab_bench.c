/*
 * slab_bench.c - kmem_cache_alloc + kmem_cache_free pairs (the per-hart
 * magazine fast path) for object sizes 32, 64, 256 and 1024.
 */
#include <bench.h>
#include <slab.h>

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
