/*
 * smp_test.c - hart bring-up and on_each_hart: every usable hart the device
 * tree lists is up, each runs posted work on its own stack with its own
 * per-hart data, and no wakeup is lost over many rounds.
 */
#include <boot/boot.h>
#include <boot/hart.h>
#include <tests/ktest.h>
#include <boot/ktime.h>
#include <lib/riscv.h>
#include <boot/sbi.h>

extern char _start[];

struct visit {
	unsigned int count;
	unsigned long hartid;
	unsigned long sp;
	struct hart *tp;
};

static struct visit visits[MAX_HARTS];

static void record_visit(void *arg)
{
	struct visit *v = &((struct visit *)arg)[this_cpu()];
	unsigned long sp;

	__asm__("mv %0, sp" : "=r"(sp));
	v->count++;
	v->hartid = this_hart()->hartid;
	v->sp = sp;
	v->tp = this_hart();
}

static void all_usable_harts_online(struct ktest *t)
{
	unsigned int usable = 0;

	for (int i = 0; i < boot_dt.nr_cpus; i++)
		usable += boot_dt.cpus[i].usable;
	if (!harts_ipis_work()) /* none could be started: the boot hart alone */
		usable = 1;
	EXPECT_EQ(nr_harts, MIN(usable, dt_harts_limit())); /* MAX_HARTS, or maxcpus= */
	for (unsigned int cpu = 0; cpu < nr_harts; cpu++) {
		EXPECT(harts[cpu].online);
		EXPECT_EQ(harts[cpu].cpu, cpu);
	}
}

static void each_hart_runs_once_on_its_own_stack(struct ktest *t)
{
	for (unsigned int i = 0; i < MAX_HARTS; i++)
		visits[i] = (struct visit){ 0 };
	on_each_hart(record_visit, visits);
	for (unsigned int cpu = 0; cpu < nr_harts; cpu++) {
		unsigned long lo, hi;

		hart_stack_bounds(cpu, &lo, &hi);
		EXPECT_EQ(visits[cpu].count, 1);
		EXPECT_EQ(visits[cpu].hartid, harts[cpu].hartid);
		EXPECT(visits[cpu].tp == &harts[cpu]);
		EXPECT(visits[cpu].sp >= lo && visits[cpu].sp < hi);
	}
	for (unsigned int cpu = nr_harts; cpu < MAX_HARTS; cpu++)
		EXPECT_EQ(visits[cpu].count, 0);
}

static void bump(void *arg)
{
	__atomic_fetch_add((unsigned long *)arg, 1, __ATOMIC_RELAXED);
}

static void many_rounds_lose_no_wakeup(struct ktest *t)
{
	unsigned long counter = 0;
	const int rounds = 2000;

	for (int i = 0; i < rounds; i++)
		on_each_hart(bump, &counter);
	EXPECT_EQ(counter, (unsigned long)rounds * nr_harts);
}

static void note_cpu(void *arg)
{
	*(unsigned int *)arg = this_cpu();
}

static void on_hart_runs_on_that_hart(struct ktest *t)
{
	for (unsigned int cpu = 0; cpu < nr_harts; cpu++) {
		unsigned int ran_on = ~0u;

		EXPECT_EQ(on_hart(cpu, note_cpu, &ran_on), 0);
		EXPECT_EQ(ran_on, cpu);
	}
	EXPECT_EQ(on_hart(nr_harts, note_cpu, NULL), -EINVAL);
}

static bool never(void *arg)
{
	(void)arg;
	return false;
}

static unsigned long stopped_clock_polls;

static bool never_counted(void *arg)
{
	(void)arg;
	stopped_clock_polls++;
	return false;
}

/* A timed wait on a clock that does not run (or a timer that never fires)
 * ends after its instruction budget: at least the budget, and after no more
 * polls than the budget allows (SPIN_LOOP_MIN_INSNS). The bound is on polls,
 * not on instret: without -icount QEMU's instret follows the host's clock,
 * so a descheduled host thread would inflate it. Run with the stopped-clock
 * paths forced, so it proves the bound on every machine; the HiFive trees
 * without a CLINT prove it for real. */
static void waits_end_on_a_stopped_clock(struct ktest *t)
{
	u64 budget = time_us_to_insns(2000), i0, spent;
	unsigned long flags;
	bool ok;

	time_pretend_stopped(true);
	flags = irq_save(); /* the polls are the wait's alone */
	stopped_clock_polls = 0;
	i0 = read_instret();
	ok = hart_sleep_until(never_counted, NULL, 2000);
	spent = read_instret() - i0;
	irq_restore(flags);
	i0 = read_instret();
	sleep_us(1000);
	time_pretend_stopped(false);
	EXPECT(!ok);
	EXPECT(spent >= budget);
	EXPECT(stopped_clock_polls >= 1);
	EXPECT(stopped_clock_polls <= budget / SPIN_LOOP_MIN_INSNS + 1);
	EXPECT(read_instret() - i0 >= time_us_to_insns(1000));
}

static void sleep_waits_at_least_the_time(struct ktest *t)
{
	u64 t0 = time_now_us(), elapsed;

	if (!time_timer_works()) {
		kprintf("# %s.%s: the clock or its timer does not run: waits_end_on_a_stopped_clock covers it\n",
			t->suite, t->name);
		return;
	}
	sleep_us(3000);
	elapsed = time_now_us() - t0;
	EXPECT(elapsed >= 3000);
	t0 = time_now_us();
	EXPECT(!hart_sleep_until(never, NULL, 2000));
	EXPECT(time_now_us() - t0 >= 2000);
}

static void stack_canaries_intact(struct ktest *t)
{
	(void)t;
	harts_check_stacks(); /* panics (ends the run) if one is broken */
}

/* Run on the hart to stop: report the work done, then stop (HSM). */
static void stop_this_hart(void *arg)
{
	struct hart *h = this_hart();

	(void)arg;
	__atomic_store_n(&h->online, false, __ATOMIC_RELEASE);
	__atomic_store_n(&h->done_seq, h->work_seq, __ATOMIC_RELEASE);
	hart_kick(h->waiter_hartid);
	sbi_hart_stop();
}

static bool hart_online(void *arg)
{
	return __atomic_load_n(&((struct hart *)arg)->online, __ATOMIC_ACQUIRE);
}

/*
 * What OpenSBI does when its hart_start races with the hart's wait loop:
 * the hart arrives at _start, with the device tree as its argument, while
 * the kernel runs. It must lose the boot lottery, find its own slot by
 * hartid and come up as a secondary (not run kmain again, which would
 * clear .bss under the running kernel). Here the last hart is stopped and
 * started at _start on purpose.
 */
/* Stop the last hart and send it to _start, its slot hidden while
 * @hide_slot (as for a hart firmware released before harts_start). */
static void restart_at_entry(struct ktest *t, bool hide_slot)
{
	unsigned int cpu = nr_harts - 1, ran_on = ~0u;
	struct hart *h = &harts[cpu];
	unsigned long stack_top = h->stack_top;
	long status = -1;

	if (nr_harts < 2) {
		kprintf("# %s.%s: one hart: nothing to restart\n", t->suite, t->name);
		return;
	}
	ASSERT_EQ(on_hart(cpu, stop_this_hart, NULL), 0);
	for (int i = 0; i < 1000 && status != SBI_HSM_STOPPED; i++) {
		status = sbi_hart_get_status(h->hartid);
		if (status != SBI_HSM_STOPPED)
			sleep_us(1000);
	}
	ASSERT_EQ(status, SBI_HSM_STOPPED);
	if (hide_slot)
		__atomic_store_n(&h->stack_top, 0, __ATOMIC_RELEASE);
	ASSERT_EQ(sbi_hart_start(h->hartid, (unsigned long)_start, 0x87e00000ul), 0);
	if (hide_slot) {
		/* It runs (for SBI) but waits for a slot: not online. */
		sleep_us(20000);
		EXPECT_EQ(sbi_hart_get_status(h->hartid), SBI_HSM_STARTED);
		EXPECT(!hart_online(h));
		__atomic_store_n(&h->stack_top, stack_top, __ATOMIC_RELEASE);
		sbi_send_ipi(1, h->hartid);
	}
	if (!hart_sleep_until(hart_online, h, 10000000)) {
		ktest_fail(t, __FILE__, __LINE__, "hart %lu did not come back: left out", h->hartid);
		nr_harts--; /* the cases after this one must not wait for it */
		return;
	}
	EXPECT_EQ(on_hart(cpu, note_cpu, &ran_on), 0);
	EXPECT_EQ(ran_on, cpu);
	EXPECT(harts[0].online);
	EXPECT_EQ(sbi_hart_get_status(h->hartid), SBI_HSM_STARTED);
}

static void a_hart_sent_to_start_finds_its_slot(struct ktest *t)
{
	restart_at_entry(t, false);
}

/* Firmware that releases every hart into the kernel: a hart without a slot
 * waits for an IPI and takes its slot then (what start_one does when SBI
 * says the hart is already running). */
static void a_hart_without_a_slot_waits_for_it(struct ktest *t)
{
	restart_at_entry(t, true);
}

KTEST_SUITE(smp, KTEST_CASE(all_usable_harts_online),
	    KTEST_CASE(each_hart_runs_once_on_its_own_stack),
	    KTEST_CASE(many_rounds_lose_no_wakeup), KTEST_CASE(on_hart_runs_on_that_hart),
	    KTEST_CASE(sleep_waits_at_least_the_time), KTEST_CASE(waits_end_on_a_stopped_clock),
	    KTEST_CASE(stack_canaries_intact),
	    KTEST_CASE(a_hart_sent_to_start_finds_its_slot),
	    KTEST_CASE(a_hart_without_a_slot_waits_for_it));
