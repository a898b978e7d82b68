#!/usr/bin/env python3
"""Writes a seeded mixed workload for the integration tests: one integer per line.

usage: gen_numbers.py KIND COUNT SEED
  mixed      small, 64-bit edge, medium and >64-bit numbers (all factor quickly by trial division)
  semiprime  products of two 27-bit primes (slow enough to interrupt a run)
"""
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "jobs"))
from gen_numbers import is_prime, random_prime  # noqa: E402  (the project's one prime generator)


def mixed(rng, count):
    edges = [0, 1, 2, 3, 4, 97, 1000000007, 4294967291, 4294967296, 2**64 - 1, 2**64, 2**64 + 1,
             2**63, 3**40, 2**128, 600851475143]
    out = list(edges)
    small_primes = [p for p in range(2, 1000) if is_prime(p)]
    while len(out) < count:
        r = rng.random()
        if r < 0.70:
            out.append(rng.randrange(0, 1 << 36))
        elif r < 0.85:
            out.append(rng.randrange(1 << 36, 1 << 46))
        else:  # beyond 64 bits: small primes times a cofactor below 2^40
            n = rng.randrange(2, 1 << 40)
            while n < 1 << 70:
                n *= rng.choice(small_primes)
            out.append(n)
    rng.shuffle(out)
    return out


def semiprime(rng, count):
    return [random_prime(rng, 27) * random_prime(rng, 27) for _ in range(count)]


def main():
    kind, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    numbers = {"mixed": mixed, "semiprime": semiprime}[kind](rng, count)
    sys.stdout.write("".join(f"{n}\n" for n in numbers))


if __name__ == "__main__":
    main()
