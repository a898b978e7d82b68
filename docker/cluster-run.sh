#!/bin/sh
# Runs mpifactor across the virtual cluster from the head: rank 0 (the master) here, the other ranks on the
# workers over ssh. Arguments go to mpifactor; its exit status is returned (5 when a worker is unreachable).
#
# MPIFACTOR_WORKERS  worker host names (default: every worker registered in /cluster/hosts)
# MPIFACTOR_SLOTS    ranks per worker (default: the worker's nproc, asked over ssh)
# MPIFACTOR_SSH_WAIT_S  how long to wait for each named worker's sshd (default 60)
set -eu

registry=/cluster/hosts

# Prints the address to reach worker $1: its name when DNS knows it, else what it registered.
address() {
  if getent hosts "$1" >/dev/null 2>&1; then
    echo "$1"
  elif [ -s "$registry/$1" ]; then
    cat "$registry/$1"
  else
    return 1
  fi
}

if [ -n "${MPIFACTOR_WORKERS:-}" ]; then
  workers=$MPIFACTOR_WORKERS
  wait_s=${MPIFACTOR_SSH_WAIT_S:-60}
else
  workers=$(ls "$registry" 2>/dev/null || true)
  wait_s=${MPIFACTOR_SSH_WAIT_S:-10}
fi

hostfile=$(mktemp /tmp/mpifactor-hosts.XXXXXX)
trap 'rm -f "$hostfile"' EXIT
echo "$(hostname) slots=1" >"$hostfile"
np=1
used="$(hostname):1"
for w in $workers; do
  waited=0
  until addr=$(address "$w") && slots=$(ssh -n -o ConnectTimeout=5 -o BatchMode=yes "$addr" nproc 2>/dev/null); do
    if [ "$waited" -ge "$wait_s" ]; then
      if [ -n "${MPIFACTOR_WORKERS:-}" ]; then
        echo "mpifactor-cluster-run: cannot reach $w over ssh (port 2222) after ${waited} s" >&2
        exit 5
      fi
      echo "mpifactor-cluster-run: skipping registered worker $w: no answer (stale entry in $registry?)" >&2
      continue 2
    fi
    sleep 1
    waited=$((waited + 1))
  done
  slots=${MPIFACTOR_SLOTS:-$slots}
  echo "$addr slots=$slots" >>"$hostfile"
  np=$((np + slots))
  used="$used $w:$slots"
done
echo "mpifactor-cluster-run: $np ranks on $used" >&2

# The entrypoint runs mpirun, turns SIGTERM/SIGINT into a clean stop (exit 3) and removes the hostfile.
trap - EXIT
MPIFACTOR_NP=$np MPIFACTOR_HOSTFILE=$hostfile MPIFACTOR_HOSTFILE_REMOVE=1 \
  exec /usr/local/bin/mpifactor-entrypoint "$@"
