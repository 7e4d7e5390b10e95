/*
 * heap-front-cache-model.c - what a cache in front of kmalloc_heap=compact's
 * heap classes would buy on the `mixed` workload (bench/workloads.c),
 * without running an allocator (docs/benchmarks.md, "Slab memory").
 *
 * It replays mixed's request sequence (scripts/mixed-requests.h) and keeps,
 * for each request size of the heap classes (above 256 bytes, up to SLOB's
 * largest block), a cache of at most K freed blocks of exactly that size: a
 * free goes to the cache while it has room, an allocation takes from it
 * when it holds one; every other heap-class operation would reach SLOB. It
 * prints, for K = 1, 2, 4, 8: the heap classes' share of the operations,
 * the share of those the cache serves, and how far the peak of live plus
 * cached bytes lies above the peak of live bytes (points of overhead_pct
 * the cache would add). Build and run on the host:
 *
 *     cc -O2 -o /tmp/heap-front-cache-model scripts/heap-front-cache-model.c && /tmp/heap-front-cache-model
 */
#include <stdio.h>
#include <string.h>

#include "mixed-requests.h"

#define HEAP_MIN 257
#define HEAP_MAX 3584

static void model(unsigned int k)
{
	static unsigned int table[SLOTS];
	static unsigned long cache[HEAP_MAX + 1];
	unsigned long ops = 0, heap_ops = 0, hits = 0, live = 0, cached = 0, peak = 0, peak_cached = 0;
	uint64_t x = SEED;

	memset(table, 0, sizeof(table));
	memset(cache, 0, sizeof(cache));
	for (unsigned int step = 0; step < STEPS; step++) {
		unsigned int i = (unsigned int)(xorshift64(&x) % SLOTS), size = table[i];
		int freeing = size != 0;

		if (!freeing)
			size = table[i] = pick_size(xorshift64(&x));
		else
			table[i] = 0;
		ops++;
		live = freeing ? live - size : live + size;
		if (size >= HEAP_MIN && size <= HEAP_MAX) {
			heap_ops++;
			if (freeing && cache[size] < k) {
				cache[size]++;
				cached += size;
				hits++;
			} else if (!freeing && cache[size]) {
				cache[size]--;
				cached -= size;
				hits++;
			}
		}
		if (live > peak)
			peak = live;
		if (live + cached > peak_cached)
			peak_cached = live + cached;
	}
	printf("K=%u: heap classes %.1f%% of operations, the cache serves %.1f%% of theirs; "
	       "peak live %lu, live + cached %lu: +%.2f points\n",
	       k, 100.0 * heap_ops / ops, 100.0 * hits / heap_ops, peak, peak_cached,
	       100.0 * (peak_cached - peak) / peak);
}

int main(void)
{
	for (unsigned int k = 1; k <= 8; k *= 2)
		model(k);
	return 0;
}
