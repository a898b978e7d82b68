#!/usr/bin/env bash
# --schedule adaptive|map|static: output identical to GNU factor (one number per call) under every policy at
# np 1, 2, 3 and 5; what each policy does (--stats: units, hand-backs, per-rank shares); static refused where
# it cannot count its input; a stopped static or map run resumes from its checkpoint; the schedule column of
# jobs/scaling.sh's scaling.csv.
# usage: tests/integration/schedule.sh BUILD/mpifactor
set -uo pipefail
BIN=$(realpath "${1:-build/mpifactor}")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MPIRUN="$HERE/../lib/mpirun-local.sh"
WORK=$(mktemp -d /tmp/mf-schedule.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0
# shellcheck source=../lib/harness.sh
. "$HERE/../lib/harness.sh"
# shellcheck source=../lib/wait-for.sh
. "$HERE/../lib/wait-for.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mf() { local np=$1; shift; timeout -k 5 300 "$MPIRUN" -q -np "$np" "$BIN" "$@"; }
# stat FILE EXPR: a Python expression over the --stats JSON s (per_rank as r)
stat() { python3 -c "import json,sys; s=json.load(open(sys.argv[1])); r=s['per_rank']; print($2)" "$1"; }
# expected FILE...: GNU factor, one number per call, over every token of the files
expected() { local f; for f; do cat "$f"; echo; done | sed 's/#.*//' | tr -s ' \t' '\n\n' | grep -v '^$' | xargs -n 1 factor; }

# --- inputs ---
python3 "$ROOT/jobs/gen_numbers.py" --count 240 --bits 40 --kind random --seed 7 > "$WORK/random.txt"
# a hard semiprime (two 28-bit primes) among cheap numbers, in the middle
{ seq 2 60; python3 "$ROOT/jobs/gen_numbers.py" --count 1 --bits 56 --kind semiprime --seed 3; seq 61 120; } > "$WORK/hardmix.txt"
printf '12\n7\n' > "$WORK/two.txt"   # more ranks than numbers at np 3 and 5
# three files: one without a final newline, comments and blank lines, two numbers on a line
{ seq 1000 1039; printf '# a comment\n\n77 78\n'; } > "$WORK/f1.txt"
printf '4096\n65537\n99991' > "$WORK/f2.txt"
seq 5000 5030 > "$WORK/f3.txt"
for f in random hardmix two; do expected "$WORK/$f.txt" > "$WORK/$f.expected"; done
expected "$WORK/f1.txt" "$WORK/f2.txt" "$WORK/f3.txt" > "$WORK/files.expected"
check "GNU factor references are complete" bash -c "[ \$(wc -l < '$WORK/random.expected') -eq 240 ] && [ \$(wc -l < '$WORK/hardmix.expected') -eq 120 ] && [ \$(wc -l < '$WORK/files.expected') -eq 76 ]"

# --- identical output under every policy and rank count ---
for p in adaptive map static; do
  for np in 1 2 3 5; do
    bad=
    for f in random hardmix two; do
      mf "$np" --schedule "$p" --stats "$WORK/$p.$np.$f.json" "$WORK/$f.txt" > "$WORK/$p.$np.$f.out" 2> "$WORK/$p.$np.$f.err" \
        && cmp -s "$WORK/$f.expected" "$WORK/$p.$np.$f.out" \
        && [ "$(stat "$WORK/$p.$np.$f.json" "s['schedule']")" = "$p" ] || bad="$bad $f"
    done
    mf "$np" --schedule "$p" -o "$WORK/$p.$np.files.out" "$WORK/f1.txt" "$WORK/f2.txt" "$WORK/f3.txt" 2> "$WORK/$p.$np.files.err" \
      && cmp -s "$WORK/files.expected" "$WORK/$p.$np.files.out" || bad="$bad files"
    if [ -z "$bad" ]; then
      pass "--schedule $p, np $np: exit 0, output identical to GNU factor (random, hard semiprime among cheap, 2 numbers, 3 files), --stats schedule \"$p\""
    else
      fail "--schedule $p, np $np: wrong output, exit status or --stats schedule for:$bad" "$WORK/$p.$np.${bad##* }.err"
    fi
  done
done
check "map -u 7 at np 3: identical output, 35 units of 7 lines for 240 numbers (and --parallel-io with -o)" bash -c "
  $(declare -f mf stat); MPIRUN='$MPIRUN' BIN='$BIN'
  mf 3 --schedule map -u 7 --stats '$WORK/map7.json' '$WORK/random.txt' | cmp - '$WORK/random.expected' &&
  [ \$(stat '$WORK/map7.json' \"s['units']\") -eq 35 ] &&
  mf 3 --schedule map --parallel-io -o '$WORK/map.pio' '$WORK/random.txt' && cmp '$WORK/map.pio' '$WORK/random.expected'"
check "static --parallel-io at np 3 over 3 files: identical output" bash -c "
  $(declare -f mf); MPIRUN='$MPIRUN' BIN='$BIN'
  mf 3 --schedule static --parallel-io -o '$WORK/static.pio' '$WORK/f1.txt' '$WORK/f2.txt' '$WORK/f3.txt' &&
  cmp '$WORK/static.pio' '$WORK/files.expected'"

# --- what each policy does (--stats) ---
# map: one unit per line, none handed back or split; static: one unit per rank (one file), numbers within one
# of each other, none handed back; more ranks than lines: ranks without a chunk factor nothing
check "map, np 5: 240 units of one number, no hand-back asked, none split" bash -c "
  $(declare -f stat); s='$WORK/map.5.random.json'
  [ \$(stat \$s \"s['units']\") -eq 240 ] && [ \$(stat \$s \"s['yields_asked'] + s['units_handed_back'] + s['numbers_split']\") -eq 0 ]"
check "map, np 2, hard semiprime among cheap numbers: never split (numbers_split 0)" bash -c "
  $(declare -f stat); [ \$(stat '$WORK/map.2.hardmix.json' \"s['numbers_split'] + s['yields_asked']\") -eq 0 ]"
for np in 2 3 5; do
  check "static, np $np: $np units, numbers per rank equal within one (240 over $np), no hand-back asked" bash -c "
    $(declare -f stat); s='$WORK/static.$np.random.json'
    [ \$(stat \$s \"s['units']\") -eq $np ] && [ \$(stat \$s \"s['yields_asked'] + s['units_handed_back'] + s['numbers_split']\") -eq 0 ] &&
    [ \$(stat \$s \"max(x['numbers'] for x in r) - min(x['numbers'] for x in r)\") -le 1 ] &&
    [ \$(stat \$s \"sum(x['numbers'] for x in r)\") -eq 240 ]"
done
check "static, np 5, 2 numbers: ranks 1 and 2 factor one each, ranks 3, 4 and 0 none" bash -c "
  $(declare -f stat); [ \"\$(stat '$WORK/static.5.two.json' \"[x['numbers'] for x in r]\")\" = '[0, 1, 1, 0, 0]' ]"
# 77 lines: 26 for rank 1 (26 numbers), 26 for rank 2 (the rest of f1 with a comment, a blank line and two numbers on
# a line, f2, 6 lines of f3: 25 numbers in three units), 25 for rank 0
check "static, np 3 over 3 files (one chunk spans three): 26, 25 and 25 numbers on ranks 1, 2 and 0, in 5 units" bash -c "
  $(declare -f mf stat); MPIRUN='$MPIRUN' BIN='$BIN'
  mf 3 --schedule static --stats '$WORK/static.files.json' -o /dev/null '$WORK/f1.txt' '$WORK/f2.txt' '$WORK/f3.txt' &&
  [ \"\$(stat '$WORK/static.files.json' \"[x['numbers'] for x in r]\")\" = '[25, 26, 25]' ] &&
  [ \$(stat '$WORK/static.files.json' \"s['units']\") -eq 5 ]"

# --- refusals ---
"$BIN" --schedule dynamic "$WORK/two.txt" > "$WORK/bad.out" 2> "$WORK/bad.err"; rc=$?
check "--schedule dynamic: exit 2, the message names the option and the valid values, nothing on stdout" bash -c \
  "[ $rc -eq 2 ] && grep -q \"invalid --schedule 'dynamic' (use adaptive, map or static)\" '$WORK/bad.err' && [ ! -s '$WORK/bad.out' ]"
"$BIN" --schedule static < "$WORK/two.txt" > "$WORK/stdin.out" 2> "$WORK/stdin.err"; rc=$?
check "--schedule static on standard input: exit 2, says it needs input files" bash -c \
  "[ $rc -eq 2 ] && grep -q -- '--schedule static needs input files' '$WORK/stdin.err' && [ ! -s '$WORK/stdin.out' ]"
mf 2 --schedule static - < "$WORK/two.txt" > "$WORK/stdin2.out" 2> "$WORK/stdin2.err"; rc=$?
check "--schedule static with '-' at np 2: exit 2, same message" bash -c \
  "[ $rc -eq 2 ] && grep -q -- '--schedule static needs input files' '$WORK/stdin2.err'"
mkfifo "$WORK/fifo"
(cat "$WORK/two.txt" > "$WORK/fifo" &) 2> /dev/null
mf 2 --schedule static -o "$WORK/fifo.out" "$WORK/fifo" 2> "$WORK/fifo.err"; rc=$?
exec 3<> "$WORK/fifo"; exec 3>&- # lets the writer go when the run did not read
check "--schedule static on a named pipe: exit 2 before any output file is made, says it needs regular files" bash -c \
  "[ $rc -eq 2 ] && grep -q -- '--schedule static needs regular input files' '$WORK/fifo.err' && [ ! -e '$WORK/fifo.out' ]"
check "--schedule map and adaptive read standard input" bash -c "
  $(declare -f mf); MPIRUN='$MPIRUN' BIN='$BIN'
  mf 2 --schedule map < '$WORK/random.txt' | cmp - '$WORK/random.expected' &&
  mf 2 --schedule adaptive < '$WORK/random.txt' | cmp - '$WORK/random.expected'"

# --- checkpoint and resume ---
# 30 cheap numbers, then 30 semiprimes of two 27-bit primes factored with the slowest kernel (about 0.1 s each on
# any CPU): static at np 2 gives rank 1 the cheap half and rank 0 the hard half, so the checkpoint records 30
# done long before the end; the run is signalled then and resumed (the lines left divided anew).
{ seq 2 31; python3 "$ROOT/jobs/gen_numbers.py" --count 30 --bits 54 --kind semiprime --seed 5; } > "$WORK/slow.txt"
expected "$WORK/slow.txt" > "$WORK/slow.expected"
for p in static map; do
  out=$WORK/slow.$p.out ck=$WORK/slow.$p.ckpt
  rm -f "$out" "$ck"
  "$MPIRUN" -q -np 2 "$BIN" --schedule "$p" --kernel plain --checkpoint "$ck" --checkpoint-interval 0.05 -o "$out" \
    "$WORK/slow.txt" 2> "$WORK/slow.$p.err" & pid=$!
  seen=$(mf_wait_done "$ck" 30 59 $pid 120 2> "$WORK/wait.$p") || seen=-1
  kill -USR1 $pid; wait $pid; rc=$?
  check "$p, np 2: SIGUSR1 once the checkpoint records the cheap half (at $seen done): exit 3, not all written" bash -c \
    "cat '$WORK/wait.$p'; [ $seen -ge 30 ] && [ $rc -eq 3 ] && [ \$(wc -l < '$out') -lt 60 ]"
  mf 2 --schedule "$p" --checkpoint "$ck" --stats "$WORK/slow.$p.json" -o "$out" "$WORK/slow.txt" 2> "$WORK/resume.$p.err"; rc=$?
  check "$p, np 2: the same command resumes to output identical to GNU factor" bash -c \
    "cat '$WORK/resume.$p.err'; [ $rc -eq 0 ] && cmp '$WORK/slow.expected' '$out'"
done

# --- scaling.sh: the schedule column ---
sc=$WORK/scaling
for p in static map; do
  MPIFACTOR_BIN=$BIN "$ROOT/jobs/scaling.sh" strong --ranks "1 2" --numbers 30 --bits 30 --reps 1 --schedule "$p" \
    --out "$sc" > "$WORK/scaling.$p.log" 2>&1 || echo "scaling.sh --schedule $p failed" >> "$WORK/scaling.fail"
done
check "scaling.sh --schedule: exit 0, header ends with ',launcher,schedule', rows name their policy, the points ran it" bash -c "
  cat '$WORK/scaling.fail' 2>/dev/null; cat '$WORK'/scaling.*.log | tail -n 5
  [ ! -e '$WORK/scaling.fail' ] &&
  [ \"\$(head -n 1 '$sc/scaling.csv')\" = 'mode,ranks,nodes,numbers,wall_s,numbers_per_s,speedup,efficiency,busy_share_mean,busy_share_min,run_s,launcher,schedule' ] &&
  [ \"\$(tail -n +2 '$sc/scaling.csv' | cut -d, -f2,13 | tr '\n' ' ')\" = '1,static 2,static 1,map 2,map ' ] &&
  grep -h -o '\"schedule\":\"[a-z]*\"' '$sc'/points/*-static-r2-k1/stats.json '$sc'/points/*-map-r2-k1/stats.json | tr '\n' ' ' | grep -qx '\"schedule\":\"static\" \"schedule\":\"map\" '"
MPIFACTOR_BIN=$BIN "$ROOT/jobs/scaling.sh" strong --schedule sometimes > /dev/null 2> "$WORK/scaling.bad"; rc=$?
check "scaling.sh --schedule sometimes: exit 2 naming the valid values" bash -c \
  "[ $rc -eq 2 ] && grep -q 'adaptive, map or static' '$WORK/scaling.bad'"
MPIFACTOR_BIN=$BIN "$ROOT/jobs/scaling.sh" strong --ranks 1 --out "$WORK/nostats" -- --stats "$WORK/mine.json" \
  > /dev/null 2> "$WORK/scaling.stats"; rc=$?
check "scaling.sh -- --stats FILE: exit 2 before any run (every point writes its own --stats, read into the CSV)" bash -c \
  "cat '$WORK/scaling.stats'; [ $rc -eq 2 ] && grep -q \"option '--stats' after --\" '$WORK/scaling.stats' && [ ! -e '$WORK/nostats/scaling.csv' ]"
# an older 12-column CSV is upgraded (its rows were adaptive) when appended to
old=$WORK/old
mkdir -p "$old"
printf 'mode,ranks,nodes,numbers,wall_s,numbers_per_s,speedup,efficiency,busy_share_mean,busy_share_min,run_s,launcher\nstrong,1,1,30,1.0,30.0,1.0000,1.0000,0.9,0.9,0.5,mpirun\n' > "$old/scaling.csv"
MPIFACTOR_BIN=$BIN "$ROOT/jobs/scaling.sh" strong --ranks 1 --numbers 30 --bits 30 --reps 1 --schedule map --out "$old" > "$WORK/old.log" 2>&1; rc=$?
check "scaling.sh appending to a CSV without the schedule column: it gets one, 'adaptive' on the old row" bash -c \
  "cat '$WORK/old.log' | tail -n 3; [ $rc -eq 0 ] && [ \"\$(cut -d, -f13 '$old/scaling.csv' | tr '\n' ' ')\" = 'schedule adaptive map ' ]"

echo "schedule: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
