#!/usr/bin/env bash
# bench/http/soak.sh — the soak benchmark (issue 16): `sasae serve` on the bundled Sendai plan kept
# at saturation by wrk for N minutes over a mix of pages (home, a program page, the search for
# 認知症 as HTML and JSON, a 404), the server's RSS sampled every few seconds.  Expected: 0 errors
# (4xx/5xx other than the one deliberate 404 URL, and socket errors) and a flat RSS curve.
#
# Everything stays on 127.0.0.1; the server runs from a temp dir and is stopped on exit (by pid).
# Figures go to docs/benchmarks-http.md ("Soak"); the RSS samples and wrk output to bench/out/soak/.
#
# Usage: bench/http/soak.sh [--minutes N] [--interval S] [--threads T] [--connections C]
#   --minutes      length of the soak (default 10)
#   --interval     seconds between RSS samples (default 5)
#   --threads      wrk threads (default 2)
#   --connections  wrk connections (default 32)
# Environment: BUILD (build directory, default build-bench), SASAE_THREADS (serve --threads).
# Exit status: 0 when there were no errors and the server still answered afterwards, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/../.."

minutes=10
interval=5
threads=2
conns=32
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes=$2; shift 2 ;;
    --interval) interval=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --connections) conns=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/http/soak.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$minutes$interval$threads$conns" in *[!0-9.]*) echo "bench/http/soak.sh: numbers only" >&2; exit 2 ;; esac

for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "bench/http/soak.sh: $tool is missing (apt-get install wrk curl python3)" >&2; exit 1; }
done

build=${BUILD:-build-bench}
echo "building $build (Release)…"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSASAE_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target sasae >/dev/null

out=bench/out/soak
mkdir -p "$out"
rm -f "$out"/*
tmp=$(mktemp -d /tmp/sasae-soak.XXXXXX)
cp "$build/sasae" "$tmp/sasae" # a private copy: a rebuild mid-run changes nothing
sasae=$tmp/sasae
sasae_pid=
wrk_pid=
cleanup() {
  if [ -n "$wrk_pid" ]; then kill "$wrk_pid" 2>/dev/null || true; fi
  if [ -n "$sasae_pid" ] && kill -0 "$sasae_pid" 2>/dev/null; then kill -TERM "$sasae_pid" 2>/dev/null || true; wait "$sasae_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$sasae" --db "$tmp/sasae.db" import --sample --quiet
"$sasae" --db "$tmp/sasae.db" serve --quiet --port "$port" ${SASAE_THREADS:+--threads "$SASAE_THREADS"} >"$tmp/serve.log" 2>&1 &
sasae_pid=$!
for _ in $(seq 50); do curl -fs -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done

# The mix: each wrk connection walks this list in turn.  The 404 is deliberate (an unknown program)
# and is counted apart from errors.
cat >"$tmp/mix.lua" <<'EOF'
local threads = {}
function setup(thread) table.insert(threads, thread) end
local paths = {"/", "/programs/p0021", "/search?q=%E8%AA%8D%E7%9F%A5%E7%97%87",
               "/api/v1/search?q=%E8%AA%8D%E7%9F%A5%E7%97%87", "/programs/p9999"}
local i = 0
bad, notfound = 0, 0
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
function response(status, headers, body)
  if status == 404 then notfound = notfound + 1
  elseif status >= 400 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local b, nf = 0, 0
  for _, t in ipairs(threads) do b = b + t:get("bad"); nf = nf + t:get("notfound") end
  io.write(string.format("summary requests=%d connect=%d read=%d write=%d timeout=%d bad=%d notfound=%d\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, b, nf))
  io.write(string.format("latency p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
EOF
for p in / /programs/p0021 "/search?q=%E8%AA%8D%E7%9F%A5%E7%97%87" "/api/v1/search?q=%E8%AA%8D%E7%9F%A5%E7%97%87"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$p")
  [ "$code" = 200 ] || { echo "bench/http/soak.sh: $p answered $code" >&2; exit 1; }
done

rss() { awk '/^VmRSS/{print $2}' "/proc/$sasae_pid/status"; }
seconds=$(python3 -c "print(int(float('$minutes') * 60))")
echo "machine: $(nproc) CPUs, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "soak: wrk -t$threads -c$conns -d${seconds}s, RSS every ${interval}s (pid $sasae_pid, port $port)"
printf 't_s\trss_kib\n' >"$out/rss.tsv"
start=$(date +%s)
printf '0\t%s\n' "$(rss)" >>"$out/rss.tsv"
wrk -t"$threads" -c"$conns" -d"${seconds}s" --timeout 5s --latency -s "$tmp/mix.lua" "http://127.0.0.1:$port" >"$out/wrk.txt" 2>&1 &
wrk_pid=$!
while kill -0 "$wrk_pid" 2>/dev/null; do
  sleep "$interval"
  kill -0 "$sasae_pid" 2>/dev/null || { echo "bench/http/soak.sh: sasae serve died" >&2; break; }
  printf '%s\t%s\n' $(($(date +%s) - start)) "$(rss)" >>"$out/rss.tsv"
done
wait "$wrk_pid" || true
wrk_pid=
alive=no
curl -fs -o /dev/null "http://127.0.0.1:$port/" && alive=yes
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$out/rss.tsv" "$out/wrk.txt" "$alive" <<'EOF'
import re, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().split("\n")[1:] if l.strip()]
t = [int(a) for a, _ in rows]
r = [int(b) for _, b in rows]
w = open(sys.argv[2]).read()
summ = dict(kv.split("=") for kv in re.search(r"^summary (.*)$", w, re.M).group(1).split())
lat = dict(kv.split("=") for kv in re.search(r"^latency (.*)$", w, re.M).group(1).split())
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", w).group(1))
n = int(summ["requests"])
sock = sum(int(summ[k]) for k in ("connect", "read", "write", "timeout"))
bad, notfound = int(summ["bad"]), int(summ["notfound"])
w1 = r[1:] or r  # after the first requests (the start sample is the idle server)
q = len(w1) // 4 or 1
first, last = sum(w1[:q]) / q, sum(w1[-q:]) / q
print(f"requests {n}, {rps:.0f} req/s, p50 {float(lat['p50_ms']):.2f} ms, p99 {float(lat['p99_ms']):.2f} ms, max {float(lat['max_ms']):.0f} ms")
print(f"errors: socket {sock}, 4xx/5xx other than the deliberate 404 {bad}; deliberate 404s {notfound}")
print(f"RSS KiB: start {r[0]}, after 1st sample {r[1] if len(r) > 1 else r[0]}, peak {max(r)} (at {t[r.index(max(r))]} s), end {r[-1]}; "
      f"mean of first quarter (under load) {first:.0f}, last quarter {last:.0f} ({(last - first) / first * 100:+.1f} %)")
print(f"server still answering: {sys.argv[3]}")
sys.exit(0 if sock == 0 and bad == 0 and notfound > 0 and sys.argv[3] == "yes" else 1)
EOF
