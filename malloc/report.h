/*
 * report.h - RVMM_MALLOC_REPORT: the heap's memory reports at its peak and
 * at exit (malloc/report.c).
 */
#ifndef RVMM_MALLOC_REPORT_H
#define RVMM_MALLOC_REPORT_H

#include <stdbool.h>

/* Reporting on into @path (RVMM_MALLOC_REPORT's value); false when @path is
 * NULL or empty. Call once the heap is set up: it takes kprintf's sink. */
bool report_setup(const char *path);
/* After an allocation, with the caller's hart slot held: the heap's bytes
 * in use now. */
void report_note_use(unsigned long in_use);
/* At exit, before report_write, with the caller's hart slot held: who
 * allocated the objects still out, from every cache that records its users
 * (RVMM_MALLOC_DEBUG=U), then what @more prints (the blocks above the slab
 * classes), for report_write to append. */
void report_traces(void (*more)(void));
/* At exit: append the header, the peak's snapshot and the reports as they
 * are now (@in_use bytes in use) to the file. */
void report_write(const char *name, int pid, const char *backend, unsigned long in_use);

#endif
