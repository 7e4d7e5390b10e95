#!/bin/sh
# rvmm-dt.sh - build/rvmm-dt, the board owner's preflight (tools/rvmm-dt.c,
# docs/boards.md), on every device tree fixture of tests/dts and on the board
# trees of tests/dts/boards (the HiFive boards', the Icicle Kit's, ...):
#   - each bad-* fixture is refused (status 1) with the kernel's panic
#     message naming its cause, and so are nearfull (no room for the struct
#     pages) and nommu-k210 (no hart has an MMU); every other fixture is
#     accepted (status 0);
#   - exact memory maps and zones for several trees, the board trees' console,
#     timer and IPI devices and harts, zone_dma_limit=, mem=, the memory map checks
#     that stop the boot, and usage errors (status 2);
#   - its memory map, zones and memmap line against the kernel's own boot
#     log on QEMU with the same DTB, at the address the kernel reports (on
#     virt, sifive_u and microchip-icicle-kit).
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh

TOOL=build/rvmm-dt
DTB=build/dtb
BOARDS=build/dtb/boards
# A fixed kernel image, so that the expected maps do not follow its size.
KAT="--kernel-at 0x80200000 0x200000"

# dt NAME ARGS...: run the tool, output to the log NAME, status in RC.
dt() {
	name=$1
	shift
	RC=0
	"$TOOL" "$@" >"$LOGDIR/$name.log" 2>&1 || RC=$?
}

# map_of FILE: the lines from "Early memory node ranges" to the Normal zone's.
map_of() {
	tr -d '\r' <"$1" | awk '/^Early memory node ranges$/ { on = 1 } on { print } on && /^  Normal / { exit }'
}

# same RESULT EXPECTED_FILE ACTUAL_FILE: one result, the files are equal.
same() {
	if diff -u "$2" "$3" >"$LOGDIR/$1.diff" 2>&1; then
		echo "ok   $1"
		record "$1" 1 0
	else
		echo "FAIL $1: expected - , got +"
		cat "$LOGDIR/$1.diff"
		record "$1" 0 1
	fi
}

# map_is NAME: the map of run NAME must be the expected lines on stdin.
map_is() {
	cat >"$LOGDIR/$1.map.want"
	map_of "$LOGDIR/$1.log" >"$LOGDIR/$1.map.got"
	same "$1-map" "$LOGDIR/$1.map.want" "$LOGDIR/$1.map.got"
}

# dtb_line FILE AT: the "dtb" reserved line of FILE's blob placed at AT.
dtb_line() {
	printf '  [mem 0x%016x-0x%016x] dtb\n' "$2" $(($2 + $(stat -c %s "$1") - 1))
}

# ==== every fixture: refused with its cause, or accepted =====================

cause_of() {
	case $1 in
	bad-cells | bad-resmem-cells | bad-size-cells) echo "bad #address-cells or #size-cells" ;;
	bad-cpus-addr0-reg) echo "bad #address-cells or #size-cells: /cpus/cpu@0 has a reg, but /cpus has #address-cells 0: its hart id cannot be read" ;;
	bad-resmem-cells-differ) echo "bad #address-cells or #size-cells: /reserved-memory has #address-cells/#size-cells 1/1, the root 2/2: they must be equal, as firmware \(OpenSBI\) writes its reserved-memory children with the root's" ;;
	bad-resmem-dynamic-toomany) echo "too many entries for rvmm's tables: dynamic reservations: /reserved-memory/d16 is number 17 \(size, no reg\); rvmm's table holds 16" ;;
	bad-resmem-toomany) echo "too many entries for rvmm's tables: reserved ranges: /reserved-memory/r64@86400000 brings range 65 of the tree \(mem-reserve entries and /reserved-memory regs\); rvmm's table holds 64" ;;
	bad-toomany) echo "too many entries for rvmm's tables: memory banks: /memory@80000000 brings RAM range 33 \(after joining\); rvmm's table holds 32" ;;
	bad-deep) echo "nodes nested too deep" ;;
	bad-initrd-order | bad-wrap) echo "address range wraps or is reversed" ;;
	bad-nomem) echo "no memory node" ;;
	bad-mem-placeholder) echo "no memory node: /memory@0 and 1 more memory nodes give no RAM \(zero-size reg or none\): placeholders the boot loader fills in" ;;
	*) echo "bad property length" ;; # bootargs, initrd-len, mmu-type, reg-*, stdout, timebase
	esac
}

for f in tests/dts/*.dts; do
	n=$(basename "$f" .dts)
	dt "rvmm-dt-$n" --dtb-at 0x87e00000 "$DTB/$n.dtb"
	case $n in
	bad-*)
		cause=$(cause_of "$n")
		check "rvmm-dt-$n" 1 \
			"^Kernel panic: device tree at 0x87e00000 is unusable: $cause \(error -[0-9]+\)$" \
			"^rvmm-dt: rvmm would not boot with this device tree$"
		;;
	nearfull) # parses, but leaves too little free memory for the struct pages
		check "rvmm-dt-$n" 1 \
			"^Kernel panic: mm: cannot build the page allocator: no room for a section's struct pages \(1048576 bytes\); memblock has [0-9]+ bytes free, the largest piece [0-9]+ bytes \(error -12\)$" \
			"^rvmm-dt: rvmm would not boot with this device tree$"
		;;
	nommu-k210) # no hart has an MMU: refused whichever boots
		check "rvmm-dt-$n" 1 \
			"^harts: no cpu node has an MMU: whichever hart boots, hart 0 for one$" \
			"^Kernel panic: the device tree's cpu node for the boot hart 0 says no MMU \(mmu-type riscv,none\): rvmm needs an Sv39 MMU$" \
			"^rvmm-dt: rvmm would not boot with this device tree$"
		;;
	dtb-small-first-bank) # the kernel at its first bank's base + 0x200000 is not in RAM (placed below)
		check "rvmm-dt-$n" 1 \
			"^Kernel panic: the kernel image \[mem 0x0000000080300000-0x[0-9a-f]{16}\] is not inside the RAM the device tree describes$"
		;;
	ram-all-above-256g) # no RAM the direct map reaches: refused naming that
		check "rvmm-dt-$n" 1 \
			"^memblock: RAM above 256 GiB \[mem 0x0000010000000000-0x00000101ffffffff\] left out \(8192 MiB\): the direct map ends there$" \
			"^Kernel panic: no RAM below 256 GiB, where the direct map ends: all of the device tree's RAM \[mem 0x0000010000000000-0x00000101ffffffff\] lies above it$" \
			"^rvmm-dt: rvmm would not boot with this device tree$"
		;;
	frag) # one flat array of struct pages does not fit: one per section does
		check "rvmm-dt-$n" 0 \
			"^memmap: 131072 struct pages of 32 bytes \(4096K\), 4 section\(s\) of 128 MiB, an array per section$" \
			"^rvmm-dt: rvmm would boot with this device tree \([0-9]+ warnings?\)$"
		;;
	*)
		check "rvmm-dt-$n" 0 "^Early memory node ranges$" "^Zone ranges:$" \
			"^rvmm-dt: rvmm would boot with this device tree \([0-9]+ warnings?\)$"
		;;
	esac
done

# Overlapping /reserved-memory children (OpenSBI's mmode_resv0 inside the
# board's own opensbi@80000000): one warning per pair, as Linux reports them,
# and both in the map.
check_log rvmm-dt-resmem-overlap rvmm-dt-resmem-overlap-warned \
	"^dt: warning: /reserved-memory/opensbi@80000000 \[mem 0x0000000080000000-0x00000000801fffff\] overlaps /reserved-memory/mmode_resv0@80000000 \[mem 0x0000000080000000-0x000000008007ffff\]: both reserved$" \
	"^dt: warning: /reserved-memory/fb@85000000 \[mem 0x00000000840ff000-0x0000000084100fff\] overlaps /reserved-memory/shared@84000000 \[mem 0x0000000084000000-0x00000000840fffff\]: both reserved$" \
	"^dt: warning: /reserved-memory: no ranges \(Linux ignores such a node\): identity assumed$" \
	"^  \[mem 0x0000000080000000-0x00000000801fffff\] opensbi@80000000 \(no-map\)$"

# Dynamic /reserved-memory nodes (size, no reg): each placed after every
# static reservation, top-down, in the order of the tree (the ranges the
# fixture's comment works out), one line each, and in the map by name.
dt resmem-dynamic $KAT --dtb-at 0xbfe00000 "$DTB/resmem-dynamic.dtb"
check resmem-dynamic 0 \
	"^dynamic reservations: 5 of the tree \(/reserved-memory nodes with size, no reg\); rvmm's table holds 16$" \
	"^dt: /reserved-memory/linux,cma: dynamic: \[mem 0x00000000ba000000-0x00000000bdffffff\] \(size 0x4000000, align 0x200000, alloc-ranges entry 0\)$" \
	"^dt: /reserved-memory/tee: dynamic: \[mem 0x000000009fe00000-0x000000009fffffff\] \(size 0x200000, align 0x200000, alloc-ranges entry 1\)$" \
	"^rvmm-dt: rvmm would boot with this device tree \(0 warnings\)$"
{
	cat <<'EOF'
Early memory node ranges
  node   0: [mem 0x0000000080000000-0x00000000bfffffff]
  node   0: [mem 0x0000000180000000-0x00000001bfffffff]
Reserved memory:
  [mem 0x0000000080000000-0x000000008007ffff] mmode_resv0@80000000
  [mem 0x0000000080200000-0x00000000803fffff] kernel
  [mem 0x000000009fe00000-0x000000009fffffff] tee (dynamic)
  [mem 0x00000000ba000000-0x00000000bdffffff] linux,cma (dynamic, reusable)
  [mem 0x00000000be000000-0x00000000be0fffff] memreserve
  [mem 0x00000000bf000000-0x00000000bf7fffff] firmware@bf000000 (no-map)
EOF
	dtb_line "$DTB/resmem-dynamic.dtb" 0xbfe00000
	cat <<'EOF'
  [mem 0x00000001bfefd7c0-0x00000001bfefe7bf] fw-scratch (dynamic)
  [mem 0x00000001bfefe7c0-0x00000001bfefffff] log-buffer (dynamic)
  [mem 0x00000001bff00000-0x00000001bfffffff] dsp-pool (dynamic, no-map)
Zone ranges:
  DMA      empty
  DMA32    [mem 0x0000000080000000-0x00000000ffffffff]
  Normal   [mem 0x0000000100000000-0x00000001bfffffff]
EOF
} | map_is resmem-dynamic
# The ones that cannot be placed: a warning each naming the node and why,
# counted; nothing of them reserved; the one that fits goes below the initrd.
dt resmem-dynamic-errors $KAT --dtb-at 0x8fe00000 "$DTB/resmem-dynamic-errors.dtb"
check resmem-dynamic-errors 0 \
	"^dt: warning: /reserved-memory/zero-size: size 0: skipped$" \
	"^dt: warning: /reserved-memory/size-cells: size is 4 bytes, not 8 \(#size-cells 2\): skipped$" \
	"^dt: warning: /reserved-memory/align-three: alignment 0x3000 is not a power of two: skipped$" \
	"^dt: warning: /reserved-memory/ranges-len: alloc-ranges is 20 bytes, not a whole number of 16-byte entries \(an address and a size\): skipped$" \
	"^dt: warning: /reserved-memory/outside-ram: no alloc-ranges entry holds RAM: skipped$" \
	"^dt: warning: /reserved-memory/too-big: no room for 0x10000000 bytes aligned to 0x40 in RAM: skipped$" \
	"^dt: warning: /reserved-memory/no-room: no room for 0x300000 bytes aligned to 0x40 in its alloc-ranges: skipped$" \
	"^rvmm-dt: rvmm would boot with this device tree \(11 warnings\)$" # 10, + no timer/IPI device
{
	cat <<'EOF'
Early memory node ranges
  node   0: [mem 0x0000000080000000-0x000000008fffffff]
Reserved memory:
  [mem 0x0000000080000000-0x000000008007ffff] mmode_resv0@80000000
  [mem 0x0000000080200000-0x00000000803fffff] kernel
  [mem 0x000000008ed00000-0x000000008effffff] fits (dynamic)
  [mem 0x000000008f000000-0x000000008fbfffff] initrd
EOF
	dtb_line "$DTB/resmem-dynamic-errors.dtb" 0x8fe00000
	cat <<'EOF'
Zone ranges:
  DMA      empty
  DMA32    [mem 0x0000000080000000-0x000000008fffffff]
  Normal   empty
EOF
} | map_is resmem-dynamic-errors

# The tree's reserved ranges against the limit: 64 with OpenSBI's own
# (resmem-full) boot; 64 without it get a warning, since OpenSBI adds one.
check_log rvmm-dt-resmem-full rvmm-dt-resmem-full-count \
	"^reserved ranges: 64 of the tree \(mem-reserve entries and /reserved-memory regs\); rvmm's table holds 64$" \
	"^  \[mem 0x0000000084200000-0x0000000084200e3d\] initrd$" "\] kernel$"
sed -e '/mmode_resv0@80000000 {/,/};/d' tests/dts/bad-resmem-toomany.dts |
	dtc -q -I dts -O dtb -o "$LOGDIR/resmem-64-no-firmware.dtb"
dt rvmm-dt-resmem-no-firmware --dtb-at 0x87e00000 "$LOGDIR/resmem-64-no-firmware.dtb"
check rvmm-dt-resmem-no-firmware 0 \
	"^reserved ranges: OpenSBI adds its own \(mmode_resv0\) to a tree that lacks it: that one would be range 65, and rvmm would refuse the tree$" \
	"^rvmm-dt: rvmm would boot with this device tree \(1 warning\)$"

# An initrd that another reservation overlaps stays reserved after use: said.
# One that only its own mem-reserve entry covers (U-Boot's) is released.
no_log rvmm-dt-initrd-memreserve rvmm-dt-initrd-memreserve-own "^initrd: overlaps"
sed -e 's|^/memreserve/ 0x84200000 0xe3e;|/memreserve/ 0x84200000 0x1000;|' tests/dts/initrd-memreserve.dts |
	dtc -q -I dts -O dtb -o "$LOGDIR/initrd-memreserve-page.dtb"
dt rvmm-dt-initrd-memreserve-page --dtb-at 0x87e00000 "$LOGDIR/initrd-memreserve-page.dtb"
check rvmm-dt-initrd-memreserve-page 0 \
	"^initrd: overlaps reserved range memreserve \[mem 0x0000000084200000-0x0000000084200fff\]: its pages would stay reserved after use$"

# dt_parse's warnings come out as the boot prints them, and are counted.
check_log rvmm-dt-warnings rvmm-dt-warnings-lines \
	"^dt: warning: /memory@b0000000: no device_type \"memory\": ignored$" \
	"^dt: warning: /memory@a0000000: zero-size reg entry 0 dropped$"
nwarn=$(grep -c '^dt: warning:' "$LOGDIR/rvmm-dt-warnings.log")
check_log rvmm-dt-warnings rvmm-dt-warnings-counted \
	"^rvmm-dt: rvmm would boot with this device tree \($((nwarn + 2)) warnings\)$" # + no console, no timer

# ==== exact memory maps ======================================================

dt virt $KAT --dtb-at 0x87e00000 "$DTB/virt.dtb"
{
	cat <<'EOF'
Early memory node ranges
  node   0: [mem 0x0000000080000000-0x0000000087ffffff]
Reserved memory:
  [mem 0x0000000080000000-0x000000008007ffff] mmode_resv0@80000000
  [mem 0x0000000080200000-0x00000000803fffff] kernel
EOF
	dtb_line "$DTB/virt.dtb" 0x87e00000
	cat <<'EOF'
Zone ranges:
  DMA      empty
  DMA32    [mem 0x0000000080000000-0x0000000087ffffff]
  Normal   empty
EOF
} | map_is virt
check_log virt virt-facts "^  DMA32    spanned 32768, present 32768 \(128 MiB\)$" \
	"^console: serial@10000000 \(ns16550a at 0x10000000\), named by stdout-path \"/soc/serial@10000000\"$" \
	"^timer: clint@2000000, IPI: clint@2000000 " "^time: timebase-frequency 10000000 Hz$" \
	"^rng-seed: /chosen/rng-seed, 32 bytes used$" "^initrd: none$" \
	"^harts: 4 of 4 would come up \(boot hart 0, assumed: the first usable one\)$"

# Without --dtb-at: where QEMU would put it, 2 MiB aligned below the top of RAM.
dt virt-default-dtb $KAT "$DTB/virt.dtb"
dtb_line "$DTB/virt.dtb" 0x87e00000 >"$LOGDIR/virt-default-dtb.want"
grep ' dtb$' "$LOGDIR/virt-default-dtb.log" >"$LOGDIR/virt-default-dtb.got"
same virt-default-dtb "$LOGDIR/virt-default-dtb.want" "$LOGDIR/virt-default-dtb.got"

# A first RAM bank with no 2 MiB boundary that has room for the blob (4 KiB
# at 0x80100000): the place QEMU would choose, in the first bank that has
# one, not ALIGN_DOWN below the first bank's base, outside RAM (0x80000000).
dt dtb-small-first-bank-place --kernel-at 0x88200000 0x200000 "$DTB/dtb-small-first-bank.dtb"
check dtb-small-first-bank-place 0 \
	"^dtb: at 0x8fe00000, assumed: where QEMU puts it, in RAM range 1 \(the first has no 2 MiB boundary with room for it\); firmware may choose another place \(--dtb-at ADDR\)$"
dtb_line "$DTB/dtb-small-first-bank.dtb" 0x8fe00000 >"$LOGDIR/dtb-small-first-bank-place.want"
grep ' dtb$' "$LOGDIR/dtb-small-first-bank-place.log" >"$LOGDIR/dtb-small-first-bank-place.got"
same dtb-small-first-bank-place-range "$LOGDIR/dtb-small-first-bank-place.want" \
	"$LOGDIR/dtb-small-first-bank-place.got"

dt two-banks $KAT --dtb-at 0x8fe00000 "$DTB/two-banks.dtb"
{
	cat <<'EOF'
Early memory node ranges
  node   0: [mem 0x0000000080000000-0x000000008fffffff]
  node   0: [mem 0x0000000140000000-0x000000014fffffff]
Reserved memory:
  [mem 0x0000000080000000-0x000000008007ffff] mmode_resv0@80000000
  [mem 0x0000000080200000-0x00000000803fffff] kernel
EOF
	dtb_line "$DTB/two-banks.dtb" 0x8fe00000
	cat <<'EOF'
Zone ranges:
  DMA      empty
  DMA32    [mem 0x0000000080000000-0x00000000ffffffff]
  Normal   [mem 0x0000000100000000-0x000000014fffffff]
EOF
} | map_is two-banks
check_log two-banks two-banks-pages "^  DMA32    spanned 524288, present 65536 \(256 MiB\)$" \
	"^  Normal   spanned 327680, present 65536 \(256 MiB\)$" "^harts: hart 2 left down: status not okay$"

dt memreserve $KAT --dtb-at 0x8fe00000 "$DTB/memreserve.dtb"
{
	cat <<'EOF'
Early memory node ranges
  node   0: [mem 0x0000000080000000-0x000000008fffffff]
Reserved memory:
  [mem 0x0000000080200000-0x00000000803fffff] kernel
  [mem 0x0000000084000000-0x0000000084001fff] memreserve
  [mem 0x0000000088000000-0x000000008800ffff] memreserve
EOF
	dtb_line "$DTB/memreserve.dtb" 0x8fe00000
	cat <<'EOF'
Zone ranges:
  DMA      empty
  DMA32    [mem 0x0000000080000000-0x000000008fffffff]
  Normal   empty
EOF
} | map_is memreserve

dt virt-8g $KAT --dtb-at 0xbfe00000 "$DTB/virt-8g.dtb"
{
	cat <<'EOF'
Early memory node ranges
  node   0: [mem 0x0000000080000000-0x000000027fffffff]
Reserved memory:
  [mem 0x0000000080000000-0x000000008007ffff] mmode_resv0@80000000
  [mem 0x0000000080200000-0x00000000803fffff] kernel
EOF
	dtb_line "$DTB/virt-8g.dtb" 0xbfe00000
	cat <<'EOF'
Zone ranges:
  DMA      empty
  DMA32    [mem 0x0000000080000000-0x00000000ffffffff]
  Normal   [mem 0x0000000100000000-0x000000027fffffff]
EOF
} | map_is virt-8g
check_log virt-8g virt-8g-pages "^  DMA32    spanned 524288, present 524288 \(2048 MiB\)$" \
	"^  Normal   spanned 1572864, present 1572864 \(6144 MiB\)$"

# zone_dma_limit= as the kernel parameter: ZONE_DMA below it; cut to 4 GiB.
dt virt-8g-dma $KAT --dtb-at 0xbfe00000 zone_dma_limit=0x90000000 "$DTB/virt-8g.dtb"
check virt-8g-dma 0 "^  DMA      \[mem 0x0000000080000000-0x000000008fffffff\]$" \
	"^  DMA32    \[mem 0x0000000090000000-0x00000000ffffffff\]$" \
	"^  DMA      spanned 65536, present 65536 \(256 MiB\)$"
dt virt-8g-dma-6g $KAT --dtb-at 0xbfe00000 zone_dma_limit=6G "$DTB/virt-8g.dtb"
check virt-8g-dma-6g 0 "^  DMA      \[mem 0x0000000080000000-0x00000000ffffffff\]$" \
	"^  DMA32    empty$" "^  Normal   \[mem 0x0000000100000000-0x000000027fffffff\]$"
dt virt-8g-dma-bad zone_dma_limit=lots "$DTB/virt-8g.dtb"
check virt-8g-dma-bad 2 "^cmdline: invalid value for 'zone_dma_limit': 'lots' \(error -22\)$" \
	"zone_dma_limit=lots: not an address"

# mem= as the kernel parameter: the lowest SIZE bytes of RAM, as the boot
# has them; below the kernel image's end refused; no size: a usage error.
dt virt-8g-mem $KAT --dtb-at 0xbfe00000 mem=5G "$DTB/virt-8g.dtb"
check virt-8g-mem 0 \
	"^memory: mem=5242880K: using 5242880K of 8388608K of RAM, none from 0x00000001c0000000 up$" \
	"^  node   0: \[mem 0x0000000080000000-0x00000001bfffffff\]$" \
	"^  Normal   spanned 786432, present 786432 \(3072 MiB\)$"
dt virt-8g-mem-small $KAT --dtb-at 0xbfe00000 mem=1M "$DTB/virt-8g.dtb"
check virt-8g-mem-small 0 "^memory: mem=1024K would leave out part of the kernel image" \
	"^  Normal   spanned 1572864, present 1572864 \(6144 MiB\)$"
dt virt-8g-mem-bad mem=1k "$DTB/virt-8g.dtb"
check virt-8g-mem-bad 2 "^cmdline: invalid value for 'mem': '1k' \(error -22\)$" \
	"mem=1k: not a size of at least a page"

# maxcpus= / nosmp as the kernel parameters: the harts line counts them.
dt virt-8g-maxcpus $KAT --dtb-at 0xbfe00000 maxcpus=2 "$DTB/virt-8g.dtb"
check virt-8g-maxcpus 0 "^harts: hart 3 left down: maxcpus=2$" \
	"^harts: 2 of 4 would come up \(boot hart 0, assumed: the first usable one\)$"
dt virt-8g-nosmp $KAT --dtb-at 0xbfe00000 nosmp "$DTB/virt-8g.dtb"
check virt-8g-nosmp 0 "^harts: 1 of 4 would come up "

# The pieces of RAM memblock leaves unused, as the kernel reports them.
dt ram-above-256g $KAT --dtb-at 0x8fe00000 "$DTB/ram-above-256g.dtb"
check_log ram-above-256g ram-above-256g-left-out \
	"^memblock: RAM above 256 GiB \[mem 0x0000004000000000-0x000000503fffffff\] left out \(1280 MiB\): the direct map ends there$" \
	"^  Normal   spanned 66060288, present 65536 \(256 MiB\)$"
dt oddbanks $KAT --dtb-at 0xbfe00000 "$DTB/oddbanks.dtb"
check_log oddbanks oddbanks-partial-pages \
	"^memblock: \[mem 0x0000000180000800-0x0000000180000fff\] not usable: partial page at the start of a RAM range$" \
	"^memblock: \[mem 0x0000000181000000-0x00000001810007ff\] not usable: partial page at the end of a RAM range$"

# ==== the HiFive board trees =================================================

# board NAME LAST_RAM NORMAL_END: the map of board tree NAME with 8 or 16 GiB.
board_map() {
	dt "$1" $KAT --dtb-at 0xbfe00000 "$BOARDS/$1.dtb"
	{
		cat <<EOF
Early memory node ranges
  node   0: [mem 0x0000000080000000-0x$2]
Reserved memory:
  [mem 0x0000000080200000-0x00000000803fffff] kernel
EOF
		dtb_line "$BOARDS/$1.dtb" 0xbfe00000
		cat <<EOF
Zone ranges:
  DMA      empty
  DMA32    [mem 0x0000000080000000-0x00000000ffffffff]
  Normal   [mem 0x0000000100000000-0x$2]
EOF
	} | map_is "$1"
	check_log "$1" "$1-console-harts" \
		"^console: serial@10010000 \(sifive,uart0 at 0x10010000\), named by stdout-path \"serial0\", an alias$" \
		"^harts: hart 0 left down: no MMU \(no mmu-type\)$" "^time: timebase-frequency 1000000 Hz$" \
		"^  hart 0: mmu-type \(none\), status not okay$" "^  hart 4: mmu-type riscv,sv39, status okay$"
}

for b in hifive-unleashed-a00 hifive-unleashed-a00-clint; do
	board_map $b 000000027fffffff
done
for b in hifive-unmatched-a00 hifive-unmatched-a00-clint; do
	board_map $b 000000047fffffff
done
check_log hifive-unmatched-a00 hifive-unmatched-a00-pages \
	"^  Normal   spanned 3670016, present 3670016 \(14336 MiB\)$" \
	"^  node 0   present 4194304 \(16384 MiB\) in 128 section\(s\) of 128 MiB"

# The E51 (hart 0) has no mmu-type, which does not say "no MMU" (Linux
# does not require the property): booted there, rvmm would try Sv39 and
# paging_init's read-back of satp decide (OpenSBI never starts S-mode on the
# E51); on hart 1 of the same tree it boots.
dt hifive-unleashed-a00-hart0 $KAT --dtb-at 0xbfe00000 --boot-hart 0 "$BOARDS/hifive-unleashed-a00.dtb"
check hifive-unleashed-a00-hart0 0 \
	"^harts: the boot hart 0's cpu node has no mmu-type: Sv39 is tried \(paging reads satp back\)$"
dt hifive-unleashed-a00-hart1 $KAT --dtb-at 0xbfe00000 --boot-hart 1 "$BOARDS/hifive-unleashed-a00.dtb"
check hifive-unleashed-a00-hart1 0 "^  hart 1: mmu-type riscv,sv39, status okay \(boot hart\)$"

# A console= among the bootargs: the console the kernel moves to after the
# command line (drivers/console_select.c), in the kernel's words.
check_log rvmm-dt-console-param rvmm-dt-console-param-moves \
	"^console: serial@10010000 \(sifive,uart0 at 0x10010000\), named by stdout-path \"/soc/serial@10010000\"$" \
	"^console: console=ttySIF1,115200: moving to serial@10011000 \(sifive,uart0 at 0x10011000\)$"
# console=hvc0 where the console is SBI's already: nothing moves, and the
# tree's console warnings are printed once (the choice is made once).
n=$(tr -d '\r' <"$LOGDIR/rvmm-dt-console-param-sbi.log" | grep -c '^console: no /chosen stdout-path$')
if [ "$n" = 1 ]; then
	no_log rvmm-dt-console-param-sbi rvmm-dt-console-param-sbi-stays "moving to"
else
	echo "FAIL rvmm-dt-console-param-sbi-stays: the stdout-path warning printed $n times"
	record rvmm-dt-console-param-sbi-stays 0 1
fi

# Linux's own trees have no CLINT: OpenSBI has no timer and no IPIs.
for b in hifive-unleashed-a00 hifive-unmatched-a00; do
	check_log $b $b-no-clint \
		"^timer, IPI: no device \(no CLINT or ACLINT node\): OpenSBI given this tree gets no timer \(time does not advance\) and no IPIs, so rvmm runs on the boot hart only \(firmware booted from a tree of its own, as U-Boot SPL's on the HiFive boards, has them: rvmm probes both at boot\)$" \
		"^harts: 1 of 4 would come up \(boot hart 1, assumed: the first usable one\): without an IPI device no other hart starts$" \
		"^rvmm-dt: rvmm would boot with this device tree \(1 warning\)$"
	check_log $b-clint $b-clint-devices \
		"^timer: clint@2000000, IPI: clint@2000000 \(the devices OpenSBI drives them with\)$" \
		"^harts: 4 of 4 would come up \(boot hart 1, assumed: the first usable one\)$" \
		"^rvmm-dt: rvmm would boot with this device tree \(0 warnings\)$"
done

# ==== the PolarFire SoC Icicle Kit tree (Linux's, unchanged) ==================

# Two banks of 1 GiB, the second at 0x1040000000; the no-map region@BFC00000
# (the top 4 MiB of the first bank) holds the blob where QEMU puts it; the
# console is MMUART1, named by the alias serial1; hart 0 is the E51.
dt mpfs-icicle-kit $KAT --dtb-at 0xbfe00000 "$BOARDS/mpfs-icicle-kit.dtb"
{
	cat <<'EOF2'
Early memory node ranges
  node   0: [mem 0x0000000080000000-0x00000000bfffffff]
  node   0: [mem 0x0000001040000000-0x000000107fffffff]
Reserved memory:
  [mem 0x0000000080200000-0x00000000803fffff] kernel
  [mem 0x00000000bfc00000-0x00000000bfffffff] region@BFC00000 (no-map)
EOF2
	dtb_line "$BOARDS/mpfs-icicle-kit.dtb" 0xbfe00000
	cat <<'EOF2'
Zone ranges:
  DMA      empty
  DMA32    [mem 0x0000000080000000-0x00000000ffffffff]
  Normal   [mem 0x0000000100000000-0x000000107fffffff]
EOF2
} | map_is mpfs-icicle-kit
check_log mpfs-icicle-kit mpfs-icicle-kit-facts \
	"^console: serial@20100000 \(ns16550a at 0x20100000\), named by stdout-path \"serial1\", an alias$" \
	"^timer: clint@2000000, IPI: clint@2000000 \(the devices OpenSBI drives them with\)$" \
	"^time: timebase-frequency 1000000 Hz$" \
	"^  DMA32    spanned 524288, present 262144 \(1024 MiB\)$" \
	"^  Normal   spanned 16252928, present 262144 \(1024 MiB\)$" \
	"^memmap: 524288 struct pages of 32 bytes \(16384K\), 512 section\(s\) of 128 MiB \(16 with RAM\), an array per section$" \
	"^  node 0   present 524288 \(2048 MiB\) in 16 section\(s\) of 128 MiB; " \
	"^  hart 0: mmu-type \(none\), status not okay$" "^harts: hart 0 left down: no MMU \(no mmu-type\)$" \
	"^harts: 4 of 4 would come up \(boot hart 1, assumed: the first usable one\)$" \
	"^rvmm-dt: rvmm would boot with this device tree \(0 warnings\)$"

# The PolarBerry's (PolarFire SoC, two banks: 736 MiB below 4 GiB, 3 GiB at
# 64 GiB) and the SEV Kit's (RAM only from 64 GiB up, where its loader puts
# the kernel: DMA32 empty; its /reserved-memory buffers lie outside RAM, in
# the 32-bit alias of the DDR, and reserve nothing of it).
dt mpfs-polarberry --kernel-at 0x80200000 0x200000 --dtb-at 0xade00000 "$BOARDS/mpfs-polarberry.dtb"
{
	cat <<'EOF2'
Early memory node ranges
  node   0: [mem 0x0000000080000000-0x00000000adffffff]
  node   0: [mem 0x0000001000000000-0x00000010bfffffff]
Reserved memory:
  [mem 0x0000000080200000-0x00000000803fffff] kernel
EOF2
	dtb_line "$BOARDS/mpfs-polarberry.dtb" 0xade00000
	cat <<'EOF2'
Zone ranges:
  DMA      empty
  DMA32    [mem 0x0000000080000000-0x00000000ffffffff]
  Normal   [mem 0x0000000100000000-0x00000010bfffffff]
EOF2
} | map_is mpfs-polarberry
check_log mpfs-polarberry mpfs-polarberry-facts \
	"^console: serial@20000000 \(ns16550a at 0x20000000\), named by stdout-path \"serial0\", an alias$" \
	"^  DMA32    spanned 524288, present 188416 \(736 MiB\)$" \
	"^  Normal   spanned 16515072, present 786432 \(3072 MiB\)$" \
	"^memmap: 974848 struct pages of 32 bytes \(30464K\), 520 section\(s\) of 128 MiB \(30 with RAM\), an array per section$" \
	"^harts: 4 of 4 would come up " "^rvmm-dt: rvmm would boot with this device tree \(0 warnings\)$"
dt mpfs-sev-kit --kernel-at 0x1000200000 0x200000 --dtb-at 0x1075e00000 "$BOARDS/mpfs-sev-kit.dtb"
{
	cat <<'EOF2'
Early memory node ranges
  node   0: [mem 0x0000001000000000-0x0000001075ffffff]
Reserved memory:
  [mem 0x0000000080000000-0x0000000081ffffff] buffer@80000000
  [mem 0x00000000c4000000-0x00000000c7ffffff] buffer@c4000000
  [mem 0x00000000d4000000-0x00000000d7ffffff] buffer@d4000000
  [mem 0x0000001000200000-0x00000010003fffff] kernel
EOF2
	dtb_line "$BOARDS/mpfs-sev-kit.dtb" 0x1075e00000
	cat <<'EOF2'
Zone ranges:
  DMA      empty
  DMA32    empty
  Normal   [mem 0x0000001000000000-0x0000001075ffffff]
EOF2
} | map_is mpfs-sev-kit
check_log mpfs-sev-kit mpfs-sev-kit-facts \
	"^console: serial@20100000 \(ns16550a at 0x20100000\), named by stdout-path \"serial1\", an alias$" \
	"^  DMA32    spanned 0, present 0 \(0 MiB\)$" \
	"^  Normal   spanned 483328, present 483328 \(1888 MiB\)$" \
	"^memmap: 483328 struct pages of 32 bytes \(15104K\), 15 section\(s\) of 128 MiB, one flat array$" \
	"^rvmm-dt: rvmm would boot with this device tree \(0 warnings\)$"

# BeagleV Starlight (StarFive JH7100): 8 GiB from 0x80000000, the console a
# Synopsys DesignWare UART (snps,dw-apb-uart: 16550 registers 4 bytes apart),
# the CLINT at 6.25 MHz, two U74 harts.
dt jh7100-beaglev-starlight $KAT --dtb-at 0xbfe00000 "$BOARDS/jh7100-beaglev-starlight.dtb"
{
	cat <<'EOF2'
Early memory node ranges
  node   0: [mem 0x0000000080000000-0x000000027fffffff]
Reserved memory:
  [mem 0x0000000080200000-0x00000000803fffff] kernel
EOF2
	dtb_line "$BOARDS/jh7100-beaglev-starlight.dtb" 0xbfe00000
	cat <<'EOF2'
Zone ranges:
  DMA      empty
  DMA32    [mem 0x0000000080000000-0x00000000ffffffff]
  Normal   [mem 0x0000000100000000-0x000000027fffffff]
EOF2
} | map_is jh7100-beaglev-starlight
check_log jh7100-beaglev-starlight jh7100-beaglev-starlight-facts \
	"^console: serial@12440000 \(snps,dw-apb-uart at 0x12440000\), named by stdout-path \"serial0\", an alias$" \
	"^time: timebase-frequency 6250000 Hz$" \
	"^timer: clint@2000000, IPI: clint@2000000 \(the devices OpenSBI drives them with\)$" \
	"^harts: 2 of 2 would come up " "^rvmm-dt: rvmm would boot with this device tree \(0 warnings\)$"

# ==== other boards' trees from Linux (reduced to the nodes rvmm reads) ========

# Lichee Pi 4A (T-Head TH1520): RAM from address 0. Every address reads
# 0x%016llx, the one at 0 too (C's %#018llx gave 000000000000000000). The
# page at 0 (NULL in the identity direct map) is reserved no-map, one line
# saying why.
dt th1520-lichee-pi-4a $KAT --dtb-at 0xbfe00000 "$BOARDS/th1520-lichee-pi-4a.dtb"
{
	cat <<'EOF2'
Early memory node ranges
  node   0: [mem 0x0000000000000000-0x00000001ffffffff]
Reserved memory:
  [mem 0x0000000000000000-0x0000000000000fff] null page (no-map)
  [mem 0x0000000080200000-0x00000000803fffff] kernel
EOF2
	dtb_line "$BOARDS/th1520-lichee-pi-4a.dtb" 0xbfe00000
	cat <<'EOF2'
Zone ranges:
  DMA      empty
  DMA32    [mem 0x0000000000000000-0x00000000ffffffff]
  Normal   [mem 0x0000000100000000-0x00000001ffffffff]
EOF2
} | map_is th1520-lichee-pi-4a
check_log th1520-lichee-pi-4a th1520-lichee-pi-4a-facts \
	"^memory: RAM starts at address 0, whose kernel address is NULL: its first page is reserved, never allocated or mapped$" \
	"^console: serial@ffe7014000 \(snps,dw-apb-uart at 0xffe7014000\), named by stdout-path \"serial0\", an alias$" \
	"^timer: timer@ffdc000000, IPI: timer@ffdc000000 \(the devices OpenSBI drives them with\)$" \
	"^time: timebase-frequency 3000000 Hz$" "^  DMA32    spanned 1048576, present 1048576 \(4096 MiB\)$" \
	"^harts: 4 of 4 would come up \(boot hart 0, assumed: the first usable one\)$" \
	"^rvmm-dt: rvmm would boot with this device tree \(0 warnings\)$"

# The Andes PLMT (timer) and PLICSW (IPI) of the RZ/Five's firmware tree,
# in place of the Lichee Pi 4A's CLINT.
sed -e 's|timer@ffdc000000 { compatible = "thead,th1520-clint", "thead,c900-clint";|plmt0@13800000 { compatible = "andestech,plmt0";|' \
	-e 's|uart0: serial@ffe7014000|plicsw@13000000 { compatible = "andestech,plicsw"; reg = <0x0 0x13000000 0x0 0x400000>; };\n&|' \
	tests/dts/boards/linux/th1520-lichee-pi-4a.dts | dtc -q -I dts -O dtb -o "$LOGDIR/andes-plmt-plicsw.dtb"
dt andes-plmt-plicsw $KAT --dtb-at 0xbfe00000 "$LOGDIR/andes-plmt-plicsw.dtb"
check andes-plmt-plicsw 0 \
	"^timer: plmt0@13800000, IPI: plicsw@13000000 \(the devices OpenSBI drives them with\)$"

# Milk-V Pioneer (Sophgo SG2042): 64 cpu nodes, twice what rvmm's table
# holds: the first 32 are listed and the tree boots (it was refused whole);
# its T-Head ACLINT is the timer and IPI device (not "no CLINT or ACLINT node").
dt sg2042-milkv-pioneer $KAT --dtb-at 0xbfe00000 "$BOARDS/sg2042-milkv-pioneer.dtb"
check sg2042-milkv-pioneer 0 \
	"^dt: warning: /cpus has 64 cpu nodes; rvmm's table holds 32: the harts of the other 32 stay down$" \
	"^timer: timer@70ac004000, IPI: interrupt-controller@7094000000 \(the devices OpenSBI drives them with\)$" \
	"^  node   0: \[mem 0x0000000000000000-0x0000001fffffffff\]$" \
	"^  DMA32    \[mem 0x0000000000000000-0x00000000ffffffff\]$" \
	"^cpus: 32 cpu node\(s\), and 32 more past rvmm's table \(their harts stay down\)$" \
	"^harts: 8 of 32 would come up \(boot hart 0, assumed: the first usable one\)$" \
	"^rvmm-dt: rvmm would boot with this device tree \(1 warning\)$"

# tests/dts/cpus-many.dts: 33 cpu nodes, hart 32's past the table. The
# parse's warning says that hart stays down; when it is the boot hart it runs,
# and one line says so (the kernel prints the same from harts_start; QEMU
# -smp 33 makes hart 32 the boot hart one time in 33, boards.sh smp33).
dt cpus-many-boot-hart-32 $KAT --boot-hart 32 build/dtb/cpus-many.dtb
check cpus-many-boot-hart-32 0 \
	"^dt: warning: /cpus has 33 cpu nodes; rvmm's table holds 32: the harts of the other 1 stay down$" \
	"^harts: the boot hart 32 has no slot in rvmm's cpu table \(the tree has 1 cpu node\(s\) past it\): it runs all the same$" \
	"^harts: 1 of 33 would come up \(boot hart 32\): without an IPI device no other hart starts$"
dt cpus-many-boot-hart-0 $KAT --boot-hart 0 build/dtb/cpus-many.dtb
no_log cpus-many-boot-hart-0 cpus-many-boot-hart-0-listed "boot hart 0 has no slot"

# ==== where the kernel is taken to lie =======================================
# Without --kernel-at: where booti puts the Image, RAM base + its text_offset
# (the kernel runs wherever it is loaded: docs/boot.md); --kernel-at wins.

dt kernel-place-ram-at-0 --kernel build/Image --dtb-at 0xbfe00000 "$BOARDS/th1520-lichee-pi-4a.dtb"
check kernel-place-ram-at-0 0 \
	"^kernel: \[mem 0x0000000000200000-0x[0-9a-f]{16}\] \(where booti puts it: RAM base \+ 0x200000; size from build/Image\)$" \
	"^  \[mem 0x0000000000200000-0x[0-9a-f]{16}\] kernel$"
dt kernel-place-ram-at-2g --kernel build/Image "$BOARDS/hifive-unleashed-a00-clint.dtb"
check kernel-place-ram-at-2g 0 \
	"^kernel: \[mem 0x0000000080200000-0x[0-9a-f]{16}\] \(where booti puts it: RAM base \+ 0x200000; size from build/Image\)$"
no_log kernel-place-ram-at-2g kernel-place-ram-at-2g-no-null-page "null page"
dt kernel-place-given --kernel-at 0x40000000 0x100000 --dtb-at 0xbfe00000 "$BOARDS/th1520-lichee-pi-4a.dtb"
check kernel-place-given 0 "^kernel: \[mem 0x0000000040000000-0x00000000400fffff\] \(--kernel-at\)$"

# ==== --memory: the memory node a boot loader writes ==========================
# Linux's trees for the Allwinner D1 and Sophgo SG2042 have no memory node
# (U-Boot writes it): refused with a line naming --memory, and read with it.

dt memory-none $KAT --dtb-at 0x87e00000 "$DTB/bad-nomem.dtb"
check memory-none 1 \
	"^rvmm-dt: on boards whose tree has no RAM the boot loader writes /memory: --memory ADDR SIZE stands for it$" \
	"^Kernel panic: device tree at 0x87e00000 is unusable: no memory node \(error -10\)$"
dt memory-added $KAT --dtb-at 0x87e00000 --memory 0x80000000 128M "$DTB/bad-nomem.dtb"
check memory-added 0 \
	"^memory: --memory: 0 memory node\(s\) of the tree replaced by memory@80000000, as a boot loader writes it$" \
	"^  node   0: \[mem 0x0000000080000000-0x0000000087ffffff\]$" \
	"^  DMA32    spanned 32768, present 32768 \(128 MiB\)$"
no_log memory-added memory-added-no-hint "stands for it"
# A tree's own memory node replaced (virt: 128 MiB), two banks in 1/1 cells.
dt memory-replaced $KAT --dtb-at 0x87e00000 --memory 0x80000000 64M "$DTB/virt.dtb"
check memory-replaced 0 \
	"^memory: --memory: 1 memory node\(s\) of the tree replaced by memory@80000000, as a boot loader writes it$" \
	"^  node   0: \[mem 0x0000000080000000-0x0000000083ffffff\]$"
dt memory-two-banks --kernel-at 0x80200000 0x200000 --dtb-at 0x87e00000 \
	--memory 0x80000000 0x8000000 --memory 0xa0000000 0x8000000 \
	--save-dtb "$LOGDIR/memory-two-banks.dtb" "$DTB/cells-1-1.dtb"
check memory-two-banks 0 \
	"^  node   0: \[mem 0x0000000080000000-0x0000000087ffffff\]$" \
	"^  node   0: \[mem 0x00000000a0000000-0x00000000a7ffffff\]$" \
	"^  DMA32    spanned 163840, present 65536 \(256 MiB\)$"
# The tree written (--save-dtb) is one dtc reads back, its node in the
# root's 1/1 cells, and the same map without --memory.
reg=$(fdtget -t x "$LOGDIR/memory-two-banks.dtb" /memory@80000000 reg 2>&1)
if dtc -q -I dtb -O dtb -o /dev/null "$LOGDIR/memory-two-banks.dtb" 2>/dev/null &&
	[ "$reg" = "80000000 8000000 a0000000 8000000" ] &&
	[ "$(fdtget -l "$LOGDIR/memory-two-banks.dtb" / | grep -c '^memory')" = 1 ]; then
	echo "ok   memory-two-banks-saved"
	record memory-two-banks-saved 1 0
else
	echo "FAIL memory-two-banks-saved: reg '$reg'; $(fdtget -l "$LOGDIR/memory-two-banks.dtb" / 2>&1 | tr '\n' ' ')"
	record memory-two-banks-saved 0 1
fi
dt memory-two-banks-reread --kernel-at 0x80200000 0x200000 --dtb-at 0x87e00000 "$LOGDIR/memory-two-banks.dtb"
map_of "$LOGDIR/memory-two-banks.log" | sed '/ dtb$/d' >"$LOGDIR/memory-two-banks.map.want"
map_of "$LOGDIR/memory-two-banks-reread.log" | sed '/ dtb$/d' >"$LOGDIR/memory-two-banks-reread.map.got"
same memory-two-banks-reread "$LOGDIR/memory-two-banks.map.want" "$LOGDIR/memory-two-banks-reread.map.got"
# What the root's cells cannot hold, and bad sizes: usage errors.
dt memory-beyond-cells $KAT --memory 0x100000000 1G "$DTB/cells-1-1.dtb"
check memory-beyond-cells 2 \
	"^rvmm-dt: --memory: \[0x100000000, \+0x40000000\) does not fit the root's #address-cells 1 / #size-cells 1$"
dt memory-size-0 --memory 0x80000000 0 "$DTB/virt.dtb"
check memory-size-0 2 "^rvmm-dt: --memory: the size must be above 0 and the range must not wrap$"

# ==== what stops the boot after the tree parsed ==============================

dt refuse-kernel-outside --kernel-at 0x40000000 0x100000 "$DTB/virt.dtb"
check refuse-kernel-outside 1 \
	"^Kernel panic: the kernel image \[mem 0x0000000040000000-0x00000000400fffff\] is not inside the RAM the device tree describes$"
dt refuse-kernel-on-firmware --kernel-at 0x80000000 0x100000 "$DTB/virt.dtb"
check refuse-kernel-on-firmware 1 \
	"^Kernel panic: the device tree reserves \[mem 0x0000000080000000-0x000000008007ffff\] \(mmode_resv0@80000000\), which holds the kernel image \[mem 0x0000000080000000-0x00000000800fffff\]$"
dt refuse-dtb-on-kernel $KAT --dtb-at 0x80300000 "$DTB/virt.dtb"
check refuse-dtb-on-kernel 1 "^Kernel panic: the device tree reserves \[mem 0x0000000080300000-0x[0-9a-f]{16}\] \(dtb\), which holds the kernel image"
dt refuse-no-free-ram --kernel-at 0x80000000 0x8000000 --dtb-at 0x90000000 "$DTB/cpus-odd.dtb"
check refuse-no-free-ram 1 "^Kernel panic: no free RAM: the device tree's reserved ranges and the kernel cover all of it$"

# ==== usage errors: status 2 =================================================

dt usage-no-file
check usage-no-file 2 "^rvmm-dt: no device tree file given$"
dt usage-missing "$DTB/no-such-tree.dtb"
check usage-missing 2 "no-such-tree.dtb: No such file or directory$"
dt usage-source tests/dts/virt.dts
check usage-source 2 "virt.dts: not a device tree blob .*compile it with dtc -O dtb$"
: >"$LOGDIR/empty.dtb"
dt usage-empty "$LOGDIR/empty.dtb"
check usage-empty 2 "empty.dtb: not a device tree blob"
head -c 1000 "$DTB/virt.dtb" >"$LOGDIR/cut-short.dtb"
dt usage-cut-short "$LOGDIR/cut-short.dtb"
check usage-cut-short 2 "cut-short.dtb: cut short: 1000 bytes, but its header says [0-9]+ \(totalsize\)$"
dt usage-option --frobnicate "$DTB/virt.dtb"
check usage-option 2 "^rvmm-dt: unknown option --frobnicate$"

# ==== against the kernel's own boot log ======================================

# against NAME DTB QEMU_ARGS...: boot DTB, then run the tool with the
# address the kernel reports; their maps and zones must be the same but for
# the dtb's end (QEMU rewrites /chosen) and OpenSBI's own reserved range,
# which a tree gains on its way through OpenSBI.
against() {
	vs=$1 tree=$2 # (not $name: qemu_run and dt set it)
	shift 2
	qemu_run "boot-$vs" 120 /dev/null "$@" -bios default -dtb "$tree" -kernel "$KERNEL" \
		-append "run=poweroff"
	compare_boot "$vs" "$tree"
}

# compare_boot NAME DTB: the comparison of against, for the boot log
# boot-NAME already run with DTB.
compare_boot() {
	vs=$1 tree=$2
	at=$(tr -d '\r' <"$LOGDIR/boot-$vs.log" | sed -n 's/.*, device tree at \(0x[0-9a-f]*\)$/\1/p')
	if [ -z "$at" ]; then
		echo "FAIL $vs-vs-kernel: the boot did not report its device tree (status $RC)"
		show_log "boot-$vs"
		record "$vs-vs-kernel" 0 1
		return
	fi
	dt "tool-$vs" --dtb-at "$at" "$tree"
	firmware='^$' # nothing to leave out ...
	grep -q mmode_resv0 "$LOGDIR/tool-$vs.log" || firmware=mmode_resv0 # ... unless added on the way
	for side in boot tool; do
		map_of "$LOGDIR/$side-$vs.log" | grep -v "$firmware" |
			sed 's/^\(  \[mem 0x[0-9a-f]*\)-0x[0-9a-f]*\] dtb$/\1-...] dtb/' >"$LOGDIR/$vs.$side.map"
	done
	if [ ! -s "$LOGDIR/$vs.boot.map" ]; then
		echo "FAIL $vs-vs-kernel: no memory map in the boot log (status $RC)"
		show_log "boot-$vs"
		record "$vs-vs-kernel" 0 1
		return
	fi
	same "$vs-vs-kernel" "$LOGDIR/$vs.boot.map" "$LOGDIR/$vs.tool.map"
	# node_init's struct pages: as many, in the same layout
	for side in boot tool; do
		tr -d '\r' <"$LOGDIR/$side-$vs.log" | grep -E '^memmap: [0-9]+ struct pages ' >"$LOGDIR/$vs.$side.memmap"
	done
	same "$vs-memmap-vs-kernel" "$LOGDIR/$vs.boot.memmap" "$LOGDIR/$vs.tool.memmap"
}

against virt "$DTB/virt.dtb" -M virt -smp 4 -m 128M
against virt-8g "$DTB/virt-8g.dtb" -M virt -smp 4 -m 8G
against unaligned-end "$DTB/unaligned-end.dtb" -M virt -smp 2 -m 512M
against nomap-halfpage "$DTB/nomap-halfpage.dtb" -M virt -smp 2 -m 512M
against oddbanks "$DTB/oddbanks.dtb" -M virt -smp 2 -m 8G
against frag "$DTB/frag.dtb" -M virt -smp 2 -m 512M
# Dynamic /reserved-memory nodes: the kernel places them where rvmm-dt does.
against resmem-dynamic "$DTB/resmem-dynamic.dtb" -M virt -smp 4 -m 8G
check_log boot-resmem-dynamic boot-resmem-dynamic-placed \
	"^dt: /reserved-memory/linux,cma: dynamic: \[mem 0x00000000ba000000-0x00000000bdffffff\] \(size 0x4000000, align 0x200000, alloc-ranges entry 0\)$" \
	"^dt: /reserved-memory/dsp-pool: dynamic: \[mem 0x00000001bff00000-0x00000001bfffffff\] \(size 0x100000, align 0x100000\)$" \
	"^  \[mem 0x00000001bff00000-0x00000001bfffffff\] dsp-pool \(dynamic, no-map\)$"
check_log boot-resmem-dynamic boot-resmem-dynamic-cma-area \
	"^cma: area linux,cma: 65536 KiB at \[mem 0x00000000ba000000-0x00000000bdffffff\], the default area$"
no_log boot-resmem-dynamic boot-resmem-dynamic-nomap-pool "^cma: area dsp-pool"
against sifive-u "$DTB/sifive-u.dtb" -M sifive_u -smp 5 -m 128M
against unleashed-clint "$BOARDS/hifive-unleashed-a00-clint.dtb" -M sifive_u -smp 5 -m 8G
# The Icicle Kit's machine runs its own OpenSBI (no -bios), has its console
# on the second serial port, and halts at poweroff: the boot runs the device
# tree self-tests and is ended once their closing line is out.
qemu_run_console boot-icicle 120 -M microchip-icicle-kit -smp 5 -m 4G -serial null -serial mon:stdio \
	-dtb "$BOARDS/mpfs-icicle-kit.dtb" -kernel "$KERNEL" -append "ktest=boot_dt"
compare_boot icicle "$BOARDS/mpfs-icicle-kit.dtb"
# The kernel's reservation is the one rvmm-dt read from rvmm.elf beside it.
check_log tool-virt tool-virt-kernel-size \
	"^kernel: \[mem 0x0000000080200000-0x[0-9a-f]{16}\] \(where booti puts it: RAM base \+ 0x200000; size from rvmm\.elf beside rvmm-dt\)$"
