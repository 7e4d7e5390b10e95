/*
 * slab_debug.c - the slab allocator's debugging: slab_debug=FZPU (or the
 * SLAB_* flags at kmem_cache_create), the checked allocation and free
 * paths of a debug cache, and the error reports of every cache.
 *
 * Contract with mm/slab.c: a cache with any of SLAB_DEBUG_FLAGS gets
 * magazines of capacity 0, so every kmem_cache_alloc/free of it leaves the
 * inline fast path and kmem_cache_alloc_slow/free_slow call
 * slab_debug_alloc/slab_debug_free here; an ordinary cache never runs a
 * line of this file on its fast paths (only slab_report, when the core
 * finds a corrupted free link, a double free in a row or a foreign
 * pointer). The flags are fixed when the cache is made: the geometry
 * (mm/slab.c, setup_geometry) leaves room for what they need.
 *
 * A cache that init_on_alloc= or init_on_free= applies to (include/mm/
 * meminit.h; slab_meminit) and that cannot be a zeroing cache (a debug
 * cache, objects below 16 bytes: mm/slab.c, "Zeroing caches") has no
 * magazines either and takes the same paths, which zero its objects: at
 * allocation, and at free once the checks passed.
 *
 * On the checked paths every free must be an object start of a slab of
 * this cache and not on its slab's free list already (a double free), or
 * it is reported and dropped. That is all F asks for; the other flags add
 * (object layout in mm/slab_internal.h):
 *   Z  the red zones around an object hold RED_ACTIVE while it is out and
 *      RED_INACTIVE while it is free; both are checked at each allocation
 *      and free, reported with the first damaged byte, then rewritten;
 *   P  a free object (of a cache without constructor) holds POISON_FREE
 *      ending in POISON_END; any other byte at allocation is a use after
 *      free; the poison is rewritten and the object handed out anyway;
 *   U  each object records who last allocated and freed it (caller
 *      address and hart), printed with every report on it.
 * The checks of P and Z on free objects are also made by kmem_cache_check
 * (mm/slab_check.c) for every free object, at any time.
 *
 * A report never stops the kernel: it counts in the cache's nr_errors and
 * slab_errors, remembers the last message (last_error, which tests read)
 * and prints "slab error: cache NAME: object ADDR: WHAT".
 */
#include <lib/cmdline.h>
#include <lib/kstring.h>
#include <mm/port.h>
#include <mm/mm.h>
#include <mm/slab.h>

#include "slab_internal.h"

unsigned long slab_debug_flags;
char slab_debug_cache[SLAB_DEBUG_LIST_LEN];
unsigned long slab_errors;

/* ============================ error reports ============================== */

void slab_print_track(const char *what, const struct slab_track *t)
{
	unsigned long off;
	const char *name = t->caller ? ksym_lookup(t->caller, &off) : NULL;

	if (!t->caller)
		return;
	if (name)
		kprintf("  %s by %s+0x%lx on cpu %u\n", what, name, off, t->cpu);
	else
		kprintf("  %s by [<%016lx>] on cpu %u\n", what, t->caller, t->cpu);
}

void slab_report(struct kmem_cache *c, const void *obj, const char *what, const u8 *bytes,
		 unsigned int off)
{
	c->nr_errors++;
	c->last_error = what;
	slab_errors++;
	kprintf("slab error: cache %s: object %p: %s\n", c->name, obj, what);
	if (bytes) {
		kprintf("  bytes at object offset %d:", (int)off);
		for (int i = 0; i < 8; i++)
			kprintf(" %02x", bytes[i]);
		kprintf("\n");
	}
	if ((c->flags & SLAB_STORE_USER) && obj && slab_head(obj) &&
	    slab_head(obj)->slab_cache == c && is_object(c, slab_head(obj), obj)) {
		const struct slab_track *t = (const struct slab_track *)((const char *)obj + c->track_offset);

		slab_print_track("last allocated", &t[0]);
		slab_print_track("last freed", &t[1]);
	}
}

/* Check one red zone; put it to @set afterwards. Returns false on damage. */
static bool check_red(struct kmem_cache *c, void *obj, u8 *zone, unsigned int n, u8 want,
		      u8 set, const char *what)
{
	const u8 *bad = memchr_inv(zone, want, n);

	if (bad) /* show the first damaged byte, not the start of the zone */
		slab_report(c, obj, what, bad, (unsigned int)(bad - (const u8 *)obj));
	memset(zone, set, n);
	return !bad;
}

/* ======================= poison and user tracking ======================== */

static void poison(const struct kmem_cache *c, void *obj)
{
	memset(obj, POISON_FREE, c->object_size - 1);
	((u8 *)obj)[c->object_size - 1] = POISON_END;
}

bool slab_poisoned(const struct kmem_cache *c, const void *obj, unsigned int *at)
{
	const u8 *bad = memchr_inv(obj, POISON_FREE, c->object_size - 1);

	if (!bad && ((const u8 *)obj)[c->object_size - 1] == POISON_END)
		return true;
	*at = bad ? (unsigned int)(bad - (const u8 *)obj) : c->object_size - 1;
	return false;
}

static void set_track(struct kmem_cache *c, void *obj, int which, unsigned long caller)
{
	struct slab_track *t = (struct slab_track *)((char *)obj + c->track_offset);

	t[which].caller = caller;
	t[which].cpu = this_cpu();
	t[which].when_ms = (u32)(time_now_us() / 1000);
}

void slab_debug_init_object(struct kmem_cache *c, void *obj)
{
	if (c->flags & SLAB_RED_ZONE) {
		memset((char *)obj - c->red_left, RED_INACTIVE, c->red_left);
		memset((char *)obj + c->object_size, RED_INACTIVE, c->fp_offset - c->object_size);
	}
	if (c->flags & SLAB_STORE_USER)
		memset((char *)obj + c->track_offset, 0, 2 * sizeof(struct slab_track));
	if (poisons(c))
		poison(c, obj);
}

/* ============================ debug paths ================================ */

void *slab_debug_alloc(struct kmem_cache *c, gfp_t gfp, unsigned long caller)
{
	void *obj;
	unsigned int at;

	spin_lock(&c->lock);
	obj = slab_alloc_locked(c, gfp);
	spin_unlock(&c->lock);
	if (!obj)
		return NULL;
	if (c->flags & SLAB_RED_ZONE) {
		check_red(c, obj, (u8 *)obj - c->red_left, c->red_left, RED_INACTIVE, RED_ACTIVE,
			  "red zone before a free object overwritten");
		check_red(c, obj, (u8 *)obj + c->object_size, c->fp_offset - c->object_size,
			  RED_INACTIVE, RED_ACTIVE, "red zone after a free object overwritten");
	}
	if (poisons(c) && !slab_poisoned(c, obj, &at)) {
		slab_report(c, obj, "use after free: a free object was written to", (u8 *)obj + at, at);
		poison(c, obj);
	}
	if (slab_meminit(c)) /* (init_on_free: the free link is all that is left to clear) */
		memset(obj, 0, c->object_size);
	if (c->flags & SLAB_STORE_USER)
		set_track(c, obj, 0, caller);
	return obj;
}

/* Is obj on its slab's free list or fresh? (A double free, when it is.) */
static bool on_free_list(struct kmem_cache *c, struct page *head, void *obj)
{
	void *p = head->slab_free ? slab_base(head) + head->slab_free - 1 : NULL;

	if (is_fresh(c, head, obj))
		return true;
	for (unsigned int n = 0; p && n <= c->objs_per_slab; n++) {
		if (p == obj)
			return true;
		p = get_fp(c, p);
		if (p && !is_object(c, head, p))
			return false; /* broken list: slab_pop reports it */
	}
	return false;
}

void slab_debug_free(struct kmem_cache *c, void *obj, unsigned long caller)
{
	struct page *head = slab_head(obj);

	if (!head || head->slab_cache != c || !is_object(c, head, obj)) {
		slab_report(c, obj, "free of a pointer that is not an object of this cache", NULL, 0);
		return;
	}
	spin_lock(&c->lock);
	if (on_free_list(c, head, obj)) {
		spin_unlock(&c->lock);
		slab_report(c, obj, "double free", NULL, 0);
		return;
	}
	if (c->flags & SLAB_RED_ZONE) {
		check_red(c, obj, (u8 *)obj - c->red_left, c->red_left, RED_ACTIVE, RED_INACTIVE,
			  "write before the object (red zone overwritten)");
		check_red(c, obj, (u8 *)obj + c->object_size, c->fp_offset - c->object_size,
			  RED_ACTIVE, RED_INACTIVE, "write past the object (red zone overwritten)");
	}
	if (c->flags & SLAB_STORE_USER)
		set_track(c, obj, 1, caller);
	if (poisons(c)) /* (poison wipes the object too: init_on_free leaves it be, as Linux's) */
		poison(c, obj);
	else if (want_init_on_free() && slab_meminit(c))
		memset(obj, 0, c->object_size);
	slab_free_locked(c, obj);
	spin_unlock(&c->lock);
}

/* ====================== slab_debug= boot parameter ======================= */

/* The length of the name at @p in a comma-separated list. */
static size_t list_name_len(const char *p)
{
	const char *comma = strchr(p, ',');

	return comma ? (size_t)(comma - p) : strlen(p);
}

/* Is @name one of the comma-separated names of @list? */
static bool name_in_list(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list;; p += list_name_len(p) + 1) {
		if (list_name_len(p) == n && memcmp(p, name, n) == 0)
			return true;
		if (!p[list_name_len(p)])
			return false;
	}
}

unsigned long slab_debug_flags_for(const char *name)
{
	if (!slab_debug_flags)
		return 0;
	if (slab_debug_cache[0] && !name_in_list(slab_debug_cache, name))
		return 0;
	return slab_debug_flags;
}

/* A list of cache names: each non-empty, shorter than SLAB_NAME_LEN (a
 * longer one could be no cache's), no ';' (Linux's separator of several
 * option blocks, which rvmm does not take), and the whole list fits. */
static bool valid_name_list(const char *list)
{
	if (strlen(list) >= SLAB_DEBUG_LIST_LEN || strchr(list, ';'))
		return false;
	for (const char *p = list;; p += list_name_len(p) + 1) {
		size_t n = list_name_len(p);

		if (n == 0 || n >= SLAB_NAME_LEN)
			return false;
		if (!p[n])
			return true;
	}
}

/*
 * slab_debug            every debug check on every cache
 * slab_debug=FLAGS      those checks on every cache
 * slab_debug=FLAGS,NAME[,NAME...]  those checks on the caches named
 * FLAGS: F sanity checks, Z red zones, P poisoning, U user tracking.
 * Applies to caches created after parsing (all of them, at boot).
 * slub_debug= is the same (Linux's name for it before 6.8).
 */
static int slab_debug_param(const char *value)
{
	unsigned long flags = 0;
	const char *p = value;

	if (!value || !*value) {
		slab_debug_flags = SLAB_DEBUG_FLAGS;
		slab_debug_cache[0] = '\0';
		return 0;
	}
	for (; *p && *p != ','; p++) {
		switch (*p) {
		case 'F': case 'f': flags |= SLAB_CONSISTENCY_CHECKS; break;
		case 'Z': case 'z': flags |= SLAB_RED_ZONE; break;
		case 'P': case 'p': flags |= SLAB_POISON; break;
		case 'U': case 'u': flags |= SLAB_STORE_USER; break;
		default: return -EINVAL;
		}
	}
	if (!flags || (*p == ',' && !valid_name_list(p + 1)))
		return -EINVAL;
	slab_debug_flags = flags;
	kstrlcpy(slab_debug_cache, *p == ',' ? p + 1 : "", sizeof(slab_debug_cache));
	return 0;
}
KPARAM("slab_debug", slab_debug_param, "slab_debug[=FZPU[,cache,...]]  slab debugging checks");
static int slub_debug_param(const char *value)
{
	return slab_debug_param(value);
}
KPARAM("slub_debug", slub_debug_param, "slub_debug[=FZPU[,cache,...]]  the same as slab_debug (Linux's name before 6.8)");
