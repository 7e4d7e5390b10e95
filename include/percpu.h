/*
 * percpu.h - what per-hart code in mm/ needs, for both builds: the running
 * hart's dense index and masking of its interrupts. The host build (tests,
 * fuzzers) supplies this_cpu() from the test harness.
 */
#ifndef RVMM_PERCPU_H
#define RVMM_PERCPU_H

#include <config.h>
#include <kernel.h>

#ifdef HOST
/* The host harness: the calling thread's cpu number, and how many exist. */
unsigned int this_cpu(void);
unsigned int nr_online_cpus(void);
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
#endif

#endif
