/*
 * smp_test.c - hart bring-up and on_each_hart: every usable hart the device
 * tree lists is up, each runs posted work on its own stack with its own
 * per-hart data, and no wakeup is lost over many rounds.
 */
#include <boot.h>
#include <hart.h>
#include <ktest.h>
#include <ktime.h>

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
	EXPECT_EQ(nr_harts, MIN(usable, (unsigned int)MAX_HARTS));
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

static void sleep_waits_at_least_the_time(struct ktest *t)
{
	u64 t0 = time_now_us(), elapsed;

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

KTEST_SUITE(smp, KTEST_CASE(all_usable_harts_online),
	    KTEST_CASE(each_hart_runs_once_on_its_own_stack),
	    KTEST_CASE(many_rounds_lose_no_wakeup), KTEST_CASE(on_hart_runs_on_that_hart),
	    KTEST_CASE(sleep_waits_at_least_the_time), KTEST_CASE(stack_canaries_intact));
