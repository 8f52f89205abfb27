/*
 * test_morph.c — unit tests of the morphological analyzer (include/core/sasae/morph.h) with MeCab and
 * Debian's mecab-ipadic-utf8.
 *
 * The expected words come from Japanese grammar and the IPA dictionary's own entries
 * (the CSV files of /usr/share/mecab/dic/ipadic/), not from this program's output: ipadic spells the verb
 * ひきこもる in kana only (there is no 引きこもる or 引き籠もる entry); 認知症 is not an entry, so it
 * is 認知 (名詞,サ変接続, ニンチ) + 症 (名詞,接尾, ショウ); 行けなく is the potential verb 行ける
 * (一段, 未然形) + the auxiliary ない; なっ after なく is the verb なる 自立; the いる of ている and the
 * みる of てみる are 動詞,非自立.  The tests need MeCab and the dictionary installed
 * (scripts/install-deps.sh) and fail without them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sasae/morph.h"

static sasae_morph *morph;

static int setup(void **state)
{
	(void)state;
	sasae_error err = {0};
	if (sasae_morph_open(&morph, NULL, &err) != 0) {
		fprintf(stderr, "test_morph: cannot open the analyzer: %s\n", err.message);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sasae_morph_close(morph);
	morph = NULL;
	return 0;
}

/* Whole sentences: their dictionary forms, their readings, and their content words' forms. */
static const struct sentence_case {
	const char *text;
	const char *bases;         /* sasae_morph_seq.bases, flags 0 */
	const char *readings;      /* sasae_morph_seq.readings, flags 0 */
	const char *content_bases; /* sasae_morph_seq.bases, SASAE_MORPH_CONTENT_ONLY */
} sentences[] = {
	{"息子が何年も家にひきこもっている", " 息子 が 何 年 も 家 に ひきこもる て いる ",
	 "むすこがなんねんもいえにひきこもっている", " 息子 家 ひきこもる "},
	{"しんどくて", " しんどい て ", "しんどくて", " しんどい "},
	{"子どもが学校に行けなくなった", " 子ども が 学校 に 行ける ない なる た ",
	 "こどもががっこうにいけなくなった", " 子ども 学校 行ける なる "},
	{"お金もない", " お金 も ない ", "おかねもない", " お金 ない "},
	{"認知症", " 認知 症 ", "にんちしょう", " 認知 "},
	{"ボランティアをしてみたい", " ボランティア を する て みる たい ", "ぼらんてぃあをしてみたい",
	 " ボランティア する "},
	/* symbols are left out of the forms and separate the readings */
	{"相談したい。", " 相談 する たい ", "そうだんしたい", " 相談 する "},
	{"", "", "", ""},
};

static void test_sentences(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof sentences / sizeof sentences[0]; i++) {
		const struct sentence_case *c = &sentences[i];
		sasae_morph_seq s = {0};
		sasae_error err = {0};
		assert_int_equal(sasae_morph_sequences(&s, morph, c->text, strlen(c->text), 0, &err), 0);
		if (strcmp(s.bases, c->bases) != 0 || strcmp(s.readings, c->readings) != 0)
			fail_msg("%s: forms [%s] readings [%s], expected [%s] [%s]", c->text, s.bases,
				 s.readings, c->bases, c->readings);
		assert_int_equal(sasae_morph_sequences(&s, morph, c->text, strlen(c->text),
						       SASAE_MORPH_CONTENT_ONLY, &err),
				 0);
		if (strcmp(s.bases, c->content_bases) != 0)
			fail_msg("%s: content words [%s], expected [%s]", c->text, s.bases, c->content_bases);
		sasae_morph_seq_clear(&s);
		assert_null(s.bases);
	}
}

/* Single words: the first token whose surface is `surface`, and what it must be. */
static const struct word_case {
	const char *text;
	const char *surface;
	size_t from; /* byte offset of the surface in text */
	const char *base;
	const char *reading;
	sasae_morph_pos pos;
	const char *pos_detail;
	bool content;
} words[] = {
	{"息子が何年も家にひきこもっている", "ひきこもっ", 24, "ひきこもる", "ひきこもっ", SASAE_MORPH_VERB,
	 "自立", true},
	{"息子が何年も家にひきこもっている", "いる", 42, "いる", "いる", SASAE_MORPH_VERB, "非自立", false},
	{"息子が何年も家にひきこもっている", "息子", 0, "息子", "むすこ", SASAE_MORPH_NOUN, "一般", true},
	{"息子が何年も家にひきこもっている", "が", 6, "が", "が", SASAE_MORPH_PARTICLE, "格助詞", false},
	{"しんどくて", "しんどく", 0, "しんどい", "しんどく", SASAE_MORPH_ADJECTIVE, "自立", true},
	{"子どもが学校に行けなくなった", "行け", 21, "行ける", "いけ", SASAE_MORPH_VERB, "自立", true},
	{"子どもが学校に行けなくなった", "なく", 27, "ない", "なく", SASAE_MORPH_AUXILIARY, "", false},
	{"子どもが学校に行けなくなった", "なっ", 33, "なる", "なっ", SASAE_MORPH_VERB, "自立", true},
	{"お金もない", "お金", 0, "お金", "おかね", SASAE_MORPH_NOUN, "一般", true},
	{"お金もない", "ない", 9, "ない", "ない", SASAE_MORPH_ADJECTIVE, "自立", true},
	{"認知症", "認知", 0, "認知", "にんち", SASAE_MORPH_NOUN, "サ変接続", true},
	{"認知症", "症", 6, "症", "しょう", SASAE_MORPH_NOUN, "接尾", false},
	{"ボランティアをしてみたい", "ボランティア", 0, "ボランティア", "ぼらんてぃあ", SASAE_MORPH_NOUN,
	 "一般", true},
	{"ボランティアをしてみたい", "み", 27, "みる", "み", SASAE_MORPH_VERB, "非自立", false},
	{"ボランティアをしてみたい", "たい", 30, "たい", "たい", SASAE_MORPH_AUXILIARY, "", false},
	{"私は", "私", 0, "私", "わたし", SASAE_MORPH_NOUN, "代名詞", false},
	/* U+3000 is a symbol token; ASCII spaces give none */
	{"介護 　相談", "　", 7, "　", "", SASAE_MORPH_SYMBOL, "空白", false},
	{"介護 　相談", "相談", 10, "相談", "そうだん", SASAE_MORPH_NOUN, "サ変接続", true},
};

static void test_words(void **state)
{
	(void)state;
	sasae_morph_tokens t = {0};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		const struct word_case *c = &words[i];
		sasae_error err = {0};
		assert_int_equal(sasae_morph_parse(&t, morph, c->text, strlen(c->text), &err), 0);
		const sasae_morph_token *k = NULL;
		size_t sl = strlen(c->surface);
		for (size_t j = 0; j < t.n && k == NULL; j++)
			if (t.tok[j].to - t.tok[j].from == sl &&
			    memcmp(c->text + t.tok[j].from, c->surface, sl) == 0)
				k = &t.tok[j];
		if (k == NULL)
			fail_msg("%s: no word %s", c->text, c->surface);
		if (k->from != c->from || k->to != c->from + sl || strcmp(k->base, c->base) != 0 ||
		    strcmp(k->reading, c->reading) != 0 || k->pos != c->pos ||
		    strcmp(k->pos_detail, c->pos_detail) != 0 || k->content != c->content)
			fail_msg("%s: %s is [%zu,%zu) %s %s %s,%s content %d; expected [%zu,%zu) %s %s %s,%s content %d",
				 c->text, c->surface, k->from, k->to, k->base, k->reading, k->pos_name,
				 k->pos_detail, k->content, c->from, c->from + sl, c->base, c->reading,
				 sasae_morph_pos_text(c->pos), c->pos_detail, c->content);
		assert_string_equal(k->pos_name, sasae_morph_pos_text(c->pos));
	}
	sasae_morph_tokens_clear(&t);
	assert_null(t.tok);
	assert_int_equal(t.n, 0);
	sasae_morph_tokens_clear(NULL);
}

/* Kana spellings meet kanji words by reading. */
static void test_kana_meets_kanji(void **state)
{
	(void)state;
	static const char *const pairs[][2] = {
		{"認知症", "にんちしょう"},
		{"相談", "そうだん"},
		{"日本語", "にほんご"},
		{"ボランティア", "ぼらんてぃあ"},
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		sasae_morph_seq a = {0}, b = {0};
		sasae_error err = {0};
		assert_int_equal(sasae_morph_sequences(&a, morph, pairs[i][0], strlen(pairs[i][0]), 0, &err),
				 0);
		assert_int_equal(sasae_morph_sequences(&b, morph, pairs[i][1], strlen(pairs[i][1]), 0, &err),
				 0);
		if (strcmp(a.readings, pairs[i][1]) != 0 || strcmp(b.readings, pairs[i][1]) != 0)
			fail_msg("%s reads [%s], %s reads [%s]; both should read %s", pairs[i][0], a.readings,
				 pairs[i][1], b.readings, pairs[i][1]);
		sasae_morph_seq_clear(&a);
		sasae_morph_seq_clear(&b);
	}
}

/* Only spaces and symbols: symbol tokens, no content word, empty sequences. */
static void test_spaces_and_symbols(void **state)
{
	(void)state;
	static const char text[] = "   \t\n　！？、。・…「」";
	sasae_morph_tokens t = {0};
	sasae_error err = {0};
	assert_int_equal(sasae_morph_parse(&t, morph, text, sizeof text - 1, &err), 0);
	assert_true(t.n > 0);
	for (size_t i = 0; i < t.n; i++) {
		assert_int_equal(t.tok[i].pos, SASAE_MORPH_SYMBOL);
		assert_false(t.tok[i].content);
		assert_string_equal(t.tok[i].reading, "");
		assert_true(t.tok[i].from >= 5); /* the ASCII spaces, tab and line end give no token */
	}
	sasae_morph_seq s = {0};
	assert_int_equal(sasae_morph_join(&s, &t, 0, &err), 0);
	assert_string_equal(s.bases, "");
	assert_string_equal(s.readings, "");
	sasae_morph_seq_clear(&s);

	/* Exact-size buffers, not NUL-terminated: MeCab itself reads up to a NUL (a lone TAB made it
	   read past the end, found by fuzz_morph); the ASan build checks that nothing does now. */
	static const char *const lone[] = {"\t", "  ", "\n\t ", "あ", "相談"};
	for (size_t i = 0; i < sizeof lone / sizeof lone[0]; i++) {
		size_t n = strlen(lone[i]);
		char *exact = malloc(n);
		assert_non_null(exact);
		memcpy(exact, lone[i], n);
		assert_int_equal(sasae_morph_parse(&t, morph, exact, n, &err), 0);
		assert_int_equal(t.n, lone[i][0] & 0x80 ? 1 : 0);
		free(exact);
	}
	sasae_morph_tokens_clear(&t);
}

/* Invalid UTF-8 and NUL bytes: SASAE_EDATA, no tokens left from an earlier parse. */
static void test_invalid_utf8(void **state)
{
	(void)state;
	static const struct {
		const char *bytes;
		size_t len;
		const char *where;
	} bad[] = {
		{"ab\xff", 3, "3 バイト目"},       {"\xe3\x81", 2, "1 バイト目"}, /* あ cut short */
		{"相談\xc0\xaf", 8, "7 バイト目"},                                /* overlong '/' */
		{"\xed\xa0\x80", 3, "1 バイト目"},                                /* a surrogate */
		{"あ\0い", 7, "4 バイト目"},                                      /* NUL */
	};
	sasae_morph_tokens t = {0};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		sasae_error err = {0};
		assert_int_equal(sasae_morph_parse(&t, morph, "お金もない", strlen("お金もない"), &err), 0);
		assert_int_equal(t.n, 3);
		assert_int_equal(sasae_morph_parse(&t, morph, bad[i].bytes, bad[i].len, &err), SASAE_EDATA);
		assert_int_equal(err.code, SASAE_EDATA);
		assert_int_equal(t.n, 0);
		if (strstr(err.message, bad[i].where) == NULL || strstr(err.message, "UTF-8") == NULL)
			fail_msg("case %zu: message [%s] should say UTF-8 and %s", i, err.message,
				 bad[i].where);
	}
	sasae_morph_tokens_clear(&t);
}

/* A 10,000-byte input is parsed whole; one byte over the cap is SASAE_EUSAGE. */
static void test_long_input(void **state)
{
	(void)state;
	static const char unit[] = "子どもが学校に行けなくなった。"; /* 45 bytes */
	size_t ul = sizeof unit - 1, reps = 10000 / ul;
	assert_int_equal(ul, 45);
	char *text = malloc(SASAE_MORPH_MAX_INPUT + 1);
	assert_non_null(text);
	for (size_t i = 0; i < reps; i++)
		memcpy(text + i * ul, unit, ul);
	memset(text + reps * ul, 'x', 10000 - reps * ul); /* an unknown Latin word at the end */
	sasae_morph_tokens t = {0};
	sasae_error err = {0};
	assert_int_equal(sasae_morph_parse(&t, morph, text, 10000, &err), 0);
	size_t ikeru = 0, prev = 0;
	for (size_t i = 0; i < t.n; i++) {
		assert_true(t.tok[i].from >= prev && t.tok[i].to > t.tok[i].from);
		prev = t.tok[i].to;
		ikeru += strcmp(t.tok[i].base, "行ける") == 0;
	}
	assert_int_equal(ikeru, reps);
	assert_int_equal(t.n, reps * 9 + 1);
	assert_int_equal(t.tok[t.n - 1].to, 10000);
	assert_true(t.tok[t.n - 1].unknown);

	/* the cap: accepted at SASAE_MORPH_MAX_INPUT, refused one byte over */
	memset(text, 'a', SASAE_MORPH_MAX_INPUT + 1);
	assert_int_equal(sasae_morph_parse(&t, morph, text, SASAE_MORPH_MAX_INPUT, &err), 0);
	assert_int_equal(sasae_morph_parse(&t, morph, text, SASAE_MORPH_MAX_INPUT + 1, &err), SASAE_EUSAGE);
	assert_int_equal(t.n, 0);
	assert_non_null(strstr(err.message, "16384"));
	sasae_morph_tokens_clear(&t);
	free(text);
}

/* Four threads parse the same sentences at once, many times, and get what one thread gets. */
enum { NTHREADS = 4, ROUNDS = 200 };

static const char *const thread_texts[] = {
	"息子が何年も家にひきこもっている", "子どもが学校に行けなくなった",
	"お金もない、しんどくて",           "にんちしょうの母の介護について相談したい",
	"ボランティアをしてみたい",         "認知症の父が一人で暮らしています。",
};
enum { NTEXTS = sizeof thread_texts / sizeof thread_texts[0] };

/* One line per token "from-to base reading pos content" for every text, run together. */
static char *describe_all(sasae_morph_tokens *t)
{
	size_t cap = 1 << 14, len = 0;
	char *out = malloc(cap);
	if (out == NULL)
		return NULL;
	out[0] = '\0';
	for (size_t i = 0; i < NTEXTS; i++) {
		sasae_error err = {0};
		if (sasae_morph_parse(t, morph, thread_texts[i], strlen(thread_texts[i]), &err) != 0) {
			free(out);
			return NULL;
		}
		for (size_t j = 0; j < t->n; j++) {
			const sasae_morph_token *k = &t->tok[j];
			int w = snprintf(out + len, cap - len, "%zu-%zu %s %s %d %d\n", k->from, k->to,
					 k->base, k->reading, (int)k->pos, (int)k->content);
			if (w < 0 || (size_t)w >= cap - len) {
				free(out);
				return NULL;
			}
			len += (size_t)w;
		}
	}
	return out;
}

static const char *reference;

static void *thread_main(void *arg)
{
	(void)arg;
	sasae_morph_tokens t = {0};
	intptr_t mismatches = 0;
	for (int r = 0; r < ROUNDS; r++) {
		char *d = describe_all(&t);
		if (d == NULL || strcmp(d, reference) != 0)
			mismatches++;
		free(d);
	}
	sasae_morph_tokens_clear(&t);
	return (void *)mismatches;
}

static void test_threads(void **state)
{
	(void)state;
	sasae_morph_tokens t = {0};
	char *ref = describe_all(&t);
	sasae_morph_tokens_clear(&t);
	assert_non_null(ref);
	assert_non_null(strstr(ref, " ひきこもる ひきこもっ "));
	reference = ref;
	pthread_t th[NTHREADS];
	for (int i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, thread_main, NULL), 0);
	intptr_t total = 0;
	for (int i = 0; i < NTHREADS; i++) {
		void *ret;
		assert_int_equal(pthread_join(th[i], &ret), 0);
		total += (intptr_t)ret;
	}
	assert_int_equal(total, 0);
	free(ref);
}

/* A dictionary that is not there, an empty name, a directory that is not a dictionary. */
static void test_missing_dictionary(void **state)
{
	(void)state;
	sasae_morph *m = (sasae_morph *)(uintptr_t)1;
	sasae_error err = {0};
	sasae_morph_options o = {.dicdir = "/nonexistent/sasae-no-dictionary"};
	assert_int_equal(sasae_morph_open(&m, &o, &err), SASAE_EUNAVAILABLE);
	assert_null(m);
	assert_int_equal(sasae_error_exit_status(err.code), 69);
	assert_non_null(strstr(err.message, "mecab-ipadic-utf8"));
	assert_non_null(strstr(err.message, "scripts/install-deps.sh"));
	assert_non_null(strstr(err.message, "/nonexistent/sasae-no-dictionary"));

	o.dicdir = "";
	assert_int_equal(sasae_morph_open(&m, &o, &err), SASAE_EUSAGE);

	/* a directory with a dicrc but no dictionary in it */
	char dir[] = "/tmp/sasae-morph-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char rc[64];
	snprintf(rc, sizeof rc, "%s/dicrc", dir);
	FILE *f = fopen(rc, "w");
	assert_non_null(f);
	fputs("; not a dictionary\n", f);
	fclose(f);
	o.dicdir = dir;
	memset(&err, 0, sizeof err);
	assert_int_equal(sasae_morph_open(&m, &o, &err), SASAE_EUNAVAILABLE);
	assert_null(m);
	assert_non_null(strstr(err.message, "mecab-ipadic-utf8"));
	unlink(rc);
	rmdir(dir);

	/* the Debian directory named explicitly works, and is what the default found */
	o.dicdir = SASAE_MORPH_DEBIAN_DICDIR;
	assert_int_equal(sasae_morph_open(&m, &o, &err), 0);
	assert_string_equal(sasae_morph_dicdir(m), SASAE_MORPH_DEBIAN_DICDIR);
	assert_string_equal(sasae_morph_dicdir(morph), SASAE_MORPH_DEBIAN_DICDIR);
	sasae_morph_close(m);
	sasae_morph_close(NULL);
}

/* The process-wide analyzer: opened once, the same every time. */
static void test_shared(void **state)
{
	(void)state;
	sasae_morph *a = NULL, *b = NULL;
	sasae_error err = {0};
	assert_int_equal(sasae_morph_shared(&a, &err), 0);
	assert_int_equal(sasae_morph_shared(&b, &err), 0);
	assert_non_null(a);
	assert_ptr_equal(a, b);
	sasae_morph_tokens t = {0};
	assert_int_equal(sasae_morph_parse(&t, a, "しんどくて", strlen("しんどくて"), &err), 0);
	assert_string_equal(t.tok[0].base, "しんどい");
	sasae_morph_tokens_clear(&t);
}

/* Bad arguments. */
static void test_usage(void **state)
{
	(void)state;
	sasae_morph_tokens t = {0};
	sasae_error err = {0};
	assert_int_equal(sasae_morph_parse(&t, NULL, "a", 1, &err), SASAE_EUSAGE);
	assert_int_equal(sasae_morph_parse(NULL, morph, "a", 1, &err), SASAE_EUSAGE);
	assert_int_equal(sasae_morph_parse(&t, morph, NULL, 1, &err), SASAE_EUSAGE);
	assert_int_equal(sasae_morph_parse(&t, morph, NULL, 0, &err), 0);
	assert_int_equal(t.n, 0);
	assert_string_equal(sasae_morph_pos_text(SASAE_MORPH_OTHER), "その他");
	assert_string_equal(sasae_morph_pos_text((sasae_morph_pos)99), "その他");
	assert_string_equal(sasae_morph_pos_text(SASAE_MORPH_AUXILIARY), "助動詞");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sentences),        cmocka_unit_test(test_words),
		cmocka_unit_test(test_kana_meets_kanji), cmocka_unit_test(test_spaces_and_symbols),
		cmocka_unit_test(test_invalid_utf8),     cmocka_unit_test(test_long_input),
		cmocka_unit_test(test_threads),          cmocka_unit_test(test_missing_dictionary),
		cmocka_unit_test(test_shared),           cmocka_unit_test(test_usage),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
