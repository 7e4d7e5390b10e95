/*
 * kmalloc.h - general-purpose kernel memory (mm/kmalloc.c), Linux's API.
 *
 * kmalloc(0) returns ZERO_SIZE_PTR, which kfree and ksize accept and which
 * faults if dereferenced. Alignment, on every backend (kmalloc=slab,
 * kmalloc=slob with slob=segfit or slob=classic): every pointer is
 * ARCH_KMALLOC_MINALIGN (16) aligned, and a power-of-two size up to
 * PAGE_SIZE is aligned to itself (Linux's rule since 5.4). Requests the
 * backend does not serve (above 8192 bytes with slab, above a SLOB block
 * with slob) are page-aligned "bigblocks" straight from the buddy
 * allocator, a power of two of pages aligned to its size.
 *
 * Bad frees: kfree of a pointer kmalloc never returned, of a pointer inside
 * a block, or a second kfree is reported with the address and changes
 * nothing for SLOB memory, bigblocks, and pointers that are not kmalloc
 * memory at all. A slab object's kfree goes straight to its magazine (as in
 * Linux), where only a double free in a row is caught; boot with slab_debug
 * to have every slab free checked.
 */
#ifndef RVMM_KMALLOC_H
#define RVMM_KMALLOC_H

#ifdef __cplusplus
extern "C" {
#endif

#include <mm/gfp.h>
#include <lib/kernel.h>

#define ZERO_SIZE_PTR ((void *)16)
#define ZERO_OR_NULL_PTR(p) ((unsigned long)(p) <= (unsigned long)ZERO_SIZE_PTR)

/* The least alignment of every kmalloc object: RV64's long double and
 * malloc's rule are 16 bytes. */
#define ARCH_KMALLOC_MINALIGN 16

/* kmalloc's alignment for a @size-byte request beyond what every object
 * has (ARCH_KMALLOC_MINALIGN): the size itself for a power of two above
 * it (Linux's rule since 5.4), else 0. Powers of two above a page never
 * reach SLOB blocks. */
static inline size_t kmalloc_align(size_t size)
{
	return size > ARCH_KMALLOC_MINALIGN && !(size & (size - 1)) ? size : 0;
}

/* Largest kmalloc: a MAX_ORDER-1 block of pages (4 MiB). A bigger request
 * fails (NULL) with a message, unless __GFP_NOWARN, that says to use
 * kvmalloc (mm/vmalloc.h), which serves it from vmalloc; counted in
 * kmalloc_too_big_count. */
#define KMALLOC_MAX_SIZE (PAGE_SIZE << 10)
extern unsigned long kmalloc_too_big_count;

void *__kmalloc(size_t size, gfp_t gfp);
void *kzalloc(size_t size, gfp_t gfp);
void *kcalloc(size_t n, size_t size, gfp_t gfp);
void *krealloc(const void *p, size_t new_size, gfp_t gfp);
void kfree(const void *p);
/* kfree for a caller whose allocations never return ZERO_SIZE_PTR (the
 * malloc library: its malloc(0) is a 16-byte block): a pointer from 1 to
 * ZERO_SIZE_PTR is reported as a bad free instead of ignored. */
void kfree_strict(const void *p);

/*
 * Linux's helpers around them. kmalloc_array and krealloc_array return NULL
 * when n * size overflows (krealloc_array then leaves @p as it was);
 * kmemdup copies @len bytes into a new block; kstrdup a string, kstrndup at
 * most @max bytes of one, always terminated (both NULL for a NULL string);
 * kfree_sensitive clears the whole block (ksize bytes) before freeing it,
 * for keys and passwords (a pointer that is no block handed out is not
 * written: kfree gets it as it is and reports it). Each allocating one records its own caller
 * (slab_debug=U, page_owner), as kmalloc does.
 */
void *kmalloc_array(size_t n, size_t size, gfp_t gfp);
void *krealloc_array(const void *p, size_t n, size_t size, gfp_t gfp);
void *kmemdup(const void *src, size_t len, gfp_t gfp);
char *kstrdup(const char *s, gfp_t gfp);
char *kstrndup(const char *s, size_t max, gfp_t gfp);
void kfree_sensitive(const void *p);
/*
 * kmalloc and kfree for an allocator that serves others (a wrapper such as
 * kzalloc or krealloc, a library's malloc and free): @caller is recorded
 * as who allocated or freed the block where a record is kept (the tracks
 * of slab_debug=U, KFENCE's), in place of the wrapper (Linux's
 * kmalloc_track_caller; pass RET_IP, or the address the wrapper's own
 * caller gave). Otherwise as kmalloc and kfree.
 */
void *kmalloc_track_caller(size_t size, gfp_t gfp, unsigned long caller);
void kfree_track_caller(const void *p, unsigned long caller);
/* The usable size of a kmalloc'ed block (>= what was asked for); 0 for
 * NULL, ZERO_SIZE_PTR and pointers kmalloc does not own. */
size_t ksize(const void *p);

/* Who serves kmalloc up to KMALLOC_SLAB_MAX bytes (boot parameter kmalloc=;
 * change it with kmalloc_set_backend, which no other hart may race). */
enum kmalloc_backend { KMALLOC_SLOB, KMALLOC_SLAB };
#define KMALLOC_DEFAULT_BACKEND KMALLOC_SLAB /* the faster (docs/kmalloc.md) */
extern enum kmalloc_backend kmalloc_backend;
void kmalloc_set_backend(enum kmalloc_backend backend);

/* The kmalloc-N caches, created on first use with kmalloc=slab; they stay
 * when the backend changes. kmalloc_fast_caches: the same caches while
 * kmalloc=slab, all NULL otherwise; kmalloc_fast_off (below) is the table
 * the fast path reads, so it needs no test of the backend. */
#define KMALLOC_NR_CACHES 35
#define KMALLOC_SLAB_MAX 8192
/* Every class is a multiple of ARCH_KMALLOC_MINALIGN (docs/kmalloc.md
 * lists them). */
/* The index of kmalloc_sizes that serves @size (1..KMALLOC_SLAB_MAX). */
unsigned int kmalloc_size_index(size_t size);
extern const unsigned int kmalloc_sizes[KMALLOC_NR_CACHES];
struct kmem_cache;
extern struct kmem_cache *kmalloc_caches[KMALLOC_NR_CACHES];
extern struct kmem_cache *kmalloc_fast_caches[KMALLOC_NR_CACHES];
/* Per class, the per-hart offset of its fast cache's magazine pair, or
 * PERCPU_RESERVED_OFF (the shared pair that is always empty) when the class
 * has no fast cache (or in the KASAN kernel): kmalloc pops at that offset
 * with no test of its own, and an empty pair sends it to kmalloc_miss. */
extern s32 kmalloc_fast_off[KMALLOC_NR_CACHES];
/* kmalloc of @size (class @idx) that the magazine pop did not serve. */
void *kmalloc_miss(unsigned long idx, size_t size, gfp_t gfp);
/*
 * Zones (docs/kmalloc.md): kmalloc with __GFP_DMA32 takes the
 * kmalloc-dma32-N caches, with __GFP_DMA the kmalloc-dma-N ones
 * (SLAB_CACHE_DMA32 / SLAB_CACHE_DMA), each made on its first request;
 * kmalloc=slob takes a SLOB heap of the zone. A zone cache or heap that
 * cannot be made fails the request (NULL, with a message), never hands out
 * memory of another zone. Index 0: DMA32, 1: DMA.
 */
enum { KMALLOC_ZONE_DMA32, KMALLOC_ZONE_DMA, KMALLOC_NR_ZONE_TYPES };
extern struct kmem_cache *kmalloc_zone_caches[KMALLOC_NR_ZONE_TYPES][KMALLOC_NR_CACHES];
/* The SLOB heap of zone type @zone_type, or NULL while it is not set up. */
struct slob_heap;
struct slob_heap *kmalloc_zone_heap_of(unsigned int zone_type);
/*
 * Heap classes (docs/kmalloc.md): under kmalloc=slab, class i with bit i of
 * kmalloc_heap_classes set has no slab cache; its requests take a block of
 * their own size from kmalloc's SLOB heap of their zone, so memory moves
 * between those classes. None unless booted with kmalloc_heap=on, which
 * takes kmalloc_default_heap_classes(): the classes above 512 bytes up to
 * a SLOB block's largest that are not powers of two; or kmalloc_heap=compact,
 * kmalloc_compact_heap_classes(): every class from 288 bytes up to a SLOB
 * block's largest (the least memory on the kernel size mix, at more
 * instructions). kmalloc_set_heap_classes changes the set (benchmarks, tests; no
 * other hart may allocate meanwhile; objects already out stay valid).
 */
extern u64 kmalloc_heap_classes;
u64 kmalloc_default_heap_classes(void);
u64 kmalloc_compact_heap_classes(void);
void kmalloc_set_heap_classes(u64 mask);
/* Bytes kmalloc=slab holds from below at its highest: slab pages,
 * descriptors and magazines, kmalloc's SLOB heap; kmalloc_note_held
 * (mm/internal.h) updates it (slab.c and slob.c call it when they take
 * pages). kmalloc_peak_heap_bytes: the SLOB heap's part of that peak. */
extern unsigned long kmalloc_peak_bytes, kmalloc_peak_heap_bytes;
unsigned long kmalloc_held_bytes(void);
/* Pages the object allocators hold from the page allocator now: slabs and
 * the slab allocator's metadata heap (slab_held_pages), kmalloc's SLOB
 * heap and its zone heaps (pages and bigblocks). What a program that
 * compares free pages before and after a round of kmalloc/kfree must add
 * back, whichever of kmalloc=slab|slob and kmalloc_heap= is in force. */
unsigned long kmalloc_held_pages(void);
/* Destroy kmalloc-N cache @idx and its zone caches, and forget them (tests;
 * no object may be out). */
void kmalloc_destroy_cache(unsigned int idx);
/* The kmalloc-N cache @name names ("kmalloc-64"), made now if no kmalloc
 * has made it yet (the caches are made on first use); NULL when @name is
 * not a kmalloc class, or kmalloc=slab does not serve that class
 * (kmalloc=slob, a heap class). For the slabinfo tuning write. */
struct kmem_cache *kmalloc_cache_by_name(const char *name);
/* Does @name name a kmalloc-N class kmalloc=slab serves from a cache (made
 * or not)? As kmalloc_cache_by_name, but nothing is made (reports, and a
 * slabinfo write checked before it makes the cache). */
bool kmalloc_is_cache_class(const char *name);

/*
 * The class for 4 KiB plus a header (mm/kmalloc.c): the kernel's 4608. The
 * malloc library builds with 4368 (Makefile, MSCFLAGS): its programs' headers
 * are 8 to 272 bytes (sqlite3's page buffers of 4104 and 4368 bytes), and in
 * its slabs of up to 64 KiB 4368 tiles one (15 objects, 16 bytes left) where
 * 4608 keeps 4681 bytes per object (7 to 32 KiB). A multiple of 16 between
 * its neighbours 4096 and 5120.
 */
#ifndef KMALLOC_4K_PLUS
#define KMALLOC_4K_PLUS 4608
#endif
_Static_assert(KMALLOC_4K_PLUS > 4096 && KMALLOC_4K_PLUS < 5120 && KMALLOC_4K_PLUS % 16 == 0,
	       "the 4 KiB-plus class lies between 4096 and 5120, a multiple of 16");

/* The kmalloc-N class of a size known at compile time (1..8192). */
#define KMALLOC_CONST_INDEX(n)                                                \
	((n) <= 16 ? 0 : (n) <= 32 ? 1 : (n) <= 48 ? 2 : (n) <= 64 ? 3 :      \
	 (n) <= 80 ? 4 : (n) <= 96 ? 5 : (n) <= 112 ? 6 : (n) <= 128 ? 7 :    \
	 (n) <= 160 ? 8 : (n) <= 192 ? 9 : (n) <= 224 ? 10 :                  \
	 (n) <= 256 ? 11 : (n) <= 288 ? 12 : (n) <= 336 ? 13 :                \
	 (n) <= 400 ? 14 : (n) <= 448 ? 15 : (n) <= 512 ? 16 :                \
	 (n) <= 640 ? 17 : (n) <= 768 ? 18 : (n) <= 896 ? 19 :                \
	 (n) <= 1024 ? 20 : (n) <= 1088 ? 21 : (n) <= 1280 ? 22 :             \
	 (n) <= 1536 ? 23 : (n) <= 1792 ? 24 : (n) <= 2048 ? 25 :             \
	 (n) <= 2560 ? 26 : (n) <= 3072 ? 27 : (n) <= 3584 ? 28 :             \
	 (n) <= 4096 ? 29 : (n) <= KMALLOC_4K_PLUS ? 30 : (n) <= 5120 ? 31 :  \
	 (n) <= 6144 ? 32 : (n) <= 7168 ? 33 : 34)

/* Set up the kernel's kmalloc heap (mode from the slob= parameter). */
void kmalloc_init(void);

/* kfree errors reported so far, and the last reason (for tests). */
extern unsigned long kfree_errors;
extern const char *kfree_last_error;

/*
 * kmalloc. A size known at compile time (kmalloc(sizeof(struct x), ...),
 * the usual kernel call) resolves its kmalloc-N cache while compiling, as
 * Linux's does, leaving the magazine pop inline; anything else calls
 * __kmalloc.
 */
#include <mm/slab.h>

/* kmalloc_fast_off's entry at byte offset @off (a class index times 4).
 * A plain load of an aligned word, which RISC-V reads whole: GCC's atomic
 * and volatile loads of it each add an extension the load already made
 * (2 instructions on every kmalloc). */
static inline long kmalloc_fast_off_of(unsigned long off)
{
	return *(const s32 *)((const char *)kmalloc_fast_off + off);
}

static inline __attribute__((always_inline)) void *kmalloc(size_t size, gfp_t gfp)
{
	if (__builtin_constant_p(size) && __builtin_constant_p(gfp) && size >= 1 &&
	    size <= KMALLOC_SLAB_MAX && !(gfp & (__GFP_ZERO | GFP_ZONEMASK))) {
		/* The offset is published with release order; the pair read
		 * through it depends on it, which RISC-V orders without a
		 * fence. */
		void *p = magazine_pop(kmalloc_fast_off_of(KMALLOC_CONST_INDEX(size) * sizeof(s32)));

		if (likely(p))
			return kasan_kmalloc(p, size);
		return kasan_kmalloc(kmalloc_miss(KMALLOC_CONST_INDEX(size), size, gfp), size);
	}
	return kasan_kmalloc(__kmalloc(size, gfp), size);
}

#ifdef __cplusplus
}
#endif

#endif
