/*
 * fts.c — the FTS5 tokenizer 'sasae': the text is normalised (sasae_normalize, with the store's
 * notation-variant table) and cut by sasae_tokenize into overlapping bigrams over Japanese and
 * words over Latin letters and digits.  Offsets given to FTS5 are byte offsets in the original text.
 * And the ranking function sasae_rank: FTS5's bm25 with the row lengths read from memory.
 */
#include "fts.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* One tokenizer instance: which variant table to use. */
typedef struct fts_tok {
	const sasae_variants *const *variants;
} fts_tok;

static int tok_create(void *ctx, const char **argv, int argc, Fts5Tokenizer **out)
{
	(void)argv;
	(void)argc;
	fts_tok *t = malloc(sizeof *t);
	if (t == NULL)
		return SQLITE_NOMEM;
	t->variants = ctx;
	*out = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *t) { free(t); }

/* Adapter from sasae_token to FTS5's xToken. */
typedef struct emit_ctx {
	void *fts_ctx;
	int (*xToken)(void *, int, const char *, int, int, int);
} emit_ctx;

static int emit(void *ctx, const sasae_token *t)
{
	emit_ctx *e = ctx;
	return e->xToken(e->fts_ctx, t->colocated ? FTS5_TOKEN_COLOCATED : 0, t->text, (int)t->len, (int)t->from,
			 (int)t->to);
}

static int tok_tokenize(Fts5Tokenizer *tk, void *ctx, int flags, const char *text, int len,
			int (*xToken)(void *, int, const char *, int, int, int))
{
	fts_tok *t = (fts_tok *)tk;
	sasae_norm n = {0};
	int query = (flags & FTS5_TOKENIZE_QUERY) != 0;
	if (len < 0 || sasae_normalize(&n, text, (size_t)len, t->variants ? *t->variants : NULL,
				       query ? SASAE_NORM_QUERY : SASAE_NORM_DOCUMENT) != 0) {
		sasae_norm_free(&n);
		return SQLITE_NOMEM;
	}
	emit_ctx e = {ctx, xToken};
	int mode = query ? SASAE_TOKENIZE_QUERY : SASAE_TOKENIZE_DOCUMENT;
	int rc = sasae_tokenize(&n, mode, emit, &e);
	sasae_norm_free(&n);
	return rc;
}

/* FTS5's extension API of db (the documented "SELECT fts5(?1)" handshake).  SQLITE_OK or an error. */
static int fts5_api_of(sqlite3 *db, fts5_api **api)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_pointer(st, 1, (void *)api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	rc = sqlite3_finalize(st);
	if (rc != SQLITE_OK || *api == NULL)
		return rc != SQLITE_OK ? rc : SQLITE_ERROR;
	return SQLITE_OK;
}

int sasae_fts_register(sqlite3 *db, const sasae_variants *const *variants)
{
	fts5_api *api = NULL;
	int rc = fts5_api_of(db, &api);
	if (rc != SQLITE_OK)
		return rc;
	fts5_tokenizer tok = {tok_create, tok_delete, tok_tokenize};
	return api->xCreateTokenizer(api, "sasae", (void *)(uintptr_t)variants, &tok, NULL);
}

/* ---- the ranking function sasae_rank ---- */

struct sasae_fts_rank {
	int64_t lo, hi;   /* the rowid range whose lengths may be cached (the version being searched) */
	uint32_t *len;    /* len[rowid - lo]: tokens of the row in all columns; NULL until loaded */
	size_t lookups;   /* rows whose length was read through xColumnSize since the last reset */
	bool load_failed; /* loading failed (out of memory): keep to xColumnSize until the next reset */
};

enum { RANK_CACHE_MAX = 1 << 24 }; /* rows: 64 MiB of lengths at most */

/* What a query needs on every row (as bm25's Fts5Bm25Data), made at its first row. */
typedef struct rank_data {
	int nphrase;
	sqlite3_int64 nrow;
	double avgdl;
	double *idf; /* [nphrase]: computed at the first row where the phrase occurs */
	bool *have_idf;
	double *freq; /* [nphrase], scratch of the current row */
} rank_data;

static void rank_data_free(void *p)
{
	rank_data *d = p;
	if (d) {
		free(d->idf);
		free(d->have_idf);
		free(d->freq);
		free(d);
	}
}

static int count_cb(const Fts5ExtensionApi *api, Fts5Context *fts, void *ctx)
{
	(void)api;
	(void)fts;
	(*(sqlite3_int64 *)ctx)++;
	return SQLITE_OK;
}

/* bm25's inverse document frequency of a phrase found in nhit of nrow rows. */
static double idf_of(sqlite3_int64 nrow, sqlite3_int64 nhit)
{
	double idf = log((nrow - nhit + 0.5) / (nhit + 0.5));
	return idf <= 0.0 ? 1e-6 : idf;
}

static int rank_data_get(const Fts5ExtensionApi *api, Fts5Context *fts, sasae_fts_collector *c, rank_data **out)
{
	rank_data *d = api->xGetAuxdata(fts, 0);
	if (d) {
		*out = d;
		return SQLITE_OK;
	}
	*out = NULL;
	d = calloc(1, sizeof *d);
	if (d == NULL)
		return SQLITE_NOMEM;
	d->nphrase = api->xPhraseCount(fts);
	d->idf = calloc((size_t)d->nphrase + 1, sizeof *d->idf);
	d->have_idf = calloc((size_t)d->nphrase + 1, sizeof *d->have_idf);
	d->freq = calloc((size_t)d->nphrase + 1, sizeof *d->freq);
	sqlite3_int64 ntoken = 0;
	int rc = d->idf && d->have_idf && d->freq ? SQLITE_OK : SQLITE_NOMEM;
	if (rc == SQLITE_OK)
		rc = api->xRowCount(fts, &d->nrow);
	if (rc == SQLITE_OK)
		rc = api->xColumnTotalSize(fts, -1, &ntoken);
	if (rc != SQLITE_OK) {
		rank_data_free(d);
		return rc;
	}
	d->avgdl = (double)ntoken / (double)d->nrow;
	/* One phrase, and a pass over every row of the index: the pass's count is the phrase's, so its
	   idf (a factor common to every row) can wait for the end of the pass instead of a pass of its own. */
	if (c && c->whole_index && d->nphrase == 1 && d->nrow == c->hi - c->lo + 1) {
		d->idf[0] = 1.0;
		d->have_idf[0] = true;
		c->deferred = true;
		c->nrow = d->nrow;
	}
	rc = api->xSetAuxdata(fts, d, rank_data_free); /* frees d itself on failure */
	if (rc == SQLITE_OK)
		*out = d;
	return rc;
}

/* Read the length of every row of [lo, hi] from the index's docsize table. */
static int rank_load(sasae_fts_rank *r, sqlite3 *db)
{
	size_t n = (size_t)(r->hi - r->lo + 1);
	uint32_t *len = calloc(n, sizeof *len);
	if (len == NULL)
		return SQLITE_NOMEM;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT id, sz FROM search_index_docsize WHERE id BETWEEN ?1 AND ?2", -1, &st,
				    NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, r->lo);
		sqlite3_bind_int64(st, 2, r->hi);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			/* sz: one SQLite varint (big-endian groups of 7 bits) per column */
			const unsigned char *b = sqlite3_column_blob(st, 1);
			int nb = sqlite3_column_bytes(st, 1);
			uint32_t total = 0, v = 0;
			for (int i = 0; i < nb; i++) {
				v = (v << 7) | (b[i] & 0x7Fu);
				if ((b[i] & 0x80) == 0) {
					total += v;
					v = 0;
				}
			}
			len[sqlite3_column_int64(st, 0) - r->lo] = total;
		}
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK) {
		free(len);
		return rc;
	}
	r->len = len;
	return SQLITE_OK;
}

/*
 * The score of the current row: exactly FTS5's bm25 with the weights w[0..nw) — the same formula,
 * the same arithmetic in the same order, so the same values — except that the length of the row
 * comes from a table of the lengths of the scope's rows once this connection has looked up enough
 * of them one by one (xColumnSize runs one docsize lookup per row: 90% of bm25's time on a term
 * found in 100,000s of programs; docs/benchmarks-search.md).
 */
static int rank_row_with(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3 *db, sasae_fts_rank *r, rank_data *d,
			 sqlite3_value **w, int nw, double *out)
{
	const double k1 = 1.2, b = 0.75;
	int ninst = 0;
	memset(d->freq, 0, sizeof *d->freq * (size_t)d->nphrase);
	int rc = api->xInstCount(fts, &ninst);
	for (int i = 0; rc == SQLITE_OK && i < ninst; i++) {
		int ip, ic, io;
		rc = api->xInst(fts, i, &ip, &ic, &io);
		if (rc == SQLITE_OK)
			d->freq[ip] += nw > ic ? sqlite3_value_double(w[ic]) : 1.0;
	}
	/* The idf of a phrase: counted over the whole index (as bm25 does) the first time it occurs.  A
	   phrase that does not occur in a row adds 0 to its score, so one that never occurs (an excluded
	   term) is never counted. */
	for (int i = 0; rc == SQLITE_OK && i < d->nphrase; i++)
		if (d->freq[i] != 0.0 && !d->have_idf[i]) {
			sqlite3_int64 nhit = 0;
			rc = api->xQueryPhrase(fts, i, &nhit, count_cb);
			d->idf[i] = idf_of(d->nrow, nhit);
			d->have_idf[i] = true;
		}
	double D = 0.0;
	if (rc == SQLITE_OK) {
		sqlite3_int64 rowid = api->xRowid(fts);
		bool in_scope = r->lo > 0 && rowid >= r->lo && rowid <= r->hi;
		if (in_scope && r->len == NULL && !r->load_failed && r->lookups > (size_t)(r->hi - r->lo + 1) / 8 &&
		    r->hi - r->lo < RANK_CACHE_MAX) {
			/* Looking the lengths up one at a time has now cost about what reading them all does. */
			if (rank_load(r, db) != SQLITE_OK)
				r->load_failed = true;
		}
		if (in_scope && r->len) {
			D = (double)(int)r->len[rowid - r->lo];
		} else {
			int ntok = 0;
			rc = api->xColumnSize(fts, -1, &ntok);
			D = (double)ntok;
			r->lookups++;
		}
	}
	if (rc != SQLITE_OK)
		return rc;
	double score = 0.0;
	for (int i = 0; i < d->nphrase; i++)
		if (d->freq[i] != 0.0)
			score += d->idf[i] *
				 ((d->freq[i] * (k1 + 1.0)) / (d->freq[i] + k1 * (1 - b + b * D / d->avgdl)));
	*out = -1.0 * score;
	return SQLITE_OK;
}

static int rank_row(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, sasae_fts_collector *c,
		    sqlite3_value **w, int nw, double *out)
{
	rank_data *d = NULL;
	int rc = rank_data_get(api, fts, c, &d);
	if (rc == SQLITE_OK)
		rc = rank_row_with(api, fts, sqlite3_context_db_handle(ctx), api->xUserData(fts), d, w, nw, out);
	return rc;
}

double sasae_fts_final_score(const sasae_fts_collector *c, double offered, int64_t nhit)
{
	if (!c->deferred)
		return offered;
	double t = -offered; /* offered = -1.0 * (0.0 + 1.0 * t) */
	return -1.0 * (0.0 + idf_of(c->nrow, nhit) * t);
}

/* sasae_rank(search_index, w0, w1, …): the score (as bm25: lower is better). */
static void rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval,
		    sqlite3_value **val)
{
	double score;
	int rc = rank_row(api, fts, ctx, NULL, val, nval, &score);
	if (rc == SQLITE_OK)
		sqlite3_result_double(ctx, score);
	else
		sqlite3_result_error_code(ctx, rc);
}

/* sasae_collect(search_index, COLLECTOR, w0, w1, …): offer the row and its score to the collector
   (bound with sqlite3_bind_pointer, type "sasae_fts_collector"); true. */
static void collect_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval,
		       sqlite3_value **val)
{
	sasae_fts_collector *c = nval > 0 ? sqlite3_value_pointer(val[0], "sasae_fts_collector") : NULL;
	double score;
	int rc = c ? rank_row(api, fts, ctx, c, val + 1, nval - 1, &score) : SQLITE_MISUSE;
	if (rc == SQLITE_OK)
		rc = c->offer(c, api->xRowid(fts), score);
	if (rc == SQLITE_OK)
		sqlite3_result_int(ctx, 1);
	else
		sqlite3_result_error_code(ctx, rc);
}

/* One pass over the matches of a one-phrase query (sasae_pass), row by row inside FTS5. */
typedef struct pass_ctx {
	sasae_fts_collector *c;
	sasae_fts_rank *r;
	rank_data *d;
	sqlite3 *db;
	sqlite3_value **w;
	int nw;
	int64_t n;
} pass_ctx;

static int pass_row(const Fts5ExtensionApi *api, Fts5Context *fts, void *ud)
{
	pass_ctx *p = ud;
	double score;
	int rc = rank_row_with(api, fts, p->db, p->r, p->d, p->w, p->nw, &score);
	if (rc == SQLITE_OK) {
		sqlite3_int64 rowid = api->xRowid(fts);
		if (rowid >= p->c->lo && rowid <= p->c->hi)
			p->n++;
		rc = p->c->offer(p->c, rowid, score);
	}
	return rc;
}

/*
 * sasae_pass(search_index, COLLECTOR, w0, w1, …), on the first match of a query over an index that
 * holds no row outside the collector's [lo, hi] (whole_index): when the query is one phrase, its
 * matches are its phrase's, and they are all ranked and offered here, from inside FTS5
 * (xQueryPhrase), instead of one SQL row and one function call each — the same rows in the same
 * order with the same scores as sasae_collect.  Sets c->passed and c->count; otherwise does nothing.
 */
static void pass_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval,
		    sqlite3_value **val)
{
	sasae_fts_collector *c = nval > 0 ? sqlite3_value_pointer(val[0], "sasae_fts_collector") : NULL;
	int rc = c ? SQLITE_OK : SQLITE_MISUSE;
	if (rc == SQLITE_OK && c->whole_index && api->xPhraseCount(fts) == 1) {
		rank_data *d = NULL;
		rc = rank_data_get(api, fts, c, &d);
		pass_ctx p = {c, api->xUserData(fts), d, sqlite3_context_db_handle(ctx), val + 1, nval - 1, 0};
		if (rc == SQLITE_OK)
			rc = api->xQueryPhrase(fts, 0, &p, pass_row);
		if (rc == SQLITE_OK) {
			c->passed = true;
			c->count = p.n;
		}
	}
	if (rc == SQLITE_OK)
		sqlite3_result_int(ctx, 1);
	else
		sqlite3_result_error_code(ctx, rc);
}

static void rank_free(void *p)
{
	sasae_fts_rank *r = p;
	if (r) {
		free(r->len);
		free(r);
	}
}

int sasae_fts_rank_register(sqlite3 *db, sasae_fts_rank **out)
{
	*out = NULL;
	fts5_api *api = NULL;
	int rc = fts5_api_of(db, &api);
	if (rc != SQLITE_OK)
		return rc;
	sasae_fts_rank *r = calloc(1, sizeof *r);
	if (r == NULL)
		return SQLITE_NOMEM;
	rc = api->xCreateFunction(api, "sasae_rank", r, rank_fn, rank_free);
	if (rc != SQLITE_OK) {
		free(r);
		return rc;
	}
	if ((rc = api->xCreateFunction(api, "sasae_collect", r, collect_fn, NULL)) != SQLITE_OK ||
	    (rc = api->xCreateFunction(api, "sasae_pass", r, pass_fn, NULL)) != SQLITE_OK)
		return rc; /* r is freed with the connection */
	*out = r;
	return SQLITE_OK;
}

void sasae_fts_rank_scope(sasae_fts_rank *r, int64_t lo, int64_t hi)
{
	if (r->lo == lo && r->hi == hi)
		return;
	sasae_fts_rank_reset(r);
	r->lo = lo;
	r->hi = hi;
}

void sasae_fts_rank_reset(sasae_fts_rank *r)
{
	free(r->len);
	r->len = NULL;
	r->lookups = 0;
	r->load_failed = false;
}
