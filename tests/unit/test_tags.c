/*
 * test_tags.c — the finder's data files (parsing and their errors), tagging the bundled plan with
 * small hand-written rules, reading free text, and the finder's ranking rules (docs/finder.md).
 * Expected programs come from reading data/sendai-2024-draft.txt.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>

#include "sasae/finder.h"
#include "sasae/departments.h"
#include "sasae/model.h"
#include "sasae/parse.h"
#include "sasae/tags.h"
#include "test_util.h"

static const char VOCAB[] = "# test vocabulary\n"
			    "who\telderly\t高齢者\tお年寄り\n"
			    "who\tdementia\t認知症の人と家族\tもの忘れが気になる人\n"
			    "who\tchildren\t子ども・子育て家庭\t子どもと家族\n"
			    "who\tprofessionals\t専門職・職員\t専門職\n"
			    "need\tconsultation\t相談\t相談したい\n"
			    "need\tlearning\t学び\t学びたい\n"
			    "need\tplace\t居場所・交流\t行ける場所\n"
			    "kind\tconsultation\t相談窓口\t相談できるところ\tservice\n"
			    "kind\tplace\t居場所\t行ける場所\tservice\n"
			    "kind\tawareness\t啓発・研修\t学ぶ取り組み\n"
			    "kind\tsystem\t仕組みづくり\t市の仕組み\n";

static const char RULES[] = "who:dementia\tname\t認知症\n"
			    "who:children\tname\t子供\n" /* a notation variant of 子ども */
			    "who:professionals\tname\t養成|研修\n"
			    "need:consultation\tname+summary\t相談\t啓発\n"
			    "need:place\tname\t居場所|カフェ\n"
			    "kind:awareness\tname\t養成|研修|セミナー\n"
			    "kind:consultation\tname\t相談\n"
			    "kind:place\tname\t居場所|カフェ\n"
			    "kind:system\tany\t*\n";

static const char OVERRIDES[] = "認知症カフェの推進\t+who:elderly -need:place\treason A\n"
				"ありもしない 事業\t+who:elderly\tstale\n";

static const char WORDS[] = "物忘れ|もの忘れ\twho:dementia 認知症\n"
			    "母|父\twho:elderly\n"
			    "話を聞いて\tneed:consultation\n";

static sasae_variants *variants;
static sasae_plan *plan;

static int setup(void **state)
{
	(void)state;
	sasae_error err = {0};
	if (sasae_variants_default(&variants, &err))
		return -1;
	size_t len;
	char *text = tu_read_source("data/sendai-2024-draft.txt", &len);
	sasae_dept_table *depts = NULL;
	int rc = sasae_dept_table_default(&depts, &err);
	if (rc == 0)
		rc = sasae_parse_document(&plan, "sendai-2024-draft.txt", text, len, depts, NULL, NULL, &err);
	sasae_dept_table_free(depts);
	free(text);
	if (rc)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sasae_plan_free(plan);
	sasae_variants_free(variants);
	return 0;
}

/* Parse the four files (NULL: the test default). */
static int parse4(sasae_tag_data **d, const char *vocab, const char *rules, const char *over,
		  const char *words, sasae_error *err)
{
	sasae_tag_source src[SASAE_NTAGFILES] = {
		{"vocabulary.tsv", vocab ? vocab : VOCAB, strlen(vocab ? vocab : VOCAB)},
		{"tag-rules.tsv", rules ? rules : RULES, strlen(rules ? rules : RULES)},
		{"tag-overrides.tsv", over ? over : OVERRIDES, strlen(over ? over : OVERRIDES)},
		{"everyday-words.tsv", words ? words : WORDS, strlen(words ? words : WORDS)},
	};
	return sasae_tag_data_parse(d, src, variants, err);
}

static size_t program_named(const char *name)
{
	for (size_t i = 0; i < plan->nprograms; i++)
		if (strcmp(plan->programs[i].name, name) == 0)
			return i;
	fail_msg("no program named %s", name);
	return 0;
}

/* An error of the data files: code, file and line, and a word of the message. */
static void expect_error(const char *vocab, const char *rules, const char *over, const char *words,
			 const char *file, long line, const char *words_in_message)
{
	sasae_tag_data *d = NULL;
	sasae_error err = {0};
	if (parse4(&d, vocab, rules, over, words, &err) != SASAE_EDATA)
		fail_msg("no data error for %s line %ld (\"%s\")", file, line, words_in_message);
	assert_null(d);
	assert_string_equal(err.file, file);
	assert_int_equal(err.line, line);
	if (strstr(err.message, words_in_message) == NULL)
		fail_msg("message \"%s\" does not say \"%s\"", err.message, words_in_message);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("who\telderly\t高齢者\tお年寄り\nwhom\tx\ta\tb\n", NULL, NULL, NULL, "vocabulary.tsv", 2,
		     "who、need、kind");
	expect_error("who\tElderly\t高齢者\tお年寄り\n", NULL, NULL, NULL, "vocabulary.tsv", 1, "ID");
	expect_error("who\tx\t高齢者\n", NULL, NULL, NULL, "vocabulary.tsv", 1, "形ではありません");
	expect_error("who\tx\ta\tb\nwho\tx\tc\td\n", NULL, NULL, NULL, "vocabulary.tsv", 2, "二度");
	expect_error("who\tx\ta\tb\tservice\n", NULL, NULL, NULL, "vocabulary.tsv", 1, "service");
	expect_error("who\tx\ta\tb\nneed\ty\tc\td\n", NULL, NULL, NULL, "vocabulary.tsv", 0, "kind");
	expect_error(NULL, "# c\n\nwho:nobody\tname\tx\n", NULL, NULL, "tag-rules.tsv", 3, "who:nobody");
	expect_error(NULL, "who:elderly\ttitle\tx\n", NULL, NULL, "tag-rules.tsv", 1, "見る所");
	expect_error(NULL, "who:elderly\tname\ta||b\n", NULL, NULL, "tag-rules.tsv", 1, "空の語");
	expect_error(NULL, "who:elderly\tname\ta\t*\n", NULL, NULL, "tag-rules.tsv", 1, "*");
	expect_error(NULL, "who:elderly\tname\t・・\n", NULL, NULL, "tag-rules.tsv", 1, "文字や数字");
	expect_error(NULL, NULL, "認知症カフェの推進\twho:elderly\n", NULL, "tag-overrides.tsv", 1, "+");
	expect_error(NULL, NULL, "認知症カフェの推進\t+who:x\n", NULL, "tag-overrides.tsv", 1, "who:x");
	expect_error(NULL, NULL, NULL, "a\tkind:system\n", "everyday-words.tsv", 1, "kind:system");
	expect_error(NULL, NULL, NULL, "a\n", "everyday-words.tsv", 1, "形ではありません");
	expect_error(NULL, NULL, NULL, "a\t \n", "everyday-words.tsv", 1, "2列目");
	/* not UTF-8 */
	expect_error(NULL, "who:elderly\tname\t\xff\n", NULL, NULL, "tag-rules.tsv", 1, "UTF-8");
}

static void test_builtin_files_parse(void **state)
{
	(void)state;
	sasae_tag_source src[SASAE_NTAGFILES];
	for (int k = 0; k < SASAE_NTAGFILES; k++) {
		src[k].file = sasae_tag_file_name(k);
		sasae_tag_file_default(k, &src[k].bytes, &src[k].len);
	}
	sasae_tag_data *d = NULL;
	sasae_error err = {0};
	int rc = sasae_tag_data_parse(&d, src, variants, &err);
	if (rc)
		fail_msg("%s:%ld: %s", err.file, err.line, err.message);
	/* the vocabulary of the issue */
	assert_true(sasae_tag_data_find(d, -1, "who:elderly") >= 0);
	assert_true(sasae_tag_data_find(d, SASAE_FACET_NEED, "consultation") >= 0);
	assert_true(sasae_tag_data_find(d, SASAE_FACET_KIND, "consultation") >= 0);
	assert_int_equal(sasae_tag_data_find(d, SASAE_FACET_WHO, "consultation"), -1);
	sasae_tag_data_free(d);
}

static void test_apply(void **state)
{
	(void)state;
	sasae_tag_data *d = NULL;
	sasae_error err = {0};
	assert_int_equal(parse4(&d, NULL, NULL, NULL, NULL, &err), 0);
	sasae_plan_tags *t = NULL;
	assert_int_equal(sasae_tags_apply(&t, d, plan, &err), 0);
	assert_int_equal(t->nprograms, plan->nprograms);
	int dementia = sasae_tag_data_find(d, -1, "who:dementia");
	int children = sasae_tag_data_find(d, -1, "who:children");
	int elderly = sasae_tag_data_find(d, -1, "who:elderly");
	int consult = sasae_tag_data_find(d, -1, "need:consultation");
	int place = sasae_tag_data_find(d, -1, "need:place");
	/* 認知症 in the name: lines 19, 42 and 246 of the plan, three programs */
	size_t n = 0;
	for (size_t i = 0; i < t->nprograms; i++)
		n += sasae_program_has_tag(&t->programs[i], dementia);
	assert_int_equal(n, 3);
	/* 子供 in the rule finds 子ども in the names (lines 38, 44, 227) */
	n = 0;
	for (size_t i = 0; i < t->nprograms; i++)
		n += sasae_program_has_tag(&t->programs[i], children);
	assert_int_equal(n, 3);
	assert_true(sasae_program_has_tag(&t->programs[program_named("子ども家庭応援センター")], children));
	/* evidence names the field and the word as written in the rule */
	const sasae_program_tags *cafe = &t->programs[program_named("認知症カフェの推進")];
	assert_int_equal(cafe->ntags, 2); /* dementia (rule) + elderly (override); place removed */
	assert_true(sasae_program_has_tag(cafe, dementia));
	assert_true(sasae_program_has_tag(cafe, elderly));
	assert_false(sasae_program_has_tag(cafe, place));
	for (size_t k = 0; k < cafe->ntags; k++)
		if (cafe->tags[k].term == dementia) {
			assert_string_equal(cafe->tags[k].evidence, "name:認知症");
			assert_false(cafe->tags[k].override);
			assert_int_equal(cafe->tags[k].line, 1);
		} else {
			assert_true(cafe->tags[k].override);
			assert_string_equal(cafe->tags[k].evidence, "reason A");
		}
	/* kind: first matching rule; the cafe is a place (rule line 8), the default is system */
	assert_string_equal(sasae_tag_data_term(d, (size_t)cafe->kind)->tag, "kind:place");
	const sasae_program_tags *sup =
		&t->programs[program_named("認知症サポーター養成講座及びキャラバン・メイト養成研修")];
	assert_string_equal(sasae_tag_data_term(d, (size_t)sup->kind)->tag, "kind:awareness");
	const sasae_program_tags *jobs = &t->programs[program_named("子どもの居場所づくり")];
	assert_string_equal(sasae_tag_data_term(d, (size_t)jobs->kind)->tag, "kind:place");
	/* "unless": 障害者差別解消の推進 (line 16) says 相談 and 啓発 in its summary: no consultation tag */
	assert_false(sasae_program_has_tag(&t->programs[program_named("障害者差別解消の推進")], consult));
	/* 地域包括支援センターによる相談事業 has 相談 and no 啓発 */
	assert_true(sasae_program_has_tag(&t->programs[program_named("地域包括支援センターによる相談事業")],
					  consult));
	/* the stale override is reported, not an error */
	assert_int_equal(t->nunknown, 1);
	assert_int_equal(t->unknown_override_lines[0], 2);
	assert_string_equal(t->unknown_override_names[0], "ありもしない 事業");
	/* words in a program's text, normalised like the index (子供 finds 子ども) */
	const char *field = NULL;
	assert_true(
		sasae_plan_tags_has_word(t, program_named("子どもの居場所づくり"), "子供", variants, &field));
	assert_string_equal(field, "name");
	assert_false(sasae_plan_tags_has_word(t, program_named("子どもの居場所づくり"), "認知症", variants,
					      &field));
	sasae_plan_tags_free(t);
	sasae_tag_data_free(d);
}

static void test_read_text(void **state)
{
	(void)state;
	sasae_tag_data *d = NULL;
	sasae_error err = {0};
	assert_int_equal(parse4(&d, NULL, NULL, NULL, NULL, &err), 0);
	sasae_text_meaning m;
	/* full-width and kana variants fold like search: モノ忘れ is もの忘れ */
	assert_int_equal(sasae_tags_read_text(&m, d, "母がモノ忘れ。だれかに話を聞いてほしい", &err), 0);
	assert_int_equal(m.nheard, 3);
	assert_string_equal(m.heard[0], "母");
	assert_string_equal(m.heard[1], "もの忘れ");
	assert_string_equal(m.heard[2], "話を聞いて");
	assert_int_equal(m.nterms, 3); /* elderly, dementia, consultation — vocabulary order */
	assert_string_equal(sasae_tag_data_term(d, (size_t)m.terms[0])->tag, "who:elderly");
	assert_string_equal(sasae_tag_data_term(d, (size_t)m.terms[1])->tag, "who:dementia");
	assert_string_equal(sasae_tag_data_term(d, (size_t)m.terms[2])->tag, "need:consultation");
	assert_string_equal(m.heard[m.heard_terms[1]], "もの忘れ");
	assert_int_equal(m.nwords, 1);
	assert_string_equal(m.words[0], "認知症");
	sasae_text_meaning_clear(&m);
	/* only everyday-words.tsv is read: the vocabulary's labels (子ども, 居場所) are not */
	assert_int_equal(sasae_tags_read_text(&m, d, "子どもの居場所", &err), 0);
	assert_int_equal(m.nterms + m.nheard + m.nwords, 0);
	sasae_text_meaning_clear(&m);
	assert_int_equal(sasae_tags_read_text(&m, d, "", &err), 0);
	assert_int_equal(m.nterms + m.nheard + m.nwords, 0);
	sasae_tag_data_free(d);
}

/* Every form of a known phrase (MeCab, docs/finder.md "Free text"): sentences written for this
   test, heard through their dictionary forms without particles, and kana through readings. */
static const char FORMS[] = "ひきこもり\twho:dementia\n"
			    "しんどい\tneed:consultation\n"
			    "お金がない\twho:children\n"
			    "認知症\twho:elderly\n"
			    "いじめ\tneed:learning\n"
			    "家から出な\tneed:place\n";

static bool heard(const char *text, const char *tag)
{
	sasae_tag_data *d = NULL;
	sasae_error err = {0};
	assert_int_equal(parse4(&d, NULL, NULL, NULL, FORMS, &err), 0);
	sasae_text_meaning m;
	assert_int_equal(sasae_tags_read_text(&m, d, text, &err), 0);
	bool found = false;
	for (size_t i = 0; i < m.nterms; i++)
		found |= strcmp(sasae_tag_data_term(d, (size_t)m.terms[i])->tag, tag) == 0;
	sasae_text_meaning_clear(&m);
	sasae_tag_data_free(d);
	return found;
}

static void test_read_text_forms(void **state)
{
	(void)state;
	/* a noun that is a verb's 連用形 meets the verb in any conjugation */
	assert_true(heard("弟はもう半年ほどひきこもっています", "who:dementia"));
	assert_true(heard("兄が部屋にひきこもった", "who:dementia"));
	assert_true(heard("クラスでいじめられた", "need:learning"));
	/* adjectives in any conjugation */
	assert_true(heard("仕事がしんどくて眠れない", "need:consultation"));
	assert_true(heard("毎日しんどかった", "need:consultation"));
	/* particles take no part: もの, が, は or none */
	assert_true(heard("うちはお金もない", "who:children"));
	assert_true(heard("今月はお金はないです", "who:children"));
	assert_true(heard("とにかくお金ない", "who:children"));
	/* … but the words must be in order and next to each other */
	assert_false(heard("お金はあるけれど時間がない", "who:children"));
	/* kana spellings meet kanji through readings, on word boundaries */
	assert_true(heard("ちちが にんちしょう かもしれない", "who:elderly"));
	assert_false(heard("認知が遅い", "who:elderly"));
	/* a fragment ending in a particle is heard only with that particle */
	assert_true(heard("兄が家から出なくなった", "need:place"));
	assert_false(heard("兄は毎朝早く家から出ている", "need:place"));
	/* nothing of it: no tag */
	assert_false(heard("雨が降りそうです", "need:consultation"));
}

/* Never a dead end: the sentence's own words, then the first contacts. */
static void test_finder_dead_end(void **state)
{
	(void)state;
	sasae_tag_data *d = NULL;
	sasae_error err = {0};
	assert_int_equal(parse4(&d, NULL, NULL, NULL, NULL, &err), 0);
	sasae_finder *f = NULL;
	assert_int_equal(sasae_finder_new(&f, plan, d, variants, &err), 0);
	/* nothing in WORDS: the content words (カフェ, 行く) are looked for in names and summaries */
	sasae_finder_query q = {NULL, 0, NULL, 0, "カフェに行ってみたいです", 0, 0};
	sasae_finder_results *r = NULL;
	assert_int_equal(sasae_finder_find(&r, f, &q, &err), 0);
	assert_int_equal(r->found_by, SASAE_FINDER_WORDS);
	assert_true(r->nresults > 0);
	bool cafe = false;
	for (size_t i = 0; i < r->meaning.nwords; i++)
		cafe |= strcmp(r->meaning.words[i], "カフェ") == 0;
	assert_true(cafe);
	for (size_t i = 0; i < r->meaning.nwords; i++) /* particles, auxiliaries, stop words are not searched */
		assert_true(strcmp(r->meaning.words[i], "に") != 0 && strcmp(r->meaning.words[i], "です") != 0 &&
			    strcmp(r->meaning.words[i], "みる") != 0);
	for (size_t i = 0; i < r->nresults; i++) {
		assert_true(r->results[i].nwhy > 0);
		for (size_t k = 0; k < r->results[i].nwhy; k++) {
			assert_int_equal(r->results[i].why[k].term, -1);
			assert_true(strcmp(r->results[i].why[k].field, "name") == 0 ||
				    strcmp(r->results[i].why[k].field, "summary") == 0);
		}
		if (i > 0) /* more words first */
			assert_true(r->results[i - 1].nwhy >= r->results[i].nwhy);
	}
	json_t *j = sasae_finder_results_json(f, r);
	assert_string_equal(json_string_value(json_object_get(j, "found_by")), "words");
	assert_int_equal(json_array_size(json_object_get(j, "first_contacts")), 0);
	json_decref(j);
	sasae_finder_results_free(r);

	/* nothing at all: said so, with the first contacts (names, no invented numbers) */
	q = (sasae_finder_query){NULL, 0, NULL, 0, "ぽよぽよ", 0, 0};
	assert_int_equal(sasae_finder_find(&r, f, &q, &err), 0);
	assert_int_equal(r->total, 0);
	assert_int_equal(r->found_by, SASAE_FINDER_NOTHING);
	j = sasae_finder_results_json(f, r);
	assert_string_equal(json_string_value(json_object_get(j, "found_by")), "nothing");
	json_t *fc = json_object_get(j, "first_contacts");
	assert_true(json_array_size(fc) >= 3);
	for (size_t i = 0; i < json_array_size(fc); i++) {
		assert_true(strlen(json_string_value(json_object_get(json_array_get(fc, i), "name"))) > 0);
		assert_string_equal(json_string_value(json_object_get(json_array_get(fc, i), "phone")), "");
	}
	json_decref(j);
	sasae_finder_results_free(r);

	/* a choice is never second-guessed by the fallback */
	const char *who[] = {"dementia"};
	q = (sasae_finder_query){who, 1, NULL, 0, "カフェ", 0, 0};
	assert_int_equal(sasae_finder_find(&r, f, &q, &err), 0);
	assert_int_equal(r->found_by, SASAE_FINDER_HEARD);
	sasae_finder_results_free(r);
	sasae_finder_free(f);
	sasae_tag_data_free(d);
}

static void test_finder(void **state)
{
	(void)state;
	sasae_tag_data *d = NULL;
	sasae_error err = {0};
	assert_int_equal(parse4(&d, NULL, NULL, NULL, NULL, &err), 0);
	sasae_finder *f = NULL;
	assert_int_equal(sasae_finder_new(&f, plan, d, variants, &err), 0);

	/* who=dementia: the three 認知症 programs; the cafe (a place: a service) first */
	const char *who[] = {"dementia"};
	sasae_finder_query q = {who, 1, NULL, 0, NULL, 0, 0};
	sasae_finder_results *r = NULL;
	assert_int_equal(sasae_finder_find(&r, f, &q, &err), 0);
	assert_int_equal(r->total, 3);
	assert_string_equal(plan->programs[r->results[0].program].name, "認知症カフェの推進");
	assert_true(r->results[0].service);
	assert_false(r->results[1].service);
	assert_int_equal(r->results[0].nwhy, 1);
	assert_string_equal(sasae_tag_data_term(d, (size_t)r->results[0].why[0].term)->tag, "who:dementia");
	sasae_finder_results_free(r);

	/* who=children: programs for professionals only are left out (研修 names are who:professionals) */
	const char *who2[] = {"who:children"};
	const char *need2[] = {"learning", "consultation"};
	q = (sasae_finder_query){who2, 1, need2, 2, NULL, 0, 0};
	assert_int_equal(sasae_finder_find(&r, f, &q, &err), 0);
	for (size_t i = 0; i < r->nresults; i++) {
		const sasae_program_tags *t = &sasae_finder_tags(f)->programs[r->results[i].program];
		assert_false(sasae_program_has_tag(t, sasae_tag_data_find(d, -1, "who:professionals")) &&
			     !sasae_program_has_tag(t, sasae_tag_data_find(d, -1, "who:children")));
	}
	/* groups: the needs asked for first, in vocabulary order; each result in exactly one group */
	size_t in_groups = 0;
	for (size_t g = 0; g < r->ngroups; g++) {
		in_groups += r->groups[g].nresults;
		if (g > 0 && r->groups[g].term >= 0)
			assert_true(r->groups[g - 1].term >= 0 && r->groups[g - 1].term < r->groups[g].term);
	}
	assert_int_equal(in_groups, r->nresults);
	sasae_finder_results_free(r);

	/* free text: a search word of everyday-words.tsv finds programs and says where */
	/* (who:dementia, and the word 認知症: six programs say it — lines 19, 42, 146, 196, 212, 246) */
	q = (sasae_finder_query){NULL, 0, NULL, 0, "もの忘れが心配", 0, 0};
	assert_int_equal(sasae_finder_find(&r, f, &q, &err), 0);
	assert_int_equal(r->total, 6);
	assert_string_equal(plan->programs[r->results[0].program].name, "認知症カフェの推進");
	assert_int_equal(r->nwho, 1);
	bool word_reason = false;
	for (size_t k = 0; k < r->results[0].nwhy; k++)
		if (r->results[0].why[k].term < 0) {
			assert_string_equal(r->results[0].why[k].word, "認知症");
			assert_string_equal(r->results[0].why[k].field, "name");
			word_reason = true;
		}
	assert_true(word_reason);
	json_t *j = sasae_finder_results_json(f, r);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 6);
	assert_string_equal(json_string_value(
				    json_object_get(json_array_get(json_object_get(j, "who"), 0), "heard")),
			    "もの忘れ");
	assert_non_null(json_object_get(json_array_get(json_object_get(j, "results"), 0), "why"));
	json_decref(j);
	sasae_finder_results_free(r);

	/* paging */
	q = (sasae_finder_query){who, 1, NULL, 0, NULL, 2, 2};
	assert_int_equal(sasae_finder_find(&r, f, &q, &err), 0);
	assert_int_equal(r->total, 3);
	assert_int_equal(r->nresults, 1);
	sasae_finder_results_free(r);

	/* nothing asked: not an error, nothing found */
	q = (sasae_finder_query){NULL, 0, NULL, 0, "", 0, 0};
	assert_int_equal(sasae_finder_find(&r, f, &q, &err), 0);
	assert_int_equal(r->total, 0);
	sasae_finder_results_free(r);

	/* bad queries name the parameter */
	const char *bad[] = {"nobody"};
	q = (sasae_finder_query){bad, 1, NULL, 0, NULL, 0, 0};
	assert_int_equal(sasae_finder_find(&r, f, &q, &err), SASAE_EUSAGE);
	assert_non_null(strstr(err.message, "who"));
	assert_non_null(strstr(err.message, "nobody"));
	q = (sasae_finder_query){NULL, 0, bad, 1, NULL, 0, 0};
	assert_int_equal(sasae_finder_find(&r, f, &q, &err), SASAE_EUSAGE);
	assert_non_null(strstr(err.message, "need"));
	q = (sasae_finder_query){NULL, 0, NULL, 0, "\xe3\x81", 0, 0};
	assert_int_equal(sasae_finder_find(&r, f, &q, &err), SASAE_EUSAGE);
	assert_non_null(strstr(err.message, "UTF-8"));
	char *longtext = malloc(SASAE_FINDER_MAX_TEXT + 2);
	memset(longtext, 'a', SASAE_FINDER_MAX_TEXT + 1);
	longtext[SASAE_FINDER_MAX_TEXT + 1] = '\0';
	q = (sasae_finder_query){NULL, 0, NULL, 0, longtext, 0, 0};
	assert_int_equal(sasae_finder_find(&r, f, &q, &err), SASAE_EUSAGE);
	free(longtext);
	q = (sasae_finder_query){who, 1, NULL, 0, NULL, 1001, 0};
	assert_int_equal(sasae_finder_find(&r, f, &q, &err), SASAE_EUSAGE);
	assert_non_null(strstr(err.message, "limit"));
	const char *many[SASAE_FINDER_MAX_CHOICES + 1];
	for (size_t i = 0; i < SASAE_FINDER_MAX_CHOICES + 1; i++)
		many[i] = "elderly";
	q = (sasae_finder_query){many, SASAE_FINDER_MAX_CHOICES + 1, NULL, 0, NULL, 0, 0};
	assert_int_equal(sasae_finder_find(&r, f, &q, &err), SASAE_EUSAGE);

	json_t *tags = sasae_finder_tags_json(f);
	assert_non_null(tags);
	assert_int_equal(json_array_size(json_object_get(tags, "programs")), plan->nprograms);
	json_decref(tags);
	sasae_finder_free(f);
	sasae_tag_data_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors),          cmocka_unit_test(test_builtin_files_parse),
		cmocka_unit_test(test_apply),           cmocka_unit_test(test_read_text),
		cmocka_unit_test(test_finder),          cmocka_unit_test(test_read_text_forms),
		cmocka_unit_test(test_finder_dead_end),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
