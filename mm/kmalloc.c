/*
 * kmalloc.c - kmalloc and friends on top of SLOB (mm/slob.c).
 *
 * A request that fits a SLOB page goes to the heap's small-object side
 * (segfit: up to 4084 bytes; classic: up to PAGE_SIZE - 16); anything
 * bigger is a bigblock: exactly the pages it needs straight from the buddy
 * allocator (8193 bytes take 3 pages, not 4; slob_big_alloc: a power of two
 * of pages one block, aligned to its size, others where they fit best,
 * alloc_pages_fit), marked
 * PGTY_BIGBLOCK with their number in the head page. kfree and ksize
 * read the struct page of the pointer (O(1)): its type says who owns the
 * memory and page->priv which heap. Nothing here keeps a list of blocks.
 *
 * Boot parameter slob=segfit|classic picks the kernel heap's mode
 * (default segfit; classic is Linux 2.6.20's single first-fit list).
 *
 * With kmalloc=slab, requests up to 8192 bytes go to the kmalloc-N slab
 * caches instead: 35 classes from 16 to 8192 bytes, every one a multiple of
 * ARCH_KMALLOC_MINALIGN (16), 16 bytes apart up to 128 and then four classes per
 * power of two (five from 256 to 512, each the largest multiple of 16 that
 * fits its count of objects in a page: 288, 336, 400, 448; plus 1088 and
 * 4608 for a power of two and a header (4368 instead of 4608 in the
 * malloc library: KMALLOC_4K_PLUS, kmalloc.h); at most 25% and on average about
 * 16% apart, so a request
 * wastes on average less than a tenth of its class; docs/kmalloc.md lists
 * them). A request takes the smallest class that holds it, and a class's
 * cache is created the first time it is needed ("the class approach").
 * Powers of two up to a page are aligned to their size, the other classes
 * to 16. Bigger requests are still
 * bigblocks. kfree tells the owners apart by page type: PGTY_SLAB (its
 * cache is in the struct page), PGTY_SLOB, PGTY_BIGBLOCK.
 */
#include <lib/cmdline.h>
#include <mm/kfence.h>
#include <mm/kmalloc.h>
#include <mm/meminit.h>
#include <lib/kstring.h>
#include <lib/parse.h>
#include <mm/mm.h>
#include <mm/mmzone.h>
#include <mm/page_owner.h>
#include <mm/slab.h>
#include <mm/slob.h>
#include "internal.h"

unsigned long kfree_errors;
const char *kfree_last_error;

static enum slob_mode boot_slob_mode = SLOB_SEGFIT;

static int slob_param(const char *value)
{
	if (value && strcmp(value, "segfit") == 0)
		boot_slob_mode = SLOB_SEGFIT;
	else if (value && strcmp(value, "classic") == 0)
		boot_slob_mode = SLOB_CLASSIC;
	else
		return -EINVAL;
	return 0;
}
KPARAM("slob", slob_param, "slob=segfit|classic  kmalloc's SLOB mode (default segfit)");

enum kmalloc_backend kmalloc_backend = KMALLOC_DEFAULT_BACKEND;

static int kmalloc_param(const char *value)
{
	if (value && strcmp(value, "slob") == 0)
		kmalloc_backend = KMALLOC_SLOB; /* before kmalloc_init: no cache yet */
	else if (value && strcmp(value, "slab") == 0)
		kmalloc_backend = KMALLOC_SLAB;
	else
		return -EINVAL;
	return 0;
}
KPARAM("kmalloc", kmalloc_param, "kmalloc=slob|slab  which allocator serves kmalloc up to 8 KiB");

/* kmalloc_heap=on|compact|off|0xMASK: the heap classes (below): the
 * default set, the compact set, none (the default: docs/benchmarks.md, on
 * the kernel size mix they cost instructions), or bit i for class i
 * (measuring other sets). */
static u64 boot_heap_mask;

static int kmalloc_heap_param(const char *value)
{
	u64 mask;

	if (value && strcmp(value, "on") == 0) {
		boot_heap_mask = kmalloc_default_heap_classes();
	} else if (value && strcmp(value, "compact") == 0) {
		boot_heap_mask = kmalloc_compact_heap_classes();
	} else if (value && strcmp(value, "off") == 0) {
		boot_heap_mask = 0;
	} else if (value && value[0] == '0' && (value[1] == 'x' || value[1] == 'X') &&
		   parse_u64(value, &mask) == 0 && !(mask >> KMALLOC_NR_CACHES)) {
		/* a mask is written in hex, one bit per class */
		boot_heap_mask = mask;
	} else {
		return -EINVAL;
	}
	return 0;
}
KPARAM("kmalloc_heap", kmalloc_heap_param,
       "kmalloc_heap=on|compact|off|0xMASK  kmalloc=slab classes served from the SLOB heap (on: above 512 bytes, not powers of two; compact: from 288 bytes up)");

/* The zone SLOB heaps (below), ready once set up. */
static struct slob_heap kmalloc_zone_heaps[KMALLOC_NR_ZONE_TYPES];
static bool kmalloc_zone_heap_ready[KMALLOC_NR_ZONE_TYPES];

/* kmalloc's SLOB heaps keep an idle page or two for reuse: reclaim and
 * drop_caches take them back. */
static unsigned long kmalloc_heaps_shrink_scan(gfp_t gfp)
{
	unsigned long pages = slob_heap_shrink(&kmalloc_heap);

	(void)gfp;
	for (unsigned int zt = 0; zt < KMALLOC_NR_ZONE_TYPES; zt++)
		if (kmalloc_zone_heap_of(zt))
			pages += slob_heap_shrink(kmalloc_zone_heap_of(zt));
	return pages;
}

static struct shrinker kmalloc_heaps_shrinker = { .name = "kmalloc-slob",
						  .scan = kmalloc_heaps_shrink_scan };

void kmalloc_init(void)
{
	slob_heap_init(&kmalloc_heap, "kmalloc", boot_slob_mode);
	/* A new start (host tests): the zone heaps are set up again on use,
	 * and the zone caches went with the old slab allocator. */
	memset(kmalloc_zone_heap_ready, 0, sizeof(kmalloc_zone_heap_ready));
	memset(kmalloc_zone_caches, 0, sizeof(kmalloc_zone_caches));
	kmalloc_heap_classes = boot_heap_mask;
	kmalloc_peak_bytes = kmalloc_peak_heap_bytes = 0;
	unregister_shrinker(&kmalloc_heaps_shrinker); /* (again, when tests start over) */
	register_shrinker(&kmalloc_heaps_shrinker);
	slab_init();
}

/* ---- the kmalloc-N caches ---------------------------------------------- */

const unsigned int kmalloc_sizes[KMALLOC_NR_CACHES] = {
	16, 32, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 288, 336, 400, 448, 512, 640, 768,
	896, 1024, 1088, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096, KMALLOC_4K_PLUS,
	5120, 6144, 7168, 8192,
};
struct kmem_cache *kmalloc_caches[KMALLOC_NR_CACHES];
struct kmem_cache *kmalloc_zone_caches[KMALLOC_NR_ZONE_TYPES][KMALLOC_NR_CACHES];
__sdata struct kmem_cache *kmalloc_fast_caches[KMALLOC_NR_CACHES];
__sdata s32 kmalloc_fast_off[KMALLOC_NR_CACHES] = {
	[0 ... KMALLOC_NR_CACHES - 1] = PERCPU_RESERVED_OFF,
};
static spinlock_t kmalloc_caches_lock = SPINLOCK_INIT; /* both tables, kmalloc_backend */

/*
 * Heap classes. Under kmalloc=slab the classes in kmalloc_heap_classes
 * (bit i: class i) are not slab caches: their requests take a block of
 * exactly their size (16-byte granules) from kmalloc's SLOB heap of their
 * zone, as kmalloc=slob does, so memory moves between them (a freed 1.7 KiB
 * block serves a 1.5 KiB request) where each slab class holds its own peak
 * (docs/benchmarks.md, "Slab memory on the kernel size mix"). Off unless
 * kmalloc_heap=on: every class above 512 bytes that SLOB's blocks hold and
 * that needs no alignment beyond 16 (not a power of two); or
 * kmalloc_heap=compact: every class from 288 bytes up that SLOB's blocks
 * hold, powers of two too (a request of a power of two is still aligned to
 * its size: SLOB's kmalloc aligns it). A request of
 * such a class with zone bits takes the zone's heap; kfree, ksize and
 * krealloc find the block as any SLOB block (PGTY_SLOB). Their kmalloc_fast_caches
 * entry stays NULL, so the inline paths reach __kmalloc, which sends a plain
 * request (no zone bits, KFENCE off) straight to slob_kmalloc and the rest
 * to kmalloc_slab_slow.
 */
static u64 heap_classes_between(unsigned int above, bool pow2_too)
{
	u64 mask = 0;

	for (int i = 0; i < KMALLOC_NR_CACHES; i++) {
		unsigned int n = kmalloc_sizes[i];

		if (n > above && (pow2_too || (n & (n - 1))) && n <= SLOB_SEG_KMALLOC_MAX)
			mask |= 1ull << i;
	}
	return mask;
}

u64 kmalloc_default_heap_classes(void)
{
	return heap_classes_between(512, false);
}

u64 kmalloc_compact_heap_classes(void)
{
	return heap_classes_between(256, true);
}

u64 kmalloc_heap_classes;

/* What kmalloc=slab holds from below, at its highest: slab pages, cache
 * descriptors and magazines, and kmalloc's SLOB heap (its pages and
 * bigblocks), which serves the heap classes. Benchmarks reset it. */
unsigned long kmalloc_peak_bytes, kmalloc_peak_heap_bytes;

unsigned long kmalloc_held_bytes(void)
{
	return slab_pages * PAGE_SIZE + slab_meta_bytes +
	       slob_heap_pages(&kmalloc_heap) * PAGE_SIZE;
}

unsigned long kmalloc_held_pages(void)
{
	unsigned long pages = slab_held_pages() + slob_heap_pages(&kmalloc_heap);

	for (unsigned int i = 0; i < KMALLOC_NR_ZONE_TYPES; i++)
		pages += slob_heap_pages(&kmalloc_zone_heaps[i]);
	return pages;
}

static inline bool is_heap_class(unsigned long idx)
{
	return kmalloc_heap_classes >> idx & 1;
}

/* The fast tables' entries of class @i (lock held). The KASAN kernel
 * keeps every offset at the empty pair: its kmalloc_miss pops through the
 * cache, whose hooks need it. */
static void publish_fast_cache(unsigned int i)
{
	struct kmem_cache *c = kmalloc_backend == KMALLOC_SLAB && !kfence_enabled && !is_heap_class(i)
				       ? kmalloc_caches[i]
				       : NULL;

	/* KFENCE: every kmalloc to kmalloc_slab_slow */
	__atomic_store_n(&kmalloc_fast_caches[i], c, __ATOMIC_RELEASE);
	__atomic_store_n(&kmalloc_fast_off[i], c && !KASAN_KERNEL ? (s32)c->pcpu_off : (s32)PERCPU_RESERVED_OFF,
			 __ATOMIC_RELEASE);
}

void kmalloc_set_backend(enum kmalloc_backend backend)
{
	kasan_cache_drain(NULL); /* (the KASAN kernel) blocks of the old backend */
	unsigned long flags = spin_lock_irqsave(&kmalloc_caches_lock);

	kmalloc_backend = backend;
	for (unsigned int i = 0; i < KMALLOC_NR_CACHES; i++)
		publish_fast_cache(i);
	spin_unlock_irqrestore(&kmalloc_caches_lock, flags);
}

void kmalloc_set_heap_classes(u64 mask)
{
	kasan_cache_drain(NULL);
	unsigned long flags = spin_lock_irqsave(&kmalloc_caches_lock);

	kmalloc_heap_classes = mask;
	for (unsigned int i = 0; i < KMALLOC_NR_CACHES; i++)
		publish_fast_cache(i);
	spin_unlock_irqrestore(&kmalloc_caches_lock, flags);
}

void kmalloc_destroy_cache(unsigned int idx)
{
	unsigned long flags = spin_lock_irqsave(&kmalloc_caches_lock);
	struct kmem_cache *c = kmalloc_caches[idx], *zc[KMALLOC_NR_ZONE_TYPES];

	kmalloc_caches[idx] = NULL;
	__atomic_store_n(&kmalloc_fast_off[idx], PERCPU_RESERVED_OFF, __ATOMIC_RELAXED);
	__atomic_store_n(&kmalloc_fast_caches[idx], NULL, __ATOMIC_RELAXED);
	for (int zt = 0; zt < KMALLOC_NR_ZONE_TYPES; zt++) {
		zc[zt] = kmalloc_zone_caches[zt][idx];
		kmalloc_zone_caches[zt][idx] = NULL;
	}
	spin_unlock_irqrestore(&kmalloc_caches_lock, flags);
	for (int zt = 0; zt < KMALLOC_NR_ZONE_TYPES; zt++)
		if (zc[zt])
			kmem_cache_destroy(zc[zt]);
	kmem_cache_destroy(c);
}

/* The class of a size in one table load: entry i is the class of sizes
 * 16i + 1 .. 16i + 16 (every class is a multiple of 16 bytes), for 1..8192
 * (512 bytes, built while compiling from KMALLOC_CONST_INDEX; checked
 * against kmalloc_sizes by the host tests). One table instead of two saves
 * the test for which one on every kmalloc of a run-time size. */
#define KI1(n) KMALLOC_CONST_INDEX(((n) + 1) * 16) * sizeof(s32)
#define KI4(n) KI1(n), KI1((n) + 1), KI1((n) + 2), KI1((n) + 3)
#define KI16(n) KI4(n), KI4((n) + 4), KI4((n) + 8), KI4((n) + 12)
#define KI64(n) KI16(n), KI16((n) + 16), KI16((n) + 32), KI16((n) + 48)
static const u8 size_index[KMALLOC_SLAB_MAX / 16] = {
	KI64(0), KI64(64), KI64(128), KI64(192), KI64(256), KI64(320), KI64(384), KI64(448),
};
_Static_assert(KMALLOC_SLAB_MAX == 8192, "size_index covers 1..8192");

/* size in 1..KMALLOC_SLAB_MAX: the class's byte offset in kmalloc_fast_off */
static inline unsigned long kmalloc_off_index(size_t size)
{
	return size_index[(size - 1) >> 4];
}

/* size in 1..KMALLOC_SLAB_MAX */
static inline unsigned long kmalloc_index(size_t size)
{
	return kmalloc_off_index(size) / sizeof(s32);
}

unsigned int kmalloc_size_index(size_t size)
{
	return kmalloc_index(size);
}

/*
 * Borrowing (mm/slab.c): a kmalloc-N cache that must grow takes a free
 * object of the nearest larger class of its table (kmalloc_caches, or its
 * zone's kmalloc_zone_caches row: a zone cache borrows only within its
 * zone) whose objects are at most twice its size and aligned as its own
 * (a power of two only from a larger power of two) and which has one in a
 * partial slab. The candidates: the classes above @idx up to twice its size.
 * Classes below KMALLOC_BORROW_MIN bytes do not borrow: a borrow serves one
 * object per slow path (about 340 instructions), and their slabs of 32 or
 * more objects are not where the kernel size mix's memory goes (measured:
 * docs/benchmarks.md, "Slab memory"; the same peak, fewer instructions).
 */
#ifndef KMALLOC_BORROW_MIN
#define KMALLOC_BORROW_MIN 128u
#endif

static void set_kmalloc_lenders(struct kmem_cache *c, struct kmem_cache *const *table,
				unsigned int idx)
{
	unsigned int end = idx + 1;

	if (kmalloc_sizes[idx] < KMALLOC_BORROW_MIN)
		return;
	while (end < KMALLOC_NR_CACHES && kmalloc_sizes[end] <= 2 * kmalloc_sizes[idx])
		end++;
	kmem_cache_set_lenders(c, table, idx + 1, end);
}

/* A cache made for a request under __GFP_NOWARN is made without a message
 * when memory is short (the request just fails). */
static inline unsigned long create_nowarn(gfp_t gfp)
{
	return gfp & __GFP_NOWARN ? SLAB_CREATE_NOWARN : 0;
}

/* "kmalloc-@size" into @name (SLAB_NAME_LEN bytes): what ksnprintf would
 * make, at a tenth of its cost (a program's first allocations make a cache
 * each). */
static void kmalloc_cache_name(char *name, unsigned int size)
{
	char digits[10];
	unsigned int n = 0;

	_Static_assert(SLAB_NAME_LEN >= sizeof("kmalloc-4294967295"), "a class's name fits");
	memcpy(name, "kmalloc-", 8);
	do
		digits[n++] = (char)('0' + size % 10);
	while ((size /= 10) != 0);
	for (unsigned int i = 0; i < n; i++)
		name[8 + i] = digits[n - 1 - i];
	name[8 + n] = '\0';
}

/* kmalloc-N made on first use; a request under __GFP_NOWARN makes it
 * without a message when memory is short (the request just fails). */
static __attribute__((noinline)) struct kmem_cache *create_kmalloc_cache(unsigned int idx, gfp_t gfp)
{
	unsigned long flags = spin_lock_irqsave(&kmalloc_caches_lock);
	struct kmem_cache *c = kmalloc_caches[idx];

	if (!c) {
		char name[SLAB_NAME_LEN];
		unsigned int size = kmalloc_sizes[idx];

		kmalloc_cache_name(name, size);
		/* Powers of two up to a page are aligned to their size, the
		 * others to ARCH_KMALLOC_MINALIGN (every class is a multiple). */
		size_t align = (size & (size - 1)) == 0 && size <= PAGE_SIZE ? size : ARCH_KMALLOC_MINALIGN;

		c = kmem_cache_create(name, size, align,
				      SLAB_NOSLOB | create_nowarn(gfp), NULL);
		if (c)
			set_kmalloc_lenders(c, kmalloc_caches, idx);
		__atomic_store_n(&kmalloc_caches[idx], c, __ATOMIC_RELEASE);
		publish_fast_cache(idx);
	}
	spin_unlock_irqrestore(&kmalloc_caches_lock, flags);
	return c;
}

/* The index of the kmalloc-N class @name names that kmalloc=slab serves
 * from a cache, or -1. */
static int class_index_by_name(const char *name)
{
	u64 size;
	unsigned int idx;

	if (strncmp(name, "kmalloc-", 8) != 0 || name[8] < '1' || name[8] > '9' ||
	    parse_u64(name + 8, &size) != 0 || size > KMALLOC_SLAB_MAX)
		return -1;
	idx = kmalloc_index(size);
	if (kmalloc_sizes[idx] != size || kmalloc_backend != KMALLOC_SLAB || is_heap_class(idx))
		return -1;
	return (int)idx;
}

bool kmalloc_is_cache_class(const char *name)
{
	return class_index_by_name(name) >= 0;
}

struct kmem_cache *kmalloc_cache_by_name(const char *name)
{
	int idx = class_index_by_name(name);

	return idx < 0 ? NULL : create_kmalloc_cache((unsigned int)idx, GFP_KERNEL);
}

/* ---- zones: kmalloc-dma32-N, kmalloc-dma-N and the zone SLOB heaps ------ */

static const char *const zone_type_name[KMALLOC_NR_ZONE_TYPES] = { "dma32", "dma" };
static const unsigned long zone_type_flags[KMALLOC_NR_ZONE_TYPES] = { SLAB_CACHE_DMA32,
								      SLAB_CACHE_DMA };
static const gfp_t zone_type_gfp[KMALLOC_NR_ZONE_TYPES] = { __GFP_DMA32, __GFP_DMA };

/* gfp has zone bits: which zone type (__GFP_DMA wins, the stricter). */
static inline unsigned int kmalloc_zone_type(gfp_t gfp)
{
	return gfp & __GFP_DMA ? KMALLOC_ZONE_DMA : KMALLOC_ZONE_DMA32;
}

/*
 * The zone cache of class @idx, made on first use under kmalloc_caches_lock
 * with the size and alignment of kmalloc-N (made first if need be, so the
 * class rules live in create_kmalloc_cache alone). NULL, with a message
 * unless __GFP_NOWARN, when it cannot be made: the caller then fails the
 * request rather than hand out memory of another zone.
 */
static __attribute__((noinline)) struct kmem_cache *create_kmalloc_zone_cache(unsigned int idx,
									     gfp_t gfp)
{
	unsigned int zt = kmalloc_zone_type(gfp);
	struct kmem_cache *base = __atomic_load_n(&kmalloc_caches[idx], __ATOMIC_ACQUIRE);
	struct kmem_cache *c = NULL;
	unsigned long flags;

	if (base || (base = create_kmalloc_cache(idx, gfp))) {
		flags = spin_lock_irqsave(&kmalloc_caches_lock);
		c = kmalloc_zone_caches[zt][idx];
		if (!c) {
			char name[SLAB_NAME_LEN];

			ksnprintf(name, sizeof(name), "kmalloc-%s-%u", zone_type_name[zt],
				  kmalloc_sizes[idx]);
			c = kmem_cache_create(name, base->object_size, base->align,
					      zone_type_flags[zt] | SLAB_NOSLOB | create_nowarn(gfp), NULL);
			if (c)
				set_kmalloc_lenders(c, kmalloc_zone_caches[zt], idx);
			__atomic_store_n(&kmalloc_zone_caches[zt][idx], c, __ATOMIC_RELEASE);
		}
		spin_unlock_irqrestore(&kmalloc_caches_lock, flags);
	}
	if (!c && !(gfp & __GFP_NOWARN))
		kprintf("kmalloc: no kmalloc-%s-%u cache could be made: request of gfp 0x%x "
			"refused\n", zone_type_name[zt], kmalloc_sizes[idx], gfp);
	return c;
}

/* Zone SLOB heaps (kmalloc=slob, and bigblocks with zone bits): one per
 * zone type, set up on first use; their pages all come from the zone
 * (slob_heap.zone_gfp), so reused free blocks are of the zone too. */
static __attribute__((noinline)) struct slob_heap *kmalloc_zone_heap(gfp_t gfp)
{
	unsigned int zt = kmalloc_zone_type(gfp);
	struct slob_heap *h = &kmalloc_zone_heaps[zt];

	if (!__atomic_load_n(&kmalloc_zone_heap_ready[zt], __ATOMIC_ACQUIRE)) {
		unsigned long flags = spin_lock_irqsave(&kmalloc_caches_lock);

		if (!kmalloc_zone_heap_ready[zt]) {
			slob_heap_init(h, zt == KMALLOC_ZONE_DMA ? "kmalloc-dma" : "kmalloc-dma32",
				       kmalloc_heap.mode);
			h->zone_gfp = zone_type_gfp[zt];
			__atomic_store_n(&kmalloc_zone_heap_ready[zt], true, __ATOMIC_RELEASE);
		}
		spin_unlock_irqrestore(&kmalloc_caches_lock, flags);
	}
	return h;
}

/* heap_kmalloc on the heap of gfp's zone (out of line: __kmalloc's path to
 * kmalloc_heap stays a tail call without a stack frame). */
static __attribute__((noinline)) void *kmalloc_zone_heap_kmalloc(size_t size, gfp_t gfp)
{
	return heap_kmalloc(kmalloc_zone_heap(gfp), size, gfp);
}

struct slob_heap *kmalloc_heap_of_zone(gfp_t zone)
{
	return zone & GFP_ZONEMASK ? kmalloc_zone_heap(zone) : &kmalloc_heap;
}

static bool is_kmalloc_zone_heap(const struct slob_heap *h)
{
	return h >= kmalloc_zone_heaps && h < kmalloc_zone_heaps + KMALLOC_NR_ZONE_TYPES;
}

struct slob_heap *kmalloc_zone_heap_of(unsigned int zone_type)
{
	return zone_type < KMALLOC_NR_ZONE_TYPES &&
			       __atomic_load_n(&kmalloc_zone_heap_ready[zone_type], __ATOMIC_ACQUIRE)
		       ? &kmalloc_zone_heaps[zone_type]
		       : NULL;
}

/* A heap class's request with zone bits or KFENCE on, or a bigblock: a
 * block of the size from the zone's SLOB heap. */
static __attribute__((noinline)) void *kmalloc_heap_class(size_t size, gfp_t gfp)
{
	void *p;

	if (unlikely(gfp & GFP_ZONEMASK))
		return kmalloc_zone_heap_kmalloc(size, gfp);
	p = heap_kmalloc(&kmalloc_heap, size, gfp);
	if (size > SLOB_SEG_KMALLOC_MAX) /* a bigblock (get_slob_page notes SLOB pages) */
		kmalloc_note_held();
	return p;
}

/* The first request of class @idx (for @gfp's zone): its cache made, then
 * the allocation @caller asked for. */
static __attribute__((noinline)) void *kmalloc_new_cache(unsigned int idx, gfp_t gfp,
							 unsigned long caller)
{
	struct kmem_cache *c = gfp & GFP_ZONEMASK ? create_kmalloc_zone_cache(idx, gfp)
						  : create_kmalloc_cache(idx, gfp);

	return c ? kmem_cache_alloc_track_caller(c, gfp, caller) : NULL;
}

/* kmalloc_slab_slow's work but KFENCE's sample; only tail calls, so it
 * keeps no register across a call. */
static __attribute__((always_inline)) inline void *slab_slow(size_t size, gfp_t gfp,
							      unsigned long caller)
{
	unsigned int idx = kmalloc_index(size);
	struct kmem_cache *c;

	if (is_heap_class(idx))
		return kmalloc_heap_class(size, gfp);
	if (unlikely(gfp & GFP_ZONEMASK))
		c = __atomic_load_n(&kmalloc_zone_caches[kmalloc_zone_type(gfp)][idx], __ATOMIC_ACQUIRE);
	else
		c = __atomic_load_n(&kmalloc_caches[idx], __ATOMIC_ACQUIRE);
	if (unlikely(!c))
		return kmalloc_new_cache(idx, gfp, caller);
	/* The cache honours the zone; __GFP_ZERO clears the whole object. */
	return kmem_cache_alloc_track_caller(c, gfp, caller);
}

/* With KFENCE on, when its gate says a sample may be due: KFENCE's object,
 * else the slab's. (Out of line: the gate's common answer, no, takes the
 * slab's path without a frame.) */
static __attribute__((noinline)) void *kmalloc_sample(size_t size, gfp_t gfp, unsigned long caller)
{
	void *p = __kfence_alloc_kmalloc(size, gfp, caller ? caller : RET_IP);

	return p ? p : slab_slow(size, gfp, caller);
}

/* kmalloc=slab's other cases: a class without its cache yet, __GFP_ZERO,
 * zone bits (the zone's own cache: the kmalloc-N magazines hold objects of
 * any zone), a heap class's request that __kmalloc does not send to SLOB
 * itself; with KFENCE on every request (its gate first). */
static __attribute__((noinline)) void *kmalloc_slab_slow(size_t size, gfp_t gfp,
							 unsigned long caller)
{
	if (unlikely(!slab_up)) /* (before mm_init every kmalloc=slab request comes here) */
		mm_called_before_init("kmalloc");
	if (unlikely(kfence_enabled) && kfence_kmalloc_due())
		return kmalloc_sample(size, gfp, caller);
	return slab_slow(size, gfp, caller);
}

static void kfree_error(const void *p, const char *reason)
{
	kfree_errors++;
	kfree_last_error = reason;
	kprintf("kfree: %p: %s\n", p, reason);
}

/* A zone request to a heap whose pages are not all of that zone: its free
 * blocks could be anywhere, so it is refused (one WARN per boot), as a cache
 * refuses it (slab.c: zone_refused). A request of 0 bytes takes no memory:
 * ZERO_SIZE_PTR, whatever the zone. */
static __attribute__((noinline)) void *heap_zone_refused(struct slob_heap *h, size_t size, gfp_t gfp)
{
	static unsigned long refused;

	if (size == 0)
		return ZERO_SIZE_PTR;

	if (__atomic_fetch_add(&refused, 1, __ATOMIC_RELAXED) == 0) {
		kprintf("slob: heap %s: gfp 0x%x asks for %s, which the heap's pages do not come "
			"from: refused\n", h->name, gfp, gfp_zone_text(gfp));
		warn_slowpath(__FILE__, __LINE__, "heap_kmalloc: a zone the heap cannot honour");
	}
	return NULL;
}

unsigned long kmalloc_too_big_count;

/* A request above KMALLOC_MAX_SIZE fails, as in Linux (one block of the
 * largest order is all kmalloc gives); the message names what serves it. */
static __attribute__((noinline)) void *kmalloc_too_big(size_t size, gfp_t gfp)
{
	kmalloc_too_big_count++;
	if (!(gfp & __GFP_NOWARN))
		kprintf("kmalloc: %zu bytes is above KMALLOC_MAX_SIZE (%lu KiB): refused; use "
			"kvmalloc (vmalloc beyond it) for a buffer this big\n", size,
			(unsigned long)KMALLOC_MAX_SIZE >> 10);
	return NULL;
}

/* heap_kmalloc's bigblock with page_owner on. heap_kmalloc tail-calls it,
 * so its caller is the code that asked kmalloc (every step from kmalloc
 * here is a tail call, in the KASAN kernel too): the pages' records name
 * that code instead of the page allocator's caller inside SLOB, and the
 * report counts kmalloc's bigblocks by it. */
static __attribute__((noinline)) void *heap_big_owned(struct slob_heap *h, size_t size, gfp_t gfp)
{
	unsigned long caller = RET_IP;
	void *p = slob_big_alloc(h, size, gfp, 0);

	if (p)
		page_owner_note(mem_node, PHYS_PFN(virt_to_phys(p)), virt_to_page(p)->bigblock_pages, gfp,
				caller);
	return kasan_kmalloc(p, size);
}

void *heap_kmalloc(struct slob_heap *h, size_t size, gfp_t gfp)
{
	if (unlikely((gfp & GFP_ZONEMASK) && !gfp_zone_satisfies(h->zone_gfp, gfp)))
		return heap_zone_refused(h, size, gfp);
	if (likely(size - 1 < SLOB_SEG_KMALLOC_MAX))
		return kasan_kmalloc(slob_kmalloc(h, size, gfp), size);
	if (size == 0)
		return ZERO_SIZE_PTR;
	if (size > KMALLOC_MAX_SIZE)
		return kmalloc_too_big(size, gfp);
	/* A classic heap's blocks hold a little more than segfit's. */
	if (size <= slob_kmalloc_max(h))
		return kasan_kmalloc(slob_kmalloc(h, size, gfp), size);
	if (unlikely(page_owner_on))
		return heap_big_owned(h, size, gfp);
	return kasan_kmalloc(slob_big_alloc(h, size, gfp, 0), size);
}

/* kmalloc from kmalloc's SLOB heap, or with zone bits the zone's. */
static inline void *kmalloc_from_heap(size_t size, gfp_t gfp)
{
	if (unlikely(gfp & GFP_ZONEMASK))
		return kmalloc_zone_heap_kmalloc(size, gfp); /* the zone's SLOB heap */
	return heap_kmalloc(&kmalloc_heap, size, gfp);
}

/* kmalloc_miss for an allocation @caller asked for (the address slab_debug=U
 * and KFENCE record). */
static __attribute__((always_inline)) inline void *miss(unsigned long idx, size_t size, gfp_t gfp,
							 unsigned long caller)
{
	struct kmem_cache *c;

	/* A heap class's plain request: SLOB's kmalloc at once (every
	 * allocation of such a class comes here; no second lookup). */
	if (is_heap_class(idx) && !kfence_enabled && !(gfp & GFP_ZONEMASK) &&
	    size <= SLOB_SEG_KMALLOC_MAX)
		return kasan_kmalloc(slob_kmalloc(&kmalloc_heap, size, gfp), size);
	/* A cache pointer is published with release order; what is read
	 * through it depends on the pointer, which RISC-V orders without a
	 * fence. Non-NULL only with kmalloc=slab. */
	c = __atomic_load_n(&kmalloc_fast_caches[idx], __ATOMIC_RELAXED);
	if (likely(c) && !(gfp & (__GFP_ZERO | GFP_ZONEMASK)))
		return kmem_cache_alloc_track_caller(c, gfp, caller); /* its magazine is empty: a refill */
	if (kmalloc_backend == KMALLOC_SLAB)
		return kmalloc_slab_slow(size, gfp, caller);
	return kmalloc_from_heap(size, gfp);
}

/*
 * The caller kmalloc_miss hands down: 0, for "the return address of the
 * function that records it" (mm/slab.h), which is kmalloc's caller while
 * every step from __kmalloc or kmalloc's inline path to that function is
 * a tail call, as in the kernel (reading it here would cost kmalloc_miss a
 * frame: 4 instructions on every miss). The KASAN kernel wraps those steps
 * (kasan_slab_alloc after the call), so there it is read here.
 */
#ifdef CONFIG_KASAN
#define MISS_CALLER RET_IP
#else
#define MISS_CALLER 0ul
#endif

void *kmalloc_miss(unsigned long idx, size_t size, gfp_t gfp)
{
	return miss(idx, size, gfp, MISS_CALLER);
}

/* (No caller read here: the steps to the slab are tail calls, so the
 * function that records one finds __kmalloc's caller as its own, and the
 * fast path saves no register: MISS_CALLER above.) */
void *__kmalloc(size_t size, gfp_t gfp)
{
	if (likely(size - 1 < KMALLOC_SLAB_MAX)) {
		unsigned long off = kmalloc_off_index(size);
		void *p;

		if (likely(!(gfp & (__GFP_ZERO | GFP_ZONEMASK))) &&
		    likely((p = magazine_pop(kmalloc_fast_off_of(off))) != NULL))
			return p;
		return kmalloc_miss(off / sizeof(s32), size, gfp);
	}
	return kmalloc_from_heap(size, gfp);
}

/* (kmalloc_miss's steps serve it whole: with a fast cache they pop its
 * magazine first.) */
void *kmalloc_track_caller(size_t size, gfp_t gfp, unsigned long caller)
{
	void *p;

	if (likely(size - 1 < KMALLOC_SLAB_MAX))
		p = miss(kmalloc_off_index(size) / sizeof(s32), size, gfp, caller);
	else
		p = kmalloc_from_heap(size, gfp);
	return kasan_kmalloc(p, size);
}

void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc_track_caller(size, gfp | __GFP_ZERO, RET_IP);
}

/* @n objects of @size for @caller; NULL when n * size overflows. */
static void *kmalloc_array_caller(size_t n, size_t size, gfp_t gfp, unsigned long caller)
{
	size_t bytes;

	if (check_mul_overflow(n, size, &bytes))
		return NULL;
	return kmalloc_track_caller(bytes, gfp, caller);
}

void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	return kmalloc_array_caller(n, size, gfp | __GFP_ZERO, RET_IP);
}

void *kmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	return kmalloc_array_caller(n, size, gfp, RET_IP);
}

void *krealloc_array(const void *p, size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (check_mul_overflow(n, size, &bytes))
		return NULL;
	return krealloc(p, bytes, gfp);
}

void *kmemdup(const void *src, size_t len, gfp_t gfp)
{
	void *p = kmalloc_track_caller(len, gfp, RET_IP);

	if (p && len)
		memcpy(p, src, len);
	return p;
}

/* The first @len bytes of @s, terminated, for @caller. */
static char *strdup_len(const char *s, size_t len, gfp_t gfp, unsigned long caller)
{
	char *p = kmalloc_track_caller(len + 1, gfp, caller);

	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

char *kstrndup(const char *s, size_t max, gfp_t gfp)
{
	return s ? strdup_len(s, strnlen(s, max), gfp, RET_IP) : NULL;
}

char *kstrdup(const char *s, gfp_t gfp)
{
	return s ? strdup_len(s, strlen(s), gfp, RET_IP) : NULL;
}

/*
 * The block is cleared only when it is one handed out: a slab object's
 * state takes the cache's walk (slab_object_in_use), which also tells a
 * bad pointer exactly, so it is reported here (kfree's fast path would file
 * an on-grid pointer inside an object, docs/kmalloc.md); SLOB's, a
 * bigblock's and KFENCE's ksize check their block themselves (0 for a bad
 * one, which kfree then reports).
 */
void kfree_sensitive(const void *p)
{
	struct page *page = ZERO_OR_NULL_PTR(p) ? NULL : node_virt_to_page(mem_node, p);
	size_t n;

	if (page && PageSlab(page)) {
		if (!slab_object_in_use(p)) {
			kfree_error(p, "kfree_sensitive of no object handed out (a pointer inside one, or one "
				       "freed already): not freed");
			return;
		}
		n = page->slab_cache->object_size;
	} else {
		n = page || is_kfence_address(p) ? ksize(p) : 0;
	}
	if (n) {
		/* The whole block, its slack too (the KASAN kernel is told it
		 * is in use to its end first). The barrier keeps the clearing
		 * of memory about to be freed from being optimised away. */
		void *q = kasan_krealloc(p, n);

		memset(q, 0, n);
		__asm__ volatile("" : : "r"(q) : "memory");
	}
	kfree(p);
}

/* The struct page that owns p as kmalloc memory, or NULL (reported: the
 * error @what; before mm_init a panic naming @who, the entry point). */
static struct page *owner_page(const void *p, const char *who, const char *what)
{
	struct page *page = node_virt_to_page(mem_node, p);

	if (!page) {
		/* (before mm_init there is no struct page, and every kfree
		 * but NULL's comes here) */
		if (unlikely(!page_alloc_up))
			mm_called_before_init(who);
		kfree_error(p, what);
		return NULL;
	}
	switch (page_type(page)) {
	case PGTY_SLOB:
	case PGTY_SLAB:
		return page;
	case PGTY_BIGBLOCK:
		if (p != page_address(page) || !PageHead(page)) {
			kfree_error(p, "points inside a bigblock, not at its start");
			return NULL;
		}
		if (!bigblock_live(page)) { /* kept by its heap for reuse */
			kfree_error(p, "a bigblock freed already (double free)");
			return NULL;
		}
		return page;
	default:
		kfree_error(p, what);
		return NULL;
	}
}

/* Bigblocks and errors. */
static __attribute__((noinline)) void kfree_other(const void *p)
{
	struct page *page = owner_page(p, "kfree", "kfree of a pointer kmalloc did not return, or freed twice");

	if (page && page_type(page) == PGTY_BIGBLOCK)
		slob_big_free((struct slob_heap *)page->priv, page);
}

void kfree_strict(const void *p)
{
	if (p && ZERO_OR_NULL_PTR(p))
		kfree_error(p, "kfree of a pointer kmalloc did not return");
	else
		kfree(p);
}

/* (p first: kfree's argument stays where it is on the way here.) */
static inline __attribute__((always_inline)) void kfree_slob(const void *p, struct page *page)
{
	if (kasan_kfree_slob(p)) /* (the KASAN kernel) quarantined or reported */
		return;
	slob_kfree((void *)p, page); /* a tail call: it counts kfree_errors itself */
}

/* Everything kfree's window lookup does not settle: NULL, a sectioned
 * memmap, bigblocks, errors. */
static __attribute__((noinline)) void kfree_slow(const void *p)
{
	struct page *page;

	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return;
	page = node_virt_to_page(mem_node, p);
	if (likely(page)) {
		enum page_type type = page_type(page);

		if (type == PGTY_SLAB) {
			kmem_cache_free(page->slab_cache, (void *)p);
			return;
		}
		if (type == PGTY_SLOB) {
			if (want_init_on_free()) /* (kfree's fast lookup is off then) */
				slob_kfree_wiped((void *)p, page);
			else
				kfree_slob(p, page);
			return;
		}
	} else if (__kfence_free(p, KFENCE_CALLER())) { /* a KFENCE object (mm/kfence.c) */
		return;
	}
	kfree_other(p);
}

/* Not a slab page, but inside the flat memmap: SLOB memory directly. */
static __attribute__((noinline)) void kfree_in_window(const void *p, struct page *page)
{
	if (page_type(page) == PGTY_SLOB)
		kfree_slob(p, page);
	else
		kfree_slow(p);
}

/*
 * The common case first: a slab object in a flat memmap (one bank of RAM).
 * NULL and ZERO_SIZE_PTR lie below RAM, outside the window, so they need no
 * test of their own here.
 */
void kfree(const void *p)
{
	uintptr_t off = (uintptr_t)p - memmap_win_start;

	if (likely(off < memmap_win_size)) {
		struct page *page = memmap_win_map + (off >> PAGE_SHIFT);

		if (likely(PageSlab(page))) {
			kmem_cache_free_direct(page->slab_cache, (void *)p);
			return;
		}
		kfree_in_window(p, page);
		return;
	}
	kfree_slow(p);
}

void kfree_track_caller(const void *p, unsigned long caller)
{
	struct page *page = ZERO_OR_NULL_PTR(p) ? NULL : node_virt_to_page(mem_node, p);

	if (page && PageSlab(page)) /* (every page of a slab names its cache) */
		kmem_cache_free_from(page->slab_cache, (void *)p, caller);
	else
		kfree(p);
}

size_t ksize(const void *p)
{
	struct page *page = virt_to_slab_page_flat(p); /* (NULL and ZERO_SIZE_PTR lie outside) */

	if (likely(page)) /* kfree's lookup: the common case inline */
		return page->slab_cache->object_size;
	page = ZERO_OR_NULL_PTR(p) ? NULL : virt_to_page(p);
	if (!page)
		return kfence_ksize(p);
	if (page_type(page) == PGTY_BIGBLOCK)
		return p == page_address(page) && PageHead(page) && bigblock_live(page)
			       ? page->bigblock_pages << PAGE_SHIFT
			       : 0;
	if (page_type(page) == PGTY_SLOB)
		return slob_ksize((struct slob_heap *)page->priv, p);
	if (page_type(page) == PGTY_SLAB)
		return page->slab_cache->object_size;
	return 0;
}

/* Is the kmalloc block on @page (its owner_page) memory of @gfp's zone?
 * It is when what it was allocated from honours that zone: its cache's
 * allocflags, or its SLOB heap's zone_gfp (a bigblock's heap is its
 * page->priv). A block that is not must move to keep the zone contract,
 * even when it shrinks. */
static bool block_in_zone(const struct page *page, gfp_t gfp)
{
	gfp_t have = page_type(page) == PGTY_SLAB ? page->slab_cache->allocflags
						  : ((const struct slob_heap *)page->priv)->zone_gfp;

	return gfp_zone_satisfies(have, gfp);
}

/* May krealloc grow the bigblock @p to @new_size bytes in place? Not
 * beyond KMALLOC_MAX_SIZE, nor to a power of two it is not aligned to
 * (kmalloc aligns such a size to itself, and a moved block would be); the
 * caller has checked the zone (block_in_zone: the pages it grows over are
 * of the block's zone). */
static bool bigblock_grows_in_place(const void *p, size_t new_size)
{
	return new_size <= KMALLOC_MAX_SIZE &&
	       ((new_size & (new_size - 1)) || IS_ALIGNED((uintptr_t)p, new_size));
}

void *krealloc(const void *p, size_t new_size, gfp_t gfp)
{
	enum slab_resize resize;
	struct slob_heap *h;
	struct page *page;
	bool in_zone;
	size_t old;
	void *q;

	if (ZERO_OR_NULL_PTR(p))
		return kmalloc_track_caller(new_size, gfp, RET_IP);
	if (new_size == 0) {
		kfree(p);
		return ZERO_SIZE_PTR;
	}
	if (is_kfence_address(p))
		return kfence_krealloc(p, new_size, gfp);
	page = owner_page(p, "krealloc", "krealloc of a pointer kmalloc did not return");
	if (!page)
		return NULL;
	old = ksize(p);
	if (!old) {
		kfree_error(p, "krealloc of a block that is not allocated");
		return NULL;
	}
	resize = page_type(page) == PGTY_SLAB ? slab_resize_check(p, 0) : SLAB_RESIZE_OK;
	if (resize != SLAB_RESIZE_OK) {
		kfree_error(p, resize == SLAB_RESIZE_FREED ? "krealloc of a slab object freed already"
							   : "krealloc of a pointer inside a slab object, not its start");
		return NULL;
	}
	/* In place only when the block is of @gfp's zone: a Normal block
	 * krealloc'ed with GFP_DMA32 moves, smaller or not. */
	in_zone = block_in_zone(page, gfp);
	if (new_size <= old && in_zone)
		return kasan_krealloc(p, new_size);
	/* A slab object moves to wherever kmalloc serves @gfp now; a SLOB block
	 * stays in its heap, unless it is one of kmalloc's and @gfp names a
	 * zone: then kmalloc finds the zone's cache or heap. */
	h = page_type(page) == PGTY_SLAB ? NULL : (struct slob_heap *)page->priv;
	if (page_type(page) == PGTY_BIGBLOCK && in_zone && new_size > old &&
	    bigblock_grows_in_place(p, new_size) && slob_big_grow(h, page, new_size, gfp))
		return kasan_krealloc(p, new_size);
	if (!h || ((gfp & GFP_ZONEMASK) && (h == &kmalloc_heap || is_kmalloc_zone_heap(h))))
		q = kmalloc_track_caller(new_size, gfp, RET_IP);
	else
		q = kasan_kmalloc(heap_kmalloc(h, new_size, gfp), new_size);
	if (!q)
		return NULL; /* p stays valid */
	memcpy(q, p, MIN(old, new_size));
	kfree(p);
	return q;
}
