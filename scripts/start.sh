#!/usr/bin/env bash
# start.sh — a newcomer's first command: install what sasae needs, build it, import the bundled
# Sendai plan (the first time only), show its outline and start the web server.
#
#   ./scripts/start.sh                 # serves http://127.0.0.1:8080/ until Ctrl-C
#   SASAE_PORT=9000 ./scripts/start.sh
#   ./scripts/start.sh --no-serve      # stop after showing the outline
#
# The database is $SASAE_DB, or ./sasae.db (relative to the repository root).  To start over, delete
# it and run this again.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
jobs=${SASAE_JOBS:-$(nproc 2>/dev/null || echo 2)}
export SASAE_DB=${SASAE_DB:-./sasae.db}
serve=1
[ "${1:-}" = "--no-serve" ] && serve=0

echo "==== [1/5] dependencies (scripts/install-deps.sh) ===="
./scripts/install-deps.sh

echo
echo "==== [2/5] build (gcc, build/) ===="
if [ -f build/CMakeCache.txt ]; then
	cmake -S . -B build >/dev/null
else
	cmake -S . -B build -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build build -j "$jobs" --target sasae

echo
if [ -e "$SASAE_DB" ]; then
	echo "==== [3/5] $SASAE_DB already exists: not importing again ===="
else
	echo "==== [3/5] import the bundled Sendai plan into $SASAE_DB ===="
	build/sasae import --sample
fi

echo
echo "==== [4/5] the plans and the outline ===="
build/sasae plans
echo
build/sasae outline

cat <<MSG

From the command line:
  build/sasae search "ひとり暮らし 高齢者"     # Japanese full-text search
  build/sasae show p0001                    # one program and everywhere it is listed
  build/sasae --help                        # every command
  ./scripts/test.sh                         # the whole test suite
MSG

if [ "$serve" = 1 ]; then
	echo
	echo "==== [5/5] the web server (open the URL below in a browser; Ctrl-C stops it) ===="
	exec build/sasae serve --port "${SASAE_PORT:-8080}"
fi
