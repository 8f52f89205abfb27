/*
 * similar.h — the one copy of the text rules that compare names and texts: code point arrays,
 * identity code points (NFKC, white space removed) with their fast table, character-bigram sets,
 * the Dice similarity, the edit distance and the character diff (shortest edit script).
 *
 * lint ("probably meant"), diff (rename detection, changed text) and the finder all use these, so
 * that they agree on the same pair of names.  Arrays returned are malloc'd (the caller frees);
 * NULL means out of memory.
 */
#ifndef SASAE_SIMILAR_H
#define SASAE_SIMILAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sasae/buf.h"

/* In a code point array, an invalid UTF-8 byte b is kept as SASAE_CP_INVALID_BYTE | b (so that it
   round-trips through sasae_text_put_cps and never equals a code point). */
#define SASAE_CP_INVALID_BYTE 0x80000000u

/* The code points of the NUL-terminated s, invalid bytes kept as marks; *n set.  NULL on OOM. */
uint32_t *sasae_text_decode_cps(const char *s, size_t *n);

/* Append cp[0..n) to b as UTF-8 (marked invalid bytes as the bytes they were). */
void sasae_text_put_cps(sasae_buf *b, const uint32_t *cp, size_t n);

/*
 * The fast NFKC table: the NFKC image of cp when cp is a character NFKC maps to one known code
 * point on its own (printable ASCII, kana, ー・, kanji of the unified block, 々 and 、。「」『』【】
 * are left alone; full-width ASCII ！..～ gives the ASCII), else -1 (ask utf8proc).  Valid when no
 * combining or voicing mark follows cp (those are never in the table, so a caller that checks
 * every code point of a string sees them).
 */
int32_t sasae_text_nfkc_fast(uint32_t cp);

/*
 * The code points of the identity key of s (sasae_text_identity_key: NFKC, then every white space
 * removed), without building the key when every character is in the fast table; *n set.  Invalid
 * bytes are dropped.  NULL on OOM.
 */
uint32_t *sasae_text_identity_cps(const char *s, size_t *n);

/*
 * The character bigrams of s's identity key as tokens (first << 32 | second), a one-character key
 * giving one unigram token (cp << 32 | 0xFFFFFFFF); never 0.  distinct: sorted with repeats
 * removed (a set); else in text order with repeats.  *n set.  NULL on OOM.
 */
uint64_t *sasae_text_bigrams(const char *s, bool distinct, size_t *n);

/* Sort t[0..n) ascending and remove repeats; returns the new length. */
size_t sasae_text_sort_unique(uint64_t *t, size_t n);

/*
 * The Dice coefficient 2|X∩Y| / (|X|+|Y|) of two sorted sets of tokens (sasae_text_bigrams with
 * distinct); two empty sets give 1.
 */
double sasae_text_dice(const uint64_t *x, size_t nx, const uint64_t *y, size_t ny);

/*
 * Similarity of two names or texts: the Dice coefficient of the bigram sets of their identity keys
 * (1 = the same key; 0 = nothing in common; two empty keys 1, one empty 0).  -1 when out of memory.
 */
double sasae_text_similarity(const char *a, const char *b);

/* Levenshtein distance (insertion, deletion, substitution) between two UTF-8 texts, in code
   points as printed (no normalisation).  -1 when out of memory. */
long sasae_text_edit_distance(const char *a, const char *b);

/*
 * The character diff: a shortest edit script turning a[0..na) into b[0..nb) (units compared as
 * numbers: code points, or ids of anything), one op per unit step in *ops ('=' kept, '-' deleted
 * from a, '+' inserted from b; *nops of them, malloc'd).  Among the shortest scripts it is the one
 * that keeps a unit as early as possible and, where deleting or inserting next are both shortest,
 * deletes first (the walk of a classic LCS table from the start); found with Myers' O((N+M)D)
 * algorithm run from the end.  When more than max_d edits are needed *ops is NULL, *nops 0 and
 * *too_far true.  Returns 0, or SASAE_ENOMEM.
 */
int sasae_text_edit_script(char **ops, size_t *nops, bool *too_far, const uint32_t *a, size_t na,
			   const uint32_t *b, size_t nb, size_t max_d);

#endif
