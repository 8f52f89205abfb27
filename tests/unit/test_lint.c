/*
 * test_lint.c — unit tests of the consistency check (include/core/sasae/lint.h, docs/lint.md):
 *
 *   - every finding on the bundled Sendai draft, pinned to the places read by hand in
 *     data/sendai-2024-draft.txt (line numbers of the document), with the diffs it shows;
 *   - the same findings after a round trip through the store (printed department forms and the
 *     parser's warnings are stored by migration 003);
 *   - small crafted documents, one per kind of finding, and documents with no finding at all;
 *   - the building blocks: character diff, similarity, edit distance;
 *   - the accept list (format, errors, matching) and the JSON for tools;
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sasae/departments.h"
#include "sasae/import.h"
#include "sasae/lint.h"
#include "sasae/parse.h"
#include "sasae/similar.h"
#include "sasae/store.h"
#include "test_util.h"

static sasae_dept_table *depts;
static char *plan_text;
static size_t plan_len;

/* ---- helpers ---- */

/* Parse a document (with the built-in department table) and lint it. */
static sasae_lint_findings *lint_text(const char *text, sasae_plan **plan_out)
{
	sasae_plan *plan = NULL;
	sasae_error err = {0};
	int rc = sasae_parse_document(&plan, "doc.txt", text, strlen(text), depts, NULL, NULL, &err);
	if (rc != 0)
		fail_msg("parse: %d %s:%ld: %s", rc, err.file, err.line, err.message);
	sasae_lint_findings *f = NULL;
	assert_int_equal(sasae_lint(plan, &f, &err), 0);
	assert_non_null(f);
	if (plan_out)
		*plan_out = plan;
	else
		sasae_plan_free(plan);
	return f;
}

static size_t count_kind(const sasae_lint_findings *f, const char *kind)
{
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++)
		n += strcmp(f->items[i].kind, kind) == 0;
	return n;
}

/* The finding of kind at source line `line` (and field, when not NULL), or a test failure. */
static const sasae_lint_finding *at_line(const sasae_lint_findings *f, const char *kind, long line,
					 const char *field)
{
	for (size_t i = 0; i < f->n; i++) {
		const sasae_lint_finding *x = &f->items[i];
		if (strcmp(x->kind, kind) == 0 && x->at.source_line == line &&
		    (field == NULL || (x->field && strcmp(x->field, field) == 0)))
			return x;
	}
	fail_msg("no %s finding at line %ld%s%s", kind, line, field ? " field " : "", field ? field : "");
	abort(); /* not reached */
}

/* Print the findings (for failure messages). */
static void dump(const sasae_lint_findings *f)
{
	for (size_t i = 0; i < f->n; i++)
		print_message("  %s %d-%d-%d line %ld: %s\n", f->items[i].kind, f->items[i].at.part,
			      f->items[i].at.section, f->items[i].at.position, f->items[i].at.source_line,
			      f->items[i].message);
}

/* Exactly one finding, of kind; returned. */
static const sasae_lint_finding *only(const sasae_lint_findings *f, const char *kind)
{
	if (f->n != 1 || strcmp(f->items[0].kind, kind) != 0) {
		dump(f);
		fail_msg("want exactly one %s finding, have %zu", kind, f->n);
	}
	return &f->items[0];
}

static void assert_place(const sasae_lint_place *p, int part, int section, int position, long number, long line)
{
	assert_int_equal(p->part, part);
	assert_int_equal(p->section, section);
	assert_int_equal(p->position, position);
	assert_int_equal(p->number, number);
	assert_int_equal(p->source_line, line);
}

/* ---- the Sendai draft ---- */

typedef struct pinned {
	const char *kind;
	int part, section, position;
	long line;       /* the row's line in data/sendai-2024-draft.txt */
	long other_line; /* the other place's line, 0 when there is none */
	const char *field;
	const char *diff_has; /* a part of the diff, or NULL */
} pinned;

/* Every finding on the bundled draft, read from the document (line numbers are the document's). */
static const pinned sendai[] = {
	/* relist-drift: a re-listing whose summary differs from its original's */
	{SASAE_LINT_RELIST_DRIFT, 2, 2, 9, 113, 88, "summary", "事務所[-内-]に設置"},
	{SASAE_LINT_RELIST_DRIFT, 2, 3, 19, 154, 98, "summary", "市民自ら{+が+}地域課題"},
	{SASAE_LINT_RELIST_DRIFT, 3, 2, 1, 188, 10, "summary", "相談対応及び[- -]DV"},
	{SASAE_LINT_RELIST_DRIFT, 3, 2, 10, 199, 43, "summary", "子育て[-支援-]に関する"},
	{SASAE_LINT_RELIST_DRIFT, 4, 1, 1, 258, 190, "summary", "「わんすてっぷ」に[-に-]おいて"},
	{SASAE_LINT_RELIST_DRIFT, 4, 2, 1, 269, 55, "summary", "図[-るとともに、-]{+り、自立に向けた+}就労"},
	{SASAE_LINT_RELIST_DRIFT, 6, 2, 4, 327, 63, "summary", "障害者{+、+}等）"},
	{SASAE_LINT_RELIST_DRIFT, 6, 3, 3, 336, 55, "summary", "{+り、自立に向けた+}"},
	{SASAE_LINT_RELIST_DRIFT, 6, 3, 24, 361, 64, "summary", "障害者{+、+}等）"},
	{SASAE_LINT_RELIST_DRIFT, 6, 3, 25, 362, 63, "summary", "障害者{+、+}等）"},
	{SASAE_LINT_RELIST_DRIFT, 6, 4, 2, 374, 10, "summary", "相談対応及び[- -]DV"},
	/* relist-orphan: 【再掲】 with no unmarked listing anywhere */
	{SASAE_LINT_RELIST_ORPHAN, 6, 2, 2, 323, 22, "name", "社会を明るくする運動{+の推進+}"},
	{SASAE_LINT_RELIST_ORPHAN, 6, 3, 21, 358, 62, "name", NULL},
	/* duplicate-unmarked: listed again without the marker */
	{SASAE_LINT_DUPLICATE_UNMARKED, 3, 2, 9, 198, 21, NULL, NULL},
	{SASAE_LINT_DUPLICATE_UNMARKED, 4, 1, 5, 262, 58, NULL, NULL},
	{SASAE_LINT_DUPLICATE_UNMARKED, 6, 3, 19, 356, 62, NULL, NULL},
	{SASAE_LINT_DUPLICATE_UNMARKED, 6, 3, 29, 367, 28, NULL, NULL}, /* No.20 the second time */
	/* shared-summary: 学校における福祉教育 has the summary of ボランティアセンターによる福祉学習の推進 */
	{SASAE_LINT_SHARED_SUMMARY, 1, 1, 18, 27, 12, "summary", NULL},
	/* numbering: part 6 section 3 runs …25, 26, 18, 19 … */
	{SASAE_LINT_NUMBERING, 6, 3, 27, 364, 363, NULL, NULL},
	/* department-variant: 社会福祉協議会 (line 16) for 市社会福祉協議会 everywhere else */
	{SASAE_LINT_DEPARTMENT_VARIANT, 1, 1, 8, 16, 12, "departments", "[-市-]社会福祉協議会"},
	/* department-joined: 健康福祉局市社会福祉協議会 (line 94) */
	{SASAE_LINT_DEPARTMENT_JOINED, 2, 1, 12, 94, 0, "departments", NULL},
	/* doubled-char: the parser's warnings, at the listing whose continuation line doubled a character */
	{SASAE_LINT_DOUBLED_CHAR, 2, 2, 16, 120, 0, "name", NULL},
	{SASAE_LINT_DOUBLED_CHAR, 3, 2, 3, 190, 0, "summary", NULL},
	{SASAE_LINT_DOUBLED_CHAR, 6, 3, 7, 340, 0, "summary", NULL},
};
enum { NSENDAI = sizeof sendai / sizeof sendai[0] };

/* The findings f must be exactly the pinned list, in report order. */
static void check_sendai_findings(const sasae_lint_findings *f)
{
	if (f->n != NSENDAI) {
		dump(f);
		fail_msg("want %d findings on the Sendai draft, have %zu", NSENDAI, f->n);
	}
	for (size_t i = 0; i < NSENDAI; i++) {
		const pinned *p = &sendai[i];
		const sasae_lint_finding *x = &f->items[i];
		if (strcmp(x->kind, p->kind) != 0 || x->at.source_line != p->line) {
			dump(f);
			fail_msg("finding %zu: want %s at line %ld, have %s at line %ld", i, p->kind, p->line,
				 x->kind, x->at.source_line);
		}
		assert_int_equal(x->at.part, p->part);
		assert_int_equal(x->at.section, p->section);
		assert_int_equal(x->at.position, p->position);
		assert_int_equal(x->has_other, p->other_line != 0);
		if (p->other_line)
			assert_int_equal(x->other.source_line, p->other_line);
		if (p->field)
			assert_string_equal(x->field, p->field);
		if (p->diff_has) {
			assert_non_null(x->diff);
			if (strstr(x->diff, p->diff_has) == NULL)
				fail_msg("line %ld: diff lacks %s: %s", p->line, p->diff_has, x->diff);
		}
		assert_non_null(x->message);
		assert_true(strlen(x->message) > 0);
	}
}

static void test_sendai(void **state)
{
	(void)state;
	sasae_plan *plan = NULL;
	sasae_error err = {0};
	assert_int_equal(sasae_parse_document(&plan, "sendai-2024-draft.txt", plan_text, plan_len, depts,
					      NULL, NULL, &err),
			 0);
	sasae_lint_findings *f = NULL;
	assert_int_equal(sasae_lint(plan, &f, &err), 0);
	check_sendai_findings(f);

	/* details a reader relies on */
	const sasae_lint_finding *x = at_line(f, SASAE_LINT_RELIST_DRIFT, 113, "summary");
	assert_string_equal(x->diff, "…及び各区・支部事務所[-内-]に設置されているボラ…");
	assert_non_null(strstr(x->other_text, "事務所内に"));
	assert_non_null(strstr(x->text, "事務所に設置"));
	assert_non_null(strstr(x->message, "第2部 (1) No.8、88行"));
	x = at_line(f, SASAE_LINT_RELIST_DRIFT, 188, "summary");
	assert_non_null(strstr(x->message, "空白だけ"));
	x = at_line(f, SASAE_LINT_RELIST_ORPHAN, 323, NULL);
	assert_string_equal(x->other.name, "社会を明るくする運動");
	assert_true(x->similarity > 0.85 && x->similarity < 0.86); /* 2·9 / (9 + 12) bigrams */
	assert_int_equal(x->distance, 3);
	assert_non_null(strstr(x->message, "事業概要が一字一句同じ"));
	x = at_line(f, SASAE_LINT_RELIST_ORPHAN, 358, NULL);
	assert_string_equal(x->text, "青少年面接相談");
	assert_true(x->similarity >= 0 && x->similarity < 0.5);
	assert_non_null(strstr(x->message, "似た名前の事業はありません"));
	x = at_line(f, SASAE_LINT_NUMBERING, 364, NULL);
	assert_int_equal(x->at.number, 18);
	assert_int_equal(x->other.number, 26);
	assert_non_null(strstr(x->message, "No.18 はこの施策に二度あります"));
	x = at_line(f, SASAE_LINT_DEPARTMENT_VARIANT, 16, NULL);
	assert_string_equal(x->text, "社会福祉協議会");
	assert_string_equal(x->other_text, "市社会福祉協議会");
	x = at_line(f, SASAE_LINT_DEPARTMENT_JOINED, 94, NULL);
	assert_string_equal(x->text, "健康福祉局市社会福祉協議会");
	x = at_line(f, SASAE_LINT_DOUBLED_CHAR, 120, NULL);
	assert_non_null(strstr(x->message, "122行"));
	assert_non_null(strstr(x->text, "ボランティアア活動"));
	x = at_line(f, SASAE_LINT_SHARED_SUMMARY, 27, NULL);
	assert_string_equal(x->other.name, "ボランティアセンターによる福祉学習の推進");
	assert_int_equal(f->accepted, 0);
	assert_int_equal(sasae_lint_open_count(f), NSENDAI);
	sasae_lint_findings_free(f);
	sasae_plan_free(plan);
}

/* The same findings on the plan as stored: departments as printed and warnings survive. */
static void test_sendai_from_store(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp(), *db = tu_join(dir, "sasae.db");
	sasae_store *s = NULL;
	sasae_error err = {0};
	assert_int_equal(sasae_store_open(&s, db, SASAE_STORE_CREATE, &err), 0);
	sasae_import_options opt = {0};
	opt.depts = depts;
	opt.no_index = true;
	sasae_import_summary sum;
	int rc = sasae_import_bytes(s, "sendai-2024-draft.txt", plan_text, plan_len, &opt, &sum, &err);
	if (rc)
		fail_msg("import: %s", err.message);
	assert_int_equal(sum.warnings, 3);
	int64_t v = 0;
	assert_int_equal(sasae_store_resolve(s, NULL, &v, &err), 0);
	sasae_plan *plan = NULL;
	assert_int_equal(sasae_store_load_plan(s, v, &plan, &err), 0);
	assert_int_equal(plan->nwarnings, 3);
	assert_int_equal(plan->warnings[0].line, 122);
	assert_string_equal(plan->warnings[0].kind, "doubled-char");
	/* line 16: 健康福祉局 社会福祉協議会 — the alias is kept as printed */
	const sasae_listing *l = &plan->parts[0].sections[0].listings[7];
	assert_int_equal(l->source_line, 16);
	assert_int_equal(l->ndepartments, 2);
	assert_null(l->departments[0].printed);
	assert_string_equal(l->departments[1].name, "市社会福祉協議会");
	assert_string_equal(l->departments[1].printed, "社会福祉協議会");
	sasae_lint_findings *f = NULL;
	assert_int_equal(sasae_lint(plan, &f, &err), 0);
	check_sendai_findings(f);
	sasae_lint_findings_free(f);
	sasae_plan_free(plan);
	sasae_store_close(s);
	free(db);
	tu_rmdir(dir);
}

/* ---- crafted documents ---- */

#define HEAD "**テスト計画**\n\n(1) 見出しの一\n\nNo\t事業名\t事業概要\t担当局等\n"

static void test_clean_documents(void **state)
{
	(void)state;
	static const char *const docs[] = {
		/* one section */
		HEAD "1\t事業A\t概要Aです。\t健康福祉局\n2\t事業B\t概要Bです。\t市民局\n",
		/* a re-listing equal to its original (wrap spaces and 【再 掲】 do not matter) */
		HEAD "1\t地域の見守り活動\t見守りを行う。\t健康福祉局 市社会福祉協議会\n"
		     "2\t事業B\t概要Bです。\t市民局\n\n(2) 見出しの二\n\n"
		     "1\t地域の 見守り活動【再 掲】\t見守りを行う。\t健康福祉局 市社会福祉協議会\n",
		/* two parts, each numbered from (1) and No.1; a row split over a page break */
		HEAD
		"1\t事業A\t概要Aの前半、\t健康福祉局\n\n\t\t後半です。\t\n(2) 二\n1\t事業B\t概要B\t市民局\n"
		"(1) 第二部\n1\t事業C\t概要C\t教育局\n2\t事業A【再掲】\t概要Aの前半、後半です。\t健康福祉局\n",
	};
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		sasae_lint_findings *f = lint_text(docs[i], NULL);
		if (f->n != 0) {
			dump(f);
			fail_msg("document %zu: want no findings", i);
		}
		assert_int_equal(sasae_lint_open_count(f), 0);
		sasae_lint_findings_free(f);
	}
}

static void test_relist_drift(void **state)
{
	(void)state;
	sasae_lint_findings *f = lint_text(HEAD "1\t事業A\t概要Aです。\t健康福祉局\n"
						"2\t事業A【再掲】\t概要Aでした。\t健康福祉局\n",
					   NULL);
	const sasae_lint_finding *x = only(f, SASAE_LINT_RELIST_DRIFT);
	assert_place(&x->at, 1, 1, 2, 2, 7);
	assert_place(&x->other, 1, 1, 1, 1, 6);
	assert_string_equal(x->field, "summary");
	assert_string_equal(x->diff, "概要Aで[-す-]{+した+}。");
	assert_string_equal(x->text, "概要Aでした。");
	assert_string_equal(x->other_text, "概要Aです。");
	sasae_lint_findings_free(f);

	/* departments */
	f = lint_text(HEAD "1\t事業A\t概要\t健康福祉局\n\n(2) 二\n1\t事業A【再掲】\t概要\t健康福祉局 市民局\n",
		      NULL);
	x = only(f, SASAE_LINT_RELIST_DRIFT);
	assert_string_equal(x->field, "departments");
	assert_string_equal(x->diff, "健康福祉局 {+市民局+}");
	assert_string_equal(x->text, "健康福祉局 市民局");
	assert_string_equal(x->other_text, "健康福祉局");
	assert_int_equal(x->at.section, 2);
	sasae_lint_findings_free(f);

	/* both: two findings at the same place, summary first */
	f = lint_text(HEAD "1\t事業A\t概要\t健康福祉局\n2\t事業A【再掲】\t概要だ\t市民局\n", NULL);
	assert_int_equal(f->n, 2);
	assert_string_equal(f->items[0].field, "summary");
	assert_string_equal(f->items[1].field, "departments");
	assert_string_equal(f->items[1].diff, "[-健康福祉局-] {+市民局+}");
	sasae_lint_findings_free(f);
}

static void test_relist_orphan(void **state)
{
	(void)state;
	sasae_lint_findings *f = lint_text(HEAD "1\t地域見守り活動支援\t見守り。\t健康福祉局\n"
						"2\t子育て相談\t相談。\t子供未来局\n"
						"3\t地域見守り活動の支援【再掲】\t見守りです。\t健康福祉局\n",
					   NULL);
	const sasae_lint_finding *x = only(f, SASAE_LINT_RELIST_ORPHAN);
	assert_place(&x->at, 1, 1, 3, 3, 8);
	assert_place(&x->other, 1, 1, 1, 1, 6);
	assert_string_equal(x->other.name, "地域見守り活動支援");
	assert_int_equal(x->distance, 1);
	/* bigrams: 地域 域見 見守 守り り活 活動 動支 支援 (8) vs … 動の の支 支援 (9); common 7 */
	assert_true(x->similarity > 0.82 && x->similarity < 0.83);
	assert_string_equal(x->diff, "地域見守り活動{+の+}支援");
	assert_non_null(strstr(x->message, "名前の近い事業「地域見守り活動支援」"));
	sasae_lint_findings_free(f);

	/* nothing like it: still the closest, with a low similarity; two re-listings, one finding */
	f = lint_text(HEAD
		      "1\t子育て相談\t相談。\t子供未来局\n2\t道路の清掃\t清掃。\t建設局\n"
		      "(2) 二\n1\t図書館の案内【再掲】\t案内。\t教育局\n2\t図書館の案内【再掲】\t案内。\t教育局\n",
		      NULL);
	x = only(f, SASAE_LINT_RELIST_ORPHAN);
	assert_int_equal(x->at.source_line, 9);
	assert_non_null(strstr(x->message, "2 か所はすべて【再掲】"));
	assert_true(x->similarity < 0.5);
	sasae_lint_findings_free(f);
}

static void test_relist_before_original(void **state)
{
	(void)state;
	sasae_lint_findings *f =
		lint_text(HEAD
			  "1\t事業A【再掲】\t概要A\t健康福祉局\n2\t事業B\t概要B\t市民局\n(2) 二\n1\t事業A\t概要A\t健康福祉局\n",
			  NULL);
	const sasae_lint_finding *x = only(f, SASAE_LINT_RELIST_BEFORE_ORIGINAL);
	assert_place(&x->at, 1, 1, 1, 1, 6);
	assert_place(&x->other, 1, 2, 1, 1, 9);
	sasae_lint_findings_free(f);
}

static void test_duplicate_unmarked(void **state)
{
	(void)state;
	sasae_lint_findings *f =
		lint_text(HEAD "1\t事業A\t概要A\t健康福祉局\n2\t事業B\t概要B\t市民局\n"
			       "(2) 二\n1\t事業 A\t概要A\t健康福祉局\n2\t事業A\t概要Aだ\t健康福祉局\n",
			  NULL);
	assert_int_equal(f->n, 2);
	const sasae_lint_finding *x = &f->items[0];
	assert_string_equal(x->kind, SASAE_LINT_DUPLICATE_UNMARKED);
	assert_place(&x->at, 1, 2, 1, 1, 9);
	assert_place(&x->other, 1, 1, 1, 1, 6);
	assert_null(x->diff);
	x = &f->items[1];
	assert_string_equal(x->kind, SASAE_LINT_DUPLICATE_UNMARKED);
	assert_place(&x->at, 1, 2, 2, 2, 10);
	assert_string_equal(x->diff, "概要A{+だ+}");
	assert_non_null(strstr(x->message, "事業概要も違います"));
	sasae_lint_findings_free(f);
}

static void test_shared_summary(void **state)
{
	(void)state;
	sasae_lint_findings *f =
		lint_text(HEAD "1\t事業A\t同じ 概要です。\t健康福祉局\n2\t事業B\t別の概要。\t市民局\n"
			       "3\t事業C\t同じ概要です。\t教育局\n4\t事業A【再掲】\t同じ 概要です。\t健康福祉局\n"
			       "5\t事業D\t\t教育局\n6\t事業E\t\t教育局\n",
			  NULL);
	/* empty summaries are empty cells, not shared summaries */
	assert_int_equal(count_kind(f, SASAE_LINT_EMPTY_CELL), 2);
	assert_int_equal(count_kind(f, SASAE_LINT_SHARED_SUMMARY), 1);
	const sasae_lint_finding *x = at_line(f, SASAE_LINT_SHARED_SUMMARY, 8, "summary");
	assert_int_equal(x->other.source_line, 6);
	assert_non_null(strstr(x->message, "空白の違いを除いて"));
	assert_int_equal(f->n, 3);
	sasae_lint_findings_free(f);
}

static void test_numbering(void **state)
{
	(void)state;
	static const struct {
		const char *rows;
		long line; /* of the finding */
		const char *has;
	} cases[] = {
		{"1\tA\ta\t市民局\n3\tB\tb\t市民局\n", 7, "2 が抜けています"},
		{"1\tA\ta\t市民局\n2\tB\tb\t市民局\n6\tC\tc\t市民局\n", 8, "3〜5 が抜けています"},
		{"1\tA\ta\t市民局\n1\tB\tb\t市民局\n", 7, "No.1 が続けて二度あります"},
		{"1\tA\ta\t市民局\n2\tB\tb\t市民局\n3\tC\tc\t市民局\n2\tD\td\t市民局\n", 9,
		 "No.3 の次が No.2 に戻っています（No.2 はこの施策に二度"},
		{"2\tA\ta\t市民局\n3\tB\tb\t市民局\n", 6, "最初の番号が 1 ではなく 2"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char doc[1024];
		snprintf(doc, sizeof doc, "%s%s", HEAD, cases[i].rows);
		sasae_lint_findings *f = lint_text(doc, NULL);
		const sasae_lint_finding *x = only(f, SASAE_LINT_NUMBERING);
		assert_int_equal(x->at.source_line, cases[i].line);
		if (strstr(x->message, cases[i].has) == NULL)
			fail_msg("case %zu: message lacks %s: %s", i, cases[i].has, x->message);
		sasae_lint_findings_free(f);
	}
	/* headings: (2) printed twice in a part, then (4) after (2) */
	sasae_lint_findings *f =
		lint_text(HEAD "1\tA\ta\t市民局\n(2) 二\n1\tB\tb\t市民局\n(2) 二の二\n1\tC\tc\t市民局\n"
			       "(4) 四\n1\tD\td\t市民局\n",
			  NULL);
	assert_int_equal(f->n, 2);
	const sasae_lint_finding *x = &f->items[0];
	assert_string_equal(x->kind, SASAE_LINT_NUMBERING);
	assert_int_equal(x->at.position, 0); /* the heading itself */
	assert_int_equal(x->at.section, 2);
	assert_int_equal(x->at.section_index, 3);
	assert_int_equal(x->at.source_line, 9);
	assert_string_equal(x->at.name, "二の二");
	assert_non_null(strstr(x->message, "(2) がこの部に二度あります（前の (2) は 7行）"));
	x = &f->items[1];
	assert_int_equal(x->at.source_line, 11);
	assert_non_null(strstr(x->message, "(2) の次に (4) です（飛んでいます）"));
	sasae_lint_findings_free(f);
}

static void test_departments(void **state)
{
	(void)state;
	/* an alias once against the canonical name twice */
	sasae_lint_findings *f = lint_text(HEAD "1\tA\ta\t健康福祉局 市社会福祉協議会\n2\tB\tb\t社会福祉協議会\n"
						"3\tC\tc\t市社会福祉協議会\n",
					   NULL);
	const sasae_lint_finding *x = only(f, SASAE_LINT_DEPARTMENT_VARIANT);
	assert_int_equal(x->at.source_line, 7);
	assert_int_equal(x->other.source_line, 6);
	assert_string_equal(x->text, "社会福祉協議会");
	assert_string_equal(x->other_text, "市社会福祉協議会");
	assert_non_null(strstr(x->message, "ほかの 2 か所"));
	sasae_lint_findings_free(f);

	/* the same alias everywhere is consistent: no finding */
	f = lint_text(HEAD "1\tA\ta\t社会福祉協議会\n2\tB\tb\t社会福祉協議会\n", NULL);
	assert_int_equal(f->n, 0);
	sasae_lint_findings_free(f);

	/* two names run together (not a variant of either) */
	f = lint_text(HEAD "1\tA\ta\t健康福祉局市社会福祉協議会\n2\tB\tb\t健康福祉局\n", NULL);
	x = only(f, SASAE_LINT_DEPARTMENT_JOINED);
	assert_string_equal(x->text, "健康福祉局市社会福祉協議会");
	assert_non_null(strstr(x->message, "「健康福祉局 市社会福祉協議会」と空白で区切って"));
	sasae_lint_findings_free(f);

	/* a name the table does not know (the parser's warning) */
	f = lint_text(HEAD "1\tA\ta\t謎の局\n", NULL);
	x = only(f, SASAE_LINT_UNKNOWN_DEPARTMENT);
	assert_int_equal(x->at.source_line, 6);
	assert_non_null(strstr(x->message, "謎の局"));
	sasae_lint_findings_free(f);

	/* a note with no department before it */
	f = lint_text(HEAD "1\tA\ta\t(各区役所)\n", NULL);
	assert_int_equal(count_kind(f, SASAE_LINT_ORPHAN_NOTE), 1);
	assert_int_equal(count_kind(f, SASAE_LINT_EMPTY_CELL), 1); /* and so no department at all */
	sasae_lint_findings_free(f);
}

static void test_empty(void **state)
{
	(void)state;
	sasae_lint_findings *f = lint_text(HEAD "1\t\t概要\t市民局\n2\t事業B\t\t市民局\n3\t事業C\t概要C\t\n"
						"(2) 空の見出し\n(3) 三\n1\t事業D\t概要D\t市民局\n",
					   NULL);
	assert_int_equal(count_kind(f, SASAE_LINT_EMPTY_CELL), 3);
	assert_string_equal(at_line(f, SASAE_LINT_EMPTY_CELL, 6, NULL)->field, "name");
	assert_string_equal(at_line(f, SASAE_LINT_EMPTY_CELL, 7, NULL)->field, "summary");
	assert_string_equal(at_line(f, SASAE_LINT_EMPTY_CELL, 8, NULL)->field, "departments");
	const sasae_lint_finding *x = at_line(f, SASAE_LINT_EMPTY_SECTION, 9, NULL);
	assert_int_equal(x->at.position, 0);
	assert_int_equal(x->at.section, 2);
	assert_int_equal(f->n, 4);
	sasae_lint_findings_free(f);
}

static void test_doubled_char(void **state)
{
	(void)state;
	sasae_lint_findings *f =
		lint_text(HEAD "1\t子育て支援ボランティア\t概要\t子供未来局\n\n\tア活動への支援\t\t\n"
			       "2\t事業B\t概要B\t市民局\n",
			  NULL);
	const sasae_lint_finding *x = only(f, SASAE_LINT_DOUBLED_CHAR);
	assert_int_equal(x->at.source_line, 6);
	assert_string_equal(x->field, "name");
	assert_string_equal(x->text, "子育て支援ボランティアア活動への支援");
	assert_non_null(strstr(x->message, "8行: "));
	sasae_lint_findings_free(f);
}

/* Findings come grouped by kind (the order of sasae_lint_kinds), then in document order. */
static void test_order_and_kinds(void **state)
{
	(void)state;
	size_t n = 0;
	const char *const *kinds = sasae_lint_kinds(&n);
	assert_true(n >= 6);
	static const char *const contract[] = {"relist-drift",   "relist-orphan", "duplicate-unmarked",
					       "shared-summary", "numbering",     "department-variant"};
	for (size_t i = 0; i < sizeof contract / sizeof contract[0]; i++) {
		assert_true(sasae_lint_kind_known(contract[i]));
		assert_string_not_equal(sasae_lint_kind_title(contract[i]), contract[i]); /* a Japanese title */
	}
	assert_false(sasae_lint_kind_known("no-such-kind"));
	assert_string_equal(sasae_lint_kind_title("no-such-kind"), "no-such-kind");
	sasae_lint_findings *f =
		lint_text(HEAD "3\t事業A\t概要\t社会福祉協議会\n4\t事業A\t概要\t市社会福祉協議会\n"
			       "5\t事業B【再掲】\t概要B\t市社会福祉協議会\n",
			  NULL);
	size_t last = 0;
	for (size_t i = 0; i < f->n; i++) {
		size_t r = 0;
		while (r < n && strcmp(kinds[r], f->items[i].kind) != 0)
			r++;
		assert_true(r < n);
		assert_true(r >= last);
		last = r;
	}
	assert_int_equal(count_kind(f, SASAE_LINT_NUMBERING), 1);
	assert_int_equal(count_kind(f, SASAE_LINT_DUPLICATE_UNMARKED), 1);
	assert_int_equal(count_kind(f, SASAE_LINT_RELIST_ORPHAN), 1);
	assert_int_equal(count_kind(f, SASAE_LINT_DEPARTMENT_VARIANT), 1);
	sasae_lint_findings_free(f);
}

/* A plan built by hand, without program ids: listings are grouped by their names. */
static void test_plan_without_ids(void **state)
{
	(void)state;
	sasae_plan *plan = NULL;
	sasae_error err = {0};
	const char *doc = HEAD "1\t事業A\t概要A\t市民局\n2\t事業A【再掲】\t概要A2\t市民局\n";
	assert_int_equal(sasae_parse_document(&plan, "doc.txt", doc, strlen(doc), depts, NULL, NULL, &err), 0);
	for (size_t k = 0; k < plan->parts[0].sections[0].nlistings; k++) {
		free(plan->parts[0].sections[0].listings[k].program);
		plan->parts[0].sections[0].listings[k].program = NULL;
	}
	sasae_lint_findings *f = NULL;
	assert_int_equal(sasae_lint(plan, &f, &err), 0);
	only(f, SASAE_LINT_RELIST_DRIFT);
	sasae_lint_findings_free(f);
	sasae_plan_free(plan);
}

/* Long names and summaries: messages are not cut (a cut could split a character and break the
   JSON), diffs of long texts stay short. */
static void test_long_texts(void **state)
{
	(void)state;
	sasae_buf name = SASAE_BUF_INIT, summary = SASAE_BUF_INIT, doc = SASAE_BUF_INIT;
	for (int i = 0; i < 600; i++)
		sasae_buf_puts(&name, i % 2 ? "福" : "祉");
	for (int i = 0; i < 3000; i++)
		sasae_buf_puts(&summary, i % 3 ? "支" : "援");
	sasae_buf_appendf(&doc, HEAD "1\t%s\t%s\t市民局\n2\t%sの推進【再掲】\t%s。\t市民局\n",
			  sasae_buf_cstr(&name), sasae_buf_cstr(&summary), sasae_buf_cstr(&name),
			  sasae_buf_cstr(&summary));
	sasae_plan *plan = NULL;
	sasae_lint_findings *f = lint_text(sasae_buf_cstr(&doc), &plan);
	const sasae_lint_finding *x = only(f, SASAE_LINT_RELIST_ORPHAN);
	assert_non_null(strstr(x->message, sasae_buf_cstr(&name)));
	assert_string_equal(x->diff, "…祉福祉福祉福祉福祉福{+の推進+}");
	json_t *j = sasae_lint_json(plan, f);
	assert_non_null(j);
	json_decref(j);
	sasae_lint_findings_free(f);
	sasae_plan_free(plan);
	char *d = sasae_lint_diff(sasae_buf_cstr(&summary), "まったく別の文");
	assert_non_null(d);
	assert_non_null(strstr(d, "{+まったく別の文+}"));
	free(d);
	sasae_buf_free(&name);
	sasae_buf_free(&summary);
	sasae_buf_free(&doc);
}

/* ---- building blocks ---- */

static void test_diff(void **state)
{
	(void)state;
	static const struct {
		const char *from, *to, *want;
	} cases[] = {
		{"同じ", "同じ", ""},
		{"", "", ""},
		{"", "新しい", "{+新しい+}"},
		{"古い", "", "[-古い-]"},
		{"事務所内に設置", "事務所に設置", "事務所[-内-]に設置"},
		{"abc", "abXc", "ab{+X+}c"},
		{"取り組む", "取組む", "取[-り-]組む"},
		/* long unchanged stretches keep 10 characters of context around a change */
		{"一二三四五六七八九十壱弐参四五六七八九十あ", "一二三四五六七八九十壱弐参四五六七八九十い",
		 "…壱弐参四五六七八九十[-あ-]{+い+}"},
		{"あ一二三四五六七八九十壱弐参四五六七八九十", "い一二三四五六七八九十壱弐参四五六七八九十",
		 "[-あ-]{+い+}一二三四五六七八九十…"},
		{"あ一二三四五六七八九十壱弐参四五六七八九十い", "ア一二三四五六七八九十壱弐参四五六七八九十イ",
		 "[-あ-]{+ア+}一二三四五六七八九十壱弐参四五六七八九十[-い-]{+イ+}"},
		{"あ一二三四五六七八九十壱弐参四五六七八九十拾捨い",
		 "ア一二三四五六七八九十壱弐参四五六七八九十拾捨イ",
		 "[-あ-]{+ア+}一二三四五六七八九十…参四五六七八九十拾捨[-い-]{+イ+}"},
		/* a single matching character between two changes is absorbed */
		{"あいう", "かいき", "[-あいう-]{+かいき+}"},
		/* code points, not bytes: 「内」 and 「円」 share UTF-8 bytes but are different */
		{"内", "円", "[-内-]{+円+}"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *d = sasae_lint_diff(cases[i].from, cases[i].to);
		assert_non_null(d);
		if (strcmp(d, cases[i].want) != 0)
			fail_msg("diff %zu: want %s, have %s", i, cases[i].want, d);
		free(d);
	}
}

static void test_similarity(void **state)
{
	(void)state;
	assert_true(sasae_text_similarity("社会を明るくする運動", "社会を明るくする運動") == 1.0);
	/* NFKC and white space do not count */
	assert_true(sasae_text_similarity("ＤＶ 相談", "DV相談") == 1.0);
	assert_true(sasae_text_similarity("あいう", "かきく") == 0.0);
	double s = sasae_text_similarity("社会を明るくする運動の推進", "社会を明るくする運動");
	assert_true(s > 0.857 && s < 0.858); /* 18/21 */
	assert_true(sasae_text_similarity("あ", "あ") == 1.0);
	assert_true(sasae_text_similarity("あ", "い") == 0.0);
	assert_int_equal(sasae_text_edit_distance("社会を明るくする運動の推進", "社会を明るくする運動"), 3);
	assert_int_equal(sasae_text_edit_distance("", "あい"), 2);
	assert_int_equal(sasae_text_edit_distance("事務所内に", "事務所に"), 1);
	assert_int_equal(sasae_text_edit_distance("kitten", "sitting"), 3);
}

/* ---- the accept list ---- */

static sasae_lint_accept *accept_ok(const char *text)
{
	sasae_lint_accept *a = NULL;
	sasae_error err = {0};
	int rc = sasae_lint_accept_parse(&a, "accept.tsv", text, strlen(text), &err);
	if (rc)
		fail_msg("accept: %d %s:%ld: %s", rc, err.file, err.line, err.message);
	return a;
}

static void test_accept_parse(void **state)
{
	(void)state;
	sasae_lint_accept *a = accept_ok("\xEF\xBB\xBF# 受け入れリスト\r\n\n"
					 "relist-drift\t3-2-1\t空白だけの違い\r\n"
					 "numbering\t6-3-27\n"
					 "  # indented comment\n"
					 "department-variant 1-1-8   区の表記のまま 残す\n"
					 "numbering\t1-2-0\t見出し\tタブ入りのコメント\n");
	assert_int_equal(a->n, 4);
	assert_string_equal(a->entries[0].kind, "relist-drift");
	assert_int_equal(a->entries[0].part, 3);
	assert_int_equal(a->entries[0].section, 2);
	assert_int_equal(a->entries[0].position, 1);
	assert_string_equal(a->entries[0].comment, "空白だけの違い");
	assert_int_equal(a->entries[0].line, 3);
	assert_null(a->entries[1].comment);
	assert_int_equal(a->entries[1].line, 4);
	assert_string_equal(a->entries[2].kind, "department-variant");
	assert_string_equal(a->entries[2].comment, "区の表記のまま 残す");
	assert_int_equal(a->entries[3].position, 0);
	assert_string_equal(a->entries[3].comment, "見出し\tタブ入りのコメント");
	sasae_lint_accept_free(a);
	sasae_lint_accept_free(NULL);

	static const struct {
		const char *text;
		long line;
		const char *has;
	} bad[] = {
		{"no-such-kind\t1-1-1\n", 1, "no-such-kind"},
		{"# c\nrelist-drift\t1-1\n", 2, "部-施策-位置"},
		{"relist-drift\t0-1-1\n", 1, "0-1-1"},
		{"relist-drift\ta-b-c\n", 1, "a-b-c"},
		{"relist-drift\n", 1, "種類<TAB>部-施策-位置"},
		{"relist-drift\t\t1-1-1\n", 1, "種類<TAB>部-施策-位置"},
		{"relist-drift\t1-1-1\nnumbering 2-2-2x\n", 2, "2-2-2x"},
		{"\xff\xfe\n", 1, "UTF-8"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		sasae_error err = {0};
		a = NULL;
		assert_int_equal(sasae_lint_accept_parse(&a, "accept.tsv", bad[i].text, strlen(bad[i].text),
							 &err),
				 SASAE_EDATA);
		assert_null(a);
		assert_string_equal(err.file, "accept.tsv");
		assert_int_equal(err.line, bad[i].line);
		if (strstr(err.message, bad[i].has) == NULL)
			fail_msg("bad %zu: message lacks %s: %s", i, bad[i].has, err.message);
	}
}

static void test_accept_apply(void **state)
{
	(void)state;
	sasae_plan *plan = NULL;
	sasae_lint_findings *f = lint_text(HEAD "1\t事業A\t概要\t健康福祉局\n2\t事業A【再掲】\t概要だ\t市民局\n"
						"4\t事業C\t概要C\t市民局\n",
					   &plan);
	assert_int_equal(f->n, 3); /* drift (summary), drift (departments), numbering */
	sasae_lint_accept *a =
		accept_ok("relist-drift\t1-1-2\t承知\nnumbering\t1-1-2\t当たらない\nnumbering\t9-9-9\n");
	assert_int_equal(sasae_lint_accept_apply(f, a), 2); /* one line accepts both drifts at 1-1-2 */
	assert_int_equal(f->accepted, 2);
	assert_int_equal(sasae_lint_open_count(f), 1);
	assert_true(f->items[0].accepted && f->items[1].accepted);
	assert_false(f->items[2].accepted);
	assert_int_equal(a->entries[0].used, 2);
	assert_int_equal(a->entries[1].used, 0);
	assert_int_equal(a->entries[2].used, 0);

	/* JSON leaves accepted findings out and counts them */
	json_t *j = sasae_lint_json(plan, f);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "accepted")), 2);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
	assert_int_equal(json_array_size(json_object_get(j, "findings")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "counts"), "numbering")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "counts"), "relist-drift")), 0);
	json_decref(j);

	/* accepting everything leaves nothing open */
	sasae_lint_accept *all = accept_ok("relist-drift\t1-1-2\nnumbering\t1-1-3\n");
	sasae_lint_accept_apply(f, all);
	assert_int_equal(sasae_lint_open_count(f), 0);
	assert_int_equal(all->entries[1].used, 1);
	sasae_lint_accept_free(all);
	sasae_lint_accept_free(a);
	sasae_lint_findings_free(f);
	sasae_plan_free(plan);
}

/* ---- JSON ---- */

static void test_json(void **state)
{
	(void)state;
	sasae_plan *plan = NULL;
	sasae_error err = {0};
	assert_int_equal(sasae_parse_document(&plan, "sendai-2024-draft.txt", plan_text, plan_len, depts,
					      NULL, NULL, &err),
			 0);
	sasae_lint_findings *f = NULL;
	assert_int_equal(sasae_lint(plan, &f, &err), 0);
	json_t *j = sasae_lint_json(plan, f);
	assert_non_null(j);
	/* round trip through text, as a tool would read it */
	char *text = json_dumps(j, JSON_PRESERVE_ORDER);
	json_decref(j);
	json_error_t jerr;
	j = json_loads(text, 0, &jerr);
	free(text);
	assert_non_null(j);
	json_t *findings = json_object_get(j, "findings");
	assert_true(json_is_array(findings));
	assert_int_equal(json_array_size(findings), NSENDAI);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), NSENDAI);
	assert_int_equal(json_integer_value(json_object_get(j, "accepted")), 0);
	json_t *counts = json_object_get(j, "counts");
	assert_int_equal(json_integer_value(json_object_get(counts, "relist-drift")), 11);
	assert_int_equal(json_integer_value(json_object_get(counts, "relist-orphan")), 2);
	assert_int_equal(json_integer_value(json_object_get(counts, "duplicate-unmarked")), 4);
	assert_int_equal(json_integer_value(json_object_get(counts, "shared-summary")), 1);
	assert_int_equal(json_integer_value(json_object_get(counts, "numbering")), 1);
	assert_int_equal(json_integer_value(json_object_get(counts, "department-variant")), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "plan"), "source")),
			    "sendai-2024-draft.txt");
	size_t i;
	json_t *x;
	json_array_foreach(findings, i, x)
	{
		assert_true(json_is_string(json_object_get(x, "kind")));
		assert_true(json_is_string(json_object_get(x, "message")));
		assert_true(json_is_integer(json_object_get(x, "source_line")));
		json_t *l = json_object_get(x, "listing");
		assert_true(json_is_integer(json_object_get(l, "part")));
		assert_true(json_is_integer(json_object_get(l, "section")));
		assert_true(json_is_integer(json_object_get(l, "position")));
		assert_int_equal(json_integer_value(json_object_get(l, "source_line")),
				 json_integer_value(json_object_get(x, "source_line")));
	}
	x = json_array_get(findings, 0);
	assert_string_equal(json_string_value(json_object_get(x, "kind")), "relist-drift");
	assert_int_equal(json_integer_value(json_object_get(x, "source_line")), 113);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(x, "other"), "source_line")), 88);
	assert_string_equal(json_string_value(json_object_get(x, "field")), "summary");
	assert_non_null(strstr(json_string_value(json_object_get(x, "diff")), "[-内-]"));
	x = json_array_get(findings, 11); /* the first relist-orphan */
	assert_string_equal(json_string_value(json_object_get(x, "kind")), "relist-orphan");
	assert_true(json_real_value(json_object_get(x, "similarity")) > 0.85);
	assert_int_equal(json_integer_value(json_object_get(x, "distance")), 3);
	json_decref(j);

	/* without a plan, and an empty list */
	sasae_lint_findings empty = {0};
	j = sasae_lint_json(NULL, &empty);
	assert_null(json_object_get(j, "plan"));
	assert_int_equal(json_array_size(json_object_get(j, "findings")), 0);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 0);
	json_decref(j);
	sasae_lint_findings_free(f);
	sasae_plan_free(plan);
	sasae_lint_findings_free(NULL);
}

static int setup(void **state)
{
	(void)state;
	sasae_error err = {0};
	if (sasae_dept_table_default(&depts, &err) != 0)
		return -1;
	plan_text = tu_read_source("data/sendai-2024-draft.txt", &plan_len);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sasae_dept_table_free(depts);
	free(plan_text);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sendai),
		cmocka_unit_test(test_sendai_from_store),
		cmocka_unit_test(test_clean_documents),
		cmocka_unit_test(test_relist_drift),
		cmocka_unit_test(test_relist_orphan),
		cmocka_unit_test(test_relist_before_original),
		cmocka_unit_test(test_duplicate_unmarked),
		cmocka_unit_test(test_shared_summary),
		cmocka_unit_test(test_numbering),
		cmocka_unit_test(test_departments),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_doubled_char),
		cmocka_unit_test(test_order_and_kinds),
		cmocka_unit_test(test_plan_without_ids),
		cmocka_unit_test(test_long_texts),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_similarity),
		cmocka_unit_test(test_accept_parse),
		cmocka_unit_test(test_accept_apply),
		cmocka_unit_test(test_json),

	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
