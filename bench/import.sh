#!/usr/bin/env bash
# bench/import.sh — the import benchmark: the bundled Sendai plan and the synthetic national-scale
# list (bench/gen_national.c, 435,000 listings), imported into a fresh database each run.
# Reports median wall time (hyperfine) and peak RSS (GNU time).  Figures go to docs/benchmarks.md.
#
# Usage: bench/import.sh [--runs N]     (default: 20 runs for Sendai, 3 for the national list)
set -euo pipefail
cd "$(dirname "$0")/.."
runs_small=20
runs_large=3
if [ "${1:-}" = "--runs" ]; then runs_small=$2; runs_large=$2; fi

for tool in hyperfine /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench/import.sh: $tool is missing (apt-get install hyperfine time)" >&2; exit 1; }
done

build=build-bench
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target sasae gen_national >/dev/null
out=bench/out
mkdir -p "$out"
sasae=$PWD/$build/sasae
national=$out/national.txt
if [ ! -s "$national" ]; then
  "$build/gen_national" data/sendai-2024-draft.txt > "$national"
fi
echo "national list: $(grep -cP '^\d+\t' "$national") listings, $(stat -c %s "$national") bytes, sha256 $(sha256sum "$national" | cut -c1-16)…"

db=$out/bench.db
# peak RSS of one run (KiB), fresh database
peak() { rm -f "$db" "$db-wal" "$db-shm"; /usr/bin/time -f '%M' "$sasae" --db "$db" import --quiet "$1" 2>&1 >/dev/null | tail -1; }

echo
echo "== Sendai plan (data/sendai-2024-draft.txt, $(stat -c %s data/sendai-2024-draft.txt) bytes)"
hyperfine -N --warmup 3 --runs "$runs_small" --prepare "rm -f $db $db-wal $db-shm" \
  --export-json "$out/import-sendai.json" "$sasae --db $db import --quiet data/sendai-2024-draft.txt"
echo "peak RSS: $(peak data/sendai-2024-draft.txt) KiB"

echo
echo "== national-scale synthetic list ($national)"
hyperfine -N --runs "$runs_large" --prepare "rm -f $db $db-wal $db-shm" \
  --export-json "$out/import-national.json" "$sasae --db $db import --quiet $national"
echo "peak RSS: $(peak "$national") KiB"
echo "database size: $(stat -c %s "$db") bytes"
python3 - "$out/import-sendai.json" "$out/import-national.json" <<'PY'
import json, sys
for f in sys.argv[1:]:
    r = json.load(open(f))["results"][0]
    print(f"{f}: median {r['median']*1000:.1f} ms  (min {r['min']*1000:.1f}, max {r['max']*1000:.1f}, runs {len(r['times'])})")
PY
