/*
 * uart8250.c - the 16550-compatible UART (QEMU virt's "ns16550a").
 *
 * Register layer: registers are (1 << reg-shift) bytes apart and accessed
 * reg-io-width (1 or 4) bytes wide. The firmware has already set the baud
 * rate; init only sets 8N1, enables the FIFOs and masks the UART's
 * interrupts (rvmm polls). try_putc writes when the holding register is
 * empty; the console does the waiting (console_io.c).
 *
 * Reading LSR clears its overrun bit OE (the receiver dropped a byte: its
 * FIFO was full), so every LSR read goes through lsr_read, which counts an
 * OE it sees in con->rx_overruns for the console to report.
 */
#include <drivers/console.h>

#define RBR 0 /* receive buffer (read) */
#define THR 0 /* transmit holding (write) */
#define IER 1
#define FCR 2
#define LCR 3
#define LSR 5
#define LSR_DR 0x01   /* data ready */
#define LSR_OE 0x02   /* overrun: a received byte was lost */
#define LSR_THRE 0x20 /* transmit holding register empty */
#define LCR_8N1 0x03
#define FCR_ENABLE 0x01

static u32 reg_read(struct console *con, unsigned int reg)
{
	unsigned long addr = con->base + ((unsigned long)reg << con->reg_shift);

	if (con->reg_width == 4)
		return *(volatile u32 *)addr;
	return *(volatile u8 *)addr;
}

static void reg_write(struct console *con, unsigned int reg, u32 val)
{
	unsigned long addr = con->base + ((unsigned long)reg << con->reg_shift);

	if (con->reg_width == 4)
		*(volatile u32 *)addr = val;
	else
		*(volatile u8 *)addr = (u8)val;
}

static u32 lsr_read(struct console *con)
{
	u32 lsr = reg_read(con, LSR);

	if (lsr & LSR_OE)
		__atomic_fetch_add(&con->rx_overruns, 1, __ATOMIC_RELAXED);
	return lsr;
}

static bool uart8250_try_putc(struct console *con, char c)
{
	if (!(lsr_read(con) & LSR_THRE))
		return false;
	reg_write(con, THR, (u8)c);
	return true;
}

static int uart8250_getc(struct console *con)
{
	if (!(lsr_read(con) & LSR_DR))
		return -1;
	return (int)(reg_read(con, RBR) & 0xff);
}

void uart8250_hw_init(struct console *con)
{
	reg_write(con, IER, 0);
	reg_write(con, LCR, LCR_8N1);
	/* Turning the FIFO on empties it: skip that while a byte waits, so
	 * input that arrived during boot is not lost. */
	if (!(lsr_read(con) & LSR_DR))
		reg_write(con, FCR, FCR_ENABLE);
}

int uart8250_setup(const struct fdt *f, int node, struct console *con)
{
	u32 shift = 0, width = 1;
	int rc = uart_dt_reg(f, node, con);

	if (rc)
		return rc;
	fdt_getprop_u32(f, node, "reg-shift", &shift);
	fdt_getprop_u32(f, node, "reg-io-width", &width);
	if (shift > 4 || (width != 1 && width != 4))
		return -EINVAL;
	con->reg_shift = shift;
	con->reg_width = width;
	con->try_putc = uart8250_try_putc;
	con->getc = uart8250_getc;
	return 0;
}
