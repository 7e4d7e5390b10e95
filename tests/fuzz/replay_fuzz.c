/*
 * replay_fuzz.c - libFuzzer target: the kmem trace replayer (bench/replay.c,
 * include/bench/replay.h, docs/replay.md) on arbitrary trace text.
 *
 * The replayer parses ftrace text captured on other machines, so its input
 * is whatever a user hands it. Each input is replayed as it is: replay_run
 * gets libFuzzer's buffer and its exact size (no NUL after it, so ASan sees
 * any read past the end), on a fresh node over 32 MiB of fake RAM across
 * the 4 GiB line (ZONE_DMA 4 MiB, ZONE_DMA32 12 MiB, ZONE_NORMAL 16 MiB: the
 * trace's GFP_DMA / GFP_DMA32 requests have zones of their own, and eight
 * order-10 blocks exhaust it, so failed allocations are reached too) and a
 * fresh kmalloc: kmalloc=slab for inputs of even length, kmalloc=slob for
 * odd ones. The fuzzer build starts the replayer's hash table at 128
 * entries (REPLAY_TABLE_MIN_BITS=7, Makefile) instead of 1024, so that
 * short inputs grow it, rebuild it and fill it.
 *
 * What is checked, per input:
 *   - replay_run returns 0 (its own state fits in this node with room to
 *     spare: -ENOMEM would be a bug here);
 *   - the counts: bytes is the input's size; lines is the number of LF
 *     characters plus one for a last line without LF (a gzip header: 1);
 *     every line is counted exactly once, as an event, unknown, a skipped
 *     event or an ignored line; the kinds' events add up to events and their
 *     errors to errors; no kind has more errors than events; every unknown
 *     line and every error made a line report; at most 256 caches, no more
 *     than kmem_cache_alloc events; the end state within the node's pages;
 *     not interrupted, no instruction counts (host);
 *   - no allocator reported a misuse (kfree_errors, slab_errors, bad page
 *     frees, SLOB bad frees unchanged): the replayer frees only what it
 *     allocated, with the allocator that made it;
 *   - afterwards, with everything the replay left in place: node_check,
 *     kmem_cache_check of every cache on the chain, slob_check of kmalloc's
 *     heaps and of the slab metadata heap, and no cache on the chain but
 *     kmalloc's own (every cache made for the trace destroyed);
 *   - then kmalloc's caches and heaps are destroyed: no slab page and no
 *     slab metadata is left, no SLOB heap is busy, and after draining the
 *     per-hart lists the page allocator holds exactly the free blocks it
 *     started with, order by order and zone by zone.
 * A failed check prints the replayer's output (fuzz.h) and aborts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bench/replay.h>
#include <mm/kmalloc.h>
#include <mm/memblock.h>
#include <mm/mm.h>
#include <mm/mmzone.h>
#include <mm/slab.h>
#include <mm/slob.h>
#include "../host/fakeram.h"
#include "../host/host.h"
#include "fuzz.h"

#define MiB (1ull << 20)
#define PFN(pa) ((unsigned long)((pa) >> PAGE_SHIFT))
#define RAM_BASE 0xff000000ull
#define RAM_SIZE (32 * MiB)
#define MAX_TRACE_CACHES 256 /* docs/replay.md: caches made for a trace, at most */

static struct {
	struct fakeram *fr;
	struct slob_heap *meta; /* mm/slab.c's metadata heap */
	unsigned long managed;
	fuzz_free_blocks_t nr_free0;
	struct replay_result r;
} S;

struct counters {
	unsigned long kfree, slab, bad_pages, heap, meta;
};

static void snap(struct counters *c)
{
	c->kfree = kfree_errors;
	c->slab = slab_errors;
	c->bad_pages = mem_node->nr_bad_pages;
	c->heap = kmalloc_heap.nr_bad_frees;
	c->meta = S.meta->nr_bad_frees;
}

static void check_no_reports(const struct counters *b)
{
	struct counters a;

	snap(&a);
	FUZZ_CHECK(a.kfree == b->kfree && a.slab == b->slab && a.bad_pages == b->bad_pages &&
			   a.heap == b->heap && a.meta == b->meta,
		   "allocator error reports: kfree %lu, slab %lu, bad page %lu, kmalloc heap %lu, "
		   "metadata heap %lu", a.kfree - b->kfree, a.slab - b->slab, a.bad_pages - b->bad_pages,
		   a.heap - b->heap, a.meta - b->meta);
}

/* ---- the node ---------------------------------------------------------------- */

static void setup(bool slob)
{
	static const struct zone_limits lim = { PFN(RAM_BASE + 4 * MiB), PFN(1ull << 32), false };
	struct kmem_cache *probe;
	struct page *page;
	int err;

	memset(&S, 0, sizeof(S));
	S.fr = fakeram_new(RAM_BASE, RAM_SIZE);
	FUZZ_CHECK(S.fr != NULL, "no fake RAM");
	FUZZ_CHECK(memblock_add(&S.fr->mb, RAM_BASE, RAM_SIZE) == 0, "memblock_add");
	err = fakeram_node_init(S.fr, &lim);
	FUZZ_CHECK(err == 0, "node_init: %d", err);

	FUZZ_CHECK(slab_pages == 0 && slab_meta_bytes == 0, "slab memory left from an earlier input");
	memset(kmalloc_caches, 0, sizeof(kmalloc_caches));
	kmalloc_set_backend(slob ? KMALLOC_SLOB : KMALLOC_SLAB);
	kmalloc_init();

	/* The slab metadata heap is static in mm/slab.c: find it through a
	 * cache descriptor's page (teardown empties it). */
	probe = kmem_cache_create("replay-fuzz-probe", 8, 0, 0, NULL);
	FUZZ_CHECK(probe != NULL, "kmem_cache_create on an empty node");
	page = virt_to_page(probe);
	FUZZ_CHECK(page && page_type(page) == PGTY_SLOB, "cache descriptor not in a SLOB page");
	S.meta = (struct slob_heap *)page->priv;
	kmem_cache_destroy(probe);
	FUZZ_CHECK(slob_heap_destroy(S.meta) == 0, "slab metadata heap busy on an empty node");

	node_drain_pages(mem_node);
	S.managed = fuzz_free_blocks(S.nr_free0);
}

static bool is_kmalloc_cache(const struct kmem_cache *c)
{
	for (int i = 0; i < KMALLOC_NR_CACHES; i++) {
		if (kmalloc_caches[i] == c)
			return true;
		for (int zt = 0; zt < KMALLOC_NR_ZONE_TYPES; zt++)
			if (kmalloc_zone_caches[zt][i] == c)
				return true;
	}
	return false;
}

/* Every cache left on the chain is sound and is kmalloc's own. */
static void check_cache(struct kmem_cache *c, void *arg)
{
	(void)arg;
	FUZZ_CHECK(kmem_cache_check(c) == 0, "kmem_cache_check %s", c->name);
	FUZZ_CHECK(is_kmalloc_cache(c), "cache %s is left on the chain after the replay", c->name);
}

static void count_cache(struct kmem_cache *c, void *arg)
{
	(void)c;
	(*(unsigned long *)arg)++;
}

/* The state right after replay_run, before anything is torn down. */
static void check_after(void)
{
	FUZZ_CHECK(node_check(mem_node) == 0, "node_check");
	slab_for_each_cache(check_cache, NULL);
	FUZZ_CHECK(slob_check(&kmalloc_heap) == 0, "slob_check kmalloc heap");
	for (int zt = 0; zt < KMALLOC_NR_ZONE_TYPES; zt++) {
		struct slob_heap *zh = kmalloc_zone_heap_of(zt);

		FUZZ_CHECK(!zh || slob_check(zh) == 0, "slob_check %s", zh->name);
	}
	FUZZ_CHECK(slob_check(S.meta) == 0, "slob_check slab metadata heap");
}

/* Destroy kmalloc; the page allocator must be back where it started. */
static void teardown(void)
{
	unsigned long caches = 0;

	for (int i = 0; i < KMALLOC_NR_CACHES; i++)
		if (kmalloc_caches[i])
			kmalloc_destroy_cache(i);
	slab_for_each_cache(count_cache, &caches);
	FUZZ_CHECK(caches == 0, "%lu caches on the chain after kmalloc's were destroyed", caches);
	FUZZ_CHECK(slab_pages == 0 && slab_meta_bytes == 0,
		   "slab memory left after every cache was destroyed: %lu pages, %lu bytes", slab_pages,
		   slab_meta_bytes);
	FUZZ_CHECK(slob_heap_destroy(&kmalloc_heap) == 0, "kmalloc heap pages still busy");
	for (int zt = 0; zt < KMALLOC_NR_ZONE_TYPES; zt++) {
		struct slob_heap *zh = kmalloc_zone_heap_of(zt);

		FUZZ_CHECK(!zh || (slob_heap_destroy(zh) == 0 && zh->nr_pages == 0 && zh->big_pages == 0),
			   "zone heap %s busy at the end", zh->name);
	}
	FUZZ_CHECK(kmalloc_heap.nr_pages == 0 && kmalloc_heap.big_pages == 0,
		   "kmalloc heap holds pages after destroy");
	FUZZ_CHECK(slob_heap_destroy(S.meta) == 0, "slab metadata heap busy with no cache left");
	FUZZ_CHECK(slab_held_pages() == 0, "slab metadata heap holds %lu pages", slab_held_pages());
	fuzz_check_node_restored(S.managed, S.nr_free0);
	fakeram_done(S.fr);
	S.fr = NULL;
}

/* ---- the counts ---------------------------------------------------------------- */

static u64 lines_of(const u8 *data, size_t size)
{
	u64 n = 0;

	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
		return 1; /* refused as gzip: one line, unknown */
	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	return n + (size && data[size - 1] != '\n');
}

static void check_counts(const struct replay_result *r, const u8 *data, size_t size)
{
	u64 events = 0, errors = 0, lines = lines_of(data, size);

	FUZZ_CHECK(r->bytes == size, "bytes %llu", (unsigned long long)r->bytes);
	FUZZ_CHECK(r->lines == lines, "lines %llu, the input has %llu", (unsigned long long)r->lines,
		   (unsigned long long)lines);
	FUZZ_CHECK(r->events + r->unknown + r->skipped_events + r->ignored_lines == r->lines,
		   "events %llu + unknown %llu + skipped %llu + ignored %llu != lines %llu",
		   (unsigned long long)r->events, (unsigned long long)r->unknown,
		   (unsigned long long)r->skipped_events, (unsigned long long)r->ignored_lines,
		   (unsigned long long)r->lines);
	for (int k = 0; k < RK_NR; k++) {
		const struct replay_kind_stats *ks = &r->kind[k];

		FUZZ_CHECK(ks->failed <= ks->events, "kind %s: %llu errors in %llu events",
			   replay_kind_names[k], (unsigned long long)ks->failed,
			   (unsigned long long)ks->events);
		FUZZ_CHECK(ks->insns == 0, "kind %s: instructions counted on the host",
			   replay_kind_names[k]);
		events += ks->events;
		errors += ks->failed;
	}
	FUZZ_CHECK(events == r->events, "the kinds' events add up to %llu, events %llu",
		   (unsigned long long)events, (unsigned long long)r->events);
	FUZZ_CHECK(errors == r->errors, "the kinds' errors add up to %llu, errors %llu",
		   (unsigned long long)errors, (unsigned long long)r->errors);
	FUZZ_CHECK(r->reports >= r->unknown + r->errors, "%llu reports for %llu unknown and %llu errors",
		   (unsigned long long)r->reports, (unsigned long long)r->unknown,
		   (unsigned long long)r->errors);
	FUZZ_CHECK(r->caches <= MAX_TRACE_CACHES && r->caches <= r->kind[RK_CACHE_ALLOC].events,
		   "%u caches made for %llu kmem_cache_alloc events", r->caches,
		   (unsigned long long)r->kind[RK_CACHE_ALLOC].events);
	FUZZ_CHECK(r->live_objects <= r->kind[RK_KMALLOC].events + r->kind[RK_CACHE_ALLOC].events,
		   "%llu objects live at the end", (unsigned long long)r->live_objects);
	FUZZ_CHECK(r->live_blocks <= r->kind[RK_PAGE_ALLOC].events &&
			   r->live_block_pages <= S.managed && r->live_blocks <= r->live_block_pages,
		   "%llu page blocks, %llu pages live at the end", (unsigned long long)r->live_blocks,
		   (unsigned long long)r->live_block_pages);
	FUZZ_CHECK(r->peak_pages <= S.managed && r->free_pages <= S.managed &&
			   r->largest_free_pages <= r->free_pages &&
			   r->max_order_free_pages <= r->free_pages,
		   "peak %lu, free %lu, largest free %lu, in 4 MiB blocks %lu, of %lu pages",
		   r->peak_pages, r->free_pages, r->largest_free_pages, r->max_order_free_pages,
		   S.managed);
	FUZZ_CHECK(!r->interrupted && !r->have_insns, "interrupted %d, have_insns %d", r->interrupted,
		   r->have_insns);
}

/* ---- one input ------------------------------------------------------------------ */

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct counters before;
	int rc;

	fuzz_quiet();
	fuzz_log_reset();
	setup(size & 1);
	snap(&before);
	rc = replay_run((const char *)data, size, NULL, &S.r);
	FUZZ_CHECK(rc == 0, "replay_run returned %d on a node with %lu free pages", rc, S.managed);
	replay_print_summary(&S.r);
	check_counts(&S.r, data, size);
	check_no_reports(&before);
	check_after();
	teardown();
	check_no_reports(&before);
	return 0;
}
