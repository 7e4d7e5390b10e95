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
#include <cmdline.h>
#include <devicetree.h>
#include <kstring.h>
#include <memblock.h>
#include <mm_init.h>
#include <mmzone.h>

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

/* ---- memblock from the device tree ------------------------------------- */

/* Does a range of @dt's RAM hold all of [ks, ke)? */
static bool kernel_in_ram(const struct dt_info *dt, u64 ks, u64 ke)
{
	for (int i = 0; i < dt->nr_ram; i++)
		if (ks >= dt->ram[i].base && ke <= dt->ram[i].base + dt->ram[i].size)
			return true;
	return false;
}

/* No range the tree reserves may overlap the kernel image: that memory
 * belongs to someone else. The "kernel" entry dt_reserve_kernel added for
 * exactly [ks, ke) is the kernel's own and skipped once. */
static void check_kernel_not_reserved(const struct dt_info *dt, u64 ks, u64 ke)
{
	bool skipped_own = false;

	for (int i = 0; i < dt->nr_reserved; i++) {
		const struct dt_reserved *r = &dt->reserved[i];

		if (!skipped_own && r->base == ks && r->size == ke - ks && strcmp(r->reason, "kernel") == 0) {
			skipped_own = true;
			continue;
		}
		if (r->base < ke && ks < r->base + r->size)
			panic("the device tree reserves [mem %#018llx-%#018llx] (%s), which holds the kernel image [mem %#018llx-%#018llx]",
			      (unsigned long long)r->base, (unsigned long long)(r->base + r->size - 1),
			      r->reason, (unsigned long long)ks, (unsigned long long)ke - 1);
	}
}

/* Bytes of whole free pages in @mb. */
static u64 free_page_bytes(const struct memblock *mb)
{
	u64 cursor = 0, free = 0, s, e;

	while (memblock_next_free(mb, &cursor, &s, &e))
		if (ALIGN_DOWN(e, PAGE_SIZE) > ALIGN_UP(s, PAGE_SIZE))
			free += ALIGN_DOWN(e, PAGE_SIZE) - ALIGN_UP(s, PAGE_SIZE);
	return free;
}

void memblock_from_dt(struct memblock *mb, const struct dt_info *dt, u64 kernel_start,
		      u64 kernel_end)
{
	int rc;

	memblock_init(mb);
	rc = memblock_add_dt(mb, dt);
	if (rc)
		panic("memblock: cannot record the device tree's memory map (error %d)", rc);
	if (!kernel_in_ram(dt, kernel_start, kernel_end))
		panic("the kernel image [mem %#018llx-%#018llx] is not inside the RAM the device tree describes",
		      (unsigned long long)kernel_start, (unsigned long long)kernel_end - 1);
	check_kernel_not_reserved(dt, kernel_start, kernel_end);
	if (!free_page_bytes(mb))
		panic("no free RAM: the device tree's reserved ranges and the kernel cover all of it");
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

/* How many sections the span covers; more than page->flags can name is
 * memory rvmm cannot describe. */
static int count_sections(struct pglist_data *node)
{
	node->section_base_pfn = ALIGN_DOWN(node->node_start_pfn, PAGES_PER_SECTION);
	node->nr_sections = (ALIGN_UP(node->node_end_pfn, PAGES_PER_SECTION) -
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
		rc = count_sections(node);
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
		else
			kprintf("  %-8s empty\n", z->name);
	}
}
