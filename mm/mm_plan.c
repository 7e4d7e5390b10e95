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

void node_panic(int rc)
{
	panic("mm: cannot build the page allocator (error %d)", rc);
}

void print_zone_ranges(const struct pglist_data *node)
{
	kprintf("Zone ranges:\n");
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = &node->zones[zi];

		if (z->spanned_pages)
			kprintf("  %-8s [mem %#018llx-%#018llx]\n", z->name,
				(unsigned long long)PFN_PHYS(z->zone_start_pfn),
				(unsigned long long)PFN_PHYS(zone_end_pfn(z)) - 1);
		else if (zi == ZONE_DMA && zone_dma_limit)
			/* asked for, but below all RAM: say what it means */
			kprintf("  %-8s empty: zone_dma_limit=%#llx is at or below the start of RAM "
				"(%#llx); every GFP_DMA request will fail\n", z->name,
				(unsigned long long)zone_dma_limit,
				(unsigned long long)PFN_PHYS(node->node_start_pfn));
		else
			kprintf("  %-8s empty\n", z->name);
	}
}
