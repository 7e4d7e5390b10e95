#!/bin/sh
# embed-outside.sh - the memory manager as a program outside this tree uses
# it, by docs/embedding.md's own words: a directory of its own holding only
# what the page says to take (rvmm/include and the archives under
# rvmm/build), where
#   - the page's bare-metal compile and link commands, run verbatim (they
#     must appear in the page as written here), build examples/embed, which
#     then boots on QEMU virt; again with -march=rv64gc, which the page's
#     "a -march that has at least rv64imac and Zicsr" admits;
#   - the page's host command, verbatim, builds examples/host, with gcc and
#     with clang, and it runs;
#   - every header of include/mm and include/lib compiles alone, warning-free
#     under -Wall -Wextra -Werror -pedantic, in C11, C17 and C2x for riscv64
#     and the host, and as C++17 (riscv64-unknown-elf-g++ and g++);
#   - a host file includes them all with the C library's common headers
#     (before them and after them) without a warning;
#   - tests/embed/user.cc, a C++ program, builds against the host archives
#     (a missing extern "C" is a link error) and runs;
#   - tests/embed/init_twice.c: a second mm_init panics, naming the cause;
#   - tests/embed/before_init.c: kmalloc, kmem_cache_create, kfree, vmalloc
#     and alloc_pages called before mm_init each panic, naming the call.
# Expects make lib to have run.
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh

TREE=$(pwd)
OUT=$(mktemp -d /tmp/rvmm-embed-outside.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
mkdir -p "$OUT/rvmm/build/host" "$OUT/bare" "$OUT/host"
cp -r include "$OUT/rvmm/"
cp build/librvmm.a "$OUT/rvmm/build/"
cp build/host/librvmm.a build/host/librvmm-port-host.a "$OUT/rvmm/build/host/"
cp examples/embed/start.S examples/embed/main.c examples/embed/embed.ld "$OUT/bare/"
cp examples/host/main.c "$OUT/host/"
ln -s ../rvmm "$OUT/bare/rvmm"
ln -s ../rvmm "$OUT/host/rvmm"

# The page's commands, each one line of docs/embedding.md.
BARE_CC='riscv64-unknown-elf-gcc -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -ffreestanding -O2 -I rvmm/include -c start.S main.c'
BARE_LD='riscv64-unknown-elf-gcc -nostdlib -static -T embed.ld start.o main.o rvmm/build/librvmm.a -lgcc -o embed.elf'
HOST_CC='gcc -Irvmm/include -DHOST main.c -Wl,--start-group rvmm/build/host/librvmm.a rvmm/build/host/librvmm-port-host.a -Wl,--end-group -pthread'

# step NAME COMMAND...: one recorded case, its output in $LOGDIR/NAME.log.
step() {
	name=$1
	shift
	if "$@" >"$LOGDIR/$name.log" 2>&1; then
		echo "ok   $name"
		record "$name" 1 0
	else
		echo "FAIL $name"
		show_log "$name"
		record "$name" 0 1
	fi
}

in_page() {
	grep -qxF "    $1" docs/embedding.md
}
step embed-outside-doc-bare-cc in_page "$BARE_CC"
step embed-outside-doc-bare-ld in_page "$BARE_LD"
step embed-outside-doc-host-cc in_page "$HOST_CC"

# boot NAME ELF: the example on QEMU virt, all three rounds and no problem.
boot() {
	qemu_run "$1" 60 /dev/null -M virt -m 128M -bios default -kernel "$2"
	check "$1" 0 \
		'^embed: round 3: allocations ok; ([0-9]+) pages free before, \1 after, 0 more held by slab and kmalloc: all returned$' \
		'^embed: node_check: 0 problems$'
}

build_bare() {
	(cd "$OUT/bare" && rm -f ./*.o embed.elf && sh -c "$1" && sh -c "$BARE_LD")
}
step embed-outside-bare-build build_bare "$BARE_CC"
[ -f "$OUT/bare/embed.elf" ] && boot embed-outside-bare "$OUT/bare/embed.elf"
step embed-outside-bare-rv64gc-build build_bare "$(echo "$BARE_CC" | sed 's/-march=[^ ]*/-march=rv64gc/')"
[ -f "$OUT/bare/embed.elf" ] && boot embed-outside-bare-rv64gc "$OUT/bare/embed.elf"

run_host() {
	(cd "$OUT/host" && rm -f a.out && sh -c "$1" && timeout 60 ./a.out | tail -n 1 | grep -qx 'host-embed: passed')
}
step embed-outside-host-gcc run_host "$HOST_CC"
if command -v clang >/dev/null; then
	step embed-outside-host-clang run_host "$(echo "$HOST_CC" | sed 's/^gcc /clang /')"
fi

# headers_alone DIR COMPILER FLAGS...: each public header twice in a file
# of its own (its guard holds), nothing else before it.
headers_alone() {
	dir="$OUT/headers/$1"
	shift
	mkdir -p "$dir"
	bad=0
	for h in $(cd "$OUT/rvmm/include" && ls mm/*.h lib/*.h); do
		f="$dir/$(echo "$h" | tr / _)"
		case "$*" in *++*) f=$f.cc ;; *) f=$f.c ;; esac
		printf '#include <%s>\n#include <%s>\nint user_function(void);\nint user_function(void) { return 0; }\n' \
			"$h" "$h" >"$f"
		if ! "$@" -Wall -Wextra -Werror -pedantic -I "$OUT/rvmm/include" -c "$f" -o "$f.o"; then
			echo "$h does not compile alone"
			bad=1
		fi
	done
	return $bad
}
RV='-march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -ffreestanding'
for std in c11 c17 c2x; do
	step "embed-outside-headers-riscv64-$std" headers_alone "riscv64-$std" riscv64-unknown-elf-gcc $RV -std=$std
	step "embed-outside-headers-host-$std" headers_alone "host-$std" gcc -DHOST -std=$std
done
step embed-outside-headers-riscv64-c++17 headers_alone riscv64-c++17 riscv64-unknown-elf-g++ $RV -std=c++17
step embed-outside-headers-host-c++17 headers_alone host-c++17 g++ -DHOST -std=c++17

# with_libc ORDER: a host file that includes the C library's common headers
# (<sys/param.h> has its own MIN and MAX) before (ORDER=first) or after
# every header of include/mm and include/lib; no warning may come of it.
with_libc() {
	f="$OUT/host/libc-$1.c"
	libc='#include <errno.h>\n#include <limits.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <sys/param.h>\n'
	[ "$1" = first ] && printf "$libc" >"$f" || : >"$f"
	for h in $(cd "$OUT/rvmm/include" && ls mm/*.h lib/*.h); do
		printf '#include <%s>\n' "$h" >>"$f"
	done
	[ "$1" = first ] || printf "$libc" >>"$f"
	printf 'int user_function(void);\nint user_function(void) { return MIN(1, 2) + EINVAL; }\n' >>"$f"
	gcc -std=c11 -DHOST -Wall -Wextra -Werror -pedantic -I "$OUT/rvmm/include" -c "$f" -o "$f.o"
}
step embed-outside-libc-first with_libc first
step embed-outside-libc-after with_libc after

run_cxx() {
	(cd "$OUT/host" && g++ -std=c++17 -Wall -Wextra -Werror -pedantic -Irvmm/include -DHOST \
		"$TREE/tests/embed/user.cc" -Wl,--start-group rvmm/build/host/librvmm.a \
		rvmm/build/host/librvmm-port-host.a -Wl,--end-group -pthread -o user &&
		timeout 60 ./user | tail -n 1 | grep -qx 'cxx-embed: passed')
}
step embed-outside-cxx-user run_cxx

run_init_twice() {
	(cd "$OUT/host" && gcc -std=c11 -Wall -Wextra -Werror -pedantic -Irvmm/include -DHOST \
		"$TREE/tests/embed/init_twice.c" -Wl,--start-group rvmm/build/host/librvmm.a \
		rvmm/build/host/librvmm-port-host.a -Wl,--end-group -pthread -o init_twice &&
		timeout 60 ./init_twice | tee /dev/stderr | tail -n 1 | grep -qx 'init-twice: passed')
}
step embed-outside-init-twice run_init_twice

run_before_init() {
	(cd "$OUT/host" && gcc -std=c11 -Wall -Wextra -Werror -pedantic -Irvmm/include -DHOST \
		"$TREE/tests/embed/before_init.c" -Wl,--start-group rvmm/build/host/librvmm.a \
		rvmm/build/host/librvmm-port-host.a -Wl,--end-group -pthread -o before_init &&
		timeout 60 ./before_init | tee /dev/stderr | tail -n 1 | grep -qx 'before-init: passed')
}
step embed-outside-before-init run_before_init
