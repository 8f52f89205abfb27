/*
 * search_page.c — search on the web: the results page (/search: highlighted snippets, every
 * place a program is listed, pagination, "did you mean", facets counted in memory from the served
 * plan) and the API (/api/v1/search).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/search.h"
#include "sasae/store.h"
#include "sasae/text.h"
#include "page.h"
#include "pages.h"

/* One facet: a part, a section or a department, with how many matching programs it has. */
typedef struct facet {
	int part;          /* part number (part and section facets) */
	int section;       /* section number as printed (section facets) */
	const char *label; /* part title, section title or department name (borrowed from the plan; may be "") */
	size_t count;
} facet;

/* The facets of a query (arrays in one allocation: free(f->parts)). */
typedef struct facet_set {
	facet *parts, *sections, *departments;
	size_t nparts, nsections, ndepartments;
} facet_set;

/* Facets of a set of matching programs, counted in memory from the served plan: how many of them
   each part, section and department has (one query for the ids instead of three grouped ones).
   Returns 0 (free f->parts after use) or SASAE_ENOMEM. */
static int facets_from_ids(const web_site *w, char **ids, size_t n, facet_set *f)
{
	const sasae_plan *plan = w->plan;
	memset(f, 0, sizeof *f);
	size_t np = plan->nparts, ns = w->nsections, nd = w->ndepts, all = np + ns + nd;
	facet *out = malloc((all + 1) * sizeof *out);
	size_t *cnt = calloc(all + 1, sizeof *cnt), *last = malloc((all + 1) * sizeof *last);
	if (out == NULL || cnt == NULL || last == NULL) {
		free(out);
		free(cnt);
		free(last);
		return SASAE_ENOMEM;
	}
	for (size_t i = 0; i < all; i++)
		last[i] = (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		const sasae_program *p = web_find_program(w, ids[i]);
		if (p == NULL)
			continue;
		for (size_t k = 0; k < p->nplaces; k++) {
			size_t pi = (size_t)p->places[k].part - 1,
			       si = np + w->section_base[pi] + (size_t)p->places[k].section_index - 1;
			if (last[pi] != i)
				cnt[pi]++, last[pi] = i;
			if (last[si] != i)
				cnt[si]++, last[si] = i;
		}
		for (size_t d = 0; d < p->ndepartments; d++) {
			const char *name = p->departments[d].name;
			const char **hit =
				bsearch(&name, w->dept_names, nd, sizeof *w->dept_names, web_str_cmp);
			size_t di = np + ns + (size_t)(hit - w->dept_names);
			if (hit && last[di] != i)
				cnt[di]++, last[di] = i;
		}
	}
	f->parts = out;
	for (size_t pi = 0; pi < np; pi++)
		if (cnt[pi])
			f->parts[f->nparts++] =
				(facet){plan->parts[pi].number, 0,
					plan->parts[pi].title ? plan->parts[pi].title : "", cnt[pi]};
	f->sections = f->parts + f->nparts;
	for (size_t pi = 0; pi < np; pi++) {
		const sasae_part *part = &plan->parts[pi];
		for (size_t j = 0; j < part->nsections; j++) {
			size_t si = np + w->section_base[pi] + j;
			if (cnt[si])
				f->sections[f->nsections++] = (facet){part->number, part->sections[j].number,
								      part->sections[j].title, cnt[si]};
		}
	}
	f->departments = f->sections + f->nsections;
	for (size_t d = 0; d < nd; d++)
		if (cnt[np + ns + d])
			f->departments[f->ndepartments++] = (facet){0, 0, w->dept_names[d], cnt[np + ns + d]};
	/* departments: most programs first, then by name (as the store's facets) */
	for (size_t a = 1; a < f->ndepartments; a++) {
		facet x = f->departments[a];
		size_t b = a;
		while (b > 0 && (f->departments[b - 1].count < x.count ||
				 (f->departments[b - 1].count == x.count &&
				  strcmp(f->departments[b - 1].label, x.label) > 0))) {
			f->departments[b] = f->departments[b - 1];
			b--;
		}
		f->departments[b] = x;
	}
	free(cnt);
	free(last);
	return 0;
}

/* A string of the page built from data that is valid UTF-8 (the plan, a query sasae_search took). */
static void set_str(json_t *o, const char *key, const char *v)
{
	json_object_set_new_nocheck(o, key, json_string_nocheck(v ? v : ""));
}

static void set_int(json_t *o, const char *key, json_int_t v)
{
	json_object_set_new_nocheck(o, key, json_integer(v));
}

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
static json_t *facets_json(const facet_set *f, const char *q)
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
		snprintf(fq, sizeof fq, "%s part:%d section:%d", q, f->sections[i].part,
			 f->sections[i].section);
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

void web_page_search(web_ctx *c)
{
	const char *q = web_param(c, "q");
	int page_no, per_page;
	if (!web_int_param(c, "page", 1, 1, 10000, &page_no) ||
	    !web_int_param(c, "per_page", 20, 1, 100, &per_page))
		return;
	int offset = (page_no - 1) * per_page;
	if (web_is_api(c)) { /* the API also takes limit (= per_page) and offset (instead of page) */
		int lim, off;
		if (!web_int_param(c, "limit", per_page, 1, 100, &lim) ||
		    !web_int_param(c, "offset", 0, 0, 1000000, &off))
			return;
		per_page = lim;
		offset = web_param(c, "offset") ? off : (page_no - 1) * per_page;
	}
	if (q == NULL || *q == '\0') {
		if (web_is_api(c)) {
			web_fail(c, 400, "missing-query", "検索語がありません",
				 "q に検索語を指定してください（例: ?q=認知症）。");
			return;
		}
		web_render(c, 200, "search", json_pack("{s:b}", "empty", 1), "検索");
		return;
	}
	sasae_error err = {0};
	sasae_store *s = web_thread_store(web_of(c), &err);
	sasae_search_results *r = NULL;
	if (s == NULL || sasae_search(&r, s, web_of(c)->version_id, q, per_page, offset, &err)) {
		size_t bad; /* a message quoting the query can be cut mid-character at the end of its buffer */
		if (!sasae_utf8_valid(err.message, strlen(err.message), &bad))
			err.message[bad] = '\0';
		if (err.code == SASAE_EUSAGE) {
			if (web_is_api(c)) {
				web_fail(c, 400, "bad-query", "検索語の書き方が正しくありません", err.message);
			} else {
				web_render(c, 400, "search",
					   json_pack("{s:s, s:s}", "query", q, "error", err.message), "検索");
			}
		} else {
			web_fail(c, 500, "internal", "内部エラー",
				 "検索できませんでした。しばらくしてからもう一度お試しください。");
		}
		return;
	}
	if (web_is_api(c)) {
		web_send_json(c, sasae_search_results_json(r));
		sasae_search_results_free(r);
		return;
	}
	size_t pages = (r->total + (size_t)per_page - 1) / (size_t)per_page;
	if (r->total > 0 && (size_t)page_no > pages) { /* past the last page: say so, keep the query */
		char msg[200];
		snprintf(msg, sizeof msg, "そのページはありません。検索結果は %zu ページまでです。", pages);
		sasae_search_results_free(r);
		web_render(c, 404, "search", json_pack("{s:s, s:s}", "query", q, "error", msg), "検索");
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
	facet_set f;
	char **ids = NULL;
	size_t nids = 0;
	bool have_facets;
	if (r->total > 0 && offset == 0 && r->nresults == r->total) {
		char **page_ids = malloc(r->nresults * sizeof *page_ids);
		for (size_t i = 0; page_ids && i < r->nresults; i++)
			page_ids[i] = r->results[i].hit.program;
		have_facets = page_ids && facets_from_ids(web_of(c), page_ids, r->nresults, &f) == 0;
		free(page_ids);
	} else {
		have_facets = r->total > 0 &&
			      sasae_search_ids(&ids, &nids, s, web_of(c)->version_id, q, &err) == 0 &&
			      facets_from_ids(web_of(c), ids, nids, &f) == 0;
		sasae_store_ids_free(ids, nids);
	}
	if (have_facets) {
		facets = facets_json(&f, q);
		free(f.parts);
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
	size_t total = r->total;
	sasae_search_results_free(r);
	/* the title carries the words (cut at a character boundary: at most 200 bytes) and the count */
	size_t cut = strlen(q);
	bool longer = cut > 200;
	if (longer)
		for (cut = 200; cut > 0 && ((unsigned char)q[cut] & 0xC0) == 0x80; cut--)
			;
	char title[320];
	snprintf(title, sizeof title, "「%.*s%s」の検索結果（%zu 件）", (int)cut, q, longer ? "…" : "", total);
	web_render(c, 200, "search", page, title);
}
