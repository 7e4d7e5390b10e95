/*
 * host_glue.c - what the kernel provides to its portable code, for rvmm-dt
 * on the host: kprintf writes to standard output (formatted by rvmm's own
 * kvsnprintf, so lines read exactly as in the boot log), and panic prints
 * the message the kernel would stop with and exits 1: the tree is refused.
 */
#include <stdio.h>
#include <stdlib.h>

#include <kernel.h>

int vkprintf(const char *fmt, va_list ap)
{
	char buf[1024];
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);

	fputs(buf, stdout);
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

	fputs("Kernel panic: ", stdout);
	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
	fputs("\nrvmm-dt: rvmm would not boot with this device tree\n", stdout);
	fflush(stdout);
	exit(1);
}

void warn_slowpath(const char *file, int line, const char *cond)
{
	kprintf("WARNING: %s:%d: %s\n", file, line, cond);
}
