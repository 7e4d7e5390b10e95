#!/usr/bin/env python3
"""console_fuzz.py - random console sessions for tests/qemu/console-fuzz.sh.

  console_fuzz.py gen SEED COMMANDS > input    a session: COMMANDS random
      command lines (every console command but those that end or reset the
      machine, with plausible, malformed and hostile arguments), then a
      cleanup; the same lines and cleanup twice more; then `poweroff 0`.
  console_fuzz.py judge INPUT LOG              check the console log of
      that session; prints one line per problem, exits 1 if there was one.

What the judge asserts:
  - every input line came back as a prompt line, in order (no line lost,
    merged or split; a tab is echoed as a space);
  - no report of a bug: BUG:, Kernel panic, UBSAN, WARNING:, a KFENCE /
    KASAN banner, a stack overflow;
  - every mmcheck (random ones and one in each cleanup) found 0 problems;
  - after each cleanup no object is left: every slab cache's active objects
    0 (slabinfo) and every SLOB heap's bytes allocated 0 (slobinfo);
  - no pass lost pages to the next two: MemFree after the three cleanups
    must not fall twice in a row. What a pass makes once and keeps (a
    kmalloc class's cache, KFENCE's pool, page tables, a page more of slab
    metadata) lowers it once; a command that leaks pages lowers it every
    pass.
The same seed gives the same session, so a failure reproduces.
"""
import random
import re
import sys

COMMANDS = """harts whatis kmem_cache_destroy kmem_cache_free kmem_cache_alloc
kmem_cache_create allocs vfree free_pages kfree vmalloc alloc_pages kmalloc
faultinject kfence memmap page_owner free_traces alloc_traces slabinfo vmstat
drop_caches slobinfo meminfo zoneinfo memblock iomem pagetypeinfo buddyinfo
echo help vmallocinfo memmap-timeline memmap-fill ktest mmcheck dmesg free""".split()

# Plausible values, edge values and junk, drawn for any argument.
WORDS = ["0", "1", "-1", "7", "64", "100", "4096", "4097", "65536", "3M", "2G", "1K", "K",
         "0x80000000", "0x80200000", "0x10000000", "0x0", "0x", "0xfffffffffffff",
         "18446744073709551615", "99999999999999999999", "1e9", "10", "11", "512",
         "GFP_KERNEL", "GFP_DMA32", "GFP_DMA", "GFP_ATOMIC", "GFP_NOWAIT", "__GFP_ZERO",
         "__GFP_NOWARN", "__GFP_NORETRY", "GFP_BOGUS", "SLAB_POISON", "SLAB_RED_ZONE",
         "SLAB_HWCACHE_ALIGN", "SLAB_CACHE_DMA32", "SLAB_STORE_USER", "SLAB_BOGUS",
         "kmalloc-64", "kmalloc-96", "kmalloc-4096", "slab-meta", "fz0", "fz1", "fz2",
         "free", "-l", "-s", "off", "fail_page_alloc=1", "fail_page_alloc=3,times=5",
         "failslab=2", "failslab=1,cache=fz1", "fail_page_alloc=abc", "failslab=",
         "x" * 40, "%s%n%d", "\t", "''", '"', "\\", "~", "="]
NAMES = ["fz0", "fz1", "fz2", "x" * 30]
PASSES = 3


def command(r):
    c = r.choice(COMMANDS)
    if r.random() < 0.05:  # a line of printable junk after a real command
        return c + " " + "".join(chr(r.randint(32, 126)) for _ in range(r.randint(1, 200)))
    if c == "memmap-timeline":
        args = [str(r.randint(1, 40)), str(r.randint(1, 4))]
    elif c == "memmap-fill":
        args = r.choice([[], ["free"], ["x"]])
    elif c == "dmesg":  # (its dump's lines carry time stamps: never taken for prompts)
        args = r.choice([[], [], ["-c"], ["-C"], ["-x"]])
    elif c == "ktest":
        args = ["-l"] + r.choice([[], ["whatis"], ["page_alloc"], ["bogus"]])
    elif c == "kmem_cache_create" and r.random() < 0.6:
        args = [r.choice(NAMES), str(r.choice([8, 24, 96, 200, 1000, 3000, 5000, 70000])),
                r.choice(["0", "8", "64", "4096", "3"])] + r.sample(WORDS, r.randint(0, 2))
    elif c in ("kmem_cache_alloc", "kmem_cache_destroy") and r.random() < 0.7:
        args = [r.choice(NAMES + ["kmalloc-64", "kmalloc-192"])]
    elif c in ("kmalloc", "vmalloc") and r.random() < 0.7:
        args = [str(r.choice([1, 8, 100, 512, 2048, 3000, 4096, 8193, 100000, 4194304, 4194305]))]
        args += r.sample(WORDS[25:34], r.randint(0, 2))
    elif c == "alloc_pages" and r.random() < 0.7:
        args = [str(r.randint(0, 11))] + r.sample(WORDS[25:34], r.randint(0, 2))
    elif c == "slabinfo" and r.random() < 0.3:
        args = [r.choice(NAMES + ["kmalloc-64"]), str(r.randint(0, 300)), str(r.randint(0, 200))]
    else:
        args = [r.choice(WORDS) for _ in range(r.randint(0, 4))]
    return " ".join([c] + args)


def gen(seed, n):
    r = random.Random(seed)
    body = [command(r) for _ in range(n)]
    cleanup = ["faultinject off", "kfence 0", "memmap-fill free", "allocs free"]
    cleanup += ["kmem_cache_destroy " + name for name in NAMES]
    cleanup += ["drop_caches", "mmcheck", "slabinfo", "slobinfo", "echo cleanup done", "meminfo"]
    # KFENCE's pool is made the first time it is enabled: make it first.
    lines = ["kfence 100", "kfence 0"] + (body + cleanup) * PASSES + ["poweroff 0"]
    # The first byte reaches the UART before OpenSBI, which drops it.
    sys.stdout.write("\n" + "\n".join(lines) + "\n")


BAD = re.compile(r"^(BUG:|Kernel panic|UBSAN:|WARNING:|={40,})|stack overflow|\] BUG ")


def judge(input_path, log_path):
    want = [l.replace("\t", " ") for l in open(input_path).read().split("\n") if l]
    log = [l.rstrip("\r") for l in open(log_path, errors="replace").read().split("\n")]
    # (An empty prompt is the input's first line, when the UART kept it.)
    got = [l[len("rvmm> "):] for l in log if l.startswith("rvmm> ") and l != "rvmm> "]
    problems = []
    for i, (w, g) in enumerate(zip(want, got)):
        if w != g:
            problems.append("line %d: typed %r, the console read %r" % (i + 1, w, g))
            break
    if len(got) != len(want):
        problems.append("%d lines typed, %d prompts echoed" % (len(want), len(got)))
    for l in log:
        if BAD.search(l):
            problems.append("reported: " + l)
        m = re.match(r"^mmcheck: (\d+) problems?$", l)
        if m and m.group(1) != "0":
            problems.append("mmcheck: " + m.group(1) + " problems")
    # Each command's output: the lines after its prompt line.
    segments = []
    for l in log:
        if l.startswith("rvmm> "):
            segments.append((l[len("rvmm> "):], []))
        elif segments:
            segments[-1][1].append(l)
    free = []
    for i, (cmd, out) in enumerate(segments):
        if cmd != "echo cleanup done":
            continue
        if i < 2 or segments[i - 2][0] != "slabinfo" or segments[i - 1][0] != "slobinfo" or \
           i + 1 >= len(segments) or segments[i + 1][0] != "meminfo":
            problems.append("cleanup %d: its slabinfo, slobinfo and meminfo not found" % (len(free) + 1))
            continue
        for row in segments[i - 2][1]:
            f = row.split()
            if len(f) > 2 and not row.startswith(("#", "slabinfo")) and f[1] != "0":
                problems.append("cleanup %d: cache %s has %s active objects" % (len(free) + 1, f[0], f[1]))
        for row in segments[i - 1][1]:
            m = re.match(r"^  bytes allocated +(\d+)", row)
            if m and m.group(1) != "0":
                problems.append("cleanup %d: a SLOB heap has %s bytes allocated" % (len(free) + 1,
                                                                                 m.group(1)))
        m = [re.match(r"^MemFree: +(\d+) kB$", row) for row in segments[i + 1][1]]
        m = [x for x in m if x]
        if not m:
            problems.append("cleanup %d: no MemFree line" % (len(free) + 1))
            continue
        free.append(int(m[0].group(1)))
    if len(free) != PASSES:
        problems.append("%d cleanups typed, %d MemFree read" % (PASSES, len(free)))
    for k in range(len(free) - 2):
        if free[k] > free[k + 1] > free[k + 2]:
            problems.append("MemFree after cleanups %d, %d, %d: %d, %d, %d kB: pages lost every pass"
                            % (k + 1, k + 2, k + 3, free[k], free[k + 1], free[k + 2]))
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "gen":
        gen(int(sys.argv[2]), int(sys.argv[3]))
    elif len(sys.argv) == 4 and sys.argv[1] == "judge":
        sys.exit(judge(sys.argv[2], sys.argv[3]))
    else:
        sys.exit("usage: console_fuzz.py gen SEED COMMANDS | judge INPUT LOG")
