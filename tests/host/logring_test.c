/*
 * logring_test.c - lib/logring.c (suite "logring"), the kernel log's ring,
 * against a model: the whole history of appended text. After each append
 * (random lengths, some longer than the ring, random newlines) a read from
 * log_ring_first to the end must give exactly the history's tail from the
 * oldest whole line the ring still holds (or from the last clear), a read
 * in small pieces the same, and a reader left behind by later appends must
 * be moved up to the oldest line rather than read overwritten bytes.
 */
#include <string.h>

#include <lib/logring.h>
#include <tests/ktest.h>

#define RING 512
#define HISTORY (1 << 16)

static char history[HISTORY];
static u64 hist_len;

/* What log_ring_first should be: the model's answer. */
static u64 model_first(u64 size, u64 cleared)
{
	u64 oldest;

	if (hist_len <= size)
		return cleared;
	oldest = hist_len - size;
	if (cleared >= oldest)
		return cleared;
	for (u64 p = oldest; p < hist_len; p++)
		if (history[p] == '\n')
			return p + 1;
	return oldest;
}

/* The whole log read back, in pieces of @piece bytes, equals the model. */
static void expect_log(struct ktest *t, struct log_ring *r, size_t piece)
{
	static char out[RING + 1];
	u64 first = model_first(r->size, r->cleared), pos = log_ring_first(r);
	size_t got = 0, n;

	EXPECT_EQ(pos, first);
	while ((n = log_ring_read(r, &pos, r->written, out + got, piece)) > 0) {
		got += n;
		if (got > RING)
			break;
	}
	ASSERT_EQ(got, hist_len - first);
	EXPECT(memcmp(out, history + first, got) == 0);
	EXPECT_EQ(pos, r->written);
}

static void append(struct log_ring *r, const char *s, size_t n)
{
	log_ring_append(r, s, n);
	memcpy(history + hist_len, s, n);
	hist_len += n;
}

static void matches_history(struct ktest *t)
{
	static char buf[RING];
	struct log_ring r = LOG_RING_INIT(buf);
	char text[3 * RING];
	u64 x = 0x9e3779b97f4a7c15ull;

	hist_len = 0;
	expect_log(t, &r, 7); /* empty */
	while (hist_len + sizeof(text) < HISTORY) {
		size_t n;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		n = x % 16 == 0 ? RING + x % (2 * RING) : x % 100; /* now and then more than the ring */
		for (size_t i = 0; i < n; i++)
			text[i] = (x >> (i % 50)) % 23 == 0 ? '\n' : (char)('a' + (hist_len + i) % 26);
		append(&r, text, n);
		ASSERT_EQ(r.written, hist_len);
		expect_log(t, &r, x % 3 == 0 ? 1 : 64);
		if (x % 29 == 0) {
			log_ring_clear(&r);
			expect_log(t, &r, 64); /* nothing */
		}
		if (t->failures)
			return;
	}
}

/* No newline in what the ring holds: it starts at its oldest byte. */
static void no_newline_starts_at_oldest(struct ktest *t)
{
	static char buf[16];
	struct log_ring r = LOG_RING_INIT(buf);
	char out[32];
	u64 pos;

	log_ring_append(&r, "line one\nxxxxxxxxxxxxxxxxxxxxyz", 31);
	pos = log_ring_first(&r);
	EXPECT_EQ(pos, 31 - 16);
	EXPECT_EQ(log_ring_read(&r, &pos, r.written, out, sizeof(out)), 16);
	EXPECT(memcmp(out, "xxxxxxxxxxxxxxyz", 16) == 0);

	/* The oldest whole line after a wrap: "b\n" is cut, "c" is whole. */
	log_ring_append(&r, "aaaaaaaaaaaaa\nb\nccc\n", 20);
	pos = log_ring_first(&r);
	EXPECT_EQ(log_ring_read(&r, &pos, r.written, out, sizeof(out)), 6);
	EXPECT(memcmp(out, "b\nccc\n", 6) == 0);
}

/* A reader whose bytes were overwritten meanwhile is moved up to the
 * oldest whole line, and a read stops at the end it was given. */
static void reader_left_behind(struct ktest *t)
{
	static char buf[16];
	struct log_ring r = LOG_RING_INIT(buf);
	char out[32];
	u64 pos = 0, end;

	log_ring_append(&r, "0123\n", 5);
	end = r.written;
	EXPECT_EQ(log_ring_read(&r, &pos, end, out, 2), 2);
	EXPECT(memcmp(out, "01", 2) == 0);
	log_ring_append(&r, "abcdefgh\nijklmnop\n", 18); /* [7, 23) held */
	EXPECT_EQ(log_ring_read(&r, &pos, r.written, out, sizeof(out)), 9);
	EXPECT(memcmp(out, "ijklmnop\n", 9) == 0);
	EXPECT_EQ(pos, r.written);
	pos = r.written - 3;
	EXPECT_EQ(log_ring_read(&r, &pos, r.written - 1, out, sizeof(out)), 2);
	EXPECT(memcmp(out, "op", 2) == 0);
	EXPECT_EQ(log_ring_read(&r, &pos, r.written + 100, out, sizeof(out)), 1);
}

KTEST_SUITE(logring, KTEST_CASE(matches_history), KTEST_CASE(no_newline_starts_at_oldest),
	    KTEST_CASE(reader_left_behind));
