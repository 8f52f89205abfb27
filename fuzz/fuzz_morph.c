/*
 * fuzz_morph.c — libFuzzer target for the morphological analyzer (src/text/morph.c): arbitrary
 * bytes as a resident's sentence.
 *
 * Checks the contract of sasae_morph_parse: 0, SASAE_EDATA (not UTF-8) or SASAE_EUSAGE (too long),
 * the error slot matching; on success every token's span lies inside the input, in order and not
 * overlapping, its strings are NUL-terminated UTF-8, its reading is hiragana (or ""), and the
 * sequences of sasae_morph_join hold no more words than there are tokens.  Parsing the same input
 * twice into a reused token list gives the same spans.  When MeCab or its dictionary is not
 * installed the target does nothing (the unit tests say so).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/morph.h"
#include "sasae/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_morph: %s\n", what);
	abort();
}

/* True when s is valid UTF-8 made only of hiragana and ー (or empty). */
static bool all_hiragana(const char *s)
{
	size_t n = strlen(s), i = 0;
	while (i < n) {
		int32_t cp;
		size_t k = sasae_utf8_decode(s + i, n - i, &cp);
		if (k == 0 || !((cp >= 0x3041 && cp <= 0x3096) || cp == 0x309D || cp == 0x309E ||
				cp == 0x30FC || (cp >= 0x30F7 && cp <= 0x30FA)))
			return false;
		i += k;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static sasae_morph *m;
	static int unavailable;
	if (unavailable)
		return 0;
	sasae_error err = {0};
	if (m == NULL && sasae_morph_shared(&m, &err) != 0) {
		fprintf(stderr, "fuzz_morph: analyzer unavailable, nothing checked: %s\n", err.message);
		unavailable = 1;
		return 0;
	}
	const char *text = (const char *)data;
	sasae_morph_tokens t = {0};
	int rc = sasae_morph_parse(&t, m, text, size, &err);
	if (rc != 0 && rc != SASAE_EDATA && rc != SASAE_EUSAGE && rc != SASAE_ENOMEM)
		fail("unexpected result code");
	if (rc != 0 && (err.code != rc || t.n != 0))
		fail("a failure left tokens or a wrong error slot");
	if (rc == SASAE_EDATA && sasae_utf8_valid(text, size, NULL))
		fail("valid UTF-8 refused");
	if (rc == SASAE_EUSAGE && size <= SASAE_MORPH_MAX_INPUT)
		fail("an input within the cap refused");
	if (rc == 0) {
		size_t prev = 0;
		for (size_t i = 0; i < t.n; i++) {
			const sasae_morph_token *k = &t.tok[i];
			if (k->from < prev || k->to <= k->from || k->to > size)
				fail("token span outside the input, empty or out of order");
			prev = k->to;
			if (!sasae_utf8_valid(k->base, strlen(k->base), NULL) || k->base[0] == '\0')
				fail("dictionary form empty or not UTF-8");
			if (!all_hiragana(k->reading))
				fail("reading not hiragana");
			if (strcmp(k->pos_name, sasae_morph_pos_text(k->pos)) != 0 &&
			    k->pos != SASAE_MORPH_OTHER)
				fail("part of speech enum and name disagree");
			if (k->content && k->pos == SASAE_MORPH_SYMBOL)
				fail("a symbol marked as a content word");
		}
		sasae_morph_seq s = {0};
		if (sasae_morph_join(&s, &t, 0, &err) == 0) {
			size_t spaces = 0;
			for (const char *p = s.bases; *p; p++)
				spaces += *p == ' ';
			if (spaces > t.n + 1)
				fail("more words in the sequence than tokens");
		}
		sasae_morph_seq_clear(&s);
		/* the same input again, into the reused list: the same spans */
		size_t n = t.n;
		size_t *spans = malloc((n ? n : 1) * 2 * sizeof *spans);
		if (spans) {
			for (size_t i = 0; i < n; i++) {
				spans[2 * i] = t.tok[i].from;
				spans[2 * i + 1] = t.tok[i].to;
			}
			if (sasae_morph_parse(&t, m, text, size, &err) != 0 || t.n != n)
				fail("a second parse differs");
			for (size_t i = 0; i < n; i++)
				if (spans[2 * i] != t.tok[i].from || spans[2 * i + 1] != t.tok[i].to)
					fail("a second parse gives other spans");
			free(spans);
		}
	}
	sasae_morph_tokens_clear(&t);
	return 0;
}
