/*
 * slob.c - SLOB: the small-object allocator behind kmalloc.
 *
 * Pages come one at a time from the buddy allocator; each carries
 * PGTY_SLOB and page->private = its heap, and sits on heap->pages. Blocks
 * never cross a page, so a page whose blocks are all free can go back to
 * the buddy allocator. Everything is under the heap's spinlock.
 *
 * SLOB_CLASSIC is Linux 2.6.20's design, kept for comparison. Memory is
 * counted in 16-byte units; a block (struct slob_block) records its size in
 * units and, while free, the next free block. All free blocks sit on one
 * circular list in address order. slob_alloc walks it first fit starting
 * after the roving pointer slobfree, skips to an aligned unit when asked
 * (the skipped units stay a free fragment), splits what it takes and leaves
 * slobfree where it stopped; when a whole lap finds nothing it frees a fresh
 * page into the list and goes on. slob_free reinserts a block in address
 * order and coalesces it with the neighbours it touches. Costs: O(free
 * blocks) for both. Two changes from 2.6.20: neighbours merge only inside a
 * page, and a page that becomes wholly free is returned at once.
 *
 * SLOB_SEGFIT (the default) keeps the page-per-arena structure and what
 * later allocators learned (TLSF's segregated fit, dlmalloc's boundary
 * tags), so that cost no longer grows with fragmentation:
 *   - a block is a 4-byte header followed by its payload; the header holds
 *     the block's size and the previous block's size in 8-byte units, a free
 *     bit, and a cookie derived from the header's address (a kfree of a
 *     pointer that is not a block start almost never finds a valid cookie);
 *     payloads are 8-byte aligned; the smallest block is 24 bytes;
 *   - page layout: a block header at offset 4, blocks tiling up to offset
 *     4092, where a permanent "used" header of size 0 ends the page;
 *   - free blocks sit on one of 86 size-class lists (exact 8-byte classes to
 *     512 bytes, then 8 classes per power of two); a two-word bitmap says
 *     which lists hold blocks. Allocation rounds the request up to a class
 *     whose every block fits, finds the first non-empty class from there
 *     with a bit scan, takes the list head and splits off the rest: O(1).
 *     Freeing merges with the next block (its header follows) and the
 *     previous one (its size is in our header): O(1), no list walk;
 *   - one wholly free page is kept (keep_empty) so that a workload that
 *     frees and reallocates a page's worth does not bounce pages through
 *     the buddy allocator; any further wholly free page is returned.
 *   - above 512 bytes, where a class spans sizes, the first few blocks of
 *     the request's own class are tried before a bigger block is split.
 * Measured with the churn workload (docs/benchmarks.md, make bench): segfit
 * 157 instructions per operation and 980 KiB peak; classic 1632 and
 * 1356 KiB (each free walks the list); picolibc's malloc 849 and 1037 KiB.
 *
 * Requests bigger than a SLOB page can hold ("bigblocks") are served in
 * mm/kmalloc.c straight from the buddy allocator.
 */
#include <fault_inject.h>
#include <kstring.h>
#include <mm.h>
#include <slob.h>

struct slob_heap kmalloc_heap;

static void heap_error(struct slob_heap *h, const void *p, const char *reason)
{
	h->nr_bad_frees++;
	h->last_error = reason;
	kprintf("slob: %s: %p: %s\n", h->name, p, reason);
}

static bool over_limit(const struct slob_heap *h)
{
	return h->max_pages && h->nr_pages + h->big_pages >= h->max_pages;
}

static void count_page(struct slob_heap *h, long delta)
{
	h->nr_pages += (unsigned long)delta;
	if (h->nr_pages + h->big_pages > h->peak_pages)
		h->peak_pages = h->nr_pages + h->big_pages;
}

/* A fresh page for the heap, or NULL. */
static void *get_slob_page(struct slob_heap *h, gfp_t gfp)
{
	struct page *page;

	if (over_limit(h))
		return NULL;
	page = alloc_pages(gfp & ~__GFP_ZERO, 0);
	if (!page)
		return NULL;
	set_page_type(page, PGTY_SLOB);
	page->private = (unsigned long)h;
	list_add(&page->lru, &h->pages);
	count_page(h, 1);
	return page_address(page);
}

static void put_slob_page(struct slob_heap *h, void *addr)
{
	struct page *page = virt_to_page(addr);

	list_del(&page->lru);
	page->private = 0;
	set_page_type(page, PGTY_NONE);
	count_page(h, -1);
	__free_pages(page, 0);
}

static bool same_page(const void *a, const void *b)
{
	return ((uintptr_t)a ^ (uintptr_t)b) < PAGE_SIZE;
}

/* ======================= SLOB_CLASSIC (2.6.20) ========================== */

typedef struct slob_block slob_t;

#define SLOB_UNITS(size) (((long)(size) + SLOB_UNIT - 1) / SLOB_UNIT)
#define PAGE_UNITS ((long)PAGE_SIZE / SLOB_UNIT)
#define CLASSIC_MAGIC ((slob_t *)0x51ab0b0c51ab0b0cull) /* kmalloc header's next */

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

static void *classic_alloc(struct slob_heap *h, size_t size, gfp_t gfp, size_t align)
{
	slob_t *prev, *cur, *aligned = NULL;
	long delta = 0, units = SLOB_UNITS(size);

	if (units > PAGE_UNITS)
		return NULL;
	prev = h->slobfree;
	for (cur = prev->next;; prev = cur, cur = cur->next) {
		if (align) {
			aligned = (slob_t *)ALIGN_UP((uintptr_t)cur, align);
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

static void classic_free(struct slob_heap *h, void *p, size_t size)
{
	slob_t *b = p;

	b->units = SLOB_UNITS(size);
	h->used_bytes -= (unsigned long)b->units * SLOB_UNIT;
	classic_release_if_empty(h, classic_insert(h, b));
}

/* kmalloc on classic: a one-unit header (units, magic) before the object. */
static void *classic_kmalloc(struct slob_heap *h, size_t size, gfp_t gfp)
{
	slob_t *m = classic_alloc(h, size + SLOB_UNIT, gfp, 0);

	if (!m)
		return NULL;
	m->next = CLASSIC_MAGIC;
	return m + 1;
}

static bool classic_kfree(struct slob_heap *h, void *p)
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

/* ========================= SLOB_SEGFIT =================================== */

#define SEG_HDR 4u
#define SEG_GRAN 8u
#define SEG_MIN 24u                /* header + two links, rounded */
#define SEG_FIRST 4u               /* offset of a page's first header */
#define SEG_END (PAGE_SIZE - 4)    /* offset of the end-of-page header */
#define SEG_MAX (SEG_END - SEG_FIRST) /* 4088: a wholly free page */

/* Header: size units 0..9, previous size units 10..19, free 20, cookie 21..31. */
#define H_SIZE_MASK 0x3ffu
#define H_PREV_SHIFT 10
#define H_PREV_MASK (0x3ffu << H_PREV_SHIFT)
#define H_FREE (1u << 20)
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

/* The class holding blocks of @bs bytes (bs in [SEG_MIN, SEG_MAX]). */
static inline unsigned int class_of(u32 bs)
{
	unsigned int fl;

	if (bs <= 512)
		return bs / SEG_GRAN - SEG_MIN / SEG_GRAN;
	fl = bs < 1024 ? 9 : bs < 2048 ? 10 : 11;
	return 62 + (fl - 9) * 8 + ((bs >> (fl - 3)) & 7);
}

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

/* Index of the lowest set bit of x (x != 0), without a ctz instruction. */
static inline unsigned int lowest_bit(u64 x)
{
	static const u8 debruijn[64] = {
		0,  1,  48, 2,  57, 49, 28, 3,  61, 58, 50, 42, 38, 29, 17, 4,
		62, 55, 59, 36, 53, 51, 43, 22, 45, 39, 33, 30, 24, 18, 12, 5,
		63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11,
		46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9,  13, 8,  7,  6,
	};
	return debruijn[((x & -x) * 0x03f79d71b4cb0a89ull) >> 58];
}

/* First non-empty class >= c, or -1. */
static inline int find_class(const struct slob_heap *h, unsigned int c)
{
	u64 bits;

	if (c < 64) {
		bits = h->bitmap[0] & (~0ull << c);
		if (bits)
			return (int)lowest_bit(bits);
		c = 64;
	}
	if (c >= SEG_NR_CLASSES)
		return -1;
	bits = h->bitmap[1] & (~0ull << (c - 64));
	return bits ? 64 + (int)lowest_bit(bits) : -1;
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

static bool seg_grow(struct slob_heap *h, gfp_t gfp)
{
	char *page = get_slob_page(h, gfp);
	u32 *first, *end;

	if (!page)
		return false;
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

	if (unlikely(have == SEG_MAX))
		h->nr_empty--;
	if (have - bs >= SEG_MIN)
		put_free(h, next_hdr(hdr, bs), have - bs, bs);
	else
		bs = have;
	*hdr = (v & ~(H_SIZE_MASK | H_FREE)) | bs / SEG_GRAN;
	h->used_bytes += bs;
	return payload_of(hdr);
}

/* The free block at hdr (off its list) keeps its first @gap bytes as a free
 * fragment; returns the header of the rest. gap is 0 or >= SEG_MIN. */
static u32 *split_front(struct slob_heap *h, u32 *hdr, u32 gap)
{
	u32 v = *hdr, have = block_size(v);
	u32 *rest, *next;

	if (!gap)
		return hdr;
	if (have == SEG_MAX)
		h->nr_empty--;
	rest = next_hdr(hdr, gap);
	*rest = make_hdr(h, rest, have - gap, gap, H_FREE);
	put_free(h, hdr, gap, prev_size(v));
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
		if (!seg_grow(h, gfp))
			return NULL;
	}
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

/* A free block of at least @need bytes, off its list, or NULL. */
static inline u32 *find_block(struct slob_heap *h, u32 need, gfp_t gfp)
{
	unsigned int c = class_fitting(need);
	int idx;
	u32 *hdr;

	if (need > 512 && (hdr = scan_own_class(h, need)) != NULL)
		return hdr;
	idx = likely(c <= TOP_CLASS) ? find_class(h, c) : -1;
	if (likely(idx >= 0))
		return take_head(h, idx);
	return find_block_slow(h, need, gfp);
}

/* Block size for a @size-byte payload. */
static inline u32 seg_block_size(size_t size)
{
	u32 bs = ALIGN_UP((u32)size + SEG_HDR, SEG_GRAN);

	return bs < SEG_MIN ? SEG_MIN : bs;
}

static void *seg_alloc(struct slob_heap *h, size_t size, gfp_t gfp, size_t align)
{
	u32 bs = seg_block_size(size);
	u32 *hdr;

	if (align <= SEG_GRAN) {
		hdr = find_block(h, bs, gfp);
		return hdr ? carve(h, hdr, bs) : NULL;
	}
	/* Room for the block, a worst-case gap, and a gap's smallest size. */
	if (bs + align + SEG_MIN > SEG_MAX)
		return NULL;
	hdr = find_block(h, bs + (u32)align + SEG_MIN, gfp);
	if (!hdr)
		return NULL;
	{
		uintptr_t pl = (uintptr_t)payload_of(hdr), want = ALIGN_UP(pl, align);

		if (want != pl && want - pl < SEG_MIN)
			want += align;
		return carve(h, split_front(h, hdr, (u32)(want - pl)), bs);
	}
}

static __attribute__((noinline)) void release_empty_page(struct slob_heap *h, u32 *hdr)
{
	put_slob_page(h, (char *)hdr - SEG_FIRST);
}

static inline __attribute__((always_inline)) void seg_free_block(struct slob_heap *h, u32 *hdr)
{
	u32 v = *hdr, size = block_size(v), prev = prev_size(v);
	u32 *next = next_hdr(hdr, size), nv = *next;

	h->used_bytes -= size;
	if (nv & H_FREE) {
		u32 ns = block_size(nv);

		if (unlikely(ns == SEG_MAX))
			h->nr_empty--;
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
	if (unlikely(size == SEG_MAX)) {
		if (h->nr_empty >= h->keep_empty) {
			release_empty_page(h, hdr);
			return;
		}
		h->nr_empty++;
	}
	/* The header keeps its cookie and previous size; the next block
	 * learns the merged size. */
	*hdr = (v & ~H_SIZE_MASK) | H_FREE | size / SEG_GRAN;
	next = next_hdr(hdr, size);
	*next = (*next & ~H_PREV_MASK) | (size / SEG_GRAN) << H_PREV_SHIFT;
	list_push(h, hdr, size);
}

/* Is p the payload of a live segfit block? Cheap checks of its header. */
static inline bool seg_valid_live(const struct slob_heap *h, const void *p)
{
	const u32 *hdr = hdr_of(p);
	u32 v, off = (u32)((uintptr_t)hdr & (PAGE_SIZE - 1));

	if (((uintptr_t)p & (SEG_GRAN - 1)) || off < SEG_FIRST || off >= SEG_END)
		return false;
	v = *hdr;
	return !(v & H_FREE) && (v & ~(H_SIZE_MASK | H_PREV_MASK)) == cookie(h, hdr) &&
	       block_size(v) >= SEG_MIN && off + block_size(v) <= SEG_END;
}

/* Is p inside one of h's pages? kfree checks the page type before it calls
 * in; slob_free must check it itself: the last block freed in a page that
 * went back to the buddy allocator still has the header of a live block. */
static bool in_heap_page(const struct slob_heap *h, const void *p)
{
	struct page *page = virt_to_page(p);

	return page && page_type(page) == PGTY_SLOB && page->private == (unsigned long)h;
}

/* ======================= the heap's interface ============================ */

void slob_heap_init(struct slob_heap *h, const char *name, enum slob_mode mode)
{
	memset(h, 0, sizeof(*h));
	h->name = name;
	h->mode = mode;
	h->kmalloc_other = mode != SLOB_SEGFIT;
	h->secret = (u32)((uintptr_t)h >> 4) * 0x9e3779b1u;
	h->keep_empty = mode == SLOB_SEGFIT ? 1 : 0;
	h->arena.units = 1;
	h->arena.next = &h->arena;
	h->slobfree = &h->arena;
	INIT_LIST_HEAD(&h->pages);
	if (h == &kmalloc_heap && failslab_targets(name))
		slob_heap_set_fault_inject(h, true);
}

void slob_heap_set_fault_inject(struct slob_heap *h, bool on)
{
	unsigned long flags = spin_lock_irqsave(&h->lock);

	h->fault_inject = on;
	h->kmalloc_other = on || h->mode != SLOB_SEGFIT;
	spin_unlock_irqrestore(&h->lock, flags);
}

unsigned long slob_heap_destroy(struct slob_heap *h)
{
	unsigned long flags = spin_lock_irqsave(&h->lock);
	struct list_head *pos, *n;
	unsigned long busy = 0;

	if (h->mode == SLOB_SEGFIT) {
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
	} else {
		busy = h->nr_pages; /* classic returns empty pages as they empty */
	}
	spin_unlock_irqrestore(&h->lock, flags);
	return busy;
}

size_t slob_kmalloc_max(const struct slob_heap *h)
{
	return h->mode == SLOB_SEGFIT ? SEG_MAX - SEG_HDR : (size_t)(PAGE_SIZE - SLOB_UNIT);
}

void *slob_alloc(struct slob_heap *h, size_t size, gfp_t gfp, size_t align)
{
	unsigned long flags;
	void *p;

	/* Blocks never cross a page: no alignment above a page can be met. */
	if (size == 0 || size > slob_kmalloc_max(h) || (align & (align - 1)) || align > PAGE_SIZE)
		return NULL;
	flags = spin_lock_irqsave(&h->lock);
	p = h->mode == SLOB_SEGFIT ? seg_alloc(h, size, gfp, align) : classic_alloc(h, size, gfp, align);
	spin_unlock_irqrestore(&h->lock, flags);
	if (p && (gfp & __GFP_ZERO))
		memset(p, 0, size);
	return p;
}

void slob_free(struct slob_heap *h, void *p, size_t size)
{
	unsigned long flags;

	if (!p)
		return;
	flags = spin_lock_irqsave(&h->lock);
	if (h->mode == SLOB_CLASSIC)
		classic_free(h, p, size);
	else if (in_heap_page(h, p) && seg_valid_live(h, p))
		seg_free_block(h, hdr_of(p));
	else
		heap_error(h, p, "slob_free of a block that is not allocated");
	spin_unlock_irqrestore(&h->lock, flags);
}

/* Classic mode, __GFP_ZERO, classic's bigger-than-a-block sizes, failslab. */
static __attribute__((noinline)) void *slob_kmalloc_other(struct slob_heap *h, size_t size,
							gfp_t gfp)
{
	unsigned long flags;
	void *p;

	if (size > slob_kmalloc_max(h))
		return slob_big_alloc(h, size, gfp);
	if (unlikely(h->fault_inject) && should_failslab(h->name, gfp))
		return NULL;
	flags = spin_lock_irqsave(&h->lock);
	p = h->mode == SLOB_SEGFIT ? seg_alloc(h, size, gfp, 0) : classic_kmalloc(h, size, gfp);
	spin_unlock_irqrestore(&h->lock, flags);
	if (p && (gfp & __GFP_ZERO))
		memset(p, 0, size);
	return p;
}

/* kmalloc of 1 .. SLOB_SEG_KMALLOC_MAX bytes; the segfit case inline. */
void *slob_kmalloc(struct slob_heap *h, size_t size, gfp_t gfp)
{
	unsigned long flags;
	u32 bs, *hdr;
	void *p = NULL;

	if (unlikely(h->kmalloc_other || (gfp & __GFP_ZERO)))
		return slob_kmalloc_other(h, size, gfp);
	bs = seg_block_size(size);
	flags = spin_lock_irqsave(&h->lock);
	hdr = find_block(h, bs, gfp);
	if (likely(hdr))
		p = carve(h, hdr, bs);
	spin_unlock_irqrestore(&h->lock, flags);
	return p;
}

bool slob_kfree(struct slob_heap *h, void *p)
{
	unsigned long flags = spin_lock_irqsave(&h->lock);
	bool ok = true;

	if (h->mode == SLOB_CLASSIC) {
		ok = classic_kfree(h, p);
	} else if (seg_valid_live(h, p)) {
		seg_free_block(h, hdr_of(p));
	} else {
		heap_error(h, p, "kfree of a pointer kmalloc did not return, or freed twice");
		ok = false;
	}
	spin_unlock_irqrestore(&h->lock, flags);
	return ok;
}

/* ============================ bigblocks ================================== */

void *slob_big_alloc(struct slob_heap *h, size_t size, gfp_t gfp)
{
	unsigned int order = get_order(size);
	unsigned long flags, n = 1ul << order;
	struct page *page;

	if (order >= MAX_ORDER)
		return NULL;
	if (unlikely(h->fault_inject) && should_failslab(h->name, gfp))
		return NULL;
	flags = spin_lock_irqsave(&h->lock);
	if (h->max_pages && h->nr_pages + h->big_pages + n > h->max_pages) {
		spin_unlock_irqrestore(&h->lock, flags);
		return NULL;
	}
	h->big_pages += n; /* claimed before the lock drops */
	h->big_blocks++;
	count_page(h, 0);
	spin_unlock_irqrestore(&h->lock, flags);

	page = alloc_pages(gfp, order);
	if (!page) {
		flags = spin_lock_irqsave(&h->lock);
		h->big_pages -= n;
		h->big_blocks--;
		spin_unlock_irqrestore(&h->lock, flags);
		return NULL;
	}
	set_page_type(page, PGTY_BIGBLOCK);
	page->private = (unsigned long)h;
	return page_address(page);
}

void slob_big_free(struct slob_heap *h, struct page *page)
{
	unsigned int order = page_order(page);
	unsigned long flags = spin_lock_irqsave(&h->lock);

	h->big_pages -= 1ul << order;
	h->big_blocks--;
	spin_unlock_irqrestore(&h->lock, flags);
	page->private = 0;
	set_page_type(page, PGTY_NONE);
	__free_pages(page, order);
}

size_t slob_ksize(struct slob_heap *h, const void *p)
{
	if (h->mode == SLOB_CLASSIC) {
		const slob_t *m = (const slob_t *)p - 1;

		return !((uintptr_t)p & (SLOB_UNIT - 1)) && same_page(m, p) && m->next == CLASSIC_MAGIC
			       ? (size_t)(m->units - 1) * SLOB_UNIT
			       : 0;
	}
	return seg_valid_live(h, p) ? block_size(*hdr_of(p)) - SEG_HDR : 0;
}

/* ========================= statistics and checks ========================= */

static void note_free_block(struct slob_stats *st, unsigned long bytes)
{
	st->free_bytes += bytes;
	st->free_blocks++;
	if (bytes > st->largest_free)
		st->largest_free = bytes;
}

void slob_get_stats(struct slob_heap *h, struct slob_stats *st)
{
	unsigned long flags = spin_lock_irqsave(&h->lock);

	memset(st, 0, sizeof(*st));
	if (h->mode == SLOB_SEGFIT) {
		for (int c = 0; c < SEG_NR_CLASSES; c++)
			for (struct seg_free *f = h->heads[c]; f; f = f->next)
				note_free_block(st, block_size(*hdr_of(f)) - SEG_HDR);
	} else {
		for (slob_t *b = h->arena.next; b != &h->arena; b = b->next)
			note_free_block(st, (unsigned long)b->units * SLOB_UNIT);
	}
	st->pages = h->nr_pages;
	st->big_blocks = h->big_blocks;
	st->big_pages = h->big_pages;
	st->peak_pages = h->peak_pages;
	st->used_bytes = h->used_bytes;
	st->fragmentation_pct =
		st->free_bytes ? (unsigned int)(100 - st->largest_free * 100 / st->free_bytes) : 0;
	spin_unlock_irqrestore(&h->lock, flags);
}

#define MAX_REPORTS 8

static int problem(struct slob_heap *h, int *errors, const void *where, const char *what)
{
	if ((*errors)++ < MAX_REPORTS)
		kprintf("slob_check: %s: %p: %s\n", h->name, where, what);
	return 0;
}

/* Walk one segfit page's blocks; count its free blocks. */
static void check_seg_page(struct slob_heap *h, char *page, int *errors, unsigned long *nfree,
			   unsigned long *used)
{
	u32 off = SEG_FIRST, prev = 0;
	bool prev_free = false;

	while (off < SEG_END) {
		u32 *hdr = (u32 *)(page + off), v = *hdr, size = block_size(v);

		if ((v & ~(H_SIZE_MASK | H_PREV_MASK | H_FREE)) != cookie(h, hdr))
			problem(h, errors, hdr, "block header cookie is wrong");
		if (size < SEG_MIN || off + size > SEG_END) {
			problem(h, errors, hdr, "block size runs outside the page");
			return;
		}
		if (prev_size(v) != prev)
			problem(h, errors, hdr, "previous-size field does not match the previous block");
		if ((v & H_FREE) && prev_free)
			problem(h, errors, hdr, "two free blocks touch (missed merge)");
		if (v & H_FREE)
			++*nfree;
		else
			*used += size;
		prev_free = v & H_FREE;
		prev = size;
		off += size;
	}
	if (off != SEG_END || block_size(*(u32 *)(page + SEG_END)) != 0 ||
	    (*(u32 *)(page + SEG_END) & H_FREE) || prev_size(*(u32 *)(page + SEG_END)) != prev)
		problem(h, errors, page + SEG_END, "blocks do not end at the end-of-page header");
}

static void check_seg_lists(struct slob_heap *h, int *errors, unsigned long *listed)
{
	for (unsigned int c = 0; c < SEG_NR_CLASSES; c++) {
		bool bit = h->bitmap[c >> 6] & (1ull << (c & 63));
		struct seg_free *prev = NULL;
		unsigned long n = 0;

		if (bit != (h->heads[c] != NULL))
			problem(h, errors, h->heads[c], "bitmap bit differs from its list");
		for (struct seg_free *f = h->heads[c]; f; prev = f, f = f->next) {
			u32 v = *hdr_of(f);
			struct page *pg = virt_to_page(f);

			if (++n > h->nr_pages * (PAGE_SIZE / SEG_MIN)) {
				problem(h, errors, f, "class list loops");
				break;
			}
			if (!pg || page_type(pg) != PGTY_SLOB || pg->private != (unsigned long)h)
				problem(h, errors, f, "listed block not in one of the heap's pages");
			else if (!(v & H_FREE) || class_of(block_size(v)) != c)
				problem(h, errors, f, "listed block not free or in the wrong class");
			if (f->prev != prev)
				problem(h, errors, f, "class list back link broken");
			++*listed;
		}
	}
}

static int check_segfit(struct slob_heap *h)
{
	unsigned long nfree = 0, listed = 0, used = 0, pages = 0, empty = 0;
	struct list_head *pos;
	int errors = 0;

	list_for_each(pos, &h->pages) {
		struct page *pg = list_entry(pos, struct page, lru);
		char *page = page_address(pg);
		u32 first = *(u32 *)(page + SEG_FIRST);

		if (page_type(pg) != PGTY_SLOB || pg->private != (unsigned long)h)
			problem(h, &errors, page, "page on the heap's list is not its SLOB page");
		check_seg_page(h, page, &errors, &nfree, &used);
		if ((first & H_FREE) && block_size(first) == SEG_MAX)
			empty++;
		if (++pages > h->nr_pages + 1)
			break;
	}
	check_seg_lists(h, &errors, &listed);
	if (pages != h->nr_pages)
		problem(h, &errors, NULL, "page count differs from the page list");
	if (listed != nfree)
		problem(h, &errors, NULL, "free blocks in pages differ from blocks on lists");
	if (used != h->used_bytes)
		problem(h, &errors, NULL, "used bytes differ from the blocks in use");
	if (empty != h->nr_empty || empty > h->keep_empty)
		problem(h, &errors, NULL, "wholly free pages miscounted or too many kept");
	return errors;
}

static int check_classic(struct slob_heap *h)
{
	unsigned long n = 0, wraps = 0, free_units = 0;
	int errors = 0;
	slob_t *b = &h->arena;

	do {
		slob_t *next = b->next;

		if (++n > h->nr_pages * PAGE_UNITS + 2) {
			problem(h, &errors, b, "free list loops");
			break;
		}
		if (next <= b)
			wraps++;
		if (b != &h->arena) {
			struct page *pg = virt_to_page(b);

			if (b->units <= 0 || !same_page(b, b + b->units - 1))
				problem(h, &errors, b, "free block size runs outside its page");
			if (!pg || page_type(pg) != PGTY_SLOB || pg->private != (unsigned long)h)
				problem(h, &errors, b, "free block not in one of the heap's pages");
			if (b + b->units == next && same_page(b, next))
				problem(h, &errors, b, "free block touches the next one (missed merge)");
			if (b->units == PAGE_UNITS)
				problem(h, &errors, b, "wholly free page kept");
			free_units += (unsigned long)b->units;
		}
		b = next;
	} while (b != &h->arena);
	if (wraps != 1)
		problem(h, &errors, h->arena.next, "free list not in address order");
	if (free_units * SLOB_UNIT + h->used_bytes != h->nr_pages * PAGE_SIZE)
		problem(h, &errors, NULL, "free and used bytes do not add up to the pages");
	return errors;
}

int slob_check(struct slob_heap *h)
{
	unsigned long flags = spin_lock_irqsave(&h->lock);
	int errors = h->mode == SLOB_SEGFIT ? check_segfit(h) : check_classic(h);

	spin_unlock_irqrestore(&h->lock, flags);
	if (errors > MAX_REPORTS)
		kprintf("slob_check: %s: %d more problems\n", h->name, errors - MAX_REPORTS);
	return errors;
}
