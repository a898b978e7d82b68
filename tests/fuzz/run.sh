#!/usr/bin/env bash
# Builds the libFuzzer harness (clang, ASan + UBSan) and runs it.
# usage: tests/fuzz/run.sh [SECONDS]   SECONDS > 0: fuzz that long from the corpus (new finds saved);
#                                      0: only replay the committed corpus and generated edge cases.
# Ends with "fuzz: N passed, N failed" (the replay, and the fuzzing when SECONDS > 0); a crash in the replay ends
# it at once (set -e) without that line, which make check counts as a failure.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SECONDS_TO_RUN=${1:-${FUZZ_SECONDS:-60}}
"$ROOT/tests/lib/install-deps.sh" clang libclang-rt-14-dev libgmp-dev libxxhash-dev
CLANG=$(command -v clang || command -v clang-14)
OUT="$ROOT/build/fuzz"
mkdir -p "$OUT/edge"
srcs=()
for m in input buf value codec stats sim; do srcs+=("$ROOT/src/$m.c"); done
rm -f "$OUT/fuzz_input"
"$CLANG" -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -I"$ROOT/include" "$HERE/fuzz_input.c" "${srcs[@]}" -o "$OUT/fuzz_input" -lgmp -lxxhash -lm \
  || { echo "fuzz: build failed"; exit 1; }
# generated edge cases too large to commit: a million-digit token, a 4 MiB line, NUL runs
python3 - "$OUT/edge" <<'PY'
import sys, os
d = sys.argv[1]
open(os.path.join(d, "million-digits"), "w").write("7" + "0123456789" * 100000 + "\n")
open(os.path.join(d, "long-line"), "w").write(" ".join(str(i) for i in range(600000)))
open(os.path.join(d, "nul-run"), "wb").write(b"12\x00" * 100000 + b"\x00" * 70000 + b"99")
open(os.path.join(d, "bad-million"), "w").write("1" * 999999 + "x")
PY
"$OUT/fuzz_input" -rss_limit_mb=4096 "$HERE/corpus"/* "$OUT/edge"/* 2>&1 | tail -n 3
echo "fuzz: corpus and edge cases replayed without a crash or leak"
tests=1
if [ "$SECONDS_TO_RUN" -gt 0 ]; then
  mkdir -p "$OUT/corpus"
  cp -n "$HERE/corpus"/* "$OUT/corpus/"
  rc=0
  (cd "$OUT" && ./fuzz_input -max_total_time="$SECONDS_TO_RUN" -max_len=65536 -rss_limit_mb=4096 \
    -print_final_stats=1 corpus > fuzz.log 2>&1) || rc=$?
  grep -E "stat::number_of_executed_units|stat::new_units_added|ERROR|SUMMARY|Done" "$OUT/fuzz.log" || true
  if [ "$rc" -ne 0 ]; then
    tail -n 40 "$OUT/fuzz.log"
    echo "fuzz: FAILED (crash input saved in $OUT as crash-*)"
    echo "fuzz: 1 passed, 1 failed"
    exit 1
  fi
  echo "fuzz: ran ${SECONDS_TO_RUN}s without a crash (new inputs kept in $OUT/corpus)"
  tests=2
fi
echo "fuzz: $tests passed, 0 failed"
