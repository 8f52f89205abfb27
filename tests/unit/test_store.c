/*
 * test_store.c — unit tests of the store and the import (include/core/sasae/store.h, import.h).
 *
 * Most tests are written against the interface, so that any backend runs them: import and load
 * back, idempotent re-import, versions with stable program ids, several plans in one database,
 * resolving "slug[@N]", failed imports that leave the database as it was, the PostgreSQL location
 * refused, a backend table of another version refused.  Their databases are
 * "$SASAE_TEST_DB-<test>-<name>" when SASAE_TEST_DB is set (a backend's location prefix; the runner
 * provides empty databases there), else SQLite files in a temporary directory.
 *
 * The SQLite-specific tests (the group "sqlite", run when SASAE_TEST_DB is unset) look at the files:
 * the schema version in PRAGMA user_version, the file's bytes after a failed import, WAL and the
 * rollback journal of a new database's first import, files that are not sasae databases, and the
 * files removed by sasae_store_discard.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/departments.h"
#include "sasae/export.h"
#include "sasae/import.h"
#include "sasae/outline.h"
#include "sasae/parse.h"
#include "sasae/store.h"
#include "test_util.h"
#include "test_plan.h"
#include "../../src/store/backend.h" /* sasae_store_attach: a backend table of another version */

#define SLUG "sendai-2024-draft"
#define NAME "sendai-2024-draft.txt"

static sasae_dept_table *depts;
static char *plan_text;
static size_t plan_len;

/* Numbers read from the document (and tests/data/sendai-expected.json). */
enum { PARTS = 6, SECTIONS = 21, LISTINGS = 254, PROGRAMS = 174, LINES = 377 };

/* ---- helpers ---- */

typedef struct fixture {
	char *dir;
	char *db;
	sasae_store *s;
} fixture;

static int test_number; /* counts the fixtures: each test's databases have their own names */

/* The location of a database called name for the current test (malloc'd; see the top). */
static char *test_db(const fixture *f, const char *name)
{
	const char *prefix = getenv("SASAE_TEST_DB");
	if (prefix == NULL || *prefix == '\0')
		return tu_join(f->dir, name);
	sasae_buf b = SASAE_BUF_INIT;
	sasae_buf_appendf(&b, "%s-%d-%s", prefix, test_number, name);
	char *out = sasae_buf_detach(&b);
	assert_non_null(out);
	return out;
}

static int fx_setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	f->dir = tu_mkdtemp();
	test_number++;
	f->db = test_db(f, "sasae.db");
	sasae_error err = {0};
	if (sasae_store_open(&f->s, f->db, SASAE_STORE_CREATE, &err) != 0) {
		print_error("open %s: %s\n", f->db, err.message);
		return -1;
	}
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	fixture *f = *state;
	sasae_store_close(f->s);
	free(f->db);
	tu_rmdir(f->dir);
	free(f);
	return 0;
}

static sasae_import_options options(const char *slug)
{
	sasae_import_options opt = {0};
	opt.slug = slug;
	opt.depts = depts;
	return opt;
}

static sasae_import_summary import_ok(sasae_store *s, const char *name, const char *bytes, size_t len,
				      const sasae_import_options *opt)
{
	sasae_import_summary sum;
	memset(&sum, 0xAB, sizeof sum);
	sasae_error err = {0};
	int rc = sasae_import_bytes(s, name, bytes, len, opt, &sum, &err);
	if (rc != 0)
		fail_msg("import %s: %d %s:%ld: %s", name, rc, err.file, err.line, err.message);
	return sum;
}

static sasae_plan *load(sasae_store *s, const char *spec)
{
	int64_t v = 0;
	sasae_error err = {0};
	int rc = sasae_store_resolve(s, spec, &v, &err);
	if (rc != 0)
		fail_msg("resolve %s: %d %s", spec ? spec : "NULL", rc, err.message);
	assert_true(v > 0);
	sasae_plan *plan = NULL;
	rc = sasae_store_load_plan(s, v, &plan, &err);
	if (rc != 0)
		fail_msg("load %s: %d %s", spec ? spec : "NULL", rc, err.message);
	assert_non_null(plan);
	return plan;
}

/* The contract JSON of a loaded version (malloc'd). */
static char *export_json(sasae_store *s, const char *spec)
{
	sasae_plan *plan = load(s, spec);
	sasae_buf b = SASAE_BUF_INIT;
	sasae_error err = {0};
	assert_int_equal(sasae_export_json(plan, tu_buf_write, &b, &err), 0);
	sasae_plan_free(plan);
	char *out = sasae_buf_detach(&b);
	assert_non_null(out);
	return out;
}

/* Everything in the database as the public API shows it: the plans and the JSON of every
   version of every plan. */
static char *snapshot(sasae_store *s)
{
	sasae_plan_info *infos = NULL;
	size_t n = 0;
	sasae_error err = {0};
	assert_int_equal(sasae_store_plans(s, &infos, &n, &err), 0);
	sasae_buf b = SASAE_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		sasae_buf_appendf(&b, "%s v%d %s %zu %zu %zu %zu %s\n", infos[i].slug, infos[i].version,
				  infos[i].source, infos[i].parts, infos[i].sections, infos[i].listings,
				  infos[i].programs, infos[i].imported_at);
		for (int v = 1; v <= infos[i].version; v++) {
			char spec[160];
			snprintf(spec, sizeof spec, "%s@%d", infos[i].slug, v);
			char *json = export_json(s, spec);
			sasae_buf_puts(&b, json);
			free(json);
		}
	}
	sasae_plan_infos_free(infos, n);
	char *out = sasae_buf_detach(&b);
	assert_non_null(out);
	return out;
}

static size_t plan_count(sasae_store *s)
{
	sasae_plan_info *infos = NULL;
	size_t n = 99;
	sasae_error err = {0};
	assert_int_equal(sasae_store_plans(s, &infos, &n, &err), 0);
	sasae_plan_infos_free(infos, n);
	return n;
}

static sasae_plan *parse_doc(const char *name, const char *bytes, size_t len)
{
	sasae_plan *plan = NULL;
	sasae_error err = {0};
	int rc = sasae_parse_document(&plan, name, bytes, len, depts, NULL, NULL, &err);
	if (rc != 0)
		fail_msg("parse: %d %s:%ld: %s", rc, err.file, err.line, err.message);
	return plan;
}

/* ---- tests ---- */

static void test_import_and_load(void **state)
{
	fixture *f = *state;
	sasae_import_options opt = options(NULL); /* slug from the name */
	sasae_import_summary sum = import_ok(f->s, NAME, plan_text, plan_len, &opt);
	assert_int_equal(sum.version, 1);
	assert_false(sum.unchanged);
	assert_int_equal(sum.parts, PARTS);
	assert_int_equal(sum.sections, SECTIONS);
	assert_int_equal(sum.listings, LISTINGS);
	assert_int_equal(sum.programs, PROGRAMS);
	assert_int_equal(sum.new_programs, PROGRAMS);
	/* the three doubled characters at joins (lines 122, 192, 342 of the draft) */
	assert_int_equal(sum.warnings, 3);

	sasae_plan *parsed = parse_doc(NAME, plan_text, plan_len);
	sasae_plan *loaded = load(f->s, SLUG);
	assert_string_equal(loaded->slug, SLUG);
	assert_int_equal(loaded->version, 1);
	assert_string_equal(loaded->source, NAME);
	assert_plans_equal(parsed, loaded);
	assert_int_equal(sasae_plan_count_listings(loaded), LISTINGS);
	assert_int_equal(sasae_plan_count_sections(loaded), SECTIONS);
	/* a few listings, from the document */
	const sasae_listing *l = listing_at(loaded, 2, 3, 2);
	assert_string_equal(l->name, "未来につなぐ地域力推進事業");
	assert_int_equal(l->ndepartments, 1);
	assert_string_equal(l->departments[0].name, "市民局");
	assert_string_equal(l->departments[0].note, "各区役所、総合支所");
	l = listing_at(loaded, 6, 3, 27);
	assert_int_equal(l->number, 18);
	assert_int_equal(l->source_line, 364);
	l = listing_at(loaded, 2, 1, 12);
	assert_int_equal(l->ndepartments, 2);
	assert_string_equal(l->departments[0].name, "健康福祉局");
	assert_string_equal(l->departments[1].name, "市社会福祉協議会");
	/* program ids: p0001 is the first listing's program, and re-listings share it */
	assert_string_equal(listing_at(loaded, 1, 1, 1)->program, "p0001");
	assert_string_equal(listing_at(loaded, 1, 2, 1)->program, "p0001");
	assert_true(listing_at(loaded, 1, 2, 1)->relisted);
	const sasae_program *p = program_by_id(loaded, listing_at(loaded, 1, 2, 2)->program);
	assert_string_equal(p->name, "小地域福祉ネットワーク活動への支援");
	assert_int_equal(p->nplaces, 5);
	sasae_plan_free(parsed);
	sasae_plan_free(loaded);

	/* the plan list */
	sasae_plan_info *infos = NULL;
	size_t n = 0;
	sasae_error err = {0};
	assert_int_equal(sasae_store_plans(f->s, &infos, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(infos[0].slug, SLUG);
	assert_int_equal(infos[0].version, 1);
	assert_string_equal(infos[0].source, NAME);
	assert_int_equal(infos[0].parts, PARTS);
	assert_int_equal(infos[0].sections, SECTIONS);
	assert_int_equal(infos[0].listings, LISTINGS);
	assert_int_equal(infos[0].programs, PROGRAMS);
	assert_true(infos[0].imported_at[0] != '\0');
	sasae_plan_infos_free(infos, n);
}

/* SQLite: the schema version is PRAGMA user_version; the file opens again, read-only too. */
static void test_sqlite_schema_version(void **state)
{
	fixture *f = *state;
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), SASAE_SCHEMA_VERSION);
	sqlite3_finalize(st);
	sqlite3_close(db);
	/* and a database of this version opens again, read-only too */
	sasae_store *ro = NULL;
	sasae_error err = {0};
	assert_int_equal(sasae_store_open(&ro, f->db, SASAE_STORE_READONLY, &err), 0);
	sasae_store_close(ro);
}

/* sasae_import_file reads the same document from a file: the same data. */
static void test_import_file(void **state)
{
	fixture *f = *state;
	sasae_import_options opt = options(NULL);
	import_ok(f->s, NAME, plan_text, plan_len, &opt);
	char *from_bytes = export_json(f->s, NULL);

	char *path = tu_join(f->dir, NAME);
	tu_write_file(path, plan_text, plan_len);
	char *db2 = test_db(f, "other.db");
	sasae_store *s2 = NULL;
	sasae_error err = {0};
	assert_int_equal(sasae_store_open(&s2, db2, SASAE_STORE_CREATE, &err), 0);
	sasae_import_summary sum;
	int rc = sasae_import_file(s2, path, &opt, &sum, &err);
	if (rc != 0)
		fail_msg("import_file: %d %s:%ld: %s", rc, err.file, err.line, err.message);
	assert_int_equal(sum.version, 1);
	assert_int_equal(sum.listings, LISTINGS);
	char *from_file = export_json(s2, SLUG); /* slug from the file name */
	assert_string_equal(from_bytes, from_file);
	/* a file that is not there */
	char *missing = tu_join(f->dir, "missing.txt");
	sasae_error err2 = {0};
	assert_int_equal(sasae_import_file(s2, missing, &opt, &sum, &err2), SASAE_ENOTFOUND);
	assert_true(err2.message[0] != '\0');
	assert_int_equal(plan_count(s2), 1);
	sasae_store_close(s2);
	free(missing);
	free(from_file);
	free(from_bytes);
	free(db2);
	free(path);
}

static void test_reimport_unchanged(void **state)
{
	fixture *f = *state;
	sasae_import_options opt = options(SLUG);
	import_ok(f->s, NAME, plan_text, plan_len, &opt);
	char *before = snapshot(f->s);
	sasae_import_summary sum = import_ok(f->s, NAME, plan_text, plan_len, &opt);
	assert_true(sum.unchanged);
	assert_int_equal(sum.version, 1);
	/* the same bytes under another file name are the same document */
	sum = import_ok(f->s, "renamed.txt", plan_text, plan_len, &opt);
	assert_true(sum.unchanged);
	assert_int_equal(sum.version, 1);
	char *after = snapshot(f->s);
	assert_string_equal(before, after);
	assert_int_equal(plan_count(f->s), 1);
	free(before);
	free(after);
}

/* Find the listing whose name is name in a plan (first one), or NULL. */
static const sasae_listing *find_listing_named(const sasae_plan *plan, const char *name)
{
	for (size_t i = 0; i < plan->nparts; i++)
		for (size_t j = 0; j < plan->parts[i].nsections; j++)
			for (size_t k = 0; k < plan->parts[i].sections[j].nlistings; k++)
				if (strcmp(plan->parts[i].sections[j].listings[k].name, name) == 0)
					return &plan->parts[i].sections[j].listings[k];
	return NULL;
}

/* The same, failing the test when there is none. */
static const sasae_listing *listing_named(const sasae_plan *plan, const char *name)
{
	const sasae_listing *l = find_listing_named(plan, name);
	if (l == NULL) {
		fail_msg("no listing named %s", name);
		abort(); /* not reached: fail_msg does not return */
	}
	return l;
}

static void test_versions_keep_program_ids(void **state)
{
	fixture *f = *state;
	sasae_import_options opt = options(SLUG);
	import_ok(f->s, NAME, plan_text, plan_len, &opt);
	sasae_plan *v1 = load(f->s, SLUG);

	/* Version 2: one summary edited, one program added at the end of the last section. */
	char *edited = tu_replace(plan_text, "講演や事例報告のほか趣向を凝らし", "講演のほか");
	char *v2text = malloc(strlen(edited) + 128);
	assert_non_null(v2text);
	sprintf(v2text, "%s\n6\t新しい見守り事業\t新しい概要。\t市民局\n", edited);
	sasae_import_summary sum = import_ok(f->s, NAME, v2text, strlen(v2text), &opt);
	assert_false(sum.unchanged);
	assert_int_equal(sum.version, 2);
	assert_int_equal(sum.listings, LISTINGS + 1);
	assert_int_equal(sum.programs, PROGRAMS + 1);
	assert_int_equal(sum.new_programs, 1);
	sasae_plan *v2 = load(f->s, SLUG); /* the latest */
	assert_int_equal(v2->version, 2);
	sasae_plan *v2b = load(f->s, SLUG "@2");
	assert_plans_equal(v2, v2b);
	sasae_plan_free(v2b);
	/* every listing of version 1 is still there, with the same program id */
	for (size_t i = 0; i < v1->nparts; i++)
		for (size_t j = 0; j < v1->parts[i].nsections; j++)
			for (size_t k = 0; k < v1->parts[i].sections[j].nlistings; k++) {
				const sasae_listing *a = &v1->parts[i].sections[j].listings[k];
				const sasae_listing *b = listing_at(v2, a->part, a->section, a->position);
				assert_string_equal(a->name, b->name);
				assert_string_equal(a->program, b->program);
			}
	const sasae_listing *edited_l = listing_at(v2, 1, 1, 8);
	assert_string_equal(edited_l->name, "成年後見セミナー");
	assert_non_null(strstr(edited_l->summary, "講演のほか"));
	assert_string_equal(edited_l->program, listing_at(v1, 1, 1, 8)->program);
	/* the new program gets the next id */
	const sasae_listing *added = listing_at(v2, 6, 4, 6);
	assert_string_equal(added->name, "新しい見守り事業");
	assert_string_equal(added->program, "p0175");
	assert_int_equal(added->source_line, LINES + 1);
	assert_int_equal(v2->nprograms, PROGRAMS + 1);

	/* Version 1 is still there as it was. */
	sasae_plan *v1again = load(f->s, SLUG "@1");
	assert_plans_equal(v1, v1again);
	sasae_plan_free(v1again);

	/* Version 3: the added program is gone, another one comes: it does not reuse p0175. */
	char *v3text = malloc(plan_len + 128);
	assert_non_null(v3text);
	sprintf(v3text, "%s\n6\t別の新しい事業\t別の概要。\t教育局\n", plan_text);
	sum = import_ok(f->s, NAME, v3text, strlen(v3text), &opt);
	assert_int_equal(sum.version, 3);
	assert_int_equal(sum.new_programs, 1);
	sasae_plan *v3 = load(f->s, NULL);
	assert_int_equal(v3->version, 3);
	assert_null(find_listing_named(v3, "新しい見守り事業"));
	assert_string_equal(listing_named(v3, "別の新しい事業")->program, "p0176");
	assert_int_equal(v3->nprograms, PROGRAMS + 1);

	/* Version 4: the program of version 2 comes back with its id, written with other widths and
	   spaces (the same identity). */
	char *v4text = malloc(strlen(v3text) + 128);
	assert_non_null(v4text);
	sprintf(v4text, "%s7\t新しい 見守り事業【再掲】\t新しい概要。\t市民局\n", v3text);
	sum = import_ok(f->s, NAME, v4text, strlen(v4text), &opt);
	assert_int_equal(sum.version, 4);
	assert_int_equal(sum.new_programs, 0);
	sasae_plan *v4 = load(f->s, NULL);
	const sasae_listing *back = listing_named(v4, "新しい見守り事業");
	assert_true(back->relisted);
	assert_string_equal(back->program, "p0175");
	assert_string_equal(listing_named(v4, "別の新しい事業")->program, "p0176");

	sasae_plan_free(v4);
	sasae_plan_free(v3);
	sasae_plan_free(v2);
	sasae_plan_free(v1);
	free(v4text);
	free(v3text);
	free(v2text);
	free(edited);
}

static const char small_doc[] = "小さな計画\n"
				"(1) 見守り\n"
				"1\t配食サービス\t高齢者に食事を届ける。\t健康福祉局\n"
				"2\t成年後見セミナー\t制度を学ぶ。\t社会福祉協議会\n";

static void test_two_plans(void **state)
{
	fixture *f = *state;
	sasae_import_options opt = options(SLUG);
	import_ok(f->s, NAME, plan_text, plan_len, &opt);
	sasae_import_options small = options("small-plan");
	sasae_import_summary sum = import_ok(f->s, "small.txt", small_doc, strlen(small_doc), &small);
	assert_int_equal(sum.version, 1);
	assert_int_equal(sum.programs, 2);
	assert_int_equal(sum.new_programs, 2);
	/* program ids belong to the plan: the small plan starts at p0001 */
	sasae_plan *sp = load(f->s, "small-plan");
	assert_string_equal(sp->slug, "small-plan");
	assert_string_equal(sp->title, "小さな計画");
	assert_string_equal(listing_at(sp, 1, 1, 1)->program, "p0001");
	assert_string_equal(listing_at(sp, 1, 1, 2)->program, "p0002");
	assert_string_equal(listing_at(sp, 1, 1, 2)->departments[0].name, "市社会福祉協議会");
	sasae_plan_free(sp);
	/* NULL: the plan imported last */
	sasae_plan *last = load(f->s, NULL);
	assert_string_equal(last->slug, "small-plan");
	sasae_plan_free(last);
	/* the big plan is untouched */
	sasae_plan *big = load(f->s, SLUG);
	assert_int_equal(sasae_plan_count_listings(big), LISTINGS);
	assert_int_equal(big->nprograms, PROGRAMS);
	sasae_plan_free(big);

	sasae_plan_info *infos = NULL;
	size_t n = 0;
	sasae_error err = {0};
	assert_int_equal(sasae_store_plans(f->s, &infos, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(infos[0].slug, SLUG); /* ordered by slug */
	assert_string_equal(infos[1].slug, "small-plan");
	assert_int_equal(infos[1].listings, 2);
	assert_int_equal(infos[1].programs, 2);
	assert_int_equal(infos[0].listings, LISTINGS);
	sasae_plan_infos_free(infos, n);

	/* the same bytes in another plan are a new version of that plan, not "unchanged" */
	sasae_import_options third = options("copy-of-small");
	sum = import_ok(f->s, "small.txt", small_doc, strlen(small_doc), &third);
	assert_false(sum.unchanged);
	assert_int_equal(sum.version, 1);
	assert_int_equal(plan_count(f->s), 3);

	/* a new version of the first plan makes it the last imported */
	char *v2 = malloc(plan_len + 64);
	assert_non_null(v2);
	sprintf(v2, "%s\n6\t追加の事業\t概要。\t市民局\n", plan_text);
	import_ok(f->s, NAME, v2, strlen(v2), &opt);
	last = load(f->s, NULL);
	assert_string_equal(last->slug, SLUG);
	assert_int_equal(last->version, 2);
	sasae_plan_free(last);
	free(v2);
}

static void test_resolve(void **state)
{
	fixture *f = *state;
	int64_t v = 0;
	sasae_error err = {0};
	/* nothing imported yet */
	assert_int_equal(sasae_store_resolve(f->s, NULL, &v, &err), SASAE_ENOTFOUND);
	assert_true(err.message[0] != '\0');

	sasae_import_options opt = options(SLUG);
	import_ok(f->s, NAME, plan_text, plan_len, &opt);
	int64_t latest = 0, first = 0, none = 0;
	sasae_error e1 = {0}, e2 = {0}, e3 = {0};
	assert_int_equal(sasae_store_resolve(f->s, SLUG, &latest, &e1), 0);
	assert_int_equal(sasae_store_resolve(f->s, SLUG "@1", &first, &e2), 0);
	assert_int_equal(sasae_store_resolve(f->s, NULL, &none, &e3), 0);
	assert_true(latest > 0);
	assert_true(latest == first && first == none);

	static const struct {
		const char *spec;
		int rc;
	} bad[] = {
		{SLUG "@9", SASAE_ENOTFOUND},      {SLUG "@2", SASAE_ENOTFOUND},
		{"no-such-plan", SASAE_ENOTFOUND}, {"no-such-plan@1", SASAE_ENOTFOUND},
		{SLUG "@0", SASAE_EUSAGE},         {SLUG "@x", SASAE_EUSAGE},
		{SLUG "@", SASAE_EUSAGE},          {SLUG "@-1", SASAE_EUSAGE},
		{SLUG "@1x", SASAE_EUSAGE},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		sasae_error e = {0};
		int64_t id = 12345;
		int rc = sasae_store_resolve(f->s, bad[i].spec, &id, &e);
		if (rc != bad[i].rc)
			fail_msg("resolve(%s) = %d, want %d", bad[i].spec, rc, bad[i].rc);
		assert_int_equal(e.code, bad[i].rc);
		assert_true(e.message[0] != '\0');
		assert_int_equal(id, 0);
	}
	/* the not-found message names the plans there are */
	sasae_error e = {0};
	assert_int_equal(sasae_store_resolve(f->s, SLUG "@9", &v, &e), SASAE_ENOTFOUND);
	assert_non_null(strstr(e.message, SLUG));
	/* a version id that does not exist cannot be loaded */
	sasae_plan *plan = (sasae_plan *)(uintptr_t)1;
	sasae_error e4 = {0};
	assert_int_equal(sasae_store_load_plan(f->s, latest + 1000, &plan, &e4), SASAE_ENOTFOUND);
	assert_null(plan);
}

/* A document that goes wrong after valid rows leaves the database exactly as it was. */
static void test_failed_import_changes_nothing(void **state)
{
	fixture *f = *state;
	sasae_import_options opt = options(SLUG);
	import_ok(f->s, NAME, plan_text, plan_len, &opt);
	char *before = snapshot(f->s);

	static const struct {
		const char *what;
		const char *tail; /* appended after the whole valid document */
		long line;
	} tails[] = {
		{"a row with 5 cells", "\n99\t事業\t概要\t市民局\t余分\n", LINES + 1},
		{"not UTF-8", "\n99\t事業\t\xff\t市民局\n", LINES + 1},
		{"a continuation with 2 cells", "\n\n\tの続き\n", LINES + 2},
	};
	for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
		char *bad = malloc(plan_len + strlen(tails[i].tail) + 1);
		assert_non_null(bad);
		memcpy(bad, plan_text, plan_len);
		strcpy(bad + plan_len, tails[i].tail);
		size_t len = plan_len + strlen(tails[i].tail);
		/* into the existing plan, and into a plan that does not exist yet */
		static const char *const slugs[] = {SLUG, "brand-new-plan"};
		for (size_t k = 0; k < 2; k++) {
			sasae_import_options o = options(slugs[k]);
			sasae_import_summary sum;
			sasae_error err = {0};
			int rc = sasae_import_bytes(f->s, "bad.txt", bad, len, &o, &sum, &err);
			if (rc != SASAE_EDATA)
				fail_msg("%s: rc %d, want SASAE_EDATA", tails[i].what, rc);
			assert_string_equal(err.file, "bad.txt");
			if (err.line != tails[i].line)
				fail_msg("%s: line %ld, want %ld", tails[i].what, err.line, tails[i].line);
			char *after = snapshot(f->s);
			assert_string_equal(before, after);
			free(after);
			assert_int_equal(plan_count(f->s), 1);
		}
		/* the same through a file */
		char *path = tu_join(f->dir, "bad.txt");
		tu_write_file(path, bad, len);
		sasae_import_summary sum;
		sasae_error err = {0};
		assert_int_equal(sasae_import_file(f->s, path, &opt, &sum, &err), SASAE_EDATA);
		assert_int_equal(err.line, tails[i].line);
		char *after = snapshot(f->s);
		assert_string_equal(before, after);
		free(after);
		free(path);
		free(bad);
	}
	/* the store still works, and the failed imports used no version number */
	char *v2 = malloc(plan_len + 64);
	assert_non_null(v2);
	sprintf(v2, "%s\n6\t追加の事業\t概要。\t市民局\n", plan_text);
	sasae_import_summary sum = import_ok(f->s, NAME, v2, strlen(v2), &opt);
	assert_int_equal(sum.version, 2);
	assert_int_equal(sum.new_programs, 1);
	sasae_plan *latest = load(f->s, NULL);
	assert_int_equal(latest->version, 2);
	assert_string_equal(listing_named(latest, "追加の事業")->program, "p0175");
	sasae_plan_free(latest);
	free(v2);
	free(before);
}

/* SQLite: the same, compared byte for byte on the closed database file. */
static void test_sqlite_failed_import_same_file_bytes(void **state)
{
	fixture *f = *state;
	sasae_import_options opt = options(SLUG);
	import_ok(f->s, NAME, plan_text, plan_len, &opt);
	sasae_store_close(f->s);
	f->s = NULL;
	size_t n1, n2;
	char *b1 = tu_read_file(f->db, &n1);

	sasae_error err = {0};
	assert_int_equal(sasae_store_open(&f->s, f->db, SASAE_STORE_CREATE, &err), 0);
	const char bad[] = "(1) 一\n1\tA\ta\t市民局\n2\tB\tb\t市民局\t余分\n";
	sasae_import_summary sum;
	assert_int_equal(sasae_import_bytes(f->s, "bad.txt", bad, sizeof bad - 1, &opt, &sum, &err),
			 SASAE_EDATA);
	assert_int_equal(err.line, 3);
	sasae_store_close(f->s);
	f->s = NULL;
	char *b2 = tu_read_file(f->db, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(b1, b2, n1);
	free(b1);
	free(b2);
	assert_int_equal(sasae_store_open(&f->s, f->db, SASAE_STORE_CREATE, &err), 0);
}

/* The journal mode recorded in a closed database file ("wal", "delete", …; malloc'd). */
static char *file_journal_mode(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	char *mode = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	assert_non_null(mode);
	return mode;
}

static void assert_wal_file(const char *path)
{
	size_t n = strlen(path);
	char *side = malloc(n + 16);
	assert_non_null(side);
	static const char *const suffixes[] = {"-journal", "-wal", "-shm"};
	for (size_t i = 0; i < 3; i++) { /* closed cleanly: nothing beside the file */
		snprintf(side, n + 16, "%s%s", path, suffixes[i]);
		assert_int_equal(access(side, F_OK), -1);
	}
	free(side);
	char *mode = file_journal_mode(path);
	assert_string_equal(mode, "wal");
	free(mode);
}

/* SQLite: SASAE_STORE_IMPORT on a new file: schema and first import in one transaction, the same data as an
   ordinary import, WAL mode after; a failed first import, or none at all, leaves an empty database
   with its schema; another transaction first commits the schema. */
static void test_sqlite_new_database_for_import(void **state)
{
	fixture *f = *state;
	sasae_import_options opt = options(SLUG);
	import_ok(f->s, NAME, plan_text, plan_len, &opt);
	char *want = snapshot(f->s);
	sasae_error err = {0};

	/* imported */
	char *db1 = tu_join(f->dir, "new1.db");
	sasae_store *s = NULL;
	assert_int_equal(sasae_store_open(&s, db1, SASAE_STORE_CREATE | SASAE_STORE_IMPORT, &err), 0);
	import_ok(s, NAME, plan_text, plan_len, &opt);
	sasae_store_close(s);
	assert_wal_file(db1);
	assert_int_equal(sasae_store_open(&s, db1, SASAE_STORE_READONLY, &err), 0);
	char *got = snapshot(s);
	/* the same data; only imported_at may differ */
	char *a = strchr(want, '\n'), *b = strchr(got, '\n');
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a, b);
	free(got);
	sasae_store_close(s);

	/* a failed first import: the database is empty, with its schema, and takes the next import */
	char *db2 = tu_join(f->dir, "new2.db");
	assert_int_equal(sasae_store_open(&s, db2, SASAE_STORE_CREATE | SASAE_STORE_IMPORT, &err), 0);
	const char bad[] = "(1) 一\n1\tA\ta\t市民局\n2\tB\tb\t市民局\t余分\n";
	sasae_import_summary sum;
	assert_int_equal(sasae_import_bytes(s, "bad.txt", bad, sizeof bad - 1, &opt, &sum, &err), SASAE_EDATA);
	assert_int_equal(plan_count(s), 0);
	sum = import_ok(s, NAME, plan_text, plan_len, &opt);
	assert_int_equal(sum.version, 1);
	assert_int_equal(sum.listings, LISTINGS);
	sasae_store_close(s);
	assert_wal_file(db2);

	/* no import at all */
	char *db3 = tu_join(f->dir, "new3.db");
	assert_int_equal(sasae_store_open(&s, db3, SASAE_STORE_CREATE | SASAE_STORE_IMPORT, &err), 0);
	sasae_store_close(s);
	assert_wal_file(db3);
	assert_int_equal(sasae_store_open(&s, db3, SASAE_STORE_READONLY, &err), 0);
	assert_int_equal(plan_count(s), 0);
	sasae_store_close(s);

	/* another transaction first (a reindex): it commits the schema, then runs */
	char *db4 = tu_join(f->dir, "new4.db");
	assert_int_equal(sasae_store_open(&s, db4, SASAE_STORE_CREATE | SASAE_STORE_IMPORT, &err), 0);
	assert_int_equal(sasae_store_reindex(s, 1, &err), 0);
	import_ok(s, NAME, plan_text, plan_len, &opt);
	assert_int_equal(plan_count(s), 1);
	sasae_store_close(s);
	assert_wal_file(db4);

	/* an existing database opened for an import: as without the flag */
	sasae_store_close(f->s);
	f->s = NULL;
	assert_int_equal(sasae_store_open(&f->s, f->db, SASAE_STORE_CREATE | SASAE_STORE_IMPORT, &err), 0);
	sum = import_ok(f->s, NAME, plan_text, plan_len, &opt);
	assert_true(sum.unchanged);
	char *again = snapshot(f->s);
	assert_string_equal(want, again);
	free(again);

	free(db1);
	free(db2);
	free(db3);
	free(db4);
	free(want);
}

/* SQLite: files that are not sasae databases, a newer schema, a file that is not there. */
static void test_sqlite_open_bad_files(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	sasae_store *s = (sasae_store *)(uintptr_t)1;

	/* a text file */
	char *text = tu_join(f->dir, "notes.txt");
	const char notes[] = "These are my notes, not a database.\nThey go on for a while.\n"
			     "SQLite wants a 100-byte header; this is longer than that, surely, by now.\n";
	tu_write_file(text, notes, sizeof notes - 1);
	assert_int_equal(sasae_store_open(&s, text, SASAE_STORE_CREATE, &err), SASAE_EDB);
	assert_null(s);
	assert_int_equal(err.code, SASAE_EDB);
	assert_true(err.message[0] != '\0');
	sasae_error err2 = {0};
	assert_int_equal(sasae_store_open(&s, text, SASAE_STORE_READONLY, &err2), SASAE_EDB);
	size_t len;
	char *after = tu_read_file(text, &len); /* left as it was */
	assert_int_equal(len, sizeof notes - 1);
	assert_memory_equal(after, notes, len);
	free(after);

	/* an SQLite database of something else */
	char *other = tu_join(f->dir, "other.sqlite");
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(other, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('x');",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	sasae_error err3 = {0};
	assert_int_equal(sasae_store_open(&s, other, SASAE_STORE_CREATE, &err3), SASAE_EDB);
	assert_true(err3.message[0] != '\0');

	/* a sasae database of a newer schema */
	char *newer = tu_join(f->dir, "newer.db");
	sasae_store *s2 = NULL;
	sasae_error err4 = {0};
	assert_int_equal(sasae_store_open(&s2, newer, SASAE_STORE_CREATE, &err4), 0);
	sasae_store_close(s2);
	assert_int_equal(sqlite3_open(newer, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	sasae_error err5 = {0};
	assert_int_equal(sasae_store_open(&s2, newer, SASAE_STORE_READONLY, &err5), SASAE_EDB);
	assert_true(err5.message[0] != '\0');

	/* a database that is not there: read-only is "not found", create makes it */
	char *missing = tu_join(f->dir, "missing.db");
	sasae_error err6 = {0};
	assert_int_equal(sasae_store_open(&s2, missing, SASAE_STORE_READONLY, &err6), SASAE_ENOTFOUND);
	assert_true(err6.message[0] != '\0');
	assert_int_equal(access(missing, F_OK), -1); /* and it is not created */
	sasae_error err7 = {0};
	assert_int_equal(sasae_store_open(&s2, missing, SASAE_STORE_CREATE, &err7), 0);
	assert_int_equal(plan_count(s2), 0);
	sasae_store_close(s2);
	sasae_store_close(NULL);

	free(missing);
	free(newer);
	free(other);
	free(text);
}

/* A PostgreSQL location is recognised and refused until that backend is built. */
static void test_open_postgres_unavailable(void **state)
{
	(void)state;
	static const char *const uris[] = {"postgresql://localhost/sasae", "postgres://u@host:5432/db"};
	for (size_t i = 0; i < 2; i++) {
		sasae_store *s = (sasae_store *)(uintptr_t)1;
		sasae_error err = {0};
		assert_int_equal(sasae_store_open(&s, uris[i], SASAE_STORE_READONLY, &err), SASAE_EUNAVAILABLE);
		assert_null(s);
		assert_non_null(strstr(err.message, "PostgreSQL"));
	}
}

static bool fake_freed;
static void fake_free(sasae_store_backend *b) { (void)b, fake_freed = true; }

/* sasae_store_attach refuses a table of another version, or one without its required functions,
   and frees it. */
static void test_backend_table_checked(void **state)
{
	(void)state;
	sasae_store_backend fake = {.version = SASAE_STORE_BACKEND_VERSION + 1,
				    .name = "fake",
				    .free = fake_free};
	sasae_store *s = (sasae_store *)(uintptr_t)1;
	sasae_error err = {0};
	assert_int_equal(sasae_store_attach(&s, &fake, &err), SASAE_EINTERNAL);
	assert_null(s);
	assert_true(fake_freed);
	fake_freed = false;
	fake.version = SASAE_STORE_BACKEND_VERSION; /* the right version, but no functions */
	sasae_error err2 = {0};
	assert_int_equal(sasae_store_attach(&s, &fake, &err2), SASAE_EINTERNAL);
	assert_true(fake_freed);
	sasae_store_close(NULL);
	sasae_store_discard(NULL);
}

/* SQLite: sasae_store_discard removes a database file this open created (with its companions), and
   leaves one that was there before. */
static void test_sqlite_discard(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	char *fresh = tu_join(f->dir, "fresh.db");
	sasae_store *s = NULL;
	assert_int_equal(sasae_store_open(&s, fresh, SASAE_STORE_CREATE | SASAE_STORE_IMPORT, &err), 0);
	assert_int_equal(access(fresh, F_OK), 0);
	const char bad[] = "(1) 一\n1\tA\ta\t市民局\n2\tB\tb\t市民局\t余分\n";
	sasae_import_options opt = options(SLUG);
	sasae_import_summary sum;
	assert_int_equal(sasae_import_bytes(s, "bad.txt", bad, sizeof bad - 1, &opt, &sum, &err), SASAE_EDATA);
	sasae_store_discard(s);
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < 4; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s%s", fresh, suffixes[i]);
		assert_int_equal(access(path, F_OK), -1);
	}
	/* the fixture's database existed before this open: kept */
	sasae_store_close(f->s);
	f->s = NULL;
	assert_int_equal(sasae_store_open(&s, f->db, SASAE_STORE_CREATE | SASAE_STORE_IMPORT, &err), 0);
	sasae_store_discard(s);
	assert_int_equal(access(f->db, F_OK), 0);
	assert_int_equal(sasae_store_open(&f->s, f->db, SASAE_STORE_CREATE, &err), 0);
	free(fresh);
}

/* Part titles from an outline and a version title given by the caller. */
static void test_outline_and_title(void **state)
{
	fixture *f = *state;
	size_t len;
	char *text = tu_read_source("data/sendai-2024-draft.outline.tsv", &len);
	sasae_outline outline;
	sasae_error err = {0};
	assert_int_equal(sasae_outline_parse(&outline, "outline.tsv", text, len, &err), 0);
	sasae_import_options opt = options("with-outline");
	opt.outline = &outline;
	opt.title = "仙台市の計画（案）";
	import_ok(f->s, NAME, plan_text, plan_len, &opt);
	sasae_plan *plan = load(f->s, "with-outline");
	assert_string_equal(plan->title, "仙台市の計画（案）");
	assert_int_equal(plan->nparts, PARTS);
	for (int i = 1; i <= PARTS; i++) {
		assert_non_null(plan->parts[i - 1].title);
		assert_string_equal(plan->parts[i - 1].title, sasae_outline_title(&outline, i));
	}
	sasae_plan_free(plan);
	sasae_import_options plain = options("without-outline");
	import_ok(f->s, NAME, plan_text, plan_len, &plain);
	plan = load(f->s, "without-outline");
	for (size_t i = 0; i < plan->nparts; i++)
		assert_null(plan->parts[i].title);
	assert_non_null(strstr(plan->title, "せんだい支えあいのまち推進プラン"));
	sasae_plan_free(plan);
	sasae_outline_clear(&outline);
	free(text);
}

/* A crafted document where a re-listed entry comes before the original and names vary in width
   and spaces: what the store gives back is what the parser gives. */
static void test_crafted_round_trip(void **state)
{
	fixture *f = *state;
	static const char doc[] = "**小さな計画**\n"
				  "(1) 一\n"
				  "1\t事業Ａ【再掲】\t再掲の概要。\t市民局 (各区役所)\n"
				  "2\tＤＶ 相談\t相談の概要。\t健康福祉局市社会福祉協議会\n"
				  "3\t不明な部署の事業\t概要。\t不明推進課\n"
				  "（２）二\n"
				  "1\t事業A\t元の概要。\t教育局\n"
				  "18\tDV相談【再 掲】\t相談の概要（再掲）。\t市民局\n"
				  "3\t事業 A\tもう一度、印なし。\t健康福祉局\n"
				  "(1) 三\n"
				  "1\t最後の事業\t概要。\t関係局区";
	sasae_import_options opt = options("crafted");
	sasae_import_summary sum = import_ok(f->s, "crafted.txt", doc, sizeof doc - 1, &opt);
	assert_int_equal(sum.parts, 2);
	assert_int_equal(sum.sections, 3);
	assert_int_equal(sum.listings, 7);
	assert_int_equal(sum.programs, 4);
	assert_int_equal(sum.warnings, 1); /* 不明推進課 */
	sasae_plan *parsed = parse_doc("crafted.txt", doc, sizeof doc - 1);
	sasae_plan *loaded = load(f->s, "crafted");
	assert_plans_equal(parsed, loaded);
	const sasae_program *a = program_by_id(loaded, "p0001");
	assert_string_equal(a->name, "事業A");
	assert_string_equal(a->summary, "元の概要。");
	assert_int_equal(a->nplaces, 3);
	assert_string_equal(listing_at(loaded, 1, 1, 1)->departments[0].note, "各区役所");
	assert_int_equal(listing_at(loaded, 1, 2, 2)->number, 18);
	sasae_plan_free(parsed);
	sasae_plan_free(loaded);

	/* a heading number printed twice in a part: the sections keep their order and places */
	static const char dup[] = "(1) 一\n1\tA\ta\t市民局\n(2) 二\n1\tB\tb\t市民局\n"
				  "(2) 二の重複\n1\tC\tc\t市民局\n2\tB【再掲】\tb\t市民局\n";
	sasae_import_options dopt = options("dup");
	sum = import_ok(f->s, "dup.txt", dup, sizeof dup - 1, &dopt);
	assert_int_equal(sum.sections, 3);
	parsed = parse_doc("dup.txt", dup, sizeof dup - 1);
	loaded = load(f->s, "dup");
	assert_plans_equal(parsed, loaded);
	assert_string_equal(loaded->parts[0].sections[2].title, "二の重複");
	assert_string_equal(loaded->parts[0].sections[2].listings[0].name, "C");
	assert_int_equal(loaded->parts[0].sections[2].listings[0].section_index, 3);
	sasae_plan_free(parsed);
	sasae_plan_free(loaded);
}

/* Warnings and progress reach the caller's callbacks. */
typedef struct seen {
	size_t warnings, progress;
	size_t last_done, total;
} seen;

static void on_warning(void *ctx, const sasae_warning *w)
{
	seen *s = ctx;
	assert_string_equal(w->file, NAME);
	s->warnings++;
}

static void on_progress(void *ctx, size_t done, size_t total)
{
	seen *s = ctx;
	assert_true(done <= total);
	s->progress++;
	s->last_done = done;
	s->total = total;
}

static void test_callbacks(void **state)
{
	fixture *f = *state;
	seen s = {0};
	sasae_import_options opt = options(SLUG);
	opt.on_warning = on_warning;
	opt.on_progress = on_progress;
	opt.ctx = &s;
	sasae_import_summary sum = import_ok(f->s, NAME, plan_text, plan_len, &opt);
	assert_int_equal(s.warnings, sum.warnings);
	assert_true(s.progress >= 1);
	assert_int_equal(s.total, plan_len);
	assert_int_equal(s.last_done, plan_len);
}

/* The slug a file name gives: base name without extension, lower-case, [a-z0-9-] only. */
static void test_slug_from_path(void **state)
{
	(void)state;
	static const struct {
		const char *path, *slug;
	} cases[] = {
		{"data/sendai-2024-draft.txt", "sendai-2024-draft"},
		{"sendai-2024-draft.txt", "sendai-2024-draft"},
		{"/srv/plans/Sendai-2024-Draft.TXT", "sendai-2024-draft"},
		{"Sendai 2024 Draft.txt", "sendai-2024-draft"},
		{"plan_v2.txt", "plan-v2"},
		{"noext", "noext"},
		{"仙台市計画.txt", "plan"},
		{"仙台2024.txt", "2024"},
		{"dir.with.dots/plan.txt", "plan"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[128];
		memset(out, 'x', sizeof out);
		sasae_import_slug_from_path(cases[i].path, out, sizeof out);
		if (strcmp(out, cases[i].slug) != 0)
			fail_msg("slug(%s) = %s, want %s", cases[i].path, out, cases[i].slug);
	}
	/* a small buffer is never overrun and is NUL-terminated */
	char small[6];
	memset(small, 'x', sizeof small);
	sasae_import_slug_from_path("sendai-2024-draft.txt", small, sizeof small);
	assert_true(memchr(small, '\0', sizeof small) != NULL);
	assert_int_equal(strncmp(small, "senda", strlen(small)), 0);
}

/* ---- fixtures ---- */

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

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
	/* Against the interface: any backend. */
	const struct CMUnitTest tests[] = {
		T(test_import_and_load),
		T(test_import_file),
		T(test_reimport_unchanged),
		T(test_versions_keep_program_ids),
		T(test_two_plans),
		T(test_resolve),
		T(test_failed_import_changes_nothing),
		T(test_outline_and_title),
		T(test_crafted_round_trip),
		T(test_callbacks),
		cmocka_unit_test(test_slug_from_path),
		cmocka_unit_test(test_open_postgres_unavailable),
		cmocka_unit_test(test_backend_table_checked),
	};
	/* SQLite-specific: files, journal modes, the schema version. */
	const struct CMUnitTest sqlite_tests[] = {
		T(test_sqlite_schema_version),
		T(test_sqlite_failed_import_same_file_bytes),
		T(test_sqlite_new_database_for_import),
		T(test_sqlite_open_bad_files),
		T(test_sqlite_discard),
	};
	int failed = cmocka_run_group_tests_name("store", tests, setup, teardown);
	const char *db = getenv("SASAE_TEST_DB");
	if (db == NULL || *db == '\0')
		failed += cmocka_run_group_tests_name("sqlite", sqlite_tests, setup, teardown);
	return failed;
}
