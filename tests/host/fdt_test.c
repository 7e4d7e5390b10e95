/*
 * fdt_test.c - host tests of the DTB reader (suite "fdt").
 *
 * Good blobs come from tests/dts (compiled into build/dtb). Malformed ones
 * are made by copying a good blob and patching exactly one header field or
 * token, found with a small walker of our own (find_token) that only ever
 * runs on blobs dtc wrote. A few shapes dtc cannot produce (a property after
 * a subnode, two roots, NOPs) are built word by word with build_blob().
 *
 * Every malformed blob is handed to fdt_open() in a heap buffer of exactly
 * the size passed as bufsize, so the ASan build catches any read past it.
 */
#include <stdlib.h>
#include <string.h>

#include <tests/ktest.h>
#include <drivers/fdt.h>
#include "host.h"

#define TOK_BEGIN_NODE 1u
#define TOK_END_NODE 2u
#define TOK_PROP 3u
#define TOK_NOP 4u
#define TOK_END 9u

#define H_TOTALSIZE 4
#define H_OFF_STRUCT 8
#define H_OFF_STRINGS 12
#define H_OFF_RSVMAP 16
#define H_VERSION 20
#define H_LAST_COMP 24
#define H_SIZE_STRINGS 32
#define H_SIZE_STRUCT 36

static void put32(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 24);
	p[1] = (u8)(v >> 16);
	p[2] = (u8)(v >> 8);
	p[3] = (u8)v;
}

static u32 hdr(const u8 *b, int field)
{
	return fdt32_ld(b + field);
}

static void set_hdr(u8 *b, int field, u32 v)
{
	put32(b + field, v);
}

/*
 * Absolute offset of the @nth (0-based) token of @type in a blob dtc wrote;
 * with @name, only BEGIN_NODE tokens of that node name or PROP tokens of
 * that property name count. -1 if there is none.
 */
static long find_token(const u8 *b, u32 type, const char *name, int nth)
{
	const u8 *s = b + hdr(b, H_OFF_STRUCT);
	const char *strings = (const char *)b + hdr(b, H_OFF_STRINGS);
	u32 size = hdr(b, H_SIZE_STRUCT), off = 0;

	while (off + 4 <= size) {
		u32 tok = fdt32_ld(s + off), next = off + 4;
		const char *tname = NULL;

		if (tok == TOK_BEGIN_NODE) {
			tname = (const char *)s + off + 4;
			next = ALIGN_UP(off + 4 + (u32)strlen(tname) + 1, 4u);
		} else if (tok == TOK_PROP) {
			tname = strings + fdt32_ld(s + off + 8);
			next = ALIGN_UP(off + 12 + fdt32_ld(s + off + 4), 4u);
		}
		if (tok == type && (!name || (tname && strcmp(tname, name) == 0)) &&
		    nth-- == 0)
			return (long)(hdr(b, H_OFF_STRUCT) + off);
		if (tok == TOK_END)
			break;
		off = next;
	}
	return -1;
}

/* Number of nodes in a blob dtc wrote. */
static int count_nodes(const u8 *b)
{
	int n = 0;

	while (find_token(b, TOK_BEGIN_NODE, NULL, n) >= 0)
		n++;
	return n;
}

/* fdt_open on a copy in a heap buffer of exactly @bufsize bytes. */
static int open_exact(const u8 *b, size_t bufsize)
{
	u8 *copy = malloc(bufsize ? bufsize : 1);
	struct fdt f;
	int err;

	memcpy(copy, b, bufsize);
	err = fdt_open(&f, copy, bufsize);
	free(copy);
	return err;
}

/*
 * Build a blob from structure-block @words (host-endian, written big-endian)
 * and a strings block, with an empty mem-reserve map. Node names are given as
 * words too: 0 for "", 0x61000000 for "a".
 */
static u8 *build_blob(const u32 *words, size_t nwords, const char *strings,
		      size_t strsize, size_t *size)
{
	u32 off_rsv = 40, off_struct = off_rsv + 16;
	u32 size_struct = (u32)nwords * 4, off_strings = off_struct + size_struct;
	u32 total = off_strings + (u32)strsize;
	u8 *b = calloc(1, total);

	set_hdr(b, 0, FDT_MAGIC);
	set_hdr(b, H_TOTALSIZE, total);
	set_hdr(b, H_OFF_STRUCT, off_struct);
	set_hdr(b, H_OFF_STRINGS, off_strings);
	set_hdr(b, H_OFF_RSVMAP, off_rsv);
	set_hdr(b, H_VERSION, 17);
	set_hdr(b, H_LAST_COMP, 16);
	set_hdr(b, H_SIZE_STRINGS, (u32)strsize);
	set_hdr(b, H_SIZE_STRUCT, size_struct);
	for (size_t i = 0; i < nwords; i++)
		put32(b + off_struct + 4 * i, words[i]);
	memcpy(b + off_strings, strings, strsize);
	*size = total;
	return b;
}

#define BUILD(words, strings, sizep) \
	build_blob(words, ARRAY_SIZE(words), strings, sizeof(strings) - 1, sizep)

/* Load fixture @name and fdt_open it (the buffer is exactly the file). */
static u8 *load_open(struct fdt *f, const char *name, size_t *size)
{
	u8 *b = host_load_dtb(name, size);

	if (b && fdt_open(f, b, *size) != 0) {
		free(b);
		b = NULL;
	}
	return b;
}

static int path(const struct fdt *f, const char *p)
{
	return fdt_path_offset(f, p, strlen(p));
}

static bool name_is(const struct fdt *f, int node, const char *want)
{
	int len;
	const char *n = fdt_node_name(f, node, &len);

	return n && (size_t)len == strlen(want) && memcmp(n, want, (size_t)len) == 0;
}

/* ---- fdt_open: good blobs ------------------------------------------------ */

static const char *const good_fixtures[] = {
	"virt", "virt-8g", "sifive-u", "two-banks", "multi-reg", "resmem-middle",
	"memreserve", "cells-1-1", "initrd32", "initrd64", "warnings", "deep-ok",
	"ram-max", "cpus-odd",
};

static void open_accepts_good_fixtures(struct ktest *t)
{
	for (size_t i = 0; i < ARRAY_SIZE(good_fixtures); i++) {
		size_t size;
		struct fdt f;
		u8 *b = host_load_dtb(good_fixtures[i], &size);

		ASSERT(b);
		EXPECT_EQ(fdt_open(&f, b, size), 0);
		EXPECT_EQ(f.totalsize, size);
		EXPECT_EQ(f.version, 17);
		EXPECT(f.blob == b);
		free(b);
	}
}

static void open_accepts_larger_buffer(struct ktest *t)
{
	size_t size;
	u8 *b = host_load_dtb("virt", &size);
	u8 *big;
	struct fdt f;

	ASSERT(b);
	big = calloc(1, size + 4096);
	memcpy(big, b, size);
	EXPECT_EQ(fdt_open(&f, big, size + 4096), 0);
	EXPECT_EQ(f.totalsize, size);
	free(big);
	free(b);
}

static void open_accepts_version_16(struct ktest *t)
{
	size_t size;
	u8 *b = host_load_dtb("virt", &size);
	u32 real_size_struct;
	struct fdt f;
	u32 tb;

	ASSERT(b);
	real_size_struct = hdr(b, H_SIZE_STRUCT);
	set_hdr(b, H_VERSION, 16);
	/* version 16 has no size_dt_struct: whatever is there is ignored */
	set_hdr(b, H_SIZE_STRUCT, 0xdeadbeef);
	ASSERT_EQ(fdt_open(&f, b, size), 0);
	EXPECT_EQ(f.size_struct, real_size_struct);
	EXPECT_EQ(fdt_getprop_u32(&f, path(&f, "/cpus"), "timebase-frequency", &tb), 0);
	EXPECT_EQ(tb, 10000000);
	free(b);
}

/* ---- fdt_open: malformed headers ----------------------------------------- */

static void open_rejects_bad_magic(struct ktest *t)
{
	size_t size;
	u8 *b = host_load_dtb("virt", &size);

	ASSERT(b);
	b[3] ^= 0x01;
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADMAGIC);
	EXPECT_EQ(fdt_header_totalsize(b), -FDT_ERR_BADMAGIC);
	free(b);
}

static void open_rejects_bad_version(struct ktest *t)
{
	size_t size;
	u8 *b = host_load_dtb("virt", &size);

	ASSERT(b);
	set_hdr(b, H_VERSION, 15);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADVERSION);
	set_hdr(b, H_LAST_COMP, 15);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADVERSION);
	set_hdr(b, H_VERSION, 3);
	set_hdr(b, H_LAST_COMP, 2);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADVERSION);
	/* last_comp_version may not exceed version */
	set_hdr(b, H_VERSION, 16);
	set_hdr(b, H_LAST_COMP, 17);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADVERSION);
	set_hdr(b, H_VERSION, 17);
	set_hdr(b, H_LAST_COMP, 18);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADVERSION);
	set_hdr(b, H_LAST_COMP, 16);
	EXPECT_EQ(open_exact(b, size), 0);
	free(b);
}

static void open_rejects_truncated_blob(struct ktest *t)
{
	size_t size;
	u8 *b = host_load_dtb("virt", &size);

	ASSERT(b);
	EXPECT_EQ(open_exact(b, size), 0);
	EXPECT_EQ(open_exact(b, size - 1), -FDT_ERR_TRUNCATED);
	EXPECT_EQ(open_exact(b, size / 2), -FDT_ERR_TRUNCATED);
	free(b);
}

static void open_rejects_truncated_header(struct ktest *t)
{
	size_t size;
	u8 *b = host_load_dtb("virt", &size);
	struct fdt f;

	ASSERT(b);
	EXPECT_EQ(open_exact(b, FDT_HEADER_SIZE - 1), -FDT_ERR_TRUNCATED);
	EXPECT_EQ(open_exact(b, 20), -FDT_ERR_TRUNCATED);
	EXPECT_EQ(open_exact(b, 3), -FDT_ERR_TRUNCATED);
	EXPECT_EQ(open_exact(b, 0), -FDT_ERR_TRUNCATED);
	/* the whole header, but not the blob it announces */
	EXPECT_EQ(open_exact(b, FDT_HEADER_SIZE), -FDT_ERR_TRUNCATED);
	EXPECT_EQ(fdt_open(&f, NULL, 100), -FDT_ERR_TRUNCATED);
	free(b);
}

/* Every length short of totalsize is refused, and never read past. */
static void open_never_reads_past_bufsize(struct ktest *t)
{
	size_t size;
	u8 *b = host_load_dtb("memreserve", &size);

	ASSERT(b);
	for (size_t len = 0; len < size; len++) {
		int err = open_exact(b, len);

		if (err != -FDT_ERR_TRUNCATED) {
			EXPECT_EQ(err, -FDT_ERR_TRUNCATED);
			break;
		}
	}
	free(b);
}

static void open_rejects_totalsize_below_header(struct ktest *t)
{
	size_t size;
	u8 *b = host_load_dtb("virt", &size);

	ASSERT(b);
	set_hdr(b, H_TOTALSIZE, FDT_HEADER_SIZE - 1);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_TRUNCATED);
	free(b);
}

static void open_rejects_struct_offset_outside(struct ktest *t)
{
	size_t size;
	u8 *b = host_load_dtb("virt", &size);
	u32 off;

	ASSERT(b);
	off = hdr(b, H_OFF_STRUCT);
	set_hdr(b, H_OFF_STRUCT, (u32)size);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADOFFSET);
	set_hdr(b, H_OFF_STRUCT, 0xfffffff0);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADOFFSET);
	set_hdr(b, H_OFF_STRUCT, 0x20); /* inside the header */
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADOFFSET);
	set_hdr(b, H_OFF_STRUCT, off + 2); /* misaligned */
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADOFFSET);
	free(b);
}

static void open_rejects_struct_size_overflow(struct ktest *t)
{
	size_t size;
	u8 *b = host_load_dtb("virt", &size);
	u32 off;

	ASSERT(b);
	off = hdr(b, H_OFF_STRUCT);
	/* off + size wraps a u32 to a small value */
	set_hdr(b, H_SIZE_STRUCT, 0xffffffffu - off + 16);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADOFFSET);
	set_hdr(b, H_SIZE_STRUCT, (u32)size - off + 4);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADOFFSET);
	free(b);
}

static void open_rejects_strings_outside(struct ktest *t)
{
	size_t size;
	u8 *b = host_load_dtb("virt", &size);
	u32 off, ssize;

	ASSERT(b);
	off = hdr(b, H_OFF_STRINGS);
	ssize = hdr(b, H_SIZE_STRINGS);
	set_hdr(b, H_OFF_STRINGS, (u32)size);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADOFFSET);
	set_hdr(b, H_OFF_STRINGS, off);
	set_hdr(b, H_SIZE_STRINGS, 0xffffffffu - off + 8);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADOFFSET);
	set_hdr(b, H_SIZE_STRINGS, ssize + 1);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADOFFSET);
	free(b);
}

static void open_rejects_rsvmap_outside(struct ktest *t)
{
	size_t size;
	u8 *b = host_load_dtb("virt", &size);

	ASSERT(b);
	set_hdr(b, H_OFF_RSVMAP, ALIGN_UP((u32)size + 8, 8u));
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADOFFSET);
	set_hdr(b, H_OFF_RSVMAP, 0x2c); /* not 8-aligned */
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADOFFSET);
	set_hdr(b, H_OFF_RSVMAP, 0x20); /* inside the header */
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADOFFSET);
	/* fewer than 16 bytes left: not even the terminator fits */
	set_hdr(b, H_OFF_RSVMAP, ALIGN_DOWN((u32)size - 1, 8u));
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADOFFSET);
	free(b);
}

/* The mem-reserve map must reach its 0/0 entry before the blob ends. */
static void open_rejects_unterminated_rsvmap(struct ktest *t)
{
	size_t size;
	u8 *b = host_load_dtb("memreserve", &size);
	u32 rsv;

	ASSERT(b);
	rsv = hdr(b, H_OFF_RSVMAP);
	ASSERT_EQ(fdt64_ld(b + rsv + 32), 0); /* the terminator */
	ASSERT_EQ(fdt64_ld(b + rsv + 40), 0);
	b[rsv + 32 + 7] = 1; /* now an entry at address 1, size 0 */
	/* the map runs on into the blob; make sure no 0/0 entry follows */
	for (u32 pos = rsv + 48; pos + 16 <= size; pos += 16)
		ASSERT(fdt64_ld(b + pos) != 0 || fdt64_ld(b + pos + 8) != 0);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADOFFSET);
	free(b);
}

/* ---- fdt_open: malformed structure block --------------------------------- */

static void open_rejects_bad_token(struct ktest *t)
{
	size_t size;
	u8 *b = host_load_dtb("virt", &size);
	long tok;

	ASSERT(b);
	tok = find_token(b, TOK_PROP, "bootargs", 0);
	ASSERT(tok > 0);
	put32(b + tok, 7);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADSTRUCTURE);
	put32(b + tok, 0);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADSTRUCTURE);
	put32(b + tok, TOK_PROP);
	EXPECT_EQ(open_exact(b, size), 0);
	free(b);
}

static void open_rejects_unterminated_node_name(struct ktest *t)
{
	size_t size;
	u8 *b = host_load_dtb("virt", &size);
	long tok;

	ASSERT(b);
	tok = find_token(b, TOK_BEGIN_NODE, "chosen", 0);
	ASSERT(tok > 0);
	/* the structure block now ends after "cho" */
	set_hdr(b, H_SIZE_STRUCT, (u32)tok - hdr(b, H_OFF_STRUCT) + 4 + 3);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADSTRING);
	free(b);
}

static void open_rejects_prop_name_outside_strings(struct ktest *t)
{
	size_t size;
	u8 *b = host_load_dtb("virt", &size);
	long tok;

	ASSERT(b);
	tok = find_token(b, TOK_PROP, "model", 0);
	ASSERT(tok > 0);
	put32(b + tok + 8, hdr(b, H_SIZE_STRINGS));
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADSTRING);
	put32(b + tok + 8, 0xffffffff);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADSTRING);
	free(b);
}

static void open_rejects_unterminated_prop_name(struct ktest *t)
{
	size_t size;
	u8 *b = host_load_dtb("virt", &size);
	u32 ssize;

	ASSERT(b);
	ssize = hdr(b, H_SIZE_STRINGS);
	ASSERT_EQ(b[hdr(b, H_OFF_STRINGS) + ssize - 1], 0);
	/* cut the last string's NUL off the strings block */
	set_hdr(b, H_SIZE_STRINGS, ssize - 1);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADSTRING);
	free(b);
}

static void open_rejects_missing_end_node(struct ktest *t)
{
	size_t size;
	u8 *b = host_load_dtb("virt", &size);
	long end;

	ASSERT(b);
	end = find_token(b, TOK_END, NULL, 0);
	ASSERT(end > 4);
	ASSERT_EQ(fdt32_ld(b + end - 4), TOK_END_NODE); /* the root's */
	put32(b + end - 4, TOK_NOP);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADSTRUCTURE);
	free(b);
}

static void open_rejects_extra_end_node(struct ktest *t)
{
	size_t size;
	u8 *b = host_load_dtb("virt", &size);
	long tok, last = -1;
	u32 words;

	ASSERT(b);
	/* The last property of the tree (in the last node of /soc) becomes an
	 * END_NODE padded with NOPs: the root's own END_NODE is then one too
	 * many. */
	for (int n = 0; (tok = find_token(b, TOK_PROP, NULL, n)) >= 0; n++)
		last = tok;
	ASSERT(last > 0);
	words = (12 + ALIGN_UP(fdt32_ld(b + last + 4), 4u)) / 4;
	put32(b + last, TOK_END_NODE);
	for (u32 i = 1; i < words; i++)
		put32(b + last + 4 * i, TOK_NOP);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADSTRUCTURE);
	free(b);
}

static void open_rejects_missing_fdt_end(struct ktest *t)
{
	size_t size;
	u8 *b = host_load_dtb("virt", &size);
	long end;

	ASSERT(b);
	end = find_token(b, TOK_END, NULL, 0);
	ASSERT(end > 0);
	put32(b + end, TOK_NOP);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADSTRUCTURE);
	put32(b + end, TOK_END);
	/* FDT_END just outside the block */
	set_hdr(b, H_SIZE_STRUCT, hdr(b, H_SIZE_STRUCT) - 4);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADSTRUCTURE);
	free(b);
}

static void open_rejects_prop_past_struct(struct ktest *t)
{
	size_t size;
	u8 *b = host_load_dtb("virt", &size);
	u32 end_of_struct;
	long tok;

	ASSERT(b);
	end_of_struct = hdr(b, H_OFF_STRUCT) + hdr(b, H_SIZE_STRUCT);
	tok = find_token(b, TOK_PROP, "compatible", 0);
	ASSERT(tok > 0);
	/* one byte more than what is left of the block */
	put32(b + tok + 4, end_of_struct - ((u32)tok + 12) + 1);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADSTRUCTURE);
	put32(b + tok + 4, 0xfffffffc); /* off + len wraps */
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADSTRUCTURE);
	free(b);
}

static void open_checks_depth(struct ktest *t)
{
	size_t size;
	struct fdt f;
	u8 *b = host_load_dtb("deep-ok", &size);
	int node = -1, depth = 0, max = 0;

	ASSERT(b);
	ASSERT_EQ(fdt_open(&f, b, size), 0);
	while ((node = fdt_next_node(&f, node, &depth)) >= 0)
		max = MAX(max, depth);
	EXPECT_EQ(max, FDT_MAX_DEPTH - 1); /* root at depth 0 */
	free(b);
	b = host_load_dtb("bad-deep", &size);
	ASSERT(b);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_DEPTH);
	free(b);
}

/* Shapes dtc never writes, built word by word. */
static void open_checks_node_order(struct ktest *t)
{
	static const char strings[] = "x\0status\0";
	/* root { x = <7>; a { }; } with NOPs everywhere: valid */
	static const u32 nops[] = {
		TOK_BEGIN_NODE, 0, TOK_NOP, TOK_PROP, 4, 0, 7, TOK_NOP,
		TOK_BEGIN_NODE, 0x61000000, TOK_NOP, TOK_END_NODE, TOK_NOP,
		TOK_END_NODE, TOK_NOP, TOK_END,
	};
	/* root { a { }; x = <7>; } */
	static const u32 prop_after_node[] = {
		TOK_BEGIN_NODE, 0, TOK_BEGIN_NODE, 0x61000000, TOK_END_NODE,
		TOK_PROP, 4, 0, 7, TOK_END_NODE, TOK_END,
	};
	static const u32 prop_before_root[] = {
		TOK_PROP, 4, 0, 7, TOK_BEGIN_NODE, 0, TOK_END_NODE, TOK_END,
	};
	static const u32 two_roots[] = {
		TOK_BEGIN_NODE, 0, TOK_END_NODE, TOK_BEGIN_NODE, 0, TOK_END_NODE, TOK_END,
	};
	static const u32 nop_before_root[] = {
		TOK_NOP, TOK_BEGIN_NODE, 0, TOK_END_NODE, TOK_END,
	};
	static const u32 extra_end_node[] = {
		TOK_BEGIN_NODE, 0, TOK_END_NODE, TOK_END_NODE, TOK_END,
	};
	static const u32 only_end[] = { TOK_END };
	size_t size;
	struct fdt f;
	u32 v = 0;
	u8 *b;
	int a;

	b = BUILD(nops, strings, &size);
	ASSERT_EQ(fdt_open(&f, b, size), 0);
	EXPECT_EQ(fdt_getprop_u32(&f, 0, "x", &v), 0);
	EXPECT_EQ(v, 7);
	a = fdt_first_subnode(&f, 0);
	EXPECT(a > 0 && name_is(&f, a, "a"));
	EXPECT_EQ(fdt_next_subnode(&f, a), -FDT_ERR_NOTFOUND);
	EXPECT_EQ(fdt_subnode(&f, 0, "a", 1), a);
	free(b);

	b = BUILD(prop_after_node, strings, &size);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADSTRUCTURE);
	free(b);
	b = BUILD(prop_before_root, strings, &size);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADSTRUCTURE);
	free(b);
	b = BUILD(two_roots, strings, &size);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADSTRUCTURE);
	free(b);
	b = BUILD(nop_before_root, strings, &size);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADSTRUCTURE);
	free(b);
	b = BUILD(extra_end_node, strings, &size);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADSTRUCTURE);
	free(b);
	b = BUILD(only_end, strings, &size);
	EXPECT_EQ(open_exact(b, size), -FDT_ERR_BADSTRUCTURE);
	free(b);
}

/*
 * Flip each byte of a good blob in turn: fdt_open must either refuse it with
 * a known code or accept a blob every function can then walk entirely (ASan
 * checks that nothing reads outside the exact-size buffer).
 */
static void open_survives_every_byte_flipped(struct ktest *t)
{
	size_t size;
	u8 *good = host_load_dtb("memreserve", &size);
	u8 *b = malloc(size);
	int accepted = 0;

	ASSERT(good && b);
	for (size_t i = 0; i < size; i++) {
		struct fdt f;
		int err, node = -1, depth = 0;

		memcpy(b, good, size);
		b[i] ^= 0xff;
		err = fdt_open(&f, b, size);
		EXPECT(err <= 0 && err > -FDT_ERR_MAX);
		if (err)
			continue;
		accepted++;
		while ((node = fdt_next_node(&f, node, &depth)) >= 0) {
			int ac, sc, len;
			u64 a, s;

			EXPECT(fdt_node_name(&f, node, &len) != NULL);
			fdt_parent(&f, node);
			fdt_getprop(&f, node, "reg", &len);
			fdt_reg(&f, node, 0, &a, &s);
			fdt_child_cells(&f, node, &ac, &sc);
			fdt_is_compatible(&f, node, "ns16550a");
			fdt_node_is_okay(&f, node);
		}
		EXPECT_EQ(node, -FDT_ERR_NOTFOUND);
		for (int k = 0; fdt_mem_rsv(&f, k, &(u64){ 0 }, &(u64){ 0 }) == 0; k++)
			;
		fdt_path_offset(&f, "/soc/serial@10000000", 20);
		fdt_path_offset(&f, "serial0/x", 9);
	}
	/* flipping value bytes (model, reg, ...) leaves the blob valid */
	EXPECT(accepted > 0);
	free(b);
	free(good);
}

/* ---- lookups ------------------------------------------------------------- */

static void path_offset_finds_nodes(struct ktest *t)
{
	size_t size;
	struct fdt f;
	u8 *b = load_open(&f, "virt", &size);
	int soc, serial;

	ASSERT(b);
	EXPECT_EQ(path(&f, "/"), 0);
	soc = path(&f, "/soc");
	serial = path(&f, "/soc/serial@10000000");
	EXPECT(soc > 0);
	EXPECT(serial > soc);
	EXPECT(name_is(&f, serial, "serial@10000000"));
	/* without @unit a component matches the first node of that name */
	EXPECT_EQ(path(&f, "/soc/serial"), serial);
	EXPECT_EQ(path(&f, "/cpus/cpu"), path(&f, "/cpus/cpu@0"));
	EXPECT(name_is(&f, path(&f, "/memory"), "memory@80000000"));
	EXPECT(name_is(&f, path(&f, "/cpus/cpu@2/interrupt-controller"),
		       "interrupt-controller"));
	EXPECT(name_is(&f, path(&f, "/cpus/cpu-map/cluster0/core3"), "core3"));
	/* "//" and a trailing '/' are harmless */
	EXPECT_EQ(path(&f, "//soc//serial@10000000/"), serial);
	/* only @pathlen bytes are read */
	EXPECT_EQ(fdt_path_offset(&f, "/soc/serial@10000000", 4), soc);
	EXPECT_EQ(path(&f, "/soc/serial@10000001"), -FDT_ERR_NOTFOUND);
	EXPECT_EQ(path(&f, "/soc/serial@1000000"), -FDT_ERR_NOTFOUND);
	EXPECT_EQ(path(&f, "/so"), -FDT_ERR_NOTFOUND);
	EXPECT_EQ(path(&f, "/nosuch"), -FDT_ERR_NOTFOUND);
	EXPECT_EQ(path(&f, "/soc/serial@10000000/nosuch"), -FDT_ERR_NOTFOUND);
	EXPECT_EQ(fdt_path_offset(&f, "", 0), -FDT_ERR_NOTFOUND);
	/* not a path, and virt has no /aliases */
	EXPECT_EQ(path(&f, "serial0"), -FDT_ERR_NOTFOUND);
	free(b);
}

static void path_offset_resolves_aliases(struct ktest *t)
{
	size_t size;
	struct fdt f;
	u8 *b = load_open(&f, "sifive-u", &size);

	ASSERT(b);
	EXPECT(path(&f, "serial0") > 0);
	EXPECT_EQ(path(&f, "serial0"), path(&f, "/soc/serial@10010000"));
	EXPECT_EQ(path(&f, "serial1"), path(&f, "/soc/serial@10011000"));
	EXPECT_EQ(fdt_path_offset(&f, "serial1", 6), -FDT_ERR_NOTFOUND); /* "serial" */
	EXPECT_EQ(path(&f, "ethernet0/ethernet-phy@0"),
		  path(&f, "/soc/ethernet@10090000/ethernet-phy@0"));
	EXPECT(path(&f, "ethernet0/ethernet-phy@0") > 0);
	EXPECT_EQ(path(&f, "serial7"), -FDT_ERR_NOTFOUND);
	free(b);
}

static void subnode_matches_names(struct ktest *t)
{
	size_t size;
	struct fdt f;
	u8 *b = load_open(&f, "virt", &size);
	int cpus;

	ASSERT(b);
	cpus = fdt_subnode(&f, 0, "cpus", 4);
	EXPECT_EQ(cpus, path(&f, "/cpus"));
	EXPECT(name_is(&f, fdt_subnode(&f, cpus, "cpu", 3), "cpu@0"));
	EXPECT(name_is(&f, fdt_subnode(&f, cpus, "cpu@2", 5), "cpu@2"));
	EXPECT(name_is(&f, fdt_subnode(&f, cpus, "cpu-map", 7), "cpu-map"));
	EXPECT_EQ(fdt_subnode(&f, cpus, "cpu@", 4), -FDT_ERR_NOTFOUND);
	EXPECT_EQ(fdt_subnode(&f, cpus, "cpu@9", 5), -FDT_ERR_NOTFOUND);
	/* only direct children */
	EXPECT_EQ(fdt_subnode(&f, 0, "serial", 6), -FDT_ERR_NOTFOUND);
	EXPECT_EQ(fdt_subnode(&f, 3, "cpus", 4), -FDT_ERR_BADOFFSET);
	free(b);
}

static void node_name_and_bad_offsets(struct ktest *t)
{
	size_t size;
	struct fdt f;
	u8 *b = load_open(&f, "virt", &size);
	const char *name;
	int len = 0, prop;

	ASSERT(b);
	name = fdt_node_name(&f, 0, &len);
	EXPECT_STREQ(name, "");
	EXPECT_EQ(len, 0);
	name = fdt_node_name(&f, path(&f, "/soc/serial"), &len);
	EXPECT_STREQ(name, "serial@10000000");
	EXPECT_EQ(len, 15);
	prop = (int)(find_token(b, TOK_PROP, "model", 0) - hdr(b, H_OFF_STRUCT));
	/* not a BEGIN_NODE: misaligned, a property, outside, negative */
	EXPECT(fdt_node_name(&f, 2, &len) == NULL);
	EXPECT_EQ(len, -FDT_ERR_BADOFFSET);
	EXPECT(fdt_node_name(&f, prop, &len) == NULL);
	EXPECT_EQ(len, -FDT_ERR_BADOFFSET);
	EXPECT(fdt_node_name(&f, (int)f.size_struct, &len) == NULL);
	EXPECT_EQ(len, -FDT_ERR_BADOFFSET);
	EXPECT(fdt_node_name(&f, 0x7ffffff0, &len) == NULL);
	EXPECT(fdt_node_name(&f, -4, &len) == NULL);
	EXPECT(fdt_getprop(&f, prop, "model", &len) == NULL);
	EXPECT_EQ(len, -FDT_ERR_BADOFFSET);
	EXPECT_EQ(fdt_next_node(&f, prop, NULL), -FDT_ERR_BADOFFSET);
	EXPECT_EQ(fdt_first_subnode(&f, 4), -FDT_ERR_BADOFFSET);
	EXPECT_EQ(fdt_parent(&f, prop), -FDT_ERR_BADOFFSET);
	free(b);
}

static void next_node_tracks_depth(struct ktest *t)
{
	size_t size;
	struct fdt f;
	u8 *b = load_open(&f, "virt", &size);
	int node = -1, depth = 99, nodes = 0, max = 0;
	int intc3, cpu_map;

	ASSERT(b);
	while ((node = fdt_next_node(&f, node, &depth)) >= 0) {
		int up = 0;

		/* depth must be the number of parent hops to the root */
		for (int p = node; p > 0; p = fdt_parent(&f, p))
			up++;
		EXPECT_EQ(depth, up);
		max = MAX(max, depth);
		nodes++;
	}
	EXPECT_EQ(node, -FDT_ERR_NOTFOUND);
	EXPECT_EQ(nodes, count_nodes(b));
	EXPECT_EQ(max, 4); /* /cpus/cpu-map/cluster0/core0 */

	/* relative steps: into a child, up two levels */
	intc3 = path(&f, "/cpus/cpu@3/interrupt-controller");
	cpu_map = path(&f, "/cpus/cpu-map");
	depth = 0;
	EXPECT_EQ(fdt_next_node(&f, path(&f, "/cpus/cpu@3"), &depth), intc3);
	EXPECT_EQ(depth, 1);
	depth = 0;
	EXPECT_EQ(fdt_next_node(&f, intc3, &depth), cpu_map);
	EXPECT_EQ(depth, -1);
	depth = 0;
	EXPECT_EQ(fdt_next_node(&f, path(&f, "/cpus/cpu-map/cluster0/core3"), &depth),
		  path(&f, "/soc"));
	EXPECT_EQ(depth, -3);
	depth = 5;
	EXPECT_EQ(fdt_next_node(&f, path(&f, "/soc/rtc@101000"), &depth),
		  path(&f, "/soc/serial@10000000"));
	EXPECT_EQ(depth, 5); /* a sibling */
	free(b);
}

static void subnodes_in_order(struct ktest *t)
{
	static const char *const cpus_children[] = {
		"cpu@0", "cpu@1", "cpu@2", "cpu@3", "cpu-map",
	};
	static const char *const root_children[] = {
		"reserved-memory", "pmu", "fw-cfg@10100000", "flash@20000000",
		"chosen", "poweroff", "reboot", "platform-bus@4000000",
		"memory@80000000", "cpus", "soc",
	};
	size_t size, i;
	struct fdt f;
	u8 *b = load_open(&f, "virt", &size);
	int node;

	ASSERT(b);
	i = 0;
	for (node = fdt_first_subnode(&f, path(&f, "/cpus")); node >= 0;
	     node = fdt_next_subnode(&f, node), i++) {
		ASSERT(i < ARRAY_SIZE(cpus_children));
		EXPECT(name_is(&f, node, cpus_children[i]));
	}
	EXPECT_EQ(node, -FDT_ERR_NOTFOUND);
	EXPECT_EQ(i, ARRAY_SIZE(cpus_children));
	i = 0;
	for (node = fdt_first_subnode(&f, 0); node >= 0;
	     node = fdt_next_subnode(&f, node), i++) {
		ASSERT(i < ARRAY_SIZE(root_children));
		EXPECT(name_is(&f, node, root_children[i]));
	}
	EXPECT_EQ(i, ARRAY_SIZE(root_children));
	EXPECT_EQ(fdt_first_subnode(&f, path(&f, "/soc/serial")), -FDT_ERR_NOTFOUND);
	free(b);
}

static void parent_of_nodes(struct ktest *t)
{
	size_t size;
	struct fdt f;
	u8 *b = load_open(&f, "virt", &size);

	ASSERT(b);
	EXPECT_EQ(fdt_parent(&f, path(&f, "/soc/serial@10000000")), path(&f, "/soc"));
	EXPECT_EQ(fdt_parent(&f, path(&f, "/soc")), 0);
	EXPECT_EQ(fdt_parent(&f, path(&f, "/cpus/cpu@1/interrupt-controller")),
		  path(&f, "/cpus/cpu@1"));
	EXPECT_EQ(fdt_parent(&f, path(&f, "/cpus/cpu-map/cluster0/core2")),
		  path(&f, "/cpus/cpu-map/cluster0"));
	EXPECT_EQ(fdt_parent(&f, 0), -FDT_ERR_NOTFOUND);
	EXPECT_EQ(fdt_parent(&f, 3), -FDT_ERR_BADOFFSET);
	free(b);
}

static void getprop_values(struct ktest *t)
{
	size_t size;
	struct fdt f;
	u8 *b = load_open(&f, "virt", &size);
	const char *model;
	int len = 0, fwcfg;

	ASSERT(b);
	model = fdt_getprop(&f, 0, "model", &len);
	EXPECT_STREQ(model, "riscv-virtio,qemu");
	EXPECT_EQ(len, 18);
	EXPECT(fdt_getprop(&f, 0, "model", NULL) == model);
	/* missing, a prefix of a name, a property of a child */
	EXPECT(fdt_getprop(&f, 0, "nosuch", &len) == NULL);
	EXPECT_EQ(len, -FDT_ERR_NOTFOUND);
	EXPECT(fdt_getprop(&f, 0, "mode", &len) == NULL);
	EXPECT_EQ(len, -FDT_ERR_NOTFOUND);
	EXPECT(fdt_getprop(&f, 0, "stdout-path", &len) == NULL);
	EXPECT_EQ(len, -FDT_ERR_NOTFOUND);
	/* an empty property is there, with length 0 */
	fwcfg = path(&f, "/fw-cfg@10100000");
	EXPECT(fdt_getprop(&f, fwcfg, "dma-coherent", &len) != NULL);
	EXPECT_EQ(len, 0);
	EXPECT_STREQ(fdt_getprop(&f, path(&f, "/chosen"), "bootargs", NULL),
		     "console=ttyS0 earlycon");
	free(b);
}

static void getprop_u32_checks_length(struct ktest *t)
{
	size_t size;
	struct fdt f;
	u8 *b = load_open(&f, "virt", &size);
	u32 v = 0;

	ASSERT(b);
	EXPECT_EQ(fdt_getprop_u32(&f, path(&f, "/cpus"), "timebase-frequency", &v), 0);
	EXPECT_EQ(v, 10000000);
	v = 42;
	EXPECT_EQ(fdt_getprop_u32(&f, path(&f, "/memory"), "reg", &v), -FDT_ERR_BADVALUE);
	EXPECT_EQ(fdt_getprop_u32(&f, 0, "nosuch", &v), -FDT_ERR_NOTFOUND);
	EXPECT_EQ(fdt_getprop_u32(&f, path(&f, "/fw-cfg"), "dma-coherent", &v),
		  -FDT_ERR_BADVALUE);
	EXPECT_EQ(v, 42);
	free(b);
}

static void find_compatible_and_reg(struct ktest *t)
{
	size_t size;
	struct fdt f;
	u8 *b = load_open(&f, "virt", &size);
	u64 addr = 0, sz = 0;
	int serial, node, n;

	ASSERT(b);
	serial = fdt_find_compatible(&f, -1, "ns16550a");
	EXPECT_EQ(serial, path(&f, "/soc/serial@10000000"));
	EXPECT_EQ(fdt_reg(&f, serial, 0, &addr, &sz), 0);
	EXPECT_EQ(addr, 0x10000000);
	EXPECT_EQ(sz, 0x100);
	EXPECT_EQ(fdt_reg(&f, serial, 1, &addr, &sz), -FDT_ERR_NOTFOUND);
	EXPECT_EQ(fdt_reg(&f, serial, -1, &addr, &sz), -FDT_ERR_NOTFOUND);
	EXPECT_EQ(fdt_find_compatible(&f, serial, "ns16550a"), -FDT_ERR_NOTFOUND);
	EXPECT_EQ(fdt_find_compatible(&f, -1, "riscv-virtio"), 0);
	EXPECT_EQ(fdt_find_compatible(&f, -1, "ns16550"), -FDT_ERR_NOTFOUND);
	for (n = 0, node = -1; (node = fdt_find_compatible(&f, node, "virtio,mmio")) >= 0;)
		n++;
	EXPECT_EQ(n, 8);
	/* a second entry; cpus use 1 address cell and no size */
	EXPECT_EQ(fdt_reg(&f, path(&f, "/flash"), 1, &addr, &sz), 0);
	EXPECT_EQ(addr, 0x22000000);
	EXPECT_EQ(sz, 0x2000000);
	EXPECT_EQ(fdt_reg(&f, path(&f, "/cpus/cpu@2"), 0, &addr, &sz), 0);
	EXPECT_EQ(addr, 2);
	EXPECT_EQ(sz, 0);
	EXPECT_EQ(fdt_reg(&f, 0, 0, &addr, &sz), -FDT_ERR_NOTFOUND);
	free(b);

	/* the parent's #address-cells = <3> is refused */
	b = load_open(&f, "bad-cells", &size);
	ASSERT(b);
	EXPECT_EQ(fdt_reg(&f, path(&f, "/memory"), 0, &addr, &sz), -FDT_ERR_BADCELLS);
	free(b);

	b = load_open(&f, "cells-1-1", &size);
	ASSERT(b);
	serial = fdt_find_compatible(&f, -1, "ns16550a");
	EXPECT_EQ(fdt_reg(&f, serial, 0, &addr, &sz), 0);
	EXPECT_EQ(addr, 0x10000000);
	EXPECT_EQ(sz, 0x100);
	free(b);

	b = load_open(&f, "virt-8g", &size);
	ASSERT(b);
	EXPECT_EQ(fdt_reg(&f, path(&f, "/memory"), 0, &addr, &sz), 0);
	EXPECT_EQ(addr, 0x80000000);
	EXPECT_EQ(sz, 0x200000000ull);
	free(b);
}

static void read_reg_checks_cells_and_length(struct ktest *t)
{
	size_t size;
	struct fdt f;
	u8 *b = load_open(&f, "virt", &size);
	u64 addr, sz;
	int mem;

	ASSERT(b);
	mem = path(&f, "/memory");
	/* 16 bytes: 2+2 cells (one entry) or 1+1 cells (two entries) */
	EXPECT_EQ(fdt_read_reg(&f, mem, 1, 1, 1, &addr, &sz), 0);
	EXPECT_EQ(addr, 0);
	EXPECT_EQ(sz, 0x8000000);
	/* 16 bytes is not a multiple of 2+1 cells */
	EXPECT_EQ(fdt_read_reg(&f, mem, 2, 1, 0, &addr, &sz), -FDT_ERR_BADVALUE);
	EXPECT_EQ(fdt_read_reg(&f, mem, 3, 1, 0, &addr, &sz), -FDT_ERR_BADCELLS);
	EXPECT_EQ(fdt_read_reg(&f, mem, 0, 2, 0, &addr, &sz), -FDT_ERR_BADCELLS);
	EXPECT_EQ(fdt_read_reg(&f, mem, 2, 3, 0, &addr, &sz), -FDT_ERR_BADCELLS);
	EXPECT_EQ(fdt_read_reg(&f, path(&f, "/cpus"), 2, 2, 0, &addr, &sz),
		  -FDT_ERR_NOTFOUND);
	free(b);
}

static void is_compatible_matches_whole_strings(struct ktest *t)
{
	size_t size;
	struct fdt f;
	u8 *b = load_open(&f, "virt", &size);
	int test;

	ASSERT(b);
	test = path(&f, "/soc/test@100000"); /* "sifive,test1\0sifive,test0\0syscon" */
	EXPECT(fdt_is_compatible(&f, test, "sifive,test1"));
	EXPECT(fdt_is_compatible(&f, test, "sifive,test0"));
	EXPECT(fdt_is_compatible(&f, test, "syscon"));
	EXPECT(!fdt_is_compatible(&f, test, "sifive,test"));
	EXPECT(!fdt_is_compatible(&f, test, "test0"));
	EXPECT(!fdt_is_compatible(&f, test, "syscon0"));
	EXPECT(!fdt_is_compatible(&f, test, ""));
	EXPECT(!fdt_is_compatible(&f, path(&f, "/chosen"), "syscon"));
	free(b);
}

static void node_is_okay_reads_status(struct ktest *t)
{
	static const char strings[] = "status\0";
	/* root { status = "ok"; } etc: the value is patched per case */
	u32 words[] = { TOK_BEGIN_NODE, 0, TOK_PROP, 3, 0, 0x6f6b0000, TOK_END_NODE, TOK_END };
	static const struct {
		u32 len, val;
		bool okay;
	} cases[] = {
		{ 3, 0x6f6b0000, true },   /* "ok" */
		{ 2, 0x6f6b0000, true },   /* "ok" without its NUL */
		{ 4, 0x6f6b7800, false },  /* "okx" */
		{ 1, 0x00000000, false },  /* "" */
		{ 0, TOK_NOP, false },     /* empty (the value word is a NOP) */
	};
	size_t size;
	struct fdt f;
	u8 *b = load_open(&f, "sifive-u", &size);

	ASSERT(b);
	EXPECT(!fdt_node_is_okay(&f, path(&f, "/cpus/cpu@0"))); /* "disabled" */
	EXPECT(fdt_node_is_okay(&f, path(&f, "/cpus/cpu@1")));  /* "okay" */
	EXPECT(fdt_node_is_okay(&f, path(&f, "/soc")));         /* no status */
	EXPECT(!fdt_node_is_okay(&f, 3));                       /* not a node */
	free(b);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		words[3] = cases[i].len;
		words[5] = cases[i].val;
		b = BUILD(words, strings, &size);
		EXPECT_EQ(fdt_open(&f, b, size), 0);
		EXPECT_EQ(fdt_node_is_okay(&f, 0), cases[i].okay);
		free(b);
	}
}

static void child_cells_defaults_and_limits(struct ktest *t)
{
	size_t size;
	struct fdt f;
	u8 *b = load_open(&f, "virt", &size);
	int ac = -1, sc = -1;

	ASSERT(b);
	EXPECT_EQ(fdt_child_cells(&f, 0, &ac, &sc), 0);
	EXPECT_EQ(ac, 2);
	EXPECT_EQ(sc, 2);
	EXPECT_EQ(fdt_child_cells(&f, path(&f, "/cpus"), &ac, &sc), 0);
	EXPECT_EQ(ac, 1);
	EXPECT_EQ(sc, 0);
	EXPECT_EQ(fdt_child_cells(&f, path(&f, "/soc/serial"), &ac, &sc), 0);
	EXPECT_EQ(ac, 2); /* defaults */
	EXPECT_EQ(sc, 1);
	ac = sc = -1;
	EXPECT_EQ(fdt_child_cells(&f, path(&f, "/soc/pci"), &ac, &sc), -FDT_ERR_BADCELLS);
	EXPECT_EQ(fdt_child_cells(&f, path(&f, "/soc/plic"), &ac, &sc), -FDT_ERR_BADCELLS);
	EXPECT_EQ(ac, -1);
	EXPECT_EQ(sc, -1);
	free(b);
	b = load_open(&f, "cells-1-1", &size);
	ASSERT(b);
	EXPECT_EQ(fdt_child_cells(&f, 0, &ac, &sc), 0);
	EXPECT_EQ(ac, 1);
	EXPECT_EQ(sc, 1);
	free(b);
}

static void mem_rsv_entries(struct ktest *t)
{
	size_t size;
	struct fdt f;
	u8 *b = load_open(&f, "memreserve", &size);
	u64 addr = 0, sz = 0;

	ASSERT(b);
	EXPECT_EQ(fdt_mem_rsv(&f, 0, &addr, &sz), 0);
	EXPECT_EQ(addr, 0x88000000);
	EXPECT_EQ(sz, 0x10000);
	EXPECT_EQ(fdt_mem_rsv(&f, 1, &addr, &sz), 0);
	EXPECT_EQ(addr, 0x84000000);
	EXPECT_EQ(sz, 0x2000);
	EXPECT_EQ(fdt_mem_rsv(&f, 2, &addr, &sz), -FDT_ERR_NOTFOUND);
	EXPECT_EQ(fdt_mem_rsv(&f, 3, &addr, &sz), -FDT_ERR_NOTFOUND);
	EXPECT_EQ(fdt_mem_rsv(&f, -1, &addr, &sz), -FDT_ERR_NOTFOUND);
	free(b);
	b = load_open(&f, "virt", &size);
	ASSERT(b);
	EXPECT_EQ(fdt_mem_rsv(&f, 0, &addr, &sz), -FDT_ERR_NOTFOUND);
	free(b);
}

/* After a failed fdt_open every function fails cleanly on the zeroed fdt. */
static void failed_open_leaves_unusable_fdt(struct ktest *t)
{
	size_t size;
	u8 *b = host_load_dtb("virt", &size);
	struct fdt f;
	u64 a, s;
	int len;

	ASSERT(b);
	b[0] = 0;
	EXPECT_EQ(fdt_open(&f, b, size), -FDT_ERR_BADMAGIC);
	EXPECT(f.blob == NULL);
	EXPECT(path(&f, "/") < 0);
	EXPECT(fdt_next_node(&f, -1, NULL) < 0);
	EXPECT(fdt_getprop(&f, 0, "model", &len) == NULL);
	EXPECT(fdt_mem_rsv(&f, 0, &a, &s) < 0);
	EXPECT(fdt_parent(&f, 0) < 0);
	free(b);
}

static void header_totalsize(struct ktest *t)
{
	size_t size;
	u8 *b = host_load_dtb("virt", &size);

	ASSERT(b);
	EXPECT_EQ(fdt_header_totalsize(b), (long)size);
	free(b);
}

static void strerror_names_every_code(struct ktest *t)
{
	const char *unknown = fdt_strerror(-FDT_ERR_MAX);

	EXPECT(unknown != NULL);
	for (int i = 1; i < FDT_ERR_MAX; i++) {
		const char *s = fdt_strerror(-i);

		EXPECT(s != NULL && s[0] != '\0');
		EXPECT(s != unknown && strcmp(s, unknown) != 0);
		for (int j = 1; j < i; j++)
			EXPECT(strcmp(s, fdt_strerror(-j)) != 0);
	}
	EXPECT_STREQ(fdt_strerror(-FDT_ERR_BADMAGIC), "bad magic (not a device tree)");
	EXPECT(fdt_strerror(-1000) != NULL);
	EXPECT(fdt_strerror(1000) != NULL);
}

KTEST_SUITE(fdt,
	KTEST_CASE(open_accepts_good_fixtures),
	KTEST_CASE(open_accepts_larger_buffer),
	KTEST_CASE(open_accepts_version_16),
	KTEST_CASE(open_rejects_bad_magic),
	KTEST_CASE(open_rejects_bad_version),
	KTEST_CASE(open_rejects_truncated_blob),
	KTEST_CASE(open_rejects_truncated_header),
	KTEST_CASE(open_never_reads_past_bufsize),
	KTEST_CASE(open_rejects_totalsize_below_header),
	KTEST_CASE(open_rejects_struct_offset_outside),
	KTEST_CASE(open_rejects_struct_size_overflow),
	KTEST_CASE(open_rejects_strings_outside),
	KTEST_CASE(open_rejects_rsvmap_outside),
	KTEST_CASE(open_rejects_unterminated_rsvmap),
	KTEST_CASE(open_rejects_bad_token),
	KTEST_CASE(open_rejects_unterminated_node_name),
	KTEST_CASE(open_rejects_prop_name_outside_strings),
	KTEST_CASE(open_rejects_unterminated_prop_name),
	KTEST_CASE(open_rejects_missing_end_node),
	KTEST_CASE(open_rejects_extra_end_node),
	KTEST_CASE(open_rejects_missing_fdt_end),
	KTEST_CASE(open_rejects_prop_past_struct),
	KTEST_CASE(open_checks_depth),
	KTEST_CASE(open_checks_node_order),
	KTEST_CASE(open_survives_every_byte_flipped),
	KTEST_CASE(path_offset_finds_nodes),
	KTEST_CASE(path_offset_resolves_aliases),
	KTEST_CASE(subnode_matches_names),
	KTEST_CASE(node_name_and_bad_offsets),
	KTEST_CASE(next_node_tracks_depth),
	KTEST_CASE(subnodes_in_order),
	KTEST_CASE(parent_of_nodes),
	KTEST_CASE(getprop_values),
	KTEST_CASE(getprop_u32_checks_length),
	KTEST_CASE(find_compatible_and_reg),
	KTEST_CASE(read_reg_checks_cells_and_length),
	KTEST_CASE(is_compatible_matches_whole_strings),
	KTEST_CASE(node_is_okay_reads_status),
	KTEST_CASE(child_cells_defaults_and_limits),
	KTEST_CASE(mem_rsv_entries),
	KTEST_CASE(failed_open_leaves_unusable_fdt),
	KTEST_CASE(header_totalsize),
	KTEST_CASE(strerror_names_every_code));
