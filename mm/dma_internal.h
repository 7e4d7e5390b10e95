/*
 * dma_internal.h - what mm/dma.c (coherent allocations, mappings) and
 * mm/dmapool.c (pools) share.
 */
#ifndef RVMM_MM_DMA_INTERNAL_H
#define RVMM_MM_DMA_INTERNAL_H

#include <mm/dma.h>

/* A coherent allocation as dma_alloc_coherent makes it, recorded as
 * @pool's page (NULL: the caller's), with @caller as who asked; and its
 * free, which refuses a record of another pool (or of a pool when @pool is
 * NULL) as it refuses any other mismatch. */
void *dma_coherent_alloc(struct device *dev, size_t size, dma_addr_t *handle, gfp_t gfp,
			 const struct dma_pool *pool, unsigned long caller);
void dma_coherent_free(const struct device *dev, size_t size, void *cpu_addr, dma_addr_t handle,
		       const struct dma_pool *pool);

/* One more error for dma_error_count. */
void dma_count_error(void);
/* A checker's problem: printed, and counted in *@errors. */
void dma_problem(int *errors, const char *fmt, ...) __printf(2, 3);

/* mm/dmapool.c: every live pool's checker (dma_check), a pool's name, and
 * whatis's words on byte @off of one of its pages. */
int dma_pools_check(void);
const char *dma_pool_name(const struct dma_pool *pool);
void dma_pool_describe(const struct dma_pool *pool, u64 off);

#endif
