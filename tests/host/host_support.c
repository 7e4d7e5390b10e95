/*
 * host_support.c - what the kernel provides to portable code (kprintf, panic,
 * warnings), implemented on the host. kprintf formats with rvmm's own
 * kvsnprintf so every host test also exercises it.
 */
#include <stdio.h>
#include <stdlib.h>

#include <kernel.h>
#include <ksyms.h>
#include <percpu.h>
#include "host.h"

void (*host_kprintf_sink)(const char *s);

int vkprintf(const char *fmt, va_list ap)
{
	char buf[1024];
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);

	if (host_kprintf_sink) { /* quiet (fuzzers): the sink keeps it */
		host_kprintf_sink(buf);
		return n;
	}
	fputs(buf, stdout);
	fflush(stdout);
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vkprintf(fmt, ap);
	va_end(ap);
	return n;
}

void panic(const char *fmt, ...)
{
	va_list ap;

	if (host_kprintf_sink) { /* quiet: show what was kept, then the panic */
		void (*sink)(const char *s) = host_kprintf_sink;

		host_kprintf_sink = NULL;
		sink(NULL);
	}
	va_start(ap, fmt);
	fputs("Kernel panic: ", stdout);
	vkprintf(fmt, ap);
	va_end(ap);
	fputs("\n", stdout);
	abort();
}

void warn_slowpath(const char *file, int line, const char *cond)
{
	kprintf("WARNING: %s:%d: %s\n", file, line, cond);
}

/* Tests that run several threads number them with host_set_cpu(). */
static _Thread_local unsigned int host_cpu;

unsigned int this_cpu(void)
{
	return host_cpu;
}

void host_set_cpu(unsigned int cpu)
{
	host_cpu = cpu;
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

unsigned int nr_online_cpus(void)
{
	return MAX_HARTS;
}

/* No kernel symbol table on the host. */
const char *ksym_lookup(unsigned long addr, unsigned long *offset)
{
	(void)addr;
	(void)offset;
	return NULL;
}

void *host_load_dtb(const char *name, size_t *size)
{
	char path[512];
	FILE *f;
	void *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s.dtb", host_dtb_dir, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}
