/*
 * test_search.c — the search normalisation, tokenizer and query language (the query tree), and
 * search over a store holding the bundled plan, through the store interface: the database is
 * $SASAE_TEST_DB when set (any backend's location), else a temporary SQLite file.  The one
 * SQLite-specific test (the FTS5 expressions the SQLite backend compiles) is named so.  Expected
 * values come from reading the plan and the rules in docs/search.md.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sasae/departments.h"
#include "sasae/import.h"
#include "sasae/normalize.h"
#include "sasae/search.h"
#include "sasae/store.h"
#include "test_util.h"
#include "../../src/store/sqlite/sqlite_store.h" /* sqlb_compile: the SQLite-specific test */

static sasae_variants *variants;

/* ---- normalisation ---- */

static void test_normalize_table(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int mode;
		const char *want;
	} cases[] = {
		{"ＤＶ", SASAE_NORM_DOCUMENT, "dv"}, /* width and case */
		{"ＮＰＯ法人", SASAE_NORM_DOCUMENT, "npo法人"},
		{"コドモ", SASAE_NORM_DOCUMENT, "子ども"}, /* katakana → hiragana → variant */
		{"子供", SASAE_NORM_DOCUMENT, "子ども"},   /* variant group */
		{"こどもの居場所", SASAE_NORM_DOCUMENT, "子どもの居場所"},
		{"障がい者", SASAE_NORM_DOCUMENT, "障害者"},
		{"ひとり暮らし", SASAE_NORM_DOCUMENT, "一人暮らし"},
		{"ウェルフェア", SASAE_NORM_DOCUMENT, "うえるふえあ"}, /* small kana → large */
		{"ｶﾞｲﾄﾞ", SASAE_NORM_DOCUMENT, "がいど"},              /* half-width with voicing mark */
		{"DV 被害者", SASAE_NORM_DOCUMENT, "dv被害者"}, /* a space next to Japanese is layout */
		{"social worker", SASAE_NORM_DOCUMENT, "social worker"}, /* between two words it is kept */
		{"お年寄り", SASAE_NORM_DOCUMENT, "お年寄り"}, /* query-only group: not in documents */
		{"お年寄り", SASAE_NORM_QUERY, "高齢者"},      /* …but in queries */
		{"生活困窮者", SASAE_NORM_DOCUMENT, "生活困窮者"},
		{"生活困窮者", SASAE_NORM_QUERY, "困窮者"},
		{"痴呆", SASAE_NORM_QUERY, "認知症"},
		{"自死", SASAE_NORM_DOCUMENT, "自殺"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = sasae_normalize_string(cases[i].in, variants, cases[i].mode);
		assert_non_null(got);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("normalize(%s, %d) = %s, want %s", cases[i].in, cases[i].mode, got,
				 cases[i].want);
		free(got);
	}
}

/* Offsets map normalised characters back to the original bytes. */
static void test_normalize_offsets(void **state)
{
	(void)state;
	const char *s = "ＤＶ被害"; /* 3 bytes per character */
	sasae_norm n = {0};
	assert_int_equal(sasae_normalize(&n, s, strlen(s), variants, SASAE_NORM_DOCUMENT), 0);
	assert_int_equal(n.n, 4);
	assert_int_equal(n.cp[0], 'd');
	assert_int_equal(n.from[0], 0);
	assert_int_equal(n.to[0], 3);
	assert_int_equal(n.from[3], 9);
	assert_int_equal(n.to[3], 12);
	sasae_norm_free(&n);
}

typedef struct tokens {
	char text[32][16];
	bool colocated[32];
	size_t n;
} tokens;

static int collect(void *ctx, const sasae_token *t)
{
	tokens *k = ctx;
	if (k->n < 32 && t->len < 16) {
		memcpy(k->text[k->n], t->text, t->len);
		k->text[k->n][t->len] = '\0';
		k->colocated[k->n] = t->colocated;
		k->n++;
	}
	return 0;
}

static void test_tokenize(void **state)
{
	(void)state;
	sasae_norm n = {0};
	tokens k = {0};
	/* 介護予防: bigrams 介護 護予 予防 + the last character alone, co-located */
	assert_int_equal(sasae_normalize(&n, "介護予防、食", strlen("介護予防、食"), NULL, SASAE_NORM_DOCUMENT),
			 0);
	sasae_tokenize(&n, SASAE_TOKENIZE_DOCUMENT, collect, &k);
	assert_int_equal(k.n, 5);
	assert_string_equal(k.text[0], "介護");
	assert_string_equal(k.text[1], "護予");
	assert_string_equal(k.text[2], "予防");
	assert_string_equal(k.text[3], "防");
	assert_true(k.colocated[3]);
	assert_string_equal(k.text[4], "食"); /* a one-character run */
	/* in a query no co-located unigram */
	memset(&k, 0, sizeof k);
	sasae_tokenize(&n, SASAE_TOKENIZE_QUERY, collect, &k);
	assert_int_equal(k.n, 4);
	assert_true(sasae_norm_ends_single(&n));
	sasae_norm_free(&n);
}

/* ---- the query language ---- */

static void test_query_ok(void **state)
{
	(void)state;
	static const struct {
		const char *q;
		const char *tree;  /* sasae_query_node_format */
		const char *match; /* the FTS5 expression the SQLite backend compiles */
		int part, section;
	} cases[] = {
		{"介護", "(and (or \"介護\"))", "(\"介護\")", 0, 0},
		{"介護 高齢者", "(and (or \"介護\") (or \"高齢者\"))", "(\"介護\") AND (\"高齢者\")", 0, 0},
		{"介護　高齢者", "(and (or \"介護\") (or \"高齢者\"))", "(\"介護\") AND (\"高齢者\")", 0,
		 0}, /* a full-width space separates */
		{"ホームレス OR 路上生活", "(and (or \"ホームレス\" \"路上生活\"))",
		 "(\"ホームレス\" OR \"路上生活\")", 0, 0},
		{"支援 AB OR CD", "(and (or \"支援\") (or \"AB\" \"CD\"))",
		 "(\"支援\") AND (\"AB\" OR \"CD\")", 0, 0},
		{"支援 A", "(and (or \"支援\") (or \"A\"*))", "(\"支援\") AND (\"A\" *)", 0,
		 0}, /* one character: a prefix */
		{"成年後見 -セミナー", "(not (and (or \"成年後見\")) (or (or \"セミナー\")))",
		 "((\"成年後見\")) NOT ((\"セミナー\"))", 0, 0},
		{"\"地域 包括\"", "(and (or \"地域 包括\"))", "(\"地域 包括\")", 0, 0},
		{"食", "(and (or \"食\"*))", "(\"食\" *)", 0, 0},
		{"部署:教育局 不登校", "(and (or (departments \"教育局\")) (or \"不登校\"))",
		 "(departments : \"教育局\") AND (\"不登校\")", 0, 0},
		{"part:6 section:3 相談", "(and (or \"相談\"))", "(\"相談\")", 6, 3},
		{"ａ\"ｂ", "(and (or \"a\"b\"*))", "(\"a\"\"b\" *)", 0, 0}, /* NFKC; FTS5 doubles the quote */
		{"介護\x01高齢者", "(and (or \"介護\") (or \"高齢者\"))", "(\"介護\") AND (\"高齢者\")", 0,
		 0}, /* control characters separate */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sasae_query q;
		sasae_error err = {0};
		int rc = sasae_query_parse(&q, cases[i].q, variants, &err);
		if (rc)
			fail_msg("query %s: rc %d (%s)", cases[i].q, rc, err.message);
		sasae_buf tree = SASAE_BUF_INIT, fts = SASAE_BUF_INIT;
		sasae_query_node_format(&tree, q.match);
		if (strcmp(sasae_buf_cstr(&tree), cases[i].tree) != 0)
			fail_msg("query %s: tree %s, want %s", cases[i].q, sasae_buf_cstr(&tree),
				 cases[i].tree);
		/* SQLite-specific: the FTS5 expression the backend binds. */
		sqlb_compile(&fts, q.match);
		if (strcmp(sasae_buf_cstr(&fts), cases[i].match) != 0)
			fail_msg("query %s: sqlite FTS5 %s, want %s", cases[i].q, sasae_buf_cstr(&fts),
				 cases[i].match);
		sasae_buf_free(&tree);
		sasae_buf_free(&fts);
		assert_int_equal(q.part, cases[i].part);
		assert_int_equal(q.section, cases[i].section);
		sasae_query_clear(&q);
	}
}

static void test_query_errors(void **state)
{
	(void)state;
	char longq[SASAE_QUERY_MAX_BYTES + 10];
	memset(longq, 'a', sizeof longq - 1);
	longq[sizeof longq - 1] = '\0';
	char manyq[400] = "";
	for (int i = 0; i < 40; i++)
		strcat(manyq, "語 ");
	static const struct {
		const char *q;
		const char *says; /* a part of the message */
	} fixed[] = {
		{"\"介護", "引用符"},        {"OR 介護", "OR"},       {"介護 OR", "OR"},
		{"介護 OR OR 高齢者", "OR"}, {"-介護", "除外"},       {"・・・", "検索できる語"},
		{"", "検索できる語"},        {"part:x 介護", "part"}, {"part:0 介護", "part"},
		{"-part:3 介護", "除外"},    {"\xff\xfe", "UTF-8"},   {"介護 \xe3\x81", "UTF-8"},
	};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0] + 2; i++) {
		const char *q = i < sizeof fixed / sizeof fixed[0]    ? fixed[i].q
				: i == sizeof fixed / sizeof fixed[0] ? longq
								      : manyq;
		const char *says = i < sizeof fixed / sizeof fixed[0]    ? fixed[i].says
				   : i == sizeof fixed / sizeof fixed[0] ? "長すぎ"
									 : "多すぎ";
		sasae_query out;
		sasae_error err = {0};
		int rc = sasae_query_parse(&out, q, variants, &err);
		if (rc != SASAE_EUSAGE || strstr(err.message, says) == NULL)
			fail_msg("query #%zu: rc %d message \"%s\", want SASAE_EUSAGE mentioning %s", i, rc,
				 err.message, says);
		assert_null(out.match);
	}
}

/* ---- search over the bundled plan ---- */

static char *dir, *dbpath;
static sasae_store *store;
static int64_t version;

static int setup(void **state)
{
	(void)state;
	sasae_error err = {0};
	if (sasae_variants_default(&variants, &err))
		return -1;
	dir = tu_mkdtemp();
	const char *env = getenv("SASAE_TEST_DB"); /* a store of any backend; else a temporary SQLite file */
	dbpath = env && *env ? sasae_strdup(env) : tu_join(dir, "search.db");
	sasae_dept_table *depts;
	if (sasae_dept_table_default(&depts, &err))
		return -1;
	char *path = tu_source_path("data/sendai-2024-draft.txt");
	sasae_store *w;
	if (sasae_store_open(&w, dbpath, SASAE_STORE_CREATE, &err))
		return -1;
	sasae_import_options opt = {0};
	opt.depts = depts;
	sasae_import_summary sum;
	int rc = sasae_import_file(w, path, &opt, &sum, &err);
	sasae_store_close(w);
	sasae_dept_table_free(depts);
	free(path);
	if (rc || sasae_store_open(&store, dbpath, SASAE_STORE_READONLY, &err) ||
	    sasae_store_resolve(store, NULL, &version, &err))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sasae_store_close(store);
	sasae_variants_free(variants);
	free(dbpath);
	tu_rmdir(dir);
	return 0;
}

static sasae_search_results *run(const char *q, int limit)
{
	sasae_search_results *r = NULL;
	sasae_error err = {0};
	int rc = sasae_search(&r, store, version, q, limit, 0, &err);
	if (rc)
		fail_msg("search %s: rc %d (%s)", q, rc, err.message);
	return r;
}

static bool has(const sasae_search_results *r, const char *name)
{
	for (size_t i = 0; i < r->nresults; i++)
		if (strcmp(r->results[i].hit.name, name) == 0)
			return true;
	return false;
}

static void test_search_results(void **state)
{
	(void)state;
	/* programs, not listings: 小地域福祉ネットワーク活動への支援 is listed in 5 sections, one result */
	sasae_search_results *r = run("小地域福祉ネットワーク", 50);
	assert_int_equal(r->total, 1);
	assert_string_equal(r->results[0].hit.name, "小地域福祉ネットワーク活動への支援");
	assert_int_equal(r->results[0].hit.nplaces, 5);
	/* the exact name first, highlighted in the name */
	assert_true(r->results[0].nname_marks >= 1);
	assert_int_equal(r->results[0].name_marks[0].start, 0);
	assert_int_equal(r->results[0].name_marks[0].length, 11);
	sasae_search_results_free(r);

	/* an exact name comes first even where other names contain it */
	r = run("地域福祉セミナー", 5);
	assert_true(r->nresults >= 1);
	assert_string_equal(r->results[0].hit.name, "地域福祉セミナー");
	sasae_search_results_free(r);

	/* a variant: 子供 finds 子どもの居場所づくり; the snippet highlights the printed 子ども */
	r = run("子供の居場所", 20);
	assert_true(has(r, "子どもの居場所づくり"));
	sasae_search_results_free(r);

	/* one character: 塾 is only in 大学連携無料塾 (at the end of its name) */
	r = run("塾", 20);
	assert_int_equal(r->total, 1);
	assert_string_equal(r->results[0].hit.name, "大学連携無料塾");
	sasae_search_results_free(r);

	/* nothing found: suggestions */
	r = run("認知賞", 20);
	assert_int_equal(r->total, 0);
	assert_true(r->nsuggestions >= 1);
	assert_non_null(strstr(r->suggestions[0], "認知症"));
	sasae_search_results_free(r);

	/* a filter-only query lists a part: part 4 has 13 programs (4 parts of sections 1-3) */
	r = run("part:4", 100);
	assert_int_equal(r->total, 13);
	sasae_search_results_free(r);

	/* bad limit and offset */
	sasae_search_results *bad = NULL;
	sasae_error err = {0};
	assert_int_equal(sasae_search(&bad, store, version, "介護", 0, 0, &err), SASAE_EUSAGE);
	assert_int_equal(sasae_search(&bad, store, version, "介護", 10, -1, &err), SASAE_EUSAGE);
	assert_null(bad);
}

/* 認知症 on the bundled plan, through connection s (docs/search.md: 6 programs, p0026 first). */
static void expect_dementia(sasae_store *s)
{
	sasae_search_results *r = NULL;
	sasae_error err = {0};
	if (sasae_search(&r, s, version, "認知症", 20, 0, &err))
		fail_msg("search: %s", err.message);
	assert_int_equal(r->total, 6);
	assert_string_equal(r->results[0].hit.program, "p0026");
	sasae_search_results_free(r);
}

/* A connection keeps what it learnt about a version's index (the range of its rows, their lengths)
   from one search to the next.  A reindex gives the version new rows — after another plan's, so
   at other row ids — and the searches must follow, whether another connection or the same one
   wrote them. */
static void test_search_after_reindex(void **state)
{
	(void)state;
	expect_dementia(store);
	sasae_store *w = NULL;
	sasae_error err = {0};
	sasae_dept_table *depts = NULL;
	char *path = tu_source_path("data/sendai-2024-draft.txt");
	sasae_import_options opt = {0};
	sasae_import_summary sum;
	int64_t other = 0;
	opt.slug = "another-plan";
	if (sasae_dept_table_default(&depts, &err) || sasae_store_open(&w, dbpath, 0, &err))
		fail_msg("open: %s", err.message);
	opt.depts = depts;
	if (sasae_import_file(w, path, &opt, &sum, &err) ||
	    sasae_store_resolve(w, "another-plan", &other, &err) || sasae_store_reindex(w, version, &err))
		fail_msg("import, reindex: %s", err.message);
	expect_dementia(store); /* after another connection's reindex */
	expect_dementia(w);
	if (sasae_store_reindex(w, other, &err) || sasae_store_reindex(w, version, &err))
		fail_msg("reindex: %s", err.message);
	expect_dementia(w); /* after its own */
	expect_dementia(store);
	sasae_store_close(w);
	sasae_dept_table_free(depts);
	free(path);
}

/* The core's fallback of the optional count (a search's total, capped) agrees with the backend's
   own: the same backend opened again with its count removed from its table. */
static void test_count_fallback(void **state)
{
	(void)state;
	sasae_store_backend *b = NULL;
	sasae_store *bare = NULL;
	sasae_error err = {0};
	const char *env = getenv("SASAE_TEST_DB");
	if (env && *env)
		skip(); /* the copy below is opened through the SQLite backend */
	if (sasae_sqlite_backend_open(&b, dbpath, SASAE_STORE_READONLY, &err))
		fail_msg("open: %s", err.message);
	b->count = NULL;
	b->discard = NULL;
	assert_int_equal(sasae_store_attach(&bare, b, &err), 0);
	static const char *const words[] = {"介護", "支援", "認知症", "zzzz", "食"};
	static const size_t caps[] = {0, 1, 3, 2000};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		for (size_t k = 0; k < sizeof caps / sizeof caps[0]; k++)
			for (int field = SASAE_QUERY_ANY; field <= SASAE_QUERY_NAME; field++) {
				sasae_query_node *n =
					sasae_query_node_new(SASAE_QUERY_TERM, (sasae_query_field)field,
							     words[i], i == 4);
				assert_non_null(n);
				size_t native = 99, fallback = 99;
				assert_int_equal(sasae_store_count(store, version, n, caps[k], &native, &err),
						 0);
				assert_int_equal(sasae_store_count(bare, version, n, caps[k], &fallback, &err),
						 0);
				if (native != fallback)
					fail_msg("count %s cap %zu: backend %zu, fallback %zu", words[i],
						 caps[k], native, fallback);
				sasae_query_node_free(n);
			}
	sasae_store_discard(bare); /* discard without the backend's own: a close */
	assert_int_equal(access(dbpath, F_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize_table),
		cmocka_unit_test(test_normalize_offsets),
		cmocka_unit_test(test_tokenize),
		cmocka_unit_test(test_query_ok),
		cmocka_unit_test(test_query_errors),
		cmocka_unit_test(test_search_results),
		cmocka_unit_test(test_search_after_reindex),
		cmocka_unit_test(test_count_fallback),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
