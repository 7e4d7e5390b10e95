/*
 * page_alloc.c - the buddy page allocator with per-hart order-0 lists.
 *
 * Data structures. Each zone keeps free_area[0..MAX_ORDER-1]: a list of free
 * blocks of 2^order pages, naturally aligned (a block's first pfn is a
 * multiple of its size). Only a free block's first page is on the list; it
 * carries PG_buddy and the order in page->flags. zone->free_pages counts the
 * pages on the lists. An allocated block's first page carries PG_head, its
 * order and a reference count; its other pages carry nothing.
 *
 * Allocation of order n takes the first block of the smallest non-empty
 * order >= n and splits it: the upper half goes back one order lower until
 * the block is 2^n pages. Freeing merges the block with its buddy (pfn ^ 2^n)
 * while the buddy is a free block of the same order in the same zone, then
 * lists the result. A buddy outside the section's pfns, in another zone, or
 * reserved never merges, so holes and zone boundaries need no special case.
 * Both are O(MAX_ORDER) under the zone lock.
 *
 * Per-hart lists. Order-0 requests and frees go to zone->pcp[this hart]: a
 * stack of free pages refilled from (and drained to) the buddy lists
 * `batch` pages at a time, drained when it holds more than `high`. The fast
 * path masks interrupts on its own hart and takes only that list's lock,
 * which nothing else touches except a drain (node_drain_pages), so it is
 * never contended in the common case. Lock order: pcp lock, then zone lock.
 *
 * Zones and watermarks. A request's zone modifiers name the highest zone it
 * may use (gfp.h); it tries that zone and then each lower one. A zone gives
 * pages only while it keeps more than its min watermark free, plus
 * lowmem_reserve pages when the request could have used a higher zone;
 * __GFP_HIGH (GFP_ATOMIC) may go down to half of min. When every zone
 * refuses, the per-hart lists are drained and the zones tried again; then
 * the request fails with NULL and, once per order unless __GFP_NOWARN, a
 * warning with the free counts.
 *
 * Bad frees (a free page, a reserved page, a page that is not the head of
 * a block of that order, a dropped reference too many) are reported with
 * the pfn and reason by bad_page() and change nothing.
 */
#include <kstring.h>
#include <mmzone.h>
#include <percpu.h>

struct pglist_data contig_page_data;
struct pglist_data *mem_node = &contig_page_data;

const char *const zone_names[MAX_NR_ZONES] = { "DMA", "DMA32", "Normal" };

#define FREE_STATE_MASK (PG_buddy | PG_pcp | PG_head | PAGE_ORDER_MASK | PAGE_TYPE_MASK)

static inline struct zone *page_zone(struct pglist_data *node, const struct page *page)
{
	return &node->zones[page_zonenum(page)];
}

static inline u32 order_bits(unsigned int order)
{
	return (u32)order << PAGE_ORDER_SHIFT;
}

/* --- free lists (zone->lock held) --------------------------------------- */

static void add_to_free_area(struct zone *z, struct page *page, unsigned int order)
{
	page->flags = (page->flags & ~FREE_STATE_MASK) | PG_buddy | order_bits(order);
	list_add(&page->lru, &z->free_area[order].free_list);
	z->free_area[order].nr_free++;
}

static void del_from_free_area(struct zone *z, struct page *page, unsigned int order)
{
	list_del(&page->lru);
	page->flags &= ~(PG_buddy | PAGE_ORDER_MASK);
	z->free_area[order].nr_free--;
}

/*
 * Put the free block (page, pfn, order) on the lists, merging it with its
 * buddies. The block's pages must carry no allocation state. The buddy of
 * a block lies in the same section (blocks are smaller than sections), so
 * the section's pfn range says whether it has a struct page.
 */
static void free_one_block(struct zone *z, struct page *page, unsigned long pfn,
			   unsigned int order)
{
	const struct mem_section *ms = node_pfn_section(z->node, pfn);
	u32 zone_bits = (u32)z->id << PAGE_ZONE_SHIFT;

	while (order < MAX_ORDER - 1) {
		unsigned long buddy_pfn = pfn ^ (1ul << order);
		struct page *buddy;

		if (buddy_pfn < ms->start_pfn || buddy_pfn >= ms->end_pfn)
			break;
		buddy = page + ((long)buddy_pfn - (long)pfn);
		if ((buddy->flags & (PG_buddy | PAGE_ORDER_MASK | PAGE_ZONE_MASK)) !=
		    (PG_buddy | order_bits(order) | zone_bits))
			break;
		del_from_free_area(z, buddy, order);
		if (buddy_pfn < pfn) {
			page = buddy;
			pfn = buddy_pfn;
		}
		order++;
	}
	add_to_free_area(z, page, order);
}

/* Split the 2^high block at page down to 2^low, listing the upper halves. */
static void expand(struct zone *z, struct page *page, unsigned int low, unsigned int high)
{
	unsigned long size = 1ul << high;

	while (high > low) {
		high--;
		size >>= 1;
		add_to_free_area(z, page + size, high);
	}
}

static struct page *rmqueue_smallest(struct zone *z, unsigned int order)
{
	for (unsigned int o = order; o < MAX_ORDER; o++) {
		struct free_area *area = &z->free_area[o];
		struct page *page;

		if (list_empty(&area->free_list))
			continue;
		page = list_first_entry(&area->free_list, struct page, lru);
		del_from_free_area(z, page, o);
		expand(z, page, order, o);
		z->free_pages -= 1ul << order;
		return page;
	}
	return NULL;
}

/* Called by node_init for each block of boot memory (pages already cleared
 * of PG_reserved). */
void zone_free_boot_block(struct zone *z, struct page *page, unsigned long pfn, unsigned int order)
{
	unsigned long flags = spin_lock_irqsave(&z->lock);

	free_one_block(z, page, pfn, order);
	z->free_pages += 1ul << order;
	spin_unlock_irqrestore(&z->lock, flags);
}

/* --- watermarks --------------------------------------------------------- */

bool zone_watermark_ok(const struct zone *z, unsigned int order, unsigned long mark,
		       unsigned int highest_zone, gfp_t gfp)
{
	long min = (long)mark;
	long free = (long)z->free_pages - ((1l << order) - 1);

	if (gfp & __GFP_HIGH)
		min -= min / 2;
	if (free <= min + (long)z->lowmem_reserve[highest_zone])
		return false;
	for (unsigned int o = order; o < MAX_ORDER; o++)
		if (z->free_area[o].nr_free)
			return true;
	return false;
}

static struct page *zone_alloc(struct zone *z, unsigned int order, unsigned int highest, gfp_t gfp)
{
	unsigned long flags = spin_lock_irqsave(&z->lock);
	struct page *page = NULL;

	if (zone_watermark_ok(z, order, z->watermark[WMARK_MIN], highest, gfp))
		page = rmqueue_smallest(z, order);
	spin_unlock_irqrestore(&z->lock, flags);
	return page;
}

/* --- per-hart lists ----------------------------------------------------- */

/* Move up to pcp->batch pages from the buddy lists; pcp->lock held. */
static int pcp_refill(struct zone *z, struct per_cpu_pages *pcp, unsigned int highest, gfp_t gfp)
{
	int n = 0;

	spin_lock(&z->lock);
	while (n < pcp->batch &&
	       zone_watermark_ok(z, 0, z->watermark[WMARK_MIN], highest, gfp)) {
		struct page *page = rmqueue_smallest(z, 0);

		page->flags |= PG_pcp;
		list_add_tail(&page->lru, &pcp->list);
		n++;
	}
	spin_unlock(&z->lock);
	pcp->count += n;
	pcp->nr_refill++;
	return n;
}

/* Return the @n coldest pages of the list to the buddy lists; pcp->lock held. */
static void pcp_drain(struct zone *z, struct per_cpu_pages *pcp, int n)
{
	spin_lock(&z->lock);
	while (n-- > 0 && !list_empty(&pcp->list)) {
		struct page *page = list_entry(pcp->list.prev, struct page, lru);

		list_del(&page->lru);
		page->flags &= ~PG_pcp;
		free_one_block(z, page, node_page_to_pfn(z->node, page), 0);
		z->free_pages++;
		pcp->count--;
	}
	spin_unlock(&z->lock);
	pcp->nr_drain++;
}

static struct page *pcp_alloc(struct zone *z, unsigned int highest, gfp_t gfp)
{
	unsigned long flags = irq_save();
	struct per_cpu_pages *pcp = &z->pcp[this_cpu()];
	struct page *page = NULL;

	spin_lock(&pcp->lock);
	if (likely(pcp->count) || pcp_refill(z, pcp, highest, gfp)) {
		page = list_first_entry(&pcp->list, struct page, lru);
		list_del(&page->lru);
		pcp->count--;
		pcp->nr_alloc++;
	}
	spin_unlock(&pcp->lock);
	irq_restore(flags);
	return page;
}

static void pcp_free(struct zone *z, struct page *page)
{
	unsigned long flags = irq_save();
	struct per_cpu_pages *pcp = &z->pcp[this_cpu()];

	spin_lock(&pcp->lock);
	page->flags = (page->flags & ~FREE_STATE_MASK) | PG_pcp;
	list_add(&page->lru, &pcp->list);
	pcp->nr_free++;
	if (unlikely(++pcp->count > pcp->high))
		pcp_drain(z, pcp, pcp->batch);
	spin_unlock(&pcp->lock);
	irq_restore(flags);
}

void node_drain_pages(struct pglist_data *node)
{
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		struct zone *z = &node->zones[zi];

		if (!z->pcp)
			continue;
		for (int cpu = 0; cpu < MAX_HARTS; cpu++) {
			struct per_cpu_pages *pcp = &z->pcp[cpu];
			unsigned long flags = spin_lock_irqsave(&pcp->lock);

			pcp_drain(z, pcp, pcp->count);
			spin_unlock_irqrestore(&pcp->lock, flags);
		}
	}
}

unsigned long zone_pcp_count(const struct zone *z)
{
	unsigned long n = 0;

	if (z->pcp)
		for (int cpu = 0; cpu < MAX_HARTS; cpu++)
			n += (unsigned long)__atomic_load_n(&z->pcp[cpu].count, __ATOMIC_RELAXED);
	return n;
}

unsigned long node_free_pages_count(const struct pglist_data *node)
{
	unsigned long n = 0;

	for (int zi = 0; zi < MAX_NR_ZONES; zi++)
		n += node->zones[zi].free_pages + zone_pcp_count(&node->zones[zi]);
	return n;
}

/* --- allocation --------------------------------------------------------- */

static unsigned int gfp_highest_zone(gfp_t gfp)
{
	if (gfp & __GFP_DMA)
		return ZONE_DMA;
	if (gfp & __GFP_DMA32)
		return ZONE_DMA32;
	return ZONE_NORMAL;
}

static struct page *prep_new_page(struct page *page, unsigned int order, gfp_t gfp)
{
	page->flags = (page->flags & ~FREE_STATE_MASK) | PG_head | order_bits(order);
	page->refcount = 1;
	page->private = 0;
	if (gfp & __GFP_ZERO)
		memset(page_address(page), 0, PAGE_SIZE << order);
	return page;
}

static struct page *try_zonelist(struct pglist_data *node, gfp_t gfp, unsigned int order)
{
	unsigned int highest = gfp_highest_zone(gfp);
	struct zone *const *zl = node->zonelist[highest];
	struct zone *z;

	for (; (z = *zl) != NULL; zl++) {
		struct page *page = order ? zone_alloc(z, order, highest, gfp)
					  : pcp_alloc(z, highest, gfp);
		if (page)
			return page;
	}
	return NULL;
}

static void warn_alloc_failure(struct pglist_data *node, gfp_t gfp, unsigned int order)
{
	u32 bit = 1u << order;

	for (int zi = 0; zi < MAX_NR_ZONES; zi++)
		if (populated_zone(&node->zones[zi]))
			node->zones[zi].nr_alloc_fail++;
	if ((gfp & __GFP_NOWARN) || (__atomic_fetch_or(&node->warned_orders, bit, __ATOMIC_RELAXED) & bit))
		return;
	kprintf("page allocation failure: order:%u, mode:0x%x, free pages (first failure of this order):",
		order, gfp);
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = &node->zones[zi];

		if (populated_zone(z))
			kprintf(" %s %lu+%lu min %lu", z->name, z->free_pages, zone_pcp_count(z),
				z->watermark[WMARK_MIN]);
	}
	kprintf("\n");
}

struct page *node_alloc_pages(struct pglist_data *node, gfp_t gfp, unsigned int order)
{
	struct page *page;

	if (unlikely(order >= MAX_ORDER)) {
		if (!(gfp & __GFP_NOWARN))
			kprintf("page allocation: order %u is above the largest (%d)\n", order,
				MAX_ORDER - 1);
		return NULL;
	}
	page = try_zonelist(node, gfp, order);
	if (unlikely(!page)) {
		/* Free pages may sit on other harts' lists: pull them back. */
		node_drain_pages(node);
		page = try_zonelist(node, gfp, order);
		if (!page) {
			warn_alloc_failure(node, gfp, order);
			return NULL;
		}
	}
	return prep_new_page(page, order, gfp);
}

/* --- freeing ------------------------------------------------------------ */

static void bad_page(struct pglist_data *node, struct page *page, const char *reason,
		     unsigned int order)
{
	node->nr_bad_pages++;
	node->last_bad_reason = reason;
	kprintf("BUG: Bad page state: pfn 0x%lx: %s (flags 0x%x, refcount %d, order %u, freed as order %u)\n",
		node_page_to_pfn(node, page), reason, page->flags, page->refcount, page_order(page),
		order);
}

/* The reason freeing (page, order) is wrong, or NULL when it is right. */
static const char *free_check(const struct page *page, unsigned int order)
{
	u32 f = page->flags;

	if (f & PG_reserved)
		return "freeing a reserved page";
	if (f & (PG_buddy | PG_pcp))
		return "freeing a free page (double free)";
	if (!(f & PG_head))
		return "not the head of an allocated block";
	if (page_order(page) != order)
		return "freed with another order than it was allocated with";
	if (page->refcount <= 0)
		return "reference count already zero";
	return NULL;
}

void node_free_pages(struct pglist_data *node, struct page *page, unsigned int order)
{
	const char *bad = order < MAX_ORDER ? free_check(page, order) : "order out of range";
	struct zone *z;

	if (unlikely(bad)) {
		bad_page(node, page, bad, order);
		return;
	}
	if (__atomic_sub_fetch(&page->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	z = page_zone(node, page);
	if (likely(order == 0)) {
		pcp_free(z, page);
	} else {
		unsigned long flags = spin_lock_irqsave(&z->lock);

		free_one_block(z, page, node_page_to_pfn(node, page), order);
		z->free_pages += 1ul << order;
		spin_unlock_irqrestore(&z->lock, flags);
	}
}

/* --- the global API (mem_node) ------------------------------------------ */

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	return node_alloc_pages(mem_node, gfp, order);
}

struct page *alloc_page(gfp_t gfp)
{
	return node_alloc_pages(mem_node, gfp, 0);
}

void __free_pages(struct page *page, unsigned int order)
{
	node_free_pages(mem_node, page, order);
}

unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = node_alloc_pages(mem_node, gfp, order);

	return page ? (unsigned long)page_address(page) : 0;
}

unsigned long __get_free_page(gfp_t gfp)
{
	return __get_free_pages(gfp, 0);
}

unsigned long get_zeroed_page(gfp_t gfp)
{
	return __get_free_pages(gfp | __GFP_ZERO, 0);
}

void free_pages(unsigned long addr, unsigned int order)
{
	struct page *page;

	if (!addr)
		return;
	page = virt_to_page((const void *)addr);
	if (!page || (addr & (PAGE_SIZE - 1))) {
		mem_node->nr_bad_pages++;
		mem_node->last_bad_reason = "free_pages of an address that is not a page of RAM";
		kprintf("BUG: free_pages(0x%lx, %u): not the address of a page of RAM\n", addr, order);
		return;
	}
	node_free_pages(mem_node, page, order);
}

void free_page(unsigned long addr)
{
	free_pages(addr, 0);
}

void get_page(struct page *page)
{
	if (WARN_ON(!(page->flags & PG_head) || page->refcount <= 0))
		return;
	__atomic_add_fetch(&page->refcount, 1, __ATOMIC_RELAXED);
}

void put_page(struct page *page)
{
	node_free_pages(mem_node, page, page_order(page));
}

unsigned long nr_free_pages(void)
{
	return node_free_pages_count(mem_node);
}
