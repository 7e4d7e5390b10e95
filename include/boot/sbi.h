/*
 * sbi.h - calls into the SBI firmware (OpenSBI) below the kernel.
 * Return values are the SBI error codes (0 success, negative failure).
 */
#ifndef RVMM_SBI_H
#define RVMM_SBI_H

#include <lib/kernel.h>

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_LEGACY_GETCHAR 0x02
#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494D45
#define SBI_EXT_IPI 0x735049
#define SBI_EXT_RFENCE 0x52464E43
#define SBI_EXT_HSM 0x48534D
#define SBI_EXT_SRST 0x53525354

#define SBI_SUCCESS 0
#define SBI_ERR_FAILED -1
#define SBI_ERR_NOT_SUPPORTED -2
#define SBI_ERR_INVALID_PARAM -3
#define SBI_ERR_DENIED -4
#define SBI_ERR_INVALID_ADDRESS -5
#define SBI_ERR_ALREADY_AVAILABLE -6
#define SBI_ERR_ALREADY_STARTED -7

#define SBI_HSM_STARTED 0
#define SBI_HSM_STOPPED 1
#define SBI_HSM_START_PENDING 2
#define SBI_HSM_STOP_PENDING 3

/* BASE functions giving the hart's machine ids (sbi_base_value). */
#define SBI_BASE_GET_MVENDORID 4
#define SBI_BASE_GET_MARCHID 5
#define SBI_BASE_GET_MIMPID 6

#define SBI_SRST_SHUTDOWN 0
#define SBI_SRST_COLD_REBOOT 1
#define SBI_SRST_REASON_NONE 0
#define SBI_SRST_REASON_FAILURE 1

struct sbiret {
	long error;
	long value;
};

struct sbiret sbi_call(unsigned long ext, unsigned long fid, unsigned long a0,
		       unsigned long a1, unsigned long a2);
/* No SBI firmware below rvmm (it runs in M-mode): from now on every SBI call
 * fails with SBI_ERR_NOT_SUPPORTED without an ecall, the legacy putchar
 * drops its byte and getchar finds none. */
void sbi_mark_absent(void);

void sbi_console_putchar(int c);
/* The value of BASE function @fid (SBI_BASE_GET_MVENDORID, ...), or -1
 * when the firmware gives none. */
long sbi_base_value(unsigned long fid);
/* A byte from the firmware's console, or -1 when none waits (or the
 * firmware has no legacy console). */
int sbi_console_getchar(void);
long sbi_hart_start(unsigned long hartid, unsigned long start_addr, unsigned long opaque);
long sbi_hart_get_status(unsigned long hartid);
/* Stop the calling hart (HSM HART_STOP); returns only with an error. */
long sbi_hart_stop(void);
/* Set this hart's timer (absolute time value); clears a pending timer interrupt. */
void sbi_set_timer(u64 when);
/* Raise a software interrupt on the harts in @mask (bit i = hart base + i). */
long sbi_send_ipi(unsigned long mask, unsigned long base);
long sbi_system_reset(unsigned long type, unsigned long reason);
/* sfence.vma of [start, start+size) on the harts in @mask (RFENCE). */
long sbi_remote_sfence_vma(unsigned long mask, unsigned long base, unsigned long start,
			   unsigned long size);

#endif
