/*
 * churn.h - the churn workload (bench/churn.c): one fixed sequence of
 * mallocs and frees that runs against any allocator through struct
 * churn_ops, so that different allocators are measured on exactly the same
 * requests.
 *
 * Definition:
 *   - a table of CHURN_SLOTS (4096) slots, all empty at the start;
 *   - CHURN_STEPS (200000) steps; each draws r = xorshift64() and takes slot
 *     r % 4096. An occupied slot is freed (after checking its bytes); an
 *     empty one gets an allocation whose size comes from a second draw s:
 *     s % 100 picks from the weights
 *         16:20  32:20  64:20  128:10  192:8  256:8  512:6  1024:4  3000:2  8192:2
 *     (cumulative, in that order), and the tag byte t = (s >> 32) & 0xff is
 *     written to the block's first byte and ~t to its last;
 *   - the generator is Marsaglia's xorshift64 (x ^= x << 13; x ^= x >> 7;
 *     x ^= x << 17) seeded with CHURN_SEED = 0x2545f4914f6cdd1d;
 *   - a free first checks the two bytes: a mismatch counts as corruption;
 *   - at the end every slot still occupied is checked and freed.
 * Each step is one operation (an alloc or a free). Only the allocator calls
 * are counted: rdinstret is read immediately before and after each call and
 * the difference, less the calibrated cost of two back-to-back rdinstret
 * reads (1 on QEMU -icount: the first read itself), is accumulated. So the
 * count includes the indirect call through the ops struct and whatever the
 * ops function does (a wrapper's few instructions for rvmm; picolibc's
 * malloc and free are called directly), but not the workload's own work.
 * The final frees are checked but not counted.
 *
 * churn_run makes no kernel calls besides ops->alloc/ops->free (and the
 * compiler's memset for the table), and reads no per-hart data: it can run
 * with tp pointing somewhere else (bench/picolibc_glue.c does that).
 */
#ifndef RVMM_BENCH_CHURN_H
#define RVMM_BENCH_CHURN_H

#include <lib/kernel.h>

#define CHURN_SLOTS 4096
#define CHURN_STEPS 200000
#define CHURN_SEED 0x2545f4914f6cdd1dull

struct churn_ops {
	void *(*alloc)(size_t size);
	void (*free)(void *p);
};

struct churn_result {
	u64 allocs, frees;       /* allocator calls during the steps */
	u64 insns;               /* instructions inside them (calibrated) */
	u64 alloc_insns, free_insns; /* the same, split */
	u64 failed_allocs;       /* alloc returned NULL (during steps or not) */
	u64 corrupt;             /* blocks whose first or last byte changed */
	u64 final_frees;         /* blocks freed after the last step */
	u64 max_live;            /* most blocks live at once */
	u64 rdinstret_cost;      /* the calibration: two back-to-back reads */
};

/* Run the workload against @ops; fills @r (zeroed first). */
void churn_run(const struct churn_ops *ops, struct churn_result *r);
/* The same with another seed (nonzero) in place of CHURN_SEED: the same
 * size mix and slot table on other sequences of requests, for judging a
 * change beyond the one sequence the benchmark measures (make churn-peak
 * SEEDS=N). */
void churn_run_seed(const struct churn_ops *ops, struct churn_result *r, u64 seed);

/* Instructions per operation, per alloc and per free; rounded. */
u64 churn_insns_per_op(const struct churn_result *r);
u64 churn_insns_per_alloc(const struct churn_result *r);
u64 churn_insns_per_free(const struct churn_result *r);

/*
 * picolibc's nano-malloc on the same workload (bench/picolibc_glue.c):
 * gives it a fresh 4 MiB sbrk region from the page allocator, runs
 * churn_run with tp on a scratch TLS block and interrupts masked, and
 * returns the region. *peak_bytes: the highest break minus its start.
 * Returns 0, or a negative errno (no memory, TLS layout not as expected).
 * *errno_out: picolibc's errno after the run (0 unless a malloc failed).
 */
int picolibc_churn(struct churn_result *r, unsigned long *peak_bytes, int *errno_out);

/* The same set-up around any run: @fn gets picolibc's malloc and free as
 * @ops and must make no kernel call (tp is on the scratch block). */
int picolibc_run(void (*fn)(const struct churn_ops *ops, void *arg), void *arg,
		 unsigned long *peak_bytes, int *errno_out);

#endif
