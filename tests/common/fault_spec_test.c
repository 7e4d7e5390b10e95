/*
 * fault_spec_test.c - the fault injection spec (fail_page_alloc=, failslab=;
 * include/mm/fault_inject.h): what is accepted, its canonical form, what is
 * rejected, and that a rejected spec leaves injection as it was. Runs on
 * the host (ASan, UBSan) and on the target (suite "fault_spec").
 */
#include <mm/fault_inject.h>
#include <lib/kstring.h>
#include <tests/ktest.h>

static void spec_parsing(struct ktest *t)
{
	static const struct {
		bool slab;
		const char *spec, *canonical; /* NULL: rejected */
	} cases[] = {
		{ false, "10%", "10%" },
		{ false, "7", "7" },
		{ false, "1", "1" },
		{ false, "0%", "0%" },
		{ false, "100%", "100%" },
		{ false, "3,times=5,order=2,verbose=0,seed=9", "3,times=5,order=2,verbose=0,seed=9" },
		{ false, "25%,order=0,times=-1", "25%,order=0" },
		{ false, "0x10", "16" },
		{ false, "0x10%", "16%" },
		{ false, "3,times=0x20", "3,times=32" },
		{ true, "1,cache=kmalloc-64", "1,cache=kmalloc-64" },
		{ true, "50%,times=0,cache=kmalloc", "50%,times=0,cache=kmalloc" },
		{ false, "", NULL },
		{ false, "0", NULL },
		{ false, "101%", NULL },
		{ false, "%", NULL },
		{ false, "x", NULL },
		{ false, "5,order=11", NULL },
		{ false, "5,cache=kmalloc-64", NULL },
		{ true, "5,order=1", NULL },
		{ true, "5,cache=", NULL },
		{ true, "5,cache=a-name-longer-than-the-limit-of-31", NULL },
		{ false, "5,", NULL },
		{ false, "5,bogus=1", NULL },
		{ false, "5,times=abc", NULL },
		{ false, "5,times=-2", NULL },
		{ false, "5,verbose=1K", NULL },
		{ false, "5,verbose=0x1K", NULL },
		{ false, "5,seed=18446744073709551616", NULL },
		{ false, "0x", NULL },
		{ false, "0x1K", NULL },
		{ false, "1 0%", NULL },
		{ false, "5,order", NULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fault_attr a = { .name = cases[i].slab ? "failslab" : "fail_page_alloc" };
		char buf[96];
		int rc = fault_attr_parse(&a, cases[i].spec);

		if (!cases[i].canonical) {
			if (rc != -EINVAL)
				ktest_fail(t, __FILE__, __LINE__, "'%s' accepted", cases[i].spec);
			continue;
		}
		if (rc) {
			ktest_fail(t, __FILE__, __LINE__, "'%s' rejected (%d)", cases[i].spec, rc);
			continue;
		}
		EXPECT(a.active);
		fault_attr_spec(&a, buf, sizeof(buf));
		EXPECT_STREQ(buf, cases[i].canonical);
	}
	{
		struct fault_attr a = { .name = "failslab", .active = true };

		EXPECT_EQ(fault_attr_parse(&a, "off"), 0);
		EXPECT(!a.active);
	}
}

/* A rejected spec changes nothing at runtime either. */
static void rejected_spec_changes_nothing(struct ktest *t)
{
	char page[96], slab[96];

	fault_attr_spec(&fail_page_alloc, page, sizeof(page));
	fault_attr_spec(&failslab, slab, sizeof(slab));
	fault_inject_clear(&fail_page_alloc);
	fault_inject_clear(&failslab);
	EXPECT_EQ(fault_inject_set(&fail_page_alloc, "5,order=99"), -EINVAL);
	EXPECT(!fail_page_alloc.active);
	EXPECT_EQ(fault_inject_set(&failslab, "2,verbose=0"), 0);
	EXPECT_EQ(fault_inject_set(&failslab, "nonsense"), -EINVAL);
	EXPECT(failslab.active);
	EXPECT_EQ(failslab.interval, 2);
	EXPECT_EQ(failslab.verbose, 0);
	EXPECT_EQ(fault_inject_set(&failslab, "off"), 0);
	EXPECT(!failslab.active);
	EXPECT_EQ(fault_inject_set(&fail_page_alloc, page), 0);
	EXPECT_EQ(fault_inject_set(&failslab, slab), 0);
}

KTEST_SUITE(fault_spec, KTEST_CASE(spec_parsing), KTEST_CASE(rejected_spec_changes_nothing));


