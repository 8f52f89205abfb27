#!/usr/bin/env bash
# bench/morph/run.sh — the morphological analyzer's benchmark (docs/morphology.md): open time and
# RSS added by MeCab + the IPA dictionary, parsing speed on bench/morph/sentences.txt (101 sentences
# a resident might type: the finder scenarios' situations and texts, and 50 more), beside
# sasae_normalize on the same sentences; then what the analyzer would add to `sasae find`.
#
# Usage: bench/morph/run.sh [--runs N] [--rounds R]
#   --runs N     fresh processes of morph_bench (default 5; open figures are per process)
#   --rounds R   timed passes over the sentences in each process (default 200)
# Needs: cmake, a C compiler, libmecab-dev and mecab-ipadic-utf8 (scripts/install-deps.sh);
# hyperfine for the `sasae find` line (skipped without it).
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=5 rounds=200
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    *) sed -n '2,12p' "$0" >&2; exit 2 ;;
  esac
done

build=build-bench
echo "== build ($build, Release)"
# Warnings are not errors here: a benchmark build must not fail on a colleague's new warning.
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSASAE_TESTS=OFF -DSASAE_BENCH=ON -DSASAE_WERROR=OFF >/dev/null
cmake --build "$build" -j2 --target sasae morph_bench >/dev/null

echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== morph_bench, $runs processes × $rounds rounds ($(git rev-parse --short HEAD))"
for i in $(seq 1 "$runs"); do
  "$build/bench/morph/morph_bench" bench/morph/sentences.txt "$rounds" > "$build/morph-run-$i.txt"
done
# One line per figure: the median over the processes, then min and max.
awk '{ v[$1] = v[$1] " " $2; if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
     END { for (i = 1; i <= k; i++) {
             key = order[i]; n = split(substr(v[key], 2), a, " ")
             if (a[1] !~ /^-?[0-9.]+$/) { printf "%-34s %s\n", key, a[1]; continue }
             for (x = 1; x <= n; x++) for (y = x + 1; y <= n; y++) if (a[y] + 0 < a[x] + 0) { t = a[x]; a[x] = a[y]; a[y] = t }
             printf "%-34s median %-10s min %-10s max %s\n", key, a[int((n + 1) / 2)], a[1], a[n] } }' \
  "$build"/morph-run-*.txt

if command -v hyperfine >/dev/null; then
  echo "== a whole process: open the analyzer + parse one sentence, against an empty process"
  hyperfine -N -w 3 -r 40 "$build/bench/morph/morph_bench --none" \
    "$build/bench/morph/morph_bench --once 息子が何年も家にひきこもっている" | grep -E "^Bench|Time|Range"
  echo "== sasae find today (no analyzer), for scale: the bundled plan, one free-text situation"
  db=$(mktemp -d)/plan.db
  "$build/sasae" import data/sendai-2024-draft.txt --db "$db" >/dev/null 2>&1
  hyperfine -N -w 3 -r 30 \
    "$build/sasae find --db $db --text 息子が何年も家にひきこもっている" | grep -E "Time|Range"
  rm -rf "$(dirname "$db")"
fi
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
