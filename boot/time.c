/*
 * time.c - microseconds from the time CSR, sleeping without spinning, and
 * the check that the clock and its timer interrupt actually work.
 *
 * `time` advances only when the SBI firmware has a timer device (a CLINT or
 * ACLINT mtimer in the device tree it was given): with Linux's own HiFive
 * trees, which have none, it stays put and an armed SBI timer never fires.
 * time_init() finds out with probes bounded by loop counts (never by the
 * clock they test) and says so in one line. Every timed wait then has a
 * second bound: when the timer cannot end it, hart_sleep_until() spins for
 * an instruction budget instead of sleeping in wfi (time_us_to_insns).
 */
#include <drivers/devicetree.h>
#include <boot/hart.h>
#include <boot/ktime.h>
#include <lib/riscv.h>
#include <boot/sbi.h>

#define DEFAULT_TIMEBASE_HZ 10000000u
/* Polls of `time` (or of sip) before a probe gives up: far more than one
 * tick of any timebase at any clock rate rvmm runs at (1 Mi polls of at
 * least 5 instructions is over 5 ms at 1 GHz; timebases are >= 32 kHz). */
#define PROBE_POLLS (1u << 20)

static u64 timebase_hz = DEFAULT_TIMEBASE_HZ;
static bool clock_runs = true, timer_fires = true;
static bool pretend_stopped; /* tests: take the no-timer paths */

/* Does `time` change within PROBE_POLLS reads? */
static bool probe_clock(void)
{
	u64 t0 = read_time();

	for (u32 i = 0; i < PROBE_POLLS; i++)
		if (read_time() != t0)
			return true;
	return false;
}

/* Does an SBI timer armed in the past raise STIP within PROBE_POLLS polls?
 * Disarming clears STIP again. */
static bool probe_timer_interrupt(void)
{
	bool fired = false;

	sbi_set_timer(read_time());
	for (u32 i = 0; i < PROBE_POLLS && !fired; i++)
		fired = csr_read(sip) & SIP_STIP;
	sbi_set_timer(~0ull);
	return fired;
}

void time_init(const struct dt_info *dt)
{
	if (dt->timebase_frequency)
		timebase_hz = dt->timebase_frequency;
	else
		kprintf("time: no timebase-frequency in the device tree, assuming %u Hz\n",
			DEFAULT_TIMEBASE_HZ);
	clock_runs = probe_clock();
	timer_fires = clock_runs && probe_timer_interrupt();
	if (!clock_runs)
		kprintf("time: the clock does not run (time stays at %lu; %s): "
			"waits are bounded by instruction counts\n",
			read_time(), dt->timer_dev[0] ? "the firmware does not drive it"
						       : "no timer device in the device tree");
	else if (!timer_fires)
		kprintf("time: the timer interrupt does not come: waits are bounded by instruction counts\n");
}

bool time_timer_works(void)
{
	return clock_runs && timer_fires && !pretend_stopped;
}

void time_pretend_stopped(bool stopped)
{
	pretend_stopped = stopped;
}

u64 time_us_to_ticks(u64 us)
{
	return us * timebase_hz / 1000000u;
}

u64 time_us_to_insns(u64 us)
{
	return us > ~0ull / TIME_INSNS_PER_US ? ~0ull : us * TIME_INSNS_PER_US;
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
