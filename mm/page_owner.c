/*
 * page_owner.c - who holds each allocated page, and who last freed each
 * page: Linux's page_owner (page_owner=on at boot), its page_owner_sort
 * summary at the console, and its lines in a bad page report.
 *
 * Records. Each section of the node gets, when recording is switched on,
 * an array of struct page_owner_rec, one per pfn it has or may get through
 * hotplug (32 bytes a page: 0.8% of RAM, taken from the page allocator; the
 * section's `owners` word points at it, biased by its first pfn as map_base
 * is, so a lookup is one add). The page allocator's entry points
 * (alloc_pages and its wrappers, alloc_pages_exact, alloc_pages_fit,
 * alloc_contig_pages, node_alloc_pages, growing a run in place) note every
 * page they hand out with their own caller, the time and the gfp; a wrapper
 * notes after the entry point it calls, so the record names the code that
 * called the wrapper. The first page of an allocation carries PO_FIRST.
 * Its free entry points (__free_pages and its wrappers free_pages,
 * free_page and put_page, node_free_pages, free_pages_exact,
 * free_contig_range, and alloc_pages_exact giving back its tail) note
 * their caller and the time on every page of each block they free
 * (page_owner_note_free), once the free's checks passed and before the
 * block goes onto a list, and mark it PO_FREED; the allocation's fields
 * stay, and a new allocation keeps the last free's. A refused free (a
 * double free, another order) writes nothing, so the record still names
 * the last good free: page_owner_dump prints both, after bad_page's line.
 * While recording is on, the order-0 fast paths are routed to the slow
 * paths (allocations as fail_page_alloc routes them, frees through a
 * per-hart stack whose trim frees the slow way: mm/page_alloc.c), so
 * nothing escapes; with it off the fast paths pay nothing and the slow
 * entry points one test of page_owner_on. The report reads a record only
 * for a page that is allocated.
 *
 * The report. page_owner_collect walks every zone under its lock, as the
 * memmap command does: free blocks, per-hart pages and reserved pages are
 * skipped; a block an allocator typed (slab, SLOB, bigblock, vmalloc, page
 * table) counts for that allocator and its cache or heap, which say more
 * than the page allocator's caller would (slab_debug=U's alloc_traces
 * names the callers inside a cache); every other page counts for the
 * caller its record names (0: allocated before recording began, or its
 * section had no room for records). Owners are sorted by pages, largest
 * first; owners past the table's room are counted, not lost. The console
 * command's table is static, so the report never counts pages of its own.
 */
#include <lib/cmdline.h>
#include <lib/kstring.h>
#include <lib/spinlock.h>
#include <mm/mm_report.h>
#include <mm/page_owner.h>
#include <mm/port.h>
#include <mm/slab.h>
#include <mm/slob.h>

bool page_owner_on;
static bool boot_on; /* page_owner=on */

static int page_owner_param(const char *value)
{
	return parse_on_off(value, &boot_on);
}
KPARAM("page_owner", page_owner_param,
       "page_owner=on|off  record who allocated and who last freed every page"
       " (the page_owner command, bad page reports; default off)");

void page_owner_boot_start(void)
{
	if (boot_on)
		page_owner_enable(mem_node);
}

#define OWNERS_MAX 128 /* owners page_owner_show lists */

/* The pfns [first, end) section @ms's records must cover: those it has,
 * and those hotplug may still add to it. */
static void cover(const struct pglist_data *node, const struct mem_section *ms,
		  unsigned long *first, unsigned long *end)
{
	unsigned long i = (unsigned long)(ms - node->sections);
	unsigned long limit = node->section_base_pfn + ((i + 1) << PFN_SECTION_SHIFT);

	*first = ms->start_pfn;
	*end = MIN(limit, MAX(ms->end_pfn, node->hotplug_end_pfn));
}

/* Section @ms's records (it has them) and their size in bytes. */
static void *records(const struct pglist_data *node, const struct mem_section *ms, size_t *bytes)
{
	unsigned long first, end;

	cover(node, ms, &first, &end);
	*bytes = (end - first) * sizeof(struct page_owner_rec);
	return (void *)(ms->owners + first * sizeof(struct page_owner_rec));
}

static int give_records(struct pglist_data *node, struct mem_section *ms)
{
	unsigned long first, end;
	void *recs;

	if (!ms->map_base || ms->owners)
		return 0;
	cover(node, ms, &first, &end);
	recs = alloc_pages_exact((end - first) * sizeof(struct page_owner_rec), GFP_KERNEL | __GFP_ZERO);
	if (!recs)
		return -ENOMEM;
	ms->owners = (uintptr_t)recs - first * sizeof(struct page_owner_rec);
	return 0;
}

/* The records' own pages, taken before recording began: page_owner's. */
static void note_records(struct pglist_data *node)
{
	for (unsigned long i = 0; i < node->nr_sections; i++) {
		const struct mem_section *ms = &node->sections[i];
		size_t bytes;
		void *recs;

		if (!ms->owners)
			continue;
		recs = records(node, ms, &bytes);
		page_owner_note(node, PHYS_PFN(virt_to_phys(recs)), ALIGN_UP(bytes, PAGE_SIZE) >> PAGE_SHIFT,
				GFP_KERNEL | __GFP_ZERO, (unsigned long)page_owner_enable);
	}
}

int page_owner_enable(struct pglist_data *node)
{
	unsigned long n = 0;

	if (page_owner_on)
		return 0;
	for (unsigned long i = 0; i < node->nr_sections; i++) {
		if (give_records(node, &node->sections[i])) {
			kprintf("page_owner: no memory for the records of section %lu: left off\n", i);
			return -ENOMEM; /* (the sections given records keep them: harmless) */
		}
		n += node->sections[i].owners != 0;
	}
	__atomic_store_n(&page_owner_on, true, __ATOMIC_RELEASE);
	note_records(node);
	if (node == mem_node)
		mm_set_node(node); /* route the order-0 fast path to the slow path */
	kprintf("page_owner: on, records for %lu section(s)\n", n);
	return 0;
}

void page_owner_disable(struct pglist_data *node)
{
	if (!page_owner_on)
		return;
	__atomic_store_n(&page_owner_on, false, __ATOMIC_RELEASE);
	if (node == mem_node)
		mm_set_node(node); /* the order-0 fast path back */
	for (unsigned long i = 0; i < node->nr_sections; i++) {
		struct mem_section *ms = &node->sections[i];
		size_t bytes;
		void *recs;

		if (!ms->owners)
			continue;
		recs = records(node, ms, &bytes);
		free_pages_exact(recs, bytes);
		ms->owners = 0;
	}
}

void page_owner_section_added(struct pglist_data *node, struct mem_section *ms)
{
	if (page_owner_on && give_records(node, ms))
		kprintf("page_owner: no memory for the records of a new section: its pages show as"
			" not recorded\n");
}

static struct page_owner_rec *rec_of(const struct pglist_data *node, unsigned long pfn)
{
	const struct mem_section *ms;

	if (!node_pfn_valid(node, pfn))
		return NULL;
	ms = node_pfn_section(node, pfn);
	return ms->owners ? (struct page_owner_rec *)(ms->owners + pfn * sizeof(struct page_owner_rec))
			  : NULL;
}

const struct page_owner_rec *page_owner_rec(const struct pglist_data *node, unsigned long pfn)
{
	return page_owner_on ? rec_of(node, pfn) : NULL;
}

void page_owner_note(struct pglist_data *node, unsigned long pfn, unsigned long nr, gfp_t gfp,
		     unsigned long caller)
{
	u32 now = (u32)(time_now_us() / 1000);

	for (unsigned long i = 0; i < nr; i++) {
		struct page_owner_rec *r = rec_of(node, pfn + i);

		if (!r)
			continue;
		r->caller = caller;
		r->when_ms = now;
		r->gfp = (u16)gfp;
		r->flags = i ? 0 : PO_FIRST; /* (the last free stays) */
	}
}

void page_owner_note_free(struct pglist_data *node, unsigned long pfn, unsigned long nr,
			  unsigned long caller)
{
	u32 now = (u32)(time_now_us() / 1000);

	for (unsigned long i = 0; i < nr; i++) {
		struct page_owner_rec *r = rec_of(node, pfn + i);

		if (!r)
			continue;
		r->free_caller = caller;
		r->free_ms = now;
		r->flags |= PO_FREED;
	}
}

void page_owner_extend(struct pglist_data *node, unsigned long pfn, unsigned long nr,
		       unsigned long new_nr)
{
	const struct page_owner_rec *head = rec_of(node, pfn);

	for (unsigned long i = nr; head && i < new_nr; i++) {
		struct page_owner_rec *r = rec_of(node, pfn + i);

		if (!r)
			continue;
		r->caller = head->caller;
		r->when_ms = head->when_ms;
		r->gfp = head->gfp;
		r->flags = 0;
	}
}

/* @addr as the reports show a caller (mm_describe_caller). */
static void print_caller(unsigned long addr)
{
	char buf[64]; /* (as vmallocinfo's: a longer name is cut) */

	mm_describe_caller(buf, sizeof(buf), addr);
	kprintf("%s", buf);
}

void page_owner_dump(const struct pglist_data *node, unsigned long pfn, unsigned long caller)
{
	const struct page_owner_rec *r = page_owner_rec(node, pfn);

	if (!page_owner_on)
		return;
	if (!r) {
		kprintf("page_owner: pfn 0x%lx has no record\n", pfn);
		return;
	}
	if (r->caller) {
		kprintf("page last allocated by ");
		print_caller(r->caller);
		kprintf(" at %u ms, gfp 0x%x%s\n", r->when_ms, r->gfp,
			r->flags & PO_FIRST ? "" : " (not the allocation's first page)");
	} else {
		kprintf("page not allocated since recording began\n");
	}
	if (r->free_caller) {
		kprintf("page last freed by ");
		print_caller(r->free_caller);
		kprintf(" at %u ms%s\n", r->free_ms, r->flags & PO_FREED ? "" : ", before the allocation");
	} else {
		kprintf("page not freed since recording began\n");
	}
	if (caller) {
		kprintf("page freed now by ");
		print_caller(caller);
		kprintf(" (refused)\n");
	}
}

/* ============================== the report =============================== */

struct walk {
	struct page_owner_table *t;
	u32 now;
};

static struct page_owner_entry *entry_for(struct page_owner_table *t, unsigned long caller,
					  unsigned int type, const void *what)
{
	for (unsigned int i = 0; i < t->nr; i++)
		if (t->e[i].caller == caller && t->e[i].type == type && t->e[i].what == what)
			return &t->e[i];
	if (t->nr == t->max)
		return NULL;
	t->e[t->nr] = (struct page_owner_entry){ .caller = caller, .type = type, .what = what };
	return &t->e[t->nr++];
}

/* Count a block of @n pages an allocator typed (@head: its first page, at
 * @pfn); a bigblock by its record's caller as well (the code that asked
 * kmalloc: mm/kmalloc.c heap_big_owned; else the page allocator's caller in
 * SLOB). */
static void count_typed(struct walk *w, const struct pglist_data *node, unsigned long pfn,
			const struct page *head, unsigned long n)
{
	unsigned int type = page_type(head);
	const void *what = type == PGTY_SLAB ? (const void *)head->slab_cache
			   : type == PGTY_SLOB || type == PGTY_BIGBLOCK ? (const void *)head->priv
									 : NULL;
	const struct page_owner_rec *r = type == PGTY_BIGBLOCK ? rec_of(node, pfn) : NULL;
	struct page_owner_entry *e = entry_for(w->t, r ? r->caller : 0, type, what);

	w->t->pages += n;
	if (!e) {
		w->t->dropped += n;
		return;
	}
	e->blocks++;
	e->pages += n;
}

/* Count one untyped allocated page by its record (@head: the first page of
 * its block; an allocation without a record counts as its blocks). */
static void count_untyped(struct walk *w, const struct pglist_data *node, unsigned long pfn,
			  bool head)
{
	const struct page_owner_rec *r = rec_of(node, pfn);
	struct page_owner_entry *e = entry_for(w->t, r ? r->caller : 0, PGTY_NONE, NULL);

	w->t->pages++;
	if (!e) {
		w->t->dropped++;
		return;
	}
	e->pages++;
	if (!r || !r->caller) {
		e->blocks += head;
		return;
	}
	e->blocks += (r->flags & PO_FIRST) != 0;
	e->gfp = r->gfp;
	e->max_age_ms = MAX(e->max_age_ms, w->now - r->when_ms);
}

/* The pages [pfn, end) of zone @z (its lock held), by the states memmap
 * reads: a typed block covers its pages (a bigblock its whole run). */
static void walk_zone(struct walk *w, const struct pglist_data *node, const struct zone *z)
{
	unsigned long pfn = z->zone_start_pfn, end = zone_end_pfn(z);

	while (pfn < end) {
		const struct page *p;
		unsigned long n;

		if (!node_pfn_valid(node, pfn)) {
			pfn = node_next_valid_pfn(node, pfn, end);
			continue;
		}
		p = node_pfn_to_page(node, pfn);
		if (p->flags & PG_buddy) {
			pfn += 1ul << page_order(p);
		} else if ((p->flags & (PG_pcp | PG_reserved)) || !(p->flags & PG_head)) {
			pfn++; /* (a page no block covers: counted by nothing) */
		} else if (page_type(p) != PGTY_NONE) {
			n = page_type(p) == PGTY_BIGBLOCK ? bigblock_npages(p) : 1ul << page_order(p);
			n = MIN(n, end - pfn);
			count_typed(w, node, pfn, p, n);
			pfn += n;
		} else {
			n = MIN(1ul << page_order(p), end - pfn);
			for (unsigned long i = 0; i < n; i++)
				count_untyped(w, node, pfn + i, i == 0);
			pfn += n;
		}
	}
}

static void sort_entries(struct page_owner_table *t)
{
	for (unsigned int i = 1; i < t->nr; i++) {
		struct page_owner_entry e = t->e[i];
		unsigned int j = i;

		for (; j > 0 && t->e[j - 1].pages < e.pages; j--)
			t->e[j] = t->e[j - 1];
		t->e[j] = e;
	}
}

int page_owner_collect(struct pglist_data *node, struct page_owner_table *t)
{
	struct walk w = { t, (u32)(time_now_us() / 1000) };

	t->nr = 0;
	t->pages = t->dropped = 0;
	if (!page_owner_on)
		return -EINVAL;
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		struct zone *z = &node->zones[zi];
		unsigned long flags;

		if (!z->spanned_pages)
			continue;
		flags = spin_lock_irqsave(&z->lock);
		walk_zone(&w, node, z);
		spin_unlock_irqrestore(&z->lock, flags);
	}
	sort_entries(t);
	return 0;
}

static const char *type_name(unsigned int type)
{
	switch (type) {
	case PGTY_SLAB: return "slab";
	case PGTY_SLOB: return "SLOB heap";
	case PGTY_BIGBLOCK: return "bigblocks of";
	case PGTY_VMALLOC: return "vmalloc";
	case PGTY_PAGETABLE: return "page tables";
	default: return "typed";
	}
}

static void print_entry(const struct page_owner_entry *e)
{
	kprintf("%8lu %7lu  ", e->pages, e->blocks);
	if (e->type != PGTY_NONE) {
		const char *what = e->type == PGTY_SLAB && e->what
					   ? ((const struct kmem_cache *)e->what)->name
				   : (e->type == PGTY_SLOB || e->type == PGTY_BIGBLOCK) && e->what
					   ? ((const struct slob_heap *)e->what)->name
					   : NULL;

		kprintf("%s%s%s", type_name(e->type), what ? " " : "", what ? what : "");
		if (e->caller) { /* (a bigblock's asker) */
			kprintf(" by ");
			print_caller(e->caller);
		}
		kprintf("\n");
		return;
	}
	if (!e->caller) {
		kprintf("<not recorded>\n");
		return;
	}
	print_caller(e->caller);
	kprintf(" gfp 0x%x age<=%u ms\n", e->gfp, e->max_age_ms);
}

int page_owner_show(struct pglist_data *node)
{
	/* Static, not allocated: the report must not count its own table. */
	static struct page_owner_entry entries[OWNERS_MAX];
	static spinlock_t lock = SPINLOCK_INIT;
	struct page_owner_table t = { .e = entries, .max = OWNERS_MAX };

	if (!page_owner_on) {
		kprintf("page_owner: off (boot with page_owner=on)\n");
		return -EINVAL;
	}
	spin_lock(&lock);
	page_owner_collect(node, &t);
	kprintf("page_owner: %lu allocated pages by %u owners (typed pages by their allocator)\n",
		t.pages, t.nr);
	kprintf("   pages  allocs  owner\n");
	for (unsigned int i = 0; i < t.nr; i++)
		print_entry(&t.e[i]);
	if (t.dropped)
		kprintf("%8lu pages of further owners (the table holds %u)\n", t.dropped, t.max);
	spin_unlock(&lock);
	return 0;
}
