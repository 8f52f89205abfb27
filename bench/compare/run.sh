#!/usr/bin/env bash
# bench/compare/run.sh — old build against new build, in one run: is a refactoring slower?
#
# Builds this tree and an older commit (a git worktree in bench/out/compare/base, Release, no tests),
# then, alternating old and new so that the machine's load falls on both alike:
#   search  bench/search/search_bench of each build over the same national-scale database
#           (bench/out/national.db, made by bench/search/run.sh or here), engine "sasae" only:
#           p50/p99 per query and pooled; the top 20 of both must be the same programs
#   http    `sasae serve` of each build on the bundled Sendai plan, wrk -t2 -c32 on the home page,
#           a program page, the HTML search page and the JSON search: requests/s and p99, median
#           of the runs
# Report: bench/out/compare/report.md (docs/benchmarks.md quotes it).
#
# Usage: bench/compare/run.sh [--base REV] [--runs N] [--duration S] [--skip search|http]
#   --base      the commit to compare with (default: 57b3ef9, the code before issue 10)
#   --runs      rounds (each: old then new, or new then old, alternating) (default 5)
#   --duration  seconds per wrk run (default 5)
# Needs: wrk, curl, python3, groonga not needed.  Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."
base=57b3ef9 runs=5 duration=5 skip=
while [ $# -gt 0 ]; do
  case $1 in
    --base) base=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --skip) skip=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/compare/run.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "bench/compare/run.sh: $tool is missing (apt-get install wrk curl python3)" >&2; exit 1; }
done
out=bench/out/compare
mkdir -p "$out"
basedir=$out/base
if [ ! -d "$basedir/.git" ] && [ ! -f "$basedir/.git" ]; then
  git worktree add --detach "$basedir" "$base" >/dev/null
else
  git -C "$basedir" checkout -q --detach "$base"
fi
build() { # tree dir
  cmake -S "$1" -B "$2" -DCMAKE_BUILD_TYPE=Release -DSASAE_TESTS=OFF -DSASAE_BENCH=ON -DSASAE_WERROR=OFF >/dev/null
  cmake --build "$2" -j2 --target sasae search_bench gen_national >/dev/null
}
echo "== building old ($base) and new ($(git rev-parse --short HEAD)$(git diff --quiet || echo +changes))"
build "$basedir" "$out/build-old"
build . "$out/build-new"
old=$out/build-old new=$out/build-new
report=$out/report.md
{
  echo "# old ($base) vs new ($(git rev-parse --short HEAD)) — bench/compare/run.sh --runs $runs --duration $duration"
  echo
  echo "Load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores."
} > "$report"

if [ "$skip" != search ]; then
  national=bench/out/national.txt db=bench/out/national.db
  if [ ! -s "$national" ]; then "$new/gen_national" data/sendai-2024-draft.txt > "$national"; fi
  if [ ! -s "$db" ]; then
    echo "== importing the national catalogue (new build)"
    "$new/sasae" --db "$db" import --quiet --no-index "$national"
    "$new/sasae" --db "$db" reindex
  fi
  rm -f "$out"/search-*.tsv
  for r in $(seq "$runs"); do
    for which in old new; do
      [ $((r % 2)) = 0 ] && which=$([ "$which" = old ] && echo new || echo old)
      echo "== search round $r: $which"
      "$out/build-$which/bench/search/search_bench" --db "$db" --queries bench/search/queries.txt --runs 5 \
        --slow-runs 1 --budget 2 --skip sasae-2step,groonga,trigram --tsv "$out/search-$which-$r.tsv" >/dev/null
    done
  done
  python3 bench/compare/summarise.py search "$out" "$runs" >> "$report"
fi

if [ "$skip" != http ]; then
  tmp=$(mktemp -d /tmp/sasae-compare.XXXXXX)
  pids=()
  cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
  trap cleanup EXIT
  free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
  declare -A port
  for which in old new; do
    cp "$out/build-$which/sasae" "$tmp/sasae-$which"
    "$tmp/sasae-$which" --db "$tmp/$which.db" import --sample --quiet
    port[$which]=$(free_port)
    "$tmp/sasae-$which" --db "$tmp/$which.db" serve --quiet --port "${port[$which]}" >"$tmp/$which.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 50); do curl -fs -o /dev/null "http://127.0.0.1:${port[$which]}/" && break; sleep 0.1; done
  done
  names=(home program search-html search-json)
  urls=(/ /programs/p0021 "/search?q=%E8%AA%8D%E7%9F%A5%E7%97%87" "/api/v1/search?q=%E8%AA%8D%E7%9F%A5%E7%97%87")
  for i in "${!urls[@]}"; do
    curl -s "http://127.0.0.1:${port[old]}${urls[$i]}" > "$tmp/a"; curl -s "http://127.0.0.1:${port[new]}${urls[$i]}" > "$tmp/b"
    cmp -s "$tmp/a" "$tmp/b" || echo "note: ${urls[$i]} differs between old and new" | tee -a "$report"
  done
  : > "$out/http.tsv"
  for r in $(seq "$runs"); do
    for i in "${!urls[@]}"; do
      for which in old new; do
        [ $((r % 2)) = 0 ] && which=$([ "$which" = old ] && echo new || echo old)
        wrk -t2 -c32 -d"${duration}s" --latency "http://127.0.0.1:${port[$which]}${urls[$i]}" > "$tmp/wrk"
        rps=$(awk '/^Requests\/sec/ {print $2}' "$tmp/wrk")
        p99=$(awk '$1 == "99%" {print $2}' "$tmp/wrk")
        errs=$(awk '/Non-2xx|Socket errors/ {print}' "$tmp/wrk" | tr '\n' ' ')
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "${names[$i]}" "$which" "$rps" "$p99" "$errs" >> "$out/http.tsv"
        echo "http round $r ${names[$i]} $which: $rps req/s, p99 $p99 $errs"
      done
    done
  done
  python3 bench/compare/summarise.py http "$out" "$runs" >> "$report"
fi
echo "== report: $report"
cat "$report"
