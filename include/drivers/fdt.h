/*
 * fdt.h - a bounds-checked reader for flattened device tree blobs (DTB).
 *
 * The blob is untrusted input: fdt_open() validates the header and walks the
 * whole structure block once (tokens, nesting, name and string termination,
 * property lengths, string offsets), and every later read is still checked
 * against the blob's size. Functions return an offset or value >= 0 on success
 * and a negative FDT_ERR_* code on failure; fdt_strerror() names it.
 *
 * Node and property "offsets" are byte offsets of their tokens inside the
 * structure block, as in libfdt. The root node is at offset 0.
 */
#ifndef RVMM_FDT_H
#define RVMM_FDT_H

#include <lib/kernel.h>

#define FDT_MAGIC 0xd00dfeedu
#define FDT_HEADER_SIZE 40u
#define FDT_MAX_DEPTH 32

/* Error codes, returned negated. */
enum fdt_error {
	FDT_ERR_NOTFOUND = 1, /* no such node or property */
	FDT_ERR_BADMAGIC,     /* header magic is not 0xd00dfeed */
	FDT_ERR_BADVERSION,   /* version < 16, or last_comp_version > 17 */
	FDT_ERR_TRUNCATED,    /* blob shorter than its header or its totalsize */
	FDT_ERR_BADOFFSET,    /* a header offset/size points outside the blob or is misaligned,
			       * or an offset passed in is not a node */
	FDT_ERR_BADSTRUCTURE, /* bad token, unbalanced nodes, no FDT_END, a property
			       * value running past the structure block */
	FDT_ERR_BADSTRING,    /* a name or string runs past the end of its block, or a
			       * property name offset lies outside the strings block */
	FDT_ERR_BADCELLS,     /* #address-cells / #size-cells outside 1..2 (size may be 0 where allowed) */
	FDT_ERR_BADVALUE,     /* a property's length does not fit what it must hold */
	FDT_ERR_NOMEMORY,     /* no usable memory node */
	FDT_ERR_TOOMANY,      /* more entries than rvmm's fixed tables hold */
	FDT_ERR_BADRANGE,     /* a range wraps past 2^64, is empty where it may not be,
			       * or ends before it starts */
	FDT_ERR_DEPTH,        /* nodes nested deeper than FDT_MAX_DEPTH */
	FDT_ERR_MAX
};

const char *fdt_strerror(int err);

/* A validated blob. Fields are host-endian copies of the header. */
struct fdt {
	const u8 *blob;
	u32 totalsize;
	u32 off_struct, size_struct;
	u32 off_strings, size_strings;
	u32 off_rsvmap;
	u32 version;
	u32 boot_cpuid;
};

/* Validate the blob at @blob, of which @bufsize bytes may be read (pass the
 * header's totalsize when the real bound is unknown, e.g. at boot: the header
 * is then checked first). Returns 0 or -FDT_ERR_*; on error *f is zeroed, and
 * every function below fails cleanly on it. Version 16 blobs (no
 * size_dt_struct) are accepted. */
int fdt_open(struct fdt *f, const void *blob, size_t bufsize);

/* The totalsize field of a blob of which at least FDT_HEADER_SIZE bytes are
 * readable, or -FDT_ERR_BADMAGIC. */
long fdt_header_totalsize(const void *blob);

/* Node iteration. fdt_next_node returns the offset of the node after @node in
 * document order and updates *depth (+1 into a child, 0 for a sibling, -n back
 * up; @depth may be NULL), or -FDT_ERR_NOTFOUND at the end. @node = -1 starts
 * the walk: it returns the root and sets *depth to 0. fdt_first_subnode /
 * fdt_next_subnode walk the direct children of a node (-FDT_ERR_NOTFOUND when
 * there are no more). fdt_parent of the root is -FDT_ERR_NOTFOUND. */
int fdt_next_node(const struct fdt *f, int node, int *depth);
int fdt_first_subnode(const struct fdt *f, int node);
int fdt_next_subnode(const struct fdt *f, int node);
int fdt_parent(const struct fdt *f, int node);

/* A node's name ("memory@80000000"; "" for the root). *lenp gets its length. */
const char *fdt_node_name(const struct fdt *f, int node, int *lenp);

/* Find by path ("/", "/chosen", "/soc/serial@10000000"); only the first
 * @pathlen bytes of @path are read. A component without "@unit" also matches
 * a node whose name has one ("/cpus/cpu" is not unique: the first match wins).
 * A path not starting with '/' begins with an alias name from /aliases
 * ("serial0", "serial0/child"). */
int fdt_path_offset(const struct fdt *f, const char *path, size_t pathlen);
int fdt_subnode(const struct fdt *f, int parent, const char *name, size_t namelen);

/* Structure block tokens (the devicetree specification, 5.4.1). */
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE 2u
#define FDT_PROP 3u
#define FDT_NOP 4u
#define FDT_END 9u

/* The token at structure-block offset @off (FDT_BEGIN_NODE ... FDT_END),
 * with *@next the offset of the one after it; -FDT_ERR_BADSTRUCTURE when
 * @off holds no whole token, or the errors of a name or property running
 * out of its block. Walks a blob token by token (rvmm-dt rewrites one). */
int fdt_next_tag(const struct fdt *f, int off, int *next);

/* Property value and length, or NULL with *lenp = -FDT_ERR_*. */
const void *fdt_getprop(const struct fdt *f, int node, const char *name, int *lenp);
/* Is the property exactly the NUL-terminated string @str? */
bool fdt_prop_equals(const struct fdt *f, int node, const char *name, const char *str);
/* One big-endian u32 property. Returns 0 or -FDT_ERR_NOTFOUND / -FDT_ERR_BADVALUE. */
int fdt_getprop_u32(const struct fdt *f, int node, const char *name, u32 *out);
/* Is this NUL-terminated string among the node's "compatible" list? */
bool fdt_is_compatible(const struct fdt *f, int node, const char *compat);
/* First node after @from (-1: from the start) with that compatible string. */
int fdt_find_compatible(const struct fdt *f, int from, const char *compat);
/* status absent, "okay" or "ok". */
bool fdt_node_is_okay(const struct fdt *f, int node);

/* #address-cells / #size-cells a node declares for its children (defaults 2
 * and 1), checked to be 1..2 (size: 0..2). Returns 0 or -FDT_ERR_BADCELLS. */
int fdt_child_cells(const struct fdt *f, int node, int *addr_cells, int *size_cells);
/* Entry @index of @node's "reg", decoded with its parent's cells (the root's
 * reg with the defaults). Returns 0, -FDT_ERR_NOTFOUND past the end or when
 * there is no reg, -FDT_ERR_BADVALUE when reg is empty or not a whole number
 * of entries, or another -FDT_ERR_*. */
int fdt_reg(const struct fdt *f, int node, int index, u64 *addr, u64 *size);
/* The same with cells the caller already knows (address 1..2, size 0..2;
 * *size is 0 when @size_cells is 0). */
int fdt_read_reg(const struct fdt *f, int node, int addr_cells, int size_cells,
		 int index, u64 *addr, u64 *size);

/* Entry @index of the mem-reserve block. Returns 0, or -FDT_ERR_NOTFOUND
 * at the terminating 0/0 entry and past it. */
int fdt_mem_rsv(const struct fdt *f, int index, u64 *addr, u64 *size);

/* Big-endian helpers (also for raw property values). */
static inline u32 fdt32_ld(const void *p)
{
	const u8 *b = p;
	return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}
static inline u64 fdt64_ld(const void *p)
{
	return (u64)fdt32_ld(p) << 32 | fdt32_ld((const u8 *)p + 4);
}
/* A value of @cells (1 or 2) big-endian cells. */
static inline u64 fdt_cells_ld(const void *p, int cells)
{
	return cells == 2 ? fdt64_ld(p) : fdt32_ld(p);
}

#endif
