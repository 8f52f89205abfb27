/*
 * test_export.c — unit tests of the exports (include/core/sasae/export.h) on plans parsed in memory:
 *  (a) plan-text: the bundled plan and small hand-written documents parse back into the same plan,
 *      source lines included, and a second export is byte-identical (a fixed point);
 *  (b) CP932: the table converts and decodes back to the UTF-8 table; a character without a CP932
 *      form is SASAE_EDATA naming the listing, the column and the character, with nothing written;
 *  (c) Markdown and HTML: structure (one table per section, one row per listing, 【再掲】) and
 *      escaping of values that look like markup;
 *  (d) JSON-LD: parses, one GovernmentService per program, providers are the departments;
 *  (e) XLSX and HSDS write their files (a zip; the CSVs and datapackage.json with stable ids), and
 *      report unwritable paths;
 *  (f) the display width used for column widths.
 * The CLI tests (tests/cli/test_export.sh) read the files back with LibreOffice and validate the
 * HSDS package against the specification's JSON Schemas.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <iconv.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/departments.h"
#include "sasae/export.h"
#include "sasae/model.h"
#include "sasae/parse.h"
#include "test_util.h"
#include "test_plan.h"

static sasae_dept_table *depts; /* the default department table */

static int setup(void **state)
{
	(void)state;
	sasae_error err = {0};
	return sasae_dept_table_default(&depts, &err);
}

static int teardown(void **state)
{
	(void)state;
	sasae_dept_table_free(depts);
	return 0;
}

/* Parse a document held in memory (fails the test on an error). */
static sasae_plan *parse(const char *name, const char *text, size_t len)
{
	sasae_plan *plan = NULL;
	sasae_error err = {0};
	if (sasae_parse_document(&plan, name, text, len, depts, NULL, NULL, &err) != 0)
		fail_msg("%s:%ld: %s", err.file, err.line, err.message);
	return plan;
}

static sasae_plan *parse_str(const char *text) { return parse("test.txt", text, strlen(text)); }

static sasae_plan *bundled(void)
{
	size_t len;
	char *text = tu_read_source("data/sendai-2024-draft.txt", &len);
	sasae_plan *plan = parse("sendai-2024-draft.txt", text, len);
	free(text);
	return plan;
}

/* Run an export that writes through a callback into a new string (fails the test on an error). */
typedef int (*text_export)(const sasae_plan *, sasae_write_fn, void *, sasae_error *);

static char *export_str(text_export fn, const sasae_plan *plan, size_t *len)
{
	sasae_buf b = SASAE_BUF_INIT;
	sasae_error err = {0};
	if (fn(plan, tu_buf_write, &b, &err) != 0)
		fail_msg("export failed: %s", err.message);
	if (len)
		*len = b.len;
	char *s = sasae_buf_detach(&b);
	return s ? s : strdup("");
}

/* True when s starts with prefix. */
static bool starts_with(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

/* True when the n bytes of needle occur in s[0..len). */
static bool has_bytes(const char *s, size_t len, const char *needle, size_t n)
{
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(s + i, needle, n) == 0)
			return true;
	return false;
}

/* sasae_export_jsonld without a base URL, as a text_export. */
static int jsonld_nobase(const sasae_plan *plan, sasae_write_fn write, void *ctx, sasae_error *err)
{
	return sasae_export_jsonld(plan, NULL, write, ctx, err);
}

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(s, needle); p; p = strstr(p + strlen(needle), needle))
		n++;
	return n;
}

/* ---- (a) plan-text ---- */

static void test_plan_text_round_trip_bundled(void **state)
{
	(void)state;
	sasae_plan *a = bundled();
	size_t len;
	char *text = export_str(sasae_export_plan_text, a, &len);
	sasae_plan *b = parse("roundtrip.txt", text, len);
	assert_plans_equal(a, b);
	/* the first lines as the format shows them */
	assert_true(starts_with(text, "**(仮称)せんだい支えあいのまち推進プラン(掲載予定事業一覧)**\n"));
	assert_non_null(strstr(text, "\n(1) 共生の意識を高める取り組みの推進\n"));
	assert_non_null(strstr(text, "\nNo\t事業名\t事業概要\t担当局等\n"));
	assert_non_null(strstr(text, "\t市民局 (各区役所、総合支所)\n"));
	assert_int_equal(count(text, "【再掲】\t"), 78);
	/* a fixed point: exporting the re-parsed plan gives the same bytes */
	size_t len2;
	char *text2 = export_str(sasae_export_plan_text, b, &len2);
	assert_int_equal(len, len2);
	assert_memory_equal(text, text2, len);
	free(text2);
	free(text);
	sasae_plan_free(b);
	sasae_plan_free(a);
}

static void test_plan_text_small_documents(void **state)
{
	(void)state;
	static const char *const docs[] = {
		/* no title, relisted before the original, an empty summary, a note, numbers as printed */
		"(1) 一\n1\t見守り【再掲】\t\t市民局 (各区役所)\n3\t配食\t食事を届ける。 ・週2回\t健康福祉局 "
		"社会福祉協議会\n2\t見守り\t地域で見守る。\t健康福祉局\n(2) 二\n(1) 次の部\n1\tＤＶ 相談\t概要\t市民局\n",
		/* continuation lines and page breaks in the source: rows keep their lines */
		"題名\n\n(1) 施策\n\nNo\t事業名\t事業概要\t担当局等\n1\t長い事業\t概要の\t市民局\n\t名前\t続き\t\n\n\n"
		"2\t次\t概要\t子供未来局\n",
	};
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		sasae_plan *a = parse_str(docs[i]);
		size_t len;
		char *text = export_str(sasae_export_plan_text, a, &len);
		sasae_plan *b = parse("again.txt", text, len);
		assert_plans_equal(a, b);
		free(text);
		sasae_plan_free(b);
		sasae_plan_free(a);
	}
}

/* Every document of the parser's fuzz corpus that parses round-trips through plan-text (odd
   headings, full-width digits, CRLF, BOMs, notes, doubled characters …). */
static void test_plan_text_round_trip_corpus(void **state)
{
	(void)state;
	char *dir = tu_source_path("fuzz/corpus/parse");
	DIR *d = opendir(dir);
	assert_non_null(d);
	size_t tried = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		char *path = tu_join(dir, e->d_name);
		size_t len;
		char *bytes = tu_read_file(path, &len);
		sasae_plan *a = NULL;
		sasae_error err = {0};
		if (sasae_parse_document(&a, e->d_name, bytes, len, depts, NULL, NULL, &err) == 0) {
			size_t tlen;
			char *text = export_str(sasae_export_plan_text, a, &tlen);
			sasae_plan *b = parse(e->d_name, text, tlen);
			assert_plans_equal(a, b);
			sasae_plan_free(b);
			free(text);
			tried++;
		}
		sasae_plan_free(a);
		free(bytes);
		free(path);
	}
	closedir(d);
	free(dir);
	assert_true(tried >= 5);
}

/* A plan built by hand (no source lines, a TAB and a line break inside values) still gives a
   document that parses, with one line per row. */
static void test_plan_text_without_source_lines(void **state)
{
	(void)state;
	sasae_plan *a = parse_str("(1) 一\n1\tA\ta\t市民局\n2\tB\tb\t市民局\n(2) 二\n1\tC\tc\t市民局\n");
	for (size_t j = 0; j < a->parts[0].nsections; j++) {
		a->parts[0].sections[j].source_line = 0;
		for (size_t k = 0; k < a->parts[0].sections[j].nlistings; k++)
			a->parts[0].sections[j].listings[k].source_line = 0;
	}
	free(a->parts[0].sections[0].listings[0].summary);
	a->parts[0].sections[0].listings[0].summary = strdup("改行\nと\tタブ");
	char *text = export_str(sasae_export_plan_text, a, NULL);
	assert_string_equal(text,
			    "(1) 一\nNo\t事業名\t事業概要\t担当局等\n1\tA\t改行 と タブ\t市民局\n2\tB\tb\t市民局\n"
			    "\n(2) 二\nNo\t事業名\t事業概要\t担当局等\n1\tC\tc\t市民局\n");
	sasae_plan *b = parse("again.txt", text, strlen(text));
	assert_int_equal(sasae_plan_count_listings(b), 3);
	free(text);
	sasae_plan_free(b);
	sasae_plan_free(a);
}

/* ---- (b) CP932 ---- */

typedef struct counting {
	size_t calls;
	sasae_buf b;
} counting;

static int counting_write(void *ctx, const char *data, size_t len)
{
	counting *c = ctx;
	c->calls++;
	sasae_buf_append(&c->b, data, len);
	return 0;
}

static void test_cp932_round_trip(void **state)
{
	(void)state;
	sasae_plan *plan = bundled();
	sasae_error err = {0};
	counting sjis = {0, SASAE_BUF_INIT};
	assert_int_equal(sasae_export_table_cp932(plan, ',', counting_write, &sjis, &err), 0);
	assert_int_equal(sjis.calls, 1); /* converted in memory, written once */
	size_t ulen;
	sasae_buf utf8 = SASAE_BUF_INIT;
	assert_int_equal(sasae_export_table(plan, ',', false, tu_buf_write, &utf8, &err), 0);
	ulen = utf8.len;
	/* decode with iconv and compare */
	iconv_t cd = iconv_open("UTF-8", "CP932");
	assert_true(cd != (iconv_t)-1);
	size_t cap = sjis.b.len * 3 + 16, left = cap, inleft = sjis.b.len;
	char *dec = malloc(cap), *out = dec, *in = sjis.b.data;
	assert_int_not_equal(iconv(cd, &in, &inleft, &out, &left), (size_t)-1);
	iconv_close(cd);
	assert_int_equal(cap - left, ulen);
	assert_memory_equal(dec, utf8.data, ulen);
	/* Japanese really became two-byte CP932: 事業名 is 8E 96 8B C6 96 BC */
	assert_true(has_bytes(sjis.b.data, sjis.b.len, "\x8E\x96\x8B\xC6\x96\xBC", 6));
	free(dec);
	sasae_buf_free(&utf8);
	sasae_buf_free(&sjis.b);
	sasae_plan_free(plan);
}

static void test_cp932_unconvertible(void **state)
{
	(void)state;
	static const struct {
		const char *doc;
		long line;
		const char *where, *column, *ch;
	} cases[] = {
		{"(1) 一\n1\tA\ta\t市民局\n2\tB\t𠮷野家の概要\t市民局\n", 3, "第1部 (1) No.2「B」",
		 "事業概要", "「𠮷」(U+20BB7)"},
		{"(1) 一\n1\tA\ta\t市民局\n(1) 二\n\n7\t笑顔😀の事業\tb\t市民局\n", 5,
		 "第2部 (1) No.7「笑顔😀の事業」", "事業名", "「😀」(U+1F600)"},
		{"(1) 施策🌸\n1\tA\ta\t市民局\n", 2, "第1部 (1) No.1「A」", "施策名", "(U+1F338)"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sasae_plan *plan = parse_str(cases[i].doc);
		free(plan->source);
		plan->source = strdup("crafted.txt");
		sasae_error err = {0};
		counting out = {0, SASAE_BUF_INIT};
		assert_int_equal(sasae_export_table_cp932(plan, ',', counting_write, &out, &err), SASAE_EDATA);
		assert_int_equal(out.calls, 0); /* nothing written */
		assert_string_equal(err.file, "crafted.txt");
		assert_int_equal(err.line, cases[i].line);
		if (!strstr(err.message, cases[i].where) || !strstr(err.message, cases[i].column) ||
		    !strstr(err.message, cases[i].ch))
			fail_msg("case %zu: message: %s", i, err.message);
		sasae_buf_free(&out.b);
		sasae_plan_free(plan);
	}
}

/* ---- (c) Markdown and HTML ---- */

static const char tricky[] = "(1) 施策 <b>太字</b> & \"引用\"\n"
			     "1\t表 | 縦棒 *強調* [リンク](x)\t<script>alert('x')</script> & 概要\t市民局\n"
			     "2\t二つ目【再掲】\t概要 `code`\t健康福祉局\n";

static void test_markdown(void **state)
{
	(void)state;
	sasae_plan *plan = bundled();
	char *md = export_str(sasae_export_markdown, plan, NULL);
	assert_true(starts_with(md, "# (仮称)せんだい支えあいのまち推進プラン(掲載予定事業一覧)\n"));
	assert_int_equal(count(md, "\n## 第"), 6);
	assert_int_equal(count(md, "\n### ("), 21);
	assert_int_equal(count(md, "\n| No | 事業名 | 事業概要 | 担当局等 |\n| ---: | --- | --- | --- |\n"),
			 21);
	assert_int_equal(count(md, "\n| "), 21 * 2 + 254);
	assert_int_equal(count(md, "【再掲】 | "), 78);
	assert_non_null(strstr(md, "\n| 1 | 多様な性のあり方についての理解促進、性的少数者への支援 | "));
	free(md);
	sasae_plan_free(plan);

	plan = parse_str(tricky);
	md = export_str(sasae_export_markdown, plan, NULL);
	assert_non_null(strstr(md, "### (1) 施策 \\<b\\>太字\\</b\\> \\& \"引用\"\n"));
	assert_non_null(
		strstr(md, "| 1 | 表 \\| 縦棒 \\*強調\\* \\[リンク\\](x) | \\<script\\>alert('x')\\</script\\> \\& 概要 | "
			   "市民局 |\n"));
	assert_non_null(strstr(md, "| 2 | 二つ目【再掲】 | 概要 \\`code\\` | 健康福祉局 |\n"));
	free(md);
	sasae_plan_free(plan);
}

static void test_html(void **state)
{
	(void)state;
	sasae_plan *plan = bundled();
	char *html = export_str(sasae_export_html, plan, NULL);
	assert_true(
		starts_with(html, "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n"));
	assert_non_null(strstr(html, "<title>(仮称)せんだい支えあいのまち推進プラン(掲載予定事業一覧)</title>"));
	assert_int_equal(count(html, "<table"), 21);
	assert_int_equal(count(html, "<caption>"), 21);
	assert_int_equal(count(html, "<th scope=\"col\">"), 21 * 4);
	assert_int_equal(count(html, "<th scope=\"row\">"), 254);
	assert_int_equal(count(html, "<h2 id=\"part-"), 6);
	assert_int_equal(count(html, "<span class=\"relisted\">【再掲】</span>"), 78);
	assert_non_null(strstr(html, "<caption>(1) 共生の意識を高める取り組みの推進</caption>"));
	assert_non_null(strstr(html, "</main>\n</body>\n</html>\n"));
	free(html);
	sasae_plan_free(plan);

	plan = parse_str(tricky);
	html = export_str(sasae_export_html, plan, NULL);
	assert_null(strstr(html, "<script>"));
	assert_null(strstr(html, "<b>"));
	assert_non_null(
		strstr(html, "<caption>(1) 施策 &lt;b&gt;太字&lt;/b&gt; &amp; &quot;引用&quot;</caption>"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; 概要"));
	free(html);
	sasae_plan_free(plan);
}

/* ---- (d) JSON-LD ---- */

static void test_jsonld(void **state)
{
	(void)state;
	sasae_plan *plan = bundled();
	char *s = export_str(jsonld_nobase, plan, NULL);
	json_error_t jerr;
	json_t *doc = json_loads(s, 0, &jerr);
	if (doc == NULL)
		fail_msg("JSON-LD does not parse: %s at %d", jerr.text, jerr.line);
	json_t *graph = json_object_get(doc, "@graph");
	assert_int_equal(json_array_size(graph), plan->nprograms);
	assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "@context"), 0)),
			    "https://schema.org");
	for (size_t i = 0; i < plan->nprograms; i++) {
		json_t *item = json_array_get(graph, i);
		const sasae_program *p = &plan->programs[i];
		assert_string_equal(json_string_value(json_object_get(item, "@type")), "GovernmentService");
		assert_string_equal(json_string_value(json_object_get(item, "identifier")), p->id);
		assert_string_equal(json_string_value(json_object_get(item, "name")), p->name);
		assert_null(json_object_get(item, "@id")); /* no base URL: blank nodes */
		json_t *prov = json_object_get(item, "provider");
		assert_int_equal(json_array_size(prov), p->ndepartments);
		for (size_t d = 0; d < p->ndepartments; d++) {
			json_t *o = json_array_get(prov, d);
			assert_string_equal(json_string_value(json_object_get(o, "@type")),
					    "GovernmentOrganization");
			assert_string_equal(json_string_value(json_object_get(o, "name")),
					    p->departments[d].name);
		}
		assert_true(json_array_size(json_object_get(item, "category")) >= 1);
	}
	json_decref(doc);
	free(s);

	/* with a base URL: addresses of the web pages */
	sasae_buf b = SASAE_BUF_INIT;
	sasae_error err = {0};
	assert_int_equal(sasae_export_jsonld(plan, "https://example.org/sasae/", tu_buf_write, &b, &err), 0);
	doc = json_loads(sasae_buf_cstr(&b), 0, &jerr);
	assert_non_null(doc);
	json_t *first = json_array_get(json_object_get(doc, "@graph"), 0);
	assert_string_equal(json_string_value(json_object_get(first, "@id")),
			    "https://example.org/sasae/programs/p0001");
	assert_string_equal(json_string_value(json_object_get(first, "url")),
			    "https://example.org/sasae/programs/p0001");
	json_t *org = json_array_get(json_object_get(first, "provider"), 0);
	assert_string_equal(json_string_value(json_object_get(org, "@id")),
			    "https://example.org/sasae/departments/%E5%B8%82%E6%B0%91%E5%B1%80"); /* 市民局 */
	json_decref(doc);
	sasae_buf_free(&b);
	sasae_plan_free(plan);
}

/* ---- (e) XLSX and HSDS ---- */

static void test_xlsx_file(void **state)
{
	(void)state;
	sasae_plan *plan = bundled();
	char *dir = tu_mkdtemp();
	char *path = tu_join(dir, "plan.xlsx");
	sasae_error err = {0};
	assert_int_equal(sasae_export_xlsx(plan, path, &err), 0);
	size_t len;
	char *bytes = tu_read_file(path, &len);
	assert_true(len > 10000);
	assert_memory_equal(bytes, "PK\x03\x04", 4); /* a zip container */
	assert_true(has_bytes(bytes, len, "xl/worksheets/sheet6.xml", 24));
	assert_false(has_bytes(bytes, len, "xl/worksheets/sheet7.xml", 24));
	free(bytes);
	free(path);
	/* a directory that does not exist: an I/O error naming the path, no file */
	path = tu_join(dir, "missing/plan.xlsx");
	assert_int_equal(sasae_export_xlsx(plan, path, &err), SASAE_EIO);
	assert_string_equal(err.file, path);
	assert_int_equal(access(path, F_OK), -1);
	free(path);
	tu_rmdir(dir);
	sasae_plan_free(plan);
}

/* True when s[0..36) is a UUID of version 8 in lower-case hex. */
static bool is_uuid8(const char *s)
{
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !strchr("0123456789abcdef", s[i]) || s[i] == '\0')
			return false;
	}
	return s[14] == '8' && strchr("89ab", s[19]) != NULL;
}

static void test_hsds_files(void **state)
{
	(void)state;
	sasae_plan *plan = bundled();
	char *dir = tu_mkdtemp();
	sasae_error err = {0};
	assert_int_equal(sasae_export_hsds(plan, dir, &err), 0);
	static const char *const files[] = {"organizations.csv", "programs.csv",       "services.csv",
					    "attributes.csv",    "taxonomy_terms.csv", "taxonomies.csv",
					    "datapackage.json"};
	char *first[7];
	for (size_t i = 0; i < 7; i++) {
		char *p = tu_join(dir, files[i]);
		first[i] = tu_read_file(p, NULL);
		free(p);
	}
	assert_true(strncmp(first[0], "id,name,alternate_name,description,", 35) == 0);
	assert_string_equal(first[1], "id,organization_id,name,alternate_name,description\r\n"); /* header only */
	/* one service per program, every id a version-8 UUID */
	assert_int_equal(count(first[2], "\r\n"), 1 + plan->nprograms);
	const char *row = strstr(first[2], "\r\n") + 2;
	assert_true(is_uuid8(row) && row[36] == ',' && is_uuid8(row + 37));
	assert_non_null(strstr(first[2], ",多様な性のあり方についての理解促進、性的少数者への支援,,"));
	/* a term per part and section (and the two sasae terms); one attribute per listing, per
	   department of a program and per program id */
	assert_int_equal(count(first[4], "\r\n"), 1 + 2 + 6 + 21);
	size_t ndept = 0;
	for (size_t i = 0; i < plan->nprograms; i++)
		ndept += plan->programs[i].ndepartments;
	assert_int_equal(count(first[3], "\r\n"), 1 + 254 + ndept + plan->nprograms);
	json_error_t jerr;
	json_t *dp = json_loads(first[6], 0, &jerr);
	assert_non_null(dp);
	assert_string_equal(json_string_value(json_object_get(dp, "profile")), "tabular-data-package");
	assert_int_equal(json_array_size(json_object_get(dp, "resources")), 6);
	json_decref(dp);
	/* stable: a second export gives the same bytes, and leaves no temporary files */
	assert_int_equal(sasae_export_hsds(plan, dir, &err), 0);
	for (size_t i = 0; i < 7; i++) {
		char *p = tu_join(dir, files[i]);
		char *again = tu_read_file(p, NULL);
		assert_string_equal(first[i], again);
		free(again);
		free(p);
		free(first[i]);
	}
	DIR *d = opendir(dir);
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		n += e->d_name[0] != '.';
	closedir(d);
	assert_int_equal(n, 7);
	/* a path that is a file: an I/O error */
	char *f = tu_join(dir, "datapackage.json");
	assert_int_equal(sasae_export_hsds(plan, f, &err), SASAE_EIO);
	free(f);
	tu_rmdir(dir);
	sasae_plan_free(plan);
}

/* ---- (f) display width ---- */

static void test_display_width(void **state)
{
	(void)state;
	assert_int_equal(sasae_export_display_width(""), 0);
	assert_int_equal(sasae_export_display_width("No"), 2);
	assert_int_equal(sasae_export_display_width("事業名"), 6);
	assert_int_equal(sasae_export_display_width("ＤＶ相談"), 8);
	assert_int_equal(sasae_export_display_width("ｱｲ"), 2);  /* half-width kana */
	assert_int_equal(sasae_export_display_width("①※○"), 6); /* ambiguous, wide in Japanese fonts */
	assert_int_equal(sasae_export_display_width("DV や性暴力"), 11);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_text_round_trip_bundled),
		cmocka_unit_test(test_plan_text_small_documents),
		cmocka_unit_test(test_plan_text_round_trip_corpus),
		cmocka_unit_test(test_plan_text_without_source_lines),
		cmocka_unit_test(test_cp932_round_trip),
		cmocka_unit_test(test_cp932_unconvertible),
		cmocka_unit_test(test_markdown),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_jsonld),
		cmocka_unit_test(test_xlsx_file),
		cmocka_unit_test(test_hsds_files),
		cmocka_unit_test(test_display_width),
	};
	return cmocka_run_group_tests_name("export", tests, setup, teardown);
}
