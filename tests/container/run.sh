#!/usr/bin/env bash
# Container tests: runs README.md's container commands verbatim (docker = podman-docker) and checks the images
# against GNU factor (make check area).
#
# Needs root (podman, debootstrap). Installs podman/podman-docker/buildah/debootstrap/uidmap/runc when missing,
# creates the docker.io/library/debian:bookworm base image once with debootstrap (kept in podman's store for later
# runs), caches dockerfilelint under $MPIFACTOR_CACHE (default /var/cache/mpifactor-container).
# Every command in the ```sh blocks of README.md's "## Containers" section runs exactly as written, in a copy of
# the repository (so its numbers.txt/out.txt stay out of the checkout), and each one's result is checked; a
# command this script has no check for is a failure. The images the README builds (mpifactor, mpifactor:cluster)
# are the ones the further cases use. The virtual cluster commands (docker/compose.yaml under podman-compose:
# head + 2 workers on an internal network, mpirun over ssh) also install podman-compose;
# MPIFACTOR_CONTAINER_CLUSTER=0 skips them.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${MPIFACTOR_CACHE:-/var/cache/mpifactor-container}
base=docker.io/library/debian:bookworm
# the README's tags, as podman stores them
image=localhost/mpifactor:latest
cluster_image=localhost/mpifactor:cluster
label=io.github.mpifactor.test=container
project=mpifactor   # the README's podman-compose -p
readme=""
pass=0 failed=0 skipped=0
work=""

ok() { pass=$((pass + 1)); echo "PASS: $*"; }
ko() { failed=$((failed + 1)); echo "FAIL: $*"; }
sk() { skipped=$((skipped + 1)); echo "SKIP: $*"; }
log() { echo "container: $*"; }

finish() {
  echo "container: $pass passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ]
  exit
}

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  local c
  for c in $(podman ps -a --filter "label=$label" --format '{{.Names}}' 2>/dev/null); do
    timeout 30 podman rm -f -t 0 "$c" >/dev/null 2>&1
  done
  for c in $(podman network ls --filter "label=$label" --format '{{.Name}}' 2>/dev/null); do
    timeout 30 podman network rm -f "$c" >/dev/null 2>&1
  done
  # the README's commands carry no label: their containers are found by image, the compose project by name
  for c in $(podman ps -a --filter "ancestor=$image" --filter "ancestor=$cluster_image" --format '{{.ID}}' 2>/dev/null); do
    timeout 30 podman rm -f -t 0 "$c" >/dev/null 2>&1
  done
  if [ -n "$readme" ] && [ -f "$readme/docker/compose.yaml" ] && command -v podman-compose >/dev/null; then
    (cd "$readme" && timeout 120 podman-compose -p "$project" -f docker/compose.yaml down -v) >/dev/null 2>&1
  fi
  timeout 30 podman network rm -f "${project}_cluster" >/dev/null 2>&1
  if [ -n "$work" ]; then rm -rf "$work"; fi
}

# Shows the last lines of a log file, indented, after a failure.
show() { sed 's/^/    /' "$1" | tail -n "${2:-25}"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: container tests need root (podman with runc, debootstrap)"
  echo "container: 0 passed, 0 failed, 1 skipped"
  exit 0
fi
if [ ! -f "$root/docker/Dockerfile" ]; then
  echo "FAIL: $root/docker/Dockerfile is missing"
  echo "container: 0 passed, 1 failed"
  exit 1
fi

start=$(date +%s)
work=$(mktemp -d /var/tmp/mpifactor-container.XXXXXX)
trap cleanup EXIT
trap 'echo "container: interrupted"; exit 3' INT TERM

# ---- setup: packages, podman configuration, base image ----

if ! timeout 900 "$root/tests/lib/install-deps.sh" podman podman-docker buildah debootstrap uidmap runc >"$work/deps.log" 2>&1; then
  ko "installing podman podman-docker buildah debootstrap uidmap runc"
  show "$work/deps.log"
  finish
fi

# Adds KEY = VALUE to SECTION of containers.conf unless KEY is already set there (other settings are kept).
conf_set() {
  local section=$1 key=$2 value=$3 conf=/etc/containers/containers.conf
  mkdir -p /etc/containers
  touch "$conf"
  if awk -v s="[$section]" -v k="$key" '
      /^[[:space:]]*\[/ { gsub(/[[:space:]]/, ""); in_s = ($0 == s); next }
      in_s && $0 ~ "^[[:space:]]*" k "[[:space:]]*=" { found = 1 }
      END { exit !found }' "$conf"; then
    log "$conf already sets $section.$key: left as it is"
  elif grep -q "^[[:space:]]*\[$section\][[:space:]]*$" "$conf"; then
    sed -i "/^[[:space:]]*\[$section\][[:space:]]*\$/a $key = $value" "$conf"
    log "added $key = $value to [$section] of $conf"
  else
    printf '\n[%s]\n%s = %s\n' "$section" "$key" "$value" >>"$conf"
    log "added [$section] $key = $value to $conf"
  fi
}

# crun fails on this kind of host's cgroup v1 setup. podman's default ulimits (1048576) exceed what may be
# raised here (no CAP_SYS_RESOURCE); nproc above 32768 was refused even below `ulimit -Hu`, so cap both.
conf_set engine runtime '"runc"'
nofile=$(ulimit -Hn)
nproc=$(ulimit -Hu)
{ [ "$nofile" = unlimited ] || [ "$nofile" -gt 20000 ]; } && nofile=20000
{ [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; } && nproc=32768
conf_set containers default_ulimits "[\"nofile=$nofile:$nofile\", \"nproc=$nproc:$nproc\"]"

# The mirror for debootstrap: the one apt uses for bookworm (tests/lib/apt-mirror.sh), never a guessed address.
. "$root/tests/lib/apt-mirror.sh"

if timeout 60 podman image exists "$base"; then
  log "base image $base present (cached)"
else
  if ! mirror=$(mf_apt_mirror bookworm 2>"$work/mirror.err"); then
    ko "no Debian mirror for debootstrap in apt's sources: $(cat "$work/mirror.err")"
    finish
  fi
  log "creating base image $base with debootstrap from $mirror (once; about a minute)"
  rootfs="$work/rootfs"
  if timeout 900 debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1; then
    printf 'deb %s bookworm main\ndeb %s bookworm-updates main\n' "$mirror" "$mirror" >"$rootfs/etc/apt/sources.list"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    : >"$rootfs/etc/hostname"
    if tar -C "$rootfs" -c . | timeout 600 podman import \
        --change 'CMD ["bash"]' --message "debootstrap --variant=minbase bookworm $mirror" - "$base" \
        >"$work/import.log" 2>&1; then
      log "base image $base created"
    else
      ko "podman import of the debootstrap tree"
      show "$work/import.log"
    fi
  else
    ko "debootstrap bookworm from $mirror"
    show "$work/debootstrap.log"
  fi
  rm -rf "$rootfs"
  timeout 60 podman image exists "$base" || finish
fi

# ---- lint ----

lint_dir="$cache/npm"
lint="$lint_dir/node_modules/.bin/dockerfilelint"
if [ ! -x "$lint" ] && command -v npm >/dev/null; then
  mkdir -p "$lint_dir"
  timeout 300 npm install --prefix "$lint_dir" --no-audit --no-fund --silent dockerfilelint@1.8.0 \
    >"$work/npm.log" 2>&1 || true
fi
if [ -x "$lint" ]; then
  if timeout 60 "$lint" "$root/docker/Dockerfile" >"$work/lint.log" 2>&1; then
    ok "dockerfilelint docker/Dockerfile"
  else
    ko "dockerfilelint docker/Dockerfile"
    show "$work/lint.log" 40
  fi
else
  sk "dockerfilelint: npm registry unreachable or npm missing"
fi

# ---- inputs and expected outputs (GNU factor, one number per call: coreutils 9.1 reorders mixed input) ----

data="$work/data"
mkdir -p "$data"
{
  echo "# mixed small and >64-bit integers; comments and blank lines are allowed"
  printf '%s\n' 2 3 4 12 97 100 360 1001 65537 1000000007 600851475143 9999999967 \
    4294967297 18446744073709551557 18446744073709551615 18446744073709551616 18446744073709551617 \
    110680464442257309342 100000000000000000000 1180591620717411303424 36893488147419103232
  echo
  seq 2 1500 | paste -d ' ' - - - - -
  printf '%s\n' 340282366920938463463374607431768211456 9007199254740881 123456789012345678901234567890
} >"$data/numbers.txt"
grep -v '^#' "$data/numbers.txt" | tr -s ' ' '\n' | grep . | timeout 120 xargs -n 1 factor >"$data/expected.txt"
chown -R 1000:1000 "$data"

# Runs the test image with a per-test name and a hard time limit; extra podman options come before "--".
run_image() {
  local opts=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
  shift
  timeout -k 10 180 podman run --rm --network none --label "$label" --name "mpifactor-test-$$-$RANDOM" "${opts[@]}" "$image" "$@"
}

# ---- README.md's commands, verbatim ----
# Every line of the ```sh blocks in the "## Containers" section runs exactly as written (bash -c LINE, trailing
# comments included) in a copy of the repository holding numbers.txt, with podman-docker's `docker` first on
# PATH (another `docker` client without an engine may be installed). Each kind of command has its own check
# below; a line of another kind fails, so the README cannot show a command this test does not run.

readme="$work/readme"
mkdir -p "$readme"
tar -C "$root" --exclude=./build --exclude=./.git -c . | tar -C "$readme" -x
cp "$data/numbers.txt" "$readme/numbers.txt"
# the containers run as uid 1000 and write out.txt / results.txt into the mounted copy
chown 1000:1000 "$readme" "$readme/numbers.txt"
docker_cmd=$(dpkg -L podman-docker 2>/dev/null | grep -m 1 '/bin/docker$')
mkdir -p "$work/bin"
ln -sf "${docker_cmd:-/usr/bin/docker}" "$work/bin/docker"
log "docker is $(readlink "$work/bin/docker") (podman-docker): $(PATH="$work/bin:$PATH" docker --version 2>/dev/null)"

mapfile -t readme_cmds < <(awk '
  /^## / { sec = ($0 ~ /^## Containers[[:space:]]*$/); next }
  sec && /^```/ { blk = !blk; next }
  sec && blk && NF' "$root/README.md")
log "README.md's Containers section shows ${#readme_cmds[@]} commands"

# readme_run LIMIT LINE: runs one README line as written in the copy; stdout/stderr to $work/readme.{out,err}
readme_run() {
  (cd "$readme" && PATH="$work/bin:$PATH" timeout -k 10 "$1" bash -c "$2") \
    </dev/null >"$work/readme.out" 2>"$work/readme.err"
}

# Prints the image's entrypoint as podman records it.
entrypoint_of() { timeout 60 podman image inspect --format '{{.Config.Entrypoint}}' "$1" 2>/dev/null; }

# cluster_ready: waits (up to 60 s) for what each node prints once it serves: the head's "ready" line and each
# worker's "sshd on port" line. A node that stopped instead fails at once, with its exit status and log, so a
# later `exec` does not fail blind ("cannot exec in a stopped container").
cluster_ready() {
  local i name state service want
  for i in $(seq 60); do
    want=0
    for name in $(podman ps -a --filter "label=io.podman.compose.project=$project" --format '{{.Names}}'); do
      state=$(podman inspect --format '{{.State.Status}} exit={{.State.ExitCode}} oom={{.State.OOMKilled}} {{.State.Error}}' "$name" 2>/dev/null)
      if [ "${state%% *}" != running ]; then
        ko "virtual cluster: $name is not running after up -d: $state"
        podman logs "$name" 2>&1 | sed 's/^/    /' | tail -n 20
        return 1
      fi
      service=$(podman inspect --format '{{index .Config.Labels "com.docker.compose.service"}}' "$name" 2>/dev/null)
      case "$service" in
        head) podman logs "$name" 2>&1 | grep -q ': ready;' || want=1 ;;
        *) podman logs "$name" 2>&1 | grep -q 'sshd on port' || want=1 ;;
      esac
    done
    [ $want -eq 0 ] && return 0
    sleep 1
  done
  ko "virtual cluster: nodes not ready after 60 s"
  for name in $(podman ps -a --filter "label=io.podman.compose.project=$project" --format '{{.Names}}'); do
    echo "    $name:"; podman logs "$name" 2>&1 | sed 's/^/      /' | tail -n 10
  done
  return 1
}

# Checks the cluster the README's `up -d` started: the head runs mpifactor across all three containers.
cluster_checks() {
  local head hosts rc
  head=$(podman ps --filter "label=io.podman.compose.project=$project" \
    --filter label=com.docker.compose.service=head --format '{{.Names}}')
  if [ -z "$head" ]; then ko "virtual cluster: no head container of project $project"; return; fi
  timeout -k 10 300 podman exec "$head" mpifactor-cluster-run /data/numbers.txt -o /data/cluster-out.txt \
    --stats /data/cluster-stats.json >"$work/cluster.out" 2>"$work/cluster.err"
  rc=$?
  hosts=$(grep -o '"host":"[^"]*"' "$readme/cluster-stats.json" 2>/dev/null | cut -d'"' -f4 | sort -u | tr '\n' ' ')
  if [ $rc -eq 0 ] && cmp -s "$readme/cluster-out.txt" "$data/expected.txt" && [ "$(echo "$hosts" | wc -w)" -ge 3 ]; then
    ok "virtual cluster: ranks ran in the head and both workers (--stats hosts: $hosts)"
  else
    ko "virtual cluster with --stats: exit $rc, hosts '$hosts' (want the head and both workers)"
    show "$work/cluster.err" 20
  fi
  printf '1 x 15\n' | timeout -k 10 300 podman exec -i "$head" mpifactor-cluster-run >"$work/cluster-bad.out" 2>"$work/cluster-bad.err"
  rc=$?
  if [ $rc -eq 1 ] && grep -qx '15: 3 5' "$work/cluster-bad.out"; then
    ok "virtual cluster: stdin input, exit 1 for an invalid token"
  else
    ko "virtual cluster, stdin with an invalid token: exit $rc (want 1)"
    show "$work/cluster-bad.err" 10
  fi
}

seen_build=0 seen_run=0 cluster=1
[ "${MPIFACTOR_CONTAINER_CLUSTER:-1}" = 0 ] && cluster=0
for cmd in "${readme_cmds[@]}"; do
  case "$cmd" in
    "docker build "*"--target cluster"* | "podman-compose "*)
      if [ $cluster -eq 0 ]; then sk "README: $cmd (MPIFACTOR_CONTAINER_CLUSTER=0)"; continue; fi ;;
  esac
  if [ $cluster -eq 1 ] && [ "${cmd#podman-compose }" != "$cmd" ] && ! command -v podman-compose >/dev/null; then
    if ! timeout 600 "$root/tests/lib/install-deps.sh" podman-compose >"$work/deps2.log" 2>&1; then
      ko "installing podman-compose"
      show "$work/deps2.log"
      cluster=0
      continue
    fi
  fi
  t0=$(date +%s)
  case "$cmd" in
    "docker build "*"--target cluster"*)
      readme_run 1200 "$cmd"
      rc=$?
      if [ $rc -eq 0 ] && entrypoint_of "$cluster_image" | grep -q mpifactor-cluster-node; then
        ok "README: $cmd ($(($(date +%s) - t0)) s)"
      else
        ko "README: $cmd (exit $rc, entrypoint '$(entrypoint_of "$cluster_image")')"
        show "$work/readme.err" 30
        cluster=0
      fi
      ;;
    "docker build "*)
      seen_build=1
      old_id=$(timeout 60 podman image inspect --format '{{.Id}}' "$image" 2>/dev/null)
      readme_run 1200 "$cmd"
      rc=$?
      ep=$(entrypoint_of "$image")
      if [ $rc -eq 0 ] && printf '%s' "$ep" | grep -q 'mpifactor-entrypoint'; then
        ok "README: $cmd ($(($(date +%s) - t0)) s) gives the runtime image"
      else
        ko "README: $cmd (exit $rc): image entrypoint '$ep', want the runtime stage's mpifactor-entrypoint"
        show "$work/readme.err" 30
        finish   # every later case would run the wrong image (a cluster node waits 120 s for ssh keys)
      fi
      new_id=$(timeout 60 podman image inspect --format '{{.Id}}' "$image" 2>/dev/null)
      if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then timeout 60 podman rmi "$old_id" >/dev/null 2>&1; fi
      ;;
    "docker run "*"< numbers.txt"*)
      seen_run=1
      readme_run 300 "$cmd"
      rc=$?
      if [ $rc -eq 0 ] && cmp -s "$work/readme.out" "$data/expected.txt"; then
        ok "README: $cmd: stdout matches GNU factor ($(wc -l <"$data/expected.txt") numbers)"
      else
        ko "README: $cmd (exit $rc)"
        diff "$data/expected.txt" "$work/readme.out" | head -n 10
        show "$work/readme.err" 10
      fi
      ;;
    "docker run "*"-v "*"-o /data/"*)
      seen_run=1
      out=$(printf '%s\n' "$cmd" | sed -n 's|.* -o /data/\([^ ]*\).*|\1|p')
      readme_run 300 "$cmd"
      rc=$?
      if [ $rc -eq 0 ] && cmp -s "$readme/$out" "$data/expected.txt" && [ ! -s "$work/readme.out" ]; then
        ok "README: $cmd: $out matches GNU factor"
      else
        ko "README: $cmd (exit $rc)"
        [ -f "$readme/$out" ] && diff "$data/expected.txt" "$readme/$out" | head -n 10
        show "$work/readme.err" 10
      fi
      stats=$(printf '%s\n' "$cmd" | sed -n 's|.* --stats /data/\([^ ]*\).*|\1|p')
      if [ -n "$stats" ]; then
        # default rank count: every core the container sees (at least 2: master and one worker)
        want=$(nproc)
        [ "$want" -ge 2 ] || want=2
        if grep -q "\"ranks\":${want}[,}]" "$readme/$stats" 2>/dev/null; then
          ok "entrypoint starts $want ranks (nproc; --stats of the README run)"
        else
          ko "entrypoint rank count: want \"ranks\":$want in --stats"
          head -c 300 "$readme/$stats" 2>/dev/null; echo
        fi
      fi
      ;;
    "podman-compose "*" up "*)
      readme_run 300 "$cmd"
      rc=$?
      running=$(podman ps --filter "label=io.podman.compose.project=$project" --format '{{.Names}}' | sort | tr '\n' ' ')
      if [ $rc -eq 0 ] && [ "$(echo "$running" | wc -w)" -ge 3 ]; then
        ok "README: $cmd: running $running"
        cluster_ready && ok "virtual cluster: the head and both workers serve (their ready lines)"
      else
        ko "README: $cmd (exit $rc): running '$running'"
        show "$work/readme.out" 20
        show "$work/readme.err" 20
      fi
      ;;
    "podman-compose "*" exec "*"-o /data/"*)
      out=$(printf '%s\n' "$cmd" | sed -n 's|.* -o /data/\([^ ]*\).*|\1|p')
      readme_run 300 "$cmd"
      rc=$?
      if [ $rc -eq 0 ] && cmp -s "$readme/$out" "$data/expected.txt"; then
        ok "README: $cmd: $out matches GNU factor"
      else
        ko "README: $cmd (exit $rc)"
        [ -f "$readme/$out" ] && diff "$data/expected.txt" "$readme/$out" | head -n 10
        show "$work/readme.out" 10
        show "$work/readme.err" 10
        podman ps -a --filter "label=io.podman.compose.project=$project" --format '    {{.Names}}: {{.Status}}'
        for c in $(podman ps -a --filter "label=io.podman.compose.project=$project" --format '{{.Names}}'); do
          echo "    $c log:"; podman logs "$c" 2>&1 | sed 's/^/      /' | tail -n 8
        done
      fi
      cluster_checks
      ;;
    "podman-compose "*" down"*)
      readme_run 300 "$cmd"
      rc=$?
      left=$(podman ps -a --filter "label=io.podman.compose.project=$project" --format '{{.Names}}' | tr '\n' ' ')
      if [ $rc -eq 0 ] && [ -z "$left" ]; then
        ok "README: $cmd: no container left"
      else
        ko "README: $cmd (exit $rc): left '$left'"
        show "$work/readme.err" 10
      fi
      timeout 30 podman network rm -f "${project}_cluster" >/dev/null 2>&1   # podman-compose 1.0.3 leaves it
      ;;
    *)
      ko "README.md shows a container command this test has no check for: $cmd"
      ;;
  esac
done
if [ $seen_build -eq 0 ] || [ $seen_run -eq 0 ]; then
  ko "README.md's Containers section no longer shows the docker build and docker run commands"
fi
if ! timeout 60 podman image exists "$image"; then
  ko "no image $image after the README's commands: the further cases cannot run"
  finish
fi

printf '%s\n' 1234567 2 18446744073709551617 >"$data/small.txt"
if run_image -e MPIFACTOR_NP=3 -v "$data:/data" -- --stats /data/stats3.json /data/small.txt \
    >"$work/np3.out" 2>"$work/np3.err" && grep -q '"ranks":3[,}]' "$data/stats3.json" &&
    diff -q <(xargs -n 1 factor <"$data/small.txt") "$work/np3.out" >/dev/null; then
  ok "MPIFACTOR_NP=3 runs 3 ranks"
else
  ko "MPIFACTOR_NP=3"
  show "$work/np3.err" 10
fi

# exit statuses propagate through mpirun and the entrypoint
printf '12 abc 15\n' | run_image -i -- >"$work/bad.out" 2>"$work/bad.err"
rc=$?
if [ $rc -eq 1 ] && [ "$(cat "$work/bad.out")" = "$(printf '12: 2 2 3\n15: 3 5')" ]; then
  ok "invalid input token: exit 1, valid numbers still written"
else
  ko "invalid input token: exit $rc (want 1), stdout: $(tr '\n' '|' <"$work/bad.out")"
  show "$work/bad.err" 10
fi
run_image -- /data/no-such-file.txt >/dev/null 2>"$work/missing.err" </dev/null
rc=$?
if [ $rc -eq 2 ]; then
  ok "missing input file: exit 2"
else
  ko "missing input file: exit $rc (want 2)"
  show "$work/missing.err" 10
fi
# `podman stop` (SIGTERM to the entrypoint) stops cleanly with exit 3; the same command resumes from the checkpoint.
# 24 semiprimes of two primes just below 2^30: 0.05 s (AVX-512) to several seconds (plain kernel, busy 2-core VM)
# each. The stop comes once the first results are out, so it always finds work done and work left.
python3 - "$root/jobs" >"$data/slow.txt" <<'EOF_PY'
import sys
sys.path.insert(0, sys.argv[1])
from gen_numbers import is_prime  # the project's primality test
ps, p = [], (1 << 30) - 1
while len(ps) < 8:
    if is_prime(p):
        ps.append(p)
    p -= 2
print("\n".join([str(ps[i] * ps[j]) for i in range(8) for j in range(i + 1, 8)][:24]))
EOF_PY
timeout 120 xargs -n 1 factor <"$data/slow.txt" >"$data/slow.expected"
chown 1000:1000 "$data/slow.txt"
slow_job=(/data/slow.txt -o /data/slow.out --checkpoint /data/slow.ckpt --unit-size 1)
name="mpifactor-test-$$-stop"
# the stopped run with the slowest kernel (about a second a number on any CPU); the resume with the default one
if timeout 60 podman run -d --network none --label "$label" --name "$name" -v "$data:/data" "$image" --kernel plain "${slow_job[@]}" \
    >/dev/null 2>"$work/stop.err"; then
  for _ in $(seq 1 300); do [ -s "$data/slow.out" ] && break; sleep 0.2; done
  timeout 60 podman stop -t 30 "$name" >/dev/null 2>&1
  rc=$(timeout 30 podman inspect -f '{{.State.ExitCode}}' "$name" 2>/dev/null)
  timeout 30 podman logs "$name" >>"$work/stop.err" 2>&1
  timeout 30 podman rm -f "$name" >/dev/null 2>&1
  done_lines=$(wc -l <"$data/slow.out" 2>/dev/null || echo 0)
  if [ "$rc" = 3 ] && [ "$done_lines" -gt 0 ] && [ "$done_lines" -lt "$(wc -l <"$data/slow.expected")" ] &&
      head -n "$done_lines" "$data/slow.expected" | cmp -s - "$data/slow.out"; then
    ok "podman stop: exit 3 with $done_lines of $(wc -l <"$data/slow.expected") results written"
  else
    ko "podman stop: exit '$rc' (want 3), $done_lines results written"
    show "$work/stop.err" 10
  fi
  if run_image -v "$data:/data" -- "${slow_job[@]}" >/dev/null 2>"$work/resume.err" &&
      cmp -s "$data/slow.out" "$data/slow.expected"; then
    ok "same command after the stop resumes and completes"
  else
    ko "resume after podman stop"
    show "$work/resume.err" 10
  fi
else
  ko "podman run -d for the stop test"
  show "$work/stop.err" 10
fi

version=$(run_image -- --version 2>/dev/null </dev/null)
if printf '%s\n' "$version" | grep -qx 'mpifactor 0.1.0'; then
  ok "--version through the entrypoint"
else
  ko "--version through the entrypoint: $version"
fi

# runs as non-root; no toolchain in the runtime image
uid=$(timeout 60 podman run --rm --network none --label "$label" --entrypoint id "$image" -u 2>&1)
if [ "$uid" != 0 ] && [ -n "$uid" ] && [ "$uid" -eq "$uid" ] 2>/dev/null; then
  ok "image runs as non-root (uid $uid)"
else
  ko "image user: id -u says '$uid'"
fi
# shellcheck disable=SC2016  # the script runs in the container's sh
leftovers=$(timeout 60 podman run --rm --network none --label "$label" --entrypoint sh "$image" -c '
  for c in gcc cc c99 cpp make ld as pkg-config; do command -v "$c"; done
  ls /usr/include/gmp.h /usr/include/x86_64-linux-gnu/gmp.h /usr/include/stdio.h \
     /usr/lib/x86_64-linux-gnu/openmpi/include/mpi.h 2>/dev/null
  dpkg-query -W -f "\${Package} \${Status}\n" gcc-12 make libgmp-dev libopenmpi-dev libc6-dev 2>/dev/null |
    grep " installed$"' 2>&1)
if [ -z "$leftovers" ]; then
  ok "runtime image has no compiler, make or headers"
else
  ko "runtime image contains build tools: $(echo "$leftovers" | tr '\n' ' ')"
fi
size=$(timeout 60 podman image inspect --format '{{.Size}}' "$image" 2>/dev/null)
log "runtime image size: $((${size:-0} / 1000000)) MB"

# ---- docker/compose.yaml: the services, image, build target and network the cluster commands rely on ----

if python3 -c 'import yaml' 2>/dev/null; then
  if python3 - "$root/docker/compose.yaml" >"$work/compose.log" 2>&1 <<'EOF'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
services = doc["services"]
assert "head" in services, "no head service"
workers = [n for n in services if n.startswith("worker")]
assert workers, "no worker services"
for name in ["head"] + workers:
    s = services[name]
    build = s.get("build", {})
    assert build.get("dockerfile") == "docker/Dockerfile", name + ": build.dockerfile"
    assert build.get("target") == "cluster", name + ": build.target"
    assert "mpifactor" in s.get("image", ""), name + ": image"
    assert "cluster" in s.get("networks", []), name + ": network"
named = services["head"]["environment"]["MPIFACTOR_WORKERS"].split()
assert sorted(named) == sorted(workers), "MPIFACTOR_WORKERS %s != services %s" % (named, workers)
print("services:", " ".join(["head"] + workers))
EOF
  then
    ok "docker/compose.yaml is valid: $(cat "$work/compose.log")"
  else
    ko "docker/compose.yaml"
    show "$work/compose.log" 10
  fi
else
  sk "docker/compose.yaml check: python3-yaml missing"
fi

# Drop superseded test images of earlier runs (dangling, carrying our label); the layer cache stays.
timeout 120 podman image prune -f --filter "label=$label" >/dev/null 2>&1
log "total $(($(date +%s) - start)) s"
finish
