#!/bin/sh
# link-kernel.sh OUT DIR LINK... - link the kernel OUT with the tables that
# are made from a link of it: the symbol table (scripts/mksyms.sh, for
# backtraces) and the relocation table (scripts/mkrelocs.sh, applied by
# boot/entry.S). LINK is the link command without the tables and -o; it
# must pass --emit-relocs. DIR holds the generated files.
#
# The first link has empty tables; the tables made from it go into the
# second. Both tables lie at the end of .rodata (linker.ld), after
# everything they describe, so their sizes move no text address and no
# relocated word before them; only .data can move, by a page, when the
# tables cross a page boundary. The tables are made again from the result:
# if they differ, one more link with them (same sizes, so the same layout)
# must reproduce them, else the link fails.
set -e
out=$1 dir=$2
shift 2
here=$(dirname "$0")
AS_CMD=${AS_CMD:?AS_CMD: the assembler command (with flags)}

tables() { # ELF|"" SUFFIX: generate and assemble both tables
	"$here/mksyms.sh" $1 > "$dir/ksyms$2.S"
	"$here/mkrelocs.sh" $1 > "$dir/relocs$2.S"
	$AS_CMD -c "$dir/ksyms$2.S" -o "$dir/ksyms$2.o"
	$AS_CMD -c "$dir/relocs$2.S" -o "$dir/relocs$2.o"
}
same() { # ELF: do the tables made from ELF match the ones linked into it?
	"$here/mksyms.sh" "$1" | cmp -s - "$dir/ksyms.S" &&
		"$here/mkrelocs.sh" "$1" | cmp -s - "$dir/relocs.S"
}

tables "" 0
"$@" "$dir/ksyms0.o" "$dir/relocs0.o" -lgcc -o "$dir/pass1.elf"
tables "$dir/pass1.elf" ""
"$@" "$dir/ksyms.o" "$dir/relocs.o" -lgcc -o "$out"
same "$out" && exit 0
tables "$out" ""
"$@" "$dir/ksyms.o" "$dir/relocs.o" -lgcc -o "$out"
same "$out" && exit 0
echo "link-kernel.sh: the symbol or relocation table moved between links of $out" >&2
rm -f "$out"
exit 1
