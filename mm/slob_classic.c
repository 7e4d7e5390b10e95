/*
 * slob_classic.c - SLOB_CLASSIC: Linux 2.6.20's SLOB, kept for comparison
 * with SLOB_SEGFIT (mm/slob_segfit.c, the default).
 *
 * Memory is counted in 16-byte units. A block (struct slob_block, slob.h)
 * records its size in units and, while free, the next free block. All free
 * blocks of a heap sit on one circular list in address order, closed by the
 * heap's arena (a one-unit sentinel that is never handed out); slobfree is
 * a roving pointer into it.
 *
 * classic_alloc walks the list first fit, starting after slobfree. When
 * asked for an alignment it skips to the first unit of a block that is
 * aligned once align_off is added (kmalloc: the unit after its header), and
 * the skipped units stay on the list as a free fragment. It takes the front
 * of the block it chose, leaves the rest listed, and leaves slobfree where
 * it stopped; when a whole lap finds nothing it frees a fresh page into the
 * list and goes on. classic_free reinserts a block in address order and
 * coalesces it with the neighbours it touches. Both cost O(free blocks).
 * Two changes from 2.6.20: neighbours merge only inside a page (a block
 * never crosses one), and a page that becomes wholly free is returned to
 * the page allocator at once, so no wholly free page is ever listed.
 *
 * slob_alloc's blocks carry no header: the caller passes the size back to
 * slob_free, which first proves the block in one of the heap's pages, on a
 * unit, inside its page and overlapping no free block (classic_free_ok: a
 * walk of the list), so a second free or a foreign pointer is reported
 * instead of linked into the list (a second one used to send the insertion
 * walk round the list for ever). A pointer inside a live block, or a size
 * that reaches only into live blocks, is not caught: nothing records them. kmalloc's blocks start with a one-unit header, {units,
 * CLASSIC_MAGIC}, before the object (classic_kmalloc, classic_kfree and
 * classic_ksize, inline in mm/slob_internal.h for kmalloc's paths in
 * mm/slob.c and mm/slob_segfit.c); kfree and ksize check it (alignment,
 * same page, magic, size). A freed block's header no longer holds the
 * magic (kfree clears it, the list link overwrites it), so a second kfree
 * of the same pointer is reported instead of corrupting the list.
 *
 * Invariants (classic_check): the list is in address order with exactly
 * one wrap, at the arena; every listed block lies in one of the heap's
 * pages, inside one page, touches no listed neighbour in its page and is
 * not a whole page; free plus used units are the heap's pages.
 */
#include <mm/mm.h>
#include <mm/slob.h>

#include "slob_internal.h"

/* Insert b (b->units set) into the address-ordered list; merge with the
 * neighbours it touches in its page. Returns the block it ended up in. */
static slob_t *classic_insert(struct slob_heap *h, slob_t *b)
{
	slob_t *cur;

	for (cur = h->slobfree; !(b > cur && b < cur->next); cur = cur->next)
		if (cur >= cur->next && (b > cur || b < cur->next))
			break;
	if (b + b->units == cur->next && same_page(b, cur->next)) {
		b->units += cur->next->units;
		b->next = cur->next->next;
	} else {
		b->next = cur->next;
	}
	h->slobfree = cur;
	if (cur + cur->units == b && same_page(cur, b)) {
		cur->units += b->units;
		cur->next = b->next;
		return cur;
	}
	cur->next = b;
	return b;
}

/* If @b now covers its whole page, unlink it and give the page back. */
static void classic_release_if_empty(struct slob_heap *h, slob_t *b)
{
	slob_t *prev = b;

	if (b->units != PAGE_UNITS || ((uintptr_t)b & (PAGE_SIZE - 1)))
		return;
	while (prev->next != b) /* one lap at most */
		prev = prev->next;
	prev->next = b->next;
	h->slobfree = prev;
	put_slob_page(h, b);
}

void *classic_alloc(struct slob_heap *h, size_t size, gfp_t gfp, size_t align, size_t align_off)
{
	slob_t *prev, *cur, *aligned = NULL;
	long delta = 0, units = SLOB_UNITS(size);

	if (units > PAGE_UNITS)
		return NULL;
	prev = h->slobfree;
	for (cur = prev->next;; prev = cur, cur = cur->next) {
		if (align) {
			aligned = (slob_t *)(ALIGN_UP((uintptr_t)cur + align_off, align) - align_off);
			delta = aligned - cur;
		}
		if (cur != &h->arena && cur->units >= units + delta) {
			if (delta) { /* leave the skipped units as a free fragment */
				aligned->units = cur->units - delta;
				aligned->next = cur->next;
				cur->next = aligned;
				cur->units = delta;
				prev = cur;
				cur = aligned;
			}
			if (cur->units == units) { /* exact fit */
				prev->next = cur->next;
			} else { /* split */
				prev->next = cur + units;
				prev->next->units = cur->units - units;
				prev->next->next = cur->next;
				cur->units = units;
			}
			h->slobfree = prev;
			h->used_bytes += (unsigned long)units * SLOB_UNIT;
			return cur;
		}
		if (cur == h->slobfree) { /* a whole lap: grow by a page */
			slob_t *page = get_slob_page(h, gfp);

			if (!page)
				return NULL;
			page->units = PAGE_UNITS;
			classic_insert(h, page);
			cur = h->slobfree;
		}
	}
}

bool classic_free_ok(struct slob_heap *h, const void *p, size_t size)
{
	const slob_t *b = p;
	long units = SLOB_UNITS(size);
	struct page *pg = virt_to_page(p);

	if (!pg || page_type(pg) != PGTY_SLOB || pg->priv != (unsigned long)h)
		return false;
	if (((uintptr_t)p & (SLOB_UNIT - 1)) || units < 1 || units > PAGE_UNITS || !same_page(b, b + units - 1))
		return false;
	for (const slob_t *f = h->arena.next; f != &h->arena; f = f->next)
		if (f < b + units && b < f + f->units)
			return false;
	return true;
}

void classic_free(struct slob_heap *h, void *p, size_t size)
{
	slob_t *b = p;

	b->units = SLOB_UNITS(size);
	h->used_bytes -= (unsigned long)b->units * SLOB_UNIT;
	classic_release_if_empty(h, classic_insert(h, b));
}

/* ========================= statistics and checks ========================= */

void classic_free_blocks(struct slob_heap *h, struct slob_stats *st)
{
	for (slob_t *b = h->arena.next; b != &h->arena; b = b->next)
		slob_note_free_block(st, (unsigned long)b->units * SLOB_UNIT);
}

int classic_check(struct slob_heap *h)
{
	unsigned long n = 0, wraps = 0, free_units = 0;
	int errors = 0;
	slob_t *b = &h->arena;

	do {
		slob_t *next = b->next;

		if (++n > h->nr_pages * PAGE_UNITS + 2) {
			slob_problem(h, &errors, b, "free list loops");
			break;
		}
		if (next <= b)
			wraps++;
		if (b != &h->arena) {
			struct page *pg = virt_to_page(b);

			if (b->units <= 0 || !same_page(b, b + b->units - 1))
				slob_problem(h, &errors, b, "free block size runs outside its page");
			if (!pg || page_type(pg) != PGTY_SLOB || pg->priv != (unsigned long)h)
				slob_problem(h, &errors, b, "free block not in one of the heap's pages");
			if (b + b->units == next && same_page(b, next))
				slob_problem(h, &errors, b, "free block touches the next one (missed merge)");
			if (b->units == PAGE_UNITS)
				slob_problem(h, &errors, b, "wholly free page kept");
			free_units += (unsigned long)b->units;
		}
		b = next;
	} while (b != &h->arena);
	if (wraps != 1)
		slob_problem(h, &errors, h->arena.next, "free list not in address order");
	if (free_units * SLOB_UNIT + h->used_bytes != h->nr_pages * PAGE_SIZE)
		slob_problem(h, &errors, NULL, "free and used bytes do not add up to the pages");
	return errors;
}

/*
 * whatis (mm/mm_whatis.c): the block of a classic heap's page holding
 * @addr. A listed block is found on the list (the list is bounded as
 * classic_check bounds it). An allocated block carries a header only when
 * kmalloc made it: the nearest unit at or below @addr in its page that
 * reads {units, CLASSIC_MAGIC} and covers @addr is reported as its likely
 * start (a slob_alloc block has no header; object bytes could look like
 * one).
 */
void classic_whatis(struct slob_heap *h, u64 addr)
{
	unsigned long flags = spin_lock_irqsave(&h->lock), n = 0;
	const slob_t *u = (const slob_t *)(uintptr_t)(addr & ~(u64)(SLOB_UNIT - 1));
	const slob_t *page = (const slob_t *)(uintptr_t)(addr & ~(u64)(PAGE_SIZE - 1));

	for (const slob_t *b = h->arena.next; b != &h->arena && n++ <= h->nr_pages * PAGE_UNITS;
	     b = b->next) {
		if (u >= b && u < b + b->units) {
			kprintf("whatis: free: a listed block of %ld units (%ld bytes) at %p, byte %llu of it\n",
				b->units, b->units * SLOB_UNIT, (const void *)b,
				(unsigned long long)(addr - (u64)(uintptr_t)b));
			spin_unlock_irqrestore(&h->lock, flags);
			return;
		}
	}
	for (; u >= page; u--)
		if (u->next == CLASSIC_MAGIC && u->units >= 2 && u->units <= PAGE_UNITS &&
		    (u64)(uintptr_t)(u + u->units) > addr) {
			kprintf("whatis: allocated: likely the kmalloc block at %p (%ld bytes usable), byte %lld "
				"of it\n", (const void *)(u + 1), (u->units - 1) * SLOB_UNIT,
				(long long)(addr - (u64)(uintptr_t)(u + 1)));
			spin_unlock_irqrestore(&h->lock, flags);
			return;
		}
	kprintf("whatis: allocated (on no free list; no kmalloc header before it: a slob_alloc block)\n");
	spin_unlock_irqrestore(&h->lock, flags);
}
