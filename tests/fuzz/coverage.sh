#!/bin/sh
# coverage.sh FUZZER... - line coverage of each fuzzer's corpora: runs
# build/fuzz/cov/NAME (make fuzz-coverage builds it) once over every input of
# build/fuzz/corpus/NAME and the seed corpora, then prints llvm-cov's report
# for the files the fuzzer is about. Full report: build/fuzz/coverage.txt.
set -u
cd "$(dirname "$0")/../.."
out=build/fuzz/coverage.txt
: >"$out"
for name in "$@"; do
	short=${name%_fuzz}
	dirs="build/fuzz/corpus/$name tests/fuzz/corpus/$short"
	[ "$name" = fdt_fuzz ] && dirs="$dirs build/dtb"
	[ "$name" = replay_fuzz ] && dirs="$dirs tests/replay"
	case $name in
	fdt_fuzz) files="drivers/fdt.c drivers/devicetree.c lib/cmdline.c" ;;
	replay_fuzz) files="bench/replay.c lib/parse.c" ;;
	*) files="mm/page_alloc.c mm/slob.c mm/slob_segfit.c mm/slob_classic.c mm/slab.c mm/slab_debug.c mm/slab_check.c mm/kmalloc.c mm/memmap.c" ;;
	esac
	mkdir -p build/fuzz/corpus/$name
	rm -f build/fuzz/cov/$name.profraw
	LLVM_PROFILE_FILE=build/fuzz/cov/$name.profraw FUZZ_VERBOSE=0 \
		build/fuzz/cov/$name -runs=0 $dirs >build/fuzz/cov/$name.log 2>&1
	llvm-profdata merge -sparse build/fuzz/cov/$name.profraw -o build/fuzz/cov/$name.profdata
	echo "== $name: $(ls $dirs | grep -vc ':$') inputs"
	llvm-cov report build/fuzz/cov/$name -instr-profile=build/fuzz/cov/$name.profdata $files |
		tee -a "$out"
done
