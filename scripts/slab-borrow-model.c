/*
 * slab-borrow-model.c - borrowing between kmalloc classes in the slab slow
 * path, on the `mixed` and `lifetime` workloads (bench/workloads.c),
 * without running the allocator.
 *
 * It replays each workload's request sequence (mixed-requests.h: the same
 * xorshift64 seed, sizes and steps; lifetime: 1024 slots, 5% of the
 * allocations kept to the end, at most 8192 of them) through a model of the
 * slab layer of mm/slab.c on one hart, with today's geometry and caches:
 * the 35 kmalloc classes (mm/kmalloc.c; the mixes' requests between 256
 * and 512, of 448, 488 and 512 bytes, keep their classes, so the 34
 * classes before 288 was added give the same figures), the order rule (the smallest order
 * up to 3 wasting at most 1/16), magazines of at most 4 KiB of objects but
 * at least 6 (one for objects of a page or more), a depot of at most 4 KiB
 * of objects (none above 4 KiB), the free-slab rule (free objects in slabs
 * up to two batches and a slab). Objects are not laid out: the model tracks
 * the slab (and class) each object is in, which is all that decides when a
 * slab empties.
 *
 * Borrowing: when a class's magazine, depot and slabs are empty, before it
 * grows a new slab it takes free objects of the next `up` larger classes
 * (lenders), nearest first, if a lender is at most `waste`% larger and
 * (with `aligned`) its alignment is at least the class's (kmalloc's powers
 * of two up to a page are aligned to their size: such a class can only
 * borrow from a larger power of two). From where: the lenders' partial
 * slabs (`partial`), and also their free slabs (`free`), and also their
 * depots (`depot`). How many: `one` takes the single object the allocation
 * returns (the magazine stays empty, so the next allocation comes back;
 * a magazine never holds another class's object), `batch` fills the
 * magazine up to a batch (a borrowed object in a magazine or depot goes
 * back to its owner's slab when flushed). A borrowed object freed goes to
 * its owner (kfree finds the cache from the page). `min_size`: only classes
 * of at least that size borrow; `credit`: a class may borrow that many
 * slabs' worth of objects after each slab it grows and each full magazine
 * it flushes, none before its first slab (mm/slab.c's rule is 4 slabs from
 * 128 bytes up, the nearest aligned lender at most twice the size, partial
 * slabs only, one object).
 *
 * What it prints per configuration: the peak of slab pages and its
 * overhead over the peak of live requested bytes (the bench's overhead_pct
 * without the descriptors and magazine arrays, a few KiB), and per 1000
 * operations the slow paths taken: refills and flushes (from or to the
 * slabs or depot), borrows (slow paths that took objects from a lender),
 * slabs grown.
 *
 * Draining (`drain`): before a class grows, every other class's depot (1),
 * or its depot and magazine (2), goes back to its slabs and every free slab
 * then goes back to the page allocator: what a grow could do to take the
 * cached free objects of the other classes off the peak. Printed: how many
 * drains the run made.
 *
 * Magazines by use (`use_div`, the "magazines sized to a cache's
 * use"): a flush happens when the magazine holds more than the class's
 * objects out of the cache / use_div (at least `use_min`, at most the
 * static limit) and leaves half that bound, so a class with few objects in
 * use caches few. The objects out are counted from the slabs, as the slow
 * path could keep them.
 *
 * With an argument N, each configuration also runs with N - 1 other seeds
 * and prints the mean and range of the overheads (the peak of one run is
 * decided by a few pages at one moment, so one seed says little about a
 * difference of a few points).
 *
 *     cc -O2 -o /tmp/slab-borrow-model scripts/slab-borrow-model.c && /tmp/slab-borrow-model 20
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mixed-requests.h"
#include "slab-order.h"

/* mm/kmalloc.c: kmalloc_sizes. */
static const unsigned int classes[] = {
	16,   32,   48,   64,   80,   96,   112,  128,  160,  192,  224,  256,
	288,  336,  400,  448,  512,  640,  768,  896,  1024, 1088, 1280, 1536,
	1792, 2048, 2560, 3072, 3584, 4096, 4608, 5120, 6144, 7168, 8192,
};
#define NCLASSES ((int)(sizeof(classes) / sizeof(classes[0])))

#define PAGE 4096ul
#define MAX_SLABS 1024 /* per class; the workloads need at most about 60 */
#define OBJ(cls, slab) ((cls) * MAX_SLABS + (slab))
#define OBJ_CLASS(o) ((o) / MAX_SLABS)
#define OBJ_SLAB(o) ((o) % MAX_SLABS)

enum source { PARTIAL_ONLY, AND_FREE, AND_DEPOT, AND_MAGAZINE };
enum amount { ONE, BATCH };

struct config {
	const char *name;
	int up;                /* lenders: at most this many classes (0: no borrowing) */
	unsigned int waste;    /* a lender at most this % larger */
	int aligned;           /* a lender's alignment at least the class's */
	enum source source;
	enum amount amount;
	int adjacent;          /* lenders only among the next `up` classes (else any that fit) */
	int existing;          /* only classes the workload has requests of */
	unsigned int min_size; /* only classes of at least this size borrow */
	int drain;             /* before a grow: 1 the other classes' depots, 2 their depots and
				* magazines back to their slabs, then every free slab given back */
	unsigned int use_div;  /* 0: static magazines; else the bound is objects out / use_div */
	unsigned int use_min;  /* ... but at least this */
	unsigned int credit;   /* 0: unbounded; k: k slabs' worth of objects per slab grown or
				* full magazine flushed, none before the first slab (mm/slab.c) */
};

struct cls {
	unsigned int size, align, order, per;
	unsigned int limit, batch, depot;
	unsigned long free_limit;
	int inuse[MAX_SLABS], list[MAX_SLABS];
	unsigned long stamp[MAX_SLABS]; /* when it last changed list: newest first */
	int mag[512], nmag, dep[512], ndep; /* objects (OBJ) cached */
	unsigned long free_objects;
	int lender[NCLASSES], nlenders;
	long credit; /* objects it may still borrow before it grows */
};

static struct cls cl[NCLASSES];
static const struct config *cfg;
static unsigned long drains;
static unsigned long clock_, pages, refills, flushes, borrows, borrowed, grows;

#include "slab-lists.h"

static int class_of(unsigned int size)
{
	for (int i = 0; i < NCLASSES; i++)
		if (size <= classes[i])
			return i;
	return NCLASSES - 1;
}

/* mm/slab.c's order rule at 1/16 waste (scripts/slab-order.h). */
static unsigned int slab_order(unsigned int size)
{
	return model_slab_order(size, PAGE, 16);
}

/* Classes some request of the size table maps to (the caches kmalloc makes). */
static int used[NCLASSES];

static int class_of(unsigned int size);

static void setup(void)
{
	for (unsigned int i = 0; i < NSIZES; i++)
		used[class_of(sizes[i][0])] = 1;
	for (int i = 0; i < NCLASSES; i++) {
		struct cls *c = &cl[i];
		unsigned int s = classes[i], linux_limit = s > PAGE ? 8 : s > 1024 ? 24 : s > 256 ? 54 : 120;
		unsigned int min = s >= PAGE ? 1 : 6, by_bytes = 4096 / s;
		unsigned long batch_bytes;

		*c = (struct cls){ .size = s, .order = slab_order(s) };
		c->align = (s & (s - 1)) == 0 && s <= PAGE ? s : 16;
		c->per = (unsigned int)((PAGE << c->order) / s);
		c->limit = by_bytes > min ? by_bytes : min;
		if (c->limit > linux_limit)
			c->limit = linux_limit;
		c->batch = (c->limit + 1) / 2;
		batch_bytes = (unsigned long)c->batch * s; /* mm/slab.c: default_depot_batches */
		c->depot = s > 4096 ? 0 : (2 * batch_bytes <= 4096 ? 2 : 1) * c->batch;
		c->free_limit = 2ul * c->batch + c->per; /* one hart */
		for (int j = i + 1; j < NCLASSES && c->nlenders < cfg->up && s >= cfg->min_size; j++) {
			unsigned int t = classes[j], talign = (t & (t - 1)) == 0 && t <= PAGE ? t : 16;

			if ((unsigned long)t * 100 > (unsigned long)s * (100 + cfg->waste))
				break;
			if (cfg->aligned && talign < c->align)
				continue;
			if (cfg->adjacent && j > i + cfg->up)
				break;
			if (cfg->existing && !used[j])
				continue;
			c->lender[c->nlenders++] = j;
		}
	}
	drains = 0;
	clock_ = pages = refills = flushes = borrows = borrowed = grows = 0;
}

static int slab_with_free(const struct cls *c)
{
	int s = newest_on(c, PARTIAL);

	return s >= 0 ? s : newest_on(c, FREE);
}

static int grow(struct cls *c)
{
	int s = new_slab(c, "slab-borrow-model");

	c->credit = (long)c->per * cfg->credit;
	return s;
}

/* Take up to n objects of slab s of class ci onto dst; returns how many. */
static int take_slab(int ci, int s, int *dst, int n)
{
	struct cls *c = &cl[ci];
	int k = (int)c->per - c->inuse[s];

	if (k > n)
		k = n;
	for (int i = 0; i < k; i++)
		dst[i] = OBJ(ci, s);
	c->inuse[s] += k;
	c->free_objects -= (unsigned long)k;
	relist(c, s);
	return k;
}

/* Free objects of the class's lenders, up to n, onto dst: partial slabs
 * of every lender first, then (by the configuration) their free slabs,
 * then their depots. Returns how many. */
static int borrow(struct cls *c, int *dst, int n)
{
	int got = 0;

	for (int kind = 0; kind <= (int)cfg->source && got < n; kind++)
		for (int i = 0; i < c->nlenders && got < n; i++) {
			int li = c->lender[i];
			struct cls *l = &cl[li];

			if (kind == 2) {
				while (l->ndep && got < n)
					dst[got++] = l->dep[--l->ndep];
				continue;
			}
			if (kind == 3) {
				while (l->nmag && got < n)
					dst[got++] = l->mag[--l->nmag];
				continue;
			}
			for (int s; got < n && (s = newest_on(l, kind == 0 ? PARTIAL : FREE)) >= 0;)
				got += take_slab(li, s, dst + got, n - got);
		}
	if (got) {
		borrows++;
		borrowed += (unsigned long)got;
	}
	return got;
}

static void to_slab(int o);

/* Every class but @except: its depot (and its magazine, drain 2) to its
 * slabs, then all its free slabs back. */
static void drain_all(int except)
{
	drains++;
	for (int i = 0; i < NCLASSES; i++) {
		struct cls *c = &cl[i];
		unsigned long keep = c->free_limit;

		if (i == except)
			continue;
		while (c->ndep)
			to_slab(c->dep[--c->ndep]);
		if (cfg->drain > 1)
			while (c->nmag)
				to_slab(c->mag[--c->nmag]);
		c->free_limit = 0;
		trim_free_slabs(c);
		c->free_limit = keep;
	}
}

/* Take up to n objects from the class's slabs, else (when it has no free
 * object) from its lenders, else a new slab; at least one. */
static int take_from_slabs(int ci, int *dst, int n)
{
	struct cls *c = &cl[ci];
	int got = 0;

	while (got < n) {
		int s = slab_with_free(c);

		if (s < 0) {
			if (got)
				break;
			if (c->nlenders && (!cfg->credit || c->credit > 0) &&
			    (got = borrow(c, dst, cfg->amount == ONE ? 1 : n))) {
				c->credit -= got;
				break;
			}
			if (cfg->drain)
				drain_all(ci);
			s = slab_with_free(c);
			if (s < 0)
				s = grow(c);
		}
		got += take_slab(ci, s, dst + got, n - got);
	}
	return got;
}

/* An object back to its owner's slab, the rule applied there. */
static void to_slab(int o)
{
	struct cls *c = &cl[OBJ_CLASS(o)];
	int s = OBJ_SLAB(o);

	c->inuse[s]--;
	c->free_objects++;
	relist(c, s);
	trim_free_slabs(c);
}

static int model_alloc(int ci)
{
	struct cls *c = &cl[ci];

	if (!c->nmag) {
		refills++;
		if (c->ndep) {
			refill_from_depot(c);
		} else {
			int got = take_from_slabs(ci, c->mag, (int)c->batch);

			if (got == 1 && OBJ_CLASS(c->mag[0]) != ci && cfg->amount == ONE)
				return c->mag[0]; /* borrowed: straight to the caller */
			c->nmag = got;
		}
	}
	return c->mag[--c->nmag];
}

/* The magazine's bound now: the static limit, or with use_div the objects
 * out of the cache (in slabs, not free, not cached) / use_div. */
static int magazine_bound(const struct cls *c)
{
	unsigned long slabs = 0, out, by_use;

	if (!cfg->use_div)
		return (int)c->limit;
	for (int s = 0; s < MAX_SLABS; s++)
		slabs += c->list[s] != OFF;
	out = slabs * c->per - c->free_objects - (unsigned long)(c->nmag + c->ndep);
	by_use = out / cfg->use_div;
	if (by_use < cfg->use_min)
		by_use = cfg->use_min;
	return by_use < c->limit ? (int)by_use : (int)c->limit;
}

/* A free: to the owner's magazine (kfree finds the owner from the page). */
static void model_free(int o)
{
	struct cls *c = &cl[OBJ_CLASS(o)];
	int bound = magazine_bound(c);

	if (c->nmag >= bound) { /* full: its newest objects above half the bound, depot first */
		int room = (int)c->depot - c->ndep, n = cfg->use_div ? c->nmag - bound / 2 : (int)c->batch;

		flushes++;
		c->credit = (long)c->per * cfg->credit;
		c->nmag -= n;
		for (int i = 0; i < n; i++) {
			if (room-- > 0)
				c->dep[c->ndep++] = c->mag[c->nmag + i];
			else
				to_slab(c->mag[c->nmag + i]);
		}
	}
	c->mag[c->nmag++] = o;
}

struct workload {
	const char *name;
	unsigned int slots, long_permille, long_max;
};

static int verbose;

/* Per class at the peak: slab KiB, live objects' class bytes, free objects in
 * slabs, cached objects (magazine and depot). */
static void snapshot(unsigned long *snap)
{
	for (int i = 0; i < NCLASSES; i++) {
		struct cls *c = &cl[i];
		unsigned long slabs = 0;

		for (int s = 0; s < MAX_SLABS; s++)
			slabs += c->list[s] != OFF;
		snap[4 * i] = slabs << c->order;
		snap[4 * i + 1] = c->free_objects;
		snap[4 * i + 2] = (unsigned long)(c->nmag + c->ndep);
		snap[4 * i + 3] = slabs * c->per - c->free_objects;
	}
}

static void run_seed(const struct workload *w, const struct config *c, uint64_t seed, double *pct, double *rates)
{
	static unsigned int size_of[SLOTS + 8192];
	static int where[SLOTS + 8192];
	unsigned long live = 0, peak_live = 0, peak_pages = 0, ops = 0;
	unsigned int nlong = 0;
	uint64_t x = seed;
	static unsigned long snap[4 * NCLASSES];

	cfg = c;
	setup();
	memset(size_of, 0, sizeof(size_of));
	for (unsigned int step = 0; step < STEPS; step++) {
		unsigned int slot = (unsigned int)(xorshift64(&x) % w->slots), size = size_of[slot];

		ops++;
		if (size) {
			live -= size;
			size_of[slot] = 0;
			model_free(where[slot]);
		} else {
			uint64_t rs = xorshift64(&x);

			size = pick_size(rs);
			if (w->long_permille && (rs >> 40) % 1000 < w->long_permille && nlong < w->long_max)
				slot = SLOTS + nlong++; /* kept to the end */
			size_of[slot] = size;
			live += size;
			where[slot] = model_alloc(class_of(size));
			if (live > peak_live)
				peak_live = live;
		}
		if (pages > peak_pages) {
			peak_pages = pages;
			if (verbose)
				snapshot(snap);
		}
	}
	if (verbose)
		for (int i = 0; i < NCLASSES; i++)
			if (snap[4 * i])
				printf("  kmalloc-%-5u %4lu pages, %4lu objects out, %4lu free in slabs (%3lu KiB), %3lu cached (%3lu KiB)\n",
				       classes[i], snap[4 * i], snap[4 * i + 3], snap[4 * i + 1],
				       snap[4 * i + 1] * classes[i] >> 10, snap[4 * i + 2], snap[4 * i + 2] * classes[i] >> 10);
	*pct = 100.0 * (double)(peak_pages * PAGE - peak_live) / (double)peak_live;
	rates[0] = 1000.0 * (double)refills / (double)ops;
	rates[1] = 1000.0 * (double)flushes / (double)ops;
	rates[2] = 1000.0 * (double)borrows / (double)ops;
	rates[3] = 1000.0 * (double)borrowed / (double)ops;
	rates[4] = 1000.0 * (double)grows / (double)ops;
	if (0)
	printf("%-8s %-44s %5lu KiB %5.1f%%  refills %5.1f flushes %5.1f borrows %5.1f (objects %5.1f) "
	       "grows %4.1f\n", w->name, c->name, peak_pages * PAGE >> 10,
	       100.0 * (double)(peak_pages * PAGE - peak_live) / (double)peak_live,
	       1000.0 * (double)refills / (double)ops, 1000.0 * (double)flushes / (double)ops,
	       1000.0 * (double)borrows / (double)ops, 1000.0 * (double)borrowed / (double)ops,
	       1000.0 * (double)grows / (double)ops);
}

static unsigned int nseeds = 1;

/* The configuration on the workload, with mixed's seed and then nseeds - 1
 * others (the mean of the overheads; the rates are the first seed's). */
static void run(const struct workload *w, const struct config *c)
{
	uint64_t seed = SEED;
	double pct, sum = 0, lo = 1e9, hi = 0, rates[5], r[5];

	for (unsigned int i = 0; i < nseeds; i++) {
		run_seed(w, c, seed, &pct, i ? r : rates);
		sum += pct;
		lo = pct < lo ? pct : lo;
		hi = pct > hi ? pct : hi;
		if (i == 0)
			printf("%-8s %-48s %5.1f%%", w->name, c->name, pct);
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
	}
	if (nseeds > 1)
		printf(" (%u seeds: mean %5.1f%%, %4.1f .. %4.1f)", nseeds, sum / nseeds, lo, hi);
	printf("  drains %lu refills %5.1f flushes %4.1f borrows %4.1f (objects %4.1f) grows %3.1f\n", drains, rates[0],
	       rates[1], rates[2], rates[3], rates[4]);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		nseeds = (unsigned int)atoi(argv[1]);
	verbose = argc > 2;
	static const struct workload work[] = {
		{ "mixed", SLOTS, 0, 0 },
		{ "lifetime", 1024, 50, 8192 },
	};
	static const struct config configs[] = {
		{ .name = "no borrowing", .up = 0, .waste = 0, .aligned = 1, .adjacent = 1 },
		{ .name = "next class, partial, one", .up = 1, .waste = 100, .aligned = 1, .adjacent = 1 },
		{ .name = "next class, partial, batch", .up = 1, .waste = 100, .aligned = 1, .amount = BATCH, .adjacent = 1 },
		{ .name = "next 2 classes, partial, one", .up = 2, .waste = 100, .aligned = 1, .adjacent = 1 },
		{ .name = "next 2 classes, partial, batch", .up = 2, .waste = 100, .aligned = 1, .amount = BATCH, .adjacent = 1 },
		{ .name = "next 2 classes, partial+free+depot, one", .up = 2, .waste = 100, .aligned = 1, .source = AND_DEPOT, .adjacent = 1 },
		{ .name = "next 2 classes, +their magazines, one", .up = 2, .waste = 100, .aligned = 1, .source = AND_MAGAZINE, .adjacent = 1 },
		{ .name = "next 3 classes, partial, one", .up = 3, .waste = 100, .aligned = 1, .adjacent = 1 },
		{ .name = "2 aligned <=50%, partial, one", .up = 2, .waste = 50, .aligned = 1 },
		{ .name = "2 aligned existing <=100%, partial, one", .up = 2, .waste = 100, .aligned = 1, .existing = 1 },
		{ .name = "2 aligned existing <=100%, p+f+depot, one", .up = 2, .waste = 100, .aligned = 1, .source = AND_DEPOT, .existing = 1 },
		{ .name = "aligned <=100%, partial, one", .up = 40, .waste = 100, .aligned = 1 },
		{ .name = "aligned <=100%, partial, batch", .up = 40, .waste = 100, .aligned = 1, .amount = BATCH },
		{ .name = "aligned <=100%, p+f+depot, one", .up = 40, .waste = 100, .aligned = 1, .source = AND_DEPOT },
		{ .name = "aligned <=200%, p+f+depot, one", .up = 40, .waste = 200, .aligned = 1, .source = AND_DEPOT },
		{ .name = "aligned <=100%, partial, one, from 128", .up = 40, .waste = 100, .aligned = 1, .min_size = 128 },
		{ .name = "aligned <=100%, partial, one, from 256", .up = 40, .waste = 100, .aligned = 1, .min_size = 256 },
		{ .name = "the same from 128, credit 1 slab", .up = 40, .waste = 100, .aligned = 1, .min_size = 128, .credit = 1 },
		{ .name = "the same from 128, credit 2 slabs", .up = 40, .waste = 100, .aligned = 1, .min_size = 128, .credit = 2 },
		{ .name = "the same from 128, credit 4 slabs (mm/slab.c)", .up = 40, .waste = 100, .aligned = 1, .min_size = 128, .credit = 4 },
		{ .name = "the same from 128, credit 8 slabs", .up = 40, .waste = 100, .aligned = 1, .min_size = 128, .credit = 8 },
		{ .name = "next 2 classes, partial, one, alignment ignored", .up = 2, .waste = 100, .aligned = 0, .adjacent = 1 },
		{ .name = "any larger, p+f+depot, one, alignment ignored", .up = 40, .waste = 10000, .aligned = 0, .source = AND_DEPOT },
		{ .name = "mm/slab.c, drain depots before a grow", .up = 40, .waste = 100, .aligned = 1, .min_size = 128, .credit = 4, .drain = 1 },
		{ .name = "mm/slab.c, drain depots+magazines first", .up = 40, .waste = 100, .aligned = 1, .min_size = 128, .credit = 4, .drain = 2 },
		{ .name = "no borrowing, drain depots+magazines first", .up = 0, .waste = 0, .aligned = 1, .adjacent = 1, .drain = 2 },
		{ .name = "mm/slab.c, magazines by use: out / 2", .up = 40, .waste = 100, .aligned = 1, .min_size = 128, .credit = 4, .use_div = 2, .use_min = 1 },
		{ .name = "mm/slab.c, magazines by use: out / 4", .up = 40, .waste = 100, .aligned = 1, .min_size = 128, .credit = 4, .use_div = 4, .use_min = 1 },
		{ .name = "mm/slab.c, magazines by use: out / 8, >= 2", .up = 40, .waste = 100, .aligned = 1, .min_size = 128, .credit = 4, .use_div = 8, .use_min = 2 },
		{ .name = "mm/slab.c, magazines by use: out / 16, >= 2", .up = 40, .waste = 100, .aligned = 1, .min_size = 128, .credit = 4, .use_div = 16, .use_min = 2 },
	};


	for (unsigned int w = 0; w < sizeof(work) / sizeof(work[0]); w++)
		for (unsigned int i = 0; i < sizeof(configs) / sizeof(configs[0]); i++)
			run(&work[w], &configs[i]);
	return 0;
}
