/*
 * console.c - the console, and the sink kprintf writes through.
 *
 * console_init() switches to the UART console_select() (console_select.c)
 * picks from the device tree and readies it. Until then (and if nothing
 * matches) output goes through SBI's legacy putchar, which works from the
 * first instruction, and input through its legacy getchar: a board whose
 * UART rvmm has no driver for keeps a console both ways.
 *
 * kprintf (lib/printf.c) formats into a buffer on the caller's stack and
 * hands it to console_kprintf_sink, which writes it under console_lock so
 * lines from different harts never interleave. The lock
 * remembers its owner: a hart that traps or panics while printing re-enters
 * instead of deadlocking on itself.
 */
#include <drivers/console.h>
#include <drivers/devicetree.h>
#include <boot/hart.h>
#include <lib/kstring.h>
#include <boot/sbi.h>
#include <lib/spinlock.h>

static struct console uart_console;
static struct console *active; /* NULL: SBI console */

static spinlock_t console_lock = SPINLOCK_INIT;
static int console_owner = -1; /* cpu holding console_lock */

/* A copy of one hart's kprintf output, for self-tests of reports. */
static struct {
	int cpu; /* -1: off */
	char *buf;
	size_t size, len;
} capture = { -1, NULL, 0, 0 };

int console_init(const struct dt_info *dt)
{
	struct console_choice choice;

	console_select(dt, &choice);
	if (!choice.driver)
		return -ENODEV;
	uart_console = choice.con;
	choice.driver->hw_init(&uart_console);
	active = &uart_console;
	return 0;
}

const char *console_name(void)
{
	return active ? active->name : "sbi";
}

unsigned long console_mmio_base(void)
{
	return active ? active->base : 0;
}

void console_fall_back_to_sbi(const char *why)
{
	if (!active)
		return;
	kprintf("console: leaving %s for the SBI console: %s\n", active->name, why);
	active = NULL;
}

/*
 * Bytes the UART's putc dropped (its transmitter stayed busy) and no report
 * has told of yet. Output is never lost silently: before the next byte
 * that goes through, a line says how many were lost.
 */
static unsigned long tx_dropped;

/* Put the report of tx_dropped out; false if the transmitter is still
 * busy (the count stays for the next try). */
static bool report_dropped(void)
{
	char msg[80];
	unsigned long n = __atomic_load_n(&tx_dropped, __ATOMIC_RELAXED);
	int len = ksnprintf(msg, sizeof(msg),
			    "\r\n[console: %lu bytes lost: the transmitter stayed busy]\r\n", n);

	if (!active->putc(active, msg[0]))
		return false;
	for (int i = 1; i < len; i++)
		if (!active->putc(active, msg[i])) /* told of by the next report */
			__atomic_fetch_add(&tx_dropped, 1, __ATOMIC_RELAXED);
	__atomic_fetch_sub(&tx_dropped, n, __ATOMIC_RELAXED);
	return true;
}

static void raw_putc(char c)
{
	if (!active) {
		sbi_console_putchar(c);
		return;
	}
	if ((__atomic_load_n(&tx_dropped, __ATOMIC_RELAXED) && !report_dropped()) ||
	    !active->putc(active, c))
		__atomic_fetch_add(&tx_dropped, 1, __ATOMIC_RELAXED);
}

void console_putc(char c)
{
	if (c == '\n')
		raw_putc('\r');
	raw_putc(c);
}

void console_write(const char *s, size_t n)
{
	while (n--)
		console_putc(*s++);
}

int console_getc(void)
{
	if (active)
		return active->getc(active);
	return sbi_console_getchar();
}

/* Take the console lock unless this hart already holds it (a trap or panic
 * while printing). Returns true if the caller must release it. */
static bool console_lock_take(void)
{
	int cpu = (int)this_cpu();

	if (__atomic_load_n(&console_owner, __ATOMIC_RELAXED) == cpu)
		return false;
	spin_lock(&console_lock);
	console_owner = cpu;
	return true;
}

static void console_lock_release(void)
{
	console_owner = -1;
	spin_unlock(&console_lock);
}

static void capture_append(const char *s, size_t n)
{
	size_t room = capture.size - 1 - capture.len;

	if (n > room)
		n = room;
	memcpy(capture.buf + capture.len, s, n);
	capture.len += n;
	capture.buf[capture.len] = '\0';
}

void console_capture_begin(char *buf, size_t size)
{
	BUG_ON(size == 0);
	buf[0] = '\0';
	capture.buf = buf;
	capture.size = size;
	capture.len = 0;
	__atomic_store_n(&capture.cpu, (int)this_cpu(), __ATOMIC_RELEASE);
}

size_t console_capture_end(void)
{
	__atomic_store_n(&capture.cpu, -1, __ATOMIC_RELEASE);
	return capture.len;
}

void console_kprintf_sink(const char *s, size_t n)
{
	bool release = console_lock_take();

	if (capture.cpu == (int)this_cpu())
		capture_append(s, n);
	console_write(s, n);
	if (release)
		console_lock_release();
}
