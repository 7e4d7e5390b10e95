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
#include <lib/spinlock.h>

struct console {
	char name[48]; /* "ns16550a@0x10000000" */
	/* Write @c if the transmitter has room for it, else false at once
	 * (the console waits, bounded, and reads the receiver meanwhile). */
	bool (*try_putc)(struct console *con, char c);
	int (*getc)(struct console *con); /* a byte, or -1 when none waits */
	unsigned long base;               /* register base */
	unsigned int reg_shift;
	unsigned int reg_width;           /* 1 or 4 bytes */
	/* Times the UART said its receiver overflowed (16550: LSR OE) that
	 * no report has told of yet: the driver adds, the console reports and
	 * subtracts. A UART with no such flag (SiFive) leaves it 0. */
	unsigned long rx_overruns;
};

/* Status polls the console makes while a UART's transmitter is busy before
 * it drops the byte: over 40 ms at any MMIO speed, longer than a 16-byte
 * FIFO takes to drain at 9600 baud; a console must not hang the kernel. A
 * dead UART reaches it, and so does one whose other end stops taking bytes
 * (flow control; QEMU while its terminal program is stopped or reads
 * nothing): the console reports the bytes so dropped once the transmitter
 * takes bytes again (console_io.c). */
#define UART_TX_POLLS (1u << 22)

/* A UART driver. setup fills @con from the UART's device tree node
 * (registers, access width, ops) and touches no hardware: 0 or -errno.
 * hw_init then readies the UART itself. take_rate (NULL where the driver
 * keeps whatever divisor the UART has) sets @con's baud divisor for @baud
 * from @from's, a UART of the same driver on the same clock that the
 * firmware set for @from_baud, and returns the divisor written. */
struct uart_driver {
	const char *compatible;
	const char *tty; /* Linux's name for such a UART: "ttyS" (8250), "ttySIF" */
	int (*setup)(const struct fdt *f, int node, struct console *con);
	void (*hw_init)(struct console *con);
	u32 (*take_rate)(struct console *con, const struct console *from, u32 from_baud, u32 baud);
};

int uart8250_setup(const struct fdt *f, int node, struct console *con);
void uart8250_hw_init(struct console *con);
int uart_sifive_setup(const struct fdt *f, int node, struct console *con);
void uart_sifive_hw_init(struct console *con);
u32 uart_sifive_take_rate(struct console *con, const struct console *from, u32 from_baud, u32 baud);
/* A SiFive UART's baud divisor register (baud = clock / (div + 1)). */
#define UART_SIFIVE_DIV 0x18
/* The baud rvmm takes the firmware's console to run at (its line settings
 * are not in the tree rvmm reads: stdout-path's options are the boot
 * loader's, and the rate it set is in the UART only as a divisor). */
#define CONSOLE_FIRMWARE_BAUD 115200u

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

/*
 * The console a console= value names, in Linux's terms: "ttyS<n>" an
 * 8250-family UART (ns16550a, ns16550, snps,dw-apb-uart), "ttySIF<n>" a
 * SiFive UART, "hvc0" the SBI console; options after a comma ("115200n8")
 * are accepted, and their baud applied where the driver has take_rate
 * (console_apply_param; the other line settings stay the firmware's). UART n
 * is the node /aliases serial<n> names (none if that is not a usable UART
 * of the kind), as Linux numbers them; in a tree without that alias, the
 * n-th usable UART of the kind in tree order (n from 0). Returns 0 with @out filled (out->driver NULL: the SBI
 * console), -EINVAL if @spec is no such name, or -ENODEV if the machine
 * has no such UART; with @dt NULL only the name is checked (0 or -EINVAL).
 * Prints nothing, touches no hardware.
 */
int console_select_named(const struct dt_info *dt, const char *spec, struct console_choice *out);

/* Switch the console as the last console= of the command line says (after
 * cmdline_parse_boot; nothing without one): on the old console a line
 * naming the new one, or why it stays. */
void console_apply_param(const struct dt_info *dt);
/* The last console= of the command line ("" for none). */
const char *console_param(void);
/* The baud among a console= value's options ("ttySIF1,57600n8": 57600), or 0. */
u32 console_param_baud(const char *spec);

/*
 * The console's byte path over one UART (drivers/console_io.c): output
 * that waits, bounded, for the transmitter, and input through a software
 * ring. While output waits for the transmitter (at 115200 baud, 87 us a
 * byte) the receiver is read into the ring, so input that arrives while
 * the kernel prints (a pasted block of commands) outlives the UART's small
 * RX FIFO; readers take the ring first, so bytes keep their order. A full
 * ring leaves the UART unread (a link with flow control then waits). Loss
 * that remains is reported on the output, before its next byte, once:
 *   [console: N bytes lost: the transmitter stayed busy]
 *   [console: input bytes lost: the receiver overflowed N time(s)]
 * The second only where the UART has an overrun flag (the 16550's OE; a
 * SiFive UART has none). The counts are only ever added to by the byte
 * path (never printed from inside it), so a report is one line however
 * much is lost meanwhile.
 */
#define CONSOLE_RX_RING 4096

struct console_io {
	struct console *uart;
	spinlock_t rx_lock; /* the ring, and reading the UART into it */
	unsigned char rx_ring[CONSOLE_RX_RING];
	unsigned int rx_head, rx_len; /* the oldest byte is rx_ring[rx_head] */
	/* Not yet reported: */
	unsigned long tx_dropped; /* output bytes: transmitter stayed busy */
};

#define CONSOLE_IO_INIT(con) { .uart = (con), .rx_lock = SPINLOCK_INIT }

/* Write @c (no newline translation), first any pending loss report. */
void console_io_putc(struct console_io *io, char c);
/* The oldest input byte (the ring's, after reading the UART), or -1. */
int console_io_getc(struct console_io *io);
/* Take the first @c out of the input (the other bytes keep their order);
 * whether there was one. */
bool console_io_take(struct console_io *io, unsigned char c);

/* Switch from the SBI console to the UART the device tree names.
 * Returns 0, or -ENODEV (output stays on SBI; a warning says why). */
int console_init(const struct dt_info *dt);
const char *console_name(void);
/* The physical base of the UART's registers, 0 on the SBI console. */
unsigned long console_mmio_base(void);
/* End the quiet boot (the quiet parameter, drivers/console.c): the console
 * shows kprintf's output again, after a line counting the boot lines the log
 * kept, or with @show_log the log itself (a panic). Nothing without quiet. */
void console_quiet_end(bool show_log);

/* Leave the UART for the SBI console, saying why (printed on the UART
 * while it still works). */
void console_fall_back_to_sbi(const char *why);

void console_putc(char c);
void console_write(const char *s, size_t n);
/* A byte from the console, or -1 when none is waiting. Never blocks.
 * Bytes come in the order they arrived (the input ring's first). */
int console_getc(void);
/* Take the first @c waiting in the console's input out of it (the rest keep
 * their order); whether one was there. The shell's Ctrl-C. */
bool console_take_byte(unsigned char c);

/* While capturing, this hart's kprintf output is also copied into @buf
 * (always NUL terminated; what does not fit is dropped). For self-tests of
 * console reports. Returns the number of bytes captured. */
void console_capture_begin(char *buf, size_t size);
size_t console_capture_end(void);

/* Read the base and size of @node's first reg entry. */
int uart_dt_reg(const struct fdt *f, int node, struct console *con);

/* kprintf's sink on the kernel (kmain registers it first thing). */
void console_kprintf_sink(const char *s, size_t n);

/* The kernel log: the last CONSOLE_LOG_SIZE bytes kprintf wrote (the boot
 * log among them until later output overwrites it), kept by the sink.
 * console_log_dump writes it to the console from its oldest whole line;
 * console_log_clear forgets it. (The shell's dmesg.) */
#define CONSOLE_LOG_SIZE 32768
void console_log_dump(void);
void console_log_clear(void);

#endif
