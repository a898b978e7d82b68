#!/usr/bin/env bash
# Sums the results of every suite in a `make check` log into one closing line "check: N passed, N failed".
# Reads Check's "Checks: N, Failures: F, Errors: E" and the shell suites' "area: N passed, N failed" lines.
set -euo pipefail
awk '
  /Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+/ {
    match($0, /Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+/)
    split(substr($0, RSTART, RLENGTH), f, /[^0-9]+/)
    passed += f[2] - f[3] - f[4]; failed += f[3] + f[4]; next
  }
  /^[a-z]+: [0-9]+ passed, [0-9]+ failed/ {
    passed += $2; failed += $4; next
  }
  END { printf "check: %d passed, %d failed\n", passed, failed; exit failed > 0 }
' "$1"
