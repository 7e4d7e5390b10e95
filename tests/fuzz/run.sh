#!/bin/sh
# run.sh [-l LOGDIR] [-f] SECONDS FUZZER... - run each libFuzzer target for
# SECONDS and print one line per fuzzer with its figures. Exits non-zero when
# any fuzzer found a crash (or did not run).
#
# For fuzzer NAME (built as build/fuzz/NAME by make):
#   build/fuzz/corpus/NAME/    the working corpus: what the fuzzer finds is
#                              added here and picked up by the next run
#                              (-f: a fresh one, build/fuzz/corpus-fresh/NAME,
#                              so that the run is not spent replaying a big
#                              corpus first: make test)
#   tests/fuzz/corpus/SHORT/   committed seeds and every fixed crash input
#                              (SHORT: fdt for fdt_fuzz, alloc for alloc_fuzz,
#                              replay for replay_fuzz, cmdline for cmdline_fuzz)
#   build/dtb/                 fdt_fuzz's other seeds: the compiled fixtures
#   tests/replay/              replay_fuzz's other seeds: the host tests' traces
#   build/fuzz/crashes/NAME/   crash-*, timeout-*, oom-*, leak-* inputs
#   LOGDIR/NAME.log            libFuzzer's output (LOGDIR default build/fuzz)
# A crash reproduces with: build/fuzz/NAME build/fuzz/crashes/NAME/crash-...
# (FUZZ_VERBOSE=1 shows the kernel's output, FUZZ_TRACE=1 alloc_fuzz's
# operations); docs/reliability.md.
set -u
cd "$(dirname "$0")/../.."

logdir=build/fuzz
fresh=0
while :; do
	case ${1:-} in
	-l) logdir=$2; shift 2 ;;
	-f) fresh=1; shift ;;
	*) break ;;
	esac
done
if [ $# -lt 2 ]; then
	echo "usage: $0 [-l LOGDIR] [-f] SECONDS FUZZER..." >&2
	exit 2
fi
secs=$1
shift
mkdir -p "$logdir"

# stat NAME LOG: a libFuzzer final statistic (-print_final_stats=1)
stat() {
	sed -n "s/^stat::$1: *\([0-9]*\)$/\1/p" "$2" | tail -n 1
}

failed=0
for name in "$@"; do
	bin=build/fuzz/$name
	log=$logdir/$name.log
	short=${name%_fuzz}
	corpus=build/fuzz/corpus/$name
	if [ "$fresh" = 1 ]; then
		corpus=build/fuzz/corpus-fresh/$name
		rm -rf "$corpus"
	fi
	crashes=build/fuzz/crashes/$name
	mkdir -p "$corpus" "$crashes"
	if [ ! -x "$bin" ]; then
		echo "FAIL $name: $bin is not built (make $bin)"
		echo "$bin missing" >"$log"
		failed=$((failed + 1))
		continue
	fi
	set -- -max_total_time="$secs" -print_final_stats=1 -timeout=25 -rss_limit_mb=2048 \
		-artifact_prefix="$crashes/"
	seeds="tests/fuzz/corpus/$short"
	case $name in
	fdt_fuzz)
		set -- "$@" -dict=tests/fuzz/fdt.dict
		seeds="$seeds build/dtb"
		;;
	alloc_fuzz)
		set -- "$@" -max_len=2048
		;;
	replay_fuzz)
		set -- "$@" -dict=tests/fuzz/replay.dict -max_len=16384
		seeds="$seeds tests/replay"
		;;
	cmdline_fuzz)
		set -- "$@" -dict=tests/fuzz/cmdline.dict -max_len=2048
		;;
	esac
	start=$(date +%s)
	rc=0
	# (timeout: libFuzzer stops itself; this only guards a wedged run)
	timeout -k 10 $((secs + 120)) "$bin" "$@" "$corpus" $seeds >"$log" 2>&1 || rc=$?
	took=$(($(date +%s) - start))
	execs=$(stat number_of_executed_units "$log")
	rate=$(stat average_exec_per_sec "$log")
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	files=$(ls "$corpus" | wc -l)
	figures="${execs:-?} execs in ${took} s (${rate:-?}/s), cov ${cov:-?} ft ${ft:-?}, corpus $files"
	if [ "$rc" = 0 ] && grep -q '^Done [0-9]* runs' "$log"; then
		echo "ok   $name: $figures, no crash"
		continue
	fi
	failed=$((failed + 1))
	artifact=$(sed -n "s/.*Test unit written to \(.*\)$/\1/p" "$log" | tail -n 1)
	echo "FAIL $name: exit status $rc after $figures"
	grep -E 'FUZZ FAILURE|ERROR: (Address|Undefined|Leak)Sanitizer|runtime error|SUMMARY|Kernel panic|deadly signal|ERROR: libFuzzer' "$log" | head -n 8 | sed 's/^/     /'
	if [ -n "$artifact" ]; then
		echo "     input: $artifact"
		echo "     reproduce: $bin $artifact   (FUZZ_VERBOSE=1 for the kernel output)"
	fi
	echo "     log: $log"
done
[ "$failed" = 0 ]
