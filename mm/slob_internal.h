/*
 * slob_internal.h - the calls between the three parts of SLOB: mm/slob.c
 * (the heap object, its pages, bigblocks, the entry points that choose a
 * model, statistics and the checker's frame), mm/slob_classic.c
 * (SLOB_CLASSIC) and mm/slob_segfit.c (SLOB_SEGFIT).
 *
 * Contract: every call below that takes a heap runs with h->lock held and
 * does not drop it (a model grows by get_slob_page under the lock); the
 * model functions are only called for a heap of their own mode. A model
 * keeps its block format to itself (but for classic's one-unit kmalloc
 * header, inline below for kmalloc's paths): mm/slob.c sees blocks only
 * through these calls, and a model sees pages only through get_slob_page
 * and put_slob_page, which keep page->private, PGTY_SLOB, heap->pages and
 * the page counts right.
 */
#ifndef RVMM_MM_SLOB_INTERNAL_H
#define RVMM_MM_SLOB_INTERNAL_H

#include <config.h>
#include <lib/kernel.h>
#include <mm/slob.h>

/* ============================== mm/slob.c ================================= */

/* Count and print a bad free on the heap (last_error keeps the reason). */
static inline void heap_error(struct slob_heap *h, const void *p, const char *reason)
{
	h->nr_bad_frees++;
	h->last_error = reason;
	kprintf("slob: %s: %p: %s\n", h->name, p, reason);
}

/* A fresh page for the heap (its address), or NULL at the heap's limit or
 * when the page allocator has none. */
void *get_slob_page(struct slob_heap *h, gfp_t gfp);
/* Give a page of the heap back to the page allocator (its blocks unused). */
void put_slob_page(struct slob_heap *h, void *addr);

/* slob_kmalloc's other path: classic heaps, __GFP_ZERO, classic's requests
 * bigger than a block, failslab. Takes the lock itself. */
void *slob_kmalloc_other(struct slob_heap *h, size_t size, gfp_t gfp);

/* slob_get_stats: count one free block of @bytes. */
void slob_note_free_block(struct slob_stats *st, unsigned long bytes);
/* slob_check: count a problem, print the first few. */
void slob_problem(struct slob_heap *h, int *errors, const void *where, const char *what);

/* ========================== mm/slob_classic.c ============================= */

typedef struct slob_block slob_t;

#define SLOB_UNITS(size) (((long)(size) + SLOB_UNIT - 1) / SLOB_UNIT)
#define PAGE_UNITS ((long)PAGE_SIZE / SLOB_UNIT)

void *classic_alloc(struct slob_heap *h, size_t size, gfp_t gfp, size_t align);
void classic_free(struct slob_heap *h, void *p, size_t size);
void classic_free_blocks(struct slob_heap *h, struct slob_stats *st);
int classic_check(struct slob_heap *h);

static inline bool same_page(const void *a, const void *b)
{
	return ((uintptr_t)a ^ (uintptr_t)b) < PAGE_SIZE;
}

/* Classic's kmalloc header: one unit, {units, CLASSIC_MAGIC}, before the
 * object. Inline: kmalloc's paths (slob_kmalloc_other, slob_kfree,
 * slob_ksize) take these under the lock. */
#define CLASSIC_MAGIC ((slob_t *)0x51ab0b0c51ab0b0cull) /* the header's next */

static inline void *classic_kmalloc(struct slob_heap *h, size_t size, gfp_t gfp)
{
	slob_t *m = classic_alloc(h, size + SLOB_UNIT, gfp, 0);

	if (!m)
		return NULL;
	m->next = CLASSIC_MAGIC;
	return m + 1;
}

/* false (reported) when p is not a live kmalloc block of the heap */
static inline bool classic_kfree(struct slob_heap *h, void *p)
{
	slob_t *m = (slob_t *)p - 1;

	if (((uintptr_t)p & (SLOB_UNIT - 1)) || !same_page(m, p) || m->next != CLASSIC_MAGIC ||
	    m->units < 2 || m->units > PAGE_UNITS) {
		heap_error(h, p, "kfree of a pointer kmalloc did not return, or freed twice");
		return false;
	}
	m->next = NULL;
	classic_free(h, m, (size_t)m->units * SLOB_UNIT);
	return true;
}

/* usable bytes of a live kmalloc block, 0 if p is not one */
static inline size_t classic_ksize(const void *p)
{
	const slob_t *m = (const slob_t *)p - 1;

	return !((uintptr_t)p & (SLOB_UNIT - 1)) && same_page(m, p) && m->next == CLASSIC_MAGIC
		       ? (size_t)(m->units - 1) * SLOB_UNIT
		       : 0;
}

/* =========================== mm/slob_segfit.c ============================= */

void *seg_alloc(struct slob_heap *h, size_t size, gfp_t gfp, size_t align);
/* Free p if it is a live block (p inside one of the heap's pages); false if
 * not, with nothing done. */
bool seg_free(struct slob_heap *h, void *p);
size_t seg_ksize(const struct slob_heap *h, const void *p);
/* Return every wholly free page; the number of pages still in use. */
unsigned long seg_release_pages(struct slob_heap *h);
void seg_free_blocks(struct slob_heap *h, struct slob_stats *st);
int seg_check(struct slob_heap *h);

#endif
