#!/usr/bin/env python3
"""Validate tests/data/finder-sentences.json, the blind evaluation set for the finder.

Checks: JSON shape, at least 90 scenarios, unique ids, allowed asker values,
every must/must_not name is a program name printed in data/sendai-2024-draft.txt
(compared after removing 【再掲】 and all white space, NFKC on both sides),
no name in both must and must_not. Prints counts per style and asker.
Exits non-zero on any problem.

Usage: check_sentences.py [sentences.json] [plan.txt]
"""
import collections
import json
import os
import re
import sys
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_JSON = os.path.join(ROOT, "tests", "data", "finder-sentences.json")
DEFAULT_PLAN = os.path.join(ROOT, "data", "sendai-2024-draft.txt")

ASKERS = {"resident", "worker", "organisation"}
STYLES = {"colloquial", "conjugated", "hiragana", "multi-problem", "organisation",
          "formal", "typo", "kansai", "english-mix", "fragment", "long",
          "feelings", "dialect", "simple-japanese", "child"}
MIN_SCENARIOS = 90
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
HEADING_RE = re.compile(r"^\s*[(（]\s*[0-9０-９]+\s*[)）]")
ROW_RE = re.compile(r"^\s*([0-9０-９]+)\t")
SEP_RE = re.compile(r"^[-\t ]+$")


def norm(s):
    s = unicodedata.normalize("NFKC", s)
    s = re.sub(r"\s+", "", s)
    return s.replace("【再掲】", "")


def plan_names(path):
    """Program names of every listing (name cells joined across continuation lines)."""
    names = []
    current = None
    in_section = False
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\r\n")
            if not line.strip():
                continue
            if HEADING_RE.match(line) and "\t" not in line:
                if current is not None:
                    names.append(current)
                current = None
                in_section = True
                continue
            if not in_section or line.startswith("No\t") or SEP_RE.match(line):
                continue
            if ROW_RE.match(line):
                if current is not None:
                    names.append(current)
                cells = line.split("\t")
                current = cells[1] if len(cells) > 1 else ""
                continue
            if current is None:
                continue
            cells = line.split("\t")
            if len(cells) >= 4:
                current += cells[1]
            elif len(cells) == 3:
                current += cells[0]
            # fewer cells: summary/department only
    if current is not None:
        names.append(current)
    return {norm(n) for n in names if norm(n)}


def main(argv):
    json_path = argv[1] if len(argv) > 1 else DEFAULT_JSON
    plan_path = argv[2] if len(argv) > 2 else DEFAULT_PLAN
    problems = []

    def bad(msg):
        problems.append(msg)

    try:
        with open(json_path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        print(f"cannot read {json_path}: {e}", file=sys.stderr)
        return 2
    names = plan_names(plan_path)
    if len(names) < 100:
        bad(f"only {len(names)} program names parsed from {plan_path}")

    if not isinstance(doc, dict):
        print("top level is not an object", file=sys.stderr)
        return 2
    if doc.get("top") != 10:
        bad("'top' must be 10")
    if not isinstance(doc.get("written"), str) or not doc["written"].startswith("blind"):
        bad("'written' must be a string starting with 'blind'")
    scenarios = doc.get("scenarios")
    if not isinstance(scenarios, list):
        bad("'scenarios' must be a list")
        scenarios = []
    if len(scenarios) < MIN_SCENARIOS:
        bad(f"{len(scenarios)} scenarios, need at least {MIN_SCENARIOS}")

    ids = collections.Counter()
    by_style = collections.Counter()
    by_asker = collections.Counter()
    used = collections.Counter()
    allowed_keys = {"id", "asker", "style", "text", "must", "must_not", "note"}
    for i, sc in enumerate(scenarios):
        where = f"scenario[{i}]"
        if not isinstance(sc, dict):
            bad(f"{where}: not an object")
            continue
        sid = sc.get("id")
        where = f"scenario[{i}] {sid!r}"
        extra = set(sc) - allowed_keys
        if extra:
            bad(f"{where}: unknown keys {sorted(extra)}")
        if not isinstance(sid, str) or not ID_RE.match(sid):
            bad(f"{where}: id must be short lower-case ascii")
        ids[sid] += 1
        asker = sc.get("asker")
        if asker not in ASKERS:
            bad(f"{where}: asker {asker!r} not in {sorted(ASKERS)}")
        by_asker[asker] += 1
        style = sc.get("style")
        if not isinstance(style, list) or not style or not all(isinstance(s, str) for s in style):
            bad(f"{where}: style must be a non-empty list of strings")
            style = []
        for s in style:
            if s not in STYLES:
                bad(f"{where}: unknown style {s!r}")
            by_style[s] += 1
        if len(set(style)) != len(style):
            bad(f"{where}: repeated style")
        text = sc.get("text")
        if not isinstance(text, str) or not text.strip():
            bad(f"{where}: empty text")
        note = sc.get("note")
        if not isinstance(note, str) or len(note.strip()) < 20:
            bad(f"{where}: note missing or too short")
        must = sc.get("must")
        must_not = sc.get("must_not", [])
        if not isinstance(must, list) or not (1 <= len(must) <= 6):
            bad(f"{where}: must needs 1-6 names")
            must = must if isinstance(must, list) else []
        if not isinstance(must_not, list) or len(must_not) > 4:
            bad(f"{where}: must_not needs 0-4 names")
            must_not = must_not if isinstance(must_not, list) else []
        for kind, lst in (("must", must), ("must_not", must_not)):
            seen = set()
            for n in lst:
                if not isinstance(n, str):
                    bad(f"{where}: {kind} has a non-string")
                    continue
                if "【再掲】" in n:
                    bad(f"{where}: {kind} name carries 【再掲】: {n}")
                k = norm(n)
                if k in seen:
                    bad(f"{where}: {kind} repeats {n}")
                seen.add(k)
                if k not in names:
                    bad(f"{where}: {kind} name not in the plan: {n}")
                if kind == "must":
                    used[k] += 1
        both = {norm(n) for n in must if isinstance(n, str)} & {norm(n) for n in must_not if isinstance(n, str)}
        if both:
            bad(f"{where}: in both must and must_not: {sorted(both)}")
    for sid, c in ids.items():
        if c > 1:
            bad(f"duplicate id {sid!r} ({c} times)")

    print(f"scenarios: {len(scenarios)}   plan program names: {len(names)}")
    print("asker:", ", ".join(f"{k}={v}" for k, v in sorted(by_asker.items(), key=lambda kv: str(kv[0]))))
    print("style:", ", ".join(f"{k}={v}" for k, v in sorted(by_style.items(), key=lambda kv: (-kv[1], kv[0]))))
    print(f"distinct programs used in must: {len(used)}")
    if problems:
        print(f"\n{len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
