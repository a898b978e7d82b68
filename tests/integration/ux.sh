#!/usr/bin/env bash
# Integration tests of what a new user met (issue 21): exit 6 for a finished run that --max-divisor left
# incomplete, a line on a finished resume, an exact progress total, Ctrl-C through jobs/mpifactor.sbatch,
# Open MPI's exit box, results/ git-ignored. Outputs compared with GNU factor run one number per call.
# usage: tests/integration/ux.sh BUILD/mpifactor
set -uo pipefail
BIN=$(realpath "${1:-build/mpifactor}")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MPIRUN="$HERE/../lib/mpirun-local.sh"
WORK=$(mktemp -d /tmp/mf-ux.XXXXXX)
SEED=${MF_TEST_SEED:-$(date +%s)}
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0
echo "ux: seed $SEED (replay with MF_TEST_SEED=$SEED), work dir $WORK"

. "$(dirname "$0")/../lib/harness.sh" # pass, fail, check
# mf NP ARGS...: runs mpifactor on NP ranks (0: without mpirun, as a singleton) with a time limit
mf() {
  local np=$1; shift
  if [ "$np" -eq 0 ]; then timeout -k 5 120 "$BIN" "$@"; else timeout -k 5 120 "$MPIRUN" -q -np "$np" "$BIN" "$@"; fi
}
expected() { xargs -n 1 factor < "$1"; }  # GNU factor, one number per call (9.1 reorders otherwise)
# wait_done CKPT: waits (up to 120 s) until the checkpoint holds a record of at least one finished number
wait_done() {
  local _
  for _ in $(seq 1200); do grep -Eq '^done [1-9]' "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
# stamp FILE...: content hash, size and modification time (nanoseconds) of each file
stamp() { local f; for f in "$@"; do echo "$(sha256sum < "$f") $(stat -c '%s %.9Y' "$f")"; done; }
if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi

# --- 1. exit 6: finished, but --max-divisor left numbers unfactored -----------------------------------------
# 6000216000594 = 2 * 3 * 1000003 * 1000033 and 2^128 + 1 (two primes above 2^50) stay incomplete under 1000
printf '6000216000594\n221\n340282366920938463463374607431768211457\n' > "$WORK/bound.txt"
printf '6000216000594: 2 3 unfactored:1000036000099\n221: 13 17\n340282366920938463463374607431768211457: unfactored:340282366920938463463374607431768211457\n' \
  > "$WORK/bound.expected"
for np in 0 2; do
  mf "$np" --max-divisor 1000 --stats "$WORK/bound.$np.json" "$WORK/bound.txt" > "$WORK/bound.$np" 2> "$WORK/err.bound.$np"; rc=$?
  check "--max-divisor leaves 2 of 3 unfactored, np=$np: exit 6, records marked, stats count 2, stderr empty" bash -c \
    "[ $rc -eq 6 ] && cmp '$WORK/bound.expected' '$WORK/bound.$np' && [ ! -s '$WORK/err.bound.$np' ] && python3 -c \"
import json; s = json.load(open('$WORK/bound.$np.json')); assert s['unfactored'] == 2 and s['exit_code'] == 6, s\""
done
mf 2 --max-divisor 2000000 "$WORK/bound.txt" > /dev/null; rc=$?
check "a bound that still leaves one unfactored: exit 6" test "$rc" -eq 6
printf '221\n1000036000099\n' > "$WORK/enough.txt"
expected "$WORK/enough.txt" > "$WORK/enough.expected"
mf 2 --max-divisor 1000033 --stats "$WORK/enough.json" "$WORK/enough.txt" > "$WORK/enough.out"; rc=$?
check "--max-divisor that completes every number: exit 0, stats unfactored 0" bash -c \
  "[ $rc -eq 0 ] && cmp '$WORK/enough.expected' '$WORK/enough.out' && \
   python3 -c \"import json; assert json.load(open('$WORK/enough.json'))['unfactored'] == 0\""
printf '6000216000594\nabc\n221\n' > "$WORK/boundbad.txt"
mf 2 --max-divisor 1000 --stats "$WORK/boundbad.json" "$WORK/boundbad.txt" > /dev/null 2> "$WORK/err.boundbad"; rc=$?
check "invalid input and unfactored: 1 wins (precedence), stats still count 1 unfactored" bash -c \
  "[ $rc -eq 1 ] && grep -q \"'abc' is not a valid\" '$WORK/err.boundbad' && \
   python3 -c \"import json; s = json.load(open('$WORK/boundbad.json')); assert s['unfactored'] == 1 and s['invalid_tokens'] == 1, s\""
# a number split into ranges across ranks (4294967291^2, one hard number at np 3) and stopped by the bound
echo 18446744030759878681 > "$WORK/hard.txt"
mf 3 --max-divisor 3000000000 "$WORK/hard.txt" > "$WORK/hard.out"; rc=$?
check "split number stopped by --max-divisor: exit 6, reported unfactored" bash -c \
  "[ $rc -eq 6 ] && grep -qx '18446744030759878681: unfactored:18446744030759878681' '$WORK/hard.out'"

# --- 2. a finished job run again: one line, exit as before, files untouched --------------------------------
python3 "$HERE/gen_numbers.py" mixed 500 "$SEED" > "$WORK/mixed.txt"
expected "$WORK/mixed.txt" > "$WORK/mixed.expected"
rm -f "$WORK/fin.out" "$WORK/fin.ckpt"
mf 2 --checkpoint "$WORK/fin.ckpt" -o "$WORK/fin.out" "$WORK/mixed.txt"; rc=$?
before=$(stamp "$WORK/fin.out" "$WORK/fin.ckpt")
mf 2 --checkpoint "$WORK/fin.ckpt" -o "$WORK/fin.out" "$WORK/mixed.txt" 2> "$WORK/err.fin"; rc2=$?
after=$(stamp "$WORK/fin.out" "$WORK/fin.ckpt")
check "finished job run again: exit 0, one line 'already complete (500 numbers)', output and checkpoint untouched" bash -c \
  "[ $rc -eq 0 ] && [ $rc2 -eq 0 ] && cmp '$WORK/mixed.expected' '$WORK/fin.out' && [ '$before' = '$after' ] && \
   [ \"\$(cat '$WORK/err.fin')\" = 'mpifactor: $WORK/fin.ckpt: already complete (500 numbers); nothing to do' ]"
for fmt in text jsonl csv; do
  rm -f "$WORK/bfin.$fmt" "$WORK/bfin.$fmt.ckpt"
  mf 0 --max-divisor 1000 -f "$fmt" --checkpoint "$WORK/bfin.$fmt.ckpt" -o "$WORK/bfin.$fmt" "$WORK/bound.txt"; rc=$?
  before=$(stamp "$WORK/bfin.$fmt" "$WORK/bfin.$fmt.ckpt")
  mf 2 --max-divisor 1000 -f "$fmt" --checkpoint "$WORK/bfin.$fmt.ckpt" -o "$WORK/bfin.$fmt" "$WORK/bound.txt" \
    2> "$WORK/err.bfin"; rc2=$?
  after=$(stamp "$WORK/bfin.$fmt" "$WORK/bfin.$fmt.ckpt")
  check "finished bounded job ($fmt) run again: exit 6 both times, the line, files untouched" bash -c \
    "[ $rc -eq 6 ] && [ $rc2 -eq 6 ] && [ '$before' = '$after' ] && grep -q 'already complete (3 numbers)' '$WORK/err.bfin'"
done
# interrupted after the unfactored number: the resumed run writes only complete ones and still exits 6
{ echo 170141183460469231731687303715884105727; python3 "$HERE/gen_numbers.py" semiprime 200 "$SEED"; } > "$WORK/bslow.txt"
{ echo '170141183460469231731687303715884105727: unfactored:170141183460469231731687303715884105727'
  tail -n +2 "$WORK/bslow.txt" | xargs -n 1 factor; } > "$WORK/bslow.expected"
rm -f "$WORK/bslow.out" "$WORK/bslow.ckpt"
"$BIN" --kernel plain --max-divisor 200000000 --checkpoint "$WORK/bslow.ckpt" -o "$WORK/bslow.out" "$WORK/bslow.txt" \
  2> "$WORK/err.bslow" & pid=$!
wait_done "$WORK/bslow.ckpt"; kill -TERM $pid; wait $pid; rc=$?
mf 2 --max-divisor 200000000 --checkpoint "$WORK/bslow.ckpt" -o "$WORK/bslow.out" "$WORK/bslow.txt"; rc2=$?
check "bounded run stopped after its unfactored number (exit $rc), resumed: exit 6, output identical" bash -c \
  "[ $rc -eq 3 ] && [ $rc2 -eq 6 ] && cmp '$WORK/bslow.expected' '$WORK/bslow.out'"

# --- 3. the progress total: exact for files, from the first line on -----------------------------------------
# 60 semiprimes of two 26-bit primes (seconds with --kernel plain on any CPU) among 60 powers of two of 1 to 29
# digits: line lengths that made the old estimate (from the bytes of the numbers written) move
python3 - "$SEED" "$ROOT/jobs" > "$WORK/prog.txt" <<'EOF'
import random, sys
sys.path.insert(0, sys.argv[2])
from gen_numbers import random_prime
rng = random.Random(int(sys.argv[1]))
out = [random_prime(rng, 26) * random_prime(rng, 26) for _ in range(60)] + [2 ** rng.randrange(1, 95) for _ in range(60)]
rng.shuffle(out)
print("\n".join(map(str, out)))
EOF
expected "$WORK/prog.txt" > "$WORK/prog.expected"
for pio in --no-parallel-io --parallel-io; do
  mf 2 --kernel plain "$pio" --progress -o "$WORK/prog.out" "$WORK/prog.txt" 2> "$WORK/err.prog"; rc=$?
  tr '\r' '\n' < "$WORK/err.prog" | grep -o '[0-9]*/~*[0-9]* numbers' > "$WORK/prog.lines"
  check "progress $pio: $(wc -l < "$WORK/prog.lines") running lines, every one 'N/120' (exact, never '~'), output right" bash -c \
    "[ $rc -eq 0 ] && cmp '$WORK/prog.expected' '$WORK/prog.out' && [ -s '$WORK/prog.lines' ] && \
     ! grep -qv '^[0-9]*/120 numbers$' '$WORK/prog.lines'"
done
# standard input: no total while reading, then the count
mf 2 --kernel plain --progress -o "$WORK/prog.out" < "$WORK/prog.txt" 2> "$WORK/err.prog"; rc=$?
tr '\r' '\n' < "$WORK/err.prog" | grep -o '[0-9/~]* numbers' > "$WORK/prog.lines"
check "progress from stdin: counts without a guessed total, or the exact one" bash -c \
  "[ $rc -eq 0 ] && [ -s '$WORK/prog.lines' ] && ! grep -Eqv '^([0-9]+|[0-9]+/120) numbers$' '$WORK/prog.lines'"

# --- 4. Ctrl-C: through jobs/mpifactor.sbatch without Slurm, a clean stop with exit 3 ------------------------
# A terminal's Ctrl-C signals its whole foreground process group: here a session and process group of its own
# holding the script, signalled as a terminal would once the checkpoint records finished numbers. (A shell
# starts background commands with SIGINT ignored, which a script cannot trap: the starter restores it.)
foreground() { exec python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.setsid(); os.execvp(sys.argv[1], sys.argv[1:])' "$@"; }
python3 "$HERE/gen_numbers.py" semiprime 300 "$SEED" > "$WORK/slow.txt"
expected "$WORK/slow.txt" > "$WORK/slow.expected"
rm -f "$WORK/job.out"*
MPIFACTOR_NP=2 MPIFACTOR_BIN="$BIN" foreground bash "$ROOT/jobs/mpifactor.sbatch" "$WORK/slow.txt" "$WORK/job.out" --kernel plain \
  > "$WORK/job.log" 2>&1 & pid=$!
wait_done "$WORK/job.out.ckpt"
t0=$(date +%s.%N); kill -INT -- "-$pid"; wait $pid; rc=$?; t1=$(date +%s.%N)
took=$(python3 -c "print(f'{$t1 - $t0:.1f}')")
check "Ctrl-C to mpifactor.sbatch (no Slurm): exit 3 in ${took} s, run record 'end: exit 3' and what it means" bash -c \
  "[ $rc -eq 3 ] && grep -q 'end: exit 3$' '$WORK/job.out.run.txt' && grep -q '^meaning: interrupted' '$WORK/job.out.run.txt' \
   && [ \$(wc -l < '$WORK/job.out') -lt 300 ]"
MPIFACTOR_NP=2 MPIFACTOR_BIN="$BIN" bash "$ROOT/jobs/mpifactor.sbatch" "$WORK/slow.txt" "$WORK/job.out" > "$WORK/job.log" 2>&1; rc=$?
check "the same command resumes: exit 0, output identical to GNU factor" bash -c \
  "[ $rc -eq 0 ] && cmp '$WORK/slow.expected' '$WORK/job.out' && grep -q 'end: exit 0$' '$WORK/job.out.run.txt'"
MPIFACTOR_NP=2 MPIFACTOR_BIN="$BIN" bash "$ROOT/jobs/mpifactor.sbatch" "$WORK/bound.txt" "$WORK/jobb.out" --max-divisor 1000 \
  > "$WORK/jobb.log" 2>&1; rc=$?
check "mpifactor.sbatch with --max-divisor: job exit 0 (complete), run record 'end: exit 6' and what it means" bash -c \
  "[ $rc -eq 0 ] && cmp '$WORK/bound.expected' '$WORK/jobb.out' && grep -q 'end: exit 6$' '$WORK/jobb.out.run.txt' && \
   grep -q '^meaning: finished; some numbers left unfactored' '$WORK/jobb.out.run.txt'"
# a singleton (no mpirun) stops at once on SIGINT with exit 3
rm -f "$WORK/single.out" "$WORK/single.ckpt"
"$BIN" --kernel plain --checkpoint "$WORK/single.ckpt" -o "$WORK/single.out" "$WORK/slow.txt" 2> "$WORK/err.single" & pid=$!
wait_done "$WORK/single.ckpt"; kill -INT $pid; wait $pid; rc=$?
check "SIGINT to a singleton: exit 3 and the resume hint" bash -c \
  "[ $rc -eq 3 ] && grep -q 'run the same command again to resume' '$WORK/err.single'"
# SIGUSR1 to mpirun: forwarded at once, exit 3 (what a user sends for a clean stop under mpirun)
rm -f "$WORK/usr1.out" "$WORK/usr1.ckpt"
"$MPIRUN" -q -np 2 "$BIN" --kernel plain --checkpoint "$WORK/usr1.ckpt" -o "$WORK/usr1.out" "$WORK/slow.txt" 2> "$WORK/err.usr1" & pid=$!
wait_done "$WORK/usr1.ckpt"; kill -USR1 $pid; wait $pid; rc=$?
check "SIGUSR1 to mpirun: exit 3 and the resume hint" bash -c \
  "[ $rc -eq 3 ] && grep -q 'run the same command again to resume' '$WORK/err.usr1'"

# --- 5. Open MPI's exit-code box: the documented remedy (the program cannot avoid it and keep its status) ----
printf '10\nabc\n12\n' > "$WORK/bad.txt"
OMPI_MCA_orte_execute_quiet=1 timeout -k 5 120 "$MPIRUN" -np 2 "$BIN" "$WORK/bad.txt" > "$WORK/out.bad" 2> "$WORK/err.bad"; rc=$?
check "OMPI_MCA_orte_execute_quiet=1: exit 1 kept, stderr only mpifactor's line" bash -c \
  "[ $rc -eq 1 ] && [ \"\$(cat '$WORK/err.bad')\" = \"mpifactor: $WORK/bad.txt:2: 'abc' is not a valid non-negative integer\" ] && \
   printf '10: 2 5\n12: 2 2 3\n' | cmp - '$WORK/out.bad'"

# --- 6. results/ of the documented scaling commands is git-ignored -------------------------------------------
if git -C "$ROOT" rev-parse --git-dir > /dev/null 2>&1; then
  check "results/ and scaling-results/ in the repository root are git-ignored, jobs/results/ is not" bash -c \
    "git -C '$ROOT' check-ignore -q results/strong/scaling.csv && git -C '$ROOT' check-ignore -q scaling-results/scaling.csv && \
     ! git -C '$ROOT' check-ignore -q jobs/results/new.csv"
fi

echo "ux: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
