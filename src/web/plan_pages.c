/*
 * plan_pages.c — the plan's pages and their API twins: the home page (parts and sections with
 * counts), a part, a section, a program (with its JSON-LD), the departments and one department;
 * /api/v1/plans, /api/v1/parts and /api/v1/programs.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/escape.h"
#include "sasae/store.h"
#include "page.h"
#include "pages.h"

void web_page_home(web_ctx *c)
{
	const sasae_plan *plan = web_of(c)->plan;
	json_t *page = json_pack("{s:o, s:I, s:I, s:I}", "parts", web_parts_json(plan), "listings",
				 (json_int_t)sasae_plan_count_listings(plan), "programs",
				 (json_int_t)plan->nprograms, "sections",
				 (json_int_t)sasae_plan_count_sections(plan));
	web_render(c, 200, "home", page, plan->title);
}

void web_page_part(web_ctx *c)
{
	const char *const *args = c->req->args;
	const sasae_plan *plan = web_of(c)->plan;
	const sasae_part *p = web_find_part(plan, web_parse_num(args[0]));
	if (p == NULL) {
		web_fail(c, 404, "not-found", "見つかりません", "その部はこの計画にありません。");
		return;
	}
	json_t *sections = json_array();
	for (size_t j = 0; j < p->nsections; j++) {
		json_t *s = web_section_summary(p, j);
		json_t *ls = json_array();
		for (size_t k = 0; k < p->sections[j].nlistings; k++) {
			json_t *l = web_listing_json(web_of(c), &p->sections[j].listings[k], (int)j + 1);
			char anchor[48]; /* unique on the part page, where positions repeat across sections */
			snprintf(anchor, sizeof anchor, "s%zu-n%zu", j + 1, k + 1);
			if (!web_is_api(c)) /* page anchors only */
				json_object_set_new(l, "anchor", json_string(anchor));
			json_array_append_new(ls, l);
		}
		json_object_set_new(s, "items", ls);
		json_array_append_new(sections, s);
	}
	char title[256];
	snprintf(title, sizeof title, "第%d部%s%s", p->number, p->title ? " " : "", p->title ? p->title : "");
	json_t *page = json_pack("{s:i, s:s?, s:s, s:o}", "number", p->number, "part_title", p->title,
				 "heading", title, "sections", sections);
	if (web_is_api(c)) {
		json_object_del(page, "heading");
		web_send_json(c, page);
	} else {
		web_render(c, 200, "part", page, title);
	}
}

void web_page_section(web_ctx *c)
{
	const char *const *args = c->req->args;
	const sasae_plan *plan = web_of(c)->plan;
	const sasae_part *p = web_find_part(plan, web_parse_num(args[0]));
	long idx = web_parse_num(args[1]);
	if (p == NULL || idx < 1 || (size_t)idx > p->nsections) {
		web_fail(c, 404, "not-found", "見つかりません", "その施策はこの計画にありません。");
		return;
	}
	const sasae_section *s = &p->sections[idx - 1];
	json_t *ls = json_array();
	for (size_t k = 0; k < s->nlistings; k++) {
		json_t *l = web_listing_json(web_of(c), &s->listings[k], (int)idx);
		char anchor[32];
		snprintf(anchor, sizeof anchor, "n%zu", k + 1);
		if (!web_is_api(c)) /* page anchors only */
			json_object_set_new(l, "anchor", json_string(anchor));
		json_array_append_new(ls, l);
	}
	char title[512];
	snprintf(title, sizeof title, "(%d) %s", s->number, s->title);
	json_t *page = json_pack("{s:i, s:s?, s:i, s:i, s:s, s:o}", "part", p->number, "part_title", p->title,
				 "number", s->number, "index", (int)idx, "title", s->title, "items", ls);
	if (web_is_api(c)) {
		web_send_json(c, page);
	} else {
		json_object_set_new(page, "count", json_integer((json_int_t)s->nlistings));
		web_render(c, 200, "section", page, title);
	}
}

void web_page_program(web_ctx *c)
{
	const char *const *args = c->req->args;
	const sasae_plan *plan = web_of(c)->plan;
	const sasae_program *p = web_find_program(web_of(c), args[0]);
	if (p == NULL) {
		web_fail(c, 404, "not-found", "見つかりません",
			 "その事業はこの計画にありません。事業一覧か検索から探してください。");
		return;
	}
	json_t *page = web_program_json(plan, p);
	if (web_is_api(c)) {
		web_send_json(c, page);
		return;
	}
	/* programs of the same department(s) */
	json_t *related = json_array();
	for (size_t i = 0; i < plan->nprograms && json_array_size(related) < 12; i++) {
		const sasae_program *o = &plan->programs[i];
		if (o == p)
			continue;
		for (size_t d = 0; d < p->ndepartments; d++)
			if (web_has_department(o, p->departments[d].name)) {
				json_array_append_new(related,
						      json_pack("{s:s, s:s}", "id", o->id, "name", o->name));
				break;
			}
	}
	json_object_set_new(page, "related", related);
	json_object_set_new(page, "tags", web_finder_program_tags(c, p));
	/* schema.org GovernmentService as JSON-LD: dumped by jansson, then "<" escaped so that no
	   "</script>" can end the element early (the template inserts it raw, a visible marker). */
	json_t *ld = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "@context", "https://schema.org", "@type",
			       "GovernmentService", "identifier", p->id, "name", p->name, "description",
			       p->summary, "provider", json_array());
	for (size_t d = 0; d < p->ndepartments; d++)
		json_array_append_new(json_object_get(ld, "provider"),
				      json_pack("{s:s, s:s}", "@type", "GovernmentOrganization", "name",
						p->departments[d].name));
	char *lds = json_dumps(ld, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(ld);
	sasae_buf safe = SASAE_BUF_INIT;
	sasae_json_script_escape(&safe, lds ? lds : "", lds ? strlen(lds) : 0);
	free(lds);
	json_object_set_new(page, "jsonld", json_string(sasae_buf_cstr(&safe)));
	sasae_buf_free(&safe);
	web_render(c, 200, "program", page, p->name);
}

void web_page_departments(web_ctx *c)
{
	json_t *list = web_departments_index(web_of(c)->plan);
	if (web_is_api(c))
		web_send_json(c, json_pack("{s:o}", "departments", list));
	else
		web_render(c, 200, "departments", json_pack("{s:o}", "departments", list), "担当局等の一覧");
}

void web_page_department(web_ctx *c)
{
	const char *const *args = c->req->args;
	const sasae_plan *plan = web_of(c)->plan;
	json_t *programs = json_array();
	for (size_t i = 0; i < plan->nprograms; i++)
		if (web_has_department(&plan->programs[i], args[0]))
			json_array_append_new(programs, json_pack("{s:s, s:s, s:s}", "id", plan->programs[i].id,
								  "name", plan->programs[i].name, "summary",
								  plan->programs[i].summary));
	if (json_array_size(programs) == 0) {
		json_decref(programs);
		web_fail(c, 404, "not-found", "見つかりません",
			 "その担当局等はこの計画にありません。担当局等の一覧から選んでください。");
		return;
	}
	json_t *page = json_pack("{s:s, s:I, s:o}", "name", args[0], "count",
				 (json_int_t)json_array_size(programs), "programs", programs);
	if (web_is_api(c))
		web_send_json(c, page);
	else
		web_render(c, 200, "department", page, args[0]);
}

void web_api_plans(web_ctx *c)
{
	sasae_error err = {0};
	sasae_store *s = web_thread_store(web_of(c), &err);
	sasae_plan_info *infos;
	size_t n;
	if (s == NULL || sasae_store_plans(s, &infos, &n, &err)) {
		web_fail(c, 500, "internal", "内部エラー", "計画の一覧を読めませんでした。");
		return;
	}
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:i, s:s, s:s, s:I, s:I, s:I, s:I}", "slug",
						   infos[i].slug, "title", infos[i].title, "version",
						   infos[i].version, "source", infos[i].source, "imported_at",
						   infos[i].imported_at, "parts", (json_int_t)infos[i].parts,
						   "sections", (json_int_t)infos[i].sections, "listings",
						   (json_int_t)infos[i].listings, "programs",
						   (json_int_t)infos[i].programs));
	sasae_plan_infos_free(infos, n);
	web_send_json(c, json_pack("{s:s, s:o}", "served", web_of(c)->plan->slug, "plans", a));
}

void web_api_parts(web_ctx *c)
{
	web_send_json(c, json_pack("{s:o}", "parts", web_parts_json(web_of(c)->plan)));
}

void web_api_programs(web_ctx *c)
{
	const sasae_plan *plan = web_of(c)->plan;
	int part, section, page_no, per_page;
	if (!web_int_param(c, "part", 0, 1, 1000, &part) || !web_int_param(c, "section", 0, 1, 1000, &section) ||
	    !web_int_param(c, "page", 1, 1, 100000, &page_no) ||
	    !web_int_param(c, "per_page", 50, 1, 500, &per_page))
		return;
	const char *dept = web_param(c, "department");
	json_t *items = json_array();
	size_t total = 0, first = (size_t)(page_no - 1) * (size_t)per_page;
	for (size_t i = 0; i < plan->nprograms; i++) {
		const sasae_program *p = &plan->programs[i];
		if (dept && *dept && !web_has_department(p, dept))
			continue;
		bool in = part == 0 && section == 0;
		for (size_t k = 0; k < p->nplaces && !in; k++)
			in = (part == 0 || p->places[k].part == part) &&
			     (section == 0 || p->places[k].section_index == section);
		if (!in)
			continue;
		if (total >= first && total < first + (size_t)per_page)
			json_array_append_new(items, web_program_json(plan, p));
		total++;
	}
	web_send_json(c, json_pack("{s:I, s:i, s:i, s:o}", "total", (json_int_t)total, "page", page_no,
				   "per_page", per_page, "programs", items));
}
