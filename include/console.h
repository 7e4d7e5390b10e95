/*
 * console.h - the serial console.
 *
 * Three layers: UART drivers that only touch registers (uart8250.c,
 * uart_sifive.c), each with a probe that reads its device tree node; the
 * match table in console.c that picks a driver by "compatible"; and the
 * console ops below, which everything else uses. Until console_init() finds
 * the UART named by /chosen stdout-path, output goes through SBI's legacy
 * putchar.
 */
#ifndef RVMM_CONSOLE_H
#define RVMM_CONSOLE_H

#include <fdt.h>

struct console {
	char name[48]; /* "ns16550a@0x10000000" */
	void (*putc)(struct console *con, char c);
	int (*getc)(struct console *con); /* a byte, or -1 when none waits */
	unsigned long base;               /* register base */
	unsigned int reg_shift;
	unsigned int reg_width;           /* 1 or 4 bytes */
};

/* A UART driver: fills @con from its DT node, returns 0 or -errno. */
struct uart_driver {
	const char *compatible;
	int (*probe)(const struct fdt *f, int node, struct console *con);
};

int uart8250_probe(const struct fdt *f, int node, struct console *con);
int uart_sifive_probe(const struct fdt *f, int node, struct console *con);

struct dt_info;

/* Switch from the SBI console to the UART the device tree names.
 * Returns 0, or -ENODEV (output stays on SBI; a warning says why). */
int console_init(const struct dt_info *dt);
const char *console_name(void);

void console_putc(char c);
void console_write(const char *s, size_t n);
/* A byte from the console, or -1 when none is waiting. Never blocks. */
int console_getc(void);

/* While capturing, this hart's kprintf output is also copied into @buf
 * (always NUL terminated; what does not fit is dropped). For self-tests of
 * console reports. Returns the number of bytes captured. */
void console_capture_begin(char *buf, size_t size);
size_t console_capture_end(void);

/* Read the base and size of @node's first reg entry. */
int uart_dt_reg(const struct fdt *f, int node, struct console *con);

#endif
