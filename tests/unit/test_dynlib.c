/*
 * test_dynlib.c — unit tests of the run-time library loader (include/util/sasae/dynlib.h): a library and
 * its functions into a table, loaded once; a missing library and a missing function are
 * SASAE_EUNAVAILABLE (exit status 69) with a message naming the library, the feature and what to
 * install, and leave the table empty.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "sasae/dynlib.h"

/* The C library stands in for an optional one: it is always there. */
#define LIBC_FUNCTIONS(X) X(strlen) X(strcmp)
#define LIBC_FIELD(f) __typeof__(f) *f;
struct libc_api {
	LIBC_FUNCTIONS(LIBC_FIELD)
};
#define LIBC_SYM(f) {#f, offsetof(struct libc_api, f)},

static void test_load(void **state)
{
	(void)state;
	static const sasae_dynsym syms[] = {LIBC_FUNCTIONS(LIBC_SYM)};
	struct libc_api api = {0};
	sasae_dynlib lib = {"libc", "libc.so.6", "テスト", syms, 2, &api, false, NULL};
	sasae_error err = {0};
	assert_int_equal(sasae_dynlib_load(&lib, &err), 0);
	assert_true(lib.loaded);
	assert_non_null(api.strlen);
	assert_int_equal(api.strlen("sasae"), 5);
	assert_true(api.strcmp("a", "b") < 0);
	/* loaded once: a second call changes nothing */
	struct libc_api copy = api;
	assert_int_equal(sasae_dynlib_load(&lib, &err), 0);
	assert_memory_equal(&copy, &api, sizeof api);
}

static void test_missing_library(void **state)
{
	(void)state;
	static const sasae_dynsym syms[] = {LIBC_FUNCTIONS(LIBC_SYM)};
	struct libc_api api = {0};
	sasae_dynlib lib = {"libsasae-missing", "libsasae-missing.so.0", "sasae serve（ウェブサーバー）", syms, 2, &api,
			    false, NULL};
	sasae_error err = {0};
	assert_int_equal(sasae_dynlib_load(&lib, &err), SASAE_EUNAVAILABLE);
	assert_int_equal(err.code, SASAE_EUNAVAILABLE);
	assert_int_equal(sasae_error_exit_status(err.code), 69);
	assert_string_equal(sasae_error_name(err.code), "unavailable");
	assert_non_null(strstr(err.message, "libsasae-missing.so.0"));
	assert_non_null(strstr(err.message, "sasae serve"));
	assert_non_null(strstr(err.message, "scripts/install-deps.sh"));
	assert_false(lib.loaded);
	assert_null(api.strlen);
	/* and again: still unavailable, still a message */
	sasae_error err2 = {0};
	assert_int_equal(sasae_dynlib_load(&lib, &err2), SASAE_EUNAVAILABLE);
	assert_true(err2.message[0] != '\0');
}

static void test_missing_function(void **state)
{
	(void)state;
	static const sasae_dynsym syms[] = {{"strlen", offsetof(struct libc_api, strlen)},
					    {"sasae_no_such_function", offsetof(struct libc_api, strcmp)}};
	struct libc_api api = {0};
	sasae_dynlib lib = {"libc", "libc.so.6", "テスト", syms, 2, &api, false, NULL};
	sasae_error err = {0};
	assert_int_equal(sasae_dynlib_load(&lib, &err), SASAE_EUNAVAILABLE);
	assert_non_null(strstr(err.message, "sasae_no_such_function"));
	assert_non_null(strstr(err.message, "libc.so.6"));
	assert_false(lib.loaded);
	assert_null(api.strlen); /* nothing half-filled */
	assert_null(api.strcmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_missing_library),
		cmocka_unit_test(test_missing_function),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
