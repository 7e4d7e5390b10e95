/*
 * replay_test.c - host tests of the kmem trace replayer (bench/replay.c)
 * and of giving reserved memory back (mm/reserved.c), over fake RAM (suite
 * "replay").
 *
 * The trace cases replay the hand-written traces of tests/replay/ (read
 * from the working directory, the repository's top: tests/qemu/host.sh runs
 * from there). Each trace carries its expectations in comment lines, which
 * the replayer skips:
 *     # expect: replay: line 17: kfree: ptr 0xffff888100001000 was never allocated in the trace
 *     # expect: replay: events=12 unknown=1 errors=2 peak_kb=*
 * An expectation matches an output line that starts with it and either
 * ends there or goes on after a blank (so "replay: kind=kmalloc events=3
 * errors=0" matches on the target too, where " insns=N" follows); '*'
 * stands for a number. Every expectation must match; the output must hold
 * exactly as many "replay: line" reports as there are expectations of
 * them, end with the line the "replay: events=" expectation matches, and
 * hold nothing but "replay:" lines (an allocator complaining would show).
 * tests/qemu/replay-checks.sh checks the same expectations on the target.
 *
 * Fixture: 64 MiB of fake RAM, a fresh kmalloc heap and no kmalloc-N cache
 * (kmalloc=slab). Afterwards the replayer must have left nothing behind:
 * once the kmalloc-N caches it made are destroyed, no slab page is held,
 * the buddy allocator passes node_check, and the free page count is back
 * to its value before the replay (less the one empty page the slab
 * metadata heap may keep).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mm/kmalloc.h>
#include <lib/kstring.h>
#include <tests/ktest.h>
#include <mm/memblock.h>
#include <mm/mm.h>
#include <mm/mmzone.h>
#include <bench/replay.h>
#include <mm/slab.h>
#include <mm/slob.h>
#include "fakeram.h"
#include "host.h"

#define RAM 0x80000000ull
#define RAM_SIZE (64ull << 20)

struct fx {
	struct fakeram *fr;
	unsigned long free0, pages0;
	struct replay_result r;
	char out[65536];
};

static struct fx fx;
static struct slob_heap saved_kmalloc_heap;
static enum kmalloc_backend saved_backend;
static struct kmem_cache *saved_caches[KMALLOC_NR_CACHES];

static bool fx_setup(struct ktest *t)
{
	struct fx *f = &fx;

	memset(f, 0, sizeof(*f));
	f->fr = fakeram_new(RAM, RAM_SIZE);
	if (!f->fr || memblock_add(&f->fr->mb, RAM, RAM_SIZE) ||
	    fakeram_node_init(f->fr, &(struct zone_limits){ 0, 0x100000, false })) {
		ktest_fail(t, __FILE__, __LINE__, "no fake RAM");
		fakeram_done(f->fr);
		f->fr = NULL;
		return false;
	}
	saved_kmalloc_heap = kmalloc_heap;
	saved_backend = kmalloc_backend;
	memcpy(saved_caches, kmalloc_caches, sizeof(saved_caches));
	memset(kmalloc_caches, 0, sizeof(kmalloc_caches));
	kmalloc_set_backend(KMALLOC_SLAB);
	kmalloc_init();
	node_drain_pages(mem_node);
	f->free0 = nr_free_pages();
	f->pages0 = slab_pages;
	return true;
}

static void fx_teardown(struct ktest *t)
{
	struct fx *f = &fx;
	unsigned long meta;

	for (int i = 0; i < KMALLOC_NR_CACHES; i++) {
		if (kmalloc_caches[i]) {
			EXPECT_EQ(kmem_cache_check(kmalloc_caches[i]), 0);
			kmalloc_destroy_cache(i);
		}
	}
	EXPECT_EQ(slab_pages, f->pages0);
	EXPECT_EQ(slob_heap_destroy(&kmalloc_heap), 0);
	node_drain_pages(mem_node);
	meta = slab_held_pages() - slab_pages;
	EXPECT(meta <= 1);
	EXPECT_EQ(nr_free_pages() + meta, f->free0);
	EXPECT_EQ(node_check(mem_node), 0);
	kmalloc_heap = saved_kmalloc_heap;
	memcpy(kmalloc_caches, saved_caches, sizeof(saved_caches));
	kmalloc_set_backend(saved_backend); /* after the caches: it republishes them */
	fakeram_done(f->fr);
	f->fr = NULL;
}

/* Replay buf[0..len) in the fixture, output in fx.out. */
static int replay_captured(const char *buf, size_t len, const struct replay_opts *o)
{
	struct fr_capture cap;
	int rc;

	fr_capture_start(&cap);
	rc = replay_run(buf, len, o, &fx.r);
	if (rc == 0)
		replay_print_summary(&fx.r);
	fr_capture_end(&cap, fx.out, sizeof(fx.out));
	return rc;
}

static void show_output(struct ktest *t)
{
	if (t->failures)
		printf("# output of the replay:\n%s", fx.out);
}

/* --- expectations ------------------------------------------------------------ */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* @pat matches the start of @line up to its end or a blank; '*' in @pat
 * matches one or more digits. */
static bool match_prefix(const char *pat, size_t plen, const char *line, size_t llen)
{
	size_t i = 0, j = 0;

	while (i < plen) {
		if (pat[i] == '*') {
			size_t k = j;

			while (k < llen && is_digit(line[k]))
				k++;
			if (k == j)
				return false;
			j = k;
		} else if (j >= llen || line[j] != pat[i]) {
			return false;
		} else {
			j++;
		}
		i++;
	}
	return j == llen || line[j] == ' ';
}

static bool starts(const char *s, size_t n, const char *lit)
{
	return n >= strlen(lit) && memcmp(s, lit, strlen(lit)) == 0;
}

/* Does some line of @out match @pat? Sets *last if the last line does. */
static bool output_has(const char *out, const char *pat, size_t plen, bool *last)
{
	bool found = false;

	*last = false;
	for (const char *p = out; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		bool m = match_prefix(pat, plen, p, n);

		found |= m;
		p += n + (nl != NULL);
		if (!*p)
			*last = m;
	}
	return found;
}

static bool has(const char *lit)
{
	bool last;

	return output_has(fx.out, lit, strlen(lit), &last);
}

static bool has_last(const char *lit)
{
	bool last;

	return output_has(fx.out, lit, strlen(lit), &last) && last;
}

static char *load(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	*len = (size_t)n;
	return buf; /* exactly the file: ASan sees a read past its end */
}

/* Check fx.out against the "# expect: " lines of the trace. */
static void check_expectations(struct ktest *t, const char *name, const char *buf, size_t len)
{
	static const char tag[] = "# expect: ";
	int expected_reports = 0, reports = 0, summaries = 0;

	for (const char *p = buf, *end = buf + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (starts(p, n, tag)) {
			const char *pat = p + strlen(tag);
			size_t plen = n - strlen(tag);
			bool last;

			if (!output_has(fx.out, pat, plen, &last))
				ktest_fail(t, __FILE__, __LINE__, "%s: no output line matches '%.*s'", name,
					   (int)plen, pat);
			if (starts(pat, plen, "replay: line "))
				expected_reports++;
			if (starts(pat, plen, "replay: events=")) {
				summaries++;
				if (!last)
					ktest_fail(t, __FILE__, __LINE__,
						   "%s: the last output line is not '%.*s'", name, (int)plen, pat);
			}
		}
		p += n + 1;
	}
	EXPECT_EQ(summaries, 1);
	for (const char *p = fx.out; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (starts(p, n, "replay: line "))
			reports++;
		if (!starts(p, n, "replay: "))
			ktest_fail(t, __FILE__, __LINE__, "%s: unexpected output '%.*s'", name, (int)n, p);
		p += n + (nl != NULL);
	}
	EXPECT_EQ(reports, expected_reports);
}

static void trace_case(struct ktest *t, const char *name)
{
	char path[256];
	size_t len;
	char *buf;

	snprintf(path, sizeof(path), "tests/replay/%s.txt", name);
	buf = load(path, &len);
	if (!buf) {
		ktest_fail(t, __FILE__, __LINE__, "cannot read %s (run from the repository's top)", path);
		return;
	}
	if (fx_setup(t)) {
		EXPECT_EQ(replay_captured(buf, len, NULL), 0);
		EXPECT(!fx.r.have_insns);
		check_expectations(t, name, buf, len);
		show_output(t);
		fx_teardown(t);
	}
	free(buf);
}

#define TRACE_CASE(name)                      \
	static void trace_##name(struct ktest *t) \
	{                                     \
		trace_case(t, #name);         \
	}

TRACE_CASE(tracefs)
TRACE_CASE(report)
TRACE_CASE(errors)
TRACE_CASE(unknown)
TRACE_CASE(truncated)
TRACE_CASE(pages)
TRACE_CASE(many_errors)

/* --- a large synthetic trace -------------------------------------------------- */

struct sbuf {
	char *p;
	size_t len, cap;
};

static void __printf(2, 3) sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->cap - b->len < 512) {
		b->cap = b->cap ? b->cap * 2 : 1 << 20;
		b->p = realloc(b->p, b->cap);
	}
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static unsigned int stop_polls;

/* A stop check that says stop on its third call (lines 0 and 4096 go on). */
static bool stop_at_third_poll(void)
{
	return ++stop_polls == 3;
}

/*
 * 30000 events, valid by construction: a table of 1500 slots, each step
 * frees an occupied slot or fills an empty one with a kmalloc (8..3000
 * bytes), a cache object (3 caches) or pages (order 0..3). Pointers are the
 * slot's address plus a generation step, so freed pointers come back later
 * (the table's tombstones are revived) and the table grows past its first
 * size. Everything left is freed at the end. Then the same trace again,
 * stopped after 8192 lines by replay_opts.stop.
 */
static void synthetic(struct ktest *t)
{
	enum { SLOTS = 1500, STEPS = 30000 };
	static const char *const names[] = { "dentry", "filp", "buffer_head" };
	static const unsigned int sizes[] = { 192, 256, 104 };
	static struct {
		int kind; /* 0 empty, 1 kmalloc, 2 cache, 3 pages */
		unsigned int cache, order;
		u64 key;
	} slots[SLOTS];
	struct sbuf b = { 0 };
	u64 rng = 12345, events = 0;

	memset(slots, 0, sizeof(slots));
	sb_printf(&b, "# tracer: nop\n");
	for (int step = 0; step < STEPS; step++) {
		unsigned int i = (unsigned int)(fr_rand(&rng) % SLOTS);
		u64 r = fr_rand(&rng);

		sb_printf(&b, "  synth-%d [%03d] ..... %d.%06d: ", step % 100, step % 4, 100 + step / 1000000,
			  step % 1000000);
		if (slots[i].kind == 1)
			sb_printf(&b, "kfree: call_site=x+0x1/0x2 ptr=%llx\n", (unsigned long long)slots[i].key);
		else if (slots[i].kind == 2)
			sb_printf(&b, "kmem_cache_free: call_site=x+0x1/0x2 ptr=%llx name=%s\n",
				  (unsigned long long)slots[i].key, names[slots[i].cache]);
		else if (slots[i].kind == 3)
			sb_printf(&b, "mm_page_free: pfn=0x%llx order=%u\n",
				  (unsigned long long)slots[i].key, slots[i].order);
		if (slots[i].kind) {
			slots[i].kind = 0;
			events++;
			continue;
		}
		slots[i].kind = 1 + (int)(r % 3);
		/* up to 8 generations of pointer per slot */
		slots[i].key = 0xffff888100000000ull + (u64)i * 0x10000 + ((r >> 8) % 8) * 0x2000;
		if (slots[i].kind == 1) {
			sb_printf(&b, "kmalloc: call_site=x+0x1/0x2 ptr=%llx bytes_req=%u bytes_alloc=0 "
				  "gfp_flags=GFP_KERNEL\n", (unsigned long long)slots[i].key,
				  8 + (unsigned int)((r >> 16) % 2993));
		} else if (slots[i].kind == 2) {
			slots[i].cache = (unsigned int)((r >> 16) % 3);
			sb_printf(&b, "kmem_cache_alloc: call_site=x+0x1/0x2 ptr=%llx name=%s bytes_req=%u "
				  "bytes_alloc=%u gfp_flags=GFP_KERNEL\n", (unsigned long long)slots[i].key,
				  names[slots[i].cache], sizes[slots[i].cache], sizes[slots[i].cache]);
		} else {
			slots[i].order = (unsigned int)((r >> 16) % 4);
			slots[i].key = 0x100000 + (u64)i * 16 + ((r >> 8) % 2) * 8;
			sb_printf(&b, "mm_page_alloc: pfn=0x%llx order=%u migratetype=0 "
				  "gfp_flags=GFP_KERNEL\n", (unsigned long long)slots[i].key, slots[i].order);
		}
		events++;
	}
	if (fx_setup(t)) {
		char want[96];

		EXPECT_EQ(replay_captured(b.p, b.len, NULL), 0);
		EXPECT_EQ(fx.r.events, events);
		EXPECT_EQ(fx.r.unknown, 0);
		EXPECT_EQ(fx.r.errors, 0);
		EXPECT_EQ(fx.r.caches, 3);
		EXPECT(fx.r.peak_pages > 0);
		EXPECT(fx.r.live_objects + fx.r.live_blocks > 0);
		ksnprintf(want, sizeof(want), "replay: events=%llu unknown=0 errors=0 peak_kb=*",
			  (unsigned long long)events);
		EXPECT(has_last(want));
		show_output(t);
		fx_teardown(t);
	}
	/* Stopped half way (Ctrl-C at the console): the replay ends at a
	 * poll, says where, and still frees everything (fx_teardown). */
	stop_polls = 0;
	if (fx_setup(t)) {
		const struct replay_opts o = { .stop = stop_at_third_poll };

		EXPECT_EQ(replay_captured(b.p, b.len, &o), 0);
		EXPECT(fx.r.interrupted);
		EXPECT_EQ(stop_polls, 3);
		EXPECT_EQ(fx.r.lines, 2 * REPLAY_STOP_POLL);
		EXPECT(fx.r.events < events);
		EXPECT(fx.r.live_objects + fx.r.live_blocks > 0);
		EXPECT(has("replay: interrupted after 8192 lines"));
		show_output(t);
		fx_teardown(t);
	}
	free(b.p);
}

/* Options: the report cap; a gzip-compressed trace; an empty one. */
static void odd_inputs(struct ktest *t)
{
	static const char gz[] = "\x1f\x8b\x08\x00garbage\n";
	static const char bad[] = "x\ny\nz\n";
	struct replay_opts o = { .max_reports = 2 };

	if (!fx_setup(t))
		return;
	EXPECT_EQ(replay_captured(bad, sizeof(bad) - 1, &o), 0);
	EXPECT_EQ(fx.r.unknown, 3);
	EXPECT_EQ(fx.r.reports, 3);
	EXPECT(has("replay: line 2: not a trace event line"));
	EXPECT(!has("replay: line 3:"));
	EXPECT(has("replay: 1 more line reports not shown"));

	EXPECT_EQ(replay_captured(gz, sizeof(gz) - 1, NULL), 0);
	EXPECT_EQ(fx.r.unknown, 1);
	EXPECT(has("replay: line 1: the trace is gzip-compressed: gunzip it first"));

	EXPECT_EQ(replay_captured("", 0, NULL), 0);
	EXPECT(has_last("replay: events=0 unknown=0 errors=0 peak_kb=0"));
	show_output(t);
	fx_teardown(t);
}

/*
 * An event with two problems is one error: a kmalloc at a pointer a cache
 * object still holds (its free is missing: the object is freed first) whose
 * own allocation then fails prints both reports and counts one error, of
 * kind kmalloc, so no kind has more errors than events (it counted 2 errors
 * in 1 event; replay_fuzz checks this on every input, and this trace is its
 * seed tests/fuzz/corpus/replay/live-pointer-then-failed-kmalloc).
 */
static void error_counted_once(struct ktest *t)
{
	static const char trace[] =
		" t-1 [0] 1.1: kmem_cache_alloc: ptr=ffff888100002000 name=filp bytes_req=256\n"
		" t-1 [0] 1.2: kmalloc: ptr=ffff888100002000 bytes_req=99999999\n";

	if (!fx_setup(t))
		return;
	EXPECT_EQ(replay_captured(trace, sizeof(trace) - 1, NULL), 0);
	EXPECT(has("replay: line 2: kmalloc: ptr 0xffff888100002000 is still live"));
	EXPECT(has("replay: line 2: kmalloc: allocation of 99999999 bytes failed"));
	EXPECT_EQ(fx.r.reports, 2);
	EXPECT_EQ(fx.r.kind[RK_KMALLOC].events, 1);
	EXPECT_EQ(fx.r.kind[RK_KMALLOC].failed, 1);
	EXPECT_EQ(fx.r.kind[RK_CACHE_ALLOC].failed, 0);
	EXPECT_EQ(fx.r.errors, 1);
	EXPECT(has_last("replay: events=2 unknown=0 errors=1 peak_kb=*"));
	show_output(t);
	fx_teardown(t);
}

/*
 * A name= holding a NUL byte (a stretch of zeros, as a capture cut short by
 * a crash leaves) names one cache however often it comes: the name is the
 * field's bytes, not a C string. It was compared by strlen, so no use
 * matched the one before and each made a cache of its own (two named "a").
 */
static void cache_name_with_nul(struct ktest *t)
{
	static const char trace[] =
		" t-1 [0] 1.1: kmem_cache_alloc: ptr=ffff888100002000 name=a\0b bytes_req=40\n"
		" t-1 [0] 1.2: kmem_cache_alloc: ptr=ffff888100002040 name=a\0b bytes_req=40\n"
		" t-1 [0] 1.3: kmem_cache_free: ptr=ffff888100002000 name=a\0b\n";

	if (!fx_setup(t))
		return;
	EXPECT_EQ(replay_captured(trace, sizeof(trace) - 1, NULL), 0);
	EXPECT_EQ(fx.r.caches, 1);
	EXPECT_EQ(fx.r.reports, 0);
	EXPECT(has_last("replay: events=3 unknown=0 errors=0 peak_kb=*"));
	show_output(t);
	fx_teardown(t);
}

/* --- giving reserved memory back (mm/reserved.c) ------------------------------- */

/*
 * An "initrd" [A, B) reserved in memblock before the node is built, not
 * page-aligned at either end: its first page holds nothing else, its last
 * page also holds another reservation [B, B+50). Releasing it frees the
 * first page and the whole pages, keeps the last, and leaves memblock and
 * the zone counts consistent.
 */
static void release_reserved(struct ktest *t)
{
	const u64 a = RAM + (1 << 20) + 100, b = a + 3 * PAGE_SIZE + 200;
	struct fakeram *fr = fakeram_new(RAM, 16 << 20);
	unsigned long free0, managed0, n;
	struct zone *z;

	ASSERT(fr);
	ASSERT_EQ(memblock_add(&fr->mb, RAM, 16 << 20), 0);
	ASSERT_EQ(memblock_reserve(&fr->mb, a, b - a), 0);
	ASSERT_EQ(memblock_reserve(&fr->mb, b, 50), 0);
	ASSERT_EQ(fakeram_node_init(fr, &(struct zone_limits){ 0, 0x100000, false }), 0);
	z = &fr->node.zones[ZONE_DMA32];
	free0 = nr_free_pages();
	managed0 = z->managed_pages;
	ASSERT(PageReserved(pfn_to_page(PHYS_PFN(a))));

	n = release_reserved_range(&fr->node, &fr->mb, a, b);
	EXPECT_EQ(n, 3);
	EXPECT_EQ(z->managed_pages, managed0 + 3);
	EXPECT_EQ(fr->node.released_reserved_pages, 3);
	EXPECT_EQ(nr_free_pages(), free0 + 3);
	for (u64 pa = ALIGN_DOWN(a, PAGE_SIZE); pa < ALIGN_DOWN(b, PAGE_SIZE); pa += PAGE_SIZE) {
		EXPECT(!PageReserved(pfn_to_page(PHYS_PFN(pa))));
		EXPECT(!memblock_is_reserved(&fr->mb, pa));
	}
	EXPECT(PageReserved(pfn_to_page(PHYS_PFN(b))));
	EXPECT(memblock_is_reserved(&fr->mb, ALIGN_DOWN(b, PAGE_SIZE)));
	EXPECT(memblock_is_reserved(&fr->mb, b + 49));
	EXPECT_EQ(memblock_check(&fr->mb), 0);
	EXPECT_EQ(node_check(&fr->node), 0);
	/* Nothing more to release there. */
	EXPECT_EQ(release_reserved_range(&fr->node, &fr->mb, a, b), 0);
	EXPECT_EQ(node_release_reserved(&fr->node, a, b), 0);
	EXPECT_EQ(node_check(&fr->node), 0);
	fakeram_done(fr);
}

/* memblock_phys_free: a hole in the middle splits a region; the ends and
 * whole regions go; nomap follows. */
static void memblock_free_splits(struct ktest *t)
{
	struct memblock *mb = malloc(sizeof(*mb));

	ASSERT(mb);
	memblock_init(mb);
	EXPECT_EQ(memblock_add(mb, RAM, 1 << 20), 0);
	EXPECT_EQ(memblock_reserve(mb, RAM, 0x10000), 0);
	EXPECT_EQ(memblock_reserve_flags(mb, RAM + 0x20000, 0x1000, MEMBLOCK_NOMAP), 0);
	EXPECT_EQ(memblock_phys_free(mb, RAM + 0x4000, 0x2000), 0);
	EXPECT_EQ(mb->reserved.cnt, 3);
	EXPECT(memblock_is_reserved(mb, RAM + 0x3fff));
	EXPECT(!memblock_is_reserved(mb, RAM + 0x4000));
	EXPECT(!memblock_is_reserved(mb, RAM + 0x5fff));
	EXPECT(memblock_is_reserved(mb, RAM + 0x6000));
	EXPECT_EQ(memblock_phys_free(mb, RAM, 0x5000), 0); /* the first piece and more */
	EXPECT(!memblock_is_reserved(mb, RAM));
	EXPECT_EQ(memblock_phys_free(mb, RAM + 0xf000, 0x12000), 0); /* a tail and nomap */
	EXPECT_EQ(mb->reserved.cnt, 1);
	EXPECT_EQ(mb->nomap.cnt, 0);
	EXPECT(memblock_is_reserved(mb, RAM + 0xefff));
	EXPECT(!memblock_is_reserved(mb, RAM + 0x20000));
	EXPECT_EQ(memblock_phys_free(mb, RAM, 0), -EINVAL);
	EXPECT_EQ(memblock_check(mb), 0);
	free(mb);
}

KTEST_SUITE(replay, KTEST_CASE(trace_tracefs), KTEST_CASE(trace_report), KTEST_CASE(trace_errors),
	    KTEST_CASE(trace_unknown), KTEST_CASE(trace_truncated), KTEST_CASE(trace_pages),
	    KTEST_CASE(trace_many_errors), KTEST_CASE(synthetic), KTEST_CASE(odd_inputs),
	    KTEST_CASE(error_counted_once), KTEST_CASE(cache_name_with_nul),
	    KTEST_CASE(release_reserved), KTEST_CASE(memblock_free_splits));
