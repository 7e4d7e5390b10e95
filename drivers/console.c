/*
 * console.c - the console, and the sink kprintf writes through.
 *
 * console_init() switches to the UART console_select() (console_select.c)
 * picks from the device tree and readies it. Until then (and if nothing
 * matches) output goes through SBI's legacy putchar, which works from the
 * first instruction, and input through its legacy getchar: a board whose
 * UART rvmm has no driver for keeps a console both ways. Either way the
 * bytes go through console_io.c: bounded transmit waits that keep reading
 * the receiver into an input ring, and the reports of what was lost.
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
#include <boot/ktime.h>
#include <lib/cmdline.h>
#include <lib/kstring.h>
#include <lib/logring.h>
#include <boot/sbi.h>
#include <lib/spinlock.h>

static bool sbi_try_putc(struct console *con, char c)
{
	(void)con;
	sbi_console_putchar(c);
	return true;
}

static int sbi_getc(struct console *con)
{
	(void)con;
	return sbi_console_getchar();
}

/* SBI's legacy console, as a UART that is never busy. base 0: no MMIO. */
static struct console sbi_console = {
	.name = "sbi", .try_putc = sbi_try_putc, .getc = sbi_getc,
};

static struct console uart_console;
/* The console's bytes (console_io.c); its uart is &sbi_console until
 * console_init finds a UART. */
static struct console_io io = CONSOLE_IO_INIT(&sbi_console);

static spinlock_t console_lock = SPINLOCK_INIT;
static int console_owner = -1; /* cpu holding console_lock */

/* Everything kprintf wrote, its last CONSOLE_LOG_SIZE bytes, for dmesg:
 * each line stamped with the time it began, as Linux's log ("[    0.012345] "
 * from the time CSR's zero). Empty lines (the console's spacing, such as
 * the one before the boot banner) are not logged. */
static char log_buf[CONSOLE_LOG_SIZE];
static struct log_ring klog = LOG_RING_INIT(log_buf);
static bool log_line_open; /* the last byte logged was not a newline */

static void log_append(const char *s, size_t n)
{
	while (n) {
		const char *nl = memchr(s, '\n', n);
		size_t chunk = nl ? (size_t)(nl - s) + 1 : n;

		if (!log_line_open && chunk == 1 && *s == '\n') { /* an empty line */
			s++;
			n--;
			continue;
		}
		if (!log_line_open) {
			char stamp[32];
			u64 us = time_now_us();
			int len = ksnprintf(stamp, sizeof(stamp), "[%5llu.%06llu] ",
					    (unsigned long long)(us / 1000000), (unsigned long long)(us % 1000000));

			log_ring_append(&klog, stamp, (size_t)len);
		}
		log_ring_append(&klog, s, chunk);
		log_line_open = !nl;
		s += chunk;
		n -= chunk;
	}
}

/* The driver of uart_console while it is the firmware's UART (console_init);
 * NULL once console= moved the console. */
static const struct uart_driver *uart_driver_now;

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
	io.uart = &uart_console;
	uart_driver_now = choice.driver;
	return 0;
}

/* The last console= of the command line ("" for none). Linux writes to
 * every console= and reads from the last; rvmm has one console: the last. */
static char console_wanted[32];

static int console_set(const char *value)
{
	struct console_choice unused;

	if (!value || strlen(value) >= sizeof(console_wanted) ||
	    console_select_named(NULL, value, &unused) == -EINVAL)
		return -EINVAL;
	kstrlcpy(console_wanted, value, sizeof(console_wanted));
	return 0;
}
KPARAM("console", console_set,
       "console=ttyS<n>|ttySIF<n>|hvc0[,options]  the console: 8250 UART n, SiFive UART n (/aliases serial<n>), SBI's");

const char *console_param(void)
{
	return console_wanted;
}

u32 console_param_baud(const char *spec)
{
	const char *p = strchr(spec, ',');
	u32 baud = 0;

	for (p = p ? p + 1 : ""; *p >= '0' && *p <= '9' && baud < 100000000u; p++)
		baud = baud * 10 + (u32)(*p - '0');
	return baud;
}

/* A console moved from the firmware's UART to another of the same kind
 * (one clock): its divisor from the firmware's, for console='s baud or
 * the firmware's; one line says so. */
static void take_rate(const struct console_choice *choice, struct console *old)
{
	u32 baud = console_param_baud(console_wanted), div;

	if (!choice->driver->take_rate || choice->driver != uart_driver_now || !old->base)
		return;
	if (!baud)
		baud = CONSOLE_FIRMWARE_BAUD;
	div = choice->driver->take_rate(&uart_console, old, CONSOLE_FIRMWARE_BAUD, baud);
	kprintf("console: %s at %u baud: divisor %u, from %s's for %u baud (one clock)\n",
		uart_console.name, baud, div, old->name, CONSOLE_FIRMWARE_BAUD);
}

void console_apply_param(const struct dt_info *dt)
{
	struct console_choice choice;
	char old[sizeof(io.uart->name)];

	if (!console_wanted[0])
		return;
	if (console_select_named(dt, console_wanted, &choice)) {
		kprintf("console: console=%s names no UART of this machine: staying on %s\n", console_wanted,
			io.uart->name);
		return;
	}
	/* (SBI's console has no registers: base 0, as a choice without a driver) */
	if (choice.con.base == io.uart->base)
		return; /* already the console */
	kprintf("console: console=%s: moving to %s\n", console_wanted,
		choice.driver ? choice.con.name : "the SBI console");
	kstrlcpy(old, io.uart->name, sizeof(old)); /* (uart_console is overwritten) */
	if (choice.driver) {
		struct console firmware = *io.uart;

		uart_console = choice.con;
		choice.driver->hw_init(&uart_console);
		take_rate(&choice, &firmware);
		io.uart = &uart_console;
		uart_driver_now = NULL;
	} else {
		io.uart = &sbi_console;
	}
	kprintf("console: %s (console=%s), before it %s\n", io.uart->name, console_wanted, old);
}

const char *console_name(void)
{
	return io.uart->name;
}

unsigned long console_mmio_base(void)
{
	return io.uart->base;
}

void console_fall_back_to_sbi(const char *why)
{
	if (io.uart == &sbi_console)
		return;
	kprintf("console: leaving %s for the SBI console: %s\n", io.uart->name, why);
	io.uart = &sbi_console;
	uart_driver_now = NULL;
}

void console_putc(char c)
{
	if (c == '\n')
		console_io_putc(&io, '\r');
	console_io_putc(&io, c);
}

void console_write(const char *s, size_t n)
{
	while (n--)
		console_putc(*s++);
}

int console_getc(void)
{
	return console_io_getc(&io);
}

bool console_take_byte(unsigned char c)
{
	return console_io_take(&io, c);
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

/*
 * quiet (Linux's parameter): from the command line on, the boot's messages
 * go to the log only, and the console shows what follows the boot (the
 * ready banner, run=, ktest=, the shell). console_quiet_end ends it: at the
 * banner with one line counting what the log kept, or at a panic with the
 * log itself first, so a boot that stops still says why and how far it got.
 */
static void log_dump_until(u64 end);

static int quiet_boot; /* (an int: RISC-V has no byte-wide atomic swap) */
static unsigned long quiet_lines; /* lines logged, not shown, while quiet */

static int quiet_param(const char *value)
{
	if (value)
		return -EINVAL; /* a bare word, as Linux's */
	quiet_boot = 1;
	return 0;
}
KPARAM("quiet", quiet_param, "quiet  the boot's messages to the log only (dmesg shows them); the console from the banner on");

void console_quiet_end(bool show_log)
{
	if (!__atomic_exchange_n(&quiet_boot, 0, __ATOMIC_ACQ_REL))
		return;
	if (show_log) {
		u64 end = __atomic_load_n(&klog.written, __ATOMIC_ACQUIRE);

		kprintf("quiet: the boot's log so far:\n");
		log_dump_until(end);
	} else {
		kprintf("quiet: %lu boot lines kept in the log (dmesg shows them)\n", quiet_lines);
	}
}

void console_kprintf_sink(const char *s, size_t n)
{
	bool release = console_lock_take();

	if (capture.cpu == (int)this_cpu())
		capture_append(s, n);
	log_append(s, n);
	if (!__atomic_load_n(&quiet_boot, __ATOMIC_RELAXED))
		console_write(s, n);
	else
		for (size_t i = 0; i < n; i++)
			quiet_lines += s[i] == '\n';
	if (release)
		console_lock_release();
}

/* The log from its oldest byte kept up to @end (a klog.written), a chunk
 * per hold of the console lock (other harts print in between; what they
 * print is logged but not part of this dump). Written to the console
 * directly, not logged again. */
static void log_dump_until(u64 end)
{
	char chunk[256];
	u64 pos;
	bool release = console_lock_take();

	pos = log_ring_first(&klog);
	if (release)
		console_lock_release();
	for (;;) {
		size_t n;

		release = console_lock_take();
		n = log_ring_read(&klog, &pos, end, chunk, sizeof(chunk));
		if (capture.cpu == (int)this_cpu())
			capture_append(chunk, n);
		console_write(chunk, n);
		if (release)
			console_lock_release();
		if (n == 0)
			return;
	}
}

/* The log as it stands when called. */
void console_log_dump(void)
{
	log_dump_until(__atomic_load_n(&klog.written, __ATOMIC_ACQUIRE));
}

void console_log_clear(void)
{
	bool release = console_lock_take();

	log_ring_clear(&klog);
	if (release)
		console_lock_release();
}
