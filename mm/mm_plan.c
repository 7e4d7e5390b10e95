/*
 * mm_plan.c - the decisions of memory bring-up that need no struct pages.
 * They are portable: the kernel (mm_init, node_init) makes them with this
 * code, and so does rvmm-dt (tools/) when it shows a board's zones on the
 * host without booting it.
 *
 *   zone_dma_limit=      the boot parameter, and the zone boundaries;
 *   memblock_from_dt()   memblock from the device tree's memory map, and
 *                        the checks that the kernel can run on that map;
 *   node_layout()        the node's span and sections and each zone's span
 *                        and present pages, from memblock's memory alone
 *                        (laying out 16 GiB costs a few loops, not 16 GiB);
 *   node_plan_boot_data() the memblock allocations node_init makes (section
 *                        table, struct pages, per-hart lists), in its
 *                        order and sizes, without writing them: whether
 *                        they fit, and what does not;
 *   print_zone_ranges()  the boot log's "Zone ranges:" lines.
 *
 * Each check that stops the boot panics with a message naming the ranges.
 */
#include <lib/cmdline.h>
#include <lib/kstring.h>
#include <mm/memblock.h>
#include <mm/mm_init.h>
#include <mm/mmzone.h>

const char *const zone_names[MAX_NR_ZONES] = { "DMA", "DMA32", "Normal" };

/* ---- zone boundaries ----------------------------------------------------- */

u64 zone_dma_limit;

static int zone_dma_param(const char *value)
{
	u64 v;
	int rc = memparse(value, &v);

	if (rc)
		return rc;
	zone_dma_limit = MIN(v, ZONE_DMA32_LIMIT);
	return 0;
}
KPARAM("zone_dma_limit", zone_dma_param,
       "zone_dma_limit=ADDR  RAM below physical ADDR (e.g. 0x90000000, 2304M) forms ZONE_DMA");

void zone_limits_boot(struct zone_limits *lim)
{
	lim->dma_end_pfn = PHYS_PFN(zone_dma_limit);
	lim->dma_asked = zone_dma_limit != 0;
	lim->dma32_end_pfn = PHYS_PFN(ZONE_DMA32_LIMIT);
}

/* ---- the node's layout ------------------------------------------------- */

static unsigned long pfn_up(u64 pa)
{
	return (unsigned long)((pa + PAGE_SIZE - 1) >> PAGE_SHIFT);
}

static unsigned long pfn_down(u64 pa)
{
	return (unsigned long)(pa >> PAGE_SHIFT);
}

/* The node's span over whole frames of RAM. */
static int node_span(struct pglist_data *node, const struct memblock *mb)
{
	node->node_start_pfn = ~0ul;
	for (int i = 0; i < mb->memory.cnt; i++) {
		const struct memblock_region *r = &mb->memory.regions[i];
		unsigned long s = pfn_up(r->base), e = pfn_down(r->base + r->size);

		if (s >= e)
			continue;
		node->node_start_pfn = MIN(node->node_start_pfn, s);
		node->node_end_pfn = MAX(node->node_end_pfn, e);
		node->node_present_pages += e - s;
	}
	return node->node_present_pages ? 0 : -ENOMEM;
}

/* How many sections the span covers (up to mb->hotplug_end when memory
 * may be added later); more than page->flags can name is memory rvmm
 * cannot describe. */
static int count_sections(struct pglist_data *node, const struct memblock *mb)
{
	unsigned long end = MAX(node->node_end_pfn, (unsigned long)PHYS_PFN(mb->hotplug_end));

	node->hotplug_end_pfn = mb->hotplug_end ? end : 0;
	node->section_base_pfn = ALIGN_DOWN(node->node_start_pfn, PAGES_PER_SECTION);
	node->nr_sections = (ALIGN_UP(end, PAGES_PER_SECTION) -
			     node->section_base_pfn) >> PFN_SECTION_SHIFT;
	return node->nr_sections > MAX_SECTIONS ? -E2BIG : 0;
}

/* Pages of RAM in [start, end). */
static unsigned long present_in(const struct memblock *mb, unsigned long start, unsigned long end)
{
	unsigned long n = 0;

	for (int i = 0; i < mb->memory.cnt; i++) {
		const struct memblock_region *r = &mb->memory.regions[i];
		unsigned long s = MAX(pfn_up(r->base), start);
		unsigned long e = MIN(pfn_down(r->base + r->size), end);

		if (s < e)
			n += e - s;
	}
	return n;
}

/* Each zone's identity, span (clipped to the node's) and present pages. */
static void size_zones(struct pglist_data *node, const struct memblock *mb,
		       const struct zone_limits *lim)
{
	unsigned long bounds[MAX_NR_ZONES + 1] = { 0, lim->dma_end_pfn, lim->dma32_end_pfn, ~0ul };

	for (unsigned int zi = 0; zi < MAX_NR_ZONES; zi++) {
		struct zone *z = &node->zones[zi];
		unsigned long s = MAX(bounds[zi], node->node_start_pfn);
		unsigned long e = MIN(bounds[zi + 1], node->node_end_pfn);

		z->node = node;
		z->id = zi;
		z->name = zone_names[zi];
		for (int o = 0; o < MAX_ORDER; o++)
			INIT_LIST_HEAD(&z->free_area[o].free_list);
		for (int o = 0; o < PAGEBLOCK_ORDER; o++)
			INIT_LIST_HEAD(&z->small_list[o]);
#ifdef HOST
		INIT_LIST_HEAD(&z->releasing);
#endif
		if (s >= e)
			continue;
		z->zone_start_pfn = s;
		z->spanned_pages = e - s;
		z->present_pages = present_in(mb, s, e);
	}
}

int node_layout(struct pglist_data *node, const struct memblock *mb, const struct zone_limits *lim)
{
	int rc;

	memset(node, 0, sizeof(*node));
	rc = node_span(node, mb);
	if (!rc)
		rc = count_sections(node, mb);
	if (!rc)
		size_zones(node, mb, lim);
	return rc;
}

/* ---- node_init's boot data, placed but not written ---------------------- */

bool memmap_flat_fits_gaps(const struct pglist_data *node, unsigned long sectioned)
{
	unsigned long span = node->node_end_pfn - node->node_start_pfn;

	return span - sectioned <= sectioned / 8;
}

void section_ram_extent(const struct pglist_data *node, const struct memblock *mb, unsigned long i,
			unsigned long *start, unsigned long *end)
{
	unsigned long sec_s = node->section_base_pfn + (i << PFN_SECTION_SHIFT);
	unsigned long sec_e = sec_s + PAGES_PER_SECTION;

	*start = *end = 0;
	for (int r = 0; r < mb->memory.cnt; r++) {
		const struct memblock_region *m = &mb->memory.regions[r];
		unsigned long s = MAX(pfn_up(m->base), sec_s);
		unsigned long e = MIN(pfn_down(m->base + m->size), sec_e);

		if (s >= e)
			continue;
		if (*end == 0)
			*start = s;
		*end = e; /* regions ascend */
	}
}

unsigned long node_ram_sections(const struct pglist_data *node, const struct memblock *mb)
{
	unsigned long n = 0, start, end;

	for (unsigned long i = 0; i < node->nr_sections; i++) {
		section_ram_extent(node, mb, i, &start, &end);
		n += start < end;
	}
	return n;
}

/* memblock_alloc, or the failure noted as node_init notes it. */
static bool plan_alloc(struct pglist_data *node, struct memblock *mb, u64 size, u64 align,
		       const char *what)
{
	if (memblock_alloc(mb, size, align))
		return true;
	node->init_failed_what = what;
	node->init_failed_bytes = size;
	return false;
}

int node_plan_boot_data(struct pglist_data *node, struct memblock *mb, bool *flat_map)
{
	unsigned long span = node->node_end_pfn - node->node_start_pfn, sectioned = 0, s, e;
	bool flat = mb->vmemmap != NULL;

	if (!plan_alloc(node, mb, section_table_bytes(node->nr_sections), 8,
			"the section table"))
		return -ENOMEM;
	for (unsigned long i = 0; i < node->nr_sections; i++) {
		section_ram_extent(node, mb, i, &s, &e);
		sectioned += e - s;
	}
	node->memmap_pages = flat ? sectioned : span;
	if (!flat && memmap_flat_fits_gaps(node, sectioned))
		flat = memblock_alloc(mb, span * sizeof(struct page), 64) != 0;
	if (!flat) {
		node->memmap_pages = sectioned;
		for (unsigned long i = 0; i < node->nr_sections; i++) {
			section_ram_extent(node, mb, i, &s, &e);
			if (e > s && !plan_alloc(node, mb, (e - s) * sizeof(struct page), 64,
						 "a section's struct pages"))
				return -ENOMEM;
		}
	}
	*flat_map = flat;
	for (int zi = 0; zi < MAX_NR_ZONES; zi++)
		if (node->zones[zi].present_pages &&
		    !plan_alloc(node, mb, MAX_HARTS * sizeof(struct per_cpu_pages), 64,
				"a zone's per-hart lists"))
			return -ENOMEM;
	return 0;
}

void node_panic(const struct pglist_data *node, const struct memblock *mb, int rc)
{
	u64 free, largest;

	if (rc == -ENOMEM && node->init_failed_what) {
		memblock_free_summary(mb, &free, &largest);
		panic("mm: cannot build the page allocator: no room for %s (%llu bytes); memblock has %llu bytes free, the largest piece %llu bytes (error %d)",
		      node->init_failed_what, (unsigned long long)node->init_failed_bytes,
		      (unsigned long long)free, (unsigned long long)largest, rc);
	}
	if (rc == -E2BIG)
		panic("mm: cannot build the page allocator: RAM spans %lu sections of 128 MiB, more than the %lu a page can name (error %d)",
		      node->nr_sections, (unsigned long)MAX_SECTIONS, rc);
	panic("mm: cannot build the page allocator (error %d)", rc);
}

void print_memmap_line(const struct pglist_data *node, const struct memblock *mb, bool flat)
{
	unsigned long ram;
	char note[32] = "";

	if (!kprintf_enabled()) /* (counting the sections with RAM walks every section) */
		return;
	ram = node_ram_sections(node, mb);
	if (ram < node->nr_sections)
		ksnprintf(note, sizeof(note), " (%lu with RAM)", ram);
	kprintf("memmap: %lu struct pages of %zu bytes (%luK), %lu section(s) of 128 MiB%s, %s\n",
		node->memmap_pages, sizeof(struct page),
		(unsigned long)((node->memmap_pages * sizeof(struct page)) >> 10), node->nr_sections, note,
		flat ? "one flat array" : "an array per section");
}

void print_zone_ranges(const struct pglist_data *node)
{
	kprintf("Zone ranges:\n");
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = &node->zones[zi];

		if (z->spanned_pages)
			kprintf("  %-8s [mem 0x%016llx-0x%016llx]\n", z->name,
				(unsigned long long)PFN_PHYS(z->zone_start_pfn),
				(unsigned long long)PFN_PHYS(zone_end_pfn(z)) - 1);
		else if (zi == ZONE_DMA && zone_dma_limit)
			/* asked for, but no whole page of RAM below it: say what it means */
			kprintf("  %-8s empty: no whole page of RAM lies below zone_dma_limit=%#llx (RAM "
				"starts at %#llx); every GFP_DMA request will fail\n", z->name,
				(unsigned long long)zone_dma_limit,
				(unsigned long long)PFN_PHYS(node->node_start_pfn));
		else
			kprintf("  %-8s empty\n", z->name);
	}
}
