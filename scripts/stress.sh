#!/bin/sh
# stress.sh - `make stress`: boot QEMU virt (4 harts, 512 MiB, no -icount)
# and run the console command `stress OPS SEED`: random mixed page, kmalloc,
# krealloc and kmem_cache operations on every hart at once, every object
# checked (tests/stress.c, docs/reliability.md). Prints the kernel's line
#   stress: ops=N errors=E leaked_pages=L
# its details and the wall time, keeps the log in build/stress.log, and
# exits 0 only when the run completed with errors=0 and leaked_pages=0.
#
# Environment: STRESS_OPS (10000000), STRESS_SEED (1), STRESS_SMP (4),
# STRESS_MEM (512M), STRESS_APPEND (more boot parameters, e.g.
# "fail_page_alloc=1% failslab=1%" or "kmalloc=slob"), KERNEL.
set -u
cd "$(dirname "$0")/.."
KERNEL=${KERNEL:-build/rvmm.elf}
OPS=${STRESS_OPS:-10000000}
SEED=${STRESS_SEED:-1}
SMP=${STRESS_SMP:-4}
MEM=${STRESS_MEM:-512M}
EXTRA=${STRESS_APPEND:-}
LOG=build/stress.log

mkdir -p build
echo "stress: $OPS operations on $SMP harts, $MEM, seed $SEED${EXTRA:+, $EXTRA} (log: $LOG)"
start=$(date +%s)
rc=0
timeout -k 5 3600 qemu-system-riscv64 -M virt -bios default -nographic -no-reboot -smp "$SMP" \
	-m "$MEM" -kernel "$KERNEL" -append "$EXTRA run=\"stress $OPS $SEED;poweroff\"" \
	</dev/null >"$LOG" 2>&1 || rc=$?
secs=$(( $(date +%s) - start ))
tr -d '\r' <"$LOG" | grep -E '^stress: |^(fail_page_alloc|failslab): ' || true
echo "stress: wall time ${secs}s (QEMU exit status $rc)"
line=$(tr -d '\r' <"$LOG" | grep -E '^stress: ops=[0-9]+ errors=[0-9]+ leaked_pages=-?[0-9]+$' | tail -n 1)
case "$line" in
"stress: ops=$OPS errors=0 leaked_pages=0")
	[ "$rc" = 0 ] && exit 0 ;;
esac
echo "stress: FAILED (see $LOG)" >&2
exit 1
