/*
 * fts.c — the FTS5 tokenizer 'sasae': the text is normalised (sasae_normalize, with the store's
 * notation-variant table) and cut by sasae_tokenize into overlapping bigrams over Japanese and
 * words over Latin letters and digits.  Offsets given to FTS5 are byte offsets in the original text.
 */
#include "fts.h"

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

int sasae_fts_register(sqlite3 *db, const sasae_variants *const *variants)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	rc = sqlite3_finalize(st);
	if (rc != SQLITE_OK || api == NULL)
		return rc != SQLITE_OK ? rc : SQLITE_ERROR;
	fts5_tokenizer tok = {tok_create, tok_delete, tok_tokenize};
	return api->xCreateTokenizer(api, "sasae", (void *)(uintptr_t)variants, &tok, NULL);
}
