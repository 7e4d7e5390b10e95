#!/bin/sh
# mksyms.sh ELF - print assembly for the kernel's symbol table: the text
# symbols of ELF sorted by address, for backtraces with function names
# (see boot/ksyms.c). Each is stored as its offset from _start, so the table
# names the right function wherever the kernel runs (it is relocatable:
# scripts/mkrelocs.sh) and needs no relocation itself. With no ELF, print an
# empty table (the first link).
set -e
{
	if [ -n "${1:-}" ]; then
		${NM:-riscv64-unknown-elf-nm} -n --defined-only "$1" | awk '$2 ~ /^[tT]$/ && $3 !~ /^\$/'
	fi
} | awk "$(cat "$(dirname "$0")/hex.awk")"'
	BEGIN { n = 0; base = -1 }
	{ addr[n] = hex($1); name[n] = $3; if ($3 == "_start") base = addr[n]; n++ }
	END {
		if (n && base < 0) { print "mksyms.sh: no _start symbol" > "/dev/stderr"; exit 1 }
		print "\t.section .rvmm.ksyms, \"a\""
		print "\t.balign 8"
		print "\t.globl ksyms_count, ksyms_off, ksyms_name_off, ksyms_names"
		printf "ksyms_count:\n\t.dword %d\n", n
		print "ksyms_off:"
		for (i = 0; i < n; i++) printf "\t.dword %d\n", addr[i] - base
		print "ksyms_name_off:"
		off = 0
		for (i = 0; i < n; i++) { printf "\t.word %d\n", off; off += length(name[i]) + 1 }
		print "ksyms_names:"
		for (i = 0; i < n; i++) printf "\t.asciz \"%s\"\n", name[i]
	}'
