/*
 * progress_pages.c — yearly progress management in the workspace (docs/progress.md):
 * /office/progress (a year's status by department, who has not submitted, days to the deadline),
 * the sheet of a program (/office/progress/{year}/{id}: a form built from the year's configuration,
 * each problem shown next to its field), and the POST routes that save it, move it along the
 * workflow (submit, return with a comment, approve, accept, confirm, publish) and comment on it.
 * The router checks the route's roles and the CSRF token; the core checks the department and the
 * state again (sasae_progress_may).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/progress.h"
#include "page.h"
#include "pages.h"

/* The year of a path segment, or 0. */
static int year_arg(const char *s)
{
	long y = web_parse_num(s);
	return y >= 2000 && y <= 2100 ? (int)y : 0;
}

/* Days left as words. */
static void days_words(char *out, size_t n, int days)
{
	if (days > 0)
		snprintf(out, n, "提出期限まであと %d 日", days);
	else if (days == 0)
		snprintf(out, n, "提出期限は今日です");
	else
		snprintf(out, n, "提出期限を %d 日過ぎています", -days);
}

/* Whether the signed-in user sees every department (office, council) or only theirs. */
static bool sees(const sasae_user *u, const sasae_progress_sheet *sh)
{
	if (sasae_user_has(u, SASAE_ROLE_OFFICE) || sasae_user_has(u, SASAE_ROLE_COUNCIL))
		return true;
	for (size_t i = 0; i < sh->ndepartments; i++)
		if (sasae_user_has_in(u, SASAE_ROLE_EDITOR, sh->departments[i]) ||
		    sasae_user_has_in(u, SASAE_ROLE_APPROVER, sh->departments[i]))
			return true;
	return false;
}

/* GET /office/progress[?year=Y]: the years, and the chosen one's status. */
void web_office_progress(web_ctx *c)
{
	sasae_store *s = web_ws_store(c);
	if (s == NULL)
		return;
	const sasae_user *u = &web_session(c)->user;
	sasae_error err = {0};
	sasae_progress_cycle *cy = NULL;
	size_t ncy = 0;
	int rc = sasae_progress_cycle_list(s, &cy, &ncy, &err);
	if (rc) {
		web_core_fail(c, rc, &err);
		return;
	}
	int year = 0;
	if (!web_int_param(c, "year", ncy ? cy[0].year : 0, 0, 2100, &year)) {
		sasae_progress_cycles_free(cy, ncy);
		return;
	}
	json_t *page = web_ws_page(c);
	json_t *years = json_array();
	const sasae_progress_cycle *cur = NULL;
	for (size_t i = 0; i < ncy; i++) {
		json_array_append_new(years, json_pack("{s:i, s:b}", "year", cy[i].year, "current",
						       cy[i].year == year));
		if (cy[i].year == year)
			cur = &cy[i];
	}
	json_object_set_new(page, "years", years);
	if (ncy && cur == NULL) {
		sasae_progress_cycles_free(cy, ncy);
		json_decref(page);
		web_fail(c, 404, "not-found", "見つかりません", "その年度の進捗管理はありません。");
		return;
	}
	if (cur) {
		sasae_progress_sheet *sh = NULL;
		size_t n = 0;
		int days = 0;
		if ((rc = sasae_progress_pending(s, year, web_now(), &sh, &n, &days, &err)) != 0) {
			sasae_progress_cycles_free(cy, ncy);
			json_decref(page);
			web_core_fail(c, rc, &err);
			return;
		}
		sasae_progress_sheets_free(sh, n);
		sasae_progress_sheet *all = NULL;
		size_t nall = 0;
		if ((rc = sasae_progress_sheets(s, year, &all, &nall, &err)) != 0) {
			sasae_progress_cycles_free(cy, ncy);
			json_decref(page);
			web_core_fail(c, rc, &err);
			return;
		}
		/* by department: counts per state and the sheets not submitted */
		json_t *depts = json_array();
		json_t *mine = json_array();
		for (size_t i = 0; i < nall; i++) {
			const sasae_progress_sheet *x = &all[i];
			bool pending = x->state == SASAE_PROGRESS_DRAFT || x->state == SASAE_PROGRESS_RETURNED;
			for (size_t j = 0; j < x->ndepartments; j++) {
				json_t *d = NULL;
				for (size_t k = 0; k < json_array_size(depts); k++)
					if (strcmp(json_string_value(
							   json_object_get(json_array_get(depts, k), "name")),
						   x->departments[j]) == 0)
						d = json_array_get(depts, k);
				if (d == NULL) {
					d = json_pack("{s:s, s:i, s:i, s:[]}", "name", x->departments[j],
						      "sheets", 0, "done", 0, "pending");
					json_array_append_new(depts, d);
				}
				json_object_set_new(d, "sheets",
						    json_integer(
							    json_integer_value(json_object_get(d, "sheets")) +
							    1));
				if (!pending)
					json_object_set_new(d, "done",
							    json_integer(json_integer_value(
										 json_object_get(d, "done")) +
									 1));
				else
					json_array_append_new(json_object_get(d, "pending"),
							      json_pack("{s:s, s:s, s:s}", "id", x->program,
									"name", x->name, "state",
									sasae_progress_state_label(x->state)));
			}
			if (sees(u, x))
				json_array_append_new(mine, json_pack("{s:s, s:s, s:s, s:s}", "id",
								      x->program, "name", x->name, "state",
								      sasae_progress_state_label(x->state),
								      "state_key",
								      sasae_progress_state_name(x->state)));
		}
		char words[120];
		days_words(words, sizeof words, days);
		json_object_set_new(page, "cycle",
				    json_pack("{s:i, s:s, s:s, s:b, s:I}", "year", year, "deadline",
					      cur->deadline, "days", words, "overdue", days < 0, "sheets",
					      (json_int_t)nall));
		json_object_set_new(page, "departments", depts);
		json_object_set_new(page, "sheets", mine);
		sasae_progress_sheets_free(all, nall);
	}
	sasae_progress_cycles_free(cy, ncy);
	char title[80];
	snprintf(title, sizeof title, year ? "%d 年度の進捗管理" : "進捗管理", year);
	web_render(c, 200, "office_progress", page, title);
}

/* ---- the sheet ---- */

/* The problem of field (exact key), or NULL. */
static const char *problem_of(const sasae_progress_problem *p, size_t n, const char *field)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(p[i].field, field) == 0)
			return p[i].message;
	return NULL;
}

enum { FORM_INDICATOR_ROWS_EXTRA = 2, FORM_INDICATOR_ROWS_MAX = 50 };

/* The sheet page: values (JSON object; the stored ones or what was typed), problems to show. */
static void sheet_page(web_ctx *c, int status, int year, const char *program, json_t *typed,
		       const sasae_progress_problem *p, size_t np, const char *act_error)
{
	sasae_store *s = web_ws_store(c);
	if (s == NULL) {
		json_decref(typed);
		return;
	}
	const sasae_user *u = &web_session(c)->user;
	sasae_error err = {0};
	sasae_progress_cycle cy = {0};
	sasae_progress_sheet sh = {0};
	int rc = sasae_progress_cycle_get(s, year, &cy, &err);
	if (rc == 0)
		rc = sasae_progress_sheet_get(s, year, program, &sh, &err);
	if (rc == 0 && !sees(u, &sh))
		rc = sasae_error_set(&err, SASAE_EFORBIDDEN, NULL, 0,
				     "このシートを見られるのは、計画所管課・審議会と、この事業の担当課だけです");
	if (rc) {
		json_decref(typed);
		sasae_progress_cycle_clear(&cy);
		sasae_progress_sheet_clear(&sh);
		web_core_fail(c, rc, &err);
		return;
	}
	json_t *values = typed ? typed : json_loads(sh.data, 0, NULL);
	json_t *conf = json_loads(cy.config, 0, NULL);
	const char *const *depts = (const char *const *)sh.departments;
	bool may_edit = sasae_progress_may(u, SASAE_PROGRESS_EDIT, sh.state, depts, sh.ndepartments, NULL);
	json_t *fields = json_array(), *indicators = json_null();
	json_t *cf = json_object_get(conf, "fields");
	for (size_t i = 0; i < json_array_size(cf); i++) {
		json_t *f = json_array_get(cf, i);
		const char *key = json_string_value(json_object_get(f, "key"));
		const char *type = json_string_value(json_object_get(f, "type"));
		json_t *v = json_object_get(values, key);
		if (strcmp(type, "indicators") == 0) {
			json_t *rows = json_array();
			size_t nrows = json_array_size(v) + (may_edit ? FORM_INDICATOR_ROWS_EXTRA : 0);
			if (nrows > FORM_INDICATOR_ROWS_MAX)
				nrows = FORM_INDICATOR_ROWS_MAX;
			static const char *const cols[] = {"name",   "unit",   "kind", "baseline",
							   "target", "actual", "arrow"};
			for (size_t r = 0; r < nrows; r++) {
				json_t *row = json_array_get(v, r);
				json_t *o = json_pack("{s:I}", "n", (json_int_t)r + 1);
				sasae_buf errs = SASAE_BUF_INIT;
				for (int k = 0; k < 7; k++) {
					json_t *x = json_object_get(row, cols[k]);
					char text[64] = "";
					if (json_is_integer(x))
						snprintf(text, sizeof text, "%lld",
							 (long long)json_integer_value(x));
					else if (json_is_real(x))
						snprintf(text, sizeof text, "%.15g", json_real_value(x));
					json_object_set_new(o, cols[k],
							    json_string(json_is_string(x) ? json_string_value(x)
											  : text));
					char fk[80];
					snprintf(fk, sizeof fk, "%s[%zu].%s", key, r + 1, cols[k]);
					const char *m = problem_of(p, np, fk);
					if (m)
						sasae_buf_appendf(&errs, "%s%s", errs.len ? " " : "", m);
				}
				char fk[80];
				snprintf(fk, sizeof fk, "%s[%zu]", key, r + 1);
				const char *m = problem_of(p, np, fk);
				if (m)
					sasae_buf_appendf(&errs, "%s%s", errs.len ? " " : "", m);
				const char *kind = json_string_value(json_object_get(row, "kind"));
				json_object_set_new(o, "activity",
						    json_boolean(kind && strcmp(kind, "活動") == 0));
				json_object_set_new(o, "outcome",
						    json_boolean(kind && strcmp(kind, "成果") == 0));
				json_t *arrows = json_array();
				const char *arrow = json_string_value(json_object_get(row, "arrow"));
				json_t *ca = json_object_get(conf, "arrows");
				for (size_t a = 0; a < json_array_size(ca); a++) {
					const char *t = json_string_value(json_array_get(ca, a));
					json_array_append_new(arrows,
							      json_pack("{s:s, s:b}", "value", t, "selected",
									arrow && strcmp(arrow, t) == 0));
				}
				json_object_set_new(o, "arrows", arrows);
				json_object_set_new(o, "error",
						    errs.len && sasae_buf_ok(&errs) ? json_string(errs.data)
										    : json_null());
				sasae_buf_free(&errs);
				json_array_append_new(rows, o);
			}
			indicators = json_pack("{s:s, s:s, s:o}", "key", key, "label",
					       json_string_value(json_object_get(f, "label")), "rows", rows);
			continue;
		}
		json_t *o = json_pack("{s:s, s:s, s:b, s:s?}", "key", key, "label",
				      json_string_value(json_object_get(f, "label")), "required",
				      json_is_true(json_object_get(f, "required")), "error",
				      problem_of(p, np, key));
		char text[64] = "";
		if (json_is_integer(v))
			snprintf(text, sizeof text, "%lld", (long long)json_integer_value(v));
		const char *val = json_is_string(v) ? json_string_value(v) : text;
		json_object_set_new(o, "value", json_string(val));
		if (strcmp(type, "text") == 0) {
			json_object_set_new(o, "text", json_true());
			json_object_set_new(o, "carried", json_boolean(json_object_get(f, "carry") != NULL));
		} else if (strcmp(type, "money") == 0) {
			json_object_set_new(o, "money", json_true());
		} else {
			bool grade = strcmp(type, "grade") == 0;
			json_t *list = grade ? json_object_get(conf, "grades") : json_object_get(f, "options");
			json_t *opts = json_array();
			for (size_t k = 0; k < json_array_size(list); k++) {
				json_t *e = json_array_get(list, k);
				const char *code = grade ? json_string_value(json_object_get(e, "code"))
							 : json_string_value(e);
				char label[200];
				snprintf(label, sizeof label, "%s%s%s", code, grade ? " " : "",
					 grade ? json_string_value(json_object_get(e, "label")) : "");
				json_array_append_new(opts,
						      json_pack("{s:s, s:s, s:b}", "value", code, "label",
								label, "selected", strcmp(val, code) == 0));
			}
			json_object_set_new(o, "choice", json_true());
			json_object_set_new(o, "options", opts);
		}
		json_array_append_new(fields, o);
	}
	/* the actions this person may take now */
	json_t *actions = json_array();
	static const struct {
		sasae_progress_action a;
		const char *label;
	} acts[] = {
		{SASAE_PROGRESS_SUBMIT, "提出する"},
		{SASAE_PROGRESS_APPROVE, "承認する（担当課）"},
		{SASAE_PROGRESS_ACCEPT, "承認する（計画所管課）"},
		{SASAE_PROGRESS_CONFIRM, "確定する"},
		{SASAE_PROGRESS_PUBLISH, "公開する"},
		{SASAE_PROGRESS_RETURN, "差し戻す"},
	};
	for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++)
		if (sasae_progress_may(u, acts[i].a, sh.state, depts, sh.ndepartments, NULL))
			json_array_append_new(actions, json_pack("{s:s, s:s, s:b}", "action",
								 sasae_progress_action_name(acts[i].a),
								 "label", acts[i].label, "return",
								 acts[i].a == SASAE_PROGRESS_RETURN));
	/* council comments on this program */
	sasae_comment *cm = NULL;
	size_t ncm = 0;
	char target[64];
	snprintf(target, sizeof target, "program:%s", sh.program);
	json_t *comments = json_array();
	if (sasae_progress_comment_list(s, year, target, &cm, &ncm, &err) == 0)
		for (size_t i = 0; i < ncm; i++)
			json_array_append_new(comments,
					      json_pack("{s:s, s:s, s:s}", "name",
							*cm[i].display_name ? cm[i].display_name : cm[i].login,
							"at", cm[i].at, "text", cm[i].text));
	sasae_comments_free(cm, ncm);
	json_t *dl = json_array();
	for (size_t i = 0; i < sh.ndepartments; i++)
		json_array_append_new(dl, json_string(sh.departments[i]));
	json_t *page = web_ws_page(c);
	json_object_set_new(page, "year", json_integer(year));
	json_object_set_new(page, "sheet",
			    json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:s}", "id", sh.program, "name", sh.name,
				      "departments", dl, "state", sasae_progress_state_label(sh.state), "note",
				      sh.note, "updated_at", sh.updated_at, "updated_by", sh.updated_by));
	json_object_set_new(page, "fields", fields);
	json_object_set_new(page, "indicators", indicators);
	json_object_set_new(page, "may_edit", json_boolean(may_edit));
	json_object_set_new(page, "problems", json_boolean(np > 0));
	json_object_set_new(page, "nproblems", json_integer((json_int_t)np));
	json_object_set_new(page, "actions", actions);
	json_object_set_new(page, "act_error", act_error ? json_string(act_error) : json_null());
	json_object_set_new(page, "comments", comments);
	json_object_set_new(page, "can_comment",
			    json_boolean(sasae_user_has(u, SASAE_ROLE_COUNCIL) ||
					 sasae_user_has(u, SASAE_ROLE_OFFICE)));
	char title[600];
	snprintf(title, sizeof title, "%d 年度 %s の評価シート", year, sh.name);
	json_decref(values);
	json_decref(conf);
	sasae_progress_sheet_clear(&sh);
	sasae_progress_cycle_clear(&cy);
	web_render(c, status, "office_progress_sheet", page, title);
}

/* The {year}/{id} of the route, or 0 after answering 404. */
static int route_sheet(web_ctx *c, const char **program)
{
	int year = year_arg(c->req->args[0]);
	*program = c->req->args[1];
	if (year == 0) {
		web_fail(c, 404, "not-found", "見つかりません", "その年度の進捗管理はありません。");
		return 0;
	}
	return year;
}

void web_office_progress_sheet(web_ctx *c)
{
	const char *program;
	int year = route_sheet(c, &program);
	if (year)
		sheet_page(c, 200, year, program, NULL, NULL, 0, NULL);
}

/* A form number: an integer or a decimal; anything else kept as text, for the core to name it. */
static json_t *form_number(const char *t, bool integer)
{
	char buf[64];
	size_t k = 0;
	for (const char *q = t; *q && k + 1 < sizeof buf; q++)
		if (*q != ',' && *q != ' ')
			buf[k++] = *q;
	buf[k] = '\0';
	char *end;
	if (k && strspn(buf, "-0123456789") == k && k < 19) {
		long long v = strtoll(buf, &end, 10);
		if (*end == '\0')
			return json_integer(v);
	}
	if (!integer && k && strspn(buf, "-0123456789.") == k) {
		double v = strtod(buf, &end);
		if (*end == '\0')
			return json_real(v);
	}
	return json_string(t);
}

/* The values of the sheet form, by the year's configuration. */
static json_t *form_values(web_ctx *c, const char *config)
{
	json_t *conf = json_loads(config, 0, NULL);
	json_t *out = json_object();
	json_t *cf = json_object_get(conf, "fields");
	for (size_t i = 0; i < json_array_size(cf); i++) {
		json_t *f = json_array_get(cf, i);
		const char *key = json_string_value(json_object_get(f, "key"));
		const char *type = json_string_value(json_object_get(f, "type"));
		if (strcmp(type, "indicators") == 0) {
			json_t *rows = json_array();
			static const char *const cols[] = {"name",   "unit",   "kind", "baseline",
							   "target", "actual", "arrow"};
			for (int r = 1; r <= FORM_INDICATOR_ROWS_MAX; r++) {
				json_t *row = json_object();
				bool any = false, present = false;
				for (int k = 0; k < 7; k++) {
					char name[40];
					snprintf(name, sizeof name, "ind%d_%s", r, cols[k]);
					const char *t = sasae_http_form(c->req, name);
					present |= t != NULL;
					if (t == NULL || t[strspn(t, " ")] == '\0')
						continue;
					any = true;
					json_object_set_new(row, cols[k],
							    k >= 3 && k <= 5 ? form_number(t, false)
									     : json_string(t));
				}
				if (any)
					json_array_append(rows, row);
				json_decref(row);
				if (!present)
					break;
			}
			json_object_set_new(out, key, rows);
			continue;
		}
		const char *t = sasae_http_form(c->req, key);
		if (t == NULL)
			continue;
		if (strcmp(type, "money") == 0) {
			if (t[strspn(t, " ")] != '\0')
				json_object_set_new(out, key, form_number(t, true));
		} else {
			char *lf = web_text_lf(t);
			json_object_set_new(out, key, json_string(lf ? lf : ""));
			free(lf);
		}
	}
	json_decref(conf);
	return out;
}

/* POST /office/progress/{year}/{id}: save the sheet's values. */
void web_office_progress_save(web_ctx *c)
{
	const char *program;
	int year = route_sheet(c, &program);
	if (year == 0)
		return;
	sasae_store *s = web_ws_store(c);
	if (s == NULL)
		return;
	sasae_error err = {0};
	sasae_progress_cycle cy = {0};
	int rc = sasae_progress_cycle_get(s, year, &cy, &err);
	if (rc) {
		web_core_fail(c, rc, &err);
		return;
	}
	json_t *values = form_values(c, cy.config);
	sasae_progress_cycle_clear(&cy);
	char *text = json_dumps(values, JSON_COMPACT);
	sasae_progress_problem *p = NULL;
	size_t np = 0;
	sasae_actor who = web_actor(c);
	rc = text ? sasae_progress_sheet_save(s, &who, &web_session(c)->user, year, program, text, &p, &np, &err)
		  : SASAE_ENOMEM;
	free(text);
	if (rc == SASAE_EUSAGE && np) {
		sheet_page(c, 400, year, program, values, p, np, NULL);
		sasae_progress_problems_free(p, np);
		return;
	}
	json_decref(values);
	sasae_progress_problems_free(p, np);
	if (rc) {
		web_core_fail(c, rc, &err);
		return;
	}
	char path[120];
	snprintf(path, sizeof path, "/office/progress/%d/%s", year, program); /* the core found it: [a-z0-9] */
	web_done(c, path, "progress-saved", NULL);
}

/* POST /office/progress/{year}/{id}/act: action (submit, return, approve, accept, confirm, publish)
   and comment. */
void web_office_progress_act(web_ctx *c)
{
	const char *program;
	int year = route_sheet(c, &program);
	if (year == 0)
		return;
	sasae_error err = {0};
	sasae_progress_action a;
	if (sasae_progress_action_parse(sasae_http_form(c->req, "action"), &a, &err) ||
	    a == SASAE_PROGRESS_EDIT) {
		web_fail(c, 400, "bad-input", "入力が正しくありません", "操作（action）がわかりません。");
		return;
	}
	sasae_store *s = web_ws_store(c);
	if (s == NULL)
		return;
	const char *comment = sasae_http_form(c->req, "comment");
	char *lf = comment ? web_text_lf(comment) : NULL;
	sasae_progress_problem *p = NULL;
	size_t np = 0;
	sasae_actor who = web_actor(c);
	int rc = sasae_progress_act(s, &who, &web_session(c)->user, year, program, a, lf, &p, &np, &err);
	free(lf);
	if (rc == SASAE_EUSAGE) {
		/* submit with something missing: the form with the fields to fill; return without a comment */
		sheet_page(c, 400, year, program, NULL, p, np, err.message);
		sasae_progress_problems_free(p, np);
		return;
	}
	sasae_progress_problems_free(p, np);
	if (rc) {
		web_core_fail(c, rc, &err);
		return;
	}
	char path[120];
	snprintf(path, sizeof path, "/office/progress/%d/%s", year, program);
	web_done(c, path, "progress-moved", NULL);
}

/* POST /office/progress/{year}/{id}/comments: a council comment on the program's sheet. */
void web_office_progress_comment(web_ctx *c)
{
	const char *program;
	int year = route_sheet(c, &program);
	if (year == 0)
		return;
	sasae_store *s = web_ws_store(c);
	if (s == NULL)
		return;
	const char *text = sasae_http_form(c->req, "text");
	char *lf = text ? web_text_lf(text) : NULL;
	char target[80];
	snprintf(target, sizeof target, "program:%.40s", program);
	sasae_error err = {0};
	sasae_actor who = web_actor(c);
	int rc = sasae_progress_comment_add(s, &who, &web_session(c)->user, year, target, lf ? lf : "", &err);
	free(lf);
	if (rc == SASAE_EUSAGE) {
		sheet_page(c, 400, year, program, NULL, NULL, 0, err.message);
		return;
	}
	if (rc) {
		web_core_fail(c, rc, &err);
		return;
	}
	char path[120];
	snprintf(path, sizeof path, "/office/progress/%d/%s", year, program);
	web_done(c, path, "comment", "comments");
}
