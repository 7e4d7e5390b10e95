/*
 * page_alloc_bench.c - alloc_pages + __free_pages pairs at orders 0, 3 and 9.
 *
 * Order 0 measures the per-hart fast path: the first pair warms the list,
 * after which every allocation takes the page the previous free put back.
 * Orders 3 and 9 go through the zone lock and split/merge every time.
 */
#include <bench/bench.h>
#include <mm/mm.h>

#define PAIRS 10000

static void bench_order(unsigned int order)
{
	struct page *page = alloc_pages(GFP_KERNEL, order);
	u64 t0, t1;

	if (!page) {
		kprintf("bench: page_alloc order=%u failed: no memory\n", order);
		return;
	}
	__free_pages(page, order);
	t0 = bench_instret();
	for (int i = 0; i < PAIRS; i++) {
		page = alloc_pages(GFP_KERNEL, order);
		__free_pages(page, order);
	}
	t1 = bench_instret();
	kprintf("bench: page_alloc order=%u insns=%llu pairs=%d\n", order,
		(unsigned long long)bench_per_op(t0, t1, PAIRS), PAIRS);
}

static void page_alloc_bench(void)
{
	bench_order(0);
	bench_order(3);
	bench_order(9);
}
BENCH("page_alloc", page_alloc_bench);
