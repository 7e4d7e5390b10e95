/*
 * ksyms.h - the kernel's own symbol table, for backtraces with names.
 */
#ifndef RVMM_KSYMS_H
#define RVMM_KSYMS_H

#ifdef __cplusplus
extern "C" {
#endif

#include <mm/port.h>

/* ksym_lookup (declared in mm/port.h, which it serves): the name of the
 * function containing @addr and the offset into it; NULL when @addr is
 * outside the kernel's text (boot/ksyms.c). */

#ifdef __cplusplus
}
#endif

#endif
