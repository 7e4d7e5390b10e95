#!/bin/sh
# kfence-checks.sh - KFENCE in the ordinary kernel (mm/kfence.c;
# docs/reliability.md): ktest=kfence with kfence.sample_interval= must catch
# every planted bug on both kmalloc backends and kmem_cache objects; the
# boot line and the console command; and the cost of sampling, from exact
# counts: kmalloc + kfree with KFENCE on. (With it off the bench targets of
# boot-checks.sh hold: the same figures as without it.)
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh

VIRT="-M virt -bios default"

ktest_run kfence-planted 120 $VIRT -smp 4 -m 512M -kernel "$KERNEL" \
	-append "kfence.sample_interval=100 ktest=kfence"
all_planted_caught kfence-planted kfence
# The reports' first lines, in Linux's format.
if tr -d '\r' <"$LOGDIR/kfence-planted.log" | grep -Eq '^BUG: KFENCE: out-of-bounds read in read1\+0x[0-9a-f]+$' &&
	tr -d '\r' <"$LOGDIR/kfence-planted.log" | grep -Eq '^Out-of-bounds read at 0xffffffd0[0-9a-f]{8} \(1B right of kfence-#[0-9]+\):$' &&
	tr -d '\r' <"$LOGDIR/kfence-planted.log" | grep -Eq '^BUG: KFENCE: use-after-free write in write1\+0x[0-9a-f]+$' &&
	tr -d '\r' <"$LOGDIR/kfence-planted.log" | grep -Eq '^BUG: KFENCE: invalid free in kmalloc_bugs\+0x[0-9a-f]+$' &&
	tr -d '\r' <"$LOGDIR/kfence-planted.log" | grep -Eq '^BUG: KFENCE: memory corruption in kmem_cache_bugs\+0x[0-9a-f]+$' &&
	tr -d '\r' <"$LOGDIR/kfence-planted.log" | grep -Eq '^kfence-#[0-9]+: 0xffffffd0[0-9a-f]{8}-0xffffffd0[0-9a-f]{8}, size=192, cache=kfence-test$'; then
	echo "ok   kfence-report-format"
	record kfence-report-format 1 0
else
	echo "FAIL kfence-report-format: a report line is missing or malformed"
	show_log kfence-planted
	record kfence-report-format 0 1
fi

# kfence.sample_interval= with allocation fault injection on from the boot:
# KFENCE's pool is set up before fail_page_alloc= starts, so failing every
# order-9 allocation (the pool's block) leaves it ready and sampling.
qemu_run kfence-with-fault-inject 60 /dev/null $VIRT -smp 2 -m 256M -kernel "$KERNEL" \
	-append 'kfence.sample_interval=100 fail_page_alloc=1,order=9 run="kfence;faultinject;poweroff"'
check kfence-with-fault-inject 0 '^kfence: sampling every 100 ms$' '^pool: ready, 255 objects$' \
	'^fail_page_alloc: 1,order=9 '

# The suite on its own (no boot parameter: it turns sampling on itself),
# with kmalloc=slob as the boot backend; then the console command.
printf '\nkfence\nktest kfence\nkfence 0\nkfence x\npoweroff\n' >"$LOGDIR/kfence-console.in"
qemu_run kfence-console 120 "$LOGDIR/kfence-console.in" $VIRT -smp 2 -m 256M -kernel "$KERNEL" \
	-append "kmalloc=slob"
log=$(tr -d '\r' <"$LOGDIR/kfence-console.log")
if [ "$RC" = 0 ] && echo "$log" | grep -q '^enabled: 0$' &&
	echo "$log" | grep -q '^pool: not set up, 255 objects$' &&
	echo "$log" | grep -Eq '^kfence: 255 objects in \[mem 0x[0-9a-f]{16}-0x[0-9a-f]{16}\] at 0xffffffd000000000 \(2044 KiB\)$' &&
	echo "$log" | grep -Eq '^kfence: [0-9]+ of [0-9]+ planted bugs caught$' &&
	echo "$log" | grep -Eq '^ktest: [0-9]+ passed, 0 failed$' &&
	echo "$log" | grep -q "^kfence: bad interval 'x' (milliseconds, 0 to 1000000000; 0: off)$"; then
	echo "ok   kfence-console"
	record kfence-console 1 0
else
	echo "FAIL kfence-console (exit status $RC)"
	show_log kfence-console
	record kfence-console 0 1
fi

# The price of sampling: kmalloc + kfree through the kmalloc-N caches with
# KFENCE on (every kmalloc takes kmalloc_slab_slow and its gate), exact
# counts on one hart; the same boot's kmem_cache pairs keep their fast path.
qemu_run bench-kfence 300 /dev/null $VIRT -smp 1 -m 128M -icount shift=0 -kernel "$KERNEL" \
	-append 'kfence.sample_interval=100 run="bench kmem_cache kmalloc;kfence;poweroff"'
kf_val() { # REGEX KEY
	tr -d '\r' <"$LOGDIR/bench-kfence.log" | grep -E "$1" | tail -n 1 |
		tr ' ' '\n' | sed -n "s/^$2=//p"
}
for size in 16 256 3000; do
	v=$(kf_val "^bench: kmalloc alloc=slab size=$size " insns)
	echo "     bench-kfence: kmalloc alloc=slab size=$size with kfence.sample_interval=100: ${v:-?} insns"
	target "bench-kfence-kmalloc-slab-$size" "$v" -le 120
done
target bench-kfence-kmem-cache-64 "$(kf_val '^bench: kmem_cache size=64 .* model=slab ' insns)" -le 30

# Sampled objects through real work: the stress run on 4 harts (kmalloc on
# both backends, kmem_caches, objects freed on other harts, krealloc) with a
# sample every millisecond: no error, no KFENCE report, objects sampled and
# all given back, and the leak count the same run has without KFENCE (0 on
# slab; SLOB's accounting of this run keeps one page with or without it).
stress_line() { # LOG: "errors=E leaked_pages=L"
	tr -d '\r' <"$LOGDIR/$1.log" | sed -n 's/^stress: ops=100000 \(errors=[0-9]* leaked_pages=[0-9]*\)$/\1/p'
}
# The third run makes every kmem_cache a SLOB-model one (slab=slob): their
# sampled objects were once reported by stress as "not an object of its
# cache" (slob_cache_valid_object knew only SLOB's own blocks).
for backend in slab slob slob-caches; do
	sname=kfence-stress-$backend # (qemu_run sets $name)
	case $backend in
	slob-caches) params="kmalloc=slob slab=slob" ;;
	*) params="kmalloc=$backend" ;;
	esac
	qemu_run "$sname-off" 180 /dev/null $VIRT -smp 4 -m 256M -kernel "$KERNEL" \
		-append "$params run=\"stress 100000 3;poweroff\""
	want=$(stress_line "$sname-off")
	qemu_run "$sname" 180 /dev/null $VIRT -smp 4 -m 256M -kernel "$KERNEL" \
		-append "$params kfence.sample_interval=1 run=\"stress 100000 3;kfence;poweroff\""
	got=$(stress_line "$sname")
	log=$(tr -d '\r' <"$LOGDIR/$sname.log")
	allocs=$(echo "$log" | sed -n 's/^total allocations: \([0-9]*\)$/\1/p' | tail -n 1)
	if [ "$RC" = 0 ] && [ -n "$got" ] && [ "$got" = "$want" ] && case $got in errors=0\ *) true ;; *) false ;; esac &&
		echo "$log" | grep -q '^currently allocated: 0$' && echo "$log" | grep -q '^total bugs: 0$' &&
		[ "${allocs:-0}" -gt 0 ] && ! echo "$log" | grep -Eq '^BUG: |^kfree: |^slab error|^slob: '; then
		echo "ok   $sname: $allocs objects sampled, $got (without KFENCE: $want)"
		record "$sname" 1 0
	else
		echo "FAIL $sname (exit status $RC): '$got' with KFENCE, '$want' without"
		show_log "$sname"
		record "$sname" 0 1
	fi
done
