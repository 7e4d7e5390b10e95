/*
 * memmap.c - memory sections, struct page arrays and zones: building a node
 * of the page allocator from memblock.
 *
 * Sections. Physical memory is cut into 128 MiB sections. A section that
 * holds RAM gets one struct page per frame from its first to its last frame
 * of RAM (not the whole section), allocated from memblock; a section with
 * no RAM gets nothing. So two banks 3 GiB apart pay for their own frames
 * plus one 32-byte table entry per 128 MiB of the gap. pfn -> page is one
 * table lookup; page -> pfn finds the table entry through the section index
 * stored in page->flags. When the gaps are small (one bank of RAM, the usual
 * board) the sections share one flat array over the whole span instead, and
 * kfree's lookup skips the table (memmap_window below).
 *
 * node_init, in order (every memblock allocation comes before step 5, since
 * memblock's free memory then belongs to the buddy allocator):
 *   1. node_layout (mm_plan.c, allocates nothing): span, the first and
 *      last frame of RAM (RAM ranges rounded inwards to whole frames;
 *      reserved ranges outwards); the section count;
 *   2. the section table and each section's struct pages (one flat array,
 *      or one per section when that does not fit), all initialised
 *      PG_reserved with their zone and section;
 *   3. zone spans (zone_limits) and present pages, also in node_layout;
 *   4. per-hart list arrays for the populated zones;
 *   5. every free frame of memblock to the buddy allocator, in the largest
 *      aligned blocks that fit (managed pages); memblock is closed;
 *   6. zonelists, watermarks, lowmem reserves, per-hart batch sizes.
 * Steps 2 and 4 allocate exactly what node_plan_boot_data (mm_plan.c)
 * places for rvmm-dt, in the same order; a failed allocation is noted in
 * node->init_failed_what / _bytes for node_panic.
 */
#include <lib/kstring.h>
#include <mm/memblock.h>
#include <mm/meminit.h>
#include <mm/mmzone.h>
#include "internal.h"

unsigned long va_pa_offset;

/* --- the global conversions (mem_node) --------------------------------- */

bool pfn_valid(unsigned long pfn)
{
	return node_pfn_valid(mem_node, pfn);
}

struct page *pfn_to_page(unsigned long pfn)
{
	return node_pfn_to_page(mem_node, pfn);
}

unsigned long page_to_pfn(const struct page *page)
{
	return node_page_to_pfn(mem_node, page);
}

void *page_address_sectioned(const struct page *page)
{
	return phys_to_virt(PFN_PHYS(node_page_to_pfn(mem_node, page)));
}

struct page *virt_to_page(const void *addr)
{
	unsigned long pfn = PHYS_PFN(virt_to_phys(addr));

	return node_pfn_valid(mem_node, pfn) ? node_pfn_to_page(mem_node, pfn) : NULL;
}


unsigned long node_next_valid_pfn(const struct pglist_data *node, unsigned long pfn,
				  unsigned long end)
{
	while (pfn < end && !node_pfn_valid(node, pfn)) {
		unsigned long next = ALIGN_DOWN(pfn, PAGES_PER_SECTION) + PAGES_PER_SECTION;

		if (pfn >= node->section_base_pfn &&
		    ((pfn - node->section_base_pfn) >> PFN_SECTION_SHIFT) < node->nr_sections) {
			const struct mem_section *ms = node_pfn_section(node, pfn);

			if (ms->map_base && pfn < ms->start_pfn)
				next = ms->start_pfn;
		}
		pfn = next;
	}
	return MIN(pfn, end);
}
/*
 * The running node's flat memmap as kfree's fast lookup sees it: the
 * virtual addresses [memmap_win_start, + memmap_win_size) have their struct
 * pages at memmap_win_map in address order. Empty for a sectioned memmap,
 * and under init_on_free= (kfree_slow zeroes a SLOB block). Set with the
 * node (mm_set_node), after va_pa_offset.
 */
__sdata uintptr_t memmap_win_start;
__sdata unsigned long memmap_win_size;
__sdata struct page *memmap_win_map;

void memmap_set_window(const struct pglist_data *node)
{
	memmap_win_size = 0; /* closed while it changes */
	/* (init_on_free=: every kfree to kfree_slow, which zeroes a SLOB
	 * block before freeing it; its fast path has no test for that) */
	if (!node->flat_map || want_init_on_free())
		return;
	memmap_win_map = node->flat_map;
	memmap_win_start = (uintptr_t)phys_to_virt(PFN_PHYS(node->node_start_pfn));
	memmap_win_size = (node->node_end_pfn - node->node_start_pfn) << PAGE_SHIFT;
}

/* --- building a node ----------------------------------------------------- */

static unsigned long pfn_up(u64 pa)
{
	return (unsigned long)((pa + PAGE_SIZE - 1) >> PAGE_SHIFT);
}

static unsigned long pfn_down(u64 pa)
{
	return (unsigned long)(pa >> PAGE_SHIFT);
}

/* Zeroed memory from memblock, or NULL. */
static void *try_boot_alloc(struct memblock *mb, u64 size, u64 align)
{
	u64 pa = memblock_alloc(mb, size, align);
	void *va;

	if (!pa)
		return NULL;
	va = phys_to_virt(pa);
	memset(va, 0, size);
	return va;
}

/* try_boot_alloc, noting a failure in @node for node_panic's message. */
static void *boot_alloc(struct pglist_data *node, struct memblock *mb, u64 size, u64 align,
			const char *what)
{
	void *va = try_boot_alloc(mb, size, align);

	if (!va) {
		node->init_failed_what = what;
		node->init_failed_bytes = size;
	}
	return va;
}

unsigned int zone_of_pfn(const struct zone_limits *lim, unsigned long pfn)
{
	if (pfn < lim->dma_end_pfn)
		return ZONE_DMA;
	if (pfn < lim->dma32_end_pfn)
		return ZONE_DMA32;
	return ZONE_NORMAL;
}

/* The first pfn above zone @zi's (~0: Normal has no end). */
static unsigned long zone_limit_pfn(const struct zone_limits *lim, unsigned int zi)
{
	return zi == ZONE_DMA ? lim->dma_end_pfn : zi == ZONE_DMA32 ? lim->dma32_end_pfn : ~0ul;
}

/* Step 2a: which pfns of each section need a struct page. */
static int size_sections(struct pglist_data *node, struct memblock *mb)
{
	node->sections = boot_alloc(node, mb, section_table_bytes(node->nr_sections), 8,
				    "the section table");
	if (!node->sections)
		return -ENOMEM;
	node->free_max = (u32 *)(node->sections + node->nr_sections);
	for (int i = 0; i < mb->memory.cnt; i++) {
		const struct memblock_region *r = &mb->memory.regions[i];
		unsigned long s = pfn_up(r->base), e = pfn_down(r->base + r->size);

		while (s < e) {
			struct mem_section *ms = node_pfn_section(node, s);
			unsigned long sec_end = ALIGN_DOWN(s, PAGES_PER_SECTION) + PAGES_PER_SECTION;
			unsigned long chunk_end = MIN(e, sec_end);

			if (ms->end_pfn == 0) {
				ms->start_pfn = s;
				ms->end_pfn = chunk_end;
			} else {
				ms->start_pfn = MIN(ms->start_pfn, s);
				ms->end_pfn = MAX(ms->end_pfn, chunk_end);
			}
			s = chunk_end;
		}
	}
	return 0;
}

/* The struct pages of section @i's pfns [start, end): reserved, with their
 * zone and section. */
void init_section_range(struct pglist_data *node, unsigned long i, unsigned long start,
			unsigned long end, const struct zone_limits *lim)
{
	struct page *page = (struct page *)(node->sections[i].map_base + start * sizeof(struct page));

	while (start < end) { /* one zone's pfns at a time */
		unsigned int zi = zone_of_pfn(lim, start);
		unsigned long zend = MIN(end, zone_limit_pfn(lim, zi));
		u32 flags = PG_reserved | (u32)zi << PAGE_ZONE_SHIFT | (u32)i << PAGE_SECTION_SHIFT;

		for (; start < zend; start++, page++) {
			page->flags = flags;
			INIT_LIST_HEAD(&page->lru);
		}
	}
}

static void init_section_pages(struct pglist_data *node, unsigned long i,
			       const struct zone_limits *lim)
{
	init_section_range(node, i, node->sections[i].start_pfn, node->sections[i].end_pfn, lim);
}

/* Every section's struct pages in the one array @map from the node's first pfn. */
static void use_flat_map(struct pglist_data *node, struct page *map, unsigned long pages)
{
	node->flat_map = map;
	node->memmap_pages = pages;
	for (unsigned long i = 0; i < node->nr_sections; i++)
		node->sections[i].map_base = (uintptr_t)map - node->node_start_pfn * sizeof(struct page);
}

/*
 * Step 2b: allocate and initialise each section's struct pages. When the
 * gaps between sections' frames would cost at most 1/8 more struct pages
 * (always, for one bank of RAM), one array covers the node's whole span
 * instead: every section's map_base is then the same and kfree finds a
 * struct page with one subtraction and one shift (memmap_window). The
 * struct pages of the gaps stay zero: untyped, and never pfn_valid. When
 * free memory is in pieces too small for the one array, each section gets
 * its own array after all (at most 1 MiB each): the boot only fails when
 * those do not fit either.
 */
static int alloc_memmap(struct pglist_data *node, struct memblock *mb,
			const struct zone_limits *lim)
{
	unsigned long span = node->node_end_pfn - node->node_start_pfn, sectioned = 0;

	for (unsigned long i = 0; i < node->nr_sections; i++)
		sectioned += node->sections[i].end_pfn - node->sections[i].start_pfn;
	if (mb->vmemmap) { /* hotplug: the caller's zeroed array, touched per frame of RAM */
		use_flat_map(node, mb->vmemmap, sectioned);
	} else if (memmap_flat_fits_gaps(node, sectioned)) {
		struct page *map = try_boot_alloc(mb, span * sizeof(struct page), 64);

		if (map)
			use_flat_map(node, map, span);
	}
	for (unsigned long i = 0; i < node->nr_sections; i++) {
		struct mem_section *ms = &node->sections[i];
		unsigned long n = ms->end_pfn - ms->start_pfn;

		if (!n)
			continue;
		if (!node->flat_map) {
			struct page *map = boot_alloc(node, mb, n * sizeof(struct page), 64,
						      "a section's struct pages");

			if (!map)
				return -ENOMEM;
			ms->map_base = (uintptr_t)map - ms->start_pfn * sizeof(struct page);
			node->memmap_pages += n;
		}
		init_section_pages(node, i, lim);
	}
	return 0;
}

/* Step 4: per-hart lists. */
static int alloc_pcp(struct pglist_data *node, struct memblock *mb)
{
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		struct zone *z = &node->zones[zi];

		if (!z->present_pages)
			continue;
		z->pcp = boot_alloc(node, mb, MAX_HARTS * sizeof(struct per_cpu_pages), 64,
				    "a zone's per-hart lists");
		if (!z->pcp)
			return -ENOMEM;
		for (int cpu = 0; cpu < MAX_HARTS; cpu++)
			z->pcp[cpu].zone = z;
	}
	return 0;
}

/* Step 5: free [s, e) (one zone) as the largest aligned blocks. */
void free_boot_range(struct pglist_data *node, unsigned long s, unsigned long e)
{
	while (s < e) {
		unsigned int order = 0;
		struct page *page = node_pfn_to_page(node, s);
		struct zone *z = &node->zones[page_zonenum(page)];

		while (order < MAX_ORDER - 1 && IS_ALIGNED(s, 2ul << order) &&
		       s + (2ul << order) <= e)
			order++;
		for (unsigned long j = 0; j < (1ul << order); j++)
			page[j].flags &= ~PG_reserved;
		z->managed_pages += 1ul << order;
		zone_free_boot_block(z, page, s, order);
		s += 1ul << order;
	}
}

static void free_memblock_to_buddy(struct pglist_data *node, struct memblock *mb,
				   const struct zone_limits *lim)
{
	u64 cursor = 0, start, end;

	while (memblock_next_free(mb, &cursor, &start, &end)) {
		unsigned long s = pfn_up(start), e = pfn_down(end);

		while (s < e) {
			/* Never let one block straddle a zone boundary. */
			unsigned long chunk = MIN(e, zone_limit_pfn(lim, zone_of_pfn(lim, s)));

			free_boot_range(node, s, chunk);
			s = chunk;
		}
	}
	mb->alloc_limit = 0; /* memblock's free memory now belongs to the buddy allocator */
}

/* Step 6. */
static void build_zonelists(struct pglist_data *node, const struct zone_limits *lim)
{
	for (int hz = 0; hz < MAX_NR_ZONES; hz++) {
		int n = 0, top = hz;

		/* Without a ZONE_DMA, __GFP_DMA means "below 4 GiB". With one,
		 * it means ZONE_DMA only, even when that has no free page. */
		if (top == ZONE_DMA && !lim->dma_end_pfn && !lim->dma_asked)
			top = ZONE_DMA32;
		for (int z = top; z >= 0; z--)
			if (populated_zone(&node->zones[z]))
				node->zonelist[hz][n++] = &node->zones[z];
		node->zonelist[hz][n] = NULL;
	}
	node->fast_zone[0] = node->zonelist[ZONE_NORMAL][0];
	node->fast_zone[__GFP_DMA] = node->zonelist[ZONE_DMA][0];
	node->fast_zone[__GFP_DMA32] = node->zonelist[ZONE_DMA32][0];
	node->fast_zone[__GFP_DMA | __GFP_DMA32] = node->zonelist[ZONE_DMA][0];
}

static unsigned long int_sqrt(unsigned long x)
{
	unsigned long r = 0;

	for (unsigned long bit = 1ul << (sizeof(long) * 8 - 2); bit; bit >>= 2) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
	}
	return r;
}

/*
 * Linux's rules: min_free_kbytes = sqrt(16 * lowmem kB), kept within
 * [128, 65536], shared among zones by managed pages; low and high are
 * min + delta and min + 2 delta with delta = max(min / 4, 0.1% of the zone).
 * Unlike Linux, min and delta are at least a page each: a zone too small
 * for its share to reach a page (a ZONE_DMA that zone_dma_limit= ends just
 * above the firmware) would otherwise have all three at 0, never low, and
 * GFP_ATOMIC could take its last page.
 * lowmem_reserve: a zone keeps (managed pages of the higher zones a request
 * could have used) / ratio back from it, ratio 256 for DMA and DMA32.
 */
void setup_watermarks(struct pglist_data *node)
{
	static const unsigned long ratio[MAX_NR_ZONES] = { 256, 256, 32 };
	unsigned long total = 0, min_kb;

	for (int zi = 0; zi < MAX_NR_ZONES; zi++)
		total += node->zones[zi].managed_pages;
	min_kb = int_sqrt(total * (PAGE_SIZE / 1024) * 16);
	min_kb = MIN(MAX(min_kb, 128ul), 65536ul);
	node->totalreserve_pages = 0;
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		struct zone *z = &node->zones[zi];
		unsigned long min, delta, above = 0, max_reserve = 0;

		if (!total || !z->managed_pages)
			continue;
		min = MAX((min_kb / (PAGE_SIZE / 1024)) * z->managed_pages / total, 1ul);
		delta = MAX(MAX(min / 4, z->managed_pages * 10 / 10000), 1ul);
		z->watermark[WMARK_MIN] = min;
		z->watermark[WMARK_LOW] = min + delta;
		z->watermark[WMARK_HIGH] = min + 2 * delta;
		for (int hz = zi + 1; hz < MAX_NR_ZONES; hz++) {
			above += node->zones[hz].managed_pages;
			z->lowmem_reserve[hz] = above / ratio[zi];
			max_reserve = MAX(max_reserve, z->lowmem_reserve[hz]);
		}
		node->totalreserve_pages += MIN(z->managed_pages, max_reserve + z->watermark[WMARK_HIGH]);
	}
}

/* The least batch (Linux's is 1): the malloc library, whose heap starts at
 * 8 MiB and grows, raises it (Makefile), since a batch of 1 sends every
 * order-0 allocation of a growing heap through the buddy lists. */
#ifndef PCP_BATCH_MIN
#define PCP_BATCH_MIN 1ul
#endif

/* Linux's zone_batchsize: about 1/4096 of the zone (at most 64), rounded
 * to 2^n - 1; keep at most 6 batches per hart. */
void setup_pcp(struct zone *z)
{
	unsigned long batch = MIN(z->managed_pages >> 10, 256ul) / 4;
	unsigned long p = 1;

	if (batch < PCP_BATCH_MIN)
		batch = PCP_BATCH_MIN;
	batch += batch / 2;
	while (p * 2 <= batch)
		p *= 2;
	batch = p > 1 ? p - 1 : 1;
	for (int cpu = 0; cpu < MAX_HARTS; cpu++) { /* (locked: hotplug resizes live lists) */
		spin_lock(&z->pcp[cpu].lock);
		z->pcp[cpu].batch = (long)batch;
		z->pcp[cpu].high = (long)(6 * batch);
		spin_unlock(&z->pcp[cpu].lock);
	}
}

int node_init(struct pglist_data *node, struct memblock *mb, const struct zone_limits *lim)
{
	int rc;

	rc = node_layout(node, mb, lim);
	if (!rc)
		rc = size_sections(node, mb);
	if (!rc)
		rc = alloc_memmap(node, mb, lim);
	if (!rc)
		rc = alloc_pcp(node, mb);
	if (rc)
		return rc;
	free_memblock_to_buddy(node, mb, lim);
	build_zonelists(node, lim);
	setup_watermarks(node);
	for (int zi = 0; zi < MAX_NR_ZONES; zi++)
		if (node->zones[zi].pcp)
			setup_pcp(&node->zones[zi]);
	return 0;
}
