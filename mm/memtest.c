/*
 * memtest.c - the early memory test (Linux's memtest=N): before the page
 * allocator takes the free memory, patterns are written over every free
 * range memblock has and read back, and memory that does not read back as
 * written is reserved, so that no page of it is ever handed out.
 *
 * How it works. memtest_run takes the free ranges (RAM less every reserved
 * range: the kernel, the device tree, the initrd, the firmware's) once, then
 * runs N passes; pass i writes pattern (N - 1 - i) mod 17 of the table below
 * over every range (a 64-bit word at a time, through volatile stores) and
 * then reads all of it back. Writing a whole range before reading any of it
 * means that on real hardware most reads come from DRAM, not from a cache
 * line still holding what was written. The last pass is pattern 0, so free
 * memory is left zeroed. Each word that reads back otherwise is bad; runs
 * of bad words (with the page each touches) become bad ranges, merged with
 * the ones found before. After the passes every bad range is reserved in
 * memblock (page-rounded: the page allocator takes whole pages) and named
 * on the console with the first failing word, what was written and what
 * came back.
 *
 * Contract: called with memblock final but for what memtest adds, before
 * node_init builds the page allocator from it (mm_init), while the free
 * ranges are unused and reachable through phys_to_virt. More bad ranges
 * than its table holds (MEMTEST_MAX_BAD), or a reservation memblock refuses,
 * is a panic naming it: bad memory is never handed out silently.
 */
#include <lib/cmdline.h>
#include <lib/kstring.h>
#include <lib/parse.h>
#include <mm/memblock.h>
#include <mm/memtest.h>
#include <mm/mm.h>

/* The patterns: all zeros first (the last pass, leaving memory zeroed),
 * all ones, alternating bits, one, two and three bits of every nibble set,
 * and an irregular word for faults the regular ones would hide (a bit that
 * follows its neighbour). */
static const u64 memtest_patterns[MEMTEST_NR_PATTERNS] = {
	0x0000000000000000ull, 0xffffffffffffffffull, 0x5555555555555555ull, 0xaaaaaaaaaaaaaaaaull,
	0x1111111111111111ull, 0x2222222222222222ull, 0x4444444444444444ull, 0x8888888888888888ull,
	0x3333333333333333ull, 0x6666666666666666ull, 0x9999999999999999ull, 0xccccccccccccccccull,
	0x7777777777777777ull, 0xbbbbbbbbbbbbbbbbull, 0xddddddddddddddddull, 0xeeeeeeeeeeeeeeeeull,
	0x7a6c7258554e494cull,
};

unsigned int memtest_passes;
void (*memtest_after_write)(u64 start, u64 end, u64 pattern);

/* memtest=N: N passes (0: off); a bare memtest: one pass per pattern. */
static int memtest_param(const char *value)
{
	u64 n;
	int rc;

	if (!value) {
		memtest_passes = MEMTEST_NR_PATTERNS;
		return 0;
	}
	rc = parse_u64(value, &n);
	if (rc)
		return rc;
	if (n > MEMTEST_MAX_PASSES)
		return -ERANGE;
	memtest_passes = (unsigned int)n;
	return 0;
}
KPARAM("memtest", memtest_param,
       "memtest[=N]  test free RAM with N patterns before use, reserving what fails (bare: all 17)");

u64 memtest_pattern(unsigned int pass, unsigned int passes)
{
	return memtest_patterns[(passes - 1 - pass) % MEMTEST_NR_PATTERNS];
}

struct bad_range {
	u64 start, end;        /* [start, end), page-rounded */
	u64 addr, wrote, read; /* the first failing word seen in it */
};

struct memtest_state {
	struct memtest_result *res;
	struct bad_range bad[MEMTEST_MAX_BAD];
	unsigned int nr_bad;
};

/* Grow @b over [start, end) if the two overlap or touch; whether they did. */
static bool absorb(struct bad_range *b, u64 start, u64 end)
{
	if (start > b->end || end < b->start)
		return false;
	b->start = MIN(b->start, start);
	b->end = MAX(b->end, end);
	return true;
}

/* The bad word at @pa: into the range holding or touching its page, else a
 * new one. */
static void note_bad(struct memtest_state *st, u64 pa, u64 wrote, u64 read)
{
	u64 start = pa & ~(u64)(PAGE_SIZE - 1), end = start + PAGE_SIZE;

	st->res->bad_words++;
	for (unsigned int i = 0; i < st->nr_bad; i++)
		if (absorb(&st->bad[i], start, end))
			return;
	if (st->nr_bad == MEMTEST_MAX_BAD)
		panic("memtest: bad memory in more than %u separate places (the last at %#llx: wrote %016llx, "
		      "read %016llx): this RAM is not fit to use", MEMTEST_MAX_BAD, (unsigned long long)pa,
		      (unsigned long long)wrote, (unsigned long long)read);
	st->bad[st->nr_bad++] = (struct bad_range){ start, end, pa, wrote, read };
}

/* One pattern over [start, end) (8-byte aligned): write it all, read it all. */
static void test_range(struct memtest_state *st, u64 start, u64 end, u64 pattern)
{
	volatile u64 *first = phys_to_virt(start), *last = phys_to_virt(end);

	for (volatile u64 *p = first; p < last; p++)
		*p = pattern;
	if (memtest_after_write)
		memtest_after_write(start, end, pattern);
	for (volatile u64 *p = first; p < last; p++) {
		u64 v = *p;

		if (unlikely(v != pattern))
			note_bad(st, start + (u64)((uintptr_t)p - (uintptr_t)first), pattern, v);
	}
}

/* Two runs of a bad range must not overlap once merged: join the ones an
 * extension made touch. */
static void join_bad_ranges(struct memtest_state *st)
{
	for (unsigned int i = 0; i < st->nr_bad; i++)
		for (unsigned int j = i + 1; j < st->nr_bad; j++) {
			if (absorb(&st->bad[i], st->bad[j].start, st->bad[j].end))
				st->bad[j--] = st->bad[--st->nr_bad];
		}
}

int memtest_run(struct memblock *mb, unsigned int passes, struct memtest_result *res)
{
	/* (A free range lies between two region ends: at most one per memory
	 * and reserved region, and one more.) */
	static u64 ranges[2 * MEMBLOCK_MAX_REGIONS + 1][2];
	static struct memtest_state st;
	unsigned int nr = 0;
	u64 cursor = 0, s, e;

	memset(res, 0, sizeof(*res));
	memset(&st, 0, sizeof(st));
	st.res = res;
	if (passes == 0)
		return 0;
	while (memblock_next_free(mb, &cursor, &s, &e)) {
		if (nr == ARRAY_SIZE(ranges))
			panic("memtest: more than %zu free ranges in memblock", ARRAY_SIZE(ranges));
		s = ALIGN_UP(s, sizeof(u64));
		e &= ~(u64)(sizeof(u64) - 1);
		if (s < e) {
			ranges[nr][0] = s;
			ranges[nr][1] = e;
			res->bytes += e - s;
			nr++;
		}
	}
	kprintf("memtest: %u pattern%s over %llu KiB of free RAM in %u range%s\n", passes,
		passes == 1 ? "" : "s", (unsigned long long)(res->bytes >> 10), nr, nr == 1 ? "" : "s");
	for (unsigned int pass = 0; pass < passes; pass++) {
		u64 pattern = memtest_pattern(pass, passes), before = res->bad_words;

		for (unsigned int i = 0; i < nr; i++)
			test_range(&st, ranges[i][0], ranges[i][1], pattern);
		kprintf("memtest: pattern %016llx: %s\n", (unsigned long long)pattern,
			res->bad_words == before ? "ok" : "bad words found");
	}
	join_bad_ranges(&st);
	for (unsigned int i = 0; i < st.nr_bad; i++) {
		struct bad_range *b = &st.bad[i];
		int rc = memblock_reserve(mb, b->start, b->end - b->start);

		kprintf("memtest: bad memory [mem %#018llx-%#018llx] (at %#llx wrote %016llx, read %016llx): "
			"reserved\n", (unsigned long long)b->start, (unsigned long long)b->end - 1,
			(unsigned long long)b->addr, (unsigned long long)b->wrote, (unsigned long long)b->read);
		if (rc)
			panic("memtest: bad memory [mem %#018llx-%#018llx] cannot be reserved (memblock error %d): "
			      "it would be handed out", (unsigned long long)b->start,
			      (unsigned long long)b->end - 1, rc);
		res->bad_ranges++;
		res->bad_bytes += b->end - b->start;
	}
	if (st.nr_bad)
		kprintf("memtest: %llu KiB of bad memory reserved in %u range%s\n",
			(unsigned long long)(res->bad_bytes >> 10), st.nr_bad, st.nr_bad == 1 ? "" : "s");
	else
		kprintf("memtest: no bad memory\n");
	return (int)st.nr_bad;
}
