/*
 * params_test.c - the boot parameters whose values go through the strict
 * number parser (lib/parse.c): kfence.sample_interval= (decimal or 0x, at
 * most 10^9 ms), kmalloc_heap=0xMASK (hex, one bit per kmalloc class) and the fault
 * injection specs (fail_page_alloc=, failslab=). A bad value is refused
 * with the command line's line "cmdline: invalid value for 'NAME':
 * 'VALUE' (error -22)", whatever the parser found wrong (junk, overflow,
 * a size suffix where a plain number is wanted), and changes nothing
 * (suite "params").
 */
#include <stdio.h>
#include <string.h>

#include <lib/cmdline.h>
#include <mm/fault_inject.h>
#include <tests/ktest.h>
#include "fakeram.h"

/* cmdline_parse(@line) with stdout captured: the problems it counted, and
 * whether it printed exactly the one line @expect (NULL: nothing). */
static int parse_line(struct ktest *t, const char *line, const char *expect)
{
	struct fr_capture cap;
	char buf[256], out[512];
	int problems;

	snprintf(buf, sizeof(buf), "%s", line);
	fr_capture_start(&cap);
	problems = cmdline_parse(buf);
	fr_capture_end(&cap, out, sizeof(out));
	if (expect ? strcmp(out, expect) != 0 : out[0] != '\0')
		ktest_fail(t, __FILE__, __LINE__, "'%s' printed '%s'", line, out);
	return problems;
}

static void bad_values_refused(struct ktest *t)
{
	static const struct {
		const char *name, *value;
	} bad[] = {
		{ "kfence.sample_interval", "12ms" },
		{ "kfence.sample_interval", "0x1K" },
		{ "kfence.sample_interval", "1K" },
		{ "kfence.sample_interval", "1000000001" },
		{ "kfence.sample_interval", "18446744073709551616" },
		{ "kfence.sample_interval", "-5" },
		{ "kmalloc_heap", "0x800000000" }, /* bit 35: there are 35 classes */
		{ "kmalloc_heap", "0x10000000000000000" },
		{ "kmalloc_heap", "0x1K" },
		{ "kmalloc_heap", "0x" },
		{ "kmalloc_heap", "12" }, /* a mask is hex: 0x12 */
		{ "kmalloc_heap", "0xfg" },
		{ "fail_page_alloc", "0x1K" },
		{ "fail_page_alloc", "5,seed=18446744073709551616" },
		{ "failslab", "1,times=1M" },
	};
	char line[128], expect[192];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(line, sizeof(line), "%s=%s", bad[i].name, bad[i].value);
		snprintf(expect, sizeof(expect), "cmdline: invalid value for '%s': '%s' (error -22)\n",
			 bad[i].name, bad[i].value);
		EXPECT_EQ(parse_line(t, line, expect), 1);
	}
}

/* Good values, hex among them, are taken quietly (and put back: they
 * take effect only at boot, kfence_boot_start and fault_inject_boot_start). */
static void good_values_taken(struct ktest *t)
{
	EXPECT_EQ(parse_line(t, "kfence.sample_interval=0x10", NULL), 0);
	EXPECT_EQ(parse_line(t, "kfence.sample_interval=1000000000", NULL), 0);
	EXPECT_EQ(parse_line(t, "kfence.sample_interval=0", NULL), 0);
	EXPECT_EQ(parse_line(t, "fail_page_alloc=0x20,times=0x3", NULL), 0);
	EXPECT_EQ(parse_line(t, "failslab=10%,seed=0xffffffffffffffff", NULL), 0);
	EXPECT_EQ(parse_line(t, "fail_page_alloc=off failslab=off", NULL), 0);
	EXPECT(!fail_page_alloc.active);
	EXPECT(!failslab.active);
}

KTEST_SUITE(params, KTEST_CASE(bad_values_refused), KTEST_CASE(good_values_taken));
