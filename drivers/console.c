/*
 * console.c - console selection and kprintf.
 *
 * Selection: /chosen stdout-path names a node by path or by an /aliases
 * entry; its "compatible" picks a driver from uart_drivers[]. If the path is
 * missing or names nothing usable, the first okay node any driver matches is
 * used, with a warning. Until then (and if nothing matches) output goes
 * through SBI's legacy putchar, which works from the first instruction.
 *
 * kprintf formats into a buffer on the caller's stack, then writes it under
 * console_lock so lines from different harts never interleave. The lock
 * remembers its owner: a hart that traps or panics while printing re-enters
 * instead of deadlocking on itself.
 */
#include <console.h>
#include <devicetree.h>
#include <hart.h>
#include <kstring.h>
#include <sbi.h>
#include <spinlock.h>

static const struct uart_driver uart_drivers[] = {
	{ "ns16550a", uart8250_probe },
	{ "ns16550", uart8250_probe },
	{ "snps,dw-apb-uart", uart8250_probe },
	{ "sifive,uart0", uart_sifive_probe },
};

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

int uart_dt_reg(const struct fdt *f, int node, struct console *con)
{
	u64 addr, size;
	int rc = fdt_reg(f, node, 0, &addr, &size);
	int len;
	const char *name;

	if (rc)
		return -ENODEV;
	con->base = (unsigned long)addr;
	name = fdt_node_name(f, node, &len);
	ksnprintf(con->name, sizeof(con->name), "%.*s", len, name ? name : "uart");
	return 0;
}

static const struct uart_driver *match_driver(const struct fdt *f, int node)
{
	for (size_t i = 0; i < ARRAY_SIZE(uart_drivers); i++)
		if (fdt_is_compatible(f, node, uart_drivers[i].compatible))
			return &uart_drivers[i];
	return NULL;
}

/* stdout-path is a path ("/soc/serial@10000000") or an alias ("serial0"). */
static int resolve_stdout_path(const struct fdt *f, const char *path)
{
	int aliases, len;
	const char *target;

	if (path[0] == '/')
		return fdt_path_offset(f, path, strlen(path));
	aliases = fdt_path_offset(f, "/aliases", 8);
	if (aliases < 0)
		return aliases;
	target = fdt_getprop(f, aliases, path, &len);
	if (!target || len < 2 || target[len - 1] != '\0' || target[0] != '/')
		return -FDT_ERR_NOTFOUND;
	return fdt_path_offset(f, target, (size_t)len - 1);
}

static int try_node(const struct fdt *f, int node)
{
	const struct uart_driver *drv = match_driver(f, node);

	if (!drv || !fdt_node_is_okay(f, node))
		return -ENODEV;
	memset(&uart_console, 0, sizeof(uart_console));
	if (drv->probe(f, node, &uart_console))
		return -ENODEV;
	active = &uart_console;
	return 0;
}

static int first_known_uart(const struct fdt *f)
{
	for (size_t i = 0; i < ARRAY_SIZE(uart_drivers); i++) {
		int node = -1;
		while ((node = fdt_find_compatible(f, node, uart_drivers[i].compatible)) >= 0)
			if (try_node(f, node) == 0)
				return 0;
	}
	return -ENODEV;
}

int console_init(const struct dt_info *dt)
{
	const struct fdt *f = &dt->fdt;

	if (dt->stdout_path[0]) {
		int node = resolve_stdout_path(f, dt->stdout_path);
		if (node >= 0 && try_node(f, node) == 0)
			return 0;
		kprintf("console: stdout-path \"%s\" names no usable UART\n", dt->stdout_path);
	} else {
		kprintf("console: no /chosen stdout-path\n");
	}
	if (first_known_uart(f) == 0) {
		kprintf("console: using %s instead\n", uart_console.name);
		return 0;
	}
	kprintf("console: no supported UART found, staying on the SBI console\n");
	return -ENODEV;
}

const char *console_name(void)
{
	return active ? active->name : "sbi";
}

static void raw_putc(char c)
{
	if (active)
		active->putc(active, c);
	else
		sbi_console_putchar(c);
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
	return -1;
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

int vkprintf(const char *fmt, va_list ap)
{
	char buf[512];
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	size_t len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
	bool release = console_lock_take();

	if (capture.cpu == (int)this_cpu())
		capture_append(buf, len);
	console_write(buf, len);
	if (release)
		console_lock_release();
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
