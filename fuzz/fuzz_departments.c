/*
 * fuzz_departments.c — libFuzzer target for the department table parser (src/model/departments.c).
 *
 * Parses the input with sasae_dept_table_parse() and checks its contract (result code 0,
 * SASAE_EDATA or SASAE_ENOMEM, matching the error slot, no table on failure).  On success it looks
 * up every word of the input (split at white space and TABs, as the table file is) with
 * sasae_dept_table_canonical() and sasae_dept_table_split(), and checks that what they return is
 * canonical: looking a canonical name up again gives the same name.  The sanitizers catch the rest.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/departments.h"
#include "sasae/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
	MAX_WORDS = 64, /* words looked up per input */
	MAX_WORD = 256, /* longest word looked up (bytes) */
	MAX_PARTS = 8,  /* as the parser splits a token */
};

static void fail(const char *what, const char *word)
{
	fprintf(stderr, "fuzz_departments: %s%s%s\n", what, word ? ": " : "", word ? word : "");
	abort();
}

/* A name returned by the table must be canonical: its own canonical name. */
static void check_canonical(const sasae_dept_table *t, const char *name, const char *word)
{
	const char *again = sasae_dept_table_canonical(t, name);
	if (again == NULL || strcmp(again, name) != 0)
		fail("a canonical name returned by the table is not canonical", word);
}

static void look_up(const sasae_dept_table *t, const char *word)
{
	const char *canon = sasae_dept_table_canonical(t, word);
	if (canon != NULL)
		check_canonical(t, canon, word);
	const char *parts[MAX_PARTS];
	size_t n = sasae_dept_table_split(t, word, parts, MAX_PARTS);
	if (n > MAX_PARTS)
		fail("sasae_dept_table_split returned more parts than asked for", word);
	if (canon != NULL && n == 0)
		fail("a known name cannot be split into known names", word);
	for (size_t i = 0; i < n; i++)
		check_canonical(t, parts[i], word);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *bytes = (const char *)data;
	sasae_dept_table *t = (sasae_dept_table *)(uintptr_t)1; /* must be reset to NULL on failure */
	sasae_error err = {0};
	int rc = sasae_dept_table_parse(&t, "fuzz.tsv", bytes, size, &err);
	if (rc != 0 && rc != SASAE_EDATA && rc != SASAE_ENOMEM)
		fail("unexpected result code", NULL);
	if (rc != 0 && err.code != rc)
		fail("the error slot does not hold the returned code", NULL);
	if (memchr(err.message, '\0', sizeof err.message) == NULL)
		fail("unterminated error message", NULL);
	if (rc != 0) {
		if (t != NULL)
			fail("a failed parse returned a table", NULL);
		return 0;
	}
	if (t == NULL)
		fail("a successful parse returned no table", NULL);

	/* Look up the words of the input. */
	char word[MAX_WORD + 1];
	size_t nwords = 0, i = 0;
	while (i < size && nwords < MAX_WORDS) {
		while (i < size && (bytes[i] == ' ' || bytes[i] == '\t' || bytes[i] == '\n' || bytes[i] == '\r'))
			i++;
		size_t b = i;
		while (i < size && bytes[i] != ' ' && bytes[i] != '\t' && bytes[i] != '\n' && bytes[i] != '\r')
			i++;
		size_t n = i - b;
		if (n == 0 || n > MAX_WORD || memchr(bytes + b, '\0', n) != NULL)
			continue;
		memcpy(word, bytes + b, n);
		word[n] = '\0';
		look_up(t, word);
		nwords++;
	}
	look_up(t, "");
	if (sasae_dept_table_count(t) > size)
		fail("more canonical entries than bytes", NULL);
	sasae_dept_table_free(t);
	return 0;
}
