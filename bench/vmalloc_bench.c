/*
 * vmalloc_bench.c - vmalloc + vfree of N pages, reported per page mapped
 * and freed (page allocation, mapping, unmapping with the TLB flush, and
 * freeing all included).
 */
#include <bench/bench.h>
#include <mm/vmalloc.h>

static void bench_pages(unsigned long pages, int rounds)
{
	void *p = vmalloc(pages * PAGE_SIZE); /* page tables for the area exist after this */
	u64 t0, t1;

	if (!p) {
		bench_fail("bench: vmalloc pages=%lu failed: no memory\n", pages);
		return;
	}
	vfree(p);
	t0 = bench_instret();
	for (int i = 0; i < rounds; i++)
		vfree(vmalloc(pages * PAGE_SIZE));
	t1 = bench_instret();
	kprintf("bench: vmalloc pages=%lu insns=%llu rounds=%d\n", pages,
		(unsigned long long)bench_per_op(t0, t1, (u64)rounds * pages), rounds);
}

static void vmalloc_bench(void)
{
	bench_pages(1, 2000);
	bench_pages(16, 200);
	bench_pages(256, 20);
}
BENCH("vmalloc", vmalloc_bench);
