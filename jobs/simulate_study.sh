#!/usr/bin/env bash
# The README's simulated scaling study: eight sweeps on a simulated cluster of up to 4096 ranks (SimGrid SMPI),
# CSV, PNG and a Markdown table under one folder. Rerun it after changing the master or the scheduler.
#
#   jobs/simulate_study.sh [--out DIR] [--ranks "1 4 16 64 256 1024"] [--scaled] [--nodes N] [--cores-per-node C]
#                           [--latency L] [--bandwidth B] [--platform FILE]
#                           [--sweeps "semiprime56 random40 random40-10M weak40 weak4096 one80 sequence10M networks"]
#                           (default: all)
#                           [--jobs J] [--one80-reps N] [--scratch DIR | --no-scratch] [--candidate-ns NS]
#
# (a) strong scaling of 2048 semiprimes of two 28-bit primes (56 bits) on cores as fast as this machine's
#     (about 0.06 s of compute per number with the AVX2 kernel: 2 minutes of real compute per point);
#     --scaled stands for them with semiprimes of two 24-bit primes (16x fewer trial divisors) on simulated
#     cores 16x slower (--core-speed 0.0625): the workers' compute is then about right at 16x less cost,
#     but the master's own work is charged 16x too, so the master looks 16 times slower than it is.
# (b) strong scaling of 1,000,000 random numbers below 2^40 (cheap numbers: the master's hand-out and output
#     rate decide), cores as fast as this machine's. Seed 1. The platform of jobs/scaling.sh --simulate
#     (default: 16-core nodes, 10 Gb/s Ethernet, 25 us one-way latency). Factoring is charged per candidate
#     (jobs/scaling.sh --worker-charge per-candidate: the real cost per candidate of a calibration run at the
#     sweep's smallest rank count), rank 0's and the leaders' other work as measured; so in (b') and (e).
# (b') the same at ten times the work: 10,000,000 random numbers below 2^40 at 1, 256 and 1024 ranks (about
#     45 ms of compute per rank at 1024; random40-10M/; about 10 minutes).
# (e) weak scaling: 6,250 random numbers below 2^40 per rank at 16, 64, 256 and 1024 ranks, factoring charged
#     8 times what a candidate cost in a calibration run at 16 ranks (--worker-cost 8 --worker-charge
#     per-candidate: about 0.28 s of factoring per rank; rank 0's and the leaders' other work as measured), weak40/; efficiency = simulated s at 16 ranks / at R (about 7 minutes).
# (e') weak scaling to 4096 ranks (256 nodes): 3,125 random numbers below 2^40 per rank at 16 and 4096 ranks,
#     factoring charged 16 times the calibrated price per candidate (about 0.3 s per rank), one run per point
#     (the 4096-rank run: about 8 minutes and 2 GB), weak4096/.
# (f) one number split over every rank (issue 20): the 80-bit 1091012023757740851347221 = 1015493556383 x
#     1074366269387 on the largest rank count of --ranks (1024), --one80-reps times (default 3). Its 1-rank
#     time is an ESTIMATE, not a simulated run (that would cost about 4 minutes of compute alone): one simulated
#     rank factors the 80-bit 1091007594118180655160733 = 17179869209 x 63505000000037, whose smallest factor is
#     59 times smaller (trial division's work grows with it), and its busy time is scaled by 1015493556383 /
#     17179869209; its time outside factoring is added as measured. A probe runs just before each split run
#     and prices that one. one80/result.csv has a row per repetition and the median of each column: the
#     efficiency on that estimate, and rescaled to the split run's own cost per candidate (1024 ranks in one
#     process compute slower than 1): about 4 minutes a repetition.
# (d) coreutils' t00 (the 10,000,001 numbers 0 .. 10^7) at 1, 16 and 64 ranks with --parallel-io (workers
#     read their slices and write their results: sequence10M/), and with --no-parallel-io, where rank 0
#     moves every byte (sequence10M-rank0/). The other sweeps take mpifactor's default: parallel I/O, since
#     the simulated ranks share this machine's files.
# (c) the network's share: 200,000 random numbers below 2^40 at 64 and 256 ranks on three networks (1 us and
#     100 Gb/s; the default 25 us and 10 Gb/s; 250 us and 1 Gb/s), into network-fast/, network-10GbE/ and
#     network-slow/ (skipped with --platform).
# --candidate-ns NS: the sweeps that charge factoring per candidate (random40, random40-10M, weak40, weak4096)
#     price a candidate at NS nanoseconds (times their --worker-cost) rather than calibrating the price on this
#     machine: cores as fast as another machine's (0.102: the AVX-512 Zen 5 VM's, jobs/results/simulated/random40
#     meta.txt). Rank 0's and the leaders' other work stays charged as measured here. meta.txt says so.
# DIR (default jobs/results/simulated) gets a folder per sweep (semiprime56/, random40/, random40-10M/, ...:
# scaling.csv, meta.txt, scaling.png, levels.csv: per point rank 0's and the node leaders' service time and
# units handed out, drawn in the PNG's lower panels; limits.csv: per point the busiest rank, rank 0's busy share and the numbers per rank; inputs and
# per-point files are removed: they are regenerated from the seed) and table.md. Points run one at a time
# (--jobs J: semiprime points J at a time, see below).
# Each sweep's inputs and per-point files lie in a tmpfs while it runs (jobs/scaling.sh --scratch): by default
# a folder in /dev/shm where that is a tmpfs with 8 GB free (the 10,000,000-number sweeps hold about 3 GB
# there), removed after the sweep; --scratch DIR puts them under DIR, --no-scratch beside the results. On the
# VM's disk, a page of input paged out or the writeback of the last point's output stalled rank 0 in one
# 1024-rank run in two or three, and the stall was charged as simulated time. meta.txt says where they were.
# Cost: every point executes its whole workload for real on one core, so a sweep takes about (points x its
# 1-rank compute) plus SMPI's overhead; meta.txt records the real seconds of every point.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$here/results/simulated
ranks="1 4 16 64 256 1024"
exact=1
sweeps=" semiprime56 random40 random40-10M weak40 weak4096 one80 sequence10M networks "
jobs=1
one80_reps=3
plat=()
scratch=auto
price=() # --candidate-ns: the per-candidate sweeps' price, given
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --ranks) ranks=$2; shift 2 ;;
    --scaled) exact=0; shift ;;
    --sweeps) sweeps=" $2 "; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --one80-reps) one80_reps=$2; shift 2 ;;
    --scratch) scratch=$2; shift 2 ;;
    --no-scratch) scratch=; shift ;;
    --candidate-ns) price=(--candidate-ns "$2"); shift 2 ;;
    --exact) exact=1; shift ;; # the default; kept for old command lines
    --nodes | --cores-per-node | --latency | --bandwidth | --platform) plat+=("$1" "$2"); shift 2 ;;
    *) echo "simulate_study.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
[[ $one80_reps =~ ^[1-9][0-9]*$ ]] || { echo "simulate_study.sh: --one80-reps wants a positive count, not '$one80_reps'" >&2; exit 2; }
# checked here, not by the first sweep that uses it (semiprime56 before it takes 17 minutes)
[ ${#price[@]} -eq 0 ] || awk -v c="${price[1]}" 'BEGIN { exit !(c ~ /^[0-9]*\.?[0-9]+$/ && c > 0 && c <= 1000000) }' \
  || { echo "simulate_study.sh: --candidate-ns wants nanoseconds per candidate above 0, not '${price[1]}'" >&2
    exit 2; }
mkdir -p "$out"
if [ "$scratch" = auto ]; then
  scratch=
  if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] && [ "$(df -k --output=avail /dev/shm | tail -n 1)" -ge 8000000 ]; then
    scratch=$(mktemp -d /dev/shm/mpifactor-study.XXXXXX)
    trap 'rm -rf "$scratch"' EXIT
  fi
fi
# scratch_opts DIR: sets keep to the scaling.sh options that put the bulky files of the sweep into DIR in the
# scratch folder (none without one); the caller declares keep local.
scratch_opts() {
  keep=()
  [ -z "$scratch" ] || keep=(--scratch "$scratch/$(basename "$1")")
}
# drop_files DIR: removes the inputs and per-point files of the sweep into DIR (regenerated from the seed), in
# the scratch folder too.
drop_files() {
  rm -rf "$1/inputs" "$1/points" "$1/calibration" "$1"/platform-*/hostfile
  [ -z "$scratch" ] || rm -rf "${scratch:?}/$(basename "$1")"
}
t0=$(date +%s)
study() { # name kind bits numbers title [scaling.sh options]   (weak scaling when mode=weak is set for the call)
  local dir=$out/$1 kind=$2 bits=$3 numbers=$4 title=$5 mode=${mode:-strong} keep
  shift 5
  rm -rf "$dir"
  scratch_opts "$dir"
  "$here/scaling.sh" "$mode" --simulate --ranks "$ranks" --kind "$kind" --bits "$bits" --numbers "$numbers" \
    --out "$dir" --jobs 1 "${keep[@]}" "${plat[@]}" "$@" >"$out/$(basename "$dir").log" 2>&1 \
    || { tail -n 20 "$out/$(basename "$dir").log" >&2; return 1; }
  "$here/plot_scaling.sh" "$dir/scaling.csv" "$dir/scaling.png" \
    --title "mpifactor $mode scaling, SIMULATED (SimGrid SMPI): $title"
  # What limits each point, from its --stats: the busiest rank (the tail), rank 0 (the master), the spread.
  python3 - "$dir" >"$dir/limits.csv" <<'PY'
import glob, json, os, sys
print("ranks,busy_sum_s,busy_max_s,rank0_busy_share,numbers_max,numbers_min,run_s")
rows = []
for f in glob.glob(os.path.join(sys.argv[1], "points", "*", "stats.json")):
    s = json.load(open(f))
    pr = s["per_rank"]
    busy = [r["busy_s"] for r in pr]
    nums = [r["numbers"] for r in pr]
    rows.append((s["ranks"], sum(busy), max(busy), pr[0]["busy_s"] / s["wall_s"], max(nums), min(nums), s["wall_s"]))
for r in sorted(rows):
    print("%d,%.3f,%.3f,%.3f,%d,%d,%.4f" % r)
PY
  drop_files "$dir"
}
if [ $exact -eq 1 ]; then
  semi=(semiprime56 semiprime 56 2048 "2048 semiprimes of two 28-bit primes")
else
  semi=(semiprime56 semiprime 48 2048 "2048 semiprimes (24-bit primes, 16x slower cores: for 28-bit)" --core-speed 0.0625)
fi
# The cheap-number sweeps charge factoring per candidate (--worker-charge per-candidate: a calibration run of the
# smallest point prices a candidate; 1024 ranks in this one process made each cost 10-20% more than at 1 rank).
priced="" # the plots' titles say when the price was given
[ ${#price[@]} -eq 0 ] || priced=" (${price[1]} ns, given)"
rand=(random40 random 40 1000000 "1,000,000 random numbers below 2^{40}, factoring charged per candidate$priced"
  --worker-charge per-candidate "${price[@]}")
rand10m=(random40-10M random 40 10000000
  "10,000,000 random numbers below 2^{40}, factoring charged per candidate$priced"
  --ranks "1 256 1024" --worker-charge per-candidate "${price[@]}")
weak40=(weak40 random 40 6250 "6,250 random numbers below 2^{40} per rank, --worker-cost 8 per candidate$priced"
  --ranks "16 64 256 1024" --worker-cost 8 --worker-charge per-candidate "${price[@]}")
weak4096=(weak4096 random 40 3125 "3,125 random numbers below 2^{40} per rank, --worker-cost 16 per candidate$priced"
  --ranks "16 4096" --reps 1 --worker-cost 16 --worker-charge per-candidate "${price[@]}")
seq10m=(sequence10M sequence 2 10000001 "coreutils t00: the numbers 0 .. 10^7, --parallel-io" --ranks "1 16 64" -- --parallel-io)
seq10m_r0=(sequence10M-rank0 sequence 2 10000001 "coreutils t00: the numbers 0 .. 10^7, --no-parallel-io: rank 0 moves all bytes" --ranks "1 16 64" -- --no-parallel-io)
# One point at a time, alone: SMPI charges each simulated rank the CPU time it used, and on this 2-vCPU VM a
# second simulation beside it inflated that by up to 15% (compute) and more (rank 0 writing the output).
# --jobs J runs J semiprime points side by side to save time. The other sweeps are bound by rank 0 moving
# bytes and writing the output and always run alone.
want() { [[ $sweeps == *" $1 "* ]]; }
if want semiprime56; then study "${semi[@]}" --jobs "$jobs"; fi
if want random40; then study "${rand[@]}"; fi
if want random40-10M; then study "${rand10m[@]}"; fi
if want weak40; then mode=weak study "${weak40[@]}"; fi
if want weak4096; then mode=weak study "${weak4096[@]}"; fi
# (f) one number over every rank: the probe at 1 rank, the goal number at the largest rank count.
one80() {
  local dir=$out/one80 big rep
  big=$(tr ' ' '\n' <<<"$ranks" | sort -n | tail -n 1)
  rm -rf "$dir"
  mkdir -p "$dir"
  echo 1091007594118180655160733 >"$dir/probe.txt"
  echo 1091012023757740851347221 >"$dir/goal.txt"
  : >"$out/one80.log"
  # probe and split run in turns, so that each split run is priced by a probe run of the same minutes (this
  # VM's speed drifts by 10-40% over minutes)
  for rep in $(seq "$one80_reps"); do
    { "$here/scaling.sh" strong --simulate --ranks 1 --reps 1 --input "$dir/probe.txt" --out "$dir/probe-$rep" \
        --jobs 1 "${plat[@]}" \
        && "$here/scaling.sh" strong --simulate --ranks "$big" --reps 1 --input "$dir/goal.txt" \
          --out "$dir/split-$rep" --jobs 1 "${plat[@]}"; } >>"$out/one80.log" 2>&1 \
      || { tail -n 20 "$out/one80.log" >&2; return 1; }
  done
  python3 - "$dir" "$one80_reps" >"$dir/result.csv" <<'PY'
import glob, json, os, statistics, sys
d, reps = sys.argv[1], int(sys.argv[2])
def stats(sub):
    return json.load(open(glob.glob(os.path.join(d, sub, "points", "*", "stats.json"))[0]))
p_probe, p_goal = 17179869209, 1015493556383
print("rep,ranks,run_s,t1_estimated_s,efficiency,ns_per_candidate_1,ns_per_candidate_R,efficiency_rescaled,"
      "busy_share_mean,wasted_share")
rows = []
for rep in range(1, reps + 1):
    probe, split = stats("probe-%d" % rep), stats("split-%d" % rep)
    busy1 = sum(r["busy_s"] for r in probe["per_rank"])
    t1 = busy1 * p_goal / p_probe + (probe["wall_s"] - busy1)  # factoring scaled, the rest as measured
    busy = [r["busy_s"] for r in split["per_rank"]]
    ns1 = busy1 / probe["candidates"] * 1e9
    nsr = sum(busy) / split["candidates"] * 1e9
    ranks, run = split["ranks"], split["wall_s"]
    eff = t1 / (ranks * run)
    rows.append((run, t1, eff, ns1, nsr, eff * nsr / ns1, sum(busy) / (ranks * run),
                 split["wasted_candidates"] / max(1, split["candidates"])))
    print("%d,%d,%.4f,%.2f,%.3f,%.4f,%.4f,%.3f,%.3f,%.4f" % ((rep, ranks) + rows[-1]))
# the median of each column over the repetitions (not one repetition's row)
print("median,%d,%.4f,%.2f,%.3f,%.4f,%.4f,%.3f,%.3f,%.4f" % ((ranks,) + tuple(statistics.median(c) for c in zip(*rows))))
PY
  for rep in $(seq "$one80_reps"); do cat "$dir/probe-$rep/meta.txt" "$dir/split-$rep/meta.txt"; done >"$dir/meta.txt"
  rm -rf "$dir"/probe-* "$dir"/split-*
}
if want one80; then one80; fi
if want sequence10M; then study "${seq10m[@]}"; study "${seq10m_r0[@]}"; fi
# (c) one small sweep per network; the bigger default ranks list does not apply here.
net() { # name latency bandwidth
  local dir=$out/network-$1 keep
  rm -rf "$dir"
  scratch_opts "$dir"
  "$here/scaling.sh" strong --simulate --ranks "64 256" --kind random --bits 40 --numbers 200000 \
    --latency "$2" --bandwidth "$3" --jobs 1 --out "$dir" "${keep[@]}" >"$out/network-$1.log" 2>&1 \
    || { tail -n 20 "$out/network-$1.log" >&2; return 1; }
  drop_files "$dir"
}
has_platform=0
for a in "${plat[@]}"; do [ "$a" != --platform ] || has_platform=1; done
if [ $has_platform -eq 0 ] && want networks; then
  net fast 1us 100Gbps
  net 10GbE 25us 10Gbps
  net slow 250us 1Gbps
fi
# One Markdown table of both sweeps (simulated seconds; real seconds = what the simulation cost here).
{
  echo "| workload | ranks | nodes | simulated s | speedup | efficiency | busy share mean | busiest rank s | rank 0 busy share | numbers per rank (min-max) | real s to simulate |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  for w in semiprime56 random40 random40-10M weak40 weak4096 sequence10M sequence10M-rank0; do
    [ -s "$out/$w/scaling.csv" ] || continue # a sweep not run into this folder (--sweeps)
    awk -F, -v w="$w" -v meta="$out/$w/meta.txt" -v lim="$out/$w/limits.csv" '
      BEGIN {
        while ((getline l < meta) > 0) if (l ~ /^point: /) { split(l, f, " "); real[f[2]] = f[10] }
        while ((getline l < lim) > 0) { split(l, f, ","); bmax[f[1]] = f[3]; r0[f[1]] = f[4]; nmax[f[1]] = f[5]; nmin[f[1]] = f[6] }
      }
      NR > 1 { printf "| %s | %d | %d | %.3f | %.1f | %.2f | %.2f | %.3f | %.2f | %d-%d | %.0f |\n",
               w, $2, $3, $5, $7, $8, $9, bmax[$2], r0[$2], nmin[$2], nmax[$2], real[$2] }' \
      "$out/$w/scaling.csv"
  done
  if [ $has_platform -eq 0 ] && [ -s "$out/network-fast/scaling.csv" ]; then
    echo
    echo "| 200,000 random numbers below 2^40 | ranks | 1 us, 100 Gb/s | 25 us, 10 Gb/s (default) | 250 us, 1 Gb/s |"
    echo "|---|---|---|---|---|"
    for r in 64 256; do
      printf '| simulated s | %d' "$r"
      for n in fast 10GbE slow; do
        awk -F, -v r="$r" 'NR > 1 && $2 == r { printf " | %.3f", $5 }' "$out/network-$n/scaling.csv"
      done
      echo " |"
    done
  fi
  if [ -s "$out/one80/result.csv" ]; then
    echo
    echo "| one number over every rank: 1091012023757740851347221 (80 bits) | simulated s | 1 rank, ESTIMATED s | efficiency | efficiency at the split run's cost per candidate | busy share mean | wasted candidates |"
    echo "|---|---|---|---|---|---|---|"
    awk -F, 'NR > 1 { printf "| %s, %d ranks | %.4f | %.1f | %.2f | %.2f | %.2f | %.4f |\n",
                       $1 == "median" ? "**median**" : "run " $1, $2, $3, $4, $5, $8, $9, $10 }' \
      "$out/one80/result.csv"
  fi
} >"$out/table.md"
echo "simulate_study.sh: $out/table.md, $(($(date +%s) - t0)) s" >&2
cat "$out/table.md"
