/*
 * percpu_area.h - the size of each hart's per-hart area (mm/percpu.c), for
 * struct hart and the host harness.
 */
#ifndef RVMM_PERCPU_AREA_H
#define RVMM_PERCPU_AREA_H

#define PERCPU_AREA_SIZE 2048 /* 128 slots of 16 bytes */
#define PERCPU_SLOT 16

#endif
