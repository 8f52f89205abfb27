#!/usr/bin/env python3
"""The signed-in workspace over the real `sasae serve`, over sockets, with people made by the CLI.

A temporary database with the bundled plan (`import --sample`); `sasae user add` (the password on
stdin) and `sasae user role` make an office member, an editor and a council member; `sasae serve`
runs on a free port.  Checked here, where only the real server shows it (the rules themselves, the
authorization matrix, the audit rows and the payload corpora are in tests/unit/test_workspace.c):

  - the session cookie's attributes, and `--public-url https://…` giving `__Host-…; Secure`
  - the lint page signed in (moved from test_http.py), decisions exported as an accept file that
    `sasae lint --accept` honours: the findings it names are no longer reported
  - a publish changes the public pages of the running server; a version imported by the CLI is not
    served until it is published (or SIGHUP); a tag override edited on the web shows on the public
    program page and in the finder at once; one loaded by `sasae tags --load` after SIGHUP
  - `--session-idle`: an idle session ends; lockout: 429 with Retry-After after 5 failures
  - no password, session id or CSRF token in the access log, stdout, the audit log or a Location
  - the database passes SQLite's integrity check afterwards; every server exits 0 without a
    sanitizer report

Expected values come from docs/office.md, docs/security.md and the plan (tests/data/sendai-expected.json).

Usage: test_workspace.py SASAE_BINARY SOURCE_DIR [-k SUBSTRING] [-v]
"""
import argparse
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_http as th  # noqa: E402  (Server, Check, http: the same helpers as the other HTTP tests)

PASSWORD = {"office1": "office password 2026", "editor1": "editor password 2026", "council1": "council password 2026",
            "locked1": "locked password 2026"}
BINARY = SRC = DB = WORK = None
EXPECTED = None
TESTS = []
SECRETS = set()  # every password, session id and CSRF token the tests saw


def test(fn):
    TESTS.append(fn)
    return fn


def cli(*args, stdin=None, check=True):
    env = dict(os.environ)
    env.pop("SASAE_DB", None)
    r = subprocess.run([BINARY, "--db", DB, *args], input=stdin, capture_output=True, env=env, timeout=300)
    if check and r.returncode != 0:
        raise RuntimeError(f"sasae {' '.join(args)}: {r.returncode}: {r.stderr.decode()}")
    return r


def form(fields):
    return urllib.parse.urlencode(fields).encode()


class Browser:
    """What a browser keeps for one person: the session cookie, and the page's CSRF token."""

    def __init__(self, srv, cookie_name="sasae_session", origin=None):
        self.srv = srv
        self.cookie_name = cookie_name
        self.sid = None
        self.csrf = None
        self.origin = origin

    def headers(self, extra=None):
        h = {"Host": f"127.0.0.1:{self.srv.port}"}
        if self.sid:
            h["Cookie"] = f"{self.cookie_name}={self.sid}"
        h.update(extra or {})
        return h

    def get(self, path):
        return th.http("GET", path, headers=self.headers(), port=self.srv.port)

    def post(self, path, fields, csrf=True):
        f = dict(fields)
        if csrf:
            f["csrf"] = self.csrf
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        if self.origin:
            h["Origin"] = self.origin
        return th.http("POST", path, headers=self.headers(h), body=form(f), port=self.srv.port)

    def sign_in(self, login, next_path=None):
        fields = {"login": login, "password": PASSWORD[login]}
        if next_path:
            fields["next"] = next_path
        r = self.post("/login", fields, csrf=False)
        if r.status != 303:
            raise RuntimeError(f"sign-in of {login}: {r.status} {r.text[:300]}")
        m = re.match(rf"{re.escape(self.cookie_name)}=([A-Za-z0-9_-]{{43}});", r.h("Set-Cookie", ""))
        if not m:
            raise RuntimeError(f"sign-in of {login}: Set-Cookie {r.h('Set-Cookie')!r}")
        self.sid = m.group(1)
        SECRETS.add(self.sid)
        page = self.get("/office")
        m = re.search(r'name="csrf" value="([A-Za-z0-9_-]{43})"', page.text)
        if not m:
            raise RuntimeError(f"/office of {login}: no CSRF token ({page.status})")
        self.csrf = m.group(1)
        SECRETS.add(self.csrf)
        return r


S = None  # the main server


def start(name, args=()):
    return th.Server(BINARY, DB, WORK, name, args).wait_ready()


def finish(t, srv):
    rc = srv.stop()
    t.eq(rc, 0, f"{srv.name}: exit status")
    err = srv.stderr()
    t.ok(not any(m in err for m in th.SANITIZER_MARKS), f"{srv.name}: sanitizer report:\n{err[-3000:]}")


# ---------------------------------------------------------------------------------------------


@test
def sign_in_sets_a_strict_http_only_cookie(t):
    b = Browser(S)
    r = b.sign_in("office1", "/office/lint?state=open")
    t.eq(r.h("Location"), "/office/lint?state=open", "to next")
    t.ok(re.fullmatch(r"sasae_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict", r.h("Set-Cookie", "")),
         f"Set-Cookie {r.h('Set-Cookie')!r}")
    t.eq(r.h("Cache-Control"), "private, no-store", "/login answer private")
    page = b.get("/office")
    t.eq(page.status, 200, "/office signed in")
    t.ok("計画課 佐藤" in page.text, "the display name in the workspace bar")
    t.eq(page.h("Cache-Control"), "private, no-store", "/office private")
    t.ok(page.h("ETag") is None, "/office: no ETag")
    pub = b.get("/programs/p0001")
    t.eq(pub.h("Cache-Control"), "private, no-store", "a public page with the session cookie is private")
    t.ok(pub.h("ETag") is None, "… without ETag")
    out = b.post("/logout", {})
    t.eq(out.status, 303, "sign-out")
    t.eq(out.h("Location"), "/login?done=logout", "sign-out: to /login")
    t.ok("Max-Age=0" in out.h("Set-Cookie", ""), "sign-out clears the cookie")
    t.eq(b.get("/office").status, 303, "the id is dead after sign-out")


@test
def lint_page_and_accept_file_round_trip(t):
    b = Browser(S)
    b.sign_in("office1")
    r = b.get("/office/lint")
    t.eq(r.status, 200, "/office/lint signed in")
    text = r.text
    for name in EXPECTED["orphans"]:
        t.ok(name in text, f"/office/lint names the orphan {name}")
    t.ok('id="k-relist-drift"' in text and 'id="k-duplicate-unmarked"' in text, "/office/lint groups by kind")
    # accept every finding of the two orphans' places (read from the public API)
    th.S = S
    findings = th.http("GET", "/api/v1/lint", port=S.port).json()["findings"]
    orphans = [f for f in findings if f["kind"] == "relist-orphan"]
    t.eq(len(orphans), len(EXPECTED["orphans"]), "the API's orphans")
    keys = {(f["kind"], f"{f['listing']['part']}-{f['listing']['section']}-{f['listing']['position']}") for f in orphans}
    for kind, place in sorted(keys):
        r = b.post("/office/lint/triage", {"plan": "sendai-2024-draft", "kind": kind, "place": place,
                                           "state": "accepted", "reason": f"意図した再掲 {place}", "view": "", "back": "all"})
        t.eq(r.status, 303, f"triage {kind} {place}")
        t.ok(r.h("Location", "").startswith("/office/lint?state=all&done=triage#f-relist-orphan-"), r.h("Location"))
    r = b.get("/office/lint?state=accepted")
    t.eq(len(re.findall(r'<li id="f-[^"]*" class="finding state-accepted"', r.text)), len(keys),
         "the filter shows the accepted ones")
    acc = b.get("/office/lint/accept.tsv")
    t.eq(acc.status, 200, "accept file")
    t.ok("attachment" in acc.h("Content-Disposition", ""), "accept file is a download")
    lines = [l for l in acc.text.split("\n") if l and not l.startswith("#")]
    t.eq({tuple(l.split("\t")[:2]) for l in lines}, keys, "accept file: one line per accepted key")
    path = os.path.join(WORK, "accepted.tsv")
    with open(path, "wb") as f:
        f.write(acc.body)
    lint = cli("lint", "--accept", path, "--format", "json", check=False)
    t.eq(lint.returncode, 1, "sasae lint --accept: findings remain (exit 1)")
    d = json.loads(lint.stdout)
    t.eq(d["accepted"], len(orphans), "sasae lint --accept accepts the exported decisions")
    t.eq(d["counts"].get("relist-orphan"), 0, "no orphan is reported any more")
    csv = b.get("/office/lint/decisions.csv")
    t.ok(csv.body.startswith(b"\xef\xbb\xbf"), "decisions CSV starts with a BOM")
    t.eq(csv.text.count("\r\n") - 1, len(keys), "decisions CSV: a row per decision")


@test
def publish_changes_the_running_server(t):
    # a second version imported by the CLI while the server runs: not served until published
    src = os.path.join(SRC, "data/sendai-2024-draft.txt")
    copy = os.path.join(WORK, "sendai-2024-draft.txt")
    with open(src, "rb") as f:
        data = f.read()
    with open(copy, "wb") as f:
        f.write(data + b"\n")  # the same rows, another digest
    cli("import", copy, "--title", "支えあいプラン 第2案", "--quiet")
    home = th.http("GET", "/", port=S.port).text
    t.ok("第2案" not in home, "a new version is not served before it is published")
    b = Browser(S)
    b.sign_in("office1")
    for version, shown, hidden in (("2", "支えあいプラン 第2案", None), ("1", "(仮称)せんだい支えあいのまち推進プラン", "第2案"),
                                   ("0", "支えあいプラン 第2案", None)):
        r = b.post("/office/publish", {"plan": "sendai-2024-draft", "version": version})
        t.eq(r.status, 303, f"publish {version}")
        t.eq(r.h("Location"), "/office?done=published#plans", f"publish {version}: back to /office")
        home = th.http("GET", "/", port=S.port).text
        t.ok(shown in home, f"after publishing {version} the home page shows {shown}")
        if hidden:
            t.ok(hidden not in home, f"after publishing {version} the home page does not show {hidden}")
    page = b.get("/office")
    t.ok("公開中" in page.text, "the dashboard says which version is public")


def program_without(tag):
    """A program id whose public page has no link to the finder's tag (e.g. need=money)."""
    for i in range(1, 60):
        pid = f"p{i:04d}"
        r = th.http("GET", f"/programs/{pid}", port=S.port)
        if r.status == 200 and f'href="/finder?{tag}"' not in r.text:
            return pid
    raise RuntimeError(f"no program without {tag}")


@test
def tag_override_edited_on_the_web_applies_at_once(t):
    pid = program_without("need=money")
    b = Browser(S)
    b.sign_in("office1")
    r = b.post(f"/office/programs/{pid}/tags", {"changes": "+need:money", "reason": "経済的な支援の相談先でもあるため"})
    t.eq(r.status, 303, "tags saved")
    page = th.http("GET", f"/programs/{pid}", port=S.port)
    t.ok('href="/finder?need=money"' in page.text, "the public program page shows the new tag at once")
    th.S = S
    found = th.http("GET", "/api/v1/finder?need=money&limit=200", port=S.port).json()
    ids = {p for g in found["groups"] for p in g["programs"]} | {r["program"] for r in found["results"]}
    t.ok(pid in ids, "the finder finds the program for need=money")
    why = [w for r in found["results"] if r["program"] == pid for w in r["why"] if w["tag"] == "need:money"]
    t.ok(why and why[0]["source"] != "rule", f"… because of the office's decision: {why}")
    ws = b.get(f"/office/programs/{pid}/tags")
    t.ok("経済的な支援の相談先でもあるため" in ws.text, "the workspace shows the override's reason")
    # an editor of another department may not
    ed = Browser(S)
    ed.sign_in("editor1")
    other = [p for p in ("p0001", "p0002", "p0003", "p0004") if "健康福祉局" not in th.http("GET", f"/programs/{p}", port=S.port).text]
    if other:
        r = ed.post(f"/office/programs/{other[0]}/tags", {"changes": "+need:money", "reason": "x"})
        t.eq(r.status, 403, "an editor of another department: 403")


@test
def sighup_reloads_what_the_cli_changed(t):
    pid = program_without("need=housing")
    name = th.http("GET", f"/api/v1/programs/{pid}", port=S.port).json()["name"]
    d = os.path.join(WORK, "tags")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "tag-overrides.tsv"), "w", encoding="utf-8") as f:
        f.write(f"{name}\t+need:housing\t住まいの相談先でもあるため\n")
    cli("tags", "--load", d)
    page = th.http("GET", f"/programs/{pid}", port=S.port).text
    t.ok('href="/finder?need=housing"' not in page, "a file loaded by the CLI is not served before SIGHUP")
    S.proc.send_signal(signal.SIGHUP)
    deadline = time.time() + 20
    while time.time() < deadline and "SIGHUP" not in S.stderr():
        time.sleep(0.1)
    t.ok("読み込み直しました" in S.stderr(), "the server says it reloaded")
    page = th.http("GET", f"/programs/{pid}", port=S.port).text
    t.ok('href="/finder?need=housing"' in page, "after SIGHUP the program page shows the loaded tag")
    t.ok(S.proc.poll() is None, "the server goes on after SIGHUP")


@test
def idle_sessions_end(t):
    srv = start("idle", ["--session-idle", "2", "--threads", "2"])
    try:
        b = Browser(srv)
        b.sign_in("council1")
        t.eq(b.get("/office").status, 200, "signed in")
        time.sleep(4)
        r = b.get("/office")
        t.eq(r.status, 303, "idle for longer than --session-idle")
        t.eq(r.h("Location"), "/login?next=%2Foffice&why=expired", "to /login, saying why")
        login = th.http("GET", r.h("Location"), port=srv.port)
        t.ok("有効期限が切れました" in login.text, "the sign-in page says the session ended")
    finally:
        finish(t, srv)


@test
def https_public_url_gives_a_host_prefixed_secure_cookie(t):
    srv = start("https", ["--public-url", "https://sasae.example.jp", "--threads", "2"])
    try:
        b = Browser(srv, cookie_name="__Host-sasae_session", origin="https://sasae.example.jp")
        r = b.sign_in("council1")
        t.ok(re.fullmatch(r"__Host-sasae_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict; Secure",
                          r.h("Set-Cookie", "")), f"Set-Cookie {r.h('Set-Cookie')!r}")
        evil = Browser(srv, origin="https://evil.example")
        r = evil.post("/login", {"login": "council1", "password": PASSWORD["council1"]}, csrf=False)
        t.eq(r.status, 403, "a sign-in posted from another site")
        t.ok(r.h("Set-Cookie") is None, "… sets no cookie")
    finally:
        finish(t, srv)


@test
def lockout_answers_429_with_retry_after(t):
    b = Browser(S)
    for i in range(5):
        r = b.post("/login", {"login": "locked1", "password": f"wrong password {i}"}, csrf=False)
        t.eq(r.status, 401, f"failure {i + 1}")
        t.ok("ログイン名またはパスワードが違います。" in r.text, "one message for a wrong login or password")
    r = b.post("/login", {"login": "locked1", "password": PASSWORD["locked1"]}, csrf=False)
    t.eq(r.status, 429, "locked after 5 failures (the default policy), even with the right password")
    retry = int(r.h("Retry-After", "0"))
    t.ok(880 <= retry <= 900, f"Retry-After {retry} (15 minutes)")
    t.ok(re.search(r"\d\d:\d\d（日本時間）以降", r.text), "the message says when to retry")
    t.ok(r.h("Set-Cookie") is None, "no session")


@test
def secrets_never_reach_logs_urls_or_the_audit_log(t):
    b = Browser(S)
    b.sign_in("office1")
    b.post("/office/comments", {"on": "program", "program": "p0001", "text": "確認のコメント"})
    time.sleep(0.3)
    audit = cli("audit", "--format", "json").stdout.decode()
    places = {"access log": S.stderr(), "stdout": S.stdout(), "audit log": audit}
    secrets = SECRETS | set(PASSWORD.values())
    for where, text in places.items():
        for s in secrets:
            t.ok(s not in text and urllib.parse.quote(s) not in text, f"a secret ({s[:4]}…) is in the {where}")
    t.ok(re.search(r"^POST /login 303 ", S.stderr(), re.M), "sign-ins are logged (method, path, status)")
    t.ok("session.login" in audit and "comment.add" in audit, "the audit log has the sign-ins and the comment")


# ---------------------------------------------------------------------------------------------


def main():
    global BINARY, SRC, DB, WORK, EXPECTED, S
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary")
    ap.add_argument("source_dir")
    ap.add_argument("-k", default="")
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    BINARY = os.path.abspath(args.binary)
    SRC = os.path.abspath(args.source_dir)
    with open(os.path.join(SRC, "tests/data/sendai-expected.json"), encoding="utf-8") as f:
        EXPECTED = json.load(f)
    WORK = tempfile.mkdtemp(prefix="sasae-ws-")
    DB = os.path.join(WORK, "plan.db")
    cli("import", "--sample", "--quiet")
    for login, name, role, dept in (("office1", "計画課 佐藤", "office", None), ("editor1", "", "editor", "健康福祉局"),
                                    ("council1", "", "council", None), ("locked1", "", "council", None)):
        add = ["user", "add", login] + (["--name", name] if name else [])
        cli(*add, stdin=(PASSWORD[login] + "\n").encode())
        cli("user", "role", login, "--grant", role, *(["--department", dept] if dept else []))
    passed = failed = 0
    S = start("main", ["--threads", "2"])
    try:
        for fn in TESTS:
            if args.k and args.k not in fn.__name__:
                continue
            t = th.Check(fn.__name__)
            t0 = time.time()
            try:
                fn(t)
            except Exception as e:  # a crash of the test is a failure of the test
                t.problems.append(f"exception: {type(e).__name__}: {e}")
            if t.problems:
                failed += 1
                print(f"FAIL {fn.__name__} ({len(t.problems)} problems)")
                for p in t.problems[:15]:
                    print(f"    {p}")
            else:
                passed += 1
                if args.v:
                    print(f"ok   {fn.__name__} ({time.time() - t0:.1f}s)")
        t = th.Check("main server stops cleanly; the database is sound")
        finish(t, S)
        con = sqlite3.connect(DB)
        t.eq(con.execute("PRAGMA integrity_check").fetchone()[0], "ok", "SQLite integrity_check")
        con.close()
        users = json.loads(cli("user", "list", "--format", "json").stdout)
        logins = {u["login"] for u in (users if isinstance(users, list) else users.get("users", []))}
        t.ok({"office1", "editor1", "council1"} <= logins, f"the users are all there: {logins}")
        if t.problems:
            failed += 1
            print(f"FAIL {t.name}")
            for p in t.problems:
                print(f"    {p}")
        else:
            passed += 1
    finally:
        if S.proc.poll() is None:
            S.proc.kill()
        if failed == 0:
            shutil.rmtree(WORK, ignore_errors=True)
        else:
            print(f"(server logs kept in {WORK})")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
