/*
 * mmzone.h - zones, the node that holds them, and memory sections.
 *
 * A node (struct pglist_data) is one instance of the page allocator: its
 * memory sections map pfns to struct pages, and its zones hold the buddy
 * free lists. The kernel runs one node, contig_page_data; mem_node points at
 * the node the global API (alloc_pages, pfn_to_page, ...) uses, so host tests
 * can build their own node over a buffer and switch to it.
 */
#ifndef RVMM_MMZONE_H
#define RVMM_MMZONE_H

#ifdef __cplusplus
extern "C" {
#endif

#include <mm/mm.h>
#include <lib/spinlock.h>

struct memblock;

enum zone_type {
	ZONE_DMA,    /* below zone_dma_limit= (optional; empty by default) */
	ZONE_DMA32,  /* below 4 GiB */
	ZONE_NORMAL, /* 4 GiB and up */
	MAX_NR_ZONES
};

enum zone_watermarks { WMARK_MIN, WMARK_LOW, WMARK_HIGH, NR_WMARK };

struct free_area {
	struct list_head free_list;
	unsigned long nr_free; /* blocks on free_list and (below PAGEBLOCK_ORDER) the zone's small_list */
};

/* A pageblock: 2^PAGEBLOCK_ORDER pages (512 KiB), naturally aligned, the
 * unit in which small allocations are kept apart from runs when grouping
 * by use (mm/page_alloc.c, "Grouping by use"). */
#define PAGEBLOCK_ORDER 7
#define PAGEBLOCK_NR_PAGES (1ul << PAGEBLOCK_ORDER)

/* Free blocks kept per hart and per zone (mm/page_alloc.c, "Per-hart
 * lists"): order-0 pages on a stack linked through page->lru.next (head,
 * count), and blocks of orders 1 .. PCP_MAX_ORDER on one stack per order
 * (hi[order - 1], hi_count pages in all). Only its hart uses them on the
 * fast paths; the lock is there for draining from another hart. */
struct per_cpu_pages {
	spinlock_t lock;
	long count; /* pages on the stack */
	long high;  /* drain when count exceeds this */
	long batch; /* pages moved to or from the buddy lists at a time */
	struct page *head;
	struct zone *zone;
	unsigned long nr_refill, nr_drain; /* batches moved (statistics) */
	struct page *hi[PCP_MAX_ORDER]; /* blocks of order 1 .. PCP_MAX_ORDER */
	long hi_count;			/* pages on hi[]: at most high after a free */
} __aligned(64);

/* Entries of zone->kept: host ports give big free blocks back to their
 * system (mm/page_alloc.c, "Releases"); a bare-metal build keeps its RAM
 * and has no kept blocks, and its struct zone stays 512 bytes. */
#define ZONE_KEPT 64

struct zone {
	spinlock_t lock; /* free_area, small_list, free_pages */
	struct free_area free_area[MAX_ORDER];
	/* Free blocks of order o inside pageblocks kept for small allocations
	 * (mm/page_alloc.c, "Grouping by use"): small_list[o], counted in
	 * free_area[o].nr_free. None is PAGEBLOCK_ORDER or more. */
	struct list_head small_list[PAGEBLOCK_ORDER];
	unsigned long free_pages; /* pages in free_area (not per-hart lists) */

	unsigned long watermark[NR_WMARK];
	/* Pages kept free from allocations that could have used a higher
	 * zone: lowmem_reserve[z] applies to requests whose highest zone is z. */
	unsigned long lowmem_reserve[MAX_NR_ZONES];

	unsigned long zone_start_pfn;
	unsigned long spanned_pages; /* end - start, holes included */
	unsigned long present_pages; /* pages of RAM */
	unsigned long managed_pages; /* present minus reserved: given to buddy */

	struct per_cpu_pages *pcp; /* [MAX_HARTS], from memblock */

	struct pglist_data *node;
	const char *name;
	unsigned int id;

	unsigned long nr_alloc_fail; /* requests that fell through this zone */
#ifdef HOST
	/* (host ports) the newest free blocks of PORT_RELEASE_MIN_ORDER and
	 * more the port has not heard of, pfn << 4 | order, newest first; 0:
	 * none (mm/page_alloc.c, "Releases") */
	unsigned long kept[ZONE_KEPT];
	unsigned int kept_n;       /* entries in kept */
	unsigned long kept_bytes;  /* and their bytes */
	/* big free blocks taken off the lists to be given back to the port
	 * once the lock is dropped (zone_unlock; order in page->priv), and
	 * how many */
	struct list_head releasing;
	unsigned int releasing_n;
	bool putting_back;  /* released blocks going back on the lists */
	bool absorbed_kept; /* and one merged with a kept block */
#endif
} __aligned(128); /* a power-of-two size: &zones[i] is a shift, not a multiply */
#ifdef HOST
/* A kept block's entry, pfn << 4 | order. */
#define KEPT_PFN(e) ((e) >> 4)
#define KEPT_ORDER(e) ((unsigned int)((e) & 0xf))
#endif
#ifndef HOST
_Static_assert(sizeof(struct zone) == 512, "the kernel's struct zone stays 512 bytes");
#endif

static inline bool populated_zone(const struct zone *z)
{
	return z->managed_pages != 0;
}

static inline unsigned long zone_end_pfn(const struct zone *z)
{
	return z->zone_start_pfn + z->spanned_pages;
}

/* 128 MiB sections (as Linux on RISC-V). A section's struct pages cover
 * only the pfns between its first and last page of RAM, so a hole between
 * banks costs one table entry per 128 MiB and no struct pages. */
#define SECTION_SHIFT 27
#define PFN_SECTION_SHIFT (SECTION_SHIFT - PAGE_SHIFT)
#define PAGES_PER_SECTION (1ul << PFN_SECTION_SHIFT)
#define PAGEBLOCKS_PER_SECTION (PAGES_PER_SECTION >> PAGEBLOCK_ORDER)
#define MAX_SECTIONS 65536 /* the section index lives in 16 bits of page->flags */

struct mem_section {
	/* (uintptr_t)struct page of pfn = map_base + pfn * sizeof(struct page);
	 * 0: the section has no struct pages. */
	uintptr_t map_base;
	unsigned long start_pfn, end_pfn; /* pfns with a struct page */
	/* One bit per pageblock of the section: kept for small allocations
	 * (mm/page_alloc.c, "Grouping by use"). */
	unsigned long small_pageblocks[PAGEBLOCKS_PER_SECTION / (8 * sizeof(unsigned long))];
	/* page_owner's records (mm/page_owner.c), biased as map_base is:
	 * the record of pfn is at owners + pfn * its size; 0: none. */
	uintptr_t owners;
};
/* (64 bytes: indexing the sections is a shift; 8 GiB of RAM takes 64
 * sections, 4 KiB) */
_Static_assert(sizeof(struct mem_section) == 64, "struct mem_section stays 64 bytes");
_Static_assert(PAGES_PER_SECTION / MAX_ORDER_NR_PAGES == 32, "a section's max-order blocks fit a u32");

/* The bytes of a node's section table of @nr sections, its free_max map
 * after it (node_init allocates it, node_plan predicts it). */
static inline u64 section_table_bytes(unsigned long nr)
{
	return (u64)nr * (sizeof(struct mem_section) + sizeof(u32));
}

struct pglist_data {
	struct zone zones[MAX_NR_ZONES];
	/* Zones to try, highest first, for each highest allowed zone. */
	struct zone *zonelist[MAX_NR_ZONES][MAX_NR_ZONES + 1];
	/* The first zone to try, by the gfp zone bits (the order-0 fast path). */
	struct zone *fast_zone[GFP_ZONEMASK + 1];

	unsigned long node_start_pfn, node_end_pfn; /* span of all RAM */
	unsigned long node_present_pages;

	unsigned long section_base_pfn; /* first pfn of section 0 */
	unsigned long nr_sections;
	struct mem_section *sections; /* from memblock */
	/* Per section, bit i: its i-th max-order block is a free block (on
	 * its zone's max-order list); zone_take_run's map of free runs
	 * (after the section table, in its allocation). */
	u32 *free_max;
	unsigned long memmap_pages;   /* struct pages allocated */
	struct page *flat_map;        /* one array from node_start_pfn, or NULL (per section) */
	const char *init_failed_what; /* node_init: the allocation that failed, or NULL */
	u64 init_failed_bytes;        /* and its size */
	unsigned long hotplug_end_pfn; /* memory may be added up to here (mm/hotplug.c); 0: never */

	unsigned long totalreserve_pages; /* kept back from MemAvailable */
	u32 warned_orders; /* orders whose allocation failure was reported */
	unsigned long nr_bad_pages;       /* bad frees reported */
	const char *last_bad_reason;
	unsigned long released_reserved_pages; /* reserved after boot, given back (mm/reserved.c) */
};

extern struct pglist_data contig_page_data;
extern struct pglist_data *mem_node;

/* pfn <-> struct page within a node, O(1). node_pfn_section and
 * node_pfn_to_page need a pfn inside the node's sections; node_pfn_valid
 * checks any pfn. */
static inline struct mem_section *node_pfn_section(const struct pglist_data *node,
						   unsigned long pfn)
{
	return &node->sections[(pfn - node->section_base_pfn) >> PFN_SECTION_SHIFT];
}

/* @pfn's pageblock's bit in its section's small_pageblocks: word
 * PAGEBLOCK_WORD(i), mask PAGEBLOCK_MASK(i), i = pageblock_index(pfn). */
#define PAGEBLOCK_WORD_BITS (8 * sizeof(unsigned long))
#define PAGEBLOCK_WORD(i) ((i) / PAGEBLOCK_WORD_BITS)
#define PAGEBLOCK_MASK(i) (1ul << ((i) % PAGEBLOCK_WORD_BITS))
static inline unsigned long pageblock_index(unsigned long pfn)
{
	return (pfn >> PAGEBLOCK_ORDER) & (PAGEBLOCKS_PER_SECTION - 1);
}

/* Is @pfn's pageblock (in section @ms) kept for small allocations? */
static inline bool pageblock_small(const struct mem_section *ms, unsigned long pfn)
{
	unsigned long i = pageblock_index(pfn);

	return (ms->small_pageblocks[PAGEBLOCK_WORD(i)] & PAGEBLOCK_MASK(i)) != 0;
}

/* A zone's pageblocks by use (mm/page_alloc.c, "Grouping by use"): kept
 * for small allocations, and general. A pageblock counts in the zone of
 * its first page that lies in the zone (zone_pageblock_counts, an
 * unlocked read, mm_report.c). */
struct pageblock_counts {
	unsigned long small, general;
};
struct zone;
void zone_pageblock_counts(const struct zone *z, struct pageblock_counts *c);

static inline bool node_pfn_valid(const struct pglist_data *node, unsigned long pfn)
{
	const struct mem_section *ms;

	if (pfn < node->section_base_pfn ||
	    ((pfn - node->section_base_pfn) >> PFN_SECTION_SHIFT) >= node->nr_sections)
		return false;
	ms = node_pfn_section(node, pfn);
	return pfn >= ms->start_pfn && pfn < ms->end_pfn;
}

/* The first pfn in [@pfn, @end) with a struct page, or @end: holes skipped a
 * section (or up to a section's first page) at a time (mm/memmap.c; the
 * walks of memmap and page_owner). */
unsigned long node_next_valid_pfn(const struct pglist_data *node, unsigned long pfn,
				  unsigned long end);

static inline struct page *node_pfn_to_page(const struct pglist_data *node, unsigned long pfn)
{
	return (struct page *)(node_pfn_section(node, pfn)->map_base + pfn * sizeof(struct page));
}

static inline unsigned long node_page_to_pfn(const struct pglist_data *node,
					     const struct page *page)
{
	return ((uintptr_t)page - node->sections[page_section(page)].map_base) /
	       sizeof(struct page);
}

/* The free_max map's bits from the max-order block at @pfn (inside the
 * node's sections) to its section's last: bit i, the i-th block from it
 * is a listed free block. */
static inline u32 free_max_bits(const struct pglist_data *node, unsigned long pfn)
{
	unsigned long rel = pfn - node->section_base_pfn;

	return node->free_max[rel >> PFN_SECTION_SHIFT] >> ((rel >> (MAX_ORDER - 1)) & 31);
}

/* Is the max-order block at @pfn marked free in the free_max map? */
static inline bool free_max_at(const struct pglist_data *node, unsigned long pfn)
{
	return free_max_bits(node, pfn) & 1;
}

/* virt_to_page on a node, inline for the hot kfree paths. */
static inline struct page *node_virt_to_page(const struct pglist_data *node, const void *addr)
{
	unsigned long pfn = PHYS_PFN(virt_to_phys(addr));

	return node_pfn_valid(node, pfn) ? node_pfn_to_page(node, pfn) : NULL;
}

/* kfree's lookup (mm/memmap.c): the struct page of @p when the running
 * node's memmap is flat and p lies in its span, else NULL (then ask
 * virt_to_page). Inside the span a gap's struct page reads as untyped.
 * (memmap_win_* are declared in mm.h, for the inline page_address.) */

static inline struct page *virt_to_page_flat(const void *p)
{
	uintptr_t off = (uintptr_t)p - memmap_win_start;

	return off < memmap_win_size ? memmap_win_map + (off >> PAGE_SHIFT) : NULL;
}

/* The same when it is a slab's page (its slab_cache names @p's cache),
 * else NULL: ksize's and the malloc library's common case. */
static inline struct page *virt_to_slab_page_flat(const void *p)
{
	struct page *page = virt_to_page_flat(p);

	return page && PageSlab(page) ? page : NULL;
}


/* Reserved memory given back (mm/reserved.c): every PG_reserved page of RAM
 * wholly inside physical [start, end) becomes free buddy pages of its zone
 * (managed_pages grows); returns the pages released. release_reserved_range
 * also takes the pages out of @mb's reserved table, including a partial
 * first or last page when nothing else is reserved in it. */
unsigned long node_release_reserved(struct pglist_data *node, u64 start, u64 end);
unsigned long release_reserved_range(struct pglist_data *node, struct memblock *mb, u64 start,
				     u64 end);

/* Zone boundaries as pfns: ZONE_DMA is [start, dma_end), DMA32 is
 * [dma_end, dma32_end), Normal the rest. There is a ZONE_DMA when dma_end
 * is not 0 or dma_asked is set (zone_dma_limit= was given, though no whole
 * page lies below it: zone_dma_limit=0x800 rounds dma_end down to 0); then
 * __GFP_DMA means ZONE_DMA only, and an empty one serves nothing. */
struct zone_limits {
	unsigned long dma_end_pfn;
	unsigned long dma32_end_pfn;
	bool dma_asked;
};

/* Where ZONE_DMA32 ends and ZONE_NORMAL begins (physical). */
#define ZONE_DMA32_LIMIT (1ull << 32)

/*
 * The first steps of node_init, which allocate nothing (mm/mm_plan.c):
 * clear @node, then set its span and present pages over whole frames of
 * @mb's memory, its section count, and each zone's name, span and present
 * pages. Reads only mb->memory and mb->hotplug_end. Returns 0, -ENOMEM (not one whole page of
 * RAM) or -E2BIG (more than MAX_SECTIONS sections).
 */
int node_layout(struct pglist_data *node, const struct memblock *mb, const struct zone_limits *lim);

/* Would one flat struct-page array over @node's span cost at most 1/8 more
 * than the @sectioned struct pages of its sections (mm/memmap.c)? */
bool memmap_flat_fits_gaps(const struct pglist_data *node, unsigned long sectioned);

/* [start, end): the whole frames of RAM of @node's section @i that get a
 * struct page (both 0 when it has none). */
void section_ram_extent(const struct pglist_data *node, const struct memblock *mb, unsigned long i,
			unsigned long *start, unsigned long *end);
/* How many of @node's sections hold RAM of @mb: the rest of the span are
 * holes between banks, or room for memory added later (hotplug). For the
 * boot lines, which give both counts when they differ. */
unsigned long node_ram_sections(const struct pglist_data *node, const struct memblock *mb);

/*
 * After node_layout: make node_init's memblock allocations (section table,
 * one flat struct-page array or, when that does not fit, one per section,
 * each populated zone's per-hart lists) in its order and sizes, writing
 * none of them, and set memmap_pages and *@flat_map (one array). Returns 0, or -ENOMEM with
 * init_failed_what / _bytes set as node_init sets them. For rvmm-dt, on a
 * memblock that is not used for anything else; the host test mm_dt checks
 * it places everything where node_init does.
 */
int node_plan_boot_data(struct pglist_data *node, struct memblock *mb, bool *flat_map);

/*
 * Build @node from @mb: memory sections and struct pages (allocated from
 * memblock), zone spans and counts, per-hart lists, then hand every free
 * page of memblock to the buddy allocator and set the watermarks. Returns 0
 * or -ENOMEM / -E2BIG (memory outside what sections can describe).
 * Every page memblock reserved (or allocated for this) stays PG_reserved.
 */
int node_init(struct pglist_data *node, struct memblock *mb, const struct zone_limits *limits);


/* The allocator on an explicit node. The global API (alloc_pages,
 * __free_pages, ...) runs on mem_node, with order-0 fast paths through each
 * hart's slots; these take the general path. */
struct page *node_alloc_pages(struct pglist_data *node, gfp_t gfp, unsigned int order);
void node_free_pages(struct pglist_data *node, struct page *page, unsigned int order);

/* Make @node the one the global API uses (sets mem_node and points every
 * hart's slots at its per-hart lists). */
void mm_set_node(struct pglist_data *node);

/*
 * Memory hotplug (mm/hotplug.c): add RAM [start, start + size) to @node,
 * which must have been built with memblock's hotplug_end and vmemmap and
 * whose RAM must end at @start (the node grows upwards). The range must be
 * whole pages below hotplug_end, in one zone that already has memory. Its
 * struct pages are initialised, its pages go to the buddy allocator, and
 * the zone's span, the watermarks and the per-hart batch sizes follow the
 * new size. Safe while other harts allocate and free; adds are serialised.
 * Returns 0, or -EINVAL naming nothing more (the checks are listed here).
 */
int node_add_memory(struct pglist_data *node, u64 start, u64 size);

/*
 * Page runs beyond MAX_ORDER (Linux's names): @nr_pages contiguous pages
 * starting at a pfn aligned to @align_pages (a power of two, at least
 * MAX_ORDER_NR_PAGES; 0 means that), of one zone of @gfp's zonelist. The
 * run is handed out as allocated buddy blocks: from its start, the largest
 * aligned blocks that fit, each a head with its order and one reference
 * (so every part is an ordinary allocated block to the checker). When no
 * zone has such a run free above its min watermark, the per-hart lists are
 * drained (node_drain_pages: their pages may complete max-order blocks)
 * and the zones tried again; NULL if that fails too (no shrinker is run:
 * the caller decides whether to add memory), counted in the zones'
 * nr_alloc_fail and reported unless __GFP_NOWARN.
 * free_contig_range frees the same blocks (each as __free_pages would, bad
 * frees reported). __GFP_ZERO clears the run.
 */
struct page *alloc_contig_pages(unsigned long nr_pages, gfp_t gfp, unsigned long align_pages);
void free_contig_range(unsigned long pfn, unsigned long nr_pages);
/* Grow such a run of @nr_pages at @pfn to @new_nr pages in place, as
 * extend_pages_exact (mm.h) grows any run: true when its zone is one
 * @gfp's zone bits allow and the pages past it were free blocks of its
 * zone (above its watermark for @gfp) and are now part of it, its blocks
 * those of a run of @new_nr pages; false and nothing changed else. */
bool extend_contig_range(unsigned long pfn, unsigned long nr_pages, unsigned long new_nr, gfp_t gfp);
/* How many pages from @pfn on are free blocks of its zone, headed at @pfn
 * and one after another (at most @limit; 0 when no free block starts at
 * @pfn). A glance: the answer may be stale once the zone lock is dropped. */
unsigned long free_pages_at(unsigned long pfn, unsigned long limit);

/* Empty every per-hart list of the node back into the buddy lists. */
void node_drain_pages(struct pglist_data *node);
/* Tell the port about every free block of @min_order and more (mm/port.h;
 * malloc_trim passes 0: every free page goes, the small blocks the port
 * never hears of otherwise and the big ones a port keeping some has not yet
 * heard of). */
void release_free_blocks(struct pglist_data *node, unsigned int min_order);

/* Every free page of the node: buddy lists and per-hart stacks. */
unsigned long node_free_pages_count(const struct pglist_data *node);
/* The pages on the node's buddy lists only, as Linux's NR_FREE_PAGES counts
 * them (pages on a per-cpu list count as allocated): what meminfo's MemFree,
 * vmstat's nr_free_pages, zoneinfo's nr_free_pages and buddyinfo show. */
unsigned long node_nr_free_pages(const struct pglist_data *node);
unsigned long zone_pcp_count(const struct zone *z);

/*
 * Walk every zone and prove the buddy invariants: each free block is
 * aligned to its order, of the order it claims, on exactly one list, inside
 * its zone, made of valid pages no other block or list holds; its buddy is
 * not a free block of the same order (it would have merged); counts match
 * nr_free and free_pages; per-hart lists hold free order-0 pages of their
 * zone; no page outside the free lists claims to be free; grouping by
 * use's lists and PG_small agree with the pageblock bits, and no block of
 * PAGEBLOCK_ORDER or more is free or allocated in a small-use pageblock.
 * Prints each problem; returns how many were found.
 */
int node_check(struct pglist_data *node);

/* The floor a request with @gfp may take a zone down to, from watermark
 * @mark (Linux's __zone_watermark_ok): __GFP_HIGH (ALLOC_HIGH) takes half
 * off, __GFP_ATOMIC (ALLOC_HARDER) a quarter of what is left. */
static inline long gfp_watermark(unsigned long mark, gfp_t gfp)
{
	long min = (long)mark;

	if (gfp & __GFP_HIGH)
		min -= min / 2;
	if (gfp & __GFP_ATOMIC)
		min -= min / 4;
	return min;
}

/* Watermark test as the allocator applies it. */
bool zone_watermark_ok(const struct zone *z, unsigned int order, unsigned long mark,
		       unsigned int highest_zone, gfp_t gfp);

extern const char *const zone_names[MAX_NR_ZONES];

#ifdef __cplusplus
}
#endif

#endif
