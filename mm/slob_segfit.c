/*
 * slob_segfit.c - SLOB_SEGFIT, the default SLOB model: the page-per-arena
 * structure of SLOB with what later allocators learned (TLSF's segregated
 * fit, dlmalloc's boundary tags), so that no operation's cost grows with
 * fragmentation.
 *
 * Block format. A block is a 4-byte header followed by its payload; the
 * header holds the block's size (bits 0..9) and the previous block's size
 * (11..20) in 16-byte units, a free bit (10: one andi tests it), and an
 * 11-bit cookie made of the header's address and the heap's secret (a
 * kfree of a pointer that is not a block start almost never finds a valid
 * cookie). Block sizes are multiples of 16 and headers
 * sit 4 bytes before a 16-byte boundary, so every payload is 16-byte
 * aligned (ARCH_KMALLOC_MINALIGN); the smallest block is 32 bytes (header
 * and two list links, rounded).
 *
 * Page layout. A page's first word is unused (a size page's header is in
 * its struct page, mm/slob_sizepage.c), bytes 4..7 count the page's live
 * blocks (in use and not parked, below); its first header is at offset 12
 * and its blocks tile the page up to offset 4092, where a permanent "used"
 * header of size 0 ends it; so a wholly free page is one free block of
 * 4080 bytes, and no block ever crosses a page.
 *
 * Free lists. Free blocks sit on one of 55 size-class lists (exact 16-byte
 * classes to 512 bytes, then 8 classes per power of two up to the page), a
 * doubly linked list through the free payload; a two-word bitmap says which
 * lists hold blocks. Allocation rounds the request up to a class whose
 * every block fits, finds the first non-empty class from there with a bit
 * scan (a de Bruijn multiply: rv64imac has no ctz), takes the list head and
 * splits off the rest when it can be a block: O(1). Above 512 bytes, where
 * a class spans sizes, the first EXACT_SCAN blocks of the request's own
 * class are tried before a bigger block is split; requests that round past
 * the top class search that class's list for a block big enough.
 *
 * Alignment above 16 (slob_alloc's align) is first fit with an alignment,
 * as in Linux's slob_alloc(size, gfp, align): seg_alloc tries the block an
 * unaligned request would get (O(1)); find_aligned then looks at up to
 * ALIGN_SCAN free blocks of the classes from the request's own upward for
 * one that holds the block at an aligned payload (the small blocks first:
 * peak memory), then at the head of the first class whose blocks all hold
 * the block after a gap below the alignment (O(1)), and only then takes a
 * block with room for the worst gap (growing the heap if need be). The gap
 * in front (split_front) becomes a free block when it can be one (>=
 * SEG_MIN); a smaller gap becomes slack at the end of the block before it,
 * which is in use (free blocks never touch); a page's first block has no
 * block before it and moves on one more alignment step instead. A
 * naturally aligned 2048-byte payload does not fit a segfit page (it would
 * cover the end-of-page header): slob_alloc refuses it, kmalloc(2048)
 * takes half a size page.
 *
 * Freeing merges with the next block (its header follows) and with the
 * previous one (its size is in our header): O(1), no list walk. The header
 * of a block merged into its predecessor keeps its free bit, so freeing it
 * again fails the live-block check.
 *
 * Parked blocks (deferred coalescing). Splitting a block on kmalloc and
 * merging it back on kfree is most of what a block's pair costs (about 330
 * instructions, where a parked block's pair is about 140). So a kfree'd
 * block is parked when its slot is empty: up to 512 bytes one slot per
 * block size (the exact classes), above that one per 128 bytes of block
 * size (heap->seg_parked[SEG_PARK_SLOT(bs)]); its header is left as it was
 * (in use), it is on no list and merges with nothing, and used_bytes no
 * longer counts it. A kmalloc looks at its size's slot first and takes the
 * parked block as it is when it is big enough (never split: the exact size
 * up to 512 bytes, at most 127 bytes more than asked above, while it
 * lives). The parked blocks are
 * merged (seg_flush_parked) before the heap grows (find_block_slow, and
 * sizepage_grow before a new page) and on destroy. slob_free (the slab
 * allocator's metadata, caches) frees at once: its callers want their pages
 * back. A second kfree of a parked block finds it in its slot (reported);
 * ksize of one is 0; an aligned block placed right after one takes no
 * slack into it (align_gap).
 *
 * Idle pages. A page whose live count falls to 0 is idle: wholly free, or
 * holding only parked blocks. keep_empty (1) idle pages are kept, so that a
 * workload that frees and reallocates a page's worth does not bounce pages
 * through the buddy allocator; nr_empty counts them. A further page that
 * goes idle goes back at once (page_went_idle merges its parked blocks
 * first), and a block whose parking would idle a further page is merged
 * instead. So parking never holds a page the heap would have given back.
 * A bigblock's allocation gives the idle page (and the kept empty size
 * page, and the size pages only idle quarters hold) back first
 * (seg_release_idle): they are kept for the heap's own reuse, and held
 * beside the bigblock's new pages they would only add to the peak (on the
 * churn benchmark 2 of its 250 pages, before size pages had quarters).
 * slob_heap_shrink gives them back the same way (kmalloc's shrinker, which
 * reclaim and drop_caches run).
 *
 * Borrowing. A kmalloc of 129..255 bytes that finds no free block of its
 * class or above takes a free object of the listed 256-byte quarter at the
 * head of its list, when there is one, rather than merge the parked blocks
 * or grow (seg_kmalloc_find): the quarter is there already, and on the
 * churn benchmark's sequence that keeps two pages off the peak.
 *
 * kmalloc's fast paths are here, slob_kmalloc and slob_kfree, with the
 * block operations they inline; the common cases (a size page's object, a
 * parked block) run without a stack frame, everything else is tail-called
 * with the lock held. A classic heap, __GFP_ZERO and failslab leave
 * slob_kmalloc at its first test (slob_kmalloc_other, mm/slob.c). Powers
 * of two from 16 to 2048 bytes, and requests up to 16, take an object of a
 * size page (mm/slob_sizepage.c): a segfit block would need an alignment
 * gap as big as the object.
 *
 * Invariants (seg_check): blocks tile each page exactly, their cookies,
 * sizes and previous-size fields consistent; no two free blocks touch;
 * every free block is on the list of its class and nothing else is, with
 * back links right; bitmap bit c is set exactly when list c is not empty;
 * every parked block is a block in use of one of the heap's segfit pages,
 * in the slot of its size; each page's live count is its blocks in use
 * less the parked ones; used_bytes is the sum of the live blocks; nr_empty
 * counts the idle pages and is at most keep_empty.
 */
#include <mm/mm.h>
#include <mm/slob.h>

#include "slob_internal.h"

/* ============================ block format =============================== */

#define SEG_HDR SLOB_SEG_HDR
#define SEG_GRAN 16u               /* ARCH_KMALLOC_MINALIGN */
#define SEG_MIN 32u                /* header + two links, rounded */
#define SEG_FIRST 12u              /* offset of a page's first header */
#define SEG_END (PAGE_SIZE - 4)    /* offset of the end-of-page header */
#define SEG_MAX (SEG_END - SEG_FIRST) /* 4080: a wholly free page */
#define SEG_EXACT 31u              /* classes 0..30: blocks of 32..512 bytes */

_Static_assert(SEG_GRAN >= ARCH_KMALLOC_MINALIGN && (SEG_FIRST + SEG_HDR) % SEG_GRAN == 0,
	       "segfit payloads are ARCH_KMALLOC_MINALIGN aligned");

/* Header: size units 0..9, free 10 (an andi immediate tests it), previous
 * size units 11..20, cookie 21..31. */
#define H_SIZE_MASK 0x3ffu
#define H_FREE (1u << 10)
#define H_PREV_SHIFT 11
#define H_PREV_MASK (0x3ffu << H_PREV_SHIFT)
#define H_COOKIE_SHIFT 21

static inline u32 *hdr_of(const void *payload)
{
	return (u32 *)payload - 1;
}

static inline struct seg_free *payload_of(u32 *hdr)
{
	return (struct seg_free *)(hdr + 1);
}

static inline u32 block_size(u32 v)
{
	return (v & H_SIZE_MASK) * SEG_GRAN;
}

static inline u32 prev_size(u32 v)
{
	return ((v & H_PREV_MASK) >> H_PREV_SHIFT) * SEG_GRAN;
}

static inline u32 cookie(const struct slob_heap *h, const u32 *hdr)
{
	return (((u32)((uintptr_t)hdr >> 2)) ^ h->secret) << H_COOKIE_SHIFT;
}

static inline u32 make_hdr(const struct slob_heap *h, const u32 *hdr, u32 size, u32 prev, u32 free)
{
	return size / SEG_GRAN | (prev / SEG_GRAN) << H_PREV_SHIFT | free | cookie(h, hdr);
}

static inline u32 *next_hdr(u32 *hdr, u32 size)
{
	return (u32 *)((char *)hdr + size);
}

/* The count of live blocks (in use and not parked) of p's segfit page, in
 * its bytes 4..7. */
static inline u32 *page_live(const void *p)
{
	return (u32 *)((uintptr_t)p & ~(uintptr_t)(PAGE_SIZE - 1)) + 1;
}

/* ===================== size classes and free lists ======================= */

/* The class holding blocks of @bs bytes (bs in [SEG_MIN, SEG_MAX]). */
static inline unsigned int class_of(u32 bs)
{
	unsigned int fl;

	if (bs <= 512)
		return bs / SEG_GRAN - SEG_MIN / SEG_GRAN;
	fl = bs < 1024 ? 9 : bs < 2048 ? 10 : 11;
	return SEG_EXACT + (fl - 9) * 8 + ((bs >> (fl - 3)) & 7);
}

_Static_assert(SEG_EXACT == 512 / SEG_GRAN - SEG_MIN / SEG_GRAN + 1 &&
		       SEG_EXACT + 24 == SEG_NR_CLASSES && SEG_NR_CLASSES <= 64,
	       "slob.h's SEG_NR_CLASSES matches class_of");

#define TOP_CLASS (SEG_NR_CLASSES - 1)

/* The first class whose every block holds @bs bytes; TOP_CLASS + 1 when
 * only some blocks of the top class may. */
static inline unsigned int class_fitting(u32 bs)
{
	unsigned int fl;

	if (bs <= 512)
		return class_of(bs);
	fl = bs < 1024 ? 9 : bs < 2048 ? 10 : 11;
	bs += (1u << (fl - 3)) - 1;
	return bs >= 4096 ? TOP_CLASS + 1 : class_of(bs & ~((1u << (fl - 3)) - 1));
}

/* First non-empty class >= c, or -1. */
static inline int find_class(const struct slob_heap *h, unsigned int c)
{
	u64 bits;

	if (c < 64) {
		bits = h->bitmap[0] & (~0ull << c);
		if (bits)
			return (int)lowest_set_bit(bits);
		c = 64;
	}
	if (c >= SEG_NR_CLASSES)
		return -1;
	bits = h->bitmap[1] & (~0ull << (c - 64));
	return bits ? 64 + (int)lowest_set_bit(bits) : -1;
}

static inline void list_push(struct slob_heap *h, u32 *hdr, u32 size)
{
	unsigned int c = class_of(size);
	struct seg_free *f = payload_of(hdr), *head = h->heads[c];

	f->next = head;
	f->prev = NULL;
	if (head)
		head->prev = f;
	h->heads[c] = f;
	h->bitmap[c >> 6] |= 1ull << (c & 63);
}

/* The class is only needed when the block heads its list. */
static inline void list_unlink(struct slob_heap *h, u32 *hdr, u32 size)
{
	struct seg_free *f = payload_of(hdr), *next = f->next;

	if (next)
		next->prev = f->prev;
	if (f->prev) {
		f->prev->next = next;
	} else {
		unsigned int c = class_of(size);

		h->heads[c] = next;
		if (!next)
			h->bitmap[c >> 6] &= ~(1ull << (c & 63));
	}
}

/* Write a free block's header, list it, and tell its successor its size. */
static inline void put_free(struct slob_heap *h, u32 *hdr, u32 size, u32 prev)
{
	u32 *next = next_hdr(hdr, size);

	*hdr = make_hdr(h, hdr, size, prev, H_FREE);
	*next = (*next & ~H_PREV_MASK) | (size / SEG_GRAN) << H_PREV_SHIFT;
	list_push(h, hdr, size);
}

/* ===================== growing, finding, carving ========================= */

static bool seg_grow(struct slob_heap *h, gfp_t gfp)
{
	char *page;
	u32 *first, *end;

	page = sizepage_take_kept(h);
	if (!page && sizepage_empty_idle(h)) /* they may leave a size page empty */
		page = sizepage_take_kept(h);
	if (!page)
		page = get_slob_page(h, gfp);
	if (!page)
		return false;
	*page_live(page) = 0;
	first = (u32 *)(page + SEG_FIRST);
	end = (u32 *)(page + SEG_END);
	*end = make_hdr(h, end, 0, SEG_MAX, 0);
	put_free(h, first, SEG_MAX, 0);
	h->nr_empty++;
	return true;
}

/* A free block of the top class holding @bs bytes (the one class whose
 * blocks may be smaller than a request that maps to it), or NULL. */
static u32 *scan_top_class(struct slob_heap *h, u32 bs)
{
	for (struct seg_free *f = h->heads[TOP_CLASS]; f; f = f->next)
		if (block_size(*hdr_of(f)) >= bs)
			return hdr_of(f);
	return NULL;
}

/* Take @bs bytes from the start of the free block at hdr (already off its
 * list), listing the rest when it is big enough to be a block. The header
 * keeps its cookie and previous-size bits. */
static inline __attribute__((always_inline)) void *carve(struct slob_heap *h, u32 *hdr, u32 bs)
{
	u32 v = *hdr, have = block_size(v);

	if (unlikely((*page_live(hdr))++ == 0)) /* the page was idle */
		h->nr_empty--;
	if (have - bs >= SEG_MIN)
		put_free(h, next_hdr(hdr, bs), have - bs, bs);
	else
		bs = have;
	*hdr = (v & ~(H_SIZE_MASK | H_FREE)) | bs / SEG_GRAN;
	h->used_bytes += bs;
	return payload_of(hdr);
}

/* The free block at hdr (off its list) gives up its first @gap bytes
 * (align_gap): a free fragment when gap >= SEG_MIN, else slack of the block
 * before, which is in use; returns the header of the rest. */
static u32 *split_front(struct slob_heap *h, u32 *hdr, u32 gap)
{
	u32 v = *hdr, have = block_size(v);
	u32 *rest, *next;

	if (!gap)
		return hdr;
	rest = next_hdr(hdr, gap);
	if (gap < SEG_MIN) {
		u32 *ph = (u32 *)((char *)hdr - prev_size(v));

		*ph += gap / SEG_GRAN; /* its size field: well below the mask */
		h->used_bytes += gap;
		*rest = make_hdr(h, rest, have - gap, prev_size(v) + gap, H_FREE);
	} else {
		*rest = make_hdr(h, rest, have - gap, gap, H_FREE);
		put_free(h, hdr, gap, prev_size(v));
	}
	/* The block after the rest must learn its size: carve may take it all. */
	next = next_hdr(rest, have - gap);
	*next = (*next & ~H_PREV_MASK) | ((have - gap) / SEG_GRAN) << H_PREV_SHIFT;
	return rest;
}

/* The head of a non-empty class list, off its list. */
static inline u32 *take_head(struct slob_heap *h, int idx)
{
	struct seg_free *f = h->heads[idx], *next = f->next;

	h->heads[idx] = next;
	if (next)
		next->prev = NULL;
	else
		h->bitmap[idx >> 6] &= ~(1ull << (idx & 63));
	return hdr_of(f);
}

#define EXACT_SCAN 8 /* blocks of the request's own class looked at first */

/* Above 512 bytes a class spans sizes, so a block that fits may sit in the
 * request's own class: look at a few before splitting a bigger block. */
static __attribute__((noinline)) u32 *scan_own_class(struct slob_heap *h, u32 need)
{
	struct seg_free *f = h->heads[class_of(need)];

	for (int n = 0; f && n < EXACT_SCAN; n++, f = f->next) {
		u32 *hdr = hdr_of(f);

		if (block_size(*hdr) >= need) {
			list_unlink(h, hdr, block_size(*hdr));
			return hdr;
		}
	}
	return NULL;
}

/* find_block's rare cases: the top class's partial fits, and growing. */
static __attribute__((noinline)) u32 *find_block_slow(struct slob_heap *h, u32 need, gfp_t gfp)
{
	unsigned int c = class_fitting(need);

	for (;;) {
		int idx = c <= TOP_CLASS ? find_class(h, c) : -1;
		u32 *hdr;

		if (idx >= 0)
			return take_head(h, idx);
		if (c > TOP_CLASS && (hdr = scan_top_class(h, need)) != NULL) {
			list_unlink(h, hdr, block_size(*hdr));
			return hdr;
		}
		if (seg_flush_parked(h)) { /* merged, they may hold it now */
			if (need > 512 && (hdr = scan_own_class(h, need)) != NULL)
				return hdr;
			continue;
		}
		if (!seg_grow(h, gfp))
			return NULL;
	}
}

/* A free block of at least @need bytes the free lists hold, off its list,
 * or NULL; O(1): no parked block merged, no growing. */
static inline __attribute__((always_inline)) u32 *find_block_listed(struct slob_heap *h, u32 need)
{
	unsigned int c = class_fitting(need);
	int idx;
	u32 *hdr;

	if (need > 512 && (hdr = scan_own_class(h, need)) != NULL)
		return hdr;
	idx = likely(c <= TOP_CLASS) ? find_class(h, c) : -1;
	return likely(idx >= 0) ? take_head(h, idx) : NULL;
}

/* A free block of at least @need bytes, off its list, or NULL. */
static inline u32 *find_block(struct slob_heap *h, u32 need, gfp_t gfp)
{
	u32 *hdr = find_block_listed(h, need);

	return likely(hdr) ? hdr : find_block_slow(h, need, gfp);
}

/* Block size for a @size-byte payload. */
static inline u32 seg_block_size(size_t size)
{
	u32 bs = ALIGN_UP((u32)size + SEG_HDR, SEG_GRAN);

	return bs < SEG_MIN ? SEG_MIN : bs;
}

/* Parking slots (SEG_PARK_SLOT): one per block size up to PARK_EXACT
 * bytes, where the classes are exact, so a parked block is exactly the
 * size its slot's requests need; above, one per 128-byte range of block
 * sizes, whose parked block a request takes when it is big enough (at
 * most 127 bytes more than asked). */
#define PARK_EXACT 512u
_Static_assert(SEG_PARK_SLOT(SEG_MAX) + 1 == SEG_NR_PARKED &&
		       SEG_PARK_SLOT(PARK_EXACT) + 1 == SEG_PARK_SLOT(PARK_EXACT + SEG_GRAN) &&
		       PARK_EXACT == (SEG_EXACT - 1) * SEG_GRAN + SEG_MIN,
	       "slob.h's SEG_PARK_SLOT gives every block size its own slot up to the exact classes' end");

/* The parking slot of blocks of @bs bytes. The fast paths, which know
 * which side of PARK_EXACT a size is on, use the two below. */
static inline u32 **parked_slot(struct slob_heap *h, unsigned long bs)
{
	return &h->seg_parked[SEG_PARK_SLOT(bs)];
}

static inline u32 **parked_slot_exact(struct slob_heap *h, unsigned long bs)
{
	return &h->seg_parked[SEG_PARK_SLOT_EXACT(bs)];
}

static inline u32 **parked_slot_range(struct slob_heap *h, unsigned long bs)
{
	return &h->seg_parked[SEG_PARK_SLOT_RANGE(bs)];
}

/* Is the live-looking block at hdr parked? */
static inline bool is_parked(const struct slob_heap *h, const u32 *hdr)
{
	return *parked_slot((struct slob_heap *)h, block_size(*hdr)) == hdr;
}

/* Bytes in front of the first @align-aligned payload the free block at hdr
 * (header value v) can place: 0, a gap the block before takes as slack
 * (< SEG_MIN), or a gap that becomes a free block (>= SEG_MIN). A page's
 * first block has nothing before it, so a small gap grows by align. */
static inline u32 align_gap(const struct slob_heap *h, const u32 *hdr, u32 v, size_t align)
{
	uintptr_t pl = (uintptr_t)(hdr + 1);
	u32 gap = (u32)(ALIGN_UP(pl, align) - pl);

	/* A parked block before takes no slack either: it is counted free. */
	if (gap && gap < SEG_MIN &&
	    (!prev_size(v) || is_parked(h, (const u32 *)((const char *)hdr - prev_size(v)))))
		gap += (u32)align;
	return gap;
}

#define ALIGN_SCAN 4 /* free blocks find_aligned looks at before the worst case */

/* A free block (off its list) that holds @bs bytes at an @align-aligned
 * payload, its gap in *gap; NULL when out of memory. The caller checked
 * that bs + align + SEG_MIN <= SEG_MAX (a worst-case gap fits a page). */
static __attribute__((noinline)) u32 *find_aligned(struct slob_heap *h, u32 bs, size_t align,
						   u32 *gap, gfp_t gfp)
{
	unsigned int c;
	int looked = 0, idx;
	u32 *hdr;

	for (idx = find_class(h, class_of(bs)); idx >= 0 && looked < ALIGN_SCAN;
	     idx = idx < TOP_CLASS ? find_class(h, (unsigned int)idx + 1) : -1) {
		for (struct seg_free *f = h->heads[idx]; f && looked < ALIGN_SCAN; f = f->next, looked++) {
			u32 v = *hdr_of(f), g = align_gap(h, hdr_of(f), v, align);

			if (g + bs <= block_size(v)) {
				list_unlink(h, hdr_of(f), block_size(v));
				*gap = g;
				return hdr_of(f);
			}
		}
	}
	/* The first class whose every block has room for bs after a gap
	 * below align: it fits unless it starts its page and its gap is too
	 * small to be a free block. */
	c = class_fitting(bs + (u32)align - SEG_GRAN);
	idx = c <= TOP_CLASS ? find_class(h, c) : -1;
	if (idx >= 0) {
		hdr = take_head(h, idx);
		if ((*gap = align_gap(h, hdr, *hdr, align)) + bs <= block_size(*hdr))
			return hdr;
		list_push(h, hdr, block_size(*hdr)); /* back, still free */
	}
	/* Room for the block, a worst-case gap, and a gap's smallest size. */
	hdr = find_block(h, bs + (u32)align + SEG_MIN, gfp);
	if (hdr)
		*gap = align_gap(h, hdr, *hdr, align);
	return hdr;
}

static void page_went_idle(struct slob_heap *h, char *page);

/* Free the block at hdr now: merge it with its free neighbours and list
 * it. @live: a live block (the page's live count drops; a page that goes
 * idle is kept or given back), not a parked one (the count left it when it
 * was parked). */
static inline __attribute__((always_inline)) void seg_merge_free(struct slob_heap *h, u32 *hdr,
								 bool live)
{
	u32 v = *hdr, size = block_size(v), prev = prev_size(v);
	u32 *next = next_hdr(hdr, size), nv = *next;
	u32 *count = page_live(hdr);

	h->used_bytes -= size;
	if (nv & H_FREE) {
		u32 ns = block_size(nv);

		list_unlink(h, next, ns);
		size += ns;
	}
	if (prev) {
		u32 *ph = (u32 *)((char *)hdr - prev), pv = *ph;

		if (pv & H_FREE) {
			list_unlink(h, ph, prev);
			*hdr |= H_FREE; /* stale inside the merged block: a second free fails */
			hdr = ph;
			v = pv;
			size += prev;
		}
	}
	/* The header keeps its cookie and previous size; the next block
	 * learns the merged size. */
	*hdr = (v & ~H_SIZE_MASK) | H_FREE | size / SEG_GRAN;
	next = next_hdr(hdr, size);
	*next = (*next & ~H_PREV_MASK) | (size / SEG_GRAN) << H_PREV_SHIFT;
	list_push(h, hdr, size);
	if (live && unlikely(--*count == 0))
		page_went_idle(h, (char *)count - sizeof(u32));
}

/* ============================ parked blocks ============================== */

enum park { PARKED, MERGE, TWICE };

/* Park the live block at hdr (of @size bytes) when its slot (parked_slot)
 * is empty:
 * PARKED; MERGE when it is to be freed the usual way; TWICE when it is
 * parked already (a second free). */
static inline __attribute__((always_inline)) enum park park_block(struct slob_heap *h, u32 *hdr,
								  unsigned long size, u32 **slot)
{
	u32 live;

	if (unlikely(*slot == hdr))
		return TWICE;
	if (*slot)
		return MERGE;
	live = *page_live(hdr) - 1;
	if (unlikely(live == 0)) { /* its page goes idle */
		if (h->nr_empty >= h->keep_empty)
			return MERGE; /* and back to the page allocator */
		h->nr_empty++;
	}
	*page_live(hdr) = live;
	*slot = hdr;
	h->used_bytes -= size;
	return PARKED;
}

/* The parked block of bs's slot (parked_slot) when it holds bs bytes,
 * taken: in use again as it is (a parked block is never split); or NULL. */
static inline __attribute__((always_inline)) u32 *take_parked_from(struct slob_heap *h,
								   unsigned long bs, u32 **slot)
{
	u32 *hdr = *slot;
	unsigned long have;

	if (!hdr || (have = (unsigned long)(*hdr & H_SIZE_MASK) * SEG_GRAN) < bs)
		return NULL;
	*slot = NULL;
	h->used_bytes += have;
	if (unlikely((*page_live(hdr))++ == 0)) /* its page was idle */
		h->nr_empty--;
	return hdr;
}

static inline __attribute__((always_inline)) u32 *take_parked(struct slob_heap *h, unsigned long bs)
{
	return take_parked_from(h, bs, parked_slot(h, bs));
}

bool seg_flush_parked(struct slob_heap *h)
{
	bool any = false;

	for (unsigned int i = 0; i < SEG_NR_PARKED; i++) {
		u32 *hdr = h->seg_parked[i];

		if (!hdr)
			continue;
		any = true;
		h->seg_parked[i] = NULL;
		h->used_bytes += block_size(*hdr); /* seg_merge_free takes it off */
		seg_merge_free(h, hdr, false);
	}
	return any;
}

/* Give back the idle @page (no live block; not counted in nr_empty): merge
 * its parked blocks (they are all it holds), so that it is one free block,
 * and return it to the page allocator. */
static void give_back_idle(struct slob_heap *h, char *page)
{
	for (unsigned int i = 0; i < SEG_NR_PARKED; i++) {
		u32 *hdr = h->seg_parked[i];

		if (!hdr || page_live(hdr) != page_live(page))
			continue;
		h->seg_parked[i] = NULL;
		h->used_bytes += block_size(*hdr);
		seg_merge_free(h, hdr, false);
	}
	list_unlink(h, (u32 *)(page + SEG_FIRST), SEG_MAX); /* now one free block */
	put_slob_page(h, page);
}

/* The last live block of @page was freed: keep the page while fewer than
 * keep_empty pages are idle, else give it back. */
static __attribute__((noinline)) void page_went_idle(struct slob_heap *h, char *page)
{
	if (h->nr_empty < h->keep_empty) {
		h->nr_empty++;
		return;
	}
	give_back_idle(h, page);
}

/* An idle page that holds parked blocks (the page of one whose live count
 * is 0), or NULL. */
static char *idle_page_of_parked(struct slob_heap *h)
{
	for (unsigned int i = 0; i < SEG_NR_PARKED; i++)
		if (h->seg_parked[i] && *page_live(h->seg_parked[i]) == 0)
			return page_head_of(h->seg_parked[i]);
	return NULL;
}

unsigned long seg_release_idle(struct slob_heap *h)
{
	unsigned long n = 0;
	char *page;

	sizepage_release_idle_pages(h); /* the pages idle quarters alone hold */
	if (h->sp_kept) {
		put_slob_page(h, sizepage_take_kept(h));
		n++;
	}
	while (h->nr_empty) {
		if ((page = seg_take_empty_page(h)) != NULL) { /* wholly free: nr_empty dropped */
			put_slob_page(h, page);
		} else if ((page = idle_page_of_parked(h)) != NULL) {
			h->nr_empty--;
			give_back_idle(h, page);
		} else {
			break; /* miscounted: slob_check reports it */
		}
		n++;
	}
	return n;
}

void *seg_alloc(struct slob_heap *h, size_t size, gfp_t gfp, size_t align)
{
	u32 bs = seg_block_size(size), gap = 0;
	u32 *hdr = NULL;
	unsigned int c;
	int idx;

	if (align <= SEG_GRAN) {
		if ((hdr = take_parked(h, bs)) != NULL)
			return payload_of(hdr);
		hdr = find_block(h, bs, gfp);
		return hdr ? carve(h, hdr, bs) : NULL;
	}
	if (bs + align + SEG_MIN > SEG_MAX)
		return NULL;
	/* The block an unaligned request would get (often a freed aligned
	 * block) when the aligned payload fits in it. */
	c = class_fitting(bs);
	idx = c <= TOP_CLASS ? find_class(h, c) : -1;
	if (idx >= 0) {
		hdr = take_head(h, idx);
		if ((gap = align_gap(h, hdr, *hdr, align)) + bs > block_size(*hdr)) {
			list_push(h, hdr, block_size(*hdr)); /* back, still free */
			hdr = NULL;
		}
	}
	if (!hdr && !(hdr = find_aligned(h, bs, align, &gap, gfp)))
		return NULL;
	return carve(h, split_front(h, hdr, gap), bs);
}

void *seg_take_empty_page(struct slob_heap *h)
{
	u32 *hdr;

	if (!h->nr_empty || !(hdr = scan_top_class(h, SEG_MAX)))
		return NULL;
	list_unlink(h, hdr, SEG_MAX);
	h->nr_empty--;
	return (char *)hdr - SEG_FIRST;
}

/* Is p the payload of a live segfit block? Cheap checks of its header: a
 * 16-byte aligned p other than a page start has its header in its own
 * page, at an offset from SEG_FIRST to SEG_END - 16. */
static inline bool seg_valid_live(const struct slob_heap *h, const void *p)
{
	const u32 *hdr = hdr_of(p);
	unsigned long size;
	u32 v;

	if (((uintptr_t)p & (SEG_GRAN - 1)) || !((uintptr_t)p << (64 - PAGE_SHIFT)))
		return false;
	v = *hdr;
	size = (unsigned long)(v & H_SIZE_MASK) * SEG_GRAN;
	/* The cookie compared in the low bits: no mask constant to build. The
	 * block ends in its page: headers sit at 12 mod 16, so the last one
	 * that can is the end-of-page header. */
	return !(v & H_FREE) &&
	       (v >> H_COOKIE_SHIFT) == ((((u32)((uintptr_t)hdr >> 2)) ^ h->secret) &
					 (~0u >> H_COOKIE_SHIFT)) &&
	       size >= SEG_MIN && !((((uintptr_t)hdr + size) ^ (uintptr_t)hdr) >> PAGE_SHIFT);
}

_Static_assert(SEG_MAX - SEG_HDR == SLOB_SEG_KMALLOC_MAX, "slob.h names segfit's largest payload");

/* ================= kmalloc's fast paths, and the rest ==================== */

/* Requests above BORROW_MIN bytes and below 256 take a free object of a
 * listed 256-byte quarter when no free segfit block holds them, rather
 * than grow segfit (or merge its parked blocks) for them: the quarter is
 * there already, and the 192-byte requests of the churn benchmark would
 * otherwise start a segfit page that outlives them (docs/kmalloc.md). */
#define BORROW_MIN 128u
#define BORROW_IDX 4u /* 256 = 16 << 4 */

static inline bool borrow_quarter_object(const struct slob_heap *h, size_t size)
{
	return size > BORROW_MIN && size < (16u << BORROW_IDX) && h->sp_head[BORROW_IDX];
}

/* seg_kmalloc's search (with the lock held: it drops it): find_block, but
 * a borrowed quarter object before find_block_slow. */
static __attribute__((noinline)) void *seg_kmalloc_find(struct slob_heap *h, size_t size, u32 bs,
							gfp_t gfp, unsigned long flags)
{
	u32 *hdr = find_block_listed(h, bs);
	void *p = NULL;

	if (unlikely(!hdr)) {
		if (borrow_quarter_object(h, size))
			p = sizepage_alloc(h, BORROW_IDX, gfp); /* listed: no call to grow */
		else
			hdr = find_block_slow(h, bs, gfp);
	}
	if (likely(hdr))
		p = carve(h, hdr, bs);
	spin_unlock_irqrestore(&h->lock, flags);
	return p;
}

/* kmalloc of a segfit block (not a power of two, above 16 bytes): the
 * parked block of its size when it has one (no call but in tail
 * position, so no stack frame), else a search. */
static __attribute__((noinline)) void *seg_kmalloc(struct slob_heap *h, size_t size, gfp_t gfp)
{
	unsigned long bs = ALIGN_UP(size + SEG_HDR, SEG_GRAN); /* size > 16: bs >= SEG_MIN */
	unsigned long flags = spin_lock_irqsave(&h->lock);
	u32 *hdr;

	if (bs <= PARK_EXACT)
		hdr = take_parked_from(h, bs, parked_slot_exact(h, bs));
	else
		hdr = take_parked_from(h, bs, parked_slot_range(h, bs));
	if (hdr) {
		spin_unlock_irqrestore(&h->lock, flags);
		return payload_of(hdr);
	}
	return seg_kmalloc_find(h, size, (u32)bs, gfp, flags);
}

/* A size page's object when its list is empty: a new quarter (or NULL). */
static __attribute__((noinline)) void *sizepage_kmalloc_slow(struct slob_heap *h, unsigned int idx,
							     gfp_t gfp, unsigned long flags)
{
	void *p = sizepage_alloc(h, idx, gfp);

	spin_unlock_irqrestore(&h->lock, flags);
	return p;
}

/* A size page's object when its list is empty: the idle 1024 quarter's
 * object (on no list; through the flat memmap's window), else
 * sizepage_kmalloc_slow. No call but in tail position. */
static __attribute__((noinline)) void *sizepage_kmalloc_grow(struct slob_heap *h, unsigned int idx,
							     gfp_t gfp, unsigned long flags)
{
	char *b = h->sp_idle[idx];
	uintptr_t off = (uintptr_t)b - memmap_win_start;
	struct sp_quarter *s;

	if (idx != SQ_ONE_IDX || !b || unlikely(off >= memmap_win_size))
		return sizepage_kmalloc_slow(h, idx, gfp, flags);
	s = sq_of(memmap_win_map + (off >> PAGE_SHIFT), b);
	s->free = SP_NONE;
	s->inuse = 1;
	*link_slot(b) = 0;
	h->sp_idle[idx] = NULL;
	h->used_bytes += 16ul << SQ_ONE_IDX;
	spin_unlock_irqrestore(&h->lock, flags);
	return b;
}

/* sizepage_kmalloc_filled's other cases: a sectioned memmap, or a link
 * that does not name a listed quarter of the size (sp_set_head reports). */
static __attribute__((noinline)) void *sizepage_filled_slow(struct slob_heap *h, unsigned long idx,
							    void *p, u32 next, unsigned long flags)
{
	sp_set_head(h, (unsigned int)idx, next);
	spin_unlock_irqrestore(&h->lock, flags);
	return p;
}

/* kmalloc's object p took the last free object of its quarter, the head
 * of list idx: the quarter leaves the list, the next one (the high half of
 * links, found through the flat memmap's window) heads it. No call but in
 * tail position. */
static __attribute__((noinline)) void *sizepage_kmalloc_filled(struct slob_heap *h,
							       unsigned long idx, void *p, u64 links,
							       unsigned long flags)
{
	u32 next = (u32)(links >> 32);
	struct sp_quarter *s = NULL;
	char *addr = NULL;

	if (next != SP_NIL) {
		uintptr_t off;
		struct page *pg;

		addr = sq_id_addr(next);
		off = (uintptr_t)addr - memmap_win_start;
		if (unlikely(off >= memmap_win_size))
			return sizepage_filled_slow(h, idx, p, next, flags);
		pg = memmap_win_map + (off >> PAGE_SHIFT);
		s = sq_of(pg, addr);
		if (unlikely(pg->priv != (unsigned long)h || s->info != (idx << 1 | 1) ||
			     s->free >= SP_NONE))
			return sizepage_filled_slow(h, idx, p, next, flags);
	}
	h->sp_head[idx] = s;
	h->sp_base[idx] = addr;
	spin_unlock_irqrestore(&h->lock, flags);
	return p;
}

/* kmalloc from a size page. Nothing here makes a call but in tail
 * position, so the compiler needs no stack frame. */
static inline __attribute__((always_inline)) void *sizepage_kmalloc(struct slob_heap *h,
								    unsigned long idx, gfp_t gfp)
{
	unsigned long flags = spin_lock_irqsave(&h->lock);
	struct sp_quarter *s = h->sp_head[idx];
	bool full;
	u64 links;
	void *p;

	if (unlikely(!s))
		return sizepage_kmalloc_grow(h, (unsigned int)idx, gfp, flags);
	p = sp_pop(h, s, h->sp_base[idx], (unsigned int)idx, 16ul << idx, &links, &full);
	if (unlikely(full))
		return sizepage_kmalloc_filled(h, idx, p, links, flags);
	spin_unlock_irqrestore(&h->lock, flags);
	return p;
}

/* kmalloc of 1 .. SLOB_SEG_KMALLOC_MAX bytes. */
void *slob_kmalloc(struct slob_heap *h, size_t size, gfp_t gfp)
{
	if (unlikely(!h->kmalloc_plain || (gfp & __GFP_ZERO)))
		return slob_kmalloc_other(h, size, gfp);
	if (!(size & (size - 1))) /* a power of two (<= 2048 here), aligned to itself */
		return sizepage_kmalloc(h, sizepage_index(size), gfp);
	if (size < 16)
		return sizepage_kmalloc(h, 0, gfp);
	return seg_kmalloc(h, size, gfp);
}

#define KFREE_BAD "kfree of a pointer kmalloc did not return, or freed twice"

/* A kfree error: the heap's count and kmalloc's (kfree_errors). */
static void count_kfree_error(struct slob_heap *h, void *p)
{
	heap_error(h, p, KFREE_BAD);
	kfree_errors++;
	kfree_last_error = KFREE_BAD;
}

static __attribute__((noinline)) bool kfree_bad(void *p, struct slob_heap *h, unsigned long flags)
{
	count_kfree_error(h, p);
	spin_unlock_irqrestore(&h->lock, flags);
	return false;
}

static __attribute__((noinline)) bool sizepage_kfree_emptied(struct page *pg,
							     struct sp_quarter *s,
							     struct slob_heap *h,
							     unsigned long flags)
{
	sizepage_emptied(h, pg, s);
	spin_unlock_irqrestore(&h->lock, flags);
	return true;
}

/* slob_kfree of p, a live object of the full quarter s of pg (info its
 * info, off p's offset in it): pushed back, and the quarter listed first
 * again (an object of a 1024-byte quarter or a 2048 unit empties it too:
 * its size's idle quarter, or emptied). */
static __attribute__((noinline)) bool sizepage_kfree_relist(void *p, struct page *pg,
							    struct slob_heap *h, unsigned long flags,
							    struct sp_quarter *s, unsigned long info,
							    unsigned long off)
{
	unsigned int idx = (unsigned int)(info >> 1);
	char *qbase = (char *)p - off;

	*(u16 *)p = SP_NONE;
	if (likely(idx != SQ_ONE_IDX))
		sp_list_add(h, s, idx, qbase, p);
	else /* its quarter empties: idle (on no list), or emptied */
		*link_slot(p) = sq_links(SP_NIL, SP_NIL);
	s->free = (u16)off;
	h->used_bytes -= 16ul << idx;
	if (--s->inuse == 0) {
		char **idle = &h->sp_idle[idx];

		if (*idle || idx == SQ_BIG_IDX)
			return sizepage_kfree_emptied(pg, s, h, flags);
		*idle = qbase; /* its size's idle quarter, still listed */
	}
	spin_unlock_irqrestore(&h->lock, flags);
	return true;
}

static __attribute__((noinline)) bool classic_kfree_locked(struct slob_heap *h, void *p,
							  unsigned long flags)
{
	bool ok = classic_kfree(h, p); /* reports on the heap */

	if (!ok) {
		kfree_errors++;
		kfree_last_error = KFREE_BAD;
	}
	spin_unlock_irqrestore(&h->lock, flags);
	return ok;
}

static __attribute__((noinline)) bool seg_kfree_merge(struct slob_heap *h, u32 *hdr,
						      unsigned long flags)
{
	seg_merge_free(h, hdr, true);
	spin_unlock_irqrestore(&h->lock, flags);
	return true;
}

/* slob_kfree of a pointer in a page that is not a size page: a segfit
 * block is parked when its slot is free (no call but in tail position),
 * else merged. */
static __attribute__((noinline)) bool kfree_other_page(void *p, struct slob_heap *h,
						       unsigned long flags)
{
	u32 *hdr = hdr_of(p), v;
	unsigned long size;
	enum park r;

	if (unlikely(h->mode != SLOB_SEGFIT))
		return classic_kfree_locked(h, p, flags);
	if (unlikely(!seg_valid_live(h, p)))
		return kfree_bad(p, h, flags);
	v = *hdr;
	size = (unsigned long)(v & H_SIZE_MASK) * SEG_GRAN;
	if (size <= PARK_EXACT)
		r = park_block(h, hdr, size, parked_slot_exact(h, size));
	else
		r = park_block(h, hdr, size, parked_slot_range(h, size));
	if (unlikely(r != PARKED))
		return r == MERGE ? seg_kfree_merge(h, hdr, flags) : kfree_bad(p, h, flags);
	spin_unlock_irqrestore(&h->lock, flags);
	return true;
}

/* As sizepage_kmalloc: no call but in tail position. pg is p's struct
 * page (kfree found it), its private the heap: a classic or segfit page is
 * on the heap's page list, its lru.next (even) where a size page's odd
 * sq[0].info lies. A quarter that empties is a tail call. */
bool slob_kfree(void *p, struct page *pg)
{
	struct slob_heap *h = (struct slob_heap *)pg->priv;
	unsigned long flags = spin_lock_irqsave(&h->lock);
	unsigned long size, free, off, info, inuse;
	struct sp_quarter *s;
	char *old;
	u64 key;

	if (unlikely(!PageSlobSize(pg)))
		return kfree_other_page(p, h, flags);
	s = sq_of(pg, p);
	info = s->info;
	if (unlikely(info >= SQ_INFO_LIMIT)) /* an empty or covered quarter */
		return kfree_bad(p, h, flags);
	size = 16ul << (info >> 1);
	off = (uintptr_t)p & (SQ_SIZE - 1);
	free = s->free;
	key = h->sp_key;
	if (unlikely(((uintptr_t)p & (size - 1)) || *marker_slot(p) == (key ^ (uintptr_t)p) ||
		     off == free))
		return kfree_bad(p, h, flags);
	if (unlikely(free >= SP_NONE)) { /* it was full: listed again */
		char **idle = &h->sp_idle[SQ_ONE_IDX];

		if (info != (SQ_ONE_IDX << 1 | 1) || *idle)
			return sizepage_kfree_relist(p, pg, h, flags, s, info, off);
		/* a 1024 quarter empties: its size's idle one, on no list */
		*(u16 *)p = SP_NONE;
		*link_slot(p) = sq_links(SP_NIL, SP_NIL);
		s->free = 0;
		s->inuse = 0;
		h->used_bytes -= size;
		*idle = p;
		spin_unlock_irqrestore(&h->lock, flags);
		return true;
	}
	old = (char *)p - off + free; /* the head so far: its links move to p */
	*(u16 *)p = (u16)free;
	*link_slot(p) = *link_slot(old);
	*marker_slot(old) = key ^ (uintptr_t)old;
	s->free = (u16)off;
	h->used_bytes -= size;
	inuse = s->inuse - 1ul;
	s->inuse = (u8)inuse;
	if (unlikely(!inuse)) {
		char **idle = &h->sp_idle[info >> 1];

		if (*idle || (info >> 1) == SQ_BIG_IDX)
			return sizepage_kfree_emptied(pg, s, h, flags);
		*idle = (char *)p - off; /* its size's idle quarter, still listed */
	}
	spin_unlock_irqrestore(&h->lock, flags);
	return true;
}

bool seg_free(struct slob_heap *h, void *p, struct page *pg)
{
	u32 *hdr = hdr_of(p);

	if (PageSlobSize(pg))
		return sizepage_free(h, pg, p);
	/* A parked block is a kfree'd one freed again. slob_free's callers
	 * (the slab allocator's metadata, caches) want pages back at once:
	 * the block is merged, not parked. */
	if (!seg_valid_live(h, p) || unlikely(is_parked(h, hdr)))
		return false;
	slob_wipe(p, block_size(*hdr) - SEG_HDR);
	seg_merge_free(h, hdr, true);
	return true;
}

/* The payload of p, a live segfit block (not a size page's), or 0. */
static size_t block_ksize(const struct slob_heap *h, const void *p)
{
	return seg_valid_live(h, p) && !is_parked(h, hdr_of(p)) ? block_size(*hdr_of(p)) - SEG_HDR : 0;
}

size_t seg_ksize_in(const struct slob_heap *h, struct page *pg, const void *p)
{
	return PageSlobSize(pg) ? sizepage_ksize(h, pg, p) : block_ksize(h, p);
}

size_t seg_ksize(const struct slob_heap *h, const void *p)
{
	struct page *pg = sizepage_of(h, p);

	return pg ? sizepage_ksize(h, pg, p) : block_ksize(h, p);
}

unsigned long seg_release_pages(struct slob_heap *h)
{
	struct list_head *pos, *n;
	unsigned long busy;

	seg_flush_parked(h);
	busy = sizepage_release_all(h); /* the size pages still in use */
	list_for_each_safe(pos, n, &h->pages) {
		char *page = page_address(list_entry(pos, struct page, lru));
		u32 *first = (u32 *)(page + SEG_FIRST);

		if ((*first & H_FREE) && block_size(*first) == SEG_MAX) {
			list_unlink(h, first, SEG_MAX);
			h->nr_empty--;
			put_slob_page(h, page);
		} else {
			busy++;
		}
	}
	return busy;
}

/* ========================= statistics and checks ========================= */

/* The free space as a search finds it: each run of free and parked blocks
 * of a page counts as the one block it merges into (a search that finds
 * nothing merges the parked blocks first), so an idle heap whose freed
 * blocks wait parked reports its pages whole; the parked blocks are
 * counted apart as well. A page whose blocks do not tile it (slob_check
 * reports that) is counted up to the damage. */
void seg_free_blocks(struct slob_heap *h, struct slob_stats *st)
{
	struct list_head *pos;

	list_for_each(pos, &h->pages) {
		char *page = page_address(list_entry(pos, struct page, lru));
		u32 off = SEG_FIRST, run = 0;

		while (off < SEG_END) {
			u32 *hdr = (u32 *)(page + off), size = block_size(*hdr);

			if (size < SEG_MIN || off + size > SEG_END)
				break;
			if (*hdr & H_FREE) {
				run += size;
			} else if (is_parked(h, hdr)) {
				run += size;
				st->parked_blocks++;
				st->parked_bytes += size - SEG_HDR;
			} else if (run) {
				slob_note_free_block(st, run - SEG_HDR);
				run = 0;
			}
			off += size;
		}
		if (run)
			slob_note_free_block(st, run - SEG_HDR);
	}
	sizepage_free_blocks(h, st);
}

/* Walk one segfit page's blocks; count its free blocks; whether it is
 * idle (no live block: nr_empty counts it). */
static bool check_seg_page(struct slob_heap *h, char *page, int *errors, unsigned long *nfree,
			   unsigned long *used)
{
	u32 off = SEG_FIRST, prev = 0, live = 0;
	bool prev_free = false;

	while (off < SEG_END) {
		u32 *hdr = (u32 *)(page + off), v = *hdr, size = block_size(v);

		if ((v & ~(H_SIZE_MASK | H_PREV_MASK | H_FREE)) != cookie(h, hdr))
			slob_problem(h, errors, hdr, "block header cookie is wrong");
		if (size < SEG_MIN || off + size > SEG_END) {
			slob_problem(h, errors, hdr, "block size runs outside the page");
			return false;
		}
		if (prev_size(v) != prev)
			slob_problem(h, errors, hdr, "previous-size field does not match the previous block");
		if ((v & H_FREE) && prev_free)
			slob_problem(h, errors, hdr, "two free blocks touch (missed merge)");
		if (v & H_FREE) {
			++*nfree;
		} else if (!is_parked(h, hdr)) {
			*used += size;
			live++;
		}
		prev_free = v & H_FREE;
		prev = size;
		off += size;
	}
	if (off != SEG_END || block_size(*(u32 *)(page + SEG_END)) != 0 ||
	    (*(u32 *)(page + SEG_END) & H_FREE) || prev_size(*(u32 *)(page + SEG_END)) != prev)
		slob_problem(h, errors, page + SEG_END, "blocks do not end at the end-of-page header");
	if (*page_live(page) != live)
		slob_problem(h, errors, page, "page's live-block count differs from its blocks");
	return live == 0;
}

void slob_census(struct slob_heap *h, void (*fn)(const struct slob_page_info *pi, void *arg),
		 void *arg)
{
	unsigned long flags = spin_lock_irqsave(&h->lock);
	struct list_head *pos;

	if (h->mode != SLOB_SEGFIT)
		goto out;
	sizepage_census(h, fn, arg);
	list_for_each(pos, &h->pages) {
		char *page = page_address(list_entry(pos, struct page, lru));
		struct slob_page_info pi = { .addr = page, .live = *page_live(page) };

		for (u32 off = SEG_FIRST, size; off < SEG_END; off += size) {
			u32 *hdr = (u32 *)(page + off), v = *hdr;

			size = block_size(v);
			if (!size) /* damaged (slob_check reports it): stop here */
				break;
			if (v & H_FREE) {
				pi.free += size;
				pi.largest_free = MAX(pi.largest_free, size);
				continue;
			}
			if (is_parked(h, hdr))
				pi.parked += size;
			else
				pi.used += size;
			pi.largest_used = MAX(pi.largest_used, size);
		}
		fn(&pi, arg);
	}
out:
	spin_unlock_irqrestore(&h->lock, flags);
}

static void check_seg_lists(struct slob_heap *h, int *errors, unsigned long *listed)
{
	for (unsigned int c = 0; c < SEG_NR_CLASSES; c++) {
		bool bit = h->bitmap[c >> 6] & (1ull << (c & 63));
		struct seg_free *prev = NULL;
		unsigned long n = 0;

		if (bit != (h->heads[c] != NULL))
			slob_problem(h, errors, h->heads[c], "bitmap bit differs from its list");
		for (struct seg_free *f = h->heads[c]; f; prev = f, f = f->next) {
			u32 v = *hdr_of(f);
			struct page *pg = virt_to_page(f);

			if (++n > h->nr_pages * (PAGE_SIZE / SEG_MIN)) {
				slob_problem(h, errors, f, "class list loops");
				break;
			}
			if (!pg || page_type(pg) != PGTY_SLOB || pg->priv != (unsigned long)h)
				slob_problem(h, errors, f, "listed block not in one of the heap's pages");
			else if (!(v & H_FREE) || class_of(block_size(v)) != c)
				slob_problem(h, errors, f, "listed block not free or in the wrong class");
			if (f->prev != prev)
				slob_problem(h, errors, f, "class list back link broken");
			++*listed;
		}
	}
}

/* Each parked block: a block of one of the heap's segfit pages (reached by
 * walking its page), in use by its header, in the slot of its size. */
static void check_parked(struct slob_heap *h, int *errors)
{
	for (unsigned int i = 0; i < SEG_NR_PARKED; i++) {
		u32 *hdr = h->seg_parked[i], off = SEG_FIRST, v;
		struct page *pg;
		char *page;

		if (!hdr)
			continue;
		pg = virt_to_page(hdr);
		page = (char *)page_head_of(hdr);
		if (!pg || page_type(pg) != PGTY_SLOB || pg->priv != (unsigned long)h ||
		    sizepage_of(h, page)) {
			slob_problem(h, errors, hdr, "parked block not in one of the heap's segfit pages");
			continue;
		}
		while (off < SEG_END && page + off < (char *)hdr && block_size(*(u32 *)(page + off)))
			off += block_size(*(u32 *)(page + off));
		v = *hdr;
		if (page + off != (char *)hdr || (v & H_FREE) ||
		    (v & ~(H_SIZE_MASK | H_PREV_MASK | H_FREE)) != cookie(h, hdr)) {
			slob_problem(h, errors, hdr, "parked block is not a block in use of its page");
			continue;
		}
		if (parked_slot(h, block_size(v)) != &h->seg_parked[i])
			slob_problem(h, errors, hdr, "parked block in the slot of another size");
	}
}

int seg_check(struct slob_heap *h)
{
	unsigned long nfree = 0, listed = 0, used = 0, pages = 0, empty = 0;
	struct list_head *pos;
	int errors = 0;

	list_for_each(pos, &h->pages) {
		struct page *pg = list_entry(pos, struct page, lru);
		char *page = page_address(pg);

		if (page_type(pg) != PGTY_SLOB || pg->priv != (unsigned long)h)
			slob_problem(h, &errors, page, "page on the heap's list is not its SLOB page");
		if (check_seg_page(h, page, &errors, &nfree, &used))
			empty++;
		if (++pages > h->nr_pages + 1)
			break;
	}
	used += sizepage_check(h, &errors);
	check_seg_lists(h, &errors, &listed);
	check_parked(h, &errors);
	if (pages + h->sp_pages != h->nr_pages)
		slob_problem(h, &errors, NULL, "page count differs from the page list and the size pages");
	if (listed != nfree)
		slob_problem(h, &errors, NULL, "free blocks in pages differ from blocks on lists");
	if (used != h->used_bytes)
		slob_problem(h, &errors, NULL, "used bytes differ from the blocks in use");
	if (empty != h->nr_empty || empty > h->keep_empty)
		slob_problem(h, &errors, NULL, "idle pages (wholly free, or only parked blocks) miscounted or too many kept");
	return errors;
}

/* ============================ whatis ===================================== */

/* The block of segfit page @page holding @addr (heap lock held): its size,
 * payload and state, or where in the page's frame it lies. */
static void seg_block_whatis(struct slob_heap *h, char *page, u64 addr)
{
	u64 off = addr - (u64)(uintptr_t)page;

	if (off < SEG_FIRST || off >= SEG_END) {
		kprintf("whatis: the page's frame (live count and end header), in no block\n");
		return;
	}
	for (u32 o = SEG_FIRST, size; o < SEG_END; o += size) {
		u32 *hdr = (u32 *)(page + o), v = *hdr;

		size = block_size(v);
		if (!size) {
			kprintf("whatis: block headers damaged at offset %u (slob_check reports it)\n", o);
			return;
		}
		if (off >= o + size)
			continue;
		kprintf("whatis: block of %u bytes, payload at %p (%u bytes), ", size, (void *)payload_of(hdr),
			size - SEG_HDR);
		if (off < o + SEG_HDR)
			kprintf("in its 4-byte header; ");
		else
			kprintf("byte %llu of it; ", (unsigned long long)(off - o - SEG_HDR));
		kprintf("%s\n", v & H_FREE ? "free, on a class list" :
				is_parked(h, hdr) ? "freed and parked (kept for the next kmalloc of its size)" :
				"allocated");
		return;
	}
}

void seg_whatis(struct slob_heap *h, struct page *pg, u64 addr)
{
	unsigned long flags = spin_lock_irqsave(&h->lock);

	if (PageSlobSize(pg))
		sizepage_whatis(h, pg, addr);
	else
		seg_block_whatis(h, page_address(pg), addr);
	spin_unlock_irqrestore(&h->lock, flags);
}
