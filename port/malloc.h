/*
 * malloc.h - what port/malloc.c (the port inside build/librvmm-malloc.so)
 * gives the malloc shim (malloc/shim.c): hart leases for threads.
 *
 * Every call into mm/ runs between hart_enter() and hart_exit(). The first
 * hart_enter of a thread leases it one of the MAX_HARTS hart slots (the one
 * with the fewest threads; the lease ends when the thread exits), and every
 * hart_enter takes that slot's lock, so mm/'s per-hart state (slab
 * magazines, per-hart page lists) is only ever used by one thread at a
 * time even when threads outnumber slots. With at most MAX_HARTS threads
 * each slot has one thread and its lock is never contended.
 */
#ifndef RVMM_PORT_MALLOC_H
#define RVMM_PORT_MALLOC_H

#include <stdarg.h>
#include <stddef.h>

#include <lib/kernel.h>
#include <lib/spinlock.h>

struct hart_slot {
	union {
		struct {
			spinlock_t lock; /* held while a thread is inside mm/ on this slot */
			int owed;        /* threads owed the lock (waiting long, or a fork): entering waits */
		};
		u64 lock_owed; /* both: the entries' one compare-and-swap (slot_take) */
	};
	unsigned int lessees;  /* threads leasing the slot */
	unsigned long calls[8]; /* the shim's counters (malloc/shim.c), under lock */
	unsigned long request;  /* the shim's malloc size, kept for its slow path */
	unsigned long caller;   /* RVMM_MALLOC_DEBUG=U: the program's call being served */
} __aligned(64);

extern struct hart_slot hart_slots[MAX_HARTS];
/* The calling thread's leased slot, NULL before its first lease; kept
 * after the lease ended (the thread's last frees, as it exits, run on it
 * uncounted): one thread-local load on every call. */
extern __thread struct hart_slot *hart_mine __attribute__((tls_model("initial-exec")));
/* True on the forking thread while fork's handlers hold every slot's lock
 * (from the end of the prepare handler to the start of the parent's or
 * child's): no other thread is inside mm/ then, so that thread's own calls
 * (other atfork handlers that allocate, which run in that window when they
 * were registered before this library's) enter mm/ without taking or
 * giving back a lock. Waiting for its own lock hung such a program. */
extern __thread bool hart_fork_holder __attribute__((tls_model("initial-exec")));

/* Drop the whole pages inside [start, end) of the heap (MADV_DONTNEED on
 * its private anonymous mapping: they read as zeros and take no memory
 * until touched); true when there were none or the system dropped them (it
 * refuses locked pages, after mlock or mlockall). errno is left as it was:
 * a realloc or calloc that succeeds does not change it. */
bool heap_drop_pages(uintptr_t start, uintptr_t end);

/* port_zero_pages (mm/port.h) writes a range below this many bytes whole;
 * of a longer one it writes the pages resident and drops the others. */
#define ZERO_LAZY_MIN (128ul << 10) /* glibc's M_MMAP_THRESHOLD default */

/* Lease the calling thread a slot (it has none); returns it. */
struct hart_slot *hart_lease(void);

_Static_assert(sizeof(spinlock_t) == sizeof(int), "hart_slot.lock_owed covers the lock and owed exactly");

/* The value of hart_slot.lock_owed with the lock taken and owed to none. */
#define SLOT_TAKEN (((struct hart_slot){ .lock = { 1 } }).lock_owed)

/* Take @slot's lock if it is free and owed to no other thread: one
 * compare-and-swap of both fields (the lock is given back with a store to
 * its own half, spin_unlock), as many instructions as the lock's own
 * trylock. */
static inline bool slot_take(struct hart_slot *slot)
{
	u64 free = 0;

	return __atomic_compare_exchange_n(&slot->lock_owed, &free, SLOT_TAKEN, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

/* Enter mm/ on @slot when its lock is taken or owed to others (below). */
void hart_enter_contended(struct hart_slot *slot);

/* Enter mm/ on @slot, this thread's leased slot (hart_mine, or
 * hart_lease's result when it was NULL); returns it. A thread that waits
 * long for the lock is owed it (hart_slot.owed) until it has it: threads
 * entering meanwhile wait their turn behind it rather than take the lock
 * as it comes free (port/malloc.c, hart_enter_contended). */
static inline struct hart_slot *hart_enter(struct hart_slot *slot)
{
	if (unlikely(hart_fork_holder))
		return slot; /* its lock is held for fork by this very thread */
	if (unlikely(!slot_take(slot)))
		hart_enter_contended(slot);
	return slot;
}

/* Enter mm/ on this thread's slot if it has one and its lock is free at
 * once and owed to no other thread (the fast path); NULL otherwise,
 * nothing taken. */
static inline struct hart_slot *hart_try_enter(void)
{
	struct hart_slot *slot = hart_mine;

	if (likely(slot) && likely(slot_take(slot)))
		return slot;
	return NULL;
}

/* Leave mm/ after a hart_try_enter that returned @slot: it took the lock,
 * so this thread is not fork's holder (whose trylock fails on every slot):
 * the fast paths give the lock back without hart_exit's test. */
static inline void hart_exit_tried(struct hart_slot *slot)
{
	spin_unlock(&slot->lock);
}

static inline void hart_exit(struct hart_slot *slot)
{
	if (unlikely(hart_fork_holder))
		return; /* fork's handlers give the locks back */
	spin_unlock(&slot->lock);
}

/* Register the fork handlers (from a constructor: registering may call
 * malloc). After fork the child's slots are free and its only thread keeps
 * its lease. Handlers registered before these (by the constructor of a
 * library initialised before this one) run while the slots are held and
 * may allocate (hart_fork_holder). */
void hart_fork_handlers(void);

/* How many passes of trylocks over the slots hart_each_free_slot and
 * hart_on_free_slot make at most. */
#define HART_EACH_PASSES 256

/* Run @fn on each slot whose lock the calling thread takes within
 * HART_EACH_PASSES passes (port/malloc.c); returns the slots missed. */
unsigned int hart_each_free_slot(void (*fn)(void *arg), void *arg);

/* Hold every slot's lock but @own's (the caller holds that one, inside an
 * operation), taken in passes of trylocks as fork's prepare handler takes
 * them: true with all held; false, holding none of them, when some stayed
 * taken for HART_EACH_PASSES passes (port/malloc.c). With them held no
 * other thread is inside mm/ and the magazines are quiet. */
bool hart_hold_others(const struct hart_slot *own);
void hart_release_others(const struct hart_slot *own);

/* Run @fn as the first slot whose lock the calling thread takes (its own
 * tried first), or as its own slot after HART_EACH_PASSES passes found none
 * free (port/malloc.c). */
void hart_on_free_slot(void (*fn)(void *arg), void *arg);

/* Free blocks given back to the system so far (port_release_free_block:
 * madvise of a free block of 1 MiB or more); malloc_trim compares it. */
extern unsigned long port_malloc_releases;

/* Where kprintf writes: standard error (one write per call). */
void port_malloc_stderr_sink(const char *s, size_t n);

/* Write @prefix and the formatted message, then a newline, to standard
 * error whether or not kprintf is switched off, and abort (the library's
 * fatal errors and its panic). */
void port_malloc_vdie(const char *prefix, const char *fmt, va_list ap)
	__attribute__((noreturn, format(printf, 2, 0)));

#endif
