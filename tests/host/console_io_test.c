/*
 * console_io_test.c - the console's byte path (drivers/console_io.c) over a
 * model UART whose RX FIFO overflows, as a real board's does (QEMU's UARTs
 * hold the sender back instead, so only this model shows loss) (suite
 * "console_io").
 *
 * The model's clock is its status polls: every try_putc and getc is one.
 * A byte takes BYTE_POLLS polls on the line each way, so input arrives at
 * exactly the rate the transmitter sends (a terminal pasting at full line
 * rate while the kernel prints). The RX FIFO holds 16 bytes and sets OE
 * when one is dropped (a 16550; the model counts OE into rx_overruns as
 * uart8250.c's LSR reads do) or holds 8 and says nothing (SiFive). With
 * flow control (QEMU's chardevs) a byte waits while the FIFO is full
 * instead of being dropped.
 */
#include <stdio.h>
#include <string.h>

#include <drivers/console.h>
#include <tests/ktest.h>

#define BYTE_POLLS 16
#define MAX_IN (2 * CONSOLE_RX_RING)
#define MAX_OUT 65536
#define CTRL_C 0x03

static struct model_uart {
	struct console con;
	bool has_oe;        /* 16550: LSR OE; else SiFive: no flag */
	bool flow_control;  /* the sender waits for room (QEMU), else bytes drop */
	unsigned int depth; /* RX FIFO entries */
	unsigned char fifo[16];
	unsigned int fifo_head, fifo_len;
	bool oe; /* latched until the next status read */
	unsigned long now, tx_free_at, next_rx_at;
	char in[MAX_IN];
	size_t in_len, in_pos;
	unsigned long rx_dropped; /* bytes the FIFO had no room for */
	char out[MAX_OUT];
	size_t out_len;
} m;

static struct console_io io;

static void rx_arrive(unsigned char c)
{
	if (m.fifo_len == m.depth) {
		m.rx_dropped++;
		m.oe = m.has_oe;
		return;
	}
	m.fifo[(m.fifo_head + m.fifo_len) % m.depth] = c;
	m.fifo_len++;
}

/* One poll's time passes: input arrives. */
static void tick(void)
{
	m.now++;
	while (m.in_pos < m.in_len && m.now >= m.next_rx_at) {
		if (m.flow_control && m.fifo_len == m.depth) {
			m.next_rx_at = m.now + 1; /* held back: tried again next poll */
			break;
		}
		rx_arrive((unsigned char)m.in[m.in_pos++]);
		m.next_rx_at += BYTE_POLLS;
	}
}

/* One status poll: a tick, and OE read (which clears it). */
static void status_poll(void)
{
	tick();
	if (m.oe)
		m.con.rx_overruns++;
	m.oe = false;
}

static bool model_try_putc(struct console *con, char c)
{
	(void)con;
	status_poll();
	if (m.now < m.tx_free_at)
		return false;
	if (m.out_len < MAX_OUT)
		m.out[m.out_len++] = c;
	m.tx_free_at = m.now + BYTE_POLLS;
	return true;
}

static int model_getc(struct console *con)
{
	int c;

	(void)con;
	status_poll();
	if (!m.fifo_len)
		return -1;
	c = m.fifo[m.fifo_head];
	m.fifo_head = (m.fifo_head + 1) % m.depth;
	m.fifo_len--;
	return c;
}

/* A fresh model and console; @input starts arriving now. */
static void model_init(bool is_16550, const char *input, size_t len)
{
	memset(&m, 0, sizeof(m));
	m.has_oe = is_16550;
	m.depth = is_16550 ? 16 : 8;
	m.con.try_putc = model_try_putc;
	m.con.getc = model_getc;
	memcpy(m.in, input, len);
	m.in_len = len;
	m.next_rx_at = BYTE_POLLS;
	io = (struct console_io)CONSOLE_IO_INIT(&m.con);
}

/* Time passing with nobody at the console (a computation that prints
 * nothing and reads nothing). */
static void model_idle(unsigned long polls)
{
	while (polls--)
		tick();
}

/* 50 command lines as a terminal sends them (CR ends each). */
static size_t paste_block(char *buf, size_t size)
{
	size_t n = 0;

	for (int i = 0; i < 50; i++)
		n += (size_t)snprintf(buf + n, size - n, "echo pasted line %02d of the block\r", i);
	return n;
}

/* Output longer than the paste takes to arrive. */
static size_t long_text(char *buf, size_t size)
{
	size_t n = 0;

	for (int i = 0; n + 64 < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "  output line %04d: some command's long report\n", i);
	return n;
}

/* Read the console's input until @want bytes came or it stays empty for
 * a while; the number read. */
static size_t read_input(char *buf, size_t want)
{
	size_t n = 0;
	int idle = 0;

	while (n < want && idle < 4 * BYTE_POLLS) {
		int c = console_io_getc(&io);

		if (c < 0) {
			idle++;
			continue;
		}
		idle = 0;
		buf[n++] = (char)c;
	}
	return n;
}

static void print(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		console_io_putc(&io, s[i]);
}

static char paste[MAX_IN], text[16384], got[MAX_IN];

/* The block pasted while the console prints comes out whole and in order,
 * and the output is exactly the text (no report). */
static void paste_while_printing(struct ktest *t, bool is_16550)
{
	size_t paste_len = paste_block(paste, sizeof(paste));
	size_t text_len = long_text(text, sizeof(text));
	size_t n;

	ASSERT(text_len > paste_len + 1000);
	model_init(is_16550, paste, paste_len);
	print(text, text_len);
	EXPECT_EQ(m.in_pos, paste_len); /* all of it arrived while printing */
	n = read_input(got, paste_len);
	EXPECT_EQ(m.rx_dropped, 0);
	ASSERT_EQ(n, paste_len);
	EXPECT(memcmp(got, paste, paste_len) == 0);
	ASSERT_EQ(m.out_len, text_len);
	EXPECT(memcmp(m.out, text, text_len) == 0);
}

static void paste_while_printing_16550(struct ktest *t)
{
	paste_while_printing(t, true);
}

static void paste_while_printing_sifive(struct ktest *t)
{
	paste_while_printing(t, false);
}

/* A Ctrl-C in the middle of the paste is found while output streams (as
 * shell_interrupted asks between batches); every other byte stays input,
 * in order, and only the first Ctrl-C is taken. */
static void ctrl_c_while_printing(struct ktest *t)
{
	static const char input[] = "stress 1T\r\003echo next\r\003echo last\r";
	static const char rest[] = "stress 1T\recho next\r\003echo last\r";
	size_t text_len = long_text(text, sizeof(text));
	size_t n;

	model_init(false, input, sizeof(input) - 1);
	print(text, text_len / 2);
	EXPECT(console_io_take(&io, CTRL_C));
	print(text + text_len / 2, text_len - text_len / 2);
	n = read_input(got, sizeof(rest) - 1);
	ASSERT_EQ(n, sizeof(rest) - 1);
	EXPECT(memcmp(got, rest, n) == 0);
	EXPECT_EQ(console_io_getc(&io), -1);
	EXPECT_EQ(m.rx_dropped, 0);
}

/* Input that arrives while nobody reads overflows the 16550's FIFO: the
 * oldest bytes are kept, and the next output starts with the report. (A
 * SiFive UART cannot say: it has no overrun flag.) */
static void overrun_reported_16550(struct ktest *t)
{
	static const char want[] =
		"\r\n[console: input bytes lost: the receiver overflowed 1 time]\r\nx";
	size_t len = paste_block(paste, sizeof(paste));
	size_t n;

	model_init(true, paste, len);
	model_idle(40 * BYTE_POLLS);
	m.in_len = m.in_pos; /* the sender stops */
	n = read_input(got, len);
	EXPECT_EQ(n, m.depth);
	EXPECT(memcmp(got, paste, n) == 0);
	EXPECT(m.rx_dropped > 0);
	console_io_putc(&io, 'x');
	m.out[m.out_len] = '\0';
	EXPECT_STREQ(m.out, want);
	m.out_len = 0;
	console_io_putc(&io, 'y'); /* told once */
	EXPECT_EQ(m.out_len, 1);
}

/* More input than the ring holds while the console prints. With flow
 * control (QEMU: make run's pipe, a pty) the ring fills, the UART is left
 * unread and the sender waits: every byte comes out, in order, once the
 * reader takes them (reading the UART on past a full ring lost all but the
 * first CONSOLE_RX_RING bytes of a long script piped into make run). On a
 * 16550 line without it, the FIFO overflows behind the full ring and OE
 * says so. */
static void ring_full_holds_input_back(struct ktest *t)
{
	static char big_text[MAX_OUT - 1024];
	static const char overrun[] = "\r\n[console: input bytes lost: the receiver overflowed ";
	size_t in_len = 2 * CONSOLE_RX_RING, text_len = long_text(big_text, sizeof(big_text));
	size_t n;

	ASSERT(in_len <= MAX_IN);
	for (size_t i = 0; i < in_len; i++)
		paste[i] = (char)('a' + i % 26);
	model_init(true, paste, in_len);
	m.flow_control = true;
	print(big_text, text_len);
	ASSERT_EQ(m.out_len, text_len);
	EXPECT(memcmp(m.out, big_text, text_len) == 0);
	EXPECT(m.in_pos < in_len); /* the sender was held back */
	n = read_input(got, in_len);
	ASSERT_EQ(n, in_len);
	EXPECT(memcmp(got, paste, n) == 0);
	EXPECT_EQ(m.rx_dropped, 0);
	EXPECT_EQ(m.con.rx_overruns, 0);

	model_init(true, paste, in_len); /* no flow control */
	print(big_text, text_len);
	ASSERT_EQ(m.in_pos, in_len);
	EXPECT(m.rx_dropped > 0);
	ASSERT_EQ(m.out_len, text_len); /* no report while the ring stays full */
	EXPECT(memcmp(m.out, big_text, text_len) == 0);
	n = read_input(got, in_len);
	ASSERT(n >= CONSOLE_RX_RING);
	EXPECT(memcmp(got, paste, CONSOLE_RX_RING) == 0); /* the ring's, in order */
	m.out_len = 0;
	console_io_putc(&io, '.'); /* room again: one report, then the byte */
	m.out[m.out_len] = '\0';
	EXPECT(strncmp(m.out, overrun, sizeof(overrun) - 1) == 0);
	EXPECT(m.out_len > 2 && m.out[m.out_len - 1] == '.' && m.out[m.out_len - 2] == '\n');
	m.out_len = 0;
	console_io_putc(&io, ','); /* told once */
	EXPECT_EQ(m.out_len, 1);
}

KTEST_SUITE(console_io, KTEST_CASE(paste_while_printing_16550),
	    KTEST_CASE(paste_while_printing_sifive), KTEST_CASE(ctrl_c_while_printing),
	    KTEST_CASE(overrun_reported_16550),
	    KTEST_CASE(ring_full_holds_input_back));
