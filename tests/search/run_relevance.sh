#!/usr/bin/env bash
# run_relevance.sh — CTest wrapper of relevance.py: imports the bundled plan as a user would
# (import --sample, with its outline; part titles are not searched) into a fresh database — the
# location in $SASAE_TEST_DB when set (any store backend: the runner provides it empty), else a
# SQLite file in a temporary directory — then runs every query of tests/data/search-relevance.json
# through the real binary.  Usage: run_relevance.sh PATH/TO/sasae SOURCE_DIR
set -eu
sasae=$1
src=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/sasae-relevance-XXXXXX")
trap 'rm -rf "$dir"' EXIT
db=${SASAE_TEST_DB:-$dir/plan.db}
"$sasae" --db "$db" import --sample --quiet
python3 "$src/tests/search/relevance.py" "$sasae" "$db" "$src/tests/data/search-relevance.json"
