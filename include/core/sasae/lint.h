/*
 * lint.h — the consistency check of a plan list (`sasae lint`, docs/lint.md).
 *
 * sasae_lint() looks at a whole plan (parsed in memory or loaded from the store) and lists the
 * inconsistencies that ../shared/docs/plan-format.md names — re-listings that drift from their
 * original or have none, programs listed twice without 【再掲】, summaries shared by different
 * programs, numbering mistakes, departments written in several ways — and a few more (empty cells,
 * re-listings before their original, the parser's doubled-character warnings).  Each finding names
 * the place it is about and, where there is one, the other place it was compared with.
 *
 * The core only builds findings; front ends render them (the CLI as text, the web layer and
 * `--format json` through sasae_lint_json()).  An accept list that the plan office keeps
 * (sasae_lint_accept_parse) marks findings that are known and accepted on purpose.
 *
 * Ownership: sasae_lint → sasae_lint_findings_free; sasae_lint_accept_parse →
 * sasae_lint_accept_free; sasae_lint_json and sasae_lint_diff return new objects the caller frees
 * (json_decref / free).  Every *_free(NULL) is a no-op.
 */
#ifndef SASAE_LINT_H
#define SASAE_LINT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "sasae/error.h"
#include "sasae/model.h"

/* The kinds of finding, in the order findings are reported (stable names; docs/lint.md). */
#define SASAE_LINT_RELIST_DRIFT           "relist-drift"
#define SASAE_LINT_RELIST_ORPHAN          "relist-orphan"
#define SASAE_LINT_RELIST_BEFORE_ORIGINAL "relist-before-original"
#define SASAE_LINT_DUPLICATE_UNMARKED     "duplicate-unmarked"
#define SASAE_LINT_SHARED_SUMMARY         "shared-summary"
#define SASAE_LINT_NUMBERING              "numbering"
#define SASAE_LINT_DEPARTMENT_VARIANT     "department-variant"
#define SASAE_LINT_DEPARTMENT_JOINED      "department-joined"
#define SASAE_LINT_UNKNOWN_DEPARTMENT     "unknown-department"
#define SASAE_LINT_EMPTY_CELL             "empty-cell"
#define SASAE_LINT_EMPTY_SECTION          "empty-section"
#define SASAE_LINT_DOUBLED_CHAR           "doubled-char"
#define SASAE_LINT_ORPHAN_NOTE            "orphan-note"

/* A place in the plan a finding is about. */
typedef struct sasae_lint_place {
	int part;          /* 1-based part */
	int section;       /* section number as printed in its heading */
	int section_index; /* 1-based order of the section within its part (unambiguous) */
	int position;      /* 1-based order within the section; 0 = the section heading itself */
	long number;       /* the No as printed (0 for a heading) */
	long source_line;  /* line of the row (or of the heading) in the document */
	char *name;        /* the listing's name (a heading: the section's title); owned */
} sasae_lint_place;

/* One finding. */
typedef struct sasae_lint_finding {
	const char *kind;       /* one of SASAE_LINT_* (static) */
	sasae_lint_place at;    /* the listing (or heading) the finding is about */
	bool has_other;         /* `other` is filled */
	sasae_lint_place other; /* the place it was compared with (original, first listing, …) */
	char *message;          /* for people (Japanese, one line); owned */
	const char *field;      /* the cell concerned: "name", "summary", "departments" or NULL (static) */
	char *text;             /* the text at `at` that was compared, or NULL; owned */
	char *other_text;       /* the text at `other`, or NULL; owned */
	char *diff;             /* inline diff of other_text → text (sasae_lint_diff), or NULL; owned */
	double similarity;      /* relist-orphan: name similarity to `other` (0..1); else -1 */
	long distance;          /* relist-orphan: edit distance to `other`'s name; else -1 */
	bool accepted;          /* matched by an accept list (sasae_lint_accept_apply) */
} sasae_lint_finding;

/* The findings of one plan, ordered by kind (the order above), then by place in the document. */
typedef struct sasae_lint_findings {
	sasae_lint_finding *items;
	size_t n, cap;
	size_t accepted; /* how many items are marked accepted */
} sasae_lint_findings;

/*
 * Check a plan.  *out is a new list (possibly empty) the caller frees with
 * sasae_lint_findings_free.  Works on any plan: listings are grouped by their program id when set,
 * else by identity key.  Parser warnings are taken from plan->warnings.
 * Returns 0 or SASAE_ENOMEM (err filled).
 */
int sasae_lint(const sasae_plan *plan, sasae_lint_findings **out, sasae_error *err);

/* Free a findings list; NULL is a no-op. */
void sasae_lint_findings_free(sasae_lint_findings *f);

/* Findings not accepted. */
size_t sasae_lint_open_count(const sasae_lint_findings *f);

/* All kinds in report order (a static array of *n names). */
const char *const *sasae_lint_kinds(size_t *n);

/* A Japanese title for a kind ("再掲の内容の食い違い"), or the kind itself when unknown. */
const char *sasae_lint_kind_title(const char *kind);

/* True when kind is one of the kinds above. */
bool sasae_lint_kind_known(const char *kind);

/* ---- the accept list (docs/lint.md) ---- */

/* One line of an accept list: "kind<TAB>part-section-position[<TAB>comment]". */
typedef struct sasae_lint_accept_entry {
	char *kind;
	int part, section, position;
	char *comment; /* or NULL */
	long line;     /* line in the file */
	size_t used;   /* findings it matched (after sasae_lint_accept_apply) */
} sasae_lint_accept_entry;

typedef struct sasae_lint_accept {
	char *file; /* name for messages */
	sasae_lint_accept_entry *entries;
	size_t n;
} sasae_lint_accept;

/*
 * Parse an accept list (UTF-8 text; '#' comment lines and blank lines are ignored; the fields are
 * separated by a TAB, or by spaces when the line has no TAB).  *out is new.  Returns 0,
 * SASAE_EDATA (file:line and what is wrong: an unknown kind, a malformed place) or SASAE_ENOMEM.
 */
int sasae_lint_accept_parse(sasae_lint_accept **out, const char *file, const char *bytes, size_t len,
			    sasae_error *err);
void sasae_lint_accept_free(sasae_lint_accept *a);

/* Mark the findings an accept list names (kind and part-section-position equal) as accepted and
   count each entry's uses.  Returns f->accepted. */
size_t sasae_lint_accept_apply(sasae_lint_findings *f, sasae_lint_accept *a);

/* ---- output for tools ---- */

/*
 * The findings as the JSON of the data contract (docs/lint.md):
 *   {"plan": {...}, "findings": [{"kind", "listing": {"part","section","position",...}, "message",
 *    "source_line", "other": {...}, "field", "diff", "text", "other_text", ...}],
 *    "counts": {kind: n}, "total": n, "accepted": n}
 * Accepted findings are left out (counted in "accepted").  plan may be NULL (no "plan" member).
 * A new reference, or NULL when out of memory.
 */
json_t *sasae_lint_json(const sasae_plan *plan, const sasae_lint_findings *f);

/* ---- building blocks (exposed for tests and the web layer) ---- */

/*
 * Character-level diff of two UTF-8 texts (sasae_text_edit_script over code points): the text
 * from `from` to `to` with deletions as "[-…-]" and insertions as "{+…+}", unchanged stretches longer than a little
 * context shortened with "…".  A new string, or NULL when out of memory.  Equal texts give "".
 */
char *sasae_lint_diff(const char *from, const char *to);

/* The similarity and edit distance lint reports are sasae_text_similarity and
   sasae_text_edit_distance (include/core/sasae/similar.h), the ones diff uses too. */

#endif
