/*
 * mapped.h - blocks that are mappings of their own (malloc/mapped.c): the
 * requests of RVMM_MALLOC_MMAP_MIN bytes or more (32 MiB by default), kept
 * out of the heap so that their struct pages are never written.
 * Contract: callers hold their hart slot; the shim accounts the bytes
 * against RVMM_MALLOC_MAX (mapped_bytes) under its growth lock.
 */
#ifndef RVMM_MALLOC_MAPPED_H
#define RVMM_MALLOC_MAPPED_H

#include <stdbool.h>
#include <stddef.h>

/* A block of @size bytes (>= 1), its start aligned to @align (a power of
 * two; a page at least), zero-filled, in a mapping of its own of exactly
 * the whole pages it needs; NULL when the system refuses the mapping or the
 * record has no room for it. */
void *mapped_alloc(size_t size, size_t align);
/* The bytes of the mapped block that starts at @p; 0 when no mapped block
 * starts there (a pointer inside one included). */
size_t mapped_size(const void *p);
/* Unmap the mapped block that starts at @p; false (nothing done) when no
 * block starts there: a second free of one is then the caller's to report. */
bool mapped_free(void *p);
/* The mapped block at @p resized to the whole pages of @size bytes (>= 1),
 * in place or, with @may_move, moved if need be (mremap; a shrink never
 * moves): its new start, or NULL with the block (and
 * errno) left as they were when the system refuses: it does for a range
 * split into mappings of different kinds (part of it mlocked or
 * mprotected). @p must be a mapped block's start. */
void *mapped_resize(void *p, size_t size, bool may_move);
/* The blocks mapped now, and their bytes. */
unsigned long mapped_blocks(void);
unsigned long mapped_bytes(void);
/* The record's consistency (RVMM_MALLOC_CHECK): each problem printed with
 * kprintf; returns how many. */
int mapped_check(void);

#endif
