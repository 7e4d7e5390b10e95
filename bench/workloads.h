/*
 * workloads.h - the benchmark workloads of bench/workloads.c and the engine
 * that runs them against any allocator through struct churn_ops (churn.h),
 * so that SLOB, the slab caches and picolibc's malloc see exactly the same
 * requests. bench/memmap_timeline.c runs the engine too.
 *
 * The engine is churn's slot scheme (bench/churn.h), generalised:
 *   - a table of `slots` short-lived slots, all empty at the start;
 *   - `steps` steps; each draws r = xorshift64() and takes slot r % slots:
 *     an occupied slot is freed (after checking its first and last byte),
 *     an empty one gets an allocation whose size comes from a second draw s:
 *     s % 1000 picks from the size table (weights in per mille, cumulative
 *     in table order); the tag byte t = (s >> 32) & 0xff goes to the first
 *     byte and ~t to the last;
 *   - with long_permille > 0, an allocation is long-lived when
 *     (s >> 40) % 1000 < long_permille: it goes to the long-lived table
 *     (while that has room) and stays allocated until the end, and its
 *     short slot stays empty;
 *   - after the last step, everything still allocated is checked and freed
 *     (short slots in index order, then the long-lived table; with
 *     drain_keep = k > 1, first the short slots whose index is not a
 *     multiple of k, then the rest).
 * Only the allocator calls are counted, as in churn: rdinstret immediately
 * around each call, less the cost of two back-to-back reads.
 *
 * wl_run makes no kernel call besides ops->alloc / ops->free and the hooks,
 * and reads no per-hart data: with no hooks it runs with tp elsewhere
 * (picolibc_run in bench/picolibc_glue.c).
 */
#ifndef RVMM_BENCH_WORKLOADS_H
#define RVMM_BENCH_WORKLOADS_H

#include <lib/kernel.h>

#include "churn.h"

struct wl_size {
	u32 size;
	u32 weight; /* per mille; a table's weights sum to 1000 */
};

struct wl_spec {
	const struct wl_size *sizes;
	unsigned int nr_sizes;
	u32 slots;         /* short-lived slots */
	u32 steps;
	u32 long_permille; /* allocations kept until the end (0: none) */
	u32 long_max;      /* room in the long-lived table */
	u64 seed;
	u32 drain_keep;    /* > 1: the final frees first spare every drain_keep-th
			    * short slot, then free those (0, 1: one pass) */
};

/* One slot: a live block, its requested size and its tag. */
struct wl_slot {
	u8 *p;
	u32 size;
	u8 tag;
};

struct wl_result {
	u64 allocs, frees;           /* allocator calls during the steps */
	u64 insns;                   /* instructions inside them (calibrated) */
	u64 alloc_insns, free_insns;
	u64 failed_allocs, corrupt, final_frees;
	u64 live, max_live;          /* blocks */
	u64 live_bytes, peak_live_bytes; /* requested bytes */
	u64 long_lived;              /* blocks that went to the long-lived table */
	u64 rdinstret_cost;
	u32 steps_done;              /* spec->steps, or fewer when hooks->stop ended them */
};

/* WL_SHRUNK, WL_PCP_DRAINED: for callers' own samples after the run. */
enum wl_phase { WL_STEPS, WL_DRAIN, WL_SHRUNK, WL_PCP_DRAINED };

/* Calls between steps, not counted. sample: every `every` steps, and every
 * `every` frees while draining (step counts on past `steps` then); at_end:
 * after the last step, before anything is freed; stop: every WL_STOP_POLL
 * steps, and when it returns true the steps end there (r->steps_done says
 * how many ran) and the drain frees everything as usual. Any may be NULL. */
struct wl_hooks {
	u32 every;
	void (*sample)(u32 step, enum wl_phase phase, const struct wl_result *r, void *arg);
	void (*at_end)(const struct wl_result *r, void *arg);
	bool (*stop)(void);
	void *arg;
};

#define WL_STOP_POLL 4096

/* Slots a spec needs: slots + long_max of them (the caller provides). */
static inline unsigned long wl_table_bytes(const struct wl_spec *s)
{
	return (unsigned long)(s->slots + s->long_max) * sizeof(struct wl_slot);
}

void wl_run(const struct wl_spec *s, struct wl_slot *table, const struct churn_ops *ops,
	    const struct wl_hooks *h, struct wl_result *r);

/* Instructions per operation (each alloc and each free is one), rounded. */
u64 wl_insns_per_op(const struct wl_result *r);

/* The page allocator's free memory and fragmentation, now (mem_node):
 *   free_pages      in the buddy lists and on per-hart lists;
 *   largest_order   the largest order with a free block (-1: none);
 *   frag_permille   1000 * (1 - largest free block / free pages);
 *   unusable_permille  1000 * (free pages not in blocks of the largest
 *                   possible order, MAX_ORDER - 1 / free pages): Linux's
 *                   unusable free space index for a 4 MiB request. */
struct page_frag {
	unsigned long free_pages;
	int largest_order;
	unsigned int frag_permille, unusable_permille;
};
void page_frag_now(struct page_frag *f);

/* The realistic kernel size table (bench/workloads.c: its source). */
extern const struct wl_size wl_kernel_sizes[];
extern const unsigned int wl_nr_kernel_sizes;

/* Give the kmalloc-N caches' free slabs back (this hart's magazines too),
 * and kmalloc's SLOB heap its idle pages. */
void wl_shrink_kmalloc_caches(void);

/*
 * The state every kmalloc=slab benchmark starts from, and what kmalloc
 * holds then (kmalloc_held_bytes: the run's base, which its peak is counted
 * from). Every kmalloc-N cache is made, as in a running kernel (there the
 * first kmalloc of each class made it long ago), and then shrunk as above.
 * So a run's peak is the memory its own objects took, whatever ran before
 * it in the same boot: the caches' descriptors and magazine arrays (made on
 * a class's first use, about 15 KiB on one hart) are in the base, as SLOB's
 * heap head and picolibc's state are outside their peaks, and the lines
 * report them apart (meta_kb).
 */
unsigned long wl_kmalloc_fresh_start(void);

#endif
