/*
 * bench.h - benchmarks that count instructions.
 *
 * A benchmark registers with BENCH(name, fn); the `bench` console command
 * runs them all (or those named) and each prints lines
 *   bench: NAME key=value ...
 * where insns is RISC-V instructions per operation, read from the instret
 * counter. The counts are exact only under `qemu -icount shift=0` on one
 * hart (make bench); elsewhere they follow the host clock. A benchmark
 * that could not run or found a problem says so through bench_fail, and
 * the command then fails (-EIO).
 */
#ifndef RVMM_BENCH_H
#define RVMM_BENCH_H

#include <lib/kernel.h>

struct bench {
	const char *name;
	void (*fn)(void);
};

#define BENCH(bname, func)                                                  \
	static const struct bench bench_##func = { bname, func };          \
	static const struct bench *const bench_ptr_##func                  \
		__attribute__((used, section("rvmm_bench"), aligned(8))) = &bench_##func

/* Print a "bench: NAME error: ..." or "bench: NAME failed: ..." line and
 * count it: the `bench` command that ran it returns -EIO (any hart). */
void bench_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Instructions per iteration of a loop that ran @iters times between the
 * instret readings @start and @end, less the loop's own overhead. */
u64 bench_per_op(u64 start, u64 end, u64 iters);

#ifdef HOST
/* The host build (bench/churn.c in the host tests) has no such counter:
 * it counts nothing, and what it measures is memory (peak pages). */
static inline u64 bench_rdinstret_cost(void)
{
	return 0;
}

static inline u64 bench_instret(void)
{
	return 0;
}
#else
/* Cost of two back-to-back instret reads (the smallest of a few tries):
 * what timing a single call around its own reads adds. */
u64 bench_rdinstret_cost(void);

static inline u64 bench_instret(void)
{
	u64 v;
	__asm__ volatile("rdinstret %0" : "=r"(v)::"memory");
	return v;
}
#endif

#endif
