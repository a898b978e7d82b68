#!/usr/bin/env python3
"""Deterministic test inputs for the multi-host test: numbers whose factors trial division and GNU factor both find fast.

usage: numbers.py KIND SEED LIST_OUT INPUT_OUT
  KIND  mixed: ~300 numbers, edge cases, u64 values and bignums above 2^64 and 2^128
        few:   3 numbers (a u64, one above 2^64, one above 2^128)
        seven: 7 numbers
        big:   16 numbers of 3000 to 40000 decimal digits
LIST_OUT gets one number per line (for `xargs -n 1 factor`); INPUT_OUT gets the same numbers
laid out several per line with '#' comments (the mpifactor input format).
Every number is a product of primes below 2^20 times at most one prime below 2^40,
so trial division finishes by 2^20 and GNU factor needs no long Pollard rho runs.
"""
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "jobs"))
from gen_numbers import is_prime  # noqa: E402  (the project's one primality test)

SMALL_LIMIT = 1 << 20
BIG_LIMIT = 1 << 40
U64 = 1 << 64


def sieve(limit):
    """Returns the list of primes below limit."""
    flags = bytearray([1]) * limit
    flags[0:2] = b"\0\0"
    for i in range(2, int(limit ** 0.5) + 1):
        if flags[i]:
            flags[i * i::i] = bytearray(len(range(i * i, limit, i)))
    return [i for i in range(limit) if flags[i]]


def prime_between(rng, lo, hi):
    """Returns a random prime in [lo, hi)."""
    while True:
        n = rng.randrange(lo, hi) | 1
        if is_prime(n):
            return n


class Maker:
    """Builds numbers from a seeded generator."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.primes = sieve(SMALL_LIMIT)
        self.tiny = [p for p in self.primes if p < 1000]
        self.medium = [p for p in self.primes if p >= 1000]

    def factor_pick(self):
        """A prime below 2^20, small ones more often."""
        return self.rng.choice(self.tiny if self.rng.random() < 0.7 else self.medium)

    def below(self, bits, big_cofactor):
        """A product of primes < 2^20 of at most `bits` bits, optionally times one prime < 2^40 that fits."""
        limit = 1 << bits
        n = 1
        if big_cofactor:
            room = min(BIG_LIMIT, limit >> 1)
            if room > SMALL_LIMIT:
                n = prime_between(self.rng, SMALL_LIMIT, room)
        for _ in range(200):
            p = self.factor_pick()
            if n * p >= limit:
                if p in self.tiny:
                    break
                continue
            n *= p
            if self.rng.random() < 0.15 and n * p * p < limit:
                n *= p * p
        return n

    def above(self, bits, big_cofactor):
        """A product of primes < 2^20 of at least `bits` bits, optionally times one prime < 2^40."""
        n = prime_between(self.rng, SMALL_LIMIT, BIG_LIMIT) if big_cofactor else 1
        while n.bit_length() < bits:
            p = self.factor_pick()
            n *= p ** self.rng.choice((1, 1, 1, 2, 3))
        return n

    def mixed(self):
        """~300 numbers: edge cases, u64 values, bignums just above 2^64 and far above 2^128."""
        nums = list(range(0, 13)) + [97, 65536, 65537, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 15,
                                     2 ** 63, U64 - 2, U64 - 1, U64, U64 + 1, U64 + 2,
                                     2 ** 128 - 1, 2 ** 128, 3 ** 100, 2 ** 200 * 1000003,
                                     (U64 - 1) * (U64 + 1)]
        for _ in range(130):
            nums.append(self.below(self.rng.randrange(8, 65), self.rng.random() < 0.5))
        for _ in range(40):
            nums.append(self.above(self.rng.randrange(65, 129), self.rng.random() < 0.5))
        for _ in range(100):
            nums.append(self.above(self.rng.randrange(129, 600), self.rng.random() < 0.6))
        self.rng.shuffle(nums)
        return nums

    def few(self):
        """3 numbers: a u64, one above 2^64, one above 2^128."""
        return [self.below(64, True), self.above(80, True), self.above(200, True)]

    def seven(self):
        """7 numbers of mixed sizes."""
        return [self.below(40, True), self.below(64, False), 1, self.above(70, True),
                self.above(300, False), self.below(20, False), self.above(140, True)]

    def big(self):
        """16 numbers of 3000 to 40000 decimal digits: many primes < 5000 times a 40-bit prime."""
        small = [p for p in self.primes if p < 5000]
        nums = []
        for digits in (3000, 6000, 12000, 40000) * 4:
            bits = int(digits / 0.30103) + 1
            n = prime_between(self.rng, 1 << 39, BIG_LIMIT)
            while n.bit_length() < bits:
                n *= self.rng.choice(small)
            nums.append(n)
        self.rng.shuffle(nums)
        return nums


def write_input(path, nums, rng):
    """Writes nums several per line, with comment lines and trailing comments."""
    with open(path, "w", encoding="ascii") as out:
        out.write("# multihost test input\n")
        i = 0
        while i < len(nums):
            k = rng.randrange(1, 5)
            out.write(" ".join(str(n) for n in nums[i:i + k]))
            out.write("  # a comment\n" if rng.random() < 0.2 else "\n")
            if rng.random() < 0.1:
                out.write("\n# blank line above\n")
            i += k


def main(argv):
    """Entry point; see the module docstring."""
    if len(argv) != 5 or argv[1] not in ("mixed", "few", "seven", "big"):
        sys.stderr.write(__doc__)
        return 2
    sys.set_int_max_str_digits(0)
    kind, seed, list_out, input_out = argv[1], int(argv[2]), argv[3], argv[4]
    maker = Maker(seed)
    nums = getattr(maker, kind)()
    with open(list_out, "w", encoding="ascii") as out:
        out.writelines(f"{n}\n" for n in nums)
    write_input(input_out, nums, maker.rng)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
