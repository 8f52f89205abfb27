#!/usr/bin/env bash
# run_relevance.sh — CTest wrapper of relevance.py: imports the bundled plan as a user would
# (import --sample, with its outline; part titles are not searched) into a fresh database in a
# temporary directory, then runs every query of tests/data/search-relevance.json through the real
# binary.  Usage: run_relevance.sh PATH/TO/sasae SOURCE_DIR
set -eu
sasae=$1
src=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/sasae-relevance-XXXXXX")
trap 'rm -rf "$dir"' EXIT
"$sasae" --db "$dir/plan.db" import --sample --quiet
python3 "$src/tests/search/relevance.py" "$sasae" "$dir/plan.db" "$src/tests/data/search-relevance.json"
