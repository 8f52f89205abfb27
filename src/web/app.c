/*
 * app.c — the web application as a function from a request to a response: routing, parameters,
 * HTML pages rendered through the escaping template engine, the JSON API with RFC 9457 problem
 * details, ETags, HEAD, OPTIONS/CORS and the security headers every response carries.
 */
#include "sasae/web.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sasae/export.h"
#include "sasae/lint.h"
#include "sasae/search.h"
#include "sasae/store.h"
#include "sasae/template.h"
#include "sasae/text.h"
#include "web_assets.h"
#include "web_internal.h"

struct sasae_web {
	char *db_path;
	sasae_plan *plan;   /* the served version, loaded once (immutable) */
	int64_t version_id;
	pthread_key_t store_key; /* per-thread read-only store connection */
	char *export_json;  /* the contract JSON of the plan (for /data downloads) */
	size_t export_json_len;
	char *export_csv;
	size_t export_csv_len;
	const sasae_program **by_id; /* plan->programs sorted by id, for lookups */
	const char **dept_names;     /* every department name of the programs, sorted */
	size_t ndepts;
	size_t *section_base;        /* per part: index of its first section among all sections */
	size_t nsections;
	struct web_finder *finder;   /* the needs finder (finder_page.c) */
};

/* ---- templates ---- */

enum { MAX_TEMPLATES = 64 };
static sasae_template_src template_set[MAX_TEMPLATES];
const sasae_template_src *sasae_web_templates = template_set;
size_t sasae_web_ntemplates;
static pthread_once_t templates_once = PTHREAD_ONCE_INIT;

static void templates_setup(void)
{
	for (size_t i = 0; i < sasae_web_template_files_count && i < MAX_TEMPLATES; i++) {
		template_set[i] = (sasae_template_src){sasae_web_template_files[i].name, sasae_web_template_files[i].text,
						       sasae_web_template_files[i].len};
		sasae_web_ntemplates++;
	}
}

void sasae_web_templates_init(void) { pthread_once(&templates_once, templates_setup); }

/* ---- responses ---- */

void sasae_http_response_clear(sasae_http_response *res)
{
	sasae_buf_free(&res->body);
	memset(res, 0, sizeof *res);
}

void sasae_http_header(sasae_http_response *res, const char *name, const char *fmt, ...)
{
	if (res->nheaders == SASAE_MAX_HEADERS)
		return;
	res->headers[res->nheaders].name = name;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(res->headers[res->nheaders].value, sizeof res->headers[res->nheaders].value, fmt, ap);
	va_end(ap);
	res->nheaders++;
}

/* ---- request parsing ---- */

enum { MAX_PARAMS = 36 }; /* the finder's form: up to 32 who/need boxes, its text, limit, offset */

typedef struct param {
	char *name, *value; /* decoded, valid UTF-8 */
} param;

/* One request being handled. */
typedef struct ctx {
	sasae_web *w;
	const sasae_http_request *req;
	sasae_http_response *res;
	char *path; /* decoded path */
	param params[MAX_PARAMS];
	size_t nparams;
	bool api;
} ctx;

/* Percent-decode s[0..n) into a new string; '+' is a space when plus_space.  NULL when the encoding
   is malformed or the result is not valid UTF-8 (or contains NUL). */
static char *url_decode(const char *s, size_t n, bool plus_space)
{
	sasae_buf b = SASAE_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			int v = 0;
			for (int k = 1; k <= 2; k++) {
				char h = i + (size_t)k < n ? s[i + (size_t)k] : '\0';
				int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
				if (d < 0) {
					sasae_buf_free(&b);
					return NULL;
				}
				v = v * 16 + d;
			}
			c = (char)v;
			i += 2;
		} else if (c == '+' && plus_space) {
			c = ' ';
		}
		sasae_buf_putc(&b, c);
	}
	size_t bad;
	if (!sasae_buf_ok(&b) || !sasae_utf8_valid(b.data ? b.data : "", b.len, &bad)) {
		sasae_buf_free(&b);
		return NULL;
	}
	return sasae_buf_detach(&b);
}

static const char *param_get(const ctx *c, const char *name)
{
	for (size_t i = 0; i < c->nparams; i++)
		if (strcmp(c->params[i].name, name) == 0)
			return c->params[i].value;
	return NULL;
}

/* ---- errors ---- */

static void security_headers(sasae_http_response *res)
{
	sasae_http_header(res, "Content-Security-Policy",
			  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
			  "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
	sasae_http_header(res, "X-Content-Type-Options", "nosniff");
	sasae_http_header(res, "Referrer-Policy", "no-referrer");
	sasae_http_header(res, "X-Frame-Options", "DENY");
}

static int render_page(ctx *c, int status, const char *template, json_t *page, const char *title);

/* Stable error codes of the API (problem "type" ends with the code). */
static void fail(ctx *c, int status, const char *code, const char *title, const char *detail)
{
	sasae_http_response *res = c->res;
	sasae_buf_clear(&res->body);
	if (c->api) {
		json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", "", "title", title, "status", status, "detail",
				      detail, "instance", c->path ? c->path : "/");
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
	json_t *page = json_pack("{s:i, s:s, s:s, s:b}", "status", status, "title", title, "detail", detail, "not_found",
				 status == 404);
	render_page(c, status, "error", page, title);
}

/* ---- templates ---- */

static void render_failure(ctx *c, const sasae_error *err)
{
	sasae_buf_clear(&c->res->body);
	c->res->status = 500;
	c->res->content_type = "text/plain; charset=utf-8";
	sasae_buf_puts(&c->res->body, "500 内部エラー: ");
	sasae_buf_puts(&c->res->body, err->message);
}

/* Render template into the layout; takes page (a new reference).  Returns 0 or -1. */
static int render_page(ctx *c, int status, const char *template, json_t *page, const char *title)
{
	sasae_error err = {0};
	sasae_buf content = SASAE_BUF_INIT;
	const sasae_plan *plan = c->w->plan;
	sasae_buf_reserve(&content, 16384); /* a page's size: no copies while it grows */
	sasae_buf_reserve(&c->res->body, 16384);
	json_object_set_new(page, "plan_title", json_string(plan->title));
	if (sasae_template_render(&content, sasae_web_templates, sasae_web_ntemplates, template, page, &err)) {
		sasae_buf_free(&content);
		json_decref(page);
		render_failure(c, &err);
		return -1;
	}
	const char *q = param_get(c, "q");
	json_t *layout = json_pack("{s:s, s:s, s:s}", "title", title, "plan_title", plan->title, "q",
				   q && strcmp(template, "search") == 0 ? q : "");
	/* the page as the template engine made it: valid UTF-8 (from valid strings), not checked again */
	json_object_set_new_nocheck(layout, "content", json_stringn_nocheck(content.data ? content.data : "", content.len));
	sasae_buf_free(&content);
	json_decref(page);
	sasae_buf_clear(&c->res->body);
	int rc = sasae_template_render(&c->res->body, sasae_web_templates, sasae_web_ntemplates, "layout", layout, &err);
	json_decref(layout);
	if (rc) {
		render_failure(c, &err);
		return -1;
	}
	c->res->status = status;
	c->res->content_type = "text/html; charset=utf-8";
	return 0;
}

static void send_json(ctx *c, json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(v);
	if (s == NULL) {
		fail(c, 500, "internal", "内部エラー", "応答を作れませんでした");
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

/* ---- the model as JSON contexts ---- */

static const sasae_part *find_part(const sasae_plan *p, long n)
{
	return n >= 1 && (size_t)n <= p->nparts ? &p->parts[n - 1] : NULL;
}

static int program_id_cmp(const void *a, const void *b)
{
	return strcmp((*(const sasae_program *const *)a)->id, (*(const sasae_program *const *)b)->id);
}

static int str_cmp(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* The served plan's program with this id (the web's index), or NULL. */
static const sasae_web *served; /* set by sasae_web_new: one application per process */

static const sasae_program *find_program(const sasae_plan *p, const char *id)
{
	if (served && served->plan == p && served->by_id) {
		sasae_program key = {0};
		key.id = (char *)(uintptr_t)id;
		const sasae_program *kp = &key;
		const sasae_program **hit = bsearch(&kp, served->by_id, p->nprograms, sizeof *served->by_id, program_id_cmp);
		return hit ? *hit : NULL;
	}
	for (size_t i = 0; i < p->nprograms; i++)
		if (strcmp(p->programs[i].id, id) == 0)
			return &p->programs[i];
	return NULL;
}

/* Facets of a set of matching programs, counted in memory from the served plan: how many of them
   each part, section and department has (one query for the ids instead of three grouped ones). */
static int facets_from_ids(const sasae_web *w, char **ids, size_t n, sasae_facets *f)
{
	const sasae_plan *plan = w->plan;
	memset(f, 0, sizeof *f);
	size_t np = plan->nparts, ns = w->nsections, nd = w->ndepts;
	size_t *cnt = calloc(np + ns + nd + 1, sizeof *cnt), *last = malloc((np + ns + nd + 1) * sizeof *last);
	if (cnt == NULL || last == NULL) {
		free(cnt);
		free(last);
		return SASAE_ENOMEM;
	}
	for (size_t i = 0; i < np + ns + nd; i++)
		last[i] = (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		const sasae_program *p = find_program(plan, ids[i]);
		if (p == NULL)
			continue;
		for (size_t k = 0; k < p->nplaces; k++) {
			size_t pi = (size_t)p->places[k].part - 1, si = np + w->section_base[pi] + (size_t)p->places[k].section_index - 1;
			if (last[pi] != i)
				cnt[pi]++, last[pi] = i;
			if (last[si] != i)
				cnt[si]++, last[si] = i;
		}
		for (size_t d = 0; d < p->ndepartments; d++) {
			const char *name = p->departments[d].name;
			const char **hit = bsearch(&name, w->dept_names, nd, sizeof *w->dept_names, str_cmp);
			size_t di = np + ns + (size_t)(hit - w->dept_names);
			if (hit && last[di] != i)
				cnt[di]++, last[di] = i;
		}
	}
	int rc = 0;
	f->parts = calloc(np + 1, sizeof *f->parts);
	f->sections = calloc(ns + 1, sizeof *f->sections);
	f->departments = calloc(nd + 1, sizeof *f->departments);
	if (!f->parts || !f->sections || !f->departments)
		rc = SASAE_ENOMEM;
	for (size_t pi = 0; rc == 0 && pi < np; pi++) {
		const sasae_part *part = &plan->parts[pi];
		if (cnt[pi])
			f->parts[f->nparts++] = (sasae_facet){part->number, 0, 0, sasae_strdup(part->title ? part->title : ""), cnt[pi]};
		for (size_t j = 0; j < part->nsections; j++) {
			size_t si = np + w->section_base[pi] + j;
			if (cnt[si])
				f->sections[f->nsections++] = (sasae_facet){part->number, part->sections[j].number, (int)j + 1,
									    sasae_strdup(part->sections[j].title), cnt[si]};
		}
	}
	for (size_t d = 0; rc == 0 && d < nd; d++)
		if (cnt[np + ns + d])
			f->departments[f->ndepartments++] = (sasae_facet){0, 0, 0, sasae_strdup(w->dept_names[d]), cnt[np + ns + d]};
	/* departments: most programs first, then by name (as the store's facets) */
	for (size_t a = 1; a < f->ndepartments; a++) {
		sasae_facet x = f->departments[a];
		size_t b = a;
		while (b > 0 && (f->departments[b - 1].count < x.count ||
				 (f->departments[b - 1].count == x.count && strcmp(f->departments[b - 1].label, x.label) > 0))) {
			f->departments[b] = f->departments[b - 1];
			b--;
		}
		f->departments[b] = x;
	}
	for (size_t k = 0; rc == 0 && k < f->nparts; k++)
		rc = f->parts[k].label ? 0 : SASAE_ENOMEM;
	for (size_t k = 0; rc == 0 && k < f->nsections; k++)
		rc = f->sections[k].label ? 0 : SASAE_ENOMEM;
	for (size_t k = 0; rc == 0 && k < f->ndepartments; k++)
		rc = f->departments[k].label ? 0 : SASAE_ENOMEM;
	free(cnt);
	free(last);
	if (rc)
		sasae_facets_clear(f);
	return rc;
}

static json_t *departments_array(const sasae_department *d, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s?}", "name", d[i].name, "note", d[i].note));
	return a;
}

/* A listing as pages and the API show it. */
static json_t *listing_json(const sasae_plan *plan, const sasae_listing *l, int section_index)
{
	const sasae_program *p = find_program(plan, l->program);
	json_t *o = json_pack("{s:I, s:i, s:s, s:b, s:s, s:o, s:s, s:I, s:i, s:i, s:i}", "number", (json_int_t)l->number,
			      "position", l->position, "name", l->name, "relisted", l->relisted, "summary", l->summary,
			      "departments", departments_array(l->departments, l->ndepartments), "program", l->program,
			      "source_line", (json_int_t)l->source_line, "part", l->part, "section", l->section,
			      "section_index", section_index);
	/* for a re-listing: where the original is */
	if (p && l->relisted) {
		for (size_t k = 0; k < p->nplaces; k++) {
			const sasae_place *pl = &p->places[k];
			const sasae_section *s = &plan->parts[pl->part - 1].sections[pl->section_index - 1];
			if (!s->listings[pl->position - 1].relisted) {
				json_object_set_new(o, "original", json_pack("{s:i, s:i, s:i, s:i, s:s}", "part", pl->part,
									      "section", pl->section, "section_index",
									      pl->section_index, "position", pl->position,
									      "section_title", s->title));
				break;
			}
		}
	}
	return o;
}

static json_t *section_summary(const sasae_part *p, size_t j)
{
	const sasae_section *s = &p->sections[j];
	return json_pack("{s:i, s:i, s:i, s:s, s:I}", "part", p->number, "number", s->number, "index", (int)j + 1,
			 "title", s->title, "listings", (json_int_t)s->nlistings);
}

static json_t *parts_json(const sasae_plan *plan)
{
	json_t *parts = json_array();
	for (size_t i = 0; i < plan->nparts; i++) {
		const sasae_part *p = &plan->parts[i];
		json_t *sections = json_array();
		size_t count = 0;
		for (size_t j = 0; j < p->nsections; j++) {
			json_array_append_new(sections, section_summary(p, j));
			count += p->sections[j].nlistings;
		}
		json_array_append_new(parts, json_pack("{s:i, s:s?, s:I, s:o}", "number", p->number, "title", p->title,
						       "listings", (json_int_t)count, "sections", sections));
	}
	return parts;
}

static json_t *program_json(const sasae_plan *plan, const sasae_program *p)
{
	json_t *places = json_array();
	for (size_t k = 0; k < p->nplaces; k++) {
		const sasae_place *pl = &p->places[k];
		const sasae_part *part = &plan->parts[pl->part - 1];
		const sasae_section *s = &part->sections[pl->section_index - 1];
		const sasae_listing *l = &s->listings[pl->position - 1];
		json_array_append_new(places, json_pack("{s:i, s:s?, s:i, s:i, s:s, s:i, s:I, s:b, s:I}", "part", pl->part,
							"part_title", part->title, "section", pl->section,
							"section_index", pl->section_index, "section_title", s->title,
							"position", pl->position, "number", (json_int_t)l->number,
							"relisted", l->relisted, "source_line", (json_int_t)l->source_line));
	}
	return json_pack("{s:s, s:s, s:s, s:o, s:o}", "id", p->id, "name", p->name, "summary", p->summary,
			 "departments", departments_array(p->departments, p->ndepartments), "listings", places);
}

/* Department names with program counts, in order of first appearance. */
static json_t *departments_index(const sasae_plan *plan)
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
			json_object_set_new(e, "programs", json_integer(json_integer_value(json_object_get(e, "programs")) + 1));
		}
	json_decref(idx);
	return list;
}

static bool has_department(const sasae_program *p, const char *name)
{
	for (size_t d = 0; d < p->ndepartments; d++)
		if (strcmp(p->departments[d].name, name) == 0)
			return true;
	return false;
}

/* ---- route handlers ---- */

typedef void (*handler_fn)(ctx *c, const char *const *args);

static long parse_num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	return (*s && *end == '\0' && v > 0 && v < 1000000) ? v : -1;
}

static void page_home(ctx *c, const char *const *args)
{
	(void)args;
	const sasae_plan *plan = c->w->plan;
	json_t *page = json_pack("{s:o, s:I, s:I, s:I}", "parts", parts_json(plan), "listings",
				 (json_int_t)sasae_plan_count_listings(plan), "programs", (json_int_t)plan->nprograms,
				 "sections", (json_int_t)sasae_plan_count_sections(plan));
	render_page(c, 200, "home", page, plan->title);
}

static void page_part(ctx *c, const char *const *args)
{
	const sasae_plan *plan = c->w->plan;
	const sasae_part *p = find_part(plan, parse_num(args[0]));
	if (p == NULL) {
		fail(c, 404, "not-found", "見つかりません", "その部はこの計画にありません。");
		return;
	}
	json_t *sections = json_array();
	for (size_t j = 0; j < p->nsections; j++) {
		json_t *s = section_summary(p, j);
		json_t *ls = json_array();
		for (size_t k = 0; k < p->sections[j].nlistings; k++) {
			json_t *l = listing_json(plan, &p->sections[j].listings[k], (int)j + 1);
			char anchor[48]; /* unique on the part page, where positions repeat across sections */
			snprintf(anchor, sizeof anchor, "s%zu-n%zu", j + 1, k + 1);
			if (!c->api) /* page anchors only */
				json_object_set_new(l, "anchor", json_string(anchor));
			json_array_append_new(ls, l);
		}
		json_object_set_new(s, "items", ls);
		json_array_append_new(sections, s);
	}
	char title[256];
	snprintf(title, sizeof title, "第%d部%s%s", p->number, p->title ? " " : "", p->title ? p->title : "");
	json_t *page = json_pack("{s:i, s:s?, s:s, s:o}", "number", p->number, "part_title", p->title, "heading", title,
				 "sections", sections);
	if (c->api) {
		json_object_del(page, "heading");
		send_json(c, page);
	} else {
		render_page(c, 200, "part", page, title);
	}
}

static void page_section(ctx *c, const char *const *args)
{
	const sasae_plan *plan = c->w->plan;
	const sasae_part *p = find_part(plan, parse_num(args[0]));
	long idx = parse_num(args[1]);
	if (p == NULL || idx < 1 || (size_t)idx > p->nsections) {
		fail(c, 404, "not-found", "見つかりません", "その施策はこの計画にありません。");
		return;
	}
	const sasae_section *s = &p->sections[idx - 1];
	json_t *ls = json_array();
	for (size_t k = 0; k < s->nlistings; k++) {
		json_t *l = listing_json(plan, &s->listings[k], (int)idx);
		char anchor[32];
		snprintf(anchor, sizeof anchor, "n%zu", k + 1);
		if (!c->api) /* page anchors only */
				json_object_set_new(l, "anchor", json_string(anchor));
		json_array_append_new(ls, l);
	}
	char title[512];
	snprintf(title, sizeof title, "(%d) %s", s->number, s->title);
	json_t *page = json_pack("{s:i, s:s?, s:i, s:i, s:s, s:o}", "part", p->number, "part_title", p->title, "number",
				 s->number, "index", (int)idx, "title", s->title, "items", ls);
	if (c->api)
		send_json(c, page);
	else
		render_page(c, 200, "section", page, title);
}

static void page_program(ctx *c, const char *const *args)
{
	const sasae_plan *plan = c->w->plan;
	const sasae_program *p = find_program(plan, args[0]);
	if (p == NULL) {
		fail(c, 404, "not-found", "見つかりません",
		     "その事業はこの計画にありません。事業一覧か検索から探してください。");
		return;
	}
	json_t *page = program_json(plan, p);
	if (c->api) {
		send_json(c, page);
		return;
	}
	/* programs of the same department(s) */
	json_t *related = json_array();
	for (size_t i = 0; i < plan->nprograms && json_array_size(related) < 12; i++) {
		const sasae_program *o = &plan->programs[i];
		if (o == p)
			continue;
		for (size_t d = 0; d < p->ndepartments; d++)
			if (has_department(o, p->departments[d].name)) {
				json_array_append_new(related, json_pack("{s:s, s:s}", "id", o->id, "name", o->name));
				break;
			}
	}
	json_object_set_new(page, "related", related);
	json_object_set_new(page, "tags", web_finder_program_tags(c, p));
	/* schema.org GovernmentService as JSON-LD: dumped by jansson, then "<" escaped so that no
	   "</script>" can end the element early (the template inserts it raw, a visible marker). */
	json_t *ld = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "@context", "https://schema.org", "@type",
			       "GovernmentService", "identifier", p->id, "name", p->name, "description", p->summary,
			       "provider", json_array());
	for (size_t d = 0; d < p->ndepartments; d++)
		json_array_append_new(json_object_get(ld, "provider"),
				      json_pack("{s:s, s:s}", "@type", "GovernmentOrganization", "name", p->departments[d].name));
	char *lds = json_dumps(ld, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(ld);
	sasae_buf safe = SASAE_BUF_INIT;
	for (const char *s = lds ? lds : ""; *s; s++) {
		if (*s == '<')
			sasae_buf_puts(&safe, "\\u003c");
		else if (*s == '>')
			sasae_buf_puts(&safe, "\\u003e");
		else if (*s == '&')
			sasae_buf_puts(&safe, "\\u0026");
		else
			sasae_buf_putc(&safe, *s);
	}
	free(lds);
	json_object_set_new(page, "jsonld", json_string(sasae_buf_cstr(&safe)));
	sasae_buf_free(&safe);
	render_page(c, 200, "program", page, p->name);
}

static void page_departments(ctx *c, const char *const *args)
{
	(void)args;
	json_t *list = departments_index(c->w->plan);
	if (c->api)
		send_json(c, json_pack("{s:o}", "departments", list));
	else
		render_page(c, 200, "departments", json_pack("{s:o}", "departments", list), "担当局等の一覧");
}

static void page_department(ctx *c, const char *const *args)
{
	const sasae_plan *plan = c->w->plan;
	json_t *programs = json_array();
	for (size_t i = 0; i < plan->nprograms; i++)
		if (has_department(&plan->programs[i], args[0]))
			json_array_append_new(programs, json_pack("{s:s, s:s, s:s}", "id", plan->programs[i].id, "name",
								  plan->programs[i].name, "summary", plan->programs[i].summary));
	if (json_array_size(programs) == 0) {
		json_decref(programs);
		fail(c, 404, "not-found", "見つかりません", "その担当局等はこの計画にありません。担当局等の一覧から選んでください。");
		return;
	}
	json_t *page = json_pack("{s:s, s:I, s:o}", "name", args[0], "count", (json_int_t)json_array_size(programs),
				 "programs", programs);
	if (c->api)
		send_json(c, page);
	else
		render_page(c, 200, "department", page, args[0]);
}

/* Per-thread read-only store connection. */
static sasae_store *thread_store(sasae_web *w, sasae_error *err)
{
	sasae_store *s = pthread_getspecific(w->store_key);
	if (s == NULL && sasae_store_open(&s, w->db_path, SASAE_STORE_READONLY, err) == 0)
		pthread_setspecific(w->store_key, s);
	return s;
}

/* Integer parameter with a default and bounds; false (after a 400) when malformed. */
static bool int_param(ctx *c, const char *name, int dflt, int min, int max, int *out)
{
	const char *v = param_get(c, name);
	*out = dflt;
	if (v == NULL || *v == '\0')
		return true;
	char *end;
	long n = strtol(v, &end, 10);
	if (*end != '\0' || n < min || n > max) {
		char detail[256];
		snprintf(detail, sizeof detail, "%s には %d から %d までの整数を指定してください。", name, min, max);
		fail(c, 400, "bad-parameter", "パラメータが正しくありません", detail);
		return false;
	}
	*out = (int)n;
	return true;
}

/* A string of the page built from data that is valid UTF-8 (the plan, a query sasae_search took). */
static void set_str(json_t *o, const char *key, const char *v)
{
	json_object_set_new_nocheck(o, key, json_string_nocheck(v ? v : ""));
}

static void set_int(json_t *o, const char *key, json_int_t v) { json_object_set_new_nocheck(o, key, json_integer(v)); }

/* Highlighted text as the template's {{*name}} takes it: strings, alternately plain and marked
   (spans m in code points), so that the template escapes every piece. */
static json_t *marked_json(const char *text, const sasae_span *m, size_t n)
{
	json_t *a = json_array();
	size_t cp = 0, k = 0;
	const char *seg = text;
	bool in = false;
	for (const char *p = text;; p++) {
		bool lead = *p == '\0' || ((unsigned char)*p & 0xC0) != 0x80;
		if (lead) {
			bool now = k < n && cp >= m[k].start && cp < m[k].start + m[k].length;
			if (*p == '\0' || now != in) {
				if (p > seg) {
					if ((json_array_size(a) % 2 == 1) != in)
						json_array_append_new(a, json_string_nocheck(""));
					json_array_append_new(a, json_stringn_nocheck(seg, (size_t)(p - seg)));
				}
				seg = p;
				in = now;
			}
			if (*p == '\0')
				break;
			cp++;
			if (k < n && cp >= m[k].start + m[k].length && cp > m[k].start)
				k++;
		}
	}
	return a;
}

/* The search page's facets: the matching programs by part, section and department; each narrows
   the query through the query language itself (part:N, section:N, 部署:NAME). */
static json_t *facets_json(const sasae_facets *f, const char *q)
{
	json_t *fp = json_array(), *fs = json_array(), *fd = json_array();
	char fq[2200];
	for (size_t i = 0; i < f->nparts; i++) {
		json_t *o = json_object();
		snprintf(fq, sizeof fq, "%s part:%d", q, f->parts[i].part);
		set_int(o, "part", f->parts[i].part);
		set_str(o, "label", f->parts[i].label);
		set_int(o, "count", (json_int_t)f->parts[i].count);
		set_str(o, "q", fq);
		json_array_append_new(fp, o);
	}
	for (size_t i = 0; i < f->nsections; i++) {
		json_t *o = json_object();
		snprintf(fq, sizeof fq, "%s part:%d section:%d", q, f->sections[i].part, f->sections[i].section);
		set_int(o, "part", f->sections[i].part);
		set_int(o, "section", f->sections[i].section);
		set_str(o, "label", f->sections[i].label);
		set_int(o, "count", (json_int_t)f->sections[i].count);
		set_str(o, "q", fq);
		json_array_append_new(fs, o);
	}
	for (size_t i = 0; i < f->ndepartments; i++) {
		json_t *o = json_object();
		snprintf(fq, sizeof fq, "%s 部署:%s", q, f->departments[i].label);
		set_str(o, "label", f->departments[i].label);
		set_int(o, "count", (json_int_t)f->departments[i].count);
		set_str(o, "q", fq);
		json_array_append_new(fd, o);
	}
	json_t *facets = json_object();
	json_object_set_new_nocheck(facets, "parts", fp);
	json_object_set_new_nocheck(facets, "sections", fs);
	json_object_set_new_nocheck(facets, "departments", fd);
	return facets;
}

static void page_search(ctx *c, const char *const *args)
{
	(void)args;
	const char *q = param_get(c, "q");
	int page_no, per_page;
	if (!int_param(c, "page", 1, 1, 10000, &page_no) || !int_param(c, "per_page", 20, 1, 100, &per_page))
		return;
	int offset = (page_no - 1) * per_page;
	if (c->api) { /* the API also takes limit (= per_page) and offset (instead of page) */
		int lim, off;
		if (!int_param(c, "limit", per_page, 1, 100, &lim) || !int_param(c, "offset", 0, 0, 1000000, &off))
			return;
		per_page = lim;
		offset = param_get(c, "offset") ? off : (page_no - 1) * per_page;
	}
	if (q == NULL || *q == '\0') {
		if (c->api) {
			fail(c, 400, "missing-query", "検索語がありません", "q に検索語を指定してください（例: ?q=認知症）。");
			return;
		}
		render_page(c, 200, "search", json_pack("{s:b}", "empty", 1), "検索");
		return;
	}
	sasae_error err = {0};
	sasae_store *s = thread_store(c->w, &err);
	sasae_search_results *r = NULL;
	if (s == NULL || sasae_search(&r, s, c->w->version_id, q, per_page, offset, &err)) {
		size_t bad; /* a message quoting the query can be cut mid-character at the end of its buffer */
		if (!sasae_utf8_valid(err.message, strlen(err.message), &bad))
			err.message[bad] = '\0';
		if (err.code == SASAE_EUSAGE) {
			if (c->api) {
				fail(c, 400, "bad-query", "検索語の書き方が正しくありません", err.message);
			} else {
				render_page(c, 400, "search", json_pack("{s:s, s:s}", "query", q, "error", err.message), "検索");
			}
		} else {
			fail(c, 500, "internal", "内部エラー", "検索できませんでした。しばらくしてからもう一度お試しください。");
		}
		return;
	}
	if (c->api) {
		send_json(c, sasae_search_results_json(r));
		sasae_search_results_free(r);
		return;
	}
	size_t pages = (r->total + (size_t)per_page - 1) / (size_t)per_page;
	if (r->total > 0 && (size_t)page_no > pages) { /* past the last page: say so, keep the query */
		char msg[200];
		snprintf(msg, sizeof msg, "そのページはありません。検索結果は %zu ページまでです。", pages);
		sasae_search_results_free(r);
		render_page(c, 404, "search", json_pack("{s:s, s:s}", "query", q, "error", msg), "検索");
		return;
	}
	/* The page's context, built with jansson's unchecked constructors: every string is valid UTF-8
	   (the plan's text, and the query, which sasae_search has checked). */
	json_t *results = json_array();
	for (size_t i = 0; i < r->nresults; i++) {
		const sasae_result *x = &r->results[i];
		json_t *places = json_array();
		for (size_t j = 0; j < x->hit.nplaces; j++) {
			const sasae_store_place *pl = &x->hit.places[j];
			json_t *o = json_object();
			set_int(o, "part", pl->part);
			set_int(o, "section", pl->section);
			set_int(o, "section_index", pl->section_index);
			set_int(o, "position", pl->position);
			set_str(o, "section_title", pl->section_title);
			set_int(o, "number", (json_int_t)pl->number);
			json_object_set_new_nocheck(o, "relisted", json_boolean(pl->relisted));
			json_array_append_new(places, o);
		}
		json_t *o = json_object();
		set_str(o, "id", x->hit.program);
		json_object_set_new_nocheck(o, "name", marked_json(x->hit.name, x->name_marks, x->nname_marks));
		json_object_set_new_nocheck(o, "snippet", marked_json(x->snippet, x->marks, x->nmarks));
		set_str(o, "departments", x->hit.departments);
		json_object_set_new_nocheck(o, "places", places);
		json_array_append_new(results, o);
	}
	/* Facets count every match: when they are all on this page, their ids are at hand. */
	json_t *facets = NULL;
	sasae_facets f;
	char **ids = NULL;
	size_t nids = 0;
	bool have_facets;
	if (r->total > 0 && offset == 0 && r->nresults == r->total) {
		char **page_ids = malloc(r->nresults * sizeof *page_ids);
		for (size_t i = 0; page_ids && i < r->nresults; i++)
			page_ids[i] = r->results[i].hit.program;
		have_facets = page_ids && facets_from_ids(c->w, page_ids, r->nresults, &f) == 0;
		free(page_ids);
	} else {
		have_facets = r->total > 0 && sasae_search_ids(&ids, &nids, s, c->w->version_id, q, &err) == 0 &&
			      facets_from_ids(c->w, ids, nids, &f) == 0;
		sasae_store_ids_free(ids, nids);
	}
	if (have_facets) {
		facets = facets_json(&f, q);
		sasae_facets_clear(&f);
	}
	json_t *sugg = json_array();
	for (size_t i = 0; i < r->nsuggestions; i++)
		json_array_append_new(sugg, json_string_nocheck(r->suggestions[i]));
	json_t *page = json_object();
	set_str(page, "query", q);
	set_int(page, "total", (json_int_t)r->total);
	json_object_set_new_nocheck(page, "results", results);
	json_object_set_new_nocheck(page, "suggestions", sugg);
	set_int(page, "page", page_no);
	set_int(page, "pages", (json_int_t)pages);
	json_object_set_new_nocheck(page, "has_pages", json_boolean(pages > 1));
	json_object_set_new_nocheck(page, "has_prev", json_boolean(page_no > 1));
	json_object_set_new_nocheck(page, "has_next", json_boolean((size_t)page_no < pages));
	set_int(page, "prev", page_no - 1);
	set_int(page, "next", page_no + 1);
	set_int(page, "from", (json_int_t)(r->nresults ? offset + 1 : 0));
	set_int(page, "to", (json_int_t)(offset + (int)r->nresults));
	if (facets)
		json_object_set_new_nocheck(page, "facets", facets);
	sasae_search_results_free(r);
	char title[300];
	snprintf(title, sizeof title, "「%.200s」の検索結果", q);
	render_page(c, 200, "search", page, title);
}

/* The plan office's consistency check (read-only for now; sign-in comes with a later issue). */
static void page_lint(ctx *c, const char *const *args)
{
	(void)args;
	sasae_error err = {0};
	sasae_lint_findings *f = NULL;
	if (sasae_lint(c->w->plan, &f, &err)) {
		fail(c, 500, "internal", "内部エラー", "点検できませんでした。");
		return;
	}
	json_t *j = sasae_lint_json(c->w->plan, f);
	if (c->api) {
		sasae_lint_findings_free(f);
		if (j == NULL)
			fail(c, 500, "internal", "内部エラー", "点検の結果を作れませんでした。");
		else
			send_json(c, j);
		return;
	}
	/* group the findings by kind for people */
	json_t *groups = json_array();
	size_t nkinds;
	const char *const *kinds = sasae_lint_kinds(&nkinds);
	for (size_t k = 0; k < nkinds; k++) {
		json_t *items = json_array();
		for (size_t i = 0; i < f->n; i++) {
			const sasae_lint_finding *x = &f->items[i];
			if (x->accepted || strcmp(x->kind, kinds[k]) != 0)
				continue;
			json_t *it = json_pack("{s:s, s:s?, s:i, s:i, s:i, s:I, s:I, s:s?}", "message", x->message, "name",
					       x->at.name, "part", x->at.part, "section", x->at.section, "section_index",
					       x->at.section_index, "number", (json_int_t)x->at.number, "line",
					       (json_int_t)x->at.source_line, "diff", x->diff);
			if (x->has_other)
				json_object_set_new(it, "other", json_pack("{s:i, s:i, s:i, s:I, s:I}", "part", x->other.part,
									  "section", x->other.section, "section_index",
									  x->other.section_index, "number",
									  (json_int_t)x->other.number, "line",
									  (json_int_t)x->other.source_line));
			json_array_append_new(items, it);
		}
		if (json_array_size(items))
			json_array_append_new(groups, json_pack("{s:s, s:s, s:I, s:o}", "kind", kinds[k], "title",
								sasae_lint_kind_title(kinds[k]), "count",
								(json_int_t)json_array_size(items), "items", items));
		else
			json_decref(items);
	}
	size_t open = sasae_lint_open_count(f);
	sasae_lint_findings_free(f);
	json_decref(j);
	render_page(c, 200, "lint", json_pack("{s:I, s:o}", "total", (json_int_t)open, "groups", groups),
		    "事業一覧の点検");
}

static void page_data(ctx *c, const char *const *args)
{
	(void)args;
	render_page(c, 200, "data", json_pack("{s:I, s:I}", "listings", (json_int_t)sasae_plan_count_listings(c->w->plan),
					     "programs", (json_int_t)c->w->plan->nprograms),
		    "データと API");
}

static void download(ctx *c, const char *type, const char *data, size_t len, const char *filename)
{
	sasae_buf_clear(&c->res->body);
	sasae_buf_append(&c->res->body, data, len);
	c->res->status = 200;
	c->res->content_type = type;
	sasae_http_header(c->res, "Content-Disposition", "attachment; filename=\"%s\"", filename);
	sasae_http_header(c->res, "Access-Control-Allow-Origin", "*");
}

static void data_json(ctx *c, const char *const *args)
{
	(void)args;
	download(c, "application/json", c->w->export_json, c->w->export_json_len, "plan.json");
}

static void data_csv(ctx *c, const char *const *args)
{
	(void)args;
	download(c, "text/csv; charset=utf-8", c->w->export_csv, c->w->export_csv_len, "plan.csv");
}

static void asset(ctx *c, const char *const *args)
{
	for (size_t i = 0; i < sasae_web_nassets; i++)
		if (strcmp(sasae_web_assets[i].name, args[0]) == 0) {
			sasae_buf_clear(&c->res->body);
			sasae_buf_append(&c->res->body, sasae_web_assets[i].text, sasae_web_assets[i].len);
			c->res->status = 200;
			c->res->content_type = sasae_web_assets[i].type;
			sasae_http_header(c->res, "Cache-Control", "public, max-age=86400");
			return;
		}
	fail(c, 404, "not-found", "見つかりません", "そのファイルはありません。");
}

static void api_plans(ctx *c, const char *const *args)
{
	(void)args;
	sasae_error err = {0};
	sasae_store *s = thread_store(c->w, &err);
	sasae_plan_info *infos;
	size_t n;
	if (s == NULL || sasae_store_plans(s, &infos, &n, &err)) {
		fail(c, 500, "internal", "内部エラー", "計画の一覧を読めませんでした。");
		return;
	}
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:i, s:s, s:s, s:I, s:I, s:I, s:I}", "slug", infos[i].slug,
						   "title", infos[i].title, "version", infos[i].version, "source",
						   infos[i].source, "imported_at", infos[i].imported_at, "parts",
						   (json_int_t)infos[i].parts, "sections", (json_int_t)infos[i].sections,
						   "listings", (json_int_t)infos[i].listings, "programs",
						   (json_int_t)infos[i].programs));
	sasae_plan_infos_free(infos, n);
	send_json(c, json_pack("{s:s, s:o}", "served", c->w->plan->slug, "plans", a));
}

static void api_parts(ctx *c, const char *const *args)
{
	(void)args;
	send_json(c, json_pack("{s:o}", "parts", parts_json(c->w->plan)));
}

static void api_programs(ctx *c, const char *const *args)
{
	(void)args;
	const sasae_plan *plan = c->w->plan;
	int part, section, page_no, per_page;
	if (!int_param(c, "part", 0, 1, 1000, &part) || !int_param(c, "section", 0, 1, 1000, &section) ||
	    !int_param(c, "page", 1, 1, 100000, &page_no) || !int_param(c, "per_page", 50, 1, 500, &per_page))
		return;
	const char *dept = param_get(c, "department");
	json_t *items = json_array();
	size_t total = 0, first = (size_t)(page_no - 1) * (size_t)per_page;
	for (size_t i = 0; i < plan->nprograms; i++) {
		const sasae_program *p = &plan->programs[i];
		if (dept && *dept && !has_department(p, dept))
			continue;
		bool in = part == 0 && section == 0;
		for (size_t k = 0; k < p->nplaces && !in; k++)
			in = (part == 0 || p->places[k].part == part) && (section == 0 || p->places[k].section_index == section);
		if (!in)
			continue;
		if (total >= first && total < first + (size_t)per_page)
			json_array_append_new(items, program_json(plan, p));
		total++;
	}
	send_json(c, json_pack("{s:I, s:i, s:i, s:o}", "total", (json_int_t)total, "page", page_no, "per_page", per_page,
			       "programs", items));
}

static void api_openapi(ctx *c, const char *const *args)
{
	(void)args;
	for (size_t i = 0; i < sasae_web_nassets; i++)
		if (strcmp(sasae_web_assets[i].name, "openapi.json") == 0) {
			sasae_buf_clear(&c->res->body);
			sasae_buf_append(&c->res->body, sasae_web_assets[i].text, sasae_web_assets[i].len);
			c->res->status = 200;
			c->res->content_type = "application/json";
			sasae_http_header(c->res, "Access-Control-Allow-Origin", "*");
			return;
		}
	fail(c, 404, "not-found", "見つかりません", "OpenAPI の記述がありません。");
}

/* ---- for the page files beside this one (web_internal.h) ---- */

const char *web_param(const web_ctx *c, const char *name) { return param_get(c, name); }

size_t web_params(const web_ctx *c, const char *name, const char **out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nparams; i++)
		if (strcmp(c->params[i].name, name) == 0) {
			if (n < cap)
				out[n] = c->params[i].value;
			n++;
		}
	return n;
}

const char *web_path(const web_ctx *c) { return c->path; }
const sasae_http_request *web_request(const web_ctx *c) { return c->req; }
sasae_http_response *web_response(web_ctx *c) { return c->res; }
bool web_is_api(const web_ctx *c) { return c->api; }
const sasae_plan *web_plan(const web_ctx *c) { return c->w->plan; }
struct web_finder *web_finder_of(const web_ctx *c) { return c->w->finder; }
struct web_finder *web_app_finder(const sasae_web *w) { return w->finder; }

void web_fail(web_ctx *c, int status, const char *code, const char *title, const char *detail)
{
	fail(c, status, code, title, detail);
}

int web_render(web_ctx *c, int status, const char *template_name, json_t *page, const char *title)
{
	return render_page(c, status, template_name, page, title);
}

void web_send_json(web_ctx *c, json_t *v) { send_json(c, v); }

/* The routes: method GET (HEAD follows), a pattern with {} segments, the handler, API or page. */
static const struct route {
	const char *pattern;
	handler_fn handler;
	bool api;
} routes[] = {
	{"/", page_home, false},
	{"/search", page_search, false},
	{"/parts/{}", page_part, false},
	{"/parts/{}/sections/{}", page_section, false},
	{"/programs/{}", page_program, false},
	{"/departments", page_departments, false},
	{"/departments/{}", page_department, false},
	{"/data", page_data, false},
	{"/finder", web_finder_page, false},
	{"/finder/print", web_finder_print, false},
	{"/office/lint", page_lint, false},
	{"/data/plan.json", data_json, false},
	{"/data/plan.csv", data_csv, false},
	{"/assets/{}", asset, false},
	{"/api/v1/openapi.json", api_openapi, true},
	{"/api/v1/plans", api_plans, true},
	{"/api/v1/parts", api_parts, true},
	{"/api/v1/parts/{}", page_part, true},
	{"/api/v1/parts/{}/sections/{}", page_section, true},
	{"/api/v1/programs", api_programs, true},
	{"/api/v1/programs/{}", page_program, true},
	{"/api/v1/departments", page_departments, true},
	{"/api/v1/departments/{}", page_department, true},
	{"/api/v1/search", page_search, true},
	{"/api/v1/lint", page_lint, true},
	{"/api/v1/tags", web_api_tags, true},
	{"/api/v1/finder", web_api_finder, true},
};

/* Match path against pattern; on success args[] point into copies held in argbuf. */
static bool match_route(const char *pattern, const char *path, char argbuf[][256], const char **args)
{
	size_t n = 0;
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (p[0] == '{' && p[1] == '}') {
			const char *e = strchr(s, '/');
			size_t len = e ? (size_t)(e - s) : strlen(s);
			if (len == 0 || len >= 256 || n == 2)
				return false;
			memcpy(argbuf[n], s, len);
			argbuf[n][len] = '\0';
			args[n] = argbuf[n];
			n++;
			s += len;
			p += 2;
		} else if (*p == *s) {
			p++, s++;
		} else {
			return false;
		}
	}
	return *p == '\0' && *s == '\0';
}

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

/* Room for a search of SASAE_QUERY_MAX_BYTES bytes percent-encoded (3 characters a byte) and a few
   more parameters. */
enum { MAX_TARGET = 4096 };

void sasae_web_handle(sasae_web *w, const sasae_http_request *req, sasae_http_response *res)
{
	ctx c = {w, req, res, NULL, {{0}}, 0, false};
	const char *target = req->target ? req->target : "/";
	/* absolute-form "http://host/path?query" (RFC 9112 §3.2.2: a server must accept it) */
	if (strncasecmp(target, "http://", 7) == 0 || strncasecmp(target, "https://", 8) == 0) {
		const char *slash = strchr(target + (target[4] == ':' ? 7 : 8), '/');
		target = slash ? slash : "/";
	}
	size_t tlen = strlen(target);
	const char *qmark = memchr(target, '?', tlen);
	size_t plen = qmark ? (size_t)(qmark - target) : tlen;
	c.api = tlen >= 5 && memcmp(target, "/api/", 5) == 0;
	security_headers(res);
	if (tlen > MAX_TARGET) {
		fail(&c, 414, "uri-too-long", "URL が長すぎます", "URL を短くしてください（検索語は 1,000 バイトまでです）。");
		goto done;
	}
	if (target[0] != '/' || (c.path = url_decode(target, plen, false)) == NULL || strstr(c.path, "/../") ||
	    strchr(c.path, '\\')) {
		fail(&c, 400, "bad-path", "URL が正しくありません", "URL のパスを読めません（文字の符号化が正しくありません）。");
		goto done;
	}
	/* query parameters */
	for (const char *q = qmark ? qmark + 1 : NULL; q && *q;) {
		const char *amp = strchr(q, '&');
		size_t len = amp ? (size_t)(amp - q) : strlen(q);
		const char *eq = memchr(q, '=', len);
		size_t nlen = eq ? (size_t)(eq - q) : len;
		if (len > 0) {
			if (c.nparams == MAX_PARAMS) {
				fail(&c, 400, "too-many-parameters", "パラメータが多すぎます", "URL のパラメータを減らしてください。");
				goto done;
			}
			char *name = url_decode(q, nlen, true);
			char *value = url_decode(eq ? eq + 1 : q + len, eq ? len - nlen - 1 : 0, true);
			if (name == NULL || value == NULL) {
				free(name);
				free(value);
				fail(&c, 400, "bad-parameter-encoding", "パラメータが正しくありません",
				     "URL のパラメータを読めません（% の後の 16 進数か、UTF-8 の文字が正しくありません）。");
				goto done;
			}
			c.params[c.nparams++] = (param){name, value};
		}
		q = amp ? amp + 1 : NULL;
	}
	bool head = strcmp(req->method, "HEAD") == 0;
	if (strcmp(req->method, "OPTIONS") == 0) {
		res->status = 204;
		sasae_http_header(res, "Allow", "GET, HEAD, OPTIONS");
		if (c.api) {
			sasae_http_header(res, "Access-Control-Allow-Origin", "*");
			sasae_http_header(res, "Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
			sasae_http_header(res, "Access-Control-Allow-Headers", "If-None-Match");
			sasae_http_header(res, "Access-Control-Max-Age", "86400");
		}
		goto done;
	}
	if (strcmp(req->method, "GET") != 0 && !head) {
		sasae_http_header(res, "Allow", "GET, HEAD, OPTIONS");
		fail(&c, 405, "method-not-allowed", "この方法では使えません", "このアドレスは GET と HEAD で読むだけです。");
		goto done;
	}
	res->head = head;
	{
		char argbuf[2][256];
		const char *args[2] = {NULL, NULL};
		size_t i;
		for (i = 0; i < sizeof routes / sizeof routes[0]; i++)
			if (match_route(routes[i].pattern, c.path, argbuf, args)) {
				routes[i].handler(&c, args);
				break;
			}
		if (i == sizeof routes / sizeof routes[0])
			fail(&c, 404, "not-found", "ページが見つかりません",
			     "お探しのページはありません。URL を確かめるか、トップページや検索から探してください。");
	}
	if (res->status == 200) {
		char etag[40];
		snprintf(etag, sizeof etag, "\"%016llx\"", (unsigned long long)fnv1a(res->body.data ? res->body.data : "", res->body.len));
		sasae_http_header(res, "ETag", "%s", etag);
		bool has_cc = false;
		for (size_t k = 0; k < res->nheaders; k++)
			has_cc |= strcmp(res->headers[k].name, "Cache-Control") == 0;
		if (!has_cc)
			sasae_http_header(res, "Cache-Control", "public, max-age=300");
		if (req->if_none_match && strstr(req->if_none_match, etag)) {
			/* the body stays, unsent (like HEAD), so that Content-Length is the one of the 200
			   (RFC 9110 §8.6: a 304 must not say 0 when the 200 has content) */
			res->status = 304;
			res->head = true;
		}
	}
done:
	for (size_t i = 0; i < c.nparams; i++) {
		free(c.params[i].name);
		free(c.params[i].value);
	}
	free(c.path);
}

static void close_store(void *s) { sasae_store_close(s); }

static int write_buf(void *out, const char *data, size_t len)
{
	sasae_buf_append(out, data, len);
	return sasae_buf_ok((sasae_buf *)out) ? 0 : -1;
}

int sasae_web_new(sasae_web **out, const char *db_path, const char *plan_spec, sasae_error *err)
{
	*out = NULL;
	sasae_web_templates_init();
	sasae_web *w = calloc(1, sizeof *w);
	if (w == NULL || (w->db_path = sasae_strdup(db_path)) == NULL) {
		free(w);
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	}
	sasae_store *s = NULL;
	int rc = sasae_store_open(&s, db_path, SASAE_STORE_READONLY, err);
	if (rc == 0)
		rc = sasae_store_resolve(s, plan_spec, &w->version_id, err);
	if (rc == 0)
		rc = sasae_store_load_plan(s, w->version_id, &w->plan, err);
	sasae_store_close(s);
	if (rc == 0 && pthread_key_create(&w->store_key, close_store) != 0)
		rc = sasae_error_set(err, SASAE_EINTERNAL, NULL, 0, "スレッドの準備に失敗しました");
	if (rc == 0) {
		sasae_buf j = SASAE_BUF_INIT, csv = SASAE_BUF_INIT;
		if (sasae_export_json(w->plan, write_buf, &j, err) || sasae_export_table(w->plan, ',', true, write_buf, &csv, err))
			rc = err->code ? err->code : SASAE_ENOMEM;
		w->export_json_len = j.len;
		w->export_csv_len = csv.len;
		w->export_json = sasae_buf_detach(&j);
		w->export_csv = sasae_buf_detach(&csv);
	}
	if (rc == 0)
		rc = web_finder_new(&w->finder, db_path, w->plan, err);
	if (rc == 0) { /* lookups: programs by id, department names, section offsets per part */
		const sasae_plan *plan = w->plan;
		w->by_id = malloc((plan->nprograms + 1) * sizeof *w->by_id);
		w->section_base = malloc((plan->nparts + 1) * sizeof *w->section_base);
		size_t nd = 0;
		for (size_t i = 0; i < plan->nprograms; i++)
			nd += plan->programs[i].ndepartments;
		w->dept_names = malloc((nd + 1) * sizeof *w->dept_names);
		if (!w->by_id || !w->section_base || !w->dept_names) {
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		} else {
			for (size_t i = 0; i < plan->nprograms; i++)
				w->by_id[i] = &plan->programs[i];
			qsort(w->by_id, plan->nprograms, sizeof *w->by_id, program_id_cmp);
			for (size_t i = 0; i < plan->nparts; i++) {
				w->section_base[i] = w->nsections;
				w->nsections += plan->parts[i].nsections;
			}
			for (size_t i = 0; i < plan->nprograms; i++)
				for (size_t d = 0; d < plan->programs[i].ndepartments; d++)
					w->dept_names[w->ndepts++] = plan->programs[i].departments[d].name;
			qsort(w->dept_names, w->ndepts, sizeof *w->dept_names, str_cmp);
			size_t u = 0;
			for (size_t i = 0; i < w->ndepts; i++)
				if (u == 0 || strcmp(w->dept_names[u - 1], w->dept_names[i]) != 0)
					w->dept_names[u++] = w->dept_names[i];
			w->ndepts = u;
			served = w;
		}
	}
	if (rc) {
		web_finder_free(w->finder);
		free(w->by_id);
		free(w->section_base);
		free(w->dept_names);
		sasae_plan_free(w->plan);
		free(w->export_json);
		free(w->export_csv);
		free(w->db_path);
		free(w);
		return rc;
	}
	*out = w;
	return 0;
}

void sasae_web_free(sasae_web *w)
{
	if (w == NULL)
		return;
	sasae_store *s = pthread_getspecific(w->store_key);
	sasae_store_close(s);
	pthread_setspecific(w->store_key, NULL);
	pthread_key_delete(w->store_key);
	if (served == w)
		served = NULL;
	web_finder_free(w->finder);
	free(w->by_id);
	free(w->section_base);
	free(w->dept_names);
	sasae_plan_free(w->plan);
	free(w->export_json);
	free(w->export_csv);
	free(w->db_path);
	free(w);
}
