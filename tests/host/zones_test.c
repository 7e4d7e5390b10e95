/*
 * zones_test.c - host tests (suite "zones"): every allocator honours the
 * gfp zone bits on fake RAM of two banks, 32 MiB below 4 GiB (ZONE_DMA32)
 * and 32 MiB above (ZONE_NORMAL).
 *
 * Each case first fills the free lists and magazines with Normal memory
 * (GFP_KERNEL allocations, all freed), then allocates with GFP_DMA32 and
 * checks every object lies below 4 GiB: kmalloc on both backends with
 * constant and variable sizes and bigblocks, kmem_cache_alloc on a
 * SLAB_CACHE_DMA32 cache of either model (slab, and SLOB: kmem_cache_zone_flags_slob,
 * whose objects come from the kmalloc-dma32 SLOB heap, bigblocks included),
 * alloc_pages orders 0..3. A zone the cache cannot
 * honour is refused (NULL, counted, a warning). Afterwards every cache and
 * heap is destroyed and the page allocator has every page back.
 */
#include <string.h>

#include <mm/kmalloc.h>
#include <mm/memblock.h>
#include <mm/mm.h>
#include <mm/mmzone.h>
#include <mm/slab.h>
#include <mm/slob.h>
#include <tests/ktest.h>
#include "fakeram.h"
#include "host.h"

#define BANK_SIZE (32ull << 20)
#define FOUR_GIB (1ull << 32)
#define PREFILL 400
#define TRIES 40

static struct fakeram_kmalloc saved;
static void *objs[PREFILL];

static struct fakeram *zones_setup(struct ktest *t)
{
	struct fakeram *fr = fakeram_around_4g(BANK_SIZE, -1);

	if (!fr) {
		ktest_fail(t, __FILE__, __LINE__, "no fake RAM, or node_init failed");
		return NULL;
	}
	fakeram_kmalloc_up(&saved, KMALLOC_SLAB);
	return fr;
}

static void zones_teardown(struct ktest *t, struct fakeram *fr, unsigned long free0)
{
	host_set_cpu(0);
	for (int zt = 0; zt < KMALLOC_NR_ZONE_TYPES; zt++) {
		struct slob_heap *h = kmalloc_zone_heap_of((unsigned int)zt);

		for (int i = 0; i < KMALLOC_NR_CACHES; i++) {
			if (kmalloc_zone_caches[zt][i]) {
				EXPECT_EQ(kmem_cache_check(kmalloc_zone_caches[zt][i]), 0);
				kmem_cache_destroy(kmalloc_zone_caches[zt][i]);
				kmalloc_zone_caches[zt][i] = NULL;
			}
		}
		if (h) {
			EXPECT_EQ(slob_check(h), 0);
			EXPECT_EQ(slob_heap_destroy(h), 0);
		}
	}
	EXPECT_EQ(fakeram_kmalloc_down(&saved), 0);
	node_drain_pages(mem_node);
	EXPECT(nr_free_pages() + (slab_held_pages() - slab_pages) == free0);
	EXPECT_EQ(node_check(mem_node), 0);
	fakeram_done(fr);
}

static bool below_4g(const void *p, size_t size)
{
	return virt_to_phys(p) + size <= FOUR_GIB;
}

/* kmalloc(size, GFP_DMA32) after a Normal prefill of the same size. */
static int kmalloc_outside(size_t size, gfp_t gfp)
{
	int bad = 0;

	for (int i = 0; i < PREFILL; i++)
		objs[i] = kmalloc(size, GFP_KERNEL);
	for (int i = 0; i < PREFILL; i++)
		kfree(objs[i]);
	for (int i = 0; i < TRIES; i++) {
		objs[i] = kmalloc(size, gfp);
		if (!objs[i] || !below_4g(objs[i], size))
			bad++;
	}
	for (int i = 0; i < TRIES; i++)
		kfree(objs[i]);
	return bad;
}

static void kmalloc_dma32(struct ktest *t)
{
	static const size_t sizes[] = { 16, 64, 200, 1000, 4000, 8192, 20000 };
	struct fakeram *fr = zones_setup(t);
	unsigned long free0;

	if (!fr)
		return;
	node_drain_pages(mem_node);
	free0 = nr_free_pages();
	/* GFP_KERNEL memory comes from above 4 GiB here. */
	objs[0] = kmalloc(64, GFP_KERNEL);
	EXPECT(objs[0] && !below_4g(objs[0], 64));
	kfree(objs[0]);
	for (int be = 0; be < 2; be++) {
		kmalloc_set_backend(be ? KMALLOC_SLOB : KMALLOC_SLAB);
		for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
			volatile size_t vs = sizes[i];

			if (kmalloc_outside(vs, GFP_DMA32) || kmalloc_outside(vs, GFP_DMA) ||
			    kmalloc_outside(vs, GFP_DMA32 | __GFP_ZERO))
				ktest_fail(t, __FILE__, __LINE__, "backend %d size %zu: outside 4 GiB", be,
					   sizes[i]);
		}
		/* A constant size and gfp: the inline path. */
		for (int i = 0; i < PREFILL; i++)
			objs[i] = kmalloc(64, GFP_KERNEL);
		for (int i = 0; i < PREFILL; i++)
			kfree(objs[i]);
		for (int i = 0; i < TRIES; i++) {
			objs[i] = kmalloc(64, GFP_DMA32);
			EXPECT(objs[i] && below_4g(objs[i], 64));
		}
		for (int i = 0; i < TRIES; i++)
			kfree(objs[i]);
	}
	kmalloc_set_backend(KMALLOC_SLAB);
	EXPECT(kmem_cache_find("kmalloc-dma32-64") != NULL);
	EXPECT(kmem_cache_find("kmalloc-dma-64") != NULL);
	EXPECT(kmalloc_zone_heap_of(KMALLOC_ZONE_DMA32) != NULL);
	zones_teardown(t, fr, free0);
}

static void kmem_cache_zone_flags_model(struct ktest *t, unsigned long model)
{
	struct fakeram *fr = zones_setup(t);
	struct kmem_cache *d32, *normal, *big;
	unsigned long free0;
	struct fr_capture cap;
	char out[512];
	int bad = 0;

	if (!fr)
		return;
	node_drain_pages(mem_node);
	free0 = nr_free_pages();
	d32 = kmem_cache_create("z-dma32", 200, 0, SLAB_CACHE_DMA32 | model, NULL);
	normal = kmem_cache_create("z-normal", 200, 0, model, NULL);
	big = kmem_cache_create("z-dma32-big", 5000, 0, SLAB_CACHE_DMA32 | model, NULL);
	ASSERT(d32 && normal && big);
	/* Normal memory first where the zone cache could find it: the normal
	 * cache's slabs, or (SLOB) free blocks of kmalloc's heap. */
	for (int i = 0; i < PREFILL; i++)
		objs[i] = kmem_cache_alloc(normal, GFP_KERNEL);
	for (int i = 0; i < PREFILL; i++)
		kmem_cache_free(normal, objs[i]);
	if (model == SLAB_SLOB) {
		EXPECT(d32->slob->heap == kmalloc_zone_heap_of(KMALLOC_ZONE_DMA32));
		EXPECT(normal->slob->heap == &kmalloc_heap);
		EXPECT(big->slob->big && big->slob->heap == d32->slob->heap);
	}
	for (int i = 0; i < TRIES; i++) {
		objs[i] = kmem_cache_alloc(big, i % 2 ? GFP_DMA32 : GFP_KERNEL);
		if (!objs[i] || !below_4g(objs[i], 5000))
			bad++;
	}
	for (int i = 0; i < TRIES; i++)
		kmem_cache_free(big, objs[i]);
	for (int i = 0; i < PREFILL; i++) {
		objs[i] = kmem_cache_alloc(d32, GFP_KERNEL);
		if (!objs[i] || !below_4g(objs[i], 200))
			bad++;
	}
	for (int i = 0; i < PREFILL; i++)
		kmem_cache_free(d32, objs[i]);
	for (int i = 0; i < TRIES; i++) {
		objs[i] = kmem_cache_alloc(d32, GFP_DMA32);
		if (!objs[i] || !below_4g(objs[i], 200))
			bad++;
	}
	for (int i = 0; i < TRIES; i++)
		kmem_cache_free(d32, objs[i]);
	EXPECT_EQ(bad, 0);

	objs[0] = kmem_cache_alloc(normal, GFP_KERNEL);
	kmem_cache_free(normal, objs[0]);
	fr_capture_start(&cap);
	objs[0] = kmem_cache_alloc(normal, GFP_DMA32);
	objs[1] = kmem_cache_alloc(d32, GFP_DMA);
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT(objs[0] == NULL && objs[1] == NULL);
	EXPECT_EQ(normal->nr_zone_refused, 1);
	EXPECT_EQ(d32->nr_zone_refused, 1);
	EXPECT_EQ(fr_count_substr(out, "refused"), 2);
	EXPECT_EQ(kmem_cache_check(d32), 0);
	EXPECT_EQ(kmem_cache_check(big), 0);
	kmem_cache_destroy(d32);
	kmem_cache_destroy(normal);
	kmem_cache_destroy(big);
	zones_teardown(t, fr, free0);
}

static void kmem_cache_zone_flags(struct ktest *t)
{
	kmem_cache_zone_flags_model(t, SLAB_NOSLOB);
}

static void kmem_cache_zone_flags_slob(struct ktest *t)
{
	kmem_cache_zone_flags_model(t, SLAB_SLOB);
}

static void alloc_pages_dma32(struct ktest *t)
{
	static struct page *pages[128];
	struct fakeram *fr = zones_setup(t);
	unsigned long free0;

	if (!fr)
		return;
	node_drain_pages(mem_node);
	free0 = nr_free_pages();
	for (unsigned int order = 0; order <= 3; order++) {
		for (int i = 0; i < 128; i++)
			pages[i] = alloc_pages(GFP_KERNEL, order);
		for (int i = 0; i < 128; i++)
			if (pages[i])
				__free_pages(pages[i], order);
		for (int i = 0; i < TRIES; i++) {
			pages[i] = alloc_pages(GFP_DMA32, order);
			EXPECT(pages[i] && page_zonenum(pages[i]) == ZONE_DMA32 &&
			       below_4g(page_address(pages[i]), PAGE_SIZE << order));
		}
		for (int i = 0; i < TRIES; i++)
			if (pages[i])
				__free_pages(pages[i], order);
	}
	zones_teardown(t, fr, free0);
}

/* A heap's kept bigblock (mm/slob.c, "Kept bigblocks") serves only
 * requests its zone satisfies: kept from ZONE_NORMAL, a GFP_DMA32 bigblock
 * of its size is another block, below 4 GiB; a GFP_KERNEL one takes it. */
static void kept_bigblock_keeps_zone(struct ktest *t)
{
	struct fakeram *fr = zones_setup(t);
	static struct slob_heap h;
	const size_t size = 9 * PAGE_SIZE - 100;
	unsigned long free0;
	void *p, *q, *r;

	if (!fr)
		return;
	node_drain_pages(mem_node);
	free0 = nr_free_pages();
	slob_heap_init(&h, "kept-zone", SLOB_SEGFIT);
	h.big_keep_max = 64;
	p = slob_big_alloc(&h, size, GFP_KERNEL, 0);
	ASSERT(p);
	ASSERT(!below_4g(p, size)); /* GFP_KERNEL memory comes from above 4 GiB here */
	kfree(p);
	EXPECT_EQ(slob_big_kept_pages(&h), 9);
	q = slob_big_alloc(&h, size, GFP_DMA32, 0);
	ASSERT(q);
	EXPECT(q != p && below_4g(q, size));
	EXPECT_EQ(slob_big_kept_pages(&h), 9);
	r = slob_big_alloc(&h, size, GFP_KERNEL, 0);
	EXPECT(r == p);
	EXPECT_EQ(slob_big_kept_pages(&h), 0);
	EXPECT_EQ(slob_check(&h), 0);
	kfree(q);
	kfree(r);
	EXPECT_EQ(slob_big_kept_pages(&h), 18);
	EXPECT_EQ(slob_heap_destroy(&h), 0);
	EXPECT_EQ(slob_big_kept_pages(&h), 0);
	node_drain_pages(mem_node);
	EXPECT_EQ(nr_free_pages(), free0);
	zones_teardown(t, fr, free0);
}

/*
 * Every struct page names its pfn's zone and section, where zone limits
 * fall inside a section (node_init writes a zone's struct pages a run at a
 * time): ZONE_DMA up to 5 MiB + 3 pages into the RAM, DMA32 up to 4 GiB,
 * Normal beyond, one bank of 144 MiB across the 4 GiB line (two sections).
 * The free pages add up per zone, and each zone's free blocks lie inside it.
 */
static void struct_pages_name_their_zone(struct ktest *t)
{
	const u64 base = FOUR_GIB - (80ull << 20), size = 144ull << 20;
	const unsigned long dma_end = (unsigned long)((base + (5ull << 20)) >> PAGE_SHIFT) + 3;
	struct fakeram *fr = fakeram_simple(base, size,
					    &(struct zone_limits){ dma_end, FOUR_GIB >> PAGE_SHIFT, true });
	unsigned long wrong = 0, counted[MAX_NR_ZONES] = { 0 };

	ASSERT(fr != NULL);
	for (unsigned long pfn = base >> PAGE_SHIFT; pfn < (base + size) >> PAGE_SHIFT; pfn++) {
		struct page *p = pfn_to_page(pfn);
		unsigned int want = pfn < dma_end ? ZONE_DMA : pfn < (FOUR_GIB >> PAGE_SHIFT) ? ZONE_DMA32
											: ZONE_NORMAL;

		if (!p || page_zonenum(p) != want || page_to_pfn(p) != pfn)
			wrong++;
		else if (!PageReserved(p))
			counted[want]++;
	}
	EXPECT_EQ(wrong, 0ul);
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		EXPECT_EQ(counted[zi], fr->node.zones[zi].managed_pages);
		EXPECT(fr->node.zones[zi].managed_pages > 0);
	}
	EXPECT_EQ(node_check(&fr->node), 0);
	fakeram_done(fr);
}

KTEST_SUITE(zones, KTEST_CASE(kmalloc_dma32), KTEST_CASE(kmem_cache_zone_flags),
	    KTEST_CASE(kmem_cache_zone_flags_slob), KTEST_CASE(alloc_pages_dma32),
	    KTEST_CASE(kept_bigblock_keeps_zone), KTEST_CASE(struct_pages_name_their_zone));
