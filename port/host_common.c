/*
 * host_common.c - the part of mm/port.h that both host ports share
 * (port/host.c for tests, fuzzers and librvmm-port-host.a; port/malloc.c
 * inside build/librvmm-malloc.so): MAX_HARTS harts with a per-hart area and
 * page allocator slots each (the calling thread's in initial-exec
 * thread-locals, so this_cpu_base() is one load), the monotonic clock, and
 * nothing for what a host process lacks: no IPIs to send (threads tick
 * themselves), no page table (vmalloc and vmap fail). Each port has its
 * own ksym_lookup. Unless built with PORT_HOST_SLOT_LOCKED (the malloc port, whose
 * slot locks do it), each cpu's occupant word for irq_save's claim and the
 * panic when two threads are inside mm/ as one cpu (mm/port.h, "Sections").
 * A lock's waiter yields the cpu now and then (lib/spinlock.h's spin_yield,
 * set here): threads holding locks can be descheduled. Nothing the malloc
 * port takes from here calls malloc or stdio.
 */
#include <sched.h>
#include <time.h>

#include <lib/spinlock.h>
#include <mm/port.h>

/* Before any other constructor: the malloc library's first call may come
 * earlier still, and spins without yielding until this has run. */
__attribute__((constructor(101))) static void port_host_spin_yield(void)
{
	spin_yield = sched_yield;
}

unsigned int nr_online_cpus(void)
{
	return MAX_HARTS;
}

/* As mm/ finds them before mm_init (mm/port.h, "Before mm_init"): a call
 * into mm/ before it panics naming the call. */
#define EMPTY_SLOTS { &no_zone_pcp, &no_zone_pcp, &no_zone_pcp, &no_zone_pcp, \
		      &no_zone_pcp, &no_zone_pcp, &no_zone_pcp, &no_zone_pcp }
_Static_assert(MM_SLOTS == 8 && PERCPU_BASE_OFFSET == 0,
	       "EMPTY_SLOTS names MM_SLOTS slots; slot 0 starts the host's per-hart area");
static void *mm_slots[MAX_HARTS][MM_SLOTS] = { [0 ... MAX_HARTS - 1] = EMPTY_SLOTS };
static union {
	u8 bytes[PERCPU_AREA_SIZE];
	void **slot0[2]; /* at PERCPU_RESERVED_OFF (0 on the host) */
} percpu_areas[MAX_HARTS] __aligned(64) = {
	[0 ... MAX_HARTS - 1] = { .slot0 = { PORT_EMPTY_MAGAZINE, PORT_EMPTY_MAGAZINE } },
};

__thread unsigned int port_host_cpu __attribute__((tls_model("initial-exec")));
__thread u8 *port_host_cpu_base __attribute__((tls_model("initial-exec"))) = percpu_areas[0].bytes;
__thread void **port_host_cpu_mm_slots __attribute__((tls_model("initial-exec"))) = mm_slots[0];

void **cpu_mm_slots(unsigned int cpu)
{
	return mm_slots[cpu];
}

u8 *cpu_percpu_base(unsigned int cpu)
{
	return percpu_areas[cpu].bytes;
}

#ifndef PORT_HOST_SLOT_LOCKED
struct port_host_occupant port_host_cpu_occupant[MAX_HARTS];

void port_host_cpu_shared(unsigned int cpu)
{
	panic("cpu %u: two threads inside mm/ at once (each thread needs its own cpu: "
	      "host_set_cpu, docs/embedding.md)",
	      cpu);
}
#endif

void port_host_set_this_cpu(unsigned int cpu)
{
	port_host_cpu = cpu;
	port_host_cpu_base = percpu_areas[cpu].bytes;
	port_host_cpu_mm_slots = mm_slots[cpu];
}

u64 time_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000u + (u64)ts.tv_nsec / 1000u;
}

/* A thread has no idle loop to wake: work posted for a hart waits for its
 * threads' next tick or allocation slow path (the port contract allows it). */
void port_kick_cpu(unsigned int cpu)
{
	(void)cpu;
}

struct pgtable *port_kernel_pgtable(void)
{
	return NULL;
}

void port_flush_tlb_local(u64 addr, u64 size)
{
	(void)addr;
	(void)size;
}

void port_flush_tlb_all(u64 addr, u64 size)
{
	(void)addr;
	(void)size;
}

/* No caller chains on the host (KASAN and KFENCE records stay empty). */
unsigned int port_save_stack(unsigned long *pcs, unsigned int max)
{
	(void)pcs;
	(void)max;
	return 0;
}
