/*
 * dt_hostile_test.c - host tests of dt_parse on the hostile device trees
 * that QEMU cannot boot or that are easier to pin down here (suite
 * "dt_hostile"; the QEMU boots are tests/qemu/reliability-checks.sh):
 * an initrd wholly outside RAM and one straddling the end of RAM are
 * ignored with one warning each (not reserved), and a tree without /chosen
 * parses with no bootargs, no stdout-path and no initrd.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drivers/devicetree.h>
#include <tests/ktest.h>
#include "host.h"

#define DTB_PHYS 0x87e00000ull

/* dt_parse of fixture @name with stdout (the warnings) captured in @out. */
static int parse_captured(struct dt_info *info, const char *name, u8 **blob, char *out, size_t size)
{
	size_t len = 0, n = 0;
	FILE *tmp;
	int saved, err;

	*blob = host_load_dtb(name, &len);
	if (!*blob)
		return 1;
	fflush(stdout);
	tmp = tmpfile();
	saved = dup(1);
	if (tmp)
		dup2(fileno(tmp), 1);
	err = dt_parse(info, *blob, len, DTB_PHYS);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	if (tmp) {
		rewind(tmp);
		n = fread(out, 1, size - 1, tmp);
		fclose(tmp);
	}
	out[n] = '\0';
	return err;
}

static bool has_reason(const struct dt_info *info, const char *reason)
{
	for (int i = 0; i < info->nr_reserved; i++)
		if (strcmp(info->reserved[i].reason, reason) == 0)
			return true;
	return false;
}

static void initrd_outside_ram_ignored(struct ktest *t)
{
	struct dt_info info;
	char out[512];
	u8 *b = NULL;

	ASSERT_EQ(parse_captured(&info, "initrd-outside", &b, out, sizeof(out)), 0);
	EXPECT(!info.has_initrd);
	EXPECT_EQ(info.initrd_start, 0);
	EXPECT_EQ(info.initrd_end, 0);
	EXPECT(!has_reason(&info, "initrd"));
	EXPECT_EQ(info.nr_reserved, 1); /* the dtb */
	EXPECT_EQ(info.nr_warnings, 1);
	EXPECT_STREQ(out, "dt: warning: /chosen: initrd [mem 0x0000000090000000-0x00000000900fffff] "
			  "is not inside RAM: ignored\n");
	EXPECT_STREQ(info.stdout_path, "");
	EXPECT_STREQ(info.bootargs, "");
	free(b);
}

static void initrd_straddling_end_of_ram_ignored(struct ktest *t)
{
	struct dt_info info;
	char out[512];
	u8 *b = NULL;

	ASSERT_EQ(parse_captured(&info, "initrd-straddle", &b, out, sizeof(out)), 0);
	EXPECT(!info.has_initrd);
	EXPECT(!has_reason(&info, "initrd"));
	EXPECT_EQ(info.nr_warnings, 1);
	EXPECT_STREQ(out, "dt: warning: /chosen: initrd [mem 0x0000000087f00000-0x00000000880fffff] "
			  "is not inside RAM: ignored\n");
	EXPECT_STREQ(info.bootargs, "console=ttyS0");
	free(b);
}

/* QEMU 7.2 writes /chosen/rng-seed into any -dtb, so it cannot boot one
 * without /chosen: that case is checked here. */
static void no_chosen_node(struct ktest *t)
{
	struct dt_info info;
	char out[512];
	u8 *b = NULL;

	ASSERT_EQ(parse_captured(&info, "ram-max", &b, out, sizeof(out)), 0);
	ASSERT(fdt_path_offset(&info.fdt, "/chosen", 7) < 0);
	EXPECT_STREQ(info.bootargs, "");
	EXPECT_STREQ(info.stdout_path, "");
	EXPECT(!info.has_initrd);
	EXPECT(info.nr_ram > 0);
	free(b);
}

KTEST_SUITE(dt_hostile, KTEST_CASE(initrd_outside_ram_ignored),
	    KTEST_CASE(initrd_straddling_end_of_ram_ignored), KTEST_CASE(no_chosen_node));
