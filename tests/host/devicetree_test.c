/*
 * devicetree_test.c - host tests of dt_parse and friends (suite "devicetree").
 *
 * Each fixture of tests/dts is parsed and the whole extracted map is
 * compared with what the fixture describes: every RAM range, every reserved
 * range with its reason and no-map flag (in table order), /chosen, the cpus
 * and the timebase; then the decisions the boot makes from the result
 * (dt_cpu_down_reason, console_select). Console output (warnings, dt_print_memmap) is captured
 * by pointing file descriptor 1 at a temporary file for the duration.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <config.h>
#include <drivers/console.h>
#include <tests/ktest.h>
#include <drivers/devicetree.h>
#include <lib/cmdline.h>
#include "host.h"

/* Where the tests pretend the firmware put the blob. */
#define DTB_PHYS 0x87e00000ull

struct want_res {
	u64 base, size;
	const char *reason;
	bool nomap;
};

struct want_cpu {
	u64 hartid;
	bool usable;
	const char *mmu;
};

/* ---- console capture ----------------------------------------------------- */

struct capture {
	FILE *tmp;
	int saved_fd;
};

static void capture_start(struct capture *c)
{
	fflush(stdout);
	c->tmp = tmpfile();
	c->saved_fd = dup(1);
	if (c->tmp)
		dup2(fileno(c->tmp), 1);
}

/* Stop capturing; the output (truncated to @size - 1) is in @buf. */
static void capture_end(struct capture *c, char *buf, size_t size)
{
	size_t n = 0;

	fflush(stdout);
	dup2(c->saved_fd, 1);
	close(c->saved_fd);
	if (c->tmp) {
		rewind(c->tmp);
		n = fread(buf, 1, size - 1, c->tmp);
		fclose(c->tmp);
	}
	buf[n] = '\0';
}

/* ---- helpers ------------------------------------------------------------- */

/* dt_parse fixture @name (in a buffer of exactly its size) at @phys. The
 * blob stays allocated in *blobp for bootargs; the caller frees it. */
static int parse(struct dt_info *info, const char *name, u64 phys, u8 **blobp,
		 size_t *sizep)
{
	size_t size = 0;
	u8 *b = host_load_dtb(name, &size);
	int err;

	if (!b)
		return 1; /* not an FDT_ERR code: the fixture is missing */
	err = dt_parse(info, b, size, phys);
	if (sizep)
		*sizep = size;
	if (blobp)
		*blobp = b;
	else
		free(b);
	return err;
}

/* parse() with the console output captured into @out. */
static int parse_quietly(struct dt_info *info, const char *name, u64 phys,
			 char *out, size_t outsize)
{
	struct capture c;
	int err;

	capture_start(&c);
	err = parse(info, name, phys, NULL, NULL);
	capture_end(&c, out, outsize);
	return err;
}

static void expect_ram(struct ktest *t, const struct dt_info *info,
		       const struct dt_range *want, int n)
{
	EXPECT_EQ(info->nr_ram, n);
	for (int i = 0; i < n && i < info->nr_ram; i++) {
		EXPECT_EQ(info->ram[i].base, want[i].base);
		EXPECT_EQ(info->ram[i].size, want[i].size);
	}
}

static void expect_reserved(struct ktest *t, const struct dt_info *info,
			    const struct want_res *want, int n)
{
	EXPECT_EQ(info->nr_reserved, n);
	for (int i = 0; i < n && i < info->nr_reserved; i++) {
		EXPECT_EQ(info->reserved[i].base, want[i].base);
		EXPECT_EQ(info->reserved[i].size, want[i].size);
		EXPECT_STREQ(info->reserved[i].reason, want[i].reason);
		EXPECT_EQ(info->reserved[i].nomap, want[i].nomap);
	}
}

static void expect_cpus(struct ktest *t, const struct dt_info *info,
			const struct want_cpu *want, int n)
{
	EXPECT_EQ(info->nr_cpus, n);
	for (int i = 0; i < n && i < info->nr_cpus; i++) {
		EXPECT_EQ(info->cpus[i].hartid, want[i].hartid);
		EXPECT_EQ(info->cpus[i].usable, want[i].usable);
		EXPECT_STREQ(info->cpus[i].mmu_type, want[i].mmu);
	}
}

static void expect_no_initrd(struct ktest *t, const struct dt_info *info)
{
	EXPECT(!info->has_initrd);
	EXPECT_EQ(info->initrd_start, 0);
	EXPECT_EQ(info->initrd_end, 0);
}

static const struct want_cpu sv39_hart0[] = { { 0, true, "riscv,sv39" } };

/* ---- QEMU trees ---------------------------------------------------------- */

static void virt_map(struct ktest *t)
{
	static const struct dt_range ram[] = { { 0x80000000, 0x8000000 } };
	static const struct want_cpu cpus[] = {
		{ 0, true, "riscv,sv48" }, { 1, true, "riscv,sv48" },
		{ 2, true, "riscv,sv48" }, { 3, true, "riscv,sv48" },
	};
	struct dt_info info;
	size_t size;
	u8 *b = NULL;

	ASSERT_EQ(parse(&info, "virt", DTB_PHYS, &b, &size), 0);
	const struct want_res res[] = {
		{ 0x80000000, 0x80000, "mmode_resv0@80000000", false },
		{ DTB_PHYS, size, "dtb", false },
	};
	expect_ram(t, &info, ram, 1);
	expect_reserved(t, &info, res, 2);
	EXPECT_STREQ(info.bootargs, "console=ttyS0 earlycon");
	EXPECT_STREQ(info.stdout_path, "/soc/serial@10000000");
	expect_no_initrd(t, &info);
	EXPECT_EQ(info.timebase_frequency, 10000000);
	expect_cpus(t, &info, cpus, 4);
	EXPECT_EQ(info.nr_warnings, 0);
	EXPECT_EQ(info.dtb_phys, DTB_PHYS);
	EXPECT(info.fdt.blob == b);
	EXPECT_EQ(dt_ram_total(&info), 128ull << 20);
	free(b);
}

static void virt_8g_map(struct ktest *t)
{
	static const struct dt_range ram[] = { { 0x80000000, 0x200000000ull } };
	struct dt_info info;
	size_t size;
	u8 *b = NULL;

	ASSERT_EQ(parse(&info, "virt-8g", 0xbfe00000, &b, &size), 0);
	const struct want_res res[] = {
		{ 0x80000000, 0x80000, "mmode_resv0@80000000", false },
		{ 0xbfe00000, size, "dtb", false },
	};
	expect_ram(t, &info, ram, 1);
	EXPECT_EQ(info.ram[0].base + info.ram[0].size - 1, 0x27fffffffull);
	expect_reserved(t, &info, res, 2);
	EXPECT_STREQ(info.bootargs, "");
	EXPECT_STREQ(info.stdout_path, "/soc/serial@10000000");
	expect_no_initrd(t, &info);
	EXPECT_EQ(info.timebase_frequency, 10000000);
	EXPECT_EQ(info.nr_cpus, 4);
	EXPECT_EQ(info.nr_warnings, 0);
	EXPECT_EQ(dt_ram_total(&info), 8ull << 30);
	free(b);
}

static void sifive_u_map(struct ktest *t)
{
	static const struct dt_range ram[] = { { 0x80000000, 0x8000000 } };
	static const struct want_cpu cpus[] = {
		{ 0, false, "" }, /* the E51: disabled by OpenSBI, no MMU */
		{ 1, true, "riscv,sv48" }, { 2, true, "riscv,sv48" },
		{ 3, true, "riscv,sv48" }, { 4, true, "riscv,sv48" },
	};
	struct dt_info info;
	size_t size;
	u8 *b = NULL;

	ASSERT_EQ(parse(&info, "sifive-u", DTB_PHYS, &b, &size), 0);
	const struct want_res res[] = {
		{ 0x80000000, 0x80000, "mmode_resv0@80000000", true },
		{ DTB_PHYS, size, "dtb", false },
	};
	expect_ram(t, &info, ram, 1);
	expect_reserved(t, &info, res, 2);
	EXPECT_STREQ(info.bootargs, "");
	EXPECT_STREQ(info.stdout_path, "/soc/serial@10010000");
	expect_no_initrd(t, &info);
	EXPECT_EQ(info.timebase_frequency, 1000000);
	expect_cpus(t, &info, cpus, 5);
	EXPECT_EQ(info.nr_warnings, 0);
	free(b);
}

/* ---- synthetic trees ----------------------------------------------------- */

static void two_banks_map(struct ktest *t)
{
	static const struct dt_range ram[] = {
		{ 0x80000000, 0x10000000 }, { 0x140000000ull, 0x10000000 },
	};
	static const struct want_cpu cpus[] = {
		{ 0, true, "riscv,sv39" }, { 1, true, "riscv,sv39" },
		{ 2, false, "riscv,sv39" }, /* disabled */
	};
	struct dt_info info;
	size_t size;
	u8 *b = NULL;

	ASSERT_EQ(parse(&info, "two-banks", DTB_PHYS, &b, &size), 0);
	const struct want_res res[] = {
		{ 0x80000000, 0x80000, "mmode_resv0@80000000", false },
		{ DTB_PHYS, size, "dtb", false },
	};
	expect_ram(t, &info, ram, 2);
	expect_reserved(t, &info, res, 2);
	EXPECT_STREQ(info.bootargs, "console=ttyS0");
	EXPECT_STREQ(info.stdout_path, "/soc/serial@10000000");
	expect_no_initrd(t, &info);
	EXPECT_EQ(info.timebase_frequency, 10000000);
	expect_cpus(t, &info, cpus, 3);
	EXPECT_EQ(info.nr_warnings, 0);
	EXPECT_EQ(dt_ram_total(&info), 512ull << 20);
	free(b);
}

static void multi_reg_map(struct ktest *t)
{
	static const struct dt_range ram[] = {
		{ 0x80000000, 0x10000000 },     /* three touching entries, joined */
		{ 0xc0000000, 0x10000000 },
		{ 0x100000000ull, 0x10000000 },
	};
	struct dt_info info;
	size_t size;
	u8 *b = NULL;

	ASSERT_EQ(parse(&info, "multi-reg", 0x80100000, &b, &size), 0);
	const struct want_res res[] = { { 0x80100000, size, "dtb", false } };
	expect_ram(t, &info, ram, 3);
	expect_reserved(t, &info, res, 1);
	EXPECT_STREQ(info.bootargs, "");
	EXPECT_STREQ(info.stdout_path, "/soc/serial@10000000");
	expect_no_initrd(t, &info);
	EXPECT_EQ(info.timebase_frequency, 10000000);
	expect_cpus(t, &info, sv39_hart0, 1);
	EXPECT_EQ(info.nr_warnings, 0); /* joining touching ranges is silent */
	free(b);
}

/* mem=SIZE over three ranges of 256 MiB (multi-reg.dts), the kernel at
 * 0x80200000-0x80400000: RAM keeps exactly the lowest SIZE bytes, one line
 * says what is left out; a limit below the image's end, one no smaller
 * than RAM, and bad values change nothing and say so. */
static int limited(struct ktest *t, struct dt_info *info, const char *param, char *out, size_t len)
{
	char word[32];
	struct capture c;
	u64 left_out;

	dt_mem_limit = 0;
	snprintf(word, sizeof(word), "%s", param);
	if (parse(info, "multi-reg", 0x80100000, NULL, NULL)) {
		EXPECT(!"multi-reg parses");
		return -1;
	}
	capture_start(&c);
	int problems = cmdline_parse(word);
	left_out = dt_apply_mem_limit(info, 0x80200000, 0x80400000);
	capture_end(&c, out, len);
	EXPECT_EQ(info->ram_left_out, left_out);
	EXPECT_EQ(dt_ram_total(info) + left_out, 768ull << 20);
	return problems;
}

static void mem_limit_keeps_lowest_ram(struct ktest *t)
{
	struct dt_info info;
	char out[512];

	EXPECT_EQ(limited(t, &info, "mem=300M", out, sizeof(out)), 0);
	EXPECT_EQ(dt_ram_total(&info), 300ull << 20);
	ASSERT_EQ(info.nr_ram, 2);
	EXPECT_EQ(info.ram[1].base, 0xc0000000ull);
	EXPECT_EQ(info.ram[1].size, 44ull << 20);
	EXPECT(strstr(out, "memory: mem=307200K: using 307200K of 786432K of RAM, none from 0x00000000c2c00000 up"));

	/* A limit at a range's end drops the ranges above whole. */
	EXPECT_EQ(limited(t, &info, "mem=0x10000000", out, sizeof(out)), 0);
	ASSERT_EQ(info.nr_ram, 1);
	EXPECT_EQ(info.ram[0].size, 256ull << 20);
	EXPECT(strstr(out, "none from 0x0000000090000000 up"));

	/* Rounded down to a page; the kernel's end exactly is allowed. */
	EXPECT_EQ(limited(t, &info, "mem=4097K", out, sizeof(out)), 0);
	EXPECT_EQ(dt_ram_total(&info), 4096ull << 10);

	EXPECT_EQ(limited(t, &info, "mem=3M", out, sizeof(out)), 0);
	EXPECT_EQ(info.nr_ram, 3);
	EXPECT(strstr(out, "mem=3072K would leave out part of the kernel image, which ends at 0x80400000 "
			   "(4096K of RAM up to there): ignored, all 786432K of RAM used"));

	EXPECT_EQ(limited(t, &info, "mem=768M", out, sizeof(out)), 0);
	EXPECT_EQ(info.nr_ram, 3);
	EXPECT(strstr(out, "mem=786432K is no less than the 786432K of RAM: all of it used"));

	EXPECT_EQ(limited(t, &info, "mem=0", out, sizeof(out)), 1);
	EXPECT(strstr(out, "invalid value for 'mem': '0'"));
	EXPECT_EQ(limited(t, &info, "mem=lots", out, sizeof(out)), 1);
	EXPECT_EQ(limited(t, &info, "mem", out, sizeof(out)), 1);
	EXPECT_EQ(info.nr_ram, 3);
	EXPECT_EQ(dt_mem_limit, 0);
}

static void resmem_middle_map(struct ktest *t)
{
	static const struct dt_range ram[] = { { 0x80000000, 0x20000000 } };
	struct dt_info info;
	char out[512];
	size_t size;
	u8 *b = NULL;
	struct capture c;
	int err;

	capture_start(&c);
	err = parse(&info, "resmem-middle", 0x9fe00000, &b, &size);
	capture_end(&c, out, sizeof(out));
	ASSERT_EQ(err, 0);
	const struct want_res res[] = {
		{ 0x80000000, 0x80000, "mmode_resv0@80000000", false },
		{ 0x8c000000, 0x100000, "shmem@8c000000", false },
		{ 0x90000000, 0x800000, "framebuffer@90000000", true },
		{ 0x9a000000, 0x1000, "multi@9a000000", true },
		{ 0x9b000000, 0x2000, "multi@9a000000", true },
		{ 0x9fe00000, size, "dtb", false },
	};
	expect_ram(t, &info, ram, 1);
	expect_reserved(t, &info, res, 6);
	EXPECT_STREQ(info.stdout_path, "/soc/serial@10000000");
	expect_no_initrd(t, &info);
	expect_cpus(t, &info, sv39_hart0, 1);
	/* linux,cma has only a size: listed for dt_place_dynamic, a CMA pool
	 * (reusable shared-dma-pool), so 2 MiB aligned; the disabled child is
	 * skipped silently */
	EXPECT_EQ(info.nr_warnings, 0);
	EXPECT_STREQ(out, "");
	ASSERT_EQ(info.nr_dynamic, 1);
	EXPECT_STREQ(info.dynamic[0].name, "linux,cma");
	EXPECT_EQ(info.dynamic[0].size, 0x4000000);
	EXPECT_EQ(info.dynamic[0].align, DT_CMA_ALIGN);
	EXPECT_EQ(info.dynamic[0].nr_ranges, 0);
	EXPECT(info.dynamic[0].reusable && !info.dynamic[0].nomap);
	free(b);
}

static void memreserve_map(struct ktest *t)
{
	static const struct dt_range ram[] = { { 0x80000000, 0x10000000 } };
	struct dt_info info;
	size_t size;
	u8 *b = NULL;

	ASSERT_EQ(parse(&info, "memreserve", DTB_PHYS, &b, &size), 0);
	const struct want_res res[] = {
		{ 0x84000000, 0x2000, "memreserve", false },
		{ DTB_PHYS, size, "dtb", false },
		{ 0x88000000, 0x10000, "memreserve", false },
	};
	expect_ram(t, &info, ram, 1);
	expect_reserved(t, &info, res, 3);
	EXPECT_STREQ(info.stdout_path, "/soc/serial@10000000");
	expect_no_initrd(t, &info);
	expect_cpus(t, &info, sv39_hart0, 1);
	EXPECT_EQ(info.nr_warnings, 0);
	free(b);
}

static void cells_1_1_map(struct ktest *t)
{
	static const struct dt_range ram[] = { { 0x80000000, 0x10000000 } };
	static const struct want_cpu cpus[] = {
		{ 0, true, "riscv,sv32" }, { 1, false, "riscv,none" },
	};
	struct dt_info info;
	size_t size;
	u8 *b = NULL;

	ASSERT_EQ(parse(&info, "cells-1-1", 0x8fe00000, &b, &size), 0);
	const struct want_res res[] = {
		{ 0x80000000, 0x80000, "mmode_resv0@80000000", true },
		{ 0x8fe00000, size, "dtb", false },
	};
	expect_ram(t, &info, ram, 1);
	expect_reserved(t, &info, res, 2);
	EXPECT_STREQ(info.bootargs, ""); /* present but empty */
	EXPECT_STREQ(info.stdout_path, "/soc/serial@10000000"); /* linux,stdout-path */
	expect_no_initrd(t, &info);
	EXPECT_EQ(info.timebase_frequency, 1000000); /* from cpu@0 */
	expect_cpus(t, &info, cpus, 2);
	EXPECT_EQ(info.nr_warnings, 0);
	free(b);
}

static void initrd_32bit_cells(struct ktest *t)
{
	static const struct dt_range ram[] = { { 0x80000000, 0x8000000 } };
	struct dt_info info;
	size_t size;
	u8 *b = NULL;

	ASSERT_EQ(parse(&info, "initrd32", DTB_PHYS, &b, &size), 0);
	const struct want_res res[] = {
		{ 0x84200000, 0x186a0, "initrd", false },
		{ DTB_PHYS, size, "dtb", false },
	};
	expect_ram(t, &info, ram, 1);
	expect_reserved(t, &info, res, 2);
	EXPECT(info.has_initrd);
	EXPECT_EQ(info.initrd_start, 0x84200000);
	EXPECT_EQ(info.initrd_end, 0x842186a0);
	EXPECT_STREQ(info.bootargs, "console=ttyS0 root=/dev/ram");
	EXPECT_STREQ(info.stdout_path, "/soc/serial@10000000"); /* ":115200n8" stripped */
	expect_cpus(t, &info, sv39_hart0, 1);
	EXPECT_EQ(info.nr_warnings, 0);
	free(b);
}

static void initrd_64bit_values(struct ktest *t)
{
	static const struct dt_range ram[] = { { 0x80000000, 0x100000000ull } };
	struct dt_info info;
	size_t size;
	u8 *b = NULL;

	ASSERT_EQ(parse(&info, "initrd64", DTB_PHYS, &b, &size), 0);
	const struct want_res res[] = {
		{ DTB_PHYS, size, "dtb", false },
		{ 0x100000000ull, 0x800000, "initrd", false },
	};
	expect_ram(t, &info, ram, 1);
	expect_reserved(t, &info, res, 2);
	EXPECT(info.has_initrd);
	EXPECT_EQ(info.initrd_start, 0x100000000ull);
	EXPECT_EQ(info.initrd_end, 0x100800000ull);
	EXPECT_STREQ(info.bootargs, "");
	EXPECT_STREQ(info.stdout_path, "serial0"); /* an alias, kept as is */
	EXPECT_EQ(info.nr_warnings, 0);
	free(b);
}

static void warnings_repaired(struct ktest *t)
{
	static const struct dt_range ram[] = {
		{ 0x80000000, 0x18000000 }, /* memory@80000000 + memory@88000000 */
		{ 0xc0000000, 0x1000000 },  /* the duplicate entries */
	};
	static const char want_out[] =
		"dt: warning: /memory@88000000: [mem 0x0000000088000000-0x0000000097ffffff] "
		"overlaps [mem 0x0000000080000000-0x000000008fffffff]: merged\n"
		"dt: warning: /memory@c0000000: [mem 0x00000000c0000000-0x00000000c0ffffff] "
		"overlaps [mem 0x00000000c0000000-0x00000000c0ffffff]: merged\n"
		"dt: warning: /memory@a0000000: zero-size reg entry 0 dropped\n"
		"dt: warning: /memory@b0000000: no device_type \"memory\": ignored\n"
		"dt: warning: /memory@e0000000: no reg: ignored\n"
		"dt: warning: memreserve entry 0: zero size: dropped\n"
		"dt: warning: /reserved-memory: ranges not translated: identity assumed\n"
		"dt: warning: /reserved-memory/zero@82000000: zero-size reg entry 0 dropped\n"
		"dt: warning: /reserved-memory/noreg@83000000: no reg: skipped\n"
		"dt: warning: /chosen: stdout-path longer than 127 bytes: truncated\n"
		"dt: warning: /chosen: linux,initrd-start without linux,initrd-end: ignored\n";
	char want_path[160];
	struct dt_info info;
	char out[2048];
	size_t size;
	u8 *b = NULL;
	struct capture c;
	int err;

	capture_start(&c);
	err = parse(&info, "warnings", DTB_PHYS, &b, &size);
	capture_end(&c, out, sizeof(out));
	ASSERT_EQ(err, 0);
	const struct want_res res[] = {
		{ 0x84000000, 0x1000, "good@84000000", false },
		{ DTB_PHYS, size, "dtb", false },
	};
	expect_ram(t, &info, ram, 2);
	expect_reserved(t, &info, res, 2);
	expect_no_initrd(t, &info);
	EXPECT_EQ(info.nr_warnings, 11);
	EXPECT_STREQ(out, want_out);
	/* the first 127 bytes of "/soc/" + 13 x "abcdefghij" + "@10000000" */
	strcpy(want_path, "/soc/");
	for (int i = 0; i < 13; i++)
		strcat(want_path, "abcdefghij");
	want_path[DT_STDOUT_LEN - 1] = '\0';
	EXPECT_STREQ(info.stdout_path, want_path);
	free(b);
}

static void cpus_found_by_name_or_type(struct ktest *t)
{
	static const struct want_cpu cpus[] = {
		{ 0, true, "riscv,sv39" },          /* cpu@0: by name */
		{ 0x100000001ull, true, "riscv,sv57" }, /* hart@1: by type, "ok" */
	};
	struct dt_info info;
	char out[512];

	ASSERT_EQ(parse_quietly(&info, "cpus-odd", DTB_PHYS, out, sizeof(out)), 0);
	expect_cpus(t, &info, cpus, 2);
	EXPECT_EQ(info.timebase_frequency, 4000000);
	EXPECT_EQ(info.nr_warnings, 1);
	EXPECT_STREQ(out, "dt: warning: /cpus/cpu@2: no reg: ignored\n");
}

static void deep_tree_parses(struct ktest *t)
{
	static const struct dt_range ram[] = { { 0x80000000, 0x8000000 } };
	struct dt_info info;

	ASSERT_EQ(parse(&info, "deep-ok", DTB_PHYS, NULL, NULL), 0);
	expect_ram(t, &info, ram, 1);
	EXPECT_EQ(info.nr_cpus, 0);
	EXPECT_EQ(info.timebase_frequency, 0);
	EXPECT_STREQ(info.stdout_path, "");
	EXPECT_STREQ(info.bootargs, "");
}

static void ram_table_holds_max(struct ktest *t)
{
	struct dt_info info;

	ASSERT_EQ(parse(&info, "ram-max", DTB_PHYS, NULL, NULL), 0);
	ASSERT_EQ(info.nr_ram, DT_MAX_RAM);
	for (int i = 0; i < DT_MAX_RAM; i++) {
		EXPECT_EQ(info.ram[i].base, 0x80000000ull + (u64)i * 0x200000);
		EXPECT_EQ(info.ram[i].size, i == 1 ? 0x180000 : 0x100000); /* 1: the kernel's */
	}
	EXPECT_EQ(dt_ram_total(&info), ((u64)DT_MAX_RAM << 20) + 0x80000);
}

/* ---- dynamic /reserved-memory nodes (size, no reg) ----------------------- */

static void expect_table_full(struct ktest *t, const char *name, const char *why);

struct want_dyn_res {
	u64 base, size;
	const char *reason;
	bool nomap, reusable, dynamic;
};

/* The whole reserved table, flags included. */
static void expect_reserved_flags(struct ktest *t, const struct dt_info *info,
				  const struct want_dyn_res *want, int n)
{
	EXPECT_EQ(info->nr_reserved, n);
	for (int i = 0; i < n && i < info->nr_reserved; i++) {
		const struct dt_reserved *r = &info->reserved[i];

		EXPECT_EQ(r->base, want[i].base);
		EXPECT_EQ(r->size, want[i].size);
		EXPECT_STREQ(r->reason, want[i].reason);
		EXPECT_EQ(r->nomap, want[i].nomap);
		EXPECT_EQ(r->reusable, want[i].reusable);
		EXPECT_EQ(r->dynamic, want[i].dynamic);
	}
}

/* Every dynamic range lies inside one RAM range and overlaps no other
 * reserved range (brute force over the table). */
static void expect_dynamic_disjoint(struct ktest *t, const struct dt_info *info)
{
	for (int i = 0; i < info->nr_reserved; i++) {
		const struct dt_reserved *d = &info->reserved[i];
		bool in_ram = false;

		if (!d->dynamic)
			continue;
		for (int k = 0; k < info->nr_ram; k++)
			in_ram |= d->base >= info->ram[k].base &&
				  d->base + d->size <= info->ram[k].base + info->ram[k].size;
		EXPECT(in_ram);
		for (int j = 0; j < info->nr_reserved; j++) {
			const struct dt_reserved *o = &info->reserved[j];

			if (j != i && o->base < d->base + d->size && d->base < o->base + o->size)
				kprintf("# %s [mem 0x%llx+0x%llx] overlaps %s\n", d->reason,
					(unsigned long long)d->base, (unsigned long long)d->size, o->reason);
			EXPECT(j == i || o->base >= d->base + d->size || d->base >= o->base + o->size);
		}
	}
}

/* Parse @name at @dtb, reserve the kernel at 0x80200000 (2 MiB) as the
 * boot does, then place the dynamic nodes, their output into @out. Returns
 * dt_place_dynamic's count of warnings, or -1 when the parse fails. */
static int parse_and_place(struct dt_info *info, const char *name, u64 dtb, u8 **blob,
			   char *out, size_t outsize)
{
	struct capture c;
	int warnings;

	if (parse(info, name, dtb, blob, NULL) ||
	    dt_add_reserved(info, 0x80200000, 0x200000, "kernel", false))
		return -1;
	capture_start(&c);
	warnings = dt_place_dynamic(info);
	capture_end(&c, out, outsize);
	return warnings;
}

/*
 * resmem-dynamic.dts: five dynamic nodes placed in the order of the tree,
 * after the mem-reserve entry, firmware@bf000000, the kernel and the dtb,
 * top-down, each where the fixture's comment works it out by hand: the CMA
 * pool 2 MiB aligned below 4 GiB, the second alloc-ranges entry when the
 * first has no room, the default alignment 64 for none and for 0.
 */
static void dynamic_placed_after_static(struct ktest *t)
{
	static const struct want_dyn_res res[] = {
		{ 0x80000000, 0x80000, "mmode_resv0@80000000", false, false, false },
		{ 0x80200000, 0x200000, "kernel", false, false, false },
		{ 0x9fe00000, 0x200000, "tee", false, false, true },
		{ 0xba000000, 0x4000000, "linux,cma", false, true, true },
		{ 0xbe000000, 0x100000, "memreserve", false, false, false },
		{ 0xbf000000, 0x800000, "firmware@bf000000", true, false, false },
		{ 0xbfe00000, 0, "dtb", false, false, false }, /* size: the blob's */
		{ 0x1bfefd7c0ull, 0x1000, "fw-scratch", false, false, true },
		{ 0x1bfefe7c0ull, 0x1840, "log-buffer", false, false, true },
		{ 0x1bff00000ull, 0x100000, "dsp-pool", true, false, true },
	};
	static const char want_out[] =
		"dt: /reserved-memory/linux,cma: dynamic: [mem 0x00000000ba000000-0x00000000bdffffff] (size 0x4000000, align 0x200000, alloc-ranges entry 0)\n"
		"dt: /reserved-memory/dsp-pool: dynamic: [mem 0x00000001bff00000-0x00000001bfffffff] (size 0x100000, align 0x100000)\n"
		"dt: /reserved-memory/log-buffer: dynamic: [mem 0x00000001bfefe7c0-0x00000001bfefffff] (size 0x1840, align 0x40)\n"
		"dt: /reserved-memory/tee: dynamic: [mem 0x000000009fe00000-0x000000009fffffff] (size 0x200000, align 0x200000, alloc-ranges entry 1)\n"
		"dt: /reserved-memory/fw-scratch: dynamic: [mem 0x00000001bfefd7c0-0x00000001bfefe7bf] (size 0x1000, align 0x40)\n";
	static const char want_map_tail[] =
		"  [mem 0x00000001bfefd7c0-0x00000001bfefe7bf] fw-scratch (dynamic)\n"
		"  [mem 0x00000001bfefe7c0-0x00000001bfefffff] log-buffer (dynamic)\n"
		"  [mem 0x00000001bff00000-0x00000001bfffffff] dsp-pool (dynamic, no-map)\n";
	static struct dt_info info;
	struct want_dyn_res want[ARRAY_SIZE(res)];
	struct capture c;
	char out[2048];
	u8 *b = NULL;

	ASSERT_EQ(parse_and_place(&info, "resmem-dynamic", 0xbfe00000, &b, out, sizeof(out)), 0);
	EXPECT_STREQ(out, want_out);
	EXPECT_EQ(info.nr_warnings, 0);
	ASSERT_EQ(info.nr_dynamic, 5); /* the disabled one is not listed */
	EXPECT_EQ(info.dynamic[0].align, DT_CMA_ALIGN); /* 0x1000 raised: CMA */
	EXPECT_EQ(info.dynamic[1].align, 0x100000);     /* no-map: not CMA */
	EXPECT_EQ(info.dynamic[2].align, DT_DYNAMIC_ALIGN);
	EXPECT_EQ(info.dynamic[3].nr_ranges, 2);
	EXPECT_EQ(info.dynamic[4].align, DT_DYNAMIC_ALIGN); /* alignment 0 */
	memcpy(want, res, sizeof(res));
	want[6].size = info.fdt.totalsize;
	expect_reserved_flags(t, &info, want, (int)ARRAY_SIZE(want));
	expect_dynamic_disjoint(t, &info);
	capture_start(&c);
	dt_print_memmap(&info);
	capture_end(&c, out, sizeof(out));
	EXPECT(strstr(out, "  [mem 0x00000000ba000000-0x00000000bdffffff] linux,cma (dynamic, reusable)\n"));
	EXPECT(strstr(out, "  [mem 0x000000009fe00000-0x000000009fffffff] tee (dynamic)\n"));
	EXPECT(strstr(out, "  [mem 0x00000000bf000000-0x00000000bf7fffff] firmware@bf000000 (no-map)\n"));
	EXPECT(strstr(out, want_map_tail));
	free(b);
}

/*
 * resmem-dynamic-errors.dts: each bad node gets one warning naming it and
 * its cause (two for outside-ram: its entry, then the skip) and reserves
 * nothing; the one that fits goes below the initrd, not into it.
 */
static void dynamic_bad_input_skipped(struct ktest *t)
{
	static const char want_parse[] =
		"dt: warning: /reserved-memory/zero-size: size 0: skipped\n"
		"dt: warning: /reserved-memory/size-cells: size is 4 bytes, not 8 (#size-cells 2): skipped\n"
		"dt: warning: /reserved-memory/align-three: alignment 0x3000 is not a power of two: skipped\n"
		"dt: warning: /reserved-memory/align-cells: alignment is 4 bytes, not 8 (#address-cells 2): skipped\n"
		"dt: warning: /reserved-memory/ranges-len: alloc-ranges is 20 bytes, not a whole number of 16-byte entries (an address and a size): skipped\n"
		"dt: warning: /reserved-memory/ranges-wrap: alloc-ranges entry 0 (0xfffffffffffff000, size 0x2000) wraps past 2^64: skipped\n";
	static const char want_place[] =
		"dt: warning: /reserved-memory/outside-ram: alloc-ranges entry 0 (0x100000000, size 0x10000000) holds no RAM: not tried\n"
		"dt: warning: /reserved-memory/outside-ram: no alloc-ranges entry holds RAM: skipped\n"
		"dt: warning: /reserved-memory/too-big: no room for 0x10000000 bytes aligned to 0x40 in RAM: skipped\n"
		"dt: warning: /reserved-memory/no-room: no room for 0x300000 bytes aligned to 0x40 in its alloc-ranges: skipped\n"
		"dt: /reserved-memory/fits: dynamic: [mem 0x000000008ed00000-0x000000008effffff] (size 0x300000, align 0x100000)\n";
	static struct dt_info info;
	struct capture c;
	char out[2048];
	u8 *b = NULL;
	int err;

	capture_start(&c);
	err = parse(&info, "resmem-dynamic-errors", 0x8fe00000, &b, NULL);
	capture_end(&c, out, sizeof(out));
	ASSERT_EQ(err, 0);
	EXPECT_STREQ(out, want_parse);
	EXPECT_EQ(info.nr_warnings, 6);
	ASSERT_EQ(info.nr_dynamic, 4);
	ASSERT_EQ(dt_add_reserved(&info, 0x80200000, 0x200000, "kernel", false), 0);
	capture_start(&c);
	err = dt_place_dynamic(&info);
	capture_end(&c, out, sizeof(out));
	EXPECT_EQ(err, 4);
	EXPECT_EQ(info.nr_warnings, 10);
	EXPECT_STREQ(out, want_place);
	const struct want_dyn_res res[] = {
		{ 0x80000000, 0x80000, "mmode_resv0@80000000", false, false, false },
		{ 0x80200000, 0x200000, "kernel", false, false, false },
		{ 0x8ed00000, 0x300000, "fits", false, false, true },
		{ 0x8f000000, 0xc00000, "initrd", false, false, false },
		{ 0x8fe00000, info.fdt.totalsize, "dtb", false, false, false },
	};
	expect_reserved_flags(t, &info, res, (int)ARRAY_SIZE(res));
	expect_dynamic_disjoint(t, &info);
	free(b);
}

/* The CMA flags of a reserved entry @reason (the first with that name). */
static void expect_cma(struct ktest *t, const struct dt_info *info, const char *reason, bool cma,
		       bool dflt, bool cmdline)
{
	for (int i = 0; i < info->nr_reserved; i++) {
		const struct dt_reserved *r = &info->reserved[i];

		if (strcmp(r->reason, reason))
			continue;
		if (r->cma != cma || r->cma_default != dflt || r->from_cmdline != cmdline)
			ktest_fail(t, __FILE__, __LINE__, "%s: cma %d default %d cmdline %d, expected %d %d %d",
				   reason, r->cma, r->cma_default, r->from_cmdline, cma, dflt, cmdline);
		return;
	}
	ktest_fail(t, __FILE__, __LINE__, "no reserved range %s", reason);
}

/* Is there a reserved range named @reason? */
static bool has_reserved(const struct dt_info *info, const char *reason)
{
	for (int i = 0; i < info->nr_reserved; i++)
		if (!strcmp(info->reserved[i].reason, reason))
			return true;
	return false;
}

/* cma-pools: a CMA pool is a reusable shared-dma-pool without no-map (its
 * first reg range only), linux,cma-default (dyn-cma) the default; cma=16M
 * adds its own pool below 4 GiB in place of the tree's default, which is
 * not placed; cma=0 drops the tree's default and adds none. */
static void cma_pools(struct ktest *t)
{
	static struct dt_info info;
	struct capture c;
	char out[2048];
	u8 *b = NULL;

	for (int round = 0; round < 3; round++) {
		static const char *const param[] = { NULL, "cma=16M", "cma=0" };

		dt_cma_given = false;
		dt_cma_size = 0;
		free(b);
		b = NULL;
		ASSERT_EQ(parse(&info, "cma-pools", 0x9fe00000, &b, NULL), 0);
		ASSERT_EQ(info.nr_dynamic, 1);
		EXPECT(info.dynamic[0].cma && info.dynamic[0].cma_default);
		EXPECT_EQ(info.dynamic[0].align, DT_CMA_ALIGN);
		if (param[round]) {
			char word[16];

			snprintf(word, sizeof(word), "%s", param[round]);
			EXPECT_EQ(cmdline_parse(word), 0);
			EXPECT(dt_cma_given);
		}
		ASSERT_EQ(dt_add_reserved(&info, 0x80200000, 0x200000, "kernel", false), 0);
		capture_start(&c);
		EXPECT_EQ(dt_place_dynamic(&info), 0);
		capture_end(&c, out, sizeof(out));
		/* the pool's first range is the area; its second, only reserved */
		for (int i = 0; i < info.nr_reserved; i++)
			if (info.reserved[i].base == 0x89800000)
				EXPECT(!info.reserved[i].cma && !strcmp(info.reserved[i].reason, "cma-static@88000000"));
		expect_cma(t, &info, "cma-static@88000000", true, false, false);
		expect_cma(t, &info, "nomap-pool@8a000000", false, false, false);
		expect_cma(t, &info, "other@8b000000", false, false, false);
		expect_cma(t, &info, "plain-pool@8c000000", false, false, false);
		if (round == 0) {
			expect_cma(t, &info, "dyn-cma", true, true, false);
			EXPECT(!has_reserved(&info, "cma"));
		} else {
			EXPECT(!has_reserved(&info, "dyn-cma"));
			EXPECT(strstr(out, "dt: /reserved-memory/dyn-cma: the default CMA pool: cma= replaces it, "
					   "not placed\n"));
		}
		if (round == 1) {
			expect_cma(t, &info, "cma", true, true, true);
			EXPECT(strstr(out, "dt: cma: dynamic: [mem 0x000000009ee00000-0x000000009fdfffff] (size 0x1000000, "
					   "align 0x200000, alloc-ranges entry 0)\n"));
		}
		if (round == 2)
			EXPECT(!has_reserved(&info, "cma"));
		expect_dynamic_disjoint(t, &info);
	}
	dt_cma_given = false;
	dt_cma_size = 0;
	free(b);
}

/* The reserved range named @reason: its base (0: none). */
static u64 reserved_base(const struct dt_info *info, const char *reason, u64 *size)
{
	for (int i = 0; i < info->nr_reserved; i++)
		if (!strcmp(info->reserved[i].reason, reason)) {
			*size = info->reserved[i].size;
			return info->reserved[i].base;
		}
	return 0;
}

/*
 * cma=SIZE@BASE and cma=SIZE@START-END (Linux's forms) on cma-pools.dts
 * (512 MiB at 0x80000000; cma-static@88000000 reserves [0x88000000,
 * 0x8a000000)): the area at BASE exactly, or inside the range (placed from
 * its top, as every dynamic node); a BASE on reserved memory is warned of
 * and gives no area; each malformed value refused by the command line,
 * naming the rule, and leaving the earlier setting.
 */
static void cma_param_placement(struct ktest *t)
{
	static const struct {
		const char *param;
		u64 base; /* 0: no area */
		const char *line;
	} ok[] = {
		{ "cma=16M@0x90000000", 0x90000000, "dt: cma: dynamic: [mem 0x0000000090000000-0x0000000090ffffff]" },
		{ "cma=3M@2304M", 0x90000000, "(size 0x400000, align 0x200000, alloc-ranges entry 0)" },
		{ "cma=16M@0x90000000-0x98000000", 0x97000000, "dt: cma: dynamic: [mem 0x0000000097000000-" },
		{ "cma=16M@0x88000000", 0, "cma: no room for 0x1000000 bytes aligned to 0x200000 in its alloc-ranges" },
		{ "cma=16M@0x40000000", 0, "holds no RAM: not tried" },
	};
	static const char *const bad[] = { "cma=16M@0x90100000", "cma=16M@0x98000000-0x90000000",
					   "cma=16M@0x90000000-0x90800000", "cma=16M@zz", "cma=16M@",
					   "cma=16M@0x90000000-", "cma=16M@0x90000000-0x98000000-1" };
	static struct dt_info info;
	struct capture c;
	char out[2048], word[64];
	u8 *b = NULL;
	u64 size = 0;

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		dt_cma_given = false;
		dt_cma_size = dt_cma_start = dt_cma_end = 0;
		free(b);
		b = NULL;
		ASSERT_EQ(parse(&info, "cma-pools", 0x9fe00000, &b, NULL), 0);
		snprintf(word, sizeof(word), "%s", ok[i].param);
		EXPECT_EQ(cmdline_parse(word), 0);
		ASSERT_EQ(dt_add_reserved(&info, 0x80200000, 0x200000, "kernel", false), 0);
		capture_start(&c);
		dt_place_dynamic(&info);
		capture_end(&c, out, sizeof(out));
		EXPECT_EQ(reserved_base(&info, "cma", &size), ok[i].base);
		if (ok[i].base)
			EXPECT_EQ(size, strstr(ok[i].param, "3M") ? 0x400000ull : 0x1000000ull);
		if (!strstr(out, ok[i].line))
			ktest_fail(t, __FILE__, __LINE__, "%s: no \"%s\" in:\n%s", ok[i].param, ok[i].line, out);
		expect_dynamic_disjoint(t, &info);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		dt_cma_given = true;
		dt_cma_size = 0x200000;
		dt_cma_start = dt_cma_end = 0;
		snprintf(word, sizeof(word), "%s", bad[i]);
		capture_start(&c);
		EXPECT_EQ(cmdline_parse(word), 1);
		capture_end(&c, out, sizeof(out));
		EXPECT(strstr(out, "cmdline: invalid value for 'cma'") != NULL);
		EXPECT(dt_cma_size == 0x200000 && !dt_cma_end); /* unchanged */
	}
	snprintf(word, sizeof(word), "cma=16M@0x90100000");
	capture_start(&c);
	cmdline_parse(word);
	capture_end(&c, out, sizeof(out));
	EXPECT(strstr(out, "cma: cma=16M@0x90100000: the base must be a multiple of 0x200000\n"));
	snprintf(word, sizeof(word), "cma=16M@0x90000000-0x90800000");
	capture_start(&c);
	cmdline_parse(word);
	capture_end(&c, out, sizeof(out));
	EXPECT(strstr(out, "the range [START, END) must hold SIZE"));
	dt_cma_given = false;
	dt_cma_size = dt_cma_start = dt_cma_end = 0;
	free(b);
}

/* 17 dynamic nodes: the table's limit, named (never a silent drop). */
static void dynamic_table_full(struct ktest *t)
{
	expect_table_full(t, "bad-resmem-dynamic-toomany",
			  "dynamic reservations: /reserved-memory/d16 is number 17 (size, no reg); rvmm's table holds 16");
}

/* ---- errors -------------------------------------------------------------- */

static void expect_parse_error(struct ktest *t, const char *name, int want)
{
	struct dt_info info;
	char out[1024];

	EXPECT_EQ(parse_quietly(&info, name, DTB_PHYS, out, sizeof(out)), want);
}

/* A full table fails the parse naming the table, the node and the limit. */
static void expect_table_full(struct ktest *t, const char *name, const char *why)
{
	struct dt_info info;
	char out[1024];

	EXPECT_EQ(parse_quietly(&info, name, DTB_PHYS, out, sizeof(out)), -FDT_ERR_TOOMANY);
	EXPECT_STREQ(info.error, why);
}

static void error_bad_cells(struct ktest *t)
{
	expect_parse_error(t, "bad-cells", -FDT_ERR_BADCELLS);
	expect_parse_error(t, "bad-size-cells", -FDT_ERR_BADCELLS);
	expect_parse_error(t, "bad-resmem-cells", -FDT_ERR_BADCELLS);
}

/* /reserved-memory with cells other than the root's, as OpenSBI leaves it
 * (mmode_resv0 written with the root's): refused, naming both pairs, not
 * read as [0, 2 GiB) and [0, 512 KiB) with OpenSBI's memory left free. */
static void error_resmem_cells_differ(struct ktest *t)
{
	struct dt_info info;
	char out[1024];

	EXPECT_EQ(parse_quietly(&info, "bad-resmem-cells-differ", DTB_PHYS, out, sizeof(out)),
		  -FDT_ERR_BADCELLS);
	EXPECT_STREQ(info.error, "/reserved-memory has #address-cells/#size-cells 1/1, the root 2/2: "
				 "they must be equal, as firmware (OpenSBI) writes its reserved-memory "
				 "children with the root's");
	EXPECT_EQ(info.nr_tree_reserved, 0);
}

/* Overlapping /reserved-memory ranges (OpenSBI's mmode_resv0 inside the
 * board's opensbi@80000000; a second reg entry inside another child): one
 * warning per pair, as Linux reports them, and every range kept. A
 * /reserved-memory without ranges is warned of too. */
static void resmem_overlaps_warned(struct ktest *t)
{
	static const char want_out[] =
		"dt: warning: /reserved-memory: no ranges (Linux ignores such a node): identity assumed\n"
		"dt: warning: /reserved-memory/opensbi@80000000 [mem 0x0000000080000000-0x00000000801fffff] "
		"overlaps /reserved-memory/mmode_resv0@80000000 [mem 0x0000000080000000-0x000000008007ffff]: "
		"both reserved\n"
		"dt: warning: /reserved-memory/fb@85000000 [mem 0x00000000840ff000-0x0000000084100fff] "
		"overlaps /reserved-memory/shared@84000000 [mem 0x0000000084000000-0x00000000840fffff]: "
		"both reserved\n";
	struct dt_info info;
	char out[1024];
	size_t size;
	u8 *b = NULL;
	struct capture c;
	int err;

	capture_start(&c);
	err = parse(&info, "resmem-overlap", DTB_PHYS, &b, &size);
	capture_end(&c, out, sizeof(out));
	ASSERT_EQ(err, 0);
	const struct want_res res[] = {
		{ 0x80000000, 0x80000, "mmode_resv0@80000000", false },
		{ 0x80000000, 0x200000, "opensbi@80000000", true },
		{ 0x84000000, 0x100000, "shared@84000000", false },
		{ 0x840ff000, 0x2000, "fb@85000000", true },
		{ 0x85000000, 0x1000, "fb@85000000", true },
		{ DTB_PHYS, size, "dtb", false },
	};
	expect_reserved(t, &info, res, 6);
	EXPECT_EQ(info.nr_warnings, 3);
	EXPECT_STREQ(out, want_out);
	free(b);
}

static void error_no_memory(struct ktest *t)
{
	struct dt_info info;
	char out[1024];

	expect_parse_error(t, "bad-nomem", -FDT_ERR_NOMEMORY);
	/* memory nodes that are placeholders: named, so that "no memory
	 * node" does not stand alone where the tree has two */
	EXPECT_EQ(parse_quietly(&info, "bad-mem-placeholder", DTB_PHYS, out, sizeof(out)),
		  -FDT_ERR_NOMEMORY);
	EXPECT_STREQ(info.error, "/memory@0 and 1 more memory nodes give no RAM (zero-size reg or none): "
				 "placeholders the boot loader fills in");
	EXPECT_STREQ(out, "dt: warning: /memory@0: zero-size reg entry 0 dropped\n"
			  "dt: warning: /memory@80000000: no reg: ignored\n");
	EXPECT_EQ(parse_quietly(&info, "bad-nomem", DTB_PHYS, out, sizeof(out)), -FDT_ERR_NOMEMORY);
	EXPECT_STREQ(info.error, "");
}

static void error_reg_length(struct ktest *t)
{
	expect_parse_error(t, "bad-reg-len", -FDT_ERR_BADVALUE);
	expect_parse_error(t, "bad-reg-empty", -FDT_ERR_BADVALUE);
}

static void error_range_wraps(struct ktest *t)
{
	expect_parse_error(t, "bad-wrap", -FDT_ERR_BADRANGE);
}

static void error_too_many_ranges(struct ktest *t)
{
	expect_table_full(t, "bad-toomany",
			  "memory banks: /memory@80000000 brings RAM range 33 (after joining); rvmm's table holds 32");
	expect_table_full(t, "bad-resmem-toomany",
			  "reserved ranges: /reserved-memory/r64@86400000 brings range 65 of the tree (mem-reserve entries and /reserved-memory regs); rvmm's table holds 64");
}

/*
 * DT_MAX_RESERVED ranges of the tree (mmode_resv0 and r1..r63), an initrd
 * and the dtb: accepted, and the kernel and the null page (a tree with RAM
 * from 0) still have their slots; that fills the table. Before the tree's
 * limit left them slots, the kernel found the table full at boot.
 */
static void reserved_slots_left_for_kernel(struct ktest *t)
{
	struct dt_info info;
	char out[1024];

	ASSERT_EQ(parse_quietly(&info, "resmem-full", DTB_PHYS, out, sizeof(out)), 0);
	EXPECT_EQ(info.nr_tree_reserved, DT_MAX_RESERVED);
	EXPECT(info.has_initrd);
	EXPECT_EQ(info.nr_reserved, DT_MAX_RESERVED + 2);
	EXPECT_EQ(dt_add_reserved(&info, 0x80200000, 0x200000, "kernel", false), 0);
	EXPECT_EQ(dt_add_reserved(&info, 0, PAGE_SIZE, "null page", true), 0);
	/* the dynamic nodes' slots stay free: the tree has none */
	EXPECT_EQ(info.nr_reserved, DT_MAX_RESERVED + DT_RESERVED_OWN);
	EXPECT_STREQ(info.error, "");
}

/*
 * The initrd's own reservations: a range of exactly its bytes without no-map
 * (U-Boot's mem-reserve entry for the initrd it loaded) is released with it;
 * any other overlap, or the same bytes with no-map, keeps it.
 */
static void initrd_own_reservations(struct ktest *t)
{
	static struct dt_info info;
	const u64 s = 0x84200000, e = 0x84200e3e;
	const struct dt_reserved *r;

	ASSERT_EQ(parse(&info, "initrd-memreserve", DTB_PHYS, NULL, NULL), 0);
	ASSERT(info.has_initrd);
	EXPECT_EQ(info.initrd_start, s);
	EXPECT_EQ(info.initrd_end, e);
	EXPECT(dt_initrd_overlap(&info) == NULL);
	/* one byte more, or a range around it: reported, kept reserved */
	ASSERT_EQ(dt_add_reserved(&info, s, e - s + 1, "bigger", false), 0);
	r = dt_initrd_overlap(&info);
	ASSERT(r != NULL);
	EXPECT_STREQ(r->reason, "bigger");
	ASSERT_EQ(parse(&info, "initrd-memreserve", DTB_PHYS, NULL, NULL), 0);
	ASSERT_EQ(dt_add_reserved(&info, s + 0x1000, 0x1000, "later-page", false), 0);
	r = dt_initrd_overlap(&info);
	EXPECT(r == NULL); /* starts past the initrd's end */
	ASSERT_EQ(dt_add_reserved(&info, s + 0xe3d, 1, "last-byte", false), 0);
	r = dt_initrd_overlap(&info);
	ASSERT(r != NULL);
	EXPECT_STREQ(r->reason, "last-byte");
	ASSERT_EQ(parse(&info, "initrd-memreserve", DTB_PHYS, NULL, NULL), 0);
	ASSERT_EQ(dt_add_reserved(&info, s, e - s, "carve-out", true), 0);
	r = dt_initrd_overlap(&info);
	ASSERT(r != NULL);
	EXPECT_STREQ(r->reason, "carve-out");
	/* no initrd, nothing to release */
	ASSERT_EQ(parse(&info, "memreserve", DTB_PHYS, NULL, NULL), 0);
	EXPECT(dt_initrd_overlap(&info) == NULL);
}

static void error_initrd(struct ktest *t)
{
	expect_parse_error(t, "bad-initrd-len", -FDT_ERR_BADVALUE);
	expect_parse_error(t, "bad-initrd-order", -FDT_ERR_BADRANGE);
}

/* cpu nodes past the table: the tree parses, the first DT_MAX_CPUS are
 * listed, the rest counted and warned of (the SG2042 has 64). */
static void cpus_past_table(struct ktest *t)
{
	struct dt_info info;
	char out[1024];

	ASSERT_EQ(parse_quietly(&info, "cpus-many", DTB_PHYS, out, sizeof(out)), 0);
	EXPECT_EQ(info.nr_cpus, DT_MAX_CPUS);
	EXPECT_EQ(info.nr_cpus_unlisted, 1);
	EXPECT_EQ(info.cpus[DT_MAX_CPUS - 1].hartid, (u64)DT_MAX_CPUS - 1);
	EXPECT(strstr(out, "dt: warning: /cpus has 33 cpu nodes; rvmm's table holds 32: "
			   "the harts of the other 1 stay down") != NULL);
}

/*
 * /cpus with #address-cells 0, as Linux's single-core ARM trees have it
 * (omap2430-sdp.dts, spear300-evb.dts, ...: cpu nodes without reg): the tree
 * is read, each such cpu node ignored with a warning. A reg under those
 * cells cannot be read: refused naming the node. Before, both trees were
 * refused with a bare "bad #address-cells or #size-cells".
 */
static void cpus_without_address_cells(struct ktest *t)
{
	static const struct dt_range ram[] = { { 0x80000000, 0x8000000 } };
	struct dt_info info;
	char out[1024];

	ASSERT_EQ(parse_quietly(&info, "cpus-addr0", DTB_PHYS, out, sizeof(out)), 0);
	expect_ram(t, &info, ram, 1);
	EXPECT_EQ(info.nr_cpus, 0);
	EXPECT_EQ(info.timebase_frequency, 10000000);
	EXPECT_EQ(info.nr_warnings, 1);
	EXPECT_STREQ(out, "dt: warning: /cpus/cpu: no reg: ignored\n");

	EXPECT_EQ(parse_quietly(&info, "bad-cpus-addr0-reg", DTB_PHYS, out, sizeof(out)),
		  -FDT_ERR_BADCELLS);
	EXPECT_STREQ(info.error, "/cpus/cpu@0 has a reg, but /cpus has #address-cells 0: "
				 "its hart id cannot be read");
}

static void error_cpus(struct ktest *t)
{
	expect_parse_error(t, "bad-timebase", -FDT_ERR_BADVALUE);
	expect_parse_error(t, "bad-mmu-type", -FDT_ERR_BADVALUE);
}

static void error_chosen_strings(struct ktest *t)
{
	expect_parse_error(t, "bad-bootargs", -FDT_ERR_BADVALUE);
	expect_parse_error(t, "bad-stdout", -FDT_ERR_BADVALUE);
}

static void error_depth(struct ktest *t)
{
	expect_parse_error(t, "bad-deep", -FDT_ERR_DEPTH);
}

static void error_from_fdt_open(struct ktest *t)
{
	struct dt_info info;
	size_t size;
	u8 *b = host_load_dtb("virt", &size);
	u8 *copy;

	ASSERT(b);
	copy = malloc(size - 1);
	memcpy(copy, b, size - 1);
	EXPECT_EQ(dt_parse(&info, copy, size - 1, DTB_PHYS), -FDT_ERR_TRUNCATED);
	free(copy);
	b[0] = 0x12;
	EXPECT_EQ(dt_parse(&info, b, size, DTB_PHYS), -FDT_ERR_BADMAGIC);
	free(b);
}

/* /chosen/rng-seed (QEMU's 32 bytes), the older kaslr-seed when it is the
 * only one, a long seed cut to DT_RNG_SEED_MAX, none at all. */
static void chosen_rng_seed(struct ktest *t)
{
	static const u8 qemu_head[8] = { 0xf1, 0xe2, 0xd5, 0xcc, 0xe6, 0x75, 0xcc, 0x97 };
	static const u8 kaslr[8] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };
	struct dt_info info;

	ASSERT_EQ(parse(&info, "virt", DTB_PHYS, NULL, NULL), 0);
	EXPECT_EQ(info.rng_seed_len, 32);
	EXPECT_STREQ(info.rng_seed_name, "rng-seed");
	EXPECT_EQ(memcmp(info.rng_seed, qemu_head, sizeof(qemu_head)), 0);
	EXPECT_EQ(info.rng_seed[31], 0x30);

	ASSERT_EQ(parse(&info, "kaslr-seed", DTB_PHYS, NULL, NULL), 0);
	EXPECT_EQ(info.rng_seed_len, 8);
	EXPECT_STREQ(info.rng_seed_name, "kaslr-seed");
	EXPECT_EQ(memcmp(info.rng_seed, kaslr, sizeof(kaslr)), 0);

	ASSERT_EQ(parse(&info, "rng-seed-long", DTB_PHYS, NULL, NULL), 0);
	EXPECT_EQ(info.rng_seed_len, DT_RNG_SEED_MAX);
	EXPECT_STREQ(info.rng_seed_name, "rng-seed");
	for (int i = 0; i < DT_RNG_SEED_MAX; i++)
		EXPECT_EQ(info.rng_seed[i], i);

	ASSERT_EQ(parse(&info, "two-banks", DTB_PHYS, NULL, NULL), 0);
	EXPECT_EQ(info.rng_seed_len, 0);
	EXPECT(info.rng_seed_name == NULL);
}

/* The blob's own range must not wrap either. */
static void error_dtb_wraps(struct ktest *t)
{
	struct dt_info info;

	EXPECT_EQ(parse(&info, "virt", 0xfffffffffffff000ull, NULL, NULL),
		  -FDT_ERR_BADRANGE);
}

/* Flip each byte of a good blob: dt_parse returns a known code, and when it
 * succeeds the tables keep their invariants. */
static void parse_survives_every_byte_flipped(struct ktest *t)
{
	size_t size;
	u8 *good = host_load_dtb("initrd32", &size);
	u8 *b = malloc(size);
	struct capture c;
	char out[4096];

	ASSERT(good && b);
	capture_start(&c);
	for (size_t i = 0; i < size; i++) {
		struct dt_info info;
		int err;

		memcpy(b, good, size);
		b[i] ^= 0xff;
		err = dt_parse(&info, b, size, DTB_PHYS);
		EXPECT(err <= 0 && err > -FDT_ERR_MAX);
		if (err)
			continue;
		EXPECT(info.nr_ram > 0 && info.nr_ram <= DT_MAX_RAM);
		for (int k = 0; k < info.nr_ram; k++) {
			EXPECT(info.ram[k].size > 0);
			if (k > 0)
				EXPECT(info.ram[k].base >
				       info.ram[k - 1].base + info.ram[k - 1].size);
		}
		for (int k = 1; k < info.nr_reserved; k++)
			EXPECT(info.reserved[k].base >= info.reserved[k - 1].base);
		EXPECT(strlen(info.bootargs) < size);
	}
	capture_end(&c, out, sizeof(out));
	free(b);
	free(good);
}

/* ---- dt_add_reserved / dt_print_memmap ----------------------------------- */

static void add_reserved_keeps_order(struct ktest *t)
{
	static const struct want_res res[] = {
		{ 0x1000, 0x1000, "a", false },
		{ 0x5000, 0x100, "first", true },
		{ 0x5000, 0x200, "second", false }, /* ties keep their order */
		{ 0x9000, 0x10, "", false },
	};
	struct dt_info info;
	char longname[DT_NAME_LEN + 10];

	memset(&info, 0, sizeof(info));
	EXPECT_EQ(dt_add_reserved(&info, 0x9000, 0x10, NULL, false), 0);
	EXPECT_EQ(dt_add_reserved(&info, 0x5000, 0x100, "first", true), 0);
	EXPECT_EQ(dt_add_reserved(&info, 0x1000, 0x1000, "a", false), 0);
	EXPECT_EQ(dt_add_reserved(&info, 0x5000, 0x200, "second", false), 0);
	expect_reserved(t, &info, res, 4);

	/* the reason is truncated, never overflowed */
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	EXPECT_EQ(dt_add_reserved(&info, 0, 1, longname, false), 0);
	EXPECT_EQ(strlen(info.reserved[0].reason), DT_NAME_LEN - 1);
}

static void add_reserved_rejects_bad_ranges(struct ktest *t)
{
	struct dt_info info;

	memset(&info, 0, sizeof(info));
	EXPECT_EQ(dt_add_reserved(&info, 0x1000, 0, "empty", false), -FDT_ERR_BADRANGE);
	EXPECT_EQ(dt_add_reserved(&info, ~0ull - 0xfff, 0x2000, "wraps", false),
		  -FDT_ERR_BADRANGE);
	/* ending exactly at 2^64: the end is not representable */
	EXPECT_EQ(dt_add_reserved(&info, ~0ull - 0xfff, 0x1000, "top", false),
		  -FDT_ERR_BADRANGE);
	EXPECT_EQ(dt_add_reserved(&info, ~0ull - 0xfff, 0xfff, "top", false), 0);
	EXPECT_EQ(info.nr_reserved, 1);
}

static void add_reserved_table_full(struct ktest *t)
{
	struct dt_info info;

	memset(&info, 0, sizeof(info));
	for (int i = 0; i < DT_RESERVED_SLOTS; i++)
		EXPECT_EQ(dt_add_reserved(&info, (u64)(DT_RESERVED_SLOTS - i) << 12,
					  0x1000, "r", false), 0);
	EXPECT_EQ(dt_add_reserved(&info, 0, 0x1000, "one too many", false),
		  -FDT_ERR_TOOMANY);
	EXPECT_EQ(info.nr_reserved, DT_RESERVED_SLOTS);
	for (int i = 1; i < DT_RESERVED_SLOTS; i++)
		EXPECT(info.reserved[i].base > info.reserved[i - 1].base);
}

static void print_memmap_linux_style(struct ktest *t)
{
	static const char want_virt[] =
		"Early memory node ranges\n"
		"  node   0: [mem 0x0000000080000000-0x0000000087ffffff]\n"
		"Reserved memory:\n"
		"  [mem 0x0000000080000000-0x000000008007ffff] mmode_resv0@80000000\n"
		"  [mem 0x0000000080200000-0x000000008021ffff] kernel\n";
	static const char want_resmem[] =
		"Early memory node ranges\n"
		"  node   0: [mem 0x0000000080000000-0x000000008fffffff]\n"
		"  node   0: [mem 0x0000000140000000-0x000000014fffffff]\n"
		"Reserved memory:\n"
		"  [mem 0x0000000080000000-0x000000008007ffff] mmode_resv0@80000000 (no-map)\n";
	struct dt_info info;
	struct capture c;
	char out[1024], want[1024];
	size_t size;
	u8 *b = NULL;

	ASSERT_EQ(parse(&info, "virt", DTB_PHYS, &b, &size), 0);
	ASSERT_EQ(dt_add_reserved(&info, 0x80200000, 0x20000, "kernel", false), 0);
	capture_start(&c);
	dt_print_memmap(&info);
	capture_end(&c, out, sizeof(out));
	snprintf(want, sizeof(want), "%s  [mem 0x%016llx-0x%016llx] dtb\n", want_virt,
		 DTB_PHYS, DTB_PHYS + size - 1);
	EXPECT_STREQ(out, want);
	free(b);

	/* hand-made tables: two banks, one no-map range */
	memset(&info, 0, sizeof(info));
	info.nr_ram = 2;
	info.ram[0] = (struct dt_range){ 0x80000000, 0x10000000 };
	info.ram[1] = (struct dt_range){ 0x140000000ull, 0x10000000 };
	ASSERT_EQ(dt_add_reserved(&info, 0x80000000, 0x80000, "mmode_resv0@80000000", true), 0);
	capture_start(&c);
	dt_print_memmap(&info);
	capture_end(&c, out, sizeof(out));
	EXPECT_STREQ(out, want_resmem);
}

/* The reasons harts_start and rvmm-dt give for a hart left down. */
static void cpu_down_reasons(struct ktest *t)
{
	struct dt_cpu c = { .hartid = 3, .okay = true, .usable = true, .mmu_type = "riscv,sv39" };

	EXPECT(dt_cpu_down_reason(&c, 1) == NULL);
	EXPECT(dt_cpu_down_reason(&c, MAX_HARTS - 1) == NULL);
	EXPECT_STREQ(dt_cpu_down_reason(&c, MAX_HARTS), "rvmm supports " STR(MAX_HARTS) " harts");
	/* maxcpus= / nr_cpus= / nosmp: the word that set the limit, once that
	 * many are up; a bad value changes nothing. */
	char w1[] = "maxcpus=2", w2[] = "nr_cpus=0", w3[] = "nosmp", w4[] = "maxcpus=x", w5[] = "nosmp=1";
	struct capture cap;
	char out[256];

	EXPECT_EQ(cmdline_parse(w1), 0);
	EXPECT(dt_cpu_down_reason(&c, 1) == NULL);
	EXPECT_STREQ(dt_cpu_down_reason(&c, 2), "maxcpus=2");
	EXPECT_EQ(dt_harts_limit(), 2);
	EXPECT_EQ(cmdline_parse(w2), 0);
	EXPECT_STREQ(dt_cpu_down_reason(&c, 1), "nr_cpus=0");
	EXPECT_EQ(dt_harts_limit(), 1);
	EXPECT_EQ(cmdline_parse(w3), 0);
	EXPECT_STREQ(dt_cpu_down_reason(&c, 1), "nosmp");
	capture_start(&cap);
	EXPECT_EQ(cmdline_parse(w4), 1);
	EXPECT_EQ(cmdline_parse(w5), 1);
	capture_end(&cap, out, sizeof(out));
	EXPECT_STREQ(dt_cpu_down_reason(&c, 1), "nosmp");
	dt_max_harts = 0;
	EXPECT_EQ(dt_harts_limit(), MAX_HARTS);
	c.okay = c.usable = false;
	EXPECT_STREQ(dt_cpu_down_reason(&c, 1), "status not okay");
	strcpy(c.mmu_type, "riscv,none"); /* the missing MMU is named before the status */
	EXPECT_STREQ(dt_cpu_down_reason(&c, 1), "no MMU (mmu-type riscv,none)");
	c.mmu_type[0] = '\0';
	EXPECT_STREQ(dt_cpu_down_reason(&c, 1), "no MMU (no mmu-type)");
}

/* The boot hart's own cpu node: a tree in which no hart has an MMU (the
 * shape of Linux's K210 trees) stops the boot whichever hart boots; on
 * sifive_u only the E51 (hart 0) would; a hart the tree does not list is
 * taken to have one. */
static void boot_hart_without_mmu(struct ktest *t)
{
	static struct dt_info info;
	u8 *b = NULL;

	ASSERT_EQ(parse(&info, "nommu-k210", 0x80600000, &b, NULL), 0);
	EXPECT_STREQ(dt_boot_hart_no_mmu(&info, 0), "no MMU (mmu-type riscv,none)");
	EXPECT_STREQ(dt_boot_hart_no_mmu(&info, 1), "no MMU (mmu-type riscv,none)");
	EXPECT(dt_boot_hart_no_mmu(&info, 2) == NULL);
	free(b);
	ASSERT_EQ(parse(&info, "sifive-u", 0x87e00000, &b, NULL), 0);
	EXPECT(dt_boot_hart_no_mmu(&info, 0) == NULL); /* (no mmu-type: satp decides) */
	for (u64 hart = 1; hart <= 4; hart++)
		EXPECT(dt_boot_hart_no_mmu(&info, hart) == NULL);
	free(b);
}

/* console_select on @name: the UART's name ("" for none) into @uart and
 * what it printed into @out. */
static int select_console(const char *name, char *uart, size_t uart_size, char *out, size_t size)
{
	static struct dt_info info;
	struct console_choice choice;
	struct capture c;
	u8 *b = NULL;
	int err = parse(&info, name, DTB_PHYS, &b, NULL);

	if (err)
		return err;
	capture_start(&c);
	console_select(&info, &choice);
	capture_end(&c, out, size);
	snprintf(uart, uart_size, "%s", choice.driver ? choice.con.name : "");
	free(b);
	return 0;
}

/* The choice console_init acts on, made without touching a register. */
static void console_choice_from_tree(struct ktest *t)
{
	char uart[64], out[512];

	ASSERT_EQ(select_console("virt", uart, sizeof(uart), out, sizeof(out)), 0);
	EXPECT_STREQ(uart, "serial@10000000");
	EXPECT_STREQ(out, "");
	ASSERT_EQ(select_console("sifive-u", uart, sizeof(uart), out, sizeof(out)), 0);
	EXPECT_STREQ(uart, "serial@10010000");
	/* no stdout-path and no UART: the SBI console, saying so */
	ASSERT_EQ(select_console("cpus-odd", uart, sizeof(uart), out, sizeof(out)), 0);
	EXPECT_STREQ(uart, "");
	EXPECT_STREQ(out, "console: no /chosen stdout-path\n"
			  "console: no supported UART found, staying on the SBI console\n");
}

/* console_select_named(@spec) on the tree @name: its error, and the UART's
 * name ("sbi" for the SBI console, "" on an error) into @uart. */
static int named_console(const char *name, const char *spec, char *uart, size_t uart_size)
{
	static struct dt_info info;
	struct console_choice choice;
	u8 *b = NULL;
	int err = parse(&info, name, DTB_PHYS, &b, NULL);

	if (err)
		return 1000 + err;
	err = console_select_named(&info, spec, &choice);
	snprintf(uart, uart_size, "%s", err ? "" : choice.driver ? choice.con.name : "sbi");
	free(b);
	return err;
}

/* console= in Linux's names: ttyS<n> an 8250-family UART, ttySIF<n> a
 * SiFive one, n from /aliases serial<n> (which decides when the tree has
 * it) or else tree order; hvc0 SBI's console; options after a comma. */
static void console_named_by_linux_names(struct ktest *t)
{
	static const struct {
		const char *tree, *spec, *uart;
		int err;
	} cases[] = {
		/* virt: one ns16550a, no aliases */
		{ "virt", "ttyS0", "serial@10000000", 0 },
		{ "virt", "ttyS0,115200n8", "serial@10000000", 0 },
		{ "virt", "ttyS1", "", -ENODEV },
		{ "virt", "ttySIF0", "", -ENODEV },
		{ "virt", "hvc0", "sbi", 0 },
		/* the Unleashed as Linux ships it: serial0/1 = the two SiFive UARTs */
		{ "boards/hifive-unleashed-a00", "ttySIF0", "serial@10010000", 0 },
		{ "boards/hifive-unleashed-a00", "ttySIF1,115200", "serial@10011000", 0 },
		{ "boards/hifive-unleashed-a00", "ttySIF2", "", -ENODEV },
		{ "boards/hifive-unleashed-a00", "ttyS0", "", -ENODEV }, /* serial0 is no 8250 */
		/* the Icicle Kit: serial0 = MMUART0, disabled; serial1..3 okay */
		{ "boards/mpfs-icicle-kit", "ttyS0", "", -ENODEV },
		{ "boards/mpfs-icicle-kit", "ttyS1", "serial@20100000", 0 },
		{ "boards/mpfs-icicle-kit", "ttyS3", "serial@20104000", 0 },
		/* the BeagleV Starlight: serial0 = uart3, a DesignWare UART */
		{ "boards/jh7100-beaglev-starlight", "ttyS0", "serial@12440000", 0 },
		/* not a console name rvmm knows */
		{ "virt", "tty0", "", -EINVAL },
		{ "virt", "ttyS", "", -EINVAL },
		{ "virt", "ttyS0x", "", -EINVAL },
		{ "virt", "ttyS1000", "", -EINVAL },
		{ "virt", "hvc1", "", -EINVAL },
		{ "virt", "", "", -EINVAL },
		{ "virt", "ttyUSB0", "", -EINVAL },
	};
	char uart[64];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int err = named_console(cases[i].tree, cases[i].spec, uart, sizeof(uart));

		if (err != cases[i].err || strcmp(uart, cases[i].uart) != 0)
			ktest_fail(t, __FILE__, __LINE__, "%s: console=%s gave %d '%s', expected %d '%s'",
				   cases[i].tree, cases[i].spec, err, uart, cases[i].err, cases[i].uart);
	}
	/* without a tree, only the name is checked */
	EXPECT_EQ(console_select_named(NULL, "ttySIF7,9600", &(struct console_choice){ 0 }), 0);
	EXPECT_EQ(console_select_named(NULL, "ttyAMA0", &(struct console_choice){ 0 }), -EINVAL);
}

KTEST_SUITE(devicetree,
	KTEST_CASE(virt_map),
	KTEST_CASE(virt_8g_map),
	KTEST_CASE(sifive_u_map),
	KTEST_CASE(two_banks_map),
	KTEST_CASE(multi_reg_map),
	KTEST_CASE(resmem_middle_map),
	KTEST_CASE(cma_pools),
	KTEST_CASE(cma_param_placement),
	KTEST_CASE(memreserve_map),
	KTEST_CASE(cells_1_1_map),
	KTEST_CASE(initrd_32bit_cells),
	KTEST_CASE(initrd_64bit_values),
	KTEST_CASE(warnings_repaired),
	KTEST_CASE(cpus_found_by_name_or_type),
	KTEST_CASE(deep_tree_parses),
	KTEST_CASE(ram_table_holds_max),
	KTEST_CASE(error_bad_cells),
	KTEST_CASE(error_resmem_cells_differ),
	KTEST_CASE(resmem_overlaps_warned),
	KTEST_CASE(dynamic_placed_after_static),
	KTEST_CASE(dynamic_bad_input_skipped),
	KTEST_CASE(dynamic_table_full),
	KTEST_CASE(error_no_memory),
	KTEST_CASE(error_reg_length),
	KTEST_CASE(error_range_wraps),
	KTEST_CASE(error_too_many_ranges),
	KTEST_CASE(reserved_slots_left_for_kernel),
	KTEST_CASE(initrd_own_reservations),
	KTEST_CASE(error_initrd),
	KTEST_CASE(cpus_past_table),
	KTEST_CASE(cpus_without_address_cells),
	KTEST_CASE(error_cpus),
	KTEST_CASE(error_chosen_strings),
	KTEST_CASE(chosen_rng_seed),
	KTEST_CASE(error_depth),
	KTEST_CASE(error_from_fdt_open),
	KTEST_CASE(error_dtb_wraps),
	KTEST_CASE(parse_survives_every_byte_flipped),
	KTEST_CASE(add_reserved_keeps_order),
	KTEST_CASE(add_reserved_rejects_bad_ranges),
	KTEST_CASE(add_reserved_table_full),
	KTEST_CASE(print_memmap_linux_style),
	KTEST_CASE(mem_limit_keeps_lowest_ram),
	KTEST_CASE(cpu_down_reasons),
	KTEST_CASE(boot_hart_without_mmu),
	KTEST_CASE(console_choice_from_tree),
	KTEST_CASE(console_named_by_linux_names));
