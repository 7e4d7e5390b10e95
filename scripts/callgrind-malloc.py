#!/usr/bin/python3
"""callgrind-malloc.py - the allocator's share of a callgrind profile.

    scripts/callgrind-malloc.py CALLGRIND_OUT [SLOW_FUNCTION ...]

Reads a callgrind output file (--tool=callgrind, the default Ir event) and
prints one line of key=value pairs:

  allocs     calls of malloc, calloc, realloc, memalign, aligned_alloc,
             posix_memalign, valloc, pvalloc made from outside the allocator
  alloc_ir   their inclusive instructions (everything they ran, callees too)
  frees      calls of free from outside the allocator
  free_ir    its inclusive instructions
  slow_ir    inclusive instructions of the calls into SLOW_FUNCTIONs (the
             slab slow path) from functions that are not themselves slow
  setup_ir   inclusive instructions of the calls of heap_setup (the rvmm
             heap's one-time bring-up inside the first allocation; 0 for
             glibc): part of alloc_ir
  total_ir   the whole program's instructions

The entry points are those of libc.so.6 (glibc's malloc) or of
librvmm-malloc.so, whichever the process called. A call counts when its
caller is not itself an entry point (realloc calling free counts once, as
realloc), so every instruction of the allocator is counted once. Calls are
callgrind's exact call counts (calls= lines); inclusive costs are the cost
lines that follow them.
"""
import os
import re
import sys

ALLOC = {"malloc", "calloc", "realloc", "memalign", "aligned_alloc", "posix_memalign",
         "valloc", "pvalloc"}
ALIASES = {"__libc_malloc": "malloc", "__libc_calloc": "calloc", "__libc_realloc": "realloc",
           "__libc_free": "free", "cfree": "free", "__libc_memalign": "memalign",
           "__posix_memalign": "posix_memalign", "__libc_valloc": "valloc",
           "__libc_pvalloc": "pvalloc"}
OBJECTS = ("libc.so.6", "librvmm-malloc.so")


def entry_name(ob, fn):
    """The API name if (object, function) is an allocator entry point."""
    if not ob or os.path.basename(ob) not in OBJECTS:
        return None
    name = ALIASES.get(fn, fn)
    return name if name in ALLOC or name == "free" else None


def main():
    path, slow = sys.argv[1], set(sys.argv[2:])
    names = {"ob": {}, "fn": {}}
    cur = {"ob": None, "fn": None}
    callee = {"ob": None, "fn": None}
    calls = None
    total = 0
    stats = {"allocs": 0, "alloc_ir": 0, "frees": 0, "free_ir": 0, "slow_ir": 0, "setup_ir": 0}
    spec = re.compile(r"^(c?)(ob|fn|fl|fi|fe)=(?:\((\d+)\))?\s*(.*)$")
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            m = spec.match(line)
            if m:
                is_callee, kind, ident, name = m.groups()
                if kind in ("ob", "fn"):
                    table = names[kind]
                    if ident is not None:
                        if name:
                            table[ident] = name
                        name = table.get(ident, name)
                    if is_callee:
                        callee[kind] = name
                    else:
                        cur[kind] = name
                        if kind == "fn":
                            callee = {"ob": None, "fn": None}
                continue
            if line.startswith("calls="):
                calls = int(line[6:].split()[0])
                continue
            if line.startswith("summary:") or line.startswith("totals:"):
                total = int(line.split()[1])
                continue
            if not line or not (line[0].isdigit() or line[0] in "+-*"):
                continue
            parts = line.split()
            cost = int(parts[1]) if len(parts) > 1 else 0
            if calls is None:
                continue  # self cost: not needed
            target_ob = callee["ob"] or cur["ob"]
            target = entry_name(target_ob, callee["fn"])
            caller = entry_name(cur["ob"], cur["fn"])
            if target and not caller:
                if target == "free":
                    stats["frees"] += calls
                    stats["free_ir"] += cost
                else:
                    stats["allocs"] += calls
                    stats["alloc_ir"] += cost
            if callee["fn"] == "heap_setup":
                stats["setup_ir"] += cost
            if callee["fn"] in slow and cur["fn"] not in slow:
                stats["slow_ir"] += cost
            calls = None
            callee = {"ob": None, "fn": None}
    stats["total_ir"] = total
    print(" ".join("%s=%d" % kv for kv in stats.items()))


if __name__ == "__main__":
    main()
