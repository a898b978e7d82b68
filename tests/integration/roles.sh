#!/usr/bin/env bash
# Integration tests of "one file, one role" and of an input that changes under the run: an input, -o, --checkpoint
# and --stats naming one file (by the same name, a symbolic or a hard link, or a file not there yet) stop the
# run with exit 2 and a message naming the file and both roles, every file left byte-identical, at one rank
# (singleton and mpirun) and three (with and without --parallel-io); standard input/output, character devices
# and one input given twice still work; an input cut during the run is named as changed, exit 2, and the same
# command resumes from the checkpoint once it is restored.
# usage: tests/integration/roles.sh BUILD/mpifactor
set -uo pipefail
BIN=$(realpath "${1:-build/mpifactor}")
HERE=$(cd "$(dirname "$0")" && pwd)
MPIRUN="$HERE/../lib/mpirun-local.sh"
WORK=$(mktemp -d /tmp/mf-roles.XXXXXX)
SEED=${MF_TEST_SEED:-$(date +%s)}
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0
echo "roles: seed $SEED (replay with MF_TEST_SEED=$SEED), work dir $WORK"

. "$(dirname "$0")/../lib/harness.sh" # pass, fail, check
# mf RANKS ARGS...: RANKS is 0 (a singleton, no mpirun), 1, 3 (parallel I/O as decided by default), 3p (three
# ranks with --parallel-io) or 3n (with --no-parallel-io: rank 0 reads and writes everything)
mf() {
  local np=$1; shift
  case $np in
    0) timeout -k 5 120 "$BIN" "$@" ;;
    3p) timeout -k 5 120 "$MPIRUN" -q -np 3 "$BIN" --parallel-io "$@" ;;
    3n) timeout -k 5 120 "$MPIRUN" -q -np 3 "$BIN" --no-parallel-io "$@" ;;
    *) timeout -k 5 120 "$MPIRUN" -q -np "$np" "$BIN" "$@" ;;
  esac
}
expected() { xargs -n 1 factor < "$1"; }  # GNU factor, one number per call (9.1 reorders otherwise)

# --- two roles on one file: exit 2, the message, nothing touched ------------------------------------------
# Each case runs in a fresh directory holding same.txt (the input), out.txt (an old output), a symbolic and a
# hard link to same.txt and a dangling link; the directory is compared with a saved copy afterwards.
fresh() {
  rm -rf "$WORK/d" "$WORK/before"; mkdir "$WORK/d"
  seq 2 20000 > "$WORK/d/same.txt"; printf 'old results\n' > "$WORK/d/out.txt"
  ln -s same.txt "$WORK/d/link.txt"; ln "$WORK/d/same.txt" "$WORK/d/hard.txt"; ln -s nothere.txt "$WORK/d/dangling"
  cp -a "$WORK/d" "$WORK/before"
}
# refused NAME RANKS MESSAGE ARGS...: the run in $WORK/d exits 2 with MESSAGE (fixed text) and changes nothing
refused() {
  local name=$1 np=$2 msg=$3; shift 3
  fresh
  (cd "$WORK/d" && mf "$np" "$@") > "$WORK/stdout" 2> "$WORK/stderr"; local rc=$?
  check "$name, ranks $np: exit 2, '$msg', every file as before" bash -c \
    "[ $rc -eq 2 ] && grep -qxF 'mpifactor: $msg' '$WORK/stderr' && [ \$(wc -l < '$WORK/stderr') -eq 1 ] && \
     [ ! -s '$WORK/stdout' ] && diff -r --no-dereference '$WORK/before' '$WORK/d'"
}
for np in 0 1 3 3n 3p; do
  refused "output is the input" "$np" "same.txt is both an input file and the output (-o)" -o same.txt same.txt
  refused "output is a symbolic link to the input" "$np" \
    "same.txt is both an input file and, as link.txt, the output (-o)" -o link.txt same.txt
  refused "output is a hard link to the input" "$np" \
    "same.txt is both an input file and, as hard.txt, the output (-o)" -o hard.txt same.txt
  refused "output is the second input, spelled otherwise" "$np" \
    "./same.txt is both an input file and, as same.txt, the output (-o)" -o same.txt out.txt ./same.txt
  refused "output is the input, with --checkpoint" "$np" \
    "same.txt is both an input file and the output (-o)" --checkpoint run.ckpt -o same.txt same.txt
  refused "checkpoint is the input" "$np" \
    "same.txt is both an input file and the checkpoint (--checkpoint)" --checkpoint same.txt -o new.txt same.txt
  refused "checkpoint is the output" "$np" \
    "out.txt is both the output (-o) and the checkpoint (--checkpoint)" --checkpoint out.txt -o out.txt same.txt
  refused "statistics file is the output" "$np" \
    "out.txt is both the output (-o) and the statistics file (--stats)" --stats out.txt -o out.txt same.txt
  refused "statistics file is the checkpoint, neither there yet" "$np" \
    "new.ckpt is both the checkpoint (--checkpoint) and, as ./new.ckpt, the statistics file (--stats)" \
    --checkpoint new.ckpt --stats ./new.ckpt -o new.txt same.txt
  refused "output through a dangling link is the statistics file" "$np" \
    "dangling is both the output (-o) and, as nothere.txt, the statistics file (--stats)" \
    --stats nothere.txt -o dangling same.txt
  if [ "$np" != 3p ]; then  # no -o: --parallel-io does not apply
    refused "statistics file is the input" "$np" \
      "same.txt is both an input file and the statistics file (--stats)" --stats same.txt same.txt
  fi
done

# --- what is not two roles still works -----------------------------------------------------------------------
seq 2 300 > "$WORK/small.txt"
expected "$WORK/small.txt" > "$WORK/small.expected"
cat "$WORK/small.expected" "$WORK/small.expected" > "$WORK/twice.expected"
for np in 0 1 3 3p; do
  rm -f "$WORK/out.txt" "$WORK/stats.json"
  mf "$np" -o "$WORK/out.txt" "$WORK/small.txt" "$WORK/small.txt"; rc=$?
  check "ranks $np: one input given twice is one role: exit 0, its results twice" bash -c \
    "[ $rc -eq 0 ] && cmp '$WORK/twice.expected' '$WORK/out.txt'"
  mf "$np" -o "$WORK/out.txt" --stats "$WORK/stats.json" - < "$WORK/small.txt"; rc=$?
  check "ranks $np: standard input to -o FILE with --stats: exit 0, identical to GNU factor" bash -c \
    "[ $rc -eq 0 ] && cmp '$WORK/small.expected' '$WORK/out.txt' && grep -q '\"numbers\":299' '$WORK/stats.json'"
  [ "$np" = 3p ] && continue  # the outputs below are not regular files: --parallel-io does not apply
  mf "$np" -o /dev/null --stats /dev/null "$WORK/small.txt" > "$WORK/null.out"; rc=$?
  check "ranks $np: -o /dev/null --stats /dev/null (one character device, two roles): exit 0" bash -c \
    "[ $rc -eq 0 ] && [ ! -s '$WORK/null.out' ]"
  mf "$np" -o /dev/stdout "$WORK/small.txt" > "$WORK/stdout.out"; rc=$?
  check "ranks $np: -o /dev/stdout: exit 0, identical to GNU factor" bash -c \
    "[ $rc -eq 0 ] && cmp '$WORK/small.expected' '$WORK/stdout.out'"
  mf "$np" - < "$WORK/small.txt" > "$WORK/stdin.out"; rc=$?
  check "ranks $np: - (standard input) to standard output: exit 0, identical to GNU factor" bash -c \
    "[ $rc -eq 0 ] && cmp '$WORK/small.expected' '$WORK/stdin.out'"
done

# --- an input cut during the run ---------------------------------------------------------------------------
# Slow numbers first (the plain kernel on products of two 29-bit primes), then more than the 64 KiB rank 0
# reads at once: comment padding and cheap numbers. One line per unit (-u 1) keeps rank 0 from cutting far
# ahead of the output, so it has not read the padding when the checkpoint's first "done" record with numbers
# in it appears. The input is then cut back to its slow numbers: the next read of the cut part (rank 0's, or
# a worker's slice with --parallel-io) finds it changed.
python3 -c "
import random, sys
sys.path.insert(0, '$HERE/../../jobs')
from gen_numbers import random_prime
rng = random.Random($SEED)
for _ in range(16):
    print(random_prime(rng, 29) * random_prime(rng, 29))
" > "$WORK/slow.txt"
{ cat "$WORK/slow.txt"; for i in $(seq 2000); do echo "# padding line $i: more bytes than rank 0 reads at once"; done
  seq 1000000 1000100; } > "$WORK/cut.txt"
cp "$WORK/cut.txt" "$WORK/cut.orig"
grep -v '^#' "$WORK/cut.orig" | xargs -n 1 factor > "$WORK/cut.expected"
# cut_run NAME RANKS ARGS...: cuts the input once a record with numbers appears, then restores it and resumes
cut_run() {
  local name=$1 np=$2; shift 2
  cp "$WORK/cut.orig" "$WORK/cut.txt"; rm -f "$WORK/cut.out" "$WORK/cut.ckpt"
  mf "$np" --kernel plain -u 1 --checkpoint "$WORK/cut.ckpt" -o "$WORK/cut.out" "$@" "$WORK/cut.txt" \
    2> "$WORK/cut.err" & local pid=$!
  until grep -q '^done [1-9]' "$WORK/cut.ckpt" 2>/dev/null || ! kill -0 $pid 2>/dev/null; do sleep 0.02; done
  local size; size=$(stat -c %s "$WORK/cut.orig")
  truncate -s "$(stat -c %s "$WORK/slow.txt")" "$WORK/cut.txt"
  wait $pid; local rc=$?
  check "$name: input cut mid-run: exit 2, 'cut.txt changed during the run ($size bytes, now ...)'" bash -c \
    "[ $rc -eq 2 ] && grep -q 'mpifactor: $WORK/cut.txt changed during the run ($size bytes, now [0-9]*)' '$WORK/cut.err' \
     && ! grep -q 'shared file system' '$WORK/cut.err'"
  cp "$WORK/cut.orig" "$WORK/cut.txt"
  mf "$np" --kernel plain -u 1 --checkpoint "$WORK/cut.ckpt" -o "$WORK/cut.out" "$@" "$WORK/cut.txt"; rc=$?
  check "$name: input restored: the same command resumes to output identical to GNU factor" bash -c \
    "[ $rc -eq 0 ] && cmp '$WORK/cut.expected' '$WORK/cut.out'"
}
cut_run "2 ranks with --parallel-io" 2 --parallel-io
cut_run "1 rank (singleton)" 0

echo "roles: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
