/*
 * ktest_stop_test.c - the runner's stop check (tests/ktest.c, ktest_run's
 * @stop; the console's Ctrl-C): it is asked before every case, and once it
 * says stop no further case runs and the interrupted line replaces the
 * closing line. Suite "ktest_stop"; the printf suite it runs inside the
 * run prints its case lines (numbered from 1) in the middle of the output,
 * and the interrupted line, which is no closing line.
 */
#include <lib/kstring.h>
#include <tests/ktest.h>
#include "fakeram.h"

static unsigned int stop_calls;

/* Says stop on its third call: two cases run. */
static bool stop_at_third_call(void)
{
	return ++stop_calls == 3;
}

static bool never_stop(void)
{
	stop_calls++;
	return false;
}

static void stop_ends_the_run_between_cases(struct ktest *t)
{
	struct ktest_totals tot;

	stop_calls = 0;
	tot = ktest_run("printf printf", false, stop_at_third_call);
	EXPECT(tot.interrupted);
	EXPECT_EQ(tot.passed, 2);
	EXPECT_EQ(tot.failed, 0);
	EXPECT_EQ(stop_calls, 3); /* not asked again once it said stop */
}

static void stop_asked_before_every_case(struct ktest *t)
{
	struct ktest_totals tot;

	stop_calls = 0;
	tot = ktest_run("printf", false, never_stop);
	EXPECT(!tot.interrupted);
	EXPECT(tot.passed > 0);
	EXPECT_EQ(stop_calls, (unsigned int)tot.passed);
}

/* A selection that names no suite ("ktest=," at boot) runs nothing and
 * counts as a failure, so that it cannot power off as if all had passed. */
static void selection_naming_no_suite_fails(struct ktest *t)
{
	struct ktest_totals tot;
	struct fr_capture cap;
	char out[512];

	stop_calls = 0;
	fr_capture_start(&cap);
	tot = ktest_run(",", true, never_stop);
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT_EQ(tot.passed, 0);
	EXPECT_EQ(tot.failed, 1);
	EXPECT_EQ(stop_calls, 0);
	EXPECT_STREQ(out, "not ok 1 ',': no suite named\nktest: 0 passed, 1 failed\n");
	fr_capture_start(&cap);
	tot = ktest_run(", ,", false, never_stop);
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT_EQ(tot.failed, 1);
	tot = ktest_run(",printf", false, never_stop);
	EXPECT(tot.passed > 0);
	EXPECT_EQ(tot.failed, 0);
}

/* A case that fails because the interrupt came while it ran (its
 * commands stopped early) is not counted: the run ends as interrupted with
 * what ran before it; a case that fails with no interrupt is counted. */
static bool interrupt_came;
static unsigned int interrupted_case_runs;

static bool stop_when_interrupted(void)
{
	stop_calls++;
	return interrupt_came;
}

static bool interrupted_case_armed; /* (only the case below runs it for real) */

static void interrupted_mid_case(struct ktest *t)
{
	if (!interrupted_case_armed) {
		ktest_skip(t, "run by ktest_stop.failure_during_an_interrupt_not_counted");
		return;
	}
	interrupt_came = ++interrupted_case_runs == 2; /* on its second run */
	EXPECT(false); /* what an interrupted command leaves a case with */
}

KTEST_SUITE_EXPLICIT(ktest_interrupted, KTEST_CASE(interrupted_mid_case));

static void failure_during_an_interrupt_not_counted(struct ktest *t)
{
	struct ktest_totals tot;
	struct fr_capture cap;
	char out[512];

	stop_calls = 0;
	interrupt_came = false;
	interrupted_case_runs = 0;
	interrupted_case_armed = true;
	fr_capture_start(&cap);
	tot = ktest_run("ktest_interrupted ktest_interrupted printf", true, stop_when_interrupted);
	fr_capture_end(&cap, out, sizeof(out));
	interrupted_case_armed = false;
	EXPECT(tot.interrupted);
	EXPECT_EQ(tot.failed, 1); /* its first run: no interrupt then */
	EXPECT_EQ(tot.passed, 0); /* printf never ran */
	EXPECT_EQ(interrupted_case_runs, 2);
	EXPECT(strstr(out, "# ktest_interrupted.interrupted_mid_case interrupted: its result is not counted\n"
			   "ktest: interrupted after 1 cases (0 passed, 1 failed)\n") != NULL);
}

/* ktest_list_cases (ktest -l SUITE, host-tests -l SUITE) names each case of
 * the suite, one "  SUITE.CASE" line each in order, and runs none; a name
 * no suite has is -ENOENT with a line that says so. */
static void list_cases_names_each_case(struct ktest *t)
{
	const struct ktest_suite *s = NULL;
	struct fr_capture cap;
	char out[4096], want[4096] = "";
	int rc;

	for (size_t i = 0; i < ktest_nr_suites(); i++)
		if (strcmp(ktest_suite_at(i)->name, "ktest_interrupted") == 0)
			s = ktest_suite_at(i);
	ASSERT(s);
	interrupted_case_runs = 0;
	fr_capture_start(&cap);
	rc = ktest_list_cases("ktest_interrupted");
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT_EQ(rc, 0);
	for (size_t i = 0; i < s->nr_cases; i++) {
		size_t len = strlen(want);

		ksnprintf(want + len, sizeof(want) - len, "  ktest_interrupted.%s\n", s->cases[i].name);
	}
	EXPECT_STREQ(out, want);
	EXPECT_EQ(interrupted_case_runs, 0); /* listed, not run */
	fr_capture_start(&cap);
	rc = ktest_list_cases("nosuch");
	fr_capture_end(&cap, out, sizeof(out));
	EXPECT_EQ(rc, -ENOENT);
	EXPECT_STREQ(out, "ktest: no suite named 'nosuch' (ktest -l lists them)\n");
}

KTEST_SUITE(ktest_stop, KTEST_CASE(selection_naming_no_suite_fails),
	    KTEST_CASE(stop_ends_the_run_between_cases),
	    KTEST_CASE(stop_asked_before_every_case),
	    KTEST_CASE(failure_during_an_interrupt_not_counted),
	    KTEST_CASE(list_cases_names_each_case));
