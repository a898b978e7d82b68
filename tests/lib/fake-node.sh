#!/usr/bin/env bash
# Runs a command as an MPI rank on a host of its own name (for tests of node leaders on one machine):
# MF_RANKS_PER_NODE consecutive ranks share a host name "fakenode<k>" in a UTS namespace of their own (root:
# unshare --uts), so mpifactor, which tells nodes apart by their host names, sees several nodes. Only the name
# differs: the ranks still share memory and the machine's network.
# usage (under mpirun): fake-node.sh COMMAND [ARG...]
set -euo pipefail
rank=${OMPI_COMM_WORLD_RANK:?fake-node.sh runs under Open MPI mpirun}
per=${MF_RANKS_PER_NODE:-2}
# shellcheck disable=SC2016 # $1 and $@ are the inner shell's
exec unshare --uts bash -c 'hostname "$1" && shift && exec "$@"' bash "fakenode$((rank / per))" "$@"
