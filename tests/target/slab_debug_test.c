/*
 * slab_debug_test.c - the slab allocator's debug checks on the running
 * kernel (suite "slab_debug"), in the spirit of Linux's lib/slub_kunit.c.
 *
 * Each case makes a cache with the debug flags it needs (whatever
 * slab_debug= says), damages it on purpose - a write past or before an
 * object, a write to a freed object, a double free, a free of a pointer
 * into an object or of another cache's object, a forged free pointer - and
 * checks that exactly the expected number of errors was counted (the
 * cache's nr_errors and the global slab_errors), with the expected reason
 * (last_error), and that the console line (captured) names the cache and
 * the object and shows the offending bytes. Afterwards the cache still
 * works, kmem_cache_check finds nothing, and once destroyed every page is
 * back.
 *
 * Every case runs on both cache models: on slab caches (SLAB_NOSLOB), and
 * as CASE_slob on SLOB-model caches (SLAB_SLOB, mm/slab_slob.c). A freed
 * SLOB-model object belongs to SLOB again unless the cache poisons (its
 * freed objects are then held, poisoned, and the next allocation takes the
 * oldest), so the SLOB cases whose checks follow an object after its free
 * add SLAB_POISON; a wrong-cache free is only visible there when the two
 * caches' layouts differ; forged free pointers exist only in slabs.
 */
#include <drivers/console.h>
#include <boot/hart.h>
#include <mm/kmalloc.h>
#include <mm/meminit.h>
#include <lib/kstring.h>
#include <tests/ktest.h>
#include <mm/mmzone.h>
#include <mm/slab.h>
#include <mm/slob.h>

#define RED_ACTIVE 0xcc
#define RED_INACTIVE 0xbb
#define POISON_FREE 0x6b
#define POISON_END 0xa5

static char out[4096];

/* The model under test: SLAB_NOSLOB or SLAB_SLOB (ORed into every cache). */
static unsigned long model = SLAB_NOSLOB;

static bool slob_model(void)
{
	return model == SLAB_SLOB;
}

/* Can the model tell a pointer inside a block, or a block freed twice, from
 * an object? Not on SLOB-model caches over a classic heap (slob=classic):
 * its blocks have no header, only the page and the alignment are checked
 * (mm/slab_slob.c), and such a free goes through and damages the heap. */
static bool frees_checked_in_block(void)
{
	return !slob_model() || kmalloc_heap.mode == SLOB_SEGFIT;
}

/* The case needs frees_checked_in_block(): else it is skipped, saying why. */
static bool skip_unless_checked_in_block(struct ktest *t)
{
	if (frees_checked_in_block())
		return false;
	ktest_skip(t, "slob=classic: SLOB-model frees are checked by page and alignment only");
	return true;
}

/* fn_slob: @fn on SLOB-model caches (called through a pointer, so that
 * @fn stays a function of its own: reports name it as the caller). */
#define BOTH_MODELS(fn)                                            \
	static void fn##_slob(struct ktest *t)                     \
	{                                                          \
		void (*volatile run)(struct ktest *) = fn;         \
		model = SLAB_SLOB;                                 \
		run(t);                                            \
		model = SLAB_NOSLOB;                               \
	}

static const char R_PAST[] = "write past the object (red zone overwritten)";
static const char R_BEFORE[] = "write before the object (red zone overwritten)";
static const char R_FREE_AFTER[] = "red zone after a free object overwritten";
static const char R_UAF[] = "use after free: a free object was written to";
static const char R_DOUBLE[] = "double free";
static const char R_NOT_OBJ[] = "free of a pointer that is not an object of this cache";
static const char R_FREEPTR[] = "corrupted free pointer";

struct dcase {
	struct kmem_cache *c;
	unsigned long free0, err0, cerr0;
};

/* Free pages, counting those of the slab metadata heap and of kmalloc's
 * SLOB heap (which SLOB-model caches share) as free. */
static unsigned long free_now(void)
{
	node_drain_pages(mem_node);
	return nr_free_pages() + (slab_held_pages() - slab_pages) + kmalloc_heap.nr_pages +
	       kmalloc_heap.big_pages;
}

/* A cache with exactly @flags (slab_debug= set aside while making it). */
static struct kmem_cache *make_cache(const char *name, size_t size, size_t align,
				     unsigned long flags)
{
	unsigned long saved = slab_debug_flags;
	struct kmem_cache *c;

	slab_debug_flags = 0;
	c = kmem_cache_create(name, size, align, flags | model, NULL);
	slab_debug_flags = saved;
	return c;
}

static bool dcase_begin(struct ktest *t, struct dcase *d, const char *name, size_t size,
			size_t align, unsigned long flags)
{
	d->free0 = free_now();
	d->err0 = slab_errors;
	d->c = make_cache(name, size, align, flags);
	if (!d->c) {
		ktest_fail(t, __FILE__, __LINE__, "cannot make cache %s", name);
		return false;
	}
	d->cerr0 = d->c->nr_errors;
	if (!!(d->c->flags & SLAB_SLOB) != slob_model()) {
		ktest_fail(t, __FILE__, __LINE__, "cache %s of the wrong model", name);
		return false;
	}
	return true;
}

/* Errors counted since the case began: the cache's and the global count. */
static void expect_errors(struct ktest *t, const struct dcase *d, unsigned long n)
{
	EXPECT_EQ(d->c->nr_errors - d->cerr0, n);
	EXPECT_EQ(slab_errors - d->err0, n);
}

/* The case's cache still works, is consistent, and gives every page back. */
static void dcase_end(struct ktest *t, struct dcase *d, unsigned long errors)
{
	void *p[3];
	unsigned long before = d->c->nr_errors;

	for (int i = 0; i < 3; i++) {
		p[i] = kmem_cache_alloc(d->c, GFP_KERNEL);
		EXPECT(p[i] != NULL);
		if (p[i])
			memset(p[i], 0x42, d->c->object_size);
	}
	for (int i = 0; i < 3; i++)
		if (p[i])
			kmem_cache_free(d->c, p[i]);
	EXPECT_EQ(d->c->nr_errors, before);
	EXPECT_EQ(kmem_cache_check(d->c), 0);
	expect_errors(t, d, errors);
	kmem_cache_shrink(d->c);
	EXPECT_EQ(d->c->nr_slabs, 0);
	kmem_cache_destroy(d->c);
	d->c = NULL;
	EXPECT_EQ(free_now(), d->free0);
}

/* The console shows the report line for obj, once, and the bytes line
 * starting with @bytes (NULL: no bytes line expected). */
static void expect_report(struct ktest *t, const struct kmem_cache *c, const void *obj,
			  const char *reason, const char *bytes)
{
	char want[160];
	int lines = 0;

	for (const char *p = out; (p = strstr(p, "slab error: ")) != NULL; p++)
		lines++;
	EXPECT_EQ(lines, 1);
	ksnprintf(want, sizeof(want), "slab error: cache %s: object %p: %s\n", c->name, obj, reason);
	if (!strstr(out, want))
		ktest_fail(t, __FILE__, __LINE__, "no \"%s\" in \"%.150s\"", want, out);
	if (bytes) {
		ksnprintf(want, sizeof(want), "\n  bytes at object offset %s", bytes);
		if (!strstr(out, want))
			ktest_fail(t, __FILE__, __LINE__, "no \"%s\" in \"%.150s\"", want + 1, out);
	} else {
		EXPECT(strstr(out, "bytes at object offset") == NULL);
	}
}

/* ---- red zones ------------------------------------------------------------- */

static void write_past_object(struct ktest *t)
{
	struct dcase d;
	u8 *a, *b;

	/* 100 bytes: the red zone after covers 100..111 (to the free link). */
	if (!dcase_begin(t, &d, "dbg-past", 100, 0,
			 SLAB_RED_ZONE | SLAB_CONSISTENCY_CHECKS | (slob_model() ? SLAB_POISON : 0)))
		return;
	a = kmem_cache_alloc(d.c, GFP_KERNEL);
	b = kmem_cache_alloc(d.c, GFP_KERNEL); /* keeps the slab */
	ASSERT(a && b);
	EXPECT_EQ(a[100], RED_ACTIVE);
	EXPECT_EQ(a[-1], RED_ACTIVE);

	/* One byte past the end. */
	a[100] = 0x11;
	console_capture_begin(out, sizeof(out));
	kmem_cache_free(d.c, a);
	console_capture_end();
	expect_errors(t, &d, 1);
	EXPECT_STREQ(d.c->last_error, R_PAST);
	expect_report(t, d.c, a, R_PAST, "100: 11 cc cc cc cc cc cc cc\n");
	/* The object was freed all the same, its zone made inactive again. */
	EXPECT_EQ(kmem_cache_check(d.c), 0);
	EXPECT(kmem_cache_alloc(d.c, GFP_KERNEL) == a);

	/* Ten bytes past the end, deep in the zone: the report shows that byte. */
	a[109] = 0x22;
	console_capture_begin(out, sizeof(out));
	kmem_cache_free(d.c, a);
	console_capture_end();
	expect_errors(t, &d, 2);
	expect_report(t, d.c, a, R_PAST, "109: 22 cc cc");

	/* A freed object's zone written (caught when it is handed out again). */
	a[104] = 0x33;
	EXPECT_EQ(a[105], RED_INACTIVE);
	if (slob_model())
		EXPECT_EQ(a[0], POISON_FREE); /* held, poisoned */
	console_capture_begin(out, sizeof(out));
	EXPECT_EQ(kmem_cache_check(d.c), 1);
	console_capture_end();
	EXPECT(strstr(out, "kmem_cache_check: dbg-past: ") != NULL);
	expect_errors(t, &d, 2); /* the checker counts nothing */
	console_capture_begin(out, sizeof(out));
	EXPECT(kmem_cache_alloc(d.c, GFP_KERNEL) == a);
	console_capture_end();
	expect_errors(t, &d, 3);
	EXPECT_STREQ(d.c->last_error, R_FREE_AFTER);
	expect_report(t, d.c, a, R_FREE_AFTER, "104: 33 bb bb bb bb bb bb bb\n");
	EXPECT_EQ(a[104], RED_ACTIVE); /* repaired: active again */
	kmem_cache_free(d.c, a);
	kmem_cache_free(d.c, b);
	expect_errors(t, &d, 3);
	dcase_end(t, &d, 3);
}

static void write_before_object(struct ktest *t)
{
	struct dcase d;
	u8 *a, *b;

	/* Aligned to 64: the red zone before is 64 bytes. */
	if (!dcase_begin(t, &d, "dbg-before", 64, 64, SLAB_RED_ZONE | (slob_model() ? SLAB_POISON : 0)))
		return;
	a = kmem_cache_alloc(d.c, GFP_KERNEL);
	b = kmem_cache_alloc(d.c, GFP_KERNEL);
	ASSERT(a && b);
	EXPECT(((uintptr_t)a & 63) == 0);
	memset(a, 0x44, 64);

	/* The byte just before the object. */
	a[-1] = 0x55;
	console_capture_begin(out, sizeof(out));
	kmem_cache_free(d.c, a);
	console_capture_end();
	expect_errors(t, &d, 1);
	EXPECT_STREQ(d.c->last_error, R_BEFORE);
	expect_report(t, d.c, a, R_BEFORE, "-1: 55 44 44 44 44 44 44 44\n");
	EXPECT_EQ(kmem_cache_check(d.c), 0);

	/* The first byte of the zone, far before. */
	EXPECT(kmem_cache_alloc(d.c, GFP_KERNEL) == a);
	memset(a, 0x44, 64); /* (a SLOB-model object was poisoned while held) */
	a[-64] = 0x66;
	console_capture_begin(out, sizeof(out));
	kmem_cache_free(d.c, a);
	console_capture_end();
	expect_errors(t, &d, 2);
	expect_report(t, d.c, a, R_BEFORE, "-64: 66 cc cc cc cc cc cc cc\n");

	/* Both zones at once: two reports, one each. */
	EXPECT(kmem_cache_alloc(d.c, GFP_KERNEL) == a);
	memset(a, 0x44, 64);
	a[-3] = 0x77;
	a[64] = 0x78;
	console_capture_begin(out, sizeof(out));
	kmem_cache_free(d.c, a);
	console_capture_end();
	expect_errors(t, &d, 4);
	EXPECT_STREQ(d.c->last_error, R_PAST);
	{
		char want[120];

		ksnprintf(want, sizeof(want), "slab error: cache dbg-before: object %p: %s\n", a, R_BEFORE);
		EXPECT(strstr(out, want) != NULL);
		ksnprintf(want, sizeof(want), "slab error: cache dbg-before: object %p: %s\n", a, R_PAST);
		EXPECT(strstr(out, want) != NULL);
		EXPECT(strstr(out, "bytes at object offset -3: 77 cc cc 44") != NULL);
		EXPECT(strstr(out, "bytes at object offset 64: 78 cc cc cc cc cc cc cc") != NULL);
	}
	kmem_cache_free(d.c, b);
	dcase_end(t, &d, 4);
}

/* ---- poison ------------------------------------------------------------------ */

static void use_after_free(struct ktest *t)
{
	struct dcase d;
	u8 *a, *b, *c;

	if (!dcase_begin(t, &d, "dbg-poison", 128, 0, SLAB_POISON | SLAB_RED_ZONE))
		return;
	a = kmem_cache_alloc(d.c, GFP_KERNEL);
	b = kmem_cache_alloc(d.c, GFP_KERNEL);
	ASSERT(a && b);
	memset(a, 0, 128);
	kmem_cache_free(d.c, a);
	/* A freed object holds the poison. */
	EXPECT_EQ(a[0], POISON_FREE);
	EXPECT_EQ(a[126], POISON_FREE);
	EXPECT_EQ(a[127], POISON_END);
	expect_errors(t, &d, 0);

	a[5] = 0x99; /* written after it was freed */
	console_capture_begin(out, sizeof(out));
	EXPECT_EQ(kmem_cache_check(d.c), 1);
	console_capture_end();
	EXPECT(strstr(out, "kmem_cache_check: dbg-poison: ") != NULL);
	expect_errors(t, &d, 0);
	console_capture_begin(out, sizeof(out));
	c = kmem_cache_alloc(d.c, GFP_KERNEL);
	console_capture_end();
	EXPECT(c == a);
	expect_errors(t, &d, 1);
	EXPECT_STREQ(d.c->last_error, R_UAF);
	expect_report(t, d.c, a, R_UAF, "5: 99 6b 6b 6b 6b 6b 6b 6b\n");
	EXPECT_EQ(kmem_cache_check(d.c), 0);

	/* The poison's last byte. */
	kmem_cache_free(d.c, a);
	a[127] = 0x00;
	console_capture_begin(out, sizeof(out));
	c = kmem_cache_alloc(d.c, GFP_KERNEL);
	console_capture_end();
	EXPECT(c == a);
	expect_errors(t, &d, 2);
	expect_report(t, d.c, a, R_UAF, "127: 00 ");
	kmem_cache_free(d.c, a);
	kmem_cache_free(d.c, b);
	dcase_end(t, &d, 2);
}

/* ---- bad frees ----------------------------------------------------------------- */

static void double_free_tracked(struct ktest *t)
{
	struct dcase d;
	char want[120];
	u8 *a, *b, *x, *y;

	if (!dcase_begin(t, &d, "dbg-double", 192, 0,
			 SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_STORE_USER |
				 (slob_model() ? SLAB_POISON : 0)))
		return;
	a = kmem_cache_alloc(d.c, GFP_KERNEL);
	b = kmem_cache_alloc(d.c, GFP_KERNEL);
	ASSERT(a && b);
	kmem_cache_free(d.c, a);
	expect_errors(t, &d, 0);
	console_capture_begin(out, sizeof(out));
	kmem_cache_free(d.c, a);
	console_capture_end();
	expect_errors(t, &d, 1);
	EXPECT_STREQ(d.c->last_error, R_DOUBLE);
	expect_report(t, d.c, a, R_DOUBLE, NULL);
	/* Who allocated and freed it, by name, and on which cpu. */
	ksnprintf(want, sizeof(want), "  last allocated by double_free_tracked+0x");
	EXPECT(strstr(out, want) != NULL);
	ksnprintf(want, sizeof(want), "  last freed by double_free_tracked+0x");
	EXPECT(strstr(out, want) != NULL);
	ksnprintf(want, sizeof(want), " on cpu %u\n", this_cpu());
	EXPECT(strstr(out, want) != NULL);
	/* It is on the free list once: it comes back once. */
	EXPECT_EQ(kmem_cache_check(d.c), 0);
	x = kmem_cache_alloc(d.c, GFP_KERNEL);
	y = kmem_cache_alloc(d.c, GFP_KERNEL);
	EXPECT(x == a);
	EXPECT(y != a && y != b && y != NULL);
	kmem_cache_free(d.c, x);
	kmem_cache_free(d.c, y);
	kmem_cache_free(d.c, b);
	dcase_end(t, &d, 1);
}

static void free_inside_object(struct ktest *t)
{
	static u8 not_slab[64] __aligned(8);
	struct dcase d;
	unsigned long out0, n = 0;
	u8 *a;

	if (!dcase_begin(t, &d, "dbg-inside", 256, 0, SLAB_CONSISTENCY_CHECKS))
		return;
	a = kmem_cache_alloc(d.c, GFP_KERNEL);
	ASSERT(a);
	out0 = kmem_cache_objects_out(d.c);
	if (frees_checked_in_block()) {
		console_capture_begin(out, sizeof(out));
		kmem_cache_free(d.c, a + 8);
		console_capture_end();
		expect_errors(t, &d, ++n);
		EXPECT_STREQ(d.c->last_error, R_NOT_OBJ);
		expect_report(t, d.c, a + 8, R_NOT_OBJ, NULL);
		/* Nothing changed: the object is still out. */
		EXPECT_EQ(kmem_cache_objects_out(d.c), out0);
		EXPECT_EQ(kmem_cache_check(d.c), 0);
	}
	/* Memory that is no slab at all (every model tells it by its page). */
	console_capture_begin(out, sizeof(out));
	kmem_cache_free(d.c, not_slab);
	console_capture_end();
	expect_errors(t, &d, ++n);
	expect_report(t, d.c, not_slab, R_NOT_OBJ, NULL);
	EXPECT_EQ(kmem_cache_objects_out(d.c), out0);
	kmem_cache_free(d.c, a);
	expect_errors(t, &d, n);
	dcase_end(t, &d, n);
}

static void free_to_wrong_cache(struct ktest *t)
{
	struct dcase d;
	struct kmem_cache *x;
	unsigned long xerr, xout;
	u8 *o;

	if (skip_unless_checked_in_block(t))
		return;
	/* (SLOB-model objects do not name their cache: y gets red zones, so
	 * that x's object is not at one of y's object offsets in its block.) */
	if (!dcase_begin(t, &d, "dbg-wrong-y", 128, 0,
			 SLAB_CONSISTENCY_CHECKS | (slob_model() ? SLAB_RED_ZONE : 0)))
		return;
	x = make_cache("dbg-wrong-x", 128, 0, SLAB_CONSISTENCY_CHECKS);
	ASSERT(x);
	xerr = x->nr_errors;
	o = kmem_cache_alloc(x, GFP_KERNEL);
	ASSERT(o);
	xout = kmem_cache_objects_out(x);
	console_capture_begin(out, sizeof(out));
	kmem_cache_free(d.c, o);
	console_capture_end();
	expect_errors(t, &d, 1);
	EXPECT_EQ(x->nr_errors, xerr);
	EXPECT_STREQ(d.c->last_error, R_NOT_OBJ);
	expect_report(t, d.c, o, R_NOT_OBJ, NULL);
	EXPECT_EQ(kmem_cache_objects_out(x), xout);
	EXPECT_EQ(d.c->nr_slabs, 0);
	EXPECT_EQ(kmem_cache_check(x), 0);
	kmem_cache_free(x, o);
	EXPECT_EQ(x->nr_errors, xerr);
	kmem_cache_shrink(x);
	kmem_cache_destroy(x);
	dcase_end(t, &d, 1);
}

/* ---- a forged free pointer in an ordinary cache ---------------------------------- */

static void forged_free_pointer(struct ktest *t)
{
	struct dcase d;
	char want[120];
	void *o[40], *keep, *x;
	u8 *base, *first, *forged;
	struct page *head;
	uintptr_t stored;

	if (meminit_routed()) { /* (mm/slab_debug.c, marks_free) */
		ktest_skip(t, "init_on_alloc= / init_on_free=: a freed object carries a marker, and the "
			      "repair here frees the objects the broken list lost a second time");
		return;
	}
	if (!dcase_begin(t, &d, "dbg-freeptr", 128, 0, 0))
		return;
	for (int i = 0; i < 40; i++) {
		o[i] = kmem_cache_alloc(d.c, GFP_KERNEL);
		ASSERT(o[i]);
	}
	keep = o[7];
	for (int i = 0; i < 40; i++)
		if (o[i] != keep)
			kmem_cache_free(d.c, o[i]);
	/* One slab left: the kept object and 31 free ones on its list. */
	kmem_cache_shrink(d.c);
	ASSERT_EQ(d.c->nr_slabs, 1);
	head = virt_to_page(keep);
	ASSERT(head->slab_free != 0);
	base = (u8 *)page_address(head) + head->slab_colour * d.c->colour_off;
	first = (u8 *)page_address(head) + head->slab_free - 1;
	/* Stored mangled: not the plain address of a free object. */
	stored = *(uintptr_t *)(first + d.c->fp_offset);
	EXPECT(stored == 0 || stored < (uintptr_t)base || stored >= (uintptr_t)base + PAGE_SIZE);
	/* Forge it: a plain pointer to another free object. */
	forged = base;
	while (forged == first || forged == keep)
		forged += d.c->size;
	*(uintptr_t *)(first + d.c->fp_offset) = (uintptr_t)forged;
	console_capture_begin(out, sizeof(out));
	x = kmem_cache_alloc(d.c, GFP_KERNEL);
	console_capture_end();
	ASSERT(x);
	expect_errors(t, &d, 1);
	EXPECT_STREQ(d.c->last_error, R_FREEPTR);
	ksnprintf(want, sizeof(want), "%u: %02x %02x %02x %02x", d.c->fp_offset,
		  (unsigned int)((uintptr_t)forged & 0xff), (unsigned int)((uintptr_t)forged >> 8 & 0xff),
		  (unsigned int)((uintptr_t)forged >> 16 & 0xff),
		  (unsigned int)((uintptr_t)forged >> 24 & 0xff));
	expect_report(t, d.c, first, R_FREEPTR, want);
	/* The forged target was not handed out. */
	EXPECT(x != forged);
	for (unsigned int cpu = 0; cpu < MAX_HARTS; cpu++) {
		long n;
		void **objs = kmem_cache_magazine(d.c, cpu, &n);

		for (long i = 0; i < n; i++)
			EXPECT(objs[i] != forged);
	}
	/* The rest of that slab's free list was given up, consistently. */
	EXPECT_EQ(kmem_cache_check(d.c), 0);
	/* Repair: give the lost objects back by hand. */
	for (unsigned int i = 0; i < d.c->objs_per_slab; i++) {
		u8 *obj = base + i * d.c->size;

		if (obj != keep && obj != first)
			kmem_cache_free(d.c, obj);
	}
	kmem_cache_free(d.c, x);
	kmem_cache_free(d.c, keep);
	EXPECT_EQ(kmem_cache_check(d.c), 0);
	dcase_end(t, &d, 1);
}

/* Without debugging: an object freed twice in a row is still reported
 * once, with its cache and address, and is in the magazine once; the cache
 * stays sound. (Under slab_debug the cache is a debug cache, which finds it
 * on its slab's free list instead.) */
static void double_free_in_a_row(struct ktest *t)
{
	struct kmem_cache *c;
	unsigned long errors0 = slab_errors;
	char want[96];
	long held;
	void *o;

	if (skip_unless_checked_in_block(t))
		return;
	c = kmem_cache_create("twice", 96, 0, model, NULL);
	ASSERT(c);
	o = kmem_cache_alloc(c, GFP_KERNEL);
	ASSERT(o);
	kmem_cache_free(c, o);
	held = kmem_cache_magazine_count(c, this_cpu());
	console_capture_begin(out, sizeof(out));
	kmem_cache_free(c, o);
	console_capture_end();
	EXPECT_EQ(kmem_cache_magazine_count(c, this_cpu()), held);
	EXPECT_EQ(slab_errors - errors0, 1);
	EXPECT_EQ(c->nr_errors, 1);
	/* (SLOB model: the block is free in SLOB, not the cache's object;
	 * unless slab_debug= poisons the cache: then the hold has it.) */
	const char *why = slob_model() && !(c->flags & SLAB_POISON) ? R_NOT_OBJ : "double free";

	EXPECT(c->last_error && strncmp(c->last_error, why, strlen(why)) == 0);
	ksnprintf(want, sizeof(want), "slab error: cache twice: object %p: %s", o, why);
	EXPECT(strstr(out, want) != NULL);
	EXPECT_EQ(kmem_cache_check(c), 0);
	EXPECT_EQ(kmem_cache_objects_out(c), kmem_cache_in_magazines(c));
	kmem_cache_destroy(c);
}

/* ---- alloc_traces / free_traces (mm/slab_traces.c) ---- */

/* Each allocates or frees from a function of its own, so the tracks name it.
 * traces_zalloc takes kmem_cache_zalloc's path (kmem_cache_alloc_gfp): the
 * track must still name traces_zalloc, not that wrapper. */
static KTEST_OWN_FRAME void traces_alloc(struct kmem_cache *c, void **p, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = kmem_cache_alloc(c, GFP_KERNEL);
}

static KTEST_OWN_FRAME void traces_zalloc(struct kmem_cache *c, void **p, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = kmem_cache_zalloc(c, GFP_KERNEL);
}

static KTEST_OWN_FRAME void traces_free(struct kmem_cache *c, void **p, int n)
{
	for (int i = 0; i < n; i++)
		kmem_cache_free(c, p[i]);
}

static bool named(unsigned long caller, const char *fn)
{
	unsigned long off;
	const char *name = ksym_lookup(caller, &off);

	return name && strcmp(name, fn) == 0;
}

static unsigned long traces_total(const struct slab_traces *tr)
{
	unsigned long n = tr->dropped;

	for (unsigned int i = 0; i < tr->nr; i++)
		n += tr->loc[i].count;
	return n;
}

static void traces_by_caller(struct ktest *t)
{
	static struct slab_trace loc[8];
	static unsigned long bits[BITS_TO_LONGS(4096)];
	struct slab_traces tr = { .loc = loc, .max = ARRAY_SIZE(loc) };
	void *a[6], *b[3];
	struct dcase d;

	if (!dcase_begin(t, &d, "dbg-traces", 100, 0, SLAB_STORE_USER))
		return;
	traces_alloc(d.c, a, 6);
	traces_zalloc(d.c, b, 3);
	traces_free(d.c, a, 2);
	ASSERT(kmem_cache_traces(d.c, false, &tr, bits) == 0);
	/* Out: a[2..5] by traces_alloc, b by traces_zalloc, largest first. */
	ASSERT(tr.nr == 2);
	EXPECT_EQ(tr.loc[0].count, 4);
	EXPECT(named(tr.loc[0].caller, "traces_alloc"));
	EXPECT_EQ(tr.loc[1].count, 3);
	EXPECT(named(tr.loc[1].caller, "traces_zalloc"));
	EXPECT_EQ(tr.loc[0].cpus, 1ul << this_cpu());
	EXPECT(tr.loc[0].min_age_ms <= tr.loc[0].max_age_ms);
	EXPECT_EQ(tr.objects, kmem_cache_objects_out(d.c));
	EXPECT_EQ(tr.dropped, 0);
	/* Free: a[0..1] by traces_free, the rest never handed out (caller 0). */
	ASSERT(kmem_cache_traces(d.c, true, &tr, bits) == 0);
	ASSERT(tr.nr == 2);
	EXPECT_EQ(tr.loc[0].caller, 0);
	EXPECT_EQ(tr.loc[0].count, d.c->free_objects - 2);
	EXPECT(named(tr.loc[1].caller, "traces_free"));
	EXPECT_EQ(tr.loc[1].count, 2);
	EXPECT_EQ(traces_total(&tr), d.c->free_objects);
	/* A table of one: the other caller's objects are counted as dropped. */
	tr.max = 1;
	ASSERT(kmem_cache_traces(d.c, false, &tr, bits) == 0);
	EXPECT_EQ(tr.nr, 1);
	EXPECT_EQ(tr.objects, 7);
	EXPECT_EQ(tr.loc[0].count + tr.dropped, 7);
	EXPECT_EQ(kmem_cache_check(d.c), 0);
	traces_free(d.c, a + 2, 4);
	traces_free(d.c, b, 3);
	tr.max = ARRAY_SIZE(loc);
	ASSERT(kmem_cache_traces(d.c, false, &tr, bits) == 0);
	EXPECT_EQ(tr.nr, 0);
	EXPECT_EQ(tr.objects, 0);
	dcase_end(t, &d, 0);
}

/* The printed table, Linux's format: count, caller, ages, harts; refusals
 * name what is missing. */
static void traces_report(struct ktest *t)
{
	void *a[3];
	struct dcase d;
	char want[96];
	int rc;

	if (!dcase_begin(t, &d, "dbg-traces-show", 64, 0, SLAB_STORE_USER))
		return;
	traces_alloc(d.c, a, 3);
	console_capture_begin(out, sizeof(out));
	rc = kmem_cache_show_traces(d.c, false);
	console_capture_end();
	EXPECT_EQ(rc, 0);
	EXPECT(strncmp(out, "      3 traces_alloc+0x", 23) == 0);
	EXPECT(strstr(out, " age=") != NULL);
	console_capture_begin(out, sizeof(out));
	rc = kmem_cache_show_traces(d.c, true);
	console_capture_end();
	EXPECT_EQ(rc, 0);
	ksnprintf(want, sizeof(want), "%7lu <not-available>\n", d.c->free_objects);
	EXPECT_STREQ(out, want);
	traces_free(d.c, a, 3);
	dcase_end(t, &d, 0);

	if (!dcase_begin(t, &d, "dbg-traces-none", 64, 0, SLAB_CONSISTENCY_CHECKS))
		return;
	console_capture_begin(out, sizeof(out));
	rc = kmem_cache_show_traces(d.c, false);
	console_capture_end();
	EXPECT_EQ(rc, -EINVAL);
	EXPECT_STREQ(out, "alloc_traces: dbg-traces-none does not record its users: boot with "
			  "slab_debug=U,dbg-traces-none (or create it with SLAB_STORE_USER)\n");
	dcase_end(t, &d, 0);

	model = SLAB_SLOB;
	if (dcase_begin(t, &d, "dbg-traces-slob", 64, 0, SLAB_STORE_USER)) {
		console_capture_begin(out, sizeof(out));
		rc = kmem_cache_show_traces(d.c, true);
		console_capture_end();
		EXPECT_EQ(rc, -EOPNOTSUPP);
		EXPECT(strstr(out, "free_traces: dbg-traces-slob is a SLOB-model cache") == out);
		dcase_end(t, &d, 0);
	}
	model = SLAB_NOSLOB;
}

BOTH_MODELS(write_past_object)
BOTH_MODELS(write_before_object)
BOTH_MODELS(use_after_free)
BOTH_MODELS(double_free_tracked)
BOTH_MODELS(free_inside_object)
BOTH_MODELS(free_to_wrong_cache)
BOTH_MODELS(double_free_in_a_row)

KTEST_SUITE(slab_debug,
	KTEST_CASE(write_past_object),
	KTEST_CASE(write_past_object_slob),
	KTEST_CASE(write_before_object),
	KTEST_CASE(write_before_object_slob),
	KTEST_CASE(use_after_free),
	KTEST_CASE(use_after_free_slob),
	KTEST_CASE(double_free_tracked),
	KTEST_CASE(double_free_tracked_slob),
	KTEST_CASE(free_inside_object),
	KTEST_CASE(free_inside_object_slob),
	KTEST_CASE(free_to_wrong_cache),
	KTEST_CASE(free_to_wrong_cache_slob),
	KTEST_CASE(forged_free_pointer),
	KTEST_CASE(double_free_in_a_row),
	KTEST_CASE(double_free_in_a_row_slob),
	KTEST_CASE(traces_by_caller),
	KTEST_CASE(traces_report));
