/*
 * slab.h - object caches (kmem_cache), Bonwick's slab allocator as Linux
 * uses it (mm/slab.c).
 *
 * A cache hands out objects of one size. Objects live in slabs (1 << order
 * pages from the buddy allocator); each hart keeps a magazine of free
 * objects in front of the slab lists, and the common case is a push or a
 * pop on it, inlined below: no call, no shared lock, interrupts masked on
 * this hart only.
 */
#ifndef RVMM_SLAB_H
#define RVMM_SLAB_H

#ifdef __cplusplus
extern "C" {
#endif

#include <mm/gfp.h>
#include <lib/kernel.h>
#include <lib/list.h>
#include <mm/percpu.h>
#include <lib/spinlock.h>
#include <mm/kasan.h>
#include <mm/kfence.h>
#include <mm/slab_slob.h>

/* Cache flags (Linux's values). */
#define SLAB_CONSISTENCY_CHECKS 0x00000100ul /* F: check every free */
#define SLAB_RED_ZONE 0x00000400ul           /* Z: guard bytes around each object */
#define SLAB_POISON 0x00000800ul             /* P: fill free objects, check on reuse */
#define SLAB_HWCACHE_ALIGN 0x00002000ul      /* align objects to a cache line */
#define SLAB_CACHE_DMA 0x00004000ul          /* every slab from ZONE_DMA (GFP_DMA) */
#define SLAB_CACHE_DMA32 0x00008000ul        /* every slab from ZONE_DMA32 and below (GFP_DMA32) */
#define SLAB_STORE_USER 0x00010000ul         /* U: remember who allocated / freed */
#define SLAB_RECLAIM_ACCOUNT 0x00020000ul    /* counted as SReclaimable */
/* Only for kmem_cache_create: no message (and __GFP_NOWARN on the
 * descriptor's memory) when there is no memory for the cache; the caller
 * reports, or asked for silence (kmalloc under __GFP_NOWARN). Not kept. */
#define SLAB_CREATE_NOWARN 0x00040000ul
#define SLAB_FAILSLAB 0x02000000ul           /* failslab targets it (set by mm/fault_inject.c) */
/* rvmm's: the cache's model (include/mm/slab_slob.h). SLAB_SLOB serves it
 * from kmalloc's SLOB heap as 2.6.20's CONFIG_SLOB did; SLAB_NOSLOB keeps it a
 * slab cache under slab=slob (the kmalloc-N caches). */
#define SLAB_SLOB 0x40000000ul
#define SLAB_NOSLOB 0x20000000ul
#define SLAB_DEBUG_FLAGS (SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER)

#define SLAB_CACHE_LINE 64
/* A cache's name: at most SLAB_NAME_LEN - 1 characters (kmem_cache_create
 * refuses a longer one rather than cut it: a cut name would not find its
 * cache, by kmem_cache_find or in slabinfo). Linux's longest are 23. */
#define SLAB_NAME_LEN 32
/* Slabs are at most 1 << SLAB_MAX_ORDER pages: 8 (32 KiB) in the kernel,
 * 16 (64 KiB) in the malloc library (Makefile, MSCFLAGS), which takes them
 * from its own heap; never more than 64 KiB (mm/slab.c: u16 offsets). */
#ifndef SLAB_MAX_ORDER
#define SLAB_MAX_ORDER 3
#endif

/* One hart's magazine, a stack of free objects in an array base[0 .. limit]
 * (mm/slab.c): base[0] is NULL, objects are base[1 .. top). */
struct slab_cpu {
	void **top; /* one past the newest object: top[-1] is NULL when empty */
	void **end; /* base + 1 + limit: full when top == end */
};
_Static_assert(sizeof(struct slab_cpu) <= PERCPU_SLOT, "a magazine's pair fills one per-hart slot");

/* Who last allocated or freed an object (SLAB_STORE_USER), on which hart,
 * and when (milliseconds since boot, wrapping after 49 days). */
struct slab_track {
	unsigned long caller;
	unsigned int cpu;
	u32 when_ms;
};

struct slab_list {
	u32 first; /* pfn of the first slab, SLAB_NIL if none */
	u32 count;
};
#define SLAB_NIL 0xffffffffu

struct kmem_cache {
	/* First (the fast paths' load): the offset of this cache's
	 * struct slab_cpu in every hart's per-hart area (percpu.h);
	 * PERCPU_RESERVED_OFF, the shared empty pair, without magazines,
	 * and for a cache whose magazines only the slow paths may use
	 * (init_on_alloc=, init_on_free=: mag_off). */
	unsigned long pcpu_off;
	/* Second (the free fast path's): every object's address has none of
	 * these bits (the largest power of two dividing the slab's object
	 * offsets, less one: size - 1 for kmalloc's powers of two), so a
	 * pointer with any of them is not an object's start (mm/slab.c). */
	unsigned long obj_mask;
	/* kmem_cache_free's obj_mask: the same, or all ones for a cache with
	 * lenders, whose kmem_cache_free then takes kmem_cache_free_any_slow,
	 * where an object it borrowed goes back to its lender (kfree, which
	 * finds the cache by the slab, tests obj_mask). */
	unsigned long free_mask;

	unsigned long flags;
	unsigned int object_size; /* what the user asked for */
	unsigned int size;        /* stride between objects in a slab */
	unsigned int align;
	unsigned int red_left;    /* bytes before the object (red zone) */
	unsigned int fp_offset;   /* free pointer: offset from the object start */
	unsigned int track_offset;
	unsigned int order;       /* slab = 1 << order pages */
	unsigned int objs_per_slab;
	unsigned int colour_off, colours, colour_next;
	unsigned int limit, batch; /* magazine capacity and refill/flush batch */
	u32 reciprocal;            /* ceil(2^32 / size): offset -> index by a multiply */
	/* kmem_cache_tune's setting: limit + 1 and batch; 0: Linux's rule */
	unsigned int tuned_limit, tuned_batch;
	/* kmem_cache_tune_shared's depot size in batches + 1; 0: the default */
	unsigned int tuned_shared;
	unsigned long random;      /* free pointer hardening secret */
	/* The magazines' offset as the slow paths, reports and reclaim see
	 * them: pcpu_off, but for a cache whose slow paths zero what goes
	 * through its magazines (mm/slab.c, "Zeroing caches"), whose inline
	 * paths must miss: pcpu_off is then the empty pair. */
	unsigned long mag_off;
	/* Zone bits every slab is allocated with (from SLAB_CACHE_DMA /
	 * SLAB_CACHE_DMA32; 0 for other caches), so every object, wherever a
	 * magazine or free list got it from, lies in that zone. */
	gfp_t allocflags;
	/* Allocations refused for a zone the cache cannot give (gfp zone bits
	 * its slabs do not honour: kmem_cache_alloc_gfp); warned once. */
	unsigned int nr_zone_refused;
	void (*ctor)(void *);
	void (*dtor)(void *);
	char name[SLAB_NAME_LEN];

	spinlock_t lock; /* slab lists and counters */
	struct slab_list full, partial, free;
	unsigned long nr_slabs;
	unsigned long free_objects; /* free objects in slabs (not magazines) */
	unsigned long max_slabs;    /* 0: no limit (for tests) */
	/* The free-slab rule (mm/slab.c: set_free_limit): free objects in
	 * slabs are kept up to free_limit; a free slab beyond it goes back
	 * to the page allocator. The shrinker gives back every free slab. */
	unsigned long free_limit;
	/*
	 * The depot (2.6.20's shared array cache): objects a hart's full
	 * magazine handed over, depot[0 .. depot_avail), the newest last; an
	 * empty magazine takes them back before it looks at a slab. Capacity
	 * depot_limit (0: no depot); under the cache lock.
	 */
	void **depot;
	unsigned int depot_avail, depot_limit;

	/*
	 * Borrowing (mm/slab.c): lend_table[lend_first .. lend_end) are the
	 * caches this one may take a free object from instead of growing
	 * (kmem_cache_set_lenders); lend_table NULL: it never borrows.
	 */
	struct kmem_cache *const *lend_table;
	unsigned int lend_first, lend_end;
	/* objects it may still borrow: objs_per_slab after each slab grown
	 * and each full magazine flushed, 0 when made (mm/slab.c) */
	unsigned int borrow_credit;

	/* statistics */
	unsigned long nr_refills, nr_flushes, nr_grows, nr_reaps;
	/* objects this cache took from its lenders / lent to a borrower */
	unsigned long nr_borrowed, nr_lent;
	unsigned long nr_depot_gets, nr_depot_puts; /* refills / flushes the depot served */
	unsigned long nr_errors; /* debug reports */
	const char *last_error;

	struct list_head chain; /* on the cache chain */
	unsigned int desc_order; /* pages of this descriptor */
	/* SLAB_SLOB caches: their SLOB state (mm/slab_slob.c), allocated with
	 * the descriptor, right after it; NULL for slab caches */
	struct slob_cache *slob;
};


struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align,
				     unsigned long flags, void (*ctor)(void *));
/* The variant with a destructor, run on each object when its slab goes back
 * to the page allocator (the design rvmm follows; Linux dropped it); on a
 * SLOB-model cache (SLAB_SLOB, slab=slob) at each free, as 2.6.20's SLOB. */
struct kmem_cache *kmem_cache_create_dtor(const char *name, size_t size, size_t align,
					  unsigned long flags, void (*ctor)(void *),
					  void (*dtor)(void *));
/* Return this hart's magazine and the depot to the slabs and give every
 * free slab back to the page allocator. Returns the number of pages
 * released. */
unsigned long kmem_cache_shrink(struct kmem_cache *c);
/*
 * For periodic reclaim (a cache_reap-like caller; none runs here): give
 * back the free slabs beyond what the free-slab rule keeps (free objects
 * above free_limit, normally none are: every free to a slab applies the
 * rule), and with kmem_cache_drain_hart, first return about a fifth of
 * this hart's magazine (at least one object) and of the depot
 * to the slabs, as Linux's drain_array. Both take the cache lock and mask
 * this hart's interrupts; they return the pages given back.
 */
unsigned long kmem_cache_free_beyond_rule(struct kmem_cache *c);
unsigned long kmem_cache_drain_hart(struct kmem_cache *c);
/* kmem_cache_shrink of every cache on the chain (this hart's magazines). */
unsigned long kmem_cache_shrink_all(void);
/* Free the cache. Objects still allocated are reported with the cache name
 * and their pages are left alone (leaked on purpose, not reused). Every
 * hart's magazine is emptied: no hart may use the cache meanwhile. NULL is
 * ignored; a pointer that is no live cache (one destroyed already) is
 * reported ("slab error: kmem_cache_destroy(ADDR): not a cache", counted
 * in slab_errors) and ignored. */
void kmem_cache_destroy(struct kmem_cache *c);
unsigned int kmem_cache_size(const struct kmem_cache *c);

/*
 * Set the magazine capacity and batch (what Linux's /proc/slabinfo write
 * "name limit batchcount sharedfactor" does; the `slabinfo NAME LIMIT BATCH`
 * command). 0 < batch <= limit <= SLAB_MAX_LIMIT, or limit = batch = 0 for
 * no magazines (every operation on the locked path). Every hart's magazine
 * is flushed first, so no other hart may use the cache meanwhile. Debug
 * caches keep none whatever is set. Returns 0 or -EINVAL.
 */
#define SLAB_MAX_LIMIT 500 /* a magazine of 501 pointers fits a block of the metadata heap */
int kmem_cache_tune(struct kmem_cache *c, unsigned int limit, unsigned int batch);
/*
 * The same with the depot's size, as the write's third number, Linux's
 * sharedfactor: the depot holds shared * batch objects (0: no depot), at
 * most SLAB_MAX_LIMIT; SLAB_SHARED_DEFAULT keeps the default of two
 * batches (kmem_cache_tune). The depot is emptied into the slabs first.
 * Returns 0 or -EINVAL.
 */
#define SLAB_SHARED_DEFAULT (~0u)
int kmem_cache_tune_shared(struct kmem_cache *c, unsigned int limit, unsigned int batch,
			   unsigned int shared);
/* Would kmem_cache_tune_shared take these numbers (for a cache that has
 * magazines)? Checks them before anything is made (the slabinfo write of
 * a kmalloc class whose cache is not made yet). */
bool kmem_cache_tunables_valid(unsigned int limit, unsigned int batch, unsigned int shared);
/*
 * Borrowing between caches (mm/slab.c, "Borrowing"): when @c's magazine,
 * depot and slabs are all empty (and it has credit: up to 4 slabs' worth
 * of objects after each slab it grew or full magazine it flushed, none
 * before its first slab), before it grows a slab it takes one free
 * object from a partial slab of the first cache in table[first .. end)
 * that may lend to it (at most slab_borrow_waste_pct larger objects, at
 * least @c's alignment, the same zone, no constructor, destructor or debug
 * flags on either) and has one. The object stays the lender's: kfree and
 * kmem_cache_free of it (to the lender: virt_to_cache names it) go to the
 * lender's magazine (kmem_cache_free to @c takes kmem_cache_free_any_slow,
 * which finds the lender by the slab), ksize is the lender's object size. The table is the
 * caller's and must outlive @c's use of it; an entry is set to NULL before
 * its cache is destroyed. @table NULL: no borrowing (the default).
 */
void kmem_cache_set_lenders(struct kmem_cache *c, struct kmem_cache *const *table,
			    unsigned int first, unsigned int end);
/*
 * How much larger, in percent, a lender's objects may be than the
 * borrower's: SLAB_BORROW_WASTE_PCT (100) unless set before the caches
 * borrow (read at each borrow). The kernel's size mix gains most at 100
 * (docs/benchmarks.md, "Borrowing"); the malloc library sets 25, since a
 * program that builds its data without freeing has its smaller class take
 * the objects of a larger one's slab that is being filled, which then
 * grows for them (docs/malloc.md, "Sizes").
 */
extern unsigned int slab_borrow_waste_pct;

/* The cache on the chain with this name, or NULL. */
struct kmem_cache *kmem_cache_find(const char *name);

/*
 * Who holds a cache's objects (mm/slab_traces.c; Linux's debugfs
 * slab/NAME/alloc_traces and free_traces): per recorded caller, the objects
 * out (@freed false, by their last allocation) or free (@freed true, by
 * their last free), their ages in ms and the harts that recorded them.
 * Needs SLAB_STORE_USER (slab_debug=U): -EINVAL without it, -EOPNOTSUPP for
 * a SLOB-model cache. kmem_cache_traces fills @tr (tr->loc holds tr->max
 * entries; callers past them count in tr->dropped) sorted by count, largest
 * first, using @free (BITS_TO_LONGS(objs_per_slab) words) as scratch;
 * kmem_cache_show_traces allocates both and prints the table.
 */
struct slab_trace {
	unsigned long caller; /* 0: none recorded (fresh objects): <not-available> */
	unsigned long count;
	u32 min_age_ms, max_age_ms;
	u64 sum_age_ms;
	unsigned long cpus; /* bit n: hart n recorded one of them */
};
struct slab_traces {
	struct slab_trace *loc;
	unsigned int nr, max;
	unsigned int last; /* (the walk's: the entry found last) */
	unsigned long objects; /* objects counted, dropped ones included */
	unsigned long dropped; /* objects whose caller found no room in loc */
};
int kmem_cache_traces_check(const struct kmem_cache *c);
int kmem_cache_traces(struct kmem_cache *c, bool freed, struct slab_traces *tr, unsigned long *free);
int kmem_cache_show_traces(struct kmem_cache *c, bool freed);

/* failslab (mm/fault_inject.c): with @on, the cache gets SLAB_FAILSLAB and
 * magazines of capacity 0 (every hart's is emptied), so each allocation
 * takes kmem_cache_alloc_slow, where failslab checks; off restores them.
 * No other hart may use the cache meanwhile. */
void kmem_cache_set_failslab(struct kmem_cache *c, bool on);

/*
 * The slow paths behind the inline fast paths. (The object comes first in
 * kmem_cache_free_slow: kfree's pointer then stays in its register.)
 * kmem_cache_alloc_slow takes a gfp without zone bits or __GFP_ZERO.
 *
 * @caller is the address slab_debug=U's tracks and KFENCE record as who
 * allocated or freed the object: an allocator that serves others (kmalloc,
 * a library's malloc) passes its own caller (Linux's _RET_IP_ passed down,
 * as kmalloc_track_caller does). 0 stands for the slow path's own caller:
 * the code that called kmem_cache_alloc or kfree, as long as every step
 * from that call to the slow path is a tail call, and free of the cost of
 * reading a return address on the way (the inline paths pass 0; so does
 * mm/kmalloc.c's kmalloc_miss).
 */
void *kmem_cache_alloc_slow(struct kmem_cache *c, gfp_t gfp, unsigned long caller);
/*
 * kmem_cache_alloc with __GFP_ZERO or zone bits (the inline path sends
 * them here; a constant gfp without them never calls it). Zone bits are a
 * request the cache must be able to honour, as Linux's GFP_SLAB_BUG_MASK
 * check: __GFP_DMA32 needs a SLAB_CACHE_DMA32 or SLAB_CACHE_DMA cache,
 * __GFP_DMA a SLAB_CACHE_DMA one. Anything else is refused: NULL, counted
 * in nr_zone_refused, and a WARN the first time for the cache. A zone is
 * never silently ignored, since magazines hold objects of one zone only.
 */
void *kmem_cache_alloc_gfp(struct kmem_cache *c, gfp_t gfp, unsigned long caller);
void kmem_cache_free_slow(void *obj, struct kmem_cache *c, unsigned long caller);
/* kmem_cache_free of any object of @c for @caller (kfree_track_caller). */
void kmem_cache_free_from(struct kmem_cache *c, void *obj, unsigned long caller);

/*
 * Allocate an object in its constructed state (the constructor ran when
 * its slab was made; on a SLOB-model cache, at this allocation), or NULL.
 * Contract: objects are freed in their constructed state, so a slab cache
 * with a constructor never runs it again for a recycled object.
 */
void *kmem_cache_zalloc(struct kmem_cache *c, gfp_t gfp);

/* Linux's bulk calls: @nr objects into @p, all or none (returns @nr, or 0
 * with nothing left allocated); free @nr objects of @p, each of @c, or of
 * kmalloc when @c is NULL. Each object goes through the magazine as a
 * single call would, with the bulk call's caller recorded. */
int kmem_cache_alloc_bulk(struct kmem_cache *c, gfp_t gfp, size_t nr, void **p);
void kmem_cache_free_bulk(struct kmem_cache *c, size_t nr, void **p);

/* The running hart's pair as the inline paths see it (pcpu_off). */
static inline struct slab_cpu *this_slab_cpu(struct kmem_cache *c)
{
	return (struct slab_cpu *)(this_cpu_base() + c->pcpu_off);
}

/* Hart @cpu's magazine pair as the slow paths see it (mag_off). */
static inline struct slab_cpu *cpu_slab(const struct kmem_cache *c, unsigned int cpu)
{
	return (struct slab_cpu *)(cpu_percpu_base(cpu) + c->mag_off);
}

/* The running hart's magazine pair as the slow paths see it (mag_off). */
static inline struct slab_cpu *this_mag_cpu(struct kmem_cache *c)
{
	return (struct slab_cpu *)(this_cpu_base() + c->mag_off);
}

/* The newest object of the running hart's magazine pair at per-hart offset
 * @off (a cache's pcpu_off, or kmalloc_fast_off's entry), taken; NULL when
 * it is empty (the shared pair at PERCPU_RESERVED_OFF always is). */
static inline void *magazine_pop(unsigned long off)
{
	unsigned long flags = irq_save_notrap();
	struct slab_cpu *sc = (struct slab_cpu *)(this_cpu_base() + off);
	void **top = sc->top;
	void *obj = top[-1];

	if (likely(obj))
		sc->top = top - 1;
	irq_restore_notrap(flags);
	return obj;
}

/* kmem_cache_alloc for an allocator that serves others: @caller is who
 * asked (0: the code that called it; kmem_cache_alloc_slow). */
static inline void *kmem_cache_alloc_track_caller(struct kmem_cache *c, gfp_t gfp, unsigned long caller)
{
	void *obj;

	/* (gfp is a constant at nearly every call: this test then vanishes.) */
	if (unlikely(gfp & (__GFP_ZERO | GFP_ZONEMASK)))
		return kmem_cache_alloc_gfp(c, gfp, caller);
	obj = magazine_pop(c->pcpu_off);
	if (likely(obj))
		return kasan_slab_alloc(c, obj);
	return kasan_slab_alloc(c, kmem_cache_alloc_slow(c, gfp, caller));
}

static inline void *kmem_cache_alloc(struct kmem_cache *c, gfp_t gfp)
{
	return kmem_cache_alloc_track_caller(c, gfp, 0);
}

/* Push @obj on the running hart's magazine of @c; false, with nothing
 * done, for a full magazine, an object equal to the last one freed here (a
 * double free in a row: top[-1] is always readable, the NULL at worst) or a
 * pointer with a bit of @mask (c->obj_mask: off the cache's object grid,
 * inside an object; c->free_mask for kmem_cache_free): those take the slow
 * path, which checks the pointer exactly, reports a bad free and drops it. */
static inline __attribute__((always_inline)) bool magazine_push(struct kmem_cache *c, void *obj,
								  bool checked, unsigned long mask)
{
	unsigned long flags = irq_save_notrap();
	struct slab_cpu *sc = this_slab_cpu(c);
	void **top = sc->top;

	/* @checked: the caller proved obj an object's start and not free
	 * (kfree_keyed), so only room is tested. */
	if (likely(top != sc->end && (checked || (top[-1] != obj && !((uintptr_t)obj & mask))))) {
		*top = obj;
		sc->top = top + 1;
		irq_restore_notrap(flags);
		return true;
	}
	irq_restore_notrap(flags);
	return false;
}

/* kfree calls it directly: its object is in the direct map, so it cannot
 * be KFENCE's. */
static inline __attribute__((always_inline)) void magazine_free(struct kmem_cache *c, void *obj,
								  bool checked)
{
	if (kasan_slab_free(c, obj)) /* (the KASAN kernel) quarantined or reported */
		return;
	if (likely(magazine_push(c, obj, checked, c->obj_mask)))
		return;
	kmem_cache_free_slow(obj, c, 0);
}

static inline void kmem_cache_free_direct(struct kmem_cache *c, void *obj)
{
	magazine_free(c, obj, false);
}

/* The cache an object freed to @c goes to: its lender when @c has lenders
 * and borrowed it, else @c (mm/slab.c). */
struct kmem_cache *kmem_cache_owner(struct kmem_cache *c, const void *obj);
/* kmem_cache_free's slow path: @obj to its owner (kmem_cache_owner), then
 * as kmem_cache_free_slow. Every kmem_cache_free of a cache with lenders
 * comes here (its free_mask); kfree, which found the cache by the slab,
 * goes to kmem_cache_free_slow. */
void kmem_cache_free_any_slow(void *obj, struct kmem_cache *c);

/* Free @obj, an object of @c in its constructed state (one @c borrowed
 * goes back to its lender); NULL is ignored, as kfree(NULL) is. */
static inline void kmem_cache_free(struct kmem_cache *c, void *obj)
{
	if (unlikely(kfence_object_or_null(obj))) { /* one compare (mm/kfence.h), a tail call */
		kfence_cache_free(c, obj);
		return;
	}
	/* (The KASAN kernel checks the object against its cache first.) */
	if (KASAN_KERNEL && unlikely(c->lend_table))
		c = kmem_cache_owner(c, obj);
	if (kasan_slab_free(c, obj)) /* (the KASAN kernel) quarantined or reported */
		return;
	if (likely(magazine_push(c, obj, false, c->free_mask)))
		return;
	kmem_cache_free_any_slow(obj, c);
}

/*
 * kfree for a caller that wants every bad free of a slab object caught and
 * keeps its blocks' second word for it (the malloc library, malloc/shim.c,
 * not bound by the fast paths' instruction counts): a pointer inside a slab
 * object is reported and dropped (its start checked exactly); an object
 * whose second word holds its address XOR @secret was freed here and not
 * handed out since (the caller clears the word in every block it hands
 * out): reported as a double free and dropped. Otherwise the word is set
 * so and the object freed. Anything not in a slab goes to kfree.
 */
void kfree_keyed(void *p, uintptr_t secret);

/* May @p (on a slab page) be resized (krealloc, realloc)? Not a pointer
 * inside an object, nor one marked freed (with @secret, kfree_keyed's key;
 * 0 for none; in a zeroing cache, its free marker): O(1), nothing reported. */
enum slab_resize { SLAB_RESIZE_OK, SLAB_RESIZE_NOT_SLAB, SLAB_RESIZE_INSIDE, SLAB_RESIZE_FREED };
enum slab_resize slab_resize_check(const void *p, uintptr_t secret);

/* Hart @cpu's magazine (tests, reports): its objects, oldest first, with
 * their number in *count; NULL and 0 while the hart has no magazine. */
void **kmem_cache_magazine(const struct kmem_cache *c, unsigned int cpu, long *count);

static inline long kmem_cache_magazine_count(const struct kmem_cache *c, unsigned int cpu)
{
	long n;

	kmem_cache_magazine(c, cpu, &n);
	return n;
}

/* Objects cached in front of the slabs: every hart's magazine and the
 * depot (exact under the cache lock or while the cache is quiet). */
static inline unsigned long kmem_cache_in_magazines(const struct kmem_cache *c)
{
	unsigned long n = c->depot_avail;

	for (unsigned int cpu = 0; cpu < MAX_HARTS; cpu++)
		n += (unsigned long)kmem_cache_magazine_count(c, cpu);
	return n;
}

/* Objects not on a slab's free list: handed out or in a magazine. Exact
 * under the cache lock or while the cache is quiet. */
static inline unsigned long kmem_cache_objects_out(const struct kmem_cache *c)
{
	if (c->flags & SLAB_SLOB)
		return slob_cache_objects(c->slob);
	return c->nr_slabs * c->objs_per_slab - c->free_objects;
}

/* The cache owning a slab object, or NULL if p is not in a slab. */
struct kmem_cache *virt_to_cache(const void *p);

/*
 * Prove the cache's invariants: every slab on the list its fill says (full,
 * partial, free), counts per list and free_objects right, each slab's free
 * list (hardened pointers decoded) inside the slab on object boundaries,
 * without loops, inuse + free = objects per slab, debug red zones and
 * poison intact on free objects. Prints problems; returns how many.
 */
int kmem_cache_check(struct kmem_cache *c);
/* The whatis command's slab part: @addr lies in a slab page; prints the
 * cache, the object, where it is free or that it is allocated, and with
 * SLAB_STORE_USER who last allocated and freed it. */
void slab_whatis(u64 addr);
/* Is @p the start of a slab object that is handed out: not free in its
 * slab, a hart's magazine, the depot or KASAN's quarantine? (A walk of
 * them under the cache's lock: for rare callers, kfree_sensitive.) */
bool slab_object_in_use(const void *p);

/* slab_debug= as parsed (tests set it directly): flags to add to caches
 * whose name is in the comma-separated list (any cache when it is empty). */
#define SLAB_DEBUG_LIST_LEN 128
extern unsigned long slab_debug_flags;
extern char slab_debug_cache[SLAB_DEBUG_LIST_LEN];
/* The slab_debug= flags a new cache of this name gets (0: none). */
unsigned long slab_debug_flags_for(const char *name);

/* Slab pages held, and descriptor and magazine bytes (their peak, with
 * kmalloc's heap: kmalloc_peak_bytes, mm/kmalloc.h). */
extern unsigned long slab_pages, slab_meta_bytes;

/* Pages the slab allocator holds: slabs, descriptors and magazines. */
unsigned long slab_held_pages(void);

/* The slab allocator's shrinker (mm/page_alloc.c runs it before failing a
 * request); its counters say how often it ran and what it gave back. */
extern struct shrinker slab_shrinker;

/* Total slab errors reported (all caches). */
extern unsigned long slab_errors;

/* slob_check of the heap that holds the caches' descriptors and off-slab
 * metadata (mm_check). */
int slab_meta_heap_check(void);

/* Walk the cache chain (slabinfo). */
void slab_for_each_cache(void (*fn)(struct kmem_cache *c, void *arg), void *arg);
unsigned long slab_total_pages(bool reclaimable);

/* /proc/slabinfo version 2.1. */
void show_slabinfo(void);
/* `slabinfo -s`: per cache the slow-path counters (magazine refills and
 * flushes, slabs grown and given back, errors reported), the magazine size
 * and each hart's magazine fill; then the shrinker's counters. */
void show_slabstats(void);

#ifdef __cplusplus
}
#endif

#endif
