/*
 * cmdline_test.c - the command line parser: word splitting, quoting, bare
 * keys, unknown keys and rejected values.
 */
#include <lib/cmdline.h>
#include <lib/kstring.h>
#include <tests/ktest.h>

static char seen_value[64];
static int seen_calls;

static int test_param_set(const char *value)
{
	seen_calls++;
	kstrlcpy(seen_value, value ? value : "<bare>", sizeof(seen_value));
	return 0;
}
KPARAM("cmdline_test", test_param_set, "cmdline_test=X  used by the cmdline self-test");

static int test_reject_set(const char *value)
{
	return value && strcmp(value, "good") == 0 ? 0 : -EINVAL;
}
KPARAM("cmdline_test_strict", test_reject_set, "cmdline_test_strict=good  used by the cmdline self-test");

static void reset(void)
{
	seen_calls = 0;
	seen_value[0] = '\0';
}

static void key_value(struct ktest *t)
{
	char line[] = "cmdline_test=abc";

	reset();
	EXPECT_EQ(cmdline_parse(line), 0);
	EXPECT_EQ(seen_calls, 1);
	EXPECT_STREQ(seen_value, "abc");
}

static void spaces_and_quotes(struct ktest *t)
{
	char line[] = "  cmdline_test=\"help; poweroff 3\"\t cmdline_test=x=y  ";

	reset();
	EXPECT_EQ(cmdline_parse(line), 0);
	EXPECT_EQ(seen_calls, 2);
	EXPECT_STREQ(seen_value, "x=y"); /* the last one wins; '=' after the first stays */
}

static void quoted_value_kept_whole(struct ktest *t)
{
	char line[] = "cmdline_test=\"a b  c\"";

	reset();
	EXPECT_EQ(cmdline_parse(line), 0);
	EXPECT_STREQ(seen_value, "a b  c");
}

static void bare_key(struct ktest *t)
{
	char line[] = "cmdline_test";

	reset();
	EXPECT_EQ(cmdline_parse(line), 0);
	EXPECT_STREQ(seen_value, "<bare>");
}

static void unknown_and_rejected_counted(struct ktest *t)
{
	char line[] = "no_such_param=1 cmdline_test_strict=bad cmdline_test_strict=good cmdline_test=z";

	reset();
	EXPECT_EQ(cmdline_parse(line), 2);
	EXPECT_STREQ(seen_value, "z"); /* problems do not stop the parse */
}

/* A quote never closed: the rest of the line is the value (as Linux takes
 * it), counted as a problem; a word with no name is one too. */
static void open_quote_and_no_name(struct ktest *t)
{
	char open[] = "cmdline_test=\"a b  c";
	char quotes[] = "\"\" \"\"";
	char lone[] = "\"";
	char noname[] = "=5 cmdline_test=ok";

	reset();
	EXPECT_EQ(cmdline_parse(open), 1);
	EXPECT_EQ(seen_calls, 1);
	EXPECT_STREQ(seen_value, "a b  c");
	reset();
	EXPECT_EQ(cmdline_parse(quotes), 2);
	EXPECT_EQ(cmdline_parse(lone), 2); /* open, and no name */
	EXPECT_EQ(seen_calls, 0);
	EXPECT_EQ(cmdline_parse(noname), 1);
	EXPECT_STREQ(seen_value, "ok");
}

static void empty_line(struct ktest *t)
{
	char line[] = "   ";

	reset();
	EXPECT_EQ(cmdline_parse(line), 0);
	EXPECT_EQ(seen_calls, 0);
}

/* Where a cut command line keeps whole words only (cmdline_parse_boot). */
static void cut_keeps_whole_words(struct ktest *t)
{
	EXPECT_EQ(cmdline_whole_words("a=1 zone_dma_limit=0x90000", '0'), 4);
	EXPECT_EQ(cmdline_whole_words("a=1 bb=2", ' '), 8);
	EXPECT_EQ(cmdline_whole_words("a=1 bb=2", '\t'), 8);
	EXPECT_EQ(cmdline_whole_words("a=1 bb=2", '\0'), 8);
	EXPECT_EQ(cmdline_whole_words("a=1 bb=2  ", 'x'), 10);
	EXPECT_EQ(cmdline_whole_words("a=1 run=\"echo x; pow", 'e'), 4);
	EXPECT_EQ(cmdline_whole_words("a=1 run=\"echo x;", ' '), 4); /* open quotes */
	EXPECT_EQ(cmdline_whole_words("a=1 run=\"echo x;\"", ' '), 17);
	EXPECT_EQ(cmdline_whole_words("abc", 'd'), 0);
	EXPECT_EQ(cmdline_whole_words("", 'd'), 0);
}

/* An on|off switch: a bare word (no value) is refused, not read through. */
static void on_off_values(struct ktest *t)
{
	bool v = false;

	EXPECT_EQ(parse_on_off("on", &v), 0);
	EXPECT(v);
	EXPECT_EQ(parse_on_off("off", &v), 0);
	EXPECT(!v);
	v = true;
	EXPECT_EQ(parse_on_off(NULL, &v), -EINVAL);
	EXPECT_EQ(parse_on_off("", &v), -EINVAL);
	EXPECT_EQ(parse_on_off("On", &v), -EINVAL);
	EXPECT_EQ(parse_on_off("1", &v), -EINVAL);
	EXPECT(v); /* unchanged by a refused value */
}

static void bool_values(struct ktest *t)
{
	static const char *const yes[] = { "1", "on", "y", "yes", "true" };
	static const char *const no[] = { "0", "off", "n", "no", "false" };
	static const char *const bad[] = { "", "2", "On", "10", "of", "yess" };
	bool v;

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		v = false;
		EXPECT_EQ(parse_bool(yes[i], &v), 0);
		EXPECT(v);
		EXPECT_EQ(parse_bool(no[i], &v), 0);
		EXPECT(!v);
	}
	v = true;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_EQ(parse_bool(bad[i], &v), -EINVAL);
	EXPECT_EQ(parse_bool(NULL, &v), -EINVAL);
	EXPECT(v); /* (a refused value changes nothing) */
}

KTEST_SUITE(cmdline, KTEST_CASE(key_value), KTEST_CASE(bool_values), KTEST_CASE(spaces_and_quotes),
	    KTEST_CASE(quoted_value_kept_whole), KTEST_CASE(bare_key),
	    KTEST_CASE(unknown_and_rejected_counted), KTEST_CASE(open_quote_and_no_name),
	    KTEST_CASE(empty_line),
	    KTEST_CASE(cut_keeps_whole_words), KTEST_CASE(on_off_values));
