/*
 * publish.c — the publication table (掲載予定事業一覧) as the plan office pastes it into the plan:
 * per part and section a table No | 事業名 | 事業概要 | 担当局等, 【再掲】 shown after the name.
 * Markdown (sasae_export_markdown) and a standalone HTML document (sasae_export_html).
 *
 * Values are escaped on the way out: HTML through sasae_html_escape (the one HTML escaper of the
 * project, include/util/sasae/escape.h), Markdown by backslash-escaping every character that could
 * start inline syntax or end a table cell.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export_internal.h"
#include "sasae/escape.h"

/* The publication table's columns. */
static const char *const columns[] = {"No", "事業名", "事業概要", "担当局等"};
enum { NCOLUMNS = sizeof columns / sizeof columns[0] };

/* ---- Markdown ---- */

/* Append s for a Markdown table cell or heading: ASCII punctuation that Markdown (CommonMark and
   GitHub's tables) gives a meaning is backslash-escaped; TAB and line breaks become spaces. */
static void md_escape(sasae_buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (strchr("\\`*_[]<>|~&#!", *s))
			sasae_buf_putc(b, '\\');
		sasae_buf_putc(b, (*s == '\t' || *s == '\n' || *s == '\r') ? ' ' : *s);
	}
}

int sasae_export_markdown(const sasae_plan *plan, sasae_write_fn write, void *ctx, sasae_error *err)
{
	sasae_buf b = SASAE_BUF_INIT;
	int rc = 0;
	sasae_buf_puts(&b, "# ");
	md_escape(&b, plan->title && *plan->title ? plan->title : "掲載予定事業一覧");
	sasae_buf_puts(&b, "\n");
	for (size_t i = 0; i < plan->nparts && rc == 0; i++) {
		const sasae_part *p = &plan->parts[i];
		char *label = sasae_export_part_label(p);
		if (label == NULL) {
			rc = SASAE_ENOMEM;
			break;
		}
		sasae_buf_puts(&b, "\n## ");
		md_escape(&b, label);
		sasae_buf_puts(&b, "\n");
		free(label);
		for (size_t j = 0; j < p->nsections && rc == 0; j++) {
			const sasae_section *s = &p->sections[j];
			sasae_buf_appendf(&b, "\n### (%d) ", s->number);
			md_escape(&b, s->title);
			sasae_buf_puts(&b, "\n\n");
			if (s->nlistings == 0) {
				sasae_buf_puts(&b, "（掲載事業なし）\n");
				continue;
			}
			for (size_t c = 0; c < NCOLUMNS; c++)
				sasae_buf_appendf(&b, "| %s ", columns[c]);
			sasae_buf_puts(&b, "|\n| ---: | --- | --- | --- |\n");
			for (size_t k = 0; k < s->nlistings && rc == 0; k++) {
				const sasae_listing *l = &s->listings[k];
				char *depts = sasae_departments_join(l->departments, l->ndepartments);
				if (depts == NULL) {
					rc = SASAE_ENOMEM;
					break;
				}
				sasae_buf_appendf(&b, "| %ld | ", l->number);
				md_escape(&b, l->name);
				if (l->relisted)
					sasae_buf_puts(&b, "【再掲】");
				sasae_buf_puts(&b, " | ");
				md_escape(&b, l->summary);
				sasae_buf_puts(&b, " | ");
				md_escape(&b, depts);
				sasae_buf_puts(&b, " |\n");
				free(depts);
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

/* ---- HTML ---- */

/* Append s HTML-escaped. */
static void h(sasae_buf *b, const char *s)
{
	if (s)
		sasae_html_escape(b, s, strlen(s));
}

/* The style sheet of the document: readable on screen and on A4 paper, no external resources. */
static const char style[] =
	"body{font-family:\"Hiragino Sans\",\"Yu Gothic\",\"Noto Sans CJK JP\",sans-serif;"
	"line-height:1.6;margin:1rem auto;max-width:72rem;padding:0 1rem;color:#1a1a1a;"
	"background:#fff}\n"
	"table{border-collapse:collapse;width:100%;margin:0 0 2rem}\n"
	"caption{text-align:left;font-weight:bold;font-size:1.1rem;padding:.5rem 0}\n"
	"th,td{border:1px solid #595959;padding:.3rem .5rem;vertical-align:top;text-align:left}\n"
	"thead th{background:#e8e8e8}\n"
	"td.no{text-align:right;white-space:nowrap}\n"
	"td.depts{min-width:9em}\n"
	"tbody th{font-weight:normal}\n"
	".relisted{font-weight:bold}\n"
	"@media print{body{max-width:none;margin:0}thead{display:table-header-group}"
	"tr{break-inside:avoid}}\n";

int sasae_export_html(const sasae_plan *plan, sasae_write_fn write, void *ctx, sasae_error *err)
{
	sasae_buf b = SASAE_BUF_INIT;
	int rc = 0;
	const char *title = plan->title && *plan->title ? plan->title : "掲載予定事業一覧";
	sasae_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n"
			   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
			   "<meta name=\"generator\" content=\"sasae\">\n<title>");
	h(&b, title);
	sasae_buf_puts(&b, "</title>\n<style>\n");
	sasae_buf_puts(&b, style);
	sasae_buf_puts(&b, "</style>\n</head>\n<body>\n<main>\n<h1>");
	h(&b, title);
	sasae_buf_puts(&b, "</h1>\n");
	for (size_t i = 0; i < plan->nparts && rc == 0; i++) {
		const sasae_part *p = &plan->parts[i];
		char *label = sasae_export_part_label(p);
		if (label == NULL) {
			rc = SASAE_ENOMEM;
			break;
		}
		sasae_buf_appendf(&b, "<section aria-labelledby=\"part-%d\">\n<h2 id=\"part-%d\">", p->number,
				  p->number);
		h(&b, label);
		sasae_buf_puts(&b, "</h2>\n");
		free(label);
		for (size_t j = 0; j < p->nsections && rc == 0; j++) {
			const sasae_section *s = &p->sections[j];
			sasae_buf_appendf(&b, "<table id=\"part-%d-section-%zu\">\n<caption>(%d) ", p->number,
					  j + 1, s->number);
			h(&b, s->title);
			sasae_buf_puts(&b, "</caption>\n<thead>\n<tr>");
			for (size_t c = 0; c < NCOLUMNS; c++)
				sasae_buf_appendf(&b, "<th scope=\"col\">%s</th>", columns[c]);
			sasae_buf_puts(&b, "</tr>\n</thead>\n<tbody>\n");
			if (s->nlistings == 0)
				sasae_buf_appendf(&b, "<tr><td colspan=\"%d\">掲載事業なし</td></tr>\n",
						  NCOLUMNS);
			for (size_t k = 0; k < s->nlistings && rc == 0; k++) {
				const sasae_listing *l = &s->listings[k];
				char *depts = sasae_departments_join(l->departments, l->ndepartments);
				if (depts == NULL) {
					rc = SASAE_ENOMEM;
					break;
				}
				sasae_buf_appendf(&b, "<tr><td class=\"no\">%ld</td><th scope=\"row\">",
						  l->number);
				h(&b, l->name);
				if (l->relisted)
					sasae_buf_puts(&b, "<span class=\"relisted\">【再掲】</span>");
				sasae_buf_puts(&b, "</th><td>");
				h(&b, l->summary);
				sasae_buf_puts(&b, "</td><td class=\"depts\">");
				h(&b, depts);
				sasae_buf_puts(&b, "</td></tr>\n");
				free(depts);
				rc = sasae_export_flush_if_large(&b, write, ctx);
			}
			sasae_buf_puts(&b, "</tbody>\n</table>\n");
		}
		sasae_buf_puts(&b, "</section>\n");
	}
	sasae_buf_puts(&b, "</main>\n</body>\n</html>\n");
	if (rc) {
		sasae_buf_free(&b);
		return sasae_export_fail(err, rc);
	}
	return sasae_export_finish(&b, write, ctx, err);
}
