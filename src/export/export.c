/* export.c — JSON (data contract), CSV and TSV exports (see include/core/sasae/export.h), and the helpers
   the other export files share (export_internal.h). */
#include "sasae/export.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/buf.h"
#include "export_internal.h"
#include "sasae/escape.h"

static json_t *departments_json(const sasae_department *d, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_string(d[i].name)) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* {"市民局": "各区役所、総合支所"} for the departments that carry a note, or NULL when none do. */
static json_t *notes_json(const sasae_department *d, size_t n)
{
	json_t *o = NULL;
	for (size_t i = 0; i < n; i++) {
		if (d[i].note == NULL)
			continue;
		if (o == NULL && (o = json_object()) == NULL)
			return NULL;
		json_object_set_new(o, d[i].name, json_string(d[i].note));
	}
	return o;
}

static json_t *listing_json(const sasae_listing *l)
{
	json_t *o = json_pack("{s:I, s:i, s:s, s:b, s:s, s:o, s:s?, s:I}", "number", (json_int_t)l->number,
			      "position", l->position, "name", l->name, "relisted", l->relisted, "summary",
			      l->summary, "departments", departments_json(l->departments, l->ndepartments),
			      "program", l->program, "source_line", (json_int_t)l->source_line);
	json_t *notes = o ? notes_json(l->departments, l->ndepartments) : NULL;
	if (notes)
		json_object_set_new(o, "department_notes", notes);
	return o;
}

static json_t *plan_json(const sasae_plan *plan)
{
	json_t *parts = json_array();
	for (size_t i = 0; parts && i < plan->nparts; i++) {
		const sasae_part *p = &plan->parts[i];
		json_t *sections = json_array();
		for (size_t j = 0; sections && j < p->nsections; j++) {
			const sasae_section *s = &p->sections[j];
			json_t *listings = json_array();
			for (size_t k = 0; listings && k < s->nlistings; k++)
				if (json_array_append_new(listings, listing_json(&s->listings[k])) != 0)
					json_decref(listings), listings = NULL;
			json_t *so = json_pack("{s:i, s:s, s:I, s:o}", "number", s->number, "title", s->title,
					       "source_line", (json_int_t)s->source_line, "listings", listings);
			if (json_array_append_new(sections, so) != 0)
				json_decref(sections), sections = NULL;
		}
		json_t *po = json_pack("{s:i, s:s?, s:o}", "number", p->number, "title", p->title, "sections", sections);
		if (json_array_append_new(parts, po) != 0)
			json_decref(parts), parts = NULL;
	}
	json_t *programs = json_array();
	for (size_t i = 0; programs && i < plan->nprograms; i++) {
		const sasae_program *p = &plan->programs[i];
		json_t *places = json_array();
		for (size_t k = 0; places && k < p->nplaces; k++)
			if (json_array_append_new(places, json_pack("{s:i, s:i, s:i, s:i}", "part", p->places[k].part,
								     "section", p->places[k].section, "position",
								     p->places[k].position, "section_index",
								     p->places[k].section_index)) != 0)
				json_decref(places), places = NULL;
		json_t *po = json_pack("{s:s, s:s, s:s, s:o, s:o}", "id", p->id, "name", p->name, "summary",
				       p->summary, "departments", departments_json(p->departments, p->ndepartments),
				       "listings", places);
		if (json_array_append_new(programs, po) != 0)
			json_decref(programs), programs = NULL;
	}
	return json_pack("{s:{s:s?, s:s?, s:s?, s:i}, s:o, s:o}", "plan", "slug", plan->slug, "title", plan->title,
			 "source", plan->source, "version", plan->version, "parts", parts, "programs", programs);
}

/* Adapter from jansson's dump callback to ours. */
typedef struct dump_ctx {
	sasae_write_fn write;
	void *ctx;
} dump_ctx;

static int dump_cb(const char *buffer, size_t size, void *data)
{
	dump_ctx *d = data;
	return d->write(d->ctx, buffer, size) ? -1 : 0;
}

int sasae_export_json(const sasae_plan *plan, sasae_write_fn write, void *ctx, sasae_error *err)
{
	json_t *doc = plan_json(plan);
	if (doc == NULL)
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	dump_ctx d = {write, ctx};
	int rc = json_dump_callback(doc, dump_cb, &d, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (rc == 0 && write(ctx, "\n", 1) != 0)
		rc = -1;
	if (rc)
		return sasae_error_set(err, SASAE_EIO, NULL, 0, "書き出しに失敗しました");
	return 0;
}

char *sasae_departments_join(const sasae_department *d, size_t n)
{
	sasae_buf b = SASAE_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (i)
			sasae_buf_puts(&b, "、");
		sasae_buf_puts(&b, d[i].name);
		if (d[i].note)
			sasae_buf_appendf(&b, "（%s）", d[i].note);
	}
	return sasae_buf_detach(&b);
}

/* Append one field: CSV quotes when needed (RFC 4180); TSV replaces TAB and line breaks. */
static void put_field(sasae_buf *b, const char *s, char sep, bool first)
{
	if (!first)
		sasae_buf_putc(b, sep);
	if (sep == '\t') {
		for (; *s; s++)
			sasae_buf_putc(b, (*s == '\t' || *s == '\n' || *s == '\r') ? ' ' : *s);
		return;
	}
	sasae_csv_field(b, s);
}

const char *const sasae_export_table_header[SASAE_EXPORT_TABLE_NCOLS] = {
	"部", "施策番号", "施策", "No", "順番", "事業名", "再掲", "事業概要", "担当局等", "事業ID", "行"};

void sasae_export_table_header_row(sasae_buf *b, char sep)
{
	for (size_t i = 0; i < SASAE_EXPORT_TABLE_NCOLS; i++)
		put_field(b, sasae_export_table_header[i], sep, i == 0);
	sasae_buf_puts(b, "\r\n");
}

int sasae_export_table_row(sasae_buf *b, const sasae_part *p, const sasae_section *s, const sasae_listing *l,
			   char sep)
{
	char num[5][32];
	snprintf(num[0], sizeof num[0], "%d", p->number);
	snprintf(num[1], sizeof num[1], "%d", s->number);
	snprintf(num[2], sizeof num[2], "%ld", l->number);
	snprintf(num[3], sizeof num[3], "%d", l->position);
	snprintf(num[4], sizeof num[4], "%ld", l->source_line);
	char *depts = sasae_departments_join(l->departments, l->ndepartments);
	if (depts == NULL)
		return SASAE_ENOMEM;
	put_field(b, num[0], sep, true);
	put_field(b, num[1], sep, false);
	put_field(b, s->title, sep, false);
	put_field(b, num[2], sep, false);
	put_field(b, num[3], sep, false);
	put_field(b, l->name, sep, false);
	put_field(b, l->relisted ? "再掲" : "", sep, false);
	put_field(b, l->summary, sep, false);
	put_field(b, depts, sep, false);
	put_field(b, l->program ? l->program : "", sep, false);
	put_field(b, num[4], sep, false);
	sasae_buf_puts(b, "\r\n");
	free(depts);
	return sasae_buf_ok(b) ? 0 : SASAE_ENOMEM;
}

int sasae_export_fail(sasae_error *err, int code)
{
	if (code == SASAE_ENOMEM)
		return sasae_error_set(err, code, NULL, 0, "メモリが足りません");
	return sasae_error_set(err, code, NULL, 0, "書き出しに失敗しました");
}

int sasae_export_flush_if_large(sasae_buf *b, sasae_write_fn write, void *ctx)
{
	if (!sasae_buf_ok(b))
		return SASAE_ENOMEM;
	if (b->len < (size_t)1 << 16)
		return 0;
	int rc = write(ctx, b->data, b->len) ? SASAE_EIO : 0;
	sasae_buf_clear(b);
	return rc;
}

int sasae_export_finish(sasae_buf *b, sasae_write_fn write, void *ctx, sasae_error *err)
{
	int rc = 0;
	if (!sasae_buf_ok(b))
		rc = SASAE_ENOMEM;
	else if (b->len && write(ctx, b->data, b->len))
		rc = SASAE_EIO;
	sasae_buf_free(b);
	return rc ? sasae_export_fail(err, rc) : 0;
}

void sasae_export_put_oneline(sasae_buf *b, const char *s)
{
	for (; s && *s; s++)
		sasae_buf_putc(b, (*s == '\t' || *s == '\n' || *s == '\r') ? ' ' : *s);
}

char *sasae_export_part_label(const sasae_part *p)
{
	sasae_buf b = SASAE_BUF_INIT;
	sasae_buf_appendf(&b, "第%d部", p->number);
	if (p->title && *p->title) {
		sasae_buf_puts(&b, "　");
		sasae_export_put_oneline(&b, p->title);
	}
	return sasae_buf_detach(&b);
}

int sasae_export_table(const sasae_plan *plan, char sep, bool bom, sasae_write_fn write, void *ctx,
		       sasae_error *err)
{
	sasae_buf b = SASAE_BUF_INIT;
	if (bom)
		sasae_buf_puts(&b, "\xEF\xBB\xBF");
	sasae_export_table_header_row(&b, sep);
	int rc = 0;
	for (size_t i = 0; i < plan->nparts && rc == 0; i++) {
		const sasae_part *p = &plan->parts[i];
		for (size_t j = 0; j < p->nsections && rc == 0; j++) {
			const sasae_section *s = &p->sections[j];
			for (size_t k = 0; k < s->nlistings && rc == 0; k++) {
				rc = sasae_export_table_row(&b, p, s, &s->listings[k], sep);
				if (rc == 0)
					rc = sasae_export_flush_if_large(&b, write, ctx);
			}
		}
	}
	if (rc) {
		sasae_buf_free(&b);
		return sasae_export_fail(err, rc);
	}
	return sasae_export_finish(&b, write, ctx, err);
}
