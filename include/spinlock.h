/*
 * spinlock.h - test-and-test-and-set spinlocks with the interrupt-masking
 * variants. Hold times must be short: a waiter spins.
 */
#ifndef RVMM_SPINLOCK_H
#define RVMM_SPINLOCK_H

#include <kernel.h>
#ifndef HOST
#include <riscv.h>
#endif

typedef struct {
	int locked;
} spinlock_t;

#define SPINLOCK_INIT { 0 }

static inline void spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			;
}

static inline bool spin_trylock(spinlock_t *l)
{
	return !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
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
