/*
 * progress_report.c — the council's packet of a year (/office/progress/{year}, docs/progress.md):
 * per part a one-page summary (the grade distribution as an SVG bar chart drawn here, with its data
 * table for screen readers, and the figures of each section), then the detail of every program's
 * sheet, and what changed since the year before (grades that moved, new 課題).  No JavaScript, no
 * outside request; the print style sheet puts each part summary on its own A4 page.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/progress.h"
#include "page.h"
#include "pages.h"

enum { CHART_W = 320, BAR_H = 22, BAR_GAP = 8, LABEL_W = 130 };

/* The chart and table of a tally: bars (one per grade, then 未評価) with their geometry. */
static json_t *chart_json(const sasae_progress_rollup *r, json_t *labels, const sasae_progress_tally *t)
{
	size_t max = 1;
	for (size_t i = 0; i < r->ngrades; i++)
		max = t->graded[i] > max ? t->graded[i] : max;
	max = t->ungraded > max ? t->ungraded : max;
	json_t *bars = json_array();
	for (size_t i = 0; i <= r->ngrades; i++) {
		size_t v = i < r->ngrades ? t->graded[i] : t->ungraded;
		char label[120];
		if (i < r->ngrades)
			snprintf(label, sizeof label, "%s %s", r->grades[i],
				 json_string_value(json_array_get(labels, i)));
		else
			snprintf(label, sizeof label, "未評価");
		int y = (int)i * (BAR_H + BAR_GAP);
		int w = (int)((double)v / (double)max * CHART_W);
		json_array_append_new(bars, json_pack("{s:s, s:I, s:i, s:i, s:i, s:i, s:i}", "label", label,
						      "count", (json_int_t)v, "y", y, "ty", y + BAR_H - 6,
						      "w", w, "x", LABEL_W, "tx", LABEL_W + w + 6));
	}
	int h = (int)(r->ngrades + 1) * (BAR_H + BAR_GAP);
	char att[80] = "";
	if (t->indicators)
		snprintf(att, sizeof att, "%zu / %zu（%.0f%%）", t->attained, t->indicators,
			 100.0 * (double)t->attained / (double)t->indicators);
	return json_pack("{s:o, s:i, s:i, s:I, s:I, s:s, s:I}", "bars", bars, "height", h, "width",
			 LABEL_W + CHART_W + 60, "sheets", (json_int_t)t->sheets, "submitted",
			 (json_int_t)t->submitted, "attainment", att, "arrows", (json_int_t)t->arrows);
}

/* The grade code and issues of a sheet's values. */
static const char *value_str(json_t *d, const char *key)
{
	const char *s = json_string_value(json_object_get(d, key));
	return s ? s : "";
}

void web_office_progress_report(web_ctx *c)
{
	long y = web_parse_num(c->req->args[0]);
	int year = y >= 2000 && y <= 2100 ? (int)y : 0;
	if (year == 0) {
		web_fail(c, 404, "not-found", "見つかりません", "その年度の進捗管理はありません。");
		return;
	}
	sasae_store *s = web_ws_store(c);
	if (s == NULL)
		return;
	sasae_error err = {0};
	sasae_progress_cycle cy = {0};
	sasae_progress_rollup *r = NULL;
	sasae_progress_sheet *sh = NULL, *prev = NULL;
	size_t n = 0, nprev = 0;
	int rc = sasae_progress_cycle_get(s, year, &cy, &err);
	if (rc == 0)
		rc = sasae_progress_rollup_compute(s, year, &r, &err);
	if (rc == 0)
		rc = sasae_progress_sheets(s, year, &sh, &n, &err);
	if (rc) {
		sasae_progress_cycle_clear(&cy);
		sasae_progress_rollup_free(r);
		web_core_fail(c, rc, &err);
		return;
	}
	sasae_error perr = {0};
	bool have_prev = sasae_progress_sheets(s, year - 1, &prev, &nprev, &perr) == 0;
	json_t *conf = json_loads(cy.config, 0, NULL);
	json_t *labels = json_array();
	json_t *grades = json_object_get(conf, "grades");
	for (size_t i = 0; i < json_array_size(grades); i++)
		json_array_append(labels, json_object_get(json_array_get(grades, i), "label"));
	/* per part: the chart and its sections */
	json_t *parts = json_array();
	for (size_t p = 0; p < r->nparts; p++) {
		const sasae_progress_group *g = &r->parts[p];
		json_t *secs = json_array();
		for (size_t k = 0; k < r->nsections; k++) {
			const sasae_progress_group *x = &r->sections[k];
			if (x->part != g->part)
				continue;
			json_t *counts = json_array();
			for (size_t i = 0; i < r->ngrades; i++)
				json_array_append_new(counts, json_integer((json_int_t)x->tally.graded[i]));
			char att[80] = "—";
			if (x->tally.indicators)
				snprintf(att, sizeof att, "%zu / %zu", x->tally.attained, x->tally.indicators);
			json_array_append_new(secs, json_pack("{s:s, s:s, s:I, s:o, s:I, s:s}", "key", x->key,
							      "title", x->title, "sheets",
							      (json_int_t)x->tally.sheets, "counts", counts,
							      "ungraded", (json_int_t)x->tally.ungraded,
							      "attainment", att));
		}
		json_array_append_new(parts,
				      json_pack("{s:s, s:s, s:o, s:o}", "key", g->key, "title", g->title,
						"chart", chart_json(r, labels, &g->tally), "sections", secs));
	}
	/* the detail per program, and what changed since the year before */
	const char *grade_key = "grade", *issues_key = "issues";
	json_t *detail = json_array(), *changes = json_array(), *new_issues = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *d = json_loads(sh[i].data, 0, NULL);
		json_t *dl = json_array();
		for (size_t j = 0; j < sh[i].ndepartments; j++)
			json_array_append_new(dl, json_string(sh[i].departments[j]));
		json_t *ind = json_array();
		json_t *rows = json_object_get(d, "indicators");
		for (size_t k = 0; k < json_array_size(rows); k++) {
			json_t *row = json_array_get(rows, k);
			char tg[40] = "", ac[40] = "";
			if (json_is_number(json_object_get(row, "target")))
				snprintf(tg, sizeof tg, "%.15g",
					 json_number_value(json_object_get(row, "target")));
			if (json_is_number(json_object_get(row, "actual")))
				snprintf(ac, sizeof ac, "%.15g",
					 json_number_value(json_object_get(row, "actual")));
			json_array_append_new(ind, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name",
							     value_str(row, "name"), "unit",
							     value_str(row, "unit"), "kind",
							     value_str(row, "kind"), "target", tg, "actual",
							     ac, "arrow", value_str(row, "arrow")));
		}
		json_array_append_new(detail, json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:o}",
							"id", sh[i].program, "name", sh[i].name, "departments",
							dl, "state", sasae_progress_state_label(sh[i].state),
							"grade", value_str(d, grade_key), "reason",
							value_str(d, "grade_reason"), "issues",
							value_str(d, issues_key), "direction",
							value_str(d, "direction"), "status",
							value_str(d, "status"), "indicators", ind));
		for (size_t k = 0; have_prev && k < nprev; k++) {
			if (strcmp(prev[k].program, sh[i].program) != 0)
				continue;
			json_t *pd = json_loads(prev[k].data, 0, NULL);
			const char *g0 = value_str(pd, grade_key), *g1 = value_str(d, grade_key);
			if (*g0 && *g1 && strcmp(g0, g1) != 0)
				json_array_append_new(changes,
						      json_pack("{s:s, s:s, s:s, s:s}", "id", sh[i].program,
								"name", sh[i].name, "from", g0, "to", g1));
			const char *i0 = value_str(pd, issues_key), *i1 = value_str(d, issues_key);
			if (*i1 && strcmp(i0, i1) != 0)
				json_array_append_new(new_issues,
						      json_pack("{s:s, s:s, s:s}", "id", sh[i].program,
								"name", sh[i].name, "issues", i1));
			json_decref(pd);
		}
		json_decref(d);
	}
	json_t *page = web_ws_page(c);
	json_object_set_new(page, "year", json_integer(year));
	json_object_set_new(page, "previous", have_prev ? json_integer(year - 1) : json_null());
	json_object_set_new(page, "total", chart_json(r, labels, &r->total));
	json_object_set_new(page, "grades", labels);
	json_object_set_new(page, "grade_codes", json_array());
	for (size_t i = 0; i < r->ngrades; i++)
		json_array_append_new(json_object_get(page, "grade_codes"), json_string(r->grades[i]));
	json_object_set_new(page, "parts", parts);
	json_object_set_new(page, "detail", detail);
	json_object_set_new(page, "changes", changes);
	json_object_set_new(page, "new_issues", new_issues);
	json_decref(conf);
	sasae_progress_sheets_free(sh, n);
	sasae_progress_sheets_free(prev, nprev);
	sasae_progress_rollup_free(r);
	sasae_progress_cycle_clear(&cy);
	char title[80];
	snprintf(title, sizeof title, "%d 年度 進捗状況の報告（審議会資料）", year);
	web_render(c, 200, "office_progress_report", page, title);
}
