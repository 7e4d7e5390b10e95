/*
 * vmalloc_cmds.c - vmallocinfo: every vmalloc and vmap area
 * (/proc/vmallocinfo format, mm/vmalloc.c).
 */
#include <shell/shell.h>
#include <mm/vmalloc.h>

static int cmd_vmallocinfo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	show_vmallocinfo();
	return 0;
}
SHELL_CMD("vmallocinfo", cmd_vmallocinfo, "", "vmalloc and vmap areas (/proc/vmallocinfo)");
