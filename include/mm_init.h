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

/* ZONE_DMA's physical address limit (zone_dma_limit=), 0 if none. */
extern u64 zone_dma_limit;

#endif
