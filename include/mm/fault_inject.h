/*
 * fault_inject.h - allocation failures on purpose, after Linux's
 * fail_page_alloc and failslab (mm/fault_inject.c; docs/reliability.md).
 *
 * Boot parameters (and the `faultinject` console command) take a spec:
 *
 *   fail_page_alloc=RATE[,times=N][,order=N][,verbose=N][,seed=N]
 *   failslab=RATE[,times=N][,cache=NAME][,verbose=N][,seed=N]
 *
 *   RATE      P%  fail each eligible call with probability P percent (0..100)
 *             N   fail every Nth eligible call (N >= 1: 1 fails them all)
 *   times=N   inject at most N failures, then none (default: no limit)
 *   order=N   fail_page_alloc: only allocations of order N (default: any)
 *   cache=NAME failslab: only the slab cache NAME (as slabinfo names it), or
 *             "kmalloc" for kmalloc's SLOB heap and its bigblocks
 *             (default: every slab cache, the SLOB heap and bigblocks)
 *   verbose=N print the first N injected failures (default 10; 0: none)
 *   seed=N    the random sequence of P% (per hart; default 1)
 *
 * Boot parameters take effect once the kernel is up (all harts online,
 * before run= and ktest=): what booting allocates is never failed.
 *
 * Injection costs nothing while it is off: the allocators' fast paths are
 * untouched. While it is on, allocations are routed around them instead:
 * fail_page_alloc binds every hart's allocation slots to an always-empty
 * stack, so each request reaches alloc_pages_slow (where the check is);
 * failslab gives each targeted cache magazines of capacity 0 (as a debug
 * cache has), so each request reaches kmem_cache_alloc_slow, and sends
 * kmalloc's SLOB heap down its slow path. An injected failure returns NULL
 * exactly where a real one would, and obeys __GFP_NOWARN: without it the
 * first `verbose` failures print a line, with it nothing is printed.
 */
#ifndef RVMM_FAULT_INJECT_H
#define RVMM_FAULT_INJECT_H

#ifdef __cplusplus
extern "C" {
#endif

#include <config.h>
#include <mm/gfp.h>
#include <mm/mm.h>
#include <lib/kernel.h>

#define FAULT_NAME_LEN 32 /* SLAB_NAME_LEN */
#define FAULT_VERBOSE_DEFAULT 10

struct fault_attr {
	const char *name; /* "fail_page_alloc", "failslab" */
	bool active;

	/* the spec */
	unsigned int probability; /* percent; used when interval is 0 */
	unsigned long interval;   /* fail every interval-th eligible call; 0: by probability */
	long times;               /* failures left to inject; -1: no limit */
	int order;                /* fail_page_alloc: only this order; -1: any */
	char cache[FAULT_NAME_LEN]; /* failslab: only this cache; "": any */
	unsigned long verbose;    /* failures to print */
	u64 seed;

	/* counters (reset when injection is set, kept when it is cleared) */
	unsigned long calls;    /* eligible calls while active */
	unsigned long failures; /* failures injected */
	unsigned long nowarn;   /* of which with __GFP_NOWARN */
	unsigned long printed;  /* failures printed */

	u64 rng[MAX_HARTS]; /* per-hart xorshift state for P% */
};

extern struct fault_attr fail_page_alloc;
extern struct fault_attr failslab;

/*
 * Parse @spec (the text after "fail_page_alloc=" or "failslab=") into @cfg
 * (name and counters untouched). "off" is accepted and leaves cfg->active
 * false. Returns 0 or -EINVAL (nothing usable is kept then).
 */
int fault_attr_parse(struct fault_attr *cfg, const char *spec);

/*
 * Runtime control (tests, the console). Set parses @spec, resets the
 * counters and starts injecting; set with "off" or clear stops it and
 * restores the fast paths (counters are kept). Other harts must not be
 * allocating meanwhile (magazines are emptied and slots rebound).
 * Returns 0 or -EINVAL (injection then stays as it was).
 */
int fault_inject_set(struct fault_attr *a, const char *spec);
void fault_inject_clear(struct fault_attr *a);

/*
 * Pause both injectors and resume them as they were: spec, counters, the
 * times budget and each hart's random sequence (the ktest runner pauses
 * them for the suites whose assertions need allocations to succeed).
 * Whatever was set or cleared in between is replaced by what was saved.
 * Same rule as set and clear: no other hart allocates meanwhile.
 */
struct fault_pause {
	struct fault_attr page, slab;
};
bool fault_inject_pause(struct fault_pause *p); /* false: both were off, nothing paused */
void fault_inject_resume(const struct fault_pause *p);

/* Start what the boot parameters armed (kmain, once every hart is up:
 * boot-time allocations are never failed). Prints the state when any is. */
void fault_inject_boot_start(void);

/* Does failslab's cache=NAME name a cache that exists now (a slab cache,
 * or kmalloc's SLOB heap, "kmalloc")? True without cache=. A name no
 * cache has is kept: a cache of that name made later is failed (its
 * kmem_cache_create reads the rule), so the console says it instead of
 * refusing it. */
bool failslab_target_exists(void);

/* The spec in the form fault_attr_parse takes ("off" when inactive). */
void fault_attr_spec(const struct fault_attr *a, char *buf, size_t size);

/* Print both injectors' state and counters (the faultinject command). */
void fault_inject_show(void);


/* Are the per-hart allocation fast paths (order 0 and orders 1 ..
 * PCP_MAX_ORDER: mm/page_alloc.c) routed around? While injection may fail
 * any of their orders. */
static inline bool fail_page_alloc_routes_pcp(void)
{
	return fail_page_alloc.active && fail_page_alloc.order <= PCP_MAX_ORDER;
}


#ifdef __cplusplus
}
#endif

#endif
