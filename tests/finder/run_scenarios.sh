#!/usr/bin/env bash
# run_scenarios.sh — CTest wrapper of scenarios.py: imports the bundled plan into a fresh database
# in a temporary directory (the finder's data files are the built-in ones), then runs every
# situation of tests/data/finder-scenarios.json through `sasae find`.
# Usage: run_scenarios.sh PATH/TO/sasae SOURCE_DIR [--set FILE.json] [scenarios.py options]
set -eu
sasae=$1
src=$2
shift 2
dir=$(mktemp -d "${TMPDIR:-/tmp}/sasae-finder-XXXXXX")
trap 'rm -rf "$dir"' EXIT
"$sasae" --db "$dir/plan.db" import --sample --quiet
set_file=finder-scenarios.json
if [ "${1:-}" = --set ]; then
	set_file=$2
	shift 2
fi
python3 "$src/tests/finder/scenarios.py" "$sasae" "$dir/plan.db" "$src/tests/data/$set_file" "$@"
