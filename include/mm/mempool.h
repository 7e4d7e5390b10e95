/*
 * mempool.h - memory pools (mm/mempool.c): a reserve of preallocated
 * elements that lets a path which must make progress (an I/O completion,
 * a driver's interrupt handler, a path that frees memory) allocate when
 * the allocator underneath has nothing left. Linux's API and names.
 *
 *   pool = mempool_create_slab_pool(16, req_cache);   (16 kept in reserve)
 *   req = mempool_alloc(pool, GFP_ATOMIC);
 *   ...
 *   mempool_free(req, pool);
 *   mempool_destroy(pool);
 *
 * mempool_alloc asks the allocator first (without direct reclaim and
 * without a failure warning); when that fails it takes an element from the
 * reserve; when the reserve is empty too it asks the allocator once more
 * with the caller's @gfp (direct reclaim unless GFP_ATOMIC / GFP_NOWAIT).
 * Linux would then sleep until an element comes back; rvmm never sleeps,
 * so that last failure returns NULL (with __GFP_NOFAIL the allocator's own
 * retries apply). mempool_free puts the element back into the reserve while
 * the reserve is below min_nr, and gives it to the allocator otherwise, so
 * the reserve refills as the elements taken from it come back.
 *
 * Errors: a free of an element that is in the reserve (a double free), a
 * NULL pool and a bad count are reported and change nothing. The reserve
 * is a small array that every free scans (O(min_nr); min_nr is small); an
 * element freed twice after leaving the pool is its allocator's to catch.
 */
#ifndef RVMM_MEMPOOL_H
#define RVMM_MEMPOOL_H

#include <lib/kernel.h>
#include <lib/spinlock.h>
#include <mm/gfp.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kmem_cache;

typedef void *(mempool_alloc_t)(gfp_t gfp, void *pool_data);
typedef void (mempool_free_t)(void *element, void *pool_data);

typedef struct mempool {
	spinlock_t lock;
	int min_nr;             /* elements the reserve is refilled to */
	int curr_nr;            /* elements in the reserve now */
	void **elements;        /* the reserve: elements[0 .. curr_nr) */
	void *pool_data;
	mempool_alloc_t *alloc;
	mempool_free_t *free;
	unsigned long nr_alloc_reserve; /* allocations the reserve served */
	unsigned long nr_alloc_failed;  /* allocations that returned NULL */
} mempool_t;

/*
 * A pool whose reserve holds @min_nr elements from @alloc_fn (called with
 * GFP_KERNEL now); NULL with everything given back when one of them, or
 * the pool itself, cannot be allocated, or @min_nr is below 1 or the
 * functions are missing.
 */
mempool_t *mempool_create(int min_nr, mempool_alloc_t *alloc_fn, mempool_free_t *free_fn,
			  void *pool_data);
/* Free the reserve's elements, then the pool. Elements still out stay
 * their holders' (free them to their allocator, not to the pool). NULL:
 * nothing. */
void mempool_destroy(mempool_t *pool);
void *mempool_alloc(mempool_t *pool, gfp_t gfp);
void mempool_free(void *element, mempool_t *pool);
/* Change min_nr to @new_min_nr (>= 1): a smaller reserve gives its extra
 * elements back; a larger one is filled with GFP_KERNEL now. 0; -ENOMEM
 * when the array or an element cannot be allocated, the pool as it was;
 * -EINVAL for a count below 1. */
int mempool_resize(mempool_t *pool, int new_min_nr);

/* The allocators Linux provides for pools. */
void *mempool_alloc_slab(gfp_t gfp, void *pool_data);      /* pool_data: the kmem_cache */
void mempool_free_slab(void *element, void *pool_data);
void *mempool_kmalloc(gfp_t gfp, void *pool_data);         /* pool_data: the size */
void mempool_kfree(void *element, void *pool_data);
void *mempool_alloc_pages(gfp_t gfp, void *pool_data);     /* pool_data: the order; a struct page */
void mempool_free_pages(void *element, void *pool_data);

static inline mempool_t *mempool_create_slab_pool(int min_nr, struct kmem_cache *cache)
{
	return mempool_create(min_nr, mempool_alloc_slab, mempool_free_slab, cache);
}
static inline mempool_t *mempool_create_kmalloc_pool(int min_nr, size_t size)
{
	return mempool_create(min_nr, mempool_kmalloc, mempool_kfree, (void *)size);
}
static inline mempool_t *mempool_create_page_pool(int min_nr, int order)
{
	return mempool_create(min_nr, mempool_alloc_pages, mempool_free_pages,
			      (void *)(long)order);
}

/* The consistency checker: counts in range, no element twice in the
 * reserve, none NULL. The number of problems found, each printed. */
int mempool_check(mempool_t *pool);

#ifdef __cplusplus
}
#endif

#endif
