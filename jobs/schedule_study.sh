#!/usr/bin/env bash
# `make schedule-study`: mpifactor's three --schedule policies (adaptive, map, static) on three inputs, simulated
# from 1 to 1024 ranks (SimGrid SMPI, jobs/scaling.sh --simulate) plus real np 1 and 2 on this machine; CSV, PNG
# and a Markdown table with what limits each point, under one folder (docs/schedule.md shows it).
#
#   jobs/schedule_study.sh [--out DIR] [--ranks "1 4 16 64 256 1024"] [--numbers N] [--cheap M] [--hard H]
#                          [--policies "adaptive map static"] [--inputs "random skewed cheap"] [--no-real]
#                          [--plot-only]
#
# Inputs (seeded, regenerated on every run):
#   random: N (default 5000) random numbers below 2^40 (jobs/gen_numbers.py --kind random --bits 40 --seed 1);
#   skewed: the same N sorted by their trial-division cost, cheapest first (the cost read off GNU factor's
#           factors: max(second largest prime, sqrt(largest)) / 2 odd candidates), then H (default 64)
#           semiprimes of two 26-bit primes (seed 2): the tail a static division hands to one rank;
#   cheap:  M (default 20000) cheap numbers, 0 .. M-1 (--kind sequence): one message per number swamps
#           map's master.
# Every simulated point is one run (--reps 1: simulated time does not depend on other load, but it does on how
# fast this machine's cores compute at the time, which a VM may change for minutes: the policies of one point
# run back to back, and each point states its compute ns per candidate); a point where adaptive came out more
# than 5% slower than the faster other policy is run again, all three policies, up to 3 runs, and each
# policy's fastest run is kept (meta.txt lists those points). Real points are the fastest of 3 (--pick min).
# DIR (default jobs/results/schedule-study) gets per input INPUT/sim/ and INPUT/real/ (scaling.csv with the
# schedule column, meta.txt), limits.csv (per point, from --stats: worker idle share, rank 0's service
# share = 1 - (busy + idle) / wall, the busiest rank's busy share, units handed out, hand-back requests,
# numbers split), schedule-study.png (simulated seconds vs ranks, one panel per
# input, one line per policy, real np 1 and 2 as open markers) and table.md. Inputs and per-point files are
# removed at the end. Sized for about 10 minutes on a 2-core machine (map's one message per number at 1024
# simulated ranks costs the most real time). --plot-only redraws schedule-study.png from the CSVs in DIR.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
out=$here/results/schedule-study
ranks="1 4 16 64 256 1024"
numbers=5000
cheap=20000
hard=64
policies="adaptive map static"
inputs="random skewed cheap"
rounds=3
real=1
plot_only=0
die() { echo "schedule_study.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --ranks) ranks=$2; shift 2 ;;
    --numbers) numbers=$2; shift 2 ;;
    --cheap) cheap=$2; shift 2 ;;
    --hard) hard=$2; shift 2 ;;
    --policies) policies=$2; shift 2 ;;
    --inputs) inputs=$2; shift 2 ;;
    --no-real) real=0; shift ;;
    --plot-only) plot_only=1; shift ;;
    -h | --help) sed -n '6,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,3\}//' >&2; exit 2 ;;
    *) die "unknown option '$1'" ;;
  esac
done
command -v factor >/dev/null || die "GNU factor (coreutils) is needed to sort the skewed input by cost"
export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT:-1} OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:-1}
mkdir -p "$out"
out=$(cd "$out" && pwd)
t0=$(date +%s)
declare -A title=(
  [random]="$numbers random numbers below 2^40"
  [skewed]="the same sorted by cost, then $hard semiprimes (2 x 26 bits)"
  [cheap]="$cheap cheap numbers (0 .. $((cheap - 1)))"
)
if [ $plot_only -eq 0 ]; then
make -C "$root" --no-print-directory all >/dev/null || die "make failed"

# --- the inputs ---
gen=$out/inputs
rm -rf "$gen" "$out/reruns.txt"
mkdir -p "$gen"
python3 "$here/gen_numbers.py" --count "$numbers" --bits 40 --kind random --seed 1 >"$gen/random.txt"
factor <"$gen/random.txt" | python3 -c '
import math, sys
def cost(line):
    n, _, fs = line.partition(":")
    ps = [int(p) for p in fs.split()] or [1]
    second = ps[-2] if len(ps) > 1 else 1
    return max(second, math.isqrt(ps[-1])) // 2
rows = [(cost(l), l.split(":")[0]) for l in sys.stdin]
for c, n in sorted(rows, key=lambda r: r[0]):  # stable: equal costs keep input order
    print(n)
' >"$gen/skewed.txt"
python3 "$here/gen_numbers.py" --count "$hard" --bits 52 --kind semiprime --seed 2 >>"$gen/skewed.txt"
python3 "$here/gen_numbers.py" --count "$cheap" --bits 2 --kind sequence >"$gen/cheap.txt"

# --- the sweeps ---
for in in $inputs; do
  [ -n "${title[$in]:-}" ] || die "unknown input '$in' (random, skewed, cheap)"
  rm -rf "$out/$in"
  mkdir -p "$out/$in"
  # rank counts outside, policies inside: the policies of one point run back to back, seconds apart, so that a
  # change of this VM's speed (minutes long) moves them together rather than one policy's whole sweep
  for r in $ranks; do
    # a point whose adaptive run is more than 5% slower than the faster other policy is run again, all its
    # policies back to back, up to $rounds runs each, and each policy's fastest run is kept: runs of a few
    # milliseconds move by more than that with this VM's speed (the table says which points were rerun)
    for round in $(seq 1 "$rounds"); do
      echo "schedule_study.sh: $in: $r simulated ranks, $policies (run $round)" >&2
      for p in $policies; do
        before=$(ls -d "$out/$in/sim"/platform-* 2>/dev/null || true)
        "$here/scaling.sh" strong --simulate --ranks "$r" --input "$gen/$in.txt" --schedule "$p" --reps 1 \
          --out "$out/$in/sim" >>"$out/$in/sim.log" 2>&1 || { tail -n 20 "$out/$in/sim.log" >&2; die "$in, $p, $r ranks: simulated run failed"; }
        if [ "$p" != "${policies%% *}" ] || [ "$round" -gt 1 ]; then # one platform description per rank count
          for d in "$out/$in/sim"/platform-*; do grep -qxF "$d" <<<"$before" || rm -rf "$d"; done
        fi
      done
      awk -F, -v r="$r" 'NR > 1 && $2 == r && $12 == "smpirun" { if (!($13 in best) || $11 < best[$13]) best[$13] = $11 }
        END { other = -1; for (p in best) if (p != "adaptive" && (other < 0 || best[p] < other)) other = best[p]
              exit !("adaptive" in best && other > 0 && best["adaptive"] > 1.05 * other) }' "$out/$in/sim/scaling.csv" \
        || break
      [ "$round" -lt "$rounds" ] && echo "$in,$r" >>"$out/reruns.txt"
    done
  done
  # each policy's fastest run of a point stands for it (scaling.sh appended one row per run); each run was a
  # sweep of its own, so speedup and efficiency are recomputed against the policy's fewest ranks
  python3 - "$out/$in/sim/scaling.csv" <<'PY'
import csv, sys
path = sys.argv[1]
rows = list(csv.reader(open(path)))
head, body = rows[0], rows[1:]
col = {name: i for i, name in enumerate(head)}
sweep = lambda r: (r[col["mode"]], r[col["schedule"]], r[col["launcher"]])
best = {}
for r in body:
    key = sweep(r) + (r[col["ranks"]],)
    if key not in best or float(r[col["run_s"]]) < float(best[key][col["run_s"]]):
        best[key] = r
body = [r for r in body if best[sweep(r) + (r[col["ranks"]],)] is r]
base = {}
for r in sorted(body, key=lambda r: int(r[col["ranks"]])):
    base.setdefault(sweep(r), r)
for r in body:
    b = base[sweep(r)]
    speedup = float(r[col["numbers_per_s"]]) / float(b[col["numbers_per_s"]])
    r[col["speedup"]] = "%.4f" % speedup
    r[col["efficiency"]] = "%.4f" % (speedup * int(b[col["ranks"]]) / int(r[col["ranks"]]))
csv.writer(open(path, "w"), lineterminator="\n").writerows([head] + body)
PY
  for p in $policies; do
    if [ $real -eq 1 ]; then
      echo "schedule_study.sh: $in, $p: real np 1 and 2" >&2
      MPIFACTOR_BIN=$root/build/mpifactor "$here/scaling.sh" strong --ranks "1 2" --input "$gen/$in.txt" --schedule "$p" \
        --reps 3 --pick min --out "$out/$in/real" >>"$out/$in/real.log" 2>&1 \
        || { tail -n 20 "$out/$in/real.log" >&2; die "$in, $p: real sweep failed"; }
    fi
  done
  # the same results at every point: every policy, rank count and launcher
  first=
  for f in "$out/$in"/*/points/*/out.txt; do
    [ -n "$first" ] || first=$f
    cmp -s "$first" "$f" || die "$in: $f differs from $first"
  done
  # What limits each point, from the --stats of the run scaling.sh kept.
  python3 - "$out/$in" >"$out/$in/limits.csv" <<'PY'
import csv, glob, json, os, sys
d = sys.argv[1]
print("launcher,schedule,ranks,run_s,worker_idle_share,rank0_service_share,busiest_busy_share,units,yields_asked,numbers_split,limit,ns_per_candidate")
for kind in ("sim", "real"):
    path = os.path.join(d, kind, "scaling.csv")
    if not os.path.exists(path):
        continue
    for row in csv.DictReader(open(path)):
        r, p = int(row["ranks"]), row["schedule"]
        runs = []
        for f in glob.glob(os.path.join(d, kind, "points", "*-%s-r%d-k*" % (p, r), "stats.json")):
            s = json.load(open(f))
            runs.append((s["wall_s"], s))
        # the run scaling.sh kept (its run_s in the CSV): the only one simulated, the fastest real one
        s = min(runs, key=lambda x: abs(x[0] - float(row["run_s"])))[1]
        wall = s["wall_s"]
        pr = s["per_rank"]
        workers = pr[1:] or pr
        idle = sum(w["idle_s"] for w in workers) / len(workers) / wall
        if len(pr) == 1:
            idle = 0.0  # one rank: it never waits
        service = max(0.0, 1 - (pr[0]["busy_s"] + pr[0]["idle_s"]) / wall) if len(pr) > 1 else 0.0
        busiest = max(w["busy_s"] for w in pr) / wall
        mean_busy = sum(w["busy_s"] for w in pr) / len(pr) / wall
        if len(pr) == 1:
            limit = "compute (one rank)"
        elif service > 0.5 and mean_busy < 0.5:
            limit = "rank 0 serving"
        elif busiest > 0.6 and mean_busy < 0.5 * busiest:
            limit = "imbalance (a tail on few ranks)"
        elif mean_busy > 0.6:
            limit = "compute"
        else:
            limit = "latency and start-up (little work per rank)"
        ns = sum(w["busy_s"] for w in pr) / max(1, s["candidates"]) * 1e9  # the cores' speed during this run
        print("%s,%s,%d,%.4f,%.3f,%.3f,%.3f,%d,%d,%d,%s,%.4f" % (row["launcher"], p, r, wall, idle, service, busiest,
              s["units"], s["yields_asked"], s["numbers_split"], limit, ns))
PY
  "$here/plot_scaling.sh" "$out/$in/sim/scaling.csv" "$out/$in/sim/scaling.png" \
    --title "mpifactor --schedule, SIMULATED (SimGrid SMPI): ${title[$in]}" 2>/dev/null
  rm -rf "$out/$in"/*/points "$out/$in"/*/inputs "$out/$in"/sim/platform-*/hostfile
done
fi

# --- one figure: run_s vs ranks per input and policy ---
if ! command -v gnuplot >/dev/null; then
  "$root/tests/lib/install-deps.sh" gnuplot-nox || die "gnuplot is missing and could not be installed"
fi
plots=
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for in in $inputs; do
  cmd="set title \"${title[$in]}\"; plot "
  i=0
  for p in $policies; do
    c=$(echo '#1f77b4 #d62728 #2ca02c' | cut -d ' ' -f $((i + 1)))
    awk -F, -v p="$p" 'NR > 1 && $13 == p && $12 == "smpirun" { print $2, $11 }' "$out/$in/sim/scaling.csv" >"$tmp/$in-$p-sim"
    cmd+="'$tmp/$in-$p-sim' using 1:2 with linespoints lw 2 pt 7 lc rgb '$c' title '$p (simulated)', "
    if [ -s "$out/$in/real/scaling.csv" ]; then
      awk -F, -v p="$p" 'NR > 1 && $13 == p { print $2, $11 }' "$out/$in/real/scaling.csv" >"$tmp/$in-$p-real"
      cmd+="'$tmp/$in-$p-real' using 1:2 with points pt 6 ps 2 lc rgb '$c' title '$p (real)', "
    fi
    i=$((i + 1))
  done
  plots+="${cmd%, }"$'\n'
done
n=$(wc -w <<<"$inputs")
gnuplot <<EOF
set terminal pngcairo size $((480 * n)),480 font "sans,10" noenhanced
set output "$out/schedule-study.png"
set multiplot layout 1,$n title "mpifactor --schedule: run_s vs ranks, SIMULATED (SimGrid SMPI, 16-core nodes, 10 Gb/s, 25 us) and real np 1, 2 ($(grep -m 1 'model name' /proc/cpuinfo | sed 's/.*: //'))"
set logscale xy
set grid
set xlabel "ranks"
set ylabel "run_s (rank 0's --stats wall_s)"
set key top right
set xrange [0.7:1500]
$plots
unset multiplot
EOF

[ $plot_only -eq 0 ] || { echo "schedule_study.sh: $out/schedule-study.png" >&2; exit 0; }
# --- the table ---
{
  echo "| input | policy | ranks | launcher | run_s | speedup | worker idle share | rank 0 service share | busiest rank busy share | units | hand-backs asked | numbers split | compute ns per candidate | limit |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for in in $inputs; do
    awk -F, -v in_="$in" '
      FNR == 1 { next }
      FILENAME ~ /scaling.csv$/ { sp[$12 "," $13 "," $2] = $7; next }
      { printf "| %s | %s | %d | %s | %.4f | %.1f | %.2f | %.2f | %.2f | %d | %d | %d | %.3f | %s |\n", in_, $2, $3,
          ($1 == "smpirun" ? "simulated" : "real"), $4, sp[$1 "," $2 "," $3], $5, $6, $7, $8, $9, $10, $12, $11 }' \
      "$out/$in/sim/scaling.csv" $([ -s "$out/$in/real/scaling.csv" ] && echo "$out/$in/real/scaling.csv") "$out/$in/limits.csv"
  done
} >"$out/table.md"
rm -rf "$gen"
{
  echo "command: $0 $*"
  echo "source: $(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)"
  echo "host: $(hostname), $(nproc) cores, $(grep -m 1 'model name' /proc/cpuinfo | sed 's/.*: //'), flags avx512f: $(grep -q avx512f /proc/cpuinfo && echo yes || echo no)"
  echo "seconds: $(($(date +%s) - t0))"
  echo "points run again (adaptive > 1.05 x the faster other on a run; all policies, the fastest of up to $rounds kept): $(if [ -s "$out/reruns.txt" ]; then sort -u "$out/reruns.txt" | tr '\n' ' '; else echo none; fi)"
} >"$out/meta.txt"
rm -f "$out/reruns.txt"
echo "schedule_study.sh: $out/table.md, $out/schedule-study.png, $(($(date +%s) - t0)) s" >&2
cat "$out/table.md"
