#!/usr/bin/env bash
# bench/search/groonga.sh — build the Groonga baseline of the search benchmark from a sasae database.
#
# The standard Japanese setup: a table Programs (key = program id) with Text columns name, summary,
# departments, sections (the same text sasae indexes: search_bench --export-groonga), a lexicon
# Terms (TABLE_PAT_KEY ShortText, TokenBigram, NormalizerAuto) and one index over the four columns
# (COLUMN_INDEX|WITH_POSITION|WITH_SECTION).  The data is loaded first and the index created after
# (Groonga's static/offline index construction, its fastest way to index a full data set).
#
# Usage: bench/search/groonga.sh SASAE_DB GROONGA_DIR SEARCH_BENCH_BINARY [RESULT_FILE]
# Writes key=value lines (seconds, bytes) to RESULT_FILE (default GROONGA_DIR.build.txt).
# The queries are run by search_bench (--groonga GROONGA_DIR/db) through one `groonga DB` process.
set -euo pipefail
sasae_db=$1
dir=$2
bench=$3
result=${4:-$dir.build.txt}
command -v groonga >/dev/null || { echo "groonga.sh: groonga is missing (apt-get install groonga-bin)" >&2; exit 1; }

load=$dir.load.grn
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

t0=$(now)
"$bench" --db "$sasae_db" --export-groonga "$load" 2>/dev/null
t1=$(now)
records=$(($(wc -l < "$load") - 3))

rm -rf "$dir"
mkdir -p "$dir"
db=$dir/db
groonga -n "$db" > "$dir.schema.log" <<'EOF'
table_create Programs TABLE_HASH_KEY ShortText
column_create Programs name COLUMN_SCALAR Text
column_create Programs summary COLUMN_SCALAR Text
column_create Programs departments COLUMN_SCALAR Text
column_create Programs sections COLUMN_SCALAR Text
table_create Terms TABLE_PAT_KEY ShortText --default_tokenizer TokenBigram --normalizer NormalizerAuto
EOF
sync
t2=$(now)
groonga "$db" < "$load" > "$dir.load.log"
t3=$(now)
loaded=$(grep -o '\],[0-9]*\]$' "$dir.load.log" | tail -1 | tr -dc 0-9)
size_data=$(du -sb "$dir" | cut -f1)
disk_data=$(du -s --block-size=1 "$dir" | cut -f1)
t4=$(now)
echo 'column_create Terms programs_index COLUMN_INDEX|WITH_POSITION|WITH_SECTION Programs name,summary,departments,sections' \
  | groonga "$db" > "$dir.index.log"
t5=$(now)
grep -q '^\[\[0,' "$dir.index.log" || { echo "groonga.sh: index creation failed: $(cat "$dir.index.log")" >&2; exit 1; }
# Sizes: apparent (du -b: Groonga's files are partly sparse) and allocated on disk; what the index
# (lexicon + index column) adds is the difference before and after creating it.
size_total=$(du -sb "$dir" | cut -f1)
disk_total=$(du -s --block-size=1 "$dir" | cut -f1)
size_index=$((size_total - size_data))
disk_index=$((disk_total - disk_data))
if [ "$loaded" != "$records" ]; then
  echo "groonga.sh: loaded $loaded of $records records: see $dir.load.log" >&2
  exit 1
fi
cat > "$result" <<EOF
records=$records
export_seconds=$(secs "$t0" "$t1")
load_seconds=$(secs "$t2" "$t3")
index_seconds=$(secs "$t4" "$t5")
size_data_bytes=$size_data
size_index_bytes=$size_index
size_total_bytes=$size_total
disk_data_bytes=$disk_data
disk_index_bytes=$disk_index
disk_total_bytes=$disk_total
version=$(groonga --version | head -1 | cut -d' ' -f2)
EOF
cat "$result"
