/*
 * host_common.c - the part of mm/port.h that both host ports share
 * (port/host.c for tests, fuzzers and librvmm-port-host.a; port/malloc.c
 * inside build/librvmm-malloc.so): MAX_HARTS harts with a per-hart area and
 * page allocator slots each, the monotonic clock, and nothing for what a
 * host process lacks: no IPIs to send (threads tick themselves), no page
 * table (vmalloc and vmap fail), no kernel symbol table. Nothing here calls
 * malloc or stdio, so the malloc port can take it as it is.
 */
#include <time.h>

#include <mm/port.h>

unsigned int nr_online_cpus(void)
{
	return MAX_HARTS;
}

void **cpu_mm_slots(unsigned int cpu)
{
	static void *slots[MAX_HARTS][MM_SLOTS];

	return slots[cpu];
}

u8 *cpu_percpu_base(unsigned int cpu)
{
	static u8 areas[MAX_HARTS][PERCPU_AREA_SIZE] __aligned(64);

	return areas[cpu];
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

/* No kernel symbol table on the host (boot/ksyms.c is the kernel's). */
const char *ksym_lookup(unsigned long addr, unsigned long *offset)
{
	(void)addr;
	(void)offset;
	return NULL;
}
