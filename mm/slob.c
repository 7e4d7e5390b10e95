/*
 * slob.c - SLOB: the small-object allocator behind kmalloc. This file holds
 * what both models share; the block formats and their algorithms are in
 * mm/slob_classic.c (SLOB_CLASSIC, Linux 2.6.20's design, kept for
 * comparison) and mm/slob_segfit.c (SLOB_SEGFIT, the default).
 *
 * The heap. A struct slob_heap is one allocator instance: the kernel's
 * kmalloc_heap, the slab allocator's metadata heap, and the private heaps
 * of tests and benchmarks. Its mode is fixed at slob_heap_init. Every
 * block operation runs under the heap's spinlock, interrupts masked; the
 * model functions (mm/slob_internal.h) are called with it held.
 *
 * Pages. A heap takes pages one at a time from the buddy allocator
 * (get_slob_page); each carries PGTY_SLOB and page->priv = its heap, and
 * sits on heap->pages, so kfree finds the heap of any pointer in O(1) and
 * slob_free can tell a pointer into another heap. Blocks never cross a
 * page, so a page whose blocks are all free can go back (put_slob_page):
 * at once on classic, beyond keep_empty such pages on segfit. nr_pages,
 * big_pages and peak_pages count what the heap holds; max_pages (tests)
 * caps SLOB and bigblock pages together.
 *
 * Bigblocks. Requests bigger than a SLOB page can hold are pages straight
 * from the buddy allocator (slob_big_alloc: exactly the pages the size
 * needs; a power of two of them one block, aligned to its size; others
 * placed best-fit, alloc_pages_fit), PGTY_BIGBLOCK with page->priv = the
 * heap and bigblock_pages their number in the head page (slob_big_grow
 * adds the free pages right after one to it in place: krealloc and the
 * malloc library's realloc): mm/kmalloc.c
 * sends those above SLOB_SEG_KMALLOC_MAX, slob_kmalloc_other those of a
 * classic heap above its own smaller limit (slob_kmalloc_max), and kfree
 * finds them by page type. Their pages are claimed against max_pages under
 * the lock, which is dropped around the page allocator; before that a
 * segfit heap gives back the pages it keeps idle for reuse
 * (seg_release_idle), which would otherwise be held beside them.
 *
 * Kept bigblocks. A heap with big_keep_max set (the malloc library's
 * kmalloc heap; 0 in the kernel, whose memory is what it lacks) keeps, per
 * hart, the last SLOB_BIG_KEEP bigblocks that hart freed of at most a
 * quarter of big_keep_max pages, big_keep_max pages a hart, instead of
 * giving them back (struct slob_big_kept: a lock and a cache line of its
 * own, so harts keep and take them without the heap's lock). That hart's
 * next bigblock of the same number of pages, or of up to a quarter fewer
 * (the block keeps its pages: ksize reports them), in a zone the request
 * allows, is then one slot away (a hart that keeps none looks at the
 * others' slots it can lock at once: a producer whose blocks another
 * thread frees), where the page allocator's best fit and its frees cost
 * about two thousand instructions a pair (a program that opens and closes
 * directories: each a 32 KiB buffer and a header, nine pages) and take the
 * zone's lock: two threads taking and freeing blocks of 8 to 100 KB spent
 * most of their time waiting for each other there.
 * A kept block stays PGTY_BIGBLOCK with BIGBLOCK_KEPT in its head's
 * bigblock_pages, so kfree, ksize and krealloc of it report a second free
 * (owner_page), and stays counted in big_pages and big_blocks (the pages
 * the heap holds; slob_get_stats reports the live ones, KmallocBig, and
 * the kept ones apart). slob_heap_shrink (kmalloc's heaps: the shrinker,
 * drop_caches, the library's malloc_trim) and slob_heap_destroy give
 * every hart's kept ones back, and so does a bigblock that max_pages would
 * refuse; a freed block kept when the hart's slots are full, or its
 * big_keep_max would be passed, sends its oldest kept ones back. Not with
 * page_owner on (its records would name the freed block's allocator) nor
 * in the KASAN kernel (a kept block would not be poisoned).
 *
 * Entry points. slob_alloc/slob_free (fixed-size blocks, the caller keeps
 * the size), slob_ksize, slob_heap_destroy, slob_get_stats and slob_check
 * choose the model by h->mode. kmalloc's fast paths, slob_kmalloc and
 * slob_kfree, are in mm/slob_segfit.c with the block operations they
 * inline; slob_kmalloc sends everything but a plain segfit request
 * (classic heaps, __GFP_ZERO, failslab, KFENCE, a heap not set up yet:
 * !kmalloc_plain) to
 * slob_kmalloc_other here, and failslab checks only there and in
 * slob_big_alloc, KFENCE's sampling only there.
 *
 * Costs (make bench, docs/benchmarks.md): a kmalloc + kfree pair of one
 * size on a segfit heap is about 115 instructions for a size page's object,
 * about 140 for a parked block up to 512 bytes and about 150 for a parked
 * 3000-byte block (mm/slob_segfit.c); on the
 * churn workload, 80% powers of two that kmalloc aligns to their size,
 * segfit takes about 90 per operation, classic about 2600 (each free walks
 * the list), picolibc's malloc (no such alignment) about 850.
 */
#include <mm/fault_inject.h>
#include <mm/kasan.h>
#include <mm/kfence.h>
#include <lib/kstring.h>
#include <mm/mm.h>
#include <mm/page_owner.h>
#include <mm/slob.h>

#include "slob_internal.h"
#include "internal.h"

struct slob_heap kmalloc_heap;

/* Would @n more pages take @h past its max_pages (tests)? */
static bool over_limit(const struct slob_heap *h, unsigned long n)
{
	return h->max_pages && slob_heap_pages(h) + n > h->max_pages;
}

static void count_page(struct slob_heap *h, long delta)
{
	h->nr_pages += (unsigned long)delta;
	if (slob_heap_pages(h) > h->peak_pages)
		h->peak_pages = slob_heap_pages(h);
}

/* ========================= kept bigblocks ================================ */

/* Give the bigblock headed by @page (@n pages, no longer counted, its
 * type still set) back to the page allocator. */
static void give_back_big(struct page *page, unsigned long n)
{
	page->priv = 0;
	set_page_type(page, PGTY_NONE);
	if (n == 1ul << page_order(page))
		__free_pages(page, page_order(page));
	else
		free_pages_exact(page_address(page), n << PAGE_SHIFT);
}

static bool keeps_big(const struct slob_heap *h)
{
#ifdef CONFIG_KASAN
	(void)h;
	return false;
#else
	return h->big_keep_max && !page_owner_on && !meminit_routed();
#endif
}

/* The zone bits memory of @page's zone satisfies (gfp_zone_satisfies). */
static gfp_t zone_bits_of(const struct page *page)
{
	unsigned int z = page_zonenum(page);

	return z == ZONE_DMA ? __GFP_DMA : z == ZONE_DMA32 ? __GFP_DMA32 : 0;
}

/* The calling hart's kept bigblocks of @h, locked, in a section (*flags). */
static struct slob_big_kept *lock_own_kept(struct slob_heap *h, unsigned long *flags)
{
	struct slob_big_kept *k;

	*flags = irq_save();
	k = &h->big_kept[this_cpu()];
	spin_lock(&k->lock);
	return k;
}

static void unlock_kept(struct slob_big_kept *k, unsigned long flags)
{
	spin_unlock(&k->lock);
	irq_restore(flags);
}

/* The block in slot @i of @k, taken out (k->lock held): its head, marked
 * live again; still counted in the heap's big_pages and big_blocks. */
static inline __attribute__((always_inline)) struct page *unkeep(struct slob_big_kept *k, unsigned int i)
{
	struct page *page = k->blocks[i];

	for (k->nr--; i < k->nr; i++)
		k->blocks[i] = k->blocks[i + 1];
	k->blocks[k->nr] = NULL;
	/* (read without the lock: slob_big_kept_pages, release_kept_big) */
	__atomic_store_n(&k->pages, k->pages - bigblock_npages(page), __ATOMIC_RELAXED);
	page->bigblock_pages = bigblock_npages(page);
	return page;
}

/* The @nr live bigblocks of @h at @pages (taken out of kept slots, or
 * freed) no longer counted (h->lock held). */
static void uncount_blocks(struct slob_heap *h, struct page **pages, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++) {
		h->big_pages -= pages[i]->bigblock_pages;
		h->big_blocks--;
	}
}

/* ... and then back to the page allocator. */
static void give_back_blocks(struct page **pages, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++)
		give_back_big(pages[i], pages[i]->bigblock_pages);
}

/* Every hart's kept bigblocks of @h back to the page allocator (h->lock
 * held; a hart's slots are emptied under its lock, the blocks given back
 * after it). */
static void release_kept_big(struct slob_heap *h)
{
	for (unsigned int cpu = 0; cpu < MAX_HARTS; cpu++) {
		struct slob_big_kept *k = &h->big_kept[cpu];
		struct page *out[SLOB_BIG_KEEP];
		unsigned int nr = 0;

		if (!__atomic_load_n(&k->pages, __ATOMIC_RELAXED))
			continue;
		spin_lock(&k->lock);
		while (k->nr)
			out[nr++] = unkeep(k, k->nr - 1);
		spin_unlock(&k->lock);
		uncount_blocks(h, out, nr);
		give_back_blocks(out, nr);
	}
}

unsigned long slob_big_kept_pages(struct slob_heap *h)
{
	unsigned long pages = 0;

	for (unsigned int cpu = 0; cpu < MAX_HARTS; cpu++)
		pages += __atomic_load_n(&h->big_kept[cpu].pages, __ATOMIC_RELAXED);
	return pages;
}

/* Keep the bigblock headed by @page (@n pages) in @k (locked) for reuse,
 * as its newest. The oldest makes room when the slots are full, and the
 * next oldest too while big_keep_max would be passed; those are taken out
 * into @out: how many. */
static unsigned int keep_big(const struct slob_heap *h, struct slob_big_kept *k, struct page *page,
			     unsigned long n, struct page **out)
{
	unsigned int nr = 0;

	if (unlikely(k->nr == SLOB_BIG_KEEP || k->pages + n > h->big_keep_max))
		do
			out[nr++] = unkeep(k, 0);
		while (k->nr && k->pages + n > h->big_keep_max);
	k->blocks[k->nr++] = page;
	page->bigblock_pages = n | BIGBLOCK_KEPT;
	__atomic_store_n(&k->pages, k->pages + n, __ATOMIC_RELAXED);
	return nr;
}

/* The newest block kept in @k (locked) with @n to @most pages, in a zone
 * @want allows and aligned to @align: taken out, or NULL. */
static inline __attribute__((always_inline)) struct page *
take_fitting(struct slob_big_kept *k, unsigned long n, unsigned long most, gfp_t want, size_t align)
{
	for (unsigned int i = k->nr; i-- > 0;) {
		struct page *p = k->blocks[i];
		unsigned long m = bigblock_npages(p);

		if (m < n || m > most || !gfp_zone_satisfies(zone_bits_of(p), want) ||
		    (align > PAGE_SIZE && !IS_ALIGNED((uintptr_t)page_address(p), align)))
			continue;
		return unkeep(k, i);
	}
	return NULL;
}

/* A block for @n pages kept by another hart than @me, whose slots are not
 * locked at the moment: taken, or NULL. */
static struct page *take_from_others(struct slob_heap *h, unsigned int me, unsigned long n, unsigned long most,
				     gfp_t want, size_t align)
{
	struct page *page = NULL;

	for (unsigned int c = (me + 1) % MAX_HARTS; !page && c != me; c = (c + 1) % MAX_HARTS) {
		struct slob_big_kept *k = &h->big_kept[c];

		if (!__atomic_load_n(&k->pages, __ATOMIC_RELAXED) || !spin_trylock(&k->lock))
			continue;
		page = take_fitting(k, n, most, want, align);
		spin_unlock(&k->lock);
	}
	return page;
}

/* A kept bigblock that serves @n pages: @gfp's zones (and the heap's) allow
 * it, it is aligned to @align, and it has n to n + n / 4 pages (more than
 * asked stay the block's, ksize reports them, and they go back with it).
 * The calling hart's newest such (a block freed and taken again at once is
 * the first looked at); when the hart keeps none at all, one another hart
 * keeps: a thread that only allocates (a producer whose blocks another
 * thread frees) takes the blocks its partner freed, not the page
 * allocator's. Taken, its address; NULL when none. */
static __attribute__((noinline)) void *take_kept_big(struct slob_heap *h, unsigned long n, gfp_t gfp,
						    size_t align)
{
	gfp_t want = (gfp | h->zone_gfp) & GFP_ZONEMASK;
	unsigned long flags, most = n + n / 4;
	struct slob_big_kept *k = lock_own_kept(h, &flags);
	struct page *page = take_fitting(k, n, most, want, align);
	bool none = !k->nr && !page;

	spin_unlock(&k->lock);
	if (none)
		page = take_from_others(h, this_cpu(), n, most, want, align);
	irq_restore(flags);
	return page ? page_address(page) : NULL;
}

void *get_slob_page(struct slob_heap *h, gfp_t gfp)
{
	struct page *page;

	if (over_limit(h, 1))
		return NULL;
	page = alloc_pages((gfp & ~__GFP_ZERO) | h->zone_gfp | __GFP_SKIP_ZERO, 0); /* (slob_zeroes) */
	if (!page)
		return NULL;
	set_page_type(page, PGTY_SLOB);
	page->priv = (unsigned long)h;
	list_add(&page->lru, &h->pages);
	count_page(h, 1);
	if (h == &kmalloc_heap)
		kmalloc_note_held(); /* kmalloc=slab's peak, with its heap classes */
	return page_address(page);
}

void put_slob_page(struct slob_heap *h, void *addr)
{
	struct page *page = virt_to_page(addr);

	list_del(&page->lru);
	page->priv = 0;
	set_page_type(page, PGTY_NONE);
	count_page(h, -1);
	__free_pages(page, 0);
}

/* The struct page of p when p is inside one of h's pages, else NULL. kfree
 * checks the page type before it calls in; slob_free must check it itself:
 * the last block freed in a page that went back to the buddy allocator
 * still has the header of a live block. */
static struct page *heap_page_of(const struct slob_heap *h, const void *p)
{
	struct page *page = sp_addr_page(p);

	return page && page_type(page) == PGTY_SLOB && page->priv == (unsigned long)h ? page : NULL;
}

/* ======================= the heap's interface ============================ */

/* slob_kmalloc's fast path serves @h: segfit, and nothing that must see
 * every allocation (fault injection, KFENCE; init_on_alloc= and
 * init_on_free=, whose zeroing is in slob_kmalloc_other). */
static void set_plain(struct slob_heap *h)
{
	h->kmalloc_plain = h->mode == SLOB_SEGFIT && !h->fault_inject && !h->kfence && !meminit_routed();
}

void slob_heap_init(struct slob_heap *h, const char *name, enum slob_mode mode)
{
	memset(h, 0, sizeof(*h));
	h->name = name;
	h->mode = mode;
	set_plain(h);
	h->secret = (u32)((uintptr_t)h >> 4) * 0x9e3779b1u;
	h->sp_key = sizepage_key(h);
	h->sp_lo_pfn = ~0ul; /* no size page yet: an empty range */
	for (unsigned int e = 0; e < ARRAY_SIZE(h->sp_cut); e++)
		h->sp_cut[e] = SP_NIL;
	h->keep_empty = mode == SLOB_SEGFIT ? 1 : 0;
	h->arena.units = 1;
	h->arena.next = &h->arena;
	h->slobfree = &h->arena;
	INIT_LIST_HEAD(&h->pages);
	if (h == &kmalloc_heap && failslab_targets(name))
		slob_heap_set_fault_inject(h, true);
}

void slob_heap_set_fault_inject(struct slob_heap *h, bool on)
{
	unsigned long flags = spin_lock_irqsave(&h->lock);

	h->fault_inject = on;
	set_plain(h);
	spin_unlock_irqrestore(&h->lock, flags);
}

void slob_heap_set_kfence(struct slob_heap *h, bool on)
{
	unsigned long flags = spin_lock_irqsave(&h->lock);

	h->kfence = on;
	set_plain(h);
	spin_unlock_irqrestore(&h->lock, flags);
}

unsigned long slob_heap_destroy(struct slob_heap *h)
{
	unsigned long flags;
	unsigned long busy;

	kasan_cache_drain(NULL); /* (the KASAN kernel) the blocks it still holds */
	flags = spin_lock_irqsave(&h->lock);
	release_kept_big(h);

	if (h->mode == SLOB_SEGFIT)
		busy = seg_release_pages(h);
	else
		busy = h->nr_pages; /* classic returns empty pages as they empty */
	spin_unlock_irqrestore(&h->lock, flags);
	return busy;
}

unsigned long slob_reuse_pages(struct slob_heap *h)
{
	unsigned long flags = spin_lock_irqsave(&h->lock);
	unsigned long n = 0;

	if (h->mode == SLOB_SEGFIT)
		n = h->nr_empty + (h->sp_kept != NULL) + sizepage_idle_pages(h);
	spin_unlock_irqrestore(&h->lock, flags);
	return n;
}

void *slob_alloc(struct slob_heap *h, size_t size, gfp_t gfp, size_t align)
{
	unsigned long flags;
	void *p;

	/* Blocks never cross a page: no alignment above a page can be met. */
	if (size == 0 || size > slob_kmalloc_max(h) || (align & (align - 1)) || align > PAGE_SIZE)
		return NULL;
	flags = spin_lock_irqsave(&h->lock);
	p = h->mode == SLOB_SEGFIT ? seg_alloc(h, size, gfp, align)
				   : classic_alloc(h, size, gfp, align, 0);
	spin_unlock_irqrestore(&h->lock, flags);
	if (p && slob_zeroes(gfp))
		memset(p, 0, size);
	return p;
}

void slob_free(struct slob_heap *h, void *p, size_t size)
{
	struct page *page;
	unsigned long flags;

	if (!p)
		return;
	flags = spin_lock_irqsave(&h->lock);
	if (h->mode == SLOB_CLASSIC) {
		if (classic_free_ok(h, p, size)) {
			slob_wipe(p, size);
			classic_free(h, p, size);
		} else {
			heap_error(h, p, "slob_free of a block that is not allocated");
		}
	} else if (!(page = heap_page_of(h, p)) || !seg_free(h, p, page))
		heap_error(h, p, "slob_free of a block that is not allocated");
	spin_unlock_irqrestore(&h->lock, flags);
}

bool slob_kfree_wiped(void *p, struct page *pg)
{
	struct slob_heap *h = (struct slob_heap *)pg->priv;
	unsigned long flags = spin_lock_irqsave(&h->lock);

	/* (slob_ksize: 0 unless a live block, as exact as kfree's checks) */
	slob_wipe(p, slob_ksize(h, p));
	spin_unlock_irqrestore(&h->lock, flags);
	return slob_kfree(p, pg);
}

/* Classic mode, __GFP_ZERO, classic's bigger-than-a-block sizes, failslab
 * (slob_kmalloc's first test, mm/slob_segfit.c). */
void *slob_kmalloc_other(struct slob_heap *h, size_t size, gfp_t gfp)
{
	unsigned long flags;
	void *p;

	if (size > slob_kmalloc_max(h))
		return slob_big_alloc(h, size, gfp, 0);
	if (unlikely(h->fault_inject) && should_failslab(h->name, gfp))
		return NULL;
	if (unlikely(h->kfence) && kfence_enabled &&
	    (p = kfence_alloc_kmalloc(size, gfp, KFENCE_CALLER()))) /* mm/kfence.c */
		return p;
	flags = spin_lock_irqsave(&h->lock);
	if (h->mode == SLOB_CLASSIC)
		p = classic_kmalloc(h, size, gfp);
	else if (unlikely(!h->name)) /* not set up (zeroed: segfit): kmalloc=slob before mm_init */
		mm_called_before_init("kmalloc");
	else if (sizepage_serves(size))
		p = sizepage_alloc(h, sizepage_index(size), gfp);
	else
		p = seg_alloc(h, size, gfp, kmalloc_align(size));
	spin_unlock_irqrestore(&h->lock, flags);
	if (p && slob_zeroes(gfp))
		memset(p, 0, size);
	return p;
}

/* ============================ bigblocks ================================== */

/* @pages bigblock pages and @blocks bigblocks no longer counted in @h
 * (gone, or claimed for an allocation that failed). */
static void uncount_big(struct slob_heap *h, unsigned long pages, unsigned long blocks)
{
	unsigned long flags = spin_lock_irqsave(&h->lock);

	h->big_pages -= pages;
	h->big_blocks -= blocks;
	spin_unlock_irqrestore(&h->lock, flags);
}

void *slob_big_alloc(struct slob_heap *h, size_t size, gfp_t gfp, size_t align)
{
	unsigned long flags, n;
	struct page *page;
	void *p;

	if (unlikely(!h->name)) /* a bigblock of kmalloc's heap before mm_init */
		mm_called_before_init("kmalloc");
	if (align > PAGE_SIZE)
		size = MAX(size, align);
	if (get_order(size) >= MAX_ORDER)
		return NULL;
	n = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	if (unlikely(h->fault_inject) && should_failslab(h->name, gfp))
		return NULL;
	if (keeps_big(h) && (p = take_kept_big(h, n, gfp, align))) {
		if (gfp & __GFP_ZERO)
			memset(p, 0, bigblock_npages(virt_to_page(p)) << PAGE_SHIFT);
		return p;
	}
	flags = spin_lock_irqsave(&h->lock);
	if (over_limit(h, n))
		release_kept_big(h);
	if (over_limit(h, n)) {
		spin_unlock_irqrestore(&h->lock, flags);
		return NULL;
	}
	/* The pages kept for reuse go back first: a page the heap keeps idle
	 * would otherwise be held beside the new ones (peak memory). */
	if (h->mode == SLOB_SEGFIT && (h->nr_empty || h->sp_kept || sizepage_idle_pages(h)))
		seg_release_idle(h);
	h->big_pages += n; /* claimed before the lock drops */
	h->big_blocks++;
	count_page(h, 0);
	spin_unlock_irqrestore(&h->lock, flags);

	/* Exact pages, the caller's zone or the heap's: a whole block when
	 * the size needs one (a power of two of pages: aligned to its size);
	 * cut from a block of their order when aligned beyond a page; else
	 * where they fit best. */
	if (n == 1ul << get_order(size)) {
		page = alloc_pages(gfp | h->zone_gfp | __GFP_RUN, get_order(size));
		p = page ? page_address(page) : NULL;
	} else {
		p = align > PAGE_SIZE ? alloc_pages_exact(size, gfp | h->zone_gfp | __GFP_RUN)
				      : alloc_pages_fit(size, gfp | h->zone_gfp);
		page = p ? virt_to_page(p) : NULL;
	}
	if (!page) {
		uncount_big(h, n, 1);
		return NULL;
	}
	set_page_type(page, PGTY_BIGBLOCK);
	page->priv = (unsigned long)h;
	page->bigblock_pages = n;
	return p;
}

/* slob_big_free of a block @h keeps (@n pages): kept by the calling hart,
 * the blocks that makes room for given back. */
static __attribute__((noinline)) void keep_freed_big(struct slob_heap *h, struct page *page, unsigned long n)
{
	struct page *out[SLOB_BIG_KEEP];
	unsigned long flags;
	struct slob_big_kept *k = lock_own_kept(h, &flags);
	unsigned int nr = keep_big(h, k, page, n, out);

	unlock_kept(k, flags);
	if (!nr)
		return;
	flags = spin_lock_irqsave(&h->lock);
	uncount_blocks(h, out, nr);
	spin_unlock_irqrestore(&h->lock, flags);
	give_back_blocks(out, nr);
}

void slob_big_free(struct slob_heap *h, struct page *page)
{
	unsigned long n = page->bigblock_pages;

	if (keeps_big(h) && n * 4 <= h->big_keep_max) {
		keep_freed_big(h, page, n);
		return;
	}
	uncount_big(h, n, 1);
	give_back_big(page, n);
}

bool slob_big_grow(struct slob_heap *h, struct page *page, size_t size, gfp_t gfp)
{
	unsigned long n = page->bigblock_pages, want, flags;

	if (get_order(size) >= MAX_ORDER)
		return false;
	want = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	if (want <= n)
		return true;
	flags = spin_lock_irqsave(&h->lock);
	if (over_limit(h, want - n)) {
		spin_unlock_irqrestore(&h->lock, flags);
		return false;
	}
	h->big_pages += want - n; /* claimed before the lock drops */
	count_page(h, 0);
	spin_unlock_irqrestore(&h->lock, flags);
	if (!extend_pages_exact(page_address(page), n, want, gfp | h->zone_gfp)) {
		uncount_big(h, want - n, 0);
		return false;
	}
	page->bigblock_pages = want;
	return true;
}

size_t slob_ksize(struct slob_heap *h, const void *p)
{
	return h->mode == SLOB_CLASSIC ? classic_ksize(p) : seg_ksize(h, p);
}

size_t slob_ksize_in(struct slob_heap *h, struct page *pg, const void *p)
{
	return h->mode == SLOB_CLASSIC ? classic_ksize(p) : seg_ksize_in(h, pg, p);
}

/* ========================= statistics and checks ========================= */

void slob_note_free_block(struct slob_stats *st, unsigned long bytes)
{
	st->free_bytes += bytes;
	st->free_blocks++;
	if (bytes > st->largest_free)
		st->largest_free = bytes;
}

void slob_get_stats(struct slob_heap *h, struct slob_stats *st)
{
	unsigned long flags = spin_lock_irqsave(&h->lock);

	memset(st, 0, sizeof(*st));
	if (h->mode == SLOB_SEGFIT)
		seg_free_blocks(h, st);
	else
		classic_free_blocks(h, st);
	st->pages = h->nr_pages;
	st->big_kept_pages = st->big_kept_blocks = 0;
	for (unsigned int cpu = 0; cpu < MAX_HARTS; cpu++) {
		struct slob_big_kept *k = &h->big_kept[cpu];

		spin_lock(&k->lock);
		st->big_kept_pages += k->pages;
		st->big_kept_blocks += k->nr;
		spin_unlock(&k->lock);
	}
	st->big_blocks = h->big_blocks - st->big_kept_blocks;
	st->big_pages = h->big_pages - st->big_kept_pages;
	st->peak_pages = h->peak_pages;
	st->used_bytes = h->used_bytes;
	st->fragmentation_pct =
		st->free_bytes ? (unsigned int)(100 - st->largest_free * 100 / st->free_bytes) : 0;
	spin_unlock_irqrestore(&h->lock, flags);
}

#define MAX_REPORTS 8

void slob_whatis(struct slob_heap *h, struct page *pg, u64 addr)
{
	if (h->mode == SLOB_CLASSIC)
		classic_whatis(h, addr);
	else
		seg_whatis(h, pg, addr);
}

void slob_problem(struct slob_heap *h, int *errors, const void *where, const char *what)
{
	if ((*errors)++ >= MAX_REPORTS)
		return;
	if (where)
		kprintf("slob_check: %s: %p: %s\n", h->name, where, what);
	else /* the heap as a whole */
		kprintf("slob_check: %s: %s\n", h->name, what);
}

unsigned long slob_heap_shrink(struct slob_heap *h)
{
	unsigned long flags = irq_save(), before, n = 0;

	if (spin_trylock(&h->lock)) {
		before = slob_heap_pages(h);
		release_kept_big(h);
		if (h->mode == SLOB_SEGFIT)
			seg_release_idle(h);
		n = before - slob_heap_pages(h);
		spin_unlock(&h->lock);
	}
	irq_restore(flags);
	return n;
}

/* The kept bigblocks: each a bigblock head of @h marked kept, in one slot
 * of one hart only, each hart's pages its count and within big_keep_max,
 * all of them within the heap's big_pages and big_blocks (h->lock held;
 * every hart's slots locked at once, in cpu order). */
static void check_kept_big(struct slob_heap *h, int *errors)
{
	struct page *seen[MAX_HARTS * SLOB_BIG_KEEP];
	unsigned long pages = 0, blocks = 0;

	for (unsigned int cpu = 0; cpu < MAX_HARTS; cpu++)
		spin_lock(&h->big_kept[cpu].lock);
	for (unsigned int cpu = 0; cpu < MAX_HARTS; cpu++) {
		const struct slob_big_kept *k = &h->big_kept[cpu];
		unsigned long hart_pages = 0;

		if (k->nr > SLOB_BIG_KEEP) {
			slob_problem(h, errors, NULL, "a hart's kept bigblock count out of range");
			continue;
		}
		for (unsigned int i = k->nr; i < SLOB_BIG_KEEP; i++)
			if (k->blocks[i])
				slob_problem(h, errors, k->blocks[i], "kept bigblock slot past the count");
		for (unsigned int i = 0; i < k->nr; i++) {
			struct page *page = k->blocks[i];

			if (!page || page_type(page) != PGTY_BIGBLOCK || !PageHead(page) ||
			    page->priv != (unsigned long)h || bigblock_live(page)) {
				slob_problem(h, errors, page, "kept bigblock slot: not a kept bigblock head of this heap");
				continue;
			}
			for (unsigned long j = 0; j < blocks; j++)
				if (seen[j] == page)
					slob_problem(h, errors, page, "kept bigblock in two slots");
			seen[blocks++] = page;
			hart_pages += bigblock_npages(page);
		}
		if (hart_pages != k->pages || hart_pages > h->big_keep_max)
			slob_problem(h, errors, NULL, "a hart's kept bigblock pages miscounted or above big_keep_max");
		pages += hart_pages;
	}
	for (unsigned int cpu = MAX_HARTS; cpu-- > 0;)
		spin_unlock(&h->big_kept[cpu].lock);
	if (pages > h->big_pages || blocks > h->big_blocks)
		slob_problem(h, errors, NULL, "kept bigblocks not within the heap's bigblock counts");
}

int slob_check(struct slob_heap *h)
{
	unsigned long flags = spin_lock_irqsave(&h->lock);
	int errors = h->mode == SLOB_SEGFIT ? seg_check(h) : classic_check(h);

	check_kept_big(h, &errors);

	spin_unlock_irqrestore(&h->lock, flags);
	if (errors > MAX_REPORTS)
		kprintf("slob_check: %s: %d more problems\n", h->name, errors - MAX_REPORTS);
	return errors;
}
