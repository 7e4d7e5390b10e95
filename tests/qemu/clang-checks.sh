#!/bin/sh
# clang-checks.sh - the host build made by clang instead of gcc (make
# clang-build: build/clang, the same -Wall -Wextra -Werror, ASan and UBSan):
# what compiles cleanly with one compiler and passes its tests can still
# lean on that compiler's choices (the order it emits sections in, what it
# assumes of the malloc family), and a program embedding the mm core or
# preloading the library may be built with either.
#   clang-host       build/clang/host-tests, every suite, no failure;
#   clang-edge-slab  build/clang/malloc-edge under build/clang's
#                    librvmm-malloc.so (slab: the default backend; SLOB's
#                    code is the host suite's too): its closing line
#                    reports no failure, and the stats line shows the
#                    library served it.
# Expects make clang-build to have run.
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh

B=build/clang
run_host_suites clang-host "$B/host-tests" build/dtb

backend=slab
name=clang-edge-$backend
stats=$LOGDIR/$name.stats
rm -f "$stats"
RC=0
env LD_PRELOAD="$(preload_path "$PWD/$B/librvmm-malloc.so")" RVMM_MALLOC=$backend RVMM_MALLOC_STATS="$stats" \
	timeout -k 5 300 "$B/malloc-edge" >"$LOGDIR/$name.log" 2>&1 || RC=$?
closing=$(grep -E '^edge: [0-9]+ checks, [0-9]+ failed$' "$LOGDIR/$name.log" | tail -n 1)
if [ "$RC" = 0 ] && echo "$closing" | grep -q ', 0 failed$' &&
	grep -q "^malloc-edge pid [0-9]* backend $backend " "$stats" 2>/dev/null; then
	echo "ok   $name: ${closing#edge: }"
	record "$name" 1 0
else
	echo "FAIL $name: status $RC, closing line '${closing:-none}'"
	grep 'FAIL' "$LOGDIR/$name.log" | head -n 20
	[ -s "$stats" ] || echo "  (no stats line: the clang-built library did not serve the run)"
	record "$name" 0 1
fi
