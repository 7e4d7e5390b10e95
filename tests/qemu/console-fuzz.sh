#!/bin/sh
# console-fuzz.sh - random console sessions (tests/qemu/console_fuzz.py),
# piped into QEMU virt as a user's or a script's input would be: every
# command of the console but those that end the machine, with plausible,
# malformed and hostile arguments, then a cleanup, all of it three times.
# Each run passes when QEMU exits 0 from the final `poweroff 0`, every line
# typed came back as a prompt, nothing reported a bug, every `mmcheck`
# (every allocator's checker) found nothing, each cleanup left no object in
# any cache or SLOB heap, and no pass lost pages to the next two.
# Seeds are fixed, so a failure reproduces:
#   tests/qemu/console_fuzz.py gen SEED 400 > in.txt
#   qemu-system-riscv64 -M virt -bios default -nographic -smp 2 -m 256M \
#       -kernel build/rvmm.elf -append "ARGS" < in.txt
# CONSOLE_FUZZ_SEEDS="11 12" runs other seeds with every configuration,
# CONSOLE_FUZZ_COMMANDS=N longer or shorter sessions.
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh

VIRT="-M virt -bios default"
COMMANDS=${CONSOLE_FUZZ_COMMANDS:-400}

# fuzz_run NAME SEED MACHINE KERNEL KERNEL_ARGS: one session.
fuzz_run() {
	name=$1 seed=$2 machine=$3 kernel=$4 args=$5
	input="$LOGDIR/$name.in"
	python3 tests/qemu/console_fuzz.py gen "$seed" "$COMMANDS" >"$input"
	qemu_run "$name" 300 "$input" $VIRT $machine -kernel "$kernel" -append "$args"
	if [ "$RC" != 0 ]; then
		echo "FAIL $name: exit status $RC, expected 0 (seed $seed, $machine, append '$args')"
		tail -n 40 "$LOGDIR/$name.log"
		record "$name" 0 1
	elif problems=$(python3 tests/qemu/console_fuzz.py judge "$input" "$LOGDIR/$name.log"); then
		echo "ok   $name: $(grep -c . "$input") lines (seed $seed)"
		record "$name" 1 0
	else
		echo "FAIL $name (seed $seed, $machine, append '$args'; input $input, log $LOGDIR/$name.log):"
		echo "$problems" | sed 's/^/    /'
		record "$name" 0 1
	fi
}

# seed, machine, kernel and kernel arguments per run: each kmalloc and slab
# backend, SLOB's two models, the debug features that change what frees do,
# the KASAN kernel (every byte the console's commands touch checked), and
# 8 GiB on 4 harts (DMA32 and Normal: GFP_DMA32's zone caches and heaps),
# fault injection (the commands' failure paths, until the first cleanup's
# `faultinject off`), and 24 MiB of a 256 MiB machine on 3 of its 4 harts
# (mem=, maxcpus=: the commands' big requests meet memory running out).
SMALL="-smp 2 -m 256M"
set -- 1 "$SMALL" "$KERNEL" "" \
	2 "$SMALL" "$KERNEL" "kmalloc=slob slab=slob" \
	3 "$SMALL" "$KERNEL" "slob=classic kmalloc=slob" \
	4 "$SMALL" "$KERNEL" "kmalloc_heap=compact slab_debug page_owner=on" \
	5 "$SMALL" "$KERNEL" "kfence.sample_interval=1" \
	6 "$SMALL" build/rvmm-kasan.elf "" \
	7 "$SMALL" build/rvmm-kasan.elf "kmalloc=slob slab=slob" \
	8 "-smp 4 -m 8G" "$KERNEL" "" \
	9 "$SMALL" "$KERNEL" "failslab=5% fail_page_alloc=5%" \
	10 "-smp 4 -m 256M" "$KERNEL" "mem=24M maxcpus=3"
while [ $# -ge 4 ]; do
	tag=$(echo "${3##*/}${4:+ $4}" | sed 's/\.elf//; s/rvmm-*//; s/[ =.%,]/_/g; s/^_//')
	[ "$2" = "$SMALL" ] || tag="${tag:+$tag-}$(echo "$2" | tr -d ' -')"
	for seed in ${CONSOLE_FUZZ_SEEDS:-$1}; do
		fuzz_run "console-fuzz-$seed${tag:+-$tag}" "$seed" "$2" "$3" "$4"
	done
	shift 4
done
