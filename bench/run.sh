#!/usr/bin/env bash
# bench/run.sh: `make bench` — mpifactor against its peers, outputs checked before timing; the master targets
# (bench/scale.sh) and scheduling on any CPU with each kernel (bench/sched.sh: its own variables there).
#
# Generates seeded workloads into build/bench/ (cached), checks that every tool prints exactly what
# mpifactor prints (and mpifactor what GNU factor prints one number per call), then times whole
# processes in one run and prints a table of ratios; writes bench/results/bench-<UTC>.csv and
# bench/results/latest.csv.  Exit status: 0 whether or not goals are met (benchmarks never fail a
# build), 1 when an output check failed, 2 when a tool is missing or cannot be built.
#
# Environment (defaults in brackets): BIN [build/mpifactor], BENCH_REPS [3] repetitions of the short
# runs (best is kept), BENCH_LONG_REPS [1] of the long ones (plain C naive, Python seed, semiprime
# runs; each is run once more when other processes used BENCH_RERUN_LOAD [0.2] cores or more during
# it, "off" never), BENCH_SEMI_COUNT [auto: as many as take BENCH_SEMI_SECONDS (10) s at np 1 on this CPU]
# semiprimes for target 3, BENCH_PY_COUNT [20000] numbers
# for target 4, BENCH_NP [nproc] the core count C, PYTHON [python3].
set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 2

BIN=${BIN:-build/mpifactor}
W=build/bench
OUT=$W/out
RESULTS=bench/results
C=${BENCH_NP:-$(nproc)}
REPS=${BENCH_REPS:-3}
LONG_REPS=${BENCH_LONG_REPS:-1}
SEMI_COUNT=${BENCH_SEMI_COUNT:-auto}
SEMI_SECONDS=${BENCH_SEMI_SECONDS:-10}
PY_COUNT=${BENCH_PY_COUNT:-20000}
NAIVE=$W/naive
PYTHON=${PYTHON:-python3}
RERUN_LOAD=${BENCH_RERUN_LOAD:-0.2}

if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi

die() { echo "bench: $*" >&2; exit 2; }

[ -x "$BIN" ] || die "$BIN not built (run make)"
for tool in mpirun factor gcc "$PYTHON" awk cmp md5sum; do
  command -v "$tool" >/dev/null || die "missing $tool"
done
if [ ! -x /usr/bin/time ]; then
  tests/lib/install-deps.sh time || die "cannot install /usr/bin/time"
fi

mkdir -p "$W" "$RESULTS" || die "cannot create $W or $RESULTS"
rm -rf "$OUT"
mkdir -p "$OUT" || die "cannot create $OUT"

# The binaries measured are copies made now, the SMPI build of target 19 included (built now from the same
# sources): a rebuild during the bench (about 20 minutes) then changes nothing it measures. Before, target 19
# let jobs/scaling.sh build build/smpi when it got there, from whatever the sources were by then.
mkdir -p "$OUT/bin" && cp "$BIN" "$OUT/bin/mpifactor" || die "cannot copy $BIN"
BIN=$PWD/$OUT/bin/mpifactor
if [ "${BENCH_SIMULATE:-1}" = 1 ]; then
  { command -v smpicc >/dev/null || tests/lib/install-deps.sh libsimgrid-dev; } >"$OUT/smpi-build.log" 2>&1 \
    && make --no-print-directory SMPI=1 all >>"$OUT/smpi-build.log" 2>&1 \
    && cp build/smpi/mpifactor "$OUT/bin/mpifactor-smpi" \
    || die "the SMPI build for target 19 failed (log: $OUT/smpi-build.log; BENCH_SIMULATE=0 skips it)"
fi

fail=0      # set to 1 by any output check that fails
ROWS=()     # CSV rows, in table order
declare -A WALL COMP LOAD LAST_LOAD   # by key: best wall time, best compute_s, other load (see rep)

# ---------------------------------------------------------------- helpers

# mpf NP ARGS...: mpifactor on NP local ranks, as tests and `make run` start it.
# shellcheck disable=SC2317 # called through run_to and rep
mpf() { local np=$1; shift; mpirun --oversubscribe -q -np "$np" "$BIN" "$@"; }

# workload NAME ARGS...: prints the path of $W/NAME.txt, generating it with gen.py ARGS if it is
# missing or older than gen.py (the name encodes kind, size and seed, so a hit is always right).
workload() {
  local f=$W/$1.txt; shift
  if [ ! -s "$f" ] || [ bench/gen.py -nt "$f" ]; then
    "$PYTHON" bench/gen.py "$@" -o "$f" || die "gen.py $* failed"
  fi
  echo "$f"
}

# head_of N FILE NAME: prints the path of a file holding FILE's first N lines.
head_of() { head -n "$1" "$2" >"$OUT/$3.txt"; echo "$OUT/$3.txt"; }

# check_same LABEL EXPECTED ACTUAL: compares two outputs byte for byte; a difference sets fail=1.
check_same() {
  if cmp -s "$2" "$3"; then
    printf '  ok    %s\n' "$1"
  else
    printf '  FAIL  %s: %s differs from %s\n' "$1" "$3" "$2"
    diff "$2" "$3" | head -n 6 | sed 's/^/        /'
    fail=1
  fi
}

# run_to OUTFILE CMD...: runs CMD with stdout to OUTFILE and stderr to OUTFILE.err; a failing
# command is reported and sets fail=1.
run_to() {
  local out=$1; shift
  "$@" >"$out" 2>"$out.err"
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    printf '  FAIL  exit %d: %s\n' "$rc" "$*"
    head -n 5 "$out.err" | sed 's/^/        /'
    fail=1
  fi
  return "$rc"
}

# json_num FILE KEY: prints the top-level number KEY of the stats JSON FILE (empty if absent).
json_num() { [ -s "$1" ] && sed -n "s/.*\"$2\":\([0-9.eE+-]*\).*/\1/p" "$1" | head -n 1; }

# fmin A B: the smaller of two decimals, either may be empty.
fmin() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "") print b; else if (b == "" || a + 0 <= b + 0) print a; else print b }'; }

# calc EXPR: evaluates an awk expression, prints it with 3 decimals ("" when it divides by 0).
calc() { awk "BEGIN { printf \"%.3f\", $1 }" 2>/dev/null; }

TCK=$(getconf CLK_TCK)
# cpu_mark: prints "ALL OURS": CPU ticks used by the whole machine (non-idle plus steal) and by this
# script and its finished children, so that (dALL - dOURS) / ticks / wall = other load in cores.
cpu_mark() {
  local c p f
  read -r -a c </proc/stat
  p=$(</proc/$$/stat)
  read -r -a f <<<"${p##*) }"
  echo "$((c[1] + c[2] + c[3] + c[6] + c[7] + c[8])) $((f[11] + f[12] + f[13] + f[14]))"
}

# other_load M0 M1 WALL: cores' worth of CPU used by processes not ours between two cpu_marks.
other_load() {
  awk -v m0="$1" -v m1="$2" -v w="$3" -v t="$TCK" 'BEGIN {
    split(m0, a, " "); split(m1, b, " "); x = ((b[1] - a[1]) - (b[2] - a[2])) / t / w
    printf "%.2f", x < 0 ? 0 : x }'
}

# rep KEY REF CMD...: one timed repetition of CMD.  Output goes to $OUT/KEY.out and is compared
# with REF (the first output of a target becomes its REF; "-" compares nothing).  WALL[KEY] keeps
# the best process wall time; COMP[KEY] the best compute time (compute_s of $OUT/KEY.json, or
# naive's own figure); LOAD[KEY] the other load (cores) during the best run, LAST_LOAD[KEY] during
# the last one.
rep() {
  local key=$1 ref=$2; shift 2
  local out=$OUT/$key.out st=$OUT/$key.json
  rm -f "$st"
  local m0 m1
  m0=$(cpu_mark)
  local t0=$EPOCHREALTIME
  "$@" >"$out" 2>"$out.err"
  local rc=$? t1=$EPOCHREALTIME
  m1=$(cpu_mark)
  local wall comp load
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  load=$(other_load "$m0" "$m1" "$wall")
  LAST_LOAD[$key]=$load
  if [ "$rc" -ne 0 ]; then
    printf '  FAIL  exit %d: %s\n' "$rc" "$*"
    head -n 5 "$out.err" | sed 's/^/        /'
    fail=1
  fi
  if [ -s "$st" ]; then
    comp=$(json_num "$st" compute_s)
  else
    comp=$(sed -n 's/.*compute_s=\([0-9.]*\).*/\1/p' "$out.err" | head -n 1)
  fi
  if [ "$ref" = - ]; then
    :
  elif [ ! -e "$ref" ]; then
    cp "$out" "$ref"
  elif ! cmp -s "$ref" "$out"; then
    printf '  FAIL  %s: output differs from %s\n' "$key" "$ref"
    diff "$ref" "$out" | head -n 6 | sed 's/^/        /'
    fail=1
  fi
  printf '  %-22s wall %8.3f s   other load %4.2f cores%s\n' "$key" "$wall" "$load" "${comp:+   compute $comp s}"
  if [ -z "${WALL[$key]:-}" ] || awk -v a="$wall" -v b="${WALL[$key]}" 'BEGIN { exit !(a < b) }'; then
    WALL[$key]=$wall
    LOAD[$key]=$load
    cp "$out.err" "$OUT/$key.best.err"
    [ -s "$st" ] && cp "$st" "$OUT/$key.best.json"
  fi
  COMP[$key]=$(fmin "${COMP[$key]:-}" "$comp")
}

# maybe_rerun KEY REF CMD...: repeats a long run once when other processes used at least
# $RERUN_LOAD cores during its last repetition (the best run is kept; "off" never repeats).
maybe_rerun() {
  local key=$1
  [ "$RERUN_LOAD" = off ] && return 0
  awk -v l="${LAST_LOAD[$key]:-0}" -v t="$RERUN_LOAD" 'BEGIN { exit !(l >= t) }' || return 0
  printf '  (%s: other processes used %s cores during the run; one more repetition)\n' "$key" "${LAST_LOAD[$key]}"
  rep "$@"
}

# row KEY TARGET WORKLOAD NUMBERS TOOL RANKS WALL KERNEL RATIO GOAL MET [NUMBERS_PER_S [RSS_MIB]]:
# one CSV row; the other load during KEY's best run ("-": none) becomes the last column.
row() {
  local key=$1; shift
  local f=("$@")
  while [ "${#f[@]}" -lt 12 ]; do f+=(""); done
  f+=("${LOAD[$key]:-}")
  local IFS=,
  ROWS+=("${f[*]}")
}

# met_if COND: "MET" when the awk condition holds, "NOT MET" otherwise (and when it cannot be evaluated).
met_if() { awk "BEGIN { exit !($1) }" 2>/dev/null && echo MET || echo "NOT MET"; }

# ---------------------------------------------------------------- machine and build

cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)
avx512=no
grep -qw avx512f /proc/cpuinfo && grep -qw avx512dq /proc/cpuinfo && avx512=yes
ompi=$(mpirun --version 2>/dev/null | head -n 1 | awk '{ print $NF }')
pyver=$("$PYTHON" -c 'import platform; print(platform.python_version())')
factorver=$(factor --version | head -n 1 | awk '{ print $NF }')
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git status --porcelain -- src include 2>/dev/null)" ] && commit="$commit+uncommitted-src"
load=$(cut -d' ' -f1-3 /proc/loadavg)
MACHINE="nproc=$(nproc) cpu=\"$cpu\" avx512=$avx512 C=$C openmpi=$ompi gcc=$(gcc -dumpfullversion) python=$pyver coreutils-factor=$factorver mpifactor=$commit load-at-start=\"$load\""
echo "machine: $MACHINE"

if [ ! -x "$NAIVE" ] || [ bench/naive.c -nt "$NAIVE" ]; then
  gcc -O2 -std=c11 -Wall -Wextra -o "$NAIVE" bench/naive.c || die "cannot build $NAIVE"
fi

# ---------------------------------------------------------------- workloads (seeded, cached)

echo "== workloads ($W)"
F40=$(workload random40_n120000_s1 random 40 120000 --seed 1)
FGMP=$(workload gmp_s1 gmp)
sed -n 1p "$FGMP" >"$W/gmp_fact1000.txt"
sed -n 2p "$FGMP" >"$W/gmp_primorial60.txt"
if [ "$SEMI_COUNT" = auto ]; then
  # target 3 sized to this CPU: 40 of the semiprimes at np 1 measure the cost per number (compute_s, the fastest
  # of three runs: one run of 0.3 s once read 0.52 s, sizing the target at half its time, where MPI start-up
  # weighed twice as much), then as many as take SEMI_SECONDS at np 1, so that MPI start-up is the same small
  # share on a fast CPU as on a slow one
  fcal=$(workload semiprime27_n40_s3cal semiprime 27 40 --seed 30)
  cal_s=
  for ((k = 1; k <= 3; k++)); do
    mpirun --oversubscribe -q -np 1 "$BIN" --stats "$W/semi_cal.json" "$fcal" >/dev/null || die "calibration run failed"
    cal_s=$(fmin "$cal_s" "$(json_num "$W/semi_cal.json" compute_s)")
  done
  SEMI_COUNT=$(awk -v c="$cal_s" -v t="$SEMI_SECONDS" 'BEGIN { n = int(t * 40 / (c > 0 ? c : 1e-3)); print (n < 100 ? 100 : n > 20000 ? 20000 : n) }')
  echo "target 3 sized to this CPU: 40 semiprimes took $cal_s s at np 1 (the fastest of 3 runs): $SEMI_COUNT numbers for about $SEMI_SECONDS s"
fi
FSEMI=$(workload "semiprime27_n${SEMI_COUNT}_s3" semiprime 27 "$SEMI_COUNT" --seed 3)
FPY=$(workload "random40_n${PY_COUNT}_s4" random 40 "$PY_COUNT" --seed 4)
F2M=$(workload random20_n2000000_s5 random 20 2000000 --seed 5)
F10M=$(workload random20_n10000000_s6 random 20 10000000 --seed 6)
N40=$(wc -l <"$F40"); NSEMI=$(wc -l <"$FSEMI"); NPY=$(wc -l <"$FPY")
N2M=$(wc -l <"$F2M"); N10M=$(wc -l <"$F10M")
for f in "$F40" "$FGMP" "$FSEMI" "$FPY" "$F2M" "$F10M"; do printf '  %10d lines  %s\n' "$(wc -l <"$f")" "$f"; done

# ---------------------------------------------------------------- output checks (before timing)

echo "== output checks (before timing)"
# Golden sample: GNU factor called once per number, on edge values and the head of every workload.
sample=$OUT/sample.txt
{
  printf '%s\n' 0 1 2 3 4 65536 1099511627689 1099511627776 9223372036854775808 18446744073709551615
  head -n 40 "$F40"; head -n 10 "$FSEMI"; head -n 20 "$FPY"; head -n 40 "$F2M"; cat "$FGMP"
} >"$sample"
: >"$OUT/sample.golden"
while read -r n; do factor "$n" >>"$OUT/sample.golden" || fail=1; done <"$sample"
for np in 1 "$C"; do
  run_to "$OUT/sample.np$np.out" mpf "$np" "$sample" \
    && check_same "golden sample ($(wc -l <"$sample") numbers, one GNU factor call each) = mpifactor -np $np" \
         "$OUT/sample.golden" "$OUT/sample.np$np.out"
done

# Every tool against mpifactor (and GNU factor on the whole slice) on the head of each workload.
KERNELS="auto scalar plain"
[ "$avx512" = yes ] && KERNELS="auto avx512 scalar plain"
s=$(head_of 3000 "$F40" check40)
run_to "$OUT/check40.ref" mpf 1 "$s"
run_to "$OUT/check40.factor" factor <"$s" && check_same "target 1: GNU factor = mpifactor (3000 of $F40)" "$OUT/check40.ref" "$OUT/check40.factor"
run_to "$OUT/check40.naive" "$NAIVE" "$s" && check_same "target 1: naive = mpifactor" "$OUT/check40.ref" "$OUT/check40.naive"
for k in $KERNELS; do
  run_to "$OUT/check40.$k" mpf 1 --kernel "$k" "$s" && check_same "target 1: mpifactor --kernel $k = mpifactor" "$OUT/check40.ref" "$OUT/check40.$k"
done
run_to "$OUT/checkgmp.ref" mpf 1 "$FGMP"
run_to "$OUT/checkgmp.factor" factor <"$FGMP" && check_same "target 2: GNU factor = mpifactor (1000!, primorial*(2^46-21))" "$OUT/checkgmp.ref" "$OUT/checkgmp.factor"
s=$(head_of 8 "$FSEMI" checksemi)
run_to "$OUT/checksemi.ref" mpf 1 "$s"
run_to "$OUT/checksemi.factor" factor <"$s" && check_same "target 3: GNU factor = mpifactor (8 semiprimes)" "$OUT/checksemi.ref" "$OUT/checksemi.factor"
for np in "$C" $((C + 1)); do
  run_to "$OUT/checksemi.np$np" mpf "$np" "$s" && check_same "target 3: mpifactor -np $np = -np 1" "$OUT/checksemi.ref" "$OUT/checksemi.np$np"
done
s=$(head_of 300 "$FPY" checkpy)
run_to "$OUT/checkpy.ref" mpf 2 "$s"
run_to "$OUT/checkpy.factor" factor <"$s" && check_same "target 4: GNU factor = mpifactor -np 2 (300 numbers)" "$OUT/checkpy.ref" "$OUT/checkpy.factor"
run_to "$OUT/checkpy.py" "$PYTHON" bench/seed_baseline.py 2 "$s" && check_same "target 4: Python seed = mpifactor" "$OUT/checkpy.ref" "$OUT/checkpy.py"
for f in "$F2M" "$F10M"; do
  b=$(basename "$f" .txt)
  s=$(head_of 200000 "$f" "check$b")
  run_to "$OUT/check$b.ref" mpf "$C" "$s"
  run_to "$OUT/check$b.factor" factor <"$s" && check_same "targets 5/6: GNU factor = mpifactor -np $C (200000 of $b)" "$OUT/check$b.ref" "$OUT/check$b.factor"
done
run_to "$OUT/check2m.o.out" mpf "$C" -o "$OUT/check2m.o" "$OUT/checkrandom20_n2000000_s5.txt" \
  && check_same "target 5: mpifactor -o FILE = stdout" "$OUT/checkrandom20_n2000000_s5.ref" "$OUT/check2m.o"
if [ "$fail" -ne 0 ]; then
  echo "bench: output checks failed; not timing anything" >&2
  exit 1
fi

# ---------------------------------------------------------------- timing

echo "== timing (whole processes; best of $REPS short runs, $LONG_REPS long)"

echo "-- start-up floor (no goal): what every whole-process mpifactor time below includes"
: >"$OUT/empty.txt"
for ((r = 1; r <= REPS; r++)); do
  rep t0_true - mpirun --oversubscribe -q -np "$C" true
  rep t0_mpf "$OUT/t0.ref" mpf "$C" --stats "$OUT/t0_mpf.json" "$OUT/empty.txt"
  rep t0_mpf_ob1 "$OUT/t0.ref" mpirun --oversubscribe -q --mca pml ob1 -np "$C" "$BIN" "$OUT/empty.txt"
done
row "t0_true" "0 start-up floor" empty 0 "mpirun true" "$C" "${WALL[t0_true]}" "" "" "" ""
row "t0_mpf" "0 start-up floor" empty 0 "mpifactor (MPI_Init+Finalize)" "$C" "${WALL[t0_mpf]}" "" "" "" ""
row "t0_mpf_ob1" "0 start-up floor" empty 0 "mpifactor with --mca pml ob1" "$C" "${WALL[t0_mpf_ob1]}" "" "" "" ""

echo "-- target 1: kernel, $N40 random integers below 2^40"
KT1="auto scalar"
[ "$avx512" = yes ] && KT1="auto avx512 scalar"
for ((r = 1; r <= REPS; r++)); do
  for k in $KT1; do
    rep "t1_mpf_$k" "$OUT/t1.ref" mpf 1 --kernel "$k" --stats "$OUT/t1_mpf_$k.json" "$F40"
  done
  if [ "$r" -le "$LONG_REPS" ]; then rep t1_naive "$OUT/t1.ref" "$NAIVE" "$F40"; fi
done
maybe_rerun t1_naive "$OUT/t1.ref" "$NAIVE" "$F40"
autok=$(sed -n 's/.*"kernel":"\([a-z0-9]*\)".*/\1/p' "$OUT/t1_mpf_auto.best.json" 2>/dev/null)
row "t1_naive" "1 kernel (whole process)" random40 "$N40" "naive C (gcc -O2)" 1 "${WALL[t1_naive]}" "${COMP[t1_naive]}" "" "" ""
ratio=$(calc "${WALL[t1_naive]} / ${WALL[t1_mpf_auto]}")
row "t1_mpf_auto" "1 kernel (whole process)" random40 "$N40" "mpifactor --kernel auto ($autok)" 1 "${WALL[t1_mpf_auto]}" "${COMP[t1_mpf_auto]}" \
  "$ratio" "naive wall / wall >= 8" "$(met_if "$ratio >= 8")"
if [ "$avx512" = yes ]; then
  ratio=$(calc "${COMP[t1_naive]} / ${COMP[t1_mpf_avx512]}")
  row "t1_mpf_avx512" "1 kernel only" random40 "$N40" "mpifactor --kernel avx512" 1 "${WALL[t1_mpf_avx512]}" "${COMP[t1_mpf_avx512]}" \
    "$ratio" "naive kernel_s / kernel_s >= 15" "$(met_if "$ratio >= 15")"
else
  row "-" "1 kernel only" random40 "$N40" "mpifactor --kernel avx512" 1 "" "" "" "naive kernel_s / kernel_s >= 15" "n/a (no AVX-512)"
fi
ratio=$(calc "${COMP[t1_naive]} / ${COMP[t1_mpf_scalar]}")
row "t1_mpf_scalar" "1 kernel only" random40 "$N40" "mpifactor --kernel scalar" 1 "${WALL[t1_mpf_scalar]}" "${COMP[t1_mpf_scalar]}" \
  "$ratio" "naive kernel_s / kernel_s >= 5" "$(met_if "$ratio >= 5")"

echo "-- target 2: GMP path"
line=1
for g in fact1000 primorial60; do
  sed -n "${line}p" "$OUT/checkgmp.ref" >"$OUT/t2_$g.ref"
  for ((r = 1; r <= REPS; r++)); do
    rep "t2_$g" "$OUT/t2_$g.ref" mpf 1 --stats "$OUT/t2_$g.json" "$W/gmp_$g.txt"
  done
  line=$((line + 1))
done
row "t2_fact1000" "2 GMP path" "1000!" 1 "mpifactor" 1 "${WALL[t2_fact1000]}" "${COMP[t2_fact1000]}" "" "kernel_s < 0.1" "$(met_if "${COMP[t2_fact1000]} < 0.1")"
row "t2_primorial60" "2 GMP path" "primorial(60 primes)*(2^46-21)" 1 "mpifactor" 1 "${WALL[t2_primorial60]}" "${COMP[t2_primorial60]}" "" "kernel_s < 0.1" "$(met_if "${COMP[t2_primorial60]} < 0.1")"

echo "-- target 3: no core lost to the master, $NSEMI semiprimes of two 27-bit primes (C = $C)"
for ((r = 1; r <= LONG_REPS; r++)); do
  for np in 1 "$C" $((C + 1)); do
    rep "t3_np$np" "$OUT/t3.ref" mpf "$np" --stats "$OUT/t3_np$np.json" "$FSEMI"
  done
done
for np in 1 "$C" $((C + 1)); do
  maybe_rerun "t3_np$np" "$OUT/t3.ref" mpf "$np" --stats "$OUT/t3_np$np.json" "$FSEMI"
done
tput1=$(calc "$NSEMI / ${WALL[t3_np1]}")
row "t3_np1" "3 no core lost" semiprime27 "$NSEMI" "mpifactor" 1 "${WALL[t3_np1]}" "${COMP[t3_np1]}" "" "" "" "$tput1"
for np in "$C" $((C + 1)); do
  tput=$(calc "$NSEMI / ${WALL[t3_np$np]}")
  ratio=$(calc "$tput / $tput1")
  row "t3_np$np" "3 no core lost" semiprime27 "$NSEMI" "mpifactor" "$np" "${WALL[t3_np$np]}" "${COMP[t3_np$np]}" \
    "$ratio" "speedup vs np 1 >= 0.9*C = $(calc "0.9 * $C")" "$(met_if "$ratio >= 0.9 * $C")" "$tput"
done

echo "-- target 4: Python seed program, $NPY random integers below 2^40"
for ((r = 1; r <= REPS; r++)); do
  rep t4_mpf "$OUT/t4.ref" mpf 2 --stats "$OUT/t4_mpf.json" "$FPY"
  if [ "$r" -le "$LONG_REPS" ]; then rep t4_py "$OUT/t4.ref" "$PYTHON" bench/seed_baseline.py 2 "$FPY"; fi
done
maybe_rerun t4_py "$OUT/t4.ref" "$PYTHON" bench/seed_baseline.py 2 "$FPY"
row "t4_py" "4 seed program" random40 "$NPY" "python3 bench/seed_baseline.py 2" 2 "${WALL[t4_py]}" "" "" "" ""
ratio=$(calc "${WALL[t4_py]} / ${WALL[t4_mpf]}")
row "t4_mpf" "4 seed program" random40 "$NPY" "mpifactor" 2 "${WALL[t4_mpf]}" "${COMP[t4_mpf]}" "$ratio" "python wall / wall >= 50" "$(met_if "$ratio >= 50")"

echo "-- target 5: streaming, $N2M random integers below 2^20"
for ((r = 1; r <= REPS; r++)); do
  rep t5_mpf "$OUT/t5.ref" mpf "$C" --stats "$OUT/t5_mpf.json" "$F2M"
  rep t5_factor "$OUT/t5.ref" factor <"$F2M"
  rep t5_mpf_o - mpf "$C" -o "$OUT/t5_mpf_o.file" --stats "$OUT/t5_mpf_o.json" "$F2M"
  check_same "target 5: mpifactor -o FILE output = stdout output" "$OUT/t5.ref" "$OUT/t5_mpf_o.file"
  rep t5_iof "$OUT/t5.ref" mpirun --oversubscribe -q -np 1 cat "$OUT/t5.ref"
done
row "t5_factor" "5 streaming" random20 "$N2M" "GNU factor (whole file on stdin)" 1 "${WALL[t5_factor]}" "" "" "" "" "$(calc "$N2M / ${WALL[t5_factor]}")"
ratio=$(calc "${WALL[t5_mpf]} / ${WALL[t5_factor]}")
row "t5_mpf" "5 streaming" random20 "$N2M" "mpifactor (stdout > file)" "$C" "${WALL[t5_mpf]}" "${COMP[t5_mpf]}" "$ratio" "wall / factor wall <= 2" "$(met_if "$ratio <= 2")" "$(calc "$N2M / ${WALL[t5_mpf]}")"
row "t5_iof" "5 streaming" random20 "$N2M" "mpirun -np 1 cat OUTPUT (stdout forwarding floor)" 1 "${WALL[t5_iof]}" "" "" "" ""
ratio=$(calc "${WALL[t5_mpf_o]} / ${WALL[t5_factor]}")
row "t5_mpf_o" "5 streaming" random20 "$N2M" "mpifactor -o FILE" "$C" "${WALL[t5_mpf_o]}" "${COMP[t5_mpf_o]}" "$ratio" "wall / factor wall <= 4" "$(met_if "$ratio <= 4")" "$(calc "$N2M / ${WALL[t5_mpf_o]}")"

echo "-- target 6: memory, $N10M random integers below 2^20 streamed (np $C)"
# Each rank runs under its own /usr/bin/time -v, writing $OUT/mem.<rank>; rank 0 is the master.
rm -f "$OUT"/mem.*
m0=$(cpu_mark)
t0=$EPOCHREALTIME
# shellcheck disable=SC2016 # $0, $@ and the rank are expanded by the rank's own bash
mpirun --oversubscribe -q -np "$C" bash -c 'exec /usr/bin/time -v -o "$0.$OMPI_COMM_WORLD_RANK" "$@"' \
  "$OUT/mem" "$BIN" --stats "$OUT/t6.json" "$F10M" 2>"$OUT/t6.err" | md5sum >"$OUT/t6.md5"
rc=${PIPESTATUS[0]}
t1=$EPOCHREALTIME
m1=$(cpu_mark)
t6wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
LOAD[t6_mpf]=$(other_load "$m0" "$m1" "$t6wall")
[ "$rc" -eq 0 ] || { echo "  FAIL  exit $rc: mpifactor on $F10M"; fail=1; }
factor <"$F10M" | md5sum >"$OUT/t6.factor.md5"
check_same "target 6: mpifactor output = GNU factor output (md5 of $N10M lines)" "$OUT/t6.factor.md5" "$OUT/t6.md5"
rss_kb() { sed -n 's/.*Maximum resident set size (kbytes): *//p' "$OUT/mem.$1" 2>/dev/null; }
rss0=$(calc "$(rss_kb 0) / 1024")
for ((i = 0; i < C; i++)); do printf '  rank %d peak RSS %s KiB\n' "$i" "$(rss_kb "$i")"; done
printf '  %-22s wall %8.3f s   other load %4.2f cores (md5sum of the output included)\n' t6_mpf "$t6wall" "${LOAD[t6_mpf]}"
WALL[t6_mpf]=$t6wall
cp "$OUT/t6.json" "$OUT/t6_mpf.best.json" 2>/dev/null
row t6_mpf "6 memory" random20 "$N10M" "mpifactor (rank 0 = master)" "$C" "$t6wall" "$(json_num "$OUT/t6.json" compute_s)" "" "master peak RSS < 64 MiB" \
  "$(met_if "$rss0 < 64")" "$(calc "$N10M / $t6wall")" "$rss0"

# ---------------------------------------------------------------- master (issues 11, 12), scheduling (issue 19)

# shellcheck source=bench/scale.sh
. bench/scale.sh
# shellcheck source=bench/sched.sh
. bench/sched.sh

# ---------------------------------------------------------------- report

HEADER="target,workload,numbers,tool,ranks,wall_s,kernel_s,ratio,goal,met,numbers_per_s,master_rss_mib,other_load_cores"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
csv=$RESULTS/bench-$stamp.csv
{
  echo "# machine: $MACHINE"
  echo "# command: make bench (bench/run.sh), $(date -u +%Y-%m-%dT%H:%M:%SZ); wall_s = whole process incl. mpirun start-up, best of $REPS (long runs: $LONG_REPS); kernel_s = compute_s from --stats (naive: its own compute time)"
  echo "$HEADER"
  printf '%s\n' "${ROWS[@]}"
} >"$csv.tmp" && mv "$csv.tmp" "$csv" && cp "$csv" "$RESULTS/latest.csv.tmp" && mv "$RESULTS/latest.csv.tmp" "$RESULTS/latest.csv"

echo
echo "machine: $MACHINE"
{ echo "$HEADER"; printf '%s\n' "${ROWS[@]}"; } | awk -F, '
  { for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } nf[NR] = NF; if (NF > maxnf) maxnf = NF }
  END { for (r = 1; r <= NR; r++) { line = ""; for (i = 1; i <= maxnf; i++) line = line sprintf("%-" w[i] "s  ", cell[r, i]); sub(/ +$/, "", line); print line } }'
echo
echo "where the time goes (from --stats of the best runs; process wall minus internal wall = MPI start-up and teardown):"
for key in t0_mpf t1_mpf_auto t3_np1 t3_np$C t3_np$((C + 1)) t4_mpf t5_mpf t5_mpf_o t6_mpf t11_np2 t11_r0 t17_np1 t17_np2; do
  st=$OUT/$key.best.json
  [ -s "$st" ] || continue
  printf '  %-13s process %6.3f s  internal %6.3f s  compute(sum of ranks) %7.3f s  units %s  bytes sent %s  per rank busy/idle s:%s\n' "$key" \
    "${WALL[$key]}" "$(json_num "$st" wall_s)" "$(json_num "$st" compute_s)" "$(json_num "$st" units)" "$(json_num "$st" bytes_sent)" \
    "$(sed -n 's/.*"rank":\([0-9]*\),.*"busy_s":\([0-9.]*\),"idle_s":\([0-9.]*\),.*/ r\1 \2\/\3/p' "$st" | tr -d '\n')"
done
echo
echo "results: $csv and $RESULTS/latest.csv"
echo
echo "== issue 13: the 128-bit and GMP kernels, the 72-bit semiprime (bench/wide.sh)"
BIN=$BIN BENCH_REPS=$REPS bench/wide.sh || fail=1
if [ "$fail" -ne 0 ]; then
  echo "bench: some output checks FAILED (see FAIL lines above)" >&2
  exit 1
fi
exit 0
