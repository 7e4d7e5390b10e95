/*
 * spinlock.h - test-and-test-and-set spinlocks with the interrupt-masking
 * variants. Hold times must be short: a waiter spins.
 */
#ifndef RVMM_SPINLOCK_H
#define RVMM_SPINLOCK_H

#ifdef __cplusplus
extern "C" {
#endif

#include <lib/kernel.h>
#ifndef HOST
#include <lib/riscv.h>
#endif

typedef struct {
	int locked;
} spinlock_t;

#define SPINLOCK_INIT { 0 }

/* Swap 1 in with acquire ordering; the old value. (On RISC-V one amoswap:
 * GCC's generic atomics would add a sign extension.) */
static inline int lock_swap_acquire(spinlock_t *l)
{
#ifdef HOST
	return __atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
#else
	long old; /* amoswap.w sign-extends: no extension needed to test it */
	__asm__ volatile("amoswap.w.aq %0, %2, %1" : "=r"(old), "+A"(l->locked) : "r"(1l) : "memory");
	return old != 0;
#endif
}

#ifdef HOST
/* Host builds run as threads that the system may deschedule while they
 * hold a lock (more threads than cpus: the malloc library under a
 * program's threads): a waiter gives up its cpu every SPIN_YIELD_EVERY
 * polls (spin_yield, lib/spinlock.c: the host port's sched_yield), so
 * the holder can run, rather than spin out its time slice. */
extern int (*spin_yield)(void);
#define SPIN_YIELD_EVERY 64
#endif

static inline void spin_lock_contended(spinlock_t *l)
{
#ifdef HOST
	unsigned int polls = 0;
#endif
	do {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED)) {
#ifdef HOST
			if (++polls % SPIN_YIELD_EVERY == 0 && spin_yield)
				spin_yield();
#endif
		}
	} while (lock_swap_acquire(l));
}

static inline void spin_lock(spinlock_t *l)
{
	if (unlikely(lock_swap_acquire(l)))
		spin_lock_contended(l);
}

static inline bool spin_trylock(spinlock_t *l)
{
	return !lock_swap_acquire(l);
}

static inline void spin_unlock(spinlock_t *l)
{
#ifdef HOST
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
#else
	/* One instruction; GCC's release store is a fence plus a store. */
	__asm__ volatile("amoswap.w.rl zero, zero, %0" : "+A"(l->locked)::"memory");
#endif
}

static inline bool spin_is_locked(spinlock_t *l)
{
	return __atomic_load_n(&l->locked, __ATOMIC_RELAXED) != 0;
}

#ifndef HOST
static inline unsigned long spin_lock_irqsave(spinlock_t *l)
{
	unsigned long flags = irq_save();
	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags)
{
	spin_unlock(l);
	irq_restore(flags);
}
#else
static inline unsigned long spin_lock_irqsave(spinlock_t *l)
{
	spin_lock(l);
	return 0;
}

static inline void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags)
{
	(void)flags;
	spin_unlock(l);
}
#endif

#ifdef __cplusplus
}
#endif

#endif
