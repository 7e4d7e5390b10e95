/*
 * dma_cmds.c - dmapools and dmainfo: memory for devices (mm/dma.c).
 */
#include <shell/shell.h>
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
