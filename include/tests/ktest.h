/*
 * ktest.h - self-test registry shared by the on-target ktests and the host
 * unit tests.
 *
 * A suite is a named array of cases registered with KTEST_SUITE(); the linker
 * gathers every suite into one table, so adding a file adds its tests. A case
 * is a function `static void name(struct ktest *t)`; inside it:
 *   EXPECT(cond)  records a failure with file:line and carries on;
 *   ASSERT(cond)  records a failure and ends the case (returns);
 *   EXPECT_EQ(a, b) / ASSERT_EQ(a, b)  compare integers and print both;
 *   EXPECT_STREQ(a, b)  compares C strings.
 * The runner prints one line per case ("ok N suite.case", "ok N suite.case
 * # SKIP reason" for a case that called ktest_skip, or
 * "not ok N suite.case: file:line: reason") and ends with the closing line
 * "ktest: P passed, F failed" alone on a line.
 */
#ifndef RVMM_KTEST_H
#define RVMM_KTEST_H

#include <lib/kernel.h>

struct ktest {
	const char *suite;
	const char *name;
	int failures;
	char first_failure[160]; /* "file:line: reason" of the first failure */
	char skipped[96];        /* why the case did not run ("" when it did) */
};

struct ktest_case {
	const char *name;
	void (*fn)(struct ktest *t);
};

struct ktest_suite {
	const char *name;
	const struct ktest_case *cases;
	size_t nr_cases;
	bool explicit_only; /* not part of "all": run only when named */
};

#define KTEST_CASE(fn) { #fn, fn }

/* A helper that must stay a call of its own, so the caller it records (a
 * return address, a page owner's trace) is the helper: not inlined, and on
 * GCC not cloned either (clang makes no clones and knows no noclone). */
#ifdef __clang__
#define KTEST_OWN_FRAME __attribute__((noinline))
#else
#define KTEST_OWN_FRAME __attribute__((noinline, noclone))
#endif

/* Register a suite: KTEST_SUITE(fdt, KTEST_CASE(a), KTEST_CASE(b)); */
#define KTEST_SUITE(sname, ...)                                                \
	static const struct ktest_case ktest_cases_##sname[] = { __VA_ARGS__ }; \
	static const struct ktest_suite ktest_suite_##sname = {                 \
		#sname, ktest_cases_##sname, ARRAY_SIZE(ktest_cases_##sname), false \
	};                                                                      \
	static const struct ktest_suite *const ktest_ptr_##sname                \
		__attribute__((used, section("rvmm_ktests"), aligned(8))) =     \
			&ktest_suite_##sname

/* A suite "all" leaves out (the KASAN kernel's planted bugs, which report
 * on purpose): KTEST_SUITE_EXPLICIT(kasan, ...), run by ktest=kasan. */
#define KTEST_SUITE_EXPLICIT(sname, ...)                                       \
	static const struct ktest_case ktest_cases_##sname[] = { __VA_ARGS__ }; \
	static const struct ktest_suite ktest_suite_##sname = {                 \
		#sname, ktest_cases_##sname, ARRAY_SIZE(ktest_cases_##sname), true \
	};                                                                      \
	static const struct ktest_suite *const ktest_ptr_##sname                \
		__attribute__((used, section("rvmm_ktests"), aligned(8))) =     \
			&ktest_suite_##sname

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...)
	__printf(4, 5);

#define EXPECT(cond)                                                            \
	do {                                                                    \
		if (!(cond))                                                    \
			ktest_fail(t, __FILE__, __LINE__, "EXPECT(%s)", #cond); \
	} while (0)

#define ASSERT(cond)                                                            \
	do {                                                                    \
		if (!(cond)) {                                                  \
			ktest_fail(t, __FILE__, __LINE__, "ASSERT(%s)", #cond); \
			return;                                                 \
		}                                                               \
	} while (0)

#define KTEST_CMP_(what, a, b, onfail)                                          \
	do {                                                                    \
		long long __a = (long long)(a), __b = (long long)(b);           \
		if (__a != __b) {                                               \
			ktest_fail(t, __FILE__, __LINE__,                       \
				   what "(%s, %s): %lld (0x%llx) != %lld (0x%llx)", \
				   #a, #b, __a, (unsigned long long)__a, __b,   \
				   (unsigned long long)__b);                    \
			onfail;                                                 \
		}                                                               \
	} while (0)

#define EXPECT_EQ(a, b) KTEST_CMP_("EXPECT_EQ", a, b, (void)0)
#define ASSERT_EQ(a, b) KTEST_CMP_("ASSERT_EQ", a, b, return)

bool ktest_streq_(const char *a, const char *b);
#define EXPECT_STREQ(a, b)                                                      \
	do {                                                                    \
		const char *__a = (a), *__b = (b);                              \
		if (!ktest_streq_(__a, __b))                                    \
			ktest_fail(t, __FILE__, __LINE__,                       \
				   "EXPECT_STREQ(%s, %s): \"%s\" != \"%s\"", #a, #b, \
				   __a ? __a : "(null)", __b ? __b : "(null)"); \
	} while (0)

/* The closing case of a planted-bug suite: prints "TOOL: C of N planted
 * bugs caught" (the line tests/qemu/lib.sh's all_planted_caught reads) and
 * expects at least one bug planted and every one caught. */
void ktest_all_planted_caught(struct ktest *t, const char *tool, unsigned int caught,
			      unsigned int planted);

/* End a case that cannot run here (a machine too small for it): the case
 * reports "ok N suite.case # SKIP reason" and counts as passed; the caller
 * returns at once. A case that failed before skipping stays failed. */
void ktest_skip(struct ktest *t, const char *fmt, ...) __printf(2, 3);

/* Results of one run. */
struct ktest_totals {
	int passed;
	int failed;
	bool interrupted; /* stop ended the run before every case ran */
};

/*
 * Run the suites named in @selection: "all", or a list separated by commas
 * or spaces. An unknown suite name counts as one failed case. Prints the
 * per-case lines and, when @closing_line is set, the closing line. @stop
 * (NULL: none; the console's shell_interrupted) is called before each case:
 * once it returns true no more cases run and, instead of the closing line,
 * "ktest: interrupted after N cases (P passed, F failed)" is printed.
 */
struct ktest_totals ktest_run(const char *selection, bool closing_line, bool (*stop)(void));

/* Print every registered suite with its number of cases. */
void ktest_list(void);
/* Print the cases of the suite named @name, "  SUITE.CASE" a line, and
 * return 0; -ENOENT, with "ktest: no suite named 'NAME'", when there is
 * none (ktest -l SUITE, build/host-tests -l SUITE). */
int ktest_list_cases(const char *name);

/* The registered suites (the linker-built table). */
size_t ktest_nr_suites(void);
const struct ktest_suite *ktest_suite_at(size_t i);

#endif
