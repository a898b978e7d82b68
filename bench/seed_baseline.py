#!/usr/bin/env python3
"""The classic Python seed program that `make bench` compares mpifactor with (issue 3, target 4).

Usage: seed_baseline.py [WORKERS [FILE]]   (WORKERS default 2; FILE default standard input)

Naive trial division (2, then every odd p, stop when p*p > n) in a
concurrent.futures.ProcessPoolExecutor(max_workers=WORKERS) through executor.map, results
collected into a dict, printed as "n: p1 p2 ..." lines in input order (GNU factor's format).
Deliberately left as people first write it: no chunksize, no numpy, no cleverness.
"""

import concurrent.futures
import sys


def factorize_naive(n):
    """Prime factors of n (ascending, with multiplicity) by trial division; [] for n < 2."""
    factors = []
    if n < 2:
        return factors
    while n % 2 == 0:
        factors.append(2)
        n //= 2
    p = 3
    while p * p <= n:
        while n % p == 0:
            factors.append(p)
            n //= p
        p += 2
    if n > 1:
        factors.append(n)
    return factors


def main(argv):
    workers = int(argv[0]) if argv else 2
    if len(argv) > 1 and argv[1] != "-":
        with open(argv[1], encoding="ascii") as f:
            nums = [int(tok) for tok in f.read().split()]
    else:
        nums = [int(tok) for tok in sys.stdin.read().split()]

    results = {}
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as executor:
        for n, factors in zip(nums, executor.map(factorize_naive, nums)):
            results[n] = factors

    out = []
    for n in nums:
        out.append(f"{n}:" + "".join(f" {p}" for p in results[n]) + "\n")
    sys.stdout.write("".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
