/*
 * slab_internal.h - what the four parts of the slab allocator share:
 * mm/slab.c (caches, slabs, magazines, the allocation paths), mm/slab_debug.c
 * (slab_debug= checks and the error reports), mm/slab_check.c (the
 * consistency checker and the slabinfo reports) and mm/slab_traces.c (who
 * holds a cache's objects: alloc_traces, free_traces).
 *
 * The layout helpers below are inline because the core's refill and flush
 * loops use them on every object; they only compute addresses and read
 * struct page, never take a lock. A slab is 1 << order pages; its head
 * page's slab_free is the offset of the first linked free object plus one
 * (0: none), slab_fresh the number of objects at the slab's end that were
 * never handed out (they hold no link; a slab of a cache without
 * constructor or debug flags starts with all its objects fresh, so making
 * one writes nothing into it), slab_inuse the objects handed out; each tail
 * page's slab_prev is its distance from the head. A linked free object's
 * link sits at fp_offset inside or after it, stored as
 * next ^ cache->random ^ (address of the link).
 *
 * Object layout of a debug cache (see setup_geometry in mm/slab.c):
 *   [left red zone][object][right red zone][free link][alloc track][free track]
 * red_left bytes, object_size bytes, then up to fp_offset, the link, and at
 * track_offset two struct slab_track. Red zones hold RED_ACTIVE while the
 * object is allocated and RED_INACTIVE while it is free; a poisoned free
 * object holds POISON_FREE bytes ending in one POISON_END.
 *
 * Locking: the *_locked calls need cache->lock held; slab_report,
 * slab_poisoned and slab_debug_init_object take no lock and
 * may run with it held or not; slab_debug_alloc and slab_debug_free take it
 * themselves and run, like the slow paths that call them, with this hart's
 * interrupts masked.
 */
#ifndef RVMM_MM_SLAB_INTERNAL_H
#define RVMM_MM_SLAB_INTERNAL_H

#include <mm/meminit.h>
#include <mm/mm.h>
#include <mm/mmzone.h>
#include <mm/slab.h>

#define RED_ACTIVE 0xcc
#define RED_INACTIVE 0xbb
#define POISON_FREE 0x6b
#define POISON_END 0xa5
#define RED_SIZE 8u

/* The capacity-0 magazine every hart's pair points at until the hart gets
 * a real one: base[0] only, never written (mm/slab.c). */
extern void *slab_empty_magazine[1];
#define EMPTY_END (&slab_empty_magazine[1])

/* Does init_on_alloc= / init_on_free= apply to @c (include/mm/meminit.h)?
 * Not to a cache with a constructor: its objects keep their constructed
 * state. Such a cache is a zeroing cache (below), or has no magazines and
 * slab_debug_alloc and slab_debug_free zero its objects. */
static inline bool slab_meminit(const struct kmem_cache *c)
{
	return meminit_routed() && !c->ctor;
}

/* A cache slab_meminit applies to that keeps its magazines for its slow
 * paths (mm/slab.c, "Zeroing caches"): no debug flags, its free link the
 * first word of a free object and room for a marker in the second. Fixed
 * when the cache is made (failslab, which comes and goes, takes the
 * magazines away meanwhile, not this), so that a cache that lends objects
 * and one that borrows them agree. The others (debug caches, objects
 * below 16 bytes) have no magazines. */
static inline bool zeroing_cache(const struct kmem_cache *c)
{
	return slab_meminit(c) && !(c->flags & SLAB_DEBUG_FLAGS) && c->fp_offset == 0 &&
	       c->object_size >= 2 * sizeof(uintptr_t);
}

/* The marker a zeroing cache's freed object carries in its second word:
 * its address XOR the cache's secret, inverted. A live object holding it
 * by chance would be taken for a freed one: 1 in 2^64. */
static inline uintptr_t free_marker(const struct kmem_cache *c, const void *obj)
{
	return ~(uintptr_t)(c->random ^ (uintptr_t)obj);
}

/* ===================== slabs, objects, free links ========================= */

static inline unsigned long slab_bytes(const struct kmem_cache *c)
{
	return PAGE_SIZE << c->order;
}

/* The head page of the slab holding p, or NULL; and the slab's first byte
 * in *base: p's page start, back as many pages as p's page lies past the
 * head (a slab is one block of the direct map, so no page_address). */
static inline struct page *slab_head_base(const void *p, char **base)
{
	struct page *page = virt_to_page_flat(p);
	unsigned long back;

	if (unlikely(!page))
		page = virt_to_page(p);
	if (!page || page_type(page) != PGTY_SLAB)
		return NULL;
	back = PageHead(page) ? 0 : page->slab_prev;
	*base = (char *)(((uintptr_t)p & PAGE_MASK) - (back << PAGE_SHIFT));
	return page - back;
}

/* The head page of the slab holding p, or NULL (inline: the unused base
 * costs nothing). */
static inline struct page *slab_head(const void *p)
{
	char *base;

	return slab_head_base(p, &base);
}

static inline char *slab_base(const struct page *head)
{
	return page_address(head);
}

/* The first object's offset from the slab's start (its colour and red zone). */
static inline unsigned long first_object_offset(const struct kmem_cache *c, const struct page *head)
{
	return head->slab_colour * c->colour_off + c->red_left;
}

static inline char *first_object(const struct kmem_cache *c, const struct page *head)
{
	return slab_base(head) + first_object_offset(c, head);
}

/*
 * off / c->size without a division: c->reciprocal = ceil(2^32 / size), and
 * (off * reciprocal) >> 32 is the exact quotient whenever off * size <
 * 2^32 (the error off * (reciprocal - 2^32 / size) / 2^32 stays below
 * 1 / size, less than the distance of off / size to the next integer).
 * Callers pass an offset inside a slab: off < 32 KiB, size <= 32 KiB.
 */
static inline unsigned int obj_index(const struct kmem_cache *c, unsigned long off)
{
	return (unsigned int)((off * c->reciprocal) >> 32);
}

static inline u32 slab_reciprocal(unsigned int size)
{
	return (u32)(((1ull << 32) + size - 1) / size);
}

/* Is @off (unsigned: an address below the first object wraps to a huge
 * offset) the offset of an object from its slab's first one? No division
 * and no bound test: obj_index is exact for every object's offset, and any
 * @off, however large (the product may wrap), passes only if it equals
 * idx * size for an idx below objs_per_slab, which is an object's offset. */
static inline bool is_object_offset(const struct kmem_cache *c, unsigned long off)
{
	unsigned int idx = obj_index(c, off);

	return idx < c->objs_per_slab && (unsigned long)idx * c->size == off;
}

/* Is p an object of the slab whose first object is @first? (No division:
 * obj_index.) */
static inline bool is_object_from(const struct kmem_cache *c, const char *first, const void *p)
{
	unsigned long off = (unsigned long)((const char *)p - first);
	unsigned int idx;

	if ((const char *)p < first || off >= slab_bytes(c))
		return false;
	idx = obj_index(c, off);
	return idx < c->objs_per_slab && (unsigned long)idx * c->size == off;
}

/* The first fresh object of a slab (valid while head->slab_fresh > 0). */
static inline char *first_fresh(const struct kmem_cache *c, const struct page *head)
{
	return first_object(c, head) + (c->objs_per_slab - head->slab_fresh) * c->size;
}

/* Is p one of the slab's fresh objects (free, never handed out)? */
static inline bool is_fresh(const struct kmem_cache *c, const struct page *head, const void *p)
{
	return head->slab_fresh && (const char *)p >= first_fresh(c, head);
}

/* Is p the start of an object of this slab? */
static inline bool is_object(const struct kmem_cache *c, const struct page *head, const void *p)
{
	return is_object_from(c, first_object(c, head), p);
}

static inline void **fp_slot(const struct kmem_cache *c, void *obj)
{
	return (void **)((char *)obj + c->fp_offset);
}

static inline void set_fp(const struct kmem_cache *c, void *obj, void *next)
{
	void **slot = fp_slot(c, obj);

	*slot = (void *)((uintptr_t)next ^ c->random ^ (uintptr_t)slot);
}

static inline void *get_fp(const struct kmem_cache *c, void *obj)
{
	void **slot = fp_slot(c, obj);

	return (void *)((uintptr_t)*slot ^ c->random ^ (uintptr_t)slot);
}

/* The list a slab belongs on for its fill. */
static inline struct slab_list *list_for(struct kmem_cache *c, const struct page *head)
{
	if (head->slab_inuse == 0)
		return &c->free;
	return head->slab_inuse == c->objs_per_slab ? &c->full : &c->partial;
}

/* Does a new slab of the cache start with all its objects fresh (no link
 * written)? Not with a constructor or destructor (objects are constructed
 * when the slab is made) nor with debug flags (red zones, poison and
 * tracks are laid out then). */
static inline bool slab_lazy(const struct kmem_cache *c)
{
	return !c->ctor && !c->dtor && !(c->flags & (SLAB_RED_ZONE | SLAB_STORE_USER | SLAB_POISON));
}

/* Free objects are poisoned only without a constructor (whose contents
 * must survive while free). */
static inline bool poisons(const struct kmem_cache *c)
{
	return (c->flags & SLAB_POISON) && !c->ctor;
}

/* ============================ magazines ================================== */

static inline bool magazine_real(const struct slab_cpu *sc)
{
	return sc->end != EMPTY_END;
}

/* base[0] (the NULL) of a real magazine. */
static inline void **magazine_base(const struct kmem_cache *c, const struct slab_cpu *sc)
{
	return sc->end - c->limit - 1;
}

static inline long magazine_count(const struct kmem_cache *c, const struct slab_cpu *sc)
{
	return magazine_real(sc) ? sc->top - magazine_base(c, sc) - 1 : 0;
}

/* ===================== mm/slab.c, for the debug paths ===================== */

/* One object from the slabs, growing the cache if needed; lock held on
 * entry and exit (dropped while growing). NULL when out of memory. */
void *slab_alloc_locked(struct kmem_cache *c, gfp_t gfp);
/* Return an object to its slab and give back free slabs beyond the rule (lock
 * held). */
void slab_free_locked(struct kmem_cache *c, void *obj);

/* ============================ mm/slab_debug.c ============================= */

/* Count and print an error on an object of c: what happened, the 8 bytes
 * at @bytes (object offset @off) when given, and with SLAB_STORE_USER who
 * last allocated and freed it. */
void slab_report(struct kmem_cache *c, const void *obj, const char *what, const u8 *bytes,
		 unsigned int off);
/* "  WHAT by FUNC+0xOFF on cpu N" for a SLAB_STORE_USER track; nothing
 * for a track never written. */
void slab_print_track(const char *what, const struct slab_track *t);
/* Does a free object hold its poison? If not, *at is the first bad offset. */
bool slab_poisoned(const struct kmem_cache *c, const void *obj, unsigned int *at);
/* A new slab's object before its constructor: inactive red zones, cleared
 * tracks, poison (only for caches with SLAB_RED_ZONE, SLAB_STORE_USER or
 * SLAB_POISON). */
void slab_debug_init_object(struct kmem_cache *c, void *obj);
/* The checked paths of a debug cache (it has no magazines): every
 * allocation and free takes the cache lock and checks the object;
 * kmem_cache_alloc_slow / kmem_cache_free_slow call them with interrupts
 * masked and pass their caller's address for SLAB_STORE_USER. */
void *slab_debug_alloc(struct kmem_cache *c, gfp_t gfp, unsigned long caller);
void slab_debug_free(struct kmem_cache *c, void *obj, unsigned long caller);

#endif
