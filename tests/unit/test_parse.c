/*
 * test_parse.c — unit tests of the plan-list parser (include/core/sasae/parse.h).
 *
 *  (a) the bundled Sendai draft against tests/data/sendai-expected.json (hand-verified from the
 *      document): counts, chosen listings field by field, program identities, orphans;
 *  (b) small crafted documents, one rule of ../shared/docs/plan-format.md each, and warnings;
 *  (c) bad inputs: SASAE_EDATA with the exact line;
 *  (d) the push parser fed in chunks of 1 and 7 bytes gives what sasae_parse_document gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/departments.h"
#include "sasae/model.h"
#include "sasae/parse.h"
#include "sasae/text.h"
#include "test_util.h"
#include "test_plan.h"

static sasae_dept_table *depts; /* the default table, for every test */

/* ---- warnings ---- */

enum { MAX_WARNINGS = 64 };

typedef struct warning_log {
	size_t n;
	struct {
		char kind[32];
		long line;
		char message[512];
	} w[MAX_WARNINGS];
} warning_log;

static void log_warning(void *ctx, const sasae_warning *w)
{
	warning_log *log = ctx;
	assert_non_null(w->kind);
	assert_non_null(w->message);
	assert_true(w->message[0] != '\0');
	if (log->n < MAX_WARNINGS) {
		snprintf(log->w[log->n].kind, sizeof log->w[0].kind, "%s", w->kind);
		snprintf(log->w[log->n].message, sizeof log->w[0].message, "%s", w->message);
		log->w[log->n].line = w->line;
	}
	log->n++;
}

/* How many warnings of kind there are (at line, or at any line when line is 0). */
static size_t count_warnings(const warning_log *log, const char *kind, long line)
{
	size_t c = 0;
	for (size_t i = 0; i < log->n && i < MAX_WARNINGS; i++)
		if (strcmp(log->w[i].kind, kind) == 0 && (line == 0 || log->w[i].line == line))
			c++;
	return c;
}

static void dump_warnings(const warning_log *log)
{
	for (size_t i = 0; i < log->n && i < MAX_WARNINGS; i++)
		print_message("  warning %s at line %ld: %s\n", log->w[i].kind, log->w[i].line,
			      log->w[i].message);
}

/* ---- parsing helpers ---- */

static sasae_plan *parse_len(const char *text, size_t len, const sasae_dept_table *table, warning_log *log)
{
	sasae_plan *plan = NULL;
	sasae_error err = {0};
	int rc = sasae_parse_document(&plan, "doc.txt", text, len, table, log ? log_warning : NULL, log, &err);
	if (rc != 0)
		fail_msg("parse failed: %d %s:%ld: %s", rc, err.file, err.line, err.message);
	assert_non_null(plan);
	return plan;
}

static sasae_plan *parse(const char *text, warning_log *log)
{
	return parse_len(text, strlen(text), depts, log);
}

/* The program whose name has the identity key of name. */
static const sasae_program *program_named(const sasae_plan *plan, const char *name)
{
	char *want = sasae_text_identity_key(name);
	assert_non_null(want);
	const sasae_program *hit = NULL;
	for (size_t i = 0; i < plan->nprograms; i++) {
		char *k = sasae_text_identity_key(plan->programs[i].name);
		assert_non_null(k);
		if (strcmp(k, want) == 0) {
			if (hit)
				fail_msg("two programs named %s", name);
			hit = &plan->programs[i];
		}
		free(k);
	}
	free(want);
	if (hit == NULL) {
		fail_msg("no program named %s", name);
		abort(); /* not reached: fail_msg does not return */
	}
	return hit;
}

/* The listing at (part, section by its order in the part, position). */
static const sasae_listing *listing_at_index(const sasae_plan *plan, int part, int section_index, int position)
{
	assert_true(part >= 1 && (size_t)part <= plan->nparts);
	const sasae_part *p = &plan->parts[part - 1];
	assert_true(section_index >= 1 && (size_t)section_index <= p->nsections);
	const sasae_section *s = &p->sections[section_index - 1];
	assert_true(position >= 1 && (size_t)position <= s->nlistings);
	const sasae_listing *l = &s->listings[position - 1];
	assert_int_equal(l->section_index, section_index);
	assert_int_equal(l->position, position);
	return l;
}

/* Check a listing's departments: names (canonical) in order, and the notes (NULL for none). */
static void check_departments(const sasae_listing *l, size_t n, const char *const *names,
			      const char *const *notes)
{
	if (l->ndepartments != n)
		fail_msg("line %ld: %zu departments, want %zu", l->source_line, l->ndepartments, n);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(l->departments[i].name, names[i]);
		const char *note = notes ? notes[i] : NULL;
		if (note == NULL)
			assert_null(l->departments[i].note);
		else {
			assert_non_null(l->departments[i].note);
			assert_string_equal(l->departments[i].note, note);
		}
	}
}

/* DEPTS("a", "b") expands to the two arguments n, names of check_departments(). */
#define DEPTS(...)                                                                                 \
	(sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)), (const char *const[]) \
	{                                                                                          \
		__VA_ARGS__                                                                        \
	}

/* ======================================================================================
 * (a) the bundled plan against the hand-verified expectations
 * ====================================================================================== */

static char *plan_text;
static size_t plan_len;
static json_t *expected;

static void test_bundled_counts(void **state)
{
	(void)state;
	warning_log log = {0};
	sasae_plan *plan = parse_len(plan_text, plan_len, depts, &log);
	json_t *parts = json_object_get(expected, "sections_per_part");
	json_t *per_section = json_object_get(expected, "listings_per_section");
	assert_int_equal(plan->nparts, json_integer_value(json_object_get(expected, "parts")));
	assert_int_equal(plan->nparts, json_array_size(parts));
	for (size_t i = 0; i < plan->nparts; i++) {
		const sasae_part *p = &plan->parts[i];
		assert_int_equal(p->number, (int)i + 1);
		assert_null(p->title); /* the document names no part */
		if ((json_int_t)p->nsections != json_integer_value(json_array_get(parts, i)))
			fail_msg("part %zu: %zu sections, want %lld", i + 1, p->nsections,
				 (long long)json_integer_value(json_array_get(parts, i)));
		json_t *counts = json_array_get(per_section, i);
		for (size_t j = 0; j < p->nsections; j++) {
			/* sections are numbered (1), (2), … in every part of this document */
			assert_int_equal(p->sections[j].number, (int)j + 1);
			if ((json_int_t)p->sections[j].nlistings !=
			    json_integer_value(json_array_get(counts, j)))
				fail_msg("part %zu section (%zu): %zu listings, want %lld", i + 1, j + 1,
					 p->sections[j].nlistings,
					 (long long)json_integer_value(json_array_get(counts, j)));
		}
	}
	assert_int_equal(sasae_plan_count_sections(plan), 21);
	assert_int_equal(sasae_plan_count_listings(plan),
			 json_integer_value(json_object_get(expected, "listings_total")));
	size_t relisted = 0;
	for (size_t i = 0; i < plan->nparts; i++)
		for (size_t j = 0; j < plan->parts[i].nsections; j++)
			for (size_t k = 0; k < plan->parts[i].sections[j].nlistings; k++)
				relisted += plan->parts[i].sections[j].listings[k].relisted;
	assert_int_equal(relisted, json_integer_value(json_object_get(expected, "relisted_total")));
	assert_int_equal(plan->nprograms, json_integer_value(json_object_get(expected, "programs_total")));

	/* Title: the lines before the first heading, without the markdown ** decoration. */
	assert_non_null(plan->title);
	assert_non_null(strstr(plan->title, "せんだい支えあいのまち推進プラン"));
	assert_non_null(strstr(plan->title, "掲載予定事業一覧"));
	assert_null(strchr(plan->title, '*'));
	assert_string_equal(plan->source, "doc.txt");

	/* Headings as printed, with their lines (read from the document). */
	const sasae_section *s = section_of(plan, 1, 1);
	assert_string_equal(s->title, "共生の意識を高める取り組みの推進");
	assert_int_equal(s->source_line, 6);
	s = section_of(plan, 4, 3); /* printed "(3)支援機関、…" without a space */
	assert_string_equal(s->title, "支援機関、部署等が連携した支援とネットワークの強化");
	assert_int_equal(s->source_line, 277);
	s = section_of(plan, 6, 4);
	assert_string_equal(s->title, "被害者支援、地域の安全安心の推進");

	/* The joins that double a character are reported where the continuation line is (122: the
	   name "…ボランティア" + "ア活動…"; 192 and 342: the summaries "…に" + "において…"). */
	if (count_warnings(&log, "doubled-char", 122) != 1 ||
	    count_warnings(&log, "doubled-char", 192) != 1 || count_warnings(&log, "doubled-char", 342) != 1) {
		dump_warnings(&log);
		fail_msg("doubled-char warnings missing at lines 122, 192, 342");
	}
	/* Every department printed in the draft is in the bundled table. */
	if (count_warnings(&log, "unknown-department", 0) != 0) {
		dump_warnings(&log);
		fail_msg("unknown-department warnings on the bundled plan");
	}
	sasae_plan_free(plan);
}

static void test_bundled_listings(void **state)
{
	(void)state;
	sasae_plan *plan = parse_len(plan_text, plan_len, depts, NULL);
	json_t *listings = json_object_get(expected, "listings");
	assert_true(json_array_size(listings) > 0);
	size_t i;
	json_t *e;
	json_array_foreach(listings, i, e)
	{
		int part = (int)json_integer_value(json_object_get(e, "part"));
		int section = (int)json_integer_value(json_object_get(e, "section"));
		int position = (int)json_integer_value(json_object_get(e, "position"));
		const sasae_listing *l = listing_at(plan, part, section, position);
		const char *why = json_string_value(json_object_get(e, "why"));
		print_message("checking %d/%d/%d: %s\n", part, section, position, why ? why : "");
		assert_int_equal(l->number, json_integer_value(json_object_get(e, "number")));
		assert_string_equal(l->name, json_string_value(json_object_get(e, "name")));
		assert_int_equal(l->relisted, json_is_true(json_object_get(e, "relisted")));
		assert_string_equal(l->summary, json_string_value(json_object_get(e, "summary")));
		assert_int_equal(l->source_line, json_integer_value(json_object_get(e, "source_line")));
		json_t *d = json_object_get(e, "departments");
		if (l->ndepartments != json_array_size(d))
			fail_msg("%d/%d/%d: %zu departments, want %zu", part, section, position,
				 l->ndepartments, json_array_size(d));
		for (size_t k = 0; k < l->ndepartments; k++)
			assert_string_equal(l->departments[k].name, json_string_value(json_array_get(d, k)));
	}
	/* The parenthesised note of 未来につなぐ地域力推進事業 is kept as a note of 市民局. */
	const sasae_listing *l = listing_at(plan, 2, 3, 2);
	check_departments(l, DEPTS("市民局"), (const char *const[]){"各区役所、総合支所"});
	sasae_plan_free(plan);
}

/* Rules that hold for every listing of the draft. */
static void test_bundled_invariants(void **state)
{
	(void)state;
	sasae_plan *plan = parse_len(plan_text, plan_len, depts, NULL);
	long last_line = 0;
	for (size_t i = 0; i < plan->nparts; i++)
		for (size_t j = 0; j < plan->parts[i].nsections; j++) {
			const sasae_section *s = &plan->parts[i].sections[j];
			assert_true(s->source_line > last_line);
			for (size_t k = 0; k < s->nlistings; k++) {
				const sasae_listing *l = &s->listings[k];
				assert_int_equal(l->position, (int)k + 1);
				assert_int_equal(l->part, (int)i + 1);
				assert_int_equal(l->section, s->number);
				assert_int_equal(l->section_index, (int)j + 1);
				/* lines go forward in document order */
				assert_true(l->source_line > last_line);
				last_line = l->source_line;
				assert_true(l->name[0] != '\0');
				assert_true(l->summary[0] != '\0');
				if (strstr(l->name, "【再") || strstr(l->name, "掲】"))
					fail_msg("line %ld: marker left in the name %s", l->source_line,
						 l->name);
				/* no wrap space left: removing them again changes nothing */
				sasae_buf b = SASAE_BUF_INIT;
				sasae_text_remove_wrap_spaces(&b, l->name);
				if (strcmp(sasae_buf_cstr(&b), l->name) != 0)
					fail_msg("line %ld: wrap space left in %s", l->source_line, l->name);
				sasae_buf_free(&b);
				assert_true(l->ndepartments >= 1);
				for (size_t d = 0; d < l->ndepartments; d++) {
					const char *name = l->departments[d].name;
					const char *canon = sasae_dept_table_canonical(depts, name);
					if (canon == NULL || strcmp(canon, name) != 0)
						fail_msg("line %ld: department %s is not canonical",
							 l->source_line, name);
					if (strpbrk(name, "() ") || strstr(name, "（") || strstr(name, "）"))
						fail_msg("line %ld: department %s holds a note or space",
							 l->source_line, name);
				}
				assert_non_null(l->program);
			}
		}
	sasae_plan_free(plan);
}

static void test_bundled_programs(void **state)
{
	(void)state;
	sasae_plan *plan = parse_len(plan_text, plan_len, depts, NULL);
	/* Every listing is in exactly one program, in that program's places. */
	size_t places = 0;
	for (size_t i = 0; i < plan->nprograms; i++) {
		const sasae_program *p = &plan->programs[i];
		char id[32];
		snprintf(id, sizeof id, "p%04zu", i + 1); /* ids in order of first appearance */
		assert_string_equal(p->id, id);
		assert_true(p->nplaces >= 1);
		char *key = sasae_text_identity_key(p->name);
		for (size_t k = 0; k < p->nplaces; k++) {
			const sasae_listing *l = listing_of_place(plan, &p->places[k]);
			assert_string_equal(l->program, p->id);
			char *lk = sasae_text_identity_key(l->name);
			assert_string_equal(lk, key);
			free(lk);
		}
		free(key);
		places += p->nplaces;
	}
	assert_int_equal(places, sasae_plan_count_listings(plan));

	/* program_checks: every place of these programs, in document order. */
	json_t *checks = json_object_get(expected, "program_checks");
	size_t i;
	json_t *c;
	json_array_foreach(checks, i, c)
	{
		const char *name = json_string_value(json_object_get(c, "name"));
		const sasae_program *p = program_named(plan, name);
		json_t *want = json_object_get(c, "listings");
		if (p->nplaces != json_array_size(want))
			fail_msg("%s: %zu places, want %zu", name, p->nplaces, json_array_size(want));
		for (size_t k = 0; k < p->nplaces; k++) {
			json_t *w = json_array_get(want, k);
			assert_int_equal(p->places[k].part, json_integer_value(json_array_get(w, 0)));
			assert_int_equal(p->places[k].section, json_integer_value(json_array_get(w, 1)));
			assert_int_equal(p->places[k].position, json_integer_value(json_array_get(w, 2)));
		}
	}

	/* The program's text is its original (unmarked) listing's. 市民センターによる地域づくり支援事業
	   is listed at 2/1/16 and re-listed at 2/3/19 with a different summary. */
	const sasae_listing *orig = listing_at(plan, 2, 1, 16);
	const sasae_listing *again = listing_at(plan, 2, 3, 19);
	assert_false(orig->relisted);
	assert_true(again->relisted);
	assert_string_equal(orig->program, again->program);
	const sasae_program *p = program_by_id(plan, orig->program);
	assert_string_equal(p->name, "市民センターによる地域づくり支援事業");
	assert_string_equal(p->summary, orig->summary);
	assert_string_not_equal(p->summary, again->summary);
	/* 小地域福祉ネットワーク活動への支援: original at 1/2/2 */
	p = program_named(plan, "小地域福祉ネットワーク活動への支援");
	orig = listing_at(plan, 1, 2, 2);
	assert_string_equal(p->summary, orig->summary);
	assert_departments_equal(p->departments, p->ndepartments, orig->departments, orig->ndepartments);

	/* Orphans: programs all of whose listings are re-listed; exactly the expected ones. */
	json_t *orphans = json_object_get(expected, "orphans");
	size_t norphans = 0;
	for (size_t k = 0; k < plan->nprograms; k++) {
		const sasae_program *q = &plan->programs[k];
		bool all = true;
		for (size_t m = 0; m < q->nplaces; m++)
			all = all && listing_of_place(plan, &q->places[m])->relisted;
		if (!all)
			continue;
		norphans++;
		bool listed = false;
		size_t oi;
		json_t *o;
		json_array_foreach(orphans, oi, o)
		{
			if (strcmp(json_string_value(o), q->name) == 0)
				listed = true;
		}
		if (!listed)
			fail_msg("unexpected orphan %s", q->name);
		/* an orphan's text is its first listing's */
		const sasae_listing *first = listing_of_place(plan, &q->places[0]);
		assert_string_equal(q->summary, first->summary);
	}
	assert_int_equal(norphans, json_array_size(orphans));
	sasae_plan_free(plan);
}

/* ======================================================================================
 * (b) crafted documents, one rule each
 * ====================================================================================== */

static void test_headings(void **state)
{
	(void)state;
	warning_log log = {0};
	sasae_plan *plan = parse("題名の行\n"
				 "(1) 半角の見出し\n"
				 "1\t事業一\t概要一。\t市民局\n"
				 "（２）全角の見出し\n"
				 "1\t事業二\t概要二。\t市民局\n"
				 "(3)空白なしの見出し\n"
				 "1\t事業三\t概要三。\t市民局\n"
				 "（４）\xE3\x80\x80全角空白の見出し\n"
				 "1\t事業四\t概要四。\t市民局\n"
				 "  (5) 字下げした見出し  \n"
				 "1\t事業五\t概要五。\t市民局\n",
				 &log);
	assert_string_equal(plan->title, "題名の行");
	assert_int_equal(plan->nparts, 1);
	const sasae_part *p = &plan->parts[0];
	assert_int_equal(p->nsections, 5);
	static const char *const titles[] = {"半角の見出し", "全角の見出し", "空白なしの見出し",
					     "全角空白の見出し", "字下げした見出し"};
	for (int j = 0; j < 5; j++) {
		assert_int_equal(p->sections[j].number, j + 1);
		assert_string_equal(p->sections[j].title, titles[j]);
		assert_int_equal(p->sections[j].source_line, 2 + 2 * j);
		assert_int_equal(p->sections[j].nlistings, 1);
		assert_int_equal(p->sections[j].listings[0].source_line, 3 + 2 * j);
	}
	assert_int_equal(log.n, 0);
	sasae_plan_free(plan);
}

static void test_restart_opens_part(void **state)
{
	(void)state;
	sasae_plan *plan = parse("(1) 一\n1\tA\ta\t市民局\n"
				 "(2) 二\n1\tB\tb\t市民局\n2\tC\tc\t市民局\n"
				 "(1) 三\n1\tD\td\t市民局\n"
				 "(1) 四\n1\tE\te\t市民局\n"
				 "(2) 五\n1\tF\tf\t市民局\n",
				 NULL);
	assert_int_equal(plan->nparts, 3);
	assert_int_equal(plan->parts[0].nsections, 2);
	assert_int_equal(plan->parts[1].nsections, 1);
	assert_int_equal(plan->parts[2].nsections, 2);
	assert_string_equal(plan->parts[1].sections[0].title, "三");
	assert_string_equal(plan->parts[2].sections[1].title, "五");
	assert_string_equal(listing_at(plan, 1, 2, 2)->name, "C");
	assert_string_equal(listing_at(plan, 2, 1, 1)->name, "D");
	assert_string_equal(listing_at(plan, 3, 1, 1)->name, "E");
	assert_string_equal(listing_at(plan, 3, 2, 1)->name, "F");
	assert_int_equal(listing_at(plan, 3, 2, 1)->source_line, 11);
	sasae_plan_free(plan);
}

static void test_header_and_separator_skipped(void **state)
{
	(void)state;
	warning_log log = {0};
	sasae_plan *plan = parse("(1) 一\n"
				 "\n"
				 "No\t事業名\t事業概要\t担当局等\n"
				 "1\t事業A\t概要A。\t市民局\n"
				 "----\t---------------\t---\t-----\n"
				 "\n"
				 "(2) 二\n"
				 "No\t事業名\t事業概要\t担当局等\n"
				 "1\t事業B\t概要B。\t教育局\n"
				 "-----------------\t--\t--\n"
				 "2\t事業C\t概要C。\t教育局\n",
				 &log);
	assert_int_equal(plan->nparts, 1);
	assert_int_equal(plan->parts[0].nsections, 2);
	assert_int_equal(sasae_plan_count_listings(plan), 3);
	const sasae_listing *l = listing_at(plan, 1, 1, 1);
	assert_string_equal(l->name, "事業A");
	assert_string_equal(l->summary, "概要A。");
	check_departments(l, DEPTS("市民局"), NULL);
	l = listing_at(plan, 1, 2, 1);
	assert_string_equal(l->summary, "概要B。");
	check_departments(l, DEPTS("教育局"), NULL);
	assert_int_equal(listing_at(plan, 1, 2, 2)->source_line, 11);
	assert_int_equal(log.n, 0);
	sasae_plan_free(plan);
}

static void test_continuation_4_cells_across_blank_lines(void **state)
{
	(void)state;
	sasae_plan *plan =
		parse("(1) 一\n"
		      "1\t多様な性のあり方についての理解促進、性的少数者へ\t多様な性のあり方を理由とした\t市民局\n"
		      "\n"
		      "\n"
		      "\tの支援【再掲】\t居場所づくりなど。\t\n"
		      "2\t次の事業\t次の概要。\t教育局\n"
		      "\n"
		      "\t\tサークル等が自立し社会活動できる拠点を確保する。\t\n",
		      NULL);
	assert_int_equal(sasae_plan_count_listings(plan), 2);
	const sasae_listing *l = listing_at(plan, 1, 1, 1);
	assert_string_equal(l->name, "多様な性のあり方についての理解促進、性的少数者への支援");
	assert_true(l->relisted);
	assert_string_equal(l->summary, "多様な性のあり方を理由とした居場所づくりなど。");
	check_departments(l, DEPTS("市民局"), NULL);
	assert_int_equal(l->number, 1);
	assert_int_equal(l->source_line, 2);
	l = listing_at(plan, 1, 1, 2);
	assert_string_equal(l->name, "次の事業");
	assert_false(l->relisted);
	assert_string_equal(l->summary, "次の概要。サークル等が自立し社会活動できる拠点を確保する。");
	check_departments(l, DEPTS("教育局"), NULL);
	assert_int_equal(l->source_line, 6);
	sasae_plan_free(plan);
}

static void test_continuation_3_cells(void **state)
{
	(void)state;
	sasae_plan *plan = parse("(1) 一\n"
				 "11\t居住支援法人等の\t関係団体等と連携して、\t都市整備局\n"
				 "\n"
				 "関係団体との連携による入居支援\t住宅確保要配慮者の入居を進めます。\t\n"
				 "12\t社会福祉協議会に\t市社会福祉協議会及び各区から、\t健康福祉局\n"
				 "よる社協だよりの発行\tだよりを発行する。\t市社会福祉協議会\n",
				 NULL);
	const sasae_listing *l = listing_at(plan, 1, 1, 1);
	assert_int_equal(l->number, 11);
	assert_string_equal(l->name, "居住支援法人等の関係団体との連携による入居支援");
	assert_string_equal(l->summary, "関係団体等と連携して、住宅確保要配慮者の入居を進めます。");
	check_departments(l, DEPTS("都市整備局"), NULL);
	/* department fragments are further departments */
	l = listing_at(plan, 1, 1, 2);
	assert_string_equal(l->name, "社会福祉協議会による社協だよりの発行");
	assert_string_equal(l->summary, "市社会福祉協議会及び各区から、だよりを発行する。");
	check_departments(l, DEPTS("健康福祉局", "市社会福祉協議会"), NULL);
	assert_int_equal(l->source_line, 5);
	sasae_plan_free(plan);
}

static void test_wrap_spaces_and_real_spaces(void **state)
{
	(void)state;
	sasae_plan *plan =
		parse("(1) 一\n"
		      "1\t居住支援法人等の 関係団体との連携 による入居支援\t概要。\t都市整備局\n"
		      "2\tDV や性暴力の防止と被害者支援に向けた取り組み\t DV 被害者への支援。 また、HP への掲載。 \t市民局\n"
		      "3\t(仮称) 再犯防止ネットワーク会議\t概要。\t健康福祉局\n"
		      "4\t障害者福祉サービス (自立生活援助)\t概要。\t健康福祉局\n"
		      "5\t青少年健全育成団\t概要。\t子供未来局\n"
		      "\t体事業費等補助金 交付事業\t\t\n"
		      "6\t親子こころの相談\xE3\x80\x80室業務\t概要。\t子供未来局\n",
		      NULL);
	assert_string_equal(listing_at(plan, 1, 1, 1)->name, "居住支援法人等の関係団体との連携による入居支援");
	const sasae_listing *l = listing_at(plan, 1, 1, 2);
	assert_string_equal(l->name, "DV や性暴力の防止と被害者支援に向けた取り組み");
	/* the summary keeps its spaces as printed; only the ends are trimmed */
	assert_string_equal(l->summary, "DV 被害者への支援。 また、HP への掲載。");
	assert_string_equal(listing_at(plan, 1, 1, 3)->name, "(仮称) 再犯防止ネットワーク会議");
	assert_string_equal(listing_at(plan, 1, 1, 4)->name, "障害者福祉サービス (自立生活援助)");
	assert_string_equal(listing_at(plan, 1, 1, 5)->name, "青少年健全育成団体事業費等補助金交付事業");
	assert_string_equal(listing_at(plan, 1, 1, 6)->name, "親子こころの相談室業務");
	sasae_plan_free(plan);
}

static void test_relist_marker(void **state)
{
	(void)state;
	sasae_plan *plan = parse("(1) 一\n"
				 "1\tセーフティネット 住宅登録制度【再 掲】\t概要。\t都市整備局\n"
				 "2\tふれあい広場 【再掲】\t概要。\t子供未来局\n"
				 "3\t【再掲】の意味を学ぶ講座\t概要。\t市民局\n"
				 "4\t生活困窮者等住まいの確保緊急支援\t概要。\t健康福祉局\n"
				 "\n"
				 "\t事業【再掲】\t\t\n"
				 "5\t小地域福祉活動\t概要。\t健康福祉局\n"
				 "\t【再掲】\t\t\n",
				 NULL);
	const sasae_listing *l = listing_at(plan, 1, 1, 1);
	assert_string_equal(l->name, "セーフティネット住宅登録制度");
	assert_true(l->relisted);
	l = listing_at(plan, 1, 1, 2);
	assert_string_equal(l->name, "ふれあい広場");
	assert_true(l->relisted);
	l = listing_at(plan, 1, 1, 3); /* not at the end: part of the name */
	assert_string_equal(l->name, "【再掲】の意味を学ぶ講座");
	assert_false(l->relisted);
	l = listing_at(plan, 1, 1, 4); /* the marker comes in the continuation */
	assert_string_equal(l->name, "生活困窮者等住まいの確保緊急支援事業");
	assert_true(l->relisted);
	l = listing_at(plan, 1, 1, 5); /* the marker alone on the continuation line */
	assert_string_equal(l->name, "小地域福祉活動");
	assert_true(l->relisted);
	sasae_plan_free(plan);
}

static void test_departments_cell(void **state)
{
	(void)state;
	warning_log log = {0};
	sasae_plan *plan = parse("(1) 一\n"
				 "1\tA\ta\t健康福祉局市社会福祉協議会\n"
				 "2\tB\tb\t健康福祉局 社会福祉協議会\n"
				 "3\tC\tc\t市民局 (各区役所、総合支所)\n"
				 "4\tD\td\t市民局（各区役所） 健康福祉局\n"
				 "5\tE\te\t市民局(各区役所)\n"
				 "6\tF\tf\t危機管理室\xE3\x80\x80市民局\n"
				 "7\tG\tg\t\n"
				 "8\tH\th\t関係局区\n"
				 "9\tI\ti\tこども若者局 教育委員会\n",
				 &log);
	check_departments(listing_at(plan, 1, 1, 1), DEPTS("健康福祉局", "市社会福祉協議会"), NULL);
	check_departments(listing_at(plan, 1, 1, 2), DEPTS("健康福祉局", "市社会福祉協議会"), NULL);
	check_departments(listing_at(plan, 1, 1, 3), DEPTS("市民局"),
			  (const char *const[]){"各区役所、総合支所"});
	check_departments(listing_at(plan, 1, 1, 4), DEPTS("市民局", "健康福祉局"),
			  (const char *const[]){"各区役所", NULL});
	check_departments(listing_at(plan, 1, 1, 5), DEPTS("市民局"), (const char *const[]){"各区役所"});
	check_departments(listing_at(plan, 1, 1, 6), DEPTS("危機管理室", "市民局"), NULL);
	assert_int_equal(listing_at(plan, 1, 1, 7)->ndepartments, 0);
	check_departments(listing_at(plan, 1, 1, 8), DEPTS("関係局区"), NULL);
	check_departments(listing_at(plan, 1, 1, 9), DEPTS("子供未来局", "教育局"), NULL);
	assert_int_equal(count_warnings(&log, "unknown-department", 0), 0);
	sasae_plan_free(plan);
}

/* Without a table, departments are kept as printed: no canonical names, no splitting, no warnings. */
static void test_departments_without_table(void **state)
{
	(void)state;
	const char *doc = "(1) 一\n1\tA\ta\t健康福祉局市社会福祉協議会\n2\tB\tb\t社会福祉協議会 不明推進課\n";
	warning_log log = {0};
	sasae_plan *plan = parse_len(doc, strlen(doc), NULL, &log);
	check_departments(listing_at(plan, 1, 1, 1), DEPTS("健康福祉局市社会福祉協議会"), NULL);
	check_departments(listing_at(plan, 1, 1, 2), DEPTS("社会福祉協議会", "不明推進課"), NULL);
	assert_int_equal(log.n, 0);
	sasae_plan_free(plan);
}

static const char crafted[] = "**計画の題名**\n"
			      "(1) 一\n"
			      "No\t事業名\t事業概要\t担当局等\n"
			      "1\t居住支援法人等の\t関係団体等と連携して、\t都市整備局\n"
			      "\n"
			      "関係団体との連携による入居支援\t入居を進めます。\t\n"
			      "2\tDV や性暴力の防止【再 掲】\t概要。\t市民局 (各区役所)\n"
			      "----\t---\t--\t--\n"
			      "（２）二\n"
			      "1\t多様な性のあり方へ\tなくすため、\t健康福祉局市社会福祉協議会\n"
			      "\n"
			      "\tの支援\t取り組む。\t\n"
			      "(1) 三\n"
			      "26\t大学連携無料塾\t概要。\t教育局\n"
			      "18\tＤＶや性暴力の防止\t概要。\t市民局";

static void test_title_decoration(void **state)
{
	(void)state;
	sasae_plan *plan = parse(crafted, NULL);
	assert_string_equal(plan->title, "計画の題名");
	sasae_plan_free(plan);
}

/* The same document with CRLF line ends, with a BOM, with or without a final newline. */
static void test_crlf_bom_final_newline(void **state)
{
	(void)state;
	sasae_plan *lf = parse(crafted, NULL);
	assert_int_equal(lf->nparts, 2);
	assert_int_equal(sasae_plan_count_listings(lf), 5);
	const sasae_listing *last = listing_at(lf, 2, 1, 2);
	assert_int_equal(last->source_line, 15);
	check_departments(last, DEPTS("市民局"), NULL);

	sasae_buf b = SASAE_BUF_INIT;
	for (const char *s = crafted; *s; s++) {
		if (*s == '\n')
			sasae_buf_putc(&b, '\r');
		sasae_buf_putc(&b, *s);
	}
	sasae_plan *crlf = parse(sasae_buf_cstr(&b), NULL);
	assert_plans_equal(lf, crlf);
	sasae_plan_free(crlf);

	sasae_buf_puts(&b, "\r\n"); /* CRLF with a final line end */
	crlf = parse(sasae_buf_cstr(&b), NULL);
	assert_plans_equal(lf, crlf);
	sasae_plan_free(crlf);

	sasae_buf_clear(&b);
	sasae_buf_puts(&b, "\xEF\xBB\xBF");
	sasae_buf_puts(&b, crafted);
	sasae_plan *bom = parse(sasae_buf_cstr(&b), NULL);
	assert_plans_equal(lf, bom);
	sasae_plan_free(bom);

	sasae_buf_clear(&b);
	sasae_buf_puts(&b, crafted);
	sasae_buf_puts(&b, "\n");
	sasae_plan *nl = parse(sasae_buf_cstr(&b), NULL);
	assert_plans_equal(lf, nl);
	sasae_plan_free(nl);

	/* A BOM right before the first heading (no title lines). */
	sasae_plan *h = parse("\xEF\xBB\xBF(1) 一\n1\tA\ta\t市民局\n", NULL);
	assert_int_equal(h->nparts, 1);
	assert_int_equal(h->parts[0].sections[0].source_line, 1);
	assert_string_equal(h->parts[0].sections[0].title, "一");
	sasae_plan_free(h);

	sasae_buf_free(&b);
	sasae_plan_free(lf);
}

static void test_numbers_as_printed(void **state)
{
	(void)state;
	sasae_plan *plan = parse("(1) 一\n"
				 "1\tA\ta\t市民局\n"
				 "2\tB\tb\t市民局\n"
				 "26\tC\tc\t市民局\n"
				 "18\tD\td\t市民局\n"
				 "\n"
				 "19\tE\te\t市民局\n"
				 "19\tF\tf\t市民局\n"
				 "7\tG\tg\t市民局\n",
				 NULL);
	static const long numbers[] = {1, 2, 26, 18, 19, 19, 7};
	static const long lines[] = {2, 3, 4, 5, 7, 8, 9};
	static const char *const names[] = {"A", "B", "C", "D", "E", "F", "G"};
	const sasae_section *s = section_of(plan, 1, 1);
	assert_int_equal(s->nlistings, 7);
	for (int k = 0; k < 7; k++) {
		const sasae_listing *l = listing_at(plan, 1, 1, k + 1);
		assert_int_equal(l->number, numbers[k]);
		assert_int_equal(l->source_line, lines[k]);
		assert_string_equal(l->name, names[k]);
	}
	sasae_plan_free(plan);
}

static void test_program_identity(void **state)
{
	(void)state;
	sasae_plan *plan = parse("(1) 一\n"
				 "1\t事業Ａ【再掲】\t再掲の概要。\t市民局\n"
				 "2\tＤＶ 相談\t相談の概要。\t市民局\n"
				 "3\t別の事業\t別の概要。\t教育局\n"
				 "(2) 二\n"
				 "1\t事業A\t元の概要。\t教育局\n"
				 "2\tDV相談【再掲】\t相談の概要（再掲）。\t市民局\n"
				 "3\t事業 A\tもう一度、印なし。\t健康福祉局\n",
				 NULL);
	assert_int_equal(plan->nprograms, 3);
	const sasae_program *a = program_by_id(plan, "p0001");
	/* the text of the first unmarked listing, though a marked one comes first */
	assert_string_equal(a->name, "事業A");
	assert_string_equal(a->summary, "元の概要。");
	assert_int_equal(a->ndepartments, 1);
	assert_string_equal(a->departments[0].name, "教育局");
	assert_int_equal(a->nplaces, 3);
	assert_int_equal(a->places[0].section, 1);
	assert_int_equal(a->places[0].position, 1);
	assert_int_equal(a->places[1].section, 2);
	assert_int_equal(a->places[1].position, 1);
	assert_int_equal(a->places[2].section, 2);
	assert_int_equal(a->places[2].position, 3);
	const sasae_program *dv = program_by_id(plan, "p0002");
	assert_string_equal(dv->name, "ＤＶ 相談");
	assert_string_equal(dv->summary, "相談の概要。");
	assert_int_equal(dv->nplaces, 2);
	assert_string_equal(listing_at(plan, 1, 2, 2)->program, "p0002");
	const sasae_program *other = program_by_id(plan, "p0003");
	assert_string_equal(other->name, "別の事業");
	assert_int_equal(other->nplaces, 1);
	assert_string_equal(listing_at(plan, 1, 1, 3)->program, "p0003");
	sasae_plan_free(plan);
}

/* A heading number printed twice in a part ((1) (2) (2)) is kept, with a warning; the places of
   a program still name its listings unambiguously (part, section, position). */
static void test_duplicate_section_numbers(void **state)
{
	(void)state;
	warning_log log = {0};
	sasae_plan *plan = parse("(1) 一\n"
				 "1\tA\ta\t市民局\n"
				 "(2) 二\n"
				 "1\tB\tb\t市民局\n"
				 "(2) 二の重複\n"
				 "1\tC\tc\t市民局\n"
				 "2\tB【再掲】\tb\t市民局\n",
				 &log);
	assert_int_equal(plan->nparts, 1);
	assert_int_equal(plan->parts[0].nsections, 3);
	assert_int_equal(plan->parts[0].sections[2].number, 2);
	assert_string_equal(plan->parts[0].sections[2].title, "二の重複");
	assert_int_equal(count_warnings(&log, "section-numbering", 5), 1);
	/* the sections are told apart by their order in the part */
	assert_int_equal(listing_at_index(plan, 1, 2, 1)->section_index, 2);
	const sasae_listing *c = listing_at_index(plan, 1, 3, 1);
	assert_string_equal(c->name, "C");
	assert_int_equal(c->section, 2);
	assert_int_equal(c->section_index, 3);
	assert_int_equal(c->source_line, 6);
	/* every place of every program leads to one of that program's listings */
	for (size_t i = 0; i < plan->nprograms; i++) {
		const sasae_program *p = &plan->programs[i];
		for (size_t k = 0; k < p->nplaces; k++)
			assert_string_equal(listing_of_place(plan, &p->places[k])->program, p->id);
	}
	const sasae_program *b = program_named(plan, "B");
	assert_int_equal(b->nplaces, 2);
	assert_int_equal(b->places[1].section, 2);
	assert_int_equal(b->places[1].section_index, 3);
	assert_int_equal(b->places[1].position, 2);
	sasae_plan_free(plan);
}

/* ---- warnings ---- */

static void test_warning_empty_section(void **state)
{
	(void)state;
	warning_log log = {0};
	sasae_plan *plan = parse("(1) 空の施策\n"
				 "\n"
				 "(2) 二\n"
				 "1\tA\ta\t市民局\n"
				 "(3) 最後も空\n",
				 &log);
	assert_int_equal(plan->parts[0].nsections, 3);
	assert_int_equal(plan->parts[0].sections[0].nlistings, 0);
	assert_int_equal(plan->parts[0].sections[2].nlistings, 0);
	if (count_warnings(&log, "empty-section", 1) != 1 || count_warnings(&log, "empty-section", 5) != 1 ||
	    count_warnings(&log, "empty-section", 0) != 2) {
		dump_warnings(&log);
		fail_msg("want empty-section warnings at lines 1 and 5");
	}
	sasae_plan_free(plan);
}

static void test_warning_doubled_char(void **state)
{
	(void)state;
	warning_log log = {0};
	sasae_plan *plan = parse("(1) 一\n"
				 "16\t子育て支援ボランティア\t地域で活動する。\t子供未来局\n"
				 "\n"
				 "\tア活動に対する支援\t\t\n"
				 "3\t生活困窮者自立相\t相談センターに\t健康福祉局\n"
				 "\t談支援事業\tにおいて支援する。\t\n",
				 &log);
	/* kept as printed */
	assert_string_equal(listing_at(plan, 1, 1, 1)->name, "子育て支援ボランティアア活動に対する支援");
	assert_string_equal(listing_at(plan, 1, 1, 2)->summary, "相談センターににおいて支援する。");
	if (count_warnings(&log, "doubled-char", 4) != 1 || count_warnings(&log, "doubled-char", 6) != 1 ||
	    count_warnings(&log, "doubled-char", 0) != 2) {
		dump_warnings(&log);
		fail_msg("want doubled-char warnings at lines 4 and 6");
	}
	sasae_plan_free(plan);
}

static void test_warning_unknown_department(void **state)
{
	(void)state;
	warning_log log = {0};
	sasae_plan *plan = parse("(1) 一\n"
				 "1\tA\ta\t不明推進課\n"
				 "2\tB\tb\t市民局\n"
				 "\n"
				 "\tの続き\tの続き\t謎の室\n"
				 "3\tC\tc\t健康福祉局不明課\n",
				 &log);
	check_departments(listing_at(plan, 1, 1, 1), DEPTS("不明推進課"), NULL);
	check_departments(listing_at(plan, 1, 1, 2), DEPTS("市民局", "謎の室"), NULL);
	check_departments(listing_at(plan, 1, 1, 3), DEPTS("健康福祉局不明課"), NULL);
	if (count_warnings(&log, "unknown-department", 2) != 1 ||
	    count_warnings(&log, "unknown-department", 5) != 1 ||
	    count_warnings(&log, "unknown-department", 6) != 1 ||
	    count_warnings(&log, "unknown-department", 0) != 3) {
		dump_warnings(&log);
		fail_msg("want unknown-department warnings at lines 2, 5 and 6");
	}
	sasae_plan_free(plan);
}

static void test_warning_section_numbering(void **state)
{
	(void)state;
	warning_log log = {0};
	sasae_plan *plan =
		parse("(1) 一\n1\tA\ta\t市民局\n(2) 二\n1\tB\tb\t市民局\n(4) 四\n1\tC\tc\t市民局\n", &log);
	assert_int_equal(plan->nparts, 1);
	assert_int_equal(plan->parts[0].sections[2].number, 4);
	if (count_warnings(&log, "section-numbering", 5) != 1) {
		dump_warnings(&log);
		fail_msg("want a section-numbering warning at line 5");
	}
	sasae_plan_free(plan);
}

/* ======================================================================================
 * (c) bad inputs
 * ====================================================================================== */

typedef struct bad_case {
	const char *what;
	const char *bytes;
	size_t len;
	long line; /* -1: any line */
} bad_case;

#define B(s) s, sizeof(s) - 1

static const bad_case bad_cases[] = {
	{"empty file", B(""), 0},
	{"only blank lines", B("\n\n   \n\t\n\xE3\x80\x80\n"), 0},
	{"only blank CRLF lines", B("\r\n\r\n"), 0},
	{"not UTF-8 in a row", B("(1) 一\n1\t事業\t概要\t市民局\n2\t\xff\xfe\t概要\t市民局\n"), 3},
	{"not UTF-8 in the title (Shift_JIS)", B("\x8c\x76\x89\xe6\n(1) 一\n1\tA\ta\t市民局\n"), 1},
	{"not UTF-8 in the last line, no newline", B("(1) 一\n1\tA\ta\t市民局\n\n2\tB\t\xe9t\xe9\t市民局"), 4},
	{"overlong form", B("(1) 一\n1\tA\t\xC0\xAF\t市民局\n"), 2},
	{"surrogate", B("(1) 一\n1\tA\ta\t市民局\n2\tB\t\xED\xA0\x80\t市民局\n"), 3},
	{"NUL byte", B("(1) 一\n1\tA\ta\0b\t市民局\n"), 2},
	{"row before the first heading", B("題名\n1\t事業\t概要\t市民局\n(1) 一\n1\tA\ta\t市民局\n"), 2},
	{"continuation with no row above", B("(1) 一\n\n関係団体との連携\t概要の続き\t市民局\n"), 3},
	{"continuation after the column header",
	 B("(1) 一\nNo\t事業名\t事業概要\t担当局等\n\tの支援\t概要\t\n"), 3},
	{"continuation after a new heading", B("(1) 一\n1\tA\ta\t市民局\n(2) 二\n\tの支援\t概要\t\n"), 4},
	{"row with 5 cells", B("(1) 一\n1\tA\ta\t市民局\n2\tB\tb\t市民局\t余分なセル\n"), 3},
	{"continuation with 5 cells", B("(1) 一\n1\tA\ta\t市民局\n\tB\tb\t市民局\t余分\n"), 3},
	{"continuation with 2 cells", B("(1) 一\n1\tA\ta\t市民局\n\tの続き\n"), 3},
	{"continuation with 1 cell", B("(1) 一\n1\tA\ta\t市民局\nただの文章\n"), 3},
	{"4 cells with a first cell that is not a number", B("(1) 一\n1\tA\ta\t市民局\nNo.2\tB\tb\t市民局\n"),
	 3},
	{"PNG image", B("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0"), 1},
	{"CSV of something else", B("番号,名前,年齢\n1,山田,30\n2,佐藤,41\n"), 1},
	{"CSV of something else, blank lines first", B("\n\nid,name,age\n1,Yamada,30\n"), 3},
	{"TSV of something else", B("id\tname\tage\n1\tYamada\t30\n"), 1},
	{"headings but no rows", B("(1) 一\n\n(2) 二\n"), -1},
};

/* Check one bad case's result; prints what is wrong and returns 1, or 0 when right. */
static int check_bad(const bad_case *c, const char *how, int rc, const sasae_error *err)
{
	if (rc != SASAE_EDATA || err->code != SASAE_EDATA || strcmp(err->file, "bad.txt") != 0 ||
	    err->message[0] == '\0') {
		print_error("%s (%s): rc %d code %d file \"%s\" (%s), want SASAE_EDATA, bad.txt and a message\n",
			    c->what, how, rc, err->code, err->file, err->message);
		return 1;
	}
	if (c->line >= 0 && err->line != c->line) {
		print_error("%s (%s): err.line %ld, want %ld (%s)\n", c->what, how, err->line, c->line,
			    err->message);
		return 1;
	}
	return 0;
}

static void test_bad_inputs(void **state)
{
	(void)state;
	int failures = 0;
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const bad_case *c = &bad_cases[i];
		sasae_plan *plan = (sasae_plan *)(uintptr_t)1;
		sasae_error err = {0};
		char *exact = malloc(c->len ? c->len : 1); /* no NUL after the bytes */
		assert_non_null(exact);
		memcpy(exact, c->bytes, c->len);
		int rc = sasae_parse_document(&plan, "bad.txt", exact, c->len, depts, NULL, NULL, &err);
		free(exact);
		failures += check_bad(c, "whole", rc, &err);
		if (rc == 0)
			sasae_plan_free(plan);
		else if (plan != NULL) {
			print_error("%s: *out not NULL after an error\n", c->what);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/* The push parser fed one byte at a time reports the same error at the same line, and keeps
   returning it afterwards. */
static void test_bad_inputs_streamed(void **state)
{
	(void)state;
	int failures = 0;
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const bad_case *c = &bad_cases[i];
		sasae_parse_sink sink = {0};
		sasae_parser *p = sasae_parser_new("bad.txt", depts, &sink);
		assert_non_null(p);
		sasae_error err = {0};
		int rc = 0;
		for (size_t k = 0; k < c->len && rc == 0; k++) {
			char *byte = malloc(1); /* exact size: a read past it is caught by ASan */
			assert_non_null(byte);
			*byte = c->bytes[k];
			rc = sasae_parser_feed(p, byte, 1, &err);
			free(byte);
		}
		if (rc == 0)
			rc = sasae_parser_finish(p, &err);
		failures += check_bad(c, "1-byte chunks", rc, &err);
		/* sticky */
		sasae_error again = {0};
		if (rc != 0 && (sasae_parser_feed(p, "(1) x\n", 6, &again) != rc ||
				sasae_parser_finish(p, &again) != rc)) {
			print_error("%s: the error is not sticky\n", c->what);
			failures++;
		}
		sasae_parser_free(p);
	}
	sasae_parser_free(NULL);
	assert_int_equal(failures, 0);
}

/* ======================================================================================
 * (d) chunking
 * ====================================================================================== */

/* A sink that builds a plan, the way a store would receive it. */
typedef struct collect {
	sasae_plan *plan;
	char title[1024];
	int titles;
	warning_log log;
	size_t progress_calls;
	size_t last_progress;
} collect;

static int c_title(void *ctx, const char *title)
{
	collect *c = ctx;
	c->titles++;
	snprintf(c->title, sizeof c->title, "%s", title);
	free(c->plan->title);
	c->plan->title = sasae_strdup(title);
	return 0;
}

static int c_part(void *ctx, int part)
{
	collect *c = ctx;
	sasae_part *p = sasae_plan_add_part(c->plan);
	assert_non_null(p);
	assert_int_equal(p->number, part);
	return 0;
}

static int c_section(void *ctx, int part, int number, const char *title, long line)
{
	collect *c = ctx;
	assert_int_equal(part, (int)c->plan->nparts);
	sasae_section *s = sasae_part_add_section(&c->plan->parts[c->plan->nparts - 1]);
	assert_non_null(s);
	s->number = number;
	s->title = sasae_strdup(title);
	s->source_line = line;
	return 0;
}

static int c_listing(void *ctx, const sasae_listing *l)
{
	collect *c = ctx;
	assert_null(l->program);
	sasae_part *p = &c->plan->parts[c->plan->nparts - 1];
	assert_int_equal(l->part, (int)c->plan->nparts);
	assert_non_null(sasae_section_add_listing(&p->sections[p->nsections - 1], l));
	return 0;
}

static void c_warning(void *ctx, const sasae_warning *w)
{
	collect *c = ctx;
	assert_string_equal(w->file, "chunked.txt");
	log_warning(&c->log, w);
}

static void c_progress(void *ctx, size_t bytes)
{
	collect *c = ctx;
	assert_true(bytes >= c->last_progress);
	c->last_progress = bytes;
	c->progress_calls++;
}

static sasae_plan *parse_chunked(const char *text, size_t len, size_t chunk, collect *c)
{
	memset(c, 0, sizeof *c);
	c->plan = sasae_plan_new();
	assert_non_null(c->plan);
	sasae_parse_sink sink = {c, c_title, c_part, c_section, c_listing, c_warning, c_progress};
	sasae_parser *p = sasae_parser_new("chunked.txt", depts, &sink);
	assert_non_null(p);
	sasae_error err = {0};
	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;
		/* each chunk in its own exact-size buffer, so that a read past it is caught by ASan */
		char *piece = malloc(n);
		assert_non_null(piece);
		memcpy(piece, text + off, n);
		int rc = sasae_parser_feed(p, piece, n, &err);
		free(piece);
		if (rc != 0)
			fail_msg("chunk %zu at %zu: %d %s:%ld: %s", chunk, off, rc, err.file, err.line,
				 err.message);
	}
	int rc = sasae_parser_finish(p, &err);
	if (rc != 0)
		fail_msg("chunk %zu finish: %d %s:%ld: %s", chunk, rc, err.file, err.line, err.message);
	sasae_parser_free(p);
	assert_int_equal(sasae_plan_assign_programs(c->plan), 0);
	return c->plan;
}

static void check_chunked(const char *text, size_t len)
{
	warning_log whole_log = {0};
	sasae_plan *whole = parse_len(text, len, depts, &whole_log);
	static const size_t chunks[] = {1, 7, 2, 3, 4096, 1 << 20};
	for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		collect c;
		sasae_plan *plan = parse_chunked(text, len, chunks[i], &c);
		print_message("chunks of %zu bytes\n", chunks[i]);
		assert_int_equal(c.titles, 1);
		assert_plans_equal(whole, plan);
		assert_int_equal(c.log.n, whole_log.n);
		for (size_t k = 0; k < whole_log.n && k < MAX_WARNINGS; k++) {
			assert_string_equal(c.log.w[k].kind, whole_log.w[k].kind);
			assert_int_equal(c.log.w[k].line, whole_log.w[k].line);
		}
		sasae_plan_free(plan);
	}
	sasae_plan_free(whole);
}

static void test_chunked_bundled_plan(void **state)
{
	(void)state;
	check_chunked(plan_text, plan_len);
	/* and the listings are the expected ones */
	collect c;
	sasae_plan *plan = parse_chunked(plan_text, plan_len, 7, &c);
	assert_int_equal(sasae_plan_count_listings(plan),
			 json_integer_value(json_object_get(expected, "listings_total")));
	sasae_plan_free(plan);
}

static void test_chunked_crafted(void **state)
{
	(void)state;
	check_chunked(crafted, strlen(crafted));
	/* CRLF: a chunk can end between CR and LF */
	sasae_buf b = SASAE_BUF_INIT;
	for (const char *s = crafted; *s; s++) {
		if (*s == '\n')
			sasae_buf_putc(&b, '\r');
		sasae_buf_putc(&b, *s);
	}
	check_chunked(b.data, b.len);
	sasae_buf_free(&b);
}

/* A BOM split over the first chunks is still a BOM. */
static void test_chunked_bom(void **state)
{
	(void)state;
	sasae_buf b = SASAE_BUF_INIT;
	sasae_buf_puts(&b, "\xEF\xBB\xBF");
	sasae_buf_puts(&b, crafted);
	check_chunked(b.data, b.len);
	sasae_buf_clear(&b);
	sasae_buf_puts(&b, "\xEF\xBB\xBF(1) 一\n1\tA\ta\t市民局\n");
	check_chunked(b.data, b.len);
	sasae_buf_free(&b);
}

/* ---- fixtures ---- */

static int setup(void **state)
{
	(void)state;
	sasae_error err = {0};
	if (sasae_dept_table_default(&depts, &err) != 0)
		return -1;
	plan_text = tu_read_source("data/sendai-2024-draft.txt", &plan_len);
	char *path = tu_source_path("tests/data/sendai-expected.json");
	json_error_t jerr;
	expected = json_load_file(path, 0, &jerr);
	if (expected == NULL)
		print_error("%s:%d: %s\n", path, jerr.line, jerr.text);
	free(path);
	return expected ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	sasae_dept_table_free(depts);
	free(plan_text);
	json_decref(expected);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bundled_counts),
		cmocka_unit_test(test_bundled_listings),
		cmocka_unit_test(test_bundled_invariants),
		cmocka_unit_test(test_bundled_programs),
		cmocka_unit_test(test_headings),
		cmocka_unit_test(test_restart_opens_part),
		cmocka_unit_test(test_header_and_separator_skipped),
		cmocka_unit_test(test_continuation_4_cells_across_blank_lines),
		cmocka_unit_test(test_continuation_3_cells),
		cmocka_unit_test(test_wrap_spaces_and_real_spaces),
		cmocka_unit_test(test_relist_marker),
		cmocka_unit_test(test_departments_cell),
		cmocka_unit_test(test_departments_without_table),
		cmocka_unit_test(test_title_decoration),
		cmocka_unit_test(test_crlf_bom_final_newline),
		cmocka_unit_test(test_numbers_as_printed),
		cmocka_unit_test(test_program_identity),
		cmocka_unit_test(test_duplicate_section_numbers),
		cmocka_unit_test(test_warning_empty_section),
		cmocka_unit_test(test_warning_doubled_char),
		cmocka_unit_test(test_warning_unknown_department),
		cmocka_unit_test(test_warning_section_numbering),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_bad_inputs_streamed),
		cmocka_unit_test(test_chunked_bundled_plan),
		cmocka_unit_test(test_chunked_crafted),
		cmocka_unit_test(test_chunked_bom),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
