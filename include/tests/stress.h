/*
 * stress.h - the allocator stress run (tests/stress.c): random mixed
 * operations on every hart at once with content verification, then a
 * count of what did not come back. The `stress [ops] [seed]` command, the
 * ktest suites `stress` and `fault`, and `make stress` use it.
 */
#ifndef RVMM_STRESS_H
#define RVMM_STRESS_H

#include <lib/kernel.h>

struct stress_result {
	unsigned long ops;            /* operations done, all harts */
	unsigned long errors;         /* wrong contents, bad pointers, checker findings, lost objects */
	long leaked_pages;            /* pages not back after freeing everything (0 expected) */
	unsigned long allocs, frees;  /* successful allocations, frees */
	unsigned long reallocs;       /* krealloc calls that succeeded */
	unsigned long passes;         /* objects handed to another hart through the exchange */
	unsigned long alloc_failures; /* allocations that returned NULL (survived) */
	unsigned long shrinks, drains;
	unsigned int harts;
	bool interrupted;             /* stop said so before all ops were done */
	u64 usecs;                    /* time the operations took */
};

/*
 * Run @ops operations split over every online hart (on_each_hart), with
 * per-hart random sequences from @seed: allocate (pages of order 0-4 with
 * assorted gfp flags; kmalloc of 1 byte to 32 KiB on the current backend,
 * kzalloc; objects of four kmem_caches, one with a constructor), free
 * (__free_pages, free_pages, get_page + put_page; kfree; kmem_cache_free),
 * krealloc, pass an object to another hart, now and then shrink a cache or
 * drain the per-hart page lists. Every object is filled with a pattern
 * derived from its address and an allocation tag, checked when it is
 * freed or reallocated. At the end everything is freed, every hart shrinks
 * every cache, the page lists are drained, and the free page count is
 * compared with the one at the start (allocator metadata that legitimately
 * stays, such as new magazines, is accounted for); node_check, slob_check
 * and kmem_cache_check must find nothing. Call from one hart while the
 * others are idle. @stop (NULL: none) is called on every hart every 4096
 * operations; once it returns true on any hart, every hart stops taking
 * operations, and everything is freed and checked as after a full run
 * (r->interrupted is set, r->ops counts what was done; the console's
 * shell_interrupted). Returns 0, or -ENOMEM if the run could not start.
 */
int stress_run(unsigned long ops, u64 seed, bool (*stop)(void), struct stress_result *r);

/* "stress: ops=N errors=E leaked_pages=L" and a line of details, after
 * "stress: interrupted after N operations" when the run was stopped. */
void stress_print(const struct stress_result *r);

#endif
