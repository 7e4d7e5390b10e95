/*
 * gfp.h - allocation flags ("get free pages"), with Linux's names, so that
 * Linux driver code compiles unchanged. docs/memory.md has the table side
 * by side with Linux.
 *
 * Zone modifiers pick the highest zone an allocation may come from; the
 * allocator then falls back to lower zones (Normal -> DMA32 -> DMA):
 *   (none)        ZONE_NORMAL and below
 *   __GFP_DMA32   ZONE_DMA32 and below (physical addresses under 4 GiB)
 *   __GFP_DMA     ZONE_DMA only; without a ZONE_DMA (no zone_dma_limit=
 *                 parameter) it means ZONE_DMA32 and below, so the page
 *                 still lies under 4 GiB.
 * Watermark modifiers (Linux's ALLOC_HIGH and ALLOC_HARDER):
 *   __GFP_HIGH    may go down to half of the zones' min watermark
 *   __GFP_ATOMIC  may go a further quarter lower (GFP_ATOMIC has both:
 *                 3/8 of min is its floor)
 * Reclaim modifiers. rvmm never sleeps: "direct reclaim" drains the per-hart
 * page lists and runs the shrinkers on the allocating hart; every
 * allocation that leaves a zone below its low watermark wakes background
 * reclaim (mm/reclaim.c), which runs from the harts' idle ticks and asks
 * the other harts (by IPI, without waiting) to empty their magazines.
 *   __GFP_NO_DIRECT_RECLAIM  no direct reclaim (Linux spells this as the
 *                 absence of __GFP_DIRECT_RECLAIM): GFP_NOWAIT, GFP_ATOMIC
 *   __GFP_NORETRY one round of direct reclaim, then fail
 *   __GFP_RETRY_MAYFAIL  retry direct reclaim while it makes progress,
 *                 then fail (rvmm has no OOM killer, so this is also what
 *                 an order above PAGE_ALLOC_COSTLY_ORDER gets by default)
 *   __GFP_NOFAIL  never returns NULL: retries with reclaim, asking the other
 *                 harts to empty their magazines too; WARNs for
 *                 orders above 1 (as Linux); with nothing left to reclaim
 *                 after NOFAIL_ROUNDS rounds (more while other harts
 *                 still owe a drain), panics naming the request
 *                 (Linux would call the OOM killer; rvmm has nothing to kill)
 * Other action modifiers:
 *   __GFP_ZERO    the memory comes back zeroed (every allocator)
 *   __GFP_NOWARN  a failure does not print its warning
 * GFP_NOIO and GFP_NOFS are GFP_KERNEL: there is no I/O or file system for
 * reclaim to avoid.
 */
#ifndef RVMM_GFP_H
#define RVMM_GFP_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned int gfp_t;

#define __GFP_DMA 0x01u
#define __GFP_DMA32 0x02u
#define __GFP_HIGH 0x20u
#define __GFP_ZERO 0x100u
#define __GFP_NOWARN 0x200u
#define __GFP_ATOMIC 0x400u
#define __GFP_RETRY_MAYFAIL 0x800u
#define __GFP_NORETRY 0x1000u
#define __GFP_NOFAIL 0x2000u
#define __GFP_NO_DIRECT_RECLAIM 0x4000u
/* There is no I/O or file system to keep reclaim away from. */
#define __GFP_IO 0x0u
#define __GFP_FS 0x0u

#define GFP_ZONEMASK (__GFP_DMA | __GFP_DMA32)

/* Does memory allocated with zone bits @have (a cache's or a SLOB heap's
 * own; 0: any zone) satisfy the zone bits of @want? ZONE_DMA lies below
 * 4 GiB, so __GFP_DMA memory satisfies __GFP_DMA32 too. */
static inline bool gfp_zone_satisfies(gfp_t have, gfp_t want)
{
	if (want & __GFP_DMA)
		return have & __GFP_DMA;
	if (want & __GFP_DMA32)
		return have & GFP_ZONEMASK;
	return true;
}

/* The zone @gfp's zone bits name, for messages ("any zone" without
 * any; __GFP_DMA wins, the stricter). */
static inline const char *gfp_zone_text(gfp_t gfp)
{
	return gfp & __GFP_DMA ? "ZONE_DMA" : gfp & __GFP_DMA32 ? "ZONE_DMA32" : "any zone";
}

#define GFP_KERNEL 0x0u
#define GFP_NOIO GFP_KERNEL
#define GFP_NOFS GFP_KERNEL
#define GFP_NOWAIT __GFP_NO_DIRECT_RECLAIM
#define GFP_ATOMIC (__GFP_HIGH | __GFP_ATOMIC | __GFP_NO_DIRECT_RECLAIM)
#define GFP_DMA __GFP_DMA
#define GFP_DMA32 __GFP_DMA32

/* Orders above this are "costly" (Linux's PAGE_ALLOC_COSTLY_ORDER). */
#define PAGE_ALLOC_COSTLY_ORDER 3

/* May the allocation run direct reclaim? (Linux: may it block?) */
static inline int gfpflags_allow_blocking(gfp_t gfp)
{
	return !(gfp & __GFP_NO_DIRECT_RECLAIM);
}

#ifdef __cplusplus
}
#endif

#endif
