#!/usr/bin/env python3
"""summarise.py — the tables of bench/compare/run.sh from its raw files (markdown on stdout).

Usage: summarise.py search|http OUTDIR RUNS
"""
import glob
import math
import os
import statistics
import sys


def ms(v):
    """wrk latency ("812.00us", "1.20ms", "1.01s") in milliseconds."""
    for unit, f in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
        if v.endswith(unit):
            return float(v[: -len(unit)]) * f
    return float("nan")


def search(out):
    rows = {}  # (query, which) -> list of (p50, p99, hits)
    for path in glob.glob(os.path.join(out, "search-*-*.tsv")):
        which = os.path.basename(path).split("-")[1]
        with open(path, encoding="utf-8") as f:
            next(f)
            for line in f:
                q, engine, _, p50, p99, hits, _, _ = line.rstrip("\n").split("\t")
                if engine == "sasae":
                    rows.setdefault((q, which), []).append((float(p50), float(p99), int(hits)))
    queries = sorted({q for q, _ in rows}, key=lambda q: q)
    print("\n## Search (national catalogue, sasae_search in-process, median over rounds)\n")
    print("| query | old p50 ms | new p50 ms | new/old | old p99 ms | new p99 ms | hits old = new |")
    print("|---|---:|---:|---:|---:|---:|---|")
    ratios, all_old, all_new = [], [], []
    for q in queries:
        o, n = rows.get((q, "old"), []), rows.get((q, "new"), [])
        if not o or not n:
            continue
        o50, n50 = statistics.median(x[0] for x in o), statistics.median(x[0] for x in n)
        o99, n99 = statistics.median(x[1] for x in o), statistics.median(x[1] for x in n)
        same = {x[2] for x in o} == {x[2] for x in n}
        ratios.append(n50 / o50 if o50 else 1.0)
        all_old += [x[0] for x in o]
        all_new += [x[0] for x in n]
        print(f"| {q} | {o50:.2f} | {n50:.2f} | {n50 / o50 if o50 else float('nan'):.2f} | {o99:.2f} | {n99:.2f} | {'yes' if same else '**NO**'} |")
    if ratios:
        gm = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        print(f"\nPooled p50 (all queries × rounds): old {statistics.median(all_old):.2f} ms, new {statistics.median(all_new):.2f} ms; "
              f"geometric mean of per-query new/old p50: **{gm:.3f}**.")


def http(out):
    data = {}
    with open(os.path.join(out, "http.tsv"), encoding="utf-8") as f:
        for line in f:
            r, name, which, rps, p99, errs = (line.rstrip("\n").split("\t") + [""])[:6]
            d = data.setdefault(name, {}).setdefault(which, {"rps": [], "p99": [], "errs": []})
            d["rps"].append(float(rps))
            d["p99"].append(ms(p99))
            if errs.strip():
                d["errs"].append(errs.strip())
    print("\n## HTTP (bundled Sendai plan, wrk -t2 -c32, median over rounds)\n")
    print("| request | old req/s | new req/s | new/old | old p99 ms | new p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, d in data.items():
        o, n = d.get("old"), d.get("new")
        if not o or not n:
            continue
        orps, nrps = statistics.median(o["rps"]), statistics.median(n["rps"])
        print(f"| {name} | {orps:,.0f} | {nrps:,.0f} | {nrps / orps:.2f} | {statistics.median(o['p99']):.2f} | "
              f"{statistics.median(n['p99']):.2f} | {'; '.join(o['errs'] + n['errs']) or '0'} |")


if __name__ == "__main__":
    {"search": search, "http": http}[sys.argv[1]](sys.argv[2])
