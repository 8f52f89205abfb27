/*
 * plan_text.c — the plan-list document regenerated from a plan (see sasae_export_plan_text in
 * include/core/sasae/export.h and docs/exports.md).  The parser (src/parse/parse.c) reads the result back
 * into the same plan: that round trip is tested in tests/unit/test_export.c and
 * tests/cli/test_export.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export_internal.h"

/* The output and the number of the line that is written next (1-based). */
typedef struct doc {
	sasae_buf b;
	long line;
} doc;

/* End the current line. */
static void newline(doc *d)
{
	sasae_buf_putc(&d->b, '\n');
	d->line++;
}

/* Blank lines until the next line written is `target` (a page break, for the parser); nothing when
   target is unknown (0) or already passed. */
static void pad_to(doc *d, long target)
{
	while (target > 0 && d->line < target)
		newline(d);
}

/* The departments cell: names separated by spaces, each note as " (note)" after its name. */
static void put_departments(sasae_buf *b, const sasae_listing *l)
{
	for (size_t i = 0; i < l->ndepartments; i++) {
		if (i)
			sasae_buf_putc(b, ' ');
		sasae_export_put_oneline(b, l->departments[i].name);
		if (l->departments[i].note) {
			sasae_buf_puts(b, " (");
			sasae_export_put_oneline(b, l->departments[i].note);
			sasae_buf_putc(b, ')');
		}
	}
}

int sasae_export_plan_text(const sasae_plan *plan, sasae_write_fn write, void *ctx, sasae_error *err)
{
	doc d = {SASAE_BUF_INIT, 1};
	int rc = 0;
	if (plan->title && *plan->title) {
		/* one title line; the ** decoration is what the seed has, and it keeps a title that starts
		   like "(1)" from reading as a heading */
		sasae_buf_puts(&d.b, "**");
		sasae_export_put_oneline(&d.b, plan->title);
		sasae_buf_puts(&d.b, "**");
		newline(&d);
	}
	for (size_t i = 0; i < plan->nparts && rc == 0; i++) {
		const sasae_part *p = &plan->parts[i];
		for (size_t j = 0; j < p->nsections && rc == 0; j++) {
			const sasae_section *s = &p->sections[j];
			if (d.line > 1 && s->source_line <= 0)
				newline(&d); /* no source lines: a blank line before each heading, as printed */
			pad_to(&d, s->source_line);
			sasae_buf_appendf(&d.b, "(%d) ", s->number);
			sasae_export_put_oneline(&d.b, s->title);
			newline(&d);
			long first = s->nlistings ? s->listings[0].source_line : 0;
			if (s->nlistings && (first <= 0 || first > d.line)) {
				pad_to(&d, first - 1);
				sasae_buf_puts(&d.b, "No\t事業名\t事業概要\t担当局等");
				newline(&d);
			}
			for (size_t k = 0; k < s->nlistings && rc == 0; k++) {
				const sasae_listing *l = &s->listings[k];
				pad_to(&d, l->source_line);
				sasae_buf_appendf(&d.b, "%ld\t", l->number);
				sasae_export_put_oneline(&d.b, l->name);
				if (l->relisted)
					sasae_buf_puts(&d.b, "【再掲】");
				sasae_buf_putc(&d.b, '\t');
				sasae_export_put_oneline(&d.b, l->summary);
				sasae_buf_putc(&d.b, '\t');
				put_departments(&d.b, l);
				newline(&d);
				rc = sasae_export_flush_if_large(&d.b, write, ctx);
			}
		}
	}
	if (rc) {
		sasae_buf_free(&d.b);
		return sasae_export_fail(err, rc);
	}
	return sasae_export_finish(&d.b, write, ctx, err);
}
