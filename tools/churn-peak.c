/*
 * churn-peak.c - where the SLOB heap's pages go at the churn benchmark's
 * peak: the requests of bench/churn.c (the very sequence `make bench` runs
 * on the target, seed CHURN_SEED) replayed on a private segfit heap over
 * 64 MiB of malloc'ed memory (the host port), then replayed again up to
 * the step that set the peak, where the heap's pages are counted by kind
 * (slob_census): quarters of size pages per size (a 2048 unit counts as one)
 * with the fill of each quarter not full,
 * segfit pages by content, bigblock pages, and beside them the fewest
 * pages the live objects could fit in. `make churn-peak` builds and runs it
 * (docs/benchmarks.md, the churn notes).
 *
 * `churn-peak N` (make churn-peak SEEDS=N) runs the same workload with N
 * other seeds (churn_run_seed: seed k is 0x9e3779b97f4a7c15 * k + 1) and
 * prints each one's peak, the models' peaks, and their sums: the
 * benchmark's one sequence sets its peak in a window of about 200 requests,
 * so a change to where objects go moves it by a page or two either way by
 * chance; the sums over many sequences tell a change that packs better from
 * one that only moves that window.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mm/kmalloc.h>
#include <mm/memblock.h>
#include <mm/mm.h>
#include <mm/mm_init.h>
#include <mm/slob.h>

#include "../bench/churn.h"

#define RAM_PHYS 0x80000000ul
#define RAM_SIZE (64ul << 20)
#define KINDS 16
#define SIZES 8 /* size pages of 16 << 0 .. 16 << 7 */
#define SEG_HALF 2040 /* a segfit page holds 4080 bytes of blocks */

static struct slob_heap heap;
static unsigned long step, stop_at, peak, peak_step, peak_per_size, peak_buddy, peak_quarters;
static size_t peak_request;

/* Live objects by usable size (ksize): the churn sizes, as each backing
 * gives them (a size page's object its size, a segfit block its payload). */
static struct {
	size_t ksize;
	long live;
} kinds[KINDS];

static void count(size_t ks, long d)
{
	for (int i = 0; i < KINDS; i++)
		if (kinds[i].ksize == ks || !kinds[i].ksize) {
			kinds[i].ksize = ks;
			kinds[i].live += d;
			return;
		}
	fprintf(stderr, "churn-peak: more than %d object sizes\n", KINDS);
	exit(1);
}

static void census(void);
static void models_alloc(void *p, size_t size);
static void models_free(void *p);
static unsigned long models_per_size(void);
static unsigned long models_buddy(void);
static unsigned long models_quarters(void);

static void after_step(size_t request)
{
	unsigned long held = slob_heap_pages(&heap);
	unsigned long others = held - heap.sp_pages; /* segfit and bigblock pages */

	step++;
	peak_per_size = MAX(peak_per_size, others + models_per_size());
	peak_buddy = MAX(peak_buddy, others + models_buddy());
	peak_quarters = MAX(peak_quarters, others + models_quarters());
	if (held > peak) {
		peak = held;
		peak_step = step;
		peak_request = request;
	}
	if (step == stop_at)
		census();
}

static void *op_alloc(size_t size)
{
	void *p = heap_kmalloc(&heap, size, GFP_KERNEL);

	if (p) {
		count(ksize(p), 1);
		models_alloc(p, size);
	}
	after_step(size);
	return p;
}

static void op_free(void *p)
{
	count(ksize(p), -1);
	models_free(p);
	kfree(p);
	after_step(0);
}


/* ------------------- models of the size pages' layout -------------------- */
/*
 * Beside the real heap, the powers of two from 16 to 1024 of the same
 * requests go to two models of where size-page objects could live; they
 * count pages only, and each keeps one empty page as the heap does:
 *   - per size: pages of one size, per size a list of the pages with a free
 *     object, an object taken from the first listed page, a page that gets
 *     an object back listed first (the heap's size pages before quarters);
 *   - buddy: 16-byte objects in pages of their own as above (one more kept
 *     page), 32 .. 2048 in pages split as a binary buddy system: chunks of
 *     32 << k at multiples of their size, a freed chunk merged with its
 *     buddy when that is free, free chunks on a LIFO list per size;
 *   - quarters: pages of four 1024-byte quarters, a quarter holding objects
 *     of one size and, once empty, cut again for any size: per size a list
 *     of the quarters with a free object, an object taken from the first
 *     listed quarter, a quarter that gets an object back listed first; a
 *     size whose list is empty cuts an empty quarter of the lowest-numbered
 *     page in use that has one, else takes the kept page, else a new one; a
 *     page whose quarters are all empty is kept (one) or given back (the
 *     heap's size pages since, with a cut list per number of empty quarters
 *     instead of the lowest page, and an idle quarter per size).
 * Added at every step to the real heap's segfit and bigblock pages, they
 * give the peak each layout would reach with segfit as it is.
 */
#define M_PAGES 1024
#define M_UNITS 128   /* 32-byte units of a page */
#define B_ORDERS 8    /* chunks of 32 .. 4096 bytes */

static struct m_page {
	int idx, inuse, nfree, prev, next;
	short free[256];
} mp[M_PAGES];
static int m_pool[M_PAGES], m_pool_n; /* page ids not in use */

struct m_sizes {
	int list[SIZES], kept, pages;
};
static struct m_sizes per_size, sixteens;

static int m_new_page(void)
{
	if (!m_pool_n) {
		fprintf(stderr, "churn-peak: the models ran out of pages\n");
		exit(1);
	}
	return m_pool[--m_pool_n];
}

static void m_link(struct m_sizes *m, int p)
{
	int i = mp[p].idx;

	mp[p].prev = -1;
	mp[p].next = m->list[i];
	if (m->list[i] >= 0)
		mp[m->list[i]].prev = p;
	m->list[i] = p;
}

static void m_unlink(struct m_sizes *m, int p)
{
	if (mp[p].prev >= 0)
		mp[mp[p].prev].next = mp[p].next;
	else
		m->list[mp[p].idx] = mp[p].next;
	if (mp[p].next >= 0)
		mp[mp[p].next].prev = mp[p].prev;
}

/* An object of 16 << i bytes: its id (page << 16 | slot). */
static long m_size_alloc(struct m_sizes *m, int i)
{
	int p = m->list[i];

	if (p < 0) {
		if (m->kept >= 0) {
			p = m->kept;
			m->kept = -1;
		} else {
			p = m_new_page();
			m->pages++;
		}
		mp[p].idx = i;
		mp[p].inuse = 0;
		mp[p].nfree = 0;
		for (int k = (256 >> i) - 1; k >= 0; k--)
			mp[p].free[mp[p].nfree++] = (short)k;
		m_link(m, p);
	}
	mp[p].inuse++;
	if (--mp[p].nfree == 0)
		m_unlink(m, p);
	return (long)p << 16 | mp[p].free[mp[p].nfree];
}

static void m_size_free(struct m_sizes *m, long id)
{
	int p = (int)(id >> 16);

	if (mp[p].nfree == 0)
		m_link(m, p);
	mp[p].free[mp[p].nfree++] = (short)(id & 0xffff);
	if (--mp[p].inuse)
		return;
	m_unlink(m, p);
	if (m->kept < 0) {
		m->kept = p;
	} else {
		m->pages--;
		m_pool[m_pool_n++] = p;
	}
}

/* Buddy chunks: c = page * M_UNITS + unit; fo[c] = order + 1 while c is a
 * free chunk; per order a list through b_next and b_prev. */
static unsigned char fo[M_PAGES * M_UNITS];
static int b_next[M_PAGES * M_UNITS], b_prev[M_PAGES * M_UNITS], b_head[B_ORDERS], b_kept, b_pages;

static void b_push(int c, int o)
{
	b_next[c] = b_head[o];
	b_prev[c] = -1;
	if (b_head[o] >= 0)
		b_prev[b_head[o]] = c;
	b_head[o] = c;
	fo[c] = (unsigned char)(o + 1);
}

static void b_del(int c, int o)
{
	if (b_prev[c] >= 0)
		b_next[b_prev[c]] = b_next[c];
	else
		b_head[o] = b_next[c];
	if (b_next[c] >= 0)
		b_prev[b_next[c]] = b_prev[c];
	fo[c] = 0;
}

/* A chunk of 32 << o bytes: its id (c << 4 | o). */
static long b_alloc(int o)
{
	int j = o, c;

	while (j < B_ORDERS - 1 && b_head[j] < 0)
		j++;
	if (b_head[j] >= 0) {
		c = b_head[j];
		b_del(c, j);
	} else {
		int p = b_kept;

		if (p >= 0) {
			b_kept = -1;
		} else {
			p = m_new_page();
			b_pages++;
		}
		c = p * M_UNITS;
		j = B_ORDERS - 1;
	}
	while (j > o) {
		j--;
		b_push(c + (1 << j), j);
	}
	return (long)c << 4 | o;
}

static void b_free(long id)
{
	int c = (int)(id >> 4), o = (int)(id & 15);

	for (; o < B_ORDERS - 1; o++) {
		int b = c ^ (1 << o); /* within its page: M_UNITS is a power of two */

		if (fo[b] != o + 1)
			break;
		b_del(b, o);
		c = MIN(c, b);
	}
	if (o < B_ORDERS - 1) {
		b_push(c, o);
	} else if (b_kept < 0) {
		b_kept = c / M_UNITS;
	} else {
		b_pages--;
		m_pool[m_pool_n++] = c / M_UNITS;
	}
}

/* Quarters: id = page * Q_UNITS + quarter; a quarter's idx is -1 while it
 * is empty. */
#define Q_UNITS 4
#define Q_OBJS 64 /* 16-byte objects in a quarter */

struct q_unit {
	int idx, inuse, nfree, prev, next;
	short free[Q_OBJS];
};
static struct q_page {
	int live, used; /* in use (or kept); quarters cut */
	struct q_unit q[Q_UNITS];
} qp[M_PAGES];
static int q_list[SIZES], q_kept, q_pages;

static struct q_unit *q_unit(int id)
{
	return &qp[id / Q_UNITS].q[id % Q_UNITS];
}

static void q_link(int id)
{
	struct q_unit *u = q_unit(id);

	u->prev = -1;
	u->next = q_list[u->idx];
	if (u->next >= 0)
		q_unit(u->next)->prev = id;
	q_list[u->idx] = id;
}

static void q_unlink(int id)
{
	struct q_unit *u = q_unit(id);

	if (u->prev >= 0)
		q_unit(u->prev)->next = u->next;
	else
		q_list[u->idx] = u->next;
	if (u->next >= 0)
		q_unit(u->next)->prev = u->prev;
}

/* A page for a new quarter: the lowest-numbered page in use with an empty
 * quarter, else the kept page, else a new one. */
static int q_page_for_cut(void)
{
	int p;

	for (p = 0; p < M_PAGES; p++)
		if (qp[p].live && qp[p].used && qp[p].used < Q_UNITS)
			return p;
	if (q_kept >= 0) {
		p = q_kept;
		q_kept = -1;
		return p;
	}
	p = m_new_page();
	q_pages++;
	qp[p].live = 1;
	qp[p].used = 0;
	for (int k = 0; k < Q_UNITS; k++)
		qp[p].q[k].idx = -1;
	return p;
}

/* An object of 16 << i bytes (i <= 6): its id (quarter << 16 | slot). */
static long q_alloc(int i)
{
	int id = q_list[i];
	struct q_unit *u;

	if (id < 0) {
		int p = q_page_for_cut(), k = 0;

		while (qp[p].q[k].idx >= 0)
			k++;
		u = &qp[p].q[k];
		u->idx = i;
		u->inuse = 0;
		u->nfree = 0;
		for (int n = (Q_OBJS >> i) - 1; n >= 0; n--)
			u->free[u->nfree++] = (short)n;
		qp[p].used++;
		id = p * Q_UNITS + k;
		q_link(id);
	}
	u = q_unit(id);
	u->inuse++;
	if (--u->nfree == 0)
		q_unlink(id);
	return (long)id << 16 | u->free[u->nfree];
}

static void q_free(long oid)
{
	int id = (int)(oid >> 16), p = id / Q_UNITS;
	struct q_unit *u = q_unit(id);

	if (u->nfree == 0)
		q_link(id);
	u->free[u->nfree++] = (short)(oid & 0xffff);
	if (--u->inuse)
		return;
	q_unlink(id);
	u->idx = -1;
	if (--qp[p].used)
		return;
	if (q_kept < 0) {
		q_kept = p;
	} else {
		qp[p].live = 0;
		q_pages--;
		m_pool[m_pool_n++] = p;
	}
}

/* Live size-page objects: the real pointer and its ids in the models
 * (open addressing, deletion by backward shift). */
#define M_SLOTS 16384
static struct {
	void *p;
	long size_id, buddy_id, quarter_id;
	unsigned int idx;
} m_live[M_SLOTS];

static unsigned int m_hash(const void *p)
{
	return (unsigned int)(((uintptr_t)p >> 4) * 0x9e3779b1u) % M_SLOTS;
}

static unsigned long models_per_size(void)
{
	return (unsigned long)per_size.pages;
}

static unsigned long models_buddy(void)
{
	return (unsigned long)(sixteens.pages + b_pages);
}

static unsigned long models_quarters(void)
{
	return (unsigned long)q_pages;
}

static void models_init(void)
{
	memset(m_live, 0, sizeof(m_live));
	memset(qp, 0, sizeof(qp));
	q_kept = -1;
	q_pages = 0;
	memset(fo, 0, sizeof(fo));
	per_size = sixteens = (struct m_sizes){ .kept = -1 };
	for (int i = 0; i < SIZES; i++)
		per_size.list[i] = sixteens.list[i] = q_list[i] = -1;
	for (int o = 0; o < B_ORDERS; o++)
		b_head[o] = -1;
	b_kept = -1;
	b_pages = 0;
	m_pool_n = 0;
	for (int p = M_PAGES - 1; p >= 0; p--)
		m_pool[m_pool_n++] = p;
}

static void models_alloc(void *p, size_t size)
{
	unsigned int h = m_hash(p), i = 0;

	if (size < 16 || size > 1024 || (size & (size - 1)))
		return;
	while ((16u << i) < size)
		i++;
	while (m_live[h].p)
		h = (h + 1) % M_SLOTS;
	m_live[h].p = p;
	m_live[h].idx = i;
	m_live[h].size_id = m_size_alloc(&per_size, (int)i);
	m_live[h].buddy_id = i ? b_alloc((int)i - 1) : m_size_alloc(&sixteens, 0);
	m_live[h].quarter_id = q_alloc((int)i);
}

static void models_free(void *p)
{
	unsigned int h = m_hash(p), n;

	while (m_live[h].p && m_live[h].p != p)
		h = (h + 1) % M_SLOTS;
	if (!m_live[h].p)
		return; /* not a size page's object */
	m_size_free(&per_size, m_live[h].size_id);
	if (m_live[h].idx == 0)
		m_size_free(&sixteens, m_live[h].buddy_id);
	else
		b_free(m_live[h].buddy_id);
	q_free(m_live[h].quarter_id);
	m_live[h].p = NULL;
	for (n = (h + 1) % M_SLOTS; m_live[n].p; n = (n + 1) % M_SLOTS) {
		unsigned int k = m_hash(m_live[n].p);

		/* move n to the hole at h unless its home lies in (h, n] */
		if (h < n ? (k <= h || k > n) : (k <= h && k > n)) {
			m_live[h] = m_live[n];
			m_live[n].p = NULL;
			h = n;
		}
	}
}

/* ------------------------------ the census ------------------------------- */


static struct {
	unsigned long pages, objs, inuse, full;
	char fills[512];
	int len;
} sp[SIZES];

static struct {
	unsigned long pages, used, parked, free, idle, big, big_alone, no_big;
} seg;

static unsigned int log2_of(unsigned int n)
{
	unsigned int k = 0;

	while (n >> (k + 1))
		k++;
	return k;
}

static void page_seen(const struct slob_page_info *pi, void *arg)
{
	(void)arg;
	if (pi->size_page) {
		unsigned int i = log2_of(pi->obj_size) - 4;

		sp[i].pages++;
		sp[i].objs = pi->objs;
		sp[i].inuse += pi->inuse;
		if (pi->inuse == pi->objs)
			sp[i].full++;
		else if (sp[i].len < (int)sizeof(sp[i].fills) - 8)
			sp[i].len += snprintf(sp[i].fills + sp[i].len, sizeof(sp[i].fills) - (size_t)sp[i].len,
					      " %u", pi->inuse);
		return;
	}
	seg.pages++;
	seg.used += pi->used;
	seg.parked += pi->parked;
	seg.free += pi->free;
	if (!pi->live)
		seg.idle++;
	if (pi->largest_used > SEG_HALF) { /* no room for another such block */
		seg.big++;
		if (pi->used + pi->parked == pi->largest_used)
			seg.big_alone++;
	}
	else if (pi->largest_used)
		seg.no_big++;
}

static void census(void)
{
	unsigned long floor_sp = 0, seg_bytes = 0, seg_big = 0, seg_floor;

	slob_census(&heap, page_seen, NULL);
	printf("churn-peak: after request %lu: %lu pages: %lu size pages, %lu segfit pages, %lu bigblock pages\n",
	       stop_at, slob_heap_pages(&heap), heap.sp_pages, seg.pages, heap.big_pages);
	for (int i = 0; i < SIZES; i++) {
		unsigned int size = 16u << i;
		long live = 0;

		for (int k = 0; k < KINDS; k++)
			if (kinds[k].ksize == size)
				live = kinds[k].live;
		if (!sp[i].pages && !live)
			continue;
		floor_sp += ((unsigned long)live * size + 1023) / 1024; /* quarters */
		printf("  size quarters of %4u: %3lu quarters, %4lu objects (%lu quarters at least), %lu full; the others hold:%s\n",
		       size, sp[i].pages, sp[i].inuse, ((unsigned long)live * size + 1023) / 1024,
		       sp[i].full, sp[i].len ? sp[i].fills : " -");
	}
	floor_sp = (floor_sp + 3) / 4; /* four quarters a page */
	for (int k = 0; k < KINDS; k++) {
		size_t ks = kinds[k].ksize;

		if (!ks || ks > SLOB_SEG_KMALLOC_MAX || !(ks & (ks - 1)) || kinds[k].live <= 0)
			continue;
		seg_bytes += (unsigned long)kinds[k].live * (ks + 4);
		if (ks + 4 > SEG_HALF)
			seg_big += (unsigned long)kinds[k].live;
		printf("  segfit blocks of %4zu bytes: %ld live\n", ks + 4, kinds[k].live);
	}
	seg_floor = MAX(seg_big, (seg_bytes + 4079) / 4080);
	printf("  segfit pages: %lu: %lu with a block above half a page (%lu of them nothing else), "
	       "%lu with only smaller blocks, %lu idle; bytes of blocks in use %lu, parked %lu, free %lu "
	       "(%lu pages at least)\n",
	       seg.pages, seg.big, seg.big_alone, seg.no_big, seg.idle, seg.used, seg.parked, seg.free,
	       seg_floor);
	printf("  fewest pages the live objects fit in: %lu = %lu size pages + %lu segfit + %lu bigblock\n",
	       floor_sp + seg_floor + heap.big_pages, floor_sp, seg_floor, heap.big_pages);
	printf("  models of the size pages here: per size %lu pages, buddy %lu pages, quarters %lu pages\n",
	       models_per_size(), models_buddy(), models_quarters());
}

static void run(u64 seed, unsigned long stop)
{
	static const struct churn_ops ops = { op_alloc, op_free };
	struct churn_result r;

	memset(kinds, 0, sizeof(kinds));
	models_init();
	step = peak = peak_step = peak_per_size = peak_buddy = peak_quarters = 0;
	stop_at = stop;
	slob_heap_init(&heap, "churn", SLOB_SEGFIT);
	churn_run_seed(&ops, &r, seed);
	if (r.corrupt || r.failed_allocs || slob_check(&heap) || heap.nr_bad_frees) {
		fprintf(stderr, "churn-peak: the run failed: %llu corrupt, %llu refused, %lu bad frees\n",
			(unsigned long long)r.corrupt, (unsigned long long)r.failed_allocs,
			heap.nr_bad_frees);
		exit(1);
	}
	slob_heap_destroy(&heap);
}

/* The heap's and the models' peaks on @n other seeds, and their sums. */
static void other_seeds(unsigned long n)
{
	unsigned long sum = 0, sum_size = 0, sum_buddy = 0, sum_quarters = 0;

	printf("churn-peak: %lu other seeds: seed: peak pages, models per size / buddy / quarters\n", n);
	for (unsigned long k = 1; k <= n; k++) {
		run(0x9e3779b97f4a7c15ull * k + 1, 0);
		printf("  %lu: %lu, %lu / %lu / %lu\n", k, peak, peak_per_size, peak_buddy, peak_quarters);
		sum += peak;
		sum_size += peak_per_size;
		sum_buddy += peak_buddy;
		sum_quarters += peak_quarters;
	}
	printf("churn-peak: sums over the %lu seeds: heap %lu pages, models per size %lu, buddy %lu, quarters %lu\n",
	       n, sum, sum_size, sum_buddy, sum_quarters);
}

int main(int argc, char **argv)
{
	static const struct mm_image no_image; /* the program is not in that RAM */
	static struct memblock mb;
	unsigned long seeds = 0;
	void *ram;

	if (argc > 1) {
		char *end;

		seeds = strtoul(argv[1], &end, 10);
		if (argc > 2 || *end || !seeds || seeds > 100000) {
			fprintf(stderr, "usage: churn-peak [N other seeds, 1..100000]\n");
			return 2;
		}
	}
	ram = aligned_alloc(PAGE_SIZE, RAM_SIZE);

	if (!ram)
		return 1;
	va_pa_offset = (uintptr_t)ram - RAM_PHYS;
	memblock_init(&mb);
	if (memblock_add(&mb, RAM_PHYS, RAM_SIZE))
		return 1;
	mm_init(&mb, &no_image);
	if (seeds) {
		other_seeds(seeds);
		return 0;
	}
	run(CHURN_SEED, 0);
	printf("churn-peak: peak %lu pages (%lu KiB) after request %lu (counting from 1), a kmalloc(%zu)\n", peak,
	       peak * (PAGE_SIZE / 1024), peak_step, peak_request);
	printf("churn-peak: models with segfit and bigblocks as they are: per size peak %lu pages, "
	       "buddy peak %lu pages, quarters peak %lu pages\n", peak_per_size, peak_buddy, peak_quarters);
	run(CHURN_SEED, peak_step);
	return 0;
}
