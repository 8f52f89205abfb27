#!/usr/bin/env python3
"""Yearly progress management in the workspace over the real `sasae serve` (docs/progress.md).

A temporary database with the bundled plan; people made by `sasae user` (an office member, an editor
and an approver of 健康福祉局, an editor of 市民局, a council member); the year opened by
`sasae progress open`.  Checked here, over sockets: /office/progress (status by department, days
left), the sheet form with each problem next to its field (400), the route's roles and the CSRF
token (403), the department scope in the core (403 for another department's editor), the workflow
through the POST routes (submit, return with a comment, approve, accept, confirm, publish) with one
audit row per step, council comments, the council's packet (a chart and its table per part), and
the pages `private, no-store`.

The expected figures come from docs/progress.md (the workflow) and the plan (p0009 障害者差別解消の推進,
健康福祉局).

Usage: test_progress.py SASAE_BINARY SOURCE_DIR [-v]
"""
import json
import os
import re
import shutil
import sqlite3
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_http as th  # noqa: E402
import test_workspace as tw  # noqa: E402  (cli, Browser, start, finish)

PEOPLE = (("office1", "office", None), ("editor1", "editor", "健康福祉局"), ("approver1", "approver", "健康福祉局"),
          ("shimin1", "editor", "市民局"), ("council1", "council", None))
PID = "p0009"
SHEET = f"/office/progress/2025/{PID}"


def audit_rows(target):
    return json.loads(tw.cli("audit", "--target", target, "--format", "json").stdout)


def main():
    tw.BINARY = os.path.abspath(sys.argv[1])
    tw.SRC = os.path.abspath(sys.argv[2])
    tw.WORK = tempfile.mkdtemp(prefix="sasae-progress-")
    tw.DB = os.path.join(tw.WORK, "plan.db")
    tw.cli("import", "--sample", "--quiet")
    for login, role, dept in PEOPLE:
        tw.PASSWORD[login] = f"{login} password 2026"
        tw.cli("user", "add", login, stdin=(tw.PASSWORD[login] + "\n").encode())
        tw.cli("user", "role", login, "--grant", role, *(["--department", dept] if dept else []))
    tw.cli("progress", "open", "--year", "2025", "--deadline", "2099-03-31")
    srv = tw.start("progress", ["--threads", "2"])
    t = th.Check("progress")
    try:
        b = {login: tw.Browser(srv) for login, _, _ in PEOPLE}
        for login in b:
            b[login].sign_in(login)
        ed, ap, of, sh, co = b["editor1"], b["approver1"], b["office1"], b["shimin1"], b["council1"]

        # the status page: 健康福祉局's row, days left, private
        r = ed.get("/office/progress")
        t.eq(r.status, 200, "/office/progress")
        t.eq(r.h("Cache-Control"), "private, no-store", "status page private")
        t.ok("2025 年度" in r.text and "提出期限まであと" in r.text, "year and days left")
        t.ok('<th scope="row">健康福祉局</th>' in r.text, "健康福祉局's row")
        t.ok(f'href="{SHEET}"' in r.text, "the editor's sheet is linked")
        r = th.http("GET", "/office/progress", port=srv.port)
        t.ok(r.status in (303, 401), f"signed out: {r.status}")

        # bad values: 400 with each message next to its field, nothing saved
        n0 = len(audit_rows(f"progress:2025:{PID}"))
        r = ed.post(SHEET, {"status": "研修を開いた", "grade": "E", "budget": "たくさん", "ind1_name": "参加者",
                            "ind1_target": "百"})
        t.eq(r.status, 400, "bad values")
        t.ok(re.search(r'id="f-grade"[^>]*aria-invalid="true"', r.text), "grade marked invalid")
        t.ok('id="e-grade">自己評価 は A、B、C、D のどれかにしてください' in r.text, "grade's message")
        t.ok('id="e-budget">予算（千円） は 0〜999,999,999 の整数（千円）にしてください' in r.text, "budget's message")
        t.ok("1 行目の目標値は数にしてください" in r.text, "indicator's message")
        t.ok(">\n研修を開いた</textarea>" in r.text, "what was typed is kept")
        t.eq(len(audit_rows(f"progress:2025:{PID}")), n0, "nothing written")

        # roles and CSRF: the router; the department: the core
        t.eq(ed.post(SHEET, {"status": "x"}, csrf=False).status, 403, "no CSRF token")
        t.eq(co.post(SHEET, {"status": "x"}).status, 403, "council may not edit")
        r = sh.post(SHEET, {"status": "x"})
        t.eq(r.status, 403, "another department's editor")
        t.ok("健康福祉局" in r.text, "the refusal names the department")
        t.eq(sh.get(SHEET).status, 403, "another department's editor may not read it")

        # save, then the workflow
        good = {"status": "研修を 3 回開いた", "grade": "B", "grade_reason": "参加者が目標に届かなかった",
                "direction": "継続", "budget": "1,200", "ind1_name": "研修の参加者", "ind1_unit": "人",
                "ind1_kind": "活動", "ind1_target": "100", "ind1_actual": "80"}
        r = ed.post(SHEET, good)
        t.eq(r.status, 303, "save")
        r = ed.get(SHEET)
        t.ok('value="1200"' in r.text and 'value="研修の参加者"' in r.text, "saved values shown")
        steps = [(ed, "submit", None, 303), (ap, "return", "", 400), (ap, "return", "根拠を書いてください", 303),
                 (ed, "submit", None, 303), (ed, "approve", None, 403), (ap, "approve", None, 303),
                 (of, "confirm", None, 409), (of, "accept", None, 303), (of, "confirm", None, 303),
                 (ed, "publish", None, 403), (of, "publish", None, 303)]
        for who, action, comment, want in steps:
            fields = {"action": action}
            if comment is not None:
                fields["comment"] = comment
            r = who.post(SHEET + "/act", fields)
            t.eq(r.status, want, f"{action} by {[k for k, v in b.items() if v is who][0]}")
            if action == "return" and want == 303:
                page = ed.get(SHEET).text
                t.ok("差し戻しのコメント: 根拠を書いてください" in page, "the return comment shown")
        rows = audit_rows(f"progress:2025:{PID}")
        t.eq([e["action"] for e in reversed(rows)][n0:],
             ["progress.edit", "progress.submit", "progress.return", "progress.submit", "progress.approve",
              "progress.accept", "progress.confirm", "progress.publish"], "one audit row per step")
        t.ok('<span class="badge">公開</span>' in of.get(SHEET).text, "published")

        # council comments
        r = co.post(SHEET + "/comments", {"text": "成果指標を加えてはどうか"})
        t.eq(r.status, 303, "council comment")
        t.ok("成果指標を加えてはどうか" in of.get(SHEET).text, "comment shown")
        t.eq(ed.post(SHEET + "/comments", {"text": "x"}).status, 403, "an editor does not comment here")

        # the council's packet: p0009 (section 1-1, part 1) is the one sheet graded, B
        r = co.get("/office/progress/2025")
        t.eq(r.status, 200, "report")
        t.eq(r.h("Cache-Control"), "private, no-store", "report private")
        t.eq(r.text.count('<svg role="img"'), 6, "one chart per part (6 parts)")
        t.ok('<th scope="row">B 概ね順調</th><td>1</td>' in r.text, "part 1's table: one B")
        t.ok('<th scope="row">A 順調</th><td>0</td>' in r.text, "no A")
        t.ok("<script" not in r.text and "http://" not in r.text.replace('xmlns="http://www.w3.org/2000/svg"', ""),
             "no script, no outside request")
        t.ok("研修の参加者（人）" in r.text, "the detail shows the indicator")
        t.eq(ed.get("/office/progress/2025").status, 403, "an editor does not see the packet")
    finally:
        tw.finish(t, srv)
    con = sqlite3.connect(tw.DB)
    t.eq(con.execute("PRAGMA integrity_check").fetchone()[0], "ok", "SQLite integrity_check")
    con.close()
    if t.problems:
        print(f"FAIL progress ({len(t.problems)} problems)")
        for p in t.problems:
            print(f"    {p}")
        print(f"(logs kept in {tw.WORK})")
        return 1
    shutil.rmtree(tw.WORK, ignore_errors=True)
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
