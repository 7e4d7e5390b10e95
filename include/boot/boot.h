/*
 * boot.h - what the boot path shares: the parsed device tree and the
 * kernel image's bounds from linker.ld.
 */
#ifndef RVMM_BOOT_H
#define RVMM_BOOT_H

#include <drivers/devicetree.h>

extern char _start[], _etext[], _srodata[], _erodata[], _sdata[];
extern char __bss_start[], __bss_end[], _end[];

/* The device tree as parsed at boot (valid after kmain's dt step). */
extern struct dt_info boot_dt;

void selftest_boot(void);
/* Cut each of @dt's RAM ranges to the part that answers a load, saying so
 * (boot/ram_probe.c). */
void ram_probe(struct dt_info *dt);
void shell_boot_script(void);

#endif
