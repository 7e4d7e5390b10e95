/*
 * dma.c - memory for devices: coherent allocations and streaming mappings
 * (include/mm/dma.h has the contracts).
 *
 * Coherent allocations. A device reaches physical addresses up to its
 * coherent mask, so an allocation must end at or below it. The zones are
 * ranges of physical addresses: the allocation starts in the highest zone
 * that begins at or below the mask, with that zone's gfp bits (the page
 * allocator falls back to the lower zones by itself). A zone that lies
 * wholly below the mask always satisfies it; one the mask cuts in two may
 * hand out pages above it, which are held (so the next try gets others)
 * for up to DMA_TRIES tries, then given back, and the next lower zone is
 * tried. Linux's dma-direct does the same walk down the zones (it retries
 * once per zone). The pages are alloc_pages_exact's run (aligned to the
 * order that holds it), or alloc_contig_pages' above the largest block.
 *
 * Every allocation is recorded in an AVL tree keyed by device address,
 * with its size, device and caller (Linux's dma-debug, always on here:
 * coherent allocations are few and page-sized, the record is about 80
 * bytes). dma_free_coherent frees only what matches its record, so a wrong
 * size cannot free a neighbour's pages and a second free finds no record.
 *
 * Streaming mappings (dma_map_single / dma_map_page). A buffer at or below
 * the device's mask is mapped as it is: its device address is its physical
 * address. One above it is bounced (Linux's swiotlb): pages below the mask
 * are taken as a coherent allocation's are, filled from the buffer at map
 * time (whatever the direction, as swiotlb does: the bytes the device does
 * not write come back unchanged), and copied back when the device may have
 * written it, at unmap and at dma_sync_single_for_cpu. Every mapping is
 * recorded in a second tree keyed by device address, so unmaps and syncs
 * are checked as frees are (under dma_debug=off only bounced ones: a
 * direct map is then a few checks and its address).
 *
 * A device's contiguous memory area (mm/cma.c: its own, or the default
 * one for more than a page) is tried first when it lies at or below the
 * coherent mask; the record keeps the area, so the free goes back there.
 *
 * DMA pools (mm/dmapool.c) take their pages here, as coherent allocations
 * that name their pool, so a pool's page is never freed as anything else.
 *
 * Locks: dma_lock covers the trees of coherent allocations and of
 * mappings; it is not held across a page allocation and is taken with
 * interrupts masked, so mappings may be made from interrupt handlers with
 * GFP_ATOMIC.
 */
#include <lib/avl.h>
#include <lib/cmdline.h>
#include <lib/kstring.h>
#include <lib/spinlock.h>
#include <mm/cma.h>
#include <mm/dma.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/mm_report.h>
#include <mm/kfence.h>
#include <mm/mmzone.h>
#include <mm/pgtable.h>
#include <mm/port.h>
#include <mm/scatterlist.h>
#include <mm/vmalloc.h>
#include "dma_internal.h"
#include "internal.h"

#define DMA_TRIES 8            /* blocks held per zone before trying a lower one */

/* dma_debug= (include/mm/dma.h): record direct streaming mappings too. */
bool dma_debug = true;

static int dma_debug_param(const char *value)
{
	return parse_bool(value, &dma_debug);
}
KPARAM("dma_debug", dma_debug_param,
       "dma_debug=on|off  record every streaming DMA mapping and check its unmap (default on; off: "
       "bounced ones only)");

static unsigned long dma_errors;

unsigned long dma_error_count(void)
{
	return __atomic_load_n(&dma_errors, __ATOMIC_RELAXED);
}

void dma_count_error(void)
{
	__atomic_fetch_add(&dma_errors, 1, __ATOMIC_RELAXED);
}

/* ====================== the record of coherent allocations ================ */

struct dma_coherent {
	u64 dma;                /* key: the device address of the first byte */
	struct avl_node node;
	size_t size;            /* as asked */
	void *cpu_addr;
	const struct device *dev; /* compared, never read: it may be gone */
	const char *dev_name;     /* and its name and mask when allocated */
	u64 mask;
	unsigned long caller;
	bool contig;            /* alloc_contig_pages' run (above MAX_ORDER) */
	struct cma *cma;        /* the contiguous area the pages are from, or NULL */
	const struct dma_pool *pool; /* the pool whose page this is, or NULL */
};

static spinlock_t dma_lock = SPINLOCK_INIT;
static struct avl_tree coherent_tree = AVL_TREE_INIT(struct dma_coherent, node, dma);
static unsigned long coherent_nr, coherent_bytes;

static struct dma_coherent *coherent_of(struct avl_node *n)
{
	return n ? avl_entry(n, struct dma_coherent, node) : NULL;
}

static unsigned long round_pages(size_t size)
{
	return (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

void dma_coherent_totals(unsigned long *nr, unsigned long *bytes)
{
	unsigned long flags = spin_lock_irqsave(&dma_lock);

	*nr = coherent_nr;
	*bytes = coherent_bytes;
	spin_unlock_irqrestore(&dma_lock, flags);
}

/* ============================ masks and zones ============================= */

static u64 zone_start_phys(const struct zone *z)
{
	return (u64)z->zone_start_pfn << PAGE_SHIFT;
}

static const gfp_t zone_gfp_bits[MAX_NR_ZONES] = {
	[ZONE_DMA] = __GFP_DMA,
	[ZONE_DMA32] = __GFP_DMA32,
	[ZONE_NORMAL] = 0,
};

/* The highest zone with pages whose first page lies at or below @mask, or
 * -1 when there is none. */
static int highest_zone_for(u64 mask)
{
	for (int zi = MAX_NR_ZONES - 1; zi >= 0; zi--) {
		const struct zone *z = &mem_node->zones[zi];

		if (z->managed_pages && zone_start_phys(z) + PAGE_SIZE - 1 <= mask)
			return zi;
	}
	return -1;
}

int dma_supported(const struct device *dev, u64 mask)
{
	(void)dev;
	return highest_zone_for(mask) >= 0;
}

static int check_mask(struct device *dev, u64 mask, const char *what)
{
	if (dma_supported(dev, mask))
		return 0;
	kprintf("%s(%s): mask 0x%llx: no RAM at or below it\n", what, dev_name(dev),
		(unsigned long long)mask);
	dma_count_error();
	return -EIO;
}

int dma_set_mask(struct device *dev, u64 mask)
{
	int rc = check_mask(dev, mask, "dma_set_mask");

	if (rc)
		return rc;
	if (!dev->dma_mask)
		dev->dma_mask = &dev->coherent_dma_mask;
	*dev->dma_mask = mask;
	return 0;
}

int dma_set_coherent_mask(struct device *dev, u64 mask)
{
	int rc = check_mask(dev, mask, "dma_set_coherent_mask");

	if (!rc)
		dev->coherent_dma_mask = mask;
	return rc;
}

int dma_set_mask_and_coherent(struct device *dev, u64 mask)
{
	int rc = dma_set_mask(dev, mask);

	if (!rc)
		dev->coherent_dma_mask = mask;
	return rc;
}

/* ========================== coherent allocations ========================== */

static void *alloc_run(size_t size, gfp_t gfp, bool contig)
{
	struct page *pg;

	if (!contig)
		return alloc_pages_exact(size, gfp);
	pg = alloc_contig_pages(round_pages(size), gfp, 0);
	return pg ? page_address(pg) : NULL;
}

static void free_run(void *cpu_addr, size_t size, bool contig)
{
	if (contig)
		free_contig_range(PHYS_PFN(virt_to_phys(cpu_addr)), round_pages(size));
	else
		free_pages_exact(cpu_addr, size);
}

/*
 * Pages for @size bytes ending at or below @mask (zeroed when @gfp asks),
 * walking the zones down from the highest that may hold them. NULL when
 * none does.
 */
static void *alloc_below(size_t size, u64 mask, gfp_t gfp, bool contig)
{
	gfp &= ~GFP_ZONEMASK;
	for (int zi = highest_zone_for(mask); zi >= 0; zi--) {
		const struct zone *z = &mem_node->zones[zi];
		void *held[DMA_TRIES];
		unsigned int nheld = 0;
		void *got = NULL;

		if (!z->managed_pages || zone_start_phys(z) + size - 1 > mask)
			continue;
		while (nheld < DMA_TRIES) {
			void *p = alloc_run(size, gfp | zone_gfp_bits[zi] | __GFP_NOWARN, contig);

			if (!p)
				break;
			if (virt_to_phys(p) + size - 1 <= mask) {
				got = p;
				break;
			}
			held[nheld++] = p; /* (only where the mask cuts the zone) */
		}
		while (nheld)
			free_run(held[--nheld], size, contig);
		if (got)
			return got;
	}
	return NULL;
}

/* The contiguous area @dev's coherent allocation of @size bytes may come
 * from (Linux's dma_alloc_contiguous: the device's own for any size, the
 * default one above a page), if it lies at or below @mask; else NULL. */
static struct cma *contiguous_area(const struct device *dev, size_t size, u64 mask)
{
	struct cma *cma = dev->cma_area;

	if (!cma && size > PAGE_SIZE)
		cma = dma_contiguous_default_area;
	if (!cma || cma_get_base(cma) + cma_get_size(cma) - 1 > mask)
		return NULL;
	return cma;
}

/* @size bytes from @cma, aligned to the order that holds them (up to
 * CMA_MAX_ALIGN), zeroed for __GFP_ZERO; NULL when the area has no run. */
static void *alloc_from_area(struct cma *cma, size_t size, gfp_t gfp, unsigned long caller)
{
	unsigned long pages = round_pages(size);
	struct page *pg = __cma_alloc(cma, pages, get_order(size), true, caller);
	void *p = pg ? page_address(pg) : NULL;

	if (p && (gfp & __GFP_ZERO))
		memset(p, 0, pages << PAGE_SHIFT);
	return p;
}

void *dma_coherent_alloc(struct device *dev, size_t size, dma_addr_t *handle, gfp_t gfp,
			 const struct dma_pool *pool, unsigned long caller)
{
	struct cma *cma = NULL;
	struct dma_coherent *rec;
	unsigned long flags;
	u64 mask;
	void *p;
	bool contig = size > (PAGE_SIZE << (MAX_ORDER - 1));

	if (handle)
		*handle = DMA_MAPPING_ERROR;
	if (!dev || !handle || !size || !dev->coherent_dma_mask) {
		kprintf("dma_alloc_coherent(%s, %zu): %s\n", dev_name(dev), size,
			!dev ? "no device" : !handle ? "no handle to return the address in"
			: !size ? "size 0" : "the device has no coherent DMA mask (dma_set_coherent_mask)");
		dma_count_error();
		return NULL;
	}
	mask = dev->coherent_dma_mask;
	if (highest_zone_for(mask) < 0) {
		kprintf("dma_alloc_coherent(%s, %zu): mask 0x%llx: no RAM at or below it\n",
			dev_name(dev), size, (unsigned long long)mask);
		dma_count_error();
		return NULL;
	}
	if (size > (u64)(mem_node->node_end_pfn - mem_node->node_start_pfn) << PAGE_SHIFT) {
		kprintf("dma_alloc_coherent(%s, %zu): larger than RAM\n", dev_name(dev), size);
		dma_count_error();
		return NULL;
	}
	rec = kmalloc(sizeof(*rec), gfp & ~(__GFP_ZERO | GFP_ZONEMASK));
	p = NULL;
	if (rec && !pool && (cma = contiguous_area(dev, size, mask)))
		p = alloc_from_area(cma, size, gfp, caller);
	if (!p) {
		cma = NULL;
		p = rec ? alloc_below(size, mask, gfp, contig) : NULL;
	}
	if (!p) {
		if (!(gfp & __GFP_NOWARN))
			kprintf("dma_alloc_coherent(%s, %zu): out of memory at or below mask 0x%llx\n",
				dev_name(dev), size, (unsigned long long)mask);
		kfree(rec);
		return NULL;
	}
	*rec = (struct dma_coherent){ .dma = virt_to_phys(p), .size = size, .cpu_addr = p,
				      .dev = dev, .dev_name = dev_name(dev), .mask = mask,
				      .caller = caller, .contig = contig, .cma = cma, .pool = pool };
	flags = spin_lock_irqsave(&dma_lock);
	avl_insert(&coherent_tree, &rec->node); /* pages are ours: the key is new */
	coherent_nr++;
	coherent_bytes += round_pages(size) << PAGE_SHIFT;
	spin_unlock_irqrestore(&dma_lock, flags);
	*handle = rec->dma;
	return p;
}

void *dma_alloc_coherent(struct device *dev, size_t size, dma_addr_t *handle, gfp_t gfp)
{
	return dma_coherent_alloc(dev, size, handle, gfp | __GFP_ZERO, NULL, RET_IP);
}

/* Take the record of (@dev, @size, @cpu_addr, @handle) out of the tree, or
 * report how the call differs from the allocation and return NULL. */
static struct dma_coherent *take_record(const struct device *dev, size_t size, void *cpu_addr,
					dma_addr_t handle, const struct dma_pool *pool)
{
	unsigned long flags = spin_lock_irqsave(&dma_lock);
	struct dma_coherent *rec = coherent_of(avl_find(&coherent_tree, handle));
	const char *why = NULL;

	if (!rec)
		why = "no coherent allocation starts at this device address (never allocated, or freed twice)";
	else if (rec->pool != pool)
		why = "the memory is a DMA pool's page: free its blocks with dma_pool_free";
	else if (rec->cpu_addr != cpu_addr)
		why = "the CPU address is not the allocation's";
	else if (rec->size != size)
		why = "the size is not the allocation's";
	else if (rec->dev != dev)
		why = "the device is not the allocation's";
	if (why) {
		char was[96] = "";

		if (rec)
			ksnprintf(was, sizeof(was), " (allocated: %s, %zu bytes at %p)", rec->dev_name,
				  rec->size, rec->cpu_addr);
		spin_unlock_irqrestore(&dma_lock, flags);
		kprintf("dma_free_coherent(%s, %zu, %p, 0x%llx): %s%s; nothing freed\n", dev_name(dev), size,
			cpu_addr, (unsigned long long)handle, why, was);
		dma_count_error();
		return NULL;
	}
	avl_remove(&coherent_tree, handle);
	coherent_nr--;
	coherent_bytes -= round_pages(size) << PAGE_SHIFT;
	spin_unlock_irqrestore(&dma_lock, flags);
	return rec;
}

void dma_coherent_free(const struct device *dev, size_t size, void *cpu_addr, dma_addr_t handle,
			const struct dma_pool *pool)
{
	struct dma_coherent *rec = take_record(dev, size, cpu_addr, handle, pool);

	if (!rec)
		return;
	if (rec->cma)
		cma_release(rec->cma, virt_to_page(cpu_addr), round_pages(size));
	else
		free_run(cpu_addr, size, rec->contig);
	kfree(rec);
}

void dma_free_coherent(struct device *dev, size_t size, void *cpu_addr, dma_addr_t handle)
{
	if (cpu_addr)
		dma_coherent_free(dev, size, cpu_addr, handle, NULL);
}

/* =========================== streaming mappings =========================== */

struct dma_mapping {
	u64 dma;                 /* key: the device address */
	struct avl_node node;
	size_t size;
	void *cpu_addr;          /* the driver's buffer */
	u64 buf_pa;              /* its physical address */
	void *bounce;            /* the copy below the mask, or NULL (direct) */
	const struct device *dev;
	const char *dev_name;
	u64 mask;
	enum dma_data_direction dir;
	unsigned long caller;
};

static struct avl_tree mapping_tree = AVL_TREE_INIT(struct dma_mapping, node, dma);
static unsigned long mapping_nr, mapping_bounced;

static struct dma_mapping *mapping_of(struct avl_node *n)
{
	return n ? avl_entry(n, struct dma_mapping, node) : NULL;
}

void dma_mapping_totals(unsigned long *nr, unsigned long *bounced)
{
	unsigned long flags = spin_lock_irqsave(&dma_lock);

	*nr = mapping_nr;
	*bounced = mapping_bounced;
	spin_unlock_irqrestore(&dma_lock, flags);
}

static u64 streaming_mask(const struct device *dev)
{
	return dev->dma_mask ? *dev->dma_mask : dev->coherent_dma_mask;
}

/*
 * The physical address of [@ptr, @ptr + @size) into *@pa when those bytes
 * are RAM at consecutive physical addresses: in the linear map (kmalloc,
 * pages), or mapped elsewhere page by page (a KFENCE object, which lies in
 * one page; a vmalloc area whose pages happen to be consecutive). False
 * otherwise.
 */
static __attribute__((noinline)) bool mapped_buffer_phys(u64 va, u64 end, u64 *pa)
{
	struct pgtable *pt = port_kernel_pgtable();

	if (!pt)
		return false;
	*pa = pgtable_translate(pt, va);
	if (*pa == ~0ull)
		return false;
	for (u64 page = ALIGN_DOWN(va, PAGE_SIZE) + PAGE_SIZE; page <= end; page += PAGE_SIZE)
		if (pgtable_translate(pt, page) != *pa + (page - va))
			return false;
	return true;
}

static inline bool buffer_phys(const void *ptr, size_t size, u64 *pa)
{
	u64 va = (u64)(uintptr_t)ptr, end = va + size - 1;

	if (unlikely(end < va))
		return false;
	if (unlikely(is_vmalloc_addr(ptr) || is_kfence_address(ptr)))
		return mapped_buffer_phys(va, end, pa);
	*pa = virt_to_phys(ptr);
	return virt_to_page(ptr) &&
	       (PHYS_PFN(*pa) == PHYS_PFN(*pa + size - 1) || virt_to_page((const char *)ptr + size - 1));
}

static bool copies_to_device(enum dma_data_direction dir)
{
	return dir == DMA_TO_DEVICE || dir == DMA_BIDIRECTIONAL;
}

static bool copies_from_device(enum dma_data_direction dir)
{
	return dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL;
}

static __attribute__((noinline, cold)) dma_addr_t map_refused(const char *what, const struct device *dev,
							      const void *ptr, size_t size, const char *why)
{
	kprintf("%s(%s, %p, %zu): %s\n", what, dev_name(dev), ptr, size, why);
	dma_count_error();
	return DMA_MAPPING_ERROR;
}

/* A mapping with a record (and a bounce buffer when @pa + @size passes
 * @mask): every mapping under dma_debug, bounced ones always. */
static __attribute__((noinline)) dma_addr_t map_recorded(const char *what, struct device *dev, void *ptr,
							 size_t size, u64 pa, u64 mask,
							 enum dma_data_direction dir, unsigned long caller)
{
	struct dma_mapping *m = kmalloc(sizeof(*m), GFP_ATOMIC);
	unsigned long flags;

	if (!m)
		return map_refused(what, dev, ptr, size, "no memory for the mapping's record");
	*m = (struct dma_mapping){ .dma = pa, .buf_pa = pa, .size = size, .cpu_addr = ptr, .dev = dev,
				   .dev_name = dev_name(dev), .mask = mask, .dir = dir, .caller = caller };
	if (pa + size - 1 > mask) {
		m->bounce = alloc_below(size, mask, GFP_ATOMIC, false); /* (filled below: not zeroed) */
		if (!m->bounce) {
			kfree(m);
			return map_refused(what, dev, ptr, size, "above the DMA mask, and no memory below it for a "
						   "bounce buffer");
		}
		memcpy(m->bounce, ptr, size); /* (every direction: what the device does
					       * not write comes back as it was) */
		m->dma = virt_to_phys(m->bounce);
	}
	flags = spin_lock_irqsave(&dma_lock);
	if (avl_insert(&mapping_tree, &m->node)) {
		spin_unlock_irqrestore(&dma_lock, flags);
		if (m->bounce)
			free_pages_exact(m->bounce, size);
		kfree(m);
		return map_refused(what, dev, ptr, size, "already mapped at this device address (unmap it first)");
	}
	mapping_nr++;
	__atomic_fetch_add(&mapping_bounced, m->bounce != NULL, __ATOMIC_RELAXED); /* (read unlocked by unmaps) */
	spin_unlock_irqrestore(&dma_lock, flags);
	return m->dma;
}

static dma_addr_t map_one(const char *what, struct device *dev, void *ptr, size_t size,
			  enum dma_data_direction dir, unsigned long caller)
{
	u64 pa, mask;

	if (unlikely(!dev || !streaming_mask(dev)))
		return map_refused(what, dev, ptr, size, !dev ? "no device" : "the device has no DMA mask");
	if (unlikely(!size || (unsigned int)dir > DMA_FROM_DEVICE))
		return map_refused(what, dev, ptr, size, !size ? "size 0" : "not a direction (DMA_TO_DEVICE, "
					   "DMA_FROM_DEVICE, DMA_BIDIRECTIONAL)");
	if (unlikely(!buffer_phys(ptr, size, &pa)))
		return map_refused(what, dev, ptr, size, "not RAM at consecutive physical addresses (vmalloc "
					   "memory: map its pages one by one)");
	mask = streaming_mask(dev);
	if (!dma_debug && pa + size - 1 <= mask)
		return pa; /* direct, unrecorded */
	return map_recorded(what, dev, ptr, size, pa, mask, dir, caller);
}

dma_addr_t dma_map_single(struct device *dev, void *ptr, size_t size, enum dma_data_direction dir)
{
	return map_one("dma_map_single", dev, ptr, size, dir, RET_IP);
}

dma_addr_t dma_map_page(struct device *dev, struct page *page, size_t offset, size_t size,
			enum dma_data_direction dir)
{
	return map_one("dma_map_page", dev, page ? (char *)page_address(page) + offset : NULL, size, dir,
		       RET_IP);
}

/* Under dma_debug=off with no bounced mapping anywhere, no mapping has a
 * record: an unmap or sync is a direct mapping's and has nothing to do. */
static inline bool no_mapping_recorded(void)
{
	return !dma_debug && !__atomic_load_n(&mapping_bounced, __ATOMIC_RELAXED);
}

/*
 * The mapping that (@dev, @addr, @size, @dir) names, taken out of the tree
 * when @take; NULL with a report (from @what) when there is none or an
 * argument differs (none under dma_debug=off, where a mapping without a
 * record is a direct one). A sync may name a part of a mapping: @addr
 * inside it, @size within it.
 */
static __attribute__((noinline)) struct dma_mapping *find_mapping(const char *what, const struct device *dev,
								  dma_addr_t addr, size_t size,
								  enum dma_data_direction dir, bool take)
{
	unsigned long flags = spin_lock_irqsave(&dma_lock);
	struct dma_mapping *m = mapping_of(take ? avl_find(&mapping_tree, addr)
						: avl_floor(&mapping_tree, addr));
	const char *why = NULL;

	if (!m || (!take && addr - m->dma >= m->size)) {
		if (!dma_debug) { /* a direct mapping, not recorded: nothing to do */
			spin_unlock_irqrestore(&dma_lock, flags);
			return NULL;
		}
		why = "no streaming mapping there (never mapped, or unmapped already)";
	} else if (m->dev != dev)
		why = "the device is not the mapping's";
	else if (take ? size != m->size : size > m->size - (addr - m->dma))
		why = "the size is not the mapping's";
	else if (dir != m->dir)
		why = "the direction is not the mapping's";
	if (why) {
		char was[96] = "";

		if (m)
			ksnprintf(was, sizeof(was), " (mapped: %s, %zu bytes, direction %d)", m->dev_name,
				  m->size, (int)m->dir);
		spin_unlock_irqrestore(&dma_lock, flags);
		kprintf("%s(%s, 0x%llx, %zu): %s%s; nothing done\n", what, dev_name(dev),
			(unsigned long long)addr, size, why, was);
		dma_count_error();
		return NULL;
	}
	if (take) {
		avl_remove(&mapping_tree, addr);
		mapping_nr--;
		__atomic_fetch_sub(&mapping_bounced, m->bounce != NULL, __ATOMIC_RELAXED);
	}
	spin_unlock_irqrestore(&dma_lock, flags);
	return m;
}

static void unmap_one(const char *what, struct device *dev, dma_addr_t addr, size_t size,
		      enum dma_data_direction dir)
{
	struct dma_mapping *m;

	if (no_mapping_recorded())
		return;
	m = find_mapping(what, dev, addr, size, dir, true);
	if (!m)
		return;
	if (m->bounce) {
		if (copies_from_device(dir))
			memcpy(m->cpu_addr, m->bounce, size);
		free_pages_exact(m->bounce, size);
	}
	kfree(m);
}

void dma_unmap_single(struct device *dev, dma_addr_t addr, size_t size, enum dma_data_direction dir)
{
	unmap_one("dma_unmap_single", dev, addr, size, dir);
}

void dma_unmap_page(struct device *dev, dma_addr_t addr, size_t size, enum dma_data_direction dir)
{
	unmap_one("dma_unmap_page", dev, addr, size, dir);
}

/* (The mapping stays the caller's between its map and unmap: no lock is
 * needed to copy through it.) */
void dma_sync_single_for_cpu(struct device *dev, dma_addr_t addr, size_t size,
			     enum dma_data_direction dir)
{
	struct dma_mapping *m;

	if (no_mapping_recorded())
		return;
	m = find_mapping("dma_sync_single_for_cpu", dev, addr, size, dir, false);
	if (m && m->bounce && copies_from_device(dir))
		memcpy((char *)m->cpu_addr + (addr - m->dma), (char *)m->bounce + (addr - m->dma), size);
}

void dma_sync_single_for_device(struct device *dev, dma_addr_t addr, size_t size,
				enum dma_data_direction dir)
{
	struct dma_mapping *m;

	if (no_mapping_recorded())
		return;
	m = find_mapping("dma_sync_single_for_device", dev, addr, size, dir, false);
	if (m && m->bounce && copies_to_device(dir))
		memcpy((char *)m->bounce + (addr - m->dma), (char *)m->cpu_addr + (addr - m->dma), size);
}

/* Scatterlists: each piece as dma_map_single maps it. */
int dma_map_sg(struct device *dev, struct scatterlist *sg, int nents, enum dma_data_direction dir)
{
	unsigned long caller = RET_IP;
	struct scatterlist *s;
	int i;

	for_each_sg(sg, s, nents, i) {
		s->dma_address = map_one("dma_map_sg", dev, sg_virt(s), s->length, dir, caller);
		if (s->dma_address == DMA_MAPPING_ERROR) {
			dma_unmap_sg(dev, sg, i, dir);
			return 0;
		}
		s->dma_length = s->length;
	}
	return i;
}

void dma_unmap_sg(struct device *dev, struct scatterlist *sg, int nents, enum dma_data_direction dir)
{
	struct scatterlist *s;
	int i;

	for_each_sg(sg, s, nents, i)
		unmap_one("dma_unmap_sg", dev, s->dma_address, s->dma_length, dir);
}

void dma_sync_sg_for_cpu(struct device *dev, struct scatterlist *sg, int nents,
			 enum dma_data_direction dir)
{
	struct scatterlist *s;
	int i;

	for_each_sg(sg, s, nents, i)
		dma_sync_single_for_cpu(dev, s->dma_address, s->dma_length, dir);
}

void dma_sync_sg_for_device(struct device *dev, struct scatterlist *sg, int nents,
			    enum dma_data_direction dir)
{
	struct scatterlist *s;
	int i;

	for_each_sg(sg, s, nents, i)
		dma_sync_single_for_device(dev, s->dma_address, s->dma_length, dir);
}

/* ================================ checkers ================================ */

void dma_problem(int *errors, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
	++*errors;
}

struct coherent_tally {
	unsigned long nr, bytes;
	int errors;
};

static int check_coherent(struct avl_node *n, void *arg)
{
	struct coherent_tally *t = arg;
	const struct dma_coherent *rec = coherent_of(n);

	t->nr++;
	t->bytes += round_pages(rec->size) << PAGE_SHIFT;
	if (rec->dma != virt_to_phys(rec->cpu_addr))
		dma_problem(&t->errors, "dma: allocation at 0x%llx: CPU address %p is not its own\n",
			(unsigned long long)rec->dma, rec->cpu_addr);
	if (rec->dma + rec->size - 1 > rec->mask)
		dma_problem(&t->errors, "dma: allocation at 0x%llx (%zu bytes) of %s ends above its mask 0x%llx\n",
			(unsigned long long)rec->dma, rec->size, rec->dev_name, (unsigned long long)rec->mask);
	return 0;
}

static int check_mapping(struct avl_node *n, void *arg)
{
	struct coherent_tally *t = arg;
	const struct dma_mapping *m = mapping_of(n);

	t->nr++;
	t->bytes += m->bounce != NULL;
	if (m->dma != (m->bounce ? virt_to_phys(m->bounce) : m->buf_pa))
		dma_problem(&t->errors, "dma: mapping at 0x%llx: not the address of its %s\n",
			(unsigned long long)m->dma, m->bounce ? "bounce buffer" : "buffer");
	if (m->dma + m->size - 1 > m->mask)
		dma_problem(&t->errors, "dma: mapping at 0x%llx (%zu bytes) of %s ends above its mask 0x%llx\n",
			(unsigned long long)m->dma, m->size, m->dev_name, (unsigned long long)m->mask);
	return 0;
}

int dma_check(void)
{
	struct coherent_tally t = { 0, 0, 0 }, mt = { 0, 0, 0 };
	unsigned long flags = spin_lock_irqsave(&dma_lock);
	int errors;

	avl_walk(&coherent_tree, check_coherent, &t);
	if (t.nr != coherent_nr || t.bytes != coherent_bytes)
		dma_problem(&t.errors, "dma: %lu allocations of %lu bytes recorded, %lu of %lu counted\n", t.nr,
			t.bytes, coherent_nr, coherent_bytes);
	avl_walk(&mapping_tree, check_mapping, &mt);
	if (mt.nr != mapping_nr || mt.bytes != mapping_bounced)
		dma_problem(&mt.errors, "dma: %lu mappings (%lu bounced) recorded, %lu (%lu) counted\n", mt.nr,
			mt.bytes, mapping_nr, mapping_bounced);
	errors = t.errors + mt.errors;
	spin_unlock_irqrestore(&dma_lock, flags);
	return errors + dma_pools_check();
}

/* ================================ reports ================================= */

static int show_one_coherent(struct avl_node *n, void *arg)
{
	const struct dma_coherent *rec = coherent_of(n);

	(void)arg;
	kprintf("0x%010llx-0x%010llx %8zu %s", (unsigned long long)rec->dma,
		(unsigned long long)(rec->dma + (round_pages(rec->size) << PAGE_SHIFT)), rec->size,
		rec->dev_name);
	if (rec->pool)
		kprintf(" pool=%s", dma_pool_name(rec->pool));
	if (rec->cma)
		kprintf(" cma=%s", cma_get_name(rec->cma));
	mm_print_pc(rec->caller, true);
	return 0;
}

static int show_one_mapping(struct avl_node *n, void *arg)
{
	static const char *const dirs[] = { "bidirectional", "to-device", "from-device" };
	const struct dma_mapping *m = mapping_of(n);

	(void)arg;
	kprintf("0x%010llx-0x%010llx %8zu %s map %s%s", (unsigned long long)m->dma,
		(unsigned long long)(m->dma + m->size), m->size, m->dev_name, dirs[m->dir],
		m->bounce ? " bounced" : "");
	mm_print_pc(m->caller, true);
	return 0;
}

void show_dma_coherent(void)
{
	unsigned long flags = spin_lock_irqsave(&dma_lock);

	avl_walk(&coherent_tree, show_one_coherent, NULL);
	avl_walk(&mapping_tree, show_one_mapping, NULL);
	kprintf("dma: %lu coherent allocation%s, %lu KiB; %lu streaming mapping%s, %lu bounced\n",
		coherent_nr, coherent_nr == 1 ? "" : "s", coherent_bytes >> 10, mapping_nr,
		mapping_nr == 1 ? "" : "s", mapping_bounced);
	spin_unlock_irqrestore(&dma_lock, flags);
}

static int bounced_buffer_holds(struct avl_node *n, void *arg)
{
	const struct dma_mapping *m = mapping_of(n);
	u64 pa = *(const u64 *)arg, buf = m->buf_pa;

	if (!m->bounce || pa - buf >= m->size)
		return 0;
	kprintf("whatis: mapped for %s through a bounce buffer at dma 0x%llx: byte %llu of %zu\n",
		m->dev_name, (unsigned long long)m->dma, (unsigned long long)(pa - buf), m->size);
	return 1;
}

/* whatis for a streaming mapping whose buffer or bounce buffer holds @pa
 * (dma_lock held): the tree by device address, then every bounced
 * mapping by its buffer's address (a debugging call: a walk). */
static bool mapping_whatis(u64 pa)
{
	const struct dma_mapping *m = mapping_of(avl_floor(&mapping_tree, pa));

	if (m && pa - m->dma < m->size) {
		kprintf("whatis: %s of a streaming DMA mapping of %s: byte %llu of %zu at dma 0x%llx\n",
			m->bounce ? "the bounce buffer" : "the buffer", m->dev_name,
			(unsigned long long)(pa - m->dma), m->size, (unsigned long long)m->dma);
		return true;
	}
	return avl_walk(&mapping_tree, bounced_buffer_holds, &pa) != 0;
}

struct leak_walk {
	const struct device *dev;
	unsigned long n;
};

static int leaked_coherent(struct avl_node *n, void *arg)
{
	struct leak_walk *w = arg;
	const struct dma_coherent *rec = coherent_of(n);

	if (rec->dev == w->dev) {
		w->n++;
		kprintf("dma: %s still holds %zu coherent bytes at dma 0x%llx%s%s, allocated by", rec->dev_name,
			rec->size, (unsigned long long)rec->dma, rec->pool ? " for pool " : "",
			rec->pool ? dma_pool_name(rec->pool) : "");
		mm_print_pc(rec->caller, true);
	}
	return 0;
}

static int leaked_mapping(struct avl_node *n, void *arg)
{
	struct leak_walk *w = arg;
	const struct dma_mapping *m = mapping_of(n);

	if (m->dev == w->dev) {
		w->n++;
		kprintf("dma: %s still has %zu bytes mapped at dma 0x%llx%s, mapped by", m->dev_name, m->size,
			(unsigned long long)m->dma, m->bounce ? " (bounced)" : "");
		mm_print_pc(m->caller, true);
	}
	return 0;
}

unsigned long dma_device_leaks(const struct device *dev)
{
	struct leak_walk w = { dev, 0 };
	unsigned long flags = spin_lock_irqsave(&dma_lock);

	avl_walk(&coherent_tree, leaked_coherent, &w);
	avl_walk(&mapping_tree, leaked_mapping, &w);
	spin_unlock_irqrestore(&dma_lock, flags);
	return w.n;
}

bool dma_whatis(u64 pa)
{
	unsigned long flags = spin_lock_irqsave(&dma_lock);
	const struct dma_coherent *rec = coherent_of(avl_floor(&coherent_tree, pa));
	bool found = rec && pa - rec->dma < (round_pages(rec->size) << PAGE_SHIFT);

	if (found) {
		kprintf("whatis: coherent DMA memory of %s: byte %llu of %zu at dma 0x%llx", rec->dev_name,
			(unsigned long long)(pa - rec->dma), rec->size, (unsigned long long)rec->dma);
		if (rec->pool)
			dma_pool_describe(rec->pool, pa - rec->dma);
		kprintf("\n");
	}
	found = mapping_whatis(pa) || found;
	spin_unlock_irqrestore(&dma_lock, flags);
	return found;
}
