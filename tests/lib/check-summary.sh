#!/usr/bin/env bash
# Sums the results in a `make check` log (or in one suite's output) into one line "NAME: N passed, N failed", with
# ", N skipped" after it when any were; NAME is check unless -n NAME. Reads Check's "P%: Checks: N, Failures: F,
# Errors: E" lines and the shell suites' "area: N passed, N failed[, N skipped]" lines (area: lower case, digits,
# hyphens), never earlier "check:" totals.
# usage: tests/lib/check-summary.sh [-n NAME] LOG
# Exit status: 0 no failure, 1 some failed, 2 the log holds no result line at all.
set -euo pipefail
name=check
if [ "${1:-}" = -n ]; then
  name=$2
  shift 2
fi
awk -v name="$name" '
  /^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+/ {
    match($0, /Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+/)
    split(substr($0, RSTART, RLENGTH), f, /[^0-9]+/)
    passed += f[2] - f[3] - f[4]; failed += f[3] + f[4]; lines++; next
  }
  /^check:/ { next }
  /^[a-z][a-z0-9-]*: [0-9]+ passed, [0-9]+ failed/ {
    passed += $2; failed += $4; lines++
    if (match($0, /^[^(]*, [0-9]+ skipped/)) { s = substr($0, 1, RLENGTH); sub(/ skipped$/, "", s); sub(/.*, /, "", s); skipped += s }
    next
  }
  END {
    printf "%s: %d passed, %d failed", name, passed, failed
    if (skipped > 0) printf ", %d skipped", skipped
    printf "\n"
    exit lines == 0 ? 2 : failed > 0
  }
' "$1"
