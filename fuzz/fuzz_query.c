/*
 * fuzz_query.c — libFuzzer target for the search query parser (sasae_query_parse,
 * src/search/query.c) with the built-in notation variant table, and the tree's neutral notation
 * (sasae_query_node_format).
 *
 * The input is the query (cut at its first NUL).  Checks the parser's contract: 0, SASAE_EUSAGE or
 * SASAE_ENOMEM; on failure the error slot holds the returned code and a message, and the query is
 * empty; on success the tree is well-formed (a term has text, valid UTF-8, and no children; AND and
 * OR have one child or more; NOT has two; fields in range; at most SASAE_QUERY_MAX_TERMS terms), a
 * filter-only query has a part or section filter, the highlighting terms and the exact key are
 * valid UTF-8, and parsing the same text again gives the same tree.  Leaks are ASan's.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/buf.h"
#include "sasae/error.h"
#include "sasae/normalize.h"
#include "sasae/query.h"
#include "sasae/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_query: %s\n", what);
	abort();
}

static sasae_variants *variants;

static bool valid_text(const char *s) { return s != NULL && sasae_utf8_valid(s, strlen(s), NULL); }

/* Check the tree under n (depth levels deep at most); adds its terms to *terms. */
static void check_node(const sasae_query_node *n, int depth, size_t *terms)
{
	if (n == NULL)
		fail("a NULL node in the tree");
	if (depth > 8)
		fail("the tree is deeper than the grammar allows");
	if (n->field != SASAE_QUERY_ANY && n->field != SASAE_QUERY_NAME && n->field != SASAE_QUERY_DEPARTMENTS)
		fail("a node's field is out of range");
	switch (n->kind) {
	case SASAE_QUERY_TERM:
		if (n->nkids != 0 || n->kids != NULL)
			fail("a term has children");
		if (!valid_text(n->text) || n->text[0] == '\0')
			fail("a term's text is missing, empty or not valid UTF-8");
		(*terms)++;
		return;
	case SASAE_QUERY_AND:
	case SASAE_QUERY_OR:
		if (n->nkids < 1)
			fail("an AND or OR node without children");
		break;
	case SASAE_QUERY_NOT:
		if (n->nkids != 2)
			fail("a NOT node without exactly two children");
		break;
	default:
		fail("a node's kind is out of range");
	}
	if (n->text != NULL)
		fail("an operator node has text");
	for (size_t i = 0; i < n->nkids; i++)
		check_node(n->kids[i], depth + 1, terms);
}

/* The notation of both trees of q, into b. */
static void format_query(sasae_buf *b, const sasae_query *q)
{
	if (q->match)
		sasae_query_node_format(b, q->match);
	sasae_buf_putc(b, '|');
	if (q->exclude)
		sasae_query_node_format(b, q->exclude);
	sasae_buf_appendf(b, "|%d|%d", q->part, q->section);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (variants == NULL) {
		sasae_error err = {0};
		if (sasae_variants_default(&variants, &err))
			fail("setup: the built-in variant table");
	}
	char *text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	sasae_query q;
	memset(&q, 0xA5, sizeof q); /* the parser must set every member */
	sasae_error err = {0};
	int rc = sasae_query_parse(&q, text, variants, &err);
	if (rc != 0 && rc != SASAE_EUSAGE && rc != SASAE_ENOMEM)
		fail("unexpected result code");
	if (memchr(err.message, '\0', sizeof err.message) == NULL)
		fail("unterminated error message");
	if (rc != 0) {
		if (err.code != rc)
			fail("the error slot does not hold the returned code");
		if (err.message[0] == '\0' || !valid_text(err.message))
			fail("a refusal without a readable message");
		if (q.match || q.exclude || q.terms || q.nterms || q.exact_key || q.part || q.section)
			fail("a failed parse left a query behind");
		free(text);
		return 0;
	}
	size_t terms = 0;
	if (q.match)
		check_node(q.match, 0, &terms);
	else if (q.part == 0 && q.section == 0)
		fail("no tree and no part or section filter");
	if (q.exclude) {
		if (q.match)
			fail("an exclusion list beside a tree (exclusions belong in its NOT)");
		check_node(q.exclude, 0, &terms);
	}
	if (terms > SASAE_QUERY_MAX_TERMS)
		fail("more terms than SASAE_QUERY_MAX_TERMS");
	if (q.part < 0 || q.section < 0)
		fail("a negative part or section filter");
	if (q.nterms > terms || (q.nterms && q.terms == NULL))
		fail("more highlighting terms than terms in the tree");
	for (size_t i = 0; i < q.nterms; i++)
		if (!valid_text(q.terms[i]))
			fail("a highlighting term is not valid UTF-8");
	if (q.exact_key && !valid_text(q.exact_key))
		fail("the exact key is not valid UTF-8");

	/* the notation, and the same again from a second parse */
	sasae_buf a = SASAE_BUF_INIT, b = SASAE_BUF_INIT;
	format_query(&a, &q);
	sasae_query q2;
	rc = sasae_query_parse(&q2, text, variants, &err);
	if (rc == 0) {
		format_query(&b, &q2);
		if (sasae_buf_ok(&a) && sasae_buf_ok(&b) &&
		    (a.len != b.len || memcmp(sasae_buf_cstr(&a), sasae_buf_cstr(&b), a.len) != 0))
			fail("parsing the same query twice gave two trees");
		sasae_query_clear(&q2);
	} else if (rc != SASAE_ENOMEM) {
		fail("a query parsed once was refused the second time");
	}
	if (sasae_buf_ok(&a) && !sasae_utf8_valid(sasae_buf_cstr(&a), a.len, NULL))
		fail("the notation is not valid UTF-8");
	sasae_buf_free(&a);
	sasae_buf_free(&b);
	sasae_query_clear(&q);
	sasae_query_clear(&q);
	free(text);
	return 0;
}
