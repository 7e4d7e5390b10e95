/* host.h - helpers shared by the host-only test files. */
#ifndef RVMM_TESTS_HOST_H
#define RVMM_TESTS_HOST_H

#include <stddef.h>

extern const char *host_dtb_dir;

/* The fixture NAME.dtb of host_dtb_dir, malloc'ed, its size in *size;
 * NULL (size 0, the path named on stderr) when it cannot be read. */
void *host_load_dtb(const char *name, size_t *size);

/* The port's host side (host_set_cpu, the kprintf sink, panic hook). */
#include <mm/port.h>

#endif
