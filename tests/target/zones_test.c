/*
 * zones_test.c - every allocator honours the gfp zone bits (suite "zones").
 *
 * The bug this guards against: per-hart magazines and SLOB free blocks are
 * reused whatever the gfp says, so only a new slab or a new SLOB page
 * honoured the zone. Each case therefore FIRST fills the free lists and
 * magazines of the entry point with memory of the Normal zone (many
 * GFP_KERNEL allocations, all freed), then allocates with GFP_DMA32 and
 * GFP_DMA and checks that every byte of every object lies in the zone:
 *   GFP_DMA32  below 4 GiB, in ZONE_DMA32 or ZONE_DMA;
 *   GFP_DMA    in ZONE_DMA when it exists (boot with zone_dma_limit=),
 *              else below 4 GiB as GFP_DMA32.
 * Entry points: kmalloc on both backends (switched here with
 * kmalloc_set_backend, so one boot covers both), constant and variable
 * sizes, bigblocks; kmem_cache_alloc on SLAB_CACHE_DMA32 and SLAB_CACHE_DMA
 * caches; alloc_pages orders 0..3; kvmalloc and __vmalloc.
 * refuses_foreign_zone: a zone a cache cannot honour is refused with NULL
 * and a WARN (Linux's GFP_SLAB_BUG_MASK check).
 * The kmem_cache cases run on both cache models: slab caches, and as
 * CASE_slob SLOB-model caches (SLAB_SLOB), whose objects come from the
 * zone's kmalloc SLOB heap (prefilled with Normal blocks first through a
 * Normal cache of the same model), bigblocks included.
 *
 * Without RAM above 4 GiB the Normal zone is empty and the prefill proves
 * nothing; the checks still run. make test boots it at 8 GiB (virt, and a
 * two-bank device tree) with either backend.
 */
#include <drivers/console.h>
#include <lib/kstring.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/mm_init.h>
#include <mm/mmzone.h>
#include <mm/port.h>
#include <mm/slab.h>
#include <mm/vmalloc.h>
#include <tests/ktest.h>

#define FOUR_GIB (1ull << 32)
#define PREFILL 512 /* more than any magazine (120) plus a batch */
#define TRIES 48

static void *objs[PREFILL];

/* GFP_DMA means ZONE_DMA only: zone_dma_limit= was given, even one with
 * no page of RAM below it (then GFP_DMA gets nothing). Without it GFP_DMA
 * means below 4 GiB. */
static bool has_dma_zone(void)
{
	return zone_dma_limit != 0;
}

/* Can @gfp's zones hold TRIES blocks of @bytes, with room to spare? A
 * small ZONE_DMA (zone_dma_limit= just above the firmware: a few hundred
 * pages) cannot: there NULL is a right answer, a block from outside the
 * zone never is. */
static bool zone_holds_tries(gfp_t gfp, unsigned long bytes)
{
	unsigned int top = (gfp & __GFP_DMA) && has_dma_zone() ? ZONE_DMA : ZONE_DMA32;
	unsigned long pages = 0;

	for (unsigned int zi = 0; zi <= top; zi++)
		pages += mem_node->zones[zi].managed_pages;
	return pages > 2 * TRIES * ((bytes + PAGE_SIZE - 1) / PAGE_SIZE) + 256;
}

/* Is the page (zone and physical range) right for @gfp's zone bits? */
static bool page_in_zone(const struct page *page, gfp_t gfp)
{
	u64 end = PFN_PHYS(page_to_pfn(page)) + (PAGE_SIZE << page_order(page));
	unsigned int zn = page_zonenum(page);

	if ((gfp & __GFP_DMA) && has_dma_zone())
		return zn == ZONE_DMA && page_to_pfn(page) < zone_end_pfn(&mem_node->zones[ZONE_DMA]);
	if (gfp & GFP_ZONEMASK)
		return zn <= ZONE_DMA32 && end <= FOUR_GIB;
	return true;
}

/* Every page that @p's @size bytes touch is in the zone. */
static bool obj_in_zone(const void *p, size_t size, gfp_t gfp)
{
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)(PAGE_SIZE - 1);

	for (; a < (uintptr_t)p + size; a += PAGE_SIZE) {
		const struct page *page = is_vmalloc_addr((const void *)a)
						  ? vmalloc_to_page((const void *)a)
						  : virt_to_page((const void *)a);

		if (!page || page_zonenum(page) > ZONE_NORMAL)
			return false;
		if ((gfp & GFP_ZONEMASK) && !is_vmalloc_addr((const void *)a) &&
		    virt_to_phys((const void *)a) + PAGE_SIZE > FOUR_GIB)
			return false;
		if ((gfp & __GFP_DMA) && has_dma_zone() && page_zonenum(page) != ZONE_DMA)
			return false;
		if ((gfp & GFP_ZONEMASK) && page_zonenum(page) > ZONE_DMA32)
			return false;
	}
	return true;
}

/* A zone request's answer is wrong when it lies outside the zone, or is
 * NULL though the zone had plenty of room (an empty ZONE_DMA has none). */
static bool zone_answer_wrong(const void *p, size_t size, gfp_t gfp)
{
	return p ? !obj_in_zone(p, size, gfp) : zone_holds_tries(gfp, size);
}

static const gfp_t zone_gfps[] = { GFP_DMA32, GFP_DMA, GFP_DMA32 | __GFP_ZERO, GFP_DMA | __GFP_ZERO };

/* Normal objects into kmalloc's free lists and magazines of @size. */
static void prefill_kmalloc(size_t size)
{
	for (int i = 0; i < PREFILL; i++)
		objs[i] = kmalloc(size, GFP_KERNEL);
	for (int i = 0; i < PREFILL; i++)
		kfree(objs[i]);
}

/* kmalloc(@size, each zone gfp) TRIES times after a Normal prefill. The
 * size reaches kmalloc through a volatile: the variable-size path. */
static void kmalloc_sizes_in_zone(struct ktest *t, const char *backend)
{
	static const size_t sizes[] = { 8, 64, 100, 192, 1000, 4000, 4096, 8192, 3 * 4096, 20000 };

	for (unsigned int si = 0; si < ARRAY_SIZE(sizes); si++) {
		for (unsigned int gi = 0; gi < ARRAY_SIZE(zone_gfps); gi++) {
			volatile size_t vsize = sizes[si];
			size_t size = vsize;
			gfp_t gfp = zone_gfps[gi];
			int bad = 0;

			prefill_kmalloc(size);
			for (int i = 0; i < TRIES; i++) {
				objs[i] = kmalloc(size, gfp);
				if (objs[i] ? !obj_in_zone(objs[i], size, gfp) : zone_holds_tries(gfp, size))
					bad++;
			}
			for (int i = 0; i < TRIES; i++)
				kfree(objs[i]);
			if (bad)
				ktest_fail(t, __FILE__, __LINE__,
					   "%s: kmalloc(%zu, 0x%x): %d of %d outside the zone or NULL",
					   backend, size, gfp, bad, TRIES);
		}
	}
}

/* A compile-time size and gfp: the inline path must not take the Normal
 * cache's magazine. */
#define CONST_CASE(size, gfp)                                                           \
	do {                                                                            \
		int bad = 0;                                                            \
		prefill_kmalloc(size);                                                  \
		for (int i = 0; i < TRIES; i++) {                                       \
			objs[i] = kmalloc(size, gfp);                                   \
			if (objs[i] ? !obj_in_zone(objs[i], size, gfp)                  \
				    : zone_holds_tries(gfp, size))                      \
				bad++;                                                  \
		}                                                                       \
		for (int i = 0; i < TRIES; i++)                                         \
			kfree(objs[i]);                                                 \
		if (bad)                                                                \
			ktest_fail(t, __FILE__, __LINE__, "%s: kmalloc(%s, %s): %d of %d", \
				   backend, #size, #gfp, bad, TRIES);                   \
	} while (0)

static void kmalloc_const_in_zone(struct ktest *t, const char *backend)
{
	CONST_CASE(64, GFP_DMA32);
	CONST_CASE(64, GFP_DMA);
	CONST_CASE(512, GFP_DMA32);
	CONST_CASE(96, GFP_DMA32 | __GFP_ZERO);
	CONST_CASE(16384, GFP_DMA32);
}

static void kmalloc_both_backends(struct ktest *t, bool constant)
{
	enum kmalloc_backend saved = kmalloc_backend;

	kmalloc_set_backend(KMALLOC_SLAB);
	if (constant)
		kmalloc_const_in_zone(t, "slab");
	else
		kmalloc_sizes_in_zone(t, "slab");
	kmalloc_set_backend(KMALLOC_SLOB);
	if (constant)
		kmalloc_const_in_zone(t, "slob");
	else
		kmalloc_sizes_in_zone(t, "slob");
	kmalloc_set_backend(saved);
}

static void kmalloc_variable_size(struct ktest *t)
{
	kmalloc_both_backends(t, false);
}

static void kmalloc_constant_size(struct ktest *t)
{
	kmalloc_both_backends(t, true);
}

/* The zone caches show in slabinfo once used. */
static void zone_caches_named(struct ktest *t)
{
	void *p = kmalloc(64, GFP_DMA32);
	enum kmalloc_backend saved = kmalloc_backend;
	u64 saved_heap = kmalloc_heap_classes;

	kmalloc_set_backend(KMALLOC_SLAB);
	kmalloc_set_heap_classes(0); /* (kmalloc_heap=0xMASK: a cache again) */
	kfree(p);
	p = kmalloc(64, GFP_DMA32);
	EXPECT(p != NULL);
	kfree(p);
	kmalloc_set_backend(saved);
	kmalloc_set_heap_classes(saved_heap);
	EXPECT(kmem_cache_find("kmalloc-dma32-64") != NULL);
}

/* kmem_cache_alloc on a SLAB_CACHE_DMA32 / SLAB_CACHE_DMA cache: even its
 * GFP_KERNEL objects are of the zone, so after a plain prefill a zone
 * request is served from the magazine and still in the zone. */
static void cache_flag_in_zone(struct ktest *t, unsigned long flag, gfp_t gfp, unsigned long model)
{
	struct kmem_cache *c = kmem_cache_create(flag == SLAB_CACHE_DMA ? "zones-dma" : "zones-dma32",
						 200, 0, flag | model, NULL);
	struct kmem_cache *big = kmem_cache_create("zones-big", 5000, 0, flag | model, NULL);
	struct kmem_cache *normal = kmem_cache_create("zones-prefill", 200, 0, model, NULL);
	volatile gfp_t vgfp = gfp;
	int bad = 0;

	ASSERT(c != NULL && big != NULL && normal != NULL);
	/* Normal memory where a zone object could be found: the Normal
	 * cache's slabs, or (SLOB) free blocks of kmalloc's Normal heap. */
	for (int i = 0; i < PREFILL; i++)
		objs[i] = kmem_cache_alloc(normal, GFP_KERNEL);
	for (int i = 0; i < PREFILL; i++)
		kmem_cache_free(normal, objs[i]);
	for (int i = 0; i < TRIES; i++) {
		objs[i] = kmem_cache_alloc(big, i & 1 ? gfp : GFP_KERNEL);
		bad += zone_answer_wrong(objs[i], 5000, gfp);
	}
	for (int i = 0; i < TRIES; i++)
		if (objs[i])
			kmem_cache_free(big, objs[i]);
	for (int i = 0; i < PREFILL; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		bad += zone_answer_wrong(objs[i], 200, gfp);
	}
	for (int i = 0; i < PREFILL; i++)
		if (objs[i])
			kmem_cache_free(c, objs[i]);
	for (int i = 0; i < TRIES; i++) {
		/* constant gfp, then a variable one */
		objs[i] = (i & 1) ? kmem_cache_alloc(c, vgfp)
				  : (flag == SLAB_CACHE_DMA ? kmem_cache_alloc(c, GFP_DMA)
							    : kmem_cache_alloc(c, GFP_DMA32));
		bad += zone_answer_wrong(objs[i], 200, gfp);
	}
	for (int i = 0; i < TRIES; i++)
		if (objs[i])
			kmem_cache_free(c, objs[i]);
	EXPECT_EQ(bad, 0);
	EXPECT_EQ(c->nr_zone_refused, 0);
	EXPECT_EQ(kmem_cache_check(c), 0);
	EXPECT_EQ(kmem_cache_check(big), 0);
	kmem_cache_destroy(c);
	kmem_cache_destroy(big);
	kmem_cache_destroy(normal);
}

static void kmem_cache_dma32(struct ktest *t)
{
	cache_flag_in_zone(t, SLAB_CACHE_DMA32, GFP_DMA32, SLAB_NOSLOB);
}

static void kmem_cache_dma(struct ktest *t)
{
	cache_flag_in_zone(t, SLAB_CACHE_DMA, GFP_DMA, SLAB_NOSLOB);
}

static void kmem_cache_dma32_slob(struct ktest *t)
{
	cache_flag_in_zone(t, SLAB_CACHE_DMA32, GFP_DMA32, SLAB_SLOB);
}

static void kmem_cache_dma_slob(struct ktest *t)
{
	cache_flag_in_zone(t, SLAB_CACHE_DMA, GFP_DMA, SLAB_SLOB);
}

static char out[1024];

/* A zone the cache cannot honour: NULL and a WARN, never a Normal object. */
static void refuses_foreign_zone_model(struct ktest *t, unsigned long model)
{
	struct kmem_cache *normal = kmem_cache_create("zones-normal", 64, 0, model, NULL);
	struct kmem_cache *d32 =
		kmem_cache_create("zones-only-dma32", 64, 0, SLAB_CACHE_DMA32 | model, NULL);
	volatile gfp_t vgfp = GFP_DMA32;
	void *p;

	ASSERT(normal && d32);
	p = kmem_cache_alloc(normal, GFP_KERNEL); /* a Normal object in the magazine */
	kmem_cache_free(normal, p);
	console_capture_begin(out, sizeof(out));
	p = kmem_cache_alloc(normal, GFP_DMA32);
	console_capture_end();
	EXPECT(p == NULL);
	EXPECT(strstr(out, "WARNING") != NULL);
	EXPECT(strstr(out, "zones-normal") != NULL);
	EXPECT(kmem_cache_alloc(normal, vgfp) == NULL);
	EXPECT(kmem_cache_zalloc(normal, GFP_DMA) == NULL);
	EXPECT_EQ(normal->nr_zone_refused, 3);
	/* __GFP_DMA asks more than a DMA32 cache gives. */
	EXPECT(kmem_cache_alloc(d32, GFP_DMA) == NULL);
	EXPECT_EQ(d32->nr_zone_refused, 1);
	kmem_cache_destroy(normal);
	kmem_cache_destroy(d32);
}

static void refuses_foreign_zone(struct ktest *t)
{
	refuses_foreign_zone_model(t, SLAB_NOSLOB);
}

static void refuses_foreign_zone_slob(struct ktest *t)
{
	refuses_foreign_zone_model(t, SLAB_SLOB);
}

/* alloc_pages orders 0..3 after Normal pages went to the per-hart lists. */
static void alloc_pages_orders(struct ktest *t)
{
	static struct page *pages[PREFILL];

	for (unsigned int order = 0; order <= 3; order++) {
		for (unsigned int gi = 0; gi < ARRAY_SIZE(zone_gfps); gi++) {
			gfp_t gfp = zone_gfps[gi];
			int bad = 0;

			for (int i = 0; i < 128; i++)
				pages[i] = alloc_pages(GFP_KERNEL, order);
			for (int i = 0; i < 128; i++)
				if (pages[i])
					__free_pages(pages[i], order);
			for (int i = 0; i < TRIES; i++) {
				pages[i] = alloc_pages(gfp, order);
				if (pages[i] ? !page_in_zone(pages[i], gfp)
					     : zone_holds_tries(gfp, PAGE_SIZE << order))
					bad++;
			}
			for (int i = 0; i < TRIES; i++)
				if (pages[i])
					__free_pages(pages[i], order);
			if (bad)
				ktest_fail(t, __FILE__, __LINE__, "alloc_pages(0x%x, %u): %d of %d", gfp,
					   order, bad, TRIES);
		}
	}
}

/* kvmalloc (kmalloc's zone caches, or vmalloc pages) and __vmalloc. */
static void kvmalloc_and_vmalloc(struct ktest *t)
{
	static const unsigned long sizes[] = { 64, 3000, 3 * PAGE_SIZE, 64 * PAGE_SIZE };

	for (unsigned int si = 0; si < ARRAY_SIZE(sizes); si++) {
		for (unsigned int gi = 0; gi < 2; gi++) {
			gfp_t gfp = zone_gfps[gi];
			void *p;

			for (int i = 0; i < 32; i++)
				objs[i] = kvmalloc(sizes[si], GFP_KERNEL);
			for (int i = 0; i < 32; i++)
				kvfree(objs[i]);
			for (int i = 0; i < 8; i++) {
				p = kvmalloc(sizes[si], gfp);
				EXPECT(p != NULL || !zone_holds_tries(gfp, sizes[si]));
				if (p && !obj_in_zone(p, sizes[si], gfp))
					ktest_fail(t, __FILE__, __LINE__, "kvmalloc(%lu, 0x%x) at %p",
						   sizes[si], gfp, p);
				kvfree(p);
			}
			if (!port_kernel_pgtable())
				continue; /* no vmalloc without paging */
			p = __vmalloc(sizes[si], gfp);
			EXPECT(p != NULL || !zone_holds_tries(gfp, sizes[si]));
			if (p && !obj_in_zone(p, sizes[si], gfp))
				ktest_fail(t, __FILE__, __LINE__, "__vmalloc(%lu, 0x%x) at %p", sizes[si],
					   gfp, p);
			vfree(p);
		}
	}
}

KTEST_SUITE(zones, KTEST_CASE(kmalloc_variable_size), KTEST_CASE(kmalloc_constant_size),
	    KTEST_CASE(zone_caches_named), KTEST_CASE(kmem_cache_dma32), KTEST_CASE(kmem_cache_dma),
	    KTEST_CASE(kmem_cache_dma32_slob), KTEST_CASE(kmem_cache_dma_slob),
	    KTEST_CASE(refuses_foreign_zone), KTEST_CASE(refuses_foreign_zone_slob),
	    KTEST_CASE(alloc_pages_orders),
	    KTEST_CASE(kvmalloc_and_vmalloc));
