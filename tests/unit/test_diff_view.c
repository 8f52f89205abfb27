/*
 * test_diff_view.c — the side-by-side diff of the web (web_render_diff, src/web/diff_view.c): the
 * bundled draft against a crafted second draft with one change of five kinds — a program renamed,
 * one removed, one added (its name holding HTML's special characters), a summary edited, a
 * department changed — each must appear once, with its kind in words, escaped, its old and new
 * sides in the right columns and the character changes marked; plus identical drafts and the
 * summary counts.  Expected values come from the document and the edits, not from the program.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "pages.h"
#include "sasae/departments.h"
#include "sasae/parse.h"
#include "test_util.h"

static sasae_dept_table *depts;
static char *plan_text; /* data/sendai-2024-draft.txt */

/* The edits (from the document: data/sendai-2024-draft.txt, part 1 section (1) and part 3 (2)). */
#define RENAMED_OLD  "地域福祉セミナー"
#define RENAMED_NEW  "地域福祉セミナー（入門編）"
#define REMOVED_NAME "人権教育研修会"
/* HTML's special characters in a name: they must come out escaped */
#define ADDED_NAME    "地域共生カフェ<仮称>&交流の支援"
#define ADDED_ESCAPED "地域共生カフェ&lt;仮称&gt;&amp;交流の支援"
#define CHANGED_NAME  "障害者差別解消の推進"
#define DEPT_NAME     "成年後見セミナー"

static sasae_plan *parse(const char *name, const char *text)
{
	sasae_plan *plan = NULL;
	sasae_error err = {0};
	if (sasae_parse_document(&plan, name, text, strlen(text), depts, NULL, NULL, &err) != 0)
		fail_msg("parse %s: %s:%ld: %s", name, err.file, err.line, err.message);
	return plan;
}

static void replace(char **s, const char *from, const char *to)
{
	char *r = tu_replace(*s, from, to);
	free(*s);
	*s = r;
}

/* Replace from by to within the line of *s that starts with prefix. */
static void replace_in_line(char **s, const char *prefix, const char *from, const char *to)
{
	char *line = strstr(*s, prefix);
	assert_non_null(line);
	assert_true(line == *s || line[-1] == '\n');
	char *eol = strchr(line, '\n');
	char *at = strstr(line, from);
	assert_non_null(at);
	assert_true(eol == NULL || at <= eol); /* within the line (or its end) */
	sasae_buf b = SASAE_BUF_INIT;
	sasae_buf_append(&b, *s, (size_t)(at - *s));
	sasae_buf_puts(&b, to);
	sasae_buf_puts(&b, at + strlen(from));
	free(*s);
	*s = sasae_buf_detach(&b);
	assert_non_null(*s);
}

/* The crafted second draft: the five edits, nothing else. */
static char *crafted_v2(void)
{
	char *v = strdup(plan_text);
	assert_non_null(v);
	/* rename: the row (part 1 (1) No.7) and its 【再掲】 copy */
	replace(&v, "7\t" RENAMED_OLD "\t", "7\t" RENAMED_NEW "\t");
	replace(&v, RENAMED_OLD "【再掲】", RENAMED_NEW "【再掲】");
	/* removal: part 1 (1) No.15, its only listing */
	char *line = strstr(v, "\n15\t" REMOVED_NAME "\t");
	assert_non_null(line);
	char *eol = strchr(line + 1, '\n');
	assert_non_null(eol);
	memmove(line, eol, strlen(eol) + 1);
	/* addition: a new row after part 3 (2) No.15 */
	replace_in_line(&v, "15\t太白地域丸ごと相談事業", "\n",
			"\n16\t" ADDED_NAME "\t住民が気軽に集う場の立ち上げを支援する。\t健康福祉局\n");
	/* summary: words inserted */
	replace(&v, "個別相談への対応に着実に取り組む。", "個別相談への対応に、より一層着実に取り組む。");
	/* departments: 健康福祉局 社会福祉協議会 → 健康福祉局 市民局 (the original row, part 1 (1) No.8) */
	replace_in_line(&v, "8\t" DEPT_NAME "\t", "\t健康福祉局 社会福祉協議会", "\t健康福祉局 市民局");
	return v;
}

/* How many times needle occurs in hay. */
static size_t count(const char *hay, const char *needle)
{
	size_t n = 0, len = strlen(needle);
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += len)
		n++;
	return n;
}

/* The table of the change whose caption starts with the kind: from its <table to </table>
   (malloc'd); fails unless there is exactly one. */
static char *entry_table(const char *html, const char *kind)
{
	sasae_buf cap = SASAE_BUF_INIT;
	sasae_buf_appendf(&cap, "<caption><span class=\"diff-kind\">%s</span> ", kind);
	const char *c = sasae_buf_cstr(&cap);
	if (count(html, c) != 1)
		fail_msg("want one change of kind %s, have %zu", kind, count(html, c));
	const char *at = strstr(html, c);
	sasae_buf_free(&cap);
	const char *start = at;
	while (start > html && strncmp(start, "<table", 6) != 0)
		start--;
	const char *end = strstr(at, "</table>");
	assert_non_null(end);
	return strndup(start, (size_t)(end - start) + 8);
}

/* The cells of the row headed field in table t: *old_cell and *new_cell (malloc'd, the <td>'s
   content). */
static void row_cells(const char *t, const char *field, char **old_cell, char **new_cell)
{
	sasae_buf h = SASAE_BUF_INIT;
	sasae_buf_appendf(&h, "<th scope=\"row\">%s</th><td>", field);
	const char *at = strstr(t, sasae_buf_cstr(&h));
	if (at == NULL)
		fail_msg("no row %s in %s", field, t);
	at += h.len;
	sasae_buf_free(&h);
	const char *mid = strstr(at, "</td><td>");
	assert_non_null(mid);
	const char *end = strstr(mid + 9, "</td></tr>");
	assert_non_null(end);
	*old_cell = strndup(at, (size_t)(mid - at));
	*new_cell = strndup(mid + 9, (size_t)(end - mid - 9));
}

static void test_crafted(void **state)
{
	(void)state;
	char *v2 = crafted_v2();
	sasae_plan *a = parse("v1.txt", plan_text), *b = parse("v2.txt", v2);
	sasae_buf out = SASAE_BUF_INIT;
	sasae_error err = {0};
	assert_int_equal(web_render_diff(&out, a, "第1版", b, "第2版（案）<b>", &err), 0);
	const char *html = sasae_buf_cstr(&out);

	/* the sides, escaped; the counts of the document: 174 programs, 254 listings before */
	assert_non_null(strstr(html, "<dd>第1版（事業 174・掲載 254）</dd>"));
	assert_non_null(strstr(html, "<dd>第2版（案）&lt;b&gt;（事業 174・掲載 254）</dd>"));
	assert_null(strstr(html, "<b>"));
	/* the summary: one per kind, and none moved */
	assert_non_null(strstr(html, "<caption>種類ごとの件数（合計 5 件）</caption>"));
	const char *rows[][2] = {{"<a href=\"#diff-added\">追加</a>", "1"},
				 {"<a href=\"#diff-removed\">削除</a>", "1"},
				 {"<a href=\"#diff-renamed\">名称変更</a>", "1"},
				 {"掲載箇所の変更", "0"},
				 {"<a href=\"#diff-changed\">概要の変更</a>", "1"},
				 {"<a href=\"#diff-departments\">担当局等の変更</a>", "1"}};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		sasae_buf r = SASAE_BUF_INIT;
		sasae_buf_appendf(&r, "<tr><th scope=\"row\">%s</th><td>%s 件</td></tr>", rows[i][0],
				  rows[i][1]);
		if (count(html, sasae_buf_cstr(&r)) != 1)
			fail_msg("summary row missing: %s", sasae_buf_cstr(&r));
		sasae_buf_free(&r);
	}
	assert_int_equal(count(html, "<span class=\"diff-kind\">"), 5);
	assert_int_equal(count(html, "<section class=\"diff-group\""), 5);
	assert_null(strstr(html, "id=\"diff-moved\""));
	/* balanced markup */
	assert_int_equal(count(html, "<table"), 6);
	assert_int_equal(count(html, "</table>"), 6);
	assert_int_equal(count(html, "<del>"), count(html, "</del>"));
	assert_int_equal(count(html, "<ins>"), count(html, "</ins>"));
	assert_int_equal(count(html, "<td"), count(html, "</td>"));

	char *t, *o, *n;
	/* added: only on the new side, the name escaped, placed in part 3 (2) as No.16 */
	t = entry_table(html, "追加");
	assert_non_null(strstr(t, "<caption><span class=\"diff-kind\">追加</span> " ADDED_ESCAPED "</caption>"));
	row_cells(t, "事業名", &o, &n);
	assert_string_equal(o, "<span class=\"diff-none\">なし</span>");
	assert_string_equal(n, ADDED_ESCAPED);
	free(o), free(n);
	row_cells(t, "掲載", &o, &n);
	assert_string_equal(o, "<span class=\"diff-none\">なし</span>");
	assert_string_equal(n, "<ul class=\"diff-list\"><li>第3部 (2) 身近な相談機能の充実 No.16</li></ul>");
	free(o), free(n);
	row_cells(t, "担当局等", &o, &n);
	assert_string_equal(n, "<ul class=\"diff-list\"><li>健康福祉局</li></ul>");
	free(o), free(n);
	free(t);
	assert_null(strstr(html, "<仮称>"));
	assert_int_equal(count(html, ADDED_ESCAPED), 2); /* its caption and its new name cell */

	/* removed: only on the old side, part 1 (1) No.15, 教育局 */
	t = entry_table(html, "削除");
	row_cells(t, "事業名", &o, &n);
	assert_string_equal(o, REMOVED_NAME);
	assert_string_equal(n, "<span class=\"diff-none\">なし</span>");
	free(o), free(n);
	row_cells(t, "掲載", &o, &n);
	assert_string_equal(o,
			    "<ul class=\"diff-list\"><li>第1部 (1) 共生の意識を高める取り組みの推進 No.15</li></ul>");
	free(o), free(n);
	row_cells(t, "担当局等", &o, &n);
	assert_string_equal(o, "<ul class=\"diff-list\"><li>教育局</li></ul>");
	free(o), free(n);
	free(t);

	/* renamed: the added words marked on the new side; the score of docs/diff.md (0.87, name 0.74) */
	t = entry_table(html, "名称変更");
	row_cells(t, "事業名", &o, &n);
	assert_string_equal(o, RENAMED_OLD);
	assert_string_equal(n, RENAMED_OLD "<ins><span class=\"vh\">［追加: </span>（入門編）<span "
					   "class=\"vh\">］</span></ins>");
	free(o), free(n);
	assert_non_null(
		strstr(t, "<th scope=\"row\">類似度</th><td colspan=\"2\">0.87（名称 0.74・概要 1.00）</td>"));
	row_cells(t, "掲載", &o, &n);
	/* the row and its 【再掲】 copy, on both sides */
	assert_int_equal(count(o, "<li>"), 2);
	assert_int_equal(count(n, "<li>"), 2);
	assert_non_null(strstr(n, "<li>第1部 (1) 共生の意識を高める取り組みの推進 No.7</li>"));
	assert_non_null(strstr(n, "No.5【再掲】</li>"));
	free(o), free(n);
	free(t);
	assert_non_null(strstr(html, "似ている度合い（0〜1）が 0.60 以上"));

	/* summary changed: kept text on both sides, the inserted words marked on the new side only */
	t = entry_table(html, "概要の変更");
	assert_non_null(strstr(t, "</span> " CHANGED_NAME "</caption>"));
	row_cells(t, "事業概要", &o, &n);
	assert_non_null(strstr(o, "個別相談への対応に着実に取り組む。"));
	assert_null(strstr(o, "<ins>"));
	assert_null(strstr(o, "<del>"));
	assert_non_null(strstr(n, "個別相談への対応に<ins><span class=\"vh\">［追加: </span>、より一層<span "
				  "class=\"vh\">］</span></ins>着実に取り組む。"));
	assert_int_equal(count(n, "<ins>"), 1);
	free(o), free(n);
	free(t);

	/* departments: 市社会福祉協議会 (the canonical name of 社会福祉協議会) left, 市民局 came */
	t = entry_table(html, "担当局等の変更");
	assert_non_null(strstr(t, "</span> " DEPT_NAME "</caption>"));
	row_cells(t, "担当局等", &o, &n);
	assert_string_equal(o, "<ul class=\"diff-list\"><li>健康福祉局</li><li><del><span class=\"vh\">［削除: "
			       "</span>市社会福祉協議会<span class=\"vh\">］</span></del></li></ul>");
	assert_string_equal(n, "<ul class=\"diff-list\"><li>健康福祉局</li><li><ins><span class=\"vh\">［追加: "
			       "</span>市民局<span class=\"vh\">］</span></ins></li></ul>");
	free(o), free(n);
	free(t);

	sasae_buf_free(&out);
	sasae_plan_free(a);
	sasae_plan_free(b);
	free(v2);
}

/* The same draft twice: the sides and 「違いはありません。」, no table of changes. */
static void test_identical(void **state)
{
	(void)state;
	sasae_plan *a = parse("v1.txt", plan_text), *b = parse("v1-copy.txt", plan_text);
	sasae_buf out = SASAE_BUF_INIT;
	sasae_error err = {0};
	assert_int_equal(web_render_diff(&out, a, NULL, b, NULL, &err), 0);
	const char *html = sasae_buf_cstr(&out);
	assert_non_null(strstr(html, "<p class=\"diff-equal\">違いはありません。</p>"));
	assert_null(strstr(html, "<table"));
	/* without labels: the plan's source (a parsed plan has no version) */
	assert_non_null(strstr(html, "<dd>v1.txt（事業 174・掲載 254）</dd>"));
	assert_non_null(strstr(html, "<dd>v1-copy.txt（事業 174・掲載 254）</dd>"));
	sasae_buf_free(&out);
	sasae_plan_free(a);
	sasae_plan_free(b);
}

/* Appends: what out held before stays. */
static void test_appends(void **state)
{
	(void)state;
	sasae_plan *a = parse("v1.txt", plan_text);
	sasae_buf out = SASAE_BUF_INIT;
	sasae_buf_puts(&out, "<p>before</p>");
	sasae_error err = {0};
	assert_int_equal(web_render_diff(&out, a, "a", a, "b", &err), 0);
	assert_int_equal(strncmp(sasae_buf_cstr(&out), "<p>before</p><div class=\"diffview\">", 35), 0);
	sasae_buf_free(&out);
	sasae_plan_free(a);
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
		cmocka_unit_test(test_crafted),
		cmocka_unit_test(test_identical),
		cmocka_unit_test(test_appends),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
