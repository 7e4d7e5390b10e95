/* host.h - helpers shared by the host-only test files. */
#ifndef RVMM_TESTS_HOST_H
#define RVMM_TESTS_HOST_H

#include <stddef.h>

extern const char *host_dtb_dir;

/* Read build/dtb/<name>.dtb into a malloc'ed buffer; NULL if it cannot. */
void *host_load_dtb(const char *name, size_t *size);

/* Set the cpu number this_cpu() returns in the calling thread. */
void host_set_cpu(unsigned int cpu);

/* When set (the fuzzers' quiet mode), kprintf hands each formatted chunk to
 * it instead of printing; panic() first calls it with NULL (show what was
 * kept), clears it and prints as usual. */
extern void (*host_kprintf_sink)(const char *s);

#endif
