#!/usr/bin/env bash
# Integration tests: mpifactor under mpirun at several rank counts, compared with GNU factor run one
# number per call; input errors, exit codes, formats, statistics, checkpoint/resume after signals.
# usage: tests/integration/run.sh BUILD/mpifactor
set -uo pipefail
BIN=$(realpath "${1:-build/mpifactor}")
HERE=$(cd "$(dirname "$0")" && pwd)
MPIRUN="$HERE/../lib/mpirun-local.sh"
. "$HERE/../lib/wait-for.sh"   # the signal tests wait for checkpoint records, never a fixed time
WORK=$(mktemp -d /tmp/mf-integration.XXXXXX)
SEED=${MF_TEST_SEED:-$(date +%s)}
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0
echo "integration: seed $SEED (replay with MF_TEST_SEED=$SEED), work dir $WORK"

. "$(dirname "$0")/../lib/harness.sh" # pass, fail, check
# mf NP ARGS...: runs mpifactor on NP ranks (0: without mpirun, as a singleton) with a time limit
mf() {
  local np=$1; shift
  if [ "$np" -eq 0 ]; then timeout -k 5 120 "$BIN" "$@"; else timeout -k 5 120 "$MPIRUN" -q -np "$np" "$BIN" "$@"; fi
}
expected() { xargs -n 1 factor < "$1"; }  # GNU factor, one number per call (9.1 reorders otherwise)

# --- workloads --------------------------------------------------------------------------------
python3 "$HERE/gen_numbers.py" mixed 3000 "$SEED" > "$WORK/mixed.txt"
expected "$WORK/mixed.txt" > "$WORK/mixed.expected"
printf '12\n\n  +0042 # the answer\r\n0 1\t\t007\n18446744073709551617 # 2^64+1\n' > "$WORK/small.txt"
cat > "$WORK/small.expected" <<'EOT'
12: 2 2 3
42: 2 3 7
0:
1:
7: 7
18446744073709551617: 274177 67280421310721
EOT

# --- output equals GNU factor at every rank count ------------------------------------------------
for np in 0 1 2 3 5; do
  mf "$np" "$WORK/mixed.txt" > "$WORK/out.$np" 2> "$WORK/err.$np"; rc=$?
  check "mixed input, np=$np: exit 0 and output identical to GNU factor" \
    bash -c "[ $rc -eq 0 ] && cmp '$WORK/mixed.expected' '$WORK/out.$np' && [ ! -s '$WORK/err.$np' ]"
done
mf 3 --unit-size 1 "$WORK/mixed.txt" > "$WORK/out.u1"
check "unit size 1, np=3: identical" cmp "$WORK/mixed.expected" "$WORK/out.u1"
mf 2 --unit-size 100000 --verify "$WORK/mixed.txt" > "$WORK/out.big"; rc=$?
check "one huge unit with --verify, np=2: exit 0, identical" bash -c "[ $rc -eq 0 ] && cmp '$WORK/mixed.expected' '$WORK/out.big'"
mf 3 < "$WORK/mixed.txt" > "$WORK/out.stdin"
check "stdin, np=3: identical" cmp "$WORK/mixed.expected" "$WORK/out.stdin"
head -n 1000 "$WORK/mixed.txt" > "$WORK/part1.txt"; tail -n +1001 "$WORK/mixed.txt" > "$WORK/part2.txt"
mf 2 -o "$WORK/out.files" "$WORK/part1.txt" - "$WORK/part2.txt" < "$WORK/small.txt"
cat "$WORK/mixed.expected" > "$WORK/three.expected"
{ head -n 1000 "$WORK/mixed.expected"; cat "$WORK/small.expected"; tail -n +1001 "$WORK/mixed.expected"; } > "$WORK/three.expected"
check "two files and stdin in order, -o FILE" cmp "$WORK/three.expected" "$WORK/out.files"
mf 2 "$WORK/small.txt" > "$WORK/out.small"
check "whitespace, CRLF, comments, signs and leading zeros" cmp "$WORK/small.expected" "$WORK/out.small"

# --- -o onto an existing file: replaced (not truncated: ext4 and XFS flush a truncated file on close) with
# its permissions kept; a symbolic link and a hard link are written through, as with O_TRUNC
yes 'stale line that must disappear' | head -n 20000 > "$WORK/old.out"; chmod 0600 "$WORK/old.out"
born=$(stat -c %w "$WORK/old.out") # birth time ('-' where the file system keeps none)
mf 2 -o "$WORK/old.out" "$WORK/small.txt"; rc=$?
check "-o onto an existing longer file: a new file in its place, permissions 0600 kept" \
  bash -c "[ $rc -eq 0 ] && cmp '$WORK/small.expected' '$WORK/old.out' && [ \$(stat -c %a '$WORK/old.out') = 600 ] \
    && { [ '$born' = - ] || [ \"\$(stat -c %w '$WORK/old.out')\" != '$born' ]; }"
yes 'stale' | head -n 20000 > "$WORK/target.out"; ln -sf "$WORK/target.out" "$WORK/link.out"
ln -f "$WORK/target.out" "$WORK/hard.out"
mf 2 -o "$WORK/link.out" "$WORK/small.txt"; rc=$?
check "-o through a symbolic link: the link stays, its target and the hard link hold the output" \
  bash -c "[ $rc -eq 0 ] && [ -L '$WORK/link.out' ] && cmp '$WORK/small.expected' '$WORK/target.out' && cmp '$WORK/small.expected' '$WORK/hard.out'"

# --- more ranks than numbers, empty input --------------------------------------------------------
printf '6 35\n' > "$WORK/two.txt"
mf 7 "$WORK/two.txt" > "$WORK/out.two"; rc=$?
check "7 ranks, 2 numbers" bash -c "[ $rc -eq 0 ] && printf '6: 2 3\n35: 5 7\n' | cmp - '$WORK/out.two'"
: > "$WORK/empty.txt"
mf 3 "$WORK/empty.txt" > "$WORK/out.empty"; rc=$?
check "empty input, np=3: exit 0, no output" bash -c "[ $rc -eq 0 ] && [ ! -s '$WORK/out.empty' ]"

# --- formats ------------------------------------------------------------------------------------
mf 3 --format jsonl "$WORK/mixed.txt" > "$WORK/out.jsonl"
mf 3 --format csv "$WORK/mixed.txt" > "$WORK/out.csv"
cat > "$WORK/formats.py" <<'EOT'
import csv, json, sys
expected = [l.split(":") for l in open(sys.argv[1]).read().splitlines()]
rows = [json.loads(l) for l in open(sys.argv[2])]
assert len(rows) == len(expected), (len(rows), len(expected))
for row, (n, f) in zip(rows, expected):
    assert row == {"number": n, "factors": f.split(), "complete": True}, row
with open(sys.argv[3], newline="") as fh:
    table = list(csv.DictReader(fh))
assert len(table) == len(expected)
for row, (n, f) in zip(table, expected):
    assert row == {"number": n, "factors": " ".join(f.split()), "complete": "true", "cofactor": ""}, row
EOT
check "jsonl and csv parse and carry the same factors" python3 "$WORK/formats.py" "$WORK/mixed.expected" "$WORK/out.jsonl" "$WORK/out.csv"

# --- bounded trial division ------------------------------------------------------------------------
printf '6000216000594\n221\n340282366920938463463374607431768211457\n' > "$WORK/bound.txt"
mf 2 --max-divisor 1000 "$WORK/bound.txt" > "$WORK/out.bound.txt"
mf 2 --max-divisor 1000 -f jsonl "$WORK/bound.txt" > "$WORK/out.bound.jsonl"
mf 2 --max-divisor 1000 -f csv "$WORK/bound.txt" > "$WORK/out.bound.csv"
check "--max-divisor marks unfactored cofactors (text)" diff - "$WORK/out.bound.txt" <<'EOT'
6000216000594: 2 3 unfactored:1000036000099
221: 13 17
340282366920938463463374607431768211457: unfactored:340282366920938463463374607431768211457
EOT
check "--max-divisor marks unfactored cofactors (jsonl)" diff - "$WORK/out.bound.jsonl" <<'EOT'
{"number":"6000216000594","factors":["2","3"],"complete":false,"cofactor":"1000036000099"}
{"number":"221","factors":["13","17"],"complete":true}
{"number":"340282366920938463463374607431768211457","factors":[],"complete":false,"cofactor":"340282366920938463463374607431768211457"}
EOT
check "--max-divisor marks unfactored cofactors (csv)" diff - "$WORK/out.bound.csv" <<'EOT'
number,factors,complete,cofactor
6000216000594,2 3,false,1000036000099
221,13 17,true,
340282366920938463463374607431768211457,,false,340282366920938463463374607431768211457
EOT

# --- bad input: every valid number written in order, errors name file and line, exit 1 -------------
printf '10\nabc 11\n-5 3.14 12\n1e10 0x1F 12x 13\n\xd9\xa3 14\n' > "$WORK/bad.txt"
for np in 1 3; do
  mf "$np" "$WORK/bad.txt" > "$WORK/out.bad" 2> "$WORK/err.bad"; rc=$?
  check "bad tokens, np=$np: exit 1" test "$rc" -eq 1
  check "bad tokens, np=$np: valid numbers all written in order" diff - "$WORK/out.bad" <<'EOT'
10: 2 5
11: 11
12: 2 2 3
13: 13
14: 2 7
EOT
  check "bad tokens, np=$np: one message per token with file and line" diff - "$WORK/err.bad" <<EOT
mpifactor: $WORK/bad.txt:2: 'abc' is not a valid non-negative integer
mpifactor: $WORK/bad.txt:3: '-5' is not a valid non-negative integer
mpifactor: $WORK/bad.txt:3: '3.14' is not a valid non-negative integer
mpifactor: $WORK/bad.txt:4: '1e10' is not a valid non-negative integer
mpifactor: $WORK/bad.txt:4: '0x1F' is not a valid non-negative integer
mpifactor: $WORK/bad.txt:4: '12x' is not a valid non-negative integer
mpifactor: $WORK/bad.txt:5: '\xd9\xa3' is not a valid non-negative integer
EOT
done
printf 'x\n' | mf 2 > /dev/null 2> "$WORK/err.stdin"
check "stdin is named in error messages" grep -qx "mpifactor: stdin:1: 'x' is not a valid non-negative integer" "$WORK/err.stdin"

# --- usage and I/O errors: exit 2 quickly on every rank ----------------------------------------------
for np in 0 3; do
  start=$(date +%s)
  mf "$np" "$WORK/small.txt" /nonexistent/numbers.txt > "$WORK/out.missing" 2> "$WORK/err.missing"; rc=$?
  took=$(( $(date +%s) - start ))
  check "missing file, np=$np: exit 2 within 10 s, no output" bash -c "[ $rc -eq 2 ] && [ $took -le 10 ] && [ ! -s '$WORK/out.missing' ]"
  check "missing file, np=$np: clear message" grep -qx "mpifactor: /nonexistent/numbers.txt: No such file or directory" "$WORK/err.missing"
done
mf 3 --frobnicate > /dev/null 2> "$WORK/err.opt"; rc=$?
check "unknown option: exit 2 and a message from one rank" bash -c "[ $rc -eq 2 ] && [ \$(grep -c \"unrecognized option '--frobnicate'\" '$WORK/err.opt') -eq 1 ]"
mf 2 -u 0 "$WORK/small.txt" > /dev/null 2> "$WORK/err.opt"; rc=$?
check "invalid unit size: exit 2" bash -c "[ $rc -eq 2 ] && grep -q 'invalid unit size' '$WORK/err.opt'"
mf 2 -o /nonexistent/dir/out.txt "$WORK/small.txt" 2> "$WORK/err.out"; rc=$?
check "unwritable output: exit 2 with a message" bash -c "[ $rc -eq 2 ] && grep -q '/nonexistent/dir/out.txt: No such file or directory' '$WORK/err.out'"
mf 2 --help > "$WORK/help.txt"; rc=$?
check "--help: exit 0, usage once" bash -c "[ $rc -eq 0 ] && [ \$(grep -c '^Usage: ' '$WORK/help.txt') -eq 1 ]"
check "--version" bash -c "[ \"\$('$BIN' -V)\" = 'mpifactor 0.1.0' ]"

# --- progress ----------------------------------------------------------------------------------------
mf 2 --progress -o "$WORK/out.progress" "$WORK/mixed.txt" 2> "$WORK/err.progress"
check "--progress: a final progress line with the count on stderr, output unchanged" bash -c \
  "tr '\\r' '\\n' < '$WORK/err.progress' | grep -q '^mpifactor: 3000 numbers, ' && cmp '$WORK/mixed.expected' '$WORK/out.progress'"
mf 2 -o "$WORK/out.quiet" "$WORK/mixed.txt" 2> "$WORK/err.quiet"
check "no progress when stderr is not a terminal" test ! -s "$WORK/err.quiet"

# --- statistics --------------------------------------------------------------------------------------
mf 3 --stats "$WORK/stats.json" "$WORK/mixed.txt" > /dev/null
check "--stats: JSON with per-rank figures that add up" python3 -c "
import json, sys
s = json.load(open('$WORK/stats.json'))
assert s['ranks'] == 3 and len(s['per_rank']) == 3, s
assert s['numbers'] == 3000 and s['units'] > 0 and s['wall_s'] > 0 and s['candidates'] > 0
assert sum(r['numbers'] for r in s['per_rank']) == 3000
assert sum(r['candidates'] for r in s['per_rank']) == s['candidates']
assert all(r['busy_s'] >= 0 and r['idle_s'] >= 0 and r['host'] for r in s['per_rank'])
assert all(0 < r['busy_cpu_s'] <= r['cpu_s'] + 0.005 for r in s['per_rank']), s['per_rank']
r0 = s['per_rank'][0]
assert abs(r0['service_cpu_s'] - max(0, r0['cpu_s'] - r0['busy_cpu_s'])) < 1e-5, r0
assert s['bytes_sent'] > 0 and s['numbers_per_s'] > 0
"

# --- hard numbers: split across ranks, merged, always identical ---------------------------------------
# One hard number (its trial division runs far past a unit's budget) is split into candidate ranges that
# every rank works on; hard numbers mixed with cheap ones hand back the rest of their unit.
printf '16669120120502208091\n' > "$WORK/hard1.txt"                     # 4032335309 x 4133862599
printf '18446744030759878681\n' > "$WORK/hard2.txt"                     # 4294967291^2
{ seq 2 2000; echo 16669120120502208091; seq 5000 5400; echo 18446744030759878681;
  echo 340282366920938463463374607431768211455; seq 10 50; } > "$WORK/hardmix.txt"
for w in hard1 hard2 hardmix; do expected "$WORK/$w.txt" > "$WORK/$w.expected"; done
for np in 1 2 3 5; do
  for w in hard1 hard2 hardmix; do
    mf "$np" --stats "$WORK/$w.$np.json" "$WORK/$w.txt" > "$WORK/$w.$np.out" 2> "$WORK/$w.$np.err"; rc=$?
    check "$w, np=$np: exit 0 and output identical to GNU factor" \
      bash -c "[ $rc -eq 0 ] && cmp '$WORK/$w.expected' '$WORK/$w.$np.out' && [ ! -s '$WORK/$w.$np.err' ]"
  done
done
check "one hard number at np=3 is split and every rank scans ranges of it" python3 -c "
import json
s = json.load(open('$WORK/hard1.3.json'))
assert s['numbers_split'] == 1, s['numbers_split']
assert all(r['ranges'] > 0 for r in s['per_rank']), [r['ranges'] for r in s['per_rank']]
assert sum(r['numbers'] for r in s['per_rank']) == 1
assert s['wasted_candidates'] <= 0.05 * s['candidates'], (s['wasted_candidates'], s['candidates'])
"
check "np=1 never splits" python3 -c "
import json
assert json.load(open('$WORK/hard1.1.json'))['numbers_split'] == 0
"
mf 3 --verify -f jsonl "$WORK/hardmix.txt" > "$WORK/hardmix.jsonl"; rc=$?
check "split numbers with --verify in jsonl: exit 0, every record complete" bash -c \
  "[ $rc -eq 0 ] && [ \$(grep -c '\"complete\":true' '$WORK/hardmix.jsonl') -eq \$(wc -l < '$WORK/hardmix.expected') ]"
mf 3 --max-divisor 3000000000 "$WORK/hard2.txt" > "$WORK/hard2.bounded"; rc=$?
check "split number stopped by --max-divisor is reported unfactored, exit 6" bash -c \
  "[ $rc -eq 6 ] && grep -qx '18446744030759878681: unfactored:18446744030759878681' '$WORK/hard2.bounded'"
# --- the portable kernels end to end: --kernel scalar and plain (the paths of CPUs without AVX2) on the mixed
# input and the hard numbers (hard1 alone at np 1, all of hardmix at np 3), against GNU factor ----------------
for k in scalar plain; do
  for np in 1 3; do
    mf "$np" --kernel "$k" --stats "$WORK/mixed.$k.$np.json" "$WORK/mixed.txt" > "$WORK/mixed.$k.$np.out"; rc=$?
    check "--kernel $k, mixed input, np=$np: exit 0, identical to GNU factor, stats name the kernel" bash -c \
      "[ $rc -eq 0 ] && cmp '$WORK/mixed.expected' '$WORK/mixed.$k.$np.out' && \
       grep -q '\"kernel\":\"$k\"' '$WORK/mixed.$k.$np.json' && grep -q '\"kernel128\":\"$k\"' '$WORK/mixed.$k.$np.json'"
  done
  mf 1 --kernel "$k" "$WORK/hard1.txt" > "$WORK/hard1.$k.out"; rc=$?
  check "--kernel $k, hard1, np=1: exit 0, identical to GNU factor" bash -c "[ $rc -eq 0 ] && cmp '$WORK/hard1.expected' '$WORK/hard1.$k.out'"
  mf 3 --kernel "$k" "$WORK/hardmix.txt" > "$WORK/hardmix.$k.out"; rc=$?
  check "--kernel $k, hardmix, np=3: exit 0, identical to GNU factor" bash -c \
    "[ $rc -eq 0 ] && cmp '$WORK/hardmix.expected' '$WORK/hardmix.$k.out'"
done
# resume from a checkpoint taken while a number is split: the half-finished number is redone. The stopped run
# uses the slowest kernel (each hard number takes seconds on any CPU) and is signalled once its checkpoint records
# the 299 cheap numbers before the hard ones done but not all three hard ones: a hard number is then in progress.
{ seq 2 300; echo 16669120120502208091 18446744030759878681 16669120120502208091; seq 301 400; } > "$WORK/hardck.txt"
expected "$WORK/hardck.txt" > "$WORK/hardck.expected"
rm -f "$WORK/hardck.out" "$WORK/hardck.ckpt"
"$MPIRUN" -q -np 3 "$BIN" --kernel plain --checkpoint "$WORK/hardck.ckpt" --stats "$WORK/hardck.json" \
  -o "$WORK/hardck.out" "$WORK/hardck.txt" 2> "$WORK/err.hardck" & pid=$!
seen=$(mf_wait_done "$WORK/hardck.ckpt" 299 301 $pid 2> "$WORK/wait.hardck") || { cat "$WORK/wait.hardck"; seen=-1; }
kill -USR1 $pid; wait $pid; rc=$?
check "split number interrupted: exit 3 while a number was split, some but not all lines written (signal at $seen done)" bash -c \
  "cat '$WORK/wait.hardck'; [ $seen -ge 299 ] && [ $rc -eq 3 ] && [ \$(wc -l < '$WORK/hardck.out') -ge $seen ] && [ \$(wc -l < '$WORK/hardck.out') -lt 403 ] && \
   python3 -c \"import json; assert json.load(open('$WORK/hardck.json'))['numbers_split'] >= 1\""
mf 2 --checkpoint "$WORK/hardck.ckpt" -o "$WORK/hardck.out" "$WORK/hardck.txt"; rc=$?
check "split number interrupted: the same command resumes to identical output" bash -c \
  "[ $rc -eq 0 ] && cmp '$WORK/hardck.expected' '$WORK/hardck.out'"

# --- checkpoint / resume -----------------------------------------------------------------------------
# Semiprimes of two 27-bit primes. Each stopped run uses the slowest kernel (--kernel plain: about 0.1 s a number
# on any CPU, the whole workload far longer than the wait) and is signalled once its checkpoint records progress;
# the resumes use the default kernel (the kernel does not change the output, nor the checkpoint's fingerprint).
SLOW_COUNT=300
python3 "$HERE/gen_numbers.py" semiprime "$SLOW_COUNT" "$SEED" > "$WORK/slow.txt"
mf 2 -o "$WORK/slow.full" "$WORK/slow.txt"
check "slow workload equals GNU factor" bash -c "xargs -n 1 factor < '$WORK/slow.txt' | cmp - '$WORK/slow.full'"

# interrupted NAME SIGNAL TARGET: starts a checkpointed run, signals it once its checkpoint records a number done,
# resumes, compares
interrupted() {
  local name=$1 sig=$2 target=$3 out="$WORK/slow.$1" ck="$WORK/slow.$1.ckpt" pid rc seen victim
  rm -f "$out" "$ck"
  if [ "$target" = singleton ]; then
    "$BIN" --kernel plain --checkpoint "$ck" -o "$out" "$WORK/slow.txt" 2> "$WORK/err.$name" & pid=$!
  else
    "$MPIRUN" -q -np 2 "$BIN" --kernel plain --checkpoint "$ck" -o "$out" "$WORK/slow.txt" 2> "$WORK/err.$name" & pid=$!
  fi
  seen=$(mf_wait_done "$ck" 1 $((SLOW_COUNT - 1)) $pid 2> "$WORK/wait.$name") || seen=-1
  if [ "$target" = worker ]; then   # kill -9 the rank-1 process
    victim=$(mf_rank_pid $pid 1) && kill -KILL "$victim"
  else
    kill "-$sig" "$pid"
  fi
  wait "$pid"; rc=$?
  local lines; lines=$(wc -l < "$out")
  check "$name: stopped mid-run (status $rc, signal at $seen done, $lines of $SLOW_COUNT lines written)" bash -c \
    "cat '$WORK/wait.$name'; [ $seen -ge 1 ] && [ $rc -ne 0 ] && [ $lines -lt $SLOW_COUNT ]"
  mf 2 --checkpoint "$ck" -o "$out" "$WORK/slow.txt"; rc=$?
  check "$name: the same command resumes to output identical to an uninterrupted run" bash -c "[ $rc -eq 0 ] && cmp '$WORK/slow.full' '$out'"
}
interrupted sigterm-mpirun TERM mpirun
interrupted sigusr1-mpirun USR1 mpirun
interrupted kill9-worker KILL worker
# a singleton stops cleanly with status 3 on SIGTERM
rm -f "$WORK/slow.single" "$WORK/slow.single.ckpt"
"$BIN" --kernel plain --checkpoint "$WORK/slow.single.ckpt" -o "$WORK/slow.single" "$WORK/slow.txt" 2> "$WORK/err.single" & pid=$!
seen=$(mf_wait_done "$WORK/slow.single.ckpt" 1 $((SLOW_COUNT - 1)) $pid 2> "$WORK/wait.single") || seen=-1
kill -TERM $pid; wait $pid; rc=$?
check "SIGTERM: exit 3 and a resume hint (signal at $seen done)" bash -c \
  "cat '$WORK/wait.single'; [ $seen -ge 1 ] && [ $rc -eq 3 ] && grep -q 'run the same command again to resume' '$WORK/err.single'"
cp "$WORK/slow.single.ckpt" "$WORK/torn.ckpt"
truncate -s -7 "$WORK/slow.single.ckpt"   # a torn last record
mf 1 --checkpoint "$WORK/slow.single.ckpt" -o "$WORK/slow.single" "$WORK/slow.txt"; rc=$?
check "torn checkpoint record: resume still gives identical output" bash -c "[ $rc -eq 0 ] && cmp '$WORK/slow.full' '$WORK/slow.single'"
# the time limit, not the end of the work, stops the run: the slowest kernel needs far more than 1 s on any CPU
mf 2 --kernel plain --time-limit 1 --stats "$WORK/tl.json" --checkpoint "$WORK/tl.ckpt" -o "$WORK/tl.out" "$WORK/slow.txt" \
  2> "$WORK/err.tl"; rc=$?
check "--time-limit 1: exit 3 after at least 1 s, with the message, some but not all lines written" bash -c \
  "[ $rc -eq 3 ] && grep -q 'stopping (time limit reached)' '$WORK/err.tl' && [ \$(wc -l < '$WORK/tl.out') -lt $SLOW_COUNT ] && \
   python3 -c \"import json; s = json.load(open('$WORK/tl.json')); assert 0.95 <= s['wall_s'] and s['numbers'] < $SLOW_COUNT, s\""
mf 2 --checkpoint "$WORK/tl.ckpt" -o "$WORK/tl.out" "$WORK/slow.txt"; rc=$?
check "--time-limit: resume completes identically" bash -c "[ $rc -eq 0 ] && cmp '$WORK/slow.full' '$WORK/tl.out'"
mf 2 --checkpoint "$WORK/tl.ckpt" -o "$WORK/tl.out" "$WORK/mixed.txt" 2> "$WORK/err.other"; rc=$?
check "checkpoint of another input: refused with exit 2" bash -c "[ $rc -eq 2 ] && grep -q 'belongs to another input' '$WORK/err.other' && cmp '$WORK/slow.full' '$WORK/tl.out'"
mf 2 --checkpoint "$WORK/tl.ckpt" -f csv -o "$WORK/tl.out" "$WORK/slow.txt" 2> "$WORK/err.other"; rc=$?
check "checkpoint with other output options: refused with exit 2" bash -c "[ $rc -eq 2 ] && grep -q 'belongs to another input' '$WORK/err.other'"

# === issue 14 items 2, 3, 4, 6: progress under a terminal, long bad tokens, a checkpoint in use, old checkpoints ===
# script(1) (util-linux, essential in Debian) gives mpirun a pseudo-terminal as a user's shell would.
interactive() { script -qec "$1" /dev/null < /dev/null; }
interactive "'$MPIRUN' -q -np 2 '$BIN' -o '$WORK/out.tty' '$WORK/small.txt'" > "$WORK/tty.small" 2>&1; rc=$?
check "mpirun in a terminal: progress by default (rank 0's stderr is a pipe), output unchanged" bash -c \
  "[ $rc -eq 0 ] && tr '\\r' '\\n' < '$WORK/tty.small' | grep -q '^mpifactor: 6 numbers, ' && cmp '$WORK/small.expected' '$WORK/out.tty'"
interactive "'$MPIRUN' -q -np 2 '$BIN' --no-progress -o '$WORK/out.tty' '$WORK/small.txt'" > "$WORK/tty.off" 2>&1
check "mpirun in a terminal with --no-progress: quiet" bash -c "! grep -q 'mpifactor' '$WORK/tty.off'"
interactive "'$MPIRUN' -q -np 2 '$BIN' -o '$WORK/out.tty' '$WORK/small.txt' 2> '$WORK/tty.err'" > "$WORK/tty.redir" 2>&1
check "mpirun in a terminal with stderr redirected to a file: quiet" bash -c \
  "[ ! -s '$WORK/tty.err' ] && ! grep -q 'mpifactor' '$WORK/tty.redir'"

# a long bad token: head, tail (with the offending x) and length
{ echo 12; printf '9%.0s' $(seq 80); echo x; echo 35; } > "$WORK/longtoken.txt"
mf 2 "$WORK/longtoken.txt" > "$WORK/out.longtoken" 2> "$WORK/err.longtoken"; rc=$?
check "81-character bad token: exit 1, its head, tail and length shown" bash -c "[ $rc -eq 1 ] && \
  grep -qx \"mpifactor: $WORK/longtoken.txt:2: '9999999999999999999999999999…999999999999999999999999999x' (81 characters) is not a valid non-negative integer\" '$WORK/err.longtoken' \
  && printf '12: 2 2 3\n35: 5 7\n' | cmp - '$WORK/out.longtoken'"

# a checkpoint in use: a second run with the same --checkpoint exits 2 at once and touches nothing. The first run
# (the slow workload twice) holds the checkpoint once its header is written; its rank 0, which holds the lock, is
# then paused (SIGSTOP) while the second runs try, so that it is still running meanwhile on any CPU, and resumed.
cat "$WORK/slow.txt" "$WORK/slow.txt" > "$WORK/slow2x.txt"
cat "$WORK/slow.full" "$WORK/slow.full" > "$WORK/slow2x.expected"
rm -f "$WORK/inuse.out" "$WORK/inuse.ckpt"
interactive "'$MPIRUN' -q -np 2 '$BIN' --checkpoint '$WORK/inuse.ckpt' -o '$WORK/inuse.out' '$WORK/slow2x.txt'" \
  > "$WORK/tty.inuse" 2>&1 & first=$!
for _ in $(seq 600); do [ -s "$WORK/inuse.ckpt" ] && break; sleep 0.1; done   # the first run holds it
holder=$(mf_rank_pid $first 0) && kill -STOP "$holder"
paused_at=$(mf_ckpt_done "$WORK/inuse.ckpt")
check "the first run is paused mid-run (rank 0 pid ${holder:-not found}, $paused_at of $((2 * SLOW_COUNT)) done)" \
  bash -c "[ -n '$holder' ] && [ $paused_at -lt $((2 * SLOW_COUNT)) ]"
printf 'precious\n' > "$WORK/inuse.other"
t0=$(date +%s.%N)
"$BIN" --checkpoint "$WORK/inuse.ckpt" -o "$WORK/inuse.other" "$WORK/slow2x.txt" 2> "$WORK/err.inuse"; rc=$?
t1=$(date +%s.%N)
mf 2 --checkpoint "$WORK/inuse.ckpt" -o "$WORK/inuse.out" "$WORK/slow2x.txt" 2> "$WORK/err.inuse2"; rc2=$?
still=$(kill -0 $first 2>/dev/null && echo running || echo finished)
[ -n "$holder" ] && kill -CONT "$holder"
check "checkpoint in use (first run $still): second run exits 2 at once with the message, its output untouched" bash -c \
  "[ $still = running ] && [ $rc -eq 2 ] && [ \$(grep -c . '$WORK/err.inuse') -eq 1 ] && \
   grep -qx 'mpifactor: checkpoint $WORK/inuse.ckpt is in use by another run' '$WORK/err.inuse' && \
   [ \"\$(cat '$WORK/inuse.other')\" = precious ] && python3 -c 'import sys; sys.exit(float(sys.argv[2]) - float(sys.argv[1]) > 5)' $t0 $t1"
check "checkpoint in use under mpirun, same output file: exit 2 with the message" bash -c \
  "[ $rc2 -eq 2 ] && grep -q 'checkpoint $WORK/inuse.ckpt is in use by another run' '$WORK/err.inuse2'"
wait $first; rc=$?
check "the first run finishes unharmed: exit 0, output identical to GNU factor" bash -c \
  "[ $rc -eq 0 ] && cmp '$WORK/slow2x.expected' '$WORK/inuse.out'"
check "its progress line in the terminal: bar, share, rate, elapsed, ETA; then the final line" bash -c \
  "tr '\\r' '\\n' < '$WORK/tty.inuse' | grep -Eq '^mpifactor: \\[[# ]{20}\\] +[0-9]+\\.[0-9]% [0-9]+/~?[0-9]+ numbers, ([0-9]+/s, )?[0-9:]{8} elapsed' && \
   tr '\\r' '\\n' < '$WORK/tty.inuse' | grep -q '^mpifactor: $((2 * SLOW_COUNT)) numbers, '"
mf 2 --checkpoint "$WORK/inuse.ckpt" -o "$WORK/inuse.out" "$WORK/slow2x.txt" 2> "$WORK/err.inuse3"; rc=$?
check "once the first run has ended, the checkpoint is free again (resume of a finished run)" bash -c \
  "[ $rc -eq 0 ] && cmp '$WORK/slow2x.expected' '$WORK/inuse.out'"

# a checkpoint of format 1 (FNV-1a fingerprint, before this change): a clear message, nothing touched
printf 'mpifactor-checkpoint 1 0123456789abcdef\ndone 2 20 00000000\n' > "$WORK/v1.ckpt"; cp "$WORK/v1.ckpt" "$WORK/v1.orig"
printf 'keep\n' > "$WORK/v1.out"
mf 0 --checkpoint "$WORK/v1.ckpt" -o "$WORK/v1.out" "$WORK/small.txt" 2> "$WORK/err.v1"; rc=$?
check "checkpoint of format 1: exit 2, says so, checkpoint and output untouched" bash -c \
  "[ $rc -eq 2 ] && grep -q 'checkpoint format 1 was written by another version of mpifactor' '$WORK/err.v1' && \
   cmp '$WORK/v1.orig' '$WORK/v1.ckpt' && [ \"\$(cat '$WORK/v1.out')\" = keep ]"
# === end of issue 14 items 2, 3, 4, 6 ===

echo "integration: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
