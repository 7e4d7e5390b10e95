/*
 * spinlock.h - test-and-test-and-set spinlocks with the interrupt-masking
 * variants. Hold times must be short: a waiter spins.
 */
#ifndef RVMM_SPINLOCK_H
#define RVMM_SPINLOCK_H

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

static inline void spin_lock_contended(spinlock_t *l)
{
	do {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			;
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

#endif
