/*
 * fuzz.h - what the libFuzzer targets in tests/fuzz share (fuzz_support.c).
 *
 * The fuzzers link the portable sources (Makefile: FUZZ_LIB), the host
 * harness (tests/host/host_support.c, tests/host/fakeram.c) and
 * fuzz_support.c; libFuzzer provides main(). kprintf is quiet while they run:
 * its output goes to a ring of the last 16 KiB, printed when a check fails or
 * the kernel code panics. FUZZ_VERBOSE=1 in the environment prints it as it
 * comes instead (useful when reproducing a crash from its saved input).
 */
#ifndef RVMM_TESTS_FUZZ_H
#define RVMM_TESTS_FUZZ_H

#include <lib/kernel.h>
#include <mm/mmzone.h>

/* Make kprintf quiet (unless FUZZ_VERBOSE is set); call once per input. */
void fuzz_quiet(void);

/* Forget what kprintf printed so far (the start of an input). */
void fuzz_log_reset(void);

/* Print the kept kprintf output to stderr. */
void fuzz_log_dump(void);

/* A broken invariant: print the kept kprintf output and the message to
 * stderr, then abort() (libFuzzer saves the input as a crash). */
void fuzz_fail(const char *fmt, ...) __printf(1, 2) __noreturn;

/* A node's free blocks per zone and order: fuzz_free_blocks records them
 * at the start of an input (with every page free: the return is the pages
 * managed, which must equal the free ones), fuzz_check_node_restored
 * checks at the end that every page came back the same way (per-hart lists
 * drained first) and that node_check is clean. */
typedef unsigned long fuzz_free_blocks_t[MAX_NR_ZONES][MAX_ORDER];
unsigned long fuzz_free_blocks(fuzz_free_blocks_t nr_free);
void fuzz_check_node_restored(unsigned long free0, const fuzz_free_blocks_t nr_free0);

/* FUZZ_CHECK(cond, "format", args...): fail with the message unless cond. */
#define FUZZ_CHECK(cond, fmt, ...)                                                  \
	do {                                                                        \
		if (unlikely(!(cond)))                                              \
			fuzz_fail("%s:%d: %s: " fmt, __FILE__, __LINE__, #cond,     \
				  ##__VA_ARGS__);                                   \
	} while (0)

#endif
