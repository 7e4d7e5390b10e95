/*
 * page_alloc_bench.c - alloc_pages + __free_pages pairs at orders 0, 3 and 9;
 * alloc_pages_fit among runs of many sizes (page_fit).
 *
 * Order 0 measures the per-hart fast path: the first pair warms the list,
 * after which every allocation takes the page the previous free put back.
 * Orders 3 and 9 go through the zone lock and split/merge every time.
 */
#include <bench/bench.h>
#include <mm/mm.h>

#define PAIRS 10000

static void bench_order(unsigned int order)
{
	struct page *page = alloc_pages(GFP_KERNEL, order);
	u64 t0, t1;

	if (!page) {
		bench_fail("bench: page_alloc order=%u failed: no memory\n", order);
		return;
	}
	__free_pages(page, order);
	t0 = bench_instret();
	for (int i = 0; i < PAIRS; i++) {
		page = alloc_pages(GFP_KERNEL, order);
		__free_pages(page, order);
	}
	t1 = bench_instret();
	kprintf("bench: page_alloc order=%u insns=%llu pairs=%d\n", order,
		(unsigned long long)bench_per_op(t0, t1, PAIRS), PAIRS);
}

static void page_alloc_bench(void)
{
	bench_order(0);
	bench_order(3);
	bench_order(9);
}
BENCH("page_alloc", page_alloc_bench);

#define FIT_SLOTS 256 /* a page of slots */
#define FIT_STEPS 20000

/*
 * page_fit: FIT_STEPS steps over FIT_SLOTS slots, each drawn with xorshift64
 * (seed 0x2545f4914f6cdd1d): an empty slot gets alloc_pages_fit of 3 to 130
 * pages (a size drawn from the same number), a full one is freed with
 * free_pages_exact. The runs live and the holes they leave make the
 * stretches the fit walks; insns is per call (each alloc or free), read
 * around each call (less the cost of the reads). placement hashes the
 * addresses returned (0 for a refusal): equal when every run lands where
 * it did.
 */
static void page_fit_bench(void)
{
	static const unsigned long sizes[] = { 3, 5, 6, 7, 9, 11, 13, 17, 24, 33, 70, 130 };
	/* The slots in a page of their own, not in the image: a bigger image
	 * moves the free memory every other benchmark starts from. */
	struct fit_slot {
		void *run;
		unsigned long pages;
	} *slot = (struct fit_slot *)get_zeroed_page(GFP_KERNEL);
	u64 x = 0x2545f4914f6cdd1dull, insns = 0, t0;
	unsigned long placement = 0;

	_Static_assert(FIT_SLOTS * sizeof(struct fit_slot) <= PAGE_SIZE, "the slots fill one page");
	if (!slot) {
		bench_fail("bench: page_fit failed: no memory\n");
		return;
	}
	for (int i = 0; i < FIT_STEPS; i++) {
		struct fit_slot *f;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		f = &slot[x % FIT_SLOTS];
		t0 = bench_instret();
		if (f->run) {
			free_pages_exact(f->run, f->pages * PAGE_SIZE);
			f->run = NULL;
		} else {
			f->pages = sizes[(x >> 20) % ARRAY_SIZE(sizes)];
			f->run = alloc_pages_fit(f->pages * PAGE_SIZE, GFP_KERNEL | __GFP_NOWARN);
			placement = placement * 31 + (unsigned long)f->run;
		}
		insns += bench_instret() - t0 - bench_rdinstret_cost();
	}
	for (int s = 0; s < FIT_SLOTS; s++)
		if (slot[s].run)
			free_pages_exact(slot[s].run, slot[s].pages * PAGE_SIZE);
	free_page((unsigned long)slot);
	kprintf("bench: page_fit insns=%llu calls=%d placement=%lx\n",
		(unsigned long long)(insns / FIT_STEPS), FIT_STEPS, placement);
}
BENCH("page_fit", page_fit_bench);
