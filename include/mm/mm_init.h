/*
 * mm_init.h - bringing up the memory manager at boot (mm/mm_init.c).
 */
#ifndef RVMM_MM_INIT_H
#define RVMM_MM_INIT_H

#ifdef __cplusplus
extern "C" {
#endif

#include <lib/kernel.h>

struct memblock;

/* The kernel image the memory manager runs in, by section: [start, end)
 * with text [start, text_end), read-only data [rodata_start, rodata_end)
 * and writable data [data_start, end). Addresses are physical (the direct
 * map is identity at boot). The image lies in memblock's RAM and is
 * reserved there; one that does not (in flash, or in memory kept from
 * mm/) is given as all zeros. */
struct mm_image {
	uintptr_t start, text_end, rodata_start, rodata_end, data_start, end;
};

/* Bring up the page allocator over @mb (RAM and reserved ranges, the
 * image among them: see memblock_from_dt) on the node contig_page_data,
 * make it the one the global API uses, and then kmalloc; prints the zone
 * ranges, the memmap size and the "Memory:" line. Panics with the reason
 * if memory cannot be set up or the image is not reserved RAM of @mb.
 * Once, on one hart, with kprintf's sink registered: a second call panics
 * (it would forget every block and cache in use). */
void mm_init(struct memblock *mb, const struct mm_image *image);

/* The figures of the boot "Memory:" line, in KiB. */
struct mem_summary {
	unsigned long available_kb, total_kb;
	unsigned long code_kb, rwdata_kb, rodata_kb, reserved_kb;
};
extern struct mem_summary boot_mem_summary;

/* ZONE_DMA's physical address limit (zone_dma_limit=, at most 4 GiB), 0 if
 * none. */
extern u64 zone_dma_limit;

/* The decisions of mm_init that need no struct pages (mm/mm_plan.c),
 * shared with rvmm-dt. Those that stop the boot panic naming the problem. */
struct memblock;
struct pglist_data;
struct zone_limits;

/* The zone boundaries for zone_dma_limit: ZONE_DMA below it (none if 0),
 * ZONE_DMA32 below 4 GiB, ZONE_NORMAL above. */
void zone_limits_boot(struct zone_limits *lim);

/* node_init (or node_layout) of @node over @mb failed with @rc: stop the
 * boot, naming the allocation that failed, its size and what memblock has
 * left (or the sections that cannot be named). */
void node_panic(const struct pglist_data *node, const struct memblock *mb, int rc) __noreturn;

/* "Zone ranges:" and one line per zone: its span, or "empty". */
void print_zone_ranges(const struct pglist_data *node);
/* The "memmap:" line: @node's struct pages, its sections (those holding RAM
 * of @mb too, when fewer) and whether they are one flat array (@flat). */
void print_memmap_line(const struct pglist_data *node, const struct memblock *mb, bool flat);

#ifdef __cplusplus
}
#endif

#endif
