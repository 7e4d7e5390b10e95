/*
 * mm/port.h - the port: everything the memory manager (mm/) needs from the
 * system it runs on, and nothing else. mm/ uses lib/ and this interface;
 * it never calls drivers/, the shell or the boot code directly.
 *
 * Two ports exist: the kernel's (boot/port.c, boot/hart.c, boot/panic.c,
 * boot/time.c, boot/paging.c) and the host's (port/host.c: tests, fuzzers,
 * tools, programs that link build/host/librvmm.a). A new system implements
 * the functions marked [port] below; docs/embedding.md shows a minimal one.
 *
 *   console   kprintf (lib/printf.c) formats; the port registers where the
 *             text goes with kprintf_set_sink() before mm/ prints anything.
 *   errors    panic, warn_slowpath                                  [port]
 *   harts     this_cpu, nr_online_cpus, cpu_percpu_base / this_cpu_base,
 *             cpu_mm_slots / this_cpu_mm_slots                      [port]
 *   locks     spinlock.h (atomics, no port call) and irq_save /
 *             irq_restore, which mask this hart's interrupts (the
 *             host's: claim the cpu for the calling thread)         [port]
 *   time      time_now_us                                          [port]
 *   calls     on_each_cpu: run a function on every online hart      [port]
 *             port_kick_cpu: wake a hart so it runs mm_tick soon   [port]
 *   memory    port_release_free_block: the contents of a large free
 *             block are not needed (the host gives them back)  [port, host only]
 *             port_new_ram_zeroed: new RAM reads as zero       [port, host only]
 *             port_zero_pages: zero whole pages (or drop them)  [port, host only]
 *             port_fit_lowest: place runs low (resident memory) [port, host only]
 *   paging    port_kernel_pgtable, port_flush_tlb_local,
 *             port_flush_tlb_all: what vmalloc maps with           [port]
 *   symbols   ksym_lookup: a code address's function, for
 *             reports of who allocated; NULL where there is no table [port]
 *             port_save_stack: the caller's return addresses, for
 *             KASAN's and KFENCE's reports (0: none)              [port]
 *
 * Per-hart state: each hart has a base pointer. PERCPU_AREA_SIZE bytes at
 * PERCPU_BASE_OFFSET from it are mm/'s per-hart area (mm/percpu.c hands out
 * slots there), and MM_SLOTS pointers at PORT_MM_SLOTS_OFFSET are the page
 * allocator's per-hart list pointers. The kernel keeps the running hart's
 * base in tp, so the fast paths reach their per-hart state with one add.
 * mm/ sets up the state of every cpu below MAX_HARTS when it starts (harts
 * may come online later), so each of them needs a base, online or not.
 */
#ifndef RVMM_MM_PORT_H
#define RVMM_MM_PORT_H

#ifdef __cplusplus
extern "C" {
#endif

#include <config.h>
#include <lib/kernel.h>
#include <mm/percpu_area.h>

/* The page allocator's per-hart pointers: slots 0..3 by zone, then 4..7 by
 * gfp zone bits (mm/page_alloc.c: mm_set_node). */
#define MM_SLOT_GFP 4
#define MM_SLOTS 8

struct pgtable;

/* ---- errors ---- */
/* (kernel.h) panic(fmt, ...): print the message and stop; never returns.
 * warn_slowpath(file, line, cond): print a warning (WARN_ON) and go on. */

/* ---- harts ---- */
/* Harts online now (<= MAX_HARTS); cpus are numbered 0..nr_online_cpus()-1. */
unsigned int nr_online_cpus(void);
/* @cpu's per-hart base (its area is at + PERCPU_BASE_OFFSET), for every
 * cpu < MAX_HARTS. */
u8 *cpu_percpu_base(unsigned int cpu);
/* @cpu's MM_SLOTS page allocator pointers, for every cpu < MAX_HARTS. */
void **cpu_mm_slots(unsigned int cpu);
/*
 * Before mm_init. A call into mm/ before mm_init panics naming it
 * ("kmalloc called before mm_init: ...") when the per-hart state sends the
 * fast paths to their slow paths, where the check is (the fast paths carry
 * none): each of a cpu's MM_SLOTS slots names no_zone_pcp (a page list that
 * is always empty), and the {top, end} pair at the start of its per-hart
 * area (slot 0 of mm/percpu.c) is PORT_EMPTY_MAGAZINE twice (a magazine
 * of capacity 0). mm_init sets both so itself; a port that has its per-hart
 * data statically initialised so (the host's, MM_HART_BLOCK_INIT below)
 * gets the panic, a zeroed one a NULL load (docs/embedding.md).
 */
struct per_cpu_pages;
extern struct per_cpu_pages no_zone_pcp;
extern void *slab_empty_magazine[1];
#define PORT_EMPTY_MAGAZINE (&slab_empty_magazine[1])

/* ---- time ---- */
/* Microseconds since an arbitrary start; may stand still (reports only). */
u64 time_now_us(void);

/* ---- cross-hart calls ---- */
/* Run fn(arg) on every online hart, the caller's included, and return when
 * all have run it. Not from interrupt context; calls do not nest. */
void on_each_cpu(void (*fn)(void *arg), void *arg);
/* Wake @cpu (an IPI) so that it calls mm_tick (include/mm/reclaim.h) soon;
 * never waits. Where there are no IPIs (then there is only one hart) or no
 * idle loop (the host: each thread ticks itself) it does nothing, and work
 * posted for @cpu waits for its next tick or allocation slow path. */
void port_kick_cpu(unsigned int cpu);

/* ---- memory given back ---- */
/* The least order of a free block that mm/ tells the port about as it
 * frees (release_free_blocks, for malloc_trim, may ask for any order). */
#define PORT_RELEASE_MIN_ORDER 8
/* The free block [addr, addr + size) is the port's to give back: a big
 * free block just formed (PAGE_SIZE << order, order >= PORT_RELEASE_MIN_ORDER,
 * after merging) or kept ones let go (neighbouring blocks in one call: size
 * is then their sum), called with no zone lock held while mm/ holds the
 * blocks apart (off the free lists, allocated to no one) and lists them
 * again after the call; or release_free_blocks names a free block of the
 * order its caller asked for, under the zone's lock. Nothing in mm/ reads
 * or relies on the block's contents until it is allocated again, so the
 * port may give its pages back to the system (the host's malloc: madvise
 * MADV_DONTNEED, and the next write brings in zeroed pages). On frees called
 * only for such blocks (merges of small blocks that reach the order
 * included), never on the order-0 fast path.
 * Must not allocate or call into mm/. A port function on the host only
 * (the malloc shim's and the tests' ports); a bare-metal build keeps its
 * RAM, so there the call is compiled out and frees pay nothing for it. */
#ifdef HOST
void port_release_free_block(void *addr, unsigned long size);
/* Bytes of such blocks the port lets each zone keep from it: 0, each block
 * as it forms; else the zone's newest ones (at most ZONE_KEPT blocks, and
 * this many bytes or twice the zone's bytes in use if that is more) wait, and
 * the oldest beyond goes to the port as a new one forms
 * (mm/page_alloc.c, "Releases"; release_free_blocks, for
 * malloc_trim, sends them all). A buffer freed and taken again in a loop
 * (a program's 1 MiB buffer) then keeps its pages, as glibc keeps its
 * heap's, where releasing each one made every reuse fault them in. */
extern unsigned long port_release_keep;
#else
static inline void port_release_free_block(void *addr, unsigned long size)
{
	(void)addr;
	(void)size;
}
#endif
/* Does RAM handed to node_init and node_add_memory read as zero (fresh
 * anonymous mappings: the malloc library's heap)? Then init_on_free= does
 * not clear it again as the boot frees it (which would also make all of it
 * resident at once). A port variable on the host; in the kernel, whose RAM
 * holds what the firmware left, false. */
#ifdef HOST
extern bool port_new_ram_zeroed;
#else
#define port_new_ram_zeroed false
#endif
/* Zero the whole pages [addr, addr + size) (both page-aligned): the
 * zeroing of __GFP_ZERO, init_on_alloc= and init_on_free= (mm/page_alloc.c,
 * zero_pfns). A port whose memory can be given back and read as zero may
 * do so for pages not resident instead of writing them (the host's malloc:
 * zeroing a big block then leaves the resident set as it was, where
 * writing it made every page resident at once). Must not call into mm/.
 * A port function on the host; in the kernel, memset. */
#ifdef HOST
void port_zero_pages(void *addr, unsigned long size);
#else
#include <lib/kstring.h>
/* (memset, not __builtin_memset: the KASAN kernel renames mm/'s memset to
 * lib/'s unchecked one, and a builtin's call would escape the rename) */
static inline void port_zero_pages(void *addr, unsigned long size)
{
	memset(addr, 0, size);
}
#endif
/* Does memory become resident where it is first written and stay so (the
 * malloc library's heap, which grows upwards: the memory never touched
 * lies above)? Then alloc_pages_fit looks at free blocks of every order
 * and, of the stretches twice a run or more, takes the lowest
 * (mm/page_alloc.c, best_stretch). Otherwise it looks only below the run's
 * order and cuts a block of that order when nothing there fits, the
 * cheaper walk. A port variable on the host (the malloc library sets it;
 * the tests' port does not unless a test asks); in the kernel, whose RAM
 * is all there anyway, false. */
#ifdef HOST
extern bool port_fit_lowest;
#else
#define port_fit_lowest false
#endif

/* Group pages by use: true keeps small allocations (page requests below
 * PAGEBLOCK_ORDER) in pageblocks of their own, apart from runs and
 * bigblocks, so the holes runs leave merge back (mm/page_alloc.c,
 * "Grouping by use"). On the host a port variable: the malloc library
 * sets it; the tests' port does not (its placement tests expect plain
 * buddy order) unless a test asks. In the kernel mm/page_alloc.c defines
 * it, set by the boot parameter page_grouping=on|off. It may change at
 * any time. */
extern bool port_group_pages_by_use;

/* ---- paging (vmalloc) ---- */
/* The kernel's page table that vmalloc maps into, or NULL when paging is
 * off (vmalloc and vmap then fail, vmalloc with a message; kvmalloc takes
 * kmalloc's pages only, and when kmalloc fails its message names kmalloc's
 * cause: above KMALLOC_MAX_SIZE, out of or low on memory, fragmentation). */
struct pgtable *port_kernel_pgtable(void);
/* Drop this hart's TLB entries for [addr, addr + size). */
void port_flush_tlb_local(u64 addr, u64 size);
/* Drop every hart's TLB entries for [addr, addr + size); returns when done. */
void port_flush_tlb_all(u64 addr, u64 size);

/* ---- symbols ---- */
/* The name of the function containing @addr and the offset into it; NULL
 * when it is unknown (no symbol table: the host port). */
const char *ksym_lookup(unsigned long addr, unsigned long *offset);
/* Up to @max return addresses of the calling function's callers, innermost
 * first; returns how many (0 where there is no frame walk). KASAN
 * (mm/kasan.c) and KFENCE (mm/kfence.c) call it for the allocation and
 * free stacks of their reports. */
unsigned int port_save_stack(unsigned long *pcs, unsigned int max);

#ifdef HOST
/* ---- the host port (port/host.c): threads are harts ---- */
#define PERCPU_BASE_OFFSET 0ul
/* The calling thread's cpu, its per-hart base and page allocator slots:
 * initial-exec thread-local, so each is one load (port/host_common.c sets
 * them, port_host_set_this_cpu; cpu 0 until set). */
extern __thread unsigned int port_host_cpu __attribute__((tls_model("initial-exec")));
extern __thread u8 *port_host_cpu_base __attribute__((tls_model("initial-exec")));
extern __thread void **port_host_cpu_mm_slots __attribute__((tls_model("initial-exec")));
/* Make the calling thread cpu @cpu (< MAX_HARTS, unchecked) for mm/. */
void port_host_set_this_cpu(unsigned int cpu);
/* Make the calling thread cpu @cpu (< MAX_HARTS, else panic). */
void host_set_cpu(unsigned int cpu);
/* kprintf's default sink there: standard output. */
void port_host_stdout_sink(const char *s, size_t n);
/* Called by panic before it aborts, when set. */
extern void (*port_host_panic_hook)(void);
/* port/host.c's record of port_release_free_block calls (tests). */
extern unsigned long port_host_released_blocks, port_host_released_bytes;
extern void *port_host_last_released;
/* (tests) called first by each port_release_free_block, when set */
extern void (*port_host_release_hook)(void *addr, unsigned long size);
static inline unsigned int this_cpu(void)
{
	return port_host_cpu;
}
static inline u8 *this_cpu_base(void)
{
	return port_host_cpu_base;
}
static inline void **this_cpu_mm_slots(void)
{
	return port_host_cpu_mm_slots;
}
/*
 * Sections. mm/'s per-hart state (the slab magazines) has no lock of its
 * own: on a hart, irq_save makes a section the hart's alone (the page
 * allocator's per-hart lists have a lock each and make no section). A thread is
 * not a hart, and two threads running as one cpu at once would corrupt
 * that state (an object handed out twice, one lost). So irq_save records
 * the calling thread as its cpu's occupant for the outermost section and
 * panics, naming the cpu and the fix, when another thread is inside as
 * that cpu: "cpu 0: two threads inside mm/ at once (...)". The claim is a
 * compare-and-swap of the cpu's occupant word (NULL: free), so overlapping
 * sections are caught whenever they overlap, not by chance. When the word
 * holds the calling thread already, the section nests: irq_save returns 0
 * and irq_restore does nothing. Else the flags are the cpu + 1, and
 * irq_restore frees that cpu's word, so a thread that changes its cpu
 * inside a section (port_host_set_this_cpu, on_each_cpu) frees the cpu it
 * claimed. The words (port/host_common.c) are a cache line each.
 *
 * A port that makes each cpu exclusive itself builds with
 * -DPORT_HOST_SLOT_LOCKED, and irq_save does nothing: the malloc library's
 * port (port/malloc.c) holds a slot's lock around every call into mm/, and
 * its fast paths (docs/malloc.md) pay for no second claim.
 */
#ifdef PORT_HOST_SLOT_LOCKED
static inline unsigned long irq_save(void)
{
	return 0;
}
static inline void irq_restore(unsigned long flags)
{
	(void)flags;
}
#else
/* Each cpu's occupant: the thread inside mm/ as that cpu (the address of
 * its port_host_cpu, unique among live threads), or NULL. */
struct port_host_occupant {
	void *thread;
} __aligned(64);
extern struct port_host_occupant port_host_cpu_occupant[MAX_HARTS];
/* The panic for two threads inside as @cpu (port/host_common.c). */
void port_host_cpu_shared(unsigned int cpu) __noreturn __attribute__((cold));

static inline unsigned long irq_save(void)
{
	unsigned int cpu = port_host_cpu;
	void **word = &port_host_cpu_occupant[cpu].thread;
	void *me = &port_host_cpu, *none = NULL;

	if (likely(__atomic_compare_exchange_n(word, &none, me, false, __ATOMIC_ACQUIRE,
					       __ATOMIC_RELAXED)))
		return cpu + 1ul;
	if (none == me)
		return 0; /* nested: the outermost section frees the word */
	port_host_cpu_shared(cpu);
}
static inline void irq_restore(unsigned long flags)
{
	if (flags)
		__atomic_store_n(&port_host_cpu_occupant[flags - 1].thread, NULL, __ATOMIC_RELEASE);
}
#endif
/* No traps to keep out on the host: the same sections. */
static inline unsigned long irq_save_notrap(void)
{
	return irq_save();
}
static inline void irq_restore_notrap(unsigned long flags)
{
	irq_restore(flags);
}
#else
/* ---- the kernel port: tp holds the running hart's base ---- */
#include <lib/riscv.h>

/* Where the kernel's struct hart (boot/hart.h) keeps mm/'s fields, from its
 * start (tp); boot/hart.c checks them at compile time. */
#define PORT_CPU_OFFSET 16
#define PORT_MM_SLOTS_OFFSET 64
#define PERCPU_BASE_OFFSET 192ul

/*
 * A per-hart block with mm/'s fields at those offsets, for a system that
 * has no per-hart structure of its own (docs/embedding.md): point tp at
 * cpu N's block and return it from cpu_percpu_base(N). The reserved bytes
 * are the system's to use. The kernel's struct hart keeps the same fields
 * at the same offsets with its own in between.
 */
struct mm_hart_block {
	u8 reserved0[PORT_CPU_OFFSET];
	unsigned int cpu; /* this_cpu() */
	u8 reserved1[PORT_MM_SLOTS_OFFSET - PORT_CPU_OFFSET - sizeof(unsigned int)];
	void *mm_slots[MM_SLOTS]; /* cpu_mm_slots() */
	u8 reserved2[PERCPU_BASE_OFFSET - PORT_MM_SLOTS_OFFSET - MM_SLOTS * sizeof(void *)];
	__extension__ union {
		u8 percpu_area[PERCPU_AREA_SIZE] __aligned(64);
		void **percpu_slot0[2]; /* {top, end}: the empty pair (mm/slab.c) */
	};
};
/* cpu @n's block as mm/ finds it before mm_init (above): a call into mm/
 * before mm_init then panics naming it. Use it for every block:
 * struct mm_hart_block harts[MAX_HARTS] = { MM_HART_BLOCK_INIT(0), ... }. */
#define MM_HART_BLOCK_INIT(n)                                                            \
	{                                                                                \
		.cpu = (n),                                                              \
		.mm_slots = { &no_zone_pcp, &no_zone_pcp, &no_zone_pcp, &no_zone_pcp,     \
			      &no_zone_pcp, &no_zone_pcp, &no_zone_pcp, &no_zone_pcp },   \
		.percpu_slot0 = { PORT_EMPTY_MAGAZINE, PORT_EMPTY_MAGAZINE },            \
	}
_Static_assert(MM_SLOTS == 8, "MM_HART_BLOCK_INIT names MM_SLOTS slots");
_Static_assert(__builtin_offsetof(struct mm_hart_block, cpu) == PORT_CPU_OFFSET &&
		       __builtin_offsetof(struct mm_hart_block, mm_slots) == PORT_MM_SLOTS_OFFSET &&
		       __builtin_offsetof(struct mm_hart_block, percpu_area) == PERCPU_BASE_OFFSET,
	       "struct mm_hart_block follows PORT_CPU_OFFSET, PORT_MM_SLOTS_OFFSET, PERCPU_BASE_OFFSET");

/* GCC never allocates tp, so it can be named as a global register (a GNU
 * extension: __extension__ keeps -pedantic quiet). */
__extension__ register u8 *port_tp __asm__("tp");

static inline u8 *this_cpu_base(void)
{
	return port_tp;
}
static inline unsigned int this_cpu(void)
{
	return *(const unsigned int *)(this_cpu_base() + PORT_CPU_OFFSET);
}
static inline void **this_cpu_mm_slots(void)
{
	return (void **)(this_cpu_base() + PORT_MM_SLOTS_OFFSET);
}
#endif

#ifdef __cplusplus
}
#endif

#endif
