/*
 * ktest.c - the self-test runner (see include/tests/ktest.h).
 *
 * Suites are found through the "rvmm_ktests" section, which holds one pointer
 * per KTEST_SUITE(). The kernel's linker script names its bounds; on the host
 * the toolchain provides __start_/__stop_ symbols for it. Cases run one after
 * another on the calling hart; a case that needs other harts uses
 * on_each_hart() itself.
 */
#include <lib/kernel.h>
#include <lib/kstring.h>
#include <tests/ktest.h>
#include <mm/kasan.h>
#include <mm/kfence.h>
#include <mm/fault_inject.h>

#ifdef CONFIG_KASAN
/*
 * The KASAN kernel (docs/reliability.md) runs every suite with KASAN on,
 * but for the suites that test the allocators themselves: slab_debug plants
 * the bugs slab_debug must find (KASAN's checks are off there, or it would
 * take the double frees itself); kmalloc works SLOB's private heaps through
 * their own calls, which KASAN does not follow, and fills blocks to their
 * ksize (checks off too), as vmalloc fills its areas to the page (KASAN
 * makes the tail past the size asked a red zone); kmalloc, slab,
 * vmalloc and reclaim assert exact bookkeeping (objects in magazines) and
 * the reuse order of freed blocks (the quarantine is off there: a free goes
 * straight back).
 */
static void kasan_suite_mode(const char *suite, bool begin)
{
	bool own_checks = !strcmp(suite, "slab_debug") || !strcmp(suite, "kmalloc") ||
			  !strcmp(suite, "vmalloc");
	/* suites that count objects in magazines and the order of reuse */
	bool exact = own_checks || !strcmp(suite, "slab") || !strcmp(suite, "reclaim");

	if (own_checks)
		kasan_set_checks(!begin);
	if (exact)
		kasan_set_quarantine(!begin);
}
#else
static void kasan_suite_mode(const char *suite, bool begin)
{
	(void)suite;
	(void)begin;
}
#endif

/* Is @suite one of the @n names in @names (a pause list below)? */
static bool suite_listed(const char *suite, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(suite, names[i]) == 0)
			return true;
	return false;
}

/*
 * KFENCE (kfence.sample_interval=) serves a sampled allocation from its own
 * pool, outside the linear map and every slab. The suites that assert where
 * their objects lie and what their caches' own checks find (slab_debug's
 * planted bugs, slab, kmalloc and vmalloc's page types and counts,
 * page_owner's and fault's owners and heaps) run with sampling paused; the
 * rest (zones, zone_paths: the zone contract holds under KFENCE too; kfence
 * turns it on for itself) run with it on. Returns the interval to restore.
 */
static unsigned long kfence_suite_pause(const char *suite)
{
	static const char *const exact[] = { "slab_debug", "slab", "kmalloc", "vmalloc", "page_owner",
					     "fault", "whatis" };
	unsigned long interval = kfence_get_interval();

	if (interval && suite_listed(suite, exact, ARRAY_SIZE(exact)) && kfence_set_interval(0) == 0)
		return interval;
	return 0;
}

/*
 * Fault injection (fail_page_alloc=, failslab=; docs/reliability.md) is
 * paused for the suites whose assertions need their allocations to succeed:
 * they exhaust memory and expect the allocator's own refusal, count every
 * object and page, plant bugs in objects they must get, or expect every
 * hart's allocations to succeed. The rest run with injection on: fault and
 * stress are written to check the failure paths (every NULL survived,
 * nothing leaked, the checkers clean), the others hold under it too.
 * Returns whether anything was paused (to resume after the suite).
 */
static bool fault_suite_pause(const char *suite, struct fault_pause *p)
{
	static const char *const need_success[] = {
		"page_alloc", "page_owner", "paging", "reclaim", "reclaim_pressure", "shell",
		"slab_debug", "slab", "kmalloc", "vmalloc", "zone_paths", "zones", "mm_report", "whatis",
		"meminit", "dma", "cma"
	};

	if (!suite_listed(suite, need_success, ARRAY_SIZE(need_success)) || !fault_inject_pause(p))
		return false;
	kprintf("# %s: fault injection paused (its cases need their allocations to succeed)\n", suite);
	return true;
}

extern const struct ktest_suite *const __start_rvmm_ktests[];
extern const struct ktest_suite *const __stop_rvmm_ktests[];

size_t ktest_nr_suites(void)
{
	return (size_t)(__stop_rvmm_ktests - __start_rvmm_ktests);
}

const struct ktest_suite *ktest_suite_at(size_t i)
{
	return i < ktest_nr_suites() ? __start_rvmm_ktests[i] : NULL;
}

bool ktest_streq_(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

void ktest_all_planted_caught(struct ktest *t, const char *tool, unsigned int caught,
			      unsigned int planted)
{
	kprintf("%s: %u of %u planted bugs caught\n", tool, caught, planted);
	EXPECT(planted > 0);
	EXPECT_EQ(caught, planted);
}

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...)
{
	char reason[128];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (t->failures++ == 0)
		ksnprintf(t->first_failure, sizeof(t->first_failure), "%s:%d: %s",
			  file, line, reason);
	else
		kprintf("    # also %s:%d: %s\n", file, line, reason);
}

void ktest_skip(struct ktest *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(t->skipped, sizeof(t->skipped), fmt, ap);
	va_end(ap);
	if (!t->skipped[0])
		kstrlcpy(t->skipped, "skipped", sizeof(t->skipped));
}

/* Whether to run no more cases: @stop (may be NULL) said so, now or before. */
static bool stopping(bool (*stop)(void), struct ktest_totals *tot)
{
	if (!tot->interrupted && stop && stop())
		tot->interrupted = true;
	return tot->interrupted;
}

static void run_suite(const struct ktest_suite *s, bool (*stop)(void), struct ktest_totals *tot)
{
	unsigned long kfence_paused = kfence_suite_pause(s->name);
	struct fault_pause faults;
	bool faults_paused = fault_suite_pause(s->name, &faults);

	kasan_suite_mode(s->name, true);
	for (size_t i = 0; i < s->nr_cases && !stopping(stop, tot); i++) {
		struct ktest t = { .suite = s->name, .name = s->cases[i].name };
		int n = tot->passed + tot->failed + 1;

		s->cases[i].fn(&t);
		if (t.failures && stopping(stop, tot)) {
			/* Ctrl-C came while it ran, and the commands it ran
			 * took it (bench, stress stop early): what it found
			 * is not its result. */
			kprintf("# %s.%s interrupted: its result is not counted\n", s->name, t.name);
			break;
		}
		if (t.failures) {
			tot->failed++;
			kprintf("not ok %d %s.%s: %s\n", n, s->name, t.name, t.first_failure);
		} else if (t.skipped[0]) {
			tot->passed++;
			kprintf("ok %d %s.%s # SKIP %s\n", n, s->name, t.name, t.skipped);
		} else {
			tot->passed++;
			kprintf("ok %d %s.%s\n", n, s->name, t.name);
		}
	}
	kasan_suite_mode(s->name, false);
	if (kfence_paused)
		kfence_set_interval(kfence_paused);
	if (faults_paused)
		fault_inject_resume(&faults);
}

static const struct ktest_suite *find_suite(const char *name, size_t len)
{
	for (size_t i = 0; i < ktest_nr_suites(); i++) {
		const struct ktest_suite *s = ktest_suite_at(i);
		if (strlen(s->name) == len && memcmp(s->name, name, len) == 0)
			return s;
	}
	return NULL;
}

static bool is_separator(char c)
{
	return c == ',' || c == ' ' || c == '\t';
}

struct ktest_totals ktest_run(const char *selection, bool closing_line, bool (*stop)(void))
{
	struct ktest_totals tot = { 0, 0, false };
	const char *p = selection ? selection : "all";
	bool named = false;

	while (*p && !tot.interrupted) {
		size_t len = 0;

		while (is_separator(*p))
			p++;
		while (p[len] && !is_separator(p[len]))
			len++;
		if (len == 0)
			break;
		named = true;
		if (len == 3 && memcmp(p, "all", 3) == 0) {
			for (size_t i = 0; i < ktest_nr_suites(); i++)
				if (!ktest_suite_at(i)->explicit_only)
					run_suite(ktest_suite_at(i), stop, &tot);
		} else {
			const struct ktest_suite *s = find_suite(p, len);
			if (s) {
				run_suite(s, stop, &tot);
			} else {
				tot.failed++;
				kprintf("not ok %d %.*s: no such suite\n",
					tot.passed + tot.failed, (int)len, p);
			}
		}
		p += len;
	}
	if (!named) { /* ("ktest=,": nothing run must not read as all passed) */
		tot.failed++;
		kprintf("not ok 1 '%s': no suite named\n", selection);
	}
	if (tot.interrupted)
		kprintf("ktest: interrupted after %d cases (%d passed, %d failed)\n",
			tot.passed + tot.failed, tot.passed, tot.failed);
	else if (closing_line)
		kprintf("ktest: %d passed, %d failed\n", tot.passed, tot.failed);
	return tot;
}

int ktest_list_cases(const char *name)
{
	const struct ktest_suite *s = find_suite(name, strlen(name));

	if (!s) {
		kprintf("ktest: no suite named '%s' (ktest -l lists them)\n", name);
		return -ENOENT;
	}
	for (size_t i = 0; i < s->nr_cases; i++)
		kprintf("  %s.%s\n", s->name, s->cases[i].name);
	return 0;
}

void ktest_list(void)
{
	for (size_t i = 0; i < ktest_nr_suites(); i++) {
		const struct ktest_suite *s = ktest_suite_at(i);
		kprintf("  %-16s %zu case%s\n", s->name, s->nr_cases, s->nr_cases == 1 ? "" : "s");
	}
}
