#!/usr/bin/env bash
# The README's simulated scaling study: two workloads on a simulated cluster of up to 1024 ranks (SimGrid SMPI),
# CSV, PNG and a Markdown table under one folder. Rerun it after changing the master or the scheduler.
#
#   jobs/simulate_study.sh [--out DIR] [--ranks "1 2 4 16 64 256 1024"] [platform options of jobs/scaling.sh]
#
# (a) strong scaling of 2048 semiprimes of two 28-bit primes (--bits 56: ~57 s of compute on one core here,
#     a few hard numbers per rank at 1024 ranks); (b) strong scaling of 1,000,000 random numbers below 2^40
#     (cheap numbers: the master's hand-out and output rate decide). Seed 1. Default platform of
#     jobs/scaling.sh --simulate: 16-core nodes, 10 Gb/s Ethernet with 25 us one-way latency.
# DIR (default jobs/results/simulated) gets semiprime56/ and random40/ (scaling.csv, meta.txt, scaling.png;
# inputs and per-point files are removed afterwards: they are regenerated from the seed) and table.md.
# Cost: every point executes its whole workload for real on one core of this machine, so the run takes
# about (points x 1-rank compute) plus SMPI's overhead: ~15 minutes on an idle 2-core VM, see meta.txt.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$here/results/simulated
ranks="1 2 4 16 64 256 1024"
plat=()
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --ranks) ranks=$2; shift 2 ;;
    --nodes | --cores-per-node | --latency | --bandwidth | --core-speed | --platform) plat+=("$1" "$2"); shift 2 ;;
    *) echo "simulate_study.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
t0=$(date +%s)
study() { # name kind bits numbers
  local dir=$out/$1
  rm -rf "$dir"
  "$here/scaling.sh" strong --simulate --ranks "$ranks" --kind "$2" --bits "$3" --numbers "$4" --out "$dir" "${plat[@]}"
  "$here/plot_scaling.sh" "$dir/scaling.csv" "$dir/scaling.png" \
    --title "mpifactor strong scaling, SIMULATED (SimGrid SMPI): $5"
  rm -rf "$dir/inputs" "$dir/points"
}
study semiprime56 semiprime 56 2048 "2048 semiprimes of two 28-bit primes"
study random40 random 40 1000000 "1,000,000 random numbers below 2^40"
# One Markdown table of both sweeps (simulated seconds; real seconds = what the simulation cost here).
{
  echo "| workload | ranks | nodes | simulated s | speedup | efficiency | busy share mean | real s to simulate |"
  echo "|---|---|---|---|---|---|---|---|"
  for w in semiprime56 random40; do
    awk -F, -v w="$w" -v meta="$out/$w/meta.txt" '
      BEGIN { while ((getline l < meta) > 0) if (l ~ /^point: /) { split(l, f, " "); real[f[2]] = f[10] } }
      NR > 1 { printf "| %s | %d | %d | %.3f | %.1f | %.2f | %.2f | %.0f |\n", w, $2, $3, $5, $7, $8, $9, real[$2] }' \
      "$out/$w/scaling.csv"
  done
} >"$out/table.md"
echo "simulate_study.sh: $out/table.md, $(($(date +%s) - t0)) s" >&2
cat "$out/table.md"
