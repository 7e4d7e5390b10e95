#!/bin/sh
# console-fuzz.sh - random console sessions (tests/qemu/console_fuzz.py),
# piped into QEMU virt as a user's or a script's input would be: every
# command of the console but those that end the machine, with plausible,
# malformed and hostile arguments, then a cleanup, then the same commands
# again and the same cleanup. Each run passes when QEMU exits 0 from the
# final `poweroff 0`, every line typed came back as a prompt, nothing
# reported a bug, every `mmcheck` (every allocator's checker) found nothing,
# and the second pass left MemFree where the first did (no command leaks).
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

# fuzz_run NAME SEED KERNEL KERNEL_ARGS: one session.
fuzz_run() {
	name=$1 seed=$2 kernel=$3 args=$4
	input="$LOGDIR/$name.in"
	python3 tests/qemu/console_fuzz.py gen "$seed" "$COMMANDS" >"$input"
	qemu_run "$name" 300 "$input" $VIRT -smp 2 -m 256M -kernel "$kernel" -append "$args"
	if [ "$RC" != 0 ]; then
		echo "FAIL $name: exit status $RC, expected 0 (seed $seed, append '$args')"
		tail -n 40 "$LOGDIR/$name.log"
		record "$name" 0 1
	elif problems=$(python3 tests/qemu/console_fuzz.py judge "$input" "$LOGDIR/$name.log"); then
		echo "ok   $name: $(grep -c . "$input") lines (seed $seed)"
		record "$name" 1 0
	else
		echo "FAIL $name (seed $seed, append '$args'; input $input, log $LOGDIR/$name.log):"
		echo "$problems" | sed 's/^/    /'
		record "$name" 0 1
	fi
}

# seed, kernel and kernel arguments per run: each kmalloc and slab backend,
# SLOB's two models, the debug features that change what frees do, and the
# KASAN kernel (every byte the console's commands touch checked).
set -- 1 "$KERNEL" "" \
	2 "$KERNEL" "kmalloc=slob slab=slob" \
	3 "$KERNEL" "slob=classic kmalloc=slob" \
	4 "$KERNEL" "kmalloc_heap=compact slab_debug page_owner=on" \
	5 "$KERNEL" "kfence.sample_interval=1" \
	6 build/rvmm-kasan.elf "" \
	7 build/rvmm-kasan.elf "kmalloc=slob slab=slob"
while [ $# -ge 3 ]; do
	tag=$(echo "${2##*/}${3:+ $3}" | sed 's/\.elf//; s/rvmm-*//; s/[ =.]/_/g; s/^_//')
	for seed in ${CONSOLE_FUZZ_SEEDS:-$1}; do
		fuzz_run "console-fuzz-$seed${tag:+-$tag}" "$seed" "$2" "$3"
	done
	shift 3
done
