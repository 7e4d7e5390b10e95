#!/bin/sh
# dt-sweep.sh - rvmm's device tree reading against every device tree Linux
# ships (make dt-sweep; docs/boards.md, "Every tree Linux ships").
#
#   scripts/dt-sweep.sh [ARCH...]   (default: every arch with trees in Linux)
#
# From Debian's linux-source-$LINUX (LINUX=6.1 by default; 6.12 is Debian's
# other one: /usr/src/linux-source-$LINUX.tar.xz, or $LINUX_SOURCE) it
# extracts arch/*/boot/dts and the headers they include into
# build/dt-sweep/linux-$LINUX/src, compiles every arch/ARCH/boot/dts/**/*.dts as
# Linux does (cpp -nostdinc -I include -I arch/ARCH/boot/dts
# -I scripts/dtc/include-prefixes -undef -D__DTS__ -x assembler-with-cpp,
# then dtc -I dts -O dtb; a tree dtc rejects is counted and skipped), and runs
# build/dt-sweep/rvmm-dt (rvmm-dt built with ASan and UBSan, make dt-sweep)
# on each blob, 10 seconds at most. Each tree is:
#   overlay  a /plugin/ source: Linux builds it as a .dtbo to apply to
#            another tree, so it is not run;
#   read     rvmm-dt exits 0, and its RAM and reserved ranges and its
#            zones' present pages are those of scripts/dt-sweep-ref.py (an
#            independent reading of the blob);
#   refused  rvmm-dt exits 1 with the kernel's panic message; a "no memory
#            node" refusal must be a tree the reference finds no RAM in, and
#            where the map was printed before the refusal it must match too;
#   failed   anything else: another exit status (a crash, a sanitizer
#            report, a usage error, 124 for a hang), anything on stderr, or
#            a map or present pages that differ from the reference's.
# A tree refused for having no RAM (its boot loader adds or fills in the
# memory node) is run again with a memory node added, 1 GiB at 0x40000000
# (NAME+ram), and judged the same way, so that its /reserved-memory and
# mem-reserve entries are read and compared too.
# The map compared: "Early memory node ranges" as printed, and the
# "Reserved memory:" lines as a set, less the four that are rvmm's own
# (the dtb at its "dtb: at" address, the kernel and the initrd as rvmm-dt
# names them, and the null page of RAM from address 0).
#
# Output: build/dt-sweep/linux-$LINUX/results.txt (one line per tree:
# ARCH/PATH, status, reason), each tree's files beside its blob under
# build/dt-sweep/linux-$LINUX/dtb/ARCH/
# (NAME.out and NAME.stderr from rvmm-dt, NAME.ref from the reference,
# NAME.diff where they differ), and a summary on stdout.
# Exit status 1 when a tree failed.
set -eu
cd "$(dirname "$0")/.."
LINUX=${LINUX:-6.1}
export LINUX # (the --compile and --check runs below)
OUT=build/dt-sweep/linux-$LINUX
TOOL=build/dt-sweep/rvmm-dt
REF=scripts/dt-sweep-ref.py
TARBALL=${LINUX_SOURCE:-/usr/src/linux-source-$LINUX.tar.xz}
TOP=linux-source-$LINUX
SRC=$OUT/src/$TOP

# ---- one tree at a time (run through xargs -P2) -----------------------------

# compile ARCH FILE...: FILE (relative to $SRC) to $OUT/dtb/ARCH/NAME.dtb, as
# Linux's scripts/Makefile.lib does; a failure leaves NAME.err, no .dtb; an
# overlay (/plugin/) leaves NAME.overlay and is not compiled.
compile() {
	arch=$1
	shift
	for f; do
		o=$PWD/$OUT/dtb/$arch/${f#arch/$arch/boot/dts/}
		o=${o%.dts}
		mkdir -p "$(dirname "$o")"
		if ! (cd "$SRC" && cpp -nostdinc -I include -I "arch/$arch/boot/dts" \
			-I scripts/dtc/include-prefixes -undef -D__DTS__ -x assembler-with-cpp \
			"$f" -o "$o.pre.dts" 2>"$o.err"); then
			rm -f "$o.pre.dts"
		elif grep -q '^/plugin/;' "$o.pre.dts"; then
			rm -f "$o.pre.dts" "$o.err"
			: >"$o.overlay" # Linux builds it as a .dtbo, to apply to a tree
		elif (cd "$SRC" && dtc -q -I dts -O dtb -b 0 -i "$(dirname "$f")" -o "$o.dtb" \
			"$o.pre.dts" 2>>"$o.err"); then
			rm -f "$o.pre.dts" "$o.err"
		else
			rm -f "$o.pre.dts" "$o.dtb"
		fi
	done
}

# The RAM lines, then the reserved lines sorted, that rvmm-dt printed (on
# stdin), less the dtb, kernel and initrd lines.
rvmm_map() {
	awk '
	function pad(hex) { sub(/^0x/, "", hex); sub(/,$/, "", hex); while (length(hex) < 16) hex = "0" hex; return "0x" hex }
	/^dtb: at / { a = $3; sub(/,$/, "", a); if (a ~ /^(0x[0-9a-f]+|0)$/) dtb = "  [mem " pad(a) "-" }
	/^kernel: \[mem / { kernel = "  " $2 " " $3 " kernel" }
	/^initrd: \[mem / { sub(/,$/, "", $3); initrd = "  " $2 " " $3 " initrd" }
	/^Early memory node ranges$/ { part = 1; print; next }
	/^Reserved memory:$/ { part = 2; print; next }
	part == 1 && /^  node / { print; next }
	part == 2 && /^  \[mem / {
		if ($0 == kernel && !k++) next
		if ($0 == initrd && !i++) next
		if (dtb != "" && index($0, dtb) == 1 && $NF == "dtb" && !d++) next
		if ($0 == "  [mem 0x0000000000000000-0x0000000000000fff] null page (no-map)") next
		print | "LC_ALL=C sort"; next
	}
	{ part = 0 }
	END { fflush(); close("LC_ALL=C sort") }'
}

# The present pages rvmm-dt printed (on stdin), as dt-sweep-ref.py's
# "pages:" line: ZONE_DMA and ZONE_DMA32, then ZONE_NORMAL; nothing when it
# printed no zones.
rvmm_pages() {
	awk '/^Zone pages/ { on = 1; next }
	on && ($1 == "DMA" || $1 == "DMA32") { sub(/,$/, "", $5); low += $5 }
	on && $1 == "Normal" { sub(/,$/, "", $5); high = $5; seen = 1 }
	on && $1 != "DMA" && $1 != "DMA32" && $1 != "Normal" { on = 0 }
	END { if (seen) printf "pages: below 4 GiB %d, 4 to 256 GiB %d\n", low, high }'
}

# The reason of a refusal: the panic message, its numbers and names gone.
reason_of() {
	sed -n 's/^Kernel panic: //p' "$1" | head -n 1 | sed -e 's/device tree at 0x[0-9a-f]* is unusable: //' \
		-e 's/\[mem 0x[0-9a-f]*-0x[0-9a-f]*\]/[mem]/g' -e 's/ ([^()]*), which holds/ (NAME), which holds/' \
		-e 's|: /[^ ]* gives no RAM|: /NODE gives no RAM|' -e 's|: /[^ ]* and [0-9]* more memory nodes|: /NODE and N more memory nodes|' \
		-e 's/0x[0-9a-f]*/ADDR/g' -e 's/hart [0-9]*/hart N/g'
}

# run_tool DTB...: build/dt-sweep/rvmm-dt on each blob (NAME.out,
# NAME.stderr, NAME.rc), then the reference on all of them (NAME.ref).
run_tool() {
	for dtb; do
		base=${dtb%.dtb}
		rm -f "$base.ref" "$base.ref.err"
		rc=0
		ASAN_OPTIONS=exitcode=66 UBSAN_OPTIONS=exitcode=67:print_stacktrace=1 \
			timeout 10 "$TOOL" "$dtb" >"$base.out" 2>"$base.stderr" || rc=$?
		echo $rc >"$base.rc"
	done
	python3 "$REF" -o "$@" || true
}

# judge BASE: "status reason" of the run of BASE.dtb.
judge() {
	rc=$(cat "$1.rc")
	if [ -s "$1.stderr" ]; then
		echo "failed exit status $rc, stderr: $(head -n 1 "$1.stderr")"
	elif [ "$rc" -ne 0 ] && { [ "$rc" -ne 1 ] || ! grep -q '^Kernel panic: ' "$1.out"; }; then
		echo "failed exit status $rc"
	elif [ -f "$1.ref.err" ]; then
		echo "failed the reference cannot read it: $(cat "$1.ref.err")"
	elif [ "$rc" -eq 0 ]; then
		compare "$1" read ""
	else
		compare "$1" refused "$(reason_of "$1.out")"
	fi
}

# compare BASE STATUS REASON: "STATUS REASON", or "failed map differs ..."
# when rvmm-dt's map (if it printed one) is not the reference's.
compare() {
	grep -v '^note: \|^pages: ' "$1.ref" >"$1.ref.map"
	rvmm_map <"$1.out" >"$1.map"
	rvmm_pages <"$1.out" >"$1.pages"
	if [ -s "$1.pages" ] && ! grep -qxF "$(cat "$1.pages")" "$1.ref"; then
		echo "failed present pages differ: rvmm-dt's $(cat "$1.pages"), the reference's $(grep '^pages: ' "$1.ref")"
		return
	fi
	case $3 in
	"no memory node"*)
		if grep -q '^  node ' "$1.ref.map"; then
			echo "failed map differs: refused for no memory node, the reference finds RAM"
			return
		fi ;;
	*)
		if [ -s "$1.map" ] && ! diff -u "$1.ref.map" "$1.map" >"$1.diff"; then
			echo "failed map differs from the reference's ($1.diff)"
			return
		fi
		rm -f "$1.diff" ;;
	esac
	echo "$2 $3"
}

# with_ram IN OUT: IN with a memory node added, 1 GiB at 0x40000000 in the
# root's cells, standing for the one the boot loader adds (or fills in).
with_ram() {
	cp "$1" "$2"
	ac=$(fdtget -t u "$2" / '#address-cells' 2>/dev/null || echo 2)
	sc=$(fdtget -t u "$2" / '#size-cells' 2>/dev/null || echo 1)
	fdtput -c "$2" /dt-sweep-ram &&
		fdtput -t s "$2" /dt-sweep-ram device_type memory &&
		fdtput -t x "$2" /dt-sweep-ram reg $(cells "$ac" 40000000) $(cells "$sc" 40000000)
}

# cells N HEX: HEX as N cells (zeros above it).
cells() {
	i=1
	while [ "$i" -lt "$1" ]; do
		printf '0 '
		i=$((i + 1))
	done
	echo "$2"
}

# check DTB...: judge each blob into NAME.result; a tree refused for having
# no RAM (Linux's trees whose boot loader adds or fills in the memory node)
# is judged again with RAM added (NAME+ram.dtb, NAME+ram.result), so that
# its reserved ranges are read and compared too.
check() {
	run_tool "$@"
	again=""
	for dtb; do
		base=${dtb%.dtb}
		judge "$base" >"$base.result"
		case $(cat "$base.result") in
		"refused no memory node"*)
			if with_ram "$dtb" "$base+ram.dtb" 2>"$base+ram.err"; then
				again="$again $base+ram.dtb"
			else
				echo "failed cannot add a memory node: $(head -n 1 "$base+ram.err")" >"$base+ram.result"
			fi ;;
		esac
	done
	[ -n "$again" ] || return 0
	run_tool $again
	for dtb in $again; do
		judge "${dtb%.dtb}" >"${dtb%.dtb}.result"
	done
}

case ${1:-} in
--compile) shift; compile "$@"; exit 0 ;;
--check) shift; check "$@"; exit 0 ;;
esac

# ---- the sweep -----------------------------------------------------------------

# riscv first, then the others (arm64 and arm hold most trees)
ARCHS=${*:-riscv arm64 arm arc microblaze mips nios2 openrisc powerpc sh xtensa}
if [ ! -f "$TARBALL" ]; then
	echo "dt-sweep: $TARBALL missing: install Debian's linux-source-$LINUX (make dt-sweep LINUX=$LINUX does)" >&2
	exit 2
fi
if [ ! -x "$TOOL" ]; then
	echo "dt-sweep: $TOOL missing: make dt-sweep builds it" >&2
	exit 2
fi
if [ ! -f "$OUT/src/.extracted" ] || [ "$TARBALL" -nt "$OUT/src/.extracted" ]; then
	echo "dt-sweep: extracting the device trees from $TARBALL"
	rm -rf "$OUT/src"
	mkdir -p "$OUT/src"
	# include/dt-bindings/input/linux-event-codes.h links to the uapi header.
	tar -xJf "$TARBALL" -C "$OUT/src" --wildcards "$TOP/arch/*/boot/dts" "$TOP/include/dt-bindings" \
		"$TOP/include/uapi/linux/input-event-codes.h" "$TOP/scripts/dtc/include-prefixes" "$TOP/Makefile"
	touch "$OUT/src/.extracted"
fi
version=$(sed -n 's/^VERSION = //p; s/^PATCHLEVEL = //p; s/^SUBLEVEL = //p' "$SRC/Makefile" | paste -sd.)
rm -rf "$OUT/dtb" "$OUT/results.txt"
for arch in $ARCHS; do
	echo "dt-sweep: arch/$arch: compiling and checking"
	(cd "$SRC" && find "arch/$arch/boot/dts" -name '*.dts' | sort) >"$OUT/$arch.list"
	xargs -P 2 -n 16 scripts/dt-sweep.sh --compile "$arch" <"$OUT/$arch.list"
	find "$OUT/dtb/$arch" -name '*.dtb' | sort | xargs -r -P 2 -n 64 scripts/dt-sweep.sh --check
	while read -r f; do
		name=$arch/${f#arch/$arch/boot/dts/}
		base=$OUT/dtb/${name%.dts}
		if [ -f "$base.err" ]; then
			echo "$name dtc-rejected $(grep -m1 -i error "$base.err" || head -n 1 "$base.err")"
		elif [ -f "$base.overlay" ]; then
			echo "$name overlay"
		else
			echo "$name $(cat "$base.result")"
		fi
		if [ -f "$base+ram.result" ]; then
			echo "$name+ram $(cat "$base+ram.result")"
		fi
	done <"$OUT/$arch.list" >>"$OUT/results.txt"
done

# table PATTERN: per arch, the results whose name matches PATTERN.
table() {
	printf '  %-10s %6s %13s %8s %6s %8s %7s\n' arch trees dtc-rejected overlays read refused failed
	for arch in $ARCHS; do
		awk -v a="$arch" -v p="$1" 'index($1, a "/") == 1 && $1 ~ p { n++; c[$2]++ }
			END { printf "  %-10s %6d %13d %8d %6d %8d %7d\n", a, n, c["dtc-rejected"], c["overlay"],
				c["read"], c["refused"], c["failed"] }' "$OUT/results.txt"
	done
}

# reasons PATTERN: the refusals' reasons among the results matching PATTERN, counted.
reasons() {
	awk -v p="$1" '$1 ~ p && $2 == "refused" { $1 = $2 = ""; sub(/^  /, ""); print }' "$OUT/results.txt" |
		sort | uniq -c | sort -rn
}

echo
echo "dt-sweep: Linux $version's device trees ($OUT/results.txt)"
table '[^m]$'
echo "refused, by reason:"
reasons '[^m]$'
echo "the trees refused for no RAM, again with a memory node added (1 GiB at 0x40000000):"
table '[+]ram$'
echo "refused, by reason:"
reasons '[+]ram$'
# Dynamic /reserved-memory nodes (size, no reg), each tree counted once (its
# run with RAM added where there is one): placed (and placed the same by
# the reference, or the tree failed), and not placed by the reference's
# reason (no room; rvmm-dt refused the tree before placing them).
refs=$(find "$OUT/dtb" -name '*.ref' | awk '{ k = $0; sub(/[+]ram[.]ref$/, ".ref", k); if (/[+]ram[.]ref$/ || !(k in seen)) seen[k] = $0 } END { for (k in seen) print seen[k] }')
placed=$(cat $refs /dev/null | grep -c ' (dynamic' || true)
ptrees=$(grep -l ' (dynamic' $refs /dev/null | wc -l)
echo "dynamic /reserved-memory nodes (size, no reg): $placed placed in $ptrees trees; not placed:"
cat $refs /dev/null | sed -n 's/^note: dynamic [^:]*: //p' | sort | uniq -c
failed=$(awk '$2 == "failed"' "$OUT/results.txt" | wc -l)
if [ "$failed" -gt 0 ]; then
	echo "failed:"
	awk '$2 == "failed"' "$OUT/results.txt"
fi
awk '$1 !~ /[+]ram$/ { c[$2]++; n++ } $1 ~ /[+]ram$/ { r[$2]++ }
	END { printf "dt-sweep: %d trees: %d read, %d refused (with RAM added: %d read, %d refused), %d failed, %d overlays, %d rejected by dtc\n",
		n, c["read"], c["refused"], r["read"], r["refused"], c["failed"] + r["failed"], c["overlay"], c["dtc-rejected"] }' \
	"$OUT/results.txt"
[ "$failed" -eq 0 ]
