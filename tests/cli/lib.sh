# lib.sh — the helpers the CLI test scripts share: counting passes and failures, a fresh
# directory per test, running the binary with stdout/stderr captured, and expectations.
# Source it after setting SASAE (the binary) and ROOT (a temporary directory).

pass() { PASSED=$((PASSED + 1)); }

fail() {
	FAILED=$((FAILED + 1))
	echo "FAIL [$CURRENT] $*" >&2
}

# Start a test: a fresh directory (the working directory) and database path.
begin() {
	CURRENT=$1
	T=$ROOT/$1
	mkdir -p "$T"
	cd "$T" || exit 1
	DB=$T/test.db
}

# Run sasae; stdout in $T/out, stderr in $T/err, exit status in $RC.
run() {
	"$SASAE" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

expect_rc() { # want, what
	if [ "$RC" -eq "$1" ]; then pass; else fail "$2: exit $RC, want $1; stderr: $(head -c 400 "$T/err")"; fi
}

expect_out_has() { # fixed string
	if grep -qF -- "$1" "$T/out"; then pass; else fail "stdout lacks '$1': $(head -c 300 "$T/out")"; fi
}

expect_out_lacks() {
	if grep -qF -- "$1" "$T/out"; then fail "stdout has '$1'"; else pass; fi
}

expect_out_re() { # extended regex
	if grep -qE -- "$1" "$T/out"; then pass; else fail "stdout does not match /$1/: $(head -c 300 "$T/out")"; fi
}

expect_err_has() {
	if grep -qF -- "$1" "$T/err"; then pass; else fail "stderr lacks '$1': $(head -c 400 "$T/err")"; fi
}

expect_out_empty() {
	if [ -s "$T/out" ]; then fail "stdout not empty: $(head -c 300 "$T/out")"; else pass; fi
}

expect_err_empty() {
	if [ -s "$T/err" ]; then fail "stderr not empty: $(head -c 300 "$T/err")"; else pass; fi
}

expect_out_nonempty() {
	if [ -s "$T/out" ]; then pass; else fail "stdout empty"; fi
}

expect_err_nonempty() {
	if [ -s "$T/err" ]; then pass; else fail "stderr empty"; fi
}

expect_eq() { # got, want, what
	if [ "$1" = "$2" ]; then pass; else fail "$3: got '$1', want '$2'"; fi
}

expect_no_file() {
	if [ -e "$1" ]; then fail "$1 should not exist"; else pass; fi
}

# Write bytes given as a Python bytes literal to a file (for binary and non-UTF-8 inputs).
write_bytes() { # file, python bytes literal
	python3 -c "import sys; open(sys.argv[1], 'wb').write($2)" "$1" || fail "cannot write $1"
}
