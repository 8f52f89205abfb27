/*
 * pages.h — the route handlers of the page files of src/web, for the route table in app.c, and the
 * needs finder's set-up (finder_page.c).  Each handler answers one request (web_ctx, page.h); the
 * route's {parameters} are in c->req->args.  Not a public header: only src/web/ includes it.
 */
#ifndef SASAE_WEB_PAGES_H
#define SASAE_WEB_PAGES_H

#include "page.h"

/* plan_pages.c: /, /parts/{n}, /parts/{n}/sections/{m}, /programs/{id}, /departments[/{name}], and
   the same under /api/v1/ (JSON); /api/v1/plans, /api/v1/parts, /api/v1/programs. */
void web_page_home(web_ctx *c);
void web_page_part(web_ctx *c);
void web_page_section(web_ctx *c);
void web_page_program(web_ctx *c);
void web_page_departments(web_ctx *c);
void web_page_department(web_ctx *c);
void web_api_plans(web_ctx *c);
void web_api_parts(web_ctx *c);
void web_api_programs(web_ctx *c);

/* search_page.c: /search and /api/v1/search. */
void web_page_search(web_ctx *c);

/* data_pages.c: /data (every download with what it is for, format, size, licence and date),
   /data/catalog.json (the same as a DCAT catalogue), /data/{file} (the downloads of downloads.h),
   /assets/{file}, /api/v1/openapi.json. */
void web_page_data(web_ctx *c);
/* ops_pages.c: /healthz (the store answers: 200 "ok", else 503) and /metrics (Prometheus text). */
void web_page_healthz(web_ctx *c);
void web_page_metrics(web_ctx *c);
/* Count one answered request for /metrics: its route (NULL: the router's own answer), status and
   time taken. */
void web_metrics_record(web_metrics *m, size_t route, int status, const struct timespec *start);
/* app.c: the route table (for /metrics' labels). */
const sasae_http_route *web_route_table(size_t *n);
void web_data_catalog(web_ctx *c);
void web_data_file(web_ctx *c);
void web_asset(web_ctx *c);
void web_api_openapi(web_ctx *c);

/* auth.c: signing in and out (docs/security.md). */
void web_page_login(web_ctx *c);
void web_login_post(web_ctx *c);
void web_logout(web_ctx *c);
void web_page_password(web_ctx *c);
void web_password_post(web_ctx *c);

/* office_pages.c: the workspace's home, publishing, a version's part titles, the data files. */
void web_office_home(web_ctx *c);
void web_office_publish(web_ctx *c);
void web_office_version(web_ctx *c);
void web_part_title(web_ctx *c);
void web_office_files(web_ctx *c);
void web_office_file(web_ctx *c);
void web_office_file_post(web_ctx *c);

/* lint_pages.c: the check with the office's decisions (/office/lint…), and /api/v1/lint. */
void web_office_lint(web_ctx *c);
void web_lint_triage(web_ctx *c);
void web_lint_decisions_csv(web_ctx *c);
void web_lint_accept_file(web_ctx *c);
void web_api_lint(web_ctx *c);

/* program_pages.c: a program's tag overrides and the comments. */
void web_program_tags_page(web_ctx *c);
void web_program_tags_post(web_ctx *c);
void web_comment_post(web_ctx *c);

/* progress_pages.c: yearly progress management (/office/progress…). */
void web_office_progress(web_ctx *c);
void web_office_progress_sheet(web_ctx *c);
void web_office_progress_save(web_ctx *c);
void web_office_progress_act(web_ctx *c);
void web_office_progress_comment(web_ctx *c);
/* progress_report.c: the council's packet of a year. */
void web_office_progress_report(web_ctx *c);

/* audit_page.c: the audit log. */
void web_office_audit(web_ctx *c);
void web_office_audit_csv(web_ctx *c);
void web_office_audit_json(web_ctx *c);

/* diff_page.c: two versions side by side. */
void web_office_diff(web_ctx *c);

/* diff_view.c: what `sasae diff OLD NEW` reports, as an accessible HTML fragment (docs/diff.md, "On
   the web").  Compares old_plan with new_plan (sasae_diff_plans, default threshold) and appends to
   out: a heading and a table of the count per kind (追加, 削除, 名称変更, 掲載箇所の変更, 概要の変更,
   担当局等の変更), then per kind with entries a section (h2) with one table per change: a caption
   with the kind in words and the program's name, one row per field (事業名, 掲載, 担当局等, 概要 …)
   and the columns 旧 / 新; character changes of names and summaries as <del>/<ins> (with hidden
   words for screen readers); identical plans give 「違いはありません。」.  old_label/new_label name
   the two sides ("第1版（2024-05-01 取り込み）"; NULL: the plan's slug and version or source).
   Every value is HTML-escaped (the template engine); the fragment's ids start with "diff-".
   The plans are only read.  Returns 0, SASAE_ENOMEM, SASAE_EDATA (a template error: a bug). */
int web_render_diff(sasae_buf *out, const sasae_plan *old_plan, const char *old_label,
		    const sasae_plan *new_plan, const char *new_label, sasae_error *err);

/* finder_page.c: the needs finder's pages and API (docs/web.md, "Finder pages"). */
typedef struct web_finder web_finder;

/* Open the database at db_path read-only (kept open: the finder borrows its variant table), load
   the finder's data files and tag plan (borrowed; must outlive it).  *out is new (free with
   web_finder_free).  Returns 0, SASAE_EDB, SASAE_EDATA, SASAE_ENOMEM. */
int web_finder_new(web_finder **out, const char *db_path, const sasae_plan *plan, sasae_error *err);
void web_finder_free(web_finder *f);
/* Set the site's public address (checked and copied; see sasae_web_set_public_url).  Returns 0,
   SASAE_EUSAGE, SASAE_ENOMEM. */
int web_finder_set_public_url(web_finder *f, const char *url, sasae_error *err);
/* The public address set (without a trailing '/'), or NULL (borrowed). */
const char *web_finder_public_url(const web_finder *f);

/* GET /finder, /finder/print, /api/v1/finder, /api/v1/tags. */
void web_finder_page(web_ctx *c);
void web_finder_print(web_ctx *c);
void web_api_finder(web_ctx *c);
void web_api_tags(web_ctx *c);

/* A program's tags for its page: [{"tag", "label", "plain", "facet"}] (new reference; an empty
   array when there is no finder). */
json_t *web_finder_program_tags(const web_ctx *c, const sasae_program *p);
/* A program's tags with why it has each: {"tags": [{"tag", "label", "plain", "evidence",
   "override"}], "kind": {…} or null} (new reference). */
json_t *web_finder_program_reasons(const web_ctx *c, const sasae_program *p);
/* The vocabulary: [{"tag", "label", "plain"}] (new reference). */
json_t *web_finder_terms(const web_ctx *c);

/* lint_pages.c, for comments on a finding (program_pages.c): the lint page again with the comment
   form's error (400), or the redirect after the comment. */
void web_lint_comment_failed(web_ctx *c, const char *view, const char *kind, const char *place,
			     const char *text, const char *message);
void web_lint_comment_done(web_ctx *c, const char *view, const char *back, const char *kind, const char *place);

#endif
