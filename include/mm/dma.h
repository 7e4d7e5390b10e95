/*
 * dma.h - memory for devices (mm/dma.c): Linux's coherent DMA API and DMA
 * pools, with Linux's names, so a driver's allocation code compiles
 * unchanged.
 *
 * A device says which bus addresses it can reach with its DMA masks
 * (DMA_BIT_MASK(32): below 4 GiB). rvmm's DMA is direct and coherent: a
 * device's address for memory is its physical address (no IOMMU, no bus
 * offset, no cache maintenance; RISC-V boards that need either are not
 * served), so a coherent allocation is pages whose last byte lies at or
 * below the coherent mask, taken from the zones that can hold them.
 *
 *   dev->coherent_dma_mask = DMA_BIT_MASK(32);       (or dma_set_coherent_mask)
 *   ring = dma_alloc_coherent(dev, 16384, &ring_dma, GFP_KERNEL);
 *   pool = dma_pool_create("rx-desc", dev, 64, 64, 4096);
 *   d = dma_pool_alloc(pool, GFP_ATOMIC, &d_dma);
 *   ...
 *   dma_pool_free(pool, d, d_dma);
 *   dma_pool_destroy(pool);
 *   dma_free_coherent(dev, 16384, ring, ring_dma);
 *
 * Every coherent allocation is recorded (Linux's CONFIG_DMA_API_DEBUG,
 * always on): a free with a handle, address, size or device other than
 * the allocation's is reported, names both, and frees nothing. `dmainfo`
 * lists the allocations, `dmapools` the pools (Linux's "pools" file), and
 * mmcheck checks both.
 */
#ifndef RVMM_DMA_H
#define RVMM_DMA_H

#include <lib/kernel.h>
#include <mm/gfp.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef u64 dma_addr_t;

#define DMA_BIT_MASK(n) ((n) >= 64 ? ~0ull : (1ull << (n)) - 1)

/*
 * The part of Linux's struct device that DMA allocations read. dma_mask
 * (streaming mappings: rvmm has none) may be NULL; coherent_dma_mask is
 * what dma_alloc_coherent and DMA pools honour, 0 meaning "not set" (an
 * error, as in Linux). init_name names the device in reports (kept by
 * pointer: a string that lives as long as the device's allocations). The
 * device itself may go before its allocations: they keep its name and
 * mask.
 */
struct cma;

struct device {
	const char *init_name;
	u64 *dma_mask;
	u64 coherent_dma_mask;
	struct cma *cma_area; /* the device's own contiguous area (mm/cma.h), or NULL */
};

static inline const char *dev_name(const struct device *dev)
{
	return dev && dev->init_name ? dev->init_name : "(unnamed device)";
}

/*
 * Can memory be found for @mask: is there RAM whose first page lies at or
 * below it? (Linux's dma_supported.) 1 yes, 0 no.
 */
int dma_supported(const struct device *dev, u64 mask);
/* Set the masks when dma_supported: 0, else -EIO and the masks unchanged
 * (a message names the device and the mask). dma_set_mask sets *dma_mask
 * (pointing it at coherent_dma_mask when NULL, as Linux's platform
 * devices do). */
int dma_set_mask(struct device *dev, u64 mask);
int dma_set_coherent_mask(struct device *dev, u64 mask);
int dma_set_mask_and_coherent(struct device *dev, u64 mask);

/*
 * dma_alloc_coherent: @size bytes (rounded up to pages, 8193 bytes take 3)
 * of zeroed memory whose every byte lies at or below the device's coherent
 * mask; *@handle gets its device address. The start is aligned to the
 * smallest power of two of pages that holds @size (Linux's guarantee).
 * The zone bits of @gfp are ignored: the mask picks the zones (the highest
 * that starts at or below it, then the lower ones). Sizes above the largest
 * buddy block (4 MiB) take a contiguous run. With a contiguous memory area
 * (include/mm/cma.h: the device's cma_area, or else, for more than a page,
 * dma_contiguous_default_area) that lies at or below the mask, the pages
 * come from it first (aligned as above up to 2^CMA_MAX_ALIGN pages), and
 * from the zones when it has no run free, as Linux's dma-direct takes
 * them. NULL (and *@handle
 * DMA_MAPPING_ERROR) with a message naming the cause when @dev or its
 * mask is missing, @size is 0, no RAM lies below the mask, or memory there
 * runs out (the message unless __GFP_NOWARN).
 *
 * dma_free_coherent frees it: @dev, @size, @cpu_addr and @handle as they
 * were for the allocation, or a report naming the difference and nothing
 * freed. NULL @cpu_addr: nothing.
 */
#define DMA_MAPPING_ERROR (~(dma_addr_t)0)
void *dma_alloc_coherent(struct device *dev, size_t size, dma_addr_t *handle, gfp_t gfp);
void dma_free_coherent(struct device *dev, size_t size, void *cpu_addr, dma_addr_t handle);

/*
 * Streaming mappings: memory the driver already has (kmalloc, pages) handed
 * to a device for one transfer (Linux's dma_map_single / dma_map_page).
 * The device address is the buffer's physical address when the buffer
 * lies at or below the device's DMA mask (*dev->dma_mask, or the coherent
 * mask when dma_mask is NULL); otherwise the transfer goes through a
 * bounce buffer below the mask (Linux's swiotlb): a copy of the buffer at
 * map time, copied back for DMA_FROM_DEVICE and DMA_BIDIRECTIONAL at
 * unmap (and at
 * dma_sync_single_for_cpu; dma_sync_single_for_device copies the CPU's
 * writes to it). So a 32-bit device works on a buffer kmalloc'ed above
 * 4 GiB.
 *
 * dma_map_single returns DMA_MAPPING_ERROR (test it with
 * dma_mapping_error) with a message for a buffer whose bytes are not RAM
 * at consecutive physical addresses (the linear map's are, and a KFENCE
 * object's; vmalloc memory seldom: map its pages one by one), size 0, a
 * bad direction, a
 * device without a mask, a buffer already mapped at that address, or no
 * memory for the bounce buffer. Every mapping is recorded: unmapping or
 * syncing with another size, direction or device, or an address not
 * mapped, is reported and does nothing.
 *
 * dma_debug=off (boot parameter; the variable dma_debug) records bounced
 * mappings only: a direct map is then its checks and the address, and an
 * unmap or sync of an address with no record is taken for a direct
 * mapping's and does nothing, unchecked (Linux without
 * CONFIG_DMA_API_DEBUG). Set it before any mapping is made.
 */
extern bool dma_debug;
enum dma_data_direction {
	DMA_BIDIRECTIONAL = 0,
	DMA_TO_DEVICE = 1,
	DMA_FROM_DEVICE = 2,
	DMA_NONE = 3,
};
struct page;
dma_addr_t dma_map_single(struct device *dev, void *ptr, size_t size, enum dma_data_direction dir);
void dma_unmap_single(struct device *dev, dma_addr_t addr, size_t size, enum dma_data_direction dir);
dma_addr_t dma_map_page(struct device *dev, struct page *page, size_t offset, size_t size,
			enum dma_data_direction dir);
void dma_unmap_page(struct device *dev, dma_addr_t addr, size_t size, enum dma_data_direction dir);
void dma_sync_single_for_cpu(struct device *dev, dma_addr_t addr, size_t size,
			     enum dma_data_direction dir);
void dma_sync_single_for_device(struct device *dev, dma_addr_t addr, size_t size,
				enum dma_data_direction dir);
static inline int dma_mapping_error(struct device *dev, dma_addr_t addr)
{
	(void)dev;
	return addr == DMA_MAPPING_ERROR;
}
/*
 * A scatterlist's pieces (include/mm/scatterlist.h), each mapped as
 * dma_map_single maps it: the number of entries mapped (@nents: pieces are
 * not merged), or 0 when one could not be, the others then unmapped
 * again. dma_unmap_sg and the syncs take the @nents given to dma_map_sg.
 */
struct scatterlist;
int dma_map_sg(struct device *dev, struct scatterlist *sg, int nents, enum dma_data_direction dir);
void dma_unmap_sg(struct device *dev, struct scatterlist *sg, int nents, enum dma_data_direction dir);
void dma_sync_sg_for_cpu(struct device *dev, struct scatterlist *sg, int nents,
			 enum dma_data_direction dir);
void dma_sync_sg_for_device(struct device *dev, struct scatterlist *sg, int nents,
			    enum dma_data_direction dir);

/* Streaming mappings live now, and how many of them are bounced. */
void dma_mapping_totals(unsigned long *nr, unsigned long *bounced);

/*
 * DMA pools: blocks of one size from coherent pages, for descriptors and
 * other small buffers a device reads (Linux's dma_pool_*).
 *
 * dma_pool_create: blocks of @size bytes (at least 8) rounded up to a
 * multiple of @align (a power of two or 0) and of 8, each aligned to that,
 * none crossing a multiple of @boundary (a
 * power of two at least @size; 0 means no boundary), carved from pages
 * of dma_alloc_coherent(@dev) (a page, or the size rounded up to pages).
 * NULL, with a message, for a bad size, alignment or boundary, a device
 * without a coherent mask, or no memory for the descriptor.
 *
 * dma_pool_alloc hands out a free block (*@handle its device address) or
 * grows the pool by one page; NULL when that fails. Freed blocks are
 * filled with DMA_POOL_POISON and checked when handed out again, so a
 * device or a CPU that wrote into a block after its free is reported (the
 * block's name, address and first changed byte). Contents are otherwise
 * undefined: the block is zeroed for __GFP_ZERO (dma_pool_zalloc) and
 * under init_on_alloc=1.
 *
 * dma_pool_free: @vaddr and @dma must be a block of @pool handed out and
 * not yet freed; a pointer outside the pool, off a block's start, a
 * handle that is not the block's, or a second free is reported and
 * nothing changes. Found in O(log pages). A pool keeps at most one page
 * with no block in use; more go back at once.
 *
 * dma_pool_destroy frees the pool and its pages. Blocks still out are
 * reported ("N blocks still in use") and their pages left allocated (the
 * device may still use them), as in Linux. NULL: nothing.
 */
#define DMA_POOL_POISON 0xa7
struct dma_pool;
struct dma_pool *dma_pool_create(const char *name, struct device *dev, size_t size, size_t align,
				 size_t boundary);
void dma_pool_destroy(struct dma_pool *pool);
void *dma_pool_alloc(struct dma_pool *pool, gfp_t gfp, dma_addr_t *handle);
void *dma_pool_zalloc(struct dma_pool *pool, gfp_t gfp, dma_addr_t *handle);
void dma_pool_free(struct dma_pool *pool, void *vaddr, dma_addr_t dma);

/* A pool's counts (what `dmapools` prints). */
struct dma_pool_info {
	size_t size;             /* of a block, after rounding */
	size_t allocation;       /* bytes per pool page */
	unsigned int blocks_per_page;
	unsigned long pages;
	unsigned long blocks_in_use;
};
void dma_pool_get_info(struct dma_pool *pool, struct dma_pool_info *info);

/* Coherent allocations live now, and their bytes (pool pages included). */
void dma_coherent_totals(unsigned long *nr, unsigned long *bytes);

/*
 * What @dev still holds: each coherent allocation (pool pages included) and
 * streaming mapping recorded for it is printed, and their number returned
 * (0: nothing). Linux's dma-debug says the same when a driver is unbound
 * with DMA pending; call it where a driver lets go of its device.
 */
unsigned long dma_device_leaks(const struct device *dev);

/* Errors reported by this API since boot (bad frees, writes after free,
 * impossible requests): what tests read. */
unsigned long dma_error_count(void);

/* The consistency checkers: one pool (its tree of pages, lists, bitmaps
 * and counts, and the poison of every free block), and everything (every
 * pool and the record of coherent allocations). The number of problems
 * found, each printed. */
int dma_pool_check(struct dma_pool *pool);
int dma_check(void);

/* Reports: every pool as Linux's pools file ("poolinfo - 0.1"), and every
 * coherent allocation (device address range, size, device, caller), then
 * every streaming mapping. */
void show_dma_pools(void);
void show_dma_coherent(void);

/* whatis (mm/mm_whatis.c): describe @pa when a coherent allocation holds
 * it (its device, and its pool and block if a pool's). False otherwise. */
bool dma_whatis(u64 pa);

#ifdef __cplusplus
}
#endif

#endif
