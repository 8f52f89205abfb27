/*
 * compile.c — a query tree (include/core/sasae/query.h) → an FTS5 expression made only of quoted strings,
 * operators and column filters (see sqlite_store.h).  User text never reaches FTS5 unquoted.
 *
 * The form is the one the query parser has always written, so that FTS5 sees the same phrases in
 * the same order (and bm25 sums them the same way):
 *   term   "text" (with " doubled), "text" * for a prefix, departments : "text" for a field
 *   or     its children joined by " OR ", a child that is not a term in parentheses
 *   and    each child in parentheses, joined by " AND "
 *   not    (first) NOT (second)
 *   a field on a node that is not a term: name : (…)
 */
#include <stdlib.h>

#include "sqlite_store.h"

/* The FTS5 column of a field (NULL: every column). */
static const char *column(sasae_query_field f)
{
	switch (f) {
	case SASAE_QUERY_NAME: return "name";
	case SASAE_QUERY_DEPARTMENTS: return "departments";
	case SASAE_QUERY_ANY: break;
	}
	return NULL;
}

/* An FTS5 string literal: "…" with " doubled. */
static void put_quoted(sasae_buf *b, const char *s)
{
	sasae_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			sasae_buf_putc(b, '"');
		sasae_buf_putc(b, *s);
	}
	sasae_buf_putc(b, '"');
}

/* n without its field restriction. */
static void compile_bare(sasae_buf *b, const sasae_query_node *n)
{
	switch (n->kind) {
	case SASAE_QUERY_TERM:
		put_quoted(b, n->text);
		if (n->prefix)
			sasae_buf_puts(b, " *");
		break;
	case SASAE_QUERY_OR:
		for (size_t i = 0; i < n->nkids; i++) {
			if (i)
				sasae_buf_puts(b, " OR ");
			bool wrap = n->kids[i]->kind != SASAE_QUERY_TERM;
			if (wrap)
				sasae_buf_putc(b, '(');
			sqlb_compile(b, n->kids[i]);
			if (wrap)
				sasae_buf_putc(b, ')');
		}
		break;
	case SASAE_QUERY_AND:
		for (size_t i = 0; i < n->nkids; i++) {
			sasae_buf_puts(b, i ? " AND (" : "(");
			sqlb_compile(b, n->kids[i]);
			sasae_buf_putc(b, ')');
		}
		break;
	case SASAE_QUERY_NOT:
		sasae_buf_putc(b, '(');
		if (n->nkids > 0)
			sqlb_compile(b, n->kids[0]);
		sasae_buf_puts(b, ") NOT (");
		if (n->nkids > 1)
			sqlb_compile(b, n->kids[1]);
		sasae_buf_putc(b, ')');
		break;
	}
}

void sqlb_compile(sasae_buf *b, const sasae_query_node *n)
{
	const char *col = column(n->field);
	if (col == NULL) {
		compile_bare(b, n);
		return;
	}
	sasae_buf_puts(b, col);
	sasae_buf_puts(b, " : ");
	if (n->kind == SASAE_QUERY_TERM) {
		compile_bare(b, n);
		return;
	}
	sasae_buf_putc(b, '(');
	compile_bare(b, n);
	sasae_buf_putc(b, ')');
}

char *sqlb_compile_new(const sasae_query_node *n, bool *oom)
{
	if (n == NULL)
		return NULL;
	sasae_buf b = SASAE_BUF_INIT;
	sqlb_compile(&b, n);
	char *s = sasae_buf_ok(&b) ? sasae_buf_detach(&b) : NULL;
	sasae_buf_free(&b);
	if (s == NULL)
		*oom = true;
	return s;
}
