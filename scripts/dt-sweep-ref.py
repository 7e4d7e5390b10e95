#!/usr/bin/env python3
"""dt-sweep-ref.py - an independent reading of a DTB's memory map, for
scripts/dt-sweep.sh to compare with what build/rvmm-dt prints.

    dt-sweep-ref.py FILE.dtb             the reading on stdout
    dt-sweep-ref.py -o FILE.dtb...       each into FILE.ref (FILE.ref.err if
                                         it cannot be read)

It shares no code with drivers/: it parses the blob itself, following the
devicetree specification and the rules docs/devicetree.md gives for rvmm:

  RAM       reg of every root child with device_type "memory" and status
            okay (absent, "okay" or "ok"), decoded with the root's
            #address-cells/#size-cells (defaults 2/1); zero-size entries
            dropped; ranges that overlap or touch joined; with a mem=SIZE
            among /chosen's bootargs, only the lowest SIZE bytes of them
            (Linux's and rvmm's mem=).
  reserved  every mem-reserve entry of non-zero size ("memreserve"), and
            each reg entry of non-zero size of every okay child of
            /reserved-memory, decoded with that node's cells, named after
            the child (cut to 39 characters), " (no-map)" when it has no-map.

  pages     the whole 4 KiB pages of RAM below 4 GiB (rvmm's ZONE_DMA and
            ZONE_DMA32) and from 4 to 256 GiB (ZONE_NORMAL; the direct map
            ends at 256 GiB).

  dynamic   each okay child of /reserved-memory with size and no reg,
            placed as docs/devicetree.md ("Dynamic reservations") says and
            Linux's __reserved_mem_alloc_size does: in tree order, after
            the static ranges and the kernel, dtb and initrd (their places
            are what rvmm-dt assumed: read from its output, FILE.out, or
            given with --own FILE.out), top-down, aligned (alignment,
            default 64 bytes; a shared-dma-pool with reusable and without
            no-map at least 2 MiB), in the first alloc-ranges entry that
            has room, only in whole pages of RAM that no no-map range
            touches; named " (dynamic[, no-map][, reusable])". Not placed
            (a note) when rvmm-dt placed no kernel (it refused the tree
            first).

It prints them as rvmm-dt's "Early memory node ranges" and "Reserved
memory:" lines: RAM in order, the reserved lines sorted (the comparison is
of sets: rvmm-dt interleaves the dtb, kernel and initrd lines); then
"pages: below 4 GiB N, 4 to 256 GiB M"; then one "note:" line per thing
rvmm does not read the same way by design:
  note: dynamic NAME: WHY  a dynamic node not placed, and why (its
                           properties refused, or no room)
  note: no-reg NAME        a /reserved-memory child with neither
Exit status 0; 2 when a file is not a blob this reader can walk.
"""
import struct
import sys

FDT_MAGIC = 0xD00DFEED
BEGIN_NODE, END_NODE, PROP, NOP, END = 1, 2, 3, 4, 9
NAME_MAX = 39  # rvmm's DT_NAME_LEN - 1


class Node:
    def __init__(self, name):
        self.name = name
        self.props = {}
        self.children = []

    def child(self, name):
        """The child named exactly @name, else the first named @name@unit."""
        for c in self.children:
            if c.name == name:
                return c
        for c in self.children:
            if c.name.split("@", 1)[0] == name and "@" in c.name:
                return c
        return None

    def u32(self, prop, default):
        v = self.props.get(prop)
        if v is None:
            return default
        if len(v) != 4:
            raise ValueError("%s/%s is %d bytes" % (self.name, prop, len(v)))
        return struct.unpack(">I", v)[0]

    def string_is(self, prop, want):
        return self.props.get(prop) == want.encode() + b"\0"

    def okay(self):
        s = self.props.get("status")
        if s is None:
            return True
        s = s.split(b"\0", 1)[0]
        return s in (b"okay", b"ok")


def parse(blob):
    """(root Node, [(address, size)] of the mem-reserve map)."""
    magic, total, off_struct, off_strings, off_rsv, version = struct.unpack(">6I", blob[:24])
    if magic != FDT_MAGIC:
        raise ValueError("bad magic")
    rsv = []
    pos = off_rsv
    while True:
        a, s = struct.unpack(">QQ", blob[pos:pos + 16])
        pos += 16
        if a == 0 and s == 0:
            break
        rsv.append((a, s))
    stack, root, pos = [], None, off_struct
    while True:
        (tok,) = struct.unpack(">I", blob[pos:pos + 4])
        pos += 4
        if tok == BEGIN_NODE:
            end = blob.index(b"\0", pos)
            node = Node(blob[pos:end].decode("latin-1"))
            pos = (end + 1 + 3) & ~3
            if stack:
                stack[-1].children.append(node)
            else:
                root = node
            stack.append(node)
        elif tok == END_NODE:
            stack.pop()
        elif tok == PROP:
            length, nameoff = struct.unpack(">II", blob[pos:pos + 8])
            pos += 8
            nstart = off_strings + nameoff
            name = blob[nstart:blob.index(b"\0", nstart)].decode("latin-1")
            stack[-1].props.setdefault(name, blob[pos:pos + length])
            pos = (pos + length + 3) & ~3
        elif tok == NOP:
            pass
        elif tok == END:
            return root, rsv
        else:
            raise ValueError("bad token %d" % tok)


def cells_value(b):
    v = 0
    for i in range(0, len(b), 4):
        v = v << 32 | struct.unpack(">I", b[i:i + 4])[0]
    return v


def reg_entries(node, ac, sc):
    reg = node.props.get("reg", b"")
    step = 4 * (ac + sc)
    for i in range(0, len(reg) - step + 1, step):
        yield cells_value(reg[i:i + 4 * ac]), cells_value(reg[i + 4 * ac:i + step])


def join(ranges):
    out = []
    for base, end in sorted(ranges):
        if out and base <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([base, end])
    return out


def whole_pages(ranges, lo, hi):
    """The 4 KiB pages of @ranges (joined) that lie wholly in [lo, hi)."""
    n = 0
    for base, end in ranges:
        first, last = max(base, lo), min(end, hi)
        first, last = (first + 4095) // 4096, last // 4096
        n += max(0, last - first)
    return n


def mem(base, end):
    return "[mem 0x%016x-0x%016x]" % (base, end - 1)


def mem_limit(root):
    """The bytes a mem=SIZE among /chosen's bootargs keeps (the last one
    wins, as in Linux; SIZE decimal or 0x hex with K, M or G, rounded down
    to a page), or None."""
    chosen = root.child("chosen")
    args = chosen.props.get("bootargs", b"") if chosen is not None else b""
    limit = None
    for word in args.split(b"\0", 1)[0].decode("latin-1").split():
        if not word.startswith("mem="):
            continue
        v = word[4:]
        shift = {"k": 10, "m": 20, "g": 30}.get(v[-1:].lower(), 0)
        try:
            n = int(v[:-1] if shift else v, 0) << shift
        except ValueError:
            continue
        if n >= 4096:
            limit = n & ~4095
    return limit


def cut_to(ram, limit):
    """@ram (joined) less everything above its lowest @limit bytes."""
    out = []
    for base, end in ram:
        if limit <= 0:
            break
        out.append([base, min(end, base + limit)])
        limit -= out[-1][1] - base
    return out


PAGE = 4096
DYNAMIC_ALIGN = 64          # Linux's SMP_CACHE_BYTES on RISC-V
CMA_ALIGN = 2 << 20         # CMA_MIN_ALIGNMENT_BYTES: one pageblock


def own_ranges(out_path, totalsize):
    """rvmm-dt's own ranges (kernel, dtb, initrd) from its output @out_path:
    (list of (base, end), whether it placed a kernel)."""
    own, kernel = [], False
    try:
        with open(out_path) as fh:
            lines = fh.read().splitlines()
    except OSError:
        return own, False
    for line in lines:
        w = line.split()
        if line.startswith("kernel: [mem ") or line.startswith("initrd: [mem "):
            a, b = w[2].rstrip("],").split("-")
            own.append((int(a, 16), int(b, 16) + 1))
            kernel = kernel or line.startswith("kernel:")
        elif line.startswith("dtb: at ") and w[2].rstrip(",") not in ("an",):
            a = int(w[2].rstrip(","), 0)
            if a or "at 0," in line:
                own.append((a, a + totalsize))
    return own, kernel


def subtract(ranges, cut):
    """@ranges (sorted, disjoint) less every range of @cut."""
    out = []
    for b, e in ranges:
        pieces = [(b, e)]
        for cb, ce in cut:
            nxt = []
            for pb, pe in pieces:
                if ce <= pb or cb >= pe:
                    nxt.append((pb, pe))
                    continue
                if pb < cb:
                    nxt.append((pb, cb))
                if ce < pe:
                    nxt.append((ce, pe))
            pieces = nxt
        out += pieces
    return sorted(out)


def mappable(ram, nomap, pa):
    """Is the page holding @pa wholly RAM, with no no-map byte?"""
    ps = pa - pa % PAGE
    if not any(b <= ps and ps + PAGE <= e for b, e in ram):
        return False
    return not any(b < ps + PAGE and e > ps for b, e in nomap)


def place(ram, taken, nomap, size, align, lo, hi):
    """The highest @align-aligned base of @size free bytes within [lo, hi),
    or None: free is RAM less @taken, its first and last page dropped where
    they are not mappable."""
    best = None
    for b, e in subtract(ram, taken):
        if not mappable(ram, nomap, b):
            b = b - b % PAGE + PAGE
        if e > b and not mappable(ram, nomap, e - 1):
            e = (e - 1) - (e - 1) % PAGE
        b, e = max(b, lo), min(e, hi)
        if e <= b or e - b < size:
            continue
        cand = (e - size) // align * align
        if cand >= b and cand != 0:
            best = cand
    return best


def dynamic_node(c, ac, sc):
    """(size, align, [(start, size)] alloc-ranges) of dynamic node @c, or
    the reason it is skipped."""
    size = c.props["size"]
    if len(size) != 4 * sc:
        return "size is %d bytes" % len(size)
    size = cells_value(size)
    if size == 0:
        return "size 0"
    align = 0
    if "alignment" in c.props:
        a = c.props["alignment"]
        if len(a) != 4 * ac:
            return "alignment is %d bytes" % len(a)
        align = cells_value(a)
    if align & (align - 1):
        return "alignment not a power of two"
    align = align or DYNAMIC_ALIGN
    compat = c.props.get("compatible", b"").split(b"\0")
    if b"shared-dma-pool" in compat and "reusable" in c.props and "no-map" not in c.props:
        align = max(align, CMA_ALIGN)
    ranges = []
    if "alloc-ranges" in c.props:
        ar, step = c.props["alloc-ranges"], 4 * (ac + sc)
        if len(ar) == 0 or len(ar) % step:
            return "alloc-ranges not whole entries"
        for i in range(0, len(ar), step):
            b, n = cells_value(ar[i:i + 4 * ac]), cells_value(ar[i + 4 * ac:i + step])
            if n and b + n > 1 << 64:
                return "alloc-ranges entry wraps"
            ranges.append((b, n))
    return size, align, ranges


def flags_label(dynamic, nomap, reusable):
    f = [w for w, on in (("dynamic", dynamic), ("no-map", nomap), ("reusable", reusable)) if on]
    return " (%s)" % ", ".join(f) if f else ""


def reading(path, out_path=None):
    """The lines printed for the blob at @path; ValueError if unreadable.
    @out_path: rvmm-dt's output for it (default: beside it, NAME.out)."""
    try:
        with open(path, "rb") as fh:
            blob = fh.read()
        root, rsv = parse(blob)
        ac, sc = root.u32("#address-cells", 2), root.u32("#size-cells", 1)
    except (struct.error, IndexError) as e:
        raise ValueError(str(e))
    ram = []
    for c in root.children:
        if c.string_is("device_type", "memory") and c.okay():
            ram += [(b, b + s) for b, s in reg_entries(c, ac, sc) if s]
    limit = mem_limit(root)
    if limit is not None:
        ram = [tuple(r) for r in cut_to(join(ram), limit)]
    reserved, notes, dynamic, nomap = [], [], [], []
    reserved += [(a, a + s, "memreserve") for a, s in rsv if s]
    resmem = root.child("reserved-memory")
    if resmem is not None:
        rac, rsc = resmem.u32("#address-cells", 2), resmem.u32("#size-cells", 1)
        for c in resmem.children:
            if not c.okay():
                continue
            if "reg" not in c.props:
                if "size" in c.props:
                    dynamic.append(c)
                else:
                    notes.append("no-reg " + c.name)
                continue
            name = c.name[:NAME_MAX] + flags_label(False, "no-map" in c.props, "reusable" in c.props)
            regs = [(b, b + s) for b, s in reg_entries(c, rac, rsc) if s]
            reserved += [(b, e, name) for b, e in regs]
            if "no-map" in c.props:
                nomap += regs
    if dynamic:
        joined = [tuple(r) for r in join(ram)]
        own, kernel = own_ranges(out_path or path[:-4] + ".out", len(blob))
        taken = [(b, e) for b, e, _ in reserved] + own
        for c in dynamic:
            node = dynamic_node(c, ac, sc) if kernel else "rvmm-dt placed no kernel"
            if isinstance(node, str):
                notes.append("dynamic %s: %s" % (c.name, node))
                continue
            size, align, ranges = node
            tries = [(0, 1 << 64)] if not ranges else [
                (b, b + n) for b, n in ranges if n and any(rb < b + n and b < re for rb, re in joined)]
            base = None
            for lo, hi in tries:
                base = place(joined, taken, nomap, size, align, lo, hi)
                if base is not None:
                    break
            if base is None:
                notes.append("dynamic %s: no room" % c.name)
                continue
            taken.append((base, base + size))
            if "no-map" in c.props:
                nomap.append((base, base + size))
            reserved.append((base, base + size, c.name[:NAME_MAX] +
                             flags_label(True, "no-map" in c.props, "reusable" in c.props)))
    lines = ["Early memory node ranges"]
    lines += ["  node   0: " + mem(base, end) for base, end in join(ram)]
    lines += ["Reserved memory:"]
    lines += sorted("  %s %s" % (mem(b, e), n) for b, e, n in reserved)
    ram = join(ram)
    lines += ["pages: below 4 GiB %d, 4 to 256 GiB %d" %
              (whole_pages(ram, 0, 1 << 32), whole_pages(ram, 1 << 32, 1 << 38))]
    lines += ["note: " + n for n in notes]
    return lines


def main():
    args = sys.argv[1:]
    to_files = args[:1] == ["-o"]
    if to_files:
        args = args[1:]
    if not args or (not to_files and len(args) != 1):
        sys.exit("usage: dt-sweep-ref.py FILE.dtb | dt-sweep-ref.py -o FILE.dtb...")
    status = 0
    for path in args:
        base = path[:-4] if path.endswith(".dtb") else path
        try:
            text = "".join(line + "\n" for line in reading(path))
        except ValueError as e:
            status = 2
            if not to_files:
                print("dt-sweep-ref: %s: %s" % (path, e), file=sys.stderr)
            else:
                with open(base + ".ref.err", "w") as fh:
                    fh.write("%s\n" % e)
            continue
        if to_files:
            with open(base + ".ref", "w") as fh:
                fh.write(text)
        else:
            sys.stdout.write(text)
    sys.exit(status)


if __name__ == "__main__":
    main()
