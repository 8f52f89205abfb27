/*
 * test_util.h — small helpers shared by the unit tests: files of the source tree, temporary
 * directories, and a write callback that collects output in a sasae_buf.  Everything is static so
 * that each test program carries its own copy; a helper that fails aborts the test through cmocka.
 *
 * Include after <setjmp.h>, <stdarg.h>, <stddef.h>, <stdint.h> and <cmocka.h>.
 */
#ifndef SASAE_TEST_UTIL_H
#define SASAE_TEST_UTIL_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sasae/buf.h"

#ifndef SASAE_SOURCE_DIR
#error "SASAE_SOURCE_DIR must name the source tree (set by tests/CMakeLists.txt)"
#endif

/* The path of a file of the source tree, e.g. "data/sendai-2024-draft.txt" (malloc'd). */
static inline char *tu_source_path(const char *rel)
{
	size_t n = strlen(SASAE_SOURCE_DIR) + 1 + strlen(rel) + 1;
	char *p = malloc(n);
	assert_non_null(p);
	snprintf(p, n, "%s/%s", SASAE_SOURCE_DIR, rel);
	return p;
}

/* The whole content of a file (malloc'd, NUL-terminated; *len without the NUL). Fails the test
   when the file cannot be read. */
static inline char *tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	sasae_buf b = SASAE_BUF_INIT;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		sasae_buf_append(&b, chunk, n);
	assert_false(ferror(f));
	fclose(f);
	assert_true(sasae_buf_ok(&b));
	if (len)
		*len = b.len;
	char *s = sasae_buf_detach(&b);
	assert_non_null(s);
	return s;
}

/* A file of the source tree, read whole. */
static inline char *tu_read_source(const char *rel, size_t *len)
{
	char *path = tu_source_path(rel);
	char *s = tu_read_file(path, len);
	free(path);
	return s;
}

static inline void tu_write_file(const char *path, const char *bytes, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (f == NULL)
		fail_msg("cannot create %s", path);
	assert_int_equal(fwrite(bytes, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* A new empty directory under $TMPDIR (or /tmp); malloc'd path. */
static inline char *tu_mkdtemp(void)
{
	const char *tmp = getenv("TMPDIR");
	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	size_t n = strlen(tmp) + 32;
	char *p = malloc(n);
	assert_non_null(p);
	snprintf(p, n, "%s/sasae-test-XXXXXX", tmp);
	if (mkdtemp(p) == NULL)
		fail_msg("mkdtemp failed in %s", tmp);
	return p;
}

/* path joined with name (malloc'd). */
static inline char *tu_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + 1 + strlen(name) + 1;
	char *p = malloc(n);
	assert_non_null(p);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* Remove a flat directory made by tu_mkdtemp with the files in it, and free the path. */
static inline void tu_rmdir(char *dir)
{
	if (dir == NULL)
		return;
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char *p = tu_join(dir, e->d_name);
			unlink(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(dir);
	free(dir);
}

/* A sasae_write_fn that appends to the sasae_buf given as ctx. */
static inline int tu_buf_write(void *ctx, const char *data, size_t len)
{
	sasae_buf_append((sasae_buf *)ctx, data, len);
	return sasae_buf_ok((sasae_buf *)ctx) ? 0 : -1;
}

/* Replace the first occurrence of from in s by to (malloc'd result); fails when from is absent. */
static inline char *tu_replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	if (at == NULL)
		fail_msg("text to replace not found: %s", from);
	sasae_buf b = SASAE_BUF_INIT;
	sasae_buf_append(&b, s, (size_t)(at - s));
	sasae_buf_puts(&b, to);
	sasae_buf_puts(&b, at + strlen(from));
	char *r = sasae_buf_detach(&b);
	assert_non_null(r);
	return r;
}

#endif
