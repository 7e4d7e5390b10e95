/*
 * slob_sizepage.c - size pages: how a SLOB_SEGFIT heap serves kmalloc of a
 * power of two from 16 to 1024 bytes (and of anything up to 16 bytes)
 * aligned to its size without a header per object.
 *
 * Why. kmalloc aligns a power-of-two size to itself (Linux's rule since
 * 5.4). A segfit block has a 4-byte header in front of its payload, so two
 * 64-byte objects aligned to 64 lie at least 128 bytes apart: half the
 * memory would go to alignment. Such requests are very common (the kernel
 * size mix is mostly powers of two), so they get pages of their own.
 *
 * Layout. A size page holds objects of one size 1 << shift (shift 4..10).
 * Its first 32 bytes are a header (struct slob_sizepage: the magic, the
 * first free object's offset, the object size, a 32-bit in-use count, the
 * shift, the object count, the list links); objects start at the first
 * multiple of their size at or after it and tile the page, each aligned to
 * its size, so an object start is any multiple of the size from 32 on.
 * Free objects form a LIFO list through their first two bytes (the offset
 * of the next one; 0 ends it) and carry a marker in bytes 8..15 (their
 * address ^ heap->sp_key, a value made from the heap's secret) that a
 * second kfree finds. The header's first word is the heap's size-page
 * magic (heap->sp_magic); a segfit page has 0 there (seg_grow clears it),
 * which is how kfree and ksize tell the two kinds of page apart with one
 * load.
 *
 * Speed. kmalloc and kfree of a size page's object (sizepage_kmalloc and
 * slob_kfree in mm/slob_segfit.c, sp_pop and sp_push in slob_internal.h)
 * make no call but in tail position, so they run without a stack frame:
 * the list's head page, one object popped or pushed, the counts; a page
 * that must be made or has emptied is a tail call with the lock held.
 *
 * Lists. For each size the heap keeps the size pages that have a free
 * object on a doubly linked list (heap->sp_partial); a full page is on no
 * such list, and every size page is on heap->pages like any SLOB page. An
 * allocation pops the first free object of the first listed page: O(1). A
 * free pushes the object back, lists the page again when it was full, and
 * gives the page back to the buddy allocator when it empties, unless no
 * other empty size page is kept: one is (heap->sp_kept), so that a size
 * freed and reallocated in turn does not bounce pages. A size that needs a
 * new page first re-cuts the kept one (of another size), then segfit's
 * kept wholly free page, and only then asks the buddy allocator; segfit
 * likewise takes the kept size page before a new one (seg_grow). So the
 * heap never holds two empty pages while it grows.
 *
 * Invariants (sizepage_check, part of slob_check): the free list of a page
 * stays inside the page on object boundaries, without loops, each with its
 * marker; inuse + free objects = nr; a page is on its size's list exactly
 * when it has a free object, with back links right; used_bytes counts
 * inuse * size of every size page; the only empty size page is sp_kept.
 */
#include <mm/mm.h>
#include <mm/slob.h>

#include "slob_internal.h"

_Static_assert(sizeof(struct slob_sizepage) <= SP_HEADER, "size page header fits its room");

/* A new size page for objects of 1 << shift bytes, listed, or NULL. */
struct slob_sizepage *sizepage_grow(struct slob_heap *h, unsigned int shift, gfp_t gfp)
{
	struct slob_sizepage *sp = sizepage_take_kept(h);
	unsigned int size = 1u << shift, off;

	if (!sp)
		sp = seg_take_empty_page(h);
	if (!sp && seg_flush_parked(h)) /* merged, they may leave a page empty */
		sp = seg_take_empty_page(h);
	if (!sp)
		sp = get_slob_page(h, gfp);
	if (!sp)
		return NULL;
	sp->magic = h->sp_magic;
	sp->shift = (u16)shift;
	sp->size = (u16)size;
	sp->inuse = 0;
	sp->nr = (u16)((PAGE_SIZE - sp_first(size)) >> shift);
	sp->free = sp_first(size);
	for (off = sp_first(size); off < PAGE_SIZE; off += size) {
		char *obj = (char *)sp + off;

		*(u16 *)obj = (u16)(off + size < PAGE_SIZE ? off + size : 0);
		*marker_slot(obj) = sp_marker(h, obj);
	}
	sp_list_add(h, sp);
	return sp;
}

/* Take sp off its size's list and make its page a size page no more. */
static void sp_unmake(struct slob_heap *h, struct slob_sizepage *sp)
{
	sp_list_del(h, sp);
	sp->magic = 0;
}

void *sizepage_take_kept(struct slob_heap *h)
{
	struct slob_sizepage *sp = h->sp_kept;

	if (!sp)
		return NULL;
	h->sp_kept = NULL;
	sp_unmake(h, sp);
	return sp;
}

size_t sizepage_ksize(const struct slob_heap *h, const struct slob_sizepage *sp, const void *p)
{
	if (!sp_on_boundary(sp, p) || *marker_slot((void *)p) == sp_marker(h, p))
		return 0;
	return sp_size(sp);
}

void sizepage_release(struct slob_heap *h, struct slob_sizepage *sp)
{
	sp_unmake(h, sp);
	put_slob_page(h, sp);
}

void sizepage_emptied(struct slob_heap *h, struct slob_sizepage *sp)
{
	if (h->sp_kept) /* one empty size page is kept: this one goes */
		sizepage_release(h, sp);
	else
		h->sp_kept = sp;
}

bool sizepage_release_if_empty(struct slob_heap *h, struct slob_sizepage *sp)
{
	if (sp->inuse)
		return false;
	if (sp == h->sp_kept)
		h->sp_kept = NULL;
	sizepage_release(h, sp);
	return true;
}

void sizepage_free_blocks(struct slob_heap *h, struct slob_stats *st)
{
	struct list_head *pos;

	list_for_each(pos, &h->pages) {
		struct slob_sizepage *sp = sizepage_of(h, page_address(list_entry(pos, struct page, lru)));

		if (!sp)
			continue;
		st->size_pages++;
		st->size_page_bytes += (unsigned long)sp->nr * sp_size(sp);
		for (u16 off = sp->free; off; off = *(u16 *)((char *)sp + off)) {
			slob_note_free_block(st, sp_size(sp));
			st->size_free_blocks++;
		}
	}
}

/* Walk one size page; the bytes of its objects in use. */
unsigned long sizepage_check_page(struct slob_heap *h, struct slob_sizepage *sp, int *errors)
{
	unsigned int size, nfree = 0;
	bool listed = false;

	if (sp->shift < SP_MIN_SHIFT || sp->shift > SP_MAX_SHIFT) {
		slob_problem(h, errors, sp, "size page with an impossible object size");
		return 0;
	}
	size = 1u << sp->shift;
	if (sp->size != size)
		slob_problem(h, errors, sp, "size page object size differs from its shift");
	if (sp->nr != (PAGE_SIZE - sp_first(size)) >> sp->shift)
		slob_problem(h, errors, sp, "size page object count is wrong");
	for (u16 off = sp->free; off; off = *(u16 *)((char *)sp + off)) {
		char *obj = (char *)sp + off;

		if (off >= PAGE_SIZE || !sp_on_boundary(sp, obj) || ++nfree > sp->nr) {
			slob_problem(h, errors, obj, "size page free list leaves the page or loops");
			return (unsigned long)sp->inuse * size;
		}
		if (*marker_slot(obj) != sp_marker(h, obj))
			slob_problem(h, errors, obj, "free object lost its marker (written after kfree?)");
	}
	if (sp->inuse + nfree != sp->nr)
		slob_problem(h, errors, sp, "size page in-use count differs from its free list");
	if (!sp->inuse && sp != h->sp_kept)
		slob_problem(h, errors, sp, "empty size page that is not the kept one");
	for (struct slob_sizepage *q = h->sp_partial[sp->shift - SP_MIN_SHIFT]; q; q = q->next)
		if (q == sp)
			listed = true;
	if (listed != (nfree > 0))
		slob_problem(h, errors, sp, "size page listed though full, or full page not listed");
	if (sp->prev ? sp->prev->next != sp : listed && h->sp_partial[sp->shift - SP_MIN_SHIFT] != sp)
		slob_problem(h, errors, sp, "size page list back link broken");
	return (unsigned long)sp->inuse * size;
}
