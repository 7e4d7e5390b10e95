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
#include <mm/mm.h>
#include <mm/mmzone.h>
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
/* Give back every idle page (segfit's kept wholly free page, or one holding
 * only parked blocks, their blocks merged) and the kept empty size page:
 * for slob_big_alloc, so that the heap never holds a page it keeps for
 * reuse while it takes new ones for a bigblock. The pages given back. */
unsigned long seg_release_idle(struct slob_heap *h);
/* Free p if it is a live block (p inside one of the heap's pages, whose
 * struct page is pg); false if not, with nothing done. */
bool seg_free(struct slob_heap *h, void *p, struct page *pg);
size_t seg_ksize(const struct slob_heap *h, const void *p);
/* Return every wholly free page; the number of pages still in use. */
unsigned long seg_release_pages(struct slob_heap *h);
void seg_free_blocks(struct slob_heap *h, struct slob_stats *st);
int seg_check(struct slob_heap *h);

/* ========================== mm/slob_sizepage.c ============================ */

/* A size page's header lives in its struct page (include/mm/mm.h: sp_info,
 * sp_size, sp_free, sp_inuse, sp_next, sp_prev); its 4 KiB are all
 * objects. */
#define SP_NONE PAGE_SIZE /* sp_free: no free object */
#define SP_NIL (~0u)      /* sp_next, sp_prev: no page */

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ &&
		       __builtin_offsetof(struct page, sp_info) ==
			       __builtin_offsetof(struct page, lru.next),
	       "a size page's odd sp_info lies on the low bits of lru.next");

/* Is this SLOB page a size page? (Other SLOB pages are on their heap's
 * page list: lru.next, an even pointer, lies where sp_info does.) */
static inline bool PageSlobSize(const struct page *pg)
{
	return pg->sp_info & 1;
}

/* The index of a size page's size into heap->sp_partial. */
static inline unsigned int sp_index(const struct page *pg)
{
	return pg->sp_info >> 1;
}

/* The key a free object's marker is made of (heap->sp_key). */
static inline u64 sizepage_key(const struct slob_heap *h)
{
	return (u64)h->secret << 32 | (u32)~h->secret;
}

static inline char *page_head_of(const void *p)
{
	return (char *)((uintptr_t)p & ~(uintptr_t)(PAGE_SIZE - 1));
}

/* The pfn of the page at @addr, and back: the address of a pfn's page and
 * its struct page (inline: through the flat memmap's window, else the
 * node's sections), or NULL when @addr is not RAM with a struct page. */
static inline u32 sp_pfn(const void *addr)
{
	return (u32)PHYS_PFN(virt_to_phys(addr));
}

static inline char *sp_pfn_addr(u32 pfn)
{
	return phys_to_virt(PFN_PHYS(pfn));
}

static inline struct page *sp_addr_page(const void *addr)
{
	uintptr_t off = (uintptr_t)addr - memmap_win_start;

	if (likely(off < memmap_win_size))
		return memmap_win_map + (off >> PAGE_SHIFT);
	return node_virt_to_page(mem_node, addr); /* inline too: no call, no frame */
}

/* The size page holding p (a pointer into one of h's SLOB pages), or NULL
 * when p's page is not one. */
static inline struct page *sizepage_of(const struct slob_heap *h, const void *p)
{
	struct page *pg = sp_addr_page(p);

	(void)h;
	return pg && page_type(pg) == PGTY_SLOB && PageSlobSize(pg) ? pg : NULL;
}

/* The index into heap->sp_partial of a kmalloc of @size bytes when a size
 * page serves it (a power of two up to 2048, or anything below 16: check
 * that first), from one table load. */
static inline unsigned int sizepage_index(size_t size)
{
	static const u8 index_of[SP_MAX_SIZE_INDEX + 1] = {
		[0] = 0, [1] = 0, [2] = 1, [4] = 2, [8] = 3, [16] = 4, [32] = 5, [64] = 6, [128] = 7,
	};

	return index_of[size >> 4];
}

/* Does a size page serve kmalloc of @size bytes? Powers of two 16..2048
 * and anything up to 16. */
static inline bool sizepage_serves(size_t size)
{
	return size <= 16 || (size <= (1u << SP_MAX_SHIFT) && !(size & (size - 1)));
}

/* Objects per size page of index idx: the whole page. */
static inline unsigned int sp_nr(unsigned int idx)
{
	return PAGE_SIZE >> (idx + SP_MIN_SHIFT);
}

/* A new size page for list idx, listed at its head, or NULL: the kept
 * empty size page (of another size) or segfit's kept wholly free page
 * re-cut, else a page from the buddy allocator. */
struct page *sizepage_grow(struct slob_heap *h, unsigned int idx, gfp_t gfp);
/* The kept empty size page, unlisted and made an ordinary SLOB page of the
 * heap again (for seg_grow), its address; or NULL. */
void *sizepage_take_kept(struct slob_heap *h);
/* Unlist an empty size page and give it back. */
void sizepage_release(struct slob_heap *h, struct page *pg);

/* The marker a free object carries in bytes 8..15. */
static inline u64 sp_marker(const struct slob_heap *h, const void *obj)
{
	return h->sp_key ^ (uintptr_t)obj;
}

static inline u64 *marker_slot(void *obj)
{
	return (u64 *)((char *)obj + 8);
}

/* List pg (whose memory is at base) at the head of its size's list. */
static inline void sp_list_add(struct slob_heap *h, struct page *pg, char *base)
{
	unsigned int idx = sp_index(pg);
	struct page *head = h->sp_partial[idx];

	pg->sp_prev = SP_NIL;
	pg->sp_next = SP_NIL;
	if (head) {
		pg->sp_next = sp_pfn(h->sp_base[idx]);
		head->sp_prev = sp_pfn(base);
	}
	h->sp_partial[idx] = pg;
	h->sp_base[idx] = base;
}

/* Take pg off its size's list. */
void sp_list_del(struct slob_heap *h, struct page *pg);

/* Point the head of list idx at the page of pfn (or at none). */
static inline void sp_set_head(struct slob_heap *h, unsigned int idx, u32 pfn)
{
	struct page *pg;
	char *addr;

	if (pfn == SP_NIL) {
		h->sp_partial[idx] = NULL;
		h->sp_base[idx] = NULL;
		return;
	}
	addr = sp_pfn_addr(pfn);
	pg = sp_addr_page(addr);
	h->sp_partial[idx] = pg;
	h->sp_base[idx] = addr;
	pg->sp_prev = SP_NIL;
}

/* Take the head page of list idx off it (it is full). */
static inline void sp_list_pop_head(struct slob_heap *h, unsigned int idx)
{
	struct page *pg = h->sp_partial[idx];
	u32 next = pg->sp_next;

	pg->sp_next = SP_NIL;
	sp_set_head(h, idx, next);
}

/* Pop an object of the head page pg of list idx, whose memory is at base;
 * whether the page is full now (the caller takes it off the list:
 * sp_list_pop_head). */
static inline __attribute__((always_inline)) void *sp_pop(struct slob_heap *h, struct page *pg,
							  char *base, bool *full)
{
	char *obj = base + pg->sp_free;
	unsigned long next = *(u16 *)obj;
	unsigned int inuse = pg->sp_inuse;

	pg->sp_free = (u16)next;
	*marker_slot(obj) = 0;
	h->used_bytes += pg->sp_size;
	pg->sp_inuse = (u16)(inuse + 1);
	if (unlikely(inuse == 0) && pg == h->sp_kept)
		h->sp_kept = NULL;
	*full = next >= SP_NONE;
	return obj;
}

/* An object of the size of list idx, or NULL. */
static inline __attribute__((always_inline)) void *sizepage_alloc(struct slob_heap *h,
								  unsigned int idx, gfp_t gfp)
{
	struct page *pg = h->sp_partial[idx];
	bool full;
	void *obj;

	if (unlikely(!pg) && !(pg = sizepage_grow(h, idx, gfp)))
		return NULL;
	obj = sp_pop(h, pg, h->sp_base[idx], &full);
	if (full)
		sp_list_pop_head(h, idx);
	return obj;
}

/* Is p the start of an object of size page pg? Objects tile the page at
 * the multiples of their size. */
static inline bool sp_on_boundary(const struct page *pg, const void *p)
{
	return !((uintptr_t)p & (pg->sp_size - 1ul));
}

/* An emptied size page goes back unless none is kept: then it is. */
void sizepage_emptied(struct slob_heap *h, struct page *pg);

/* Push p back on pg after the caller's checks; whether pg was full (and
 * is now listed). */
static inline __attribute__((always_inline)) void sp_push(struct slob_heap *h, struct page *pg,
							  void *p, u64 marker)
{
	u16 off = (u16)((uintptr_t)p & (PAGE_SIZE - 1));

	*(u16 *)p = pg->sp_free;
	*marker_slot(p) = marker;
	if (unlikely(pg->sp_free >= SP_NONE))
		sp_list_add(h, pg, page_head_of(p));
	pg->sp_free = off;
	h->used_bytes -= pg->sp_size;
}

/* false when p is not a live object of pg (nothing done; the caller
 * reports). An emptied page goes back unless it is the one kept. */
static inline __attribute__((always_inline)) bool sizepage_free(struct slob_heap *h,
								struct page *pg, void *p)
{
	u64 marker = sp_marker(h, p);

	if (!sp_on_boundary(pg, p) || *marker_slot(p) == marker)
		return false;
	sp_push(h, pg, p, marker);
	if (unlikely(--pg->sp_inuse == 0))
		sizepage_emptied(h, pg);
	return true;
}

/* The object's size, 0 when p is not a live object of pg. */
size_t sizepage_ksize(const struct slob_heap *h, const struct page *pg, const void *p);
/* Give the kept size page back (slob_heap_destroy); the size pages still
 * in use. */
unsigned long sizepage_release_all(struct slob_heap *h);
void sizepage_free_blocks(struct slob_heap *h, struct slob_stats *st);
/* slob_census's size pages: @fn for each. */
void sizepage_census(struct slob_heap *h, void (*fn)(const struct slob_page_info *pi, void *arg),
		     void *arg);
/* Check every size page of the heap and its lists (slob_check); the bytes
 * of their objects in use. */
unsigned long sizepage_check(struct slob_heap *h, int *errors);

#endif
