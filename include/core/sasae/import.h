/*
 * import.h — a document into the store: read the file, parse it as a stream, and write one new
 * version of a plan in one transaction.  Re-importing the same bytes into the same plan changes
 * nothing (idempotent); any error leaves the database exactly as it was.
 */
#ifndef SASAE_IMPORT_H
#define SASAE_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "sasae/accounts.h"
#include "sasae/departments.h"
#include "sasae/error.h"
#include "sasae/outline.h"
#include "sasae/parse.h"
#include "sasae/store.h"

typedef struct sasae_import_options {
	const char *slug;              /* plan slug; NULL: from the file name ("sendai-2024-draft") */
	const char *title;             /* version title; NULL: the document's title lines */
	const sasae_outline *outline;  /* part titles, or NULL */
	const sasae_dept_table *depts; /* department table (borrowed), or NULL for none */
	bool no_index;                 /* leave the search index for `sasae reindex` (bulk loads) */
	const sasae_actor *actor;      /* who imports, for the audit row; NULL: the operator (CLI) */
	/* Warnings as the parser finds them (may be NULL). */
	void (*on_warning)(void *ctx, const sasae_warning *w);
	/* Progress: bytes parsed of total (may be NULL). */
	void (*on_progress)(void *ctx, size_t done, size_t total);
	void *ctx;
} sasae_import_options;

/*
 * Import the file at path: one transaction that also writes the audit row "plan.import" (target
 * "plan:SLUG@N", after: version, source file name, digest and counts); an unchanged document writes
 * nothing.  Returns 0 (summary filled; summary->unchanged when the document was already imported),
 * SASAE_ENOTFOUND / SASAE_EIO (the file), SASAE_EDATA (a malformed document, file:line in err),
 * SASAE_EDB, SASAE_ENOMEM.
 */
int sasae_import_file(sasae_store *s, const char *path, const sasae_import_options *opt,
		      sasae_import_summary *summary, sasae_error *err);

/* The same for a document in memory; name is what messages and the plan's source call it. */
int sasae_import_bytes(sasae_store *s, const char *name, const char *bytes, size_t len,
		       const sasae_import_options *opt, sasae_import_summary *summary, sasae_error *err);

/* The slug a file name gives: base name without extension, lower-case, [a-z0-9-] only
   ("plan" when nothing is left).  Writes into out (size n). */
void sasae_import_slug_from_path(const char *path, char *out, size_t n);

#endif
