/*
 * mixed-requests.h - the request sequence of `bench mixed` (bench/workloads.c)
 * for the models in scripts/ that replay it without an allocator
 * (kmalloc-class-model.c, slab-policy-model.c): the kernel size mix, the
 * slot count, the step count, the seed and the generator, as the benchmark
 * has them. Included by one .c file each; not part of the build.
 */
#ifndef MIXED_REQUESTS_H
#define MIXED_REQUESTS_H

#include <stdint.h>

/* bench/workloads.c: wl_kernel_sizes (size, weight per mille). */
static const unsigned int sizes[][2] = {
	{ 8, 260 },   { 12, 20 },  { 16, 115 },  { 32, 75 },   { 52, 50 },  { 64, 20 },
	{ 80, 25 },   { 96, 5 },   { 104, 25 },  { 120, 50 },  { 144, 25 }, { 152, 10 },
	{ 176, 10 },  { 184, 150 }, { 248, 25 }, { 448, 25 },  { 488, 25 }, { 512, 25 },
	{ 640, 13 },  { 728, 12 }, { 1072, 12 }, { 1360, 8 },  { 4096, 12 }, { 4816, 3 },
};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

#define SLOTS 4096
#define STEPS 200000
#define SEED 0x2545f4914f6cdd1dull

static uint64_t xorshift64(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* A size drawn from the mix by a random number. */
static unsigned int pick_size(uint64_t r)
{
	unsigned int w = (unsigned int)(r % 1000);

	for (unsigned int i = 0; i < NSIZES; i++) {
		if (w < sizes[i][1])
			return sizes[i][0];
		w -= sizes[i][1];
	}
	return sizes[NSIZES - 1][0];
}

#endif
