/*
 * ksyms.c - address to function name, for backtraces.
 *
 * The table is made by scripts/mksyms.sh from a first link of the kernel and
 * linked into the second (scripts/link-kernel.sh checks that no text address
 * moved between the two): ksyms_off[] the symbols' offsets from _start,
 * sorted ascending, ksyms_name_off[i] the offset of the i-th NUL-terminated
 * name in ksyms_names. Offsets, not addresses: the kernel runs wherever it
 * was loaded (boot/entry.S), and _start is where it runs. Lookup is a binary
 * search for the last symbol at or below the address.
 */
#include <boot/ksyms.h>

extern const u64 ksyms_count;
extern const u64 ksyms_off[];
extern const u32 ksyms_name_off[];
extern const char ksyms_names[];
extern char _start[], _etext[];

const char *ksym_lookup(unsigned long addr, unsigned long *offset)
{
	u64 lo = 0, hi = ksyms_count;

	if (addr < (unsigned long)_start || addr >= (unsigned long)_etext || !hi)
		return NULL;
	addr -= (unsigned long)_start;
	while (hi - lo > 1) {
		u64 mid = lo + (hi - lo) / 2;
		if (ksyms_off[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (ksyms_off[lo] > addr)
		return NULL;
	*offset = addr - ksyms_off[lo];
	return ksyms_names + ksyms_name_off[lo];
}
