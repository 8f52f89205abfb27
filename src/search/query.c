/*
 * query.c — the search query language → a query tree (include/core/sasae/query.h; the language is
 * described in include/core/sasae/search.h and docs/search.md).  The tree holds the user's words as
 * data; a store backend compiles it to its engine's syntax (never pasting user text unquoted).
 */
#include <stdlib.h>
#include <string.h>

#include "sasae/buf.h"
#include "sasae/query.h"
#include "sasae/search.h"
#include "sasae/text.h"

enum field { F_TEXT, F_DEPT, F_PART, F_SECTION };

/* One lexed item of the query. */
typedef struct item {
	char *text; /* the term (NFKC), owned */
	bool negative;
	bool is_or; /* the OR operator */
	enum field field;
} item;

sasae_query_node *sasae_query_node_new(sasae_query_kind kind, sasae_query_field field, const char *text,
				       bool prefix)
{
	sasae_query_node *n = calloc(1, sizeof *n);
	if (n == NULL)
		return NULL;
	n->kind = kind;
	n->field = field;
	n->prefix = prefix;
	if (kind == SASAE_QUERY_TERM && (n->text = sasae_strdup(text ? text : "")) == NULL) {
		free(n);
		return NULL;
	}
	return n;
}

int sasae_query_node_add(sasae_query_node *parent, sasae_query_node *kid)
{
	if (kid == NULL)
		return SASAE_ENOMEM;
	sasae_query_node **k = realloc(parent->kids, (parent->nkids + 1) * sizeof *k);
	if (k == NULL) {
		sasae_query_node_free(kid);
		return SASAE_ENOMEM;
	}
	parent->kids = k;
	parent->kids[parent->nkids++] = kid;
	return 0;
}

void sasae_query_node_free(sasae_query_node *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		sasae_query_node_free(n->kids[i]);
	free(n->kids);
	free(n->text);
	free(n);
}

void sasae_query_node_format(sasae_buf *b, const sasae_query_node *n)
{
	static const char *const kinds[] = {"", "and", "or", "not"};
	static const char *const fields[] = {"", "name", "departments"};
	if (n->field != SASAE_QUERY_ANY)
		sasae_buf_appendf(b, "(%s ", fields[n->field]);
	if (n->kind == SASAE_QUERY_TERM) {
		sasae_buf_putc(b, '"');
		sasae_buf_puts(b, n->text);
		sasae_buf_putc(b, '"');
		if (n->prefix)
			sasae_buf_putc(b, '*');
	} else {
		sasae_buf_appendf(b, "(%s", kinds[n->kind]);
		for (size_t i = 0; i < n->nkids; i++) {
			sasae_buf_putc(b, ' ');
			sasae_query_node_format(b, n->kids[i]);
		}
		sasae_buf_putc(b, ')');
	}
	if (n->field != SASAE_QUERY_ANY)
		sasae_buf_putc(b, ')');
}

void sasae_query_clear(sasae_query *q)
{
	sasae_query_node_free(q->match);
	sasae_query_node_free(q->exclude);
	for (size_t i = 0; i < q->nterms; i++)
		free(q->terms[i]);
	free(q->terms);
	free(q->exact_key);
	memset(q, 0, sizeof *q);
}

static const struct {
	const char *name;
	enum field field;
} fields[] = {
	{"部署", F_DEPT}, {"dept", F_DEPT}, {"department", F_DEPT}, {"担当", F_DEPT},    {"担当局", F_DEPT},
	{"part", F_PART}, {"部", F_PART},   {"section", F_SECTION}, {"施策", F_SECTION},
};

static int count_token(void *ctx, const sasae_token *t)
{
	(void)t;
	(*(size_t *)ctx)++;
	return 0;
}

/* How a term is searched: tokens it yields, and whether its last run is one character (then its
   last token is matched as a prefix, so that 「食」 finds 食事 and 給食). */
static size_t term_shape(const char *text, const sasae_variants *v, bool *single_cjk, char **normalized)
{
	sasae_norm n = {0};
	size_t count = 0;
	*single_cjk = false;
	*normalized = NULL;
	if (sasae_normalize(&n, text, strlen(text), v, SASAE_NORM_QUERY) == 0) {
		sasae_tokenize(&n, SASAE_TOKENIZE_QUERY, count_token, &count);
		*single_cjk = sasae_norm_ends_single(&n);
		*normalized = sasae_norm_string(&n);
	}
	sasae_norm_free(&n);
	return count;
}

/* Lex the NFKC'd query into items; returns 0 or SASAE_EUSAGE / SASAE_ENOMEM. */
static int lex(const char *q, item **out, size_t *nout, sasae_error *err)
{
	item *items = NULL;
	size_t n = 0;
	const char *p = q;
	int rc = 0;
	while (*p && rc == 0) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		item it = {NULL, false, false, F_TEXT};
		const char *start = p;
		if (*p == '-' && p[1] && p[1] != ' ') {
			it.negative = true;
			p++;
		}
		/* a field prefix */
		const char *colon = NULL;
		for (const char *c = p; *c && *c != ' ' && *c != '"'; c++)
			if (*c == ':') {
				colon = c;
				break;
			}
		if (colon) {
			for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
				if (strlen(fields[f].name) == (size_t)(colon - p) &&
				    strncmp(p, fields[f].name, (size_t)(colon - p)) == 0) {
					it.field = fields[f].field;
					p = colon + 1;
					break;
				}
		}
		sasae_buf text = SASAE_BUF_INIT;
		if (*p == '"') {
			const char *close = strchr(p + 1, '"');
			if (close == NULL) {
				rc = sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
						     "引用符「\"」が閉じていません（%zu 文字目から）。語句を \"…\" で囲んでください",
						     (size_t)(start - q) + 1);
				sasae_buf_free(&text);
				break;
			}
			sasae_buf_append(&text, p + 1, (size_t)(close - p - 1));
			p = close + 1;
		} else {
			const char *e = p;
			while (*e && *e != ' ')
				e++;
			sasae_buf_append(&text, p, (size_t)(e - p));
			p = e;
		}
		it.text = sasae_buf_detach(&text);
		if (it.text == NULL) {
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			break;
		}
		if (!it.negative && it.field == F_TEXT && strcmp(it.text, "OR") == 0 && start[0] != '"')
			it.is_or = true;
		if (n == SASAE_QUERY_MAX_TERMS) {
			free(it.text);
			rc = sasae_error_set(err, SASAE_EUSAGE, NULL, 0, "検索語が多すぎます（%d 語まで）",
					     SASAE_QUERY_MAX_TERMS);
			break;
		}
		item *ni = realloc(items, (n + 1) * sizeof *ni);
		if (ni == NULL) {
			free(it.text);
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			break;
		}
		items = ni;
		items[n++] = it;
	}
	*out = items;
	*nout = n;
	return rc;
}

/* A positive integer filter value. */
static int filter_number(const item *it, int *out, sasae_error *err)
{
	char *end;
	long v = strtol(it->text, &end, 10);
	if (*it->text == '\0' || *end != '\0' || v < 1 || v > 1000000)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "%s: には番号を指定してください（例: %s:3）。「%s」は使えません",
				       it->field == F_PART ? "part" : "section",
				       it->field == F_PART ? "part" : "section", it->text);
	if (it->negative)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0, "部・施策の絞り込みは除外（-）にできません");
	if (*out && *out != (int)v)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0, "%s: が二つ指定されています",
				       it->field == F_PART ? "part" : "section");
	*out = (int)v;
	return 0;
}

int sasae_query_parse(sasae_query *out, const char *q, const sasae_variants *v, sasae_error *err)
{
	memset(out, 0, sizeof *out);
	size_t len = strlen(q), bad;
	if (!sasae_utf8_valid(q, len, &bad))
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "検索語に UTF-8 として読めない文字があります（%zu バイト目）", bad + 1);
	if (len > SASAE_QUERY_MAX_BYTES)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "検索語が長すぎます（%d バイトまで）。短くしてください",
				       SASAE_QUERY_MAX_BYTES);
	/* Control characters and every kind of space become one ASCII space; then NFKC. */
	sasae_buf clean = SASAE_BUF_INIT;
	for (size_t i = 0; i < len;) {
		int32_t cp;
		size_t k = sasae_utf8_decode(q + i, len - i, &cp);
		if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || sasae_text_is_space(cp))
			sasae_buf_putc(&clean, ' ');
		else
			sasae_buf_append(&clean, q + i, k);
		i += k;
	}
	char *nq = sasae_buf_ok(&clean) ? sasae_text_nfkc(sasae_buf_cstr(&clean)) : NULL;
	sasae_buf_free(&clean);
	if (nq == NULL)
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	item *items = NULL;
	size_t n = 0;
	int rc = lex(nq, &items, &n, err);
	/* The tree: (and group…), with exclusions (not (and group…) (or group…)); a group is (or term…). */
	sasae_query_node *pos = sasae_query_node_new(SASAE_QUERY_AND, SASAE_QUERY_ANY, NULL, false);
	sasae_query_node *neg = sasae_query_node_new(SASAE_QUERY_OR, SASAE_QUERY_ANY, NULL, false);
	if (rc == 0 && (pos == NULL || neg == NULL))
		rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	size_t npos_groups = 0, nneg = 0, plain_terms = 0;
	const char *single_text = NULL;
	for (size_t i = 0; i < n && rc == 0; i++) {
		item *it = &items[i];
		if (it->is_or) {
			rc = sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
					     "OR の前後には検索語が必要です（例: ホームレス OR 路上生活）");
			break;
		}
		if (it->field == F_PART || it->field == F_SECTION) {
			rc = filter_number(it, it->field == F_PART ? &out->part : &out->section, err);
			if (rc == 0 && i + 1 < n && items[i + 1].is_or)
				rc = sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
						     "部・施策の絞り込みは OR でつなげません");
			continue;
		}
		/* a group: item (OR item)* */
		size_t end = i;
		while (end + 2 < n + 1 && end + 1 < n && items[end + 1].is_or) {
			if (end + 2 >= n || items[end + 2].is_or) {
				rc = sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
						     "OR の後に検索語がありません（例: ホームレス OR 路上生活）");
				break;
			}
			end += 2;
		}
		if (rc)
			break;
		sasae_query_node *group = sasae_query_node_new(SASAE_QUERY_OR, SASAE_QUERY_ANY, NULL, false);
		if (group == NULL) {
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			break;
		}
		size_t members = 0;
		bool negative = it->negative;
		for (size_t j = i; j <= end && rc == 0; j += 2) {
			item *m = &items[j];
			if (m->negative != negative ||
			    (j > i && (m->field == F_PART || m->field == F_SECTION))) {
				rc = sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
						     "除外（-）と OR は一緒に使えません。除外する語はそれぞれ -語 と書いてください");
				break;
			}
			bool single;
			char *normalized;
			size_t tokens = term_shape(m->text, v, &single, &normalized);
			if (normalized == NULL) {
				rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
				break;
			}
			if (tokens == 0) { /* only symbols: nothing to search */
				free(normalized);
				continue;
			}
			members++;
			if (sasae_query_node_add(group, sasae_query_node_new(SASAE_QUERY_TERM,
									     m->field == F_DEPT
										     ? SASAE_QUERY_DEPARTMENTS
										     : SASAE_QUERY_ANY,
									     m->text, single))) {
				free(normalized);
				rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
				break;
			}
			if (!negative && m->field == F_TEXT) {
				char **nt = realloc(out->terms, (out->nterms + 1) * sizeof *nt);
				if (nt == NULL) {
					free(normalized);
					rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
					break;
				}
				out->terms = nt;
				out->terms[out->nterms++] = normalized;
				plain_terms++;
				single_text = m->text;
			} else {
				free(normalized);
			}
		}
		if (rc == 0 && members > 0) {
			int added = sasae_query_node_add(negative ? neg : pos, group);
			group = NULL;
			if (added)
				rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			if (negative)
				nneg++;
			else
				npos_groups++;
			if (members > 1)
				plain_terms += 2; /* an OR group is never an exact name */
		}
		sasae_query_node_free(group);
		i = end;
	}
	if (rc == 0 && npos_groups == 0 && (out->part || out->section)) {
		/* A filter-only query lists the programs of a part or section (minus exclusions). */
		if (nneg) {
			out->exclude = neg;
			neg = NULL;
		}
		goto finish;
	}
	if (rc == 0 && npos_groups == 0)
		rc = sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				     nneg ? "除外（-）する語だけでは検索できません。探す語も入れてください"
					  : "検索できる語がありません。言葉を入れてください（記号だけでは検索できません）");
	if (rc == 0) {
		if (nneg) {
			/* (not (and group…) (or group…)); pos and neg are freed at finish unless moved */
			sasae_query_node *both =
				sasae_query_node_new(SASAE_QUERY_NOT, SASAE_QUERY_ANY, NULL, false);
			if (both) {
				int added = sasae_query_node_add(both, pos);
				pos = NULL; /* moved, or freed by the failed add */
				if (added == 0) {
					added = sasae_query_node_add(both, neg);
					neg = NULL;
				}
				if (added == 0)
					out->match = both;
				else
					sasae_query_node_free(both);
			}
		} else {
			out->match = pos;
			pos = NULL;
		}
		if (plain_terms == 1 && npos_groups == 1 && single_text)
			out->exact_key = sasae_text_identity_key(single_text);
		if (out->match == NULL ||
		    (plain_terms == 1 && npos_groups == 1 && single_text && out->exact_key == NULL))
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	}
finish:
	sasae_query_node_free(pos);
	sasae_query_node_free(neg);
	for (size_t i = 0; i < n; i++)
		free(items[i].text);
	free(items);
	free(nq);
	if (rc)
		sasae_query_clear(out);
	return rc;
}
