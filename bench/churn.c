/*
 * churn.c - the churn workload (definition in bench/churn.h).
 *
 * Nothing here calls the kernel or touches tp: picolibc's half runs this
 * with tp on a scratch TLS block.
 */
#include <bench/bench.h>

#include "churn.h"

struct churn_slot {
	u8 *p;
	u32 size;
	u8 tag;
};

static struct churn_slot slots[CHURN_SLOTS];

static const struct {
	u32 size, weight;
} churn_sizes[] = {
	{ 16, 20 },  { 32, 20 },  { 64, 20 },   { 128, 10 }, { 192, 8 },
	{ 256, 8 },  { 512, 6 },  { 1024, 4 },  { 3000, 2 }, { 8192, 2 },
};

static inline u64 xorshift64(u64 *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static u32 pick_size(u64 s)
{
	u32 w = (u32)(s % 100);

	for (unsigned int i = 0; i < ARRAY_SIZE(churn_sizes); i++) {
		if (w < churn_sizes[i].weight)
			return churn_sizes[i].size;
		w -= churn_sizes[i].weight;
	}
	return churn_sizes[ARRAY_SIZE(churn_sizes) - 1].size; /* weights sum to 100 */
}

static bool intact(const struct churn_slot *sl)
{
	u8 last = (u8)~sl->tag;

	return sl->p[0] == sl->tag && sl->p[sl->size - 1] == last;
}

void churn_run(const struct churn_ops *ops, struct churn_result *r)
{
	churn_run_seed(ops, r, CHURN_SEED);
}

void churn_run_seed(const struct churn_ops *ops, struct churn_result *r, u64 seed)
{
	/* In registers: the "memory" clobber of the rdinstret reads would
	 * otherwise reload them between the reads. */
	void *(*const alloc)(size_t) = ops->alloc;
	void (*const release)(void *) = ops->free;
	u64 x = seed, live = 0, ainsns = 0, finsns = 0, cal;

	*r = (struct churn_result){ 0 };
	for (unsigned int i = 0; i < CHURN_SLOTS; i++)
		slots[i] = (struct churn_slot){ 0 };
	cal = bench_rdinstret_cost();
	r->rdinstret_cost = cal;

	for (u32 step = 0; step < CHURN_STEPS; step++) {
		struct churn_slot *sl = &slots[xorshift64(&x) % CHURN_SLOTS];
		u64 t0, t1;

		if (sl->p) {
			if (!intact(sl))
				r->corrupt++;
			t0 = bench_instret();
			release(sl->p);
			t1 = bench_instret();
			finsns += t1 - t0 - cal;
			r->frees++;
			sl->p = NULL;
			live--;
		} else {
			u64 s = xorshift64(&x);
			u32 size = pick_size(s);
			u8 *p;

			t0 = bench_instret();
			p = alloc(size);
			t1 = bench_instret();
			ainsns += t1 - t0 - cal;
			r->allocs++;
			if (!p) {
				r->failed_allocs++;
				continue;
			}
			sl->p = p;
			sl->size = size;
			sl->tag = (u8)(s >> 32);
			p[0] = sl->tag;
			p[size - 1] = (u8)~sl->tag;
			if (++live > r->max_live)
				r->max_live = live;
		}
	}
	r->alloc_insns = ainsns;
	r->free_insns = finsns;
	r->insns = ainsns + finsns;

	for (unsigned int i = 0; i < CHURN_SLOTS; i++) {
		struct churn_slot *sl = &slots[i];

		if (!sl->p)
			continue;
		if (!intact(sl))
			r->corrupt++;
		release(sl->p);
		sl->p = NULL;
		r->final_frees++;
	}
}

static u64 per(u64 total, u64 n)
{
	return n ? (total + n / 2) / n : 0;
}

u64 churn_insns_per_op(const struct churn_result *r)
{
	return per(r->insns, r->allocs + r->frees);
}

u64 churn_insns_per_alloc(const struct churn_result *r)
{
	return per(r->alloc_insns, r->allocs);
}

u64 churn_insns_per_free(const struct churn_result *r)
{
	return per(r->free_insns, r->frees);
}
