/*
 * mm_report.h - the memory reports (mm/mm_report.c) and the hook through
 * which each allocator adds its lines to meminfo.
 */
#ifndef RVMM_MM_REPORT_H
#define RVMM_MM_REPORT_H

#ifdef __cplusplus
extern "C" {
#endif

#include <lib/kernel.h>

struct pglist_data;

void show_buddyinfo(const struct pglist_data *node);
/* Linux's /proc/pagetypeinfo with rvmm's two uses (mm/page_alloc.c,
 * "Grouping by use"): per zone, the free blocks of each order in small-use
 * and in general pageblocks (together buddyinfo's row), then how many
 * pageblocks are of each use. Takes each zone's lock while it counts. */
void show_pagetypeinfo(struct pglist_data *node);
void show_zoneinfo(const struct pglist_data *node);
void show_meminfo(const struct pglist_data *node);
/* meminfo's totals in the table procps' free(1) prints, in units of
 * 2^shift bytes (10: KiB, its default). */
void show_free(const struct pglist_data *node, unsigned int shift);
struct slob_heap;
void show_slobinfo(struct slob_heap *h);

/* One meminfo line in Linux's "Name:       N kB" format. show_meminfo
 * calls each allocator's lines in a fixed order (Linux's, then rvmm's own). */
void meminfo_line(const char *name, unsigned long kb);

/* A code address as the reports show it: function+0xoffset, or 0xaddress
 * where there is no symbol table (the host); ksnprintf's return. */
int mm_describe_caller(char *buf, size_t size, unsigned long caller);
/* The physical memory map in /proc/iomem's format from @mb (mm/iomem.c):
 * System RAM and no-map Reserved ranges, the kernel image and memblock's
 * reserved ranges inside RAM. iomem_set_image (mm_init) names the image. */
struct memblock;
struct mm_image;
void show_iomem(const struct memblock *mb);
void iomem_set_image(const struct mm_image *img);
/* What @addr is (mm/mm_whatis.c): the vmalloc area, KFENCE slot, slab
 * object, SLOB heap, page block or reservation it lies in, printed as
 * "whatis: ..." lines. 0, or -ENOENT when no allocator owns it (not RAM, or
 * a vmalloc address in no area). */
int mm_whatis(struct pglist_data *node, u64 addr);
/* Run every allocator's checker (mm/mm_check.c): memblock, @node's zones,
 * each slab cache, the SLOB heaps, vmalloc. Prints one "mmcheck: WHAT ok"
 * line per allocator (or its problems) and a total; returns the number of
 * problems found. Walks every struct page under the zone locks. */
int mm_check(struct pglist_data *node);

#ifdef __cplusplus
}
#endif

#endif
