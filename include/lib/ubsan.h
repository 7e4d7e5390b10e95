/*
 * lib/ubsan.h - what lib/ubsan.c (the KASAN kernel's -fsanitize=undefined
 * handlers) tells the tests: how many reports, and the last one's kind
 * and source location.
 */
#ifndef RVMM_LIB_UBSAN_H
#define RVMM_LIB_UBSAN_H

#ifdef __cplusplus
extern "C" {
#endif

#include <lib/kernel.h>

#ifdef CONFIG_UBSAN
struct ubsan_report_info {
	const char *kind; /* "shift-out-of-bounds", ... */
	const char *file;
	unsigned int line;
};

extern unsigned long ubsan_nr_reports;
extern struct ubsan_report_info ubsan_last_report;
#endif

#ifdef __cplusplus
}
#endif

#endif
