/*
 * shell_test.c - command dispatch, argument splitting and the registry,
 * checked through the console capture.
 */
#include <drivers/console.h>
#include <lib/kstring.h>
#include <tests/ktest.h>
#include <shell/shell.h>
#include <mm/fault_inject.h>
#include <mm/kfence.h>
#include <mm/kmalloc.h>
#include <mm/mmzone.h>
#include <mm/slab.h>

static char out[8192]; /* the whole help text fits (4057 bytes with 46 commands) */

/* Lines in @s (each ends with a newline). */
static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static int run_captured(const char *line)
{
	int rc;

	console_capture_begin(out, sizeof(out));
	rc = shell_exec(line);
	console_capture_end();
	return rc;
}

static void echo_splits_words(struct ktest *t)
{
	EXPECT_EQ(run_captured("echo   one\ttwo  three "), 0);
	EXPECT_STREQ(out, "one two three\n");
}

static void empty_line_does_nothing(struct ktest *t)
{
	EXPECT_EQ(run_captured("   "), 0);
	EXPECT_STREQ(out, "");
}

static void unknown_command_reported(struct ktest *t)
{
	EXPECT_EQ(run_captured("no-such-command x"), -ENOENT);
	EXPECT(strstr(out, "no-such-command: unknown command") != NULL);
}

static void too_many_arguments_rejected(struct ktest *t)
{
	EXPECT_EQ(run_captured("echo 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16"), -E2BIG);
	EXPECT_STREQ(out, "shell: more than 15 arguments (a line is at most 16 words)\n");
	EXPECT_EQ(run_captured("echo 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15"), 0);
}

static void help_lists_every_command(struct ktest *t)
{
	EXPECT_EQ(run_captured("help"), 0);
	for (size_t i = 0; i < shell_nr_cmds(); i++) {
		const struct shell_cmd *c = shell_cmd_at(i);
		char usage[SHELL_LINE_MAX];

		/* The whole usage, never cut, and the whole help text. */
		ksnprintf(usage, sizeof(usage), "  %s %s", c->name, c->args);
		EXPECT(strstr(out, usage) != NULL);
		EXPECT(strstr(out, c->help) != NULL);
	}
	EXPECT(strstr(out, "Ctrl-A X") != NULL);
}

/* help CMD prints that command's usage line only; a name it does not know,
 * or a second one, is an error. */
static void help_shows_one_command(struct ktest *t)
{
	EXPECT_EQ(run_captured("help meminfo"), 0);
	EXPECT(strstr(out, "  meminfo ") == out);
	EXPECT(strstr(out, "/proc/meminfo") != NULL);
	EXPECT(strstr(out, "buddyinfo") == NULL);
	EXPECT_EQ(run_captured("help nosuch"), -ENOENT);
	EXPECT_STREQ(out, "help: no command named 'nosuch' (type 'help')\n");
	EXPECT_EQ(run_captured("help meminfo slabinfo"), -EINVAL);
}

/* A byte above 0x7f (here a UTF-8 no-break space) is refused with its
 * column: nothing runs. */
static void non_ascii_line_refused(struct ktest *t)
{
	EXPECT_EQ(run_captured("echo a\302\240b"), -EINVAL);
	EXPECT_STREQ(out, "shell: byte 0xc2 at column 7 is not ASCII: line not run\n");
}

static void command_names_unique(struct ktest *t)
{
	for (size_t i = 0; i < shell_nr_cmds(); i++)
		for (size_t j = i + 1; j < shell_nr_cmds(); j++)
			EXPECT(strcmp(shell_cmd_at(i)->name, shell_cmd_at(j)->name) != 0);
}

static void poweroff_rejects_bad_code(struct ktest *t)
{
	EXPECT_EQ(run_captured("poweroff 256"), -EINVAL);
	EXPECT_EQ(run_captured("poweroff x"), -EINVAL);
	EXPECT_EQ(run_captured("poweroff 1 2"), -EINVAL);
	EXPECT(strstr(out, "poweroff: one argument at most") != NULL);
}

/* Leave kmalloc-7168 a class whose cache is not made (destroyed if no
 * object is out); false, with the case skipped, where that cannot be. */
static bool unmake_kmalloc_7168(struct ktest *t)
{
	unsigned int idx = kmalloc_size_index(7168);

	if (kmalloc_backend != KMALLOC_SLAB || kmalloc_heap_classes >> idx & 1) {
		ktest_skip(t, "kmalloc-7168 is not a slab class here");
		return false;
	}
	if (kmalloc_caches[idx] && kmem_cache_objects_out(kmalloc_caches[idx])) {
		ktest_skip(t, "kmalloc-7168 has objects out");
		return false;
	}
	if (kmalloc_caches[idx])
		kmalloc_destroy_cache(idx);
	return true;
}

/* A slabinfo write refused for its numbers makes no cache for a kmalloc
 * class whose cache is not made yet (it made it, then refused). */
static void slabinfo_refusal_makes_no_cache(struct ktest *t)
{
	if (!unmake_kmalloc_7168(t))
		return;
	EXPECT_EQ(run_captured("slabinfo kmalloc-7168 1 2"), -EINVAL);
	EXPECT(strstr(out, "slabinfo: kmalloc-7168: limit 1 batchcount 2 refused") == out);
	EXPECT_EQ(run_captured("slabinfo kmalloc-7168 8 4 501"), -EINVAL);
	EXPECT_EQ(run_captured("slabinfo kmalloc-7168 501 1"), -EINVAL);
	EXPECT(kmem_cache_find("kmalloc-7168") == NULL);
	EXPECT_EQ(run_captured("slabinfo kmalloc-7000 1 2"), -ENOENT);
	EXPECT_STREQ(out, "slabinfo: no cache named kmalloc-7000\n");
}

/* `slabinfo kmalloc-N LIMIT BATCH` tunes a kmalloc class even before any
 * kmalloc has made its cache (README's example on a fresh boot); a name
 * that is no cache and no kmalloc class is refused. */
static void slabinfo_tunes_unmade_kmalloc_class(struct ktest *t)
{
	struct kmem_cache *c;

	if (!unmake_kmalloc_7168(t))
		return;
	if (slab_debug_flags_for("kmalloc-7168")) {
		ktest_skip(t, "slab_debug= makes kmalloc-7168 a debug cache, which has no magazines");
		return;
	}
	ASSERT(kmem_cache_find("kmalloc-7168") == NULL);
	EXPECT_EQ(run_captured("slabinfo kmalloc-7168 6 3"), 0);
	c = kmem_cache_find("kmalloc-7168");
	ASSERT(c != NULL);
	EXPECT_EQ(c->limit, 6);
	EXPECT_EQ(c->batch, 3);
	EXPECT_EQ(run_captured("slabinfo kmalloc-7000 6 3"), -ENOENT);
	EXPECT(strstr(out, "no cache named kmalloc-7000") != NULL);
	EXPECT_EQ(run_captured("slabinfo kmalloc-64x 6 3"), -ENOENT);
	EXPECT_EQ(run_captured("slabinfo kmalloc-7168 0 0"), 0); /* back to the default rule */
}

/* alloc_traces / free_traces of a kmalloc class whose cache is not made
 * yet report that it has no objects and leave it unmade: they made the
 * cache (a descriptor, for good), even to then fail with "does not record
 * its users". */
static void traces_make_no_cache(struct ktest *t)
{
	unsigned int idx = kmalloc_size_index(7168);

	if (!unmake_kmalloc_7168(t))
		return;
	EXPECT_EQ(run_captured("alloc_traces kmalloc-7168"), 0);
	EXPECT_STREQ(out, "alloc_traces: kmalloc-7168 has no objects: no kmalloc has made its cache yet\n");
	EXPECT_EQ(run_captured("free_traces kmalloc-7168"), 0);
	EXPECT(kmem_cache_find("kmalloc-7168") == NULL);
	EXPECT(kmalloc_caches[idx] == NULL);
	EXPECT_EQ(run_captured("alloc_traces kmalloc-7000"), -ENOENT);
	EXPECT_STREQ(out, "alloc_traces: no cache named kmalloc-7000\n");
}

/* A SHAREDFACTOR above 500 is refused, 2^32 - 1 (the value that stands for
 * "left out" inside) too, and the depot keeps its size. */
static void slabinfo_refuses_huge_sharedfactor(struct ktest *t)
{
	struct kmem_cache *c = kmalloc_cache_by_name("kmalloc-64");
	unsigned int depot;

	if (!c) {
		ktest_skip(t, "kmalloc-64 is not a slab class here");
		return;
	}
	depot = c->depot_limit;
	EXPECT_EQ(run_captured("slabinfo kmalloc-64 8 4 501"), -EINVAL);
	EXPECT(strstr(out, "sharedfactor 501 refused") != NULL);
	EXPECT_EQ(run_captured("slabinfo kmalloc-64 8 4 4294967295"), -EINVAL);
	EXPECT(strstr(out, "sharedfactor 4294967295 refused") != NULL);
	EXPECT_EQ(c->depot_limit, depot);
}

/* Wrong arguments to the workload commands are reported, never silent. */
static void workload_commands_report_bad_arguments(struct ktest *t)
{
	EXPECT_EQ(run_captured("memmap-timeline 1 2 3 4"), -EINVAL);
	EXPECT(strstr(out, "usage: memmap-timeline [slots [steps [every]]]") != NULL);
	EXPECT_EQ(run_captured("memmap-timeline 1K 2x"), -EINVAL);
	EXPECT(strstr(out, "memmap-timeline: steps '2x' is not a number (decimal or 0x hex, K/M/G/T suffix)\n") ==
	       out);
	EXPECT_EQ(run_captured("memmap-timeline 4G"), -EINVAL);
	EXPECT(strstr(out, "memmap-timeline: slots '4G' is not from 1 to 4294967295\n") == out);
	EXPECT_EQ(run_captured("memmap-timeline 1 0"), -EINVAL);
	EXPECT(strstr(out, "memmap-timeline: steps '0' is not from 1 to 4294967295\n") == out);
	EXPECT_EQ(run_captured("memmap-fill x"), -EINVAL);
	EXPECT(strstr(out, "usage: memmap-fill [free]") != NULL);
	EXPECT_EQ(run_captured("memmap-fill free x"), -EINVAL);
	EXPECT(strstr(out, "usage: memmap-fill [free]") != NULL);
	/* A bad number is named, with why: not a number, or too large. */
	EXPECT_EQ(run_captured("stress 99999999999999999999"), -EINVAL);
	EXPECT(strstr(out, "stress: ops '99999999999999999999' is more than 2^64 - 1\n") == out);
	EXPECT_EQ(run_captured("stress 10 -1"), -EINVAL);
	EXPECT(strstr(out, "stress: seed '-1' is not a number") == out);
	EXPECT_EQ(run_captured("slabinfo kmalloc-64 16 17179869184T"), -EINVAL);
	EXPECT(strstr(out, "slabinfo: BATCHCOUNT '17179869184T' is more than 2^64 - 1\n") == out);
}

/* memmap-timeline takes sizes as stress does (shell_parse_number: K/M/G
 * suffixes, 0x hex): 1K slots, 0x800 steps, a sample every 1K. */
static void memmap_timeline_takes_suffixes(struct ktest *t)
{
	EXPECT_EQ(run_captured("memmap-timeline 1K 0x800 1K"), 0);
	EXPECT(strstr(out, "memmap-timeline: churn weights, 1024 slots, 2048 steps, a sample every 1024, ") ==
	       out);
	EXPECT_EQ(count_lines(out) > 2, 1);
	EXPECT(strstr(out, "memmap-sample: step=1024 phase=churn ") != NULL);
	EXPECT(strstr(out, " 0 corrupt, 0 failed\n") != NULL);
}

/* `kfence MS` reads MS as kfence.sample_interval= does (lib/parse.c, at
 * most KFENCE_MAX_INTERVAL_MS): hex is a number, anything above the
 * maximum is refused and changes nothing (the command's own digit loop
 * refused 0x0 and took up to 1000000009). */
static void kfence_interval_parsed_as_the_parameter(struct ktest *t)
{
	unsigned long saved = kfence_get_interval();

	EXPECT_EQ(run_captured("kfence 1000000001"), -EINVAL);
	EXPECT(strstr(out, "kfence: bad interval '1000000001' (milliseconds, 0 to 1000000000; 0: off)\n") == out);
	EXPECT_EQ(run_captured("kfence 1000000009"), -EINVAL);
	EXPECT_EQ(run_captured("kfence 12abc"), -EINVAL);
	EXPECT_EQ(run_captured("kfence -1"), -EINVAL);
	EXPECT_EQ(kfence_get_interval(), saved);
	EXPECT_EQ(kfence_set_interval(KFENCE_MAX_INTERVAL_MS + 1), -EINVAL);
	EXPECT_EQ(kfence_get_interval(), saved);
	EXPECT_EQ(run_captured("kfence 0x0"), 0);
	EXPECT_EQ(kfence_get_interval(), 0);
	EXPECT_EQ(kfence_set_interval(saved), 0);
}

/* A misspelt benchmark among good ones: refused, naming it, before any runs. */
static void bench_refuses_unknown_name(struct ktest *t)
{
	EXPECT_EQ(run_captured("bench page_alloc no-such-bench"), -ENOENT);
	EXPECT(strstr(out, "bench: no benchmark named 'no-such-bench'") != NULL);
	EXPECT(strstr(out, "insns=") == NULL);
}

/* A benchmark that cannot run fails the command: bench vmalloc with every
 * page allocation failing prints its "failed: no memory" lines and returns
 * -EIO (it returned 0, and a script's exit status said all went well). */
static void bench_failure_fails_the_command(struct ktest *t)
{
	struct list_head held = LIST_HEAD_INIT(held);
	struct page *p;
	int rc;

	/* Memory used up (bench pauses fault injection: it cannot fail it). */
	while ((p = alloc_pages(GFP_ATOMIC | __GFP_NOWARN, 0)) != NULL)
		list_add(&p->lru, &held);
	rc = run_captured("bench vmalloc");
	while (!list_empty(&held)) {
		p = list_first_entry(&held, struct page, lru);
		list_del(&p->lru);
		__free_pages(p, 0);
	}
	EXPECT_EQ(rc, -EIO);
	EXPECT(strstr(out, "bench: vmalloc pages=1 failed: no memory\n") != NULL);
	EXPECT(strstr(out, "bench: 3 error or failure lines above\n") != NULL);
}

/* bench under fault injection: its measured loops do not check what they
 * allocate (a check would be counted), so it pauses injection while it
 * measures and puts it back as it was, counters included (it trapped in
 * page_alloc's loop on the first injected NULL). */
static void bench_pauses_fault_injection(struct ktest *t)
{
	char before[96], after[96];
	unsigned long calls;

	ASSERT_EQ(fault_inject_set(&fail_page_alloc, "2,verbose=0"), 0);
	ASSERT_EQ(fault_inject_set(&failslab, "2,verbose=0"), 0);
	kfree(kmalloc(64, GFP_KERNEL | __GFP_NOWARN)); /* call 1: the counters move */
	fault_attr_spec(&failslab, before, sizeof(before));
	calls = failslab.calls;
	/* (its result depends on the RAM: a small board has no order-9 block) */
	/* (kmem_cache, not kmalloc, for the slab side: kmalloc's SLOB rows
	 * take seconds, in every ktest=all) */
	run_captured("bench page_alloc kmem_cache");
	fault_attr_spec(&failslab, after, sizeof(after));
	EXPECT(fail_page_alloc.active && failslab.active);
	EXPECT_EQ(failslab.calls, calls);
	fault_inject_clear(&fail_page_alloc);
	fault_inject_clear(&failslab);
	EXPECT(strstr(out, "bench: fault injection paused while measuring") != NULL);
	EXPECT(strstr(out, "bench: page_alloc order=0 insns=") != NULL);
	EXPECT(strstr(out, "bench: page_alloc order=3 insns=") != NULL);
	EXPECT_STREQ(after, before);
}

/* `memmap-fill free` holds nothing afterwards, the table of what it held
 * included (it kept those pages for good, even when nothing was filled).
 * The suite's first memmap-fill, so that no earlier one took the table. */
static void memmap_fill_free_keeps_no_pages(struct ktest *t)
{
	unsigned long before;

	node_drain_pages(mem_node);
	before = nr_free_pages();
	EXPECT_EQ(run_captured("memmap-fill free"), 0);
	node_drain_pages(mem_node);
	EXPECT(nr_free_pages() >= before);
}

/* memmap-fill without pages for its table says so. */
static void memmap_fill_reports_no_memory(struct ktest *t)
{
	int rc;

	ASSERT_EQ(fault_inject_set(&fail_page_alloc, "1"), 0);
	rc = run_captured("memmap-fill");
	fault_inject_clear(&fail_page_alloc);
	EXPECT_EQ(rc, -ENOMEM);
	EXPECT(strstr(out, "memmap-fill: no memory for its table") != NULL);
}

/* A faultinject line with one bad argument sets nothing, not even the
 * good arguments before it. */
static void faultinject_bad_line_sets_nothing(struct ktest *t)
{
	if (failslab.active || fail_page_alloc.active) {
		ktest_skip(t, "fault injection is on");
		return;
	}
	EXPECT_EQ(run_captured("faultinject failslab=5 fail_page_alloc=2 bogus"), -EINVAL);
	EXPECT(strstr(out, "bad argument 'bogus'") != NULL);
	EXPECT(!failslab.active);
	EXPECT(!fail_page_alloc.active);
	fault_inject_clear(&failslab);
	fault_inject_clear(&fail_page_alloc);
}

/* failslab=...,cache=NAME with no cache of that name is kept, and the
 * console says so; a cache made under the name afterwards is failed. A
 * name a cache has gets no such line. */
static void faultinject_names_missing_cache(struct ktest *t)
{
	struct kmem_cache *known, *later;

	if (failslab.active || fail_page_alloc.active) {
		ktest_skip(t, "fault injection is on");
		return;
	}
	EXPECT_EQ(run_captured("faultinject failslab=1,cache=ktest-nosuch,verbose=0"), 0);
	EXPECT(strstr(out, "faultinject: no cache named 'ktest-nosuch' yet: the rule applies when one is "
			   "created\n") != NULL);
	EXPECT(failslab.active);
	EXPECT_STREQ(failslab.cache, "ktest-nosuch");
	later = kmem_cache_create("ktest-nosuch", 64, 0, 0, NULL);
	ASSERT(later);
	EXPECT(kmem_cache_alloc(later, GFP_KERNEL | __GFP_NOWARN) == NULL);
	EXPECT(failslab.failures >= 1);
	fault_inject_clear(&failslab);
	kmem_cache_destroy(later);

	known = kmem_cache_create("ktest-known", 64, 0, 0, NULL);
	ASSERT(known);
	EXPECT_EQ(run_captured("faultinject failslab=1,cache=ktest-known,verbose=0"), 0);
	EXPECT(strstr(out, "no cache named") == NULL);
	fault_inject_clear(&failslab);
	kmem_cache_destroy(known);
}

/* ktest -l lists the suites, -l SUITE a suite's cases (not run: the
 * printf suite's case lines would show); an unknown suite is an error, and
 * an argument that starts with '-' other than a leading -l is refused, not
 * taken as a suite name. */
static void ktest_list_options(struct ktest *t)
{
	const struct ktest_suite *printf_suite = NULL;
	char want[128];

	for (size_t i = 0; i < ktest_nr_suites(); i++)
		if (strcmp(ktest_suite_at(i)->name, "printf") == 0)
			printf_suite = ktest_suite_at(i);
	ASSERT(printf_suite && printf_suite->nr_cases > 1);
	EXPECT_EQ(run_captured("ktest -l"), 0);
	EXPECT(strstr(out, "  printf ") != NULL && strstr(out, "  shell ") != NULL);
	EXPECT_EQ(run_captured("ktest -l printf"), 0);
	EXPECT_EQ(count_lines(out), printf_suite->nr_cases);
	for (size_t i = 0; i < printf_suite->nr_cases; i++) {
		ksnprintf(want, sizeof(want), "  printf.%s\n", printf_suite->cases[i].name);
		EXPECT(strstr(out, want) != NULL);
	}
	EXPECT(strstr(out, "ok ") == NULL); /* nothing ran */
	EXPECT_EQ(run_captured("ktest -l nosuch"), -EINVAL);
	EXPECT_STREQ(out, "ktest: no suite named 'nosuch' (ktest -l lists them)\n");
	EXPECT_EQ(run_captured("ktest -x"), -EINVAL);
	EXPECT(strncmp(out, "ktest: unknown option '-x' (", 28) == 0);
	EXPECT_EQ(run_captured("ktest printf -l"), -EINVAL);
	EXPECT(strncmp(out, "ktest: -l comes first, '-l' (", 29) == 0);
}

/* A command whose usage names no argument refuses one (crash and reboot
 * are not run here: without the check they would act). */
static void no_argument_commands_refuse_arguments(struct ktest *t)
{
	for (size_t i = 0; i < shell_nr_cmds(); i++) {
		const struct shell_cmd *c = shell_cmd_at(i);
		char line[SHELL_LINE_MAX], want[SHELL_LINE_MAX];

		if (c->args[0] || strcmp(c->name, "crash") == 0 || strcmp(c->name, "reboot") == 0)
			continue;
		ksnprintf(line, sizeof(line), "%s extra", c->name);
		ksnprintf(want, sizeof(want), "%s: takes no arguments ('extra' given)\n", c->name);
		EXPECT_EQ(run_captured(line), -EINVAL);
		EXPECT_STREQ(out, want);
	}
}

KTEST_SUITE(shell, KTEST_CASE(echo_splits_words), KTEST_CASE(empty_line_does_nothing),
	    KTEST_CASE(unknown_command_reported), KTEST_CASE(too_many_arguments_rejected),
	    KTEST_CASE(help_lists_every_command), KTEST_CASE(command_names_unique),
	    KTEST_CASE(poweroff_rejects_bad_code), KTEST_CASE(slabinfo_tunes_unmade_kmalloc_class),
	    KTEST_CASE(memmap_fill_free_keeps_no_pages), KTEST_CASE(workload_commands_report_bad_arguments),
	    KTEST_CASE(memmap_timeline_takes_suffixes),
	    KTEST_CASE(bench_refuses_unknown_name), KTEST_CASE(memmap_fill_reports_no_memory),
	    KTEST_CASE(slabinfo_refuses_huge_sharedfactor), KTEST_CASE(faultinject_bad_line_sets_nothing),
	    KTEST_CASE(faultinject_names_missing_cache), KTEST_CASE(ktest_list_options),
	    KTEST_CASE(no_argument_commands_refuse_arguments), KTEST_CASE(help_shows_one_command),
	    KTEST_CASE(non_ascii_line_refused), KTEST_CASE(kfence_interval_parsed_as_the_parameter),
	    KTEST_CASE(bench_failure_fails_the_command),
	    KTEST_CASE(bench_pauses_fault_injection), KTEST_CASE(traces_make_no_cache),
	    KTEST_CASE(slabinfo_refusal_makes_no_cache));
