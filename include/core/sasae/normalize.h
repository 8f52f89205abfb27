/*
 * normalize.h — the normalisation that search applies alike to indexed text and to queries, and
 * the tokenizer the full-text index uses (docs/search.md).
 *
 *   NFKC + case folding (utf8proc)  →  katakana → hiragana, small kana → large
 *   →  spaces dropped unless they stand between two Latin/digit words ("DV 被害者" = "DV被害者")
 *   →  notation variants (表記ゆれ, data/variants.tsv): longest match replaced by its canonical form
 *      (query-only groups, e.g. お年寄り → 高齢者, are applied to queries but not to indexed text)
 *
 * Every normalised code point remembers the byte span of the original text it came from, so that
 * matches found in normalised text can be highlighted in the original.
 */
#ifndef SASAE_NORMALIZE_H
#define SASAE_NORMALIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sasae/error.h"

/* Normalised text: code points with the original byte span of each. */
typedef struct sasae_norm {
	int32_t *cp;    /* normalised code points */
	uint32_t *from; /* original byte offset where cp[i]'s source begins */
	uint32_t *to;   /* original byte offset where it ends (exclusive) */
	size_t n, cap;
	bool oom;
} sasae_norm;

/* The notation-variant table. */
typedef struct sasae_variants sasae_variants;

/* Whether text is indexed (document) or searched for (query): query-only variants apply to queries. */
enum { SASAE_NORM_DOCUMENT = 0, SASAE_NORM_QUERY = 1 };

/*
 * Parse a table (format of data/variants.tsv: "canonical<TAB>variant variant…[<TAB>query]",
 * '#' comments; a third column "query" makes the group apply to queries only).
 * *out is new (free with sasae_variants_free).  Returns 0, SASAE_EDATA (file:line), SASAE_ENOMEM.
 */
int sasae_variants_parse(sasae_variants **out, const char *file, const char *bytes, size_t len, sasae_error *err);
/* The table built into the binary (data/variants.tsv). */
int sasae_variants_default(sasae_variants **out, sasae_error *err);
void sasae_variants_free(sasae_variants *v);
/* Number of variant spellings (not counting canonical forms). */
size_t sasae_variants_count(const sasae_variants *v);

/*
 * Normalise s[0..len) (UTF-8; invalid bytes are dropped) into out (cleared first), folding
 * variants through v (NULL: no variants) as mode (SASAE_NORM_DOCUMENT or SASAE_NORM_QUERY) says.
 * Returns 0 or SASAE_ENOMEM.
 */
int sasae_normalize(sasae_norm *out, const char *s, size_t len, const sasae_variants *v, int mode);
/* Free the arrays of a sasae_norm (it can be reused after). */
void sasae_norm_free(sasae_norm *n);
/* The normalised text as a new UTF-8 string (caller frees); NULL on OOM. */
char *sasae_norm_string(const sasae_norm *n);
/* Shorthand: normalise a C string to a new C string; NULL on OOM. */
char *sasae_normalize_string(const char *s, const sasae_variants *v, int mode);

/* Token classes of normalised code points. */
bool sasae_is_cjk(int32_t cp);  /* kanji, kana, 々 〆 〇 ー */
bool sasae_is_word(int32_t cp); /* other letters and digits */

/* True when the last run of letters/digits of n is one character long (a query term then needs a
   prefix match on its last token). */
bool sasae_norm_ends_single(const sasae_norm *n);

/* One token: normalised text (UTF-8, not NUL-terminated) and its original byte span. */
typedef struct sasae_token {
	const char *text;
	size_t len;
	uint32_t from, to;
	bool colocated; /* at the same position as the previous token (an extra unigram) */
} sasae_token;

enum {
	SASAE_TOKENIZE_DOCUMENT = 0, /* index: bigrams + a co-located unigram for a run's last character */
	SASAE_TOKENIZE_QUERY = 1,    /* query: bigrams only (a one-character run gives its unigram) */
};

/*
 * Tokenise normalised text: every run of letters and digits (Japanese, Latin, digits alike) gives
 * overlapping bigrams (a one-character run gives a unigram); anything else separates.  So any
 * substring of two or more characters of a run is found as a phrase of bigrams.
 * Calls emit for each token in order; a non-zero return stops and is returned.
 */
int sasae_tokenize(const sasae_norm *n, int mode, int (*emit)(void *ctx, const sasae_token *t), void *ctx);

#endif
