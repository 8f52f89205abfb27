/*
 * audit_page.c — the audit log in the workspace (/office/audit: the office and the administrator):
 * every change and sign-in the core recorded (include/core/sasae/accounts.h, sasae_audit_list),
 * newest first, filtered by user, target (a program, a plan, a file, …), action and dates, in
 * pages; the same selection as CSV (/office/audit.csv, UTF-8 with BOM for Excel) and JSON
 * (/office/audit.json).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/escape.h"
#include "page.h"
#include "pages.h"

enum {
	PER_PAGE = 50,
	SHOWN_CHARS = 200, /* characters of a before/after value shown in the table */
	MAX_FILTER = 200,  /* bytes of a filter value */
};

/* The filter of the request, checked. */
typedef struct audit_query {
	sasae_audit_filter f;
	int page;
	const char *field;   /* the field whose value is wrong, or NULL */
	const char *message; /* what to change */
} audit_query;

/* Whether s is an ISO date "YYYY-MM-DD" or a timestamp "YYYY-MM-DDTHH:MM[:SS[.fff]][Z]". */
static bool iso_time(const char *s)
{
	static const char date[] = "dddd-dd-dd", clock[] = "Tdd:dd";
	size_t i = 0;
	for (; date[i]; i++)
		if (date[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != date[i])
			return false;
	if (s[i] == '\0')
		return true;
	for (size_t j = 0; clock[j]; j++, i++)
		if (clock[j] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != clock[j])
			return false;
	if (s[i] == ':') {
		if (!(s[i + 1] >= '0' && s[i + 1] <= '9' && s[i + 2] >= '0' && s[i + 2] <= '9'))
			return false;
		i += 3;
		if (s[i] == '.') {
			size_t k = ++i;
			while (s[i] >= '0' && s[i] <= '9')
				i++;
			if (i == k || i - k > 6)
				return false;
		}
	}
	if (s[i] == 'Z')
		i++;
	return s[i] == '\0';
}

/* A parameter, or NULL when absent or empty. */
static const char *param(const web_ctx *c, const char *name)
{
	const char *v = web_param(c, name);
	return v && *v ? v : NULL;
}

static bool audit_query_read(web_ctx *c, audit_query *q)
{
	*q = (audit_query){.page = 1};
	q->f.login = param(c, "login");
	q->f.target = param(c, "target");
	q->f.action = param(c, "action");
	q->f.since = param(c, "since");
	q->f.until = param(c, "until");
	const char *names[] = {"login", "target", "action"};
	const char *values[] = {q->f.login, q->f.target, q->f.action};
	for (int i = 0; i < 3; i++)
		if (values[i] && strlen(values[i]) > MAX_FILTER) {
			q->field = names[i];
			q->message = "200 バイト以内にしてください。";
			return false;
		}
	if (q->f.since && !iso_time(q->f.since)) {
		q->field = "since";
		q->message =
			"「いつから」は 2026-04-01 のような日付（または 2026-04-01T09:00 のような日時）にしてください。";
		return false;
	}
	if (q->f.until && !iso_time(q->f.until)) {
		q->field = "until";
		q->message =
			"「いつまで」は 2026-04-30 のような日付（または 2026-04-30T17:00 のような日時）にしてください。";
		return false;
	}
	const char *p = param(c, "page");
	if (p && (q->page = (int)web_parse_num(p)) < 1) {
		q->field = "page";
		q->page = 1;
		q->message = "ページ（page）は 1 以上の整数にしてください。";
		return false;
	}
	return true;
}

/* The filter as a query string ("login=…&target=…"; percent-encoded), without the page. */
static void query_string(sasae_buf *b, const audit_query *q)
{
	const char *names[] = {"login", "target", "action", "since", "until"};
	const char *values[] = {q->f.login, q->f.target, q->f.action, q->f.since, q->f.until};
	for (int i = 0; i < 5; i++)
		if (values[i]) {
			if (b->len)
				sasae_buf_putc(b, '&');
			sasae_buf_puts(b, names[i]);
			sasae_buf_putc(b, '=');
			sasae_url_encode(b, values[i], strlen(values[i]));
		}
}

/* s cut to SHOWN_CHARS characters (UTF-8), with "…" when cut (malloc'd). */
static char *shorten(const char *s)
{
	size_t i = 0, chars = 0;
	while (s[i] && chars < SHOWN_CHARS) {
		i++;
		while (((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		chars++;
	}
	char *out = malloc(i + 4);
	if (out) {
		memcpy(out, s, i);
		strcpy(out + i, s[i] ? "…" : "");
	}
	return out;
}

/* The entries of q (all of them when all; else q's page).  Returns 0 or a core error (answered). */
static int entries(web_ctx *c, const audit_query *q, bool all, sasae_audit_entry **e, size_t *n, size_t *total)
{
	sasae_store *s = web_ws_store(c);
	if (s == NULL)
		return -1;
	sasae_audit_filter f = q->f;
	f.limit = all ? 0 : PER_PAGE;
	f.offset = all ? 0 : (q->page - 1) * PER_PAGE;
	sasae_error err = {0};
	int rc = sasae_audit_list(s, &f, e, n, total, &err);
	if (rc)
		web_core_fail(c, rc, &err);
	return rc;
}

void web_office_audit(web_ctx *c)
{
	audit_query q;
	bool ok = audit_query_read(c, &q);
	sasae_audit_entry *e = NULL;
	size_t n = 0, total = 0;
	if (ok && entries(c, &q, false, &e, &n, &total))
		return;
	json_t *rows = json_array();
	for (size_t i = 0; i < n; i++) {
		char *before = e[i].before ? shorten(e[i].before) : NULL;
		char *after = e[i].after ? shorten(e[i].after) : NULL;
		json_array_append_new(rows,
				      json_pack("{s:s, s:s, s:b, s:s, s:s, s:s, s:s?, s:s?}", "at", e[i].at,
						"login", e[i].login, "operator", e[i].login[0] == '\0',
						"address", e[i].address, "action", e[i].action, "target",
						e[i].target, "before", before, "after", after));
		free(before);
		free(after);
	}
	sasae_audit_free(e, n);
	sasae_buf qs = SASAE_BUF_INIT;
	query_string(&qs, &q);
	size_t pages = (total + PER_PAGE - 1) / PER_PAGE;
	json_t *page = web_ws_page(c);
	json_object_set_new(page, "rows", rows);
	json_object_set_new(page, "total", json_integer((json_int_t)total));
	json_object_set_new(page, "page", json_integer(q.page));
	json_object_set_new(page, "pages", json_integer((json_int_t)pages));
	json_object_set_new(page, "prev", q.page > 1 ? json_integer(q.page - 1) : json_null());
	json_object_set_new(page, "next", (size_t)q.page < pages ? json_integer(q.page + 1) : json_null());
	json_object_set_new(page, "query", json_string(sasae_buf_ok(&qs) && qs.data ? qs.data : ""));
	json_object_set_new(page, "filter",
			    json_pack("{s:s, s:s, s:s, s:s, s:s}", "login", q.f.login ? q.f.login : "",
				      "target", q.f.target ? q.f.target : "", "action",
				      q.f.action ? q.f.action : "", "since", q.f.since ? q.f.since : "",
				      "until", q.f.until ? q.f.until : ""));
	json_t *errors = json_object();
	if (!ok)
		json_object_set_new(errors, q.field, json_string(q.message));
	json_object_set_new(page, "errors", errors);
	json_object_set_new(page, "invalid", json_boolean(!ok));
	sasae_buf_free(&qs);
	web_render(c, ok ? 200 : 400, "office_audit", page, "監査記録");
}

void web_office_audit_csv(web_ctx *c)
{
	audit_query q;
	if (!audit_query_read(c, &q)) {
		web_fail(c, 400, "bad-parameter", "パラメータが正しくありません", q.message);
		return;
	}
	sasae_audit_entry *e = NULL;
	size_t n = 0, total = 0;
	if (entries(c, &q, true, &e, &n, &total))
		return;
	sasae_buf b = SASAE_BUF_INIT;
	sasae_audit_csv(&b, e, n, true);
	sasae_audit_free(e, n);
	if (!sasae_buf_ok(&b)) {
		sasae_buf_free(&b);
		web_fail(c, 500, "internal", "内部エラー", "メモリが足りません。");
		return;
	}
	sasae_buf_clear(&c->res->body);
	sasae_buf_append(&c->res->body, b.data, b.len);
	sasae_buf_free(&b);
	c->res->status = 200;
	c->res->content_type = "text/csv; charset=utf-8";
	sasae_http_header(c->res, "Content-Disposition", "attachment; filename=\"audit.csv\"");
}

void web_office_audit_json(web_ctx *c)
{
	audit_query q;
	if (!audit_query_read(c, &q)) {
		web_fail(c, 400, "bad-parameter", "パラメータが正しくありません", q.message);
		return;
	}
	sasae_audit_entry *e = NULL;
	size_t n = 0, total = 0;
	if (entries(c, &q, true, &e, &n, &total))
		return;
	json_t *list = sasae_audit_json(e, n);
	sasae_audit_free(e, n);
	json_t *doc = json_pack("{s:{s:s?, s:s?, s:s?, s:s?, s:s?}, s:I, s:o}", "filter", "login", q.f.login,
				"target", q.f.target, "action", q.f.action, "since", q.f.since, "until",
				q.f.until, "total", (json_int_t)total, "entries", list);
	/* not web_send_json: that one allows any origin (the public API); this is the workspace's data */
	char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	if (text == NULL) {
		web_fail(c, 500, "internal", "内部エラー", "メモリが足りません。");
		return;
	}
	sasae_buf_clear(&c->res->body);
	sasae_buf_puts(&c->res->body, text);
	sasae_buf_putc(&c->res->body, '\n');
	free(text);
	c->res->status = 200;
	c->res->content_type = "application/json";
	sasae_http_header(c->res, "Content-Disposition", "attachment; filename=\"audit.json\"");
}
