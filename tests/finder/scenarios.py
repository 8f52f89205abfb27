#!/usr/bin/env python3
"""scenarios.py — the needs finder's scenario test set (tests/data/finder-scenarios.json) through
the real binary: `sasae find --format json` for each situation, as a social worker would ask it.

A scenario passes when every program of `must` is among the first `top` results and no program of
`must_not` is.  Reported (docs/finder.md): recall = must programs found in the top / all must
programs; precision = must programs in the top / (must + must_not programs in the top), i.e. how
many of the judged programs the finder showed were right.

Usage: scenarios.py SASAE DB SCENARIOS.json [--min-recall R] [--max-wrong N] [--verbose]
"""
import json
import subprocess
import sys
import unicodedata


def key(name):
    """Program identity: NFKC, white space removed (plan-format.md)."""
    s = unicodedata.normalize("NFKC", name).replace("【再掲】", "")
    return "".join(s.split())


def main():
    args = sys.argv[1:]
    verbose = "--verbose" in args
    min_recall, max_wrong = 1.0, 0
    if "--min-recall" in args:
        min_recall = float(args[args.index("--min-recall") + 1])
    if "--max-wrong" in args:
        max_wrong = int(args[args.index("--max-wrong") + 1])
    sasae, db, path = args[0], args[1], args[2]
    data = json.load(open(path, encoding="utf-8"))
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
        if not res["results"]:
            empty += 1
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
    if recall < min_recall or wrong_shown > max_wrong:
        print(f"FAILED: recall must be >= {min_recall:.0%} and must_not shown <= {max_wrong}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
