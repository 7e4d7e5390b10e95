# alloc_heavy.py - an allocation-heavy Python workload for tests/real/run.sh:
# with PYTHONMALLOC=malloc every object goes through malloc. Four threads
# allocate concurrently (dicts, lists, strings, bytearrays grown and shrunk
# by realloc, a list past 4 MiB); the main thread prints each worker's
# checksum in order, so the output is the same whatever the interleaving.
import hashlib
import sys
import threading

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 3


def worker(seed, out):
    h = hashlib.sha256()
    for r in range(ROUNDS):
        d = {}
        for i in range(20000):
            k = "k%d-%d-%d" % (seed, r, i)
            d[k] = [i, str(i * seed), (i, r)]
        strings = sorted(d)[:: 97]
        h.update("".join(strings).encode())
        big = list(range(600000 + seed * 1000))  # > 4 MiB of pointers
        big.reverse()
        h.update(str(big[:: 50000]).encode())
        del big
        buf = bytearray()
        for i in range(3000):
            buf += bytes([(i * seed) & 255]) * (i % 97 + 1)  # realloc upwards
            if i % 500 == 0:
                del buf[: len(buf) // 2]  # and down
        h.update(bytes(buf))
        blob = bytearray(9 * 1024 * 1024)  # a page run
        blob[::4096] = bytes([seed]) * len(blob[::4096])
        h.update(bytes(blob[::65536]))
        del blob, buf, d
        objs = [tuple(range(i % 17)) for i in range(50000)]
        h.update(repr(objs[-3:]).encode())
    out[seed] = h.hexdigest()


def main():
    out = {}
    threads = [threading.Thread(target=worker, args=(s, out)) for s in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in sorted(out):
        print("worker", s, out[s])
    words = {}
    for i in range(200000):
        w = "w%d" % (i * 7919 % 10007)
        words[w] = words.get(w, 0) + 1
    print("distinct words", len(words), "max", max(words.values()))


main()
