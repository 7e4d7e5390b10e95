/*
 * dma_test.c - memory for devices on the running machine (suite "dma";
 * include/mm/dma.h): coherent allocations honour a 32-bit device's mask
 * whatever the RAM above 4 GiB (make test also boots this suite on 8 GiB,
 * where the Normal zone is the larger), a 64-bit device gets the Normal
 * zone first (or the default contiguous area when cma= made one), masks
 * below RAM are refused, a DMA pool shared by every hart
 * stays consistent, and the console commands show what is allocated.
 * Memory for a device is also a mempool's natural user: a pool of
 * descriptors with a reserve is exercised with the page allocator failing.
 */
#include <boot/hart.h>
#include <drivers/console.h>
#include <lib/kstring.h>
#include <mm/cma.h>
#include <mm/dma.h>
#include <mm/fault_inject.h>
#include <mm/kfence.h>
#include <mm/kmalloc.h>
#include <mm/mempool.h>
#include <mm/mm.h>
#include <mm/mmzone.h>
#include <mm/pgtable.h>
#include <mm/port.h>
#include <mm/scatterlist.h>
#include <mm/vmalloc.h>
#include <shell/shell.h>
#include <tests/ktest.h>

#define FOUR_GIB (1ull << 32)

static char out[4096];

static bool zeroed(const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (((const unsigned char *)p)[i])
			return false;
	return true;
}

static bool has_normal_zone(void)
{
	return mem_node->zones[ZONE_NORMAL].managed_pages > 0;
}

/* 32-bit device: every allocation below 4 GiB, zeroed, aligned to its
 * order; 64-bit device: the Normal zone when there is one. */
static void coherent_within_masks(struct ktest *t)
{
	struct device d32 = { .init_name = "ktest-dma32", .coherent_dma_mask = 0 };
	struct device d64 = { .init_name = "ktest-dma64", .coherent_dma_mask = 0 };
	enum { N = 48 };
	static void *p[N];
	static dma_addr_t h[N];
	/* (the sizes average 84000 bytes: at most a quarter of free memory) */
	int n = (int)MIN((unsigned long)N, nr_free_pages() * PAGE_SIZE / 4 / 84000);
	dma_addr_t h64;
	void *p64;

	ASSERT(n >= 6);
	ASSERT_EQ(dma_set_mask_and_coherent(&d32, DMA_BIT_MASK(32)), 0);
	ASSERT_EQ(dma_set_mask_and_coherent(&d64, DMA_BIT_MASK(64)), 0);
	for (int i = 0; i < n; i++) {
		size_t size = (size_t)(i % 6 + 1) * 24000;

		p[i] = dma_alloc_coherent(&d32, size, &h[i], GFP_KERNEL);
		ASSERT(p[i] != NULL);
		EXPECT(h[i] + size - 1 < FOUR_GIB);
		EXPECT_EQ(h[i], virt_to_phys(p[i]));
		EXPECT(IS_ALIGNED(h[i], PAGE_SIZE << get_order(size)));
		EXPECT(zeroed(p[i], size));
		memset(p[i], 0x3c, size);
	}
	p64 = dma_alloc_coherent(&d64, 5 * PAGE_SIZE, &h64, GFP_KERNEL);
	ASSERT(p64 != NULL);
	if (dma_contiguous_default_area) /* (cma=: multi-page buffers come from it, as in Linux) */
		EXPECT(cma_pages_valid(dma_contiguous_default_area, virt_to_page(p64), 5));
	else if (has_normal_zone())
		EXPECT(h64 >= FOUR_GIB);
	EXPECT_EQ(dma_check(), 0);
	dma_free_coherent(&d64, 5 * PAGE_SIZE, p64, h64);
	for (int i = 0; i < n; i++)
		dma_free_coherent(&d32, (size_t)(i % 6 + 1) * 24000, p[i], h[i]);
	EXPECT_EQ(dma_check(), 0);
}

/* A mask below the first RAM page is refused (QEMU virt and the HiFive
 * boards start RAM at 2 GiB: a 31-bit device has no memory there). */
static void mask_below_ram_refused(struct ktest *t)
{
	struct device d = { .init_name = "ktest-dma-low", .coherent_dma_mask = DMA_BIT_MASK(32) };
	u64 first = (u64)mem_node->node_start_pfn << PAGE_SHIFT;
	unsigned long e0 = dma_error_count();
	dma_addr_t h;

	if (!first) {
		ktest_skip(t, "RAM starts at address 0");
		return;
	}
	console_capture_begin(out, sizeof(out));
	EXPECT_EQ(dma_set_coherent_mask(&d, first - 1), -EIO);
	d.coherent_dma_mask = first - 1;
	EXPECT(dma_alloc_coherent(&d, 64, &h, GFP_KERNEL) == NULL);
	console_capture_end();
	EXPECT_EQ(h, DMA_MAPPING_ERROR);
	EXPECT(strstr(out, "no RAM at or below it") != NULL);
	EXPECT_EQ(dma_error_count() - e0, 2ul);
}

/* Where a kmalloc'ed buffer is: the linear map, or KFENCE's pool (booted
 * with kfence.sample_interval=, whose objects are mapped page by page). */
static u64 buffer_pa(const void *p)
{
	return is_kfence_address(p) ? pgtable_translate(port_kernel_pgtable(), (u64)(uintptr_t)p)
				    : virt_to_phys(p);
}

/* A kmalloc'ed buffer streamed to a 32-bit device: its own address when it
 * lies below 4 GiB, a bounce buffer there when not (booted on 8 GiB, the
 * Normal zone's pages are the first kmalloc takes); the device's writes
 * reach the buffer at unmap either way. */
static void streaming_below_4g(struct ktest *t)
{
	struct device d = { .init_name = "ktest-dma-stream", .coherent_dma_mask = DMA_BIT_MASK(32) };
	unsigned long nr, bounced, seen_bounced = 0;

	for (int i = 0; i < 16; i++) {
		size_t size = 512 + 700 * (size_t)i;
		unsigned char *buf = kmalloc(size, GFP_KERNEL);
		unsigned char *dev_view;
		dma_addr_t a;

		ASSERT(buf != NULL);
		memset(buf, 0x5c, size);
		a = dma_map_single(&d, buf, size, DMA_BIDIRECTIONAL);
		ASSERT(!dma_mapping_error(&d, a));
		EXPECT(a + size - 1 < FOUR_GIB);
		dma_mapping_totals(&nr, &bounced);
		EXPECT_EQ(bounced, (unsigned long)(a != buffer_pa(buf)));
		EXPECT_EQ(a != buffer_pa(buf), buffer_pa(buf) + size - 1 >= FOUR_GIB);
		seen_bounced += bounced;
		dev_view = phys_to_virt(a);
		EXPECT(dev_view[0] == 0x5c && dev_view[size - 1] == 0x5c);
		dev_view[size - 1] = 0xd0; /* the device's write */
		dma_unmap_single(&d, a, size, DMA_BIDIRECTIONAL);
		EXPECT(buf[size - 1] == 0xd0);
		kfree(buf);
	}
	if (has_normal_zone() && mem_node->zones[ZONE_NORMAL].free_pages > mem_node->zones[ZONE_DMA32].free_pages)
		EXPECT(seen_bounced > 0);
	EXPECT_EQ(dma_check(), 0);
}

/* A vmalloc'ed buffer handed to a 32-bit device page by page through a
 * scatterlist: every piece below 4 GiB (bounced where its page is not),
 * the device's writes back in the buffer after the unmap. */
static void scatterlist_of_vmalloc(struct ktest *t)
{
	enum { PAGES = 6 };
	struct device d = { .init_name = "ktest-dma-sg", .coherent_dma_mask = DMA_BIT_MASK(32) };
	struct scatterlist sg[PAGES], *s;
	unsigned char *buf = vmalloc(PAGES * PAGE_SIZE);
	unsigned long nr, bounced;
	int i, n;

	ASSERT(buf != NULL);
	for (i = 0; i < PAGES; i++)
		memset(buf + i * PAGE_SIZE, 0x40 + i, PAGE_SIZE);
	sg_init_table(sg, PAGES);
	for (i = 0; i < PAGES; i++)
		sg_set_page(&sg[i], vmalloc_to_page(buf + i * PAGE_SIZE), PAGE_SIZE, 0);
	n = dma_map_sg(&d, sg, PAGES, DMA_BIDIRECTIONAL);
	EXPECT_EQ(n, PAGES);
	dma_mapping_totals(&nr, &bounced);
	EXPECT_EQ(nr, dma_debug ? (unsigned long)n : bounced); /* (dma_debug=off records bounced ones) */
	for_each_sg(sg, s, n, i) {
		unsigned char *dev_view = phys_to_virt(sg_dma_address(s));

		EXPECT(sg_dma_address(s) + PAGE_SIZE - 1 < FOUR_GIB);
		EXPECT(dev_view[0] == 0x40 + i && dev_view[PAGE_SIZE - 1] == 0x40 + i);
		dev_view[7] = 0xe0 + (unsigned char)i;
	}
	dma_unmap_sg(&d, sg, PAGES, DMA_BIDIRECTIONAL);
	for (i = 0; i < PAGES; i++)
		EXPECT(buf[i * PAGE_SIZE + 7] == 0xe0 + i && buf[i * PAGE_SIZE + 8] == 0x40 + i);
	dma_mapping_totals(&nr, &bounced);
	EXPECT_EQ(nr, 0ul);
	vfree(buf);
}

/* Every hart allocates and frees descriptors of one pool at once. */
static struct dma_pool *shared_pool;
static int hart_errors[MAX_HARTS];

static void pool_round(void *arg)
{
	enum { M = 96 };
	void *b[M];
	dma_addr_t h[M];
	unsigned int cpu = this_cpu();

	(void)arg;
	for (int round = 0; round < 8; round++) {
		for (int i = 0; i < M; i++) {
			b[i] = dma_pool_alloc(shared_pool, GFP_ATOMIC, &h[i]);
			if (!b[i] || h[i] != virt_to_phys(b[i]) || h[i] + 64 > FOUR_GIB ||
			    (h[i] & 63) || h[i] / 512 != (h[i] + 63) / 512) {
				hart_errors[cpu]++;
				b[i] = NULL;
				continue;
			}
			memset(b[i], (int)cpu, 64);
		}
		for (int i = 0; i < M; i++) {
			if (!b[i])
				continue;
			if (((unsigned char *)b[i])[63] != cpu)
				hart_errors[cpu]++; /* another hart had the same block */
			dma_pool_free(shared_pool, b[i], h[i]);
		}
	}
}

static void pool_shared_by_harts(struct ktest *t)
{
	struct device d = { .init_name = "ktest-nic", .coherent_dma_mask = DMA_BIT_MASK(32) };
	unsigned long e0 = dma_error_count();
	struct dma_pool_info in;

	shared_pool = dma_pool_create("ktest-desc", &d, 64, 64, 512);
	ASSERT(shared_pool != NULL);
	memset(hart_errors, 0, sizeof(hart_errors));
	on_each_hart(pool_round, NULL);
	for (unsigned int cpu = 0; cpu < nr_harts; cpu++)
		EXPECT_EQ(hart_errors[cpu], 0);
	dma_pool_get_info(shared_pool, &in);
	EXPECT_EQ(in.blocks_in_use, 0ul);
	EXPECT_EQ(in.pages, 1ul);
	EXPECT_EQ(dma_pool_check(shared_pool), 0);
	EXPECT_EQ(dma_error_count(), e0);
	dma_pool_destroy(shared_pool);
	shared_pool = NULL;
}

/* dmapools, dmainfo and whatis show the pool, its pages and a block. */
static void commands_show_allocations(struct ktest *t)
{
	struct device d = { .init_name = "ktest-uart-dma", .coherent_dma_mask = DMA_BIT_MASK(32) };
	struct dma_pool *pool = dma_pool_create("ktest-ring", &d, 200, 8, 0);
	char cmd[64];
	dma_addr_t h, hc;
	void *b, *c;

	ASSERT(pool != NULL);
	b = dma_pool_alloc(pool, GFP_KERNEL, &h);
	c = dma_alloc_coherent(&d, 3 * PAGE_SIZE, &hc, GFP_KERNEL);
	ASSERT(b && c);
	console_capture_begin(out, sizeof(out));
	EXPECT_EQ(shell_exec("dmapools"), 0);
	console_capture_end();
	EXPECT(strstr(out, "poolinfo - 0.1\n") == out);
	EXPECT(strstr(out, "ktest-ring          1   20  200  1  ktest-uart-dma\n") != NULL);
	console_capture_begin(out, sizeof(out));
	EXPECT_EQ(shell_exec("dmainfo"), 0);
	console_capture_end();
	EXPECT(strstr(out, "    4096 ktest-uart-dma pool=ktest-ring") != NULL);
	EXPECT(strstr(out, "   12288 ktest-uart-dma commands_show_allocations") != NULL ||
	       strstr(out, "   12288 ktest-uart-dma cma=") != NULL); /* (from the default area: cma=) */
	ksnprintf(cmd, sizeof(cmd), "whatis %p", b);
	console_capture_begin(out, sizeof(out));
	EXPECT_EQ(shell_exec(cmd), 0);
	console_capture_end();
	EXPECT(strstr(out, "a page of DMA pool ktest-ring (the start of block 0)") != NULL);
	console_capture_begin(out, sizeof(out));
	EXPECT_EQ(shell_exec("mmcheck"), 0);
	console_capture_end();
	EXPECT(strstr(out, "mmcheck: dma              ok\n") != NULL);
	dma_free_coherent(&d, 3 * PAGE_SIZE, c, hc);
	dma_pool_free(pool, b, h);
	dma_pool_destroy(pool);
}

/* A descriptor pool with a reserve keeps a driver going while the page
 * allocator fails: the reserve's descriptors come out, and go back. */
static void *desc_alloc(gfp_t gfp, void *data)
{
	dma_addr_t h;

	return dma_pool_alloc(data, gfp, &h);
}

static void desc_free(void *e, void *data)
{
	dma_pool_free(data, e, virt_to_phys(e));
}

static void mempool_of_descriptors(struct ktest *t)
{
	struct device d = { .init_name = "ktest-blk", .coherent_dma_mask = DMA_BIT_MASK(32) };
	struct dma_pool *pool = dma_pool_create("ktest-blk-desc", &d, 4096, 4096, 0);
	struct fault_pause saved;
	bool paused = fault_inject_pause(&saved);
	mempool_t *mp;
	void *e[6];

	ASSERT(pool != NULL);
	mp = mempool_create(4, desc_alloc, desc_free, pool);
	ASSERT(mp != NULL);
	EXPECT_EQ(fault_inject_set(&fail_page_alloc, "1,verbose=0"), 0);
	for (int i = 0; i < 6; i++)
		e[i] = mempool_alloc(mp, GFP_ATOMIC);
	fault_inject_clear(&fail_page_alloc);
	if (paused)
		fault_inject_resume(&saved);
	for (int i = 0; i < 6; i++) /* (the reserve's four: the pool has no free block) */
		EXPECT((e[i] != NULL) == (i < 4));
	EXPECT_EQ(mp->nr_alloc_reserve, 4ul);
	EXPECT_EQ(mp->nr_alloc_failed, 2ul);
	for (int i = 0; i < 4; i++)
		mempool_free(e[i], mp);
	EXPECT_EQ(mp->curr_nr, 4);
	EXPECT_EQ(mempool_check(mp), 0);
	mempool_destroy(mp);
	EXPECT_EQ(dma_pool_check(pool), 0);
	dma_pool_destroy(pool);
}

KTEST_SUITE(dma, KTEST_CASE(coherent_within_masks), KTEST_CASE(mask_below_ram_refused), KTEST_CASE(streaming_below_4g),
	    KTEST_CASE(scatterlist_of_vmalloc),
	    KTEST_CASE(pool_shared_by_harts), KTEST_CASE(commands_show_allocations),
	    KTEST_CASE(mempool_of_descriptors));
