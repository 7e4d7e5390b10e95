/*
 * cma_test.c - contiguous memory areas on the running machine (suite
 * "cma"; include/mm/cma.h): the boot's areas (cma=, the tree's linux,cma)
 * are reserved, counted in meminfo and serve a 32-bit device's multi-page
 * coherent allocations; every hart allocating from one area at once never
 * gets a page another holds; the console's cma_alloc, whatis, cmainfo and
 * cma_release show and give back an allocation.
 */
#include <boot/hart.h>
#include <drivers/console.h>
#include <lib/kstring.h>
#include <lib/parse.h>
#include <mm/cma.h>
#include <mm/dma.h>
#include <mm/mm.h>
#include <mm/mmzone.h>
#include <shell/shell.h>
#include <tests/ktest.h>
#include "../common/meminfo_text.h"

static char out[4096];

static int add_area(struct cma *cma, void *data)
{
	unsigned long *t = data;

	t[0] += cma->count;
	t[1] += cma->count - cma->used;
	t[2]++;
	return 0;
}

/*
 * The boot's areas: meminfo's CmaTotal / CmaFree are their pages; each
 * page of an area is reserved (the page allocator never had it). With a
 * default area below 4 GiB (cma= on the command line, as make test boots
 * this suite), a 32-bit device's 16-page coherent buffer comes from it,
 * zeroed, and goes back on free; without one, cmainfo says how to get one.
 */
static void boot_areas(struct ktest *t)
{
	struct device d = { .init_name = "ktest-fb", .coherent_dma_mask = DMA_BIT_MASK(32) };
	struct cma *def = dma_contiguous_default_area;
	unsigned long tot[3] = { 0, 0, 0 };
	dma_addr_t h;
	void *p;

	cma_for_each_area(add_area, tot);
	console_capture_begin(out, sizeof(out));
	EXPECT_EQ(shell_exec("meminfo"), 0);
	console_capture_end();
	EXPECT_EQ(meminfo_kb(out, "CmaTotal"), (long)(tot[0] * (PAGE_SIZE / 1024)));
	EXPECT_EQ(meminfo_kb(out, "CmaFree"), (long)(tot[1] * (PAGE_SIZE / 1024)));
	console_capture_begin(out, sizeof(out));
	EXPECT_EQ(shell_exec("cmainfo"), 0);
	console_capture_end();
	if (!tot[2]) {
		EXPECT(strstr(out, "cma: no areas (cma=SIZE") != NULL);
		ktest_skip(t, "no contiguous memory area on this boot (cma= makes one)");
		return;
	}
	ASSERT(def != NULL);
	EXPECT(strstr(out, " (default) [mem ") != NULL);
	for (unsigned long i = 0; i < def->count; i += 97)
		EXPECT(PageReserved(pfn_to_page(def->base_pfn + i)));
	if (cma_get_base(def) + cma_get_size(def) - 1 > DMA_BIT_MASK(32))
		return;
	p = dma_alloc_coherent(&d, 16 * PAGE_SIZE, &h, GFP_KERNEL);
	ASSERT(p != NULL);
	EXPECT(cma_pages_valid(def, virt_to_page(p), 16));
	EXPECT(IS_ALIGNED(h, 16 * PAGE_SIZE));
	EXPECT_EQ(((const unsigned char *)p)[16 * PAGE_SIZE - 1], 0);
	dma_free_coherent(&d, 16 * PAGE_SIZE, p, h);
	EXPECT_EQ(cma_check(def), 0);
}

/* A block of 2^@order pages for a private area, or of the largest order
 * down to 4 the machine has free (a 5 MiB boot has no 4 MiB block); NULL
 * when not even that. *@order gets the order taken. */
static struct page *take_block(unsigned int *order)
{
	for (; *order >= 4; --*order) {
		struct page *pg = alloc_pages(GFP_KERNEL | __GFP_NOWARN, *order);

		if (pg)
			return pg;
	}
	return NULL;
}

/* Every hart takes and gives back runs of one area at once, writing its
 * number into each page it holds and finding it there before the release. */
static struct cma shared;
static int hart_errors[MAX_HARTS];

static void hart_round(void *arg)
{
	enum { HOLD = 6 };
	unsigned int cpu = this_cpu();
	struct page *held[HOLD] = { 0 };
	unsigned long n[HOLD] = { 0 };
	u64 seed = 0x9e3779b97f4a7c15ull * (cpu + 1);

	(void)arg;
	for (int step = 0; step < 400; step++) {
		int k = step % HOLD;

		if (held[k]) {
			for (unsigned long i = 0; i < n[k]; i++)
				if (*(unsigned int *)page_address(held[k] + i) != cpu + 1)
					hart_errors[cpu]++; /* another hart had this page */
			if (!cma_release(&shared, held[k], n[k]))
				hart_errors[cpu]++;
			held[k] = NULL;
		}
		seed = seed * 6364136223846793005ull + 1;
		n[k] = 1 + (seed >> 40) % 24;
		held[k] = cma_alloc(&shared, n[k], (unsigned int)((seed >> 20) % 4), true);
		for (unsigned long i = 0; held[k] && i < n[k]; i++)
			*(unsigned int *)page_address(held[k] + i) = cpu + 1;
	}
	for (int k = 0; k < HOLD; k++)
		if (held[k] && !cma_release(&shared, held[k], n[k]))
			hart_errors[cpu]++;
}

static void harts_share_an_area(struct ktest *t)
{
	unsigned int order = 10;
	struct page *run = take_block(&order);
	unsigned long pages = 1ul << order;

	ASSERT(run != NULL);
	ASSERT_EQ(cma_init_area(&shared, PFN_PHYS(page_to_pfn(run)), pages * PAGE_SIZE, 0, "ktest-shared"), 0);
	memset(hart_errors, 0, sizeof(hart_errors));
	on_each_hart(hart_round, NULL);
	for (unsigned int cpu = 0; cpu < nr_harts; cpu++)
		EXPECT_EQ(hart_errors[cpu], 0);
	EXPECT_EQ(cma_check(&shared), 0);
	EXPECT_EQ(cma_free_pages(&shared), pages);
	EXPECT_EQ(shared.nr_allocs, 400ul * nr_harts - shared.nr_failed);
	EXPECT_EQ(cma_destroy_area(&shared), 0);
	__free_pages(run, order);
}

/* cma_alloc at the console from a named area; whatis names the area and
 * the allocation; cmainfo -a lists it with its caller; cma_release gives
 * it back and refuses it a second time. */
static void console_commands(struct ktest *t)
{
	enum { PAGES = 64 };
	unsigned int order = 6;
	struct page *run = take_block(&order);
	struct cma *cma = NULL;
	char cmd[64];
	const char *at;
	u64 addr;

	ASSERT(run != NULL && order == 6);
	ASSERT_EQ(cma_init_reserved_mem(PFN_PHYS(page_to_pfn(run)), PAGES * PAGE_SIZE, 0, "ktest-con",
					&cma), 0);
	console_capture_begin(out, sizeof(out));
	EXPECT_EQ(shell_exec("cma_alloc 5 2 ktest-con"), 0);
	console_capture_end();
	at = strstr(out, "cma_alloc: 5 pages from ktest-con at ");
	ASSERT(at != NULL);
	at += strlen("cma_alloc: 5 pages from ktest-con at ");
	ASSERT_EQ(parse_u64_prefix(at, at + strlen(at), &addr, &at), 0);
	EXPECT_EQ(virt_to_phys((void *)(uintptr_t)addr), cma_get_base(cma));
	EXPECT_EQ(cma->used, 5ul);
	ksnprintf(cmd, sizeof(cmd), "whatis 0x%llx", (unsigned long long)addr + 2 * PAGE_SIZE + 5);
	console_capture_begin(out, sizeof(out));
	EXPECT_EQ(shell_exec(cmd), 0);
	console_capture_end();
	EXPECT(strstr(out, "whatis: CMA area ktest-con, page 2 of 64: allocated, page 2 of 5 at pfn ") != NULL);
	EXPECT(strstr(out, "cmd_cma_alloc+") != NULL);
	console_capture_begin(out, sizeof(out));
	EXPECT_EQ(shell_exec("cmainfo -a"), 0);
	console_capture_end();
	EXPECT(strstr(out, "cma: ktest-con [mem ") != NULL);
	EXPECT(strstr(out, "used 5 pages, peak 5, free 59, largest free run 59; 1 allocations") != NULL);
	EXPECT(strstr(out, "  map [#####...........................................................]") != NULL);
	EXPECT(strstr(out, "        5 pages cmd_cma_alloc+") != NULL);
	ksnprintf(cmd, sizeof(cmd), "cma_release 0x%llx", (unsigned long long)addr);
	console_capture_begin(out, sizeof(out));
	EXPECT_EQ(shell_exec(cmd), 0);
	EXPECT(shell_exec(cmd) != 0); /* the console holds it no more */
	console_capture_end();
	EXPECT_EQ(cma->used, 0ul);
	EXPECT_EQ(cma_check_all(), 0);
	EXPECT_EQ(cma_destroy_area(cma), 0);
	__free_pages(run, order);
}

KTEST_SUITE(cma, KTEST_CASE(boot_areas), KTEST_CASE(harts_share_an_area), KTEST_CASE(console_commands));
