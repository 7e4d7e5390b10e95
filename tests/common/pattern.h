/*
 * pattern.h - test data that shows which byte went wrong: a byte pattern
 * that depends on a seed and on the offset (so a block copied to the wrong
 * place, or two blocks overlapping, show as foreign bytes), for the host
 * and target suites alike.
 */
#ifndef RVMM_TESTS_PATTERN_H
#define RVMM_TESTS_PATTERN_H

#include <lib/kernel.h>

static inline u8 pattern_byte(u32 seed, size_t i)
{
	return (u8)(seed + i * 0x9d + (i >> 8) * 0x5b);
}

/* Bytes [from, to) of p get their pattern. */
static inline void pattern_fill(void *p, u32 seed, size_t from, size_t to)
{
	u8 *b = p;

	for (size_t i = from; i < to; i++)
		b[i] = pattern_byte(seed, i);
}

/* Index of the first of n bytes that lost its pattern, or -1. */
static inline long pattern_first_bad(const void *p, u32 seed, size_t n)
{
	const u8 *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != pattern_byte(seed, i))
			return (long)i;
	return -1;
}

/* Are all n bytes equal to byte? */
static inline bool bytes_all(const void *p, int byte, size_t n)
{
	const u8 *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != (u8)byte)
			return false;
	return true;
}

#endif
