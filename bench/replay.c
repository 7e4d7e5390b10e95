/*
 * replay.c - replay a Linux kmem trace (ftrace text) against rvmm's
 * allocators. What is replayed and how it is counted: include/bench/replay.h;
 * the whole story: docs/replay.md.
 *
 * Lines. The trace is read in place, one line at a time (LF or CR LF). A
 * trace entry is recognised by its timestamp followed by ": " and the event
 * name followed by ':', wherever they are on the line, so both tracefs's
 *     bash-1234    [001] d..1. 12345.678901: kmalloc: call_site=... ptr=...
 * and trace-cmd report's
 *     bash-1234  [001]  12345.678901: kmalloc:              call_site=...
 * are read, with task names holding spaces or dashes, with or without the
 * irq-flags column. The fields are key=value words in any order; keys that
 * are not needed (call_site, bytes_alloc, node, accounted, migratetype) are
 * ignored, which covers the older and newer field sets: name= on
 * kmem_cache_alloc / kmem_cache_free (newer kernels), pfn= in decimal (older)
 * or 0x-hex (newer), ptr= with or without 0x, hashed or raw pointers, and
 * symbolic (%pS) or hex call sites.
 *
 * Objects. A hash table (open addressing, linear probing) maps a trace
 * pointer (ptr= for slab events, pfn= or else page= for page events, in two
 * key spaces) to our object, its size or order, and the lines that
 * allocated and freed it. Entries are never removed: a freed object's entry
 * stays as a tombstone so that a second free is told apart from a free of a
 * pointer the trace never allocated; the next allocation at that pointer
 * reuses it. The table lives in pages from the page allocator, in chunks of
 * at most 4 MiB (MAX_ORDER - 1), and doubles at 70% occupancy (if that
 * fails, it is rebuilt at the same size without its tombstones).
 *
 * Counting instructions. On the target rdinstret is read immediately around
 * each allocator call (kmalloc, kmem_cache_alloc, alloc_pages, kfree,
 * kmem_cache_free, __free_pages) and the cost of two back-to-back reads is
 * subtracted, as the churn benchmark does; parsing, the table and the
 * pattern are outside the window. The host build has no such counter and
 * counts nothing (have_insns is false and no insns= is printed).
 *
 * Peak memory: after every allocation event, the pages the page allocator
 * has handed out since the start (free pages then minus free pages now, the
 * per-hart stacks counted as free), less the growth of the replayer's own
 * table; the highest value is peak_pages. It includes what the allocators
 * keep for themselves (slab descriptors, magazines, a kept empty slab).
 */
#include <mm/gfp.h>
#include <mm/kmalloc.h>
#include <lib/kstring.h>
#include <lib/parse.h>
#include <mm/mm.h>
#include <mm/mmzone.h>
#include <bench/replay.h>
#include <mm/slab.h>

const char *const replay_kind_names[RK_NR] = {
	"kmalloc", "kfree", "kmem_cache_alloc", "kmem_cache_free", "mm_page_alloc", "mm_page_free",
};

/* --- the instruction counter --------------------------------------------- */

#ifdef HOST
#define HAVE_INSNS false
static inline u64 insns_now(void)
{
	return 0;
}
#else
#define HAVE_INSNS true
static inline u64 insns_now(void)
{
	u64 v;

	__asm__ volatile("rdinstret %0" : "=r"(v)::"memory");
	return v;
}
#endif

/* --- state ----------------------------------------------------------------- */

enum { ST_EMPTY, ST_LIVE, ST_FREED, ST_FAILED };
enum { OBJ_KMALLOC, OBJ_CACHE, OBJ_PAGE };

struct entry {
	u64 key;
	void *obj;      /* the object, or the struct page of a block */
	u32 size;       /* bytes (slab objects) or order (page blocks) */
	u32 alloc_line;
	u32 free_line;
	u16 cache;      /* OBJ_CACHE: index into caches[] */
	u8 kind;        /* OBJ_*; OBJ_PAGE entries are a key space of their own */
	u8 state;       /* ST_* */
};
_Static_assert(sizeof(struct entry) == 32, "the table's chunk arithmetic wants 32-byte entries");

#define ENTRY_SHIFT 5
#define CHUNK_BITS (PAGE_SHIFT + MAX_ORDER - 1 - ENTRY_SHIFT) /* entries in a 4 MiB chunk */
#define MAX_CHUNKS 64
/* The table's first size: 1024 entries, 32 KiB. The fuzzer builds with 128
 * (one page) so that short inputs grow it (Makefile, tests/fuzz/replay_fuzz.c). */
#ifndef REPLAY_TABLE_MIN_BITS
#define REPLAY_TABLE_MIN_BITS 10
#endif
#define TABLE_MIN_BITS REPLAY_TABLE_MIN_BITS
_Static_assert(TABLE_MIN_BITS + ENTRY_SHIFT >= PAGE_SHIFT, "a table takes at least a page");

struct table {
	struct entry *chunk[MAX_CHUNKS];
	struct page *chunk_page[MAX_CHUNKS];
	unsigned int nr_chunks, chunk_order;
	unsigned int bits;     /* capacity 1 << bits */
	unsigned long used;    /* slots taken: live, freed and failed entries */
	unsigned long pages;   /* pages held */
};

#define MAX_CACHES 256
#define CACHE_SLOTS 512 /* hash of (name, size) -> index + 1 */
#define CACHE_NAME_MAX 64
#define CACHE_KMALLOC 0xffffu /* a kmalloc-* cache of the trace: served by kmalloc */

struct rcache {
	char name[CACHE_NAME_MAX]; /* the trace's bytes (a NUL among them too) */
	u8 len;                    /* of name */
	u32 size;
	u32 hash;
	struct kmem_cache *c; /* NULL: it could not be made, kmalloc serves it */
};

struct state {
	struct replay_result *r;
	unsigned int max_reports;
	bool tracking_full_reported;
	struct table t;
	unsigned int nr_caches;
	bool too_many_caches_reported;
	bool error_counted; /* the event being applied counted its error */
	u16 cache_slot[CACHE_SLOTS];
	struct rcache caches[MAX_CACHES];
	/* peak memory */
	unsigned long base_free, base_table_pages;
	long peak;
	u64 cal; /* rdinstret calibration */
};

/* --- reports ----------------------------------------------------------------- */

static void __printf(3, 4) report(struct state *st, u32 line, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	if (st->r->reports++ >= st->max_reports)
		return;
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf("replay: line %u: %s\n", line, msg);
}

static void unknown(struct state *st, u32 line, const char *why)
{
	st->r->unknown++;
	report(st, line, "%s", why);
}

/* --- memory for the replayer itself ------------------------------------------ */

static void *get_pages(unsigned int order, struct page **pagep)
{
	struct page *p = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, order);

	*pagep = p;
	return p ? page_address(p) : NULL;
}

static void table_free(struct table *t)
{
	for (unsigned int i = 0; i < t->nr_chunks; i++)
		__free_pages(t->chunk_page[i], t->chunk_order);
	t->nr_chunks = 0;
	t->pages = 0;
}

/* Allocate an empty table of 1 << bits entries into *t. */
static int table_alloc(struct table *t, unsigned int bits)
{
	unsigned int chunk_bits = MIN(bits, (unsigned int)CHUNK_BITS);
	unsigned int n = 1u << (bits - chunk_bits);

	if (n > MAX_CHUNKS)
		return -ENOMEM;
	*t = (struct table){ .bits = bits, .chunk_order = chunk_bits + ENTRY_SHIFT - PAGE_SHIFT };
	for (unsigned int i = 0; i < n; i++) {
		t->chunk[i] = get_pages(t->chunk_order, &t->chunk_page[i]);
		if (!t->chunk[i]) {
			table_free(t);
			return -ENOMEM;
		}
		t->nr_chunks++;
		t->pages += 1ul << t->chunk_order;
	}
	return 0;
}

static inline struct entry *slot(const struct table *t, unsigned long i)
{
	return &t->chunk[i >> CHUNK_BITS][i & ((1ul << CHUNK_BITS) - 1)];
}

static inline unsigned long hash_key(u64 key, bool page, unsigned int bits)
{
	u64 h = (key ^ (page ? 0x5bd1e9955bd1e995ull : 0)) * 0x9e3779b97f4a7c15ull;

	return (unsigned long)(h >> (64 - bits));
}

/* The entry of (key, space), or the empty slot where it would go. */
static struct entry *lookup(const struct table *t, u64 key, bool page)
{
	unsigned long mask = (1ul << t->bits) - 1;

	for (unsigned long i = hash_key(key, page, t->bits);; i = (i + 1) & mask) {
		struct entry *e = slot(t, i);

		if (e->state == ST_EMPTY || (e->key == key && (e->kind == OBJ_PAGE) == page))
			return e;
	}
}

/* Copy every entry of @from (tombstones too, unless @live_only) into @to. */
static void rehash(struct table *to, const struct table *from, bool live_only)
{
	for (unsigned long i = 0; i < (1ul << from->bits); i++) {
		const struct entry *e = slot(from, i);

		if (e->state == ST_EMPTY || (live_only && e->state != ST_LIVE))
			continue;
		*lookup(to, e->key, e->kind == OBJ_PAGE) = *e;
		to->used++;
	}
}

/* Make room for one more entry: double the table at 70%; failing that,
 * rebuild it at its size without tombstones. false: no room at all. */
static bool table_reserve(struct table *t)
{
	struct table n;

	if ((t->used + 1) * 10 <= (7ul << t->bits))
		return true;
	if (table_alloc(&n, t->bits + 1) == 0) {
		rehash(&n, t, false);
	} else if (table_alloc(&n, t->bits) == 0) {
		rehash(&n, t, true);
		if ((n.used + 1) * 10 > (7ul << n.bits)) {
			table_free(&n);
			return false;
		}
	} else {
		return false;
	}
	table_free(t);
	*t = n;
	return true;
}

/* --- object contents ------------------------------------------------------------ */

static inline u64 mix(u64 x)
{
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 29;
	return x;
}

static u64 seed_of(const struct entry *e)
{
	return mix(e->key ^ ((u64)e->alloc_line << 40) ^ e->kind);
}

static void *obj_address(const struct entry *e)
{
	return e->kind == OBJ_PAGE ? page_address(e->obj) : e->obj;
}

static size_t obj_bytes(const struct entry *e)
{
	return e->kind == OBJ_PAGE ? PAGE_SIZE << e->size : e->size;
}

/* The pattern loops touch every word of an object, up to 4 MiB: libFuzzer's
 * coverage and comparison tracing (tests/fuzz/replay_fuzz.c) learns nothing
 * there and spent three quarters of the fuzzer's time in them. */
#ifdef __clang__
#define PATTERN_LOOP __attribute__((noinline, no_sanitize("coverage")))
#else
#define PATTERN_LOOP
#endif

/* Objects are at least 8-byte aligned: words, then the tail bytes. */
static PATTERN_LOOP void fill(const struct entry *e)
{
	u64 seed = seed_of(e), *w = obj_address(e);
	size_t n = obj_bytes(e), words = n / 8;
	u8 *b = (u8 *)w;

	for (size_t i = 0; i < words; i++)
		w[i] = seed + i;
	for (size_t i = words * 8; i < n; i++)
		b[i] = (u8)(seed >> (8 * (i & 7)));
}

/* Offset of the first byte that lost its pattern, or -1. */
static PATTERN_LOOP long first_changed(const struct entry *e)
{
	u64 seed = seed_of(e);
	const u64 *w = obj_address(e);
	size_t n = obj_bytes(e), words = n / 8;
	const u8 *b = (const u8 *)w;

	for (size_t i = 0; i < words; i++)
		if (w[i] != seed + i)
			return (long)(i * 8);
	for (size_t i = words * 8; i < n; i++)
		if (b[i] != (u8)(seed >> (8 * (i & 7))))
			return (long)i;
	return -1;
}

/* --- trace fields --------------------------------------------------------------- */

struct str {
	const char *p;
	size_t n;
};

struct fields {
	bool has_ptr, has_bytes_req, has_order, has_pfn, has_page;
	bool page_null; /* page= is a NULL pointer (a failed allocation) */
	u64 ptr, bytes_req, order, pfn, page;
	struct str name, gfp;
	const char *bad; /* the first field whose value could not be read */
};

static bool str_is(struct str s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n == n && memcmp(s.p, lit, n) == 0;
}

static bool str_starts(struct str s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n >= n && memcmp(s.p, lit, n) == 0;
}

static bool str_ends(struct str s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n >= n && memcmp(s.p + s.n - n, lit, n) == 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Digits in @base filling the whole of @s (at most 16 hex / 19 decimal). */
static bool parse_digits(struct str s, unsigned int base, u64 *v)
{
	u64 x = 0;

	if (s.n == 0 || s.n > (base == 16 ? 16u : 19u))
		return false;
	for (size_t i = 0; i < s.n; i++) {
		int d = hexval(s.p[i]);

		if (d < 0 || (unsigned int)d >= base)
			return false;
		x = x * base + (unsigned int)d;
	}
	*v = x;
	return true;
}

static bool parse_ptr(struct str s, u64 *v, bool *null)
{
	*null = false;
	if (str_is(s, "(null)") || str_is(s, "(nil)")) {
		*null = true;
		*v = 0;
		return true;
	}
	if (str_starts(s, "0x") || str_starts(s, "0X")) {
		s.p += 2;
		s.n -= 2;
	}
	if (!parse_digits(s, 16, v))
		return false;
	*null = *v == 0;
	return true;
}

/* Decimal, or hex with 0x (pfn= is %lu on older kernels, 0x%lx on newer). */
static bool parse_num(struct str s, u64 *v)
{
	return parse_u64_len(s.p, s.n, v) == 0; /* lib/parse.c */
}

static void parse_fields(const char *p, const char *end, struct fields *f)
{
	*f = (struct fields){ 0 };
	while (p < end) {
		struct str key, val;
		const char *w;
		bool null;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		w = p;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
		key.p = w;
		while (w < p && *w != '=')
			w++;
		if (w == p)
			continue; /* not key=value: "[module]" after a call site */
		key.n = (size_t)(w - key.p);
		val.p = w + 1;
		val.n = (size_t)(p - val.p);
		if (str_is(key, "ptr")) {
			f->has_ptr = parse_ptr(val, &f->ptr, &null);
			if (!f->has_ptr && !f->bad)
				f->bad = "ptr";
		} else if (str_is(key, "bytes_req")) {
			f->has_bytes_req = parse_digits(val, 10, &f->bytes_req);
			if (!f->has_bytes_req && !f->bad)
				f->bad = "bytes_req";
		} else if (str_is(key, "order")) {
			f->has_order = parse_digits(val, 10, &f->order);
			if (!f->has_order && !f->bad)
				f->bad = "order";
		} else if (str_is(key, "pfn")) {
			f->has_pfn = parse_num(val, &f->pfn);
			if (!f->has_pfn && !f->bad)
				f->bad = "pfn";
		} else if (str_is(key, "page")) {
			f->has_page = parse_ptr(val, &f->page, &f->page_null);
			if (!f->has_page && !f->bad)
				f->bad = "page";
		} else if (str_is(key, "name")) {
			f->name = val;
		} else if (str_is(key, "gfp_flags")) {
			f->gfp = val;
		}
	}
}

/* The trace's gfp_flags ("GFP_KERNEL|__GFP_ZERO", older "GFP_ZERO", or a
 * number, which is taken as GFP_KERNEL) as rvmm's; never warns. */
static gfp_t parse_gfp(struct str s)
{
	gfp_t gfp = __GFP_NOWARN;
	const char *end;

	if (!s.n) /* no gfp_flags= */
		return gfp;
	end = s.p + s.n;
	while (s.p < end) {
		struct str tok = { s.p, 0 };

		while (tok.p + tok.n < end && tok.p[tok.n] != '|')
			tok.n++;
		if (str_ends(tok, "GFP_ZERO"))
			gfp |= __GFP_ZERO;
		else if (str_is(tok, "GFP_ATOMIC") || str_ends(tok, "GFP_HIGH"))
			gfp |= __GFP_HIGH;
		else if (str_ends(tok, "GFP_DMA32"))
			gfp |= __GFP_DMA32;
		else if (str_ends(tok, "GFP_DMA"))
			gfp |= __GFP_DMA;
		s.p = tok.p + tok.n + (tok.p + tok.n < end);
	}
	return gfp;
}

/* --- caches ------------------------------------------------------------------------ */

static u32 name_hash(struct str name, u32 size)
{
	u32 h = 2166136261u ^ size;

	for (size_t i = 0; i < name.n; i++)
		h = (h ^ (u8)name.p[i]) * 16777619u;
	return h;
}

static bool is_kmalloc_cache(struct str name)
{
	return str_starts(name, "kmalloc-") || str_starts(name, "dma-kmalloc-");
}

/* The index of the trace's cache (name, size), made on first use. */
static unsigned int get_cache(struct state *st, struct str name, u32 size, u32 line)
{
	u32 h;
	unsigned int i;
	struct rcache *rc;
	char kname[SLAB_NAME_LEN];

	if (is_kmalloc_cache(name))
		return CACHE_KMALLOC;
	if (name.n >= CACHE_NAME_MAX)
		name.n = CACHE_NAME_MAX - 1;
	h = name_hash(name, size);
	for (i = h & (CACHE_SLOTS - 1); st->cache_slot[i]; i = (i + 1) & (CACHE_SLOTS - 1)) {
		rc = &st->caches[st->cache_slot[i] - 1];
		if (rc->hash == h && rc->size == size && rc->len == name.n &&
		    (!name.n || memcmp(rc->name, name.p, name.n) == 0))
			return st->cache_slot[i] - 1u;
	}
	if (st->nr_caches == MAX_CACHES) {
		if (!st->too_many_caches_reported) {
			st->too_many_caches_reported = true;
			report(st, line, "more than %d caches: the objects of the others come from kmalloc",
			       MAX_CACHES);
		}
		return CACHE_KMALLOC;
	}
	rc = &st->caches[st->nr_caches];
	if (name.n)
		memcpy(rc->name, name.p, name.n);
	rc->name[name.n] = '\0';
	rc->len = (u8)name.n;
	rc->size = size;
	rc->hash = h;
	if (name.n)
		kstrlcpy(kname, rc->name, sizeof(kname));
	else
		ksnprintf(kname, sizeof(kname), "replay-%u", size);
	rc->c = kmem_cache_create(kname, size, 0, 0, NULL);
	if (!rc->c)
		report(st, line, "cannot make a cache %s of %u bytes: its objects come from kmalloc",
		       kname, size);
	st->cache_slot[i] = (u16)(++st->nr_caches);
	st->r->caches++;
	return st->nr_caches - 1;
}

/* --- applying events ------------------------------------------------------------------ */

static void update_peak(struct state *st)
{
	long taken = (long)st->base_free - (long)nr_free_pages() -
		     ((long)st->t.pages - (long)st->base_table_pages);

	if (taken > st->peak)
		st->peak = taken;
}

/* Free what @e holds (counting the call as @kind when @measure). */
static void release(struct state *st, struct entry *e, enum replay_kind kind, bool measure)
{
	struct replay_kind_stats *ks = &st->r->kind[kind];
	u64 t0, t1;

	t0 = insns_now();
	switch (e->kind) {
	case OBJ_KMALLOC:
		kfree(e->obj);
		break;
	case OBJ_CACHE:
		kmem_cache_free(st->caches[e->cache].c, e->obj);
		break;
	default:
		__free_pages(e->obj, e->size);
		break;
	}
	t1 = insns_now();
	if (measure) {
		ks->measured++;
		ks->insns += t1 - t0 - st->cal;
	}
}

static const char *key_name(bool page)
{
	return page ? "pfn" : "ptr";
}

/* Count the event being applied as an error: once, however many of its
 * problems are reported (a still-live pointer whose new allocation fails
 * too; a page free with another order whose pattern changed). */
static void error(struct state *st, enum replay_kind kind)
{
	if (st->error_counted)
		return;
	st->error_counted = true;
	st->r->errors++;
	st->r->kind[kind].failed++;
}

/* Check @e's pattern before it is freed; a change is an error. */
static void check_contents(struct state *st, struct entry *e, enum replay_kind kind, u32 line)
{
	long off = e->size || e->kind == OBJ_PAGE ? first_changed(e) : -1;

	if (off < 0)
		return;
	error(st, kind);
	report(st, line, "%s: %s 0x%llx (allocated at line %u): its contents changed at byte %ld",
	       replay_kind_names[kind], key_name(e->kind == OBJ_PAGE), (unsigned long long)e->key,
	       e->alloc_line, off);
}

static void do_alloc(struct state *st, enum replay_kind kind, u64 key, u64 size, gfp_t gfp,
		     unsigned int cache, u32 line)
{
	bool page = kind == RK_PAGE_ALLOC;
	struct replay_kind_stats *ks = &st->r->kind[kind];
	struct entry *e = lookup(&st->t, key, page);
	void *obj = NULL;
	u64 t0, t1;

	if (e->state == ST_LIVE) {
		error(st, kind);
		report(st, line, "%s: %s 0x%llx is still live (allocated at line %u): its free is missing; "
		       "the old object is freed first", replay_kind_names[kind], key_name(page),
		       (unsigned long long)key, e->alloc_line);
		check_contents(st, e, kind, line);
		release(st, e, kind, false);
		e->state = ST_FREED;
		e->free_line = line;
	}
	if (e->state == ST_EMPTY) {
		if (!table_reserve(&st->t)) {
			error(st, kind);
			report(st, line, "%s: no memory to track %s 0x%llx: not applied",
			       replay_kind_names[kind], key_name(page), (unsigned long long)key);
			return;
		}
		e = lookup(&st->t, key, page); /* the table may have moved */
		st->t.used++;
	}
	t0 = insns_now();
	if (page) {
		obj = size < MAX_ORDER ? alloc_pages(gfp, (unsigned int)size) : NULL;
	} else if (cache == CACHE_KMALLOC || !st->caches[cache].c) {
		obj = kmalloc(size, gfp);
	} else {
		obj = kmem_cache_alloc(st->caches[cache].c, gfp);
	}
	t1 = insns_now();
	ks->measured++;
	ks->insns += t1 - t0 - st->cal;

	e->key = key;
	e->alloc_line = line;
	e->free_line = 0;
	e->kind = page ? OBJ_PAGE : cache == CACHE_KMALLOC || !st->caches[cache].c ? OBJ_KMALLOC
										: OBJ_CACHE;
	e->cache = (u16)(e->kind == OBJ_CACHE ? cache : 0);
	if (!obj) {
		e->state = ST_FAILED; /* its free is dropped quietly */
		error(st, kind);
		if (page)
			report(st, line, "%s: allocation of order %llu failed", replay_kind_names[kind],
			       (unsigned long long)size);
		else
			report(st, line, "%s: allocation of %llu bytes failed", replay_kind_names[kind],
			       (unsigned long long)size);
		return;
	}
	e->obj = obj;
	e->size = (u32)size;
	e->state = ST_LIVE;
	if (page || size)
		fill(e);
	update_peak(st);
}

static void do_free(struct state *st, enum replay_kind kind, u64 key, bool has_order, u64 order,
		    u32 line)
{
	bool page = kind == RK_PAGE_FREE;
	struct entry *e = lookup(&st->t, key, page);

	switch (e->state) {
	case ST_EMPTY:
		error(st, kind);
		report(st, line, "%s: %s 0x%llx was never allocated in the trace", replay_kind_names[kind],
		       key_name(page), (unsigned long long)key);
		return;
	case ST_FREED:
		error(st, kind);
		report(st, line, "%s: double free of %s 0x%llx (allocated at line %u, freed at line %u)",
		       replay_kind_names[kind], key_name(page), (unsigned long long)key, e->alloc_line,
		       e->free_line);
		e->free_line = line;
		return;
	case ST_FAILED: /* its allocation failed here and was reported */
		e->state = ST_FREED;
		e->free_line = line;
		return;
	}
	if (page && has_order && order != e->size) {
		error(st, kind);
		report(st, line, "%s: pfn 0x%llx freed with order %llu, allocated with order %u at line %u: "
		       "freed with order %u", replay_kind_names[kind], (unsigned long long)key,
		       (unsigned long long)order, e->size, e->alloc_line, e->size);
	}
	check_contents(st, e, kind, line);
	release(st, e, kind, true);
	e->state = ST_FREED;
	e->free_line = line;
}

/* --- lines -------------------------------------------------------------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_name_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/*
 * Find "TIMESTAMP: NAME:" in [s, e): TIMESTAMP is digits with at most one
 * '.', at the start of the line or after a blank. Returns false when the
 * line has no timestamp. *name is empty for a trace entry without an event
 * name (a function tracer line); *fields points after the name's ':'.
 */
static bool find_event(const char *s, const char *e, struct str *name, const char **fields)
{
	for (const char *p = s; p + 1 < e; p++) {
		const char *q = p, *n, *ne;
		bool dot = false;

		if (p[0] != ':' || p[1] != ' ')
			continue;
		while (q > s && (is_digit(q[-1]) || (q[-1] == '.' && !dot))) {
			dot |= q[-1] == '.';
			q--;
		}
		if (q == p || !is_digit(*q) || !is_digit(p[-1]) || (q > s && q[-1] != ' ' && q[-1] != '\t'))
			continue;
		n = p + 2;
		while (n < e && (*n == ' ' || *n == '\t'))
			n++;
		ne = n;
		while (ne < e && is_name_char(*ne))
			ne++;
		if (ne < e && ne > n && *ne == ':') {
			*name = (struct str){ n, (size_t)(ne - n) };
			*fields = ne + 1;
		} else {
			*name = (struct str){ n, 0 };
			*fields = e;
		}
		return true;
	}
	return false;
}

/* trace-cmd report's header lines, and the lines saying events were lost. */
static bool header_line(struct str l, bool *lost)
{
	*lost = false;
	if (str_starts(l, "cpus=") || str_starts(l, "version ="))
		return true;
	if (!str_starts(l, "CPU"))
		return false;
	for (size_t i = 0; i + 4 <= l.n; i++) {
		if (memcmp(l.p + i, "LOST", 4) == 0 || (i + 7 <= l.n && memcmp(l.p + i, "DROPPED", 7) == 0)) {
			*lost = true;
			return true;
		}
		if (i + 8 <= l.n && memcmp(l.p + i, "is empty", 8) == 0)
			return true;
	}
	return false;
}

static enum replay_kind kind_of(struct str name, bool *known)
{
	*known = true;
	if (str_is(name, "kmalloc") || str_is(name, "kmalloc_node"))
		return RK_KMALLOC;
	if (str_is(name, "kfree"))
		return RK_KFREE;
	if (str_is(name, "kmem_cache_alloc") || str_is(name, "kmem_cache_alloc_node"))
		return RK_CACHE_ALLOC;
	if (str_is(name, "kmem_cache_free"))
		return RK_CACHE_FREE;
	if (str_is(name, "mm_page_alloc"))
		return RK_PAGE_ALLOC;
	if (str_is(name, "mm_page_free"))
		return RK_PAGE_FREE;
	*known = false;
	return RK_NR;
}

/* The missing or unreadable field of an event line, or NULL if it is whole. */
static const char *missing_field(enum replay_kind k, const struct fields *f)
{
	if (f->bad)
		return f->bad;
	switch (k) {
	case RK_KMALLOC:
	case RK_CACHE_ALLOC:
		return !f->has_ptr ? "ptr" : !f->has_bytes_req ? "bytes_req" : NULL;
	case RK_KFREE:
	case RK_CACHE_FREE:
		return !f->has_ptr ? "ptr" : NULL;
	default:
		return !f->has_pfn && !f->has_page ? "pfn" : !f->has_order ? "order" : NULL;
	}
}

static void event(struct state *st, enum replay_kind k, const struct fields *f, u32 line)
{
	struct replay_result *r = st->r;
	u64 pkey = f->has_pfn ? f->pfn : f->page;

	r->events++;
	r->kind[k].events++;
	st->error_counted = false;
	switch (k) {
	case RK_KMALLOC:
		if (f->ptr > 16) /* not a failed kmalloc, not kmalloc(0) */
			do_alloc(st, k, f->ptr, f->bytes_req, parse_gfp(f->gfp), CACHE_KMALLOC, line);
		break;
	case RK_CACHE_ALLOC:
		if (f->ptr > 16)
			do_alloc(st, k, f->ptr, f->bytes_req, parse_gfp(f->gfp),
				 get_cache(st, f->name, (u32)MIN(f->bytes_req, 0xffffffffull), line), line);
		break;
	case RK_KFREE:
	case RK_CACHE_FREE:
		if (f->ptr > 16) /* kfree(NULL) and kfree(ZERO_SIZE_PTR) are traced too */
			do_free(st, k, f->ptr, false, 0, line);
		break;
	case RK_PAGE_ALLOC:
		if (!(f->has_page && f->page_null)) /* page=(null): the kernel's allocation failed */
			do_alloc(st, k, pkey, f->order, parse_gfp(f->gfp), 0, line);
		break;
	default:
		do_free(st, k, pkey, true, f->order, line);
		break;
	}
}

static void do_line(struct state *st, const char *s, const char *e, u32 line, bool truncated)
{
	struct str name, l;
	const char *fields;
	struct fields f;
	enum replay_kind k;
	bool known, lost;

	if (e > s && e[-1] == '\r')
		e--;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	if (s == e || *s == '#') {
		st->r->ignored_lines++;
		return;
	}
	if (truncated) {
		unknown(st, line, "truncated last line (no newline at the end of the trace): not applied");
		return;
	}
	if (!find_event(s, e, &name, &fields)) {
		l = (struct str){ s, (size_t)(e - s) };
		if (header_line(l, &lost)) {
			st->r->ignored_lines++;
			if (lost)
				report(st, line, "events were lost here: frees of objects allocated before "
				       "may show as errors");
			return;
		}
		unknown(st, line, "not a trace event line");
		return;
	}
	k = kind_of(name, &known);
	if (!known) {
		st->r->skipped_events++;
		return;
	}
	parse_fields(fields, e, &f);
	const char *miss = missing_field(k, &f);

	if (miss) {
		char why[80];

		ksnprintf(why, sizeof(why), "%s: %s %s= value", replay_kind_names[k],
			  f.bad ? "unreadable" : "no", miss);
		unknown(st, line, why);
		return;
	}
	event(st, k, &f, line);
}

/* --- the end of the trace ----------------------------------------------------------------- */

static unsigned int pct(unsigned long part, unsigned long whole)
{
	return whole ? (unsigned int)((part * 100 + whole / 2) / whole) : 0;
}

static void measure_end(struct state *st)
{
	struct replay_result *r = st->r;
	int top = -1;

	for (unsigned long i = 0; i < (1ul << st->t.bits); i++) {
		const struct entry *e = slot(&st->t, i);

		if (e->state != ST_LIVE)
			continue;
		if (e->kind == OBJ_PAGE) {
			r->live_blocks++;
			r->live_block_pages += 1ul << e->size;
		} else {
			r->live_objects++;
			r->live_bytes += e->size;
		}
	}
	node_drain_pages(mem_node);
	r->free_pages = nr_free_pages();
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = &mem_node->zones[zi];

		for (int o = 0; o < MAX_ORDER; o++)
			if (z->free_area[o].nr_free && o > top)
				top = o;
		r->max_order_free_pages += z->free_area[MAX_ORDER - 1].nr_free << (MAX_ORDER - 1);
	}
	r->largest_free_pages = top < 0 ? 0 : 1ul << top;
	kprintf("replay: end live_objects=%llu live_kb=%llu live_page_blocks=%llu live_page_kb=%llu "
		"free_kb=%lu largest_free_kb=%lu fragmentation=%u%% outside_4M_blocks=%u%%\n",
		(unsigned long long)r->live_objects, (unsigned long long)(r->live_bytes + 1023) / 1024,
		(unsigned long long)r->live_blocks,
		(unsigned long long)r->live_block_pages * (PAGE_SIZE / 1024), r->free_pages * (PAGE_SIZE / 1024),
		r->largest_free_pages * (PAGE_SIZE / 1024),
		r->free_pages ? 100 - pct(r->largest_free_pages, r->free_pages) : 0,
		r->free_pages ? 100 - pct(r->max_order_free_pages, r->free_pages) : 0);
}

/* Free what the trace left allocated (checked, not counted) and the caches. */
static void clean_up(struct state *st, u32 last_line)
{
	for (unsigned long i = 0; i < (1ul << st->t.bits); i++) {
		struct entry *e = slot(&st->t, i);

		if (e->state != ST_LIVE)
			continue;
		enum replay_kind k = e->kind == OBJ_PAGE ? RK_PAGE_FREE
				   : e->kind == OBJ_CACHE ? RK_CACHE_FREE : RK_KFREE;

		st->error_counted = false; /* (each changed object is an error of its own) */
		check_contents(st, e, k, last_line);
		release(st, e, k, false);
		e->state = ST_FREED;
	}
	for (unsigned int i = 0; i < st->nr_caches; i++)
		kmem_cache_destroy(st->caches[i].c);
}

static u64 calibrate(void)
{
	u64 best = ~0ull;

	for (int i = 0; i < 16; i++) {
		u64 t0 = insns_now();
		u64 t1 = insns_now();

		if (t1 - t0 < best)
			best = t1 - t0;
	}
	return best;
}

static u64 per(u64 total, u64 n)
{
	return n ? (total + n / 2) / n : 0;
}

int replay_run(const char *buf, size_t len, const struct replay_opts *opts, struct replay_result *r)
{
	unsigned int st_order = get_order(sizeof(struct state));
	struct page *st_page;
	struct state *st = get_pages(st_order, &st_page);
	const char *p = buf, *end = buf + len;
	u32 line = 0;

	*r = (struct replay_result){ .bytes = len, .have_insns = HAVE_INSNS };
	if (!st || table_alloc(&st->t, TABLE_MIN_BITS)) {
		if (st)
			__free_pages(st_page, st_order);
		kprintf("replay: no memory for the replayer\n");
		return -ENOMEM;
	}
	st->r = r;
	st->max_reports = opts && opts->max_reports ? opts->max_reports : REPLAY_MAX_REPORTS;
	st->cal = calibrate();
	r->rdinstret_cost = st->cal;
	st->base_free = nr_free_pages();
	st->base_table_pages = st->t.pages;

	if (len >= 2 && (u8)buf[0] == 0x1f && (u8)buf[1] == 0x8b) {
		r->lines = 1;
		unknown(st, 1, "the trace is gzip-compressed: gunzip it first");
		p = end;
	}
	while (p < end) {
		const char *nl;

		if (opts && opts->stop && line % REPLAY_STOP_POLL == 0 && opts->stop()) {
			r->interrupted = true;
			kprintf("replay: interrupted after %u lines\n", line);
			break;
		}
		nl = memchr(p, '\n', (size_t)(end - p));
		do_line(st, p, nl ? nl : end, ++line, !nl);
		p = nl ? nl + 1 : end;
	}
	if (line)
		r->lines = line;
	if (r->reports > st->max_reports)
		kprintf("replay: %llu more line reports not shown\n",
			(unsigned long long)(r->reports - st->max_reports));
	r->peak_pages = (unsigned long)MAX(st->peak, 0l);

	kprintf("replay: read %llu bytes, %llu lines: %llu kmem events, %llu other events skipped, "
		"%llu blank, comment or header lines, %u caches made\n",
		(unsigned long long)r->bytes, (unsigned long long)r->lines,
		(unsigned long long)r->events, (unsigned long long)r->skipped_events,
		(unsigned long long)r->ignored_lines, r->caches);
	for (int k = 0; k < RK_NR; k++) {
		const struct replay_kind_stats *ks = &r->kind[k];

		if (r->have_insns)
			kprintf("replay: kind=%s events=%llu errors=%llu insns=%llu\n", replay_kind_names[k],
				(unsigned long long)ks->events, (unsigned long long)ks->failed,
				(unsigned long long)per(ks->insns, ks->measured));
		else
			kprintf("replay: kind=%s events=%llu errors=%llu\n", replay_kind_names[k],
				(unsigned long long)ks->events, (unsigned long long)ks->failed);
	}
	measure_end(st);
	clean_up(st, line);
	table_free(&st->t);
	__free_pages(st_page, st_order);
	return 0;
}

void replay_print_summary(const struct replay_result *r)
{
	kprintf("replay: events=%llu unknown=%llu errors=%llu peak_kb=%lu\n",
		(unsigned long long)r->events, (unsigned long long)r->unknown,
		(unsigned long long)r->errors, r->peak_pages * (PAGE_SIZE / 1024));
}
