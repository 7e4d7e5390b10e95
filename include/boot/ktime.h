/*
 * ktime.h - the time CSR in microseconds, from the device tree's
 * timebase-frequency.
 */
#ifndef RVMM_KTIME_H
#define RVMM_KTIME_H

#include <lib/kernel.h>

struct dt_info;

/* Instructions per microsecond a timed wait assumes when it cannot use the
 * clock: a wait of N us spins at most N * this many instructions (about N us
 * on a 1 GHz core, longer on a slower one, never forever). */
#define TIME_INSNS_PER_US 1000u

/* Take timebase-frequency from the DT (10 MHz, QEMU virt's, if absent) and
 * check that the clock runs and the SBI timer interrupt comes (one line on
 * the console when not). */
void time_init(const struct dt_info *dt);
/* True when timed waits may sleep in wfi: time advances and an armed timer
 * raises its interrupt. False: waits spin for an instruction budget. */
bool time_timer_works(void);
/* For tests: take the stopped-clock paths (true) or the ones found at boot. */
void time_pretend_stopped(bool stopped);
/* The instruction budget of a wait of @us (saturating). */
u64 time_us_to_insns(u64 us);
u64 time_us_to_ticks(u64 us);
u64 time_now_us(void);
/* Sleep this hart in wfi for @us microseconds. */
void sleep_us(u64 us);

/*
 * The memory manager's tick (boot/tick.c; mm_tick in include/mm/reclaim.h)
 * from the idle loops. tick_clock_us: time_now_us() where timed waits work,
 * else the idle time the boot hart's console loop has counted. idle_tick:
 * the console loop calls it after each idle sleep of @slept_us (with a
 * stopped clock that sleep is what advances the tick clock). A secondary
 * hart's idle sleep lasts at most idle_tick_timeout_us() (0: until woken)
 * and it calls mm_tick(tick_clock_us()) after each wakeup.
 */
u64 tick_clock_us(void);
void idle_tick(u64 slept_us);
u64 idle_tick_timeout_us(void);

#endif
