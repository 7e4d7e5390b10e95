/*
 * ktime.h - the time CSR in microseconds, from the device tree's
 * timebase-frequency.
 */
#ifndef RVMM_KTIME_H
#define RVMM_KTIME_H

#include <kernel.h>

struct dt_info;

/* Take timebase-frequency from the DT (10 MHz, QEMU virt's, if absent). */
void time_init(const struct dt_info *dt);
u64 time_hz(void);
u64 time_us_to_ticks(u64 us);
u64 time_now_us(void);
/* Sleep this hart in wfi for @us microseconds. */
void sleep_us(u64 us);

#endif
