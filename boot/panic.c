/*
 * panic.c - panic() and WARN_ON's slow path.
 *
 * panic prints the message with the hart it happened on and a backtrace from
 * the caller, then powers off with EXIT_PANIC. A second panic (from inside
 * the first) goes straight to poweroff.
 */
#include <boot/hart.h>
#include <drivers/console.h>
#include <drivers/power.h>
#include <boot/trap.h>

static int panicking;

void panic(const char *fmt, ...)
{
	va_list ap;

	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL))
		poweroff(EXIT_PANIC);
	console_quiet_end(true); /* a quiet boot shows its log first: how far it got */
	kprintf("\nKernel panic on hart %lu (cpu %u): ", this_hart()->hartid, this_cpu());
	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	print_backtrace((unsigned long)panic,
			(unsigned long)__builtin_frame_address(0), 0);
	poweroff(EXIT_PANIC);
}

void warn_slowpath(const char *file, int line, const char *cond)
{
	kprintf("WARNING: hart %lu at %s:%d: %s\n", this_hart()->hartid, file, line, cond);
}
