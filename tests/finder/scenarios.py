#!/usr/bin/env python3
"""scenarios.py — the needs finder's scenario test set (tests/data/finder-scenarios.json) through
the real binary: `sasae find --format json` for each situation, as a social worker would ask it.

A scenario passes when every program of `must` is among the first `top` results and no program of
`must_not` is.  Reported (docs/finder.md): recall = must programs found in the top / all must
programs; precision = must programs in the top / (must + must_not programs in the top), i.e. how
many of the judged programs the finder showed were right.

Halves (docs/finder.md): a situation is DEV when the SHA-1 of its id (UTF-8), read as a number,
is even, HELD-OUT when it is odd.  The figures of each half are printed after the whole set's;
--half dev|held-out runs only that half (the floors then apply to it).

Usage: scenarios.py SASAE DB SCENARIOS.json [--half dev|held-out] [--min-recall R] [--max-wrong N]
                    [--verbose]
"""
import hashlib
import json
import subprocess
import sys
import unicodedata


def key(name):
    """Program identity: NFKC, white space removed (plan-format.md)."""
    s = unicodedata.normalize("NFKC", name).replace("【再掲】", "")
    return "".join(s.split())


def half(sc_id):
    """DEV (even SHA-1 of the id) or HELD-OUT (odd)."""
    return "dev" if int(hashlib.sha1(sc_id.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "held-out"


def main():
    args = sys.argv[1:]
    verbose = "--verbose" in args
    min_recall, max_wrong = 1.0, 0
    if "--min-recall" in args:
        min_recall = float(args[args.index("--min-recall") + 1])
    if "--max-wrong" in args:
        max_wrong = int(args[args.index("--max-wrong") + 1])
    only = None
    if "--half" in args:
        only = args[args.index("--half") + 1]
        if only not in ("dev", "held-out"):
            print("--half must be dev or held-out")
            return 2
    sasae, db, path = args[0], args[1], args[2]
    data = json.load(open(path, encoding="utf-8"))
    if only:
        data["scenarios"] = [sc for sc in data["scenarios"] if half(sc["id"]) == only]
    per = {h: [0, 0, 0, 0, 0, 0, 0] for h in ("dev", "held-out")}  # n, must, found, judged, wrong, failed, empty
    top = data["top"]
    must_total = must_found = judged_shown = wrong_shown = 0
    failed = []
    empty = 0
    for sc in data["scenarios"]:
        cmd = [sasae, "--db", db, "find", "--format", "json", "--limit", str(top)]
        for w in sc.get("who", []):
            cmd += ["--who", w]
        for n in sc.get("need", []):
            cmd += ["--need", n]
        if sc.get("text"):
            cmd += ["--text", sc["text"]]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            print(f"FAIL {sc['id']}: exit {out.returncode}: {out.stderr.strip()}")
            failed.append(sc["id"])
            continue
        res = json.loads(out.stdout)
        h = per[half(sc["id"])]
        h[0] += 1
        if not res["results"]:
            empty += 1
            h[6] += 1
        shown = [key(r["name"]) for r in res["results"]]
        assert len(shown) <= top
        must = [key(n) for n in sc["must"]]
        must_not = [key(n) for n in sc["must_not"]]
        missing = [n for n in must if n not in shown]
        wrong = [n for n in must_not if n in shown]
        must_total += len(must)
        must_found += len(must) - len(missing)
        judged_shown += len(must) - len(missing) + len(wrong)
        wrong_shown += len(wrong)
        h[1] += len(must)
        h[2] += len(must) - len(missing)
        h[3] += len(must) - len(missing) + len(wrong)
        h[4] += len(wrong)
        h[5] += 1 if missing or wrong else 0
        status = "ok  " if not missing and not wrong else "MISS"
        if missing or wrong:
            failed.append(sc["id"])
        if verbose or missing or wrong:
            print(f"{status} {sc['id']}: total {res['total']}, must {len(must) - len(missing)}/{len(must)}"
                  + (f"; missing {missing}" if missing else "") + (f"; must_not shown {wrong}" if wrong else ""))
            if verbose and (missing or wrong):
                for i, r in enumerate(res["results"]):
                    why = ", ".join(w.get("tag") or ("「" + w["word"] + "」") for w in r["why"])
                    print(f"      {i + 1:2} {r['name']} [{r['kind']['tag'] if r['kind'] else '-'}] {r['score']} {why}")
    recall = must_found / must_total if must_total else 1.0
    precision = (judged_shown - wrong_shown) / judged_shown if judged_shown else 1.0
    print(f"scenarios: {len(data['scenarios'])}, top {top}; recall {must_found}/{must_total} = {recall:.1%}; "
          f"precision {judged_shown - wrong_shown}/{judged_shown} = {precision:.1%} "
          f"(must_not shown: {wrong_shown}); scenarios not fully passing: {len(failed)}; with no result at all: {empty}")
    for name, (n, mt, mf, js, ws, fl, em) in per.items():
        if n:
            print(f"  {name}: {n} scenarios; recall {mf}/{mt} = {mf / mt if mt else 1:.1%}; precision {js - ws}/{js} = "
                  f"{(js - ws) / js if js else 1:.1%} (must_not shown: {ws}); not fully passing: {fl}; no result: {em}")
    if recall < min_recall or wrong_shown > max_wrong:
        print(f"FAILED: recall must be >= {min_recall:.0%} and must_not shown <= {max_wrong}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
