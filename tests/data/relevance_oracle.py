#!/usr/bin/env python3
"""Brute-force oracle for tests/data/search-relevance.json (python3, stdlib only).

It reads the Sendai draft program list, assembles the programs itself, applies the search
semantics below by plain substring tests, and prints every expectation in the JSON that these
semantics contradict.  It documents how the expectations were derived.

    python3 tests/data/relevance_oracle.py [SEED] [JSON]          check; exit 1 on a contradiction
    python3 tests/data/relevance_oracle.py --show 'QUERY' ...       print what a query returns

Programs (docs/format.md, ../shared/docs/plan-format.md)
  - listings are parsed from the document (rows, continuation lines across page breaks, 【再掲】
    with spaces inside or before it, wrap spaces removed from names between Japanese characters);
  - one program per identity key: NFKC(name) with all white space removed;
  - a program's text (name, summary, departments) is its original listing's: the first listing
    without 【再掲】, else the first listing;
  - departments: split on spaces, parenthesised notes dropped, aliases canonical
    (社会福祉協議会 -> 市社会福祉協議会), run-together names split (健康福祉局市社会福祉協議会).

Searchable text of a program: name, summary, departments, and the title of every section it is
listed in (part titles are not in the document and are ignored).  Fields are kept apart: a term
never matches across the boundary of two fields.

Normalisation (text and query alike): NFKC, lower case, katakana -> hiragana, small kana -> large,
then notation variants: at each place the longest spelling of a group is replaced by the group's
canonical form (data/variants.tsv does the same).  A term matches when its normalised form is a
substring of the normalised field text.

Query language: space-separated clauses are AND; `A OR B` is OR and binds tighter than AND;
`-term` excludes; `"a phrase"` (spaces inside ignored); `部署:X` / `dept:X` (X in the departments);
`part:N` (listed in part N); `section:N` (listed in a section numbered N; in part N when part:N is
also given).  Full-width spaces, quotes and colons work (the query is NFKC-normalised first).

Robustness: the checker also evaluates every query under plausible alternative implementations
(variants expanded on the query side instead of folded on both sides; text with its spaces removed;
fields concatenated without a boundary; the text of 【再掲】 listings that differs from the
original's also searchable).  A query whose result depends on such a choice is reported as
FRAGILE: the test set avoids them, so that it checks the semantics stated above and nothing else.
"""
import json
import os
import re
import sys
import unicodedata
from itertools import product

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = os.path.join(HERE, "..", "..", "..", "shared", "seed", "000_50fefa7aec7bc15d.txt")
JSON = os.path.join(HERE, "search-relevance.json")

# Notation-variant groups: canonical first (as in data/variants.tsv).
VARIANT_GROUPS = [
    ["子ども", "子供", "こども"],
    ["障害", "障がい", "障碍"],
    ["一人暮らし", "ひとり暮らし", "独り暮らし"],
    ["取組", "取り組み", "取組み"],
    ["申込", "申し込み", "申込み"],
    ["高齢者", "お年寄り"],
    ["認知症", "痴呆症", "痴呆"],
    ["困窮", "生活困窮"],
    ["住み慣れた", "住みなれた"],
    ["支え合い", "支えあい"],
    ["自殺", "自死"],
]

# Department table (data/departments.tsv, the part that matters for this document).
DEPT_ALIASES = {"社会福祉協議会": "市社会福祉協議会", "市社協": "市社会福祉協議会",
                "仙台市社会福祉協議会": "市社会福祉協議会"}
DEPT_RE = re.compile(r"関係局区|市?社会福祉協議会|[^\s]+?(?:局|室|区)")

# ---------------------------------------------------------------------------------------------
# normalisation

SMALL = dict(zip("ぁぃぅぇぉっゃゅょゎゕゖ", "あいうえおつやゆよわかけ"))


def fold(s):
    """NFKC, lower case, katakana -> hiragana, small kana -> large (no variants)."""
    s = unicodedata.normalize("NFKC", s).lower()
    out = []
    for ch in s:
        cp = ord(ch)
        if 0x30A1 <= cp <= 0x30F6:
            ch = chr(cp - 0x60)
        out.append(SMALL.get(ch, ch))
    return "".join(out)


SPELLINGS = {}  # folded spelling -> folded canonical
GROUP_OF = {}   # folded spelling -> list of folded spellings of its group
for g in VARIANT_GROUPS:
    fg = [fold(x) for x in g]
    for x in fg:
        SPELLINGS[x] = fg[0]
        GROUP_OF[x] = fg
MAXLEN = max(len(x) for x in SPELLINGS)


def segments(s):
    """Split folded s into literal pieces and variant spellings (longest match at each place)."""
    segs, lit, i = [], [], 0
    while i < len(s):
        for n in range(min(MAXLEN, len(s) - i), 0, -1):
            if s[i:i + n] in SPELLINGS:
                if lit:
                    segs.append(("lit", "".join(lit)))
                    lit = []
                segs.append(("var", s[i:i + n]))
                i += n
                break
        else:
            lit.append(s[i])
            i += 1
    if lit:
        segs.append(("lit", "".join(lit)))
    return segs


def norm(s):
    """The normalisation of the stated semantics: fold, then variants to their canonical form."""
    return "".join(SPELLINGS[x] if k == "var" else x for k, x in segments(fold(s)))


def expansions(term):
    """Alternative implementation: every spelling of every variant in the query, text only folded."""
    segs = segments(fold(term))
    choices = [GROUP_OF[x] if k == "var" else [x] for k, x in segs]
    return ["".join(p) for p in product(*choices)]

# ---------------------------------------------------------------------------------------------
# the document

HEADING = re.compile(r"^[(（]\s*([0-9０-９]+)\s*[)）]\s*(.+)$")
ROW = re.compile(r"^([0-9]+)\t")
SEPARATOR = re.compile(r"^[-‐—―－─\t ]+$")
MARKER = re.compile(r"\s*【\s*再\s*掲\s*】\s*$")


def is_ascii_side(ch):
    return ord(ch) < 0x80


def remove_wrap_spaces(name):
    """Drop runs of spaces between two Japanese characters; keep spaces next to ASCII."""
    return re.sub(r"(?<=\S)[ \u3000]+(?=\S)",
                  lambda m: m.group(0) if (is_ascii_side(name[m.start() - 1]) or is_ascii_side(name[m.end()])) else "",
                  name)


def split_departments(cell):
    cell = re.sub(r"[(（][^)）]*[)）]", " ", cell)  # notes are not departments
    out = []
    for word in cell.split():
        for d in DEPT_RE.findall(word):
            d = DEPT_ALIASES.get(d, d)
            if d not in out:
                out.append(d)
    return out


def parse(path):
    listings, sections = [], []
    part = 0
    prev_no = None
    cur = None  # listing being assembled
    with open(path, encoding="utf-8") as f:
        lines = f.read().replace("\r\n", "\n").split("\n")

    def close():
        nonlocal cur
        if cur is None:
            return
        raw = "".join(cur["name_frags"]).strip()
        relisted = bool(MARKER.search(raw))
        name = remove_wrap_spaces(MARKER.sub("", raw).strip())
        cur.update(name=name, relisted=relisted, summary="".join(cur["sum_frags"]).strip(),
                   departments=split_departments(" ".join(cur["dept_frags"])))
        listings.append(cur)
        cur = None

    for lineno, line in enumerate(lines, 1):
        if not line.strip(" \t\u3000"):
            continue
        m = HEADING.match(line)
        if m and "\t" not in line:
            close()
            no = int(unicodedata.normalize("NFKC", m.group(1)))
            if part == 0 or no == 1:
                part += 1
            sections.append({"part": part, "section": no, "title": m.group(2).strip()})
            prev_no = no
            continue
        if part == 0 or line.startswith("No\t") or SEPARATOR.match(line):
            continue
        cells = [c.strip() for c in line.split("\t")]
        if ROW.match(line):
            close()
            sec = sections[-1]
            cur = {"part": sec["part"], "section": sec["section"], "section_title": sec["title"],
                   "number": int(cells[0]), "source_line": lineno,
                   "name_frags": [cells[1] if len(cells) > 1 else ""],
                   "sum_frags": [cells[2] if len(cells) > 2 else ""],
                   "dept_frags": [cells[3] if len(cells) > 3 else ""]}
        else:
            if len(cells) == 4:
                cells = cells[1:]
            while len(cells) < 3:
                cells.append("")
            cur["name_frags"].append(cells[0])
            cur["sum_frags"].append(cells[1])
            cur["dept_frags"].append(cells[2])
    close()
    return listings, sections


def identity(name):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


def programs_of(listings):
    progs = {}
    for l in listings:
        progs.setdefault(identity(l["name"]), []).append(l)
    out = []
    for key, ls in progs.items():
        orig = next((l for l in ls if not l["relisted"]), ls[0])
        out.append({"name": orig["name"], "summary": orig["summary"],
                    "departments": orig["departments"], "listings": ls,
                    "sections": [(l["part"], l["section"]) for l in ls],
                    "section_titles": list(dict.fromkeys(l["section_title"] for l in ls))})
    return out

# ---------------------------------------------------------------------------------------------
# queries


def tokenize(q):
    q = unicodedata.normalize("NFKC", q)
    toks, i = [], 0
    while i < len(q):
        if q[i].isspace():
            i += 1
            continue
        j = i
        neg = False
        if q[j] == "-" and j + 1 < len(q) and not q[j + 1].isspace():
            neg = True
            j += 1
        field = None
        m = re.match(r"(部署|dept|part|section):", q[j:])
        if m:
            field = {"部署": "dept", "dept": "dept"}.get(m.group(1), m.group(1))
            j += m.end()
        if j < len(q) and q[j] == '"':
            k = q.find('"', j + 1)
            k = len(q) if k < 0 else k
            value = re.sub(r"\s+", "", q[j + 1:k])
            i = k + 1
            phrase = True
        else:
            k = j
            while k < len(q) and not q[k].isspace():
                k += 1
            value = q[j:k]
            i = k
            phrase = False
        if value == "OR" and not neg and field is None and not phrase:
            toks.append("OR")
        else:
            toks.append((neg, field, value))
    return toks


def parse_query(q):
    """-> list of clauses; a clause is a list of alternatives (neg, field, value)."""
    clauses = []
    pending_or = False
    for t in tokenize(q):
        if t == "OR":
            pending_or = bool(clauses)
            continue
        if pending_or and not t[0] and not clauses[-1][0][0]:
            clauses[-1].append(t)
        else:
            clauses.append([t])
        pending_or = False
    return clauses


class Engine:
    """Evaluates queries over the programs; `mode` selects an implementation variant."""

    def __init__(self, programs, mode="spec", part_titles=None):
        self.programs = programs
        self.mode = mode
        self.fields = []
        for p in programs:
            texts = [p["name"], p["summary"], " ".join(p["departments"])] + p["section_titles"]
            if part_titles:
                texts += [part_titles[n] for n in dict.fromkeys(s[0] for s in p["sections"]) if n in part_titles]
            if mode == "relisted-text":  # also the differing text of 【再掲】 listings
                texts += [l["summary"] for l in p["listings"]] + [" ".join(l["departments"]) for l in p["listings"]]
            if mode == "no-spaces":
                texts = [re.sub(r"\s+", "", t) for t in texts]
            depts = list(p["departments"])
            if mode == "relisted-text":
                depts += [d for l in p["listings"] for d in l["departments"]]
            if mode == "expand":
                f = [fold(t) for t in texts]
                d = [fold(t) for t in depts]
            else:
                f = [norm(t) for t in texts]
                d = [norm(t) for t in depts]
            if mode == "concat":
                f = ["".join(f)]
            self.fields.append((f, d))

    def term_match(self, idx, field, value):
        texts, depts = self.fields[idx]
        hay = depts if field == "dept" else texts
        if self.mode == "expand":
            needles = [x.replace(" ", "") for x in expansions(value)]
        else:
            needles = [norm(value).replace(" ", "")]
        needles = [n for n in needles if n]
        if not needles:
            return True
        return any(n in h for n in needles for h in hay)

    def run(self, q):
        clauses = parse_query(q)
        part = next((int(a[2]) for c in clauses for a in c if a[1] == "part" and not a[0]), None)
        res = []
        for i, p in enumerate(self.programs):
            ok = True
            for c in clauses:
                hit = False
                for neg, field, value in c:
                    if field == "part":
                        m = any(s[0] == int(value) for s in p["sections"])
                    elif field == "section":
                        m = any(s[1] == int(value) and (part is None or s[0] == part) for s in p["sections"])
                    else:
                        m = self.term_match(i, field, value)
                    if neg:
                        m = not m
                    hit = hit or m
                if not hit:
                    ok = False
                    break
            if ok:
                res.append(p["name"])
        return res

# ---------------------------------------------------------------------------------------------


def verdict(result, entry):
    """What the JSON entry says about a result: the must/must_not names it checks (and, unless
    partial, the whole set)."""
    r = set(result)
    if not entry.get("partial"):
        return frozenset(r)
    return (frozenset(n for n in entry.get("must", []) if n in r),
            frozenset(n for n in entry.get("must_not", []) if n in r))


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    show = "--show" in argv
    seed = SEED
    if not show and args and os.path.exists(args[0]) and args[0].endswith(".txt"):
        seed = args.pop(0)
    listings, sections = parse(seed)
    programs = programs_of(listings)
    eng = Engine(programs)
    if show:
        for q in args:
            r = eng.run(q)
            print(f"{q!r}: {len(r)}")
            for n in r:
                print("   ", n)
        return 0
    path = args[0] if args else JSON
    with open(path, encoding="utf-8") as f:
        data = json.load(f)

    problems = []
    # The document as the expected structure describes it.
    exp_path = os.path.join(HERE, "sendai-expected.json")
    if os.path.exists(exp_path):
        with open(exp_path, encoding="utf-8") as f:
            exp = json.load(f)
        if len(listings) != exp["listings_total"] or len(programs) != exp["programs_total"]:
            problems.append(f"parse: {len(listings)} listings / {len(programs)} programs, "
                            f"expected {exp['listings_total']} / {exp['programs_total']}")
        for e in exp["listings"]:
            l = [x for x in listings if (x["part"], x["section"]) == (e["part"], e["section"])][e["position"] - 1]
            for k in ("name", "summary", "departments", "relisted"):
                if l[k] != e[k]:
                    problems.append(f"parse: {e['part']}-{e['section']}-{e['position']} {k}: {l[k]!r} != {e[k]!r}")

    names = {p["name"] for p in programs}
    alt = {m: Engine(programs, m) for m in ("expand", "no-spaces", "concat", "relisted-text")}
    # Part titles are not in the document: the expectations assume none (import without an
    # outline).  Say which queries would change if the sample outline's titles were searchable.
    with_parts, part_dependent = None, []
    outline = os.path.join(HERE, "..", "..", "data", "sendai-2024-draft.outline.tsv")
    if os.path.exists(outline):
        titles = {}
        with open(outline, encoding="utf-8") as f:
            for line in f:
                if line.strip() and not line.startswith("#") and "\t" in line:
                    n, t = line.rstrip("\n").split("\t", 1)
                    titles[int(n)] = t
        with_parts = Engine(programs, part_titles=titles)
    kinds = set()
    for entry in data["queries"]:
        q = entry["q"]
        kinds.add(entry.get("kind"))
        got = eng.run(q)
        gs = set(got)
        for n in entry.get("must", []) + entry.get("must_not", []):
            if n not in names:
                problems.append(f"{q!r}: {n!r} is not the name of a program")
        for n in entry.get("must", []):
            if n not in gs:
                problems.append(f"{q!r}: must return {n!r} but does not")
        for n in entry.get("must_not", []):
            if n in gs:
                problems.append(f"{q!r}: must not return {n!r} but does")
        if not entry.get("partial"):
            extra = [n for n in got if n not in entry.get("must", [])]
            if extra:
                problems.append(f"{q!r}: not partial, but also returns {extra}")
        elif len(entry.get("must", [])) < 8:
            problems.append(f"{q!r}: partial with fewer than 8 names")
        if len(set(entry.get("must", []))) != len(entry.get("must", [])):
            problems.append(f"{q!r}: a name listed twice in must")
        for mode, e in alt.items():
            if verdict(e.run(q), entry) != verdict(got, entry):
                a = set(e.run(q))
                problems.append(f"FRAGILE {q!r}: under '{mode}' +{sorted(a - gs)} -{sorted(gs - a)}")
        if with_parts is not None and verdict(with_parts.run(q), entry) != verdict(got, entry):
            part_dependent.append(q)
    for p in problems:
        print(p)
    if part_dependent:
        print(f"note: {len(part_dependent)} queries would change if the outline's part titles were "
              f"searchable (the expectations assume an import without --outline): {part_dependent}")
    print(f"{len(data['queries'])} queries, {len(programs)} programs, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
