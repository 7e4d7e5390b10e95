/*
 * percpu.h - per-hart areas (mm/percpu.c). The per-hart base, this_cpu()
 * and interrupt masking come from the port (mm/port.h).
 */
#ifndef RVMM_PERCPU_H
#define RVMM_PERCPU_H

#ifdef __cplusplus
extern "C" {
#endif

#include <config.h>
#include <lib/kernel.h>
#include <mm/percpu_area.h>
#include <mm/port.h>

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

#define PERCPU_RESERVED_OFF PERCPU_BASE_OFFSET

#ifdef __cplusplus
}
#endif

#endif
