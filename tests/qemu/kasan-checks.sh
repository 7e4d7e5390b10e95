#!/bin/sh
# kasan-checks.sh - the KASAN kernel (build/rvmm-kasan.elf; make kasan;
# docs/reliability.md): ktest=all must pass without one KASAN or UBSan
# report, then ktest=kasan must catch every planted bug.
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh

KASAN_KERNEL=build/rvmm-kasan.elf

# ktest=all: every suite passes and nothing is reported.
ktest_run kasan-all 300 -M virt -bios default -smp 4 -m 512M -kernel "$KASAN_KERNEL" \
	-append "ktest=all"
reports=$(grep -c -e '^BUG: KASAN' -e '^UBSAN:' "$LOGDIR/kasan-all.log")
if [ "$reports" = 0 ]; then
	echo "ok   kasan-all-no-report"
	record kasan-all-no-report 1 0
else
	echo "FAIL kasan-all-no-report: $reports KASAN/UBSan reports under ktest=all"
	grep -e '^BUG: KASAN' -e '^UBSAN:' "$LOGDIR/kasan-all.log" | sort | uniq -c | head -20
	record kasan-all-no-report 0 1
fi

# ktest=kasan: the planted bugs, each with its kind, address, size and
# direction; the closing count must be N of N.
ktest_run kasan-planted 120 -M virt -bios default -smp 4 -m 512M -kernel "$KASAN_KERNEL" \
	-append "ktest=kasan"
all_planted_caught kasan-planted kasan
