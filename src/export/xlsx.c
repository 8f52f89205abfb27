/*
 * xlsx.c — the listing table as an Excel workbook through libxlsxwriter (see sasae_export_xlsx in
 * include/core/sasae/export.h and docs/exports.md): one sheet per part, the columns of the CSV export,
 * numbers as numbers, header row frozen and filtered, widths that fit Japanese text, long texts
 * (summary, name, section, departments) wrapped in rows high enough for them, printed landscape on
 * A4 one page wide with the header repeated.
 *
 * Also sasae_export_display_width, the width measure the column widths use.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "export_internal.h"
#include "sasae/dynlib.h"
#include "sasae/isotime.h"
#include "sasae/text.h"

/* libxlsxwriter is loaded at the first export, not linked (include/util/sasae/dynlib.h): the functions
   this file calls, through the table lxw. */
#ifndef SASAE_XLSXWRITER_SONAME
#define SASAE_XLSXWRITER_SONAME "libxlsxwriter.so"
#endif
#define XLSX_FUNCTIONS(X)                                                                                       \
	X(workbook_new_opt)                                                                                     \
	X(workbook_set_properties)                                                                              \
	X(workbook_add_format)                                                                                  \
	X(workbook_add_worksheet)                                                                               \
	X(workbook_close)                                                                                       \
	X(format_set_bold)                                                                                      \
	X(format_set_bg_color)                                                                                  \
	X(format_set_bottom)                                                                                    \
	X(format_set_align)                                                                                     \
	X(format_set_text_wrap)                                                                                 \
	X(worksheet_set_column)                                                                                 \
	X(worksheet_freeze_panes)                                                                               \
	X(worksheet_repeat_rows)                                                                                \
	X(worksheet_set_landscape)                                                                              \
	X(worksheet_set_paper)                                                                                  \
	X(worksheet_fit_to_pages)                                                                               \
	X(worksheet_set_row)                                                                                    \
	X(worksheet_write_string)                                                                               \
	X(worksheet_write_number)                                                                               \
	X(worksheet_autofilter)                                                                                 \
	X(lxw_strerror)
#define XLSX_FIELD(f) __typeof__(f) *f;
static struct xlsx_api {
	XLSX_FUNCTIONS(XLSX_FIELD)
} lxw;
#define XLSX_SYM(f) {#f, offsetof(struct xlsx_api, f)},
static const sasae_dynsym xlsx_syms[] = {XLSX_FUNCTIONS(XLSX_SYM)};
static sasae_dynlib xlsx_lib = {"libxlsxwriter", SASAE_XLSXWRITER_SONAME, "XLSX の書き出し（export --format xlsx）",
				xlsx_syms, sizeof xlsx_syms / sizeof xlsx_syms[0], &lxw, false, NULL};

/* East Asian Ambiguous characters that Japanese fonts draw full-width (a practical subset of
   UAX #11's list: the symbols that occur in Japanese administrative text). */
static bool ambiguous_wide(int32_t cp)
{
	static const int32_t ranges[][2] = {
		{0x00A7, 0x00A8}, {0x00B0, 0x00B1}, {0x00B4, 0x00B4}, {0x00B6, 0x00B6}, {0x00D7, 0x00D7},
		{0x00F7, 0x00F7}, {0x0391, 0x03C9}, {0x0401, 0x0451}, {0x2010, 0x2027}, {0x2030, 0x203B},
		{0x2103, 0x2103}, {0x2116, 0x2116}, {0x2121, 0x2122}, {0x2160, 0x217F}, {0x2190, 0x21FF},
		{0x2200, 0x22FF}, {0x2312, 0x2312}, {0x2460, 0x24FF}, {0x2500, 0x257F}, {0x25A0, 0x25FF},
		{0x2600, 0x26FF}, {0x2700, 0x27BF},
	};
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
		if (cp >= ranges[i][0] && cp <= ranges[i][1])
			return true;
	return false;
}

size_t sasae_export_display_width(const char *s)
{
	size_t n = strlen(s), i = 0, w = 0;
	char one[8];
	while (i < n) {
		int32_t cp;
		size_t k = sasae_utf8_decode(s + i, n - i, &cp);
		if (k == 0) {
			w += 1;
			i += 1;
			continue;
		}
		memcpy(one, s + i, k);
		one[k] = '\0';
		size_t cw = sasae_text_width(one);
		if (cw == 1 && ambiguous_wide(cp))
			cw = 2;
		w += cw;
		i += k;
	}
	return w;
}

/* Widest width allowed for each column (Excel's unit is about one half-width character); the
   summary wraps inside its width, the others are cut off visually only when longer. */
static const double max_width[SASAE_EXPORT_TABLE_NCOLS] = {
	[SASAE_COL_PART] = 8,         [SASAE_COL_SECTION_NUMBER] = 10,
	[SASAE_COL_SECTION] = 40,     [SASAE_COL_NO] = 6,
	[SASAE_COL_POSITION] = 6,     [SASAE_COL_NAME] = 50,
	[SASAE_COL_RELISTED] = 6,     [SASAE_COL_SUMMARY] = 80,
	[SASAE_COL_DEPARTMENTS] = 40, [SASAE_COL_PROGRAM] = 10,
	[SASAE_COL_LINE] = 8,
};

/* The text of column c for listing l (strings only; numbers are NULL).  *owned is set to a
   malloc'd string the caller frees (departments), else NULL. */
static const char *text_of(const sasae_section *s, const sasae_listing *l, int c, char **owned)
{
	*owned = NULL;
	switch (c) {
	case SASAE_COL_SECTION: return s->title;
	case SASAE_COL_NAME: return l->name;
	case SASAE_COL_RELISTED: return l->relisted ? "再掲" : "";
	case SASAE_COL_SUMMARY: return l->summary;
	case SASAE_COL_DEPARTMENTS: return *owned = sasae_departments_join(l->departments, l->ndepartments);
	case SASAE_COL_PROGRAM: return l->program ? l->program : "";
	default: return NULL;
	}
}

/* The number in column c for listing l (numeric columns). */
static double number_of(const sasae_part *p, const sasae_section *s, const sasae_listing *l, int c)
{
	switch (c) {
	case SASAE_COL_PART: return p->number;
	case SASAE_COL_SECTION_NUMBER: return s->number;
	case SASAE_COL_NO: return (double)l->number;
	case SASAE_COL_POSITION: return l->position;
	default: return (double)l->source_line;
	}
}

/* Column widths of a part's sheet: the widest value (header included), plus padding, capped. */
static int column_widths(const sasae_part *p, double width[SASAE_EXPORT_TABLE_NCOLS])
{
	size_t w[SASAE_EXPORT_TABLE_NCOLS];
	for (int c = 0; c < SASAE_EXPORT_TABLE_NCOLS; c++)
		w[c] = sasae_export_display_width(sasae_export_table_header[c]);
	for (size_t j = 0; j < p->nsections; j++) {
		const sasae_section *s = &p->sections[j];
		for (size_t k = 0; k < s->nlistings; k++) {
			const sasae_listing *l = &s->listings[k];
			for (int c = 0; c < SASAE_EXPORT_TABLE_NCOLS; c++) {
				char *owned, num[32];
				const char *t = text_of(s, l, c, &owned);
				if (c == SASAE_COL_DEPARTMENTS && owned == NULL)
					return SASAE_ENOMEM;
				if (t == NULL) {
					snprintf(num, sizeof num, "%.0f", number_of(p, s, l, c));
					t = num;
				}
				size_t tw = sasae_export_display_width(t);
				if (tw > w[c])
					w[c] = tw;
				free(owned);
			}
		}
	}
	for (int c = 0; c < SASAE_EXPORT_TABLE_NCOLS; c++) {
		double x = (double)w[c] + 2;
		width[c] = x > max_width[c] ? max_width[c] : x;
	}
	return 0;
}

/* Columns whose text wraps inside the column width (the long ones). */
static bool wraps(int c)
{
	return c == SASAE_COL_SUMMARY || c == SASAE_COL_NAME || c == SASAE_COL_SECTION ||
	       c == SASAE_COL_DEPARTMENTS;
}

/* Points per line of wrapped text (11-point type with a Japanese font's leading). */
static const double line_height = 16.0;

/* The formats of the workbook. */
typedef struct formats {
	lxw_format *header; /* bold, shaded, bottom border */
	lxw_format *text;   /* top-aligned */
	lxw_format *wrap;   /* top-aligned, wrapped (summary, name, section, departments) */
} formats;

/* Write one part's sheet.  Returns 0, SASAE_ENOMEM, or SASAE_EDATA with err filled. */
static int write_sheet(const sasae_plan *plan, lxw_workbook *wb, const formats *f, const sasae_part *p,
		       sasae_error *err)
{
	char name[32];
	snprintf(name, sizeof name, "第%d部", p->number);
	lxw_worksheet *ws = lxw.workbook_add_worksheet(wb, name);
	if (ws == NULL)
		return sasae_error_set(err, SASAE_EINTERNAL, NULL, 0, "シート「%s」を作れません", name);
	double width[SASAE_EXPORT_TABLE_NCOLS];
	if (column_widths(p, width))
		return SASAE_ENOMEM;
	for (int c = 0; c < SASAE_EXPORT_TABLE_NCOLS; c++)
		lxw.worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, width[c], wraps(c) ? f->wrap : f->text);
	lxw.worksheet_freeze_panes(ws, 1, 0);
	lxw.worksheet_repeat_rows(ws, 0, 0);
	lxw.worksheet_set_landscape(ws);
	lxw.worksheet_set_paper(ws, 9); /* A4 */
	lxw.worksheet_fit_to_pages(ws, 1, 0);
	for (int c = 0; c < SASAE_EXPORT_TABLE_NCOLS; c++)
		lxw.worksheet_write_string(ws, 0, (lxw_col_t)c, sasae_export_table_header[c], f->header);
	lxw_row_t row = 1;
	for (size_t j = 0; j < p->nsections; j++) {
		const sasae_section *s = &p->sections[j];
		for (size_t k = 0; k < s->nlistings; k++, row++) {
			const sasae_listing *l = &s->listings[k];
			/* the row is as high as its longest wrapped text (readers do not all fit row heights
			   to wrapped text on opening, LibreOffice among them) */
			size_t lines = 1;
			for (int c = 0; c < SASAE_EXPORT_TABLE_NCOLS; c++) {
				char *owned = NULL;
				const char *t = wraps(c) ? text_of(s, l, c, &owned) : NULL;
				if (t == NULL)
					continue;
				size_t per_line = width[c] > 3 ? (size_t)width[c] - 2 : 1;
				size_t n = (sasae_export_display_width(t) + per_line - 1) / per_line;
				if (n > lines)
					lines = n;
				free(owned);
			}
			lxw.worksheet_set_row(ws, row, line_height * (double)lines + 2, NULL);
			for (int c = 0; c < SASAE_EXPORT_TABLE_NCOLS; c++) {
				lxw_format *fmt = wraps(c) ? f->wrap : f->text;
				char *owned;
				const char *t = text_of(s, l, c, &owned);
				if (c == SASAE_COL_DEPARTMENTS && owned == NULL)
					return SASAE_ENOMEM;
				lxw_error e = t ? (*t ? lxw.worksheet_write_string(ws, row, (lxw_col_t)c, t, fmt)
						      : LXW_NO_ERROR)
						: lxw.worksheet_write_number(ws, row, (lxw_col_t)c,
									 number_of(p, s, l, c), fmt);
				free(owned);
				if (e == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED)
					return sasae_error_set(err, SASAE_EDATA, plan->source, l->source_line,
							       "第%d部 (%d) No.%ld「%s」の「%s」が Excel のセルの上限"
							       "（32,767 文字）を超えています",
							       p->number, s->number, l->number, l->name,
							       sasae_export_table_header[c]);
				if (e != LXW_NO_ERROR)
					return sasae_error_set(err, SASAE_EINTERNAL, plan->source,
							       l->source_line, "XLSX に書けません: %s",
							       lxw.lxw_strerror(e));
			}
		}
	}
	lxw.worksheet_autofilter(ws, 0, 0, row > 1 ? row - 1 : 1, SASAE_EXPORT_TABLE_NCOLS - 1);
	return 0;
}

int sasae_export_xlsx(const sasae_plan *plan, const char *path, sasae_error *err)
{
	if (sasae_dynlib_load(&xlsx_lib, err)) /* before the file is touched */
		return err->code;
	/* create the file first: a path that cannot be written is our error message, not the library's
	   (libxlsxwriter prints its own to stderr) */
	FILE *probe = fopen(path, "wb");
	if (probe == NULL)
		return sasae_error_set(err, SASAE_EIO, path, 0, "書き出せません: %s", strerror(errno));
	fclose(probe);
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL, .use_zip64 = LXW_FALSE};
	lxw_workbook *wb = lxw.workbook_new_opt(path, &opt);
	if (wb == NULL)
		return sasae_error_set(err, SASAE_ENOMEM, path, 0, "XLSX のブックを作れません");
	lxw_doc_properties props = {0};
	char subject[] = "掲載予定事業一覧", author[] = "sasae";
	props.title = plan->title;
	props.subject = subject;
	props.author = author;
	long long created; /* the version's import time: the same plan gives the same bytes */
	if (sasae_isotime_parse(plan->imported_at, &created))
		props.created = (time_t)created;
	lxw.workbook_set_properties(wb, &props);
	formats f = {lxw.workbook_add_format(wb), lxw.workbook_add_format(wb), lxw.workbook_add_format(wb)};
	int rc = 0;
	if (f.header == NULL || f.text == NULL || f.wrap == NULL) {
		rc = SASAE_ENOMEM;
	} else {
		lxw.format_set_bold(f.header);
		lxw.format_set_bg_color(f.header, 0xE8E8E8);
		lxw.format_set_bottom(f.header, LXW_BORDER_THIN);
		lxw.format_set_align(f.header, LXW_ALIGN_VERTICAL_CENTER);
		lxw.format_set_align(f.text, LXW_ALIGN_VERTICAL_TOP);
		lxw.format_set_align(f.wrap, LXW_ALIGN_VERTICAL_TOP);
		lxw.format_set_text_wrap(f.wrap);
	}
	for (size_t i = 0; i < plan->nparts && rc == 0; i++)
		rc = write_sheet(plan, wb, &f, &plan->parts[i], err);
	if (rc == 0 && plan->nparts == 0) {
		sasae_part empty = {.number = 1};
		rc = write_sheet(plan, wb, &f, &empty, err);
	}
	lxw_error e = lxw.workbook_close(wb); /* also frees the workbook after an error above */
	if (rc || e != LXW_NO_ERROR)
		unlink(path); /* no half-written workbook */
	if (rc == SASAE_ENOMEM)
		return sasae_export_fail(err, rc);
	if (rc)
		return rc;
	if (e != LXW_NO_ERROR)
		return sasae_error_set(err, SASAE_EIO, path, 0, "XLSX を書き出せません: %s", lxw.lxw_strerror(e));
	return 0;
}
