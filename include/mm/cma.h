/*
 * cma.h - contiguous memory areas (mm/cma.c), Linux's CMA API.
 *
 * A CMA area is a range of RAM set aside at boot (a reusable
 * "shared-dma-pool" child of /reserved-memory, or `cma=SIZE`) from which
 * runs of physically contiguous pages are handed out on demand: buffers
 * too large for the page allocator's biggest block, or that must not fail
 * once the buddy free lists are fragmented (frame buffers, camera and
 * network rings). dma_alloc_coherent takes its multi-page allocations from
 * the device's area, or the default one, when the area lies within the
 * device's mask (include/mm/dma.h).
 *
 * rvmm does not migrate pages, so an area's free pages are not lent to the
 * page allocator as Linux lends them (MIGRATE_CMA): they stay reserved,
 * outside MemTotal, counted in meminfo's CmaTotal / CmaFree. In exchange an
 * allocation that fits the area's largest free run never fails or waits.
 */
#ifndef RVMM_MM_CMA_H
#define RVMM_MM_CMA_H

#ifdef __cplusplus
extern "C" {
#endif

#include <lib/avl.h>
#include <lib/spinlock.h>
#include <mm/mm.h>

#define CMA_NAME_LEN 32
#define MAX_CMA_AREAS 8    /* areas cma_init_reserved_mem can register */
#define CMA_MAX_ALIGN 12   /* the largest alignment cma_alloc honours: 2^12 pages (16 MiB) */

/*
 * An area: pages [base_pfn, base_pfn + count), one bitmap bit per 2^order_per_bit
 * pages (set: allocated), each allocation recorded (start, pages, caller).
 * Invariants (cma_check): the set bits are exactly the records' pages, the
 * records do not overlap, `used` counts the set bits' pages, no bit at or
 * beyond the area's end is set. The fields are the area's own: read them
 * through the functions below.
 */
struct cma {
	char name[CMA_NAME_LEN];
	unsigned long base_pfn, count;   /* pages */
	unsigned int order_per_bit;
	unsigned long *bitmap;           /* bitmap_bits() bits, kmalloc'd */
	unsigned long used, peak;        /* pages allocated, now and at most */
	unsigned long nr_allocs, nr_failed, nr_bad_releases;
	struct avl_tree records;         /* struct cma_record by first pfn */
	spinlock_t lock;
	bool registered;                 /* in the list cma_for_each_area walks */
};

/*
 * Make @cma an area over the pages [@base, @base + @size): page-aligned,
 * aligned to and a multiple of 2^@order_per_bit pages, every page with a
 * struct page and none of them free in the page allocator (a reserved range,
 * or pages the caller took and gives up). The caller's struct, not
 * registered (a private area: tests, a driver's own); 0 or -EINVAL / -ENOMEM
 * with a message naming the cause.
 */
int cma_init_area(struct cma *cma, u64 base, u64 size, unsigned int order_per_bit,
		  const char *name);
/* Tear down an area made by cma_init_area: -EBUSY (reported) while any of
 * its pages are allocated; the pages are then the caller's again. */
int cma_destroy_area(struct cma *cma);

/* Linux's: an area over a range reserved at boot, registered (cmainfo,
 * meminfo, whatis, mmcheck see it); *res_cma set on success. -ENOSPC beyond
 * MAX_CMA_AREAS, else cma_init_area's errors. */
int cma_init_reserved_mem(u64 base, u64 size, unsigned int order_per_bit,
			  const char *name, struct cma **res_cma);

/* The area dma_alloc_coherent uses for devices without their own (cma= or
 * the tree's linux,cma-default); NULL when there is none. */
extern struct cma *dma_contiguous_default_area;

/*
 * @count contiguous pages of @cma, the first aligned to 2^@align pages
 * (@align above CMA_MAX_ALIGN is taken as CMA_MAX_ALIGN), first fit from
 * the area's start. Not zeroed. NULL when no free run fits (with a message
 * naming the area, the request and the largest free run, unless @no_warn),
 * or for count 0. Takes the area's lock with interrupts masked: callable
 * from any context; never waits.
 */
struct page *cma_alloc(struct cma *cma, unsigned long count, unsigned int align, bool no_warn);
/* cma_alloc with @caller recorded as the allocation's (dma_alloc_coherent's
 * caller, not dma.c). */
struct page *__cma_alloc(struct cma *cma, unsigned long count, unsigned int align, bool no_warn,
			 unsigned long caller);

/*
 * Give back @count pages at @pages, which must be exactly one cma_alloc
 * allocation of @cma: true then. false, quietly, when the pages are not in
 * the area (Linux's contract: the caller may then free them elsewhere);
 * false with a message, nothing released, when they are in the area but
 * are not one allocation (a second release, a wrong count, a page inside
 * one), counted in nr_bad_releases.
 */
bool cma_release(struct cma *cma, const struct page *pages, unsigned long count);

/* Do the @count pages at @pages lie in @cma? */
bool cma_pages_valid(const struct cma *cma, const struct page *pages, unsigned long count);

static inline u64 cma_get_base(const struct cma *cma)
{
	return PFN_PHYS(cma->base_pfn);
}

static inline unsigned long cma_get_size(const struct cma *cma)
{
	return cma->count << PAGE_SHIFT;
}

static inline const char *cma_get_name(const struct cma *cma)
{
	return cma->name;
}

/* Pages free in the area, and the longest run of free pages. */
unsigned long cma_free_pages(struct cma *cma);
unsigned long cma_largest_free_run(struct cma *cma);

/* Call @fn on each registered area in the order registered; a nonzero
 * return stops the walk and is returned. */
int cma_for_each_area(int (*fn)(struct cma *cma, void *data), void *data);

/* The registered area holding physical address @pa, or NULL. */
struct cma *cma_area_of(u64 pa);

/* The invariants above; each broken one printed. Returns the number found. */
int cma_check(struct cma *cma);
/* cma_check over every registered area (mmcheck). */
int cma_check_all(void);

/* cmainfo: each registered area (range, pages used / peak / free, largest
 * free run, allocations and failures, a map of its bitmap) and with
 * @records its allocations and their callers. */
void show_cma(struct cma *cma, bool records);
void show_cma_areas(bool records);
/* meminfo's CmaTotal and CmaFree lines, last as in Linux (whose areas'
 * pages are in MemTotal too; rvmm's are not). */
void cma_meminfo(void);
/* whatis's lines for @pa when it lies in a registered area: the area, and
 * the allocation holding it or "free". false when it is in none. */
bool cma_whatis(u64 pa);

#ifdef __cplusplus
}
#endif

#endif /* RVMM_MM_CMA_H */
