/*
 * normalize.c — search normalisation with offsets, the notation-variant table and the tokenizer
 * (see include/core/sasae/normalize.h and docs/search.md).
 */
#include "sasae/normalize.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "sasae/buf.h"
#include "sasae/similar.h"
#include "sasae/text.h"

/* Embedded at build time from data/variants.tsv. */
extern const char sasae_data_variants_tsv[];
extern const size_t sasae_data_variants_tsv_len;

/* ---- normalised text ---- */

void sasae_norm_free(sasae_norm *n)
{
	free(n->cp);
	free(n->from);
	free(n->to);
	memset(n, 0, sizeof *n);
}

static void norm_push(sasae_norm *n, int32_t cp, uint32_t from, uint32_t to)
{
	if (n->oom)
		return;
	if (n->n == n->cap) {
		size_t cap = n->cap ? n->cap * 2 : 64;
		int32_t *c = realloc(n->cp, cap * sizeof *c);
		if (c)
			n->cp = c;
		uint32_t *f = c ? realloc(n->from, cap * sizeof *f) : NULL;
		if (f)
			n->from = f;
		uint32_t *t = f ? realloc(n->to, cap * sizeof *t) : NULL;
		if (t)
			n->to = t;
		if (!c || !f || !t) {
			n->oom = true;
			return;
		}
		n->cap = cap;
	}
	n->cp[n->n] = cp;
	n->from[n->n] = from;
	n->to[n->n] = to;
	n->n++;
}

/* Kana folding after NFKC: katakana → hiragana, small kana → large. */
static int32_t fold_kana(int32_t cp)
{
	if (cp >= 0x30A1 && cp <= 0x30F6)
		cp -= 0x60; /* ァ..ヶ → ぁ..ゖ */
	switch (cp) {
	case 0x3041: return 0x3042; /* ぁ → あ */
	case 0x3043: return 0x3044;
	case 0x3045: return 0x3046;
	case 0x3047: return 0x3048;
	case 0x3049: return 0x304A;
	case 0x3063: return 0x3064; /* っ → つ */
	case 0x3083: return 0x3084; /* ゃ → や */
	case 0x3085: return 0x3086;
	case 0x3087: return 0x3088;
	case 0x308E: return 0x308F; /* ゎ → わ */
	case 0x3095: return 0x304B; /* ゕ → か */
	case 0x3096: return 0x3051; /* ゖ → け */
	default: return cp;
	}
}

/* Marks that belong to the preceding character (combining marks, kana voicing marks). */
static bool is_attached(int32_t cp)
{
	if (cp < 0x300) /* no mark before the combining diacritics */
		return false;
	if (cp == 0x3099 || cp == 0x309A || cp == 0xFF9E || cp == 0xFF9F)
		return true;
	if ((cp >= 0x3041 && cp <= 0x3096) || (cp >= 0x30A1 && cp <= 0x30FA) || (cp >= 0x4E00 && cp <= 0x9FFF))
		return false; /* kana and kanji: letters */
	utf8proc_category_t c = utf8proc_category(cp);
	return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC || c == UTF8PROC_CATEGORY_ME;
}

/* Whether NFKC and case folding leave cp alone when no mark follows it: it has neither a
   decomposition nor a case folding (Hangul syllables decompose and compose back; they take the
   general path). */
static bool nfkc_stable(int32_t cp)
{
	if (cp >= 0xAC00 && cp <= 0xD7A3)
		return false;
	const utf8proc_property_t *p = utf8proc_get_property(cp);
	return p->decomp_seqindex == UINT16_MAX && p->casefold_seqindex == UINT16_MAX;
}

/* NFKC + case fold of one segment (a character and its attached marks), appended to out. */
static void normalize_segment(sasae_norm *out, const char *s, size_t from, size_t to)
{
	utf8proc_int32_t buf[32];
	utf8proc_ssize_t n =
		utf8proc_decompose((const utf8proc_uint8_t *)s + from, (utf8proc_ssize_t)(to - from), buf, 32,
				   UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STABLE);
	if (n < 0 || n > 32)
		return; /* an unusually long decomposition: dropped (never in plan text) */
	n = utf8proc_normalize_utf32(buf, n, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
	for (utf8proc_ssize_t i = 0; i < n; i++)
		norm_push(out, fold_kana(buf[i]), (uint32_t)from, (uint32_t)to);
}

/* ---- the variant table ---- */

typedef struct variant {
	int32_t *from; /* normalised variant spelling */
	size_t nfrom;
	int32_t *to; /* normalised canonical spelling */
	size_t nto;
	bool query_only; /* applied to queries only */
} variant;

struct sasae_variants {
	variant *v; /* sorted by first code point, then longest first */
	size_t n, cap;
	uint8_t first[0x10000 / 8]; /* bit (cp & 0xFFFF): some variant may begin with cp */
};

void sasae_variants_free(sasae_variants *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		free(v->v[i].from);
		free(v->v[i].to);
	}
	free(v->v);
	free(v);
}

size_t sasae_variants_count(const sasae_variants *v) { return v ? v->n : 0; }

static int variant_cmp(const void *a, const void *b)
{
	const variant *x = a, *y = b;
	if (x->from[0] != y->from[0])
		return x->from[0] < y->from[0] ? -1 : 1;
	return x->nfrom > y->nfrom ? -1 : x->nfrom < y->nfrom; /* longest first */
}

/* Normalise a spelling without variants into a new code point array. */
static int32_t *norm_cps(const char *s, size_t len, size_t *n)
{
	sasae_norm nm = {0};
	if (sasae_normalize(&nm, s, len, NULL, SASAE_NORM_DOCUMENT) != 0) {
		sasae_norm_free(&nm);
		return NULL;
	}
	int32_t *cp = nm.cp;
	*n = nm.n;
	nm.cp = NULL;
	sasae_norm_free(&nm);
	return cp;
}

int sasae_variants_parse(sasae_variants **out, const char *file, const char *bytes, size_t len, sasae_error *err)
{
	*out = NULL;
	if (sasae_text_check_utf8(file, bytes, len, err))
		return SASAE_EDATA;
	sasae_variants *t = calloc(1, sizeof *t);
	if (t == NULL)
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	long line = 0;
	size_t pos = 0;
	int rc = 0;
	const char *ln;
	size_t ll;
	while (rc == 0 && sasae_text_next_line(bytes, len, &pos, &ln, &ll)) {
		line++;
		if (ll == 0 || ln[0] == '#')
			continue;
		const char *tab = memchr(ln, '\t', ll);
		size_t ncanon = 0;
		int32_t *canon = tab && tab > ln ? norm_cps(ln, (size_t)(tab - ln), &ncanon) : NULL;
		if (tab == NULL || ncanon == 0) {
			free(canon);
			rc = sasae_error_set(err, SASAE_EDATA, file, line,
					     "「正式な書き方<TAB>別の書き方 別の書き方…」の形ではありません");
			break;
		}
		const char *end = ln + ll;
		const char *tab2 = memchr(tab + 1, '\t', (size_t)(end - (tab + 1)));
		bool query_only = false;
		if (tab2) {
			size_t fl = (size_t)(end - tab2 - 1);
			if (fl == 5 && memcmp(tab2 + 1, "query", 5) == 0)
				query_only = true;
			else if (fl != 0) {
				free(canon);
				rc = sasae_error_set(err, SASAE_EDATA, file, line,
						     "3列目には「query」（検索語だけに使う）か何も書かないでください");
				break;
			}
			end = tab2;
		}
		const char *a = tab + 1;
		while (a < end && rc == 0) {
			while (a < end && (*a == ' ' || *a == '\t'))
				a++;
			const char *b = a;
			while (b < end && *b != ' ' && *b != '\t')
				b++;
			if (b > a) {
				size_t nfrom = 0;
				int32_t *from = norm_cps(a, (size_t)(b - a), &nfrom);
				int32_t *to = malloc(ncanon * sizeof *to);
				if (t->n == t->cap) {
					size_t cap = t->cap ? t->cap * 2 : 32;
					variant *nv = realloc(t->v, cap * sizeof *nv);
					if (nv) {
						t->v = nv;
						t->cap = cap;
					}
				}
				if (from == NULL || to == NULL || t->n == t->cap) {
					free(from);
					free(to);
					rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
					break;
				}
				if (nfrom == 0) {
					free(from);
					free(to);
				} else {
					memcpy(to, canon, ncanon * sizeof *to);
					t->v[t->n++] = (variant){from, nfrom, to, ncanon, query_only};
				}
			}
			a = b;
		}
		free(canon);
	}
	if (rc) {
		sasae_variants_free(t);
		return rc;
	}
	qsort(t->v, t->n, sizeof *t->v, variant_cmp);
	for (size_t i = 0; i < t->n; i++) {
		uint32_t k = (uint32_t)t->v[i].from[0] & 0xFFFF;
		t->first[k >> 3] |= (uint8_t)(1u << (k & 7));
	}
	*out = t;
	return 0;
}

int sasae_variants_default(sasae_variants **out, sasae_error *err)
{
	return sasae_variants_parse(out, "data/variants.tsv", sasae_data_variants_tsv,
				    sasae_data_variants_tsv_len, err);
}

/* The longest variant matching at cp[i..n) in this mode, or NULL. */
static const variant *match_variant(const sasae_variants *v, const int32_t *cp, size_t n, int mode)
{
	uint32_t k = (uint32_t)cp[0] & 0xFFFF;
	if (!(v->first[k >> 3] & (1u << (k & 7))))
		return NULL;
	size_t lo = 0, hi = v->n;
	while (lo < hi) { /* first entry with this first code point */
		size_t mid = (lo + hi) / 2;
		if (v->v[mid].from[0] < cp[0])
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < v->n && v->v[i].from[0] == cp[0]; i++)
		if (v->v[i].nfrom <= n && (mode == SASAE_NORM_QUERY || !v->v[i].query_only) &&
		    memcmp(v->v[i].from, cp, v->v[i].nfrom * sizeof *cp) == 0)
			return &v->v[i];
	return NULL;
}

int sasae_normalize(sasae_norm *out, const char *s, size_t len, const sasae_variants *v, int mode)
{
	out->n = 0;
	out->oom = false;
	size_t i = 0;
	int32_t cp;
	size_t k = sasae_utf8_decode(s, len, &cp);
	while (i < len) {
		if (k == 0) { /* invalid byte: skip it */
			i++;
			k = sasae_utf8_decode(s + i, len - i, &cp);
			continue;
		}
		size_t end = i + k;
		int32_t next;
		size_t nk = sasae_utf8_decode(s + end, len - end, &next);
		/* Fast path, when no combining or voicing mark follows: a character of the fast NFKC
		   table (sasae_text_nfkc_fast: kanji, kana, ASCII, full-width ASCII…) whose image case
		   folding leaves alone (not a capital), or any other without a decomposition or case
		   folding. */
		int32_t fast = sasae_text_nfkc_fast((uint32_t)cp);
		if (fast >= 'A' && fast <= 'Z')
			fast = -1;
		if ((nk == 0 || !is_attached(next)) && (fast >= 0 || nfkc_stable(cp))) {
			norm_push(out, fold_kana(fast >= 0 ? fast : cp), (uint32_t)i, (uint32_t)end);
			i = end;
			cp = next;
			k = nk;
			continue;
		}
		while (nk != 0 && is_attached(next)) { /* attach following marks */
			end += nk;
			nk = sasae_utf8_decode(s + end, len - end, &next);
		}
		normalize_segment(out, s, i, end);
		i = end;
		cp = next;
		k = nk;
	}
	/* Spaces: kept (one) only between two Latin/digit words; elsewhere a space is layout. */
	size_t w = 0;
	for (size_t j = 0; j < out->n; j++) {
		if (out->cp[j] == ' ') {
			size_t e = j;
			while (e < out->n && out->cp[e] == ' ')
				e++;
			bool keep = w > 0 && e < out->n && sasae_is_word(out->cp[w - 1]) &&
				    sasae_is_word(out->cp[e]);
			if (keep) {
				out->cp[w] = ' ';
				out->from[w] = out->from[j];
				out->to[w] = out->to[e - 1];
				w++;
			}
			j = e - 1;
			continue;
		}
		out->cp[w] = out->cp[j];
		out->from[w] = out->from[j];
		out->to[w] = out->to[j];
		w++;
	}
	if (!out->oom)
		out->n = w;
	/* Notation variants: the text is copied from the first match on. */
	sasae_norm rest = {0};
	bool copied = false;
	for (size_t j = 0; v && !out->oom && j < out->n;) {
		const variant *m = match_variant(v, out->cp + j, out->n - j, mode);
		if (m == NULL) {
			if (copied)
				norm_push(&rest, out->cp[j], out->from[j], out->to[j]);
			j++;
			continue;
		}
		if (!copied) {
			for (size_t c = 0; c < j; c++)
				norm_push(&rest, out->cp[c], out->from[c], out->to[c]);
			copied = true;
		}
		uint32_t from = out->from[j], to = out->to[j + m->nfrom - 1];
		for (size_t c = 0; c < m->nto; c++)
			norm_push(&rest, m->to[c], from, to);
		j += m->nfrom;
	}
	if (copied && rest.oom) {
		out->oom = true;
	} else if (copied) {
		sasae_norm t = *out;
		*out = rest;
		rest = t;
	}
	sasae_norm_free(&rest);
	return out->oom ? SASAE_ENOMEM : 0;
}

char *sasae_norm_string(const sasae_norm *n)
{
	sasae_buf b = SASAE_BUF_INIT;
	sasae_buf_reserve(&b, n->n * 3);
	for (size_t i = 0; i < n->n; i++) {
		char u[4];
		sasae_buf_append(&b, u, sasae_utf8_encode(n->cp[i], u));
	}
	return sasae_buf_detach(&b);
}

char *sasae_normalize_string(const char *s, const sasae_variants *v, int mode)
{
	sasae_norm n = {0};
	char *out = sasae_normalize(&n, s, strlen(s), v, mode) == 0 ? sasae_norm_string(&n) : NULL;
	sasae_norm_free(&n);
	return out;
}

/* ---- the tokenizer ---- */

bool sasae_is_cjk(int32_t cp)
{
	return (cp >= 0x3041 && cp <= 0x309F)                    /* hiragana (after folding: all kana) */
	       || (cp >= 0x30A1 && cp <= 0x30FF && cp != 0x30FB) /* katakana left over (ヷ…, ー, ヽ), not ・ */
	       || cp == 0x3005 || cp == 0x3006 || cp == 0x3007 /* 々 〆 〇 */
	       || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
	       (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3FFFF);
}

bool sasae_is_word(int32_t cp)
{
	if (cp < 0x80)
		return (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z');
	if (sasae_is_cjk(cp))
		return false;
	utf8proc_category_t c = utf8proc_category(cp);
	return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) || c == UTF8PROC_CATEGORY_ND ||
	       c == UTF8PROC_CATEGORY_NL || c == UTF8PROC_CATEGORY_NO;
}

/* Letters and digits of every script make runs; the rest separates. */
static bool is_text(int32_t cp) { return sasae_is_cjk(cp) || sasae_is_word(cp); }

bool sasae_norm_ends_single(const sasae_norm *n)
{
	size_t i = n->n;
	while (i > 0 && !is_text(n->cp[i - 1]))
		i--;
	return i > 0 && (i == 1 || !is_text(n->cp[i - 2]));
}

/* sasae_utf8_encode, without the call for the common code points. */
static size_t encode(int32_t cp, char *out)
{
	if (cp >= 0x800 && cp < 0xD800) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	if (cp >= 0 && cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	return sasae_utf8_encode(cp, out);
}

int sasae_tokenize(const sasae_norm *n, int mode, int (*emit)(void *ctx, const sasae_token *t), void *ctx)
{
	char text[8];
	size_t i = 0;
	while (i < n->n) {
		if (!is_text(n->cp[i])) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n->n && is_text(n->cp[j]))
			j++;
		if (j - i == 1) { /* a one-character run: its unigram */
			size_t len = encode(n->cp[i], text);
			sasae_token t = {text, len, n->from[i], n->to[i], false};
			int rc = emit(ctx, &t);
			if (rc)
				return rc;
		} else {
			for (size_t a = i; a + 1 < j; a++) {
				size_t len = encode(n->cp[a], text);
				len += encode(n->cp[a + 1], text + len);
				sasae_token t = {text, len, n->from[a], n->to[a + 1], false};
				int rc = emit(ctx, &t);
				if (rc)
					return rc;
			}
			if (mode == SASAE_TOKENIZE_DOCUMENT) {
				/* the run's last character alone, so that a query ending in it finds it */
				size_t len = encode(n->cp[j - 1], text);
				sasae_token t = {text, len, n->from[j - 1], n->to[j - 1], true};
				int rc = emit(ctx, &t);
				if (rc)
					return rc;
			}
		}
		i = j;
	}
	return 0;
}
