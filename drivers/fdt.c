/*
 * fdt.c - a bounds-checked reader for flattened device tree blobs.
 *
 * A blob is a 40-byte big-endian header followed by three blocks: the
 * mem-reserve map (16-byte {address, size} entries ending with 0/0), the
 * structure block (a stream of 4-byte aligned tokens) and the strings block
 * (the NUL-terminated property names the PROP tokens point into).
 *
 * fdt_open() trusts nothing. It checks, in this order: the magic, that the
 * header is readable, the version, totalsize against the buffer, that every
 * block lies inside totalsize (computed without u32 overflow) with the
 * alignment the format requires, that the mem-reserve map is terminated
 * inside the blob, and finally walks the whole structure block once.
 * The walk checks every token, that each node name is NUL-terminated inside
 * the structure block, that each property value fits in it and that each
 * property name offset lands on a NUL-terminated string of the strings
 * block; it also checks that the root node is the first token, that nodes
 * nest at most FDT_MAX_DEPTH deep and are balanced, that properties come
 * before a node's subnodes and that FDT_END follows the root node.
 *
 * Every later read goes through read_tag(), which repeats the bounds checks
 * (so a corrupted blob or a made-up offset can never read outside it) and
 * decodes one token. Offsets passed in by callers are checked to be the
 * offset of a BEGIN_NODE token before they are used.
 *
 * Node offsets are byte offsets inside the structure block; the root node
 * is at offset 0. Nothing here allocates memory or keeps state outside the
 * caller's struct fdt.
 */
#include <lib/kernel.h>
#include <lib/kstring.h>
#include <drivers/fdt.h>

/* Header field offsets. */
#define HDR_MAGIC 0
#define HDR_TOTALSIZE 4
#define HDR_OFF_STRUCT 8
#define HDR_OFF_STRINGS 12
#define HDR_OFF_RSVMAP 16
#define HDR_VERSION 20
#define HDR_LAST_COMP 24
#define HDR_BOOT_CPUID 28
#define HDR_SIZE_STRINGS 32
#define HDR_SIZE_STRUCT 36 /* version 17 and later only */

#define FDT_FIRST_VERSION 16u
#define FDT_LAST_VERSION 17u
#define RSV_ENTRY_SIZE 16u

/* Offsets are ints: a blob bigger than this is refused, so that no offset
 * plus padding can overflow. */
#define FDT_MAX_TOTALSIZE 0x7fff0000u

static const char *const fdt_errors[FDT_ERR_MAX] = {
	[0] = "success",
	[FDT_ERR_NOTFOUND] = "not found",
	[FDT_ERR_BADMAGIC] = "bad magic (not a device tree)",
	[FDT_ERR_BADVERSION] = "unsupported device tree version",
	[FDT_ERR_TRUNCATED] = "device tree truncated",
	[FDT_ERR_BADOFFSET] = "offset or size outside the device tree",
	[FDT_ERR_BADSTRUCTURE] = "corrupt structure block",
	[FDT_ERR_BADSTRING] = "unterminated name or string",
	[FDT_ERR_BADCELLS] = "bad #address-cells or #size-cells",
	[FDT_ERR_BADVALUE] = "bad property length",
	[FDT_ERR_NOMEMORY] = "no memory node",
	[FDT_ERR_TOOMANY] = "too many entries for rvmm's tables",
	[FDT_ERR_BADRANGE] = "address range wraps or is reversed",
	[FDT_ERR_DEPTH] = "nodes nested too deep",
};

const char *fdt_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err >= FDT_ERR_MAX || !fdt_errors[err])
		return "unknown device tree error";
	return fdt_errors[err];
}

/* One decoded token of the structure block. */
struct tag {
	u32 type;
	int next;         /* offset of the token that follows */
	const char *name; /* BEGIN_NODE: node name; PROP: property name */
	int namelen;
	const u8 *val;    /* PROP: value */
	int len;          /* PROP: value length */
};

static const u8 *struct_ptr(const struct fdt *f, u32 off)
{
	return f->blob + f->off_struct + off;
}

/* A BEGIN_NODE's name starts at @pos and must end inside the block. */
static int read_node_name(const struct fdt *f, u32 pos, struct tag *t)
{
	const u8 *name = struct_ptr(f, pos);
	const u8 *nul = memchr(name, 0, f->size_struct - pos);

	if (!nul)
		return -FDT_ERR_BADSTRING;
	t->name = (const char *)name;
	t->namelen = (int)(nul - name);
	t->next = (int)ALIGN_UP(pos + (u32)t->namelen + 1, 4u);
	return 0;
}

/* A PROP's {len, nameoff} header starts at @pos; the value must fit in the
 * structure block and the name must be a terminated string of the strings
 * block. */
static int read_prop(const struct fdt *f, u32 pos, struct tag *t)
{
	const u8 *strings = f->blob + f->off_strings;
	u32 len, nameoff;
	const u8 *nul;

	if (f->size_struct - pos < 8)
		return -FDT_ERR_BADSTRUCTURE;
	len = fdt32_ld(struct_ptr(f, pos));
	nameoff = fdt32_ld(struct_ptr(f, pos + 4));
	pos += 8;
	if (len > f->size_struct - pos)
		return -FDT_ERR_BADSTRUCTURE;
	if (nameoff >= f->size_strings)
		return -FDT_ERR_BADSTRING;
	nul = memchr(strings + nameoff, 0, f->size_strings - nameoff);
	if (!nul)
		return -FDT_ERR_BADSTRING;
	t->name = (const char *)strings + nameoff;
	t->namelen = (int)(nul - (strings + nameoff));
	t->val = struct_ptr(f, pos);
	t->len = (int)len;
	t->next = (int)ALIGN_UP(pos + len, 4u);
	return 0;
}

/*
 * Decode the token at @off. Fails with -FDT_ERR_BADSTRUCTURE when @off is
 * not an aligned offset with a whole token inside the structure block, or
 * the token is unknown; with the read_node_name/read_prop errors otherwise.
 */
static int read_tag(const struct fdt *f, int off, struct tag *t)
{
	u32 pos = (u32)off;

	if (off < 0 || !IS_ALIGNED(pos, 4u) || f->size_struct < 4 ||
	    pos > f->size_struct - 4)
		return -FDT_ERR_BADSTRUCTURE;
	t->type = fdt32_ld(struct_ptr(f, pos));
	t->name = NULL;
	t->namelen = 0;
	t->val = NULL;
	t->len = 0;
	pos += 4;
	switch (t->type) {
	case FDT_BEGIN_NODE:
		return read_node_name(f, pos, t);
	case FDT_PROP:
		return read_prop(f, pos, t);
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		t->next = (int)pos;
		return 0;
	default:
		return -FDT_ERR_BADSTRUCTURE;
	}
}

int fdt_next_tag(const struct fdt *f, int off, int *next)
{
	struct tag t;
	int err = read_tag(f, off, &t);

	if (err)
		return err;
	*next = t.next;
	return (int)t.type;
}

/* Is @node the offset of a BEGIN_NODE token? 0 or -FDT_ERR_BADOFFSET. */
static int check_node(const struct fdt *f, int node, struct tag *t)
{
	if (read_tag(f, node, t) < 0 || t->type != FDT_BEGIN_NODE)
		return -FDT_ERR_BADOFFSET;
	return 0;
}

/* ---- fdt_open ------------------------------------------------------------ */

/* A block [off, off + size) must lie in [FDT_HEADER_SIZE, totalsize). */
static bool block_inside(u32 off, u32 size, u32 totalsize)
{
	return off >= FDT_HEADER_SIZE && (u64)off + size <= totalsize;
}

static int check_blocks(struct fdt *f)
{
	if (!block_inside(f->off_rsvmap, 0, f->totalsize) ||
	    !IS_ALIGNED(f->off_rsvmap, 8u))
		return -FDT_ERR_BADOFFSET;
	if (!block_inside(f->off_struct, f->size_struct, f->totalsize) ||
	    !IS_ALIGNED(f->off_struct, 4u))
		return -FDT_ERR_BADOFFSET;
	if (!block_inside(f->off_strings, f->size_strings, f->totalsize))
		return -FDT_ERR_BADOFFSET;
	return 0;
}

/* The mem-reserve map: whole entries inside the blob, up to a 0/0 one. */
static int check_rsvmap(const struct fdt *f)
{
	u32 pos = f->off_rsvmap;

	for (;;) {
		const u8 *e = f->blob + pos;

		if (f->totalsize - pos < RSV_ENTRY_SIZE)
			return -FDT_ERR_BADOFFSET;
		if (fdt64_ld(e) == 0 && fdt64_ld(e + 8) == 0)
			return 0;
		pos += RSV_ENTRY_SIZE;
	}
}

/*
 * Walk the whole structure block once. On success *end is the offset just
 * past FDT_END.
 */
static int check_structure(const struct fdt *f, u32 *end)
{
	bool props_allowed = false, root_done = false;
	int depth = 0, off = 0, err;
	struct tag t;

	for (;;) {
		err = read_tag(f, off, &t);
		if (err)
			return err;
		if (off == 0 && t.type != FDT_BEGIN_NODE)
			return -FDT_ERR_BADSTRUCTURE; /* the root must come first */
		switch (t.type) {
		case FDT_BEGIN_NODE:
			if (root_done)
				return -FDT_ERR_BADSTRUCTURE;
			if (++depth > FDT_MAX_DEPTH)
				return -FDT_ERR_DEPTH;
			props_allowed = true;
			break;
		case FDT_END_NODE:
			if (depth == 0)
				return -FDT_ERR_BADSTRUCTURE;
			if (--depth == 0)
				root_done = true;
			props_allowed = false; /* back in the parent, after a subnode */
			break;
		case FDT_PROP:
			if (!props_allowed)
				return -FDT_ERR_BADSTRUCTURE;
			break;
		case FDT_NOP:
			break;
		case FDT_END:
			if (!root_done)
				return -FDT_ERR_BADSTRUCTURE;
			*end = (u32)t.next;
			return 0;
		}
		off = t.next;
	}
}

long fdt_header_totalsize(const void *blob)
{
	if (fdt32_ld((const u8 *)blob + HDR_MAGIC) != FDT_MAGIC)
		return -FDT_ERR_BADMAGIC;
	return (long)fdt32_ld((const u8 *)blob + HDR_TOTALSIZE);
}

static int check_header(struct fdt *f, const u8 *b, size_t bufsize)
{
	u32 last_comp;

	if (!b || bufsize < 4)
		return -FDT_ERR_TRUNCATED;
	if (fdt32_ld(b + HDR_MAGIC) != FDT_MAGIC)
		return -FDT_ERR_BADMAGIC;
	if (bufsize < FDT_HEADER_SIZE)
		return -FDT_ERR_TRUNCATED;
	f->blob = b;
	f->totalsize = fdt32_ld(b + HDR_TOTALSIZE);
	f->off_struct = fdt32_ld(b + HDR_OFF_STRUCT);
	f->off_strings = fdt32_ld(b + HDR_OFF_STRINGS);
	f->off_rsvmap = fdt32_ld(b + HDR_OFF_RSVMAP);
	f->version = fdt32_ld(b + HDR_VERSION);
	f->boot_cpuid = fdt32_ld(b + HDR_BOOT_CPUID);
	f->size_strings = fdt32_ld(b + HDR_SIZE_STRINGS);
	last_comp = fdt32_ld(b + HDR_LAST_COMP);

	if (f->version < FDT_FIRST_VERSION || last_comp > FDT_LAST_VERSION ||
	    last_comp > f->version)
		return -FDT_ERR_BADVERSION;
	if (f->totalsize < FDT_HEADER_SIZE || f->totalsize > bufsize)
		return -FDT_ERR_TRUNCATED;
	if (f->totalsize > FDT_MAX_TOTALSIZE)
		return -FDT_ERR_BADOFFSET;
	/* Version 16 has no size_dt_struct: the block may run to the end of
	 * the blob, and the walk finds where it really ends. */
	if (f->version >= 17)
		f->size_struct = fdt32_ld(b + HDR_SIZE_STRUCT);
	else if (f->off_struct <= f->totalsize)
		f->size_struct = f->totalsize - f->off_struct;
	return 0;
}

int fdt_open(struct fdt *f, const void *blob, size_t bufsize)
{
	struct fdt tmp;
	u32 end;
	int err;

	memset(f, 0, sizeof(*f));
	memset(&tmp, 0, sizeof(tmp));
	err = check_header(&tmp, blob, bufsize);
	if (!err)
		err = check_blocks(&tmp);
	if (!err)
		err = check_rsvmap(&tmp);
	if (!err)
		err = check_structure(&tmp, &end);
	if (err)
		return err;
	tmp.size_struct = end;
	*f = tmp;
	return 0;
}

/* ---- nodes --------------------------------------------------------------- */

/*
 * Document-order walk. @level is how deep the walk is relative to @node's
 * depth, counted after @node's own BEGIN_NODE: 1 inside @node, 0 back at its
 * level, negative above it.
 */
int fdt_next_node(const struct fdt *f, int node, int *depth)
{
	int level = 1, off, err;
	struct tag t;

	if (node < 0) {
		if (check_node(f, 0, &t))
			return -FDT_ERR_BADOFFSET;
		if (depth)
			*depth = 0;
		return 0;
	}
	err = check_node(f, node, &t);
	if (err)
		return err;
	for (off = t.next;; off = t.next) {
		err = read_tag(f, off, &t);
		if (err)
			return err;
		switch (t.type) {
		case FDT_BEGIN_NODE:
			if (depth)
				*depth += level;
			return off;
		case FDT_END_NODE:
			level--;
			break;
		case FDT_END:
			return -FDT_ERR_NOTFOUND;
		}
	}
}

int fdt_first_subnode(const struct fdt *f, int node)
{
	int depth = 0;
	int child = fdt_next_node(f, node, &depth);

	if (child < 0)
		return child;
	return depth == 1 ? child : -FDT_ERR_NOTFOUND;
}

int fdt_next_subnode(const struct fdt *f, int node)
{
	int depth = 0;

	for (;;) {
		node = fdt_next_node(f, node, &depth);
		if (node < 0)
			return node;
		if (depth == 0)
			return node;
		if (depth < 0)
			return -FDT_ERR_NOTFOUND;
	}
}

/* The parent is found by walking from the root with a stack of ancestors. */
int fdt_parent(const struct fdt *f, int node)
{
	int stack[FDT_MAX_DEPTH];
	int depth = 0, off = 0;
	struct tag t;

	if (check_node(f, node, &t))
		return -FDT_ERR_BADOFFSET;
	if (node == 0)
		return -FDT_ERR_NOTFOUND;
	while (off >= 0) {
		if (depth < 0 || depth >= FDT_MAX_DEPTH)
			return -FDT_ERR_DEPTH;
		stack[depth] = off;
		if (off == node)
			return depth > 0 ? stack[depth - 1] : -FDT_ERR_NOTFOUND;
		off = fdt_next_node(f, off, &depth);
	}
	return off == -FDT_ERR_NOTFOUND ? -FDT_ERR_BADOFFSET : off;
}

const char *fdt_node_name(const struct fdt *f, int node, int *lenp)
{
	struct tag t;
	int err = check_node(f, node, &t);

	if (lenp)
		*lenp = err ? err : t.namelen;
	return err ? NULL : t.name;
}

/* Does node name @nn match the path component @name? Exactly, or @name has
 * no unit address and @nn is @name followed by "@unit". */
static bool name_matches(const char *nn, int nnlen, const char *name, size_t len)
{
	if ((size_t)nnlen < len || memcmp(nn, name, len) != 0)
		return false;
	if ((size_t)nnlen == len)
		return true;
	return nn[len] == '@' && !memchr(name, '@', len);
}

int fdt_subnode(const struct fdt *f, int parent, const char *name, size_t namelen)
{
	int node;

	for (node = fdt_first_subnode(f, parent); node >= 0;
	     node = fdt_next_subnode(f, node)) {
		int nnlen;
		const char *nn = fdt_node_name(f, node, &nnlen);

		if (nn && name_matches(nn, nnlen, name, namelen))
			return node;
	}
	return node;
}

/* Follow the '/'-separated components of [p, end) down from @node. */
static int walk_path(const struct fdt *f, int node, const char *p, const char *end)
{
	while (p < end && node >= 0) {
		const char *slash;
		size_t len;

		if (*p == '/') {
			p++;
			continue;
		}
		slash = memchr(p, '/', (size_t)(end - p));
		len = slash ? (size_t)(slash - p) : (size_t)(end - p);
		node = fdt_subnode(f, node, p, len);
		p += len;
	}
	return node;
}

static const void *getprop_n(const struct fdt *f, int node, const char *name,
			     size_t namelen, int *lenp);

/* "alias/rest": the alias is a property of /aliases holding an absolute path. */
static int resolve_alias(const struct fdt *f, const char *path, const char *end)
{
	const char *slash = memchr(path, '/', (size_t)(end - path));
	const char *aend = slash ? slash : end;
	int aliases, len, node;
	const char *val;

	aliases = fdt_subnode(f, 0, "aliases", 7);
	if (aliases < 0)
		return aliases;
	val = getprop_n(f, aliases, path, (size_t)(aend - path), &len);
	if (!val)
		return len;
	if (len < 2 || val[0] != '/' || !memchr(val, 0, (size_t)len))
		return -FDT_ERR_BADVALUE;
	node = walk_path(f, 0, val, val + strlen(val));
	return walk_path(f, node, aend, end);
}

int fdt_path_offset(const struct fdt *f, const char *path, size_t pathlen)
{
	struct tag t;

	if (check_node(f, 0, &t))
		return -FDT_ERR_BADOFFSET;
	if (!path || pathlen == 0)
		return -FDT_ERR_NOTFOUND;
	if (path[0] != '/')
		return resolve_alias(f, path, path + pathlen);
	return walk_path(f, 0, path, path + pathlen);
}

/* ---- properties ---------------------------------------------------------- */

static const void *getprop_n(const struct fdt *f, int node, const char *name,
			     size_t namelen, int *lenp)
{
	struct tag t;
	int err = check_node(f, node, &t);

	/* A node's properties are the PROP tokens (and NOPs) that follow its
	 * BEGIN_NODE, up to its first subnode or its END_NODE. */
	while (!err) {
		err = read_tag(f, t.next, &t);
		if (err)
			break;
		if (t.type == FDT_NOP)
			continue;
		if (t.type != FDT_PROP) {
			err = -FDT_ERR_NOTFOUND;
			break;
		}
		if ((size_t)t.namelen == namelen && memcmp(t.name, name, namelen) == 0) {
			if (lenp)
				*lenp = t.len;
			return t.val;
		}
	}
	if (lenp)
		*lenp = err;
	return NULL;
}

const void *fdt_getprop(const struct fdt *f, int node, const char *name, int *lenp)
{
	return getprop_n(f, node, name, strlen(name), lenp);
}

int fdt_getprop_u32(const struct fdt *f, int node, const char *name, u32 *out)
{
	int len;
	const void *val = fdt_getprop(f, node, name, &len);

	if (!val)
		return len;
	if (len != 4)
		return -FDT_ERR_BADVALUE;
	*out = fdt32_ld(val);
	return 0;
}

bool fdt_prop_equals(const struct fdt *f, int node, const char *name, const char *str)
{
	int len;
	const char *val = fdt_getprop(f, node, name, &len);

	return val && (size_t)len == strlen(str) + 1 && memcmp(val, str, (size_t)len) == 0;
}

bool fdt_is_compatible(const struct fdt *f, int node, const char *compat)
{
	size_t want = strlen(compat) + 1; /* with its NUL */
	const char *p, *end;
	int len;

	p = fdt_getprop(f, node, "compatible", &len);
	if (!p)
		return false;
	for (end = p + len; p < end;) {
		const char *nul = memchr(p, 0, (size_t)(end - p));

		if (!nul)
			return false; /* an unterminated last string never matches */
		if ((size_t)(nul - p) + 1 == want && memcmp(p, compat, want) == 0)
			return true;
		p = nul + 1;
	}
	return false;
}

int fdt_find_compatible(const struct fdt *f, int from, const char *compat)
{
	int node = from;

	for (;;) {
		node = fdt_next_node(f, node, NULL);
		if (node < 0 || fdt_is_compatible(f, node, compat))
			return node;
	}
}

bool fdt_node_is_okay(const struct fdt *f, int node)
{
	int len;
	const char *status = fdt_getprop(f, node, "status", &len);
	size_t slen;

	if (!status)
		return len == -FDT_ERR_NOTFOUND;
	slen = strnlen(status, (size_t)len);
	return (slen == 4 && memcmp(status, "okay", 4) == 0) ||
	       (slen == 2 && memcmp(status, "ok", 2) == 0);
}

/* ---- reg and cells ------------------------------------------------------- */

/* A cells property: @def when absent, else one u32 in [min, 2]. */
static int read_cells(const struct fdt *f, int node, const char *name, int def,
		      int min, int *out)
{
	u32 v;
	int err = fdt_getprop_u32(f, node, name, &v);

	if (err == -FDT_ERR_NOTFOUND) {
		*out = def;
		return 0;
	}
	if (err == -FDT_ERR_BADVALUE || (!err && (v < (u32)min || v > 2)))
		return -FDT_ERR_BADCELLS;
	if (err)
		return err;
	*out = (int)v;
	return 0;
}

int fdt_child_cells(const struct fdt *f, int node, int *addr_cells, int *size_cells)
{
	int ac, sc, err;

	err = read_cells(f, node, "#address-cells", 2, 1, &ac);
	if (!err)
		err = read_cells(f, node, "#size-cells", 1, 0, &sc);
	if (err)
		return err;
	*addr_cells = ac;
	*size_cells = sc;
	return 0;
}

int fdt_read_reg(const struct fdt *f, int node, int addr_cells, int size_cells,
		 int index, u64 *addr, u64 *size)
{
	int len, entry;
	const u8 *reg;

	if (addr_cells < 1 || addr_cells > 2 || size_cells < 0 || size_cells > 2)
		return -FDT_ERR_BADCELLS;
	entry = (addr_cells + size_cells) * 4;
	reg = fdt_getprop(f, node, "reg", &len);
	if (!reg)
		return len;
	if (len == 0 || len % entry != 0)
		return -FDT_ERR_BADVALUE;
	if (index < 0 || index >= len / entry)
		return -FDT_ERR_NOTFOUND;
	reg += index * entry;
	*addr = fdt_cells_ld(reg, addr_cells);
	*size = size_cells ? fdt_cells_ld(reg + addr_cells * 4, size_cells) : 0;
	return 0;
}

int fdt_reg(const struct fdt *f, int node, int index, u64 *addr, u64 *size)
{
	int parent = fdt_parent(f, node);
	int ac = 2, sc = 1, err;

	if (parent >= 0) {
		err = fdt_child_cells(f, parent, &ac, &sc);
		if (err)
			return err;
	} else if (parent != -FDT_ERR_NOTFOUND) {
		return parent;
	}
	return fdt_read_reg(f, node, ac, sc, index, addr, size);
}

/* ---- mem-reserve map ----------------------------------------------------- */

int fdt_mem_rsv(const struct fdt *f, int index, u64 *addr, u64 *size)
{
	u32 pos = f->off_rsvmap;
	int i;

	if (index < 0)
		return -FDT_ERR_NOTFOUND;
	for (i = 0;; i++, pos += RSV_ENTRY_SIZE) {
		u64 a, s;

		if (pos < f->off_rsvmap || f->totalsize < RSV_ENTRY_SIZE ||
		    pos > f->totalsize - RSV_ENTRY_SIZE)
			return -FDT_ERR_BADOFFSET;
		a = fdt64_ld(f->blob + pos);
		s = fdt64_ld(f->blob + pos + 8);
		if (a == 0 && s == 0)
			return -FDT_ERR_NOTFOUND;
		if (i == index) {
			*addr = a;
			*size = s;
			return 0;
		}
	}
}
