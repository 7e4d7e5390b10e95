/*
 * memtest_test.c - the early memory test (mm/memtest.c) over fake RAM whose
 * words a hook makes read back wrong, as failing RAM does: a bit stuck at 0
 * is found by the patterns that set it and its page reserved; bad words in
 * neighbouring pages make one range; clean RAM is left zeroed with nothing
 * reserved; the page allocator built afterwards never hands a bad page out;
 * bad memory in more places than the table holds is a panic naming it
 * (suite "memtest").
 */
#include <stdio.h>
#include <string.h>

#include <lib/kstring.h>
#include <mm/memblock.h>
#include <mm/memtest.h>
#include <mm/mm.h>
#include <lib/cmdline.h>
#include <mm/mmzone.h>
#include <tests/ktest.h>
#include "fakeram.h"

#define BASE 0x80000000ull
#define SPAN (4ull << 20)
#define KERNEL_END (BASE + 0x40000) /* a reserved "image" at the bottom */

/* The words the hook makes fail, and how: bits that read as 0. */
static struct {
	u64 pa[40];
	unsigned int n;
	u64 stuck_low;
} faults;

static void flip_faults(u64 start, u64 end, u64 pattern)
{
	(void)pattern;
	for (unsigned int i = 0; i < faults.n; i++)
		if (faults.pa[i] >= start && faults.pa[i] < end)
			*(volatile u64 *)phys_to_virt(faults.pa[i]) &= ~faults.stuck_low;
}

static struct fakeram *ram(void)
{
	struct fakeram *fr = fakeram_new(BASE, SPAN);

	if (!fr)
		return NULL;
	memblock_add(&fr->mb, BASE, SPAN);
	memblock_reserve(&fr->mb, BASE, KERNEL_END - BASE);
	memblock_reserve(&fr->mb, BASE + 0x300064, 0x30); /* a small range mid-page (a DTB) */
	fakeram_poison_free(fr, 0xa5);
	memset(&faults, 0, sizeof(faults));
	memtest_after_write = flip_faults;
	return fr;
}

static void done(struct fakeram *fr)
{
	memtest_after_write = NULL;
	fakeram_done(fr);
}

static int run(struct fakeram *fr, unsigned int passes, struct memtest_result *r, char *out, size_t size)
{
	struct fr_capture cap;
	int n;

	fr_capture_start(&cap);
	n = memtest_run(&fr->mb, passes, r);
	fr_capture_end(&cap, out, size);
	return n;
}

/* The last pass writes zeros: every free byte tested reads 0 after. */
static bool free_ram_zero(struct fakeram *fr)
{
	u64 cursor = 0, s, e;

	while (memblock_next_free(&fr->mb, &cursor, &s, &e)) {
		s = ALIGN_UP(s, 8);
		e &= ~7ull;
		if (s < e && memchr_inv(phys_to_virt(s), 0, e - s))
			return false;
	}
	return true;
}

static void clean_ram_passes(struct ktest *t)
{
	struct fakeram *fr = ram();
	struct memtest_result r;
	static char out[2048];
	int reserved_before;

	ASSERT(fr);
	reserved_before = fr->mb.reserved.cnt;
	EXPECT_EQ(run(fr, 5, &r, out, sizeof(out)), 0);
	/* free: 4 MiB less the image and the 0x30 bytes (page boundaries kept) */
	EXPECT_EQ(r.bytes, SPAN - (KERNEL_END - BASE) - 0x30 - 8 /* (4 each side of it, to whole words) */);
	EXPECT_EQ(r.bad_words, 0);
	EXPECT_EQ(r.bad_ranges, 0);
	EXPECT_EQ(fr->mb.reserved.cnt, reserved_before);
	EXPECT(free_ram_zero(fr));
	EXPECT(strstr(out, "memtest: 5 patterns over 3839 KiB of free RAM in 2 ranges\n"));
	EXPECT(strstr(out, "memtest: pattern 1111111111111111: ok\n"));
	EXPECT(strstr(out, "memtest: pattern 0000000000000000: ok\nmemtest: no bad memory\n"));
	/* pass i uses pattern (passes - 1 - i) mod 17: ends with 0 */
	EXPECT_EQ(memtest_pattern(4, 5), 0);
	EXPECT_EQ(memtest_pattern(0, 5), 0x1111111111111111ull);
	EXPECT_EQ(memtest_pattern(0, 18), 0);
	EXPECT_EQ(memtest_pattern(1, 18), 0x7a6c7258554e494cull);
	done(fr);
}

static void stuck_bit_reserves_its_page(struct ktest *t)
{
	struct fakeram *fr = ram();
	struct memtest_result r;
	static char out[2048];

	ASSERT(fr);
	faults.pa[faults.n++] = BASE + 0x123458;
	faults.stuck_low = 1ull << 5; /* reads 0: wrong under a, f, but not 5 or 0 */
	EXPECT_EQ(run(fr, 4, &r, out, sizeof(out)), 1);
	EXPECT_EQ(r.bad_words, 2);
	EXPECT_EQ(r.bad_ranges, 1);
	EXPECT_EQ(r.bad_bytes, PAGE_SIZE);
	EXPECT(memblock_is_reserved(&fr->mb, BASE + 0x123000));
	EXPECT(memblock_is_reserved(&fr->mb, BASE + 0x123fff));
	EXPECT(!memblock_is_reserved(&fr->mb, BASE + 0x122fff));
	EXPECT(!memblock_is_reserved(&fr->mb, BASE + 0x124000));
	EXPECT(strstr(out, "memtest: pattern aaaaaaaaaaaaaaaa: bad words found\n"));
	EXPECT(strstr(out, "memtest: pattern 5555555555555555: ok\n"));
	EXPECT(strstr(out, "memtest: bad memory [mem 0x0000000080123000-0x0000000080123fff] (at 0x80123458 wrote "
			   "aaaaaaaaaaaaaaaa, read aaaaaaaaaaaaaa8a): reserved\n"));
	EXPECT(strstr(out, "memtest: 4 KiB of bad memory reserved in 1 range\n"));
	EXPECT_EQ(memblock_check(&fr->mb), 0);
	/* The page allocator built on it never hands the page out. */
	ASSERT_EQ(fakeram_node_init(fr, &(struct zone_limits){ 0, (BASE + SPAN) >> PAGE_SHIFT, false }), 0);
	{
		struct page *bad = virt_to_page(phys_to_virt(BASE + 0x123000));
		unsigned long n = 0, free = node_free_pages_count(&fr->node);
		struct page *p;

		EXPECT(PageReserved(bad));
		while ((p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0)) != NULL) { /* (all but the min watermark's) */
			EXPECT(p != bad);
			n++;
		}
		EXPECT(n + 100 > free);
	}
	done(fr);
}

static void neighbouring_bad_pages_one_range(struct ktest *t)
{
	struct fakeram *fr = ram();
	struct memtest_result r;
	static char out[2048];

	ASSERT(fr);
	faults.pa[faults.n++] = BASE + 0x200ff8; /* the last word of a page */
	faults.pa[faults.n++] = BASE + 0x201000; /* the first of the next */
	faults.pa[faults.n++] = BASE + 0x3ff000;
	faults.stuck_low = ~0ull; /* reads 0 whatever was written */
	EXPECT_EQ(run(fr, 2, &r, out, sizeof(out)), 2);
	EXPECT_EQ(r.bad_words, 3); /* (pattern 0 reads back right) */
	EXPECT_EQ(r.bad_bytes, 3 * PAGE_SIZE);
	EXPECT(strstr(out, "memtest: bad memory [mem 0x0000000080200000-0x0000000080201fff] (at 0x80200ff8 wrote "
			   "ffffffffffffffff, read 0000000000000000): reserved\n"));
	EXPECT(strstr(out, "memtest: bad memory [mem 0x00000000803ff000-0x00000000803fffff]"));
	EXPECT(strstr(out, "memtest: 12 KiB of bad memory reserved in 2 ranges\n"));
	EXPECT(memblock_is_reserved(&fr->mb, BASE + 0x200000));
	EXPECT(memblock_is_reserved(&fr->mb, BASE + 0x201fff));
	EXPECT(!memblock_is_reserved(&fr->mb, BASE + 0x202000));
	EXPECT_EQ(memblock_check(&fr->mb), 0);
	done(fr);
}

static void memtest_two_passes(void *mb)
{
	struct memtest_result r;

	memtest_run(mb, 2, &r); /* (ones, then zeros) */
}

static void bad_everywhere_is_a_panic(struct ktest *t)
{
	struct fakeram *fr = ram();
	static char out[4096];

	ASSERT(fr);
	for (unsigned int i = 0; i < MEMTEST_MAX_BAD + 1; i++)
		faults.pa[faults.n++] = BASE + 0x100000 + i * 2 * PAGE_SIZE; /* a page apart */
	faults.stuck_low = 1;
	EXPECT(fr_catch_panic(memtest_two_passes, &fr->mb, out, sizeof(out)));
	EXPECT(strstr(out, "Kernel panic: memtest: bad memory in more than 32 separate places (the last at "
			   "0x80140000: wrote ffffffffffffffff, read fffffffffffffffe): this RAM is not fit to use"));
	done(fr);
}

/* memtest= as the command line gives it. */
static void param_values(struct ktest *t)
{
	static const struct {
		const char *line;
		unsigned int passes;
		bool ok;
	} cases[] = {
		{ "memtest=4", 4, true },	{ "memtest", MEMTEST_NR_PATTERNS, true },
		{ "memtest=0", 0, true },	{ "memtest=0x11", 17, true },
		{ "memtest=1024", 1024, true }, { "memtest=1025", 0, false },
		{ "memtest=4K", 0, false },	{ "memtest=-1", 0, false },
		{ "memtest=", 0, false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char buf[32], out[256];
		struct fr_capture cap;
		int problems;

		memtest_passes = 0;
		snprintf(buf, sizeof(buf), "%s", cases[i].line);
		fr_capture_start(&cap);
		problems = cmdline_parse(buf);
		fr_capture_end(&cap, out, sizeof(out));
		EXPECT_EQ(problems, cases[i].ok ? 0 : 1);
		if (cases[i].ok)
			EXPECT_EQ(memtest_passes, cases[i].passes);
		else
			EXPECT(strstr(out, "cmdline: invalid value for 'memtest'"));
	}
	memtest_passes = 0;
}

KTEST_SUITE(memtest,
	KTEST_CASE(clean_ram_passes),
	KTEST_CASE(stuck_bit_reserves_its_page),
	KTEST_CASE(neighbouring_bad_pages_one_range),
	KTEST_CASE(bad_everywhere_is_a_panic),
	KTEST_CASE(param_values));
