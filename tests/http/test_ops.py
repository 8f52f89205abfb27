#!/usr/bin/env python3
"""`sasae backup`, `sasae restore` and `sasae check` on real files, under real write load.

A temporary database with the bundled plan and an office member; `sasae serve` runs on a free port.
While one thread posts comments through the running server (signed in, as a browser does) and
another runs `sasae import` of changed drafts again and again, `sasae backup` takes a copy.  Then:

  - the backup restores (`sasae restore`) into a database that `sasae check` finds sound, holding
    every comment and every version whose write had been answered before the backup began, and
    nothing that was started after it ended
  - `sasae check` names each problem of a damaged copy (an original listing gone, an audit row
    whose JSON is cut) and exits 65; `sasae restore` refuses that copy, a file that is not a
    database, a truncated backup and one of a newer schema, with exit 65 and a message, and the
    current database keeps its bytes (sha256)
  - backup refuses to overwrite without --force

Usage: test_ops.py SASAE_BINARY SOURCE_DIR [-v]
"""
import argparse
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_http as th  # noqa: E402
import test_workspace as tw  # noqa: E402  (Browser: sign-in with cookie and CSRF token)

BINARY = SRC = WORK = DB = None
PLAN = "sendai-2024-draft"


def cli(*args, db=None, check=True):
    env = dict(os.environ)
    env.pop("SASAE_DB", None)
    r = subprocess.run([BINARY, "--db", db or DB, *args], capture_output=True, env=env, timeout=300)
    if check and r.returncode != 0:
        raise RuntimeError(f"sasae {' '.join(args)}: {r.returncode}: {r.stderr.decode()}")
    return r


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def rows(db, sql):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


class Load:
    """Writers running until stop(): web comments and CLI imports, each write's start and answer time."""

    def __init__(self, srv):
        self.srv = srv
        self.stop_flag = threading.Event()
        self.comments = []  # (text, started, answered)
        self.imports = []  # (source file name, started, answered)
        self.errors = []
        self.threads = [threading.Thread(target=self.web), threading.Thread(target=self.imports_loop)]

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def stop(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join(120)

    def web(self):
        try:
            b = tw.Browser(self.srv)
            b.sign_in("office1")
            n = 0
            while not self.stop_flag.is_set():
                n += 1
                text = f"負荷中のコメント {n}"
                t0 = time.monotonic()
                r = b.post("/office/comments", {"on": "program", "program": "p0001", "text": text})
                t1 = time.monotonic()
                if r.status not in (200, 303):
                    self.errors.append(f"comment {n}: {r.status} {r.text[:200]}")
                    return
                self.comments.append((text, t0, t1))
        except Exception as e:  # noqa: BLE001  (reported by the test)
            self.errors.append(f"web writer: {type(e).__name__}: {e}")

    def imports_loop(self):
        try:
            with open(os.path.join(SRC, "data/sendai-2024-draft.txt"), "rb") as f:
                draft = f.read()
            n = 0
            while not self.stop_flag.is_set():
                n += 1
                name = f"draft-{n:03d}.txt"
                path = os.path.join(WORK, name)
                with open(path, "wb") as f:  # a changed document: a new version of the plan
                    f.write(draft + b"\n" * n)
                t0 = time.monotonic()
                cli("import", path, "--plan", PLAN, "--quiet")
                t1 = time.monotonic()
                self.imports.append((name, t0, t1))
        except Exception as e:  # noqa: BLE001
            self.errors.append(f"import writer: {type(e).__name__}: {e}")


def backup_under_load(t, srv):
    load = Load(srv).start()
    deadline = time.monotonic() + 60  # sign-in hashes a password: wait for writes, not for a time
    while (len(load.comments) < 5 or len(load.imports) < 3) and not load.errors and time.monotonic() < deadline:
        time.sleep(0.05)
    backup = os.path.join(WORK, "under-load.db")
    began = time.monotonic()
    r = cli("backup", backup, check=False)
    ended = time.monotonic()
    time.sleep(1.0)
    load.stop()
    t.eq(load.errors, [], "the writers ran without error")
    t.eq(r.returncode, 0, f"backup under load: {r.stderr.decode()}")
    t.ok(len(load.comments) >= 5 and len(load.imports) >= 3,
         f"writes happened: {len(load.comments)} comments, {len(load.imports)} imports")
    before = [c for c in load.comments if c[2] < began]
    after = [c for c in load.comments if c[1] > ended]
    t.ok(before and after, f"comments before ({len(before)}) and after ({len(after)}) the backup")

    restored = os.path.join(WORK, "restored.db")
    r = cli("restore", backup, db=restored, check=False)
    t.eq(r.returncode, 0, f"restore into a new file: {r.stderr.decode()}")
    t.ok("再起動" in r.stdout.decode(), f"restore says to restart serve: {r.stdout.decode()!r}")
    r = cli("check", db=restored, check=False)
    t.eq(r.returncode, 0, f"sasae check of the restored database: {r.stdout.decode()} {r.stderr.decode()}")

    texts = {x[0] for x in rows(restored, "SELECT text FROM comment")}
    missing = [c[0] for c in before if c[0] not in texts]
    t.eq(missing, [], "comments answered before the backup began are in it")
    late = [c[0] for c in after if c[0] in texts]
    t.eq(late, [], "comments sent after the backup ended are not in it")
    sources = {x[0] for x in rows(restored, "SELECT source FROM version")}
    done = [i[0] for i in load.imports if i[2] < began]
    t.ok(done, "imports finished before the backup began")
    t.eq([s for s in done if s not in sources], [], "versions imported before the backup began are in it")
    t.eq([i[0] for i in load.imports if i[1] > ended and i[0] in sources], [],
         "versions imported after the backup ended are not in it")
    # The audit log of the restored copy matches its rows: one comment.add per comment.
    n_audit = rows(restored, "SELECT count(*) FROM audit WHERE action = 'comment.add'")[0][0]
    t.eq(n_audit, len(texts), "one audit row per comment in the copy")
    return backup


def damaged_copy(backup, name):
    """A copy of backup with an original listing removed and an audit row whose JSON is cut."""
    path = os.path.join(WORK, name)
    shutil.copyfile(backup, path)
    con = sqlite3.connect(path)
    con.execute("DELETE FROM version_program WHERE (version_id, program_id) ="
                " (SELECT version_id, program_id FROM version_program ORDER BY version_id, program_id LIMIT 1)")
    con.execute("INSERT INTO audit (at, login, address, action, target, before, after)"
                " VALUES ('2026-01-01T00:00:00.000Z', '', '', 'test.cut', 'x', NULL, '{\"text\": \"途中')")
    con.commit()
    con.close()
    return path


def refusals(t, backup):
    live = sha256(DB)
    bad = damaged_copy(backup, "damaged.db")
    r = cli("check", db=bad, check=False)
    out = r.stdout.decode()
    t.eq(r.returncode, 65, "check of a damaged copy: exit 65")
    t.ok("元の掲載が 0 件" in out, f"check names the missing original listing: {out[:500]!r}")
    t.ok("監査ログ" in out and "after が JSON として読めません" in out, f"check names the cut audit JSON: {out[:500]!r}")
    t.ok("件あります" in r.stderr.decode(), f"check says how many: {r.stderr.decode()!r}")

    junk = os.path.join(WORK, "junk.db")
    with open(junk, "wb") as f:
        f.write("これはデータベースではありません\n".encode() * 200)
    truncated = os.path.join(WORK, "truncated.db")
    with open(backup, "rb") as f:
        data = f.read()
    with open(truncated, "wb") as f:
        f.write(data[: len(data) // 2])
    newer = os.path.join(WORK, "newer.db")
    shutil.copyfile(backup, newer)
    con = sqlite3.connect(newer)
    con.execute("PRAGMA user_version = 99")
    con.close()
    plain = os.path.join(WORK, "plain.db")
    con = sqlite3.connect(plain)
    con.execute("CREATE TABLE t (x)")
    con.close()
    cases = [(junk, "SQLite のデータベースとして読めません"), (truncated, "junk"), (newer, "sasae を更新"),
             (plain, "sasae のデータベースではありません"), (bad, "問題が"),
             (os.path.join(WORK, "none.db"), "控えがありません")]
    for path, words in cases:
        r = cli("restore", path, check=False)
        err = r.stderr.decode()
        want = 66 if path.endswith("none.db") else 65
        t.eq(r.returncode, want, f"restore {os.path.basename(path)}: exit status ({err.strip()})")
        if words != "junk":
            t.ok(words in err and os.path.basename(path) in err, f"restore {os.path.basename(path)}: message {err!r}")
        else:
            t.ok(os.path.basename(path) in err and err.strip(), f"restore truncated: message {err!r}")
        t.eq(sha256(DB), live, f"restore {os.path.basename(path)} left the database's bytes as they were")
    t.ok(not [f for f in os.listdir(WORK) if ".tmp-" in f], f"no temporary file left: {os.listdir(WORK)}")

    r = cli("backup", backup, check=False)
    t.eq(r.returncode, 65, "backup onto an existing file without --force: exit 65")
    t.ok("--force" in r.stderr.decode(), f"the message names --force: {r.stderr.decode()!r}")
    r = cli("backup", backup, "--force", check=False)
    t.eq(r.returncode, 0, f"backup --force: {r.stderr.decode()}")


def restore_over_live(t, backup):
    want = rows(backup, "SELECT count(*) FROM comment")[0][0]
    cli("import", os.path.join(SRC, "data/sendai-2024-draft.txt"), "--plan", "another-plan", "--quiet")
    r = cli("restore", backup, check=False)
    t.eq(r.returncode, 0, f"restore over the database: {r.stderr.decode()}")
    t.eq(rows(DB, "SELECT count(*) FROM comment")[0][0], want, "the database holds the backup's comments")
    t.eq(rows(DB, "SELECT count(*) FROM plan WHERE slug = 'another-plan'")[0][0], 0,
         "a plan imported after the backup is gone")
    t.eq(cli("check", check=False).returncode, 0, "sasae check after the restore")


def monitoring(t):
    """/healthz and /metrics over a real server: fields, route patterns, never a query or an id."""
    import re
    import urllib.parse
    srv = th.Server(BINARY, DB, WORK, "monitor", ["--threads", "2"]).wait_ready()
    th.S = srv  # th.http logs API answers against th.S
    try:
        r = th.http("GET", "/healthz", port=srv.port)
        t.eq((r.status, r.text), (200, "ok\n"), "/healthz")
        t.ok("no-store" in (r.h("Cache-Control") or ""), f"/healthz Cache-Control {r.h('Cache-Control')!r}")
        secret = "秘密の相談"
        q = urllib.parse.quote(secret)
        for path in (f"/search?q={q}", f"/api/v1/search?q={q}", "/programs/p0001", "/programs/p0002",
                     "/no-such-page-xyz"):
            th.http("GET", path, port=srv.port)
        r = th.http("GET", "/metrics", port=srv.port)
        body = r.text
        t.eq(r.status, 200, "/metrics status")
        t.eq(r.ctype, "text/plain; version=0.0.4; charset=utf-8", "/metrics Content-Type")
        for needle in (secret, q, q.lower(), "p0001", "p0002", "no-such-page", "q="):
            t.ok(needle not in body, f"/metrics holds {needle!r}")
        sample = re.compile(r'^[a-z_]+(\{[a-z_]+="[^"\n]*"(,[a-z_]+="[^"\n]*")*\})? [0-9.e+-]+$')
        bad = [ln for ln in body.splitlines() if ln and not ln.startswith("# ") and not sample.match(ln)]
        t.eq(bad, [], "every sample line is in the exposition format")
        values = {}
        for ln in body.splitlines():
            if ln and not ln.startswith("#"):
                k, v = ln.rsplit(" ", 1)
                values[k] = float(v)
        t.eq(values.get('sasae_http_requests_total{route="/search",method="GET",code="2xx"}'), 1.0, "/search counted")
        t.eq(values.get('sasae_http_requests_total{route="/programs/{id}",method="GET",code="2xx"}'), 2.0,
             "/programs/{id} counted once per program page")
        t.eq(values.get('sasae_http_requests_total{route="/healthz",method="GET",code="2xx"}'), 1.0, "/healthz counted")
        t.eq(values.get('sasae_http_requests_total{route="(none)",method="",code="4xx"}'), 1.0, "the 404 counted")
        total = sum(v for k, v in values.items() if k.startswith("sasae_http_requests_total"))
        t.eq(values.get("sasae_http_request_duration_seconds_count"), total, "histogram count = requests")
        t.eq(values.get('sasae_http_request_duration_seconds_bucket{le="+Inf"}'), total, "+Inf bucket = count")
        buckets = [v for k, v in values.items() if k.startswith("sasae_http_request_duration_seconds_bucket")]
        t.ok(buckets == sorted(buckets) and len(buckets) == 12, f"buckets cumulative: {buckets}")
        t.ok(values.get("sasae_http_requests_in_flight", 0) >= 1, "in flight counts this request")
        t.ok(0 < values.get("sasae_uptime_seconds", 0) < 600, "uptime")
        t.eq(values.get('sasae_database_bytes{file="main"}'), float(os.path.getsize(DB)), "database size")
        t.ok(any(k.startswith("sasae_build_info{version=") for k in values), "build info")
    finally:
        rc = srv.stop()
    t.eq(rc, 0, "monitor server exit status")
    t.ok(not any(m in srv.stderr() for m in th.SANITIZER_MARKS), "monitor server: sanitizer report")
    r = cli("serve", "--metrics-from", "not-an-address", check=False)
    t.eq(r.returncode, 2, "serve --metrics-from with a bad address: exit 2")
    t.ok("--metrics-from" in r.stderr.decode(), f"its message: {r.stderr.decode()!r}")


def limits(t):
    """libmicrohttpd's limits from `sasae serve`: a few hundred idle and slow (slowloris) connections
    do not keep a normal request from its answer; --connection-timeout closes them; an address over
    --per-ip-connections is turned away while others are answered."""
    import socket
    srv = th.Server(BINARY, DB, WORK, "limits", ["--threads", "2", "--max-connections", "1000",
                                                 "--connection-timeout", "3", "--quiet"]).wait_ready()
    th.S = srv
    held = []
    try:
        for i in range(300):
            c = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
            if i % 2:  # slow: a request whose headers never end
                c.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n")
            held.append(c)
        t0 = time.monotonic()
        r = th.http("GET", "/programs/p0001", port=srv.port, timeout=30)
        took = time.monotonic() - t0
        t.eq(r.status, 200, "a normal request among 300 idle and slow connections")
        t.ok(took < 10, f"answered within a generous bound (took {took:.2f}s)")
        time.sleep(5)  # past --connection-timeout 3
        closed = 0
        for c in held[:20]:
            try:
                c.settimeout(5)
                closed += c.recv(1024) == b""
            except OSError:
                closed += 1
        t.eq(closed, 20, "idle and slow connections closed after --connection-timeout")
        t.eq(th.http("GET", "/healthz", port=srv.port).status, 200, "still answering")
    finally:
        for c in held:
            c.close()
        rc = srv.stop()
    t.eq(rc, 0, "limits server exit status")

    srv = th.Server(BINARY, DB, WORK, "per-ip", ["--threads", "2", "--per-ip-connections", "5", "--quiet"]).wait_ready()
    th.S = srv
    held = []
    try:
        for _ in range(5):
            held.append(socket.create_connection(("127.0.0.1", srv.port), timeout=10))
        extra = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        refused = False
        try:
            extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            refused = extra.recv(1024) == b""
        except OSError:
            refused = True
        extra.close()
        t.ok(refused, "a sixth connection from the same address is closed unanswered")
        held.pop().close()
        time.sleep(0.3)
        t.eq(th.http("GET", "/healthz", port=srv.port).status, 200, "answered again once under the limit")
    finally:
        for c in held:
            c.close()
        rc = srv.stop()
    t.eq(rc, 0, "per-ip server exit status")


def main():
    global BINARY, SRC, WORK, DB
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary")
    ap.add_argument("source_dir")
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    BINARY = os.path.abspath(args.binary)
    SRC = os.path.abspath(args.source_dir)
    WORK = tempfile.mkdtemp(prefix="sasae-ops-")
    DB = os.path.join(WORK, "plan.db")
    tw.BINARY, tw.DB = BINARY, DB
    cli("import", "--sample", "--quiet")
    subprocess.run([BINARY, "--db", DB, "user", "add", "office1"], input=(tw.PASSWORD["office1"] + "\n").encode(),
                   check=True, capture_output=True, timeout=60)
    cli("user", "role", "office1", "--grant", "office")
    failed = 0
    srv = th.Server(BINARY, DB, WORK, "ops", ["--threads", "2"]).wait_ready()
    steps = []
    try:
        t = th.Check("backup under load restores to a sound database with every earlier write")
        backup = backup_under_load(t, srv)
        steps.append(t)
        rc = srv.stop()
        t.eq(rc, 0, "serve exit status")
        t.ok(not any(m in srv.stderr() for m in th.SANITIZER_MARKS), "serve: sanitizer report")
        t = th.Check("check names problems; restore refuses bad files and leaves the database as it was")
        refusals(t, backup)
        steps.append(t)
        t = th.Check("restore replaces the current database")
        restore_over_live(t, backup)
        steps.append(t)
        t = th.Check("/healthz and /metrics")
        monitoring(t)
        steps.append(t)
        t = th.Check("connection limits and timeouts")
        limits(t)
        steps.append(t)
    except Exception as e:  # noqa: BLE001
        t.problems.append(f"exception: {type(e).__name__}: {e}")
        if t not in steps:
            steps.append(t)
    finally:
        if srv.proc.poll() is None:
            srv.proc.kill()
    for t in steps:
        if t.problems:
            failed += 1
            print(f"FAIL {t.name}")
            for p in t.problems[:15]:
                print(f"    {p}")
        elif args.v:
            print(f"ok   {t.name}")
    if failed == 0:
        shutil.rmtree(WORK, ignore_errors=True)
    else:
        print(f"(files kept in {WORK})")
    print(f"{len(steps) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
