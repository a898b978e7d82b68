#!/usr/bin/env bash
# Strong and weak scaling sweeps of mpifactor: a fixed, seeded amount of work per point, timed as the whole
# mpirun/srun process (or simulated with SimGrid SMPI), results appended to DIR/scaling.csv.
#
#   jobs/scaling.sh strong|weak [--ranks "1 2 4"] [--numbers N] [--bits B] [--kind semiprime|random|smooth|sequence]
#                   [--seed S] [--reps K] [--pick median|min] [--out DIR] [--slurm | --simulate [platform] [--jobs J]]
#                   [--schedule adaptive|map|static] [--input FILE] [--scratch DIR] [-- mpifactor options...]
#   platform: [--nodes N] [--cores-per-node C] [--latency L] [--bandwidth B] [--core-speed F] [--platform FILE]
#             [--worker-cost F] [--worker-charge measured|per-candidate [--candidate-ns NS]]
#
# strong: every rank count factorizes the same N numbers.     weak: each rank count R gets N*R numbers.
# Numbers come from jobs/gen_numbers.py (default: semiprimes of two B/2-bit primes, seed 1); weak inputs
# are prefixes of one stream. Each point is run K times (default 3; repetitions outermost, so noise
# spreads over all rank counts) and the run with the median (--pick min: the lowest) wall time is kept:
# one run alone can land far off on a shared machine (a 2-rank efficiency of 0.55 once, 0.85 typical).
# Every point's output is checked: one result line per number and the same results as the other points
# (strong: identical files; weak: the smaller output is a prefix of the larger).
# --slurm (inside an allocation, e.g. jobs/scaling.sbatch): `srun --mpi=pmix -n R` per point, R <= SLURM_NTASKS.
# Otherwise `mpirun -np R`, with --oversubscribe when R exceeds this host's cores (as root export
# OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 first).
# --jobs J (with --simulate; default 1): simulated points run J at a time. Faster, but on a machine whose cores
# share caches or a physical core (this 2-vCPU VM), each point's measured compute grows by up to ~15%.
# --simulate: the unchanged program on a simulated cluster (SimGrid SMPI, Debian libsimgrid-dev, installed
# when missing): built once with `make SMPI=1` into build/smpi/, run with smpirun inside this one process.
# Platform (jobs/simulate_platform.py writes it): N nodes (default: as many as the largest R needs) of C cores
# (default 16) joined by one non-blocking switch; ranks fill node 0 first. --latency L (default 25us) is the
# one-way latency between two nodes, --bandwidth B (default 10Gbps) each node's full-duplex link: 10 Gb/s
# Ethernet. Within a node messages take shared memory (0.5us, 100Gbps). --core-speed F (default 1): a
# simulated core computes F times as fast as one core of this machine (SMPI times every stretch of real
# compute and charges it / F). --platform FILE uses your SimGrid platform (hosts taken in document order).
# --worker-cost F (with --simulate; default 1): every rank's factoring is charged F times its measured time,
# rank 0's other work (reading, handing out, merging, writing) as measured: the same numbers then stand for
# numbers F times as costly, so large rank counts get enough work per rank at a fraction of the real cost.
# meta.txt states the model; a point's 1-rank time is F times the measured one too.
# --worker-charge per-candidate (with --simulate; default measured): first one calibration run of the smallest
# point, charged as measured, gives C, the real seconds per candidate of its factoring (each rank's factoring
# slices, numbers read and results formatted included, over the candidates they tested); every point is then
# charged F x C per candidate tested for its factoring, rank 0's and the leaders' other work as measured. A
# simulated rank then pays for a number what a rank on a core of its own pays: thousands of simulated ranks
# share this process's caches, which made a candidate cost 10-20% more at 1024 ranks than at 16 and 45% more
# at 4096, and the VM's speed, which moves 10-20% within minutes, moves no point's factoring. meta.txt states C;
# the calibration run's output, stats and calibration.txt lie in DIR/calibration/, beside DIR/points/.
# --candidate-ns NS (with --worker-charge per-candidate): C is NS, given rather than calibrated (no calibration
# run): an estimate for cores of another speed, e.g. the price a CPU with AVX-512 measured, on a machine without
# it; rank 0's and the leaders' other work is still charged as measured here. meta.txt says C was given.
# --schedule P: mpifactor's --schedule policy at every point (default adaptive), recorded in the schedule column.
# --input FILE (strong only): factorize FILE (one number per line) at every point instead of generated numbers.
# --scratch DIR: the bulky files (DIR/inputs, DIR/points, and DIR/calibration with --worker-charge per-candidate:
# inputs, every point's output and --stats) go to DIR, linked from the --out folder, which must not hold them
# yet. On a tmpfs (/dev/shm) a simulated point is not charged this VM's disk: rank 0 and the leaders are charged
# their reads and writes as measured, and a read of a page the VM had paged out, or the writeback of the last
# point's output, stalled one run in two or three at 1024 ranks (random40: 25-47 ms in place of 15-18). The
# simulated cluster's file system is not modelled either way; meta.txt names the file system the points used.
# Columns of scaling.csv (units in the names):
#   mode,ranks,nodes,numbers,wall_s,numbers_per_s,speedup,efficiency,busy_share_mean,busy_share_min,run_s,launcher,schedule
# wall_s: seconds of the whole launcher process (start-up included, never time to first factor); for a
# simulated point the simulated seconds of the whole run (SMPI has no start-up to charge);
# run_s: rank 0's --stats wall_s (from the start of its run, after MPI start-up, the parallel-I/O check and the
# grouping of ranks by node, to its output closed, before the --stats file is written: launcher start-up
# excluded, so real and simulated points compare like for like; at 1024 simulated ranks the checks before it
# took about 2 ms and writing --stats after it 2-3 ms); launcher: mpirun, srun or smpirun (= simulated);
# speedup: numbers_per_s over that of the smallest rank count of the same sweep (strong: T_base/T_R);
# efficiency: speedup * base_ranks / ranks; nodes: distinct hosts in the --stats per_rank list (simulated:
# in the hostfile);
# busy_share_*: per rank busy_s / wall_s from the --stats JSON, mean and minimum over all ranks;
# schedule: the policy (an older 12-column scaling.csv gets the column, "adaptive" on its rows, when appended to).
# DIR/levels.csv (appended beside scaling.csv, one row per scaling.csv row written since it exists, from the same
# run's --stats JSON): the service of each level of the hand-out tree (rank 0; the node leaders, when any):
#   mode,ranks,leaders,run_s,rank0_service_s,rank0_units_served,rank0_kids,leader_service_mean_s,
#   leader_service_max_s,leader_units_mean,leader_units_max,leader_kids_mean,launcher,schedule
# leaders: ranks other than 0 that are some rank's parent in --stats per_rank (0: rank 0 served every rank);
# run_s as in scaling.csv; *_service_s: --stats service_s (a leader's seconds serving its node's ranks;
# rank 0's: run_s less its busy and idle seconds); *_units_*: units_served, the units a server handed out to
# its kids (the messages of the hand-out); *_kids: the ranks whose parent it is (rank 0's: the leaders and
# any rank no leader serves; every other rank when there are no leaders). leader_* columns are mean and
# maximum over the leaders, 0 without.
# DIR/meta.txt gets the command line, machine, mpifactor -V and the sha256 of every input.
set -euo pipefail

# The binary installed with this copy: set by `make install` (PREFIX/share/mpifactor/jobs), empty in a checkout.
installed_bin=

die() { echo "scaling.sh: $*" >&2; exit 2; }
usage() {
  sed -n '5,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,3\}//' >&2
  exit 2
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
orig_cmd=$(printf ' %q' "$0" "$@")

[ $# -ge 1 ] || usage
mode=$1
shift
case $mode in strong | weak) ;; -h | --help) usage ;; *) die "mode must be strong or weak, not '$mode'" ;; esac

ranks=
numbers=
bits=44
kind=semiprime
seed=1
reps=3
pick_how=median
sim_jobs=1
worker_cost=1
worker_charge=measured
given_ns=
out=scaling-results
use_slurm=0
use_sim=0
sim_args=()
extra=()
schedule=adaptive
input_file=
scratch=
while [ $# -gt 0 ]; do
  case $1 in
    --ranks) [ $# -ge 2 ] || usage; ranks=$2; shift 2 ;;
    --numbers) [ $# -ge 2 ] || usage; numbers=$2; shift 2 ;;
    --bits) [ $# -ge 2 ] || usage; bits=$2; shift 2 ;;
    --kind) [ $# -ge 2 ] || usage; kind=$2; shift 2 ;;
    --seed) [ $# -ge 2 ] || usage; seed=$2; shift 2 ;;
    --reps) [ $# -ge 2 ] || usage; reps=$2; shift 2 ;;
    --jobs) [ $# -ge 2 ] || usage; sim_jobs=$2; shift 2 ;;
    --worker-cost) [ $# -ge 2 ] || usage; worker_cost=$2; shift 2 ;;
    --worker-charge) [ $# -ge 2 ] || usage; worker_charge=$2; shift 2 ;;
    --candidate-ns) [ $# -ge 2 ] || usage; given_ns=$2; shift 2 ;;
    --pick) [ $# -ge 2 ] || usage; pick_how=$2; shift 2 ;;
    --out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
    --schedule) [ $# -ge 2 ] || usage; schedule=$2; shift 2 ;;
    --input) [ $# -ge 2 ] || usage; input_file=$2; shift 2 ;;
    --scratch) [ $# -ge 2 ] || usage; scratch=$2; shift 2 ;;
    --slurm) use_slurm=1; shift ;;
    --simulate) use_sim=1; shift ;;
    --nodes | --cores-per-node | --latency | --bandwidth | --core-speed | --platform)
      [ $# -ge 2 ] || usage; sim_args+=("$1" "$2"); shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h | --help) usage ;;
    *) die "unknown option '$1'" ;;
  esac
done
# What every point sets itself (its output and --stats JSON, which the CSV is read from; the policy column)
for opt in "${extra[@]}"; do
  case $opt in
    -o* | --output | --output=* | --stats | --stats=* | --schedule | --schedule=*)
      die "mpifactor option '$opt' after --: every point sets its own output, --stats JSON and --schedule (use --schedule P of scaling.sh)" ;;
  esac
done

case $schedule in adaptive | map | static) ;; *) die "--schedule takes adaptive, map or static, not '$schedule'" ;; esac
if [ -n "$input_file" ]; then
  [ "$mode" = strong ] || die "--input needs strong scaling (weak inputs grow with the ranks)"
  [ -s "$input_file" ] || die "--input $input_file: no such file, or empty"
  input_file=$(cd "$(dirname "$input_file")" && pwd)/$(basename "$input_file")
fi
is_uint() { case $1 in '' | *[!0-9]*) return 1 ;; esac; }
cores=$(nproc)
[ $use_slurm -eq 0 ] || [ $use_sim -eq 0 ] || die "--slurm and --simulate exclude each other"
[ ${#sim_args[@]} -eq 0 ] || [ $use_sim -eq 1 ] || die "${sim_args[0]} needs --simulate"
{ is_uint "$sim_jobs" && [ "$sim_jobs" -ge 1 ]; } || die "--jobs must be a positive integer, got '$sim_jobs'"
awk -v f="$worker_cost" 'BEGIN { exit !(f ~ /^[0-9]+(\.[0-9]+)?$/ && f >= 1 && f <= 1000000) }' \
  || die "--worker-cost must be a number from 1 to 1000000, got '$worker_cost'"
[ "$worker_cost" = 1 ] || [ $use_sim -eq 1 ] || die "--worker-cost needs --simulate (real factoring costs what it costs)"
case $worker_charge in measured | per-candidate) ;; *) die "--worker-charge takes measured or per-candidate, not '$worker_charge'" ;; esac
[ "$worker_charge" = measured ] || [ $use_sim -eq 1 ] || die "--worker-charge needs --simulate (real factoring costs what it costs)"
if [ -n "$given_ns" ]; then
  [ "$worker_charge" = per-candidate ] || die "--candidate-ns needs --worker-charge per-candidate"
  awk -v c="$given_ns" 'BEGIN { exit !(c ~ /^[0-9]*\.?[0-9]+$/ && c > 0 && c <= 1000000) }' \
    || die "--candidate-ns takes nanoseconds per candidate, a number above 0 and at most 1000000, not '$given_ns'"
fi
if [ $use_sim -eq 1 ]; then
  max_ranks=256
elif [ $use_slurm -eq 1 ]; then
  [ -n "${SLURM_JOB_ID:-}" ] || die "--slurm needs to run inside an allocation (sbatch jobs/scaling.sbatch ...)"
  max_ranks=${SLURM_NTASKS:-1}
else
  max_ranks=$cores
fi
if [ -z "$ranks" ]; then # powers of two up to the tasks (Slurm) or cores (local) available
  r=1
  while [ "$r" -le "$max_ranks" ]; do ranks="$ranks $r"; r=$((r * 2)); done
fi
ranks=$(tr ' ' '\n' <<<"$ranks" | grep -v '^$' | sort -n -u | tr '\n' ' ')
for r in $ranks; do
  if ! is_uint "$r" || [ "$r" -lt 1 ]; then die "--ranks must list positive integers, got '$r'"; fi
  if [ $use_slurm -eq 1 ] && [ "$r" -gt "$max_ranks" ]; then
    die "$r ranks but the allocation has $max_ranks tasks (sbatch -n $r ...)"
  fi
done
case $pick_how in median | min) ;; *) die "--pick takes median or min" ;; esac
[ -n "$numbers" ] || numbers=$([ "$mode" = strong ] && echo 2000 || echo 500)
[ -z "$input_file" ] || numbers=$(wc -l <"$input_file")
for v in "$numbers" "$bits" "$seed" "$reps"; do is_uint "$v" || die "--numbers, --bits, --seed and --reps take integers"; done
if [ "$numbers" -lt 1 ] || [ "$reps" -lt 1 ]; then die "--numbers and --reps must be at least 1"; fi
command -v python3 >/dev/null || die "python3 is needed (Debian: apt-get install python3)"

bin=${MPIFACTOR_BIN:-}
if [ $use_sim -eq 1 ]; then
  # The SMPI build: its own folder, built once (make keeps it up to date), the ordinary build untouched.
  command -v smpicc >/dev/null || "$root/tests/lib/install-deps.sh" libsimgrid-dev \
    || die "SimGrid is missing and could not be installed (Debian: apt-get install libsimgrid-dev)"
  if [ -z "$bin" ]; then
    [ -z "$installed_bin" ] || die "--simulate needs a SimGrid build: set MPIFACTOR_BIN (make SMPI=1 in a source checkout)"
    mkdir -p "$root/build/smpi"
    make -C "$root" --no-print-directory SMPI=1 all >"$root/build/smpi/make.log" 2>&1 \
      || { tail -n 20 "$root/build/smpi/make.log" >&2; die "make SMPI=1 failed (log: build/smpi/make.log)"; }
    bin=$root/build/smpi/mpifactor
  fi
fi
[ -n "$bin" ] || bin=$installed_bin
if [ -z "$bin" ]; then
  for b in "${SLURM_SUBMIT_DIR:-$root}/build/mpifactor" "$root/build/mpifactor"; do
    [ -x "$b" ] && { bin=$b; break; }
  done
fi
if [ -z "$bin" ] || [ ! -x "$bin" ]; then die "no build/mpifactor (run make, or set MPIFACTOR_BIN)"; fi
if [ $use_sim -eq 1 ]; then
  version=$(sed -n 's/^#define MF_VERSION "\(.*\)"/mpifactor \1/p' "$root"/include/*.h 2>/dev/null | head -n 1) || version=
  [ -n "$version" ] || version="mpifactor (SMPI build)"
  version="$version, SMPI build, $(smpirun -version 2>/dev/null | head -n 1 || echo SimGrid)"
else
  version=$("$bin" -V 2>&1 | head -n 1)
fi

mkdir -p "$out"
if [ -n "$scratch" ]; then
  mkdir -p "$scratch" || die "cannot create --scratch folder $scratch"
  scratch=$(cd "$scratch" && pwd)
  bulky="inputs points"
  # the only sweeps with a calibration run
  [ "$worker_charge" = per-candidate ] && [ -z "$given_ns" ] && bulky="$bulky calibration"
  for d in $bulky; do
    [ -L "$out/$d" ] || [ ! -e "$out/$d" ] || die "$out/$d exists already: --scratch wants an --out folder without it"
    { mkdir -p "$scratch/$d" && ln -sfn "$scratch/$d" "$out/$d"; } || die "cannot link $out/$d to $scratch/$d"
  done
fi
mkdir -p "$out/inputs" "$out/points"
out=$(cd "$out" && pwd)
csv=$out/scaling.csv
old_header=mode,ranks,nodes,numbers,wall_s,numbers_per_s,speedup,efficiency,busy_share_mean,busy_share_min,run_s,launcher
header=$old_header,schedule
if [ ! -s "$csv" ]; then
  echo "$header" >"$csv"
elif [ "$(head -n 1 "$csv")" = "$old_header" ]; then # before --schedule: every row was adaptive
  awk -v h="$header" 'NR == 1 { print h; next } { print $0 ",adaptive" }' "$csv" >"$csv.tmp" && mv "$csv.tmp" "$csv"
elif [ "$(head -n 1 "$csv")" != "$header" ]; then
  die "$csv has other columns than: $header"
fi
levels=$out/levels.csv
levels_header=mode,ranks,leaders,run_s,rank0_service_s,rank0_units_served,rank0_kids,leader_service_mean_s
levels_header+=,leader_service_max_s,leader_units_mean,leader_units_max,leader_kids_mean,launcher,schedule
if [ ! -s "$levels" ]; then
  echo "$levels_header" >"$levels"
elif [ "$(head -n 1 "$levels")" != "$levels_header" ]; then
  die "$levels has other columns than: $levels_header"
fi

# The input of one point: strong = the same N numbers for every R, weak = the first N*R of the stream.
input_for() {
  local count=$1 f
  [ -z "$input_file" ] || { echo "$input_file"; return; }
  f=$out/inputs/$kind-b$bits-s$seed-n$count.txt
  if [ ! -s "$f" ]; then
    python3 "$here/gen_numbers.py" --count "$count" --bits "$bits" --kind "$kind" --seed "$seed" >"$f.tmp"
    mv "$f.tmp" "$f"
  fi
  echo "$f"
}

sweep_id=$(date -u +%Y%m%dT%H%M%SZ)
launcher=mpirun
[ $use_slurm -eq 0 ] || launcher=srun
if [ $use_sim -eq 1 ]; then
  launcher=smpirun
  largest=${ranks% }
  largest=${largest##* }
  sim_dir=$out/platform-$sweep_id
  mkdir -p "$sim_dir"
  python3 "$here/simulate_platform.py" --ranks "$largest" --dir "$sim_dir" "${sim_args[@]}" \
    || die "could not write the simulated platform"
fi
{
  echo "== sweep $sweep_id ($mode)"
  echo "command:$orig_cmd"
  echo "cwd: $(pwd)"
  echo "mpifactor: $bin"
  echo "version: $version"
  echo "source: $(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown) (git describe of $root; build/mpifactor may be older)"
  echo "host: $(hostname), $cores cores, $(grep -m 1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //' || echo unknown cpu)"
  echo "load average before: $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown)"
  points_at=$(readlink -f "$out/points")
  echo "files of the points: $points_at ($(stat -f -c %T "$points_at" 2>/dev/null || echo unknown file system))"
  case $launcher in
    srun) echo "launcher: srun --mpi=pmix (job ${SLURM_JOB_ID}, nodes ${SLURM_JOB_NODELIST:-?})" ;;
    smpirun)
      echo "launcher: smpirun (SIMULATED with SimGrid SMPI; wall_s is simulated time)"
      sed 's/^/simulated /' "$sim_dir/platform.txt"
      [ "$worker_charge" = per-candidate ] ||
        echo "simulated cost model: factoring charged $worker_cost x its measured time (--worker-cost $worker_cost), rank 0's other work as measured"
      ;;
    *) echo "launcher: mpirun" ;;
  esac
  echo "schedule: $schedule"
  [ -z "$input_file" ] || echo "input: $input_file"
  echo "workload: kind=$kind bits=$bits seed=$seed numbers=$numbers ($([ "$mode" = strong ] && echo total || echo per rank)) reps=$reps pick=$pick_how"
  echo "ranks: $ranks"
  [ ${#extra[@]} -eq 0 ] || echo "mpifactor options: ${extra[*]}"
} >>"$out/meta.txt"

# Runs one point once; prints "wall_s" and leaves stats.json and out.txt in its directory.
run_point() {
  local r=$1 input=$2 dir=$3 t0 t1 st=0
  local -a launch
  if [ $use_sim -eq 1 ]; then
    head -n "$r" "$sim_dir/hostfile" >"$dir/hostfile"
    # Probes and tests cost no simulated time (SMPI's default 100 us per call would swamp the polling
    # loops); computation is timed for real and scaled by the core speed; the network is taken as given.
    launch=(smpirun -np "$r" -platform "$sim_dir/platform.xml" -hostfile "$dir/hostfile"
      $(cat "$sim_dir/smpi-cfg.txt"))
  elif [ $use_slurm -eq 1 ]; then
    launch=(srun --mpi=pmix -n "$r")
  else
    launch=(mpirun -np "$r")
    [ "$r" -le "$cores" ] || launch+=(--oversubscribe)
  fi
  rm -f "$dir/out.txt" "$dir/stats.json"
  t0=$(date +%s.%N)
  MF_SIM_WORKER_COST=$worker_cost MF_SIM_CANDIDATE_NS=$candidate_ns MF_SIM_CALIBRATION_OUT=$calibration_out \
    "${launch[@]}" "$bin" --no-progress -o "$dir/out.txt" --stats "$dir/stats.json" \
    --schedule "$schedule" "${extra[@]}" "$input" >"$dir/log.txt" 2>&1 || st=$?
  t1=$(date +%s.%N)
  if [ "$st" -ne 0 ] && [ "$st" -ne 6 ]; then # 6: finished, bounded by a --max-divisor passed after --
    echo "scaling.sh: $r ranks: mpifactor exited $st; last lines of $dir/log.txt:" >&2
    tail -n 20 "$dir/log.txt" >&2
    return 1
  fi
  if [ $use_sim -eq 1 ]; then
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >"$dir/real_s.txt"
    # SMPI's closing report: "Simulated time: X seconds."
    sed -n 's/.*Simulated time: \([0-9.e+-]*\) seconds.*/\1/p' "$dir/log.txt" | tail -n 1 | grep . \
      || { echo "scaling.sh: no simulated time in $dir/log.txt" >&2; return 1; }
  else
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }'
  fi
}

# Prints "nodes busy_share_mean busy_share_min run_s" from a --stats JSON file (and a hostfile: simulated
# ranks all report this machine's name, so their nodes are the distinct hosts they were placed on).
stats_summary() {
  python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
wall = float(s["wall_s"])
ranks = s.get("per_rank") or []
shares = [float(r["busy_s"]) / wall if wall > 0 else 0.0 for r in ranks]
hosts = {r.get("host", "?") for r in ranks}
if len(sys.argv) > 2:
    hosts = {h.strip() for h in open(sys.argv[2]) if h.strip()}
if not shares:
    shares = [0.0]
print(len(hosts) or 1, "%.4f" % (sum(shares) / len(shares)), "%.4f" % min(shares), "%.6f" % wall)
' "$@"
}

# Prints the middle of a levels.csv row from a --stats JSON file: "leaders,run_s,rank0_service_s,
# rank0_units_served,rank0_kids,leader_service_mean_s,leader_service_max_s,leader_units_mean,leader_units_max,
# leader_kids_mean" (leaders: the ranks other than 0 that are some rank's parent).
levels_summary() {
  python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
ranks = s.get("per_rank") or []
by_rank = {int(r["rank"]): r for r in ranks}
kids = {}
for r in ranks:
    kids[int(r["parent"])] = kids.get(int(r["parent"]), 0) + 1
leaders = sorted(p for p in kids if p > 0 and p in by_rank)
r0 = by_rank.get(0, {})
svc = [float(by_rank[k]["service_s"]) for k in leaders] or [0.0]
units = [int(by_rank[k]["units_served"]) for k in leaders] or [0]
nkids = [kids[k] for k in leaders] or [0]
print("%d,%.6f,%.6f,%d,%d,%.6f,%.6f,%.2f,%d,%.2f" % (
    len(leaders), float(s["wall_s"]), float(r0.get("service_s", 0)), int(r0.get("units_served", 0)), kids.get(0, 0),
    sum(svc) / len(svc), max(svc), sum(units) / len(units), max(units), sum(nkids) / len(nkids)))
' "$1"
}

count_for() { if [ "$mode" = strong ]; then echo "$numbers"; else echo $((numbers * $1)); fi; }

declare -A noted=() walls=()
for r in $ranks; do
  input=$(input_for "$(count_for "$r")")
  if [ -z "${noted[$input]:-}" ]; then
    echo "input $(basename "$input") sha256 $(sha256sum "$input" | cut -d ' ' -f 1)" >>"$out/meta.txt"
    noted[$input]=1
  fi
done
# --worker-charge per-candidate: one calibration run of the smallest point, charged as measured, gives the real
# seconds per candidate of factoring that every point is then charged (times F), unless --candidate-ns gives them.
candidate_ns=
calibration_out=
if [ -n "$given_ns" ]; then
  candidate_ns=$given_ns
  price_from="given by --candidate-ns, not calibrated on this machine"
elif [ "$worker_charge" = per-candidate ]; then
  first=${ranks%% *}
  cdir=$out/calibration/$sweep_id-$mode-$schedule-r$first
  rm -rf "$cdir"
  mkdir -p "$cdir"
  calibration_out=$cdir/calibration.txt
  rm -f "$calibration_out"
  cwall=$(run_point "$first" "$(input_for "$(count_for "$first")")" "$cdir") || die "the calibration run ($first ranks) failed"
  calibration_out=
  [ "$(wc -l <"$cdir/out.txt")" -eq "$(count_for "$first")" ] || die "the calibration run wrote too few result lines ($cdir/out.txt)"
  read -r cal_candidates cal_s < <(awk '{ c += $1; s += $2 } END { printf "%.0f %.9f\n", c, s }' "$cdir/calibration.txt" 2>/dev/null)
  awk -v c="${cal_candidates:-0}" 'BEGIN { exit !(c > 0) }' \
    || die "the calibration run tested no candidate ($cdir/calibration.txt): nothing to charge per candidate"
  candidate_ns=$(awk -v c="$cal_candidates" -v s="$cal_s" 'BEGIN { printf "%.6f", s / c * 1e9 }')
  echo "scaling.sh: calibration, $first simulated ranks: $cal_candidates candidates in $cal_s s of factoring, $candidate_ns ns each" >&2
  echo "calibration point: $first simulated ranks: $cwall s simulated, $(cat "$cdir/real_s.txt") s real (smpirun, charged as measured)" >>"$out/meta.txt"
  price_from="the real time per candidate of the factoring of a calibration run of the $first-rank point, $cal_s s for $cal_candidates candidates, numbers read and results formatted included"
fi
[ -z "$candidate_ns" ] ||
  echo "simulated cost model: factoring charged $worker_cost x $candidate_ns ns per candidate tested (--worker-charge per-candidate, --worker-cost $worker_cost; $candidate_ns ns: $price_from), rank 0's and the leaders' other work as measured" >>"$out/meta.txt"

# Runs one point and leaves its wall_s (simulated: simulated seconds) in DIR/wall.txt.
run_and_record() { # ranks dir count
  local w
  w=$(run_point "$1" "$(input_for "$3")" "$2") && echo "$w" >"$2/wall.txt"
}
# Repetitions outermost: a disturbance (another job on the node) then hits one repetition of every
# rank count rather than every repetition of one. With --jobs J > 1 simulated points run side by side, J at
# a time (SMPI charges each simulated rank the CPU time it used, which sharing the machine inflates a little).
for ((k = 1; k <= reps; k++)); do
  for r in $ranks; do
    dir=$out/points/$sweep_id-$mode-$schedule-r$r-k$k
    mkdir -p "$dir"
    rm -f "$dir/wall.txt"
    if [ $use_sim -eq 1 ] && [ "$sim_jobs" -gt 1 ]; then
      while [ "$(jobs -rp | wc -l)" -ge "$sim_jobs" ]; do wait -n || true; done
      run_and_record "$r" "$dir" "$(count_for "$r")" &
    else
      run_and_record "$r" "$dir" "$(count_for "$r")" || true
    fi
  done
  wait || true
  for r in $ranks; do
    count=$(count_for "$r")
    dir=$out/points/$sweep_id-$mode-$schedule-r$r-k$k
    [ -s "$dir/wall.txt" ] || die "point with $r ranks failed"
    w=$(cat "$dir/wall.txt")
    lines=$(wc -l <"$dir/out.txt")
    [ "$lines" -eq "$count" ] || die "$r ranks: $lines result lines for $count numbers ($dir/out.txt)"
    walls[$r]="${walls[$r]:-}$w $k"$'\n'
    if [ $use_sim -eq 1 ]; then
      echo "scaling.sh: $mode rep $k/$reps, $r simulated ranks: $w s simulated ($(cat "$dir/real_s.txt") s real)" >&2
      echo "point: $r simulated ranks, rep $k: $w s simulated, $(cat "$dir/real_s.txt") s real (smpirun)" >>"$out/meta.txt"
    else
      echo "scaling.sh: $mode rep $k/$reps, $r ranks: $w s" >&2
    fi
  done
done

base_rate=
base_ranks=
ref_out=
ref_count=0
for r in $ranks; do
  count=$(count_for "$r")
  # The median run (lower median for even K), or the fastest with --pick min, is the point.
  if [ "$pick_how" = min ]; then
    pick=$(printf '%s' "${walls[$r]}" | sort -g | sed -n 1p)
  else
    pick=$(printf '%s' "${walls[$r]}" | sort -g | sed -n "$(((reps + 1) / 2))p")
  fi
  wall=${pick% *}
  dir=$out/points/$sweep_id-$mode-$schedule-r$r-k${pick#* }
  # Same answers at every rank count (weak inputs nest: the smaller output is a prefix).
  if [ -z "$ref_out" ]; then
    ref_out=$dir/out.txt
    ref_count=$count
  elif [ "$count" -ge "$ref_count" ]; then
    head -n "$ref_count" "$dir/out.txt" | cmp -s - "$ref_out" || die "$r ranks: results differ from those of $base_ranks ranks"
  fi
  hostfile=()
  [ $use_sim -eq 0 ] || hostfile=("$dir/hostfile")
  read -r nodes busy_mean busy_min run_s < <(stats_summary "$dir/stats.json" "${hostfile[@]}")
  if [ "$r" = "${ranks%% *}" ]; then
    # The kernel and this host's measured speed: trial divisors per second of busy time at this point.
    python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
s.get("kernel") and print("kernel:", s["kernel"])
busy = sum(r["busy_s"] for r in s.get("per_rank", []))
if busy > 0:
    print("measured speed: %.3g trial divisors per busy second and rank (%d ranks)" % (s["candidates"] / busy, s["ranks"]))
' "$dir/stats.json" >>"$out/meta.txt" || true
  fi
  rate=$(awk -v n="$count" -v w="$wall" 'BEGIN { printf "%.6f\n", n / w }')
  if [ -z "$base_rate" ]; then base_rate=$rate; base_ranks=$r; fi
  read -r speedup efficiency < <(awk -v x="$rate" -v b="$base_rate" -v r="$r" -v br="$base_ranks" \
    'BEGIN { s = x / b; printf "%.4f %.4f\n", s, s * br / r }')
  row="$mode,$r,$nodes,$count,$wall,$rate,$speedup,$efficiency,$busy_mean,$busy_min,$run_s,$launcher,$schedule"
  level_row=$(levels_summary "$dir/stats.json")
  echo "$row" >>"$csv"
  echo "$mode,$r,$level_row,$launcher,$schedule" >>"$levels"
  echo "scaling.sh: $row" >&2
done
echo "== end $sweep_id: $csv" >>"$out/meta.txt"
