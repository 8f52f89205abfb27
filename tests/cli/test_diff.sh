#!/usr/bin/env bash
# test_diff.sh — drives `sasae diff` through the real binary: file against file, database versions
# (slug, slug@N) against each other and against files, text and JSON output, the exit statuses
# (0 equal, 1 different, 2 usage, 65 bad document, 66 not found, 74 write error).
#
# Usage: test_diff.sh PATH/TO/sasae SOURCE_DIR
# The second version is the bundled plan with five precise changes (tests/data/diff-edit.py): each
# must be reported exactly once, with the right kind, and nothing else.  Prints "N passed, M failed".

set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 SASAE_BINARY SOURCE_DIR" >&2
	exit 2
fi
SASAE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
PLAN=$SRC/data/sendai-2024-draft.txt

PASSED=0
FAILED=0
CURRENT=""
ROOT=$(mktemp -d "${TMPDIR:-/tmp}/sasae-diff-XXXXXX")
trap 'rm -rf "$ROOT"' EXIT
unset SASAE_DB

# shared helpers: pass, fail, begin, run, expect_* (tests/cli/lib.sh)
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
expect_rc() {
	if [ "$RC" -eq "$1" ]; then pass; else fail "$2: exit $RC, want $1; stderr: $(head -c 400 "$T/err")"; fi
}
expect_out_has() {
	if grep -qF -- "$1" "$T/out"; then pass; else fail "stdout lacks '$1': $(head -c 600 "$T/out")"; fi
}
py_check() { # what, script, args...
	local what=$1 script=$2
	shift 2
	if python3 -c "$script" "$@" >"$T/py.out" 2>&1; then pass; else fail "$what: $(head -c 2000 "$T/py.out")"; fi
}

# The two versions, in $ROOT: v1.txt (the bundled plan) and v2.txt (five changes).
python3 "$SRC/tests/data/diff-edit.py" "$PLAN" "$ROOT/v2.txt" || {
	echo "cannot make the second version" >&2
	exit 1
}
cp "$PLAN" "$ROOT/v1.txt"
V1=$ROOT/v1.txt
V2=$ROOT/v2.txt

COUNTS="違い 5 件: 追加 1・削除 1・名称変更 1・掲載箇所の変更 1・概要の変更 1・担当局等の変更 0"

# The text report of v1 → v2: counts, and each change under its heading.
expect_crafted_text() {
	expect_out_has "$COUNTS"
	expect_out_has "■ 追加された事業（1 件）"
	expect_out_has "  + 地域共生カフェへの支援"
	expect_out_has "      掲載: 第3部 (2) 身近な相談機能の充実 No.16"
	expect_out_has "■ 削除された事業（1 件）"
	expect_out_has "  - 人権教育研修会"
	expect_out_has "■ 名称が変わった事業（1 件）"
	expect_out_has "  地域福祉セミナー"
	expect_out_has "    → 地域福祉セミナー（入門編）"
	expect_out_has "      類似度 0.87（名称 0.74・概要 1.00）"
	expect_out_has "■ 掲載箇所（施策）が変わった事業（1 件）"
	expect_out_has "      掲載をやめた: 第1部 (1) 共生の意識を高める取り組みの推進 No.10"
	expect_out_has "      新たに掲載: 第1部 (4) 誰もが暮らしやすい生活環境の整備 No.6"
	expect_out_has "■ 事業概要が変わった事業（1 件）"
	expect_out_has "  障害者差別解消の推進（第1部 (1) No.9）"
	expect_out_has "      概要: 障害を理由とする差別の解消を推進するため、普及啓発・交流等の各種事業を行うとともに、個別相談への対応に{+、より一層+}着実に取り組む。"
	expect_out_lacks "担当局等が変わった事業"
}

# The JSON report of v1 → v2, checked entry by entry; $1 and $2: the expected kinds of old/new.
JSON_CHECK='
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
old_kind, new_kind = sys.argv[2], sys.argv[3]
assert d["old"]["kind"] == old_kind and d["new"]["kind"] == new_kind, (d["old"], d["new"])
for side in ("old", "new"):
    assert d[side]["kind"] == "file" or isinstance(d[side]["version"], int), d[side]
    assert d[side]["programs"] == 174 and d[side]["listings"] == 254, d[side]
assert d["equal"] is False
want = {"added": 1, "removed": 1, "renamed": 1, "moved": 1, "changed": 1, "departments_changed": 0}
assert d["counts"] == want, d["counts"]
for k, n in want.items():
    assert len(d[k]) == n, (k, d[k])
a = d["added"][0]
assert a["name"] == "地域共生カフェへの支援" and a["departments"] == ["健康福祉局"], a
assert [(l["part"], l["section"], l["number"]) for l in a["listings"]] == [(3, 2, 16)], a["listings"]
assert d["removed"][0]["name"] == "人権教育研修会"
r = d["renamed"][0]
assert r["old"]["name"] == "地域福祉セミナー" and r["new"]["name"] == "地域福祉セミナー（入門編）", r
assert abs(r["score"] - 0.868) < 1e-9 and r["summary_score"] == 1.0, r
assert len(r["new"]["listings"]) == 2 and r["new"]["listings"][1]["relisted"] is True
m = d["moved"][0]
assert m["new"]["name"] == "障害者週間に合わせた「心のバリアフリー」理念の普及促進", m
assert [(p["part"], p["section"], p["number"]) for p in m["removed_from"]] == [(1, 1, 10)], m
assert [(p["part"], p["section"], p["number"]) for p in m["added_to"]] == [(1, 4, 6)], m
assert m["added_to"][0]["section_title"] == "誰もが暮らしやすい生活環境の整備"
c = d["changed"][0]
assert c["new"]["name"] == "障害者差別解消の推進" and "name" not in c, c
s = c["summary"]
assert "個別相談への対応に{+、より一層+}着実に取り組む。" in s["diff"], s
assert [x["op"] for x in s["spans"]] == ["=", "+", "="] and s["spans"][1]["text"] == "、より一層", s["spans"]
assert "".join(x["text"] for x in s["spans"] if x["op"] != "+") == s["old"]
assert "".join(x["text"] for x in s["spans"] if x["op"] != "-") == s["new"]
'

# ---- tests ----

t_help_and_usage() {
	begin usage
	run diff --help
	expect_rc 0 "diff --help"
	expect_out_has "使い方: sasae diff 旧 新"
	expect_out_has "終了コード: 0 違いなし, 1 違いあり"
	run --help
	expect_out_has "  diff "
	run diff
	expect_rc 2 "no arguments"
	expect_err_has "比べる二つ（旧と新）を指定してください"
	run diff "$V1"
	expect_rc 2 "one argument"
	run diff "$V1" "$V2" "$V1"
	expect_rc 2 "three arguments"
	run diff "$V1" "$V2" --format xml
	expect_rc 2 "--format xml"
	expect_out_empty
	for bad in 0 1.5 abc -0.2; do
		run diff "$V1" "$V2" --threshold "$bad"
		expect_rc 2 "--threshold $bad"
	done
	run diff "$V1" "$V2" --bogus
	expect_rc 2 "unknown option"
}

t_files() {
	begin files
	run diff "$V1" "$V1"
	expect_rc 0 "same file"
	expect_out_has "違いはありません。"
	expect_err_empty
	run diff "$V1" "$V2"
	expect_rc 1 "v1 v2"
	expect_err_empty
	expect_out_has "  旧: $V1（ファイル）"
	expect_out_has "  新: $V2（ファイル）"
	expect_crafted_text
	# No database is needed (nor created) when both sides are files.
	run --db "$DB" diff "$V1" "$V2"
	expect_rc 1 "files with a --db that does not exist"
	if [ -e "$DB" ]; then fail "diff created $DB"; else pass; fi
	# Options after the arguments, and the database option of the command.
	run diff "$V1" "$V2" --format=json --db "$DB"
	expect_rc 1 "--format=json"
	py_check "json file/file" "$JSON_CHECK" "$T/out" file file
	# The reverse: additions and removals swap.
	run diff "$V2" "$V1"
	expect_rc 1 "v2 v1"
	expect_out_has "  + 人権教育研修会"
	expect_out_has "  - 地域共生カフェへの支援"
	expect_out_has "  地域福祉セミナー（入門編）"
	expect_out_has "    → 地域福祉セミナー"
	expect_out_has "個別相談への対応に[-、より一層-]着実に取り組む。"
	# Departments: 成年後見セミナー (健康福祉局 社会福祉協議会 → 健康福祉局 市民局).
	sed 's/^\(8\t成年後見セミナー\t.*\t\)健康福祉局 社会福祉協議会$/\1健康福祉局 市民局/' "$V1" >depts.txt
	run diff "$V1" depts.txt
	expect_rc 1 "departments"
	expect_out_has "違い 1 件: 追加 0・削除 0・名称変更 0・掲載箇所の変更 0・概要の変更 0・担当局等の変更 1"
	expect_out_has "  成年後見セミナー（第1部 (1) No.8 ほか 1 か所）"
	expect_out_has "      旧: 健康福祉局、市社会福祉協議会"
	expect_out_has "      新: 健康福祉局、市民局"
	expect_out_has "      （加わった: 市民局／外れた: 市社会福祉協議会）"
	run diff "$V1" depts.txt --format json
	py_check "json departments" '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
(e,) = d["departments_changed"]
assert e["new"]["name"] == "成年後見セミナー", e
assert e["added"] == ["市民局"] and e["removed"] == ["市社会福祉協議会"], e
assert e["old_departments"] == ["健康福祉局", "市社会福祉協議会"] and e["new_departments"] == ["健康福祉局", "市民局"], e
assert sum(d["counts"].values()) == 1
' "$T/out"
	# A file in the working directory that looks like a slug is a file.
	cp "$V2" sendai
	run diff "$V1" sendai
	expect_rc 1 "a file named like a slug"
	expect_out_has "$COUNTS"
}

t_threshold() {
	begin threshold
	# 0.868 is below 0.9: the rename becomes a removal and an addition.
	run diff "$V1" "$V2" --threshold 0.9
	expect_rc 1 "--threshold 0.9"
	expect_out_has "違い 6 件: 追加 2・削除 2・名称変更 0・掲載箇所の変更 1・概要の変更 1・担当局等の変更 0"
	expect_out_has "  + 地域福祉セミナー（入門編）"
	expect_out_has "  - 地域福祉セミナー"
	run diff "$V1" "$V2" --threshold 0.8
	expect_out_has "$COUNTS"
}

t_database() {
	begin database
	"$SASAE" --db "$DB" import "$V1" --plan sendai --quiet >/dev/null 2>&1 || fail "import v1"
	"$SASAE" --db "$DB" import "$V2" --plan sendai --quiet >/dev/null 2>&1 || fail "import v2"
	run --db "$DB" diff sendai@1 sendai@2
	expect_rc 1 "sendai@1 sendai@2"
	expect_err_empty
	expect_out_has "  旧: sendai 第1版（v1.txt）"
	expect_out_has "  新: sendai 第2版（v2.txt）"
	expect_crafted_text
	run --db "$DB" diff sendai@1 sendai@2 --format json
	expect_rc 1 "json db/db"
	py_check "json db/db" "$JSON_CHECK" "$T/out" database database
	py_check "json versions" '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert (d["old"]["slug"], d["old"]["version"], d["new"]["version"]) == ("sendai", 1, 2), (d["old"], d["new"])
assert d["old"]["spec"] == "sendai@1" and d["new"]["spec"] == "sendai@2"
' "$T/out"
	# "sendai" is the latest version (2)
	run --db "$DB" diff sendai@1 sendai
	expect_rc 1 "sendai@1 sendai"
	expect_out_has "$COUNTS"
	run --db "$DB" diff sendai@2 sendai
	expect_rc 0 "sendai@2 sendai"
	expect_out_has "違いはありません。"
	# database against file, both ways, and the --db option of the command
	run --db "$DB" diff sendai@1 "$V1"
	expect_rc 0 "sendai@1 v1.txt"
	run --db "$DB" diff sendai@1 "$V2"
	expect_rc 1 "sendai@1 v2.txt"
	expect_crafted_text
	run diff "$V1" sendai@2 --db "$DB" --format json
	expect_rc 1 "v1.txt sendai@2"
	py_check "json file/db" "$JSON_CHECK" "$T/out" file database
	SASAE_DB=$DB "$SASAE" diff sendai@2 "$V2" >"$T/out" 2>"$T/err"
	RC=$?
	expect_rc 0 "SASAE_DB"
}

t_not_found() {
	begin notfound
	# neither a file nor a database
	run --db "$DB" diff nosuch "$V2"
	expect_rc 66 "no file, no database"
	expect_err_has "「nosuch」という名前のファイルはなく、データベース $DB もありません"
	expect_out_empty
	run diff "$T/nosuch.txt" "$V2"
	expect_rc 66 "missing path"
	expect_err_has "ファイル「$T/nosuch.txt」はありません"
	"$SASAE" --db "$DB" import "$V1" --plan sendai --quiet >/dev/null 2>&1 || fail "import v1"
	run --db "$DB" diff other "$V2"
	expect_rc 66 "no such plan"
	expect_err_has "「other」という名前のファイルはありません"
	expect_err_has "sendai（第1版まで）"
	run --db "$DB" diff sendai@3 "$V2"
	expect_rc 66 "no such version"
	run --db "$DB" diff sendai@x "$V2"
	expect_rc 2 "malformed version"
	run diff "$T" "$V2"
	expect_rc 2 "a directory"
	expect_err_has "ディレクトリです"
}

t_bad_document() {
	begin baddoc
	printf '\x89PNG\r\n\x1a\n\x00\x00' >bad.txt
	run diff bad.txt "$V1"
	expect_rc 65 "not UTF-8"
	expect_err_has "bad.txt:1:"
	expect_out_empty
	printf 'タイトル\n(1) 施策\n\t続きの行\t概要\t局\n' >orphan.txt
	run diff "$V1" orphan.txt
	expect_rc 65 "continuation without a row"
	expect_err_has "orphan.txt:3:"
	: >empty.txt
	run diff "$V1" empty.txt
	expect_rc 65 "empty file"
}

t_write_error() {
	begin writeerr
	if [ -w /dev/full ]; then
		"$SASAE" diff "$V1" "$V2" >/dev/full 2>"$T/err"
		RC=$?
		expect_rc 74 "stdout is /dev/full"
		expect_err_has "書き出せませんでした"
	fi
}

# ---- run ----

if ! command -v python3 >/dev/null; then
	echo "test_diff.sh needs python3" >&2
	exit 1
fi

t_help_and_usage
t_files
t_threshold
t_database
t_not_found
t_bad_document
t_write_error

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
