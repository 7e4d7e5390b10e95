/*
 * kmalloc-class-model.c - what size classes alone cost on the `mixed`
 * workload (bench/workloads.c), without running an allocator.
 *
 * It replays mixed's request sequence (the same xorshift64 seed, 4096
 * slots, 200000 steps, the same kernel size table) and prints, for the
 * kmalloc classes of before and after the 32-class table (docs/kmalloc.md):
 *   - the peak of live requested bytes (the bench's live_kb);
 *   - the peak of live bytes rounded up to their classes (class slack);
 *   - the sum over classes of each class's own peak (count x class size):
 *     the memory of any allocator that keeps a class's memory for that
 *     class (a slab is given back only when every object in it is free,
 *     which on this mix almost never happens for small objects), however
 *     well it packs; and the same with every request above T bytes served
 *     by exact pages given back at once, for a few T;
 *   - the same bound when the requests above S up to the largest SLOB
 *     block (4084) share one byte-granular heap (16-byte steps and a
 *     16-byte header each, memory moving freely between sizes, as SLOB's)
 *     and the larger ones take exact pages: what a shared structure for
 *     the larger sizes could reach, for a few S; with the split of that
 *     peak between the classes and the shared bytes (to set beside the
 *     peak_heap_kb of `bench mixed` booted with kmalloc_heap=0xff770000).
 * The overhead figures are (memory - live) / live, as the bench's
 * overhead_pct. Build and run on the host:
 *
 *     cc -O2 -o /tmp/kmalloc-class-model scripts/kmalloc-class-model.c && /tmp/kmalloc-class-model
 */
#include <stdint.h>
#include <stdio.h>

#include "mixed-requests.h"

static const unsigned int old_classes[] = { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192 };
static const unsigned int new_classes[] = {
	16,   32,   48,   64,   80,   96,   112,  128,  160,  192,  224,  256,
	320,  384,  448,  512,  640,  768,  896,  1024, 1088, 1280, 1536, 1792,
	2048, 2560, 3072, 3584, 4096, 4608, 5120, 6144, 7168, 8192,
};


static unsigned int class_index(const unsigned int *cl, unsigned int n, unsigned int size)
{
	for (unsigned int i = 0; i < n; i++)
		if (size <= cl[i])
			return i;
	return n - 1;
}

/* One replay: classes cl[0..n), requests above @pages_above go to exact
 * pages (0: none do). */
static void model(const char *name, const unsigned int *cl, unsigned int n, unsigned int pages_above)
{
	static unsigned int table[SLOTS];
	unsigned long count[64] = { 0 }, held[64] = { 0 };
	unsigned long live = 0, peak = 0, rounded = 0, peak_rounded = 0, held_sum = 0, big = 0,
		      peak_mem = 0;
	uint64_t x = SEED;

	for (unsigned int i = 0; i < SLOTS; i++)
		table[i] = 0;
	for (unsigned int step = 0; step < STEPS; step++) {
		unsigned int *slot = &table[xorshift64(&x) % SLOTS];
		unsigned int size = *slot, c;

		if (size) {
			live -= size;
			*slot = 0;
			if (pages_above && size > pages_above) {
				big -= (size + 4095ul) / 4096 * 4096;
			} else {
				c = class_index(cl, n, size);
				count[c]--;
				rounded -= cl[c];
			}
		} else {
			size = pick_size(xorshift64(&x));
			*slot = size;
			live += size;
			if (pages_above && size > pages_above) {
				big += (size + 4095ul) / 4096 * 4096;
			} else {
				c = class_index(cl, n, size);
				count[c]++;
				rounded += cl[c];
				if (count[c] > held[c]) {
					held[c] = count[c];
					held_sum += cl[c];
				}
			}
			if (live > peak)
				peak = live;
			if (rounded + big > peak_rounded)
				peak_rounded = rounded + big;
		}
		if (held_sum + big > peak_mem)
			peak_mem = held_sum + big;
	}
	printf("%-4s classes, pages above %-4u: live %lu KiB; rounded to classes %lu KiB (%.1f%%); "
	       "per-class peaks %lu KiB (%.1f%%)\n", name, pages_above, peak >> 10, peak_rounded >> 10,
	       100.0 * (double)(peak_rounded - peak) / (double)peak, peak_mem >> 10,
	       100.0 * (double)(peak_mem - peak) / (double)peak);
}

/* A request's bytes in the shared heap (above @shared_above, up to 4084)
 * or in exact pages (above 4084); 0 for a class request. */
static unsigned long shared_bytes(unsigned int size, unsigned int shared_above)
{
	if (size <= shared_above)
		return 0;
	if (size <= 4084)
		return (size + 16 + 15) / 16 * 16;
	return (size + 4095ul) / 4096 * 4096;
}

/* One replay with the classes up to @shared_above and the shared heap and
 * exact pages above it. */
static void model_shared(const unsigned int *cl, unsigned int n, unsigned int shared_above)
{
	static unsigned int table[SLOTS];
	unsigned long count[64] = { 0 }, held[64] = { 0 };
	unsigned long live = 0, peak = 0, held_sum = 0, shared = 0, peak_mem = 0, peak_held = 0,
		      peak_shared = 0, shared_peak = 0;
	uint64_t x = SEED;

	for (unsigned int i = 0; i < SLOTS; i++)
		table[i] = 0;
	for (unsigned int step = 0; step < STEPS; step++) {
		unsigned int *slot = &table[xorshift64(&x) % SLOTS];
		unsigned int size = *slot, c;
		unsigned long b;

		if (size) {
			live -= size;
			*slot = 0;
			b = shared_bytes(size, shared_above);
			if (b) {
				shared -= b;
			} else {
				c = class_index(cl, n, size);
				count[c]--;
			}
		} else {
			size = pick_size(xorshift64(&x));
			*slot = size;
			live += size;
			b = shared_bytes(size, shared_above);
			if (b) {
				shared += b;
			} else {
				c = class_index(cl, n, size);
				if (++count[c] > held[c]) {
					held[c] = count[c];
					held_sum += cl[c];
				}
			}
			if (live > peak)
				peak = live;
		}
		if (shared > shared_peak)
			shared_peak = shared;
		if (held_sum + shared > peak_mem) {
			peak_mem = held_sum + shared;
			peak_held = held_sum;
			peak_shared = shared;
		}
	}
	printf("new  classes up to %-4u, shared heap above: live %lu KiB; per-class peaks + shared %lu KiB "
	       "(%.1f%%): classes %lu + shared %lu KiB then (the shared bytes' own peak %lu KiB)\n",
	       shared_above, peak >> 10, peak_mem >> 10, 100.0 * (double)(peak_mem - peak) / (double)peak,
	       peak_held >> 10, peak_shared >> 10, shared_peak >> 10);
}

int main(void)
{
	const unsigned int no = sizeof(old_classes) / sizeof(old_classes[0]);
	const unsigned int nn = sizeof(new_classes) / sizeof(new_classes[0]);

	model("old", old_classes, no, 0);
	model("new", new_classes, nn, 0);
	model("new", new_classes, nn, 4095);
	model("new", new_classes, nn, 1536);
	model_shared(new_classes, nn, 1024);
	model_shared(new_classes, nn, 512);
	model_shared(new_classes, nn, 256);
	return 0;
}
