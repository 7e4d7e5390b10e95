/*
 * meminit_test.c - init_on_alloc= and init_on_free= on the running kernel
 * (suite "meminit"; include/mm/meminit.h). Booted with either switch (make
 * test: tests/qemu/ktest-all.sh boots every suite with both, and this
 * suite with each alone), every allocator hands out zeroes after its
 * memory was filled and freed: pages of orders 0 and 3, kmalloc of a
 * constant and a run-time size, a bigblock, vmalloc, a kmem_cache without
 * constructor (whose inline paths miss); with init_on_free what was freed
 * holds none of what was written, and a refused free (a double free) wipes
 * nothing (the KASAN kernel, which reports any read of freed memory, does
 * not look). Booted with neither, the cases skip: the switches are fixed at
 * boot, as the caches' magazines are.
 */
#include <lib/kstring.h>
#include <mm/kasan.h>
#include <mm/kfence.h>
#include <mm/kmalloc.h>
#include <mm/meminit.h>
#include <mm/mm.h>
#include <mm/mmzone.h>
#include <mm/slab.h>
#include <mm/vmalloc.h>
#include <tests/ktest.h>
#include "../common/zeroing.h"

#define MARK ZEROING_MARK

static bool skip_unless_on(struct ktest *t)
{
	if (meminit_routed())
		return false;
	ktest_skip(t, "boot with init_on_alloc=1 or init_on_free=1");
	return true;
}

/* Filled and freed, then taken again: zero (the same pages, or others). */
static void pages_zeroed(struct ktest *t)
{
	struct page *pg[16];

	if (skip_unless_on(t))
		return;
	for (unsigned int round = 0; round < 3; round++) {
		for (unsigned int i = 0; i < 16; i++) {
			unsigned int order = i & 1 ? 3 : 0;

			pg[i] = alloc_pages(GFP_KERNEL, order);
			ASSERT(pg[i] != NULL);
			EXPECT_EQ(not_byte(page_address(pg[i]), PAGE_SIZE << order, 0), 0ul);
			memset(page_address(pg[i]), MARK, PAGE_SIZE << order);
		}
		for (unsigned int i = 0; i < 16; i++) {
			unsigned int order = i & 1 ? 3 : 0;

			__free_pages(pg[i], order);
			if (init_on_free && !KASAN_KERNEL) /* (in the direct map: still readable) */
				EXPECT_EQ(not_byte(page_address(pg[i]), PAGE_SIZE << order, 0), 0ul);
		}
	}
}

static void kmalloc_and_vmalloc_zeroed(struct ktest *t)
{
	static const size_t sizes[] = { 24, 100, 700, 3000, 20000 };
	void *v;

	if (skip_unless_on(t))
		return;
	kmalloc_zero_rounds(t, sizes, ARRAY_SIZE(sizes), init_on_free && !KASAN_KERNEL);
	for (unsigned int round = 0; round < 3; round++) {
		v = vmalloc(5 * PAGE_SIZE);
		ASSERT(v != NULL);
		EXPECT_EQ(not_byte(v, 5 * PAGE_SIZE, 0), 0ul);
		memset(v, MARK, 5 * PAGE_SIZE);
		vfree(v);
	}
}

/* A cache without constructor: objects zero, and with init_on_free gone
 * at free but for the free link; a double free reported, nothing wiped. */
static void cache_objects_zeroed(struct ktest *t)
{
	struct kmem_cache *c;
	unsigned long errs;
	void *o[24];

	if (skip_unless_on(t))
		return;
	c = kmem_cache_create("meminit-200", 200, 0, SLAB_NOSLOB, NULL);
	ASSERT(c != NULL);
	if (!(c->flags & SLAB_DEBUG_FLAGS)) /* (a zeroing cache: its inline paths miss) */
		EXPECT_EQ(c->pcpu_off, PERCPU_RESERVED_OFF);
	/* (the KASAN kernel reports any read of freed memory: not looked at) */
	cache_zero_rounds(t, c, o, 24, init_on_free && !KASAN_KERNEL);
	errs = c->nr_errors;
	if (!KASAN_KERNEL && !is_kfence_address(o[5])) { /* (KASAN, KFENCE report it themselves) */
		kmem_cache_free(c, o[5]); /* a double free */
		EXPECT_EQ(c->nr_errors - errs, 1ul);
	}
	EXPECT_EQ(kmem_cache_check(c), 0);
	kmem_cache_destroy(c);
}

KTEST_SUITE(meminit, KTEST_CASE(pages_zeroed), KTEST_CASE(kmalloc_and_vmalloc_zeroed),
	    KTEST_CASE(cache_objects_zeroed));
