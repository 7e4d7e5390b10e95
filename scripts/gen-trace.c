/*
 * gen-trace.c - write a synthetic Linux kmem trace for the replayer
 * (bench/replay.c, docs/replay.md). A host program (make builds
 * build/gen-trace); no Python needed.
 *
 *   gen-trace [-f trace|report] [-s SEED] [-l LIVE] N > trace.txt
 *
 * N kmem events (exactly: kmalloc, kfree, kmem_cache_alloc,
 * kmem_cache_free, mm_page_alloc, mm_page_free), valid by construction:
 * every free is of a live object, no live pointer is handed out twice.
 * Around them the lines a real trace has and the replayer skips: the
 * tracefs header comments, and an mm_page_alloc_zone_locked event after
 * some page allocations (format trace) or trace-cmd's cpus= line (format
 * report). What is left live at the end stays live, as in a real trace.
 *
 * Formats:
 *   trace   /sys/kernel/tracing/trace of a recent kernel: symbolic call
 *           sites (some in modules: "func+0x1f/0x170 [ext4]"), raw
 *           pointers without 0x, name= on the cache events, node= and
 *           accounted=, pfn= in hex;
 *   report  `trace-cmd report` of an older kernel: hex call sites,
 *           pointers with 0x, no cache names, pfn= in decimal, event
 *           names padded.
 *
 * The mix: a random walk of the live population around LIVE objects
 * (default 5000): allocating is likelier below it, freeing above. An
 * allocation is kmalloc 45% (request sizes from 8 bytes to 64 KiB,
 * weighted toward small ones), a named cache 38% (dentry, inode_cache,
 * filp, buffer_head, vm_area_struct, ... with their object sizes), pages
 * 17% (order 0 70%, 1 15%, 2 10%, 3 5%). A free takes the newest live
 * object half of the time (short-lived temporaries) and a random one
 * otherwise. Pointers are recycled per size class (last freed, first
 * reused), as a slab allocator does; pfns per order.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t u64;

static u64 rng_state = 0x9e3779b97f4a7c15ull;

static u64 rnd(void)
{
	u64 x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dull;
}

static unsigned int below(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

/* --- what is allocated ----------------------------------------------------- */

struct kreq {
	unsigned int bytes, weight;
};

/* kmalloc request sizes (bytes_req) and weights. */
static const struct kreq kreqs[] = {
	{ 8, 6 },     { 13, 4 },   { 16, 8 },   { 24, 6 },   { 32, 8 },   { 40, 5 },
	{ 64, 10 },   { 72, 4 },   { 96, 5 },   { 128, 8 },  { 160, 3 },  { 192, 5 },
	{ 256, 6 },   { 300, 3 },  { 512, 5 },  { 640, 2 },  { 1024, 4 }, { 1500, 2 },
	{ 2048, 2 },  { 3000, 1 }, { 4096, 2 }, { 6000, 1 }, { 8192, 1 }, { 20000, 1 },
	{ 65536, 1 },
};

struct cache {
	const char *name;
	unsigned int object_size, size, weight;
	const char *site;
};

static const struct cache caches[] = {
	{ "dentry", 192, 192, 20, "d_alloc+0x2b/0xb0" },
	{ "inode_cache", 600, 608, 6, "alloc_inode+0x5f/0xd0" },
	{ "ext4_inode_cache", 1096, 1096, 6, "ext4_alloc_inode+0x1f/0x170 [ext4]" },
	{ "filp", 256, 256, 15, "alloc_empty_file+0x4d/0x100" },
	{ "buffer_head", 104, 104, 10, "alloc_buffer_head+0x21/0x80" },
	{ "vm_area_struct", 176, 176, 12, "vm_area_alloc+0x1e/0x80" },
	{ "anon_vma", 80, 80, 5, "__anon_vma_prepare+0x8c/0x160" },
	{ "anon_vma_chain", 64, 64, 6, "anon_vma_clone+0x5c/0x1c0" },
	{ "radix_tree_node", 576, 576, 4, "xas_alloc+0x9d/0xc0" },
	{ "skbuff_head_cache", 232, 256, 8, "__alloc_skb+0x8e/0x1d0" },
	{ "kernfs_node_cache", 128, 128, 3, "__kernfs_new_node+0x4a/0x230" },
	{ "task_struct", 7808, 7808, 1, "copy_process+0x1a5/0x1c10" },
	{ "mm_struct", 1152, 1152, 1, "mm_alloc+0x16/0x40" },
	{ "sighand_cache", 2088, 2112, 1, "copy_process+0x9b2/0x1c10" },
	{ "pid", 128, 128, 2, "alloc_pid+0x4c/0x3c0" },
	{ "cred_jar", 184, 192, 2, "prepare_creds+0x1b/0x1b0" },
	{ "names_cache", 4096, 4096, 3, "getname_flags+0x4c/0x1f0" },
	{ "jbd2_journal_head", 120, 120, 3, "jbd2_journal_add_journal_head+0x72/0x120 [jbd2]" },
};
#define NR_CACHES (sizeof(caches) / sizeof(caches[0]))

static const char *const kmalloc_sites[] = {
	"load_elf_binary+0x1f4/0x1180", "kvmalloc_node+0x47/0xd0", "seq_open+0x29/0x90",
	"alloc_pipe_info+0x8b/0x1b0", "__register_sysctl_table+0x5b/0x6a0",
	"ext4_htree_store_dirent+0x3a/0x120 [ext4]", "single_open+0x2a/0x90",
	"kmemdup+0x1c/0x40", "tty_buffer_alloc+0x4e/0x90", "sock_alloc_inode+0x1b/0x90",
};
#define NR_KSITES (sizeof(kmalloc_sites) / sizeof(kmalloc_sites[0]))

static const char *const page_gfps[] = {
	"GFP_KERNEL", "GFP_HIGHUSER_MOVABLE|__GFP_ZERO", "GFP_KERNEL|__GFP_COMP|__GFP_ZERO",
	"GFP_NOWAIT|__GFP_NOWARN", "GFP_HIGHUSER_MOVABLE",
};
static const unsigned int page_mt[] = { 0, 1, 0, 0, 1 };

static const struct {
	const char *comm;
	int pid;
} tasks[] = {
	{ "bash", 1234 },         { "kworker/u16:3", 87 }, { "systemd-journal", 345 },
	{ "Web Content", 4567 },  { "gcc", 8812 },         { "ksoftirqd/2", 22 },
	{ "jbd2/sda1-8", 301 },   { "<idle>", 0 },
};
#define NR_TASKS (sizeof(tasks) / sizeof(tasks[0]))

/* kmalloc's size class for a request (bytes_alloc). */
static unsigned int kmalloc_class(unsigned int bytes, unsigned int *cls)
{
	static const unsigned int sizes[] = { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192 };
	unsigned int n = 4096 * 4;

	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (bytes <= sizes[i]) {
			*cls = i;
			return sizes[i];
		}
	*cls = 13; /* kmalloc_large: whole pages, a power of two */
	while (n < bytes)
		n *= 2;
	*cls += (unsigned int)__builtin_ctz(n / 16384);
	return n;
}

/* --- address pools: per class, the last freed address is reused first ---- */

#define NR_POOLS 64

struct pool {
	u64 base, next, step;
	u64 *free;
	size_t nfree, cap;
};

static struct pool pools[NR_POOLS];

static u64 pool_get(struct pool *p)
{
	u64 a;

	if (p->nfree)
		return p->free[--p->nfree];
	a = p->base + p->next;
	p->next += p->step;
	return a;
}

static void pool_put(struct pool *p, u64 a)
{
	if (p->nfree == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 256;
		p->free = realloc(p->free, p->cap * sizeof(u64));
		if (!p->free) {
			perror("gen-trace");
			exit(1);
		}
	}
	p->free[p->nfree++] = a;
}

/* Pools: 0..19 kmalloc classes, 20..39 caches, 40..43 page orders. */
static void pools_init(void)
{
	for (unsigned int i = 0; i < 20; i++)
		pools[i] = (struct pool){ .base = 0xffff888100000000ull + (u64)i * 0x10000000ull };
	for (unsigned int i = 0; i < NR_CACHES; i++)
		pools[20 + i] = (struct pool){ .base = 0xffff888300000000ull + (u64)i * 0x10000000ull,
					       .step = caches[i].size };
	for (unsigned int o = 0; o < 4; o++)
		pools[40 + o] = (struct pool){ .base = 0x100000ull + (u64)o * 0x100000ull, .step = 1ull << o };
}

/* --- live objects ------------------------------------------------------------ */

enum { KM, CA, PG };

struct obj {
	unsigned char kind;
	unsigned char pool;
	unsigned short cache;
	unsigned int order;
	u64 addr; /* ptr, or pfn */
};

static struct obj *live;
static size_t nlive, caplive;

static void live_add(struct obj o)
{
	if (nlive == caplive) {
		caplive = caplive ? caplive * 2 : 4096;
		live = realloc(live, caplive * sizeof(*live));
		if (!live) {
			perror("gen-trace");
			exit(1);
		}
	}
	live[nlive++] = o;
}

/* --- output ---------------------------------------------------------------------- */

static int report_fmt;
static u64 now_us = 1000000000ull; /* 1000 s after boot */

static void prefix(const char *event)
{
	unsigned int t = below(NR_TASKS), cpu = below(4);
	char name[40];

	now_us += 1 + below(40);
	snprintf(name, sizeof(name), "%s:", event);
	if (report_fmt)
		printf("%16s-%-5d [%03u] %5" PRIu64 ".%06" PRIu64 ": %-20s ", tasks[t].comm, tasks[t].pid,
		       cpu, now_us / 1000000, now_us % 1000000, name);
	else
		printf("%16s-%-7d [%03u] ..... %5" PRIu64 ".%06" PRIu64 ": %s: ", tasks[t].comm,
		       tasks[t].pid, cpu, now_us / 1000000, now_us % 1000000, event);
}

static void call_site(const char *sym)
{
	if (report_fmt)
		printf("call_site=ffffffff81%06x ", (unsigned int)(strlen(sym) * 0x1357 + (unsigned char)sym[0]) & 0xffffff);
	else
		printf("call_site=%s ", sym);
}

static void ptr(u64 p)
{
	if (report_fmt)
		printf("ptr=0x%" PRIx64, p);
	else
		printf("ptr=%016" PRIx64, p);
}

static void page_fields(u64 pfn, unsigned int order)
{
	u64 page = 0xffffea0000000000ull + pfn * 64;

	if (report_fmt)
		printf("page=0x%" PRIx64 " pfn=%" PRIu64 " order=%u", page, pfn, order);
	else
		printf("page=%016" PRIx64 " pfn=0x%" PRIx64 " order=%u", page, pfn, order);
}

static void do_kmalloc(void)
{
	unsigned int total = 0, w, cls, req, alloc;
	struct obj o = { .kind = KM };
	size_t i;

	for (i = 0; i < sizeof(kreqs) / sizeof(kreqs[0]); i++)
		total += kreqs[i].weight;
	w = below(total);
	for (i = 0; w >= kreqs[i].weight; i++)
		w -= kreqs[i].weight;
	req = kreqs[i].bytes;
	if (req > 16 && req < 8192 && below(3) == 0) /* vary around the common sizes */
		req -= below(req / 4);
	alloc = kmalloc_class(req, &cls);
	o.pool = (unsigned char)cls;
	pools[cls].step = alloc;
	o.addr = pool_get(&pools[cls]);
	prefix("kmalloc");
	call_site(kmalloc_sites[below(NR_KSITES)]);
	ptr(o.addr);
	printf(" bytes_req=%u bytes_alloc=%u gfp_flags=%s", req, alloc,
	       below(4) ? "GFP_KERNEL" : below(2) ? "GFP_KERNEL|__GFP_ZERO" : "GFP_ATOMIC|__GFP_NOWARN");
	printf(report_fmt ? "\n" : " node=-1 accounted=false\n");
	live_add(o);
}

static void do_cache_alloc(void)
{
	unsigned int total = 0, w, i;
	struct obj o = { .kind = CA };
	const struct cache *c;

	for (i = 0; i < NR_CACHES; i++)
		total += caches[i].weight;
	w = below(total);
	for (i = 0; w >= caches[i].weight; i++)
		w -= caches[i].weight;
	c = &caches[i];
	o.cache = (unsigned short)i;
	o.pool = (unsigned char)(20 + i);
	o.addr = pool_get(&pools[o.pool]);
	prefix("kmem_cache_alloc");
	call_site(c->site);
	ptr(o.addr);
	if (!report_fmt)
		printf(" name=%s", c->name);
	printf(" bytes_req=%u bytes_alloc=%u gfp_flags=%s", c->object_size, c->size,
	       below(8) ? "GFP_KERNEL" : "GFP_NOFS|__GFP_RECLAIMABLE");
	if (report_fmt)
		printf("\n");
	else
		printf(" node=-1 accounted=%s\n", below(2) ? "true" : "false");
	live_add(o);
}

static void do_page_alloc(void)
{
	unsigned int w = below(100), order = w < 70 ? 0 : w < 85 ? 1 : w < 95 ? 2 : 3;
	unsigned int g = below(sizeof(page_gfps) / sizeof(page_gfps[0]));
	struct obj o = { .kind = PG, .order = order, .pool = (unsigned char)(40 + order) };

	o.addr = pool_get(&pools[o.pool]);
	prefix("mm_page_alloc");
	page_fields(o.addr, order);
	printf(" migratetype=%u gfp_flags=%s\n", page_mt[g], page_gfps[g]);
	if (!report_fmt && below(10) == 0) { /* skipped by the replayer */
		prefix("mm_page_alloc_zone_locked");
		page_fields(o.addr, order);
		printf(" migratetype=%u percpu_refill=%d\n", page_mt[g], order == 0);
	}
	live_add(o);
}

static void do_free(void)
{
	size_t i = below(2) ? nlive - 1 : below((unsigned int)nlive);
	struct obj o = live[i];

	live[i] = live[--nlive];
	switch (o.kind) {
	case KM:
		prefix("kfree");
		call_site(kmalloc_sites[below(NR_KSITES)]);
		ptr(o.addr);
		printf("\n");
		break;
	case CA:
		prefix("kmem_cache_free");
		call_site(caches[o.cache].site);
		ptr(o.addr);
		if (!report_fmt)
			printf(" name=%s", caches[o.cache].name);
		printf("\n");
		break;
	default:
		prefix("mm_page_free");
		page_fields(o.addr, o.order);
		printf("\n");
		break;
	}
	pool_put(&pools[o.pool], o.addr);
}

static void header(u64 n)
{
	if (report_fmt) {
		printf("cpus=4\n");
		return;
	}
	printf("# tracer: nop\n#\n# entries-in-buffer/entries-written: %" PRIu64 "/%" PRIu64 "   #P:4\n#\n", n, n);
	printf("#                                _-----=> irqs-off/BH-disabled\n"
	       "#                               / _----=> need-resched\n"
	       "#                              | / _---=> hardirq/softirq\n"
	       "#                              || / _--=> preempt-depth\n"
	       "#                              ||| / _-=> migrate-disable\n"
	       "#                              |||| /     delay\n"
	       "#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n"
	       "#              | |         |   |||||     |         |\n");
}

static void usage(void)
{
	fprintf(stderr, "usage: gen-trace [-f trace|report] [-s SEED] [-l LIVE] N\n");
	exit(2);
}

int main(int argc, char **argv)
{
	u64 n = 0, target = 5000;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-f") == 0 && i + 1 < argc) {
			i++;
			if (strcmp(argv[i], "report") == 0)
				report_fmt = 1;
			else if (strcmp(argv[i], "trace") != 0)
				usage();
		} else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
			rng_state = strtoull(argv[++i], NULL, 0) | 1;
		} else if (strcmp(argv[i], "-l") == 0 && i + 1 < argc) {
			target = strtoull(argv[++i], NULL, 0);
		} else if (argv[i][0] != '-' && !n) {
			n = strtoull(argv[i], NULL, 0);
		} else {
			usage();
		}
	}
	if (!n || !target)
		usage();
	pools_init();
	header(n);
	for (u64 e = 0; e < n; e++) {
		/* P(alloc): 0.9 when empty, 0.5 at the target, 0.25 far above. */
		double p = 0.5 + 0.5 * ((double)target - (double)nlive) / (double)target;
		unsigned int w;

		p = p < 0.25 ? 0.25 : p > 0.9 ? 0.9 : p;
		if (nlive && (double)(rnd() >> 11) / 9007199254740992.0 >= p) {
			do_free();
			continue;
		}
		w = below(100);
		if (w < 45)
			do_kmalloc();
		else if (w < 83)
			do_cache_alloc();
		else
			do_page_alloc();
	}
	return ferror(stdout) ? 1 : 0;
}
