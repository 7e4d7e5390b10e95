/*
 * bigtrack.h - RVMM_MALLOC_DEBUG=U's record of the blocks above the slab
 * classes (malloc/bigtrack.c): who allocated each bigblock, page run and
 * mapped block still allocated. Contract: callers hold their hart slot.
 */
#ifndef RVMM_MALLOC_BIGTRACK_H
#define RVMM_MALLOC_BIGTRACK_H

#include <stdbool.h>
#include <stddef.h>

/* Entries a table holds; blocks beyond three quarters of it are counted,
 * not recorded. */
#define BIGTRACK_SLOTS (1ul << 16)

/* Map the record's tables, empty (each call: a new record, the old one's
 * memory kept); false when the system has no memory for them. */
bool bigtrack_setup(void);
/* Block @p (not a slab object) was allocated by @caller / is being freed. */
void bigtrack_note(const void *p, unsigned long caller);
void bigtrack_forget(const void *p);
/* The blocks recorded, by caller, largest total first, with kprintf (the
 * report's buffer at exit); @block_size gives each block's bytes. */
void bigtrack_show(size_t (*block_size)(const void *p));

#endif
