/*
 * fuzz_parse.c — libFuzzer target for the plan-list parser (src/parse/parse.c).
 *
 * Each input is parsed three ways, and the three must agree (abort() when they do not):
 *   1. sasae_parse_document(), the whole document in memory, with the default department table;
 *   2. a sasae_parser fed the whole input in one call;
 *   3. a sasae_parser fed the same bytes in chunks whose sizes (0 included) come from a generator
 *      seeded by a hash of the input — a push parser must not depend on how its input is cut.
 * 2 and 3 must produce the same event stream (titles, parts, sections, listings with all their
 * fields, warnings), the same result code and the same error line; 1 and 2 the same result code and,
 * on success, the same number of listings and sections.  The sanitizers catch the rest.
 *
 * Built with -fsanitize=fuzzer by fuzz/CMakeLists.txt, and with fuzz/replay_main.c as the corpus
 * replay test of every build (fuzz/replay.cmake).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/departments.h"
#include "sasae/error.h"
#include "sasae/model.h"
#include "sasae/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The default department table, created on first use and kept for the whole run. */
static const sasae_dept_table *default_depts(void)
{
	static sasae_dept_table *table;
	if (table == NULL) {
		sasae_error err = {0};
		if (sasae_dept_table_default(&table, &err) != 0) {
			fprintf(stderr, "fuzz_parse: default department table: %s\n", err.message);
			abort();
		}
	}
	return table;
}

/* What a parse reported: counts and an FNV-1a hash of every event in order. */
typedef struct trace {
	uint64_t hash;
	size_t titles, parts, sections, listings, warnings;
} trace;

static void mix(trace *t, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		t->hash ^= b[i];
		t->hash *= 0x100000001b3ULL;
	}
}

static void mix_long(trace *t, long v) { mix(t, &v, sizeof v); }

static void mix_str(trace *t, const char *s)
{
	if (s == NULL) {
		mix_long(t, -1);
		return;
	}
	mix(t, s, strlen(s) + 1);
}

static int on_title(void *ctx, const char *title)
{
	trace *t = ctx;
	t->titles++;
	mix_long(t, 'T');
	mix_str(t, title);
	return 0;
}

static int on_part(void *ctx, int part)
{
	trace *t = ctx;
	t->parts++;
	mix_long(t, 'P');
	mix_long(t, part);
	return 0;
}

static int on_section(void *ctx, int part, int number, const char *title, long line)
{
	trace *t = ctx;
	t->sections++;
	mix_long(t, 'S');
	mix_long(t, part);
	mix_long(t, number);
	mix_str(t, title);
	mix_long(t, line);
	return 0;
}

static int on_listing(void *ctx, const sasae_listing *l)
{
	trace *t = ctx;
	t->listings++;
	mix_long(t, 'L');
	mix_long(t, l->part);
	mix_long(t, l->section);
	mix_long(t, l->position);
	mix_long(t, l->number);
	mix_str(t, l->name);
	mix_str(t, l->summary);
	mix_long(t, l->relisted);
	mix_long(t, (long)l->ndepartments);
	for (size_t i = 0; i < l->ndepartments; i++) {
		mix_str(t, l->departments[i].name);
		mix_str(t, l->departments[i].note);
	}
	mix_str(t, l->program);
	mix_long(t, l->source_line);
	return 0;
}

static void on_warning(void *ctx, const sasae_warning *w)
{
	trace *t = ctx;
	t->warnings++;
	mix_long(t, 'W');
	mix_str(t, w->file);
	mix_long(t, w->line);
	mix_str(t, w->kind);
	mix_str(t, w->message);
}

static void on_progress(void *ctx, size_t bytes)
{
	(void)ctx;
	(void)bytes;
}

/*
 * Chunk sizes, from a small xorshift generator seeded with a hash of the whole input (not only its
 * first byte: every document with a BOM starts with the same byte).  A quarter of the inputs are
 * fed one byte at a time, the most hostile cutting; the others in chunks of up to 2^max_shift
 * bytes.  Now and then a chunk is empty, which is legal and must change nothing.
 */
typedef struct chunker {
	uint32_t state;
	unsigned max_shift; /* chunks of up to 2^max_shift bytes; 0: one byte at a time */
} chunker;

static chunker chunker_new(const char *data, size_t size)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < size; i++)
		h = (h ^ (unsigned char)data[i]) * 16777619u;
	chunker c = {h ? h : 1, 0}; /* xorshift never leaves 0 */
	if (h % 4 != 0)
		c.max_shift = 1 + (h >> 2) % 12;
	return c;
}

static size_t next_chunk(chunker *c)
{
	uint32_t x = c->state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	c->state = x;
	if (x % 11 == 0)
		return 0;
	return 1 + (x >> 8) % (1u << c->max_shift);
}

/* Parse data with a push parser fed in chunks (whole_input: one feed).  Returns the result code. */
static int push_parse(const char *data, size_t size, bool whole_input, trace *t, sasae_error *err)
{
	sasae_parse_sink sink = {t, on_title, on_part, on_section, on_listing, on_warning, on_progress};
	sasae_parser *p = sasae_parser_new("fuzz.txt", default_depts(), &sink);
	if (p == NULL)
		abort();
	chunker c = chunker_new(data, size);
	int rc = 0;
	size_t pos = 0;
	if (whole_input) {
		rc = sasae_parser_feed(p, data, size, err);
		pos = size;
	}
	while (rc == 0 && pos < size) {
		size_t n = next_chunk(&c);
		if (n > size - pos)
			n = size - pos;
		rc = sasae_parser_feed(p, data + pos, n, err);
		pos += n;
	}
	if (rc == 0)
		rc = sasae_parser_finish(p, err);
	/* After an error the parser must keep returning it. */
	if (rc != 0 && (sasae_parser_feed(p, "x\n", 2, NULL) != rc || sasae_parser_finish(p, NULL) != rc)) {
		fprintf(stderr, "fuzz_parse: the parser forgot its error %d\n", rc);
		abort();
	}
	sasae_parser_free(p);
	return rc;
}

static void check_rc(const char *what, int rc, const sasae_error *err)
{
	if (rc != 0 && rc != SASAE_EDATA && rc != SASAE_ENOMEM) {
		fprintf(stderr, "fuzz_parse: %s returned unexpected code %d\n", what, rc);
		abort();
	}
	if (rc != 0 && err->code != rc) {
		fprintf(stderr, "fuzz_parse: %s returned %d but the error slot says %d\n", what, rc, err->code);
		abort();
	}
	if (memchr(err->message, '\0', sizeof err->message) == NULL ||
	    memchr(err->file, '\0', sizeof err->file) == NULL) {
		fprintf(stderr, "fuzz_parse: %s left an unterminated error slot\n", what);
		abort();
	}
}

#define MISMATCH(...)                                                                     \
	do {                                                                              \
		fprintf(stderr, "fuzz_parse: chunking changed the result: " __VA_ARGS__); \
		fputc('\n', stderr);                                                      \
		abort();                                                                  \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *bytes = (const char *)data;

	/* 1. The whole document in memory. */
	sasae_plan *plan = NULL;
	sasae_error doc_err = {0};
	int doc_rc =
		sasae_parse_document(&plan, "fuzz.txt", bytes, size, default_depts(), NULL, NULL, &doc_err);
	check_rc("sasae_parse_document", doc_rc, &doc_err);
	if ((doc_rc == 0) != (plan != NULL)) {
		fprintf(stderr, "fuzz_parse: sasae_parse_document returned %d with plan %p\n", doc_rc,
			(void *)plan);
		abort();
	}

	/* 2. One feed; 3. many feeds of varying sizes. */
	trace whole = {0xcbf29ce484222325ULL, 0, 0, 0, 0, 0};
	trace chunked = whole;
	sasae_error whole_err = {0}, chunked_err = {0};
	int whole_rc = push_parse(bytes, size, true, &whole, &whole_err);
	int chunked_rc = push_parse(bytes, size, false, &chunked, &chunked_err);
	check_rc("sasae_parser (one feed)", whole_rc, &whole_err);
	check_rc("sasae_parser (chunks)", chunked_rc, &chunked_err);

	if (whole_rc != chunked_rc)
		MISMATCH("code %d in one feed, %d in chunks (line %ld / %ld: %s / %s)", whole_rc, chunked_rc,
			 whole_err.line, chunked_err.line, whole_err.message, chunked_err.message);
	if (whole_rc != 0 && whole_err.line != chunked_err.line)
		MISMATCH("error at line %ld in one feed, %ld in chunks", whole_err.line, chunked_err.line);
	if (whole.listings != chunked.listings)
		MISMATCH("%zu listings in one feed, %zu in chunks", whole.listings, chunked.listings);
	if (whole.titles != chunked.titles || whole.parts != chunked.parts || whole.sections != chunked.sections)
		MISMATCH("titles/parts/sections %zu/%zu/%zu in one feed, %zu/%zu/%zu in chunks", whole.titles,
			 whole.parts, whole.sections, chunked.titles, chunked.parts, chunked.sections);
	if (whole.warnings != chunked.warnings)
		MISMATCH("%zu warnings in one feed, %zu in chunks", whole.warnings, chunked.warnings);
	if (whole.hash != chunked.hash)
		MISMATCH("same counts but different titles, sections, listings or warnings");

	/* The document convenience is the same parser. */
	if (doc_rc != whole_rc) {
		fprintf(stderr, "fuzz_parse: sasae_parse_document returned %d, the push parser %d\n", doc_rc,
			whole_rc);
		abort();
	}
	if (plan != NULL) {
		if (sasae_plan_count_listings(plan) != whole.listings ||
		    sasae_plan_count_sections(plan) != whole.sections || plan->nparts != whole.parts) {
			fprintf(stderr,
				"fuzz_parse: sasae_parse_document built %zu listings / %zu sections / %zu parts, "
				"the push parser reported %zu / %zu / %zu\n",
				sasae_plan_count_listings(plan), sasae_plan_count_sections(plan),
				plan->nparts, whole.listings, whole.sections, whole.parts);
			abort();
		}
		/* Every listing got a program, and every program has a place. */
		for (size_t i = 0; i < plan->nparts; i++)
			for (size_t j = 0; j < plan->parts[i].nsections; j++)
				for (size_t k = 0; k < plan->parts[i].sections[j].nlistings; k++)
					if (plan->parts[i].sections[j].listings[k].program == NULL) {
						fprintf(stderr, "fuzz_parse: a listing has no program\n");
						abort();
					}
		for (size_t i = 0; i < plan->nprograms; i++)
			if (plan->programs[i].nplaces == 0) {
				fprintf(stderr, "fuzz_parse: program %s has no place\n", plan->programs[i].id);
				abort();
			}
	}
	sasae_plan_free(plan);
	return 0;
}
