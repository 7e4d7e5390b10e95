/*
 * gfp.h - allocation flags ("get free pages"), with Linux's names.
 *
 * Zone modifiers pick the highest zone an allocation may come from; the
 * allocator then falls back to lower zones (Normal -> DMA32 -> DMA):
 *   (none)        ZONE_NORMAL and below
 *   __GFP_DMA32   ZONE_DMA32 and below (physical addresses under 4 GiB)
 *   __GFP_DMA     ZONE_DMA only; without a ZONE_DMA (no zone_dma_limit=
 *                 parameter) it means ZONE_DMA32 and below, so the page
 *                 still lies under 4 GiB.
 * Action modifiers:
 *   __GFP_HIGH    may dip to half of the zones' min watermark (GFP_ATOMIC)
 *   __GFP_ZERO    the pages come back zeroed
 *   __GFP_NOWARN  a failure does not print its warning
 * rvmm never sleeps or reclaims: GFP_KERNEL and GFP_ATOMIC differ only in
 * how deep into the reserves they may go.
 */
#ifndef RVMM_GFP_H
#define RVMM_GFP_H

typedef unsigned int gfp_t;

#define __GFP_DMA 0x01u
#define __GFP_DMA32 0x02u
#define __GFP_HIGH 0x20u
#define __GFP_ZERO 0x100u
#define __GFP_NOWARN 0x200u

#define GFP_ZONEMASK (__GFP_DMA | __GFP_DMA32)

#define GFP_KERNEL 0x0u
#define GFP_ATOMIC __GFP_HIGH
#define GFP_DMA __GFP_DMA
#define GFP_DMA32 __GFP_DMA32

#endif
