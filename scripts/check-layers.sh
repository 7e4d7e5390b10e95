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
port_new_ram_zeroed port_zero_pages port_fit_lowest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Where each project symbol is defined: "SYMBOL FILE".
# (One nm for all: "FILE:ADDRESS TYPE SYMBOL" lines.)
find "$dir" -name '*.o' -print0 | xargs -0 -r $NM -A --defined-only 2>/dev/null |
	awk -v d="$dir/" '$2 ~ /^[TDBRSGVWC]$/ { f = substr($1, 1, index($1, ":") - 1); print $3, substr(f, length(d) + 1) }' |
	sort -k1,1 >"$tmp/defs"

bad=0
# check LAYER ALLOWED_DIRS...: every object under LAYER. Each symbol an
# object takes is looked up in the definitions (the first, as sorted), all
# in one awk: a lookup per symbol, each its own awk, cost 20 s a tree.
check() {
	layer=$1
	shift
	: >"$tmp/objs.$layer"
	for o in "$dir/$layer"/*.o; do
		[ -e "$o" ] || continue
		src=${o#"$dir"/}
		# an object left from a source since moved (CHECK_ALL=1: check it)
		[ -e "${src%.o}" ] || [ -n "${CHECK_ALL:-}" ] || continue
		printf '%s\0' "$o" >>"$tmp/objs.$layer"
	done
	# (One nm for the layer: "FILE: U SYMBOL" lines.)
	xargs -0 -r $NM -A -u <"$tmp/objs.$layer" |
		awk -v d="$dir/" '{ f = substr($1, 1, index($1, ":") - 1); print substr(f, length(d) + 1), $NF }' \
			>"$tmp/takes.$layer"
	awk -v layer="$layer" -v allowed="$*" -v port="$PORT" -v dir="$dir" '
		# The kernel image'"'"'s bounds, named by the linker script, the GOT
		# (host thread-locals), and (on the host) the C library and
		# sanitizer runtime: not code of this project.
		function outside(s) {
			return s ~ /^(__start_|__stop_|__asan|__ubsan|__sanitizer|__stack_chk)/ ||
			       s ~ /^(_start|_etext|_end|_sdata|_srodata|_erodata|__tls_get_addr|_GLOBAL_OFFSET_TABLE_)$/
		}
		BEGIN {
			n = split(allowed, dirs, " ")
			split(port, p, /[ \n]+/)
			for (i in p) is_port[p[i]] = 1
		}
		FNR == NR { if (!($1 in from)) from[$1] = $2; next }
		{
			obj = $1; sym = $2
			# (__asan_*/__ubsan_* the project defines itself, in the
			# KASAN kernel, are checked like any other symbol.)
			if (!(sym in from)) {
				if (outside(sym) || sym ~ /^(mem|str|__)/) # libc / libgcc / compiler runtime
					next
				print obj " takes " sym " (defined nowhere in " dir ")"
				bad = 1
				next
			}
			ok = layer == "mm" && (sym in is_port)
			for (i = 1; i <= n; i++)
				if (index(from[sym], dirs[i] "/") == 1)
					ok = 1
			if (!ok) {
				print obj " takes " sym " (from " from[sym] ")"
				bad = 1
			}
		}
		END { exit bad }' "$tmp/defs" "$tmp/takes.$layer" || bad=1
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
