/*
 * report.c - RVMM_MALLOC_REPORT=FILE: rvmm's memory reports of a program's
 * heap, at its peak and at exit (docs/malloc.md, "Seeing the heap").
 *
 * What a program's memory went to is a question about its peak, and at
 * exit the peak is gone. So while reporting is on the shim calls
 * report_note_use after every allocation that went through its slow entry
 * (every allocation while reporting: malloc's fast path is closed then),
 * with the heap's bytes in use (its RAM less the page allocator's free
 * pages). When that exceeds the last snapshot's by more than
 * REPORT_STEP_MIN and 1/REPORT_STEP_FRACTION of it, the reports are
 * rendered again into the snapshot buffer: meminfo, buddyinfo, slabinfo
 * and kmalloc's slobinfo, as the kernel prints them. So the snapshot kept
 * was taken within that step below the highest use seen, and at most
 * a few hundred snapshots are taken on the way to a heap of gigabytes. At
 * exit report_write appends to FILE a header line, the snapshot and the
 * same reports as they are then; with RVMM_MALLOC_DEBUG=U, the objects still
 * allocated at exit follow, by who allocated them (report_traces: each
 * kmalloc cache's alloc_traces, a program's leaks).
 *
 * Rendering redirects kprintf to the buffer for the calling thread only
 * (report_sink): a message another thread prints meanwhile still goes to
 * standard error. The buffer is fixed; a report that does not fit ends
 * with a line saying so. Contract: report_note_use is called with the
 * caller's hart slot held (mm/ may be walked), report_write from the
 * destructor, when no other thread should be allocating.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#include <lib/kernel.h>
#include <lib/kstring.h>
#include <lib/spinlock.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/mm_report.h>
#include <mm/mmzone.h>
#include <mm/slab.h>
#include <mm/slob.h>

#include "report.h"
#include "../port/malloc.h"

#define REPORT_STEP_MIN (256ul << 10)
#define REPORT_STEP_FRACTION 32
#define REPORT_BYTES (64ul << 10)

struct report_buf {
	char text[REPORT_BYTES];
	size_t len;
	bool truncated;
};

static const char *report_path; /* NULL: reporting off */
static spinlock_t report_lock = SPINLOCK_INIT;
static struct report_buf peak_buf, traces_buf;
static unsigned long peak_use, snap_use, snap_calls;
static __thread struct report_buf *rendering; /* this thread's target, or NULL */

static void report_sink(const char *s, size_t n)
{
	struct report_buf *b = rendering;

	if (!b) { /* another thread's message: where it always goes */
		port_malloc_stderr_sink(s, n);
		return;
	}
	if (n > sizeof(b->text) - b->len) {
		n = sizeof(b->text) - b->len;
		b->truncated = true;
	}
	memcpy(b->text + b->len, s, n);
	b->len += n;
}

/* The reports into @b (emptied first). */
static void render(struct report_buf *b)
{
	b->len = 0;
	b->truncated = false;
	rendering = b;
	show_meminfo(mem_node);
	kprintf("buddyinfo:\n");
	show_buddyinfo(mem_node);
	show_slabinfo();
	show_slobinfo(&kmalloc_heap);
	rendering = NULL;
}

/* One cache's alloc_traces into the buffer being rendered, when it records
 * its users and has objects out (a debug cache has no magazines: every
 * object not on a slab's free list is the program's). */
static void cache_traces(struct kmem_cache *c, void *arg)
{
	(void)arg;
	if (!(c->flags & SLAB_STORE_USER) || c->nr_slabs * c->objs_per_slab == c->free_objects)
		return;
	kprintf("alloc_traces %s: %lu objects of %u bytes\n", c->name,
		c->nr_slabs * c->objs_per_slab - c->free_objects, c->object_size);
	kmem_cache_show_traces(c, false);
}

void report_traces(void (*more)(void))
{
	if (!report_path)
		return;
	traces_buf.len = 0;
	traces_buf.truncated = false;
	rendering = &traces_buf;
	slab_for_each_cache(cache_traces, NULL);
	more();
	rendering = NULL;
}

bool report_setup(const char *path)
{
	if (!path || !*path)
		return false;
	report_path = path;
	kprintf_set_sink(report_sink);
	return true;
}

/* Whether @in_use is more than a step above the last snapshot's. */
static bool snapshot_due(unsigned long in_use)
{
	return in_use > snap_use + MAX(REPORT_STEP_MIN, snap_use / REPORT_STEP_FRACTION);
}

void report_note_use(unsigned long in_use)
{
	unsigned long flags;

	if (!snapshot_due(in_use)) {
		if (in_use > peak_use)
			__atomic_store_n(&peak_use, in_use, __ATOMIC_RELAXED); /* (a statistic) */
		return;
	}
	flags = spin_lock_irqsave(&report_lock);
	if (in_use > peak_use)
		peak_use = in_use;
	if (snapshot_due(in_use)) { /* (again, under the lock) */
		render(&peak_buf);
		snap_use = in_use;
		snap_calls++;
	}
	spin_unlock_irqrestore(&report_lock, flags);
}

static void write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void write_buf(int fd, const struct report_buf *b)
{
	static const char cut[] = "(report truncated: the buffer is full)\n";

	write_all(fd, b->text, b->len);
	if (b->truncated)
		write_all(fd, cut, sizeof(cut) - 1);
}

void report_write(const char *name, int pid, const char *backend, unsigned long in_use)
{
	static struct report_buf exit_buf;
	char line[256];
	int fd, n;

	if (!report_path)
		return;
	render(&exit_buf);
	fd = open(report_path, O_WRONLY | O_APPEND | O_CREAT, 0644);
	if (fd < 0)
		return;
	n = ksnprintf(line, sizeof(line),
		      "rvmm-malloc report: %s pid %d backend %s: peak in use %lu KiB, "
		      "at exit %lu KiB\n== at the peak (in use %lu KiB; snapshot %lu)\n",
		      name, pid, backend, peak_use >> 10, in_use >> 10, snap_use >> 10, snap_calls);
	write_all(fd, line, (size_t)n);
	write_buf(fd, &peak_buf);
	n = ksnprintf(line, sizeof(line), "== at exit (in use %lu KiB)\n", in_use >> 10);
	write_all(fd, line, (size_t)n);
	write_buf(fd, &exit_buf);
	if (traces_buf.len) {
		static const char head[] =
			"== still allocated at exit, by who allocated them (RVMM_MALLOC_DEBUG=U; "
			"FILE+0xADDR: addr2line -f -e FILE 0xADDR)\n";

		write_all(fd, head, sizeof(head) - 1);
		write_buf(fd, &traces_buf);
	}
	close(fd);
}
