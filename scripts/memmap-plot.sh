#!/bin/sh
# memmap-plot.sh - pictures from a console log that holds the `memmap`
# command's dump (and, for the second picture, memmap-timeline's samples):
#
#   scripts/memmap-plot.sh LOG [OUTDIR]
#
#   OUTDIR/memmap.png           physical memory, one small square per page (or
#                               per group of pages on big machines: the title
#                               says how many), coloured by state, zone
#                               boundaries drawn, with a legend;
#   OUTDIR/memmap-timeline.png  free memory and fragmentation over the
#                               memmap-timeline workload (only when LOG has
#                               memmap-sample lines).
#
# OUTDIR defaults to build/. Needs gnuplot (Debian's gnuplot-nox; make deps
# installs it) and awk; no python. The formats: docs/memmap.md. Prints the
# paths of the PNGs it wrote.
set -eu
. "$(dirname "$0")/memmap-awk.sh"

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 LOG [OUTDIR]" >&2
	exit 2
fi
LOG=$1
OUT=${2:-build}
if ! command -v gnuplot >/dev/null 2>&1; then
	echo "memmap-plot: gnuplot is missing (Debian package gnuplot-nox; make deps installs it)" >&2
	exit 1
fi
mkdir -p "$OUT"
TMP=$OUT/memmap-plot.tmp
mkdir -p "$TMP"
tr -d '\r' <"$LOG" >"$TMP/log"

if ! grep -q '^memmap: end' "$TMP/log" && ! grep -q '^memmap-sample: ' "$TMP/log"; then
	echo "memmap-plot: $LOG has neither a memmap dump nor memmap-sample lines" >&2
	rm -rf "$TMP"
	exit 1
fi

# --- 1. the map --------------------------------------------------------------
# awk turns the last complete dump into OUT/memmap.dat (x y r g b per square)
# and the gnuplot script OUT/memmap.gp.
if grep -q '^memmap: end' "$TMP/log"; then
awk -v out="$OUT" -v dat="$OUT/memmap.dat" "$MEMMAP_AWK"'
# state class of a run token: F0..F10 fold into four shades of free
function cls(tok,   o) {
	if (tok ~ /^F[0-9]+$/) {
		o = substr(tok, 2) + 0
		return o <= 2 ? "F0" : o <= 6 ? "F3" : o <= 9 ? "F7" : "F10"
	}
	return tok
}
function hex(v,   s, d) {
	s = ""
	do { d = v % 16; s = substr("0123456789abcdef", d + 1, 1) s; v = int(v / 16) } while (v > 0)
	return "0x" s
}
function size_str(bytes) {
	if (bytes >= 1073741824 && bytes % 1073741824 == 0) return bytes / 1073741824 " GiB"
	if (bytes >= 1048576) return sprintf("%g MiB", bytes / 1048576)
	return bytes / 1024 " KiB"
}
/^memmap: begin / { inb = 1; nruns = 0; nz = 0; start = hexval(kv($0, "start_pfn"));
	end = hexval(kv($0, "end_pfn")); next }
inb && /^memmap: zone / { nz++; zname[nz] = $3; zstart[nz] = hexval(kv($0, "start_pfn"));
	zend[nz] = hexval(kv($0, "end_pfn")); next }
inb && /^memmap: pfn=/ { nruns++; rp[nruns] = hexval(kv($0, "pfn")); rn[nruns] = kv($0, "n") + 0;
	rt[nruns] = $4; next }
inb && /^memmap: end/ { inb = 0; done = 1; D_start = start; D_end = end; D_runs = nruns; D_nz = nz
	for (i = 1; i <= nruns; i++) { P[i] = rp[i]; N[i] = rn[i]; T[i] = rt[i] }
	for (i = 1; i <= nz; i++) { ZN[i] = zname[i]; ZS[i] = zstart[i]; ZE[i] = zend[i] }
	next }
END {
	if (!done) { print "memmap-plot: no complete memmap dump (memmap: begin ... memmap: end) in the log" > "/dev/stderr"; exit 1 }
	pages = D_end - D_start
	# one square per G pages, G a power of two, at most 32768 squares, 256 a row
	G = 1; while (pages / G > 32768) G *= 2
	W = 256; cells = int((pages + G - 1) / G); rows = int((cells + W - 1) / W)
	split("F10 F7 F3 F0 P S O B V T A K M R H ?", order, " ")
	col["F10"] = "#006d2c"; lab["F10"] = "free, order 10 (4 MiB blocks)"
	col["F7"]  = "#31a354"; lab["F7"]  = "free, orders 7-9"
	col["F3"]  = "#74c476"; lab["F3"]  = "free, orders 3-6"
	col["F0"]  = "#c7e9c0"; lab["F0"]  = "free, orders 0-2"
	col["P"]   = "#17becf"; lab["P"]   = "free on a per-hart list"
	col["S"]   = "#2166ac"; lab["S"]   = "slab"
	col["O"]   = "#f46d43"; lab["O"]   = "SLOB"
	col["B"]   = "#762a83"; lab["B"]   = "bigblock"
	col["V"]   = "#e7298a"; lab["V"]   = "vmalloc"
	col["T"]   = "#8c510a"; lab["T"]   = "page table"
	col["A"]   = "#fee08b"; lab["A"]   = "allocated pages (other)"
	col["K"]   = "#d73027"; lab["K"]   = "kernel image"
	col["M"]   = "#4d4d4d"; lab["M"]   = "struct pages"
	col["R"]   = "#a6a6a6"; lab["R"]   = "reserved (firmware, DTB, boot data)"
	col["H"]   = "#ffffff"; lab["H"]   = "hole (no RAM)"
	col["?"]   = "#000000"; lab["?"]   = "inconsistent"
	# pages of each state in each square
	for (i = 1; i <= D_runs; i++) {
		c = cls(T[i]); total[c] += N[i]
		if (!(c in col)) { print "memmap-plot: unknown state " T[i] > "/dev/stderr"; exit 1 }
		p = P[i] - D_start; e = p + N[i]
		while (p < e) {
			cell = int(p / G); ce = (cell + 1) * G; if (ce > e) ce = e
			cnt[cell, c] += ce - p; p = ce
		}
	}
	for (cell = 0; cell < cells; cell++) {
		best = ""; bn = -1
		for (k = 1; k <= 16; k++) { c = order[k]; if (cnt[cell, c] > bn) { bn = cnt[cell, c]; best = c } }
		rgb = col[best]
		printf "%d %d %d %d %d\n", cell % W, int(cell / W), hexval(substr(rgb, 2, 2)),
			hexval(substr(rgb, 4, 2)), hexval(substr(rgb, 6, 2)) > dat
	}
	close(dat)
	gp = out "/memmap.gp"
	px = 4; if (rows > 160) px = 3
	height = rows * px + 170; if (height < 560) height = 560
	print "set terminal pngcairo size " (W * px + 470) "," height " font \"sans,10\"" > gp
	print "set output \"" out "/memmap.png\"" > gp
	sq = G == 1 ? "one square = one page (4 KiB)" : "one square = " G " pages (" size_str(G * 4096) "), coloured by the state most of its pages are in"
	ztxt = ""
	for (i = 1; i <= D_nz; i++) ztxt = ztxt (i > 1 ? ", " : "") ZN[i] " " hex(ZS[i] * 4096) "-" hex(ZE[i] * 4096 - 1)
	printf "set title \"rvmm physical memory: %s, %d pages, %d runs; %s\\nzones (black lines): %s\"\n", size_str(pages * 4096), pages, D_runs, sq, ztxt > gp
	print "set xrange [-0.5:" W - 0.5 "]" > gp
	print "set yrange [" rows - 0.5 ":-0.5]" > gp
	print "set size ratio -1" > gp
	print "unset colorbox" > gp
	print "set border 0" > gp
	print "set tics out nomirror scale 0.5" > gp
	print "set ylabel \"physical address of the row\"" > gp
	printf "set xlabel \"offset in the row (a row = %s)\"\n", size_str(W * G * 4096) > gp
	xt = ""
	for (k = 0; k < 4; k++) xt = xt (k ? ", " : "") sprintf("\"+%s\" %d", k ? size_str(k * W / 4 * G * 4096) : "0", k * W / 4)
	print "set xtics (" xt ")" > gp
	step = 16; while (rows / step > 24) step *= 2
	yt = ""
	for (r = 0; r < rows; r += step) yt = yt (r ? ", " : "") sprintf("\"%s\" %d", hex((D_start + r * W * G) * 4096), r)
	print "set ytics (" yt ")" > gp
	print "set key outside right top Left reverse samplen 1.5 spacing 1.3 title \"state: pages\"" > gp
	# zone boundaries: a staircase between the last square of one zone and the first of the next
	arrows = 0
	for (i = 2; i <= D_nz; i++) {
		cell = int((ZS[i] - D_start) / G); r = int(cell / W); k = cell % W
		printf "set arrow from %g,%g to %g,%g nohead lw 2 lc rgb \"black\" front\n", k - 0.5, r - 0.5, W - 0.5, r - 0.5 > gp
		printf "set arrow from %g,%g to %g,%g nohead lw 2 lc rgb \"black\" front\n", k - 0.5, r - 0.5, k - 0.5, r + 0.5 > gp
		printf "set arrow from %g,%g to %g,%g nohead lw 2 lc rgb \"black\" front\n", -0.5, r + 0.5, k - 0.5, r + 0.5 > gp
		printf "set label \"%s\" at %g,%g right front offset -0.3,0.6 font \",9\"\n", ZN[i] " ->", W - 0.5, r - 0.5 > gp
	}
	line = "plot \"" dat "\" using 1:2:3:4:5 with rgbimage notitle"
	for (k = 1; k <= 16; k++) {
		c = order[k]
		if (total[c] > 0)
			line = line sprintf(", keyentry with boxes fs solid 1.0 border lc rgb \"#808080\" fc rgb \"%s\" title \"%s: %d\"", col[c], lab[c], total[c])
	}
	print line > gp
	close(gp)
}' "$TMP/log"
gnuplot "$OUT/memmap.gp"
echo "$OUT/memmap.png"
else
	echo "memmap-plot: no memmap dump in $LOG: no map" >&2
fi

# --- 2. the timeline -----------------------------------------------------------
if grep -q '^memmap-sample: ' "$TMP/log"; then
	awk -v out="$OUT" "$MEMMAP_AWK"'
	/^memmap-timeline: .*slots/ { head = $0; sub(/^memmap-timeline: /, "", head); ns = 0; drain = -1 }
	/^memmap-sample: / {
		ns++
		S[ns] = kv($0, "step") " " kv($0, "free_pages") * 4 / 1024 " " kv($0, "live_kb") / 1024 " " kv($0, "frag_pct") " " kv($0, "unusable_pct") " " kv($0, "largest_free_order")
		if (kv($0, "phase") == "drain" && drain < 0) drain = kv($0, "step")
		if (kv($0, "phase") == "shrunk") { shrunk_step = kv($0, "step"); shrunk_u = kv($0, "unusable_pct") }
		if (kv($0, "phase") == "pcp-drained") { pcp_step = kv($0, "step"); pcp_u = kv($0, "unusable_pct") }
	}
	END {
		dat = out "/memmap-timeline.dat"; gp = out "/memmap-timeline.gp"
		print "# step free_MiB live_MiB frag_pct unusable_pct largest_free_order" > dat
		for (i = 1; i <= ns; i++) print S[i] > dat
		close(dat)
		print "set terminal pngcairo size 1100,560 font \"sans,10\"" > gp
		print "set output \"" out "/memmap-timeline.png\"" > gp
		gsub(/"/, "", head)
		print "set title \"free memory and fragmentation over time: memmap-timeline (" head ")\"" > gp
		print "set xlabel \"step (an alloc or a free through kmalloc)\"" > gp
		print "set ylabel \"MiB\"" > gp
		print "set y2label \"percent\"" > gp
		print "set yrange [0:*]" > gp
		print "set y2range [0:100]" > gp
		print "set ytics nomirror" > gp
		print "set y2tics 0,10,100" > gp
		print "set grid" > gp
		print "set format x \"%.0s%c\"" > gp
		print "set key outside bottom center horizontal" > gp
		if (drain >= 0) {
			printf "set arrow from %d, graph 0 to %d, graph 1 nohead dt 2 lc rgb \"black\"\n", drain, drain > gp
			printf "set label \"from here every block is freed (7 in 8 first, then the rest)\" at %d, graph 0.9 right offset -0.5,0\n", drain > gp
		}
		if (shrunk_step != "")
			printf "set label \"caches shrunk: %s%% \" at %d, second %s right offset -0.5,0 font \",9\"\n", shrunk_u, shrunk_step, shrunk_u > gp
		if (pcp_step != "")
			printf "set label \"per-hart page lists drained: %s%% \" at %d, second %s right offset -0.5,0 font \",9\"\n", pcp_u, pcp_step, pcp_u > gp
		print "plot \"" dat "\" using 1:2 with lines lw 2 lc rgb \"#006d2c\" title \"free memory (MiB)\", \\" > gp
		print "     \"\" using 1:3 with lines lw 2 lc rgb \"#2166ac\" title \"live bytes requested (MiB)\", \\" > gp
		print "     \"\" using 1:4 axes x1y2 with lines lw 2 lc rgb \"#d73027\" title \"1 - largest free block / free (%)\", \\" > gp
		print "     \"\" using 1:5 axes x1y2 with lines lw 2 lc rgb \"#f46d43\" title \"free memory not in 4 MiB blocks (%)\"" > gp
		close(gp)
	}' "$TMP/log"
	gnuplot "$OUT/memmap-timeline.gp"
	echo "$OUT/memmap-timeline.png"
else
	echo "memmap-plot: no memmap-sample lines in $LOG: no timeline" >&2
fi
rm -rf "$TMP"
