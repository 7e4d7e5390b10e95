/*
 * percpu.h - what per-hart code in mm/ needs, for both builds: the running
 * hart's dense index and masking of its interrupts. The host build (tests,
 * fuzzers) supplies this_cpu() from the test harness.
 */
#ifndef RVMM_PERCPU_H
#define RVMM_PERCPU_H

#include <config.h>
#include <kernel.h>
#include <percpu_area.h>

/*
 * Per-hart areas. Each hart has PERCPU_AREA_SIZE bytes of its own (in its
 * struct hart on the target), handed out in PERCPU_SLOT-byte slots by
 * percpu_alloc. A slot has the same offset in every hart's area, so an
 * object with per-hart state (a slab cache's magazine) keeps one offset,
 * and the running hart's copy is this_cpu_base() + offset: one add (tp +
 * offset on the target, as Linux's per-cpu offsets). Harts never write
 * each other's area on the fast paths, and no two harts' state shares a
 * cache line.
 *
 * Offsets count from the hart's base pointer: the start of its struct hart
 * on the target (where the area starts PERCPU_BASE_OFFSET bytes in), the
 * area itself on the host. The first slot, at PERCPU_RESERVED_OFF, is never
 * handed out: owners without a slot of their own share it.
 */
/* A zeroed slot (on every hart), or -ENOMEM when all are taken. */
long percpu_alloc(void);
void percpu_free(unsigned long off);
/* Slots handed out (reports). */
unsigned long percpu_slots_used(void);

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
#define PERCPU_BASE_OFFSET 0ul
u8 *cpu_percpu_base(unsigned int cpu);
static inline u8 *this_cpu_base(void)
{
	return cpu_percpu_base(this_cpu());
}
static inline unsigned long irq_save(void)
{
	return 0;
}
static inline void irq_restore(unsigned long flags)
{
	(void)flags;
}
static inline unsigned long irq_save_notrap(void)
{
	return 0;
}
static inline void irq_restore_notrap(unsigned long flags)
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

#define PERCPU_BASE_OFFSET ((unsigned long)__builtin_offsetof(struct hart, percpu_area))

static inline u8 *cpu_percpu_base(unsigned int cpu)
{
	return (u8 *)&harts[cpu];
}

static inline u8 *this_cpu_base(void)
{
	return (u8 *)current_hart;
}
#endif

#define PERCPU_RESERVED_OFF PERCPU_BASE_OFFSET

#endif
