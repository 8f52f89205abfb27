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
#include "sasae/store.h"

enum {
	SASAE_QUERY_MAX_BYTES = 1000, /* longer queries are refused (SASAE_EUSAGE) */
	SASAE_QUERY_MAX_TERMS = 32,
};

/* A parsed query. */
typedef struct sasae_query {
	char *match;     /* the FTS5 expression (quoted strings only); NULL for a filter-only query */
	char *exclude;   /* filter-only query: the excluded terms' expression, or NULL */
	int part;        /* part:N filter, 0 none */
	int section;     /* section:N filter, 0 none */
	char **terms;    /* positive text terms, normalised (for highlighting) */
	size_t nterms;
	char *exact_key; /* identity key of a one-term query (exact-name-first), or NULL */
} sasae_query;

/*
 * Parse a user query.  Returns 0, or SASAE_EUSAGE with a message saying what is wrong (unbalanced
 * quote, dangling OR, only exclusions, no searchable text, bad part/section number, invalid UTF-8,
 * too long), or SASAE_ENOMEM.  v folds notation variants (may be NULL).  Free with sasae_query_clear.
 */
int sasae_query_parse(sasae_query *out, const char *q, const sasae_variants *v, sasae_error *err);
void sasae_query_clear(sasae_query *q);

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

/* Facets of a query: the matching programs counted by part, section and department (for the
   search page).  out is filled (free with sasae_facets_clear).  Returns as sasae_search. */
int sasae_search_facets(sasae_facets *out, sasae_store *s, int64_t version_id, const char *query, sasae_error *err);

/* The results as the contract's JSON value (jansson json_t *, new reference). */
struct json_t;
struct json_t *sasae_search_results_json(const sasae_search_results *r);

#endif
