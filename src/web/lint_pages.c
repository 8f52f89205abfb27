/*
 * lint_pages.c — the consistency check on the web: /office/lint (signed in: the findings of a version
 * with the office's decision about each — 確認済み, 許容 with a reason, 未確認 —, a form to decide
 * (office), comments, a filter by state), its exports (the decisions as CSV; the accepted findings
 * as a `sasae lint --accept` file), and /api/v1/lint (the findings of the served plan as the JSON of
 * the data contract, for anyone: they follow from the public plan).
 *
 * A decision is keyed like a line of an accept file, "kind<TAB>part-section-position"
 * (include/core/sasae/office.h), so that it survives the next draft when the finding is still there.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/escape.h"
#include "sasae/lint.h"
#include "sasae/office.h"
#include "page.h"
#include "pages.h"

void web_api_lint(web_ctx *c)
{
	sasae_error err = {0};
	sasae_lint_findings *f = NULL;
	if (sasae_lint(web_of(c)->plan, &f, &err)) {
		web_fail(c, 500, "internal", "内部エラー", "点検できませんでした。");
		return;
	}
	json_t *j = sasae_lint_json(web_of(c)->plan, f);
	sasae_lint_findings_free(f);
	if (j == NULL)
		web_fail(c, 500, "internal", "内部エラー", "点検の結果を作れませんでした。");
	else
		web_send_json(c, j);
}

/* ---- the plan looked at ---- */

/* The plan of ?plan=SPEC ("slug", "slug@N"; absent or empty: the served one).  *plan is borrowed
   from the site (*owned NULL) or loaded (*owned = *plan, the caller frees it).  Returns 0 or a core
   error (answered). */
static int plan_of(web_ctx *c, sasae_store *s, const char *spec, const sasae_plan **plan, sasae_plan **owned)
{
	*owned = NULL;
	*plan = web_of(c)->plan;
	if (spec == NULL || *spec == '\0')
		return 0;
	sasae_error err = {0};
	int64_t vid = 0;
	int rc = sasae_store_resolve(s, spec, &vid, &err);
	if (rc == 0)
		rc = sasae_store_load_plan(s, vid, owned, &err);
	if (rc) {
		if (rc == SASAE_EUSAGE || rc == SASAE_ENOTFOUND)
			web_fail(c, 404, "not-found", "見つかりません",
				 "その計画・版はありません。作業画面の一覧から選んでください。");
		else
			web_core_fail(c, rc, &err);
		return rc;
	}
	*plan = *owned;
	return 0;
}

/* ---- decisions ---- */

static const char *const state_names[] = {"open", "checked", "accepted"};
static const char *const state_labels[] = {"未確認", "確認済み", "許容"};

/* The state named s ("open", "checked", "accepted"), or -1. */
static int state_parse(const char *s)
{
	for (int i = 0; s && i < 3; i++)
		if (strcmp(s, state_names[i]) == 0)
			return i;
	return -1;
}

/* "part-section-position" of a finding (the accept file's place). */
static void place_of(const sasae_lint_finding *x, char *out, size_t n)
{
	snprintf(out, n, "%d-%d-%d", x->at.part, x->at.section, x->at.position);
}

/* An id for the page: "f-relist-drift-3-2-1" (kinds are [a-z-]; places digits and '-'). */
static void anchor_of(const char *kind, const char *place, char *out, size_t n)
{
	size_t o = 0;
	o += (size_t)snprintf(out, n, "f-");
	for (const char *p = kind; *p && o + 1 < n; p++)
		out[o++] = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ? *p : '-';
	if (o + 1 < n)
		out[o++] = '-';
	for (const char *p = place; *p && o + 1 < n; p++)
		out[o++] = (*p >= '0' && *p <= '9') ? *p : '-';
	out[o] = '\0';
}

static const sasae_triage *triage_find(const sasae_triage *t, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].finding, key) == 0)
			return &t[i];
	return NULL;
}

/* What a failed form left to show again on the page: which finding, which field, the message, what
   was typed. */
typedef struct lint_error {
	const char *kind, *place;
	const char *field; /* "reason" (the decision's form) or "comment" */
	const char *message;
	int state;
	const char *reason, *comment;
} lint_error;

/* The /office/lint page (status 200, or a failed form's 400 with e). */
static void lint_page(web_ctx *c, int status, const char *view, const lint_error *e)
{
	sasae_store *s = web_ws_store(c);
	if (s == NULL)
		return;
	const char *filter = web_param(c, "state");
	int want = filter == NULL || *filter == '\0' || strcmp(filter, "all") == 0 ? -2 : state_parse(filter);
	if (want == -1) {
		web_fail(c, 400, "bad-parameter", "パラメータが正しくありません",
			 "「表示する状態」（state）は all、open、checked、accepted のどれかにしてください。");
		return;
	}
	const sasae_plan *plan;
	sasae_plan *owned;
	if (plan_of(c, s, view, &plan, &owned))
		return;
	sasae_error err = {0};
	sasae_lint_findings *f = NULL;
	sasae_triage *t = NULL;
	size_t nt = 0, ncomments = 0;
	sasae_comment *comments = NULL;
	int rc = sasae_lint(plan, &f, &err);
	if (rc == 0)
		rc = sasae_triage_list(s, plan->slug, &t, &nt, &err);
	if (rc == 0)
		rc = sasae_comment_list(s, NULL, &comments, &ncomments, &err);
	if (rc) {
		sasae_lint_findings_free(f);
		sasae_triages_free(t, nt);
		sasae_plan_free(owned);
		web_core_fail(c, rc, &err);
		return;
	}
	const sasae_user *u = &web_session(c)->user;
	bool can_triage = sasae_user_has(u, SASAE_ROLE_OFFICE);
	bool can_comment = can_triage || sasae_user_has(u, SASAE_ROLE_COUNCIL) ||
			   sasae_user_has(u, SASAE_ROLE_EDITOR) || sasae_user_has(u, SASAE_ROLE_APPROVER);
	bool linkable = plan == web_of(c)->plan; /* the public section pages show this version */
	size_t counts[3] = {0, 0, 0};
	json_t *groups = json_array();
	size_t nkinds;
	const char *const *kinds = sasae_lint_kinds(&nkinds);
	for (size_t k = 0; k < nkinds; k++) {
		json_t *items = json_array(), *last = NULL;
		char last_key[128] = "";
		size_t nfound = 0;
		for (size_t i = 0; i < f->n; i++) {
			const sasae_lint_finding *x = &f->items[i];
			if (strcmp(x->kind, kinds[k]) != 0)
				continue;
			char place[48], key[128], anchor[96], target[140];
			place_of(x, place, sizeof place);
			snprintf(key, sizeof key, "%s\t%s", x->kind, place);
			const sasae_triage *d = triage_find(t, nt, key);
			int state = d ? (int)d->state : SASAE_TRIAGE_OPEN;
			if (state < 0 || state > 2)
				state = SASAE_TRIAGE_OPEN;
			counts[state]++;
			bool here = e && strcmp(e->kind, x->kind) == 0 && strcmp(e->place, place) == 0;
			if (want != -2 && state != want && !here)
				continue;
			nfound++;
			json_t *msg = json_pack("{s:s, s:s?}", "message", x->message, "diff", x->diff);
			if (last && strcmp(key, last_key) == 0) { /* one decision covers every finding of a key
								     (both cells of a relist-drift) */
				json_array_append_new(json_object_get(last, "messages"), msg);
				continue;
			}
			snprintf(last_key, sizeof last_key, "%s", key);
			snprintf(target, sizeof target, "finding:%s", key);
			anchor_of(x->kind, place, anchor, sizeof anchor);
			int shown = here && strcmp(e->field, "reason") == 0 && e->state >= 0 ? e->state : state;
			json_t *notes = json_array();
			for (size_t m = 0; m < ncomments; m++)
				if (strcmp(comments[m].target, target) == 0)
					json_array_append_new(notes,
							      json_pack("{s:s, s:s, s:s}", "name",
									comments[m].display_name &&
											*comments[m].display_name
										? comments[m].display_name
										: comments[m].login,
									"at", comments[m].at, "text",
									comments[m].text));
			json_t *it =
				json_pack("{s:[o], s:s, s:s, s:s?, s:i, s:i, s:i, s:I, s:I, s:s, s:s, s:s, s:s?, s:s?, s:s?, "
					  "s:b, s:b, s:b, s:s?, s:s?, s:s?, s:o, s:b}",
					  "messages", msg, "kind", x->kind, "place", place, "name", x->at.name,
					  "part", x->at.part, "section", x->at.section, "section_index",
					  x->at.section_index, "number", (json_int_t)x->at.number, "line",
					  (json_int_t)x->at.source_line, "anchor", anchor, "state",
					  state_names[state], "state_label", state_labels[state], "reason",
					  d && d->reason && *d->reason ? d->reason : NULL, "decided_by",
					  d ? d->login : NULL, "decided_at", d ? d->at : NULL, "is_open",
					  shown == SASAE_TRIAGE_OPEN, "is_checked",
					  shown == SASAE_TRIAGE_CHECKED, "is_accepted",
					  shown == SASAE_TRIAGE_ACCEPTED, "error",
					  here && strcmp(e->field, "reason") == 0 ? e->message : NULL,
					  "comment_error",
					  here && strcmp(e->field, "comment") == 0 ? e->message : NULL,
					  "comment_typed", here && e->comment ? e->comment : NULL, "comments",
					  notes, "linkable", linkable);
			json_object_set_new(it, "reason_typed",
					    json_string(here && e->reason ? e->reason
							: d && d->reason  ? d->reason
									  : ""));
			if (x->has_other)
				json_object_set_new(it, "other",
						    json_pack("{s:i, s:i, s:i, s:I, s:I}", "part",
							      x->other.part, "section", x->other.section,
							      "section_index", x->other.section_index,
							      "number", (json_int_t)x->other.number, "line",
							      (json_int_t)x->other.source_line));
			else
				json_object_set_new(it, "other", json_null());
			json_array_append_new(items, it);
			last = it;
		}
		if (json_array_size(items))
			json_array_append_new(groups, json_pack("{s:s, s:s, s:I, s:o}", "kind", kinds[k],
								"title", sasae_lint_kind_title(kinds[k]),
								"count", (json_int_t)nfound, "items", items));
		else
			json_decref(items);
	}
	json_t *states = json_array();
	const char *all_names[] = {"all", "open", "checked", "accepted"};
	const char *all_labels[] = {"すべて", "未確認", "確認済み", "許容"};
	for (int i = 0; i < 4; i++)
		json_array_append_new(states, json_pack("{s:s, s:s, s:b}", "value", all_names[i], "label",
							all_labels[i], "selected",
							want == i - 1 || (want == -2 && i == 0)));
	json_t *page = web_ws_page(c);
	json_object_set_new(page, "plan",
			    json_pack("{s:s, s:i, s:s}", "slug", plan->slug, "version", plan->version,
				      "title", plan->title));
	json_object_set_new(page, "view", json_string(view ? view : ""));
	json_object_set_new(page, "filter", json_string(want == -2 ? "all" : state_names[want]));
	json_object_set_new(page, "total", json_integer((json_int_t)f->n));
	json_object_set_new(page, "counts",
			    json_pack("{s:I, s:I, s:I}", "open", (json_int_t)counts[0], "checked",
				      (json_int_t)counts[1], "accepted", (json_int_t)counts[2]));
	json_object_set_new(page, "states", states);
	json_object_set_new(page, "groups", groups);
	json_object_set_new(page, "can_triage", json_boolean(can_triage));
	json_object_set_new(page, "can_comment", json_boolean(can_comment));
	json_object_set_new(page, "form_error", json_boolean(e != NULL));
	sasae_lint_findings_free(f);
	sasae_triages_free(t, nt);
	sasae_comments_free(comments, ncomments);
	sasae_plan_free(owned);
	web_render(c, status, "lint", page, "事業一覧の点検");
}

void web_office_lint(web_ctx *c) { lint_page(c, 200, web_param(c, "plan"), NULL); }

/* Where to go back to after a form of the lint page: /office/lint?plan=VIEW&state=BACK. */
static void lint_back(web_ctx *c, const char *view, const char *back, const char *code, const char *anchor)
{
	sasae_buf path = SASAE_BUF_INIT;
	sasae_buf_puts(&path, "/office/lint?state=");
	sasae_buf_puts(&path, state_parse(back) >= 0 ? back : "all");
	if (view && *view) {
		sasae_buf_puts(&path, "&plan=");
		sasae_url_encode(&path, view, strlen(view));
	}
	web_done(c, sasae_buf_ok(&path) ? path.data : "/office/lint", code, anchor);
	sasae_buf_free(&path);
}

/* POST /office/lint/triage: plan (slug), kind, place, state, reason; view and back (the page's
   ?plan= and ?state=, to return to). */
void web_lint_triage(web_ctx *c)
{
	const char *slug = sasae_http_form(c->req, "plan"), *kind = sasae_http_form(c->req, "kind"),
		   *place = sasae_http_form(c->req, "place"), *st = sasae_http_form(c->req, "state"),
		   *reason = sasae_http_form(c->req, "reason"), *view = sasae_http_form(c->req, "view"),
		   *back = sasae_http_form(c->req, "back");
	if (slug == NULL || kind == NULL || place == NULL || strlen(kind) > 64 || strlen(place) > 40) {
		web_fail(c, 400, "bad-input", "入力が正しくありません",
			 "どの指摘についての判断かがわかりません（plan、kind、place）。点検のページから送信してください。");
		return;
	}
	int state = state_parse(st);
	lint_error e = {kind, place, "reason", NULL, state, reason ? reason : "", NULL};
	if (state < 0) {
		e.message = "「判断」で、未確認・確認済み・許容のどれかを選んでください。";
		lint_page(c, 400, view, &e);
		return;
	}
	sasae_store *s = web_ws_store(c);
	if (s == NULL)
		return;
	char key[128];
	snprintf(key, sizeof key, "%s\t%s", kind, place);
	sasae_error err = {0};
	sasae_actor who = web_actor(c);
	int rc = sasae_triage_set(s, &who, slug, key, (sasae_triage_state)state, reason ? reason : "", &err);
	if (rc == SASAE_EUSAGE || rc == SASAE_EDATA) {
		e.message = err.message;
		lint_page(c, 400, view, &e);
		return;
	}
	if (rc) {
		web_core_fail(c, rc, &err);
		return;
	}
	char anchor[96];
	anchor_of(kind, place, anchor, sizeof anchor);
	lint_back(c, view, back, "triage", anchor);
}

/* Comments on a finding come back here when they fail (program_pages.c). */
void web_lint_comment_failed(web_ctx *c, const char *view, const char *kind, const char *place,
			     const char *text, const char *message)
{
	lint_error e = {kind, place, "comment", message, -1, NULL, text};
	lint_page(c, 400, view, &e);
}

void web_lint_comment_done(web_ctx *c, const char *view, const char *back, const char *kind, const char *place)
{
	char anchor[96];
	anchor_of(kind, place, anchor, sizeof anchor);
	lint_back(c, view, back, "comment", anchor);
}

/* ---- exports ---- */

/* The slug of ?plan= ("slug" or "slug@N"), or the served plan's. */
static void slug_param(web_ctx *c, char *out, size_t n)
{
	const char *p = web_param(c, "plan");
	if (p == NULL || *p == '\0')
		p = web_of(c)->plan->slug;
	snprintf(out, n, "%.*s", (int)strcspn(p, "@"), p);
	for (char *q = out; *q; q++) /* one line in the accept file's comment */
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = '_';
}

/* prefix + slug + suffix as a file name for Content-Disposition: [A-Za-z0-9._-] kept, others '_'. */
static void file_name(char *out, size_t n, const char *prefix, const char *slug, const char *suffix)
{
	snprintf(out, n, "%s%s%s", prefix, slug, suffix);
	for (char *p = out + strlen(prefix); *p && p < out + strlen(prefix) + strlen(slug); p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '.' || *p == '_' || *p == '-'))
			*p = '_';
}

static void download(web_ctx *c, sasae_buf *b, const char *type, const char *filename)
{
	if (!sasae_buf_ok(b)) {
		sasae_buf_free(b);
		web_fail(c, 500, "internal", "内部エラー", "メモリが足りません。");
		return;
	}
	sasae_buf_clear(&c->res->body);
	sasae_buf_append(&c->res->body, b->data ? b->data : "", b->len);
	sasae_buf_free(b);
	c->res->status = 200;
	c->res->content_type = type;
	sasae_http_header(c->res, "Content-Disposition", "attachment; filename=\"%s\"", filename);
}

/* The decisions of a plan (*t, *n; answered on failure). */
static int decisions(web_ctx *c, const char *slug, sasae_triage **t, size_t *n)
{
	sasae_store *s = web_ws_store(c);
	if (s == NULL)
		return -1;
	sasae_error err = {0};
	int rc = sasae_triage_list(s, slug, t, n, &err);
	if (rc)
		web_core_fail(c, rc, &err);
	return rc;
}

void web_lint_decisions_csv(web_ctx *c)
{
	char slug[256];
	slug_param(c, slug, sizeof slug);
	sasae_triage *t = NULL;
	size_t n = 0;
	if (decisions(c, slug, &t, &n))
		return;
	sasae_buf b = SASAE_BUF_INIT;
	sasae_buf_puts(&b, "\xEF\xBB\xBF"); /* UTF-8 BOM: Excel reads the file as UTF-8 */
	sasae_buf_puts(&b, "種類,部-施策-位置,判断,理由,判断した人,日時\r\n");
	for (size_t i = 0; i < n; i++) {
		const char *tab = strchr(t[i].finding, '\t');
		char kind[80];
		snprintf(kind, sizeof kind, "%.*s", tab ? (int)(tab - t[i].finding) : 0, t[i].finding);
		int st = (int)t[i].state >= 0 && (int)t[i].state <= 2 ? (int)t[i].state : 0;
		sasae_csv_cell(&b, kind);
		sasae_buf_putc(&b, ',');
		sasae_csv_cell(&b, tab ? tab + 1 : t[i].finding);
		sasae_buf_putc(&b, ',');
		sasae_csv_cell(&b, state_labels[st]);
		sasae_buf_putc(&b, ',');
		sasae_csv_cell(&b, t[i].reason ? t[i].reason : "");
		sasae_buf_putc(&b, ',');
		sasae_csv_cell(&b, t[i].login ? t[i].login : "");
		sasae_buf_putc(&b, ',');
		sasae_csv_cell(&b, t[i].at ? t[i].at : "");
		sasae_buf_puts(&b, "\r\n");
	}
	sasae_triages_free(t, n);
	char name[300];
	file_name(name, sizeof name, "lint-decisions-", slug, ".csv");
	download(c, &b, "text/csv; charset=utf-8", name);
}

void web_lint_accept_file(web_ctx *c)
{
	char slug[256];
	slug_param(c, slug, sizeof slug);
	sasae_triage *t = NULL;
	size_t n = 0;
	if (decisions(c, slug, &t, &n))
		return;
	sasae_buf b = SASAE_BUF_INIT;
	sasae_buf_appendf(&b,
			  "# sasae lint --accept 用: %s で「許容」とした指摘\n# 種類<TAB>部-施策-位置<TAB>理由\n",
			  slug);
	for (size_t i = 0; i < n; i++) {
		if (t[i].state != SASAE_TRIAGE_ACCEPTED)
			continue;
		sasae_buf_puts(&b, t[i].finding);
		sasae_buf_putc(&b, '\t');
		for (const char *p = t[i].reason ? t[i].reason : ""; *p; p++) /* one line: the comment field */
			sasae_buf_putc(&b, *p == '\t' || *p == '\n' || *p == '\r' ? ' ' : *p);
		sasae_buf_putc(&b, '\n');
	}
	sasae_triages_free(t, n);
	char name[300];
	file_name(name, sizeof name, "lint-accepted-", slug, ".tsv");
	download(c, &b, "text/tab-separated-values; charset=utf-8", name);
}
