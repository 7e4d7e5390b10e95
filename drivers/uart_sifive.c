/*
 * uart_sifive.c - the SiFive UART ("sifive,uart0": FU540 / HiFive boards and
 * QEMU sifive_u). 32-bit registers: txdata (bit 31 = FIFO full), rxdata
 * (bit 31 = empty), txctrl/rxctrl (bit 0 = enable), div (baud = the
 * peripheral clock / (div + 1)). The firmware set the console's divisor;
 * init only makes sure transmit and receive are enabled. A UART the
 * firmware left alone (UART1 of a HiFive board, which U-Boot does not
 * use) has its reset divisor: a console moved there takes the firmware
 * console's, scaled to the baud asked (uart_sifive_take_rate), since the
 * SoC's UARTs share one clock.
 *
 * The receiver has an 8-entry FIFO and no overrun flag: bytes it drops
 * while nobody reads cannot be told of (the console reads it whenever it
 * prints or polls for input; drivers/console_io.c).
 */
#include <drivers/console.h>

#define TXDATA 0x00
#define RXDATA 0x04
#define TXCTRL 0x08
#define RXCTRL 0x0c
#define IE 0x10
#define DIV UART_SIFIVE_DIV
#define DATA_FLAG 0x80000000u /* txdata: full; rxdata: empty */
#define CTRL_ENABLE 1u

static volatile u32 *reg(struct console *con, unsigned int off)
{
	return (volatile u32 *)(con->base + off);
}

static bool sifive_try_putc(struct console *con, char c)
{
	if (*reg(con, TXDATA) & DATA_FLAG)
		return false;
	*reg(con, TXDATA) = (u8)c;
	return true;
}

static int sifive_getc(struct console *con)
{
	u32 v = *reg(con, RXDATA);

	return (v & DATA_FLAG) ? -1 : (int)(v & 0xff);
}

int uart_sifive_setup(const struct fdt *f, int node, struct console *con)
{
	int rc = uart_dt_reg(f, node, con);

	if (rc)
		return rc;
	con->reg_shift = 0;
	con->reg_width = 4;
	con->try_putc = sifive_try_putc;
	con->getc = sifive_getc;
	return 0;
}

u32 uart_sifive_take_rate(struct console *con, const struct console *from, u32 from_baud, u32 baud)
{
	u64 steps = *reg((struct console *)from, DIV) + 1ull; /* clock / from_baud */
	u64 want = (steps * from_baud + baud / 2) / baud;      /* clock / baud, rounded */
	u32 div = want ? (u32)MIN(want - 1, 0xffffffffull) : 0;

	*reg(con, DIV) = div;
	return div;
}

void uart_sifive_hw_init(struct console *con)
{
	*reg(con, IE) = 0;
	*reg(con, TXCTRL) |= CTRL_ENABLE;
	*reg(con, RXCTRL) |= CTRL_ENABLE;
}
