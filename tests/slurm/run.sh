#!/usr/bin/env bash
# tests/slurm: jobs/*.sbatch and jobs/scaling.sh against a real, private Slurm cluster started here.
#
#   tests/slurm/run.sh            # as root; installs slurm-wlm munge gnuplot-nox when missing
#   KEEP=1 tests/slurm/run.sh     # keep the cluster directory (logs, outputs) even when all passes
#
# Starts munged, slurmctld and two fake-node slurmd (n1, n2) under a fresh temp directory
# (tests/slurm/cluster.sh), then: a plain job; jobs/mpifactor.sbatch on a mixed input across both nodes
# checked against GNU factor (one number per call) and its OUTPUT.run.txt; the same script run by hand
# without Slurm (mpirun); resume after `scancel --signal=USR1 --batch` + resubmission; resume after
# `scontrol requeue`; the warning path requeueing itself (MPIFACTOR_REQUEUE=1); a real time limit
# (--time=1 --signal=B:USR1@50, in the background) stopping a job with exit 3 and a correct prefix; a tiny
# strong-scaling sweep through jobs/scaling.sbatch (CSV rows/columns, PNG, meta.txt); retries after a rank's
# death: a ~12 s job (4 tasks on both nodes) run uninterrupted, then with a worker task SIGKILLed halfway,
# with rank 0 SIGKILLed halfway, and with node n2 set DOWN halfway (--no-kill), each ending COMPLETED with
# output identical to GNU factor, its retry started within 15 s of the death and its attempts in the run record;
# then, on nodes of 16 CPUs, README.md's sbatch commands and its Installing block (into /opt), verbatim.
# Interrupted jobs are sized from a calibration run so they are still running when interrupted
# on any CPU. The daemons are stopped by their pid files on exit, failure or interrupt. About 200 s on 2
# cores once packages are installed. Ends with "slurm: N passed, N failed"; exit 1 on any failure.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here=$root/tests/slurm
cd "$root" || exit 2
passed=0
failed=0
t_start=$(date +%s)
pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
summary() { echo "slurm: $passed passed, $failed failed$([ "${1:-0}" -eq 0 ] || echo ", $1 skipped")"; }
skip_all() { echo "SKIP: $*"; summary 1; exit 0; }

# --- prerequisites ---------------------------------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
  command -v slurmctld >/dev/null || skip_all "Slurm is not installed and installing it needs root"
  skip_all "starting a private slurmd needs root (Slurm is installed; run as root to test against it)"
fi
deps=(slurm-wlm munge gnuplot-nox openmpi-bin coreutils)
command -v python3 >/dev/null || deps+=(python3)
if ! "$root/tests/lib/install-deps.sh" "${deps[@]}"; then
  echo "FAIL: could not install ${deps[*]}"; failed=1; summary; exit 1
fi
if [ ! -x "$root/build/mpifactor" ]; then
  echo "tests/slurm: build/mpifactor missing, running make" >&2
  make -C "$root" >/dev/null || { echo "FAIL: make"; failed=1; summary; exit 1; }
fi
bin=$root/build/mpifactor

# A run inside someone's allocation must not leak its job into ours.
while read -r v; do unset "$v"; done < <(compgen -e | grep -E '^(SLURM|SBATCH|SRUN|SALLOC)_')
# Test harness only: mpirun as root, and TCP between ranks because the fake nodes share one host
# (Open MPI's shared-memory segments would collide).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=tcp,self
unset MPIFACTOR_BIN MPIFACTOR_NP MPIFACTOR_LAUNCHER MPIFACTOR_REQUEUE

# shellcheck source=tests/slurm/cluster.sh
. "$here/cluster.sh"
T=$(mktemp -d /tmp/mpifactor-slurm.XXXXXX)
chmod 755 "$T" # munged runs as user munge and must reach its socket below
# Core dumps on, for the daemons started below and the tasks they start (Slurm passes the submitter's limits
# on): a worker once died of SIGSEGV at the start of an srun job in CI and never again in 60 local runs.
# The suite's end prints the backtrace of every core written meanwhile, and removes it (print_cores).
ulimit -c unlimited 2>/dev/null || true
touch "$T/core-stamp"
print_cores() {
  local pat dirs f
  pat=$(cat /proc/sys/kernel/core_pattern 2>/dev/null) || return 0
  case $pat in "|"*) echo "tests/slurm: core dumps go to a program ($pat): none to read here"; return 0 ;; esac
  dirs=("$root" "$T")
  case $pat in /*) dirs+=("$(dirname "$pat")") ;; esac
  find "${dirs[@]}" -maxdepth 3 -type f \( -name core -o -name 'core.[0-9]*' \) -newer "$T/core-stamp" 2>/dev/null | while read -r f; do
    echo "--- backtrace of $f ($(file -b "$f" 2>/dev/null | cut -c1-120))"
    gdb -q -batch -ex "thread apply all bt" "$bin" "$f" 2>&1 | tail -n 80
    rm -f "$f"
  done
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  slurm_cluster_stop "$T/cluster"
  print_cores # none expected: the tests kill ranks with SIGKILL and SIGTERM, which write no core
  if [ "$failed" -gt 0 ] || [ "${KEEP:-0}" = 1 ]; then
    echo "tests/slurm: kept $T (daemon logs in $T/cluster/log, jobs in $T/work)" >&2
    if [ "$failed" -gt 0 ] && [ "${CI:-}" = true ]; then
      for f in "$T"/cluster/log/*.log "$T"/work/*.log; do
        [ -f "$f" ] && { echo "--- tail $f"; tail -n 30 "$f"; }
      done
    fi
  else
    rm -rf "$T"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "tests/slurm: interrupted" >&2; failed=$((failed + 1)); summary; exit 130' INT TERM

# --- helpers ---------------------------------------------------------------------------------------
# GNU factor's answer for file $1 into $2, one number per call (coreutils 9.1 may reorder a batch that
# mixes sizes). With $3 = batch, long same-size lists use one call when its first column is exactly the
# input in order (each line depends on its number only); otherwise they too go one per call.
reference() {
  local in=$1 ref=$2 how=${3:-percall} nums=$T/ref.$$.nums
  grep -v '^[[:space:]]*#' "$in" | tr -s ' \t' '\n' | grep -v '^$' >"$nums"
  if [ "$how" = batch ] && factor <"$nums" >"$ref" && cut -d: -f1 "$ref" | cmp -s - "$nums"; then
    rm -f "$nums"; return 0
  fi
  xargs -n 1 factor <"$nums" >"$ref"
  rm -f "$nums"
}

# The state and exit code of job $1 ("STATE RC"), from scontrol (no accounting on this cluster).
job_state() {
  scontrol -o show job "$1" 2>/dev/null \
    | sed -n 's/.*JobState=\([A-Z_]*\).*ExitCode=\([0-9]*\):.*/\1 \2/p'
}

# Waits until file $1 has at least $2 lines, giving up after $3 seconds or when job $4 ended.
wait_lines() {
  local f=$1 want=$2 t=$3 job=$4 i st
  for ((i = 0; i < t * 10; i++)); do
    [ -f "$f" ] && [ "$(wc -l <"$f")" -ge "$want" ] && return 0
    if ((i % 10 == 0)); then
      st=$(job_state "$job")
      case $st in COMPLETED* | FAILED* | CANCELLED* | TIMEOUT* | NODE_FAIL*) return 1 ;; esac
    fi
    sleep 0.1
  done
  return 1
}

# Starts `sbatch --wait ARGS` in the background; sets bg_pid and job (the job id), 0 once submitted.
submit_bg() {
  local out=$T/work/submit.$RANDOM i
  timeout 180 sbatch --wait "$@" >"$out" 2>"$out.err" &
  bg_pid=$!
  job=
  for ((i = 0; i < 100; i++)); do
    job=$(sed -n 's/^Submitted batch job \([0-9]*\).*/\1/p' "$out" 2>/dev/null)
    [ -n "$job" ] && return 0
    kill -0 "$bg_pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$out.err" >&2
  return 1
}

# Waits up to $2 seconds until job $1 has been requeued at least once and then ended; prints its exit code.
# (sbatch --wait is not used across a requeue: it may see the requeue's transient CANCELLED state and return.)
wait_requeued_job() {
  local job=$1 t=$2 i line st restarts
  for ((i = 0; i < t * 4; i++)); do
    line=$(scontrol -o show job "$job" 2>/dev/null)
    st=$(sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' <<<"$line")
    restarts=$(sed -n 's/.*Restarts=\([0-9]*\).*/\1/p' <<<"$line")
    # Not `scontrol update StartTime=now` to skip the requeue delay: started before the old credential
    # expires, the job is killed ("Job credential revoked"). cluster.sh sets cred_expire=10: an 11 s delay.
    if [ "${restarts:-0}" -ge 1 ]; then
      case $st in
        COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY)
          sed -n 's/.*ExitCode=\([0-9]*\):.*/\1/p' <<<"$line"; return 0 ;;
      esac
    fi
    sleep 0.25
  done
  echo timeout
  return 1
}

# Numbers per second of one rank on this machine for 50-bit semiprimes, so that the interrupted jobs
# run long enough to be interrupted but not much longer, whatever the CPU (AVX-512 or not). Prints two
# rates: by wall-clock time (what the jobs below will see, other people's load on the shared cores
# included) and by CPU time (user + system: this CPU unloaded, the safe one for a job that must outlast
# the time-limit warning: sized by the wall-clock rate under load it finished first).
calibrate() {
  local n=25 f=$T/work/calib.txt t0 t1 cpu ms TIMEFORMAT='%3U %3S'
  while :; do
    python3 "$root/jobs/gen_numbers.py" --count "$n" --bits 50 --seed 11 >"$f"
    t0=$(date +%s%N)
    cpu=$({ time "$bin" --no-progress -o "$f.out" "$f" >/dev/null 2>&1; } 2>&1) || return 1
    t1=$(date +%s%N)
    ms=$(awk '{ printf "%d", ($1 + $2) * 1000 }' <<<"$cpu")
    # Leave out ~0.4 s of start-up from small runs' time only when the run is long enough to tell.
    if [ $((t1 - t0)) -gt 800000000 ] || [ "$n" -ge 3200 ]; then
      echo "$((n * 1000000000 / (t1 - t0))) $((n * 1000 / (ms > 0 ? ms : 1)))"
      return 0
    fi
    n=$((n * 4))
  done
}

# --- the cluster -----------------------------------------------------------------------------------
mkdir -p "$T/work"
if slurm_cluster_start "$T/cluster" 2 && slurm_cluster_wait_idle "$T/cluster" 30; then
  pass "cluster: munged, slurmctld, slurmd n1 n2 up and idle ($(sinfo -h -o '%D nodes %c cpus/node' | head -n 1))"
else
  fail "cluster did not come up"
  exit 1
fi
W=$T/work

# --- the long workload for the interruption tests ----------------------------------------------------
read -r rate cpu_rate < <(calibrate || echo 0 0)
if [ "${rate:-0}" -le 0 ]; then
  fail "calibration run of build/mpifactor failed"
  rate=100
fi
# About 6 s of work for the 2-rank jobs below (start-up excluded), a fifth of it before the interrupt.
count=$((rate * 2 * 6))
[ "$count" -ge 400 ] || count=400
[ "$count" -le 40000 ] || count=40000
long=$W/long.txt
python3 jobs/gen_numbers.py --count "$count" --bits 50 --seed 3 >"$long"
reference "$long" "$W/long.ref" batch
echo "tests/slurm: interruption workload: $count semiprimes of two 25-bit primes (1 rank: ~$rate numbers/s)"
interrupt_at=$((count / 5))

# --- 0. the real time-limit warning, in the background on one CPU of n2 --------------------------------
# --time=1 with --signal=B:USR1@50: Slurm's periodic time-limit check (about every 30 s) sends USR1 to
# the batch shell some 10-40 s in; the job must stop with exit 3 and a correct prefix of the results.
# Sized for ~90 s of one rank's work (at the unloaded CPU-time rate) so it cannot finish first; it
# overlaps the tests below.
# 54-bit semiprimes cost about 4 times the 50-bit ones the rate was measured on.
[ "${cpu_rate:-0}" -ge "$rate" ] || cpu_rate=$rate
tl_count=$((cpu_rate * 90 / 4))
[ "$tl_count" -ge 200 ] || tl_count=200
[ "$tl_count" -le 40000 ] || tl_count=40000
python3 jobs/gen_numbers.py --count "$tl_count" --bits 54 --seed 4 >"$W/tl.txt"
tl_ok=1
submit_bg -w n2 -n 1 --time=1 --signal=B:USR1@50 -o "$W/tl-%j.log" jobs/mpifactor.sbatch "$W/tl.txt" "$W/tl.out" \
  || tl_ok=0
tl_pid=$bg_pid
tl_job=$job
reference "$W/tl.txt" "$W/tl.ref" batch

# --- 1. a plain job across both nodes --------------------------------------------------------------
if timeout 60 sbatch --wait -N 2 -n 2 -o "$W/hello-%j.log" --wrap 'srun hostname' >/dev/null \
  && [ "$(cat "$W"/hello-*.log | wc -l)" -eq 2 ]; then
  pass "sbatch --wait of a 2-node hostname job"
else
  fail "sbatch --wait of a 2-node hostname job: $(cat "$W"/hello-*.log 2>/dev/null | head -n 5)"
fi

# --- 2. mpifactor.sbatch on a mixed input, 3 tasks over 2 nodes, binary found from the submit dir ---
mixed=$here/mixed.txt
reference "$mixed" "$W/mixed.ref"
rc=0
(cd "$root" && timeout 120 sbatch --wait -N 2 -n 3 --time=5 -o "$W/mixed-%j.log" \
  jobs/mpifactor.sbatch "$mixed" "$W/mixed.out" >"$W/mixed.submit") || rc=$?
jid=$(sed -n 's/^Submitted batch job \([0-9]*\).*/\1/p' "$W/mixed.submit")
if [ "$rc" -eq 0 ] && cmp -s "$W/mixed.out" "$W/mixed.ref"; then
  pass "mpifactor.sbatch -N 2 -n 3: mixed input (small, 2^64 edges, >64-bit) equals GNU factor"
else
  fail "mpifactor.sbatch mixed input: sbatch exit $rc, output $(cmp "$W/mixed.out" "$W/mixed.ref" 2>&1 || true)"
  tail -n 20 "$W"/mixed-*.log 2>/dev/null
fi
runtxt=$W/mixed.out.run.txt
if [ -f "$runtxt" ] && grep -q "^job_id: $jid\$" "$runtxt" && grep -q '^nodes: n\[1-2\]$' "$runtxt" \
  && grep -q "^version: $("$bin" -V | head -n 1)\$" "$runtxt" \
  && grep -q '^command: srun --mpi=pmix .*--checkpoint .*mixed.out.ckpt' "$runtxt" \
  && grep -q '^== .* end: exit 0$' "$runtxt"; then
  pass "OUTPUT.run.txt records job id, node list n[1-2], version, srun --mpi=pmix command with --checkpoint, exit"
else
  fail "OUTPUT.run.txt incomplete:"; cat "$runtxt" 2>/dev/null
fi

# --- 3. the same script by hand, without Slurm: mpirun fallback ------------------------------------
rc=0
MPIFACTOR_NP=2 timeout 60 bash jobs/mpifactor.sbatch "$mixed" "$W/local.out" >"$W/local.log" 2>&1 || rc=$?
if [ "$rc" -eq 0 ] && cmp -s "$W/local.out" "$W/mixed.ref" && grep -q '^command: mpirun -np 2 ' "$W/local.out.run.txt"; then
  pass "bash jobs/mpifactor.sbatch outside Slurm runs mpirun -np 2 and matches GNU factor"
else
  fail "bash jobs/mpifactor.sbatch outside Slurm: exit $rc"; tail -n 20 "$W/local.log"
fi

# Runs the interruption scenario $1 (usr1 | requeue | selfrequeue) on $W/$1.out; see the cases below.
interrupted() {
  local name=$1 out=$W/$1.out st rc lines=0 restarts
  local -a env_args=()
  # shellcheck disable=SC2054  # one sbatch argument with commas
  [ "$name" = selfrequeue ] && env_args=(--export=ALL,MPIFACTOR_REQUEUE=1)
  rm -f "$out" "$out".*
  bg_pid=
  if [ "$name" = usr1 ]; then
    submit_bg -N 1 -n 2 --time=5 -o "$W/$name-%j.log" jobs/mpifactor.sbatch "$long" "$out" || job=
  else
    job=$(sbatch --parsable -N 1 -n 2 --time=5 "${env_args[@]}" -o "$W/$name-%j.log" \
      jobs/mpifactor.sbatch "$long" "$out") || job=
  fi
  if [ -z "$job" ]; then
    fail "$name: submission failed"; return
  fi
  if ! wait_lines "$out" "$interrupt_at" 90 "$job"; then
    lines=$(wc -l <"$out" 2>/dev/null || echo 0)
    st=$(job_state "$job")
    case $st in
      COMPLETED*) fail "$name: job $job finished before it could be interrupted: test workload too short (test bug)" ;;
      *) fail "$name: job $job has $lines of $count results, not $interrupt_at, and is ${st:-gone} (log: $W/$name-$job.log)" ;;
    esac
    [ -z "$bg_pid" ] || wait "$bg_pid"
    return
  fi
  case $name in
    usr1 | selfrequeue) scancel --signal=USR1 --batch "$job" ;;
    requeue) scontrol requeue "$job" ;;
  esac
  if [ "$name" = usr1 ]; then
    # The step stops, the job exits 3 with part of the output; a resubmission finishes it.
    rc=0; wait "$bg_pid" || rc=$?
    lines=$(wc -l <"$out")
    if [ "$rc" -eq 3 ] && [ "$lines" -lt "$count" ] && grep -q 'end: exit 3$' "$out.run.txt"; then
      pass "usr1: scancel --signal=USR1 --batch stopped job $job with exit 3 after $lines of $count results"
    else
      fail "usr1: job $job: sbatch --wait exit $rc (want 3), $lines of $count results (want fewer)"
      return
    fi
    rc=0
    timeout 180 sbatch --wait -N 1 -n 2 --time=5 -o "$W/$name-%j.log" jobs/mpifactor.sbatch "$long" "$out" \
      >/dev/null || rc=$?
    if [ "$rc" -eq 0 ] && cmp -s "$out" "$W/long.ref"; then
      pass "usr1: the resubmitted job resumed and its output equals the uninterrupted result (GNU factor)"
    else
      fail "usr1: resubmission exit $rc, output $(cmp "$out" "$W/long.ref" 2>&1 || true)"
    fi
    return
  fi
  # requeue / selfrequeue: the same job starts again by itself.
  rc=$(wait_requeued_job "$job" 150)
  lines=$(wc -l <"$out")
  restarts=$(scontrol -o show job "$job" 2>/dev/null | sed -n 's/.*Restarts=\([0-9]*\).*/\1/p')
  if [ "$rc" = 0 ] && [ "${restarts:-0}" -ge 1 ] && cmp -s "$out" "$W/long.ref" \
    && grep -q 'end: exit 3$' "$out.run.txt" && grep -q "(restart 1)" "$out.run.txt"; then
    case $name in
      requeue) pass "requeue: scontrol requeue of running job $job; it restarted, resumed and equals GNU factor" ;;
      *) pass "selfrequeue: USR1 warning with MPIFACTOR_REQUEUE=1 made job $job requeue itself; resumed output equals GNU factor" ;;
    esac
  else
    fail "$name: job $job: exit $rc, restarts ${restarts:-?}, $lines of $count results, output $(cmp "$out" "$W/long.ref" 2>&1 || true)"
    cat "$out.run.txt" 2>/dev/null
    tail -n 20 "$W/$name"-*.log 2>/dev/null
  fi
}
interrupted usr1
interrupted requeue
interrupted selfrequeue

# --- the time-limit job from 0. ----------------------------------------------------------------------
if [ "$tl_ok" -eq 1 ]; then
  rc=0; wait "$tl_pid" || rc=$?
  lines=$(wc -l <"$W/tl.out" 2>/dev/null || echo 0)
  if [ "$rc" -eq 3 ] && [ "$lines" -gt 0 ] && [ "$lines" -lt "$tl_count" ] \
    && head -n "$lines" "$W/tl.ref" | cmp -s - "$W/tl.out" && grep -q 'got SIGUSR1' "$W/tl-$tl_job.log"; then
    pass "time limit: --time=1 --signal=B:USR1@50 stopped job $tl_job with exit 3 after $lines of $tl_count correct results"
  else
    fail "time limit: job $tl_job: sbatch --wait exit $rc (want 3), $lines of $tl_count results; log:"
    tail -n 10 "$W/tl-$tl_job.log" 2>/dev/null
  fi
else
  fail "time limit: submission failed"
fi

# --- retries after a rank's death (jobs/mpifactor.sbatch, MPIFACTOR_RETRIES) ---------------------------
# About 12 s of work on 4 tasks over both nodes (2 per node; this host's cores are shared, so 2 tasks on one
# node compute as fast as 4 on two). Uninterrupted once for the reference time, then three jobs each hit
# halfway, when the checkpoint records half the lines: a worker rank SIGKILLed, rank 0 SIGKILLed, node n2
# set DOWN (allocated with --no-kill). Each must end COMPLETED with output identical to GNU factor, its retry
# started within 15 s of the death (death_check), its attempts in OUTPUT.run.txt.
# Sized at the unloaded CPU-time rate: a rate measured while the machine was busy once made these jobs so short
# (3 s) that they ended before the test could kill a task.
d_count=$((cpu_rate * 2 * 12))
[ "$d_count" -ge 400 ] || d_count=400
[ "$d_count" -le 40000 ] || d_count=40000
death=$W/death.txt
python3 jobs/gen_numbers.py --count "$d_count" --bits 50 --seed 5 >"$death"
reference "$death" "$W/death.ref" batch
d_half=$((d_count / 2))

# SIGKILL to task $2 (SLURM_PROCID) of job $1, found through /proc/PID/environ; 0 when one was killed.
kill_task() {
  local p env killed=1
  for p in $(pgrep -x mpifactor); do
    env=$(tr '\0' '\n' 2>/dev/null <"/proc/$p/environ") || continue
    if grep -qx "SLURM_JOB_ID=$1" <<<"$env" && grep -qx "SLURM_PROCID=$2" <<<"$env"; then
      kill -KILL "$p" && killed=0
    fi
  done
  return $killed
}
# The lines done in checkpoint $1 (its last whole record; 0 when none).
ckpt_done() { grep -aE '^done [0-9]+ [0-9]+ [0-9a-f]{8}$' "$1" 2>/dev/null | tail -n 1 | cut -d' ' -f2 | grep . || echo 0; }
# Waits up to $2 seconds until checkpoint $1 records at least $3 lines done; 1 when job $4 ended first.
wait_done() {
  local ck=$1 t=$2 want=$3 job=$4 i st
  for ((i = 0; i < t * 10; i++)); do
    [ "$(ckpt_done "$ck")" -ge "$want" ] && return 0
    if ((i % 10 == 0)); then
      st=$(job_state "$job")
      case $st in COMPLETED* | FAILED* | CANCELLED* | TIMEOUT* | NODE_FAIL*) return 1 ;; esac
    fi
    sleep 0.1
  done
  return 1
}

# death_job NAME HOW: HOW = none (reference run), task2 (a worker on n2), task0 (rank 0 on n1), node (n2 DOWN).
death_job() {
  local name=$1 how=$2 out=$W/death-$1.out t0 t1 rc=0 st batch_host rt extra=()
  rm -f "$out" "$out".*
  [ "$how" = node ] && extra=(--no-kill)
  t0=$(date +%s%N)
  submit_bg "${extra[@]}" -N 2 -n 4 --time=5 -o "$W/death-$name-%j.log" jobs/mpifactor.sbatch "$death" "$out" \
    || { fail "$name: submission failed"; return 1; }
  if [ "$how" != none ]; then
    if ! wait_done "$out.ckpt" 120 "$d_half" "$job"; then
      fail "$name: job $job ended or stalled before half of $d_count lines were done (test workload too short?)"
      wait "$bg_pid"; return 1
    fi
    d_kill=$(date +%s) # the death, for the retry's delay (death_check)
    case $how in
      task2) kill_task "$job" 2 || fail "$name: no task 2 of job $job to kill" ;;
      task0) kill_task "$job" 0 || fail "$name: no task 0 of job $job to kill" ;;
      node)
        batch_host=$(scontrol -o show job "$job" | sed -n 's/.* BatchHost=\([^ ]*\).*/\1/p')
        [ "$batch_host" = n1 ] || fail "$name: batch host is ${batch_host:-?}, not n1"
        scontrol update nodename=n2 state=down reason=test || fail "$name: scontrol update n2 state=down failed" ;;
    esac
  fi
  wait "$bg_pid" || rc=$?
  t1=$(date +%s%N)
  st=$(job_state "$job")
  d_elapsed=$(((t1 - t0) / 1000000))
  rt=$out.run.txt
  if [ "$rc" -ne 0 ] || ! cmp -s "$out" "$W/death.ref" || { [ -n "$st" ] && [ "${st%% *}" != COMPLETED ]; }; then
    fail "$name: job $job: sbatch --wait exit $rc, state ${st:-gone}, output $(cmp "$out" "$W/death.ref" 2>&1 || true)"
    cat "$rt" 2>/dev/null; tail -n 20 "$W/death-$name-$job.log" 2>/dev/null
    return 1
  fi
  return 0
}
# restores n2 after the node test (ReturnToService=2 may have done it already) and waits for both idle
restore_n2() {
  scontrol update nodename=n2 state=resume 2>/dev/null || true
  slurm_cluster_wait_idle "$T/cluster" 30 >/dev/null 2>&1 || true
}

if death_job plain none; then
  d_ref_ms=$d_elapsed
  pass "death reference: $d_count semiprimes, -N 2 -n 4, uninterrupted in $((d_ref_ms / 1000)).$((d_ref_ms % 1000 / 100)) s, equals GNU factor"
else
  d_ref_ms=30000
fi
# death_check NAME WHAT PATTERN...: after death_job NAME, the run record's lines, and how soon the retry started:
# within 15 s of the death (Slurm's kill of the step, srun's exit, the retry's start; no time limit or timeout
# waited out). Not the job's total time: that depends on how fast this machine runs at the moment, which varies
# (a 24 s reference run, then deaths whose first attempt reached half the lines in 15 and 19 s).
# The death the test caused ends attempt N, the first attempt to end after it; PATTERNs are written for N = 1
# ("attempt 1", "retry 1 of") and are matched for N. An attempt before N may only have died on its own, before
# any line was done; the pass line names it. (CI once saw task 2 segfault inside Open MPI's MPI_Init, in its TCP
# transport's event loop, 2 s into attempt 1: retry.sh ran the step again, and the death caused later ended
# attempt 2.)
death_check() {
  local name=$1 what=$2 rt=$W/death-$1.out.run.txt p n=0 k when early=""; shift 2
  while read -r k when; do
    if [ "$(date -d "$when" +%s 2>/dev/null || echo 0)" -ge $((d_kill - 1)) ]; then n=$k; break; fi
    early="$early [attempt $k died on its own before the test's death: $(sed -n "s/^attempt $k: [^ ]* exit/exit/p" "$rt")]"
  done < <(sed -n 's/^attempt \([0-9]*\): \([^ ]*\) exit .*/\1 \2/p' "$rt")
  [ "$n" -ge 1 ] || { fail "$name: no attempt in $rt ended after the test's death:"; cat "$rt"; return; }
  for ((k = 1; k < n; k++)); do
    grep -Eq "^attempt $k: .* exit [0-9]+, lines done 0 -> 0: rank death: " "$rt" \
      || { fail "$name: attempt $k, before the test's death, did not die at 0 lines done:"; cat "$rt"; return; }
  done
  for p in "^attempt $n: .* exit 13[0-9], lines done 0 -> [1-9][0-9]*: rank death: " "$@" \
    "^attempt $((n + 1)): .* exit 0, lines done [1-9][0-9]* -> $d_count: finished \\(exit 0\\)\$" '^== .* end: exit 0$'; do
    p=${p/#^attempt 1: /^attempt $n: }
    p=${p/#^retry 1 of /^retry $n of }
    grep -Eq "$p" "$rt" || { fail "$name: $rt lacks /$p/:"; cat "$rt"; return; }
  done
  local a2 delay
  a2=$(sed -n "s/^attempt $((n + 1)): \([^ ]*\) lines done.*/\1/p" "$rt")
  delay=$(($(date -d "$a2" +%s 2>/dev/null || echo 0) - d_kill))
  if [ -n "$a2" ] && [ "$delay" -le 15 ]; then
    pass "$name: $what; the retry started $delay s after the death, job COMPLETED in $((d_elapsed / 1000)).$((d_elapsed % 1000 / 100)) s (uninterrupted $((d_ref_ms / 1000)).$((d_ref_ms % 1000 / 100)) s), output equals GNU factor, attempts in the run record$early"
  else
    fail "$name: $what; the retry started ${delay} s after the death (at most 15 s)"; cat "$rt"
  fi
}
if death_job worker task2; then
  death_check worker "worker task 2 (on n2) SIGKILLed halfway, the step retried" \
    '^attempt 1: .*rank death: n2: task 2: Killed \(exit 137\)$' '^retry 1 of 3 from '
fi
if death_job rank0 task0; then
  death_check rank0 "rank 0 (on n1) SIGKILLed halfway, the step retried" \
    '^attempt 1: .*rank death: n1: task 0: Killed \(exit 137\)$' '^retry 1 of 3 from '
fi
if death_job node node; then
  death_check node "node n2 set DOWN halfway (--no-kill), the retry ran on n1 alone" \
    '^attempt 1: .*rank death: Node failure on n2 ' '^retry: nodes gone: n2 \(.*\); running on n1 with 2 tasks$' \
    '^command: srun --mpi=pmix -N 1 -n 2 -w n1 '
fi
restore_n2

# --- 4. a tiny strong-scaling sweep in one allocation ------------------------------------------------
sc=$W/scaling
rc=0
(cd "$root" && timeout 180 sbatch --wait -N 1 -n 2 --time=5 -o "$W/scaling-%j.log" \
  jobs/scaling.sbatch strong --ranks "1 2" --numbers 300 --bits 40 --out "$sc" >/dev/null) || rc=$?
header=mode,ranks,nodes,numbers,wall_s,numbers_per_s,speedup,efficiency,busy_share_mean,busy_share_min,run_s,launcher,schedule
if [ "$rc" -eq 0 ] && [ "$(head -n 1 "$sc/scaling.csv" 2>/dev/null)" = "$header" ] \
  && [ "$(tail -n +2 "$sc/scaling.csv" | cut -d, -f1,2,4 | tr '\n' ' ')" = "strong,1,300 strong,2,300 " ] \
  && awk -F, 'NR > 1 && (NF != 13 || $5 <= 0 || $6 <= 0 || $9 < 0 || $9 > 1.05) { bad = 1 } NR == 2 && $7 != 1 { bad = 1 }
              END { exit bad }' "$sc/scaling.csv"; then
  pass "scaling.sbatch strong --ranks \"1 2\": scaling.csv has the columns and one sane row per rank count"
else
  fail "scaling.sbatch: exit $rc"; cat "$sc/scaling.csv" 2>/dev/null; tail -n 20 "$W"/scaling-*.log 2>/dev/null
fi
if [ "$(head -c 8 "$sc/scaling.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
  pass "scaling.sbatch wrote a PNG plot"
else
  fail "no PNG at $sc/scaling.png"
fi
if grep -q "^version: $("$bin" -V | head -n 1)\$" "$sc/meta.txt" 2>/dev/null \
  && grep -Eq '^input .* sha256 [0-9a-f]{64}$' "$sc/meta.txt" && grep -q '^command: ' "$sc/meta.txt"; then
  pass "scaling meta.txt records the command, mpifactor -V and the input's sha256"
else
  fail "scaling meta.txt incomplete"; cat "$sc/meta.txt" 2>/dev/null
fi

# --- 5. README.md's Slurm and Installing commands, verbatim, on nodes of 16 CPUs ------------------------
# The README submits 32 tasks on 2 nodes: the cluster comes back with 16-CPU nodes (config_overrides; 32
# ranks on this host's cores, so sized small). Submitted from a view of the repository root (jobs/ and build/
# linked) holding numbers.txt, as the README says; the Installing block runs in a login-like shell with Lmod.
slurm_cluster_stop "$T/cluster"
if slurm_cluster_start "$T/cluster" 2 16 && slurm_cluster_wait_idle "$T/cluster" 30; then
  pass "cluster restarted with nodes of 16 CPUs for the README's commands ($(sinfo -h -o '%D nodes %c cpus/node' | head -n 1))"
  rd=$W/readme
  mkdir -p "$rd" && ln -s "$root/jobs" "$rd/jobs" && ln -s "$root/build" "$rd/build"
  python3 tests/integration/gen_numbers.py mixed 200 7 >"$rd/numbers.txt"
  reference "$rd/numbers.txt" "$rd/numbers.ref"
  # submitted JOB_ID OUT: waits (up to 180 s) for the job named in `sbatch` output OUT to leave the queue;
  # 0 when its run record says it ended with exit 0
  submitted() {
    local job i
    job=$(sed -n 's/^Submitted batch job \([0-9]*\)$/\1/p' "$1")
    [ -n "$job" ] || return 1
    for ((i = 0; i < 360; i++)); do
      [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
      sleep 0.5
    done
    [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && grep -q '^== .* end: exit 0$' "$2"
  }
  (cd "$rd" && sbatch -N 2 -n 32 --time=04:00:00 jobs/mpifactor.sbatch numbers.txt factors.txt) >"$rd/s1.out" 2>&1
  if submitted "$rd/s1.out" "$rd/factors.txt.run.txt" && cmp -s "$rd/numbers.ref" "$rd/factors.txt" \
    && grep -q '^where: slurm job .* 32 tasks on n\[1-2\]$' "$rd/factors.txt.run.txt"; then
    pass "README: sbatch -N 2 -n 32 --time=04:00:00 jobs/mpifactor.sbatch numbers.txt factors.txt: 32 tasks on n[1-2], factors.txt equals GNU factor"
  else
    fail "README: sbatch -N 2 -n 32 jobs/mpifactor.sbatch: $(cat "$rd/s1.out")"; cat "$rd/factors.txt.run.txt" 2>/dev/null
  fi
  (cd "$rd" && sbatch -n 8 --export=ALL,MPIFACTOR_REQUEUE=1 jobs/mpifactor.sbatch numbers.txt factors.csv -f csv) >"$rd/s2.out" 2>&1
  if submitted "$rd/s2.out" "$rd/factors.csv.run.txt" && [ "$(head -n 1 "$rd/factors.csv")" = number,factors,complete,cofactor ] \
    && tail -n +2 "$rd/factors.csv" | awk -F, '{ print $1 ":" ($2 == "" ? "" : " " $2) }' | cmp -s "$rd/numbers.ref" -; then
    pass "README: sbatch -n 8 --export=ALL,MPIFACTOR_REQUEUE=1 jobs/mpifactor.sbatch numbers.txt factors.csv -f csv: the CSV carries GNU factor's factors"
  else
    fail "README: sbatch -n 8 ... -f csv: $(cat "$rd/s2.out")"; head -n 3 "$rd/factors.csv" 2>/dev/null
  fi
  # Installing: into /opt/mpifactor/0.1.0 as written, unless something is there already (not ours to clobber)
  if [ -e /opt/mpifactor/0.1.0 ]; then
    echo "SKIP: README Installing block: /opt/mpifactor/0.1.0 exists already"
  elif ! "$root/tests/lib/install-deps.sh" lmod man-db groff-base >"$rd/deps.log" 2>&1; then
    fail "install lmod man-db groff-base"; tail -n 5 "$rd/deps.log"
  else
    lmod_init=$(dpkg -L lmod 2>/dev/null | grep -m 1 '/lmod/init/profile$')
    rm -f "$rd/factors.txt" "$rd/factors.txt.run.txt" "$rd/factors.txt.ckpt"
    (cd "$root" && make install PREFIX=/opt/mpifactor/0.1.0) >"$rd/install.log" 2>&1 || echo "make install failed" >>"$rd/install.log"
    # a login-like shell (Lmod's init is not written for set -u), then the README's lines as they are
    (cd "$rd" && env -i PATH="$PATH" HOME="$HOME" SLURM_CONF="$SLURM_CONF" OMPI_MCA_btl="$OMPI_MCA_btl" \
      LMOD_INIT="${lmod_init:-/etc/profile.d/lmod.sh}" bash --noprofile --norc -e -s) >"$rd/s3.out" 2>&1 <<'README'
source "$LMOD_INIT"
module use /opt/mpifactor/0.1.0/share/modulefiles
module load mpifactor
man mpifactor
sbatch -n 32 $MPIFACTOR_JOBS/mpifactor.sbatch numbers.txt factors.txt
README
    # waits for the job first: uninstalling under a running job would fail it
    if submitted "$rd/s3.out" "$rd/factors.txt.run.txt" && ! grep -q 'make install failed' "$rd/install.log" \
      && grep -q '^NAME' "$rd/s3.out" && grep -q 'factorize integers by trial division' "$rd/s3.out" \
      && cmp -s "$rd/numbers.ref" "$rd/factors.txt" \
      && grep -q '^command: srun --mpi=pmix /opt/mpifactor/0.1.0/bin/mpifactor ' "$rd/factors.txt.run.txt"; then
      pass "README Installing: make install PREFIX=/opt/mpifactor/0.1.0, module use, module load mpifactor, man mpifactor, sbatch -n 32 \$MPIFACTOR_JOBS/mpifactor.sbatch: the installed binary's factors equal GNU factor"
    else
      fail "README Installing block"; tail -n 5 "$rd/install.log"; tail -n 5 "$rd/s3.out"; cat "$rd/factors.txt.run.txt" 2>/dev/null
    fi
    # the tree was not there before: uninstall, then the folders install made
    (cd "$root" && make uninstall PREFIX=/opt/mpifactor/0.1.0) >/dev/null 2>&1
    find /opt/mpifactor/0.1.0 -depth -type d -empty -delete 2>/dev/null
    rmdir /opt/mpifactor 2>/dev/null || true
  fi
else
  fail "cluster did not come back with 16-CPU nodes"
fi

# --- 6. teardown ------------------------------------------------------------------------------------
daemon_pids=$(cat "$T"/cluster/run/*.pid "$T/cluster/munge/munged.pid" 2>/dev/null)
slurm_cluster_stop "$T/cluster"
still_alive=
for p in $daemon_pids; do kill -0 "$p" 2>/dev/null && still_alive="$still_alive $p"; done
if [ -z "$still_alive" ]; then
  pass "daemons stopped by their pid files"
else
  fail "daemons still alive:$still_alive"
fi
echo "tests/slurm: $(($(date +%s) - t_start)) s"
summary
[ "$failed" -eq 0 ]
