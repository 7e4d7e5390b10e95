/*
 * power.h - leaving the machine with a result code.
 *
 * QEMU virt's finisher (a "sifive,test0" node) and QEMU spike's HTIF (a
 * "ucb,htif0" node) exit QEMU with the code; elsewhere SBI SRST shuts down (always exit status 0 in QEMU), falling back
 * to a cold reboot (QEMU -no-reboot exits) where shutdown is unsupported.
 */
#ifndef RVMM_POWER_H
#define RVMM_POWER_H

#include <lib/kernel.h>

/* Exit codes rvmm uses. */
#define EXIT_OK 0
#define EXIT_TESTS_FAILED 1
#define EXIT_PANIC 2
#define EXIT_TRAP 3

struct fdt;

/* The finisher's register (physical), 0 when there is none. */
unsigned long power_finisher_base(void);
/* Stop using the finisher (SBI system reset only from now on), saying why. */
void power_forget_finisher(const char *why);
/* QEMU spike's HTIF tohost register (physical), 0 when there is none; stop
 * using it, saying why. */
unsigned long power_htif_base(void);
void power_forget_htif(const char *why);
/* Find the finisher and HTIF in a validated device tree (both optional). */
void power_init(const struct fdt *f);
void poweroff(int code) __noreturn;
void reboot(void) __noreturn;

#endif
