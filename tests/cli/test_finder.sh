#!/usr/bin/env bash
# test_finder.sh — drives `sasae tags` and `sasae find` (docs/finder.md) through the real binary:
# help and usage errors, coverage and evidence, JSON shapes, loading edited data files (checked as
# a whole, file:line on error, nothing stored on error), --reset, and that `find` writes nothing
# to the database.  Ranking quality is tests/finder/scenarios.py's job.
#
# Usage: test_finder.sh PATH/TO/sasae SOURCE_DIR
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
ROOT=$(mktemp -d "${TMPDIR:-/tmp}/sasae-finder-cli-XXXXXX")
trap 'rm -rf "$ROOT"' EXIT
unset SASAE_DB
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_db() { "$SASAE" --db "$DB" import --sample --quiet >/dev/null 2>&1 || fail "setup: import failed"; }

begin help
run tags --help
expect_rc 0 "tags --help"
expect_out_has "--load DIR"
run find --help
expect_rc 0 "find --help"
expect_out_has "--who ID"

begin usage
setup_db
run --db "$DB" find
expect_rc 2 "find with nothing to find"
expect_err_has "--who、--need、--text"
run --db "$DB" find --who nobody
expect_rc 2 "unknown who id"
expect_err_has "nobody"
run --db "$DB" find --need elderly
expect_rc 2 "a who id given as need"
run --db "$DB" find --who elderly --limit 0
expect_rc 2 "limit 0"
run --db "$DB" find --who elderly extra
expect_rc 2 "stray argument"
expect_err_has "--text"
run --db "$DB" tags --load x --reset
expect_rc 2 "--load with --reset"
run --db "$ROOT/none.db" find --who elderly
expect_rc 66 "no database"

begin coverage
setup_db
run --db "$DB" tags
expect_rc 0 "tags"
# the plan has 174 programs (tests/data/sendai-expected.json); every one has a kind
expect_out_has "事業 174"
expect_out_has "種類のない事業: 0"
expect_out_has "== どの事業にも付かないタグ =="
# evidence names the field and the word: 認知症カフェの推進 is tagged from its name
expect_out_re "who:dementia +name:認知症"
run --db "$DB" tags --format json
expect_rc 0 "tags --format json"
python3 - "$T/out" <<'PY' && pass || fail "tags JSON shape"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert {"vocabulary", "programs", "untagged", "unused_tags", "unknown_overrides"} <= d.keys()
assert len(d["programs"]) == 174
facets = {v["facet"] for v in d["vocabulary"]}
assert facets == {"who", "need", "kind"}, facets
for p in d["programs"]:
    assert p["kind"] is not None and p["kind"]["tag"].startswith("kind:"), p
    for t in p["tags"]:
        assert t["tag"].split(":")[0] in ("who", "need") and t["evidence"], t
PY

begin find
setup_db
before=$(sha256sum "$DB" | cut -c1-64)
run --db "$DB" find --text "親の介護で疲れた" --format json
expect_rc 0 "find --text"
python3 - "$T/out" <<'PY' && pass || fail "find JSON shape and 介護"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["total"] >= 1 and d["results"], d["total"]
assert {"who", "need", "heard", "words", "groups", "results"} <= d.keys()
assert any(n["tag"] == "need:care" for n in d["need"]), d["need"]
r = d["results"][0]
assert {"program", "name", "summary", "departments", "listings", "why", "group", "kind", "service"} <= r.keys()
# every result says why; one of the first results was found through 介護
assert all(x["why"] for x in d["results"])
assert any("介護" in json.dumps(x["why"], ensure_ascii=False) for x in d["results"][:5])
ids = [p for g in d["groups"] for p in g["programs"]]
assert sorted(ids) == sorted(x["program"] for x in d["results"]), "groups hold each result once"
PY
run --db "$DB" find --who elderly,dementia --need consultation
expect_rc 0 "find text output"
expect_out_has "地域包括支援センターによる相談事業"
expect_out_has "理由:"
expect_eq "$(sha256sum "$DB" | cut -c1-64)" "$before" "find writes nothing to the database"
if [ -s "$DB-wal" ]; then fail "find wrote to the write-ahead log"; else pass; fi

begin load
setup_db
mkdir -p edit
cp "$SRC/data/vocabulary.tsv" edit/
printf 'who:elderly\tname\t高齢\nwho:nobody\tname\tx\n' > edit/tag-rules.tsv
before=$(sha256sum "$DB" | cut -c1-64)
run --db "$DB" tags --load edit
expect_rc 65 "a rule naming an unknown tag"
expect_err_has "edit/tag-rules.tsv:2:"
expect_err_has "who:nobody"
expect_eq "$(sha256sum "$DB" | cut -c1-64)" "$before" "a bad load stores nothing"
# a good rules file replaces the built-in one; the other files stay built in
printf 'who:elderly\tname\t高齢\nneed:consultation\tname\t相談\nkind:service\tany\t*\n' > edit/tag-rules.tsv
rm edit/vocabulary.tsv
run --db "$DB" tags --load edit
expect_rc 0 "load a rules file"
expect_err_has "edit/tag-rules.tsv"
run --db "$DB" tags
expect_out_has "規則 3 行"
run --db "$DB" find --who elderly --format json
python3 - "$T/out" <<'PY' && pass || fail "find uses the loaded rules"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["total"] > 0
assert all("高齢" in r["name"] for r in d["results"]), [r["name"] for r in d["results"]]
PY
# each load that changes a file is audited (file.set, the operator at the terminal); the same files
# again change nothing and write no row
run --db "$DB" tags --load edit
expect_rc 0 "the same files again"
expect_err_has "変更なし: edit/tag-rules.tsv"
run --db "$DB" audit --action file. --format json
python3 - "$T/out" <<'PY' && pass || fail "tags --load is audited once"
import json, sys
rows = json.load(open(sys.argv[1], encoding="utf-8"))
assert [(r["action"], r["target"], r["login"], r["address"]) for r in rows] == \
    [("file.set", "file:tag-rules.tsv", "", "cli")], rows
assert rows[0]["after"]["text"].startswith("who:elderly\t"), rows[0]["after"]
PY
run --db "$DB" tags --reset
expect_rc 0 "reset"
run --db "$DB" tags
expect_out_lacks "規則 3 行"
run --db "$DB" audit --action file.reset --format csv
expect_out_has "file:tag-rules.tsv"
run --db "$DB" tags --reset
expect_err_has "変更なし"
run --db "$DB" audit --action file. --format json
python3 - "$T/out" <<'PY' && pass || fail "a reset that changes nothing is not audited"
import json, sys
rows = json.load(open(sys.argv[1], encoding="utf-8"))
assert [r["action"] for r in rows] == ["file.reset", "file.set"], rows
PY
run --db "$DB" tags --load "$ROOT/empty-dir-that-does-not-exist"
expect_rc 2 "a directory without the files"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
