/*
 * fuzz_outline.c — libFuzzer target for the outline file parser (src/model/outline.c).
 *
 * Parses the input with sasae_outline_parse() and checks its contract: the result code is 0,
 * SASAE_EDATA or SASAE_ENOMEM and matches the error slot; on failure the outline is left empty;
 * on success every title is valid UTF-8 and sasae_outline_title() answers for every part number,
 * in range or not.  The sanitizers catch the rest.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/error.h"
#include "sasae/outline.h"
#include "sasae/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_outline: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sasae_outline o;
	sasae_error err = {0};
	int rc = sasae_outline_parse(&o, "fuzz.outline.tsv", (const char *)data, size, &err);
	if (rc != 0 && rc != SASAE_EDATA && rc != SASAE_ENOMEM)
		fail("unexpected result code");
	if (rc != 0 && err.code != rc)
		fail("the error slot does not hold the returned code");
	if (memchr(err.message, '\0', sizeof err.message) == NULL)
		fail("unterminated error message");
	if (rc != 0 && (o.n != 0 || o.titles != NULL))
		fail("a failed parse left entries behind");
	if (rc == 0) {
		if ((o.n == 0) != (o.titles == NULL))
			fail("n and titles disagree");
		for (size_t i = 0; i < o.n; i++) {
			const char *t = sasae_outline_title(&o, (int)i + 1);
			if (t != o.titles[i])
				fail("sasae_outline_title does not return the entry");
			if (t != NULL && !sasae_utf8_valid(t, strlen(t), NULL))
				fail("a title is not valid UTF-8");
		}
		if (sasae_outline_title(&o, 0) != NULL || sasae_outline_title(&o, -1) != NULL ||
		    sasae_outline_title(&o, (int)o.n + 1) != NULL)
			fail("sasae_outline_title answered for a part out of range");
	}
	sasae_outline_clear(&o);
	sasae_outline_clear(&o); /* clearing twice is harmless */
	return 0;
}
