#!/bin/sh
# realbench.sh - make realbench: rvmm's kmalloc as the malloc of real
# programs, against glibc's (docs/malloc.md, docs/benchmarks.md).
#
# For each program (python3 running tests/real/alloc_heavy.py with one round,
# sqlite3 running tests/real/workload.sql, cc1 compiling mm/slab.c, perl
# running tests/real/hash_teardown.pl) and each
# malloc (glibc; build/librvmm-malloc.so with RVMM_MALLOC=slab and =slob):
#   - valgrind --tool=callgrind, then scripts/callgrind-malloc.py: calls of
#     the allocating entry points and of free, their inclusive instructions,
#     and the inclusive instructions of the slab slow path ($SLOW);
#   - the same run natively under /usr/bin/time: max RSS.
# For rvmm the call counts must equal the shim's own counters
# (RVMM_MALLOC_STATS), or the script fails. The table replaces what is
# between the realbench markers of $REALBENCH_DOC (docs/benchmarks.md).
#
#   REALBENCH_MODE=tiny   one small sqlite3 run (make test's smoke check)
#   REALBENCH_DOC=FILE    write there instead
#   REALBENCH_DIR=DIR     profiles and logs (build/realbench)
set -eu
cd "$(dirname "$0")/.."
MODE=${REALBENCH_MODE:-full}
DOC=${REALBENCH_DOC:-docs/benchmarks.md}
OUT=${REALBENCH_DIR:-build/realbench}
. scripts/preload-path.sh
SHIM=$(preload_path "$PWD/build/librvmm-malloc.so")
SLOW="kmem_cache_alloc_slow kmem_cache_free_slow"
PY=/usr/bin/python3
export PYTHONMALLOC=malloc PYTHONHASHSEED=0 PERL_HASH_SEED=0 PERL_PERTURB_KEYS=0

case $MODE in
full) PROGRAMS="python sqlite cc1 perl" ;;
tiny) PROGRAMS="sqlite-tiny" ;;
*) echo "realbench: REALBENCH_MODE=$MODE: expected full or tiny" >&2; exit 2 ;;
esac

# prog NAME: run program NAME (stdin and arguments), in the current environment.
prog() {
	case $1 in
	python) "$PY" tests/real/alloc_heavy.py 1 ;;
	sqlite) sqlite3 :memory: <tests/real/workload.sql ;;
	sqlite-tiny) sqlite3 :memory: "create table t(a, b); insert into t values (1, 'one'), (2, 'two');
		create index tb on t(b); select a, b from t order by b;" ;;
	cc1) gcc -std=gnu11 -O2 -g -Iinclude -DHOST -c mm/slab.c -o "$OUT/slab.o" ;;
	perl) perl tests/real/hash_teardown.pl ;;
	esac
}

# The process whose profile counts: cc1 under the gcc driver, else the program.
comm_of() {
	case $1 in
	python) echo python3 ;;
	sqlite*) echo sqlite3 ;;
	cc1) echo cc1 ;;
	perl) echo perl ;;
	esac
}

preload_of() {
	[ "$1" = glibc ] || echo "$SHIM"
}

# measure NAME MALLOC: one callgrind run and one native run; prints the
# parser's key=value line followed by rss=KB.
measure() {
	name=$1 m=$2 comm=$(comm_of "$1")
	pre=$(preload_of "$m")
	stats=$OUT/stats.$name.$m
	LD_PRELOAD=$pre RVMM_MALLOC=$m RVMM_MALLOC_STATS=$stats \
		valgrind --tool=callgrind --trace-children=yes \
		--callgrind-out-file="$OUT/callgrind.$name.$m.%p" \
		sh -c "$(command -v "$0") --prog $name" >"$OUT/$name.$m.cg.log" 2>&1 ||
		{ echo "realbench: $name on $m failed under callgrind ($OUT/$name.$m.cg.log)" >&2; exit 1; }
	profile=$(grep -l "^cmd: .*\(/\|^cmd: \)$comm\( \|$\)" "$OUT"/callgrind.$name.$m.* 2>/dev/null | head -n 1 || true)
	[ -z "$profile" ] && profile=$(grep -l "^cmd:.*$comm" "$OUT"/callgrind.$name.$m.* | head -n 1)
	[ -n "$profile" ] || { echo "realbench: no callgrind profile of $comm for $name on $m" >&2; exit 1; }
	line=$(scripts/callgrind-malloc.py "$profile" $SLOW)
	if [ "$m" != glibc ]; then
		# the shim's own counters, under callgrind, for the same process
		s=$(grep "^$comm pid [0-9]* backend $m " "$stats" | grep -v "pid [0-9]* backend $m malloc 0 " | tail -n 1)
		[ -n "$s" ] || { echo "realbench: no shim counters for $comm on $m" >&2; exit 1; }
		set -- $s
		shim_allocs=$(( $7 + $9 + ${11} + ${13} ))
		shim_frees=${15}
		cg_allocs=$(echo "$line" | sed 's/.*allocs=\([0-9]*\).*/\1/')
		cg_frees=$(echo "$line" | sed 's/.*frees=\([0-9]*\).*/\1/')
		if [ "$shim_allocs" != "$cg_allocs" ] || [ "$shim_frees" != "$cg_frees" ]; then
			echo "realbench: $name on $m: callgrind counted $cg_allocs allocations and $cg_frees frees," \
				"the shim $shim_allocs and $shim_frees" >&2
			exit 1
		fi
	fi
	rss=$(LD_PRELOAD=$pre RVMM_MALLOC=$m /usr/bin/time -f "%M" sh -c "$(command -v "$0") --prog $name" \
		2>&1 >/dev/null | tail -n 1)
	echo "$line rss=$rss"
}

if [ "${1:-}" = --prog ]; then # (the program itself, run by measure)
	prog "$2" >/dev/null
	exit 0
fi
rm -rf "$OUT"
mkdir -p "$OUT"

command -v valgrind >/dev/null || { echo "realbench: valgrind missing (make deps)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "realbench: /usr/bin/time missing (make deps)" >&2; exit 1; }
[ -f "$SHIM" ] || { echo "realbench: $SHIM missing (make malloc)" >&2; exit 1; }

TABLE=$OUT/table.md
{
	echo "| program | malloc | allocations | frees | instr/alloc | instr/free | alloc + free | slab slow path | heap setup | max RSS | vs glibc |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$TABLE"
for name in $PROGRAMS; do
	glibc_rss=
	for m in glibc slab slob; do
		echo "realbench: $name on $m" >&2
		r=$(measure "$name" "$m")
		echo "$name $m $r" >>"$OUT/raw.txt"
		eval "$(echo "$r" | tr ' ' '\n' | sed 's/^/v_/')"
		[ "$m" = glibc ] && glibc_rss=$v_rss
		awk -v n="$name" -v m="$m" -v a="$v_allocs" -v ai="$v_alloc_ir" -v f="$v_frees" \
			-v fi="$v_free_ir" -v s="$v_slow_ir" -v su="$v_setup_ir" -v rss="$v_rss" \
			-v g="$glibc_rss" 'BEGIN {
			pa = a ? (ai - su) / a : 0; pf = f ? fi / f : 0
			slow = m == "slab" ? sprintf("%.1f%%", 100 * s / (ai - su + fi)) : "-"
			vs = m == "glibc" ? "-" : sprintf("%+.0f%%", 100 * (rss - g) / g)
			printf "| %s | %s | %d | %d | %.1f | %.1f | %.1f | %s | %s | %d KB | %s |\n",
				n, m, a, f, pa, pf, pa + pf, slow, m == "glibc" ? "-" : su, rss, vs }' >>"$TABLE"
	done
done
cat "$TABLE"

BEGIN_MARK='<!-- realbench: begin (generated by make realbench, scripts/realbench.sh; do not edit) -->'
END_MARK='<!-- realbench: end -->'
if ! grep -qF "$BEGIN_MARK" "$DOC"; then
	printf '\n%s\n%s\n' "$BEGIN_MARK" "$END_MARK" >>"$DOC"
fi
awk -v b="$BEGIN_MARK" -v e="$END_MARK" -v t="$TABLE" -v when="$(date -u +%Y-%m-%d)" \
	-v host="$(uname -m), $(ldd --version | head -n 1 | sed 's/.* //') glibc, valgrind $(valgrind --version | sed 's/valgrind-//')" '
	$0 == b { print; print ""; print "Measured " when " on " host ":"; print "";
		  while ((getline l < t) > 0) print l; print ""; skip = 1; next }
	$0 == e { skip = 0 }
	!skip' "$DOC" >"$OUT/doc.tmp"
cp "$OUT/doc.tmp" "$DOC"
echo "realbench: table written to $DOC" >&2
