/*
 * slab_slob.c - the SLOB model of kmem_cache: object caches served from
 * kmalloc's SLOB heap, as Linux 2.6.20 built kmem_cache_alloc with
 * CONFIG_SLOB. Chosen per cache (SLAB_SLOB) or for every cache (slab=slob);
 * the kmalloc-N caches stay slab caches (SLAB_NOSLOB).
 *
 * How it works. A cache of this model is a descriptor and nothing else: no
 * slabs, no magazines, no depot. kmem_cache_alloc asks SLOB for a block:
 *   - objects that fit a SLOB block with their alignment (size plus, above
 *     16-byte alignment, the alignment and a minimum block of slack, at
 *     most slob_kmalloc_max: 4076 bytes on segfit) are blocks of the heap,
 *     sharing its pages with kmalloc and every other such cache;
 *   - bigger ones are bigblocks of exactly the pages they need (slob_big_alloc), as
 *     2.6.20 took __get_free_pages for objects of a page or more.
 * Which SLOB path (kmalloc_path). On a segfit heap, a plain object (no red
 * zone or tracks around it) whose alignment kmalloc of its size gives (its
 * own size for a power of two, ARCH_KMALLOC_MINALIGN for anything else) is
 * a kmalloc block of the heap: slob_kmalloc and slob_kfree, the heap's fast
 * paths (a size page's object for a power of two, with no header; a parked
 * block when one of its size waits). So is a plain object with a larger
 * alignment (SLAB_HWCACHE_ALIGN's cache line, an explicit one) when the
 * power of two that covers its size and alignment is no bigger than the
 * aligned block it would take otherwise (pow2_block: 192 bytes at 64 take
 * a 256-byte size page object). Any other block is slob_alloc(heap,
 * size, gfp, align), first fit at the alignment, given back by slob_free,
 * which merges it at once; so is every block while KFENCE samples the
 * heap's kmalloc (slob_kmalloc's other path could hand out a KFENCE
 * object, which is not in the heap). The free picks its call by the cache,
 * and either call frees a block of either kind.
 * The heap is kmalloc's heap of the cache's zone: kmalloc_heap, or the
 * kmalloc-dma32 / kmalloc-dma heap for SLAB_CACHE_DMA32 / SLAB_CACHE_DMA
 * caches (every page of a zone heap comes from its zone, so every object
 * does). kmem_cache_free gives the block back (slob_free / slob_big_free).
 *
 * Constructor and destructor as 2.6.20's SLOB called them: the constructor
 * on every allocation, the destructor on every free (the slab model runs
 * them once per object when a slab is made and given back). Code written
 * for the slab model's contract (objects freed in constructed state) is
 * right here too; it only sees its constructor run more often.
 *
 * The per-hart pair of such a cache is the shared empty one
 * (PERCPU_RESERVED_OFF), so both inline fast paths of include/mm/slab.h
 * fall through to kmem_cache_alloc_slow / kmem_cache_free_slow, and, having
 * no magazine, to their branch for caches without one, which sends the
 * cache here on one test of SLAB_SLOB: slab caches with magazines pay
 * nothing, not even on a refill or flush.
 *
 * Checks. Every free is checked against what SLOB can tell: the pointer is
 * in a page of the cache's heap (PGTY_SLOB, page->priv the heap) at the
 * cache's alignment, or the head of one of its bigblocks of the cache's
 * order; on a segfit heap it is also the payload of a live block at least
 * the cache's size (slob_ksize), which catches a double free unless the
 * block was handed out again. A failed check is reported as slab_debug
 * reports ("slab error: cache NAME: object ADDR: ...") and the free is
 * dropped. A classic heap's blocks have no header: only the page and the
 * alignment can be checked there, as in 2.6.20.
 * slab_debug flags, where SLOB lets them work:
 *   Z  red zones before and after the object (layout as the slab model's:
 *      [left red zone][object][right red zone][alloc track][free track]),
 *      RED_ACTIVE while the object is out, checked at its free;
 *   P  a freed object is poisoned (after its destructor) and held, up to
 *      SLOB_CACHE_HOLD of them, before SLOB gets it back; the oldest held
 *      object is what the next allocation takes, and its poison and
 *      inactive red zones are checked then (a use after free), as they are
 *      when it leaves the hold for SLOB and by kmem_cache_check; a free of
 *      a held object is a double free;
 *   U  who last allocated and freed the object, printed with its reports;
 *   F  the checks above are always on.
 * A free block belongs to SLOB again (its links, other users), so without
 * the hold nothing can be checked after the free.
 *
 * kfree of such an object is not supported, as in 2.6.20 (kfree sees a
 * SLOB block of kmalloc's heap: on segfit it frees the block without the
 * cache knowing, so kmem_cache_destroy later reports it as a leak; on
 * classic it is reported as a bad kfree). Free them with kmem_cache_free.
 *
 * Counters: live objects (kmem_cache_objects_out), their peak, allocations
 * and frees; slabinfo estimates the pages from them (slob_cache_pages) and
 * slobinfo lists the bytes each cache holds.
 *
 * Locking: the counters are atomic (the peak is a relaxed maximum: exact
 * on one hart); c->lock (interrupts masked) guards the hold, so only
 * SLAB_POISON caches take it. SLOB takes its heap lock itself;
 * constructors, destructors and the debug checks run with no lock held,
 * and, like every slow path of the slab model (its constructors included),
 * with this hart's interrupts masked by kmem_cache_alloc_slow / _free_slow.
 * Cost (make bench, bench kmem_cache): a pair is SLOB's kmalloc + kfree (or
 * slob_alloc + slob_free) plus the slab slow paths' entry (about 120
 * instructions: kmem_cache_alloc_slow's frame is the slab refill's), the
 * checks of the free and the counters: about 414 instructions for a power
 * of two and 428 for other sizes. A cache without debug flags takes the
 * short paths (one test of the flags; the checks find the block's page
 * once and ask SLOB about it there, slob_ksize_in); this file is built
 * without a frame pointer, as SLOB's are (500 and 513 with the frames,
 * the debug tests and the lookups done twice; 770 when every object was a
 * slob_alloc block).
 */
#include <lib/cmdline.h>
#include <lib/kstring.h>
#include <mm/kfence.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/percpu.h>
#include <mm/port.h>
#include <mm/slab.h>
#include <mm/slab_slob.h>
#include <mm/slob.h>

#include "slab_internal.h"
#include "internal.h"

bool slab_slob_default;

static int slab_param(const char *value)
{
	if (value && strcmp(value, "slob") == 0)
		slab_slob_default = true;
	else if (value && strcmp(value, "slab") == 0)
		slab_slob_default = false;
	else
		return -EINVAL;
	return 0;
}
KPARAM("slab", slab_param, "slab=slob|slab  the model of kmem_cache caches (kmalloc-N stay slab)");

/* ============================== layout =================================== */

/* Alignment SLOB gives without being asked (segfit's and classic's
 * granule); above it the aligned first fit may leave a gap before the
 * block, which needs room for a free block in the worst case. */
#define SLOB_NATURAL_ALIGN 16u
#define SLOB_GAP_SLACK 32u

static inline char *block_of(const struct kmem_cache *c, const void *obj)
{
	return (char *)obj - c->red_left;
}

/* The right red zone: [object_size, fp_offset) (fp_offset is its end in
 * this model, where no free link exists). */
static inline unsigned int red_right(const struct kmem_cache *c)
{
	return c->fp_offset - c->object_size;
}

/* Can the cache's objects be kmalloc blocks of its heap? Plain objects
 * (the block is the object: no red zone or tracks around it) of a size
 * kmalloc serves from the heap's pages, at an alignment kmalloc gives. */
static bool kmalloc_serves(const struct kmem_cache *c, const struct slob_heap *h)
{
	return h->mode == SLOB_SEGFIT && c->size == c->object_size && c->red_left == 0 &&
	       c->size <= SLOB_SEG_KMALLOC_MAX &&
	       c->align <= MAX(kmalloc_align(c->size), (size_t)ARCH_KMALLOC_MINALIGN);
}

/*
 * A plain object whose alignment kmalloc of its size does not give (a
 * larger explicit alignment, or SLAB_HWCACHE_ALIGN's cache line) asks
 * SLOB for a power-of-two kmalloc block instead, aligned to its size, when
 * that is no bigger than the aligned block it would take otherwise (its
 * payload and header rounded up to the alignment: such blocks pack no
 * closer): 192 bytes at 64 take 256 either way, 24 at 32 take 32, but
 * kmalloc's pair on the heap costs half of slob_alloc's aligned first fit
 * and its free (bench kmem_cache: 849 instructions a pair before). Returns
 * that size, or 0 (600 bytes at 64: 640 packed, 1024 as a power of two).
 */
static unsigned int pow2_block(const struct kmem_cache *c, const struct slob_heap *h)
{
	unsigned long p = SLOB_NATURAL_ALIGN;

	if (h->mode != SLOB_SEGFIT || c->size != c->object_size || c->red_left)
		return 0;
	while (p < c->size || p < c->align)
		p <<= 1;
	return p <= SLOB_SEG_KMALLOC_MAX && p <= ALIGN_UP(c->size + SLOB_SEG_HDR, c->align) ? (unsigned int)p
											 : 0;
}

static bool fits_block(const struct slob_heap *h, unsigned long size, unsigned int align)
{
	unsigned long need = size + (align > SLOB_NATURAL_ALIGN ? align + SLOB_GAP_SLACK : 0);

	return need <= slob_kmalloc_max(h);
}

int slob_cache_init(struct kmem_cache *c)
{
	struct slob_cache *s = c->slob;
	unsigned long size = ALIGN_UP((unsigned long)c->object_size, sizeof(void *));
	unsigned int pow2;

	c->red_left = (c->flags & SLAB_RED_ZONE) ? MAX(RED_SIZE, c->align) : 0;
	if (c->flags & SLAB_RED_ZONE)
		size += RED_SIZE;
	c->fp_offset = (unsigned int)size; /* end of the right red zone */
	c->track_offset = (unsigned int)size;
	if (c->flags & SLAB_STORE_USER)
		size += 2 * sizeof(struct slab_track);
	/* What each object asks of SLOB: the object alone, or its debug layout. */
	c->size = (c->flags & (SLAB_RED_ZONE | SLAB_STORE_USER)) ? (unsigned int)(size + c->red_left)
								 : c->object_size;
	s->heap = kmalloc_heap_of_zone(c->allocflags);
	if (!s->heap)
		return -ENOMEM;
	s->big = !fits_block(s->heap, c->size, c->align);
	s->kmalloc_path = !s->big && kmalloc_serves(c, s->heap);
	if (!s->big && !s->kmalloc_path && (pow2 = pow2_block(c, s->heap)) != 0) {
		c->size = pow2; /* (what each object asks of SLOB) */
		s->kmalloc_path = true;
	}
	s->big_order = s->big ? get_order(c->size) : 0;
	if (s->big_order >= MAX_ORDER)
		return -EINVAL;
	/* No slabs and no magazines: the shared empty pair on every hart. */
	c->pcpu_off = c->mag_off = PERCPU_RESERVED_OFF;
	c->order = s->big_order;
	c->objs_per_slab = 0;
	c->limit = c->batch = 0;
	return 0;
}

/* The pages of one bigblock object: exactly those its bytes need
 * (slob_big_alloc; c->size is a multiple of c->align). */
static unsigned long big_pages(const struct kmem_cache *c)
{
	return ((unsigned long)c->size + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

/* ============================ the checks ================================= */

static inline struct slab_track *tracks(const struct kmem_cache *c, void *obj)
{
	return (struct slab_track *)((char *)obj + c->track_offset);
}

/* slab_report, and with SLAB_STORE_USER who last allocated and freed the
 * object (@known: obj is one of the cache's objects, its tracks readable). */
static void report(struct kmem_cache *c, void *obj, const char *what, const u8 *bytes,
		   unsigned int off, bool known)
{
	slab_report(c, obj, what, bytes, off);
	if (known && (c->flags & SLAB_STORE_USER)) {
		slab_print_track("last allocated", &tracks(c, obj)[0]);
		slab_print_track("last freed", &tracks(c, obj)[1]);
	}
}

static void set_track(struct kmem_cache *c, void *obj, int which, unsigned long caller)
{
	tracks(c, obj)[which].caller = caller;
	tracks(c, obj)[which].cpu = this_cpu();
	tracks(c, obj)[which].when_ms = (u32)(time_now_us() / 1000);
}

/* What a check does with what it finds: report it (an error, counted) and
 * then set the red zones (an allocation taking a held object, a free);
 * report it (a held object going back to SLOB); or print it as
 * kmem_cache_check prints problems, counting no error. */
enum check_how { REPORT_AND_SET, REPORT, CHECKER };

/* Check a red zone holds @want (report the first bad byte), then set it
 * (REPORT_AND_SET, and on the free path). */
static bool check_red(struct kmem_cache *c, void *obj, u8 *zone, unsigned int n, u8 want, u8 set,
		      const char *what, enum check_how how)
{
	const u8 *bad = memchr_inv(zone, want, n);

	if (bad && how == CHECKER)
		kprintf("kmem_cache_check: %s: %p: %s\n", c->name, obj, what);
	else if (bad)
		report(c, obj, what, bad, (unsigned int)(bad - (const u8 *)obj), true);
	if (how == REPORT_AND_SET)
		memset(zone, set, n);
	return !bad;
}

static void set_red(struct kmem_cache *c, void *obj, u8 v)
{
	memset((char *)obj - c->red_left, v, c->red_left);
	memset((char *)obj + c->object_size, v, red_right(c));
}

static void poison(const struct kmem_cache *c, void *obj)
{
	memset(obj, POISON_FREE, c->object_size - 1);
	((u8 *)obj)[c->object_size - 1] = POISON_END;
}

/*
 * A held (freed, poisoned) object is checked: its poison and inactive red
 * zones; see enum check_how for who asks. Returns the problems found.
 */
static int check_held(struct kmem_cache *c, void *obj, enum check_how how)
{
	static const char uaf[] = "use after free: a free object was written to";
	unsigned int at;
	int bad = 0;

	if (c->flags & SLAB_RED_ZONE) {
		bad += !check_red(c, obj, (u8 *)obj - c->red_left, c->red_left, RED_INACTIVE,
				  RED_ACTIVE, "red zone before a free object overwritten", how);
		bad += !check_red(c, obj, (u8 *)obj + c->object_size, red_right(c), RED_INACTIVE,
				  RED_ACTIVE, "red zone after a free object overwritten", how);
	}
	if (!slab_poisoned(c, obj, &at)) {
		if (how == CHECKER)
			kprintf("kmem_cache_check: %s: %p: %s\n", c->name, obj, uaf);
		else
			report(c, obj, uaf, (u8 *)obj + at, at, true);
		bad++;
	}
	return bad;
}

static bool held(const struct slob_cache *s, const void *obj)
{
	for (unsigned int i = 0; i < s->hold_count; i++)
		if (s->hold[(s->hold_first + i) % SLOB_CACHE_HOLD] == obj)
			return true;
	return false;
}

/* The struct page of obj's block when obj is in the cache's memory as
 * SLOB sees it (see the file comment), else NULL. */
static __attribute__((always_inline)) inline struct page *cache_page(struct kmem_cache *c, const void *obj)
{
	struct slob_cache *s = c->slob;
	char *blk = block_of(c, obj);
	struct page *page;

	if ((uintptr_t)obj < PAGE_SIZE || ((uintptr_t)obj & (c->align - 1)))
		return NULL;
	page = virt_to_page_flat(blk);
	if (unlikely(!page))
		page = virt_to_page(blk);
	if (!page || page->priv != (unsigned long)s->heap)
		return NULL;
	if (s->big)
		return page_type(page) == PGTY_BIGBLOCK && PageHead(page) && page_address(page) == blk &&
			       page->bigblock_pages == big_pages(c)
		       ? page
		       : NULL;
	if (page_type(page) != PGTY_SLOB)
		return NULL;
	return s->heap->mode != SLOB_SEGFIT || slob_ksize_in(s->heap, page, blk) >= c->size ? page : NULL;
}

static bool in_cache_memory(struct kmem_cache *c, const void *obj)
{
	return cache_page(c, obj) != NULL;
}

/* Is obj in the poison hold? (Takes the lock: SLAB_POISON caches only.) */
static bool is_held(struct kmem_cache *c, const void *obj)
{
	unsigned long irq;
	bool h;

	if (!(c->flags & SLAB_POISON))
		return false;
	irq = spin_lock_irqsave(&c->lock);
	h = held(c->slob, obj);
	spin_unlock_irqrestore(&c->lock, irq);
	return h;
}

bool slob_cache_valid_object(struct kmem_cache *c, const void *obj)
{
	bool ok;

	/* KFENCE samples SLOB-model caches too (kmem_cache_alloc_slow asks it
	 * before this model): such an object is in its pool, not in SLOB, and
	 * has no red zones; KFENCE knows whose it is while it is live. */
	if (is_kfence_address(obj))
		return (c->flags & SLAB_SLOB) && kfence_cache(obj) == c;
	ok = (c->flags & SLAB_SLOB) && !is_held(c, obj) && in_cache_memory(c, obj);

	if (ok && (c->flags & SLAB_RED_ZONE))
		ok = !memchr_inv((const u8 *)obj - c->red_left, RED_ACTIVE, c->red_left) &&
		     !memchr_inv((const u8 *)obj + c->object_size, RED_ACTIVE, red_right(c));
	return ok;
}

/* ====================== allocation and free ============================== */

static __attribute__((always_inline)) inline void *new_object(struct kmem_cache *c, gfp_t gfp)
{
	struct slob_cache *s = c->slob;
	char *blk;

	if (s->kmalloc_path && s->heap->kmalloc_plain) /* (not KFENCE's objects) */
		blk = slob_kmalloc(s->heap, c->size, gfp);
	else if (s->big)
		blk = slob_big_alloc(s->heap, c->size, gfp, c->align);
	else
		blk = slob_alloc(s->heap, c->size, gfp, c->align);

	return blk ? blk + c->red_left : NULL;
}

/* Give obj's block back to SLOB (@page: its struct page, cache_page's). */
static void release_object(struct kmem_cache *c, void *obj, struct page *page)
{
	struct slob_cache *s = c->slob;
	char *blk = block_of(c, obj);

	if (s->big)
		slob_big_free(s->heap, page);
	else if (s->kmalloc_path) /* (any live block of a segfit heap's page) */
		slob_kfree(blk, page);
	else
		slob_free(s->heap, blk, c->size);
}

/* release_object of an object whose page is not at hand. */
static void release_held(struct kmem_cache *c, void *obj)
{
	char *blk = block_of(c, obj);
	struct page *page = virt_to_page_flat(blk);

	release_object(c, obj, likely(page) ? page : virt_to_page(blk));
}

/* The oldest held object, off the hold (NULL when none). */
static void *unhold_oldest(struct kmem_cache *c)
{
	struct slob_cache *s = c->slob;
	unsigned long irq = spin_lock_irqsave(&c->lock);
	void *obj = NULL;

	if (s->hold_count) {
		obj = s->hold[s->hold_first];
		s->hold_first = (s->hold_first + 1) % SLOB_CACHE_HOLD;
		s->hold_count--;
	}
	spin_unlock_irqrestore(&c->lock, irq);
	return obj;
}

static void count_alloc(struct slob_cache *s)
{
	unsigned long live = __atomic_add_fetch(&s->live, 1, __ATOMIC_RELAXED);

	__atomic_add_fetch(&s->nr_allocs, 1, __ATOMIC_RELAXED);
	if (live > __atomic_load_n(&s->peak, __ATOMIC_RELAXED))
		__atomic_store_n(&s->peak, live, __ATOMIC_RELAXED);
}

static void count_free(struct slob_cache *s)
{
	__atomic_sub_fetch(&s->live, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&s->nr_frees, 1, __ATOMIC_RELAXED);
}

/* The flags that put checks around an object (a plain cache has none of
 * them: its allocation and free take the short paths below). */
#define SLOB_CACHE_DEBUG (SLAB_POISON | SLAB_RED_ZONE | SLAB_STORE_USER)

/* slob_cache_alloc's object with the debug flags' work done: the oldest
 * held object (checked), or a new one with its red zones and tracks set. */
static __attribute__((noinline)) void *debug_alloc(struct kmem_cache *c, gfp_t gfp, unsigned long caller)
{
	void *obj = NULL;

	if ((c->flags & SLAB_POISON) && (obj = unhold_oldest(c)) != NULL) {
		check_held(c, obj, REPORT_AND_SET);
	} else if ((obj = new_object(c, gfp)) == NULL) {
		return NULL;
	} else {
		if (c->flags & SLAB_STORE_USER)
			memset((char *)obj + c->track_offset, 0, 2 * sizeof(struct slab_track));
		if (c->flags & SLAB_RED_ZONE)
			set_red(c, obj, RED_ACTIVE);
	}
	if (c->flags & SLAB_STORE_USER)
		set_track(c, obj, 0, caller);
	return obj;
}

void *slob_cache_alloc(struct kmem_cache *c, gfp_t gfp, unsigned long caller)
{
	void *obj = unlikely(c->flags & SLOB_CACHE_DEBUG) ? debug_alloc(c, gfp, caller) : new_object(c, gfp);

	if (!obj)
		return NULL;
	count_alloc(c->slob);
	obj = kasan_slab_alloc(c, obj); /* (the KASAN kernel: before the constructor) */
	if (c->ctor)
		c->ctor(obj);
	return obj;
}

/* Poison a freed object and hold it; the object it pushes out (the hold
 * was full) goes back to SLOB after its check. */
static void hold_object(struct kmem_cache *c, void *obj)
{
	struct slob_cache *s = c->slob;
	void *out = NULL;
	unsigned long irq;

	poison(c, obj);
	irq = spin_lock_irqsave(&c->lock);
	if (s->hold_count == SLOB_CACHE_HOLD) {
		out = s->hold[s->hold_first];
		s->hold_first = (s->hold_first + 1) % SLOB_CACHE_HOLD;
		s->hold_count--;
	}
	s->hold[(s->hold_first + s->hold_count) % SLOB_CACHE_HOLD] = obj;
	s->hold_count++;
	spin_unlock_irqrestore(&c->lock, irq);
	if (out) {
		check_held(c, out, REPORT);
		release_held(c, out);
	}
}

/* slob_cache_free of a cache with debug flags: a held object freed again
 * is a double free; red zones checked, the free's track set, the object
 * poisoned and held (SLAB_POISON). */
static __attribute__((noinline)) void debug_free(struct kmem_cache *c, void *obj, unsigned long caller)
{
	bool was_held = is_held(c, obj);
	struct page *page = was_held ? NULL : cache_page(c, obj);

	if (unlikely(!page)) { /* (a held object's tracks are its own) */
		report(c, obj, was_held ? "double free" : "free of a pointer that is not an object of this cache",
		       NULL, 0, was_held);
		return;
	}
	count_free(c->slob);
	if (c->flags & SLAB_RED_ZONE) {
		check_red(c, obj, (u8 *)obj - c->red_left, c->red_left, RED_ACTIVE, RED_INACTIVE,
			  "write before the object (red zone overwritten)", REPORT_AND_SET);
		check_red(c, obj, (u8 *)obj + c->object_size, red_right(c), RED_ACTIVE, RED_INACTIVE,
			  "write past the object (red zone overwritten)", REPORT_AND_SET);
	}
	if (c->flags & SLAB_STORE_USER)
		set_track(c, obj, 1, caller);
	if (c->dtor)
		c->dtor(obj);
	if (c->flags & SLAB_POISON)
		hold_object(c, obj);
	else
		release_object(c, obj, page);
}

void slob_cache_free(struct kmem_cache *c, void *obj, unsigned long caller)
{
	struct page *page;

	if (unlikely(c->flags & SLOB_CACHE_DEBUG)) {
		debug_free(c, obj, caller);
		return;
	}
	page = cache_page(c, obj);
	if (unlikely(!page)) {
		report(c, obj, "free of a pointer that is not an object of this cache", NULL, 0, false);
		return;
	}
	count_free(c->slob);
	if (c->dtor)
		c->dtor(obj);
	release_object(c, obj, page);
}

/* Every held object back to SLOB, each checked first. */
static void drain_hold(struct kmem_cache *c)
{
	void *obj;

	while ((obj = unhold_oldest(c)) != NULL) {
		check_held(c, obj, REPORT);
		release_held(c, obj);
	}
}

unsigned long slob_cache_shrink(struct kmem_cache *c)
{
	drain_hold(c);
	return 0;
}

unsigned long slob_cache_release(struct kmem_cache *c)
{
	unsigned long left;

	drain_hold(c);
	left = c->slob->live;
	if (left)
		kprintf("kmem_cache_destroy: cache %s: %lu objects still allocated; they stay "
			"allocated in SLOB heap %s\n", c->name, left, c->slob->heap->name);
	return left;
}

/* ========================== checker and reports ========================== */

int slob_cache_check(struct kmem_cache *c)
{
	struct slob_cache *s = c->slob;
	void *objs[SLOB_CACHE_HOLD];
	unsigned int n;
	int errors = 0;
	unsigned long irq = spin_lock_irqsave(&c->lock);

#define PROBLEM(what)                                                          \
	do {                                                                   \
		errors++;                                                      \
		kprintf("kmem_cache_check: %s: %s\n", c->name, what);          \
	} while (0)
	if (s->live > s->peak)
		PROBLEM("more objects out than the peak");
	if (s->nr_allocs - s->nr_frees != s->live)
		PROBLEM("allocations - frees differs from the objects out");
	if (c->nr_slabs || c->free_objects || c->pcpu_off != PERCPU_RESERVED_OFF ||
	    c->mag_off != PERCPU_RESERVED_OFF || c->depot_limit)
		PROBLEM("a SLOB-model cache holds slabs, magazines or a depot");
	if (s->hold_count > SLOB_CACHE_HOLD || (s->hold_count && !(c->flags & SLAB_POISON)))
		PROBLEM("hold count broken");
	n = MIN(s->hold_count, SLOB_CACHE_HOLD);
	for (unsigned int i = 0; i < n; i++) {
		objs[i] = s->hold[(s->hold_first + i) % SLOB_CACHE_HOLD];
		if (!in_cache_memory(c, objs[i]))
			PROBLEM("a held object is not in the cache's SLOB memory");
		for (unsigned int j = 0; j < i; j++)
			if (objs[j] == objs[i])
				PROBLEM("an object is held twice");
	}
	spin_unlock_irqrestore(&c->lock, irq);
#undef PROBLEM
	for (unsigned int i = 0; i < n; i++)
		errors += check_held(c, objs[i], CHECKER);
	return errors;
}

unsigned long slob_cache_bytes(const struct kmem_cache *c)
{
	const struct slob_cache *s = c->slob;
	unsigned long objs = s->live + s->hold_count;

	return s->big ? objs * big_pages(c) * PAGE_SIZE : objs * c->size;
}

unsigned long slob_cache_pages(const struct kmem_cache *c)
{
	return (slob_cache_bytes(c) + PAGE_SIZE - 1) / PAGE_SIZE;
}

/*
 * /proc/slabinfo's columns for a cache without slabs: active and total
 * objects (out, plus held ones in the total), the bytes each asks of SLOB
 * as objsize, a "slab" of one page holding PAGE_SIZE / objsize objects (one
 * bigblock for big objects), no tunables, and as slabdata the pages the
 * objects' bytes fill (slob_cache_pages: an estimate, SLOB's headers and
 * rounding left out; slobinfo's heap lines have the heap's real pages).
 */
void slob_cache_slabinfo_row(struct kmem_cache *c)
{
	const struct slob_cache *s = c->slob;
	unsigned long irq = spin_lock_irqsave(&c->lock);
	unsigned long active = s->live, num = s->live + s->hold_count, pages = slob_cache_pages(c);
	unsigned int per = s->big ? 1 : (unsigned int)(PAGE_SIZE / c->size);

	spin_unlock_irqrestore(&c->lock, irq);
	kprintf("%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu %6lu %6u\n",
		c->name, active, num, c->size, per, s->big ? (int)big_pages(c) : 1, 0u, 0u, 0u,
		s->big ? active : pages, s->big ? num : pages, 0u);
}

static void slob_cache_line(struct kmem_cache *c, void *arg)
{
	const struct slob_cache *s = c->slob;

	if (!(c->flags & SLAB_SLOB))
		return;
	if (!*(bool *)arg) {
		kprintf("slobinfo: kmem_caches on SLOB\n");
		kprintf("  # name            objects   held  objsize      bytes  peak  heap\n");
		*(bool *)arg = true;
	}
	kprintf("  %-17s %7lu %6u %8u %10lu %5lu  %s%s\n", c->name, s->live, s->hold_count, c->size,
		slob_cache_bytes(c), s->peak, s->heap->name, s->big ? " (bigblocks)" : "");
}

void show_slob_caches(void)
{
	bool any = false;

	slab_for_each_cache(slob_cache_line, &any);
}
