#!/usr/bin/env bash
# jobs/retry.sh on this machine (mpirun, no Slurm): a run whose worker rank is killed with SIGKILL twice ends
# with output identical to GNU factor (one number per call) and each attempt logged; deaths beyond
# MPIFACTOR_RETRIES give up with a clear message and a manual rerun resumes; final ends are not retried.
# usage: tests/integration/retry.sh BUILD/mpifactor
# Kills are triggered by checkpoint records (`done N ...` with N above what was there), never by a sleep;
# the runs use --kernel plain so that they last long on any CPU, and commit every 0.25 s.
set -uo pipefail
BIN=$(realpath "${1:-build/mpifactor}")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MPIRUN="$ROOT/tests/lib/mpirun-local.sh"
RETRY="$ROOT/jobs/retry.sh"
WORK=$(mktemp -d /tmp/mf-retry.XXXXXX)
SEED=${MF_TEST_SEED:-$(date +%s)}
# Every rank of this script's runs carries this variable: how the kills find their target, and only it.
export MF_RETRY_TEST_TAG="retry-test-$$"
passed=0 failed=0
trap 'rm -rf "$WORK"' EXIT
echo "retry: seed $SEED (replay with MF_TEST_SEED=$SEED), work dir $WORK"

pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; [ -n "${2:-}" ] && sed 's/^/    /' "$2" | tail -n 25; }
# check NAME LOG COMMAND...: passes when the command succeeds, else shows LOG
check() { local name=$1 log=$2; shift 2; if "$@"; then pass "$name"; else fail "$name" "$log"; fi; }

# The lines done in checkpoint $1 (its last whole record; 0 when none).
done_in() { grep -aE '^done [0-9]+ [0-9]+ [0-9a-f]{8}$' "$1" 2>/dev/null | tail -n 1 | cut -d' ' -f2 | grep . || echo 0; }
# wait_until SECONDS COMMAND...: polls COMMAND every 0.05 s; 1 when SECONDS pass first.
wait_until() {
  local t=$1 i; shift
  for ((i = 0; i < t * 20; i++)); do "$@" && return 0; sleep 0.05; done
  return 1
}
more_done() { [ "$(done_in "$1")" -gt "$2" ]; }
alive() { kill -0 "$1" 2>/dev/null; }
# kill_rank R: SIGKILL to this script's live rank R (found through /proc/PID/environ); 0 when one was killed.
kill_rank() {
  local p env killed=1
  for p in $(pgrep -x mpifactor); do
    env=$(tr '\0' '\n' 2>/dev/null < "/proc/$p/environ") || continue
    if grep -qx "MF_RETRY_TEST_TAG=$MF_RETRY_TEST_TAG" <<<"$env" && grep -qx "OMPI_COMM_WORLD_RANK=$1" <<<"$env"; then
      kill -KILL "$p" && killed=0
    fi
  done
  return $killed
}
# kill_when_more NAME CKPT ABOVE RANK PID: waits until CKPT records more than ABOVE lines done (a running
# attempt has committed), then kills RANK. Fails (test bug: workload too short) when run PID ended first.
kill_when_more() {
  local name=$1 ck=$2 above=$3 rank=$4 pid=$5
  if ! wait_until 120 more_done "$ck" "$above"; then echo "$name: no checkpoint record above $above"; return 1; fi
  alive "$pid" || { echo "$name: the run ended before the kill (workload too short for this CPU)"; return 1; }
  kill_rank "$rank" || { echo "$name: no rank $rank to kill"; return 1; }
}
# The lines done that attempt $2 reported in retry.sh's stderr $1 ("attempt K: lines done B -> A; ...").
after_attempt() { sed -n "s/^retry.sh: attempt $2: lines done [0-9]* -> \\([0-9]*\\);.*/\\1/p" "$1"; }
export -f after_attempt # used inside the checks' bash -c
logged() { grep -q "^retry.sh: attempt $2: " "$1"; }

# --- workload: 50-bit semiprimes on the plain kernel (seconds of work on 2 ranks on any CPU) -------------
COUNT=300
python3 "$ROOT/jobs/gen_numbers.py" --count "$COUNT" --bits 50 --seed "$SEED" > "$WORK/in.txt"
xargs -n 1 factor < "$WORK/in.txt" > "$WORK/expected"
run_args() { echo "$MPIRUN ${QUIET:-} -np 2 $BIN --kernel plain --checkpoint-interval 0.25 --checkpoint $1 -o $2 $WORK/in.txt"; }

# --- 1. a worker rank killed twice in one retry.sh run ----------------------------------------------------
ck=$WORK/twice.ckpt out=$WORK/twice.out err=$WORK/twice.err
# shellcheck disable=SC2046  # run_args is a word list without spaces inside words
timeout -k 5 300 "$RETRY" -- $(run_args "$ck" "$out") 2> "$err" & pid=$!
ok=1
kill_when_more twice "$ck" 0 1 "$pid" || ok=0
if [ $ok -eq 1 ] && wait_until 60 logged "$err" 1; then
  d1=$(after_attempt "$err" 1)
  kill_when_more twice "$ck" "${d1:-0}" 1 "$pid" || ok=0
else
  ok=0
fi
wait "$pid"; rc=$?
check "retry.sh: rank 1 killed (SIGKILL) in two attempts; exit 0, output identical to GNU factor" "$err" \
  bash -c "[ $ok -eq 1 ] && [ $rc -eq 0 ] && cmp -s '$WORK/expected' '$out'"
check "retry.sh: attempts 1 and 2 logged as rank deaths (signal 9, lines done rising), attempt 3 finished" "$err" \
  bash -c "grep -Eq '^retry.sh: attempt 1: lines done 0 -> [1-9][0-9]*; rank death: .*rank 1 .*exited on signal 9.*; retry 1 of 3$' '$err' &&
           grep -Eq '^retry.sh: attempt 2: lines done [1-9][0-9]* -> [1-9][0-9]*; rank death: .*exited on signal 9.*; retry 2 of 3$' '$err' &&
           grep -Eq '^retry.sh: attempt 3: lines done [1-9][0-9]* -> $COUNT; finished \\(exit 0\\)$' '$err' &&
           [ \"\$(after_attempt '$err' 2)\" -gt \"\$(after_attempt '$err' 1)\" ]"

# --- 2. more deaths than MPIFACTOR_RETRIES: gives up, clearly; the same command by hand resumes ------------
ck=$WORK/many.ckpt out=$WORK/many.out err=$WORK/many.err
# shellcheck disable=SC2046
MPIFACTOR_RETRIES=1 timeout -k 5 300 "$RETRY" $(QUIET=-q run_args "$ck" "$out") 2> "$err" & pid=$!
ok=1
kill_when_more many "$ck" 0 1 "$pid" || ok=0
if [ $ok -eq 1 ] && wait_until 60 logged "$err" 1; then
  kill_when_more many "$ck" "$(after_attempt "$err" 1)" 0 "$pid" || ok=0   # rank 0 this time
else
  ok=0
fi
wait "$pid"; rc=$?
lines=$(done_in "$ck")
check "MPIFACTOR_RETRIES=1, rank 1 then rank 0 killed (mpirun -q: told by the exit status): gives up, exit 137, resume hint" "$err" \
  bash -c "[ $ok -eq 1 ] && [ $rc -eq 137 ] && grep -q '^retry.sh: attempt 2: .*rank death: the launcher ended by signal 9 (exit 137)$' '$err' &&
           grep -qx 'retry.sh: giving up after 1 retries (MPIFACTOR_RETRIES): the run died 2 times. $ck records $lines lines done: run the same command again to resume.' '$err' &&
           [ $lines -gt 0 ] && [ $lines -lt $COUNT ] && ! grep -q 'attempt 3' '$err'"
# shellcheck disable=SC2046
timeout -k 5 300 "$RETRY" $(run_args "$ck" "$out") 2> "$err.2"; rc=$?
check "the same command run again by hand resumes from line $lines: exit 0, output identical to GNU factor" "$err.2" \
  bash -c "[ $rc -eq 0 ] && cmp -s '$WORK/expected' '$out' && grep -Eq '^retry.sh: attempt 1: lines done $lines -> $COUNT; finished' '$err.2'"

# --- 3. a stop request is final: SIGTERM to retry.sh stops the run (exit 3) and nothing is retried ---------
ck=$WORK/term.ckpt out=$WORK/term.out err=$WORK/term.err
# shellcheck disable=SC2046
timeout --foreground -k 5 300 "$RETRY" $(run_args "$ck" "$out") 2> "$err" & pid=$!
# TERM to retry.sh itself (timeout would signal its whole process group, mpirun included)
if wait_until 120 more_done "$ck" 0 && alive "$pid"; then kill -TERM "$(pgrep -P "$pid")"; fi
wait "$pid"; rc=$?
check "SIGTERM to retry.sh: passed on as USR1, exit 3, logged as a stop, no second attempt" "$err" \
  bash -c "[ $rc -eq 3 ] && grep -q 'retry.sh: got SIGTERM, asking the step to stop' '$err' &&
           grep -q '^retry.sh: attempt 1: .*asked to stop (exit 3): not retried' '$err' && ! grep -q 'attempt 2' '$err'"

# --- 4. other final ends: not retried, the status passed through ------------------------------------------
printf '12\nx\n35\n' > "$WORK/bad.txt"
"$RETRY" "$MPIRUN" -q -np 2 "$BIN" --checkpoint "$WORK/bad.ckpt" -o "$WORK/bad.out" "$WORK/bad.txt" 2> "$WORK/bad.err"; rc=$?
check "invalid input: exit 1, one attempt, logged as final" "$WORK/bad.err" \
  bash -c "[ $rc -eq 1 ] && grep -q '^retry.sh: attempt 1: lines done 0 -> 2; invalid input seen (exit 1): final$' '$WORK/bad.err' && ! grep -q 'attempt 2' '$WORK/bad.err'"
"$RETRY" "$MPIRUN" -q -np 2 "$BIN" --bogus --checkpoint "$WORK/u.ckpt" -o "$WORK/u.out" "$WORK/bad.txt" 2> "$WORK/u.err"; rc=$?
check "usage error: exit 2, one attempt, logged as final" "$WORK/u.err" \
  bash -c "[ $rc -eq 2 ] && grep -q 'usage or I/O error (exit 2): final' '$WORK/u.err' && ! grep -q 'attempt 2' '$WORK/u.err'"
"$RETRY" "$MPIRUN" -q -np 2 "$BIN" -o "$WORK/n.out" "$WORK/bad.txt" 2> "$WORK/n.err"; rc=$?
check "a command without --checkpoint is refused (exit 2) before it runs" "$WORK/n.err" \
  bash -c "[ $rc -eq 2 ] && grep -q 'must use --checkpoint FILE' '$WORK/n.err' && [ ! -e '$WORK/n.out' ]"
MPIFACTOR_RETRIES=x "$RETRY" true --checkpoint c 2> "$WORK/r.err"; rc=$?
check "MPIFACTOR_RETRIES not a number: exit 2" "$WORK/r.err" bash -c "[ $rc -eq 2 ] && grep -q 'MPIFACTOR_RETRIES must be a whole number' '$WORK/r.err'"

echo "retry: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
