/*
 * slab_traces.c - who holds a cache's objects: Linux's
 * /sys/kernel/debug/slab/NAME/alloc_traces and free_traces, for a cache
 * that records its users (SLAB_STORE_USER: slab_debug=U, mm/slab_debug.c).
 *
 * Every object of such a cache carries two struct slab_track: who last
 * allocated it and who last freed it (caller address, hart, and the time in
 * milliseconds since boot). A debug cache has no magazines, so each object
 * is either on its slab's free list (or fresh: never handed out) or out
 * with its allocator. kmem_cache_traces walks every slab of the cache under
 * the cache lock, marks the free objects of each slab in a bitmap, and
 * counts the objects that are out (alloc traces) or free (free traces) per
 * recorded caller: how many, their ages (min / average / max) and the harts
 * that recorded them. Fresh objects and objects freed before any record
 * count under caller 0, printed as <not-available>, as Linux prints them.
 * The table is sorted by count, largest first: a leak shows as the top
 * line growing from one look to the next.
 *
 * The walk reads, never writes; it allocates its table and bitmap before
 * it takes the lock. A caller that finds no room in the table is counted in
 * `dropped` and reported on a last line, never lost silently. SLOB-model
 * caches (slab=slob) have no slabs to walk and are refused with a message.
 */
#include <lib/kstring.h>
#include <mm/port.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/mm_report.h>
#include <mm/slab.h>

#include "slab_internal.h"

#define TRACES_MAX 128 /* callers kmem_cache_show_traces lists */
#define TRACES_ORDER 1  /* its table and a slab's free bitmap: 8 KiB */
_Static_assert(TRACES_MAX * sizeof(struct slab_trace) + (PAGE_SIZE << SLAB_MAX_ORDER) / sizeof(void *) / 8 <=
		       PAGE_SIZE << TRACES_ORDER,
	       "the table and a bitmap of the largest slab's objects (each at least a\n"
	       "free link) fit the pages");

static u32 age_ms(u32 now, u32 when)
{
	return now - when; /* (wraps with the clock after 49 days, as jiffies do) */
}

/* Count one object recorded by @t in table @tr. */
static void count_object(struct slab_traces *tr, const struct slab_track *t, u32 now)
{
	unsigned long caller = t ? t->caller : 0;
	u32 age = t && caller ? age_ms(now, t->when_ms) : 0;
	struct slab_trace *e = NULL;

	tr->objects++;
	/* Neighbours mostly share a caller: the last entry found first. */
	if (tr->last < tr->nr && tr->loc[tr->last].caller == caller)
		e = &tr->loc[tr->last];
	for (unsigned int i = 0; !e && i < tr->nr; i++)
		if (tr->loc[i].caller == caller) {
			e = &tr->loc[i];
			tr->last = i;
		}
	if (!e) {
		if (tr->nr == tr->max) {
			tr->dropped++;
			return;
		}
		tr->last = tr->nr;
		e = &tr->loc[tr->nr++];
		*e = (struct slab_trace){ .caller = caller, .min_age_ms = age, .max_age_ms = age };
	}
	e->count++;
	e->sum_age_ms += age;
	e->min_age_ms = MIN(e->min_age_ms, age);
	e->max_age_ms = MAX(e->max_age_ms, age);
	if (t && caller && t->cpu < MAX_HARTS)
		e->cpus |= 1ul << t->cpu;
}

/* Mark the free objects of slab @head in @free (bit i: object i); fresh
 * objects too. A broken free list stops the walk where it leaves the slab
 * (kmem_cache_check reports it). */
static void mark_free(const struct kmem_cache *c, const struct page *head, unsigned long *free)
{
	const char *first = first_object(c, head);
	void *p = head->slab_free ? slab_base(head) + head->slab_free - 1 : NULL;
	unsigned int n = 0;

	memset(free, 0, BITS_TO_LONGS(c->objs_per_slab) * sizeof(long));
	for (unsigned int i = c->objs_per_slab - head->slab_fresh; i < c->objs_per_slab; i++)
		free[i / BITS_PER_LONG] |= 1ul << (i % BITS_PER_LONG);
	while (p && n++ < c->objs_per_slab && is_object_from(c, first, p) && !is_fresh(c, head, p)) {
		unsigned int i = obj_index(c, (unsigned long)((char *)p - first));

		free[i / BITS_PER_LONG] |= 1ul << (i % BITS_PER_LONG);
		p = get_fp(c, p);
	}
}

static void walk_slab(const struct kmem_cache *c, const struct page *head, bool freed,
		      unsigned long *free, struct slab_traces *tr, u32 now)
{
	char *first = first_object(c, head);

	mark_free(c, head, free);
	for (unsigned int i = 0; i < c->objs_per_slab; i++) {
		bool is_free = free[i / BITS_PER_LONG] & (1ul << (i % BITS_PER_LONG));
		bool fresh = i >= c->objs_per_slab - head->slab_fresh;
		const struct slab_track *t =
			(const struct slab_track *)(first + (unsigned long)i * c->size + c->track_offset);

		if (is_free != freed)
			continue;
		count_object(tr, fresh ? NULL : &t[freed ? 1 : 0], now);
	}
}

static void walk_list(const struct kmem_cache *c, const struct slab_list *l, bool freed,
		      unsigned long *free, struct slab_traces *tr, u32 now)
{
	unsigned long n = 0;

	for (u32 pfn = l->first; pfn != SLAB_NIL && pfn_valid(pfn) && n++ < c->nr_slabs;
	     pfn = pfn_to_page(pfn)->slab_next)
		walk_slab(c, pfn_to_page(pfn), freed, free, tr, now);
}

static int by_count(const struct slab_trace *a, const struct slab_trace *b)
{
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return a->caller < b->caller ? -1 : a->caller > b->caller;
}

static void sort_traces(struct slab_traces *tr)
{
	for (unsigned int i = 1; i < tr->nr; i++) {
		struct slab_trace e = tr->loc[i];
		unsigned int j = i;

		for (; j > 0 && by_count(&e, &tr->loc[j - 1]) < 0; j--)
			tr->loc[j] = tr->loc[j - 1];
		tr->loc[j] = e;
	}
}

int kmem_cache_traces_check(const struct kmem_cache *c)
{
	if (c->flags & SLAB_SLOB)
		return -EOPNOTSUPP;
	if (!(c->flags & SLAB_STORE_USER))
		return -EINVAL;
	return 0;
}

int kmem_cache_traces(struct kmem_cache *c, bool freed, struct slab_traces *tr, unsigned long *free)
{
	int rc = kmem_cache_traces_check(c);
	u32 now = (u32)(time_now_us() / 1000);
	unsigned long irq;

	if (rc)
		return rc;
	tr->nr = tr->last = 0;
	tr->objects = tr->dropped = 0;
	irq = spin_lock_irqsave(&c->lock);
	walk_list(c, &c->full, freed, free, tr, now);
	walk_list(c, &c->partial, freed, free, tr, now);
	walk_list(c, &c->free, freed, free, tr, now);
	spin_unlock_irqrestore(&c->lock, irq);
	sort_traces(tr);
	return 0;
}

/* "0-2,5": the harts of mask @m, as Linux's %*pbl. */
static void format_cpus(char *buf, size_t size, unsigned long m)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < MAX_HARTS && n < size; i++) {
		unsigned int j = i;

		if (!(m & (1ul << i)))
			continue;
		while (j + 1 < MAX_HARTS && (m & (1ul << (j + 1))))
			j++;
		n += (size_t)ksnprintf(buf + n, size - n, j > i ? "%s%u-%u" : "%s%u", n ? "," : "", i, j);
		i = j;
	}
}

static void print_trace(const struct slab_trace *e)
{
	char cpus[MAX_HARTS * 4], who[300]; /* (a symbol, or a library's path and offset) */

	if (e->caller)
		mm_describe_caller(who, sizeof(who), e->caller);
	kprintf("%7lu %s", e->count, e->caller ? who : "<not-available>");
	if (e->caller) {
		if (e->min_age_ms != e->max_age_ms)
			kprintf(" age=%u/%llu/%u", e->min_age_ms,
				(unsigned long long)(e->sum_age_ms / e->count), e->max_age_ms);
		else
			kprintf(" age=%u", e->min_age_ms);
		format_cpus(cpus, sizeof(cpus), e->cpus);
		if (nr_online_cpus() > 1 && cpus[0])
			kprintf(" cpus=%s", cpus);
	}
	kprintf("\n");
}

int kmem_cache_show_traces(struct kmem_cache *c, bool freed)
{
	const char *what = freed ? "free_traces" : "alloc_traces";
	struct slab_traces tr = { .max = TRACES_MAX };
	unsigned long mem;
	int rc = kmem_cache_traces_check(c);

	if (rc == -EOPNOTSUPP)
		kprintf("%s: %s is a SLOB-model cache: its objects are SLOB blocks, with no slab to walk\n",
			what, c->name);
	else if (rc == -EINVAL)
		kprintf("%s: %s does not record its users: boot with slab_debug=U,%s (or create it "
			"with SLAB_STORE_USER)\n", what, c->name, c->name);
	if (rc)
		return rc;
	/* Pages, not kmalloc: the table must not show up in the caches it
	 * counts. */
	mem = __get_free_pages(GFP_KERNEL, TRACES_ORDER);
	if (!mem) {
		kprintf("%s: %s: no memory for the table\n", what, c->name);
		return -ENOMEM;
	}
	tr.loc = (struct slab_trace *)mem;
	kmem_cache_traces(c, freed, &tr, (unsigned long *)(tr.loc + TRACES_MAX));
	for (unsigned int i = 0; i < tr.nr; i++)
		print_trace(&tr.loc[i]);
	if (!tr.objects)
		kprintf("No data\n");
	if (tr.dropped)
		kprintf("%7lu objects of further callers (the table holds %u)\n", tr.dropped, tr.max);
	free_pages(mem, TRACES_ORDER);
	return 0;
}
