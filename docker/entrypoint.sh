#!/bin/sh
# Container entrypoint: runs mpifactor under mpirun on all cores the container may use, passing every argument
# through, and returns mpifactor's exit status (0 ok, 1 invalid input, 2 usage/IO, 3 interrupted, ...).
#
# MPIFACTOR_NP        rank count (default: nproc, at least 2 so there is a worker beside the master)
# MPIFACTOR_HOSTFILE  Open MPI hostfile for runs across hosts (set by mpifactor-cluster-run, which also sets
#                     MPIFACTOR_HOSTFILE_REMOVE=1: delete it at the end)
#
# `docker stop` (SIGTERM) and Ctrl-C (SIGINT) reach mpirun as SIGUSR1, which mpirun forwards to every rank:
# mpifactor then stops cleanly and exits 3 (resumable with --checkpoint). SIGTERM to mpirun itself would abort
# the job and exit 1, which reads like "invalid input".
set -u

np="${MPIFACTOR_NP:-$(nproc)}"
case "$np" in
  ''|*[!0-9]*) echo "mpifactor-entrypoint: MPIFACTOR_NP must be a positive integer, got '$np'" >&2; exit 2 ;;
esac
[ "$np" -ge 2 ] || np=2

# Open MPI refuses root; inside a container started with --user 0 that is a deliberate choice.
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi

set -- -np "$np" --oversubscribe --bind-to none -q /usr/local/bin/mpifactor "$@"
if [ -n "${MPIFACTOR_HOSTFILE:-}" ]; then
  set -- --hostfile "$MPIFACTOR_HOSTFILE" "$@"
fi

# A background job gets /dev/null as stdin unless told otherwise: hand it the real one through fd 3. setsid
# keeps a terminal's Ctrl-C away from mpirun (it would abort the job); this shell turns it into SIGUSR1.
pid=
interrupted=0
trap 'interrupted=1; [ -z "$pid" ] || kill -USR1 "$pid" 2>/dev/null' TERM INT
exec 3<&0
setsid mpirun "$@" <&3 3<&- &
pid=$!
exec 3<&-

# wait returns early when a trapped signal arrives: wait again until mpirun has really ended. A second wait
# that finds mpirun already collected (127, a signal that came just after it ended) keeps the first status.
again=0
last=0
while :; do
  interrupted=0
  status=0
  wait "$pid" || status=$?
  if [ "$again" -eq 1 ] && [ "$status" -eq 127 ]; then status=$last; break; fi
  [ "$interrupted" -eq 1 ] || break
  again=1
  last=$status
done
if [ -n "${MPIFACTOR_HOSTFILE:-}" ] && [ "${MPIFACTOR_HOSTFILE_REMOVE:-0}" = 1 ]; then
  rm -f "$MPIFACTOR_HOSTFILE"
fi
exit "$status"
