# bytearrays.py - buffers of 1 KiB to 16 MiB (log-uniform), each a new
# bytearray (zeroed whole) with one byte a page written, replacing one of 64
# kept at random: a program that takes and frees big blocks of many sizes.
# Prints the bytes taken in all. (tests/real/realbench-smoke.sh counts its
# page faults against glibc's.)
import random
import sys

random.seed(5)
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 1500
keep = [None] * 64
total = 0
for _ in range(rounds):
    n = int(2 ** random.uniform(10, 24))
    b = bytearray(n)
    b[::4096] = b'\x01' * len(b[::4096])
    keep[random.randrange(64)] = b
    total += n
print(total)
