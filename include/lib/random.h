/*
 * random.h - the kernel's random numbers (lib/random.c).
 */
#ifndef RVMM_RANDOM_H
#define RVMM_RANDOM_H

#ifdef __cplusplus
extern "C" {
#endif

#include <lib/kernel.h>

/*
 * Mix @len bytes of @seed and the word @extra into the generator's state
 * (boot: the device tree's /chosen/rng-seed and the time and instruction
 * counters). May be called more than once; every call changes all later
 * output. Until the first call the output is a fixed sequence (the host
 * tests and fuzzers rely on that).
 */
void random_seed(const void *seed, size_t len, u64 extra);

/* Back to the fixed initial state (tests: reproducible sequences). */
void random_reset(void);

/* 64 random bits (xoshiro256**; any hart, any context). Not for
 * cryptography: unpredictable to whoever does not know the seed. */
u64 get_random_u64(void);

#ifdef __cplusplus
}
#endif

#endif
