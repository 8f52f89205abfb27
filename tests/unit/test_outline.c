/*
 * test_outline.c — unit tests of the outline file (include/core/sasae/outline.h): "number<TAB>title"
 * lines naming a plan's parts, with comments and blank lines; bad lines with their line numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sasae/outline.h"
#include "test_util.h"

static void parse_ok(sasae_outline *o, const char *text)
{
	sasae_error err = {0};
	int rc = sasae_outline_parse(o, "outline.tsv", text, strlen(text), &err);
	if (rc != 0)
		fail_msg("outline: %d %s:%ld: %s", rc, err.file, err.line, err.message);
}

static void test_good_outline(void **state)
{
	(void)state;
	sasae_outline o;
	parse_ok(&o, "1\t基本目標1 共に生きる意識\n2\t基本目標2 地域活動\n3\t生活困窮者自立支援\n");
	assert_int_equal(o.n, 3);
	assert_string_equal(sasae_outline_title(&o, 1), "基本目標1 共に生きる意識");
	assert_string_equal(sasae_outline_title(&o, 2), "基本目標2 地域活動");
	assert_string_equal(sasae_outline_title(&o, 3), "生活困窮者自立支援");
	assert_null(sasae_outline_title(&o, 0));
	assert_null(sasae_outline_title(&o, 4));
	assert_null(sasae_outline_title(&o, -1));
	sasae_outline_clear(&o);
	assert_int_equal(o.n, 0);
	assert_null(o.titles);
	assert_null(sasae_outline_title(NULL, 1));
}

static void test_comments_blank_lines_crlf(void **state)
{
	(void)state;
	sasae_outline o;
	parse_ok(&o, "# Outline of a plan\r\n"
		     "\r\n"
		     "   \n"
		     "  # an indented comment\n"
		     "1\t  第一部  \r\n"
		     "\n"
		     "# part 2 has no title yet\n"
		     "3\t第三部"); /* no newline at the end */
	assert_int_equal(o.n, 3);
	assert_string_equal(sasae_outline_title(&o, 1), "第一部");
	assert_null(sasae_outline_title(&o, 2));
	assert_string_equal(sasae_outline_title(&o, 3), "第三部");
	sasae_outline_clear(&o);
	/* nothing but comments: an empty outline */
	parse_ok(&o, "# nothing\n\n");
	assert_int_equal(o.n, 0);
	assert_null(sasae_outline_title(&o, 1));
	sasae_outline_clear(&o);
	parse_ok(&o, "");
	assert_int_equal(o.n, 0);
	sasae_outline_clear(&o);
}

/* The outline bundled for the Sendai draft names its six parts. */
static void test_bundled_outline(void **state)
{
	(void)state;
	size_t len;
	char *text = tu_read_source("data/sendai-2024-draft.outline.tsv", &len);
	sasae_outline o;
	sasae_error err = {0};
	assert_int_equal(sasae_outline_parse(&o, "sendai.outline.tsv", text, len, &err), 0);
	assert_int_equal(o.n, 6);
	for (int i = 1; i <= 6; i++) {
		assert_non_null(sasae_outline_title(&o, i));
		assert_true(sasae_outline_title(&o, i)[0] != '\0');
	}
	assert_non_null(strstr(sasae_outline_title(&o, 1), "基本目標1"));
	assert_non_null(strstr(sasae_outline_title(&o, 6), "再犯防止"));
	sasae_outline_clear(&o);
	free(text);
}

typedef struct bad_case {
	const char *what;
	const char *text;
	long line;
} bad_case;

static const bad_case bad_cases[] = {
	{"no TAB", "1\t第一部\n2 第二部\n", 2},
	{"not a number", "# c\n\nx\t第一部\n", 3},
	{"number with letters", "1\tA\n2a\tB\n", 2},
	{"part 0", "0\t第零部\n", 1},
	{"negative part", "1\tA\n-2\tB\n", 2},
	{"the same part twice", "1\tA\n2\tB\n\n1\tC\n", 4},
	{"title without a number", "1\tA\n\t第二部\n", 2},
	{"not UTF-8", "1\tA\n2\t\x91\xe6\x93\xf1\n", 2},
};

static void test_bad_lines(void **state)
{
	(void)state;
	int failures = 0; /* every case is checked and reported */
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const bad_case *c = &bad_cases[i];
		sasae_outline o = {0};
		sasae_error err = {0};
		int rc = sasae_outline_parse(&o, "bad.outline", c->text, strlen(c->text), &err);
		if (rc != SASAE_EDATA || err.code != SASAE_EDATA || strcmp(err.file, "bad.outline") != 0 ||
		    err.message[0] == '\0') {
			print_error("%s: rc %d code %d file \"%s\", want SASAE_EDATA, bad.outline and a message\n",
				    c->what, rc, err.code, err.file);
			failures++;
		} else if (err.line != c->line) {
			print_error("%s: err.line %ld, want %ld (%s)\n", c->what, err.line, c->line,
				    err.message);
			failures++;
		}
		/* nothing is left allocated in the outline */
		if (o.n != 0 || o.titles != NULL) {
			print_error("%s: the outline was not cleared\n", c->what);
			failures++;
			sasae_outline_clear(&o);
		}
	}
	assert_int_equal(failures, 0);
}

/* The parser reads only the len bytes it is given: the text comes in an exact-size buffer with
   no NUL after it (AddressSanitizer catches a read past the end). */
static void test_exact_size_buffers(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		long line; /* 0: good */
		size_t n;  /* parts when good */
	} cases[] = {
		/* clang-format off */
		{"1\tA\n2\tB", 0, 2},
		{"1\tA\n\t12", 2, 0}, /* a TAB first, then digits up to the end */
		{"1\tA\n \t7", 2, 0},
		{"1\tA\n12", 2, 0},    /* digits up to the end, no TAB */
		{"1\tA\n3\t", 0, 3},  /* an empty title at the very end */
		/* clang-format on */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len = strlen(cases[i].text);
		char *exact = malloc(len);
		assert_non_null(exact);
		memcpy(exact, cases[i].text, len);
		sasae_outline o = {0};
		sasae_error err = {0};
		int rc = sasae_outline_parse(&o, "exact.tsv", exact, len, &err);
		free(exact);
		if (cases[i].line == 0) {
			assert_int_equal(rc, 0);
			assert_int_equal(o.n, cases[i].n);
		} else {
			assert_int_equal(rc, SASAE_EDATA);
			assert_int_equal(err.line, cases[i].line);
		}
		sasae_outline_clear(&o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_outline),       cmocka_unit_test(test_comments_blank_lines_crlf),
		cmocka_unit_test(test_bundled_outline),    cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_exact_size_buffers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
