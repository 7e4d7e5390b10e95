/*
 * port.c - the kernel's side of the memory manager's port (mm/port.h) that
 * lives nowhere else: per-hart bases and slots in struct hart, cross-hart
 * calls through on_each_hart, and vmalloc's page table and TLB hooks from
 * paging.c. panic and warn_slowpath are in panic.c, time_now_us in time.c;
 * the console sink is registered by kmain.
 */
#include <boot/hart.h>
#include <boot/paging.h>

unsigned int nr_online_cpus(void)
{
	return nr_harts;
}

u8 *cpu_percpu_base(unsigned int cpu)
{
	return (u8 *)&harts[cpu];
}

void **cpu_mm_slots(unsigned int cpu)
{
	return harts[cpu].mm_slots;
}

void on_each_cpu(void (*fn)(void *arg), void *arg)
{
	on_each_hart(fn, arg);
}

void port_kick_cpu(unsigned int cpu)
{
	if (cpu < nr_harts && harts_ipis_work())
		hart_kick(harts[cpu].hartid);
}

struct pgtable *port_kernel_pgtable(void)
{
	return paging_on ? &kernel_pgtable : NULL;
}

void port_flush_tlb_local(u64 addr, u64 size)
{
	local_flush_tlb_range(addr, size);
}

void port_flush_tlb_all(u64 addr, u64 size)
{
	flush_tlb_kernel_range(addr, size);
}
