#!/usr/bin/env bash
# bench/search/run.sh — the search benchmark in one run: sasae against Groonga (TokenBigram +
# NormalizerAuto), SQLite FTS5 trigram (+ LIKE for short terms) and a brute-force scan, on the
# deterministic national-scale synthetic catalogue.  Report: bench/out/search-report.md
# (docs/benchmarks-search.md explains it).
#
# Usage: bench/search/run.sh [--runs N] [--slow-runs M] [--budget SECONDS] [--reuse] [--skip ENGINES]
#   --runs N         timed runs per query for sasae and Groonga (default 30)
#   --slow-runs M    timed runs per query for trigram and brute force (default 5)
#   --budget S       an engine stops after S seconds on a query once it has one run (default 10)
#   --reuse          keep bench/out/national.db if it exists (the index build is then not timed)
#   --skip ENGINES   e.g. "sasae" (passed to search_bench; brute force always runs)
# Needs: cmake, a C compiler, groonga (apt-get install groonga-bin).
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=30 slow_runs=5 budget=10 reuse=0 skip=
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --slow-runs) slow_runs=$2; shift 2 ;;
    --budget) budget=$2; shift 2 ;;
    --reuse) reuse=1; shift ;;
    --skip) skip=$2; shift 2 ;;
    *) sed -n '2,14p' "$0" >&2; exit 2 ;;
  esac
done
command -v groonga >/dev/null || { echo "run.sh: groonga is missing (apt-get install groonga-bin)" >&2; exit 1; }

started=$(date +%s)
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }

build="build-bench"
out=bench/out
mkdir -p "$out"
echo "== build ($build, Release)"
# Warnings are not errors here: a benchmark build must not fail on a colleague's new warning.
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSASAE_TESTS=OFF -DSASAE_BENCH=ON -DSASAE_WERROR=OFF >/dev/null
cmake --build "$build" -j2 --target sasae gen_national search_bench >/dev/null
sasae=$build/sasae
bench=$build/bench/search/search_bench

national=$out/national.txt
if [ ! -s "$national" ]; then
  echo "== generating $national"
  "$build/gen_national" data/sendai-2024-draft.txt > "$national"
fi
db=$out/national.db
info=$out/search-build.md
: > "$info"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
if [ "$reuse" = 1 ] && [ -s "$db" ]; then
  echo "== reusing $db (index build not timed)"
  echo "| sasae | (reused database: not timed) | | |" >> "$info"
else
  echo "== importing $national (--no-index, then reindex)"
  rm -f "$db" "$db-wal" "$db-shm"
  t0=$(now)
  "$sasae" --db "$db" import --quiet --no-index "$national"
  t1=$(now)
  "$sasae" --db "$db" reindex
  t2=$(now)
  echo "import --no-index $(secs "$t0" "$t1") s, reindex $(secs "$t1" "$t2") s"
  echo "| sasae | **$(secs "$t1" "$t2") s** (\`sasae reindex\`; \`import --no-index\` before it: $(secs "$t0" "$t1") s) | database file $(mb "$(stat -c %s "$db")") with the index | FTS5, tokenizer \`sasae\`; reads the base tables (group_concat of sections per program), one transaction |" >> "$info"
fi

echo "== Groonga"
bench/search/groonga.sh "$db" "$out/groonga" "$bench" "$out/groonga.build.txt" >/dev/null
g() { sed -n "s/^$1=//p" "$out/groonga.build.txt"; }
gl=$(awk -v a="$(g load_seconds)" -v b="$(g index_seconds)" 'BEGIN { printf "%.1f", a + b }')
echo "load $(g load_seconds) s, index $(g index_seconds) s"
echo "| groonga | **${gl} s** (load $(g load_seconds) s + index $(g index_seconds) s; JSON export from sasae $(g export_seconds) s, not counted) | $(mb "$(g size_total_bytes)") apparent, $(mb "$(g disk_total_bytes)") on disk; index (lexicon + index column) $(mb "$(g size_index_bytes)") apparent, $(mb "$(g disk_index_bytes)") on disk | Groonga $(g version), TokenBigram + NormalizerAuto, static index construction after the load |" >> "$info"

echo "== queries (sasae, sasae-2step, groonga, trigram, brute)"
args=(--db "$db" --queries bench/search/queries.txt --runs "$runs" --slow-runs "$slow_runs" --budget "$budget"
      --groonga "$out/groonga/db" --trigram "$out/trigram.db" --build-trigram --build-info "$info"
      --report "$out/search-report.md.tmp" --tsv "$out/search-results.tsv")
[ -n "$skip" ] && args+=(--skip "$skip")
"$bench" "${args[@]}"
{
  echo "<!-- bench/search/run.sh --runs $runs --slow-runs $slow_runs --budget $budget; load average before: $load_before; whole run $(( $(date +%s) - started )) s -->"
  cat "$out/search-report.md.tmp"
} > "$out/search-report.md"
rm -f "$out/search-report.md.tmp"
echo "== report: $out/search-report.md ($(( $(date +%s) - started )) s in all)"
