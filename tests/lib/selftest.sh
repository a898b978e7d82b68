#!/usr/bin/env bash
# Self-test of the test machinery (part of make check, a few seconds): run-suites.sh keeps running the suites after
# one fails and counts crashed or silent ones by name, check-summary.sh sums every kind of summary line, the
# Makefile's check target lists every suite, wait-for.sh reads checkpoint records, apt-mirror.sh finds the mirror.
# usage: tests/lib/selftest.sh   (stand-in suites only: none of the real suites runs here)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d /tmp/mf-selftest.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; [ -n "${2:-}" ] && sed 's/^/    /' "$2" | tail -n 20; }
check() { local name=$1; shift; if "$@" >"$WORK/check.log" 2>&1; then pass "$name"; else fail "$name" "$WORK/check.log"; fi; }
# the stand-ins' own result lines must not reach make check's log, where they would be counted: outputs to files

# --- run-suites.sh: a failed early suite does not stop the later ones; every failure is counted and named -------
"$HERE/run-suites.sh" "$WORK/mixed.log" \
  "early=echo starting; exit 7" \
  "failing=echo 'failing: 1 passed, 2 failed'; exit 1" \
  "lying=echo 'lying: 2 passed, 0 failed'; exit 1" \
  "silent=true" \
  "unitlike=echo '100%: Checks: 3, Failures: 0, Errors: 0'" \
  "hyphen-ok=echo 'hyphen-ok: 4 passed, 0 failed, 1 skipped'" \
  "late=touch '$WORK/late.ran'; echo 'late: 5 passed, 0 failed'" >"$WORK/mixed.out" 2>&1
rc=$?
check "a crashed first suite: the later suites still run, exit non-zero" bash -c "[ $rc -ne 0 ] && [ -f '$WORK/late.ran' ]"
check "the last line sums every suite, the crashed, lying and silent ones as one failure each" \
  test "$(tail -n 1 "$WORK/mixed.out")" = "check: 15 passed, 5 failed, 1 skipped"
check "each failing suite is named, with the reason for those without a usable summary" bash -c "
  grep -qx 'early: 0 passed, 1 failed (exit 7 without a summary line)' '$WORK/mixed.out' &&
  grep -qx 'lying: 0 passed, 1 failed (exit 1 although its summary counts no failure)' '$WORK/mixed.out' &&
  grep -qx 'silent: 0 passed, 1 failed (exit 0 without a summary line)' '$WORK/mixed.out' &&
  grep -qx 'check: failed suites: early failing lying silent' '$WORK/mixed.out'"
check "the log holds every suite's output and the same total" bash -c "
  grep -qx 'late: 5 passed, 0 failed' '$WORK/mixed.log' && grep -qx starting '$WORK/mixed.log' &&
  [ \"\$('$HERE/check-summary.sh' '$WORK/mixed.log')\" = 'check: 15 passed, 5 failed, 1 skipped' ]"
"$HERE/run-suites.sh" "$WORK/fails.log" "ok=echo 'ok: 1 passed, 0 failed'" \
  "bad=printf 'PASS: fine\nFAIL: the thing\n    why it failed\nPASS: next\nbad: 2 passed, 1 failed\n'" \
  "dead=echo 'dying words'; exit 9" >"$WORK/fails.out" 2>&1
check "before the total, each failure again with its detail (the end of a long log names what failed)" bash -c "
  sed -n '/^check: each failure again/,\$p' '$WORK/fails.out' > '$WORK/fails.tail' &&
  grep -qx '  FAIL: the thing' '$WORK/fails.tail' && grep -qx '      why it failed' '$WORK/fails.tail' &&
  grep -qx '  dying words' '$WORK/fails.tail' && ! grep -q 'PASS' '$WORK/fails.tail' &&
  grep -qx -- '--- dead' '$WORK/fails.tail' && ! grep -qx -- '--- ok' '$WORK/fails.tail' &&
  [ \"\$(tail -n 1 '$WORK/fails.out')\" = 'check: 3 passed, 2 failed' ]"
"$HERE/run-suites.sh" "$WORK/ok.log" "a=echo 'a: 1 passed, 0 failed'" \
  "b=echo '100%: Checks: 2, Failures: 0, Errors: 0'" >"$WORK/ok.out" 2>&1
rc=$?
check "all suites passing: exit 0, last line 'check: 3 passed, 0 failed'" \
  bash -c "[ $rc -eq 0 ] && [ \"\$(tail -n 1 '$WORK/ok.out')\" = 'check: 3 passed, 0 failed' ]"
# --beside: those suites run in a second lane from the start (the first lane's suite waits for a file the second
# lane's writes), their output follows the others' in the log, their failures count and are named
"$HERE/run-suites.sh" "$WORK/beside.log" \
  "waits=for i in \$(seq 100); do [ -f '$WORK/beside.ran' ] && break; sleep 0.1; done
         [ -f '$WORK/beside.ran' ] && echo 'waits: 1 passed, 0 failed'" \
  "after=echo 'after: 1 passed, 0 failed'" --beside \
  "writes=touch '$WORK/beside.ran'; echo 'writes: 2 passed, 0 failed'" \
  "sidefail=printf 'FAIL: beside thing\n    its detail\nsidefail: 0 passed, 1 failed\n'" >"$WORK/beside.out" 2>&1
rc=$?
check "--beside: its suites run alongside from the start, their failures counted and named after the others'" bash -c "
  [ $rc -ne 0 ] && grep -qx 'waits: 1 passed, 0 failed' '$WORK/beside.log' &&
  [ \"\$(grep -n '^=== ' '$WORK/beside.log' | grep -o '=== [a-z]*' | tr '\n' ' ')\" = \
    '=== waits === waits === after === after === writes === writes === sidefail === sidefail ' ] &&
  grep -qx '  FAIL: beside thing' '$WORK/beside.out' && grep -qx 'check: failed suites: sidefail' '$WORK/beside.out' &&
  [ \"\$(tail -n 1 '$WORK/beside.out')\" = 'check: 4 passed, 1 failed' ]"
mkdir -p "$WORK/mk"
printf 'ok:\n\t@echo "ok: 1 passed, 0 failed"\nbroken:\n\t@exit 2\n' >"$WORK/mk/Makefile"
MF_CHECK_MAKE="make -C $WORK/mk" "$HERE/run-suites.sh" "$WORK/mk.log" broken ok >"$WORK/mk.out" 2>&1
rc=$?
check "make targets as suites: a failing target is named, the next one runs" bash -c "
  [ $rc -ne 0 ] && grep -q '^broken: 0 passed, 1 failed (exit 2 without a summary line)' '$WORK/mk.out' &&
  [ \"\$(tail -n 1 '$WORK/mk.out')\" = 'check: 1 passed, 1 failed' ]"

# --- check-summary.sh ---------------------------------------------------------------------------------------------
printf '%s\n' 'parallel-io: 25 passed, 0 failed' 'simulate-test: 1 passed, 2 failed, 3 skipped' \
  '87%: Checks: 8, Failures: 1, Errors: 0' 'check: 100 passed, 100 failed' '=== x: 100%: Checks: 9, Failures: 0, Errors: 0' \
  'PASS: y: 5 passed, 0 failed' >"$WORK/sum.log"
"$HERE/check-summary.sh" "$WORK/sum.log" >"$WORK/sum.out"
rc=$?
check "check-summary: hyphenated areas and Check lines counted, totals and other lines not; exit 1 on failures" \
  bash -c "[ $rc -eq 1 ] && [ \"\$(cat '$WORK/sum.out')\" = 'check: 33 passed, 3 failed, 3 skipped' ]"
: >"$WORK/empty.log"
"$HERE/check-summary.sh" -n lonely "$WORK/empty.log" >"$WORK/empty.out"
rc=$?
check "check-summary: no result line at all is exit 2" bash -c "[ $rc -eq 2 ] && [ \"\$(cat '$WORK/empty.out')\" = 'lonely: 0 passed, 0 failed' ]"

# --- the Makefile's check target runs every suite through run-suites.sh (dry run: nothing is executed) -------------
make -C "$ROOT" -n -s check >"$WORK/make-n.out" 2>&1
check "make check hands every suite to run-suites.sh" bash -c "
  line=\$(grep 'run-suites.sh' '$WORK/make-n.out') || exit 1
  for s in selftest unit unit-san unit-emu integration wide parallel-io roles sched ux retry fuzz-replay simulate-test install-test docs-test mpich slurm multihost container; do
    grep -Eq \"(^| |\\\")\$s(=| |\\\"|\$)\" <<<\"\$line\" || { echo \"missing suite \$s in: \$line\"; exit 1; }
  done"

# --- wait-for.sh: checkpoint records and the bounded waits ---------------------------------------------------------
. "$HERE/wait-for.sh"
printf 'mpifactor-checkpoint 2 0123456789abcdef\ndone 5 100 0a1b2c3d\ndone 9 180 0a1b2c3d\ndone 12 2' >"$WORK/torn.ckpt"
check "mf_ckpt_done: the last complete record (a torn one ignored), 0 for a header only or no file" bash -c "
  . '$HERE/wait-for.sh'; [ \$(mf_ckpt_done '$WORK/torn.ckpt') = 9 ] && [ \$(mf_ckpt_done '$WORK/nothing') = 0 ] &&
  head -n 1 '$WORK/torn.ckpt' >'$WORK/header.ckpt' && [ \$(mf_ckpt_done '$WORK/header.ckpt') = 0 ]"
sleep 30 & alive=$!
seen=$(mf_wait_done "$WORK/torn.ckpt" 6 20 $alive 5 2>"$WORK/wait1.err"); rc=$?
check "mf_wait_done: returns at once with N when the record is there" bash -c "[ $rc -eq 0 ] && [ '$seen' = 9 ]"
mf_wait_done "$WORK/torn.ckpt" 6 8 $alive 5 >/dev/null 2>"$WORK/wait2.err"; rc=$?
check "mf_wait_done: fails, saying so, when the run is past the part that had to be in progress" \
  bash -c "[ $rc -eq 1 ] && grep -q 'past 8' '$WORK/wait2.err'"
mf_wait_done "$WORK/torn.ckpt" 50 60 $alive 1 >/dev/null 2>"$WORK/wait3.err"; rc=$?
check "mf_wait_done: gives up after its limit, saying so" bash -c "[ $rc -eq 1 ] && grep -q 'after 1 s' '$WORK/wait3.err'"
kill $alive; wait $alive 2>/dev/null
true & gone=$!; wait $gone
mf_wait_done "$WORK/torn.ckpt" 50 60 $gone 30 >/dev/null 2>"$WORK/wait4.err"; rc=$?
check "mf_wait_done: fails at once, saying so, when the run has ended" bash -c "[ $rc -eq 1 ] && grep -q 'ended before' '$WORK/wait4.err'"
printf 'a\nb\nc\n' >"$WORK/three.txt"
check "mf_wait_lines: returns the count once the file has enough lines" bash -c "
  . '$HERE/wait-for.sh'; [ \$(mf_wait_lines '$WORK/three.txt' 2 $$ 5) = 3 ]"

# --- apt-mirror.sh: the mirror from apt's sources, never a guess ------------------------------------------------------
. "$HERE/apt-mirror.sh"
apt() { rm -rf "$WORK/apt"; mkdir -p "$WORK/apt/sources.list.d"; }
apt
cat >"$WORK/apt/sources.list.d/debian.sources" <<'EOT'
Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian/
Suites: bookworm bookworm-updates
Components: main
EOT
check "deb822: the URIs line, not the commented snapshot (trailing / dropped)" \
  test "$(mf_apt_mirror bookworm "$WORK/apt")" = http://mirror.example/debian
apt
cat >"$WORK/apt/sources.list.d/debian.sources" <<'EOT'
Types: deb
URIs: http://security.example/debian-security
Suites: bookworm-security
Components: main

Types: deb
URIs: http://off.example/debian
Suites: bookworm
Enabled: no

Types: deb-src deb
URIs:
 http://continued.example/debian
Suites: bookworm
Components: main
EOT
check "deb822: other suites and disabled stanzas skipped, a URI on a continuation line read" \
  test "$(mf_apt_mirror bookworm "$WORK/apt")" = http://continued.example/debian
apt
cat >"$WORK/apt/sources.list" <<'EOT'
# deb http://commented.example/debian bookworm main
deb-src http://src.example/debian bookworm main
deb [signed-by=/usr/share/keyrings/x.gpg arch=amd64] http://list.example/debian/ bookworm main # the mirror
EOT
printf 'Types: deb\nURIs: http://later.example/debian\nSuites: bookworm\n' >"$WORK/apt/sources.list.d/a.sources"
check "one-line entries: comments and deb-src skipped, [options] allowed; sources.list before sources.list.d" \
  test "$(mf_apt_mirror bookworm "$WORK/apt")" = http://list.example/debian
apt
printf 'deb http://b.example/debian bookworm main\n' >"$WORK/apt/sources.list.d/b.list"
printf 'Types: deb\nURIs: http://a.example/debian\nSuites: bookworm\n' >"$WORK/apt/sources.list.d/a.sources"
check "sources.list.d: .list and .sources files in name order" test "$(mf_apt_mirror bookworm "$WORK/apt")" = http://a.example/debian
apt
printf '# deb http://commented.example/debian bookworm main\n' >"$WORK/apt/sources.list"
printf 'Types: deb\n# URIs: http://commented.example/debian\nSuites: bookworm\n' >"$WORK/apt/sources.list.d/x.sources"
mf_apt_mirror bookworm "$WORK/apt" >"$WORK/mirror.out" 2>"$WORK/mirror.err"; rc=$?
check "no usable source: exit 1, nothing printed, a clear message" bash -c \
  "[ $rc -eq 1 ] && [ ! -s '$WORK/mirror.out' ] && grep -q 'no apt source serves Debian bookworm' '$WORK/mirror.err'"

echo "selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
