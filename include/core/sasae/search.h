/*
 * search.h — Japanese full-text search over a plan version (docs/search.md).
 *
 * The query language: space-separated terms are AND; `A OR B` (binds tighter than AND); `-term`
 * excludes; `"a phrase"`; field filters `部署:NAME` (also `dept:`, `担当:`), `part:N` (`部:`),
 * `section:N` (`施策:`).  Terms are normalised like the index (NFKC, case, kana, notation variants);
 * a one-character Japanese term matches every text containing that character.
 */
#ifndef SASAE_SEARCH_H
#define SASAE_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "sasae/error.h"
#include "sasae/normalize.h"
#include "sasae/query.h"
#include "sasae/store.h"

/* A span of highlighted text in a snippet: offset and length in Unicode code points. */
typedef struct sasae_span {
	size_t start, length;
} sasae_span;

/* One result: a program, with every place it is listed. */
typedef struct sasae_result {
	sasae_store_hit hit; /* program, name, summary, departments, score, places */
	char *snippet;       /* part of the summary around the first match, "…" where cut */
	sasae_span *marks;   /* highlighted spans of snippet */
	size_t nmarks;
	sasae_span *name_marks; /* highlighted spans of hit.name */
	size_t nname_marks;
} sasae_result;

typedef struct sasae_search_results {
	char *query;        /* as given */
	size_t total;       /* all matching programs */
	int limit, offset;
	sasae_result *results;
	size_t nresults;
	char **suggestions; /* "did you mean": close program names when nothing matched */
	size_t nsuggestions;
} sasae_search_results;

/*
 * Search version_id of the store for query; *out is new (free with sasae_search_results_free).
 * limit 1..1000, offset >= 0.  Returns 0, SASAE_EUSAGE (a malformed query or bad limit/offset,
 * message for people), SASAE_EDB, SASAE_ENOMEM.
 */
int sasae_search(sasae_search_results **out, sasae_store *s, int64_t version_id, const char *query, int limit,
		 int offset, sasae_error *err);
void sasae_search_results_free(sasae_search_results *r);

/* The ids of every program a query matches (for facets computed by the caller).  *ids freed with
   sasae_store_ids_free.  Returns as sasae_search. */
int sasae_search_ids(char ***ids, size_t *n, sasae_store *s, int64_t version_id, const char *query, sasae_error *err);

/* Facet counts of a search: how many matching programs each part, section and department has
   (computed by the web from sasae_search_ids and the loaded plan). */
typedef struct sasae_facet {
	int part;          /* part number (section facets and part facets) */
	int section;       /* section number as printed (section facets), 0 otherwise */
	int section_index; /* section order in the part (section facets), 0 otherwise */
	char *label;       /* section title / department name / part title (may be "") */
	size_t count;
} sasae_facet;

typedef struct sasae_facets {
	sasae_facet *parts, *sections, *departments;
	size_t nparts, nsections, ndepartments;
} sasae_facets;

/* Free the lists of f and zero it. */
void sasae_facets_clear(sasae_facets *f);

/* The results as the contract's JSON value (jansson json_t *, new reference). */
struct json_t;
struct json_t *sasae_search_results_json(const sasae_search_results *r);

#endif
