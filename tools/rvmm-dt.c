/*
 * rvmm-dt.c - a board owner's preflight: what rvmm would make of a device
 * tree (DTB), shown on the host without booting it.
 *
 *   rvmm-dt [options] FILE.dtb       (rvmm-dt --help lists the options)
 *
 * It runs the kernel's own portable code on the blob, in the order the boot
 * does, so every line the boot log also has reads the same:
 *   dt_parse             every "dt: warning:" line, or the refusal;
 *   console_select       the console UART, or why not, and the one a
 *                          console= among the bootargs moves to;
 *   dt_reserve_kernel,   the memory map ("Early memory node ranges",
 *   dt_reserve_null_page,  "Reserved memory:"), with the ranges given to
 *   dt_place_dynamic,      dynamic /reserved-memory nodes, and the null
 *   dt_print_memmap        page when RAM starts at 0;
 *   memblock_from_dt,    the checks that stop the boot, the zones
 *   node_layout,           ("Zone ranges:") with spanned and present
 *   node_plan_boot_data,   pages, laid out from the ranges alone, and
 *   print_zone_ranges      where node_init's struct pages would go
 *                          ("memmap:"), or its panic when they cannot;
 *   dt_cpu_down_reason   each hart left down and why.
 * What only the running kernel can know is assumed and said so: where the
 * firmware puts the DTB (--dtb-at), where the kernel image lies and its size
 * (--kernel-at; else where U-Boot's booti puts it, the first RAM range's base
 * + the Image header's text_offset, with the size read from rvmm.elf beside
 * this program), and which hart boots (--boot-hart).
 *
 * Exit status: 0 rvmm would boot (the last line counts the warnings), 1 it
 * would stop, with the kernel's panic message, 2 a usage error or a file
 * that is not a device tree.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lib/cmdline.h>
#include <drivers/console.h>
#include <drivers/devicetree.h>
#include <mm/memblock.h>
#include <mm/mm_init.h>
#include <mm/mmzone.h>

#define MiB (1ull << 20)
#define KERNEL_TEXT_OFFSET (2 * MiB)   /* the Image header's text_offset (boot/entry.S) */
#define KERNEL_DEFAULT_SIZE (2 * MiB)  /* when no kernel image is found */
#define DEFAULT_TIMEBASE_HZ 10000000u  /* what rvmm assumes without one */
#define IMAGE_HEADER_SIZE 64
#define MAX_DTB_FILE (64 * MiB)
#define MAX_MEMORY_BANKS 8             /* --memory options */

struct options {
	const char *dtb_file;
	const char *kernel_file; /* NULL: rvmm.elf beside this program */
	bool dtb_at_given, kernel_at_given, boot_hart_given;
	u64 dtb_at;
	u64 kernel_base, kernel_size;
	u64 boot_hart;
	const char *param[3]; /* a kernel parameter word given, by its slot in kernel_params[] */
	struct dt_range memory[MAX_MEMORY_BANKS]; /* --memory, in the order given */
	int nr_memory;
	const char *save_dtb; /* --save-dtb FILE, or NULL */
};

/* The kernel parameters this tool acts on, from the tree's bootargs or its
 * own arguments (which win): the word ("name=" for one with a value, or a
 * bare word), the slot of struct options' param[] that holds it when given
 * (words that set the same thing share one), and what a bad value is not. */
static const struct {
	const char *name;
	unsigned int slot;
	const char *not;
} kernel_params[] = {
	{ "zone_dma_limit=", 0, "an address" },
	{ "mem=", 1, "a size of at least a page" },
	{ "maxcpus=", 2, "a number" },
	{ "nr_cpus=", 2, "a number" },
	{ "nosmp", 2, "a number" },
};

/* Does the word at @p (up to a space) set parameter @name? */
static bool word_sets(const char *p, const char *name)
{
	size_t n = strlen(name), len = strcspn(p, " ");

	return name[n - 1] == '=' ? strncmp(p, name, n) == 0 : len == n && strncmp(p, name, n) == 0;
}

/* The kernel_params[] entry the word at @p sets, or -1. */
static int kernel_param_of(const char *p)
{
	for (size_t i = 0; i < sizeof(kernel_params) / sizeof(kernel_params[0]); i++)
		if (word_sets(p, kernel_params[i].name))
			return (int)i;
	return -1;
}

/* Where the kernel image is taken to lie, and where that came from. Unless
 * base_given, base is an offset from the first RAM range's base (the
 * Image's text_offset) until place_kernel makes it an address. */
struct kernel_image {
	u64 base, size;
	bool base_given;
	char placed[64]; /* how base was chosen, unless base_given */
	char source[600];
};

static int warnings; /* dt_parse's, plus the boot problems found below */

static void __noreturn usage_error(const char *fmt, ...) __printf(1, 2);

static void __noreturn usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("rvmm-dt: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(rvmm-dt --help for usage)\n", stderr);
	exit(2);
}

static void print_help(void)
{
	puts("usage: rvmm-dt [options] FILE.dtb\n"
	     "Prints what rvmm would make of the device tree FILE.dtb: warnings, console,\n"
	     "timer and IPI devices, memory map, zones and harts, as its boot log shows them.\n"
	     "Exit status: 0 rvmm would boot, 1 it would refuse the tree, 2 usage error.\n"
	     "\n"
	     "  --dtb-at ADDR          where the firmware puts the DTB (default: where QEMU\n"
	     "                         would, 2 MiB aligned below the top of RAM or 3 GiB)\n"
	     "  --kernel-at ADDR SIZE  the kernel image's place and size (default: where booti\n"
	     "                         puts it, the first RAM range's base + 0x200000, and the\n"
	     "                         size of rvmm.elf beside this program, else 2 MiB)\n"
	     "  --kernel FILE          take the size (and text_offset) from this rvmm.elf or Image\n"
	     "  --boot-hart N          the hart that boots rvmm (default: the first usable one)\n"
	     "  --memory ADDR SIZE     RAM as the boot loader reports it: the tree's memory nodes\n"
	     "                         are replaced by one node with this range (repeat it for\n"
	     "                         more banks), as U-Boot writes /memory on boards whose\n"
	     "                         tree has none (Allwinner D1, Sophgo SG2042)\n"
	     "  --save-dtb FILE        write the tree read (with --memory's node) to FILE, for\n"
	     "                         dtc -I dtb or QEMU's -dtb\n"
	     "  zone_dma_limit=ADDR    as the kernel parameter (overrides the tree's bootargs)\n"
	     "  mem=SIZE               as the kernel parameter: only the lowest SIZE bytes of RAM\n"
	     "                         (overrides the tree's bootargs)\n"
	     "  maxcpus=N, nr_cpus=N, nosmp\n"
	     "                         as the kernel parameters: at most N harts up (overrides the\n"
	     "                         tree's bootargs)\n"
	     "ADDR and SIZE are decimal or 0x hex, optionally with K, M or G.");
}

static u64 parse_number(const char *opt, const char *s)
{
	u64 v;

	if (!s)
		usage_error("%s needs a value", opt);
	if (memparse(s, &v))
		usage_error("%s: '%s' is not a number", opt, s);
	return v;
}

/* The argument after argv[*i] (then *i moves on to it), or NULL. */
static const char *next_arg(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static void parse_args(int argc, char **argv, struct options *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			print_help();
			exit(0);
		} else if (strcmp(a, "--dtb-at") == 0) {
			o->dtb_at = parse_number(a, next_arg(argc, argv, &i));
			o->dtb_at_given = true;
		} else if (strcmp(a, "--kernel-at") == 0) {
			o->kernel_base = parse_number(a, next_arg(argc, argv, &i));
			o->kernel_size = parse_number(a, next_arg(argc, argv, &i));
			o->kernel_at_given = true;
		} else if (strcmp(a, "--kernel") == 0) {
			o->kernel_file = next_arg(argc, argv, &i);
			if (!o->kernel_file)
				usage_error("--kernel needs a file");
		} else if (strcmp(a, "--memory") == 0) {
			struct dt_range *m = &o->memory[o->nr_memory];

			if (o->nr_memory == MAX_MEMORY_BANKS)
				usage_error("--memory: at most %d banks", MAX_MEMORY_BANKS);
			m->base = parse_number(a, next_arg(argc, argv, &i));
			m->size = parse_number(a, next_arg(argc, argv, &i));
			if (m->size == 0 || m->base + m->size <= m->base)
				usage_error("--memory: the size must be above 0 and the range must not wrap");
			o->nr_memory++;
		} else if (strcmp(a, "--save-dtb") == 0) {
			o->save_dtb = next_arg(argc, argv, &i);
			if (!o->save_dtb)
				usage_error("--save-dtb needs a file");
		} else if (strcmp(a, "--boot-hart") == 0) {
			o->boot_hart = parse_number(a, next_arg(argc, argv, &i));
			o->boot_hart_given = true;
		} else if (kernel_param_of(a) >= 0) {
			o->param[kernel_params[kernel_param_of(a)].slot] = a;
		} else if (a[0] == '-' && a[1]) {
			usage_error("unknown option %s", a);
		} else if (o->dtb_file) {
			usage_error("one device tree at a time (%s and %s)", o->dtb_file, a);
		} else {
			o->dtb_file = a;
		}
	}
	if (!o->dtb_file)
		usage_error("no device tree file given");
	if (o->kernel_at_given &&
	    (o->kernel_size == 0 || o->kernel_base + o->kernel_size <= o->kernel_base))
		usage_error("--kernel-at: the size must be above 0 and the range must not wrap");
}

/* ---- input files --------------------------------------------------------- */

/* The whole of @path, malloc'ed; NULL with errno set on failure. */
static u8 *read_file(const char *path, size_t limit, size_t *size)
{
	FILE *f = fopen(path, "rb");
	u8 *buf;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return NULL;
	}
	if ((size_t)n > limit) {
		fclose(f);
		errno = EFBIG;
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
		errno = EIO;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

static u64 le64(const u8 *p)
{
	u64 v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Is @hdr rvmm's Linux RISC-V Image header? Then its image_size (the
 * kernel from _start to _end, .bss included) is the size to reserve, and
 * its text_offset how far above the RAM base booti puts it. */
static bool image_header_size(const u8 *hdr, struct kernel_image *k)
{
	if (memcmp(hdr + 0x38, "RSC\x05", 4) != 0)
		return false;
	k->base = le64(hdr + 0x08);
	k->size = le64(hdr + 0x10);
	return k->size != 0;
}

/* The loadable segment of an ELF64 rvmm.elf that starts the image. */
static const Elf64_Phdr *first_load_segment(const u8 *elf, size_t size)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf;
	const Elf64_Phdr *best = NULL;

	if (size < sizeof(*eh) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > size ||
	    (size - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum)
		return NULL;
	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(elf + eh->e_phoff) + i;

		if (ph->p_type == PT_LOAD && (!best || ph->p_paddr < best->p_paddr))
			best = ph;
	}
	return best;
}

/* Size and text_offset of the rvmm image in @path (rvmm.elf or Image),
 * named @shown in the output. The kernel runs wherever it is loaded, so the
 * ELF's own load address says nothing of where booti would put it. */
static bool kernel_from_file(const char *path, const char *shown, struct kernel_image *k)
{
	size_t size;
	u8 *buf = read_file(path, 256 * MiB, &size);
	const Elf64_Phdr *ph;
	bool ok = false;

	if (!buf)
		return false;
	if (size >= 4 && memcmp(buf, ELFMAG, SELFMAG) == 0) {
		ph = first_load_segment(buf, size);
		ok = ph && ph->p_offset <= size && size - ph->p_offset >= IMAGE_HEADER_SIZE &&
		     image_header_size(buf + ph->p_offset, k);
	} else {
		ok = size >= IMAGE_HEADER_SIZE && image_header_size(buf, k);
	}
	free(buf);
	if (ok)
		snprintf(k->source, sizeof(k->source), "size from %s", shown);
	return ok;
}

/* rvmm.elf in the directory this program lives in (build/). */
static bool default_kernel_path(char *path, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", path, size - 1);
	char *slash;

	if (n <= 0)
		return false;
	path[n] = '\0';
	slash = strrchr(path, '/');
	if (!slash || (size_t)(slash - path) + sizeof("/rvmm.elf") > size)
		return false;
	strcpy(slash, "/rvmm.elf");
	return access(path, R_OK) == 0;
}

static void find_kernel(const struct options *o, struct kernel_image *k)
{
	char path[512];

	if (o->kernel_at_given) {
		k->base = o->kernel_base;
		k->size = o->kernel_size;
		k->base_given = true;
		snprintf(k->source, sizeof(k->source), "--kernel-at");
		return;
	}
	if (o->kernel_file) {
		if (!kernel_from_file(o->kernel_file, o->kernel_file, k))
			usage_error("%s: not an rvmm.elf or Image (no RISC-V Image header)",
				    o->kernel_file);
		return;
	}
	if (default_kernel_path(path, sizeof(path)) &&
	    kernel_from_file(path, "rvmm.elf beside rvmm-dt", k))
		return;
	k->base = KERNEL_TEXT_OFFSET;
	k->size = KERNEL_DEFAULT_SIZE;
	snprintf(k->source, sizeof(k->source),
		 "assumed: no rvmm.elf beside rvmm-dt; --kernel-at ADDR SIZE or --kernel FILE");
}

/* ---- the device tree ----------------------------------------------------- */

/*
 * Where QEMU puts the DTB in RAM range @r (OpenSBI's fw_dynamic then passes
 * it on in place): 2 MiB aligned, as high as it fits below the end of the
 * range or 3 GiB, whichever is lower. False when the range holds no such
 * place: smaller than the blob, or no 2 MiB boundary in it with room for
 * the blob above (ALIGN_DOWN would land below the range's base).
 */
static bool qemu_dtb_place(const struct dt_range *r, u64 size, u64 *addr)
{
	const u64 limit = 3072 * MiB;
	u64 end = r->base + r->size;
	u64 top = r->base < limit ? MIN(end, limit) : end;

	if (top - r->base < size)
		return false;
	*addr = ALIGN_DOWN(top - size, 2 * MiB);
	return *addr >= r->base;
}

/* The first RAM range that holds QEMU's place for the blob (QEMU takes the
 * first, which on its machines always does), its index; -1 when none does. */
static int qemu_dtb_range(const struct dt_info *dt, u64 *addr)
{
	for (int i = 0; i < dt->nr_ram; i++)
		if (qemu_dtb_place(&dt->ram[i], dt->fdt.totalsize, addr))
			return i;
	return -1;
}

/* Put the "dtb" range dt_parse recorded at 0 at @addr instead. */
static void move_dtb_range(struct dt_info *dt, u64 addr)
{
	for (int i = 0; i < dt->nr_reserved; i++) {
		const struct dt_reserved *r = &dt->reserved[i];

		if (r->base != 0 || r->size != dt->fdt.totalsize || strcmp(r->reason, "dtb") != 0)
			continue;
		memmove(&dt->reserved[i], &dt->reserved[i + 1],
			(size_t)(dt->nr_reserved - i - 1) * sizeof(dt->reserved[0]));
		dt->nr_reserved--;
		break;
	}
	dt->dtb_phys = addr;
	if (dt_add_reserved(dt, addr, dt->fdt.totalsize, "dtb", false))
		dt_panic_unusable(addr, -FDT_ERR_BADRANGE, NULL);
}

/*
 * Parse the blob as the boot does, bounded by the header's totalsize (the
 * file holds at least that much: load_dtb). Without --dtb-at the blob is
 * parsed at 0 and its range moved to where QEMU would have put it, since
 * that depends on the RAM the tree describes.
 */
static void parse_tree(const struct options *o, const u8 *blob, struct dt_info *dt)
{
	size_t bufsize = (size_t)fdt_header_totalsize(blob);
	int rc = dt_parse(dt, blob, bufsize, o->dtb_at_given ? o->dtb_at : 0), ri;
	u64 addr = 0;

	if (rc) {
		if (!o->dtb_at_given)
			kprintf("dtb: at an address the firmware chooses (--dtb-at ADDR): 0 below\n");
		if (rc == -FDT_ERR_NOMEMORY)
			kprintf("rvmm-dt: on boards whose tree has no RAM the boot loader writes /memory: "
				"--memory ADDR SIZE stands for it\n");
		dt_panic_unusable(o->dtb_at_given ? o->dtb_at : 0, rc, dt->error);
	}
	warnings += dt->nr_warnings;
	if (o->dtb_at_given) {
		kprintf("dtb: at %#llx (--dtb-at)\n", (unsigned long long)o->dtb_at);
		return;
	}
	ri = qemu_dtb_range(dt, &addr);
	move_dtb_range(dt, ri < 0 ? 0 : addr);
	if (ri == 0)
		kprintf("dtb: at %#llx, assumed: where QEMU puts it; firmware may choose another "
			"place (--dtb-at ADDR)\n", (unsigned long long)dt->dtb_phys);
	else if (ri > 0)
		kprintf("dtb: at %#llx, assumed: where QEMU puts it, in RAM range %d (the first has no "
			"2 MiB boundary with room for it); firmware may choose another place (--dtb-at ADDR)\n",
			(unsigned long long)dt->dtb_phys, ri);
	else
		kprintf("dtb: at 0, assumed: no RAM range has a 2 MiB boundary with room for it, where "
			"QEMU would put it; firmware chooses the place (--dtb-at ADDR)\n");
}

static u8 *load_dtb(const char *path, size_t *size)
{
	u8 *blob = read_file(path, MAX_DTB_FILE, size);

	if (!blob)
		usage_error("%s: %s", path, strerror(errno));
	if (*size < FDT_HEADER_SIZE || fdt_header_totalsize(blob) < 0)
		usage_error("%s: not a device tree blob (no 0xd00dfeed magic in a 40-byte header)%s",
			    path, *size >= 4 && memcmp(blob, "/dts", 4) == 0 ?
				  "; it looks like source: compile it with dtc -O dtb" : "");
	if ((size_t)fdt_header_totalsize(blob) > *size)
		usage_error("%s: cut short: %zu bytes, but its header says %ld (totalsize)", path,
			    *size, fdt_header_totalsize(blob));
	return blob;
}

/* ---- --memory: the memory node a boot loader writes ----------------------- */

/* A growing output blob. */
struct blob_out {
	u8 *p;
	size_t len, cap;
};

static void out_bytes(struct blob_out *b, const void *src, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			usage_error("out of memory");
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void put_be32(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 24);
	p[1] = (u8)(v >> 16);
	p[2] = (u8)(v >> 8);
	p[3] = (u8)v;
}

static void out_be32(struct blob_out *b, u32 v)
{
	u8 c[4];

	put_be32(c, v);
	out_bytes(b, c, 4);
}

static void out_pad4(struct blob_out *b)
{
	static const u8 zero[4];

	out_bytes(b, zero, (4 - b->len % 4) % 4);
}

/* @v as @cells big-endian cells; false when it does not fit them. */
static bool out_cells(struct blob_out *b, u64 v, int cells)
{
	if (cells == 1 && v >> 32)
		return false;
	if (cells == 2)
		out_be32(b, (u32)(v >> 32));
	out_be32(b, (u32)v);
	return true;
}

/* The structure-block offset of each root child whose device_type is
 * "memory" (okay or not), into @offs; their number. */
static int memory_nodes(const struct fdt *f, int *offs, int max)
{
	int n = 0;

	for (int node = fdt_first_subnode(f, 0); node >= 0; node = fdt_next_subnode(f, node)) {
		if (!fdt_prop_equals(f, node, "device_type", "memory"))
			continue;
		if (n == max)
			usage_error("--memory: the tree has more than %d memory nodes", max);
		offs[n++] = node;
	}
	return n;
}

/* The node the boot loader writes: memory@BASE with device_type and reg
 * (@o's banks in the root's cells @ac/@sc); @strings_off is where
 * "device_type\0reg\0" starts in the new strings block. */
static void out_memory_node(struct blob_out *b, const struct options *o, int ac, int sc,
			    u32 strings_off)
{
	char name[32];

	snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)o->memory[0].base);
	out_be32(b, FDT_BEGIN_NODE);
	out_bytes(b, name, strlen(name) + 1);
	out_pad4(b);
	out_be32(b, FDT_PROP);
	out_be32(b, 7);
	out_be32(b, strings_off);
	out_bytes(b, "memory", 7);
	out_pad4(b);
	out_be32(b, FDT_PROP);
	out_be32(b, (u32)(o->nr_memory * (ac + sc) * 4));
	out_be32(b, strings_off + 12);
	for (int i = 0; i < o->nr_memory; i++)
		if (!out_cells(b, o->memory[i].base, ac) || !out_cells(b, o->memory[i].size, sc))
			usage_error("--memory: [%#llx, +%#llx) does not fit the root's #address-cells %d / "
				    "#size-cells %d", (unsigned long long)o->memory[i].base,
				    (unsigned long long)o->memory[i].size, ac, sc);
	out_be32(b, FDT_END_NODE);
}

/*
 * @blob with its memory nodes replaced by one holding @o's --memory banks,
 * as a boot loader rewrites the tree it hands over (U-Boot's
 * fdt_fixup_memory_banks): a new blob, malloc'ed, the header, mem-reserve
 * block and strings copied, the structure block copied less the memory
 * nodes, the new node last among the root's children. @blob is valid
 * (fdt_open); the caller frees both.
 */
static u8 *with_memory(const u8 *blob, const struct options *o)
{
	struct fdt f;
	int offs[DT_MAX_RAM], nr, ac, sc, depth = 0, skip_to = -1, tok, next;
	struct blob_out b = { 0 };
	u32 off_rsv, off_struct, off_strings, strings_off;
	const u8 *rsv;

	if (fdt_open(&f, blob, (size_t)fdt_header_totalsize(blob)) ||
	    fdt_child_cells(&f, 0, &ac, &sc))
		return NULL; /* dt_parse says why */
	nr = memory_nodes(&f, offs, DT_MAX_RAM);
	out_bytes(&b, blob, FDT_HEADER_SIZE);
	off_rsv = (u32)b.len;
	rsv = blob + f.off_rsvmap;
	for (;; rsv += 16) { /* entries up to and with the all-zero one */
		out_bytes(&b, rsv, 16);
		if (fdt64_ld(rsv) == 0 && fdt64_ld(rsv + 8) == 0)
			break;
	}
	off_struct = (u32)b.len;
	strings_off = f.size_strings;
	for (int off = 0; (tok = fdt_next_tag(&f, off, &next)) > 0; off = next) {
		if (tok == FDT_BEGIN_NODE) {
			depth++;
			for (int i = 0; i < nr && skip_to < 0; i++)
				if (offs[i] == off)
					skip_to = depth - 1;
		} else if (tok == FDT_END_NODE) {
			depth--;
			if (depth == skip_to) {
				skip_to = -1;
				continue;
			}
			if (depth == 0 && skip_to < 0)
				out_memory_node(&b, o, ac, sc, strings_off);
		}
		if (skip_to < 0)
			out_bytes(&b, blob + f.off_struct + off, (size_t)(next - off));
		if (tok == FDT_END)
			break;
	}
	off_strings = (u32)b.len;
	out_bytes(&b, blob + f.off_strings, f.size_strings);
	out_bytes(&b, "device_type\0reg", 16);
	{
		const u32 fields[10] = { FDT_MAGIC, (u32)b.len, off_struct, off_strings, off_rsv, 17, 16,
					 f.boot_cpuid, f.size_strings + 16, off_strings - off_struct };

		for (int i = 0; i < 10; i++)
			put_be32(b.p + 4 * i, fields[i]);
	}
	kprintf("memory: --memory: %d memory node(s) of the tree replaced by memory@%llx, as a boot "
		"loader writes it\n", nr, (unsigned long long)o->memory[0].base);
	return b.p;
}

/* --save-dtb: the blob (its header's totalsize) into @path. */
static void save_dtb(const char *path, const u8 *blob)
{
	FILE *f = fopen(path, "wb");
	size_t n = (size_t)fdt_header_totalsize(blob);

	if (!f || fwrite(blob, 1, n, f) != n || fclose(f))
		usage_error("--save-dtb %s: %s", path, strerror(errno));
	kprintf("rvmm-dt: the tree read written to %s (%zu bytes)\n", path, n);
}

/* ---- what the boot does with it ------------------------------------------ */

/* The console the boot picks from the tree, into @c. */
static void show_console(const struct dt_info *dt, struct console_choice *c)
{
	console_select(dt, c);
	if (!c->driver) {
		warnings++;
		kprintf("console: SBI console (the firmware's putchar)\n");
		return;
	}
	if (!c->from_stdout_path)
		warnings++;
	kprintf("console: %s (%s at %#lx), %s \"%s\"%s\n", c->con.name, c->driver->compatible,
		c->con.base, c->from_stdout_path ? "named by stdout-path" : "not stdout-path",
		dt->stdout_path, c->from_stdout_path && dt->stdout_path[0] != '/' ? ", an alias" : "");
}

static void show_time(const struct dt_info *dt)
{
	if (dt->timebase_frequency) {
		kprintf("time: timebase-frequency %u Hz\n", dt->timebase_frequency);
	} else {
		warnings++;
		kprintf("time: no timebase-frequency in the device tree, assuming %u Hz\n",
			DEFAULT_TIMEBASE_HZ);
	}
	if (dt->timer_dev[0] && dt->ipi_dev[0]) {
		kprintf("timer: %s, IPI: %s (the devices OpenSBI drives them with)\n",
			dt->timer_dev, dt->ipi_dev);
		return;
	}
	warnings++;
	if (!dt->timer_dev[0] && !dt->ipi_dev[0])
		kprintf("timer, IPI: no device (no CLINT or ACLINT node): OpenSBI given this tree gets no "
			"timer (time does not advance) and no IPIs, so rvmm runs on the boot hart only "
			"(firmware booted from a tree of its own, as U-Boot SPL's on the HiFive boards, "
			"has them: rvmm probes both at boot)\n");
	else if (!dt->timer_dev[0])
		kprintf("timer: no device (no CLINT or ACLINT mtimer node): OpenSBI given this tree gets no timer, so time does not advance; IPI: %s\n",
			dt->ipi_dev);
	else
		kprintf("timer: %s; IPI: no device (no CLINT or ACLINT mswi node): OpenSBI given this tree delivers no IPIs, so rvmm runs on the boot hart only\n",
			dt->timer_dev);
}

/* A parameter word (zone_dma_limit=ADDR, mem=SIZE, ...) through the
 * kernel's own parser and setter. Returns the problems cmdline_parse found (each
 * printed). */
static int apply_param(const char *word, size_t len)
{
	char buf[128];

	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, word, len);
	buf[len] = '\0';
	return cmdline_parse(buf);
}

/* The boot command line, and the parameters of it this tool acts on
 * (kernel_params[]: the ones given to rvmm-dt win). */
static void show_cmdline(const struct options *o, const struct dt_info *dt)
{
	const char *p = dt->bootargs;

	kprintf("Kernel command line: %s\n", dt->bootargs);
	for (; *p; p++)
		if ((p == dt->bootargs || p[-1] == ' ') && kernel_param_of(p) >= 0)
			warnings += apply_param(p, strcspn(p, " "));
	for (size_t i = 0; i < sizeof(o->param) / sizeof(o->param[0]); i++) {
		const char *w = o->param[i];

		if (w && apply_param(w, strlen(w)))
			usage_error("%s: not %s", w, kernel_params[kernel_param_of(w)].not);
	}
}

/* A console= in the bootargs (the last one, as the kernel takes it): the
 * console the kernel moves to after the command line from @now (what
 * show_console found), in its words. */
static void show_console_param(const struct dt_info *dt, const struct console_choice *now)
{
	const char *p = dt->bootargs, *last = NULL;
	struct console_choice c;
	char spec[32];
	size_t len;
	int rc;

	for (; *p; p++)
		if ((p == dt->bootargs || p[-1] == ' ') && strncmp(p, "console=", 8) == 0)
			last = p + 8;
	if (!last)
		return;
	len = strcspn(last, " ");
	snprintf(spec, sizeof(spec), "%.*s", (int)len, last);
	rc = len < sizeof(spec) ? console_select_named(dt, spec, &c) : -EINVAL;
	if (rc == -EINVAL) {
		warnings++;
		kprintf("console: console=%.*s is not a console rvmm knows (ttyS<n>, ttySIF<n>, hvc0)\n",
			(int)len, last);
		return;
	}
	if (rc) {
		warnings++;
		kprintf("console: console=%s names no UART of this machine: staying on %s\n", spec,
			now->driver ? now->con.name : "sbi");
	} else if (c.con.base == now->con.base) { /* (SBI's: base 0 on both sides) */
		return; /* already the console: the kernel says nothing */
	} else if (!c.driver) {
		kprintf("console: console=%s: moving to the SBI console\n", spec);
	} else {
		kprintf("console: console=%s: moving to %s (%s at %#lx)\n", spec, c.con.name,
			c.driver->compatible, c.con.base);
	}
}

/* The initrd, and whether its pages can be released once it is used. */
static void show_initrd(const struct dt_info *dt)
{
	const struct dt_reserved *r = dt_initrd_overlap(dt);

	if (!dt->has_initrd) {
		kprintf("initrd: none\n");
		return;
	}
	kprintf("initrd: [mem 0x%016llx-0x%016llx], %llu bytes\n",
		(unsigned long long)dt->initrd_start, (unsigned long long)dt->initrd_end - 1,
		(unsigned long long)(dt->initrd_end - dt->initrd_start));
	if (!r)
		return;
	warnings++;
	kprintf("initrd: overlaps reserved range %s [mem 0x%016llx-0x%016llx]: its pages would stay reserved after use\n",
		r->reason, (unsigned long long)r->base, (unsigned long long)(r->base + r->size - 1));
}

static void show_chosen(const struct dt_info *dt)
{
	show_initrd(dt);
	if (dt->rng_seed_len)
		kprintf("rng-seed: /chosen/%s, %u bytes used\n", dt->rng_seed_name, dt->rng_seed_len);
	else
		kprintf("rng-seed: none: rvmm seeds its random numbers from the counters only (predictable)\n");
}

/* A tree without OpenSBI's range is one the firmware has not seen yet:
 * OpenSBI adds /reserved-memory/mmode_resv0 before rvmm reads it. */
static bool has_firmware_range(const struct dt_info *dt)
{
	for (int i = 0; i < dt->nr_reserved; i++)
		if (strncmp(dt->reserved[i].reason, "mmode_resv", 10) == 0)
			return true;
	return false;
}

/* The tree's reserved ranges against DT_MAX_RESERVED, counting the one
 * OpenSBI will add when the tree does not have it yet; its dynamic ones
 * against DT_MAX_DYNAMIC. */
static void show_reserved_count(const struct dt_info *dt)
{
	kprintf("reserved ranges: %d of the tree (mem-reserve entries and /reserved-memory regs); rvmm's table holds %d\n",
		dt->nr_tree_reserved, DT_MAX_RESERVED);
	if (dt->nr_dynamic)
		kprintf("dynamic reservations: %d of the tree (/reserved-memory nodes with size, no reg); rvmm's table holds %d\n",
			dt->nr_dynamic, DT_MAX_DYNAMIC);
	if (dt->nr_tree_reserved == DT_MAX_RESERVED && !has_firmware_range(dt)) {
		warnings++;
		kprintf("reserved ranges: OpenSBI adds its own (mmode_resv0) to a tree that lacks it: that one would be range %d, and rvmm would refuse the tree\n",
			DT_MAX_RESERVED + 1);
	}
}

/* Where booti puts the image: the first RAM range's base + text_offset.
 * A tree without RAM is refused later (mm_init's check); 0 stands for it. */
static void place_kernel(const struct dt_info *dt, struct kernel_image *k)
{
	if (k->base_given)
		return;
	snprintf(k->placed, sizeof(k->placed), "where booti puts it: RAM base + 0x%llx; ",
		 (unsigned long long)k->base);
	k->base += dt->nr_ram ? dt->ram[0].base : 0;
}

static void show_memory_map(struct dt_info *dt, const struct kernel_image *k)
{
	show_reserved_count(dt);
	dt_apply_mem_limit(dt, k->base, k->base + k->size);
	kprintf("kernel: [mem 0x%016llx-0x%016llx] (%s%s)\n", (unsigned long long)k->base,
		(unsigned long long)(k->base + k->size - 1), k->placed, k->source);
	dt_reserve_kernel(dt, k->base, k->size);
	dt_reserve_null_page(dt);
	warnings += dt_place_dynamic(dt);
	dt_print_memmap(dt);
}

static unsigned long long mib(unsigned long pages)
{
	return (unsigned long long)PFN_PHYS(pages) >> 20;
}

static void show_zones(const struct dt_info *dt, const struct kernel_image *k)
{
	static struct memblock mb;
	static struct pglist_data node;
	struct zone_limits lim;
	bool flat;
	int rc;

	zone_limits_boot(&lim);
	memblock_from_dt(&mb, dt, k->base, k->base + k->size);
	rc = node_layout(&node, &mb, &lim);
	if (!rc)
		rc = node_plan_boot_data(&node, &mb, &flat);
	if (rc)
		node_panic(&node, &mb, rc);
	print_zone_ranges(&node);
	print_memmap_line(&node, &mb, flat);
	kprintf("Zone pages (4 KiB):\n");
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zone *z = &node.zones[zi];

		kprintf("  %-8s spanned %lu, present %lu (%llu MiB)\n", z->name, z->spanned_pages,
			z->present_pages, mib(z->present_pages));
	}
	kprintf("  node 0   present %lu (%llu MiB) in %lu section(s) of 128 MiB%s\n",
		node.node_present_pages, mib(node.node_present_pages), node_ram_sections(&node, &mb),
		zone_dma_limit ? "" : "; no ZONE_DMA without zone_dma_limit=");
}

/* Whether every cpu node of a tree that has some says "no MMU" (mmu-type
 * riscv,none): then whichever hart the firmware starts has none. */
static bool no_cpu_has_mmu(const struct dt_info *dt)
{
	for (int i = 0; i < dt->nr_cpus; i++)
		if (!dt_boot_hart_no_mmu(dt, dt->cpus[i].hartid))
			return false;
	return dt->nr_cpus > 0;
}

/* The kernel's check of the boot hart's own cpu node, right after the
 * tree parsed (dt_check_boot_hart): on the hart given, or on any hart when
 * none has an MMU. */
static void check_boot_hart(const struct options *o, const struct dt_info *dt)
{
	if (o->boot_hart_given) {
		dt_check_boot_hart(dt, o->boot_hart);
	} else if (no_cpu_has_mmu(dt)) {
		kprintf("harts: no cpu node has an MMU: whichever hart boots, hart %llu for one\n",
			(unsigned long long)dt->cpus[0].hartid);
		dt_check_boot_hart(dt, dt->cpus[0].hartid);
	}
}

/* The hart that boots: as given, else the first usable cpu's. */
static bool pick_boot_hart(const struct options *o, const struct dt_info *dt, u64 *hartid)
{
	if (o->boot_hart_given) {
		*hartid = o->boot_hart;
		return true;
	}
	for (int i = 0; i < dt->nr_cpus; i++) {
		if (dt->cpus[i].usable) {
			*hartid = dt->cpus[i].hartid;
			return true;
		}
	}
	return false;
}

static void list_cpus(const struct dt_info *dt, bool known, u64 boot)
{
	if (dt->nr_cpus_unlisted)
		kprintf("cpus: %d cpu node(s), and %d more past rvmm's table (their harts stay down)\n",
			dt->nr_cpus, dt->nr_cpus_unlisted);
	else
		kprintf("cpus: %d cpu node(s)\n", dt->nr_cpus);
	for (int i = 0; i < dt->nr_cpus; i++) {
		const struct dt_cpu *c = &dt->cpus[i];

		kprintf("  hart %llu: mmu-type %s, status %s%s\n", (unsigned long long)c->hartid,
			c->mmu_type[0] ? c->mmu_type : "(none)", c->okay ? "okay" : "not okay",
			known && c->hartid == boot ? " (boot hart)" : "");
	}
}

/* The harts harts_start() would bring up, with its reasons for the rest. */
static void show_harts(const struct options *o, const struct dt_info *dt)
{
	unsigned int up = 1, listed = 0;
	u64 boot = 0;
	bool known = pick_boot_hart(o, dt, &boot);

	list_cpus(dt, known, boot);
	for (int i = 0; i < dt->nr_cpus; i++) {
		const struct dt_cpu *c = &dt->cpus[i];
		const char *why = dt_cpu_down_reason(c, up);

		if (known && c->hartid == boot)
			continue;
		listed += c->usable;
		if (why)
			kprintf("harts: hart %llu left down: %s\n", (unsigned long long)c->hartid, why);
		else
			up++;
	}
	if (!known) {
		kprintf("harts: no usable cpu node: rvmm runs on whichever hart the firmware starts\n");
		return;
	}
	if (!dt->ipi_dev[0])
		up = 1;
	dt_note_unlisted_boot_hart(dt, boot);
	kprintf("harts: %u of %u would come up (boot hart %llu%s)%s\n", up, listed + 1,
		(unsigned long long)boot, o->boot_hart_given ? "" : ", assumed: the first usable one",
		dt->ipi_dev[0] ? "" : ": without an IPI device no other hart starts");
}

int main(int argc, char **argv)
{
	static struct options opts;
	static struct dt_info dt;
	struct kernel_image kernel = { 0 };
	struct console_choice console;
	size_t size;
	u8 *blob;

	parse_args(argc, argv, &opts);
	blob = load_dtb(opts.dtb_file, &size);
	find_kernel(&opts, &kernel);
	kprintf("rvmm-dt: %s: %zu bytes, device tree version %u\n", opts.dtb_file, size,
		fdt32_ld(blob + 20));
	if (opts.nr_memory) {
		u8 *rewritten = with_memory(blob, &opts);

		if (rewritten) {
			free(blob);
			blob = rewritten;
		}
	}
	if (opts.save_dtb)
		save_dtb(opts.save_dtb, blob);
	parse_tree(&opts, blob, &dt);
	place_kernel(&dt, &kernel);
	check_boot_hart(&opts, &dt);
	show_console(&dt, &console);
	show_time(&dt);
	show_cmdline(&opts, &dt);
	show_console_param(&dt, &console);
	show_chosen(&dt);
	show_memory_map(&dt, &kernel);
	show_zones(&dt, &kernel);
	show_harts(&opts, &dt);
	kprintf("rvmm-dt: rvmm would boot with this device tree (%d warning%s)\n", warnings,
		warnings == 1 ? "" : "s");
	free(blob);
	return 0;
}
