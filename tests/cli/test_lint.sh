#!/usr/bin/env bash
# test_lint.sh — drives `sasae lint` (docs/lint.md) through the real binary: help and usage errors,
# the findings on the bundled Sendai draft as text (exit 1) and as JSON (validated with python3
# against the contract of ../shared/docs/design.md and docs/lint.md), the accept list (suppressing,
# counting, stale lines, errors), --plan, a document with no findings (exit 0) and one with every
# kind of finding once (tests/data/lint-*.txt).
#
# Usage: test_lint.sh PATH/TO/sasae SOURCE_DIR
# Prints "N passed, M failed" and exits non-zero when anything failed.

set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 SASAE_BINARY SOURCE_DIR" >&2
	exit 2
fi
SASAE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
PLAN=$SRC/data/sendai-2024-draft.txt
CLEAN=$SRC/tests/data/lint-clean.txt
KINDS=$SRC/tests/data/lint-kinds.txt
ACCEPT_EXAMPLE=$SRC/data/lint-accepted.tsv

PASSED=0
FAILED=0
CURRENT=""
ROOT=$(mktemp -d "${TMPDIR:-/tmp}/sasae-lint-XXXXXX")
trap 'rm -rf "$ROOT"' EXIT
unset SASAE_DB

# shared helpers: pass, fail, begin, run, expect_* (tests/cli/lib.sh)
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
expect_rc() {
	if [ "$RC" -eq "$1" ]; then pass; else fail "$2: exit $RC, want $1; stderr: $(head -c 400 "$T/err")"; fi
}
expect_out_has() {
	if grep -qF -- "$1" "$T/out"; then pass; else fail "stdout lacks '$1': $(head -c 300 "$T/out")"; fi
}
import() { # file [options]
	"$SASAE" --db "$DB" import "$@" --quiet >/dev/null 2>&1 || fail "setup: import $1 failed"
}
py_check() { # what, script, args...
	local what=$1 script=$2
	shift 2
	if python3 -c "$script" "$@" >"$T/py.out" 2>&1; then pass; else fail "$what: $(head -c 2000 "$T/py.out")"; fi
}

# The JSON contract, and the findings on the Sendai draft read from the document by hand.
JSON_SHAPE='
import json, sys
d = json.load(open(sys.argv[1]))
kinds = {"relist-drift", "relist-orphan", "relist-before-original", "duplicate-unmarked",
         "shared-summary", "numbering", "department-variant", "department-joined",
         "unknown-department", "empty-cell", "empty-section", "doubled-char", "orphan-note"}
assert set(d) >= {"findings", "counts", "total", "accepted"}, sorted(d)
assert isinstance(d["findings"], list)
for f in d["findings"]:
    assert f["kind"] in kinds, f["kind"]
    l = f["listing"]
    for k in ("part", "section", "position"):
        assert isinstance(l[k], int) and l[k] >= 0, (k, l)
    assert l["part"] >= 1 and l["section"] >= 1
    assert isinstance(f["message"], str) and f["message"], f
    assert isinstance(f["source_line"], int) and f["source_line"] == l["source_line"], f
    if "other" in f:
        assert isinstance(f["other"]["source_line"], int)
    if "diff" in f:
        assert isinstance(f["diff"], str)
    if "similarity" in f:
        assert 0 <= f["similarity"] <= 1
assert d["total"] == len(d["findings"]), (d["total"], len(d["findings"]))
assert sum(d["counts"].values()) == d["total"]
for k, n in d["counts"].items():
    assert k in kinds and n == sum(1 for f in d["findings"] if f["kind"] == k), k
'
SENDAI_FINDINGS='
import json, sys
d = json.load(open(sys.argv[1]))
accepted = int(sys.argv[2])
got = {(f["kind"], f["source_line"], f.get("other", {}).get("source_line")) for f in d["findings"]}
want = {
    ("relist-drift", 113, 88), ("relist-drift", 154, 98), ("relist-drift", 188, 10),
    ("relist-drift", 199, 43), ("relist-drift", 258, 190), ("relist-drift", 269, 55),
    ("relist-drift", 327, 63), ("relist-drift", 336, 55), ("relist-drift", 361, 64),
    ("relist-drift", 362, 63), ("relist-drift", 374, 10),
    ("relist-orphan", 323, 22), ("relist-orphan", 358, 62),
    ("duplicate-unmarked", 198, 21), ("duplicate-unmarked", 262, 58),
    ("duplicate-unmarked", 356, 62), ("duplicate-unmarked", 367, 28),
    ("shared-summary", 27, 12), ("numbering", 364, 363), ("department-variant", 16, 12),
    ("department-joined", 94, None), ("doubled-char", 120, None), ("doubled-char", 190, None),
    ("doubled-char", 340, None),
}
if accepted:
    want -= {("relist-drift", 188, 10), ("relist-drift", 374, 10)}
assert got == want, ("missing", sorted(want - got), "extra", sorted(got - want))
assert d["accepted"] == accepted, d["accepted"]
f = next(f for f in d["findings"] if f["source_line"] == 113)
assert f["listing"] == {**f["listing"], "part": 2, "section": 2, "position": 9}, f["listing"]
assert "[-内-]" in f["diff"] and f["field"] == "summary", f
f = next(f for f in d["findings"] if f["kind"] == "relist-orphan" and f["source_line"] == 358)
assert f["listing"]["name"] == "青少年面接相談" and f["similarity"] < 0.5, f
f = next(f for f in d["findings"] if f["kind"] == "numbering")
assert (f["listing"]["part"], f["listing"]["section"], f["listing"]["number"]) == (6, 3, 18), f
assert d["plan"]["slug"] == "sendai-2024-draft", d["plan"]
'

t_help_and_usage() {
	begin help
	run lint --help
	expect_rc 0 "lint --help"
	expect_out_has "使い方: sasae lint"
	expect_out_has "--accept FILE"
	expect_err_empty
	run --help
	expect_out_has "  lint "
	run lint --format xml
	expect_rc 2 "--format xml"
	expect_err_has "--format"
	run lint extra
	expect_rc 2 "extra argument"
	run lint --no-such-option
	expect_rc 2 "unknown option"
	run --db "$DB" lint
	expect_rc 66 "no database"
	expect_err_has "sasae import"
}

t_sendai_text() {
	begin sendai-text
	import "$PLAN" --outline "$SRC/data/sendai-2024-draft.outline.tsv"
	run --db "$DB" lint
	expect_rc 1 "lint with findings"
	expect_err_empty
	expect_out_has "点検: sendai-2024-draft 第1版（sendai-2024-draft.txt）"
	expect_out_has "■ 再掲の内容が原本と違う [relist-drift]  11 件"
	expect_out_has "■ 原本のない再掲 [relist-orphan]  2 件"
	expect_out_has "■ 【再掲】のない重複掲載 [duplicate-unmarked]  4 件"
	expect_out_has "■ 別の事業と同じ事業概要 [shared-summary]  1 件"
	expect_out_has "■ 番号の飛び・戻り・重複 [numbering]  1 件"
	expect_out_has "■ 担当局等の表記ゆれ [department-variant]  1 件"
	expect_out_has "  第2部 (2) No.9  113行  ボランティアセンターにおけるボランティア活動相談、情報提供、コーディネート等"
	expect_out_has "事業概要が原本（第2部 (1) No.8、88行）と違います"
	expect_out_has "差分: …及び各区・支部事務所[-内-]に設置されているボラ…"
	expect_out_has "  第6部 (3) No.21  358行  青少年面接相談"
	expect_out_has "「社会を明るくする運動」（第1部 (1) No.13、22行、名前の類似度 0.86、3 字違い）"
	expect_out_has "No.26 の次が No.18 に戻っています"
	expect_out_has "担当局等が「社会福祉協議会」と書かれています"
	expect_out_has "指摘 24 件"
	expect_out_lacks "受け入れ済み"
	# the DB environment variable and --db after the command work alike
	SASAE_DB=$DB "$SASAE" lint >"$T/out2" 2>/dev/null
	RC=$?
	expect_rc 1 "lint with \$SASAE_DB"
	if cmp -s "$T/out" "$T/out2"; then pass; else fail "lint output differs with \$SASAE_DB"; fi
	run lint --db "$DB"
	expect_rc 1 "lint --db after the command"
}

t_sendai_json() {
	begin sendai-json
	import "$PLAN"
	run --db "$DB" lint --format json
	expect_rc 1 "lint --format json"
	expect_err_empty
	py_check "JSON shape" "$JSON_SHAPE" "$T/out"
	py_check "Sendai findings" "$SENDAI_FINDINGS" "$T/out" 0
}

t_accept() {
	begin accept
	import "$PLAN"
	# the example list of the repository: the two white-space-only drifts
	run --db "$DB" lint --accept "$ACCEPT_EXAMPLE"
	expect_rc 1 "lint --accept example"
	expect_err_empty
	expect_out_has "■ 再掲の内容が原本と違う [relist-drift]  9 件"
	expect_out_has "指摘 22 件（ほかに受け入れリスト $ACCEPT_EXAMPLE で受け入れ済み 2 件）"
	expect_out_lacks "第3部 (2) No.1  188行"
	run --db "$DB" lint --accept "$ACCEPT_EXAMPLE" --format json
	expect_rc 1 "lint --accept --format json"
	py_check "JSON shape with accepted" "$JSON_SHAPE" "$T/out"
	py_check "Sendai findings with accepted" "$SENDAI_FINDINGS" "$T/out" 2
	# accepting every finding: exit 0, and the output says how many were accepted
	run --db "$DB" lint --format json
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as out:
    out.write("# every finding\n")
    for f in d["findings"]:
        l = f["listing"]
        out.write("%s\t%d-%d-%d\t%s\n" % (f["kind"], l["part"], l["section"], l["position"], "確認済み"))
' "$T/out" "$T/all.tsv" || fail "cannot write the accept-all list"
	run --db "$DB" lint --accept "$T/all.tsv"
	expect_rc 0 "everything accepted"
	expect_err_empty
	expect_out_has "指摘はありません（ほかに受け入れリスト $T/all.tsv で受け入れ済み 24 件）"
	run --db "$DB" lint --accept "$T/all.tsv" --format json
	expect_rc 0 "everything accepted, JSON"
	py_check "all accepted" 'import json,sys; d=json.load(open(sys.argv[1])); assert d["findings"] == [] and d["total"] == 0 and d["accepted"] == 24, d' "$T/out"
	# a line that matches nothing is reported (stderr, file:line) but is not an error
	printf 'relist-drift\t3-2-1\nnumbering\t1-1-1\t直した\n' >"$T/stale.tsv"
	run --db "$DB" lint --accept "$T/stale.tsv"
	expect_rc 1 "stale accept line"
	expect_err_has "$T/stale.tsv:2: 注意: 受け入れリストのこの行（numbering 1-1-1）に当たる指摘はありません"
	expect_out_has "受け入れ済み 1 件"
	# a malformed list is bad input data (65) with file:line, and nothing is printed on stdout
	printf '# list\nrelist-drfit\t3-2-1\n' >"$T/bad.tsv"
	run --db "$DB" lint --accept "$T/bad.tsv"
	expect_rc 65 "unknown kind in the accept list"
	expect_err_has "$T/bad.tsv:2: 指摘の種類「relist-drfit」はありません"
	expect_out_empty
	printf 'relist-drift\t3/2/1\n' >"$T/bad2.tsv"
	run --db "$DB" lint --accept "$T/bad2.tsv"
	expect_rc 65 "malformed place"
	expect_err_has "$T/bad2.tsv:1: 場所「3/2/1」が読めません"
	run --db "$DB" lint --accept "$T/missing.tsv"
	expect_rc 66 "missing accept list"
	expect_err_has "missing.tsv"
}

t_clean_and_plans() {
	begin clean
	import "$CLEAN"
	run --db "$DB" lint
	expect_rc 0 "a document with no findings"
	expect_err_empty
	expect_out_has "点検: lint-clean 第1版（lint-clean.txt）"
	expect_out_has "指摘はありません"
	expect_out_lacks "■"
	run --db "$DB" lint --format json
	expect_rc 0 "no findings, JSON"
	py_check "JSON shape, no findings" "$JSON_SHAPE" "$T/out"
	py_check "empty findings" 'import json,sys; d=json.load(open(sys.argv[1])); assert d["findings"] == [] and d["total"] == 0 and d["accepted"] == 0, d' "$T/out"
	# --plan picks the plan; the default is the plan imported last
	import "$PLAN"
	run --db "$DB" lint
	expect_rc 1 "default plan: the Sendai draft (imported last)"
	run --db "$DB" lint --plan lint-clean
	expect_rc 0 "--plan lint-clean"
	run --db "$DB" lint --plan lint-clean@1
	expect_rc 0 "--plan lint-clean@1"
	run --db "$DB" lint --plan sendai-2024-draft
	expect_rc 1 "--plan sendai-2024-draft"
	run --db "$DB" lint --plan no-such-plan
	expect_rc 66 "--plan no-such-plan"
	expect_err_has "no-such-plan"
}

t_every_kind() {
	begin kinds
	import "$KINDS"
	run --db "$DB" lint --format json
	expect_rc 1 "every kind"
	py_check "JSON shape, every kind" "$JSON_SHAPE" "$T/out"
	py_check "every kind once (numbering 3, empty-cell 2)" '
import json, sys
d = json.load(open(sys.argv[1]))
want = {"relist-drift": 1, "relist-orphan": 1, "relist-before-original": 1, "duplicate-unmarked": 1,
        "shared-summary": 1, "numbering": 3, "department-variant": 1, "department-joined": 1,
        "unknown-department": 1, "empty-cell": 2, "empty-section": 1, "doubled-char": 1, "orphan-note": 1}
assert d["counts"] == want, d["counts"]
lines = sorted((f["kind"], f["source_line"]) for f in d["findings"])
assert lines == sorted([("relist-drift", 17), ("relist-orphan", 19), ("relist-before-original", 20),
    ("duplicate-unmarked", 18), ("shared-summary", 10), ("numbering", 9), ("numbering", 31),
    ("numbering", 35), ("department-variant", 21), ("department-joined", 23),
    ("unknown-department", 24), ("empty-cell", 22), ("empty-cell", 25), ("empty-section", 35),
    ("doubled-char", 11), ("orphan-note", 25)]), lines
h = [f for f in d["findings"] if f["kind"] == "empty-section"][0]
assert h["listing"]["position"] == 0 and h["listing"]["section"] == 5, h
' "$T/out"
	run --db "$DB" lint
	expect_rc 1 "every kind, text"
	expect_out_has "■ 原本より前にある再掲 [relist-before-original]  1 件"
	expect_out_has "第1部 (3) 見出し  31行  番号が重なった見出し"
	expect_out_has "指摘 16 件"
}

t_help_and_usage
t_sendai_text
t_sendai_json
t_accept
t_clean_and_plans
t_every_kind

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
