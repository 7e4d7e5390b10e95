/*
 * slab.c - object caches: Bonwick's slab allocator as Linux uses it.
 *
 * Structure. A cache (struct kmem_cache) hands out objects of one size.
 * They live in slabs: 1 << order contiguous pages from the buddy allocator,
 * holding objs_per_slab objects `size` bytes apart after a colour offset.
 * The slab's metadata lives in the struct page of its first page (no
 * descriptor, no space taken from the slab, so 32 objects of 128 bytes fill a
 * 4 KiB slab): its cache, its place on the cache's list (pfns), the offset
 * of its first free object and how many objects are out. Every page of the
 * slab is PGTY_SLAB and names the cache, so kfree finds the cache of any
 * object in O(1). A free object holds the link to the next free one, XORed
 * with a per-cache secret and its own address (a corrupted or forged link is
 * caught when it is followed).
 *
 * Lists. Each cache keeps its slabs on full, partial and free lists.
 * Refilling prefers partial slabs, then free ones, then borrows (below),
 * then grows by a new slab (constructors run then, for every object).
 *
 * Fresh objects. A new slab of a cache without constructor, destructor or
 * debug flags is not written at all: its objects are fresh (counted in the
 * head page's slab_fresh, the slab's last ones), handed out by address
 * after the slab's linked free objects, four pointers at a time with no
 * link read (take_fresh), stored so that the magazine pops them in
 * ascending order: a program that walks its objects in the order it made
 * them reads memory forward. Objects come back a slab's run at a time: a
 * slab is a power of two bytes, so whether an object lies in the slab of
 * the run's first is a subtraction and a mask, made on four objects at
 * once. A run that may be every object the slab handed out is counted
 * first, and if it is, it links none and leaves the slab all fresh again;
 * any other run is found while it is linked, each link written once
 * (slab_push_run, link_run). Lists move once per run, not per object.
 * Free slabs are kept by Linux 2.6.20's rule: free objects in slabs up to
 * free_limit = (1 + harts) * batch + objs_per_slab; beyond it free slabs
 * go back to the page allocator (destructors run first) whenever objects
 * return to the slabs. Shrinking
 * (kmem_cache_shrink, the shrinker) gives every free slab back;
 * kmem_cache_free_beyond_rule and kmem_cache_drain_hart are the hooks of a
 * periodic reclaim pass.
 *
 * Magazines. In front of the lists each hart has a magazine (an array
 * stack) of free objects. kmem_cache_alloc/free (inline in slab.h) pop and
 * push on it with this hart's interrupts masked: no shared lock, no call. An
 * empty magazine is refilled with up to `batch` objects, from the depot if
 * it has any, else from partial and free slabs, growing by one slab only
 * when there were none; a full one flushes its newest `batch` objects to
 * the depot while it has room, else to their slabs, under the cache lock.
 * Capacity follows Linux's SLAB rules (120 objects up to 256 bytes, 54 to
 * 1 KiB, 24 to a page, 8 beyond) capped at SLAB_MAGAZINE_BYTES of objects
 * (at least SLAB_MAGAZINE_MIN, one for objects of a page or more). A
 * magazine is an array base[0 .. limit]
 * whose base[0] is always NULL, objects in base[1 .. top): the pop reads
 * top[-1] and a NULL means empty, so only the push compares with a bound.
 * Each hart's {top, end} pair for the cache is in its own per-hart area, at
 * the offset the cache's first word holds (mm/percpu.c): tp + offset, one
 * load and one add, and no cache line written by two harts. A hart's
 * magazine is allocated the first time it needs one; until then its pair
 * points at a shared array of capacity 0 (only the NULL), which sends both
 * fast paths to the slow ones. A cache made when every per-hart slot is
 * taken shares the reserved slot, whose pair is always that empty one, and
 * has no magazines.
 *
 * Depot. 2.6.20's shared array cache: per cache an array of up to two
 * batches (one when two would hold more than SLAB_DEPOT_BYTES of objects,
 * none for objects above it) between the magazines and the slabs, under
 * the cache lock. It
 * turns a flush followed by a refill (on one hart, or a producer hart and a
 * consumer hart) into two copies of a batch of pointers, no slab walked.
 *
 * Borrowing. A cache given lenders (kmem_cache_set_lenders: a table of
 * caches and a range of it; kmalloc gives each kmalloc-N cache of at least
 * 128 bytes the classes above it up to twice its size, its zone's table for
 * a zone cache) does not grow while a lender has a free object: when its
 * magazine, the depot and its slabs are all empty, the slow path takes one
 * free object of a partial slab of the first lender in the range that has
 * one (never a free slab, a depot or a magazine of the lender: those are
 * the lender's working set, and free slabs go back to the page allocator)
 * and returns it to the caller; only with none does it grow. A borrow costs
 * a slow path per object, and the object goes back to its lender when
 * freed, so a loop of allocations and frees could borrow on every
 * allocation for ever: a cache borrows at most SLAB_BORROW_SLABS (4) slabs'
 * worth of objects (borrow_credit) after each slab it grew and each full
 * magazine it flushed (it had objects to spare then), and none before its
 * first slab; out of credit, it grows, and its own objects then serve it
 * from its magazine. The rules, checked at each borrow (can_lend): both
 * caches plain (no constructor, destructor or debug layout, not failslab's
 * target, not the SLOB model), the same zone flags, the lender's objects
 * strictly larger, at most slab_borrow_waste_pct (100%; the malloc library
 * sets 25%) larger, and aligned
 * at least as the borrower's (so kmalloc's powers of two keep their
 * alignment: they borrow only from a larger power of two). Invariants: a
 * borrowed object stays its lender's: its slab names the lender, so kfree
 * (and virt_to_cache) send it back to the lender's magazine and ksize is
 * the lender's object size (the bytes KASAN leaves accessible too); the
 * lender counts it in use (slabinfo's active objects, and
 * kmem_cache_objects_out: a lender destroyed while one is out keeps its
 * slabs, as for any object still allocated), the borrower counts it in
 * nr_borrowed only; no magazine or depot ever holds another cache's object
 * (a borrowed object goes to the caller, not to the magazine, which stays
 * empty: the next allocation takes the slow path again), so the flush paths
 * and kmem_cache_check are unchanged. Only the slow path grows: the fast
 * paths, refills from the depot or the cache's own slabs, and every free
 * are as without lenders (a full magazine's flush also renews the credit,
 * one store). Debug caches and caches without magazines never reach it; a
 * SLOB-model cache (slab=slob) neither borrows nor lends.
 *
 * No division on any allocation path: an object's index in its slab is a
 * multiply by the cache's reciprocal (obj_index, mm/slab_internal.h), and
 * page <-> address maths is inline.
 *
 * Order rule: the smallest order (up to SLAB_MAX_ORDER: 3, in the malloc
 * library 4) whose slab wastes at most 1/16 of itself, else the order that
 * wastes least.
 *
 * Constructor contract: the constructor runs once per object when its slab
 * is created; objects are handed out in constructed state and must be freed
 * in constructed state. The free-object link then lives after the object,
 * so it never overwrites constructed contents.
 *
 * Debugging (SLAB_* flags, or the slab_debug= parameter): a debug cache has
 * magazine capacity 0, so every operation takes the checked slow path of
 * mm/slab_debug.c and an ordinary cache pays nothing; setup_geometry leaves
 * room for what the flags need (red zones, the free link outside the
 * object, the user tracks: the layout is in mm/slab_internal.h). On every
 * cache a free link that does not decode to an object of its slab is
 * caught when it is followed and reported (slab_report, mm/slab_debug.c),
 * and so are a double free in a row and a free of a pointer off the
 * cache's object grid (obj_mask: the free fast path's test, three
 * instructions; the slow path then checks the object start exactly and
 * drops the free), and a foreign pointer when it reaches the slabs. A
 * double free not in a row and an on-grid pointer inside an object of a
 * size that is not a power of two are filed (docs/kmalloc.md): catching
 * them costs more than the fast paths' instruction bounds allow.
 *
 * mm/slab_check.c holds the read-only walks: kmem_cache_check, which proves
 * the invariants above on demand, and the slabinfo reports.
 *
 * The SLOB model (SLAB_SLOB, slab=slob): mm/slab_slob.c serves such a cache
 * from kmalloc's SLOB heap. It has no slabs and no magazines (its per-hart
 * pair is the shared empty one), so its every allocation and free reach the
 * slow paths' branch for caches without a magazine, where one test of its
 * flags sends it there (a refill or flush never sees the test); create,
 * shrink, tune and destroy test it at their entry.
 *
 * Locking: cache->lock guards the lists and counters; the cache chain has
 * its own lock; lock order cache lock -> page allocator locks. No path
 * holds two cache locks: a borrower drops its own lock while it holds a
 * lender's (its magazine stays its own: interrupts are masked).
 */
#include <mm/fault_inject.h>
#include <mm/kmalloc.h>
#include <lib/kstring.h>
#include <mm/mm.h>
#include <lib/random.h>
#include <mm/slab.h>
#include <mm/slob.h>
#include <mm/reclaim.h>

#include "slab_internal.h"
#include "internal.h"

/* Memory the slab allocator holds: slab pages, and the bytes of cache
 * descriptors and magazines (from the SLOB heap); their peak, with
 * kmalloc's heap, is kmalloc_peak_bytes. */
unsigned long slab_pages;
unsigned long slab_meta_bytes;

static inline __attribute__((always_inline)) void slab_account(long pages, long meta)
{
	if (pages)
		__atomic_add_fetch(&slab_pages, (unsigned long)pages, __ATOMIC_RELAXED);
	if (meta)
		__atomic_add_fetch(&slab_meta_bytes, (unsigned long)meta, __ATOMIC_RELAXED);
	if (pages > 0 || meta > 0)
		kmalloc_note_held();
}

static struct list_head cache_chain = LIST_HEAD_INIT(cache_chain);
static spinlock_t chain_lock = SPINLOCK_INIT;

/* Cache descriptors and magazines come from a SLOB heap of their own, so
 * kmalloc's heap holds only kmalloc's objects. */
static struct slob_heap meta_heap;

unsigned long slab_held_pages(void)
{
	return slab_pages + slob_heap_pages(&meta_heap);
}

int slab_meta_heap_check(void)
{
	return slob_check(&meta_heap);
}

/* The capacity-0 magazine (EMPTY_END): base[0] only, never written. */
void *slab_empty_magazine[1];

bool slab_up;

void slab_init(void)
{
	slob_heap_init(&meta_heap, "slab-meta", SLOB_SEGFIT);
	unregister_shrinker(&slab_shrinker); /* (again, when tests start over) */
	register_shrinker(&slab_shrinker);
	/* Slot 0 of every hart: the pair of caches without a slot. */
	for (unsigned int cpu = 0; cpu < MAX_HARTS; cpu++) {
		u8 *slot0 = cpu_percpu_base(cpu) + PERCPU_RESERVED_OFF;
		struct slab_cpu *sc = (struct slab_cpu *)slot0;

		sc->top = sc->end = EMPTY_END;
	}
	slab_up = true;
}

/* ======================= slabs and their lists =========================== */

struct kmem_cache *virt_to_cache(const void *p)
{
	struct page *page = virt_to_page(p);

	if (!page)
		return kfence_cache(p); /* a KFENCE object's cache (NULL: none) */
	return page_type(page) == PGTY_SLAB ? page->slab_cache : NULL;
}

/* Pfn-linked lists of slab head pages (the links live in struct page);
 * pfn <-> page inline, on the running node. */
static inline struct page *slab_pfn_page(u32 pfn)
{
	return node_pfn_to_page(mem_node, pfn);
}

static inline void slist_add(struct slab_list *l, struct page *head)
{
	u32 pfn = (u32)node_page_to_pfn(mem_node, head);

	head->slab_prev = SLAB_NIL;
	head->slab_next = l->first;
	if (l->first != SLAB_NIL)
		slab_pfn_page(l->first)->slab_prev = pfn;
	l->first = pfn;
	l->count++;
}

static inline void slist_del(struct slab_list *l, struct page *head)
{
	if (head->slab_prev != SLAB_NIL)
		slab_pfn_page(head->slab_prev)->slab_next = head->slab_next;
	else
		l->first = head->slab_next;
	if (head->slab_next != SLAB_NIL)
		slab_pfn_page(head->slab_next)->slab_prev = head->slab_prev;
	l->count--;
}

static struct page *slist_first(const struct slab_list *l)
{
	return l->first == SLAB_NIL ? NULL : slab_pfn_page(l->first);
}

/* Take the first slab off a list that is not empty. */
static inline struct page *slist_pop(struct slab_list *l)
{
	struct page *head = slab_pfn_page(l->first);

	l->first = head->slab_next;
	if (head->slab_next != SLAB_NIL)
		slab_pfn_page(head->slab_next)->slab_prev = SLAB_NIL;
	l->count--;
	return head;
}

/* ====================== making and freeing slabs ========================= */

_Static_assert((PAGE_SIZE << SLAB_MAX_ORDER) - sizeof(void *) + 1 <= 0xffff,
	       "an object's offset + 1 fits the head page's u16 slab_free (an object is\n"
	       "at least a free link, so the last one starts that far below the end)");

/* A new slab, off any list, all objects free; NULL when out of memory.
 * Called without the cache lock (constructors may allocate). */
static struct page *new_slab(struct kmem_cache *c, gfp_t gfp, unsigned int colour)
{
	struct page *head;
	char *obj, *prev = NULL;

	if (c->max_slabs && __atomic_load_n(&c->nr_slabs, __ATOMIC_RELAXED) >= c->max_slabs)
		return NULL;
	/* The cache's zone, whatever the caller's gfp says (it was checked
	 * against the cache on the way in: kmem_cache_alloc_gfp). */
	gfp = (gfp & ~(__GFP_ZERO | GFP_ZONEMASK)) | c->allocflags;
	if (slab_meminit(c)) /* (init_on_alloc=: each object is zeroed as it is handed out) */
		gfp |= __GFP_SKIP_ZERO;
	head = alloc_pages(gfp, c->order);
	if (!head)
		return NULL;
	for (unsigned int i = 0; i < (1u << c->order); i++) {
		set_page_type(&head[i], PGTY_SLAB);
		head[i].slab_cache = c;
		head[i].slab_prev = i; /* tails: pages back to the head */
	}
	head->slab_colour = (u16)colour;
	head->slab_inuse = 0;
	head->slab_free = 0;
	head->slab_fresh = 0;
	if (slab_lazy(c)) { /* nothing to write: every object is fresh */
		head->slab_fresh = (u16)c->objs_per_slab;
		kasan_slab_new(c, head);
		return head;
	}
	obj = first_object(c, head);
	head->slab_free = (u16)(obj - slab_base(head) + 1);
	for (unsigned int i = 0; i < c->objs_per_slab; i++, obj += c->size) {
		if (c->flags & (SLAB_RED_ZONE | SLAB_STORE_USER | SLAB_POISON))
			slab_debug_init_object(c, obj); /* red zones, tracks, poison */
		if (c->ctor)
			c->ctor(obj);
		if (prev)
			set_fp(c, prev, obj);
		prev = obj;
	}
	set_fp(c, prev, NULL);
	kasan_slab_new(c, head); /* (after the constructors, which write the objects) */
	return head;
}

/* Give a free slab back (off its list already); destructors run first. */
static void free_slab(struct kmem_cache *c, struct page *head)
{
	kasan_slab_release(c, head);
	if (c->dtor) {
		char *obj = first_object(c, head);

		for (unsigned int i = 0; i < c->objs_per_slab; i++, obj += c->size)
			c->dtor(obj);
	}
	for (unsigned int i = 0; i < (1u << c->order); i++) {
		head[i].slab_cache = NULL;
		head[i].lru.next = head[i].lru.prev = NULL;
		set_page_type(&head[i], PGTY_NONE);
	}
	head->priv = 0;
	__free_pages(head, c->order);
}

/* Give back a free slab, off its list already (lock held). */
static void release_slab(struct kmem_cache *c, struct page *head)
{
	c->nr_slabs--;
	c->free_objects -= c->objs_per_slab;
	c->nr_reaps++;
	free_slab(c, head);
	slab_account(-(1l << c->order), 0);
}

/*
 * Move up to @n of a slab's linked free objects to @dst (lock held);
 * returns how many. A link that does not decode to an object of the slab
 * is reported and the rest of the slab's linked free objects are given up
 * (counted as in use).
 */
static unsigned int take_linked(struct kmem_cache *c, struct page *head, void **dst, unsigned int n)
{
	char *base = slab_base(head);
	const char *first = base + head->slab_colour * c->colour_off + c->red_left;
	u32 free = head->slab_free;
	unsigned int got = 0, lost = 0;

	while (free && got < n) {
		char *obj = base + free - 1, *next = get_fp(c, obj);

		if (next && !is_object_from(c, first, next)) {
			slab_report(c, obj, "corrupted free pointer", (const u8 *)fp_slot(c, obj),
				    c->fp_offset);
			lost = c->objs_per_slab - head->slab_inuse - head->slab_fresh - got - 1u;
			next = NULL;
		}
		free = next ? (u32)(next - base) + 1 : 0;
		dst[got++] = obj;
	}
	head->slab_free = (u16)free;
	head->slab_inuse = (u16)(head->slab_inuse + lost);
	c->free_objects -= lost;
	return got;
}

/*
 * Hand out @k of a slab's fresh objects (k <= slab_fresh), the first ones
 * in address order: address arithmetic, four at a time, no link read.
 * dst[] gets them highest first, so a magazine (a stack: it pops from
 * dst[k - 1] down) hands them out lowest first. Popped descending, 16 at
 * a time, a list of 1,000,000 nodes made one after another was walked at
 * half the speed of glibc's (chunks in the order made), and xmllint's
 * xmlFreeNodeList took 22% of its run against glibc's 2%.
 */
static inline void take_fresh(const struct kmem_cache *c, struct page *head, void **dst,
			      unsigned int k)
{
	unsigned long size = c->size;
	char *obj = first_fresh(c, head);
	unsigned int i = k;

	for (; i >= 4; i -= 4, obj += 4 * size) {
		dst[i - 1] = obj;
		dst[i - 2] = obj + size;
		dst[i - 3] = obj + 2 * size;
		dst[i - 4] = obj + 3 * size;
	}
	for (; i; i--, obj += size)
		dst[i - 1] = obj;
	head->slab_fresh = (u16)(head->slab_fresh - k);
}

/*
 * Move up to @n free objects of a slab to @dst (lock held): its linked free
 * objects first, then fresh ones in address order; returns how many.
 */
static inline __attribute__((always_inline)) unsigned int
slab_take(struct kmem_cache *c, struct page *head, void **dst, unsigned int n)
{
	unsigned int got = head->slab_free ? take_linked(c, head, dst, n) : 0;
	unsigned int k = MIN(n - got, (unsigned int)head->slab_fresh);

	if (k)
		take_fresh(c, head, dst + got, k);
	got += k;
	head->slab_inuse = (u16)(head->slab_inuse + got);
	c->free_objects -= got;
	return got;
}

/* Put back a slab whose fill changed: on the list its fill says, off
 * @from (NULL: a new slab, on no list yet). */
static inline void relist(struct kmem_cache *c, struct page *head, struct slab_list *from)
{
	struct slab_list *to = list_for(c, head);

	if (to != from) {
		if (from)
			slist_del(from, head);
		slist_add(to, head);
	}
}

/*
 * How many of objs[0 .. n) from the first on lie in the slab at @base
 * (objs[0] does): a slab is a power of two bytes, so an offset is inside
 * when it has none of the bits of @outside (~(bytes - 1)), and four
 * offsets are tested at once by or-ing them.
 */
static inline long run_length(void *const *objs, long n, const char *base, uintptr_t outside)
{
	uintptr_t b = (uintptr_t)base;
	long k = 1;

	while (k + 4 <= n && !((((uintptr_t)objs[k] - b) | ((uintptr_t)objs[k + 1] - b) |
				((uintptr_t)objs[k + 2] - b) | ((uintptr_t)objs[k + 3] - b)) & outside))
		k += 4;
	while (k < n && !(((uintptr_t)objs[k] - b) & outside))
		k++;
	return k;
}

/* link_run for a link at offset @off (a constant where it is inlined). */
static inline __attribute__((always_inline)) long
link_run_at(uintptr_t secret, unsigned long off, void *const *objs, long n, uintptr_t b,
	    uintptr_t outside, char **free)
{
	char *f = *free;
	long i = 0;

	for (; i + 4 <= n; i += 4) {
		char *o0 = objs[i], *o1 = objs[i + 1], *o2 = objs[i + 2], *o3 = objs[i + 3];
		uintptr_t *s0 = (uintptr_t *)(o0 + off), *s1 = (uintptr_t *)(o1 + off);
		uintptr_t *s2 = (uintptr_t *)(o2 + off), *s3 = (uintptr_t *)(o3 + off);

		if ((((uintptr_t)o0 - b) | ((uintptr_t)o1 - b) | ((uintptr_t)o2 - b) |
		     ((uintptr_t)o3 - b)) & outside)
			break;
		*s0 = (uintptr_t)f ^ secret ^ (uintptr_t)s0;
		*s1 = (uintptr_t)o0 ^ secret ^ (uintptr_t)s1;
		*s2 = (uintptr_t)o1 ^ secret ^ (uintptr_t)s2;
		*s3 = (uintptr_t)o2 ^ secret ^ (uintptr_t)s3;
		f = o3;
	}
	for (; i < n; i++) {
		char *obj = objs[i];
		uintptr_t *slot = (uintptr_t *)(obj + off);

		if (((uintptr_t)obj - b) & outside)
			break;
		*slot = (uintptr_t)f ^ secret ^ (uintptr_t)slot;
		f = obj;
	}
	*free = f;
	return i;
}

/*
 * Link the run of objs[0 .. n) that lies in the slab at @base (run_length's
 * test, made on the objects as they are linked) onto the slab's free list,
 * whose first object is *free, the last of them first: each link written
 * once, with the cache's secret and its own address (set_fp), the secret
 * and the link's offset read once (a link at offset 0, every cache that
 * makes slabs lazily, has a loop of its own). Returns the run's length;
 * *free is the new first object.
 */
static inline long link_run(const struct kmem_cache *c, void *const *objs, long n,
			    const char *base, uintptr_t outside, char **free)
{
	if (!c->fp_offset)
		return link_run_at(c->random, 0, objs, n, (uintptr_t)base, outside, free);
	return link_run_at(c->random, c->fp_offset, objs, n, (uintptr_t)base, outside, free);
}

/*
 * Give back the run of objs[0 .. n) that lies in the slab of objs[0], at
 * @base (lock held); returns its length. Each object is linked onto the
 * slab's free list, the last one given first, and the slab moves to the
 * list its fill says. When the run is every object the slab has handed out
 * and its cache makes slabs lazily, nothing is linked: the slab starts over
 * with all its objects fresh (the run is counted first when it can be that
 * long, else it is found while it is linked). A run of one, what a flush of
 * objects freed in another order than they were handed out gives (a hash
 * table or a tree destroyed: each object from another slab), takes no run
 * scan. List moves are per run, not per object, and only when the slab was
 * full or becomes free.
 */
static inline long slab_push_run(struct kmem_cache *c, struct page *head, char *base,
				 void *const *objs, long n, uintptr_t outside)
{
	unsigned int was = head->slab_inuse;
	long k;

	if (n == 1 || (((uintptr_t)objs[1] - (uintptr_t)base) & outside)) {
		k = 1;
		if (was == 1 && slab_lazy(c)) {
			head->slab_free = 0;
			head->slab_fresh = (u16)c->objs_per_slab;
		} else {
			set_fp(c, objs[0], head->slab_free ? base + head->slab_free - 1 : NULL);
			head->slab_free = (u16)((char *)objs[0] - base + 1);
		}
	} else if (n >= was && (k = run_length(objs, n, base, outside)) == was && slab_lazy(c)) {
		head->slab_free = 0;
		head->slab_fresh = (u16)c->objs_per_slab;
	} else {
		char *free = head->slab_free ? base + head->slab_free - 1 : NULL;

		k = link_run(c, objs, n, base, outside, &free);
		head->slab_free = (u16)(free - base + 1);
	}
	head->slab_inuse = (u16)(was - k);
	if (head->slab_inuse && was != c->objs_per_slab && was) /* partial, and stays */
		return k;
	slist_del(was == c->objs_per_slab ? &c->full : was ? &c->partial : &c->free, head);
	slist_add(head->slab_inuse ? &c->partial : &c->free, head);
	return k;
}

/*
 * Return @n objects to their slabs (lock held). Objects of one slab tend to
 * come together (a magazine is filled a slab at a time): a run of them is
 * found by an address range test instead of a struct page lookup each, and
 * given back at once.
 */
static void free_to_slabs(struct kmem_cache *c, void *const *objs, long n)
{
	uintptr_t outside = ~(slab_bytes(c) - 1);
	unsigned long back = 0;

	for (long i = 0, k; i < n; i += k) {
		char *base;
		struct page *head = slab_head_base(objs[i], &base);

		if (!head || head->slab_cache != c) {
			slab_report(c, objs[i], "free of an object that is not from this cache", NULL, 0);
			k = 1;
			continue;
		}
		k = slab_push_run(c, head, base, objs + i, n - i, outside);
		back += (unsigned long)k;
	}
	c->free_objects += back;
}

/* Give back free slabs while more than @keep free objects are in slabs
 * (lock held); pages released. */
static unsigned long reap_free_slabs(struct kmem_cache *c, unsigned long keep)
{
	unsigned long pages = 0;

	while (c->free.count && c->free_objects > keep) {
		release_slab(c, slist_pop(&c->free));
		pages += 1ul << c->order;
	}
	return pages;
}

/* The free-slab rule, applied after every free to a slab (lock held). */
static inline unsigned long trim_free_slabs(struct kmem_cache *c)
{
	if (c->free.count && c->free_objects > c->free_limit)
		return reap_free_slabs(c, c->free_limit);
	return 0;
}

/* Borrowing's credit: a cache may borrow this many slabs' worth of objects
 * after each slab it grows and each full magazine it flushes (see
 * "Borrowing" above). */
#ifndef SLAB_BORROW_SLABS
#define SLAB_BORROW_SLABS 4u
#endif

/* The cache had objects to spare (it grew a slab, or flushed a full
 * magazine): its credit is whole again (lock held). */
static inline void renew_borrow_credit(struct kmem_cache *c)
{
	c->borrow_credit = c->objs_per_slab * SLAB_BORROW_SLABS;
}

/* A new slab for the cache, counted but on no list; lock held on entry
 * and exit (dropped while the slab is made). NULL when out of memory. */
static struct page *grow(struct kmem_cache *c, gfp_t gfp)
{
	unsigned int colour = c->colour_next;
	struct page *head;

	if (++c->colour_next == c->colours) /* (no division on any allocation path) */
		c->colour_next = 0;
	spin_unlock(&c->lock);
	head = new_slab(c, gfp, colour);
	spin_lock(&c->lock);
	if (!head)
		return NULL;
	c->nr_slabs++;
	c->free_objects += c->objs_per_slab;
	c->nr_grows++;
	renew_borrow_credit(c);
	slab_account(1l << c->order, 0);
	return head;
}

/* A slab with a free object, partial ones first, and the list it is on;
 * NULL (and *from NULL) when there is none. */
static inline struct page *slab_with_free(struct kmem_cache *c, struct slab_list **from)
{
	struct page *head = slist_first(&c->partial);

	*from = &c->partial;
	if (!head) {
		head = slist_first(&c->free);
		*from = head ? &c->free : NULL;
	}
	return head;
}

/* One free object of a slab, counted out, or NULL (lock held; the
 * caller relists the slab). */
static inline __attribute__((always_inline)) void *take_one(struct kmem_cache *c,
							    struct page *head)
{
	void *obj = NULL;

	if (head->slab_free) {
		take_linked(c, head, &obj, 1);
	} else if (head->slab_fresh) {
		obj = first_fresh(c, head);
		head->slab_fresh--;
	}
	if (obj) {
		head->slab_inuse++;
		c->free_objects--;
	}
	return obj;
}

/* The checked paths' way to the slabs (mm/slab_debug.c): one object from
 * the slabs, and an object back to its slab (lock held). */
void *slab_alloc_locked(struct kmem_cache *c, gfp_t gfp)
{
	struct slab_list *from;
	struct page *head = slab_with_free(c, &from);
	void *obj;

	if (!head && !(head = grow(c, gfp)))
		return NULL;
	obj = take_one(c, head);
	relist(c, head, from);
	return obj;
}

void slab_free_locked(struct kmem_cache *c, void *obj)
{
	free_to_slabs(c, &obj, 1);
	trim_free_slabs(c);
}

/* ============================ magazines ================================== */

_Static_assert((SLAB_MAX_LIMIT + 1) * sizeof(void *) <= SLOB_SEG_KMALLOC_MAX,
	       "the largest magazine fits one block of the metadata heap");

/* A magazine's array: its own cache lines (SLAB_CACHE_LINE-aligned, a
 * multiple of them), since each hart writes its array on every push. Packed
 * next to each other in the metadata heap, the harts' arrays of a class
 * above a page (2 pointers each) shared lines, and two threads of the
 * malloc library each taking and freeing 4 KiB blocks on two cpus took
 * four times as long as one (0.12 s where now 0.03 for 2 million pairs a
 * thread; glibc 0.08). One line more per magazine at most: the kernel's
 * benchmarks' metadata 25 -> 26 KiB, their peaks unchanged. */
static size_t magazine_bytes(const struct kmem_cache *c)
{
	return ALIGN_UP((c->limit + 1) * sizeof(void *), SLAB_CACHE_LINE);
}

void **kmem_cache_magazine(const struct kmem_cache *c, unsigned int cpu, long *count)
{
	const struct slab_cpu *sc = cpu_slab(c, cpu);

	*count = magazine_count(c, sc);
	return magazine_real(sc) ? magazine_base(c, sc) + 1 : NULL;
}

/* This hart's magazine made now (it had none, and the cache has
 * magazines: c->limit > 0); NULL when no memory is left for one. */
static __attribute__((noinline)) struct slab_cpu *new_magazine(struct kmem_cache *c,
							       struct slab_cpu *sc)
{
	/* (No warning on failure: the hart then goes without a magazine.) */
	void **base = slob_alloc(&meta_heap, magazine_bytes(c), GFP_KERNEL | __GFP_NOWARN, SLAB_CACHE_LINE);

	if (!base)
		return NULL;
	base[0] = NULL;
	sc->top = base + 1;
	sc->end = base + 1 + c->limit;
	slab_account(0, (long)magazine_bytes(c));
	return sc;
}

/* This hart's real magazine, made on first use; NULL for debug caches or
 * when no memory is left for one. */
static inline struct slab_cpu *this_magazine(struct kmem_cache *c)
{
	struct slab_cpu *sc = this_mag_cpu(c);

	if (likely(magazine_real(sc)))
		return sc;
	return c->limit ? new_magazine(c, sc) : NULL; /* (no magazines: debug, SLOB model) */
}

/* Return the oldest @n depot objects to their slabs (lock held). */
static void drain_depot(struct kmem_cache *c, unsigned int n)
{
	if (n > c->depot_avail)
		n = c->depot_avail;
	if (!n)
		return;
	free_to_slabs(c, c->depot, n);
	memmove(c->depot, c->depot + n, (size_t)(c->depot_avail - n) * sizeof(void *));
	c->depot_avail -= n;
}

/* Give @n objects of a magazine back (lock held): with @to_depot, as many
 * as the depot has room for go there, the rest to their slabs. */
static inline void hand_back(struct kmem_cache *c, void *const *objs, long n, bool to_depot)
{
	long k = 0;

	if (to_depot && c->depot_avail < c->depot_limit) {
		k = MIN(n, (long)(c->depot_limit - c->depot_avail));
		memcpy(c->depot + c->depot_avail, objs, (size_t)k * sizeof(void *));
		c->depot_avail += (unsigned int)k;
		c->nr_depot_puts++;
	}
	if (n > k)
		free_to_slabs(c, objs + k, n - k);
	c->nr_flushes++;
}

/*
 * Take the newest @n objects out of a magazine (lock held): with
 * @to_depot, as many as the depot has room for go there (a copy of
 * pointers, no slab touched) and only the rest to their slabs. (Linux
 * flushes the oldest and moves the rest down; taking the newest needs no
 * move, and on this kernel's harts no object is colder than another.)
 */
static void flush_magazine(struct kmem_cache *c, struct slab_cpu *sc, long n, bool to_depot)
{
	long have = magazine_count(c, sc);

	if (n > have)
		n = have;
	sc->top -= n;
	hand_back(c, sc->top, n, to_depot);
}

/* Flush and free one hart's magazine (lock held; c->limit still its size). */
static void release_magazine(struct kmem_cache *c, struct slab_cpu *sc)
{
	if (!magazine_real(sc))
		return;
	flush_magazine(c, sc, magazine_count(c, sc), false);
	slob_free(&meta_heap, magazine_base(c, sc), magazine_bytes(c));
	slab_account(0, -(long)magazine_bytes(c));
	sc->top = sc->end = EMPTY_END;
}

/* ============================ slow paths ================================= */

/* Refill an empty magazine from the depot: up to a batch of its newest
 * objects (lock held); false when the depot is empty. */
static __attribute__((always_inline)) inline bool refill_from_depot(struct kmem_cache *c,
								    struct slab_cpu *m)
{
	unsigned int n = MIN(c->batch, c->depot_avail);

	if (!n)
		return false;
	c->depot_avail -= n;
	memcpy(m->top, c->depot + c->depot_avail, n * sizeof(void *));
	m->top += n;
	c->nr_depot_gets++;
	return true;
}

/* The objects a real magazine holds. */
static inline long real_count(const struct kmem_cache *c, const struct slab_cpu *m)
{
	return m->top - (m->end - c->limit);
}

/* ============================ borrowing ================================== */

/*
 * May @l lend its objects to @c? Both plain (no constructor, destructor or
 * debug layout, neither failslab's target nor a SLOB-model cache), the
 * same zone, @l's objects larger (strictly: the order of the two caches'
 * sizes is the only order in which a borrower ever looks at a lender) by
 * at most slab_borrow_waste_pct (SLAB_BORROW_WASTE_PCT unless the port
 * sets it), and aligned at least as @c's are (a
 * lender's objects lie at multiples of its alignment: kmalloc's powers of
 * two keep their natural alignment).
 */
#ifndef SLAB_BORROW_WASTE_PCT
#define SLAB_BORROW_WASTE_PCT 100u
#endif
unsigned int slab_borrow_waste_pct = SLAB_BORROW_WASTE_PCT;
#define SLAB_NO_LENDING (SLAB_DEBUG_FLAGS | SLAB_FAILSLAB | SLAB_SLOB)

static bool can_lend(const struct kmem_cache *c, const struct kmem_cache *l)
{
	return l->object_size > c->object_size &&
	       (unsigned long)l->object_size * 100 <=
		       (unsigned long)c->object_size * (100 + slab_borrow_waste_pct) &&
	       l->align >= c->align && l->allocflags == c->allocflags && slab_lazy(l) &&
	       !(l->flags & SLAB_NO_LENDING);
}

void kmem_cache_set_lenders(struct kmem_cache *c, struct kmem_cache *const *table,
			    unsigned int first, unsigned int end)
{
	unsigned long irq = irq_save();

	spin_lock(&c->lock);
	c->lend_table = table;
	c->lend_first = first;
	c->lend_end = end;
	c->free_mask = table ? ~0ul : c->obj_mask;
	spin_unlock(&c->lock);
	irq_restore(irq);
}

/* One free object of a partial slab of @l for a borrower, or NULL (takes
 * and drops @l's lock; the caller holds no cache lock). */
static void *lend_one(struct kmem_cache *l)
{
	void *obj = NULL;
	struct page *head;

	spin_lock(&l->lock);
	head = slist_first(&l->partial);
	if (head && (obj = take_one(l, head))) {
		relist(l, head, &l->partial);
		l->nr_lent++;
	}
	spin_unlock(&l->lock);
	return obj;
}

/*
 * The slow path's last resort before a new slab (lock held, interrupts
 * masked, this hart's magazine empty): one free object of a partial slab
 * of the nearest lender that has one, or NULL. The lenders' lists are
 * first read without their lock (a hint); @c's lock is dropped while a
 * lender's is held, so no path ever holds two cache locks.
 */
static __attribute__((noinline)) void *borrow_one(struct kmem_cache *c)
{
	bool dropped = false;
	void *obj = NULL;

	if (!slab_lazy(c) || (c->flags & SLAB_NO_LENDING))
		return NULL;
	for (unsigned int i = c->lend_first; i < c->lend_end && !obj; i++) {
		/* (published with release order: what is read through
		 * the pointer depends on it, ordered without a fence) */
		struct kmem_cache *l = __atomic_load_n(&c->lend_table[i], __ATOMIC_RELAXED);

		if (!l || __atomic_load_n(&l->partial.first, __ATOMIC_RELAXED) == SLAB_NIL ||
		    !can_lend(c, l))
			continue;
		if (!dropped) {
			spin_unlock(&c->lock);
			dropped = true;
		}
		obj = lend_one(l);
	}
	if (dropped)
		spin_lock(&c->lock);
	if (obj) {
		c->nr_borrowed++;
		if (c->borrow_credit)
			c->borrow_credit--;
	}
	return obj;
}

/* Refill a magazine with up to a batch of objects from the slabs, partial
 * ones first (lock held, dropped while growing or borrowing). With no free
 * object in its slabs, a cache with lenders borrows one instead of
 * growing: returned (the magazine stays empty), else NULL. */
static __attribute__((always_inline)) inline void *refill_from_slabs(struct kmem_cache *c,
								     struct slab_cpu *m, gfp_t gfp)
{
	long want = (long)c->batch - real_count(c, m);
	bool grew = false;
	void *borrowed;

	while (want > 0) { /* (m->top[-1] is NULL while the magazine is empty) */
		struct slab_list *from;
		struct page *head = slab_with_free(c, &from);
		unsigned int got;
		void **top = m->top;

		if (!head && grew) {
			/* A refill that grew, and emptied that slab, has a
			 * cache taking objects faster than any come back (a
			 * program building its data): it grows again to fill
			 * the batch, one slow path for the batch instead of one
			 * per slab, where a slab holds fewer objects than a
			 * batch. Without reclaim: no shrinker runs on this
			 * hart, so the magazine stays as it is, and a page
			 * allocator short of pages just ends the refill. */
			head = grow(c, gfp | __GFP_NO_DIRECT_RECLAIM | __GFP_NOWARN);
			if (!head)
				break;
			if (m->top != top) { /* (drained meanwhile: give up) */
				relist(c, head, NULL);
				break;
			}
		} else if (!head) {
			/* Grow only for an empty magazine, as Linux's refill
			 * does: a grow can run the shrinker, which empties this
			 * magazine, so growing to fill a batch could go on for
			 * ever when memory is short. */
			if (m->top[-1])
				break;
			if (c->borrow_credit && c->lend_table && (borrowed = borrow_one(c)))
				return borrowed;
			if (!(head = grow(c, gfp)))
				break;
			if (m->top[-1]) { /* filled meanwhile (the lock was dropped) */
				relist(c, head, NULL);
				break;
			}
			want = c->batch;
			grew = true;
		}
		got = slab_take(c, head, m->top, (unsigned int)want);
		m->top += got;
		want -= got;
		relist(c, head, from);
	}
	return NULL;
}

/*
 * Zeroing caches (init_on_alloc=, init_on_free=: include/mm/meminit.h).
 * A cache without constructor or debug flags keeps its magazines, depot
 * and slabs as ever, but its inline paths always miss (pcpu_off is the
 * empty pair; its magazines are at mag_off), so every allocation and free
 * reaches kmem_cache_alloc_slow / kmem_cache_free_slow, which pop and push
 * the magazine there with interrupts masked and no lock, as the inline
 * paths would, and zero the object: at allocation always (a freed object
 * still holds its marker, and its free link once it went back to a slab),
 * at free under init_on_free. A free is checked first, exactly (the
 * object's start in one of the cache's slabs, and no marker: a freed
 * object carries free_marker in its second word until it is handed out
 * again), so a double free or a pointer inside an object is reported and
 * wipes nothing. (A cache whose objects are below 16 bytes has no room
 * for the marker: it has no magazines, and slab_debug.c's paths zero.)
 */
static inline bool zeroes(const struct kmem_cache *c)
{
	return c->pcpu_off != c->mag_off;
}

static inline void *zeroed(const struct kmem_cache *c, void *obj)
{
	if (obj)
		memset(obj, 0, c->object_size);
	return obj;
}

/* kmem_cache_alloc_slow's work for an allocation @caller asked for (the
 * address slab_debug=U's track and KFENCE record: the code that called
 * kmem_cache_alloc, kmalloc or kzalloc, not a wrapper of this file). */
static __attribute__((always_inline)) inline void *alloc_slow(struct kmem_cache *c, gfp_t gfp,
							       unsigned long caller)
{
	unsigned long flags;
	struct slab_cpu *m;
	void *obj = NULL;

	if (unlikely(c->flags & SLAB_FAILSLAB) && should_failslab(c->name, gfp))
		return NULL;
	if (unlikely(kfence_enabled) && (obj = kfence_alloc_cache(c, gfp, caller)))
		return obj;
	flags = irq_save();
	m = this_magazine(c);
	if (!m) { /* a debug cache, or a SLOB-model one (neither has magazines) */
		obj = c->flags & SLAB_SLOB ? slob_cache_alloc(c, gfp, caller)
					   : slab_debug_alloc(c, gfp, caller);
		irq_restore(flags);
		return obj;
	}
	if (unlikely(zeroes(c)) && (obj = m->top[-1]) != NULL) { /* the inline path's pop */
		m->top--;
		irq_restore(flags);
		return zeroed(c, obj);
	}
	spin_lock(&c->lock);
	c->nr_refills++;
	if (!c->depot_avail || !refill_from_depot(c, m))
		obj = refill_from_slabs(c, m, gfp); /* (a borrowed object, or NULL) */
	if (!obj) {
		obj = m->top[-1]; /* (base[0] is NULL: an empty magazine gives NULL) */
		if (obj)
			m->top--;
	}
	spin_unlock(&c->lock);
	irq_restore(flags);
	return unlikely(zeroes(c)) ? zeroed(c, obj) : obj;
}

/* (Out of line for alloc_gfp too: its pop then saves no register.) */
__attribute__((noinline)) void *kmem_cache_alloc_slow(struct kmem_cache *c, gfp_t gfp,
						      unsigned long caller)
{
	return alloc_slow(c, gfp, caller ? caller : RET_IP);
}

/* Is @obj the start of an object in one of @c's slabs? (@head: its slab,
 * slab_head(obj)) */
static inline bool is_object_of(const struct kmem_cache *c, const struct page *head,
				const void *obj)
{
	return head && head->slab_cache == c && is_object(c, head, obj);
}

/* A free of what is not an object of @c: inside one of its objects (the
 * pointer lies in one of its slabs, @head), or no object of it at all. */
static __attribute__((noinline)) void report_not_object(struct kmem_cache *c, const struct page *head,
							const void *obj)
{
	slab_report(c, obj, head && head->slab_cache == c
				    ? "free of a pointer inside an object, not its start"
				    : "free of an object that is not from this cache", NULL, 0);
}

/* Could @c have borrowed from @l? (@l in its table; the table changes only
 * while no hart uses @c, as kmem_cache_set_lenders says.) */
static bool lends_to(const struct kmem_cache *l, const struct kmem_cache *c)
{
	for (unsigned int i = c->lend_first; i < c->lend_end; i++)
		if (__atomic_load_n(&c->lend_table[i], __ATOMIC_RELAXED) == l)
			return true;
	return false;
}

struct kmem_cache *kmem_cache_owner(struct kmem_cache *c, const void *obj)
{
	struct page *head;

	if (!c->lend_table || !(head = slab_head(obj)) || head->slab_cache == c)
		return c;
	return lends_to(head->slab_cache, c) ? head->slab_cache : c;
}

/* (Every path to kmem_cache_free_slow is a tail call: its RET_IP stays the
 * caller of kmem_cache_free, which slab_debug=U records.) */
void kmem_cache_free_any_slow(void *obj, struct kmem_cache *c)
{
	struct kmem_cache *owner;

	if (likely(!c->lend_table)) {
		kmem_cache_free_slow(obj, c, 0);
		return;
	}
	owner = kmem_cache_owner(c, obj);
	if (owner != c && magazine_push(owner, obj, false, owner->obj_mask))
		return;
	kmem_cache_free_slow(obj, owner, 0);
}

/* A zeroing cache's free of @obj, an object start of its slabs: a double
 * free reported, else the object zeroed (init_on_free), marked and pushed
 * when the magazine @m has room. false: pushed nothing, the magazine is
 * full (the caller flushes it and pushes). */
static bool zeroing_free(struct kmem_cache *c, struct slab_cpu *m, void *obj)
{
	uintptr_t *w = obj;

	if (w[1] == free_marker(c, obj)) {
		slab_report(c, obj, "double free", NULL, 0);
		return true;
	}
	if (want_init_on_free())
		memset(obj, 0, c->object_size);
	w[1] = free_marker(c, obj);
	if (m->top == m->end)
		return false;
	*m->top++ = obj;
	return true;
}

void kmem_cache_free_slow(void *obj, struct kmem_cache *c, unsigned long caller)
{
	unsigned long flags = irq_save();
	struct slab_cpu *m = this_magazine(c);

	if (!m) { /* a debug cache, or a SLOB-model one (neither has magazines) */
		if (!caller)
			caller = RET_IP;
		if (c->flags & SLAB_SLOB)
			slob_cache_free(c, obj, caller);
		else
			slab_debug_free(c, obj, caller);
		irq_restore(flags);
		return;
	}
	if (m->top[-1] == obj) {
		irq_restore(flags);
		slab_report(c, obj, "double free (freed twice in a row)", NULL, 0);
		return;
	}
	if (unlikely(((uintptr_t)obj & c->obj_mask) || zeroes(c))) {
		struct page *head = slab_head(obj);

		if (!is_object_of(c, head, obj)) {
			irq_restore(flags);
			report_not_object(c, head, obj);
			return;
		}
		if (zeroes(c) && zeroing_free(c, m, obj)) {
			irq_restore(flags);
			return;
		}
	}
	spin_lock(&c->lock);
	if (m->top == m->end) { /* full: its newest batch (limit >= batch) goes */
		m->top -= c->batch;
		hand_back(c, m->top, c->batch, true);
		trim_free_slabs(c);
		renew_borrow_credit(c);
	}
	*m->top++ = obj;
	spin_unlock(&c->lock);
	irq_restore(flags);
}

void kmem_cache_free_from(struct kmem_cache *c, void *obj, unsigned long caller)
{
	if (unlikely(kfence_object_or_null(obj))) {
		kfence_cache_free(c, obj);
		return;
	}
	if (kasan_slab_free(c, obj)) /* (the KASAN kernel) quarantined or reported */
		return;
	if (!magazine_push(c, obj, false, c->obj_mask))
		kmem_cache_free_slow(obj, c, caller);
}

/* kfree_keyed's checks of @p, which lies in @head's slab of @c (@rel: its
 * offset from the slab's first object; below it, it wraps to a huge value):
 * a bad free is reported and false returned; else @p gets its key and may
 * be freed. */
static inline bool keyed_free_ok(struct kmem_cache *c, const struct page *head, void *p,
				 unsigned long rel, uintptr_t secret)
{
	uintptr_t *key = (uintptr_t *)p + 1;

	if (unlikely(!is_object_offset(c, rel))) {
		report_not_object(c, head, p);
		return false;
	}
	if (unlikely(*key == ((uintptr_t)p ^ secret))) {
		slab_report(c, p, "double free", NULL, 0);
		return false;
	}
	*key = (uintptr_t)p ^ secret;
	return true;
}

/* kmem_cache_free_direct of an object keyed_free_ok passed: its start,
 * and not free, so the push tests only for room (the slow path takes a
 * full magazine). */
static inline void free_checked(struct kmem_cache *c, void *obj)
{
	magazine_free(c, obj, true);
}

/* kfree_keyed outside the flat memmap's window (a sectioned memmap). */
static __attribute__((noinline)) void kfree_keyed_sectioned(void *p, uintptr_t secret)
{
	struct page *head = slab_head(p);
	struct kmem_cache *c;

	if (!head) {
		kfree_strict(p);
		return;
	}
	c = head->slab_cache;
	if (keyed_free_ok(c, head, p, (unsigned long)((char *)p - first_object(c, head)), secret))
		kmem_cache_free(c, p);
}

/* For @page, a slab page of the flat memmap's window, and an address at
 * @off in the window on it: its slab's head in *@head, and the address's
 * offset from the slab's first object (wrapping below it). */
static inline unsigned long window_object_offset(const struct page *page, uintptr_t off,
						 const struct page **head)
{
	unsigned long back = PageHead(page) ? 0 : page->slab_prev; /* pages back to the slab's head */

	*head = page - back;
	return (off & (PAGE_SIZE - 1)) + (back << PAGE_SHIFT) /* (the window starts on a page) */
	       - first_object_offset(page->slab_cache, *head);
}

/*
 * The common case inline, as kfree's: @p in the flat memmap's window (so in
 * the direct map, not KFENCE's), its slab's start found from @p's offset in
 * the window and the page's distance back to the head, with no call that
 * returns (every other case is a tail call): no register saved.
 */
void kfree_keyed(void *p, uintptr_t secret)
{
	uintptr_t off = (uintptr_t)p - memmap_win_start;
	const struct page *page, *head;
	struct kmem_cache *c;
	unsigned long rel;

	if (unlikely(off >= memmap_win_size)) {
		kfree_keyed_sectioned(p, secret);
		return;
	}
	page = memmap_win_map + (off >> PAGE_SHIFT);
	if (unlikely(!PageSlab(page))) {
		kfree(p);
		return;
	}
	rel = window_object_offset(page, off, &head);
	c = page->slab_cache; /* (every page of a slab names its cache) */
	if (keyed_free_ok(c, head, p, rel, secret))
		free_checked(c, p);
}

/* slab_resize_check's verdict on @p, an address in @head's slab of @c
 * (@rel: its offset from the slab's first object, wrapping below it). */
static inline enum slab_resize resize_verdict(const struct kmem_cache *c, const void *p, unsigned long rel,
					      uintptr_t secret)
{
	uintptr_t w1;

	if (!is_object_offset(c, rel))
		return SLAB_RESIZE_INSIDE;
	w1 = ((const uintptr_t *)p)[1];
	if (secret ? w1 == ((uintptr_t)p ^ secret) : zeroing_cache(c) && w1 == free_marker(c, p))
		return SLAB_RESIZE_FREED; /* (keyed frees skip the zeroing caches' checks) */
	return SLAB_RESIZE_OK;
}

/* slab_resize_check outside the flat memmap's window. */
static __attribute__((noinline)) enum slab_resize resize_check_sectioned(const void *p, uintptr_t secret)
{
	const struct page *head = slab_head(p);
	const struct kmem_cache *c;

	if (!head)
		return SLAB_RESIZE_NOT_SLAB;
	c = head->slab_cache;
	return resize_verdict(c, p, (unsigned long)((const char *)p - first_object(c, head)), secret);
}

/*
 * May @p be resized (krealloc, the malloc library's realloc)? NOT_SLAB
 * when it is on no slab page; OK when it is an object's start that is not
 * marked freed: by @secret's key (kfree_keyed's; 0: none) or, in a zeroing
 * cache, by its free marker. O(1), as kfree_keyed finds the slab (inline in
 * the flat memmap's window): the object grid and one word. An object freed
 * otherwise (kfree, kmem_cache_free) passes, as ksize takes it.
 */
enum slab_resize slab_resize_check(const void *p, uintptr_t secret)
{
	uintptr_t off = (uintptr_t)p - memmap_win_start;
	const struct page *page, *head;

	if (unlikely(off >= memmap_win_size))
		return resize_check_sectioned(p, secret);
	page = memmap_win_map + (off >> PAGE_SHIFT);
	if (!PageSlab(page))
		return SLAB_RESIZE_NOT_SLAB;
	return resize_verdict(page->slab_cache, p, window_object_offset(page, off, &head), secret);
}

static __attribute__((noinline)) void zone_refused(struct kmem_cache *c, gfp_t gfp)
{
	if (__atomic_fetch_add(&c->nr_zone_refused, 1, __ATOMIC_RELAXED) == 0) {
		kprintf("slab: cache %s: gfp 0x%x asks for %s, which the cache's slabs do not "
			"come from (no SLAB_CACHE_%s): refused\n", c->name, gfp,
			gfp_zone_text(gfp), gfp & __GFP_DMA ? "DMA" : "DMA32");
		warn_slowpath(__FILE__, __LINE__, "kmem_cache_alloc: a zone the cache cannot honour");
	}
}

void *kmem_cache_alloc_gfp(struct kmem_cache *c, gfp_t gfp, unsigned long caller)
{
	void *obj;

	if (unlikely(!gfp_zone_satisfies(c->allocflags, gfp))) {
		zone_refused(c, gfp);
		return NULL;
	}
	/* Every object of the cache is in its zone: the zone bits have done
	 * their part. kmem_cache_alloc's steps, the slow path told who asked. */
	obj = magazine_pop(c->pcpu_off);
	if (!obj)
		obj = kmem_cache_alloc_slow(c, gfp & ~(__GFP_ZERO | GFP_ZONEMASK),
					    caller ? caller : RET_IP);
	obj = kasan_slab_alloc(c, obj);
	if (obj && (gfp & __GFP_ZERO))
		memset(obj, 0, c->object_size);
	return obj;
}


void *kmem_cache_zalloc(struct kmem_cache *c, gfp_t gfp)
{
	return kmem_cache_alloc_gfp(c, gfp | __GFP_ZERO, 0);
}

int kmem_cache_alloc_bulk(struct kmem_cache *c, gfp_t gfp, size_t nr, void **p)
{
	for (size_t i = 0; i < nr; i++) {
		p[i] = kmem_cache_alloc_track_caller(c, gfp, RET_IP);
		if (unlikely(!p[i])) {
			kmem_cache_free_bulk(c, i, p);
			return 0;
		}
	}
	return (int)nr;
}

void kmem_cache_free_bulk(struct kmem_cache *c, size_t nr, void **p)
{
	for (size_t i = 0; i < nr; i++) {
		if (c) /* (an object @c borrowed goes back to its lender) */
			kmem_cache_free_from(kmem_cache_owner(c, p[i]), p[i], RET_IP);
		else
			kfree_track_caller(p[i], RET_IP);
	}
}

unsigned int kmem_cache_size(const struct kmem_cache *c)
{
	return c->object_size;
}

/* Empty this hart's magazine and the depot and give back every free slab
 * (lock held, interrupts masked); pages released. */
static unsigned long shrink_locked(struct kmem_cache *c)
{
	struct slab_cpu *m = this_mag_cpu(c);

	if (magazine_real(m))
		flush_magazine(c, m, magazine_count(c, m), false);
	drain_depot(c, c->depot_avail);
	return reap_free_slabs(c, 0);
}

unsigned long kmem_cache_free_beyond_rule(struct kmem_cache *c)
{
	unsigned long flags = irq_save();
	unsigned long pages;

	spin_lock(&c->lock);
	pages = trim_free_slabs(c);
	spin_unlock(&c->lock);
	irq_restore(flags);
	return pages;
}

unsigned long kmem_cache_drain_hart(struct kmem_cache *c)
{
	unsigned long flags = irq_save();
	struct slab_cpu *m = this_mag_cpu(c);
	unsigned long pages;

	spin_lock(&c->lock);
	if (magazine_real(m) && magazine_count(c, m))
		flush_magazine(c, m, (magazine_count(c, m) + 4) / 5, false);
	drain_depot(c, (c->depot_avail + 4) / 5);
	pages = trim_free_slabs(c);
	spin_unlock(&c->lock);
	irq_restore(flags);
	return pages;
}

unsigned long kmem_cache_shrink(struct kmem_cache *c)
{
	unsigned long flags;
	unsigned long pages;

	kasan_cache_drain(c); /* (the KASAN kernel) its quarantined objects */
	if (unlikely(c->flags & SLAB_SLOB))
		return slob_cache_shrink(c);
	flags = irq_save();
	spin_lock(&c->lock);
	pages = shrink_locked(c);
	spin_unlock(&c->lock);
	irq_restore(flags);
	return pages;
}

/*
 * The slab shrinker (registered by slab_init): when the page allocator is
 * about to fail, every cache it can lock without waiting flushes this
 * hart's magazine and gives back all its free slabs. A cache whose lock is
 * held (the one growing, when a refill ran out of pages) is skipped. Other
 * harts' magazines are only touched by their own hart: reclaim asks them
 * (mm/reclaim.c), and they empty them with slab_cache_reap. The metadata
 * heap keeps its idle page: kmem_cache_create then still works when
 * reclaim has taken everything else.
 */
static unsigned long slab_shrink_scan(gfp_t gfp)
{
	unsigned long flags = irq_save(), pages = 0;
	struct list_head *pos;

	(void)gfp;
	if (!spin_trylock(&chain_lock)) {
		irq_restore(flags);
		return 0;
	}
	list_for_each(pos, &cache_chain) {
		struct kmem_cache *c = list_entry(pos, struct kmem_cache, chain);

		if (!spin_trylock(&c->lock))
			continue;
		pages += shrink_locked(c);
		spin_unlock(&c->lock);
	}
	spin_unlock(&chain_lock);
	irq_restore(flags);
	return pages;
}

struct shrinker slab_shrinker = { .name = "slab", .scan = slab_shrink_scan };

/*
 * Linux 2.6.20's cache_reap and drain_array, for the running hart (the
 * contract is in mm/reclaim.h; mm/reclaim.c calls it from each hart's tick,
 * and with @all to carry out another hart's request to empty the magazines).
 * Linux skips an array its hart touched since the last run; rvmm's fast
 * paths keep no such mark, so every run takes its share. Locks are only
 * tried: a tick never waits, and may run inside an allocation's slow path.
 */
void slab_cache_reap(bool all, struct slab_reap_stats *r)
{
	unsigned long flags = irq_save();
	struct list_head *pos;

	if (!spin_trylock(&chain_lock)) {
		r->skipped++;
		irq_restore(flags);
		return;
	}
	list_for_each(pos, &cache_chain) {
		struct kmem_cache *c = list_entry(pos, struct kmem_cache, chain);
		struct slab_cpu *m = this_mag_cpu(c);
		long have, n;

		if (!spin_trylock(&c->lock)) {
			r->skipped++;
			continue;
		}
		have = magazine_real(m) ? magazine_count(c, m) : 0;
		n = all ? have : (long)(c->limit + 4) / 5;
		if (n > have)
			n = (have + 1) / 2;
		if (n) {
			flush_magazine(c, m, n, false);
			r->objects += (unsigned long)n;
		}
		/* the depot likewise (2.6.20 drained the shared array too) */
		n = all ? c->depot_avail : (c->depot_avail + 4) / 5;
		if (n) {
			drain_depot(c, n);
			r->objects += (unsigned long)n;
		}
		/* free slabs: all of them on request, else beyond the rule */
		r->pages += all ? reap_free_slabs(c, 0) : trim_free_slabs(c);
		spin_unlock(&c->lock);
	}
	spin_unlock(&chain_lock);
	irq_restore(flags);
}

/* ============================ cache setup ================================ */

static unsigned int calculate_alignment(unsigned long flags, size_t align, size_t size)
{
	if (flags & SLAB_HWCACHE_ALIGN) {
		size_t ralign = SLAB_CACHE_LINE;

		while (size <= ralign / 2)
			ralign /= 2;
		align = MAX(align, ralign);
	}
	return (unsigned int)MAX(align, sizeof(void *));
}

/*
 * The largest power of two every object's address is a multiple of: an
 * object lies at a page-aligned slab base + colour * colour_off + red_left
 * + index * size, so the lowest bit set in any of those terms (colour_off
 * only when a slab has more than one colour). kmalloc's power-of-two
 * classes (aligned to their size, no colour) get their size, up to a page.
 */
static unsigned long object_grid(const struct kmem_cache *c)
{
	unsigned long terms = c->size | c->red_left | PAGE_SIZE;

	if (c->colours > 1)
		terms |= c->colour_off;
	return terms & -terms;
}

_Static_assert(SLAB_MAX_ORDER == 3 || SLAB_MAX_ORDER == 4, "slabs of 32 or 64 KiB");
/* The least objects a slab holds where an order up to SLAB_MAX_ORDER wastes
 * at most 1/16 with them: 1 in the kernel (the smallest such order, for
 * memory), more in the malloc library (Makefile), where a program building
 * its data grows a slab per that many objects. */
#ifndef SLAB_MIN_OBJECTS
#define SLAB_MIN_OBJECTS 1u
#endif
#define SLAB_TOO_BIG (SLAB_MAX_ORDER == 3 ? "size above the largest slab (32 KiB)" \
					  : "size above the largest slab (64 KiB)")

/* Object layout (see the file comment) and slab geometry. */
static int setup_geometry(struct kmem_cache *c)
{
	unsigned long size = ALIGN_UP((unsigned long)c->object_size, sizeof(void *));
	unsigned int best = 0, best_waste_pct = 101;

	c->red_left = (c->flags & SLAB_RED_ZONE) ? MAX(RED_SIZE, c->align) : 0;
	if (c->flags & SLAB_RED_ZONE)
		size += RED_SIZE;
	/* The free link: inside the object unless its contents must survive
	 * while free (constructor, poison, red zone checks). */
	if (c->ctor || (c->flags & (SLAB_POISON | SLAB_RED_ZONE))) {
		c->fp_offset = (unsigned int)size;
		size += sizeof(void *);
	} else {
		c->fp_offset = 0;
	}
	c->track_offset = (unsigned int)size;
	if (c->flags & SLAB_STORE_USER)
		size += 2 * sizeof(struct slab_track);
	c->size = (unsigned int)ALIGN_UP(size + c->red_left, c->align);
	for (unsigned int order = 0; order <= SLAB_MAX_ORDER; order++) {
		unsigned long bytes = PAGE_SIZE << order, objs = bytes / c->size;
		unsigned int waste_pct;

		if (!objs)
			continue;
		waste_pct = (unsigned int)((bytes - objs * c->size) * 100 / bytes);
		if (waste_pct < best_waste_pct) {
			best_waste_pct = waste_pct;
			best = order;
		}
		if ((bytes - objs * c->size) * 16 <= bytes && objs >= SLAB_MIN_OBJECTS) {
			best = order;
			best_waste_pct = waste_pct;
			break;
		}
	}
	if (best_waste_pct > 100 || (PAGE_SIZE << best) / c->size > 0xffff)
		return -EINVAL;
	c->order = best;
	c->objs_per_slab = (unsigned int)(slab_bytes(c) / c->size);
	c->colour_off = MAX(SLAB_CACHE_LINE, c->align);
	c->colours = (unsigned int)((slab_bytes(c) - c->objs_per_slab * c->size) / c->colour_off) + 1;
	c->reciprocal = slab_reciprocal(c->size);
	c->obj_mask = object_grid(c) - 1;
	c->free_mask = c->lend_table ? ~0ul : c->obj_mask;
	return 0;
}

/*
 * Magazine capacity unless tuned (kmem_cache_tune): Linux SLAB's counts
 * (120 objects up to 256 bytes, 54 to 1 KiB, 24 to a page, 8 beyond),
 * capped so that a magazine holds at most SLAB_MAGAZINE_BYTES of objects
 * (at least SLAB_MAGAZINE_MIN of them): what a hart keeps idle grows with
 * the object size only that far. An object of a page or more already fills
 * the cap alone: its magazine holds one (a kmalloc + kfree pair still stays
 * on the fast path; the memory each cached object pins is what matters, see
 * docs/benchmarks.md, "Slab memory"). Debug caches, failslab's targets and
 * caches that got no per-hart slot get none. The malloc library builds
 * with 16 KiB (Makefile, MSCFLAGS): its threads meet on the slow paths.
 */
#ifndef SLAB_MAGAZINE_BYTES
#define SLAB_MAGAZINE_BYTES 4096u
#endif
#ifndef SLAB_MAGAZINE_MIN
#define SLAB_MAGAZINE_MIN 6u
#endif

static unsigned int magazine_limit(const struct kmem_cache *c)
{
	unsigned int s = c->size, linux_limit;

	if (c->flags & (SLAB_DEBUG_FLAGS | SLAB_FAILSLAB) || c->mag_off == PERCPU_RESERVED_OFF ||
	    (slab_meminit(c) && !zeroing_cache(c))) /* (init_on_*=: slab_debug.c's paths zero) */
		return 0;
	if (c->tuned_limit)
		return c->tuned_limit - 1;
	linux_limit = s > PAGE_SIZE ? 8 : s > 1024 ? 24 : s > 256 ? 54 : 120;
	return MIN(linux_limit, MAX(s >= PAGE_SIZE ? 1u : SLAB_MAGAZINE_MIN, SLAB_MAGAZINE_BYTES / s));
}

static unsigned int magazine_batch(const struct kmem_cache *c, unsigned int limit)
{
	return c->tuned_batch ? MIN(c->tuned_batch, limit) : (limit + 1) / 2;
}

/*
 * The depot's capacity: SLAB_DEPOT_BATCHES batches (2.6.20's sharedfactor,
 * which is 8 there on SMP; 2 here, since what the depot holds is memory
 * an embedded board does not have to spare), within the largest array the
 * metadata heap gives. Untuned: the two batches when they hold at most
 * SLAB_DEPOT_BYTES of objects, else one (a bounce between a full and an
 * empty magazine then still copies pointers instead of walking slabs), and
 * none for objects above SLAB_DEPOT_BYTES, each of which would pin more
 * than the whole cap.
 */
#ifndef SLAB_DEPOT_BATCHES
#define SLAB_DEPOT_BATCHES 2u
#endif
#ifndef SLAB_DEPOT_BYTES
#define SLAB_DEPOT_BYTES 4096u
#endif

static unsigned int default_depot_batches(const struct kmem_cache *c)
{
	unsigned long batch_bytes = (unsigned long)c->batch * c->size;

	if (!batch_bytes || c->size > SLAB_DEPOT_BYTES)
		return 0;
	return (unsigned int)MAX(1ul, MIN((unsigned long)SLAB_DEPOT_BATCHES,
					  SLAB_DEPOT_BYTES / batch_bytes));
}

static unsigned int depot_limit_for(const struct kmem_cache *c)
{
	unsigned int factor = c->tuned_shared ? c->tuned_shared - 1 : default_depot_batches(c);

	return MIN(factor * c->batch, SLAB_MAX_LIMIT);
}

/*
 * The free-slab rule, 2.6.20's free_limit: free objects in slabs are kept
 * up to (1 + harts online) * batch + objs_per_slab, enough for every hart
 * and the depot to refill once without a new slab, plus one slab's worth;
 * a free slab beyond that goes back to the page allocator when objects
 * return to the slabs. A cache without magazines keeps one slab's worth.
 * The harts are those online when the cache is made or tuned (caches made
 * before the other harts start count one).
 */
#ifndef SLAB_FREE_BATCHES
#define SLAB_FREE_BATCHES 1ul
#endif
static unsigned long free_limit_for(const struct kmem_cache *c)
{
	return (SLAB_FREE_BATCHES + nr_online_cpus()) * c->batch + c->objs_per_slab;
}

/* Give the depot back to the slabs and size it anew (lock held, or the
 * cache not yet on the chain). With no memory for the array, no depot
 * (and no warning: the cache works without one). */
static void resize_depot(struct kmem_cache *c)
{
	unsigned int limit = depot_limit_for(c);

	if (limit == c->depot_limit)
		return;
	drain_depot(c, c->depot_avail);
	if (c->depot) {
		slob_free(&meta_heap, c->depot, c->depot_limit * sizeof(void *));
		slab_account(0, -(long)(c->depot_limit * sizeof(void *)));
	}
	c->depot = NULL;
	c->depot_limit = 0;
	if (!limit)
		return;
	c->depot = slob_alloc(&meta_heap, limit * sizeof(void *), GFP_KERNEL | __GFP_NOWARN, 0);
	if (c->depot) {
		c->depot_limit = limit;
		slab_account(0, (long)(limit * sizeof(void *)));
	}
}

/* Give every hart's magazine back and size them, the depot and the rule
 * anew (lock held). */
static void resize_magazines(struct kmem_cache *c)
{
	unsigned int limit = magazine_limit(c);

	if (limit != c->limit)
		for (unsigned int cpu = 0; cpu < MAX_HARTS; cpu++)
			release_magazine(c, cpu_slab(c, cpu));
	c->limit = limit;
	c->batch = magazine_batch(c, limit);
	resize_depot(c);
	c->free_limit = free_limit_for(c);
	trim_free_slabs(c);
}

/* Every hart's pair for the cache in a per-hart slot of its own; with no
 * slot left, the shared slot 0 (always empty) and no magazines. */
static void setup_magazines(struct kmem_cache *c)
{
	long off = percpu_alloc();

	if (off < 0)
		kprintf("slab: cache %s: every per-hart slot is taken: no magazines, every "
			"operation takes the cache lock\n", c->name);
	c->mag_off = off >= 0 ? (unsigned long)off : PERCPU_RESERVED_OFF;
	/* (a zeroing cache's inline paths miss, so its slow paths see every
	 * operation) */
	c->pcpu_off = zeroing_cache(c) ? PERCPU_RESERVED_OFF : c->mag_off;
	c->limit = magazine_limit(c);
	c->batch = magazine_batch(c, c->limit);
	resize_depot(c);
	c->free_limit = free_limit_for(c);
	if (c->mag_off != PERCPU_RESERVED_OFF)
		for (unsigned int cpu = 0; cpu < MAX_HARTS; cpu++)
			cpu_slab(c, cpu)->top = cpu_slab(c, cpu)->end = EMPTY_END;
}

/* A descriptor's bytes: a SLOB-model cache's state follows it. */
static size_t desc_bytes(unsigned long flags)
{
	return sizeof(struct kmem_cache) + (flags & SLAB_SLOB ? sizeof(struct slob_cache) : 0);
}

_Static_assert(SLAB_NAME_LEN == 32, "kmem_cache_create's message names the limit");

struct kmem_cache *kmem_cache_create_dtor(const char *name, size_t size, size_t align,
					  unsigned long flags, void (*ctor)(void *),
					  void (*dtor)(void *))
{
	struct kmem_cache *c;
	unsigned long irq;
	const char *bad = !name ? "no name"
			: strlen(name) >= SLAB_NAME_LEN ? "name longer than 31 characters" /* (SLAB_NAME_LEN - 1) */
			: size == 0 ? "size 0"
			: size > (PAGE_SIZE << SLAB_MAX_ORDER) ? SLAB_TOO_BIG
			: (align & (align - 1)) ? "alignment not a power of two"
			: align > PAGE_SIZE ? "alignment above a page"
			: (flags & SLAB_SLOB) && (flags & SLAB_NOSLOB) ? "both SLAB_SLOB and SLAB_NOSLOB"
			: NULL;

	if (unlikely(!slab_up))
		mm_called_before_init("kmem_cache_create");
	if (bad) {
		kprintf("kmem_cache_create(%s, size %zu, align %zu): %s\n", name ? name : "NULL", size,
			align, bad);
		return NULL;
	}
	if (slab_slob_default && !(flags & SLAB_NOSLOB))
		flags |= SLAB_SLOB; /* slab=slob */
	c = slob_alloc(&meta_heap, desc_bytes(flags),
		       GFP_KERNEL | __GFP_ZERO | (flags & SLAB_CREATE_NOWARN ? __GFP_NOWARN : 0), 0);
	if (!c) {
		if (!(flags & SLAB_CREATE_NOWARN))
			kprintf("kmem_cache_create(%s): no memory for the descriptor\n", name);
		return NULL;
	}
	kstrlcpy(c->name, name, sizeof(c->name));
	if (flags & SLAB_SLOB)
		c->slob = (struct slob_cache *)(c + 1);
	c->flags = (flags & ~(SLAB_FAILSLAB | SLAB_NOSLOB | SLAB_CREATE_NOWARN)) | slab_debug_flags_for(c->name) |
		   (failslab_targets(c->name) ? SLAB_FAILSLAB : 0);
	c->object_size = (unsigned int)size;
	c->align = calculate_alignment(c->flags, align, size);
	c->ctor = ctor;
	c->dtor = dtor;
	c->random = get_random_u64();
	c->allocflags = (flags & SLAB_CACHE_DMA)     ? __GFP_DMA
			: (flags & SLAB_CACHE_DMA32) ? __GFP_DMA32
						     : 0;
	c->full.first = c->partial.first = c->free.first = SLAB_NIL;
	if (c->flags & SLAB_SLOB ? slob_cache_init(c) : setup_geometry(c)) {
		kprintf("kmem_cache_create(%s, size %zu, align %zu): with its debug layout an object "
			"does not fit a slab of at most %lu KiB\n", name, size, align,
			(PAGE_SIZE << SLAB_MAX_ORDER) >> 10);
		slob_free(&meta_heap, c, desc_bytes(c->flags));
		return NULL;
	}
	if (!(c->flags & SLAB_SLOB))
		setup_magazines(c);
	slab_account(0, (long)desc_bytes(c->flags));
	irq = spin_lock_irqsave(&chain_lock);
	list_add_tail(&c->chain, &cache_chain);
	spin_unlock_irqrestore(&chain_lock, irq);
	return c;
}

struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align,
				     unsigned long flags, void (*ctor)(void *))
{
	return kmem_cache_create_dtor(name, size, align, flags, ctor, NULL);
}

/* Is @c a cache on the chain (made and not yet destroyed)? Compares
 * addresses only: a destroyed descriptor is never read. */
static bool cache_is_live(const struct kmem_cache *c)
{
	unsigned long irq = spin_lock_irqsave(&chain_lock);
	struct list_head *pos;
	bool live = false;

	list_for_each(pos, &cache_chain)
		live = live || pos == &c->chain;
	spin_unlock_irqrestore(&chain_lock, irq);
	return live;
}

void kmem_cache_destroy(struct kmem_cache *c)
{
	unsigned long irq, left;

	if (!c)
		return;
	if (!cache_is_live(c)) { /* destroyed already, or never a cache */
		slab_errors++;
		kprintf("slab error: kmem_cache_destroy(%p): not a cache (destroyed already?): ignored\n", (void *)c);
		return;
	}
	kasan_cache_drain(c); /* (the KASAN kernel) its quarantined objects */
	kfence_forget_cache(c); /* its live KFENCE objects are reported */
	irq = spin_lock_irqsave(&chain_lock);
	list_del(&c->chain);
	spin_unlock_irqrestore(&chain_lock, irq);
	if (unlikely(c->flags & SLAB_SLOB)) {
		size_t bytes = desc_bytes(c->flags); /* (read before SLOB has the descriptor back) */

		if (slob_cache_release(c))
			return; /* reported; the descriptor stays for late frees */
		slob_free(&meta_heap, c, bytes);
		slab_account(0, -(long)bytes);
		return;
	}

	irq = irq_save();
	spin_lock(&c->lock);
	for (unsigned int cpu = 0; cpu < MAX_HARTS; cpu++)
		release_magazine(c, cpu_slab(c, cpu));
	c->batch = 0; /* no depot: its objects back to the slabs, its array freed */
	resize_depot(c);
	reap_free_slabs(c, 0);
	left = kmem_cache_objects_out(c);
	if (c->mag_off != PERCPU_RESERVED_OFF) {
		/* A late kfree into a kept descriptor must not reach the
		 * slot's next owner: point it at the shared empty slot first. */
		unsigned long off = c->mag_off;

		c->pcpu_off = c->mag_off = PERCPU_RESERVED_OFF;
		c->limit = 0;
		percpu_free(off);
	}
	spin_unlock(&c->lock);
	irq_restore(irq);
	if (left) {
		/* Their slabs still name this descriptor: keep it (leaked) so a
		 * late kfree of such an object stays safe. */
		kprintf("kmem_cache_destroy: cache %s: %lu objects still allocated; "
			"their slabs are left in place\n", c->name, left);
		return;
	}
	slob_free(&meta_heap, c, sizeof(*c));
	slab_account(0, -(long)sizeof(*c));
}

void kmem_cache_set_failslab(struct kmem_cache *c, bool on)
{
	unsigned long irq = irq_save();

	spin_lock(&c->lock);
	c->flags = on ? c->flags | SLAB_FAILSLAB : c->flags & ~SLAB_FAILSLAB;
	if (magazine_limit(c) != c->limit)
		resize_magazines(c);
	spin_unlock(&c->lock);
	irq_restore(irq);
}

unsigned long kmem_cache_shrink_all(void)
{
	unsigned long irq = spin_lock_irqsave(&chain_lock), pages = 0;
	struct list_head *pos;

	list_for_each(pos, &cache_chain)
		pages += kmem_cache_shrink(list_entry(pos, struct kmem_cache, chain));
	spin_unlock_irqrestore(&chain_lock, irq);
	return pages;
}

int kmem_cache_tune(struct kmem_cache *c, unsigned int limit, unsigned int batch)
{
	return kmem_cache_tune_shared(c, limit, batch, SLAB_SHARED_DEFAULT);
}

bool kmem_cache_tunables_valid(unsigned int limit, unsigned int batch, unsigned int shared)
{
	return limit <= SLAB_MAX_LIMIT && (limit ? batch && batch <= limit : !batch) &&
	       (shared == SLAB_SHARED_DEFAULT || (unsigned long)shared * batch <= SLAB_MAX_LIMIT);
}

int kmem_cache_tune_shared(struct kmem_cache *c, unsigned int limit, unsigned int batch,
			   unsigned int shared)
{
	unsigned long irq;

	if ((c->flags & SLAB_SLOB) || /* (no magazines to tune) */
	    !kmem_cache_tunables_valid(limit, batch, shared))
		return -EINVAL;
	irq = irq_save();
	spin_lock(&c->lock);
	c->tuned_limit = limit + 1;
	c->tuned_batch = batch;
	c->tuned_shared = shared == SLAB_SHARED_DEFAULT ? 0 : shared + 1;
	resize_magazines(c);
	spin_unlock(&c->lock);
	irq_restore(irq);
	return 0;
}

struct kmem_cache *kmem_cache_find(const char *name)
{
	unsigned long irq = spin_lock_irqsave(&chain_lock);
	struct kmem_cache *found = NULL;
	struct list_head *pos;

	list_for_each(pos, &cache_chain) {
		struct kmem_cache *c = list_entry(pos, struct kmem_cache, chain);

		if (strcmp(c->name, name) == 0) {
			found = c;
			break;
		}
	}
	spin_unlock_irqrestore(&chain_lock, irq);
	return found;
}

/* ============================ the chain ================================== */

void slab_for_each_cache(void (*fn)(struct kmem_cache *c, void *arg), void *arg)
{
	unsigned long irq = spin_lock_irqsave(&chain_lock);
	struct list_head *pos;

	list_for_each(pos, &cache_chain)
		fn(list_entry(pos, struct kmem_cache, chain), arg);
	spin_unlock_irqrestore(&chain_lock, irq);
}
