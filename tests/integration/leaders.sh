#!/usr/bin/env bash
# Integration tests of node leaders (the second level of distribution) on one machine: each rank runs under a host
# name of its own node (tests/lib/fake-node.sh), so rank 0 serves its node's ranks and one leader per other node,
# which cuts rank 0's slices again for its node. Output identical to GNU factor at several node shapes, the same
# messages as np 1 for bad tokens, numbers split across both levels, checkpoint/resume after a signal, and the
# level switched off where it cannot serve (--no-leaders, no parallel I/O, one rank per node, --progress).
# usage: tests/integration/leaders.sh BUILD/mpifactor
set -uo pipefail
BIN=$(realpath "${1:-build/mpifactor}")
HERE=$(cd "$(dirname "$0")" && pwd)
MPIRUN="$HERE/../lib/mpirun-local.sh"
NODE="$HERE/../lib/fake-node.sh"
. "$HERE/../lib/wait-for.sh"   # the signal test waits for checkpoint records, never a fixed time
WORK=$(mktemp -d /tmp/mf-leaders.XXXXXX)
SEED=${MF_TEST_SEED:-$(date +%s)}
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0
echo "leaders: seed $SEED (replay with MF_TEST_SEED=$SEED), work dir $WORK"

. "$(dirname "$0")/../lib/harness.sh" # pass, fail, check
# the most slices (and ranges of a split number) a leader holds, from the header the program is built with
SLICES=$(sed -n 's/^#define MF_SLICES_IN_FLIGHT \([0-9][0-9]*\).*/\1/p' "$HERE/../../include/mf_sched.h")
[ -n "$SLICES" ] || { echo "leaders: MF_SLICES_IN_FLIGHT not found in include/mf_sched.h" >&2; exit 1; }
# mf NP PER_NODE ARGS...: mpifactor on NP ranks, PER_NODE consecutive ranks to a node
mf() { local np=$1 per=$2; shift 2; MF_RANKS_PER_NODE=$per timeout -k 5 120 "$MPIRUN" -q -np "$np" "$NODE" "$BIN" "$@"; }
expected() { xargs -n 1 factor < "$1"; }  # GNU factor, one number per call (9.1 reorders otherwise)
# stats FILE PYTHON: runs the assertions PYTHON on the --stats JSON s of FILE (its ranks by number in r)
stats() { python3 -c "import json, sys; s = json.load(open(sys.argv[1])); r = {x['rank']: x for x in s['per_rank']}
$2" "$1"; }

python3 "$HERE/gen_numbers.py" mixed 3000 "$SEED" > "$WORK/mixed.txt"
expected "$WORK/mixed.txt" > "$WORK/mixed.expected"

# --- node shapes: NP ranks, PER_NODE to a node, the leaders expected (one per node of two ranks or more; on rank 0's
# node, rank 1 when it holds three) ----------------------------------------------------------------------------
for shape in "4 2 1" "5 2 1" "6 3 2" "7 2 2"; do
  read -r np per want <<<"$shape"
  rm -f "$WORK/out"
  mf "$np" "$per" --stats "$WORK/s.json" -o "$WORK/out" "$WORK/mixed.txt" 2> "$WORK/err"; rc=$?
  shape_ok() {
    [ "$1" -eq 0 ] && cmp "$WORK/mixed.expected" "$WORK/out" && [ ! -s "$WORK/err" ] && stats "$WORK/s.json" "
assert s['leaders'] == $want and s['parallel_io'], (s['leaders'], s['parallel_io'])
assert s['opening'] == $want, s['opening']  # each leader found its first slice itself
leaders = [k for k in r if k and r[k]['parent'] == 0 and any(r[j]['parent'] == k for j in r)]
assert len(leaders) == $want, leaders
for k in leaders:
    assert r[k]['units_served'] > 0 and r[k]['service_s'] > 0, r[k]
assert sum(r[k]['host'] == r[0]['host'] for k in leaders) == (1 if $per > 2 else 0), leaders  # rank 0's node: rank 1
for j in r:
    if j and r[j]['parent'] != 0:
        assert r[j]['host'] == r[r[j]['parent']]['host'] and r[j]['units'] > 0, r[j]
assert sum(x['numbers'] for x in r.values()) == 3000
import os
out = os.path.getsize('$WORK/out')
for k in [0] + leaders: # the outputs stay where they were made: kids write their own
    assert r[k]['bytes_received'] * 5 < out, (k, r[k]['bytes_received'], out)"
  }
  check "np=$np, $per ranks a node: exit 0, identical to GNU factor, $want leader(s) that served their node" shape_ok $rc
done

# --- the opening: each leader finds its share of the input's first eighth itself; a share inside one long line
# holds no line start (an empty slice), and the slice before it holds the whole line ------------------------------
{ echo 1; seq 1000000 1030000 | tr '\n' ' '; echo; cat "$WORK/mixed.txt"; } > "$WORK/long.txt"
xargs -n 1 factor < "$WORK/long.txt" > "$WORK/long.expected"
rm -f "$WORK/out"
mf 7 2 --stats "$WORK/open.json" -o "$WORK/out" "$WORK/long.txt" 2> "$WORK/err"; rc=$?
check "np=7, two leaders, the input's first eighth inside one long line: identical to GNU factor" bash -c \
  "[ $rc -eq 0 ] && cmp '$WORK/long.expected' '$WORK/out' && [ ! -s '$WORK/err' ] && python3 -c \"
import json; s = json.load(open('$WORK/open.json')); assert s['leaders'] == 2 and s['opening'] == 2, s\""
rm -f "$WORK/out" "$WORK/open.ckpt"
mf 5 2 --checkpoint "$WORK/open.ckpt" --stats "$WORK/open.json" -o "$WORK/out" "$WORK/mixed.txt"; rc=$?
check "np=5 with --checkpoint: leaders, no opening (rank 0 may resume past it), identical to GNU factor" bash -c \
  "[ $rc -eq 0 ] && cmp '$WORK/mixed.expected' '$WORK/out' && python3 -c \"
import json; s = json.load(open('$WORK/open.json')); assert s['leaders'] == 1 and s['opening'] == 0, s\""

# --- switched off where it cannot serve ---------------------------------------------------------------------
for case in "--no-leaders" "--no-parallel-io" "--progress" "per-node-1"; do
  per=2 opt=$case
  [ "$case" = per-node-1 ] && { per=1; opt=; }
  rm -f "$WORK/out"
  mf 4 "$per" ${opt:+"$opt"} --stats "$WORK/off.json" -o "$WORK/out" "$WORK/mixed.txt" 2> /dev/null; rc=$?
  off_ok() {
    [ "$1" -eq 0 ] && cmp "$WORK/mixed.expected" "$WORK/out" && stats "$WORK/off.json" "
assert s['leaders'] == 0 and all(x['parent'] == 0 for k, x in r.items() if k), s['leaders']"
  }
  check "np=4, $case: no leader (rank 0 serves every rank), identical to GNU factor" off_ok $rc
done
mf 4 2 "$WORK/mixed.txt" > "$WORK/out.stdout"; rc=$?
check "np=4, no -o (no parallel I/O): identical on standard output" bash -c \
  "[ $rc -eq 0 ] && cmp '$WORK/mixed.expected' '$WORK/out.stdout'"
mf 1 1 -f jsonl -o "$WORK/ref.jsonl" "$WORK/mixed.txt"
mf 5 2 -f jsonl -o "$WORK/out.jsonl" "$WORK/mixed.txt"; rc=$?
check "format jsonl, np=5 with a leader: identical to np 1" bash -c "[ $rc -eq 0 ] && cmp '$WORK/ref.jsonl' '$WORK/out.jsonl'"

# --- bad tokens over many slices and two files: lines counted by the ranks, merged by the leaders, numbered by
# rank 0 in order; messages byte-identical to np 1 ---------------------------------------------------------------
python3 - "$WORK/bad.txt" "$WORK/bad2.txt" "$SEED" <<'PY'
import random, sys
rng = random.Random(int(sys.argv[3]))
with open(sys.argv[1], "w") as f:
    for i in range(20000):
        r = rng.random()
        f.write("bad%d\n" % i if r < 0.01 else "# note %d 12\n" % i if r < 0.02 else "\n" if r < 0.03 else
                "%d x%d %d # c\n" % (rng.randrange(10**9), i, rng.randrange(10**6)) if r < 0.04 else
                "%d\n" % rng.randrange(10**12))
with open(sys.argv[2], "w") as f:
    f.write("5 y 9\n#c\n\n12 z")
PY
mf 1 1 -o "$WORK/bad.ref" "$WORK/bad.txt" "$WORK/bad2.txt" "$WORK/bad.txt" 2> "$WORK/bad.ref.err"
for shape in "4 2 1" "6 3 2"; do
  read -r np per want <<<"$shape"
  rm -f "$WORK/bad.out"
  mf "$np" "$per" --stats "$WORK/bad.json" -o "$WORK/bad.out" "$WORK/bad.txt" "$WORK/bad2.txt" "$WORK/bad.txt" \
    2> "$WORK/bad.err"; rc=$?
  bad_ok() {
    # diff, not cmp, for the messages: a failure shows the lines that differ (CI once saw lines beyond np 1's)
    [ "$1" -eq 1 ] && cmp "$WORK/bad.ref" "$WORK/bad.out" && diff "$WORK/bad.ref.err" "$WORK/bad.err" &&
      grep -q 'bad2.txt:4: .z. is not a valid' "$WORK/bad.err" && stats "$WORK/bad.json" "assert s['leaders'] == $want"
  }
  check "bad tokens, three files, np=$np with $want leader(s): exit 1, output and messages identical to np 1" bad_ok $rc
done

# --- numbers split across both levels: by rank 0 or by a leader over its node, the ranges a leader gets from rank 0
# cut into pieces for its node ----------------------------------------------------------------------------------
{ seq 2 200; echo 16669120120502208091; seq 201 300; echo 18446744030759878681; echo 4611686014132420609; } > "$WORK/hard.txt"
expected "$WORK/hard.txt" > "$WORK/hard.expected"
for shape in "4 2" "5 2"; do
  read -r np per <<<"$shape"
  rm -f "$WORK/hard.out"
  mf "$np" "$per" --verify --stats "$WORK/hard.json" -o "$WORK/hard.out" "$WORK/hard.txt"; rc=$?
  hard_ok() {
    [ "$1" -eq 0 ] && cmp "$WORK/hard.expected" "$WORK/hard.out" && stats "$WORK/hard.json" "
assert s['leaders'] >= 1, s
assert sum(x['ranges'] for x in r.values()) > 0
for lead in [k for k in r if k and any(x['parent'] == k for x in r.values())]:  # the pieces of the ranges it was sent
    kids = [k for k in r if r[k]['parent'] == lead]
    ran = r[lead]['ranges'] + sum(r[k]['ranges'] for k in kids)  # the last SLICES ranges' pieces may be dropped
    assert ran >= (len(kids) + 1) * (r[lead]['ranges_relayed'] - $SLICES), r"
  }
  check "hard numbers, np=$np with a leader and --verify: identical, split over the ranks, a leader's ranges cut into a piece per rank of its node" hard_ok $rc
done

# --- numbers split over every rank of the job: a number that runs past its budget is split by rank 0, also when a
# leader's node met it and the node alone would need more than a full range per rank (the leader passes it up and
# gets the factorization back for its slice; a smaller rest it splits itself); each range rank 0 sends a leader is
# cut into a piece for each rank of the leader's node, whose reports merge into the range's one report. "one" is a 68-bit
# semiprime (6e9 candidates, ~1 s: many full ranges per rank on any CPU): rank 0 splits it. The numbers of "four" are
# smaller (0.1-0.4 s each), so whether their node alone needs more than a full range per rank depends on the measured
# cost: rank 0 splits them, or the leader does (a run here had the leader split two and rank 0 none); either way the
# node's kids run ranges. Two layouts: "0 1 1 1", rank 0 alone and leader 1 with kids 2, 3 (the number is in the
# leader's slice); "0 0 1 1 1", rank 1 rank 0's kid on its node and leader 2 with kids 3, 4 ------------------------
echo 150000001236500001971 > "$WORK/one.txt"
printf '%s\n' 16669120120502208091 18446744030759878681 4611686014132420609 1000000016000000063 > "$WORK/four.txt"
for layout in "0 1 1 1" "0 0 1 1 1"; do
  for input in one four; do
    expected "$WORK/$input.txt" > "$WORK/$input.expected"
    rm -f "$WORK/$input.out"
    np=$(wc -w <<<"$layout")
    MF_NODE_OF_RANK="$layout" mf "$np" 1 --verify --stats "$WORK/$input.json" -o "$WORK/$input.out" "$WORK/$input.txt"
    rc=$?
    relay_ok() {
      [ "$1" -eq 0 ] && cmp "$WORK/$2.expected" "$WORK/$2.out" && stats "$WORK/$2.json" "
lead = $3 - 3  # the leader: the first rank of the last node
node = [lead] + [k for k in r if r[k]['parent'] == lead]
assert s['leaders'] == 1 and r[lead]['parent'] == 0 and len(node) == 3, r
# a piece a rank of the node; the pieces of the last $SLICES ranges (the most a leader holds: MF_SLICES_IN_FLIGHT)
# may be dropped at the stop
ran = sum(r[k]['ranges'] for k in node)
if '$2' == 'one':  # passed up, never split by the leader: the node ran no range but the pieces, the leader too
    assert s['numbers_split'] == 1 and r[lead]['ranges_relayed'] > 0, (s['numbers_split'], r[lead])
    assert ran <= 3 * r[lead]['ranges_relayed'] and r[lead]['ranges'] > 0, [r[k] for k in node]
else:  # split by rank 0 (its ranges relayed) or by the leader
    assert s['numbers_split'] + r[lead]['numbers_split'] >= 1, (s['numbers_split'], r[lead])
assert ran >= 3 * (r[lead]['ranges_relayed'] - $SLICES), [r[k] for k in node]
assert all(r[k]['ranges'] > 0 for k in node if k != lead), [r[k] for k in node]"
    }
    how="split by rank 0, every range to the leader cut into a piece per rank of its node"
    [ "$input" = four ] && how="split by rank 0 (every range to the leader cut into a piece per rank of its node) or by the leader; its kids ran ranges"
    check "$input hard number(s), nodes by rank '$layout', --verify: identical to GNU factor; $how" relay_ok $rc "$input" "$np"
  done
done

# --- checkpoint and resume with leaders ----------------------------------------------------------------------
# semiprimes of two 27-bit primes at the slowest kernel (about 0.1 s a number on any CPU): signalled once the
# checkpoint records progress, then resumed with the default kernel
SLOW_COUNT=200
python3 "$HERE/gen_numbers.py" semiprime $SLOW_COUNT "$SEED" > "$WORK/slow.txt"
awk 'NR % 17 == 0 { print "bad" NR } { print }' "$WORK/slow.txt" > "$WORK/slowbad.txt"
mf 1 1 -o "$WORK/slow.ref" "$WORK/slowbad.txt" 2> "$WORK/slow.ref.err"
rm -f "$WORK/slow.out" "$WORK/slow.ckpt"
MF_RANKS_PER_NODE=2 "$MPIRUN" -q -np 4 "$NODE" "$BIN" --kernel plain --checkpoint "$WORK/slow.ckpt" \
  -o "$WORK/slow.out" "$WORK/slowbad.txt" 2> "$WORK/slow.err" & pid=$!
seen=$(mf_wait_done "$WORK/slow.ckpt" 1 $((SLOW_COUNT - 1)) $pid 2> "$WORK/wait.slow") || seen=-1
kill -USR1 $pid; wait $pid; rc=$?
check "SIGUSR1 mid-run with a leader (at $seen done): exit 3, a resume hint" bash -c \
  "cat '$WORK/wait.slow'; [ $seen -ge 1 ] && [ $rc -eq 3 ] && grep -q 'run the same command again to resume' '$WORK/slow.err'"
mf 4 2 --checkpoint "$WORK/slow.ckpt" -o "$WORK/slow.out" "$WORK/slowbad.txt" 2> "$WORK/slow.err2"; rc=$?
check "the same command resumes: exit 1, output and messages identical to an uninterrupted np 1 run" bash -c \
  "[ $rc -eq 1 ] && cmp '$WORK/slow.ref' '$WORK/slow.out' && diff '$WORK/slow.ref.err' '$WORK/slow.err2'"

# a rank killed outright, a leader's kid or the leader: the checkpoint holds only slices whose every piece was
# confirmed written, so the resumed run's output is identical
for victim_rank in 3 2; do
  rm -f "$WORK/k9.out" "$WORK/k9.ckpt"
  MF_RANKS_PER_NODE=2 "$MPIRUN" -q -np 4 "$NODE" "$BIN" --kernel plain --checkpoint "$WORK/k9.ckpt" -o "$WORK/k9.out" \
    "$WORK/slow.txt" 2> /dev/null & pid=$!
  seen=$(mf_wait_done "$WORK/k9.ckpt" 1 $((SLOW_COUNT - 1)) $pid 2> "$WORK/wait.k9") || seen=-1
  victim=$(mf_rank_pid $pid $victim_rank) && kill -KILL "$victim"
  wait $pid; rc=$?
  mf 4 2 --checkpoint "$WORK/k9.ckpt" -o "$WORK/k9.out" "$WORK/slow.txt"; rc2=$?
  check "kill -9 of rank $victim_rank ($([ $victim_rank = 2 ] && echo the leader || echo its kid), at $seen done): the run stops (status $rc), the same command resumes to output identical to GNU factor" bash -c \
    "cat '$WORK/wait.k9'; [ $seen -ge 1 ] && [ $rc -ne 0 ] && [ $rc2 -eq 0 ] && xargs -n 1 factor < '$WORK/slow.txt' | cmp - '$WORK/k9.out'"
done

echo "leaders: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
