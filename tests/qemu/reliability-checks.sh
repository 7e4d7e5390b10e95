#!/bin/sh
# reliability-checks.sh - rvmm under fault injection, on hostile device
# trees, and under a short stress run, all on QEMU virt (docs/reliability.md).
#
#   1. fail_page_alloc= / failslab= at boot: the fault and stress suites pass
#      with injection already on (both kmalloc backends), the console command
#      shows and changes it, bad specs are refused; ktest=all passes under
#      both (the runner pauses injection for the suites that need their
#      allocations to succeed).
#   2. Hostile device trees, made at test time from QEMU's own tree
#      (-M virt,dumpdtb) edited with awk and sed, then given to QEMU with -dtb
#      (OpenSBI accepts every one of them): each boots with the exact memory
#      map and a warning, or stops with a panic naming the problem (exit 2).
#      Where one boots, ktest=page_alloc passes and the zones span only the
#      RAM the tree gave.
#   3. A short stress run (tests/stress.c) on 4 harts, and one with every slab
#      cache in debug mode.
#   4. ktest=all under four random combinations of boot settings (the first
#      draws of tests/qemu/combos.py's seed 1; make combos draws more).
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh

VIRT="-M virt -bios default"
DT="$LOGDIR/hostile"
mkdir -p "$DT"


# ==== 1. fault injection ======================================================

# Both injectors on from boot (they start once every hart is up, so booting
# itself never fails), the kmalloc-N caches and the page fast path routed
# around: the fault suite (which checks the boot state first, then puts it
# back after each case) and the stress suite pass.
ktest_run fault-boot-slab 180 $VIRT -smp 4 -m 128M -kernel "$KERNEL" \
	-append "fail_page_alloc=5% failslab=5% ktest=fault,fault_spec,stress"
check_log fault-boot-slab fault-boot-slab-started \
	"^fail_page_alloc: 5% calls=0 failures=0 nowarn=0$" "^failslab: 5% calls=0 failures=0 nowarn=0$" \
	"^ok [0-9]+ fault.boot_parameters_in_effect$"

# ktest=all under both injectors: the runner pauses injection for the suites
# whose cases need their allocations to succeed (tests/ktest.c) and keeps it
# on for the rest, so every suite passes and fault and stress still take
# injected failures.
ktest_run fault-boot-all 180 $VIRT -smp 2 -m 64M -kernel "$KERNEL" \
	-append "fail_page_alloc=10% failslab=10% ktest=all"
check_log fault-boot-all fault-boot-all-paused \
	"^# page_alloc: fault injection paused \(its cases need their allocations to succeed\)$" \
	"^# vmalloc under fail_page_alloc: calls 1\.\.[0-9]+ failed in turn, 0 pages lost$" \
	"^ok [0-9]+ fault.failure_paths_give_back_everything$" "^ok [0-9]+ stress.mixed_on_all_harts$"

# The same with kmalloc on SLOB classic, failslab on kmalloc's heap only and
# fail_page_alloc on order 0 only.
ktest_run fault-boot-slob 180 $VIRT -smp 2 -m 128M -kernel "$KERNEL" \
	-append "kmalloc=slob slob=classic failslab=3,cache=kmalloc fail_page_alloc=4,order=0 ktest=fault,stress"
check_log fault-boot-slob fault-boot-slob-started \
	"^fail_page_alloc: 4,order=0 calls=0 failures=0 nowarn=0$" \
	"^failslab: 3,cache=kmalloc calls=0 failures=0 nowarn=0$"

# The console command: a times limit spent exactly by a stress run that
# survives it, then switched off (the counters stay). The stress run's own
# requests carry __GFP_NOWARN; the allocators' internal ones (a new
# magazine, a cache descriptor) do not, and may print their failure.
qemu_run fault-console 120 /dev/null $VIRT -smp 4 -m 128M -kernel "$KERNEL" \
	-append 'fail_page_alloc=2,times=10 run="stress 20000;faultinject;faultinject off failslab=10%,cache=kmalloc-64,verbose=0;faultinject failslab=off;poweroff"'
check fault-console 0 \
	"^stress: ops=20000 errors=0 leaked_pages=0$" \
	"^fail_page_alloc: 2,times=0 calls=[0-9]+ failures=10 nowarn=([0-9]|10)$" \
	"^fail_page_alloc: off calls=[0-9]+ failures=10 nowarn=([0-9]|10)$" \
	"^failslab: 10%,cache=kmalloc-64,verbose=0 calls=0 failures=0 nowarn=0$" \
	"^failslab: off calls=[0-9]+ failures=[0-9]+ nowarn=[0-9]+$"

# Bad specs are refused and change nothing.
qemu_run fault-bad-spec 60 /dev/null $VIRT -smp 1 -m 128M -kernel "$KERNEL" \
	-append 'fail_page_alloc=101% failslab=5,order=1 run="faultinject;faultinject failslab=x;poweroff"'
check fault-bad-spec 0 \
	"^cmdline: invalid value for 'fail_page_alloc': '101%' \(error -22\)$" \
	"^cmdline: invalid value for 'failslab': '5,order=1' \(error -22\)$" \
	"^fail_page_alloc: off calls=0 failures=0 nowarn=0$" "^failslab: off calls=0 failures=0 nowarn=0$" \
	"^faultinject: bad argument 'failslab=x'"

# ==== 2. hostile device trees =================================================

# QEMU's own tree for MEM of RAM (2 harts), as .dts.
base_dts() {
	[ -f "$DT/base-$1.dts" ] && return
	"$QEMU" -M virt,dumpdtb="$DT/base-$1.dtb" -m "$1" -smp 2 -nographic </dev/null >/dev/null 2>&1
	dtc -q -I dtb -O dts -o "$DT/base-$1.dts" "$DT/base-$1.dtb"
}

# mkdt NAME MEM MEMORY_NODES ROOT_EXTRA [SED_SCRIPT]: QEMU's tree for MEM
# with its memory node replaced by MEMORY_NODES, ROOT_EXTRA added at the end
# of the root node, and SED_SCRIPT applied; written to $DT/NAME.dtb.
mkdt() {
	name=$1 mem=$2
	base_dts "$mem"
	awk -v memtext="$3" -v extra="$4" '
		/^\tmemory@/ { skip = 1; printf "%s", memtext; next }
		skip { if (/^\t};/) skip = 0; next }
		/^};$/ { printf "%s", extra }
		{ print }' "$DT/base-$mem.dts" | sed -e "${5:-}" >"$DT/$name.dts"
	dtc -q -I dts -O dtb -o "$DT/$name.dtb" "$DT/$name.dts"
}

# boot_dt NAME MEM INPUT APPEND: boot rvmm (2 harts) on $DT/NAME.dtb.
boot_dt() {
	if [ -n "$4" ]; then
		qemu_run "dt-$1" 120 "$3" $VIRT -smp 2 -m "$2" -dtb "$DT/$1.dtb" -kernel "$KERNEL" -append "$4"
	else
		qemu_run "dt-$1" 120 "$3" $VIRT -smp 2 -m "$2" -dtb "$DT/$1.dtb" -kernel "$KERNEL"
	fi
}

# map_is RUN RESULT LINE...: the "Early memory node ranges" block is exactly
# these node lines (fixed strings), and the boot passed ktest page_alloc.
map_is() {
	run=$1 result=$2
	shift 2
	want=$(printf '%s\n' "$@")
	have=$(tr -d '\r' <"$LOGDIR/$run.log" | sed -n '/^Early memory node ranges$/,/^Reserved memory:$/p' |
		grep '^  node ')
	if [ "$have" != "$want" ]; then
		echo "FAIL $result: memory map is"
		echo "$have"
		echo "expected"
		echo "$want"
		show_log "$run"
		record "$result" 0 1
	elif ! expect_log "$run" "^ktest: [1-9][0-9]* passed, 0 failed$"; then
		show_log "$run"
		record "$result" 0 1
	else
		echo "ok   $result"
		record "$result" 1 0
	fi
}

# The node of QEMU's tree for 128 MiB, and zones for exactly that RAM.
MEM128='	memory@80000000 {
		device_type = "memory";
		reg = <0x00 0x80000000 0x00 0x8000000>;
	};
'
NODE128='  node   0: [mem 0x0000000080000000-0x0000000087ffffff]'
ZONES128='^  DMA32    \[mem 0x0000000080000000-0x0000000087ffffff\]$'
STRUCTS128='^memmap: 32768 struct pages of 32 bytes \(1024K\), 1 section\(s\) of 128 MiB, one flat array$'

# Overlapping ranges in two nodes: merged, with a warning.
mkdt overlap 128M '	memory@80000000 {
		device_type = "memory";
		reg = <0x00 0x80000000 0x00 0x6000000>;
	};
	memory@84000000 {
		device_type = "memory";
		reg = <0x00 0x84000000 0x00 0x4000000>;
	};
' ''
boot_dt overlap 128M /dev/null "ktest=page_alloc"
check dt-overlap 0 \
	"^dt: warning: /memory@84000000: \[mem 0x0000000084000000-0x0000000087ffffff\] overlaps \[mem 0x0000000080000000-0x0000000085ffffff\]: merged$" \
	"$ZONES128" "$STRUCTS128"
map_is dt-overlap dt-overlap-map "$NODE128"

# Duplicates: the same range twice in one reg and again in another node.
mkdt duplicate 128M '	memory@80000000 {
		device_type = "memory";
		reg = <0x00 0x80000000 0x00 0x8000000 0x00 0x80000000 0x00 0x8000000>;
	};
	memory@80000001 {
		device_type = "memory";
		reg = <0x00 0x80000000 0x00 0x8000000>;
	};
' ''
boot_dt duplicate 128M /dev/null "ktest=page_alloc"
check dt-duplicate 0 \
	"^dt: warning: /memory@80000000: \[mem 0x0000000080000000-0x0000000087ffffff\] overlaps \[mem 0x0000000080000000-0x0000000087ffffff\]: merged$" \
	"^dt: warning: /memory@80000001: \[mem 0x0000000080000000-0x0000000087ffffff\] overlaps \[mem 0x0000000080000000-0x0000000087ffffff\]: merged$" \
	"$ZONES128" "$STRUCTS128"
map_is dt-duplicate dt-duplicate-map "$NODE128"

# A zero-size entry: dropped with a warning.
mkdt zero-size 128M '	memory@80000000 {
		device_type = "memory";
		reg = <0x00 0x80000000 0x00 0x8000000 0x00 0x90000000 0x00 0x00>;
	};
' ''
boot_dt zero-size 128M /dev/null "ktest=page_alloc"
check dt-zero-size 0 "^dt: warning: /memory@80000000: zero-size reg entry 1 dropped$" "$ZONES128"
map_is dt-zero-size dt-zero-size-map "$NODE128"

# A range whose end overflows 64 bits: the tree is refused.
mkdt wrap 128M '	memory@80000000 {
		device_type = "memory";
		reg = <0x00 0x80000000 0x00 0x8000000 0xffffffff 0xfffff000 0x00 0x2000>;
	};
' ''
boot_dt wrap 128M /dev/null "run=poweroff"
check dt-wrap 2 \
	"Kernel panic on hart [0-9]+ \(cpu 0\): device tree at 0x[0-9a-f]+ is unusable: address range wraps or is reversed \(error -12\)$"

# The same for a reserved range: a mem-reserve entry running past 2^64.
mkdt wrap-reserved 128M "$MEM128" '' 's|^/dts-v1/;$|/dts-v1/;\n/memreserve/ 0xfffffffffffff000 0x2000;|'
boot_dt wrap-reserved 128M /dev/null "run=poweroff"
check dt-wrap-reserved 2 \
	"Kernel panic on hart [0-9]+ \(cpu 0\): device tree at 0x[0-9a-f]+ is unusable: address range wraps or is reversed \(error -12\)$"

# QEMU has 256 MiB; the tree gives 128 MiB, and names the rest in a node
# without device_type, which is ignored with a warning: zones, struct
# pages and the Memory line cover 128 MiB only. (The DTB, which QEMU puts
# near the end of its 256 MiB, lies outside that RAM.)
mkdt no-device-type 256M "$MEM128"'	memory@88000000 {
		reg = <0x00 0x88000000 0x00 0x8000000>;
	};
' ''
boot_dt no-device-type 256M /dev/null "ktest=page_alloc"
check dt-no-device-type 0 '^dt: warning: /memory@88000000: no device_type "memory": ignored$' \
	"$ZONES128" "$STRUCTS128" "^Memory: [0-9]+K/131072K available " \
	"^  \[mem 0x000000008fe00000-0x[0-9a-f]{16}\] dtb$"
map_is dt-no-device-type dt-no-device-type-map "$NODE128"

# The only memory node lacks device_type: no RAM at all.
mkdt only-untyped 128M '	memory@80000000 {
		reg = <0x00 0x80000000 0x00 0x8000000>;
	};
' ''
boot_dt only-untyped 128M /dev/null "run=poweroff"
check dt-only-untyped 2 '^dt: warning: /memory@80000000: no device_type "memory": ignored$' \
	"Kernel panic on hart [0-9]+ \(cpu 0\): device tree at 0x[0-9a-f]+ is unusable: no memory node \(error -10\)$"

RESMEM_HEAD='	reserved-memory {
		#address-cells = <0x02>;
		#size-cells = <0x02>;
		ranges;
'
# A reserved range over the kernel image: that memory is someone else's.
mkdt reserved-kernel 128M "$MEM128" "$RESMEM_HEAD"'		hostile@80200000 {
			reg = <0x00 0x80200000 0x00 0x200000>;
		};
	};
'
boot_dt reserved-kernel 128M /dev/null "run=poweroff"
check dt-reserved-kernel 2 \
	"^  \[mem 0x0000000080200000-0x00000000803fffff\] hostile@80200000$" \
	"Kernel panic on hart [0-9]+ \(cpu 0\): the device tree reserves \[mem 0x0000000080200000-0x00000000803fffff\] \(hostile@80200000\), which holds the kernel image \[mem 0x0000000080200000-0x[0-9a-f]{16}\]$"

# All of RAM reserved (no-map): the kernel image is inside it too.
mkdt reserved-all 128M "$MEM128" "$RESMEM_HEAD"'		all@80000000 {
			reg = <0x00 0x80000000 0x00 0x8000000>;
			no-map;
		};
	};
'
boot_dt reserved-all 128M /dev/null "run=poweroff"
check dt-reserved-all 2 \
	"^  \[mem 0x0000000080000000-0x0000000087ffffff\] all@80000000 \(no-map\)$" \
	"Kernel panic on hart [0-9]+ \(cpu 0\): the device tree reserves \[mem 0x0000000080000000-0x0000000087ffffff\] \(all@80000000\), which holds the kernel image"

# All of RAM but the kernel image reserved: nothing left to allocate from.
kend=$(riscv64-unknown-elf-nm "$KERNEL" | awk '$3 == "_end" { print $1 }')
kend=$(( (0x$kend + 4095) / 4096 * 4096 ))
mkdt reserved-all-but-kernel 128M "$MEM128" "$RESMEM_HEAD$(printf '\t\tbelow@80000000 {
			reg = <0x00 0x80000000 0x00 0x200000>;
		};
		above@%x {
			reg = <0x00 0x%x 0x00 0x%x>;
		};
	};
' $kend $kend $(( 0x88000000 - kend )))"
boot_dt reserved-all-but-kernel 128M /dev/null "run=poweroff"
check dt-reserved-all-but-kernel 2 \
	"Kernel panic on hart [0-9]+ \(cpu 0\): no free RAM: the device tree's reserved ranges and the kernel cover all of it$"

# RAM that does not hold the kernel image (it starts above it).
mkdt kernel-outside-ram 128M '	memory@84000000 {
		device_type = "memory";
		reg = <0x00 0x84000000 0x00 0x4000000>;
	};
' ''
boot_dt kernel-outside-ram 128M /dev/null "run=poweroff"
check dt-kernel-outside-ram 2 \
	"Kernel panic on hart [0-9]+ \(cpu 0\): the kernel image \[mem 0x0000000080200000-0x[0-9a-f]{16}\] is not inside the RAM the device tree describes$"

# Reserved ranges at the edges: a mem-reserve entry running past the end of
# RAM, a /reserved-memory child wholly outside RAM, a zero-size child and a
# dynamic one (size, no reg: 4 MiB placed top-down below the mem-reserve
# entry, which holds the dtb). The map lists them; the allocator gets
# 16 + 4 MiB less, and page_alloc passes.
mkdt reserved-edges 128M "$MEM128" "$RESMEM_HEAD"'		outside@100000000 {
			reg = <0x01 0x00 0x00 0x100000>;
		};
		empty@84000000 {
			reg = <0x00 0x84000000 0x00 0x00>;
		};
		dynamic {
			size = <0x00 0x400000>;
		};
	};
' 's|^/dts-v1/;$|/dts-v1/;\n/memreserve/ 0x87000000 0x2000000;|'
boot_dt reserved-edges 128M /dev/null "ktest=page_alloc"
check dt-reserved-edges 0 \
	"^dt: warning: /reserved-memory/empty@84000000: zero-size reg entry 0 dropped$" \
	"^dt: /reserved-memory/dynamic: dynamic: \[mem 0x0000000086c00000-0x0000000086ffffff\] \(size 0x400000, align 0x40\)$" \
	"^  \[mem 0x0000000086c00000-0x0000000086ffffff\] dynamic \(dynamic\)$" \
	"^  \[mem 0x0000000087000000-0x0000000088ffffff\] memreserve$" \
	"^  \[mem 0x0000000100000000-0x00000001000fffff\] outside@100000000$" "$ZONES128"
map_is dt-reserved-edges dt-reserved-edges-map "$NODE128"
avail=$(tr -d '\r' <"$LOGDIR/dt-reserved-edges.log" | sed -n 's/^Memory: \([0-9]*\)K\/131072K available .*/\1/p')
if [ -n "$avail" ] && [ "$avail" -le $(( 131072 - 16384 - 4096 - 512 - 4 )) ]; then
	echo "ok   dt-reserved-edges-available: ${avail}K, below 128 MiB less the reserved 16 + 4 MiB, firmware and DTB"
	record dt-reserved-edges-available 1 0
else
	echo "FAIL dt-reserved-edges-available: '${avail}'K available"
	record dt-reserved-edges-available 0 1
fi

# A board tree that reserves its firmware itself (opensbi@80000000, 2 MiB,
# no-map): OpenSBI adds its mmode_resv0@80000000 inside it. Linux reports the
# overlap; so does rvmm, keeps both reserved, and page_alloc passes.
mkdt reserved-firmware-twice 128M "$MEM128" "$RESMEM_HEAD"'		opensbi@80000000 {
			reg = <0x00 0x80000000 0x00 0x200000>;
			no-map;
		};
	};
'
boot_dt reserved-firmware-twice 128M /dev/null "ktest=page_alloc"
check dt-reserved-firmware-twice 0 \
	"^dt: warning: /reserved-memory/opensbi@80000000 \[mem 0x0000000080000000-0x00000000801fffff\] overlaps /reserved-memory/mmode_resv0@80000000 \[mem 0x0000000080000000-0x000000008007ffff\]: both reserved$" \
	"^  \[mem 0x0000000080000000-0x00000000801fffff\] opensbi@80000000 \(no-map\)$" "$ZONES128"

# /reserved-memory with cells 1/1 under the 2/2 root: OpenSBI writes its
# mmode_resv0 there with the root's cells, which read with 1/1 left its
# memory free (a store into it faulted under ktest=page_alloc). Refused,
# naming both pairs of cells.
mkdt reserved-cells-differ 128M "$MEM128" '	reserved-memory {
		#address-cells = <0x01>;
		#size-cells = <0x01>;
		ranges;
		framebuffer@86000000 {
			reg = <0x86000000 0x100000>;
			no-map;
		};
	};
'
boot_dt reserved-cells-differ 128M /dev/null "ktest=page_alloc"
check dt-reserved-cells-differ 2 \
	"Kernel panic on hart [0-9]+ \(cpu 0\): device tree at 0x[0-9a-f]+ is unusable: bad #address-cells or #size-cells: /reserved-memory has #address-cells/#size-cells 1/1, the root 2/2: they must be equal, as firmware \(OpenSBI\) writes its reserved-memory children with the root's \(error -8\)$"

# /chosen without stdout-path or bootargs (QEMU 7.2 refuses a -dtb with no
# /chosen at all: it writes rng-seed there). The console falls back to the
# first UART; the shell is driven from standard input.
mkdt empty-chosen 128M "$MEM128" '' '/stdout-path = /d'
printf '\nktest page_alloc\npoweroff 6\n' >"$DT/empty-chosen.in"
boot_dt empty-chosen 128M "$DT/empty-chosen.in" ""
check dt-empty-chosen 6 "^console: no /chosen stdout-path$" \
	"^console: using serial@10000000 instead$" "^Kernel command line: $" "$ZONES128"
map_is dt-empty-chosen dt-empty-chosen-map "$NODE128"

# A stdout-path that names no node.
mkdt stdout-nothing 128M "$MEM128" '' 's|stdout-path = .*|stdout-path = "/soc/serial@20000000";|'
boot_dt stdout-nothing 128M /dev/null "ktest=page_alloc"
check dt-stdout-nothing 0 '^console: stdout-path "/soc/serial@20000000" names no usable UART$' \
	"^console: using serial@10000000 instead$" "$ZONES128"
map_is dt-stdout-nothing dt-stdout-nothing-map "$NODE128"

# An initrd outside RAM: warned about and ignored (not reserved).
mkdt initrd-outside 128M "$MEM128" '' \
	's|\(\tstdout-path = .*\)|\1\n\t\tlinux,initrd-start = <0x00 0x90000000>;\n\t\tlinux,initrd-end = <0x00 0x90100000>;|'
boot_dt initrd-outside 128M /dev/null "ktest=page_alloc"
check dt-initrd-outside 0 \
	"^dt: warning: /chosen: initrd \[mem 0x0000000090000000-0x00000000900fffff\] is not inside RAM: ignored$" \
	"$ZONES128"
no_log dt-initrd-outside dt-initrd-outside-not-reserved "\] initrd$"
map_is dt-initrd-outside dt-initrd-outside-map "$NODE128"

# ==== 3. stress ===============================================================

qemu_run stress-short 120 /dev/null $VIRT -smp 4 -m 256M -kernel "$KERNEL" \
	-append 'run="stress 400000 7;poweroff"'
check stress-short 0 "^stress: ops=400000 errors=0 leaked_pages=0$" "^stress: harts=4 kmalloc=slab "
no_log stress-short stress-short-quiet "^stress: error" "^BUG: " "^kfree: " "^slab error" "^slob: "

# Every hart allocating at once with 95% of memory held, background
# reclaim and cache_reap on, under fail_page_alloc=: the run ends (no
# deadlock: a hang is the timeout), with no error and no leak
# (tests/target/reclaim_test.c, suite reclaim_pressure).
ktest_run reclaim-pressure-fault 180 $VIRT -smp 4 -m 128M -kernel "$KERNEL" \
	-append "fail_page_alloc=5% ktest=reclaim_pressure"
no_log reclaim-pressure-fault reclaim-pressure-fault-quiet "^stress: error" "^BUG: " "^slab error"

# The vmstat command after a stress run on 4 harts at 128 MiB: Linux's
# "name value" lines; the other harts' ticks ran cache_reap (slab_reap=
# in ms). With slab_reap=0 no hart reaps.
qemu_run vmstat-reap 120 /dev/null $VIRT -smp 4 -m 128M -kernel "$KERNEL" \
	-append 'slab_reap=20 run="stress 100000 4;vmstat;poweroff"'
check vmstat-reap 0 "^stress: ops=100000 errors=0 leaked_pages=0$" "^nr_free_pages [0-9]+$" \
	"^allocstall_normal [0-9]+$" "^kswapd_wakeup [0-9]+$" "^pgsteal_kswapd [0-9]+$" \
	"^drain_ipi_sent [0-9]+$" "^slab_reap_runs [1-9][0-9]*$" "^allocfail_dma32 [0-9]+$"
qemu_run vmstat-noreap 60 /dev/null $VIRT -smp 4 -m 128M -kernel "$KERNEL" \
	-append 'slab_reap=0 run="stress 20000 4;vmstat;poweroff"'
check vmstat-noreap 0 "^slab_reap_runs 0$" "^slab_reap_objects 0$"

qemu_run stress-slab-debug 120 /dev/null $VIRT -smp 4 -m 256M -kernel "$KERNEL" \
	-append 'slab_debug run="stress 100000 8;poweroff"'
check stress-slab-debug 0 "^stress: ops=100000 errors=0 leaked_pages=0$"
no_log stress-slab-debug stress-slab-debug-quiet "^stress: error" "^slab error" "^kmem_cache_check: "

# Settings combined (tests/qemu/combos.py, make combos; docs/reliability.md):
# ktest=all under the first four draws of seed 1, each a result of its own.
tests/qemu/combos.py --seed 1 --count 4 --kernel "$KERNEL" --logdir "$LOGDIR/combos" \
	>"$LOGDIR/combos.out" 2>&1
i=0
while read -r verdict rest; do
	case "$verdict" in
	ok | FAIL) ;;
	*) continue ;;
	esac
	i=$((i + 1))
	if [ "$verdict" = ok ]; then
		echo "ok   combos-1-$i: ${rest#*-no-reboot }"
		record "combos-1-$i" 1 0
	else
		echo "FAIL combos-1-$i: $rest (log: $LOGDIR/combos/)"
		record "combos-1-$i" 0 1
	fi
done <"$LOGDIR/combos.out"
[ "$i" = 4 ] || { echo "FAIL combos: $i of 4 runs reported"; cat "$LOGDIR/combos.out"; record combos 0 1; }
