/*
 * bench.c - the `bench` console command and its helpers (include/bench/bench.h).
 *
 * Every loop is measured with rdinstret before and after; bench_per_op
 * subtracts the cost of the same loop with an empty body, measured once,
 * so insns counts the operation itself (calls included). Ctrl-C at the
 * console is looked for between benchmarks only, never inside a measured
 * loop, so it changes no count.
 */
#include <bench/bench.h>
#include <mm/reclaim.h>
#include <mm/fault_inject.h>
#include <lib/kstring.h>
#include <shell/shell.h>

extern const struct bench *const __start_rvmm_bench[];
extern const struct bench *const __stop_rvmm_bench[];

static u64 loop_overhead_x16; /* empty-loop instructions per iteration, x16 */
static unsigned long nr_failures; /* bench_fail lines since boot */

void bench_fail(const char *fmt, ...)
{
	va_list ap;

	__atomic_fetch_add(&nr_failures, 1, __ATOMIC_RELAXED);
	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
}

static void calibrate(void)
{
	const u64 iters = 4096;
	u64 t0, t1;

	t0 = bench_instret();
	for (u64 i = 0; i < iters; i++)
		__asm__ volatile("" ::: "memory");
	t1 = bench_instret();
	loop_overhead_x16 = (t1 - t0) * 16 / iters;
}

u64 bench_rdinstret_cost(void)
{
	u64 best = ~0ull;

	for (int i = 0; i < 16; i++) {
		u64 t0 = bench_instret();
		u64 t1 = bench_instret();

		if (t1 - t0 < best)
			best = t1 - t0;
	}
	return best;
}

u64 bench_per_op(u64 start, u64 end, u64 iters)
{
	u64 per_x16 = (end - start) * 16 / iters;

	per_x16 = per_x16 > loop_overhead_x16 ? per_x16 - loop_overhead_x16 : 0;
	return (per_x16 + 8) / 16;
}

static bool selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return true;
	return false;
}

static const struct bench *find_bench(const char *name)
{
	for (const struct bench *const *b = __start_rvmm_bench; b < __stop_rvmm_bench; b++)
		if (strcmp((*b)->name, name) == 0)
			return *b;
	return NULL;
}

/* The first argument that names no benchmark, or NULL when all do. */
static const char *unknown_name(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!find_bench(argv[i]))
			return argv[i];
	return NULL;
}

static int cmd_bench(int argc, char **argv)
{
	const char *unknown = unknown_name(argc, argv);
	unsigned long failures = __atomic_load_n(&nr_failures, __ATOMIC_RELAXED);
	unsigned int done = 0;
	struct fault_pause faults;
	bool background, faults_paused, stopped = false;

	/* A misspelt name among good ones is refused before anything runs. */
	if (unknown) {
		kprintf("bench: no benchmark named '%s'; there are:", unknown);
		for (const struct bench *const *b = __start_rvmm_bench; b < __stop_rvmm_bench; b++)
			kprintf(" %s", (*b)->name);
		kprintf("\n");
		return -ENOENT;
	}
	/* Background reclaim and cache_reap off while measuring: a tick on
	 * another hart must not change what the counted paths find. */
	background = mm_background_set(false);
	/* Fault injection off too: the measured loops do not check what they
	 * allocate (a check would be counted), and a routed fast path would
	 * count the slow one. Put back as it was afterwards. */
	faults_paused = fault_inject_pause(&faults);
	if (faults_paused)
		kprintf("bench: fault injection paused while measuring (faultinject shows it after)\n");
	calibrate();
	kprintf("bench: instructions from rdinstret (exact under qemu -icount shift=0, one hart)\n");
	for (const struct bench *const *b = __start_rvmm_bench; b < __stop_rvmm_bench; b++) {
		if (!selected((*b)->name, argc, argv))
			continue;
		/* Between benchmarks: each frees what it used before it returns. */
		if (shell_interrupted()) {
			kprintf("bench: interrupted after %u benchmarks\n", done);
			stopped = true;
			break;
		}
		(*b)->fn();
		done++;
	}
	if (faults_paused)
		fault_inject_resume(&faults);
	mm_background_set(background);
	failures = __atomic_load_n(&nr_failures, __ATOMIC_RELAXED) - failures;
	if (failures)
		kprintf("bench: %lu error or failure line%s above\n", failures, failures == 1 ? "" : "s");
	return failures ? -EIO : stopped ? -EINTR : 0;
}
SHELL_CMD("bench", cmd_bench, "[name...]", "count instructions per allocator operation");
