/*
 * kfence_test.c - host tests of KFENCE's logic (mm/kfence.c, suite
 * "kfence"): where an object goes in its page, the canary and its check,
 * the pool's address range, the boot parameter, and that without paging
 * (the host port) KFENCE refuses to start and leaves allocation alone. The
 * faults themselves need the target's page table: ktest=kfence there.
 */
#include <stdlib.h>
#include <string.h>

#include <lib/cmdline.h>
#include <mm/kfence.h>
#include <mm/kmalloc.h>
#include <tests/ktest.h>

static void place_right_and_left(struct ktest *t)
{
	const unsigned long page = 0x80001000ul;

	/* right: the object ends at the page's end, rounded down to its alignment */
	EXPECT_EQ(kfence_place(page, 32, 16, true), page + PAGE_SIZE - 32);
	EXPECT_EQ(kfence_place(page, 13, 16, true), page + PAGE_SIZE - 16);
	EXPECT_EQ(kfence_place(page, 100, 16, true), page + PAGE_SIZE - 112);
	EXPECT_EQ(kfence_place(page, 192, 64, true), page + PAGE_SIZE - 192);
	EXPECT_EQ(kfence_place(page, 200, 64, true), page + PAGE_SIZE - 256);
	EXPECT_EQ(kfence_place(page, PAGE_SIZE, 8, true), page);
	/* left: the page's start, whatever the size */
	EXPECT_EQ(kfence_place(page, 13, 16, false), page);
	EXPECT_EQ(kfence_place(page, PAGE_SIZE, 4096, false), page);
	/* every placement keeps the object inside its page and aligned */
	for (size_t size = 1; size <= PAGE_SIZE; size += 37)
		for (size_t align = 8; align <= 256; align <<= 1) {
			unsigned long a = kfence_place(page, size, align, true);

			EXPECT(a >= page && a + size <= page + PAGE_SIZE && a % align == 0);
			EXPECT(a + size + align > page + PAGE_SIZE); /* as far right as allowed */
		}
}

static void canary_found_and_checked(struct ktest *t)
{
	u8 *buf = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	unsigned long b = (unsigned long)buf;

	ASSERT(buf != NULL);
	for (unsigned long i = 0; i < PAGE_SIZE; i++)
		buf[i] = kfence_canary(b + i);
	/* the pattern changes along the address: a shifted copy does not match */
	EXPECT(kfence_canary(b) != kfence_canary(b + 1));
	EXPECT_EQ(kfence_check_canary(b, b + PAGE_SIZE), 0);
	buf[100] ^= 1;
	EXPECT_EQ(kfence_check_canary(b, b + PAGE_SIZE), b + 100);
	EXPECT_EQ(kfence_check_canary(b + 101, b + PAGE_SIZE), 0);
	EXPECT_EQ(kfence_check_canary(b, b + 100), 0);
	buf[4095] = 0;
	EXPECT_EQ(kfence_check_canary(b + 101, b + PAGE_SIZE), b + 4095); /* a canary byte is never 0 */
	free(buf);
}

static void pool_range(struct ktest *t)
{
	EXPECT(is_kfence_address((void *)(uintptr_t)KFENCE_POOL_START));
	EXPECT(is_kfence_address((void *)(uintptr_t)(KFENCE_POOL_START + KFENCE_POOL_SIZE - 1)));
	EXPECT(!is_kfence_address((void *)(uintptr_t)(KFENCE_POOL_START + KFENCE_POOL_SIZE)));
	EXPECT(!is_kfence_address((void *)(uintptr_t)(KFENCE_POOL_START - 1)));
	EXPECT(!is_kfence_address((void *)0x80000000ul));
	EXPECT(!is_kfence_address(NULL));
	EXPECT_EQ(KFENCE_POOL_PAGES, 2 * KFENCE_NUM_OBJECTS + 1);
	/* the host's objects are never KFENCE's: the free path's test is off */
	EXPECT(!kfence_object((void *)(uintptr_t)KFENCE_POOL_START));
	/* not a pool address: nothing taken */
	int x = 0;

	EXPECT(!kfence_free(&x));
	EXPECT_EQ(kfence_ksize(&x), 0);
	EXPECT_EQ(kfence_ksize((void *)(uintptr_t)KFENCE_POOL_START), 0); /* no object there */
}

static void boot_parameter(struct ktest *t)
{
	char good[] = "kfence.sample_interval=250";
	char zero[] = "kfence.sample_interval=0";
	char bad1[] = "kfence.sample_interval=12ms";
	char bad2[] = "kfence.sample_interval=";
	char bad3[] = "kfence.sample_interval";

	EXPECT_EQ(cmdline_parse(good), 0);
	EXPECT_EQ(cmdline_parse(bad1), 1);
	EXPECT_EQ(cmdline_parse(bad2), 1);
	EXPECT_EQ(cmdline_parse(bad3), 1);
	EXPECT_EQ(cmdline_parse(zero), 0);
}

/* No paging on the host: starting fails cleanly and nothing is routed. */
static void no_paging_refused(struct ktest *t)
{
	EXPECT_EQ(kfence_set_interval(100), -ENODEV);
	EXPECT(!kfence_enabled);
	EXPECT_EQ(kfence_get_interval(), 0);
	EXPECT_EQ(kfence_set_interval(0), 0);
	EXPECT(!kfence_enabled);
	kfence_sample_next();
	EXPECT_EQ(__kfence_alloc_kmalloc(64, GFP_KERNEL, 0), NULL); /* no pool: nothing to give */
}

KTEST_SUITE(kfence, KTEST_CASE(place_right_and_left), KTEST_CASE(canary_found_and_checked),
	    KTEST_CASE(pool_range), KTEST_CASE(boot_parameter), KTEST_CASE(no_paging_refused));
