#!/usr/bin/env bash
# install-deps.sh — install what it takes to build and test sasae on Debian 12 (apt-get).
#
# Idempotent and quick when everything is there: it asks dpkg which packages are missing and only
# calls apt-get (update, then install) for those.  Runs as root, or through sudo when available;
# otherwise it prints the command to run and exits 1.
#
# Usage: scripts/install-deps.sh [--check]
#   --check   only report what is missing (exit 1 if anything is)
set -euo pipefail

# What each package is for:
#   build-essential cmake pkg-config    the build (gcc, make, cmake ≥ 3.20)
#   clang libclang-rt-dev               the clang + ASan/UBSan build and libFuzzer (the sanitizer and
#                                       fuzzer runtimes are only "recommended" by clang on Debian, so
#                                       they are named here explicitly)
#   libsqlite3-dev libjansson-dev libutf8proc-dev libsodium-dev   libraries of the core
#   libmicrohttpd-dev                   the web server (sasae serve)
#   libqrencode-dev                     the QR code of the finder's printed handout (/finder/print)
#   zlib1g-dev                          gzip content coding of pages and JSON (src/http/encoding.c)
#   libxlsxwriter-dev                   XLSX export (sasae export --format xlsx)
#   libzip-dev                          the HSDS package as one ZIP on the web (/data/hsds.zip): the
#                                       header at build time, libzip4 loaded with dlopen at run time
#   libmecab-dev                        morphological analysis of the finder's free text (MeCab;
#                                       src/text/morph.c, docs/morphology.md): the header at build
#                                       time, libmecab2 (pulled in) loaded with dlopen at run time
#   mecab-ipadic-utf8                   MeCab's IPA dictionary in UTF-8 (/var/lib/mecab/dic/
#                                       ipadic-utf8, about 50 MB once compiled by its postinst)
#   libreoffice-calc-nogui              export tests: a real reader opens the XLSX (soffice
#                                       --convert-to csv; about 80 MB, under a minute of apt)
#   python3-jsonschema                  export tests: the HSDS package against HSDS's JSON Schemas
#   curl                                HTTP integration tests
#   sqlite3                             the sqlite3 shell (tests inspect databases with it)
#   libcmocka-dev                       unit tests
#   python3                             test helpers
#   time                                /usr/bin/time for the benchmarks (peak memory)
#   chromium nodejs npm                 browser tests (tests/browser/: Debian's headless Chromium driven
#                                       by playwright-core from npm, run by node --test)
#   fonts-noto-cjk                      Japanese glyphs in the browser tests' screenshots
#   debhelper                           the Debian package (debian/, dh with compat 13): tests/package/
#   dpkg-dev                            dpkg-buildpackage, which builds the .deb (no fakeroot:
#                                       debian/control says Rules-Requires-Root: no)
#   lintian                             the package test fails on lintian errors
#   systemd                             systemd-analyze verify / security on the unit (the package
#                                       test; the container does not have to run systemd)
PACKAGES=(
	build-essential cmake pkg-config
	clang libclang-rt-dev
	libsqlite3-dev sqlite3 libjansson-dev libutf8proc-dev libsodium-dev
	libmicrohttpd-dev libqrencode-dev zlib1g-dev curl
	libxlsxwriter-dev libzip-dev libreoffice-calc-nogui python3-jsonschema
	libmecab-dev mecab-ipadic-utf8
	libcmocka-dev
	python3 time
	chromium nodejs npm fonts-noto-cjk
	debhelper dpkg-dev lintian systemd
)

# Packages that count as installed when their command is on PATH: Node.js may come from elsewhere
# than Debian's archive (NodeSource's nodejs bundles npm and conflicts with Debian's npm package).
declare -A BY_COMMAND=([nodejs]=node [npm]=npm)

check_only=0
for arg in "$@"; do
	case "$arg" in
	--check) check_only=1 ;;
	-h | --help)
		awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
		exit 0
		;;
	*)
		echo "install-deps.sh: unknown option: $arg (try --help)" >&2
		exit 2
		;;
	esac
done

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "install-deps.sh: this script needs Debian or Ubuntu (dpkg/apt-get)." >&2
	echo "Install the equivalents of: ${PACKAGES[*]}" >&2
	exit 1
fi

# The packages of PACKAGES that are not installed.
missing_packages() {
	local pkg status
	for pkg in "${PACKAGES[@]}"; do
		if [ -n "${BY_COMMAND[$pkg]:-}" ] && command -v "${BY_COMMAND[$pkg]}" >/dev/null 2>&1; then
			continue
		fi
		status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
		if [ "$status" != "install ok installed" ]; then
			echo "$pkg"
		fi
	done
}

mapfile -t missing < <(missing_packages)
if [ "${#missing[@]}" -eq 0 ]; then
	echo "install-deps.sh: all ${#PACKAGES[@]} packages are installed."
	exit 0
fi
echo "install-deps.sh: missing: ${missing[*]}"
if [ "$check_only" -eq 1 ]; then
	exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
	sudo=()
elif command -v sudo >/dev/null 2>&1; then
	sudo=(sudo)
else
	echo "install-deps.sh: not root and no sudo: as root, run" >&2
	echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi

apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=300)
"${apt[@]}" update
"${apt[@]}" install --no-install-recommends "${missing[@]}"

mapfile -t still < <(missing_packages)
if [ "${#still[@]}" -ne 0 ]; then
	echo "install-deps.sh: still missing after apt-get install: ${still[*]}" >&2
	exit 1
fi
echo "install-deps.sh: installed ${missing[*]}."
