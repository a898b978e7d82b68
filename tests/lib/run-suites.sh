#!/usr/bin/env bash
# Runs the suites of `make check`, every one even when an earlier one failed, into one log, and ends with the line
# "check: N passed, N failed" summed over all of them (tests/lib/check-summary.sh); before it, each failure is
# repeated with its detail.
# usage: tests/lib/run-suites.sh LOG SUITE... [--beside SUITE...]
#   SUITE: NAME=COMMAND (run with bash -c) or a make target NAME.
#   The suites before --beside run one after another, their output shown as they go. Those after it run one after
#   another in a second lane beside the first, from its start (suites that mostly wait: daemons, image builds,
#   package installs); their output goes to a log of their own, shown and added to LOG once both lanes are done.
#   Each lane's suites must not share files with the other's: build what both need before (make check does).
# A suite that exits non-zero while its summary lines count no failure, or that prints no summary line at all
# (a crash, a build error), adds "NAME: 0 passed, 1 failed (why)" to the log, so it counts and is named.
# Exit status: 0 when every suite passed, 1 otherwise.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
log=$1
shift
main=() beside=()
while [ $# -gt 0 ]; do
  if [ "$1" = --beside ]; then shift; beside=("$@"); break; fi
  main+=("$1"); shift
done
tmp=$(mktemp -d /tmp/mf-check.XXXXXX)
lane_pid=
# kill_tree PID: PID and every process under it
kill_tree() { local c; for c in $(pgrep -P "$1"); do kill_tree "$c"; done; kill "$1" 2>/dev/null; }
trap 'rm -rf "$tmp"' EXIT
trap '[ -n "$lane_pid" ] && kill_tree "$lane_pid"; echo "check: interrupted"; exit 130' INT TERM
: >"$log"
# failures_of LOG: a suite's FAIL lines with the indented lines under each (at most 20), and any core backtrace
# (40 lines), so that the end of the log, which may be all a CI report keeps, names what failed and why
failures_of() {
  awk '/^FAIL:/ { shown = 0; under = 1; print; next }
       under && /^    / { if (shown++ < 20) print; next }
       { under = 0 }
       /^--- backtrace/ { bt = 40 }
       bt > 0 { print; bt-- }' "$1"
}
# run_suite SPEC LANE LANELOG: runs one suite, its output on stdout and in LANELOG; a failed suite's name goes to
# $tmp/LANE.failed and its failures, with their detail, to $tmp/LANE.failures
run_suite() {
  local spec=$1 lane=$2 lanelog=$3 name cmd start rc counts summary why
  if [[ $spec == *=* ]]; then
    name=${spec%%=*} cmd=${spec#*=}
  else
    name=$spec cmd="${MF_CHECK_MAKE:-make} --no-print-directory $spec"
  fi
  echo "=== $name: $cmd" | tee -a "$lanelog"
  start=$SECONDS
  : >"$tmp/$lane.suite.log"
  bash -c "$cmd" 2>&1 | tee -a "$lanelog" "$tmp/$lane.suite.log"
  rc=${PIPESTATUS[0]}
  counts=$("$here/check-summary.sh" -n "$name" "$tmp/$lane.suite.log")
  summary=$?
  why=
  if [ "$summary" -eq 2 ]; then
    why="exit $rc without a summary line"
  elif [ "$rc" -ne 0 ] && [ "$summary" -eq 0 ]; then
    why="exit $rc although its summary counts no failure"
  fi
  [ -n "$why" ] && echo "$name: 0 passed, 1 failed ($why)" | tee -a "$lanelog"
  if [ -n "$why" ] || [ "$summary" -ne 0 ]; then
    echo "$name" >>"$tmp/$lane.failed"
    { echo "--- $name"; { failures_of "$tmp/$lane.suite.log"; [ -z "$why" ] || tail -n 20 "$tmp/$lane.suite.log"; } |
      sed 's/^/  /'; } >>"$tmp/$lane.failures" # indented: never counted again as a summary line
  fi
  echo "=== $name: exit $rc, $([ -n "$why" ] && echo "FAILED ($why)" || echo "$counts"), $((SECONDS - start)) s" |
    tee -a "$lanelog"
}
: >"$tmp/beside.log" >"$tmp/main.failed" >"$tmp/beside.failed" >"$tmp/main.failures" >"$tmp/beside.failures"
if [ ${#beside[@]} -gt 0 ]; then
  echo "=== beside the others, one after another: ${beside[*]} (their output follows the others')"
  (
    trap - INT TERM
    for spec in "${beside[@]}"; do run_suite "$spec" beside "$tmp/beside.log"; done >/dev/null
  ) </dev/null &
  lane_pid=$!
fi
for spec in "${main[@]}"; do run_suite "$spec" main "$log"; done
if [ -n "$lane_pid" ]; then
  start=$SECONDS
  wait "$lane_pid"
  lane_pid=
  echo "=== the suites beside: done $((SECONDS - start)) s after the others"
  tee -a "$log" <"$tmp/beside.log"
fi
failed_suites=($(cat "$tmp/main.failed" "$tmp/beside.failed"))
if [ ${#failed_suites[@]} -gt 0 ]; then
  { echo "check: each failure again, as in the log above:"
    cat "$tmp/main.failures" "$tmp/beside.failures" | head -n 200
    echo "check: failed suites: ${failed_suites[*]}"; } | tee -a "$log"
fi
"$here/check-summary.sh" "$log"
total=$?
[ ${#failed_suites[@]} -eq 0 ] && [ "$total" -eq 0 ]
