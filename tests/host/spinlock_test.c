/*
 * spinlock_test.c - lib/spinlock.h on the host (suite "spinlock"): a waiter
 * on a held lock gives up its cpu (sched_yield) while it waits, so a
 * holder the system descheduled can run (the malloc library's threads
 * outnumber the cpus), and takes the lock once it is released.
 *
 * The waiter's yields are counted through lib/spinlock.c's spin_yield.
 */
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <tests/ktest.h>
#include <lib/spinlock.h>

static unsigned long yields;

static int counting_yield(void)
{
	__atomic_add_fetch(&yields, 1, __ATOMIC_RELAXED);
	return sched_yield();
}

static spinlock_t held = SPINLOCK_INIT;
static int waiter_got_it;

static void *waiter(void *arg)
{
	(void)arg;
	spin_lock(&held);
	__atomic_store_n(&waiter_got_it, 1, __ATOMIC_RELAXED);
	spin_unlock(&held);
	return NULL;
}

static void waiter_yields_while_the_lock_is_held(struct ktest *t)
{
	unsigned long seen = 0;
	pthread_t thread;

	spin_yield = counting_yield;
	spin_lock(&held);
	__atomic_store_n(&yields, 0, __ATOMIC_RELAXED);
	waiter_got_it = 0;
	ASSERT(pthread_create(&thread, NULL, waiter, NULL) == 0);
	/* Up to 5 s for the waiter's first yield (it comes after
	 * SPIN_YIELD_EVERY polls); a waiter that only spins never yields. */
	for (int i = 0; i < 10000 && !(seen = __atomic_load_n(&yields, __ATOMIC_RELAXED)); i++)
		usleep(500);
	EXPECT(seen > 0);
	EXPECT_EQ(__atomic_load_n(&waiter_got_it, __ATOMIC_RELAXED), 0);
	spin_unlock(&held);
	pthread_join(thread, NULL);
	spin_yield = sched_yield;
	EXPECT_EQ(waiter_got_it, 1);
	EXPECT(!spin_is_locked(&held));
}

KTEST_SUITE(spinlock, KTEST_CASE(waiter_yields_while_the_lock_is_held));
