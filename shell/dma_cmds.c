/*
 * dma_cmds.c - dmapools, dmainfo and cmainfo: memory for devices (mm/dma.c,
 * mm/cma.c).
 */
#include <lib/kstring.h>
#include <shell/shell.h>
#include <mm/cma.h>
#include <mm/dma.h>

static int cmd_dmapools(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	show_dma_pools();
	return 0;
}
SHELL_CMD("dmapools", cmd_dmapools, "",
	  "DMA pools: blocks in use, blocks, block size, pages, device (Linux's pools file)");

static int cmd_dmainfo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	show_dma_coherent();
	return 0;
}
SHELL_CMD("dmainfo", cmd_dmainfo, "",
	  "coherent DMA allocations and streaming mappings: device addresses, size, device, caller");

static int cmd_cmainfo(int argc, char **argv)
{
	bool records = argc > 1 && !strcmp(argv[1], "-a");

	if (argc > 2 || (argc == 2 && !records)) {
		kprintf("usage: cmainfo [-a]\n");
		return -EINVAL;
	}
	show_cma_areas(records);
	return 0;
}
SHELL_CMD("cmainfo", cmd_cmainfo, "[-a]",
	  "contiguous memory areas (cma=, the tree's linux,cma): pages used, peak, largest free run, "
	  "a map; -a: every allocation and its caller");
