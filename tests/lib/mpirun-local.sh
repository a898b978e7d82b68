#!/usr/bin/env bash
# Runs mpirun on this machine for tests and `make run`: allows root (as CI runs) and oversubscription.
set -euo pipefail
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
exec mpirun --oversubscribe "$@"
