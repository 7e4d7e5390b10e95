#!/bin/sh
# layers.sh - the layering rules (scripts/check-layers.sh) on the kernel's
# and the host's objects, and proof that the checker catches a breach: an
# mm/ object calling into drivers/, and a lib/ object calling into mm/.
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh

for d in k h kasan; do # kasan: the KASAN kernel's objects (its __asan_* from mm/kasan.c)
	if scripts/check-layers.sh "build/$d" >"$LOGDIR/layers-$d.log" 2>&1; then
		echo "ok   layers-$d"
		record "layers-$d" 1 0
	else
		echo "FAIL layers-$d:"
		cat "$LOGDIR/layers-$d.log"
		record "layers-$d" 0 1
	fi
done

# A tree with three breaches: the checker must name each and fail. (The
# third: a sanitizer hook the tree defines itself, outside mm/ and lib/, as
# a KASAN kernel's could be.)
bad=$(mktemp -d)
mkdir -p "$bad/mm" "$bad/lib" "$bad/drivers"
printf 'void console_putc(char c);\nvoid bad_mm(void) { console_putc(0); }\n' >"$bad/mm.c"
printf 'void kmalloc_init(void);\nvoid bad_lib(void) { kmalloc_init(); }\n' >"$bad/lib.c"
printf 'void console_putc(char c) { (void)c; }\n' >"$bad/drv.c"
printf 'void kmalloc_init(void) { }\n' >"$bad/mmdef.c"
printf 'void __asan_load8(unsigned long a);\nvoid bad_asan(void) { __asan_load8(0); }\n' >"$bad/asan.c"
printf 'void __asan_load8(unsigned long a) { (void)a; }\n' >"$bad/drvasan.c"
${HOSTCC:-gcc} -c "$bad/mm.c" -o "$bad/mm/bad.c.o" &&
	${HOSTCC:-gcc} -c "$bad/mmdef.c" -o "$bad/mm/def.c.o" &&
	${HOSTCC:-gcc} -c "$bad/lib.c" -o "$bad/lib/bad.c.o" &&
	${HOSTCC:-gcc} -c "$bad/drv.c" -o "$bad/drivers/console.c.o" &&
	${HOSTCC:-gcc} -c "$bad/asan.c" -o "$bad/mm/asan.c.o" &&
	${HOSTCC:-gcc} -c "$bad/drvasan.c" -o "$bad/drivers/asan.c.o"
RC=0
CHECK_ALL=1 scripts/check-layers.sh "$bad" >"$LOGDIR/layers-breach.log" 2>&1 || RC=$?
if [ "$RC" = 1 ] &&
	grep -q '^mm/bad.c.o takes console_putc (from drivers/console.c.o)$' "$LOGDIR/layers-breach.log" &&
	grep -q '^lib/bad.c.o takes kmalloc_init (from mm/def.c.o)$' "$LOGDIR/layers-breach.log" &&
	grep -q '^mm/asan.c.o takes __asan_load8 (from drivers/asan.c.o)$' "$LOGDIR/layers-breach.log"; then
	echo "ok   layers-breach-caught"
	record layers-breach-caught 1 0
else
	echo "FAIL layers-breach-caught (status $RC):"
	cat "$LOGDIR/layers-breach.log"
	record layers-breach-caught 0 1
fi
rm -rf "$bad"

# Every header stands alone and survives being included twice (its guard
# covers all of it): compiled for the kernel, syntax only.
CROSS_CC=${CROSS_CC:-riscv64-unknown-elf-gcc}
fails=""
for h in include/*.h include/*/*.h; do
	n=${h#include/}
	printf '#include <%s>\n#include <%s>\n' "$n" "$n" >"$LOGDIR/header.c"
	$CROSS_CC -ffreestanding -march=rv64imac_zicsr_zifencei -mabi=lp64 -std=gnu11 -Iinclude \
		-Wall -Wextra -Werror -fsyntax-only "$LOGDIR/header.c" >>"$LOGDIR/headers.log" 2>&1 ||
		fails="$fails $n"
done
if [ -z "$fails" ]; then
	echo "ok   headers-stand-alone-twice"
	record headers-stand-alone-twice 1 0
else
	echo "FAIL headers-stand-alone-twice:$fails"
	cat "$LOGDIR/headers.log"
	record headers-stand-alone-twice 0 1
fi
