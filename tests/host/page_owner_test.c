/*
 * page_owner_test.c - who owns a page: __free_pages refuses a page an
 * allocator still owns (its page type is set), reported as a bad page,
 * nothing freed; and page_owner's records (mm/page_owner.c) on a private
 * node: the entry points that take their caller explicitly (the wrappers;
 * alloc_pages' own caller rides on tail calls, which the host's -O1 build
 * does not make: tests/target/page_owner_test.c checks it on the kernel),
 * the report's counts, typed pages by their type, and switching off gives
 * every record page back. The frees of free_pages_exact and
 * free_contig_range note their caller (they read it themselves), keeping
 * the allocation's; a double free's report prints both callers (as
 * addresses: the host has no symbol table) and the refused freer.
 */
#include <tests/ktest.h>
#include <mm/mmzone.h>
#include <mm/page_owner.h>
#include <stdio.h>
#include <string.h>

#include "fakeram.h"

static void typed_page_not_freed(struct ktest *t)
{
	struct fakeram *fr = fakeram_simple(0x80000000, 8 << 20, &(struct zone_limits){ 0, 0x100000, false });
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

/* Each asks from a function of its own (not a tail call: the result goes
 * out through a pointer). */
static KTEST_OWN_FRAME void po_get_free_pages(unsigned int order, unsigned long *res)
{
	*res = __get_free_pages(GFP_KERNEL, order);
}

static KTEST_OWN_FRAME void po_exact(size_t size, void **res)
{
	*res = alloc_pages_exact(size, GFP_KERNEL);
}

/* Is @caller inside function @fn (a small one: its code is under 1 KiB)? */
static bool inside(unsigned long caller, void (*fn)(void))
{
	return caller > (unsigned long)fn && caller - (unsigned long)fn < 1024;
}

static const struct page_owner_entry *entry_of(const struct page_owner_table *tab, void (*fn)(void))
{
	for (unsigned int i = 0; i < tab->nr; i++)
		if (tab->e[i].type == PGTY_NONE && inside(tab->e[i].caller, fn))
			return &tab->e[i];
	return NULL;
}

static void records_and_report(struct ktest *t)
{
	struct fakeram *fr = fakeram_simple(0x80000000, 16 << 20, &(struct zone_limits){ 0, 0x100000, false });
	static struct page_owner_entry entries[64];
	struct page_owner_table tab = { .e = entries, .max = ARRAY_SIZE(entries) };
	const struct page_owner_entry *en;
	unsigned long a[2], free0, pfn;
	struct page *typed;
	void *e;

	ASSERT(fr != NULL);
	node_drain_pages(mem_node);
	free0 = nr_free_pages();
	ASSERT(page_owner_enable(mem_node) == 0);
	EXPECT(page_owner_on);
	EXPECT(nr_free_pages() < free0); /* the records took pages */
	po_get_free_pages(2, &a[0]);
	po_get_free_pages(2, &a[1]);
	po_exact(3 * PAGE_SIZE, &e);
	typed = alloc_pages(GFP_KERNEL, 1);
	ASSERT(a[0] && a[1] && e && typed);
	set_page_type(typed, PGTY_VMALLOC);
	pfn = PHYS_PFN(virt_to_phys((void *)a[0]));
	for (unsigned long i = 0; i < 4; i++) {
		const struct page_owner_rec *r = page_owner_rec(mem_node, pfn + i);

		ASSERT(r != NULL);
		EXPECT(inside(r->caller, (void (*)(void))po_get_free_pages));
		EXPECT_EQ(r->flags, i ? 0 : PO_FIRST);
	}
	ASSERT(page_owner_collect(mem_node, &tab) == 0);
	en = entry_of(&tab, (void (*)(void))po_get_free_pages);
	ASSERT(en != NULL);
	EXPECT_EQ(en->blocks, 2);
	EXPECT_EQ(en->pages, 8);
	en = entry_of(&tab, (void (*)(void))po_exact);
	ASSERT(en != NULL);
	EXPECT_EQ(en->blocks, 1);
	EXPECT_EQ(en->pages, 3);
	en = NULL;
	for (unsigned int i = 0; i < tab.nr; i++)
		if (tab.e[i].type == PGTY_VMALLOC)
			en = &tab.e[i];
	ASSERT(en != NULL);
	EXPECT_EQ(en->pages, 2);
	EXPECT_EQ(en->blocks, 1);
	/* A table of one owner: the rest is counted as dropped, not lost. */
	tab.max = 1;
	ASSERT(page_owner_collect(mem_node, &tab) == 0);
	EXPECT_EQ(tab.nr, 1);
	EXPECT_EQ(tab.e[0].pages + tab.dropped, tab.pages);
	set_page_type(typed, PGTY_NONE);
	__free_pages(typed, 1);
	free_pages(a[0], 2);
	free_pages(a[1], 2);
	free_pages_exact(e, 3 * PAGE_SIZE);
	page_owner_disable(mem_node);
	EXPECT(!page_owner_on);
	EXPECT(page_owner_rec(mem_node, pfn) == NULL);
	node_drain_pages(mem_node);
	EXPECT_EQ(nr_free_pages(), free0); /* the records' pages back too */
	EXPECT_EQ(node_check(mem_node), 0);
	fakeram_done(fr);
}

static KTEST_OWN_FRAME void po_free_exact(void *v, size_t size, int *calls)
{
	free_pages_exact(v, size);
	(*calls)++;
}

static KTEST_OWN_FRAME void po_free_exact_again(void *v, size_t size, int *calls)
{
	free_pages_exact(v, size);
	*calls += 2;
}

static KTEST_OWN_FRAME void po_free_contig(unsigned long pfn, unsigned long nr,
							      int *calls)
{
	free_contig_range(pfn, nr);
	(*calls)++;
}

static void frees_noted_double_free_named(struct ktest *t)
{
	struct fakeram *fr = fakeram_simple(0x80000000, 16 << 20, &(struct zone_limits){ 0, 0x100000, false });
	static char out[2048];
	struct fr_capture cap;
	const struct page_owner_rec *r;
	char want[96];
	unsigned long pfn, bad0;
	struct page *c;
	int calls = 0;
	void *e;

	ASSERT(fr != NULL);
	ASSERT(page_owner_enable(mem_node) == 0);
	po_exact(3 * PAGE_SIZE, &e);
	ASSERT(e != NULL);
	pfn = PHYS_PFN(virt_to_phys(e));
	po_free_exact(e, 3 * PAGE_SIZE, &calls);
	for (unsigned long i = 0; i < 3; i++) {
		r = page_owner_rec(mem_node, pfn + i);
		ASSERT(r != NULL);
		EXPECT(inside(r->free_caller, (void (*)(void))po_free_exact));
		EXPECT(inside(r->caller, (void (*)(void))po_exact)); /* the allocation's stays */
		EXPECT(r->flags & PO_FREED);
		EXPECT(r->free_ms >= r->when_ms);
	}
	/* Freed again: refused, and the report names the first freer. */
	r = page_owner_rec(mem_node, pfn);
	bad0 = mem_node->nr_bad_pages;
	fr_capture_start(&cap);
	po_free_exact_again(e, 3 * PAGE_SIZE, &calls);
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT(mem_node->nr_bad_pages > bad0);
	EXPECT(strstr(out, "BUG: Bad page state: pfn ") != NULL);
	snprintf(want, sizeof(want), "\npage last allocated by 0x%lx at %u ms", r->caller, r->when_ms);
	EXPECT(strstr(out, want) != NULL);
	snprintf(want, sizeof(want), "\npage last freed by 0x%lx at %u ms\n", r->free_caller, r->free_ms);
	EXPECT(strstr(out, want) != NULL);
	EXPECT(inside(r->free_caller, (void (*)(void))po_free_exact)); /* not the second */
	EXPECT(strstr(out, "\npage freed now by 0x") != NULL);
	/* A page run: every page of it. */
	c = alloc_contig_pages(MAX_ORDER_NR_PAGES + 3, GFP_KERNEL, 0);
	ASSERT(c != NULL);
	pfn = page_to_pfn(c);
	po_free_contig(pfn, MAX_ORDER_NR_PAGES + 3, &calls);
	for (unsigned long i = 0; i < MAX_ORDER_NR_PAGES + 3; i++) {
		r = page_owner_rec(mem_node, pfn + i);
		ASSERT(r != NULL);
		EXPECT(inside(r->free_caller, (void (*)(void))po_free_contig));
	}
	EXPECT_EQ(calls, 4);
	page_owner_disable(mem_node);
	node_drain_pages(mem_node);
	EXPECT_EQ(node_check(mem_node), 0);
	fakeram_done(fr);
}

KTEST_SUITE(page_owner, KTEST_CASE(typed_page_not_freed), KTEST_CASE(records_and_report),
	    KTEST_CASE(frees_noted_double_free_named));
