#!/bin/sh
# check-layers.sh OBJDIR - the layering rules, checked with nm on the built
# objects under OBJDIR (build/k: the kernel's; build/h: the host's):
#
#   lib/  takes symbols from lib/ only (and the compiler's runtime);
#   mm/   takes symbols from mm/, lib/ and the port (include/mm/port.h):
#         never from drivers/, the shell, the boot code or the tests.
#
# OBJDIR build/kasan (the KASAN kernel's objects): the calls the compiler
# plants (__asan_*, __ubsan_handle_*) must reach mm/kasan.c and lib/ubsan.c.
#
# A symbol "taken" is one an object leaves undefined (nm -u). Symbols the
# linker makes for a section (__start_X / __stop_X) are the registries
# lib/ and mm/ own. Prints every violation as "OBJECT takes SYMBOL (from
# FILE)" and exits 1 if there is one; else prints one line and exits 0.
set -eu
dir=${1:-build/k}
NM=${NM:-nm}

# The port's functions: what mm/ may take from outside mm/ and lib/.
PORT="panic warn_slowpath nr_online_cpus cpu_percpu_base cpu_mm_slots this_cpu
port_host_cpu port_host_cpu_base port_host_cpu_mm_slots port_host_cpu_occupant port_host_cpu_shared
time_now_us on_each_cpu port_kernel_pgtable port_flush_tlb_local port_flush_tlb_all
ksym_lookup port_kick_cpu port_release_free_block port_release_keep port_group_pages_by_use port_save_stack
port_new_ram_zeroed"
# The kernel image's bounds, named by the linker script, the GOT (host
# thread-locals), and (on the host)
# the C library and sanitizer runtime: not code of this project.
is_outside() {
	case $1 in
	__start_* | __stop_* | _start | _etext | _end | _sdata | _srodata | _erodata) return 0 ;;
	__asan* | __ubsan* | __sanitizer* | __stack_chk* | __tls_get_addr | _GLOBAL_OFFSET_TABLE_) return 0 ;;
	esac
	return 1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Where each project symbol is defined: "SYMBOL FILE".
find "$dir" -name '*.o' | while read -r o; do
	$NM --defined-only "$o" 2>/dev/null | awk -v f="${o#"$dir"/}" '$2 ~ /^[TDBRSGVWC]$/ { print $3, f }'
done | sort -k1,1 >"$tmp/defs"

bad=0
check() { # LAYER ALLOWED_DIRS...: every object under LAYER
	layer=$1
	shift
	for o in "$dir/$layer"/*.o; do
		src=${o#"$dir"/}
		# an object left from a source since moved (CHECK_ALL=1: check it)
		[ -e "${src%.o}" ] || [ -n "${CHECK_ALL:-}" ] || continue
		for sym in $($NM -u "$o" | awk '{ print $2 }'); do
			from=$(awk -v s="$sym" '$1 == s { print $2; exit }' "$tmp/defs")
			# (__asan_*/__ubsan_* the project defines itself, in the
			# KASAN kernel, are checked like any other symbol.)
			[ -z "$from" ] && is_outside "$sym" && continue
			if [ -z "$from" ]; then
				case $sym in
				mem* | str* | __*) continue ;; # libc / libgcc / compiler runtime
				esac
				echo "${o#"$dir"/} takes $sym (defined nowhere in $dir)"
				bad=1
				continue
			fi
			ok=0
			for d in "$@"; do
				case $from in "$d"/*) ok=1 ;; esac
			done
			if [ "$ok" = 0 ] && [ "$layer" = mm ]; then
				for p in $PORT; do
					[ "$sym" = "$p" ] && ok=1
				done
			fi
			if [ "$ok" = 0 ]; then
				echo "${o#"$dir"/} takes $sym (from $from)"
				bad=1
			fi
		done
	done
}
check lib lib
check mm mm lib

# The same rules on the sources' #include lines: mm/ includes only mm/, lib/
# and config.h headers (and its own "..." ones); lib/ only lib/ and config.h.
includes() { # DIR ALLOWED_PREFIXES...
	d=$1
	shift
	for f in "$d"/*.c "$d"/*.h "include/$d"/*.h; do
		[ -e "$f" ] || continue
		grep -o '^#include <[^>]*>' "$f" | sed 's/^#include <//; s/>$//' | while read -r h; do
			case $h in */*) ;; *) continue ;; esac # the C library's (stdarg.h, ...)
			ok=0
			for p in "$@"; do
				case $h in "$p"/*) ok=1 ;; esac
			done
			[ "$ok" = 1 ] || echo "$f includes <$h>"
		done
	done
}
includes lib lib >"$tmp/inc"
includes mm mm lib >>"$tmp/inc"
if [ -s "$tmp/inc" ]; then
	cat "$tmp/inc"
	bad=1
fi
if [ "$bad" = 0 ]; then
	echo "check-layers: $dir: lib/ takes only from lib/, mm/ only from mm/, lib/ and the port"
fi
exit $bad
