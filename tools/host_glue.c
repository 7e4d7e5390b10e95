/*
 * host_glue.c - rvmm-dt on the host port (port/host.c): a panic is the
 * kernel refusing the tree. After the port prints the kernel's message,
 * rvmm-dt states its verdict and exits 1 instead of aborting.
 */
#include <stdio.h>
#include <stdlib.h>

#include <mm/port.h>

static void refuse(void)
{
	fputs("rvmm-dt: rvmm would not boot with this device tree\n", stdout);
	fflush(stdout);
	exit(1);
}

__attribute__((constructor)) static void install_verdict(void)
{
	port_host_panic_hook = refuse;
}
