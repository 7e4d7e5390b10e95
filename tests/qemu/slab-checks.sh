#!/bin/sh
# slab-checks.sh - the slab allocator checked from the outside on QEMU virt:
# the slab_debug= parameter (all caches, one cache, a bad value), kmalloc=slob,
# the zone caches, and the slabinfo and meminfo reports in Linux's formats.
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh

VIRT="-M virt -bios default"


# A slabinfo row: /proc/slabinfo 2.1, as Linux prints it.
ROW='^[a-z0-9-]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ : tunables +[0-9]+ +[0-9]+ +[0-9]+ : slabdata +[0-9]+ +[0-9]+ +[0-9]+$'
HEADER='# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>'

# slab_reports RUN RESULT: the run's shell commands slabinfo and then meminfo
# printed: the version line, the header, rows in the format above (each
# consistent: num_objs = num_slabs x objperslab, active <= num, active slabs
# <= slabs), a kmalloc-64 row, and meminfo's Slab = SReclaimable +
# SUnreclaim = the slabs' pages from slabinfo, in kB.
slab_reports() {
	run=$1 result=$2
	verdict=$(tr -d '\r' <"$LOGDIR/$run.log" | sed -n '/^rvmm> slabinfo$/,$p' |
		awk -v row="$ROW" -v header="$HEADER" '
		NR == 1 { next }
		NR == 2 { if ($0 != "slabinfo - version: 2.1") { print "version line: " $0; bad = 1; exit } next }
		NR == 3 { if ($0 != header) { print "header line: " $0; bad = 1; exit } next }
		!rows_done && /^rvmm> / { rows_done = 1 }
		!rows_done {
			if ($0 !~ row) { print "row out of format: " $0; bad = 1; exit }
			if ($3 != $15 * $5) { print "num_objs != num_slabs x objperslab: " $0; bad = 1; exit }
			if ($2 > $3 || $14 > $15) { print "more active than there are: " $0; bad = 1; exit }
			rows++; pages += $15 * $6
			if ($1 == "kmalloc-64") k64 = 1
			next
		}
		/^Slab: +[0-9]+ kB$/ { slab = $2; m++ }
		/^SReclaimable: +[0-9]+ kB$/ { rec = $2; m++ }
		/^SUnreclaim: +[0-9]+ kB$/ { unrec = $2; m++ }
		END {
			if (bad) exit
			if (NR < 3) { print "no slabinfo report"; exit }
			if (!k64) { print "no kmalloc-64 row"; exit }
			if (m != 3) { print "meminfo lacks a slab line (" m " of 3)"; exit }
			if (slab != rec + unrec) { print "Slab " slab " kB != SReclaimable " rec " + SUnreclaim " unrec; exit }
			if (slab != pages * 4) { print "Slab " slab " kB, slabinfo rows hold " pages " pages"; exit }
			print "ok " rows " rows, " pages " pages"
		}')
	case "$verdict" in
	ok*)
		echo "ok   $result: $verdict"
		record "$result" 1 0
		;;
	*)
		echo "FAIL $result: $verdict"
		show_log "$run"
		record "$result" 0 1
		;;
	esac
}

# The default: kmalloc's suite (its all-harts case fills the kmalloc-N
# caches) and the slab suites, then the reports, in exact /proc/slabinfo and
# /proc/meminfo form.
ktest_run slab-reports 120 $VIRT -smp 4 -m 128M -kernel "$KERNEL" \
	-append 'run="ktest kmalloc slab slab_debug;slabinfo;meminfo;poweroff"'
slab_reports slab-reports slab-reports-format
check_log slab-reports slab-reports-kmalloc-64 \
	"^kmalloc-64 +[0-9]+ +[0-9]+ +64 +64 +1 : tunables +64 +32 +2 : slabdata +[0-9]+ +[0-9]+ +[0-9]+$"

# report RUN CMD: the lines the shell command CMD printed in the run (from
# its echo "rvmm> CMD" to the next prompt), without the console's \r.
report() {
	tr -d '\r' <"$LOGDIR/$1.log" | awk -v c="rvmm> $2" '$0 == c { on = 1; next } /^rvmm> / { on = 0 } on'
}

# tool_result RESULT VERDICT: "ok ..." passes, "skip ..." is noted, else fails.
tool_result() {
	case "$2" in
	ok*) echo "ok   $1: $2"; record "$1" 1 0 ;;
	skip*) echo "note $1: $2" ;;
	*) echo "FAIL $1: $2"; record "$1" 0 1 ;;
	esac
}

# real_tools RUN: the run's slabinfo, meminfo and vmstat reports read by the
# tools users feed Linux's files to, each file bind-mounted over its /proc
# name in a private mount namespace: slabtop and vmstat -m (slabinfo), free
# and vmstat -s (meminfo and vmstat), python3's psutil where installed. Every
# vmstat value must be a decimal number. Tools absent, or no unprivileged
# mount namespace, are a note, not a failure.
real_tools() {
	run=$1 dir=$LOGDIR/$1.proc
	mkdir -p "$dir"
	report "$run" slabinfo >"$dir/slabinfo"
	report "$run" meminfo >"$dir/meminfo"
	report "$run" vmstat >"$dir/vmstat"
	rows=$(($(wc -l <"$dir/slabinfo") - 2))
	k64=$(awk '$1 == "kmalloc-64" { print $2, $3 }' "$dir/slabinfo")
	kb() { awk -v n="$1:" '$1 == n { print $2 }' "$dir/meminfo"; }
	total=$(kb MemTotal) free=$(kb MemFree) avail=$(kb MemAvailable)

	v=$(awk 'NF != 2 || $2 !~ /^[0-9]+$/ { print "not \"name decimal\": " $0; bad = 1; exit }
		END { if (!bad) print "ok " NR " lines" }' "$dir/vmstat")
	tool_result "$run-vmstat-decimal" "$v"

	if ! command -v unshare >/dev/null || ! unshare -rm true 2>/dev/null; then
		tool_result "$run-procps" "skip: no unprivileged mount namespace (unshare -rm)"
	elif ! command -v slabtop >/dev/null || ! command -v free >/dev/null || ! command -v vmstat >/dev/null; then
		tool_result "$run-procps" "skip: procps (slabtop, free, vmstat) not installed"
	else
		in_ns() {
			unshare -rm sh -c 'for f in slabinfo meminfo vmstat; do
				mount --bind "$0/$f" /proc/$f || exit 1; done; exec "$@"' "$dir" "$@" 2>&1
		}
		v=$(in_ns slabtop -o | awk -v rows="$rows" '
			/Active \/ Total Caches/ { split($0, a, ":"); split(a[2], n, "/"); caches = n[2] + 0 }
			$NF == "kmalloc-64" { k = 1 }
			END { if (caches != rows) print "slabtop counts " caches " caches, slabinfo has " rows
			      else if (!k) print "slabtop lists no kmalloc-64"
			      else print "ok " caches " caches" }')
		tool_result "$run-slabtop" "$v"
		# slabtop's CACHE SIZE is num_slabs x pagesperslab x 4K: the rows
		# add up to meminfo's Slab.
		v=$(in_ns slabtop -o | awk -v slab="$(kb Slab)" '
			/^ *[0-9]+ +[0-9]+ +[0-9]+% / { sub(/K$/, "", $7); sum += $7; n++ }
			END { if (sum != slab) print "slabtop cache sizes add up to " sum "K over " n " rows, meminfo Slab " slab " kB"
			      else print "ok " sum "K in " n " rows" }')
		tool_result "$run-slabtop-size" "$v"
		v=$(in_ns vmstat -m | awk -v k64="$k64" '
			$1 == "kmalloc-64" { got = $2 " " $3 }
			END { if (got != k64) print "vmstat -m kmalloc-64 \"" got "\", slabinfo \"" k64 "\""
			      else print "ok kmalloc-64 " got }')
		tool_result "$run-vmstat-m" "$v"
		v=$(in_ns free -k | awk -v t="$total" -v f="$free" -v a="$avail" '
			$1 == "Mem:" { m = ($2 == t && $4 == f && $5 == 0 && $6 == 0 && $7 == a) ; line = $0 }
			$1 == "Swap:" { s = ($2 == 0 && $3 == 0 && $4 == 0) }
			END { if (!m) print "free Mem: \"" line "\" for MemTotal " t " MemFree " f " MemAvailable " a
			      else if (!s) print "free Swap: not 0 0 0"
			      else print "ok Mem " t " " f " " a }')
		tool_result "$run-free" "$v"
		v=$(in_ns vmstat -s | awk -v t="$total" -v f="$free" '
			/K total memory$/ { tt = $1 } /K free memory$/ { ff = $1 }
			/K total swap$/ { sw = $1 } /K buffer memory$/ { b = $1 }
			END { if (tt != t || ff != f || sw != "0" || b != "0")
				print "vmstat -s total " tt " free " ff " swap " sw " buffers " b
			      else print "ok total " tt " free " ff }')
		tool_result "$run-vmstat-s" "$v"
	fi

	py=
	for p in python3 /usr/bin/python3; do
		if [ -z "$py" ] && command -v "$p" >/dev/null && "$p" -c 'import psutil' 2>/dev/null; then
			py=$p
		fi
	done
	if [ -n "$py" ]; then
		v=$("$py" -W error -c 'import sys, psutil
psutil.PROCFS_PATH = sys.argv[1]
m, s = psutil.virtual_memory(), psutil.swap_memory()
t, f, a = (int(v) * 1024 for v in sys.argv[2:5])
print("ok total %d free %d available %d swap %d" % (m.total, m.free, m.available, s.total)
      if (m.total, m.free, m.available) == (t, f, a) and s.total == 0 and s.sin == 0
      else "psutil total %d free %d available %d swap %d, meminfo %d %d %d"
      % (m.total, m.free, m.available, s.total, t, f, a))' "$dir" "$total" "$free" "$avail" 2>&1 | tail -n 1)
		tool_result "$run-psutil" "$v"
	else
		tool_result "$run-psutil" "skip: python3 psutil not installed"
	fi
}

# free_pages_agree RUN: the cross-checks scripts make on Linux's files hold
# on the run's reports: buddyinfo's blocks x 2^order add up, zone by zone, to
# zoneinfo's "pages free" and nr_free_pages, and in all to vmstat's
# nr_free_pages and (x 4 kB) meminfo's MemFree; the zones' managed pages x 4
# kB are MemTotal. Pages on the per-hart stacks are in none of them, as in
# Linux (memmap-fill leaves pages there, so a MemFree counting them shows).
free_pages_agree() {
	run=$1
	{
		report "$run" buddyinfo | sed 's/^/buddyinfo /'
		report "$run" zoneinfo | sed 's/^/zoneinfo /'
		report "$run" meminfo | sed 's/^/meminfo /'
		report "$run" vmstat | sed 's/^/vmstat /'
	} >"$LOGDIR/$run.free-pages"
	v=$(awk '
		$1 == "buddyinfo" && $2 == "Node" {
			p = 0; for (i = 6; i <= NF; i++) p += $i * 2 ^ (i - 6)
			bz[$5] = p; buddy += p; bzones++ }
		$1 == "zoneinfo" && $2 == "Node" { z = $5 }
		$1 == "zoneinfo" && $2 == "pages" && $3 == "free" { zfree[z] = $4 }
		$1 == "zoneinfo" && $2 == "nr_free_pages" { znr[z] = $3; zsum += $3 }
		$1 == "zoneinfo" && $2 == "managed" { managed += $3 }
		$1 == "meminfo" && $2 == "MemFree:" { memfree = $3 }
		$1 == "meminfo" && $2 == "MemTotal:" { memtotal = $3 }
		$1 == "vmstat" && $2 == "nr_free_pages" { vm = $3 }
		END {
			if (!bzones) { print "no buddyinfo rows"; exit }
			for (z in bz)
				if (bz[z] != zfree[z] || bz[z] != znr[z]) {
					print "zone " z ": buddyinfo " bz[z] " pages, zoneinfo pages free " zfree[z] " nr_free_pages " znr[z]; exit }
			if (buddy != zsum || buddy * 4 != memfree || buddy != vm) {
				print "buddyinfo " buddy " pages, zoneinfo " zsum ", MemFree " memfree " kB, vmstat " vm; exit }
			if (managed * 4 != memtotal) { print "zoneinfo managed " managed " pages, MemTotal " memtotal " kB"; exit }
			print "ok " buddy " free pages in " bzones " zones, MemTotal " memtotal " kB"
		}' "$LOGDIR/$run.free-pages")
	tool_result "$run-free-pages-agree" "$v"
}

# The reports of a machine with 8 GiB (the Normal zone, 7-digit kB) after
# memmap-fill left objects in many kmalloc caches, read by the real tools
# (slab_reap=0: no hart's tick moves pages between the reports).
qemu_run slab-real-tools 120 /dev/null $VIRT -smp 2 -m 8G -kernel "$KERNEL" \
	-append 'slab_reap=0 run="memmap-fill;buddyinfo;zoneinfo;slabinfo;meminfo;vmstat;poweroff"'
real_tools slab-real-tools
free_pages_agree slab-real-tools

# Tuning from the console, as a write to Linux's /proc/slabinfo: the row
# shows the new limit, batchcount and sharedfactor (a depot of 4 batches:
# 32 objects in slabinfo -s), the kmalloc suite still passes with them, and
# bad values or names are refused with a message (the command's error is
# the shell's, the run goes on).
qemu_run slab-tune 120 /dev/null $VIRT -smp 2 -m 128M -kernel "$KERNEL" \
	-append 'run="ktest kmalloc slab;slabinfo kmalloc-64 16 8;slabinfo kmalloc-64 8 9;slabinfo kmalloc-64 16 8 100;slabinfo kmalloc-64 16 8 4;slabinfo no-such 1 1;ktest kmalloc slab;slabinfo;slabinfo -s;poweroff"'
check slab-tune 0 "^ktest: [0-9]+ passed, 0 failed$" \
	"^# name +refills +flushes +grows +reaps +errors +limit +batch +magazines \(cpu:objects\) depot objects/capacity borrowed lent$" \
	"^kmalloc-64 +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +0 +16 +8( [0-9]+:[0-9]+)+ depot [0-9]+/32 borrowed [0-9]+ lent [0-9]+$" \
	"^shrinker slab: scans [0-9]+, pages freed [0-9]+$" \
	"^slabinfo: kmalloc-64: limit 8 batchcount 9 refused \(0 < batchcount <= limit <= 500, or both 0\)$" \
	"^slabinfo: kmalloc-64: limit 16 batchcount 8 sharedfactor 100 refused \(0 < batchcount <= limit <= 500, or both 0; sharedfactor x batchcount <= 500\)$" \
	"^slabinfo: no cache named no-such$" \
	"^kmalloc-64 +[0-9]+ +[0-9]+ +64 +64 +1 : tunables +16 +8 +4 : slabdata +[0-9]+ +[0-9]+ +[0-9]+$"
no_log slab-tune slab-tune-clean "^not ok" "^kmem_cache_check: "

# drop_caches after the slab suites on 4 harts: every hart empties its
# magazines and every free slab goes back, so Slab is 0 kB (nothing the
# suites allocated is left behind) and slabinfo -s shows empty magazines.
qemu_run slab-drop-caches 120 /dev/null $VIRT -smp 4 -m 128M -kernel "$KERNEL" \
	-append 'run="ktest kmalloc slab slab_debug;drop_caches;meminfo;slabinfo -s;poweroff"'
check slab-drop-caches 0 "^ktest: [0-9]+ passed, 0 failed$" \
	"^drop_caches: [1-9][0-9]* slab and SLOB pages given back; [0-9]+ pages free \([0-9]+ before\)$" \
	"^Slab: +0 kB$" "^kmalloc-64 +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +0 +64 +32( [0-9]+:0)+ depot 0/64 borrowed [0-9]+ lent [0-9]+$"
full=$(tr -d '\r' <"$LOGDIR/slab-drop-caches.log" | sed -n '/^rvmm> slabinfo -s$/,/^shrinker /p' |
	grep -E ' [0-9]+:[1-9][0-9]*( |$)' || true)
if [ -z "$full" ]; then
	echo "ok   slab-drop-caches-empty"
	record slab-drop-caches-empty 1 0
else
	echo "FAIL slab-drop-caches-empty: magazines still hold objects after drop_caches:"
	echo "$full"
	record slab-drop-caches-empty 0 1
fi

# slab_debug: every check on every cache. The slab suite still passes (debug
# caches have no magazines); no check fires on correct use; kmalloc-64 has the
# debug layout: 64 bytes aligned to 64 behind a 64-byte red zone, 8 of red
# zone after, the free link, two tracks: 192 bytes, 21 a page, no magazine.
ktest_run slab-debug-all 120 $VIRT -smp 4 -m 128M -kernel "$KERNEL" \
	-append 'slab_debug run="ktest slab;slabinfo;meminfo;poweroff"'
check_log slab-debug-all slab-debug-all-layout \
	"^kmalloc-64 +[0-9]+ +[0-9]+ +192 +21 +1 : tunables +0 +0 +0 : slabdata +[0-9]+ +[0-9]+ +0$"
no_log slab-debug-all slab-debug-all-quiet "^cmdline: " "^slab error" "^kmem_cache_check: "
slab_reports slab-debug-all slab-debug-all-reports

# slab_debug=ZP,kmalloc-64: red zones and poisoning on that cache only
# (64 + 8 + link 8, 64 before: 192 bytes), every other cache as usual
# (kmalloc-112: magazines of 36, 4 KiB of objects).
ktest_run slab-debug-one 120 $VIRT -smp 4 -m 128M -kernel "$KERNEL" \
	-append 'slab_debug=ZP,kmalloc-64 run="ktest kmalloc slab;slabinfo;poweroff"'
check_log slab-debug-one slab-debug-one-layout \
	"^kmalloc-64 +[0-9]+ +[0-9]+ +192 +21 +1 : tunables +0 +0 +0 : slabdata +[0-9]+ +[0-9]+ +0$" \
	"^kmalloc-112 +[0-9]+ +[0-9]+ +112 +36 +1 : tunables +36 +18 +2 : slabdata +[0-9]+ +[0-9]+ +[0-9]+$" \
	"^kmalloc-32 +[0-9]+ +[0-9]+ +32 +128 +1 : tunables +120 +60 +2 : slabdata +[0-9]+ +[0-9]+ +[0-9]+$"
no_log slab-debug-one slab-debug-one-quiet "^cmdline: " "^slab error" "^kmem_cache_check: "

# slub_debug= (Linux's older name) with a list of caches, as Linux takes it:
# kmalloc-64 and kmalloc-32 are debug caches (no magazines: tunables 0),
# kmalloc-112 is not.
ktest_run slub-debug-list 120 $VIRT -smp 2 -m 128M -kernel "$KERNEL" \
	-append 'slub_debug=ZP,kmalloc-64,kmalloc-32 run="ktest kmalloc;slabinfo;poweroff"'
check_log slub-debug-list slub-debug-list-layout \
	"^kmalloc-64 +[0-9]+ +[0-9]+ +192 +21 +1 : tunables +0 +0 +0 : slabdata +[0-9]+ +[0-9]+ +0$" \
	"^kmalloc-32 +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +1 : tunables +0 +0 +0 : slabdata " \
	"^kmalloc-112 +[0-9]+ +[0-9]+ +112 +36 +1 : tunables +36 +18 +2 : slabdata "
no_log slub-debug-list slub-debug-list-quiet "^cmdline: " "^slab error" "^kmem_cache_check: "

# slab_debug=U,kmalloc-16: alloc_traces and free_traces at the console name
# the code that holds kmalloc-16's objects (memmap-fill leaves some out), in
# Linux's format; a cache that records no users is refused, naming the fix.
qemu_run slab-traces 120 /dev/null $VIRT -smp 2 -m 128M -kernel "$KERNEL" \
	-append 'slab_debug=U,kmalloc-16 run="memmap-fill;alloc_traces kmalloc-64;alloc_traces kmalloc-16;free_traces kmalloc-16;poweroff"'
check_log slab-traces slab-traces-lines \
	"^alloc_traces: kmalloc-64 does not record its users: boot with slab_debug=U,kmalloc-64 \(or create it with SLAB_STORE_USER\)$" \
	"^ +[0-9]+ cmd_memmap_fill\+0x[0-9a-f]+ age=[0-9]+/[0-9]+/[0-9]+ cpus=[0-9]" \
	"^ +[0-9]+ <not-available>$"
no_log slab-traces slab-traces-quiet "^slab error" "^kmem_cache_check: " "^No data$"
# (kmalloc's own functions pass their caller on: kmalloc_track_caller.)
no_log slab-traces slab-traces-not-kmalloc \
	"^ +[0-9]+ (__kmalloc|kmalloc|kzalloc|kcalloc|krealloc|kmem_cache_alloc)[a-z_]*\+0x"

# A bad letter is warned about and changes nothing: kmalloc-64 as usual.
ktest_run slab-debug-bad 120 $VIRT -smp 2 -m 128M -kernel "$KERNEL" \
	-append 'slab_debug=Q run="ktest slab;slabinfo;poweroff"'
check_log slab-debug-bad slab-debug-bad-warned \
	"^cmdline: invalid value for 'slab_debug': 'Q' \(error -22\)$" \
	"^kmalloc-64 +[0-9]+ +[0-9]+ +64 +64 +1 : tunables +64 +32 +2 : slabdata +[0-9]+ +[0-9]+ +[0-9]+$"

# kmalloc=slob: the slab suites and kmalloc's pass with kmalloc on SLOB, and
# no kmalloc-N cache is ever made (slabinfo has no row, Slab is 0 kB).
ktest_run slab-kmalloc-slob 120 $VIRT -smp 4 -m 128M -kernel "$KERNEL" \
	-append 'kmalloc=slob ktest=slab,kmalloc,slab_debug'
qemu_run slab-kmalloc-slob-reports 60 /dev/null $VIRT -smp 2 -m 128M -kernel "$KERNEL" \
	-append 'kmalloc=slob run="ktest slab;slabinfo;meminfo;poweroff"'
check slab-kmalloc-slob-reports 0 "^ktest: [0-9]+ passed, 0 failed$" \
	"^slabinfo - version: 2.1$" "^Slab: +0 kB$" "^SReclaimable: +0 kB$" "^SUnreclaim: +0 kB$"
no_log slab-kmalloc-slob-reports slab-kmalloc-slob-no-caches "^kmalloc-[0-9]+ " "^cmdline: "

# Zones on 8 GiB: after the zones suite slabinfo has rows for the zone caches
# (kmalloc-dma32-N, kmalloc-dma-N), in the same format and counted in
# meminfo's Slab like every other cache.
ktest_run slab-zones 180 $VIRT -smp 2 -m 8G -kernel "$KERNEL" \
	-append 'run="ktest zones;slabinfo;meminfo;poweroff"'
slab_reports slab-zones slab-zones-format
check_log slab-zones slab-zones-rows \
	"^kmalloc-dma32-64 +[0-9]+ +[0-9]+ +64 +64 +1 : tunables +64 +32 +2 : slabdata +[0-9]+ +[0-9]+ +[0-9]+$" \
	"^kmalloc-dma-64 +[0-9]+ +[0-9]+ +64 +64 +1 : tunables +64 +32 +2 : slabdata +[0-9]+ +[0-9]+ +[0-9]+$"
