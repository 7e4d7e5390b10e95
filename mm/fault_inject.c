/*
 * fault_inject.c - fail_page_alloc and failslab: allocation failures on
 * purpose, so that every caller's NULL path runs (include/mm/fault_inject.h has
 * the spec; docs/reliability.md the whole story).
 *
 * An injector (struct fault_attr) counts the calls it is eligible for and
 * fails every Nth of them (interval) or each with a probability (a per-hart
 * xorshift sequence, so harts do not share a cache line to draw), until its
 * `times` budget runs out. Counters are atomic: harts check concurrently.
 *
 * The allocators call should_fail_alloc_page / should_failslab only from
 * their slow paths, and only while injection is active. To reach those
 * paths on every request, switching injection on routes around the fast
 * paths (mm_set_node rebinds the hart slots of order-0 allocation to the
 * always-empty stack; kmem_cache_set_failslab gives a cache magazines of
 * capacity 0; slob_heap_set_fault_inject sends kmalloc's SLOB heap down its
 * slow path), and switching it off restores them. Nothing on a fast path
 * tests anything, so the instruction counts with injection off are those
 * without it.
 */
#include <lib/cmdline.h>
#include <mm/fault_inject.h>
#include <lib/kstring.h>
#include <lib/parse.h>
#include <mm/mmzone.h>
#include <mm/percpu.h>
#include <mm/slab.h>
#include <mm/slob.h>
#include "internal.h"
#ifndef HOST
#endif

struct fault_attr fail_page_alloc = {
	.name = "fail_page_alloc", .times = -1, .order = -1, .verbose = FAULT_VERBOSE_DEFAULT, .seed = 1,
};
struct fault_attr failslab = {
	.name = "failslab", .times = -1, .order = -1, .verbose = FAULT_VERBOSE_DEFAULT, .seed = 1,
};

/* ---- the spec ----------------------------------------------------------- */

static bool key_is(const char *tok, size_t keylen, const char *key)
{
	return keylen == strlen(key) && memcmp(tok, key, keylen) == 0;
}

/* One "key=value" option of the spec. */
static int parse_option(struct fault_attr *n, bool slab, const char *tok, size_t len)
{
	const char *eq = memchr(tok, '=', len);
	const char *val;
	size_t klen, vlen;
	u64 v;

	if (!eq)
		return -EINVAL;
	klen = (size_t)(eq - tok);
	val = eq + 1;
	vlen = len - klen - 1;
	if (key_is(tok, klen, "cache")) {
		if (!slab || vlen == 0 || vlen >= sizeof(n->cache))
			return -EINVAL;
		memcpy(n->cache, val, vlen);
		n->cache[vlen] = '\0';
		return 0;
	}
	if (key_is(tok, klen, "times") && vlen == 2 && memcmp(val, "-1", 2) == 0) {
		n->times = -1;
		return 0;
	}
	if (parse_u64_len(val, vlen, &v))
		return -EINVAL;
	if (key_is(tok, klen, "times") && v <= (u64)(~0ul >> 1))
		n->times = (long)v;
	else if (key_is(tok, klen, "order") && !slab && v < MAX_ORDER)
		n->order = (int)v;
	else if (key_is(tok, klen, "verbose"))
		n->verbose = (unsigned long)v;
	else if (key_is(tok, klen, "seed"))
		n->seed = v;
	else
		return -EINVAL;
	return 0;
}

/* RATE: "P%" (0..100) or "N" (every Nth, N >= 1). */
static int parse_rate(struct fault_attr *n, const char *tok, size_t len)
{
	u64 v;

	if (len > 1 && tok[len - 1] == '%') {
		if (parse_u64_len(tok, len - 1, &v) || v > 100)
			return -EINVAL;
		n->probability = (unsigned int)v;
		n->interval = 0;
		return 0;
	}
	if (parse_u64_len(tok, len, &v) || v == 0)
		return -EINVAL;
	n->interval = (unsigned long)v;
	n->probability = 0;
	return 0;
}

int fault_attr_parse(struct fault_attr *cfg, const char *spec)
{
	bool slab = cfg->name && strcmp(cfg->name, "failslab") == 0;
	struct fault_attr n = { .times = -1, .order = -1, .verbose = FAULT_VERBOSE_DEFAULT, .seed = 1 };
	const char *p = spec;
	bool first = true;

	if (!spec || !*spec)
		return -EINVAL;
	if (strcmp(spec, "off") == 0) {
		cfg->active = false;
		return 0;
	}
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		int rc = first ? parse_rate(&n, p, len) : parse_option(&n, slab, p, len);

		if (rc)
			return rc;
		first = false;
		p += len;
		if (*p == ',' && !*++p)
			return -EINVAL; /* a trailing comma */
	}
	cfg->probability = n.probability;
	cfg->interval = n.interval;
	cfg->times = n.times;
	cfg->order = n.order;
	memcpy(cfg->cache, n.cache, sizeof(cfg->cache));
	cfg->verbose = n.verbose;
	cfg->seed = n.seed;
	cfg->active = true;
	return 0;
}

void fault_attr_spec(const struct fault_attr *a, char *buf, size_t size)
{
	size_t len;

	if (!a->active) {
		kstrlcpy(buf, "off", size);
		return;
	}
	if (a->interval)
		ksnprintf(buf, size, "%lu", a->interval);
	else
		ksnprintf(buf, size, "%u%%", a->probability);
#define SPEC_ADD(...)                                                  \
	do {                                                           \
		len = strlen(buf);                                     \
		ksnprintf(buf + len, size > len ? size - len : 0, __VA_ARGS__); \
	} while (0)
	if (a->times >= 0)
		SPEC_ADD(",times=%ld", a->times);
	if (a->order >= 0)
		SPEC_ADD(",order=%d", a->order);
	if (a->cache[0])
		SPEC_ADD(",cache=%s", a->cache);
	if (a->verbose != FAULT_VERBOSE_DEFAULT)
		SPEC_ADD(",verbose=%lu", a->verbose);
	if (a->seed != 1)
		SPEC_ADD(",seed=%llu", (unsigned long long)a->seed);
#undef SPEC_ADD
}

/* ---- deciding ----------------------------------------------------------- */

static void seed_harts(struct fault_attr *a)
{
	for (unsigned int cpu = 0; cpu < MAX_HARTS; cpu++) {
		u64 z = a->seed + (cpu + 1) * 0x9e3779b97f4a7c15ull;

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		z ^= z >> 31;
		a->rng[cpu] = z ? z : 0x2545f4914f6cdd1dull;
	}
}

static unsigned int percent_draw(struct fault_attr *a)
{
	u64 *x = &a->rng[this_cpu() % MAX_HARTS];

	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return (unsigned int)(*x % 100);
}

/* Count an eligible call; true when it is to fail. */
static bool should_fail(struct fault_attr *a, gfp_t gfp)
{
	unsigned long n = __atomic_add_fetch(&a->calls, 1, __ATOMIC_RELAXED);

	if (a->interval) {
		if (n % a->interval)
			return false;
	} else if (percent_draw(a) >= a->probability) {
		return false;
	}
	if (__atomic_load_n(&a->times, __ATOMIC_RELAXED) >= 0) {
		long t = __atomic_load_n(&a->times, __ATOMIC_RELAXED);

		do {
			if (t <= 0)
				return false;
		} while (!__atomic_compare_exchange_n(&a->times, &t, t - 1, false, __ATOMIC_RELAXED,
						      __ATOMIC_RELAXED));
	}
	__atomic_add_fetch(&a->failures, 1, __ATOMIC_RELAXED);
	if (gfp & __GFP_NOWARN)
		__atomic_add_fetch(&a->nowarn, 1, __ATOMIC_RELAXED);
	return true;
}

/* Whether to print this failure: the first `verbose`, unless __GFP_NOWARN;
 * one more line says the rest is not printed. */
static bool report(struct fault_attr *a, gfp_t gfp)
{
	unsigned long p;

	if (gfp & __GFP_NOWARN)
		return false;
	p = __atomic_fetch_add(&a->printed, 1, __ATOMIC_RELAXED);
	if (p == a->verbose && a->verbose)
		kprintf("%s: further injected failures are not printed (faultinject shows the counts)\n",
			a->name);
	return p < a->verbose;
}

bool should_fail_alloc_page(gfp_t gfp, unsigned int order)
{
	struct fault_attr *a = &fail_page_alloc;

	if (!a->active || (a->order >= 0 && (unsigned int)a->order != order))
		return false;
	if (!should_fail(a, gfp))
		return false;
	if (report(a, gfp))
		kprintf("fail_page_alloc: injected failure %lu (order:%u, mode:0x%x)\n",
			a->failures, order, gfp);
	return true;
}

bool failslab_targets(const char *name)
{
	return failslab.active && (!failslab.cache[0] || strcmp(failslab.cache, name) == 0);
}

bool should_failslab(const char *cache, gfp_t gfp)
{
	struct fault_attr *a = &failslab;

	if (!failslab_targets(cache) || !should_fail(a, gfp))
		return false;
	if (report(a, gfp))
		kprintf("failslab: injected failure %lu (cache %s, mode:0x%x)\n", a->failures, cache, gfp);
	return true;
}

/* ---- switching on and off ------------------------------------------------ */

static void route_cache(struct kmem_cache *c, void *arg)
{
	(void)arg;
	kmem_cache_set_failslab(c, failslab_targets(c->name));
}

/* Point the allocators' routing at the injectors' current state. */
static void reroute(struct fault_attr *a)
{
	if (a == &fail_page_alloc) {
		if (mem_node && mem_node->sections) /* the page allocator is up */
			mm_set_node(mem_node);
		return;
	}
	slab_for_each_cache(route_cache, NULL);
	if (kmalloc_heap.name) /* kmalloc_init ran */
		slob_heap_set_fault_inject(&kmalloc_heap, failslab_targets(kmalloc_heap.name));
}

static void find_target(struct kmem_cache *c, void *arg)
{
	if (strcmp(c->name, failslab.cache) == 0)
		*(bool *)arg = true;
}

bool failslab_target_exists(void)
{
	bool found = false;

	if (!failslab.cache[0] || (kmalloc_heap.name && strcmp(kmalloc_heap.name, failslab.cache) == 0))
		return true;
	slab_for_each_cache(find_target, &found);
	return found;
}

/* The console's word on a cache=NAME no cache has yet. */
static void say_if_no_target(const char *who)
{
	if (failslab.active && !failslab_target_exists())
		kprintf("%s: no cache named '%s' yet: the rule applies when one is created\n", who,
			failslab.cache);
}

static void start(struct fault_attr *a, const struct fault_attr *cfg)
{
	a->probability = cfg->probability;
	a->interval = cfg->interval;
	a->times = cfg->times;
	a->order = cfg->order;
	memcpy(a->cache, cfg->cache, sizeof(a->cache));
	a->verbose = cfg->verbose;
	a->seed = cfg->seed;
	a->calls = a->failures = a->nowarn = a->printed = 0;
	seed_harts(a);
	__atomic_store_n(&a->active, true, __ATOMIC_RELEASE);
}

void fault_inject_clear(struct fault_attr *a)
{
	if (!a->active)
		return;
	__atomic_store_n(&a->active, false, __ATOMIC_RELEASE);
	reroute(a);
}

int fault_inject_set(struct fault_attr *a, const char *spec)
{
	struct fault_attr cfg = { .name = a->name };
	int rc = fault_attr_parse(&cfg, spec);

	if (rc)
		return rc;
	fault_inject_clear(a);
	if (!cfg.active)
		return 0;
	start(a, &cfg);
	reroute(a);
	return 0;
}

bool fault_inject_pause(struct fault_pause *p)
{
	p->page = fail_page_alloc;
	p->slab = failslab;
	fault_inject_clear(&fail_page_alloc);
	fault_inject_clear(&failslab);
	return p->page.active || p->slab.active;
}

static void resume_one(struct fault_attr *a, const struct fault_attr *saved)
{
	fault_inject_clear(a);
	if (!saved->active)
		return;
	*a = *saved;
	reroute(a);
}

void fault_inject_resume(const struct fault_pause *p)
{
	resume_one(&fail_page_alloc, &p->page);
	resume_one(&failslab, &p->slab);
}

/*
 * Boot parameters arm the injectors; fault_inject_boot_start starts them
 * once the kernel is up (every hart online), so that what booting itself
 * allocates (page tables and the like, which cannot fail gracefully) never
 * fails. Until then they only count nothing.
 */
static struct fault_attr boot_cfg[2] = { { .name = "fail_page_alloc" }, { .name = "failslab" } };

static int boot_set(struct fault_attr *cfg, const char *value)
{
	struct fault_attr n = { .name = cfg->name };
	int rc = fault_attr_parse(&n, value);

	if (rc)
		return rc;
	*cfg = n;
	return 0;
}

void fault_inject_boot_start(void)
{
	if (boot_cfg[0].active) {
		start(&fail_page_alloc, &boot_cfg[0]);
		reroute(&fail_page_alloc);
	}
	if (boot_cfg[1].active) {
		start(&failslab, &boot_cfg[1]);
		reroute(&failslab);
		say_if_no_target("failslab");
	}
	if (boot_cfg[0].active || boot_cfg[1].active)
		fault_inject_show();
}

static int fail_page_alloc_param(const char *value)
{
	return boot_set(&boot_cfg[0], value);
}
KPARAM("fail_page_alloc", fail_page_alloc_param,
       "fail_page_alloc=P%|N[,times=N][,order=N]  fail page allocations on purpose");

static int failslab_param(const char *value)
{
	return boot_set(&boot_cfg[1], value);
}
KPARAM("failslab", failslab_param,
       "failslab=P%|N[,times=N][,cache=NAME]  fail slab and kmalloc allocations on purpose");

/* ---- reports -------------------------------------------------------------- */

static void show_one(const struct fault_attr *a)
{
	char spec[96];

	fault_attr_spec(a, spec, sizeof(spec));
	kprintf("%s: %s calls=%lu failures=%lu nowarn=%lu\n", a->name, spec, a->calls, a->failures,
		a->nowarn);
}

void fault_inject_show(void)
{
	show_one(&fail_page_alloc);
	show_one(&failslab);
}

