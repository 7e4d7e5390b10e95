/*
 * percpu.h - what per-hart code in mm/ needs, for both builds: the running
 * hart's dense index and masking of its interrupts. The host build (tests,
 * fuzzers) supplies this_cpu() from the test harness.
 */
#ifndef RVMM_PERCPU_H
#define RVMM_PERCPU_H

#include <config.h>
#include <kernel.h>

/* Per-hart pointers the page allocator binds to the running node's per-hart
 * lists (mm/page_alloc.c: mm_set_node): slots 0..3 by zone, then 4..7 by
 * gfp zone bits. */
#define MM_SLOT_GFP 4
#define MM_SLOTS 8

#ifdef HOST
/* The host harness: the calling thread's cpu number, how many exist, and
 * each cpu's slots. */
unsigned int this_cpu(void);
unsigned int nr_online_cpus(void);
void **cpu_mm_slots(unsigned int cpu);
static inline void **this_cpu_mm_slots(void)
{
	return cpu_mm_slots(this_cpu());
}
/* this_cpu() * 16 (struct hart's cpu_off16 on the target). */
static inline unsigned long this_cpu_off16(void)
{
	return (unsigned long)this_cpu() * 16;
}
static inline unsigned long irq_save(void)
{
	return 0;
}
static inline void irq_restore(unsigned long flags)
{
	(void)flags;
}
#else
#include <hart.h>
#include <riscv.h>

static inline unsigned int nr_online_cpus(void)
{
	return nr_harts;
}

static inline void **cpu_mm_slots(unsigned int cpu)
{
	return harts[cpu].mm_slots;
}

static inline void **this_cpu_mm_slots(void)
{
	return current_hart->mm_slots;
}

/* this_cpu() * 16: the byte offset of this hart's element in per-hart
 * arrays of 16-byte elements. */
static inline unsigned long this_cpu_off16(void)
{
	return current_hart->cpu_off16;
}
#endif

#endif
