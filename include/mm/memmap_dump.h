/*
 * memmap_dump.h - the `memmap` console command's dump (mm/memmap_dump.c):
 * every page of a node, run-length encoded by state. Kernel only.
 */
#ifndef RVMM_MEMMAP_DUMP_H
#define RVMM_MEMMAP_DUMP_H

#ifdef __cplusplus
extern "C" {
#endif

struct pglist_data;

/* Print the dump of @node ("memmap: ..." lines, docs/memmap.md). */
void memmap_dump(struct pglist_data *node);

#ifdef __cplusplus
}
#endif

#endif
