/*
 * hotplug.c - memory hotplug: RAM added to a running node.
 *
 * A node that may grow is planned for it at boot: memblock's hotplug_end
 * sizes the section table up to the highest address memory may be added
 * at, and memblock's vmemmap is the node's flat memmap for that whole span,
 * memory that reads as zero and costs nothing until written (the host's
 * anonymous mapping, as Linux's vmemmap is backed only where sections are
 * present). node_init initialises the struct pages of the boot RAM alone.
 *
 * node_add_memory then appends RAM where the node's RAM ends, repeating
 * node_init's steps for the new frames only: their struct pages (reserved,
 * with zone and section), the sections' pfn ranges, the zone's span and
 * counts, the frames to the buddy allocator as the largest aligned blocks,
 * the watermarks and per-hart batch sizes for the new zone size, and kfree's
 * flat window. The order makes it safe while other harts run the
 * allocator: a section's end_pfn is published after its struct pages are
 * written (pfn_valid is false for a frame until then), pages reach the free
 * lists under the zone lock, and the window grows last (a kfree that read
 * the old size takes the section lookup, which is also right).
 *
 * Adds are serialised by one lock. Removing memory is not supported.
 */
#include <lib/spinlock.h>
#include <mm/mm_init.h>
#include <mm/mmzone.h>
#include <mm/page_owner.h>
#include "internal.h"

static spinlock_t hotplug_lock = SPINLOCK_INIT;

/* Why [s, e) cannot be added to @node, or NULL. */
static const char *add_refused(const struct pglist_data *node, const struct zone_limits *lim,
			       unsigned long s, unsigned long e)
{
	if (!node->hotplug_end_pfn || !node->flat_map)
		return "the node was not planned for hotplug";
	if (s != node->node_end_pfn)
		return "the range does not start where the node's RAM ends";
	if (e > node->hotplug_end_pfn)
		return "the range ends above hotplug_end";
	if (zone_of_pfn(lim, s) != zone_of_pfn(lim, e - 1))
		return "the range crosses a zone boundary";
	if (!populated_zone(&node->zones[zone_of_pfn(lim, s)]))
		return "the range's zone has no memory yet";
	return NULL;
}

/* Struct pages for [s, e), section by section, each published when set. */
static void add_sections(struct pglist_data *node, const struct zone_limits *lim, unsigned long s,
			 unsigned long e)
{
	while (s < e) {
		unsigned long i = (s - node->section_base_pfn) >> PFN_SECTION_SHIFT;
		struct mem_section *ms = &node->sections[i];
		unsigned long chunk_end = MIN(e, ALIGN_DOWN(s, PAGES_PER_SECTION) + PAGES_PER_SECTION);

		init_section_range(node, i, s, chunk_end, lim);
		if (!ms->end_pfn)
			ms->start_pfn = s;
		__atomic_store_n(&ms->end_pfn, chunk_end, __ATOMIC_RELEASE);
		page_owner_section_added(node, ms); /* (page_owner on: a new section's records) */
		s = chunk_end;
	}
}

/* Watermarks from the new managed counts, every populated zone locked
 * (in index order; no other path holds two zone locks). */
static void resize_watermarks(struct pglist_data *node)
{
	unsigned long flags = irq_save();

	for (int zi = 0; zi < MAX_NR_ZONES; zi++)
		spin_lock(&node->zones[zi].lock);
	setup_watermarks(node);
	for (int zi = MAX_NR_ZONES - 1; zi >= 0; zi--)
		spin_unlock(&node->zones[zi].lock);
	irq_restore(flags);
}

int node_add_memory(struct pglist_data *node, u64 start, u64 size)
{
	unsigned long s = PHYS_PFN(start), e = PHYS_PFN(start + size), flags;
	struct zone_limits lim;
	const char *refused;
	struct zone *z;

	if (!size || ((start | size) & (PAGE_SIZE - 1)) || start + size < start)
		return -EINVAL;
	zone_limits_boot(&lim);
	flags = spin_lock_irqsave(&hotplug_lock);
	refused = add_refused(node, &lim, s, e);
	if (refused) {
		spin_unlock_irqrestore(&hotplug_lock, flags);
		kprintf("node_add_memory: [mem %#llx-%#llx]: %s\n", (unsigned long long)start,
			(unsigned long long)(start + size - 1), refused);
		return -EINVAL;
	}
	z = &node->zones[zone_of_pfn(&lim, s)];
	add_sections(node, &lim, s, e);
	spin_lock(&z->lock);
	z->spanned_pages = e - z->zone_start_pfn;
	z->present_pages += e - s;
	spin_unlock(&z->lock);
	node->node_end_pfn = e;
	node->node_present_pages += e - s;
	node->memmap_pages += e - s;
	free_boot_range(node, s, e);
	resize_watermarks(node);
	setup_pcp(z);
	if (node == mem_node)
		memmap_set_window(node);
	spin_unlock_irqrestore(&hotplug_lock, flags);
	return 0;
}
