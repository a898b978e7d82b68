# bench/sched.sh: scheduling that holds on every CPU (issue 19), sourced by bench/run.sh after its own targets; uses
# its helpers (workload, rep, row, calc, met_if, json_num, check_same) and variables.
# shellcheck shell=bash disable=SC2154
#
# Every goal is checked with each kernel of SCHED_KERNELS: the CPU's default (auto), the portable scalar kernel,
# and avx2 too where the CPU also has AVX-512: a range of cost per number of about 10x with one schedule.
# Times are rank 0's --stats wall_s (run_s: its run, after MPI start-up and the start-up checks, launcher start-up
# excluded; jobs/scaling.sh says what it spans) unless a row says
# "whole process". The tool column names the kernel --stats reported; the numbers column the count that ran.
#
# Environment: BENCH_SCHED_KERNELS [auto scalar, + avx2 beside avx512], BENCH_SCHED_PAIRS [2] interleaved
# np 1 / np 2 pairs for the short targets (the best of each side is kept), BENCH_SWEEP_BITS [20 22 24 26 28 30 32]
# prime sizes of the sweep, BENCH_SIMULATE [1] the simulated 256-rank point (0: skipped; about 10 minutes).

SCHED_KERNELS=${BENCH_SCHED_KERNELS:-auto scalar}
[ -z "${BENCH_SCHED_KERNELS:-}" ] && [ "$avx512" = yes ] && SCHED_KERNELS="auto avx2 scalar"
PAIRS=${BENCH_SCHED_PAIRS:-2}
SWEEP_BITS=${BENCH_SWEEP_BITS:-20 22 24 26 28 30 32}

# stats_py FILE EXPR: a Python expression over the --stats JSON s (per_rank as r).
stats_py() { "$PYTHON" -c "import json,sys; s=json.load(open(sys.argv[1])); r=s['per_rank']; print($2)" "$1" 2>/dev/null; }
run_s() { json_num "$1" wall_s; }
kernel_of() { stats_py "$1" "s['kernel'] + ('/' + s['kernel128'] if s.get('kernel128') and s['kernel128'] != s['kernel'] else '')"; }
least_share() { stats_py "$1" "'%.3f' % (min(x['busy_s'] for x in r) / max(1e-9, sum(x['busy_s'] for x in r)))"; }
waste_of() { stats_py "$1" "'%.4f' % (s['wasted_candidates'] / max(1, s['candidates']))"; }
WORST_WASTE=0
note_waste() { WORST_WASTE=$(awk -v a="$WORST_WASTE" -v b="$(waste_of "$1")" 'BEGIN { print (b + 0 > a + 0 ? b : a) }'); }

# ns_per_candidate FILE: compute seconds per candidate over all ranks of a --stats JSON, in ns.
ns_per_candidate() { stats_py "$1" "'%.4f' % (sum(x['busy_s'] for x in r) / max(1, s['candidates']) * 1e9)"; }
# drift_of A B: how much slower per candidate run B computed than run A (B's ns per candidate over A's).
drift_of() { calc "$(ns_per_candidate "$2") / $(ns_per_candidate "$1")"; }
# peer_drift KEY B: how much slower per candidate run B (KEY's np 2) computed than KEY's side-by-side peers, the
# two runs whose times make its ideal (B's ns per candidate over the mean of theirs).
peer_drift() {
  calc "$(ns_per_candidate "$2") * 2 / ($(ns_per_candidate "$OUT/${1}_side0.best_run.json") + $(ns_per_candidate "$OUT/${1}_side1.best_run.json"))"
}
# drift_within D: whether drift D lies within DRIFT_MAX either way (the runs compared computed at one speed).
drift_within() { awk -v d="$1" -v m="$DRIFT_MAX" 'BEGIN { exit !(d <= m && d >= 1 / m) }'; }

# best_of KEY NP: copies the --stats of KEY's fastest np NP run (lowest run_s) to $OUT/KEY_npNP.best_run.json.
best_of() {
  local best="" f
  for f in "$OUT/${1}_np$2".run*.json; do
    [ -s "$f" ] || continue
    if [ -z "$best" ] || awk -v a="$(run_s "$f")" -v b="$(run_s "$best")" 'BEGIN { exit !(a < b) }'; then best=$f; fi
  done
  [ -n "$best" ] && cp "$best" "$OUT/${1}_np$2.best_run.json"
}

# side_by_side KEY P INPUT KERNEL [EXTRA...]: the peer of pair P. Two np 1 runs of INPUT start together, one
# bound to core 0 and one to core 1, where np 2 puts its two ranks: the machine's two cores each busy with a process
# of its own, nothing scheduled between them. Their outputs must equal $OUT/KEY.ref. Splitting the work ideally
# between two cores that run as fast as these two did, np 2 would take IDEAL = 1 / (1 / run_s(core 0) +
# 1 / run_s(core 1)): half of np 1's time when both are as fast as one core alone, more when two busy cores are
# slower than one (shared caches, clock and power limits, the host's other guests), less when core 0 (where np 1
# runs) was the slow one. SIDE0[KEY] and SIDE1[KEY] keep each core's fastest run over KEY's pairs, as np 1 and np 2
# keep their fastest: IDEAL[KEY] uses them.
side_by_side() {
  local key=$1 p=$2 input=$3 k=$4; shift 4
  local c pids=() t0 t1
  for c in 0 1; do
    mpirun --oversubscribe -q --cpu-set "$c" --bind-to core -np 1 "$BIN" --kernel "$k" \
      --stats "$OUT/${key}_side$c.run$p.json" "$@" "$input" >"$OUT/${key}_side$c.out" 2>"$OUT/${key}_side$c.out.err" &
    pids+=($!)
  done
  for c in 0 1; do
    wait "${pids[$c]}" || { printf '  FAIL  %s: side-by-side np 1 run on core %s exited non-zero\n' "$key" "$c"; fail=1; }
    cmp -s "$OUT/$key.ref" "$OUT/${key}_side$c.out" || { printf '  FAIL  %s: side %s output differs\n' "$key" "$c"; fail=1; }
  done
  t0=$(run_s "$OUT/${key}_side0.run$p.json")
  t1=$(run_s "$OUT/${key}_side1.run$p.json")
  printf '  %-22s two np 1 side by side: core 0 %s s, core 1 %s s\n' "${key}_side" "$t0" "$t1"
  # each core's fastest run so far, and its --stats (the peers' speed per candidate: peer_drift)
  SIDE0[$key]=$(fmin "${SIDE0[$key]:-}" "$t0")
  SIDE1[$key]=$(fmin "${SIDE1[$key]:-}" "$t1")
  [ "${SIDE0[$key]}" = "$t0" ] && cp "$OUT/${key}_side0.run$p.json" "$OUT/${key}_side0.best_run.json"
  [ "${SIDE1[$key]}" = "$t1" ] && cp "$OUT/${key}_side1.run$p.json" "$OUT/${key}_side1.best_run.json"
  IDEAL[$key]=$(calc "1 / (1 / ${SIDE0[$key]} + 1 / ${SIDE1[$key]})")
}

# peer_eff KEY NP2: 2-rank efficiency against the side-by-side peer, IDEAL[KEY] / run_s(np 2).
peer_eff() { calc "${IDEAL[$1]} / $(run_s "$2")"; }
# peer_note KEY: the peer's figures for a goal column (no commas: row() joins the CSV fields with them).
peer_note() { echo "side by side: core 0 ${SIDE0[$1]} s; core 1 ${SIDE1[$1]} s; ideal np 2 ${IDEAL[$1]} s"; }

# pairs KEY INPUT KERNEL [EXTRA...]: PAIRS interleaved np 1 / np 2 runs of INPUT (outputs compared with
# $OUT/KEY.ref), each pair followed by its side-by-side peer (IDEAL[KEY]); leaves the best (lowest run_s) --stats
# of each side in $OUT/KEY_np1.best_run.json and KEY_np2.best_run.json. This VM's vCPUs run 10-40% slower for
# minutes at a time; a comparison whose runs computed at speeds more than DRIFT_MAX apart per candidate (the
# kernel's work is the same on both sides) measures the VM, not the schedule: up to DRIFT_EXTRA more pairs are
# run. The goals compare np 2 with its side-by-side peers, so that is the drift checked: np 2's best run against
# the peers' (np 1's against np 2's before the peers, whose "np 1 alone" figure each row also gives).
# DRIFT[KEY] records the drift kept.
DRIFT_MAX=${BENCH_DRIFT_MAX:-1.08}
DRIFT_EXTRA=${BENCH_DRIFT_EXTRA:-2}
declare -A DRIFT SIDE0 SIDE1 IDEAL
pairs() {
  local key=$1 input=$2 k=$3; shift 3
  local np p=0 extra=0 d
  while :; do
    p=$((p + 1))
    for np in 1 2; do
      rep "${key}_np$np" "$OUT/$key.ref" mpf "$np" --kernel "$k" --stats "$OUT/${key}_np$np.json" "$@" "$input"
      cp "$OUT/${key}_np$np.json" "$OUT/${key}_np$np.run$p.json" 2>/dev/null
    done
    side_by_side "$key" "$p" "$input" "$k" "$@"
    [ "$p" -lt "$PAIRS" ] && continue
    best_of "$key" 1
    best_of "$key" 2
    d=$(peer_drift "$key" "$OUT/${key}_np2.best_run.json")
    DRIFT[$key]=$d
    drift_within "$d" && break
    # under 1 s at np 1, each rank's start-up (its tables, MPI) sets the cost per candidate, not the VM's speed
    awk -v t="$(run_s "$OUT/${key}_np1.best_run.json")" 'BEGIN { exit !(t < 1) }' && break
    [ "$extra" -ge "$DRIFT_EXTRA" ] && break
    extra=$((extra + 1))
    echo "  ($key: per-candidate speed drifted $d between np 2 and its side-by-side peers: one more pair)"
  done
}

echo "== scheduling on any CPU (issue 19): kernels $SCHED_KERNELS; run_s = --stats wall_s, best of $PAIRS pairs"
FS31=$(workload semiprime31_n40_s8 semiprime 31 40 --seed 8)
FCHEAP20=$(workload random20_n200000_s7 random 20 200000 --seed 7)
FMIX19=$W/cheap_then_hard.txt
cat "$FCHEAP20" "$FS31" >"$FMIX19"
printf '16669120120502208091\n' >"$W/hard_key64.txt"
printf '3364686122824193435887\n' >"$W/hard_72bit.txt"
: >"$OUT/s31.golden"
while read -r n; do factor "$n" >>"$OUT/s31.golden"; done <"$FS31"
run_to "$OUT/s31.np2" mpf 2 "$FS31" && check_same "issue 19: mpifactor -np 2 = GNU factor (40 semiprimes of 31-bit primes)" "$OUT/s31.golden" "$OUT/s31.np2"

for k in $SCHED_KERNELS; do
  echo "-- target 13 (--kernel $k): 40 semiprimes of two 31-bit primes, 2-rank efficiency"
  pairs "t13_$k" "$FS31" "$k"
  a=$OUT/t13_${k}_np1.best_run.json b=$OUT/t13_${k}_np2.best_run.json
  eff=$(calc "$(run_s "$a") / (2 * $(run_s "$b"))")
  effc=$(peer_eff "t13_$k" "$b")
  note_waste "$b"
  row "t13_${k}_np1" "13 hard semiprimes" semiprime31 40 "mpifactor --kernel $k ($(kernel_of "$a"))" 1 "$(run_s "$a")" "$(json_num "$a" compute_s)" "" "" ""
  row "t13_${k}_np2" "13 hard semiprimes" semiprime31 40 "mpifactor --kernel $k ($(kernel_of "$b"))" 2 "$(run_s "$b")" "$(json_num "$b" compute_s)" "$effc" \
    "run_s 2-rank efficiency >= 0.92 against two np 1 side by side ($(peer_note "t13_$k"); np 1 alone: $eff; splits $(json_num "$b" numbers_split); waste $(waste_of "$b"); drift ${DRIFT[t13_$k]})" "$(met_if "$effc >= 0.92")"

  echo "-- target 14 (--kernel $k): 200,000 random numbers < 2^20, then those 40 semiprimes"
  pairs "t14_$k" "$FMIX19" "$k"
  a=$OUT/t14_${k}_np1.best_run.json b=$OUT/t14_${k}_np2.best_run.json
  ratio=$(calc "$(run_s "$b") / $(run_s "$a")")
  ratioc=$(calc "$(run_s "$b") / (2 * ${IDEAL[t14_$k]})")
  note_waste "$b"
  row "t14_${k}_np1" "14 cheap then hard" cheap20+semiprime31 200040 "mpifactor --kernel $k ($(kernel_of "$a"))" 1 "$(run_s "$a")" "$(json_num "$a" compute_s)" "" "" ""
  row "t14_${k}_np2" "14 cheap then hard" cheap20+semiprime31 200040 "mpifactor --kernel $k ($(kernel_of "$b"))" 2 "$(run_s "$b")" "$(json_num "$b" compute_s)" "$ratioc" \
    "run_s np2/np1 <= 0.54 against two np 1 side by side as np 2 / (2 ideal) ($(peer_note "t14_$k"); np 1 alone: $ratio; drift ${DRIFT[t14_$k]})" "$(met_if "$ratioc <= 0.54")"

  echo "-- target 15 (--kernel $k): one hard number split over both ranks"
  hards="key64"
  [ "$k" != avx2 ] && hards="key64 72bit" # avx2 is a 64-bit kernel: the 72-bit number runs the 128-bit one
  for h in $hards; do
    pairs "t15_${h}_$k" "$W/hard_$h.txt" "$k"
    a=$OUT/t15_${h}_${k}_np1.best_run.json b=$OUT/t15_${h}_${k}_np2.best_run.json
    ratio=$(calc "$(run_s "$b") / $(run_s "$a")")
    ratioc=$(calc "$(run_s "$b") / (2 * ${IDEAL[t15_${h}_$k]})")
    share=$(least_share "$b")
    note_waste "$b"
    goal=0.6
    [ "$h" = 72bit ] && goal=0.53
    row "t15_${h}_${k}_np1" "15 one hard number" "$(cat "$W/hard_$h.txt")" 1 "mpifactor --kernel $k ($(kernel_of "$a"))" 1 "$(run_s "$a")" "$(json_num "$a" compute_s)" "" "" ""
    row "t15_${h}_${k}_np2" "15 one hard number" "$(cat "$W/hard_$h.txt")" 1 "mpifactor --kernel $k ($(kernel_of "$b"))" 2 "$(run_s "$b")" "$(json_num "$b" compute_s)" "$ratioc" \
      "run_s np2/np1 <= $goal against two np 1 side by side as np 2 / (2 ideal) and each rank >= 40% of busy ($(peer_note "t15_${h}_$k"); np 1 alone: $ratio; least $share; drift ${DRIFT[t15_${h}_$k]})" "$(met_if "$ratioc <= $goal && $share >= 0.4")"
  done

  echo "-- target 16 (--kernel $k): sweep, 40 semiprimes of two B-bit primes, B in $SWEEP_BITS"
  for bits in $SWEEP_BITS; do
    f=$(workload "semiprime${bits}_n40_s16" semiprime "$bits" 40 --seed 16)
    [ -s "$f" ] || die "no workload $f"
    PAIRS_SAVED=$PAIRS
    PAIRS=1
    pairs "t16_${bits}_$k" "$f" "$k"
    PAIRS=$PAIRS_SAVED
    a=$OUT/t16_${bits}_${k}_np1.best_run.json b=$OUT/t16_${bits}_${k}_np2.best_run.json
    t1=$(run_s "$a")
    eff=$(calc "$t1 / (2 * $(run_s "$b"))")
    effc=$(peer_eff "t16_${bits}_$k" "$b")
    note_waste "$b"
    if awk -v t="$t1" 'BEGIN { exit !(t >= 1) }'; then
      goal="run_s 2-rank efficiency >= 0.9 against two np 1 side by side (np 1 >= 1 s; $(peer_note "t16_${bits}_$k"); np 1 alone: $eff)"
      met=$(met_if "$effc >= 0.9")
    else
      goal="no goal (np 1 run_s < 1 s; np 1 alone: $eff)"; met=""
    fi
    row "t16_${bits}_${k}_np2" "16 sweep" "semiprime$((2 * bits))" 40 "mpifactor --kernel $k ($(kernel_of "$b"))" 2 "$(run_s "$b")" "$(json_num "$b" compute_s)" "$effc" \
      "$goal; np 1 run_s $t1; drift ${DRIFT[t16_${bits}_$k]}" "$met"
  done
done

echo "-- target 17: whole process (start-up included), 40 semiprimes of two 33-bit primes, default kernel"
F33=$(workload semiprime33_n40_s17 semiprime 33 40 --seed 17)
[ -s "$F33" ] || die "no workload $F33"
# np 1 and np 2 run one after the other, so the VM's speed may differ between them (the same kernel's work per
# candidate on both sides): as in pairs(), up to DRIFT_EXTRA more pairs while the best runs' speeds per candidate
# lie more than DRIFT_MAX apart; the fastest run of each side is kept.
t17_extra=0
for ((r = 1; ; r++)); do
  for np in 1 2; do rep "t17_np$np" "$OUT/t17.ref" mpf "$np" --stats "$OUT/t17_np$np.json" "$F33"; done
  [ "$r" -lt "$LONG_REPS" ] && continue
  t17_drift=$(drift_of "$OUT/t17_np1.best.json" "$OUT/t17_np2.best.json")
  drift_within "$t17_drift" && break
  [ "$t17_extra" -ge "$DRIFT_EXTRA" ] && break
  t17_extra=$((t17_extra + 1))
  echo "  (t17: per-candidate speed drifted $t17_drift between np 1 and np 2: one more pair)"
done
eff=$(calc "${WALL[t17_np1]} / (2 * ${WALL[t17_np2]})")
note_waste "$OUT/t17_np2.best.json"
row t17_np1 "17 whole process" semiprime66 40 "mpifactor ($(kernel_of "$OUT/t17_np1.best.json"))" 1 "${WALL[t17_np1]}" "${COMP[t17_np1]}" "" "" ""
row t17_np2 "17 whole process" semiprime66 40 "mpifactor ($(kernel_of "$OUT/t17_np2.best.json"))" 2 "${WALL[t17_np2]}" "${COMP[t17_np2]}" "$eff" \
  "whole-process 2-rank efficiency >= 0.9 (drift $t17_drift)" "$(met_if "$eff >= 0.9")"

row "-" "18 waste" "targets 13-17 at np 2" "" mpifactor 2 "" "" "$WORST_WASTE" "wasted / candidates <= 0.02 (worst)" "$(met_if "$WORST_WASTE <= 0.02")"

if [ "${BENCH_SIMULATE:-1}" = 1 ]; then
  echo "-- target 19: SIMULATED (SimGrid SMPI, default platform: 16-core nodes, 10 Gb/s, 25 us), 2048 semiprimes of two 28-bit primes, 256 ranks"
  for k in auto scalar; do
    sim=$OUT/sim_$k
    if MPIFACTOR_BIN=$PWD/$OUT/bin/mpifactor-smpi jobs/scaling.sh strong --simulate --ranks "1 256" --numbers 2048 --bits 56 \
      --reps 1 --out "$sim" -- --kernel "$k" >"$sim.log" 2>&1; then
      eff=$(awk -F, '$1 == "strong" && $2 == 256 { print $8 }' "$sim/scaling.csv")
      t1=$(awk -F, '$1 == "strong" && $2 == 1 { print $5 }' "$sim/scaling.csv")
      t256=$(awk -F, '$1 == "strong" && $2 == 256 { print $5 }' "$sim/scaling.csv")
      kn=$(sed -n 's/^kernel: //p' "$sim/meta.txt" | head -n 1)
      # The simulator charges factoring as measured on this VM, whose vCPUs change speed for minutes at a time: the
      # 1-rank and 256-rank runs may have computed at different speeds. The goal is checked on the 1-rank time
      # rescaled to the 256-rank run's measured seconds per candidate (the same candidates on both sides), i.e.
      # both runs on equally fast cores; the raw figure and the drift stand beside it.
      s256=$(ls "$sim"/points/*-r256-*/stats.json | head -n 1)
      d=$(drift_of "$(ls "$sim"/points/*-r1-*/stats.json | head -n 1)" "$s256")
      effn=$(calc "$eff * $d")
      # issue 19's waste goal holds here too: candidates scanned in vain in split numbers, every level's
      w=$(waste_of "$s256")
      row "-" "19 simulated 256 ranks" semiprime56 2048 "mpifactor --kernel $k ($kn) SIMULATED" 256 "$t256" "" "$effn" \
        "simulated efficiency >= 0.85 and waste <= 0.02 (waste $w); 1 rank ($t1 s simulated) rescaled to the 256-rank run's cost per candidate (drift $d; unscaled $eff)" "$(met_if "$effn >= 0.85 && $w <= 0.02")"
    else
      echo "  FAIL  jobs/scaling.sh --simulate --kernel $k (see $sim.log)"
      tail -n 5 "$sim.log" | sed 's/^/        /'
      fail=1
    fi
  done
fi
