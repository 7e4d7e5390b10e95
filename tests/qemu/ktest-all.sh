#!/bin/sh
# ktest-all.sh - ktest=all on QEMU virt with 1 and 4 harts, 128 MiB and 8 GiB, at 5 MiB,
# with slab=slob, and with kmalloc=slob slab=slob; the zones and zone_paths
# suites on both kmalloc backends at 8 GiB, one bank and two, and zone_paths
# at 4 and 2 GiB, under KFENCE, and with most of DMA32 reserved; both on
# two NUMA memory nodes, at 5 GiB, and with kmalloc_heap=, slab_debug and
# KFENCE settings; ZONE_DMA empty, all of RAM, and all but a page; reclaim at
# 33 GiB; every suite under KFENCE, and kmalloc with kmalloc_heap=0x1; every
# suite with init_on_alloc=1 init_on_free=1, and the zeroing each does alone.
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/lib.sh

for smp in 1 4; do
	for mem in 128M 8G; do
		ktest_run "virt-smp$smp-$mem" 240 -M virt -bios default -smp "$smp" -m "$mem" \
			-kernel "$KERNEL" -append "ktest=all"
	done
done

# The smallest virt that boots (QEMU puts its DTB over the kernel below 5 MiB):
# 3.5 MiB for the page allocator, less than the 4 MiB cases need (they skip)
# and min marks above 5% of it (the reclaim case fills to those instead).
ktest_run virt-smp2-5M 120 -M virt -bios default -smp 2 -m 5M \
	-kernel "$KERNEL" -append "ktest=all"

# Every suite with slab=slob: caches made without a model flag are SLOB-model
# caches (mm/slab_slob.c; the cache suites run both models explicitly as well);
# 4 harts. And the zones suite at 8 GiB with a ZONE_DMA and kmalloc on SLOB
# too, as a board that wants no slab pages boots.
ktest_run virt-smp4-128M-slab-slob 240 -M virt -bios default -smp 4 -m 128M \
	-kernel "$KERNEL" -append "slab=slob ktest=all"
# Every suite with page_owner=on: every page allocation recorded, the order-0
# fast path routed to the slow path; nothing may behave otherwise.
ktest_run virt-smp4-512M-page-owner 240 -M virt -bios default -smp 4 -m 512M \
	-kernel "$KERNEL" -append "page_owner=on ktest=all"
# Every suite with init_on_alloc=1 init_on_free=1 (include/mm/meminit.h):
# the fast paths routed to the zeroing slow ones, slab caches without
# magazines; and the meminit suite with each switch alone. Its cases skip
# when neither is on, so each run must show them run.
ktest_run virt-smp2-256M-meminit 240 -M virt -bios default -smp 2 -m 256M \
	-kernel "$KERNEL" -append "init_on_alloc=1 init_on_free=1 ktest=all"
for sw in init_on_alloc init_on_free; do
	ktest_run "virt-smp2-128M-$sw" 120 -M virt -bios default -smp 2 -m 128M \
		-kernel "$KERNEL" -append "$sw=1 ktest=meminit,kmalloc,page_alloc,vmalloc"
done
for run in virt-smp2-256M-meminit virt-smp2-128M-init_on_alloc virt-smp2-128M-init_on_free; do
	check_log "$run" "$run-zeroed" "^ok [0-9]+ meminit.pages_zeroed$" \
		"^ok [0-9]+ meminit.kmalloc_and_vmalloc_zeroed$" "^ok [0-9]+ meminit.cache_objects_zeroed$" \
		"^mem auto-init: heap alloc:"
done
# Every suite with page_grouping=off: small requests placed in plain buddy
# order, as before grouping by use (the grouping cases turn it on for
# themselves and back off).
ktest_run virt-smp2-128M-grouping-off 240 -M virt -bios default -smp 2 -m 128M \
	-kernel "$KERNEL" -append "page_grouping=off ktest=all"
# Every suite with every kmalloc class a heap class (kmalloc_heap=0xMASK, bit
# i for class i: all 35), and with the named sets: no suite may assume a
# kmalloc-N cache behind a size.
ktest_run virt-smp2-256M-heap-all 240 -M virt -bios default -smp 2 -m 256M \
	-kernel "$KERNEL" -append "kmalloc_heap=0x7ffffffff ktest=all"
ktest_run virt-smp2-256M-heap-compact 240 -M virt -bios default -smp 2 -m 256M \
	-kernel "$KERNEL" -append "kmalloc_heap=compact ktest=all"
# Every suite with both on SLOB (kmalloc=slob slab=slob): the allocator stack
# of a memory-starved board, no slab pages at all.
ktest_run virt-smp4-128M-all-slob 240 -M virt -bios default -smp 4 -m 128M \
	-kernel "$KERNEL" -append "kmalloc=slob slab=slob ktest=all"
ktest_run virt-smp2-8G-zone-dma-slab-slob 240 -M virt -bios default -smp 2 -m 8G \
	-kernel "$KERNEL" -append "zone_dma_limit=0x90000000 slab=slob kmalloc=slob ktest=zones"

# kmalloc's suite with the kernel heap in SLOB classic mode (slob=classic),
# and slab_debug's: SLOB-model caches there check a free by page and
# alignment only, so the cases that free inside a block or twice skip (they
# freed into the heap and damaged it: a trap in classic_alloc, ktest=all
# with slob=classic never finished).
ktest_run virt-smp4-128M-slob-classic 240 -M virt -bios default -smp 4 -m 128M \
	-kernel "$KERNEL" -append "slob=classic ktest=kmalloc,slab_debug"

# Zones (suites zones and zone_paths) with either kmalloc backend on machines
# with RAM above 4 GiB: QEMU virt's one 8 GiB bank, the same with a ZONE_DMA
# below 2.25 GiB (zone_dma_limit=), and virt-two-banks.dts (1 GiB under
# 4 GiB, 1 GiB above: a sectioned memmap) on an 8 GiB machine.
for be in slab slob; do
	ktest_run "virt-smp2-8G-zones-$be" 240 -M virt -bios default -smp 2 -m 8G \
		-kernel "$KERNEL" -append "kmalloc=$be ktest=zones,zone_paths"
	ktest_run "virt-smp2-8G-zone-dma-$be" 240 -M virt -bios default -smp 2 -m 8G \
		-kernel "$KERNEL" -append "zone_dma_limit=0x90000000 kmalloc=$be ktest=zones,zone_paths"
	ktest_run "two-banks-smp4-8G-zones-$be" 240 -M virt -bios default -smp 4 -m 8G \
		-dtb build/dtb/virt-two-banks.dtb -kernel "$KERNEL" -append "kmalloc=$be ktest=zones"
done
# The zone contract on every path (zone_paths) where it matters in other
# ways: 4 GiB (DMA32 ends inside RAM), 2 GiB (no Normal zone), KFENCE
# sampling every allocation (its pool above 4 GiB), and most of DMA32 a
# no-map reserved range (virt-8g-dma32-reserved.dts: 64 MiB of DMA32 left;
# whatis there too: iomem lists no-map RAM as top-level Reserved).
ktest_run virt-smp2-4G-zone-paths 120 -M virt -bios default -smp 2 -m 4G \
	-kernel "$KERNEL" -append "ktest=zone_paths"
ktest_run virt-smp2-2G-zone-paths 120 -M virt -bios default -smp 2 -m 2G \
	-kernel "$KERNEL" -append "ktest=zone_paths"
ktest_run virt-smp2-8G-zone-paths-kfence 120 -M virt -bios default -smp 2 -m 8G \
	-kernel "$KERNEL" -append "kfence.sample_interval=1 ktest=zone_paths"
ktest_run dma32-reserved-smp4-8G 120 -M virt -bios default -smp 4 -m 8G \
	-dtb build/dtb/virt-8g-dma32-reserved.dtb -kernel "$KERNEL" -append "ktest=zones,zone_paths,whatis"
# The zone suites under the allocator settings of the command line and on
# other memory layouts: two NUMA memory nodes (node 1 wholly above 4 GiB;
# rvmm sees one node of both banks), with KFENCE sampling every allocation
# and on SLOB; 5 GiB (1 GiB of Normal) with every slab_debug check; 4 harts
# with kmalloc_heap=compact and poisoning (SLOB-model caches hold their
# freed objects); kmalloc_heap=on with a ZONE_DMA.
NUMA8G="-m 8G -object memory-backend-ram,id=m0,size=4G -object memory-backend-ram,id=m1,size=4G
	-numa node,memdev=m0 -numa node,memdev=m1"
ktest_run numa-smp2-8G-zones-kfence 240 -M virt -bios default -smp 2 $NUMA8G \
	-kernel "$KERNEL" -append "kfence.sample_interval=1 ktest=zones,zone_paths"
ktest_run numa-smp2-8G-zones-all-slob 240 -M virt -bios default -smp 2 $NUMA8G \
	-kernel "$KERNEL" -append "kmalloc=slob slab=slob ktest=zones,zone_paths"
# (with the suites whose cases need magazines or a cache's own reports:
# a debug cache has no magazines, a poisoned SLOB-model cache holds its
# freed objects; they failed under slab_debug before)
ktest_run virt-smp2-5G-zones-slab-debug 240 -M virt -bios default -smp 2 -m 5G \
	-kernel "$KERNEL" -append "slab_debug ktest=zones,zone_paths,reclaim,shell,slab_debug"
ktest_run virt-smp4-8G-zones-heap-compact-poison 240 -M virt -bios default -smp 4 -m 8G \
	-kernel "$KERNEL" -append "kmalloc_heap=compact slab_debug=P slab=slob ktest=zones,zone_paths"
ktest_run virt-smp2-8G-zone-dma-heap-on 240 -M virt -bios default -smp 2 -m 8G \
	-kernel "$KERNEL" -append "zone_dma_limit=0x90000000 kmalloc_heap=on ktest=zones,zone_paths"
# Zones too small for what the suites asked of them once: ZONE_DMA32 of 8
# MiB (virt-small-dma32.dts: GFP_KERNEL cannot fall back to it), and a
# ZONE_DMA that ends just above OpenSBI (a few hundred pages: watermarks of
# a page, lowmem reserve above its size, GFP_DMA runs out).
ktest_run small-dma32-smp4-8G 240 -M virt -bios default -smp 4 -m 8G \
	-dtb build/dtb/virt-small-dma32.dtb -kernel "$KERNEL" \
	-append "ktest=page_alloc,reclaim,zones,zone_paths,vmalloc,mm_report"
ktest_run tiny-zone-dma-smp2-512M 240 -M virt -bios default -smp 2 -m 512M \
	-kernel "$KERNEL" -append "zone_dma_limit=0x80123000 ktest=page_alloc,reclaim,zones,zone_paths,vmalloc,mm_report"

# ZONE_DMA at the edges, on 128 MiB: asked for but empty (zone_dma_limit=0x800,
# no whole page of RAM below it: GFP_DMA gets nothing, each failure counted
# in the zone), all of RAM (the only zone, GFP_KERNEL's first; the page_alloc
# suite once trapped on DMA32's absent per-hart lists), and all of RAM but
# its last page (ZONE_DMA32 of one page).
for limit in 0x800 0x88000000 0x87fff000; do
	ktest_run "zone-dma-$limit-smp2-128M" 120 -M virt -bios default -smp 2 -m 128M \
		-kernel "$KERNEL" -append "zone_dma_limit=$limit ktest=page_alloc,reclaim,zones,zone_paths"
done
# ZONE_DMA32 of 2 MiB above a ZONE_DMA of 128 MiB, holding the device tree
# and the memmap: no free pageblock for grouping to claim in the zone
# GFP_KERNEL takes first (the grouping cases say so and skip).
ktest_run zone-dma-130M-smp1 120 -M virt -bios default -smp 1 -m 130M \
	-kernel "$KERNEL" -append "zone_dma_limit=0x88000000 ktest=page_alloc,zones,zone_paths"
# ZONE_DMA the lower half of 256 MiB: GFP_KERNEL takes ZONE_DMA32 below its
# low mark while ZONE_DMA keeps its lowmem reserve; every hart under
# pressure there still wakes background reclaim (reclaim_pressure once took
# the zones' sums for the state of each).
ktest_run zone-dma-half-smp2-256M 120 -M virt -bios default -smp 2 -m 256M \
	-kernel "$KERNEL" -append "zone_dma_limit=0x88000000 ktest=reclaim,reclaim_pressure,zones"
# -m 33G (RAM not backed until touched): ZONE_NORMAL's gap from low to high
# (0.1% of 31 GiB, 8000 pages) is more than one magazine of 32 KiB objects
# holds (500): reclaim's kswapd case fills the magazines of several caches.
ktest_run virt-smp2-33G-reclaim 120 -M virt,memory-backend=m0 -bios default -smp 2 -m 33G \
	-object memory-backend-ram,id=m0,size=33G,reserve=off -kernel "$KERNEL" -append "ktest=reclaim"
# Suites whose cases once assumed their objects were slab objects of the
# linear map: every suite with KFENCE sampling every allocation (a sampled
# object has no struct page: virt_to_page of it trapped in page_alloc and
# slab; slab_debug's planted bugs landed in the pool; the runner now pauses
# sampling for the suites that assert such things), and kmalloc and vmalloc
# with kmalloc-16 a heap class (kmalloc_heap=0x1: no cache to name, a trap;
# the heap's pages compared as a shape of the free lists, a failure).
ktest_run virt-smp2-64M-kfence 60 -M virt -bios default -smp 2 -m 64M \
	-kernel "$KERNEL" -append "kfence.sample_interval=1 ktest=all"
ktest_run virt-smp2-128M-kmalloc-heap-0x1 60 -M virt -bios default -smp 2 -m 128M \
	-kernel "$KERNEL" -append "kmalloc_heap=0x1 ktest=kmalloc,vmalloc"
