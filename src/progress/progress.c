/*
 * progress.c — yearly progress management (include/core/sasae/progress.h, docs/progress.md): the
 * cycle of a fiscal year, the sheet's configurable fields, the workflow and who may move it, council
 * comments, the roll-up and the reminders.  The rules are here; the rows are the store backend's
 * (src/store/backend.h).  Each change is one transaction with its audit row (acct_audit).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts_internal.h"
#include "sasae/buf.h"
#include "sasae/escape.h"
#include "sasae/model.h"
#include "sasae/progress.h"
#include "sasae/utf8.h"

/* ---- names ---- */

static const char *const state_names[] = {"draft",    "submitted", "returned", "approved",
					  "accepted", "confirmed", "published"};
static const char *const state_labels[] = {"下書き",     "提出済み", "差し戻し", "担当課承認",
					   "所管課承認", "確定",     "公開"};
static const char *const action_names[] = {"edit",   "submit",  "return", "approve",
					   "accept", "confirm", "publish"};
static const char *const action_labels[] = {"編集",           "提出", "差し戻し", "承認（担当課）",
					    "承認（所管課）", "確定", "公開"};

const char *sasae_progress_state_name(sasae_progress_state st)
{
	return (unsigned)st < SASAE_PROGRESS_NSTATES ? state_names[st] : "?";
}

const char *sasae_progress_state_label(sasae_progress_state st)
{
	return (unsigned)st < SASAE_PROGRESS_NSTATES ? state_labels[st] : "?";
}

const char *sasae_progress_action_name(sasae_progress_action a)
{
	return (unsigned)a < SASAE_PROGRESS_NACTIONS ? action_names[a] : "?";
}

int sasae_progress_action_parse(const char *name, sasae_progress_action *out, sasae_error *err)
{
	for (int i = 0; i < SASAE_PROGRESS_NACTIONS; i++)
		if (name && strcmp(name, action_names[i]) == 0) {
			*out = (sasae_progress_action)i;
			return 0;
		}
	return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
			       "操作は edit、submit、return、approve、accept、confirm、publish のどれかにしてください");
}

/* ---- the workflow ---- */

int sasae_progress_next(sasae_progress_action action, sasae_progress_state st)
{
	switch (action) {
	case SASAE_PROGRESS_EDIT: return st == SASAE_PROGRESS_PUBLISHED ? -1 : (int)st;
	case SASAE_PROGRESS_SUBMIT:
		return st == SASAE_PROGRESS_DRAFT || st == SASAE_PROGRESS_RETURNED ? SASAE_PROGRESS_SUBMITTED
										   : -1;
	case SASAE_PROGRESS_RETURN:
		return st == SASAE_PROGRESS_SUBMITTED || st == SASAE_PROGRESS_APPROVED ||
				       st == SASAE_PROGRESS_ACCEPTED
			       ? SASAE_PROGRESS_RETURNED
			       : -1;
	case SASAE_PROGRESS_APPROVE: return st == SASAE_PROGRESS_SUBMITTED ? SASAE_PROGRESS_APPROVED : -1;
	case SASAE_PROGRESS_ACCEPT: return st == SASAE_PROGRESS_APPROVED ? SASAE_PROGRESS_ACCEPTED : -1;
	case SASAE_PROGRESS_CONFIRM: return st == SASAE_PROGRESS_ACCEPTED ? SASAE_PROGRESS_CONFIRMED : -1;
	case SASAE_PROGRESS_PUBLISH: return st == SASAE_PROGRESS_CONFIRMED ? SASAE_PROGRESS_PUBLISHED : -1;
	}
	return -1;
}

/* Whether user holds role in one of the departments. */
static bool holds_in(const sasae_user *user, sasae_role role, const char *const *departments, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (sasae_user_has_in(user, role, departments[i]))
			return true;
	return false;
}

bool sasae_progress_may(const sasae_user *user, sasae_progress_action action, sasae_progress_state st,
			const char *const *departments, size_t n, sasae_error *err)
{
	if ((unsigned)action >= SASAE_PROGRESS_NACTIONS || (unsigned)st >= SASAE_PROGRESS_NSTATES) {
		sasae_error_set(err, SASAE_EUSAGE, NULL, 0, "操作または状態が正しくありません");
		return false;
	}
	int next = sasae_progress_next(action, st);
	if (next < 0) {
		sasae_error_set(err, SASAE_ECONFLICT, NULL, 0, "「%s」の状態のシートは「%s」できません",
				state_labels[st], action_labels[action]);
		return false;
	}
	bool office = user == NULL || sasae_user_has(user, SASAE_ROLE_OFFICE);
	bool editor = user && holds_in(user, SASAE_ROLE_EDITOR, departments, n);
	bool approver = user && holds_in(user, SASAE_ROLE_APPROVER, departments, n);
	bool ok = false;
	const char *who = "計画所管課";
	switch (action) {
	case SASAE_PROGRESS_EDIT:
		ok = office || (editor && (st == SASAE_PROGRESS_DRAFT || st == SASAE_PROGRESS_RETURNED));
		who = st == SASAE_PROGRESS_DRAFT || st == SASAE_PROGRESS_RETURNED ? "計画所管課と担当課の編集者"
										  : "計画所管課";
		break;
	case SASAE_PROGRESS_SUBMIT:
		ok = office || editor;
		who = "計画所管課と担当課の編集者";
		break;
	case SASAE_PROGRESS_RETURN:
		ok = office || (approver && st == SASAE_PROGRESS_SUBMITTED);
		who = st == SASAE_PROGRESS_SUBMITTED ? "計画所管課と担当課の承認者" : "計画所管課";
		break;
	case SASAE_PROGRESS_APPROVE: /* not the office: the department answers for its sheet */
		ok = approver || user == NULL;
		who = "担当課の承認者";
		break;
	default: ok = office; break;
	}
	if (!ok) {
		sasae_buf d = SASAE_BUF_INIT;
		for (size_t i = 0; i < n; i++)
			sasae_buf_appendf(&d, "%s%s", i ? "、" : "", departments[i]);
		sasae_error_set(err, SASAE_EFORBIDDEN, NULL, 0,
				"「%s」のシートを「%s」できるのは%sだけです（担当課: %s）", state_labels[st],
				action_labels[action], who,
				n && sasae_buf_ok(&d) ? sasae_buf_cstr(&d) : "なし");
		sasae_buf_free(&d);
	}
	return ok;
}

/* ---- memory ---- */

void sasae_progress_cycle_clear(sasae_progress_cycle *c)
{
	free(c->deadline);
	free(c->config);
	free(c->opened_at);
	free(c->opened_by);
	memset(c, 0, sizeof *c);
}

void sasae_progress_cycles_free(sasae_progress_cycle *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++)
		sasae_progress_cycle_clear(&c[i]);
	free(c);
}

void sasae_progress_sheet_clear(sasae_progress_sheet *sh)
{
	free(sh->program);
	free(sh->name);
	for (size_t i = 0; i < sh->ndepartments; i++)
		free(sh->departments[i]);
	free(sh->departments);
	free(sh->data);
	free(sh->note);
	free(sh->updated_at);
	free(sh->updated_by);
	memset(sh, 0, sizeof *sh);
}

void sasae_progress_sheets_free(sasae_progress_sheet *sh, size_t n)
{
	for (size_t i = 0; sh && i < n; i++)
		sasae_progress_sheet_clear(&sh[i]);
	free(sh);
}

void sasae_progress_problems_free(sasae_progress_problem *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++) {
		free(p[i].field);
		free(p[i].message);
	}
	free(p);
}

/* ---- configuration ---- */

static const char DEFAULT_CONFIG[] =
	"{\"grades\":["
	"{\"code\":\"A\",\"label\":\"順調\"},"
	"{\"code\":\"B\",\"label\":\"概ね順調\"},"
	"{\"code\":\"C\",\"label\":\"やや遅れている\"},"
	"{\"code\":\"D\",\"label\":\"遅れている\"}],"
	"\"arrows\":[\"↑\",\"→\",\"↓\"],"
	"\"fields\":["
	"{\"key\":\"status\",\"label\":\"実施状況\",\"type\":\"text\",\"required\":true,\"max\":2000},"
	"{\"key\":\"indicators\",\"label\":\"実績\",\"type\":\"indicators\"},"
	"{\"key\":\"grade\",\"label\":\"自己評価\",\"type\":\"grade\",\"required\":true},"
	"{\"key\":\"grade_reason\",\"label\":\"評価理由\",\"type\":\"text\",\"required\":true,\"max\":1000},"
	"{\"key\":\"issues\",\"label\":\"課題\",\"type\":\"text\",\"max\":2000},"
	"{\"key\":\"direction\",\"label\":\"今後の方向性\",\"type\":\"choice\",\"required\":true,"
	"\"options\":[\"拡充\",\"継続\",\"改善・見直し\",\"縮小\",\"廃止\",\"終了\"]},"
	"{\"key\":\"budget\",\"label\":\"予算（千円）\",\"type\":\"money\"},"
	"{\"key\":\"settlement\",\"label\":\"決算（千円）\",\"type\":\"money\"},"
	"{\"key\":\"improvement\",\"label\":\"改善策\",\"type\":\"text\",\"max\":2000},"
	"{\"key\":\"previous_improvement\",\"label\":\"前年度の改善策\",\"type\":\"text\",\"max\":2000,"
	"\"carry\":\"improvement\"}]}";

const char *sasae_progress_config_default(void) { return DEFAULT_CONFIG; }

static const char *const field_types[] = {"text", "choice", "grade", "money", "indicators"};

static bool key_ok(const char *k)
{
	size_t n = strlen(k);
	if (n == 0 || n > 40)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return false;
	return true;
}

/* A short label or code: a string of 1–max code points without control characters. */
static bool label_ok(json_t *v, size_t max)
{
	const char *why;
	size_t ncp = 0;
	return json_is_string(v) && json_string_length(v) > 0 &&
	       acct_text_ok(json_string_value(v), false, max, &ncp, &why);
}

int sasae_progress_config_check(const char *config, sasae_error *err)
{
	json_error_t je;
	json_t *c = config ? json_loads(config, JSON_REJECT_DUPLICATES, &je) : NULL;
	int rc = 0;
#define BAD(...) (rc = sasae_error_set(err, SASAE_EUSAGE, NULL, 0, __VA_ARGS__))
	if (c == NULL)
		BAD("シートの設定が JSON として読めません（%d 行 %d 列: %s）", config ? je.line : 0,
		    config ? je.column : 0, config ? je.text : "なし");
	else if (!json_is_object(c))
		BAD("シートの設定は JSON のオブジェクトにしてください");
	json_t *grades = c ? json_object_get(c, "grades") : NULL,
	       *arrows = c ? json_object_get(c, "arrows") : NULL,
	       *fields = c ? json_object_get(c, "fields") : NULL;
	if (rc == 0 && (!json_is_array(grades) || json_array_size(grades) < 2 || json_array_size(grades) > 8))
		BAD("設定の grades（評価の段階）は 2〜8 個の配列にしてください");
	for (size_t i = 0; rc == 0 && i < json_array_size(grades); i++) {
		json_t *g = json_array_get(grades, i);
		if (!label_ok(json_object_get(g, "code"), 4) || !label_ok(json_object_get(g, "label"), 40))
			BAD("設定の grades[%zu] には code（4 文字以内）と label（40 文字以内）を書いてください",
			    i);
		for (size_t j = 0; rc == 0 && j < i; j++)
			if (json_equal(json_object_get(g, "code"),
				       json_object_get(json_array_get(grades, j), "code")))
				BAD("設定の grades[%zu] の code が grades[%zu] と同じです", i, j);
	}
	if (rc == 0 && arrows && !json_is_array(arrows))
		BAD("設定の arrows（矢印）は文字列の配列にしてください");
	for (size_t i = 0; rc == 0 && i < json_array_size(arrows); i++)
		if (!label_ok(json_array_get(arrows, i), 4))
			BAD("設定の arrows[%zu] は 4 文字以内の文字列にしてください", i);
	if (rc == 0 && (!json_is_array(fields) || json_array_size(fields) == 0 || json_array_size(fields) > 40))
		BAD("設定の fields（項目）は 1〜40 個の配列にしてください");
	int ngrade = 0, nind = 0;
	for (size_t i = 0; rc == 0 && i < json_array_size(fields); i++) {
		json_t *f = json_array_get(fields, i);
		json_t *key = json_object_get(f, "key"), *type = json_object_get(f, "type");
		if (!json_is_string(key) || !key_ok(json_string_value(key))) {
			BAD("設定の fields[%zu] の key は英小文字・数字・_ の 40 文字以内にしてください", i);
			break;
		}
		const char *k = json_string_value(key);
		if (!label_ok(json_object_get(f, "label"), 40))
			BAD("設定の項目 %s の label は 40 文字以内の文字列にしてください", k);
		int t = -1;
		for (int j = 0; j < 5; j++)
			if (json_is_string(type) && strcmp(json_string_value(type), field_types[j]) == 0)
				t = j;
		if (rc == 0 && t < 0)
			BAD("設定の項目 %s の type は text、choice、grade、money、indicators のどれかにしてください",
			    k);
		for (size_t j = 0; rc == 0 && j < i; j++)
			if (json_equal(key, json_object_get(json_array_get(fields, j), "key")))
				BAD("設定の項目 %s が二度あります", k);
		json_t *max = json_object_get(f, "max");
		if (rc == 0 && max &&
		    (!json_is_integer(max) || json_integer_value(max) < 1 || json_integer_value(max) > 20000))
			BAD("設定の項目 %s の max は 1〜20000 の整数にしてください", k);
		json_t *opts = json_object_get(f, "options");
		if (rc == 0 && t == 1 && (!json_is_array(opts) || json_array_size(opts) == 0))
			BAD("設定の項目 %s（choice）には options（選択肢の配列）を書いてください", k);
		for (size_t j = 0; rc == 0 && j < json_array_size(opts); j++)
			if (!label_ok(json_array_get(opts, j), 40))
				BAD("設定の項目 %s の options[%zu] は 40 文字以内の文字列にしてください", k, j);
		json_t *req = json_object_get(f, "required");
		if (rc == 0 && req && !json_is_boolean(req))
			BAD("設定の項目 %s の required は true か false にしてください", k);
		json_t *carry = json_object_get(f, "carry");
		if (rc == 0 && carry && (t != 0 || !json_is_string(carry) || !key_ok(json_string_value(carry))))
			BAD("設定の項目 %s の carry（前年度から引き継ぐ項目）は text の項目に、項目の key で書いてください",
			    k);
		ngrade += t == 2;
		nind += t == 4;
	}
	if (rc == 0 && (ngrade > 1 || nind > 1))
		BAD("設定の grade と indicators の項目はそれぞれ一つまでにしてください");
#undef BAD
	json_decref(c);
	return rc;
}

/* ---- checking values ---- */

typedef struct problem_list {
	sasae_progress_problem *v;
	size_t n;
	bool oom;
} problem_list;

static void add_problem(problem_list *p, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add_problem(problem_list *p, const char *field, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sasae_progress_problem *v = realloc(p->v, (p->n + 1) * sizeof *v);
	if (v == NULL) {
		p->oom = true;
		return;
	}
	p->v = v;
	v[p->n].field = sasae_strdup(field);
	v[p->n].message = sasae_strdup(msg);
	if (!v[p->n].field || !v[p->n].message) {
		free(v[p->n].field);
		free(v[p->n].message);
		p->oom = true;
		return;
	}
	p->n++;
}

/* Whether s is empty or only spaces (ASCII or ideographic) and line breaks. */
static bool blank(const char *s)
{
	while (*s) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		else if (strncmp(s, "\u3000", 3) == 0)
			s += 3;
		else
			return false;
	}
	return true;
}

/* Whether v is an empty value (null, "", blank text, empty array). */
static bool empty(json_t *v)
{
	return v == NULL || json_is_null(v) || (json_is_string(v) && blank(json_string_value(v))) ||
	       (json_is_array(v) && json_array_size(v) == 0);
}

static bool in_list(json_t *list, const char *key, const char *s)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *e = json_array_get(list, i);
		if (key)
			e = json_object_get(e, key);
		if (json_is_string(e) && strcmp(json_string_value(e), s) == 0)
			return true;
	}
	return false;
}

static void list_text(sasae_buf *b, json_t *list, const char *key)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *e = json_array_get(list, i);
		if (key)
			e = json_object_get(e, key);
		sasae_buf_appendf(b, "%s%s", i ? "、" : "", json_string_value(e));
	}
}

/* Check a text value: returns true when acceptable. */
static bool check_text(problem_list *p, const char *field, const char *label, json_t *v, bool multiline,
		       size_t max)
{
	if (!json_is_string(v)) {
		add_problem(p, field, "%s は文字列にしてください", label);
		return false;
	}
	const char *why;
	size_t ncp = 0;
	if (!acct_text_ok(json_string_value(v), multiline, max, &ncp, &why)) {
		if (strcmp(why, "long") == 0)
			add_problem(p, field, "%s は %zu 文字以内にしてください（いまは %zu 文字）", label,
				    max, ncp);
		else if (strcmp(why, "utf8") == 0)
			add_problem(p, field, "%s が UTF-8 の文字列ではありません", label);
		else
			add_problem(p, field, "%s に使えない制御文字があります", label);
		return false;
	}
	return true;
}

static bool number_or_null(json_t *v) { return v == NULL || json_is_null(v) || json_is_number(v); }

static void check_indicators(problem_list *p, json_t *config, const char *key, const char *label, json_t *v,
			     bool complete, json_t *canon)
{
	if (!json_is_array(v)) {
		add_problem(p, key, "%s（指標）は配列にしてください", label);
		return;
	}
	if (json_array_size(v) > 50) {
		add_problem(p, key, "%s の指標は 50 行までにしてください", label);
		return;
	}
	json_t *arrows = json_object_get(config, "arrows");
	json_t *out = json_array();
	for (size_t i = 0; i < json_array_size(v); i++) {
		json_t *row = json_array_get(v, i);
		char f[80];
		if (!json_is_object(row)) {
			snprintf(f, sizeof f, "%s[%zu]", key, i + 1);
			add_problem(p, f, "%s の %zu 行目の指標はオブジェクトにしてください", label, i + 1);
			continue;
		}
		const char *k;
		json_t *x;
		json_object_foreach(row, k, x)
		{
			static const char *const known[] = {"name",   "unit",   "kind", "baseline",
							    "target", "actual", "arrow"};
			bool ok = false;
			for (size_t j = 0; j < 7; j++)
				ok |= strcmp(k, known[j]) == 0;
			if (!ok) {
				snprintf(f, sizeof f, "%s[%zu]", key, i + 1);
				add_problem(p, f, "%s の %zu 行目に知らない欄「%.40s」があります", label,
					    i + 1, k);
			}
		}
		json_t *r = json_object();
		json_t *name = json_object_get(row, "name"), *unit = json_object_get(row, "unit"),
		       *kind = json_object_get(row, "kind"), *arrow = json_object_get(row, "arrow");
		snprintf(f, sizeof f, "%s[%zu].name", key, i + 1);
		char lab[120];
		snprintf(lab, sizeof lab, "%zu 行目の指標名", i + 1);
		if (empty(name))
			add_problem(p, f, "%s を入れてください", lab);
		else if (check_text(p, f, lab, name, false, 200))
			json_object_set(r, "name", name);
		snprintf(f, sizeof f, "%s[%zu].unit", key, i + 1);
		snprintf(lab, sizeof lab, "%zu 行目の単位", i + 1);
		if (!empty(unit) && check_text(p, f, lab, unit, false, 20))
			json_object_set(r, "unit", unit);
		snprintf(f, sizeof f, "%s[%zu].kind", key, i + 1);
		if (!empty(kind)) {
			if (!json_is_string(kind) || (strcmp(json_string_value(kind), "活動") != 0 &&
						      strcmp(json_string_value(kind), "成果") != 0))
				add_problem(p, f, "%zu 行目の指標の種別は「活動」か「成果」にしてください",
					    i + 1);
			else
				json_object_set(r, "kind", kind);
		} else if (complete) {
			add_problem(p, f, "%zu 行目の指標の種別（活動／成果）を入れてください", i + 1);
		}
		static const char *const nums[] = {"baseline", "target", "actual"};
		static const char *const numl[] = {"基準値", "目標値", "実績値"};
		for (int j = 0; j < 3; j++) {
			json_t *n = json_object_get(row, nums[j]);
			snprintf(f, sizeof f, "%s[%zu].%s", key, i + 1, nums[j]);
			if (!number_or_null(n))
				add_problem(p, f, "%zu 行目の%sは数にしてください", i + 1, numl[j]);
			else if (n && json_is_number(n))
				json_object_set(r, nums[j], n);
		}
		snprintf(f, sizeof f, "%s[%zu].arrow", key, i + 1);
		if (!empty(arrow)) {
			if (!json_is_string(arrow) || !in_list(arrows, NULL, json_string_value(arrow))) {
				sasae_buf b = SASAE_BUF_INIT;
				list_text(&b, arrows, NULL);
				add_problem(p, f, "%zu 行目の矢印は %s のどれかにしてください", i + 1,
					    json_array_size(arrows) ? sasae_buf_cstr(&b)
								    : "（設定に矢印がありません）");
				sasae_buf_free(&b);
			} else {
				json_object_set(r, "arrow", arrow);
			}
		}
		if (complete && !(json_object_get(r, "target") && json_object_get(r, "actual")) &&
		    !json_object_get(r, "arrow")) {
			snprintf(f, sizeof f, "%s[%zu].actual", key, i + 1);
			add_problem(p, f,
				    "%zu 行目の指標には目標値と実績値、または数で表せないときは矢印を入れてください",
				    i + 1);
		}
		json_array_append_new(out, r);
	}
	if (json_array_size(out))
		json_object_set(canon, key, out);
	json_decref(out);
}

size_t sasae_progress_check(const char *config, json_t *values, bool complete, json_t **canon,
			    sasae_progress_problem **problems_out, size_t *nproblems)
{
	problem_list p = {*problems_out, *nproblems, false};
	size_t before = p.n;
	if (canon)
		*canon = NULL;
	json_t *c = json_loads(config, 0, NULL);
	json_t *fields = json_object_get(c, "fields");
	json_t *out = json_object();
	if (!json_is_object(values)) {
		add_problem(&p, "", "シートの値は JSON のオブジェクトにしてください");
		goto done;
	}
	const char *k;
	json_t *v;
	json_object_foreach(values, k, v)
	{
		if (!in_list(fields, "key", k))
			add_problem(&p, k, "項目「%.40s」はこの年度のシートにありません", k);
	}
	for (size_t i = 0; i < json_array_size(fields); i++) {
		json_t *f = json_array_get(fields, i);
		const char *key = json_string_value(json_object_get(f, "key"));
		const char *label = json_string_value(json_object_get(f, "label"));
		const char *type = json_string_value(json_object_get(f, "type"));
		bool required = json_is_true(json_object_get(f, "required"));
		json_t *x = json_object_get(values, key);
		if (empty(x)) {
			if (complete && required)
				add_problem(&p, key, "%s を入れてください", label);
			continue;
		}
		if (strcmp(type, "text") == 0) {
			json_t *mx = json_object_get(f, "max");
			size_t max = mx ? (size_t)json_integer_value(mx) : 2000;
			if (check_text(&p, key, label, x, true, max))
				json_object_set(out, key, x);
		} else if (strcmp(type, "choice") == 0 || strcmp(type, "grade") == 0) {
			bool grade = type[0] == 'g';
			json_t *list = grade ? json_object_get(c, "grades") : json_object_get(f, "options");
			if (!json_is_string(x) || !in_list(list, grade ? "code" : NULL, json_string_value(x))) {
				sasae_buf b = SASAE_BUF_INIT;
				list_text(&b, list, grade ? "code" : NULL);
				add_problem(&p, key, "%s は %s のどれかにしてください", label,
					    sasae_buf_cstr(&b));
				sasae_buf_free(&b);
			} else {
				json_object_set(out, key, x);
			}
		} else if (strcmp(type, "money") == 0) {
			if (!json_is_integer(x) || json_integer_value(x) < 0 ||
			    json_integer_value(x) > 999999999)
				add_problem(&p, key, "%s は 0〜999,999,999 の整数（千円）にしてください",
					    label);
			else
				json_object_set(out, key, x);
		} else {
			check_indicators(&p, c, key, label, x, complete, out);
		}
	}
done:
	if (canon && p.n == before && !p.oom)
		*canon = json_incref(out);
	json_decref(out);
	json_decref(c);
	*problems_out = p.v;
	*nproblems = p.n;
	return p.n - before;
}

/* ---- helpers ---- */

static const char *actor_login(const sasae_actor *who) { return who && who->login ? who->login : ""; }

static bool year_ok(int year) { return year >= 2000 && year <= 2100; }

static int bad_year(sasae_error *err)
{
	return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
			       "年度（year）は 2000〜2100 の西暦の数にしてください");
}

static int no_cycle(int year, sasae_error *err)
{
	return sasae_error_set(err, SASAE_ENOTFOUND, NULL, 0,
			       "%d 年度の進捗管理は始まっていません（「sasae progress open」で始めます）",
			       year);
}

static int cycle_get(sasae_store_backend *b, int year, sasae_progress_cycle *c, sasae_error *err)
{
	if (!year_ok(year))
		return bad_year(err);
	bool found = false;
	int rc = b->progress_cycle_get(b, year, c, &found, err);
	return rc ? rc : found ? 0 : no_cycle(year, err);
}

static int sheet_get(sasae_store_backend *b, int year, const char *program, sasae_progress_sheet *sh,
		     sasae_error *err)
{
	bool found = false;
	int rc = program ? b->progress_sheet_get(b, year, program, sh, &found, err) : 0;
	if (rc == 0 && !found)
		rc = sasae_error_set(err, SASAE_ENOTFOUND, NULL, 0,
				     "%d 年度に事業「%.32s」のシートはありません", year,
				     program && sasae_utf8_valid(program, strlen(program), NULL) ? program
												 : "?");
	return rc;
}

/* Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* Parse "YYYY-MM-DD" (a real date): its day number, or false. */
static bool parse_date(const char *s, int64_t *day)
{
	int y, m, d;
	char tail;
	if (s == NULL || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
	    s[4] != '-' || s[7] != '-' || y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1)
		return false;
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[m - 1] + (m == 2 ? leap : 0))
		return false;
	*day = days_from_civil(y, (unsigned)m, (unsigned)d);
	return true;
}

/* ---- opening a cycle ---- */

static json_t *carry_fields(const char *config)
{
	json_t *c = json_loads(config, 0, NULL);
	json_t *out = json_object();
	json_t *fields = json_object_get(c, "fields");
	for (size_t i = 0; i < json_array_size(fields); i++) {
		json_t *f = json_array_get(fields, i);
		json_t *carry = json_object_get(f, "carry");
		if (json_is_string(carry))
			json_object_set(out, json_string_value(json_object_get(f, "key")), carry);
	}
	json_decref(c);
	return out;
}

int sasae_progress_open(sasae_store *s, const sasae_actor *who, const sasae_user *user, int year,
			int64_t version_id, const char *deadline, const char *config, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	if (user && !sasae_user_has(user, SASAE_ROLE_OFFICE))
		return sasae_error_set(err, SASAE_EFORBIDDEN, NULL, 0,
				       "進捗管理の年度を始められるのは計画所管課だけです");
	if (!year_ok(year))
		return bad_year(err);
	int64_t day;
	if (!parse_date(deadline, &day))
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "提出期限（deadline）は「2026-05-31」のような実在する日付にしてください");
	if (config == NULL)
		config = DEFAULT_CONFIG;
	int rc = sasae_progress_config_check(config, err);
	if (rc)
		return rc;
	sasae_plan *plan = NULL;
	if ((rc = sasae_store_load_plan(s, version_id, &plan, err)) != 0)
		return rc;
	json_t *carry = carry_fields(config);
	char at[32], target[40];
	acct_now_ms(at);
	snprintf(target, sizeof target, "progress:%d", year);
	char *slug = NULL;
	int seq = 0;
	if ((rc = b->tx_begin(b, err)) != 0) {
		sasae_plan_free(plan);
		json_decref(carry);
		return rc;
	}
	sasae_progress_cycle old = {0};
	bool found = false;
	rc = b->progress_cycle_get(b, year, &old, &found, err);
	if (rc == 0 && found)
		rc = sasae_error_set(err, SASAE_ECONFLICT, NULL, 0, "%d 年度の進捗管理はもう始まっています",
				     year);
	if (rc == 0)
		rc = b->version_label(b, version_id, &slug, &seq, err);
	sasae_progress_cycle c = {.year = year,
				  .version_id = version_id,
				  .deadline = (char *)(uintptr_t)deadline,
				  .config = (char *)(uintptr_t)config,
				  .opened_at = at,
				  .opened_by = (char *)(uintptr_t)actor_login(who)};
	if (rc == 0)
		rc = b->progress_cycle_insert(b, &c, err);
	size_t carried = 0;
	for (size_t i = 0; rc == 0 && i < plan->nprograms; i++) {
		const sasae_program *pg = &plan->programs[i];
		json_t *data = json_object();
		sasae_progress_sheet prev = {0};
		bool have = false;
		if (json_object_size(carry) && year_ok(year - 1))
			rc = b->progress_sheet_get(b, year - 1, pg->id, &prev, &have, err);
		if (rc == 0 && have) {
			json_t *pd = json_loads(prev.data, 0, NULL);
			const char *k;
			json_t *from;
			json_object_foreach(carry, k, from)
			{
				json_t *v = json_object_get(pd, json_string_value(from));
				if (json_is_string(v) && !blank(json_string_value(v))) {
					json_object_set(data, k, v);
					carried++;
				}
			}
			json_decref(pd);
		}
		sasae_progress_sheet_clear(&prev);
		char **depts = calloc(pg->ndepartments + 1, sizeof *depts);
		char *text = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
		if (depts == NULL || text == NULL)
			rc = rc ? rc : acct_oom(err);
		for (size_t j = 0; depts && j < pg->ndepartments; j++)
			depts[j] = pg->departments[j].name;
		sasae_progress_sheet sh = {.year = year,
					   .program = pg->id,
					   .name = pg->name,
					   .departments = depts,
					   .ndepartments = pg->ndepartments,
					   .state = SASAE_PROGRESS_DRAFT,
					   .data = text,
					   .note = (char *)(uintptr_t) "",
					   .updated_at = at,
					   .updated_by = (char *)(uintptr_t)actor_login(who)};
		if (rc == 0)
			rc = b->progress_sheet_put(b, &sh, err);
		free(depts);
		free(text);
		json_decref(data);
	}
	if (rc == 0) {
		char ver[160];
		snprintf(ver, sizeof ver, "%s@%d", slug, seq);
		rc = acct_audit(b, who, NULL, "progress.open", target, ACCT_AFTER, NULL,
				json_pack("{s:i, s:s, s:s, s:I, s:I}", "year", year, "version", ver,
					  "deadline", deadline, "sheets", (json_int_t)plan->nprograms,
					  "carried", (json_int_t)carried),
				at, err);
	}
	sasae_progress_cycle_clear(&old);
	free(slug);
	sasae_plan_free(plan);
	json_decref(carry);
	return acct_finish(b, rc, err);
}

int sasae_progress_cycle_get(sasae_store *s, int year, sasae_progress_cycle *out, sasae_error *err)
{
	memset(out, 0, sizeof *out);
	return cycle_get(sasae_store_backend_of(s), year, out, err);
}

int sasae_progress_cycle_list(sasae_store *s, sasae_progress_cycle **out, size_t *n, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	return b->progress_cycle_list(b, out, n, err);
}

int sasae_progress_sheets(sasae_store *s, int year, sasae_progress_sheet **out, size_t *n, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	*out = NULL;
	*n = 0;
	sasae_progress_cycle c = {0};
	int rc = cycle_get(b, year, &c, err);
	sasae_progress_cycle_clear(&c);
	return rc ? rc : b->progress_sheet_list(b, year, out, n, err);
}

int sasae_progress_sheet_get(sasae_store *s, int year, const char *program, sasae_progress_sheet *out,
			     sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	memset(out, 0, sizeof *out);
	if (!year_ok(year))
		return bad_year(err);
	return sheet_get(b, year, program, out, err);
}

/* ---- saving and moving a sheet ---- */

/* The fields that differ between a and b (objects): *before and *after with those keys. */
static void diff_fields(json_t *a, json_t *b, json_t **before, json_t **after)
{
	*before = json_object();
	*after = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(a, k, v)
	{
		json_t *w = json_object_get(b, k);
		if (!json_equal(v, w)) {
			json_object_set(*before, k, v);
			json_object_set_new(*after, k, w ? json_incref(w) : json_null());
		}
	}
	json_object_foreach(b, k, v)
	{
		if (!json_object_get(a, k)) {
			json_object_set_new(*before, k, json_null());
			json_object_set(*after, k, v);
		}
	}
}

static int problems_error(size_t n, const sasae_progress_problem *p, sasae_error *err)
{
	return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
			       "シートに直すところが %zu か所あります（最初: %s）", n, n ? p[0].message : "");
}

int sasae_progress_sheet_save(sasae_store *s, const sasae_actor *who, const sasae_user *user, int year,
			      const char *program, const char *values, sasae_progress_problem **problems,
			      size_t *nproblems, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	*problems = NULL;
	*nproblems = 0;
	json_error_t je;
	json_t *v = values ? json_loads(values, JSON_REJECT_DUPLICATES, &je) : NULL;
	if (!json_is_object(v)) {
		json_decref(v);
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "シートの値（values）が JSON のオブジェクトではありません");
	}
	char at[32], target[80];
	acct_now_ms(at);
	snprintf(target, sizeof target, "progress:%d:%.32s", year, program ? program : "");
	int rc = b->tx_begin(b, err);
	if (rc) {
		json_decref(v);
		return rc;
	}
	sasae_progress_cycle c = {0};
	sasae_progress_sheet sh = {0};
	json_t *canon = NULL, *old = NULL;
	rc = cycle_get(b, year, &c, err);
	if (rc == 0)
		rc = sheet_get(b, year, program, &sh, err);
	if (rc == 0 && !sasae_progress_may(user, SASAE_PROGRESS_EDIT, sh.state,
					   (const char *const *)sh.departments, sh.ndepartments, err))
		rc = err ? err->code : SASAE_EFORBIDDEN;
	if (rc == 0 && sasae_progress_check(c.config, v, false, &canon, problems, nproblems) > 0)
		rc = problems_error(*nproblems, *problems, err);
	if (rc == 0 && canon == NULL)
		rc = acct_oom(err);
	if (rc == 0)
		old = json_loads(sh.data, 0, NULL);
	if (rc == 0 && !json_equal(old, canon)) {
		char *text = json_dumps(canon, JSON_COMPACT | JSON_SORT_KEYS);
		char *prev_data = sh.data, *prev_at = sh.updated_at, *prev_by = sh.updated_by;
		sh.data = text;
		sh.updated_at = at;
		sh.updated_by = (char *)(uintptr_t)actor_login(who);
		rc = text ? b->progress_sheet_put(b, &sh, err) : acct_oom(err);
		sh.data = prev_data;
		sh.updated_at = prev_at;
		sh.updated_by = prev_by;
		free(text);
		if (rc == 0) {
			json_t *bf, *af;
			diff_fields(old, canon, &bf, &af);
			rc = acct_audit(b, who, NULL,
					sh.state >= SASAE_PROGRESS_CONFIRMED ? "progress.amend"
									     : "progress.edit",
					target, ACCT_BOTH, bf, af, at, err);
		}
	}
	json_decref(old);
	json_decref(canon);
	json_decref(v);
	sasae_progress_cycle_clear(&c);
	sasae_progress_sheet_clear(&sh);
	return acct_finish(b, rc, err);
}

static json_t *state_json(sasae_progress_state st, const char *comment)
{
	return json_pack("{s:s, s:o}", "state", state_names[st], "comment", acct_json_str(comment));
}

int sasae_progress_act(sasae_store *s, const sasae_actor *who, const sasae_user *user, int year,
		       const char *program, sasae_progress_action action, const char *comment,
		       sasae_progress_problem **problems, size_t *nproblems, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	*problems = NULL;
	*nproblems = 0;
	if ((unsigned)action >= SASAE_PROGRESS_NACTIONS || action == SASAE_PROGRESS_EDIT)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "操作は submit、return、approve、accept、confirm、publish のどれかにしてください");
	if (comment && blank(comment))
		comment = NULL;
	const char *why;
	size_t ncp = 0;
	if (comment && !acct_text_ok(comment, true, 2000, &ncp, &why))
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       strcmp(why, "long") == 0
					       ? "コメント（comment）は 2000 文字以内にしてください"
					       : "コメント（comment）に使えない文字があります");
	if (action == SASAE_PROGRESS_RETURN && comment == NULL)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "差し戻すときは、何を直すのかをコメント（comment）に書いてください");
	char at[32], target[80];
	acct_now_ms(at);
	snprintf(target, sizeof target, "progress:%d:%.32s", year, program ? program : "");
	int rc = b->tx_begin(b, err);
	if (rc)
		return rc;
	sasae_progress_cycle c = {0};
	sasae_progress_sheet sh = {0};
	rc = cycle_get(b, year, &c, err);
	if (rc == 0)
		rc = sheet_get(b, year, program, &sh, err);
	if (rc == 0 && !sasae_progress_may(user, action, sh.state, (const char *const *)sh.departments,
					   sh.ndepartments, err))
		rc = err ? err->code : SASAE_EFORBIDDEN;
	if (rc == 0 && action == SASAE_PROGRESS_SUBMIT) {
		json_t *v = json_loads(sh.data, 0, NULL);
		if (sasae_progress_check(c.config, v, true, NULL, problems, nproblems) > 0)
			rc = problems_error(*nproblems, *problems, err);
		json_decref(v);
	}
	if (rc == 0) {
		sasae_progress_state from = sh.state;
		char *prev_note = sh.note, *prev_at = sh.updated_at, *prev_by = sh.updated_by;
		sh.state = (sasae_progress_state)sasae_progress_next(action, from);
		if (action == SASAE_PROGRESS_RETURN)
			sh.note = (char *)(uintptr_t)comment;
		sh.updated_at = at;
		sh.updated_by = (char *)(uintptr_t)actor_login(who);
		rc = b->progress_sheet_put(b, &sh, err);
		sh.note = prev_note;
		sh.updated_at = prev_at;
		sh.updated_by = prev_by;
		if (rc == 0) {
			char action_name[40];
			snprintf(action_name, sizeof action_name, "progress.%s", action_names[action]);
			rc = acct_audit(b, who, NULL, action_name, target, ACCT_BOTH, state_json(from, NULL),
					state_json(sh.state, comment), at, err);
		}
	}
	sasae_progress_cycle_clear(&c);
	sasae_progress_sheet_clear(&sh);
	return acct_finish(b, rc, err);
}

/* ---- council comments ---- */

/* Whether target is "program:pNNNN…" or "section:P-S". */
static bool comment_target_ok(const char *t)
{
	if (t == NULL)
		return false;
	if (strncmp(t, "program:", 8) == 0) {
		const char *id = t + 8;
		size_t n = strlen(id);
		if (n < 2 || n > 16 || id[0] != 'p')
			return false;
		for (size_t i = 1; i < n; i++)
			if (id[i] < '0' || id[i] > '9')
				return false;
		return true;
	}
	if (strncmp(t, "section:", 8) == 0) {
		int p, sct;
		char tail;
		return sscanf(t + 8, "%d-%d%c", &p, &sct, &tail) == 2 && p >= 1 && p <= 1000 && sct >= 1 &&
		       sct <= 1000 && strlen(t + 8) <= 9;
	}
	return false;
}

int sasae_progress_comment_add(sasae_store *s, const sasae_actor *who, const sasae_user *user, int year,
			       const char *target, const char *text, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	if (user && !sasae_user_has(user, SASAE_ROLE_COUNCIL) && !sasae_user_has(user, SASAE_ROLE_OFFICE))
		return sasae_error_set(err, SASAE_EFORBIDDEN, NULL, 0,
				       "進捗へのコメントを書けるのは審議会と計画所管課だけです");
	if (!comment_target_ok(target))
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "コメントの対象（target）は「program:事業ID」か「section:部-施策」にしてください");
	const char *why;
	size_t ncp = 0;
	if (text == NULL || !acct_text_ok(text, true, 4000, &ncp, &why))
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       text && strcmp(why, "long") == 0
					       ? "コメント（text）は 4000 文字以内にしてください"
					       : "コメント（text）に使えない文字があります");
	if (blank(text))
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0, "コメント（text）が空です");
	char at[32], tg[80];
	acct_now_ms(at);
	snprintf(tg, sizeof tg, "progress:%d:%s", year, target);
	int rc = b->tx_begin(b, err);
	if (rc)
		return rc;
	sasae_progress_cycle c = {0};
	sasae_progress_sheet sh = {0};
	rc = cycle_get(b, year, &c, err);
	if (rc == 0 && strncmp(target, "program:", 8) == 0)
		rc = sheet_get(b, year, target + 8, &sh, err);
	int64_t id = 0;
	if (rc == 0)
		rc = b->progress_comment_insert(b, year, target, actor_login(who), at, text, &id, err);
	if (rc == 0)
		rc = acct_audit(b, who, NULL, "progress.comment", tg, ACCT_AFTER, NULL,
				json_pack("{s:I, s:s}", "id", (json_int_t)id, "text", text), at, err);
	sasae_progress_cycle_clear(&c);
	sasae_progress_sheet_clear(&sh);
	return acct_finish(b, rc, err);
}

int sasae_progress_comment_list(sasae_store *s, int year, const char *target, sasae_comment **out, size_t *n,
				sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	return b->progress_comment_list(b, year, target, out, n, err);
}

/* ---- roll-up ---- */

/* What one sheet adds to a tally. */
static void tally_sheet(sasae_progress_tally *t, const sasae_progress_sheet *sh, json_t *grades,
			const char *grade_key, const char *ind_key)
{
	json_t *d = json_loads(sh->data, 0, NULL);
	t->sheets++;
	if (sh->state != SASAE_PROGRESS_DRAFT && sh->state != SASAE_PROGRESS_RETURNED)
		t->submitted++;
	json_t *g = grade_key ? json_object_get(d, grade_key) : NULL;
	size_t gi = json_array_size(grades);
	for (size_t i = 0; json_is_string(g) && i < json_array_size(grades) && i < 8; i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(grades, i), "code")),
			   json_string_value(g)) == 0)
			gi = i;
	if (gi < json_array_size(grades) && gi < 8)
		t->graded[gi]++;
	else
		t->ungraded++;
	json_t *ind = ind_key ? json_object_get(d, ind_key) : NULL;
	for (size_t i = 0; i < json_array_size(ind); i++) {
		json_t *r = json_array_get(ind, i);
		json_t *tg = json_object_get(r, "target"), *ac = json_object_get(r, "actual"),
		       *bs = json_object_get(r, "baseline");
		if (json_is_number(tg) && json_is_number(ac)) {
			double target = json_number_value(tg), actual = json_number_value(ac);
			bool down = json_is_number(bs) && target < json_number_value(bs);
			t->indicators++;
			t->attained += down ? actual <= target : actual >= target;
		} else if (json_is_string(json_object_get(r, "arrow"))) {
			t->arrows++;
		}
	}
	json_decref(d);
}

void sasae_progress_rollup_free(sasae_progress_rollup *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->ngrades; i++)
		free(r->grades[i]);
	free(r->grades);
	sasae_progress_group *gs[] = {r->sections, r->parts, r->departments};
	size_t ns[] = {r->nsections, r->nparts, r->ndepartments};
	for (int k = 0; k < 3; k++) {
		for (size_t i = 0; i < ns[k]; i++) {
			free(gs[k][i].key);
			free(gs[k][i].title);
			free(gs[k][i].grade);
		}
		free(gs[k]);
	}
	free(r);
}

/* The group keyed key in *v (appended when new); NULL when out of memory. */
static sasae_progress_group *group_of(sasae_progress_group **v, size_t *n, const char *key, const char *title,
				      int part, int section_index)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i].key, key) == 0)
			return &(*v)[i];
	sasae_progress_group *g = realloc(*v, (*n + 1) * sizeof *g);
	if (g == NULL)
		return NULL;
	*v = g;
	g = &g[(*n)++];
	memset(g, 0, sizeof *g);
	g->key = sasae_strdup(key);
	g->title = sasae_strdup(title ? title : "");
	g->part = part;
	g->section_index = section_index;
	return g->key && g->title ? g : NULL;
}

int sasae_progress_rollup_compute(sasae_store *s, int year, sasae_progress_rollup **out, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	*out = NULL;
	sasae_progress_cycle c = {0};
	int rc = cycle_get(b, year, &c, err);
	if (rc)
		return rc;
	sasae_plan *plan = NULL;
	sasae_progress_sheet *sheets = NULL;
	size_t nsheets = 0;
	if ((rc = sasae_store_load_plan(s, c.version_id, &plan, err)) == 0)
		rc = b->progress_sheet_list(b, year, &sheets, &nsheets, err);
	json_t *conf = json_loads(c.config, 0, NULL);
	json_t *grades = json_object_get(conf, "grades"), *fields = json_object_get(conf, "fields");
	const char *grade_key = NULL, *ind_key = NULL;
	for (size_t i = 0; i < json_array_size(fields); i++) {
		json_t *f = json_array_get(fields, i);
		const char *type = json_string_value(json_object_get(f, "type"));
		if (strcmp(type, "grade") == 0)
			grade_key = json_string_value(json_object_get(f, "key"));
		if (strcmp(type, "indicators") == 0)
			ind_key = json_string_value(json_object_get(f, "key"));
	}
	sasae_progress_rollup *r = rc == 0 ? calloc(1, sizeof *r) : NULL;
	if (rc == 0 && r == NULL)
		rc = acct_oom(err);
	if (rc == 0 && r) {
		r->year = year;
		r->ngrades = json_array_size(grades) < 8 ? json_array_size(grades) : 8;
		r->grades = calloc(r->ngrades + 1, sizeof *r->grades);
		if (r->grades == NULL)
			rc = acct_oom(err);
		for (size_t i = 0; rc == 0 && i < r->ngrades; i++)
			if ((r->grades[i] = sasae_strdup(json_string_value(
				     json_object_get(json_array_get(grades, i), "code")))) == NULL)
				rc = acct_oom(err);
	}
	/* sections and parts in document order, each present even when empty */
	for (size_t p = 0; rc == 0 && p < plan->nparts; p++) {
		const sasae_part *pt = &plan->parts[p];
		char key[32];
		snprintf(key, sizeof key, "%d", pt->number);
		if (!group_of(&r->parts, &r->nparts, key, pt->title, pt->number, 0))
			rc = acct_oom(err);
		for (size_t k = 0; rc == 0 && k < pt->nsections; k++) {
			snprintf(key, sizeof key, "%d-%zu", pt->number, k + 1);
			if (!group_of(&r->sections, &r->nsections, key, pt->sections[k].title, pt->number,
				      (int)k + 1))
				rc = acct_oom(err);
		}
	}
	for (size_t i = 0; rc == 0 && i < nsheets; i++) {
		const sasae_progress_sheet *sh = &sheets[i];
		tally_sheet(&r->total, sh, grades, grade_key, ind_key);
		const sasae_program *pg = NULL;
		for (size_t j = 0; j < plan->nprograms && !pg; j++)
			if (strcmp(plan->programs[j].id, sh->program) == 0)
				pg = &plan->programs[j];
		for (size_t j = 0; pg && rc == 0 && j < pg->nplaces; j++) {
			const sasae_place *pl = &pg->places[j];
			bool seen_sec = false, seen_part = false;
			for (size_t q = 0; q < j; q++) {
				seen_sec |= pg->places[q].part == pl->part &&
					    pg->places[q].section_index == pl->section_index;
				seen_part |= pg->places[q].part == pl->part;
			}
			char key[32];
			if (!seen_sec) {
				snprintf(key, sizeof key, "%d-%d", pl->part, pl->section_index);
				sasae_progress_group *g = group_of(&r->sections, &r->nsections, key, NULL,
								   pl->part, pl->section_index);
				if (g == NULL)
					rc = acct_oom(err);
				else
					tally_sheet(&g->tally, sh, grades, grade_key, ind_key);
			}
			if (!seen_part && rc == 0) {
				snprintf(key, sizeof key, "%d", pl->part);
				sasae_progress_group *g =
					group_of(&r->parts, &r->nparts, key, NULL, pl->part, 0);
				if (g == NULL)
					rc = acct_oom(err);
				else
					tally_sheet(&g->tally, sh, grades, grade_key, ind_key);
			}
		}
		for (size_t j = 0; rc == 0 && j < sh->ndepartments; j++) {
			sasae_progress_group *g = group_of(&r->departments, &r->ndepartments,
							   sh->departments[j], sh->departments[j], 0, 0);
			if (g == NULL)
				rc = acct_oom(err);
			else
				tally_sheet(&g->tally, sh, grades, grade_key, ind_key);
		}
	}
	json_decref(conf);
	sasae_progress_sheets_free(sheets, nsheets);
	sasae_plan_free(plan);
	sasae_progress_cycle_clear(&c);
	if (rc) {
		sasae_progress_rollup_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

/* ---- reminders ---- */

static int by_department(const void *a, const void *b)
{
	const sasae_progress_sheet *x = a, *y = b;
	const char *dx = x->ndepartments ? x->departments[0] : "",
		   *dy = y->ndepartments ? y->departments[0] : "";
	int c = strcmp(dx, dy);
	return c ? c : strcmp(x->program, y->program);
}

int sasae_progress_pending(sasae_store *s, int year, int64_t now, sasae_progress_sheet **out, size_t *n,
			   int *days_left, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	*out = NULL;
	*n = 0;
	sasae_progress_cycle c = {0};
	int rc = cycle_get(b, year, &c, err);
	sasae_progress_sheet *v = NULL;
	size_t cnt = 0;
	if (rc == 0)
		rc = b->progress_sheet_list(b, year, &v, &cnt, err);
	if (rc == 0) {
		int64_t deadline = 0;
		parse_date(c.deadline, &deadline);
		/* the date in Japan (UTC+9): the deadline is a day of the office's calendar */
		int64_t today = (now + 9 * 3600) / 86400;
		*days_left = (int)(deadline - today);
		size_t k = 0;
		for (size_t i = 0; i < cnt; i++) {
			if (v[i].state == SASAE_PROGRESS_DRAFT || v[i].state == SASAE_PROGRESS_RETURNED)
				v[k++] = v[i];
			else
				sasae_progress_sheet_clear(&v[i]);
		}
		cnt = k;
		qsort(v, cnt, sizeof *v, by_department);
		*out = v;
		*n = cnt;
	}
	sasae_progress_cycle_clear(&c);
	return rc;
}

/* ---- the spreadsheet round trip (CSV) ---- */

static const char *const FIXED_COLS[] = {"年度", "事業ID", "事業名", "担当課", "状態"};
enum { NFIXED = 5 };
static const char *const IND_COLS[] = {"指標名", "単位", "種別", "基準値", "目標値", "実績値", "矢印"};
static const char *const IND_KEYS[] = {"name", "unit", "kind", "baseline", "target", "actual", "arrow"};
enum { NIND = 7 };

/* A number as a cell: integers without a decimal point, others with up to 15 significant digits. */
static void number_cell(sasae_buf *o, json_t *v)
{
	if (json_is_integer(v))
		sasae_buf_appendf(o, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		sasae_buf_appendf(o, "%.15g", json_real_value(v));
}

static void value_cell(sasae_buf *o, json_t *v)
{
	if (json_is_string(v))
		sasae_csv_cell(o, json_string_value(v));
	else
		number_cell(o, v);
}

int sasae_progress_export_csv(sasae_store *s, int year, const char *department, sasae_buf *out, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	sasae_progress_cycle c = {0};
	int rc = cycle_get(b, year, &c, err);
	if (rc)
		return rc;
	sasae_progress_sheet *sh = NULL;
	size_t n = 0;
	if ((rc = b->progress_sheet_list(b, year, &sh, &n, err)) != 0) {
		sasae_progress_cycle_clear(&c);
		return rc;
	}
	json_t *conf = json_loads(c.config, 0, NULL);
	json_t *fields = json_object_get(conf, "fields");
	const char *ind_key = NULL;
	size_t matched = 0;
	sasae_buf_puts(out, "\xEF\xBB\xBF");
	for (int i = 0; i < NFIXED; i++)
		sasae_buf_appendf(out, "%s%s", i ? "," : "", FIXED_COLS[i]);
	for (size_t i = 0; i < json_array_size(fields); i++) {
		json_t *f = json_array_get(fields, i);
		if (strcmp(json_string_value(json_object_get(f, "type")), "indicators") == 0) {
			ind_key = json_string_value(json_object_get(f, "key"));
			continue;
		}
		sasae_buf_putc(out, ',');
		sasae_csv_cell(out, json_string_value(json_object_get(f, "label")));
	}
	for (int i = 0; ind_key && i < NIND; i++)
		sasae_buf_appendf(out, ",%s", IND_COLS[i]);
	sasae_buf_puts(out, "\r\n");
	for (size_t k = 0; k < n; k++) {
		bool mine = department == NULL;
		for (size_t d = 0; !mine && d < sh[k].ndepartments; d++)
			mine = strcmp(sh[k].departments[d], department) == 0;
		if (!mine)
			continue;
		matched++;
		json_t *data = json_loads(sh[k].data, 0, NULL);
		json_t *ind = ind_key ? json_object_get(data, ind_key) : NULL;
		size_t rows = json_array_size(ind) ? json_array_size(ind) : 1;
		for (size_t r = 0; r < rows; r++) {
			sasae_buf_appendf(out, "%d,", year);
			sasae_csv_cell(out, sh[k].program);
			sasae_buf_putc(out, ',');
			if (r == 0) {
				sasae_csv_cell(out, sh[k].name);
				sasae_buf_putc(out, ',');
				for (size_t d = 0; d < sh[k].ndepartments; d++)
					sasae_buf_appendf(out, "%s%s", d ? " " : "", sh[k].departments[d]);
				sasae_buf_appendf(out, ",%s", state_labels[sh[k].state]);
			} else {
				sasae_buf_puts(out, ",,");
			}
			for (size_t i = 0; i < json_array_size(fields); i++) {
				json_t *f = json_array_get(fields, i);
				const char *key = json_string_value(json_object_get(f, "key"));
				if (ind_key && strcmp(key, ind_key) == 0)
					continue;
				sasae_buf_putc(out, ',');
				if (r == 0)
					value_cell(out, json_object_get(data, key));
			}
			json_t *row = json_array_get(ind, r);
			for (int i = 0; ind_key && i < NIND; i++) {
				sasae_buf_putc(out, ',');
				value_cell(out, json_object_get(row, IND_KEYS[i]));
			}
			sasae_buf_puts(out, "\r\n");
		}
		json_decref(data);
	}
	json_decref(conf);
	sasae_progress_sheets_free(sh, n);
	sasae_progress_cycle_clear(&c);
	if (department && matched == 0)
		return sasae_error_set(err, SASAE_ENOTFOUND, NULL, 0,
				       "%d 年度に担当課「%.100s」のシートはありません", year,
				       sasae_utf8_valid(department, strlen(department), NULL) ? department
											      : "?");
	return sasae_buf_ok(out) ? 0 : acct_oom(err);
}

/* A parsed CSV: cells by record, with the line each record starts on. */
typedef struct csv_rec {
	char **cells;
	size_t n;
	long line;
} csv_rec;

static void csv_free(csv_rec *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++) {
		for (size_t j = 0; j < r[i].n; j++)
			free(r[i].cells[j]);
		free(r[i].cells);
	}
	free(r);
}

/* Parse RFC 4180 CSV (LF or CRLF; a leading byte order mark skipped; blank lines skipped).
   Returns 0, or SASAE_EDATA with *bad_line, *bad_col and a message in why. */
static int csv_parse(const char *s, size_t len, csv_rec **out, size_t *nout, long *bad_line, size_t *bad_col,
		     const char **why)
{
	size_t i = 0;
	long line = 1;
	if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	csv_rec *v = NULL;
	size_t n = 0;
	*why = NULL;
	while (i < len) {
		if (s[i] == '\n' || (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')) { /* a blank line */
			i += s[i] == '\r' ? 2 : 1;
			line++;
			continue;
		}
		csv_rec rec = {NULL, 0, line};
		for (;;) {
			sasae_buf cell = SASAE_BUF_INIT;
			if (i < len && s[i] == '"') {
				long start = line;
				i++;
				for (;;) {
					if (i >= len) {
						*bad_line = start;
						*bad_col = rec.n + 1;
						*why = "引用符（\"）が閉じていません";
						break;
					}
					if (s[i] == '"') {
						if (i + 1 < len && s[i + 1] == '"') {
							sasae_buf_putc(&cell, '"');
							i += 2;
							continue;
						}
						i++;
						break;
					}
					if (s[i] == '\n')
						line++;
					sasae_buf_putc(&cell, s[i++]);
				}
				if (*why == NULL && i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r') {
					*bad_line = line;
					*bad_col = rec.n + 1;
					*why = "引用符（\"）で囲んだ値のあとに文字があります";
				}
			} else {
				while (i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r') {
					if (s[i] == '"' && *why == NULL) {
						*bad_line = line;
						*bad_col = rec.n + 1;
						*why = "引用符（\"）は値全体を囲むときだけ使えます";
					}
					sasae_buf_putc(&cell, s[i++]);
				}
			}
			char **cells = realloc(rec.cells, (rec.n + 1) * sizeof *cells);
			char *text = sasae_buf_detach(&cell);
			if (cells == NULL || text == NULL) {
				free(text);
				free(cells ? cells : rec.cells);
				csv_free(v, n);
				*why = "メモリが足りません";
				return SASAE_ENOMEM;
			}
			rec.cells = cells;
			rec.cells[rec.n++] = text;
			if (*why) {
				csv_rec *nv = realloc(v, (n + 1) * sizeof *nv);
				if (nv) {
					v = nv;
					v[n++] = rec;
				}
				csv_free(v, n);
				return SASAE_EDATA;
			}
			if (i < len && s[i] == ',') {
				i++;
				continue;
			}
			if (i < len && s[i] == '\r')
				i++;
			if (i < len && s[i] == '\n')
				i++;
			line++;
			break;
		}
		csv_rec *nv = realloc(v, (n + 1) * sizeof *nv);
		if (nv == NULL) {
			for (size_t j = 0; j < rec.n; j++)
				free(rec.cells[j]);
			free(rec.cells);
			csv_free(v, n);
			*why = "メモリが足りません";
			return SASAE_ENOMEM;
		}
		v = nv;
		v[n++] = rec;
	}
	*out = v;
	*nout = n;
	return 0;
}

/* A cell's text as typed: the "'" that sasae_csv_cell puts before = + - @ TAB CR taken off. */
static const char *cell_text(const char *c)
{
	return c[0] == '\'' && c[1] && strchr("=+-@\t\r", c[1]) ? c + 1 : c;
}

/* Parse a number cell (digits, optional sign, decimal point; thousands commas allowed). */
static bool parse_number(const char *c, json_t **out, bool integer)
{
	char buf[64];
	size_t k = 0;
	for (const char *p = c; *p; p++) {
		if (*p == ',' || *p == ' ')
			continue;
		if (k + 1 >= sizeof buf)
			return false;
		buf[k++] = *p;
	}
	buf[k] = '\0';
	if (k == 0)
		return false;
	for (size_t i = 0; i < k; i++)
		if (!((buf[i] >= '0' && buf[i] <= '9') || buf[i] == '.' || (i == 0 && buf[i] == '-')))
			return false;
	char *end;
	if (integer || strchr(buf, '.') == NULL) {
		long long v = strtoll(buf, &end, 10);
		if (*end || v < -999999999999LL || v > 999999999999LL)
			return false;
		*out = json_integer(v);
	} else {
		double v = strtod(buf, &end);
		if (*end)
			return false;
		*out = json_real(v);
	}
	return *out != NULL;
}

/* One sheet read from the file. */
typedef struct import_sheet {
	char *program;
	long line;       /* its first row */
	long *ind_lines; /* the row of each indicator */
	size_t nind;
	json_t *values;
} import_sheet;

static void cell_problem(problem_list *p, const char *name, long line, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void cell_problem(problem_list *p, const char *name, long line, size_t col, const char *fmt, ...)
{
	char where[300], msg[600];
	snprintf(where, sizeof where, "%s:%ld:%zu", name, line, col);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	add_problem(p, where, "%s", msg);
}

int sasae_progress_import_csv(sasae_store *s, const sasae_actor *who, const sasae_user *user,
			      const char *name, const char *bytes, size_t len, size_t *changed,
			      sasae_progress_problem **problems, size_t *nproblems, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	*changed = 0;
	*problems = NULL;
	*nproblems = 0;
	problem_list p = {NULL, 0, false};
	size_t bad = 0;
	if (!sasae_utf8_valid(bytes, len, &bad)) {
		return sasae_error_set(err, SASAE_EDATA, name, 0,
				       "UTF-8 の文字として読めないバイトがあります（%zu バイト目）。Excel では「CSV UTF-8」で保存してください",
				       bad + 1);
	}
	csv_rec *rec = NULL;
	size_t nrec = 0;
	long bl = 0;
	size_t bc = 0;
	const char *why = NULL;
	int rc = csv_parse(bytes, len, &rec, &nrec, &bl, &bc, &why);
	if (rc == SASAE_ENOMEM)
		return acct_oom(err);
	if (rc) {
		cell_problem(&p, name, bl, bc, "%s", why);
		*problems = p.v;
		*nproblems = p.n;
		return sasae_error_set(err, SASAE_EDATA, name, bl, "%s", why);
	}
	if (nrec < 2) {
		csv_free(rec, nrec);
		return sasae_error_set(err, SASAE_EDATA, name, 0, "見出しの行とシートの行がありません");
	}
	/* the year: of the first data row; the cycle gives the columns */
	int year = 0;
	const char *ycell = rec[1].n > 0 ? rec[1].cells[0] : "";
	json_t *yv = NULL;
	if (parse_number(ycell, &yv, true))
		year = (int)json_integer_value(yv);
	json_decref(yv);
	sasae_progress_cycle c = {0};
	if (!year_ok(year) || (rc = cycle_get(b, year, &c, err)) != 0) {
		if (!year_ok(year))
			rc = SASAE_EDATA;
		if (year_ok(year))
			cell_problem(&p, name, rec[1].line, 1, "%d 年度の進捗管理は始まっていません", year);
		else
			cell_problem(&p, name, rec[1].line, 1,
				     "年度「%.20s」が読めません（2025 のような西暦で）", ycell);
	}
	json_t *conf = rc == 0 ? json_loads(c.config, 0, NULL) : NULL;
	json_t *fields = json_object_get(conf, "fields");
	/* the header: which column is what */
	size_t ncol = rec[0].n;
	int *colfield =
		calloc(ncol + 1, sizeof *colfield); /* -1 fixed, -2 ignored, -(10+k) indicator k, >=0 field */
	int col_program = -1, col_year = -1;
	const char *ind_key = NULL;
	for (size_t i = 0; i < json_array_size(fields); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(fields, i), "type")),
			   "indicators") == 0)
			ind_key = json_string_value(json_object_get(json_array_get(fields, i), "key"));
	for (size_t j = 0; rc == 0 && colfield && j < ncol; j++) {
		const char *h = cell_text(rec[0].cells[j]);
		colfield[j] = -100;
		for (int k = 0; k < NFIXED; k++)
			if (strcmp(h, FIXED_COLS[k]) == 0) {
				colfield[j] = -2;
				if (k == 0)
					col_year = (int)j;
				if (k == 1)
					col_program = (int)j;
			}
		for (int k = 0; ind_key && k < NIND; k++)
			if (strcmp(h, IND_COLS[k]) == 0)
				colfield[j] = -(10 + k);
		for (size_t i = 0; i < json_array_size(fields); i++) {
			json_t *f = json_array_get(fields, i);
			if (strcmp(h, json_string_value(json_object_get(f, "label"))) == 0 &&
			    strcmp(json_string_value(json_object_get(f, "type")), "indicators") != 0)
				colfield[j] = (int)i;
		}
		for (size_t q = 0; q < j; q++)
			if (strcmp(h, cell_text(rec[0].cells[q])) == 0 && colfield[j] != -100)
				cell_problem(&p, name, rec[0].line, j + 1,
					     "見出し「%.60s」が %zu 列目にもあります", h, q + 1);
		if (colfield[j] == -100)
			cell_problem(&p, name, rec[0].line, j + 1,
				     "見出し「%.60s」はこの年度のシートにない列です", h);
	}
	if (colfield == NULL)
		p.oom = true;
	if (rc == 0 && (col_program < 0 || col_year < 0))
		cell_problem(&p, name, rec[0].line, 1, "見出しに「年度」と「事業ID」の列が要ります");
	/* the rows: sheets and their indicator rows */
	import_sheet *sheets = NULL;
	size_t nsheets = 0;
	for (size_t r = 1; rc == 0 && !p.oom && colfield && col_program >= 0 && col_year >= 0 && r < nrec; r++) {
		csv_rec *row = &rec[r];
		if (row->n != ncol) {
			cell_problem(&p, name, row->line, row->n < ncol ? row->n + 1 : ncol + 1,
				     "この行は %zu 列あります（見出しは %zu 列）", row->n, ncol);
			continue;
		}
		const char *yc = row->cells[col_year];
		json_t *y = NULL;
		if (!parse_number(yc, &y, true) || json_integer_value(y) != year)
			cell_problem(&p, name, row->line, (size_t)col_year + 1,
				     "年度は一つのファイルで一つにしてください（%d と「%.20s」）", year, yc);
		json_decref(y);
		const char *pid = cell_text(row->cells[col_program]);
		import_sheet *sh = nsheets ? &sheets[nsheets - 1] : NULL;
		bool cont = sh && strcmp(sh->program, pid) == 0;
		if (!cont) {
			for (size_t q = 0; q < nsheets; q++)
				if (strcmp(sheets[q].program, pid) == 0)
					cell_problem(&p, name, row->line, (size_t)col_program + 1,
						     "事業 %.32s の行が離れています（%ld 行目から続けて書いてください）",
						     pid, sheets[q].line);
			import_sheet *nv = realloc(sheets, (nsheets + 1) * sizeof *nv);
			if (nv == NULL) {
				p.oom = true;
				break;
			}
			sheets = nv;
			sh = &sheets[nsheets++];
			memset(sh, 0, sizeof *sh);
			sh->program = sasae_strdup(pid);
			sh->line = row->line;
			sh->values = json_object();
		}
		json_t *ind = json_object();
		bool any_ind = false;
		for (size_t j = 0; j < ncol; j++) {
			const char *cell = cell_text(row->cells[j]);
			int fi = colfield[j];
			if (fi <= -10 && fi > -10 - NIND) { /* an indicator column (-100: unknown) */
				int k = -(fi + 10);
				if (blank(cell))
					continue;
				any_ind = true;
				if (k >= 3 && k <= 5) {
					json_t *num = NULL;
					if (!parse_number(cell, &num, false))
						cell_problem(&p, name, row->line, j + 1,
							     "%sは数にしてください（「%.40s」）", IND_COLS[k],
							     cell);
					else
						json_object_set_new(ind, IND_KEYS[k], num);
				} else {
					json_object_set_new(ind, IND_KEYS[k], json_string(cell));
				}
				continue;
			}
			if (fi < 0)
				continue;
			json_t *f = json_array_get(fields, (size_t)fi);
			const char *key = json_string_value(json_object_get(f, "key"));
			const char *type = json_string_value(json_object_get(f, "type"));
			if (cont) {
				if (!blank(cell))
					cell_problem(&p, name, row->line, j + 1,
						     "同じ事業の 2 行目からは指標の列だけを書いてください（%s は %ld 行目に）",
						     json_string_value(json_object_get(f, "label")), sh->line);
				continue;
			}
			if (blank(cell))
				continue;
			if (strcmp(type, "money") == 0) {
				json_t *num = NULL;
				if (!parse_number(cell, &num, true))
					cell_problem(&p, name, row->line, j + 1,
						     "%s は整数（千円）にしてください（「%.40s」）",
						     json_string_value(json_object_get(f, "label")), cell);
				else
					json_object_set_new(sh->values, key, num);
			} else {
				/* line breaks inside a cell as the spreadsheet wrote them: CRLF → LF */
				sasae_buf t = SASAE_BUF_INIT;
				for (const char *q = cell; *q; q++)
					if (!(q[0] == '\r' && q[1] == '\n'))
						sasae_buf_putc(&t, *q);
				json_object_set_new(sh->values, key, json_string(sasae_buf_cstr(&t)));
				sasae_buf_free(&t);
			}
		}
		if (any_ind && ind_key) {
			json_t *arr = json_object_get(sh->values, ind_key);
			if (arr == NULL) {
				arr = json_array();
				json_object_set_new(sh->values, ind_key, arr);
			}
			json_array_append(arr, ind);
			long *nl = realloc(sh->ind_lines, (sh->nind + 1) * sizeof *nl);
			if (nl) {
				sh->ind_lines = nl;
				sh->ind_lines[sh->nind++] = row->line;
			} else {
				p.oom = true;
			}
		}
		json_decref(ind);
	}
	/* the values of each sheet, checked as the form checks them; the problem put on its cell */
	size_t col_of_key_cap = ncol;
	for (size_t k = 0; rc == 0 && !p.oom && k < nsheets; k++) {
		sasae_progress_problem *sp = NULL;
		size_t nsp = 0;
		sasae_progress_check(c.config, sheets[k].values, false, NULL, &sp, &nsp);
		for (size_t q = 0; q < nsp; q++) {
			long line = sheets[k].line;
			size_t col = (size_t)col_program + 1;
			size_t ii = 0;
			char sub[32] = "";
			if (ind_key && sscanf(sp[q].field, "%*[a-z_][%zu].%31[a-z]", &ii, sub) >= 1 &&
			    ii >= 1 && ii <= sheets[k].nind) {
				line = sheets[k].ind_lines[ii - 1];
				for (size_t j = 0; j < col_of_key_cap; j++)
					if (colfield[j] <= -10 && colfield[j] > -10 - NIND &&
					    strcmp(IND_KEYS[-(colfield[j] + 10)], sub) == 0)
						col = j + 1;
			} else {
				for (size_t j = 0; j < ncol; j++)
					if (colfield[j] >= 0 &&
					    strcmp(json_string_value(
							   json_object_get(json_array_get(fields,
											  (size_t)colfield[j]),
									   "key")),
						   sp[q].field) == 0)
						col = j + 1;
			}
			cell_problem(&p, name, line, col, "%s", sp[q].message);
		}
		sasae_progress_problems_free(sp, nsp);
	}
	/* write: one transaction; the scope and the state checked inside it */
	char at[32];
	acct_now_ms(at);
	bool began = false;
	if (rc == 0 && p.n == 0 && !p.oom)
		began = (rc = b->tx_begin(b, err)) == 0;
	size_t done = 0;
	json_t *list = json_array();
	for (size_t k = 0; began && rc == 0 && k < nsheets; k++) {
		sasae_progress_sheet cur = {0};
		bool found = false;
		rc = b->progress_sheet_get(b, year, sheets[k].program, &cur, &found, err);
		if (rc)
			break;
		if (!found) {
			cell_problem(&p, name, sheets[k].line, (size_t)col_program + 1,
				     "%d 年度に事業「%.32s」のシートはありません", year, sheets[k].program);
			continue;
		}
		sasae_error e = {0};
		json_t *canon = NULL;
		sasae_progress_problem *sp = NULL;
		size_t nsp = 0;
		sasae_progress_check(c.config, sheets[k].values, false, &canon, &sp, &nsp);
		sasae_progress_problems_free(sp, nsp);
		json_t *old = json_loads(cur.data, 0, NULL);
		if (canon && !json_equal(old, canon)) {
			if (!sasae_progress_may(user, SASAE_PROGRESS_EDIT, cur.state,
						(const char *const *)cur.departments, cur.ndepartments, &e)) {
				cell_problem(&p, name, sheets[k].line, (size_t)col_program + 1, "%s: %s",
					     sheets[k].program, e.message);
			} else if (p.n == 0) {
				char *text = json_dumps(canon, JSON_COMPACT | JSON_SORT_KEYS);
				char *pd = cur.data, *pa = cur.updated_at, *pb = cur.updated_by;
				cur.data = text;
				cur.updated_at = at;
				cur.updated_by = (char *)(uintptr_t)actor_login(who);
				rc = text ? b->progress_sheet_put(b, &cur, err) : acct_oom(err);
				cur.data = pd;
				cur.updated_at = pa;
				cur.updated_by = pb;
				free(text);
				if (rc == 0) {
					char target[80];
					snprintf(target, sizeof target, "progress:%d:%s", year,
						 sheets[k].program);
					json_t *bf, *af;
					diff_fields(old, canon, &bf, &af);
					rc = acct_audit(b, who, NULL,
							cur.state >= SASAE_PROGRESS_CONFIRMED
								? "progress.amend"
								: "progress.edit",
							target, ACCT_BOTH, bf, af, at, err);
					json_array_append_new(list, json_string(sheets[k].program));
					done++;
				}
			}
		}
		json_decref(old);
		json_decref(canon);
		sasae_progress_sheet_clear(&cur);
	}
	if (began && rc == 0 && p.n == 0 && done) {
		char target[40];
		snprintf(target, sizeof target, "progress:%d", year);
		rc = acct_audit(b, who, NULL, "progress.import", target, ACCT_AFTER, NULL,
				json_pack("{s:s, s:I, s:O}", "file", name, "changed", (json_int_t)done,
					  "programs", list),
				at, err);
	}
	json_decref(list);
	if (p.oom && rc == 0)
		rc = acct_oom(err);
	if (rc == 0 && p.n)
		rc = sasae_error_set(err, SASAE_EDATA, name, 0,
				     "直すところが %zu か所あります。何も取り込んでいません", p.n);
	if (began)
		rc = acct_finish(b, rc, err);
	if (rc == 0)
		*changed = done;
	for (size_t k = 0; k < nsheets; k++) {
		free(sheets[k].program);
		free(sheets[k].ind_lines);
		json_decref(sheets[k].values);
	}
	free(sheets);
	free(colfield);
	json_decref(conf);
	csv_free(rec, nrec);
	sasae_progress_cycle_clear(&c);
	*problems = p.v;
	*nproblems = p.n;
	return rc;
}
