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
 * Layout. A size page holds objects of one size 16 << idx (idx 0..7: 16 to
 * 2048 bytes) and nothing else: its header is in its struct page, as the
 * slab allocator keeps a slab's, so its 4 KiB are all objects, PAGE_SIZE /
 * size of them, each at a multiple of its size (four 1024-byte objects, not
 * the three a header in the page left room for; two of 2048, which did not
 * fit beside one at all). The struct page's first
 * union (include/mm/mm.h) holds sp_info ((idx << 1) | 1), sp_size, sp_free
 * (the offset of the first free object, SP_NONE when there is none),
 * sp_inuse and the pfns of its list neighbours; page->private is the heap
 * and the page type PGTY_SLOB, as for every SLOB page. The other SLOB pages
 * sit on heap->pages through page->lru, whose first word, an even pointer,
 * lies where sp_info's odd value does: that bit is how kfree and ksize tell
 * a size page (PageSlobSize), one load from the struct page kfree found.
 * Free objects form a LIFO list through their first two bytes (the offset
 * of the next one) and carry a marker in bytes 8..15 (their address ^
 * heap->sp_key, a value made from the heap's secret) that a second kfree
 * finds.
 *
 * Speed. kmalloc and kfree of a size page's object (sizepage_kmalloc and
 * slob_kfree in mm/slob_segfit.c, sp_pop and sp_push in slob_internal.h)
 * make no call but in tail position, so they run without a stack frame.
 * The heap keeps the address of each list's head page beside its struct
 * page (sp_base), so a pop needs no page_address; kfree finds the struct
 * page through the flat memmap's window and the address of the page from
 * the pointer. A page that fills, empties or must be made is a tail call
 * with the lock held; a full page that gets an object back is listed
 * inline (its pfn from its address, no memmap lookup).
 *
 * Lists. For each size the heap keeps the size pages that have a free
 * object on a doubly linked list through their struct pages (pfns, as the
 * slab allocator links its slabs); a full page is on no list. An
 * allocation pops the first free object of the first listed page: O(1). A
 * free pushes the object back, lists the page again when it was full, and
 * gives the page back to the buddy allocator when it empties, unless no
 * other empty size page is kept: one is (heap->sp_kept), so that a size
 * freed and reallocated in turn does not bounce pages. A size that needs a
 * new page first re-cuts the kept one (of another size), then segfit's
 * kept wholly free page, and only then asks the buddy allocator; segfit
 * likewise takes the kept size page before a new one (seg_grow). So the
 * heap never holds two empty pages while it grows. heap->sp_pages counts
 * the size pages (nr_pages counts them too); every size page ever made
 * lies between heap->sp_lo_pfn and sp_hi_pfn, where slob_check finds the
 * full ones, which no list holds, when that range is at most SP_SCAN_PFNS
 * pfns per size page. Wider (pages taken from all over a big machine),
 * scanning it would cost O(RAM) per check: slob_check then checks the
 * listed pages and counts the others as full (see sizepage_check).
 *
 * Invariants (sizepage_check, part of slob_check): every PGTY_SLOB page of
 * the heap with an odd sp_info is a size page of a valid index with
 * sp_size = 16 << idx, and there are sp_pages of them; its free list stays
 * inside the page on object boundaries, without loops, each with its
 * marker; inuse + free objects = PAGE_SIZE / size; a page is on its size's
 * list exactly when it has a free object, with back links right and
 * sp_base the head's address; used_bytes counts inuse * size of every size
 * page; the only empty size page is sp_kept. (The full pages' own checks,
 * and that they are size pages of this heap, only when the range is
 * scanned; otherwise their number is sp_pages less the listed pages and
 * their bytes PAGE_SIZE each, which used_bytes must agree with.)
 */
#include <mm/mm.h>
#include <mm/mmzone.h>
#include <mm/slob.h>

#include "slob_internal.h"

_Static_assert(sizeof(struct page) <= 32, "a size page's header fits struct page");

/* slob_check scans [sp_lo_pfn, sp_hi_pfn] for the full size pages when it
 * spans at most this many pfns per size page (plus one): about the cost of
 * walking the objects of the pages themselves. */
#define SP_SCAN_PFNS 64ul

/* Make the page at @addr (an ordinary SLOB page of h, on heap->pages, its
 * memory unused) a size page of index idx with every object free, listed. */
static struct page *sp_make(struct slob_heap *h, char *addr, unsigned int idx)
{
	struct page *pg = virt_to_page(addr);
	unsigned int size = 16u << idx, off;
	u32 pfn = sp_pfn(addr);

	list_del(&pg->lru);
	pg->sp_info = (u16)(idx << 1 | 1);
	pg->sp_size = (u16)size;
	pg->sp_inuse = 0;
	pg->sp_free = 0;
	for (off = 0; off < PAGE_SIZE; off += size) {
		char *obj = addr + off;

		*(u16 *)obj = (u16)(off + size);
		*marker_slot(obj) = sp_marker(h, obj);
	}
	h->sp_pages++;
	if (pfn < h->sp_lo_pfn)
		h->sp_lo_pfn = pfn;
	if (pfn > h->sp_hi_pfn)
		h->sp_hi_pfn = pfn;
	sp_list_add(h, pg, addr);
	return pg;
}

/* Unlist pg and make it an ordinary SLOB page of the heap again (on
 * heap->pages); its address. */
static char *sp_unmake(struct slob_heap *h, struct page *pg)
{
	char *addr = page_address(pg);

	sp_list_del(h, pg);
	list_add(&pg->lru, &h->pages); /* lru.next, even: no longer a size page */
	h->sp_pages--;
	return addr;
}

struct page *sizepage_grow(struct slob_heap *h, unsigned int idx, gfp_t gfp)
{
	char *addr = sizepage_take_kept(h);

	if (!addr)
		addr = seg_take_empty_page(h);
	if (!addr && seg_flush_parked(h)) /* merged, they may leave a page empty */
		addr = seg_take_empty_page(h);
	if (!addr)
		addr = get_slob_page(h, gfp);
	if (!addr)
		return NULL;
	return sp_make(h, addr, idx);
}

void sp_list_del(struct slob_heap *h, struct page *pg)
{
	unsigned int idx = sp_index(pg);

	if (pg == h->sp_partial[idx]) {
		sp_list_pop_head(h, idx);
		return;
	}
	if (pg->sp_prev == SP_NIL) /* on no list: full */
		return;
	sp_addr_page(sp_pfn_addr(pg->sp_prev))->sp_next = pg->sp_next;
	if (pg->sp_next != SP_NIL)
		sp_addr_page(sp_pfn_addr(pg->sp_next))->sp_prev = pg->sp_prev;
	pg->sp_next = pg->sp_prev = SP_NIL;
}

void *sizepage_take_kept(struct slob_heap *h)
{
	struct page *pg = h->sp_kept;

	if (!pg)
		return NULL;
	h->sp_kept = NULL;
	return sp_unmake(h, pg);
}

size_t sizepage_ksize(const struct slob_heap *h, const struct page *pg, const void *p)
{
	if (!sp_on_boundary(pg, p) || *marker_slot((void *)p) == sp_marker(h, p))
		return 0;
	return pg->sp_size;
}

void sizepage_release(struct slob_heap *h, struct page *pg)
{
	put_slob_page(h, sp_unmake(h, pg));
}

void sizepage_emptied(struct slob_heap *h, struct page *pg)
{
	if (h->sp_kept) /* one empty size page is kept: this one goes */
		sizepage_release(h, pg);
	else
		h->sp_kept = pg;
}

unsigned long sizepage_release_all(struct slob_heap *h)
{
	if (h->sp_kept) {
		sizepage_release(h, h->sp_kept);
		h->sp_kept = NULL;
	}
	return h->sp_pages;
}

/* The free objects of the pages of each list (a full page has none). */
void sizepage_free_blocks(struct slob_heap *h, struct slob_stats *st)
{
	st->size_pages = h->sp_pages;
	st->size_page_bytes = h->sp_pages * PAGE_SIZE;
	for (unsigned int idx = 0; idx < SP_NR_SIZES; idx++) {
		unsigned long n = 0;

		for (struct page *pg = h->sp_partial[idx]; pg && n++ <= h->sp_pages;
		     pg = pg->sp_next == SP_NIL ? NULL : sp_addr_page(sp_pfn_addr(pg->sp_next))) {
			unsigned long nfree = sp_nr(idx) - pg->sp_inuse;

			for (unsigned long i = 0; i < nfree; i++)
				slob_note_free_block(st, pg->sp_size);
			st->size_free_blocks += nfree;
		}
	}
}

void sizepage_census(struct slob_heap *h, void (*fn)(const struct slob_page_info *pi, void *arg),
		     void *arg)
{
	for (unsigned long pfn = h->sp_lo_pfn; pfn <= h->sp_hi_pfn; pfn++) {
		char *addr = sp_pfn_addr((u32)pfn);
		struct page *pg = virt_to_page(addr);
		struct slob_page_info pi = { .addr = addr, .size_page = true };

		if (!pg || page_type(pg) != PGTY_SLOB || pg->private != (unsigned long)h ||
		    !PageSlobSize(pg))
			continue;
		pi.obj_size = pg->sp_size;
		pi.objs = PAGE_SIZE / pg->sp_size;
		pi.inuse = pg->sp_inuse;
		fn(&pi, arg);
	}
}

/* Walk one size page at addr; the number of its free objects. */
static unsigned int check_one(struct slob_heap *h, struct page *pg, char *addr, int *errors)
{
	unsigned int idx = sp_index(pg), nfree = 0;

	if (idx >= SP_NR_SIZES) {
		slob_problem(h, errors, addr, "size page with an impossible object size");
		return 0;
	}
	if (pg->sp_size != 16u << idx)
		slob_problem(h, errors, addr, "size page object size differs from its list index");
	for (unsigned int off = pg->sp_free; off != SP_NONE; off = *(u16 *)(addr + off)) {
		char *obj = addr + off;

		if (off > SP_NONE || !sp_on_boundary(pg, obj) || ++nfree > sp_nr(idx)) {
			slob_problem(h, errors, obj, "size page free list leaves the page or loops");
			return nfree;
		}
		if (*marker_slot(obj) != sp_marker(h, obj))
			slob_problem(h, errors, obj, "free object lost its marker (written after kfree?)");
	}
	if (pg->sp_inuse + nfree != sp_nr(idx))
		slob_problem(h, errors, addr, "size page in-use count differs from its free list");
	if (!pg->sp_inuse && pg != h->sp_kept)
		slob_problem(h, errors, addr, "empty size page that is not the kept one");
	if (!nfree && (pg->sp_next != SP_NIL || pg->sp_prev != SP_NIL))
		slob_problem(h, errors, addr, "full size page with list links");
	return nfree;
}

/* Walk list idx: each page a size page of the heap of that index with a
 * free object, back links right; how many. With @used, each page's
 * objects are checked too (check_one) and its in-use bytes added. */
static unsigned long check_list(struct slob_heap *h, unsigned int idx, unsigned long *used,
				int *errors)
{
	u32 prev = SP_NIL;
	unsigned long n = 0;
	struct page *pg = h->sp_partial[idx];

	if (pg && h->sp_base[idx] != page_address(pg))
		slob_problem(h, errors, h->sp_base[idx], "size list head's address is wrong");
	while (pg) {
		char *addr = page_address(pg);

		if (++n > h->sp_pages) {
			slob_problem(h, errors, addr, "size page list loops or holds a page not counted");
			break;
		}
		if (page_type(pg) != PGTY_SLOB || pg->private != (unsigned long)h || !PageSlobSize(pg) ||
		    sp_index(pg) != idx) {
			slob_problem(h, errors, addr, "listed page is not a size page of this heap and size");
			break;
		}
		if (pg->sp_free == SP_NONE)
			slob_problem(h, errors, addr, "full size page on its size's list");
		if (pg->sp_prev != prev)
			slob_problem(h, errors, addr, "size page list back link broken");
		if (used) {
			check_one(h, pg, addr, errors);
			*used += (unsigned long)pg->sp_inuse * pg->sp_size;
		}
		prev = sp_pfn(addr);
		pg = pg->sp_next == SP_NIL ? NULL : virt_to_page(sp_pfn_addr(pg->sp_next));
	}
	return n;
}

/* Every size page, found by a scan of [sp_lo_pfn, sp_hi_pfn]: each full
 * one checked too. */
static unsigned long check_by_scan(struct slob_heap *h, int *errors)
{
	unsigned long used = 0, pages = 0, with_free = 0, listed = 0;

	for (unsigned long pfn = h->sp_lo_pfn; pfn <= h->sp_hi_pfn; pfn++) {
		char *addr = sp_pfn_addr((u32)pfn);
		struct page *pg = virt_to_page(addr);

		if (!pg || page_type(pg) != PGTY_SLOB || pg->private != (unsigned long)h ||
		    !PageSlobSize(pg))
			continue;
		pages++;
		if (check_one(h, pg, addr, errors))
			with_free++;
		used += (unsigned long)pg->sp_inuse * pg->sp_size;
	}
	for (unsigned int idx = 0; idx < SP_NR_SIZES; idx++)
		listed += check_list(h, idx, NULL, errors);
	if (pages != h->sp_pages)
		slob_problem(h, errors, NULL, "size page count differs from the size pages found");
	if (listed != with_free)
		slob_problem(h, errors, NULL, "size pages with a free object differ from the listed ones");
	return used;
}

/* The listed size pages only; the full ones, on no list, are sp_pages less
 * the listed ones, and each holds PAGE_SIZE bytes in use. */
static unsigned long check_by_lists(struct slob_heap *h, int *errors)
{
	unsigned long used = 0, listed = 0;

	for (unsigned int idx = 0; idx < SP_NR_SIZES; idx++)
		listed += check_list(h, idx, &used, errors);
	if (listed > h->sp_pages) {
		slob_problem(h, errors, NULL, "size page count below the size pages listed");
		return used;
	}
	return used + (h->sp_pages - listed) * PAGE_SIZE;
}

unsigned long sizepage_check(struct slob_heap *h, int *errors)
{
	unsigned long span = h->sp_hi_pfn >= h->sp_lo_pfn ? h->sp_hi_pfn - h->sp_lo_pfn + 1 : 0;
	unsigned long used;

	if (span <= SP_SCAN_PFNS * (h->sp_pages + 1))
		used = check_by_scan(h, errors);
	else
		used = check_by_lists(h, errors);
	if (h->sp_kept && (page_type(h->sp_kept) != PGTY_SLOB || !PageSlobSize(h->sp_kept) ||
			   h->sp_kept->private != (unsigned long)h || h->sp_kept->sp_inuse))
		slob_problem(h, errors, NULL, "the kept size page is not an empty size page");
	return used;
}
