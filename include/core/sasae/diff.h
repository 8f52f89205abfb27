/*
 * diff.h — what changed between two versions of a plan's program list (docs/diff.md).
 *
 * sasae_diff_plans() compares two plan models (from the store or parsed from files) program by
 * program: programs are matched first by identity key (NFKC, no white space; docs/format.md), then
 * the ones left over on both sides by similarity of name and summary (a rename).  Matched programs
 * are compared for the sections they are listed in, their summary (with a character-level diff)
 * and their departments.  The result is written for people (Japanese text) or tools (JSON) through
 * a write callback; the core never prints.
 *
 * Ownership: sasae_diff_plans → sasae_diff_free.  A sasae_diff borrows the two plans (programs and
 * places point into them): free the diff before the plans.  sasae_diff_text → sasae_diff_spans_free.
 */
#ifndef SASAE_DIFF_H
#define SASAE_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "sasae/error.h"
#include "sasae/export.h"
#include "sasae/model.h"

/* The rename threshold: a leftover old program and a leftover new program are the same program
   renamed when (name similarity + summary similarity) / 2 reaches this (docs/diff.md says why). */
#define SASAE_DIFF_RENAME_THRESHOLD 0.6

/* The kinds of difference, in the order they are reported. */
typedef enum sasae_diff_kind {
	SASAE_DIFF_ADDED,       /* a program only in the new version */
	SASAE_DIFF_REMOVED,     /* a program only in the old version */
	SASAE_DIFF_RENAMED,     /* an old program matched to a new one by similarity */
	SASAE_DIFF_MOVED,       /* a matched program listed in other sections than before */
	SASAE_DIFF_CHANGED,     /* a matched program whose summary (or printed name) changed */
	SASAE_DIFF_DEPARTMENTS, /* a matched program whose departments changed */
	SASAE_DIFF_NKINDS
} sasae_diff_kind;

/* One piece of a character-level diff: text kept ('='), deleted ('-') or inserted ('+'). */
typedef struct sasae_diff_span {
	char op;    /* '=', '-' or '+' */
	char *text; /* UTF-8, never empty */
} sasae_diff_span;

/* One difference.  Programs are borrowed from the plans given to sasae_diff_plans. */
typedef struct sasae_diff_entry {
	sasae_diff_kind kind;
	const sasae_program *old_program; /* NULL for ADDED */
	const sasae_program *new_program; /* NULL for REMOVED */
	/* RENAMED: the similarity score and its two halves (0..1). */
	double score, name_score, summary_score;
	/* MOVED: places of the new version in sections the program was not listed in before, and
	   places of the old version in sections it is no longer listed in (owned arrays). */
	sasae_place *gained;
	size_t ngained;
	sasae_place *lost;
	size_t nlost;
	/* CHANGED: character diffs of the summary and of the printed name (NULL/0 when equal). */
	sasae_diff_span *summary_diff;
	size_t nsummary_diff;
	sasae_diff_span *name_diff;
	size_t nname_diff;
	/* DEPARTMENTS: names only in the new / only in the old version (borrowed from the plans). */
	const char **depts_added;
	size_t ndepts_added;
	const char **depts_removed;
	size_t ndepts_removed;
} sasae_diff_entry;

/* The result: entries grouped by kind (the order of sasae_diff_kind), within a kind in document
   order (new version's order; removed programs in the old version's order). */
typedef struct sasae_diff {
	const sasae_plan *old_plan, *new_plan; /* borrowed */
	sasae_diff_entry *entries;
	size_t nentries;
	size_t count[SASAE_DIFF_NKINDS]; /* entries of each kind */
	double threshold;                /* the rename threshold used */
	/* How the rename matching went (for docs and benchmarks). */
	size_t unmatched_old, unmatched_new; /* left over after exact identities */
	bool candidates_capped;              /* the per-program work budget cut a candidate search */
} sasae_diff;

/* Tuning; zero-initialise for the defaults. */
typedef struct sasae_diff_options {
	double threshold;   /* rename threshold (0: SASAE_DIFF_RENAME_THRESHOLD) */
	size_t work_budget; /* posting-list entries visited by the rename search in all (0: 60 million) */
} sasae_diff_options;

/*
 * Compare two plans.  *out is a new diff the caller frees with sasae_diff_free() (before freeing
 * the plans).  opt may be NULL.  Returns 0 or SASAE_ENOMEM.
 */
int sasae_diff_plans(sasae_diff **out, const sasae_plan *old_plan, const sasae_plan *new_plan,
		     const sasae_diff_options *opt, sasae_error *err);

/* Free a diff; NULL is a no-op. */
void sasae_diff_free(sasae_diff *d);

/* True when the diff reports no difference. */
bool sasae_diff_empty(const sasae_diff *d);

/* Rename matching scores names and summaries with the Dice coefficient of sasae_text_similarity
   (include/core/sasae/similar.h), the similarity lint uses too. */

/*
 * A character-level diff (over code points; sasae_text_edit_script after prefix/suffix trimming,
 * cleaned up so that short kept runs between changes are folded into the changes).  *spans (array of *n) is new,
 * freed with sasae_diff_spans_free.  Invalid UTF-8 bytes count as one character each.
 * Returns 0 or SASAE_ENOMEM.
 */
int sasae_diff_text(sasae_diff_span **spans, size_t *n, const char *a, const char *b);
void sasae_diff_spans_free(sasae_diff_span *spans, size_t n);

/* The spans as one string with wdiff markers: kept text as is, "[-deleted-]", "{+inserted+}"
   (malloc'd; NULL on OOM). */
char *sasae_diff_spans_markup(const sasae_diff_span *spans, size_t n);

/* How a side of the comparison was named on the command line (for the headers of the output). */
typedef struct sasae_diff_side {
	const char *spec; /* the argument as given ("sendai-2024-draft@1", "v2.txt") */
	bool is_file;     /* a document read from a file (else a version in the database) */
} sasae_diff_side;

/* The diff as text for people (Japanese, grouped, with counts). */
int sasae_diff_write_text(const sasae_diff *d, const sasae_diff_side *old_side,
			  const sasae_diff_side *new_side, sasae_write_fn write, void *ctx, sasae_error *err);

/* The diff as one JSON document (docs/diff.md gives its shape). */
int sasae_diff_write_json(const sasae_diff *d, const sasae_diff_side *old_side,
			  const sasae_diff_side *new_side, sasae_write_fn write, void *ctx, sasae_error *err);

#endif
