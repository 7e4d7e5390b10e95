/*
 * time.c - microseconds from the time CSR, and sleeping without spinning
 * (the timer is armed through SBI and the hart waits in wfi).
 */
#include <devicetree.h>
#include <hart.h>
#include <ktime.h>
#include <riscv.h>

#define DEFAULT_TIMEBASE_HZ 10000000u

static u64 timebase_hz = DEFAULT_TIMEBASE_HZ;

void time_init(const struct dt_info *dt)
{
	if (dt->timebase_frequency)
		timebase_hz = dt->timebase_frequency;
	else
		kprintf("time: no timebase-frequency in the device tree, assuming %u Hz\n",
			DEFAULT_TIMEBASE_HZ);
}

u64 time_hz(void)
{
	return timebase_hz;
}

u64 time_us_to_ticks(u64 us)
{
	return us * timebase_hz / 1000000u;
}

u64 time_now_us(void)
{
	u64 t = read_time();
	return t / timebase_hz * 1000000u + t % timebase_hz * 1000000u / timebase_hz;
}

static bool never(void *arg)
{
	(void)arg;
	return false;
}

void sleep_us(u64 us)
{
	if (us)
		hart_sleep_until(never, NULL, us);
}
