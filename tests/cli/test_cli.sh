#!/usr/bin/env bash
# test_cli.sh — drives the real sasae binary: help and usage errors, import of the bundled plan,
# the read commands, the exports (validated with python3 against the data contract of
# ../shared/docs/design.md), import options, write errors, bad inputs (exit status, file:line on
# stderr, database unchanged), and databases that are missing or are not databases.
#
# Usage: test_cli.sh PATH/TO/sasae SOURCE_DIR
# Each test runs in a fresh temporary directory with its own --db.  Prints "N passed, M failed"
# and exits non-zero when anything failed.
#
# Expected values come from the document (data/sendai-2024-draft.txt), the hand-verified
# tests/data/sendai-expected.json and the rules of the format and the design, not from output.

set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 SASAE_BINARY SOURCE_DIR" >&2
	exit 2
fi
SASAE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
PLAN=$SRC/data/sendai-2024-draft.txt
EXPECTED=$SRC/tests/data/sendai-expected.json
DEPTS_TSV=$SRC/data/departments.tsv

PASSED=0
FAILED=0
CURRENT=""
ROOT=$(mktemp -d "${TMPDIR:-/tmp}/sasae-cli-XXXXXX")
trap 'rm -rf "$ROOT"' EXIT
unset SASAE_DB

# ---- helpers ----

# shared helpers: pass, fail, begin, run, expect_* (tests/cli/lib.sh)
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"




# A content hash of a database (the sqlite3 CLI's dump).
db_hash() { sqlite3 "$1" .dump | sha256sum | cut -d' ' -f1; }


# Import the bundled plan quietly into $DB.
import_plan() {
	"$SASAE" --db "$DB" import "$PLAN" --quiet >/dev/null 2>&1 || fail "setup: import of the bundled plan failed"
}

# Run a Python check script with arguments; its failures are printed, its exit status counted.
py_check() { # what, script, args...
	local what=$1 script=$2
	shift 2
	if python3 -c "$script" "$@" >"$T/py.out" 2>&1; then pass; else fail "$what: $(head -c 2000 "$T/py.out")"; fi
}

# ---- help, version, usage errors ----

t_help_and_version() {
	begin help
	local cmd commands
	run --help
	expect_rc 0 "--help"
	expect_err_empty
	# every command the program lists, and at least the ones of the design
	commands=$(sed -n '/^コマンド:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' "$T/out" | tr '\n' ' ')
	for cmd in import plans outline list show export; do
		case " $commands " in
		*" $cmd "*) pass ;;
		*) fail "sasae --help does not list $cmd" ;;
		esac
	done
	local opt
	for cmd in $commands; do
		run "$cmd" --help
		expect_rc 0 "$cmd --help"
		expect_out_has "sasae $cmd"
		expect_err_empty
		# the option block is made from the command's option table: every option the usage lines
		# name is listed there (with its explanation)
		for opt in $(sed -n '1,/^$/p' "$T/out" | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
			if grep -qE -- "^  (-[a-zA-Z], )?$opt( [^ ]+)?  +[^ ]" "$T/out"; then
				pass
			else
				fail "$cmd --help: the usage names $opt but the options do not list it"
			fi
		done
		# and the explanations start in one column (display width: a kanji counts 2)
		expect_eq "$(sed -n '/^オプション:$/,/^$/p' "$T/out" | python3 -c '
import re, sys, unicodedata as u
width = lambda s: sum(2 if u.east_asian_width(c) in "WF" else 1 for c in s)
print(len({width(m.group(1)) for m in map(re.compile(r"^(  -.*?\S  +)\S").match, sys.stdin) if m}))')" 1 "$cmd --help: one column for the explanations"
	done
	run -h
	expect_rc 0 "-h"
	expect_out_nonempty
	# --help of a command with --db before it does not create the database
	run --db "$DB" import --help
	expect_rc 0 "--db DB import --help"
	expect_no_file "$DB"
	# --version prints the project's version
	local version
	version=$(sed -n 's/^project(sasae VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
	run --version
	expect_rc 0 "--version"
	expect_out_re "^sasae $version\$"
	expect_err_empty
}

t_usage_errors() {
	begin usage
	local args
	while IFS= read -r args; do
		# shellcheck disable=SC2086
		run --db "$DB" $args
		expect_rc 2 "sasae $args"
		expect_err_nonempty
		expect_out_empty
	done <<'EOF'
frobnicate
--frobnicate plans
plans --frobnicate
plans extra-argument
outline --frobnicate
list --frobnicate
list --part x
list --part 0
list --section 3
show
show p0001 p0002
show --format xml p0001
export
export --format xml
export --format json extra
import
import a.txt b.txt
import --sample a.txt
import --plan Bad/Slug x.txt
EOF
	# the error names the option as it was given
	run --db "$DB" list --part=x
	expect_err_has "--part には 1 以上の整数を指定してください（「x」は使えません）"
	run --db "$DB" list --par x
	expect_err_has "--part には"
	run --db "$DB" list --p 1 # --part or --plan
	expect_err_has "オプション「--p」は使えないか、値がありません"
	run --db "$DB" show --format=xml p0001
	expect_err_has "--format「xml」は使えません。選べるのは: text, json"
	run --db "$DB" plans --quiet
	expect_err_has "オプション「--quiet」は使えないか、値がありません"
	expect_err_has "sasae plans --help"
	run --db "$DB" search 認知症 --limit 1001
	expect_err_has "--limit は 1 から 1000 までです"
	run
	expect_rc 2 "sasae with no command"
	expect_err_nonempty
	expect_no_file "$DB"
}

# ---- import and the read commands ----

t_import() {
	begin import
	run --db "$DB" import "$PLAN"
	expect_rc 0 "import"
	expect_out_re '(^|[^0-9])6 部.*[^0-9]21 施策.*[^0-9]254 件の掲載.*[^0-9]174 事業'
	# warnings are diagnostics on stderr as file:line (a doubled character at the join on line 122)
	expect_err_has "sendai-2024-draft.txt:122:"
	local before
	before=$(db_hash "$DB")
	run --db "$DB" import "$PLAN"
	expect_rc 0 "re-import"
	expect_out_has "変更なし"
	expect_out_lacks "254 件の掲載"
	expect_eq "$(db_hash "$DB")" "$before" "database after re-import"
	# plans
	run --db "$DB" plans
	expect_rc 0 "plans"
	expect_out_re 'sendai-2024-draft +1 +6 +21 +254 +174'
	expect_out_has "せんだい支えあいのまち推進プラン"
	# $SASAE_DB is the default database
	SASAE_DB=$DB "$SASAE" plans >"$T/out" 2>"$T/err"
	RC=$?
	expect_rc 0 "SASAE_DB=… plans"
	expect_out_has "sendai-2024-draft"
	# --quiet
	run --db "$T/quiet.db" import --quiet "$PLAN"
	expect_rc 0 "import --quiet"
	expect_out_empty
	expect_err_empty
}

t_import_sample() {
	begin sample
	run --db "$DB" import --sample
	expect_rc 0 "import --sample"
	expect_out_re '(^|[^0-9])6 部.*[^0-9]21 施策.*[^0-9]254 件の掲載.*[^0-9]174 事業'
	run --db "$DB" outline
	expect_rc 0 "outline after --sample"
	# the bundled outline names the parts
	local title
	while IFS=$'\t' read -r _ title; do
		expect_out_has "$title"
	done < <(grep -v '^#' "$SRC/data/sendai-2024-draft.outline.tsv" | grep -v '^$')
	# the sample and the file are the same document
	run --db "$DB" import "$PLAN"
	expect_rc 0 "import of the file after --sample"
	expect_out_has "変更なし"
}

t_import_options() {
	begin import-options
	run --db "$DB" import "$PLAN" --plan second-plan --title "仙台市の計画（案）" \
		--outline "$SRC/data/sendai-2024-draft.outline.tsv" --departments "$DEPTS_TSV" --quiet
	expect_rc 0 "import with --plan --title --outline --departments"
	run --db "$DB" plans
	expect_out_re 'second-plan +1 +6 +21 +254 +174 +仙台市の計画（案）'
	run --db "$DB" outline --plan second-plan
	expect_rc 0 "outline --plan second-plan"
	expect_out_has "基本目標2 多様な主体による地域活動と災害への備え"
	# a department table where 区役所 is an alias of two bodies (line 3), an outline with a bad
	# line (line 2), and files that are not there
	printf '# 部署\n市民局\t区役所\n青葉区\t区役所\n' >bad-depts.tsv
	printf '1\t第一部\n二\t第二部\n' >bad-outline.tsv
	local before
	before=$(db_hash "$DB")
	run --db "$DB" import "$PLAN" --plan third --departments bad-depts.tsv
	expect_rc 65 "import --departments with a conflicting alias"
	expect_err_has "bad-depts.tsv:3:"
	run --db "$DB" import "$PLAN" --plan third --outline bad-outline.tsv
	expect_rc 65 "import --outline with a bad line"
	expect_err_has "bad-outline.tsv:2:"
	run --db "$DB" import "$PLAN" --plan third --outline missing-outline.tsv
	expect_rc 66 "import --outline of a missing file"
	expect_err_has "missing-outline.tsv"
	run --db "$DB" import "$PLAN" --plan third --departments missing-depts.tsv
	expect_rc 66 "import --departments of a missing file"
	expect_err_has "missing-depts.tsv"
	expect_eq "$(db_hash "$DB")" "$before" "database after imports with bad options"
}

t_outline() {
	begin outline
	import_plan
	run --db "$DB" outline
	expect_rc 0 "outline"
	expect_err_empty
	# Counts per section, in order, as the expected data gives them.
	local want got
	want=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(str(n) for p in d["listings_per_section"] for n in p))' "$EXPECTED")
	got=$(sed -nE 's/^ +\(([0-9]+)\) .* +([0-9]+) 件$/\2/p' "$T/out" | tr '\n' ' ' | sed 's/ $//')
	expect_eq "$got" "$want" "listings per section"
	got=$(grep -cE '^第[0-9]+部' "$T/out")
	expect_eq "$got" 6 "parts in the outline"
	expect_out_has "(1) 共生の意識を高める取り組みの推進"
	expect_out_has "(3) 支援機関、部署等が連携した支援とネットワークの強化"
	expect_out_re '254.*174'
	run --db "$DB" outline --plan sendai-2024-draft@1
	expect_rc 0 "outline --plan slug@1"
	run --db "$DB" outline --plan sendai-2024-draft@9
	expect_rc 66 "outline --plan slug@9"
	expect_err_has "sendai-2024-draft"
	run --db "$DB" outline --plan nosuch
	expect_rc 66 "outline --plan nosuch"
	# the forms of an option: --name=value, a shortened name, options after "--" are operands
	"$SASAE" --db "$DB" outline >want.txt 2>/dev/null
	run --db="$DB" outline --plan=sendai-2024-draft@1
	expect_rc 0 "--db=DB outline --plan=slug@1"
	expect_eq "$(cmp -s "$T/out" want.txt && echo same)" same "outline --plan=slug@1"
	run --db "$DB" outline --pl sendai-2024-draft
	expect_rc 0 "outline --pl slug"
	expect_eq "$(cmp -s "$T/out" want.txt && echo same)" same "outline --pl slug"
	run --db "$DB" outline -- --plan
	expect_rc 2 "outline -- --plan"
	expect_err_has "余分な引数「--plan」"
}

# The listing rows of `list` output: "part (section) No …".
list_rows() { grep -E '^ *[0-9]+ +\([0-9]+\) +[0-9]+ ' "$T/out"; }

t_list() {
	begin list
	import_plan
	run --db "$DB" list --part 6 --section 3
	expect_rc 0 "list --part 6 --section 3"
	expect_eq "$(list_rows | wc -l)" 30 "rows of part 6 section 3"
	local numbers
	numbers=$(list_rows | sed -E 's/^ *[0-9]+ +\([0-9]+\) +([0-9]+) .*/\1/' | tr '\n' ' ' | sed 's/ $//')
	# printed as 1 … 26, then 18 19 20 21 (the numbering goes backwards in the document)
	expect_eq "$numbers" "$(seq -s ' ' 1 26) 18 19 20 21" "printed numbers"
	if list_rows | grep -vqE '^ *6 +\(3\) '; then fail "rows of other sections listed"; else pass; fi
	run --db "$DB" list
	expect_rc 0 "list"
	expect_eq "$(list_rows | wc -l)" 254 "rows of the whole plan"
	run --db "$DB" list --part 4
	expect_rc 0 "list --part 4"
	expect_eq "$(list_rows | wc -l)" 13 "rows of part 4"
	run --db "$DB" list --part 7
	expect_rc 2 "list --part 7 (no such part)"
	expect_err_nonempty
	run --db "$DB" list --part 1 --section 9
	expect_rc 2 "list --part 1 --section 9 (no such section)"
	expect_err_nonempty
}

t_list_department() {
	begin department
	import_plan
	"$SASAE" --db "$DB" export --format json >plan.json 2>/dev/null
	local want
	want=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum("市社会福祉協議会" in l["departments"] for p in d["parts"] for s in p["sections"] for l in s["listings"]))' plan.json)
	if [ -n "$want" ] && [ "$want" -gt 0 ]; then pass; else fail "no listing of 市社会福祉協議会 in the export"; fi
	run --db "$DB" list --department 社会福祉協議会
	expect_rc 0 "list --department 社会福祉協議会 (an alias)"
	expect_eq "$(list_rows | wc -l)" "$want" "rows of 市社会福祉協議会 via its alias"
	if list_rows | grep -vq '市社会福祉協議会'; then fail "a row without 市社会福祉協議会"; else pass; fi
	expect_out_has "成年後見セミナー" # 1/1/8, departments 健康福祉局 and 社会福祉協議会
	expect_out_lacks "DV や性暴力の防止"
	cp "$T/out" alias.out
	run --db "$DB" list --department 市社会福祉協議会
	expect_rc 0 "list --department 市社会福祉協議会"
	if cmp -s alias.out "$T/out"; then pass; else fail "alias and canonical name list different rows"; fi
	run --db "$DB" list --department 関係局区
	expect_rc 0 "list --department 関係局区"
	expect_out_has "犯罪リスクを低減させる環境整備等の推進"
}

SHOW_JSON_CHECK='
import json, sys
p = json.load(open(sys.argv[1]))
want = [tuple(int(x) for x in w.split(":")) for w in sys.argv[3:]]
assert p["id"] == sys.argv[2] or sys.argv[2] == "*", p["id"]
got = [(l["part"], l["section"], l["position"], l["source_line"], int(l["relisted"])) for l in p["listings"]]
assert got == want, (got, want)
'

t_show() {
	begin show
	import_plan
	run --db "$DB" show p0001
	expect_rc 0 "show p0001"
	expect_out_has "p0001"
	expect_out_has "多様な性のあり方についての理解促進、性的少数者への支援"
	expect_out_has "市民局"
	run --db "$DB" show p0001 --format json
	expect_rc 0 "show p0001 --format json"
	cp "$T/out" p1.json
	# listed on line 9 (1/1/1) and re-listed on line 34 (1/2/1)
	py_check "show p0001 places" "$SHOW_JSON_CHECK" p1.json p0001 1:1:1:9:0 1:2:1:34:1
	# by full name
	run --db "$DB" show 成年後見セミナー --format json
	expect_rc 0 "show by full name"
	cp "$T/out" seminar.json
	py_check "show 成年後見セミナー places" "$SHOW_JSON_CHECK" seminar.json '*' 1:1:8:16:0 5:1:4:288:1
	run --db "$DB" show 成年後見セミナー
	expect_rc 0 "show by full name (text)"
	expect_out_has "成年後見セミナー"
	expect_out_has "市社会福祉協議会"
	# by a unique part of the name
	run --db "$DB" show 再犯防止ネットワーク
	expect_rc 0 "show by a unique partial name"
	expect_out_has "(仮称) 再犯防止ネットワーク会議"
	# by the name written in full width and with other spaces
	run --db "$DB" show 'ＤＶや性暴力の防止と被害者支援に向けた 取り組み' --format json
	expect_rc 0 "show by a width/space variant of the name"
	cp "$T/out" dv.json
	py_check "show DV places" "$SHOW_JSON_CHECK" dv.json '*' 1:1:2:10:0 3:2:1:188:1 6:4:2:374:1
	# ambiguous: two programs hold セミナー (地域福祉セミナー and 成年後見セミナー)
	run --db "$DB" show セミナー
	expect_rc 2 "show of an ambiguous partial name"
	expect_err_has "地域福祉セミナー"
	expect_err_has "成年後見セミナー"
	expect_out_empty
	run --db "$DB" show 生活困窮者
	expect_rc 2 "show 生活困窮者 (many programs)"
	# unknown
	run --db "$DB" show 存在しない事業の名前
	expect_rc 66 "show of an unknown name"
	expect_err_nonempty
	expect_out_empty
	run --db "$DB" show p9999
	expect_rc 66 "show of an unknown id"
}

# A heading number printed twice in a part: `show` and the JSON still point at the right rows.
t_duplicate_section_numbers() {
	begin duplicate-sections
	printf '(1) 一\n1\tA\ta\t市民局\n(2) 二\n1\tB\tb\t市民局\n(2) 二の重複\n1\tC\tc\t市民局\n2\tB【再掲】\tb\t市民局\n' >dup.txt
	run --db "$DB" import dup.txt
	expect_rc 0 "import of a document with a heading number printed twice"
	expect_err_has "dup.txt:5:"
	run --db "$DB" show C --format json
	expect_rc 0 "show C"
	cp "$T/out" c.json
	# C is printed on line 6, the first row under the second (2)
	py_check "show C places" "$SHOW_JSON_CHECK" c.json '*' 1:2:1:6:0
	run --db "$DB" show C
	expect_out_has "二の重複"
	run --db "$DB" export --format json
	cp "$T/out" dup.json
	py_check "program listings of a document with a heading number printed twice" '
import json, sys
d = json.load(open(sys.argv[1]))
for p in d["programs"]:
    for r in p["listings"]:
        hits = [l for part in d["parts"] if part["number"] == r["part"]
                for i, s in enumerate(part["sections"])
                if s["number"] == r["section"] and r.get("section_index", i + 1) == i + 1
                for l in s["listings"] if l["position"] == r["position"]]
        assert len(hits) == 1 and hits[0]["program"] == p["id"], (p["id"], r, hits)
' dup.json
}

# ---- exports ----

CONTRACT_CHECK='
import json, re, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
exp = json.load(open(sys.argv[2], encoding="utf-8"))
canonical = set()
for line in open(sys.argv[3], encoding="utf-8"):
    line = line.rstrip("\r\n")
    if line and not line.startswith("#"):
        canonical.add(line.split("\t")[0])
errors = []
def check(cond, msg):
    if not cond:
        errors.append(msg)
def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)

check(isinstance(doc, dict), "top level is not an object")
for k in ("plan", "parts", "programs"):
    check(k in doc, "missing key " + k)
plan = doc["plan"]
for k in ("slug", "title", "source"):
    check(isinstance(plan.get(k), str), "plan." + k + " is not a string")
check(plan["slug"] == "sendai-2024-draft", "plan.slug " + repr(plan["slug"]))
check(plan["source"] == "sendai-2024-draft.txt", "plan.source " + repr(plan["source"]))

listing_keys = {"number": is_int, "position": is_int, "name": lambda v: isinstance(v, str),
                "relisted": lambda v: isinstance(v, bool), "summary": lambda v: isinstance(v, str),
                "departments": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
                "program": lambda v: isinstance(v, str) and re.fullmatch(r"p[0-9]{4,}", v) is not None,
                "source_line": is_int}
at = {}
order = []
check(len(doc["parts"]) == exp["parts"], "parts %d" % len(doc["parts"]))
for pi, part in enumerate(doc["parts"]):
    check(part.get("number") == pi + 1, "part number %r" % part.get("number"))
    check("title" in part and (part["title"] is None or isinstance(part["title"], str)), "part title")
    check(isinstance(part.get("sections"), list), "part sections")
    check(len(part["sections"]) == exp["sections_per_part"][pi], "sections of part %d" % (pi + 1))
    for si, sec in enumerate(part["sections"]):
        check(is_int(sec.get("number")), "section number")
        check(isinstance(sec.get("title"), str) and sec["title"], "section title")
        check(isinstance(sec.get("listings"), list), "section listings")
        check(len(sec["listings"]) == exp["listings_per_section"][pi][si],
              "listings of %d/%d: %d" % (pi + 1, si + 1, len(sec["listings"])))
        for li, l in enumerate(sec["listings"]):
            where = "%d/%d/%d" % (pi + 1, sec["number"], li + 1)
            for k, ok in listing_keys.items():
                check(k in l and ok(l[k]), where + ": bad or missing " + k + " " + repr(l.get(k)))
            check(l["position"] == li + 1, where + ": position")
            check("再掲" not in l["name"] or not l["name"].endswith("】"), where + ": marker in name")
            check(l["name"] == l["name"].strip(), where + ": name not trimmed")
            for d in l["departments"]:
                check(d in canonical, where + ": department not canonical: " + d)
                check(not re.search(r"[()（） 　]", d), where + ": note or space in department " + d)
            at[(pi + 1, sec["number"], li + 1)] = l
            order.append((pi + 1, sec["number"], li + 1))

check(len(at) == exp["listings_total"], "listings %d" % len(at))
check(sum(l["relisted"] for l in at.values()) == exp["relisted_total"], "relisted total")
# the parenthesised note of 未来につなぐ地域力推進事業 is not a department
check(at[(2, 3, 2)]["departments"] == ["市民局"], "2/3/2 departments " + repr(at[(2, 3, 2)]["departments"]))
check(not any("各区役所" in d for l in at.values() for d in l["departments"]), "a note became a department")

for e in exp["listings"]:
    key = (e["part"], e["section"], e["position"])
    l = at.get(key)
    if l is None:
        errors.append("no listing %r" % (key,))
        continue
    for k in ("number", "name", "relisted", "summary", "departments", "source_line"):
        check(l[k] == e[k], "%r %s: %r, want %r" % (key, k, l[k], e[k]))

programs = doc["programs"]
check(isinstance(programs, list), "programs is not a list")
check(len(programs) == exp["programs_total"], "programs %d" % len(programs))
ids = [p.get("id") for p in programs]
check(len(set(ids)) == len(ids), "program ids repeat")
check(set(ids) == {"p%04d" % i for i in range(1, exp["programs_total"] + 1)}, "program ids are not p0001…")
referenced = {}
by_id = {}
for p in programs:
    by_id[p["id"]] = p
    for k in ("name", "summary"):
        check(isinstance(p.get(k), str), p["id"] + ": " + k)
    check(isinstance(p.get("departments"), list) and all(d in canonical for d in p["departments"]),
          p["id"] + ": departments")
    check(isinstance(p.get("listings"), list) and p["listings"], p["id"] + ": listings")
    places = []
    for ref in p["listings"]:
        check(set(ref) >= {"part", "section", "position"} and all(is_int(ref[k]) for k in ("part", "section", "position")),
              p["id"] + ": bad listing reference " + repr(ref))
        key = (ref["part"], ref["section"], ref["position"])
        if "section_index" in ref:
            check(doc["parts"][ref["part"] - 1]["sections"][ref["section_index"] - 1]["number"] == ref["section"],
                  p["id"] + ": section_index and section disagree " + repr(ref))
        l = at.get(key)
        if l is None:
            errors.append(p["id"] + ": points at no listing " + repr(key))
            continue
        check(l["program"] == p["id"], p["id"] + ": listing %r belongs to %s" % (key, l["program"]))
        referenced[key] = referenced.get(key, 0) + 1
        places.append(key)
    check(places == sorted(places, key=order.index), p["id"] + ": places not in document order")
    # the program text is its original listing: the first unmarked one, else the first
    ls = [at[k] for k in places if k in at]
    if ls:
        orig = next((l for l in ls if not l["relisted"]), ls[0])
        check(p["name"] == orig["name"] and p["summary"] == orig["summary"] and p["departments"] == orig["departments"],
              p["id"] + ": text is not the text of its original listing")
check(all(referenced.get(k) == 1 for k in at), "a listing is not referenced by exactly one program")
for l in at.values():
    check(l["program"] in by_id, "listing program %s is not in programs" % l["program"])

def norm(name):
    import unicodedata
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", name))
for c in exp["program_checks"]:
    hits = [p for p in programs if norm(p["name"]) == norm(c["name"])]
    check(len(hits) == 1, "program %s found %d times" % (c["name"], len(hits)))
    if hits:
        got = [[r["part"], r["section"], r["position"]] for r in hits[0]["listings"]]
        check(got == c["listings"], "%s places %r, want %r" % (c["name"], got, c["listings"]))
orphans = sorted(p["name"] for p in programs if all(at[(r["part"], r["section"], r["position"])]["relisted"] for r in p["listings"]))
check(orphans == sorted(exp["orphans"]), "orphans %r" % orphans)

if errors:
    print("\n".join(errors[:40]))
    print("%d problems" % len(errors))
    sys.exit(1)
'

t_export_json() {
	begin export-json
	import_plan
	run --db "$DB" export --format json
	expect_rc 0 "export --format json"
	expect_err_empty
	cp "$T/out" plan.json
	py_check "export JSON against the data contract" "$CONTRACT_CHECK" plan.json "$EXPECTED" "$DEPTS_TSV"
	# stable: the same export twice, and again after a re-import
	"$SASAE" --db "$DB" import "$PLAN" --quiet >/dev/null 2>&1
	run --db "$DB" export --format json --plan sendai-2024-draft@1
	expect_rc 0 "export --plan slug@1"
	if cmp -s plan.json "$T/out"; then pass; else fail "export changed after a re-import"; fi
}

TABLE_CHECK='
import csv, io, json, sys
kind, path, jpath = sys.argv[1], sys.argv[2], sys.argv[3]
raw = open(path, "rb").read()
doc = json.load(open(jpath, encoding="utf-8"))
listings = [l for p in doc["parts"] for s in p["sections"] for l in s["listings"]]
if kind == "csv":
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV does not start with the UTF-8 BOM"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
else:
    assert not raw.startswith(b"\xef\xbb\xbf"), "TSV starts with a BOM"
    text = raw.decode("utf-8")
    rows = [line.split("\t") for line in text.splitlines()]
assert len(rows) == 1 + len(listings) == 255, "rows: %d" % len(rows)
width = len(rows[0])
assert width >= 4 and all(h for h in rows[0]), "header %r" % rows[0]
for i, row in enumerate(rows[1:]):
    assert len(row) == width, "row %d has %d fields, header %d" % (i + 1, len(row), width)
    l = listings[i]
    for want in (l["name"], l["summary"], str(l["number"]), str(l["source_line"]), l["program"]):
        assert want in row, "row %d lacks %r: %r" % (i + 1, want, row)
    for d in l["departments"]:
        assert any(d in f for f in row), "row %d lacks department %s" % (i + 1, d)
'

t_export_tables() {
	begin export-tables
	import_plan
	"$SASAE" --db "$DB" export --format json >plan.json 2>/dev/null
	run --db "$DB" export --format csv
	expect_rc 0 "export --format csv"
	cp "$T/out" plan.csv
	py_check "CSV" "$TABLE_CHECK" csv plan.csv plan.json
	run --db "$DB" export --format tsv
	expect_rc 0 "export --format tsv"
	cp "$T/out" plan.tsv
	py_check "TSV" "$TABLE_CHECK" tsv plan.tsv plan.json
	# fields with commas, double quotes and spaces survive a CSV round trip
	write_bytes quoted.txt "'(1) 一\\n1\\t\"引用\"の事業, その1\\t概要に, カンマと \"引用符\" がある。\\t市民局\\n'.encode()"
	run --db "$T/quoted.db" import quoted.txt --quiet
	expect_rc 0 "import of a document with commas and quotes"
	run --db "$T/quoted.db" export --format csv
	expect_rc 0 "export --format csv (quotes)"
	cp "$T/out" quoted.csv
	py_check "CSV quoting" '
import csv, io, sys
rows = list(csv.reader(io.StringIO(open(sys.argv[1], "rb").read().decode("utf-8-sig"), newline="")))
assert len(rows) == 2, rows
assert "\"引用\"の事業, その1" in rows[1], rows[1]
assert "概要に, カンマと \"引用符\" がある。" in rows[1], rows[1]
assert len(rows[1]) == len(rows[0]), rows
' quoted.csv
}

# Output that cannot be written is an I/O error (exit 74), whatever its size.
t_write_errors() {
	begin write-errors
	if [ ! -w /dev/full ]; then
		echo "skipping write errors: no /dev/full" >&2
		return
	fi
	import_plan
	local cmd
	for cmd in plans outline list "list --part 6 --section 3" "show p0001" "export --format json" "export --format csv" "export --format tsv"; do
		# shellcheck disable=SC2086
		"$SASAE" --db "$DB" $cmd >/dev/full 2>"$T/err"
		RC=$?
		expect_rc 74 "$cmd > /dev/full"
		expect_err_nonempty
	done
}

# ---- bad inputs ----

# A bad document: exit 65 (or 66), "file:line:" on stderr, nothing on stdout, database unchanged.
bad_input() { # name, file, python bytes literal (or "" for a missing file), want exit, want line ("" for none)
	begin "bad-$1"
	import_plan
	local before
	before=$(db_hash "$DB")
	if [ -n "$3" ]; then write_bytes "$2" "$3"; fi
	run --db "$DB" import "$2"
	expect_rc "$4" "import of $1"
	if [ -n "$5" ]; then expect_err_has "$2:$5:"; else expect_err_has "$2"; fi
	expect_out_empty
	expect_eq "$(db_hash "$DB")" "$before" "database after a failed import ($1)"
	run --db "$DB" plans
	expect_out_re 'sendai-2024-draft +1 +6 +21 +254 +174'
}

t_bad_inputs() {
	bad_input empty empty.txt "b''" 65 ""
	bad_input blank blank.txt "b'\\n\\n  \\n'" 65 ""
	bad_input not-utf8 latin1.txt "'(1) 一\\n1\\tA\\ta\\t市民局\\n'.encode() + b'2\\tB\\t\\xe9t\\xe9\\t' + '市民局\\n'.encode()" 65 3
	bad_input shift-jis sjis.txt "'(1) 見守り\\n1\\t配食サービス\\t食事を届ける。\\t健康福祉局\\n'.encode('shift_jis')" 65 1
	bad_input row-before-heading early.txt "'題名\\n1\\t事業\\t概要\\t市民局\\n(1) 一\\n1\\tA\\ta\\t市民局\\n'.encode()" 65 2
	bad_input continuation-without-row orphan.txt "'(1) 一\\n\\n関係団体との連携\\t概要の続き\\t市民局\\n'.encode()" 65 3
	bad_input five-cells cells.txt "'(1) 一\\n1\\tA\\ta\\t市民局\\n2\\tB\\tb\\t市民局\\t余分\\n'.encode()" 65 3
	bad_input png image.png "b'\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00\\rIHDR\\x00\\x00\\x00\\x10\\x00\\x00\\x00\\x10\\x08\\x06\\x00\\x00\\x00'" 65 1
	bad_input csv people.csv "'番号,名前,年齢\\n1,山田,30\\n2,佐藤,41\\n'.encode()" 65 1
	bad_input after-valid-rows late.txt "open('$PLAN','rb').read() + '\\n99\\t事業\\t概要\\t市民局\\t余分\\n'.encode()" 65 378
	bad_input missing missing.txt "" 66 ""
}

# A failed import into a database that does not exist yet leaves no database behind (the import
# says it changed nothing).
t_bad_input_new_database() {
	begin bad-new-db
	write_bytes cells.txt "'(1) 一\\n1\\tA\\ta\\t市民局\\n2\\tB\\tb\\t市民局\\t余分\\n'.encode()"
	run --db "$DB" import cells.txt
	expect_rc 65 "import of a bad document into a new database"
	expect_err_has "cells.txt:3:"
	expect_no_file "$DB"
}

# ---- databases that are missing or are not databases ----

t_not_a_database() {
	begin not-a-db
	printf 'These are my notes.\nThey are not a database, and sasae must not touch them.\nPadding to get past 100 bytes of header.\n' >notes.txt
	local before cmd
	before=$(sha256sum notes.txt)
	for cmd in plans outline list "show p0001" "export --format json"; do
		# shellcheck disable=SC2086
		run --db notes.txt $cmd
		expect_rc 70 "$cmd with --db on a text file"
		expect_err_has "notes.txt"
		expect_out_empty
	done
	run --db notes.txt import "$PLAN"
	expect_rc 70 "import with --db on a text file"
	expect_err_has "notes.txt"
	expect_eq "$(sha256sum notes.txt)" "$before" "the text file after sasae"
	# an SQLite database of something else
	sqlite3 other.db 'CREATE TABLE people (name TEXT); INSERT INTO people VALUES ("x");'
	before=$(db_hash other.db)
	run --db other.db import "$PLAN"
	expect_rc 70 "import into an SQLite database of something else"
	expect_err_has "other.db"
	expect_eq "$(db_hash other.db)" "$before" "the other database after sasae"
}

t_missing_database() {
	begin missing-db
	local cmd
	for cmd in plans outline list "show p0001" "export --format json"; do
		# shellcheck disable=SC2086
		run --db missing.db $cmd
		expect_rc 66 "$cmd on a missing database"
		expect_err_has "import" # the hint: import a plan first
		expect_out_empty
		expect_no_file missing.db
	done
}

# ---- run ----

if ! command -v python3 >/dev/null || ! command -v sqlite3 >/dev/null; then
	echo "test_cli.sh needs python3 and sqlite3" >&2
	exit 1
fi

t_help_and_version
t_usage_errors
t_import
t_import_sample
t_import_options
t_outline
t_list
t_list_department
t_show
t_duplicate_section_numbers
t_export_json
t_export_tables
t_write_errors
t_bad_inputs
t_bad_input_new_database
t_not_a_database
t_missing_database

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
