/*
 * slab_check.c - read-only walks of the slab caches: kmem_cache_check, the
 * consistency checker tests call after every step, and the reports
 * (slabinfo, slabinfo -s, the page totals meminfo prints).
 *
 * Nothing here changes a cache. kmem_cache_check and the slabinfo row take
 * the cache lock, so they see a cache between two operations; the magazine
 * fills of show_slabstats are read without the harts' cooperation and are
 * exact only while those harts are quiet.
 *
 * What the checker proves, for a cache at rest (the invariants mm/slab.c
 * keeps; mm/slab_internal.h has the layout):
 *   - each list (full, partial, free) is a well-linked chain of slab head
 *     pages, no loops, back links right, its count right; every slab is on
 *     the list its fill says; the slabs on the lists are nr_slabs;
 *   - every page of a slab is PGTY_SLAB and names the cache; the head page
 *     has the cache's order and each tail its distance from the head;
 *   - each slab's free list, its links decoded, stays inside the slab on
 *     object boundaries before its fresh objects, has no loop, and linked
 *     + fresh + inuse = objs_per_slab (fresh objects only in a cache that
 *     makes slabs lazily); the free objects of all slabs are free_objects;
 *   - with SLAB_RED_ZONE or poisoning, every free object's red zones are
 *     inactive and its poison intact (a write after free shows here before
 *     the object is handed out again);
 *   - every hart's magazine is the shared empty one or in its bounds with
 *     base[0] NULL, and holds only objects of this cache;
 *   - the depot is within its capacity (an array exactly when the capacity
 *     is not 0) and holds only objects of this cache;
 *   - the free-slab rule: no free slab is kept while the slabs hold more
 *     than free_limit free objects.
 * It prints at most MAX_REPORTS problems per call and returns their number.
 */
#include <lib/kstring.h>
#include <mm/kasan.h>
#include <mm/mm.h>
#include <mm/slab.h>

#include "slab_internal.h"

/* ============================ reports ==================================== */

struct pages_arg {
	bool reclaimable;
	unsigned long pages;
};

static void count_pages(struct kmem_cache *c, void *arg)
{
	struct pages_arg *a = arg;

	if (!!(c->flags & SLAB_RECLAIM_ACCOUNT) == a->reclaimable)
		a->pages += c->nr_slabs << c->order;
}

unsigned long slab_total_pages(bool reclaimable)
{
	struct pages_arg a = { reclaimable, 0 };

	slab_for_each_cache(count_pages, &a);
	return a.pages;
}

static void slabinfo_row(struct kmem_cache *c, void *arg)
{
	if (c->flags & SLAB_SLOB) {
		slob_cache_slabinfo_row(c);
		return;
	}
	unsigned long irq = spin_lock_irqsave(&c->lock);
	unsigned long num = c->nr_slabs * c->objs_per_slab, active = kmem_cache_objects_out(c);
	unsigned long active_slabs = c->full.count + c->partial.count, slabs = c->nr_slabs;
	unsigned int shared = c->batch ? c->depot_limit / c->batch : 0, shared_avail = c->depot_avail;

	spin_unlock_irqrestore(&c->lock, irq);
	(void)arg;
	kprintf("%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu %6lu %6u\n",
		c->name, active, num, c->size, c->objs_per_slab, 1 << c->order, c->limit, c->batch,
		shared, active_slabs, slabs, shared_avail);
}

void show_slabinfo(void)
{
	kprintf("slabinfo - version: 2.1\n");
	kprintf("# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
		" : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs>"
		" <num_slabs> <sharedavail>\n");
	slab_for_each_cache(slabinfo_row, NULL);
}

/* One cache's counters and this moment's magazine fill per hart (read
 * without the harts' cooperation: a snapshot, exact when they are quiet). */
static void slabstats_row(struct kmem_cache *c, void *arg)
{
	char mags[MAX_HARTS * 16];
	int n = 0;

	(void)arg;
	mags[0] = '\0';
	for (unsigned int cpu = 0; cpu < nr_online_cpus() && cpu < MAX_HARTS; cpu++) {
		const struct slab_cpu *sc = cpu_slab(c, cpu);

		if (magazine_real(sc) && n >= 0 && (size_t)n < sizeof(mags))
			n += ksnprintf(mags + n, sizeof(mags) - (size_t)n, " %u:%ld", cpu,
				       magazine_count(c, sc));
	}
	kprintf("%-17s %8lu %8lu %6lu %6lu %6lu %5u %5u%s depot %u/%u borrowed %lu lent %lu\n",
		c->name, c->nr_refills, c->nr_flushes, c->nr_grows, c->nr_reaps, c->nr_errors, c->limit,
		c->batch, n ? mags : " -", c->depot_avail, c->depot_limit, c->nr_borrowed, c->nr_lent);
}

void show_slabstats(void)
{
	kprintf("# name             refills  flushes  grows  reaps errors limit batch"
		" magazines (cpu:objects) depot objects/capacity borrowed lent\n");
	slab_for_each_cache(slabstats_row, NULL);
	kprintf("shrinker %s: scans %lu, pages freed %lu\n", slab_shrinker.name, slab_shrinker.nr_scans,
		slab_shrinker.nr_freed);
}

/* ============================ the checker ================================ */

#define MAX_REPORTS 8

struct check {
	struct kmem_cache *c;
	int errors;
};

static void problem(struct check *k, const void *where, const char *what)
{
	if (k->errors++ < MAX_REPORTS)
		kprintf("kmem_cache_check: %s: %p: %s\n", k->c->name, where, what);
}

/* Check one slab; returns its free objects. */
static unsigned long check_slab(struct check *k, struct page *head, const struct slab_list *l)
{
	struct kmem_cache *c = k->c;
	void *p = head->slab_free ? slab_base(head) + head->slab_free - 1 : NULL;
	unsigned long nfree = 0;
	unsigned int at;

	if (page_type(head) != PGTY_SLAB || head->slab_cache != c || !PageHead(head) ||
	    page_order(head) != c->order)
		problem(k, head, "slab head page not marked for this cache");
	for (unsigned int i = 1; i < (1u << c->order); i++)
		if (page_type(&head[i]) != PGTY_SLAB || head[i].slab_cache != c ||
		    head[i].slab_prev != i)
			problem(k, &head[i], "slab tail page not marked for this cache");
	if (head->slab_fresh > c->objs_per_slab || (head->slab_fresh && !slab_lazy(c)))
		problem(k, head, "fresh objects out of range, or in a cache that makes slabs eagerly");
	while (p) {
		if (!is_object(c, head, p)) {
			problem(k, p, "free list leaves the slab or misses an object boundary");
			break;
		}
		if (is_fresh(c, head, p)) {
			problem(k, p, "free list reaches the slab's fresh objects");
			break;
		}
		if (++nfree > c->objs_per_slab) {
			problem(k, p, "free list loops");
			break;
		}
		if ((c->flags & SLAB_RED_ZONE) &&
		    (memchr_inv((u8 *)p - c->red_left, RED_INACTIVE, c->red_left) ||
		     memchr_inv((u8 *)p + c->object_size, RED_INACTIVE, c->fp_offset - c->object_size)))
			problem(k, p, "free object's red zone is not inactive");
		if (poisons(c) && !slab_poisoned(c, p, &at))
			problem(k, p, "free object's poison is damaged");
		p = get_fp(c, p);
	}
	nfree += head->slab_fresh;
	if (nfree + head->slab_inuse != c->objs_per_slab)
		problem(k, head, "inuse plus free objects differ from objects per slab");
	if (list_for(c, head) != l)
		problem(k, head, "slab on the wrong list for its fill");
	return nfree;
}

static unsigned long check_list(struct check *k, struct slab_list *l, unsigned long *slabs)
{
	unsigned long nfree = 0, n = 0;
	u32 prev = SLAB_NIL;

	for (u32 pfn = l->first; pfn != SLAB_NIL; pfn = pfn_to_page(pfn)->slab_next) {
		struct page *head;

		if (!pfn_valid(pfn)) {
			problem(k, NULL, "slab list holds an invalid pfn");
			break;
		}
		head = pfn_to_page(pfn);
		if (head->slab_prev != prev)
			problem(k, head, "slab list back link broken");
		if (++n > k->c->nr_slabs) {
			problem(k, head, "slab list loops");
			break;
		}
		nfree += check_slab(k, head, l);
		prev = pfn;
	}
	if (n != l->count)
		problem(k, NULL, "list count differs from its slabs");
	*slabs += n;
	return nfree;
}

/* Is p an object of cache c (in one of its slabs, on an object boundary)? */
static bool cache_object(struct kmem_cache *c, const void *p)
{
	return virt_to_cache(p) == c && is_object(c, slab_head(p), p);
}

static void check_depot(struct check *k)
{
	struct kmem_cache *c = k->c;

	if (c->depot_avail > c->depot_limit || !c->depot != !c->depot_limit) {
		problem(k, c->depot, "depot bounds broken");
		return;
	}
	for (unsigned int i = 0; i < c->depot_avail; i++)
		if (!cache_object(c, c->depot[i]))
			problem(k, c->depot[i], "depot holds a pointer that is not this cache's object");
}

int kmem_cache_check(struct kmem_cache *c)
{
	if (c->flags & SLAB_SLOB) /* the SLOB model's own invariants */
		return slob_cache_check(c);
	struct check k = { c, 0 };
	unsigned long irq = spin_lock_irqsave(&c->lock), nfree = 0, slabs = 0;

	nfree += check_list(&k, &c->full, &slabs);
	nfree += check_list(&k, &c->partial, &slabs);
	nfree += check_list(&k, &c->free, &slabs);
	if (slabs != c->nr_slabs)
		problem(&k, NULL, "nr_slabs differs from the slabs on the lists");
	if (nfree != c->free_objects)
		problem(&k, NULL, "free_objects differs from the free lists");
	for (int cpu = 0; cpu < MAX_HARTS; cpu++) {
		struct slab_cpu *m = cpu_slab(c, cpu);
		void **base = magazine_base(c, m);

		if (!magazine_real(m)) {
			if (m->top != EMPTY_END || slab_empty_magazine[0])
				problem(&k, m, "empty magazine broken");
			continue;
		}
		if (m->top <= base || m->top > m->end || base[0])
			problem(&k, m, "magazine bounds broken");
		else
			for (void **e = base + 1; e < m->top; e++)
				if (!cache_object(c, *e))
					problem(&k, *e, "magazine holds a pointer that is not this cache's object");
	}
	check_depot(&k);
	if (c->free.count && c->free_objects > c->free_limit)
		problem(&k, NULL, "free slabs kept beyond the rule (free objects above free_limit)");
	spin_unlock_irqrestore(&c->lock, irq);
	if (k.errors > MAX_REPORTS)
		kprintf("kmem_cache_check: %s: %d more problems\n", c->name, k.errors - MAX_REPORTS);
	return k.errors;
}

/* ============================ whatis ===================================== */

/* Where free object @obj of @c waits, or NULL when it is not free: its
 * slab's free list or fresh tail, a hart's magazine, the depot. */
static const char *free_place(struct kmem_cache *c, const struct page *head, void *obj, int *cpu)
{
	const char *first = first_object(c, head);
	void *p = head->slab_free ? slab_base(head) + head->slab_free - 1 : NULL;

	if (is_fresh(c, head, obj))
		return "free: never handed out (its slab's fresh tail)";
	for (unsigned int n = 0; p && n++ < c->objs_per_slab && is_object_from(c, first, p); p = get_fp(c, p))
		if (p == obj)
			return "free: on its slab's free list";
	for (unsigned int h = 0; h < MAX_HARTS; h++) {
		const struct slab_cpu *m = cpu_slab(c, h);

		for (void **e = magazine_base(c, m) + 1; magazine_real(m) && e < m->top; e++)
			if (*e == obj) {
				*cpu = (int)h;
				return "free: in the magazine of hart slot";
			}
	}
	for (unsigned int i = 0; i < c->depot_avail; i++)
		if (c->depot[i] == obj)
			return "free: in the cache's depot";
	return NULL;
}

bool slab_object_in_use(const void *p)
{
	const struct page *head = slab_head(p);
	struct kmem_cache *c = head ? head->slab_cache : NULL;
	unsigned long irq;
	int cpu;
	bool in_use;

	if (!c)
		return false;
	irq = spin_lock_irqsave(&c->lock);
	in_use = is_object(c, head, p) && !free_place(c, head, (void *)p, &cpu);
	spin_unlock_irqrestore(&c->lock, irq);
	return in_use && !kasan_in_quarantine(p); /* (KASAN's lock after the cache's) */
}

void slab_whatis(u64 addr)
{
	const struct page *head = slab_head((const void *)(uintptr_t)addr);
	struct kmem_cache *c = head ? head->slab_cache : NULL;
	unsigned long irq, idx, from;
	const char *first, *where;
	char *obj;
	long rel;
	int cpu = -1;

	if (!c)
		return;
	irq = spin_lock_irqsave(&c->lock);
	first = first_object(c, head);
	from = (unsigned long)(addr - (u64)(uintptr_t)(first - c->red_left));
	idx = addr < (u64)(uintptr_t)(first - c->red_left) ? ~0ul : from / c->size;
	kprintf("whatis: slab of cache %s: %u page%s at pfn 0x%lx, %u objects of %u bytes (stride %u), "
		"%u handed out (in use or in magazines)\n",
		c->name, 1u << c->order, c->order ? "s" : "", node_page_to_pfn(mem_node, head), c->objs_per_slab,
		c->object_size, c->size, head->slab_inuse);
	if (idx >= c->objs_per_slab) {
		kprintf("whatis: outside every object (the slab's %s)\n",
			idx == ~0ul ? "colour before its first object" : "tail after its last object");
		spin_unlock_irqrestore(&c->lock, irq);
		return;
	}
	obj = (char *)first + idx * c->size;
	rel = (long)(addr - (u64)(uintptr_t)obj);
	if (rel < 0)
		kprintf("whatis: object %lu at %p: %ld bytes before it (its left red zone)\n", idx, obj, -rel);
	else if (rel < (long)c->object_size)
		kprintf("whatis: object %lu at %p, byte %ld of its %u\n", idx, obj, rel, c->object_size);
	else
		kprintf("whatis: object %lu at %p: %ld bytes past its end (red zone, link or tracks)\n", idx, obj,
			rel - (long)c->object_size + 1);
	where = free_place(c, head, obj, &cpu);
	spin_unlock_irqrestore(&c->lock, irq);
	/* (KASAN's lock after the cache's, never inside it) */
	if (!where && kasan_in_quarantine(obj))
		where = "free: in KASAN's quarantine (not back in its cache yet)";
	if (!where)
		kprintf("whatis: allocated\n");
	else if (cpu >= 0)
		kprintf("whatis: %s %d\n", where, cpu);
	else
		kprintf("whatis: %s\n", where);
	if (c->flags & SLAB_STORE_USER) {
		const struct slab_track *t = (const struct slab_track *)(obj + c->track_offset);

		slab_print_track("last allocated", &t[0]);
		slab_print_track("last freed", &t[1]);
	}
}
