#!/usr/bin/env bash
# start.sh — a newcomer's first command: install what sasae needs, build it, import the bundled
# Sendai plan (the first time only) and show it.
#
#   ./scripts/start.sh
#
# The database is $SASAE_DB, or ./sasae.db (relative to the repository root).  To start over, delete
# it and run this again.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
jobs=${SASAE_JOBS:-$(nproc 2>/dev/null || echo 2)}
export SASAE_DB=${SASAE_DB:-./sasae.db}

echo "==== [1/4] dependencies (scripts/install-deps.sh) ===="
./scripts/install-deps.sh

echo
echo "==== [2/4] build (gcc, build/) ===="
if [ -f build/CMakeCache.txt ]; then
	cmake -S . -B build >/dev/null
else
	cmake -S . -B build -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build build -j "$jobs" --target sasae

echo
if [ -e "$SASAE_DB" ]; then
	echo "==== [3/4] $SASAE_DB already exists: not importing again ===="
else
	echo "==== [3/4] import the bundled Sendai plan into $SASAE_DB ===="
	build/sasae import --sample
fi

echo
echo "==== [4/4] the plans and the outline ===="
build/sasae plans
echo
build/sasae outline

cat <<MSG

Next:
  build/sasae list --part 3 --section 2     # the listings of one section
  build/sasae show p0001                    # one program and everywhere it is listed
  build/sasae --help                        # every command
  ./scripts/test.sh                         # the whole test suite
MSG
