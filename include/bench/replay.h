/*
 * replay.h - replaying Linux kmem traces against rvmm's allocators
 * (bench/replay.c; docs/replay.md).
 *
 * The input is the text of an ftrace trace, as /sys/kernel/tracing/trace
 * (or trace_pipe) or `trace-cmd report` print it. Six events are replayed:
 *
 *   kmalloc, kmalloc_node                 -> kmalloc(bytes_req)
 *   kmem_cache_alloc, kmem_cache_alloc_node -> kmem_cache_alloc on a cache
 *                                            of the trace's name= (or of
 *                                            bytes_req when there is none)
 *   kfree, kmem_cache_free                -> kfree / kmem_cache_free
 *   mm_page_alloc                         -> alloc_pages(order)
 *   mm_page_free                          -> __free_pages(order)
 *
 * Trace pointers (ptr=, and pfn= or page= for page events) are mapped to
 * live objects in a hash table whose memory comes from the page allocator.
 * Every object is filled with a pattern of its own when allocated and
 * checked when freed. The portable core runs on the target (the `replay`
 * command, over the initrd) and on the host (tests/host/replay_test.c).
 *
 * Counting:
 *   events   lines of one of the six events that were understood;
 *   unknown  lines that are not understood: a line that is no comment, no
 *            known header and no well-formed event line, a line of one of
 *            the six events lacking a field it needs, and a last line cut
 *            short (no newline at the end of the trace: never applied);
 *   errors   events that could not be applied as the trace says: a free of
 *            a pointer that is not live (never allocated in the trace, or
 *            freed already: a double free), an allocation that failed, an
 *            allocation of a pointer that is still live (its free is missing
 *            from the trace: the old object is freed first), a page free
 *            with another order than the allocation's, and an object whose
 *            pattern changed while it was allocated. An event counts once
 *            however many of these it hits (each is reported), so no kind
 *            has more errors than events.
 * Other events (sched_switch, mm_page_pcpu_drain, ...) are skipped and
 * counted in skipped_events; blank lines, comments (#) and trace-cmd's
 * header lines in ignored_lines. Every line is counted once:
 * lines = events + unknown + skipped_events + ignored_lines, where lines is
 * the number of LF characters plus one for a last line without one (a
 * gzip-compressed trace is refused as one unknown line).
 */
#ifndef RVMM_REPLAY_H
#define RVMM_REPLAY_H

#include <lib/kernel.h>

enum replay_kind {
	RK_KMALLOC,
	RK_KFREE,
	RK_CACHE_ALLOC,
	RK_CACHE_FREE,
	RK_PAGE_ALLOC,
	RK_PAGE_FREE,
	RK_NR
};

/* Line reports ("replay: line N: ...") printed at most; more are counted. */
#define REPLAY_MAX_REPORTS 20

/* Lines replayed between two calls of replay_opts.stop. */
#define REPLAY_STOP_POLL 4096

struct replay_opts {
	unsigned int max_reports; /* 0: REPLAY_MAX_REPORTS */
	/* NULL, or called every REPLAY_STOP_POLL lines: true ends the replay
	 * there (r->interrupted); what it left allocated is freed as at the
	 * end of a trace. */
	bool (*stop)(void);
};

struct replay_kind_stats {
	u64 events;   /* events of this kind read */
	u64 failed;   /* of them, errors */
	u64 measured; /* allocator calls measured */
	u64 insns;    /* instructions inside those calls (calibrated) */
};

struct replay_result {
	u64 bytes, lines;
	u64 events, unknown, errors;
	u64 skipped_events; /* other events, not replayed */
	u64 ignored_lines;  /* blank, comments, trace-cmd headers */
	u64 reports;        /* line reports (printed or not) */
	bool interrupted;   /* opts->stop ended the replay after `lines` lines */
	struct replay_kind_stats kind[RK_NR];
	bool have_insns;    /* insns were counted (rdinstret: target only) */
	u64 rdinstret_cost; /* the calibration subtracted from each call */
	unsigned long peak_pages; /* most pages taken from the page allocator */
	/* At the end of the trace, before the leftovers are freed: */
	u64 live_objects, live_bytes, live_blocks, live_block_pages;
	unsigned long free_pages, largest_free_pages, max_order_free_pages;
	unsigned int caches; /* kmem_caches created for the trace */
};

/*
 * Replay the trace text buf[0..len) on the running node. Prints the line
 * reports, a line per event kind and the state at the end of the trace;
 * not the summary (replay_print_summary). Everything the trace left
 * allocated is checked and freed at the end and the caches made for it
 * destroyed. Returns 0, or -ENOMEM when even the replayer's own state could
 * not be allocated.
 */
int replay_run(const char *buf, size_t len, const struct replay_opts *opts,
	       struct replay_result *r);

/* "replay: events=N unknown=U errors=E peak_kb=P" */
void replay_print_summary(const struct replay_result *r);

extern const char *const replay_kind_names[RK_NR];

#endif
