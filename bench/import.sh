#!/usr/bin/env bash
# bench/import.sh — the import benchmark: the bundled Sendai plan and the synthetic national-scale
# list (bench/gen_national.c, 435,000 listings), imported into a fresh database each run, with the
# search index (`import`) and without (`import --no-index`), side by side in one hyperfine run.
# Reports median wall time (hyperfine), peak RSS (GNU time) and the load average before and after
# (the machine is shared).  Figures go to docs/benchmarks.md.
#
# Usage: bench/import.sh [--runs N]     (default: 40 runs for Sendai, 3 for the national list)
set -euo pipefail
cd "$(dirname "$0")/.."
runs_small=40
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
echo "national list: $(grep -cP '^\d+\t' "$national") listings, $(stat -L -c %s "$national") bytes, sha256 $(sha256sum "$national" | cut -c1-16)…"

db=$out/bench.db
fresh="rm -f $db $db-wal $db-shm $db-journal"
# peak RSS of one run (KiB), fresh database; extra import options first
peak() { $fresh; /usr/bin/time -f '%M' "$sasae" --db "$db" import --quiet "$@" 2>&1 >/dev/null | tail -1; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "== Sendai plan (data/sendai-2024-draft.txt, $(stat -c %s data/sendai-2024-draft.txt) bytes)"
hyperfine -N --warmup 5 --runs "$runs_small" --prepare "$fresh" --export-json "$out/import-sendai.json" \
  "$sasae --db $db import --quiet data/sendai-2024-draft.txt" \
  "$sasae --db $db import --quiet --no-index data/sendai-2024-draft.txt"
echo "peak RSS: $(peak data/sendai-2024-draft.txt) KiB; --no-index $(peak --no-index data/sendai-2024-draft.txt) KiB"

echo
echo "== national-scale synthetic list ($national)"
hyperfine -N --runs "$runs_large" --prepare "$fresh" --export-json "$out/import-national.json" \
  "$sasae --db $db import --quiet --no-index $national" \
  "$sasae --db $db import --quiet $national"
echo "peak RSS: --no-index $(peak --no-index "$national") KiB, database $(stat -c %s "$db") bytes;" \
  "with the index $(peak "$national") KiB, database $(stat -c %s "$db") bytes"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$out/import-sendai.json" "$out/import-national.json" <<'PY'
import json, sys
for f in sys.argv[1:]:
    for r in json.load(open(f))["results"]:
        unit, k = ("ms", 1000) if r["median"] < 1 else ("s", 1)
        print(f"import {r['command'].split(' import --quiet ')[1]}: median {r['median']*k:.1f} {unit}"
              f"  (min {r['min']*k:.1f}, max {r['max']*k:.1f}, runs {len(r['times'])})")
PY
