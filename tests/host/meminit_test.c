/*
 * meminit_test.c - host tests (suite "meminit"): init_on_alloc= and
 * init_on_free= (include/mm/meminit.h) on fake RAM whose every free byte
 * starts dirty (0xa5), so memory an allocator hands out or takes back
 * without zeroing shows.
 *
 * Each case turns a switch on before it builds the node and kmalloc's
 * caches (as the boot sets them before mm_init), and off again after. It
 * checks the pages (the order-0 fast paths, routed, and higher orders),
 * kmalloc on both backends (a constant size, a run-time size, a SLOB size
 * page's object, a segfit block, a bigblock), a kmem_cache without
 * constructor (no magazines) and one with (left alone: its constructed
 * state), and that a refused free (a bad order, a double free) wipes
 * nothing.
 */
#include <string.h>

#include <mm/kmalloc.h>
#include <mm/meminit.h>
#include <mm/mm.h>
#include <mm/mmzone.h>
#include <mm/slab.h>
#include <mm/slob.h>
#include <tests/ktest.h>
#include "../common/zeroing.h"
#include "fakeram.h"
#include "host.h"

#define RAM 0x80000000ull
#define RAM_SIZE (16ull << 20)
#define DIRT 0xa5
#define MARK ZEROING_MARK

static struct fakeram_kmalloc saved;

/* Fake RAM, dirty, with the switches as given and kmalloc afresh on
 * @backend. NULL when the node cannot be built. */
static struct fakeram *meminit_setup(struct ktest *t, bool on_alloc, bool on_free,
				     enum kmalloc_backend backend)
{
	struct fakeram *fr;

	init_on_alloc = on_alloc;
	init_on_free = on_free;
	fr = fakeram_dirty(RAM, RAM_SIZE, &(struct zone_limits){ 0, 0x100000, false }, DIRT);
	if (!fr) {
		init_on_alloc = init_on_free = false;
		ktest_fail(t, __FILE__, __LINE__, "no fake RAM or node_init failed");
		return NULL;
	}
	fakeram_kmalloc_up(&saved, backend);
	return fr;
}

static void meminit_teardown(struct ktest *t, struct fakeram *fr)
{
	EXPECT_EQ(fakeram_kmalloc_down(&saved), 0);
	node_drain_pages(mem_node);
	EXPECT_EQ(node_check(mem_node), 0);
	init_on_alloc = init_on_free = false;
	fakeram_done(fr);
}

/* ---- pages ---------------------------------------------------------------- */

static void pages_zeroed_on_alloc(struct ktest *t)
{
	struct fakeram *fr = meminit_setup(t, true, false, KMALLOC_SLAB);
	struct page *pg[8];

	ASSERT(fr != NULL);
	for (unsigned int round = 0; round < 2; round++) {
		for (unsigned int i = 0; i < 8; i++) { /* orders 0 (the fast path's) and 2 */
			pg[i] = alloc_pages(GFP_KERNEL, i & 1 ? 2 : 0);
			ASSERT(pg[i] != NULL);
			EXPECT_EQ(not_byte(page_address(pg[i]), PAGE_SIZE << (i & 1 ? 2 : 0), 0), 0ul);
			memset(page_address(pg[i]), MARK, PAGE_SIZE << (i & 1 ? 2 : 0));
		}
		for (unsigned int i = 0; i < 8; i++) /* (the second round takes them again) */
			__free_pages(pg[i], i & 1 ? 2 : 0);
	}
	meminit_teardown(t, fr);
}

/* With init_on_free the boot's free memory is zero already, a freed page
 * is zero once freed (the fast path's order 0 too), and a refused free
 * (the wrong order) leaves the page as it was. */
static void pages_zeroed_on_free(struct ktest *t)
{
	struct fakeram *fr = meminit_setup(t, false, true, KMALLOC_SLAB);
	struct page *p0, *p2, *keep;
	struct fr_capture cap;
	char out[1024];
	unsigned long bad0 = fr ? fr->node.nr_bad_pages : 0;

	ASSERT(fr != NULL);
	p0 = alloc_pages(GFP_KERNEL, 0);
	p2 = alloc_pages(GFP_KERNEL, 2);
	keep = alloc_pages(GFP_KERNEL, 0);
	ASSERT(p0 && p2 && keep);
	EXPECT_EQ(not_byte(page_address(p0), PAGE_SIZE, 0), 0ul); /* (zeroed at boot) */
	EXPECT_EQ(not_byte(page_address(p2), 4 * PAGE_SIZE, 0), 0ul);
	memset(page_address(p0), MARK, PAGE_SIZE);
	memset(page_address(p2), MARK, 4 * PAGE_SIZE);
	memset(page_address(keep), MARK, PAGE_SIZE);
	__free_pages(p0, 0);
	__free_pages(p2, 2);
	EXPECT_EQ(is_byte(page_address(p0), PAGE_SIZE, MARK), 0ul);
	EXPECT_EQ(is_byte(page_address(p2), 4 * PAGE_SIZE, MARK), 0ul);
	fr_capture_start(&cap);
	__free_pages(keep, 1); /* refused: allocated as order 0 */
	__free_pages(p0, 0);   /* refused: a double free */
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT_EQ(fr_count_substr(out, "BUG: Bad page state"), 2);
	EXPECT_EQ(fr->node.nr_bad_pages - bad0, 2ul);
	EXPECT_EQ(not_byte(page_address(keep), PAGE_SIZE, MARK), 0ul);
	__free_pages(keep, 0);
	meminit_teardown(t, fr);
}

/* ---- kmalloc -------------------------------------------------------------- */

/* kmalloc of each size zeroed on dirty memory, again after being filled
 * and freed (a run-time size, and the constant 64 through the inline
 * path); with @on_free each freed block holds no byte of what was written. */
static void kmalloc_sizes_zeroed(struct ktest *t, bool on_alloc, bool on_free,
				 enum kmalloc_backend backend)
{
	static const size_t sizes[] = { 16, 64, 100, 700, 2048, 3000, 9000, 20000 };
	struct fakeram *fr = meminit_setup(t, on_alloc, on_free, backend);

	ASSERT(fr != NULL);
	if (backend == KMALLOC_SLOB)
		EXPECT(!kmalloc_heap.kmalloc_plain); /* its fast path would not zero */
	kmalloc_zero_rounds(t, sizes, ARRAY_SIZE(sizes), on_free);
	meminit_teardown(t, fr);
}

static void kmalloc_slab_on_alloc(struct ktest *t)
{
	kmalloc_sizes_zeroed(t, true, false, KMALLOC_SLAB);
}

static void kmalloc_slab_on_free(struct ktest *t)
{
	kmalloc_sizes_zeroed(t, false, true, KMALLOC_SLAB);
}

static void kmalloc_slob_on_alloc(struct ktest *t)
{
	kmalloc_sizes_zeroed(t, true, false, KMALLOC_SLOB);
}

static void kmalloc_slob_on_free(struct ktest *t)
{
	kmalloc_sizes_zeroed(t, false, true, KMALLOC_SLOB);
}

/* A private SLOB heap of each mode: slob_alloc zeroes, slob_free wipes. */
static void slob_heap_both_modes(struct ktest *t)
{
	struct fakeram *fr = meminit_setup(t, true, true, KMALLOC_SLAB);
	static const size_t sizes[] = { 24, 256, 1000, 3000 };
	static struct slob_heap h;

	ASSERT(fr != NULL);
	for (int mode = 0; mode < 2; mode++) {
		slob_heap_init(&h, "meminit", mode ? SLOB_CLASSIC : SLOB_SEGFIT);
		for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
			u8 *p = slob_alloc(&h, sizes[i], GFP_KERNEL, 0);

			ASSERT(p != NULL);
			EXPECT_EQ(not_byte(p, sizes[i], 0), 0ul);
			memset(p, MARK, sizes[i]);
			slob_free(&h, p, sizes[i]);
			/* (what the heap writes in a free block: at most 16 bytes) */
			EXPECT(is_byte(p, sizes[i], MARK) == 0);
		}
		EXPECT_EQ(slob_check(&h), 0);
		EXPECT_EQ(slob_heap_destroy(&h), 0);
	}
	meminit_teardown(t, fr);
}

/* ---- kmem_cache ----------------------------------------------------------- */

static void ctor_77(void *obj)
{
	memset(obj, 0x77, 200);
}

/* A cache without constructor: objects zeroed both ways through its
 * magazines, a double free (in a row, or of an object further down the
 * magazine) reported and nothing more; one with a constructor is left alone (its
 * objects' constructed state). */
static void kmem_cache_objects(struct ktest *t)
{
	struct fakeram *fr = meminit_setup(t, true, true, KMALLOC_SLAB);
	struct kmem_cache *c, *k;
	struct fr_capture cap;
	char out[1024];
	unsigned long errs;
	void *o[20];

	ASSERT(fr != NULL);
	c = kmem_cache_create("meminit-200", 200, 0, SLAB_NOSLOB, NULL);
	k = kmem_cache_create("meminit-ctor", 200, 0, SLAB_NOSLOB, ctor_77);
	ASSERT(c && k);
	/* Both keep their magazines; only @c's inline paths miss, so that
	 * its slow paths, which zero, see every operation. */
	EXPECT(c->limit > 0);
	EXPECT_EQ(c->pcpu_off, PERCPU_RESERVED_OFF);
	EXPECT(c->mag_off != PERCPU_RESERVED_OFF);
	EXPECT(k->limit > 0);
	EXPECT_EQ(k->pcpu_off, k->mag_off);
	cache_zero_rounds(t, c, o, 20, true);
	errs = c->nr_errors;
	fr_capture_start(&cap);
	kmem_cache_free(c, o[19]); /* the last freed: a double free in a row */
	kmem_cache_free(c, o[3]);  /* in the magazine: its marker */
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT_EQ(c->nr_errors - errs, 2ul);
	EXPECT_EQ(fr_count_substr(out, "double free"), 2);
	EXPECT_EQ(kmem_cache_check(c), 0);
	for (int i = 0; i < 20; i++) {
		o[i] = kmem_cache_alloc(k, GFP_KERNEL);
		ASSERT(o[i] != NULL);
		EXPECT_EQ(not_byte(o[i], 200, 0x77), 0ul);
	}
	for (int i = 0; i < 20; i++)
		kmem_cache_free(k, o[i]);
	EXPECT_EQ(kmem_cache_check(c), 0);
	EXPECT_EQ(kmem_cache_check(k), 0);
	kmem_cache_destroy(c);
	kmem_cache_destroy(k);
	meminit_teardown(t, fr);
}

/* Objects below 16 bytes have no room for the free marker: such a cache
 * has no magazines, and its lock-held paths zero (mm/slab_debug.c). */
static void small_objects_zeroed(struct ktest *t)
{
	struct fakeram *fr = meminit_setup(t, true, true, KMALLOC_SLAB);
	struct kmem_cache *c;
	void *o[64];

	ASSERT(fr != NULL);
	c = kmem_cache_create("meminit-8", 8, 0, SLAB_NOSLOB, NULL);
	ASSERT(c != NULL);
	EXPECT_EQ(c->limit, 0u);
	cache_zero_rounds(t, c, o, 64, false);
	EXPECT_EQ(kmem_cache_check(c), 0);
	kmem_cache_destroy(c);
	meminit_teardown(t, fr);
}

/* Off (the default), nothing is zeroed: the dirt shows, and the caches
 * keep their magazines (the cases above would fail without the switches). */
static void off_zeroes_nothing(struct ktest *t)
{
	struct fakeram *fr = meminit_setup(t, false, false, KMALLOC_SLAB);
	struct page *pg;
	void *p;

	ASSERT(fr != NULL);
	pg = alloc_pages(GFP_KERNEL, 0);
	ASSERT(pg != NULL);
	EXPECT_EQ(not_byte(page_address(pg), PAGE_SIZE, DIRT), 0ul);
	__free_pages(pg, 0);
	p = kmalloc(64, GFP_KERNEL);
	ASSERT(p != NULL);
	memset(p, MARK, 64);
	kfree(p);
	EXPECT(kmalloc_caches[KMALLOC_CONST_INDEX(64)]->limit > 0);
	EXPECT_EQ(kmalloc(64, GFP_KERNEL), p); /* the magazine's, as it was */
	EXPECT_EQ(not_byte(p, 64, MARK), 0ul);
	kfree(p);
	meminit_teardown(t, fr);
}

KTEST_SUITE(meminit, KTEST_CASE(pages_zeroed_on_alloc), KTEST_CASE(pages_zeroed_on_free),
	    KTEST_CASE(kmalloc_slab_on_alloc), KTEST_CASE(kmalloc_slab_on_free),
	    KTEST_CASE(kmalloc_slob_on_alloc), KTEST_CASE(kmalloc_slob_on_free),
	    KTEST_CASE(slob_heap_both_modes), KTEST_CASE(kmem_cache_objects), KTEST_CASE(small_objects_zeroed),
	    KTEST_CASE(off_zeroes_nothing));
