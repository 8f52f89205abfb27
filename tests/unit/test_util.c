/*
 * test_util.c — unit tests of src/util's hash map (include/util/sasae/hashmap.h): string keys borrowed
 * and copied, 64-bit keys, insertion only when absent, growth over many keys, reserve, and
 * sasae_hashmap_free(NULL); and the CSV escapers (include/util/sasae/escape.h): RFC 4180 quoting, and
 * the spreadsheet-safe cell that keeps a typed "=…" from being read as a formula.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/escape.h"
#include "sasae/hashmap.h"

static void test_free_null(void **state)
{
	(void)state;
	sasae_hashmap_free(NULL);
}

static void test_borrowed_keys(void **state)
{
	(void)state;
	sasae_hashmap *m = sasae_hashmap_new(SASAE_HASHMAP_BORROW);
	assert_non_null(m);
	assert_int_equal(sasae_hashmap_count(m), 0);
	assert_null(sasae_hashmap_get(m, "健康福祉局")); /* an empty map */
	static const char *const keys[] = {"健康福祉局", "子供未来局", "", "a", "A", "健康福祉局 "};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		bool added = false;
		int64_t *v = sasae_hashmap_put(m, keys[i], (int64_t)i * 10, &added);
		assert_non_null(v);
		assert_true(added);
		assert_int_equal(*v, (int64_t)i * 10);
	}
	assert_int_equal(sasae_hashmap_count(m), 6);
	/* put of a present key: the value stays, *added is false */
	bool added = true;
	int64_t *v = sasae_hashmap_put(m, "子供未来局", 999, &added);
	assert_non_null(v);
	assert_false(added);
	assert_int_equal(*v, 10);
	*v = 11; /* written through */
	assert_int_equal(*sasae_hashmap_get(m, "子供未来局"), 11);
	/* equal strings at other addresses are the same key */
	char copy[32];
	snprintf(copy, sizeof copy, "%s", "健康福祉局");
	assert_int_equal(*sasae_hashmap_get(m, copy), 0);
	assert_int_equal(*sasae_hashmap_get(m, ""), 20);
	assert_int_equal(*sasae_hashmap_get(m, "A"), 40);
	assert_null(sasae_hashmap_get(m, "健康福祉"));
	assert_null(sasae_hashmap_get(m, "b"));
	assert_int_equal(sasae_hashmap_count(m), 6);
	sasae_hashmap_free(m);
}

static void test_copied_keys(void **state)
{
	(void)state;
	sasae_hashmap *m = sasae_hashmap_new(SASAE_HASHMAP_COPY);
	assert_non_null(m);
	char key[32];
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof key, "p%04d", i);
		assert_non_null(sasae_hashmap_put(m, key, i, NULL));
	}
	snprintf(key, sizeof key, "changed"); /* the map kept its own copies */
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof key, "p%04d", i);
		const int64_t *v = sasae_hashmap_get(m, key);
		assert_non_null(v);
		assert_int_equal(*v, i);
	}
	assert_null(sasae_hashmap_get(m, "changed"));
	sasae_hashmap_free(m);
}

static void test_u64_keys(void **state)
{
	(void)state;
	sasae_hashmap *m = sasae_hashmap_new(SASAE_HASHMAP_U64);
	assert_non_null(m);
	assert_null(sasae_hashmap_get_u64(m, 0));
	static const uint64_t keys[] = {0, 1, UINT64_MAX, (uint64_t)0x3042 << 32 | 0x3044, 1ULL << 63};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		bool added = false;
		assert_non_null(sasae_hashmap_put_u64(m, keys[i], -(int64_t)i, &added));
		assert_true(added);
	}
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const int64_t *v = sasae_hashmap_get_u64(m, keys[i]);
		assert_non_null(v);
		assert_int_equal(*v, -(int64_t)i);
	}
	bool added = true;
	assert_int_equal(*sasae_hashmap_put_u64(m, 1, 7, &added), -1);
	assert_false(added);
	assert_null(sasae_hashmap_get_u64(m, 2));
	assert_int_equal(sasae_hashmap_count(m), 5);
	sasae_hashmap_free(m);
}

/* Many keys: the map grows many times and finds every one, and no key it was not given. */
static void test_growth(void **state)
{
	(void)state;
	enum { N = 50000 };
	sasae_hashmap *s = sasae_hashmap_new(SASAE_HASHMAP_COPY);
	sasae_hashmap *u = sasae_hashmap_new(SASAE_HASHMAP_U64);
	assert_non_null(s);
	assert_non_null(u);
	char key[32];
	for (int64_t i = 0; i < N; i++) {
		snprintf(key, sizeof key, "事業%lld", (long long)i);
		assert_non_null(sasae_hashmap_put(s, key, i, NULL));
		assert_non_null(sasae_hashmap_put_u64(u, (uint64_t)i * 0x100000000ULL, i, NULL));
	}
	assert_int_equal(sasae_hashmap_count(s), N);
	assert_int_equal(sasae_hashmap_count(u), N);
	for (int64_t i = 0; i < N; i++) {
		snprintf(key, sizeof key, "事業%lld", (long long)i);
		const int64_t *v = sasae_hashmap_get(s, key);
		assert_non_null(v);
		assert_int_equal(*v, i);
		v = sasae_hashmap_get_u64(u, (uint64_t)i * 0x100000000ULL);
		assert_non_null(v);
		assert_int_equal(*v, i);
		assert_null(sasae_hashmap_get_u64(u, (uint64_t)i * 0x100000000ULL + 1));
	}
	snprintf(key, sizeof key, "事業%d", N);
	assert_null(sasae_hashmap_get(s, key));
	sasae_hashmap_free(s);
	sasae_hashmap_free(u);
}

static void test_reserve(void **state)
{
	(void)state;
	sasae_hashmap *m = sasae_hashmap_new(SASAE_HASHMAP_BORROW);
	assert_non_null(m);
	assert_int_equal(sasae_hashmap_reserve(m, 1000), 0);
	assert_int_equal(sasae_hashmap_count(m), 0);
	assert_non_null(sasae_hashmap_put(m, "x", 1, NULL));
	/* reserving less than there is changes nothing; an impossible size is refused */
	assert_int_equal(sasae_hashmap_reserve(m, 0), 0);
	assert_int_not_equal(sasae_hashmap_reserve(m, SIZE_MAX / 2), 0);
	assert_int_equal(*sasae_hashmap_get(m, "x"), 1);
	sasae_hashmap_free(m);
}

/* The CSV text of one field written by fn. */
static char *csv_of(void (*fn)(sasae_buf *, const char *), const char *s)
{
	sasae_buf b = SASAE_BUF_INIT;
	fn(&b, s);
	assert_true(sasae_buf_ok(&b));
	char *r = strdup(b.len ? b.data : "");
	sasae_buf_free(&b);
	assert_non_null(r);
	return r;
}

#define CSV_IS(fn, in, want)                     \
	do {                                     \
		char *got_ = csv_of(fn, in);     \
		assert_string_equal(got_, want); \
		free(got_);                      \
	} while (0)

static void test_csv_field(void **state)
{
	(void)state;
	CSV_IS(sasae_csv_field, "", "");
	CSV_IS(sasae_csv_field, "健康福祉局", "健康福祉局");
	CSV_IS(sasae_csv_field, "a,b", "\"a,b\"");
	CSV_IS(sasae_csv_field, "say \"hi\"", "\"say \"\"hi\"\"\"");
	CSV_IS(sasae_csv_field, "two\nlines", "\"two\nlines\"");
	CSV_IS(sasae_csv_field, "=1+1", "=1+1"); /* the open-data exports keep the plan's bytes */
}

static void test_csv_cell(void **state)
{
	(void)state;
	/* What a spreadsheet would run as a formula (OWASP's list of leading characters). */
	CSV_IS(sasae_csv_cell, "=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"");
	CSV_IS(sasae_csv_cell, "+81", "\"'+81\"");
	CSV_IS(sasae_csv_cell, "-2+3", "\"'-2+3\"");
	CSV_IS(sasae_csv_cell, "@SUM(A1)", "\"'@SUM(A1)\"");
	CSV_IS(sasae_csv_cell, "\t=1", "\"'\t=1\"");
	CSV_IS(sasae_csv_cell, "\r=1", "\"'\r=1\"");
	/* Everything else is RFC 4180 as sasae_csv_field writes it: an = later on is text anyway. */
	CSV_IS(sasae_csv_cell, "", "");
	CSV_IS(sasae_csv_cell, "a=1", "a=1");
	CSV_IS(sasae_csv_cell, "確認済み, 理由あり", "\"確認済み, 理由あり\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_null),   cmocka_unit_test(test_borrowed_keys),
		cmocka_unit_test(test_copied_keys), cmocka_unit_test(test_u64_keys),
		cmocka_unit_test(test_growth),      cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_csv_field),   cmocka_unit_test(test_csv_cell),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
