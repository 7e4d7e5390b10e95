/*
 * churn-peak.c - where the SLOB heap's pages go at the churn benchmark's
 * peak: the requests of bench/churn.c (the very sequence `make bench` runs
 * on the target, seed CHURN_SEED) replayed on a private segfit heap over
 * 64 MiB of malloc'ed memory (the host port), then replayed again up to
 * the step that set the peak, where the heap's pages are counted by kind
 * (slob_census): size pages per size with the fill of each page not full,
 * segfit pages by content, bigblock pages, and beside them the fewest
 * pages the live objects could fit in. `make churn-peak` builds and runs it
 * (docs/benchmarks.md, the churn notes).
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
#define SEG_HALF 2040 /* a segfit page holds 4080 bytes of blocks */

static struct slob_heap heap;
static unsigned long step, stop_at, peak, peak_step;
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

static void after_step(size_t request)
{
	unsigned long held = heap.nr_pages + heap.big_pages;

	step++;
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

	if (p)
		count(ksize(p), 1);
	after_step(size);
	return p;
}

static void op_free(void *p)
{
	count(ksize(p), -1);
	kfree(p);
	after_step(0);
}

/* ------------------------------ the census ------------------------------- */

#define SIZES 8 /* size pages of 16 << 0 .. 16 << 7 */

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
	       stop_at, heap.nr_pages + heap.big_pages, heap.sp_pages, seg.pages, heap.big_pages);
	for (int i = 0; i < SIZES; i++) {
		unsigned int size = 16u << i;
		long live = 0;

		for (int k = 0; k < KINDS; k++)
			if (kinds[k].ksize == size)
				live = kinds[k].live;
		if (!sp[i].pages && !live)
			continue;
		floor_sp += ((unsigned long)live * size + PAGE_SIZE - 1) / PAGE_SIZE;
		printf("  size pages of %4u: %3lu pages, %4lu objects (%lu pages at least), %lu full; the others hold:%s\n",
		       size, sp[i].pages, sp[i].inuse, ((unsigned long)live * size + PAGE_SIZE - 1) / PAGE_SIZE,
		       sp[i].full, sp[i].len ? sp[i].fills : " -");
	}
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
}

static void run(unsigned long stop)
{
	static const struct churn_ops ops = { op_alloc, op_free };
	struct churn_result r;

	memset(kinds, 0, sizeof(kinds));
	step = peak = peak_step = 0;
	stop_at = stop;
	slob_heap_init(&heap, "churn", SLOB_SEGFIT);
	churn_run(&ops, &r);
	if (r.corrupt || r.failed_allocs || slob_check(&heap) || heap.nr_bad_frees) {
		fprintf(stderr, "churn-peak: the run failed: %llu corrupt, %llu refused, %lu bad frees\n",
			(unsigned long long)r.corrupt, (unsigned long long)r.failed_allocs,
			heap.nr_bad_frees);
		exit(1);
	}
	slob_heap_destroy(&heap);
}

int main(void)
{
	static const struct mm_image no_image; /* the program is not in that RAM */
	static struct memblock mb;
	void *ram = aligned_alloc(PAGE_SIZE, RAM_SIZE);

	if (!ram)
		return 1;
	va_pa_offset = (uintptr_t)ram - RAM_PHYS;
	memblock_init(&mb);
	if (memblock_add(&mb, RAM_PHYS, RAM_SIZE))
		return 1;
	mm_init(&mb, &no_image);
	run(0);
	printf("churn-peak: peak %lu pages (%lu KiB) after request %lu (counting from 1), a kmalloc(%zu)\n", peak,
	       peak * (PAGE_SIZE / 1024), peak_step, peak_request);
	run(peak_step);
	return 0;
}
