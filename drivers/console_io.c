/*
 * console_io.c - the console's bytes over one UART: output with a bounded
 * wait for the transmitter, input through a software ring, and the reports
 * of what was lost. Portable (no registers: the driver's ops do that), so
 * the host tests run it over a model UART whose FIFO overflows.
 *
 * Why a ring: rvmm polls the UART. At 115200 baud a byte takes 87 us each
 * way, and the RX FIFO holds 16 bytes (16550) or 8 (SiFive): while output
 * waits for the transmitter, input arrives as fast as output leaves, and
 * unread it overflows the FIFO in under 1.4 ms. So every poll of a waiting
 * transmit also reads the receiver into the ring (drain_if_free), and
 * every reader takes the ring before the UART; the bytes keep their order.
 *
 * A full ring is not read into: the UART's FIFO holds on, so a link with
 * flow control (QEMU's chardevs: a pipe into make run, a pty) waits and
 * loses nothing however much comes while a long command runs.
 *
 * Loss that remains is counted where it happens and reported on the output
 * before its next byte, one line per kind: a transmitter that stays busy,
 * and a receiver that overflowed (a long stretch that neither prints nor
 * reads, or a full ring, on a line without flow control) where the UART
 * says so (16550 LSR OE); a SiFive UART has no overrun flag, so its
 * overflow cannot be told. The byte path only adds to the counts, so
 * reporting never recurses.
 *
 * Locking: rx_lock guards the ring and the reading of the UART into it, so
 * a byte never overtakes one already in the ring. Draining from the output
 * path only tries the lock: a hart that trapped or panics while it held
 * the lock still prints. The counts are atomics.
 */
#include <drivers/console.h>
#include <lib/kstring.h>

static void count(unsigned long *n, unsigned long by)
{
	__atomic_fetch_add(n, by, __ATOMIC_RELAXED);
}

static unsigned long pending(unsigned long *n)
{
	return __atomic_load_n(n, __ATOMIC_RELAXED);
}

/* The ring's index of its @i-th oldest byte. */
static unsigned int ring_at(const struct console_io *io, unsigned int i)
{
	return (io->rx_head + i) % CONSOLE_RX_RING;
}

/* Read the bytes waiting in the UART into the ring while it has room.
 * Caller holds rx_lock. A full ring leaves the UART unread: its FIFO holds
 * on, and a link with flow control (QEMU's chardevs, a pipe into make run)
 * waits instead of losing what comes after; a line without it overflows
 * the FIFO, which the 16550 reports (OE). */
static void drain_locked(struct console_io *io)
{
	struct console *con = io->uart;
	int c;

	while (io->rx_len < CONSOLE_RX_RING && (c = con->getc(con)) >= 0) {
		io->rx_ring[ring_at(io, io->rx_len)] = (unsigned char)c;
		io->rx_len++;
	}
}

/* Read what waits in the UART into the ring, unless another hart is at it
 * (the output path: a hart that trapped holding the lock still prints). */
static void drain_if_free(struct console_io *io)
{
	if (!spin_trylock(&io->rx_lock))
		return;
	drain_locked(io);
	spin_unlock(&io->rx_lock);
}

int console_io_getc(struct console_io *io)
{
	int c = -1;

	spin_lock(&io->rx_lock);
	drain_locked(io);
	if (io->rx_len) {
		c = io->rx_ring[io->rx_head];
		io->rx_head = ring_at(io, 1);
		io->rx_len--;
	}
	spin_unlock(&io->rx_lock);
	return c;
}

bool console_io_take(struct console_io *io, unsigned char c)
{
	unsigned int i;
	bool found;

	spin_lock(&io->rx_lock);
	drain_locked(io);
	for (i = 0; i < io->rx_len && io->rx_ring[ring_at(io, i)] != c; i++)
		;
	found = i < io->rx_len;
	if (found) {
		for (; i + 1 < io->rx_len; i++) /* close the gap: order kept */
			io->rx_ring[ring_at(io, i)] = io->rx_ring[ring_at(io, i + 1)];
		io->rx_len--;
	}
	spin_unlock(&io->rx_lock);
	return found;
}

/* Write @c once the transmitter has room, reading the receiver while it
 * waits; false if it stayed busy for UART_TX_POLLS polls. */
static bool tx_wait_put(struct console_io *io, char c)
{
	struct console *con = io->uart;

	for (u32 n = UART_TX_POLLS; !con->try_putc(con, c); n--) {
		if (!n)
			return false;
		drain_if_free(io);
	}
	return true;
}

/*
 * Put out @msg, the report of @n lost from *@count_of; false if the
 * transmitter is still busy for its first byte (the count stays for the
 * next try). A byte of the report that is dropped is told of by the next.
 */
static bool report(struct console_io *io, unsigned long *count_of, unsigned long n,
		   const char *msg, int len)
{
	if (!tx_wait_put(io, msg[0]))
		return false;
	for (int i = 1; i < len; i++)
		if (!tx_wait_put(io, msg[i]))
			count(&io->tx_dropped, 1);
	__atomic_fetch_sub(count_of, n, __ATOMIC_RELAXED);
	return true;
}

/*
 * Overruns are told of while the ring has room: with it full the UART is
 * left unread, so on a line without flow control the FIFO overflows again
 * at every poll, and a report before every output byte would leave the
 * output nothing but reports. One report, with the count, once a reader
 * has made room.
 */
static bool overrun_report_due(struct console_io *io)
{
	return __atomic_load_n(&io->rx_len, __ATOMIC_RELAXED) < CONSOLE_RX_RING &&
	       pending(&io->uart->rx_overruns);
}

/* Each pending report in turn; false if one could not start. */
static bool report_losses(struct console_io *io)
{
	char msg[112];
	unsigned long n;
	int len;

	if ((n = pending(&io->tx_dropped))) {
		len = ksnprintf(msg, sizeof(msg),
				"\r\n[console: %lu bytes lost: the transmitter stayed busy]\r\n", n);
		if (!report(io, &io->tx_dropped, n, msg, len))
			return false;
	}
	if (overrun_report_due(io)) {
		n = pending(&io->uart->rx_overruns);
		len = ksnprintf(msg, sizeof(msg),
				"\r\n[console: input bytes lost: the receiver overflowed %lu time%s]\r\n",
				n, n == 1 ? "" : "s");
		if (!report(io, &io->uart->rx_overruns, n, msg, len))
			return false;
	}
	return true;
}

static bool losses_pending(struct console_io *io)
{
	return pending(&io->tx_dropped) || overrun_report_due(io);
}

void console_io_putc(struct console_io *io, char c)
{
	if ((losses_pending(io) && !report_losses(io)) || !tx_wait_put(io, c))
		count(&io->tx_dropped, 1);
}
