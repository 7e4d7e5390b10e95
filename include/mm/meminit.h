/*
 * meminit.h - init_on_alloc= and init_on_free= (Linux's parameters):
 * memory handed out, or given back, is zeroed whatever its caller asked.
 *
 *   init_on_alloc=1  every page (alloc_pages and what it serves: vmalloc,
 *                    bigblocks, slabs), slab object, SLOB block and KFENCE
 *                    object is zero when handed out, as with __GFP_ZERO;
 *   init_on_free=1   each is zeroed when freed, once the free's checks have
 *                    passed (a double or bad free wipes nothing), so what
 *                    was freed does not linger in memory; the RAM the boot
 *                    gives the page allocator is zeroed as it is given.
 *
 * Both may be on: each zeroes at its point. A slab cache with a constructor
 * is left out of both (its objects keep their constructed state, as in
 * Linux). Off (the default), the allocators' fast paths are as they are;
 * on, they are routed to the slow paths, where the zeroing is: the inline
 * paths of a slab cache without constructor always miss, its slow paths
 * use its magazines and zero (mm/slab.c, "Zeroing caches"); kmalloc's SLOB
 * heap leaves its inline path; the page allocator's order-0 fast paths take
 * the slow ones (as with page_owner). Kept bigblocks are not kept. Set
 * before mm_init (the boot command line; host tests before they build
 * their node and caches).
 */
#ifndef RVMM_MM_MEMINIT_H
#define RVMM_MM_MEMINIT_H

#include <lib/kernel.h>
#include <mm/gfp.h>

extern bool init_on_alloc, init_on_free;

/* Does an allocation with @gfp hand out zeroed memory? */
static inline bool want_init_on_alloc(gfp_t gfp)
{
	return unlikely(init_on_alloc) || (gfp & __GFP_ZERO);
}

/* Is freed memory zeroed before it is freed? */
static inline bool want_init_on_free(void)
{
	return unlikely(init_on_free);
}

/* Either is on: the fast paths are routed to the slow ones. */
static inline bool meminit_routed(void)
{
	return unlikely(init_on_alloc || init_on_free);
}

/* "mem auto-init: heap alloc:on, heap free:off" when either is on. */
void meminit_print(void);

#endif
