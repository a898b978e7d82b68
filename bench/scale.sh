# bench/scale.sh: the master targets (issues 11 and 12), sourced by bench/run.sh after its own targets; uses its
# helpers (workload, rep, row, calc, met_if, json_num, check_same) and variables.
# shellcheck shell=bash disable=SC2154

# stat_rank FILE FIELD RANK: per_rank[RANK].FIELD of a --stats JSON file.
stat_rank() { "$PYTHON" -c "import json,sys; print(json.load(open(sys.argv[1]))['per_rank'][int(sys.argv[3])][sys.argv[2]])" "$1" "$2" "$3" 2>/dev/null; }

echo "== master targets (issues 11, 12); the scheduling targets are bench/sched.sh's"
T00=$W/t00.txt
[ -s "$T00" ] || seq 0 10000000 >"$T00"
T00_SHA1=a451244522b1b662c86cb3cbb55aee3e085a61a0   # coreutils tests/factor/create-test.sh, t00
factor <"$T00" >"$OUT/t00.factor"
[ "$(sha1sum <"$OUT/t00.factor" | cut -d' ' -f1)" = "$T00_SHA1" ] || { echo "  FAIL  GNU factor's t00 sha1"; fail=1; }

echo "-- target 11: coreutils t00 (seq 0 10000000) to a file"
# t11_np2: the default, parallel I/O here (every rank sees the same files); t11_r0: --no-parallel-io, rank 0
# moves every byte (what a cluster without a shared file system gets)
for ((r = 1; r <= REPS; r++)); do
  rep t11_factor - bash -c "factor <'$T00' >'$OUT/t11_factor.file'"
  rep t11_np2 - mpf 2 -o "$OUT/t11_np2.file" --stats "$OUT/t11_np2.json" "$T00"
  rep t11_r0 - mpf 2 --no-parallel-io -o "$OUT/t11_r0.file" --stats "$OUT/t11_r0.json" "$T00"
done
for key in t11_np2 t11_r0; do
  sha=$(sha1sum <"$OUT/$key.file" | cut -d' ' -f1)
  [ "$sha" = "$T00_SHA1" ] && echo "  ok    target 11: sha1 of mpifactor's t00 output ($key) = coreutils' published $T00_SHA1" \
    || { echo "  FAIL  target 11: $key: sha1 $sha, want $T00_SHA1"; fail=1; }
done
label() { [ "$1" = t11_r0 ] && echo "mpifactor --no-parallel-io" || echo "mpifactor (default: parallel I/O)"; }
row t11_factor "11 coreutils t00" "seq 0 10000000" 10000001 "GNU factor > file" 1 "${WALL[t11_factor]}" "" "" "" ""
for key in t11_np2 t11_r0; do
  ratio=$(calc "${WALL[$key]} / ${WALL[t11_factor]}")
  row "$key" "11 coreutils t00" "seq 0 10000000" 10000001 "$(label $key) -o FILE" 2 "${WALL[$key]}" "${COMP[$key]}" "$ratio" \
    "wall / factor wall <= 0.6" "$(met_if "$ratio <= 0.6")" "$(calc "10000001 / ${WALL[$key]}")"
done

echo "-- target 12: rank 0's non-factoring time per number (t00, np 2)"
# service_s = wall - busy - idle of rank 0 (the goal); service_cpu_s = its CPU time outside its own slices
# (all its threads: Open MPI's included)
for key in t11_np2 t11_r0; do
  svc=$(stat_rank "$OUT/$key.best.json" service_s 0)
  ns=$(calc "${svc:-0} * 1e9 / 10000001")
  row "$key" "12 rank 0 service" "seq 0 10000000" 10000001 "$(label $key) (service_s of rank 0)" 2 "" "" "$ns" \
    "service ns per number <= 20" "$(met_if "$ns <= 20")"
  svc=$(stat_rank "$OUT/$key.best.json" service_cpu_s 0)
  ns=$(calc "${svc:-0} * 1e9 / 10000001")
  row "$key" "12 rank 0 service CPU" "seq 0 10000000" 10000001 "$(label $key) (service_cpu_s of rank 0)" 2 "" "" "$ns" \
    "non-factoring CPU ns per number (no goal)" ""
done
