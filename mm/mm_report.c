/*
 * mm_report.c - the page allocator's console reports, in the formats of
 * Linux's /proc/buddyinfo, /proc/zoneinfo and /proc/meminfo, so that tools
 * and eyes used to those read them unchanged.
 */
#include <lib/kstring.h>
#include <lib/cmdline.h>
#include <mm/cma.h>
#include <mm/mm_report.h>
#include <mm/mmzone.h>
#include <mm/percpu.h>
#include <mm/slab.h>
#include <mm/slob.h>
#include "internal.h"

#define K(pages) ((pages) << (PAGE_SHIFT - 10))

int mm_describe_caller(char *buf, size_t size, unsigned long caller)
{
	unsigned long off;
	const char *name = ksym_lookup(caller, &off);

	if (name)
		return ksnprintf(buf, size, "%s+0x%lx", name, off);
	return ksnprintf(buf, size, "0x%lx", caller);
}

void show_buddyinfo(const struct pglist_data *node)
{
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = &node->zones[zi];

		if (!populated_zone(z))
			continue;
		kprintf("Node 0, zone %8s ", z->name);
		for (int o = 0; o < MAX_ORDER; o++)
			kprintf("%6lu ", z->free_area[o].nr_free);
		kprintf("\n");
	}
}

/* Does [s, e) (inside one section) hold a page with a struct page? */
static bool range_has_pages(const struct pglist_data *node, unsigned long s, unsigned long e)
{
	const struct mem_section *ms;

	if (s < node->section_base_pfn ||
	    ((s - node->section_base_pfn) >> PFN_SECTION_SHIFT) >= node->nr_sections)
		return false;
	ms = node_pfn_section(node, s);
	return MAX(s, ms->start_pfn) < MIN(e, ms->end_pfn);
}

void zone_pageblock_counts(const struct zone *z, struct pageblock_counts *c)
{
	unsigned long start = z->zone_start_pfn, end = zone_end_pfn(z);

	c->small = c->general = 0;
	for (unsigned long pb = start & ~(PAGEBLOCK_NR_PAGES - 1); pb < end; pb += PAGEBLOCK_NR_PAGES) {
		unsigned long s = MAX(pb, start);

		if (!range_has_pages(z->node, s, MIN(pb + PAGEBLOCK_NR_PAGES, end)))
			continue;
		if (pageblock_small(node_pfn_section(z->node, s), s))
			c->small++;
		else
			c->general++;
	}
}

/* Free blocks of @order in z's small-use pageblocks (z->lock held). */
static unsigned long small_free_blocks(const struct zone *z, unsigned int order)
{
	unsigned long n = 0;
	const struct list_head *pos;

	if (order >= PAGEBLOCK_ORDER)
		return 0;
	for (pos = z->small_list[order].next; pos != &z->small_list[order]; pos = pos->next)
		n++;
	return n;
}

/*
 * Linux's pagetypeinfo layout, its migrate types replaced by rvmm's two
 * uses: Small (pageblocks kept for slab, SLOB and per-hart pages) and
 * General (everything else). The free counts are blocks per order, as in
 * Linux; a zone's two rows add up to its buddyinfo row.
 */
void show_pagetypeinfo(struct pglist_data *node)
{
	kprintf("Page block order: %d\nPages per block:  %lu\nGrouping by use:  %s\n\n",
		PAGEBLOCK_ORDER, PAGEBLOCK_NR_PAGES, port_group_pages_by_use ? "on" : "off");
	kprintf("%-43s", "Free pages count per use type at order");
	for (int o = 0; o < MAX_ORDER; o++)
		kprintf(" %6d", o);
	kprintf("\n");
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		struct zone *z = &node->zones[zi];
		unsigned long small[MAX_ORDER], flags;

		if (!populated_zone(z))
			continue;
		flags = spin_lock_irqsave(&z->lock);
		for (unsigned int o = 0; o < MAX_ORDER; o++)
			small[o] = small_free_blocks(z, o);
		kprintf("Node %4d, zone %8s, type %12s", 0, z->name, "Small");
		for (unsigned int o = 0; o < MAX_ORDER; o++)
			kprintf(" %6lu", small[o]);
		kprintf("\nNode %4d, zone %8s, type %12s", 0, z->name, "General");
		for (unsigned int o = 0; o < MAX_ORDER; o++)
			kprintf(" %6lu", z->free_area[o].nr_free - small[o]);
		kprintf("\n");
		spin_unlock_irqrestore(&z->lock, flags);
	}
	kprintf("\n%-24s %12s %12s\n", "Number of blocks type", "Small", "General");
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = &node->zones[zi];
		struct pageblock_counts pb;

		if (!populated_zone(z))
			continue;
		zone_pageblock_counts(z, &pb);
		kprintf("Node %d, zone %8s %12lu %12lu\n", 0, z->name, pb.small, pb.general);
	}
}

/*
 * The node's counters Linux prints once, under the first populated zone
 * ("per-node stats"), that rvmm keeps: the slab pages, in pages.
 */
static void show_node_stats(void)
{
	kprintf("\n  per-node stats");
	kprintf("\n      %-12s %lu", "nr_slab_reclaimable", slab_total_pages(true));
	kprintf("\n      %-12s %lu", "nr_slab_unreclaimable", slab_total_pages(false));
}

/*
 * One zone in Linux's (6.x) zoneinfo layout, field for field and space for
 * space. Lines for what rvmm does not have print what Linux prints without
 * the feature: boost 0 (no watermark boosting), cma 0 (no CMA). Linux's
 * promo watermark (memory tiering) and its per-zone LRU and NUMA counters
 * are left out: rvmm has no such value. The per-hart stacks' high is fixed,
 * so high_min and high_max (the bounds Linux tunes it between) equal it; the
 * counters are exact (no per-cpu deltas), so the vm stats threshold is 0. An
 * unpopulated zone ends after its protection line, as in Linux.
 */
static void show_zone(const struct zone *z, bool first_populated)
{
	kprintf("Node 0, zone %8s", z->name);
	if (first_populated)
		show_node_stats();
	kprintf("\n  pages free     %lu"
		"\n        boost    0"
		"\n        min      %lu"
		"\n        low      %lu"
		"\n        high     %lu"
		"\n        spanned  %lu"
		"\n        present  %lu"
		"\n        managed  %lu"
		"\n        cma      0",
		z->free_pages, z->watermark[WMARK_MIN], z->watermark[WMARK_LOW],
		z->watermark[WMARK_HIGH], z->spanned_pages, z->present_pages, z->managed_pages);
	kprintf("\n        protection: (%lu", z->lowmem_reserve[0]);
	for (int zi = 1; zi < MAX_NR_ZONES; zi++)
		kprintf(", %lu", z->lowmem_reserve[zi]);
	kprintf(")");
	if (!populated_zone(z)) {
		kprintf("\n");
		return;
	}
	kprintf("\n      %-12s %lu", "nr_free_pages", z->free_pages);
	kprintf("\n      %-12s %lu", "nr_alloc_fail", z->nr_alloc_fail);
	kprintf("\n  pagesets");
	for (unsigned int cpu = 0; z->pcp && cpu < nr_online_cpus(); cpu++)
		kprintf("\n    cpu: %u"
			"\n              count:    %li"
			"\n              high:     %li"
			"\n              batch:    %li"
			"\n              high_min: %li"
			"\n              high_max: %li"
			"\n  vm stats threshold: 0",
			cpu, z->pcp[cpu].count + z->pcp[cpu].hi_count, z->pcp[cpu].high, z->pcp[cpu].batch,
			z->pcp[cpu].high,
			z->pcp[cpu].high);
	kprintf("\n  start_pfn:           %lu\n", z->zone_start_pfn);
}

/* Every zone, populated or not, as Linux's /proc/zoneinfo lists them. */
void show_zoneinfo(const struct pglist_data *node)
{
	bool first = true;

	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = &node->zones[zi];

		show_zone(z, first && populated_zone(z));
		if (populated_zone(z))
			first = false;
	}
}

void meminfo_line(const char *name, unsigned long kb)
{
	char label[24];

	ksnprintf(label, sizeof(label), "%s:", name);
	kprintf("%-16s%8lu kB\n", label, kb);
}

/*
 * The lines of Linux's /proc/meminfo that free, vmstat -s, top and psutil
 * read, for what rvmm does not have (no page cache, no LRU lists, no swap,
 * no shmem): 0, as Linux prints them without the feature, in Linux's order.
 * Without them the tools warn, or, for SwapTotal and SwapFree missing, read
 * the swap of the machine they run on instead (psutil's swap_memory).
 */
static void show_meminfo_absent(void)
{
	static const char *const absent[] = { "Buffers", "Cached", "SwapCached", "Active",
					      "Inactive", "SwapTotal", "SwapFree", "Shmem" };

	for (size_t i = 0; i < ARRAY_SIZE(absent); i++)
		meminfo_line(absent[i], 0);
}

/* meminfo's slab lines, as Linux's. */
static void slab_meminfo(void)
{
	unsigned long rec = slab_total_pages(true), unrec = slab_total_pages(false);

	meminfo_line("Slab", K(rec + unrec));
	meminfo_line("SReclaimable", K(rec));
	meminfo_line("SUnreclaim", K(unrec));
}

/* meminfo's kmalloc lines. */
static void kmalloc_meminfo(void)
{
	struct slob_stats st;

	slob_get_stats(&kmalloc_heap, &st);
	meminfo_line("KmallocSlob", K(st.pages));
	meminfo_line("KmallocSlobFree", st.free_bytes >> 10);
	meminfo_line("KmallocBig", K(st.big_pages));
}

/* meminfo's first three, in pages: MemTotal (every managed page), MemFree
 * and MemAvailable (MemFree less the watermarks and lowmem reserves). */
struct mem_totals {
	unsigned long managed, free, available;
};

static struct mem_totals mem_totals(const struct pglist_data *node)
{
	struct mem_totals m = { 0, node_nr_free_pages(node), 0 };

	for (int zi = 0; zi < MAX_NR_ZONES; zi++)
		m.managed += node->zones[zi].managed_pages;
	m.available = m.free > node->totalreserve_pages ? m.free - node->totalreserve_pages : 0;
	return m;
}

void show_meminfo(const struct pglist_data *node)
{
	struct mem_totals m = mem_totals(node);

	meminfo_line("MemTotal", K(m.managed));
	meminfo_line("MemFree", K(m.free));
	meminfo_line("MemAvailable", K(m.available));
	show_meminfo_absent();
	slab_meminfo();
	kmalloc_meminfo();
	vmalloc_meminfo();
	cma_meminfo();
}

/* The numbers of meminfo as procps' free(1) prints them: total is
 * MemTotal, free MemFree, available MemAvailable, used what is neither free
 * nor buffers/cache (rvmm has no page cache: 0), shared 0, no swap; each in
 * units of 2^@shift bytes. */
void show_free(const struct pglist_data *node, unsigned int shift)
{
	struct mem_totals m = mem_totals(node);

#define UNITS(pages) ((unsigned long)(((u64)(pages) << PAGE_SHIFT) >> shift))
	kprintf("%-7s%13s%12s%12s%12s%12s%12s\n", "", "total", "used", "free", "shared", "buff/cache",
		"available");
	kprintf("%-7s%13lu%12lu%12lu%12lu%12lu%12lu\n", "Mem:", UNITS(m.managed), UNITS(m.managed - m.free),
		UNITS(m.free), 0ul, 0ul, UNITS(m.available));
	kprintf("%-7s%13lu%12lu%12lu\n", "Swap:", 0ul, 0ul, 0ul);
#undef UNITS
}

void show_slobinfo(struct slob_heap *h)
{
	struct slob_stats st;

	slob_get_stats(h, &st);
	kprintf("slobinfo: heap %s (%s)\n", h->name, h->mode == SLOB_SEGFIT ? "segfit" : "classic");
	kprintf("  pages in use        %lu (%lu kB)\n", st.pages, K(st.pages));
	kprintf("  bytes allocated     %lu (headers included)\n", st.used_bytes);
	kprintf("  free bytes          %lu in %lu blocks, largest %lu\n", st.free_bytes, st.free_blocks,
		st.largest_free);
	if (h->mode == SLOB_SEGFIT)
		kprintf("  parked blocks       %lu (%lu bytes, merged at the next search)\n",
			st.parked_blocks, st.parked_bytes);
	kprintf("  bigblocks           %lu using %lu pages (%lu kB)\n", st.big_blocks, st.big_pages,
		K(st.big_pages));
	if (h->big_keep_max)
		kprintf("  kept bigblocks      %lu using %lu pages (%lu kB; freed, kept for reuse, at most %lu pages a hart)\n",
			st.big_kept_blocks, st.big_kept_pages, K(st.big_kept_pages), h->big_keep_max);
	kprintf("  peak pages          %lu (SLOB pages and bigblocks)\n", st.peak_pages);
	kprintf("  fragmentation       %u%% (1 - largest free block / free bytes)\n",
		st.fragmentation_pct);
	kprintf("  bad frees           %lu\n", h->nr_bad_frees);
}

void mm_print_pc(unsigned long pc, bool return_address)
{
	unsigned long off;
	const char *name = ksym_lookup(pc - return_address, &off);

	if (name)
		kprintf(" %s+0x%lx\n", name, off + return_address);
	else
		kprintf(" 0x%lx\n", pc);
}
