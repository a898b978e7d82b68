#!/usr/bin/env bash
# Runs mpirun on this machine for tests and `make run`: allows root (as CI runs), oversubscription, ob1.
set -euo pipefail
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# One host: the ob1 messaging layer starts ~0.2 s faster than Open MPI's default probing of cm/ucx.
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1}
exec mpirun --oversubscribe "$@"
