#!/usr/bin/env bash
# test_accounts.sh — drives `sasae user` and `sasae audit` (docs/accounts.md) through the real
# binary: help, adding a user with the password on standard input and on a terminal (a real pty,
# no echo), passwords refused on the command line, the policy, roles with departments checked
# against the department table (an alias named with its canonical name), disabling, the audit log as
# text, CSV (RFC 4180, read back with Python's csv module) and JSON, its filters, exit statuses, no
# password in the database file, and `sasae import` using the departments.tsv stored in the
# database.
#
# Usage: test_accounts.sh PATH/TO/sasae SOURCE_DIR
# Prints "N passed, M failed" and exits non-zero when anything failed.

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
ROOT=$(mktemp -d "${TMPDIR:-/tmp}/sasae-accounts-XXXXXX")
trap 'rm -rf "$ROOT"' EXIT
unset SASAE_DB

# shared helpers: pass, fail, begin, run, expect_* (tests/cli/lib.sh)
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PW='correct horse battery staple'
PW2='another long passphrase 2'

# Run sasae with standard input from the string $1; the rest are its arguments.
run_in() {
	local input=$1
	shift
	printf '%s\n' "$input" | "$SASAE" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

expect_err_lacks() {
	if grep -qF -- "$1" "$T/err"; then fail "stderr has '$1'"; else pass; fi
}

# The number of audit rows (through the CLI's JSON).
audit_rows() {
	"$SASAE" --db "$DB" audit --format json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))'
}

t_help() {
	begin help
	run user --help
	expect_rc 0 "user --help"
	for w in "sasae user add LOGIN" "sasae user list" "sasae user passwd LOGIN" "sasae user role LOGIN" \
		"sasae user disable LOGIN" "--grant" "--department" "--enable"; do
		expect_out_has "$w"
	done
	run audit --help
	expect_rc 0 "audit --help"
	for w in "--user" "--target" "--action" "--since" "--until" "--limit" "text|csv|json"; do
		expect_out_has "$w"
	done
	run --db "$DB" user
	expect_rc 2 "user without a subcommand"
	run --db "$DB" user frobnicate x
	expect_rc 2 "unknown subcommand"
	run --db "$DB" user add
	expect_rc 2 "add without a login"
	expect_no_file "$DB"
	run --db "$DB" audit
	expect_rc 66 "audit without a database"
	run --db "$DB" user list
	expect_rc 66 "user list without a database"
}

t_add_stdin() {
	begin add
	run_in "$PW" --db "$DB" user add tanaka --name "健康福祉局 田中"
	expect_rc 0 "add tanaka"
	expect_out_has "tanaka"
	run_in "$PW2" --db "$DB" user add abe
	expect_rc 0 "add abe"
	run --db "$DB" user list
	expect_rc 0 "list"
	expect_out_has "健康福祉局 田中"
	expect_out_re '^abe .*有効'
	run --db "$DB" user list --format json
	expect_rc 0 "list json"
	python3 -c '
import json, sys
u = json.load(open(sys.argv[1]))
assert [x["login"] for x in u] == ["abe", "tanaka"], u
t = u[1]
assert t["display_name"] == "健康福祉局 田中" and t["disabled"] is False and t["roles"] == [], t
assert t["last_login_at"] is None and t["created_at"].endswith("Z"), t
assert "password" not in json.dumps(u), u
' "$T/out" && pass || fail "list json"
	# a login that exists: 65, nothing asked
	run_in "$PW" --db "$DB" user add tanaka
	expect_rc 65 "duplicate"
	expect_err_has "すでに使われています"
	# the policy: refused, not created
	run_in "short" --db "$DB" user add suzuki
	expect_rc 2 "short password"
	expect_err_has "12 文字以上"
	run_in "suzuki" --db "$DB" user add suzuki
	expect_rc 2 "password = login"
	run_in "" --db "$DB" user add suzuki
	expect_rc 2 "empty stdin line"
	printf '' | "$SASAE" --db "$DB" user add suzuki >"$T/out" 2>"$T/err"
	RC=$?
	expect_rc 2 "no stdin at all"
	run_in "$PW" --db "$DB" user add Suzuki
	expect_rc 2 "upper-case login"
	run --db "$DB" user list
	expect_out_lacks "suzuki"
	expect_eq "$(audit_rows)" 2 "audit rows after the refusals"
	# the password stored hashed: not in the database file
	if grep -qaF -- "$PW" "$DB" "$DB-wal" 2>/dev/null; then fail "the password is in the database file"; else pass; fi
	expect_eq "$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from account where password_hash like \"$argon2id$%\"").fetchone()[0])' "$DB")" 2 "argon2id hashes"
}

t_argv_refused() {
	begin argv
	run_in "$PW" --db "$DB" user add tanaka
	local before
	before=$(audit_rows)
	# a password can not be given on the command line, and is not echoed back when tried
	run_in "" --db "$DB" user add suzuki 'my secret passphrase'
	expect_rc 2 "password as an operand"
	expect_err_lacks "my secret passphrase"
	run_in "" --db "$DB" user add suzuki --password='my secret passphrase'
	expect_rc 2 "--password=…"
	expect_err_lacks "my secret passphrase"
	expect_err_has "コマンドラインでは受け取りません"
	run_in "" --db "$DB" user add suzuki --pass 'my secret passphrase'
	expect_rc 2 "--pass …"
	expect_err_lacks "my secret passphrase"
	run_in "" --db "$DB" user passwd tanaka 'my secret passphrase'
	expect_rc 2 "passwd with a password operand"
	expect_err_lacks "my secret passphrase"
	expect_eq "$(audit_rows)" "$before" "audit rows"
	# passwd from stdin
	run_in "$PW2" --db "$DB" user passwd tanaka
	expect_rc 0 "passwd"
	run_in "$PW2" --db "$DB" user passwd nobody
	expect_rc 66 "passwd of nobody"
	run --db "$DB" audit --limit 1
	expect_out_has "user.passwd"
	expect_out_lacks "$PW2"
}

# Drive `sasae user add` on a pseudo-terminal: the password typed twice, nothing echoed.
t_terminal() {
	begin tty
	python3 - "$SASAE" "$DB" "$PW" <<'EOF' >"$T/out" 2>"$T/err"
import os, pty, sys, time
sasae, db, pw = sys.argv[1:4]

def session(login, first, second):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(sasae, [sasae, "--db", db, "user", "add", login])
    out = b""
    def read_until(marker, timeout=20):
        nonlocal out
        end = time.time() + timeout
        while marker not in out and time.time() < end:
            try:
                out += os.read(fd, 4096)
            except OSError:
                break
        return marker in out
    assert read_until("パスワード".encode()), out
    os.write(fd, first.encode() + b"\n")
    assert read_until("もう一度".encode()), out
    os.write(fd, second.encode() + b"\n")
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out.decode("utf-8", "replace")

rc, out = session("ito", pw, pw)
assert rc == 0, (rc, out)
assert pw not in out, "the password was echoed: " + out
assert "ito" in out
rc, out = session("ueda", pw, pw + "x")
assert rc == 2, (rc, out)
assert "違います" in out, out
assert pw not in out, out
print("ok")
EOF
	RC=$?
	expect_rc 0 "terminal session (stderr: $(cat "$T/err"))"
	expect_out_has "ok"
	run --db "$DB" user list
	expect_out_has "ito"
	expect_out_lacks "ueda"
}

# Interrupt `sasae user add` at the password prompt (Ctrl-C, a closed terminal, kill): the command
# ends by the signal, the terminal echoes again, and no user was added.
t_interrupt() {
	begin interrupt
	python3 - "$SASAE" "$DB" <<'EOF' >"$T/out" 2>"$T/err"
import os, signal, subprocess, sys, termios, time
sasae, db = sys.argv[1:3]
for sig in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM):
    master, slave = os.openpty()
    p = subprocess.Popen([sasae, "--db", db, "user", "add", "kondo"], stdin=slave, stdout=slave,
                         stderr=slave, start_new_session=True)
    out = b""
    end = time.time() + 20
    while "パスワード".encode() not in out and time.time() < end:
        out += os.read(master, 4096)
    assert "パスワード".encode() in out, out
    time.sleep(0.2)
    assert not termios.tcgetattr(slave)[3] & termios.ECHO, "echo is off while the password is typed"
    os.write(master, b"half-typed")
    time.sleep(0.2)
    p.send_signal(sig)
    rc = p.wait(timeout=20)
    assert rc == -sig, (sig, rc)
    assert termios.tcgetattr(slave)[3] & termios.ECHO, f"echo still off after {signal.Signals(sig).name}"
    os.close(master)
    os.close(slave)
print("ok")
EOF
	RC=$?
	expect_rc 0 "interrupted at the prompt (stderr: $(cat "$T/err"))"
	expect_out_has "ok"
	run --db "$DB" user list
	expect_out_lacks "kondo"
}

t_roles() {
	begin roles
	run_in "$PW" --db "$DB" user add tanaka
	run --db "$DB" user role tanaka --grant editor --department 健康福祉局
	expect_rc 0 "grant editor"
	run --db "$DB" user role tanaka --grant office
	expect_rc 0 "grant office"
	local before
	before=$(audit_rows)
	run --db "$DB" user role tanaka --grant editor --department 市社協
	expect_rc 2 "an alias"
	expect_err_has "市社会福祉協議会"
	run --db "$DB" user role tanaka --grant editor --department 架空局
	expect_rc 2 "an unknown department"
	expect_err_has "架空局"
	run --db "$DB" user role tanaka --grant editor
	expect_rc 2 "editor without a department"
	run --db "$DB" user role tanaka --grant office --department 健康福祉局
	expect_rc 2 "office with a department"
	run --db "$DB" user role tanaka --grant root
	expect_rc 2 "unknown role"
	expect_err_has "council"
	run --db "$DB" user role tanaka --grant office --revoke office
	expect_rc 2 "grant and revoke"
	run --db "$DB" user role tanaka
	expect_rc 2 "neither"
	run --db "$DB" user role nobody --grant office
	expect_rc 66 "unknown user"
	run --db "$DB" user list --name x
	expect_rc 2 "--name with list"
	expect_eq "$(audit_rows)" "$before" "audit rows after the refusals"
	run --db "$DB" user list
	expect_out_has "office, editor:健康福祉局"
	run --db "$DB" user role tanaka --revoke editor --department 健康福祉局
	expect_rc 0 "revoke"
	run --db "$DB" user list
	expect_out_lacks "editor:"
}

t_disable() {
	begin disable
	run_in "$PW" --db "$DB" user add tanaka
	run --db "$DB" user disable tanaka
	expect_rc 0 "disable"
	run --db "$DB" user list
	expect_out_re '^tanaka .*停止'
	run --db "$DB" user disable tanaka --enable
	expect_rc 0 "enable"
	run --db "$DB" user list
	expect_out_re '^tanaka .*有効'
	run --db "$DB" user disable nobody
	expect_rc 66 "disable nobody"
	run --db "$DB" user disable tanaka --format json
	expect_rc 2 "--format with disable"
}

t_audit() {
	begin audit
	run_in "$PW" --db "$DB" user add tanaka --name '田中, "たなか"'
	run --db "$DB" user role tanaka --grant editor --department 健康福祉局
	run --db "$DB" user disable tanaka
	run --db "$DB" audit
	expect_rc 0 "text"
	expect_out_re '^[0-9-]{10}T[0-9:]{8}\.[0-9]{3}Z  \(端末\)  cli  user\.disable  user:tanaka  \{"disabled":false\} → \{"disabled":true,"sessions_ended":0\}$'
	run --db "$DB" audit --format csv
	expect_rc 0 "csv"
	expect_eq "$(head -c 48 "$T/out" | od -An -c | tr -s ' ' | tr -d '\n')" \
		"$(printf 'id,at,login,address,action,target,before,after\r\n' | od -An -c | tr -s ' ' | tr -d '\n')" "csv header and CRLF"
	python3 -c '
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
assert rows[0] == ["id", "at", "login", "address", "action", "target", "before", "after"], rows[0]
body = rows[1:]
assert [r[4] for r in body] == ["user.disable", "user.role.grant", "user.add"], body
add = body[2]
assert add[2] == "" and add[3] == "cli" and add[5] == "user:tanaka" and add[6] == "", add
assert json.loads(add[7]) == {"login": "tanaka", "display_name": "田中, \"たなか\""}, add[7]
assert json.loads(body[1][7]) == {"role": "editor", "department": "健康福祉局"}
' "$T/out" && pass || fail "csv read back"
	# a field with a comma and quotes is quoted, its quotes doubled (RFC 4180)
	expect_out_has '"{""login"":""tanaka"",""display_name"":""田中, \""たなか\""""}"'
	run --db "$DB" audit --format json
	expect_rc 0 "json"
	python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
assert [e["action"] for e in a] == ["user.disable", "user.role.grant", "user.add"], a
assert all(set(e) == {"id", "at", "login", "address", "action", "target", "before", "after"} for e in a)
assert a[0]["before"] == {"disabled": False} and a[0]["after"] == {"disabled": True, "sessions_ended": 0}, a[0]
assert a[2]["before"] is None and a[2]["after"]["login"] == "tanaka"
assert a[0]["id"] > a[1]["id"] > a[2]["id"]
' "$T/out" && pass || fail "json"
	run --db "$DB" audit --action user.role. --format json
	expect_eq "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/out")" 1 "--action prefix"
	run --db "$DB" audit --user "" --limit 1 --format json
	expect_eq "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/out")" 1 "--limit"
	run --db "$DB" audit --limit 1
	expect_err_has "3 件のうち新しい 1 件"
	run --db "$DB" audit --user nobody
	expect_rc 0 "no match"
	expect_out_has "該当する記録はありません"
	run --db "$DB" audit --target user:tanaka --since 2000-01-01 --until 2999-12-31 --format json
	expect_eq "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/out")" 3 "--target --since --until"
	run --db "$DB" audit --until 2000-01-01 --format csv
	expect_eq "$(wc -l <"$T/out" | tr -d ' ')" 1 "csv with the header only"
	run --db "$DB" audit --since 2024-13-01
	expect_rc 2 "bad date"
	expect_err_has "since"
	run --db "$DB" audit --limit 0
	expect_rc 2 "--limit 0"
	run --db "$DB" audit --format xml
	expect_rc 2 "--format xml"
	run --db "$DB" audit extra
	expect_rc 2 "operand"
}

# `sasae import` without --departments uses the departments.tsv stored in the database.
t_import_departments() {
	begin import-departments
	cat >"$T/plan.txt" <<'EOF'
**部署の表の試験用の計画**

(1) 施策

No	事業名	事業概要	担当局等
1	試験の事業	試験をする。	テスト推進室
EOF
	run --db "$DB" import "$T/plan.txt" --plan first
	expect_rc 0 "import with the built-in table"
	expect_err_has "unknown-department"
	# the office's table, stored as the workspace stores it (finder_file, name departments.tsv)
	python3 - "$DB" "$SRC/data/departments.tsv" <<'EOF' || fail "setup: store departments.tsv"
import sqlite3, sys
text = open(sys.argv[2], encoding="utf-8").read() + "テスト推進室\tテスト室\n"
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO finder_file (name, text, source) VALUES ('departments.tsv', ?, 'departments.tsv')", (text,))
db.commit()
EOF
	sed 's/テスト推進室$/テスト室/' "$T/plan.txt" >"$T/plan2.txt"
	run --db "$DB" import "$T/plan2.txt" --plan second
	expect_rc 0 "import with the stored table"
	expect_err_empty
	run --db "$DB" list --plan second --department テスト推進室
	expect_rc 0 "list by the canonical name"
	expect_out_has "試験の事業"
	run_in "$PW" --db "$DB" user add tanaka
	run --db "$DB" user role tanaka --grant editor --department テスト推進室
	expect_rc 0 "grant in a department of the stored table"
	run --db "$DB" user role tanaka --grant editor --department テスト室
	expect_rc 2 "its alias"
	expect_err_has "テスト推進室"
}

# Every import is audited in its own transaction: one "plan.import" row per new version (the operator,
# from the terminal, with the file, digest and counts); the same document again, or a document that
# does not parse, writes none.
t_import_audited() {
	begin import-audited
	local db="$T/imported.db"
	cat >"$T/audited.txt" <<'EOF'
**監査の試験用の計画**

(1) 施策

No	事業名	事業概要	担当局等
1	試験の事業	試験をする。	健康福祉局
2	二つ目の事業	もう一つ試験をする。	健康福祉局
EOF
	run --db "$db" import "$T/audited.txt" --plan audited
	expect_rc 0 "import"
	run --db "$db" import "$T/audited.txt" --plan audited
	expect_rc 0 "the same document again"
	printf '**壊れた計画**\n\n(1) 施策\n\nNo\t事業名\n1\n' >"$T/broken.txt"
	run --db "$db" import "$T/broken.txt" --plan audited
	expect_rc 65 "a document that does not parse"
	run --db "$db" audit --action plan.import --format json
	expect_rc 0 "audit of imports"
	python3 - "$T/out" <<'EOF' >"$T/check" 2>&1 || fail "plan.import rows: $(cat "$T/check")"
import json, sys
rows = json.load(open(sys.argv[1], encoding="utf-8"))
assert len(rows) == 1, rows
r = rows[0]
assert (r["action"], r["target"], r["login"], r["address"]) == ("plan.import", "plan:audited@1", "", "cli"), r
a = r["after"]
assert r["before"] is None, r
assert (a["version"], a["source"], a["listings"], a["programs"], a["new_programs"]) == (1, "audited.txt", 2, 2, 2), a
assert len(a["digest"]) == 64 and all(c in "0123456789abcdef" for c in a["digest"]), a
EOF
	sed 's/二つ目の事業/二番目の事業/' "$T/audited.txt" >"$T/audited2.txt"
	run --db "$db" import "$T/audited2.txt" --plan audited
	expect_rc 0 "a second version"
	run --db "$db" audit --action plan.import --target plan:audited@2 --format csv
	expect_out_has "plan:audited@2"
	expect_out_has "audited2.txt"
}

t_help
t_add_stdin
t_argv_refused
t_terminal
t_interrupt
t_roles
t_disable
t_audit
t_import_departments
t_import_audited

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
