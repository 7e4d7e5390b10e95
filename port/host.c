/*
 * host.c - the memory manager's port (mm/port.h) for host builds: the unit
 * tests, the fuzzers, rvmm-dt and programs linking build/host/librvmm.a.
 *
 * Threads are harts: each thread has a cpu number (host_set_cpu; 0 until
 * set) and every cpu a per-hart area and page allocator slots of its own
 * (port/host_common.c, with the clock and the paging and IPI calls that
 * do nothing here, shared with the malloc port).
 * kprintf writes to standard output until someone registers another sink.
 * panic prints, runs the panic hook if one is set (a fuzzer dumps its kept
 * output, rvmm-dt states its verdict and exits) and aborts. There is no
 * paging: vmalloc and vmap fail, kvmalloc takes pages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mm/port.h>

void (*port_host_panic_hook)(void);

void port_host_stdout_sink(const char *s, size_t n)
{
	fwrite(s, 1, n, stdout);
	fflush(stdout);
}

__attribute__((constructor)) static void port_host_init(void)
{
	kprintf_set_sink(port_host_stdout_sink);
}

/* No symbol table in host builds (boot/ksyms.c is the kernel's). */
const char *ksym_lookup(unsigned long addr, unsigned long *offset)
{
	(void)addr;
	(void)offset;
	return NULL;
}

void panic(const char *fmt, ...)
{
	char msg[KPRINTF_MAX];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf_set_sink(port_host_stdout_sink);
	printf("Kernel panic: %s\n", msg);
	fflush(stdout);
	if (port_host_panic_hook)
		port_host_panic_hook(); /* may show what it kept, or exit */
	abort();
}

void warn_slowpath(const char *file, int line, const char *cond)
{
	kprintf("WARNING: %s:%d: %s\n", file, line, cond);
}

void host_set_cpu(unsigned int cpu)
{
	if (cpu >= MAX_HARTS)
		panic("host_set_cpu: cpu %u, at most %d", cpu, MAX_HARTS - 1);
	port_host_set_this_cpu(cpu);
}

/* Free blocks mm/ said it no longer needs (port_release_free_block): the
 * tests read these; the memory stays as it is (it is the tests' fake RAM). */
unsigned long port_host_released_blocks, port_host_released_bytes;
unsigned long port_release_keep; /* each block as it forms (tests count them) */
bool port_group_pages_by_use;      /* plain buddy placement unless a test sets it */
bool port_new_ram_zeroed;          /* fake RAM is dirtied on purpose (meminit tests) */
bool port_fit_lowest;              /* the kernel's fit unless a test sets it */
void *port_host_last_released;
void (*port_host_release_hook)(void *addr, unsigned long size);

void port_release_free_block(void *addr, unsigned long size)
{
	if (port_host_release_hook)
		port_host_release_hook(addr, size);
	__atomic_add_fetch(&port_host_released_blocks, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&port_host_released_bytes, size, __ATOMIC_RELAXED);
	__atomic_store_n(&port_host_last_released, addr, __ATOMIC_RELAXED);
}

/* The tests' fake RAM is written: the tests read the zeros. */
void port_zero_pages(void *addr, unsigned long size)
{
	memset(addr, 0, size);
}

/* Every cpu in turn on the calling thread, which then is its own cpu again. */
void on_each_cpu(void (*fn)(void *arg), void *arg)
{
	unsigned int me = this_cpu();

	for (unsigned int cpu = 0; cpu < nr_online_cpus(); cpu++) {
		port_host_set_this_cpu(cpu);
		fn(arg);
	}
	port_host_set_this_cpu(me);
}
