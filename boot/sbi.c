/*
 * sbi.c - SBI calls: ecall with the extension id in a7 and the function id
 * in a6; error comes back in a0, value in a1.
 */
#include <boot/sbi.h>

/* Set once, by the boot hart before any SBI call, when rvmm runs in M-mode:
 * no SBI firmware lies below it, and an ecall would trap to whatever owns
 * mtvec. */
static bool sbi_absent;

void sbi_mark_absent(void)
{
	sbi_absent = true;
}

struct sbiret sbi_call(unsigned long ext, unsigned long fid, unsigned long a0,
		       unsigned long a1, unsigned long a2)
{
	if (sbi_absent)
		return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
	register unsigned long r_a0 __asm__("a0") = a0;
	register unsigned long r_a1 __asm__("a1") = a1;
	register unsigned long r_a2 __asm__("a2") = a2;
	register unsigned long r_a6 __asm__("a6") = fid;
	register unsigned long r_a7 __asm__("a7") = ext;

	__asm__ volatile("ecall"
			 : "+r"(r_a0), "+r"(r_a1)
			 : "r"(r_a2), "r"(r_a6), "r"(r_a7)
			 : "memory");
	return (struct sbiret){ (long)r_a0, (long)r_a1 };
}

long sbi_base_value(unsigned long fid)
{
	struct sbiret r = sbi_call(SBI_EXT_BASE, fid, 0, 0, 0);

	return r.error ? -1 : r.value;
}

void sbi_console_putchar(int c)
{
	sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (unsigned long)c, 0, 0);
}

int sbi_console_getchar(void)
{
	long c = sbi_call(SBI_EXT_LEGACY_GETCHAR, 0, 0, 0, 0).error; /* legacy: the value in a0 */

	return c >= 0 && c <= 0xff ? (int)c : -1;
}

long sbi_hart_start(unsigned long hartid, unsigned long start_addr, unsigned long opaque)
{
	return sbi_call(SBI_EXT_HSM, 0, hartid, start_addr, opaque).error;
}

long sbi_hart_stop(void)
{
	return sbi_call(SBI_EXT_HSM, 1, 0, 0, 0).error; /* returns only on failure */
}

long sbi_hart_get_status(unsigned long hartid)
{
	struct sbiret r = sbi_call(SBI_EXT_HSM, 2, hartid, 0, 0);
	return r.error ? r.error : r.value;
}

void sbi_set_timer(u64 when)
{
	sbi_call(SBI_EXT_TIME, 0, when, 0, 0);
}

long sbi_send_ipi(unsigned long mask, unsigned long base)
{
	return sbi_call(SBI_EXT_IPI, 0, mask, base, 0).error;
}

long sbi_system_reset(unsigned long type, unsigned long reason)
{
	return sbi_call(SBI_EXT_SRST, 0, type, reason, 0).error;
}

long sbi_remote_sfence_vma(unsigned long mask, unsigned long base, unsigned long start,
			   unsigned long size)
{
	if (sbi_absent)
		return SBI_ERR_NOT_SUPPORTED;
	register unsigned long r_a0 __asm__("a0") = mask;
	register unsigned long r_a1 __asm__("a1") = base;
	register unsigned long r_a2 __asm__("a2") = start;
	register unsigned long r_a3 __asm__("a3") = size;
	register unsigned long r_a6 __asm__("a6") = 1; /* REMOTE_SFENCE_VMA */
	register unsigned long r_a7 __asm__("a7") = SBI_EXT_RFENCE;

	__asm__ volatile("ecall"
			 : "+r"(r_a0), "+r"(r_a1)
			 : "r"(r_a2), "r"(r_a3), "r"(r_a6), "r"(r_a7)
			 : "memory");
	return (long)r_a0;
}
