#!/usr/bin/env bash
# Simulated-cluster tests (SimGrid SMPI): jobs/scaling.sh --simulate at 64 ranks against GNU factor, its CSV
# row and levels.csv (service per level), one inverse table shared by the simulated ranks (peak memory), and the
# calibration of simulated against real run times at 1 and 2 ranks.
# usage: tests/simulate/run.sh   (from anywhere; installs libsimgrid-dev and builds build/smpi/ itself)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d /tmp/mf-simulate.XXXXXX)
SEED=${MF_TEST_SEED:-$(date +%s)}
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0 skipped=0
echo "simulate: seed $SEED (replay with MF_TEST_SEED=$SEED), work dir $WORK"

pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; [ -n "${2:-}" ] && sed 's/^/    /' "$2" | tail -n 20; }
skip() { skipped=$((skipped + 1)); echo "SKIP: $1"; }
finish() { echo "simulate: $passed passed, $failed failed, $skipped skipped"; [ "$failed" -eq 0 ]; exit $?; }
expected() { xargs -n 1 factor <"$1"; } # GNU factor, one number per call
# csv_field CSV ROW COLUMN: one field of a data row (1 = first data row) by column name
csv_field() {
  awk -F, -v row="$2" -v col="$3" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    NR == row + 1 { print $(c[col]) }' "$1"
}

"$ROOT/tests/lib/install-deps.sh" libsimgrid-dev gnuplot-nox coreutils python3 make gcc >"$WORK/deps.log" 2>&1 \
  || { fail "install libsimgrid-dev" "$WORK/deps.log"; finish; }
if make -C "$ROOT" --no-print-directory SMPI=1 all >"$WORK/make.log" 2>&1 \
  && ! grep -q 'warning:' "$WORK/make.log"; then
  pass "make SMPI=1 builds build/smpi/mpifactor without warnings"
else
  fail "make SMPI=1" "$WORK/make.log"; finish
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_pml=${OMPI_MCA_pml:-ob1}

# --- 64 simulated ranks on a mixed input (small, 2^64 edges, > 64-bit) against GNU factor ------------
python3 "$ROOT/tests/integration/gen_numbers.py" mixed 1500 "$SEED" >"$WORK/mixed.txt"
expected "$WORK/mixed.txt" >"$WORK/mixed.expected"
if python3 "$ROOT/jobs/simulate_platform.py" --ranks 64 --dir "$WORK/plat" >"$WORK/plat.log" 2>&1 \
  && [ "$(wc -l <"$WORK/plat/hostfile")" -eq 64 ] && [ "$(sort -u "$WORK/plat/hostfile" | wc -l)" -eq 4 ]; then
  pass "simulate_platform.py: 64 ranks on 4 nodes of 16 cores"
else
  fail "simulate_platform.py" "$WORK/plat.log"
fi
# shellcheck disable=SC2046 # one option per line
if (cd "$WORK" && timeout -k 5 300 smpirun -np 64 -platform plat/platform.xml -hostfile plat/hostfile \
  $(cat plat/smpi-cfg.txt) "$ROOT/build/smpi/mpifactor" --no-progress -o mixed.out --stats mixed.json mixed.txt) \
  >"$WORK/mixed.log" 2>&1 && cmp -s "$WORK/mixed.out" "$WORK/mixed.expected"; then
  pass "64 simulated ranks: 1500 mixed numbers identical to GNU factor"
else
  fail "64 simulated ranks on mixed numbers" "$WORK/mixed.log"
  diff "$WORK/mixed.out" "$WORK/mixed.expected" 2>&1 | head -n 5
fi
# check_mixed_stats JSON R INPUT: the --stats of R simulated ranks on 16-core nodes that factored the 1500 mixed numbers:
# every number once, work on half the ranks at least, a node leader on each node (rank 1 on the node of rank 0)
# that served its node.
check_mixed_stats() {
  python3 -c '
import json, os, sys
s, n = json.load(open(sys.argv[1])), int(sys.argv[2])
assert s["ranks"] == n and len(s["per_rank"]) == n, "%d ranks in --stats" % n
assert sum(r["numbers"] for r in s["per_rank"]) == 1500, "every number factored once"
assert sum(1 for r in s["per_rank"] if r["numbers"] > 0) >= n // 2, "work reached most ranks"
assert s["leaders"] == n // 16, "leaders: %s" % s["leaders"]
# the opening: an eighth of the input over the n - 1 ranks the leaders serve, where that is 32 bytes each
eighth = os.path.getsize(sys.argv[3]) // 8
assert s["opening"] == (s["leaders"] if eighth // (n - 1) >= 32 else 0), "opening: %s" % s["opening"]
lead = sorted({r["parent"] for r in s["per_rank"] if r["parent"] > 0})
assert lead == [1] + list(range(16, n, 16)), lead
assert all(s["per_rank"][k]["units_served"] > 0 for k in lead), "every leader handed out units"
assert s["wasted_candidates"] == sum(r["wasted_candidates"] for r in s["per_rank"]), "waste summed over every level"
assert s["per_rank"][0]["numbers_split"] == s["numbers_split"], "rank 0 counts its own splits"
assert all(s["per_rank"][k]["numbers_split"] == 0 and s["per_rank"][k]["wasted_candidates"] == 0
           for k in range(n) if k not in lead and k != 0), "only rank 0 and leaders split"
' "$1" "$2" "$3"
}
if check_mixed_stats "$WORK/mixed.json" 64 "$WORK/mixed.txt" >"$WORK/mixed-stats.log" 2>&1; then
  pass "64 simulated ranks: --stats lists 64 ranks that factored all 1500 numbers between them, node leaders 1, 16, 32 and 48 served their nodes"
else
  fail "64 simulated ranks: --stats" "$WORK/mixed-stats.log"
fi

# --- the second level at 256 simulated ranks on 16 nodes: the same numbers, a leader on every node ------------
# shellcheck disable=SC2046 # one option per line
if python3 "$ROOT/jobs/simulate_platform.py" --ranks 256 --dir "$WORK/plat256" >"$WORK/plat256.log" 2>&1 \
  && [ "$(sort -u "$WORK/plat256/hostfile" | wc -l)" -eq 16 ] \
  && (cd "$WORK" && timeout -k 5 300 smpirun -np 256 -platform plat256/platform.xml -hostfile plat256/hostfile \
    $(cat plat256/smpi-cfg.txt) "$ROOT/build/smpi/mpifactor" --no-progress -o mixed256.out --stats mixed256.json \
    mixed.txt) >"$WORK/mixed256.log" 2>&1 && cmp -s "$WORK/mixed256.out" "$WORK/mixed.expected" \
  && check_mixed_stats "$WORK/mixed256.json" 256 "$WORK/mixed.txt" >>"$WORK/mixed256.log" 2>&1; then
  pass "256 simulated ranks on 16 nodes: 1500 mixed numbers identical to GNU factor, a leader on each node served it"
else
  fail "256 simulated ranks on 16 nodes" "$WORK/mixed256.log"
fi

# --- numbers split by the leaders near the end of a run, and their ranges stopped once the factor is found --------
# 256 semiprimes of two 28-bit primes on 64 simulated ranks (4 per rank): as ranks run out of numbers, each leader
# splits the numbers still running on its node; a number is complete as soon as its smaller prime is reported, and
# the ranges still out are stopped (MF_TAG_DROP). Their candidates beyond the factor count as wasted.
python3 "$ROOT/jobs/gen_numbers.py" --count 256 --bits 56 --kind semiprime --seed "$SEED" >"$WORK/semi.txt"
expected "$WORK/semi.txt" >"$WORK/semi.expected"
# shellcheck disable=SC2046 # one option per line
if (cd "$WORK" && timeout -k 5 300 smpirun -np 64 -platform plat/platform.xml -hostfile plat/hostfile \
  $(cat plat/smpi-cfg.txt) "$ROOT/build/smpi/mpifactor" --no-progress -o semi.out --stats semi.json semi.txt) \
  >"$WORK/semi.log" 2>&1 && cmp -s "$WORK/semi.out" "$WORK/semi.expected" && python3 -c '
import json, sys
s = json.load(open(sys.argv[1])); r = s["per_rank"]
lead = [k for k in range(len(r)) if any(x["parent"] == k for x in r) and k]
split = sum(r[k]["numbers_split"] for k in lead)
stopped = sum(x["ranges_stopped"] for x in r)
waste = s["wasted_candidates"] / s["candidates"]
print("leaders split %d numbers, %d ranges stopped, %.2f%% of candidates wasted" % (split, stopped, 100 * waste))
assert split > 0 and stopped > 0, "numbers split by leaders and ranges stopped"
assert stopped <= sum(x["ranges"] for x in r), "stopped ranges are ranges run"
assert waste < 0.05, "waste %.3f" % waste
' "$WORK/semi.json" >>"$WORK/semi.log" 2>&1; then
  pass "64 simulated ranks, 256 semiprimes: identical to GNU factor, split by the leaders, ranges stopped once their number was done ($(tail -n 1 "$WORK/semi.log"))"
else
  fail "64 simulated ranks, 256 semiprimes split and stopped" "$WORK/semi.log"
fi

# --- the calibration input: real and simulated runs at 1, 2 (and 64) ranks ----------------------------
# The commands of README.md's "Simulated scaling" section, verbatim (seed 1).
S=$WORK/results/sim
if (cd "$WORK" && PATH=$ROOT/jobs:$PATH timeout -k 5 600 \
  scaling.sh strong --simulate --ranks "1 2 64" --numbers 40 --bits 58 --out results/sim) \
  >"$WORK/sim.log" 2>&1 && [ "$(tail -n +2 "$S/scaling.csv" | wc -l)" -eq 3 ]; then
  pass "scaling.sh strong --simulate --ranks \"1 2 64\": outputs agree, one CSV row per rank count"
else
  fail "scaling.sh --simulate" "$WORK/sim.log"; finish
fi
out64=$(ls "$S"/points/*-r64-k1/out.txt)
if cmp -s "$out64" <(expected "$(ls "$S"/inputs/*.txt)"); then
  pass "64 simulated ranks: semiprimes identical to GNU factor"
else
  fail "64 simulated ranks: semiprimes differ from GNU factor"
fi
if [ "$(head -n 1 "$S/scaling.csv")" = \
  mode,ranks,nodes,numbers,wall_s,numbers_per_s,speedup,efficiency,busy_share_mean,busy_share_min,run_s,launcher,schedule ] \
  && [ "$(csv_field "$S/scaling.csv" 3 ranks),$(csv_field "$S/scaling.csv" 3 nodes),$(csv_field "$S/scaling.csv" 3 launcher)" = 64,4,smpirun ] \
  && awk -F, 'NR > 1 && !($5 > 0 && $11 > 0 && $11 <= $5 * 1.001 && $9 > 0 && $9 <= 1.001) { bad = 1 } END { exit bad }' "$S/scaling.csv"; then
  pass "CSV: 64-rank row on 4 simulated nodes, launcher smpirun, positive wall_s >= run_s"
else
  fail "CSV row" "$S/scaling.csv"
fi
grep -q '^launcher: smpirun (SIMULATED' "$S/meta.txt" && grep -q '^simulated platform: ' "$S/meta.txt" \
  && pass "meta.txt labels the sweep simulated and describes the platform" || fail "meta.txt" "$S/meta.txt"
# check_levels SCALING_CSV LEVELS_CSV: levels.csv has one row per scaling.csv row (same mode, ranks, run_s, launcher,
# schedule), from the same run. On one node (1 and 2 ranks) rank 0 serves every other rank itself: no leaders,
# rank0_kids = ranks - 1, leader columns 0. On full 16-core nodes (64 ranks: 4) a leader per node (rank 1 on rank 0's
# node) serves the node's other ranks: leaders = nodes, rank 0 serves the leaders alone (rank0_kids = leaders), the
# leaders' kids are the other ranks but rank 0 (rank0_kids + leaders x leader_kids_mean = ranks - 1), and every
# leader column is positive.
check_levels() {
  python3 - "$1" "$2" <<'PY'
import csv, sys
rows, levels = list(csv.DictReader(open(sys.argv[1]))), list(csv.DictReader(open(sys.argv[2])))
assert open(sys.argv[2]).readline().strip() == ("mode,ranks,leaders,run_s,rank0_service_s,rank0_units_served,rank0_kids,"
    "leader_service_mean_s,leader_service_max_s,leader_units_mean,leader_units_max,leader_kids_mean,launcher,schedule"), "header"
assert len(levels) == len(rows), "%d levels.csv rows for %d scaling.csv rows" % (len(levels), len(rows))
cols = ("leader_service_mean_s", "leader_service_max_s", "leader_units_mean", "leader_units_max", "leader_kids_mean")
for a, b in zip(rows, levels):
    for k in ("mode", "ranks", "run_s", "launcher", "schedule"):
        assert a[k] == b[k], "%s: %s in scaling.csv, %s in levels.csv" % (k, a[k], b[k])
    n, nodes, lead, kids0 = int(b["ranks"]), int(a["nodes"]), int(b["leaders"]), int(b["rank0_kids"])
    leader = [float(b[k]) for k in cols]
    assert 0 < float(b["rank0_service_s"]) <= float(b["run_s"]), "%d ranks: rank0_service_s %s" % (n, b["rank0_service_s"])
    assert (int(b["rank0_units_served"]) > 0) == (n > 1), "%d ranks: rank0_units_served %s" % (n, b["rank0_units_served"])
    if nodes == 1:
        assert lead == 0 and kids0 == n - 1 and leader == [0] * 5, "%d ranks on one node: %s" % (n, b)
    else:
        assert lead == nodes and kids0 == lead, "%d ranks on %d nodes: %d leaders, rank 0 served %d" % (n, nodes, lead, kids0)
        assert all(v > 0 for v in leader), "%d ranks: leader columns %s" % (n, leader)
        assert float(b["leader_service_max_s"]) >= float(b["leader_service_mean_s"]), "max below mean"
        assert abs(kids0 + lead * float(b["leader_kids_mean"]) - (n - 1)) < 0.01 * lead, "kids: %s" % b
print("levels.csv: " + "; ".join("%s ranks: %s leaders, rank 0 %s kids, service %.2f of run_s, busiest leader %.2f" % (
    b["ranks"], b["leaders"], b["rank0_kids"], float(b["rank0_service_s"]) / float(b["run_s"]),
    float(b["leader_service_max_s"]) / float(b["run_s"])) for b in levels))
PY
}
if check_levels "$S/scaling.csv" "$S/levels.csv" >"$WORK/levels.log" 2>&1 \
  && [ "$(csv_field "$S/levels.csv" 3 ranks),$(csv_field "$S/levels.csv" 3 leaders)" = 64,4 ]; then
  pass "levels.csv: one row per scaling.csv row; 4 node leaders at 64 ranks served the other 59, rank 0 the 4 leaders ($(tail -n 1 "$WORK/levels.log"))"
else
  fail "levels.csv" "$WORK/levels.log"
fi
# One inverse table for all simulated ranks, not one per rank: SMPI runs every rank in this one process, so
# per-rank copies of the scalar kernel's 8 MiB table add 8 MiB for each rank that reaches past 2^21. 32 hard
# numbers split across the 64 ranks: 301 MiB with per-rank tables against 55 MiB shared (41 MiB at 1 rank,
# five runs alike). The bound, 20 MiB above 1 rank, fails on a single second copy of the table: when ranks
# that looked for the shared table in the same turn each made one, this run gave 63 to 119 MiB, and a bound
# of 64 MiB let most of those runs pass. Peak memory is exact where time on this VM is not. The heap pool that
# src/sim.c touches before a simulation starts (512 KiB a rank) would add 32 MiB at 64 ranks: it is off here.
python3 "$ROOT/tests/integration/gen_numbers.py" semiprime 32 "$SEED" >"$WORK/table.txt"
# peak_mib NP: the simulation's peak resident memory (MiB) at NP ranks, scalar kernel (it fills the table)
peak_mib() {
  # shellcheck disable=SC2046 # one option per line
  (cd "$WORK" && MF_SIM_POOL_KIB=0 timeout -k 5 300 python3 -c 'import resource, subprocess, sys
ok = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024 if ok else "failed")' \
    smpirun -np "$1" -platform plat/platform.xml -hostfile plat/hostfile $(cat plat/smpi-cfg.txt) \
    "$ROOT/build/smpi/mpifactor" --kernel scalar --no-progress -o "table$1.out" table.txt)
}
m1=$(peak_mib 1) m64=$(peak_mib 64)
if [ "$m1" != failed ] && [ "$m64" != failed ] && [ "$m64" -le $((m1 + 20)) ] \
  && cmp -s "$WORK/table64.out" <(expected "$WORK/table.txt"); then
  pass "64 simulated ranks share one inverse table: peak memory ${m64} MiB against ${m1} MiB at 1 rank"
else
  fail "64 simulated ranks: peak memory ${m64} MiB against ${m1} MiB at 1 rank (more than 20 MiB above: more than one table?)"
fi
# Nor may compute inflate with the rank count in other ways (SMPI charging its own work to ranks, say).
# The measure is busy time per candidate (at 64 ranks a few percent more candidates are tried, on ranges
# cancelled once a factor is found; that is counted as waste, not as slower compute). SMPI charges the CPU
# time each point used, and this VM's speed drifts between points (once 55% within a minute; single pairs
# land 10-17% apart either way, and once the 1-rank point of a later pair ran 60% faster than its 64-rank
# point), so when the sweep's pair misses, both points are measured again back to back, up to three times,
# and one pair within the bound passes. 64 ranks in one process also share caches (and the table,
# each rank reading its own part of it): in CI the fastest 64-rank figure was 10% above the 1-rank one
# (three pairs 10-19% apart; a fresh clone here: 17%), so the bound is 30%, for gross inflation; the
# table itself is checked by memory above.
ns_per_candidate() { python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["per_rank"]
print("%.4f" % (1e9 * sum(x["busy_s"] for x in r) / sum(x["candidates"] for x in r)))' "$1"; }
# within F A B: B lies within the fraction F of A; lowest A B: the smaller (B when A is empty)
within() { awk -v f="$1" -v a="$2" -v b="$3" 'BEGIN { exit !(b <= a * (1 + f) && b >= a * (1 - f)) }'; }
# full_speed_run_s POINTS NP: the fastest NP-rank run_s (real or simulated) brought to full core speed, or
# "none" and the least slowdown seen. A run's slowdown is its busy time per candidate over the fastest 1-rank
# run's of the same sweep; its run_s is divided by it (the work is almost all factoring, so time stolen from a
# core, by another tenant or an SMT sibling, lengthens the run by about that factor). Runs slowed by more than
# 35% are set aside: they measure the host, not the job.
full_speed_run_s() {
  python3 - "$1" "$2" <<'PY'
import glob, json, sys
def runs(np):
    return [json.load(open(f)) for f in glob.glob("%s/*-r%s-k*/stats.json" % (sys.argv[1], np))]
def per_candidate(s):
    return sum(r["busy_s"] for r in s["per_rank"]) / max(1, sum(r["candidates"] for r in s["per_rank"]))
base = min(per_candidate(s) for s in runs(1))
points = [(per_candidate(s) / base, s["wall_s"]) for s in runs(sys.argv[2])]
usable = [wall / slow for slow, wall in points if slow <= 1.35]
print("%.6f" % min(usable) if usable else "none %.2f" % min(slow for slow, _ in points))
PY
}
lowest() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }
c1=$(ns_per_candidate "$(ls "$S"/points/*-r1-k1/stats.json)")
c64=$(ns_per_candidate "$(ls "$S"/points/*-r64-k1/stats.json)")
pairs="[sweep: ${c64} vs ${c1}]"
for again in 1 2 3; do
  within 0.30 "$c1" "$c64" && break
  R=$WORK/results/busy$again
  (cd "$WORK" && PATH=$ROOT/jobs:$PATH timeout -k 5 600 \
    scaling.sh strong --simulate --ranks "1 64" --numbers 40 --bits 58 --reps 1 --out "$R") >"$WORK/busy$again.log" 2>&1 || break
  c1=$(ns_per_candidate "$(ls "$R"/points/*-r1-k1/stats.json)")
  c64=$(ns_per_candidate "$(ls "$R"/points/*-r64-k1/stats.json)")
  pairs="$pairs [again $again: ${c64} vs ${c1}]"
done
if within 0.30 "$c1" "$c64"; then
  pass "busy time per candidate at 64 simulated ranks ${c64} ns within 30% of 1 rank's ${c1} ns $pairs"
else
  fail "busy time per candidate at 64 simulated ranks ${c64} ns vs 1 rank ${c1} ns (more than 30% apart in every pair) $pairs"
fi

# --worker-cost F: factoring charged F times (the same numbers stand for numbers F times as costly), rank 0's
# other work as measured. Both points factor the same candidates on the host, so what F changes is the simulated
# busy time per CPU second the simulation used: that ratio at F = 4 over F = 1 (1 rank, 40 numbers of 52 bits),
# within [3.2, 5], up to three pairs. Per-candidate times of two separate runs were no measure on this VM: its
# speed drifts for minutes and its two cores differ, and three runs of each F gave 2.4-6.6x. At 16 ranks the
# output is still GNU factor's, and meta.txt states the model.
(cd "$WORK" && PATH=$ROOT/jobs:$PATH timeout -k 5 300 scaling.sh strong --simulate --worker-cost 4 \
  --ranks "1 16" --numbers 40 --bits 52 --reps 1 --out results/wc4) >"$WORK/wc4.log" 2>&1
# wc_busy_per_cpu F: simulated busy seconds per CPU second of one 1-rank simulated run with --worker-cost F
wc_busy_per_cpu() {
  local cpu
  cpu=$( (cd "$WORK" && TIMEFORMAT='%U %S' && time (MF_SIM_WORKER_COST=$1 timeout -k 5 300 smpirun -np 1 \
    -platform plat/platform.xml -hostfile plat/hostfile $(cat plat/smpi-cfg.txt) "$ROOT/build/smpi/mpifactor" \
    --no-progress -o "wcp$1.out" --stats "wcp$1.json" "$(ls results/wc4/inputs/*.txt)" >"wcp$1.log" 2>&1)) 2>&1 \
    | awk '{ print $1 + $2 }')
  python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); print("%.4f" % (s["per_rank"][0]["busy_s"] / float(sys.argv[2])))' \
    "$WORK/wcp$1.json" "$cpu" 2>/dev/null
}
wc_pairs="" ratio=0
for again in 1 2 3; do
  b1=$(wc_busy_per_cpu 1)
  b4=$(wc_busy_per_cpu 4)
  ratio=$(awk -v a="$b1" -v b="$b4" 'BEGIN { if (a > 0) printf "%.2f", b / a; else print 0 }')
  wc_pairs="$wc_pairs [pair $again: busy per CPU second $b4 vs $b1, ${ratio}x]"
  awk -v r="$ratio" 'BEGIN { exit !(r >= 3.2 && r <= 5) }' && break
done
if awk -v r="$ratio" 'BEGIN { exit !(r >= 3.2 && r <= 5) }' \
  && cmp -s "$(ls "$WORK"/results/wc4/points/*-r16-k1/out.txt)" <(expected "$(ls "$WORK"/results/wc4/inputs/*.txt)") \
  && grep -q '^simulated cost model: factoring charged 4 x its measured time (--worker-cost 4)' "$WORK/results/wc4/meta.txt"; then
  pass "--worker-cost 4: simulated busy time per CPU second ${ratio}x that of --worker-cost 1, output at 16 ranks identical to GNU factor, model in meta.txt$wc_pairs"
else
  fail "--worker-cost 4: simulated busy time per CPU second not 3.2-5x that of --worker-cost 1, or output/meta.txt wrong$wc_pairs" "$WORK/wc4.log"
fi
# refused WHAT MESSAGE NAME scaling.sh-options...: the sweep must stop with MESSAGE (its output to $WORK/NAME.log)
refused() {
  local what=$1 message=$2 log=$WORK/$3.log
  shift 3
  if (cd "$WORK" && PATH=$ROOT/jobs:$PATH scaling.sh strong "$@") >"$log" 2>&1; then
    fail "$what was accepted" "$log"
  elif grep -q -- "$message" "$log"; then
    pass "$what: refused ($message)"
  else
    fail "$what: no clear message" "$log"
  fi
}
refused "--worker-cost without --simulate" "--worker-cost needs --simulate" \
  wcreal --worker-cost 4 --ranks 1 --numbers 4 --out results/wcreal

# Factoring charged per candidate (MF_SIM_CANDIDATE_NS, set by --worker-charge per-candidate). At 2.5 ns, some
# 20 times what a candidate costs on this machine, every rank that factored is charged 2.5 ns per candidate it
# tested, whatever the real time: the charge follows the model, not the clock. MF_SIM_CALIBRATION_OUT gets one
# line per rank that factored, with its candidates.
# busy_per_candidate JSON: "MIN ALL N": busy_s / candidates in ns, the least over the N ranks that tested over
# 10^6 candidates, and over all ranks together. A slice's busy time is its charge, whatever its clock reads cost;
# a number split across ranks counts its candidates where it started, so one rank may pay a little less.
busy_per_candidate() {
  python3 -c 'import json, sys
pr = json.load(open(sys.argv[1]))["per_rank"]
r = [x for x in pr if x["candidates"] > 1e6]
v = [x["busy_s"] / x["candidates"] * 1e9 for x in r] or [0]
c = sum(x["candidates"] for x in pr if x["candidates"] > 0)
b = sum(x["busy_s"] for x in pr if x["candidates"] > 0)
print("%.4f %.4f %d" % (min(v), b / c * 1e9 if c else 0, len(r)))' "$1" 2>/dev/null || echo "0 0 0"
}
# charged_per_candidate SWEEP NS: whether the 1- and 16-rank points of SWEEP (of pc.txt) were charged NS ns per
# candidate over all ranks (0.1% either way, 97% of it on each rank over 10^6 candidates; NS > 0) and each wrote
# the same output as pc.out: charged_ok 1 or 0, and in charged_seen what each point was charged.
charged_per_candidate() {
  local p a b n
  charged_ok=1 charged_seen=""
  for p in "$1"/points/*-r1-k1 "$1"/points/*-r16-k1; do
    read -r a b n < <(busy_per_candidate "$p/stats.json")
    charged_seen="$charged_seen [$(basename "$p"): $b ns over all ranks, least $a over $n ranks]"
    awk -v a="$a" -v b="$b" -v c="$2" 'BEGIN { exit !(c > 0 && a >= c * 0.97 && b >= c * 0.999 && b <= c * 1.001) }' \
      || charged_ok=0
    cmp -s "$p/out.txt" "$WORK/pc.out" || charged_ok=0
  done
}
python3 "$ROOT/jobs/gen_numbers.py" --count 4000 --bits 40 --kind random --seed 3 >"$WORK/pc.txt"
rm -f "$WORK/pc.cal"
(cd "$WORK" && MF_SIM_CANDIDATE_NS=2.5 MF_SIM_CALIBRATION_OUT=pc.cal timeout -k 5 300 smpirun -np 16 \
  -platform plat/platform.xml -hostfile plat/hostfile $(cat plat/smpi-cfg.txt) "$ROOT/build/smpi/mpifactor" \
  --no-progress -o pc.out --stats pc.json pc.txt) >"$WORK/pc.log" 2>&1
read -r pc_min pc_all_ns pc_n < <(busy_per_candidate "$WORK/pc.json")
pc_cal=$(awk '{ c += $1 } END { printf "%d %.0f", NR, c }' "$WORK/pc.cal" 2>/dev/null)
pc_all=$(python3 -c 'import json, sys; print(sum(x["candidates"] for x in json.load(open(sys.argv[1]))["per_rank"]))' "$WORK/pc.json" 2>/dev/null)
if cmp -s "$WORK/pc.out" <(expected "$WORK/pc.txt") && [ "$pc_n" -ge 12 ] \
  && awk -v a="$pc_min" -v b="$pc_all_ns" 'BEGIN { exit !(a >= 2.5 * 0.97 && b >= 2.5 * 0.999 && b <= 2.5 * 1.001) }' \
  && [ "$pc_cal" = "16 $pc_all" ]; then
  pass "MF_SIM_CANDIDATE_NS=2.5 at 16 simulated ranks: $pc_all_ns ns of busy time per candidate over all ranks, at least $pc_min on each ($pc_n ranks over 10^6 candidates), output identical to GNU factor; the calibration file has one line per rank and their $pc_all candidates"
else
  fail "MF_SIM_CANDIDATE_NS=2.5: busy time per candidate $pc_all_ns ns over all ranks (2.5 wanted, 0.1% either way), least $pc_min over $pc_n ranks (2.425 wanted), calibration lines and candidates '$pc_cal' (wanted '16 $pc_all'), or output differs" "$WORK/pc.log"
fi
# --worker-charge per-candidate: a calibration run of the smallest point gives C; meta.txt states it, and every
# point's ranks are charged F x C per candidate.
(cd "$WORK" && PATH=$ROOT/jobs:$PATH timeout -k 5 300 scaling.sh strong --simulate --worker-cost 4 \
  --worker-charge per-candidate --ranks "1 16" --input pc.txt --reps 1 --out results/pc) >"$WORK/pcs.log" 2>&1
pc_c=$(sed -n 's/^simulated cost model: factoring charged 4 x \([0-9.]*\) ns per candidate tested (--worker-charge per-candidate.*/\1/p' \
  "$WORK/results/pc/meta.txt" 2>/dev/null)
charged_per_candidate "$WORK/results/pc" "$(awk -v c="${pc_c:-0}" 'BEGIN { printf "%.9f", 4 * c }')"
pc_ok=$charged_ok pc_seen=$charged_seen
# the calibration run lies beside the points, not among them: every folder of points/ is a point of scaling.csv
pc_points=$(ls "$WORK/results/pc/points" 2>/dev/null | tr '\n' ' ')
[ -s "$(ls "$WORK"/results/pc/calibration/*-r1/calibration.txt 2>/dev/null | head -n 1)" ] || pc_ok=0
[ "$(ls "$WORK/results/pc/points" 2>/dev/null | wc -l)" -eq 2 ] || pc_ok=0
if [ "$pc_ok" = 1 ] && grep -q '^calibration point: 1 simulated ranks: ' "$WORK/results/pc/meta.txt"; then
  pass "--worker-charge per-candidate --worker-cost 4: calibration run (C = $pc_c ns), ranks charged 4 x C per candidate$pc_seen, outputs identical to GNU factor, model in meta.txt"
else
  fail "--worker-charge per-candidate: C '$pc_c' ns, charges$pc_seen (4 x C over all ranks, 0.1% either way, 97% of it on each wanted), output/meta.txt wrong, or the calibration run not in calibration/ (points/: $pc_points)" "$WORK/pcs.log"
fi
# --candidate-ns NS: C given, not calibrated: no calibration run, every point's ranks charged F x NS per candidate
# (3 ns, some 25 times this machine's price), and meta.txt says where C came from.
(cd "$WORK" && PATH=$ROOT/jobs:$PATH timeout -k 5 300 scaling.sh strong --simulate --worker-cost 2 \
  --worker-charge per-candidate --candidate-ns 3 --ranks "1 16" --input pc.txt --reps 1 --out results/pcn) \
  >"$WORK/pcn.log" 2>&1
charged_per_candidate "$WORK/results/pcn" 6
pcn_ok=$charged_ok pcn_seen=$charged_seen
[ ! -e "$WORK/results/pcn/calibration" ] || pcn_ok=0
if [ "$pcn_ok" = 1 ] && grep -q '^simulated cost model: factoring charged 2 x 3 ns per candidate tested (.*given by --candidate-ns' \
  "$WORK/results/pcn/meta.txt" && ! grep -q '^calibration point' "$WORK/results/pcn/meta.txt"; then
  pass "--candidate-ns 3 --worker-cost 2: no calibration run, ranks charged 2 x 3 ns per candidate$pcn_seen, outputs identical to GNU factor, the given price in meta.txt"
else
  fail "--candidate-ns 3 --worker-cost 2: charges$pcn_seen (6 ns over all ranks, 0.1% either way, 97% of it on each wanted), output wrong, a calibration run made, or meta.txt does not state the given price" "$WORK/pcn.log"
fi
refused "--candidate-ns without --worker-charge per-candidate" "--candidate-ns needs --worker-charge per-candidate" \
  pcnm --simulate --candidate-ns 3 --ranks 1 --numbers 4 --out results/pcnm
refused "--worker-charge without --simulate" "--worker-charge needs --simulate" \
  pcreal --worker-charge per-candidate --ranks 1 --numbers 4 --out results/pcreal

# Platform options (jobs/README.md's commands, verbatim): 16 ranks on 8 two-core nodes over a slow network,
# and a platform of one's own.
if (cd "$WORK" && PATH=$ROOT/jobs:$PATH timeout -k 5 300 \
  scaling.sh weak --simulate --ranks "1 4 16" --numbers 8 --bits 48 --nodes 8 --cores-per-node 2 \
  --latency 50us --bandwidth 1Gbps --out results/sim-slow) >"$WORK/slow.log" 2>&1 \
  && [ "$(tail -n +2 "$WORK/results/sim-slow/scaling.csv" | cut -d, -f2,3,4 | tr '\n' ' ')" = "1,1,8 4,2,32 16,8,128 " ] \
  && grep -q 'bw="1e+09bps" lat="2.5e-05s"' "$WORK"/results/sim-slow/platform-*/platform.xml; then
  pass "--nodes 8 --cores-per-node 2 --latency 50us --bandwidth 1Gbps: ranks on 1, 2 and 8 nodes, links as asked"
else
  fail "weak --simulate with platform options" "$WORK/slow.log"
fi
cat >"$WORK/two-hosts.xml" <<'XML'
<?xml version="1.0"?>
<!DOCTYPE platform SYSTEM "https://simgrid.org/simgrid.dtd">
<platform version="4.1">
  <zone id="AS0" routing="Full">
    <host id="alpha" speed="1Gf" core="2"/>
    <host id="beta" speed="2Gf" core="2"/>
    <link id="wire" bandwidth="1Gbps" latency="100us"/>
    <route src="alpha" dst="beta"><link_ctn id="wire"/></route>
  </zone>
</platform>
XML
if (cd "$WORK" && PATH=$ROOT/jobs:$PATH timeout -k 5 300 \
  scaling.sh strong --simulate --ranks "1 4" --numbers 40 --bits 48 --reps 1 --platform two-hosts.xml --out results/mine) \
  >"$WORK/mine.log" 2>&1 && [ "$(tail -n +2 "$WORK/results/mine/scaling.csv" | cut -d, -f2,3 | tr '\n' ' ')" = "1,1 4,2 " ] \
  && [ "$(cat "$WORK"/results/mine/points/*-r4-k1/hostfile | tr '\n' ' ')" = "alpha alpha beta beta " ]; then
  pass "--platform FILE: 4 ranks on its two 2-core hosts"
else
  fail "--platform FILE" "$WORK/mine.log"
fi

# --scratch DIR: the points' files go to DIR, linked from the --out folder, and meta.txt names DIR and its file
# system (no calibration/ folder: this sweep charges as measured); an --out folder that holds its own points
# already is refused, not mixed.
scr=$(cd "$WORK" && pwd -P)/scratch-files
if (cd "$WORK" && PATH=$ROOT/jobs:$PATH timeout -k 5 300 \
  scaling.sh strong --simulate --ranks "1 4" --numbers 40 --bits 48 --reps 1 --scratch "$scr" --out results/scr) \
  >"$WORK/scr.log" 2>&1 && [ "$(readlink -f "$WORK/results/scr/points")" = "$scr/points" ] \
  && [ "$(tail -n +2 "$WORK/results/scr/scaling.csv" | cut -d, -f2 | tr '\n' ' ')" = "1 4 " ] \
  && cmp -s "$(ls "$scr"/points/*-r4-k1/out.txt)" <(expected "$(ls "$scr"/inputs/*.txt)") \
  && grep -qxF "files of the points: $scr/points ($(stat -f -c %T "$scr"))" "$WORK/results/scr/meta.txt"; then
  if (cd "$WORK" && PATH=$ROOT/jobs:$PATH scaling.sh strong --simulate --ranks 1 --numbers 4 --scratch "$scr-2" \
    --out results/sim) >"$WORK/scr2.log" 2>&1; then
    fail "--scratch with an --out folder that holds points already: accepted" "$WORK/scr2.log"
  elif grep -q "results/sim/inputs exists already: --scratch wants an --out folder without it" "$WORK/scr2.log"; then
    pass "--scratch DIR: inputs and points in DIR, linked from --out, meta.txt names it ($(stat -f -c %T "$scr")); an --out with points of its own refused"
  else
    fail "--scratch refused without the message" "$WORK/scr2.log"
  fi
else
  fail "--scratch DIR" "$WORK/scr.log"
fi

# Real runs on this machine, same input. Only meaningful when this machine has its cores to itself: the
# simulation runs on one core and charges each rank the wall time of its own code (src/sim.c: a thread-CPU
# clock read costs 1.2 us on this VM, a wall clock read 25 ns), so foreign load skews both sides alike but the
# 2-rank real run also needs both cores.
# Two spinning processes (the 2-rank run needs two cores) must each get most of a core.
share=$(python3 -c '
import multiprocessing, time
def spin(_):
    w, c = time.perf_counter(), time.process_time()
    while time.perf_counter() - w < 1.0:
        pass
    return (time.process_time() - c) / (time.perf_counter() - w)
with multiprocessing.Pool(2) as p:
    print("%.2f" % min(p.map(spin, range(2))))')
if awk -v s="$share" 'BEGIN { exit !(s < 0.85) }'; then
  skip "calibration: this machine is busy (two spinning processes got ${share} of a core each); real timings unusable"
else
  # This VM's speed drifts by 10-25% over minutes (other tenants), and a real 2-rank run on 2 cores is
  # slowed by anything else that wakes up. Noise only adds time, so each side's estimate is its fastest run
  # so far: every attempt measures both sides again (simulated twice, real three times) and lowers the
  # minima; the test passes once both rank counts agree within 15%, after at most 6 attempts (rounds). A
  # miscalibrated model (wrong host speed, polling charged) stays apart however often it is measured.
  # A real 2-rank run is also slowed when the two vCPUs stop being two full cores (a busy host, SMT
  # siblings): CI once saw every 2-rank run 35% slower for minutes while the 1-rank runs matched. Its own
  # --stats show that (busy time per candidate above the 1-rank run's), so such runs are set aside, and
  # the check is skipped when no attempt had two full cores. The simulation runs on one of those vCPUs:
  # CI once had every simulated 2-rank point 11-15% slower than here while its 1-rank points matched, so
  # simulated runs whose compute ran slow are set aside the same way.
  declare -A best=()
  ok=0 attempts="" rounds=6
  for ((attempt = 1; attempt <= rounds; attempt++)); do
    rm -rf "$WORK/results/cal-sim" "$WORK/results/cal-real"
    if ! (cd "$WORK" && PATH=$ROOT/jobs:$PATH timeout -k 5 300 \
      scaling.sh strong --simulate --ranks "1 2" --numbers 40 --bits 56 --reps 2 --pick min --out results/cal-sim) >"$WORK/calsim.log" 2>&1 ||
      ! (cd "$WORK" && PATH=$ROOT/jobs:$PATH timeout -k 5 300 \
      scaling.sh strong --ranks "1 2" --numbers 40 --bits 56 --reps 3 --pick min --out results/cal-real) >"$WORK/real.log" 2>&1; then
      attempts="$attempts [attempt $attempt: a run failed]"
      continue
    fi
    good=0 line=""
    for row in 1 2; do
      read -r real slow < <(full_speed_run_s "$WORK/results/cal-real/points" "$row")
      if [ "$real" = none ]; then
        slowest=$slow line="$line $row rank(s): cores ${slow}x slower than at 1 rank in every run;"
        continue
      fi
      read -r sim sslow < <(full_speed_run_s "$WORK/results/cal-sim/points" "$row")
      if [ "$sim" = none ]; then
        line="$line $row rank(s): simulated compute ${sslow}x slower than at 1 rank in every run;"
        continue
      fi
      best[real$row]=$(lowest "${best[real$row]:-}" "$real")
      best[sim$row]=$(lowest "${best[sim$row]:-}" "$sim")
      line="$line $row rank(s): simulated ${best[sim$row]} s vs real ${best[real$row]} s;"
      within 0.15 "${best[real$row]}" "${best[sim$row]}" && good=$((good + 1))
    done
    attempts="$attempts [after attempt $attempt, fastest:$line]"
    if [ "$good" -eq 2 ]; then ok=1; break; fi
  done
  if [ "$ok" -eq 0 ] && [ -z "${best[real2]:-}" ]; then
    skip "calibration: no real 2-rank run had two full cores (busy time per candidate ${slowest}x the 1-rank run's at best)$attempts"
  elif [ "$ok" -eq 1 ]; then
    pass "calibration at 1 and 2 ranks: simulated run_s within 15% of real ones$attempts"
  else
    fail "calibration at 1 and 2 ranks: simulated run_s more than 15% from real ones after $rounds attempts$attempts"
  fi
fi
# Rank 0's own work is charged what it takes on a real rank, not the simulator's work around it (src/sim.c:
# SMPI's own benchmark counted ~2 us per MPI call or clock read, and rank 0 handing out units was charged
# 29-37 us per unit where a real one takes about 5). --schedule map on 20000 cheap numbers at 2 ranks is one
# unit per number, so rank 0's --stats service_s over its units is its cost per unit: the simulated one must
# lie within 2.5 times the real one's (fastest of 3 real runs; noise only adds to it) and not below a
# fifth of it (nothing charged at all). Measured here: simulated 5.3 us, real 5.4 us (2.2-3.3 us while SMPI
# dropped stretches under 1 us); SMPI's own benchmark gave 29 us.
seq 0 19999 >"$WORK/cheap.txt"
per_unit() { python3 -c 'import json, sys
s = json.load(open(sys.argv[1])); print("%.3f" % (1e6 * s["per_rank"][0]["service_s"] / s["units"]))' "$1"; }
real_unit=
for k in 1 2 3; do
  if OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 timeout -k 5 120 mpirun -np 2 "$ROOT/build/mpifactor" \
    --schedule map --no-progress --stats "$WORK/map-real.json" -o "$WORK/map-real.out" "$WORK/cheap.txt" >/dev/null 2>&1; then
    real_unit=$(lowest "$real_unit" "$(per_unit "$WORK/map-real.json")")
  fi
done
# shellcheck disable=SC2046 # one option per line
if (cd "$WORK" && timeout -k 5 300 smpirun -np 2 -platform plat/platform.xml -hostfile plat/hostfile $(cat plat/smpi-cfg.txt) \
  "$ROOT/build/smpi/mpifactor" --schedule map --no-progress --stats map-sim.json -o map-sim.out cheap.txt) \
  >"$WORK/map-sim.log" 2>&1 && [ -n "$real_unit" ] && cmp -s "$WORK/map-sim.out" "$WORK/map-real.out"; then
  sim_unit=$(per_unit "$WORK/map-sim.json")
  if awk -v s="$sim_unit" -v r="$real_unit" 'BEGIN { exit !(s <= 2.5 * r && s >= r / 5) }'; then
    pass "rank 0 serving one unit per number: simulated ${sim_unit} us per unit, real ${real_unit} us"
  else
    fail "rank 0 serving one unit per number: simulated ${sim_unit} us per unit against real ${real_unit} us (more than 2.5x above, or under a fifth)"
  fi
else
  fail "--schedule map at 2 ranks, real and simulated" "$WORK/map-sim.log"
fi
# make schedule-study's script, small: three policies on its three inputs at 1 and 4 simulated ranks (it
# checks every point's output against the others itself and exits non-zero when one differs).
if (cd "$WORK" && timeout -k 5 300 "$ROOT/jobs/schedule_study.sh" --out "$WORK/ss" --ranks "1 4" --numbers 200 \
  --cheap 500 --hard 4 --no-real) >"$WORK/ss.log" 2>&1 \
  && [ "$(grep -c '| simulated |' "$WORK/ss/table.md")" -eq 18 ] \
  && [ "$(head -c 8 "$WORK/ss/schedule-study.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] \
  && [ "$(cut -d, -f13 "$WORK/ss/random/sim/scaling.csv" | tail -n +2 | sort -u | tr '\n' ' ')" = "adaptive map static " ]; then
  pass "schedule_study.sh --ranks \"1 4\" --no-real: 18 simulated points (3 inputs x 3 policies x 2), table.md, PNG, schedule column"
else
  fail "schedule_study.sh small run" "$WORK/ss.log"
fi
# simulate_study.sh --candidate-ns: the price reaches the sweeps that charge per candidate and no other, and a
# bad one is refused before any sweep runs. The study's own copy runs beside stand-ins for scaling.sh and
# plot_scaling.sh that record their arguments (its real sweeps take an hour).
fake=$WORK/study-fake
mkdir -p "$fake"
cp "$ROOT/jobs/simulate_study.sh" "$fake/"
cat >"$fake/scaling.sh" <<'SH'
#!/usr/bin/env bash
out=; prev=
for a in "$@"; do [ "$prev" = --out ] && out=$a; prev=$a; done
mkdir -p "$out" && printf '%s\n' "$*" >"$out/args"
SH
printf '#!/usr/bin/env bash\nprintf "%%s\\n" "$*" >"$(dirname "$1")/plot-args"\n' >"$fake/plot_scaling.sh"
chmod +x "$fake/scaling.sh" "$fake/plot_scaling.sh"
if "$fake/simulate_study.sh" --sweeps "semiprime56 random40 weak40" --candidate-ns 0.25 --no-scratch \
  --out "$fake/given" >"$WORK/study-fake.log" 2>&1 \
  && grep -q -- "--worker-charge per-candidate --candidate-ns 0.25" "$fake/given/random40/args" \
  && grep -q -- "--worker-cost 8 --worker-charge per-candidate --candidate-ns 0.25" "$fake/given/weak40/args" \
  && ! grep -q -- --candidate-ns "$fake/given/semiprime56/args" \
  && grep -q "charged per candidate (0.25 ns, given)" "$fake/given/random40/plot-args" \
  && "$fake/simulate_study.sh" --sweeps random40 --no-scratch --out "$fake/calibrated" >>"$WORK/study-fake.log" 2>&1 \
  && ! grep -q -- --candidate-ns "$fake/calibrated/random40/args"; then
  pass "simulate_study.sh --candidate-ns 0.25: to random40 and weak40 only, in the plot's title; without it, none"
else
  fail "simulate_study.sh --candidate-ns: the price not passed to the per-candidate sweeps alone" "$WORK/study-fake.log"
fi
if "$fake/simulate_study.sh" --sweeps random40 --candidate-ns 0,1 --no-scratch --out "$fake/bad" \
  >"$WORK/study-bad.log" 2>&1; then
  fail "simulate_study.sh --candidate-ns 0,1 was accepted" "$WORK/study-bad.log"
elif grep -q "wants nanoseconds per candidate above 0, not '0,1'" "$WORK/study-bad.log" \
  && [ ! -e "$fake/bad/random40" ]; then
  pass "simulate_study.sh --candidate-ns 0,1: refused before any sweep ran"
else
  fail "simulate_study.sh --candidate-ns 0,1: no clear message, or a sweep ran" "$WORK/study-bad.log"
fi
# png_size PNG: "WIDTHxHEIGHT" of a PNG file, or "not a PNG"
png_size() { python3 -c 'import struct, sys
d = open(sys.argv[1], "rb").read(24)
print("%dx%d" % struct.unpack(">II", d[16:24]) if d[:8] == b"\x89PNG\r\n\x1a\n" else "not a PNG")' "$1" 2>/dev/null || echo "not a PNG"; }
# With levels.csv beside the CSV: four panels (2x2, 1200x1000); the CSV alone: the two of old (1200x520).
mkdir -p "$WORK/results/sim-nolevels" && cp "$S/scaling.csv" "$S/meta.txt" "$WORK/results/sim-nolevels/"
if (cd "$WORK" && PATH=$ROOT/jobs:$PATH plot_scaling.sh results/sim/scaling.csv) >"$WORK/plot.log" 2>&1 \
  && [ "$(png_size "$S/scaling.png")" = 1200x1000 ] \
  && (cd "$WORK" && PATH=$ROOT/jobs:$PATH plot_scaling.sh results/sim-nolevels/scaling.csv) >>"$WORK/plot.log" 2>&1 \
  && [ "$(png_size "$WORK/results/sim-nolevels/scaling.png")" = 1200x520 ]; then
  pass "plot_scaling.sh draws the simulated sweep (PNG), with the per-level panels from levels.csv (1200x1000), without it two panels (1200x520)"
else
  fail "plot_scaling.sh on the simulated CSV: $(png_size "$S/scaling.png") with levels.csv, $(png_size "$WORK/results/sim-nolevels/scaling.png") without" "$WORK/plot.log"
fi
finish
