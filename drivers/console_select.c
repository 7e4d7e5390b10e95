/*
 * console_select.c - which UART becomes the console: the decision alone,
 * reading only the device tree and touching no hardware, so that it is the
 * same code at boot (console_init) and in rvmm-dt on the host.
 *
 * /chosen stdout-path names a node by path or by an /aliases entry; its
 * "compatible" picks a driver from uart_drivers[], whose setup must accept
 * the node. If the path is missing or names nothing usable, the first okay
 * node any driver matches is taken, with a message. If nothing matches,
 * output stays on SBI's legacy putchar.
 */
#include <drivers/console.h>
#include <drivers/devicetree.h>
#include <lib/kstring.h>

static const struct uart_driver uart_drivers[] = {
	{ "ns16550a", "ttyS", uart8250_setup, uart8250_hw_init, NULL },
	{ "ns16550", "ttyS", uart8250_setup, uart8250_hw_init, NULL },
	{ "snps,dw-apb-uart", "ttyS", uart8250_setup, uart8250_hw_init, NULL },
	{ "sifive,uart0", "ttySIF", uart_sifive_setup, uart_sifive_hw_init, uart_sifive_take_rate },
};

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

/* Does a driver take @node? Then @out holds the choice. */
static bool try_node(const struct fdt *f, int node, struct console_choice *out)
{
	const struct uart_driver *drv = match_driver(f, node);

	if (!drv || !fdt_node_is_okay(f, node))
		return false;
	memset(&out->con, 0, sizeof(out->con));
	if (drv->setup(f, node, &out->con))
		return false;
	out->driver = drv;
	return true;
}

static bool first_known_uart(const struct fdt *f, struct console_choice *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(uart_drivers); i++) {
		int node = -1;

		while ((node = fdt_find_compatible(f, node, uart_drivers[i].compatible)) >= 0)
			if (try_node(f, node, out))
				return true;
	}
	return false;
}

void console_select(const struct dt_info *dt, struct console_choice *out)
{
	const struct fdt *f = &dt->fdt;

	memset(out, 0, sizeof(*out));
	if (dt->stdout_path[0]) {
		int node = resolve_stdout_path(f, dt->stdout_path);

		if (node >= 0 && try_node(f, node, out)) {
			out->from_stdout_path = true;
			return;
		}
		kprintf("console: stdout-path \"%s\" names no usable UART\n", dt->stdout_path);
	} else {
		kprintf("console: no /chosen stdout-path\n");
	}
	if (first_known_uart(f, out))
		kprintf("console: using %s instead\n", out->con.name);
	else
		kprintf("console: no supported UART found, staying on the SBI console\n");
}

/* @spec's kind and number: "ttySIF3,115200" -> "ttySIF", 3. "hvc0": tty
 * "hvc". -EINVAL for anything else. */
static int parse_console_name(const char *spec, const char **tty, unsigned int *n)
{
	static const char *const kinds[] = { "ttySIF", "ttyS", "hvc" }; /* longest prefix first */
	const char *p = NULL;
	unsigned int v = 0, digits = 0;

	for (size_t i = 0; i < ARRAY_SIZE(kinds) && !p; i++)
		if (strncmp(spec, kinds[i], strlen(kinds[i])) == 0) {
			*tty = kinds[i];
			p = spec + strlen(kinds[i]);
		}
	if (!p)
		return -EINVAL;
	for (; *p >= '0' && *p <= '9' && digits < 3; p++, digits++)
		v = v * 10 + (unsigned int)(*p - '0');
	if (!digits || (*p && *p != ','))
		return -EINVAL;
	if (strcmp(*tty, "hvc") == 0 && v != 0)
		return -EINVAL; /* hvc0 alone: SBI's console */
	*n = v;
	return 0;
}

/* Does @node take a driver of kind @tty? Then @out holds the choice. */
static bool try_node_of(const struct fdt *f, int node, const char *tty, struct console_choice *out)
{
	const struct uart_driver *drv = node >= 0 ? match_driver(f, node) : NULL;

	return drv && strcmp(drv->tty, tty) == 0 && try_node(f, node, out);
}

/* The node /aliases serial<n> names, or a negative error. */
static int serial_alias(const struct fdt *f, unsigned int n)
{
	char name[16];

	ksnprintf(name, sizeof(name), "serial%u", n);
	return resolve_stdout_path(f, name);
}

int console_select_named(const struct dt_info *dt, const char *spec, struct console_choice *out)
{
	const struct fdt *f;
	const char *tty;
	unsigned int n, seen = 0;
	int node, rc = parse_console_name(spec, &tty, &n);

	memset(out, 0, sizeof(*out));
	if (rc || !dt || strcmp(tty, "hvc") == 0)
		return rc; /* (hvc0: out->driver NULL, the SBI console) */
	f = &dt->fdt;
	node = serial_alias(f, n);
	if (node >= 0) /* the alias decides, as Linux numbers its ports */
		return try_node_of(f, node, tty, out) ? 0 : -ENODEV;
	/* No such alias: the n-th usable UART of the kind, in tree order. */
	for (node = fdt_next_node(f, -1, NULL); node >= 0; node = fdt_next_node(f, node, NULL))
		if (try_node_of(f, node, tty, out) && seen++ == n)
			return 0;
	memset(out, 0, sizeof(*out));
	return -ENODEV;
}
