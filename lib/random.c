/*
 * random.c - the kernel's random numbers.
 *
 * One xoshiro256** generator (Blackman and Vigna) for the whole kernel,
 * under a spinlock: callers are rare (a slab cache's free-pointer secret,
 * test data), so one shared state is simplest. Seeding runs every seed word
 * through SplitMix64 and XORs it into all four state words, so any bit of
 * the seed changes every later output. After seeding, state[0] keeps its
 * lowest bit set: the state is never all zeros, the one state xoshiro
 * cannot leave.
 */
#include <lib/kstring.h>
#include <lib/random.h>
#include <lib/spinlock.h>

#define INITIAL_STATE \
	{ 0x9e3779b97f4a7c15ull, 0xbf58476d1ce4e5b9ull, 0x94d049bb133111ebull, 0x2545f4914f6cdd1dull }
static const u64 initial_state[4] = INITIAL_STATE;
static u64 state[4] = INITIAL_STATE;
static spinlock_t random_lock = SPINLOCK_INIT;

void random_reset(void)
{
	unsigned long flags = spin_lock_irqsave(&random_lock);

	memcpy(state, initial_state, sizeof(state));
	spin_unlock_irqrestore(&random_lock, flags);
}

static u64 splitmix64(u64 *x)
{
	u64 z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline u64 rotl(u64 x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static void mix_word(u64 w)
{
	u64 x = w;

	for (int i = 0; i < 4; i++)
		state[i] ^= splitmix64(&x);
}

void random_seed(const void *seed, size_t len, u64 extra)
{
	const u8 *p = seed;
	unsigned long flags = spin_lock_irqsave(&random_lock);

	for (size_t off = 0; off < len; off += 8) {
		u64 w = 0;

		memcpy(&w, p + off, MIN(len - off, sizeof(w)));
		mix_word(w ^ off);
	}
	mix_word(extra);
	mix_word(len);
	for (int i = 0; i < 4; i++) {
		u64 x = state[i];

		state[i] = splitmix64(&x) | (i == 0);
	}
	spin_unlock_irqrestore(&random_lock, flags);
}

u64 get_random_u64(void)
{
	unsigned long flags = spin_lock_irqsave(&random_lock);
	u64 result = rotl(state[1] * 5, 7) * 9, t = state[1] << 17;

	state[2] ^= state[0];
	state[3] ^= state[1];
	state[1] ^= state[2];
	state[0] ^= state[3];
	state[2] ^= t;
	state[3] = rotl(state[3], 45);
	spin_unlock_irqrestore(&random_lock, flags);
	return result;
}
