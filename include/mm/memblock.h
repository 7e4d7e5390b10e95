/*
 * memblock.h - the boot-time memory allocator (see mm/memblock.c).
 *
 * Two sorted tables of physical ranges: `memory` (RAM the device tree
 * describes) and `reserved` (what must never be handed out: firmware,
 * /reserved-memory, the mem-reserve block, kernel, DTB, initrd, and every
 * memblock allocation), and `nomap`, the reserved ranges never to be mapped.
 * Free memory is memory minus reserved.
 */
#ifndef RVMM_MEMBLOCK_H
#define RVMM_MEMBLOCK_H

#ifdef __cplusplus
extern "C" {
#endif

#include <lib/kernel.h>

struct page;

#define MEMBLOCK_MAX_REGIONS 128

/* Region flags. */
#define MEMBLOCK_NOMAP 0x1 /* reserved and not to be mapped (no-map) */

struct memblock_region {
	u64 base;
	u64 size;
	u32 flags;
};

struct memblock_type {
	int cnt;
	struct memblock_region regions[MEMBLOCK_MAX_REGIONS];
};

struct memblock {
	struct memblock_type memory;
	struct memblock_type reserved;
	struct memblock_type nomap; /* the no-map part of reserved */
	u64 alloc_limit;     /* allocations end at or below this address */
	u64 allocated_bytes; /* total handed out by memblock_alloc */
	/*
	 * Memory hotplug (mm/hotplug.c), 0 / NULL without: RAM may be added
	 * after boot up to hotplug_end (node_add_memory), and the node's
	 * struct pages are then the flat array at vmemmap, one per frame from
	 * the first frame of RAM to hotplug_end, zeroed by whoever provides it
	 * and touched only for the frames that are RAM (so memory that is
	 * zero until written, such as an anonymous mapping, costs nothing for
	 * frames never added). The section table reaches hotplug_end.
	 */
	u64 hotplug_end;
	struct page *vmemmap;
};

/* The kernel's instance. */
extern struct memblock memblock;


void memblock_init(struct memblock *mb);

/* Add a range of RAM / a reserved range. Overlapping and adjacent ranges
 * (with equal flags) merge. Returns 0, -EINVAL (size 0 or wraps past 2^64)
 * or -ENOSPC (table full). */
int memblock_add(struct memblock *mb, u64 base, u64 size);
int memblock_reserve(struct memblock *mb, u64 base, u64 size);
int memblock_reserve_flags(struct memblock *mb, u64 base, u64 size, u32 flags);
/* Take [base, base+size) out of reserved (and nomap) again, as Linux's
 * memblock_phys_free (mm/reserved.c). Returns 0, -EINVAL or -ENOSPC. */
int memblock_phys_free(struct memblock *mb, u64 base, u64 size);

/*
 * Allocate @size bytes aligned to @align (a power of two) from free memory,
 * highest address first, below mb->alloc_limit; the range becomes reserved.
 * Only bytes of pages that the direct map maps are handed out: pages wholly
 * RAM with no no-map byte (memblock_next_free_mappable).
 * Returns the physical address, or 0 when nothing fits. The memory is not
 * cleared (it may not be mapped yet); see memblock_alloc_zeroed.
 */
u64 memblock_alloc(struct memblock *mb, u64 size, u64 align);

/*
 * memblock_alloc within [@start, @end) (end exclusive; also below
 * alloc_limit): the highest address @align-aligned at which @size bytes fit
 * wholly inside the window, as Linux's memblock_phys_alloc_range top-down.
 * Returns it (now reserved), or 0 when nothing fits, the window is empty or
 * @size / @align are bad (0, or @align not a power of two).
 */
u64 memblock_alloc_range(struct memblock *mb, u64 size, u64 align, u64 start, u64 end);

/*
 * Walk free ranges (memory minus reserved) in address order:
 *   u64 cursor = 0, start, end;
 *   while (memblock_next_free(mb, &cursor, &start, &end)) ...
 * Each range is [start, end), byte-exact (not page-rounded).
 */
bool memblock_next_free(const struct memblock *mb, u64 *cursor, u64 *start, u64 *end);

/* The same walk less what memblock_alloc never hands out: the partial page
 * at either end of a RAM range and the rest of a page a no-map range
 * touches. Ranges are still byte-exact where they end at a reserved range
 * that leaves the page mapped (such as an earlier allocation). */
bool memblock_next_free_mappable(const struct memblock *mb, u64 *cursor, u64 *start, u64 *end);

/* What memblock_alloc could still hand out below alloc_limit: the bytes in
 * all, and the largest piece. */
void memblock_free_summary(const struct memblock *mb, u64 *total, u64 *largest);

/* Drop every byte of RAM at or above @limit from memory (RAM the kernel
 * cannot map) and lower alloc_limit to it. Returns the bytes dropped.
 * Reserved ranges are left as they are. */
u64 memblock_limit_memory(struct memblock *mb, u64 limit);

/* Print each piece of RAM memblock_alloc will not use because its page is
 * not mapped: partial pages at the ends of RAM ranges and the rest of pages
 * no-map ranges touch. */
void memblock_report_unusable(const struct memblock *mb);

bool memblock_is_memory(const struct memblock *mb, u64 addr);
bool memblock_is_reserved(const struct memblock *mb, u64 addr);

/* Bytes of RAM; bytes of RAM that are reserved. */
u64 memblock_phys_mem_size(const struct memblock *mb);
u64 memblock_reserved_in_memory(const struct memblock *mb);

/* Check both tables are sorted, disjoint and merged; returns errors found. */
int memblock_check(const struct memblock *mb);

void memblock_dump(const struct memblock *mb);

#ifdef __cplusplus
}
#endif

#endif
