# Shared by the shell suites (sourced): counters and the PASS/FAIL lines they sum into "AREA: N passed, N failed".
# The suite sets passed=0 failed=0 and WORK (its scratch directory) before using them.
# shellcheck shell=bash
# pass NAME / fail NAME [LOG]: count and print one result (fail shows the first 20 lines of LOG, indented)
pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; [ -n "${2:-}" ] && sed 's/^/    /' "$2" | head -20; }
# check NAME COMMAND...: passes when the command succeeds; its output is shown on failure
check() { local name=$1; shift; if "$@" >"$WORK/check.log" 2>&1; then pass "$name"; else fail "$name" "$WORK/check.log"; fi; }
