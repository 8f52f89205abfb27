#!/usr/bin/env bash
# test.sh — THE test command of sasae: everything CI runs (.ci/run execs it).
#
# Stages:
#   deps  scripts/install-deps.sh (quick when everything is installed)
#   gcc   gcc build in build/ with -DSASAE_WERROR=ON, then ctest
#   browser  the web pages in Debian's headless Chromium (tests/browser/, node --test with
#         playwright-core and axe-core from package-lock.json; `npm ci` first when node_modules/ is
#         missing or older than the lock file) against build/sasae; screenshots and logs in
#         build/browser-artifacts/
#   asan  clang build with ASan+UBSan (-DSASAE_SANITIZE=ON) in build-asan/, then ctest
#   fuzz  clang libFuzzer build (-DSASAE_FUZZ=ON) in build-fuzz/; fuzz_parse runs for
#         $SASAE_FUZZ_SECONDS (default 60) seconds, the other fuzz targets for
#         $SASAE_FUZZ_OTHER_SECONDS (default 10) each, over copies of fuzz/corpus/<name>/ in a temp
#         dir; anything found fails the stage (the input is left in build-fuzz/artifacts/)
#   package  the Debian package (tests/package/test_deb.sh): dpkg-buildpackage in a temp copy,
#         lintian (errors fail), dpkg -i, the installed sasae and the unit's command line, HTTP,
#         SIGTERM, remove and purge.  Needs root: it installs and purges the package `sasae` here
#
# Usage: scripts/test.sh [--quick]
#   --quick   deps, gcc and browser only (skips asan, fuzz and package)
# Environment: SASAE_JOBS (parallel build jobs, default: number of CPUs), SASAE_FUZZ_SECONDS,
#   SASAE_FUZZ_OTHER_SECONDS.
set -euo pipefail

quick=0
for arg in "$@"; do
	case "$arg" in
	--quick) quick=1 ;;
	-h | --help)
		awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
		exit 0
		;;
	*)
		echo "test.sh: unknown option: $arg (try --help)" >&2
		exit 2
		;;
	esac
done

cd "$(dirname "${BASH_SOURCE[0]}")/.."
jobs=${SASAE_JOBS:-$(nproc 2>/dev/null || echo 2)}
fuzz_seconds=${SASAE_FUZZ_SECONDS:-60}
fuzz_other_seconds=${SASAE_FUZZ_OTHER_SECONDS:-10}

# ---- stage bookkeeping: a heading per stage, and a summary line at the end, failure or not ----
summary=()
stage_name=""
stage_start=0
script_start=$SECONDS

stage() {
	stage_name=$1
	stage_start=$SECONDS
	printf '\n==== [%s] %s ====\n\n' "$1" "$2"
}

stage_done() {
	local secs=$((SECONDS - stage_start))
	summary+=("$stage_name ok (${secs}s${1:+, $1})")
	printf '\n---- [%s] ok in %ss ----\n' "$stage_name" "$secs"
	stage_name=""
}

skip() {
	summary+=("$1 skipped")
}

on_exit() {
	local status=$?
	if [ -n "$stage_name" ]; then
		summary+=("$stage_name FAILED after $((SECONDS - stage_start))s")
	fi
	local total=$((SECONDS - script_start)) line="" item
	for item in "${summary[@]}"; do
		line+="${line:+; }$item"
	done
	echo
	if [ "$status" -eq 0 ]; then
		echo "test.sh: PASSED in ${total}s: $line"
	else
		echo "test.sh: FAILED (exit $status) in ${total}s: $line"
	fi
}
trap on_exit EXIT

# ---- helpers ----

# configure DIR COMPILER CMAKE-ARGS...: configure DIR with COMPILER.  An existing build directory
# configured with another compiler is reset first (CMake cannot switch compilers in place).
configure() {
	local dir=$1 cc=$2
	shift 2
	local want cached
	want=$(readlink -f "$(command -v "$cc")")
	if [ -f "$dir/CMakeCache.txt" ]; then
		cached=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$dir/CMakeCache.txt")
		if [ -z "$cached" ] || [ "$(readlink -f "$(command -v "$cached" || echo "$cached")")" != "$want" ]; then
			echo "test.sh: $dir was configured with ${cached:-another compiler}; reconfiguring with $cc"
			rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
		fi
	fi
	if [ -f "$dir/CMakeCache.txt" ]; then
		cmake -S . -B "$dir" "$@"
	else
		cmake -S . -B "$dir" -DCMAKE_C_COMPILER="$cc" "$@"
	fi
}

run_ctest() {
	ctest --test-dir "$1" --output-on-failure -j2 --no-tests=error
}

# Run a tally line out of the last ctest run in DIR ("N tests"), for the summary.
ctest_count() {
	local log="$1/Testing/Temporary/LastTest.log" n
	n=$(grep -c '^[0-9]*/[0-9]* Testing:' "$log" 2>/dev/null || true)
	echo "${n:-0} tests"
}

# fuzz NAME SECONDS: run build-fuzz/fuzz/fuzz_NAME over a temp copy of fuzz/corpus/NAME.
fuzz() {
	local name=$1 secs=$2 work status dict=()
	work=$(mktemp -d "${TMPDIR:-/tmp}/sasae-fuzz-$name.XXXXXX")
	cp -R "fuzz/corpus/$name/." "$work/"
	rm -rf "build-fuzz/artifacts/$name"
	mkdir -p "build-fuzz/artifacts/$name"
	if [ -f "fuzz/$name.dict" ]; then
		dict=(-dict="fuzz/$name.dict")
	fi
	echo "fuzz_$name: ${secs}s over a copy of fuzz/corpus/$name ($(find "$work" -type f | wc -l) seeds) in $work"
	status=0
	"build-fuzz/fuzz/fuzz_$name" "${dict[@]}" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="build-fuzz/artifacts/$name/" "$work" \
		>"build-fuzz/fuzz-$name.log" 2>&1 || status=$?
	grep -E '^(#[0-9]+[[:space:]]+(INITED|DONE)|stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs)' \
		"build-fuzz/fuzz-$name.log" || true
	if [ "$status" -ne 0 ] || [ -n "$(ls -A "build-fuzz/artifacts/$name")" ]; then
		echo "test.sh: fuzz_$name found a problem (exit $status); the end of build-fuzz/fuzz-$name.log:" >&2
		tail -n 60 "build-fuzz/fuzz-$name.log" >&2
		echo "Inputs saved in build-fuzz/artifacts/$name/; reproduce with:" >&2
		echo "  build-fuzz/fuzz/fuzz_$name build-fuzz/artifacts/$name/<file>" >&2
		echo "  build/fuzz/replay_$name build-fuzz/artifacts/$name/<file>   (no libFuzzer)" >&2
		rm -rf "$work"
		return 1
	fi
	rm -rf "$work"
}

# browser_tests: install the npm packages of package-lock.json when needed, then run tests/browser/
# against build/sasae.  The output is kept in build/browser-artifacts/node-test.log.
browser_tests() {
	if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] ||
		[ package.json -nt node_modules/.package-lock.json ]; then
		echo "test.sh: node_modules/ is missing or stale: npm ci"
		npm ci --no-audit --no-fund
	fi
	rm -rf build/browser-artifacts
	mkdir -p build/browser-artifacts
	# (pipefail: the status is node's when the tests fail)
	SASAE_BIN=build/sasae node --test tests/browser/ 2>&1 | tee build/browser-artifacts/node-test.log
}

# Tally of the last browser run ("N tests"), for the summary.
browser_count() {
	local n
	n=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' build/browser-artifacts/node-test.log 2>/dev/null | tail -n 1)
	echo "${n:-0} tests, screenshots in build/browser-artifacts/"
}

# ---- the stages ----

stage deps "install the build and test dependencies (scripts/install-deps.sh)"
./scripts/install-deps.sh
stage_done

stage gcc "gcc build in build/ (-DSASAE_WERROR=ON) + ctest"
configure build gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSASAE_WERROR=ON -DSASAE_SANITIZE=OFF -DSASAE_FUZZ=OFF \
	-DSASAE_TESTS=ON
cmake --build build -j "$jobs"
run_ctest build
stage_done "$(ctest_count build)"

stage browser "the web pages in headless Chromium: journeys, axe-core WCAG 2.1 A/AA, phone/desktop screenshots"
browser_tests
stage_done "$(browser_count)"

if [ "$quick" -eq 1 ]; then
	skip asan
	skip fuzz
	skip package
	exit 0
fi

stage asan "clang + ASan/UBSan build in build-asan/ (-DSASAE_SANITIZE=ON) + ctest"
configure build-asan clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSASAE_WERROR=ON -DSASAE_SANITIZE=ON \
	-DSASAE_FUZZ=OFF -DSASAE_TESTS=ON
cmake --build build-asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	run_ctest build-asan
stage_done "$(ctest_count build-asan)"

stage fuzz "clang libFuzzer build in build-fuzz/ (-DSASAE_FUZZ=ON); fuzz_parse ${fuzz_seconds}s, others ${fuzz_other_seconds}s"
configure build-fuzz clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSASAE_WERROR=ON -DSASAE_SANITIZE=OFF \
	-DSASAE_FUZZ=ON
cmake --build build-fuzz -j "$jobs" --target fuzzers
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fuzz parse "$fuzz_seconds"
fuzz outline "$fuzz_other_seconds"
fuzz departments "$fuzz_other_seconds"
fuzz tags "$fuzz_other_seconds"
fuzz morph "$fuzz_other_seconds"
fuzz query "$fuzz_other_seconds"
fuzz http "$fuzz_other_seconds"
stage_done "parse ${fuzz_seconds}s, outline+departments+tags+morph+query+http ${fuzz_other_seconds}s each"

# The package test installs and purges the package: root, or sudo without a password; else skipped.
if [ "$(id -u)" -eq 0 ]; then
	as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	as_root=(sudo -n)
else
	echo "test.sh: the package stage needs root (or sudo without a password): skipped" >&2
	skip "package (needs root)"
	exit 0
fi
stage package "the Debian package: build, lintian, install, run the unit's command line, purge"
"${as_root[@]}" env DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-parallel=$jobs}" bash tests/package/test_deb.sh 2>&1 |
	tee build/package-test.log
stage_done "$(sed -n 's/^test_deb.sh: \([0-9]* passed, [0-9]* failed\)$/\1/p' build/package-test.log)"
