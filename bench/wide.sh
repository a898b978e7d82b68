#!/usr/bin/env bash
# bench/wide.sh: issue 13's rows of `make bench` (also run alone): ns per candidate of the 128-bit kernel
# (2^64 <= n < 2^128) per implementation and of the GMP kernel (n >= 2^128), from --stats compute_s /
# candidates at np 1, and the whole-process time of a 72-bit semiprime of two 36-bit primes at np 2.
# Every output is compared with GNU factor first. Writes bench/results/wide-<UTC>.csv and wide-latest.csv.
# Environment: BIN [build/mpifactor], BENCH_REPS [3] repetitions of the short rows (best kept),
# BENCH_SEMI72 [1] to time the 72-bit semiprime (0 skips it: minutes today).
set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 2
BIN=${BIN:-build/mpifactor}
W=build/bench/wide
RESULTS=bench/results
REPS=${BENCH_REPS:-3}
SEMI72=${BENCH_SEMI72:-1}
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
[ -x "$BIN" ] || { echo "bench/wide: $BIN not built (run make)" >&2; exit 2; }
mkdir -p "$W" "$RESULTS" || exit 2
fail=0
ROWS=()

# Workloads: (a) 2^68 + 61 = 268435459 * 1099511640127: 2^27 candidates with a 69-bit cofactor;
# (b) 268435459 * 268435463^3 (113 bits): the same candidates on a 4-limb cofactor;
# (c) 268435459 * 268435463^4 (141 bits): the same candidates in the GMP kernel;
# (d) 51539607599 * 65283502913 (72 bits, two 36-bit primes): 2.6e10 candidates.
echo 295147911793334063293 >"$W/w69.txt"
echo 5192297322762357492643057834656773 >"$W/w113.txt"
echo 1393796735869373872509158323581868306340899 >"$W/w141.txt"
echo 3364686122824193435887 >"$W/semi72.txt"
for f in w69 w113 w141 semi72; do factor "$(cat "$W/$f.txt")" >"$W/$f.expected"; done

mpf() { local np=$1; shift; mpirun --oversubscribe -q -np "$np" "$BIN" "$@"; }
num() { sed -n "s/.*\"$2\":\([0-9.eE+-]*\).*/\1/p" "$1" | head -n 1; }
str() { sed -n "s/.*\"$2\":\"\([a-z0-9]*\)\".*/\1/p" "$1" | head -n 1; }

# measure KEY NP WORKLOAD ARGS...: best (lowest compute_s) of REPS runs; sets WALL, COMP, CAND, K128.
measure() {
  local key=$1 np=$2 wl=$3 reps=$4; shift 4
  WALL="" COMP="" CAND="" K128="" CPU=""
  for ((r = 1; r <= reps; r++)); do
    local t0=$EPOCHREALTIME
    /usr/bin/time -f "%U %S" -o "$W/$key.time" mpirun --oversubscribe -q -np "$np" "$BIN" --stats "$W/$key.json" "$@" "$W/$wl.txt" \
      >"$W/$key.out" 2>"$W/$key.err" || { echo "  FAIL  $key: exit $?"; fail=1; }
    local t1=$EPOCHREALTIME
    cmp -s "$W/$wl.expected" "$W/$key.out" || { echo "  FAIL  $key: output differs from GNU factor"; fail=1; }
    local wall comp
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    comp=$(num "$W/$key.json" compute_s)
    local cpu
    cpu=$(awk -v z="$CPU0" '{ printf "%.3f", $1 + $2 - z }' "$W/$key.time")
    printf '  %-16s wall %8.3f s  compute %s s  cpu %s s  load %s\n' "$key" "$wall" "$comp" "$cpu" "$(cut -d' ' -f1 /proc/loadavg)"
    if [ -z "$COMP" ] || awk -v a="$comp" -v b="$COMP" 'BEGIN { exit !(a < b) }'; then
      COMP=$comp WALL=$wall CAND=$(num "$W/$key.json" candidates) K128=$(str "$W/$key.json" kernel128)
    fi
    if [ -z "$CPU" ] || awk -v a="$cpu" -v b="$CPU" 'BEGIN { exit !(a < b) }'; then CPU=$cpu; fi
  done
}
ns() { awk -v c="$COMP" -v n="$CAND" 'BEGIN { printf "%.3f", c / n * 1e9 }'; }
# CPU seconds of the process tree (user + sys, /usr/bin/time) less those of a run on empty input: robust
# to other load on the machine, which stretches compute_s (a wall-clock figure) but not CPU time.
nscpu() { awk -v c="$CPU" -v n="$CAND" 'BEGIN { printf "%.3f", c / n * 1e9 }'; }
met() { awk "BEGIN { exit !($1) }" && echo MET || echo "NOT MET"; }
row() { local IFS=,; ROWS+=("$*"); }

avx512=no
grep -qw avx512f /proc/cpuinfo && grep -qw avx512dq /proc/cpuinfo && avx512=yes
: >"$W/empty.txt"
/usr/bin/time -f "%U %S" -o "$W/empty.time" mpirun --oversubscribe -q -np 1 "$BIN" "$W/empty.txt" || exit 2
CPU0=$(awk '{ printf "%.3f", $1 + $2 }' "$W/empty.time")
echo "== issue 13 rows (np 1 unless stated; ns/candidate = compute_s / candidates)"
for wl in w69 w113; do
  for k in auto avx512 scalar plain; do
    [ "$k" = avx512 ] && [ "$avx512" = no ] && { row "7 128-bit kernel" "$wl" 1 "--kernel avx512" 1 "" "" "" "" "" "" "<= 1.0" "n/a (no AVX-512 on this CPU)"; continue; }
    measure "${wl}_$k" 1 "$wl" "$REPS" --kernel "$k"
    v=$(ns)
    case $k in
      avx512) goal="<= 1.0"; m=$(met "$v <= 1.0") ;;
      scalar) goal="<= 2.0"; m=$(met "$v <= 2.0") ;;
      auto) if [ "$K128" = avx512 ]; then goal="<= 1.0"; m=$(met "$v <= 1.0"); else goal=""; m=""; fi ;;
      *) goal=""; m="" ;;
    esac
    row "7 128-bit kernel" "$wl" 1 "--kernel $k ($K128)" 1 "$WALL" "$COMP" "$CAND" "$v" "$CPU" "$(nscpu)" "$goal" "$m"
  done
done
measure w141_gmp 1 w141 "$REPS"
v=$(ns)
row "7 GMP kernel (n >= 2^128)" w141 1 "mpifactor" 1 "$WALL" "$COMP" "$CAND" "$v" "$CPU" "$(nscpu)" "<= 5.0" "$(met "$v <= 5.0")"
if [ "$SEMI72" = 1 ]; then
  measure semi72_np2 2 semi72 1
  row "7 72-bit semiprime" semi72 1 "mpifactor (whole process)" 2 "$WALL" "$COMP" "$CAND" "$(ns)" "$CPU" "$(nscpu)" "wall <= 15 s" "$(met "$WALL <= 15")"
fi

HEADER="target,workload,numbers,tool,ranks,wall_s,kernel_s,candidates,ns_per_candidate,cpu_s,ns_per_candidate_cpu,goal,met"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
csv=$RESULTS/wide-$stamp.csv
{
  echo "# machine: nproc=$(nproc) cpu=\"$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)\" avx512=$avx512 mpifactor=$(git rev-parse --short HEAD 2>/dev/null) load-at-start=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
  echo "# command: bench/wide.sh (part of make bench), best of $REPS; ns_per_candidate = kernel_s (compute_s, wall clock) / candidates; ns_per_candidate_cpu = cpu_s (user+sys less an empty run's) / candidates; goals judged on ns_per_candidate"
  echo "$HEADER"
  printf '%s\n' "${ROWS[@]}"
} >"$csv" && cp "$csv" "$RESULTS/wide-latest.csv"
{ echo "$HEADER"; printf '%s\n' "${ROWS[@]}"; } | column -s, -t
echo "results: $csv"
exit "$fail"
