#!/usr/bin/env bash
# Starts and stops a private throw-away Slurm cluster (munged, slurmctld, one slurmd per fake node) under one directory.
#
#   tests/slurm/cluster.sh start DIR [NODES [CPUS]]  # NODES fake nodes n1..nN on this host (default 2) of CPUS
#                                                    # CPUs each (default this host's, at least 2); needs root
#   tests/slurm/cluster.sh stop DIR            # stops the daemons started in DIR by their pid files
#   export SLURM_CONF=DIR/slurm.conf           # then sbatch/srun/squeue/sinfo talk to that cluster
#
# Everything lives under DIR: slurm.conf, a private munge key and socket, state, spool, logs, pid files.
# Tuned for tests: cred_expire=10 (a requeued job waits 11 s, not 121 s, before it starts again; read at
# daemon start only) and MinJobAge=4 (sbatch --wait then polls every 2 s; finished jobs vanish after ~4 s).
# Nothing touches /etc/slurm or a system munged, so it can run beside a real cluster and be re-run.
# Sourced (". tests/slurm/cluster.sh") it only defines the functions slurm_cluster_start/_stop/_wait_idle.

# Prints a TCP port nobody listens on (bind to port 0 and read back what the kernel chose).
slurm_cluster_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits up to $2 seconds (default 20) for the pid file $1 to name a live process; 0 when it does.
slurm_cluster_wait_pidfile() {
  local f=$1 t=${2:-20} i
  for ((i = 0; i < t * 10; i++)); do
    if [ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

# Writes DIR/slurm.conf and starts munged, slurmctld and NODES slurmd of CPUS CPUs each under DIR (CPUS
# defaults to this host's cores; config_overrides lets a node claim more, as a real cluster's nodes have).
# Returns 0 once the daemons run (call slurm_cluster_wait_idle next), non-zero with a message otherwise.
slurm_cluster_start() {
  local dir=$1 nodes=${2:-2} cpus=${3:-}
  local host ctld_port i
  [ "$(id -u)" -eq 0 ] || { echo "cluster.sh: starting slurmd needs root" >&2; return 1; }
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  host=$(hostname -s)
  [ -n "$cpus" ] || cpus=$(nproc)
  [ "$cpus" -ge 2 ] || cpus=2 # the tests ask for 2 tasks per node; config_overrides lets a 1-core host say so
  # munge runs as its own user: it must reach its key, socket and log under DIR.
  chmod 755 "$dir"
  mkdir -p "$dir/munge" "$dir/state" "$dir/log" "$dir/run"
  chown munge:munge "$dir/munge"
  chmod 700 "$dir/munge"
  runuser -u munge -- test -w "$dir/munge" \
    || { echo "cluster.sh: user munge cannot reach $dir/munge (a parent directory is not searchable?)" >&2; return 1; }
  if [ ! -s "$dir/munge/munge.key" ]; then
    runuser -u munge -- mungekey --create --keyfile="$dir/munge/munge.key" >/dev/null
  fi
  runuser -u munge -- /usr/sbin/munged --force \
    --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" \
    --seed-file="$dir/munge/munged.seed" \
    || { echo "cluster.sh: munged did not start (log: $dir/munge/munged.log)" >&2; return 1; }
  slurm_cluster_wait_pidfile "$dir/munge/munged.pid" 10 \
    || { echo "cluster.sh: munged did not write its pid file" >&2; return 1; }

  ctld_port=$(slurm_cluster_free_port)
  cat >"$dir/slurm.conf" <<EOF
# Private test cluster written by tests/slurm/cluster.sh; lives and dies with $dir
ClusterName=mftest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket,cred_expire=10
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=pmix
ReturnToService=2
SlurmdParameters=config_overrides
KillWait=10
MinJobAge=4
StateSaveLocation=$dir/state
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdPidFile=$dir/run/slurmd.%n.pid
SlurmdSpoolDir=$dir/spool.%n
SlurmdLogFile=$dir/log/slurmd.%n.log
TmpFS=$dir/tmp.%n
EOF
  # Fake nodes share this host: one slurmd port each.
  for ((i = 1; i <= nodes; i++)); do
    echo "NodeName=n$i NodeHostname=$host NodeAddr=127.0.0.1 Port=$(slurm_cluster_free_port) CPUs=$cpus RealMemory=1000 State=UNKNOWN"
  done >>"$dir/slurm.conf"
  echo "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO" >>"$dir/slurm.conf"
  for ((i = 1; i <= nodes; i++)); do mkdir -p "$dir/spool.n$i" "$dir/tmp.n$i"; done
  export SLURM_CONF=$dir/slurm.conf
  slurmctld -f "$dir/slurm.conf" \
    || { echo "cluster.sh: slurmctld did not start (log: $dir/log/slurmctld.log)" >&2; return 1; }
  slurm_cluster_wait_pidfile "$dir/run/slurmctld.pid" 20 \
    || { echo "cluster.sh: slurmctld did not write its pid file (log: $dir/log/slurmctld.log)" >&2; return 1; }
  for ((i = 1; i <= nodes; i++)); do
    slurmd -f "$dir/slurm.conf" -N "n$i" \
      || { echo "cluster.sh: slurmd n$i did not start (log: $dir/log/slurmd.n$i.log)" >&2; return 1; }
    slurm_cluster_wait_pidfile "$dir/run/slurmd.n$i.pid" 20 \
      || { echo "cluster.sh: slurmd n$i did not write its pid file" >&2; return 1; }
  done
}

# Waits up to $2 seconds (default 30) until every node of the cluster in DIR $1 is idle.
slurm_cluster_wait_idle() {
  local dir=$1 t=${2:-30} i states
  for ((i = 0; i < t * 4; i++)); do
    states=$(SLURM_CONF=$dir/slurm.conf timeout 5 sinfo -h -N -o '%T' 2>/dev/null | sort -u | tr '\n' ' ')
    [ "$states" = "idle " ] && return 0
    sleep 0.25
  done
  echo "cluster.sh: nodes not idle after ${t}s: ${states:-no answer}" >&2
  return 1
}

# Stops what slurm_cluster_start started in DIR: cancels jobs, then TERM by pid file, KILL after 10 s.
slurm_cluster_stop() {
  local dir=$1 f pid pids=() i
  [ -d "$dir" ] || return 0
  if [ -f "$dir/run/slurmctld.pid" ]; then
    SLURM_CONF=$dir/slurm.conf timeout 5 scancel --full --quiet --user="$(id -un)" 2>/dev/null || true
  fi
  for f in "$dir"/run/slurmd.*.pid "$dir/run/slurmctld.pid" "$dir/munge/munged.pid"; do
    [ -s "$f" ] || continue
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
    fi
  done
  for ((i = 0; i < 100; i++)); do
    local alive=()
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
    [ ${#alive[@]} -eq 0 ] && return 0
    sleep 0.1
  done
  for pid in "${alive[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    start) [ $# -ge 2 ] || { echo "usage: $0 start DIR [NODES [CPUS]]" >&2; exit 2; }
      slurm_cluster_start "$2" "${3:-2}" "${4:-}"
      slurm_cluster_wait_idle "$2" 30
      echo "export SLURM_CONF=$(cd "$2" && pwd)/slurm.conf" ;;
    stop) [ $# -ge 2 ] || { echo "usage: $0 stop DIR" >&2; exit 2; }
      slurm_cluster_stop "$2" ;;
    *) echo "usage: $0 start DIR [NODES [CPUS]] | stop DIR" >&2; exit 2 ;;
  esac
fi
