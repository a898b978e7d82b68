#!/usr/bin/env bash
# Multi-host test: three test hosts (network namespaces on a private bridge), mpirun across them over TCP.
# Needs root (namespaces); prints SKIP otherwise. See tests/multihost/README.md for how the hosts are built.
# Environment: MPIFACTOR (binary, default build/mpifactor), MFMH_SEED (input seed), MFMH_TIMEOUT (s per mpirun),
# MFMH_KEEP=1 keeps the work directory (logs, inputs) for inspection.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=${MPIFACTOR:-$repo/build/mpifactor}
seed=${MFMH_SEED:-20240601}
limit=${MFMH_TIMEOUT:-60}
quick=15                        # seconds within which a failing job must have ended
subnet=10.0.0.0/24              # README.md's example subnet: its commands run here as written; the
                                # addresses exist only inside the test namespaces
tag=mfmh$$                      # unique per run: namespaces, hostnames and bridge links carry it
bridge_ns=$tag-br
host_ns=("$tag-h1" "$tag-h2" "$tag-h3")
host_ip=(10.0.0.1 10.0.0.2 10.0.0.3)
work=
writer_pid=
fuse_mounts=()                  # bindfs mounts of case (f), unmounted by teardown
passed=0
failed=0
skipped=0

pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
summary() {
  if [ "$skipped" -gt 0 ]; then
    echo "multihost: $passed passed, $failed failed, $skipped skipped"
  else
    echo "multihost: $passed passed, $failed failed"
  fi
}
skip_all() { echo "SKIP: $*"; skipped=1; summary; exit 0; }

if [ "$(id -u)" -ne 0 ]; then
  skip_all "multihost needs root to create network namespaces"
fi
if ! "$repo/tests/lib/install-deps.sh" iproute2 util-linux coreutils openmpi-bin bindfs; then
  fail "could not install iproute2 util-linux coreutils openmpi-bin bindfs"; summary; exit 1
fi
if ! command -v python3 >/dev/null && ! "$repo/tests/lib/install-deps.sh" python3; then
  fail "could not install python3"; summary; exit 1
fi
if [ ! -x "$bin" ]; then
  fail "$bin is missing: run make first"; summary; exit 1
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# ns_exists NS: true when the named network namespace exists.
ns_exists() { [ -e "/run/netns/$1" ]; }

# ns_procs: pids of all processes inside the test hosts' namespaces (empty when none).
ns_procs() {
  local ns
  for ns in "${host_ns[@]}" "$bridge_ns"; do
    ns_exists "$ns" && ip netns pids "$ns"
  done
}

# teardown: kills what runs inside the test hosts, deletes the namespaces (with them veths and bridge)
# and the work directory. Idempotent; runs on every exit.
teardown() {
  local ns pids
  if [ -n "$writer_pid" ]; then kill "$writer_pid" 2>/dev/null; writer_pid=; fi
  pids=$(ns_procs)
  # shellcheck disable=SC2086 # one pid per word
  [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
  for ns in "${host_ns[@]}" "$bridge_ns"; do
    ns_exists "$ns" && ip netns del "$ns"
  done
  for m in "${fuse_mounts[@]}"; do # before the work directory goes: rm must not walk through a mount
    mountpoint -q "$m" && { umount "$m" 2>/dev/null || umount -l "$m"; }
  done
  fuse_mounts=()
  if [ -n "$work" ] && [ -d "$work" ] && [ "${MFMH_KEEP:-0}" != 1 ]; then rm -rf "$work"; fi
}
trap teardown EXIT
trap 'fail "interrupted by a signal"; summary; exit 130' INT TERM HUP

# A namespace of ours can only exist if a run with this same pid was killed with SIGKILL: remove it.
teardown
links_before=$(ip -o link show | awk -F': ' '{print $2}' | sort)

# The bridge lives in a namespace of its own. If even that fails we are root without the rights
# for namespaces (an unprivileged container): skip rather than fail.
if ! ip netns add "$bridge_ns" 2>/dev/null; then
  skip_all "cannot create network namespaces here (ip netns add failed)"
fi

# setup_hosts: bridge $tag-br in $bridge_ns; per host a namespace with lo and eth0 (10.0.0.N/24),
# eth0's veth peer plugged into the bridge. Nothing is created in the root namespace.
setup_hosts() {
  local i ns
  ip -n "$bridge_ns" link add "${tag}br" type bridge || return 1
  ip -n "$bridge_ns" link set "${tag}br" up || return 1
  for i in 0 1 2; do
    ns=${host_ns[$i]}
    ip netns add "$ns" || return 1
    ip -n "$bridge_ns" link add "${tag}h$((i + 1))" type veth peer name eth0 netns "$ns" || return 1
    ip -n "$bridge_ns" link set "${tag}h$((i + 1))" master "${tag}br" up || return 1
    ip -n "$ns" link set lo up || return 1
    ip -n "$ns" addr add "${host_ip[$i]}/24" dev eth0 || return 1
    ip -n "$ns" link set eth0 up || return 1
  done
}
if ! setup_hosts; then
  fail "setting up the test hosts"; summary; exit 1
fi
work=$(mktemp -d /tmp/mfmh.XXXXXX)
mkdir -p "$work/tmp" "$work/shm"
# agent.sh looks hosts up here: hostfile address -> namespace (its hostname too)
# (and README.md's node1..node3, section (g))
export MFMH_HOSTMAP="${host_ip[0]}=${host_ns[0]} ${host_ip[1]}=${host_ns[1]} ${host_ip[2]}=${host_ns[2]}
  node1=${host_ns[0]} node2=${host_ns[1]} node3=${host_ns[2]}"
# Open MPI's session directories (and PMIx sockets) go under the work directory, not /tmp
export TMPDIR=$work/tmp
echo "multihost: hosts ${host_ns[*]} on $subnet (mpirun on ${host_ns[0]}), seed $seed, work dir $work"

# Hostfiles: "even" = 2 slots on each host; "split" = host 1 has one slot (the master alone),
# hosts 2 and 3 two each (workers only); "one" = one slot per host; "bad" adds a host the agent cannot reach.
printf '%s slots=2\n' "${host_ip[@]}" >"$work/hosts.even"
printf '%s slots=1\n%s slots=2\n%s slots=2\n' "${host_ip[@]}" >"$work/hosts.split"
printf '%s slots=1\n' "${host_ip[@]}" >"$work/hosts.one"
printf '%s slots=1\n10.0.0.99 slots=2\n' "${host_ip[0]}" >"$work/hosts.bad"

# run_job NAME HOSTFILE NP BTL ARG...: mpirun -np NP build/mpifactor ARG... on the test hosts, mpirun itself
# on host 1 (own hostname), under timeout. Output in $work/NAME.out and .err; the seconds it took in
# $work/NAME.secs. Returns mpirun's exit status (124/137 when timeout stopped it).
run_job() {
  local name=$1 hostfile=$2 np=$3 btl=$4 t0 rc
  shift 4
  t0=${EPOCHREALTIME/./}
  # with MFMH_VIEWS naming host 1, mpirun and host 1's ranks see that directory at $MFMH_VIEW (agent.sh: the others)
  local view=
  for pair in ${MFMH_VIEWS:-}; do
    case $pair in "${host_ns[0]}="*) view=${pair#*=} ;; esac
  done
  # shellcheck disable=SC2016 # $0/$1/$2/$@ are expanded by the inner sh
  timeout -k 5 "$limit" ip netns exec "${host_ns[0]}" unshare --uts ${view:+--mount --propagation private} \
    sh -c 'hostname "$0" && { [ -z "$1" ] || mount --bind "$1" "$2"; } && shift 2 && exec "$@"' "${host_ns[0]}" \
    "$view" "${MFMH_VIEW:-}" \
    mpirun --hostfile "$hostfile" -np "$np" --oversubscribe \
      --mca plm_rsh_agent "$here/agent.sh" \
      --mca btl "$btl" --mca btl_tcp_if_include "$subnet" --mca oob_tcp_if_include "$subnet" \
      --mca btl_vader_backing_directory "$work/shm" \
      "$bin" "$@" >"$work/$name.out" 2>"$work/$name.err" </dev/null
  rc=$?
  echo $(((${EPOCHREALTIME/./} - t0) / 1000)) | awk '{printf "%.1f\n", $1 / 1000}' >"$work/$name.secs"
  return $rc
}

# secs NAME: seconds job NAME took.
secs() { cat "$work/$1.secs"; }

# no_strays NAME: waits up to 10 s for every process on the test hosts to end; kills and reports leftovers.
no_strays() {
  local i pids
  for i in $(seq 50); do
    pids=$(ns_procs)
    [ -z "$pids" ] && return 0
    sleep 0.2
  done
  echo "  $1: processes left on the test hosts:"
  # shellcheck disable=SC2086 # one pid per word
  ps -o pid,etime,args -p "$(echo $pids | tr ' ' ',')" | sed 's/^/    /'
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null
  return 1
}

# show NAME: prints the tail of job NAME's stderr, for failures.
show() { sed -n '1,15p' "$work/$1.err" | sed 's/^/    stderr: /'; }

# expect_ok NAME RC EXPECTED: job NAME exited 0, its stdout equals file EXPECTED and nothing was left behind.
expect_ok() {
  local name=$1 rc=$2 expected=$3 ok=1
  if [ "$rc" -ne 0 ]; then echo "  $name: exit status $rc after $(secs "$name") s"; show "$name"; ok=0; fi
  if ! cmp -s "$work/$name.out" "$expected"; then
    echo "  $name: output differs from GNU factor (first differences):"
    diff "$expected" "$work/$name.out" | head -6 | cut -c1-160 | sed 's/^/    /'
    ok=0
  fi
  no_strays "$name" || ok=0
  [ $ok = 1 ]
}

# make_case KIND: input $work/KIND.in, one-per-line list $work/KIND.list and GNU factor's answer $work/KIND.expected
# (factor run once per number: coreutils 9.1 may reorder output when given many numbers at once).
make_case() {
  python3 "$here/numbers.py" "$1" "$seed" "$work/$1.list" "$work/$1.in" \
    && xargs -n 1 factor <"$work/$1.list" >"$work/$1.expected"
}
for kind in mixed few seven big; do
  make_case "$kind" || { fail "generating the $kind input"; summary; exit 1; }
done
mixed_count=$(wc -l <"$work/mixed.list")
big_count=$(wc -l <"$work/big.list")

# (a) 2 ranks per host, vader inside a host and TCP between hosts; text and jsonl.
run_job a-text "$work/hosts.even" 6 tcp,vader,self "$work/mixed.in"; rc=$?
if expect_ok a-text $rc "$work/mixed.expected"; then
  pass "(a) 6 ranks on 3 hosts, $mixed_count u64/bignum numbers equal GNU factor ($(secs a-text) s)"
else
  fail "(a) 6 ranks on 3 hosts, text output"
fi
run_job a-jsonl "$work/hosts.even" 6 tcp,vader,self --format jsonl -o "$work/a-jsonl.jsonl" "$work/mixed.in"; rc=$?
ok=1
if [ $rc -ne 0 ]; then echo "  a-jsonl: exit status $rc"; show a-jsonl; ok=0; fi
python3 "$here/checks.py" jsonl "$work/a-jsonl.jsonl" "$work/mixed.list" || ok=0
no_strays a-jsonl || ok=0
if [ $ok = 1 ]; then
  pass "(a) 6 ranks on 3 hosts, --format jsonl -o FILE parses and multiplies out ($(secs a-jsonl) s)"
else
  fail "(a) 6 ranks on 3 hosts, --format jsonl"
fi

# (b) master alone on host 1, workers only on hosts 2 and 3 (TCP only); --stats shows where ranks ran.
run_job b "$work/hosts.split" 5 tcp,self --stats "$work/b.stats.json" "$work/mixed.in"; rc=$?
ok=1
expect_ok b $rc "$work/mixed.expected" || ok=0
if [ -s "$work/b.stats.json" ]; then
  python3 "$here/checks.py" stats "$work/b.stats.json" 5 "$mixed_count" "${host_ns[0]}" \
    "${host_ns[1]},${host_ns[2]}" || ok=0
else
  echo "  b: no --stats file written"; ok=0
fi
if [ $ok = 1 ]; then
  pass "(b) master alone on ${host_ns[0]}, 4 workers on ${host_ns[1]} and ${host_ns[2]} ($(secs b) s)"
else
  fail "(b) workers-only hosts"
fi

# (c) more ranks than numbers / than work units, and no numbers at all.
run_job c-few "$work/hosts.even" 6 tcp,self "$work/few.in"; rc=$?
if expect_ok c-few $rc "$work/few.expected"; then
  pass "(c) 6 ranks, 3 numbers ($(secs c-few) s)"
else
  fail "(c) 6 ranks, 3 numbers"
fi
run_job c-units "$work/hosts.even" 6 tcp,self --unit-size 3 "$work/seven.in"; rc=$?
if expect_ok c-units $rc "$work/seven.expected"; then
  pass "(c) 6 ranks, 7 numbers in 3 units of --unit-size 3 ($(secs c-units) s)"
else
  fail "(c) 6 ranks, 3 work units"
fi
printf '# nothing but a comment\n' >"$work/empty.in"
: >"$work/empty.expected"
run_job c-empty "$work/hosts.even" 6 tcp,self "$work/empty.in"; rc=$?
if expect_ok c-empty $rc "$work/empty.expected"; then
  pass "(c) 6 ranks, no numbers: empty output ($(secs c-empty) s)"
else
  fail "(c) 6 ranks, no numbers"
fi

# (d) big work units: 16 numbers of 3000-40000 digits, 4 per unit (the largest units exceed TCP's
# 64 KiB eager limit), factored by one worker on host 2 and one on host 3 while the master sits on host 1.
run_job d "$work/hosts.one" 3 tcp,self --unit-size 4 --stats "$work/d.stats.json" "$work/big.in"; rc=$?
ok=1
expect_ok d $rc "$work/big.expected" || ok=0
if [ -s "$work/d.stats.json" ]; then
  python3 "$here/checks.py" stats "$work/d.stats.json" 3 "$big_count" "${host_ns[0]}" \
    "${host_ns[1]},${host_ns[2]}" || ok=0
else
  echo "  d: no --stats file written"; ok=0
fi
if [ $ok = 1 ]; then
  pass "(d) $big_count numbers of 3000-40000 digits ($(wc -c <"$work/big.list") bytes) in units of 4 on ${host_ns[1]} and ${host_ns[2]} ($(secs d) s)"
else
  fail "(d) big work units across hosts"
fi

# (e) failures end the whole multi-host job quickly, leaving nothing behind.
# A missing input file: exit status 2 (CONTRACT.md) from every host's view.
run_job e-missing "$work/hosts.even" 6 tcp,self "$work/no-such-file"; rc=$?
ok=1
if [ $rc -ne 2 ]; then echo "  e-missing: exit status $rc, CONTRACT.md says 2"; show e-missing; ok=0; fi
if awk -v s="$(secs e-missing)" -v q=$quick 'BEGIN { exit !(s > q) }'; then echo "  e-missing: took $(secs e-missing) s"; ok=0; fi
no_strays e-missing || ok=0
if [ $ok = 1 ]; then
  pass "(e) missing input file: exit 2 after $(secs e-missing) s, nothing left on the hosts"
else
  fail "(e) missing input file"
fi

# A host that cannot be reached (the agent fails for it): mpirun gives up, nothing is left.
run_job e-host "$work/hosts.bad" 3 tcp,self "$work/few.in"; rc=$?
ok=1
if [ $rc -eq 0 ] || [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
  echo "  e-host: exit status $rc after $(secs e-host) s"; show e-host; ok=0
fi
no_strays e-host || ok=0
if [ $ok = 1 ]; then
  pass "(e) unreachable host: mpirun exit $rc after $(secs e-host) s, nothing left on the hosts"
else
  fail "(e) unreachable host"
fi

# A worker on host 3 dies (SIGKILL) while the master waits for more input from a FIFO: the job must end.
mkfifo "$work/fifo.in"
(exec sleep 300 >"$work/fifo.in") &
writer_pid=$!
run_job e-kill "$work/hosts.even" 6 tcp,self "$work/fifo.in" &
job=$!
victim=
for _ in $(seq 100); do
  for pid in $(ip netns pids "${host_ns[2]}" 2>/dev/null); do
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$(basename "$bin" | cut -c1-15)" ] && victim=$pid && break
  done
  [ -n "$victim" ] && break
  sleep 0.1
done
ok=1
if [ -z "$victim" ]; then
  echo "  e-kill: no mpifactor process appeared on ${host_ns[2]}"; ok=0
  kill "$writer_pid" 2>/dev/null # end of input: lets the job finish
else
  sleep 0.5
  if ! kill -KILL "$victim" 2>/dev/null; then
    echo "  e-kill: the mpifactor rank on ${host_ns[2]} ended before it could be killed"; ok=0
  fi
fi
wait $job; rc=$?
kill "$writer_pid" 2>/dev/null; wait "$writer_pid" 2>/dev/null; writer_pid=
if [ $rc -eq 0 ] || awk -v s="$(secs e-kill)" -v q=$quick 'BEGIN { exit !(s > q) }'; then
  echo "  e-kill: exit status $rc after $(secs e-kill) s"; show e-kill; ok=0
fi
no_strays e-kill || ok=0
if [ $ok = 1 ]; then
  pass "(e) worker on ${host_ns[2]} killed: mpirun exit $rc after $(secs e-kill) s, nothing left on the hosts"
else
  fail "(e) killed remote worker"
fi

# (f) parallel I/O across the mounts of one shared directory, as on NFS or Lustre: every host sees the directory
# at one path ($work/view) through a bindfs FUSE mount of its own, so one file has another device number on each.
# Parallel I/O must turn itself on there (no option given) and stay off where a host sees a different directory.
mkdir -p "$work/shared" "$work/view" "$work/other" "$work/fuse1" "$work/fuse2" "$work/fuse3"
cp "$work/mixed.in" "$work/shared/in.txt"
ok=1
# No kernel caching of names and attributes: the test changes files in shared/ behind the mounts, and a mount
# that still holds a deleted out.txt in its cache answers open(O_CREAT) with ENOENT (seen in CI)
for i in 1 2 3; do
  if bindfs -o entry_timeout=0,attr_timeout=0,negative_timeout=0 "$work/shared" "$work/fuse$i"; then
    fuse_mounts+=("$work/fuse$i")
  else
    ok=0
  fi
done
devs=$(stat -c %d "$work/fuse1/in.txt" "$work/fuse2/in.txt" "$work/fuse3/in.txt" 2>/dev/null | sort -u | wc -l)
export MFMH_VIEW=$work/view
# pario_run NAME VIEW1 VIEW2 VIEW3 ARG...: job NAME on hosts.split (rank 0 alone on host 1, ranks 1-4 on hosts 2
# and 3), host N seeing VIEWN at $work/view; --stats NAME.stats.json, output into the view's out.txt.
pario_run() {
  local name=$1
  export MFMH_VIEWS="${host_ns[0]}=$2 ${host_ns[1]}=$3 ${host_ns[2]}=$4"
  shift 4
  run_job "$name" "$work/hosts.split" 5 tcp,self --stats "$work/$name.stats.json" -o "$work/view/out.txt" "$@"
  local rc=$?
  unset MFMH_VIEWS
  return $rc
}
# probes_left: hidden probe files left anywhere in the work directory (none after any run).
probes_left() { find "$work" -name '.mpifactor-probe-*' 2>/dev/null | wc -l; }
# pario_is NAME true|false: the --stats of job NAME says parallel_io was that.
pario_is() { grep -q "\"parallel_io\":$2" "$work/$1.stats.json" 2>/dev/null; }
# leaders_are NAME N: the --stats of job NAME count N node leaders, each on a host of its own (not rank 0's) that
# handed out units to its host's other ranks, which took their work from it and did some.
leaders_are() { python3 "$here/checks.py" leaders "$work/$1.stats.json" "$2"; }

if [ $ok = 0 ] || [ "$devs" -ne 3 ]; then
  fail "(f) setting up three bindfs mounts of one directory with three device numbers (got $devs)"
else
  pario_run f-shared "$work/fuse1" "$work/fuse2" "$work/fuse3" "$work/view/in.txt"; rc=$?
  ok=1
  cp "$work/shared/out.txt" "$work/f-shared.out" 2>/dev/null
  expect_ok f-shared $rc "$work/mixed.expected" || ok=0
  pario_is f-shared true || { echo "  f-shared: --stats parallel_io is not true"; ok=0; }
  leaders_are f-shared 2 || ok=0
  python3 "$here/checks.py" stats "$work/f-shared.stats.json" 5 "$mixed_count" "${host_ns[0]}" \
    "${host_ns[1]},${host_ns[2]}" || ok=0
  [ "$(probes_left)" -eq 0 ] || { echo "  f-shared: probe files left: $(find "$work" -name '.mpifactor-probe-*')"; ok=0; }
  if [ $ok = 1 ]; then
    pass "(f) one directory through 3 bindfs mounts (device numbers $(stat -c %d "$work"/fuse[123]/in.txt | xargs)): parallel I/O on by itself, a node leader on each of ${host_ns[1]} and ${host_ns[2]} served its host, workers there wrote, identical to GNU factor ($(secs f-shared) s)"
  else
    fail "(f) parallel I/O across mounts of one shared directory"
  fi

  # host 3 sees another directory at the same path, holding an input of the same name with other numbers
  cp "$work/few.in" "$work/other/in.txt"
  rm -f "$work/shared/out.txt"
  pario_run f-input "$work/fuse1" "$work/fuse2" "$work/other" "$work/view/in.txt"; rc=$?
  ok=1
  cp "$work/shared/out.txt" "$work/f-input.out" 2>/dev/null
  expect_ok f-input $rc "$work/mixed.expected" || ok=0
  pario_is f-input false || { echo "  f-input: --stats parallel_io is not false"; ok=0; }
  leaders_are f-input 0 || ok=0
  [ ! -e "$work/other/out.txt" ] || { echo "  f-input: host 3 wrote into its own directory"; ok=0; }
  [ ! -s "$work/f-input.err" ] || { echo "  f-input: messages on stderr"; show f-input; ok=0; }
  [ "$(probes_left)" -eq 0 ] || { echo "  f-input: probe files left"; ok=0; }
  if [ $ok = 1 ]; then
    pass "(f) ${host_ns[2]} sees another input at that path: parallel I/O stays off, rank 0's input factored, identical ($(secs f-input) s)"
  else
    fail "(f) another input on one host: parallel I/O off"
  fi

  # node leaders on two hosts: 4 ranks, 2 on each of hosts 1 and 2; rank 0 serves its host's other rank and host
  # 2's leader, which serves the other rank of host 2 (the second level, for real over TCP)
  rm -f "$work/shared/out.txt"
  export MFMH_VIEWS="${host_ns[0]}=$work/fuse1 ${host_ns[1]}=$work/fuse2 ${host_ns[2]}=$work/fuse3"
  run_job f-leaders "$work/hosts.even" 4 tcp,self --stats "$work/f-leaders.stats.json" -o "$work/view/out.txt" \
    "$work/view/in.txt"; rc=$?
  unset MFMH_VIEWS
  ok=1
  cp "$work/shared/out.txt" "$work/f-leaders.out" 2>/dev/null
  expect_ok f-leaders $rc "$work/mixed.expected" || ok=0
  leaders_are f-leaders 1 || ok=0
  python3 -c "import json, sys; n = json.load(open(sys.argv[1]))['opening']; sys.exit(0 if n == 1 else 'opening: %s' % n)" \
    "$work/f-leaders.stats.json" || ok=0 # the leader found its first slice itself, on its own mount
  python3 "$here/checks.py" stats "$work/f-leaders.stats.json" 4 "$mixed_count" "${host_ns[0]}" \
    "${host_ns[0]},${host_ns[1]}" || ok=0
  if [ $ok = 1 ]; then
    pass "(f) 4 ranks on ${host_ns[0]} and ${host_ns[1]}: rank 0 and a node leader on ${host_ns[1]} each served their host (the leader's first slice found by itself), identical to GNU factor ($(secs f-leaders) s)"
  else
    fail "(f) node leaders on two hosts"
  fi

  # the same input everywhere (outside the view), but host 3's output directory is not the shared one
  rm -f "$work/shared/out.txt" "$work/other/in.txt"
  pario_run f-output "$work/fuse1" "$work/fuse2" "$work/other" "$work/mixed.in"; rc=$?
  ok=1
  cp "$work/shared/out.txt" "$work/f-output.out" 2>/dev/null
  expect_ok f-output $rc "$work/mixed.expected" || ok=0
  pario_is f-output false || { echo "  f-output: --stats parallel_io is not false"; ok=0; }
  [ -z "$(ls -A "$work/other")" ] || { echo "  f-output: files in host 3's own directory: $(ls -A "$work/other")"; ok=0; }
  [ "$(probes_left)" -eq 0 ] || { echo "  f-output: probe files left"; ok=0; }
  if [ $ok = 1 ]; then
    pass "(f) ${host_ns[2]} sees another output directory: parallel I/O stays off, identical ($(secs f-output) s)"
  else
    fail "(f) another output directory on one host: parallel I/O off"
  fi

  # asked for with --parallel-io where host 3 sees another input: refused at start-up (exit 2), naming host and file
  cp "$work/few.in" "$work/other/in.txt"
  rm -f "$work/shared/out.txt"
  pario_run f-asked "$work/fuse1" "$work/fuse2" "$work/other" --parallel-io "$work/view/in.txt"; rc=$?
  ok=1
  if [ $rc -ne 2 ]; then echo "  f-asked: exit status $rc, expected 2"; show f-asked; ok=0; fi
  if ! grep -q "^mpifactor: rank 3 (host ${host_ns[2]}): $work/view/in.txt: not the file rank 0 reads" "$work/f-asked.err"; then
    echo "  f-asked: no message naming rank 3, host ${host_ns[2]} and the input"; show f-asked; ok=0
  fi
  [ ! -e "$work/shared/out.txt" ] || { echo "  f-asked: an output was written"; ok=0; }
  [ "$(probes_left)" -eq 0 ] || { echo "  f-asked: probe files left"; ok=0; }
  no_strays f-asked || ok=0
  if [ $ok = 1 ]; then
    pass "(f) --parallel-io where ${host_ns[2]} sees another input: exit 2 naming host and file, nothing written ($(secs f-asked) s)"
  else
    fail "(f) --parallel-io refused where a host sees another input"
  fi
fi
for m in "${fuse_mounts[@]}"; do umount "$m" || fail "unmounting $m"; done
fuse_mounts=()

# (g) README.md's "Running across nodes" commands as written, in a folder holding its hostfile `hosts`
# (node1 slots=1, node2 slots=8, node3 slots=8), build/ (linked) and numbers.txt. What ssh would do comes
# from the environment: the launch agent (OMPI_MCA_plm_rsh_agent) and, for the first command, which has no
# --mca options, TCP kept on the test subnet; 17 ranks share this machine's cores, so idle ranks yield.
readme=$work/readme
mkdir -p "$readme" && ln -s "$repo/build" "$readme/build"
printf 'node1 slots=1\nnode2 slots=8\nnode3 slots=8\n' >"$readme/hosts"
cp "$work/mixed.in" "$readme/numbers.txt"
# readme_run NAME [SUBNET]: the command on stdin, run by bash in $readme with mpirun on host 1; output in $work/NAME.*
# (SUBNET given: TCP kept on it through the environment)
readme_run() {
  local -a env=(OMPI_MCA_plm_rsh_agent="$here/agent.sh" OMPI_MCA_mpi_yield_when_idle=1
    OMPI_MCA_btl_vader_backing_directory="$work/shm")
  [ -z "${2:-}" ] || env+=(OMPI_MCA_btl_tcp_if_include="$2" OMPI_MCA_oob_tcp_if_include="$2")
  # shellcheck disable=SC2016 # $0 is expanded by the inner sh
  (cd "$readme" && env "${env[@]}" timeout -k 5 "$limit" ip netns exec "${host_ns[0]}" unshare --uts \
    sh -c 'hostname "$0" && exec bash' "${host_ns[0]}") >"$work/$1.out" 2>"$work/$1.err"
}
readme_run g1 "$subnet" <<'CMD'
mpirun --hostfile hosts -np 17 build/mpifactor -o factors.txt --stats stats.json numbers.txt
CMD
rc=$?
ok=1
[ $rc -eq 0 ] || { echo "  g1: exit status $rc"; show g1; ok=0; }
cmp -s "$readme/factors.txt" "$work/mixed.expected" || { echo "  g1: factors.txt differs from GNU factor"; ok=0; }
python3 "$here/checks.py" stats "$readme/stats.json" 17 "$mixed_count" "${host_ns[0]}" "${host_ns[1]},${host_ns[2]}" || ok=0
no_strays g1 || ok=0
if [ $ok = 1 ]; then
  pass "(g) README: mpirun --hostfile hosts -np 17 build/mpifactor -o factors.txt --stats stats.json numbers.txt: rank 0 alone on node1, 16 ranks on node2 and node3, factors.txt equals GNU factor"
else
  fail "(g) README: mpirun --hostfile hosts -np 17 build/mpifactor -o factors.txt --stats stats.json numbers.txt"
fi
readme_run g2 <<'CMD'
mpirun --hostfile hosts -np 17 --mca btl tcp,vader,self --mca btl_tcp_if_include 10.0.0.0/24 --mca oob_tcp_if_include 10.0.0.0/24 build/mpifactor numbers.txt
CMD
rc=$?
if [ $rc -eq 0 ] && cmp -s "$work/g2.out" "$work/mixed.expected" && no_strays g2; then
  pass "(g) README: mpirun --hostfile hosts -np 17 --mca btl tcp,vader,self --mca btl_tcp_if_include 10.0.0.0/24 ... build/mpifactor numbers.txt: stdout equals GNU factor"
else
  echo "  g2: exit status $rc"; show g2
  fail "(g) README: mpirun --hostfile hosts -np 17 --mca btl tcp,vader,self ... build/mpifactor numbers.txt"
fi

# Teardown leaves nothing: no namespaces, no links, no Open MPI session files, no work directory.
ok=1
session_files=$(find "$work/tmp" "$work/shm" -mindepth 1 2>/dev/null | head -5)
if [ -n "$session_files" ]; then
  echo "  Open MPI left session files behind:"
  while read -r f; do echo "    $f"; done <<<"$session_files"
  ok=0
fi
keep=${MFMH_KEEP:-0}
teardown
for ns in "${host_ns[@]}" "$bridge_ns"; do
  if ns_exists "$ns"; then echo "  namespace $ns still exists"; ok=0; fi
done
links_after=$(ip -o link show | awk -F': ' '{print $2}' | sort)
if echo "$links_after" | grep -q "$tag"; then echo "  links named $tag* in the root namespace"; ok=0; fi
if [ "$links_before" != "$links_after" ]; then
  echo "  note: root namespace links changed during the run (not by this test: it adds none):"
  diff <(echo "$links_before") <(echo "$links_after") | sed 's/^/    /'
fi
leftovers=$(find /tmp /dev/shm -maxdepth 1 -name "*$tag*" 2>/dev/null)
if [ -n "$leftovers" ]; then echo "  left behind: $leftovers"; ok=0; fi
if [ "$keep" != 1 ] && [ -e "$work" ]; then echo "  $work still exists"; ok=0; fi
if [ $ok = 1 ]; then pass "teardown: namespaces, veths, bridge and files gone"; else fail "teardown"; fi

summary
[ "$failed" -eq 0 ]
