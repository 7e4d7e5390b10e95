/*
 * reclaim.h - watermarks at work: background reclaim from the harts' ticks,
 * direct reclaim in the allocator's slow path, the periodic cache_reap of
 * the slab allocator, and the counters of all of it in Linux's /proc/vmstat
 * format (mm/reclaim.c; docs/memory.md).
 *
 * rvmm has no threads. What Linux's kswapd and the slab's cache_reap
 * workqueue do runs from mm_tick(), which the port calls on each hart from
 * its idle loop and timer tick. Work one hart needs another to do (empty
 * its magazines: only their own hart touches them) is posted as a bit in
 * that hart's work word and the hart is woken with port_kick_cpu(); the
 * poster never waits for it.
 */
#ifndef RVMM_MM_RECLAIM_H
#define RVMM_MM_RECLAIM_H

#ifdef __cplusplus
extern "C" {
#endif

#include <mm/gfp.h>
#include <mm/mmzone.h>

/* ---- counters (/proc/vmstat) ---- */
enum vm_event_item {
	ALLOCSTALL_DMA,    /* direct reclaim entered, by the request's highest zone */
	ALLOCSTALL_DMA32,
	ALLOCSTALL_NORMAL,
	KSWAPD_WAKEUP,     /* a zone fell below low and woke background reclaim */
	PAGEOUTRUN,        /* background reclaim runs */
	KSWAPD_BALANCED,   /* runs that left every woken zone above high */
	KSWAPD_GAVE_UP,    /* runs that stopped with nothing left to reclaim */
	PGSTEAL_KSWAPD,    /* pages the shrinkers gave back, in background reclaim */
	PGSTEAL_DIRECT,    /* ... in direct reclaim */
	DRAIN_IPI_SENT,    /* requests to another hart to empty its magazines */
	DRAIN_IPI_DONE,    /* such requests carried out */
	DRAIN_PAGES,       /* pages the drained magazines and free slabs gave back */
	SLAB_REAP_RUNS,    /* cache_reap runs (one hart, every cache) */
	SLAB_REAP_OBJECTS, /* objects cache_reap took out of magazines */
	SLAB_REAP_PAGES,   /* slab pages cache_reap gave back */
	NOFAIL_RETRIES,    /* __GFP_NOFAIL reclaim rounds beyond the first */
	ALLOCFAIL_DMA,     /* failed requests that could use the zone */
	ALLOCFAIL_DMA32,
	ALLOCFAIL_NORMAL,
	NR_VM_EVENT_ITEMS
};

extern unsigned long vm_events[NR_VM_EVENT_ITEMS];
extern const char *const vm_event_names[NR_VM_EVENT_ITEMS];

static inline void count_vm_events(enum vm_event_item item, unsigned long n)
{
	__atomic_add_fetch(&vm_events[item], n, __ATOMIC_RELAXED);
}

/* Print the counters as Linux's /proc/vmstat does: "name value" lines. */
void show_vmstat(const struct pglist_data *node);

/* ---- the tick ---- */
/* This hart's due work: posted requests (empty the magazines, reap),
 * cache_reap when its interval has passed, background reclaim when a zone
 * woke it. @now_us: the port's clock, which must advance between ticks
 * (where the hardware clock stands still the port counts idle time). */
void mm_tick(u64 now_us);
/* For a port whose other harts cannot tick themselves (no timer: they
 * sleep until kicked): post a reap to, and kick, every other hart whose
 * cache_reap is due at @now_us. */
void mm_tick_kick_due(u64 now_us);
/* The longest a hart may sleep before its next mm_tick is due, in
 * microseconds; 0 when nothing periodic is on (sleep until kicked). */
u64 mm_tick_interval_us(void);
/* Has another hart posted work for @cpu (wake it from idle)? */
bool mm_cpu_work_pending(unsigned int cpu);

/* ---- background reclaim ("kswapd") ---- */
/* The zone fell below its low watermark: wake background reclaim, unless
 * it is already awake for the zone. */
void wakeup_kswapd(struct zone *z);
/* Run background reclaim on this hart now: drain every hart's page
 * lists, run the shrinkers, ask the other harts to empty their magazines,
 * until every woken zone is above its high watermark or nothing more comes
 * back. Returns true when it left them all above high. */
bool kswapd_run(struct pglist_data *node);
/* Background reclaim and periodic cache_reap on or off (ktests that assert
 * exact counts run with them off; the previous setting is returned).
 * Turning it off forgets pending wakeups. Direct reclaim and posted drains
 * are not affected. */
bool mm_background_set(bool on);

/* ---- direct reclaim (the allocator's slow path) ---- */
/* One round for a request that found every zone at its floor: this hart's
 * posted work, the shrinkers, every page list drained; with __GFP_NOFAIL a
 * drain request to every other hart too. Returns the pages the shrinkers
 * gave back. */
unsigned long direct_reclaim(struct pglist_data *node, gfp_t gfp);
/* Ask every other online hart to empty its magazines (no waiting). */
void request_remote_drain(void);
/* Drains asked for and not yet carried out. */
unsigned long reclaim_drains_outstanding(void);

/* ---- periodic cache_reap (2.6.20 slab) ---- */
/* Default interval; boot parameter slab_reap=MS (0: off). */
#define SLAB_REAP_DEFAULT_MS 2000
/* The interval in ms (0: off); setting it returns the previous one. */
unsigned long slab_reap_interval_ms(void);
unsigned long slab_reap_set_interval_ms(unsigned long ms);
/* cache_reap runs on @cpu completed so far. */
unsigned long slab_reap_runs_on(unsigned int cpu);
/* The same as a seqcount: twice the completed runs, plus one while a run is
 * changing @cpu's magazines. A reader that sees the same even value before
 * and after (an acquire fence between its reads and the second load) read
 * the magazines between two runs. */
unsigned long slab_reap_seq_on(unsigned int cpu);

struct slab_reap_stats {
	unsigned long objects; /* taken out of this hart's magazines */
	unsigned long pages;   /* free slab pages given back */
	unsigned long skipped; /* caches whose lock was busy (left for later) */
};
/*
 * mm/slab.c: Linux's cache_reap and drain_array for the running hart. For
 * every cache whose lock it takes without waiting: the magazine gives back
 * its oldest (limit + 4) / 5 objects, or half of what it holds (rounded
 * up) when that is fewer; with @all, every object. Then the free slabs
 * beyond the one kept (all of them with @all) go back to the page
 * allocator. Adds what it did to @r.
 */
void slab_cache_reap(bool all, struct slab_reap_stats *r);

#ifdef __cplusplus
}
#endif

#endif
