/*
 * line_test.c - the console line editor (shell/line.c) fed byte strings as
 * a terminal or a pipe sends them: line ends, escape sequences of every
 * length, Tab, erasing (Ctrl-W, UTF-8), Ctrl-C, bytes that are not ASCII,
 * and lines longer than the buffer (suite "line").
 */
#include <string.h>

#include <shell/line.h>
#include <tests/ktest.h>

#define MAX_LINES 8

/* What one feed() gave: the lines ended, each with its result. */
struct fed {
	int n;
	enum line_result result[MAX_LINES];
	char line[MAX_LINES][64];
};

static char echoed[1024];
static size_t echoed_len;

static void echo_capture(const char *s, size_t n)
{
	for (size_t i = 0; i < n && echoed_len + 1 < sizeof(echoed); i++)
		echoed[echoed_len++] = s[i];
	echoed[echoed_len] = '\0';
}

/* An editor over @buf whose echo goes to echoed[], emptied. */
static void init_echoing(struct line_editor *ed, char *buf, size_t size)
{
	echoed_len = 0;
	echoed[0] = '\0';
	line_editor_init(ed, buf, size, echo_capture);
}

/* Feed @n bytes of @bytes to @ed, collecting every line that ends. */
static void feed_n(struct line_editor *ed, const char *bytes, size_t n, struct fed *f)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < n; i++) {
		enum line_result r = line_editor_feed(ed, (unsigned char)bytes[i]);

		if (r == LINE_MORE || f->n == MAX_LINES)
			continue;
		f->result[f->n] = r;
		strncpy(f->line[f->n], ed->buf, sizeof(f->line[0]) - 1);
		f->n++;
	}
}

static void feed(struct line_editor *ed, const char *bytes, struct fed *f)
{
	feed_n(ed, bytes, strlen(bytes), f);
}

/* @bytes through a fresh 64-byte editor must end exactly one line, @want. */
static void one_line(struct ktest *t, const char *bytes, const char *want)
{
	static char buf[64];
	struct line_editor ed;
	struct fed f;

	line_editor_init(&ed, buf, sizeof(buf), NULL);
	feed(&ed, bytes, &f);
	if (f.n != 1 || f.result[0] != LINE_DONE || strcmp(f.line[0], want) != 0)
		ktest_fail(t, __FILE__, __LINE__, "%d lines, first \"%s\" (result %d), expected \"%s\"",
			   f.n, f.n ? f.line[0] : "", f.n ? (int)f.result[0] : -1, want);
}

static void line_ends(struct ktest *t)
{
	char buf[64];
	struct line_editor ed;
	struct fed f;

	line_editor_init(&ed, buf, sizeof(buf), NULL);
	feed(&ed, "a\rb\r\nc\n\rd\r", &f);
	ASSERT_EQ(f.n, 5);
	EXPECT_STREQ(f.line[0], "a");
	EXPECT_STREQ(f.line[1], "b"); /* CR LF is one line end */
	EXPECT_STREQ(f.line[2], "c");
	EXPECT_STREQ(f.line[3], ""); /* LF CR: two */
	EXPECT_STREQ(f.line[4], "d");
	feed(&ed, "\ne\n", &f); /* the LF of a CR LF split across two reads */
	ASSERT_EQ(f.n, 1);
	EXPECT_STREQ(f.line[0], "e");
}

static void lone_escape_keeps_line_end(struct ktest *t)
{
	char buf[64];
	struct line_editor ed;
	struct fed f;

	line_editor_init(&ed, buf, sizeof(buf), NULL);
	feed(&ed, "help\033\nmeminfo\npoweroff 3\n", &f);
	ASSERT_EQ(f.n, 3);
	EXPECT_STREQ(f.line[0], "help");
	EXPECT_STREQ(f.line[1], "meminfo");
	EXPECT_STREQ(f.line[2], "poweroff 3");
	one_line(t, "ab\033\r\n", "ab");
	one_line(t, "ab\033[\n", "ab");      /* cut after the '[' */
	one_line(t, "ab\033[1;5\r\n", "ab"); /* cut among the parameters */
	one_line(t, "ab\033O\n", "ab");
}

static void escape_sequences_dropped_whole(struct ktest *t)
{
	one_line(t, "ab\033[3~cd\n", "abcd");      /* Delete */
	one_line(t, "x\033[1;5Cy\n", "xy");        /* Ctrl-Right */
	one_line(t, "a\033[Ab\033[Dc\n", "abc");    /* arrows */
	one_line(t, "a\033[200~b\033[201~\n", "ab"); /* bracketed paste marks */
	one_line(t, "a\033[ qb\n", "ab");          /* an intermediate byte */
	one_line(t, "a\033OPb\033OHc\n", "abc");   /* F1, Home (ESC O x) */
	one_line(t, "a\033[[Ab\033[[Ec\n", "abc"); /* Linux console F1, F5 */
	one_line(t, "a\033xb\n", "axb");           /* ESC x: only the ESC goes */
	one_line(t, "a\033\033[Cb\n", "ab");       /* ESC ESC [ C */
	one_line(t, "a\033[1\177b\n", "b");        /* DEL ends it, then erases */
}

static void tab_separates(struct ktest *t)
{
	one_line(t, "echo tab\there\n", "echo tab here");
}

static void erasing(struct ktest *t)
{
	one_line(t, "echo bs\b\bok\n", "echo ok");
	one_line(t, "x\b\b\bab\177c\n", "ac"); /* erasing an empty line is a no-op */
	one_line(t, "junk\025echo\n", "echo");   /* Ctrl-U */
	one_line(t, "a\001b\002c\037d\n", "abcd"); /* other control bytes dropped */
	one_line(t, "echo word1 word2\027w3\n", "echo word1 w3"); /* Ctrl-W */
	one_line(t, "a bc  \027d\n", "a d");     /* Ctrl-W takes the spaces too */
	one_line(t, "\027\027x\027y\n", "y");    /* Ctrl-W on an empty line */
	one_line(t, "ab\303\251\177c\n", "abc");  /* DEL erases a UTF-8 character whole */
	one_line(t, "a \342\202\254\027b\n", "a b"); /* and so does Ctrl-W */
}

/* Bytes above 0x7f stay: dropped, the no-break space (UTF-8 C2 A0) in
 * "100<NBSP>5" would make the word 1005. */
static void non_ascii_kept(struct ktest *t)
{
	one_line(t, "stress 100\302\2405\n", "stress 100\302\2405");
	one_line(t, "echo \377\200\n", "echo \377\200");
}

/* A NUL byte (telnet sends CR NUL for a bare CR) is dropped. */
static void nul_dropped(struct ktest *t)
{
	char buf[64];
	struct line_editor ed;
	struct fed f;

	line_editor_init(&ed, buf, sizeof(buf), NULL);
	feed_n(&ed, "ab\r\0cd\r\0", 8, &f);
	ASSERT_EQ(f.n, 2);
	EXPECT_STREQ(f.line[0], "ab");
	EXPECT_STREQ(f.line[1], "cd");
}

/* Ctrl-C drops the line, typed or being dropped as too long: nothing of it
 * comes back at the next line end. */
static void ctrl_c_cancels_line(struct ktest *t)
{
	char buf[8];
	struct line_editor ed;
	struct fed f;

	init_echoing(&ed, buf, sizeof(buf));
	feed(&ed, "stress\003\necho\n", &f);
	ASSERT_EQ(f.n, 3);
	EXPECT_EQ(f.result[0], LINE_CANCELLED);
	EXPECT_STREQ(f.line[0], "");
	EXPECT_EQ(f.result[1], LINE_DONE);
	EXPECT_STREQ(f.line[1], ""); /* the Enter after it: an empty line */
	EXPECT_EQ(f.result[2], LINE_DONE);
	EXPECT_STREQ(f.line[2], "echo");
	EXPECT_STREQ(echoed, "stress^C\n\necho\n");

	feed(&ed, "123456789\003ok\n", &f);
	ASSERT_EQ(f.n, 2);
	EXPECT_EQ(f.result[0], LINE_CANCELLED);
	EXPECT_EQ(f.result[1], LINE_DONE);
	EXPECT_STREQ(f.line[1], "ok");
}

/* A line of exactly size - 1 characters fits; one more does not, and is
 * dropped up to its end, the next line untouched. */
static void long_line_dropped_whole(struct ktest *t)
{
	char buf[8];
	struct line_editor ed;
	struct fed f;

	line_editor_init(&ed, buf, sizeof(buf), NULL);
	feed(&ed, "1234567\n12345678 tail\r\nnext\n", &f);
	ASSERT_EQ(f.n, 3);
	EXPECT_EQ(f.result[0], LINE_DONE);
	EXPECT_STREQ(f.line[0], "1234567");
	EXPECT_EQ(f.result[1], LINE_TOO_LONG);
	EXPECT_STREQ(f.line[1], "");
	EXPECT_EQ(f.result[2], LINE_DONE);
	EXPECT_STREQ(f.line[2], "next");

	/* Erasing after the overflow does not bring the line back. */
	feed(&ed, "xxxxxxxxxxxx\b\b\b\b\b\b\b\b\b\b\b\b\nok\n", &f);
	ASSERT_EQ(f.n, 2);
	EXPECT_EQ(f.result[0], LINE_TOO_LONG);
	EXPECT_STREQ(f.line[1], "ok");
}

static void echo_shows_the_line(struct ktest *t)
{
	char buf[8];
	struct line_editor ed;
	struct fed f;

	init_echoing(&ed, buf, sizeof(buf));
	feed(&ed, "ab\033[3~\tc\bd\n123456789\n\303\251\177\n", &f);
	ASSERT_EQ(f.n, 3);
	/* Nothing of the sequence, the Tab as a space, the erase, then the
	 * long line up to what fits; a UTF-8 character and one erase for it. */
	EXPECT_STREQ(echoed, "ab c\b \bd\n1234567\n\303\251\b \b\n");
}

/* Ctrl-D ends the input: the line it ends is returned with `ended` set,
 * typed text or empty; a line end after it starts over (ended clear). */
static void ctrl_d_ends_input(struct ktest *t)
{
	char buf[64];
	struct line_editor ed;
	struct fed f;

	line_editor_init(&ed, buf, sizeof(buf), NULL);
	feed(&ed, "ab\x04", &f);
	EXPECT_EQ(f.n, 1);
	EXPECT_EQ(f.result[0], LINE_DONE);
	EXPECT_STREQ(f.line[0], "ab");
	EXPECT(ed.ended);
	feed(&ed, "cd\n", &f);
	EXPECT_STREQ(f.line[0], "cd");
	EXPECT(!ed.ended);
	feed(&ed, "\x04", &f);
	EXPECT_EQ(f.n, 1);
	EXPECT_STREQ(f.line[0], "");
	EXPECT(ed.ended);
}

KTEST_SUITE(line, KTEST_CASE(line_ends), KTEST_CASE(lone_escape_keeps_line_end),
	    KTEST_CASE(escape_sequences_dropped_whole), KTEST_CASE(tab_separates),
	    KTEST_CASE(erasing), KTEST_CASE(long_line_dropped_whole),
	    KTEST_CASE(echo_shows_the_line), KTEST_CASE(ctrl_d_ends_input),
	    KTEST_CASE(non_ascii_kept), KTEST_CASE(nul_dropped), KTEST_CASE(ctrl_c_cancels_line));
