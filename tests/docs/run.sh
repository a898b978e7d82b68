#!/usr/bin/env bash
# Docs suite: the documentation's links resolve, the README stays short, the tables match the CSVs, and every
# command shown in a ```sh block of README.md and docs/*.md is run verbatim by a test.
#
# Commands: one that appears verbatim in another suite (tests/*/*.sh, .ci/run) is run there; the lines of
# README.md's "## Containers" section are run by tests/container/run.sh, which reads them itself. Every other
# command runs here, exactly as written (bash -c LINE), in a copy of the repository (its build/ a link to this
# checkout's) with stdout and stderr together; it must exit 0, and where a ```text block follows it, print
# exactly that. A block after a line `<!-- not run: REASON -->` is documented only: listed, counted as skipped.
# As root the Open MPI root variables are exported here, never written into the commands.
# Usage: tests/docs/run.sh   (builds build/mpifactor first when missing)
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/tests/docs
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mf-docs.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0 skipped=0
pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() {
  failed=$((failed + 1)); echo "FAIL $1"
  [ -n "${2:-}" ] && [ -f "$2" ] && sed -n '1,30p' "$2" | sed 's/^/    /'
}
skip() { skipped=$((skipped + 1)); echo "SKIP $1"; }
finish() { echo "docs: $passed passed, $failed failed, $skipped skipped"; [ "$failed" -eq 0 ]; exit; }
t0=$(date +%s)
cd "$ROOT" || exit 2

DOCS=(README.md docs/*.md)
LINKED=("${DOCS[@]}" jobs/README.md docker/README.md bench/README.md)

# --- (a) links --------------------------------------------------------------------------------------
if python3 "$HERE/links.py" "$ROOT" "${LINKED[@]}" >"$WORK/links.log" 2>&1; then
  pass "every relative link and #anchor resolves in ${LINKED[*]} ($(grep -o '[0-9]* links' "$WORK/links.log" | awk '{s += $1} END {print s}') links)"
else
  fail "broken links" "$WORK/links.log"
fi

# --- (b) README length ------------------------------------------------------------------------------
lines=$(wc -l <README.md)
if [ "$lines" -le 250 ]; then pass "README.md has $lines lines (at most 250)"; else fail "README.md has $lines lines, more than 250"; fi

# --- (c) tables in sync with the CSVs -----------------------------------------------------------------
if python3 docs/render_tables.py --check >"$WORK/render.log" 2>&1; then
  pass "docs/render_tables.py --check: the tables in ${DOCS[*]} match the CSVs"
else
  fail "tables out of date with the CSVs (run make docs)" "$WORK/render.log"
fi

# --- (d) every command shown is run by a test ----------------------------------------------------------
[ -x build/mpifactor ] || make --no-print-directory all >"$WORK/build.log" 2>&1 || { fail "make" "$WORK/build.log"; finish; }
if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
# the examples use 2 ranks; on a 1-core machine let Open MPI oversubscribe (environment, not the commands)
if [ "$(nproc)" -lt 2 ]; then export OMPI_MCA_rmaps_base_oversubscribe=1; fi
copy=$WORK/root
mkdir -p "$copy"
tar -C "$ROOT" --exclude=./build --exclude=./.git -c . | tar -C "$copy" -x
ln -s "$ROOT/build" "$copy/build"

# The other suites (extract.py names the one that runs each command verbatim).
suites=$(ls tests/*/*.sh .ci/run 2>/dev/null | grep -v '^tests/docs/' | tr '\n' ' ')

container_reads_section=0
grep -q '## Containers' tests/container/run.sh 2>/dev/null && container_reads_section=1
n=0
while IFS= read -r -d '' file && IFS= read -r -d '' section && IFS= read -r -d '' reason \
  && IFS= read -r -d '' cmd && IFS= read -r -d '' expected && IFS= read -r -d '' suite; do
  n=$((n + 1))
  where="$file${section:+ ($section)}"
  if [ -n "$reason" ]; then
    skip "$where: documented, not run ($reason): $cmd"
    continue
  fi
  if [ "$file" = README.md ] && [ "$section" = Containers ]; then
    if [ $container_reads_section -eq 1 ]; then
      pass "$where: run verbatim by tests/container/run.sh (it reads this section): $cmd"
    else
      fail "$where: tests/container/run.sh no longer reads README.md's Containers section: $cmd"
    fi
    continue
  fi
  if [ -n "$suite" ]; then
    pass "$where: run verbatim by $suite: $cmd"
    continue
  fi
  s=$(date +%s)
  (cd "$copy" && timeout -k 10 300 bash -c "$cmd") </dev/null >"$WORK/out.$n" 2>&1
  rc=$?
  secs=$(($(date +%s) - s))
  if [ $rc -ne 0 ]; then
    fail "$where: exit $rc: $cmd" "$WORK/out.$n"
  elif [ "$expected" != $'\x01' ]; then
    if printf '%s' "$expected" | cmp -s - "$WORK/out.$n"; then
      pass "$where: run here, output as shown (${secs} s): $cmd"
    else
      printf '%s' "$expected" | diff - "$WORK/out.$n" >"$WORK/diff.$n"
      fail "$where: output differs from the text shown (< shown, > printed): $cmd" "$WORK/diff.$n"
    fi
  else
    pass "$where: run here, exit 0 (${secs} s): $cmd"
  fi
done < <(python3 "$HERE/extract.py" "$suites" "${DOCS[@]}")
if [ "$n" -eq 0 ]; then fail "no commands found in ${DOCS[*]}"; fi
echo "docs: checked $n commands in $(($(date +%s) - t0)) s"
finish
