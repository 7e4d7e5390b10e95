/*
 * slob_sizepage.c - size pages: how a SLOB_SEGFIT heap serves kmalloc of a
 * power of two from 16 to 2048 bytes (and of anything up to 16 bytes)
 * aligned to its size without a header per object.
 *
 * Why. kmalloc aligns a power-of-two size to itself (Linux's rule since
 * 5.4). A segfit block has a 4-byte header in front of its payload, so two
 * 64-byte objects aligned to 64 lie at least 128 bytes apart: half the
 * memory would go to alignment. Such requests are very common (the kernel
 * size mix is mostly powers of two), so they get pages of their own.
 *
 * Quarters. A size page is four 1 KiB quarters; a quarter holds objects of
 * one size 16 << idx (idx 0..6: 16 to 1024 bytes), SQ_SIZE >> (idx + 4) of
 * them at the multiples of their size, or is empty; an emptied quarter is
 * cut again for whatever size needs one, so the sizes share pages below a
 * page: a size with a few objects out holds a quarter, not a page (on the
 * churn benchmark's sequence that is 3 pages of 248 at the peak). 2048-byte
 * objects take a whole page, two units at quarters 0 and 2 whose next
 * quarters are covered (SQ_COVERED): a half of a page shared with quarters
 * would need a second cut list, and no benchmark asks for 2048 often.
 *
 * Headers. Each quarter's header is four bytes of the page's struct page
 * (include/mm/mm.h: sq[q]): info ((idx << 1) | 1, SQ_EMPTY or SQ_COVERED:
 * odd), inuse, and free, the offset in the quarter of its first free
 * object (SP_NONE: none); page->priv is the heap and the page type
 * PGTY_SLOB, as for every SLOB page. The other SLOB pages sit on
 * heap->pages through page->lru, whose first word, an even pointer, lies
 * where sq[0].info's odd value does: that bit is how kfree and ksize tell
 * a size page (PageSlobSize), one load from the struct page kfree found;
 * bits 10..11 of the pointer name the quarter. Free objects form a LIFO
 * list through their first two bytes (the offset of the next one) and
 * carry a marker in bytes 8..15 (their address ^ heap->sp_key, a value
 * made from the heap's secret) that a second kfree finds; but the first
 * free object of a quarter, its head, carries the quarter's list links
 * there instead, and a second kfree of it is caught by comparing its
 * offset with the header's free.
 *
 * Lists. For each size the heap keeps the quarters that have a free object
 * on a doubly linked list: its head's header and address in heap->sp_head
 * and sp_base, the links (quarter ids: physical address >> 10, u32, so
 * size pages lie below 4 TiB: sp_make checks) in each listed quarter's head
 * object, where they move to the next free object on a pop and to the
 * pushed object on a push (neighbours name the quarter, not the object, so
 * they need no update). The head's prev link is not kept up (the heap
 * knows its head). A full quarter is on no list. An allocation pops the
 * first free object of the first listed quarter: O(1). A free pushes the
 * object back and lists its quarter first when it was full. A link that
 * does not name a listed quarter of the heap and size when it would become
 * a head is reported and cuts the list (sp_set_head), not followed.
 *
 * Idle and empty quarters. A quarter whose last object comes back stays,
 * still listed, as its size's idle quarter (heap->sp_idle) when the size
 * has none, so that a size freed and reallocated in turn does not cut and
 * empty a quarter each time; a 1024 quarter (one object) is then on no
 * list, as its list would hold only it, and kmalloc and kfree take it and
 * give it back inline. Any other emptied quarter is unlisted and empty. A
 * page with an empty quarter and a quarter of objects is on one of the
 * heap's cut lists (heap->sp_cut[e - 1] for e empty quarters, pfns, its
 * links in its lowest-numbered empty quarter's first bytes, which are
 * unused); a page whose quarters are all empty goes back to the buddy
 * allocator unless no other empty size page is kept: one is
 * (heap->sp_kept). A size whose list is empty cuts the lowest empty quarter
 * of the first page of the fullest cut list (fewest empty quarters: the
 * emptier pages get the chance to empty), else empties the idle quarters
 * and tries again, else cuts the kept page, then segfit's kept wholly free
 * page re-cut, and only then asks the buddy allocator; segfit likewise
 * takes the kept size page (after emptying the idle quarters) before a new
 * one (seg_grow). So the heap never holds two empty pages while it grows,
 * and a bigblock's allocation first empties the idle quarters that alone
 * hold a page (seg_release_idle). (tools/churn-peak.c models the choice of
 * a page; docs/kmalloc.md has the measurements.)
 *
 * Speed. kmalloc and kfree of a size page's object (sizepage_kmalloc and
 * slob_kfree in mm/slob_segfit.c, sp_pop and sp_push in slob_internal.h)
 * make no call but in tail position, so they run without a stack frame.
 * A quarter that fills, gets an object back while full, empties or must
 * be cut is a tail call with the lock held.
 *
 * Bookkeeping. heap->sp_pages counts the size pages (nr_pages counts them
 * too); every size page ever made lies between heap->sp_lo_pfn and
 * sp_hi_pfn, where slob_check finds the ones no list reaches when that
 * range is at most SP_SCAN_PFNS pfns per size page. Wider (pages taken
 * from all over a big machine), scanning it would cost O(RAM) per check:
 * slob_check then checks the pages the lists reach and counts the others
 * as full, which they are (a page with a free object or an empty quarter
 * is on a list).
 *
 * Invariants (sizepage_check, part of slob_check): every PGTY_SLOB page of
 * the heap with an odd sq[0].info is a size page, and there are sp_pages
 * of them; each quarter's info is a size index, SQ_EMPTY (inuse 0, free
 * SP_NONE) or SQ_COVERED behind a 2048 unit at quarter 0 or 2; a quarter's
 * free list stays inside it on object boundaries, without loops, each
 * object but the head with its marker; inuse + free objects = its count,
 * and inuse > 0 (but the idle quarters, and a 2048 unit whose page's
 * other unit is out); a quarter is on its size's list exactly when it has
 * a free object (but the idle 1024 quarter), with back links right (but
 * the head's) and sp_base the head's address; a page is on the cut list
 * of its number of empty quarters exactly when it has an empty quarter
 * and a quarter of objects, its links in its lowest empty quarter with
 * back links right; each idle quarter is a quarter of its size with no
 * object out; used_bytes counts inuse * size of every quarter; the only
 * empty size page is sp_kept. (The unreached pages' own checks only when the range is
 * scanned; otherwise their number is sp_pages less the pages reached and
 * their bytes PAGE_SIZE each, which used_bytes must agree with.)
 */
#include <mm/mm.h>
#include <mm/mmzone.h>
#include <mm/slob.h>

#include "slob_internal.h"

_Static_assert(sizeof(struct page) <= 32, "a size page's header fits struct page");

/* slob_check scans [sp_lo_pfn, sp_hi_pfn] for the size pages when it spans
 * at most this many pfns per size page (plus one): about the cost of
 * walking the objects of the pages themselves. */
#define SP_SCAN_PFNS 64ul

static inline bool sq_is_empty(const struct sp_quarter *s)
{
	return s->info == SQ_EMPTY;
}

static inline void sq_set_empty(struct sp_quarter *s)
{
	*s = (struct sp_quarter){ .info = SQ_EMPTY, .inuse = 0, .free = SP_NONE };
}

/* The lowest-numbered empty quarter of pg, SQ_NR when it has none. */
static unsigned int lowest_empty(const struct page *pg)
{
	unsigned int q = 0;

	while (q < SQ_NR && !sq_is_empty(&pg->sq[q]))
		q++;
	return q;
}

static bool page_all_empty(const struct page *pg)
{
	for (unsigned int q = 0; q < SQ_NR; q++)
		if (!sq_is_empty(&pg->sq[q]))
			return false;
	return true;
}

/* ------------------ the lists of pages with an empty quarter ------------- */
/*
 * A size page with an empty quarter and a quarter of objects is on one of
 * the heap's cut lists (heap->sp_cut[e - 1] for e empty quarters, pfns),
 * its links (prev, next) in the first eight bytes of its lowest-numbered
 * empty quarter: that memory is unused.
 */

static unsigned int count_empty(const struct page *pg)
{
	unsigned int n = 0;

	for (unsigned int q = 0; q < SQ_NR; q++)
		n += sq_is_empty(&pg->sq[q]);
	return n;
}

static u32 *cut_node(struct page *pg)
{
	return (u32 *)((char *)page_address(pg) + lowest_empty(pg) * SQ_SIZE);
}

static struct page *pfn_page(u32 pfn)
{
	return sp_addr_page(sp_pfn_addr(pfn));
}

/* List pg (with an empty quarter and a quarter of objects) at the head of
 * its cut list. */
static void cut_push(struct slob_heap *h, struct page *pg)
{
	char *addr = page_address(pg);
	u32 *node = cut_node(pg), *head = &h->sp_cut[count_empty(pg) - 1];

	node[0] = SP_NIL;
	node[1] = *head;
	if (*head != SP_NIL)
		cut_node(pfn_page(*head))[0] = sp_pfn(addr);
	*head = sp_pfn(addr);
}

/* Take pg, whose links are node, off cut list e - 1. */
static void cut_del(struct slob_heap *h, const u32 *node, unsigned int e)
{
	u32 prev = node[0], next = node[1];

	if (prev == SP_NIL)
		h->sp_cut[e - 1] = next;
	else
		cut_node(pfn_page(prev))[1] = next;
	if (next != SP_NIL)
		cut_node(pfn_page(next))[0] = prev;
}

/* ------------------------ making and unmaking pages ---------------------- */

/* Make the page at @addr (an ordinary SLOB page of h, on heap->pages, its
 * memory unused) a size page with its quarters empty, on no list; NULL
 * (the page given back) when its quarter ids would not fit a u32. */
static struct page *sp_make(struct slob_heap *h, char *addr)
{
	struct page *pg = virt_to_page(addr);
	u32 pfn = sp_pfn(addr);

	if ((virt_to_phys(addr) + PAGE_SIZE - 1) >> SQ_SHIFT >= SP_NIL) {
		kprintf("slob: %s: %p: page above 4 TiB, beyond a size page's quarter ids: not used\n",
			h->name, addr);
		put_slob_page(h, addr);
		return NULL;
	}
	list_del(&pg->lru);
	for (unsigned int q = 0; q < SQ_NR; q++)
		sq_set_empty(&pg->sq[q]);
	h->sp_pages++;
	if (pfn < h->sp_lo_pfn)
		h->sp_lo_pfn = pfn;
	if (pfn > h->sp_hi_pfn)
		h->sp_hi_pfn = pfn;
	return pg;
}

/* An empty size page (on no list): the kept one, else segfit's kept wholly
 * free page or a new page made one; NULL when there is none. */
static struct page *empty_page(struct slob_heap *h, gfp_t gfp)
{
	struct page *pg = h->sp_kept;
	char *addr;

	if (pg) {
		h->sp_kept = NULL;
		return pg;
	}
	addr = seg_take_empty_page(h);
	if (!addr && seg_flush_parked(h)) /* merged, they may leave a page empty */
		addr = seg_take_empty_page(h);
	if (!addr)
		addr = get_slob_page(h, gfp);
	return addr ? sp_make(h, addr) : NULL;
}

/* Make the empty size page pg an ordinary SLOB page of the heap again (on
 * heap->pages); its address. */
static char *sp_unmake(struct slob_heap *h, struct page *pg)
{
	char *addr = page_address(pg);

	list_add(&pg->lru, &h->pages); /* lru.next, even: no longer a size page */
	h->sp_pages--;
	return addr;
}

void *sizepage_take_kept(struct slob_heap *h)
{
	struct page *pg = h->sp_kept;

	if (!pg)
		return NULL;
	h->sp_kept = NULL;
	return sp_unmake(h, pg);
}

/* A size page with no quarter in use (on no list) goes back unless none is
 * kept: then it is. */
static void page_emptied(struct slob_heap *h, struct page *pg)
{
	if (!h->sp_kept)
		h->sp_kept = pg;
	else
		put_slob_page(h, sp_unmake(h, pg));
}

unsigned long sizepage_release_all(struct slob_heap *h)
{
	sizepage_empty_idle(h);
	if (h->sp_kept) {
		put_slob_page(h, sp_unmake(h, h->sp_kept));
		h->sp_kept = NULL;
	}
	return h->sp_pages;
}

/* ------------------------------- the lists ------------------------------- */

static __attribute__((noinline)) void bad_link(struct slob_heap *h, unsigned int idx, u32 id)
{
	heap_error(h, sq_id_addr(id), "size list link damaged (written after kfree?): list cut");
	h->sp_head[idx] = NULL;
	h->sp_base[idx] = NULL;
}

void sp_set_head(struct slob_heap *h, unsigned int idx, u32 id)
{
	struct sp_quarter *s;
	struct page *pg;
	char *addr;

	if (id == SP_NIL) {
		h->sp_head[idx] = NULL;
		h->sp_base[idx] = NULL;
		return;
	}
	addr = sq_id_addr(id);
	pg = sp_addr_page(addr);
	if (unlikely(!pg || page_type(pg) != PGTY_SLOB || pg->priv != (unsigned long)h)) {
		bad_link(h, idx, id);
		return;
	}
	s = sq_of(pg, addr);
	if (unlikely(s->info != (idx << 1 | 1) || s->free >= SP_NONE)) {
		bad_link(h, idx, id);
		return;
	}
	h->sp_head[idx] = s;
	h->sp_base[idx] = addr;
	*(u32 *)link_slot(addr + s->free) = SP_NIL;
}

/* The links of the listed quarter of @id, in its head object: [0] the
 * previous quarter's id, [1] the next one's. */
static u32 *listed_links(u32 id)
{
	char *base = sq_id_addr(id);
	struct sp_quarter *s = sq_of(sp_addr_page(base), base);

	return (u32 *)link_slot(base + s->free);
}

/* Take the quarter s at qbase (index idx, with a free object) off list idx. */
static void sq_unlink(struct slob_heap *h, struct sp_quarter *s, unsigned int idx, char *qbase)
{
	u64 l = *link_slot(qbase + s->free);
	u32 prev = (u32)l, next = (u32)(l >> 32);

	if (h->sp_head[idx] == s) { /* its prev link is not kept up */
		sp_set_head(h, idx, next);
		return;
	}
	listed_links(prev)[1] = next;
	if (next != SP_NIL)
		listed_links(next)[0] = prev;
}

/* ------------------------------- cutting --------------------------------- */

/* Cut quarter q of pg (at qbase) into objects of size idx, all free, and
 * list it at the head of list idx (empty). */
static struct sp_quarter *sq_cut(struct slob_heap *h, struct page *pg, unsigned int q, char *qbase,
				 unsigned int idx)
{
	struct sp_quarter *s = &pg->sq[q];
	unsigned int size = 16u << idx;

	for (unsigned int off = 0; off < SQ_SIZE; off += size) {
		char *obj = qbase + off;

		*(u16 *)obj = (u16)(off + size);
		*marker_slot(obj) = sp_marker(h, obj);
	}
	*s = (struct sp_quarter){ .info = (u8)(idx << 1 | 1), .inuse = 0, .free = 0 };
	*link_slot(qbase) = sq_links(SP_NIL, SP_NIL);
	h->sp_head[idx] = s;
	h->sp_base[idx] = qbase;
	return s;
}

/* A 2048 list's quarters: an empty page's two units (quarters 0 and 2,
 * each one free object; quarters 1 and 3 covered), both listed. */
static struct sp_quarter *cut_halves(struct slob_heap *h, gfp_t gfp)
{
	struct page *pg = empty_page(h, gfp);
	char *addr;

	if (!pg)
		return NULL;
	addr = page_address(pg);
	for (unsigned int q = 0; q < SQ_NR; q += 2) {
		struct sp_quarter *s = &pg->sq[q];

		*s = (struct sp_quarter){ .info = SQ_BIG_IDX << 1 | 1, .inuse = 0, .free = 0 };
		pg->sq[q + 1] = (struct sp_quarter){ .info = SQ_COVERED, .inuse = 0, .free = SP_NONE };
		*(u16 *)(addr + q * SQ_SIZE) = SP_NONE;
		sp_list_add(h, s, SQ_BIG_IDX, addr + q * SQ_SIZE, addr + q * SQ_SIZE);
	}
	return h->sp_head[SQ_BIG_IDX];
}

struct sp_quarter *sizepage_grow(struct slob_heap *h, unsigned int idx, gfp_t gfp)
{
	struct page *pg;
	char *addr;
	unsigned int e;

	if (idx == SQ_BIG_IDX)
		return cut_halves(h, gfp);
	if (idx == SQ_ONE_IDX && h->sp_idle[idx]) { /* the idle 1024 quarter, listed */
		addr = h->sp_idle[idx];
		h->sp_idle[idx] = NULL;
		pg = sp_addr_page(addr);
		sp_list_add(h, sq_of(pg, addr), idx, addr, addr);
		return h->sp_head[idx];
	}
	for (e = 1; e < SQ_NR; e++) { /* the fullest page with an empty quarter */
		if (h->sp_cut[e - 1] != SP_NIL)
			break;
	}
	if (e < SQ_NR) {
		pg = pfn_page(h->sp_cut[e - 1]);
		addr = page_address(pg);
		cut_del(h, cut_node(pg), e);
		e = lowest_empty(pg);
		sq_cut(h, pg, e, addr + e * SQ_SIZE, idx);
		if (lowest_empty(pg) < SQ_NR)
			cut_push(h, pg);
		return h->sp_head[idx];
	}
	if (sizepage_empty_idle(h)) /* other sizes' idle quarters, before a page */
		return sizepage_grow(h, idx, gfp);
	pg = empty_page(h, gfp);
	if (!pg)
		return NULL;
	addr = page_address(pg);
	sq_cut(h, pg, 0, addr, idx);
	cut_push(h, pg);
	return h->sp_head[idx];
}

/* Empty the quarter q of pg (index idx, on its list, no object out): off
 * its list, and its page onto the cut list of one more empty quarter, or,
 * when it was the last, kept or given back. */
static void sq_empty_out(struct slob_heap *h, struct page *pg, unsigned int q, unsigned int idx)
{
	char *addr = page_address(pg);
	unsigned int e;

	if (idx != SQ_ONE_IDX) /* (a 1024 quarter with its object free is on no list) */
		sq_unlink(h, &pg->sq[q], idx, addr + q * SQ_SIZE);
	e = count_empty(pg);
	if (e)
		cut_del(h, cut_node(pg), e);
	sq_set_empty(&pg->sq[q]);
	if (e + 1 == SQ_NR)
		page_emptied(h, pg);
	else
		cut_push(h, pg);
}

void sizepage_emptied(struct slob_heap *h, struct page *pg, struct sp_quarter *s)
{
	unsigned int q = (unsigned int)(s - pg->sq), idx = sq_index(s), k;
	char *addr = page_address(pg);

	if (idx == SQ_BIG_IDX) {
		struct sp_quarter *other = &pg->sq[q ^ 2];

		if (other->inuse)
			return; /* its page's other object is out: it stays listed */
		sq_unlink(h, s, idx, addr + q * SQ_SIZE);
		sq_unlink(h, other, idx, addr + (q ^ 2) * SQ_SIZE);
		for (k = 0; k < SQ_NR; k++)
			sq_set_empty(&pg->sq[k]);
		page_emptied(h, pg);
		return;
	}
	if (!h->sp_idle[idx]) {
		h->sp_idle[idx] = addr + q * SQ_SIZE;
		return;
	}
	sq_empty_out(h, pg, q, idx);
}

bool sizepage_empty_idle(struct slob_heap *h)
{
	bool any = false;

	for (unsigned int idx = 0; idx < SQ_BIG_IDX; idx++) {
		char *base = h->sp_idle[idx];

		if (!base)
			continue;
		h->sp_idle[idx] = NULL;
		sq_empty_out(h, sp_addr_page(base), ((uintptr_t)base >> SQ_SHIFT) & (SQ_NR - 1), idx);
		any = true;
	}
	return any;
}

size_t sizepage_ksize(const struct slob_heap *h, struct page *pg, const void *p)
{
	struct sp_quarter *s = sq_of(pg, p);

	if (s->info >= SQ_INFO_LIMIT || !sq_live(h, s, sq_index(s), p))
		return 0;
	return 16ul << sq_index(s);
}

/* Is every quarter of pg empty or its size's idle one? */
static bool page_only_idle(struct slob_heap *h, struct page *pg)
{
	char *addr = page_address(pg);

	for (unsigned int q = 0; q < SQ_NR; q++) {
		const struct sp_quarter *s = &pg->sq[q];

		if (!sq_is_empty(s) &&
		    !(s->info < SQ_INFO_LIMIT && h->sp_idle[sq_index(s)] == addr + q * SQ_SIZE))
			return false;
	}
	return true;
}

/* Is idx the first size whose idle quarter lies in pg? */
static bool first_idle_of_page(struct slob_heap *h, unsigned int idx, struct page *pg)
{
	for (unsigned int k = 0; k < idx; k++)
		if (h->sp_idle[k] && page_head_of(h->sp_idle[k]) == page_head_of(h->sp_idle[idx]))
			return false;
	(void)pg;
	return true;
}

unsigned long sizepage_idle_pages(struct slob_heap *h)
{
	unsigned long n = 0;

	for (unsigned int idx = 0; idx < SQ_BIG_IDX; idx++) {
		struct page *pg;

		if (!h->sp_idle[idx])
			continue;
		pg = sp_addr_page(h->sp_idle[idx]);
		n += page_only_idle(h, pg) && first_idle_of_page(h, idx, pg);
	}
	return n;
}

void sizepage_release_idle_pages(struct slob_heap *h)
{
	for (unsigned int idx = 0; idx < SQ_BIG_IDX; idx++) {
		char *base = h->sp_idle[idx];
		struct page *pg;

		if (!base || !page_only_idle(h, pg = sp_addr_page(base)))
			continue;
		for (unsigned int k = idx; k < SQ_BIG_IDX; k++) { /* every idle quarter of pg */
			char *b = h->sp_idle[k];

			if (b && page_head_of(b) == page_head_of(base)) {
				h->sp_idle[k] = NULL;
				sq_empty_out(h, pg, ((uintptr_t)b >> SQ_SHIFT) & (SQ_NR - 1), k);
			}
		}
	}
}

/* ---------------------------- statistics --------------------------------- */

static struct sp_quarter *next_listed(struct sp_quarter *s, char **base)
{
	u32 next = ((u32 *)link_slot(*base + s->free))[1];
	struct page *pg;

	if (next == SP_NIL)
		return NULL;
	*base = sq_id_addr(next);
	pg = sp_addr_page(*base);
	return pg ? sq_of(pg, *base) : NULL; /* (damaged: slob_check reports it) */
}

/* The empty quarters of pg: a free block of SQ_SIZE bytes each. */
static void note_empty_quarters(struct page *pg, struct slob_stats *st)
{
	for (unsigned int q = 0; q < SQ_NR; q++) {
		if (sq_is_empty(&pg->sq[q])) {
			slob_note_free_block(st, SQ_SIZE);
			st->size_free_blocks++;
		}
	}
}

/* The free objects of the quarters of each list (a full one has none), and
 * the empty quarters of the pages on the cut lists and the kept page. */
void sizepage_free_blocks(struct slob_heap *h, struct slob_stats *st)
{
	st->size_pages = h->sp_pages;
	st->size_page_bytes = h->sp_pages * PAGE_SIZE;
	if (h->sp_kept)
		note_empty_quarters(h->sp_kept, st);
	if (h->sp_idle[SQ_ONE_IDX]) { /* on no list */
		slob_note_free_block(st, 16ul << SQ_ONE_IDX);
		st->size_free_blocks++;
	}
	for (unsigned int e = 1; e < SQ_NR; e++) {
		unsigned long n = 0;

		for (u32 pfn = h->sp_cut[e - 1]; pfn != SP_NIL && n++ <= h->sp_pages;
		     pfn = cut_node(pfn_page(pfn))[1])
			note_empty_quarters(pfn_page(pfn), st);
	}
	for (unsigned int idx = 0; idx < SP_NR_SIZES; idx++) {
		unsigned long n = 0;
		char *base = h->sp_base[idx];

		for (struct sp_quarter *s = h->sp_head[idx]; s && n++ <= SQ_NR * h->sp_pages;
		     s = next_listed(s, &base)) {
			unsigned long nfree = sq_nr(idx) - s->inuse;

			for (unsigned long i = 0; i < nfree; i++)
				slob_note_free_block(st, 16ul << idx);
			st->size_free_blocks += nfree;
		}
	}
}

/* The size page of pfn, if it is one of h's. */
static struct page *heap_size_page(struct slob_heap *h, unsigned long pfn)
{
	struct page *pg = virt_to_page(sp_pfn_addr((u32)pfn));

	return pg && page_type(pg) == PGTY_SLOB && pg->priv == (unsigned long)h &&
			       PageSlobSize(pg)
		       ? pg
		       : NULL;
}

void sizepage_census(struct slob_heap *h, void (*fn)(const struct slob_page_info *pi, void *arg),
		     void *arg)
{
	for (unsigned long pfn = h->sp_lo_pfn; pfn <= h->sp_hi_pfn; pfn++) {
		struct page *pg = heap_size_page(h, pfn);

		if (!pg)
			continue;
		for (unsigned int q = 0; q < SQ_NR; q++) {
			struct sp_quarter *s = &pg->sq[q];
			struct slob_page_info pi = { .addr = (char *)page_address(pg) + q * SQ_SIZE,
						     .size_page = true };

			if (s->info >= SQ_INFO_LIMIT)
				continue;
			pi.obj_size = 16u << sq_index(s);
			pi.objs = sq_nr(sq_index(s));
			pi.inuse = s->inuse;
			fn(&pi, arg);
		}
	}
}

/* ------------------------------- checks ---------------------------------- */

/* What check_page found on one size page. */
struct sp_seen {
	unsigned int with_free; /* quarters (units) with a free object */
	bool cuttable;          /* an empty quarter and a quarter of objects */
	unsigned long used;     /* bytes of its objects in use */
};

/* Walk the free list of quarter q of pg (at qbase, index idx); the number
 * of its free objects. */
static unsigned int check_free_list(struct slob_heap *h, struct sp_quarter *s, unsigned int idx,
				    char *qbase, int *errors)
{
	unsigned int nfree = 0, size = 16u << idx;

	for (unsigned int off = s->free; off != SP_NONE; off = *(u16 *)(qbase + off)) {
		char *obj = qbase + off;

		if (off > SP_NONE || (off & (size - 1)) || ++nfree > sq_nr(idx)) {
			slob_problem(h, errors, obj, "size page free list leaves its quarter or loops");
			return nfree;
		}
		if (off != s->free && *marker_slot(obj) != sp_marker(h, obj))
			slob_problem(h, errors, obj, "free object lost its marker (written after kfree?)");
	}
	return nfree;
}

/* One quarter of objects (a unit, for 2048); adds to *seen. */
static void check_quarter(struct slob_heap *h, struct page *pg, unsigned int q, char *addr,
			  struct sp_seen *seen, int *errors)
{
	struct sp_quarter *s = &pg->sq[q];
	unsigned int idx = sq_index(s), nfree;

	if (idx == SQ_BIG_IDX && ((q & 1) || pg->sq[q + 1].info != SQ_COVERED)) {
		slob_problem(h, errors, addr + q * SQ_SIZE, "2048-byte unit not on a half of its page");
		return;
	}
	nfree = check_free_list(h, s, idx, addr + q * SQ_SIZE, errors);
	if (s->inuse + nfree != sq_nr(idx))
		slob_problem(h, errors, addr + q * SQ_SIZE,
			     "size page quarter in-use count differs from its free list");
	if (!s->inuse && idx != SQ_BIG_IDX && h->sp_idle[idx] != addr + q * SQ_SIZE)
		slob_problem(h, errors, addr + q * SQ_SIZE,
			     "quarter with no object out is neither empty nor its size's idle one");
	if (nfree && idx != SQ_ONE_IDX) /* (a 1024 quarter with its object free: idle, unlisted) */
		seen->with_free++;
	seen->used += (unsigned long)s->inuse << (idx + SP_MIN_SHIFT);
}

/* Every quarter of the size page pg. */
static struct sp_seen check_page(struct slob_heap *h, struct page *pg, int *errors)
{
	char *addr = page_address(pg);
	struct sp_seen seen = { 0 };
	unsigned int empty = 0;

	for (unsigned int q = 0; q < SQ_NR; q++) {
		struct sp_quarter *s = &pg->sq[q];

		if (s->info == SQ_EMPTY || s->info == SQ_COVERED) {
			if (s->inuse || s->free != SP_NONE)
				slob_problem(h, errors, addr + q * SQ_SIZE, "empty quarter's header is not empty");
			if (s->info == SQ_COVERED && (!(q & 1) || sq_index(&pg->sq[q - 1]) != SQ_BIG_IDX))
				slob_problem(h, errors, addr + q * SQ_SIZE,
					     "covered quarter not behind a 2048-byte unit");
			empty += s->info == SQ_EMPTY;
		} else if (s->info < SQ_INFO_LIMIT && (s->info & 1)) {
			check_quarter(h, pg, q, addr, &seen, errors);
		} else {
			slob_problem(h, errors, addr + q * SQ_SIZE,
				     "size page quarter with an impossible object size");
		}
	}
	if (sq_index(&pg->sq[0]) == SQ_BIG_IDX && !pg->sq[0].inuse && !pg->sq[2].inuse)
		slob_problem(h, errors, addr, "2048-byte size page with both objects free");
	if (empty == SQ_NR && pg != h->sp_kept)
		slob_problem(h, errors, addr, "empty size page that is not the kept one");
	seen.cuttable = empty && empty < SQ_NR;
	return seen;
}

/* Is pg one of h's size pages? */
static bool is_heap_size_page(struct slob_heap *h, struct page *pg)
{
	return pg && page_type(pg) == PGTY_SLOB && pg->priv == (unsigned long)h && PageSlobSize(pg);
}

/* A page reached through the lists is checked once: through the cut list
 * when it has an empty quarter, else through its lowest quarter with a
 * free object. */
static bool first_route(struct page *pg, unsigned int q)
{
	if (lowest_empty(pg) < SQ_NR)
		return false;
	for (unsigned int k = 0; k < q; k++)
		if (pg->sq[k].info < SQ_INFO_LIMIT && pg->sq[k].free < SP_NONE &&
		    sq_index(&pg->sq[k]) != SQ_ONE_IDX) /* (the idle 1024 quarter: on no list) */
			return false;
	return true;
}

/* What the list walks found. */
struct sp_walk {
	unsigned long listed, cut, reached, used;
};

/* Walk list idx: each quarter of a size page of the heap of that index
 * with a free object, back links right. With @pages, each page met first
 * here is checked too (check_page). */
static void check_list(struct slob_heap *h, unsigned int idx, struct sp_walk *w, bool pages,
		       int *errors)
{
	static struct sp_quarter not_a_quarter;
	u32 prev = SP_NIL;
	unsigned long n = 0;
	struct sp_quarter *s = h->sp_head[idx];
	char *base = h->sp_base[idx];

	if (s && (!base || ((uintptr_t)base & (SQ_SIZE - 1)) || sp_addr_page(base) == NULL ||
		  sq_of(sp_addr_page(base), base) != s)) {
		slob_problem(h, errors, base, "size list head's address is wrong");
		return;
	}
	while (s) {
		struct page *pg = sp_addr_page(base);
		unsigned int q = ((uintptr_t)base >> SQ_SHIFT) & (SQ_NR - 1);
		u32 next;

		if (++n > SQ_NR * h->sp_pages) {
			slob_problem(h, errors, base, "size list loops or holds a quarter not counted");
			return;
		}
		if (((uintptr_t)base & (SQ_SIZE - 1)) || !is_heap_size_page(h, pg) ||
		    s != &pg->sq[q] || s->info != (idx << 1 | 1)) {
			slob_problem(h, errors, base, "listed quarter is not one of this heap and size");
			return;
		}
		if (s->free >= SP_NONE) {
			slob_problem(h, errors, base, "full quarter on its size's list");
			return;
		}
		if (prev != SP_NIL && *(u32 *)link_slot(base + s->free) != prev)
			slob_problem(h, errors, base, "size list back link broken");
		w->listed++;
		if (pages && first_route(pg, q)) {
			w->used += check_page(h, pg, errors).used;
			w->reached++;
		}
		prev = sq_id(base);
		next = ((u32 *)link_slot(base + s->free))[1];
		if (next == SP_NIL)
			return;
		base = sq_id_addr(next);
		pg = sp_addr_page(base);
		s = pg ? sq_of(pg, base) : &not_a_quarter; /* reported on the next turn */
	}
}

/* Walk the cut list: each a size page of the heap with an empty quarter
 * and a quarter of objects, its links in its lowest empty quarter. */
static void check_cut_list(struct slob_heap *h, unsigned int e, struct sp_walk *w, bool pages,
			   int *errors)
{
	u32 prev = SP_NIL, pfn = h->sp_cut[e - 1];
	unsigned long n = 0;

	while (pfn != SP_NIL) {
		struct page *pg = pfn_page(pfn);
		u32 *node;

		if (++n > h->sp_pages || !is_heap_size_page(h, pg)) {
			slob_problem(h, errors, sp_pfn_addr(pfn),
				     "cut list loops or holds a page that is not a size page of the heap");
			return;
		}
		if (count_empty(pg) != e) {
			slob_problem(h, errors, sp_pfn_addr(pfn),
				     "page on the cut list of another number of empty quarters");
			return;
		}
		node = cut_node(pg);
		if (node[0] != prev)
			slob_problem(h, errors, node, "cut list back link broken");
		w->cut++;
		if (pages) {
			w->used += check_page(h, pg, errors).used;
			w->reached++;
		}
		prev = pfn;
		pfn = node[1];
	}
}

/* Every size page, found by a scan of [sp_lo_pfn, sp_hi_pfn] and checked;
 * then the lists, which must hold exactly its quarters with a free object
 * and its pages with an empty quarter. */
static unsigned long check_by_scan(struct slob_heap *h, int *errors)
{
	unsigned long pages = 0, with_free = 0, cuttable = 0, used = 0;
	struct sp_walk w = { 0 };

	for (unsigned long pfn = h->sp_lo_pfn; pfn <= h->sp_hi_pfn; pfn++) {
		struct page *pg = heap_size_page(h, pfn);
		struct sp_seen seen;

		if (!pg)
			continue;
		pages++;
		seen = check_page(h, pg, errors);
		with_free += seen.with_free;
		cuttable += seen.cuttable;
		used += seen.used;
	}
	for (unsigned int idx = 0; idx < SP_NR_SIZES; idx++)
		check_list(h, idx, &w, false, errors);
	for (unsigned int e = 1; e < SQ_NR; e++)
		check_cut_list(h, e, &w, false, errors);
	if (pages != h->sp_pages)
		slob_problem(h, errors, NULL, "size page count differs from the size pages found");
	if (w.listed != with_free)
		slob_problem(h, errors, NULL, "quarters with a free object differ from the listed ones");
	if (w.cut != cuttable)
		slob_problem(h, errors, NULL,
			     "pages with an empty quarter and objects differ from the cut list");
	return used;
}

/* The pages the lists reach only; the others hold no free object and no
 * empty quarter, so PAGE_SIZE bytes in use each: sp_pages less those
 * reached (and the kept one). */
static unsigned long check_by_lists(struct slob_heap *h, int *errors)
{
	struct sp_walk w = { 0 };
	unsigned long seen;

	for (unsigned int idx = 0; idx < SP_NR_SIZES; idx++)
		check_list(h, idx, &w, true, errors);
	for (unsigned int e = 1; e < SQ_NR; e++)
		check_cut_list(h, e, &w, true, errors);
	if (h->sp_idle[SQ_ONE_IDX]) { /* on no list: its page, when nothing else reaches it */
		struct page *pg = sp_addr_page(h->sp_idle[SQ_ONE_IDX]);

		if (is_heap_size_page(h, pg) && first_route(pg, SQ_NR)) {
			w.used += check_page(h, pg, errors).used;
			w.reached++;
		}
	}
	seen = w.reached + (h->sp_kept != NULL);
	if (seen > h->sp_pages) {
		slob_problem(h, errors, NULL, "size page count below the size pages listed");
		return w.used;
	}
	return w.used + (h->sp_pages - seen) * PAGE_SIZE;
}

/* Each idle quarter: a quarter of its size of one of the heap's size
 * pages, no object out, on its list (it has free objects: the list walk
 * finds it). */
static void check_idle(struct slob_heap *h, int *errors)
{
	for (unsigned int idx = 0; idx < SP_NR_SIZES; idx++) {
		char *base = h->sp_idle[idx];
		struct page *pg;
		struct sp_quarter *s;

		if (!base)
			continue;
		pg = ((uintptr_t)base & (SQ_SIZE - 1)) ? NULL : sp_addr_page(base);
		s = pg ? sq_of(pg, base) : NULL;
		if (idx == SQ_BIG_IDX || !is_heap_size_page(h, pg) || s->info != (idx << 1 | 1) ||
		    s->inuse)
			slob_problem(h, errors, base,
				     "idle quarter is not a quarter of its size with no object out");
	}
}

unsigned long sizepage_check(struct slob_heap *h, int *errors)
{
	unsigned long span = h->sp_hi_pfn >= h->sp_lo_pfn ? h->sp_hi_pfn - h->sp_lo_pfn + 1 : 0;
	unsigned long used;

	if (span <= SP_SCAN_PFNS * (h->sp_pages + 1))
		used = check_by_scan(h, errors);
	else
		used = check_by_lists(h, errors);
	if (h->sp_kept && (!is_heap_size_page(h, h->sp_kept) || !page_all_empty(h->sp_kept)))
		slob_problem(h, errors, NULL, "the kept size page is not an empty size page");
	check_idle(h, errors);
	return used;
}

/* whatis: the quarter and object of size page @pg holding @addr (heap lock
 * held; mm/slob_segfit.c seg_whatis). */
void sizepage_whatis(struct slob_heap *h, struct page *pg, u64 addr)
{
	const void *p = (const void *)(uintptr_t)addr;
	unsigned int q = (unsigned int)((addr >> SQ_SHIFT) & (SQ_NR - 1));
	struct sp_quarter *s = sq_of(pg, p);
	unsigned int idx = sq_index(s);
	unsigned long size;
	const char *obj;

	if (s->info == SQ_COVERED && q > 0) { /* the second half of a 2048 unit */
		s--;
		q--;
		idx = sq_index(s);
	}
	if (s->info == SQ_EMPTY || idx > SQ_BIG_IDX) {
		kprintf("whatis: size page, quarter %u: empty (to be cut for any size)\n", q);
		return;
	}
	size = 16ul << idx;
	obj = (const char *)(uintptr_t)(addr & ~(u64)(size - 1));
	kprintf("whatis: size page, quarter %u of %lu-byte objects (%u of %u in use): object %lu at %p, byte %lu "
		"of it; %s\n",
		q, size, s->inuse, sq_nr(idx), (unsigned long)((obj - sq_base_of(obj)) / size),
		(const void *)obj, (unsigned long)(addr & (size - 1)),
		sq_live(h, s, idx, obj) ? "allocated" : "free");
}
