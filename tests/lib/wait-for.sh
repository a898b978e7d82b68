# Event waits for the shell suites (source this file): a test that signals, kills or pauses a run waits here for
# shellcheck shell=bash
# something the run did (a checkpoint record, output lines) instead of sleeping a fixed time, which a fast CPU
# outruns. Each wait polls every 0.05 s, gives up after a generous limit and says why on stderr.

# mf_ckpt_done CKPT: prints N of the last complete record "done N BYTES CHECK" in checkpoint CKPT (0 if none yet).
mf_ckpt_done() {
  awk '$1 == "done" && NF == 4 && $2 ~ /^[0-9]+$/ && $3 ~ /^[0-9]+$/ && length($4) == 8 && $4 ~ /^[0-9a-f]+$/ { n = $2 }
       END { print n + 0 }' "$1" 2>/dev/null || echo 0
}

# mf_wait_done CKPT MIN MAX PID [LIMIT_S]: waits until checkpoint CKPT records N >= MIN numbers done, then prints
# N. Returns 0 when also N <= MAX (the run is still inside the part that must be in progress); 1 with a message
# on stderr when N is past MAX, when process PID ended first, or after LIMIT_S seconds (default 60).
mf_wait_done() {
  local ck=$1 min=$2 max=$3 pid=$4 limit=${5:-60} n end
  end=$((EPOCHSECONDS + limit))
  while :; do
    n=$(mf_ckpt_done "$ck")
    if [ "$n" -ge "$min" ]; then
      echo "$n"
      [ "$n" -le "$max" ] && return 0
      echo "wait: $ck records $n numbers done, past $max: the run got beyond the part that had to be in progress" >&2
      return 1
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "wait: the run (pid $pid) ended before $ck recorded $min numbers done (it holds $n)" >&2
      return 1
    fi
    if [ "$EPOCHSECONDS" -ge "$end" ]; then
      echo "wait: $ck recorded only $n numbers done after $limit s (want $min)" >&2
      return 1
    fi
    sleep 0.05
  done
}

# mf_wait_lines FILE K PID [LIMIT_S]: waits until FILE has at least K lines; prints the count. Returns 0, or 1 with
# a message on stderr when process PID ended first or after LIMIT_S seconds (default 60).
mf_wait_lines() {
  local f=$1 want=$2 pid=$3 limit=${4:-60} n end
  end=$((EPOCHSECONDS + limit))
  while :; do
    n=$(wc -l <"$f" 2>/dev/null || echo 0)
    if [ "$n" -ge "$want" ]; then echo "$n"; return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "wait: the run (pid $pid) ended with $n lines in $f (want $want)" >&2
      return 1
    fi
    if [ "$EPOCHSECONDS" -ge "$end" ]; then
      echo "wait: $f has only $n lines after $limit s (want $want)" >&2
      return 1
    fi
    sleep 0.05
  done
}

# mf_rank_pid PID RANK: prints the pid of the MPI process of rank RANK among the descendants of PID (mpirun, or a
# process above it), found by OMPI_COMM_WORLD_RANK in its environment; returns 1 when there is none.
mf_rank_pid() {
  local todo=("$1") p c
  while [ ${#todo[@]} -gt 0 ]; do
    p=${todo[0]}
    todo=("${todo[@]:1}")
    for c in $(pgrep -P "$p"); do
      if tr '\0' '\n' <"/proc/$c/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$2"; then
        echo "$c"
        return 0
      fi
      todo+=("$c")
    done
  done
  return 1
}
