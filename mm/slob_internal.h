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
#include <mm/kmalloc.h>
#include <mm/slob.h>

/* kmalloc's alignment for a @size-byte request beyond what every block
 * has (ARCH_KMALLOC_MINALIGN): the size itself for a power of two above
 * it, else 0. Powers of two above a page never reach SLOB blocks. */
static inline size_t kmalloc_align(size_t size)
{
	return size > ARCH_KMALLOC_MINALIGN && !(size & (size - 1)) ? size : 0;
}

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
#define SP_MAX_SIZE_INDEX ((1u << SP_MAX_SHIFT) >> 4)

/* A block of @size bytes; with @align, the block's start plus @align_off
 * bytes is align-aligned (align_off < align, a multiple of SLOB_UNIT). */
void *classic_alloc(struct slob_heap *h, size_t size, gfp_t gfp, size_t align, size_t align_off);
void classic_free(struct slob_heap *h, void *p, size_t size);
void classic_free_blocks(struct slob_heap *h, struct slob_stats *st);
int classic_check(struct slob_heap *h);

static inline bool same_page(const void *a, const void *b)
{
	return ((uintptr_t)a ^ (uintptr_t)b) < PAGE_SIZE;
}

/* Classic's kmalloc header: one unit, {units, CLASSIC_MAGIC}, before the
 * object, so objects are SLOB_UNIT (16) aligned; a power of two is aligned
 * to its size (the header one unit before the boundary). Inline: kmalloc's
 * paths (slob_kmalloc_other, slob_kfree, slob_ksize) take these under the
 * lock. */
#define CLASSIC_MAGIC ((slob_t *)0x51ab0b0c51ab0b0cull) /* the header's next */

static inline void *classic_kmalloc(struct slob_heap *h, size_t size, gfp_t gfp)
{
	slob_t *m = classic_alloc(h, size + SLOB_UNIT, gfp, kmalloc_align(size), SLOB_UNIT);

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
/* Merge every parked block (before the heap grows, and on destroy);
 * whether there was one. */
bool seg_flush_parked(struct slob_heap *h);
/* segfit's kept wholly free page, off its list and no longer counted as
 * kept (for sizepage_grow), or NULL. */
void *seg_take_empty_page(struct slob_heap *h);
/* No segfit page holds a kmalloc of @size at its alignment (2048): such a
 * request is a bigblock. */
bool seg_kmalloc_too_big(size_t size);
/* Free p if it is a live block (p inside one of the heap's pages); false if
 * not, with nothing done. */
bool seg_free(struct slob_heap *h, void *p);
size_t seg_ksize(const struct slob_heap *h, const void *p);
/* Return every wholly free page; the number of pages still in use. */
unsigned long seg_release_pages(struct slob_heap *h);
void seg_free_blocks(struct slob_heap *h, struct slob_stats *st);
int seg_check(struct slob_heap *h);

/* ========================== mm/slob_sizepage.c ============================ */

/* A size page's header, its first 32 bytes. The fields the fast paths
 * read are 32-bit or the object size itself, so they need no extension. */
struct slob_sizepage {
	u32 magic;  /* heap->sp_magic; a segfit page has 0 here */
	u16 free;   /* offset of the first free object; 0: none */
	u16 size;   /* objects are size = 1 << shift bytes */
	u32 inuse;  /* objects handed out */
	u16 shift;
	u16 nr;     /* objects in the page */
	struct slob_sizepage *next, *prev; /* the heap's list of its size, while not full */
};

#define SIZEPAGE_MAGIC 0x5a9e7a6eu

/* The heap's size-page magic (heap->sp_magic, set by slob_heap_init). */
static inline u32 sizepage_magic(const struct slob_heap *h)
{
	/* Never 0 (a segfit page's first word) nor a classic block's unit
	 * count (a classic page's first word: at most PAGE_UNITS). */
	return (h->secret ^ SIZEPAGE_MAGIC) | 0x80000001u;
}

/* The key a free object's marker is made of (heap->sp_key). */
static inline u64 sizepage_key(const struct slob_heap *h)
{
	return (u64)h->secret << 32 | (u32)~h->secret;
}

static inline struct slob_sizepage *page_head_of(const void *p)
{
	return (struct slob_sizepage *)((uintptr_t)p & ~(uintptr_t)(PAGE_SIZE - 1));
}

/* The size page holding p, or NULL when p's page is a segfit page. */
static inline struct slob_sizepage *sizepage_of(const struct slob_heap *h, const void *p)
{
	struct slob_sizepage *sp = page_head_of(p);

	return sp->magic == h->sp_magic ? sp : NULL;
}

/* The index into heap->sp_partial of a kmalloc of @size bytes when a size
 * page serves it (a power of two up to 1024, or anything below 16: check
 * that first), from one table load. */
static inline unsigned int sizepage_index(size_t size)
{
	static const u8 index_of[SP_MAX_SIZE_INDEX + 1] = {
		[0] = 0, [1] = 0, [2] = 1, [4] = 2, [8] = 3, [16] = 4, [32] = 5, [64] = 6,
	};

	return index_of[size >> 4];
}

/* Does a size page serve kmalloc of @size bytes? Powers of two 16..1024
 * and anything up to 16. */
static inline bool sizepage_serves(size_t size)
{
	return size <= 16 || (size <= (1u << SP_MAX_SHIFT) && !(size & (size - 1)));
}

#define SP_HEADER 32u /* sizeof(struct slob_sizepage), rounded */

/* A new size page for objects of 1 << shift bytes, listed, or NULL: the
 * kept empty size page (of another size) or segfit's kept wholly free page
 * re-cut, else a page from the buddy allocator. */
struct slob_sizepage *sizepage_grow(struct slob_heap *h, unsigned int shift, gfp_t gfp);
/* The kept empty size page, unlisted and no longer a size page (for
 * seg_grow), or NULL. */
void *sizepage_take_kept(struct slob_heap *h);
/* Unlist an empty size page and give it back. */
void sizepage_release(struct slob_heap *h, struct slob_sizepage *sp);

static inline unsigned int sp_size(const struct slob_sizepage *sp)
{
	return sp->size;
}

static inline u16 sp_first(unsigned int size)
{
	return (u16)(size > SP_HEADER ? size : SP_HEADER);
}

/* The marker a free object carries in bytes 8..15. */
static inline u64 sp_marker(const struct slob_heap *h, const void *obj)
{
	return h->sp_key ^ (uintptr_t)obj;
}

static inline u64 *marker_slot(void *obj)
{
	return (u64 *)((char *)obj + 8);
}

static inline void sp_list_add(struct slob_heap *h, struct slob_sizepage *sp)
{
	struct slob_sizepage **head = &h->sp_partial[sp->shift - SP_MIN_SHIFT];

	sp->prev = NULL;
	sp->next = *head;
	if (*head)
		(*head)->prev = sp;
	*head = sp;
}

static inline void sp_list_del(struct slob_heap *h, struct slob_sizepage *sp)
{
	if (sp->next)
		sp->next->prev = sp->prev;
	if (sp->prev)
		sp->prev->next = sp->next;
	else
		h->sp_partial[sp->shift - SP_MIN_SHIFT] = sp->next;
	sp->next = sp->prev = NULL;
}

/* Pop an object of sp, the head of list sp_partial[idx]. */
static inline __attribute__((always_inline)) void *sp_pop(struct slob_heap *h,
							  struct slob_sizepage *sp,
							  unsigned int idx)
{
	char *obj = (char *)sp + sp->free;
	struct slob_sizepage *next;

	sp->free = *(u16 *)obj;
	*marker_slot(obj) = 0;
	h->used_bytes += sp->size;
	if (unlikely(sp->inuse++ == 0) && sp == h->sp_kept)
		h->sp_kept = NULL;
	if (!sp->free) { /* full: off the list, whose head it is */
		next = sp->next;
		h->sp_partial[idx] = next;
		if (next)
			next->prev = NULL;
		sp->next = NULL;
	}
	return obj;
}

/* An object of the size of list sp_partial[idx], or NULL. */
static inline __attribute__((always_inline)) void *sizepage_alloc(struct slob_heap *h,
								  unsigned int idx, gfp_t gfp)
{
	struct slob_sizepage *sp = h->sp_partial[idx];

	if (unlikely(!sp) && !(sp = sizepage_grow(h, idx + SP_MIN_SHIFT, gfp)))
		return NULL;
	return sp_pop(h, sp, idx);
}

/* Is p the start of an object of size page sp? Objects lie at the
 * multiples of their size from SP_HEADER on (the first one at the larger
 * of the two: sp_first). */
static inline bool sp_on_boundary(const struct slob_sizepage *sp, const void *p)
{
	unsigned long off = ((uintptr_t)p << (64 - PAGE_SHIFT)) >> (64 - PAGE_SHIFT);

	return off >= SP_HEADER && !(off & (sp->size - 1ul));
}

/* An emptied size page goes back unless none is kept: then it is. */
void sizepage_emptied(struct slob_heap *h, struct slob_sizepage *sp);

/* Push p back on sp after sp_valid_free said yes. */
static inline __attribute__((always_inline)) void sp_push(struct slob_heap *h,
							  struct slob_sizepage *sp, void *p,
							  u64 marker)
{
	*(u16 *)p = sp->free;
	*marker_slot(p) = marker;
	if (!sp->free)
		sp_list_add(h, sp);
	sp->free = (u16)((uintptr_t)p & (PAGE_SIZE - 1));
	h->used_bytes -= sp->size;
}

/* false when p is not a live object of sp (nothing done; the caller
 * reports). An emptied page goes back unless it is the one kept. */
static inline __attribute__((always_inline)) bool sizepage_free(struct slob_heap *h,
								struct slob_sizepage *sp, void *p)
{
	u64 marker = sp_marker(h, p);

	if (!sp_on_boundary(sp, p) || *marker_slot(p) == marker)
		return false;
	sp_push(h, sp, p, marker);
	if (unlikely(--sp->inuse == 0))
		sizepage_emptied(h, sp);
	return true;
}

/* The object's size, 0 when p is not a live object of sp. */
size_t sizepage_ksize(const struct slob_heap *h, const struct slob_sizepage *sp, const void *p);
/* Give sp back when no object of it is in use; whether it went. */
bool sizepage_release_if_empty(struct slob_heap *h, struct slob_sizepage *sp);
void sizepage_free_blocks(struct slob_heap *h, struct slob_stats *st);
/* Check one size page (slob_check); the bytes of its objects in use. */
unsigned long sizepage_check_page(struct slob_heap *h, struct slob_sizepage *sp, int *errors);

#endif
