/*
 * page.c — the helpers every page file of src/web shares (see page.h): parameters, rendering a
 * template into the layout, errors (the HTML error page or RFC 9457 problem+json), JSON answers,
 * the per-thread store connection, and the plan's model as JSON for pages and the API.
 */
#include "page.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/escape.h"
#include "sasae/template.h"
#include "web_assets.h"

/* ---- templates: the embedded set, built once ---- */

enum { MAX_TEMPLATES = 64 };
static sasae_template_src template_set[MAX_TEMPLATES];
const sasae_template_src *sasae_web_templates = template_set;
size_t sasae_web_ntemplates;
static pthread_once_t templates_once = PTHREAD_ONCE_INIT;

static void templates_setup(void)
{
	for (size_t i = 0; i < sasae_web_template_files_count && i < MAX_TEMPLATES; i++) {
		template_set[i] = (sasae_template_src){sasae_web_template_files[i].name,
						       sasae_web_template_files[i].text,
						       sasae_web_template_files[i].len};
		sasae_web_ntemplates++;
	}
}

void sasae_web_templates_init(void) { pthread_once(&templates_once, templates_setup); }

/* ---- requests ---- */

bool web_is_api_request(const sasae_http_request *req)
{
	return req->resource && strncmp(req->resource, "/api/", 5) == 0;
}

const char *web_param(const web_ctx *c, const char *name) { return sasae_http_query(c->req, name); }

size_t web_params(const web_ctx *c, const char *name, const char **out, size_t cap)
{
	return sasae_http_query_all(c->req, name, out, cap);
}

/* ---- answers ---- */

static void render_failure(web_ctx *c, const sasae_error *err)
{
	sasae_buf_clear(&c->res->body);
	c->res->status = 500;
	c->res->content_type = "text/plain; charset=utf-8";
	sasae_buf_puts(&c->res->body, "500 内部エラー: ");
	sasae_buf_puts(&c->res->body, err->message);
}

int web_render(web_ctx *c, int status, const char *template_name, json_t *page, const char *title)
{
	sasae_error err = {0};
	sasae_buf content = SASAE_BUF_INIT;
	const sasae_plan *plan = web_of(c)->plan;
	sasae_buf_reserve(&content, 16384); /* a page's size: no copies while it grows */
	sasae_buf_reserve(&c->res->body, 16384);
	json_object_set_new(page, "plan_title", json_string(plan->title));
	if (sasae_template_render(&content, sasae_web_templates, sasae_web_ntemplates, template_name, page,
				  &err)) {
		sasae_buf_free(&content);
		json_decref(page);
		render_failure(c, &err);
		return -1;
	}
	const char *q = web_param(c, "q");
	json_t *layout = json_pack("{s:s, s:s, s:s}", "title", title, "plan_title", plan->title, "q",
				   q && strcmp(template_name, "search") == 0 ? q : "");
	const sasae_session *session = web_session(c);
	if (session) /* the workspace's bar: who is signed in, the links their roles open, sign-out */
		json_object_set_new(layout, "user", web_user_json(session));
	/* the page as the template engine made it: valid UTF-8 (from valid strings), not checked again */
	json_object_set_new_nocheck(layout, "content",
				    json_stringn_nocheck(content.data ? content.data : "", content.len));
	sasae_buf_free(&content);
	json_decref(page);
	sasae_buf_clear(&c->res->body);
	int rc = sasae_template_render(&c->res->body, sasae_web_templates, sasae_web_ntemplates, "layout",
				       layout, &err);
	json_decref(layout);
	if (rc) {
		render_failure(c, &err);
		return -1;
	}
	c->res->status = status;
	c->res->content_type = "text/html; charset=utf-8";
	return 0;
}

void web_send_json(web_ctx *c, json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(v);
	if (s == NULL) {
		web_fail(c, 500, "internal", "内部エラー", "応答を作れませんでした");
		return;
	}
	sasae_buf_clear(&c->res->body);
	sasae_buf_puts(&c->res->body, s);
	sasae_buf_putc(&c->res->body, '\n');
	free(s);
	c->res->status = 200;
	c->res->content_type = "application/json";
	sasae_http_header(c->res, "Access-Control-Allow-Origin", "*");
}

/* Stable error codes of the API (problem "type" ends with the code). */
void web_fail(web_ctx *c, int status, const char *code, const char *title, const char *detail)
{
	sasae_http_response *res = c->res;
	sasae_buf_clear(&res->body);
	if (web_is_api(c)) {
		json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", "", "title", title, "status",
				      status, "detail", detail, "instance", c->req->path ? c->req->path : "/");
		char type[128];
		snprintf(type, sizeof type, "/api/v1/problems/%s", code);
		json_object_set_new(p, "type", json_string(type));
		json_object_set_new(p, "code", json_string(code));
		char *s = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(p);
		res->status = status;
		res->content_type = "application/problem+json";
		if (s)
			sasae_buf_puts(&res->body, s);
		free(s);
		sasae_http_header(res, "Access-Control-Allow-Origin", "*");
		return;
	}
	json_t *page = json_pack("{s:i, s:s, s:s, s:b}", "status", status, "title", title, "detail", detail,
				 "not_found", status == 404);
	web_render(c, status, "error", page, title);
}

void web_redirect(web_ctx *c, const char *location)
{
	sasae_buf_clear(&c->res->body);
	c->res->status = 303;
	c->res->content_type = "text/plain; charset=utf-8";
	sasae_http_header(c->res, "Location", "%s", location);
	sasae_buf_puts(&c->res->body, "303 See Other\n");
}

/* 303 to the sign-in page, with the page asked for as next (a GET's own address; after a refused
   write, the workspace's home) and why=expired when a session had ended. */
static void redirect_to_login(web_ctx *c)
{
	const sasae_http_request *req = c->req;
	const char *method = req->method ? req->method : "GET";
	bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	const char *next = get && req->resource ? req->resource : "/office";
	sasae_buf loc = SASAE_BUF_INIT;
	sasae_buf_puts(&loc, "/login?next=");
	sasae_url_encode(&loc, next, strlen(next));
	if (web_req(c) && web_req(c)->expired)
		sasae_buf_puts(&loc, "&why=expired");
	if (sasae_buf_ok(&loc) && loc.len < 500)
		web_redirect(c, loc.data);
	else
		web_redirect(c, "/login");
	sasae_buf_free(&loc);
	c->res->head = strcmp(method, "HEAD") == 0;
}

void web_problem(sasae_http_ctx *x, const sasae_http_problem *p)
{
	const web_request *r = web_req(x);
	if (p->status == 401 && !web_is_api(x)) {
		redirect_to_login(x);
		return;
	}
	int status = p->status;
	const char *code = p->code, *title = p->title, *detail = p->detail;
	if (r && (status == 401 || status == 403)) {
		if (r->deny_status)
			status = r->deny_status;
		if (r->deny_code)
			code = r->deny_code;
		if (r->deny_title)
			title = r->deny_title;
		if (r->deny_detail)
			detail = r->deny_detail;
	}
	/* the API's 414 says what is long: the search words (SASAE_QUERY_MAX_BYTES) */
	if (strcmp(code, "uri-too-long") == 0)
		detail = "URL を短くしてください（検索語は 1,000 バイトまでです）。";
	web_fail(x, status, code, title, detail);
}

/* ---- the model as JSON contexts ---- */

const sasae_program *web_find_program(const web_site *w, const char *id)
{
	sasae_program key = {0};
	key.id = (char *)(uintptr_t)id;
	const sasae_program *kp = &key;
	const sasae_program **hit =
		bsearch(&kp, w->by_id, w->plan->nprograms, sizeof *w->by_id, web_program_id_cmp);
	return hit ? *hit : NULL;
}

const sasae_part *web_find_part(const sasae_plan *p, long n)
{
	return n >= 1 && (size_t)n <= p->nparts ? &p->parts[n - 1] : NULL;
}

int web_program_id_cmp(const void *a, const void *b)
{
	return strcmp((*(const sasae_program *const *)a)->id, (*(const sasae_program *const *)b)->id);
}

int web_str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *web_departments_json(const sasae_department *d, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s?}", "name", d[i].name, "note", d[i].note));
	return a;
}

json_t *web_listing_json(const web_site *w, const sasae_listing *l, int section_index)
{
	const sasae_plan *plan = w->plan;
	const sasae_program *p = web_find_program(w, l->program);
	json_t *o = json_pack("{s:I, s:i, s:s, s:b, s:s, s:o, s:s, s:I, s:i, s:i, s:i}", "number",
			      (json_int_t)l->number, "position", l->position, "name", l->name, "relisted",
			      l->relisted, "summary", l->summary, "departments",
			      web_departments_json(l->departments, l->ndepartments), "program", l->program,
			      "source_line", (json_int_t)l->source_line, "part", l->part, "section",
			      l->section, "section_index", section_index);
	/* for a re-listing: where the original is */
	if (p && l->relisted) {
		for (size_t k = 0; k < p->nplaces; k++) {
			const sasae_place *pl = &p->places[k];
			const sasae_section *s = &plan->parts[pl->part - 1].sections[pl->section_index - 1];
			if (!s->listings[pl->position - 1].relisted) {
				json_object_set_new(o, "original",
						    json_pack("{s:i, s:i, s:i, s:i, s:s}", "part", pl->part,
							      "section", pl->section, "section_index",
							      pl->section_index, "position", pl->position,
							      "section_title", s->title));
				break;
			}
		}
	}
	return o;
}

json_t *web_section_summary(const sasae_part *p, size_t j)
{
	const sasae_section *s = &p->sections[j];
	return json_pack("{s:i, s:i, s:i, s:s, s:I}", "part", p->number, "number", s->number, "index",
			 (int)j + 1, "title", s->title, "listings", (json_int_t)s->nlistings);
}

json_t *web_parts_json(const sasae_plan *plan)
{
	json_t *parts = json_array();
	for (size_t i = 0; i < plan->nparts; i++) {
		const sasae_part *p = &plan->parts[i];
		json_t *sections = json_array();
		size_t count = 0;
		for (size_t j = 0; j < p->nsections; j++) {
			json_array_append_new(sections, web_section_summary(p, j));
			count += p->sections[j].nlistings;
		}
		json_array_append_new(parts, json_pack("{s:i, s:s?, s:I, s:o}", "number", p->number, "title",
						       p->title, "listings", (json_int_t)count, "sections",
						       sections));
	}
	return parts;
}

json_t *web_program_json(const sasae_plan *plan, const sasae_program *p)
{
	json_t *places = json_array();
	for (size_t k = 0; k < p->nplaces; k++) {
		const sasae_place *pl = &p->places[k];
		const sasae_part *part = &plan->parts[pl->part - 1];
		const sasae_section *s = &part->sections[pl->section_index - 1];
		const sasae_listing *l = &s->listings[pl->position - 1];
		json_array_append_new(places,
				      json_pack("{s:i, s:s?, s:i, s:i, s:s, s:i, s:I, s:b, s:I}", "part",
						pl->part, "part_title", part->title, "section", pl->section,
						"section_index", pl->section_index, "section_title", s->title,
						"position", pl->position, "number", (json_int_t)l->number,
						"relisted", l->relisted, "source_line",
						(json_int_t)l->source_line));
	}
	return json_pack("{s:s, s:s, s:s, s:o, s:o}", "id", p->id, "name", p->name, "summary", p->summary,
			 "departments", web_departments_json(p->departments, p->ndepartments), "listings",
			 places);
}

json_t *web_departments_index(const sasae_plan *plan)
{
	json_t *idx = json_object(), *list = json_array();
	for (size_t i = 0; i < plan->nprograms; i++)
		for (size_t d = 0; d < plan->programs[i].ndepartments; d++) {
			const char *name = plan->programs[i].departments[d].name;
			json_t *e = json_object_get(idx, name);
			if (e == NULL) {
				e = json_pack("{s:s, s:i}", "name", name, "programs", 0);
				json_object_set_new(idx, name, e);
				json_array_append(list, e);
			}
			json_object_set_new(e, "programs",
					    json_integer(json_integer_value(json_object_get(e, "programs")) +
							 1));
		}
	json_decref(idx);
	return list;
}

bool web_has_department(const sasae_program *p, const char *name)
{
	for (size_t d = 0; d < p->ndepartments; d++)
		if (strcmp(p->departments[d].name, name) == 0)
			return true;
	return false;
}

long web_parse_num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	return (*s && *end == '\0' && v > 0 && v < 1000000) ? v : -1;
}

sasae_store *web_thread_store(const web_site *site, sasae_error *err)
{
	sasae_web *w = site->web;
	sasae_store *s = pthread_getspecific(w->store_key);
	if (s == NULL && sasae_store_open(&s, w->db_path, SASAE_STORE_READONLY, err) == 0)
		pthread_setspecific(w->store_key, s);
	return s;
}

sasae_store *web_write_store(sasae_web *w, sasae_error *err)
{
	if (!w->writable) {
		sasae_error_set(err, SASAE_EUNAVAILABLE, NULL, 0,
				"データベースに書き込めないため、ログインと作業画面は使えません（運用者にお知らせください）");
		return NULL;
	}
	sasae_store *s = pthread_getspecific(w->write_key);
	if (s == NULL && sasae_store_open(&s, w->db_path, 0, err) == 0)
		pthread_setspecific(w->write_key, s);
	return s;
}

bool web_int_param(web_ctx *c, const char *name, int dflt, int min, int max, int *out)
{
	const char *v = web_param(c, name);
	*out = dflt;
	if (v == NULL || *v == '\0')
		return true;
	char *end;
	long n = strtol(v, &end, 10);
	if (*end != '\0' || n < min || n > max) {
		char detail[256];
		snprintf(detail, sizeof detail, "%s には %d から %d までの整数を指定してください。", name,
			 min, max);
		web_fail(c, 400, "bad-parameter", "パラメータが正しくありません", detail);
		return false;
	}
	*out = (int)n;
	return true;
}
