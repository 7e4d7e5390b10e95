/*
 * mm.h - struct page and the page allocator's API (mm/page_alloc.c).
 *
 * Every 4 KiB frame of RAM has a 32-byte struct page (Linux: 64). Frames,
 * struct pages and addresses convert in O(1) through the memory sections of
 * the node (see mmzone.h). Addresses the API returns are virtual:
 * virt = phys + va_pa_offset (0 while rvmm runs with paging off; the host
 * build points it at a buffer standing in for RAM).
 */
#ifndef RVMM_MM_H
#define RVMM_MM_H

#ifdef __cplusplus
extern "C" {
#endif

#include <config.h>
#include <mm/gfp.h>
#include <lib/kernel.h>
#include <lib/list.h>

#define PAGE_MASK (~(PAGE_SIZE - 1))
#define MAX_ORDER 11 /* orders 0..10: blocks of 4 KiB .. 4 MiB */
/* The highest order kept on per-hart lists (mm/page_alloc.c, mmzone.h) */
#define PCP_MAX_ORDER 3
#define MAX_ORDER_NR_PAGES (1ul << (MAX_ORDER - 1))

/* The header of each 1 KiB quarter of a SLOB size page (mm/slob_sizepage.c),
 * four in struct page. Declared outside it: C++ takes no type declared in an
 * anonymous union. */
struct sp_quarter {
	u8 info;  /* (index of its size << 1) | 1, odd (sq[0].info lies where
		   * the other SLOB pages have lru.next, an even pointer) */
	u8 inuse; /* objects handed out */
	u16 free; /* offset in the quarter of its first free object; 1024: none */
};

/*
 * flags layout (32 bits), arranged so the order-0 fast paths test the state
 * bits with one 12-bit immediate and the type with one shift:
 *   0..5    PG_* bits below
 *   6..9    order: of a free block (PG_buddy) or of an allocated block (PG_head)
 *   10..11  zone index
 *   12..27  memory section index (page_to_pfn)
 *   28..31  page type (owner, for reports): PGTY_*
 */
struct kmem_cache;

/* Anonymous structs in unions: C11, and an extension of C++ that GCC's
 * __extension__ admits and clang's -pedantic still names. */
#if defined(__cplusplus) && defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wnested-anon-types"
#pragma clang diagnostic ignored "-Wgnu-anonymous-struct"
#endif
struct page {
	u32 flags;
	s32 refcount; /* 0: free or a tail page; >= 1: allocated head */
	union {
		struct list_head lru; /* free list, per-hart list, or its owner's list */
		__extension__ struct { /* a slab's pages (mm/slab.c) */
			u32 slab_next;  /* head: next slab's pfn on its cache's list */
			u32 slab_prev;  /* head: previous slab's pfn; tail: pages back to the head */
			struct kmem_cache *slab_cache; /* every page of the slab */
		};
		unsigned long bigblock_pages; /* a bigblock's head page: its pages (mm/slob.c) */
		struct sp_quarter sq[4]; /* a SLOB size page (mm/slob_sizepage.c) */
	};
	union {
		unsigned long priv; /* the owner's word (SLOB: its heap; Linux: private) */
		__extension__ struct { /* a slab's head page */
			u16 slab_free;   /* offset of the first linked free object + 1; 0: none */
			u16 slab_fresh;  /* objects never handed out, the slab's last ones */
			u16 slab_inuse;  /* objects handed out (neither linked nor fresh) */
			u16 slab_colour; /* bytes before the first object / colour_off */
		};
	};
};
#if defined(__cplusplus) && defined(__clang__)
#pragma clang diagnostic pop
#endif

/* A bigblock its heap keeps for reuse after kfree (mm/slob.c, "Kept
 * bigblocks"): the top bit of its head's bigblock_pages. Free to its heap,
 * never to its caller: kfree, ksize and krealloc of it are errors. */
#define BIGBLOCK_KEPT (1ul << (8 * sizeof(unsigned long) - 1))

/* The pages of the bigblock headed by @page, kept or live. */
static inline unsigned long bigblock_npages(const struct page *page)
{
	return page->bigblock_pages & ~BIGBLOCK_KEPT;
}

/* Is the bigblock headed by @page its caller's (not kept by its heap)? */
static inline bool bigblock_live(const struct page *page)
{
	return !(page->bigblock_pages & BIGBLOCK_KEPT);
}

/* rvmm's target; Linux's struct page is 64 bytes. */
_Static_assert(sizeof(struct page) <= 32, "struct page must stay within 32 bytes");

#define PG_reserved 0x01u /* never given to the buddy allocator */
#define PG_buddy 0x02u    /* head of a free block in a zone's free_area */
#define PG_pcp 0x04u      /* on a per-hart order-0 list */
#define PG_head 0x08u     /* head of an allocated block */
#define PG_checked 0x10u  /* scratch bit of the consistency checker */
#define PG_small 0x20u    /* with PG_buddy: the free block lies in a
			   * pageblock kept for small allocations (page_alloc.c) */

#define PAGE_ORDER_SHIFT 6
#define PAGE_ORDER_MASK (0xfu << PAGE_ORDER_SHIFT)
#define PAGE_ZONE_SHIFT 10
#define PAGE_ZONE_MASK (0x3u << PAGE_ZONE_SHIFT)
#define PAGE_SECTION_SHIFT 12
#define PAGE_SECTION_MASK (0xffffu << PAGE_SECTION_SHIFT)
#define PAGE_TYPE_SHIFT 28
#define PAGE_TYPE_MASK (0xfu << PAGE_TYPE_SHIFT)

/* Who owns an allocated page (set by the owner, cleared on free). PGTY_SLAB
 * is the only type with the top bit: kfree tells a slab page by the sign of
 * page->flags (PageSlab), one load and one branch. */
enum page_type {
	PGTY_NONE,      /* alloc_pages caller */
	PGTY_SLOB,
	PGTY_BIGBLOCK,
	PGTY_VMALLOC,
	PGTY_PAGETABLE,
	PGTY_MEMMAP,    /* reserved: struct page arrays and other boot data */
	PGTY_KERNEL,    /* reserved: the kernel image */
	PGTY_FIRMWARE,  /* reserved: firmware, DTB, initrd, memreserve */
	PGTY_SLAB = 8,
};

static inline unsigned int page_order(const struct page *p)
{
	return (p->flags & PAGE_ORDER_MASK) >> PAGE_ORDER_SHIFT;
}

static inline unsigned int page_zonenum(const struct page *p)
{
	return (p->flags & PAGE_ZONE_MASK) >> PAGE_ZONE_SHIFT;
}

static inline unsigned int page_section(const struct page *p)
{
	return (p->flags & PAGE_SECTION_MASK) >> PAGE_SECTION_SHIFT;
}

static inline enum page_type page_type(const struct page *p)
{
	return (enum page_type)((p->flags & PAGE_TYPE_MASK) >> PAGE_TYPE_SHIFT);
}

static inline void set_page_type(struct page *p, enum page_type t)
{
	p->flags = (p->flags & ~PAGE_TYPE_MASK) | ((u32)t << PAGE_TYPE_SHIFT);
}

static inline bool PageSlab(const struct page *p)
{
	_Static_assert(PAGE_TYPE_SHIFT + 4 == 32 && PGTY_SLAB == 8 && PGTY_FIRMWARE < 8,
		       "PageSlab tests the sign bit of flags");
	return (s32)p->flags < 0;
}

static inline bool PageReserved(const struct page *p)
{
	return p->flags & PG_reserved;
}

static inline bool PageBuddy(const struct page *p)
{
	return p->flags & PG_buddy;
}

static inline bool PageHead(const struct page *p)
{
	return p->flags & PG_head;
}

/* Address translation. */
extern unsigned long va_pa_offset;

static inline void *phys_to_virt(u64 pa)
{
	return (void *)(uintptr_t)(pa + va_pa_offset);
}

static inline u64 virt_to_phys(const void *va)
{
	return (u64)(uintptr_t)va - va_pa_offset;
}

#define PFN_PHYS(pfn) ((u64)(pfn) << PAGE_SHIFT)
#define PHYS_PFN(pa) ((unsigned long)((pa) >> PAGE_SHIFT))

/* pfn <-> struct page, for the running node (mem_node). */
bool pfn_valid(unsigned long pfn);
struct page *pfn_to_page(unsigned long pfn);
unsigned long page_to_pfn(const struct page *page);

/*
 * The running node's flat memmap, when it has one (mm/memmap.c): the
 * virtual addresses [memmap_win_start, + memmap_win_size) have their struct
 * pages at memmap_win_map in address order; memmap_win_size is 0 for a
 * sectioned memmap (and while the node changes).
 */
extern uintptr_t memmap_win_start __hidden_var;
extern unsigned long memmap_win_size __hidden_var;
extern struct page *memmap_win_map __hidden_var;

/* page_address through the section table (mm/memmap.c). */
void *page_address_sectioned(const struct page *page);

/* The address of a page's memory: inline (a subtract, a compare, a shift
 * and an add) while the page lies in the flat memmap, the usual board;
 * through the section table otherwise. */
static inline void *page_address(const struct page *page)
{
	_Static_assert(PAGE_SIZE % sizeof(struct page) == 0, "page_address scales by a shift");
	uintptr_t off = (uintptr_t)page - (uintptr_t)memmap_win_map;

	if (likely(off < (memmap_win_size >> PAGE_SHIFT) * sizeof(struct page)))
		return (void *)(memmap_win_start + off * (PAGE_SIZE / sizeof(struct page)));
	return page_address_sectioned(page);
}
/* The struct page of a kernel virtual address, or NULL if it is not RAM
 * with a struct page. */
struct page *virt_to_page(const void *addr);

/* The page allocator (Linux's names and semantics), on the running node. */
struct page *alloc_pages(gfp_t gfp, unsigned int order);
struct page *alloc_page(gfp_t gfp);
void __free_pages(struct page *page, unsigned int order);
unsigned long __get_free_pages(gfp_t gfp, unsigned int order);
unsigned long __get_free_page(gfp_t gfp);
unsigned long get_zeroed_page(gfp_t gfp);
void free_pages(unsigned long addr, unsigned int order);
void free_page(unsigned long addr);
/*
 * Exactly the pages @size bytes need (size 1 .. the largest block), as
 * Linux's alloc_pages_exact: a block of the order that holds them, its
 * pages past the need given back at once, so 8193 bytes take 3 pages, not
 * 4. The start is aligned to that order. The run is made of allocated
 * buddy blocks (the largest aligned ones from its start); give it back with
 * free_pages_exact and the same size. NULL when out of memory or @size is
 * 0 or above the largest block.
 */
void *alloc_pages_exact(size_t size, gfp_t gfp);
void free_pages_exact(void *virt, size_t size);
/*
 * Exactly the pages @size bytes need, as alloc_pages_exact, but placed where
 * they fit best rather than cut from a block of their order: the shortest
 * row of free pages (a stretch, free buddy blocks side by side across
 * buddy boundaries) that holds them, among the first FIT_SCAN stretches
 * made of blocks below that order; then, when none holds them,
 * alloc_pages_exact; then, with the per-hart lists drained, the best
 * stretch of any blocks. The start is only page-aligned. The run is made of
 * allocated buddy blocks (the largest aligned ones from its start): give
 * it back with free_pages_exact. So a program that frees big blocks and
 * takes others of other sizes reuses the freed pages, where cutting each
 * from a block of its order scatters the pieces (the pieces freed around a
 * block still in use cannot merge back into a block of the order). Runs
 * above the largest block (max-order blocks side by side, as
 * alloc_contig_pages takes, but page-aligned where they fit best) are
 * looked for among the max-order blocks' stretches alone. NULL when out of
 * memory or @size is 0 or above a memory section (PAGES_PER_SECTION pages:
 * a stretch does not cross one); fail_page_alloc
 * fails it as a request of its order, and a run that leaves a zone below its
 * low watermark wakes kswapd, as alloc_pages does.
 */
void *alloc_pages_fit(size_t size, gfp_t gfp);
/*
 * Grow a run of @nr pages at @virt whose blocks are those of a run tiled
 * from its start (alloc_pages_fit's, alloc_pages_exact's, or one block from
 * alloc_pages, which is aligned to its size) to @new_nr pages in place: true
 * when its zone is one @gfp's zone bits allow (a run above 4 GiB is not
 * grown for GFP_DMA32: false), the @new_nr - @nr pages right after it were
 * free blocks of its zone
 * and taking them leaves the zone above its min watermark as
 * alloc_pages_fit checks it for @gfp (a low one wakes kswapd). Its blocks
 * are then those of a run of @new_nr pages from @virt (free_pages_exact
 * with the new size frees it), the type of its first page is kept, and the
 * new pages are handed out as alloc_pages_fit's (KASAN: accessible;
 * __GFP_ZERO: cleared). False and nothing changed else: no free pages are
 * looked for elsewhere and none are drained from the per-hart lists.
 * fail_page_alloc does not fail it (the caller's fallback, a new block,
 * is where a failure is injected).
 */
bool extend_pages_exact(void *virt, unsigned long nr, unsigned long new_nr, gfp_t gfp);

/* References: an allocated block starts with one; put_page drops one and
 * frees the block (at the order it was allocated with) on the last. */
void get_page(struct page *page);
void put_page(struct page *page);
static inline int page_count(const struct page *p)
{
	return p->refcount;
}

/* The smallest order whose block holds @size bytes (size > 0). */
static inline unsigned int get_order(unsigned long size)
{
	unsigned int order = 0;

	size = (size - 1) >> PAGE_SHIFT;
	while (size) {
		order++;
		size >>= 1;
	}
	return order;
}

/*
 * Shrinkers (Linux's name): what the page allocator asks, before failing a
 * request, to give back memory its owner keeps free. scan frees what it can
 * without waiting for any lock (it may run under any of the allocating
 * context's locks and with interrupts masked) and returns the pages freed.
 */
struct shrinker {
	const char *name;
	unsigned long (*scan)(gfp_t gfp);
	struct shrinker *next;
	unsigned long nr_scans, nr_freed; /* statistics */
};
void register_shrinker(struct shrinker *s);
void unregister_shrinker(struct shrinker *s);
unsigned long run_shrinkers(gfp_t gfp);

/* Free pages of the running node: in the buddy lists plus on per-hart lists. */
unsigned long nr_free_pages(void);

#ifdef __cplusplus
}
#endif

#endif
