#!/usr/bin/env bash
# test_deb.sh — build the Debian package, check it with lintian, install it, run the installed
# program and the unit's exact command line, then purge it.
#
# Usage: bash tests/package/test_deb.sh        (as root, on Debian 12; it installs and purges the
#        package `sasae` on this machine)
#
# Steps: copy the working tree (tracked and untracked-but-not-ignored files) to a temp dir and
# run `dpkg-buildpackage -us -uc -b` there, so the .deb lands in that temp dir and the repository
# stays clean; `lintian --fail-on error` on the .deb; `dpkg -i` (then `apt-get install -f -y` for
# missing dependencies); the installed files, conffile, system user, directories; the unit with
# `systemd-analyze verify`; `sasae import --sample` into a temp database as the installed
# /usr/bin/sasae; the unit's ExecStart= with the variables of the installed /etc/sasae/sasae.conf
# (SASAE_DB pointing at the temp database, a free port), run as the sasae user — always, also
# where systemd is PID 1, so that the machine's own service is never started; curl / and
# /api/v1/plans; SIGTERM must end it with status 0; a reinstall over itself (the upgrade path of
# postinst) keeps the database; `dpkg -r` keeps the data; `dpkg --purge` removes it.
#
# Refuses to run where a database exists in /var/lib/sasae (a real installation), unless
# SASAE_TEST_DEB_FORCE=1.  Environment: DEB_BUILD_OPTIONS (default parallel=2).
# Prints "N passed, M failed" and exits 1 when anything failed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$(pwd)
passed=0
failed=0
server_pid=""
work=""

ok() {
	passed=$((passed + 1))
	printf 'ok   %s\n' "$1"
}
fail() {
	failed=$((failed + 1))
	printf 'FAIL %s\n' "$1"
}
# check DESCRIPTION COMMAND...: pass when the command succeeds.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else fail "$what"; fi
}
finish() {
	echo
	echo "test_deb.sh: $passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
	exit $?
}
cleanup() {
	if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
		kill -KILL "$server_pid" 2>/dev/null
	fi
	if [ -n "$work" ] && [ "${SASAE_TEST_DEB_KEEP:-0}" != 1 ]; then
		rm -rf "$work"
	fi
}
trap cleanup EXIT
# fatal MESSAGE: a step that later steps need failed: stop here.
fatal() {
	fail "$1"
	finish
}

if [ "$(id -u)" -ne 0 ]; then
	echo "test_deb.sh: needs root (it installs and purges the package)" >&2
	exit 2
fi
for tool in dpkg-buildpackage dh lintian curl python3 setpriv; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "test_deb.sh: $tool is missing: run scripts/install-deps.sh" >&2
		exit 2
	fi
done
if [ -e /var/lib/sasae/sasae.db ] && [ "${SASAE_TEST_DEB_FORCE:-0}" != 1 ]; then
	echo "test_deb.sh: /var/lib/sasae/sasae.db exists: this looks like a real installation, which" >&2
	echo "this test would purge.  Set SASAE_TEST_DEB_FORCE=1 to run it anyway." >&2
	exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/sasae-deb.XXXXXX")
chmod 0755 "$work"
echo "test_deb.sh: working in $work"

# ---- build ----
mkdir "$work/src"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
	[ -e "$f" ] && printf '%s\0' "$f"
done | tar -C "$repo" --null -T - -cf - | tar -C "$work/src" -xf -
export DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-parallel=2}
if (cd "$work/src" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b"
else
	tail -n 40 "$work/build.log"
	fatal "dpkg-buildpackage -us -uc -b (log: $work/build.log)"
fi
debs=("$work"/sasae_*.deb)
deb=${debs[0]}
check "one .deb built: $(basename "$deb")" test "${#debs[@]}" -eq 1 -a -f "$deb"
check "version 0.1.0-1" test "$(dpkg-deb -f "$deb" Version)" = 0.1.0-1
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libmicrohttpd12 libqrencode4 libsqlite3-0 libjansson4 libutf8proc2 libsodium23 adduser; do
	check "Depends: $lib" grep -q "\\b$lib\\b" <<<"$depends"
done
check "Recommends: libxlsxwriter4" grep -q libxlsxwriter4 <<<"$(dpkg-deb -f "$deb" Recommends)"

# ---- lintian ----
lintian --fail-on error --display-info --show-overrides --tag-display-limit 0 "$deb" >"$work/lintian.log" 2>&1
status=$?
sed 's/^/  lintian: /' "$work/lintian.log"
check "lintian: no errors ($(grep -c '^E:' "$work/lintian.log") E, $(grep -c '^W:' "$work/lintian.log") W, $(grep -c '^I:' "$work/lintian.log") I, $(grep -c '^O:' "$work/lintian.log") overridden)" \
	test "$status" -eq 0

# ---- install ----
if dpkg -s sasae >/dev/null 2>&1; then
	echo "test_deb.sh: sasae is installed already: purging it first"
	dpkg --purge sasae >/dev/null
fi
if dpkg -i "$deb" >"$work/install.log" 2>&1; then
	ok "dpkg -i"
elif DEBIAN_FRONTEND=noninteractive apt-get install -f -y -q >>"$work/install.log" 2>&1 &&
	[ "$(dpkg-query -W -f='${Status}' sasae 2>/dev/null)" = "install ok installed" ]; then
	ok "dpkg -i, then apt-get install -f -y for the dependencies"
else
	cat "$work/install.log"
	fatal "install the package"
fi

unit=$(dpkg -L sasae | grep '/systemd/system/sasae\.service$' | head -n 1)
check "the unit is installed ($unit)" test -n "$unit" -a -f "$unit"
check "/usr/bin/sasae" test -x /usr/bin/sasae
check "/etc/sasae/sasae.conf" test -f /etc/sasae/sasae.conf
check "/etc/sasae/sasae.conf is a conffile" grep -q '^ /etc/sasae/sasae.conf ' \
	<<<"$(dpkg-query -W -f='${Conffiles}\n' sasae)"
check "/etc/logrotate.d/sasae" test -f /etc/logrotate.d/sasae
check "/usr/share/doc/sasae/copyright" test -f /usr/share/doc/sasae/copyright
check "/usr/share/doc/sasae/operations.md" test -f /usr/share/doc/sasae/operations.md -o \
	-f /usr/share/doc/sasae/operations.md.gz
check "manual page sasae(1)" test -f /usr/share/man/man1/sasae.1.gz
check "/usr/share/sasae/sendai-2024-draft.txt" test -f /usr/share/sasae/sendai-2024-draft.txt
check "system user sasae ($(getent passwd sasae | cut -d: -f1,6,7))" test -n "$(getent passwd sasae)"
check "/var/lib/sasae owned by sasae, 0750" test "$(stat -c '%U %a' /var/lib/sasae 2>/dev/null)" = "sasae 750"
check "/var/log/sasae owned by sasae" test "$(stat -c '%U' /var/log/sasae 2>/dev/null)" = sasae
check "sasae --version: sasae 0.1.0" test "$(/usr/bin/sasae --version)" = "sasae 0.1.0"
check "the unit is not enabled at installation" test ! -e /etc/systemd/system/multi-user.target.wants/sasae.service
if command -v systemd-analyze >/dev/null 2>&1; then
	if systemd-analyze verify "$unit" >"$work/verify.log" 2>&1; then
		ok "systemd-analyze verify $unit"
	else
		cat "$work/verify.log"
		fail "systemd-analyze verify $unit"
	fi
	exposure=$(systemd-analyze security --offline=yes "$unit" 2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: *//p')
	echo "     systemd-analyze security: ${exposure:-?}"
fi

# ---- the installed program: import the bundled sample into a temp database ----
mkdir "$work/state"
chown sasae:sasae "$work/state"
db=$work/state/sasae.db
if setpriv --reuid=sasae --regid=sasae --init-groups /usr/bin/sasae --db "$db" import --sample \
	>"$work/import.log" 2>&1; then
	ok "sasae --db … import --sample (as the sasae user)"
else
	cat "$work/import.log"
	fail "sasae --db … import --sample"
fi
check "sasae plans lists sendai-2024-draft" grep -q sendai-2024-draft \
	<<<"$(runuser -u sasae -- /usr/bin/sasae --db "$db" plans 2>&1)"

# ---- the unit's command line ----
# ExecStart= of the installed unit, with $VAR (split into words) and ${VAR} (one word) taken from
# the installed /etc/sasae/sasae.conf, as systemd does; SASAE_DB is the temp database and --port a
# free port.
execstart=$(sed -n 's/^ExecStart=//p' "$unit" | tail -n 1)
declare -A conf=()
while IFS= read -r line; do
	[[ $line =~ ^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
	name=${BASH_REMATCH[1]}
	value=${BASH_REMATCH[2]}
	if [[ $value =~ ^\"(.*)\"$ ]] || [[ $value =~ ^\'(.*)\'$ ]]; then value=${BASH_REMATCH[1]}; fi
	conf[$name]=$value
done </etc/sasae/sasae.conf
check "sasae.conf sets SASAE_DB=/var/lib/sasae/sasae.db" test "${conf[SASAE_DB]:-}" = /var/lib/sasae/sasae.db
check "sasae.conf sets SASAE_SERVE_OPTS" test -n "${conf[SASAE_SERVE_OPTS]:-}"
conf[SASAE_DB]=$db
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
argv=()
read -ra words <<<"$execstart"
for w in "${words[@]}"; do
	if [[ $w =~ ^\$([A-Za-z_][A-Za-z0-9_]*)$ ]]; then
		read -ra split <<<"${conf[${BASH_REMATCH[1]}]:-}"
		argv+=("${split[@]}")
	else
		while [[ $w =~ \$\{([A-Za-z_][A-Za-z0-9_]*)\} ]]; do
			w=${w//"${BASH_REMATCH[0]}"/"${conf[${BASH_REMATCH[1]}]:-}"}
		done
		argv+=("$w")
	fi
done
have_port=0
for i in "${!argv[@]}"; do
	if [ "${argv[$i]}" = --port ]; then
		argv[$((i + 1))]=$port
		have_port=1
	fi
done
[ "$have_port" -eq 1 ] || argv+=(--port "$port")
check "ExecStart= starts /usr/bin/sasae serve" test "${argv[0]:-} ${argv[1]:-}" = "/usr/bin/sasae serve"
echo "     command: SASAE_DB=$db ${argv[*]}"

if [ "$(ps -p 1 -o comm= 2>/dev/null)" = systemd ]; then
	echo "     (systemd is PID 1; the command line is run all the same, not the unit)"
fi
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin SASAE_DB="$db" \
	setpriv --reuid=sasae --regid=sasae --init-groups "${argv[@]}" >"$work/serve.log" 2>&1 &
server_pid=$!
up=0
for _ in $(seq 1 100); do
	if curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then
		up=1
		break
	fi
	kill -0 "$server_pid" 2>/dev/null || break
	sleep 0.1
done
if [ "$up" -eq 1 ]; then
	ok "the server answers on 127.0.0.1:$port"
	code=$(curl -s -o "$work/index.html" -w '%{http_code}' "http://127.0.0.1:$port/")
	check "GET / → 200 ($code)" test "$code" = 200
	code=$(curl -s -o "$work/plans.json" -w '%{http_code}' "http://127.0.0.1:$port/api/v1/plans")
	check "GET /api/v1/plans → 200 ($code)" test "$code" = 200
	check "/api/v1/plans has sendai-2024-draft" grep -q '"sendai-2024-draft"' "$work/plans.json"
	code=$(curl -s -o "$work/print.html" -w '%{http_code}' "http://127.0.0.1:$port/finder/print?who=elderly")
	check "GET /finder/print → 200 ($code)" test "$code" = 200
	check "/finder/print has its QR code (libqrencode.so.4 loaded)" grep -q '<svg class="qr"' "$work/print.html"
	kill -TERM "$server_pid"
	wait "$server_pid"
	status=$?
	server_pid=""
	check "SIGTERM: exit status 0 ($status)" test "$status" -eq 0
else
	cat "$work/serve.log"
	fail "the server answers on 127.0.0.1:$port"
	kill -TERM "$server_pid" 2>/dev/null
	wait "$server_pid" 2>/dev/null
	server_pid=""
fi
check "the access log went to stderr" grep -q 'GET /api/v1/plans' "$work/serve.log"

# ---- remove keeps the data, purge removes it ----
# The documented way to fill the service's database (docs/operations.md).
runuser -u sasae -- /usr/bin/sasae --db /var/lib/sasae/sasae.db import --sample >/dev/null 2>&1
check "runuser -u sasae -- sasae --db /var/lib/sasae/sasae.db import --sample" test -s /var/lib/sasae/sasae.db
# Installing the same version again runs postinst as on an upgrade ("configure 0.1.0-1"): it
# migrates the database (sasae reindex) and must leave it as it was.
if dpkg -i "$deb" >"$work/reinstall.log" 2>&1 && ! grep -q 'sasae: warning' "$work/reinstall.log"; then
	ok "dpkg -i again (postinst's upgrade path), no warning"
else
	cat "$work/reinstall.log"
	fail "dpkg -i again (postinst's upgrade path), no warning"
fi
check "the database still has sendai-2024-draft" grep -q sendai-2024-draft \
	<<<"$(runuser -u sasae -- /usr/bin/sasae --db /var/lib/sasae/sasae.db plans 2>&1)"
check "the database is still owned by sasae" test "$(stat -c %U /var/lib/sasae/sasae.db)" = sasae
dpkg -r sasae >"$work/remove.log" 2>&1
check "dpkg -r sasae" test "$(dpkg-query -W -f='${Status}' sasae 2>/dev/null)" = "deinstall ok config-files"
check "remove keeps /var/lib/sasae/sasae.db" test -s /var/lib/sasae/sasae.db
check "remove keeps /etc/sasae/sasae.conf" test -f /etc/sasae/sasae.conf
check "remove takes /usr/bin/sasae" test ! -e /usr/bin/sasae
dpkg --purge sasae >"$work/purge.log" 2>&1
check "dpkg --purge sasae" test "$(dpkg-query -W -f='${db:Status-Status}' sasae 2>/dev/null || echo not-installed)" = not-installed
for path in /usr/bin/sasae "$unit" /etc/sasae /etc/logrotate.d/sasae /var/lib/sasae /var/log/sasae \
	/usr/share/doc/sasae /usr/share/sasae; do
	check "purged: $path" test ! -e "$path"
done

finish
