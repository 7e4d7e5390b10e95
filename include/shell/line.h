/*
 * line.h - the console line editor: bytes in, one command line out.
 *
 * The editor knows no device: the shell feeds it the bytes it reads and
 * hands it a function that echoes to the console, so the host tests feed it
 * byte strings. Editing:
 *   - CR, LF and CR LF each end a line (the LF of a CR LF pair is skipped,
 *     also when the CR ended the previous line);
 *   - backspace (0x08) and DEL (0x7f) erase the last character (a UTF-8
 *     sequence whole), Ctrl-W the word before the cursor and the spaces
 *     after it, Ctrl-U the whole line;
 *   - Ctrl-C (0x03) drops the line, whatever it holds (also one being
 *     dropped as too long): LINE_CANCELLED with an empty buffer, echoed
 *     as "^C" and a newline;
 *   - Tab is stored as a space (it separates arguments);
 *   - Ctrl-D (0x04) ends the input: it ends the line as a line end does,
 *     with `ended` set (the shell runs what the line holds, then stops);
 *   - escape sequences are parsed whole and dropped: ESC [ parameter bytes
 *     (0x30-0x3f), intermediate bytes (0x20-0x2f), one final byte
 *     (0x40-0x7e); ESC O and one printable byte; ESC [ [ and one printable
 *     byte (the Linux console's F1-F5). ESC followed by any other
 *     byte drops the ESC and handles that byte as usual. A byte that cannot
 *     continue a sequence (a control byte such as CR or LF) ends it and is
 *     handled as usual, so a broken sequence never swallows a line end;
 *   - bytes above 0x7f (UTF-8, Latin-1) are kept as typed: dropped, a
 *     no-break space would join two words into one; the caller decides
 *     what a line that is not ASCII means (the shell refuses it);
 *   - other control bytes (NUL, which telnet sends after CR, too) are
 *     dropped.
 * A line that does not fit (more than size - 1 characters) is not returned:
 * from the character that did not fit to the line end every byte is
 * dropped, and the line ends as LINE_TOO_LONG with an empty buffer.
 */
#ifndef RVMM_SHELL_LINE_H
#define RVMM_SHELL_LINE_H

#include <lib/kernel.h>

enum line_escape { LINE_ESC_NONE, LINE_ESC_START, LINE_ESC_CSI_START, LINE_ESC_CSI, LINE_ESC_SS3 };

struct line_editor {
	char *buf;   /* size bytes */
	size_t size; /* at least 1 */
	size_t len;  /* characters of the line so far */
	void (*echo)(const char *s, size_t n); /* NULL: no echo */
	enum line_escape esc;
	bool last_was_cr; /* kept across lines */
	bool too_long;    /* a character did not fit: the line is being dropped */
	bool ended;       /* the line just returned was ended by Ctrl-D */
};

enum line_result {
	LINE_MORE,     /* the line goes on */
	LINE_DONE,     /* buf holds the line, NUL terminated, without its end */
	LINE_TOO_LONG, /* the line did not fit in size - 1 characters; buf is "" */
	LINE_CANCELLED, /* Ctrl-C dropped the line; buf is "" */
};

/* An editor writing lines into buf[0..size), size >= 1. */
void line_editor_init(struct line_editor *ed, char *buf, size_t size,
		      void (*echo)(const char *s, size_t n));
/* Take one byte. On LINE_DONE and LINE_TOO_LONG buf holds the result until
 * the next call, which starts a new line. */
enum line_result line_editor_feed(struct line_editor *ed, unsigned char c);

#endif
