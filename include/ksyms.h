/*
 * ksyms.h - the kernel's own symbol table, for backtraces with names.
 */
#ifndef RVMM_KSYMS_H
#define RVMM_KSYMS_H

#include <kernel.h>

/* The name of the function containing @addr and the offset into it; NULL
 * when @addr is outside the kernel's text. */
const char *ksym_lookup(unsigned long addr, unsigned long *offset);

#endif
