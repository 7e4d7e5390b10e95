/*
 * line.c - the console line editor (the rules are in include/shell/line.h).
 *
 * One byte at a time: an escape sequence in progress gets the byte first;
 * a byte it does not take is handled as if no sequence had started. The
 * editor has no buffer of its own and reads no device, so it runs on the
 * host as it does in the kernel.
 */
#include <shell/line.h>

#define CTRL_C 0x03
#define CTRL_D 0x04
#define CTRL_U 0x15
#define CTRL_W 0x17
#define ESC 0x1b
#define DEL 0x7f

void line_editor_init(struct line_editor *ed, char *buf, size_t size,
		      void (*echo)(const char *s, size_t n))
{
	*ed = (struct line_editor){ .buf = buf, .size = size, .echo = echo };
	buf[0] = '\0';
}

static void echo(const struct line_editor *ed, const char *s, size_t n)
{
	if (ed->echo)
		ed->echo(s, n);
}

/* Erase the last character: one byte, or the whole UTF-8 sequence (lead
 * byte and continuation bytes 10xxxxxx) a terminal showed as one. */
static void erase_char(struct line_editor *ed)
{
	if (!ed->len)
		return;
	while (ed->len > 1 && ((unsigned char)ed->buf[ed->len - 1] & 0xc0) == 0x80)
		ed->len--;
	ed->len--;
	echo(ed, "\b \b", 3);
}

static bool last_is_space(const struct line_editor *ed)
{
	return ed->len && ed->buf[ed->len - 1] == ' ';
}

/* Ctrl-W: the spaces before the cursor, then the word before them. */
static void erase_word(struct line_editor *ed)
{
	while (last_is_space(ed))
		erase_char(ed);
	while (ed->len && !last_is_space(ed))
		erase_char(ed);
}

static void erase_line(struct line_editor *ed)
{
	while (ed->len)
		erase_char(ed);
}

/*
 * Advance the escape sequence in progress by @c. Returns true when @c is
 * part of it; false when the sequence ended without @c, which the caller
 * then handles as an ordinary byte.
 */
static bool escape_takes(struct line_editor *ed, unsigned char c)
{
	switch (ed->esc) {
	case LINE_ESC_START:
		ed->esc = c == '[' ? LINE_ESC_CSI_START : c == 'O' ? LINE_ESC_SS3 : LINE_ESC_NONE;
		return ed->esc != LINE_ESC_NONE;
	case LINE_ESC_CSI_START:
		if (c == '[') { /* the Linux console's F1-F5: ESC [ [ A-E */
			ed->esc = LINE_ESC_SS3;
			return true;
		}
		ed->esc = LINE_ESC_CSI;
		return escape_takes(ed, c);
	case LINE_ESC_CSI:
		if (c >= 0x20 && c <= 0x3f) /* a parameter or intermediate byte */
			return true;
		ed->esc = LINE_ESC_NONE;
		return c >= 0x40 && c <= 0x7e; /* the final byte */
	case LINE_ESC_SS3:
		ed->esc = LINE_ESC_NONE;
		return c >= 0x20 && c <= 0x7e;
	case LINE_ESC_NONE:
		break;
	}
	return false;
}

/* The line end: the result, and a fresh line for the next byte. */
static enum line_result end_line(struct line_editor *ed)
{
	enum line_result r = ed->too_long ? LINE_TOO_LONG : LINE_DONE;

	ed->ended = false;
	ed->buf[ed->too_long ? 0 : ed->len] = '\0';
	ed->len = 0;
	ed->too_long = false;
	echo(ed, "\n", 1);
	return r;
}

/* Ctrl-C: the line is dropped, whatever it held; a fresh line follows. */
static enum line_result cancel_line(struct line_editor *ed)
{
	ed->buf[0] = '\0';
	ed->len = 0;
	ed->too_long = false;
	echo(ed, "^C\n", 3);
	return LINE_CANCELLED;
}

/* A character for the line, or the start of dropping an over-long line. */
static void insert_char(struct line_editor *ed, char c)
{
	if (ed->len + 1 >= ed->size) {
		ed->too_long = true;
		return;
	}
	ed->buf[ed->len++] = c;
	echo(ed, &c, 1);
}

enum line_result line_editor_feed(struct line_editor *ed, unsigned char c)
{
	if (c == '\n' && ed->last_was_cr) { /* the LF of a CR LF pair */
		ed->last_was_cr = false;
		return LINE_MORE;
	}
	ed->last_was_cr = c == '\r';
	if (ed->esc != LINE_ESC_NONE && escape_takes(ed, c))
		return LINE_MORE;
	if (c == '\r' || c == '\n')
		return end_line(ed);
	if (c == CTRL_D) {
		enum line_result r = end_line(ed);

		ed->ended = true;
		return r;
	}
	if (c == CTRL_C)
		return cancel_line(ed);
	if (c == ESC)
		ed->esc = LINE_ESC_START;
	else if (ed->too_long)
		; /* dropped up to the line end */
	else if (c == '\b' || c == DEL)
		erase_char(ed);
	else if (c == CTRL_U)
		erase_line(ed);
	else if (c == CTRL_W)
		erase_word(ed);
	else if (c == '\t')
		insert_char(ed, ' ');
	else if (c >= ' ' && c != DEL) /* printable ASCII, or a byte above 0x7f */
		insert_char(ed, (char)c);
	return LINE_MORE;
}
