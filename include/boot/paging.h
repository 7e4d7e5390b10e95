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
/* Load the kernel page table on this hart (secondary harts at start). */
void paging_enable_this_hart(void);

/* Drop stale translations of [start, start+size): this hart, then every
 * other online hart through SBI RFENCE. */
void flush_tlb_kernel_range(u64 start, u64 size);
void local_flush_tlb_range(u64 start, u64 size);

#endif
