#!/usr/bin/env bash
# Runs an mpifactor command again from its checkpoint while it ends by a rank's death (workstation, no Slurm).
#
#   jobs/retry.sh [--] mpirun -np 4 build/mpifactor --checkpoint out.ckpt -o out.txt numbers.txt
#
# - Open MPI aborts the whole run when one rank dies (OOM killer, segfault, kill -9); the checkpoint keeps
#   every committed result, so the same command continues. This script reruns it, up to MPIFACTOR_RETRIES
#   times (default 3), while the run ends by a rank's death: a rank killed by a signal as mpirun or srun
#   reports it, or an exit status above 128 (jobs/retry-lib.sh says exactly what counts).
# - Every other end is final and not retried: 0 done, 1 invalid input, 2 usage/IO, 3 interrupted (a signal
#   or --time-limit: the run is being stopped), 4 --verify failed, 5 internal, any other status.
# - The command must use --checkpoint FILE (mpifactor's rule: with -o FILE and input files).
# - Each attempt is logged on stderr: "retry.sh: attempt K: lines done B -> A; REASON".
# - TERM, INT and USR1 to this script are passed to the command as USR1 (a clean, resumable stop, exit 3)
#   and end the retries.
# Exit status: the command's last status (after giving up: the status of the last death, above 128);
# 2 for a usage error of this script.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=jobs/retry-lib.sh
. "$here/retry-lib.sh"
MF_RETRY_NAME=retry.sh

usage() {
  echo "usage: jobs/retry.sh [--] COMMAND... (an mpifactor run with --checkpoint FILE, e.g. mpirun -np 4 mpifactor --checkpoint c -o out in)" >&2
  exit 2
}
[ "${1:-}" = -- ] && shift
[ $# -ge 1 ] || usage
case $1 in -h | --help) usage ;; esac
retries=${MPIFACTOR_RETRIES:-3}
case $retries in '' | *[!0-9]*)
  echo "retry.sh: MPIFACTOR_RETRIES must be a whole number, not '$retries'" >&2; exit 2 ;;
esac
if ! ckpt=$(mf_retry_checkpoint_of "$@"); then
  echo "retry.sh: the command must use --checkpoint FILE (with -o FILE): a retry resumes from it" >&2
  exit 2
fi

log=$(mktemp "${TMPDIR:-/tmp}/mf-retry-log.XXXXXX") || exit 2
trap 'rm -f "$log"' EXIT
mf_retry_trap_signals
attempt=0
while :; do
  attempt=$((attempt + 1))
  before=$(mf_retry_done "$ckpt")
  mf_retry_run_step "$log" "$@"
  rc=$mf_step_rc
  after=$(mf_retry_done "$ckpt")
  if ! mf_retry_classify "$rc" "$log" "$((mf_step_stopped | mf_stop_requested))"; then
    echo "retry.sh: attempt $attempt: lines done $before -> $after; $mf_retry_reason" >&2
    exit "$rc"
  fi
  if [ "$attempt" -gt "$retries" ]; then
    echo "retry.sh: attempt $attempt: lines done $before -> $after; $mf_retry_reason" >&2
    echo "retry.sh: giving up after $retries retries (MPIFACTOR_RETRIES): the run died $attempt times." \
      "$ckpt records $after lines done: run the same command again to resume." >&2
    exit "$rc"
  fi
  echo "retry.sh: attempt $attempt: lines done $before -> $after; $mf_retry_reason; retry $attempt of $retries" >&2
  if [ "$mf_stop_requested" -eq 1 ]; then # a stop request between the attempts: interrupted, not retried
    echo "retry.sh: asked to stop before retry $attempt: exit 3 ($ckpt records $after lines done)" >&2
    exit 3
  fi
done
