/*
 * stress.c - the allocator stress run (include/tests/stress.h; docs/reliability.md; a test engine, not part of mm/).
 *
 * Every hart runs its share of the operations on its own table of slots,
 * each empty or holding one live object: a block of pages, a kmalloc block
 * or a kmem_cache object. An operation picks a slot at random: an empty
 * slot gets a new object of a random kind; a full one is freed, reallocated
 * (kmalloc blocks) or swapped with a slot of a shared exchange, so objects
 * migrate between harts and are freed far from where they were allocated.
 *
 * Content: an object is filled with words derived from each word's address
 * and the object's tag (hart and serial number), so two objects that
 * overlap, or a block handed out twice, show up as foreign words. Objects
 * up to 1 KiB are filled completely; bigger ones one word per 64 bytes plus
 * their last word and tail bytes (a page block would otherwise cost more to
 * fill than to allocate). The words are checked before the object is freed
 * or reallocated (after krealloc, the moved prefix must hold the old
 * address's words). kzalloc and __GFP_ZERO blocks are checked to be zero,
 * constructor objects to be in constructed state.
 *
 * Leaks: before the run and after it everything is settled (every hart
 * shrinks every cache, so magazines empty and free slabs go back; the
 * per-hart page lists are drained). Then the free page count must be what
 * it was, less only metadata that legitimately stays (slab descriptors and
 * magazines, which caches used by new harts now have; the one empty page
 * SLOB segfit keeps); slab objects out, SLOB bytes in use and bigblock
 * pages must be exactly what they were; node_check, slob_check and
 * kmem_cache_check must find nothing.
 */
#include <lib/cmdline.h>
#include <mm/fault_inject.h>
#include <mm/kasan.h>
#include <boot/hart.h>
#include <mm/kmalloc.h>
#include <lib/kstring.h>
#include <boot/ktime.h>
#include <mm/mmzone.h>
#include <shell/shell.h>
#include <mm/slab.h>
#include <mm/vmalloc.h>
#include <mm/slob.h>
#include <tests/stress.h>

#define NSLOTS 256  /* live objects per hart at most */
#define NXCH 64     /* the exchange between harts */
#define FULL_FILL 1024
#define SAMPLE_STEP 64
#define MAX_REPORTS 10
#define STOP_POLL_OPS 4096 /* operations between two calls of the stop check */
#define CTOR_MAGIC 0x5eed5eed0c70c70cull

enum { K_NONE, K_PAGE, K_KMALLOC, K_CACHE };

struct sobj {
	u8 *p;
	u32 size;  /* bytes (pages: PAGE_SIZE << order) */
	u8 kind;
	u8 sub;    /* page order, or cache index */
	u64 tag;
};

struct shart {
	struct sobj slot[NSLOTS];
	u64 rng, serial;
	unsigned long ops, allocs, frees, reallocs, passes, fails, shrinks, drains;
} __aligned(64);

static struct shart st[MAX_HARTS];

static struct {
	spinlock_t lock;
	struct sobj o;
} xch[NXCH];

static const struct {
	const char *name;
	size_t size, align;
	unsigned long flags;
	bool ctor;
} scfg[] = {
	{ "stress-24", 24, 0, 0, false },
	{ "stress-64-ctor", 64, 0, 0, true },
	{ "stress-192-hw", 192, 0, SLAB_HWCACHE_ALIGN, false },
	{ "stress-1500", 1500, 64, 0, false },
};
#define NCACHES ARRAY_SIZE(scfg)

static struct kmem_cache *scache[NCACHES];
static unsigned long run_ops;
static bool (*run_stop)(void); /* the run's stop check, or NULL */
static bool run_stopped;       /* run_stop said stop (any hart saw it) */
static unsigned long nr_errors;

static __printf(1, 2) void stress_error(const char *fmt, ...)
{
	unsigned long n = __atomic_fetch_add(&nr_errors, 1, __ATOMIC_RELAXED);
	char buf[200];
	va_list ap;

	if (n >= MAX_REPORTS)
		return;
	va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kprintf("stress: error on cpu %u: %s\n", this_cpu(), buf);
}

static inline u64 rnd(struct shart *h)
{
	h->rng ^= h->rng << 13;
	h->rng ^= h->rng >> 7;
	h->rng ^= h->rng << 17;
	return h->rng;
}

/* ---- contents ------------------------------------------------------------ */

static inline u64 pat(const void *w, u64 tag)
{
	u64 x = (u64)(uintptr_t)w * 0x9e3779b97f4a7c15ull ^ tag;

	return x ^ x >> 29;
}

/*
 * Visit the checked positions of an object of @size bytes from byte
 * @from: every word (or one per SAMPLE_STEP bytes above FULL_FILL), the
 * last word, the tail bytes. With @fill, write the pattern of (@addr, @tag)
 * at @p; else compare @p with it (@zero: with 0), only below @limit.
 * Returns the first offset that differs, or -1.
 */
static long walk(u8 *p, const u8 *addr, size_t size, size_t from, size_t limit, u64 tag,
		 bool fill, bool zero)
{
	size_t step = size <= FULL_FILL ? 8 : SAMPLE_STEP, words = size & ~7ul;

	for (size_t off = from; off + 8 <= words; off += step) {
		u64 *w = (u64 *)(p + off), want = zero ? 0 : pat(addr + off, tag);

		if (fill)
			*w = want;
		else if (off + 8 <= limit && *w != want)
			return (long)off;
	}
	if (step != 8 && words >= from + 8) {
		size_t off = words - 8;
		u64 *w = (u64 *)(p + off), want = zero ? 0 : pat(addr + off, tag);

		if (fill)
			*w = want;
		else if (off + 8 <= limit && *w != want)
			return (long)off;
	}
	for (size_t off = MAX(words, from); off < size; off++) {
		u8 want = zero ? 0 : (u8)pat(addr + off, tag);

		if (fill)
			p[off] = want;
		else if (off < limit && p[off] != want)
			return (long)off;
	}
	return -1;
}

static size_t user_from(const struct sobj *o)
{
	return o->kind == K_CACHE && scfg[o->sub].ctor ? 8 : 0;
}

static const char *kind_name(const struct sobj *o)
{
	return o->kind == K_PAGE ? "pages" : o->kind == K_KMALLOC ? "kmalloc" : scfg[o->sub].name;
}

/* Check an object's contents (the pattern of @addr, its address when it
 * was filled) up to @limit bytes; report and return false when wrong. */
static bool check(const struct sobj *o, const u8 *addr, size_t limit, const char *when)
{
	long off = walk(o->p, addr, o->size, user_from(o), limit, o->tag, false, false);

	if (o->kind == K_CACHE && scfg[o->sub].ctor && *(u64 *)o->p != (CTOR_MAGIC ^ (u64)(uintptr_t)o->p)) {
		stress_error("%s object %p: constructed word overwritten %s", kind_name(o), o->p, when);
		return false;
	}
	if (off < 0)
		return true;
	stress_error("%s block %p (%u bytes, tag %llx): wrong contents at offset %ld %s",
		     kind_name(o), o->p, o->size, (unsigned long long)o->tag, off, when);
	return false;
}

static void fill(struct sobj *o)
{
	walk(o->p, o->p, o->size, user_from(o), o->size, o->tag, true, false);
}

static void check_zero(const struct sobj *o, const char *what)
{
	long off = walk(o->p, o->p, o->size, 0, o->size, 0, false, true);

	if (off >= 0)
		stress_error("%s %p (%u bytes) not zeroed at offset %ld", what, o->p, o->size, off);
}

static void stress_ctor(void *obj)
{
	*(u64 *)obj = CTOR_MAGIC ^ (u64)(uintptr_t)obj;
}

/* ---- operations ---------------------------------------------------------- */

static unsigned int pick_order(struct shart *h)
{
	unsigned int r = (unsigned int)(rnd(h) % 100);

	return r < 40 ? 0 : r < 65 ? 1 : r < 80 ? 2 : r < 92 ? 3 : 4;
}

static size_t pick_size(struct shart *h)
{
	unsigned int r = (unsigned int)(rnd(h) % 100);
	u64 x = rnd(h);

	if (r < 70)
		return 1 + x % 256;
	if (r < 90)
		return 257 + x % 1792;
	if (r < 98)
		return 2049 + x % 6144;
	return 8193 + x % 24576;
}

static bool alloc_pages_obj(struct shart *h, struct sobj *o)
{
	static const gfp_t gfps[] = { GFP_KERNEL, GFP_KERNEL, GFP_KERNEL, GFP_KERNEL | __GFP_ZERO,
				      GFP_DMA32, GFP_ATOMIC };
	unsigned int order = pick_order(h);
	gfp_t gfp = gfps[rnd(h) % ARRAY_SIZE(gfps)] | __GFP_NOWARN;
	struct page *page = alloc_pages(gfp, order);
	u64 pa;

	if (!page)
		return false;
	o->p = page_address(page);
	o->size = (u32)(PAGE_SIZE << order);
	o->kind = K_PAGE;
	o->sub = (u8)order;
	pa = virt_to_phys(o->p);
	if (page_count(page) != 1 || page_order(page) != order)
		stress_error("order-%u block %p: refcount %d, order %u", order, o->p, page_count(page),
			     page_order(page));
	if (pa & ((PAGE_SIZE << order) - 1))
		stress_error("order-%u block at 0x%llx is not aligned to its size", order,
			     (unsigned long long)pa);
	if ((gfp & __GFP_DMA32) && pa + o->size > (1ull << 32))
		stress_error("GFP_DMA32 block at 0x%llx is above 4 GiB", (unsigned long long)pa);
	if (gfp & __GFP_ZERO)
		check_zero(o, "__GFP_ZERO block");
	return true;
}

static bool alloc_kmalloc_obj(struct shart *h, struct sobj *o)
{
	size_t size = pick_size(h);
	bool zero = rnd(h) % 10 == 0;
	u8 *p = zero ? kzalloc(size, GFP_KERNEL | __GFP_NOWARN) : kmalloc(size, GFP_KERNEL | __GFP_NOWARN);

	if (!p)
		return false;
	o->p = p;
	o->size = (u32)size;
	o->kind = K_KMALLOC;
	if ((uintptr_t)p & 7)
		stress_error("kmalloc(%zu) = %p: not 8-byte aligned", size, p);
	if (ksize(p) < size)
		stress_error("kmalloc(%zu) = %p: ksize %zu", size, p, ksize(p));
	if (zero)
		check_zero(o, "kzalloc block");
	return true;
}

static bool alloc_cache_obj(struct shart *h, struct sobj *o)
{
	unsigned int ci = (unsigned int)(rnd(h) % NCACHES);
	u8 *p;

	if (!scache[ci]) /* not created (failslab or no memory): kmalloc instead */
		return alloc_kmalloc_obj(h, o);
	p = kmem_cache_alloc(scache[ci], GFP_KERNEL | __GFP_NOWARN);
	if (!p)
		return false;
	o->p = p;
	o->size = (u32)scfg[ci].size;
	o->kind = K_CACHE;
	o->sub = (u8)ci;
	if (scache[ci]->flags & SLAB_SLOB ? !slob_cache_valid_object(scache[ci], p)
					    : virt_to_cache(p) != scache[ci])
		stress_error("%s object %p is not an object of its cache", scfg[ci].name, p);
	if ((uintptr_t)p & (MAX(scfg[ci].align, (size_t)8) - 1))
		stress_error("%s object %p is misaligned", scfg[ci].name, p);
	if (scfg[ci].ctor && *(u64 *)p != (CTOR_MAGIC ^ (u64)(uintptr_t)p))
		stress_error("%s object %p is not in constructed state", scfg[ci].name, p);
	return true;
}

static void do_alloc(struct shart *h, struct sobj *o)
{
	unsigned int r = (unsigned int)(rnd(h) % 100);
	bool ok = r < 30 ? alloc_pages_obj(h, o) : r < 75 ? alloc_kmalloc_obj(h, o)
							   : alloc_cache_obj(h, o);

	if (!ok) {
		*o = (struct sobj){ 0 };
		h->fails++;
		return;
	}
	o->tag = (u64)this_cpu() << 56 | ++h->serial;
	fill(o);
	h->allocs++;
}

static void do_free(struct shart *h, struct sobj *o)
{
	check(o, o->p, o->size, "when freed");
	switch (o->kind) {
	case K_PAGE: {
		struct page *page = virt_to_page(o->p);
		unsigned int how = (unsigned int)(rnd(h) % 10);

		if (!page) {
			stress_error("pages %p: no struct page", o->p);
			break;
		}
		if (how == 0) {
			free_pages((unsigned long)o->p, o->sub);
		} else if (how == 1) {
			get_page(page);
			put_page(page);
			if (page_count(page) != 1)
				stress_error("pages %p: refcount %d after get_page + put_page", o->p,
					     page_count(page));
			put_page(page);
		} else {
			__free_pages(page, o->sub);
		}
		break;
	}
	case K_KMALLOC:
		kfree(o->p);
		break;
	case K_CACHE:
		kmem_cache_free(scache[o->sub], o->p);
		break;
	}
	*o = (struct sobj){ 0 };
	h->frees++;
}

static void do_realloc(struct shart *h, struct sobj *o)
{
	size_t size = pick_size(h);
	u8 *old = o->p, *q;

	if (!check(o, o->p, o->size, "before krealloc"))
		return;
	q = krealloc(old, size, GFP_KERNEL | __GFP_NOWARN);
	if (!q) { /* the old block stays valid and untouched */
		h->fails++;
		check(o, o->p, o->size, "after a failed krealloc");
		return;
	}
	o->p = q;
	/* The moved prefix holds the old address's words. */
	check(o, old, MIN((size_t)o->size, size), "after krealloc");
	if (ksize(q) < size)
		stress_error("krealloc(%p, %zu) = %p: ksize %zu", old, size, q, ksize(q));
	o->size = (u32)size;
	fill(o);
	h->reallocs++;
}

static void do_pass(struct shart *h, struct sobj *o)
{
	unsigned int j = (unsigned int)(rnd(h) % NXCH);
	unsigned long flags = spin_lock_irqsave(&xch[j].lock);
	struct sobj t = xch[j].o;

	xch[j].o = *o;
	*o = t;
	spin_unlock_irqrestore(&xch[j].lock, flags);
	h->passes++;
}

static void do_shrink(struct shart *h)
{
	unsigned int i = (unsigned int)(rnd(h) % (NCACHES + KMALLOC_NR_CACHES));
	struct kmem_cache *c = i < NCACHES ? scache[i]
					   : __atomic_load_n(&kmalloc_caches[i - NCACHES], __ATOMIC_ACQUIRE);

	if (c) {
		kmem_cache_shrink(c);
		h->shrinks++;
	}
}

static void step(struct shart *h)
{
	struct sobj *o = &h->slot[rnd(h) % NSLOTS];
	unsigned int r = (unsigned int)(rnd(h) % 8192);

	if (r < 2) {
		do_shrink(h);
	} else if (r == 2) {
		node_drain_pages(mem_node);
		h->drains++;
	} else if (!o->p) {
		do_alloc(h, o);
	} else {
		r %= 100;
		if (r < 10 && o->kind == K_KMALLOC)
			do_realloc(h, o);
		else if (r < 20)
			do_pass(h, o);
		else
			do_free(h, o);
	}
	h->ops++;
}

/* Whether to stop: run_stop said so on this hart or another. */
static bool stop_requested(void)
{
	if (!run_stop)
		return false;
	if (run_stop())
		__atomic_store_n(&run_stopped, true, __ATOMIC_RELAXED);
	return __atomic_load_n(&run_stopped, __ATOMIC_RELAXED);
}

static void worker(void *arg)
{
	unsigned int cpu = this_cpu();
	struct shart *h = &st[cpu];
	unsigned long hart_ops = run_ops / nr_harts + (cpu < run_ops % nr_harts);

	(void)arg;
	for (unsigned long n = 0; n < hart_ops; n++) {
		if (n % STOP_POLL_OPS == 0 && stop_requested())
			break;
		step(h);
	}
	for (unsigned int i = 0; i < NSLOTS; i++)
		if (h->slot[i].p)
			do_free(h, &h->slot[i]);
}

/* ---- settling and accounting --------------------------------------------- */

static void shrink_one(struct kmem_cache *c, void *arg)
{
	(void)arg;
	kmem_cache_shrink(c);
}

static void shrink_all(void *arg)
{
	(void)arg;
	slab_for_each_cache(shrink_one, NULL);
}

struct objs_arg {
	unsigned long objs;
	int problems;
};

static void count_objs(struct kmem_cache *c, void *arg)
{
	struct objs_arg *a = arg;

	a->objs += c->nr_slabs * c->objs_per_slab - c->free_objects;
}

static void check_cache(struct kmem_cache *c, void *arg)
{
	((struct objs_arg *)arg)->problems += kmem_cache_check(c);
}

struct snap {
	unsigned long free_pages, meta_pages, slob_empty, slab_objs, slob_used, big_pages;
};

/* Everything back where it rests: vfree'd areas purged (docs/vmalloc.md,
 * "Lazy vfree"), magazines emptied and free slabs returned on every hart,
 * per-hart page lists drained. */
static void settle(struct snap *s)
{
	struct objs_arg a = { 0, 0 };

	vmalloc_purge();
	kasan_cache_drain(NULL); /* (the KASAN kernel) its quarantine's blocks */
	on_each_hart(shrink_all, NULL);
	node_drain_pages(mem_node);
	slab_for_each_cache(count_objs, &a);
	s->free_pages = nr_free_pages();
	s->meta_pages = slab_held_pages() - slab_pages;
	/* (its kept empty segfit page, kept empty size page and the size
	 * pages only idle quarters hold: each may become another while the
	 * run uses the heap, slab=slob's caches) */
	s->slob_empty = slob_reuse_pages(&kmalloc_heap);
	s->slab_objs = a.objs;
	s->slob_used = kmalloc_heap.used_bytes;
	s->big_pages = kmalloc_heap.big_pages;
}

static void create_caches(void)
{
	for (unsigned int i = 0; i < NCACHES; i++)
		scache[i] = kmem_cache_create(scfg[i].name, scfg[i].size, scfg[i].align, scfg[i].flags,
					      scfg[i].ctor ? stress_ctor : NULL);
}

static void destroy_caches(void)
{
	for (unsigned int i = 0; i < NCACHES; i++) {
		kmem_cache_destroy(scache[i]);
		scache[i] = NULL;
	}
}

int stress_run(unsigned long ops, u64 seed, bool (*stop)(void), struct stress_result *r)
{
	struct snap s0, s1;
	struct objs_arg chk = { 0, 0 };
	u64 t0;

	memset(r, 0, sizeof(*r));
	settle(&s0);
	nr_errors = 0;
	run_ops = ops;
	run_stop = stop;
	run_stopped = false;
	memset(st, 0, sizeof(st));
	memset(xch, 0, sizeof(xch));
	for (unsigned int cpu = 0; cpu < MAX_HARTS; cpu++)
		st[cpu].rng = (seed + 1) * 0x9e3779b97f4a7c15ull ^ (cpu + 1) * 0xbf58476d1ce4e5b9ull;
	create_caches();

	t0 = time_now_us();
	on_each_hart(worker, NULL);
	r->usecs = time_now_us() - t0;

	for (unsigned int j = 0; j < NXCH; j++)
		if (xch[j].o.p)
			do_free(&st[0], &xch[j].o);
	destroy_caches();
	settle(&s1);

	for (unsigned int cpu = 0; cpu < MAX_HARTS; cpu++) {
		struct shart *h = &st[cpu];

		r->ops += h->ops;
		r->allocs += h->allocs;
		r->frees += h->frees;
		r->reallocs += h->reallocs;
		r->passes += h->passes;
		r->alloc_failures += h->fails;
		r->shrinks += h->shrinks;
		r->drains += h->drains;
	}
	r->harts = nr_harts;
	r->interrupted = run_stopped;
	run_stop = NULL;
	r->leaked_pages = (long)(s0.free_pages - s1.free_pages) - (long)(s1.meta_pages - s0.meta_pages) -
			  (long)(s1.slob_empty - s0.slob_empty);
	if (r->allocs != r->frees)
		stress_error("%lu allocations, %lu frees", r->allocs, r->frees);
	if (s1.slab_objs != s0.slab_objs)
		stress_error("slab objects out: %lu before, %lu after", s0.slab_objs, s1.slab_objs);
	if (s1.slob_used != s0.slob_used || s1.big_pages != s0.big_pages)
		stress_error("kmalloc heap: %lu bytes and %lu bigblock pages in use before, %lu and %lu after",
			     s0.slob_used, s0.big_pages, s1.slob_used, s1.big_pages);
	if (node_check(mem_node))
		stress_error("node_check found problems");
	if (slob_check(&kmalloc_heap))
		stress_error("slob_check found problems in the kmalloc heap");
	slab_for_each_cache(check_cache, &chk);
	if (chk.problems)
		stress_error("kmem_cache_check found %d problems", chk.problems);
	r->errors = nr_errors;
	return 0;
}

void stress_print(const struct stress_result *r)
{
	u64 ms = r->usecs / 1000;

	if (r->interrupted)
		kprintf("stress: interrupted after %lu operations\n", r->ops);
	kprintf("stress: ops=%lu errors=%lu leaked_pages=%ld\n", r->ops, r->errors, r->leaked_pages);
	kprintf("stress: harts=%u kmalloc=%s allocs=%lu frees=%lu reallocs=%lu passes=%lu "
		"null=%lu shrinks=%lu drains=%lu time_ms=%llu ops_per_s=%llu\n",
		r->harts, kmalloc_backend == KMALLOC_SLAB ? "slab" : "slob", r->allocs, r->frees,
		r->reallocs, r->passes, r->alloc_failures, r->shrinks, r->drains,
		(unsigned long long)ms,
		(unsigned long long)(r->usecs ? (u64)r->ops * 1000000 / r->usecs : 0));
}

/* ---- the console command ---------------------------------------------------- */

static int cmd_stress(int argc, char **argv)
{
	u64 ops = 100000, seed = 1;
	struct stress_result r;

	if (argc > 3 || (argc > 1 && shell_parse_number("stress", "ops", argv[1], &ops)) ||
	    (argc > 2 && shell_parse_number("stress", "seed", argv[2], &seed))) {
		kprintf("usage: stress [ops] [seed]\n");
		return -EINVAL;
	}
	stress_run((unsigned long)ops, seed, shell_interrupted, &r);
	stress_print(&r);
	if (failslab.active || fail_page_alloc.active)
		fault_inject_show();
	if (r.errors || r.leaked_pages)
		return -EIO;
	return r.interrupted ? -EINTR : 0;
}
SHELL_CMD("stress", cmd_stress, "[ops] [seed]",
	  "random mixed allocations on every hart, checked; prints errors and leaked pages");
