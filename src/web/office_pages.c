/*
 * office_pages.c — the plan office's tools on the web: the consistency check of the served plan
 * (/office/lint, and /api/v1/lint as JSON).  Read-only for now; sign-in comes with a later issue.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/lint.h"
#include "page.h"
#include "pages.h"

/* The plan office's consistency check (read-only for now; sign-in comes with a later issue). */
void web_page_lint(web_ctx *c)
{
	sasae_error err = {0};
	sasae_lint_findings *f = NULL;
	if (sasae_lint(web_of(c)->plan, &f, &err)) {
		web_fail(c, 500, "internal", "内部エラー", "点検できませんでした。");
		return;
	}
	json_t *j = sasae_lint_json(web_of(c)->plan, f);
	if (web_is_api(c)) {
		sasae_lint_findings_free(f);
		if (j == NULL)
			web_fail(c, 500, "internal", "内部エラー", "点検の結果を作れませんでした。");
		else
			web_send_json(c, j);
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
			json_t *it = json_pack("{s:s, s:s?, s:i, s:i, s:i, s:I, s:I, s:s?}", "message",
					       x->message, "name", x->at.name, "part", x->at.part, "section",
					       x->at.section, "section_index", x->at.section_index, "number",
					       (json_int_t)x->at.number, "line",
					       (json_int_t)x->at.source_line, "diff", x->diff);
			if (x->has_other)
				json_object_set_new(it, "other",
						    json_pack("{s:i, s:i, s:i, s:I, s:I}", "part",
							      x->other.part, "section", x->other.section,
							      "section_index", x->other.section_index,
							      "number", (json_int_t)x->other.number, "line",
							      (json_int_t)x->other.source_line));
			json_array_append_new(items, it);
		}
		if (json_array_size(items))
			json_array_append_new(groups,
					      json_pack("{s:s, s:s, s:I, s:o}", "kind", kinds[k], "title",
							sasae_lint_kind_title(kinds[k]), "count",
							(json_int_t)json_array_size(items), "items", items));
		else
			json_decref(items);
	}
	size_t open = sasae_lint_open_count(f);
	sasae_lint_findings_free(f);
	json_decref(j);
	web_render(c, 200, "lint", json_pack("{s:I, s:o}", "total", (json_int_t)open, "groups", groups),
		   "事業一覧の点検");
}
