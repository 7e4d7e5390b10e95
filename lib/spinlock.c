/*
 * spinlock.c - the hook lib/spinlock.h's waiters call on a host build:
 * spin_yield, NULL (spin only) until the host port sets it to the system's
 * sched_yield (port/host_common.c); a test may count the calls through it.
 * The kernel's waiters only spin: a hart holding a lock is never
 * descheduled.
 */
#ifdef HOST
#include <lib/spinlock.h>

int (*spin_yield)(void);
#endif
