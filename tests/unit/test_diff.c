/*
 * test_diff.c — unit tests of the plan diff (include/core/sasae/diff.h, docs/diff.md): the similarity
 * measure, the character diff (table-driven, and a property test that the spans rebuild both
 * texts), and the plan comparison on versions of the bundled plan edited with precise changes —
 * a rename, a move, an edited summary, an addition, a removal — each of which must be found
 * exactly once with the right kind and nothing else; identical plans; departments; relistings;
 * inserted and retitled sections; both directions; plans loaded back from a store; the text and
 * JSON output; the bounded candidate search.
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
#include "sasae/diff.h"
#include "sasae/import.h"
#include "sasae/parse.h"
#include "sasae/similar.h"
#include "sasae/store.h"
#include "test_util.h"

static sasae_dept_table *depts;
static char *plan_text; /* data/sendai-2024-draft.txt */

/* ---- helpers ---- */

static sasae_plan *parse(const char *name, const char *text)
{
	sasae_plan *plan = NULL;
	sasae_error err = {0};
	if (sasae_parse_document(&plan, name, text, strlen(text), depts, NULL, NULL, &err) != 0)
		fail_msg("parse %s: %s:%ld: %s", name, err.file, err.line, err.message);
	return plan;
}

static sasae_diff *diff(const sasae_plan *a, const sasae_plan *b)
{
	sasae_diff *d = NULL;
	sasae_error err = {0};
	assert_int_equal(sasae_diff_plans(&d, a, b, NULL, &err), 0);
	assert_non_null(d);
	return d;
}

/* The line of s that starts with prefix (at a line start): its offset and length (without LF). */
static size_t find_line(const char *s, const char *prefix, size_t *len)
{
	size_t plen = strlen(prefix);
	const char *at = strncmp(s, prefix, plen) == 0 ? s : NULL;
	for (const char *p = s; at == NULL && (p = strchr(p, '\n')) != NULL; p++)
		if (strncmp(p + 1, prefix, plen) == 0)
			at = p + 1;
	if (at == NULL)
		fail_msg("no line starts with: %s", prefix);
	const char *end = strchr(at, '\n');
	*len = end ? (size_t)(end - at) : strlen(at);
	return (size_t)(at - s);
}

/* Remove the line starting with prefix from *s (replaced); returns the line (malloc'd, no LF). */
static char *cut_line(char **s, const char *prefix)
{
	size_t len, off = find_line(*s, prefix, &len);
	char *line = strndup(*s + off, len);
	assert_non_null(line);
	memmove(*s + off, *s + off + len + 1, strlen(*s + off + len + 1) + 1);
	return line;
}

/* Insert line (and LF) after the line starting with prefix in *s (replaced). */
static void insert_after(char **s, const char *prefix, const char *line)
{
	size_t len, off = find_line(*s, prefix, &len);
	sasae_buf b = SASAE_BUF_INIT;
	sasae_buf_append(&b, *s, off + len);
	sasae_buf_putc(&b, '\n');
	sasae_buf_puts(&b, line);
	sasae_buf_puts(&b, *s + off + len);
	free(*s);
	*s = sasae_buf_detach(&b);
	assert_non_null(*s);
}

/* Replace the first occurrence of from in *s (replaced). */
static void replace(char **s, const char *from, const char *to)
{
	char *r = tu_replace(*s, from, to);
	free(*s);
	*s = r;
}

/* The five edits of the crafted second version (the same as tests/data/diff-edit.py). */
#define RENAMED_OLD  "地域福祉セミナー"
#define RENAMED_NEW  "地域福祉セミナー（入門編）"
#define MOVED_NAME   "障害者週間に合わせた「心のバリアフリー」理念の普及促進"
#define CHANGED_NAME "障害者差別解消の推進"
#define ADDED_NAME   "地域共生カフェへの支援"
#define REMOVED_NAME "人権教育研修会"

static char *crafted_v2(void)
{
	char *v = strdup(plan_text);
	assert_non_null(v);
	/* rename: the row and its 【再掲】 copy */
	replace(&v, "7\t" RENAMED_OLD "\t", "7\t" RENAMED_NEW "\t");
	replace(&v, RENAMED_OLD "【再掲】", RENAMED_NEW "【再掲】");
	/* move: from part 1 (1) to the end of part 1 (4) */
	char *moved = cut_line(&v, "10\t" MOVED_NAME "\t");
	sasae_buf row = SASAE_BUF_INIT;
	sasae_buf_appendf(&row, "6\t%s", strchr(moved, '\t') + 1);
	insert_after(&v, "5\tバリアフリー法に基づく", sasae_buf_cstr(&row));
	sasae_buf_free(&row);
	free(moved);
	/* summary edit */
	replace(&v, "個別相談への対応に着実に取り組む。", "個別相談への対応に、より一層着実に取り組む。");
	/* addition: a new row at the end of part 3 (2) */
	insert_after(&v, "15\t太白地域丸ごと相談事業",
		     "16\t" ADDED_NAME
		     "\t住民や専門職が気軽に集い語り合える地域共生カフェの立ち上げと運営を支援し、"
		     "身近な地域での孤立の防止を図る。\t健康福祉局");
	/* removal */
	free(cut_line(&v, "15\t" REMOVED_NAME "\t"));
	return v;
}

/* The only entry of a kind (failing when there is not exactly one). */
static const sasae_diff_entry *only(const sasae_diff *d, sasae_diff_kind kind)
{
	const sasae_diff_entry *hit = NULL;
	for (size_t i = 0; i < d->nentries; i++)
		if (d->entries[i].kind == kind) {
			if (hit)
				fail_msg("more than one entry of kind %d", (int)kind);
			hit = &d->entries[i];
		}
	if (hit == NULL)
		fail_msg("no entry of kind %d", (int)kind);
	assert_int_equal(d->count[kind], 1);
	return hit;
}

static char *markup(const sasae_diff_span *spans, size_t n)
{
	char *m = sasae_diff_spans_markup(spans, n);
	assert_non_null(m);
	return m;
}

/* ---- similarity (the one of src/text, which diff uses for renames) ---- */

static void test_similarity(void **state)
{
	(void)state;
	assert_true(sasae_text_similarity("地域福祉セミナー", "地域福祉セミナー") == 1.0);
	assert_true(sasae_text_similarity("", "") == 1.0);
	assert_true(sasae_text_similarity("", "福祉") == 0.0);
	/* NFKC and white space do not count */
	assert_true(sasae_text_similarity("ＤＶ 相談", "DV相談") == 1.0);
	assert_true(sasae_text_similarity("地域　福祉", "地域福祉") == 1.0);
	/* 7 bigrams, 12 bigrams ((入門編) after NFKC), 7 shared: 14/19 */
	double s = sasae_text_similarity(RENAMED_OLD, RENAMED_NEW);
	assert_true(s > 14.0 / 19 - 1e-9 && s < 14.0 / 19 + 1e-9);
	/* a one-character string is one unigram; repeats count once */
	assert_true(sasae_text_similarity("塾", "塾") == 1.0);
	assert_true(sasae_text_similarity("塾", "学習塾") == 0.0);
	s = sasae_text_similarity("ああああ", "ああ");
	assert_true(s == 1.0);
	assert_true(sasae_text_similarity("地域福祉", "障害者差別") == 0.0);
}

/* ---- character diff ---- */

static void test_text_diff_table(void **state)
{
	(void)state;
	static const struct {
		const char *a, *b, *want;
	} cases[] = {
		{"", "", ""},
		{"同じ", "同じ", "同じ"},
		{"", "新しい", "{+新しい+}"},
		{"古い", "", "[-古い-]"},
		{"ABCDEF", "ABDEF", "AB[-C-]DEF"},
		{"個別相談への対応に着実に取り組む。", "個別相談への対応に、より一層着実に取り組む。",
		 "個別相談への対応に{+、より一層+}着実に取り組む。"},
		/* more than half changed: one replacement */
		{"市民局が実施する", "健康福祉局が実施する", "[-市民-]{+健康福祉+}局が実施する"},
		/* two changes separated by a long kept run stay apart */
		{"年に一回、市民センターで開催する", "年に二回、市民センターで開催した",
		 "年に[-一-]{+二+}回、市民センターで開催[-する-]{+した+}"},
		/* a one-character kept run between two changes is folded into them */
		{"aXbYc", "a1b2c", "a[-XbY-]{+1b2+}c"},
		/* the deletion is shown before the insertion */
		{"相談を行う", "相談を実施する", "相談を[-行う-]{+実施する+}"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sasae_diff_span *spans;
		size_t n;
		assert_int_equal(sasae_diff_text(&spans, &n, cases[i].a, cases[i].b), 0);
		char *m = markup(spans, n);
		if (strcmp(m, cases[i].want) != 0)
			fail_msg("case %zu: %s → %s: got %s, want %s", i, cases[i].a, cases[i].b, m,
				 cases[i].want);
		for (size_t k = 0; k < n; k++) {
			assert_true(spans[k].op == '=' || spans[k].op == '-' || spans[k].op == '+');
			assert_true(spans[k].text[0] != '\0');
			if (k > 0) /* adjacent spans differ, and an insertion never comes before a deletion */
				assert_false(spans[k].op == spans[k - 1].op ||
					     (spans[k - 1].op == '+' && spans[k].op == '-'));
		}
		free(m);
		sasae_diff_spans_free(spans, n);
	}
}

/* Random texts over a small alphabet (ASCII and Japanese): '=' + '-' spans rebuild the old text,
   '=' + '+' spans the new one. */
static void test_text_diff_rebuilds(void **state)
{
	(void)state;
	static const char *const alphabet[] = {"a", "b", "c", "の", "福", "祉", "。", "、"};
	uint64_t seed = 42;
	for (int round = 0; round < 2000; round++) {
		sasae_buf a = SASAE_BUF_INIT, b = SASAE_BUF_INIT;
		sasae_buf_puts(&a, "");
		sasae_buf_puts(&b, "");
		for (int side = 0; side < 2; side++) {
			seed = seed * 6364136223846793005u + 1442695040888963407u;
			int len = (int)(seed >> 59) + (round % 7 == 0 ? 60 : 0);
			for (int k = 0; k < len; k++) {
				seed = seed * 6364136223846793005u + 1442695040888963407u;
				sasae_buf_puts(side ? &b : &a,
					       alphabet[(seed >> 33) % (round % 3 == 0 ? 2 : 8)]);
			}
		}
		const char *sa = sasae_buf_cstr(&a), *sb = sasae_buf_cstr(&b);
		sasae_diff_span *spans;
		size_t n;
		assert_int_equal(sasae_diff_text(&spans, &n, sa, sb), 0);
		sasae_buf ra = SASAE_BUF_INIT, rb = SASAE_BUF_INIT;
		for (size_t k = 0; k < n; k++) {
			if (spans[k].op != '+')
				sasae_buf_puts(&ra, spans[k].text);
			if (spans[k].op != '-')
				sasae_buf_puts(&rb, spans[k].text);
		}
		assert_string_equal(sasae_buf_cstr(&ra), sa);
		assert_string_equal(sasae_buf_cstr(&rb), sb);
		if (strcmp(sa, sb) == 0)
			assert_true(n <= 1 && (n == 0 || spans[0].op == '='));
		sasae_diff_spans_free(spans, n);
		sasae_buf_free(&a), sasae_buf_free(&b), sasae_buf_free(&ra), sasae_buf_free(&rb);
	}
}

/* ---- plans ---- */

static void test_identical(void **state)
{
	(void)state;
	sasae_plan *a = parse("a.txt", plan_text), *b = parse("b.txt", plan_text);
	sasae_diff *d = diff(a, b);
	assert_true(sasae_diff_empty(d));
	assert_int_equal(d->nentries, 0);
	for (int k = 0; k < SASAE_DIFF_NKINDS; k++)
		assert_int_equal(d->count[k], 0);
	assert_int_equal(d->unmatched_old, 0);
	assert_int_equal(d->unmatched_new, 0);
	sasae_diff_free(d);
	sasae_plan_free(a);
	sasae_plan_free(b);
}

/* The five edits, each found once with the right kind, and nothing else. */
static void check_crafted(const sasae_diff *d)
{
	assert_int_equal(d->nentries, 5);

	const sasae_diff_entry *e = only(d, SASAE_DIFF_ADDED);
	assert_null(e->old_program);
	assert_string_equal(e->new_program->name, ADDED_NAME);
	assert_int_equal(e->new_program->nplaces, 1);
	assert_int_equal(e->new_program->places[0].part, 3);
	assert_int_equal(e->new_program->places[0].section, 2);

	e = only(d, SASAE_DIFF_REMOVED);
	assert_null(e->new_program);
	assert_string_equal(e->old_program->name, REMOVED_NAME);

	e = only(d, SASAE_DIFF_RENAMED);
	assert_string_equal(e->old_program->name, RENAMED_OLD);
	assert_string_equal(e->new_program->name, RENAMED_NEW);
	assert_true(e->summary_score == 1.0);
	assert_true(e->name_score > 0.73 && e->name_score < 0.74);
	assert_true(e->score > 0.86 && e->score < 0.87);
	assert_true(e->score >= SASAE_DIFF_RENAME_THRESHOLD);

	e = only(d, SASAE_DIFF_MOVED);
	assert_string_equal(e->new_program->name, MOVED_NAME);
	assert_int_equal(e->nlost, 1);
	assert_int_equal(e->lost[0].part, 1);
	assert_int_equal(e->lost[0].section, 1);
	assert_int_equal(e->ngained, 1);
	assert_int_equal(e->gained[0].part, 1);
	assert_int_equal(e->gained[0].section, 4);
	assert_int_equal(e->gained[0].position, 6);

	e = only(d, SASAE_DIFF_CHANGED);
	assert_string_equal(e->new_program->name, CHANGED_NAME);
	assert_int_equal(e->nname_diff, 0);
	char *m = markup(e->summary_diff, e->nsummary_diff);
	assert_non_null(strstr(m, "個別相談への対応に{+、より一層+}着実に取り組む。"));
	assert_null(strstr(m, "[-"));
	free(m);

	assert_int_equal(d->count[SASAE_DIFF_DEPARTMENTS], 0);
	/* kinds in the order of the enum */
	for (size_t i = 1; i < d->nentries; i++)
		assert_true(d->entries[i - 1].kind < d->entries[i].kind);
}

static void test_crafted(void **state)
{
	(void)state;
	char *v2 = crafted_v2();
	sasae_plan *a = parse("v1.txt", plan_text), *b = parse("v2.txt", v2);
	sasae_diff *d = diff(a, b);
	check_crafted(d);
	assert_int_equal(d->unmatched_old, 2); /* the renamed and the removed */
	assert_int_equal(d->unmatched_new, 2); /* the renamed and the added */
	assert_false(d->candidates_capped);
	sasae_diff_free(d);
	sasae_plan_free(a);
	sasae_plan_free(b);
	free(v2);
}

/* New → old: additions and removals swap, the rest is found again. */
static void test_reverse(void **state)
{
	(void)state;
	char *v2 = crafted_v2();
	sasae_plan *a = parse("v1.txt", plan_text), *b = parse("v2.txt", v2);
	sasae_diff *d = diff(b, a);
	assert_int_equal(d->nentries, 5);
	assert_string_equal(only(d, SASAE_DIFF_ADDED)->new_program->name, REMOVED_NAME);
	assert_string_equal(only(d, SASAE_DIFF_REMOVED)->old_program->name, ADDED_NAME);
	const sasae_diff_entry *e = only(d, SASAE_DIFF_RENAMED);
	assert_string_equal(e->old_program->name, RENAMED_NEW);
	assert_string_equal(e->new_program->name, RENAMED_OLD);
	e = only(d, SASAE_DIFF_MOVED);
	assert_int_equal(e->gained[0].section, 1);
	assert_int_equal(e->lost[0].section, 4);
	e = only(d, SASAE_DIFF_CHANGED);
	char *m = markup(e->summary_diff, e->nsummary_diff);
	assert_non_null(strstr(m, "個別相談への対応に[-、より一層-]着実に取り組む。"));
	free(m);
	sasae_diff_free(d);
	sasae_plan_free(a);
	sasae_plan_free(b);
	free(v2);
}

static void test_departments(void **state)
{
	(void)state;
	char *v2 = strdup(plan_text);
	assert_non_null(v2);
	/* 成年後見セミナー: 健康福祉局 社会福祉協議会 → 健康福祉局 市民局 (its 【再掲】 copy unchanged) */
	size_t len, off = find_line(v2, "8\t成年後見セミナー\t", &len);
	char *line = strndup(v2 + off, len), *tab = strrchr(line, '\t');
	assert_non_null(tab);
	sasae_buf row = SASAE_BUF_INIT;
	sasae_buf_appendf(&row, "%.*s\t健康福祉局 市民局", (int)(tab - line), line);
	replace(&v2, line, sasae_buf_cstr(&row));
	sasae_plan *a = parse("v1.txt", plan_text), *b = parse("v2.txt", v2);
	sasae_diff *d = diff(a, b);
	assert_int_equal(d->nentries, 1);
	const sasae_diff_entry *e = only(d, SASAE_DIFF_DEPARTMENTS);
	assert_string_equal(e->new_program->name, "成年後見セミナー");
	assert_int_equal(e->ndepts_added, 1);
	assert_string_equal(e->depts_added[0], "市民局");
	assert_int_equal(e->ndepts_removed, 1);
	assert_string_equal(e->depts_removed[0], "市社会福祉協議会"); /* canonical name */
	sasae_diff_free(d);
	sasae_plan_free(a);
	sasae_plan_free(b);
	sasae_buf_free(&row);
	free(line);
	free(v2);
}

/* A 【再掲】 row added in another section: the program is listed in a new section (moved, with
   nothing lost), nothing else. */
static void test_relisting_added(void **state)
{
	(void)state;
	char *v2 = strdup(plan_text);
	assert_non_null(v2);
	insert_after(&v2, "5\tバリアフリー法に基づく",
		     "6\t人権教育研修会【再掲】\t仙台市立学校・園の教職員が、人間尊重の精神や基本的人権に関する考え方を深め、"
		     "人権教育の実践者としての資質向上を図ることをねらいとした研修会を開催する。\t教育局");
	sasae_plan *a = parse("v1.txt", plan_text), *b = parse("v2.txt", v2);
	sasae_diff *d = diff(a, b);
	assert_int_equal(d->nentries, 1);
	const sasae_diff_entry *e = only(d, SASAE_DIFF_MOVED);
	assert_string_equal(e->new_program->name, REMOVED_NAME);
	assert_int_equal(e->nlost, 0);
	assert_int_equal(e->ngained, 1);
	assert_int_equal(e->gained[0].section, 4);
	sasae_diff_free(d);
	sasae_plan_free(a);
	sasae_plan_free(b);
	free(v2);
}

/* A section inserted in the middle of part 1 (the later headings renumbered) and another one
   retitled: sections are matched by title, then by number, so only the new program shows. */
static void test_sections_inserted_and_retitled(void **state)
{
	(void)state;
	char *v2 = strdup(plan_text);
	assert_non_null(v2);
	replace(&v2, "(4) 誰もが暮らしやすい生活環境の整備", "(5) 誰もが暮らしやすい生活環境の整備");
	replace(&v2, "(3) 就労や住まいの確保の支援の推進", "(4) 就労や住まいの確保の支援の推進");
	replace(&v2, "(2) ニーズに合った多様な居場所づくり",
		"(2) 新しい施策\n\nNo\t事業名\t事業概要\t担当局等\n1\t" ADDED_NAME
		"\t地域共生カフェの立ち上げと運営を支援する。\t健康福祉局\n\n(3) ニーズに合った多様な居場所づくり");
	replace(&v2, "(1) 日頃の見守り活動の促進", "(1) 日頃の見守り活動の推進"); /* part 3 */
	sasae_plan *a = parse("v1.txt", plan_text), *b = parse("v2.txt", v2);
	assert_int_equal(b->parts[0].nsections, 5);
	sasae_diff *d = diff(a, b);
	assert_int_equal(d->nentries, 1);
	assert_string_equal(only(d, SASAE_DIFF_ADDED)->new_program->name, ADDED_NAME);
	sasae_diff_free(d);
	sasae_plan_free(a);
	sasae_plan_free(b);
	free(v2);
}

/* A printed name that changes only in width and spaces is the same identity: changed, with a
   name diff, not renamed. */
static void test_name_notation(void **state)
{
	(void)state;
	char *v2 = strdup(plan_text);
	assert_non_null(v2);
	replace(&v2, "\t障害者差別解消の推進\t", "\t障害者差別解消の推進 \t"); /* trimmed anyway */
	replace(&v2, "20\t「交通バリアフリー教室」の実施", "20\t「交通バリアフリー教室」の実施（ＰＲ）");
	replace(&v2, "\tDV や性暴力の防止と被害者支援に向けた取り組み\t",
		"\tＤＶ や性暴力の防止と被害者支援に向けた取り組み\t");
	sasae_plan *a = parse("v1.txt", plan_text), *b = parse("v2.txt", v2);
	sasae_diff *d = diff(a, b);
	assert_int_equal(d->nentries, 2);
	assert_int_equal(d->count[SASAE_DIFF_RENAMED], 1); /* （ＰＲ） appended: a rename */
	const sasae_diff_entry *e = only(d, SASAE_DIFF_CHANGED);
	assert_int_equal(e->nsummary_diff, 0);
	char *m = markup(e->name_diff, e->nname_diff);
	assert_string_equal(m, "[-DV-]{+ＤＶ+} や性暴力の防止と被害者支援に向けた取り組み");
	free(m);
	sasae_diff_free(d);
	sasae_plan_free(a);
	sasae_plan_free(b);
	free(v2);
}

/* The candidate search with a budget far too small to visit every posting list still finds the
   renames of every program (their rarest bigrams lead to them) and says it was capped. */
static void test_capped_search(void **state)
{
	(void)state;
	/* Every name of part 1 section 1 gets a suffix: 20 renames. */
	char *v2 = strdup(plan_text);
	assert_non_null(v2);
	size_t off, len;
	off = find_line(v2, "(1) 共生の意識を高める取り組みの推進", &len);
	size_t end = find_line(v2, "(2) ニーズに合った多様な居場所づくり", &len);
	sasae_buf b = SASAE_BUF_INIT;
	sasae_buf_append(&b, v2, off);
	for (const char *p = v2 + off; p < v2 + end;) {
		const char *nl = strchr(p, '\n');
		size_t n = (size_t)(nl - p) + 1;
		const char *tab1 = memchr(p, '\t', n),
			   *tab2 = tab1 ? memchr(tab1 + 1, '\t', n - (size_t)(tab1 + 1 - p)) : NULL;
		if (p[0] >= '1' && p[0] <= '9' && tab2) {
			sasae_buf_append(&b, p, (size_t)(tab2 - p));
			sasae_buf_puts(&b, "（拡充）");
			sasae_buf_append(&b, tab2, n - (size_t)(tab2 - p));
		} else {
			sasae_buf_append(&b, p, n);
		}
		p += n;
	}
	sasae_buf_puts(&b, v2 + end);
	free(v2);
	v2 = sasae_buf_detach(&b);
	sasae_plan *pa = parse("v1.txt", plan_text), *pb = parse("v2.txt", v2);
	size_t counts[2][SASAE_DIFF_NKINDS];
	for (int capped = 0; capped < 2; capped++) {
		sasae_diff_options opt = {0};
		opt.work_budget = capped ? 1 : 0;
		sasae_diff *d = NULL;
		sasae_error err = {0};
		assert_int_equal(sasae_diff_plans(&d, pa, pb, &opt, &err), 0);
		assert_int_equal(d->candidates_capped, capped != 0);
		assert_int_equal(d->unmatched_new, 20);
		/* A program with a 【再掲】 copy elsewhere keeps its identity there: the new name is an
		   addition, and the program moved (out of this section).  The others are renames. */
		assert_int_equal(d->count[SASAE_DIFF_RENAMED], d->unmatched_old);
		assert_int_equal(d->count[SASAE_DIFF_RENAMED] + d->count[SASAE_DIFF_ADDED], 20);
		assert_int_equal(d->count[SASAE_DIFF_MOVED], d->count[SASAE_DIFF_ADDED]);
		assert_int_equal(d->count[SASAE_DIFF_REMOVED], 0);
		assert_int_equal(d->count[SASAE_DIFF_DEPARTMENTS], 0);
		assert_true(d->count[SASAE_DIFF_RENAMED] >= 4);
		/* One program's text now comes from its 【再掲】 copy, printed with one space less. */
		assert_string_equal(only(d, SASAE_DIFF_CHANGED)->new_program->name,
				    "DV や性暴力の防止と被害者支援に向けた取り組み");
		for (size_t i = 0; i < d->nentries; i++) {
			const sasae_diff_entry *e = &d->entries[i];
			if (e->kind != SASAE_DIFF_RENAMED)
				continue;
			size_t n = strlen(e->old_program->name);
			assert_memory_equal(e->old_program->name, e->new_program->name, n);
			assert_string_equal(e->new_program->name + n, "（拡充）");
		}
		memcpy(counts[capped], d->count, sizeof d->count);
		sasae_diff_free(d);
	}
	assert_memory_equal(counts[0], counts[1], sizeof counts[0]);
	sasae_plan_free(pa);
	sasae_plan_free(pb);
	free(v2);
}

/* Versions 1 and 2 of a plan in a store, loaded back: the same five differences; a version
   against the file it was imported from: none. */
static void test_store_versions(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp(), *db = tu_join(dir, "sasae.db");
	char *v2 = crafted_v2();
	sasae_store *s;
	sasae_error err = {0};
	assert_int_equal(sasae_store_open(&s, db, SASAE_STORE_CREATE, &err), 0);
	sasae_import_options opt = {0};
	opt.slug = "sendai";
	opt.depts = depts;
	sasae_import_summary sum;
	assert_int_equal(sasae_import_bytes(s, "v1.txt", plan_text, strlen(plan_text), &opt, &sum, &err), 0);
	assert_int_equal(sasae_import_bytes(s, "v2.txt", v2, strlen(v2), &opt, &sum, &err), 0);
	assert_int_equal(sum.version, 2);
	int64_t id1, id2;
	assert_int_equal(sasae_store_resolve(s, "sendai@1", &id1, &err), 0);
	assert_int_equal(sasae_store_resolve(s, "sendai@2", &id2, &err), 0);
	sasae_plan *a, *b;
	assert_int_equal(sasae_store_load_plan(s, id1, &a, &err), 0);
	assert_int_equal(sasae_store_load_plan(s, id2, &b, &err), 0);
	sasae_diff *d = diff(a, b);
	check_crafted(d);
	sasae_diff_free(d);
	/* database against file */
	sasae_plan *f1 = parse("v1.txt", plan_text), *f2 = parse("v2.txt", v2);
	d = diff(a, f1);
	assert_true(sasae_diff_empty(d));
	sasae_diff_free(d);
	d = diff(f1, b);
	check_crafted(d);
	sasae_diff_free(d);
	d = diff(b, f2);
	assert_true(sasae_diff_empty(d));
	sasae_diff_free(d);
	sasae_plan_free(f1);
	sasae_plan_free(f2);
	sasae_plan_free(a);
	sasae_plan_free(b);
	sasae_store_close(s);
	free(v2);
	free(db);
	tu_rmdir(dir);
}

/* ---- output ---- */

static void test_text_output(void **state)
{
	(void)state;
	char *v2 = crafted_v2();
	sasae_plan *a = parse("v1.txt", plan_text), *b = parse("v2.txt", v2);
	sasae_diff *d = diff(a, b);
	sasae_diff_side sa = {"v1.txt", true}, sb = {"v2.txt", true};
	sasae_buf out = SASAE_BUF_INIT;
	sasae_error err = {0};
	assert_int_equal(sasae_diff_write_text(d, &sa, &sb, tu_buf_write, &out, &err), 0);
	const char *t = sasae_buf_cstr(&out);
	static const char *const want[] = {
		"  旧: v1.txt（ファイル）",
		"  新: v2.txt（ファイル）",
		"違い 5 件: 追加 1・削除 1・名称変更 1・掲載箇所の変更 1・概要の変更 1・担当局等の変更 0\n",
		"■ 追加された事業（1 件）\n  + " ADDED_NAME
		"\n      掲載: 第3部 (2) 身近な相談機能の充実 No.16\n",
		"■ 削除された事業（1 件）\n  - " REMOVED_NAME
		"\n      旧の掲載: 第1部 (1) 共生の意識を高める取り組みの推進 No.15\n",
		"■ 名称が変わった事業（1 件）\n  （名称と事業概要の似ている度合い（0〜1）が 0.60 以上の事業を、名称が変わった同じ事業とみなしました）\n"
		"  " RENAMED_OLD "\n    → " RENAMED_NEW "\n      類似度 0.87（名称 0.74・概要 1.00）\n",
		"      掲載: 第1部 (1) 共生の意識を高める取り組みの推進 No.7\n"
		"            第2部 (1) 地域福祉活動への参加と人材育成の促進 No.5【再掲】\n",
		"■ 掲載箇所（施策）が変わった事業（1 件）\n  " MOVED_NAME "\n"
		"      掲載をやめた: 第1部 (1) 共生の意識を高める取り組みの推進 No.10\n"
		"      新たに掲載: 第1部 (4) 誰もが暮らしやすい生活環境の整備 No.6\n",
		"■ 事業概要が変わった事業（1 件）\n  （[-…-] は削られた文字、{+…+} は加えられた文字です）\n"
		"  " CHANGED_NAME "（第1部 (1) No.9）\n      概要: ",
		"個別相談への対応に{+、より一層+}着実に取り組む。\n",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (strstr(t, want[i]) == NULL)
			fail_msg("text output lacks:\n%s\n--- output:\n%s", want[i], t);
	assert_null(strstr(t, "担当局等が変わった事業"));
	sasae_buf_free(&out);
	sasae_diff_free(d);
	/* no difference */
	d = diff(a, a);
	assert_int_equal(sasae_diff_write_text(d, &sa, &sa, tu_buf_write, &out, &err), 0);
	assert_non_null(strstr(sasae_buf_cstr(&out), "\n違いはありません。\n"));
	sasae_buf_free(&out);
	sasae_diff_free(d);
	sasae_plan_free(a);
	sasae_plan_free(b);
	free(v2);
}

static void test_json_output(void **state)
{
	(void)state;
	char *v2 = crafted_v2();
	sasae_plan *a = parse("v1.txt", plan_text), *b = parse("v2.txt", v2);
	sasae_diff *d = diff(a, b);
	sasae_diff_side sa = {"v1.txt", true}, sb = {"v2.txt", true};
	sasae_buf out = SASAE_BUF_INIT;
	sasae_error err = {0};
	assert_int_equal(sasae_diff_write_json(d, &sa, &sb, tu_buf_write, &out, &err), 0);
	json_error_t jerr;
	json_t *doc = json_loads(sasae_buf_cstr(&out), 0, &jerr);
	if (doc == NULL)
		fail_msg("not JSON: %s", jerr.text);
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "old"), "spec")), "v1.txt");
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "new"), "kind")), "file");
	assert_true(json_is_false(json_object_get(doc, "equal")));
	static const char *const keys[] = {"added", "removed", "renamed",
					   "moved", "changed", "departments_changed"};
	for (size_t i = 0; i < 6; i++) {
		json_t *arr = json_object_get(doc, keys[i]);
		assert_true(json_is_array(arr));
		assert_int_equal(json_array_size(arr), i == 5 ? 0 : 1);
		assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "counts"), keys[i])),
				 i == 5 ? 0 : 1);
	}
	json_t *r = json_array_get(json_object_get(doc, "renamed"), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r, "old"), "name")), RENAMED_OLD);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r, "new"), "name")), RENAMED_NEW);
	double score = json_real_value(json_object_get(r, "score"));
	assert_true(score > 0.8675 && score < 0.8685); /* 0.868, three decimals */
	json_t *m = json_array_get(json_object_get(doc, "moved"), 0);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(m, "added_to"), 0),
							    "section")),
			 4);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(m, "removed_from"), 0),
							    "section")),
			 1);
	json_t *c = json_object_get(json_array_get(json_object_get(doc, "changed"), 0), "summary");
	assert_non_null(strstr(json_string_value(json_object_get(c, "diff")), "{+、より一層+}"));
	json_t *spans = json_object_get(c, "spans");
	assert_int_equal(json_array_size(spans), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(spans, 1), "op")), "+");
	assert_string_equal(json_string_value(json_object_get(json_array_get(spans, 1), "text")), "、より一層");
	json_decref(doc);
	sasae_buf_free(&out);
	sasae_diff_free(d);
	sasae_plan_free(a);
	sasae_plan_free(b);
	free(v2);
}

static int setup(void **state)
{
	(void)state;
	sasae_error err = {0};
	if (sasae_dept_table_default(&depts, &err) != 0)
		return -1;
	plan_text = tu_read_source("data/sendai-2024-draft.txt", NULL);
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
		cmocka_unit_test(test_similarity),
		cmocka_unit_test(test_text_diff_table),
		cmocka_unit_test(test_text_diff_rebuilds),
		cmocka_unit_test(test_identical),
		cmocka_unit_test(test_crafted),
		cmocka_unit_test(test_reverse),
		cmocka_unit_test(test_departments),
		cmocka_unit_test(test_relisting_added),
		cmocka_unit_test(test_sections_inserted_and_retitled),
		cmocka_unit_test(test_name_notation),
		cmocka_unit_test(test_capped_search),
		cmocka_unit_test(test_store_versions),
		cmocka_unit_test(test_text_output),
		cmocka_unit_test(test_json_output),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
