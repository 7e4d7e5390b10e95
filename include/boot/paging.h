/*
 * paging.h - turning Sv39 paging on (boot/paging.c) and TLB maintenance.
 */
#ifndef RVMM_PAGING_H
#define RVMM_PAGING_H

#include <mm/pgtable.h>

struct memblock;

/* The kernel's page table: MMIO, the direct map of RAM, vmalloc. */
extern struct pgtable kernel_pgtable;
extern bool paging_on;

/* Build the kernel page table from memblock's RAM (less no-map ranges)
 * and switch this hart to it. Panics with the reason if it cannot. */
void paging_init(const struct memblock *mb);
/* Map the page of the device register at physical @pa to itself (rw-,
 * not executable) if the kernel page table does not map it yet: a device
 * above RAM or between RAM banks. true when @pa is mapped to itself after
 * the call; false, nothing changed, when it lies beyond the 256 GiB Sv39
 * maps one-to-one (or a table page could not be had). */
bool paging_map_device(u64 pa, const char *what);
/* Load the kernel page table on this hart (secondary harts at start). */
void paging_enable_this_hart(void);

/* Drop stale translations of [start, start+size): this hart, then every
 * other online hart through SBI RFENCE. */
void flush_tlb_kernel_range(u64 start, u64 size);
void local_flush_tlb_range(u64 start, u64 size);

#endif
