/*
 * shim.c - malloc, free, calloc, realloc, memalign, posix_memalign,
 * aligned_alloc, valloc, pvalloc and malloc_usable_size on rvmm's kmalloc:
 * build/librvmm-malloc.so, for LD_PRELOAD (docs/malloc.md).
 *
 * The heap. The memory manager (mm/ and lib/, built for the host) runs over
 * "RAM" that is one private anonymous mapping, reserved PROT_NONE up to
 * RVMM_MALLOC_MAX bytes (default 64 GiB) at an address aligned to 1 GiB
 * (or to the largest power of two within a smaller heap, or less, down to
 * 4 MiB, where the address space has no room for the alignment's slack)
 * and called physical memory from 4 GiB up (ZONE_NORMAL); without
 * RVMM_MALLOC_MAX, 64 GiB, or half the address-space limit (RLIMIT_AS)
 * when there is one, or the most that can be reserved below that, halving
 * down to 8 MiB (valgrind's address space is smaller). The node is planned
 * for memory hotplug (mm/hotplug.c): its struct pages are a second
 * reserved mapping (the vmemmap), so only the struct pages of RAM that has
 * been added are ever touched. It starts with GROW_MIN bytes of RAM; when
 * an allocation fails, the heap grows at its top by at least GROW_MIN, a
 * quarter of its size and the request (made readable and writable with
 * mprotect, then node_add_memory) and the allocation is tried again. So
 * the resident memory is what the program touched plus 32 bytes per 4 KiB
 * page of heap (the first GROW_MIN of 8 MiB: 64 KiB). Private mappings: a
 * child made by fork gets a copy.
 *
 * Requests. Up to KMALLOC_MAX_SIZE (4 MiB) go to kmalloc with
 * RVMM_MALLOC=slab (the default: the kmalloc-N slab caches, bigblocks above
 * 8 KiB) or RVMM_MALLOC=slob (the SLOB heap, bigblocks above 4084 bytes).
 * Larger ones, and blocks that realloc moves to 128 KiB or more
 * (REALLOC_RUN_MIN), are page runs (alloc_run), recognised on free by
 * being page-aligned and an untyped head page, their length in pages kept
 * in the head's page->priv. From RVMM_MALLOC_MMAP_MIN (32 MiB) up they are
 * mapped blocks (malloc/mapped.c), mappings of their own outside the heap,
 * whose struct pages would be written whether or not the program touched
 * them; free knows one by its record (free_block). Nothing ever goes to
 * glibc's malloc.
 *
 * Alignment. malloc's pointers must be 16-byte aligned: kmalloc
 * guarantees it (ARCH_KMALLOC_MINALIGN, on both backends), and aligns a
 * power of two up to a page to itself, which memalign and its kin build
 * on; above a page they take a bigblock cut from a buddy block of its
 * order (slob_big_alloc's align) or a run aligned as asked.
 *
 * Threads are harts (port/malloc.c): each operation runs on the calling
 * thread's leased hart slot under that slot's lock, so slab magazines are
 * per thread and never shared while there are no more threads than slots.
 *
 * Early calls: the first call (the dynamic loader's, before any
 * constructor) sets the heap up; it needs nothing but mmap, getenv and
 * pthread_key_create. The constructor registers the fork handlers.
 */
#define _GNU_SOURCE /* program_invocation_short_name */
#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <lib/cmdline.h>
#include <lib/kstring.h>
#include <lib/parse.h>
#include <lib/random.h>
#include <lib/spinlock.h>
#include <mm/kmalloc.h>
#include <mm/meminit.h>
#include <mm/memblock.h>
#include <mm/mm.h>
#include <mm/mm_init.h>
#include <mm/mm_report.h>
#include <mm/mmzone.h>
#include <mm/reclaim.h>
#include <mm/slab.h>
#include <mm/slob.h>
#include "../port/malloc.h"
#include "bigtrack.h"
#include "mapped.h"
#include "report.h"

#define API __attribute__((visibility("default")))

#define PHYS_BASE (4ull << 30)  /* the heap's first "physical" address: ZONE_NORMAL */
#define HEAP_ALIGN (1ul << 30)  /* the most virtual alignment (heap.align) */
/* The first size, and the least growth: 8 MiB, whose struct pages are
 * 64 KiB of resident memory from the first malloc on (32 MiB's were 256
 * KiB: a program that allocates little paid for a heap it never used). Not
 * less: at 4 MiB sqlite3's first growths left its 2 MiB buffer no free
 * max-order block to grow into, and realloc copied it (13 instructions per
 * allocation more on tests/real/workload.sql). */
#define GROW_MIN (8ul << 20)
#define RUN_ALIGN (PAGE_SIZE << (MAX_ORDER - 1)) /* the max-order blocks': the heap grows by them */
#define GFP (GFP_KERNEL | __GFP_NOWARN)

/* What the counters count (hart_slot.calls). */
enum { C_MALLOC, C_CALLOC, C_REALLOC, C_MEMALIGN, C_FREE };

static struct {
	char *ram;              /* virtual address of PHYS_BASE */
	struct page *vmemmap;
	unsigned long max;      /* bytes reserved */
	unsigned long align;    /* of ram: physical and virtual alignment agree up to it */
	unsigned long size;     /* bytes of RAM so far */
	unsigned long grows;
	size_t mmap_min;        /* requests of this many bytes or more: mapped blocks (0: none) */
	unsigned long mmap_max; /* at most this many mapped blocks at once (mallopt's M_MMAP_MAX) */
	bool slob;
	bool plain_free; /* free through kfree, not kfree_keyed: SLOB, or RVMM_MALLOC_DEBUG */
	bool slab_debug; /* RVMM_MALLOC_DEBUG: the kmalloc caches' objects in debug layout */
	bool track;      /* RVMM_MALLOC_DEBUG=U: the program's calls recorded (slot->caller) */
	bool verbose;
	/* free(NULL) counted (count_free_null): true until heap_setup, then
	 * whether RVMM_MALLOC_STATS asks for the counts */
	bool count_null_frees;
} heap = { .count_null_frees = true, .mmap_max = 65536 /* glibc's DEFAULT_MMAP_MAX */ };

/* free(NULL)s counted while the caller's slot was busy or missing */
static unsigned long free_null_calls;
/* malloc's fast path takes sizes fast_min .. fast_min + fast_span - 1,
 * straight to __kmalloc: 1 .. KMALLOC_MAX_SIZE on slab, whose least class
 * is 16 bytes (room for the key, mark_allocated); from 16 on SLOB, whose
 * smaller blocks would be smaller (kmalloc16 rounds them up on the slow
 * path); none while reporting (RVMM_MALLOC_REPORT), which sends every call
 * through alloc_or_grow. */
static size_t fast_min = 1, fast_span = KMALLOC_MAX_SIZE;
static bool reporting;
/* RVMM_MALLOC_CHECK=N: every allocation through alloc_or_grow (fast_span
 * 0, as while reporting) and the whole heap checked after every N-th
 * (heap_check_every) and at exit. 0: off. */
static unsigned long check_every;
static int heap_state; /* 0: not set up, 1: being set up, 2: ready */
static spinlock_t grow_lock = SPINLOCK_INIT;

/* "rvmm-malloc: " @fmt on standard error, whatever kprintf's sink is (the
 * bring-up is quiet unless RVMM_MALLOC_VERBOSE), then abort. */
static __attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	port_malloc_vdie("rvmm-malloc: ", fmt, ap);
}

/* ---- setting the heap up ---------------------------------------------- */

static void *reserve(unsigned long size, unsigned long align)
{
	char *p = mmap(NULL, size + align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *q;

	if (p == MAP_FAILED)
		return NULL;
	q = (char *)ALIGN_UP((uintptr_t)p, align);
	if (q > p)
		munmap(p, (size_t)(q - p));
	munmap(q + size, (size_t)(p + size + align - (q + size)));
	return q;
}

/* Make [off, off + len) of the heap and its struct pages usable. */
static bool commit(unsigned long off, unsigned long len)
{
	uintptr_t m0 = ALIGN_DOWN((uintptr_t)(heap.vmemmap + (off >> PAGE_SHIFT)), PAGE_SIZE);
	uintptr_t m1 = ALIGN_UP((uintptr_t)(heap.vmemmap + ((off + len) >> PAGE_SHIFT)), PAGE_SIZE);

	return mprotect(heap.ram + off, len, PROT_READ | PROT_WRITE) == 0 &&
	       mprotect((void *)m0, m1 - m0, PROT_READ | PROT_WRITE) == 0;
}

/* RVMM_MALLOC_MAX's bounds: room for the first RAM and one growth; the
 * sections page->flags can name (MAX_SECTIONS of 128 MiB from the heap's
 * start: 8 TiB; mm_init refuses a larger node with a panic). The default
 * heap under an address-space limit may be smaller, down to its first RAM
 * (HEAP_LIMITED_LEAST, default_max). */
#define HEAP_MAX_LEAST (64ul << 20)
#define HEAP_LIMITED_LEAST GROW_MIN
#define HEAP_MAX_MOST ((unsigned long)MAX_SECTIONS << SECTION_SHIFT)
#define HEAP_MAX_DEFAULT (64ul << 30)

/* The virtual alignment of a heap of @max bytes: HEAP_ALIGN, or the
 * largest power of two within a smaller heap (a larger alignment could
 * not serve a block anyway, and its slack would take address space). */
static unsigned long heap_align_for(unsigned long max)
{
	unsigned long align = HEAP_ALIGN;

	while (align > max)
		align /= 2;
	return align;
}

/* The reservation is address space in full, touched or not: under an
 * address-space limit (RLIMIT_AS, ulimit -v) the default heap takes at
 * most half of it (in whole 4 MiB, HEAP_LIMITED_LEAST at least), and
 * leaves the program the rest for its own mappings (stacks, files, ...).
 * Without that, a limit of 2 GB or less refused the 1 GiB reservation with
 * its alignment slack, the last one tried, and every program aborted on
 * its first malloc; with a least of 64 MiB (RVMM_MALLOC_MAX's), so did
 * every program under a limit of 130 MB or less, where glibc's ran. */
static unsigned long default_max(void)
{
	struct rlimit as;

	if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur / 2 < HEAP_MAX_DEFAULT)
		return MAX(ALIGN_DOWN((unsigned long)as.rlim_cur / 2, RUN_ALIGN), HEAP_LIMITED_LEAST);
	return HEAP_MAX_DEFAULT;
}

/* Reserve heap.max bytes at heap_align_for's alignment or, when the
 * address space has no room for its slack (as much again as the
 * alignment: under an address-space limit), at the largest smaller power
 * of two that it has room for, down to RUN_ALIGN (the max-order blocks'
 * alignment, which the page allocator needs). heap.align says which:
 * alignments above it fail (alloc_or_grow_run). */
static bool reserve_heap(void)
{
	for (heap.align = heap_align_for(heap.max); heap.align >= RUN_ALIGN; heap.align /= 2)
		if ((heap.ram = reserve(heap.max, heap.align)))
			return true;
	return false;
}

/* The size in @name (RVMM_MALLOC_MAX), or @def when unset or empty; a bad
 * value is refused with a message that names it and what is accepted. */
static unsigned long env_size(const char *name, unsigned long def)
{
	const char *v = getenv(name);
	u64 n;
	int rc;

	if (!v || !*v)
		return def;
	rc = memparse(v, &n);
	if (rc && rc != -ERANGE)
		die("%s=%s: not a size: expected a whole number of bytes with an optional K, M, G "
		    "or T suffix (such as 64G or 1024M), from 64M to %luG", name, v,
		    HEAP_MAX_MOST >> 30);
	if (!rc && n < HEAP_MAX_LEAST)
		die("%s=%s: too small: expected a size from 64M to %luG (such as 64G or 1024M)", name,
		    v, HEAP_MAX_MOST >> 30);
	if (rc || n > HEAP_MAX_MOST)
		die("%s=%s: too large: the most is %luG (the %lu memory sections of 128 MiB a "
		    "node can have)", name, v, HEAP_MAX_MOST >> 30, (unsigned long)MAX_SECTIONS);
	return ALIGN_UP((unsigned long)n, RUN_ALIGN);
}

/* The default RVMM_MALLOC_MMAP_MIN: glibc's largest mmap threshold, above
 * which it maps every chunk (DEFAULT_MMAP_THRESHOLD_MAX on 64 bits). */
#define MMAP_MIN_DEFAULT (32ul << 20)

/* RVMM_MALLOC_MMAP_MIN: 0 (every request in the heap) or a size above
 * KMALLOC_MAX_SIZE (the requests up to it are kmalloc's, on its fast path);
 * MMAP_MIN_DEFAULT when unset or empty. */
static size_t env_mmap_min(void)
{
	const char *v = getenv("RVMM_MALLOC_MMAP_MIN");
	u64 n;
	int rc;

	if (!v || !*v)
		return MMAP_MIN_DEFAULT;
	rc = memparse(v, &n);
	if (rc || (n && n <= KMALLOC_MAX_SIZE))
		die("RVMM_MALLOC_MMAP_MIN=%s: expected 0 (every block in the heap) or a size above 4M "
		    "with an optional K, M, G or T suffix (such as 32M, the default): requests up to 4 "
		    "MiB are kmalloc's", v);
	return n > SIZE_MAX ? SIZE_MAX : (size_t)n;
}

/* RVMM_MALLOC_CHECK's N, a whole number from 1 (parse_u64's); 0 when unset. */
static unsigned long env_check_every(void)
{
	const char *v = getenv("RVMM_MALLOC_CHECK");
	u64 n;

	if (!v || !*v)
		return 0;
	if (parse_u64(v, &n))
		die("RVMM_MALLOC_CHECK=%s: expected how many allocations between heap checks, "
		    "a whole number from 1 (1: after every one)", v);
	if (!n)
		die("RVMM_MALLOC_CHECK=0: expected a whole number from 1 (unset it for no checks)");
	return (unsigned long)n;
}

/* Is @name one of the library's caches, kmalloc-N for a class N? */
static bool is_kmalloc_cache_name(const char *name)
{
	char want[24];

	for (unsigned int i = 0; i < KMALLOC_NR_CACHES; i++) {
		snprintf(want, sizeof(want), "kmalloc-%u", kmalloc_sizes[i]);
		if (strcmp(name, want) == 0)
			return true;
	}
	return false;
}

/* RVMM_MALLOC_DEBUG=FLAGS[,CACHE]: the kernel's slab_debug= for the kmalloc
 * caches (made on first use, after this): F consistency checks, Z red
 * zones, P poisoning, U the last allocator and freer of each object (an
 * empty value: F, Z and P); the checks report on standard error. With U
 * every call takes the slow paths, which hand the program's call site
 * (the API function's return address, slot->caller) to
 * kmalloc_track_caller and kfree_track_caller. Only those letters and a
 * cache name are taken, so the value cannot set another of the kernel's
 * parameters. */
static void env_slab_debug(void)
{
	static char arg[64]; /* (the setter keeps a pointer into it) */
	const char *v = getenv("RVMM_MALLOC_DEBUG");
	size_t letters;
	bool ok;

	if (!v)
		return;
	if (heap.slob)
		die("RVMM_MALLOC_DEBUG=%s: slab debugging needs RVMM_MALLOC=slab", v);
	heap.plain_free = true;
	heap.slab_debug = true;
	letters = strspn(v, "FZPUfzpu");
	ok = strlen(v) <= sizeof(arg) - sizeof("slab_debug=FZP") &&
	     (!v[letters] || (v[letters] == ',' && v[letters + 1])) && !strpbrk(v, " \t\"'=");
	if (!ok)
		die("RVMM_MALLOC_DEBUG=%s: expected letters of FZPU, optionally ,CACHE (such as ZP or "
		    "FZPU,kmalloc-64), or nothing for FZP", v);
	if (v[letters] == ',' && !is_kmalloc_cache_name(v + letters + 1))
		die("RVMM_MALLOC_DEBUG=%s: no cache is called %s: the library's caches are kmalloc-N "
		    "for its classes N from %u to %u (docs/kmalloc.md; RVMM_MALLOC_REPORT's slabinfo lists "
		    "those a program uses)", v, v + letters + 1, kmalloc_sizes[0],
		    kmalloc_sizes[KMALLOC_NR_CACHES - 1]);
	/* (checked above, so the kernel's setter accepts it: no message of its own) */
	snprintf(arg, sizeof(arg), "slab_debug=%s%s", letters ? "" : "FZP", v); /* (no letters: all three) */
	if (cmdline_parse(arg))
		die("RVMM_MALLOC_DEBUG=%s: refused by slab_debug= (above)", v);
	if (strcspn(v, "Uu") < letters) { /* (a U among the letters, not in CACHE) */
		if (!bigtrack_setup())
			die("RVMM_MALLOC_DEBUG=%s: no memory for the record of big blocks", v);
		heap.track = true;
		fast_span = 0; /* every malloc through alloc_counted, which takes its caller */
	}
}

/* The secret of freed objects' keys (free_object), set with the heap. */
static uintptr_t free_secret;

/* A switch from the environment, as the kernel's parameter takes it
 * (parse_bool: 1, on, y, yes, true / 0, off, n, no, false); anything else
 * stops the program with the reason. */
static void env_switch(const char *name, bool *out)
{
	const char *v = getenv(name);

	if (v && *v && parse_bool(v, out))
		die("%s=%s: expected 1 or 0 (on, off, yes, no, true, false)", name, v);
}

static __attribute__((noinline)) void heap_setup(void)
{
	static const struct mm_image no_image; /* the program is not in this RAM */
	static struct memblock mb;
	const char *backend = getenv("RVMM_MALLOC");
	const char *verbose = getenv("RVMM_MALLOC_VERBOSE");
	const char *heap_classes = getenv("RVMM_MALLOC_HEAP");
	const char *report = getenv("RVMM_MALLOC_REPORT");

	kprintf_set_sink(NULL); /* quiet bring-up unless verbose */
	heap.verbose = verbose && *verbose && strcmp(verbose, "0") != 0;
	heap.count_null_frees = getenv("RVMM_MALLOC_STATS") != NULL;
	if (heap.verbose)
		kprintf_set_sink(port_malloc_stderr_sink);
	if (backend && *backend && strcmp(backend, "slab") != 0 && strcmp(backend, "slob") != 0)
		die("RVMM_MALLOC=%s: expected slab or slob", backend);
	if (heap_classes && *heap_classes && strcmp(heap_classes, "on") != 0 &&
	    strcmp(heap_classes, "compact") != 0 && strcmp(heap_classes, "off") != 0)
		die("RVMM_MALLOC_HEAP=%s: expected on, compact or off", heap_classes);
	heap.slob = backend && strcmp(backend, "slob") == 0;
	heap.plain_free = heap.slob;
	env_switch("RVMM_MALLOC_INIT_ON_ALLOC", &init_on_alloc); /* (before mm_init: its caches) */
	env_switch("RVMM_MALLOC_INIT_ON_FREE", &init_on_free);
	/* The zeroing caches check every free exactly themselves, a double
	 * free by a marker in the word kfree_keyed would key (mm/slab.c,
	 * "Zeroing caches"). */
	heap.plain_free = heap.plain_free || meminit_routed();
	heap.max = env_size("RVMM_MALLOC_MAX", 0);
	if (heap.max) {
		reserve_heap();
	} else { /* the default, or the most that can be reserved below it (valgrind, a limit) */
		for (heap.max = default_max();; heap.max = ALIGN_DOWN(heap.max / 2, RUN_ALIGN))
			if (reserve_heap() || heap.max / 2 < HEAP_LIMITED_LEAST)
				break;
	}
	heap.vmemmap = heap.ram ? reserve((heap.max >> PAGE_SHIFT) * sizeof(struct page), PAGE_SIZE)
				: NULL;
	if (!heap.ram || !heap.vmemmap || !commit(0, GROW_MIN))
		die("cannot map the heap of %lu MiB (RVMM_MALLOC_MAX too large for this address "
		    "space?)", heap.max >> 20);
	heap.size = GROW_MIN;
	va_pa_offset = (uintptr_t)heap.ram - PHYS_BASE;
	memblock_init(&mb);
	if (memblock_add(&mb, PHYS_BASE, GROW_MIN))
		die("memblock_add failed");
	mb.hotplug_end = PHYS_BASE + heap.max;
	mb.vmemmap = heap.vmemmap;
	mm_init(&mb, &no_image);
	free_secret = (uintptr_t)get_random_u64() ^ (uintptr_t)&mb; /* (the address differs per run too) */
	if (heap.slob) {
		kmalloc_set_backend(KMALLOC_SLOB);
		fast_min = 16;
		fast_span = KMALLOC_MAX_SIZE - 15;
	}
	/* A class borrows only from classes at most a quarter larger: the
	 * kernel's 100% let a program's 272-byte objects, allocated among
	 * 392-byte ones, take kmalloc-400's objects, which then grew for its
	 * own (jq on 300000 JSON objects: max RSS 586 MB, 563 MB at 25%;
	 * glibc 558). */
	slab_borrow_waste_pct = 25;
	/* Freed bigblocks of up to 32 pages, 128 pages (512 KiB) a hart slot,
	 * kept by the slot for its next request of their size or up to a
	 * quarter less (mm/slob.c, "Kept bigblocks"): opendir's nine-page
	 * buffer taken and freed per directory cost find and du about 2300
	 * instructions a pair through the page allocator, and threads taking
	 * blocks of 8 to 64 KiB met at the zone's lock (docs/malloc.md, "Where
	 * threads meet"). sqlite3's max RSS 21656 -> 22128 KB against 64 pages
	 * in one heap-wide keep (`setarch -R`; glibc 20520). */
	kmalloc_heap.big_keep_max = 128;
	if (heap_classes && strcmp(heap_classes, "on") == 0) /* kmalloc=slab's heap classes */
		kmalloc_set_heap_classes(kmalloc_default_heap_classes());
	else if (heap_classes && strcmp(heap_classes, "compact") == 0)
		kmalloc_set_heap_classes(kmalloc_compact_heap_classes());
	kprintf_set_sink(port_malloc_stderr_sink);
	if (report_setup(report)) {
		reporting = true;
		fast_span = 0;
	}
	env_slab_debug();
	check_every = env_check_every();
	if (check_every)
		fast_span = 0;
	heap.mmap_min = env_mmap_min();
}

/* Set up once; a thread that comes while another sets up waits. */
static inline void heap_ready(void)
{
	int zero = 0;

	if (likely(__atomic_load_n(&heap_state, __ATOMIC_ACQUIRE) == 2))
		return;
	if (__atomic_compare_exchange_n(&heap_state, &zero, 1, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE)) {
		heap_setup();
		__atomic_store_n(&heap_state, 2, __ATOMIC_RELEASE);
		return;
	}
	while (__atomic_load_n(&heap_state, __ATOMIC_ACQUIRE) != 2)
		sched_yield();
}

__attribute__((constructor)) static void shim_init(void)
{
	hart_fork_handlers();
}

/* ---- growth ------------------------------------------------------------ */

/* commit and node_add_memory for @add bytes at the heap's top; a refused
 * commit (RLIMIT_DATA counts writable private memory) is undone. */
static bool add_ram(unsigned long add)
{
	if (!commit(heap.size, add)) {
		mprotect(heap.ram + heap.size, add, PROT_NONE); /* (the struct pages' stay: shared pages) */
		return false;
	}
	return node_add_memory(mem_node, PHYS_BASE + heap.size, add) == 0;
}

/* What RVMM_MALLOC_MAX leaves for the heap to grow by, in whole max-order
 * blocks, and for mapped blocks, in pages: the reservation less the heap's
 * RAM and the mapped blocks' bytes (grow_lock held: both grow only under it). */
static unsigned long room_left(unsigned long unit)
{
	unsigned long used = heap.size + mapped_bytes();

	return used < heap.max ? ALIGN_DOWN(heap.max - used, unit) : 0;
}

/* Add RAM at the top after a failed request of @need bytes; false when the
 * reservation is used up. @seen: heap.grows when the request failed (if
 * another thread grew since, just try again). */
static bool grow(unsigned long need, unsigned long seen)
{
	unsigned long flags = spin_lock_irqsave(&grow_lock);
	unsigned long add = MAX(GROW_MIN, heap.size / 4);
	bool ok = true;

	if (heap.grows == seen) {
		/* A run needs its pages free above the min watermark: room for
		 * both. When the system refuses that much (RLIMIT_DATA), the
		 * least that holds the request, as glibc then still fits it. */
		unsigned long room = room_left(RUN_ALIGN);
		unsigned long least = MIN(ALIGN_UP(need, RUN_ALIGN), room);

		add = MAX(add, ALIGN_UP(need, RUN_ALIGN) + GROW_MIN);
		add = ALIGN_UP(add, RUN_ALIGN);
		if (add > room)
			add = room;
		ok = add >= RUN_ALIGN && add_ram(add);
		if (!ok && least >= RUN_ALIGN && least < add && add_ram(least)) {
			add = least;
			ok = true;
		}
		if (ok) {
			__atomic_store_n(&heap.size, heap.size + add, __ATOMIC_RELAXED); /* (heap_in_use) */
			__atomic_store_n(&heap.grows, heap.grows + 1, __ATOMIC_RELEASE);
			if (heap.verbose)
				kprintf("rvmm-malloc: heap grown by %lu MiB to %lu MiB\n", add >> 20,
					heap.size >> 20);
		}
	}
	spin_unlock_irqrestore(&grow_lock, flags);
	return ok;
}

/* ---- allocation (slot lock held) ----------------------------------------- */

_Static_assert(ARCH_KMALLOC_MINALIGN >= 16, "kmalloc's pointers are malloc's");

/*
 * Bad frees of slab objects. kfree's fast path catches a pointer off its
 * cache's object grid and a double free in a row; free uses kfree_keyed
 * instead, which catches the rest too: a pointer inside an object on the grid
 * (kfree_keyed tests the object start exactly), and a double free
 * however far apart. Every slab object free() gives back gets a key in
 * its second word (kmalloc's classes are 16 bytes and more; a free object's
 * link is its first word), its address XOR a per-process secret, which no
 * allocator path writes: an object whose key is there was freed and has
 * not been handed out since (every block malloc and its kin return has the
 * word cleared: mark_allocated), wherever it waits (a magazine, the depot,
 * its slab's free list or fresh objects). Both are reported and dropped, so
 * a program's bad free never hands out the same memory twice.
 */

static inline void *mark_allocated(void *p)
{
	if (p)
		((uintptr_t *)p)[1] = 0;
	return p;
}

/* Is @p (a block of this heap) a slab object, which its cache tracks? The
 * rest, bigblocks, page runs and mapped blocks, are bigtrack's with
 * RVMM_MALLOC_DEBUG=U. */
static bool is_slab_object(const void *p)
{
	struct page *page = virt_to_page(p);

	return page && PageSlab(page);
}

/* With RVMM_MALLOC=slob or RVMM_MALLOC_DEBUG (plain_free): kfree, for the
 * program's call @caller with RVMM_MALLOC_DEBUG=U. */
static inline void free_through_kfree(void *p, unsigned long caller)
{
	if (unlikely(ZERO_OR_NULL_PTR(p))) { /* (malloc never returns 1 .. 16) */
		kfree_strict(p);
		return;
	}
	if (heap.track) {
		if (!is_slab_object(p))
			bigtrack_forget(p); /* (a bigblock's record; a bad pointer has none) */
		kfree_track_caller(p, caller);
	} else {
		kfree(p);
	}
}

/* kfree, with the checks above first (kfree_keyed, mm/slab.c); with
 * RVMM_MALLOC=slob there is no slab object and SLOB checks every free, and
 * with RVMM_MALLOC_DEBUG the debug caches check every free themselves (the
 * key, written into a freed object, would be a write to a poisoned one). */
static inline void free_object(void *p, unsigned long caller)
{
	if (unlikely(heap.plain_free))
		free_through_kfree(p, caller);
	else
		kfree_keyed(p, free_secret);
}

/* __kmalloc, with RVMM_MALLOC_DEBUG=U for the program's call on this
 * thread's slot. */
static inline void *kmalloc_for_caller(size_t size)
{
	if (unlikely(heap.track))
		return kmalloc_track_caller(size, GFP, hart_mine->caller);
	return __kmalloc(size, GFP);
}

/* (At least 16 bytes: room for the key, whichever allocator serves it.) */
static inline void *kmalloc16(size_t size)
{
	return mark_allocated(kmalloc_for_caller(size < 16 ? 16 : size));
}

/* The length in the head; 0 in the other blocks' heads, so that a pointer
 * into the run is never taken for a run's start. */
static void mark_run(struct page *page, unsigned long nr)
{
	for (unsigned long i = 1 << page_order(page); i < nr; i += 1ul << page_order(page + i))
		page[i].priv = 0;
	page->priv = nr;
}

/*
 * A page run of @size bytes: with @align 0 where it fits best
 * (alloc_pages_fit: the shortest stretch of free pages that holds it, or
 * of the roomy ones the lowest, where the heap's pages are resident
 * already); with @align (RUN_ALIGN or more), or when no stretch of a
 * section holds it, contiguous max-order blocks aligned to @align, the
 * lowest free (alloc_contig_pages). malloc's runs fit best; realloc's
 * moves take max-order blocks, whose pages past the run are free for it to
 * grow into (grow_in_place): placed best-fit they were hemmed in, and
 * moved again (aligned blocks doubled by realloc: 7 moves of 16, each
 * copying whole blocks, 48 MB resident against 7.5). With every run on
 * max-order blocks, each took whole ones from the lowest aligned place
 * free, and the pieces beside smaller blocks went unused: a program taking
 * and freeing blocks of 1 KiB to 16 MiB among 64 live (python3 bytearrays)
 * faulted in half the pages it wrote (docs/malloc.md, "Large free blocks
 * go back").
 */
static void *alloc_run(size_t size, unsigned long align)
{
	unsigned long nr = ALIGN_UP(size, PAGE_SIZE) >> PAGE_SHIFT;
	void *p = align ? NULL : alloc_pages_fit(size, GFP);
	struct page *page = p ? virt_to_page(p) : alloc_contig_pages(nr, GFP, align >> PAGE_SHIFT);

	if (!page)
		return NULL;
	mark_run(page, nr);
	return page_address(page);
}

/* Can @p (not NULL) be a page run's start? Not inside a page, nor on a
 * slab's page: kmalloc-4096's objects are all page-aligned, and with the
 * alignment test alone their frees took the out-of-line run path (25
 * instructions more a malloc and free pair under callgrind; the page
 * lookup here costs them 5.5). */
static inline bool maybe_run(const void *p)
{
	return unlikely(!((uintptr_t)p & (PAGE_SIZE - 1))) && !virt_to_slab_page_flat(p);
}

/* The run @p heads, or NULL if p is not a run's start. */
static inline struct page *run_of(const void *p)
{
	struct page *page;

	if (likely((uintptr_t)p & (PAGE_SIZE - 1)))
		return NULL;
	page = virt_to_page(p);
	return page && PageHead(page) && page_type(page) == PGTY_NONE && page->priv ? page : NULL;
}

/* @size bytes (>= 1) aligned to @align (a power of two; <= 16: malloc's);
 * with @run (malloc's alignment only) a page run on max-order blocks
 * whatever the size (a realloc's move: alloc_run). */
static void *alloc_aligned(size_t size, size_t align, bool run)
{
	if (align <= 16)
		return size <= KMALLOC_MAX_SIZE && !run ? kmalloc16(size) : alloc_run(size, run ? RUN_ALIGN : 0);
	if (align > RUN_ALIGN || size > KMALLOC_MAX_SIZE)
		return align > heap.align ? NULL : alloc_run(size, align <= PAGE_SIZE ? 0 : MAX(align, RUN_ALIGN));
	if (!heap.slob && align <= PAGE_SIZE && size <= (heap.slab_debug ? PAGE_SIZE : KMALLOC_SLAB_MAX)) {
		/* a power-of-two class is aligned to its size, kmalloc-8192 to a
		 * page (mm/slab.c, object_grid): 4097 .. 8192 bytes take 8 KiB,
		 * not a bigblock's 12; but not with RVMM_MALLOC_DEBUG's red zones,
		 * which keep alignments up to a page only */
		size_t pow = align;

		while (pow < size)
			pow <<= 1;
		return mark_allocated(kmalloc_for_caller(pow));
	}
	if (heap.slob && align <= PAGE_SIZE && size + align <= SLOB_SEG_KMALLOC_MAX - 40)
		return slob_alloc(&kmalloc_heap, size, GFP, align);
	/* A bigblock: page-aligned, or cut from a block of its order (aligned
	 * to its size) when @align is above a page. kmalloc makes one of
	 * anything above its slab classes (slab) or its SLOB blocks (slob):
	 * exactly the pages asked for. */
	if (align > PAGE_SIZE)
		return slob_big_alloc(&kmalloc_heap, size, GFP, align);
	return kmalloc_for_caller(MAX(size, heap.slob ? slob_kmalloc_max(&kmalloc_heap) + 1
						     : (size_t)KMALLOC_SLAB_MAX + 1));
}

/*
 * The heap's RAM and its free bytes, read together without stopping the
 * other threads. The free count (nr_free_pages) adds each zone's free
 * pages and each per-hart list's count without their locks, so pages that
 * move between the two while it reads (a refill, a drain, malloc_trim's
 * drain of every list) can be counted twice or not at all; and a growth
 * adds free pages (node_add_memory) before heap.size says so. Both errors
 * last only while the move is under way and neither loses memory: a reading
 * across a growth is taken again (heap.grows changed), and the free count
 * is clamped to the RAM, so "in use" (RAM - free) is never below zero: a
 * reading that counted pages twice shows less in use, never a wrap.
 */
static void heap_counts(unsigned long *ram, unsigned long *avail)
{
	unsigned long grows, free;

	do {
		grows = __atomic_load_n(&heap.grows, __ATOMIC_ACQUIRE);
		*ram = __atomic_load_n(&heap.size, __ATOMIC_RELAXED);
		free = nr_free_pages() << PAGE_SHIFT; /* once: MIN evaluates twice */
		*avail = MIN(free, *ram);
	} while (__atomic_load_n(&heap.grows, __ATOMIC_ACQUIRE) != grows);
}

/* The heap's bytes in use: its RAM less the page allocator's free pages
 * (heap_counts: never below zero). */
static unsigned long heap_in_use(void)
{
	unsigned long ram, avail;

	heap_counts(&ram, &avail);
	return ram - avail;
}

/*
 * RVMM_MALLOC_CHECK's check: the page allocator (node_check), every slab
 * cache (kmem_cache_check: lists, counts, each free list's links inside
 * its slab on object boundaries, magazines and depots) and kmalloc's SLOB
 * heap (slob_check), with every other slot's lock held so that no thread
 * is inside mm/. The checkers print each problem; any makes the program
 * die, naming the allocation after which the heap was found wrong: the
 * damage (a write past a block, into a freed one, a wild free the checks
 * on free could not see) happened between the check before and this one.
 * A check that cannot stop the other slots (a fork or malloc_trim holding
 * them) is left to the next. The caller holds its slot (@own).
 */
static unsigned long check_count;

static void check_cache(struct kmem_cache *c, void *arg)
{
	*(int *)arg += kmem_cache_check(c);
}

static void heap_check(const struct hart_slot *own, const char *when)
{
	int problems;

	if (hart_fork_holder || !hart_hold_others(own))
		return;
	problems = node_check(mem_node);
	slab_for_each_cache(check_cache, &problems);
	problems += slob_check(&kmalloc_heap);
	problems += mapped_check();
	hart_release_others(own);
	if (problems)
		die("RVMM_MALLOC_CHECK: the heap is damaged %s: %d problem%s (above); a block was "
		    "written past its end or after its free, or a pointer not from malloc freed",
		    when, problems, problems == 1 ? "" : "s");
}

static __attribute__((noinline)) void heap_check_every(void)
{
	unsigned long n = __atomic_add_fetch(&check_count, 1, __ATOMIC_RELAXED);
	char when[64];

	if (n % check_every)
		return;
	snprintf(when, sizeof(when), "after allocation %lu", n);
	heap_check(hart_mine, when);
}

/* Is @p inside the heap's reservation? Mapped blocks are outside it. */
static inline bool in_heap(const void *p)
{
	return (uintptr_t)p - (uintptr_t)heap.ram < heap.max;
}

/* Does a request of @size bytes take a mapped block? (While mmap_max
 * are mapped, no: the heap's.) */
static inline bool wants_mapping(size_t size)
{
	size_t min = __atomic_load_n(&heap.mmap_min, __ATOMIC_RELAXED);

	return min && size >= min && mapped_blocks() < __atomic_load_n(&heap.mmap_max, __ATOMIC_RELAXED);
}

/* What the heap and the mapped blocks hold, for the reports. */
static unsigned long bytes_in_use(void)
{
	return heap_in_use() + mapped_bytes();
}

/* After each allocation that did not take malloc's fast path: the record
 * of RVMM_MALLOC_DEBUG=U, the report's peak, RVMM_MALLOC_CHECK. */
static void *allocated(void *p)
{
	if (unlikely(heap.track) && !is_slab_object(p))
		bigtrack_note(p, hart_mine->caller);
	if (unlikely(reporting))
		report_note_use(bytes_in_use());
	if (unlikely(check_every))
		heap_check_every();
	return p;
}

/* A mapped block of @size bytes at @align (mapped.c), within what
 * RVMM_MALLOC_MAX leaves (room_left); errno ENOMEM when refused. */
static void *alloc_mapped(size_t size, size_t align)
{
	unsigned long flags = spin_lock_irqsave(&grow_lock);
	void *p = NULL;

	if (size <= room_left(PAGE_SIZE))
		p = mapped_alloc(size, MAX(align, (size_t)PAGE_SIZE));
	spin_unlock_irqrestore(&grow_lock, flags);
	if (!p) {
		if (heap.verbose)
			kprintf("rvmm-malloc: out of memory: a mapping of %zu bytes (alignment %zu) "
				"refused\n", size, align);
		errno = ENOMEM;
		return NULL;
	}
	return allocated(p);
}

/* alloc_aligned, growing the heap while it fails, or a mapped block;
 * errno ENOMEM at the end. */
static void *alloc_or_grow_run(size_t size, size_t align, bool run)
{
	if (wants_mapping(size))
		return alloc_mapped(size, align);
	if (size > heap.max / 2 || align > heap.align) { /* never grow for what cannot fit */
		errno = ENOMEM;
		return NULL;
	}
	for (;;) {
		unsigned long seen = __atomic_load_n(&heap.grows, __ATOMIC_ACQUIRE);
		void *p = alloc_aligned(size, align, run);

		if (p)
			return allocated(p);
		if (!grow(size + align, seen)) {
			if (heap.verbose)
				kprintf("rvmm-malloc: out of memory: %zu bytes (alignment %zu), the heap "
					"at its most (%lu MiB)\n", size, align, heap.size >> 20);
			errno = ENOMEM;
			return NULL;
		}
	}
}

static void *alloc_or_grow(size_t size, size_t align)
{
	return alloc_or_grow_run(size, align, false);
}

/* A block's usable bytes; 0 when @p is no block's start (ksize's answer,
 * which reports it). */
static size_t usable_size(const void *p)
{
	struct page *run;
	size_t n;

	if (unlikely(!in_heap(p)) && (n = mapped_size(p)))
		return n;
	run = run_of(p);
	return run ? run->priv << PAGE_SHIFT : ksize(p);
}

/* A mapped block freed: true; false when no mapped block starts at @p. */
static bool free_mapped(void *p)
{
	if (unlikely(heap.track) && mapped_size(p))
		bigtrack_forget(p); /* (first: once unmapped, the address may be another's) */
	return mapped_free(p);
}

static void free_block(void *p, unsigned long caller)
{
	struct page *run;

	if (unlikely(!in_heap(p)) && free_mapped(p))
		return;
	run = run_of(p);
	if (unlikely(run)) {
		unsigned long nr = run->priv;

		run->priv = 0; /* a second free is then kfree's to report */
		if (unlikely(heap.track))
			bigtrack_forget(p);
		free_contig_range(page_to_pfn(run), nr);
	}
	else
		free_object(p, caller);
}

/* ---- the API ------------------------------------------------------------- */

/* A thread's first call: the heap set up (if this is the process's first
 * call), a slot leased. */
static __attribute__((noinline)) struct hart_slot *first_enter(void)
{
	heap_ready();
	return hart_lease();
}

/* Enter mm/ on the calling thread's slot: one thread-local load and the
 * slot's lock once the thread has a lease (which implies a ready heap). */
static inline struct hart_slot *slot_enter(void)
{
	struct hart_slot *slot = hart_mine;

	if (unlikely(!slot))
		slot = first_enter();
	return hart_enter(slot);
}

static inline void *alloc_counted(size_t size, size_t align, int what, unsigned long caller)
{
	struct hart_slot *slot;
	void *p;

	slot = slot_enter();
	slot->calls[what]++;
	slot->caller = caller;
	p = alloc_or_grow(size ? size : 1, align);
	hart_exit(slot);
	return p;
}

static __attribute__((noinline)) void *malloc_slow(size_t size, unsigned long caller)
{
	return alloc_counted(size, 0, C_MALLOC, caller);
}

/* The common case: a thread with its slot, its lock free, 1 byte to 4 MiB
 * (malloc's alignment; 16 bytes to 4 MiB on SLOB) straight to __kmalloc.
 * The rest (a thread's first call, a shared slot's lock taken, sizes 0 and
 * above 4 MiB, below 16 on SLOB, a heap that must grow, every call while
 * reporting) through alloc_or_grow. */
API void *malloc(size_t size)
{
	struct hart_slot *slot;
	void *p;

	if (unlikely(size - fast_min >= fast_span) || unlikely(!(slot = hart_try_enter())))
		return malloc_slow(size, RET_IP);
	slot->calls[C_MALLOC]++;
	slot->request = size; /* (not kept in a register across the call) */
	p = mark_allocated(__kmalloc(size, GFP));
	if (unlikely(!p))
		p = alloc_or_grow(slot->request, 0);
	hart_exit_tried(slot);
	return p;
}

static __attribute__((noinline)) void free_slow(void *p, unsigned long caller)
{
	struct hart_slot *slot = slot_enter();

	slot->calls[C_FREE]++;
	free_block(p, caller);
	hart_exit(slot);
}

static __attribute__((noinline)) void free_maybe_run(void *p, unsigned long caller)
{
	free_block(p, caller);
}

/* free(NULL) is a call too, for RVMM_MALLOC_STATS (and before the heap is
 * set up, when nothing knows yet whether it will be read): counted on the
 * caller's slot like any other call, the global only for a caller whose
 * slot is busy (a sharer, a signal handler inside malloc) or that has none
 * yet. Otherwise free(NULL) touches nothing: `sort -R` frees NULL 20
 * million times a thread, and an atomic add on one global counter from
 * its two threads took a quarter of its time (edge.c, free_null_shares
 * nothing). */
static __attribute__((noinline)) void count_free_null(void)
{
	struct hart_slot *slot = hart_try_enter();

	if (unlikely(!slot)) {
		__atomic_add_fetch(&free_null_calls, 1, __ATOMIC_RELAXED);
		return;
	}
	slot->calls[C_FREE]++;
	hart_exit_tried(slot);
}

/* free with RVMM_MALLOC=slob or RVMM_MALLOC_DEBUG, whose objects go back
 * through kfree (free_object). free tail-calls it, so its caller is free's:
 * the program's call, which RVMM_MALLOC_DEBUG=U records. (free's steps
 * again: one inline function for both made free read its caller on its
 * fast path, a load on every call.) */
static __attribute__((noinline)) void free_plain(void *p)
{
	unsigned long caller = RET_IP;
	struct hart_slot *slot;

	if (unlikely(!p)) {
		if (heap.count_null_frees)
			count_free_null();
		return;
	}
	if (unlikely(!(slot = hart_try_enter()))) {
		free_slow(p, caller);
		return;
	}
	slot->calls[C_FREE]++;
	if (likely(!maybe_run(p)))
		free_through_kfree(p, caller);
	else
		free_maybe_run(p, caller);
	hart_exit_tried(slot);
}

/* The common case: a thread with its slot, its lock free, a pointer that
 * cannot be a run's start: straight to kfree_keyed. */
API void free(void *p)
{
	struct hart_slot *slot;

	if (unlikely(heap.plain_free)) {
		free_plain(p); /* (a tail call) */
		return;
	}
	if (unlikely(!p)) {
		if (unlikely(heap.count_null_frees))
			count_free_null(); /* (a tail call) */
		return;
	}
	if (unlikely(!(slot = hart_try_enter()))) {
		free_slow(p, RET_IP);
		return;
	}
	slot->calls[C_FREE]++;
	if (likely(!maybe_run(p)))
		kfree_keyed(p, free_secret);
	else
		free_maybe_run(p, RET_IP);
	hart_exit_tried(slot);
}

/* calloc's zeroing. A block of ZERO_LAZY_MIN bytes or more adds nothing
 * to the resident set: its whole pages are zeroed by port_zero_pages
 * (port/malloc.c: those resident written, the others dropped), its partial
 * pages at the ends written. */
static void zero_block(void *p, size_t len)
{
	uintptr_t start = (uintptr_t)p, end = start + len;
	uintptr_t a = ALIGN_UP(start, PAGE_SIZE), b = ALIGN_DOWN(end, PAGE_SIZE);

	if (len < ZERO_LAZY_MIN) {
		memset(p, 0, len);
		return;
	}
	memset(p, 0, a - start);
	port_zero_pages((void *)a, b - a);
	memset((void *)b, 0, end - b);
}

/* calloc clears the whole block, malloc_usable_size's bytes, as glibc's
 * calloc clears its whole chunk, so that a program that uses the usable
 * bytes of a calloc'd block finds them zero too (they held an earlier
 * block's bytes: a 257-byte calloc left 31 bytes of kmalloc-288 as they
 * were). The size is looked up inside the allocation's slot section; the
 * clearing is outside it. */
API void *calloc(size_t n, size_t size)
{
	struct hart_slot *slot;
	size_t len = 0;
	void *p;

	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	slot = slot_enter();
	slot->calls[C_CALLOC]++;
	slot->caller = RET_IP;
	p = alloc_or_grow(n && size ? n * size : 1, 0);
	if (p && in_heap(p)) /* (a mapped block is a fresh mapping: zero) */
		len = usable_size(p);
	hart_exit(slot);
	if (p)
		zero_block(p, len);
	return p;
}

/* glibc's realloc: realloc(NULL, n) is malloc(n); realloc(p, 0) frees p and
 * returns NULL. A block keeps its place while the new size fits it and is
 * over half of it (or it is a small one); a page run or a bigblock grows
 * in place when it can (grow_in_place, grow_bigblock_in_place). Any other
 * block that must grow beyond kmalloc's slab classes moves to one
 * REALLOC_HEADROOM (a half) bigger than
 * asked: bigblocks and page runs are exact pages, so a buffer grown a page
 * at a time was copied at every step (to 64 MiB in 4 KiB steps: 86 s
 * against glibc's 0.05, whose mremap grows in place); with the headroom it
 * moves about 25 times, copying about twice its final size. The headroom's
 * pages stay untouched until the buffer grows into them. (Less than the
 * half rule allows: a block of twice the size would take the next step's
 * request, just over the old size, for a shrink below half of it, and move
 * back at once. Half of a moved block is at most 3/4 of the request plus a
 * page, below the request for any request above KMALLOC_SLAB_MAX.) */
#define REALLOC_HEADROOM(n) ((n) / 2)

/*
 * A block that must move to REALLOC_RUN_MIN bytes or more (glibc's mmap
 * threshold) moves to a page run, not a bigblock: a run starts at a
 * max-order block, so it grows in place past KMALLOC_MAX_SIZE (4 MiB) while
 * the pages after it are free (grow_in_place) and stays a run, where a
 * bigblock, placed anywhere, must be copied into a run there. sqlite3 on
 * tests/real/workload.sql grows a buffer 256 KiB -> 512 KiB -> ... -> 4 MiB
 * + 8 twice: each time a 2 MiB copy, 16 of its 77 instructions per
 * allocation; now no copy past the move at 512 KiB (61 per allocation),
 * with the same max RSS. (glibc's realloc of a chunk above its threshold
 * is mremap, which moves no bytes.)
 */
#define REALLOC_RUN_MIN (128ul << 10)

/*
 * Moving a block of REALLOC_DROP_MIN bytes or more: it is copied a
 * REALLOC_DROP_CHUNK at a time, and each copied chunk's whole pages of the
 * old block are dropped (MADV_DONTNEED) at once, so the resident set holds
 * the buffer about once during the move, not the old block and the new one
 * side by side (glibc's realloc of a big chunk remaps it, to the same
 * effect). The old block is freed right after: what its dropped pages read
 * is no one's. (Remapping the pages instead, mremap with MREMAP_DONTUNMAP,
 * saves the copy but splits the heap's mapping at every move: thousands of
 * mappings in a program that grows buffers, towards the system's limit on
 * them, past which the program's own mmap would fail.)
 */
#define REALLOC_DROP_MIN (128ul << 10) /* glibc's M_MMAP_THRESHOLD default */
#define REALLOC_DROP_CHUNK (256ul << 10)

static void move_contents(void *to, const void *from, size_t len)
{
	if (len < REALLOC_DROP_MIN) {
		memcpy(to, from, len);
		return;
	}
	for (size_t off = 0; off < len; off += REALLOC_DROP_CHUNK) {
		size_t n = MIN(REALLOC_DROP_CHUNK, len - off);

		memcpy((char *)to + off, (const char *)from + off, n);
		heap_drop_pages((uintptr_t)from + off, (uintptr_t)from + off + n);
	}
}

/* A big block that keeps its place while it shrinks to less than two
 * thirds of itself gives back the whole pages past its new size
 * (MADV_DONTNEED; glibc's mremap of a shrinking mmapped chunk unmaps them):
 * a buffer read whole and then cut to what it holds does not keep the rest
 * resident. Growing into them again reads zeros, which realloc allows
 * (bytes past the size it was given are unspecified). A tail of up to a
 * third stays as it is: that is the headroom a move leaves (a third of the
 * new block, and a page of rounding), into which a growing buffer's next
 * reallocs fall, each of which would otherwise make a system call (python3
 * building a 30 MB str: 0.15 -> 0.33 s). */
static void drop_tail(void *p, size_t size, size_t old)
{
	if (old >= REALLOC_DROP_MIN && old - size > old / 3 + PAGE_SIZE)
		heap_drop_pages((uintptr_t)p + size, (uintptr_t)p + old);
}

/* A run whose pages past it are free up to the heap's top grows the heap
 * by what it lacks (at least GROW_MIN; grow's rule) and then in place. */
static bool grow_top_in_place(struct page *run, unsigned long nr, unsigned long want)
{
	unsigned long end = page_to_pfn(run) + nr, seen = __atomic_load_n(&heap.grows, __ATOMIC_ACQUIRE);
	unsigned long top = (PHYS_BASE + __atomic_load_n(&heap.size, __ATOMIC_RELAXED)) >> PAGE_SHIFT;

	if (end + want - nr <= top || ((end + want - nr - top) << PAGE_SHIFT) > heap.max - heap.size ||
	    end + free_pages_at(end, top - end) != top)
		return false;
	return grow((end + want - nr - top) << PAGE_SHIFT, seen) &&
	       extend_contig_range(page_to_pfn(run), nr, want, GFP);
}

/* A page run grows in place to @size when the pages past it are free, or
 * are free up to the heap's top, which then grows: no copy, and the old
 * block and a new one never stand side by side (aligned blocks of 128 KiB
 * to 256 MiB each doubled, about 1 GiB live, 4 rounds: a heap of 3.3 GiB,
 * 1.5 times glibc's time and page faults; now 1.5 GiB, as glibc's: each
 * realloc copied into a run half again as big as asked, found or grown
 * elsewhere while the old one held its place). Exact pages, as glibc's
 * mremap: the headroom of a move spares copies, of which this makes none. */
static bool grow_in_place(void *p, size_t size)
{
	struct page *run = run_of(p);
	unsigned long nr, want;

	if (!run || size > heap.max / 2) /* (alloc_or_grow's refusal) */
		return false;
	nr = run->priv;
	want = ALIGN_UP(size, PAGE_SIZE) >> PAGE_SHIFT;
	if (extend_contig_range(page_to_pfn(run), nr, want, GFP) || grow_top_in_place(run, nr, want)) {
		mark_run(run, want);
		return true;
	}
	return false;
}

/* A bigblock (kmalloc's blocks above its slab classes, up to
 * KMALLOC_MAX_SIZE) grows in place to @size when the pages right after it
 * are free (slob_big_grow): no copy, exact pages, as a run's growth. A
 * buffer grown from 20 KiB to 2 MiB in 4 KiB steps moved 11 times (each
 * move copies it into a block half again as big) and now stays put while
 * the pages after it are free. */
static bool grow_bigblock_in_place(void *p, size_t size)
{
	struct page *page;

	if (size > KMALLOC_MAX_SIZE || ((uintptr_t)p & (PAGE_SIZE - 1)))
		return false;
	page = virt_to_page(p);
	return page && PageHead(page) && page_type(page) == PGTY_BIGBLOCK && bigblock_live(page) &&
	       slob_big_grow((struct slob_heap *)page->priv, page, size, GFP);
}

/* Is @p a slab object realloc may not resize, a pointer inside one or one
 * freed already (free_object's key, or a zeroing cache's marker)? Reported;
 * what else is not a block has usable_size 0, and SLOB's blocks are
 * checked by their ksize. */
static bool resize_refused(const void *p)
{
	enum slab_resize r = slab_resize_check(p, heap.plain_free ? 0 : free_secret);

	if (r == SLAB_RESIZE_OK || r == SLAB_RESIZE_NOT_SLAB)
		return false;
	kprintf("rvmm-malloc: realloc(%p): %s: nothing moved or freed\n", p,
		r == SLAB_RESIZE_FREED ? "an object freed already" : "a pointer inside an object, not its start");
	return true;
}

/*
 * A mapped block stays one whatever its new size, as glibc's mapped chunks
 * do, and keeps its place by the heap blocks' rule (a new size above half
 * of it: drop_tail gives back the pages past it); otherwise it is resized
 * by mremap, no bytes copied: a shrink in place; a growth in place when
 * the address space after it is free, else moved to room for half as much
 * again (REALLOC_HEADROOM: the mapping is usually hemmed in by the next
 * one, and a buffer grown a page at a time past 32 MiB was moved by every
 * realloc, 6148 times on its way to 64 MiB; the headroom's pages are not
 * touched until written), or to the size alone when RVMM_MALLOC_MAX leaves
 * no room for the headroom. Growing, within what RVMM_MALLOC_MAX leaves
 * (else NULL, ENOMEM, the block as it was). mremap refuses a range the
 * program split by mlock or mprotect on part of it: then a growing block is
 * copied into a new mapped block, as glibc's realloc then copies, and a
 * shrinking one stays as it is.
 */
static void *resize_mapped(void *p, size_t size, size_t old)
{
	unsigned long flags = spin_lock_irqsave(&grow_lock);
	unsigned long room = room_left(PAGE_SIZE);
	size_t more = size <= SIZE_MAX - REALLOC_HEADROOM(size) ? size + REALLOC_HEADROOM(size) : size;
	void *q;

	if (size <= old)
		q = mapped_resize(p, size, false);
	else if (ALIGN_UP(size, PAGE_SIZE) - old > room)
		q = NULL;
	else if (!(q = mapped_resize(p, size, false)))
		q = mapped_resize(p, ALIGN_UP(more, PAGE_SIZE) - old <= room ? more : size, true);
	spin_unlock_irqrestore(&grow_lock, flags);
	return q;
}

/* (@old: its mapped_size, which realloc read) */
static void *realloc_mapped(void *p, size_t size, size_t old)
{
	void *q;

	if (size <= old && size > old / 2) {
		drop_tail(p, size, old);
		return p;
	}
	q = resize_mapped(p, size, old);
	if (q) {
		if (unlikely(heap.track) && q != p) {
			bigtrack_forget(p);
			bigtrack_note(q, hart_mine->caller);
		}
		if (unlikely(reporting))
			report_note_use(bytes_in_use());
		return q;
	}
	if (size <= old)
		return p; /* (a range mremap refused: kept as it is) */
	q = alloc_mapped(size, 0); /* ENOMEM when RVMM_MALLOC_MAX leaves no room */
	if (q) {
		move_contents(q, p, old);
		free_mapped(p);
	}
	return q;
}

API void *realloc(void *p, size_t size)
{
	struct hart_slot *slot;
	size_t old;
	void *q;

	if (!p)
		return alloc_counted(size, 0, C_REALLOC, RET_IP);
	slot = slot_enter();
	slot->calls[C_REALLOC]++;
	slot->caller = RET_IP;
	if (!size) { /* (not through free: one entry point per call, as counted) */
		free_block(p, RET_IP);
		hart_exit(slot);
		return NULL;
	}
	old = usable_size(p);
	if (unlikely(!in_heap(p)) && old) {
		q = realloc_mapped(p, size, old);
		hart_exit(slot);
		return q;
	}
	if (old && unlikely(resize_refused(p))) {
		hart_exit(slot);
		errno = EINVAL;
		return NULL;
	}
	if (old && size <= old && (old <= 64 || size > old / 2)) {
		drop_tail(p, size, old);
		hart_exit(slot);
		return p;
	}
	if (old && size > old && (grow_in_place(p, size) || grow_bigblock_in_place(p, size))) {
		hart_exit(slot);
		return p;
	}
	q = NULL;
	if (old && size > old && size > KMALLOC_SLAB_MAX && size <= SIZE_MAX - REALLOC_HEADROOM(size) &&
	    !wants_mapping(size)) /* (a mapped block grows by mremap: no headroom) */
		q = alloc_or_grow_run(size + REALLOC_HEADROOM(size), 0, size >= REALLOC_RUN_MIN);
	if (!q && old)
		q = alloc_or_grow(size, 0); /* (no room for the headroom: the size alone) */
	if (q) {
		move_contents(q, p, MIN(old, size));
		free_block(p, RET_IP);
	} else if (!old) {
		kprintf("rvmm-malloc: realloc(%p): not a block of this heap\n", p);
		errno = EINVAL;
	}
	hart_exit(slot);
	return q;
}

static void *memalign_counted(size_t align, size_t size, unsigned long caller)
{
	return alloc_counted(size, align, C_MEMALIGN, caller);
}

static bool power_of_two(size_t x)
{
	return x && !(x & (x - 1));
}

/* glibc's memalign rounds an alignment that is not a power of two up. */
API void *memalign(size_t align, size_t size)
{
	size_t a = 1;

	while (a < align && a)
		a <<= 1;
	if (!a) {
		errno = EINVAL;
		return NULL;
	}
	return memalign_counted(a, size, RET_IP);
}

API void *aligned_alloc(size_t align, size_t size)
{
	if (!power_of_two(align)) {
		errno = EINVAL;
		return NULL;
	}
	return memalign_counted(align, size, RET_IP);
}

API int posix_memalign(void **out, size_t align, size_t size)
{
	int saved = errno;
	void *p;

	if (!power_of_two(align) || align % sizeof(void *))
		return EINVAL;
	p = memalign_counted(align, size, RET_IP);
	if (!p)
		return ENOMEM;
	errno = saved;
	*out = p;
	return 0;
}

API void *valloc(size_t size)
{
	return memalign_counted(PAGE_SIZE, size, RET_IP);
}

API void *pvalloc(size_t size)
{
	if (size > SIZE_MAX - PAGE_SIZE) {
		errno = ENOMEM;
		return NULL;
	}
	return memalign_counted(PAGE_SIZE, ALIGN_UP(size ? size : 1, PAGE_SIZE), RET_IP);
}

/* A slab object's usable size is its cache's object size, read without
 * the slot: a live object's slab stays, and the flat memmap's window only
 * grows (as kfree's lookup reads it); everything else (runs, bigblocks,
 * SLOB blocks, the heap not set up yet) inside the slot, as all were:
 * 84 instructions a call on a slab object under callgrind, 15 now (glibc's
 * 13). */
API size_t malloc_usable_size(void *p)
{
	const struct page *page = virt_to_slab_page_flat(p);
	struct hart_slot *slot;
	size_t n;

	if (likely(page))
		return page->slab_cache->object_size;
	if (!p)
		return 0;
	slot = slot_enter();
	n = usable_size(p);
	hart_exit(slot);
	return n;
}

/* ---- glibc's statistics and trim, on this heap ----------------------------- */

/* The page allocator's free blocks, every order of every zone (a slot
 * held). */
static unsigned long free_blocks(void)
{
	unsigned long n = 0;

	for (int zi = 0; zi < MAX_NR_ZONES; zi++)
		for (int o = 0; o < MAX_ORDER; o++)
			n += mem_node->zones[zi].free_area[o].nr_free;
	return n;
}

/* glibc's fields, from rvmm's counts: arena the heap's RAM, uordblks its
 * bytes in use (pages of slabs, SLOB pages, bigblocks, runs and metadata,
 * free objects inside them included), fordblks the page allocator's free
 * bytes (arena = uordblks + fordblks), ordblks its free blocks, hblks and
 * hblkhd the mapped blocks and their bytes (outside the heap, as glibc's
 * mmapped chunks are outside its arena). Nothing is kept at the top
 * (keepcost 0). */
API struct mallinfo2 mallinfo2(void)
{
	struct mallinfo2 mi;
	struct hart_slot *slot;
	unsigned long ram, avail;

	memset(&mi, 0, sizeof(mi));
	if (__atomic_load_n(&heap_state, __ATOMIC_ACQUIRE) != 2)
		return mi; /* (nothing allocated yet: all zero) */
	slot = slot_enter();
	heap_counts(&ram, &avail);
	mi.arena = ram;
	mi.fordblks = avail;
	mi.uordblks = ram - avail;
	mi.ordblks = free_blocks();
	mi.hblks = mapped_blocks();
	mi.hblkhd = mapped_bytes();
	hart_exit(slot);
	return mi;
}

/*
 * malloc_info(3): glibc's XML, filled from rvmm's heap. One <size> per
 * kmalloc class that has free objects (from the class below + 1 to the
 * class; total: their bytes; count: their number), "fast" the free objects
 * cached in front of the slabs (every thread's magazines and the depots),
 * "rest" the free objects on the slabs' free lists, the free blocks of
 * kmalloc's SLOB heap and the page allocator's free blocks, "mmap" the
 * mapped blocks (page runs are heap pages). The system and aspace figures are the heap's
 * RAM (mallinfo2's arena; it only grows, so current and max are one).
 * Collected under the caches' locks, then printed with no lock held (the
 * stream may allocate). Under RVMM_MALLOC=slob and for heap classes there
 * are no slabs: their free bytes are the SLOB heap's, in "rest". Options
 * other than 0: glibc's answer, EINVAL returned (not -1) with errno left
 * as it was.
 */
struct info_class {
	unsigned int from, to;
	unsigned long cached, on_slabs;
};

static unsigned int info_classes(struct info_class *out)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < KMALLOC_NR_CACHES; i++) {
		struct kmem_cache *c = kmalloc_caches[i];

		if (!c || (c->flags & SLAB_SLOB))
			continue;
		unsigned long irq = spin_lock_irqsave(&c->lock);

		out[n].from = i ? kmalloc_sizes[i - 1] + 1 : 1;
		out[n].to = kmalloc_sizes[i];
		out[n].cached = kmem_cache_in_magazines(c);
		out[n].on_slabs = c->free_objects;
		spin_unlock_irqrestore(&c->lock, irq);
		if (out[n].cached + out[n].on_slabs)
			n++;
	}
	return n;
}

API int malloc_info(int options, FILE *fp)
{
	struct info_class cls[KMALLOC_NR_CACHES];
	unsigned long fast = 0, fast_bytes = 0, rest = 0, rest_bytes = 0, ram = 0, avail = 0;
	struct slob_stats heap_free = { 0 };
	unsigned int n = 0;

	if (options != 0)
		return EINVAL;
	if (__atomic_load_n(&heap_state, __ATOMIC_ACQUIRE) == 2) {
		struct hart_slot *slot = slot_enter();

		heap_counts(&ram, &avail);
		n = info_classes(cls);
		slob_get_stats(&kmalloc_heap, &heap_free);
		rest = free_blocks();
		hart_exit(slot);
	}
	/* (the pages of slabs and of kmalloc's SLOB heap are not among avail) */
	rest += heap_free.free_blocks;
	rest_bytes = avail + heap_free.free_bytes;
	for (unsigned int i = 0; i < n; i++) {
		fast += cls[i].cached;
		fast_bytes += cls[i].cached * cls[i].to;
		rest += cls[i].on_slabs;
		rest_bytes += cls[i].on_slabs * cls[i].to;
	}
	fprintf(fp, "<malloc version=\"1\">\n<heap nr=\"0\">\n<sizes>\n");
	for (unsigned int i = 0; i < n; i++)
		fprintf(fp, "  <size from=\"%u\" to=\"%u\" total=\"%lu\" count=\"%lu\"/>\n", cls[i].from,
			cls[i].to, (cls[i].cached + cls[i].on_slabs) * cls[i].to, cls[i].cached + cls[i].on_slabs);
	fprintf(fp, "</sizes>\n");
	for (int whole = 0; whole < 2; whole++) {
		if (whole)
			fprintf(fp, "</heap>\n");
		fprintf(fp, "<total type=\"fast\" count=\"%lu\" size=\"%lu\"/>\n", fast, fast_bytes);
		fprintf(fp, "<total type=\"rest\" count=\"%lu\" size=\"%lu\"/>\n", rest, rest_bytes);
		if (whole)
			fprintf(fp, "<total type=\"mmap\" count=\"%lu\" size=\"%lu\"/>\n", mapped_blocks(),
				mapped_bytes());
		fprintf(fp, "<system type=\"current\" size=\"%lu\"/>\n", ram);
		fprintf(fp, "<system type=\"max\" size=\"%lu\"/>\n", ram);
		fprintf(fp, "<aspace type=\"total\" size=\"%lu\"/>\n", ram);
		fprintf(fp, "<aspace type=\"mprotect\" size=\"%lu\"/>\n", ram);
	}
	fprintf(fp, "</malloc>\n");
	return 0;
}

/*
 * glibc's mallopt, for the settings this heap has: M_MMAP_THRESHOLD
 * (requests of @value bytes or more are mapped blocks, RVMM_MALLOC_MMAP_MIN
 * set at run time; those up to KMALLOC_MAX_SIZE stay kmalloc's, so a value
 * below it means above it) and M_MMAP_MAX (at most @value mapped blocks at
 * once, then the heap's; 0: none). glibc's other parameters (M_TRIM_THRESHOLD,
 * M_TOP_PAD, M_MXFAST, M_ARENA_TEST, M_ARENA_MAX, M_PERTURB, M_CHECK_ACTION)
 * tune parts of its own heap that this one does not have: accepted (1),
 * nothing changed. A negative value or an unknown parameter: 0, as glibc.
 */
API int mallopt(int param, int value)
{
	heap_ready(); /* (the environment's settings first, then this call's) */
	switch (param) {
	case M_MMAP_THRESHOLD:
		if (value < 0)
			return 0;
		__atomic_store_n(&heap.mmap_min, MAX((size_t)value, (size_t)KMALLOC_MAX_SIZE + 1),
				 __ATOMIC_RELAXED);
		return 1;
	case M_MMAP_MAX:
		if (value < 0)
			return 0;
		__atomic_store_n(&heap.mmap_max, (unsigned long)value, __ATOMIC_RELAXED);
		return 1;
	case M_TRIM_THRESHOLD:
	case M_TOP_PAD:
	case M_MXFAST:
	case M_ARENA_TEST:
	case M_ARENA_MAX:
	case M_PERTURB:
	case M_CHECK_ACTION:
		return 1;
	default:
		return 0;
	}
}

static int int_field(size_t v)
{
	return v > (size_t)INT_MAX ? INT_MAX : (int)v;
}

/* The old interface: mallinfo2's fields, saturated at INT_MAX. */
API struct mallinfo mallinfo(void)
{
	struct mallinfo2 m = mallinfo2();
	struct mallinfo mi;

	memset(&mi, 0, sizeof(mi));
	mi.arena = int_field(m.arena);
	mi.ordblks = int_field(m.ordblks);
	mi.uordblks = int_field(m.uordblks);
	mi.fordblks = int_field(m.fordblks);
	return mi;
}

/* On standard error: one summary line, then rvmm's meminfo. */
API void malloc_stats(void)
{
	struct mallinfo2 m = mallinfo2();
	struct hart_slot *slot;

	kprintf("rvmm-malloc (%s): heap %zu KiB, in use %zu KiB, free %zu KiB in %zu blocks; "
		"mapped %zu KiB in %zu blocks\n", heap.slob ? "slob" : "slab", m.arena >> 10,
		m.uordblks >> 10, m.fordblks >> 10, m.ordblks, m.hblkhd >> 10, m.hblks);
	if (__atomic_load_n(&heap_state, __ATOMIC_ACQUIRE) != 2)
		return;
	slot = slot_enter();
	show_meminfo(mem_node);
	hart_exit(slot);
}

static void trim_slot(void *arg)
{
	slab_cache_reap(true, arg); /* this slot's magazines, then the free slabs */
}

/* What is not a slot's: the caches' free slabs, the per-hart page lists
 * and then every free page of the node given back to the system. */
static void trim_node(void *arg)
{
	(void)arg;
	kmem_cache_shrink_all();
	slob_heap_shrink(&kmalloc_heap); /* its idle pages and kept bigblocks */
	node_drain_pages(mem_node);
	release_free_blocks(mem_node, 0); /* every free page, as glibc's trim */
}

/* Give back what the caches hold: every slot's magazines emptied (each
 * under its lock, on the calling thread; those of a slot that another
 * thread was inside mm/ on at every try stay, hart_each_free_slot), every free slab and the per-hart
 * page lists returned to the page allocator, whose free blocks of every
 * order then all leave the resident set (port_release_free_block; frees
 * give back only blocks of 1 MiB and more, and let some of those stay:
 * mm/page_alloc.c, "Releases"), as glibc's trim gives back every free page. @pad is
 * ignored: the heap has no top to keep. Returns 1 when memory went back to
 * the system (glibc's meaning): a free block was given back during the
 * call (glibc's trim, too, counts pages it gave back before), or the
 * caches gave pages back to the page allocator; 0 when there was nothing
 * to do. (With other threads freeing at the same time, their releases
 * count too.) */
API int malloc_trim(size_t pad)
{
	struct slab_reap_stats r = { 0 };
	unsigned long before, releases;

	(void)pad;
	if (__atomic_load_n(&heap_state, __ATOMIC_ACQUIRE) != 2)
		return 0;
	before = nr_free_pages();
	releases = __atomic_load_n(&port_malloc_releases, __ATOMIC_RELAXED);
	hart_each_free_slot(trim_slot, &r); /* a slot in use keeps its magazines */
	hart_on_free_slot(trim_node, NULL);
	return nr_free_pages() > before ||
	       __atomic_load_n(&port_malloc_releases, __ATOMIC_RELAXED) != releases;
}

/* RVMM_MALLOC_CHECK: the last check, at exit (after the program's own
 * destructors that ran before this one). */
__attribute__((destructor)) static void shim_check_at_exit(void)
{
	struct hart_slot *slot;

	if (!check_every || __atomic_load_n(&heap_state, __ATOMIC_ACQUIRE) != 2)
		return;
	slot = slot_enter();
	heap_check(slot, "at exit");
	hart_exit(slot);
}

/* ---- reports (RVMM_MALLOC_REPORT, malloc/report.c) ----------------------- */

static void show_big_blocks(void)
{
	bigtrack_show(usable_size);
}

__attribute__((destructor)) static void shim_report(void)
{
	struct hart_slot *slot;

	if (!reporting || __atomic_load_n(&heap_state, __ATOMIC_ACQUIRE) != 2)
		return;
	if (heap.track) {
		slot = slot_enter();
		report_traces(show_big_blocks);
		hart_exit(slot);
	}
	report_write(program_invocation_short_name ? program_invocation_short_name : "?",
		     (int)getpid(), heap.slob ? "slob" : "slab", bytes_in_use());
}

/* ---- counters (RVMM_MALLOC_STATS) ---------------------------------------- */

/* At exit, with RVMM_MALLOC_STATS=FILE: one line appended to FILE,
 *   NAME pid PID backend slab|slob malloc N calloc N realloc N memalign N free N harts N heap_mib N
 * (the calls each entry point counted, every slot summed; harts: slots
 * that served a call; heap_mib: the heap's RAM at exit; NAME: the program's
 * name, program_invocation_short_name). */
__attribute__((destructor)) static void shim_stats(void)
{
	const char *path = getenv("RVMM_MALLOC_STATS");
	unsigned long c[8] = { 0 }, harts = 0;
	char comm[64] = "?", line[512];
	int fd, n;

	if (!path || !*path || __atomic_load_n(&heap_state, __ATOMIC_ACQUIRE) != 2)
		return;
	for (int s = 0; s < MAX_HARTS; s++) {
		unsigned long n_slot = 0;

		for (int i = 0; i < 8; i++) {
			c[i] += __atomic_load_n(&hart_slots[s].calls[i], __ATOMIC_RELAXED);
			n_slot += hart_slots[s].calls[i];
		}
		harts += n_slot != 0;
	}
	c[C_FREE] += __atomic_load_n(&free_null_calls, __ATOMIC_RELAXED);
	if (program_invocation_short_name) /* (argv[0]'s name: right under valgrind too) */
		kstrlcpy(comm, program_invocation_short_name, sizeof(comm));
	n = ksnprintf(line, sizeof(line),
		      "%s pid %d backend %s malloc %lu calloc %lu realloc %lu memalign %lu free %lu "
		      "harts %lu heap_mib %lu\n",
		      comm, (int)getpid(), heap.slob ? "slob" : "slab", c[C_MALLOC], c[C_CALLOC],
		      c[C_REALLOC], c[C_MEMALIGN], c[C_FREE], harts, heap.size >> 20);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
	if (fd >= 0) {
		if (write(fd, line, (size_t)n) < 0) { /* nothing to do about it */
		}
		close(fd);
	}
}
