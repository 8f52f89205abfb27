/*
 * morph.c — morphological analysis with MeCab and the IPA dictionary (see include/core/sasae/morph.h and
 * docs/morphology.md).
 *
 * One MeCab model and one tagger per analyzer; MeCab's Tagger::parse(Lattice *) is const and
 * thread-safe as long as each thread parses in its own lattice, so a call takes a lattice from the
 * analyzer's pool (or makes one), parses, copies what it needs out of the nodes and gives the
 * lattice back.  The node features of the IPA dictionary are CSV:
 *
 *     品詞,品詞細分類1,細分類2,細分類3,活用型,活用形,基本形,読み,発音     (a word of the dictionary)
 *     品詞,品詞細分類1,細分類2,細分類3,活用型,活用形,*                  (an unknown word)
 */
#include "sasae/morph.h"

#include <mecab.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sasae/buf.h"
#include "sasae/dynlib.h"
#include "sasae/text.h"

/* libmecab is loaded when the first analyzer is opened, not linked (include/util/sasae/dynlib.h). */
#ifndef SASAE_MECAB_SONAME
#define SASAE_MECAB_SONAME "libmecab.so.2"
#endif
#define MECAB_FUNCTIONS(X)             \
	X(mecab_model_new)             \
	X(mecab_model_destroy)         \
	X(mecab_model_new_tagger)      \
	X(mecab_model_new_lattice)     \
	X(mecab_destroy)               \
	X(mecab_strerror)              \
	X(mecab_lattice_destroy)       \
	X(mecab_lattice_clear)         \
	X(mecab_lattice_set_sentence2) \
	X(mecab_lattice_get_bos_node)  \
	X(mecab_lattice_strerror)      \
	X(mecab_parse_lattice)
#define MECAB_FIELD(f) __typeof__(f) *f;
static struct mecab_api {
	MECAB_FUNCTIONS(MECAB_FIELD)
} mc;
#define MECAB_SYM(f) {#f, offsetof(struct mecab_api, f)},
static const sasae_dynsym mecab_syms[] = {MECAB_FUNCTIONS(MECAB_SYM)};
static sasae_dynlib mecab_lib = {"libmecab",
				 SASAE_MECAB_SONAME,
				 "日本語の形態素解析（MeCab）",
				 mecab_syms,
				 sizeof mecab_syms / sizeof mecab_syms[0],
				 &mc,
				 false,
				 NULL};

/* Lattices kept for reuse: about the number of threads that parse at once (the server's pool). */
enum { MORPH_POOL = 16 };

struct sasae_morph {
	mecab_model_t *model;              /* the dictionary, shared by every parse */
	mecab_t *tagger;                   /* parse(lattice) is const: shared too */
	char *dicdir;                      /* the dictionary directory (owned) */
	pthread_mutex_t lock;              /* guards pool and npool */
	mecab_lattice_t *pool[MORPH_POOL]; /* idle lattices */
	size_t npool;
};

/* ---- small helpers ---- */

/* A new string "a" + "b" (b may be ""), or NULL on OOM. */
static char *concat(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	char *s = malloc(na + nb + 1);
	if (s == NULL)
		return NULL;
	memcpy(s, a, na);
	memcpy(s + na, b, nb + 1);
	return s;
}

/* True when dir holds a readable dicrc (the file MeCab reads first from a dictionary). */
static bool has_dicrc(const char *dir)
{
	char *rc = concat(dir, "/dicrc");
	bool ok = rc != NULL && access(rc, R_OK) == 0;
	free(rc);
	return ok;
}

/*
 * The dicdir named by the MeCab configuration file at path (a new string in *out), or *out NULL
 * when the file cannot be read or names none.  "$(rcpath)" at its start is the file's directory,
 * as MeCab reads it.  Returns 0 or SASAE_ENOMEM.
 */
static int mecabrc_dicdir(char **out, const char *path)
{
	*out = NULL;
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return 0;
	char line[1024];
	int rc = 0;
	while (fgets(line, sizeof line, f)) {
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "dicdir", 6) != 0)
			continue;
		p += 6;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '=')
			continue;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		size_t n = strcspn(p, "\r\n");
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		p[n] = '\0';
		if (n == 0)
			continue;
		static const char rcpath[] = "$(rcpath)";
		if (strncmp(p, rcpath, sizeof rcpath - 1) == 0) {
			const char *slash = strrchr(path, '/');
			size_t dn = slash ? (size_t)(slash - path) : 1;
			char *dir = malloc(dn + 1);
			if (dir == NULL) {
				rc = SASAE_ENOMEM;
				break;
			}
			memcpy(dir, slash ? path : ".", dn);
			dir[dn] = '\0';
			*out = concat(dir, p + sizeof rcpath - 1);
			free(dir);
		} else {
			*out = concat(p, "");
		}
		if (*out == NULL)
			rc = SASAE_ENOMEM;
		break; /* MeCab takes the first */
	}
	fclose(f);
	return rc;
}

/* Find the dictionary directory (a new string in *out), as sasae_morph_options says.  Returns 0,
   SASAE_EUSAGE (empty dicdir), SASAE_EUNAVAILABLE (none found) or SASAE_ENOMEM. */
static int find_dicdir(char **out, const sasae_morph_options *opts, sasae_error *err)
{
	*out = NULL;
	if (opts && opts->dicdir) {
		if (opts->dicdir[0] == '\0')
			return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
					       "MeCab の辞書のディレクトリが空です");
		if (!has_dicrc(opts->dicdir))
			return sasae_error_set(err, SASAE_EUNAVAILABLE, NULL, 0,
					       "MeCab の辞書が %s にありません（dicrc が読めません）。"
					       "IPA 辞書を scripts/install-deps.sh で入れてください（Debian では apt-get install mecab-ipadic-utf8。辞書は %s に入ります）",
					       opts->dicdir, SASAE_MORPH_DEBIAN_DICDIR);
		if ((*out = concat(opts->dicdir, "")) == NULL)
			return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		return 0;
	}
	if (has_dicrc(SASAE_MORPH_DEBIAN_DICDIR)) {
		if ((*out = concat(SASAE_MORPH_DEBIAN_DICDIR, "")) == NULL)
			return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		return 0;
	}
	const char *rcfile = opts && opts->mecabrc ? opts->mecabrc : SASAE_MORPH_DEBIAN_MECABRC;
	char *dir = NULL;
	if (mecabrc_dicdir(&dir, rcfile) != 0)
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	if (dir && has_dicrc(dir)) {
		*out = dir;
		return 0;
	}
	free(dir);
	return sasae_error_set(err, SASAE_EUNAVAILABLE, NULL, 0,
			       "日本語の形態素解析（MeCab）に要る IPA 辞書が見つかりません（%s にも、%s の dicdir にもありません）。"
			       "scripts/install-deps.sh で入れてください（Debian では apt-get install mecab-ipadic-utf8）",
			       SASAE_MORPH_DEBIAN_DICDIR, rcfile);
}

/* ---- the analyzer ---- */

/* A lattice to parse in: from the pool, or a new one.  NULL on OOM. */
static mecab_lattice_t *lattice_take(sasae_morph *m)
{
	mecab_lattice_t *l = NULL;
	pthread_mutex_lock(&m->lock);
	if (m->npool > 0)
		l = m->pool[--m->npool];
	pthread_mutex_unlock(&m->lock);
	return l ? l : mc.mecab_model_new_lattice(m->model);
}

/* Give a lattice back: cleared into the pool, or destroyed when the pool is full. */
static void lattice_give(sasae_morph *m, mecab_lattice_t *l)
{
	mc.mecab_lattice_clear(l);
	pthread_mutex_lock(&m->lock);
	if (m->npool < MORPH_POOL) {
		m->pool[m->npool++] = l;
		l = NULL;
	}
	pthread_mutex_unlock(&m->lock);
	if (l)
		mc.mecab_lattice_destroy(l);
}

void sasae_morph_close(sasae_morph *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->npool; i++)
		mc.mecab_lattice_destroy(m->pool[i]);
	if (m->tagger)
		mc.mecab_destroy(m->tagger);
	if (m->model)
		mc.mecab_model_destroy(m->model);
	pthread_mutex_destroy(&m->lock);
	free(m->dicdir);
	free(m);
}

/* Check that the model is a UTF-8 IPA dictionary: 行った is the verb 行く, with 9 feature columns
   (a reading).  Returns 0 or SASAE_EUNAVAILABLE / SASAE_ENOMEM. */
static int probe(sasae_morph *m, sasae_error *err)
{
	static const char word[] = "行った";
	sasae_morph_tokens t = {0};
	sasae_error perr = {0};
	int rc = sasae_morph_parse(&t, m, word, sizeof word - 1, &perr);
	if (rc == SASAE_ENOMEM) {
		sasae_morph_tokens_clear(&t);
		return sasae_error_set(err, rc, NULL, 0, "%s", perr.message);
	}
	bool ok = rc == 0 && t.n >= 1 && t.tok[0].pos == SASAE_MORPH_VERB &&
		  strcmp(t.tok[0].base, "行く") == 0 && strcmp(t.tok[0].reading, "いっ") == 0;
	sasae_morph_tokens_clear(&t);
	if (ok)
		return 0;
	return sasae_error_set(err, SASAE_EUNAVAILABLE, NULL, 0,
			       "%s の辞書は UTF-8 の IPA 辞書ではありません（試しに解析した「行った」が動詞「行く」になりません）。"
			       "scripts/install-deps.sh で mecab-ipadic-utf8 を入れ、その辞書（%s）を使ってください",
			       m->dicdir, SASAE_MORPH_DEBIAN_DICDIR);
}

int sasae_morph_open(sasae_morph **out, const sasae_morph_options *opts, sasae_error *err)
{
	*out = NULL;
	int rc = sasae_dynlib_load(&mecab_lib, err);
	if (rc)
		return rc;
	sasae_morph *m = calloc(1, sizeof *m);
	if (m == NULL)
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	pthread_mutex_init(&m->lock, NULL);
	char *rcfile = NULL;
	if ((rc = find_dicdir(&m->dicdir, opts, err)) != 0)
		goto done;
	/* The dictionary's own dicrc as the configuration file, so that MeCab reads neither
	   ~/.mecabrc nor $MECABRC (a user dictionary or output format there would change results). */
	if ((rcfile = concat(m->dicdir, "/dicrc")) == NULL) {
		rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		goto done;
	}
	char prog[] = "sasae", ropt[] = "-r", dopt[] = "-d";
	char *argv[] = {prog, ropt, rcfile, dopt, m->dicdir, NULL};
	m->model = mc.mecab_model_new(5, argv);
	if (m->model == NULL) {
		const char *why = mc.mecab_strerror(NULL);
		rc = sasae_error_set(err, SASAE_EUNAVAILABLE, NULL, 0,
				     "MeCab が辞書 %s を開けません: %s。scripts/install-deps.sh で mecab-ipadic-utf8 を入れ直してください",
				     m->dicdir, why && why[0] ? why : "理由不明");
		goto done;
	}
	if ((m->tagger = mc.mecab_model_new_tagger(m->model)) == NULL) {
		const char *why = mc.mecab_strerror(NULL);
		rc = sasae_error_set(err, SASAE_EUNAVAILABLE, NULL, 0,
				     "MeCab の解析器を作れません（辞書 %s）: %s", m->dicdir,
				     why && why[0] ? why : "理由不明");
		goto done;
	}
	rc = probe(m, err);
done:
	free(rcfile);
	if (rc) {
		sasae_morph_close(m);
		return rc;
	}
	*out = m;
	return 0;
}

static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static sasae_morph *shared;
static sasae_error shared_err; /* the first failure, returned again */

int sasae_morph_shared(sasae_morph **out, sasae_error *err)
{
	*out = NULL;
	pthread_mutex_lock(&shared_lock);
	if (shared == NULL && shared_err.code == 0) {
		int rc = sasae_morph_open(&shared, NULL, &shared_err);
		if (rc && shared_err.code == 0)
			shared_err.code = rc;
	}
	int rc = shared ? 0 : shared_err.code;
	if (rc && err)
		*err = shared_err;
	*out = shared;
	pthread_mutex_unlock(&shared_lock);
	return rc;
}

const char *sasae_morph_dicdir(const sasae_morph *m) { return m->dicdir; }

/* ---- parsing ---- */

static const char *const pos_names[] = {
	[SASAE_MORPH_OTHER] = "その他",       [SASAE_MORPH_NOUN] = "名詞",
	[SASAE_MORPH_VERB] = "動詞",          [SASAE_MORPH_ADJECTIVE] = "形容詞",
	[SASAE_MORPH_ADVERB] = "副詞",        [SASAE_MORPH_ADNOMINAL] = "連体詞",
	[SASAE_MORPH_CONJUNCTION] = "接続詞", [SASAE_MORPH_PARTICLE] = "助詞",
	[SASAE_MORPH_AUXILIARY] = "助動詞",   [SASAE_MORPH_INTERJECTION] = "感動詞",
	[SASAE_MORPH_SYMBOL] = "記号",        [SASAE_MORPH_PREFIX] = "接頭詞",
	[SASAE_MORPH_FILLER] = "フィラー",
};

const char *sasae_morph_pos_text(sasae_morph_pos pos)
{
	if ((size_t)pos >= sizeof pos_names / sizeof pos_names[0])
		return pos_names[SASAE_MORPH_OTHER];
	return pos_names[pos];
}

/* The enum of a part-of-speech name (s[0..n), not NUL-terminated). */
static sasae_morph_pos pos_of(const char *s, size_t n)
{
	for (size_t i = 1; i < sizeof pos_names / sizeof pos_names[0]; i++)
		if (strlen(pos_names[i]) == n && memcmp(pos_names[i], s, n) == 0)
			return (sasae_morph_pos)i;
	return SASAE_MORPH_OTHER;
}

/* Equal to a C string: s[0..n) == lit. */
static bool field_is(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* Whether a word is a content word (the rule of include/core/sasae/morph.h). */
static bool is_content(sasae_morph_pos pos, const char *detail, size_t dn, bool unknown)
{
	static const char *const noun_not[] = {"非自立", "代名詞",   "数",          "接尾",
					       "特殊",   "接続詞的", "動詞非自立的"};
	if (pos == SASAE_MORPH_SYMBOL)
		return false;
	if (pos == SASAE_MORPH_NOUN) {
		for (size_t i = 0; i < sizeof noun_not / sizeof noun_not[0]; i++)
			if (field_is(detail, dn, noun_not[i]))
				return false;
		return true;
	}
	if (unknown)
		return true;
	if (pos == SASAE_MORPH_VERB || pos == SASAE_MORPH_ADJECTIVE)
		return field_is(detail, dn, "自立");
	return false;
}

/*
 * Append s[0..n) folded to hiragana to b, followed by a NUL, when every character is kana
 * (hiragana, katakana, ー, ゝゞヽヾ); else append just the NUL.  The length never grows: katakana
 * and hiragana are both three bytes in UTF-8.
 */
static void put_reading(sasae_buf *b, const char *s, size_t n)
{
	size_t start = b->len;
	for (size_t i = 0; i < n;) {
		int32_t cp;
		size_t k = sasae_utf8_decode(s + i, n - i, &cp);
		if (k == 0)
			goto not_kana;
		if ((cp >= 0x30A1 && cp <= 0x30F6) || cp == 0x30FD || cp == 0x30FE)
			cp -= 0x60; /* katakana → hiragana (ヴ → ゔ, ヵヶ → ゕゖ, ヽヾ → ゝゞ) */
		else if (!((cp >= 0x3041 && cp <= 0x3096) || cp == 0x309D || cp == 0x309E || cp == 0x30FC ||
			   (cp >= 0x30F7 && cp <= 0x30FA)))
			goto not_kana;
		char enc[4];
		size_t e = sasae_utf8_encode(cp, enc);
		sasae_buf_append(b, enc, e);
		i += k;
	}
	sasae_buf_putc(b, '\0');
	return;
not_kana:
	if (b->len >= start && !b->oom)
		b->len = start;
	sasae_buf_putc(b, '\0');
}

/* Split feature into at most max comma-separated fields (start, length); returns how many. */
static size_t split_feature(const char *feature, const char **f, size_t *fl, size_t max)
{
	size_t nf = 0;
	const char *p = feature;
	while (nf < max) {
		const char *c = strchr(p, ',');
		size_t n = c ? (size_t)(c - p) : strlen(p);
		f[nf] = p;
		fl[nf] = n;
		nf++;
		if (c == NULL)
			break;
		p = c + 1;
	}
	return nf;
}

void sasae_morph_tokens_clear(sasae_morph_tokens *t)
{
	if (t == NULL)
		return;
	free(t->tok);
	free(t->strings);
	memset(t, 0, sizeof *t);
}

/* Offsets of a token's strings in the string area while it is built (pointers are set at the
   end, when the area no longer moves). */
typedef struct morph_offsets {
	size_t base, reading, pos_name, pos_detail;
} morph_offsets;

int sasae_morph_parse(sasae_morph_tokens *out, sasae_morph *m, const char *text, size_t len, sasae_error *err)
{
	if (out == NULL || m == NULL || (text == NULL && len > 0))
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0, "sasae_morph_parse: 引数がありません");
	out->n = 0;
	out->strings_len = 0;
	if (len > SASAE_MORPH_MAX_INPUT)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "文章が長すぎます（%zu バイト。解析できるのは %d バイトまでです）。短くしてください",
				       len, SASAE_MORPH_MAX_INPUT);
	size_t bad = 0;
	if (!sasae_utf8_valid(text, len, &bad))
		return sasae_error_set(err, SASAE_EDATA, NULL, 0,
				       "文章が UTF-8 ではありません（%zu バイト目）。文字化けしていないか確かめてください",
				       bad + 1);
	if (len == 0)
		return 0;

	mecab_lattice_t *lat = lattice_take(m);
	if (lat == NULL)
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません（MeCab）");
	int rc = 0;
	morph_offsets *offs = NULL;
	char *copy = NULL;
	sasae_buf sb = {out->strings, 0, out->strings_cap, false}; /* the string area, reused */
	out->strings = NULL;
	out->strings_cap = 0;

	/* MeCab reads past the length it is given, up to a NUL (Tokenizer::lookup calls strlen; found
	   by fuzz_morph on a lone TAB): it parses a NUL-terminated copy, and spans are taken from it. */
	if ((copy = malloc(len + 1)) == NULL) {
		rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		goto done;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	mc.mecab_lattice_set_sentence2(lat, copy, len);
	if (!mc.mecab_parse_lattice(m->tagger, lat)) {
		const char *why = mc.mecab_lattice_strerror(lat);
		rc = sasae_error_set(err, SASAE_EINTERNAL, NULL, 0, "MeCab が文章を解析できませんでした: %s",
				     why && why[0] ? why : "理由不明");
		goto done;
	}
	const mecab_node_t *bos = mc.mecab_lattice_get_bos_node(lat);
	size_t count = 0;
	for (const mecab_node_t *nd = bos ? bos->next : NULL; nd && nd->stat != MECAB_EOS_NODE; nd = nd->next)
		count++;
	if (count > out->cap) {
		sasae_morph_token *tok = realloc(out->tok, count * sizeof *tok);
		if (tok == NULL) {
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			goto done;
		}
		out->tok = tok;
		out->cap = count;
	}
	if (count && (offs = malloc(count * sizeof *offs)) == NULL) {
		rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		goto done;
	}
	size_t i = 0;
	for (const mecab_node_t *nd = bos ? bos->next : NULL; nd && nd->stat != MECAB_EOS_NODE && i < count;
	     nd = nd->next) {
		if (nd->surface < copy || (size_t)(nd->surface - copy) > len ||
		    nd->length > len - (size_t)(nd->surface - copy)) {
			rc = sasae_error_set(err, SASAE_EINTERNAL, NULL, 0,
					     "MeCab の結果が入力の外を指しています");
			goto done;
		}
		if (nd->length == 0)
			continue;
		const char *surface = nd->surface;
		size_t from = (size_t)(surface - copy), slen = nd->length;
		const char *f[9] = {0};
		size_t fl[9] = {0};
		size_t nf = split_feature(nd->feature ? nd->feature : "", f, fl, 9);
		bool unknown = nd->stat == MECAB_UNK_NODE;
		sasae_morph_token *t = &out->tok[i];
		t->from = from;
		t->to = from + slen;
		t->pos = pos_of(f[0], fl[0]);
		const char *detail = nf > 1 && !field_is(f[1], fl[1], "*") ? f[1] : "";
		size_t dlen = detail[0] ? fl[1] : 0;
		t->content = is_content(t->pos, detail, dlen, unknown);
		t->unknown = unknown;

		offs[i].base = sb.len;
		if (nf > 6 && fl[6] > 0 && !field_is(f[6], fl[6], "*"))
			sasae_buf_append(&sb, f[6], fl[6]);
		else
			sasae_buf_append(&sb, surface, slen);
		sasae_buf_putc(&sb, '\0');
		offs[i].reading = sb.len;
		if (!unknown && nf > 7 && !field_is(f[7], fl[7], "*"))
			put_reading(&sb, f[7], fl[7]);
		else
			put_reading(&sb, surface, slen);
		offs[i].pos_name = sb.len;
		sasae_buf_append(&sb, f[0], fl[0]);
		sasae_buf_putc(&sb, '\0');
		offs[i].pos_detail = sb.len;
		sasae_buf_append(&sb, detail, dlen);
		sasae_buf_putc(&sb, '\0');
		i++;
	}
	if (!sasae_buf_ok(&sb)) {
		rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		goto done;
	}
	for (size_t k = 0; k < i; k++) {
		out->tok[k].base = sb.data + offs[k].base;
		out->tok[k].reading = sb.data + offs[k].reading;
		out->tok[k].pos_name = sb.data + offs[k].pos_name;
		out->tok[k].pos_detail = sb.data + offs[k].pos_detail;
	}
	out->n = i;
done:
	lattice_give(m, lat);
	free(copy);
	free(offs);
	if (sb.oom) {
		sasae_buf_free(&sb);
	}
	out->strings = sb.data;
	out->strings_len = sb.len;
	out->strings_cap = sb.cap;
	if (rc)
		out->n = 0;
	return rc;
}

/* ---- sequences ---- */

void sasae_morph_seq_clear(sasae_morph_seq *s)
{
	if (s == NULL)
		return;
	free(s->bases);
	free(s->readings);
	s->bases = s->readings = NULL;
}

int sasae_morph_join(sasae_morph_seq *out, const sasae_morph_tokens *t, unsigned flags, sasae_error *err)
{
	sasae_morph_seq_clear(out);
	sasae_buf b = SASAE_BUF_INIT, r = SASAE_BUF_INIT;
	bool content_only = flags & SASAE_MORPH_CONTENT_ONLY;
	for (size_t i = 0; i < t->n; i++) {
		const sasae_morph_token *k = &t->tok[i];
		if (content_only && !k->content)
			continue;
		if (k->pos != SASAE_MORPH_SYMBOL) {
			if (b.len == 0)
				sasae_buf_putc(&b, ' ');
			sasae_buf_puts(&b, k->base);
			sasae_buf_putc(&b, ' ');
		}
		bool sep = content_only || k->reading[0] == '\0';
		if (sep && r.len > 0 && r.data[r.len - 1] != ' ')
			sasae_buf_putc(&r, ' ');
		sasae_buf_puts(&r, k->reading);
	}
	if (r.len > 0 && r.data[r.len - 1] == ' ' && !r.oom)
		r.data[--r.len] = '\0';
	char *bs = sasae_buf_detach(&b), *rs = sasae_buf_detach(&r);
	if (bs == NULL || rs == NULL) {
		free(bs);
		free(rs);
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	}
	out->bases = bs;
	out->readings = rs;
	return 0;
}

int sasae_morph_sequences(sasae_morph_seq *out, sasae_morph *m, const char *text, size_t len, unsigned flags,
			  sasae_error *err)
{
	sasae_morph_seq_clear(out);
	sasae_morph_tokens t = {0};
	int rc = sasae_morph_parse(&t, m, text, len, err);
	if (rc == 0)
		rc = sasae_morph_join(out, &t, flags, err);
	sasae_morph_tokens_clear(&t);
	return rc;
}
