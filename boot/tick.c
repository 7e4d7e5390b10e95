/*
 * tick.c - the memory manager's periodic work (mm_tick: background reclaim,
 * posted magazine drains, cache_reap) from the harts' idle loops.
 *
 * rvmm takes no interrupts, so there is no timer interrupt handler: a
 * secondary hart's idle sleep (boot/hart.c) is a timed wfi of at most
 * mm_tick_interval_us() where the timer works, and it ticks after every
 * wakeup (its timer, or a kick from another hart). The boot hart ticks from
 * the console's poll loop between reads. Where the clock does not run (or
 * its interrupt never comes), timed sleeps are not possible: secondaries
 * sleep until kicked, and the tick clock is the idle time the console loop
 * counts, and the boot hart kicks every hart whose cache_reap is due
 * (mm_tick_kick_due).
 */
#include <boot/ktime.h>
#include <mm/reclaim.h>

static u64 idle_clock_us; /* the console loop's idle time (stopped clock) */

u64 tick_clock_us(void)
{
	return time_timer_works() ? time_now_us() : __atomic_load_n(&idle_clock_us, __ATOMIC_RELAXED);
}

void idle_tick(u64 slept_us)
{
	bool timer = time_timer_works();

	if (!timer)
		__atomic_add_fetch(&idle_clock_us, slept_us, __ATOMIC_RELAXED);
	mm_tick(tick_clock_us());
	if (!timer) /* the others sleep until kicked: kick those due */
		mm_tick_kick_due(tick_clock_us());
}

u64 idle_tick_timeout_us(void)
{
	return time_timer_works() ? mm_tick_interval_us() : 0;
}
