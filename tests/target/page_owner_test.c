/*
 * page_owner_test.c - page_owner (mm/page_owner.c) on the running kernel:
 * every entry point of the page allocator records the code that called it
 * (not a wrapper of its own), on every page of the allocation, the order-0
 * fast path included; a run grown in place keeps its owner; the report
 * counts untyped pages by caller and typed ones by their cache; and the
 * console command prints it, or says why not. Every free entry point
 * records the code that called it on the freed pages (the order-0 fast
 * path too), keeping the allocation's caller; a double free's bad page
 * report names who allocated the page, who freed it first and who freed
 * it again.
 *
 * A case switches recording on for itself when the boot did not
 * (page_owner=on) and off again at its end, so the suite runs in every
 * ktest run; the other harts are idle meanwhile.
 */
#include <drivers/console.h>
#include <lib/kstring.h>
#include <mm/kmalloc.h>
#include <mm/mmzone.h>
#include <mm/page_owner.h>
#include <mm/port.h>
#include <mm/slab.h>
#include <tests/ktest.h>

static char text[4096];

/* Each asks from a function of its own, so the records must name it. (The
 * result goes out through a pointer: a function that tail-calls the
 * allocator leaves no return address of its own, here as in Linux.) */
static KTEST_OWN_FRAME void po_alloc_pages(unsigned int order, struct page **out)
{
	*out = alloc_pages(GFP_KERNEL, order);
}

static KTEST_OWN_FRAME void po_alloc_page(struct page **out)
{
	*out = alloc_page(GFP_KERNEL);
}

static KTEST_OWN_FRAME void po_get_free_pages(unsigned int order, unsigned long *out)
{
	*out = __get_free_pages(GFP_KERNEL, order);
}

static KTEST_OWN_FRAME void po_zeroed_page(unsigned long *out)
{
	*out = get_zeroed_page(GFP_KERNEL);
}

static KTEST_OWN_FRAME void po_exact(size_t size, void **out)
{
	*out = alloc_pages_exact(size, GFP_KERNEL);
}

static KTEST_OWN_FRAME void po_kmalloc_big(size_t size, void **out)
{
	*out = kmalloc(size, GFP_KERNEL);
}

static KTEST_OWN_FRAME void po_fit(size_t size, void **out)
{
	*out = alloc_pages_fit(size, GFP_KERNEL);
}

/* The frees: each from a function of its own that does something after
 * the call, so that the call is not a tail call and the return address is
 * inside it. */
static KTEST_OWN_FRAME void po_free_pages(struct page *p, unsigned int order,
							     int *calls)
{
	__free_pages(p, order);
	(*calls)++;
}

/* (noipa: the same code as po_free_pages, which must not stand for it) */
static __attribute__((noipa)) void po_free_again(struct page *p, unsigned int order, int *calls)
{
	__free_pages(p, order);
	(*calls)++;
}

static KTEST_OWN_FRAME void po_free_addr(unsigned long a, unsigned int order,
							    int *calls)
{
	free_pages(a, order);
	(*calls)++;
}

static KTEST_OWN_FRAME void po_put_page(struct page *p, int *calls)
{
	put_page(p);
	(*calls)++;
}

static KTEST_OWN_FRAME void po_free_exact(void *v, size_t size, int *calls)
{
	free_pages_exact(v, size);
	(*calls)++;
}

static KTEST_OWN_FRAME void po_free_contig(unsigned long pfn, unsigned long nr,
							      int *calls)
{
	free_contig_range(pfn, nr);
	(*calls)++;
}

static KTEST_OWN_FRAME void po_node_free(struct page *p, unsigned int order,
							    int *calls)
{
	node_free_pages(mem_node, p, order);
	(*calls)++;
}

static bool named(unsigned long caller, const char *fn)
{
	unsigned long off;
	const char *name = ksym_lookup(caller, &off);

	return name && strcmp(name, fn) == 0;
}

/* Was recording on before the case? If not, it is switched on for it. */
static bool begin(struct ktest *t)
{
	bool was_on = page_owner_on;

	if (!was_on && page_owner_enable(mem_node) != 0)
		ktest_fail(t, __FILE__, __LINE__, "page_owner_enable failed");
	return was_on;
}

static void end(bool was_on)
{
	if (!was_on)
		page_owner_disable(mem_node);
}

static unsigned long pfn_of(const void *p)
{
	return PHYS_PFN(virt_to_phys(p));
}

/* The @nr pages from @pfn are one allocation of @fn's, with gfp @gfp. */
static void expect_run(struct ktest *t, unsigned long pfn, unsigned long nr, const char *fn, gfp_t gfp)
{
	for (unsigned long i = 0; i < nr; i++) {
		const struct page_owner_rec *r = page_owner_rec(mem_node, pfn + i);

		ASSERT(r != NULL);
		EXPECT(named(r->caller, fn));
		EXPECT_EQ(r->flags & PO_FIRST, i == 0 ? PO_FIRST : 0);
		EXPECT_EQ(r->gfp, gfp);
		EXPECT(r->when_ms <= (u32)(time_now_us() / 1000));
	}
}

static void records_name_callers(struct ktest *t)
{
	bool was_on = begin(t);
	struct page *p4, *p1;
	unsigned long a, z;
	void *e, *f;

	ASSERT(page_owner_on);
	po_alloc_pages(2, &p4);
	po_alloc_page(&p1);
	po_get_free_pages(1, &a);
	po_zeroed_page(&z);
	po_exact(3 * PAGE_SIZE, &e);
	po_fit(5 * PAGE_SIZE, &f);
	ASSERT(p4 && p1 && a && z && e && f);
	expect_run(t, page_to_pfn(p4), 4, "po_alloc_pages", GFP_KERNEL);
	expect_run(t, page_to_pfn(p1), 1, "po_alloc_page", GFP_KERNEL); /* the order-0 fast path */
	expect_run(t, pfn_of((void *)a), 2, "po_get_free_pages", GFP_KERNEL);
	expect_run(t, pfn_of((void *)z), 1, "po_zeroed_page", GFP_KERNEL | __GFP_ZERO);
	expect_run(t, pfn_of(e), 3, "po_exact", GFP_KERNEL);
	expect_run(t, pfn_of(f), 5, "po_fit", GFP_KERNEL);
	/* Grown in place: the new pages are the run's. */
	if (extend_pages_exact(f, 5, 7, GFP_KERNEL)) {
		expect_run(t, pfn_of(f), 7, "po_fit", GFP_KERNEL);
		free_pages_exact(f, 7 * PAGE_SIZE);
	} else {
		free_pages_exact(f, 5 * PAGE_SIZE);
	}
	__free_pages(p4, 2);
	__free_pages(p1, 0);
	free_pages(a, 1);
	free_pages(z, 0);
	free_pages_exact(e, 3 * PAGE_SIZE);
	end(was_on);
	EXPECT_EQ(page_owner_on, was_on);
}

/* The @nr pages from @pfn were freed by @fn, after @alloc_fn allocated them. */
static void expect_freed(struct ktest *t, unsigned long pfn, unsigned long nr, const char *fn,
			 const char *alloc_fn)
{
	for (unsigned long i = 0; i < nr; i++) {
		const struct page_owner_rec *r = page_owner_rec(mem_node, pfn + i);

		ASSERT(r != NULL);
		if (!named(r->free_caller, fn))
			ktest_fail(t, __FILE__, __LINE__, "pfn 0x%lx freed by 0x%lx, not %s", pfn + i,
				   r->free_caller, fn);
		EXPECT(named(r->caller, alloc_fn));
		EXPECT(r->flags & PO_FREED);
		EXPECT(r->free_ms >= r->when_ms);
		EXPECT(r->free_ms <= (u32)(time_now_us() / 1000));
	}
}

/* Each free entry point notes its caller on the pages it frees (checked
 * right after the free, before anything could take the pages again). */
static void frees_name_freers(struct ktest *t)
{
	bool was_on = begin(t);
	struct page *p1, *p4, *c;
	unsigned long a, pfn;
	int calls = 0, want_calls = 8; /* 9 with the run */
	void *e;

	ASSERT(page_owner_on);
	po_alloc_page(&p1); /* the order-0 fast paths, both ways */
	ASSERT(p1 != NULL);
	pfn = page_to_pfn(p1);
	po_free_pages(p1, 0, &calls);
	expect_freed(t, pfn, 1, "po_free_pages", "po_alloc_page");
	po_alloc_pages(2, &p4);
	ASSERT(p4 != NULL);
	pfn = page_to_pfn(p4);
	po_free_pages(p4, 2, &calls);
	expect_freed(t, pfn, 4, "po_free_pages", "po_alloc_pages");
	po_get_free_pages(1, &a);
	ASSERT(a != 0);
	pfn = pfn_of((void *)a);
	po_free_addr(a, 1, &calls);
	expect_freed(t, pfn, 2, "po_free_addr", "po_get_free_pages");
	po_get_free_pages(0, &a);
	ASSERT(a != 0);
	pfn = pfn_of((void *)a);
	po_free_addr(a, 0, &calls);
	expect_freed(t, pfn, 1, "po_free_addr", "po_get_free_pages");
	po_alloc_page(&p1);
	ASSERT(p1 != NULL);
	get_page(p1); /* a dropped reference frees nothing, notes nothing */
	pfn = page_to_pfn(p1);
	po_put_page(p1, &calls);
	EXPECT(!(page_owner_rec(mem_node, pfn)->flags & PO_FREED));
	po_put_page(p1, &calls);
	expect_freed(t, pfn, 1, "po_put_page", "po_alloc_page");
	po_exact(3 * PAGE_SIZE, &e);
	ASSERT(e != NULL);
	pfn = pfn_of(e);
	/* its tail, given back at once: freed for the caller */
	expect_freed(t, pfn + 3, 1, "po_exact", "alloc_pages_exact");
	po_free_exact(e, 3 * PAGE_SIZE, &calls);
	expect_freed(t, pfn, 3, "po_free_exact", "po_exact");
	/* a max-order block, 2 + 1: a run needs two free max-order blocks in a
	 * row, which a machine of a few MiB (ktest-all's 5 MiB) does not have */
	c = alloc_contig_pages(MAX_ORDER_NR_PAGES + 3, GFP_KERNEL | __GFP_NOWARN, 0);
	want_calls += c != NULL;
	if (c) {
		pfn = page_to_pfn(c);
		po_free_contig(pfn, MAX_ORDER_NR_PAGES + 3, &calls);
		expect_freed(t, pfn, MAX_ORDER_NR_PAGES + 3, "po_free_contig", "frees_name_freers");
	} else {
		EXPECT(nr_free_pages() < 4 * MAX_ORDER_NR_PAGES);
		kprintf("ktest: frees_name_freers: no run of %lu pages here: free_contig_range not checked\n",
			MAX_ORDER_NR_PAGES + 3);
	}
	c = node_alloc_pages(mem_node, GFP_KERNEL, 1);
	ASSERT(c != NULL);
	pfn = page_to_pfn(c);
	po_node_free(c, 1, &calls);
	expect_freed(t, pfn, 2, "po_node_free", "frees_name_freers");
	EXPECT_EQ(calls, want_calls);
	end(was_on);
}

/* A double free's report names who allocated the page, who freed it
 * first, and whose free was refused; a free of another order names the
 * allocation, not yet freed. */
static void double_free_names_first_freer(struct ktest *t)
{
	bool was_on = begin(t);
	unsigned long bad0 = mem_node->nr_bad_pages;
	struct page *p, *p4;
	int calls = 0;

	ASSERT(page_owner_on);
	po_alloc_page(&p);
	ASSERT(p != NULL);
	po_free_pages(p, 0, &calls);
	console_capture_begin(text, sizeof(text));
	po_free_again(p, 0, &calls);
	console_capture_end();
	EXPECT_EQ(mem_node->nr_bad_pages, bad0 + 1);
	EXPECT(strstr(text, "BUG: Bad page state: pfn ") == text);
	EXPECT(strstr(text, ": freeing a free page (double free) (") != NULL);
	EXPECT(strstr(text, ")\npage last allocated by po_alloc_page+0x") != NULL);
	EXPECT(strstr(text, "\npage last freed by po_free_pages+0x") != NULL);
	EXPECT(strstr(text, "\npage freed now by po_free_again+0x") != NULL);
	EXPECT(strstr(text, " (refused)\n") != NULL);
	/* Another order: the allocation named, no free since. */
	po_alloc_pages(2, &p4);
	ASSERT(p4 != NULL);
	console_capture_begin(text, sizeof(text));
	po_free_again(p4, 1, &calls);
	console_capture_end();
	EXPECT_EQ(mem_node->nr_bad_pages, bad0 + 2);
	EXPECT(strstr(text, ": freed with another order than it was allocated with (") != NULL);
	EXPECT(strstr(text, "\npage last allocated by po_alloc_pages+0x") != NULL);
	EXPECT(strstr(text, "\npage last freed by po_free_again") == NULL);
	EXPECT(strstr(text, "\npage freed now by po_free_again+0x") != NULL);
	po_free_pages(p4, 2, &calls);
	EXPECT_EQ(mem_node->nr_bad_pages, bad0 + 2);
	EXPECT_EQ(calls, 4);
	end(was_on);
}

static const struct page_owner_entry *find(const struct page_owner_table *tab, const char *fn)
{
	for (unsigned int i = 0; i < tab->nr; i++)
		if (tab->e[i].type == PGTY_NONE && named(tab->e[i].caller, fn))
			return &tab->e[i];
	return NULL;
}

static void report_counts_owners(struct ktest *t)
{
	static struct page_owner_entry entries[128];
	struct page_owner_table tab = { .e = entries, .max = ARRAY_SIZE(entries) };
	const struct page_owner_entry *en;
	bool was_on = begin(t), seen_cache = false, seen_big = false;
	struct kmem_cache *c = kmem_cache_create("po-test", 1024, 0, SLAB_NOSLOB, NULL);
	struct page *blocks[3];
	void *obj, *e, *big[2];
	unsigned long sum = 0;
	int rc;

	ASSERT(c != NULL);
	for (int i = 0; i < 3; i++)
		po_alloc_pages(1, &blocks[i]);
	po_exact(3 * PAGE_SIZE, &e);
	obj = kmem_cache_alloc(c, GFP_KERNEL);
	/* kmalloc's bigblocks (above its slab classes), counted by the code
	 * that asked kmalloc, not by SLOB's call of the page allocator. */
	po_kmalloc_big(5 * PAGE_SIZE + 100, &big[0]);
	po_kmalloc_big(5 * PAGE_SIZE + 100, &big[1]);
	ASSERT(blocks[0] && blocks[1] && blocks[2] && e && obj && big[0] && big[1]);
	ASSERT(page_owner_collect(mem_node, &tab) == 0);
	en = find(&tab, "po_alloc_pages");
	ASSERT(en != NULL);
	EXPECT_EQ(en->blocks, 3);
	EXPECT_EQ(en->pages, 6);
	en = find(&tab, "po_exact");
	ASSERT(en != NULL);
	EXPECT_EQ(en->blocks, 1);
	EXPECT_EQ(en->pages, 3);
	for (unsigned int i = 0; i < tab.nr; i++) {
		sum += tab.e[i].pages;
		if (i)
			EXPECT(tab.e[i - 1].pages >= tab.e[i].pages); /* largest first */
		if (tab.e[i].type == PGTY_SLAB && tab.e[i].what == c) {
			seen_cache = true;
			EXPECT_EQ(tab.e[i].pages, c->nr_slabs << c->order);
			EXPECT_EQ(tab.e[i].caller, 0);
		}
	}
	EXPECT(seen_cache);
	EXPECT_EQ(sum + tab.dropped, tab.pages);
	for (unsigned int i = 0; i < tab.nr; i++)
		if (tab.e[i].type == PGTY_BIGBLOCK && named(tab.e[i].caller, "po_kmalloc_big")) {
			EXPECT_EQ(tab.e[i].blocks, 2);
			EXPECT_EQ(tab.e[i].pages, 12); /* two of 6 exact pages */
			seen_big = true;
		}
	EXPECT(seen_big);
	/* The command's lines. */
	console_capture_begin(text, sizeof(text));
	rc = page_owner_show(mem_node);
	console_capture_end();
	EXPECT_EQ(rc, 0);
	EXPECT(strstr(text, "       6       3  po_alloc_pages+0x") != NULL);
	EXPECT(strstr(text, " gfp 0x0 age<=") != NULL);
	EXPECT(strstr(text, "  slab po-test\n") != NULL);
	EXPECT(strstr(text, "      12       2  bigblocks of kmalloc by po_kmalloc_big+0x") != NULL);
	for (int i = 0; i < 3; i++)
		__free_pages(blocks[i], 1);
	kfree(big[0]);
	kfree(big[1]);
	free_pages_exact(e, 3 * PAGE_SIZE);
	kmem_cache_free(c, obj);
	kmem_cache_destroy(c);
	ASSERT(page_owner_collect(mem_node, &tab) == 0);
	EXPECT(find(&tab, "po_alloc_pages") == NULL);
	end(was_on);
	if (!was_on) { /* off: the command says how to switch it on */
		console_capture_begin(text, sizeof(text));
		rc = page_owner_show(mem_node);
		console_capture_end();
		EXPECT_EQ(rc, -EINVAL);
		EXPECT_STREQ(text, "page_owner: off (boot with page_owner=on)\n");
	}
}

KTEST_SUITE(page_owner, KTEST_CASE(records_name_callers), KTEST_CASE(frees_name_freers),
	    KTEST_CASE(double_free_names_first_freer), KTEST_CASE(report_counts_owners));
