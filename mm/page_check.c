/*
 * page_check.c - the buddy allocator's consistency checker (node_check).
 *
 * It proves, for every zone, the invariants page_alloc.c relies on (listed
 * at node_check in mmzone.h), in three passes under the zone's locks:
 *   1. every block on every free list and every block on every per-hart
 *      list is checked and its pages marked PG_checked (a page met twice is
 *      on two lists or in two blocks);
 *   2. every free block's buddy must not also be a free block of its order;
 *   3. every page of the zone: marked ones are unmarked; an unmarked page
 *      must not claim to be free.
 * With pages grouped by use, pass 1 also checks each block's
 * list against its pageblock, and pass 3 that no block of PAGEBLOCK_ORDER
 * or more is allocated in a small-use pageblock.
 * It is O(pages in the zone) and meant for tests and debugging, not for hot
 * paths. Problems are printed (the first few per zone) and counted.
 */
#include <mm/mmzone.h>
#include <mm/percpu.h>

#define MAX_REPORTS 8

struct check {
	struct pglist_data *node;
	struct zone *z;
	int errors;
};

static void problem(struct check *c, unsigned long pfn, const char *what)
{
	if (c->errors++ < MAX_REPORTS)
		kprintf("node_check: zone %s pfn 0x%lx: %s\n", c->z->name, pfn, what);
}

static bool pfn_in_zone(const struct zone *z, unsigned long pfn)
{
	return pfn >= z->zone_start_pfn && pfn < zone_end_pfn(z);
}

/* Pass 1 for one free block; returns false if it cannot be walked. */
static bool check_free_block(struct check *c, struct page *page, unsigned int order)
{
	unsigned long pfn = node_page_to_pfn(c->node, page);
	unsigned long n = 1ul << order;

	if (!(page->flags & PG_buddy) || page_order(page) != order)
		problem(c, pfn, "block on a free list without PG_buddy of that order");
	if (page_zonenum(page) != c->z->id)
		problem(c, pfn, "block on another zone's free list");
	if (!IS_ALIGNED(pfn, n))
		problem(c, pfn, "free block not aligned to its order");
	if (!pfn_in_zone(c->z, pfn) || !pfn_in_zone(c->z, pfn + n - 1) ||
	    !node_pfn_valid(c->node, pfn + n - 1)) {
		problem(c, pfn, "free block outside its zone or its memory");
		return false;
	}
	for (unsigned long i = 0; i < n; i++) {
		if (page[i].flags & PG_checked)
			problem(c, pfn + i, "page in two free blocks or lists");
		if (page[i].flags & (PG_reserved | PG_head | PG_pcp))
			problem(c, pfn + i, "free block holds a reserved or allocated page");
		if (page[i].refcount != 0)
			problem(c, pfn + i, "free page with a reference count");
		if (i && (page[i].flags & PG_buddy))
			problem(c, pfn + i, "PG_buddy inside a free block");
		page[i].flags |= PG_checked;
	}
	return true;
}

/* Grouping by use: a block of a small-use pageblock is on its order's
 * small_list with PG_small, any other on free_list without it, and no
 * free block of PAGEBLOCK_ORDER or more covers a small-use pageblock
 * (mm/page_alloc.c, "Grouping by use"). */
static bool in_small_pageblock(const struct check *c, unsigned long pfn)
{
	return pageblock_small(node_pfn_section(c->node, pfn), pfn);
}

static void check_block_use(struct check *c, struct page *page, unsigned int order, bool small_list)
{
	unsigned long pfn = node_page_to_pfn(c->node, page);
	bool small = false;

	for (unsigned long p = pfn; p < pfn + (1ul << order); p += PAGEBLOCK_NR_PAGES)
		small |= in_small_pageblock(c, p);
	if (small_list && (order >= PAGEBLOCK_ORDER || !small))
		problem(c, pfn, "block on a small list outside a small-use pageblock");
	if (!small_list && small)
		problem(c, pfn, "block on a general free list in a small-use pageblock");
	if (!!(page->flags & PG_small) != small_list)
		problem(c, pfn, "free block's PG_small differs from its list");
}

/* Pass 1 for one list of order @o (@small: a small_list); its blocks
 * are counted in *n. Returns the pages of those that could be walked. */
static unsigned long check_list(struct check *c, struct list_head *list, unsigned int o, bool small,
				unsigned long *n)
{
	unsigned long pages = 0;
	struct list_head *pos;

	list_for_each(pos, list) {
		struct page *page = list_entry(pos, struct page, lru);

		if (++*n > c->z->spanned_pages) {
			problem(c, 0, "free list loops");
			break;
		}
		check_block_use(c, page, o, small);
		if (check_free_block(c, page, o))
			pages += 1ul << o;
	}
	return pages;
}

static void check_free_lists(struct check *c)
{
	unsigned long pages = 0;

	for (unsigned int o = 0; o < MAX_ORDER; o++) {
		struct free_area *area = &c->z->free_area[o];
		unsigned long n = 0;

		pages += check_list(c, &area->free_list, o, false, &n);
		if (o < PAGEBLOCK_ORDER)
			pages += check_list(c, &c->z->small_list[o], o, true, &n);
		if (n != area->nr_free)
			problem(c, o, "nr_free differs from the blocks on the list (pfn = order)");
	}
	if (pages != c->z->free_pages)
		problem(c, pages, "free_pages differs from the pages on the free lists (pfn = counted)");
}

/* A block of @order on a per-hart list: its head PG_pcp and the order
 * only, aligned, in the zone, its other pages in no state, none on another
 * list (marked PG_checked for pass 3). */
static void check_pcp_block(struct check *c, struct page *page, unsigned int order)
{
	unsigned long pfn = node_page_to_pfn(c->node, page), n = 1ul << order;

	if ((page->flags & (PG_pcp | PG_buddy | PG_head | PG_reserved)) != PG_pcp ||
	    page_order(page) != order)
		problem(c, pfn, "per-hart list block not marked PG_pcp of its order only");
	if (!IS_ALIGNED(pfn, n))
		problem(c, pfn, "per-hart list block not aligned to its order");
	if (page_zonenum(page) != c->z->id || !pfn_in_zone(c->z, pfn) ||
	    !pfn_in_zone(c->z, pfn + n - 1) || !node_pfn_valid(c->node, pfn + n - 1)) {
		problem(c, pfn, "per-hart list block from another zone");
		return;
	}
	for (unsigned long i = 0; i < n; i++) {
		if (page[i].flags & PG_checked)
			problem(c, pfn + i, "page on a per-hart list and elsewhere");
		if (i && (page[i].flags & (PG_pcp | PG_buddy | PG_head | PG_reserved)))
			problem(c, pfn + i, "per-hart list block holds a free, allocated or reserved page");
		if (page[i].refcount != 0)
			problem(c, pfn + i, "per-hart list page with a reference count");
		page[i].flags |= PG_checked;
	}
}

/* The stacks of orders 1 .. PCP_MAX_ORDER and their page count. */
static void check_pcp_hi_lists(struct check *c, struct per_cpu_pages *pcp, int cpu)
{
	long pages = 0;

	for (unsigned int order = 1; order <= PCP_MAX_ORDER; order++) {
		long n = 0;

		for (struct page *page = pcp->hi[order - 1]; page; page = (struct page *)page->lru.next) {
			if (++n > ((pcp->high + pcp->batch) >> order) + 2) {
				problem(c, (unsigned long)cpu, "per-hart list too long or looping (pfn = cpu)");
				break;
			}
			check_pcp_block(c, page, order);
			pages += 1l << order;
		}
	}
	if (pages != pcp->hi_count)
		problem(c, (unsigned long)cpu, "per-hart count of orders above 0 differs from its lists (pfn = cpu)");
}

static void check_pcp_lists(struct check *c)
{
	for (int cpu = 0; cpu < MAX_HARTS; cpu++) {
		struct per_cpu_pages *pcp = &c->z->pcp[cpu];
		long n = 0;

		for (struct page *page = pcp->head; page; page = (struct page *)page->lru.next) {
			if (++n > pcp->high + pcp->batch + 1) {
				problem(c, (unsigned long)cpu, "per-hart list too long or looping (pfn = cpu)");
				break;
			}
			check_pcp_block(c, page, 0);
		}
		if (n != pcp->count)
			problem(c, (unsigned long)cpu, "per-hart count differs from its list (pfn = cpu)");
		check_pcp_hi_lists(c, pcp, cpu);
	}
}

/* Pass 2: a free block whose buddy is free at the same order missed a merge. */
static void check_merged_list(struct check *c, struct list_head *list, unsigned int o)
{
	struct list_head *pos;

	list_for_each(pos, list) {
		struct page *page = list_entry(pos, struct page, lru);
		unsigned long pfn = node_page_to_pfn(c->node, page);
		unsigned long bpfn = pfn ^ (1ul << o);
		struct page *buddy;

		if (!node_pfn_valid(c->node, bpfn) || !pfn_in_zone(c->z, bpfn))
			continue;
		buddy = node_pfn_to_page(c->node, bpfn);
		if ((buddy->flags & PG_buddy) && page_order(buddy) == o)
			problem(c, pfn, "free block and its buddy both free at the same order");
	}
}

static void check_merged(struct check *c)
{
	for (unsigned int o = 0; o < MAX_ORDER - 1; o++) {
		check_merged_list(c, &c->z->free_area[o].free_list, o);
		if (o < PAGEBLOCK_ORDER)
			check_merged_list(c, &c->z->small_list[o], o);
	}
}

/* Pass 3 for one page of the zone. */
static void check_page(struct check *c, unsigned long pfn, struct page *page)
{
	if (page_zonenum(page) != c->z->id)
		problem(c, pfn, "page carries another zone's index");
	if (page->flags & PG_checked) {
		page->flags &= ~PG_checked;
		return;
	}
	if (page->flags & (PG_buddy | PG_small | PG_pcp))
		problem(c, pfn, "page marked free but on no list");
	if ((page->flags & PG_head) && page_order(page) >= PAGEBLOCK_ORDER && in_small_pageblock(c, pfn))
		problem(c, pfn, "block of a pageblock's size or more in a small-use pageblock");
	if ((page->flags & PG_head) && page->refcount <= 0)
		problem(c, pfn, "allocated block without a reference");
}

/* Pass 3: the zone's pages a section's stretch at a time, the holes of
 * its span skipped whole (a zone may span banks far apart: the Icicle
 * Kit's Normal zone spans 62 GiB for its 1 GiB). */
static void check_all_pages(struct check *c)
{
	unsigned long end = zone_end_pfn(c->z);

	for (unsigned long pfn = node_next_valid_pfn(c->node, c->z->zone_start_pfn, end); pfn < end;
	     pfn = node_next_valid_pfn(c->node, pfn, end)) {
		unsigned long stop = MIN(node_pfn_section(c->node, pfn)->end_pfn, end);
		struct page *page = node_pfn_to_page(c->node, pfn);

		for (; pfn < stop; pfn++, page++)
			check_page(c, pfn, page);
	}
}

/* The free_max map (page_alloc.c, lowest_free_run) marks exactly the
 * blocks on the zone's max-order list: a run found there is free. */
static void check_free_max(struct check *c)
{
	const struct zone *z = c->z;
	unsigned long marked = 0;
	struct list_head *pos;

	list_for_each(pos, &z->free_area[MAX_ORDER - 1].free_list) {
		unsigned long pfn = node_page_to_pfn(c->node, list_entry(pos, struct page, lru));

		if (!free_max_at(c->node, pfn))
			problem(c, pfn, "a free max-order block not marked in the free_max map");
	}
	for (unsigned long pfn = ALIGN_UP(z->zone_start_pfn, MAX_ORDER_NR_PAGES);
	     pfn + MAX_ORDER_NR_PAGES <= zone_end_pfn(z); pfn += MAX_ORDER_NR_PAGES)
		marked += free_max_at(c->node, pfn);
	if (marked != z->free_area[MAX_ORDER - 1].nr_free)
		problem(c, 0, "the free_max map marks blocks that are not free max-order blocks");
}

#ifdef HOST
/* Every kept big block (host ports, page_alloc.c "Releases") is a free
 * block of its order in the zone, listed once: a release then never
 * reaches pages in use. */
static void check_kept(struct check *c)
{
	const struct zone *z = c->z;
	unsigned long bytes = 0;

	for (unsigned int i = 0; i < ZONE_KEPT; i++) {
		unsigned long pfn = KEPT_PFN(z->kept[i]);
		unsigned int order = KEPT_ORDER(z->kept[i]);
		const struct page *page;

		if (i >= z->kept_n) {
			if (z->kept[i])
				problem(c, 0, "the kept big blocks are not their count (kept_n) of entries");
			continue;
		}
		bytes += PAGE_SIZE << order;
		if (order < PORT_RELEASE_MIN_ORDER || order >= MAX_ORDER || !pfn_in_zone(z, pfn) ||
		    !node_pfn_valid(c->node, pfn)) {
			problem(c, pfn, "a kept big block's entry names no block of the zone");
			continue;
		}
		page = node_pfn_to_page(c->node, pfn);
		if ((page->flags & (PG_buddy | PAGE_ORDER_MASK)) != (PG_buddy | ((u32)order << PAGE_ORDER_SHIFT)))
			problem(c, pfn, "a kept big block is not a free block of its order (a release would "
					"reach pages in use)");
		for (unsigned int j = 0; j < i; j++)
			if (z->kept[j] == z->kept[i])
				problem(c, pfn, "a big block kept twice");
	}
	if (z->kept_n > ZONE_KEPT || bytes != z->kept_bytes)
		problem(c, 0, "the kept big blocks' count or bytes do not match their entries");
}
#endif

static int check_zone(struct pglist_data *node, struct zone *z)
{
	struct check c = { node, z, 0 };
	unsigned long flags;

	if (!z->pcp)
		return 0;
	flags = irq_save();
	for (int cpu = 0; cpu < MAX_HARTS; cpu++)
		spin_lock(&z->pcp[cpu].lock);
	spin_lock(&z->lock);
	check_free_lists(&c);
	check_pcp_lists(&c);
	check_merged(&c);
	check_all_pages(&c);
	check_free_max(&c);
#ifdef HOST
	check_kept(&c);
#endif
	spin_unlock(&z->lock);
	for (int cpu = MAX_HARTS - 1; cpu >= 0; cpu--)
		spin_unlock(&z->pcp[cpu].lock);
	irq_restore(flags);
	if (c.errors > MAX_REPORTS)
		kprintf("node_check: zone %s: %d more problems\n", z->name, c.errors - MAX_REPORTS);
	return c.errors;
}

int node_check(struct pglist_data *node)
{
	int errors = 0;

	for (int zi = 0; zi < MAX_NR_ZONES; zi++)
		errors += check_zone(node, &node->zones[zi]);
	return errors;
}
