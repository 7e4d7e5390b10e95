#!/bin/sh
# memmap-checks.sh - the `memmap` dump (mm/memmap_dump.c, docs/memmap.md)
# checked from the outside on QEMU virt against the other reports of the
# same boot, and scripts/memmap-plot.sh checked on the dumps captured here:
#   - the runs cover every pfn of the node exactly once, in order, each zone
#     from its first to its last pfn, present pages all but the holes;
#   - free pages per zone = zoneinfo's "pages free", free blocks per order =
#     buddyinfo, per-hart pages = zoneinfo's pagesets counts, pages outside
#     K/M/R/H = zoneinfo's managed;
#   - slab pages = slabinfo's slabs x pages per slab; SLOB + bigblock pages =
#     slobinfo's kmalloc heap plus the slab descriptors' heap (exactly
#     slobinfo with kmalloc=slob); vmalloc pages = vmallocinfo's; kernel
#     pages = the boot log's kernel reservation;
#   - 8 GiB after boot is a short dump;
#   - memmap-timeline's samples are well formed and end with nothing live;
#   - the plot script draws both PNGs from these logs (gnuplot must be
#     there: make deps installs it).
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh
. scripts/memmap-awk.sh

VIRT="-M virt -bios default"

# memmap_agrees RUN RESULT MODE: the run's last dump against the reports
# printed after it (MODE slab: kmalloc=slab, slob: kmalloc=slob).
memmap_agrees() {
	run=$1 result=$2 mode=$3
	v=$(tr -d '\r' <"$LOGDIR/$run.log" | awk -v mode="$mode" "$MEMMAP_AWK"'
	function fail(msg) { if (!bad) print msg; bad = 1 }
	# the kernel reservation of the boot log
	/^  \[mem 0x[0-9a-f]+-0x[0-9a-f]+\] kernel$/ {
		split($0, a, /[][ -]+/); kstart = hexval(a[3]); kend = hexval(a[4]) + 1 }
	/^rvmm> memmap$/ { cmd = "memmap" }
	/^rvmm> / && $2 != "memmap" { cmd = $2 }
	/^memmap: begin / { inb = 1; start = hexval(kv($0, "start_pfn")); end = hexval(kv($0, "end_pfn"))
		spanned = kv($0, "spanned"); present = kv($0, "present"); next_pfn = start; nz = 0; nruns = 0
		split("", cnt); split("", zF); split("", zP); split("", zM); split("", zblk); next }
	inb && /^memmap: legend / { legend = 1; next }
	inb && /^memmap: zone / {
		if (nz && next_pfn != zend[nz]) fail("zone " zname[nz] " ends at " next_pfn ", not " zend[nz])
		nz++; zname[nz] = $3; zstart[nz] = hexval(kv($0, "start_pfn")); zend[nz] = hexval(kv($0, "end_pfn"))
		zpresent[nz] = kv($0, "present"); zmanaged[nz] = kv($0, "managed")
		if (zstart[nz] != next_pfn) fail("zone " $3 " starts at " zstart[nz] ", runs are at " next_pfn)
		next }
	inb && /^memmap: pfn=/ {
		p = hexval(kv($0, "pfn")); n = kv($0, "n") + 0; t = $4; nruns++
		if (!nz) fail("a run before any zone line")
		if (p != next_pfn) fail(sprintf("run at pfn %#x, expected %#x (gap or overlap)", p, next_pfn))
		if (n < 1) fail("empty run at " p)
		if (p + n > zend[nz]) fail(sprintf("run at %#x crosses the end of zone %s", p, zname[nz]))
		next_pfn = p + n
		if (t ~ /^F([0-9]|10)$/) {
			o = substr(t, 2) + 0; bs = 2 ^ o
			if (p % bs || n % bs) fail(sprintf("free run %s at %#x n=%d is not whole aligned blocks", t, p, n))
			zblk[nz, o] += n / bs; s = "F"
		} else if (t ~ /^[PSOBVTAKMRH?]$/) s = t
		else { fail("bad state " t); s = "?" }
		cnt[s] += n; zc[nz, s] += n
		next }
	inb && /^memmap: counts / { for (i = 3; i <= NF; i++) { split($i, kvp, "="); said[kvp[1]] = kvp[2] } next }
	inb && /^memmap: owners / { o_meta = kv($0, "slab_meta_pages"); o_slob = kv($0, "kmalloc_slob_pages")
		o_big = kv($0, "kmalloc_big_pages"); next }
	inb && /^memmap: end / { inb = 0; done = 1; end_runs = kv($0, "runs")
		if (nz && next_pfn != zend[nz]) fail("zone " zname[nz] " ends at " next_pfn ", not " zend[nz])
		next }
	# the reports after the dump
	done && cmd == "buddyinfo" && /^Node 0, zone / { bi[$4] = $0 }
	done && cmd == "zoneinfo" && /^Node 0, zone / { zi = $4 }
	done && cmd == "zoneinfo" && /^  pages free / { zfree[zi] = $3 }
	done && cmd == "zoneinfo" && /^        managed / { zman[zi] = $2 }
	done && cmd == "zoneinfo" && /^              count: / { zpcp[zi] += $2 }
	done && cmd == "slabinfo" && /^[a-z0-9-]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ : tunables/ { slabp += $15 * $6; slabrows++ }
	done && cmd == "slobinfo" && /^slobinfo: heap kmalloc / { sh = 1 }
	done && cmd == "slobinfo" && sh && /^  pages in use / { s_pages = $4 }
	done && cmd == "slobinfo" && sh && /^  bigblocks / { s_big = $4 }
	done && cmd == "vmallocinfo" && / vmalloc$/ { for (i = 1; i <= NF; i++) if ($i ~ /^pages=/) vm += substr($i, 7) }
	# (an area vfree left awaiting its purge still owns its pages; SIZE counts its guard page)
	done && cmd == "vmallocinfo" && / unpurged vm_area$/ { vm += $2 / 4096 - 1 }
	END {
		if (!done) { print "no complete memmap dump"; exit }
		if (bad) exit
		if (!legend) { print "no legend line"; exit }
		if (next_pfn != end) { print "runs end at " next_pfn ", node at " end; exit }
		tot = 0; for (s in cnt) tot += cnt[s]
		if (tot != spanned) { print "runs hold " tot " pages, the node spans " spanned; exit }
		if (tot - cnt["H"] != present) { print tot - cnt["H"] " pages outside holes, present " present; exit }
		if (end_runs != nruns) { print "end line says " end_runs " runs, there are " nruns; exit }
		split("F P S O B V T A K M R H ?", L, " ")
		for (i = 1; i <= 13; i++) if (said[L[i]] + 0 != cnt[L[i]] + 0) { print "counts line: " L[i] "=" said[L[i]] ", runs hold " cnt[L[i]] + 0; exit }
		if (cnt["?"]) { print cnt["?"] " pages in no known state"; exit }
		zp = 0
		for (z = 1; z <= nz; z++) {
			name = zname[z]; zp += zpresent[z]
			if (!(name in zfree)) { print "zoneinfo has no zone " name; exit }
			if (zc[z, "F"] + 0 != zfree[name]) { print name ": " zc[z, "F"] + 0 " free pages in runs, zoneinfo pages free " zfree[name]; exit }
			if (zc[z, "P"] + 0 != zpcp[name] + 0) { print name ": " zc[z, "P"] + 0 " per-hart pages in runs, pagesets hold " zpcp[name] + 0; exit }
			m = 0; for (i = 1; i <= 8; i++) m += zc[z, L[i]]
			if (m != zman[name] || m != zmanaged[z]) { print name ": " m " managed pages in runs, zoneinfo " zman[name] ", zone line " zmanaged[z]; exit }
			if (zman[name] > 0 || zfree[name] > 0) {
				if (!(name in bi)) { print "buddyinfo has no zone " name; exit }
				nb = split(bi[name], f, " ")
				for (o = 0; o <= 10; o++) if (zblk[z, o] + 0 != f[5 + o]) { print name ": " zblk[z, o] + 0 " free blocks of order " o " in runs, buddyinfo " f[5 + o]; exit }
			}
		}
		if (zp != present) { print "zones present " zp ", node present " present; exit }
		if (kend && cnt["K"] * 4096 != kend - kstart) { print "K " cnt["K"] " pages, the kernel reservation is " (kend - kstart) / 4096 " pages"; exit }
		if (cnt["S"] + 0 != slabp + 0) { print "S " cnt["S"] + 0 " pages, slabinfo " slabp + 0; exit }
		if (s_pages != "") {
			if (o_slob != s_pages || o_big != s_big) { print "owners line " o_slob "+" o_big ", slobinfo " s_pages "+" s_big; exit }
			if (cnt["O"] + cnt["B"] != s_pages + s_big + o_meta) { print "O+B " cnt["O"] + cnt["B"] ", SLOB heaps hold " s_pages + s_big + o_meta; exit }
			if (mode == "slob" && (cnt["O"] != s_pages || cnt["B"] != s_big || o_meta != 0)) { print "kmalloc=slob: O " cnt["O"] " B " cnt["B"] ", slobinfo " s_pages " " s_big ", meta " o_meta; exit }
		}
		if (vm != "" && cnt["V"] + 0 != vm) { print "V " cnt["V"] + 0 " pages, vmallocinfo " vm; exit }
		printf "ok %d runs over %d pages: F=%d P=%d S=%d O=%d B=%d V=%d T=%d A=%d K=%d M=%d R=%d H=%d\n", nruns, tot,
			cnt["F"], cnt["P"], cnt["S"], cnt["O"], cnt["B"], cnt["V"], cnt["T"], cnt["A"], cnt["K"], cnt["M"], cnt["R"], cnt["H"]
	}')
	verdict "$run" "$result" "${v:-no verdict}"
}

REPORTS="buddyinfo;zoneinfo;slabinfo;slobinfo;vmallocinfo"

# Boot log only: the dump of a fresh 128 MiB machine, two harts.
qemu_run memmap-boot 60 /dev/null $VIRT -smp 2 -m 128M -kernel "$KERNEL" \
	-append "run=\"memmap;$REPORTS;poweroff\""
check memmap-boot 0 "^memmap: begin start_pfn=0x80000 end_pfn=0x88000 spanned=32768 present=32768 page_kb=4$" \
	"^memmap: zone DMA32 start_pfn=0x80000 end_pfn=0x88000 present=32768 managed=[0-9]+$" \
	"^memmap: pfn=0x80000 n=128 R$" "^memmap: end runs=[0-9]+$"
memmap_agrees memmap-boot memmap-boot-agrees slab

# A small timeline, then memory filled by every owner (kmalloc=slab, the
# default), then the dump and the reports. The timeline's samples: one per
# 5000 steps from 0, both phases, nothing live at the end.
qemu_run memmap-filled 120 /dev/null $VIRT -smp 2 -m 128M -kernel "$KERNEL" \
	-append "run=\"memmap-timeline 16384 60000 5000;memmap-fill;memmap;$REPORTS;poweroff\""
check memmap-filled 0 "^memmap-fill: [0-9]+ kmalloc, [0-9]+ SLOB, [1-9][0-9]* bigblocks, [1-9][0-9]* page blocks, [1-9][0-9]* vmalloc areas;" \
	"^memmap-timeline: [0-9]+ allocs, [0-9]+ frees, [0-9]+ at the end, peak [0-9]+ KiB live, 0 corrupt, 0 failed$"
memmap_agrees memmap-filled memmap-filled-agrees slab
v=$(tr -d '\r' <"$LOGDIR/memmap-filled.log" | awk '
	/^memmap-sample: / {
		n++
		if ($0 !~ /^memmap-sample: step=[0-9]+ phase=(churn|drain|shrunk|pcp-drained) free_pages=[0-9]+ largest_free_order=(-1|[0-9]+) frag_pct=[0-9]+\.[0-9] unusable_pct=[0-9]+\.[0-9] live_kb=[0-9]+$/) { print "bad sample: " $0; bad = 1; exit }
		split($2, s, "="); step = s[2] + 0
		if (n > 1 && step < last) { print "steps go back: " $0; bad = 1; exit }
		last = step; ph[$3]++; final = $0
		if ($3 == "phase=churn" && step % 5000) { print "churn sample off the 5000 grid: " $0; bad = 1; exit }
		split($6, f, "="); split($7, u, "="); if (f[2] > 100 || u[2] > 100) { print "percent above 100: " $0; bad = 1; exit }
	}
	END {
		if (bad) exit
		if (ph["phase=churn"] != 13) { print ph["phase=churn"] + 0 " churn samples, expected 13 (0..60000 by 5000)"; exit }
		if (!ph["phase=drain"] || ph["phase=shrunk"] != 1 || ph["phase=pcp-drained"] != 1) { print "missing drain, shrunk or pcp-drained samples"; exit }
		if (final !~ /phase=pcp-drained .* live_kb=0$/) { print "the last sample is not pcp-drained with nothing live: " final; exit }
		print "ok " n " samples"
	}')
verdict memmap-filled memmap-timeline-samples "${v:-no verdict}"

# pagetypeinfo (grouping by use, mm/page_alloc.c): after memmap-fill, per
# zone and order the free blocks of small-use and general pageblocks add up
# to buddyinfo's, and the pageblocks of both uses to the 256 of 128 MiB;
# slab pages are live, so some pageblocks are small-use. With
# page_grouping=off none is and the Small rows are zero.
pagetypeinfo_agrees() {
	v=$(tr -d '\r' <"$LOGDIR/$1.log" | awk -v grouping="$3" '
		/^Grouping by use: / { mode = $4 }
		/^Number of blocks type/ { blocks = 1; next }
		/^rvmm> / { blocks = 0 }
		/^Node +0, zone .*, type / {
			z = $4; sub(",", "", z); t = $6
			for (o = 0; o <= 10; o++) { pt[z, o] += $(7 + o); if (t == "Small") small += $(7 + o) }
			zones[z] = 1; next
		}
		blocks && /^Node 0, zone / { nsmall += $5; ngen += $6; next }
		/^Node 0, zone / && NF == 15 { for (o = 0; o <= 10; o++) bi[$4, o] = $(5 + o); bz[$4] = 1 }
		END {
			if (mode != grouping) { print "Grouping by use: " mode ", expected " grouping; exit }
			n = 0
			for (z in bz) {
				n++
				if (!(z in zones)) { print "pagetypeinfo has no zone " z; exit }
				for (o = 0; o <= 10; o++) if (pt[z, o] != bi[z, o]) { print z " order " o ": pagetypeinfo " pt[z, o] ", buddyinfo " bi[z, o]; exit }
			}
			if (!n) { print "no buddyinfo"; exit }
			if (nsmall + ngen != 256) { print nsmall " + " ngen " pageblocks, 128 MiB has 256"; exit }
			if (grouping == "on" && !nsmall) { print "no small-use pageblock with slabs live"; exit }
			if (grouping == "off" && (nsmall || small)) { print "grouping off: " nsmall " small-use pageblocks, " small " free blocks in them"; exit }
			print "ok " nsmall " small-use and " ngen " general pageblocks; free blocks add up to buddyinfo"
		}')
	verdict "$1" "$2" "${v:-no verdict}"
}
qemu_run memmap-pagetypeinfo 120 /dev/null $VIRT -smp 2 -m 128M -kernel "$KERNEL" \
	-append "run=\"memmap-fill;pagetypeinfo;buddyinfo;memmap-fill free;poweroff\""
check memmap-pagetypeinfo 0 "^Page block order: 7$" "^Free pages count per use type at order +0 +1 "
pagetypeinfo_agrees memmap-pagetypeinfo memmap-pagetypeinfo-agrees on
qemu_run memmap-pagetypeinfo-off 120 /dev/null $VIRT -smp 2 -m 128M -kernel "$KERNEL" \
	-append "page_grouping=off run=\"memmap-fill;pagetypeinfo;buddyinfo;memmap-fill free;poweroff\""
check memmap-pagetypeinfo-off 0 "^Grouping by use:  off$"
pagetypeinfo_agrees memmap-pagetypeinfo-off memmap-pagetypeinfo-off-agrees off

# page_owner=on: after memmap-fill the page_owner command counts exactly the
# pages memmap shows allocated (S + O + B + V + T + A: every allocated page,
# typed or not, has one owner), names memmap-fill's own page blocks by their
# caller, and the records of all 4 sections were made at boot.
qemu_run memmap-page-owner 120 /dev/null $VIRT -smp 2 -m 512M -kernel "$KERNEL" \
	-append "page_owner=on run=\"memmap-fill;memmap;page_owner;poweroff\""
check memmap-page-owner 0 "^page_owner: on, records for 4 section\(s\)$" \
	"^ +[0-9]+ +[0-9]+  cmd_memmap_fill\+0x[0-9a-f]+ gfp 0x[0-9a-f]+ age<=[0-9]+ ms$" \
	"^ +[0-9]+ +[0-9]+  slab kmalloc-64$" "^ +[0-9]+ +[0-9]+  SLOB heap kmalloc$"
v=$(tr -d '\r' <"$LOGDIR/memmap-page-owner.log" | awk '
	/^memmap: counts / {
		for (i = 3; i <= NF; i++) { split($i, kv, "="); c[kv[1]] = kv[2] }
		alloc = c["S"] + c["O"] + c["B"] + c["V"] + c["T"] + c["A"]
	}
	/^page_owner: [0-9]+ allocated pages by [0-9]+ owners/ { total = $2; owners = $6 }
	/^ +[0-9]+ +[0-9]+  / && total != "" { sum += $1; rows++ }
	END {
		if (alloc == "" || total == "") { print "no memmap counts or page_owner line"; exit }
		if (total != alloc) { print "page_owner counts " total " pages, memmap " alloc " allocated"; exit }
		if (sum != total || rows != owners) { print "rows add up to " sum " pages in " rows " rows, header " total " in " owners; exit }
		print "ok " total " pages in " rows " owners, as memmap"
	}')
verdict memmap-page-owner memmap-page-owner-agrees "${v:-no verdict}"

# kmalloc=slob: no slab cache exists, so the SLOB and bigblock pages are
# exactly kmalloc's heap as slobinfo reports it.
qemu_run memmap-slob 120 /dev/null $VIRT -smp 1 -m 128M -kernel "$KERNEL" \
	-append "kmalloc=slob run=\"memmap-fill;memmap;$REPORTS;poweroff\""
check memmap-slob 0 "^memmap: end runs=[0-9]+$"
memmap_agrees memmap-slob memmap-slob-agrees slob

# 8 GiB, two zones: 2M pages in a short dump (run-length encoding).
qemu_run memmap-8G 120 /dev/null $VIRT -smp 1 -m 8G -kernel "$KERNEL" \
	-append "run=\"memmap;$REPORTS;poweroff\""
check memmap-8G 0 "^memmap: begin start_pfn=0x80000 end_pfn=0x280000 spanned=2097152 present=2097152 page_kb=4$" \
	"^memmap: zone Normal start_pfn=0x100000 end_pfn=0x280000 present=1572864 managed=[0-9]+$"
memmap_agrees memmap-8G memmap-8G-agrees slab
lines=$(tr -d '\r' <"$LOGDIR/memmap-8G.log" | grep -c '^memmap: ')
if [ "$lines" -gt 0 ] && [ "$lines" -le 200 ]; then
	echo "ok   memmap-8G-size: $lines dump lines for 2097152 pages"
	record memmap-8G-size 1 0
else
	echo "FAIL memmap-8G-size: $lines dump lines for 2097152 pages (at most 200 wanted)"
	record memmap-8G-size 0 1
fi

# RAM whose last page is not whole, or shares it with a no-map range
# (tests/dts): nothing memblock allocated lies in that page, which is not
# mapped, so the dump (which reads every struct page) runs to its end.
for tree in unaligned-end nomap-halfpage; do
	qemu_run "memmap-$tree" 120 /dev/null $VIRT -smp 2 -m 512M -dtb "build/dtb/$tree.dtb" \
		-kernel "$KERNEL" -append "run=\"memmap;$REPORTS;poweroff\""
	check "memmap-$tree" 0 \
		"^memblock: \[mem 0x000000009ffff000-0x000000009ffff7ff\] not usable: " \
		"^memmap: end "
	memmap_agrees "memmap-$tree" "memmap-$tree-agrees" slab
done
# Three banks, the top one [0x180000800, 0x181000800) starting and ending
# mid-page: the section table no longer lands in its unmapped last page.
qemu_run memmap-oddbanks 120 /dev/null $VIRT -smp 2 -m 8G -dtb build/dtb/oddbanks.dtb \
	-kernel "$KERNEL" -append "run=\"memmap;$REPORTS;poweroff\""
check memmap-oddbanks 0 \
	"^memblock: \[mem 0x0000000181000000-0x00000001810007ff\] not usable: partial page at the end of a RAM range$" \
	"^memmap: end "
memmap_agrees memmap-oddbanks memmap-oddbanks-agrees slab

# --- host side: scripts/memmap-plot.sh on the logs captured above ---

# png_ok FILE MINW MINH: FILE is a PNG of at least MINW x MINH pixels.
png_ok() {
	[ -s "$1" ] || return 1
	[ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = 89504e470d0a1a0a ] || return 1
	w=$(od -An -tu1 -j16 -N4 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
	h=$(od -An -tu1 -j20 -N4 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
	[ "$w" -ge "$2" ] && [ "$h" -ge "$3" ]
}

if ! command -v gnuplot >/dev/null 2>&1; then
	echo "FAIL memmap-plot: gnuplot is not installed (make deps installs gnuplot-nox)"
	record memmap-plot 0 1
else
	out=$LOGDIR/memmap-plot
	rm -rf "$out"
	if scripts/memmap-plot.sh "$LOGDIR/memmap-filled.log" "$out" >"$LOGDIR/memmap-plot.log" 2>&1 &&
		png_ok "$out/memmap.png" 800 400 && png_ok "$out/memmap-timeline.png" 800 400 &&
		grep -q 'one square = one page (4 KiB)' "$out/memmap.gp" &&
		grep -q 'keyentry .* title "slab: [1-9]' "$out/memmap.gp" &&
		grep -q 'keyentry .* title "vmalloc: [1-9]' "$out/memmap.gp" &&
		[ "$(grep -c . "$out/memmap.dat")" = 32768 ]; then
		echo "ok   memmap-plot: $out/memmap.png, $out/memmap-timeline.png"
		record memmap-plot 1 0
	else
		echo "FAIL memmap-plot: scripts/memmap-plot.sh on memmap-filled.log"
		cat "$LOGDIR/memmap-plot.log"
		record memmap-plot 0 1
	fi
	out8=$LOGDIR/memmap-plot-8G
	rm -rf "$out8"
	if scripts/memmap-plot.sh "$LOGDIR/memmap-8G.log" "$out8" >"$LOGDIR/memmap-plot-8G.log" 2>&1 &&
		png_ok "$out8/memmap.png" 800 400 && [ ! -e "$out8/memmap-timeline.png" ] &&
		grep -q 'one square = 64 pages (256 KiB)' "$out8/memmap.gp" &&
		grep -q 'set arrow .* nohead lw 2' "$out8/memmap.gp"; then
		echo "ok   memmap-plot-8G: squares of 64 pages, the Normal zone's boundary drawn"
		record memmap-plot-8G 1 0
	else
		echo "FAIL memmap-plot-8G: scripts/memmap-plot.sh on memmap-8G.log"
		cat "$LOGDIR/memmap-plot-8G.log"
		record memmap-plot-8G 0 1
	fi
	# A log without a dump or samples is refused, not drawn empty.
	if scripts/memmap-plot.sh "$LOGDIR/memmap-plot.log" "$LOGDIR/memmap-plot-none" >/dev/null 2>&1; then
		echo "FAIL memmap-plot-nothing: a log without a dump gave no error"
		record memmap-plot-nothing 0 1
	else
		echo "ok   memmap-plot-nothing: a log without a dump is refused"
		record memmap-plot-nothing 1 0
	fi
fi
