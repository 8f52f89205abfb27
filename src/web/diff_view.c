/*
 * diff_view.c — the difference between two versions of a plan as an HTML fragment (web_render_diff,
 * pages.h): what `sasae diff` reports (include/core/sasae/diff.h computes it; nothing is compared
 * here), side by side.  The fragment is built as a JSON context and rendered by the escaping
 * template engine (templates/diff_view.html), so every name, summary and label is HTML-escaped and
 * the only markup is the template's.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pages.h"
#include "sasae/diff.h"
#include "sasae/export.h"
#include "sasae/template.h"
#include "web_assets.h"

/* Per kind (the order of sasae_diff_kind): the id suffix, the word in captions and the summary
   table, and the group heading — the words of `sasae diff`'s text output. */
static const struct {
	const char *key, *label, *heading;
} KINDS[SASAE_DIFF_NKINDS] = {
	[SASAE_DIFF_ADDED] = {"added", "追加", "追加された事業"},
	[SASAE_DIFF_REMOVED] = {"removed", "削除", "削除された事業"},
	[SASAE_DIFF_RENAMED] = {"renamed", "名称変更", "名称が変わった事業"},
	[SASAE_DIFF_MOVED] = {"moved", "掲載箇所の変更", "掲載箇所（施策）が変わった事業"},
	[SASAE_DIFF_CHANGED] = {"changed", "概要の変更", "事業概要が変わった事業"},
	[SASAE_DIFF_DEPARTMENTS] = {"departments", "担当局等の変更", "担当局等が変わった事業"},
};

/* ---- cells: {"none", "s": [span], "list", "items": [{"s": [span]}]} ---- */

/* A piece of text: {"t", "d" (deleted), "i" (inserted)}; every key set, so that the template's
   lookups never reach an enclosing context. */
static json_t *span(const char *text, bool del, bool ins)
{
	return json_pack("{s:s, s:b, s:b}", "t", text, "d", del, "i", ins);
}

static json_t *cell(json_t *spans, json_t *items)
{
	return json_pack("{s:b, s:o, s:b, s:o}", "none", spans == NULL && items == NULL, "s",
			 spans ? spans : json_null(), "list", items != NULL, "items",
			 items ? items : json_null());
}

/* 「なし」: the side has no such thing (an added program's old side). */
static json_t *cell_none(void) { return cell(NULL, NULL); }

static json_t *cell_text(const char *text)
{
	json_t *s = json_array();
	json_array_append_new(s, span(text, false, false));
	return cell(s, NULL);
}

/* One side of a character diff: the old side keeps '=' and '-' (deleted marked), the new side '='
   and '+' (inserted marked). */
static json_t *cell_spans(const sasae_diff_span *spans, size_t n, bool old_side)
{
	json_t *s = json_array();
	for (size_t i = 0; i < n; i++) {
		char op = spans[i].op;
		if (op == '=' || op == (old_side ? '-' : '+'))
			json_array_append_new(s, span(spans[i].text, old_side && op == '-',
						      !old_side && op == '+'));
	}
	return cell(s, NULL);
}

/* The section a place points into, or NULL (parts are found by number). */
static const sasae_section *place_section(const sasae_plan *plan, const sasae_place *pl)
{
	for (size_t i = 0; i < plan->nparts; i++)
		if (plan->parts[i].number == pl->part)
			return pl->section_index >= 1 && (size_t)pl->section_index <= plan->parts[i].nsections
				       ? &plan->parts[i].sections[pl->section_index - 1]
				       : NULL;
	return NULL;
}

/* "第1部 (2) 施策の題 No.7【再掲】", as `sasae diff` writes a place. */
static json_t *place_item(const sasae_plan *plan, const sasae_place *pl)
{
	const sasae_section *sec = place_section(plan, pl);
	const sasae_listing *l = sec && pl->position >= 1 && (size_t)pl->position <= sec->nlistings
					 ? &sec->listings[pl->position - 1]
					 : NULL;
	sasae_buf b = SASAE_BUF_INIT;
	sasae_buf_appendf(&b, "第%d部 (%d) %s", pl->part, pl->section, sec ? sec->title : "");
	if (l)
		sasae_buf_appendf(&b, " No.%ld%s", l->number, l->relisted ? "【再掲】" : "");
	json_t *s = json_array();
	json_array_append_new(s, span(sasae_buf_ok(&b) ? sasae_buf_cstr(&b) : "", false, false));
	sasae_buf_free(&b);
	return json_pack("{s:o}", "s", s);
}

static json_t *cell_places(const sasae_plan *plan, const sasae_place *pl, size_t n)
{
	if (n == 0)
		return cell_none();
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, place_item(plan, &pl[i]));
	return cell(NULL, items);
}

static bool in_names(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

/* A program's departments, one item each ("市民局（各区役所）"); those in marked (the ones that
   left, on the old side; the ones that came, on the new side) as deleted or inserted. */
static json_t *cell_departments(const sasae_program *p, const char *const *marked, size_t nmarked, bool old_side)
{
	if (p->ndepartments == 0)
		return cell_none();
	json_t *items = json_array();
	for (size_t i = 0; i < p->ndepartments; i++) {
		const sasae_department *d = &p->departments[i];
		char *text = sasae_departments_join(d, 1);
		bool mark = in_names(marked, nmarked, d->name);
		json_t *s = json_array();
		json_array_append_new(s, span(text ? text : d->name, old_side && mark, !old_side && mark));
		free(text);
		json_array_append_new(items, json_pack("{s:o}", "s", s));
	}
	return cell(NULL, items);
}

static void add_row(json_t *rows, const char *field, json_t *old_cell, json_t *new_cell)
{
	json_array_append_new(rows, json_pack("{s:b, s:s, s:o, s:o}", "wide", false, "field", field, "old",
					      old_cell, "new", new_cell));
}

/* ---- entries ---- */

/* The rows of one change (its fields, old and new side by side). */
static int entry_rows(json_t *rows, const sasae_diff *d, const sasae_diff_entry *e)
{
	const sasae_program *op = e->old_program, *np = e->new_program;
	const sasae_plan *o = d->old_plan, *n = d->new_plan;
	char buf[128];
	switch (e->kind) {
	case SASAE_DIFF_ADDED:
		add_row(rows, "事業名", cell_none(), cell_text(np->name));
		add_row(rows, "掲載", cell_none(), cell_places(n, np->places, np->nplaces));
		add_row(rows, "担当局等", cell_none(), cell_departments(np, NULL, 0, false));
		add_row(rows, "事業概要", cell_none(), cell_text(np->summary));
		break;
	case SASAE_DIFF_REMOVED:
		add_row(rows, "事業名", cell_text(op->name), cell_none());
		add_row(rows, "掲載", cell_places(o, op->places, op->nplaces), cell_none());
		add_row(rows, "担当局等", cell_departments(op, NULL, 0, true), cell_none());
		add_row(rows, "事業概要", cell_text(op->summary), cell_none());
		break;
	case SASAE_DIFF_RENAMED: {
		/* the names through the core's character diff, so that the new words show */
		sasae_diff_span *spans = NULL;
		size_t ns = 0;
		if (sasae_diff_text(&spans, &ns, op->name, np->name) != 0)
			return SASAE_ENOMEM;
		add_row(rows, "事業名", cell_spans(spans, ns, true), cell_spans(spans, ns, false));
		sasae_diff_spans_free(spans, ns);
		snprintf(buf, sizeof buf, "%.2f（名称 %.2f・概要 %.2f）", e->score, e->name_score,
			 e->summary_score);
		/* one cell across both columns: the score belongs to the pair */
		json_array_append_new(rows, json_pack("{s:b, s:s, s:s}", "wide", true, "field", "類似度",
						      "text", buf));
		add_row(rows, "掲載", cell_places(o, op->places, op->nplaces),
			cell_places(n, np->places, np->nplaces));
		break;
	}
	case SASAE_DIFF_MOVED:
		add_row(rows, "事業名", cell_text(op->name), cell_text(np->name));
		add_row(rows, "掲載箇所", cell_places(o, e->lost, e->nlost),
			cell_places(n, e->gained, e->ngained));
		break;
	case SASAE_DIFF_CHANGED:
		if (e->nname_diff)
			add_row(rows, "事業名", cell_spans(e->name_diff, e->nname_diff, true),
				cell_spans(e->name_diff, e->nname_diff, false));
		else
			add_row(rows, "事業名", cell_text(op->name), cell_text(np->name));
		if (e->nsummary_diff)
			add_row(rows, "事業概要", cell_spans(e->summary_diff, e->nsummary_diff, true),
				cell_spans(e->summary_diff, e->nsummary_diff, false));
		break;
	case SASAE_DIFF_DEPARTMENTS:
		add_row(rows, "事業名", cell_text(op->name), cell_text(np->name));
		add_row(rows, "担当局等", cell_departments(op, e->depts_removed, e->ndepts_removed, true),
			cell_departments(np, e->depts_added, e->ndepts_added, false));
		break;
	case SASAE_DIFF_NKINDS: break;
	}
	return 0;
}

/* What the change is about: the new name (the old one for a removal). */
static const char *entry_title(const sasae_diff_entry *e)
{
	return e->new_program ? e->new_program->name : e->old_program->name;
}

/* "sendai-2024-draft 第1版" or the document's source, when no label is given. */
static json_t *side_label(const sasae_plan *plan, const char *label)
{
	if (label)
		return json_string(label);
	if (plan->version > 0)
		return json_sprintf("%s 第%d版", plan->slug ? plan->slug : "", plan->version);
	return json_string(plan->source ? plan->source : "");
}

/* The template's context (a new reference), or NULL when out of memory. */
static json_t *diff_context(const sasae_diff *d, const char *old_label, const char *new_label)
{
	json_t *kinds = json_array();
	size_t i = 0;
	char threshold[32];
	snprintf(threshold, sizeof threshold, "%.2f", d->threshold);
	for (int k = 0; k < SASAE_DIFF_NKINDS; k++) {
		json_t *entries = json_array();
		for (size_t j = 0; j < d->count[k]; j++, i++) {
			const sasae_diff_entry *e = &d->entries[i];
			json_t *rows = json_array();
			if (entry_rows(rows, d, e) != 0) {
				json_decref(rows);
				json_decref(entries);
				json_decref(kinds);
				return NULL;
			}
			json_array_append_new(entries, json_pack("{s:s, s:s, s:s, s:o}", "key", KINDS[k].key,
								 "label", KINDS[k].label, "title",
								 entry_title(e), "rows", rows));
		}
		json_array_append_new(kinds, json_pack("{s:s, s:s, s:s, s:I, s:o, s:b}", "key", KINDS[k].key,
						       "label", KINDS[k].label, "heading", KINDS[k].heading,
						       "count", (json_int_t)d->count[k], "entries", entries,
						       "renamed", k == SASAE_DIFF_RENAMED));
	}
	return json_pack("{s:o, s:o, s:I, s:I, s:I, s:I, s:b, s:I, s:s, s:o}", "old_label",
			 side_label(d->old_plan, old_label), "new_label", side_label(d->new_plan, new_label),
			 "old_programs", (json_int_t)d->old_plan->nprograms, "old_listings",
			 (json_int_t)sasae_plan_count_listings(d->old_plan), "new_programs",
			 (json_int_t)d->new_plan->nprograms, "new_listings",
			 (json_int_t)sasae_plan_count_listings(d->new_plan), "equal", sasae_diff_empty(d),
			 "total", (json_int_t)d->nentries, "threshold", threshold, "kinds", kinds);
}

int web_render_diff(sasae_buf *out, const sasae_plan *old_plan, const char *old_label,
		    const sasae_plan *new_plan, const char *new_label, sasae_error *err)
{
	sasae_diff *d = NULL;
	int rc = sasae_diff_plans(&d, old_plan, new_plan, NULL, err);
	if (rc)
		return rc;
	json_t *ctx = diff_context(d, old_label, new_label);
	if (ctx == NULL) {
		rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	} else {
		sasae_web_templates_init();
		rc = sasae_template_render(out, sasae_web_templates, sasae_web_ntemplates, "diff_view", ctx,
					   err);
	}
	json_decref(ctx);
	sasae_diff_free(d);
	return rc;
}
