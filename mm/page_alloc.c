/*
 * page_alloc.c - the buddy page allocator with per-hart lists.
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
 * stack of free pages (PG_pcp) refilled from (and drained to) the buddy lists
 * `batch` pages at a time, drained when it holds more than `high`. The fast
 * path masks interrupts on its own hart and takes only that list's lock,
 * which nothing else touches except a drain (node_drain_pages), so it is
 * never contended in the common case. Lock order: pcp lock, then zone lock.
 * Orders 1 to PCP_MAX_ORDER (3) have a stack each beside it (pcp_hi_*:
 * refilled with max(batch >> order, 1) blocks, drained to high - batch
 * pages when a free leaves more than high on them), with fast paths of
 * their own beside order 0's; requests for runs (__GFP_RUN) bypass them.
 *
 * Zones and watermarks. A request's zone modifiers name the highest zone it
 * may use (gfp.h); it tries that zone and then each lower one. A zone gives
 * pages only while it keeps more than its min watermark free, plus
 * lowmem_reserve pages when the request could have used a higher zone;
 * __GFP_HIGH may go down to half of min and __GFP_ATOMIC a quarter below
 * that (Linux's ALLOC_HIGH and ALLOC_HARDER: GFP_ATOMIC's floor is 3/8 of
 * min). Taking pages from the buddy lists (a per-hart refill or a higher
 * order) that leaves a zone below its low watermark wakes background
 * reclaim (mm/reclaim.c); the per-hart fast paths never look. When every
 * zone refuses, the per-hart lists are drained and the zones tried again;
 * then, unless the gfp forbids direct reclaim (GFP_NOWAIT, GFP_ATOMIC),
 * rounds of direct reclaim (the shrinkers; for __GFP_NOFAIL also the other
 * harts asked to empty their magazines) and retries follow as the gfp says (__GFP_NORETRY: one round;
 * by default and with __GFP_RETRY_MAYFAIL: while a round gives pages back,
 * at most MAX_RECLAIM_RETRIES; __GFP_NOFAIL: until it succeeds, or a panic
 * when NOFAIL_ROUNDS rounds in a row gave nothing back, NOFAIL_WAIT_ROUNDS
 * while other harts still owe a drain); then the request
 * fails with NULL and, once per order unless __GFP_NOWARN, a warning with
 * the free counts.
 *
 * Grouping by use (as Linux groups pages by mobility): on in the kernel
 * unless booted with page_grouping=off, on the host when the port sets
 * port_group_pages_by_use (the malloc library). Memory is cut
 * into pageblocks of 2^PAGEBLOCK_ORDER pages (512 KiB), each either
 * general or kept for small allocations (a bit per pageblock in its
 * mem_section). Small requests (below PAGEBLOCK_ORDER, without __GFP_RUN:
 * the per-hart lists' pages, slabs; SLOB's pages) take the free blocks of
 * small-use pageblocks first, then claim a whole free pageblock, and only
 * when none is free fall back to a general block. Runs and bigblocks
 * (alloc_pages_fit, alloc_contig_pages, alloc_pages_exact, growing in
 * place, and the alloc_pages calls of SLOB's bigblocks, which pass
 * __GFP_RUN) and blocks of PAGEBLOCK_ORDER or more take general blocks
 * only (in the kernel, when none is left, a small-use block below
 * PAGEBLOCK_ORDER as a last resort: rmqueue). So the holes a buffer that
 * moves as it grows leaves between its runs are not filled by slab pages,
 * which kept them from merging back
 * (bash appending to a string beside 200,000 array elements: 75 MB, now
 * 20; docs/malloc.md), and long-lived slab objects pin a few small-use
 * pageblocks instead of 2 MiB blocks all over memory (bench page_group:
 * 60 of 61 free 2 MiB blocks left after a kmalloc churn with 3% of its
 * small objects kept, 45 without; docs/benchmarks.md). The invariant
 * (checked by node_check):
 *   - a free block below PAGEBLOCK_ORDER of a small-use pageblock is on
 *     zone->small_list[order] with PG_small; every other free block is
 *     on free_area[order].free_list without it;
 *   - no free block of PAGEBLOCK_ORDER or more lies in a small-use
 *     pageblock: a pageblock whose pages all come free merges whole and is
 *     general again (free_one_block), so a small-use pageblock always holds
 *     an allocated or per-hart page;
 *   - a small-use pageblock holds no allocated block of PAGEBLOCK_ORDER or
 *     more, and the stretch walks of runs (free_order) never see its free
 *     blocks, so a run never takes its pages.
 * Merging needs no test: buddies below PAGEBLOCK_ORDER share a pageblock.
 * Which list a freed block goes on is a shift and a bit test in the
 * section free_one_block already holds; the pieces of a split take it from
 * the block split, and a run's tail pieces are general (hand_out_run).
 * nr_free counts both lists. The per-hart fast paths never look: only
 * refills, drains and the zone-locked paths pay for it (bench page_alloc:
 * an order-3 pair 346 -> 371 instructions, docs/benchmarks.md).
 *
 * page_owner (mm/page_owner.c). With page_owner on, each entry point
 * notes its caller on the pages it hands out (alloc_pages_current_owned and
 * the wrappers' note_owner) and on the pages it frees (free_pages_owned,
 * the free_*_owned variants; free_checked notes after its checks), and
 * bind_cpus routes the per-hart fast paths to the slow paths (frees
 * through owner_free_pcp); off, the fast paths are unchanged and the slow
 * entry points pay one test of page_owner_on (bench page_alloc: order 0
 * 59, order 3 371 -> 375 and order 9 415 -> 419 when frees came in: the
 * test and free_pages_slow's jump to its body). init_on_alloc= and
 * init_on_free= (include/mm/meminit.h) take the same routes, which zero:
 * allocs_routed and frees_routed test both (order 3 373 -> 382).
 *
 * Bad frees (a free page, a reserved page, a page that is not the head of
 * a block of that order, a dropped reference too many) are reported with
 * the pfn and reason by bad_page() and change nothing; with page_owner on,
 * followed by who last allocated and who last freed the page.
 */
#include <lib/cmdline.h>
#include <mm/fault_inject.h>
#include <mm/kasan.h>
#include <lib/kstring.h>
#include <mm/meminit.h>
#include <mm/mmzone.h>
#include <mm/page_owner.h>
#include <mm/percpu.h>
#include <mm/reclaim.h>
#include "internal.h"

/* Direct reclaim rounds (Linux's MAX_RECLAIM_RETRIES) while they make
 * progress; rounds in a row without progress before __GFP_NOFAIL gives up
 * with a panic (other harts' drains are asynchronous: give them time). */
#define MAX_RECLAIM_RETRIES 16
#define NOFAIL_ROUNDS 1024
/* ... while drains asked of other harts are outstanding: they answer when
 * they next tick or reclaim, which may take a while on a busy machine. */
#define NOFAIL_WAIT_ROUNDS (1u << 22)

struct pglist_data contig_page_data;
struct pglist_data *mem_node = &contig_page_data;

/*
 * Grouping by use is compiled into every build; whether small requests are
 * kept apart is groups_small_requests(): the port's
 * port_group_pages_by_use on the host (the malloc library sets it), the
 * boot parameter page_grouping=on|off in the kernel. Off, small requests
 * take general blocks (rmqueue_smallest) as every other request does, and
 * no pageblock becomes small-use; the lists and pageblock bits stay as
 * they are, so it may be switched at any time (the invariant holds either
 * way: a small-use pageblock left behind turns general when it comes free).
 */
#ifndef HOST
bool port_group_pages_by_use = true;

static int page_grouping_param(const char *value)
{
	return parse_on_off(value, &port_group_pages_by_use);
}
KPARAM("page_grouping", page_grouping_param,
       "page_grouping=on|off  keep slab, SLOB and per-hart pages in 512 KiB pageblocks of their own "
       "(grouping by use; default on)");
#endif

static inline bool groups_small_requests(void)
{
	return port_group_pages_by_use;
}

/* The list of z's free blocks of @order (below PAGEBLOCK_ORDER) in
 * small-use pageblocks. */
static inline struct list_head *small_list(struct zone *z, unsigned int order)
{
	return &z->small_list[order];
}

/* Mark @pfn's pageblock (in section @ms) kept for small allocations, or
 * general again. */
static inline void set_pageblock_small(struct mem_section *ms, unsigned long pfn, bool small)
{
	unsigned long i = pageblock_index(pfn);

	if (small)
		ms->small_pageblocks[PAGEBLOCK_WORD(i)] |= PAGEBLOCK_MASK(i);
	else
		ms->small_pageblocks[PAGEBLOCK_WORD(i)] &= ~PAGEBLOCK_MASK(i);
}

#define FREE_STATE_MASK (PG_buddy | PG_small | PG_pcp | PG_head | PAGE_ORDER_MASK | PAGE_TYPE_MASK)

static inline struct zone *page_zone(struct pglist_data *node, const struct page *page)
{
	return &node->zones[page_zonenum(page)];
}

static inline u32 order_bits(unsigned int order)
{
	return (u32)order << PAGE_ORDER_SHIFT;
}

/* --- free lists (zone->lock held) --------------------------------------- */

/* PG_small for a free block of @order at @pfn (in section @ms) when it lies
 * in a small-use pageblock, else 0. */
static inline u32 free_block_small(const struct mem_section *ms, unsigned long pfn, unsigned int order)
{
	return order < PAGEBLOCK_ORDER && pageblock_small(ms, pfn) ? PG_small : 0;
}

/* Note in the node's free_max map that the max-order block at @page is
 * now listed free (@free) or not. (Out of line: inlined into the list
 * functions it cost an order-9 pair 48 instructions, called 29.) */
static __attribute__((noinline)) void free_max_mark(const struct zone *z, const struct page *page, bool free)
{
	const struct pglist_data *node = z->node;
	/* (sections start at multiples of PAGES_PER_SECTION: a pfn's low
	 * bits place it in its section) */
	u32 *w = &node->free_max[page_section(page)];
	u32 bit = 1u << ((node_page_to_pfn(node, page) >> (MAX_ORDER - 1)) & 31);

	*w = free ? *w | bit : *w & ~bit;
}

/* List a free block: @small (PG_small or 0, as free_block_small says for
 * it; the caller knows its pageblock) puts it on its order's small_list
 * with PG_small, else it goes on free_list. */
static void add_to_free_area(struct zone *z, struct page *page, unsigned int order, u32 small)
{
	struct list_head *list = small ? small_list(z, order) : &z->free_area[order].free_list;

	page->flags = (page->flags & ~FREE_STATE_MASK) | PG_buddy | small | order_bits(order);
#ifdef HOST
	/* (a block the port has: last, taken after the resident ones) */
	if (unlikely(z->putting_back))
		list_add_tail(&page->lru, list);
	else
#endif
		list_add(&page->lru, list);
	z->free_area[order].nr_free++;
	if (unlikely(order == MAX_ORDER - 1))
		free_max_mark(z, page, true);
}

/*
 * Releases (host ports, mm/port.h). Free blocks of PORT_RELEASE_MIN_ORDER
 * and more ("big") are what the port may give back to the system. With
 * port_release_keep 0 it hears of each as it forms. Otherwise the zone
 * keeps its newest big free blocks (zone->kept, newest first, at most
 * ZONE_KEPT of them) out of the port's hands, within a budget of bytes
 * that follows the zone's pages in use ("used"): a block that forms joins
 * them, and the oldest beyond ZONE_KEPT or the more of port_release_keep
 * and KEPT_PER_USED x used go to the port. So a buffer freed and taken again in a loop
 * keeps its pages, and a program that frees and takes big blocks of many
 * sizes among many live reuses what it freed (glibc keeps its heap's free
 * chunks), while the budget falls with the memory in use: a program that
 * frees most of what it held keeps at most port_release_keep of it, or
 * twice as much as it still uses, after its next big free. (A budget of used / 2,
 * with the blocks beyond used / 4 sent back whenever a big block not kept
 * was taken, made a program taking and freeing blocks of 1 KiB to 16 MiB
 * among 64 live fault in half the pages it wrote: its frees were released
 * and its next blocks faulted in again; docs/malloc.md, "Large free
 * blocks go back".)
 * The list is exact: a big block that leaves the free lists (taken, or
 * merged into a bigger one) leaves it at once (del_from_free_area), so
 * every entry is a free block of its order and a release never reaches
 * pages in use (node_check proves it). Blocks let go of are given to the
 * port with the zone's lock dropped (a release is a system call: threads
 * waiting for the lock spun through it, 316 thousand sched_yield calls in
 * malloc-edge bigthreads), held apart meanwhile on z->releasing, off the
 * lists and the free count (isolate_for_release, release_isolated); they
 * are listed again last, after the blocks whose pages are resident.
 */
static void release_pages(unsigned long pfn, unsigned long nr)
{
	port_release_free_block(phys_to_virt(PFN_PHYS(pfn)), nr << PAGE_SHIFT);
}

#ifdef HOST
static void del_from_free_area(struct zone *z, struct page *page, unsigned int order);

/* The listed free block at @pfn (2^order pages) is to go to the port: it
 * leaves the lists and the free count for z->releasing, out of every
 * allocator's reach, and zone_unlock gives it back to the port once z's
 * lock is dropped (a release is a system call, which other threads then do
 * not wait for), then lists it again. */
static void isolate_for_release(struct zone *z, unsigned long pfn, unsigned int order)
{
	struct page *page = node_pfn_to_page(z->node, pfn);

	del_from_free_area(z, page, order);
	z->free_pages -= 1ul << order;
	page->priv = order;
	list_add_tail(&page->lru, &z->releasing);
	/* (zone_unlock reads it without the lock) */
	__atomic_store_n(&z->releasing_n, z->releasing_n + 1, __ATOMIC_RELAXED);
}

/* The kept blocks' budget in bytes of the zone's pages in use. Twice:
 * with the fit's placement (best_stretch) a program taking and freeing
 * big blocks among many live ones reuses kept pages instead of faulting
 * in released ones, at the same peak (malloc-edge bufchurn 193 -> 115
 * thousand faults at 276 -> 275 MB, python3 taking bytearrays 193 -> 87
 * thousand at 251 -> 229 MB; 3x: 80 thousand at 285 MB, 57 at 230;
 * docs/malloc.md, "Large free blocks go back"). */
#define KEPT_PER_USED 2

/* The bytes of z's pages in use (not on its lists). */
static unsigned long used_bytes(const struct zone *z)
{
	return z->managed_pages > z->free_pages ? (z->managed_pages - z->free_pages) << PAGE_SHIFT : 0;
}

/* Send the oldest of z's kept blocks to the port (isolate_for_release)
 * while more than @budget bytes are kept or no entry is free for one more
 * block. O(1) a block. */
static void kept_shed(struct zone *z, unsigned long budget)
{
	while (z->kept_n && (z->kept_bytes > budget || z->kept_n >= ZONE_KEPT)) {
		unsigned long e = z->kept[--z->kept_n];

		z->kept[z->kept_n] = 0;
		z->kept_bytes -= PAGE_SIZE << KEPT_ORDER(e);
		isolate_for_release(z, KEPT_PFN(e), KEPT_ORDER(e));
	}
}

/* The big free block @page of @order leaves z's lists: its entry leaves
 * z->kept. Was it there? */
static bool kept_forget(struct zone *z, const struct page *page, unsigned int order)
{
	unsigned long e = node_page_to_pfn(z->node, page) << 4 | order;
	unsigned int i = 0;

	while (i < z->kept_n && z->kept[i] != e)
		i++;
	if (i == z->kept_n)
		return false;
	memmove(&z->kept[i], &z->kept[i + 1], (z->kept_n - i - 1) * sizeof(z->kept[0]));
	z->kept[--z->kept_n] = 0;
	z->kept_bytes -= PAGE_SIZE << order;
	return true;
}
#endif

/* The big free block at @pfn (2^order pages) was just listed. */
static void note_releasable(struct zone *z, unsigned long pfn, unsigned int order)
{
#ifdef HOST
	unsigned long bytes = PAGE_SIZE << order;
	unsigned long budget = MAX(port_release_keep, KEPT_PER_USED * used_bytes(z));

	/* a released block listed again: the port has its pages already,
	 * unless it merged with a kept one */
	if (z->putting_back && !z->absorbed_kept)
		return;
	if (!port_release_keep || bytes > budget) {
		isolate_for_release(z, pfn, order);
		return;
	}
	kept_shed(z, budget - bytes);
	memmove(&z->kept[1], &z->kept[0], z->kept_n * sizeof(z->kept[0]));
	z->kept[0] = pfn << 4 | order;
	z->kept_n++;
	z->kept_bytes += bytes;
#else
	(void)z;
	(void)pfn;
	(void)order;
#endif
}

/* Take a free block off its list (and off z's kept big blocks: host ports). */
static void del_from_free_area(struct zone *z, struct page *page, unsigned int order)
{
	list_del(&page->lru);
	page->flags &= ~(PG_buddy | PG_small | PAGE_ORDER_MASK);
	z->free_area[order].nr_free--;
	if (unlikely(order == MAX_ORDER - 1))
		free_max_mark(z, page, false);
#ifdef HOST
	if (unlikely(order >= PORT_RELEASE_MIN_ORDER) && kept_forget(z, page, order))
		z->absorbed_kept |= z->putting_back;
#endif
}

static void release_list(struct zone *z, struct list_head *list, unsigned int order)
{
	struct list_head *pos;

	list_for_each(pos, list)
		release_pages(node_page_to_pfn(z->node, list_entry(pos, struct page, lru)), 1ul << order);
}

/* The head of the free (on a free list or a per-hart list) or allocated
 * block holding @pfn, or 0 when none covers it (zone lock held; a per-hart
 * block's may change under it unless its hart's list lock is held too). */
unsigned long block_head(const struct pglist_data *node, unsigned long pfn)
{
	for (unsigned int order = 0; order < MAX_ORDER; order++) {
		unsigned long head = pfn & ~((1ul << order) - 1);
		const struct page *p;

		if (!node_pfn_valid(node, head))
			break;
		p = node_pfn_to_page(node, head);
		if ((p->flags & (PG_buddy | PG_head | PG_pcp)) && page_order(p) >= order &&
		    pfn < head + (1ul << page_order(p)))
			return head;
	}
	return 0;
}

/* Tell the port about every free block of z of @min_order and more (its
 * lock held). */
static void release_zone_blocks(struct zone *z, unsigned int min_order)
{
	for (unsigned int order = min_order; order < MAX_ORDER; order++) {
		release_list(z, &z->free_area[order].free_list, order);
		if (order < PAGEBLOCK_ORDER)
			release_list(z, small_list(z, order), order);
	}
#ifdef HOST
	memset(z->kept, 0, sizeof(z->kept));
	z->kept_n = 0;
	z->kept_bytes = 0;
#endif
}

void release_free_blocks(struct pglist_data *node, unsigned int min_order)
{
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		struct zone *z = &node->zones[zi];
		unsigned long flags;

		if (!populated_zone(z))
			continue;
		flags = spin_lock_irqsave(&z->lock);
		release_zone_blocks(z, min_order);
		spin_unlock_irqrestore(&z->lock, flags);
	}
}

/*
 * Put the free block (page, pfn, order) on the lists, merging it with its
 * buddies. Its head loses its allocation state first: if the block merges
 * with a lower buddy, the head becomes a plain page inside a free block.
 * The buddy of a block lies in the same section (blocks are smaller than
 * sections), so the section's pfn range says whether it has a struct page.
 */
static void free_one_block(struct zone *z, struct page *page, unsigned long pfn,
			   unsigned int order)
{
	struct mem_section *ms = node_pfn_section(z->node, pfn);
	u32 zone_bits = (u32)z->id << PAGE_ZONE_SHIFT;

	page->flags &= ~FREE_STATE_MASK;
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
		if (order == PAGEBLOCK_ORDER) /* a whole pageblock free: any use again */
			set_pageblock_small(ms, pfn, false);
	}
	add_to_free_area(z, page, order, free_block_small(ms, pfn, order));
	if (unlikely(order >= PORT_RELEASE_MIN_ORDER))
		note_releasable(z, pfn, order);
}

#ifdef HOST
/* Give z's isolated blocks (isolate_for_release) to the port without z's
 * lock, neighbours in one call, then list them again: a block the port
 * has does not join the kept ones (note_releasable) unless it merged with
 * one. */
static __attribute__((noinline)) void release_isolated(struct zone *z)
{
	for (;;) {
		struct {
			unsigned long pfn, nr;
		} r[16];
		struct list_head mine;
		unsigned int n = 0;
		unsigned long flags = spin_lock_irqsave(&z->lock);

		INIT_LIST_HEAD(&mine);
		while (!list_empty(&z->releasing) && n < ARRAY_SIZE(r)) {
			struct page *page = list_first_entry(&z->releasing, struct page, lru);
			unsigned long pfn = node_page_to_pfn(z->node, page), nr = 1ul << page->priv;

			list_move_tail(&page->lru, &mine);
			__atomic_store_n(&z->releasing_n, z->releasing_n - 1, __ATOMIC_RELAXED);
			if (n && r[n - 1].pfn + r[n - 1].nr == pfn) {
				r[n - 1].nr += nr;
			} else if (n && pfn + nr == r[n - 1].pfn) {
				r[n - 1].pfn = pfn;
				r[n - 1].nr += nr;
			} else {
				r[n].pfn = pfn;
				r[n++].nr = nr;
			}
		}
		spin_unlock_irqrestore(&z->lock, flags);
		if (list_empty(&mine))
			return;
		for (unsigned int i = 0; i < n; i++)
			release_pages(r[i].pfn, r[i].nr);
		flags = spin_lock_irqsave(&z->lock);
		z->putting_back = true;
		while (!list_empty(&mine)) {
			struct page *page = list_first_entry(&mine, struct page, lru);
			unsigned int order = (unsigned int)page->priv;

			list_del(&page->lru);
			page->priv = 0;
			z->free_pages += 1ul << order;
			z->absorbed_kept = false;
			free_one_block(z, page, node_page_to_pfn(z->node, page), order);
		}
		z->putting_back = false;
		z->absorbed_kept = false;
		spin_unlock_irqrestore(&z->lock, flags);
	}
}
#endif

/* Just after z's lock is dropped: on a host port, give the port the
 * blocks isolated for it meanwhile. */
static inline void release_pending(struct zone *z)
{
#ifdef HOST
	if (unlikely(__atomic_load_n(&z->releasing_n, __ATOMIC_RELAXED)))
		release_isolated(z);
#else
	(void)z;
#endif
}

/* Drop z's lock, taken with spin_lock_irqsave (release_pending). */
static inline void zone_unlock_irqrestore(struct zone *z, unsigned long flags)
{
	spin_unlock_irqrestore(&z->lock, flags);
	release_pending(z);
}

/* The same for z's lock taken with spin_lock (the per-hart lists' paths,
 * their own lock held: it comes before the zone's). */
static inline void zone_unlock(struct zone *z)
{
	spin_unlock(&z->lock);
	release_pending(z);
}

/* Split the 2^high block at page down to 2^low, listing the upper halves;
 * @small: PG_small when the block's first pageblock is a small-use one
 * (its halves below PAGEBLOCK_ORDER lie in it), else 0. */
static void expand(struct zone *z, struct page *page, unsigned int low, unsigned int high, u32 small)
{
	unsigned long size = 1ul << high;

	while (high > low) {
		high--;
		size >>= 1;
		add_to_free_area(z, page + size, high, high < PAGEBLOCK_ORDER ? small : 0);
	}
}

/* Take the free block @page of order @o off the lists for a request of
 * @order (the rest listed again); @small: the block lies in a small-use
 * pageblock, or (@claim) its first pageblock becomes one before the split,
 * so the pieces below PAGEBLOCK_ORDER go to the small lists (both false
 * unless small requests are kept apart). */
static inline struct page *take_block(struct zone *z, struct page *page, unsigned int o,
				      unsigned int order, bool small, bool claim)
{
	del_from_free_area(z, page, o);
	if (claim) {
		unsigned long pfn = node_page_to_pfn(z->node, page);

		set_pageblock_small(node_pfn_section(z->node, pfn), pfn, true);
	}
	expand(z, page, order, o, (small || claim) ? PG_small : 0);
	z->free_pages -= 1ul << order;
	return page;
}

/* For a request of @order, the first block on @z's lists of orders @lo to
 * @hi - 1 (@small: the small-use ones, else the general ones), taken
 * (take_block, @claim as there); or NULL when they are empty. */
static inline struct page *
take_first_block(struct zone *z, unsigned int lo, unsigned int hi, unsigned int order, bool small, bool claim)
{
	for (unsigned int o = lo; o < hi; o++) {
		struct list_head *list = small ? small_list(z, o) : &z->free_area[o].free_list;

		if (list_empty(list))
			continue;
		return take_block(z, list_first_entry(list, struct page, lru), o, order, small, claim);
	}
	return NULL;
}

/* The smallest general block of order @order or more, split to 2^order. */
static struct page *rmqueue_smallest(struct zone *z, unsigned int order)
{
	return take_first_block(z, order, MAX_ORDER, order, false, false);
}

/*
 * Small requests when grouping by use: the smallest free block of the
 * small-use pageblocks; else a whole free pageblock (from the smallest
 * general block of PAGEBLOCK_ORDER or more) claimed for small use; else,
 * as a last resort, a general block below PAGEBLOCK_ORDER, left general.
 * A run request (__GFP_RUN) or one of PAGEBLOCK_ORDER or more takes
 * general blocks (rmqueue_smallest), as every request does when grouping
 * is off (page_grouping=off; a host port that does not group); see
 * rmqueue for the kernel's last resort.
 */
static inline bool small_request(unsigned int order, gfp_t gfp)
{
	return groups_small_requests() && order < PAGEBLOCK_ORDER && !(gfp & __GFP_RUN);
}

/* (flatten: its three searches and their takes inlined, the host's small
 * requests cost no more than when each search was written out) */
static __attribute__((flatten)) struct page *rmqueue_small(struct zone *z, unsigned int order)
{
	struct page *page = take_first_block(z, order, PAGEBLOCK_ORDER, order, true, false);

	if (!page)
		page = take_first_block(z, PAGEBLOCK_ORDER, MAX_ORDER, order, false, true);
	if (!page)
		page = take_first_block(z, order, PAGEBLOCK_ORDER, order, false, false);
	return page;
}

/*
 * Other requests that find no general block take, as a last resort, a
 * free block of a small-use pageblock (below PAGEBLOCK_ORDER, so the
 * invariant holds): in the kernel, whose RAM is all there is, a request
 * that plain buddy placement would serve must not fail (an order-0 run
 * page of a zone whose free pages all lie in small-use pageblocks, the
 * pages grouping left when page_grouping was switched off). Host ports
 * add memory instead, through the failure path: runs stay out.
 */
#ifdef HOST
#define OTHERS_TAKE_SMALL_BLOCKS 0
#else
#define OTHERS_TAKE_SMALL_BLOCKS 1
#endif

static __attribute__((noinline, cold)) struct page *rmqueue_last_resort(struct zone *z,
									unsigned int order)
{
	return take_first_block(z, order, PAGEBLOCK_ORDER, order, true, false);
}

/* A block of 2^order pages for a request of @gfp, or NULL (in the kernel
 * only when z's lists hold no block of @order or more). */
static inline struct page *rmqueue(struct zone *z, unsigned int order, gfp_t gfp)
{
	struct page *page;

	if (small_request(order, gfp))
		return rmqueue_small(z, order);
	page = rmqueue_smallest(z, order);
	if (OTHERS_TAKE_SMALL_BLOCKS && unlikely(!page))
		page = rmqueue_last_resort(z, order);
	return page;
}

/* @nr pages from @pfn zeroed: __GFP_ZERO, init_on_alloc=, init_on_free=
 * (out of line: the allocation and free paths keep their registers). The
 * port zeroes them: the host's malloc drops big blocks' pages that are not
 * resident rather than writing them, so a freed block whose pages a
 * realloc's move dropped is not faulted in again to be zeroed, nor a new
 * one made resident whole before its copy fills it. */
static __attribute__((noinline)) void zero_pfns(unsigned long pfn, unsigned long nr)
{
	port_zero_pages(phys_to_virt(PFN_PHYS(pfn)), nr << PAGE_SHIFT);
}

/* Called by node_init for each block of boot memory (pages already cleared
 * of PG_reserved). */
void zone_free_boot_block(struct zone *z, struct page *page, unsigned long pfn, unsigned int order)
{
	unsigned long flags;

	/* (Linux's too: what the boot frees is freed memory; a host heap's
	 * fresh mapping reads as zero already) */
	if (want_init_on_free() && !port_new_ram_zeroed)
		zero_pfns(pfn, 1ul << order);
	flags = spin_lock_irqsave(&z->lock);

	free_one_block(z, page, pfn, order);
	z->free_pages += 1ul << order;
	zone_unlock_irqrestore(z, flags);
}

/* --- watermarks --------------------------------------------------------- */

/* After taking pages from the buddy lists: below low wakes background
 * reclaim (an unlocked read: a stale value only moves the wakeup by one
 * refill). */
static inline void check_low_watermark(struct zone *z)
{
	if (unlikely(__atomic_load_n(&z->free_pages, __ATOMIC_RELAXED) < z->watermark[WMARK_LOW]))
		wakeup_kswapd(z);
}

/* (inlined into the allocation paths: a call there costs more than the test) */
static inline __attribute__((always_inline)) bool __zone_watermark_ok(const struct zone *z,
								   unsigned int order, unsigned long mark,
								   unsigned int highest_zone, gfp_t gfp)
{
	long min = gfp_watermark(mark, gfp);
	long free = (long)z->free_pages - ((1l << order) - 1);

	if (free <= min + (long)z->lowmem_reserve[highest_zone])
		return false;
	for (unsigned int o = order; o < MAX_ORDER; o++)
		if (z->free_area[o].nr_free)
			return true;
	return false;
}

bool zone_watermark_ok(const struct zone *z, unsigned int order, unsigned long mark,
		       unsigned int highest_zone, gfp_t gfp)
{
	return __zone_watermark_ok(z, order, mark, highest_zone, gfp);
}

static struct page *zone_alloc(struct zone *z, unsigned int order, unsigned int highest, gfp_t gfp)
{
	unsigned long flags = spin_lock_irqsave(&z->lock);
	struct page *page = NULL;

	if (__zone_watermark_ok(z, order, z->watermark[WMARK_MIN], highest, gfp))
		page = rmqueue(z, order, gfp);
	zone_unlock_irqrestore(z, flags);
	if (page)
		check_low_watermark(z);
	return page;
}

/* --- per-hart lists ----------------------------------------------------- */

/* The per-hart stack is linked through page->lru.next. */
static inline struct page *pcp_next(const struct page *page)
{
	return (struct page *)page->lru.next;
}

static inline void pcp_link(struct per_cpu_pages *pcp, struct page *page)
{
	page->lru.next = (struct list_head *)pcp->head;
	pcp->head = page;
}

static inline struct page *pcp_unlink(struct per_cpu_pages *pcp)
{
	struct page *page = pcp->head;

	pcp->head = pcp_next(page);
	return page;
}

static inline struct page **pcp_hi_list(struct per_cpu_pages *pcp, unsigned int order)
{
	return &pcp->hi[order - 1];
}

static inline void pcp_hi_link(struct per_cpu_pages *pcp, struct page *page, unsigned int order)
{
	struct page **list = pcp_hi_list(pcp, order);

	page->lru.next = (struct list_head *)*list;
	*list = page;
	pcp->hi_count += 1l << order;
}

static inline struct page *pcp_hi_unlink(struct per_cpu_pages *pcp, unsigned int order)
{
	struct page **list = pcp_hi_list(pcp, order), *page = *list;

	if (page) {
		*list = pcp_next(page);
		pcp->hi_count -= 1l << order;
	}
	return page;
}

/* Take the top block of @order's stack, counted off; NULL when it is empty
 * (pcp->lock held). */
static inline struct page *pcp_take(struct per_cpu_pages *pcp, unsigned int order)
{
	if (order)
		return pcp_hi_unlink(pcp, order);
	if (!pcp->head)
		return NULL;
	pcp->count--;
	return pcp_unlink(pcp);
}

/* Move up to a batch of blocks of @order from the buddy lists: batch pages
 * of order 0, max(batch >> order, 1) blocks above; pcp->lock held. */
static __attribute__((noinline)) long pcp_refill(struct zone *z, struct per_cpu_pages *pcp, unsigned int order,
		       unsigned int highest, gfp_t gfp)
{
	long n = 0, want = order ? MAX(pcp->batch >> order, 1l) : pcp->batch;

	spin_lock(&z->lock);
	while (n < want && __zone_watermark_ok(z, order, z->watermark[WMARK_MIN], highest, gfp)) {
		struct page *page = rmqueue(z, order, gfp);

		if (!page)
			break;
		page->flags |= PG_pcp | order_bits(order);
		if (order) {
			pcp_hi_link(pcp, page, order);
		} else {
			pcp_link(pcp, page);
			pcp->count++;
		}
		n++;
		/* Pages left on the list go to any request, unchecked: once
		 * the zone is down to what only some may use (__GFP_HIGH's
		 * half of min, a lowmem_reserve), take just this one's block. */
		if (!__zone_watermark_ok(z, order, z->watermark[WMARK_MIN], MAX_NR_ZONES - 1, 0))
			break;
	}
	zone_unlock(z);
	pcp->nr_refill++;
	check_low_watermark(z);
	return n;
}

/* Return @n pages of the stack to the buddy lists; pcp->lock held. */
static void pcp_drain(struct zone *z, struct per_cpu_pages *pcp, long n)
{
	spin_lock(&z->lock);
	while (n-- > 0 && pcp->head) {
		struct page *page = pcp_unlink(pcp);

		page->flags &= ~PG_pcp;
		free_one_block(z, page, node_page_to_pfn(z->node, page), 0);
		z->free_pages++;
		pcp->count--;
	}
	zone_unlock(z);
	pcp->nr_drain++;
}

/*
 * rvmm takes no interrupts (sstatus.SIE is never set), so the per-hart
 * paths need not mask them: nothing can re-enter the allocator on the same
 * hart. Should interrupts ever be enabled, allocating from a handler needs
 * irq_save() around the per-hart sections below.
 */

/* Slow path for orders 0 .. PCP_MAX_ORDER: a block from the hart's stack of
 * its order, refilled from the buddy lists when empty; NULL when the zone
 * has none to give. */
static struct page *pcp_alloc(struct per_cpu_pages *pcp, unsigned int order, unsigned int highest,
			      gfp_t gfp)
{
	struct page *page;

	spin_lock(&pcp->lock);
	page = pcp_take(pcp, order);
	if (!page && pcp_refill(pcp->zone, pcp, order, highest, gfp))
		page = pcp_take(pcp, order);
	spin_unlock(&pcp->lock);
	return page;
}

/* Pop a page, or NULL if the stack is empty. */
static inline struct page *pcp_pop(struct per_cpu_pages *pcp)
{
	struct page *page;

	spin_lock(&pcp->lock);
	page = pcp->head;
	if (likely(page)) {
		pcp->head = pcp_next(page);
		pcp->count--;
	}
	spin_unlock(&pcp->lock);
	return page;
}

/* Push a free order-0 page (already marked PG_pcp); true if the stack is
 * now higher than high (the caller then trims it). */
static inline bool pcp_push(struct per_cpu_pages *pcp, struct page *page)
{
	bool over;

	spin_lock(&pcp->lock);
	pcp_link(pcp, page);
	over = ++pcp->count > pcp->high;
	spin_unlock(&pcp->lock);
	return over;
}

/* Bring the stack back to high - batch pages. */
static inline void pcp_trim_now(struct per_cpu_pages *pcp)
{
	spin_lock(&pcp->lock);
	if (pcp->count > pcp->high)
		pcp_drain(pcp->zone, pcp, pcp->count - pcp->high + pcp->batch);
	spin_unlock(&pcp->lock);
}

/*
 * Orders 1 .. PCP_MAX_ORDER: a stack per order on the same per_cpu_pages
 * (hi[order - 1]; hi_count pages in all), as Linux keeps per-cpu lists up
 * to PAGE_ALLOC_COSTLY_ORDER. A block's head carries PG_pcp and its order,
 * its other pages nothing. They serve the fast paths (alloc_pages,
 * __free_pages), alloc_pages_slow and free_checked (slab grows and
 * shrinks, kmalloc's bigblocks, buffers) without the zone lock, the
 * watermark scan, the split and the merge; refilled with
 * max(batch >> order, 1) blocks, drained, highest order first, to high -
 * batch pages when a free leaves more than high on them. Requests for runs
 * (__GFP_RUN: alloc_pages_exact, SLOB's bigblocks) take their blocks from
 * the zone, where they can grow in place, and an exact run's pieces go back
 * there (free_exact_piece); every other free of these orders, a bigblock's
 * too, goes to the lists.
 */
/* Give blocks of the hi lists back to the buddy lists, highest order
 * first, until at most @keep pages are left; pcp->lock held. */
static __attribute__((noinline)) void pcp_hi_drain(struct zone *z, struct per_cpu_pages *pcp, long keep)
{
	spin_lock(&z->lock);
	for (unsigned int order = PCP_MAX_ORDER; order >= 1 && pcp->hi_count > keep; order--) {
		struct page *page;

		while (pcp->hi_count > keep && (page = pcp_hi_unlink(pcp, order)) != NULL) {
			free_one_block(z, page, node_page_to_pfn(z->node, page), order);
			z->free_pages += 1ul << order;
		}
	}
	zone_unlock(z);
	pcp->nr_drain++;
}

/* The fast paths' pop and push (include the lock; the push is true when
 * the lists now hold more than high pages: the caller trims them). */
static inline struct page *pcp_hi_pop(struct per_cpu_pages *pcp, unsigned int order)
{
	struct page *page;

	spin_lock(&pcp->lock);
	page = pcp_hi_unlink(pcp, order);
	spin_unlock(&pcp->lock);
	return page;
}

static inline bool pcp_hi_push(struct per_cpu_pages *pcp, struct page *page, unsigned int order)
{
	bool over;

	spin_lock(&pcp->lock);
	pcp_hi_link(pcp, page, order);
	over = pcp->hi_count > pcp->high;
	spin_unlock(&pcp->lock);
	return over;
}

/* Bring the lists of orders above 0 back to high - batch pages. */
static __attribute__((noinline)) void pcp_hi_trim(struct per_cpu_pages *pcp)
{
	spin_lock(&pcp->lock);
	if (pcp->hi_count > pcp->high)
		pcp_hi_drain(pcp->zone, pcp, pcp->high - pcp->batch);
	spin_unlock(&pcp->lock);
}

/* Keep a freed block of @order (1 .. PCP_MAX_ORDER) on the hart's list. */
static void pcp_hi_free(struct per_cpu_pages *pcp, struct page *page, unsigned int order)
{
	page->flags = (page->flags & ~FREE_STATE_MASK) | PG_pcp | order_bits(order);
	if (pcp_hi_push(pcp, page, order))
		pcp_hi_trim(pcp);
}

/* Must every allocation reach the slow path with its caller (page_owner
 * notes it, init_on_alloc zeroes it)? And every free (page_owner notes it,
 * init_on_free zeroes it in free_checked)? The entry points then take
 * their *_owned variants, and bind_cpus routes the per-hart fast paths. */
static inline bool allocs_routed(void)
{
	return unlikely(page_owner_on || init_on_alloc);
}

static inline bool frees_routed(void)
{
	return unlikely(page_owner_on || init_on_free);
}

/*
 * The route for the order-0 free fast path while frees_routed: bind_cpus
 * points each hart's zone slots at its stack here, which has no zone and a
 * high of 0, so __free_pages pushes the page and tail-calls pcp_trim, and
 * pcp_trim_owned takes the page back off and frees it the slow way, noted
 * as the code that called __free_pages. Its stacks are empty between frees.
 */
static struct per_cpu_pages owner_free_pcp[MAX_HARTS];

static void free_pages_owned(struct pglist_data *node, struct page *page, unsigned int order,
			     unsigned long caller);

static __attribute__((noinline)) void pcp_trim_owned(struct per_cpu_pages *pcp)
{
	struct page *page;

	if (pcp->zone) { /* a zone's stack (pcp_free): a trim */
		pcp_trim_now(pcp);
		return;
	}
	spin_lock(&pcp->lock);
	page = pcp_unlink(pcp);
	pcp->count--;
	spin_unlock(&pcp->lock);
	/* Back as the fast path found it: PG_head, one reference. */
	page->flags ^= PG_pcp | PG_head;
	page->refcount = 1;
	free_pages_owned(mem_node, page, 0, RET_IP);
}

/* Called last (a tail call) by the order-0 fast free path and pcp_free. */
static __attribute__((noinline)) void pcp_trim(struct per_cpu_pages *pcp)
{
	if (frees_routed()) { /* (a tail call: the return address stays) */
		pcp_trim_owned(pcp);
		return;
	}
	pcp_trim_now(pcp);
}

static void pcp_free(struct per_cpu_pages *pcp, struct page *page)
{
	page->flags = (page->flags & ~FREE_STATE_MASK) | PG_pcp;
	if (pcp_push(pcp, page))
		pcp_trim(pcp);
}

void node_drain_pages(struct pglist_data *node)
{
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		struct zone *z = &node->zones[zi];

		if (!z->pcp)
			continue;
		for (int cpu = 0; cpu < MAX_HARTS; cpu++) {
			struct per_cpu_pages *pcp = &z->pcp[cpu];

			spin_lock(&pcp->lock);
			pcp_drain(z, pcp, pcp->count);
			if (pcp->hi_count)
				pcp_hi_drain(z, pcp, 0);
			spin_unlock(&pcp->lock);
		}
	}
}

unsigned long zone_pcp_count(const struct zone *z)
{
	unsigned long n = 0;

	if (z->pcp)
		for (int cpu = 0; cpu < MAX_HARTS; cpu++)
			n += (unsigned long)(__atomic_load_n(&z->pcp[cpu].count, __ATOMIC_RELAXED) +
					     __atomic_load_n(&z->pcp[cpu].hi_count, __ATOMIC_RELAXED));
	return n;
}

unsigned long node_free_pages_count(const struct pglist_data *node)
{
	unsigned long n = 0;

	for (int zi = 0; zi < MAX_NR_ZONES; zi++)
		n += node->zones[zi].free_pages + zone_pcp_count(&node->zones[zi]);
	return n;
}

unsigned long node_nr_free_pages(const struct pglist_data *node)
{
	unsigned long n = 0;

	for (int zi = 0; zi < MAX_NR_ZONES; zi++)
		n += node->zones[zi].free_pages;
	return n;
}

/* --- allocation --------------------------------------------------------- */

static inline unsigned int gfp_highest_zone(gfp_t gfp)
{
	if (gfp & __GFP_DMA)
		return ZONE_DMA;
	if (gfp & __GFP_DMA32)
		return ZONE_DMA32;
	return ZONE_NORMAL;
}

static inline void zero_block(struct pglist_data *node, struct page *page, unsigned int order)
{
	zero_pfns(node_page_to_pfn(node, page), 1ul << order);
}

/* The new block's head: PG_head, its order, one reference. page->priv
 * is left for the owner to set. */
static struct page *prep_new_page(struct pglist_data *node, struct page *page, unsigned int order,
				  gfp_t gfp)
{
	page->flags = (page->flags & ~FREE_STATE_MASK) | PG_head | order_bits(order);
	page->refcount = 1;
	/* (init_on_alloc's allocations take alloc_pages_owned, which zeroes;
	 * page_address() would look @page up in mem_node) */
	if (gfp & __GFP_ZERO)
		zero_block(node, page, order);
	return page;
}

static inline __attribute__((always_inline)) struct page *try_zonelist(struct pglist_data *node, gfp_t gfp, unsigned int order)
{
	unsigned int highest = gfp_highest_zone(gfp);
	struct zone *const *zl = node->zonelist[highest];
	struct zone *z;

	for (; (z = *zl) != NULL; zl++) {
		/* (order 0 from the stack for every request, runs' pages too) */
		struct page *page = !order || (order <= PCP_MAX_ORDER && !(gfp & __GFP_RUN))
					    ? pcp_alloc(&z->pcp[this_cpu()], order, highest, gfp)
					    : zone_alloc(z, order, highest, gfp);
		if (page)
			return page;
	}
	return NULL;
}

static void count_zone_failure(struct pglist_data *node, struct zone *z)
{
	z->nr_alloc_fail++;
	if (node == mem_node)
		count_vm_events(ALLOCFAIL_DMA + z->id, 1);
}

/* A failed request counted against the zones it could have used; with
 * none (GFP_DMA and an empty ZONE_DMA: zone_dma_limit= below all RAM),
 * against the zone it asked for, so that no failure goes uncounted. */
static void count_alloc_failure(struct pglist_data *node, gfp_t gfp)
{
	unsigned int highest = gfp_highest_zone(gfp);
	struct zone *const *zl = node->zonelist[highest];

	if (!*zl)
		count_zone_failure(node, &node->zones[highest]);
	for (; *zl; zl++)
		count_zone_failure(node, *zl);
}

/* The end of a failure line: each zone's free pages (buddy + per-hart)
 * and min mark. */
static void print_zone_free(const struct pglist_data *node)
{
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = &node->zones[zi];

		if (populated_zone(z))
			kprintf(" %s %lu+%lu min %lu", z->name, z->free_pages, zone_pcp_count(z),
				z->watermark[WMARK_MIN]);
	}
	kprintf("\n");
}

static __attribute__((noinline, cold)) void warn_alloc_failure(struct pglist_data *node, gfp_t gfp, unsigned int order)
{
	u32 bit = 1u << MIN(order, 31u); /* (alloc_pages_fit's runs beyond MAX_ORDER) */

	count_alloc_failure(node, gfp);
	if ((gfp & __GFP_NOWARN) || (__atomic_fetch_or(&node->warned_orders, bit, __ATOMIC_RELAXED) & bit))
		return;
	kprintf("page allocation failure: order:%u, mode:0x%x, free pages (first failure of this order):",
		order, gfp);
	print_zone_free(node);
}

/* --- shrinkers ----------------------------------------------------------- */

static struct shrinker *shrinkers;
static spinlock_t shrinker_lock = SPINLOCK_INIT;

void register_shrinker(struct shrinker *s)
{
	unsigned long flags = spin_lock_irqsave(&shrinker_lock);

	s->next = shrinkers;
	shrinkers = s;
	spin_unlock_irqrestore(&shrinker_lock, flags);
}

void unregister_shrinker(struct shrinker *s)
{
	unsigned long flags = spin_lock_irqsave(&shrinker_lock);

	for (struct shrinker **pp = &shrinkers; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	spin_unlock_irqrestore(&shrinker_lock, flags);
}

/* Run every shrinker; the pages they gave back. A shrinker never waits for
 * a lock (it may run under any of the caller's), so a second hart that is
 * already shrinking makes this one give up rather than wait. */
unsigned long run_shrinkers(gfp_t gfp)
{
	unsigned long flags = irq_save(), freed = 0;

	if (!spin_trylock(&shrinker_lock)) {
		irq_restore(flags);
		return 0;
	}
	for (struct shrinker *s = shrinkers; s; s = s->next) {
		unsigned long n = s->scan(gfp);

		s->nr_scans++;
		s->nr_freed += n;
		freed += n;
	}
	spin_unlock(&shrinker_lock);
	irq_restore(flags);
	return freed;
}

/*
 * Every zone refused: wake background reclaim for them, drain the per-hart
 * lists and retry; then rounds of direct reclaim as the gfp allows (see the
 * file comment). NULL when the request fails.
 */
static __attribute__((noinline, cold)) struct page *alloc_pages_reclaim(struct pglist_data *node,
									 gfp_t gfp, unsigned int order)
{
	unsigned int highest = gfp_highest_zone(gfp), idle_rounds = 0;
	struct page *page;

	for (struct zone *const *zl = node->zonelist[highest]; *zl; zl++)
		check_low_watermark(*zl);
	/* Free pages may sit on other harts' lists: pull them back. */
	node_drain_pages(node);
	page = try_zonelist(node, gfp, order);
	if (page || !gfpflags_allow_blocking(gfp))
		return page;
	if (node == mem_node)
		count_vm_events(ALLOCSTALL_DMA + highest, 1);
	for (unsigned int round = 0;; round++) {
		unsigned long progress = direct_reclaim(node, gfp);

		page = try_zonelist(node, gfp, order);
		if (page || (gfp & __GFP_NORETRY))
			return page;
		idle_rounds = progress ? 0 : idle_rounds + 1;
		if (gfp & __GFP_NOFAIL) {
			count_vm_events(NOFAIL_RETRIES, 1);
			if (idle_rounds >= (reclaim_drains_outstanding() ? NOFAIL_WAIT_ROUNDS
									  : NOFAIL_ROUNDS))
				panic("page allocation: order %u with __GFP_NOFAIL (mode 0x%x): nothing "
				      "left to reclaim after %u rounds, and no OOM killer",
				      order, gfp, round + 1);
			continue;
		}
		if (!progress || round + 1 >= MAX_RECLAIM_RETRIES)
			return NULL;
	}
}

/* Does fail_page_alloc fail this request of @order? Never a __GFP_NOFAIL
 * one (as Linux's), nor one a caller has already asked about
 * (__GFP_FAULT_ASKED). Every page allocation entry asks through here. */
static inline bool fault_injected(gfp_t gfp, unsigned int order)
{
	return unlikely(fail_page_alloc.active) && !(gfp & (__GFP_NOFAIL | __GFP_FAULT_ASKED)) &&
	       should_fail_alloc_page(gfp, order);
}

/* Linux WARNs once for __GFP_NOFAIL above order 1: it cannot promise it. */
static __attribute__((noinline, cold)) void nofail_check(unsigned int order)
{
	static bool warned;

	if (order <= 1 || warned)
		return;
	warned = true;
	kprintf("page allocation: __GFP_NOFAIL with order %u (above 1)\n", order);
	warn_slowpath(__FILE__, __LINE__, "__GFP_NOFAIL && order > 1");
}

/* Everything but an order-0 page from a non-empty per-hart list. */
static __attribute__((noinline)) struct page *alloc_pages_slow(struct pglist_data *node, gfp_t gfp,
							      unsigned int order)
{
	struct page *page;

	if (unlikely(order >= MAX_ORDER)) {
		if (!(gfp & __GFP_NOWARN))
			kprintf("page allocation: order %u is above the largest (%d)\n", order,
				MAX_ORDER - 1);
		return NULL;
	}
	if (unlikely(gfp & __GFP_NOFAIL))
		nofail_check(order);
	/* fail_page_alloc (mm/fault_inject.c): routes order 0 here while on. */
	if (fault_injected(gfp, order))
		return NULL;
	page = try_zonelist(node, gfp, order);
	if (unlikely(!page)) {
		page = alloc_pages_reclaim(node, gfp, order);
		if (!page) {
			/* (before mm_init: an empty node, every request here) */
			if (unlikely(!page_alloc_up) && node == mem_node)
				mm_called_before_init("alloc_pages");
			warn_alloc_failure(node, gfp, order);
			return NULL;
		}
	}
	return prep_new_page(node, page, order, gfp);
}

/* alloc_pages_slow, the block noted as @caller's (page_owner on). */
static __attribute__((noinline)) struct page *alloc_pages_owned(struct pglist_data *node, gfp_t gfp,
								unsigned int order, unsigned long caller)
{
	struct page *page = alloc_pages_slow(node, gfp, order);

	/* (init_on_alloc's allocations come this way too; gfp stays as asked,
	 * for page_owner's record and fault injection's messages) */
	if (page && unlikely(init_on_alloc) && !(gfp & (__GFP_ZERO | __GFP_SKIP_ZERO)))
		zero_block(node, page, order);
	if (page && page_owner_on)
		page_owner_note(node, node_page_to_pfn(node, page), 1ul << order, gfp, caller);
	return page;
}

static __attribute__((noinline)) struct page *node_alloc_pages_owned(struct pglist_data *node,
								     gfp_t gfp, unsigned int order)
{
	return alloc_pages_owned(node, gfp, order, RET_IP);
}

struct page *node_alloc_pages(struct pglist_data *node, gfp_t gfp, unsigned int order)
{
	if (allocs_routed()) /* (a tail call: the return address stays) */
		return node_alloc_pages_owned(node, gfp, order);
	return alloc_pages_slow(node, gfp, order);
}

/* --- freeing ------------------------------------------------------------ */

/* @caller: the code whose free this is (page_owner on), else 0. */
static void bad_page(struct pglist_data *node, struct page *page, const char *reason,
		     unsigned int order, unsigned long caller)
{
	node->nr_bad_pages++;
	node->last_bad_reason = reason;
	kprintf("BUG: Bad page state: pfn 0x%lx: %s (flags 0x%x, refcount %d, order %u, freed as order %u)\n",
		node_page_to_pfn(node, page), reason, page->flags, page->refcount, page_order(page),
		order);
	if (unlikely(page_owner_on)) /* who allocated it last, who freed it last */
		page_owner_dump(node, node_page_to_pfn(node, page), caller);
}

/* The reason freeing (page, order) is wrong, or NULL when it is right. */
static inline __attribute__((always_inline)) const char *free_check(const struct page *page,
								   unsigned int order)
{
	u32 f = page->flags;

	if (f & PG_reserved)
		return "freeing a reserved page";
	if (f & (PG_buddy | PG_pcp))
		return "freeing a free page (double free)";
	if (!(f & PG_head))
		return "not the head of an allocated block";
	if (page_type(page) != PGTY_NONE)
		return "freeing a page an allocator still owns (slab, SLOB, bigblock, vmalloc, page table)";
	if (page_order(page) != order)
		return "freed with another order than it was allocated with";
	if (page->refcount <= 0)
		return "reference count already zero";
	return NULL;
}

/* Drop a reference to the block; the last one frees it: an order-0 page to
 * the hart's list when @pcp, else every block straight onto the zone's
 * lists. With @caller (not 0: page_owner's paths; a constant 0 where it is
 * inlined otherwise, so the note compiles away) and page_owner on, @caller
 * is noted as the freer of the block's pages before they go onto a list,
 * once the checks pass: a bad free leaves the record of the last good one,
 * which bad_page prints, naming @caller as the refused freer. */
static inline void free_checked(struct pglist_data *node, struct page *page, unsigned int order,
				bool pcp, unsigned long caller)
{
	const char *bad = order < MAX_ORDER ? free_check(page, order) : "order out of range";
	struct zone *z;
	unsigned long flags;

	if (unlikely(bad)) {
		bad_page(node, page, bad, order, caller);
		return;
	}
	if (__atomic_sub_fetch(&page->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	/* (init_on_free's frees take the paths with a caller, as page_owner's) */
	if (caller && want_init_on_free())
		zero_block(node, page, order);
	if (caller && unlikely(page_owner_on))
		page_owner_note_free(node, node_page_to_pfn(node, page), 1ul << order, caller);
	z = page_zone(node, page);
	if (order == 0 && pcp) {
		pcp_free(&z->pcp[this_cpu()], page);
		return;
	}
	if (order <= PCP_MAX_ORDER && pcp) {
		pcp_hi_free(&z->pcp[this_cpu()], page, order);
		return;
	}
	flags = spin_lock_irqsave(&z->lock);
	free_one_block(z, page, node_page_to_pfn(node, page), order);
	z->free_pages += 1ul << order;
	zone_unlock_irqrestore(z, flags);
}

/* free_pages_slow's work, page_owner off. */
static __attribute__((noinline)) void free_pages_plain(struct pglist_data *node, struct page *page,
						      unsigned int order)
{
	free_checked(node, page, order, true, 0);
}

/* ... page_owner on: the block's pages noted as freed by @caller. */
static __attribute__((noinline)) void free_pages_owned(struct pglist_data *node, struct page *page,
						      unsigned int order, unsigned long caller)
{
	free_checked(node, page, order, true, caller);
}

static __attribute__((noinline)) void free_pages_slow_owned(struct pglist_data *node,
							   struct page *page, unsigned int order)
{
	free_pages_owned(node, page, order, RET_IP);
}

/* Everything but dropping the only reference to an order-0 page. Only tail
 * calls lead here and on, so free_pages_slow_owned's return address is the
 * freer's (page_owner's note). */
static __attribute__((noinline)) void free_pages_slow(struct pglist_data *node, struct page *page,
						     unsigned int order)
{
	if (frees_routed()) {
		free_pages_slow_owned(node, page, order);
		return;
	}
	free_pages_plain(node, page, order);
}

/* A piece of an exact run (alloc_pages_exact): straight onto the zone's
 * lists, an order-0 one too, so that the block it was cut from merges
 * whole once the run and its tail are free; a page on a hart's list would
 * keep it apart, and the next run of the size would take another block
 * (on a host, one whose pages the system took back: faulted in again). */
static inline __attribute__((always_inline)) void free_exact_piece(struct page *page,
								   unsigned int order,
								   unsigned long caller)
{
	kasan_free_pages(page, order);
	free_checked(mem_node, page, order, false, caller);
}

void node_free_pages(struct pglist_data *node, struct page *page, unsigned int order)
{
	free_pages_slow(node, page, order);
}

/* --- the global API (mem_node) ------------------------------------------ */

/* (gfp, order) stay in their argument registers on the way here. alloc_pages
 * tail-calls these, so their return address is alloc_pages' caller's: the
 * owner page_owner records (reading it in alloc_pages, or here, would cost
 * a stack frame). */
static __attribute__((noinline)) struct page *alloc_pages_current_owned(gfp_t gfp, unsigned int order)
{
	return kasan_alloc_pages(alloc_pages_owned(mem_node, gfp, order, RET_IP), order);
}

/* (The KASAN kernel's hook is made here, not in alloc_pages, so that its
 * call to this stays a tail call there too.) */
static __attribute__((noinline)) struct page *alloc_pages_current_slow(gfp_t gfp, unsigned int order)
{
	if (allocs_routed()) /* (a tail call: the return address stays) */
		return alloc_pages_current_owned(gfp, order);
	return kasan_alloc_pages(alloc_pages_slow(mem_node, gfp, order), order);
}

/* Always empty: for gfp without a zone, and (mm/port.h) what a port's
 * per-hart slots may name before mm_init, so that the per-hart fast paths
 * take the slow ones, which check page_alloc_up. */
struct per_cpu_pages no_zone_pcp;

bool page_alloc_up;

/*
 * Point every hart's slots at the node's per-hart stacks: slot z is the
 * stack of zone z, slot MM_SLOT_GFP + g (g: the gfp zone bits) the stack
 * of the first zone such a request tries. The fast paths below use them, so
 * they cost one load from the hart's own data instead of a zone lookup.
 * While fail_page_alloc may fail an order the fast paths serve (0 ..
 * PCP_MAX_ORDER), the allocation slots all name the empty stack: every
 * request then takes the slow path, where the check is.
 * While allocs_routed (page_owner, init_on_alloc), the allocation slots
 * name it too; while frees_routed (page_owner, init_on_free), the zone slots
 * name the hart's owner_free_pcp, whose trim frees the slow way: every
 * allocation and free is noted, or zeroed.
 */
static void bind_cpus(struct pglist_data *node)
{
	bool routed = fail_page_alloc_routes_pcp() || allocs_routed();

	for (unsigned int cpu = 0; cpu < MAX_HARTS; cpu++) {
		void **slots = cpu_mm_slots(cpu);

		for (unsigned int zi = 0; zi < MAX_NR_ZONES; zi++)
			slots[zi] = frees_routed()	      ? &owner_free_pcp[cpu]
				    : node->zones[zi].pcp ? &node->zones[zi].pcp[cpu]
							  : &no_zone_pcp;
		for (unsigned int g = 0; g <= GFP_ZONEMASK; g++)
			slots[MM_SLOT_GFP + g] = node->fast_zone[g] && !routed
							 ? &node->fast_zone[g]->pcp[cpu]
							 : &no_zone_pcp;
	}
}

void mm_set_node(struct pglist_data *node)
{
	mem_node = node;
	memmap_set_window(node);
	bind_cpus(node);
	page_alloc_up = true;
}

/*
 * The fast paths: order 0, and orders 1 .. PCP_MAX_ORDER a block on the
 * hart's list of the first zone the request tries. Their only calls are
 * tail calls, so they need no stack frame; everything unusual goes to the
 * node's slow paths (while allocations are routed, the slots name the
 * empty no_zone_pcp, whose lists of every order are empty).
 */
struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	struct per_cpu_pages *pcp;
	struct page *page;

	/* __GFP_ZERO goes the slow way: clearing the page costs far more. */
	if (likely(order == 0 && !(gfp & __GFP_ZERO))) {
		void **gfp_slots = this_cpu_mm_slots() + MM_SLOT_GFP;

		pcp = gfp_slots[gfp & GFP_ZONEMASK];
		page = pcp_pop(pcp);
		if (likely(page)) {
			/* A stacked page is PG_pcp, order 0, untyped: flip to PG_head. */
			page->flags ^= PG_pcp | PG_head;
			page->refcount = 1;
			return kasan_alloc_pages(page, 0);
		}
	} else if (order <= PCP_MAX_ORDER && !(gfp & (__GFP_ZERO | __GFP_RUN))) {
		void **gfp_slots = this_cpu_mm_slots() + MM_SLOT_GFP;

		pcp = gfp_slots[gfp & GFP_ZONEMASK];
		page = pcp_hi_pop(pcp, order);
		if (likely(page)) {
			/* PG_pcp and the order: PG_head and the order. */
			page->flags ^= PG_pcp | PG_head;
			page->refcount = 1;
			return kasan_alloc_pages(page, order);
		}
	}
	return alloc_pages_current_slow(gfp, order);
}

#define FAST_FREE_MASK (PG_reserved | PG_buddy | PG_pcp | PG_head | PAGE_ORDER_MASK)

/* The free fast paths' stack for a page of flags @f: its zone's slot, at
 * byte offset zone * sizeof(void *) in this hart's slots. */
static inline struct per_cpu_pages *free_slot(u32 f)
{
	return *(struct per_cpu_pages **)((char *)this_cpu_mm_slots() +
					  ((f >> (PAGE_ZONE_SHIFT - 3)) & (3ul << 3)));
}

void __free_pages(struct page *page, unsigned int order)
{
	u32 f = page->flags;
	struct per_cpu_pages *pcp;

	kasan_free_pages(page, order);
	if (unlikely(order))
		goto higher;
	/* An untyped order-0 page freed by its only holder (who alone may
	 * touch refcount then, so no atomic is needed). */
	if (likely((f & FAST_FREE_MASK) == PG_head && f < (1u << PAGE_TYPE_SHIFT) &&
		   page->refcount == 1)) {
		pcp = free_slot(f);
		page->refcount = 0;
		page->flags = f ^ (PG_head | PG_pcp);
		if (unlikely(pcp_push(pcp, page)))
			pcp_trim(pcp);
		return;
	}
	goto slow;
higher: /* the same for a block of orders 1 .. PCP_MAX_ORDER */
	if (order > PCP_MAX_ORDER || (f & FAST_FREE_MASK) != (PG_head | order_bits(order)) ||
	    f >= (1u << PAGE_TYPE_SHIFT) || page->refcount != 1)
		goto slow;
	pcp = free_slot(f);
	/* (while frees are routed the slot is owner_free_pcp, of no zone) */
	if (likely(pcp->zone)) {
		page->refcount = 0;
		page->flags = f ^ (PG_head | PG_pcp);
		if (unlikely(pcp_hi_push(pcp, page, order)))
			pcp_hi_trim(pcp);
		return;
	}
slow:
	free_pages_slow(mem_node, page, order);
}

struct page *alloc_page(gfp_t gfp)
{
	return alloc_pages(gfp, 0);
}

/* A wrapper's page_owner note: the pages are its caller's, not its own. */
static void note_owner(struct page *page, unsigned long nr, gfp_t gfp, unsigned long caller)
{
	if (unlikely(page_owner_on) && page)
		page_owner_note(mem_node, node_page_to_pfn(mem_node, page), nr, gfp, caller);
}

unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp, order);

	note_owner(page, 1ul << order, gfp, RET_IP);
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
	__free_pages(page, order);
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
	__free_pages(page, page_order(page));
}

unsigned long nr_free_pages(void)
{
	return node_free_pages_count(mem_node);
}

/*
 * Why a run of @nr pages for @gfp was not had: the free pages of the zones
 * @gfp may take (buddy lists; read without the zone locks, a report), their
 * largest free block, and the reserve (the min watermarks) they keep.
 */
void page_run_shortfall(unsigned long nr, gfp_t gfp, char *buf, size_t size)
{
	unsigned long free = 0, min = 0;
	int top = -1;

	for (struct zone *const *zl = mem_node->zonelist[gfp_highest_zone(gfp)]; *zl; zl++) {
		struct zone *z = *zl;

		free += __atomic_load_n(&z->free_pages, __ATOMIC_RELAXED);
		min += z->watermark[WMARK_MIN];
		for (int o = MAX_ORDER - 1; o > top; o--)
			if (__atomic_load_n(&z->free_area[o].nr_free, __ATOMIC_RELAXED)) {
				top = o;
				break;
			}
	}
	if (free < nr)
		ksnprintf(buf, size, "out of memory: %lu pages free in %s, %lu needed", free,
			  gfp_zone_text(gfp), nr);
	else if (free - nr < min)
		ksnprintf(buf, size, "low on memory: %lu pages free in %s, and taking %lu would go below the "
			  "%lu the zones keep in reserve (min watermarks)", free, gfp_zone_text(gfp), nr, min);
	else if (top < 0 || (1ul << top) < nr)
		ksnprintf(buf, size, "fragmentation: %lu pages free in %s, but no %lu of them in one free "
			  "block (the largest is order %d, %lu KiB)", free, gfp_zone_text(gfp), nr, top,
			  top < 0 ? 0ul : (PAGE_SIZE << top) >> 10);
	else if (fail_page_alloc.active || failslab.active)
		ksnprintf(buf, size, "fault injection (fail_page_alloc= or failslab=) failed it: %lu pages "
			  "free in %s, an order-%d block among them", free, gfp_zone_text(gfp), top);
	else
		ksnprintf(buf, size, "%lu pages free in %s, an order-%d block among them: taken by another "
			  "hart meanwhile", free, gfp_zone_text(gfp), top);
}

/* --- page runs beyond MAX_ORDER (alloc_contig_pages, mmzone.h) ----------- */

/* The order of the block at pfn @s in a run tiled from its start by the
 * largest aligned blocks that fit before @e. */
static unsigned int run_block_order(unsigned long s, unsigned long e)
{
	unsigned int order = 0;

	if (IS_ALIGNED(s, MAX_ORDER_NR_PAGES) && e - s >= MAX_ORDER_NR_PAGES) /* a run's middle */
		return MAX_ORDER - 1;
	while (IS_ALIGNED(s, 2ul << order) && s + (2ul << order) <= e)
		order++;
	return order;
}

/* [@start, @end) and the pages after it up to @tail_end were just taken off
 * @z's lists (and its free count): [start, end) becomes allocated blocks,
 * the largest aligned ones from @start, each with one reference, and
 * [end, tail_end) goes back on the lists. zone->lock held.
 * [end, tail_end) is the end of the last block taken (tail_end is aligned
 * to its order), so each of its pieces is the upper buddy of pages of that
 * block below it, none of which is free: no piece merges, so each is
 * listed straight away, as general (a run never lies in a small-use
 * pageblock). */
static void hand_out_run(struct zone *z, unsigned long start, unsigned long end,
			 unsigned long tail_end)
{
	for (unsigned long s = start; s < end;) {
		unsigned int order = run_block_order(s, end);
		struct page *page = node_pfn_to_page(z->node, s);

		page->flags = (page->flags & ~FREE_STATE_MASK) | PG_head | order_bits(order);
		page->refcount = 1;
		s += 1ul << order;
	}
	for (unsigned long s = end; s < tail_end;) {
		unsigned int order = run_block_order(s, tail_end);

		add_to_free_area(z, node_pfn_to_page(z->node, s), order, 0);
		if (unlikely(order >= PORT_RELEASE_MIN_ORDER))
			note_releasable(z, s, order);
		z->free_pages += 1ul << order;
		s += 1ul << order;
	}
}

/* --- exact runs inside one block (alloc_pages_exact, mm.h) --------------- */

/* Mark [s, e) of an allocated block as allocated blocks, the largest
 * aligned ones from @s, each with one reference; with @release each is
 * then freed (free_exact_piece, so KASAN sees it), noted as @caller's
 * free when not 0 (page_owner). */
static void retile_allocated(unsigned long s, unsigned long e, bool release, unsigned long caller)
{
	while (s < e) {
		unsigned int order = run_block_order(s, e);
		struct page *page = node_pfn_to_page(mem_node, s);

		page->flags = (page->flags & ~FREE_STATE_MASK) | PG_head | order_bits(order);
		page->refcount = 1;
		if (release)
			free_exact_piece(page, order, caller);
		s += 1ul << order;
	}
}

void *alloc_pages_exact(size_t size, gfp_t gfp)
{
	unsigned long nr = (size + PAGE_SIZE - 1) >> PAGE_SHIFT, pfn;
	unsigned int order = size ? get_order(size) : MAX_ORDER;
	/* (the tail's free takes the caller: page_owner notes it,
	 * init_on_free zeroes it) */
	unsigned long owner = frees_routed() ? RET_IP : 0;
	struct page *page;

	if (order >= MAX_ORDER)
		return NULL;
	/* (a run: general blocks, so that it can grow in place) */
	page = alloc_pages(gfp | __GFP_RUN, order);
	if (!page)
		return NULL;
	if (nr < (1ul << order)) { /* the tail given back: freed by the caller */
		pfn = node_page_to_pfn(mem_node, page);
		retile_allocated(pfn, pfn + nr, false, 0);
		retile_allocated(pfn + nr, pfn + (1ul << order), true, owner);
	}
	if (owner && page_owner_on)
		page_owner_note(mem_node, node_page_to_pfn(mem_node, page), nr, gfp, owner);
	return page_address(page);
}

/* free_pages_exact, noted as @caller's free when not 0 (page_owner on). */
static inline __attribute__((always_inline)) void free_exact_run(void *virt, size_t size,
								 unsigned long caller)
{
	unsigned long nr = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	struct page *page = virt_to_page(virt);
	unsigned long pfn;

	if (!page || !size) {
		kprintf("BUG: free_pages_exact(%p, %zu): not an exact run of RAM pages\n", virt, size);
		return;
	}
	pfn = node_page_to_pfn(mem_node, page);
	for (unsigned long s = pfn, e = pfn + nr; s < e;) {
		unsigned int order = run_block_order(s, e);

		free_exact_piece(node_pfn_to_page(mem_node, s), order, caller);
		s += 1ul << order;
	}
}

static __attribute__((noinline)) void free_pages_exact_owned(void *virt, size_t size,
							    unsigned long caller)
{
	free_exact_run(virt, size, caller);
}

void free_pages_exact(void *virt, size_t size)
{
	if (frees_routed()) {
		free_pages_exact_owned(virt, size, RET_IP);
		return;
	}
	free_exact_run(virt, size, 0);
}

/* May @nr pages leave @z for a run (a fit, a run grown in place, a page
 * run) asked with @gfp, whose highest zone is @highest: above the min mark,
 * half of it with __GFP_HIGH, plus the lowmem reserve. zone->lock held. */
static bool run_leaves_min(const struct zone *z, unsigned long nr, unsigned int highest, gfp_t gfp)
{
	long min = (long)z->watermark[WMARK_MIN];

	if (gfp & __GFP_HIGH)
		min -= min / 2;
	return (long)z->free_pages - (long)nr > min + (long)z->lowmem_reserve[highest];
}

/* --- best-fit runs across buddy boundaries (alloc_pages_fit, mm.h) ------ */

/*
 * A stretch is a maximal row of free pages of one zone. Its free blocks are
 * merged as far as the buddy rule lets them, so it is made of at most two
 * blocks of each order below the largest (plus any number of max-order
 * ones), and a stretch of n pages holds a block of order ilog2(n) - 1 or
 * more: looking at the lists from that order up finds every stretch that
 * can hold n pages.
 */
#define FIT_SCAN 32    /* stretches looked at per zone below the roomy-alone orders (best_stretch) */
#define ROOMY_SAMPLE 4 /* blocks looked at in each list of blocks roomy alone */

/* The order of the free block headed at @p when its flags show one of the
 * zone whose PG_buddy and zone bits are @want (free_block_want) outside
 * small-use pageblocks (PG_small: runs never take those), or -1. */
static inline int free_order(const struct page *p, u32 want)
{
	u32 f = p->flags;

	return (f & (PG_buddy | PG_small | PAGE_ZONE_MASK)) == want
		       ? (int)((f & PAGE_ORDER_MASK) >> PAGE_ORDER_SHIFT) : -1;
}

static inline u32 free_block_want(const struct zone *z)
{
	return PG_buddy | (u32)z->id << PAGE_ZONE_SHIFT;
}

/* The same for the page at @pfn of @z, any pfn. */
static int free_head_order(const struct zone *z, unsigned long pfn)
{
	return node_pfn_valid(z->node, pfn) ? free_order(node_pfn_to_page(z->node, pfn), free_block_want(z)) : -1;
}

/* How many free pages of @z follow @pfn in a row, up to @limit. */
static unsigned long free_run_from(const struct zone *z, unsigned long pfn, unsigned long limit)
{
	unsigned long len = 0;
	int o;

	while (len < limit && (o = free_head_order(z, pfn + len)) >= 0)
		len += 1ul << o;
	return MIN(len, limit);
}

/* The order of the largest block that may start at @pfn (not 0): its
 * alignment, at most MAX_ORDER - 1. A count-trailing-zeros where the
 * target has the instruction; the kernel's (rv64imac, no Zbb) has not
 * (GCC calls libgcc's __ctzdi2 there), so a loop. */
static inline int align_order(unsigned long pfn)
{
#if defined(__riscv) && !defined(__riscv_zbb)
	int j = 0;

	while (j < MAX_ORDER - 1 && IS_ALIGNED(pfn, 2ul << j))
		j++;
	return j;
#else
	return MIN(__builtin_ctzl(pfn), MAX_ORDER - 1);
#endif
}

/* The order of the free block of @ms that ends at @start (above the
 * section's start), @at heading @pfn's (@want as free_order), or -1. */
static inline __attribute__((always_inline)) int free_order_before(const struct mem_section *ms,
								   const struct page *at, unsigned long pfn,
								   unsigned long start, u32 want)
{
	int j = align_order(start);

	while (j >= 0 && (start - ms->start_pfn < (1ul << j) || free_order(at - (pfn - start) - (1l << j), want) != j))
		j--;
	return j;
}

/*
 * The start of the stretch around the free block headed at @at, as far as
 * it lies in its memory section; *len its length, or @limit when it is at
 * least that long (the walk stops there). A section's struct pages are one
 * array, so the walk moves by pointer; a stretch that runs on into the next
 * section (128 MiB on) is seen up to the section's edge. Backwards, the
 * block before @start is the one of order j at start - 2^j that is free
 * with order j, for the one j where one is (blocks are maximal, so a
 * smaller one there would have merged). j is at most the alignment of
 * @start, and is tried from there down, since the blocks walked back over
 * are mostly large ones: from j = 0 up, each max-order block cost eleven
 * looks (sqlite3's malloc in the host library 88.3 instructions per call
 * with pages grouped by use, 84.6 this way).
 */
static unsigned long free_stretch(const struct zone *z, const struct page *at, unsigned long limit,
				  unsigned long *len)
{
	const struct mem_section *ms = &z->node->sections[page_section(at)];
	const unsigned long pfn = ((uintptr_t)at - ms->map_base) / sizeof(struct page);
	const u32 want = free_block_want(z);
	unsigned long start = pfn, end = pfn;
	int o;

	while (end - start < limit && end < ms->end_pfn && (o = free_order(at + (end - pfn), want)) >= 0)
		end += 1ul << o;
	while (end - start < limit && start > ms->start_pfn) {
		int j = free_order_before(ms, at, pfn, start, want);

		if (j < 0)
			break;
		start -= 1ul << j;
	}
	*len = MIN(end - start, limit);
	return start;
}

/* The start of the stretch around the free block headed at @at (as far as
 * it lies in its memory section). */
static unsigned long stretch_start(const struct zone *z, const struct page *at)
{
	const struct mem_section *ms = &z->node->sections[page_section(at)];
	const unsigned long pfn = ((uintptr_t)at - ms->map_base) / sizeof(struct page);
	const u32 want = free_block_want(z);
	unsigned long start = pfn;

	while (start > ms->start_pfn) {
		int j = free_order_before(ms, at, pfn, start, want);

		if (j < 0)
			break;
		start -= 1ul << j;
	}
	return start;
}

/* Take the @nr pages at @start off @z's lists, hand them out as
 * allocated blocks and give the pages of the last block past them back
 * (hand_out_run). The caller found them free blocks of @z (a stretch
 * walk, free_run_from), so each block's head is read unchecked.
 * zone->lock held. */
static void take_free_run(struct zone *z, unsigned long start, unsigned long nr)
{
	unsigned long end = start + nr, pfn = start;

	while (pfn < end) {
		struct page *page = node_pfn_to_page(z->node, pfn);
		unsigned int o = page_order(page); /* (a free block's head: see above) */

		del_from_free_area(z, page, o);
		z->free_pages -= 1ul << o;
		pfn += 1ul << o;
	}
	hand_out_run(z, start, end, pfn);
}

/*
 * The stretch of @z that fits @nr pages best: its start, or ~0ul. Looked
 * for from the free blocks of order @top down to the least that can be in
 * a stretch of @nr pages. The shortest wins, except that stretches of
 * 2 * nr pages or more ("roomy") are all alike in length: the first met
 * of them stays (the lists are newest first: where blocks were freed
 * last), or with port_fit_lowest the lowest in memory wins. Of the lists
 * whose blocks are roomy alone (orders above ilog2(nr) + 1; only @top
 * above the run's order reaches them) the first ROOMY_SAMPLE blocks are
 * walked, not counted; of the lists below, the first FIT_SCAN stretches
 * met are (a stretch met again from another of its blocks counts again:
 * the scan stays a bounded number of walks).
 *
 * The malloc library (port_fit_lowest, @top the largest order) keeps a
 * program's blocks where its pages are resident already: its heap grows
 * upwards, so the memory never touched lies above. With the kernel's rule
 * blocks wandered over the whole heap and every page of it became
 * resident: a loop of random sizes up to 64 KiB in 256 slots (8.4 MB
 * live) held 21 MB against glibc's 11, now 14; one block a list instead
 * of four left python3's compileall at 32.0 MB instead of 26.2 (docs/
 * memory.md, "Best-fit pages"). In the kernel, whose RAM is all there,
 * the rule bought nothing measured (the benchmarks' unusable free space
 * the same) for 45% more instructions a fit. Ranking roomy stretches by
 * length instead made a buffer that moves as it grows (a new block taken
 * before the old one is freed, beside small blocks kept) walk on through
 * untouched memory: each new block took the stretch just ahead of the
 * last, a little shorter than the one behind that the freed blocks had
 * joined. The first stretch is walked to its start (up to nr + 2
 * max-order blocks), so a block goes at the low end of one and leaves the
 * rest whole; once one fits, the walks stop at its length, and a roomy one
 * found later starts where its walk back stopped. Those cut walks still
 * rank stretches by place rightly (stretches do not overlap), but with
 * port_fit_lowest the one that wins is then walked to its start (about
 * 150 instructions a fit: malloc-randloop's million operations, 118
 * thousand fits, 1305 -> 1323 million instructions). Where its walk
 * stopped was wherever the block met first lay, and in a stretch of more
 * max-order blocks than the scan looks at that was, round after round,
 * the next block down of its newest-first list (the block freed last
 * round went to the head): a 3 MB buffer freed and taken again in a loop
 * walked down a block a round through pages given back, faulting each in
 * (malloc-edge's big_buffers_keep_pages failed one run in ten on SLOB).
 */
static unsigned long best_stretch(const struct zone *z, unsigned long nr, int top)
{
	unsigned long best = ~0ul, found = ~0ul, roomy = 2 * nr, limit = nr + 2 * MAX_ORDER_NR_PAGES;
	int low = -1; /* ilog2(nr) - 1 */
	unsigned int seen = 0;

	for (unsigned long n = nr; n > 1; n >>= 1)
		low++;
	low = MIN(MAX(low, 0), MAX_ORDER - 1); /* (a longer stretch holds max-order blocks) */

	for (int o = top; o >= low; o--) {
		const bool roomy_alone = port_fit_lowest && o > low + 2;
		unsigned int walked = 0;
		struct list_head *pos;

		list_for_each(pos, &z->free_area[o].free_list) {
			unsigned long len, start;

			if (roomy_alone && ++walked > ROOMY_SAMPLE)
				break;
			/* Once one fits (best <= roomy), only a shorter or,
			 * at roomy, a lower stretch can win: the walks stop
			 * at best pages. */
			start = free_stretch(z, list_entry(pos, struct page, lru), best <= roomy ? best : limit, &len);
			if (len >= roomy)
				len = roomy;
			if (len >= nr && (len < best || (port_fit_lowest && len == best && start < found))) {
				best = len;
				found = start;
			}
			if (best == nr || (!roomy_alone && ++seen == FIT_SCAN))
				goto done;
		}
	}
done:
	if (port_fit_lowest && found != ~0ul) /* to the stretch's start */
		found = stretch_start(z, node_pfn_to_page(z->node, found));
	return found;
}

/* The run of @nr pages at @pfn just taken, as alloc_pages hands a block out
 * (KASAN: accessible; __GFP_ZERO: cleared): its address. */
static void *prep_fit_run(unsigned long pfn, unsigned long nr, gfp_t gfp)
{
	for (unsigned long s = pfn, e = pfn + nr; s < e;) {
		unsigned int order = run_block_order(s, e);

		kasan_alloc_pages(node_pfn_to_page(mem_node, s), order);
		s += 1ul << order;
	}
	if (want_init_on_alloc(gfp))
		zero_pfns(pfn, nr);
	return phys_to_virt(PFN_PHYS(pfn));
}

/* @nr pages from a stretch of a zone of @gfp's zonelist with free blocks
 * up to order @top: their address, or NULL. */
static void *take_fit(unsigned long nr, int top, gfp_t gfp)
{
	unsigned int highest = gfp_highest_zone(gfp);

	for (struct zone *const *zl = mem_node->zonelist[highest]; *zl; zl++) {
		struct zone *z = *zl;
		unsigned long pfn = ~0ul, flags = spin_lock_irqsave(&z->lock);

		if (run_leaves_min(z, nr, highest, gfp)) {
			pfn = best_stretch(z, nr, top);
			if (pfn != ~0ul)
				take_free_run(z, pfn, nr);
		}
		zone_unlock_irqrestore(z, flags);
		if (pfn != ~0ul) {
			check_low_watermark(z);
			return prep_fit_run(pfn, nr, gfp);
		}
	}
	return NULL;
}

void *alloc_pages_fit(size_t size, gfp_t gfp)
{
	unsigned long nr = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	int order = (int)get_order(size);
	void *p;

	if (!size || nr > PAGES_PER_SECTION)
		return NULL;
	/* fail_page_alloc sees the run as one request of its order, as it sees
	 * alloc_pages_exact's: the fallback below is not asked again. */
	if (fault_injected(gfp, (unsigned int)order))
		return NULL;
	p = take_fit(nr, port_fit_lowest || order >= MAX_ORDER ? MAX_ORDER - 1 : order - 1, gfp);
	if (!p && order < MAX_ORDER)
		p = alloc_pages_exact(size, gfp | __GFP_NOWARN | __GFP_FAULT_ASKED | __GFP_RUN);
	if (!p) { /* per-hart pages may complete a stretch */
		node_drain_pages(mem_node);
		p = take_fit(nr, MAX_ORDER - 1, gfp);
	}
	if (!p && !(gfp & __GFP_NOWARN))
		warn_alloc_failure(mem_node, gfp, (unsigned int)order);
	if (unlikely(page_owner_on) && p) /* (no page lookup while it is off) */
		note_owner(virt_to_page(p), nr, gfp, RET_IP);
	return p;
}

/* Take @nr pages at @pfn (a free run of whole max-order blocks found by
 * lowest_free_run) off the lists; hand out the run's blocks and give the
 * rest of the last max-order block back. zone->lock held. */
static void take_run(struct zone *z, unsigned long pfn, unsigned long nr)
{
	unsigned long k = (nr + MAX_ORDER_NR_PAGES - 1) / MAX_ORDER_NR_PAGES, end = pfn + nr;
	unsigned long tail_end = pfn + k * MAX_ORDER_NR_PAGES;

	for (unsigned long i = 0; i < k; i++)
		del_from_free_area(z, node_pfn_to_page(z->node, pfn + i * MAX_ORDER_NR_PAGES), MAX_ORDER - 1);
	z->free_pages -= k * MAX_ORDER_NR_PAGES;
	hand_out_run(z, pfn, end, tail_end);
}

/*
 * The first pfn of the lowest run of @k free max-order blocks of @z that
 * starts aligned to @align, or ~0ul: a walk over the node's free_max map
 * in address order, a section's word at a time where it has no free
 * block (zones are disjoint ranges of pfns, so a listed block inside z's
 * is z's). The lowest, not the first on the list (the block freed last):
 * a run freed and taken again finds the same pages, and the free memory
 * above stays in one piece for the next big run, where the first fit left
 * runs freed below to smaller requests and took a big aligned one ever
 * higher (a round of aligned blocks each doubled, repeated: the malloc
 * library's heap grew at every round). The map replaced a walk of the
 * max-order list checking a run from each block: a cache miss per listed
 * block, 18% of the time of a program taking and freeing blocks of 1 to
 * 64 MiB among 16 live (about 140 blocks listed; malloc-edge bigcycle).
 */
static unsigned long lowest_free_run(const struct zone *z, unsigned long k, unsigned long align)
{
	const struct pglist_data *node = z->node;
	unsigned long end = zone_end_pfn(z), start = ~0ul; /* start: the free stretch's first block */

	for (unsigned long pfn = ALIGN_UP(z->zone_start_pfn, MAX_ORDER_NR_PAGES);
	     pfn + MAX_ORDER_NR_PAGES <= end;) {
		u32 bits = free_max_bits(node, pfn);
		unsigned long cand;

		if (!(bits & 1)) { /* not free: on to the next free block */
			start = ~0ul;
			pfn = bits ? pfn + MAX_ORDER_NR_PAGES * lowest_set_bit(bits)
				   : ALIGN_DOWN(pfn, PAGES_PER_SECTION) + PAGES_PER_SECTION;
			continue;
		}
		if (start == ~0ul)
			start = pfn;
		cand = ALIGN_UP(start, align);
		if (cand + k * MAX_ORDER_NR_PAGES <= pfn + MAX_ORDER_NR_PAGES)
			return cand;
		pfn += MAX_ORDER_NR_PAGES;
	}
	return ~0ul;
}

/* The lowest free run of @nr pages aligned to @align in @z (lowest_free_run),
 * taken; its first pfn or ~0ul. */
static unsigned long zone_take_run(struct zone *z, unsigned long nr, unsigned long align,
				   unsigned int highest, gfp_t gfp)
{
	unsigned long k = (nr + MAX_ORDER_NR_PAGES - 1) / MAX_ORDER_NR_PAGES, found = ~0ul;
	unsigned long flags = spin_lock_irqsave(&z->lock);

	if (run_leaves_min(z, nr, highest, gfp)) {
		found = lowest_free_run(z, k, align);
		if (found != ~0ul)
			take_run(z, found, nr);
	}
	zone_unlock_irqrestore(z, flags);
	return found;
}

/* The first pfn of a run taken from a zone of @gfp's zonelist, or ~0ul. */
static unsigned long zonelist_take_run(unsigned long nr_pages, unsigned long align_pages, gfp_t gfp)
{
	unsigned int highest = gfp_highest_zone(gfp);

	for (struct zone *const *zl = mem_node->zonelist[highest]; *zl; zl++) {
		unsigned long pfn = zone_take_run(*zl, nr_pages, align_pages, highest, gfp);

		if (pfn != ~0ul) {
			check_low_watermark(*zl);
			return pfn;
		}
	}
	return ~0ul;
}

/* A run not found: counted as a failure of the zones it could have used
 * and, unless __GFP_NOWARN, reported every time (a run is rare and big, its
 * failure is not one of an order the buddy warning has seen). */
static __attribute__((noinline, cold)) void warn_contig_failure(unsigned long nr_pages,
								unsigned long align_pages, gfp_t gfp)
{
	const struct zone *highest = mem_node->zonelist[gfp_highest_zone(gfp)][0];

	count_alloc_failure(mem_node, gfp);
	if (gfp & __GFP_NOWARN)
		return;
	kprintf("alloc_contig_pages: no free run of %lu pages aligned to %lu in %s or below, "
		"mode:0x%x, free pages:", nr_pages, align_pages, highest ? highest->name : "no zone", gfp);
	print_zone_free(mem_node);
}

/* No free run: the per-hart lists may hold pages whose return would let
 * max-order blocks re-form (a run's order-0 tail goes to one on free), so
 * they are drained and the zones tried once more. fail_page_alloc sees the
 * run as a request of its order (above MAX_ORDER - 1), as alloc_pages_fit's. */
struct page *alloc_contig_pages(unsigned long nr_pages, gfp_t gfp, unsigned long align_pages)
{
	unsigned long pfn;

	if (!align_pages)
		align_pages = MAX_ORDER_NR_PAGES;
	if (!nr_pages || (align_pages & (align_pages - 1)) || align_pages < MAX_ORDER_NR_PAGES)
		return NULL;
	if (fault_injected(gfp, (unsigned int)get_order(nr_pages << PAGE_SHIFT)))
		return NULL;
	pfn = zonelist_take_run(nr_pages, align_pages, gfp);
	if (pfn == ~0ul) {
		node_drain_pages(mem_node);
		pfn = zonelist_take_run(nr_pages, align_pages, gfp);
	}
	if (pfn == ~0ul) {
		warn_contig_failure(nr_pages, align_pages, gfp);
		return NULL;
	}
	if (want_init_on_alloc(gfp))
		zero_pfns(pfn, nr_pages);
	note_owner(node_pfn_to_page(mem_node, pfn), nr_pages, gfp, RET_IP);
	return node_pfn_to_page(mem_node, pfn);
}

unsigned long free_pages_at(unsigned long pfn, unsigned long limit)
{
	unsigned long len, flags;
	struct zone *z;

	if (!node_pfn_valid(mem_node, pfn))
		return 0;
	z = page_zone(mem_node, node_pfn_to_page(mem_node, pfn));
	flags = spin_lock_irqsave(&z->lock);
	len = free_run_from(z, pfn, limit);
	spin_unlock_irqrestore(&z->lock, flags);
	return len;
}

/* The first block of the run [@pfn, @end), tiled from its start
 * (run_block_order), that the run's tiling to @new_end > @end changes: the
 * blocks before it are those of both tilings. */
static unsigned long first_retiled(unsigned long pfn, unsigned long end, unsigned long new_end)
{
	unsigned long s = pfn;

	while (s < end && run_block_order(s, end) == run_block_order(s, new_end))
		s += 1ul << run_block_order(s, end);
	return s;
}

/* Is @z one of the zones a request of @gfp may take pages from? */
static bool zone_serves(const struct zone *z, gfp_t gfp)
{
	for (struct zone *const *zl = mem_node->zonelist[gfp_highest_zone(gfp)]; *zl; zl++)
		if (*zl == z)
			return true;
	return false;
}

/*
 * Grow the allocated run of @nr pages at @pfn, tiled from its start, to
 * @new_nr pages in place when its zone is one @gfp may use (zone_serves),
 * the pages past it are free blocks of that zone and the zone stays above
 * its min watermark (run_leaves_min) for @gfp: they are taken
 * (take_free_run, which gives back what the last block holds past the new
 * end), and the run's blocks from the first one the new end changes are
 * tiled again as a run of @new_nr pages is; the head keeps its page type.
 * The new pages are prepared as a fit run's (prep_fit_run).
 */
static bool extend_run(unsigned long pfn, unsigned long nr, unsigned long new_nr, gfp_t gfp)
{
	unsigned long end = pfn + nr, new_end = pfn + new_nr, redo, flags;
	unsigned int highest = gfp_highest_zone(gfp);
	struct page *head;
	struct zone *z;
	bool grown = false;

	if (new_nr <= nr || !node_pfn_valid(mem_node, pfn) || !node_pfn_valid(mem_node, end))
		return false;
	head = node_pfn_to_page(mem_node, pfn);
	z = page_zone(mem_node, head);
	if (!zone_serves(z, gfp)) /* a Normal run is not grown for GFP_DMA32 */
		return false;
	redo = first_retiled(pfn, end, new_end);
	flags = spin_lock_irqsave(&z->lock);
	if (run_leaves_min(z, new_nr - nr, highest, gfp) &&
	    free_run_from(z, end, new_nr - nr) == new_nr - nr) {
		u32 type = head->flags & PAGE_TYPE_MASK;

		take_free_run(z, end, new_nr - nr);
		for (unsigned long s = redo; s < new_end; s++) {
			struct page *page = node_pfn_to_page(mem_node, s);

			page->flags &= ~FREE_STATE_MASK;
			page->refcount = 0;
		}
		retile_allocated(redo, new_end, false, 0);
		head->flags |= type;
		grown = true;
	}
	zone_unlock_irqrestore(z, flags);
	if (grown) {
		check_low_watermark(z);
		prep_fit_run(end, new_nr - nr, gfp);
		if (unlikely(page_owner_on)) /* the new pages are the run's owner's */
			page_owner_extend(mem_node, pfn, nr, new_nr);
	}
	return grown;
}

bool extend_pages_exact(void *virt, unsigned long nr, unsigned long new_nr, gfp_t gfp)
{
	struct page *page = virt_to_page(virt);

	return page && extend_run(node_page_to_pfn(mem_node, page), nr, new_nr, gfp);
}

/* A run from alloc_contig_pages is tiled from its start as any run: its
 * whole max-order blocks stay, the rest is tiled again. */
bool extend_contig_range(unsigned long pfn, unsigned long nr_pages, unsigned long new_nr, gfp_t gfp)
{
	return extend_run(pfn, nr_pages, new_nr, gfp);
}

/*
 * The run's blocks go straight onto the zone's lists (an order-0 piece
 * too), its max-order blocks last and from the end backwards, so that its
 * first block heads the max-order list (a smaller request that splits a
 * max-order block takes the head). A run of the size taken again finds
 * the same pages (zone_take_run takes the lowest fit); it once found a
 * block further on, in memory a host process had given back (a 20 MB
 * buffer freed and taken again in a loop: every round faulted in a block).
 */
static inline __attribute__((always_inline)) void free_contig(unsigned long pfn,
							      unsigned long nr_pages,
							      unsigned long caller)
{
	unsigned long end = pfn + nr_pages, max_lo = end, max_hi = end;

	for (unsigned long s = pfn; s < end;) {
		unsigned int order = run_block_order(s, end);

		if (!node_pfn_valid(mem_node, s)) {
			mem_node->nr_bad_pages++;
			mem_node->last_bad_reason = "free_contig_range of pages that are not RAM";
			kprintf("BUG: free_contig_range(0x%lx, %lu): pfn 0x%lx is not RAM\n", pfn,
				nr_pages, s);
			return;
		}
		s += 1ul << order;
	}
	for (unsigned long s = pfn; s < end;) {
		unsigned int order = run_block_order(s, end);

		if (order == MAX_ORDER - 1) { /* the max-order blocks are one stretch */
			if (max_lo == end)
				max_lo = s;
			max_hi = s + (1ul << order);
		} else {
			free_checked(mem_node, node_pfn_to_page(mem_node, s), order, false, caller);
		}
		s += 1ul << order;
	}
	for (unsigned long s = max_hi; s > max_lo;) {
		s -= MAX_ORDER_NR_PAGES;
		free_checked(mem_node, node_pfn_to_page(mem_node, s), MAX_ORDER - 1, false, caller);
	}
}

static __attribute__((noinline)) void free_contig_owned(unsigned long pfn, unsigned long nr_pages,
						       unsigned long caller)
{
	free_contig(pfn, nr_pages, caller);
}

void free_contig_range(unsigned long pfn, unsigned long nr_pages)
{
	if (frees_routed()) {
		free_contig_owned(pfn, nr_pages, RET_IP);
		return;
	}
	free_contig(pfn, nr_pages, 0);
}
