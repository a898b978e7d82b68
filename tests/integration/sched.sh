#!/usr/bin/env bash
# Scheduling on any CPU: the 2-rank efficiency of hard semiprimes with two or three kernels (a 17x range of cost
# per number), each workload sized to this CPU's measured speed; one hard number shared by both ranks.
# Bounds are loose enough for a shared 2-core machine; `make bench` holds the real goals (bench/sched.sh).
# usage: tests/integration/sched.sh BUILD/mpifactor
set -uo pipefail
BIN=$(realpath "${1:-build/mpifactor}")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MPIRUN="$HERE/../lib/mpirun-local.sh"
WORK=$(mktemp -d /tmp/mf-sched.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0 skipped=0
TARGET_S=${MF_SCHED_TEST_S:-2}   # seconds of compute at np 1 per kernel
MIN_EFF=0.75                      # 2-rank efficiency, best of the pairs kept (CI measured about 0.9)
MAX_SLOW=1.3                      # a pair whose np 2 computed this much slower per candidate is set aside
MAX_PAIRS=4
echo "sched: work dir $WORK, about $TARGET_S s of compute per kernel at np 1"

pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; }
skip() { skipped=$((skipped + 1)); echo "SKIP: $1"; }
mf() { local np=$1; shift; timeout -k 5 300 "$MPIRUN" -q -np "$np" "$BIN" "$@"; }
# stat FILE EXPR: evaluates a Python expression over the --stats JSON s (per_rank as r)
stat() { python3 -c "import json,sys; s=json.load(open(sys.argv[1])); r=s['per_rank']; print($2)" "$1"; }

# The kernels: the CPU's default, the portable scalar one, and avx2 too where auto picks avx512.
printf '4\n' > "$WORK/probe.txt"
mf 1 --stats "$WORK/probe.json" "$WORK/probe.txt" > /dev/null
auto=$(stat "$WORK/probe.json" "s['kernel']")
kernels=(auto scalar)
[ "$auto" = avx512 ] && kernels+=(avx2)
echo "sched: auto selects $auto; kernels: ${kernels[*]}"

for k in "${kernels[@]}"; do
  # measure: 8 semiprimes of two 27-bit primes at np 1, then as many as fill TARGET_S
  python3 "$ROOT/bench/gen.py" semiprime 27 8 --seed 11 -o "$WORK/cal.txt" 2> /dev/null
  mf 1 --kernel "$k" --stats "$WORK/cal.json" "$WORK/cal.txt" > /dev/null
  count=$(stat "$WORK/cal.json" "max(16, min(2000, int($TARGET_S * 8 / max(s['compute_s'], 1e-6))))")
  python3 "$ROOT/bench/gen.py" semiprime 27 "$count" --seed 12 -o "$WORK/semi.txt" 2> /dev/null
  xargs -n 1 factor < "$WORK/semi.txt" > "$WORK/semi.expected"
  # This VM's second vCPU sometimes stops being a full core for seconds at a time (CI once saw both ranks
  # of two pairs compute at half speed: np 2 as slow as np 1). Such a pair measures the VM, not the schedule:
  # its --stats show it (busy seconds per candidate, summed over the ranks, MAX_SLOW times np 1's), so it is
  # set aside and another pair run; the check is skipped only when no pair had two full cores.
  best=0 kept=0 aside=""
  for ((pair = 1; pair <= MAX_PAIRS; pair++)); do
    mf 1 --kernel "$k" --stats "$WORK/np1.json" -o "$WORK/np1.out" "$WORK/semi.txt"; rc1=$?
    mf 2 --kernel "$k" --stats "$WORK/np2.json" -o "$WORK/np2.out" "$WORK/semi.txt"; rc2=$?
    if [ $rc1 -ne 0 ] || [ $rc2 -ne 0 ] || ! cmp -s "$WORK/semi.expected" "$WORK/np1.out" ||
       ! cmp -s "$WORK/semi.expected" "$WORK/np2.out"; then
      best=-1; break
    fi
    eff=$(python3 -c "import json; a=json.load(open('$WORK/np1.json')); b=json.load(open('$WORK/np2.json')); print('%.3f' % (a['wall_s'] / (2 * b['wall_s'])))")
    slow=$(python3 -c "
import json
def ns(f):
    s = json.load(open(f)); return sum(x['busy_s'] for x in s['per_rank']) / max(1, s['candidates'])
print('%.3f' % (ns('$WORK/np2.json') / ns('$WORK/np1.json')))")
    share=$(stat "$WORK/np2.json" "'%.3f' % (min(x['busy_s'] for x in r) / sum(x['busy_s'] for x in r))")
    waste=$(stat "$WORK/np2.json" "'%.4f' % (s['wasted_candidates'] / max(1, s['candidates']))")
    echo "sched: --kernel $k ($(stat "$WORK/np2.json" "s['kernel']")), $count semiprimes, pair $pair: run_s np 1 $(stat "$WORK/np1.json" "s['wall_s']"), np 2 $(stat "$WORK/np2.json" "s['wall_s']"): efficiency $eff, np 2 per-candidate time ${slow}x np 1's, least busy share $share, waste $waste"
    if python3 -c "import sys; sys.exit(not ($slow > $MAX_SLOW))"; then
      aside="$aside $eff"
      echo "sched: pair $pair set aside: np 2's cores computed ${slow}x slower than np 1's (over $MAX_SLOW)"
      continue
    fi
    kept=$((kept + 1))
    best=$(python3 -c "print(max($best, $eff))")
    python3 -c "import sys; sys.exit(not ($eff >= $MIN_EFF))" && break
    [ "$kept" -ge 2 ] && break
  done
  if [ "$best" = -1 ]; then
    fail "--kernel $k, $count semiprimes: np 1 and np 2 exit 0 with output identical to GNU factor"
    continue
  fi
  pass "--kernel $k, $count semiprimes: np 1 and np 2 exit 0 with output identical to GNU factor"
  if [ "$kept" -eq 0 ]; then
    skip "--kernel $k: 2-rank efficiency: in all $MAX_PAIRS pairs np 2's cores computed over ${MAX_SLOW}x slower than np 1's (efficiencies$aside): this machine did not give two full cores"
  elif python3 -c "import sys; sys.exit(not ($best >= $MIN_EFF))"; then
    pass "--kernel $k: 2-rank efficiency $best >= $MIN_EFF (run_s, best of up to two pairs with two full cores)"
  else
    fail "--kernel $k: 2-rank efficiency $best >= $MIN_EFF (run_s, best of up to two pairs with two full cores)"
  fi
  if python3 -c "import sys; sys.exit(not ($share >= 0.4 and $waste <= 0.02))"; then
    pass "--kernel $k: each rank does >= 40% of the busy time ($share), waste <= 2% ($waste)"
  else
    fail "--kernel $k: each rank does >= 40% of the busy time ($share), waste <= 2% ($waste)"
  fi
done

# One hard number at np 2: split on demand (rank 0 has nothing else), both ranks scan ranges of it.
printf '16669120120502208091\n' > "$WORK/one.txt"
factor 16669120120502208091 > "$WORK/one.expected"
for k in auto scalar; do
  mf 2 --kernel "$k" --stats "$WORK/one.json" "$WORK/one.txt" > "$WORK/one.out"; rc=$?
  if [ $rc -eq 0 ] && cmp -s "$WORK/one.expected" "$WORK/one.out" && python3 -c "
import json
s = json.load(open('$WORK/one.json')); r = s['per_rank']; t = sum(x['busy_s'] for x in r)
assert s['numbers_split'] == 1 and s['yields_asked'] >= 1, (s['numbers_split'], s['yields_asked'])
assert min(x['busy_s'] for x in r) >= 0.3 * t, [x['busy_s'] for x in r]
assert s['wasted_candidates'] <= 0.02 * s['candidates'], (s['wasted_candidates'], s['candidates'])
"; then
    pass "one hard number, --kernel $k, np 2: split on demand, each rank >= 30% of the busy time, waste <= 2%"
  else
    fail "one hard number, --kernel $k, np 2: split on demand, each rank >= 30% of the busy time, waste <= 2%"
  fi
done

# Numbers that cost about the same and outnumber the ranks are never split before the tail: with 2 ranks and
# 16 numbers, at most the last two are.
python3 "$ROOT/bench/gen.py" semiprime 27 16 --seed 13 -o "$WORK/few.txt" 2> /dev/null
mf 2 --stats "$WORK/few.json" "$WORK/few.txt" > "$WORK/few.out"
splits=$(stat "$WORK/few.json" "s['numbers_split']")
if [ "$splits" -le 2 ] && xargs -n 1 factor < "$WORK/few.txt" | cmp -s - "$WORK/few.out"; then
  pass "16 semiprimes at np 2: $splits of them split (the tail's at most), output identical"
else
  fail "16 semiprimes at np 2: $splits of them split (want at most 2), output identical"
fi

echo "sched: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
