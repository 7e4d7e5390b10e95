/*
 * dma_bench.c - memory for devices: dma_pool_alloc + dma_pool_free pairs
 * (a descriptor pool of 64 and 512 bytes, each with 100 blocks already in
 * use: the reused block's poison check and refill included), coherent
 * allocations of 1 and 4 pages (the record, the page run, the zeroing), a
 * streaming map + unmap of a buffer the device reaches (the record only),
 * mempool_alloc + mempool_free over kmalloc-256 (the allocator serving), and
 * cma_alloc + cma_release of 16 pages on an area of 1024 whose first 8 runs
 * of 16 are held every other one (the first fit skips four of them).
 */
#include <bench/bench.h>
#include <mm/cma.h>
#include <mm/dma.h>
#include <mm/kmalloc.h>
#include <mm/mempool.h>
#include <mm/mm.h>

#define PAIRS 5000
#define LIVE 100

static struct device bench_dev = { .init_name = "bench", .coherent_dma_mask = DMA_BIT_MASK(32) };

static void bench_pool(size_t size)
{
	struct dma_pool *pool = dma_pool_create("bench", &bench_dev, size, 0, 0);
	static void *live[LIVE];
	static dma_addr_t live_h[LIVE];
	dma_addr_t h;
	u64 t0, t1;
	int n = 0;

	if (!pool) {
		bench_fail("bench: dma_pool size=%zu failed: no pool\n", size);
		return;
	}
	for (; n < LIVE; n++)
		if (!(live[n] = dma_pool_alloc(pool, GFP_KERNEL, &live_h[n])))
			break;
	t0 = bench_instret();
	for (int i = 0; i < PAIRS && n == LIVE; i++)
		dma_pool_free(pool, dma_pool_alloc(pool, GFP_KERNEL, &h), h);
	t1 = bench_instret();
	if (n == LIVE)
		kprintf("bench: dma_pool size=%zu insns=%llu pairs=%d\n", size,
			(unsigned long long)bench_per_op(t0, t1, PAIRS), PAIRS);
	else
		bench_fail("bench: dma_pool size=%zu failed: no memory\n", size);
	while (n-- > 0)
		dma_pool_free(pool, live[n], live_h[n]);
	dma_pool_destroy(pool);
}

static void bench_coherent(unsigned int pages)
{
	size_t size = (size_t)pages * PAGE_SIZE;
	dma_addr_t h;
	void *p = dma_alloc_coherent(&bench_dev, size, &h, GFP_KERNEL);
	u64 t0, t1;

	if (!p) {
		bench_fail("bench: dma_coherent pages=%u failed: no memory\n", pages);
		return;
	}
	dma_free_coherent(&bench_dev, size, p, h);
	t0 = bench_instret();
	for (int i = 0; i < PAIRS / 10; i++) {
		p = dma_alloc_coherent(&bench_dev, size, &h, GFP_KERNEL);
		dma_free_coherent(&bench_dev, size, p, h);
	}
	t1 = bench_instret();
	kprintf("bench: dma_coherent pages=%u insns=%llu pairs=%d\n", pages,
		(unsigned long long)bench_per_op(t0, t1, PAIRS / 10), PAIRS / 10);
}

static void bench_map(bool debug)
{
	void *buf = kmalloc(1500, GFP_KERNEL);
	bool was = dma_debug;
	u64 t0, t1;

	if (!buf) {
		bench_fail("bench: dma_map failed: no memory\n");
		return;
	}
	dma_debug = debug;
	t0 = bench_instret();
	for (int i = 0; i < PAIRS; i++)
		dma_unmap_single(&bench_dev, dma_map_single(&bench_dev, buf, 1500, DMA_TO_DEVICE), 1500,
				 DMA_TO_DEVICE);
	t1 = bench_instret();
	dma_debug = was;
	kprintf("bench: dma_map size=1500 direct dma_debug=%s insns=%llu pairs=%d\n", debug ? "on" : "off",
		(unsigned long long)bench_per_op(t0, t1, PAIRS), PAIRS);
	kfree(buf);
}

static void bench_mempool(void)
{
	mempool_t *pool = mempool_create_kmalloc_pool(16, 256);
	u64 t0, t1;

	if (!pool) {
		bench_fail("bench: mempool failed: no pool\n");
		return;
	}
	mempool_free(mempool_alloc(pool, GFP_KERNEL), pool);
	t0 = bench_instret();
	for (int i = 0; i < PAIRS; i++)
		mempool_free(mempool_alloc(pool, GFP_KERNEL), pool);
	t1 = bench_instret();
	kprintf("bench: mempool kmalloc=256 min_nr=16 insns=%llu pairs=%d\n",
		(unsigned long long)bench_per_op(t0, t1, PAIRS), PAIRS);
	mempool_destroy(pool);
}

static void bench_cma(void)
{
	static struct cma area;
	struct page *block = alloc_pages(GFP_KERNEL, 10), *held[4] = { 0 }, *spare[4] = { 0 };
	u64 t0, t1;
	int ok = 0;

	if (!block || cma_init_area(&area, PFN_PHYS(page_to_pfn(block)), PAGE_SIZE << 10, 0, "bench")) {
		bench_fail("bench: cma_alloc failed: no area\n");
		if (block)
			__free_pages(block, 10);
		return;
	}
	for (int i = 0; i < 4; i++) { /* held, free, held, free, ...: 4 gaps of 16 before room */
		held[i] = cma_alloc(&area, 16, 0, false);
		spare[i] = cma_alloc(&area, 16, 0, false);
	}
	for (int i = 0; i < 4; i++)
		ok += held[i] && spare[i] && cma_release(&area, spare[i], 16);
	t0 = bench_instret();
	for (int i = 0; i < PAIRS && ok == 4; i++)
		cma_release(&area, cma_alloc(&area, 32, 4, true), 32);
	t1 = bench_instret();
	if (ok == 4 && area.nr_bad_releases == 0)
		kprintf("bench: cma_alloc pages=32 align=16 area=1024 gaps=4 insns=%llu pairs=%d\n",
			(unsigned long long)bench_per_op(t0, t1, PAIRS), PAIRS);
	else
		bench_fail("bench: cma_alloc failed: the area did not hand its runs out\n");
	for (int i = 0; i < 4; i++)
		if (held[i])
			cma_release(&area, held[i], 16);
	cma_destroy_area(&area);
	__free_pages(block, 10);
}

static void dma_bench(void)
{
	bench_dev.coherent_dma_mask = DMA_BIT_MASK(32);
	bench_pool(64);
	bench_pool(512);
	bench_coherent(1);
	bench_coherent(4);
	bench_map(true);
	bench_map(false);
	bench_mempool();
	bench_cma();
}
BENCH("dma", dma_bench);
