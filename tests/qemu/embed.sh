#!/bin/sh
# embed.sh - the memory manager as a library (docs/embedding.md). The
# bare-metal example build/embed.elf (examples/embed: its own port, linked
# against build/librvmm.a alone) boots on QEMU virt through OpenSBI; the
# host program build/embed-host (examples/host: build/host/librvmm.a and
# the host port) runs here. Both must allocate, free, and get every page
# back: every page accounted for in each round, and once warm (the host
# program's second round, the bare-metal one's third) the free pages after
# equal those before. The host program's threads, one per cpu, free each
# other's blocks, and every page comes back once each cpu's magazines are
# emptied.
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh

qemu_run embed 60 /dev/null -M virt -m 128M -bios default -kernel build/embed.elf
check embed 0 \
	'^embed: rvmm.s memory manager over \[0x80200000, 0x88000000\)$' \
	'^Memory: [0-9]+K/[0-9]+K available' \
	'^embed: kmalloc: 64 blocks of 8\.\.4096 bytes, kzalloc\(64K\) at 0x[0-9a-f]+ \(ksize 65536\)$' \
	'^embed: kmem_cache point: 100 objects of 24 bytes$' \
	'^embed: alloc_pages: order 4 at 0x[0-9a-f]+, get_zeroed_page at 0x[0-9a-f]+$' \
	'^MemFree: +[0-9]+ kB$' \
	'^embed: round 1: allocations ok; .*: all returned$' \
	'^embed: round 2: allocations ok; .*: all returned$' \
	'^embed: round 3: allocations ok; ([0-9]+) pages free before, \1 after, 0 more held by slab and kmalloc: all returned$' \
	'^embed: node_check: 0 problems$'
no_log embed embed-no-warnings 'panic|WARNING|BUG|Bad page|FAILED|LOST'

RC=0
build/embed-host >"$LOGDIR/embed-host.log" 2>&1 || RC=$?
check embed-host 0 \
	'^Memory: 16252K/16384K available' \
	'^host-embed: round 1: 1000 kmalloc/kfree ok; ' \
	'^host-embed: round 2: 1000 kmalloc/kfree ok; ([0-9]+) pages free before, \1 after, 0 more held by slab and kmalloc$' \
	"^host-embed: 8 threads, one per cpu, kfree each other's blocks: ok; ([0-9]+) pages free before, [0-9]+ after, " \
	'^host-embed: passed$'

# kmalloc's SLOB heap serving every size (kmalloc=slob) or the heap
# classes (kmalloc_heap=compact): its pages count as held, so every round
# still accounts for every page (the example counted only the slab
# allocator's and said pages were lost).
for args in kmalloc=slob kmalloc_heap=compact; do
	name=embed-host-${args%%=*}-${args#*=}
	RC=0
	build/embed-host "$args" >"$LOGDIR/$name.log" 2>&1 || RC=$?
	check $name 0 \
		'^host-embed: round 1: 1000 kmalloc/kfree ok; ' \
		'^host-embed: round 2: 1000 kmalloc/kfree ok; ([0-9]+) pages free before, \1 after, 0 more held by slab and kmalloc$' \
		'^host-embed: passed$'
done
