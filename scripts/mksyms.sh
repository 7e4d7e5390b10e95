#!/bin/sh
# mksyms.sh ELF - print assembly for the kernel's symbol table: the text
# symbols of ELF sorted by address, for backtraces with function names
# (see boot/ksyms.c). With no ELF, print an empty table (the first link).
set -e
{
	if [ -n "${1:-}" ]; then
		${NM:-riscv64-unknown-elf-nm} -n --defined-only "$1" | awk '$2 ~ /^[tT]$/ && $3 !~ /^\$/'
	fi
} | awk '
	BEGIN { n = 0 }
	{ addr[n] = $1; name[n] = $3; n++ }
	END {
		print "\t.section .rodata.ksyms, \"a\""
		print "\t.balign 8"
		print "\t.globl ksyms_count, ksyms_addr, ksyms_name_off, ksyms_names"
		printf "ksyms_count:\n\t.dword %d\n", n
		print "ksyms_addr:"
		for (i = 0; i < n; i++) printf "\t.dword 0x%s\n", addr[i]
		print "ksyms_name_off:"
		off = 0
		for (i = 0; i < n; i++) { printf "\t.word %d\n", off; off += length(name[i]) + 1 }
		print "ksyms_names:"
		for (i = 0; i < n; i++) printf "\t.asciz \"%s\"\n", name[i]
	}'
