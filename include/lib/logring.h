/*
 * logring.h - a ring of the last bytes of text written: kprintf's output
 * kept for the console's dmesg.
 *
 * Positions count every byte ever appended (a u64 never wraps in practice),
 * so a reader holds a position and learns, by comparing it with
 * log_ring_first, whether the bytes it wanted were overwritten meanwhile.
 * The caller serialises appends with reads (the console lock).
 */
#ifndef RVMM_LOGRING_H
#define RVMM_LOGRING_H

#include <lib/kernel.h>

struct log_ring {
	char *buf;
	size_t size;   /* > 0 */
	u64 written;   /* bytes ever appended */
	u64 cleared;   /* position of the last log_ring_clear (0: never) */
};

#define LOG_RING_INIT(array) { (array), sizeof(array), 0, 0 }

/* Append @n bytes of @s; beyond the ring's size the oldest bytes go. */
void log_ring_append(struct log_ring *r, const char *s, size_t n);

/* The oldest position a reader should start at: the last clear, or once
 * the ring has wrapped, the start of the oldest whole line it holds (the
 * partial line the wrap cut is skipped; a ring that holds no newline at all
 * starts at its oldest byte). */
u64 log_ring_first(const struct log_ring *r);

/* Copy the bytes from *@pos (moved up to log_ring_first if it fell behind)
 * up to @end or @max bytes, whichever comes first, into @out; *@pos moves
 * past them. Returns the number copied (0 at @end). */
size_t log_ring_read(const struct log_ring *r, u64 *pos, u64 end, char *out, size_t max);

/* Forget what the ring holds: log_ring_first is now the newest position. */
void log_ring_clear(struct log_ring *r);

#endif
