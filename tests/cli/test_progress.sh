#!/usr/bin/env bash
# test_progress.sh — drives `sasae progress` (docs/progress.md) through the real binary on a real
# SQLite file holding the bundled plan: help, open (and opening twice), status, export of one
# department's sheet as CSV (read back with Python's csv module), import of a filled sheet (one audit
# row per changed sheet plus the file's), re-import changing nothing, bad files reported as
# file:row:column with the database file's bytes unchanged, pending with its days, report, and exit
# statuses.
#
# Usage: test_progress.sh PATH/TO/sasae SOURCE_DIR
# Prints "N passed, M failed" and exits non-zero when anything failed.

set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 SASAE_BINARY SOURCE_DIR" >&2
	exit 2
fi
SASAE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)

PASSED=0
FAILED=0
CURRENT=""
ROOT=$(mktemp -d "${TMPDIR:-/tmp}/sasae-progress-XXXXXX")
trap 'rm -rf "$ROOT"' EXIT
unset SASAE_DB

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PDB="$ROOT/sasae.db"

audit_rows() {
	"$SASAE" --db "$PDB" audit --format json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))'
}

# The database and its write-ahead log, as one digest.
db_digest() {
	cat "$PDB" "$PDB-wal" 2>/dev/null | sha256sum | cut -d' ' -f1
}

t_help() {
	begin help
	run progress --help
	expect_rc 0 "progress --help"
	for w in "sasae progress open" "sasae progress status" "sasae progress pending" "sasae progress export" \
		"sasae progress import FILE" "sasae progress report" "--deadline" "--department"; do
		expect_out_has "$w"
	done
	run --help
	expect_out_has "progress"
	run progress
	expect_rc 2 "no subcommand"
	run progress frobnicate
	expect_rc 2 "unknown subcommand"
	expect_err_has "frobnicate"
	run progress export
	expect_rc 2 "export without --year"
	expect_err_has "--year"
	run progress submit --year 2025
	expect_rc 2 "submit without --program"
	expect_err_has "--program"
	run progress status --program p0001
	expect_rc 2 "--program outside the workflow"
	run progress approve --program p0001
	expect_rc 2 "approve without --year"
	run progress submit --year 2025 --program p0001 --format json
	expect_rc 2 "--format with submit"
}

t_open() {
	begin open
	run --db "$PDB" import "$SRC/data/sendai-2024-draft.txt"
	expect_rc 0 "import the plan"
	run --db "$PDB" progress status --year 2025
	expect_rc 66 "status before open"
	expect_err_has "2025 年度の進捗管理は始まっていません"
	run --db "$PDB" progress status
	expect_rc 66 "status without --year before any open"
	expect_err_has "進捗管理を始めた年度がありません"
	run --db "$PDB" progress open --year 2025 --deadline 2026-02-30
	expect_rc 2 "a date that does not exist"
	expect_err_has "提出期限"
	local n0
	n0=$(audit_rows)
	run --db "$PDB" progress open --year 2025 --deadline 2026-05-29
	expect_rc 0 "open"
	expect_eq "$(audit_rows)" $((n0 + 1)) "one audit row"
	run --db "$PDB" progress open --year 2025 --deadline 2026-05-29
	expect_rc 65 "open twice"
	run --db "$PDB" progress status --year 2025 --format json
	expect_rc 0 "status json"
	# 174 programs in the plan, each a draft
	expect_eq "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["sheets"], d["states"]["draft"])' "$T/out")" \
		"174 174" "sheets"
}

t_export_import() {
	begin export-import
	run --db "$PDB" progress export --year 2025 --department 教育局 --output "$ROOT/kyoiku.csv"
	expect_rc 0 "export"
	# every row is 教育局's (one of its departments), 21 columns, header first
	expect_eq "$(python3 - "$ROOT/kyoiku.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
assert rows[0][:5] == ["年度", "事業ID", "事業名", "担当課", "状態"], rows[0]
assert all(len(r) == 21 for r in rows)
assert all("教育局" in r[3].split(" ") for r in rows[1:])
print(len(rows[0]), rows[1][0], rows[1][4])
PY
)" "21 2025 下書き" "exported sheet"
	local n0 d0
	n0=$(audit_rows)
	run --db "$PDB" progress import "$ROOT/kyoiku.csv"
	expect_rc 0 "re-import unchanged"
	expect_out_has "変更はありません"
	expect_eq "$(audit_rows)" "$n0" "no audit row"
	# fill the first sheet: status, grade, reason, direction, one indicator
	python3 - "$ROOT/kyoiku.csv" "$ROOT/filled.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
r = rows[1]
r[5], r[6], r[7], r[9], r[10] = "巡回を 12 校で実施", "B", "計画どおり進んだ", "継続", "1,500"
r[14], r[15], r[16], r[18], r[19] = "巡回した学校", "校", "活動", "10", "12"
with open(sys.argv[2], "w", encoding="utf-8-sig", newline="") as f:
    csv.writer(f, lineterminator="\r\n").writerows(rows)
PY
	run --db "$PDB" progress import "$ROOT/filled.csv"
	expect_rc 0 "import filled"
	expect_out_has "1 件のシートを更新しました"
	expect_eq "$(audit_rows)" $((n0 + 2)) "edit + import rows"
	run --db "$PDB" progress import "$ROOT/filled.csv"
	expect_out_has "変更はありません"
	expect_eq "$(audit_rows)" $((n0 + 2)) "the same file twice"
	# bad cells: a grade not on the scale (row 2, column 7), an amount that is not a number
	# (row 2, column 11), a target that is not a number (row 3, column 19)
	python3 - "$ROOT/filled.csv" "$ROOT/bad.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
rows[1][6], rows[1][10] = "S", "千五百"
rows[2][18] = "たくさん"
with open(sys.argv[2], "w", encoding="utf-8-sig", newline="") as f:
    csv.writer(f, lineterminator="\r\n").writerows(rows)
PY
	d0=$(db_digest)
	run --db "$PDB" progress import "$ROOT/bad.csv"
	expect_rc 65 "bad file"
	expect_err_has "$ROOT/bad.csv:2:11: "
	expect_err_has "$ROOT/bad.csv:3:19: "
	expect_err_has "$ROOT/bad.csv:2:7: 自己評価 は A、B、C、D のどれかにしてください"
	expect_err_has "何も取り込んでいません"
	expect_eq "$(db_digest)" "$d0" "database bytes unchanged"
	expect_eq "$(audit_rows)" $((n0 + 2)) "no audit row"
	run --db "$PDB" progress import "$ROOT/nosuch.csv"
	expect_rc 66 "no file"
	run --db "$PDB" progress export --year 2025 --department 無い局
	expect_rc 66 "unknown department"
}

t_pending_report() {
	begin pending-report
	run --db "$PDB" progress pending --year 2025 --department 教育局 --format json
	expect_rc 0 "pending json"
	# every sheet is still a draft (none submitted): all of 教育局's are pending
	local want
	want=$(python3 - "$ROOT/kyoiku.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
print(len({r[1] for r in rows[1:]}))
PY
)
	expect_eq "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["pending"]))' "$T/out")" "$want" "pending count"
	run --db "$PDB" progress pending --year 2025 --department 教育局
	expect_out_has "教育局"
	expect_out_re "提出期限(まであと [0-9]+ 日|は今日|を [0-9]+ 日過ぎて)"
	run --db "$PDB" progress report --year 2025 --format json
	expect_rc 0 "report json"
	# one sheet graded B with one indicator attained (12 >= 10)
	expect_eq "$(python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["total"]; print(t["grades"]["B"], t["grades"]["none"], t["indicators"], t["attained"])' "$T/out")" \
		"1 173 1 1" "report total"
}

# The workflow from the terminal (the operator acts as the office): the sheet filled by the import
# above is submitted, refused what its state does not allow, and returned with a comment.
t_workflow() {
	begin workflow
	local p1 p2 n0 d0
	p1=$(python3 -c 'import csv,sys; print(list(csv.reader(open(sys.argv[1], encoding="utf-8-sig")))[1][1])' "$ROOT/filled.csv")
	p2=$(python3 - "$ROOT/filled.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig")))
print(next(r[1] for r in rows[2:] if r[1] and r[1] != rows[1][1]))
PY
)
	n0=$(audit_rows)
	d0=$(db_digest)
	# an empty sheet cannot be submitted: 実施状況, 自己評価, 評価理由, 今後の方向性 are required
	run --db "$PDB" progress submit --year 2025 --program "$p2"
	expect_rc 65 "submit an empty sheet"
	expect_err_has "$p2: status: "
	expect_err_has "$p2: grade: "
	expect_err_has "$p2: grade_reason: "
	expect_err_has "$p2: direction: "
	expect_eq "$(db_digest)" "$d0" "refused submit leaves the bytes"
	run --db "$PDB" progress confirm --year 2025 --program "$p1"
	expect_rc 65 "confirm a draft"
	expect_err_has "「下書き」の状態のシートは「確定」できません"
	run --db "$PDB" progress submit --year 2025 --program p9999
	expect_rc 66 "no such program"
	run --db "$PDB" progress submit --year 2024 --program "$p1"
	expect_rc 66 "no such year"
	expect_eq "$(audit_rows)" "$n0" "nothing audited while refused"
	run --db "$PDB" progress submit --year 2025 --program "$p1"
	expect_rc 0 "submit"
	expect_out_has "「提出済み」になりました"
	expect_eq "$(audit_rows)" $((n0 + 1)) "one audit row for submit"
	run --db "$PDB" progress submit --year 2025 --program "$p1"
	expect_rc 65 "submit twice"
	run --db "$PDB" progress accept --year 2025 --program "$p1"
	expect_rc 65 "accept before the department approved"
	expect_err_has "「提出済み」の状態のシートは「承認（所管課）」できません"
	run --db "$PDB" progress return --year 2025 --program "$p1"
	expect_rc 2 "return without a comment"
	expect_err_has "差し戻すときは"
	run --db "$PDB" progress return --year 2025 --program "$p1" --comment "指標の目標値の根拠を書いてください"
	expect_rc 0 "return"
	expect_out_has "「差し戻し」になりました"
	expect_eq "$(audit_rows)" $((n0 + 2)) "one audit row for return"
	"$SASAE" --db "$PDB" audit --format json >"$ROOT/audit.json"
	expect_eq "$(python3 - "$ROOT/audit.json" "$p1" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
mine = [r for r in rows if r.get("target") == "progress:2025:" + sys.argv[2]]
acts = sorted(r["action"] for r in mine)
print(" ".join(acts))
PY
)" "progress.edit progress.return progress.submit" "audit actions of the sheet"
	# the returned sheet is pending again, with the comment
	run --db "$PDB" progress pending --year 2025 --format json
	expect_eq "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([p["state"]+" "+p["note"] for p in d["pending"] if p["program"]==sys.argv[2]][0])' "$T/out" "$p1")" \
		"returned 指標の目標値の根拠を書いてください" "returned sheet pending with its note"
	# status without --year: the newest year (2025)
	run --db "$PDB" progress status --format json
	expect_rc 0 "status without --year"
	expect_eq "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["year"], d["states"]["returned"], d["states"]["draft"])' "$T/out")" \
		"2025 1 173" "state counts"
	# the whole way: submit → approve → accept → confirm, a change after 確定 is the office's
	# (progress.amend), then publish; a published sheet takes no change
	local st
	for st in submit:提出済み approve:担当課承認 accept:所管課承認 confirm:確定; do
		run --db "$PDB" progress "${st%%:*}" --year 2025 --program "$p1"
		expect_rc 0 "${st%%:*}"
		expect_out_has "「${st#*:}」になりました"
	done
	expect_eq "$(audit_rows)" $((n0 + 6)) "one audit row per step"
	python3 - "$ROOT/filled.csv" "$ROOT/amend.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
rows[1][10] = "1,600"
with open(sys.argv[2], "w", encoding="utf-8-sig", newline="") as f:
    csv.writer(f, lineterminator="\r\n").writerows(rows)
PY
	run --db "$PDB" progress import "$ROOT/amend.csv"
	expect_rc 0 "amend after confirm"
	expect_out_has "1 件のシートを更新しました"
	"$SASAE" --db "$PDB" audit --format json >"$ROOT/audit.json"
	expect_eq "$(python3 - "$ROOT/audit.json" "$p1" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
print(sum(1 for r in rows if r["action"] == "progress.amend" and r["target"] == "progress:2025:" + sys.argv[2]))
PY
)" "1" "the change after 確定 is audited as progress.amend"
	run --db "$PDB" progress publish --year 2025 --program "$p1"
	expect_rc 0 "publish"
	expect_out_has "「公開」になりました"
	d0=$(db_digest)
	n0=$(audit_rows)
	run --db "$PDB" progress import "$ROOT/filled.csv"
	expect_rc 65 "a published sheet takes no change"
	expect_err_has "$ROOT/filled.csv:2:"
	expect_eq "$(db_digest)" "$d0" "published: bytes unchanged"
	expect_eq "$(audit_rows)" "$n0" "published: no audit row"
	run --db "$PDB" progress return --year 2025 --program "$p1" --comment "もう一度"
	expect_rc 65 "return a published sheet"
	run --db "$PDB" progress status --year 2025 --format json
	expect_eq "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["states"]["published"], d["states"]["draft"])' "$T/out")" \
		"1 173" "published count"
}

# Days to the deadline, against the Japanese calendar date computed here.
t_days() {
	begin days
	local want
	want=$(python3 -c 'import datetime as d; j=d.datetime.now(d.timezone(d.timedelta(hours=9))).date(); print((d.date(2026,5,29)-j).days)')
	run --db "$PDB" progress pending --format json
	expect_rc 0 "pending without --year"
	expect_eq "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["year"], d["days_left"])' "$T/out")" \
		"2025 $want" "days_left"
}

t_help
t_open
t_export_import
t_pending_report
t_workflow
t_days

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
