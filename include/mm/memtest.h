/*
 * memtest.h - the early memory test (mm/memtest.c): memtest=N writes N
 * patterns over the free RAM before the page allocator takes it, reads
 * them back and reserves what fails.
 */
#ifndef RVMM_MEMTEST_H
#define RVMM_MEMTEST_H

#include <lib/kernel.h>

struct memblock;

#define MEMTEST_NR_PATTERNS 17
#define MEMTEST_MAX_PASSES 1024 /* memtest=N above this is refused */
#define MEMTEST_MAX_BAD 32      /* separate bad ranges it can reserve */

/* memtest= (0: off, the default); mm_init runs memtest_run with it. */
extern unsigned int memtest_passes;

struct memtest_result {
	u64 bytes;                /* free RAM tested (each pass) */
	u64 bad_words;            /* words that read back wrong, over all passes */
	unsigned int bad_ranges;  /* ranges reserved */
	u64 bad_bytes;            /* their bytes (whole pages) */
};

/*
 * @passes patterns over every free range of @mb (pass i: memtest_pattern(i,
 * passes); the last is 0, so free memory ends zeroed), then every bad range
 * reserved in @mb, page-rounded, each named on the console. Returns the bad
 * ranges reserved (0: none). Call before node_init (mm_init does, with
 * memtest_passes). Panics, naming it, when the bad memory is in more than
 * MEMTEST_MAX_BAD places or memblock refuses a reservation.
 */
int memtest_run(struct memblock *mb, unsigned int passes, struct memtest_result *res);

/* The pattern of pass @pass of @passes. */
u64 memtest_pattern(unsigned int pass, unsigned int passes);

/* Tests only (NULL otherwise): called after a pattern is written over
 * [start, end) and before it is read back, so that a host test can make
 * words read back wrong as failing RAM would. */
extern void (*memtest_after_write)(u64 start, u64 end, u64 pattern);

#endif
