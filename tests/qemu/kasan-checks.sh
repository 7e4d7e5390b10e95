#!/bin/sh
# kasan-checks.sh - the KASAN kernel (build/rvmm-kasan.elf; make kasan;
# docs/reliability.md): ktest=all must pass without one KASAN or UBSan
# report, then ktest=kasan must catch every planted bug.
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh

KASAN_KERNEL=build/rvmm-kasan.elf

# no_report RUN: the run's log has no KASAN or UBSan report (RUN-no-report).
no_report() {
	reports=$(grep -c -e '^BUG: KASAN' -e '^UBSAN:' "$LOGDIR/$1.log")
	if [ "$reports" = 0 ]; then
		echo "ok   $1-no-report"
		record "$1-no-report" 1 0
	else
		echo "FAIL $1-no-report: $reports KASAN/UBSan reports"
		grep -e '^BUG: KASAN' -e '^UBSAN:' "$LOGDIR/$1.log" | sort | uniq -c | head -20
		record "$1-no-report" 0 1
	fi
}

# ktest=all: every suite passes and nothing is reported.
ktest_run kasan-all 300 -M virt -bios default -smp 4 -m 512M -kernel "$KASAN_KERNEL" \
	-append "ktest=all"
no_report kasan-all

# ktest=all with every slab_debug check on every cache and kmalloc's
# compact heap classes: KASAN's quarantine and the debug caches' paths
# together (whatis once expected a debug cache's freed object on its free
# list where the quarantine holds it).
ktest_run kasan-all-slab-debug 300 -M virt -bios default -smp 2 -m 256M -kernel "$KASAN_KERNEL" \
	-append "slab_debug=FZPU kmalloc_heap=compact ktest=all"
no_report kasan-all-slab-debug

# The zone suites on the KASAN kernel at 8 GiB on two NUMA memory nodes
# (node 1 wholly above 4 GiB), with kmalloc on SLOB: every zone request in
# its zone, and nothing reported.
ktest_run kasan-zones-numa-8G 300 -M virt -bios default -smp 2 -m 8G \
	-object memory-backend-ram,id=m0,size=4G -object memory-backend-ram,id=m1,size=4G \
	-numa node,memdev=m0 -numa node,memdev=m1 -kernel "$KASAN_KERNEL" \
	-append "kmalloc=slob ktest=zones,zone_paths"
no_report kasan-zones-numa-8G

# slab_debug=U on a kmalloc cache of the KASAN kernel, whose kmalloc
# paths wrap every call (no tail calls down to the slab): the tracks still
# name the code that called kmalloc or kzalloc (memmap-fill's, vmalloc's),
# never kmalloc_miss, kzalloc or kmalloc_slab_slow, since each passes its
# caller on (kmalloc_track_caller).
qemu_run kasan-kmalloc-tracks 120 /dev/null -M virt -bios default -smp 2 -m 256M \
	-kernel "$KASAN_KERNEL" -append 'slab_debug=U,kmalloc-64 run="memmap-fill;alloc_traces kmalloc-64;poweroff"'
check_log kasan-kmalloc-tracks kasan-kmalloc-tracks-callers \
	"^ +[0-9]+ cmd_memmap_fill\+0x[0-9a-f]+ age=[0-9]+/[0-9]+/[0-9]+ cpus=[0-9]" \
	"^ +[0-9]+ vmalloc_caller\+0x[0-9a-f]+ age="
no_log kasan-kmalloc-tracks kasan-kmalloc-tracks-not-kmalloc \
	"^ +[0-9]+ (__kmalloc|kmalloc|kzalloc|kcalloc|krealloc|kmem_cache_alloc)[a-z_]*\+0x" "^BUG: KASAN"

# ktest=kasan: the planted bugs, each with its kind, address, size and
# direction; the closing count must be N of N.
ktest_run kasan-planted 120 -M virt -bios default -smp 4 -m 512M -kernel "$KASAN_KERNEL" \
	-append "ktest=kasan"
all_planted_caught kasan-planted kasan

# drop_caches gives back what the quarantine holds. With kmalloc=slob its
# entries are SLOB blocks of kmalloc's heap, which no cache shrink drains:
# each pinned its heap page, and after memmap-timeline freed everything
# MemFree after drop_caches stayed 2292 kB below its value before. It may
# now be lower only by the few empty SLOB pages the heap keeps (24 kB here;
# the ordinary kernel keeps the same): at most 64 kB. (A short stress first
# makes what stays made for good.)
qemu_run kasan-drop-caches-quarantine 120 /dev/null -M virt -bios default -smp 4 -m 512M \
	-kernel "$KASAN_KERNEL" -append 'kmalloc=slob run="stress 100000 1;drop_caches;meminfo;memmap-timeline 16384 50000 50000;drop_caches;meminfo;poweroff"'
free=$(tr -d '\r' <"$LOGDIR/kasan-drop-caches-quarantine.log" | sed -n 's/^MemFree: *\([0-9]*\) kB$/\1/p')
set -- $free
if [ "$RC" = 0 ] && [ $# = 2 ] && [ "$2" -le "$1" ] && [ $(($1 - $2)) -le 64 ] &&
	grep -q '^memmap-timeline: .* 0 corrupt, 0 failed' "$LOGDIR/kasan-drop-caches-quarantine.log"; then
	echo "ok   kasan-drop-caches-quarantine: MemFree $1 kB, then $2 kB"
	record kasan-drop-caches-quarantine 1 0
else
	echo "FAIL kasan-drop-caches-quarantine: exit $RC, MemFree after drop_caches: $(echo ${free:-none}) (kB; the second at most 64 below the first)"
	show_log kasan-drop-caches-quarantine
	record kasan-drop-caches-quarantine 0 1
fi

# Red zones (slab_debug=Z): an object's accessible bytes end where its
# stride does. Poisoning from the object to a whole stride further ran into
# the next stride's left red zone, and past a slab's last object into the
# next page: kmalloc-2048's 2048-byte left red zone poisoned the objects of
# the slab after it (842 false slab-out-of-bounds reports in this run).
qemu_run kasan-red-zones 120 /dev/null -M virt -bios default -smp 2 -m 512M \
	-kernel "$KASAN_KERNEL" -append 'slab_debug=Z run="stress 20000 1;poweroff"'
check kasan-red-zones 0 '^stress: ops=.* errors=0 leaked_pages=0'
no_log kasan-red-zones kasan-red-zones-no-report '^BUG: KASAN' '^UBSAN:'
