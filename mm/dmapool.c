/*
 * dmapool.c - DMA pools: blocks of one size for devices, carved from
 * coherent pages (include/mm/dma.h has the contracts).
 *
 * A pool carves "pool pages" (one coherent allocation each: a
 * page, or the block size rounded up to pages) into blocks at fixed
 * offsets: in each boundary-sized segment, segment / size blocks from its
 * start, so no block crosses a boundary and every block keeps the
 * alignment (size is a multiple of it, the boundary a power of two at
 * least the size). Block i of a page lies at (i / per_seg) * boundary +
 * (i % per_seg) * size; an offset maps back to one block or none, in a
 * few instructions.
 *
 * A pool page's descriptor (kmalloc'ed) holds a bitmap of its free blocks,
 * so a free is O(1) once the page is found, a double free is a bit already
 * set, and the checker compares bitmap, counts and lists. Descriptors are
 * in an AVL tree keyed by the page's address (dma_pool_free finds the page
 * of any pointer with avl_floor: O(log pages)), and on one of two lists:
 * pages with a free block (taken from first) and full ones. A page whose
 * last block is freed is kept while it is the pool's only empty page, and
 * goes back to the page allocator otherwise.
 *
 * Free blocks hold DMA_POOL_POISON in every byte (a new page is filled
 * with it); dma_pool_alloc checks the block before handing it out, so a
 * write after free (by the CPU, or by a device still using a descriptor
 * its driver freed) is reported with the first changed byte.
 *
 * Locks: pools_lock covers the list of pools (`dmapools`, dma_check); each
 * pool's lock its tree, lists and bitmaps, never held across a page
 * allocation. Both are taken with interrupts masked, so pools may be used
 * from interrupt handlers with GFP_ATOMIC.
 */
#include <lib/avl.h>
#include <lib/kstring.h>
#include <lib/list.h>
#include <lib/spinlock.h>
#include <mm/dma.h>
#include <mm/kmalloc.h>
#include <mm/meminit.h>
#include <mm/mm.h>
#include "dma_internal.h"

#define DMA_POOL_MIN_SIZE 8 /* and alignment: blocks are whole words */
#define POISON_WORD (0x0101010101010101ull * DMA_POOL_POISON)
#define DMA_POOL_NAME_LEN 32

static spinlock_t pools_lock = SPINLOCK_INIT;
static struct list_head pool_list = LIST_HEAD_INIT(pool_list);

struct pool_page {
	u64 vaddr;               /* key: the page's CPU address */
	struct avl_node node;
	struct list_head list;   /* the pool's avail or full list */
	dma_addr_t dma;
	unsigned int in_use;
	u64 free_map[];          /* bit i: block i is free */
};

struct dma_pool {
	char name[DMA_POOL_NAME_LEN];
	struct device *dev;
	size_t size;             /* a block's, after rounding */
	size_t boundary;         /* a segment's: no block crosses one */
	size_t allocation;       /* bytes per pool page */
	unsigned int per_seg;    /* blocks per segment */
	unsigned int blocks;     /* blocks per pool page */
	unsigned int map_words;
	spinlock_t lock;
	struct avl_tree pages;
	struct list_head avail;  /* pages with a free block */
	struct list_head full;
	unsigned long nr_pages, nr_empty, nr_active;
	bool dead;               /* destroyed with blocks out: freed with its last */
	struct list_head link;   /* pool_list, while not dead */
};

static bool is_pow2(size_t x)
{
	return x && !(x & (x - 1));
}

static size_t block_offset(const struct dma_pool *pool, unsigned int i)
{
	return (size_t)(i / pool->per_seg) * pool->boundary + (size_t)(i % pool->per_seg) * pool->size;
}

/* The block at byte @off of a pool page, or -1 when @off is no block's
 * start. */
static long block_at(const struct dma_pool *pool, size_t off)
{
	size_t seg = off / pool->boundary, in = off % pool->boundary;
	size_t j = in / pool->size;

	if (off >= pool->allocation || in % pool->size || j >= pool->per_seg)
		return -1;
	j += seg * pool->per_seg;
	return j < pool->blocks ? (long)j : -1;
}

static bool block_free(const struct pool_page *pg, unsigned int i)
{
	return pg->free_map[i / 64] >> (i % 64) & 1;
}

static struct pool_page *pool_page_of(struct avl_node *n)
{
	return n ? avl_entry(n, struct pool_page, node) : NULL;
}

static const char *bad_pool_args(size_t size, size_t align, size_t boundary)
{
	if (!size)
		return "size 0";
	if (!is_pow2(align))
		return "alignment not a power of two";
	if (size > (PAGE_SIZE << (MAX_ORDER - 1)))
		return "size above the largest block (4 MiB)";
	if (ALIGN_UP(size, align) > (PAGE_SIZE << (MAX_ORDER - 1)))
		return "size rounded to the alignment above the largest block";
	if (boundary && (!is_pow2(boundary) || boundary < ALIGN_UP(MAX(size, DMA_POOL_MIN_SIZE), align)))
		return "boundary not a power of two at least the block size";
	return NULL;
}

struct dma_pool *dma_pool_create(const char *name, struct device *dev, size_t size, size_t align,
				 size_t boundary)
{
	const char *why = bad_pool_args(size, align ? align : DMA_POOL_MIN_SIZE, boundary);
	struct dma_pool *pool;
	unsigned long flags;

	if (!why && (!dev || !dev->coherent_dma_mask))
		why = "the device has no coherent DMA mask (dma_set_coherent_mask)";
	if (why) {
		kprintf("dma_pool_create(%s, %s, size %zu, align %zu, boundary %zu): %s\n",
			name ? name : "(null)", dev_name(dev), size, align, boundary, why);
		dma_count_error();
		return NULL;
	}
	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return NULL;
	kstrlcpy(pool->name, name ? name : "(unnamed)", sizeof(pool->name));
	pool->dev = dev;
	pool->size = ALIGN_UP(MAX(size, (size_t)DMA_POOL_MIN_SIZE), MAX(align, (size_t)DMA_POOL_MIN_SIZE));
	pool->allocation = ALIGN_UP(pool->size, (size_t)PAGE_SIZE);
	pool->boundary = boundary && boundary < pool->allocation ? boundary : pool->allocation;
	pool->per_seg = (unsigned int)(pool->boundary / pool->size);
	pool->blocks = (unsigned int)(pool->allocation / pool->boundary) * pool->per_seg;
	pool->map_words = (pool->blocks + 63) / 64;
	pool->pages = (struct avl_tree)AVL_TREE_INIT(struct pool_page, node, vaddr);
	INIT_LIST_HEAD(&pool->avail);
	INIT_LIST_HEAD(&pool->full);
	flags = spin_lock_irqsave(&pools_lock);
	list_add_tail(&pool->link, &pool_list);
	spin_unlock_irqrestore(&pools_lock, flags);
	return pool;
}

/* Give back a pool page (none of its blocks in use) and its descriptor.
 * @dev and @allocation are the pool's, passed in: a dead pool may be freed
 * by another hart meanwhile (dma_pool_destroy). */
static void pool_page_free(struct device *dev, size_t allocation, const struct dma_pool *pool,
			   struct pool_page *pg)
{
	dma_coherent_free(dev, allocation, (void *)(uintptr_t)pg->vaddr, pg->dma, pool);
	kfree(pg);
}

/* A new pool page: coherent memory filled with poison, every block free. */
static struct pool_page *pool_page_new(struct dma_pool *pool, gfp_t gfp, unsigned long caller)
{
	struct pool_page *pg = kmalloc(sizeof(*pg) + pool->map_words * sizeof(u64),
				       gfp & ~(__GFP_ZERO | GFP_ZONEMASK));
	dma_addr_t dma;
	void *mem;

	if (!pg)
		return NULL;
	mem = dma_coherent_alloc(pool->dev, pool->allocation, &dma, gfp & ~__GFP_ZERO, pool, caller);
	if (!mem) {
		kfree(pg);
		return NULL;
	}
	memset(mem, DMA_POOL_POISON, pool->allocation);
	pg->vaddr = (u64)(uintptr_t)mem;
	pg->dma = dma;
	pg->in_use = 0;
	memset(pg->free_map, 0, pool->map_words * sizeof(u64));
	for (unsigned int i = 0; i < pool->blocks; i++)
		pg->free_map[i / 64] |= 1ull << (i % 64);
	return pg;
}

/* The first changed byte of a free block, or -1 when its poison is whole.
 * Blocks are 8-byte aligned multiples of 8 bytes: a word at a time. */
static long poison_broken(const unsigned char *b, size_t size)
{
	const u64 *w = (const u64 *)b;

	for (size_t i = 0; i < size / 8; i++)
		if (w[i] != POISON_WORD)
			for (size_t j = 8 * i;; j++)
				if (b[j] != DMA_POOL_POISON)
					return (long)j;
	return -1;
}

/* Take a free block of @pg (pool->lock held). */
static void *take_block(struct dma_pool *pool, struct pool_page *pg, dma_addr_t *handle)
{
	unsigned int w = 0, i;
	size_t off;

	while (!pg->free_map[w])
		w++;
	i = w * 64 + lowest_set_bit(pg->free_map[w]);
	pg->free_map[w] &= ~(1ull << (i % 64));
	if (pg->in_use++ == 0)
		pool->nr_empty--;
	if (pg->in_use == pool->blocks)
		list_move(&pg->list, &pool->full);
	pool->nr_active++;
	off = block_offset(pool, i);
	*handle = pg->dma + off;
	return (char *)(uintptr_t)pg->vaddr + off;
}

static void *pool_alloc(struct dma_pool *pool, gfp_t gfp, dma_addr_t *handle, unsigned long caller)
{
	struct pool_page *pg = NULL;
	unsigned long flags;
	void *b;
	long bad;

	if (handle)
		*handle = DMA_MAPPING_ERROR;
	if (!pool || !handle) {
		kprintf("dma_pool_alloc: %s\n", !pool ? "no pool" : "no handle to return the address in");
		dma_count_error();
		return NULL;
	}
	flags = spin_lock_irqsave(&pool->lock);
	while (list_empty(&pool->avail)) {
		spin_unlock_irqrestore(&pool->lock, flags);
		if (!pg) {
			pg = pool_page_new(pool, gfp, caller);
			if (!pg)
				return NULL;
		}
		flags = spin_lock_irqsave(&pool->lock);
		if (list_empty(&pool->avail)) {
			avl_insert(&pool->pages, &pg->node);
			list_add(&pg->list, &pool->avail);
			pool->nr_pages++;
			pool->nr_empty++;
			pg = NULL;
		}
	}
	b = take_block(pool, list_first_entry(&pool->avail, struct pool_page, list), handle);
	spin_unlock_irqrestore(&pool->lock, flags);
	if (pg) /* another hart grew the pool meanwhile */
		pool_page_free(pool->dev, pool->allocation, pool, pg);
	bad = poison_broken(b, pool->size);
	if (bad >= 0) {
		kprintf("dma_pool_alloc(%s): block %p (dma 0x%llx) was written after its free: byte %ld is "
			"0x%02x, not 0x%02x\n", pool->name, b, (unsigned long long)*handle, bad,
			((unsigned char *)b)[bad], DMA_POOL_POISON);
		dma_count_error();
	}
	if (want_init_on_alloc(gfp))
		memset(b, 0, pool->size);
	return b;
}

void *dma_pool_alloc(struct dma_pool *pool, gfp_t gfp, dma_addr_t *handle)
{
	return pool_alloc(pool, gfp, handle, RET_IP);
}

void *dma_pool_zalloc(struct dma_pool *pool, gfp_t gfp, dma_addr_t *handle)
{
	return pool_alloc(pool, gfp | __GFP_ZERO, handle, RET_IP);
}

/* Why @vaddr / @dma cannot be freed to @pool, NULL if they can; *@pgp and
 * *@ip the page and block (pool->lock held). */
static const char *bad_free(struct dma_pool *pool, void *vaddr, dma_addr_t dma,
			    struct pool_page **pgp, unsigned int *ip)
{
	u64 va = (u64)(uintptr_t)vaddr;
	struct pool_page *pg = pool_page_of(avl_floor(&pool->pages, va));
	long i;

	if (!pg || va - pg->vaddr >= pool->allocation)
		return "not in a page of this pool";
	i = block_at(pool, va - pg->vaddr);
	if (i < 0)
		return "not the start of a block";
	if (dma != pg->dma + (va - pg->vaddr))
		return "the device address is not the block's";
	if (block_free(pg, (unsigned int)i))
		return "the block is free (a double free)";
	*pgp = pg;
	*ip = (unsigned int)i;
	return NULL;
}

void dma_pool_free(struct dma_pool *pool, void *vaddr, dma_addr_t dma)
{
	struct pool_page *pg, *drop = NULL;
	unsigned long flags;
	const char *why;
	unsigned int i;
	bool last;

	if (!pool) {
		kprintf("dma_pool_free(NULL, %p): no pool\n", vaddr);
		dma_count_error();
		return;
	}
	flags = spin_lock_irqsave(&pool->lock);
	why = bad_free(pool, vaddr, dma, &pg, &i);
	if (why) {
		spin_unlock_irqrestore(&pool->lock, flags);
		kprintf("dma_pool_free(%s, %p, 0x%llx): %s; nothing freed\n", pool->name, vaddr,
			(unsigned long long)dma, why);
		dma_count_error();
		return;
	}
	memset(vaddr, DMA_POOL_POISON, pool->size);
	pg->free_map[i / 64] |= 1ull << (i % 64);
	if (pg->in_use-- == pool->blocks)
		list_move(&pg->list, &pool->avail);
	pool->nr_active--;
	if (!pg->in_use && (++pool->nr_empty > 1 || pool->dead)) {
		avl_remove(&pool->pages, pg->vaddr);
		list_del(&pg->list);
		pool->nr_pages--;
		pool->nr_empty--;
		drop = pg;
	}
	last = pool->dead && !pool->nr_active;
	spin_unlock_irqrestore(&pool->lock, flags);
	if (drop)
		pool_page_free(pool->dev, pool->allocation, pool, drop);
	if (last)
		kfree(pool);
}

/* Blocks still in use leave their pages and the descriptor allocated: a
 * device may still write there, and `dmainfo` / whatis still name the
 * pool. Such a pool is dead: dma_pool_free still takes its blocks back,
 * gives each page back when it empties, and frees the descriptor with the
 * last block. */
void dma_pool_destroy(struct dma_pool *pool)
{
	struct list_head empty, *pos, *n;
	unsigned long flags, active, pages;
	struct device *dev;
	size_t allocation;

	if (!pool)
		return;
	flags = spin_lock_irqsave(&pools_lock);
	list_del(&pool->link);
	spin_unlock_irqrestore(&pools_lock, flags);
	INIT_LIST_HEAD(&empty);
	flags = spin_lock_irqsave(&pool->lock);
	pool->dead = true;
	list_for_each_safe(pos, n, &pool->avail) {
		struct pool_page *pg = list_entry(pos, struct pool_page, list);

		if (pg->in_use)
			continue;
		list_move(&pg->list, &empty);
		avl_remove(&pool->pages, pg->vaddr);
		pool->nr_pages--;
		pool->nr_empty--;
	}
	active = pool->nr_active;
	pages = pool->nr_pages;
	dev = pool->dev;
	allocation = pool->allocation;
	if (active) { /* (printed under the lock: the last free may free the pool) */
		kprintf("dma_pool_destroy(%s): %lu block%s still in use; the pool's %lu page%s left "
			"allocated until they are freed\n", pool->name, active, active == 1 ? "" : "s",
			pages, pages == 1 ? " is" : "s are");
		dma_count_error();
	}
	spin_unlock_irqrestore(&pool->lock, flags);
	while (!list_empty(&empty)) {
		struct pool_page *pg = list_first_entry(&empty, struct pool_page, list);

		list_del(&pg->list);
		pool_page_free(dev, allocation, pool, pg);
	}
	if (!active)
		kfree(pool);
}

void dma_pool_get_info(struct dma_pool *pool, struct dma_pool_info *info)
{
	unsigned long flags = spin_lock_irqsave(&pool->lock);

	*info = (struct dma_pool_info){ pool->size, pool->allocation, pool->blocks, pool->nr_pages,
					pool->nr_active };
	spin_unlock_irqrestore(&pool->lock, flags);
}

/* ================================ checkers ================================ */

struct pool_tally {
	const struct dma_pool *pool;
	unsigned long pages, empty, active;
	int errors;
};

static int check_page(struct avl_node *n, void *arg)
{
	struct pool_tally *t = arg;
	const struct dma_pool *pool = t->pool;
	const struct pool_page *pg = pool_page_of(n);
	unsigned int free = 0;

	t->pages++;
	for (unsigned int i = 0; i < pool->map_words * 64; i++) {
		if (!block_free(pg, i))
			continue;
		if (i >= pool->blocks) {
			dma_problem(&t->errors, "dma pool %s: page %llx: bit %u set past its %u blocks\n",
				pool->name, (unsigned long long)pg->vaddr, i, pool->blocks);
			continue;
		}
		free++;
		if (poison_broken((const unsigned char *)(uintptr_t)pg->vaddr + block_offset(pool, i),
				  pool->size) >= 0)
			dma_problem(&t->errors, "dma pool %s: free block %u of page %llx written after its free\n",
				pool->name, i, (unsigned long long)pg->vaddr);
	}
	if (free + pg->in_use != pool->blocks)
		dma_problem(&t->errors, "dma pool %s: page %llx: %u free + %u in use != %u blocks\n", pool->name,
			(unsigned long long)pg->vaddr, free, pg->in_use, pool->blocks);
	if (pg->dma != virt_to_phys((const void *)(uintptr_t)pg->vaddr))
		dma_problem(&t->errors, "dma pool %s: page %llx: device address 0x%llx is not its own\n",
			pool->name, (unsigned long long)pg->vaddr, (unsigned long long)pg->dma);
	t->empty += !pg->in_use;
	t->active += pg->in_use;
	return 0;
}

static unsigned long list_count(const struct list_head *head, const struct dma_pool *pool, bool full,
				int *errors)
{
	unsigned long n = 0;
	const struct list_head *pos;

	list_for_each(pos, head) {
		const struct pool_page *pg = list_entry(pos, struct pool_page, list);

		n++;
		if ((pg->in_use == pool->blocks) != full)
			dma_problem(errors, "dma pool %s: page %llx (%u of %u in use) on the %s list\n", pool->name,
				(unsigned long long)pg->vaddr, pg->in_use, pool->blocks,
				full ? "full" : "avail");
		if (n > pool->nr_pages)
			break;
	}
	return n;
}

int dma_pool_check(struct dma_pool *pool)
{
	struct pool_tally t = { .pool = pool };
	unsigned long flags = spin_lock_irqsave(&pool->lock);
	unsigned long listed;

	avl_walk(&pool->pages, check_page, &t);
	listed = list_count(&pool->avail, pool, false, &t.errors) +
		 list_count(&pool->full, pool, true, &t.errors);
	if (t.pages != pool->nr_pages || listed != pool->nr_pages)
		dma_problem(&t.errors, "dma pool %s: %lu pages in the tree, %lu on the lists, %lu counted\n",
			pool->name, t.pages, listed, pool->nr_pages);
	if (t.empty != pool->nr_empty || t.empty > 1)
		dma_problem(&t.errors, "dma pool %s: %lu empty pages, %lu counted (at most 1 kept)\n",
			pool->name, t.empty, pool->nr_empty);
	if (t.active != pool->nr_active)
		dma_problem(&t.errors, "dma pool %s: %lu blocks in use, %lu counted\n", pool->name, t.active,
			pool->nr_active);
	spin_unlock_irqrestore(&pool->lock, flags);
	return t.errors;
}

/* ================================ reports ================================= */

int dma_pools_check(void)
{
	unsigned long flags = spin_lock_irqsave(&pools_lock);
	struct list_head *pos;
	int errors = 0;

	list_for_each(pos, &pool_list)
		errors += dma_pool_check(list_entry(pos, struct dma_pool, link));
	spin_unlock_irqrestore(&pools_lock, flags);
	return errors;
}

void show_dma_pools(void)
{
	unsigned long flags = spin_lock_irqsave(&pools_lock);
	struct list_head *pos;

	kprintf("poolinfo - 0.1\n");
	list_for_each(pos, &pool_list) {
		struct dma_pool *pool = list_entry(pos, struct dma_pool, link);
		struct dma_pool_info in;

		dma_pool_get_info(pool, &in);
		kprintf("%-16s %4lu %4lu %4zu %2lu  %s\n", pool->name, in.blocks_in_use,
			in.pages * in.blocks_per_page, in.size, in.pages, dev_name(pool->dev));
	}
	spin_unlock_irqrestore(&pools_lock, flags);
}

const char *dma_pool_name(const struct dma_pool *pool)
{
	return pool->name;
}

void dma_pool_describe(const struct dma_pool *pool, u64 off)
{
	long i = block_at(pool, off);

	kprintf(", a page of DMA pool %s", pool->name);
	if (i >= 0)
		kprintf(" (the start of block %ld)", i);
}
