#!/usr/bin/env bash
# Runs the suites of `make check` one after another, every one even when an earlier one failed, into one log, and
# ends with the line "check: N passed, N failed" summed over all of them (tests/lib/check-summary.sh); before it,
# each failure is repeated with its detail.
# usage: tests/lib/run-suites.sh LOG SUITE...   SUITE: NAME=COMMAND (run with bash -c) or a make target NAME
# A suite that exits non-zero while its summary lines count no failure, or that prints no summary line at all
# (a crash, a build error), adds "NAME: 0 passed, 1 failed (why)" to the log, so it counts and is named.
# Exit status: 0 when every suite passed, 1 otherwise.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
log=$1
shift
tmp=$(mktemp -d /tmp/mf-check.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'echo "check: interrupted"; exit 130' INT TERM
: >"$log"
failed_suites=()
# failures_of LOG: a suite's FAIL lines with the indented lines under each (at most 20), and any core backtrace
# (40 lines), so that the end of the log, which may be all a CI report keeps, names what failed and why
failures_of() {
  awk '/^FAIL:/ { shown = 0; under = 1; print; next }
       under && /^    / { if (shown++ < 20) print; next }
       { under = 0 }
       /^--- backtrace/ { bt = 40 }
       bt > 0 { print; bt-- }' "$1"
}
for spec in "$@"; do
  if [[ $spec == *=* ]]; then
    name=${spec%%=*} cmd=${spec#*=}
  else
    name=$spec cmd="${MF_CHECK_MAKE:-make} --no-print-directory $spec"
  fi
  echo "=== $name: $cmd" | tee -a "$log"
  start=$SECONDS
  : >"$tmp/suite.log"
  bash -c "$cmd" 2>&1 | tee -a "$log" "$tmp/suite.log"
  rc=${PIPESTATUS[0]}
  counts=$("$here/check-summary.sh" -n "$name" "$tmp/suite.log")
  summary=$?
  why=
  if [ "$summary" -eq 2 ]; then
    why="exit $rc without a summary line"
  elif [ "$rc" -ne 0 ] && [ "$summary" -eq 0 ]; then
    why="exit $rc although its summary counts no failure"
  fi
  [ -n "$why" ] && echo "$name: 0 passed, 1 failed ($why)" | tee -a "$log"
  if [ -n "$why" ] || [ "$summary" -ne 0 ]; then
    failed_suites+=("$name")
    { echo "--- $name"; { failures_of "$tmp/suite.log"; [ -z "$why" ] || tail -n 20 "$tmp/suite.log"; } |
      sed 's/^/  /'; } >>"$tmp/failures" # indented: never counted again as a summary line
  fi
  echo "=== $name: exit $rc, $([ -n "$why" ] && echo "FAILED ($why)" || echo "$counts"), $((SECONDS - start)) s" |
    tee -a "$log"
done
if [ ${#failed_suites[@]} -gt 0 ]; then
  { echo "check: each failure again, as in the log above:"; head -n 200 "$tmp/failures"
    echo "check: failed suites: ${failed_suites[*]}"; } | tee -a "$log"
fi
"$here/check-summary.sh" "$log"
total=$?
[ ${#failed_suites[@]} -eq 0 ] && [ "$total" -eq 0 ]
