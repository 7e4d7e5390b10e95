/*
 * ram_floor.h - on-target cases that need a machine of some size.
 *
 * A case that allocates tens of MiB (whole order-10 blocks, 4 MiB kmallocs,
 * a vmalloc of thousands of pages) cannot pass on a board with 16 MiB; such
 * a case opens with KTEST_NEEDS_RAM(mib), which skips it there with the
 * reason on its line ("# SKIP needs 32 MiB of RAM, this machine gives the
 * page allocator 12") instead of failing as if the allocator were broken.
 */
#ifndef RVMM_TESTS_RAM_FLOOR_H
#define RVMM_TESTS_RAM_FLOOR_H

#include <mm/mmzone.h>
#include <tests/ktest.h>

/* MiB of RAM the page allocator manages (meminfo's MemTotal). */
static inline unsigned long ktest_managed_mib(void)
{
	unsigned long pages = 0;

	for (int zi = 0; zi < MAX_NR_ZONES; zi++)
		pages += mem_node->zones[zi].managed_pages;
	return pages >> (20 - PAGE_SHIFT);
}

#define KTEST_NEEDS_RAM(mib)                                                           \
	do {                                                                           \
		if (ktest_managed_mib() < (mib)) {                                     \
			ktest_skip(t, "needs %u MiB of RAM, this machine gives the page " \
				      "allocator %lu", (unsigned int)(mib), ktest_managed_mib()); \
			return;                                                        \
		}                                                                      \
	} while (0)

#endif
