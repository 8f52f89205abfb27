/*
 * export.h — a plan model written out for other tools: JSON per the data contract of
 * ../shared/docs/design.md, CSV (UTF-8 with BOM, for Excel) and TSV.  Output goes through a write
 * callback so that the core never touches stdout itself.
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

/* The departments of a listing as one cell: "健康福祉局、市民局（各区役所）" (malloc'd; NULL on OOM). */
char *sasae_departments_join(const sasae_department *d, size_t n);

#endif
