#!/usr/bin/env python3
"""Crash consistency (issue 16): real processes killed with SIGKILL at random points, and a full disk.

Kills (100 by default, spread across the kinds; the seed is printed so a failure can be replayed):

  - import:       `sasae import` of the bundled plan under a new slug, again and again, killed at a
                  random moment
  - reindex:      `sasae reindex`, killed at a random moment
  - tags --load:  `sasae tags --load DIR` alternating two tag-override files, killed at a random moment
  - web writes:   a running `sasae serve` with a signed-in office member posting tag overrides,
                  lint triage decisions and new sign-ins from two threads, the server killed at a
                  random moment

After every kill: `sasae check` exits 0 (integrity_check, foreign keys, sasae's invariants) and every
write acknowledged before the kill is there (an import that exited 0: its plan; a tags --load that
exited 0: its file.set audit row; a web write answered 303: its audit row, found by its reason, and
a sign-in answered 303: its session.login row).

Disk full: the database on a small tmpfs (mounted here; when mounting is not allowed the test says
so and fails rather than pretending) filled up to the last few KiB, then
  - `sasae import` → a non-zero exit, a Japanese message saying the disk is full, the database's
    content unchanged (`sasae check`, same plans, same audit rows)
  - a web write through the running server → an error page (5xx), the server still serving pages,
    and after space is freed the same write succeeds

Usage: test_crash.py SASAE_BINARY SOURCE_DIR [--kills N] [--seed S] [-v]
"""
import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "http"))
import test_http as th  # noqa: E402
import test_workspace as tw  # noqa: E402  (Browser, PASSWORD)

BINARY = SRC = WORK = None
RNG = random.Random()


def cli(db, *args, stdin=None, timeout=300):
    env = dict(os.environ)
    env.pop("SASAE_DB", None)
    return subprocess.run([BINARY, "--db", db, *args], input=stdin, capture_output=True, env=env, timeout=timeout)


def spawn(db, *args):
    env = dict(os.environ)
    env.pop("SASAE_DB", None)
    return subprocess.Popen([BINARY, "--db", db, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env=env)


def base_db(path):
    assert cli(path, "import", "--sample", "--quiet").returncode == 0
    r = cli(path, "user", "add", "office1", stdin=(tw.PASSWORD["office1"] + "\n").encode())
    assert r.returncode == 0, r.stderr
    assert cli(path, "user", "role", "office1", "--grant", "office").returncode == 0
    return path


def checked(t, db, what):
    r = cli(db, "check")
    t.eq(r.returncode, 0, f"{what}: sasae check: {r.stdout.decode()[:400]} {r.stderr.decode()[:300]}")


def audit_after(db, action):
    con = sqlite3.connect(db)
    rows = [a or "" for (a,) in con.execute("SELECT after FROM audit WHERE action = ?", (action,))]
    con.close()
    return rows


def count(db, sql, *args):
    con = sqlite3.connect(db)
    n = con.execute(sql, args).fetchone()[0]
    con.close()
    return n


def kill_cli_loop(t, db, kills, make_args, duration, what, acked_present):
    """Run the command made by make_args(i) again and again, killing one run at a random moment
    within about its usual duration, `kills` times; after each kill check the database and that
    every acknowledged run's write is there."""
    i = 0
    acked = []
    for k in range(kills):
        # a few runs that finish (acknowledged), then one that is killed
        for _ in range(RNG.randint(0, 1)):
            args = make_args(i)
            r = cli(db, *args)
            t.eq(r.returncode, 0, f"{what} {i}: {r.stderr.decode()[:300]}")
            if r.returncode == 0:
                acked.append(i)
            i += 1
        p = spawn(db, *make_args(i))
        time.sleep(RNG.uniform(0, duration))
        p.send_signal(signal.SIGKILL)
        _, err = p.communicate()
        if p.returncode == 0:  # it finished before the kill: acknowledged
            acked.append(i)
        i += 1
        checked(t, db, f"{what} kill {k}")
        missing = [a for a in acked if not acked_present(a, acked)]
        t.ok(not missing, f"{what} kill {k}: acknowledged writes missing: {missing[:5]}")
        if t.problems:
            return


def timed(db, *args):
    t0 = time.time()
    r = cli(db, *args)
    assert r.returncode == 0, r.stderr
    return time.time() - t0


def crash_import(t, kills):
    db = base_db(os.path.join(WORK, "import.db"))
    plan = os.path.join(SRC, "data/sendai-2024-draft.txt")
    d = timed(db, "import", plan, "--plan", "warm-0", "--quiet")
    kill_cli_loop(t, db, kills, lambda i: ["import", plan, "--plan", f"crash-{i}", "--quiet"], d * 1.5, "import",
                  lambda i, acked: count(db, "SELECT count(*) FROM plan WHERE slug = ?", f"crash-{i}") == 1)


def crash_reindex(t, kills):
    db = base_db(os.path.join(WORK, "reindex.db"))
    d = timed(db, "reindex")
    kill_cli_loop(t, db, kills, lambda i: ["reindex"], d * 1.5, "reindex", lambda i, acked: True)
    r = cli(db, "search", "認知症")
    t.eq(r.returncode, 0, f"search after the reindex kills: {r.stderr.decode()[:300]}")


def crash_tags(t, kills):
    db = base_db(os.path.join(WORK, "tags.db"))
    con = sqlite3.connect(db)
    names = [n for (n,) in con.execute("SELECT l.name FROM listing l JOIN program g ON g.id = l.program_id "
                                       "GROUP BY g.pid ORDER BY g.pid LIMIT 2")]
    con.close()

    def tags_dir(i):
        # a different file for every run, so every run that commits writes one file.set row
        d = os.path.join(WORK, f"tags-{i}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "tag-overrides.tsv"), "w", encoding="utf-8") as f:
            f.write(f"{names[i % 2]}\t+need:money\t試験 {i}\n")
        return d

    d = timed(db, "tags", "--load", tags_dir(10**6))

    def present(i, acked):
        texts = [json.loads(a).get("text", "") for a in audit_after(db, "file.set") if a]
        return any(f"\t試験 {i}\n" in x for x in texts)

    kill_cli_loop(t, db, kills, lambda i: ["tags", "--load", tags_dir(i)], d * 1.5, "tags --load", present)


def crash_web(t, kills):
    db = base_db(os.path.join(WORK, "web.db"))
    con = sqlite3.connect(db)
    pids = [p for (p,) in con.execute("SELECT pid FROM program ORDER BY pid LIMIT 20")]
    con.close()
    n = 0
    for k in range(kills):
        srv = th.Server(BINARY, db, WORK, f"web-{k}", ["--threads", "2"]).wait_ready()
        b = tw.Browser(srv)
        try:
            b.sign_in("office1")
        except Exception as e:
            t.problems.append(f"web kill {k}: sign-in: {e}")
            srv.proc.kill()
            srv.stop()
            return
        logins_before = len(audit_after(db, "session.login"))
        stop = threading.Event()
        acked_reasons = []
        acked_logins = [0]
        lock = threading.Lock()

        def tags_writer():
            nonlocal n
            while not stop.is_set():
                with lock:
                    n += 1
                    i = n
                pid = pids[i % len(pids)]
                sign = "+" if (i // len(pids)) % 2 == 0 else "-"
                reason = f"crash-web {i}"
                try:
                    r = b.post(f"/office/programs/{pid}/tags", {"changes": f"{sign}need:money", "reason": reason})
                except Exception:
                    return  # the server was killed
                if r.status == 303:
                    acked_reasons.append(reason)

        def login_writer():
            while not stop.is_set():
                other = tw.Browser(srv)
                try:
                    r = other.post("/login", {"login": "office1", "password": tw.PASSWORD["office1"]}, csrf=False)
                except Exception:
                    return
                if r.status == 303:
                    acked_logins[0] += 1

        threads = [threading.Thread(target=tags_writer), threading.Thread(target=login_writer)]
        for x in threads:
            x.start()
        time.sleep(RNG.uniform(0.05, 0.6))
        srv.proc.send_signal(signal.SIGKILL)
        srv.signalled = True
        srv.stop()
        stop.set()
        for x in threads:
            x.join()
        checked(t, db, f"web kill {k}")
        text = "\n".join(audit_after(db, "program.tags"))
        missing = [r for r in acked_reasons if f'"{r}"' not in text]
        t.ok(not missing, f"web kill {k}: tag overrides answered 303 missing: {missing[:5]}")
        logins = len(audit_after(db, "session.login")) - logins_before
        t.ok(logins >= acked_logins[0], f"web kill {k}: {acked_logins[0]} sign-ins answered, {logins} recorded")
        if t.problems:
            return


class Tmpfs:
    def __init__(self, path, size):
        self.path = path
        os.makedirs(path, exist_ok=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", path], capture_output=True)
        self.ok = r.returncode == 0
        self.why = r.stderr.decode().strip()

    def fill(self, leave):
        """Fill the file system up to `leave` bytes (a filler file; removed by free())."""
        st = os.statvfs(self.path)
        room = st.f_bavail * st.f_frsize - leave
        with open(os.path.join(self.path, "filler"), "wb") as f:
            while room > 0:
                chunk = min(room, 1 << 16)
                try:
                    f.write(b"\0" * chunk)
                    f.flush()
                except OSError:
                    break
                room -= chunk

    def free(self):
        try:
            os.unlink(os.path.join(self.path, "filler"))
        except FileNotFoundError:
            pass

    def close(self):
        if self.ok:
            subprocess.run(["umount", self.path], capture_output=True)


def snapshot(db):
    con = sqlite3.connect(db)
    s = (con.execute("SELECT group_concat(slug) FROM (SELECT slug FROM plan ORDER BY slug)").fetchone()[0],
         con.execute("SELECT count(*), max(id) FROM audit").fetchone(),
         con.execute("SELECT count(*) FROM listing").fetchone()[0])
    con.close()
    return s


def disk_full(t):
    fs = Tmpfs(os.path.join(WORK, "small"), "8m")
    if not fs.ok:
        if os.geteuid() != 0:
            t.skipped = f"not root, cannot mount a tmpfs ({fs.why})"
            return
        t.problems.append(f"cannot mount a tmpfs as root ({fs.why}); the disk-full test needs one")
        return
    try:
        db = os.path.join(fs.path, "full.db")
        shutil.copy(base_db(os.path.join(WORK, "full-src.db")), db)
        plan = os.path.join(SRC, "data/sendai-2024-draft.txt")
        before = snapshot(db)
        fs.fill(4096)
        r = cli(db, "import", plan, "--plan", "full-1", "--quiet")
        err = r.stderr.decode()
        t.ok(r.returncode != 0, "import on a full disk fails")
        t.ok("sasae" in err and "ディスクの空き" in err,
             f"import on a full disk: a Japanese message about the disk: {err[:400]}")
        t.ok("Traceback" not in err and "Sanitizer" not in err, f"no crash: {err[-400:]}")
        fs.free()
        t.eq(snapshot(db), before, "import on a full disk: database unchanged")
        checked(t, db, "after the failed import")
        # room to open the database, not to write the import
        fs.fill(160 * 1024)
        r = cli(db, "import", plan, "--plan", "full-2", "--quiet")
        err = r.stderr.decode()
        t.ok(r.returncode != 0, "import that fills the disk fails")
        t.ok("ディスクの空き" in err, f"import that fills the disk: a Japanese message about the disk: {err[:400]}")
        fs.free()
        t.eq(snapshot(db), before, "import that fills the disk: database unchanged")
        checked(t, db, "after the import that filled the disk")

        srv = th.Server(BINARY, db, WORK, "full-web", ["--threads", "2"]).wait_ready()
        try:
            b = tw.Browser(srv)
            b.sign_in("office1")
            con = sqlite3.connect(db)
            pid = con.execute("SELECT pid FROM program ORDER BY pid LIMIT 1").fetchone()[0]
            con.close()
            before = snapshot(db)
            fs.fill(0)
            r = b.post(f"/office/programs/{pid}/tags", {"changes": "+need:money", "reason": "disk full 1"})
            t.ok(r.status >= 500 or r.status in (400, 409, 422, 429, 503),
                 f"web write on a full disk: an error status, not {r.status}")
            t.ok(r.status != 303, "web write on a full disk is not acknowledged")
            t.ok(r.h("X-Content-Type-Options") == "nosniff" and r.h("Content-Security-Policy"),
                 "the error answer has the security headers")
            page = b.get("/")
            t.eq(page.status, 200, "the server still serves pages while the disk is full")
            fs.free()
            t.eq(snapshot(db)[0:1], before[0:1], "web write on a full disk: plans unchanged")
            r = b.post(f"/office/programs/{pid}/tags", {"changes": "+need:money", "reason": "disk full 2"})
            t.eq(r.status, 303, f"after space is freed the write succeeds: {r.text[:200]}")
            t.ok(not any('"disk full 1"' in a for a in audit_after(db, "program.tags")),
                 "the refused write left no audit row")
        finally:
            fs.free()
            t.eq(srv.stop(), 0, "server exit status after the full disk")
        checked(t, db, "after the full-disk web write")
    finally:
        fs.free()
        fs.close()


def main():
    global BINARY, SRC, WORK
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary")
    ap.add_argument("source_dir")
    ap.add_argument("--kills", type=int, default=100)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    BINARY = os.path.abspath(args.binary)
    SRC = os.path.abspath(args.source_dir)
    seed = args.seed if args.seed is not None else int(time.time())
    RNG.seed(seed)
    print(f"seed {seed} (replay: --seed {seed})")
    WORK = tempfile.mkdtemp(prefix="sasae-crash-")
    per = args.kills // 4
    tests = [("kill -9 during import", lambda t: crash_import(t, args.kills - 3 * per)),
             ("kill -9 during reindex", lambda t: crash_reindex(t, per)),
             ("kill -9 during tags --load", lambda t: crash_tags(t, per)),
             ("kill -9 of the server during web writes", lambda t: crash_web(t, per)),
             ("disk full during import and a web write", disk_full)]
    passed = failed = skipped = 0
    for name, fn in tests:
        t = th.Check(name)
        t0 = time.time()
        try:
            fn(t)
        except Exception as e:
            t.problems.append(f"exception: {type(e).__name__}: {e}")
        if t.problems:
            failed += 1
            print(f"FAIL {name} ({len(t.problems)} problems)")
            for p in t.problems[:15]:
                print(f"    {p}")
        elif getattr(t, "skipped", None):
            skipped += 1
            print(f"SKIP {name}: {t.skipped}")
        else:
            passed += 1
            if args.v:
                print(f"ok   {name} ({time.time() - t0:.1f}s)")
    if failed == 0:
        shutil.rmtree(WORK, ignore_errors=True)
    else:
        print(f"(kept {WORK})")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 77 if skipped else 0


if __name__ == "__main__":
    sys.exit(main())
