/*
 * page_owner_test.c - page_owner (mm/page_owner.c) on the running kernel:
 * every entry point of the page allocator records the code that called it
 * (not a wrapper of its own), on every page of the allocation, the order-0
 * fast path included; a run grown in place keeps its owner; the report
 * counts untyped pages by caller and typed ones by their cache; and the
 * console command prints it, or says why not.
 *
 * A case switches recording on for itself when the boot did not
 * (page_owner=on) and off again at its end, so the suite runs in every
 * ktest run; the other harts are idle meanwhile.
 */
#include <drivers/console.h>
#include <lib/kstring.h>
#include <mm/mmzone.h>
#include <mm/page_owner.h>
#include <mm/port.h>
#include <mm/slab.h>
#include <tests/ktest.h>

static char text[4096];

/* Each asks from a function of its own, so the records must name it. (The
 * result goes out through a pointer: a function that tail-calls the
 * allocator leaves no return address of its own, here as in Linux.) */
static __attribute__((noinline, noclone)) void po_alloc_pages(unsigned int order, struct page **out)
{
	*out = alloc_pages(GFP_KERNEL, order);
}

static __attribute__((noinline, noclone)) void po_alloc_page(struct page **out)
{
	*out = alloc_page(GFP_KERNEL);
}

static __attribute__((noinline, noclone)) void po_get_free_pages(unsigned int order, unsigned long *out)
{
	*out = __get_free_pages(GFP_KERNEL, order);
}

static __attribute__((noinline, noclone)) void po_zeroed_page(unsigned long *out)
{
	*out = get_zeroed_page(GFP_KERNEL);
}

static __attribute__((noinline, noclone)) void po_exact(size_t size, void **out)
{
	*out = alloc_pages_exact(size, GFP_KERNEL);
}

static __attribute__((noinline, noclone)) void po_fit(size_t size, void **out)
{
	*out = alloc_pages_fit(size, GFP_KERNEL);
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
	bool was_on = begin(t), seen_cache = false;
	struct kmem_cache *c = kmem_cache_create("po-test", 1024, 0, SLAB_NOSLOB, NULL);
	struct page *blocks[3];
	void *obj, *e;
	unsigned long sum = 0;
	int rc;

	ASSERT(c != NULL);
	for (int i = 0; i < 3; i++)
		po_alloc_pages(1, &blocks[i]);
	po_exact(3 * PAGE_SIZE, &e);
	obj = kmem_cache_alloc(c, GFP_KERNEL);
	ASSERT(blocks[0] && blocks[1] && blocks[2] && e && obj);
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
	/* The command's lines. */
	console_capture_begin(text, sizeof(text));
	rc = page_owner_show(mem_node);
	console_capture_end();
	EXPECT_EQ(rc, 0);
	EXPECT(strstr(text, "       6       3  po_alloc_pages+0x") != NULL);
	EXPECT(strstr(text, " gfp 0x0 age<=") != NULL);
	EXPECT(strstr(text, "  slab po-test\n") != NULL);
	for (int i = 0; i < 3; i++)
		__free_pages(blocks[i], 1);
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

KTEST_SUITE(page_owner, KTEST_CASE(records_name_callers), KTEST_CASE(report_counts_owners));
