/*
 * mm_check.c - every allocator's consistency checker in one call, for the
 * `mmcheck` console command (SLUB's /sys/kernel/slab/NAME/validate, for
 * the whole of mm): memblock's tables, the page allocator's zones (free
 * lists, per-hart lists, every struct page), each slab cache (lists,
 * counts, free lists, magazines, depot; SLOB-model caches their own),
 * kmalloc's SLOB heaps and the slab metadata heap, the vmalloc areas
 * with their page tables, and the DMA allocations and pools.
 *
 * Each checker takes its own lock with interrupts masked and prints the
 * problems it finds; mm_check adds them up. A check of a moment: between
 * two checkers another hart may allocate, but each checker sees its
 * allocator whole. It walks every struct page, so it is a debugging call,
 * not one for a hot path.
 */
#include <lib/kernel.h>
#include <mm/cma.h>
#include <mm/dma.h>
#include <mm/kmalloc.h>
#include <mm/memblock.h>
#include <mm/mm_report.h>
#include <mm/mmzone.h>
#include <mm/slab.h>
#include <mm/slob.h>
#include <mm/vmalloc.h>

struct cache_tally {
	unsigned int caches;
	int errors;
};

static void check_one_cache(struct kmem_cache *c, void *arg)
{
	struct cache_tally *t = arg;

	t->caches++;
	t->errors += kmem_cache_check(c);
}

/* kmalloc's heaps: the main one and the zone heaps a request has made. */
static int check_kmalloc_heaps(unsigned int *heaps)
{
	int errors = slob_check(&kmalloc_heap);

	*heaps = 1;
	for (unsigned int zt = 0; zt < KMALLOC_NR_ZONE_TYPES; zt++)
		if (kmalloc_zone_heap_of(zt)) {
			errors += slob_check(kmalloc_zone_heap_of(zt));
			++*heaps;
		}
	return errors;
}

static int report(const char *what, int errors)
{
	kprintf("mmcheck: %-16s %s", what, errors ? "" : "ok\n");
	if (errors)
		kprintf("%d problem%s (above)\n", errors, errors == 1 ? "" : "s");
	return errors;
}

int mm_check(struct pglist_data *node)
{
	struct cache_tally caches = { 0, 0 };
	unsigned int heaps;
	char what[32];
	int errors = 0, heap_errors;

	errors += report("memblock", memblock_check(&memblock));
	errors += report("page allocator", node_check(node));
	slab_for_each_cache(check_one_cache, &caches);
	ksnprintf(what, sizeof(what), "%u caches", caches.caches);
	errors += report(what, caches.errors);
	heap_errors = check_kmalloc_heaps(&heaps) + slab_meta_heap_check();
	ksnprintf(what, sizeof(what), "%u SLOB heaps", heaps + 1);
	errors += report(what, heap_errors);
	errors += report("vmalloc", vmalloc_check());
	errors += report("dma", dma_check());
	errors += report("cma", cma_check_all());
	kprintf("mmcheck: %d problem%s\n", errors, errors == 1 ? "" : "s");
	return errors;
}
