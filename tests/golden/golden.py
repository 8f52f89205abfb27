#!/usr/bin/env python3
"""golden.py — the CLI's and the web's outputs over a fixed list, recorded or checked.

A characterisation test for refactorings (issue 10, "The house in order"): every command of
commands.txt and every request of urls.txt is run against the real binary (`sasae`, and `sasae
serve` over a loopback socket) on a fresh database holding the bundled Sendai plan and a second
draft made by tests/data/diff-edit.py.  Each output (exit status, stdout, stderr; or status line,
headers and body) is written to one file.  With --record DIR the files are written there (that is
how tests/golden/expected/ was made, from the build before the redesign); with --check DIR they are
compared byte for byte and every difference is printed as a unified diff.

What varies between runs and is not behaviour is masked: the temporary directory (<TMP>), the source
tree (<SRC>), ISO 8601 times (<TIME>) and dates in Japanese (<DATE>), the Date header and the server's
port.

Usage: golden.py SASAE SOURCE_DIR (--record DIR | --check DIR) [--only ID]
Prints "N passed, M failed" and exits 1 when anything differs.
"""
import difflib
import http.client
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TIME_RE = re.compile(rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?")
# the same dates as pages print them for people ("2026年11月24日", /data's last-updated date)
DATE_JA_RE = re.compile("\\d{4}年\\d{1,2}月\\d{1,2}日".encode())
# the sizes /data prints: the XLSX workbook holds its version's import time, so its compressed size
# varies by a few bytes from run to run (unit.http checks every size against the file itself)
SIZE_RE = re.compile("<dt>大きさ</dt><dd>[^<]*</dd>".encode())


def read_list(name):
    """Lines of a list file: id<TAB>fields…; '#' comments and blank lines skipped."""
    out = []
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) < 2:
                sys.exit(f"{name}:{n}: want id<TAB>…")
            out.append((n, fields))
    return out


class Masker:
    def __init__(self, tmp, src, port=None):
        self.pairs = [(os.fsencode(tmp), b"<TMP>"), (os.fsencode(src), b"<SRC>")]
        self.port = port

    def __call__(self, data):
        for a, b in self.pairs:
            data = data.replace(a, b)
        if self.port:
            data = data.replace(b"127.0.0.1:%d" % self.port, b"127.0.0.1:<PORT>")
        data = SIZE_RE.sub("<dt>大きさ</dt><dd><SIZE></dd>".encode(), data)
        return DATE_JA_RE.sub(b"<DATE>", TIME_RE.sub(b"<TIME>", data))


def expand(arg, env):
    for k, v in env.items():
        arg = arg.replace("{" + k + "}", v)
    return arg


def run_commands(sasae, env, mask, outdir, only):
    results = {}
    for n, fields in read_list("commands.txt"):
        cid, args = fields[0], shlex.split(fields[1])
        args = [expand(a, env) for a in args]
        stdin = None
        if len(fields) > 2:
            stdin = expand(fields[2], env).encode()
        p = subprocess.run([sasae] + args, input=stdin, capture_output=True, cwd=env["tmp"],
                           env={**os.environ, "SASAE_DB": env["db"], "LC_ALL": "C.UTF-8"})
        if only and cid != only:
            continue
        results["cli/" + cid] = mask(b"exit: %d\n--- stdout\n%s\n--- stderr\n%s" % (p.returncode, p.stdout, p.stderr))
    return results


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, target, headers):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
    conn.putheader("Host", "127.0.0.1:%d" % port)
    for h in headers:
        k, v = h.split(":", 1)
        conn.putheader(k.strip(), v.strip())
    if method in ("POST", "PUT") and not any(h.lower().startswith("content-length") for h in headers):
        conn.putheader("Content-Length", "0")
    conn.endheaders()
    r = conn.getresponse()
    body = r.read()
    lines = [b"HTTP %d %s" % (r.status, r.reason.encode())]
    for k, v in r.getheaders():
        if k.lower() == "date":
            continue
        lines.append(("%s: %s" % (k, v)).encode("latin-1", "replace"))
    conn.close()
    if TIME_RE.search(body):  # the ETag hashes a body that holds a time: it varies with the time
        lines = [re.sub(rb'^ETag: .*', b'ETag: <ETAG OF A BODY WITH A TIME>', l) for l in lines]
    return b"\n".join(lines) + b"\n\n" + body


def run_urls(sasae, env, outdir, only):
    port = free_port()
    mask = Masker(env["tmp"], env["src"], port)
    log = open(os.path.join(env["tmp"], "serve.log"), "wb")
    srv = subprocess.Popen([sasae, "--db", env["db"], "serve", "--port", str(port), "--threads", "2",
                            "--quiet", "--plan", "sendai-2024-draft@1", "--public-url", "https://sasae.example.jp"],
                           stdout=log, stderr=subprocess.STDOUT, cwd=env["tmp"])
    try:
        deadline = time.time() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if srv.poll() is not None or time.time() > deadline:
                    sys.exit("golden.py: sasae serve did not start: " + open(os.path.join(env["tmp"], "serve.log")).read())
                time.sleep(0.05)
        results = {}
        for n, fields in read_list("urls.txt"):
            uid = fields[0]
            if only and uid != only:
                continue
            method, target = fields[1], fields[2]
            headers = fields[3:]
            results["web/" + uid] = mask(request(port, method, target, headers))
        return results
    finally:
        srv.send_signal(signal.SIGTERM)
        srv.wait(timeout=30)


def main():
    args = sys.argv[1:]
    if len(args) < 4 or args[2] not in ("--record", "--check"):
        sys.exit(__doc__)
    sasae, src, mode, outdir = os.path.abspath(args[0]), os.path.abspath(args[1]), args[2], args[3]
    only = args[args.index("--only") + 1] if "--only" in args else None
    tmp = tempfile.mkdtemp(prefix="sasae-golden-")
    try:
        env = {"tmp": tmp, "src": src, "db": os.path.join(tmp, "golden.db"), "draft2": os.path.join(tmp, "draft2.txt"),
               "plan": os.path.join(src, "data", "sendai-2024-draft.txt")}
        subprocess.run([sys.executable, os.path.join(src, "tests", "data", "diff-edit.py"), env["plan"], env["draft2"]],
                       check=True, capture_output=True)
        results = run_commands(sasae, env, Masker(tmp, src), outdir, only)
        results.update(run_urls(sasae, env, outdir, only))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    passed = failed = 0
    if mode == "--record":
        for key, data in results.items():
            path = os.path.join(outdir, key + ".txt")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
        print(f"recorded {len(results)} outputs in {outdir}")
        return 0
    for key, data in sorted(results.items()):
        path = os.path.join(outdir, key + ".txt")
        try:
            want = open(path, "rb").read()
        except FileNotFoundError:
            print(f"FAIL {key}: no recorded output {path}")
            failed += 1
            continue
        if want == data:
            passed += 1
            continue
        failed += 1
        print(f"FAIL {key}: output differs from {path}")
        diff = difflib.unified_diff(want.decode("utf-8", "replace").splitlines(), data.decode("utf-8", "replace").splitlines(),
                                    "recorded", "now", lineterm="", n=2)
        for i, line in enumerate(diff):
            if i > 60:
                print("  …")
                break
            print("  " + line[:300])
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
