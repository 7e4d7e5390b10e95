/*
 * logring.c - the text ring of include/lib/logring.h.
 *
 * The byte at position p lives at buf[p % size]; the ring holds positions
 * [written - size, written) once it has wrapped, [0, written) before. The
 * oldest whole line is found by scanning the held bytes for the first
 * newline, so a reader never starts in the middle of a line the wrap cut.
 * Nothing here depends on the rest of the system: no allocation, no lock,
 * no output.
 */
#include <lib/kstring.h>
#include <lib/logring.h>

void log_ring_append(struct log_ring *r, const char *s, size_t n)
{
	if (n > r->size) { /* only the last size bytes can stay */
		r->written += n - r->size;
		s += n - r->size;
		n = r->size;
	}
	while (n) {
		size_t at = (size_t)(r->written % r->size), chunk = MIN(n, r->size - at);

		memcpy(r->buf + at, s, chunk);
		r->written += chunk;
		s += chunk;
		n -= chunk;
	}
}

u64 log_ring_first(const struct log_ring *r)
{
	u64 oldest;

	if (r->written <= r->size)
		return r->cleared;
	oldest = r->written - r->size;
	if (r->cleared >= oldest)
		return r->cleared;
	for (u64 p = oldest; p < r->written; p++)
		if (r->buf[p % r->size] == '\n')
			return p + 1;
	return oldest;
}

size_t log_ring_read(const struct log_ring *r, u64 *pos, u64 end, char *out, size_t max)
{
	u64 held = r->written > r->size ? r->written - r->size : 0;
	size_t n = 0;

	if (end > r->written)
		end = r->written;
	if (*pos < held || *pos < r->cleared) /* (the scan only when behind) */
		*pos = log_ring_first(r);
	while (*pos < end && n < max)
		out[n++] = r->buf[(*pos)++ % r->size];
	return n;
}

void log_ring_clear(struct log_ring *r)
{
	r->cleared = r->written;
}
