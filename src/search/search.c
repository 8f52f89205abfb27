/*
 * search.c — a query, run over the store, with snippets, highlights and "did you mean"
 * (see include/core/sasae/search.h and docs/search.md).
 */
#include "sasae/search.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/buf.h"
#include "sasae/text.h"

enum {
	SNIPPET_CHARS = 80,  /* length of a snippet in code points */
	SNIPPET_BEFORE = 20, /* code points shown before the first match */
	SUGGESTIONS = 3,
};

/* A byte span of the original text. */
typedef struct bspan {
	size_t from, to;
} bspan;

static int bspan_cmp(const void *a, const void *b)
{
	const bspan *x = a, *y = b;
	return x->from < y->from ? -1 : x->from > y->from;
}

/* The query's terms, normalised once for every text they mark. */
typedef struct mark_terms {
	sasae_norm *terms;
	size_t nterms;
	sasae_norm text; /* scratch: the text being marked */
} mark_terms;

static int mark_terms_init(mark_terms *m, char **terms, size_t nterms)
{
	memset(m, 0, sizeof *m);
	if (nterms == 0)
		return 0;
	if ((m->terms = calloc(nterms, sizeof *m->terms)) == NULL)
		return SASAE_ENOMEM;
	m->nterms = nterms;
	for (size_t k = 0; k < nterms; k++)
		if (sasae_normalize(&m->terms[k], terms[k], strlen(terms[k]), NULL, SASAE_NORM_DOCUMENT) != 0)
			return SASAE_ENOMEM;
	return 0;
}

static void mark_terms_free(mark_terms *m)
{
	for (size_t k = 0; k < m->nterms; k++)
		sasae_norm_free(&m->terms[k]);
	free(m->terms);
	sasae_norm_free(&m->text);
}

/* Byte spans of text where a normalised term occurs (sorted, merged).  *n spans in a new array. */
static bspan *find_marks(const char *text, mark_terms *m, const sasae_variants *v, size_t *n)
{
	*n = 0;
	sasae_norm *t = &m->text;
	bspan *spans = NULL;
	size_t cap = 0;
	if (sasae_normalize(t, text, strlen(text), v, SASAE_NORM_DOCUMENT) != 0)
		return NULL;
	for (size_t k = 0; k < m->nterms; k++) {
		const sasae_norm *q = &m->terms[k];
		if (q->n == 0)
			continue;
		for (size_t i = 0; i + q->n <= t->n; i++) {
			if (t->cp[i] != q->cp[0] || memcmp(t->cp + i, q->cp, q->n * sizeof *q->cp) != 0)
				continue;
			if (*n == cap) {
				cap = cap ? cap * 2 : 8;
				bspan *ns = realloc(spans, cap * sizeof *ns);
				if (ns == NULL)
					goto done;
				spans = ns;
			}
			spans[(*n)++] = (bspan){t->from[i], t->to[i + q->n - 1]};
		}
	}
	if (*n > 1) {
		qsort(spans, *n, sizeof *spans, bspan_cmp);
		size_t w = 0;
		for (size_t i = 1; i < *n; i++) {
			if (spans[i].from <= spans[w].to) {
				if (spans[i].to > spans[w].to)
					spans[w].to = spans[i].to;
			} else {
				spans[++w] = spans[i];
			}
		}
		*n = w + 1;
	}
done:
	return spans;
}

/* Number of code points in s[0..bytes). */
static size_t cp_count(const char *s, size_t bytes)
{
	size_t n = 0;
	for (size_t i = 0; i < bytes; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

/* Byte offset of code point index c in s (or strlen). */
static size_t cp_offset(const char *s, size_t c)
{
	size_t i = 0, n = 0;
	for (; s[i]; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (n == c)
				return i;
			n++;
		}
	return i;
}

/* Convert byte spans to code-point spans relative to byte `base`, keeping those inside [base, end). */
static sasae_span *to_cp_spans(const char *text, const bspan *b, size_t nb, size_t base, size_t end, size_t shift,
			       size_t *n)
{
	sasae_span *out = calloc(nb ? nb : 1, sizeof *out);
	*n = 0;
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < nb; i++) {
		if (b[i].to <= base || b[i].from >= end)
			continue;
		size_t f = b[i].from < base ? base : b[i].from, t = b[i].to > end ? end : b[i].to;
		out[(*n)++] = (sasae_span){shift + cp_count(text + base, f - base), cp_count(text + f, t - f)};
	}
	return out;
}

/* Fill the snippet and marks of r from its summary and name. */
static int make_snippet(sasae_result *r, mark_terms *m, const sasae_variants *v)
{
	const char *sum = r->hit.summary;
	size_t nb = 0, nn = 0;
	bspan *b = find_marks(sum, m, v, &nb);
	bspan *nm = find_marks(r->hit.name, m, v, &nn);
	size_t total = cp_count(sum, strlen(sum));
	size_t first = nb ? cp_count(sum, b[0].from) : 0;
	size_t start = first > SNIPPET_BEFORE ? first - SNIPPET_BEFORE : 0;
	if (total > SNIPPET_CHARS && start + SNIPPET_CHARS > total)
		start = total - SNIPPET_CHARS;
	size_t stop = start + SNIPPET_CHARS < total ? start + SNIPPET_CHARS : total;
	size_t bstart = cp_offset(sum, start), bstop = cp_offset(sum, stop);
	sasae_buf s = SASAE_BUF_INIT;
	size_t shift = 0;
	if (start > 0) {
		sasae_buf_puts(&s, "…");
		shift = 1;
	}
	sasae_buf_append(&s, sum + bstart, bstop - bstart);
	if (stop < total)
		sasae_buf_puts(&s, "…");
	r->snippet = sasae_buf_detach(&s);
	r->marks = to_cp_spans(sum, b, nb, bstart, bstop, shift, &r->nmarks);
	r->name_marks = to_cp_spans(r->hit.name, nm, nn, 0, strlen(r->hit.name), 0, &r->nname_marks);
	free(b);
	free(nm);
	return r->snippet && r->marks && r->name_marks ? 0 : SASAE_ENOMEM;
}

void sasae_search_results_free(sasae_search_results *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nresults; i++) {
		sasae_result *x = &r->results[i];
		free(x->hit.program);
		free(x->hit.name);
		free(x->hit.summary);
		free(x->hit.departments);
		for (size_t j = 0; j < x->hit.nplaces; j++)
			free(x->hit.places[j].section_title);
		free(x->hit.places);
		free(x->snippet);
		free(x->marks);
		free(x->name_marks);
	}
	free(r->results);
	for (size_t i = 0; i < r->nsuggestions; i++)
		free(r->suggestions[i]);
	free(r->suggestions);
	free(r->query);
	free(r);
}

/* "Did you mean": program names sharing the most bigrams with the query's terms. */
enum {
	SUGG_TOKENS = 64,    /* bigrams of the query looked at */
	SUGG_NAMES = 2000,   /* names the bigrams used may be found in, together (see suggest) */
};

typedef struct sugg_token {
	char *match;  /* the bigram */
	size_t names; /* names it is found in (up to SUGG_NAMES + 1) */
	size_t order; /* its place in the query */
	bool used;
} sugg_token;

typedef struct sugg_ctx {
	sugg_token t[SUGG_TOKENS];
	size_t n;
} sugg_ctx;

static int sugg_collect(void *ctx, const sasae_token *t)
{
	sugg_ctx *c = ctx;
	if (c->n >= SUGG_TOKENS)
		return 0;
	sasae_buf b = SASAE_BUF_INIT;
	sasae_buf_append(&b, t->text, t->len);
	if ((c->t[c->n].match = sasae_buf_detach(&b)) != NULL) {
		c->t[c->n].order = c->n;
		c->n++;
	}
	return 0;
}

static int sugg_by_names(const void *a, const void *b)
{
	const sugg_token *x = a, *y = b;
	return x->names != y->names ? (x->names < y->names ? -1 : 1) : (x->order < y->order ? -1 : x->order > y->order);
}

static int sugg_by_order(const void *a, const void *b)
{
	const sugg_token *x = a, *y = b;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * The names are ranked by BM25 on the name over the query's bigrams, the rarer ones: the bigrams
 * are taken from the rarest on while the names they are found in number SUGG_NAMES or fewer in all
 * (the rarest one found at all is always taken).  On a small plan that is every bigram; on a large
 * catalogue it keeps a misspelt query from ranking every name that shares a common bigram with it
 * (「ケア」 is in 14,000 of 287,000 names).
 */
static int suggest(sasae_search_results *r, sasae_store *s, int64_t version_id, const sasae_query *q,
		   sasae_error *err)
{
	sugg_ctx c = {0};
	for (size_t i = 0; i < q->nterms; i++) {
		sasae_norm n = {0};
		if (sasae_normalize(&n, q->terms[i], strlen(q->terms[i]), NULL, SASAE_NORM_DOCUMENT) == 0)
			sasae_tokenize(&n, SASAE_TOKENIZE_QUERY, sugg_collect, &c);
		sasae_norm_free(&n);
	}
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < c.n; i++) {
		sasae_query_node *m = sasae_query_node_new(SASAE_QUERY_TERM, SASAE_QUERY_NAME, c.t[i].match, false);
		if (m)
			rc = sasae_store_count(s, version_id, m, SUGG_NAMES, &c.t[i].names, err);
		else
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		sasae_query_node_free(m);
	}
	size_t used = 0, names = 0;
	qsort(c.t, c.n, sizeof *c.t, sugg_by_names);
	for (size_t i = 0; rc == 0 && i < c.n; i++)
		if (c.t[i].names > 0 && (used == 0 || names + c.t[i].names <= SUGG_NAMES)) {
			c.t[i].used = true;
			names += c.t[i].names;
			used++;
		}
	qsort(c.t, c.n, sizeof *c.t, sugg_by_order); /* in the query's order, as they were always ranked */
	sasae_query_node *m = sasae_query_node_new(SASAE_QUERY_OR, SASAE_QUERY_NAME, NULL, false);
	bool ok = m != NULL;
	for (size_t i = 0; ok && i < c.n; i++)
		if (c.t[i].used)
			ok = sasae_query_node_add(m, sasae_query_node_new(SASAE_QUERY_TERM, SASAE_QUERY_ANY, c.t[i].match,
									  false)) == 0;
	if (rc == 0 && used > 0 && !ok)
		rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	if (rc == 0 && used > 0) {
		sasae_store_query sq = {m, NULL, 0, 0, NULL, SUGGESTIONS, 0};
		sasae_store_hit *hits;
		size_t nhits, total;
		rc = sasae_store_search(s, version_id, &sq, &hits, &nhits, &total, err);
		if (rc == 0) {
			r->suggestions = calloc(nhits ? nhits : 1, sizeof *r->suggestions);
			for (size_t i = 0; r->suggestions && i < nhits; i++)
				if ((r->suggestions[r->nsuggestions] = sasae_strdup(hits[i].name)) != NULL)
					r->nsuggestions++;
			sasae_store_hits_free(hits, nhits);
		}
	}
	sasae_query_node_free(m);
	for (size_t i = 0; i < c.n; i++)
		free(c.t[i].match);
	return rc;
}

int sasae_search(sasae_search_results **out, sasae_store *s, int64_t version_id, const char *query, int limit,
		 int offset, sasae_error *err)
{
	*out = NULL;
	if (limit < 1 || limit > 1000)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0, "表示件数は 1 から 1000 までで指定してください");
	if (offset < 0)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0, "開始位置は 0 以上で指定してください");
	const sasae_variants *v = sasae_store_variants(s);
	sasae_query q;
	int rc = sasae_query_parse(&q, query, v, err);
	if (rc)
		return rc;
	sasae_search_results *r = calloc(1, sizeof *r);
	if (r == NULL || (r->query = sasae_strdup(query)) == NULL) {
		free(r);
		sasae_query_clear(&q);
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	}
	r->limit = limit;
	r->offset = offset;
	sasae_store_query sq = {q.match, q.exclude, q.part, q.section, q.exact_key, limit, offset};
	sasae_store_hit *hits = NULL;
	size_t nhits = 0;
	rc = sasae_store_search(s, version_id, &sq, &hits, &nhits, &r->total, err);
	if (rc == 0 && nhits) {
		mark_terms m;
		r->results = calloc(nhits, sizeof *r->results);
		if (r->results == NULL || mark_terms_init(&m, q.terms, q.nterms) != 0)
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		for (size_t i = 0; rc == 0 && i < nhits; i++) {
			r->results[i].hit = hits[i]; /* moved */
			memset(&hits[i], 0, sizeof hits[i]);
			r->nresults++;
			if (make_snippet(&r->results[i], &m, v))
				rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		}
		if (r->results)
			mark_terms_free(&m);
	}
	sasae_store_hits_free(hits, nhits);
	if (rc == 0 && r->total == 0 && q.nterms)
		rc = suggest(r, s, version_id, &q, err);
	sasae_query_clear(&q);
	if (rc) {
		sasae_search_results_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

int sasae_search_ids(char ***ids, size_t *n, sasae_store *s, int64_t version_id, const char *query, sasae_error *err)
{
	*ids = NULL;
	*n = 0;
	sasae_query q;
	int rc = sasae_query_parse(&q, query, sasae_store_variants(s), err);
	if (rc)
		return rc;
	sasae_store_query sq = {q.match, q.exclude, q.part, q.section, q.exact_key, 0, 0};
	rc = sasae_store_search_ids(s, version_id, &sq, ids, n, err);
	sasae_query_clear(&q);
	return rc;
}

void sasae_facets_clear(sasae_facets *f)
{
	sasae_facet *lists[] = {f->parts, f->sections, f->departments};
	size_t counts[] = {f->nparts, f->nsections, f->ndepartments};
	for (size_t k = 0; k < 3; k++) {
		for (size_t i = 0; i < counts[k]; i++)
			free(lists[k][i].label);
		free(lists[k]);
	}
	memset(f, 0, sizeof *f);
}

static json_t *spans_json(const sasae_span *s, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("[I, I]", (json_int_t)s[i].start, (json_int_t)s[i].length));
	return a;
}

json_t *sasae_search_results_json(const sasae_search_results *r)
{
	json_t *results = json_array();
	for (size_t i = 0; i < r->nresults; i++) {
		const sasae_result *x = &r->results[i];
		json_t *places = json_array();
		for (size_t j = 0; j < x->hit.nplaces; j++) {
			const sasae_store_place *p = &x->hit.places[j];
			json_array_append_new(places, json_pack("{s:i, s:i, s:i, s:I, s:b, s:s}", "part", p->part, "section",
								p->section, "position", p->position, "number",
								(json_int_t)p->number, "relisted", p->relisted,
								"section_title", p->section_title));
		}
		json_t *depts = json_array();
		const char *d = x->hit.departments;
		while (d && *d) {
			const char *e = strstr(d, "、");
			size_t len = e ? (size_t)(e - d) : strlen(d);
			json_array_append_new(depts, json_stringn(d, len));
			d = e ? e + strlen("、") : d + len;
		}
		json_array_append_new(results,
				      json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:f}", "program", x->hit.program, "name",
						x->hit.name, "snippet", x->snippet, "highlights",
						spans_json(x->marks, x->nmarks), "name_highlights",
						spans_json(x->name_marks, x->nname_marks), "departments", depts,
						"listings", places, "score", x->hit.score));
	}
	json_t *sugg = json_array();
	for (size_t i = 0; i < r->nsuggestions; i++)
		json_array_append_new(sugg, json_string(r->suggestions[i]));
	return json_pack("{s:s, s:I, s:i, s:i, s:o, s:o}", "query", r->query, "total", (json_int_t)r->total, "limit",
			 r->limit, "offset", r->offset, "results", results, "suggestions", sugg);
}
