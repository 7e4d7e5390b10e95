# rvmm - a RISC-V kernel whose purpose is a Linux-style physical memory manager.
#
#   make            build build/rvmm.elf, build/Image and build/rvmm-dt (docs/boards.md)
#   make kasan      build/rvmm-kasan.elf: the kernel with KASAN and UBSan (docs/reliability.md)
#   make lib        the memory manager as a library: build/librvmm.a (riscv64), build/host/librvmm.a
#                   and build/host/librvmm-port-host.a (the host's port); docs/embedding.md
#   make run        boot in QEMU virt (4 harts, 512 MiB) to the serial console
#   make debug      make run stopped at the first instruction, a gdb stub on GDBPORT
#   make gdb        attach gdb-multiarch (with symbols) to the QEMU of make debug
#   make test       host unit tests, then the self-tests on QEMU; last line totals all
#   make host-test  only the host unit tests (ASan + UBSan)
#   make check-layers  mm/ uses only lib/ and its port (include/mm/port.h); lib/ nothing above it
#   make ktest      only the on-target self-tests on QEMU
#   make fuzz       each libFuzzer target for FUZZ_SECONDS (default 300): docs/reliability.md
#   make stress     10 million checked allocator operations on 4 harts: docs/reliability.md
#   make combos     ktest=all under COUNT (20) random combinations of boot settings, SEED=N
#                   (KERNEL=, MACHINE=sifive_u or microchip-icicle-kit, DTB=): docs/reliability.md
#   make bench      instruction counts on QEMU (-icount), rewrites docs/benchmarks.md
#                   (KERNEL=build/rvmm-kasan.elf or BENCH_APPEND="kfence.sample_interval=100":
#                   the lines only)
#   make churn-peak where the SLOB heap's pages go at the churn benchmark's peak (host);
#                   SEEDS=N: the peaks on N other seeds of the same workload, and their sums
#   make replay     replay a Linux kmem trace on QEMU (TRACE=file; docs/replay.md)
#   make malloc     build/librvmm-malloc.so: rvmm's kmalloc as an LD_PRELOAD malloc (docs/malloc.md)
#   make clang-build  the host side again with clang in build/clang (make test runs it;
#                   HOSTCC=clang builds the host side with clang in place)
#   make realbench  instructions per malloc/free of real programs under callgrind, glibc vs rvmm;
#                   rewrites the realbench section of docs/benchmarks.md
#   make memmap     pictures of memory: build/memmap.png, build/memmap-timeline.png
#   make sdimage    build/sdcard.img: a HiFive-style SD card image U-Boot boots (BOOTARGS=...)
#   make deps       install missing Debian packages (run, test and a kernel build on a
#                   machine without the cross compiler do it themselves)
#   make dt-sweep   rvmm-dt (ASan + UBSan) on every device tree Linux 6.1 ships, maps checked
#                   against an independent reading; installs linux-source-6.1 (docs/boards.md)
#   make clean
#
# Variables: SMP, MEM, APPEND (kernel command line), QEMU_EXTRA, GDBPORT (default 1234),
# V=1 (show commands).

CROSS   ?= riscv64-unknown-elf-
CC      := $(CROSS)gcc
OBJCOPY := $(CROSS)objcopy
AR      := $(CROSS)ar
HOSTCC  ?= gcc
DTC     ?= dtc
QEMU    ?= qemu-system-riscv64

B := build
V ?= 0
ifeq ($(V),0)
Q := @
quiet = @printf '  %-7s %s\n' $(1) $(2);
endif

WARN   := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
COMMON := -std=gnu11 -g $(WARN) -Iinclude -MMD -MP

KCFLAGS := $(COMMON) -O2 -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany \
	   -ffreestanding -fno-common -fno-stack-protector -fno-pic -fno-omit-frame-pointer \
	   -nostdlib -ffunction-sections -fdata-sections
KASFLAGS := -g -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -Iinclude -MMD -MP -D__ASSEMBLY__
KLDFLAGS := -nostdlib -static -T linker.ld -Wl,--gc-sections -Wl,-Map,$(B)/rvmm.map

HCFLAGS := $(COMMON) -O1 -DHOST -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer
HLDFLAGS := -fsanitize=address,undefined

# Every object depends on this Makefile: its flags (per target too) are part
# of what an object is built from, so an edit to them rebuilds.
FLAGS_DEP := Makefile

# --- kernel -------------------------------------------------------------------
# The memory manager and what it uses: the library's sources (make lib).
LIB_SRCS := $(wildcard lib/*.c) $(wildcard mm/*.c)
# The device tree code every build shares: the reader, its map into
# memblock, the console choice (which touches no hardware).
DT_SRCS := drivers/fdt.c drivers/devicetree.c drivers/dt_memblock.c drivers/console_select.c \
	   drivers/uart8250.c drivers/uart_sifive.c
# What every host program links (unit tests, fuzzers, rvmm-dt): the library,
# the device tree code and the host port. One list, so they cannot drift.
HOST_CORE := port/host.c port/host_common.c $(LIB_SRCS) $(DT_SRCS)
# `bench` runs the benchmarks in link order; the device ones (dma_bench.c)
# last, so the figures of the others stay those of a run without them
# (what they leave changes the order of the page allocator's free lists).
BENCH_SRCS := $(filter-out bench/dma_bench.c,$(wildcard bench/*.c)) bench/dma_bench.c
KSRCS := $(wildcard boot/*.S) $(wildcard boot/*.c) $(wildcard drivers/*.c) $(wildcard shell/*.c) \
	 $(LIB_SRCS) $(BENCH_SRCS) tests/ktest.c tests/stress.c \
	 $(wildcard tests/common/*.c) $(wildcard tests/target/*.c)
KOBJS := $(patsubst %,$(B)/k/%.o,$(KSRCS))

all: $(B)/rvmm.elf $(B)/Image

$(B)/k/%.c.o: %.c $(FLAGS_DEP)
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)$(CC) $(KCFLAGS) -c $< -o $@

$(B)/k/%.S.o: %.S $(FLAGS_DEP)
	@mkdir -p $(dir $@)
	$(call quiet,AS,$<)$(CC) $(KASFLAGS) -c $< -o $@

# The allocators' fast paths run without a frame pointer (it would cost a
# fifth of their instructions); a backtrace through them may stop early.
FAST_PATH_OBJS := $(B)/k/mm/page_alloc.c.o $(B)/k/mm/slob.c.o $(B)/k/mm/kmalloc.c.o \
		  $(B)/k/mm/slob_segfit.c.o $(B)/k/mm/slob_classic.c.o \
		  $(B)/k/mm/slob_sizepage.c.o $(B)/k/mm/slab_slob.c.o
$(FAST_PATH_OBJS): KCFLAGS += -fomit-frame-pointer

# The compiler must not turn the loops of memset/memcpy into calls to themselves.
$(B)/k/lib/string.c.o: KCFLAGS += -fno-tree-loop-distribute-patterns

# picolibc's malloc, linked into the kernel (not the host build) for the churn
# benchmark's comparison (bench/picolibc_glue.c). Debian's package ships the
# speed-optimised build under release/; rv64imac/lp64 is the multilib of our
# -march/-mabi (Zicsr and Zifencei are not used by these objects). The members
# are extracted at build time; malloc zeroes what it hands out with memset,
# renamed so that it is picolibc's own and not lib/string.c's.
PICOLIBC_A ?= /usr/lib/picolibc/riscv64-unknown-elf/lib/release/rv64imac/lp64/libc.a
PICOLIBC_MEMBERS := nano-malloc-malloc.c.o nano-malloc-free.c.o memset.S.o
PLOBJS := $(addprefix $(B)/picolibc/,$(PICOLIBC_MEMBERS))

$(B)/picolibc/%.o: $(PICOLIBC_A)
	@mkdir -p $(dir $@)
	$(call quiet,AR,$@)cd $(dir $@) && $(AR) x $(abspath $(PICOLIBC_A)) $(notdir $@) && \
		$(OBJCOPY) --redefine-sym memset=picolibc_memset $(notdir $@)

$(PICOLIBC_A):
	@scripts/install-deps.sh
	@test -f $@ || { echo "picolibc not found: $@ (Debian package picolibc-riscv64-unknown-elf)" >&2; exit 1; }

# The kernel is linked at 0x80200000 but runs wherever it is loaded: the
# words of data that hold addresses are listed in a table (from
# --emit-relocs) that boot/entry.S applies. That table and the symbol table
# of backtraces are made from a first link and linked into the second
# (scripts/link-kernel.sh).
KLINK = $(CC) $(KCFLAGS) $(KLDFLAGS) -Wl,--emit-relocs $(KOBJS) $(PLOBJS)
KERNEL_TABLE_SCRIPTS := scripts/link-kernel.sh scripts/mksyms.sh scripts/mkrelocs.sh scripts/hex.awk
$(B)/rvmm.elf: $(KOBJS) $(PLOBJS) linker.ld $(KERNEL_TABLE_SCRIPTS)
	$(call quiet,LD,$@)AS_CMD="$(CC) $(KASFLAGS)" scripts/link-kernel.sh $@ $(B) $(KLINK)

$(B)/Image: $(B)/rvmm.elf
	$(call quiet,OBJCOPY,$@)$(OBJCOPY) -O binary $< $@

# --- the KASAN kernel: build/rvmm-kasan.elf (docs/reliability.md) --------------
# The same sources with CONFIG_KASAN (mm/kasan.c, the hooks of mm/kasan.h)
# and CONFIG_UBSAN (lib/ubsan.c), in build/kasan/. gcc 12 has no inline
# KASAN checks for RISC-V that fit rvmm's map (one linear shadow offset
# cannot cover both the identity direct map and the vmalloc area in Sv39):
# the checks are calls (call threshold 0), the stack and globals are not
# instrumented. Instrumented for KASAN: tests/ and shell/ (the code that
# uses the allocators); mm/ is not (its allocators write free links into
# free memory) and, as lib/ does (nothing of lib/ may call up into mm/),
# calls lib/string.c's functions under the names __memcpy/__memset/
# __memmove, which the checked memcpy/memset/memmove of mm/kasan.c call
# for everyone else. Every file but lib/ubsan.c and the
# early boot code is built with UBSan.
KB := $(B)/kasan
KASAN_KOBJS := $(patsubst %,$(KB)/%.o,$(KSRCS))
KASAN_CFLAGS := $(filter-out -fomit-frame-pointer,$(KCFLAGS)) -DCONFIG_KASAN -DCONFIG_UBSAN
KASAN_INSTRUMENT := -fsanitize=kernel-address --param asan-instrumentation-with-call-threshold=0 \
		    --param asan-stack=0 --param asan-globals=0
UBSAN_INSTRUMENT := -fsanitize=undefined -fno-sanitize=alignment,object-size -Wno-maybe-uninitialized
STRING_RENAME := -Dmemcpy=__memcpy -Dmemset=__memset -Dmemmove=__memmove \
		 -fno-tree-loop-distribute-patterns
kasan_flags = $(if $(filter tests/% shell/%,$(1)),$(KASAN_INSTRUMENT)) \
	      $(if $(filter lib/%,$(1))$(filter-out mm/kasan.c,$(filter mm/%,$(1))),$(STRING_RENAME)) \
	      $(if $(filter lib/ubsan.c boot/entry.S,$(1)),,$(UBSAN_INSTRUMENT))

$(KB)/%.c.o: %.c $(FLAGS_DEP)
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)$(CC) $(KASAN_CFLAGS) $(call kasan_flags,$<) -c $< -o $@

$(KB)/%.S.o: %.S $(FLAGS_DEP)
	@mkdir -p $(dir $@)
	$(call quiet,AS,$<)$(CC) $(KASFLAGS) -c $< -o $@

KASAN_LINK = $(CC) $(KASAN_CFLAGS) -nostdlib -static -T linker.ld -Wl,--gc-sections -Wl,--emit-relocs \
	     -Wl,-Map,$(KB)/rvmm-kasan.map $(KASAN_KOBJS) $(PLOBJS)
$(B)/rvmm-kasan.elf: $(KASAN_KOBJS) $(PLOBJS) linker.ld $(KERNEL_TABLE_SCRIPTS)
	$(call quiet,LD,$@)AS_CMD="$(CC) $(KASFLAGS)" scripts/link-kernel.sh $@ $(KB) $(KASAN_LINK)

kasan: $(B)/rvmm-kasan.elf
-include $(KASAN_KOBJS:.o=.d)

# On a machine without the cross compiler (a plain `make` first thing on a
# fresh one) every build of the kernel installs the missing packages first,
# as make run and make test do, rather than stopping at "riscv64-unknown-elf-gcc:
# not found". Order-only: deps runs once, before the first object.
ifeq ($(shell command -v $(CC) 2>/dev/null),)
$(KOBJS) $(KASAN_KOBJS) $(PICOLIBC_A): | deps
endif

# --- the memory manager as a library (docs/embedding.md) ----------------------
# build/librvmm.a: the kernel's own objects of mm/ and lib/. build/host/librvmm.a:
# the same sources built plainly for the host (-O2, no sanitizers) in build/hl/;
# the port is not in either, but the host's (port/host.c) is ready-made in
# build/host/librvmm-port-host.a.
HOSTAR ?= ar
LIB_KOBJS := $(patsubst %,$(B)/k/%.o,$(LIB_SRCS))
HLIB_OBJS := $(patsubst %,$(B)/hl/%.o,$(LIB_SRCS))
HLCFLAGS  := $(COMMON) -O2 -DHOST

$(B)/librvmm.a: $(LIB_KOBJS)
	$(call quiet,AR,$@)rm -f $@ && $(AR) rcs $@ $^

$(B)/hl/%.c.o: %.c $(FLAGS_DEP)
	@mkdir -p $(dir $@)
	$(call quiet,HOSTCC,$<)$(HOSTCC) $(HLCFLAGS) -c $< -o $@

$(B)/host/librvmm.a: $(HLIB_OBJS)
	@mkdir -p $(dir $@)
	$(call quiet,HOSTAR,$@)rm -f $@ && $(HOSTAR) rcs $@ $^

$(B)/host/librvmm-port-host.a: $(B)/hl/port/host.c.o $(B)/hl/port/host_common.c.o
	@mkdir -p $(dir $@)
	$(call quiet,HOSTAR,$@)rm -f $@ && $(HOSTAR) rcs $@ $^

lib: $(B)/librvmm.a $(B)/host/librvmm.a $(B)/host/librvmm-port-host.a

# examples/embed: a bare-metal program on QEMU virt linked against
# build/librvmm.a alone (and libgcc), with its own port and linker script.
EMBED_OBJS := $(patsubst %,$(B)/embed/%.o,$(wildcard examples/embed/*.S examples/embed/*.c))

$(B)/embed/%.c.o: %.c $(FLAGS_DEP)
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)$(CC) $(KCFLAGS) -c $< -o $@

$(B)/embed/%.S.o: %.S $(FLAGS_DEP)
	@mkdir -p $(dir $@)
	$(call quiet,AS,$<)$(CC) $(KASFLAGS) -c $< -o $@

$(B)/embed.elf: $(EMBED_OBJS) $(B)/librvmm.a examples/embed/embed.ld
	$(call quiet,LD,$@)$(CC) $(KCFLAGS) -static -T examples/embed/embed.ld -Wl,--gc-sections \
		$(EMBED_OBJS) $(B)/librvmm.a -lgcc -o $@

# examples/host: a host program over malloc'ed memory, linked against the
# host library and its ready-made port (they take from each other: a group).
$(B)/embed-host: $(B)/hl/examples/host/main.c.o $(B)/host/librvmm.a $(B)/host/librvmm-port-host.a
	$(call quiet,HOSTLD,$@)$(HOSTCC) $< -Wl,--start-group $(B)/host/librvmm.a \
		$(B)/host/librvmm-port-host.a -Wl,--end-group -pthread -o $@

test-build: lib $(B)/embed.elf $(B)/embed-host

# --- a malloc for real programs (docs/malloc.md) -------------------------------
# build/librvmm-malloc.so: mm/ and lib/ for the host, position-independent and
# hidden, with the malloc port (port/malloc.c) and the shim (malloc/shim.c);
# only the malloc API is exported (malloc/exports.map), and only what it
# reaches is linked (sections per function, --gc-sections: the code is
# resident whole, docs/malloc.md "What loading costs"). LD_PRELOAD it.
MALLOC_SRCS := $(LIB_SRCS) port/malloc.c port/host_common.c malloc/shim.c malloc/report.c \
	       malloc/bigtrack.c malloc/mapped.c
MALLOC_OBJS := $(patsubst %,$(B)/ms/%.o,$(MALLOC_SRCS))
# Magazines of up to 16 KiB of objects (the kernel's: 4 KiB, mm/slab.c): a
# program's threads share each class's slabs and lock, so the slow paths
# their magazines take are where they meet (docs/malloc.md, "Threads are
# harts"). Slabs of up to 64 KiB (the kernel's: 32 KiB) and the class 4368
# for 4 KiB and a header (the kernel's: 4608; include/mm/kmalloc.h): a
# program's 4 KiB page buffers packed as glibc packs them (docs/malloc.md,
# "What memory costs"). PORT_HOST_SLOT_LOCKED: the port's slot locks make
# each hart slot one thread's at a time, so irq_save claims nothing
# (include/mm/port.h, "Sections") and the fast paths stay as they are.
MSCFLAGS := $(COMMON) -O2 -DHOST -fPIC -fvisibility=hidden -fno-builtin-malloc \
	    -fno-builtin-calloc -fno-builtin-realloc -fno-builtin-free -ffunction-sections -fdata-sections \
	    -DSLAB_MAGAZINE_BYTES=16384u -DSLAB_MAX_ORDER=4 -DKMALLOC_4K_PLUS=4368 -DPORT_HOST_SLOT_LOCKED -DPCP_BATCH_MIN=16ul -DSLAB_MIN_OBJECTS=8u

$(B)/ms/%.c.o: %.c $(FLAGS_DEP)
	@mkdir -p $(dir $@)
	$(call quiet,HOSTCC,$<)$(HOSTCC) $(MSCFLAGS) -c $< -o $@

$(B)/librvmm-malloc.so: $(MALLOC_OBJS) malloc/exports.map
	$(call quiet,HOSTLD,$@)$(HOSTCC) -shared -Wl,--version-script=malloc/exports.map \
		-Wl,-z,now -Wl,--gc-sections $(MALLOC_OBJS) -o $@

# The programs that call malloc for the tests and the measurements make
# every call they are written with: the compiler must not treat the malloc
# family as its builtins (clang drops a block it sees only written, so a
# loop of malloc until NULL never ends, and reads errno from before a
# failed malloc; GCC drops pairs it sees unused).
MALLOC_CLIENT_CFLAGS := -fno-builtin-malloc -fno-builtin-calloc -fno-builtin-realloc -fno-builtin-free \
	-fno-builtin-aligned_alloc -fno-builtin-posix_memalign -fno-builtin-memalign

# The edge-case program tests/real/run.sh runs under the preload: built
# plainly against glibc, so the malloc it gets is whichever is preloaded.
$(B)/malloc-edge: tests/real/edge.c
	$(call quiet,HOSTCC,$<)$(HOSTCC) -std=gnu11 -O1 $(WARN) $(MALLOC_CLIENT_CFLAGS) -pthread \
		$< -o $@

malloc: $(B)/librvmm-malloc.so
all: $(B)/librvmm-malloc.so
# The random-size loop realbench-smoke.sh counts and docs/malloc.md times.
$(B)/malloc-randloop: tests/real/randloop.c
	$(call quiet,HOSTCC,$<)$(HOSTCC) -std=gnu11 -O2 $(WARN) $(MALLOC_CLIENT_CFLAGS) -pthread $< -o $@

# Blocks one thread allocates and another frees, timed in docs/malloc.md.
$(B)/malloc-handoff: tests/real/handoff.c
	$(call quiet,HOSTCC,$<)$(HOSTCC) -std=gnu11 -O2 $(WARN) $(MALLOC_CLIENT_CFLAGS) -pthread $< -o $@

test-build: $(B)/librvmm-malloc.so $(B)/malloc-edge $(B)/malloc-randloop $(B)/malloc-handoff
-include $(MALLOC_OBJS:.o=.d)

# make realbench: instructions per malloc and per free of real programs under
# callgrind, glibc against rvmm slab and SLOB, and max RSS; rewrites the
# generated section of docs/benchmarks.md (scripts/realbench.sh).
realbench: deps $(B)/librvmm-malloc.so
	@scripts/realbench.sh

.PHONY: malloc realbench
-include $(HLIB_OBJS:.o=.d) $(B)/hl/port/host.c.d $(B)/hl/port/host_common.c.d $(EMBED_OBJS:.o=.d) $(B)/hl/examples/host/main.c.d

# --- host unit tests ----------------------------------------------------------
# The host tests: HOST_CORE (above), the test framework, the suites, the
# console line editor (shell/line.c, which reads no device) and the console's
# byte path (drivers/console_io.c, run over a model UART).
HSRCS := $(HOST_CORE) tests/ktest.c $(wildcard tests/common/*.c) $(wildcard tests/host/*.c) shell/line.c \
	 drivers/console_io.c malloc/bigtrack.c malloc/mapped.c \
	 bench/replay.c bench/churn.c
HOBJS := $(patsubst %,$(B)/h/%.o,$(HSRCS))
DTS   := $(wildcard tests/dts/*.dts)
DTBS  := $(patsubst tests/dts/%.dts,$(B)/dtb/%.dtb,$(DTS))

$(B)/h/%.c.o: %.c $(FLAGS_DEP)
	@mkdir -p $(dir $@)
	$(call quiet,HOSTCC,$<)$(HOSTCC) $(HCFLAGS) -c $< -o $@

$(B)/host-tests: $(HOBJS)
	$(call quiet,HOSTLD,$@)$(HOSTCC) $(HLDFLAGS) $(HOBJS) -o $@

# Fixtures named bad-* are deliberately invalid: dtc must write them anyway.
$(B)/dtb/%.dtb: tests/dts/%.dts
	@mkdir -p $(dir $@)
	$(call quiet,DTC,$<)$(DTC) -q $(if $(filter bad-%,$*),-f) -I dts -O dtb -o $@ $<

# --- fuzzing: libFuzzer + ASan + UBSan (tests/fuzz, docs/reliability.md) ------
# make fuzz runs each fuzzer FUZZ_SECONDS (tests/fuzz/run.sh); corpora, crashes
# and logs go to build/fuzz/. A crash reproduces with
# build/fuzz/NAME build/fuzz/crashes/NAME/crash-SHA1.
FUZZCC       ?= clang
FUZZ_SECONDS ?= 300
FUZZERS      := fdt_fuzz alloc_fuzz replay_fuzz cmdline_fuzz
FUZZ_BINS    := $(addprefix $(B)/fuzz/,$(FUZZERS))
FCFLAGS  := $(COMMON) -O1 -DHOST -fsanitize=fuzzer-no-link,address,undefined \
	    -fno-sanitize-recover=all -fno-omit-frame-pointer
FLDFLAGS := -fsanitize=fuzzer,address,undefined
FUZZ_LIB := $(HOST_CORE) tests/host/host_support.c tests/host/fakeram.c tests/fuzz/fuzz_support.c
FLIBOBJS := $(patsubst %,$(B)/f/%.o,$(FUZZ_LIB))

# The page allocator's checker runs after every fuzzed operation and walks
# every page: uninstrumented (but for UBSan) it is several times faster.
$(B)/f/mm/page_check.c.o: FCFLAGS += -O2 -fno-sanitize=fuzzer-no-link,address
# (Nor are the comparisons of the allocator fuzzer's own pattern loops worth tracing.)
$(B)/f/tests/fuzz/alloc_fuzz.c.o: FCFLAGS += -fno-sanitize-coverage=trace-cmp

$(B)/f/%.c.o: %.c $(FLAGS_DEP)
	@mkdir -p $(dir $@)
	$(call quiet,FUZZCC,$<)$(FUZZCC) $(FCFLAGS) -c $< -o $@

$(FUZZ_BINS): $(B)/fuzz/%: $(B)/f/tests/fuzz/%.c.o $(FLIBOBJS)
	@mkdir -p $(dir $@)
	$(call quiet,FUZZLD,$@)$(FUZZCC) $(FLDFLAGS) $^ -o $@

# replay_fuzz also links the trace replayer, its hash table starting at 128
# entries instead of 1024 so that short inputs grow it (bench/replay.c).
$(B)/fuzz/replay_fuzz: $(B)/f/bench/replay.c.o
$(B)/f/bench/replay.c.o: FCFLAGS += -DREPLAY_TABLE_MIN_BITS=7

fuzz: deps $(FUZZ_BINS) $(DTBS)
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZERS)

test-build: $(FUZZ_BINS)

# make fuzz-coverage: line coverage of the saved corpora (llvm-cov), in
# build/fuzz/coverage.txt; the same sources built for source-based coverage.
FUZZ_COV_BINS := $(addprefix $(B)/fuzz/cov/,$(FUZZERS))
FCOVFLAGS := $(COMMON) -O1 -DHOST -fsanitize=fuzzer-no-link -fprofile-instr-generate -fcoverage-mapping
FCOVOBJS  := $(patsubst %,$(B)/fcov/%.o,$(FUZZ_LIB))

$(B)/fcov/%.c.o: %.c $(FLAGS_DEP)
	@mkdir -p $(dir $@)
	$(call quiet,COVCC,$<)$(FUZZCC) $(FCOVFLAGS) -c $< -o $@

$(FUZZ_COV_BINS): $(B)/fuzz/cov/%: $(B)/fcov/tests/fuzz/%.c.o $(FCOVOBJS)
	@mkdir -p $(dir $@)
	$(call quiet,COVLD,$@)$(FUZZCC) -fsanitize=fuzzer -fprofile-instr-generate $^ -o $@
$(B)/fuzz/cov/replay_fuzz: $(B)/fcov/bench/replay.c.o
$(B)/fcov/bench/replay.c.o: FCOVFLAGS += -DREPLAY_TABLE_MIN_BITS=7

fuzz-coverage: deps $(FUZZ_COV_BINS) $(DTBS)
	@tests/fuzz/coverage.sh $(FUZZERS)

.PHONY: fuzz fuzz-coverage
-include $(FLIBOBJS:.o=.d) $(patsubst %,$(B)/f/tests/fuzz/%.c.d,$(FUZZERS)) $(B)/f/bench/replay.c.d
-include $(FCOVOBJS:.o=.d) $(patsubst %,$(B)/fcov/tests/fuzz/%.c.d,$(FUZZERS)) $(B)/fcov/bench/replay.c.d

# --- rvmm-dt: a board's device tree as rvmm would see it (docs/boards.md) -------
# A host program made of the kernel's portable code, the subset of the host
# tests' sources it needs, built plainly (-O2, no sanitizers) in build/t/;
# tools/host_glue.c stands in for the kernel's kprintf and panic.
RVMM_DT_SRCS := $(HOST_CORE) tools/rvmm-dt.c tools/host_glue.c
RVMM_DT_OBJS := $(patsubst %,$(B)/t/%.o,$(RVMM_DT_SRCS))
TCFLAGS := $(COMMON) -O2 -DHOST

$(B)/t/%.c.o: %.c $(FLAGS_DEP)
	@mkdir -p $(dir $@)
	$(call quiet,HOSTCC,$<)$(HOSTCC) $(TCFLAGS) -c $< -o $@

$(B)/rvmm-dt: $(RVMM_DT_OBJS)
	$(call quiet,HOSTLD,$@)$(HOSTCC) $(RVMM_DT_OBJS) -o $@

all: $(B)/rvmm-dt

# make dt-sweep: rvmm-dt on every device tree Linux 6.1 ships (arch/*/boot/dts,
# riscv first), its map checked against an independent reading
# (scripts/dt-sweep.sh, docs/boards.md); LINUX=6.12 for Debian's other Linux.
# Not part of make test: it needs Debian's linux-source-$(LINUX) (140 to 150
# MB), which it installs. The tool is the same sources built with clang's
# ASan and UBSan in build/ds/, so that a bad read stops with a report.
DSCC ?= clang
DSCFLAGS := $(COMMON) -O1 -DHOST -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -fno-omit-frame-pointer
DT_SWEEP_OBJS := $(patsubst %,$(B)/ds/%.o,$(RVMM_DT_SRCS))

$(B)/ds/%.c.o: %.c $(FLAGS_DEP)
	@mkdir -p $(dir $@)
	$(call quiet,DSCC,$<)$(DSCC) $(DSCFLAGS) -c $< -o $@

$(B)/dt-sweep/rvmm-dt: $(DT_SWEEP_OBJS)
	@mkdir -p $(dir $@)
	$(call quiet,DSLD,$@)$(DSCC) -fsanitize=address,undefined $(DT_SWEEP_OBJS) -o $@

LINUX ?= 6.1
dt-sweep:
	@scripts/install-deps.sh linux-source-$(LINUX)
	@$(MAKE) --no-print-directory $(B)/dt-sweep/rvmm-dt
	@LINUX=$(LINUX) scripts/dt-sweep.sh

-include $(DT_SWEEP_OBJS:.o=.d)

.PHONY: dt-sweep

# churn-peak: the churn benchmark's requests on a host SLOB heap, and where
# its pages go at the peak (tools/churn-peak.c, docs/benchmarks.md).
CHURN_PEAK_SRCS := $(HOST_CORE) tools/churn-peak.c bench/churn.c
CHURN_PEAK_OBJS := $(patsubst %,$(B)/t/%.o,$(CHURN_PEAK_SRCS))

$(B)/churn-peak: $(CHURN_PEAK_OBJS)
	$(call quiet,HOSTLD,$@)$(HOSTCC) $(CHURN_PEAK_OBJS) -o $@

churn-peak: $(B)/churn-peak
	@$(B)/churn-peak $(SEEDS)

-include $(CHURN_PEAK_OBJS:.o=.d)

test-build: $(B)/churn-peak

.PHONY: churn-peak

# Board device trees (tests/dts/boards, tests/dts/boards/linux) go through
# the C preprocessor first, as Linux builds them: build/dtb/boards/NAME.dtb.
BOARD_DTS  := $(wildcard tests/dts/boards/*.dts tests/dts/boards/linux/*.dts)
BOARD_DTBS := $(patsubst %.dts,$(B)/dtb/boards/%.dtb,$(notdir $(BOARD_DTS)))
BOARD_DEPS := $(wildcard tests/dts/boards/linux/*.dts tests/dts/boards/linux/*.dtsi \
		tests/dts/boards/linux/include/*/*/*.h)
BOARD_CPP  := cpp -nostdinc -undef -x assembler-with-cpp -I tests/dts/boards/linux/include -P
define board_dtc
	@mkdir -p $(dir $@)
	$(call quiet,DTC,$<)$(BOARD_CPP) $< -o $@.pre.dts && $(DTC) -q -I dts -O dtb -o $@ $@.pre.dts
endef

$(B)/dtb/boards/%.dtb: tests/dts/boards/%.dts $(BOARD_DEPS)
	$(board_dtc)

$(B)/dtb/boards/%.dtb: tests/dts/boards/linux/%.dts $(BOARD_DEPS)
	$(board_dtc)

test-build: $(B)/rvmm-dt $(BOARD_DTBS)
-include $(RVMM_DT_OBJS:.o=.d)

# --- SD card images (scripts/mksdimage.sh; docs/boards.md) -----------------------
# Exported: the recipe takes it from the environment, so quotes and spaces
# in it reach extlinux.conf as they are.
export BOOTARGS ?=
SDTOOLS := PATH="$$PATH:/usr/sbin:/sbin"

$(B)/sdcard.img: $(B)/Image scripts/mksdimage.sh FORCE
	$(call quiet,SDIMAGE,$@)$(SDTOOLS) scripts/mksdimage.sh $@ $(B)/Image "$$BOOTARGS"

# The image make test boots through U-Boot.
$(B)/sdcard-ktest.img: $(B)/Image scripts/mksdimage.sh
	$(call quiet,SDIMAGE,$@)$(SDTOOLS) scripts/mksdimage.sh $@ $(B)/Image "ktest=all"

sdimage: deps $(B)/sdcard.img

bench: deps all
	@scripts/bench.sh

# make stress: 10 million random mixed allocator operations on 4 harts,
# every object checked, then a leak count (scripts/stress.sh, docs/reliability.md).
stress: deps all
	@scripts/stress.sh
.PHONY: stress

# make combos: ktest=all under COUNT random combinations of boot settings
# (SEED picks them; KERNEL, MACHINE=virt|sifive_u|microchip-icicle-kit, DTB=a board's tree).
SEED  ?= 1
COUNT ?= 20
combos: deps all $(KERNEL)
	@tests/qemu/combos.py --seed $(SEED) --count $(COUNT) --kernel $(or $(KERNEL),$(B)/rvmm.elf) \
		--machine $(or $(MACHINE),virt) $(if $(DTB),--dtb $(DTB)) --logdir $(B)/combos
.PHONY: combos

# Pictures of memory (docs/memmap.md): boot, workload, dump, gnuplot.
memmap: deps all
	@scripts/memmap.sh
.PHONY: memmap

# --- workload replay (docs/replay.md) ------------------------------------------
# make replay: replay TRACE (an ftrace kmem trace as text) on QEMU, one hart,
# -icount shift=0; without TRACE, a synthetic trace of REPLAY_EVENTS events
# from build/gen-trace (scripts/gen-trace.c).
TRACE ?=
REPLAY_EVENTS ?= 200000

$(B)/gen-trace: scripts/gen-trace.c
	@mkdir -p $(dir $@)
	$(call quiet,HOSTCC,$<)$(HOSTCC) -std=gnu11 -O2 $(WARN) $< -o $@

replay: deps all $(B)/gen-trace
	@REPLAY_EVENTS=$(REPLAY_EVENTS) scripts/replay.sh $(TRACE)

test-build: $(B)/gen-trace

.PHONY: replay

# --- commands -----------------------------------------------------------------
SMP ?= 4
MEM ?= 512M
APPEND ?=

deps:
	@scripts/install-deps.sh

# APPEND reaches QEMU as one word, whatever it holds: single-quoted, each '
# in it written '\'' (a ' in run="echo it's" ended the quote before).
sh_quote = '$(subst ','\'',$(1))'
RUN_ARGS = -smp $(SMP) -m $(MEM) -kernel $(B)/rvmm.elf $(if $(APPEND),-append $(call sh_quote,$(APPEND)))

run: deps all
	@scripts/run-qemu.sh $(RUN_ARGS) $(QEMU_EXTRA)

# make debug: the machine of make run, stopped before its first instruction
# with a gdb stub on localhost:GDBPORT; it prints the command that attaches
# (make gdb, from another terminal, runs it). docs/boot.md shows a session.
GDBPORT ?= 1234
GDB_ATTACH = gdb-multiarch $(B)/rvmm.elf -ex 'target remote localhost:$(GDBPORT)'

debug: deps all
	@echo "QEMU waits for gdb on localhost:$(GDBPORT); attach with (or: make gdb)"
	@echo "  $(GDB_ATTACH)"
	@scripts/run-qemu.sh $(RUN_ARGS) -S -gdb tcp:localhost:$(GDBPORT) $(QEMU_EXTRA)

gdb:
	$(GDB_ATTACH)

# make check-layers: mm/ takes only from mm/, lib/ and its port; lib/ only
# from lib/ (scripts/check-layers.sh, nm on the kernel's, the host's and the
# KASAN kernel's objects: its instrumentation's __asan_* calls must be
# mm/kasan.c's, its UBSan handlers lib/ubsan.c's).
# The three object sets are built in parallel (one job per core).
NPROC := $(shell nproc 2>/dev/null || echo 2)
check-layers:
	@$(MAKE) --no-print-directory -j$(NPROC) check-layers-objects
	@scripts/check-layers.sh $(B)/k
	@scripts/check-layers.sh $(B)/h
	@scripts/check-layers.sh $(B)/kasan

check-layers-objects: $(KOBJS) $(HOBJS) $(KASAN_KOBJS)

host-test: deps $(B)/host-tests $(DTBS) $(BOARD_DTBS)
	@tests/qemu/host.sh $(B)/host-tests $(B)/dtb

ktest: deps all $(DTBS)
	@tests/qemu/ktest-all.sh

test-build: all $(B)/host-tests $(DTBS) $(B)/sdcard-ktest.img $(B)/rvmm-kasan.elf

# The host build again with clang, in $(B)/clang (tests/qemu/clang-checks.sh
# runs it): the host tests, the malloc library and its edge-case program.
# HOSTCC=clang alone builds everything host-side with clang in place.
clang-build: deps
	@$(MAKE) --no-print-directory B=$(B)/clang HOSTCC=clang $(B)/clang/host-tests \
		$(B)/clang/librvmm-malloc.so $(B)/clang/malloc-edge
test-build: clang-build

test: deps
	@$(MAKE) --no-print-directory -j$(NPROC) test-build
	@tests/run-all.sh

clean:
	rm -rf $(B)

.PHONY: all lib kasan deps run debug gdb check-layers check-layers-objects host-test ktest test test-build clang-build sdimage bench clean FORCE
.DELETE_ON_ERROR:

-include $(KOBJS:.o=.d) $(HOBJS:.o=.d)
