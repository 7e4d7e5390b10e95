/*
 * fakeram.h - stand a page-allocator node up over "fake RAM" on the host.
 *
 * A span of host address space (anonymous, MAP_NORESERVE: what is never
 * touched costs nothing) stands in for physical [phys_base, phys_base+span);
 * va_pa_offset is pointed at it so phys_to_virt lands in the mapping. The
 * test adds RAM ranges and reservations to fr->mb (memblock), then
 * fakeram_node_init() runs node_init over them and makes the node the one
 * the global API uses (mm_set_node). fakeram_done() gives the mapping
 * back and restores the previous node and va_pa_offset. A span of up to
 * 128 MiB is kept mapped for the next fakeram_new of the same span, which
 * gets it zeroed, as a fresh mapping would be: a suite's cases stand on
 * the same RAM, and faulting it in for each case was most of their time.
 *
 *   struct fakeram *fr = fakeram_new(0x80000000, 16 << 20);
 *   memblock_add(&fr->mb, 0x80000000, 16 << 20);
 *   fakeram_node_init(fr, &(struct zone_limits){ 0, 0x80600 });
 *   ... alloc_pages() / node_check(&fr->node) ...
 *   fakeram_done(fr);
 *
 * Also: capturing console output (kprintf goes to stdout on the host).
 */
#ifndef RVMM_TESTS_FAKERAM_H
#define RVMM_TESTS_FAKERAM_H

#include <mm/kmalloc.h>
#include <mm/memblock.h>
#include <mm/mmzone.h>
#include <mm/slob.h>

struct fakeram {
	u64 phys_base, span; /* the mapped physical window */
	void *va;            /* where phys_base is mapped */
	struct memblock mb;  /* filled by the test, consumed by node_init */
	struct zone_limits limits;
	struct pglist_data node;
	int init_rc; /* what node_init returned */

	/* Restored by fakeram_done. */
	unsigned long saved_va_pa_offset;
	struct pglist_data *saved_mem_node;
};

/* Map the window, point va_pa_offset at it and memblock_init(&fr->mb).
 * Returns a calloc'ed harness, or NULL if the window cannot be mapped.
 * One harness at a time: one left behind by a case that ended early (a
 * failed ASSERT) is torn down first. The calling thread becomes cpu 0
 * (host_set_cpu). */
struct fakeram *fakeram_new(u64 phys_base, u64 span);

/* node_init(&fr->node, &fr->mb, lim) and, on success, mm_set_node(&fr->node).
 * Returns node_init's result. */
int fakeram_node_init(struct fakeram *fr, const struct zone_limits *lim);

/* One RAM range [base, base+size) mapped exactly, no reservations, then
 * fakeram_node_init(). NULL on any failure. */
struct fakeram *fakeram_simple(u64 base, u64 size, const struct zone_limits *lim);
/* The same with every free byte set to @dirt before the node is built, so
 * that tests see what allocators hand out uncleared. */
struct fakeram *fakeram_dirty(u64 base, u64 size, const struct zone_limits *lim, int dirt);

/* Two banks of @bank_size, at 2 GiB (ZONE_DMA32) and at 4 GiB (ZONE_NORMAL,
 * the zone limit between them), as QEMU virt lays out more than 2 GiB;
 * free bytes set to @dirt unless it is negative. NULL on any failure. */
#define FAKERAM_LOW_BANK 0x80000000ull
#define FAKERAM_HIGH_BANK 0x100000000ull
struct fakeram *fakeram_around_4g(u64 bank_size, int dirt);

/* Give the mapping back (kept for the next fakeram_new of its span),
 * give the global API back to the previous node (mm_set_node),
 * restore va_pa_offset, free the harness (NULL is ok). */
void fakeram_done(struct fakeram *fr);

/* Is [pa, pa+size) inside the mapped window? */
bool fakeram_covers(const struct fakeram *fr, u64 pa, u64 size);

/* Fill every byte of RAM that memblock reports free with @byte (do this
 * before fakeram_node_init, while memblock still knows what is free). */
void fakeram_poison_free(struct fakeram *fr, int byte);

/* Console capture: stdout (file descriptor 1) goes to a temporary file
 * between fr_capture_start and fr_capture_end, which copies what was printed
 * (truncated to size - 1 bytes, NUL terminated) into buf. */
struct fr_capture {
	void *tmp; /* FILE * */
	int saved_fd;
};
void fr_capture_start(struct fr_capture *c);
void fr_capture_end(struct fr_capture *c, char *buf, size_t size);

/* @fn(@arg) with its output captured into @out as above, and a panic made
 * to return here (port_host_panic_hook) instead of aborting: whether it
 * panicked. For the cases that check a panic's message. */
bool fr_catch_panic(void (*fn)(void *arg), void *arg, char *out, size_t size);

/* Number of times @needle occurs in @hay. */
int fr_count_substr(const char *hay, const char *needle);

/* kmalloc afresh over the running node for a case (kmalloc_init on
 * @backend, no kmalloc-N cache yet), the kmalloc state it replaced saved
 * in @k; fakeram_kmalloc_down destroys the case's caches and heap (the
 * number of problems slob_heap_destroy found) and restores it. */
struct fakeram_kmalloc {
	struct slob_heap heap;
	int backend;
	struct kmem_cache *caches[KMALLOC_NR_CACHES];
};
void fakeram_kmalloc_up(struct fakeram_kmalloc *k, int backend);
int fakeram_kmalloc_down(struct fakeram_kmalloc *k);

/* A small deterministic PRNG (xorshift64*), seedable per test/thread. */
static inline u64 fr_rand(u64 *state)
{
	u64 x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

#endif
