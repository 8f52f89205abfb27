#!/usr/bin/env bash
# bench/http/run.sh — the HTTP benchmark: `sasae serve` on the bundled Sendai plan, measured with wrk
# (requests/s, p50/p99 latency, errors, server CPU and peak RSS) for the home page, a program page
# and the search for 認知症 (HTML and JSON), each beside nginx serving the very same bytes as a
# static file on the same machine in the same run — the ceiling for this box.
#
# Everything stays on 127.0.0.1.  Both servers run from a temp dir (nginx with its own minimal
# config: `nginx -p DIR -c FILE`, nothing outside the temp dir is read or written) and are stopped
# on exit.  wrk and the servers share the machine's cores: see docs/benchmarks-http.md.
# Figures go to docs/benchmarks-http.md; raw wrk output to bench/out/http/.
#
# Usage: bench/http/run.sh [--duration SECONDS] [--runs N] [--configs "T:C T:C"] [--perf]
#   --duration  length of one measured wrk run (default 5)
#   --runs      measured runs per URL, server and config; the table shows the median (default 3)
#   --configs   wrk threads:connections pairs (default "2:32 1:16")
#   --perf      also record `perf record --call-graph dwarf` of the server during one run of the search page
#               (report in bench/out/http/perf-search.txt)
# Environment: BUILD (build directory, default build-bench), SASAE_THREADS (serve --threads).
set -euo pipefail
cd "$(dirname "$0")/../.."

duration=5
runs=3
configs="2:32 1:16"
do_perf=0
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --configs) configs=$2; shift 2 ;;
    --perf) do_perf=1; shift ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/http/run.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

need="wrk nginx curl python3 /usr/bin/time"
[ "$do_perf" = 1 ] && need="$need perf"
for tool in $need; do
  command -v "$tool" >/dev/null || { echo "bench/http/run.sh: $tool is missing (apt-get install wrk nginx-light curl python3 time linux-perf)" >&2; exit 1; }
done

build=${BUILD:-build-bench}
echo "building $build (Release)…"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSASAE_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target sasae >/dev/null

out=bench/out/http
mkdir -p "$out"
rm -f "$out"/*.wrk "$out"/results.tsv
tmp=$(mktemp -d /tmp/sasae-http.XXXXXX)
chmod 755 "$tmp" # nginx workers run as nobody
# a private copy of the binary: a rebuild of $build by someone else mid-run would otherwise leave
# perf with a deleted file (no symbols) and could change what is measured
cp "$build/sasae" "$tmp/sasae"
sasae=$tmp/sasae
sasae_pid=
nginx_pid=
wrk_pid=
cleanup() {
  # only what this script started, by pid
  if [ -n "$wrk_pid" ]; then kill "$wrk_pid" 2>/dev/null || true; fi
  if [ -n "$sasae_pid" ] && kill -0 "$sasae_pid" 2>/dev/null; then kill -TERM "$sasae_pid" 2>/dev/null || true; wait "$sasae_pid" 2>/dev/null || true; fi
  if [ -n "$nginx_pid" ] && kill -0 "$nginx_pid" 2>/dev/null; then kill -QUIT "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { # url: wait until it answers (5 s at most)
  for _ in $(seq 50); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "bench/http/run.sh: $1 does not answer" >&2; exit 1
}
# CPU time (clock ticks, user+system) of a process and its threads; of several pids, the sum
cpu_ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
hz=$(getconf CLK_TCK)

# ---- sasae on a fresh database holding the bundled plan ----
"$sasae" --db "$tmp/sasae.db" import --sample --quiet
sport=$(free_port)
"$sasae" --db "$tmp/sasae.db" serve --quiet --port "$sport" ${SASAE_THREADS:+--threads "$SASAE_THREADS"} >"$tmp/sasae.log" 2>&1 &
sasae_pid=$!
wait_up "http://127.0.0.1:$sport/"

# each URL: a short name, the URL, and the file under www/ nginx serves it from
names=(home program search-html search-json)
urls=(/ /programs/p0021 "/search?q=%E8%AA%8D%E7%9F%A5%E7%97%87" "/api/v1/search?q=%E8%AA%8D%E7%9F%A5%E7%97%87")
files=(home.html programs/p0021 search api/v1/search)
mkdir -p "$tmp/www/programs" "$tmp/www/api/v1" "$tmp/nginx/logs"
for i in "${!urls[@]}"; do
  code=$(curl -s -o "$tmp/www/${files[$i]}" -w '%{http_code}' "http://127.0.0.1:$sport${urls[$i]}")
  [ "$code" = 200 ] || { echo "bench/http/run.sh: ${urls[$i]} answered $code" >&2; exit 1; }
done

# ---- nginx serving the same bytes, with sasae's response headers ----
nport=$(free_port)
hdr() { grep -i "^$1:" "$tmp/headers" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
curl -s -D "$tmp/headers" -o /dev/null "http://127.0.0.1:$sport/"
csp=$(hdr Content-Security-Policy)
cat > "$tmp/nginx/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  server_tokens off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  types { }
  default_type "text/html; charset=utf-8";
  server {
    listen 127.0.0.1:$nport;
    root $tmp/www;
    add_header Content-Security-Policy "$csp";
    add_header X-Content-Type-Options nosniff;
    add_header Referrer-Policy no-referrer;
    add_header X-Frame-Options DENY;
    add_header Cache-Control "public, max-age=300";
    location = / { try_files /home.html =404; }
    location = /programs/p0021 { }
    location = /search { }
    location = /api/v1/search { default_type application/json; }
  }
}
EOF
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/logs/error.log" 2>"$tmp/nginx/stderr" &
nginx_pid=$!
wait_up "http://127.0.0.1:$nport/"
for i in "${!urls[@]}"; do
  curl -s "http://127.0.0.1:$nport${urls[$i]}" | cmp -s - "$tmp/www/${files[$i]}" ||
    { echo "bench/http/run.sh: nginx's ${urls[$i]} differs from sasae's" >&2; exit 1; }
done
nginx_pids() { echo "$nginx_pid" $(pgrep -P "$nginx_pid" || true); }

echo
echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -m | awk '/^Mem/{print $2}') MiB;" \
  "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "sasae $("$sasae" --version 2>/dev/null | head -1) (pid $sasae_pid, port $sport); $(nginx -v 2>&1 | cut -d: -f2 | sed 's/^ //') (port $nport, 2 workers); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
echo "bodies: $(for i in "${!urls[@]}"; do printf '%s %s B  ' "${names[$i]}" "$(stat -c %s "$tmp/www/${files[$i]}")"; done)"
echo "wrk runs: ${duration}s each, $runs per URL/server/config (interleaved sasae, nginx), after a 1 s warm-up"
echo

# one wrk run; appends a line to results.tsv:
# config server url run rps p50_ms p99_ms errors requests server_cores wrk_cores other_cores
# (cores: CPU time / wall time; other = everything else busy on the box meanwhile, from /proc/stat)
box_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat; }
measure() { # config server name url run pids…
  local cfg=$1 server=$2 name=$3 url=$4 run=$5; shift 5
  local t=${cfg%%:*} c=${cfg##*:}
  local f="$out/$server-$name-t${t}c${c}-$run.wrk"
  local before after box0 box1
  box0=$(box_ticks)
  before=$(cpu_ticks "$@")
  /usr/bin/time -f 'wrk-cpu %U %S' -o "$f.time" wrk -t"$t" -c"$c" -d"${duration}s" --latency "$url" >"$f"
  after=$(cpu_ticks "$@")
  box1=$(box_ticks)
  cat "$f.time" >>"$f" && rm -f "$f.time"
  awk -v cfg="$cfg" -v server="$server" -v name="$name" -v run="$run" -v hz="$hz" -v ncpu="$(nproc)" \
      -v ticks=$((after - before)) -v box0="$box0" -v box1="$box1" '
    function ms(s) { if (s ~ /us$/) return s / 1000; if (s ~ /ms$/) return s + 0; if (s ~ /m$/) return s * 60000; return s * 1000 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /requests in/ { n = $1; wall = $4; sub(/s,?$/, "", wall) }
    /Socket errors/ { gsub(",", ""); err += $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx/ { err += $5 }
    /^Requests\/sec/ { rps = $2 }
    $1 == "wrk-cpu" { wrkcpu = $2 + $3 }
    END {
      split(box0, a, " "); split(box1, b, " ")
      busy = (b[1] - a[1]) / (b[2] - a[2]) * ncpu; srv = ticks / hz / wall; w = wrkcpu / wall
      other = busy - srv - w; if (other < 0) other = 0
      printf "%s\t%s\t%s\t%s\t%.0f\t%.3f\t%.3f\t%d\t%d\t%.2f\t%.2f\t%.2f\n", cfg, server, name, run, rps, p50, p99, err + 0, n, srv, w, other
    }' "$f" >>"$out/results.tsv"
}

start=$(date +%s)
for cfg in $configs; do
  for i in "${!urls[@]}"; do
    su="http://127.0.0.1:$sport${urls[$i]}"
    nu="http://127.0.0.1:$nport${urls[$i]}"
    wrk -t"${cfg%%:*}" -c"${cfg##*:}" -d1s "$su" >/dev/null
    wrk -t"${cfg%%:*}" -c"${cfg##*:}" -d1s "$nu" >/dev/null
    for r in $(seq "$runs"); do
      measure "$cfg" sasae "${names[$i]}" "$su" "$r" "$sasae_pid"
      measure "$cfg" nginx "${names[$i]}" "$nu" "$r" $(nginx_pids)
    done
    printf '  %-5s %-12s done (%ds)\n' "$cfg" "${names[$i]}" $(($(date +%s) - start))
  done
done

# still the same bytes after all that traffic
for i in "${!urls[@]}"; do
  curl -s "http://127.0.0.1:$sport${urls[$i]}" | cmp -s - "$tmp/www/${files[$i]}" ||
    echo "WARNING: sasae's ${urls[$i]} changed during the run" >&2
done

if [ "$do_perf" = 1 ]; then
  cfg=${configs%% *}
  echo "perf: recording sasae during a ${duration}s run of search-html ($cfg)…"
  wrk -t"${cfg%%:*}" -c"${cfg##*:}" -d"$((duration + 2))s" --latency "http://127.0.0.1:$sport${urls[2]}" >"$out/perf-wrk.txt" &
  wrk_pid=$!
  sleep 1
  # DWARF unwinding: the Release build and Debian's libsqlite3 have no frame pointers
  perf record -q -F 499 --call-graph dwarf,16384 -o "$out/perf.data" -p "$sasae_pid" -- sleep "$duration" 2>/dev/null
  wait "$wrk_pid"
  wrk_pid=
  perf report -i "$out/perf.data" --children --sort sym -g none --percent-limit 1.5 --stdio 2>/dev/null |
    grep -v '\] 0x0000' >"$out/perf-search.txt" || true
  perf report -i "$out/perf.data" --no-children --sort dso -g none --stdio 2>/dev/null >"$out/perf-search-dso.txt" || true
  # the SQL of one search, statement by statement (bench/http/query_plan.c)
  cc -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc bench/http/query_plan.c "$build/libsasae_core.a" \
    -lsqlite3 -lutf8proc -ljansson -lm -o "$tmp/query_plan"
  "$tmp/query_plan" "$tmp/sasae.db" 認知症 300 >"$out/query-plan.txt"
  echo "perf: $out/perf-search.txt, $out/perf-search-dso.txt, $out/query-plan.txt"
fi

hwm=$(awk '/^VmHWM/{print $2}' "/proc/$sasae_pid/status")
rss=$(awk '/^VmRSS/{print $2}' "/proc/$sasae_pid/status")
nhwm=0
for p in $(nginx_pids); do nhwm=$((nhwm + $(awk '/^VmHWM/{print $2}' "/proc/$p/status"))); done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); elapsed $(($(date +%s) - start)) s"
echo "sasae peak RSS (VmHWM): $hwm KiB ($((hwm / 1024)) MiB; RSS now $rss KiB); nginx master+workers peak RSS: $nhwm KiB"
echo "$hwm" >"$out/sasae-vmhwm-kib"
echo

python3 - "$out/results.tsv" "$hwm" <<'PY'
import csv, statistics, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter="\t"))
hwm_mib = int(sys.argv[2]) / 1024
urls = {"home": "/", "program": "/programs/p0021", "search-html": "/search?q=認知症",
        "search-json": "/api/v1/search?q=認知症"}
med = {}
for cfg, server, name, run, rps, p50, p99, err, n, srv, wrk, other in rows:
    med.setdefault((cfg, name, server), []).append((float(rps), float(p50), float(p99), int(err), float(srv),
                                                   float(wrk), float(other),
                                                   float(srv) / float(rps) * 1e6 if float(rps) else 0.0))
def agg(v):
    m = lambda k: statistics.median(x[k] for x in v)
    return (m(0), m(1), m(2), sum(x[3] for x in v), m(4), m(5), m(6), m(7))
verdict = []
for cfg in dict.fromkeys(r[0] for r in rows):
    t, c = cfg.split(":")
    print(f"wrk -t{t} -c{c} (median of {len(med[(cfg, 'home', 'sasae')])} runs; CPU = cores used by server / wrk / "
          "other processes on the box during the run; µs/req = server CPU time per request)\n")
    print("| URL | sasae req/s | p50 | p99 | errors | CPU srv/wrk/other | µs/req | nginx req/s | p50 | p99 | errors "
          "| CPU srv/wrk/other | µs/req | sasae/nginx |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for name, url in urls.items():
        s, g = agg(med[(cfg, name, "sasae")]), agg(med[(cfg, name, "nginx")])
        cpu = lambda x: f"{x[4]:.2f} / {x[5]:.2f} / {x[6]:.2f}"
        us = lambda x: f"{x[7]:,.0f}"
        print(f"| `{url}` | {s[0]:,.0f} | {s[1]:.2f} ms | {s[2]:.2f} ms | {s[3]} | {cpu(s)} | {us(s)} "
              f"| {g[0]:,.0f} | {g[1]:.2f} ms | {g[2]:.2f} ms | {g[3]} | {cpu(g)} | {us(g)} | {s[0] / g[0]:.2f} |")
        if name.startswith("search"):
            verdict.append((cfg, url, s))
    print()
print("targets (search, Sendai plan, 2 cores):")
for cfg, url, s in verdict:
    print(f"  {cfg:5} {url:28} ≥5,000 req/s: {'PASS' if s[0] >= 5000 else 'MISS'} ({s[0]:,.0f})   "
          f"p99 <20 ms: {'PASS' if s[2] < 20 else 'MISS'} ({s[2]:.2f} ms)   no errors: {'PASS' if s[3] == 0 else 'MISS'} ({s[3]})"
          f"   [server alone on 2 idle cores could do at most ~{2e6 / s[7]:,.0f} req/s]")
errs = sum(int(r[7]) for r in rows if r[1] == "sasae")
print(f"  all URLs: errors {errs} ({'PASS' if errs == 0 else 'MISS'}); peak RSS {hwm_mib:.1f} MiB (<50 MiB: {'PASS' if hwm_mib < 50 else 'MISS'})")
PY
