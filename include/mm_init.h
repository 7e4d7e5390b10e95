/*
 * mm_init.h - bringing up the memory manager at boot (mm/mm_init.c).
 */
#ifndef RVMM_MM_INIT_H
#define RVMM_MM_INIT_H

#include <kernel.h>

struct dt_info;

/* memblock from the device tree, then the page allocator; prints the
 * zone ranges, the memmap size and the "Memory:" line. Panics with the
 * reason if memory cannot be set up. */
void mm_init(const struct dt_info *dt);

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

/*
 * Fill @mb (from scratch) with @dt's RAM and reserved ranges, @dt holding
 * the kernel image [kernel_start, kernel_end) as its "kernel" range. Panics
 * when the table overflows, when the image is not inside one RAM range,
 * when another reserved range overlaps it, or when no whole page is free.
 */
void memblock_from_dt(struct memblock *mb, const struct dt_info *dt, u64 kernel_start,
		      u64 kernel_end);

/* node_init (or node_layout) failed with @rc: stop the boot. */
void node_panic(int rc) __noreturn;

/* "Zone ranges:" and one line per zone: its span, or "empty". */
void print_zone_ranges(const struct pglist_data *node);

#endif
