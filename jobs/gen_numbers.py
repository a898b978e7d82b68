#!/usr/bin/env python3
"""Writes a deterministic, seeded list of integers to factorize (one per line) for jobs and tests.

  python3 jobs/gen_numbers.py --count N --bits B [--kind semiprime|random|smooth|sequence] [--seed S] [--skip K]

semiprime: p*q with p, q random primes of B//2 and B-B//2 bits (top bit set): the hardest case for
           trial division, cost set by the smaller prime (about 2**(B//2 - 1) candidates each).
random:    uniform integers in [2, 2**B) (beware: one with a large prime factor takes trial division long).
smooth:    products of random primes of 2 to 20 bits with at least B bits: B > 64 gives big numbers that
           trial division still finishes quickly.
sequence:  0, 1, 2, ... (bits and seed ignored): coreutils' test range t00 is the first 10,000,001; mostly
           cheap numbers, so the master's rate of handing out and writing decides.
The same (kind, bits, seed) always gives the same stream; --count N prints its first N numbers after
skipping K, so a longer list extends a shorter one (weak scaling inputs nest).
Only random.getrandbits is used: its stream is stable across Python versions.
"""
import argparse
import random
import sys

SMALL_PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41)


def is_prime(n):
    """Miller-Rabin with the first 13 primes as bases: exact for n < 3.3e24, which covers every
    prime this script draws for --bits up to 160."""
    if n < 2:
        return False
    for p in SMALL_PRIMES:
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for a in SMALL_PRIMES:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def random_prime(rng, bits):
    """A prime with exactly `bits` bits (bits >= 2): draws odd numbers with the top bit set."""
    while True:
        c = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
        if bits == 2:
            c = 3 if c & 2 else 2
        if is_prime(c):
            return c


def numbers(kind, bits, seed):
    rng = random.Random(seed)
    while True:
        if kind == "semiprime":
            yield random_prime(rng, bits // 2) * random_prime(rng, bits - bits // 2)
        elif kind == "smooth":
            n = 1
            while n.bit_length() < bits:
                n *= random_prime(rng, 2 + rng.getrandbits(5) % 19)
            yield n
        else:
            n = rng.getrandbits(bits)
            if n >= 2:
                yield n


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--bits", type=int, required=True)
    ap.add_argument("--kind", choices=("semiprime", "random", "smooth", "sequence"), default="semiprime")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip", type=int, default=0)
    a = ap.parse_args()
    if a.count < 0 or a.skip < 0 or a.bits < (4 if a.kind == "semiprime" else 2) or a.bits > 160:
        ap.error("need --count >= 0, --skip >= 0 and 4 <= --bits <= 160 (2 for random)")
    out = sys.stdout
    if a.kind == "sequence":
        for start in range(a.skip, a.skip + a.count, 65536):
            out.write("".join(f"{n}\n" for n in range(start, min(start + 65536, a.skip + a.count))))
        return
    for i, n in enumerate(numbers(a.kind, a.bits, a.seed)):
        if i >= a.skip + a.count:
            break
        if i >= a.skip:
            out.write(f"{n}\n")


if __name__ == "__main__":
    main()
