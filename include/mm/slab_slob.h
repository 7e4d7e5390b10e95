/*
 * slab_slob.h - the SLOB model of kmem_cache (mm/slab_slob.c): a cache whose
 * objects come from kmalloc's SLOB heap, as Linux 2.6.20 built
 * kmem_cache_alloc with CONFIG_SLOB.
 *
 * A cache is of this model when it is made with SLAB_SLOB, or with
 * slab=slob on the command line and without SLAB_NOSLOB (the kmalloc-N
 * caches carry SLAB_NOSLOB: kfree tells their objects by PGTY_SLAB). The
 * API is kmem_cache_*'s (include/mm/slab.h); mm/slab.c sends a SLOB-model
 * cache to the calls below at its entry points. Such a cache has no
 * magazines: its per-hart pair is the shared empty one, so both inline fast
 * paths fall through to kmem_cache_alloc_slow / kmem_cache_free_slow, which
 * test SLAB_SLOB once in their branch for caches without a magazine (the
 * calls below then run with this hart's interrupts masked).
 */
#ifndef RVMM_SLAB_SLOB_H
#define RVMM_SLAB_SLOB_H

#ifdef __cplusplus
extern "C" {
#endif

#include <mm/gfp.h>
#include <lib/kernel.h>

struct kmem_cache;
struct slob_heap;

/* Freed objects a SLAB_POISON cache keeps, poisoned, before SLOB gets them
 * back (checked when they leave: the window for catching a use after free). */
#define SLOB_CACHE_HOLD 8

/* The SLOB model's state of a cache: kmem_cache_create allocates it with
 * the descriptor, right after it (c->slob), for SLOB-model caches only, so
 * a slab cache's descriptor does not grow by it. */
struct slob_cache {
	struct slob_heap *heap;     /* kmalloc's SLOB heap of the cache's zone */
	unsigned long live;         /* objects handed out and not freed */
	unsigned long peak;         /* most objects out at once */
	unsigned long nr_allocs, nr_frees;
	bool big;                   /* objects are bigblocks of 1 << big_order pages */
	bool kmalloc_path;          /* objects are kmalloc blocks of the heap (see
				     * mm/slab_slob.c, "Which SLOB path") */
	unsigned int big_order;
	/* SLAB_POISON: freed objects, poisoned, oldest at hold[hold_first] */
	unsigned int hold_first, hold_count;
	void *hold[SLOB_CACHE_HOLD];
};

/* slab=slob: caches made without SLAB_NOSLOB take the SLOB model. */
extern bool slab_slob_default;

/* Entry points for mm/slab.c (cache lock not held by the caller). */
/* Set the cache up (geometry, heap) after kmem_cache_create filled in
 * name, flags, sizes, alignment, ctor/dtor and allocflags; 0 or -EINVAL. */
int slob_cache_init(struct kmem_cache *c);
void *slob_cache_alloc(struct kmem_cache *c, gfp_t gfp, unsigned long caller);
void slob_cache_free(struct kmem_cache *c, void *obj, unsigned long caller);
/* Empty the poison hold into SLOB; returns 0 (SLOB gives its own empty
 * pages back as they empty: no page is the cache's to release). */
unsigned long slob_cache_shrink(struct kmem_cache *c);
/* Empty the hold; report objects still out ("kmem_cache_destroy: cache
 * NAME: N objects still allocated"); returns their number. */
unsigned long slob_cache_release(struct kmem_cache *c);

/*
 * The checker (kmem_cache_check sends SLOB-model caches here): the counts
 * agree (live <= peak, allocations - frees = live), no slab, magazine or
 * depot is attached, every held object lies in a SLOB page of the heap on the
 * cache's alignment, is poisoned and has inactive red zones, and no object
 * is held twice. Returns the problems found (printed). The heap, which
 * kmalloc and every SLOB-model cache share, is slob_check's to prove.
 */
int slob_cache_check(struct kmem_cache *c);
/* Is obj a live object of a SLOB-model cache, as far as SLOB can tell: in
 * a SLOB page of the cache's heap (or the head of one of its bigblocks)
 * at the cache's alignment, not held, and (segfit) the payload of a live
 * block big enough for the cache's objects; red zones active. A KFENCE
 * object (the cache sampled) is one when KFENCE holds it live for this
 * cache. Tests use it for every object they hold. */
bool slob_cache_valid_object(struct kmem_cache *c, const void *obj);

/* Objects out of a SLOB-model cache (kmem_cache_objects_out). */
static inline unsigned long slob_cache_objects(const struct slob_cache *s)
{
	return s->live;
}
/* What the cache's objects take: live and held objects times the bytes
 * asked of SLOB per object, or their bigblocks' pages. */
unsigned long slob_cache_bytes(const struct kmem_cache *c);
unsigned long slob_cache_pages(const struct kmem_cache *c);

/* The /proc/slabinfo row of a SLOB-model cache; slobinfo's cache lines
 * (nothing when there are no SLOB-model caches). */
void slob_cache_slabinfo_row(struct kmem_cache *c);
void show_slob_caches(void);

#ifdef __cplusplus
}
#endif

#endif
