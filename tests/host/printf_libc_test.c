/*
 * printf_libc_test.c - kvsnprintf against the host's snprintf over many
 * generated format strings and values (host only: needs a reference libc).
 */
#include <stdio.h>
#include <string.h>

#include <tests/ktest.h>

static u64 rng_state = 0x9e3779b97f4a7c15ull;

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Build "%<flags><width>.<prec><len><conv>" from random choices. */
static void random_spec(char *spec, size_t size, char *conv, int *len)
{
	static const char flags[] = "-0 +#";
	static const char convs[] = "diuxXo";
	char f[8] = "";
	int nf = 0;

	for (int i = 0; i < 5; i++)
		if (rng() % 4 == 0)
			f[nf++] = flags[i];
	f[nf] = '\0';
	*conv = convs[rng() % 6];
	*len = (int)(rng() % 3); /* 0: int, 1: long, 2: long long */
	int width = (int)(rng() % 24) - 2;
	int prec = (int)(rng() % 24) - 2;
	char wbuf[8] = "", pbuf[8] = "";
	if (width > 0)
		snprintf(wbuf, sizeof(wbuf), "%d", width);
	if (prec >= -1)
		snprintf(pbuf, sizeof(pbuf), ".%d", prec < 0 ? 0 : prec);
	snprintf(spec, size, "%%%s%s%s%s%c", f, wbuf, pbuf,
		 *len == 0 ? "" : *len == 1 ? "l" : "ll", *conv);
}

static void matches_libc_integers(struct ktest *t)
{
	for (int i = 0; i < 20000 && t->failures < 5; i++) {
		char spec[32], conv, mine[128], ref[128];
		int len, n1, n2;
		u64 v = rng();

		random_spec(spec, sizeof(spec), &conv, &len);
		if (rng() & 1)
			v >>= rng() % 64;
		if (len == 0) {
			n1 = ksnprintf(mine, sizeof(mine), spec, (int)v);
			n2 = snprintf(ref, sizeof(ref), spec, (int)v);
		} else if (len == 1) {
			n1 = ksnprintf(mine, sizeof(mine), spec, (long)v);
			n2 = snprintf(ref, sizeof(ref), spec, (long)v);
		} else {
			n1 = ksnprintf(mine, sizeof(mine), spec, (long long)v);
			n2 = snprintf(ref, sizeof(ref), spec, (long long)v);
		}
		if (n1 != n2 || strcmp(mine, ref) != 0)
			ktest_fail(t, __FILE__, __LINE__, "format \"%s\" value %llx: \"%s\" (%d) vs libc \"%s\" (%d)",
				   spec, (unsigned long long)v, mine, n1, ref, n2);
	}
}

static void matches_libc_strings(struct ktest *t)
{
	static const char *words[] = { "", "a", "hello", "exactly16chars!!", "a much longer string than any width" };

	for (int i = 0; i < 5000 && t->failures < 5; i++) {
		char spec[32], mine[128], ref[128];
		const char *w = words[rng() % 5];
		int width = (int)(rng() % 40), prec = (int)(rng() % 40);
		bool left = rng() & 1, use_prec = rng() & 1;

		if (use_prec)
			snprintf(spec, sizeof(spec), "[%%%s%d.%ds]", left ? "-" : "", width, prec);
		else
			snprintf(spec, sizeof(spec), "[%%%s%ds]", left ? "-" : "", width);
		int n1 = ksnprintf(mine, sizeof(mine), spec, w);
		int n2 = snprintf(ref, sizeof(ref), spec, w);
		EXPECT_EQ(n1, n2);
		EXPECT_STREQ(mine, ref);
	}
}

KTEST_SUITE(printf_libc, KTEST_CASE(matches_libc_integers), KTEST_CASE(matches_libc_strings));
