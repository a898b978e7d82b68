#!/usr/bin/env bash
# MPICH leg of make check: builds mpifactor with mpicc.mpich into build/mpich and runs it under Hydra (mpiexec.mpich).
#
# Installs Debian's mpich + libmpich-dev when missing (they sit beside Open MPI: mpicc/mpirun stay Open MPI's).
# Cases: the README's "Other MPI implementations" commands verbatim, output identical to GNU factor (one number
# per call) at 1, 2, 3 and 5 ranks and on stdin, bad input (message on stderr, exit 1, valid numbers written), and
# a clean stop on the signals Hydra forwards to the ranks (SIGTERM, SIGINT, SIGUSR1 sent to mpiexec.mpich, as a
# user, Slurm or a batch script would) followed by a resume that must equal GNU factor byte for byte.
# usage: tests/mpich/run.sh   (from any directory; MF_TEST_SEED replays the workloads)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GEN="$ROOT/tests/integration/gen_numbers.py"
BUILD=build/mpich
BIN="$ROOT/$BUILD/mpifactor"
SEED=${MF_TEST_SEED:-$(date +%s)}
WORK=$(mktemp -d /tmp/mf-mpich.XXXXXX)
passed=0 failed=0
pids=()

pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; [ -n "${2:-}" ] && [ -f "$2" ] && sed 's/^/    /' "$2" | tail -n 20; }
# check NAME COMMAND...: passes when the command succeeds (its output goes to the log shown on failure)
check() { local name=$1; shift; if "$@" >"$WORK/check.log" 2>&1; then pass "$name"; else fail "$name" "$WORK/check.log"; fi; }
finish() { echo "mpich: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "mpich: interrupted"; exit 3' INT TERM
# mf NP ARGS...: mpifactor on NP ranks under Hydra with a time limit
mf() { local np=$1; shift; timeout -k 5 120 mpiexec.mpich -n "$np" "$BIN" "$@"; }
expected() { xargs -n 1 factor <"$1"; }  # GNU factor, one number per call (9.1 reorders mixed input)

echo "mpich: seed $SEED (replay with MF_TEST_SEED=$SEED), work dir $WORK"
if ! timeout 900 "$ROOT/tests/lib/install-deps.sh" mpich libmpich-dev >"$WORK/deps.log" 2>&1; then
  fail "installing mpich libmpich-dev" "$WORK/deps.log"
  finish
fi
mpiexec.mpich --version 2>/dev/null | sed -n 's/^\(Version\|Release Date\): */mpich: hydra \1 /p'

# --- the README's commands, verbatim ---------------------------------------------------------------
# They must appear exactly like this in README.md's "Other MPI implementations" section (checked below), so the
# documentation and this test cannot drift apart.
readme_build='make CC=mpicc.mpich BUILD=build/mpich'
readme_run='mpiexec.mpich -n 4 build/mpich/mpifactor -o factors.txt numbers.txt'
section=$(awk '/^## /{p = ($0 ~ /^## Other MPI implementations/)} p' "$ROOT/README.md")
for cmd in "$readme_build" "$readme_run"; do
  check "README shows: $cmd" grep -qxF -- "$cmd" <<<"$section"
done

(cd "$ROOT" && bash -c "$readme_build") >"$WORK/build.log" 2>&1
rc=$?
if [ $rc -ne 0 ] || [ ! -x "$BIN" ]; then
  fail "README build: $readme_build (exit $rc)" "$WORK/build.log"
  finish
fi
check "README build: $readme_build links MPICH's libmpi, not Open MPI's" \
  bash -c "ldd '$BIN' | grep -q 'libmpich' && ! ldd '$BIN' | grep -q 'libmpi\\.so\\.40'"
if grep -E 'warning:' "$WORK/build.log" >"$WORK/warnings.log"; then
  fail "mpicc.mpich build: no compiler warnings" "$WORK/warnings.log"
else
  pass "mpicc.mpich build: no compiler warnings"
fi

# README run: in a scratch directory holding numbers.txt and build/mpich (a link to this checkout's build)
mkdir -p "$WORK/readme/build"
ln -s "$ROOT/$BUILD" "$WORK/readme/build/mpich"
python3 "$GEN" mixed 400 "$SEED" >"$WORK/readme/numbers.txt"
expected "$WORK/readme/numbers.txt" >"$WORK/readme.expected"
(cd "$WORK/readme" && timeout -k 5 120 bash -c "$readme_run") >"$WORK/readme.log" 2>&1
rc=$?
check "README run: $readme_run (exit $rc, GNU factor output)" \
  bash -c "[ $rc -eq 0 ] && cmp '$WORK/readme.expected' '$WORK/readme/factors.txt'"

# --- output identical to GNU factor at several rank counts -----------------------------------------
python3 "$GEN" mixed 2000 "$SEED" >"$WORK/mixed.txt"
expected "$WORK/mixed.txt" >"$WORK/mixed.expected"
for np in 1 2 3 5; do
  mf "$np" "$WORK/mixed.txt" >"$WORK/out.$np" 2>"$WORK/err.$np"
  rc=$?
  check "mpiexec.mpich -n $np: exit 0, output identical to GNU factor, stderr empty" \
    bash -c "[ $rc -eq 0 ] && cmp '$WORK/mixed.expected' '$WORK/out.$np' && [ ! -s '$WORK/err.$np' ]"
done
mf 3 --stats "$WORK/stats3.json" <"$WORK/mixed.txt" >"$WORK/out.stdin" 2>"$WORK/err.stdin"
rc=$?
check "stdin, -n 3 with --stats: identical, 3 ranks reported" \
  bash -c "[ $rc -eq 0 ] && cmp '$WORK/mixed.expected' '$WORK/out.stdin' && grep -q '\"ranks\":3[,}]' '$WORK/stats3.json'"

# --- bad input: message on stderr, exit 1, every valid number still written ------------------------
printf '12\nabc\n15 18446744073709551617x 1001\n' >"$WORK/bad.txt"
mf 3 "$WORK/bad.txt" >"$WORK/bad.out" 2>"$WORK/bad.err"
rc=$?
printf '12: 2 2 3\n15: 3 5\n1001: 7 11 13\n' >"$WORK/bad.expected"
check "bad tokens, -n 3: exit 1, valid numbers written, one message per bad token on stderr" bash -c "
  [ $rc -eq 1 ] && cmp '$WORK/bad.expected' '$WORK/bad.out' &&
  grep -q \"bad.txt:2: 'abc' is not a valid\" '$WORK/bad.err' &&
  grep -q \"bad.txt:3: '18446744073709551617x' is not a valid\" '$WORK/bad.err' && [ \$(wc -l <'$WORK/bad.err') -eq 2 ]"
mf 2 "$WORK/no-such-file.txt" >/dev/null 2>"$WORK/missing.err"
rc=$?
check "missing input file, -n 2: exit 2 with a message" bash -c "[ $rc -eq 2 ] && grep -q 'no-such-file.txt' '$WORK/missing.err'"

# --- clean stop on a signal as Hydra delivers it, then resume -------------------------------------
# Hydra (MPICH 4.0) forwards SIGINT, SIGTERM and SIGUSR1 sent to mpiexec to every rank (SIGUSR2 and SIGHUP kill
# mpiexec instead); mpifactor stops cleanly on each with status 3, which mpiexec usually returns.
# The stopped runs use the slowest kernel (--kernel plain, about 0.1 s a number on any CPU: minutes for the whole
# workload), so the signal, sent once the first results are out, always finds work left; the resumes use auto.
python3 "$GEN" semiprime 2000 "$SEED" >"$WORK/slow.txt" # about 14 s at -n 2 with the AVX2 kernel
expected "$WORK/slow.txt" >"$WORK/slow.expected"
total=$(wc -l <"$WORK/slow.expected")
for sig in TERM INT USR1; do
  out="$WORK/slow.$sig" ck="$WORK/slow.$sig.ckpt"
  timeout -k 5 120 mpiexec.mpich -n 2 "$BIN" --kernel plain --checkpoint "$ck" -o "$out" "$WORK/slow.txt" \
    >"$WORK/hydra.$sig" 2>"$WORK/err.$sig" &
  pid=$!
  pids+=("$pid")
  # signal once the first results are out (a stop with progress to keep), at most 30 s
  for _ in $(seq 1 150); do [ -s "$out" ] && break; sleep 0.2; done
  # timeout(1) passes TERM and INT on to mpiexec but dies of USR1: signal mpiexec itself, as a batch script would
  hydra=$(pgrep -P "$pid" | head -n 1)
  kill "-$sig" "${hydra:-$pid}"
  wait "$pid"
  rc=$?
  lines=$(wc -l <"$out" 2>/dev/null || echo 0)
  # Hydra's own status after a forwarded signal is not reliable: usually 3, but 0 in 5 of about 57 stops on a
  # loaded 2-core VM (once checked with a wrapper around each rank: both had exited 3). So 0 is accepted
  # from mpiexec; the ranks' clean stop is checked through the hint, the partial output and the resume below.
  want=3
  [ $rc -eq 0 ] && want=0
  check "SIG$sig to mpiexec.mpich: exit $rc, $lines of $total results written, all correct, resume hint" bash -c "
    cat '$WORK/err.$sig' '$WORK/hydra.$sig'
    [ $rc -eq $want ] && [ $lines -gt 0 ] && [ $lines -lt $total ] && head -n $lines '$WORK/slow.expected' | cmp - '$out' &&
    grep -q 'run the same command again to resume' '$WORK/err.$sig'"
  mf 3 --checkpoint "$ck" -o "$out" --stats "$WORK/resume.$sig.json" "$WORK/slow.txt" 2>"$WORK/resume.$sig"
  rc=$?
  check "SIG$sig: the same command (at 3 ranks) factors only the $((total - lines)) numbers left, output identical to GNU factor" \
    bash -c "[ $rc -eq 0 ] && cmp '$WORK/slow.expected' '$out' && grep -q '\"numbers\":$((total - lines)),' '$WORK/resume.$sig.json'"
done
left=$(pgrep -f "^$BIN .*--checkpoint $WORK/" || true)
check "no rank left running after the stops" test -z "$left"

finish
