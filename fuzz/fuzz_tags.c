/*
 * fuzz_tags.c — libFuzzer target for the finder's data-file parsers and free-text reading
 * (src/tags/tags.c, src/finder/finder.c).
 *
 * The input is up to four files separated by form feeds (\f): vocabulary.tsv, tag-rules.tsv,
 * tag-overrides.tsv, everyday-words.tsv; a file not given is the built-in one, so that rules and
 * words are fuzzed against a real vocabulary.  Checks the parser's contract (0, SASAE_EDATA or
 * SASAE_ENOMEM; the error slot matches; no data on failure).  On success it tags the bundled plan
 * (parsed once) and runs the finder with the input's last part as free text, checking that every
 * result is a program of the plan and that the groups hold each result once.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/departments.h"
#include "sasae/finder.h"
#include "sasae/parse.h"
#include "sasae/tags.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const char sasae_data_sendai_plan[];
extern const size_t sasae_data_sendai_plan_len;

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_tags: %s\n", what);
	abort();
}

static sasae_plan *plan;
static sasae_variants *variants;

static void setup(void)
{
	sasae_error err = {0};
	sasae_dept_table *depts = NULL;
	if (sasae_variants_default(&variants, &err) || sasae_dept_table_default(&depts, &err) ||
	    sasae_parse_document(&plan, "sendai", sasae_data_sendai_plan, sasae_data_sendai_plan_len, depts,
				 NULL, NULL, &err))
		fail("setup");
	sasae_dept_table_free(depts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (plan == NULL)
		setup();
	const char *bytes = (const char *)data;
	sasae_tag_source src[SASAE_NTAGFILES];
	for (int k = 0; k < SASAE_NTAGFILES; k++) {
		src[k].file = sasae_tag_file_name(k);
		sasae_tag_file_default(k, &src[k].bytes, &src[k].len);
	}
	size_t pos = 0;
	const char *last = bytes;
	size_t last_len = size;
	for (int k = 0; k < SASAE_NTAGFILES && pos <= size; k++) {
		const char *ff = memchr(bytes + pos, '\f', size - pos);
		size_t end = ff ? (size_t)(ff - bytes) : size;
		src[k].bytes = bytes + pos;
		src[k].len = end - pos;
		last = src[k].bytes;
		last_len = src[k].len;
		if (ff == NULL)
			break;
		pos = end + 1;
	}
	sasae_tag_data *d = (sasae_tag_data *)(uintptr_t)1;
	sasae_error err = {0};
	int rc = sasae_tag_data_parse(&d, src, variants, &err);
	if (rc != 0 && rc != SASAE_EDATA && rc != SASAE_ENOMEM)
		fail("unexpected result code");
	if (rc != 0 && err.code != rc)
		fail("the error slot does not hold the returned code");
	if (memchr(err.message, '\0', sizeof err.message) == NULL)
		fail("unterminated error message");
	if (rc != 0) {
		if (d != NULL)
			fail("a failed parse returned data");
		return 0;
	}
	sasae_finder *f = NULL;
	if (sasae_finder_new(&f, plan, d, variants, &err) != 0) {
		sasae_tag_data_free(d);
		return 0;
	}
	char *text = malloc(last_len + 1);
	if (text) {
		memcpy(text, last, last_len);
		text[last_len] = '\0';
		const char *who[] = {"elderly", "x"};
		sasae_finder_query q = {who, 1, NULL, 0, text, 0, 0};
		sasae_finder_results *r = NULL;
		rc = sasae_finder_find(&r, f, &q, &err);
		if (rc == 0) {
			size_t grouped = 0;
			for (size_t i = 0; i < r->nresults; i++)
				if (r->results[i].program >= plan->nprograms)
					fail("a result is not a program of the plan");
			for (size_t g = 0; g < r->ngroups; g++)
				grouped += r->groups[g].nresults;
			if (grouped != r->nresults || r->total < r->nresults)
				fail("groups do not hold each result once");
		} else if (rc != SASAE_EUSAGE && rc != SASAE_ENOMEM) {
			fail("unexpected finder result code");
		}
		sasae_finder_results_free(r);
		free(text);
	}
	sasae_finder_free(f);
	sasae_tag_data_free(d);
	return 0;
}
