/* host.h - helpers shared by the host-only test files. */
#ifndef RVMM_TESTS_HOST_H
#define RVMM_TESTS_HOST_H

#include <stddef.h>

extern const char *host_dtb_dir;

/* Read build/dtb/<name>.dtb into a malloc'ed buffer; NULL if it cannot. */
void *host_load_dtb(const char *name, size_t *size);

/* The port's host side (host_set_cpu, the kprintf sink, panic hook). */
#include <mm/port.h>

#endif
