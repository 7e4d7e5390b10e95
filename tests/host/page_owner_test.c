/*
 * page_owner_test.c - __free_pages refuses a page an allocator still owns
 * (its page type is set): reported as a bad page, nothing freed.
 */
#include <tests/ktest.h>
#include <mm/mmzone.h>

#include "fakeram.h"

static void typed_page_not_freed(struct ktest *t)
{
	struct fakeram *fr = fakeram_simple(0x80000000, 8 << 20, &(struct zone_limits){ 0, 0x100000 });
	static const enum page_type owners[] = { PGTY_SLAB, PGTY_SLOB, PGTY_BIGBLOCK, PGTY_VMALLOC,
						 PGTY_PAGETABLE };
	unsigned long free0, bad0;

	ASSERT(fr != NULL);
	node_drain_pages(mem_node);
	free0 = nr_free_pages();
	for (unsigned int i = 0; i < ARRAY_SIZE(owners); i++) {
		struct page *page = alloc_pages(GFP_KERNEL, i % 2);

		ASSERT(page != NULL);
		set_page_type(page, owners[i]);
		bad0 = mem_node->nr_bad_pages;
		__free_pages(page, i % 2);
		EXPECT_EQ(mem_node->nr_bad_pages, bad0 + 1);
		EXPECT(page->flags & PG_head); /* still allocated */
		EXPECT_EQ(page->refcount, 1);
		set_page_type(page, PGTY_NONE);
		__free_pages(page, i % 2);
		EXPECT_EQ(mem_node->nr_bad_pages, bad0 + 1);
	}
	node_drain_pages(mem_node);
	EXPECT_EQ(nr_free_pages(), free0);
	EXPECT_EQ(node_check(mem_node), 0);
	fakeram_done(fr);
}

KTEST_SUITE(page_owner, KTEST_CASE(typed_page_not_freed));
