#!/bin/sh
# mkrelocs.sh ELF - print assembly for the kernel's relocation table, from
# ELF linked with --emit-relocs: every 64-bit word of the image that holds
# an address inside the image (function pointer tables, the rvmm_*
# registries, string pointers, linker symbols stored in data), as its offset
# from _start. boot/entry.S adds (run address - link address) to each before
# anything reads one, so the kernel runs wherever it is loaded. With no ELF,
# print an empty table (the first link).
#
# Code is medany and not PIC: it reaches everything PC-relative (or
# gp-relative, gp being set PC-relative), so only data needs relocating.
# Anything else that would tie the image to its link address is refused
# with the place it was found: an absolute relocation in code (lui/addi of
# an address: HI20, LO12), a 32-bit absolute address, an unaligned word, or
# a word pointing outside the image.
set -e
{
	if [ -n "${1:-}" ]; then
		${NM:-riscv64-unknown-elf-nm} --defined-only "$1" | \
			awk '$3 == "_start" || $3 == "_end" { print "SYM", $3, $1 }'
		${READELF:-riscv64-unknown-elf-readelf} -rW "$1"
	fi
} | awk "$(cat "$(dirname "$0")/hex.awk")"'
	function fail(why) {
		printf "mkrelocs.sh: %s in %s at 0x%s: %s\n", why, sec, $1, $0 > "/dev/stderr"
		bad = 1
	}
	BEGIN { n = 0; bad = 0; start = -1; end = -1 }
	$1 == "SYM" { if ($2 == "_start") start = hex($3); else end = hex($3); next }
	/^Relocation section/ { sec = $3; gsub(/\047/, "", sec); next }
	$3 !~ /^R_RISCV_/ || sec ~ /^\.rela\.debug/ || sec == ".rela.comment" { next }
	$3 ~ /^R_RISCV_(HI20|LO12_I|LO12_S|RVC_LUI|32)$/ { fail("absolute address"); next }
	$3 != "R_RISCV_64" { next }
	sec == ".rela.text" { fail("absolute address in code"); next }
	{
		off = hex($1)
		val = hex($4)
		if ($6 == "+") val += hex($7); else if ($6 == "-") val -= hex($7)
		if (val == 0 && hex($4) == 0) next	# an undefined weak symbol stays 0
		if (val < start || val > end) { fail("address outside the image"); next }
		if ((off - start) % 8) { fail("unaligned address word"); next }
		rel[n++] = off - start
	}
	END {
		if (bad) exit 1
		if (n && (start < 0 || end < 0)) { print "mkrelocs.sh: no _start/_end" > "/dev/stderr"; exit 1 }
		print "\t.section .rvmm.relocs, \"a\""
		print "\t.balign 8"
		print "\t.globl relocs_link_start, relocs_count, relocs_off"
		printf "relocs_link_start:\n\t.dword 0x%x\n", start < 0 ? 0 : start
		printf "relocs_count:\n\t.dword %d\n", n
		print "relocs_off:"
		for (i = 0; i < n; i++) printf "\t.word %d\n", rel[i]
	}'
