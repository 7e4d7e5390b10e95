#!/bin/sh
# run.sh - real programs from Debian packages on rvmm's kmalloc through
# LD_PRELOAD=build/librvmm-malloc.so (docs/malloc.md), each with
# RVMM_MALLOC=slab and RVMM_MALLOC=slob, against the same run on glibc's
# malloc: standard output, standard error and exit status must be identical;
# sqlite3 and the edge cases also with RVMM_MALLOC=slab RVMM_MALLOC_HEAP=on
# and =compact (kmalloc=slab's heap classes, docs/kmalloc.md), and on both
# backends with RVMM_MALLOC_INIT_ON_ALLOC=1 RVMM_MALLOC_INIT_ON_FREE=1.
#
#   python3   tests/real/alloc_heavy.py, PYTHONMALLOC=malloc (every object
#             through malloc), four threads allocating at once
#   sqlite3   tests/real/workload.sql on an in-memory database
#   gcc -c    cc1 (and as) compiling mm/slab.c; the object files must be
#             identical byte for byte
#   perl      tests/real/hash_teardown.pl: a hash of 100000 strings built,
#             read and destroyed (its frees out of allocation order)
#   mawk      tests/real/array_build.awk: an array of 200000 strings built
#             in 2 KiB blocks never freed
#   find      a tree of 600 directories, each opened and closed (opendir's
#             nine-page buffer: the library's kept bigblocks)
#   edge      build/malloc-edge: the API's edge cases, threads, fork; it
#             judges itself (its closing line must report no failure: its
#             checks are rvmm-malloc's contract, stricter than glibc 2.36 in
#             refusing aligned_alloc of an alignment not a power of two);
#             under the heap classes below `malloc-edge settings`, without
#             the page figures of big blocks the plain runs check
#
# sqlite3 runs once more on slab with RVMM_MALLOC_REPORT (docs/malloc.md,
# "Seeing the heap"): the same output, and a report whose snapshot at the
# peak holds the workload's peak (its 7700 page buffers of kmalloc-1088
# live) where the report at exit shows them gone.
#
# RVMM_MALLOC_STATS shows that the preload reached the process that
# allocates (cc1, not only the gcc driver) and how many hart slots served
# calls: python's run must have used at least 4 (its threads). One result
# per program and backend, recorded as tests/run-all.sh counts them.
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh

SHIM=$(preload_path "$PWD/build/librvmm-malloc.so")
WORK=$LOGDIR/real
rm -rf "$WORK"
mkdir -p "$WORK"
PY=/usr/bin/python3
export PYTHONMALLOC=malloc PYTHONHASHSEED=0 PERL_HASH_SEED=0 PERL_PERTURB_KEYS=0

# run NAME BACKEND CMD...: run CMD (glibc when BACKEND is glibc) with stdin
# from $STDIN, its outputs in $WORK/NAME.BACKEND.{out,err,rc}.
run() {
	name=$1 backend=$2
	shift 2
	pre=
	[ "$backend" = glibc ] || pre=$SHIM
	rc=0
	env LD_PRELOAD="$pre" RVMM_MALLOC="$backend" RVMM_MALLOC_STATS="$WORK/$name.$backend.stats" \
		timeout 300 "$@" <"${STDIN:-/dev/null}" >"$WORK/$name.$backend.out" \
		2>"$WORK/$name.$backend.err" || rc=$?
	echo "$rc" >"$WORK/$name.$backend.rc"
}

# judge NAME BACKEND COMM MIN_HARTS [FILE_A FILE_B]: identical to glibc's
# run, COMM's stats line present for the backend with at least MIN_HARTS
# slots used, and FILE_A equal to FILE_B when given.
judge() {
	name=$1 backend=$2 comm=$3 harts=$4
	result=real-$name-$backend
	log=$LOGDIR/$result.log
	: >"$log"
	why=
	for f in out err rc; do
		if ! cmp -s "$WORK/$name.glibc.$f" "$WORK/$name.$backend.$f"; then
			why="$why $f differs from glibc's;"
			diff "$WORK/$name.glibc.$f" "$WORK/$name.$backend.$f" | head -n 20 >>"$log"
		fi
	done
	if [ "$(cat "$WORK/$name.glibc.rc")" != 0 ]; then
		why="$why the glibc run itself failed;"
		cat "$WORK/$name.glibc.err" >>"$log"
	fi
	line=$(grep "^$comm pid [0-9]* backend $backend " "$WORK/$name.$backend.stats" 2>/dev/null | head -n 1)
	used=$(echo "$line" | sed -n 's/.* harts \([0-9]*\) .*/\1/p')
	mallocs=$(echo "$line" | sed -n 's/.* malloc \([0-9]*\) .*/\1/p')
	if [ -z "$line" ] || [ "${mallocs:-0}" = 0 ]; then
		why="$why no $comm ran on rvmm-malloc ($backend);"
	elif [ "${used:-0}" -lt "$harts" ]; then
		why="$why $comm used $used hart slots, expected at least $harts;"
	fi
	if [ $# -ge 6 ] && ! cmp -s "$5" "$6"; then
		why="$why $(basename "$6") differs from glibc's;"
	fi
	echo "$line" >>"$log"
	if [ -z "$why" ]; then
		echo "ok   $result: $line"
		record "$result" 1 0
	else
		echo "FAIL $result:$why"
		cat "$log"
		record "$result" 0 1
	fi
}

# check_report: sqlitereport's report file (a report per process: timeout
# writes one too), sqlite3's report in it. Its header, both sections
# with meminfo and slabinfo, the peak at least 15 MiB in use; kmalloc-1088's
# active objects at least 7000 in the peak's slabinfo, at most 100 in the
# exit's.
check_report() {
	rep=$WORK/sqlitereport.report
	why=$(awk '
		/^rvmm-malloc report: / { on = $3 == "sqlite3"; sec = "" } # (timeout writes one too)
		!on { next }
		/^rvmm-malloc report: sqlite3 pid [0-9]+ backend slab: peak in use [0-9]+ KiB, at exit [0-9]+ KiB$/ {
			head++; peak = $(NF - 5) }
		/^== at the peak \(in use [0-9]+ KiB; snapshot [0-9]+\)$/ { sec = "peak"; n[sec]++ }
		/^== at exit \(in use [0-9]+ KiB\)$/ { sec = "exit"; n[sec]++ }
		/^MemTotal: / { mem[sec]++ }
		/^slabinfo - version: 2.1$/ { slab[sec]++ }
		$1 == "kmalloc-1088" { objs[sec] = $2 }
		END {
			if (head != 1) print "header lines: " head + 0
			if (n["peak"] != 1 || n["exit"] != 1) print "sections: " n["peak"] + 0 " and " n["exit"] + 0
			if (mem["peak"] != 1 || mem["exit"] != 1 || slab["peak"] != 1 || slab["exit"] != 1)
				print "meminfo or slabinfo missing"
			if (peak < 15000) print "peak in use " peak + 0 " KiB"
			if (objs["peak"] < 7000 || objs["exit"] > 100)
				print "kmalloc-1088 objects " objs["peak"] + 0 " at the peak, " objs["exit"] + 0 " at exit"
		}' "$rep" 2>&1)
	if [ -s "$rep" ] && [ -z "$why" ]; then
		echo "ok   real-sqlite-report: $(grep "^rvmm-malloc report: sqlite3 " "$rep")"
		record real-sqlite-report 1 0
	else
		echo "FAIL real-sqlite-report: ${why:-no report written}"
		record real-sqlite-report 0 1
	fi
}

STDIN=
for b in glibc slab slob; do
	run python "$b" "$PY" tests/real/alloc_heavy.py 3
done
STDIN=tests/real/workload.sql
for b in glibc slab slob; do
	run sqlite "$b" sqlite3 :memory:
done
# variant TAG BACKEND MODE NAME=VALUE...: sqlite3 on tests/real/workload.sql
# (judged against glibc's run above) and the edge cases (judged by their
# closing line; malloc-edge's MODE, "settings" or "all") on BACKEND with those settings
# in the environment.
variant() {
	tag=$1 vb=$2 mode=$3
	shift 3
	(
		export "$@"
		STDIN=tests/real/workload.sql
		run "sqlite$tag" "$vb" sqlite3 :memory:
		STDIN=
		run "edge$tag" "$vb" build/malloc-edge "$mode"
	)
	for f in out err rc; do
		cp "$WORK/sqlite.glibc.$f" "$WORK/sqlite$tag.glibc.$f"
	done
	echo "edge: [0-9]* checks, 0 failed" >"$WORK/edge$tag.glibc.out"
	grep -x "edge: [0-9]* checks, 0 failed" "$WORK/edge$tag.$vb.out" >/dev/null &&
		cp "$WORK/edge$tag.glibc.out" "$WORK/edge$tag.$vb.out"
	: >"$WORK/edge$tag.glibc.err"
	echo 0 >"$WORK/edge$tag.glibc.rc"
	judge "edge$tag" "$vb" malloc-edge 8
	judge "sqlite$tag" "$vb" sqlite3 1
}
# kmalloc=slab with its heap classes (RVMM_MALLOC_HEAP=on and =compact,
# docs/malloc.md): sqlite3's 1032-byte blocks are then SLOB blocks of
# kmalloc's heap (compact: its 320- to 3584-byte classes too).
variant heapon slab settings RVMM_MALLOC_HEAP=on
variant heapcompact slab settings RVMM_MALLOC_HEAP=compact
# Zeroing (RVMM_MALLOC_INIT_ON_ALLOC / _FREE, the kernel's init_on_alloc= /
# init_on_free=): every block zeroed when handed out and when freed, on
# both backends; bad frees still caught (the zeroing caches' own checks).
# On slab `settings`: its realloc_growth runs first of the big cases, so a
# move that held the block twice at its peak shows (the whole program's
# earlier cases leave pages resident that hide it); on SLOB the whole
# program, whose four page figures of big blocks then run under zeroing too.
variant zeroing slab settings RVMM_MALLOC_INIT_ON_ALLOC=1 RVMM_MALLOC_INIT_ON_FREE=1
variant zeroing slob all RVMM_MALLOC_INIT_ON_ALLOC=1 RVMM_MALLOC_INIT_ON_FREE=1
STDIN=tests/real/workload.sql
export RVMM_MALLOC_REPORT="$WORK/sqlitereport.report"
run sqlitereport slab sqlite3 :memory:
unset RVMM_MALLOC_REPORT
for f in out err rc; do
	cp "$WORK/sqlite.glibc.$f" "$WORK/sqlitereport.glibc.$f"
done
judge sqlitereport slab sqlite3 1
check_report
STDIN=
i=0 # a tree of 600 directories for find, each opened and closed
while [ $i -lt 20 ]; do
	j=0
	while [ $j -lt 30 ]; do
		mkdir -p "$WORK/tree/d$i/e$j"
		: >"$WORK/tree/d$i/e$j/f$j"
		j=$((j + 1))
	done
	i=$((i + 1))
done
for b in glibc slab slob; do
	run find "$b" find "$WORK/tree" -name "f1*"
	run perl "$b" perl tests/real/hash_teardown.pl
	run awk "$b" mawk -f tests/real/array_build.awk
done
for b in glibc slab slob; do
	run cc1 "$b" gcc -std=gnu11 -O2 -g -Wall -Iinclude -DHOST -c mm/slab.c -o "$WORK/slab.$b.o"
done
for b in slab slob; do
	run edge "$b" build/malloc-edge
	# its own verdict stands in for glibc's run
	echo "edge: [0-9]* checks, 0 failed" >"$WORK/edge.glibc.out"
	grep -x "edge: [0-9]* checks, 0 failed" "$WORK/edge.$b.out" >/dev/null &&
		cp "$WORK/edge.glibc.out" "$WORK/edge.$b.out"
	: >"$WORK/edge.glibc.err"
	echo 0 >"$WORK/edge.glibc.rc"
	judge edge "$b" malloc-edge 8
done

for b in slab slob; do
	judge python "$b" python3 4
	judge sqlite "$b" sqlite3 1
	judge cc1 "$b" cc1 1 "$WORK/slab.glibc.o" "$WORK/slab.$b.o"
	judge perl "$b" perl 1
	judge awk "$b" mawk 1
	judge find "$b" find 1
done
