/*
 * office_pages.c — the plan office's workspace (docs/office.md): its home (/office: the plans, their
 * versions, which one the public sees, and the form to publish another), a version's parts and
 * their titles (/office/plans/{slug@N}), and the office's data files as text (/office/files…).
 * Every change is one call of the core (include/core/sasae/office.h), which checks it as the file
 * loaders do and writes its audit row; after a change that the public pages show, the served site
 * is built again (sasae_web_reload) so that a running server shows it at once.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/accounts.h"
#include "sasae/escape.h"
#include "sasae/office.h"
#include "page.h"
#include "pages.h"

/* ---- /office ---- */

/* The programs of the served plan in the departments where u is an editor: [{id, name}]. */
static json_t *my_programs(const web_site *site, const sasae_user *u)
{
	json_t *list = json_array();
	for (size_t i = 0; i < site->plan->nprograms; i++) {
		const sasae_program *p = &site->plan->programs[i];
		bool mine = false;
		for (size_t d = 0; d < p->ndepartments && !mine; d++)
			mine = sasae_user_has_in(u, SASAE_ROLE_EDITOR, p->departments[d].name);
		if (mine)
			json_array_append_new(list, json_pack("{s:s, s:s}", "id", p->id, "name", p->name));
	}
	return list;
}

void web_office_home(web_ctx *c)
{
	const web_site *site = web_of(c);
	const sasae_session *session = web_session(c);
	sasae_store *s = web_ws_store(c);
	if (s == NULL)
		return;
	sasae_error err = {0};
	sasae_plan_info *plans = NULL;
	size_t n = 0;
	int rc = sasae_store_plans(s, &plans, &n, &err);
	json_t *list = json_array();
	for (size_t i = 0; rc == 0 && i < n; i++) {
		int published = 0;
		if ((rc = sasae_plan_public_get(s, plans[i].slug, &published, &err)) != 0)
			break;
		bool served_plan = strcmp(plans[i].slug, site->plan->slug) == 0;
		json_t *versions = json_array();
		for (int v = plans[i].version; v >= 1; v--) {
			char spec[300], prev[300];
			snprintf(spec, sizeof spec, "%s@%d", plans[i].slug, v);
			snprintf(prev, sizeof prev, "%s@%d", plans[i].slug, v - 1);
			json_array_append_new(versions,
					      json_pack("{s:i, s:s, s:s?, s:b, s:b, s:b}", "number", v,
							"spec", spec, "prev", v > 1 ? prev : NULL, "public",
							published ? v == published : v == plans[i].version,
							"served", served_plan && v == site->plan->version,
							"selected", v == published));
		}
		json_array_append_new(list, json_pack("{s:s, s:s, s:i, s:i, s:s?, s:I, s:o}", "slug",
						      plans[i].slug, "title", plans[i].title, "latest",
						      plans[i].version, "published", published, "imported_at",
						      plans[i].imported_at, "programs",
						      (json_int_t)plans[i].programs, "versions", versions));
	}
	sasae_plan_infos_free(plans, n);
	if (rc) {
		json_decref(list);
		web_core_fail(c, rc, &err);
		return;
	}
	const sasae_user *u = &session->user;
	const char *spec = web_app(c)->plan_spec;
	json_t *page = web_ws_page(c);
	json_object_set_new(page, "plans", list);
	json_object_set_new(page, "office", json_boolean(sasae_user_has(u, SASAE_ROLE_OFFICE)));
	json_object_set_new(page, "lint",
			    json_boolean(sasae_user_has(u, SASAE_ROLE_OFFICE) ||
					 sasae_user_has(u, SASAE_ROLE_COUNCIL)));
	json_object_set_new(page, "audit",
			    json_boolean(sasae_user_has(u, SASAE_ROLE_OFFICE) ||
					 sasae_user_has(u, SASAE_ROLE_ADMIN)));
	json_object_set_new(page, "no_roles", json_boolean(u->ngrants == 0));
	json_object_set_new(page, "pinned", json_boolean(spec && strchr(spec, '@')));
	json_object_set_new(page, "served",
			    json_pack("{s:s, s:i, s:s}", "slug", site->plan->slug, "version",
				      site->plan->version, "title", site->plan->title));
	json_object_set_new(page, "mine", my_programs(site, u));
	web_render(c, 200, "office", page, "作業画面");
}

/* POST /office/publish: plan, version (0: the latest). */
void web_office_publish(web_ctx *c)
{
	const char *slug = sasae_http_form(c->req, "plan");
	const char *v = sasae_http_form(c->req, "version");
	long version = v && strcmp(v, "0") == 0 ? 0 : v ? web_parse_num(v) : -1;
	if (slug == NULL || *slug == '\0') {
		web_fail(c, 400, "bad-input", "入力が正しくありません", "計画（plan）を指定してください。");
		return;
	}
	if (version < 0) {
		web_fail(c, 400, "bad-input", "入力が正しくありません",
			 "「公開する版」には 0（最新版）か版の番号を指定してください。");
		return;
	}
	sasae_store *s = web_ws_store(c);
	if (s == NULL)
		return;
	sasae_error err = {0};
	sasae_actor who = web_actor(c);
	int rc = sasae_plan_public_set(s, &who, slug, (int)version, &err);
	if (rc) {
		web_core_fail(c, rc, &err);
		return;
	}
	const char *spec = web_app(c)->plan_spec;
	const char *code = spec && strchr(spec, '@') ? "published-pinned" : web_reload_code(c, "published");
	web_done(c, "/office", code, "plans");
}

/* ---- /office/plans/{spec}: a version's parts ---- */

/* The version page; error (may be NULL) is shown at part error_part's field with the title typed. */
static void version_page(web_ctx *c, int status, const char *spec, int error_part, const char *error,
			 const char *typed)
{
	sasae_store *s = web_ws_store(c);
	if (s == NULL)
		return;
	sasae_error err = {0};
	int64_t vid = 0;
	sasae_plan *plan = NULL;
	int rc = strchr(spec, '@')
			 ? sasae_store_resolve(s, spec, &vid, &err)
			 : sasae_error_set(&err, SASAE_ENOTFOUND, NULL, 0,
					   "版を「計画@版」の形で指定してください（例: sendai-2024-draft@1）");
	if (rc == SASAE_EUSAGE)
		rc = SASAE_ENOTFOUND; /* a malformed address is a page that does not exist */
	if (rc == 0)
		rc = sasae_store_load_plan(s, vid, &plan, &err);
	if (rc) {
		web_core_fail(c, rc, &err);
		return;
	}
	bool office = sasae_user_has(&web_session(c)->user, SASAE_ROLE_OFFICE);
	bool served = vid == web_of(c)->version_id;
	json_t *parts = json_array();
	for (size_t i = 0; i < plan->nparts; i++) {
		const sasae_part *p = &plan->parts[i];
		size_t listings = 0;
		for (size_t j = 0; j < p->nsections; j++)
			listings += p->sections[j].nlistings;
		bool here = error && error_part == p->number;
		json_array_append_new(parts, json_pack("{s:i, s:s?, s:s?, s:I, s:I, s:s?}", "number", p->number,
						       "title", here ? typed : p->title, "saved", p->title,
						       "sections", (json_int_t)p->nsections, "listings",
						       (json_int_t)listings, "error", here ? error : NULL));
	}
	char prev[300];
	snprintf(prev, sizeof prev, "%s@%d", plan->slug, plan->version - 1);
	json_t *page = web_ws_page(c);
	json_object_set_new(page, "plan",
			    json_pack("{s:s, s:i, s:s, s:s, s:s, s:s?}", "slug", plan->slug, "version",
				      plan->version, "spec", spec, "title", plan->title, "source",
				      plan->source ? plan->source : "", "prev",
				      plan->version > 1 ? prev : NULL));
	json_object_set_new(page, "parts", parts);
	json_object_set_new(page, "office", json_boolean(office));
	json_object_set_new(page, "served", json_boolean(served));
	json_object_set_new(page, "error", error ? json_string(error) : json_null());
	char title[400];
	snprintf(title, sizeof title, "%s 第%d版", plan->slug, plan->version);
	sasae_plan_free(plan);
	web_render(c, status, "office_version", page, title);
}

void web_office_version(web_ctx *c) { version_page(c, 200, c->req->args[0], 0, NULL, NULL); }

/* POST /office/plans/{spec}/parts/{part}: title ("" removes it). */
void web_part_title(web_ctx *c)
{
	const char *spec = c->req->args[0];
	long part = web_parse_num(c->req->args[1]);
	const char *title = sasae_http_form(c->req, "title");
	sasae_store *s = web_ws_store(c);
	if (s == NULL)
		return;
	sasae_error err = {0};
	int64_t vid = 0;
	int rc = strchr(spec, '@') ? sasae_store_resolve(s, spec, &vid, &err) : SASAE_ENOTFOUND;
	if (rc || part < 1) {
		web_fail(c, 404, "not-found", "見つかりません", "その版、またはその部はありません。");
		return;
	}
	if (title == NULL) {
		version_page(c, 400, spec, (int)part, "見出し（title）の欄がありません。", "");
		return;
	}
	sasae_actor who = web_actor(c);
	rc = sasae_part_title_set(s, &who, vid, (int)part, title, &err);
	if (rc == SASAE_EUSAGE || rc == SASAE_EDATA) {
		version_page(c, 400, spec, (int)part, err.message, title);
		return;
	}
	if (rc) {
		web_core_fail(c, rc, &err);
		return;
	}
	const char *code = vid == web_of(c)->version_id ? web_reload_code(c, "title") : "title";
	sasae_buf path = SASAE_BUF_INIT;
	sasae_buf_puts(&path, "/office/plans/");
	sasae_url_encode(&path, spec, strlen(spec));
	char anchor[32];
	snprintf(anchor, sizeof anchor, "part-%ld", part);
	web_done(c, sasae_buf_ok(&path) ? path.data : "/office", code, anchor);
	sasae_buf_free(&path);
}

/* ---- /office/files: the office's data files ---- */

static const struct {
	const char *name, *label, *use;
} office_files[] = {
	{"departments.tsv", "担当局等の表",
	 "取り込みのとき、担当局等の書き方を正式名にそろえる表（次の取り込みから使われます）"},
	{"vocabulary.tsv", "「支援をさがす」の語彙", "だれが・なにに困っているかの選択肢と、そのやさしい言い方"},
	{"tag-rules.tsv", "タグ付けの規則", "事業名・概要の言葉から、事業に語彙のタグを付ける規則"},
	{"tag-overrides.tsv", "事業ごとのタグの指定",
	 "規則では正しく付かない事業へのタグの追加・削除（理由つき）"},
	{"everyday-words.tsv", "ふだんの言葉", "住民が書く言葉（「物忘れ」など）と語彙の対応"},
};
enum { NFILES = sizeof office_files / sizeof office_files[0] };

static int file_index(const char *name)
{
	for (int i = 0; i < (int)NFILES; i++)
		if (strcmp(office_files[i].name, name) == 0)
			return i;
	return -1;
}

void web_office_files(web_ctx *c)
{
	sasae_store *s = web_ws_store(c);
	if (s == NULL)
		return;
	json_t *files = json_array();
	for (size_t i = 0; i < NFILES; i++) {
		sasae_error err = {0};
		sasae_store_file f = {0};
		int rc = sasae_office_file_get(s, office_files[i].name, &f, &err);
		if (rc) {
			json_decref(files);
			web_core_fail(c, rc, &err);
			return;
		}
		bool builtin = f.source == NULL || strcmp(f.source, "built-in") == 0;
		json_array_append_new(files,
				      json_pack("{s:s, s:s, s:s, s:b, s:s?, s:I}", "name",
						office_files[i].name, "label", office_files[i].label, "use",
						office_files[i].use, "builtin", builtin, "loaded_at",
						builtin ? NULL : f.loaded_at, "bytes", (json_int_t)f.len));
		sasae_store_file_clear(&f);
	}
	json_t *page = web_ws_page(c);
	json_object_set_new(page, "files", files);
	web_render(c, 200, "office_files", page, "データファイル");
}

/* The file's page: its text (or text typed, when an error is shown with it). */
static void file_page(web_ctx *c, int status, int idx, const char *typed, const char *error)
{
	sasae_store *s = web_ws_store(c);
	if (s == NULL)
		return;
	sasae_error err = {0};
	sasae_store_file f = {0};
	int rc = sasae_office_file_get(s, office_files[idx].name, &f, &err);
	if (rc) {
		web_core_fail(c, rc, &err);
		return;
	}
	bool builtin = f.source == NULL || strcmp(f.source, "built-in") == 0;
	json_t *page = web_ws_page(c);
	json_object_set_new(page, "file",
			    json_pack("{s:s, s:s, s:s, s:b, s:s?, s:s?, s:s?}", "name", office_files[idx].name,
				      "label", office_files[idx].label, "use", office_files[idx].use,
				      "builtin", builtin, "loaded_at", builtin ? NULL : f.loaded_at, "source",
				      builtin ? NULL : f.source, "text",
				      typed    ? typed
				      : f.text ? f.text
					       : ""));
	json_object_set_new(page, "error", error ? json_string(error) : json_null());
	sasae_store_file_clear(&f);
	web_render(c, status, "office_file", page, office_files[idx].label);
}

void web_office_file(web_ctx *c)
{
	int idx = file_index(c->req->args[0]);
	if (idx < 0) {
		web_fail(c, 404, "not-found", "見つかりません", "そのデータファイルはありません。");
		return;
	}
	file_page(c, 200, idx, NULL, NULL);
}

/* POST /office/files/{name}: text (the whole file), or reset=1 (back to the built-in one). */
void web_office_file_post(web_ctx *c)
{
	int idx = file_index(c->req->args[0]);
	if (idx < 0) {
		web_fail(c, 404, "not-found", "見つかりません", "そのデータファイルはありません。");
		return;
	}
	const char *reset = sasae_http_form(c->req, "reset");
	const char *text = sasae_http_form(c->req, "text");
	bool back = reset && strcmp(reset, "1") == 0;
	if (!back && text == NULL) {
		file_page(c, 400, idx, "", "内容（text）の欄がありません。");
		return;
	}
	sasae_store *s = web_ws_store(c);
	if (s == NULL)
		return;
	char *lf = back ? NULL : web_text_lf(text);
	if (!back && lf == NULL) {
		web_fail(c, 500, "internal", "内部エラー", "メモリが足りません。");
		return;
	}
	sasae_error err = {0};
	sasae_actor who = web_actor(c);
	int rc = sasae_office_file_set(s, &who, office_files[idx].name, lf, &err);
	if (rc == SASAE_EDATA || rc == SASAE_EUSAGE) {
		char msg[800];
		sasae_error_format(&err, msg, sizeof msg); /* "name:line: …", as the loaders say it */
		file_page(c, 400, idx, text, msg);
		free(lf);
		return;
	}
	free(lf);
	if (rc) {
		web_core_fail(c, rc, &err);
		return;
	}
	char path[128];
	snprintf(path, sizeof path, "/office/files/%s", office_files[idx].name);
	web_done(c, path, web_reload_code(c, back ? "file-reset" : "file"), NULL);
}
