#!/usr/bin/env bash
# Integration tests of --parallel-io: workers read their slices from the input files and write their results
# into -o FILE themselves. Output identical to GNU factor at every rank count and format, bad input, split
# numbers, checkpoint/resume after a signal and a time limit, and ranks that do not see the same files.
# usage: tests/integration/parallel_io.sh BUILD/mpifactor
set -uo pipefail
BIN=$(realpath "${1:-build/mpifactor}")
HERE=$(cd "$(dirname "$0")" && pwd)
MPIRUN="$HERE/../lib/mpirun-local.sh"
. "$HERE/../lib/wait-for.sh"   # the signal tests wait for checkpoint records, never a fixed time
WORK=$(mktemp -d /tmp/mf-parallel-io.XXXXXX)
SEED=${MF_TEST_SEED:-$(date +%s)}
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0
echo "parallel-io: seed $SEED (replay with MF_TEST_SEED=$SEED), work dir $WORK"

. "$(dirname "$0")/../lib/harness.sh" # pass, fail, check
mf() { local np=$1; shift; timeout -k 5 120 "$MPIRUN" -q -np "$np" "$BIN" "$@"; }
expected() { xargs -n 1 factor < "$1"; }  # GNU factor, one number per call (9.1 reorders otherwise)

python3 "$HERE/gen_numbers.py" mixed 3000 "$SEED" > "$WORK/mixed.txt"
expected "$WORK/mixed.txt" > "$WORK/mixed.expected"

# --- identical output at every rank count; the result bytes no longer travel to rank 0 ---------------
for np in 1 2 3 5; do
  rm -f "$WORK/out.$np"
  mf "$np" --parallel-io --stats "$WORK/stats.$np.json" -o "$WORK/out.$np" "$WORK/mixed.txt" 2> "$WORK/err.$np"; rc=$?
  check "np=$np: exit 0, output identical to GNU factor, nothing on stderr" \
    bash -c "[ $rc -eq 0 ] && cmp '$WORK/mixed.expected' '$WORK/out.$np' && [ ! -s '$WORK/err.$np' ]"
done
check "np=5: rank 0 received less than a tenth of the output's bytes (the workers wrote their own)" python3 -c "
import json, os
s = json.load(open('$WORK/stats.5.json'))
assert s['per_rank'][0]['bytes_received'] * 10 < os.path.getsize('$WORK/out.5'), s['per_rank'][0]
"
printf '6 35\n' > "$WORK/two.txt"
mf 7 --parallel-io -o "$WORK/out.two" "$WORK/two.txt"; rc=$?
check "7 ranks, 2 numbers" bash -c "[ $rc -eq 0 ] && printf '6: 2 3\n35: 5 7\n' | cmp - '$WORK/out.two'"
printf 'stale bytes that are longer than the output\n%.0s' $(seq 50) > "$WORK/out.stale"
mf 3 --parallel-io -o "$WORK/out.stale" "$WORK/two.txt"; rc=$?
check "an existing output file is replaced, not overwritten in place" bash -c \
  "[ $rc -eq 0 ] && printf '6: 2 3\n35: 5 7\n' | cmp - '$WORK/out.stale'"

# --- formats, several files with stdin between them ----------------------------------------------------
for fmt in jsonl csv; do
  mf 3 -f "$fmt" -o "$WORK/ref.$fmt" "$WORK/mixed.txt"
  mf 3 --parallel-io -f "$fmt" -o "$WORK/par.$fmt" "$WORK/mixed.txt"; rc=$?
  check "format $fmt, np=3: identical to the run without --parallel-io" bash -c \
    "[ $rc -eq 0 ] && cmp '$WORK/ref.$fmt' '$WORK/par.$fmt'"
done
head -n 1000 "$WORK/mixed.txt" > "$WORK/part1.txt"; tail -n +1001 "$WORK/mixed.txt" > "$WORK/part2.txt"
printf '12\n35\n' > "$WORK/middle.txt"
mf 3 --parallel-io -o "$WORK/out.files" "$WORK/part1.txt" - "$WORK/part2.txt" < "$WORK/middle.txt"; rc=$?
{ head -n 1000 "$WORK/mixed.expected"; printf '12: 2 2 3\n35: 5 7\n'; tail -n +1001 "$WORK/mixed.expected"; } > "$WORK/files.expected"
check "two files and stdin in order (stdin's slices travel as bytes)" bash -c \
  "[ $rc -eq 0 ] && cmp '$WORK/files.expected' '$WORK/out.files'"

# --- bad input: same messages in order, exit 1 ---------------------------------------------------------
printf '10\nabc 11\n-5 3.14 12\n1e10 0x1F 12x 13\n\xd9\xa3 14\n' > "$WORK/bad.txt"
mf 1 -o "$WORK/bad.ref" "$WORK/bad.txt" 2> "$WORK/bad.ref.err"
for np in 2 3; do
  mf "$np" --parallel-io -o "$WORK/bad.out" "$WORK/bad.txt" 2> "$WORK/bad.err"; rc=$?
  check "bad tokens, np=$np: exit 1, the same output and messages naming file and line" bash -c \
    "[ $rc -eq 1 ] && cmp '$WORK/bad.ref' '$WORK/bad.out' && diff '$WORK/bad.ref.err' '$WORK/bad.err' && \
     grep -q 'bad.txt:2: .abc. is not a valid' '$WORK/bad.err'"
done

# --- bad tokens over many units: slices cut by byte offset, lines counted by the ranks and numbered by rank 0 as
# results come in order; messages byte-identical to np 1 (where rank 0 reads every line itself) ----------------
python3 - "$WORK/many-bad.txt" "$WORK/many-bad2.txt" <<'PY'
import random, sys
rng = random.Random(7)
with open(sys.argv[1], "w") as f:
    for i in range(6000):
        r = rng.random()
        f.write("bad%d\n" % i if r < 0.01 else "# note %d\n" % i if r < 0.02 else "\n" if r < 0.03 else
                "%d x%d %d\n" % (rng.randrange(10**9), i, rng.randrange(10**6)) if r < 0.04 else
                "%d\n" % rng.randrange(10**12))
with open(sys.argv[2], "w") as f:
    f.write("5 y 9\n#c\n\n12 z")
PY
mf 1 -o "$WORK/many-bad.ref" "$WORK/many-bad.txt" "$WORK/many-bad2.txt" 2> "$WORK/many-bad.ref.err"
for np in 2 3 5; do
  mf "$np" --parallel-io --stats "$WORK/many-bad.$np.json" -o "$WORK/many-bad.out" "$WORK/many-bad.txt" \
    "$WORK/many-bad2.txt" 2> "$WORK/many-bad.err"; rc=$?
  check "bad tokens over many units, two files, np=$np: exit 1, output and messages identical to np 1" bash -c \
    "[ $rc -eq 1 ] && cmp '$WORK/many-bad.ref' '$WORK/many-bad.out' && diff '$WORK/many-bad.ref.err' '$WORK/many-bad.err' && \
     grep -q 'many-bad2.txt:4: .z. is not a valid' '$WORK/many-bad.err' && \
     python3 -c \"import json; s = json.load(open('$WORK/many-bad.$np.json')); assert s['units'] >= 8 and s['parallel_io'], s\""
done

# --- split numbers -------------------------------------------------------------------------------------
{ seq 2 200; echo 16669120120502208091; seq 201 300; echo 18446744030759878681; } > "$WORK/hard.txt"
expected "$WORK/hard.txt" > "$WORK/hard.expected"
mf 3 --parallel-io --verify --stats "$WORK/hard.json" -o "$WORK/hard.out" "$WORK/hard.txt"; rc=$?
check "hard numbers split over ranks, np=3 with --verify: identical" bash -c \
  "[ $rc -eq 0 ] && cmp '$WORK/hard.expected' '$WORK/hard.out' && python3 -c \"import json; assert json.load(open('$WORK/hard.json'))['numbers_split'] >= 1\""

# --- checkpoint and resume -------------------------------------------------------------------------------
# Semiprimes of two 27-bit primes. The stopped runs use the slowest kernel (--kernel plain: about 0.1 s a number on
# any CPU) and are signalled once their checkpoint records progress; the resumes use the default kernel.
SLOW_COUNT=300
python3 "$HERE/gen_numbers.py" semiprime $SLOW_COUNT "$SEED" > "$WORK/slow.txt"
expected "$WORK/slow.txt" > "$WORK/slow.expected"
rm -f "$WORK/slow.out" "$WORK/slow.ckpt"
"$MPIRUN" -q -np 3 "$BIN" --kernel plain --parallel-io --checkpoint "$WORK/slow.ckpt" -o "$WORK/slow.out" "$WORK/slow.txt" \
  2> "$WORK/slow.err" & pid=$!
seen=$(mf_wait_done "$WORK/slow.ckpt" 1 $((SLOW_COUNT - 1)) $pid 2> "$WORK/wait.slow") || seen=-1
kill -USR1 $pid; wait $pid; rc=$?
lines=$(wc -l < "$WORK/slow.out")
check "SIGUSR1 mid-run (at $seen done): exit 3, $lines of $SLOW_COUNT lines written, a resume hint" bash -c \
  "cat '$WORK/wait.slow'; [ $seen -ge 1 ] && [ $rc -eq 3 ] && [ $lines -lt $SLOW_COUNT ] && grep -q 'run the same command again to resume' '$WORK/slow.err'"
mf 3 --parallel-io --checkpoint "$WORK/slow.ckpt" -o "$WORK/slow.out" "$WORK/slow.txt"; rc=$?
check "the same command resumes to output identical to GNU factor" bash -c \
  "[ $rc -eq 0 ] && cmp '$WORK/slow.expected' '$WORK/slow.out'"
# with bad tokens: the resumed run reports the done prefix's again, then numbers the rest's lines from where the
# prefix ended (its slices are cut by offset); messages identical to an uninterrupted np 1 run
awk 'NR % 23 == 0 { print "bad" NR } { print } NR % 40 == 0 { print "# c" }' "$WORK/slow.txt" > "$WORK/slowbad.txt"
mf 1 -o "$WORK/slowbad.ref" "$WORK/slowbad.txt" 2> "$WORK/slowbad.ref.err"
rm -f "$WORK/slowbad.out" "$WORK/slowbad.ckpt"
"$MPIRUN" -q -np 3 "$BIN" --kernel plain --parallel-io --checkpoint "$WORK/slowbad.ckpt" -o "$WORK/slowbad.out" \
  "$WORK/slowbad.txt" 2> /dev/null & pid=$!
seen=$(mf_wait_done "$WORK/slowbad.ckpt" 1 $((SLOW_COUNT - 1)) $pid 2> "$WORK/wait.slowbad") || seen=-1
kill -USR1 $pid; wait $pid
mf 3 --parallel-io --checkpoint "$WORK/slowbad.ckpt" -o "$WORK/slowbad.out" "$WORK/slowbad.txt" 2> "$WORK/slowbad.err"; rc=$?
check "bad tokens, resumed (at $seen done): exit 1, output and messages identical to an uninterrupted np 1 run" bash -c \
  "cat '$WORK/wait.slowbad'; [ $seen -ge 1 ] && [ $rc -eq 1 ] && cmp '$WORK/slowbad.ref' '$WORK/slowbad.out' && \
   diff '$WORK/slowbad.ref.err' '$WORK/slowbad.err'"
# a worker killed outright: the checkpoint holds only what the workers confirmed written
rm -f "$WORK/slow9.out" "$WORK/slow9.ckpt"
"$MPIRUN" -q -np 3 "$BIN" --kernel plain --parallel-io --checkpoint "$WORK/slow9.ckpt" -o "$WORK/slow9.out" "$WORK/slow.txt" \
  2> /dev/null & pid=$!
seen=$(mf_wait_done "$WORK/slow9.ckpt" 1 $((SLOW_COUNT - 1)) $pid 2> "$WORK/wait.slow9") || seen=-1
victim=$(mf_rank_pid $pid 2) && kill -KILL "$victim"
wait $pid; rc=$?
check "kill -9 of a worker (at $seen done): the run stops (status $rc)" bash -c \
  "cat '$WORK/wait.slow9'; [ $seen -ge 1 ] && [ $rc -ne 0 ]"
mf 3 --parallel-io --checkpoint "$WORK/slow9.ckpt" -o "$WORK/slow9.out" "$WORK/slow.txt"; rc=$?
check "kill -9 of a worker: the same command resumes to output identical to GNU factor" bash -c \
  "[ $rc -eq 0 ] && cmp '$WORK/slow.expected' '$WORK/slow9.out'"
# the time limit, not the end of the work, stops the run: the slowest kernel needs far more than 1 s on any CPU
rm -f "$WORK/tl.out" "$WORK/tl.ckpt"
mf 2 --kernel plain --parallel-io --time-limit 1 --stats "$WORK/tl.json" --checkpoint "$WORK/tl.ckpt" -o "$WORK/tl.out" \
  "$WORK/slow.txt" 2> "$WORK/tl.err"; rc=$?
check "--time-limit 1: exit 3 after at least 1 s, with the message, not all numbers done" bash -c \
  "[ $rc -eq 3 ] && grep -q 'stopping (time limit reached)' '$WORK/tl.err' && \
   python3 -c \"import json; s = json.load(open('$WORK/tl.json')); assert 0.95 <= s['wall_s'] and s['numbers'] < $SLOW_COUNT, s\""
mf 2 --checkpoint "$WORK/tl.ckpt" -o "$WORK/tl.out" "$WORK/slow.txt"; rc=$?
check "--time-limit: resumed without --parallel-io, identical" bash -c \
  "[ $rc -eq 0 ] && cmp '$WORK/slow.expected' '$WORK/tl.out'"

# --- usage and ranks that do not share the files ----------------------------------------------------------
mf 2 --parallel-io "$WORK/two.txt" > "$WORK/noout.out" 2> "$WORK/noout.err"; rc=$?
check "--parallel-io without -o: exit 2 with the reason" bash -c \
  "[ $rc -eq 2 ] && grep -q -- '--parallel-io needs -o FILE' '$WORK/noout.err'"
# rank 0 and rank 1 in different directories: relative paths name different files for them
mkdir -p "$WORK/a" "$WORK/b"
seq 2 3000 > "$WORK/a/in.txt"; seq 3 3001 > "$WORK/b/in.txt"
timeout -k 5 60 "$MPIRUN" -q -np 1 -wdir "$WORK/a" "$BIN" --parallel-io -o out.txt in.txt : \
  -np 1 -wdir "$WORK/b" "$BIN" --parallel-io -o out.txt in.txt > /dev/null 2> "$WORK/split.err"; rc=$?
probes=$(find "$WORK/a" "$WORK/b" -name '.mpifactor-probe-*' | wc -l)
check "input files that differ between ranks: refused at start-up (exit 2), naming rank, host, file and cause" bash -c \
  "[ $rc -eq 2 ] && grep -q '^mpifactor: rank 1 (host $(hostname)): in.txt: not the file rank 0 reads (size, modification time or sampled bytes differ); --parallel-io needs every rank to see the same files' '$WORK/split.err' \
   && [ ! -e '$WORK/a/out.txt' ] && [ $probes -eq 0 ]"
cp -p "$WORK/a/in.txt" "$WORK/b/in.txt"; rm -f "$WORK/b/out.txt" # the same bytes and time: the same input
timeout -k 5 60 "$MPIRUN" -q -np 1 -wdir "$WORK/a" "$BIN" --parallel-io -o out.txt in.txt : \
  -np 1 -wdir "$WORK/b" "$BIN" --parallel-io -o out.txt in.txt > /dev/null 2> "$WORK/split2.err"; rc=$?
probes=$(find "$WORK/a" "$WORK/b" -name '.mpifactor-probe-*' | wc -l)
check "an output directory the worker does not share: refused at start-up (exit 2), naming the file; no probe file left" bash -c \
  "[ $rc -eq 2 ] && grep -q '^mpifactor: rank 1 (host $(hostname)): out.txt: its directory \\. is not the one rank 0 sees (rank 0.s probe file \\.mpifactor-probe-[0-9a-f]* there: No such file or directory); --parallel-io needs every rank to see the same files' '$WORK/split2.err' \
   && [ ! -e '$WORK/a/out.txt' ] && [ ! -e '$WORK/b/out.txt' ] && [ $probes -eq 0 ]"

# --- the default with -o: on where every rank sees the same files, else rank 0 moves the bytes ------------
rm -f "$WORK/out.auto"
mf 3 --stats "$WORK/auto.json" -o "$WORK/out.auto" "$WORK/mixed.txt"; rc=$?
check "no option, np=3, one set of files: parallel I/O (--stats parallel_io true), identical to GNU factor" bash -c \
  "[ $rc -eq 0 ] && cmp '$WORK/mixed.expected' '$WORK/out.auto' && grep -q '\"parallel_io\":true' '$WORK/auto.json'"
mf 3 --no-parallel-io --stats "$WORK/off.json" -o "$WORK/out.off" "$WORK/mixed.txt"; rc=$?
check "--no-parallel-io, np=3: rank 0 moves the bytes (parallel_io false), identical to GNU factor" bash -c \
  "[ $rc -eq 0 ] && cmp '$WORK/mixed.expected' '$WORK/out.off' && grep -q '\"parallel_io\":false' '$WORK/off.json'"
seq 2 3000 > "$WORK/a/in.txt"; seq 3 3001 > "$WORK/b/in.txt"; rm -f "$WORK"/[ab]/out.txt
timeout -k 5 60 "$MPIRUN" -q -np 1 -wdir "$WORK/a" "$BIN" --stats stats.json -o out.txt in.txt : \
  -np 1 -wdir "$WORK/b" "$BIN" --stats stats.json -o out.txt in.txt > /dev/null 2> "$WORK/auto-split.err"; rc=$?
check "no option, ranks that see different files: rank 0 moves the bytes, output of rank 0's input" bash -c \
  "[ $rc -eq 0 ] && cmp <(xargs -n 1 factor < '$WORK/a/in.txt') '$WORK/a/out.txt' && grep -q '\"parallel_io\":false' '$WORK/a/stats.json' \
   && [ ! -e '$WORK/b/out.txt' ] && [ ! -s '$WORK/auto-split.err' ] \
   && [ -z \"\$(find '$WORK' -name '.mpifactor-probe-*')\" ]"

cp -p "$WORK/a/in.txt" "$WORK/b/in.txt"; rm -f "$WORK"/[ab]/out.txt # the same input, but two output directories
timeout -k 5 60 "$MPIRUN" -q -np 1 -wdir "$WORK/a" "$BIN" --stats stats.json -o out.txt in.txt : \
  -np 1 -wdir "$WORK/b" "$BIN" --stats stats.json -o out.txt in.txt > /dev/null 2> "$WORK/auto-split2.err"; rc=$?
check "no option, the same input but output directories not shared: rank 0 moves the bytes, identical" bash -c \
  "[ $rc -eq 0 ] && cmp <(xargs -n 1 factor < '$WORK/a/in.txt') '$WORK/a/out.txt' && grep -q '\"parallel_io\":false' '$WORK/a/stats.json' \
   && [ ! -e '$WORK/b/out.txt' ] && [ ! -s '$WORK/auto-split2.err' ] && [ -z \"\$(find '$WORK' -name '.mpifactor-probe-*')\" ]"

echo "parallel-io: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
