/*
 * export.h — a plan model written out for other tools: JSON per the data contract of
 * ../shared/docs/design.md, CSV (UTF-8 with BOM, or CP932 for Excel on Japanese Windows) and TSV,
 * XLSX, the plan-list document itself (plan-text), the publication table as Markdown and HTML,
 * an Open Referral HSDS 3.0 data package and schema.org JSON-LD.  docs/exports.md describes each.
 *
 * Text output goes through a write callback so that the core never touches stdout itself; the
 * binary XLSX workbook and the HSDS directory are written to a path the caller names.
 */
#ifndef SASAE_EXPORT_H
#define SASAE_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "sasae/error.h"
#include "sasae/model.h"

/* Where output goes: returns 0, or non-zero to stop (then the export returns SASAE_EIO). */
typedef int (*sasae_write_fn)(void *ctx, const char *data, size_t len);

/* The contract JSON document (indented, UTF-8, keys in contract order). */
int sasae_export_json(const sasae_plan *plan, sasae_write_fn write, void *ctx, sasae_error *err);

/* One row per listing with a header row.  sep ',' gives RFC 4180 CSV, '\t' TSV; bom prepends
   the UTF-8 byte order mark Excel needs to read UTF-8. */
int sasae_export_table(const sasae_plan *plan, char sep, bool bom, sasae_write_fn write, void *ctx,
		       sasae_error *err);

/*
 * The same table encoded in CP932 (Windows-31J, what Excel on Japanese Windows reads), without a
 * byte order mark.  The whole table is converted in memory before anything is written: a character
 * with no CP932 form is SASAE_EDATA with err naming the listing (file = plan source, line = the
 * listing's source line; the message names part, section, No, the column and the character), and
 * then write is never called.  SASAE_EINTERNAL when this iconv has no CP932 converter.
 */
int sasae_export_table_cp932(const sasae_plan *plan, char sep, sasae_write_fn write, void *ctx, sasae_error *err);

/*
 * The plan-list document format (../shared/docs/plan-format.md) regenerated from the plan: the title
 * as one "**title**" line, "(N) title" headings, the column header and one line per listing
 * "No<TAB>name[【再掲】]<TAB>summary<TAB>departments" (departments separated by spaces, a note as
 * " (note)").  The 【再掲】 marker is each listing's stored relisted flag.  Blank lines are inserted so
 * that every heading and row lands on the line it had in the source (source_line), which keeps
 * source lines through a round trip; where that is impossible the lines simply follow.  Importing
 * the result gives back the same plan.  TABs and line breaks inside values become spaces.
 */
int sasae_export_plan_text(const sasae_plan *plan, sasae_write_fn write, void *ctx, sasae_error *err);

/* The publication table (掲載予定事業一覧) as Markdown: a heading per part, one per section, and a
   table No | 事業名 | 事業概要 | 担当局等 with 【再掲】 shown; Markdown syntax in values is escaped. */
int sasae_export_markdown(const sasae_plan *plan, sasae_write_fn write, void *ctx, sasae_error *err);

/* The same as a complete standalone HTML document (UTF-8, lang="ja", one table per section with a
   caption and th scope); every value is HTML-escaped. */
int sasae_export_html(const sasae_plan *plan, sasae_write_fn write, void *ctx, sasae_error *err);

/*
 * schema.org JSON-LD: one document {"@context", "@graph": [...]} with one GovernmentService per
 * program (identifier, name, description, category = the sections it is listed in, provider = its
 * departments as GovernmentOrganization).  base_url (may be NULL) is the address of a `sasae serve`
 * site: when given, services and organizations get "@id"/"url" there (/programs/{id},
 * /departments/{name}).
 */
int sasae_export_jsonld(const sasae_plan *plan, const char *base_url, sasae_write_fn write, void *ctx,
			sasae_error *err);

/*
 * An XLSX workbook at path (created or replaced): one sheet per part ("第1部" …) with the columns of
 * the CSV, header row frozen and filtered, column widths from the display width of the text
 * (East Asian wide characters count 2), summaries wrapped.  Returns 0, SASAE_EIO (path cannot be
 * written; err names it), SASAE_EDATA (a value Excel cannot hold, e.g. longer than 32,767
 * characters; err names the listing), SASAE_ENOMEM, SASAE_EUNAVAILABLE (libxlsxwriter, loaded at
 * the first call, is missing: include/util/sasae/dynlib.h); after an error no file is left at path.
 */
int sasae_export_xlsx(const sasae_plan *plan, const char *path, sasae_error *err);

/*
 * An Open Referral HSDS 3.0 tabular data package in directory dir (created when missing; other
 * files in it are left alone): datapackage.json and organizations.csv, programs.csv, services.csv,
 * attributes.csv, taxonomy_terms.csv, taxonomies.csv.  Each file is written beside its final name
 * and renamed into place, datapackage.json last.  Identifiers are UUIDs derived from the plan slug
 * and stable keys (program id, department name, part and section), so they stay the same across
 * exports and versions.  Returns 0, SASAE_EIO (err names the path), SASAE_ENOMEM, SASAE_EINTERNAL.
 */
int sasae_export_hsds(const sasae_plan *plan, const char *dir, sasae_error *err);

/* Width of a UTF-8 string in a Japanese spreadsheet or terminal: East Asian wide and full-width
   characters count 2, and so do the ambiguous-width symbols Japanese fonts draw wide (○ ※ ① …). */
size_t sasae_export_display_width(const char *s);

/* The departments of a listing as one cell: "健康福祉局、市民局（各区役所）" (malloc'd; NULL on OOM). */
char *sasae_departments_join(const sasae_department *d, size_t n);

#endif
