/*
 * tags.c — the finder's data files and the tags they give programs (include/core/sasae/tags.h,
 * docs/finder.md).  Matching is substring search over normalised code points: rule words are
 * normalised as queries (so that everyday spellings in the file fold like typed text), program
 * text as documents, exactly as the search index does.
 */
#include "sasae/tags.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/buf.h"
#include "sasae/hashmap.h"
#include "sasae/morph.h"
#include "sasae/text.h"

extern const char sasae_data_vocabulary_tsv[];
extern const size_t sasae_data_vocabulary_tsv_len;
extern const char sasae_data_tag_rules_tsv[];
extern const size_t sasae_data_tag_rules_tsv_len;
extern const char sasae_data_tag_overrides_tsv[];
extern const size_t sasae_data_tag_overrides_tsv_len;
extern const char sasae_data_everyday_words_tsv[];
extern const size_t sasae_data_everyday_words_tsv_len;

enum { MAX_FIELDS = 6 };

/* Program text fields a rule can look at. */
enum { F_NAME = 1, F_SUMMARY = 2, F_DEPARTMENTS = 4, F_SECTIONS = 8, F_ANY = 15, NFIELDS = 4 };
static const char *const field_names[NFIELDS] = {"name", "summary", "departments", "sections"};

/* A word, as written and normalised. */
typedef struct word {
	char *text;
	int32_t *cp;
	size_t n;
	bool all; /* "*": matches every program */
	/* everyday words only, filled once per process when MeCab is there (read_text): */
	char *bases;     /* dictionary forms without particles: " お金 ない " (NULL: none) */
	char *reading;   /* its reading in hiragana, particles included, when 3 kana or more (NULL: none) */
	char *reading_c; /* the same without particles (おかねない for お金がない), or NULL */
	char *bases_v; /* bases with a last noun that is a verb's 連用形 as that verb (ひきこもる), or NULL */
	char *tail; /* a particle the word ends with (話を聞いて, 家から出な) that must follow, or NULL */
} word;

typedef struct words {
	word *w;
	size_t n;
} words;

typedef struct rule {
	int term;
	int fields;
	words match, unless;
	long line;
} rule;

typedef struct override {
	char *key;  /* identity key of the program name */
	char *name; /* as written */
	int *add, *remove;
	size_t nadd, nremove;
	char *reason;
	long line;
} override;

/* One line of everyday-words.tsv. */
typedef struct everyday {
	words heard;
	int *terms;
	size_t nterms;
	char **search; /* search words */
	size_t nsearch;
	long line;
} everyday;

struct sasae_tag_data {
	sasae_term *terms;
	size_t nterms;
	rule *rules;
	size_t nrules;
	override *overrides;
	size_t noverrides;
	everyday *everyday;
	size_t neveryday;
	const sasae_variants *variants;
	int *morph_state; /* everyday words analysed: 0 not yet, 1 done, -1 failed (one int, owned) */
};

/* The normalised text of one program's fields. */
struct sasae_tag_texts {
	sasae_norm f[NFIELDS];
};

static const char *const facet_names[SASAE_NFACETS] = {"who", "need", "kind"};
static const char *const file_names[SASAE_NTAGFILES] = {"vocabulary.tsv", "tag-rules.tsv",
							"tag-overrides.tsv", "everyday-words.tsv"};

const char *sasae_facet_name(int facet)
{
	return facet >= 0 && facet < SASAE_NFACETS ? facet_names[facet] : "";
}

const char *sasae_tag_file_name(int role)
{
	return role >= 0 && role < SASAE_NTAGFILES ? file_names[role] : "";
}

void sasae_tag_file_default(int role, const char **bytes, size_t *len)
{
	switch (role) {
	case SASAE_TAGFILE_VOCABULARY:
		*bytes = sasae_data_vocabulary_tsv, *len = sasae_data_vocabulary_tsv_len;
		break;
	case SASAE_TAGFILE_RULES:
		*bytes = sasae_data_tag_rules_tsv, *len = sasae_data_tag_rules_tsv_len;
		break;
	case SASAE_TAGFILE_OVERRIDES:
		*bytes = sasae_data_tag_overrides_tsv, *len = sasae_data_tag_overrides_tsv_len;
		break;
	default: *bytes = sasae_data_everyday_words_tsv, *len = sasae_data_everyday_words_tsv_len; break;
	}
}

static int oom(sasae_error *err) { return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません"); }

/* Grow *arr (of *n elements of size sz) by one zeroed element; returns it or NULL. */
static void *push(void *arr, size_t *n, size_t sz)
{
	void **a = arr;
	size_t cap = 1;
	while (cap < *n + 1)
		cap *= 2;
	if ((*n & (*n - 1)) == 0 || *n == 0) { /* at powers of two the array is full */
		void *na = realloc(*a, cap * sz);
		if (na == NULL)
			return NULL;
		*a = na;
	}
	char *e = (char *)*a + *n * sz;
	memset(e, 0, sz);
	(*n)++;
	return e;
}

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* Split a line at tabs into at most MAX_FIELDS fields (pointers into the line, lengths). */
static size_t split_tabs(const char *ln, size_t ll, const char **f, size_t *fl)
{
	size_t n = 0;
	const char *p = ln, *end = ln + ll;
	while (n < MAX_FIELDS) {
		const char *tab = memchr(p, '\t', (size_t)(end - p));
		f[n] = p;
		fl[n] = (size_t)((tab ? tab : end) - p);
		n++;
		if (tab == NULL)
			break;
		p = tab + 1;
	}
	/* trailing empty fields do not count */
	while (n > 0 && fl[n - 1] == 0)
		n--;
	return n;
}

/* The data rows of a file: comment lines (#) and blank lines skipped, each row cut at TABs. */
typedef struct rows {
	const sasae_tag_source *src;
	size_t pos;
	long line;
	const char *f[MAX_FIELDS];
	size_t fl[MAX_FIELDS];
	size_t nf;
} rows;

static bool next_row(rows *r)
{
	const char *ln;
	size_t ll;
	while (sasae_text_next_line(r->src->bytes, r->src->len, &r->pos, &ln, &ll)) {
		r->line++;
		if (ll == 0 || ln[0] == '#')
			continue;
		r->nf = split_tabs(ln, ll, r->f, r->fl);
		return true;
	}
	return false;
}

/* The next space-separated item of [*p, end): *item and *n; false at the end. */
static bool next_item(const char **p, const char *end, const char **item, size_t *n)
{
	while (*p < end && **p == ' ')
		(*p)++;
	const char *q = *p;
	while (q < end && *q != ' ')
		q++;
	*item = *p;
	*n = (size_t)(q - *p);
	*p = q;
	return *n > 0;
}

/* Trim ASCII and ideographic spaces around s[0..*n). */
static const char *trim(const char *s, size_t *n)
{
	for (;;) {
		if (*n >= 1 && (s[0] == ' ' || s[0] == '\r')) {
			s++, (*n)--;
		} else if (*n >= 3 && memcmp(s, "\u3000", 3) == 0) {
			s += 3, *n -= 3;
		} else if (*n >= 1 && (s[*n - 1] == ' ' || s[*n - 1] == '\r')) {
			(*n)--;
		} else if (*n >= 3 && memcmp(s + *n - 3, "\u3000", 3) == 0) {
			*n -= 3;
		} else {
			return s;
		}
	}
}

static void words_free(words *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->w[i].text);
		free(w->w[i].cp);
		free(w->w[i].bases);
		free(w->w[i].reading);
		free(w->w[i].reading_c);
		free(w->w[i].bases_v);
		free(w->w[i].tail);
	}
	free(w->w);
	w->w = NULL;
	w->n = 0;
}

/* Normalise s[0..n) as mode into a new code point array (*out_n code points). */
static int32_t *norm_cps(const char *s, size_t n, const sasae_variants *v, int mode, size_t *out_n)
{
	sasae_norm t = {0};
	int32_t *cp = NULL;
	*out_n = 0;
	if (sasae_normalize(&t, s, n, v, mode) == 0 && !t.oom) {
		cp = malloc((t.n ? t.n : 1) * sizeof *cp);
		if (cp) {
			memcpy(cp, t.cp, t.n * sizeof *cp);
			*out_n = t.n;
		}
	}
	sasae_norm_free(&t);
	return cp;
}

/* Add one word (as written) to w. */
static int add_word(words *w, const char *s, size_t n, const sasae_variants *v, const char *file, long line,
		    const char *field, sasae_error *err)
{
	s = trim(s, &n);
	if (n == 0)
		return sasae_error_set(err, SASAE_EDATA, file, line,
				       "%s: 空の語があります（「|」が続いていないか確かめてください）", field);
	word *x = push(&w->w, &w->n, sizeof *x);
	if (x == NULL || (x->text = dupn(s, n)) == NULL)
		return oom(err);
	if (n == 1 && s[0] == '*') {
		x->all = true;
		return 0;
	}
	if ((x->cp = norm_cps(s, n, v, SASAE_NORM_QUERY, &x->n)) == NULL)
		return oom(err);
	bool letters = false;
	for (size_t i = 0; i < x->n; i++)
		letters |= sasae_is_cjk(x->cp[i]) || sasae_is_word(x->cp[i]);
	if (!letters)
		return sasae_error_set(err, SASAE_EDATA, file, line,
				       "%s: 「%s」は文字や数字を含まないので使えません", field, x->text);
	return 0;
}

/* Parse "a|b|c" into w. */
static int parse_words(words *w, const char *s, size_t n, const sasae_variants *v, const char *file,
		       long line, const char *field, sasae_error *err)
{
	const char *end = s + n;
	while (s <= end) {
		const char *bar = memchr(s, '|', (size_t)(end - s));
		const char *stop = bar ? bar : end;
		int rc = add_word(w, s, (size_t)(stop - s), v, file, line, field, err);
		if (rc)
			return rc;
		if (bar == NULL)
			break;
		s = bar + 1;
	}
	return 0;
}

/* A short Latin id: [a-z0-9-]+. */
static bool valid_id(const char *s, size_t n)
{
	if (n == 0 || n > 40)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

int sasae_tag_data_find(const sasae_tag_data *d, int facet, const char *name)
{
	for (size_t i = 0; i < d->nterms; i++)
		if (facet < 0 ? strcmp(d->terms[i].tag, name) == 0
			      : d->terms[i].facet == facet && strcmp(d->terms[i].id, name) == 0)
			return (int)i;
	return -1;
}

static int find_tag_n(const sasae_tag_data *d, const char *s, size_t n)
{
	char tmp[96];
	if (n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return sasae_tag_data_find(d, -1, tmp);
}

static int parse_vocabulary(sasae_tag_data *d, const sasae_tag_source *src, sasae_error *err)
{
	rows row = {.src = src};
	while (next_row(&row)) {
		const char *const *f = row.f;
		const size_t *fl = row.fl;
		size_t nf = row.nf;
		long line = row.line;
		if (nf < 4 || nf > 5)
			return sasae_error_set(err, SASAE_EDATA, src->file, line,
					       "「種類<TAB>ID<TAB>名前<TAB>やさしい言い方[<TAB>service]」の形ではありません（%zu 列）",
					       nf);
		int facet = -1;
		for (int k = 0; k < SASAE_NFACETS; k++)
			if (fl[0] == strlen(facet_names[k]) && memcmp(f[0], facet_names[k], fl[0]) == 0)
				facet = k;
		if (facet < 0)
			return sasae_error_set(err, SASAE_EDATA, src->file, line,
					       "1列目（種類）は who、need、kind のどれかにしてください: 「%.*s」",
					       (int)fl[0], f[0]);
		if (!valid_id(f[1], fl[1]))
			return sasae_error_set(err, SASAE_EDATA, src->file, line,
					       "2列目（ID）は英小文字・数字・「-」で書いてください: 「%.*s」",
					       (int)fl[1], f[1]);
		size_t l2 = fl[2], l3 = fl[3];
		const char *label = trim(f[2], &l2), *plain = trim(f[3], &l3);
		if (l2 == 0 || l3 == 0)
			return sasae_error_set(err, SASAE_EDATA, src->file, line, "%s が空です",
					       l2 == 0 ? "3列目（名前）" : "4列目（やさしい言い方）");
		bool service = false, organisation = false;
		if (nf == 5) {
			if (facet == SASAE_FACET_KIND && fl[4] == 7 && memcmp(f[4], "service", 7) == 0)
				service = true;
			else if (facet != SASAE_FACET_NEED && fl[4] == 12 &&
				 memcmp(f[4], "organisation", 12) == 0)
				organisation = true;
			else
				return sasae_error_set(err, SASAE_EDATA, src->file, line,
						       "5列目（印）に書けるのは kind の「service」（本人が使える）か、who と kind の「organisation」（団体向け）だけです: 「%.*s」",
						       (int)fl[4], f[4]);
		}
		char tag[64];
		snprintf(tag, sizeof tag, "%s:%.*s", facet_names[facet], (int)fl[1], f[1]);
		if (sasae_tag_data_find(d, -1, tag) >= 0)
			return sasae_error_set(err, SASAE_EDATA, src->file, line, "%s が二度定義されています",
					       tag);
		sasae_term *t = push(&d->terms, &d->nterms, sizeof *t);
		if (t == NULL)
			return oom(err);
		t->facet = facet;
		t->service = service;
		t->organisation = organisation;
		t->line = line;
		if ((t->id = dupn(f[1], fl[1])) == NULL || (t->tag = sasae_strdup(tag)) == NULL ||
		    (t->label = dupn(label, l2)) == NULL || (t->plain = dupn(plain, l3)) == NULL)
			return oom(err);
	}
	for (int k = 0; k < SASAE_NFACETS; k++) {
		bool any = false;
		for (size_t i = 0; i < d->nterms; i++)
			any |= d->terms[i].facet == k;
		if (!any)
			return sasae_error_set(err, SASAE_EDATA, src->file, 0, "%s の語が一つもありません",
					       facet_names[k]);
	}
	return 0;
}

/* Parse "name+summary" / "any" into a field mask; 0 when malformed. */
static int parse_fields(const char *s, size_t n)
{
	if (n == 3 && memcmp(s, "any", 3) == 0)
		return F_ANY;
	int mask = 0;
	const char *end = s + n;
	while (s < end) {
		const char *plus = memchr(s, '+', (size_t)(end - s));
		size_t len = (size_t)((plus ? plus : end) - s);
		int bit = 0;
		for (int k = 0; k < NFIELDS; k++)
			if (len == strlen(field_names[k]) && memcmp(s, field_names[k], len) == 0)
				bit = 1 << k;
		if (bit == 0)
			return 0;
		mask |= bit;
		if (plus == NULL)
			break;
		s = plus + 1;
	}
	return mask;
}

static int parse_rules(sasae_tag_data *d, const sasae_tag_source *src, sasae_error *err)
{
	rows row = {.src = src};
	while (next_row(&row)) {
		const char *const *f = row.f;
		const size_t *fl = row.fl;
		size_t nf = row.nf;
		long line = row.line;
		if (nf < 3 || nf > 4)
			return sasae_error_set(err, SASAE_EDATA, src->file, line,
					       "「タグ<TAB>見る所<TAB>語|語…[<TAB>除く語|…]」の形ではありません（%zu 列）",
					       nf);
		int term = find_tag_n(d, f[0], fl[0]);
		if (term < 0)
			return sasae_error_set(err, SASAE_EDATA, src->file, line,
					       "1列目のタグ「%.*s」が vocabulary.tsv にありません（who:elderly の形で書きます）",
					       (int)fl[0], f[0]);
		int fields = parse_fields(f[1], fl[1]);
		if (fields == 0)
			return sasae_error_set(err, SASAE_EDATA, src->file, line,
					       "2列目（見る所）は name、summary、departments、sections を「+」でつないだものか any にしてください: 「%.*s」",
					       (int)fl[1], f[1]);
		rule *r = push(&d->rules, &d->nrules, sizeof *r);
		if (r == NULL)
			return oom(err);
		r->term = term;
		r->fields = fields;
		r->line = line;
		int rc = parse_words(&r->match, f[2], fl[2], d->variants, src->file, line, "3列目（語）", err);
		if (rc == 0 && nf == 4)
			rc = parse_words(&r->unless, f[3], fl[3], d->variants, src->file, line,
					 "4列目（除く語）", err);
		if (rc)
			return rc;
		for (size_t i = 0; i < r->unless.n; i++)
			if (r->unless.w[i].all)
				return sasae_error_set(err, SASAE_EDATA, src->file, line,
						       "4列目（除く語）に「*」は使えません");
	}
	return 0;
}

static int parse_overrides(sasae_tag_data *d, const sasae_tag_source *src, sasae_error *err)
{
	rows row = {.src = src};
	while (next_row(&row)) {
		const char *const *f = row.f;
		const size_t *fl = row.fl;
		size_t nf = row.nf;
		long line = row.line;
		if (nf < 2 || nf > 3)
			return sasae_error_set(err, SASAE_EDATA, src->file, line,
					       "「事業名<TAB>+タグ -タグ…[<TAB>理由]」の形ではありません（%zu 列）",
					       nf);
		override *o = push(&d->overrides, &d->noverrides, sizeof *o);
		if (o == NULL)
			return oom(err);
		o->line = line;
		size_t nl = fl[0];
		const char *name = trim(f[0], &nl);
		if ((o->name = dupn(name, nl)) == NULL || (o->key = sasae_text_identity_key(o->name)) == NULL)
			return oom(err);
		if (o->key[0] == '\0')
			return sasae_error_set(err, SASAE_EDATA, src->file, line, "1列目（事業名）が空です");
		size_t rl = nf == 3 ? fl[2] : 0;
		const char *reason = nf == 3 ? trim(f[2], &rl) : "";
		if ((o->reason = dupn(reason, rl)) == NULL)
			return oom(err);
		const char *p = f[1], *end = f[1] + fl[1], *it;
		size_t il;
		while (next_item(&p, end, &it, &il)) {
			if (*it != '+' && *it != '-')
				return sasae_error_set(err, SASAE_EDATA, src->file, line,
						       "2列目: 「%.*s」の前に + （付ける）か - （外す）を書いてください",
						       (int)il, it);
			int term = find_tag_n(d, it + 1, il - 1);
			if (term < 0)
				return sasae_error_set(err, SASAE_EDATA, src->file, line,
						       "2列目: タグ「%.*s」が vocabulary.tsv にありません",
						       (int)(il - 1), it + 1);
			int **arr = *it == '+' ? &o->add : &o->remove;
			size_t *n = *it == '+' ? &o->nadd : &o->nremove;
			int *slot = push(arr, n, sizeof *slot);
			if (slot == NULL)
				return oom(err);
			*slot = term;
		}
		if (o->nadd + o->nremove == 0)
			return sasae_error_set(err, SASAE_EDATA, src->file, line,
					       "2列目に +タグ か -タグ を一つ以上書いてください");
	}
	return 0;
}

static int parse_everyday(sasae_tag_data *d, const sasae_tag_source *src, sasae_error *err)
{
	rows row = {.src = src};
	while (next_row(&row)) {
		const char *const *f = row.f;
		const size_t *fl = row.fl;
		size_t nf = row.nf;
		long line = row.line;
		if (nf != 2)
			return sasae_error_set(err, SASAE_EDATA, src->file, line,
					       "「ふだんの言い方|…<TAB>タグや検索語…」の形ではありません（%zu 列）",
					       nf);
		everyday *e = push(&d->everyday, &d->neveryday, sizeof *e);
		if (e == NULL)
			return oom(err);
		e->line = line;
		int rc = parse_words(&e->heard, f[0], fl[0], d->variants, src->file, line,
				     "1列目（ふだんの言い方）", err);
		if (rc)
			return rc;
		for (size_t i = 0; i < e->heard.n; i++)
			if (e->heard.w[i].all)
				return sasae_error_set(err, SASAE_EDATA, src->file, line,
						       "1列目に「*」は使えません");
		const char *p = f[1], *end = f[1] + fl[1], *it;
		size_t il;
		while (next_item(&p, end, &it, &il)) {
			if (memchr(it, ':', il)) {
				int term = find_tag_n(d, it, il);
				if (term < 0 || d->terms[term].facet == SASAE_FACET_KIND)
					return sasae_error_set(err, SASAE_EDATA, src->file, line,
							       "2列目: 「%.*s」は vocabulary.tsv の who: か need: のタグではありません",
							       (int)il, it);
				int *slot = push(&e->terms, &e->nterms, sizeof *slot);
				if (slot == NULL)
					return oom(err);
				*slot = term;
			} else {
				char **slot = push(&e->search, &e->nsearch, sizeof *slot);
				if (slot == NULL || (*slot = dupn(it, il)) == NULL)
					return oom(err);
			}
		}
		if (e->nterms + e->nsearch == 0)
			return sasae_error_set(err, SASAE_EDATA, src->file, line,
					       "2列目にタグか検索語を一つ以上書いてください");
	}
	return 0;
}

void sasae_tag_data_free(sasae_tag_data *d)
{
	if (d == NULL)
		return;
	free(d->morph_state);
	for (size_t i = 0; i < d->nterms; i++) {
		free(d->terms[i].id);
		free(d->terms[i].tag);
		free(d->terms[i].label);
		free(d->terms[i].plain);
	}
	free(d->terms);
	for (size_t i = 0; i < d->nrules; i++) {
		words_free(&d->rules[i].match);
		words_free(&d->rules[i].unless);
	}
	free(d->rules);
	for (size_t i = 0; i < d->noverrides; i++) {
		override *o = &d->overrides[i];
		free(o->key);
		free(o->name);
		free(o->add);
		free(o->remove);
		free(o->reason);
	}
	free(d->overrides);
	for (size_t i = 0; i < d->neveryday; i++) {
		everyday *e = &d->everyday[i];
		words_free(&e->heard);
		free(e->terms);
		for (size_t k = 0; k < e->nsearch; k++)
			free(e->search[k]);
		free(e->search);
	}
	free(d->everyday);
	free(d);
}

int sasae_tag_data_parse(sasae_tag_data **out, const sasae_tag_source files[SASAE_NTAGFILES],
			 const sasae_variants *v, sasae_error *err)
{
	*out = NULL;
	for (int k = 0; k < SASAE_NTAGFILES; k++)
		if (sasae_text_check_utf8(files[k].file, files[k].bytes, files[k].len, err))
			return SASAE_EDATA;
	sasae_tag_data *d = calloc(1, sizeof *d);
	if (d == NULL)
		return oom(err);
	d->variants = v;
	if ((d->morph_state = calloc(1, sizeof *d->morph_state)) == NULL) {
		free(d);
		return oom(err);
	}
	int rc = parse_vocabulary(d, &files[SASAE_TAGFILE_VOCABULARY], err);
	if (rc == 0)
		rc = parse_rules(d, &files[SASAE_TAGFILE_RULES], err);
	if (rc == 0)
		rc = parse_overrides(d, &files[SASAE_TAGFILE_OVERRIDES], err);
	if (rc == 0)
		rc = parse_everyday(d, &files[SASAE_TAGFILE_WORDS], err);
	if (rc) {
		sasae_tag_data_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

size_t sasae_tag_data_nterms(const sasae_tag_data *d) { return d->nterms; }

const sasae_term *sasae_tag_data_term(const sasae_tag_data *d, size_t i)
{
	return i < d->nterms ? &d->terms[i] : NULL;
}

void sasae_tag_data_counts(const sasae_tag_data *d, size_t *nrules, size_t *noverrides, size_t *nwords)
{
	*nrules = d->nrules;
	*noverrides = d->noverrides;
	*nwords = d->neveryday;
}

/* ---- applying the rules ---- */

/* First position of needle in hay, or -1. */
static long find_cps(const int32_t *hay, size_t nh, const int32_t *needle, size_t nn)
{
	if (nn == 0 || nn > nh)
		return -1;
	for (size_t i = 0; i + nn <= nh; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, nn * sizeof *hay) == 0)
			return (long)i;
	return -1;
}

/* Whether word w occurs in one of the fields of mask; *field set to the first such field. */
static bool word_in(const word *w, const struct sasae_tag_texts *t, int mask, int *field)
{
	for (int k = 0; k < NFIELDS; k++)
		if ((mask & (1 << k)) && (w->all || find_cps(t->f[k].cp, t->f[k].n, w->cp, w->n) >= 0)) {
			*field = k;
			return true;
		}
	return false;
}

static void texts_free(struct sasae_tag_texts *t)
{
	for (int k = 0; k < NFIELDS; k++)
		sasae_norm_free(&t->f[k]);
}

/* The program's four fields, joined and normalised as the index does. */
static int program_texts(struct sasae_tag_texts *t, const sasae_plan *plan, const sasae_program *p,
			 const sasae_variants *v)
{
	sasae_buf b = SASAE_BUF_INIT;
	int rc = sasae_normalize(&t->f[0], p->name, strlen(p->name), v, SASAE_NORM_DOCUMENT);
	rc |= sasae_normalize(&t->f[1], p->summary, strlen(p->summary), v, SASAE_NORM_DOCUMENT);
	for (size_t i = 0; i < p->ndepartments; i++) {
		if (i)
			sasae_buf_puts(&b, "、");
		sasae_buf_puts(&b, p->departments[i].name);
	}
	rc |= sasae_normalize(&t->f[2], b.data ? b.data : "", b.len, v, SASAE_NORM_DOCUMENT);
	sasae_buf_clear(&b);
	for (size_t i = 0; i < p->nplaces; i++) {
		const sasae_place *pl = &p->places[i];
		if (pl->part < 1 || (size_t)pl->part > plan->nparts)
			continue;
		const sasae_part *part = &plan->parts[pl->part - 1];
		if (pl->section_index < 1 || (size_t)pl->section_index > part->nsections)
			continue;
		if (b.len)
			sasae_buf_puts(&b, "、");
		sasae_buf_puts(&b, part->sections[pl->section_index - 1].title);
	}
	rc |= sasae_normalize(&t->f[3], b.data ? b.data : "", b.len, v, SASAE_NORM_DOCUMENT);
	bool ok = sasae_buf_ok(&b);
	sasae_buf_free(&b);
	for (int k = 0; k < NFIELDS; k++)
		ok = ok && !t->f[k].oom;
	return rc == 0 && ok ? 0 : SASAE_ENOMEM;
}

void sasae_plan_tags_free(sasae_plan_tags *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nprograms; i++) {
		sasae_program_tags *p = &t->programs[i];
		for (size_t k = 0; k < p->ntags; k++)
			free(p->tags[k].evidence);
		free(p->tags);
		free(p->kind_reason.evidence);
		if (t->texts)
			texts_free(&t->texts[i]);
	}
	free(t->programs);
	free(t->texts);
	for (size_t i = 0; i < t->nunknown; i++)
		free(t->unknown_override_names[i]);
	free(t->unknown_override_names);
	free(t->unknown_override_lines);
	free(t);
}

bool sasae_program_has_tag(const sasae_program_tags *t, int term)
{
	if (t->kind == term)
		return true;
	for (size_t i = 0; i < t->ntags; i++)
		if (t->tags[i].term == term)
			return true;
	return false;
}

/* The reason slot of term in p (added, in vocabulary order, when missing); NULL on OOM. */
static sasae_tag_reason *tag_slot(sasae_program_tags *p, int term)
{
	size_t i = 0;
	while (i < p->ntags && p->tags[i].term < term)
		i++;
	if (i < p->ntags && p->tags[i].term == term)
		return &p->tags[i];
	sasae_tag_reason *nt = realloc(p->tags, (p->ntags + 1) * sizeof *nt);
	if (nt == NULL)
		return NULL;
	p->tags = nt;
	memmove(&p->tags[i + 1], &p->tags[i], (p->ntags - i) * sizeof *nt);
	p->ntags++;
	memset(&p->tags[i], 0, sizeof p->tags[i]);
	p->tags[i].term = term;
	return &p->tags[i];
}

/* Apply one rule to one program: evidence appended to *ev; true when it matched. */
static bool rule_matches(const rule *r, const struct sasae_tag_texts *t, sasae_buf *ev)
{
	int field;
	for (size_t i = 0; i < r->unless.n; i++)
		if (word_in(&r->unless.w[i], t, r->fields, &field))
			return false;
	bool any = false;
	for (size_t i = 0; i < r->match.n; i++)
		if (word_in(&r->match.w[i], t, r->fields, &field)) {
			if (ev->len)
				sasae_buf_putc(ev, ' ');
			if (r->match.w[i].all)
				sasae_buf_puts(ev, "*");
			else
				sasae_buf_appendf(ev, "%s:%s", field_names[field], r->match.w[i].text);
			any = true;
		}
	return any;
}

static int apply_override(sasae_plan_tags *out, const sasae_tag_data *d, const sasae_hashmap *by_key,
			  const size_t *next, const override *o, sasae_error *err);

static int apply_overrides(sasae_plan_tags *out, const sasae_tag_data *d, const sasae_plan *plan,
			   sasae_error *err)
{
	if (d->noverrides == 0)
		return 0;
	/* the programs' identity keys, once: key → the first program with it, next[i] → the
	   following one (in program order), SIZE_MAX at the end */
	size_t n = plan->nprograms;
	char **keys = calloc(n ? n : 1, sizeof *keys);
	size_t *next = malloc((n ? n : 1) * sizeof *next);
	sasae_hashmap *by_key = sasae_hashmap_new(SASAE_HASHMAP_BORROW);
	int rc = keys && next && by_key ? 0 : oom(err);
	for (size_t i = n; rc == 0 && i-- > 0;) {
		bool added;
		int64_t *first = NULL;
		if ((keys[i] = sasae_text_identity_key(plan->programs[i].name)) == NULL ||
		    (first = sasae_hashmap_put(by_key, keys[i], (int64_t)i, &added)) == NULL) {
			rc = oom(err);
			break;
		}
		next[i] = added ? SIZE_MAX : (size_t)*first;
		*first = (int64_t)i;
	}
	for (size_t k = 0; rc == 0 && k < d->noverrides; k++)
		rc = apply_override(out, d, by_key, next, &d->overrides[k], err);
	sasae_hashmap_free(by_key);
	for (size_t i = 0; keys && i < n; i++)
		free(keys[i]);
	free(keys);
	free(next);
	return rc;
}

/* One line of tag-overrides.tsv, applied to the programs whose identity key is its name's. */
static int apply_override(sasae_plan_tags *out, const sasae_tag_data *d, const sasae_hashmap *by_key,
			  const size_t *next, const override *o, sasae_error *err)
{
	const int64_t *first = sasae_hashmap_get(by_key, o->key);
	bool found = first != NULL;
	for (size_t i = first ? (size_t)*first : SIZE_MAX; i != SIZE_MAX; i = next[i]) {
		sasae_program_tags *p = &out->programs[i];
		for (size_t a = 0; a < o->nremove; a++) {
			int term = o->remove[a];
			if (p->kind == term) {
				p->kind = -1;
				free(p->kind_reason.evidence);
				p->kind_reason =
					(sasae_tag_reason){.term = -1, .override = true, .line = o->line};
				p->kind_reason.evidence = sasae_strdup(o->reason);
			}
			for (size_t j = 0; j < p->ntags; j++)
				if (p->tags[j].term == term) {
					free(p->tags[j].evidence);
					memmove(&p->tags[j], &p->tags[j + 1],
						(p->ntags - j - 1) * sizeof p->tags[j]);
					p->ntags--;
					break;
				}
		}
		for (size_t a = 0; a < o->nadd; a++) {
			int term = o->add[a];
			sasae_tag_reason *r;
			if (d->terms[term].facet == SASAE_FACET_KIND) {
				p->kind = term;
				r = &p->kind_reason;
			} else if ((r = tag_slot(p, term)) == NULL) {
				return oom(err);
			}
			free(r->evidence);
			r->term = term;
			r->override = true;
			r->line = o->line;
			if ((r->evidence = sasae_strdup(o->reason)) == NULL)
				return oom(err);
		}
	}
	if (!found) {
		long *nl = realloc(out->unknown_override_lines, (out->nunknown + 1) * sizeof *nl);
		if (nl)
			out->unknown_override_lines = nl;
		char **nn = realloc(out->unknown_override_names, (out->nunknown + 1) * sizeof *nn);
		if (nn)
			out->unknown_override_names = nn;
		if (nl == NULL || nn == NULL || (nn[out->nunknown] = sasae_strdup(o->name)) == NULL)
			return oom(err);
		nl[out->nunknown++] = o->line;
	}
	return 0;
}

int sasae_tags_apply(sasae_plan_tags **out, const sasae_tag_data *d, const sasae_plan *plan, sasae_error *err)
{
	*out = NULL;
	sasae_plan_tags *t = calloc(1, sizeof *t);
	if (t == NULL)
		return oom(err);
	size_t n = plan->nprograms;
	t->nprograms = n;
	t->programs = calloc(n ? n : 1, sizeof *t->programs);
	t->texts = calloc(n ? n : 1, sizeof *t->texts);
	if (t->programs == NULL || t->texts == NULL) {
		sasae_plan_tags_free(t);
		return oom(err);
	}
	sasae_buf ev = SASAE_BUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		sasae_program_tags *p = &t->programs[i];
		p->kind = -1;
		p->kind_reason.term = -1;
		if ((rc = program_texts(&t->texts[i], plan, &plan->programs[i], d->variants)) != 0) {
			rc = oom(err);
			break;
		}
		for (size_t k = 0; k < d->nrules && rc == 0; k++) {
			const rule *r = &d->rules[k];
			bool is_kind = d->terms[r->term].facet == SASAE_FACET_KIND;
			if (is_kind && p->kind >= 0)
				continue;
			sasae_buf_clear(&ev);
			if (!rule_matches(r, &t->texts[i], &ev))
				continue;
			sasae_tag_reason *slot = is_kind ? &p->kind_reason : tag_slot(p, r->term);
			if (slot == NULL || !sasae_buf_ok(&ev)) {
				rc = oom(err);
				break;
			}
			if (is_kind)
				p->kind = r->term;
			slot->term = r->term;
			if (slot->evidence == NULL) {
				slot->line = r->line;
				slot->evidence = sasae_strdup(sasae_buf_cstr(&ev));
			} else { /* a second rule for the same tag: its evidence is added */
				size_t len = strlen(slot->evidence);
				char *ne = realloc(slot->evidence, len + 1 + ev.len + 1);
				if (ne) {
					ne[len] = ' ';
					memcpy(ne + len + 1, sasae_buf_cstr(&ev), ev.len + 1);
					slot->evidence = ne;
				}
			}
			if (slot->evidence == NULL)
				rc = oom(err);
		}
	}
	sasae_buf_free(&ev);
	if (rc == 0)
		rc = apply_overrides(t, d, plan, err);
	if (rc) {
		sasae_plan_tags_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

/* ---- free text ---- */

void sasae_text_meaning_clear(sasae_text_meaning *m)
{
	for (size_t i = 0; i < m->nwords; i++)
		free(m->words[i]);
	for (size_t i = 0; i < m->nheard; i++)
		free(m->heard[i]);
	free(m->words);
	free(m->heard);
	free(m->terms);
	free(m->heard_terms);
	memset(m, 0, sizeof *m);
}

typedef struct heard_at {
	long pos;
	const char *text;
	size_t line; /* index into everyday */
} heard_at;

static int heard_cmp(const void *a, const void *b)
{
	const heard_at *x = a, *y = b;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int add_unique_str(char ***arr, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*arr)[i], s) == 0)
			return (int)i;
	char **slot = push(arr, n, sizeof *slot);
	if (slot == NULL || (*slot = sasae_strdup(s)) == NULL)
		return -1;
	return (int)(*n - 1);
}

/* Add term (from heard word h) to m, keeping vocabulary order; -1 on OOM. */
static int add_term(sasae_text_meaning *m, int term, int h)
{
	size_t i = 0;
	while (i < m->nterms && m->terms[i] < term)
		i++;
	if (i < m->nterms && m->terms[i] == term)
		return 0;
	int *nt = realloc(m->terms, (m->nterms + 1) * sizeof *nt);
	if (nt == NULL)
		return -1;
	m->terms = nt;
	int *nh = realloc(m->heard_terms, (m->nterms + 1) * sizeof *nh);
	if (nh == NULL)
		return -1;
	m->heard_terms = nh;
	memmove(&nt[i + 1], &nt[i], (m->nterms - i) * sizeof *nt);
	memmove(&nh[i + 1], &nh[i], (m->nterms - i) * sizeof *nh);
	nt[i] = term;
	nh[i] = h;
	m->nterms++;
	return 0;
}

/* ---- free text by morphology: dictionary forms and readings (docs/finder.md, "Free text") ---- */

/* Particles and symbols take no part in a match: お金がない, お金もない and お金ない are one phrase. */
static bool morph_skipped(const sasae_morph_token *t)
{
	return t->pos == SASAE_MORPH_PARTICLE || t->pos == SASAE_MORPH_SYMBOL;
}

/* Whether s is only hiragana, katakana and ー (a kana spelling, heard by its reading). */
static bool all_kana(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		if (p + 3 > end || p[0] != 0xE3)
			return false;
		unsigned cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
		if (!(cp >= 0x3041 && cp <= 0x30FF))
			return false;
		p += 3;
	}
	return n > 0;
}

enum { MORPH_MIN_READING = 9 }; /* 3 kana: shorter readings meet too many homophones */

/* The verb whose 連用形 noun is `noun` (ひきこもり → ひきこもる, いじめ → いじめる), or NULL: the
   godan ending i → u, else the ichidan stem + る, kept only when MeCab reads the candidate as one
   verb in its dictionary form.  tk is reused. */
static char *verb_of_noun(sasae_morph *m, sasae_morph_tokens *tk, const char *noun)
{
	static const char *const i_row[] = {"き", "ぎ", "し", "ち", "に", "び", "み", "り", "い"};
	static const char *const u_row[] = {"く", "ぐ", "す", "つ", "ぬ", "ぶ", "む", "る", "う"};
	size_t n = strlen(noun);
	if (n < 6) /* two characters at least */
		return NULL;
	const char *tail = noun + n - 3;
	char cand[2][256];
	int nc = 0;
	for (size_t k = 0; k < sizeof i_row / sizeof *i_row; k++)
		if (memcmp(tail, i_row[k], 3) == 0 && n < sizeof cand[0])
			snprintf(cand[nc++], sizeof cand[0], "%.*s%s", (int)(n - 3), noun, u_row[k]);
	unsigned char c0 = (unsigned char)tail[0], c1 = (unsigned char)tail[1];
	if (c0 == 0xE3 && (c1 == 0x81 || c1 == 0x82) && n + 4 < sizeof cand[0]) /* hiragana: stem + る */
		snprintf(cand[nc++], sizeof cand[0], "%sる", noun);
	for (int k = 0; k < nc; k++) {
		sasae_error e = {0};
		if (sasae_morph_parse(tk, m, cand[k], strlen(cand[k]), &e) == 0 && tk->n == 1 &&
		    tk->tok[0].pos == SASAE_MORPH_VERB && strcmp(tk->tok[0].base, cand[k]) == 0)
			return sasae_strdup(cand[k]);
	}
	return NULL;
}

/* The dictionary forms (" a b ") and the reading of one everyday word; 0 or -1 (OOM). */
static int analyse_word(word *w, sasae_morph *m, sasae_morph_tokens *tk)
{
	sasae_error e = {0};
	char *nfkc = sasae_text_nfkc(w->text);
	if (nfkc == NULL)
		return -1;
	int rc = sasae_morph_parse(tk, m, nfkc, strlen(nfkc), &e);
	free(nfkc);
	if (rc == SASAE_ENOMEM)
		return -1;
	if (rc != 0)
		return 0; /* heard by its surface only */
	sasae_buf b = {0}, r = {0}, rc_ = {0};
	sasae_buf_append(&b, " ", 1);
	size_t kept = 0;
	bool readable = true;
	for (size_t i = 0; i < tk->n; i++) {
		const sasae_morph_token *t = &tk->tok[i];
		if (t->pos == SASAE_MORPH_SYMBOL)
			continue;
		if (t->reading[0] == '\0')
			readable = false;
		else
			sasae_buf_append(&r, t->reading, strlen(t->reading));
		if (morph_skipped(t))
			continue;
		kept++;
		sasae_buf_appendf(&b, "%s ", t->base);
		sasae_buf_append(&rc_, t->reading, strlen(t->reading));
	}
	/* a word ending in a particle (a fragment such as 家から出な) is heard only with it */
	for (size_t i = tk->n; i-- > 0;)
		if (tk->tok[i].pos != SASAE_MORPH_SYMBOL) {
			if (tk->tok[i].pos == SASAE_MORPH_PARTICLE &&
			    (w->tail = sasae_strdup(tk->tok[i].base)) == NULL)
				b.oom = true;
			break;
		}
	/* the last noun of the word, when it may be a verb's 連用形 used as a noun (ひきこもり, いじめ) */
	char *last = NULL;
	size_t last_at = 0;
	for (size_t i = tk->n; i-- > 0;)
		if (!morph_skipped(&tk->tok[i])) {
			if (tk->tok[i].pos == SASAE_MORPH_NOUN && (last = sasae_strdup(tk->tok[i].base)) == NULL)
				b.oom = true;
			last_at = b.len - strlen(tk->tok[i].base) - 1;
			break;
		}
	int out = 0;
	if (b.oom || r.oom || rc_.oom)
		out = -1;
	else if (last) {
		char *verb = verb_of_noun(m, tk, last);
		if (verb) {
			sasae_buf v = {0};
			sasae_buf_append(&v, b.data, last_at);
			sasae_buf_appendf(&v, "%s ", verb);
			w->bases_v = sasae_buf_detach(&v);
			free(verb);
			if (w->bases_v == NULL)
				out = -1;
		}
	}
	free(last);
	if (out == 0) {
		if (kept > 0)
			w->bases = sasae_buf_detach(&b);
		if (readable && kept > 0 && r.len >= MORPH_MIN_READING)
			w->reading = sasae_buf_detach(&r);
		if (readable && kept > 0 && rc_.len >= MORPH_MIN_READING && w->reading &&
		    strcmp(w->reading, sasae_buf_cstr(&rc_)) != 0)
			w->reading_c = sasae_buf_detach(&rc_);
	}
	sasae_buf_free(&b);
	sasae_buf_free(&r);
	sasae_buf_free(&rc_);
	return out;
}

static pthread_mutex_t morph_lock = PTHREAD_MUTEX_INITIALIZER;

/* Analyse every everyday word once per tag data (the tagger is the process's shared one); false
   when MeCab is not there (then only surfaces are matched). */
static bool morph_ready(const sasae_tag_data *d, sasae_morph **m)
{
	/* the analysis is a cache in the words (owned memory), filled under the lock */
	sasae_error e = {0};
	if (sasae_morph_shared(m, &e) != 0)
		return false;
	pthread_mutex_lock(&morph_lock);
	if (*d->morph_state == 0) {
		sasae_morph_tokens tk = {0};
		int rc = 0;
		for (size_t i = 0; i < d->neveryday && rc == 0; i++)
			for (size_t k = 0; k < d->everyday[i].heard.n && rc == 0; k++)
				rc = analyse_word(&d->everyday[i].heard.w[k], *m, &tk);
		sasae_morph_tokens_clear(&tk);
		*d->morph_state = rc == 0 ? 1 : -1;
	}
	bool ok = *d->morph_state == 1;
	pthread_mutex_unlock(&morph_lock);
	return ok;
}

/* The text as words for matching: " a b c " (dictionary forms, particles and symbols left out),
   with where each kept token starts in it; the tokens themselves for readings. */
typedef struct text_words {
	sasae_morph_tokens tk;
	size_t *kept; /* indexes of kept tokens */
	size_t nkept;
	char *bases;
	size_t *at; /* byte offset in bases where kept token i starts (before its base) */
} text_words;

static void text_words_clear(text_words *t)
{
	sasae_morph_tokens_clear(&t->tk);
	free(t->kept);
	free(t->bases);
	free(t->at);
	memset(t, 0, sizeof *t);
}

/* 0, 1 (no analysis: surface matching only) or -1 (OOM). */
static int text_words_make(text_words *t, sasae_morph *m, const char *nfkc)
{
	sasae_error e = {0};
	int rc = sasae_morph_parse(&t->tk, m, nfkc, strlen(nfkc), &e);
	if (rc == SASAE_ENOMEM)
		return -1;
	if (rc != 0)
		return 1;
	t->kept = malloc((t->tk.n ? t->tk.n : 1) * sizeof *t->kept);
	t->at = malloc((t->tk.n + 1) * sizeof *t->at);
	if (t->kept == NULL || t->at == NULL)
		return -1;
	sasae_buf b = {0};
	for (size_t i = 0; i < t->tk.n; i++) {
		if (morph_skipped(&t->tk.tok[i]))
			continue;
		t->at[t->nkept] = b.len;
		t->kept[t->nkept++] = i;
		sasae_buf_appendf(&b, " %s", t->tk.tok[i].base);
	}
	t->at[t->nkept] = b.len;
	sasae_buf_append(&b, " ", 1);
	if (b.oom) {
		sasae_buf_free(&b);
		return -1;
	}
	t->bases = sasae_buf_detach(&b);
	return t->bases ? 0 : -1;
}

/* Where reading r (NULL: none) is spelt in kana in the text, starting and ending on word
   boundaries (particles passed over when skip_particles): the byte offset, or -1. */
static long reading_find(const text_words *t, const char *text, const char *r, bool skip_particles)
{
	if (r == NULL)
		return -1;
	size_t rl = strlen(r);
	for (size_t i = 0; i < t->tk.n; i++) {
		if (t->tk.tok[i].pos == SASAE_MORPH_SYMBOL || (skip_particles && morph_skipped(&t->tk.tok[i])))
			continue;
		size_t got = 0;
		bool kana = false;
		for (size_t j = i; j < t->tk.n; j++) {
			const sasae_morph_token *tok = &t->tk.tok[j];
			if (skip_particles && tok->pos == SASAE_MORPH_PARTICLE)
				continue;
			size_t l = strlen(tok->reading);
			if (tok->pos == SASAE_MORPH_SYMBOL || l == 0 || got + l > rl ||
			    memcmp(r + got, tok->reading, l) != 0)
				break;
			got += l;
			kana |= all_kana(text + tok->from, tok->to - tok->from);
			if (got == rl) {
				if (kana)
					return (long)t->tk.tok[i].from;
				break;
			}
		}
	}
	return -1;
}

/* Where word w is heard in the text by morphology: the byte offset in the text, or -1.  By its
   dictionary forms (whole words, in order, particles aside), or by its reading when the text spells
   it in kana (にんちしょう for 認知症; the span starts and ends on word boundaries). */
static long morph_find(const text_words *t, const char *text, const word *w)
{
	for (int v = 0; v < 2; v++) {
		const char *wb = v ? w->bases_v : w->bases;
		if (wb == NULL)
			continue;
		size_t nw = 0; /* words in wb */
		for (const char *c = wb + 1; *c; c++)
			nw += *c == ' ';
		for (const char *hit = strstr(t->bases, wb); hit; hit = strstr(hit + 1, wb)) {
			size_t off = (size_t)(hit - t->bases);
			for (size_t i = 0; i + nw <= t->nkept; i++) {
				if (t->at[i] != off)
					continue;
				size_t next = t->kept[i + nw - 1] + 1; /* the token after the last word */
				if (w->tail == NULL ||
				    (next < t->tk.n && t->tk.tok[next].pos == SASAE_MORPH_PARTICLE &&
				     strcmp(t->tk.tok[next].base, w->tail) == 0))
					return (long)t->tk.tok[t->kept[i]].from;
			}
		}
	}
	long at = reading_find(t, text, w->reading, false);
	return at >= 0 ? at : reading_find(t, text, w->reading_c, true);
}

/* Code points of s[0..n) (valid UTF-8): a position comparable with the surface match's. */
static long cp_count(const char *s, size_t n)
{
	long c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0u) != 0x80u;
	return c;
}

int sasae_tags_read_text(sasae_text_meaning *out, const sasae_tag_data *d, const char *text, sasae_error *err)
{
	memset(out, 0, sizeof *out);
	if (text == NULL || text[0] == '\0')
		return 0;
	size_t nt = 0;
	int32_t *cp = norm_cps(text, strlen(text), d->variants, SASAE_NORM_QUERY, &nt);
	if (cp == NULL)
		return oom(err);
	heard_at *hs = NULL;
	size_t nh = 0;
	int rc = 0;
	/* with MeCab, every form of a phrase is heard: the text as dictionary forms and readings */
	sasae_morph *m = NULL;
	text_words tw = {0};
	char *nfkc = NULL;
	bool morph = morph_ready(d, &m);
	if (morph) {
		nfkc = sasae_text_nfkc(text);
		int mr = nfkc ? text_words_make(&tw, m, nfkc) : -1;
		if (mr < 0)
			rc = oom(err);
		morph = mr == 0;
	}
	for (size_t i = 0; i < d->neveryday && rc == 0; i++)
		for (size_t k = 0; k < 2 * d->everyday[i].heard.n; k++) {
			/* every word of the line by its surface first, then by morphology */
			size_t n = d->everyday[i].heard.n;
			const word *w = &d->everyday[i].heard.w[k % n];
			long pos = -1;
			if (k < n)
				pos = find_cps(cp, nt, w->cp, w->n);
			else if (morph) {
				long at = morph_find(&tw, nfkc, w);
				if (at >= 0)
					pos = cp_count(nfkc, (size_t)at);
			}
			if (pos < 0)
				continue;
			heard_at *h = push(&hs, &nh, sizeof *h);
			if (h == NULL) {
				rc = oom(err);
				break;
			}
			*h = (heard_at){pos, w->text, i};
			break; /* one word of a line is enough */
		}
	free(cp);
	free(nfkc);
	text_words_clear(&tw);
	if (rc == 0 && nh > 1)
		qsort(hs, nh, sizeof *hs, heard_cmp);
	for (size_t i = 0; i < nh && rc == 0; i++) {
		int h = add_unique_str(&out->heard, &out->nheard, hs[i].text);
		if (h < 0) {
			rc = oom(err);
			break;
		}
		const everyday *e = &d->everyday[hs[i].line];
		for (size_t k = 0; k < e->nterms && rc == 0; k++)
			if (add_term(out, e->terms[k], h) != 0)
				rc = oom(err);
		for (size_t k = 0; k < e->nsearch && rc == 0; k++)
			if (add_unique_str(&out->words, &out->nwords, e->search[k]) < 0)
				rc = oom(err);
	}
	free(hs);
	if (rc)
		sasae_text_meaning_clear(out);
	return rc;
}

int32_t *sasae_tags_norm_word(const char *w, const sasae_variants *v, size_t *n)
{
	return norm_cps(w, strlen(w), v, SASAE_NORM_QUERY, n);
}

bool sasae_plan_tags_has_norm(const sasae_plan_tags *t, size_t program, const int32_t *cp, size_t n,
			      const char **field)
{
	if (program >= t->nprograms || cp == NULL || n == 0)
		return false;
	for (int k = 0; k < NFIELDS; k++)
		if (find_cps(t->texts[program].f[k].cp, t->texts[program].f[k].n, cp, n) >= 0) {
			if (field)
				*field = field_names[k];
			return true;
		}
	return false;
}

bool sasae_plan_tags_has_word(const sasae_plan_tags *t, size_t program, const char *w,
			      const sasae_variants *v, const char **field)
{
	size_t n = 0;
	int32_t *cp = sasae_tags_norm_word(w, v, &n);
	bool found = sasae_plan_tags_has_norm(t, program, cp, n, field);
	free(cp);
	return found;
}
