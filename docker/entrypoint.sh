#!/bin/sh
# Container entrypoint: runs mpifactor on all cores the container may use, passing every argument through.
#
# MPIFACTOR_NP overrides the rank count (default: nproc, at least 2 so there is a worker beside the master).
# mpirun's exit status is mpifactor's (0 ok, 1 invalid input, 2 usage/IO, 3 interrupted, ...; see README).
set -eu

np="${MPIFACTOR_NP:-$(nproc)}"
case "$np" in
  ''|*[!0-9]*) echo "mpifactor-entrypoint: MPIFACTOR_NP must be a positive integer, got '$np'" >&2; exit 2 ;;
esac
[ "$np" -ge 2 ] || np=2

# Open MPI refuses root; inside a container started with --user 0 that is a deliberate choice.
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi

exec mpirun -np "$np" --oversubscribe --bind-to none -q /usr/local/bin/mpifactor "$@"
