#!/usr/bin/env bash
# Runs a command as an MPI rank on a host of its own name (for tests of node leaders on one machine):
# MF_RANKS_PER_NODE consecutive ranks (or as MF_NODE_OF_RANK says) share a host name "fakenode<k>" in a UTS namespace of their own (root:
# unshare --uts), so mpifactor, which tells nodes apart by their host names, sees several nodes. Only the name
# differs: the ranks still share memory and the machine's network.
# usage (under mpirun): fake-node.sh COMMAND [ARG...]
set -euo pipefail
rank=${OMPI_COMM_WORLD_RANK:?fake-node.sh runs under Open MPI mpirun}
per=${MF_RANKS_PER_NODE:-2}
node=$((rank / per))
if [ -n "${MF_NODE_OF_RANK:-}" ]; then # or each rank's node by rank, e.g. "0 1 1 1": rank 0 alone, a node of three
  read -r -a nodes <<<"$MF_NODE_OF_RANK"
  node=${nodes[$rank]:?MF_NODE_OF_RANK names no node for rank $rank}
fi
# shellcheck disable=SC2016 # $1 and $@ are the inner shell's
exec unshare --uts bash -c 'hostname "$1" && shift && exec "$@"' bash "fakenode$node" "$@"
