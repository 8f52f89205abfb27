#!/usr/bin/env python3
"""Relevance test of `sasae search` on the bundled Sendai plan.

Runs every query of tests/data/search-relevance.json (written by reading the plan; see
tests/data/relevance_oracle.py for how each expectation was derived) through the real binary and
checks that every `must` program is found (recall must be 100%) and no `must_not` program is.
Prints per-query precision against the oracle's full answer where the query is not partial, and
the totals.  Exit status 1 on any miss or wrong hit.

Usage: relevance.py SASAE_BINARY DATABASE RELEVANCE_JSON [--report]
"""
import json
import subprocess
import sys


def search(binary, db, q):
    out = subprocess.run([binary, "--db", db, "search", "--format", "json", "--limit", "1000", "--", q],
                         capture_output=True, text=True)
    if out.returncode != 0:
        return None, out.stderr.strip()
    return json.loads(out.stdout), None


def main():
    binary, db, path = sys.argv[1:4]
    report = "--report" in sys.argv
    data = json.load(open(path, encoding="utf-8"))
    passed = failed = 0
    must_total = must_found = 0
    exact_queries = 0
    precision_sum = 0.0
    for case in data["queries"]:
        q = case["q"]
        res, err = search(binary, db, q)
        problems = []
        if res is None:
            problems.append(f"error: {err}")
            names = set()
        else:
            names = {r["name"] for r in res["results"]}
        must = case.get("must", [])
        for name in must:
            must_total += 1
            if name in names:
                must_found += 1
            else:
                problems.append(f"missing: {name}")
        for name in case.get("must_not", []):
            if name in names:
                problems.append(f"must not be found: {name}")
        if not case.get("partial") and res is not None:
            exact_queries += 1
            if names:
                precision = len(names & set(must)) / len(names)
            else:
                precision = 1.0 if not must else 0.0
            precision_sum += precision
            if must and names - set(must):
                extra = sorted(names - set(must))
                problems.append(f"extra (not in the oracle's answer): {extra[:5]}{'…' if len(extra) > 5 else ''}")
        if problems:
            failed += 1
            print(f"FAIL {q!r}: " + "; ".join(problems))
        else:
            passed += 1
            if report:
                print(f"ok   {q!r}: {len(names)} results")
    recall = must_found / must_total if must_total else 1.0
    precision = precision_sum / exact_queries if exact_queries else 1.0
    print(f"recall {recall:.1%} ({must_found}/{must_total} required programs found); "
          f"mean precision {precision:.1%} over {exact_queries} fully specified queries")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
