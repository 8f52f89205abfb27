/*
 * parse.h — the plan-list document parser (docs: ../shared/docs/plan-format.md, docs/format.md).
 *
 * The parser is a push parser: feed it the document's bytes in chunks of any size and it calls the
 * sink for every part, section and finished listing, in document order, with exact source lines.
 * It keeps only the current row in memory, so a national-scale list streams through in constant
 * memory.  It does no I/O and never writes anything.  sasae_parse_document() is the convenience
 * that builds a whole sasae_plan in memory.
 */
#ifndef SASAE_PARSE_H
#define SASAE_PARSE_H

#include <stddef.h>

#include "sasae/departments.h"
#include "sasae/error.h"
#include "sasae/model.h"

/* A recoverable oddity in the document (the import goes on). */
typedef struct sasae_warning {
	const char *file; /* document name */
	long line;        /* 1-based line */
	const char *kind; /* stable short name: "empty-section", "doubled-char", "unknown-department",
			     "empty-name", "section-numbering" */
	const char *message; /* for people (Japanese) */
} sasae_warning;

/*
 * Where parse results go.  Every callback may be NULL.  A callback returns 0 to go on, or a
 * negative sasae_code to stop the parse (that code is then returned by feed/finish; the callback
 * is expected to have filled the error itself through its own context).
 * Pointers passed to callbacks are borrowed and valid only during the call.
 */
typedef struct sasae_parse_sink {
	void *ctx;
	/* The title lines (joined, decoration removed), once, before the first part. */
	int (*on_title)(void *ctx, const char *title);
	/* A new part opens (number 1, 2, …). */
	int (*on_part)(void *ctx, int part);
	/* A section heading (part it belongs to, number as printed, title, line). */
	int (*on_section)(void *ctx, int part, int number, const char *title, long line);
	/* A finished listing (program is NULL). */
	int (*on_listing)(void *ctx, const sasae_listing *listing);
	/* A warning. */
	void (*on_warning)(void *ctx, const sasae_warning *warning);
	/* Progress: bytes consumed so far (called about every 64 KiB). */
	void (*on_progress)(void *ctx, size_t bytes);
} sasae_parse_sink;

typedef struct sasae_parser sasae_parser;

/*
 * A new parser for a document called file (for messages), canonicalising departments through
 * depts (borrowed; must outlive the parser; NULL means no table: names kept as printed, no
 * splitting, no unknown-department warnings).  sink is copied.  Returns NULL when out of memory.
 */
sasae_parser *sasae_parser_new(const char *file, const sasae_dept_table *depts, const sasae_parse_sink *sink);

/*
 * Feed the next len bytes.  Returns 0, SASAE_EDATA (bad input; err has file:line and what is
 * wrong), SASAE_ENOMEM, or a code returned by a sink callback.  After an error, the parser only
 * returns that error again.
 */
int sasae_parser_feed(sasae_parser *p, const char *bytes, size_t len, sasae_error *err);

/* End of document: flush the last row and check the document as a whole.  Same returns as feed. */
int sasae_parser_finish(sasae_parser *p, sasae_error *err);

/* Free a parser; NULL is a no-op. */
void sasae_parser_free(sasae_parser *p);

/*
 * Parse a whole document held in memory into a new plan (*out, freed by the caller with
 * sasae_plan_free), with program identities assigned (sasae_plan_assign_programs).  Warnings are
 * kept in plan->warnings and also go to on_warning (may be NULL) with ctx.  Returns 0 or an error
 * code as sasae_parser_feed.
 */
int sasae_parse_document(sasae_plan **out, const char *file, const char *bytes, size_t len,
			 const sasae_dept_table *depts,
			 void (*on_warning)(void *ctx, const sasae_warning *warning), void *ctx,
			 sasae_error *err);

#endif
