/*
 * hart.h - harts (RISC-V hardware threads): per-hart data, bring-up, and
 * running a function on every hart.
 *
 * Each hart's tp register points at its struct hart for as long as the
 * kernel runs. "cpu" is rvmm's dense logical index (the boot hart is cpu 0);
 * "hartid" is the hardware's id from the device tree, which can be sparse.
 *
 * Waiting is never a busy spin: a hart with nothing to do sleeps in wfi with
 * its software interrupt (and, for timeouts, its timer) enabled in sie while
 * sstatus.SIE stays clear, so the interrupt wakes it without trapping. Work is
 * posted by storing it and then sending an SBI IPI.
 */
#ifndef RVMM_HART_H
#define RVMM_HART_H

#include <config.h>
#include <mm/percpu_area.h>
#ifndef __ASSEMBLY__
#include <mm/port.h>
#endif

#define HART_STACK_SIZE (16 * 1024)
#define HART_STACK_TOP_OFFSET 0 /* offsetof(struct hart, stack_top), for entry.S */
#define HART_HARTID_OFFSET 8    /* offsetof(struct hart, hartid), for entry.S */

#ifndef __ASSEMBLY__
#include <lib/kernel.h>

struct dt_info;
struct trap_frame;

/* A trap a test provokes on purpose: the handler records it and skips the
 * faulting instruction instead of reporting it. */
struct trap_expect {
	bool armed;
	bool hit;
	unsigned long scause;
	unsigned long stval;
	unsigned long sepc;
};

struct hart {
	unsigned long stack_top; /* must stay first: entry.S loads it */
	unsigned long hartid;
	unsigned int cpu;
	bool online;

	/* Work posted by on_each_hart(): run while work_seq != done_seq. */
	void (*work_fn)(void *arg);
	void *work_arg;
	unsigned long work_seq;
	unsigned long done_seq;
	unsigned long waiter_hartid; /* who to wake when done */

	void *mm_slots[MM_SLOTS]; /* the page allocator's per-hart slots (mm/port.h) */

	struct trap_expect trap_expect;
	unsigned long nr_wakeups; /* times this hart left wfi */

	/* This hart's per-hart area (percpu.h), last: the fields above stay
	 * within a load's reach of tp. Offsets into it count from the start
	 * of the struct, so tp + offset is this hart's copy. */
	u8 percpu_area[PERCPU_AREA_SIZE] __aligned(64);
};

extern struct hart harts[MAX_HARTS];
extern unsigned int nr_harts;  /* harts online */
extern u8 hart_stacks[MAX_HARTS][HART_STACK_SIZE];

/* tp holds this hart's struct hart for as long as the kernel runs: the
 * per-hart base of the port (mm/port.h), which also gives this_cpu(). */
static inline struct hart *this_hart(void)
{
	return (struct hart *)this_cpu_base();
}

/* Set up the boot hart's per-hart data (called first thing from kmain). */
void hart_boot_init(unsigned long hartid);
/* Start every other usable hart in the device tree and wait (with a
 * timeout) for each to report in. Returns the number of harts online. */
unsigned int harts_start(const struct dt_info *dt);
/* Run fn(arg) on every online hart, the caller included, and return when
 * all have finished. Calls do not nest and come from one hart at a time. */
void on_each_hart(void (*fn)(void *arg), void *arg);
/* Run fn(arg) on one cpu (which may be the caller) and wait for it. */
int on_hart(unsigned int cpu, void (*fn)(void *arg), void *arg);

/*
 * Sleep in wfi until done(arg) is true or @timeout_us passes (0: no limit).
 * Returns true when done() became true. Another hart wakes the sleeper with
 * hart_kick(); done() is re-checked on every wakeup. Where the timer (for a
 * timed wait) or IPIs (untimed) do not work, it polls instead, a timed wait
 * for at most time_us_to_insns(@timeout_us) instructions: it never hangs on
 * a stopped clock.
 */
bool hart_sleep_until(bool (*done)(void *arg), void *arg, u64 timeout_us);
/* A spinning timed wait (no timer) also ends after budget / this many polls
 * of done(), should instret not advance: one poll is at least this many
 * instructions. Without -icount QEMU's instret follows the host's clock, so
 * the poll count is the bound that holds on every host. */
#define SPIN_LOOP_MIN_INSNS 8
/* False when harts_start found that an SBI IPI does not reach the boot hart
 * (no IPI device): then no other hart was started. */
bool harts_ipis_work(void);

/* Wake a hart sleeping in hart_sleep_until (by hardware hart id). */
void hart_kick(unsigned long hartid);

/* Check each hart's stack canary; panics naming the hart that overflowed. */
void harts_check_stacks(void);
/* The stack bounds of @cpu: [lo, hi). */
void hart_stack_bounds(unsigned int cpu, unsigned long *lo, unsigned long *hi);
#endif

#endif
