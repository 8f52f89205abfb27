/*
 * export_internal.h — what the export files of src/export/ share and nothing else includes: the
 * rows of the listing table (export.c), the header names of the publication table, and writing a
 * finished buffer through the caller's write callback with the error mapping every export uses.
 */
#ifndef SASAE_EXPORT_INTERNAL_H
#define SASAE_EXPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "sasae/buf.h"
#include "sasae/export.h"

/* The columns of the listing table (CSV, TSV, XLSX), in order. */
extern const char *const sasae_export_table_header[];
enum { SASAE_EXPORT_TABLE_NCOLS = 11 };
/* Column indexes of the listing table that other exports care about. */
enum {
	SASAE_COL_PART,
	SASAE_COL_SECTION_NUMBER,
	SASAE_COL_SECTION,
	SASAE_COL_NO,
	SASAE_COL_POSITION,
	SASAE_COL_NAME,
	SASAE_COL_RELISTED,
	SASAE_COL_SUMMARY,
	SASAE_COL_DEPARTMENTS,
	SASAE_COL_PROGRAM,
	SASAE_COL_LINE,
};

/* Append the header row of the listing table to b (sep ',' CSV or '\t' TSV, CRLF-terminated). */
void sasae_export_table_header_row(sasae_buf *b, char sep);

/* Append the row of listing l (in section s of part p) to b, CRLF-terminated.  Returns 0 or
   SASAE_ENOMEM (b may then hold part of the row). */
int sasae_export_table_row(sasae_buf *b, const sasae_part *p, const sasae_section *s, const sasae_listing *l,
			   char sep);

/*
 * Write b's contents through write and free b.  Returns 0, or fills err and returns SASAE_ENOMEM
 * (b ran out of memory earlier) or SASAE_EIO (write failed).
 */
int sasae_export_finish(sasae_buf *b, sasae_write_fn write, void *ctx, sasae_error *err);

/* Write b's contents through write and empty b when it holds at least 64 KiB (streaming large
   exports).  Returns 0, SASAE_ENOMEM or SASAE_EIO (without filling an error: the caller finishes
   with sasae_export_finish or fills it). */
int sasae_export_flush_if_large(sasae_buf *b, sasae_write_fn write, void *ctx);

/* Fill err for a code returned by the helpers above ("メモリが足りません", "書き出しに失敗しました"). */
int sasae_export_fail(sasae_error *err, int code);

/* Append s with TAB, CR and LF replaced by spaces (a cell or a line of a line-based format). */
void sasae_export_put_oneline(sasae_buf *b, const char *s);

/* "第N部" or "第N部　title" when the part has a title (malloc'd; NULL on OOM). */
char *sasae_export_part_label(const sasae_part *p);

#endif
