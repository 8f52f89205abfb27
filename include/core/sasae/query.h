/*
 * query.h — a search query parsed into a tree (the AST), the neutral form every store backend
 * receives (include/core/sasae/store.h).  src/search/query.c builds it from the user's query language
 * (include/core/sasae/search.h, docs/search.md); a backend compiles it to its own engine's syntax
 * privately (src/store/sqlite/ for the SQLite one).
 *
 * A term is a phrase: the tokens its text yields under the search normalisation, in order
 * (docs/search.md).  Ownership: a tree is owned by its root (sasae_query_node_free); a parsed query
 * owns its trees (sasae_query_clear).
 */
#ifndef SASAE_QUERY_H
#define SASAE_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "sasae/buf.h"
#include "sasae/error.h"
#include "sasae/normalize.h"

enum {
	SASAE_QUERY_MAX_BYTES = 1000, /* longer queries are refused (SASAE_EUSAGE) */
	SASAE_QUERY_MAX_TERMS = 32,
};

/* The kind of a node. */
typedef enum sasae_query_kind {
	SASAE_QUERY_TERM, /* a phrase (text, prefix) */
	SASAE_QUERY_AND,  /* every child matches (one child or more) */
	SASAE_QUERY_OR,   /* some child matches (one child or more) */
	SASAE_QUERY_NOT,  /* the first child matches and the second does not (two children) */
} sasae_query_kind;

/* The fields of a program a node may be restricted to. */
typedef enum sasae_query_field {
	SASAE_QUERY_ANY = 0,     /* every indexed field (name, summary, departments, sections) */
	SASAE_QUERY_NAME,        /* the program's name */
	SASAE_QUERY_DEPARTMENTS, /* its departments' canonical names */
} sasae_query_field;

/* One node of a query tree. */
typedef struct sasae_query_node {
	sasae_query_kind kind;
	sasae_query_field field; /* restricts this node and everything under it (ANY: no restriction) */
	char *text;              /* TERM: the words as typed (NFKC), owned */
	bool prefix;             /* TERM: its last token matches as a prefix (「食」 finds 食事) */
	struct sasae_query_node **kids; /* AND, OR, NOT: the children, owned */
	size_t nkids;
} sasae_query_node;

/* A new node of kind (a term with a copy of text, else with no children yet); NULL when out of
   memory.  Free with sasae_query_node_free. */
sasae_query_node *sasae_query_node_new(sasae_query_kind kind, sasae_query_field field, const char *text,
				       bool prefix);
/* Append kid (owned by parent from now on; freed when the append fails).  0 or SASAE_ENOMEM. */
int sasae_query_node_add(sasae_query_node *parent, sasae_query_node *kid);
/* Free a tree; NULL is a no-op. */
void sasae_query_node_free(sasae_query_node *n);
/*
 * The tree in a neutral notation for tests and diagnostics, e.g.
 * (and (or "ホームレス" "路上生活") (departments "教育局") "A"*) — appended to b (sasae_buf, sticky
 * out-of-memory).
 */
void sasae_query_node_format(sasae_buf *b, const sasae_query_node *n);

/* A parsed query. */
typedef struct sasae_query {
	sasae_query_node *match;   /* what the programs must match; NULL for a filter-only query */
	sasae_query_node *exclude; /* filter-only query: the programs to leave out, or NULL */
	int part;                  /* part:N filter, 0 none */
	int section;               /* section:N filter, 0 none */
	char **terms;              /* positive text terms, normalised (for highlighting) */
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

#endif
