#!/usr/bin/env python3
"""combos.py - every self-test under random combinations of boot settings.

  combos.py [--seed N] [--count N] [--kernel ELF]
            [--machine virt|sifive_u|microchip-icicle-kit] [--dtb FILE] [--logdir DIR]

Each run boots the kernel on QEMU with one to five boot parameters drawn
from the table below (allocator models, kmalloc's heap classes, slab_debug
flags, page_owner, page grouping, KFENCE, a ZONE_DMA, mem=, fewer harts,
the reap interval, fault injection, the console: quiet, memtest=,
console=), a random RAM size and hart count, and `ktest=all`; the
run passes when its closing line reports no failure. A failing run's
command and console log are kept as DIR/combo-SEED-I.log. One line per run,
then "combos: P passed, F failed"; the exit status is 1 if any failed. The
same seed gives the same runs, so a failure reproduces: its line is the
QEMU command.

What it found, and how to use it: docs/reliability.md, "Settings combined".
"""
import argparse
import os
import random
import subprocess
import sys
import threading

# Each entry draws one parameter; a run takes one to five distinct entries.
SETTINGS = [
    lambda r: r.choice(["kmalloc=slab", "kmalloc=slob"]),
    lambda r: r.choice(["slab=slab", "slab=slob"]),
    lambda r: r.choice(["slob=segfit", "slob=classic"]),
    lambda r: r.choice(["kmalloc_heap=off", "kmalloc_heap=on", "kmalloc_heap=compact",
                        "kmalloc_heap=0x%x" % r.getrandbits(35)]),
    lambda r: r.choice(["slab_debug", "slab_debug=F", "slab_debug=Z", "slab_debug=P",
                        "slab_debug=U", "slab_debug=FZPU", "slab_debug=Z,kmalloc-64,kmalloc-128"]),
    lambda r: "page_owner=on",
    lambda r: "page_grouping=off",
    lambda r: r.choice(["kfence.sample_interval=1", "kfence.sample_interval=100"]),
    lambda r: r.choice(["zone_dma_limit=0x84000000", "zone_dma_limit=0x88000000",
                        "zone_dma_limit=0x90000000"]),
    lambda r: r.choice(["mem=64M", "mem=100M", "mem=200M"]),
    lambda r: r.choice(["maxcpus=1", "maxcpus=2", "nr_cpus=3", "nosmp"]),
    lambda r: r.choice(["slab_reap=0", "slab_reap=1", "slab_reap=50"]),
    lambda r: r.choice(["fail_page_alloc=10%", "failslab=10%", "fail_page_alloc=5% failslab=5%"]),
    lambda r: r.choice(["quiet", "memtest=1", "memtest=2", "console=hvc0", "console=ttyS0 quiet"]),
    lambda r: r.choice(["init_on_alloc=1", "init_on_free=1", "init_on_alloc=1 init_on_free=1"]),
]
# Drawn from a stream of their own (extra), so that a seed's draws above
# stay what they were before these were added: a default contiguous area.
EXTRA = [
    (0.3, lambda r: r.choice(["cma=8M", "cma=16M"])),
]
RAM = ["100M", "130M", "256M", "700M", "3G", "4097M", "5G"]


ICICLE = "microchip-icicle-kit"


def qemu_command(r, extra, args):
    if args.machine == ICICLE:  # its own OpenSBI; the console is its second UART
        smp, mem = 5, r.choice(["2G", "4G"])
    elif args.dtb:  # a board's tree: its harts and RAM
        smp, mem = 5, "8G"
    elif args.machine == "sifive_u":
        smp, mem = r.choice([2, 3, 4, 5]), r.choice(RAM)
    else:
        smp, mem = r.choice([1, 2, 3, 4, 6, 8]), r.choice(RAM)
    params = [draw(r) for draw in r.sample(SETTINGS, r.randint(1, 5))]
    params += [draw(extra) for chance, draw in EXTRA if extra.random() < chance]
    cmd = ["qemu-system-riscv64", "-M", args.machine, "-nographic", "-no-reboot",
           "-smp", str(smp), "-m", mem]
    cmd += ["-serial", "null", "-serial", "mon:stdio"] if args.machine == ICICLE else ["-bios", "default"]
    if args.dtb:
        cmd += ["-dtb", args.dtb]
    return cmd + ["-kernel", args.kernel, "-append", " ".join(params + ["ktest=all"])]


def run_to_closing_line(cmd, limit=300):
    """QEMU's console log; a machine whose power off QEMU ignores (the
    Unmatched's gpio-poweroff, a halt) is ended 3 s after the closing line."""
    try:
        q = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
    except OSError as e:
        sys.exit("combos: cannot run %s: %s" % (cmd[0], e))
    timer = threading.Timer(limit, q.kill)
    timer.start()
    lines = []
    for raw in q.stdout:
        line = raw.decode(errors="replace").replace("\r", "")
        lines.append(line)
        if closing_line(line):
            timer.cancel()
            timer = threading.Timer(3, q.kill)
            timer.start()
    q.wait()
    timer.cancel()
    return "".join(lines)


def closing_line(log):
    lines = [l.strip() for l in log.splitlines()
             if l.startswith("ktest: ") and " passed, " in l]
    return lines[-1] if lines else None


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--count", type=int, default=20)
    p.add_argument("--kernel", default="build/rvmm.elf")
    p.add_argument("--machine", default="virt", choices=["virt", "sifive_u", ICICLE])
    p.add_argument("--dtb", help="a board's tree (%s: build/dtb/boards/mpfs-icicle-kit.dtb)" % ICICLE)
    p.add_argument("--logdir", default="build/combos")
    args = p.parse_args()
    os.makedirs(args.logdir, exist_ok=True)
    r = random.Random(args.seed)
    extra = random.Random(args.seed * 7919 + 17)
    failed = 0
    for i in range(args.count):
        cmd = qemu_command(r, extra, args)
        log = run_to_closing_line(cmd)
        last = closing_line(log)
        ok = last is not None and last.endswith(" 0 failed")
        shown = " ".join(a if " " not in a else "'%s'" % a for a in cmd)
        print("%s %s  # %s" % ("ok  " if ok else "FAIL", shown, last or "no closing line"),
              flush=True)
        if not ok:
            failed += 1
            with open(os.path.join(args.logdir, "combo-%d-%d.log" % (args.seed, i)), "w") as f:
                f.write(shown + "\n" + log)
    print("combos: %d passed, %d failed" % (args.count - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
