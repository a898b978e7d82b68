#!/usr/bin/env python3
"""Deterministic, seeded workload generator for `make bench`: writes one decimal integer per line.

Kinds:
  random BITS COUNT      COUNT uniform integers in [0, 2^BITS)
  semiprime BITS COUNT   COUNT products p*q of two primes p, q with exactly BITS bits each
  gmp                    1000! and (product of the first 60 primes) * (2^46 - 21)

The same (kind, parameters, seed) always gives the same file, on any Python 3 version:
only random.Random(seed).getrandbits() is used, whose output is fixed for a given seed.
"""

import argparse
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "jobs"))
from gen_numbers import is_prime, random_prime  # noqa: E402  (the project's one prime generator)

GMP_PRIME_46 = 2**46 - 21  # 70368744177643, prime (checked at generation time)


def random_numbers(rng, bits, count):
    """COUNT integers uniform in [0, 2^bits)."""
    return [rng.getrandbits(bits) for _ in range(count)]


def semiprimes(rng, bits, count):
    """COUNT products of two BITS-bit primes."""
    return [random_prime(rng, bits) * random_prime(rng, bits) for _ in range(count)]


def gmp_numbers():
    """1000! and the 60-prime primorial times the 46-bit prime 2^46 - 21."""
    if not is_prime(GMP_PRIME_46):
        raise AssertionError("2^46-21 is expected to be prime")
    fact = 1
    for i in range(2, 1001):
        fact *= i
    primes = []
    c = 2
    while len(primes) < 60:
        if is_prime(c):
            primes.append(c)
        c += 1
    primorial = 1
    for p in primes:
        primorial *= p
    return [fact, primorial * GMP_PRIME_46]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("kind", choices=("random", "semiprime", "gmp"))
    ap.add_argument("bits", type=int, nargs="?", default=0)
    ap.add_argument("count", type=int, nargs="?", default=0)
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("-o", "--output", default="-", help="output file (default stdout)")
    args = ap.parse_args(argv)

    rng = random.Random(args.seed)
    if args.kind == "random":
        if not 1 <= args.bits <= 64 or args.count < 0:
            ap.error("random needs BITS in 1..64 and COUNT >= 0")
        nums = random_numbers(rng, args.bits, args.count)
    elif args.kind == "semiprime":
        if not 2 <= args.bits <= 64 or args.count < 0:
            ap.error("semiprime needs BITS in 2..64 and COUNT >= 0")
        nums = semiprimes(rng, args.bits, args.count)
    else:
        nums = gmp_numbers()

    text = "".join(f"{n}\n" for n in nums)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        # Write next to the target and rename, so an interrupted run never leaves a short file behind.
        tmp = args.output + ".tmp"
        with open(tmp, "w", encoding="ascii") as f:
            f.write(text)
        os.replace(tmp, args.output)
    print(f"gen: seed {args.seed}: {len(nums)} {args.kind} numbers"
          + (f" ({args.bits} bits)" if args.kind != "gmp" else "")
          + f" -> {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
