#!/usr/bin/env bash
# Integration check of the 128-bit kernel: numbers across 2^64..2^128 (and a few beyond) factored at
# np 1, 2 and 3 and with every --kernel, compared with GNU factor run one number per call.
# usage: tests/integration/wide.sh BUILD/mpifactor
set -uo pipefail
BIN=$(realpath "${1:-build/mpifactor}")
HERE=$(cd "$(dirname "$0")" && pwd)
MPIRUN="$HERE/../lib/mpirun-local.sh"
WORK=$(mktemp -d /tmp/mf-wide.XXXXXX)
SEED=${MF_TEST_SEED:-$(date +%s)}
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0
echo "wide: seed $SEED (replay with MF_TEST_SEED=$SEED), work dir $WORK"
. "$(dirname "$0")/../lib/harness.sh" # pass, fail, check
mf() { local np=$1; shift; timeout -k 5 300 "$MPIRUN" -q -np "$np" "$BIN" "$@"; }

# Seeded numbers of 65 to 128 bits (and some up to 160) whose trial division ends quickly: primes up to
# 2^24 times one prime up to 2^48 (a tenth beyond 2^128), prime powers, edge numbers.
python3 - "$SEED" "$HERE/../../jobs" > "$WORK/wide.txt" <<'PY'
import os, random, sys
sys.path.insert(0, sys.argv[2])
from gen_numbers import is_prime, random_prime
rng = random.Random(int(sys.argv[1]))
out = [2**64 + 1, 2**64 + 2, 2**65 - 2, 2**128 - 1, 2**128, 3 * 2**100, 10**30, 3**80, 65537**7]
while len(out) < 300:
    kind = rng.random()
    if kind < 0.15:  # a prime power
        p = random_prime(rng, rng.randrange(2, 25))
        n = p
        while n * p < 2**128:
            n *= p
    else:
        n = random_prime(rng, rng.randrange(20, 49))
        lo = 65 if kind < 0.9 else 129
        target = rng.randrange(lo, lo + 64)
        while n.bit_length() < target:
            n *= random_prime(rng, rng.randrange(2, 25))
    out.append(n)
rng.shuffle(out)
print("\n".join(map(str, out)))
PY
xargs -n 1 factor < "$WORK/wide.txt" > "$WORK/wide.expected"
check "generator wrote 300 numbers" test "$(wc -l < "$WORK/wide.txt")" -eq 300
for np in 1 2 3; do
  mf "$np" --stats "$WORK/stats.$np" "$WORK/wide.txt" > "$WORK/out.$np"; rc=$?
  check "2^64..2^128, np=$np: exit 0 and output identical to GNU factor" \
    bash -c "[ $rc -eq 0 ] && cmp '$WORK/wide.expected' '$WORK/out.$np'"
done
check "--stats names the 128-bit kernel" grep -Eq '"kernel128":"(avx512|avx2|scalar)"' "$WORK/stats.1"
for k in scalar plain; do
  mf 2 --kernel "$k" --stats "$WORK/stats.$k" "$WORK/wide.txt" > "$WORK/out.$k"; rc=$?
  check "--kernel $k, np=2: identical to GNU factor, stats say kernel128 $k" \
    bash -c "[ $rc -eq 0 ] && cmp '$WORK/wide.expected' '$WORK/out.$k' && grep -q '\"kernel128\":\"$k\"' '$WORK/stats.$k'"
done
# a prime cofactor above 2^64: every candidate up to its square root (2^31 of them) in the 128-bit kernel
printf '55340232221128654887\n' > "$WORK/prime.txt"   # 3 * (2^64 + 13)
factor 55340232221128654887 > "$WORK/prime.expected"
mf 2 "$WORK/prime.txt" > "$WORK/prime.out"; rc=$?
check "prime cofactor above 2^64 (3 * (2^64 + 13)): identical to GNU factor" \
  bash -c "[ $rc -eq 0 ] && cmp '$WORK/prime.expected' '$WORK/prime.out'"
mf 1 --max-divisor 1000 -f jsonl "$WORK/prime.txt" > "$WORK/prime.jsonl"
check "--max-divisor with a cofactor above 2^64: incomplete, cofactor 2^64 + 13" \
  grep -q '"complete":false,"cofactor":"18446744073709551629"' "$WORK/prime.jsonl"

echo "wide: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
