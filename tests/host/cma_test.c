/*
 * cma_test.c - host tests (suite "cma"): contiguous memory areas
 * (include/mm/cma.h) over pages taken from fake RAM of two banks around
 * 4 GiB, and dma_alloc_coherent drawing on them.
 *
 * Checked: cma_alloc hands out exactly the first free run that fits and
 * meets the alignment (against a model of the bitmap, over random
 * allocations and releases, order_per_bit 0 and 2), never a page twice,
 * and fails only when no such run exists; releases that are not one
 * allocation (twice, a wrong count, a page inside one) are reported and
 * release nothing, ones outside the area are refused quietly; areas over
 * bad ranges are refused; cma_check finds a damaged bitmap and a wrong
 * count; dma_alloc_coherent takes a device's own area first, the default
 * one above a page when it lies within the mask, falls back to the zones
 * when the area is full, and its frees go back where they came from.
 */
#include <string.h>

#include <mm/cma.h>
#include <mm/dma.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/mmzone.h>
#include <tests/ktest.h>
#include "fakeram.h"
#include "host.h"

#define BANK_SIZE (32ull << 20)
#define FOUR_GIB (1ull << 32)

static struct fakeram_kmalloc saved;

/* Fake RAM around 4 GiB with kmalloc up, and @pages pages taken from the
 * zone @gfp names (aligned to 2^@order pages) for an area; *@pfn their first. */
static struct fakeram *cma_setup(struct ktest *t, unsigned long pages, gfp_t gfp, unsigned long *pfn)
{
	struct fakeram *fr = fakeram_around_4g(BANK_SIZE, 0x5a);
	struct page *run;

	if (!fr) {
		ktest_fail(t, __FILE__, __LINE__, "no fake RAM, or node_init failed");
		return NULL;
	}
	fakeram_kmalloc_up(&saved, KMALLOC_SLAB);
	run = alloc_contig_pages(pages, gfp, 0);
	if (!run) {
		ktest_fail(t, __FILE__, __LINE__, "no run of %lu pages for the area", pages);
		return fr;
	}
	*pfn = page_to_pfn(run);
	return fr;
}

static void cma_teardown(struct ktest *t, struct fakeram *fr, unsigned long pfn, unsigned long pages)
{
	if (pfn)
		free_contig_range(pfn, pages);
	EXPECT_EQ(fakeram_kmalloc_down(&saved), 0);
	node_drain_pages(mem_node);
	EXPECT_EQ(node_check(mem_node), 0);
	fakeram_done(fr);
}

/* ---- first fit against a model ------------------------------------------------- */

#define MODEL_PAGES 512

struct model {
	bool used[MODEL_PAGES];
	unsigned long base_pfn;
	unsigned int opb;
};

/* The first page of the first free run of @count pages (rounded up to
 * bits) whose pfn is aligned to 2^@align pages, or -1. */
static long model_first_fit(const struct model *m, unsigned long count, unsigned int align)
{
	unsigned long unit = 1ul << m->opb, span = (count + unit - 1) / unit * unit;

	for (unsigned long i = 0; i + span <= MODEL_PAGES; i += unit) {
		bool fits = ((m->base_pfn + i) & ((1ul << align) - 1)) == 0;

		for (unsigned long j = 0; fits && j < span; j++)
			fits = !m->used[i + j];
		if (fits)
			return (long)i;
	}
	return -1;
}

static void model_mark(struct model *m, unsigned long first, unsigned long count, bool used)
{
	unsigned long unit = 1ul << m->opb, span = (count + unit - 1) / unit * unit;

	for (unsigned long j = 0; j < span; j++)
		m->used[first + j] = used;
}

/* Random allocations and releases on an area of MODEL_PAGES pages with
 * order_per_bit @opb: each result is the model's first fit (or NULL when
 * the model has none), the pages never overlap one held, the checker and
 * the counts agree after every step, and all comes back at the end. */
static void first_fit_against_model(struct ktest *t, unsigned int opb)
{
	unsigned long pfn = 0, held_pfn[48], held_n[48];
	struct fakeram *fr = cma_setup(t, MODEL_PAGES, GFP_KERNEL, &pfn);
	static struct model m;
	struct cma area;
	unsigned int nheld = 0;
	u64 seed = 12345 + opb;

	ASSERT(fr != NULL && pfn != 0);
	memset(&m, 0, sizeof(m));
	m.base_pfn = pfn;
	m.opb = opb;
	ASSERT_EQ(cma_init_area(&area, PFN_PHYS(pfn), MODEL_PAGES * PAGE_SIZE, opb, "model"), 0);
	for (int step = 0; step < 3000; step++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		if (nheld == 48 || (nheld && (seed >> 60) < 6)) {
			unsigned int k = (unsigned int)(seed >> 20) % nheld;

			EXPECT(cma_release(&area, pfn_to_page(held_pfn[k]), held_n[k]));
			model_mark(&m, held_pfn[k] - pfn, held_n[k], false);
			held_pfn[k] = held_pfn[--nheld];
			held_n[k] = held_n[nheld];
		} else {
			unsigned long count = 1 + (seed >> 33) % ((seed >> 62) ? 12 : 96);
			unsigned int align = (unsigned int)((seed >> 24) % 6);
			long want = model_first_fit(&m, count, align);
			struct page *got = cma_alloc(&area, count, align, true);

			if (want < 0) {
				EXPECT(got == NULL);
			} else {
				ASSERT(got != NULL);
				EXPECT_EQ(page_to_pfn(got), pfn + (unsigned long)want);
				model_mark(&m, page_to_pfn(got) - pfn, count, true);
				held_pfn[nheld] = page_to_pfn(got);
				held_n[nheld++] = count;
			}
		}
		if (cma_check(&area)) {
			ktest_fail(t, __FILE__, __LINE__, "cma_check failed at step %d", step);
			break;
		}
	}
	while (nheld) {
		nheld--;
		EXPECT(cma_release(&area, pfn_to_page(held_pfn[nheld]), held_n[nheld]));
	}
	EXPECT_EQ(cma_free_pages(&area), (unsigned long)MODEL_PAGES);
	EXPECT_EQ(cma_largest_free_run(&area), (unsigned long)MODEL_PAGES);
	EXPECT(area.nr_failed > 0); /* (the run reached a full area) */
	EXPECT_EQ(area.nr_bad_releases, 0ul);
	EXPECT_EQ(cma_destroy_area(&area), 0);
	cma_teardown(t, fr, pfn, MODEL_PAGES);
}

static void first_fit_one_page_a_bit(struct ktest *t)
{
	first_fit_against_model(t, 0);
}

static void first_fit_four_pages_a_bit(struct ktest *t)
{
	first_fit_against_model(t, 2);
}

/* ---- bad releases, bad areas, the checker -------------------------------------- */

/* A second release, a wrong count and a page inside an allocation are
 * reported and release nothing; pages outside the area are refused
 * quietly (false, not counted); destroying a busy area is refused. */
static void bad_releases(struct ktest *t)
{
	unsigned long pfn = 0;
	struct fakeram *fr = cma_setup(t, 64, GFP_KERNEL, &pfn);
	struct cma area;
	struct page *a, *b;
	struct fr_capture cap;
	char out[2048];

	ASSERT(fr != NULL && pfn != 0);
	ASSERT_EQ(cma_init_area(&area, PFN_PHYS(pfn), 64 * PAGE_SIZE, 0, "bad"), 0);
	a = cma_alloc(&area, 10, 0, false);
	b = cma_alloc(&area, 5, 0, false);
	ASSERT(a != NULL && b != NULL);
	EXPECT_EQ(page_to_pfn(b), page_to_pfn(a) + 10);
	fr_capture_start(&cap);
	EXPECT(!cma_release(&area, a, 9));          /* wrong count */
	EXPECT(!cma_release(&area, a + 3, 7));      /* inside */
	EXPECT_EQ(cma_destroy_area(&area), -EBUSY); /* busy */
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT(strstr(out, "not the allocation's page count (it has 10); nothing released") != NULL);
	EXPECT(strstr(out, "no allocation starts there") != NULL);
	EXPECT(strstr(out, "destroy with 15 pages allocated: refused") != NULL);
	EXPECT_EQ(area.nr_bad_releases, 2ul);
	EXPECT_EQ(cma_free_pages(&area), 49ul);
	EXPECT_EQ(cma_check(&area), 0);
	EXPECT(cma_release(&area, a, 10));
	fr_capture_start(&cap);
	EXPECT(!cma_release(&area, a, 10));         /* twice */
	EXPECT(!cma_release(&area, pfn_to_page(pfn + 64), 1)); /* outside: quiet */
	EXPECT(!cma_release(&area, b, 60));         /* runs past the end: not the area's */
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT(strstr(out, "release of 10 pages at pfn") != NULL);
	EXPECT_EQ(area.nr_bad_releases, 3ul);
	EXPECT_EQ(cma_free_pages(&area), 59ul);
	EXPECT(cma_alloc(&area, 0, 0, false) == NULL);
	EXPECT(cma_alloc(&area, 65, 0, true) == NULL);
	EXPECT(cma_release(&area, b, 5));
	EXPECT_EQ(cma_check(&area), 0);
	EXPECT_EQ(cma_destroy_area(&area), 0);
	cma_teardown(t, fr, pfn, 64);
}

/* Areas over ranges they may not have are refused with a message: not
 * aligned to order_per_bit, size 0, holding free pages, beyond RAM. */
static void bad_areas(struct ktest *t)
{
	unsigned long pfn = 0;
	struct fakeram *fr = cma_setup(t, 64, GFP_KERNEL, &pfn);
	struct cma area;
	struct fr_capture cap;
	char out[2048];

	ASSERT(fr != NULL && pfn != 0);
	fr_capture_start(&cap);
	EXPECT_EQ(cma_init_area(&area, PFN_PHYS(pfn + 1), 8 * PAGE_SIZE, 2, "odd"), -EINVAL);
	EXPECT_EQ(cma_init_area(&area, PFN_PHYS(pfn), 0, 0, "empty"), -EINVAL);
	EXPECT_EQ(cma_init_area(&area, PFN_PHYS(pfn), 128 * PAGE_SIZE, 0, "free"), -EINVAL);
	EXPECT_EQ(cma_init_area(&area, PFN_PHYS(pfn) - PAGE_SIZE, 2 * PAGE_SIZE, 0, "before"), -EINVAL);
	EXPECT_EQ(cma_init_area(&area, 0x1000, PAGE_SIZE, 0, "no-ram"), -EINVAL);
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT(strstr(out, "cma: odd: ") != NULL && strstr(out, "multiples of 2^order_per_bit") != NULL);
	EXPECT(strstr(out, "cma: free: pfn ") != NULL && strstr(out, "is free in the page allocator") != NULL);
	EXPECT(strstr(out, "cma: no-ram: ") != NULL && strstr(out, "not all RAM with struct pages") != NULL);
	cma_teardown(t, fr, pfn, 64);
}

/* cma_check finds a bitmap bit no record explains, a record's bit
 * cleared, and a wrong count; each repaired, it passes again. */
static void checker_finds_damage(struct ktest *t)
{
	unsigned long pfn = 0;
	struct fakeram *fr = cma_setup(t, 128, GFP_KERNEL, &pfn);
	struct cma area;
	struct page *a;
	struct fr_capture cap;
	char out[2048];

	ASSERT(fr != NULL && pfn != 0);
	ASSERT_EQ(cma_init_area(&area, PFN_PHYS(pfn), 128 * PAGE_SIZE, 0, "dmg"), 0);
	a = cma_alloc(&area, 3, 0, false);
	ASSERT(a != NULL);
	EXPECT_EQ(cma_check(&area), 0);
	fr_capture_start(&cap);
	area.bitmap[1] |= 1; /* page 64: no record */
	EXPECT(cma_check(&area) >= 1);
	area.bitmap[1] &= ~1ul;
	area.bitmap[0] &= ~2ul; /* page 1 of the allocation */
	EXPECT(cma_check(&area) >= 1);
	area.bitmap[0] |= 2;
	area.used++;
	EXPECT(cma_check(&area) >= 1);
	area.used--;
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT(strstr(out, "bit 64 (pfn") != NULL && strstr(out, "set in the bitmap but not allocated") != NULL);
	EXPECT(strstr(out, "bit 1 (pfn") != NULL && strstr(out, "clear in the bitmap but allocated") != NULL);
	EXPECT(strstr(out, "4 pages used by the count, 3 by the records") != NULL);
	EXPECT_EQ(cma_check(&area), 0);
	EXPECT(cma_release(&area, a, 3));
	EXPECT_EQ(cma_destroy_area(&area), 0);
	cma_teardown(t, fr, pfn, 128);
}

/* ---- dma_alloc_coherent on areas ----------------------------------------------- */

/*
 * The default area (registered, below 4 GiB) serves a 32-bit device's
 * multi-page allocations, not its single pages; a device's own area
 * serves every size; an area above a device's mask is passed over; a full
 * area falls back to the zones. Each free goes back where it came from,
 * and the area is seen by cma_area_of and the registered walk.
 */
static void coherent_from_areas(struct ktest *t)
{
	unsigned long low = 0, high;
	struct fakeram *fr = cma_setup(t, 256, GFP_DMA32, &low);
	struct device d32 = { .init_name = "dev32", .coherent_dma_mask = DMA_BIT_MASK(32) };
	struct device own = { .init_name = "own", .coherent_dma_mask = DMA_BIT_MASK(64) };
	struct cma *def = NULL, mine;
	struct page *hi_run;
	dma_addr_t h[4];
	void *p[4];

	ASSERT(fr != NULL && low != 0);
	hi_run = alloc_contig_pages(64, GFP_KERNEL, 0); /* (Normal: above 4 GiB) */
	ASSERT(hi_run != NULL);
	high = page_to_pfn(hi_run);
	EXPECT(PFN_PHYS(high) >= FOUR_GIB);
	ASSERT_EQ(cma_init_reserved_mem(PFN_PHYS(low), 256 * PAGE_SIZE, 0, "low-default", &def), 0);
	dma_contiguous_default_area = def;
	EXPECT(cma_area_of(PFN_PHYS(low) + 5000) == def);
	EXPECT(cma_area_of(PFN_PHYS(low) - 1) == NULL);

	p[0] = dma_alloc_coherent(&d32, 3 * PAGE_SIZE, &h[0], GFP_KERNEL);
	p[1] = dma_alloc_coherent(&d32, PAGE_SIZE, &h[1], GFP_KERNEL);
	ASSERT(p[0] != NULL && p[1] != NULL);
	EXPECT(cma_pages_valid(def, virt_to_page(p[0]), 3));
	EXPECT(!cma_pages_valid(def, virt_to_page(p[1]), 1)); /* one page: the zones */
	EXPECT(IS_ALIGNED(h[0], 4 * PAGE_SIZE));
	EXPECT_EQ(cma_free_pages(def), 253ul);
	/* a full area: the zones serve */
	{
		struct page *rest = cma_alloc(def, cma_free_pages(def), 0, false);

		ASSERT(rest != NULL);
		p[2] = dma_alloc_coherent(&d32, 8 * PAGE_SIZE, &h[2], GFP_KERNEL);
		ASSERT(p[2] != NULL);
		EXPECT(!cma_pages_valid(def, virt_to_page(p[2]), 8));
		EXPECT(h[2] + 8 * PAGE_SIZE - 1 <= DMA_BIT_MASK(32));
		EXPECT(cma_release(def, rest, 253));
	}
	/* a device's own area, above 4 GiB: every size; a 32-bit device is not sent there */
	ASSERT_EQ(cma_init_area(&mine, PFN_PHYS(high), 64 * PAGE_SIZE, 0, "own-high"), 0);
	own.cma_area = &mine;
	p[3] = dma_alloc_coherent(&own, 100, &h[3], GFP_KERNEL);
	ASSERT(p[3] != NULL);
	EXPECT(cma_pages_valid(&mine, virt_to_page(p[3]), 1));
	d32.cma_area = &mine;
	dma_free_coherent(&d32, PAGE_SIZE, p[1], h[1]);
	p[1] = dma_alloc_coherent(&d32, 2 * PAGE_SIZE, &h[1], GFP_KERNEL);
	ASSERT(p[1] != NULL);
	EXPECT(!cma_pages_valid(&mine, virt_to_page(p[1]), 2));
	EXPECT(h[1] + 2 * PAGE_SIZE - 1 <= DMA_BIT_MASK(32));
	EXPECT_EQ(cma_check_all(), 0);
	EXPECT_EQ(dma_check(), 0);

	dma_free_coherent(&d32, 3 * PAGE_SIZE, p[0], h[0]);
	dma_free_coherent(&d32, 2 * PAGE_SIZE, p[1], h[1]);
	dma_free_coherent(&d32, 8 * PAGE_SIZE, p[2], h[2]);
	dma_free_coherent(&own, 100, p[3], h[3]);
	EXPECT_EQ(cma_free_pages(def), 256ul);
	EXPECT_EQ(cma_free_pages(&mine), 64ul);
	EXPECT_EQ(def->nr_allocs, 2ul); /* (3 pages, and the rest) */
	EXPECT_EQ(cma_destroy_area(&mine), 0);
	EXPECT_EQ(cma_destroy_area(def), 0); /* unregistered, no longer the default */
	EXPECT(dma_contiguous_default_area == NULL);
	EXPECT(cma_area_of(PFN_PHYS(low)) == NULL);
	free_contig_range(high, 64);
	cma_teardown(t, fr, low, 256);
}

KTEST_SUITE(cma, KTEST_CASE(first_fit_one_page_a_bit), KTEST_CASE(first_fit_four_pages_a_bit),
	    KTEST_CASE(bad_releases), KTEST_CASE(bad_areas), KTEST_CASE(checker_finds_damage),
	    KTEST_CASE(coherent_from_areas));
