/*
 * test_departments.c — unit tests of the department table (include/core/sasae/departments.h): the
 * default table built from data/departments.tsv, canonical names of aliases, the split of names
 * printed without a space, and bad table files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sasae/departments.h"
#include "test_util.h"

static sasae_dept_table *default_table(void)
{
	sasae_dept_table *t = NULL;
	sasae_error err = {0};
	int rc = sasae_dept_table_default(&t, &err);
	if (rc != 0)
		fail_msg("default table: %d %s:%ld: %s", rc, err.file, err.line, err.message);
	assert_non_null(t);
	return t;
}

static sasae_dept_table *table_from(const char *text)
{
	sasae_dept_table *t = NULL;
	sasae_error err = {0};
	int rc = sasae_dept_table_parse(&t, "test.tsv", text, strlen(text), &err);
	if (rc != 0)
		fail_msg("table: %d %s:%ld: %s", rc, err.file, err.line, err.message);
	assert_non_null(t);
	return t;
}

/* The default table has one entry per body line of data/departments.tsv (counted here by the
   file's own rules: not blank, not a '#' comment), and knows every canonical name it lists. */
static void test_default_table(void **state)
{
	(void)state;
	sasae_dept_table *t = default_table();
	size_t len;
	char *text = tu_read_source("data/departments.tsv", &len);
	size_t lines = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		size_t n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		lines++;
		char *tab = strchr(line, '\t');
		if (tab)
			*tab = '\0';
		const char *canon = sasae_dept_table_canonical(t, line);
		if (canon == NULL || strcmp(canon, line) != 0)
			fail_msg("canonical name %s is not its own canonical (%s)", line,
				 canon ? canon : "NULL");
	}
	free(text);
	assert_true(lines > 0);
	assert_int_equal(sasae_dept_table_count(t), lines);
	sasae_dept_table_free(t);
}

typedef struct canon_case {
	const char *name;
	const char *want; /* NULL: unknown */
} canon_case;

static const canon_case canon_cases[] = {
	{"市社会福祉協議会", "市社会福祉協議会"},
	{"社会福祉協議会", "市社会福祉協議会"},
	{"市社協", "市社会福祉協議会"},
	{"仙台市社会福祉協議会", "市社会福祉協議会"},
	{"健康福祉局", "健康福祉局"},
	{"市民局", "市民局"},
	{"子供未来局", "子供未来局"},
	{"こども若者局", "子供未来局"},
	{"教育委員会", "教育局"},
	{"危機管理局", "危機管理室"},
	{"青葉区役所", "青葉区"},
	{"関係局区", "関係局区"},
	{"関係局・区", "関係局区"},
	{"都市整備局", "都市整備局"},
	{"健康福祉", NULL},
	{"福祉局", NULL},
	{"健康福祉局市社会福祉協議会", NULL}, /* run together: not one name */
	{"市民局 ", NULL},
	{"", NULL},
};

static void test_canonical(void **state)
{
	(void)state;
	sasae_dept_table *t = default_table();
	for (size_t i = 0; i < sizeof canon_cases / sizeof canon_cases[0]; i++) {
		const char *got = sasae_dept_table_canonical(t, canon_cases[i].name);
		const char *want = canon_cases[i].want;
		if ((got == NULL) != (want == NULL) || (got && strcmp(got, want) != 0))
			fail_msg("canonical(%s) = %s, want %s", canon_cases[i].name, got ? got : "NULL",
				 want ? want : "NULL");
	}
	assert_null(sasae_dept_table_canonical(NULL, "市民局"));
	sasae_dept_table_free(t);
}

typedef struct split_case {
	const char *token;
	size_t n;
	const char *want[4];
} split_case;

static const split_case split_cases[] = {
	{"健康福祉局市社会福祉協議会", 2, {"健康福祉局", "市社会福祉協議会"}},
	{"健康福祉局社会福祉協議会", 2, {"健康福祉局", "市社会福祉協議会"}}, /* alias inside */
	{"市民局教育局子供未来局", 3, {"市民局", "教育局", "子供未来局"}},
	{"青葉区役所市民局", 2, {"青葉区", "市民局"}},
	{"市民局健康福祉局", 2, {"市民局", "健康福祉局"}},
	{"健康福祉局", 1, {"健康福祉局"}},
	{"社会福祉協議会", 1, {"市社会福祉協議会"}},
	{"健康福祉局不明課", 0, {NULL}}, /* an unknown remainder */
	{"不明課健康福祉局", 0, {NULL}},
	{"健康福祉局市", 0, {NULL}},
	{"不明課", 0, {NULL}},
	{"", 0, {NULL}},
};

static void test_split(void **state)
{
	(void)state;
	sasae_dept_table *t = default_table();
	for (size_t i = 0; i < sizeof split_cases / sizeof split_cases[0]; i++) {
		const split_case *c = &split_cases[i];
		const char *parts[8] = {0};
		size_t n = sasae_dept_table_split(t, c->token, parts, 8);
		if (n != c->n)
			fail_msg("split(%s) = %zu parts, want %zu", c->token, n, c->n);
		for (size_t k = 0; k < n; k++)
			if (strcmp(parts[k], c->want[k]) != 0)
				fail_msg("split(%s)[%zu] = %s, want %s", c->token, k, parts[k], c->want[k]);
	}
	/* max limits the parts: a token that needs three names does not fit in two */
	const char *parts[2];
	assert_int_equal(sasae_dept_table_split(t, "市民局教育局子供未来局", parts, 2), 0);
	assert_int_equal(sasae_dept_table_split(t, "市民局教育局", parts, 2), 2);
	assert_int_equal(sasae_dept_table_split(NULL, "市民局", parts, 2), 0);
	sasae_dept_table_free(t);
}

/* The longest name that fits first, but not when the rest cannot be split: then a shorter one. */
static void test_split_backtracks(void **state)
{
	(void)state;
	sasae_dept_table *t = table_from("市民\n市民局\n局長室\n");
	const char *parts[4];
	size_t n = sasae_dept_table_split(t, "市民局長室", parts, 4);
	assert_int_equal(n, 2);
	assert_string_equal(parts[0], "市民");
	assert_string_equal(parts[1], "局長室");
	n = sasae_dept_table_split(t, "市民局市民", parts, 4);
	assert_int_equal(n, 2);
	assert_string_equal(parts[0], "市民局");
	assert_string_equal(parts[1], "市民");
	sasae_dept_table_free(t);
}

/* Comments, blank lines, CRLF, several aliases, an entry without aliases. */
static void test_parse_table_file(void **state)
{
	(void)state;
	sasae_dept_table *t = table_from("# comment line\r\n"
					 "\r\n"
					 "市民局\t市民部 シミン局\r\n"
					 "# another\n"
					 "\n"
					 "教育局\n"
					 "環境局\t  環境部  \n");
	assert_int_equal(sasae_dept_table_count(t), 3);
	assert_string_equal(sasae_dept_table_canonical(t, "市民部"), "市民局");
	assert_string_equal(sasae_dept_table_canonical(t, "シミン局"), "市民局");
	assert_string_equal(sasae_dept_table_canonical(t, "市民局"), "市民局");
	assert_string_equal(sasae_dept_table_canonical(t, "教育局"), "教育局");
	assert_string_equal(sasae_dept_table_canonical(t, "環境部"), "環境局");
	assert_null(sasae_dept_table_canonical(t, "# comment line"));
	assert_null(sasae_dept_table_canonical(t, ""));
	sasae_dept_table_free(t);
	sasae_dept_table_free(NULL);
}

/* A file with no body in it (empty, or only comments) is an empty table that knows nothing. */
static void test_empty_table(void **state)
{
	(void)state;
	static const char *const texts[] = {"", "# only a comment\n\n"};
	for (size_t i = 0; i < 2; i++) {
		sasae_dept_table *t = table_from(texts[i]);
		assert_int_equal(sasae_dept_table_count(t), 0);
		assert_null(sasae_dept_table_canonical(t, "市民局"));
		const char *parts[2];
		assert_int_equal(sasae_dept_table_split(t, "市民局", parts, 2), 0);
		sasae_dept_table_free(t);
	}
}

typedef struct bad_case {
	const char *what;
	const char *text;
	long line;
} bad_case;

static const bad_case bad_cases[] = {
	{"an alias of two bodies", "市民局\t区役所\n教育局\n青葉区\t区役所\n", 3},
	{"an alias that is another body's name", "市民局\n# c\n青葉区\t市民局\n", 3},
	{"not UTF-8 (Latin-1)", "市民局\n教育局\tk\xF6rper\n", 2},
	{"not UTF-8 (Shift_JIS)", "# 部署\n\n\x8e\x73\x96\xaf\x8b\xc7\n", 3},
	{"no canonical name before the TAB", "市民局\n\t別名\n", 2},
};

static void test_bad_tables(void **state)
{
	(void)state;
	int failures = 0; /* every case is checked and reported */
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const bad_case *c = &bad_cases[i];
		sasae_dept_table *t = (sasae_dept_table *)(uintptr_t)1;
		sasae_error err = {0};
		int rc = sasae_dept_table_parse(&t, "bad.tsv", c->text, strlen(c->text), &err);
		if (rc != SASAE_EDATA || err.code != SASAE_EDATA || t != NULL ||
		    strcmp(err.file, "bad.tsv") != 0 || err.message[0] == '\0') {
			print_error("%s: rc %d code %d file \"%s\", want SASAE_EDATA, bad.tsv, a message and no table\n",
				    c->what, rc, err.code, err.file);
			failures++;
			if (rc == 0 && t != (sasae_dept_table *)(uintptr_t)1)
				sasae_dept_table_free(t);
			continue;
		}
		if (err.line != c->line) {
			print_error("%s: err.line %ld, want %ld (%s)\n", c->what, err.line, c->line,
				    err.message);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/* The table is read from exactly len bytes (an exact-size buffer, no NUL after it). */
static void test_exact_size_buffer(void **state)
{
	(void)state;
	static const char text[] = "市民局\t市民部\n教育局\t教育委員会 教委";
	size_t len = sizeof text - 1;
	char *exact = malloc(len);
	assert_non_null(exact);
	memcpy(exact, text, len);
	sasae_dept_table *t = NULL;
	sasae_error err = {0};
	assert_int_equal(sasae_dept_table_parse(&t, "exact.tsv", exact, len, &err), 0);
	free(exact);
	assert_int_equal(sasae_dept_table_count(t), 2);
	assert_string_equal(sasae_dept_table_canonical(t, "教委"), "教育局");
	assert_string_equal(sasae_dept_table_canonical(t, "市民部"), "市民局");
	sasae_dept_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_table),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_backtracks),
		cmocka_unit_test(test_parse_table_file),
		cmocka_unit_test(test_bad_tables),
		cmocka_unit_test(test_exact_size_buffer),
		cmocka_unit_test(test_empty_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
