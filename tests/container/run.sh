#!/usr/bin/env bash
# Container tests: builds docker/Dockerfile with podman and checks the image against GNU factor (make check area).
#
# Needs root (podman, debootstrap). Installs podman/buildah/debootstrap/uidmap/runc when missing, creates the
# docker.io/library/debian:bookworm base image once with debootstrap (kept in podman's store for later runs),
# caches dockerfilelint under $MPIFACTOR_CACHE (default /var/cache/mpifactor-container).
# The virtual cluster case (docker/compose.yaml under podman-compose: head + 2 workers on an internal network,
# mpirun over ssh) also installs podman-compose; MPIFACTOR_CONTAINER_CLUSTER=0 skips it.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${MPIFACTOR_CACHE:-/var/cache/mpifactor-container}
base=docker.io/library/debian:bookworm
image=localhost/mpifactor:test
cluster_image=localhost/mpifactor:cluster-test
label=io.github.mpifactor.test=container
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

if ! timeout 900 "$root/tests/lib/install-deps.sh" podman buildah debootstrap uidmap runc >"$work/deps.log" 2>&1; then
  ko "installing podman buildah debootstrap uidmap runc"
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

# Prints the first uncommented Debian archive URI from apt's sources (not security, not a snapshot comment).
debian_mirror() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri=$(awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' "$f" |
      grep -E '/debian/?$' | grep -v security | head -n 1)
    [ -n "$uri" ] && { echo "${uri%/}"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' "$f" |
      grep -E '/debian/?$' | grep -v security | head -n 1)
    [ -n "$uri" ] && { echo "${uri%/}"; return; }
  done
  echo http://deb.debian.org/debian
}

if timeout 60 podman image exists "$base"; then
  log "base image $base present (cached)"
else
  mirror=$(debian_mirror)
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

# ---- build ----

build_image() { # TAG TARGET LOG
  timeout 1200 podman build --network=host --pull=never --layers --label "$label" \
    --target "$2" -f "$root/docker/Dockerfile" -t "$1" "$root" >"$3" 2>&1
}

t0=$(date +%s)
if build_image "$image" runtime "$work/build.log"; then
  ok "podman build --target runtime ($(($(date +%s) - t0)) s)"
else
  ko "podman build -f docker/Dockerfile (log: last lines)"
  show "$work/build.log" 40
  finish
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

# stdin -> stdout
run_image -i -- <"$data/numbers.txt" >"$work/stdin.out" 2>"$work/stdin.err"
rc=$?
if [ $rc -eq 0 ] && cmp -s "$work/stdin.out" "$data/expected.txt"; then
  ok "stdin to stdout matches GNU factor ($(wc -l <"$data/expected.txt") numbers)"
else
  ko "stdin to stdout (exit $rc)"
  diff "$data/expected.txt" "$work/stdin.out" | head -n 10
  show "$work/stdin.err" 10
fi

# mounted file -> mounted output file, statistics
run_image -v "$data:/data" -- /data/numbers.txt -o /data/out.txt --stats /data/stats.json \
  >"$work/file.out" 2>"$work/file.err"
rc=$?
if [ $rc -eq 0 ] && cmp -s "$data/out.txt" "$data/expected.txt" && [ ! -s "$work/file.out" ]; then
  ok "mounted file with -o /data/out.txt matches GNU factor"
else
  ko "mounted file with -o (exit $rc)"
  [ -f "$data/out.txt" ] && diff "$data/expected.txt" "$data/out.txt" | head -n 10
  show "$work/file.err" 10
fi

# default rank count: every core the container sees (at least 2: master and one worker)
want=$(nproc)
[ "$want" -ge 2 ] || want=2
if grep -q "\"ranks\":${want}[,}]" "$data/stats.json" 2>/dev/null; then
  ok "entrypoint starts $want ranks (nproc)"
else
  ko "entrypoint rank count: want \"ranks\":$want in --stats"
  head -c 300 "$data/stats.json" 2>/dev/null; echo
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
# Semiprimes just below 2^64 with two 32-bit prime factors: about a second each for trial division.
python3 -c '
ps = [4294967291, 4294967279, 4294967231, 4294967197]
print("\n".join(str(ps[i] * ps[j]) for i in range(4) for j in range(i, 4) if i + j < 5))' >"$data/slow.txt"
timeout 120 xargs -n 1 factor <"$data/slow.txt" >"$data/slow.expected"
chown 1000:1000 "$data/slow.txt"
slow_job=(/data/slow.txt -o /data/slow.out --checkpoint /data/slow.ckpt)
name="mpifactor-test-$$-stop"
if timeout 60 podman run -d --network none --label "$label" --name "$name" -v "$data:/data" "$image" "${slow_job[@]}" \
    >/dev/null 2>"$work/stop.err"; then
  sleep 3
  timeout 60 podman stop -t 30 "$name" >/dev/null 2>&1
  rc=$(timeout 30 podman inspect -f '{{.State.ExitCode}}' "$name" 2>/dev/null)
  timeout 30 podman logs "$name" >>"$work/stop.err" 2>&1
  timeout 30 podman rm -f "$name" >/dev/null 2>&1
  done_lines=$(wc -l <"$data/slow.out" 2>/dev/null || echo 0)
  if [ "$rc" = 3 ] && [ "$done_lines" -lt "$(wc -l <"$data/slow.expected")" ] &&
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

# ---- virtual cluster: docker/compose.yaml under podman-compose, mpirun on the head over ssh ----

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

# Runs podman-compose on docker/compose.yaml as test project $project (no build: the test image is used).
compose() {
  MPIFACTOR_IMAGE=$cluster_image MPIFACTOR_DATA=$data \
    timeout -k 10 300 podman-compose -p "$project" -f "$root/docker/compose.yaml" "$@"
}

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup_cluster() {
  compose down -v >/dev/null 2>&1
  timeout 30 podman network rm -f "${project}_cluster" >/dev/null 2>&1
}

# Runs mpifactor-cluster-run on the head container; extra podman exec options come before "--".
on_head() {
  local opts=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
  shift
  timeout -k 10 300 podman exec "${opts[@]}" "$head" mpifactor-cluster-run "$@"
}

if [ "${MPIFACTOR_CONTAINER_CLUSTER:-1}" = 0 ]; then
  sk "virtual cluster (MPIFACTOR_CONTAINER_CLUSTER=0)"
elif ! timeout 600 "$root/tests/lib/install-deps.sh" podman-compose >"$work/deps2.log" 2>&1; then
  ko "installing podman-compose"
  show "$work/deps2.log"
else
  project="mpifactor-test-$$"
  trap 'cleanup_cluster; cleanup' EXIT
  t0=$(date +%s)
  if ! build_image "$cluster_image" cluster "$work/build-cluster.log"; then
    ko "podman build --target cluster"
    show "$work/build-cluster.log" 30
  else
    ok "podman build --target cluster ($(($(date +%s) - t0)) s)"
    if ! compose up -d --no-build >"$work/compose-up.log" 2>&1; then
      ko "podman-compose up"
      show "$work/compose-up.log" 30
    else
      head=$(podman ps --filter "label=io.podman.compose.project=$project" \
        --filter label=com.docker.compose.service=head --format '{{.Names}}')
      on_head -- /data/numbers.txt -o /data/cluster-out.txt --stats /data/cluster-stats.json \
        >"$work/cluster.out" 2>"$work/cluster.err"
      rc=$?
      if [ $rc -eq 0 ] && cmp -s "$data/cluster-out.txt" "$data/expected.txt"; then
        ok "virtual cluster run matches GNU factor ($(grep -o '[0-9]* ranks on .*' "$work/cluster.err"))"
      else
        ko "virtual cluster run (exit $rc)"
        show "$work/cluster.err" 20
        podman logs "$head" 2>&1 | tail -n 5
      fi
      hosts=$(grep -o '"host":"[^"]*"' "$data/cluster-stats.json" 2>/dev/null | cut -d'"' -f4 | sort -u | tr '\n' ' ')
      if [ "$(echo "$hosts" | wc -w)" -ge 3 ]; then
        ok "ranks ran in the head and worker containers (--stats hosts: $hosts)"
      else
        ko "--stats per_rank hosts of the cluster run: '$hosts' (want the head and both workers)"
      fi
      printf '1 x 15\n' | on_head -i -- >"$work/cluster-bad.out" 2>"$work/cluster-bad.err"
      rc=$?
      if [ $rc -eq 1 ] && grep -qx '15: 3 5' "$work/cluster-bad.out"; then
        ok "virtual cluster: stdin input, exit 1 for an invalid token"
      else
        ko "virtual cluster, stdin with an invalid token: exit $rc (want 1)"
        show "$work/cluster-bad.err" 10
      fi
    fi
  fi
  cleanup_cluster
  trap cleanup EXIT
fi

# Drop superseded test images of earlier runs (dangling, carrying our label); the layer cache stays.
timeout 120 podman image prune -f --filter "label=$label" >/dev/null 2>&1
log "total $(($(date +%s) - start)) s"
finish
