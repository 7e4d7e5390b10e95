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
 * and put_slob_page, which keep page->priv, PGTY_SLOB, heap->pages and
 * the page counts right.
 */
#ifndef RVMM_MM_SLOB_INTERNAL_H
#define RVMM_MM_SLOB_INTERNAL_H

#include <config.h>
#include <lib/kernel.h>
#include <lib/kstring.h>
#include <mm/kmalloc.h>
#include <mm/meminit.h>
#include <mm/mm.h>
#include <mm/mmzone.h>
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
#define SP_MAX_SIZE_INDEX ((1u << SP_MAX_SHIFT) >> 4)

/* A block of @size bytes; with @align, the block's start plus @align_off
 * bytes is align-aligned (align_off < align, a multiple of SLOB_UNIT). */
void *classic_alloc(struct slob_heap *h, size_t size, gfp_t gfp, size_t align, size_t align_off);
void classic_free(struct slob_heap *h, void *p, size_t size);
/* May slob_free give @p (@size bytes) to classic_free? In one of @h's pages,
 * on a unit, inside its page, and no free block overlaps it. */
bool classic_free_ok(struct slob_heap *h, const void *p, size_t size);
void classic_free_blocks(struct slob_heap *h, struct slob_stats *st);
int classic_check(struct slob_heap *h);
/* whatis (slob_whatis): the block holding @addr of a classic page, of a
 * segfit page (the lock taken by each). */
void classic_whatis(struct slob_heap *h, u64 addr);
void seg_whatis(struct slob_heap *h, struct page *pg, u64 addr);

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

/* init_on_free=: the @n bytes of a block at @p, freed and checked, zeroed
 * before the heap writes its own words into it. */
static inline void slob_wipe(void *p, size_t n)
{
	if (want_init_on_free())
		memset(p, 0, n);
}

/* Is a block handed out for @gfp zeroed? With __GFP_ZERO, and with either
 * switch of include/mm/meminit.h: under init_on_free alone the heap's own
 * words (free links, markers, headers) are still in a block freed zeroed. */
static inline bool slob_zeroes(gfp_t gfp)
{
	return (gfp & __GFP_ZERO) || meminit_routed();
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
	slob_wipe(p, (size_t)(m->units - 1) * SLOB_UNIT);
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
/* seg_ksize of p in pg, a PGTY_SLOB page of h (no lookup of the page). */
size_t seg_ksize_in(const struct slob_heap *h, struct page *pg, const void *p);
/* Return every wholly free page; the number of pages still in use. */
unsigned long seg_release_pages(struct slob_heap *h);
void seg_free_blocks(struct slob_heap *h, struct slob_stats *st);
int seg_check(struct slob_heap *h);

/* ========================== mm/slob_sizepage.c ============================ */

/* A size page is four 1 KiB quarters; each quarter holds objects of one
 * size 16 << idx (idx 0..6: 16 to 1024 bytes) or is empty, its header in
 * the page's struct page (include/mm/mm.h: sq[q], info, inuse, free). A
 * 2048-byte object's page holds two of them, units at quarters 0 and 2
 * whose next quarters are covered. A quarter with a free object is on the
 * list of its size; its first free object (the head) carries the list
 * links, quarter ids (physical address >> SQ_SHIFT). */
#define SQ_SHIFT 10
#define SQ_SIZE (1u << SQ_SHIFT)
#define SQ_NR (PAGE_SIZE / SQ_SIZE)
#define SQ_ONE_IDX 6                       /* 1024: one object a quarter */
#define SQ_BIG_IDX 7                       /* 2048: a unit of two quarters */
#define SQ_EMPTY ((8u << 1) | 1)           /* info of an empty quarter */
#define SQ_COVERED ((9u << 1) | 1)         /* info of a 2048 unit's second quarter */
#define SQ_INFO_LIMIT (SQ_BIG_IDX * 2 + 2) /* infos of a quarter of objects lie below */
#define SP_NONE SQ_SIZE                    /* sq free: no free object */
#define SP_NIL (~0u)                       /* a link to no quarter or page */

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ &&
		       __builtin_offsetof(struct page, sq[0].info) ==
			       __builtin_offsetof(struct page, lru.next),
	       "a size page's odd sq[0].info lies on the low bits of lru.next");
_Static_assert(SQ_NR == 4 && SP_NR_SIZES == SQ_BIG_IDX + 1 && (16u << SQ_BIG_IDX) == 2 * SQ_SIZE,
	       "four quarters; 2048-byte objects take two");

/* Is this SLOB page a size page? (Other SLOB pages are on their heap's
 * page list: lru.next, an even pointer, lies where sq[0].info does.) */
static inline bool PageSlobSize(const struct page *pg)
{
	return pg->sq[0].info & 1;
}

/* The header of the quarter holding p, in its size page's struct page. */
static inline struct sp_quarter *sq_of(struct page *pg, const void *p)
{
	_Static_assert(sizeof(struct sp_quarter) == 4, "a quarter's header is 4 bytes");
	return (struct sp_quarter *)((char *)pg->sq +
				     (((uintptr_t)p >> (SQ_SHIFT - 2)) & ((SQ_NR - 1) * 4)));
}

static inline char *sq_base_of(const void *p)
{
	return (char *)((uintptr_t)p & ~(uintptr_t)(SQ_SIZE - 1));
}

/* The index of a quarter's size (its list), SQ_EMPTY >> 1 or
 * SQ_COVERED >> 1 for one without objects of its own. */
static inline unsigned int sq_index(const struct sp_quarter *s)
{
	return s->info >> 1;
}

/* Objects of a quarter (a 2048 unit) of index idx. */
static inline unsigned int sq_nr(unsigned int idx)
{
	return idx == SQ_BIG_IDX ? 1 : SQ_SIZE >> (idx + SP_MIN_SHIFT);
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

/* A quarter's id (its physical address >> SQ_SHIFT: sizepage_grow checks
 * that it fits) and back. */
static inline u32 sq_id(const void *qbase)
{
	return (u32)(virt_to_phys(qbase) >> SQ_SHIFT);
}

static inline char *sq_id_addr(u32 id)
{
	return phys_to_virt((u64)id << SQ_SHIFT);
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

/* The index into heap->sp_head of a kmalloc of @size bytes when a size
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

/* A quarter with free objects of size idx at the head of list idx (whose
 * list was empty), or NULL: an empty quarter of a size page in use, else
 * of the kept empty size page, else of segfit's kept wholly free page
 * re-cut, else of a page from the buddy allocator. (2048: a whole page.) */
struct sp_quarter *sizepage_grow(struct slob_heap *h, unsigned int idx, gfp_t gfp);
/* The kept empty size page made an ordinary SLOB page of the heap again
 * (for seg_grow), its address; or NULL. */
void *sizepage_take_kept(struct slob_heap *h);

/* The marker a free object carries in bytes 8..15 (but the head of its
 * quarter: its list links are there). */
static inline u64 sp_marker(const struct slob_heap *h, const void *obj)
{
	return h->sp_key ^ (uintptr_t)obj;
}

static inline u64 *marker_slot(void *obj)
{
	return (u64 *)((char *)obj + 8);
}

/* A head object's links: the previous quarter's id in the low half, the
 * next one's in the high half (SP_NIL: none). */
static inline u64 *link_slot(void *obj)
{
	return (u64 *)((char *)obj + 8);
}

static inline u64 sq_links(u32 prev, u32 next)
{
	return (u64)next << 32 | prev;
}

/* Point the head of list idx at the quarter of id (or at none). (A head's
 * prev link is not read: sizepage_kmalloc_filled leaves it as it was.) */
void sp_set_head(struct slob_heap *h, unsigned int idx, u32 id);

/* Pop the first free object (of @bytes) of the quarter s (at base), the
 * head of list idx; *links are its list links (moved to the next free
 * object), *full whether it has none now (the caller takes it off the
 * list: sp_set_head(h, idx, next of *links)). */
static inline __attribute__((always_inline)) void *sp_pop(struct slob_heap *h, struct sp_quarter *s,
							  char *base, unsigned int idx,
							  unsigned long bytes, u64 *links, bool *full)
{
	char *obj = base + s->free;
	unsigned long next = *(u16 *)obj;
	u64 l = *link_slot(obj);

	*link_slot(obj) = 0;
	s->free = (u16)next;
	if (unlikely(s->inuse++ == 0) && base == h->sp_idle[idx])
		h->sp_idle[idx] = NULL; /* no longer idle */
	h->used_bytes += bytes;
	*full = next >= SP_NONE;
	if (!*full)
		*link_slot(base + next) = l;
	*links = l;
	return obj;
}

/* An object of the size of list idx, or NULL. */
static inline __attribute__((always_inline)) void *sizepage_alloc(struct slob_heap *h,
								  unsigned int idx, gfp_t gfp)
{
	struct sp_quarter *s = h->sp_head[idx];
	bool full;
	u64 links;
	void *obj;

	if (unlikely(!s) && !(s = sizepage_grow(h, idx, gfp)))
		return NULL;
	obj = sp_pop(h, s, h->sp_base[idx], idx, 16ul << idx, &links, &full);
	if (full)
		sp_set_head(h, idx, (u32)(links >> 32));
	return obj;
}

/* List the quarter s at qbase, whose only free object is obj, at the head
 * of list idx. */
static inline void sp_list_add(struct slob_heap *h, struct sp_quarter *s, unsigned int idx,
			       char *qbase, void *obj)
{
	struct sp_quarter *head = h->sp_head[idx];
	u32 next = SP_NIL;

	if (head) {
		char *hbase = h->sp_base[idx];

		next = sq_id(hbase);
		*(u32 *)link_slot(hbase + head->free) = sq_id(qbase); /* its prev */
	}
	*link_slot(obj) = sq_links(SP_NIL, next);
	h->sp_head[idx] = s;
	h->sp_base[idx] = qbase;
}

/* A quarter (of pg, list idx) whose objects are all free now: it stays
 * listed as its size's idle quarter when that size has none (a 1024 one
 * unlisted: its list would hold only it), else it is emptied to be cut
 * again for any size; a page with no quarter in use goes back unless none
 * is kept: then it is. */
void sizepage_emptied(struct slob_heap *h, struct page *pg, struct sp_quarter *s);
/* Empty every idle quarter (before the heap grows, for a bigblock, on
 * destroy); whether there was one. */
bool sizepage_empty_idle(struct slob_heap *h);
/* The size pages whose quarters are all empty or idle (slob_reuse_pages). */
unsigned long sizepage_idle_pages(struct slob_heap *h);
/* Empty the idle quarters of those pages: each goes back, or is kept
 * (seg_release_idle, for a bigblock). */
void sizepage_release_idle_pages(struct slob_heap *h);

/* Is p, in the quarter of s (index idx), a live object? On an object
 * boundary, without a free object's marker, and not the quarter's first
 * free object (which carries links instead). */
static inline bool sq_live(const struct slob_heap *h, const struct sp_quarter *s, unsigned int idx,
			   const void *p)
{
	return !((uintptr_t)p & ((16ul << idx) - 1)) && *marker_slot((void *)p) != sp_marker(h, p) &&
	       s->free != ((uintptr_t)p & (SQ_SIZE - 1));
}

/* Push the live object p back on its quarter s (index idx). */
static inline __attribute__((always_inline)) void sp_push(struct slob_heap *h, struct sp_quarter *s,
							  unsigned int idx, void *p)
{
	char *qbase = sq_base_of(p);
	unsigned long free = s->free;

	*(u16 *)p = (u16)free;
	if (unlikely(free >= SP_NONE)) { /* it was full: listed again */
		if (idx != SQ_ONE_IDX) /* (but a 1024 quarter: idle or emptied) */
			sp_list_add(h, s, idx, qbase, p);
		else
			*link_slot(p) = sq_links(SP_NIL, SP_NIL);
	} else {
		char *old = qbase + free;

		*link_slot(p) = *link_slot(old);
		*marker_slot(old) = sp_marker(h, old);
	}
	s->free = (u16)((uintptr_t)p & (SQ_SIZE - 1));
	h->used_bytes -= 16ul << idx;
}

/* false when p is not a live object of pg (nothing done; the caller
 * reports). */
static inline __attribute__((always_inline)) bool sizepage_free(struct slob_heap *h,
								struct page *pg, void *p)
{
	struct sp_quarter *s = sq_of(pg, p);
	unsigned int idx = sq_index(s);

	if (s->info >= SQ_INFO_LIMIT || !sq_live(h, s, idx, p))
		return false;
	slob_wipe(p, 16ul << idx);
	sp_push(h, s, idx, p);
	if (unlikely(--s->inuse == 0))
		sizepage_emptied(h, pg, s);
	return true;
}

/* The object's size, 0 when p is not a live object of pg. */
size_t sizepage_ksize(const struct slob_heap *h, struct page *pg, const void *p);
/* Give the kept size page back (slob_heap_destroy); the size pages still
 * in use. */
unsigned long sizepage_release_all(struct slob_heap *h);
void sizepage_free_blocks(struct slob_heap *h, struct slob_stats *st);
/* slob_census's size pages: @fn for each quarter of objects (a 2048 unit
 * counts as one). */
/* whatis: the quarter and object of size page @pg holding @addr (lock held). */
void sizepage_whatis(struct slob_heap *h, struct page *pg, u64 addr);
void sizepage_census(struct slob_heap *h, void (*fn)(const struct slob_page_info *pi, void *arg),
		     void *arg);
/* Check every size page of the heap and its lists (slob_check); the bytes
 * of their objects in use. */
unsigned long sizepage_check(struct slob_heap *h, int *errors);

#endif
