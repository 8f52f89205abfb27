#!/usr/bin/env bash
# test_export.sh — the export formats of `sasae export` through the real binary (docs/exports.md):
#   csv/tsv --encoding cp932   decoded back with iconv equals the UTF-8 table; a character with no
#                              CP932 form: exit 65, the listing named, nothing written
#   xlsx                       read back by a real reader: LibreOffice (soffice --convert-to csv,
#                              every sheet) must give the rows of the CSV; the sheet XML (python
#                              zipfile) shows the frozen header, widths and wrapped summaries;
#                              refused on a terminal, allowed to a redirected stdout
#   plan-text                  import → plan-text → import into another database → the JSON exports
#                              are identical except plan.slug and plan.source
#   markdown, html             structure, 【再掲】, escaping; html parsed by python's html.parser
#   hsds                       validated against HSDS 3.0's own JSON Schemas with python3-jsonschema
#                              (skipped with a message when ../shared/standards/hsds-3.0 is absent)
#   jsonld                     parses; one GovernmentService per program; providers
#   --output                   written beside and renamed: a failed export leaves the old file
#
# Usage: test_export.sh PATH/TO/sasae SOURCE_DIR
# Prints "N passed, M failed" (and skipped checks) and exits non-zero when anything failed.

set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 SASAE_BINARY SOURCE_DIR" >&2
	exit 2
fi
SASAE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
PLAN=$SRC/data/sendai-2024-draft.txt
HSDS_SPEC=${SASAE_HSDS_SPEC:-$SRC/../shared/standards/hsds-3.0}

PASSED=0
FAILED=0
SKIPPED=0
CURRENT=""
ROOT=$(mktemp -d "${TMPDIR:-/tmp}/sasae-export-XXXXXX")
trap 'rm -rf "$ROOT"' EXIT
unset SASAE_DB

# ---- helpers (as in test_cli.sh) ----

# shared helpers: pass, fail, begin, run, expect_* (tests/cli/lib.sh)
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
skip() {
	SKIPPED=$((SKIPPED + 1))
	echo "SKIP [$CURRENT] $*" >&2
}



expect_rc() {
	if [ "$RC" -eq "$1" ]; then pass; else fail "$2: exit $RC, want $1; stderr: $(head -c 400 "$T/err")"; fi
}
expect_eq() {
	if [ "$1" = "$2" ]; then pass; else fail "$3: got '$1', want '$2'"; fi
}
expect_same_file() { # a, b, what
	if cmp -s "$1" "$2"; then pass; else fail "$3: $1 and $2 differ"; fi
}


import_plan() { # [db]
	"$SASAE" --db "${1:-$DB}" import "$PLAN" --quiet >/dev/null 2>&1 || fail "setup: import of the bundled plan failed"
}

py_check() { # what, script, args...
	local what=$1 script=$2
	shift 2
	if "$PYTHON" -c "$script" "$@" >"$T/py.out" 2>&1; then pass; else fail "$what: $(head -c 3000 "$T/py.out")"; fi
}

# ---- CP932 ----

t_cp932() {
	begin cp932
	import_plan
	"$SASAE" --db "$DB" export --format csv >utf8.csv 2>/dev/null
	"$SASAE" --db "$DB" export --format tsv >utf8.tsv 2>/dev/null
	local fmt
	for fmt in csv tsv; do
		run --db "$DB" export --format $fmt --encoding cp932
		expect_rc 0 "export --format $fmt --encoding cp932"
		expect_err_empty
		cp "$T/out" sjis.$fmt
		# decoded with iconv, it is the UTF-8 table (the CSV without its byte order mark)
		if iconv -f CP932 -t UTF-8 sjis.$fmt >decoded.$fmt 2>iconv.err; then pass; else fail "iconv: $(cat iconv.err)"; fi
		if [ $fmt = csv ]; then tail -c +4 utf8.csv >want.csv; else cp utf8.tsv want.tsv; fi
		expect_same_file decoded.$fmt want.$fmt "$fmt in CP932, decoded"
	done
	# it really is CP932: no BOM, and 事業名 is 8E 96 8B C6 96 BC
	py_check "CP932 bytes" '
import sys
raw = open(sys.argv[1], "rb").read()
assert not raw.startswith(b"\xef\xbb\xbf"), "CP932 CSV has a BOM"
assert "事業名".encode("cp932") in raw, "header not in CP932"
raw.decode("cp932")
' sjis.csv
	# --encoding utf-8 is the default
	run --db "$DB" export --format csv --encoding utf-8
	expect_same_file "$T/out" utf8.csv "--encoding utf-8"
	# into a file
	run --db "$DB" export --format csv --encoding cp932 --output out.csv
	expect_rc 0 "export --encoding cp932 --output"
	expect_out_empty
	expect_same_file out.csv sjis.csv "--output file"
}

t_cp932_unconvertible() {
	begin cp932-error
	# 𠮷 (U+20BB7, outside JIS X 0208) in a summary on line 4, listing No.2 of part 1 section (1)
	write_bytes crafted.txt "'題名\\n(1) 一\\n1\\tA\\ta\\t市民局\\n2\\t弁当の事業\\t𠮷野家の弁当を届ける。\\t健康福祉局\\n'.encode()"
	"$SASAE" --db "$DB" import crafted.txt --quiet >/dev/null 2>&1 || fail "setup: import crafted.txt"
	run --db "$DB" export --format csv --encoding cp932
	expect_rc 65 "a character without a CP932 form"
	expect_out_empty
	expect_err_has "crafted.txt:4:"
	expect_err_has "第1部 (1) No.2「弁当の事業」"
	expect_err_has "事業概要"
	expect_err_has "「𠮷」(U+20BB7)"
	# an emoji in a name, in part 2, TSV
	write_bytes emoji.txt "'(1) 一\\n1\\tA\\ta\\t市民局\\n(1) 二\\n\\n3\\t笑顔😀相談\\tb\\t市民局\\n'.encode()"
	"$SASAE" --db "$T/emoji.db" import emoji.txt --quiet >/dev/null 2>&1 || fail "setup: import emoji.txt"
	run --db "$T/emoji.db" export --format tsv --encoding cp932
	expect_rc 65 "an emoji"
	expect_out_empty
	expect_err_has "emoji.txt:5:"
	expect_err_has "第2部 (1) No.3「笑顔😀相談」の事業名"
	expect_err_has "U+1F600"
	# with --output, an existing file is left as it was and no temporary file stays behind
	printf 'old contents\n' >keep.csv
	run --db "$DB" export --format csv --encoding cp932 --output keep.csv
	expect_rc 65 "cp932 error with --output"
	expect_eq "$(cat keep.csv)" "old contents" "the existing file after a failed export"
	expect_eq "$(find . -name 'keep.csv.tmp-*' | wc -l)" "0" "temporary files left"
	# the UTF-8 export of the same plan works
	run --db "$DB" export --format csv
	expect_rc 0 "the same plan in UTF-8"
}

# ---- XLSX ----

XLSX_STRUCTURE='
import re, sys, zipfile
path, nparts = sys.argv[1], int(sys.argv[2])
z = zipfile.ZipFile(path)
assert z.testzip() is None, "corrupt zip member"
wb = z.read("xl/workbook.xml").decode()
names = re.findall(r"<sheet name=\"([^\"]+)\"", wb)
assert names == ["第%d部" % (i + 1) for i in range(nparts)], names
styles = z.read("xl/styles.xml").decode()
xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S).group(1)
xf = re.findall(r"<xf [^>]*?(?:/>|>.*?</xf>)", xfs, re.S)
wrap = {i for i, x in enumerate(xf) if "wrapText=\"1\"" in x}
assert wrap, "no wrapped style"
for i in range(nparts):
    sheet = z.read("xl/worksheets/sheet%d.xml" % (i + 1)).decode()
    # the header row is frozen: a pane below row 1
    pane = re.search(r"<pane [^>]*/>", sheet)
    assert pane and "ySplit=\"1\"" in pane.group(0) and "state=\"frozen\"" in pane.group(0), "sheet %d: no frozen header" % (i + 1)
    assert "<autoFilter ref=\"A1:K" in sheet, "sheet %d: no filter on the header" % (i + 1)
    cols = {int(m.group(1)): (float(m.group(2)), int(m.group(3) or 0))
            for m in re.finditer(r"<col min=\"(\d+)\" max=\"\d+\" width=\"([\d.]+)\"(?: style=\"(\d+)\")?", sheet)}
    assert len(cols) == 11, cols
    # summary (H), name (F), section (C) and departments (I) wrap; the numbers do not
    assert cols[8][1] in wrap, "sheet %d: summary column not wrapped" % (i + 1)
    assert all(cols[c][1] in wrap for c in (3, 6, 9)), cols
    assert all(cols[c][1] not in wrap for c in (1, 2, 4, 5, 7, 10, 11)), cols
    # data rows are as high as their wrapped text: the summaries of the plan need 2 lines or more
    heights = [float(h) for h in re.findall(r"<row r=\"(?:[2-9]|\d\d+)\"[^>]* ht=\"([\d.]+)\" customHeight=\"1\"", sheet)]
    assert heights and max(heights) >= 32, heights[:5]
    assert 30 <= cols[8][0] <= 82, cols[8]
    assert 20 <= cols[6][0] <= 52, cols[6]
    assert cols[4][0] <= 8, cols[4]
'

XLSX_CONTENT='
import csv, glob, io, os, sys
outdir, csv_path, stem, nparts = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
rows = list(csv.reader(io.StringIO(open(csv_path, "rb").read().decode("utf-8-sig"), newline="")))
header, body = rows[0], rows[1:]
seen = 0
for i in range(nparts):
    name = os.path.join(outdir, "%s-第%d部.csv" % (stem, i + 1))
    assert os.path.exists(name), "LibreOffice wrote no %s (has: %r)" % (name, sorted(os.listdir(outdir)))
    got = list(csv.reader(io.StringIO(open(name, encoding="utf-8").read(), newline="")))
    assert got[0] == header, (got[0], header)
    want = [r for r in body if r[0] == str(i + 1)]
    assert len(got) - 1 == len(want), "sheet %d: %d rows, want %d" % (i + 1, len(got) - 1, len(want))
    for g, w in zip(got[1:], want):
        assert g == w, "sheet %d row differs:\n got %r\nwant %r" % (i + 1, g, w)
    seen += len(want)
assert seen == len(body), (seen, len(body))
'

t_xlsx() {
	begin xlsx
	import_plan
	"$SASAE" --db "$DB" export --format csv >plan.csv 2>/dev/null
	run --db "$DB" export --format xlsx --output plan.xlsx
	expect_rc 0 "export --format xlsx --output"
	expect_out_empty
	expect_err_empty
	py_check "XLSX structure" "$XLSX_STRUCTURE" plan.xlsx 6
	# to a redirected stdout (through a temporary file)
	run --db "$DB" export --format xlsx
	expect_rc 0 "export --format xlsx > file"
	cp "$T/out" stdout.xlsx
	py_check "XLSX on stdout" "$XLSX_STRUCTURE" stdout.xlsx 6
	# refused on a terminal
	py_check "XLSX refused on a terminal" '
import os, pty, subprocess, sys
master, slave = pty.openpty()
p = subprocess.run([sys.argv[1], "--db", sys.argv[2], "export", "--format", "xlsx"], stdout=slave,
                   stderr=subprocess.PIPE, timeout=60)
os.close(slave)
os.set_blocking(master, False)
try:
    written = os.read(master, 100)
except OSError:
    written = b""
assert p.returncode == 2, p.returncode
assert "--output" in p.stderr.decode(), p.stderr.decode()
assert written == b"", written
' "$SASAE" "$DB"
	# a directory that does not exist: exit 74, no file
	run --db "$DB" export --format xlsx --output missing/plan.xlsx
	expect_rc 74 "xlsx into a missing directory"
	expect_err_has "missing/plan.xlsx"
	expect_no_file missing
	# read back by LibreOffice, every sheet to CSV
	if command -v soffice >/dev/null 2>&1; then
		mkdir -p lo lohome
		if HOME=$T/lohome timeout 300 soffice --headless "-env:UserInstallation=file://$T/lohome" \
			--convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1' \
			--outdir lo plan.xlsx >lo.log 2>&1; then
			pass
		else
			fail "soffice --convert-to csv: $(tail -5 lo.log)"
		fi
		py_check "XLSX read by LibreOffice" "$XLSX_CONTENT" lo plan.csv plan 6
	else
		skip "LibreOffice (soffice) is not installed: the XLSX was checked as XML only; scripts/install-deps.sh installs libreoffice-calc-nogui"
	fi
}

# ---- plan-text ----

t_plan_text() {
	begin plan-text
	import_plan
	"$SASAE" --db "$DB" export --format json >a.json 2>/dev/null
	run --db "$DB" export --format plan-text
	expect_rc 0 "export --format plan-text"
	expect_err_empty
	cp "$T/out" regenerated.txt
	run --db "$T/b.db" import regenerated.txt
	expect_rc 0 "import of the regenerated document"
	run --db "$T/b.db" export --format json
	expect_rc 0 "export of the re-imported plan"
	cp "$T/out" b.json
	py_check "plan-text round trip" '
import json, sys
a = json.load(open(sys.argv[1], encoding="utf-8"))
b = json.load(open(sys.argv[2], encoding="utf-8"))
assert b["plan"]["slug"] == "regenerated" and b["plan"]["source"] == "regenerated.txt", b["plan"]
for d in (a, b):
    del d["plan"]["slug"], d["plan"]["source"]
if a != b:
    for k in ("plan", "parts", "programs"):
        if a[k] != b[k]:
            if isinstance(a[k], list):
                for i, (x, y) in enumerate(zip(a[k], b[k])):
                    if x != y:
                        print(k, i, json.dumps(x, ensure_ascii=False)[:800], json.dumps(y, ensure_ascii=False)[:800], sep="\n")
                        break
            print(k, "differs")
    sys.exit(1)
' a.json b.json
	# the document reads like the original: title, headings, header line, 【再掲】, notes
	py_check "plan-text shape" '
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
orig = open(sys.argv[2], encoding="utf-8").read().splitlines()
lines = text.splitlines()
assert lines[0] == "**(仮称)せんだい支えあいのまち推進プラン(掲載予定事業一覧)**", lines[0]
heads = [l for l in lines if re.match(r"\(\d+\) ", l)]
assert len(heads) == 21, len(heads)
assert sum(1 for l in lines if l == "No\t事業名\t事業概要\t担当局等") == 21
rows = [l for l in lines if re.match(r"\d+\t", l)]
assert len(rows) == 254 and all(l.count("\t") == 3 for l in rows)
assert sum(1 for l in rows if l.split("\t")[1].endswith("【再掲】")) == 78
assert any(l.endswith("\t市民局 (各区役所、総合支所)") for l in rows)
# every heading and row is on the line it had in the source
for i, l in enumerate(lines):
    if re.match(r"\d+\t|\(\d+\) ", l):
        o = orig[i]
        assert o.split("\t")[0] == l.split("\t")[0] or o.startswith(l.split(" ")[0]), (i + 1, l[:40], o[:40])
' regenerated.txt "$PLAN"
	# a fixed point: the re-imported plan gives the same document
	run --db "$T/b.db" export --format plan-text
	expect_same_file "$T/out" regenerated.txt "plan-text of the re-imported plan"
}

# ---- Markdown and HTML ----

TRICKY="'(1) 施策 <b>太字</b> & \"引用\"\\n1\\t表 | 縦棒 *強調* [リンク](x)\\t<script>alert(1)</script> & 概要\\t市民局\\n2\\t二つ目【再掲】\\t概要\\t健康福祉局\\n'.encode()"

t_markdown() {
	begin markdown
	import_plan
	"$SASAE" --db "$DB" export --format json >plan.json 2>/dev/null
	run --db "$DB" export --format markdown
	expect_rc 0 "export --format markdown"
	expect_err_empty
	cp "$T/out" plan.md
	py_check "Markdown structure" '
import json, re, sys
md = open(sys.argv[1], encoding="utf-8").read()
doc = json.load(open(sys.argv[2], encoding="utf-8"))
lines = md.splitlines()
assert lines[0] == "# " + doc["plan"]["title"].replace("(", "(")
parts = [l for l in lines if l.startswith("## ")]
assert parts == ["## 第%d部" % p["number"] for p in doc["parts"]], parts
secs = [l for l in lines if l.startswith("### ")]
want = ["### (%d) %s" % (s["number"], s["title"]) for p in doc["parts"] for s in p["sections"]]
assert secs == want, (secs[:3], want[:3])
rows = [l for l in lines if re.match(r"\| \d+ \| ", l)]
listings = [l for p in doc["parts"] for s in p["sections"] for l in s["listings"]]
assert len(rows) == len(listings) == 254
for r, l in zip(rows, listings):
    cells = [c.strip() for c in r.strip("|").split(" | ")]
    assert len(cells) == 4, r
    assert cells[0] == str(l["number"])
    assert cells[1] == l["name"] + ("【再掲】" if l["relisted"] else ""), (cells[1], l["name"])
    assert cells[3].startswith("、".join(l["departments"][:1])), cells[3]
assert md.count("| No | 事業名 | 事業概要 | 担当局等 |") == 21
' plan.md plan.json
	write_bytes tricky.txt "$TRICKY"
	"$SASAE" --db "$T/tricky.db" import tricky.txt --quiet >/dev/null 2>&1 || fail "setup: import tricky.txt"
	run --db "$T/tricky.db" export --format markdown
	expect_rc 0 "markdown of values that look like markup"
	py_check "Markdown escaping" '
import sys
md = open(sys.argv[1], encoding="utf-8").read()
assert "表 \\| 縦棒 \\*強調\\* \\[リンク\\](x)" in md, md
assert "\\<script\\>" in md and "<script>" not in md.replace("\\<script\\>", ""), md
row = [l for l in md.splitlines() if l.startswith("| 1 |")][0]
assert row.replace("\\|", "").count("|") == 5, row
' "$T/out"
}

HTML_CHECK='
import html.parser, json, sys
text = open(sys.argv[1], encoding="utf-8").read()
doc = json.load(open(sys.argv[2], encoding="utf-8")) if sys.argv[2] != "-" else None
VOID = {"meta", "link", "br", "img", "hr", "input"}
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.tables, self.rowheads, self.colheads = [], [], [], 0, 0
        self.lang = self.charset = None
        self.text = []
        self.cap = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "meta" and "charset" in a:
            self.charset = a["charset"]
        if tag == "table":
            self.tables.append({"caption": None, "rows": 0})
        if tag == "caption":
            self.cap = ""
        if tag == "th":
            if a.get("scope") == "row":
                self.rowheads += 1
                self.tables[-1]["rows"] += 1
            elif a.get("scope") == "col":
                self.colheads += 1
            else:
                self.errors.append("th without scope")
        if tag == "script":
            self.errors.append("a script element")
        if tag not in VOID:
            self.stack.append(tag)
    def handle_endtag(self, tag):
        if tag == "caption":
            self.tables[-1]["caption"] = self.cap
            self.cap = None
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("unbalanced </%s> (open: %r)" % (tag, self.stack[-3:]))
        else:
            self.stack.pop()
    def handle_data(self, data):
        if self.cap is not None:
            self.cap += data
        self.text.append(data)
p = P()
p.feed(text)
p.close()
assert text.startswith("<!DOCTYPE html>"), text[:40]
assert not p.stack, p.stack
assert not p.errors, p.errors[:5]
assert p.lang == "ja" and p.charset.lower() == "utf-8", (p.lang, p.charset)
assert all(t["caption"] for t in p.tables), "a table without a caption"
if doc:
    secs = [s for part in doc["parts"] for s in part["sections"]]
    assert len(p.tables) == len(secs) == 21
    for t, s in zip(p.tables, secs):
        assert t["caption"] == "(%d) %s" % (s["number"], s["title"]), (t["caption"], s["title"])
        assert t["rows"] == len(s["listings"])
    assert p.colheads == 4 * 21 and p.rowheads == 254
    assert "".join(p.text).count("【再掲】") == sum(l["relisted"] for s in secs for l in s["listings"])
else:
    body = "".join(p.text)
    assert "<script>alert(1)</script> & 概要" in body, body
    assert "(1) 施策 <b>太字</b> & \"引用\"" == p.tables[0]["caption"], p.tables[0]["caption"]
'

t_html() {
	begin html
	import_plan
	"$SASAE" --db "$DB" export --format json >plan.json 2>/dev/null
	run --db "$DB" export --format html --output plan.html
	expect_rc 0 "export --format html --output"
	expect_out_empty
	py_check "HTML structure" "$HTML_CHECK" plan.html plan.json
	write_bytes tricky.txt "$TRICKY"
	"$SASAE" --db "$T/tricky.db" import tricky.txt --quiet >/dev/null 2>&1 || fail "setup: import tricky.txt"
	run --db "$T/tricky.db" export --format html
	expect_rc 0 "html of values that look like markup"
	cp "$T/out" tricky.html
	py_check "HTML escaping" "$HTML_CHECK" tricky.html -
}

# ---- HSDS ----

HSDS_VALIDATE='
import csv, json, os, re, sys
from jsonschema import Draft202012Validator, FormatChecker
pkg, spec_dir, jpath = sys.argv[1], sys.argv[2], sys.argv[3]
plan = json.load(open(jpath, encoding="utf-8"))
spec = json.load(open(os.path.join(spec_dir, "datapackage.json"), encoding="utf-8"))
dp = json.load(open(os.path.join(pkg, "datapackage.json"), encoding="utf-8"))
errors = []
def check(cond, msg):
    if not cond:
        errors.append(msg)

# the package
check(dp.get("profile") == "tabular-data-package", "profile %r" % dp.get("profile"))
check(re.fullmatch(r"[a-z0-9._-]+", dp.get("name", "")) is not None, "package name %r" % dp.get("name"))
spec_res = {r["name"]: r for r in spec["resources"]}
ours = {r["name"]: r for r in dp["resources"]}
for need in ("organization", "program", "service", "attribute", "taxonomy_term", "taxonomy"):
    check(need in ours, "resource %s missing" % need)
for name, r in ours.items():
    s = spec_res.get(name)
    if s is None:
        errors.append("resource %s is not in HSDS" % name)
        continue
    for k in ("path", "format", "mediatype", "profile", "description"):
        check(r.get(k) == s.get(k), "%s.%s: %r, spec %r" % (name, k, r.get(k), s.get(k)))
    fs, ss = r["schema"]["fields"], s["schema"]["fields"]
    check([f["name"] for f in fs] == [f["name"] for f in ss], "%s: field names differ from the spec" % name)
    for f, g in zip(fs, ss):
        for k in ("type", "format", "title", "constraints"):
            check(f.get(k) == g.get(k), "%s.%s.%s: %r, spec %r" % (name, f["name"], k, f.get(k), g.get(k)))
    check(r["schema"].get("primaryKey") == s["schema"].get("primaryKey"), name + ": primaryKey")
    check((r["schema"].get("foreignKeys") or []) == (s["schema"].get("foreignKeys") or []), name + ": foreignKeys")
    for fk in r["schema"].get("foreignKeys") or []:
        check(fk["reference"]["resource"] in ours, "%s: foreign key to %s, which the package lacks" % (name, fk["reference"]["resource"]))

# every row, typed as the field says, against the specification JSON Schema of its resource
def typed(field, value):
    if field["type"] == "number":
        return float(value) if re.search(r"[.eE]", value) else int(value)
    if field["type"] == "integer":
        return int(value)
    if field["type"] == "boolean":
        return value.lower() == "true"
    return value            # string, date, datetime, time: strings in JSON
tables = {}
for name, r in ours.items():
    schema = json.load(open(os.path.join(spec_dir, "schema", name + ".json"), encoding="utf-8"))
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    with open(os.path.join(pkg, r["path"]), encoding="utf-8", newline="") as f:
        raw = f.read()
    check(not raw.startswith("\ufeff"), r["path"] + ": byte order mark")
    rows = list(csv.reader(raw.splitlines(keepends=True)))
    fields = r["schema"]["fields"]
    check(rows and rows[0] == [f["name"] for f in fields], r["path"] + ": header is not the field list")
    objs = []
    for i, row in enumerate(rows[1:], start=2):
        check(len(row) == len(fields), "%s:%d: %d cells" % (r["path"], i, len(row)))
        obj = {f["name"]: typed(f, v) for f, v in zip(fields, row) if v != ""}
        for f in fields:
            if f["constraints"].get("required"):
                check(f["name"] in obj, "%s:%d: required %s is empty" % (r["path"], i, f["name"]))
        for e in validator.iter_errors(obj):
            errors.append("%s:%d: %s (at %s)" % (r["path"], i, e.message, "/".join(map(str, e.path))))
        objs.append(obj)
    for f in fields:
        if f["constraints"].get("unique"):
            vals = [o[f["name"]] for o in objs if f["name"] in o]
            check(len(vals) == len(set(vals)), "%s: %s not unique" % (name, f["name"]))
    tables[name] = objs
# foreign keys resolve
for name, r in ours.items():
    for fk in r["schema"].get("foreignKeys") or []:
        keys = {o.get(fk["reference"]["fields"]) for o in tables.get(fk["reference"]["resource"], [])}
        for o in tables[name]:
            v = o.get(fk["fields"])
            check(v is None or v in keys, "%s.%s %s refers to nothing" % (name, fk["fields"], v))
# attribute.link_id names a row of the table link_entity says
for o in tables["attribute"]:
    ent = o.get("link_entity")
    check(ent in tables and any(x["id"] == o["link_id"] for x in tables[ent]), "attribute %s: link to %s %s" % (o["id"], ent, o.get("link_id")))

# the mapping
progs = plan["programs"]
sections = [s for p in plan["parts"] for s in p["sections"]]
listings = [l for s in sections for l in s["listings"]]
check(len(tables["service"]) == len(progs), "services %d, programs %d" % (len(tables["service"]), len(progs)))
check([s["name"] for s in tables["service"]] == [p["name"] for p in progs], "service names are not the program names")
check(all(s["status"] == "active" for s in tables["service"]), "status")
depts = []
for p in progs:
    for d in p["departments"]:
        if d not in depts:
            depts.append(d)
check([o["name"] for o in tables["organization"]] == depts, "organizations are not the departments")
org_by_id = {o["id"]: o["name"] for o in tables["organization"]}
for s, p in zip(tables["service"], progs):
    check(org_by_id.get(s.get("organization_id")) == p["departments"][0], "service %s: organization" % p["id"])
terms = tables["taxonomy_term"]
check(sum(1 for t in terms if t.get("code", "").startswith("part-") and "-section-" not in t["code"]) == len(plan["parts"]), "part terms")
sec_terms = [t for t in terms if "-section-" in t.get("code", "")]
check([t["name"] for t in sec_terms] == [s["title"] for s in sections], "section terms")
check(all(t.get("parent_id") in {x["id"] for x in terms} for t in sec_terms), "section term parents")
placed = [a for a in tables["attribute"] if a.get("link_type") in ("plan_section", "plan_section_relisted")]
check(len(placed) == len(listings), "listing attributes %d, listings %d" % (len(placed), len(listings)))
check(sum(a["link_type"] == "plan_section_relisted" for a in placed) == sum(l["relisted"] for l in listings), "relisted attributes")
check(len(tables["program"]) == 0, "programs.csv has rows")
if errors:
    print("\n".join(errors[:40]))
    print("%d problems" % len(errors))
    sys.exit(1)
print("validated %d rows" % sum(len(v) for v in tables.values()))
'

t_hsds() {
	begin hsds
	import_plan
	"$SASAE" --db "$DB" export --format json >plan.json 2>/dev/null
	run --db "$DB" export --format hsds --output pkg
	expect_rc 0 "export --format hsds --output pkg"
	expect_out_empty
	expect_err_empty
	local f
	for f in datapackage.json organizations.csv programs.csv services.csv attributes.csv taxonomy_terms.csv taxonomies.csv; do
		if [ -s "pkg/$f" ]; then pass; else fail "pkg/$f missing or empty"; fi
	done
	expect_eq "$(find pkg -name '.*' -type f | wc -l)" "0" "temporary files left in the package"
	# stable identifiers: a second export into another directory is byte-identical
	run --db "$DB" export --format hsds --output pkg2
	expect_rc 0 "second export"
	if diff -r pkg pkg2 >/dev/null; then pass; else fail "a second HSDS export differs"; fi
	# validation against the specification
	if [ ! -f "$HSDS_SPEC/datapackage.json" ]; then
		skip "HSDS 3.0 specification not found at $HSDS_SPEC (../shared/standards/hsds-3.0): package not validated"
	elif [ -z "$JSONSCHEMA_PYTHON" ]; then
		skip "no python3 with the jsonschema module (Debian: python3-jsonschema, installed by scripts/install-deps.sh): package not validated"
	else
		PYTHON=$JSONSCHEMA_PYTHON py_check "HSDS package against the HSDS 3.0 schemas" "$HSDS_VALIDATE" pkg "$HSDS_SPEC" plan.json
		# the validator catches a broken package: a service without its organization
		cp -r pkg broken
		python3 -c '
import sys
p = sys.argv[1]
lines = open(p, encoding="utf-8", newline="").read().split("\r\n")
cells = lines[1].split(",")
cells[1] = ""
lines[1] = ",".join(cells)
open(p, "w", encoding="utf-8", newline="").write("\r\n".join(lines))
' broken/services.csv
		if "$JSONSCHEMA_PYTHON" -c "$HSDS_VALIDATE" broken "$HSDS_SPEC" plan.json >broken.out 2>&1; then
			fail "the validator accepted a service without organization_id"
		elif grep -q "required organization_id is empty" broken.out; then
			pass
		else
			fail "the validator failed otherwise: $(head -c 500 broken.out)"
		fi
	fi
	# usage: a directory is required; a file where the directory should be is an I/O error
	run --db "$DB" export --format hsds
	expect_rc 2 "hsds without --output"
	printf 'x' >afile
	run --db "$DB" export --format hsds --output afile
	expect_rc 74 "hsds into a file"
	expect_err_has "afile"
}

# ---- JSON-LD ----

t_jsonld() {
	begin jsonld
	import_plan
	"$SASAE" --db "$DB" export --format json >plan.json 2>/dev/null
	run --db "$DB" export --format jsonld
	expect_rc 0 "export --format jsonld"
	expect_err_empty
	cp "$T/out" plan.jsonld
	py_check "JSON-LD" '
import json, sys
ld = json.load(open(sys.argv[1], encoding="utf-8"))
plan = json.load(open(sys.argv[2], encoding="utf-8"))
ctx = ld["@context"]
assert ctx == "https://schema.org" or (isinstance(ctx, list) and ctx[0] == "https://schema.org"), ctx
g = ld["@graph"]
services = [x for x in g if x.get("@type") == "GovernmentService"]
assert len(services) == len(g) == len(plan["programs"]), (len(services), len(plan["programs"]))
for s, p in zip(services, plan["programs"]):
    assert s["identifier"] == p["id"] and s["name"] == p["name"], (s, p)
    assert s.get("description", "") == p["summary"]
    prov = s.get("provider", [])
    assert [o["@type"] for o in prov] == ["GovernmentOrganization"] * len(p["departments"])
    assert [o["name"] for o in prov] == p["departments"]
    assert s["category"], s
' plan.jsonld plan.json
	run --db "$DB" export --format jsonld --base-url https://example.org/sasae
	expect_rc 0 "jsonld --base-url"
	py_check "JSON-LD addresses" '
import json, sys
g = json.load(open(sys.argv[1], encoding="utf-8"))["@graph"]
assert g[0]["@id"] == "https://example.org/sasae/programs/p0001", g[0]["@id"]
assert all(s["url"] == s["@id"] for s in g)
assert g[0]["provider"][0]["url"].startswith("https://example.org/sasae/departments/%E5%B8%82")
' "$T/out"
}

# ---- options, files, errors ----

t_usage() {
	begin usage
	import_plan
	local args
	while IFS= read -r args; do
		# shellcheck disable=SC2086
		run --db "$DB" $args
		expect_rc 2 "sasae $args"
		expect_out_empty
	done <<'EOF'
export --format pdf
export --format json --encoding cp932
export --format xlsx --encoding cp932
export --format csv --encoding latin1
export --format csv --base-url https://example.org
export --format hsds
export --format hsds --output -
export --format json out.json
EOF
	run --db "$DB" export --help
	expect_rc 0 "export --help"
	local f
	for f in json csv tsv xlsx plan-text markdown html hsds jsonld cp932 --output; do
		if grep -qF -- "$f" "$T/out"; then pass; else fail "export --help does not mention $f"; fi
	done
}

t_output_files() {
	begin output
	import_plan
	local fmt
	for fmt in json csv tsv plan-text markdown html jsonld; do
		"$SASAE" --db "$DB" export --format $fmt >want.$fmt 2>/dev/null
		run --db "$DB" export --format $fmt --output got.$fmt
		expect_rc 0 "export --format $fmt --output"
		expect_out_empty
		expect_same_file got.$fmt want.$fmt "--output for $fmt"
		# "-" is stdout
		run --db "$DB" export --format $fmt --output -
		expect_same_file "$T/out" want.$fmt "--output - for $fmt"
	done
	run --db "$DB" export --format csv --output missing/plan.csv
	expect_rc 74 "--output into a missing directory"
	expect_err_has "missing/plan.csv"
	# a full disk is an I/O error (exit 74) for every text format
	if [ -w /dev/full ]; then
		for fmt in plan-text markdown html jsonld xlsx; do
			"$SASAE" --db "$DB" export --format $fmt >/dev/full 2>"$T/err"
			RC=$?
			expect_rc 74 "$fmt > /dev/full"
		done
		"$SASAE" --db "$DB" export --format csv --encoding cp932 >/dev/full 2>"$T/err"
		RC=$?
		expect_rc 74 "csv --encoding cp932 > /dev/full"
	fi
}

# ---- run ----

if ! command -v python3 >/dev/null || ! command -v iconv >/dev/null; then
	echo "test_export.sh needs python3 and iconv" >&2
	exit 1
fi
PYTHON=python3
# The python with the jsonschema module (Debian's python3-jsonschema lives in /usr/bin/python3,
# which may not be the python3 first on PATH).
JSONSCHEMA_PYTHON=""
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null && "$p" -c 'import jsonschema' >/dev/null 2>&1; then
		JSONSCHEMA_PYTHON=$p
		break
	fi
done

t_cp932
t_cp932_unconvertible
t_xlsx
t_plan_text
t_markdown
t_html
t_hsds
t_jsonld
t_usage
t_output_files

if [ "$SKIPPED" -gt 0 ]; then
	echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
else
	echo "$PASSED passed, $FAILED failed"
fi
[ "$FAILED" -eq 0 ]
