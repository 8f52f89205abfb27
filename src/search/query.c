/*
 * query.c — the search query language → an FTS5 expression made only of quoted strings
 * (see include/sasae/search.h and docs/search.md).  User text never reaches FTS5 unquoted.
 */
#include <stdlib.h>
#include <string.h>

#include "sasae/buf.h"
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

void sasae_query_clear(sasae_query *q)
{
	free(q->match);
	free(q->exclude);
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
	{"部署", F_DEPT}, {"dept", F_DEPT}, {"department", F_DEPT}, {"担当", F_DEPT}, {"担当局", F_DEPT},
	{"part", F_PART}, {"部", F_PART},   {"section", F_SECTION}, {"施策", F_SECTION},
};

/* Append an FTS5 string literal: "…" with " doubled. */
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
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0, "%s: には番号を指定してください（例: %s:3）。「%s」は使えません",
				       it->field == F_PART ? "part" : "section", it->field == F_PART ? "part" : "section",
				       it->text);
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
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0, "検索語に UTF-8 として読めない文字があります（%zu バイト目）", bad + 1);
	if (len > SASAE_QUERY_MAX_BYTES)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0, "検索語が長すぎます（%d バイトまで）。短くしてください",
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
	sasae_buf pos = SASAE_BUF_INIT, neg = SASAE_BUF_INIT;
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
				rc = sasae_error_set(err, SASAE_EUSAGE, NULL, 0, "部・施策の絞り込みは OR でつなげません");
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
		sasae_buf group = SASAE_BUF_INIT;
		size_t members = 0;
		bool negative = it->negative;
		for (size_t j = i; j <= end && rc == 0; j += 2) {
			item *m = &items[j];
			if (m->negative != negative || (j > i && (m->field == F_PART || m->field == F_SECTION))) {
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
			if (members++)
				sasae_buf_puts(&group, " OR ");
			if (m->field == F_DEPT)
				sasae_buf_puts(&group, "departments : ");
			put_quoted(&group, m->text);
			if (single)
				sasae_buf_puts(&group, " *");
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
			sasae_buf *to = negative ? &neg : &pos;
			if (to->len)
				sasae_buf_puts(to, negative ? " OR " : " AND ");
			sasae_buf_putc(to, '(');
			sasae_buf_append(to, group.data ? group.data : "", group.len);
			sasae_buf_putc(to, ')');
			if (negative)
				nneg++;
			else
				npos_groups++;
			if (members > 1)
				plain_terms += 2; /* an OR group is never an exact name */
		}
		sasae_buf_free(&group);
		i = end;
	}
	if (rc == 0 && npos_groups == 0 && (out->part || out->section)) {
		/* A filter-only query lists the programs of a part or section (minus exclusions). */
		if (nneg && (out->exclude = sasae_buf_detach(&neg)) == NULL)
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		goto finish;
	}
	if (rc == 0 && npos_groups == 0)
		rc = sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				     nneg ? "除外（-）する語だけでは検索できません。探す語も入れてください"
					  : "検索できる語がありません。言葉を入れてください（記号だけでは検索できません）");
	if (rc == 0) {
		sasae_buf m = SASAE_BUF_INIT;
		if (nneg) {
			sasae_buf_appendf(&m, "(%s) NOT (%s)", sasae_buf_cstr(&pos), sasae_buf_cstr(&neg));
		} else {
			sasae_buf_append(&m, pos.data, pos.len);
		}
		out->match = sasae_buf_detach(&m);
		if (plain_terms == 1 && npos_groups == 1 && single_text)
			out->exact_key = sasae_text_identity_key(single_text);
		if (out->match == NULL || !sasae_buf_ok(&pos) || !sasae_buf_ok(&neg))
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	}
finish:
	sasae_buf_free(&pos);
	sasae_buf_free(&neg);
	for (size_t i = 0; i < n; i++)
		free(items[i].text);
	free(items);
	free(nq);
	if (rc)
		sasae_query_clear(out);
	return rc;
}
