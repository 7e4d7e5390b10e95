/*
 * console.h - the serial console.
 *
 * Three layers: UART drivers that only touch registers (uart8250.c,
 * uart_sifive.c), each with a setup that reads its device tree node; the
 * match table in console_select.c that picks a driver by "compatible"; and
 * the console ops below, which everything else uses. Until console_init()
 * finds the UART named by /chosen stdout-path, output goes through SBI's
 * legacy putchar.
 */
#ifndef RVMM_CONSOLE_H
#define RVMM_CONSOLE_H

#include <drivers/fdt.h>

struct console {
	char name[48]; /* "ns16550a@0x10000000" */
	/* false: the transmitter stayed busy for UART_TX_POLLS polls and
	 * the byte was dropped */
	bool (*putc)(struct console *con, char c);
	int (*getc)(struct console *con); /* a byte, or -1 when none waits */
	unsigned long base;               /* register base */
	unsigned int reg_shift;
	unsigned int reg_width;           /* 1 or 4 bytes */
};

/* A UART driver. setup fills @con from the UART's device tree node
 * (registers, access width, ops) and touches no hardware: 0 or -errno.
 * hw_init then readies the UART itself. */
/* Status polls a UART's putc makes while its transmitter is busy before it
 * drops the byte: over 40 ms at any MMIO speed, longer than a 16-byte FIFO
 * takes to drain at 9600 baud; a console must not hang the kernel. A dead
 * UART reaches it, and so does one whose other end stops taking bytes
 * (flow control; QEMU while its terminal program is stopped or reads
 * nothing): the console reports the bytes so dropped once the transmitter
 * takes bytes again (console.c). */
#define UART_TX_POLLS (1u << 22)

struct uart_driver {
	const char *compatible;
	int (*setup)(const struct fdt *f, int node, struct console *con);
	void (*hw_init)(struct console *con);
};

int uart8250_setup(const struct fdt *f, int node, struct console *con);
void uart8250_hw_init(struct console *con);
int uart_sifive_setup(const struct fdt *f, int node, struct console *con);
void uart_sifive_hw_init(struct console *con);

struct dt_info;

/* The UART console_select() picked. */
struct console_choice {
	const struct uart_driver *driver; /* NULL: none, output stays on SBI */
	bool from_stdout_path;            /* named by stdout-path, not a fallback */
	struct console con;               /* as the driver's setup filled it */
};

/*
 * Pick the console UART for @dt (drivers/console_select.c): the node /chosen
 * stdout-path names, by path or /aliases name, if its compatible has a
 * driver, it is okay and the driver's setup takes it; else the first such
 * node in uart_drivers[] order; else none. Prints the same warnings
 * console_init() shows. Touches no hardware.
 */
void console_select(const struct dt_info *dt, struct console_choice *out);

/* Switch from the SBI console to the UART the device tree names.
 * Returns 0, or -ENODEV (output stays on SBI; a warning says why). */
int console_init(const struct dt_info *dt);
const char *console_name(void);
/* The physical base of the UART's registers, 0 on the SBI console. */
unsigned long console_mmio_base(void);
/* Leave the UART for the SBI console, saying why (printed on the UART
 * while it still works). */
void console_fall_back_to_sbi(const char *why);

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

/* kprintf's sink on the kernel (kmain registers it first thing). */
void console_kprintf_sink(const char *s, size_t n);

#endif
