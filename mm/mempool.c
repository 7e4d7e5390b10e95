/*
 * mempool.c - memory pools: a reserve of min_nr preallocated elements in
 * front of an allocator (include/mm/mempool.h has the contracts).
 *
 * How it works. The reserve is an array used as a stack, filled when the
 * pool is made. An allocation tries the allocator first, quietly and
 * without direct reclaim, so that while memory is plentiful the reserve is
 * left whole; it pops the reserve only when that fails. A free pushes
 * onto the reserve while it is short of min_nr and calls the allocator's
 * free otherwise: the elements that were borrowed from the reserve come
 * back to it before any memory goes back to the allocator. So a user that
 * holds at most min_nr elements at a time always gets one, whatever the
 * allocator's state; that is the guarantee a pool gives.
 *
 * The pool's lock (interrupts masked) covers the reserve and the counts;
 * the allocator is called outside it. Invariant: 0 <= curr_nr <= min_nr,
 * elements[0 .. curr_nr) non-NULL and distinct (mempool_check).
 */
#include <lib/kstring.h>
#include <mm/kmalloc.h>
#include <mm/mempool.h>
#include <mm/mm.h>
#include <mm/slab.h>

static void report(const char *what, const void *element, const char *why)
{
	kprintf("%s(%p): %s; nothing changed\n", what, element, why);
}

static void free_reserve(mempool_t *pool, void **elements, int n)
{
	while (n > 0)
		pool->free(elements[--n], pool->pool_data);
}

mempool_t *mempool_create(int min_nr, mempool_alloc_t *alloc_fn, mempool_free_t *free_fn,
			  void *pool_data)
{
	mempool_t *pool;

	if (min_nr < 1 || !alloc_fn || !free_fn) {
		kprintf("mempool_create: %s\n", min_nr < 1 ? "min_nr below 1" : "no allocator given");
		return NULL;
	}
	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return NULL;
	pool->min_nr = min_nr;
	pool->pool_data = pool_data;
	pool->alloc = alloc_fn;
	pool->free = free_fn;
	pool->elements = kmalloc_array((size_t)min_nr, sizeof(void *), GFP_KERNEL);
	while (pool->elements && pool->curr_nr < min_nr) {
		void *e = alloc_fn(GFP_KERNEL, pool_data);

		if (!e)
			break;
		pool->elements[pool->curr_nr++] = e;
	}
	if (pool->curr_nr < min_nr) { /* (what was taken goes back) */
		mempool_destroy(pool);
		return NULL;
	}
	return pool;
}

void mempool_destroy(mempool_t *pool)
{
	if (!pool)
		return;
	free_reserve(pool, pool->elements, pool->curr_nr);
	kfree(pool->elements);
	kfree(pool);
}

void *mempool_alloc(mempool_t *pool, gfp_t gfp)
{
	unsigned long flags;
	void *e;

	if (!pool) {
		report("mempool_alloc", NULL, "no pool");
		return NULL;
	}
	e = pool->alloc(gfp | __GFP_NO_DIRECT_RECLAIM | __GFP_NORETRY | __GFP_NOWARN, pool->pool_data);
	if (e)
		return e;
	flags = spin_lock_irqsave(&pool->lock);
	if (pool->curr_nr) {
		e = pool->elements[--pool->curr_nr];
		pool->nr_alloc_reserve++;
		spin_unlock_irqrestore(&pool->lock, flags);
		return e;
	}
	spin_unlock_irqrestore(&pool->lock, flags);
	/* The reserve is empty: the allocator once more, as the caller asked. */
	e = pool->alloc(gfp, pool->pool_data);
	if (!e) {
		flags = spin_lock_irqsave(&pool->lock);
		pool->nr_alloc_failed++;
		spin_unlock_irqrestore(&pool->lock, flags);
	}
	return e;
}

void mempool_free(void *element, mempool_t *pool)
{
	unsigned long flags;

	if (!element)
		return;
	if (!pool) {
		report("mempool_free", element, "no pool");
		return;
	}
	flags = spin_lock_irqsave(&pool->lock);
	for (int i = 0; i < pool->curr_nr; i++)
		if (pool->elements[i] == element) {
			spin_unlock_irqrestore(&pool->lock, flags);
			report("mempool_free", element, "already in the pool's reserve (a double free)");
			return;
		}
	if (pool->curr_nr < pool->min_nr) {
		pool->elements[pool->curr_nr++] = element;
		spin_unlock_irqrestore(&pool->lock, flags);
		return;
	}
	spin_unlock_irqrestore(&pool->lock, flags);
	pool->free(element, pool->pool_data);
}

int mempool_resize(mempool_t *pool, int new_min_nr)
{
	void **grown, **old, *extra[16];
	unsigned long flags;
	int n, have, cur, k, excess;

	if (!pool || new_min_nr < 1) {
		kprintf("mempool_resize(%p, %d): %s\n", (void *)pool, new_min_nr,
			!pool ? "no pool" : "min_nr below 1");
		return -EINVAL;
	}
	flags = spin_lock_irqsave(&pool->lock);
	if (new_min_nr <= pool->min_nr) {
		/* Shrink: the elements past the new count go back, in rounds
		 * (the allocator is called outside the lock). */
		pool->min_nr = new_min_nr;
		while (pool->curr_nr > new_min_nr) {
			n = 0;
			while (pool->curr_nr > new_min_nr && n < (int)ARRAY_SIZE(extra))
				extra[n++] = pool->elements[--pool->curr_nr];
			spin_unlock_irqrestore(&pool->lock, flags);
			free_reserve(pool, extra, n);
			flags = spin_lock_irqsave(&pool->lock);
		}
		spin_unlock_irqrestore(&pool->lock, flags);
		return 0;
	}
	have = pool->curr_nr;
	spin_unlock_irqrestore(&pool->lock, flags);
	/* Grow: a new array, the elements it lacks at its top, then switch. */
	k = new_min_nr - have;
	grown = kmalloc_array((size_t)new_min_nr, sizeof(void *), GFP_KERNEL);
	if (!grown)
		return -ENOMEM;
	for (int i = 0; i < k; i++) {
		grown[have + i] = pool->alloc(GFP_KERNEL, pool->pool_data);
		if (!grown[have + i]) {
			free_reserve(pool, grown + have, i);
			kfree(grown);
			return -ENOMEM;
		}
	}
	flags = spin_lock_irqsave(&pool->lock);
	old = pool->elements;
	cur = pool->curr_nr; /* frees and allocations may have moved it */
	if (cur <= have) {
		memcpy(grown, old, (size_t)cur * sizeof(void *));
		memmove(grown + cur, grown + have, (size_t)k * sizeof(void *));
		excess = 0;
	} else {
		/* More came back meanwhile: the new elements in [have, cur)
		 * are not needed; they trade places with the reserve's. */
		for (int i = have; i < cur; i++) {
			void *e = grown[i];

			grown[i] = old[i];
			old[i] = e;
		}
		memcpy(grown, old, (size_t)have * sizeof(void *));
		excess = cur - have;
	}
	pool->elements = grown;
	pool->min_nr = new_min_nr;
	pool->curr_nr = cur <= have ? cur + k : new_min_nr;
	spin_unlock_irqrestore(&pool->lock, flags);
	free_reserve(pool, old + have, excess);
	kfree(old);
	return 0;
}

/* ---- mempool_t's invariant (header comment) ---- */

int mempool_check(mempool_t *pool)
{
	unsigned long flags = spin_lock_irqsave(&pool->lock);
	int errors = 0;

	if (pool->min_nr < 1 || pool->curr_nr < 0 || pool->curr_nr > pool->min_nr) {
		kprintf("mempool %p: %d elements in a reserve of %d\n", (void *)pool, pool->curr_nr,
			pool->min_nr);
		errors++;
	}
	for (int i = 0; !errors && i < pool->curr_nr; i++) {
		if (!pool->elements[i]) {
			kprintf("mempool %p: reserve element %d is NULL\n", (void *)pool, i);
			errors++;
		}
		for (int j = 0; j < i; j++)
			if (pool->elements[j] == pool->elements[i]) {
				kprintf("mempool %p: %p twice in the reserve (%d and %d)\n", (void *)pool,
					pool->elements[i], j, i);
				errors++;
			}
	}
	spin_unlock_irqrestore(&pool->lock, flags);
	return errors;
}

/* ---- the allocators Linux provides ---- */

void *mempool_alloc_slab(gfp_t gfp, void *pool_data)
{
	return kmem_cache_alloc(pool_data, gfp);
}

void mempool_free_slab(void *element, void *pool_data)
{
	kmem_cache_free(pool_data, element);
}

void *mempool_kmalloc(gfp_t gfp, void *pool_data)
{
	return kmalloc((size_t)pool_data, gfp);
}

void mempool_kfree(void *element, void *pool_data)
{
	(void)pool_data;
	kfree(element);
}

void *mempool_alloc_pages(gfp_t gfp, void *pool_data)
{
	return alloc_pages(gfp, (unsigned int)(long)pool_data);
}

void mempool_free_pages(void *element, void *pool_data)
{
	__free_pages(element, (unsigned int)(long)pool_data);
}
