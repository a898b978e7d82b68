# shellcheck shell=bash disable=SC2034  # sets variables for the scripts that source it
# Shared by jobs/retry.sh and jobs/mpifactor.sbatch (sourced, bash): run one mpifactor step, tell a rank's
# death (retry from the checkpoint) from every other end (final), read the checkpoint's progress.
# Safe under `set -euo pipefail`: only mf_retry_classify and mf_retry_checkpoint_of return non-zero, as answers.
#
# A rank's death, as the launchers report it (Open MPI 4.1 mpirun, Slurm 22.05 srun):
#   mpirun  "mpirun noticed that process rank N with PID P on node H exited on signal S (Name)."; mpirun
#           then stops the other ranks and exits 128+S.
#   srun    "srun: error: NODE: task N: Killed" (or "Segmentation fault", "Aborted", ... : any task line
#           but "Exited with exit code C"), "srun: error: Node failure on NODE"; exit 128+S. srun does not
#           stop the other ranks (they wait for the dead one forever), and with --kill-on-bad-exit=1 they
#           sit out Slurm's KillWait (30 s by default): mpifactor.sbatch kills them through
#           mf_retry_kill_stuck as soon as the death shows.
#   either  an exit status above 128 that this shell did not cause (no TERM/INT/USR1 was forwarded).
# Not a death: 0 (done), "Primary job terminated normally, but 1 process returned a non-zero exit code"
# with mpifactor's own status (1 invalid input, 2 usage/IO, 3 interrupted, 4 verify, 5 internal, or any
# other status a newer mpifactor defines), and everything after this shell was asked to stop.

# Prints the checkpoint path given in the mpifactor arguments "$@" (--checkpoint F or --checkpoint=F);
# prints nothing and returns 1 when there is none.
mf_retry_checkpoint_of() {
  local a want=0
  for a in "$@"; do
    if [ "$want" -eq 1 ]; then printf '%s\n' "$a"; return 0; fi
    case $a in
      --checkpoint) want=1 ;;
      --checkpoint=*) printf '%s\n' "${a#--checkpoint=}"; return 0 ;;
    esac
  done
  return 1
}

# Prints how many input lines checkpoint $1 records as done: N of its last whole "done N BYTES CHECK"
# record (include/mf_checkpoint.h), 0 when the file or a record is missing. A torn last record (a
# process killed while writing it) is skipped here as mpifactor skips it.
mf_retry_done() {
  local n
  n=$(grep -aE '^done [0-9]+ [0-9]+ [0-9a-f]{8}$' "$1" 2>/dev/null | tail -n 1 | cut -d' ' -f2) || n=0
  echo "${n:-0}"
}

# The lines of a step's stderr that tell a rank's death (see the top of this file).
MF_RETRY_DEATH_RE='exited on signal [0-9]+|^srun: error: Node failure on |^srun: error: [^ ]+: tasks? [0-9,-]+: '
MF_RETRY_NOT_DEATH_RE=': tasks? [0-9,-]+: Exited with exit code '

# Prints the evidence of a rank's death in stderr log $1 (one line), nothing when there is none.
mf_retry_death_line() {
  { grep -aE "$MF_RETRY_DEATH_RE" "$1" 2>/dev/null | grep -avE "$MF_RETRY_NOT_DEATH_RE" | head -n 1 \
    | sed -E 's/^srun: error: //; s/[.]$//'; } || true
}

# Classifies the end of a step: $1 its exit status, $2 its stderr log, $3 1 when this shell forwarded a
# stop request (TERM/INT/USR1) to it. Sets mf_retry_reason to a one-line description and returns 0 when
# the step ended by a rank's death (run it again from the checkpoint), 1 when the end is final.
mf_retry_classify() {
  local rc=$1 log=$2 stopped=${3:-0} line
  mf_retry_reason=
  if [ "$stopped" -eq 1 ]; then
    mf_retry_reason="asked to stop (exit $rc): not retried"
    return 1
  fi
  if [ "$rc" -eq 0 ]; then
    mf_retry_reason="finished (exit 0)"
    return 1
  fi
  line=$(mf_retry_death_line "$log")
  if [ -n "$line" ]; then
    mf_retry_reason="rank death: $line (exit $rc)"
    return 0
  fi
  if [ "$rc" -gt 128 ]; then
    mf_retry_reason="rank death: the launcher ended by signal $((rc - 128)) (exit $rc)"
    return 0
  fi
  case $rc in
    1) mf_retry_reason="invalid input seen (exit 1): final" ;;
    2) mf_retry_reason="usage or I/O error (exit 2): final" ;;
    3) mf_retry_reason="interrupted (exit 3): final, the job is being stopped" ;;
    4) mf_retry_reason="--verify found a wrong factorization (exit 4): final" ;;
    *) mf_retry_reason="exit $rc: final" ;;
  esac
  return 1
}

# Ends a step that still runs after a rank's death; called with the launcher's pid. The default, TERM to
# the launcher, suits mpirun (which ends by itself anyway and on TERM kills its ranks before it exits);
# mpifactor.sbatch redefines it for srun.
mf_retry_kill_stuck() { kill -TERM "$1" 2>/dev/null || true; }

# Whole seconds a step may go on after its stderr showed a rank's death before it is killed (srun).
MF_RETRY_DEATH_GRACE=${MPIFACTOR_DEATH_GRACE:-2}
case $MF_RETRY_DEATH_GRACE in '' | *[!0-9]*) MF_RETRY_DEATH_GRACE=2 ;; esac

# Installs the traps that pass TERM, INT and USR1 sent to this shell on to the running step as USR1
# (mpifactor treats USR1 like TERM; mpirun passes USR1 on to its ranks, TERM would make it kill them).
# Call once, before the first mf_retry_run_step. A signal also sets mf_stop_requested (and, for USR1,
# Slurm's time-limit warning, mf_stop_warned): no step is started or retried after it.
mf_retry_trap_signals() {
  mf_stop_requested=0
  mf_stop_warned=0
  mf_step_pid=
  trap '_mf_retry_forward USR1' USR1
  trap '_mf_retry_forward TERM' TERM
  trap '_mf_retry_forward INT' INT
  trap '_mf_retry_forward HUP' HUP
}

# Runs "$@" as one step: stdout passes through, stderr goes to this shell's stderr and to log $1 (replaced).
# When the log shows a rank's death and the step has not ended MF_RETRY_DEATH_GRACE seconds later,
# mf_retry_kill_stuck is called. Sets mf_step_rc (the step's exit status) and mf_step_stopped (1 when a
# stop was forwarded to it).
mf_retry_run_step() {
  local log=$1 fifo dir tee_pid watch_pid rc status=0
  shift
  mf_step_stopped=0
  dir=$(mktemp -d "${TMPDIR:-/tmp}/mf-retry.XXXXXX") || { mf_step_rc=2; return 0; }
  fifo=$dir/stderr
  mkfifo "$fifo" || { rm -rf "$dir"; mf_step_rc=2; return 0; }
  : >"$log"
  # Deaf to the stop signals (ignored dispositions survive exec): scancel and a terminal's Ctrl-C signal
  # every process of the job or group, and a dead tee would kill the ranks with SIGPIPE as they report.
  (trap '' TERM INT USR1 HUP; exec tee -a "$log" <"$fifo" >&2) &
  tee_pid=$!
  # Outside Slurm, a session of its own (setsid runs the launcher in place: this shell has no job control, so
  # the child is no group leader and $! stays the launcher's pid): a terminal's Ctrl-C then reaches this shell
  # only, and the launcher gets USR1 from it (mpirun kills its ranks on INT). Inside Slurm the step stays where
  # Slurm tracks it.
  if [ -z "${SLURM_JOB_ID:-}" ] && command -v setsid >/dev/null; then
    setsid "$@" 2>"$fifo" &
  else
    "$@" 2>"$fifo" &
  fi
  mf_step_pid=$!
  _mf_retry_watch "$log" "$mf_step_pid" &
  watch_pid=$!
  while :; do
    _mf_caught=0
    if wait "$mf_step_pid"; then rc=0; else rc=$?; fi
    # A trapped signal makes wait return early (>128) while the step still runs: wait again.
    if [ "$_mf_caught" -eq 1 ] && [ "$rc" -gt 128 ] && kill -0 "$mf_step_pid" 2>/dev/null; then
      status=$rc; continue
    fi
    # 127: no such child, the step ended just as a signal arrived; keep what wait said then.
    if [ "$rc" -ne 127 ] || [ "$status" -le 128 ]; then status=$rc; fi
    break
  done
  mf_step_pid=
  kill "$watch_pid" 2>/dev/null || true
  wait "$watch_pid" 2>/dev/null || true
  wait "$tee_pid" 2>/dev/null || true
  rm -rf "$dir"
  mf_step_rc=$status
  return 0
}

# shellcheck disable=SC2317  # called from the traps above
_mf_retry_forward() {
  _mf_caught=1
  mf_stop_requested=1
  [ "$1" = USR1 ] && mf_stop_warned=1
  echo "${MF_RETRY_NAME:-retry}: got SIG$1, asking the step to stop (resumable)" >&2
  if [ -n "$mf_step_pid" ]; then
    mf_step_stopped=1
    kill -USR1 "$mf_step_pid" 2>/dev/null || true
  fi
}

# Watches log $1 of step pid $2 (in the background): after a rank's death shows there, gives the step
# MF_RETRY_DEATH_GRACE seconds to end and then calls mf_retry_kill_stuck.
_mf_retry_watch() {
  local log=$1 pid=$2 i
  trap - USR1 TERM INT
  while kill -0 "$pid" 2>/dev/null; do
    if [ -n "$(mf_retry_death_line "$log")" ]; then
      for ((i = 0; i < MF_RETRY_DEATH_GRACE * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
      done
      echo "${MF_RETRY_NAME:-retry}: a rank died and the step still runs ${MF_RETRY_DEATH_GRACE} s later: ending it" >&2
      mf_retry_kill_stuck "$pid"
      return 0
    fi
    sleep 0.2
  done
}
