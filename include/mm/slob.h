/*
 * slob.h - the SLOB allocator behind kmalloc (mm/slob.c).
 *
 * A heap is one instance: the kernel's kmalloc uses kmalloc_heap; tests and
 * benchmarks build their own with slob_heap_init. Two modes:
 *   SLOB_SEGFIT   (default) per-page blocks with 4-byte boundary-tag headers
 *                 on segregated free lists: O(1) allocation and free; kmalloc
 *                 of powers of two up to 2048 from headerless size pages, and
 *                 kfree'd blocks above 512 bytes parked for reuse before they
 *                 are merged;
 *   SLOB_CLASSIC  Linux 2.6.20's design: one circular address-ordered first-
 *                 fit list of 16-byte units, kept for comparison.
 * Pages come from the buddy allocator and carry PGTY_SLOB with
 * page->priv pointing at their heap, so kfree finds the heap of any
 * pointer in O(1).
 */
#ifndef RVMM_SLOB_H
#define RVMM_SLOB_H

#ifdef __cplusplus
extern "C" {
#endif

#include <config.h>
#include <mm/gfp.h>
#include <lib/kernel.h>
#include <lib/list.h>
#include <lib/spinlock.h>

enum slob_mode { SLOB_SEGFIT, SLOB_CLASSIC };

/* SLOB_CLASSIC's unit and block: size in units, and while free the next
 * block on the list. 16 bytes on rv64. */
struct slob_block {
	long units;
	struct slob_block *next;
};
#define SLOB_UNIT ((long)sizeof(struct slob_block))

/* SLOB_SEGFIT's size classes: 16-byte steps to 512 bytes (31 classes),
 * then 8 steps per power of two up to a page. */
#define SEG_NR_CLASSES 55
/* Parked blocks: one slot per block size up to 512 bytes (16-byte steps),
 * then one per 128 bytes of block size (SEG_PARK_SLOT; slots 0 and 1 stay
 * empty: no block is smaller than 32 bytes). */
#define SEG_NR_PARKED 61
#define SEG_PARK_SLOT_EXACT(bs) ((bs) >> 4)       /* bs <= 512 */
#define SEG_PARK_SLOT_RANGE(bs) (((bs) >> 7) + 29) /* bs > 512 */
#define SEG_PARK_SLOT(bs) ((bs) <= 512 ? SEG_PARK_SLOT_EXACT(bs) : SEG_PARK_SLOT_RANGE(bs))

/* SLOB_SEGFIT's size pages: kmalloc of a power of two from 16 to 2048 bytes
 * (and of 1..16) takes an object of a page of that size alone, whose
 * header is in its struct page (mm/slob_sizepage.c). */
#define SP_MIN_SHIFT 4
#define SP_MAX_SHIFT 11
#define SP_NR_SIZES (SP_MAX_SHIFT - SP_MIN_SHIFT + 1)
/* Slots for kept bigblocks per hart (mm/slob.c). */
#define SLOB_BIG_KEEP 16
struct page;
struct sp_quarter;

/* One hart's kept bigblocks of a heap (mm/slob.c, "Kept bigblocks"): its
 * own cache line, taken by that hart without the heap's lock, and by
 * drains and checks from any hart (lock order: the heap's lock, then these
 * in cpu order). */
struct slob_big_kept {
	spinlock_t lock;
	unsigned int nr;                    /* blocks kept here */
	unsigned long pages;                /* their pages */
	struct page *blocks[SLOB_BIG_KEEP]; /* their head pages, oldest first */
} __aligned(64);

/* A free segfit block's payload: its links on its class list. */
struct seg_free {
	struct seg_free *next, *prev;
};

struct slob_heap {
	spinlock_t lock;
	enum slob_mode mode;
	bool kmalloc_plain;  /* slob_kmalloc's fast path serves: segfit, no fault_inject or kfence
			      * (false in a heap slob_heap_init has not set up: the other path) */
	bool fault_inject;   /* failslab targets this heap's kmalloc and bigblocks */
	bool kfence;         /* KFENCE samples this heap's kmalloc (mm/kfence.c) */
	const char *name;
	u32 secret;          /* mixes into segfit header cookies */
	u64 sp_key;          /* a free size-page object's marker is sp_key ^ its address */
	unsigned int keep_empty; /* wholly free pages kept before returning one */
	gfp_t zone_gfp;      /* zone bits every page of the heap is allocated with:
			      * a zone heap's blocks all lie in its zone (0: any) */

	/* SLOB_CLASSIC */
	struct slob_block arena;     /* list sentinel (1 unit, never handed out) */
	struct slob_block *slobfree; /* roving pointer: where the last search ended */

	/* SLOB_SEGFIT */
	u64 bitmap[2];                        /* bit c: class c's list is not empty */
	struct seg_free *heads[SEG_NR_CLASSES];
	unsigned int nr_empty;                /* wholly free pages still held */
	/* parked blocks (mm/slob_segfit.c): per block size up to 512 bytes and
	 * per 128-byte range above, one freed block not yet merged (its
	 * header), or NULL */
	u32 *seg_parked[SEG_NR_PARKED];
	/* size pages (mm/slob_sizepage.c): per size 16..2048 the header of
	 * the first quarter of its list of quarters with a free object, and
	 * that quarter's address */
	struct sp_quarter *sp_head[SP_NR_SIZES];
	char *sp_base[SP_NR_SIZES];
	char *sp_idle[SP_NR_SIZES];   /* per size 16..1024 its idle quarter: listed,
				       * no object out (the one that emptied while
				       * none was), or NULL */
	u32 sp_cut[3];                /* per number e of empty quarters (1..3), the
				       * pfn of the first size page with e; ~0: none */
	struct page *sp_kept;         /* the one empty size page kept, or NULL */
	unsigned long sp_pages;       /* size pages held (also in nr_pages) */
	unsigned long sp_lo_pfn, sp_hi_pfn; /* every size page ever made lies in
					     * [lo, hi] (slob_check's scan) */

	struct list_head pages; /* every SLOB page of the heap but its size pages (page->lru) */

	/* statistics (under lock) */
	unsigned long nr_pages;     /* SLOB pages held */
	unsigned long big_blocks;   /* bigblocks held, the kept ones included */
	unsigned long big_pages;    /* their pages */
	unsigned long peak_pages;   /* most pages held at once, SLOB + bigblock */
	unsigned long used_bytes;   /* bytes handed out (block sizes, headers included) */
	unsigned long max_pages;    /* limit on nr_pages + big_pages (0: none), for tests */
	/* kept bigblocks (mm/slob.c): at most big_keep_max pages a hart (0:
	 * none kept, the kernel's), blocks of at most a quarter of that */
	unsigned long big_keep_max;
	struct slob_big_kept big_kept[MAX_HARTS];
	unsigned long nr_bad_frees; /* kfree / slob_free errors reported */
	const char *last_error;
};

/* Pages @h holds from the page allocator: its SLOB pages and bigblocks,
 * the kept ones included. */
static inline unsigned long slob_heap_pages(const struct slob_heap *h)
{
	return h->nr_pages + h->big_pages;
}

/* Pages of @h's kept bigblocks, every hart's (a moment's sum: the harts
 * keep and take them without the heap's lock). */
unsigned long slob_big_kept_pages(struct slob_heap *h);

extern struct slob_heap kmalloc_heap;
/* KFENCE on or off for the heap's kmalloc (its other path while on). */
void slob_heap_set_kfence(struct slob_heap *h, bool on);

void slob_heap_init(struct slob_heap *h, const char *name, enum slob_mode mode);
/* Give every page back (all objects must be freed); returns pages that
 * could not be returned because they still hold objects. */
unsigned long slob_heap_destroy(struct slob_heap *h);
/* Pages the heap holds only for its own reuse: its idle segfit pages
 * (nr_empty), the kept empty size page, and the size pages whose quarters
 * are all empty or idle (a size's idle quarter: mm/slob_sizepage.c). A
 * bigblock's allocation gives them back first. For tests that count
 * pages. */
unsigned long slob_reuse_pages(struct slob_heap *h);

/* A block of @size bytes aligned to @align (0 or a power of two: the
 * mode's natural alignment, 8 for segfit, 16 for classic), or NULL. Free
 * it with slob_free(heap, p, size). Sizes up to slob_kmalloc_max(). */
void *slob_alloc(struct slob_heap *h, size_t size, gfp_t gfp, size_t align);
void slob_free(struct slob_heap *h, void *p, size_t size);

/* A bigblock of @h: exactly the pages @size bytes need (@size up to the
 * largest buddy block), PGTY_BIGBLOCK, their number in the head page,
 * counted in the heap's statistics and limit; kfree gives it back. A power
 * of two of pages is one buddy block, aligned to its size; with @align
 * above a page (a power of two) the block holds max(@size, @align) bytes
 * and starts aligned to @align; other blocks are placed where they fit best
 * (alloc_pages_fit) and are only page-aligned. NULL when out of memory. */
void *slob_big_alloc(struct slob_heap *h, size_t size, gfp_t gfp, size_t align);
/* Grow the bigblock of @h headed by @page (its PGTY_BIGBLOCK head page,
 * owned by the caller) to hold @size bytes (up to the largest buddy block)
 * in place: true when it holds them, having taken the free pages right
 * after it (extend_pages_exact, @gfp's watermark; its zone is the block's)
 * and counted them in bigblock_pages and the heap's big_pages and limit;
 * its blocks are then those free_pages_exact frees for the new count, so
 * kfree gives it back as any bigblock. It keeps its start, so a power of
 * two of pages reached by growing is not aligned to its size. False and
 * nothing changed when those pages are not free, the heap's max_pages
 * would be passed, or @size is too big; failslab does not fail it (the
 * caller's fallback, a new block, is where a failure is injected). */
bool slob_big_grow(struct slob_heap *h, struct page *page, size_t size, gfp_t gfp);

/* kmalloc on a given heap: small requests from its pages, big ones as
 * bigblocks (mm/kmalloc.c); kfree/ksize/krealloc take any heap's pointer. */
void *heap_kmalloc(struct slob_heap *h, size_t size, gfp_t gfp);

/* For mm/kmalloc.c: the small-object side of kmalloc. slob_ksize takes a
 * pointer inside one of h's pages. */
/* 1 .. SLOB_SEG_KMALLOC_MAX bytes (bigger classic requests become bigblocks). */
void *slob_kmalloc(struct slob_heap *h, size_t size, gfp_t gfp);
/* false when p is not a live block: reported, and counted on the heap and
 * in kfree_errors / kfree_last_error. page: p's struct page, a PGTY_SLOB
 * page (its private is the heap). */
bool slob_kfree(void *p, struct page *page); /* (p first: kfree's register) */
/* slob_kfree under init_on_free= (include/mm/meminit.h): a live block is
 * zeroed, under the heap's lock, then freed; anything else is slob_kfree's
 * to report, and nothing is written. (A double free racing a free of the
 * same block on another hart could still wipe it once handed out again: a
 * bug of the caller either way.) */
bool slob_kfree_wiped(void *p, struct page *page);
size_t slob_ksize(struct slob_heap *h, const void *p);
/* slob_ksize of p where pg is p's struct page, a PGTY_SLOB page of h
 * (the caller checked): the same answer without looking the page up. */
size_t slob_ksize_in(struct slob_heap *h, struct page *pg, const void *p);

/* segfit's largest block payload (classic's is PAGE_SIZE - 16). */
#define SLOB_SEG_KMALLOC_MAX 4076
/* segfit's header before each block's payload, in bytes */
#define SLOB_SEG_HDR 4u

/* The largest request served from SLOB pages; larger ones are bigblocks. */
static inline size_t slob_kmalloc_max(const struct slob_heap *h)
{
	return h->mode == SLOB_SEGFIT ? SLOB_SEG_KMALLOC_MAX : (size_t)(PAGE_SIZE - SLOB_UNIT);
}

struct slob_stats {
	unsigned long pages, free_bytes, free_blocks, largest_free;
	unsigned long big_blocks, big_pages, peak_pages, used_bytes;
	unsigned int fragmentation_pct; /* 100 * (1 - largest_free / free_bytes) */
	/* segfit's size pages, which the figures above include: how many, the
	 * bytes of all their objects, and how many of the free blocks are
	 * their free objects (which have no header) */
	unsigned long size_pages, size_page_bytes, size_free_blocks;
	/* segfit: kfree'd blocks parked (counted free above, merged with
	 * their free neighbours there), and their payload bytes */
	unsigned long parked_blocks, parked_bytes;
	/* kept bigblocks (not in big_blocks / big_pages) */
	unsigned long big_kept_blocks, big_kept_pages;
};
void slob_get_stats(struct slob_heap *h, struct slob_stats *st);

/* One SLOB page of a segfit heap as slob_census reports it. A size page:
 * its object size, how many objects it holds and how many are out. A
 * segfit page, in bytes of blocks (headers included): the blocks in use,
 * the parked ones, the free ones, the largest free block and the largest
 * one in use or parked, and its live blocks (in use, not parked; 0: an
 * idle page). */
struct slob_page_info {
	const void *addr;
	bool size_page;
	unsigned int obj_size, objs, inuse;
	unsigned int used, parked, free, largest_free, largest_used, live;
};
/* Call @fn for every SLOB page of the segfit heap @h (size pages in pfn
 * order, then the other pages), with the heap's lock held: @fn must not
 * call into the heap. What a page holds, for tools (tools/churn-peak.c);
 * nothing is checked here (slob_check does that). */
void slob_census(struct slob_heap *h, void (*fn)(const struct slob_page_info *pi, void *arg),
		 void *arg);

/*
 * Walk every page and list of the heap and prove its invariants: blocks
 * tile each page exactly with consistent sizes and back links, no two free
 * blocks touch (they would have merged), every free block is on the list of
 * its class and nothing else is, bitmap and statistics match. Prints each
 * problem; returns how many.
 */
/* The whatis command's SLOB part (mm/mm_whatis.c): the block (segfit: or
 * size-page object) of @pg, a page of heap @h, holding @addr, and its state. */
void slob_whatis(struct slob_heap *h, struct page *pg, u64 addr);
int slob_check(struct slob_heap *h);
/* Give back the pages a segfit heap keeps idle for its own reuse (the kept
 * empty page, a kept size page, pages only idle quarters hold); a classic
 * heap keeps none. A try-lock, as a shrinker must: nothing when the heap is
 * busy (this hart's own allocation may hold it while it takes pages).
 * Returns the pages given back. */
unsigned long slob_heap_shrink(struct slob_heap *h);

#ifdef __cplusplus
}
#endif

#endif
