/*
 * test_office.c — unit tests of the plan office's changes (include/core/sasae/office.h) over a real
 * SQLite file holding the bundled plan (data/sendai-2024-draft.txt): lint triage, the public version,
 * part titles, the office's data files, a program's tag overrides under the department scope, and
 * comments.  Each change must write exactly one audit row; a refused one writes none and changes
 * nothing.
 *
 * Programs and their departments, read from the document: ids are given in order of first listing,
 * so the first listings of part 1, section 1 are p0001 … p0020 —
 *   p0001 多様な性のあり方についての理解促進、性的少数者への支援   市民局
 *   p0009 障害者差別解消の推進                                     健康福祉局
 *   p0012 いじめ防止等対策推進事業                                 子供未来局 教育局
 * and data/tag-overrides.tsv has two lines for こころの悩みに関する相談 (+who:suicide, +who:carers).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sasae/accounts.h"
#include "sasae/departments.h"
#include "sasae/finder.h"
#include "sasae/import.h"
#include "sasae/office.h"
#include "sasae/store.h"
#include "sasae/tags.h"
#include "sasae/text.h"
#include "test_util.h"

#define SLUG "sendai-2024-draft"

typedef struct fixture {
	char *dir;
	char *db;
	sasae_store *s;
	int64_t version; /* the imported version's id */
} fixture;

static const sasae_actor cli = {.user_id = 0, .login = NULL, .address = "cli"};

static int fx_setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	f->dir = tu_mkdtemp();
	f->db = tu_join(f->dir, "sasae.db");
	sasae_error err = {0};
	if (sasae_store_open(&f->s, f->db, SASAE_STORE_CREATE | SASAE_STORE_IMPORT, &err) != 0) {
		print_error("open %s: %s\n", f->db, err.message);
		return -1;
	}
	size_t len;
	char *text = tu_read_source("data/sendai-2024-draft.txt", &len);
	sasae_dept_table *depts = NULL;
	assert_int_equal(sasae_dept_table_default(&depts, &err), 0);
	sasae_import_options opt = {.slug = SLUG, .depts = depts};
	sasae_import_summary sum;
	if (sasae_import_bytes(f->s, "sendai-2024-draft.txt", text, len, &opt, &sum, &err) != 0) {
		print_error("import: %s\n", err.message);
		return -1;
	}
	free(text);
	sasae_dept_table_free(depts);
	assert_int_equal(sasae_store_resolve(f->s, SLUG, &f->version, &err), 0);
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

static size_t audit_count(sasae_store *s)
{
	sasae_audit_entry *e = NULL;
	size_t n = 0, total = 0;
	sasae_error err = {0};
	assert_int_equal(sasae_audit_list(s, NULL, &e, &n, &total, &err), 0);
	sasae_audit_free(e, n);
	return total;
}

/* Check the newest audit row (before/after NULL: SQL NULL). */
static void expect_last(sasae_store *s, const char *action, const char *target, const char *login,
			const char *before, const char *after)
{
	sasae_audit_entry *e = NULL;
	size_t n = 0, total = 0;
	sasae_error err = {0};
	sasae_audit_filter f = {.limit = 1};
	assert_int_equal(sasae_audit_list(s, &f, &e, &n, &total, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(e->action, action);
	assert_string_equal(e->target, target);
	assert_string_equal(e->login, login);
	if (before)
		assert_string_equal(e->before, before);
	else
		assert_null(e->before);
	if (after)
		assert_string_equal(e->after, after);
	else
		assert_null(e->after);
	sasae_audit_free(e, n);
}

/* The text in force of data file name (malloc'd) and, in *source, whether it is the built-in one. */
static char *file_text(sasae_store *s, const char *name, bool *builtin)
{
	sasae_store_file f;
	sasae_error err = {0};
	assert_int_equal(sasae_office_file_get(s, name, &f, &err), 0);
	*builtin = strcmp(f.source, "built-in") == 0;
	char *t = sasae_strdup(f.text);
	sasae_store_file_clear(&f);
	return t;
}

/* ---- lint triage ---- */

static void test_triage(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	const sasae_actor office = {.user_id = 1, .login = "sato", .address = "192.0.2.7"};
	size_t n0 = audit_count(f->s);
	/* refused: nothing stored, no row */
	assert_int_equal(sasae_triage_set(f->s, &office, SLUG, "relist-drift\t2-2-9", SASAE_TRIAGE_ACCEPTED,
					  "", &err),
			 SASAE_EUSAGE);
	assert_non_null(strstr(err.message, "理由"));
	assert_int_equal(sasae_triage_set(f->s, &office, SLUG, "relist-drift\t2-2-9", SASAE_TRIAGE_ACCEPTED,
					  "　 ", &err),
			 SASAE_EUSAGE);
	assert_int_equal(sasae_triage_set(f->s, &office, SLUG, "no-such-kind\t2-2-9", SASAE_TRIAGE_CHECKED,
					  "", &err),
			 SASAE_EUSAGE);
	assert_non_null(strstr(err.message, "no-such-kind")); /* the accept list's own message */
	assert_int_equal(sasae_triage_set(f->s, &office, SLUG, "relist-drift\t2-x-9", SASAE_TRIAGE_CHECKED,
					  "", &err),
			 SASAE_EUSAGE);
	assert_int_equal(sasae_triage_set(f->s, &office, SLUG, "relist-drift\t2-2-9\tcomment",
					  SASAE_TRIAGE_CHECKED, "", &err),
			 SASAE_EUSAGE);
	assert_int_equal(sasae_triage_set(f->s, &office, SLUG, "relist-drift\t2-2-9\nnumbering\t1-1-1",
					  SASAE_TRIAGE_CHECKED, "", &err),
			 SASAE_EUSAGE);
	char longreason[1100 * 3 + 1];
	for (int i = 0; i < 1001; i++)
		memcpy(longreason + 3 * i, "理", 3);
	longreason[1001 * 3] = '\0';
	assert_int_equal(sasae_triage_set(f->s, &office, SLUG, "relist-drift\t2-2-9", SASAE_TRIAGE_ACCEPTED,
					  longreason, &err),
			 SASAE_EUSAGE);
	assert_non_null(strstr(err.message, "1000"));
	assert_int_equal(sasae_triage_set(f->s, &office, "nosuch-plan", "relist-drift\t2-2-9",
					  SASAE_TRIAGE_CHECKED, "", &err),
			 SASAE_ENOTFOUND);
	assert_int_equal(audit_count(f->s), n0);
	sasae_triage *t = NULL;
	size_t n = 0;
	assert_int_equal(sasae_triage_list(f->s, SLUG, &t, &n, &err), 0);
	assert_int_equal(n, 0);
	sasae_triages_free(t, n);

	/* checked (the key written with spaces, as an accept file may: stored with a TAB) */
	assert_int_equal(sasae_triage_set(f->s, &office, SLUG, "relist-drift 2-2-9", SASAE_TRIAGE_CHECKED, "",
					  &err),
			 0);
	expect_last(f->s, "lint.triage", "plan:" SLUG, "sato",
		    "{\"finding\":\"relist-drift\\t2-2-9\",\"state\":\"open\",\"reason\":\"\"}",
		    "{\"finding\":\"relist-drift\\t2-2-9\",\"state\":\"checked\",\"reason\":\"\"}");
	/* the same again: no change, no row */
	assert_int_equal(sasae_triage_set(f->s, &office, SLUG, "relist-drift\t2-2-9", SASAE_TRIAGE_CHECKED,
					  "", &err),
			 0);
	assert_int_equal(audit_count(f->s), n0 + 1);
	assert_int_equal(sasae_triage_set(f->s, &office, SLUG, "relist-drift\t2-2-9", SASAE_TRIAGE_ACCEPTED,
					  "区の事情で違う", &err),
			 0);
	expect_last(f->s, "lint.triage", "plan:" SLUG, "sato",
		    "{\"finding\":\"relist-drift\\t2-2-9\",\"state\":\"checked\",\"reason\":\"\"}",
		    "{\"finding\":\"relist-drift\\t2-2-9\",\"state\":\"accepted\",\"reason\":\"区の事情で違う\"}");
	assert_int_equal(sasae_triage_set(f->s, &cli, SLUG, "numbering\t1-1-0", SASAE_TRIAGE_CHECKED,
					  "次の版で直す", &err),
			 0);
	assert_int_equal(sasae_triage_list(f->s, SLUG, &t, &n, &err), 0);
	assert_int_equal(n, 2); /* ordered by finding */
	assert_string_equal(t[0].finding, "numbering\t1-1-0");
	assert_int_equal(t[0].state, SASAE_TRIAGE_CHECKED);
	assert_string_equal(t[0].login, ""); /* the operator */
	assert_string_equal(t[1].finding, "relist-drift\t2-2-9");
	assert_int_equal(t[1].state, SASAE_TRIAGE_ACCEPTED);
	assert_string_equal(t[1].reason, "区の事情で違う");
	assert_string_equal(t[1].login, "sato");
	assert_int_equal(strlen(t[1].at), 24);
	sasae_triages_free(t, n);
	/* open removes the decision */
	assert_int_equal(sasae_triage_set(f->s, &office, SLUG, "relist-drift\t2-2-9", SASAE_TRIAGE_OPEN, NULL,
					  &err),
			 0);
	expect_last(f->s, "lint.triage", "plan:" SLUG, "sato",
		    "{\"finding\":\"relist-drift\\t2-2-9\",\"state\":\"accepted\",\"reason\":\"区の事情で違う\"}",
		    "{\"finding\":\"relist-drift\\t2-2-9\",\"state\":\"open\",\"reason\":\"\"}");
	assert_int_equal(sasae_triage_set(f->s, &office, SLUG, "relist-drift\t2-2-9", SASAE_TRIAGE_OPEN, NULL,
					  &err),
			 0);
	assert_int_equal(audit_count(f->s), n0 + 4);
	assert_int_equal(sasae_triage_list(f->s, SLUG, &t, &n, &err), 0);
	assert_int_equal(n, 1);
	sasae_triages_free(t, n);
	assert_int_equal(sasae_triage_list(f->s, "nosuch-plan", &t, &n, &err), SASAE_ENOTFOUND);
}

/* ---- the public version ---- */

static void test_public_version(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	int v = -1;
	assert_int_equal(sasae_plan_public_get(f->s, SLUG, &v, &err), 0);
	assert_int_equal(v, 0);
	size_t n0 = audit_count(f->s);
	assert_int_equal(sasae_plan_public_set(f->s, &cli, SLUG, 2, &err), SASAE_ENOTFOUND); /* one version only */
	assert_non_null(strstr(err.message, "第2版"));
	assert_int_equal(sasae_plan_public_set(f->s, &cli, "nosuch", 1, &err), SASAE_ENOTFOUND);
	assert_int_equal(sasae_plan_public_set(f->s, &cli, SLUG, -1, &err), SASAE_EUSAGE);
	assert_int_equal(audit_count(f->s), n0);
	assert_int_equal(sasae_plan_public_set(f->s, &cli, SLUG, 1, &err), 0);
	expect_last(f->s, "plan.publish", "plan:" SLUG, "", "{\"version\":null}", "{\"version\":1}");
	assert_int_equal(sasae_plan_public_get(f->s, SLUG, &v, &err), 0);
	assert_int_equal(v, 1);
	assert_int_equal(sasae_plan_public_set(f->s, &cli, SLUG, 1, &err), 0); /* no change, no row */
	assert_int_equal(audit_count(f->s), n0 + 1);
	assert_int_equal(sasae_plan_public_set(f->s, &cli, SLUG, 0, &err), 0); /* back to the latest */
	expect_last(f->s, "plan.publish", "plan:" SLUG, "", "{\"version\":1}", "{\"version\":null}");
	assert_int_equal(sasae_plan_public_get(f->s, SLUG, &v, &err), 0);
	assert_int_equal(v, 0);
	assert_int_equal(sasae_plan_public_get(f->s, "nosuch", &v, &err), SASAE_ENOTFOUND);
}

/* ---- part titles ---- */

static const char *part_title(sasae_store *s, int64_t version, int part, char *buf, size_t n)
{
	sasae_plan *plan = NULL;
	sasae_error err = {0};
	assert_int_equal(sasae_store_load_plan(s, version, &plan, &err), 0);
	const char *t = plan->parts[part - 1].title;
	snprintf(buf, n, "%s", t ? t : "(null)");
	sasae_plan_free(plan);
	return buf;
}

static void test_part_title(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	char buf[256];
	assert_string_equal(part_title(f->s, f->version, 1, buf, sizeof buf),
			    "(null)"); /* imported without outline */
	size_t n0 = audit_count(f->s);
	assert_int_equal(sasae_part_title_set(f->s, &cli, f->version, 1, "基本目標1\n改行", &err),
			 SASAE_EUSAGE);
	assert_int_equal(sasae_part_title_set(f->s, &cli, f->version, 1, "基本目標1\t共生", &err),
			 SASAE_EUSAGE);
	assert_int_equal(sasae_part_title_set(f->s, &cli, f->version, 7, "第7部", &err),
			 SASAE_ENOTFOUND); /* 6 parts */
	assert_int_equal(sasae_part_title_set(f->s, &cli, f->version, 0, "第0部", &err), SASAE_EUSAGE);
	assert_int_equal(sasae_part_title_set(f->s, &cli, f->version + 100, 1, "x", &err), SASAE_ENOTFOUND);
	assert_int_equal(audit_count(f->s), n0);
	/* trimmed as an outline line is */
	assert_int_equal(sasae_part_title_set(f->s, &cli, f->version, 1, "  基本目標1 共生の地域づくり　", &err),
			 0);
	expect_last(f->s, "plan.part-title", "plan:" SLUG "@1", "", "{\"part\":1,\"title\":null}",
		    "{\"part\":1,\"title\":\"基本目標1 共生の地域づくり\"}");
	assert_string_equal(part_title(f->s, f->version, 1, buf, sizeof buf), "基本目標1 共生の地域づくり");
	assert_int_equal(sasae_part_title_set(f->s, &cli, f->version, 1, "基本目標1 共生の地域づくり", &err),
			 0);
	assert_int_equal(audit_count(f->s), n0 + 1);
	assert_int_equal(sasae_part_title_set(f->s, &cli, f->version, 1, "", &err), 0);
	expect_last(f->s, "plan.part-title", "plan:" SLUG "@1", "",
		    "{\"part\":1,\"title\":\"基本目標1 共生の地域づくり\"}", "{\"part\":1,\"title\":null}");
	assert_string_equal(part_title(f->s, f->version, 1, buf, sizeof buf), "(null)");
	/* the audit filter finds a version's rows under the plan's target */
	sasae_audit_filter flt = {.target = "plan:" SLUG};
	sasae_audit_entry *e = NULL;
	size_t n = 0, total = 0;
	assert_int_equal(sasae_audit_list(f->s, &flt, &e, &n, &total, &err), 0);
	assert_int_equal(total, 3); /* the version's import and the two title changes */
	assert_string_equal(e[n - 1].action, "plan.import");
	assert_string_equal(e[n - 1].target, "plan:" SLUG "@1");
	sasae_audit_free(e, n);
	flt.action = "plan.part-title";
	assert_int_equal(sasae_audit_list(f->s, &flt, &e, &n, &total, &err), 0);
	assert_int_equal(total, 2);
	sasae_audit_free(e, n);
}

/* ---- the office's data files ---- */

static void test_files(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	bool builtin;
	char *orig = file_text(f->s, "departments.tsv", &builtin);
	assert_true(builtin);
	assert_non_null(strstr(orig, "健康福祉局"));
	size_t n0 = audit_count(f->s);

	/* a bad table: the loader's message with the file and line, nothing stored, no row */
	assert_int_equal(sasae_office_file_set(f->s, &cli, "departments.tsv", "# 部署\n市民局\n\t市民の局\n",
					       &err),
			 SASAE_EDATA);
	assert_string_equal(err.file, "departments.tsv");
	assert_int_equal(err.line, 3);
	assert_int_equal(sasae_office_file_set(f->s, &cli, "departments.tsv", "市民局\n\xff\n", &err),
			 SASAE_EDATA);
	assert_int_equal(err.line, 2);
	assert_int_equal(sasae_office_file_set(f->s, &cli, "other.tsv", "x\n", &err), SASAE_EUSAGE);
	/* a finder file is checked with the whole set (an unknown tag in a rule) */
	assert_int_equal(sasae_office_file_set(f->s, &cli, "tag-rules.tsv",
					       "# 規則\nneed:nosuch\tname\t相談\n", &err),
			 SASAE_EDATA);
	assert_string_equal(err.file, "tag-rules.tsv");
	assert_int_equal(err.line, 2);
	assert_int_equal(audit_count(f->s), n0);
	free(file_text(f->s, "departments.tsv", &builtin));
	assert_true(builtin);

	/* a good table: stored, used for the grants' check, audited once even when set twice */
	sasae_buf t = SASAE_BUF_INIT;
	sasae_buf_puts(&t, orig);
	sasae_buf_puts(&t, "テスト推進室\tテスト室\n");
	assert_int_equal(sasae_office_file_set(f->s, &cli, "departments.tsv", sasae_buf_cstr(&t), &err), 0);
	assert_int_equal(sasae_office_file_set(f->s, &cli, "departments.tsv", sasae_buf_cstr(&t), &err), 0);
	assert_int_equal(audit_count(f->s), n0 + 1);
	sasae_audit_entry *e = NULL;
	size_t n = 0, total = 0;
	sasae_audit_filter flt = {.limit = 1};
	assert_int_equal(sasae_audit_list(f->s, &flt, &e, &n, &total, &err), 0);
	assert_string_equal(e->action, "file.set");
	assert_string_equal(e->target, "file:departments.tsv");
	assert_non_null(strstr(e->after, "テスト推進室"));
	assert_null(strstr(e->before, "テスト推進室"));
	sasae_audit_free(e, n);
	char *now = file_text(f->s, "departments.tsv", &builtin);
	assert_false(builtin);
	assert_string_equal(now, sasae_buf_cstr(&t));
	free(now);
	sasae_dept_table *d = NULL;
	assert_int_equal(sasae_office_departments(f->s, &d, &err), 0);
	assert_string_equal(sasae_dept_table_canonical(d, "テスト室"), "テスト推進室");
	sasae_dept_table_free(d);
	sasae_actor actor = cli;
	assert_int_equal(sasae_user_add(f->s, &actor, "tanaka", "", "correct horse battery staple", &err), 0);
	assert_int_equal(sasae_user_role(f->s, &cli, "tanaka", true, SASAE_ROLE_EDITOR, "テスト推進室", &err),
			 0);
	assert_int_equal(sasae_user_role(f->s, &cli, "tanaka", true, SASAE_ROLE_EDITOR, "テスト室", &err),
			 SASAE_EUSAGE);
	assert_non_null(strstr(err.message, "テスト推進室"));

	/* back to the built-in one; again: no change */
	size_t n1 = audit_count(f->s);
	assert_int_equal(sasae_office_file_set(f->s, &cli, "departments.tsv", NULL, &err), 0);
	assert_int_equal(sasae_audit_list(f->s, &flt, &e, &n, &total, &err), 0);
	assert_string_equal(e->action, "file.reset");
	assert_string_equal(e->target, "file:departments.tsv");
	assert_non_null(strstr(e->before, "テスト推進室"));
	assert_null(strstr(e->after, "テスト推進室"));
	assert_non_null(strstr(e->after, "健康福祉局"));
	sasae_audit_free(e, n);
	assert_int_equal(sasae_office_file_set(f->s, &cli, "departments.tsv", NULL, &err), 0);
	assert_int_equal(audit_count(f->s), n1 + 1);
	free(file_text(f->s, "departments.tsv", &builtin));
	assert_true(builtin);
	sasae_buf_free(&t);
	free(orig);
}

/* ---- the department scope ---- */

/* A user with grants (not stored: the scope rule looks only at the grants it is given). */
static sasae_user person(sasae_grant *g, size_t n)
{
	static char login[] = "x", name[] = "";
	return (sasae_user){.id = 9, .login = login, .display_name = name, .grants = g, .ngrants = n};
}

static void test_program_scope(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	sasae_grant office_g = {SASAE_ROLE_OFFICE, NULL};
	char d_kenko[] = "健康福祉局", d_kyoiku[] = "教育局", d_shimin[] = "市民局";
	sasae_grant kenko = {SASAE_ROLE_EDITOR, d_kenko};
	sasae_grant kyoiku = {SASAE_ROLE_EDITOR, d_kyoiku};
	sasae_grant shimin = {SASAE_ROLE_EDITOR, d_shimin};
	sasae_grant kenko_approver = {SASAE_ROLE_APPROVER, d_kenko};
	sasae_grant admin = {SASAE_ROLE_ADMIN, NULL};
	sasae_user u_office = person(&office_g, 1), u_kenko = person(&kenko, 1),
		   u_kyoiku = person(&kyoiku, 1), u_shimin = person(&shimin, 1),
		   u_approver = person(&kenko_approver, 1), u_admin = person(&admin, 1);
	static const struct {
		int user; /* index into users below, -1: the operator */
		const char *program;
		int rc;
	} cases[] = {
		{-1, "p0009", 0},
		{0, "p0009", 0},
		{1, "p0009", 0},                /* 健康福祉局's editor, 健康福祉局's program */
		{3, "p0009", SASAE_EFORBIDDEN}, /* 市民局's editor */
		{4, "p0009", SASAE_EFORBIDDEN}, /* an approver is not an editor */
		{5, "p0009", SASAE_EFORBIDDEN}, /* nor is an admin */
		{2, "p0012", 0},                /* 教育局 is the second department of p0012 */
		{1, "p0012", SASAE_EFORBIDDEN},
		{3, "p0001", 0},
		{1, "p0001", SASAE_EFORBIDDEN},
		{0, "p9999", SASAE_ENOTFOUND},
		{-1, "p9999", SASAE_ENOTFOUND},
	};
	const sasae_user *users[] = {&u_office, &u_kenko, &u_kyoiku, &u_shimin, &u_approver, &u_admin};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const sasae_user *u = cases[i].user < 0 ? NULL : users[cases[i].user];
		int rc = sasae_program_may_edit(f->s, u, f->version, cases[i].program, &err);
		if (rc != cases[i].rc)
			fail_msg("case %zu: %d, want %d (%s)", i, rc, cases[i].rc, err.message);
	}
	assert_int_equal(sasae_program_may_edit(f->s, &u_shimin, f->version, "p0009", &err), SASAE_EFORBIDDEN);
	assert_non_null(strstr(err.message, "健康福祉局"));

	/* setting tags: forbidden for another department's editor, nothing changes */
	bool builtin;
	char *before = file_text(f->s, "tag-overrides.tsv", &builtin);
	size_t n0 = audit_count(f->s);
	const sasae_actor a_shimin = {.user_id = 9, .login = "shimin", .address = "192.0.2.9"};
	assert_int_equal(sasae_program_tags_set(f->s, &a_shimin, &u_shimin, f->version, "p0009",
						"+need:consultation", "相談もあるため", &err),
			 SASAE_EFORBIDDEN);
	assert_int_equal(sasae_program_tags_set(f->s, &cli, NULL, f->version, "p9999", "+need:consultation",
						"", &err),
			 SASAE_ENOTFOUND);
	/* a tag the vocabulary does not have: the finder's check of the set names the line */
	assert_int_equal(sasae_program_tags_set(f->s, &cli, &u_office, f->version, "p0009", "+need:nosuch",
						"", &err),
			 SASAE_EDATA);
	assert_string_equal(err.file, "tag-overrides.tsv");
	assert_true(err.line > 0);
	assert_int_equal(sasae_program_tags_set(f->s, &cli, &u_office, f->version, "p0009", "+need:x\t-who:y",
						"", &err),
			 SASAE_EUSAGE);
	assert_int_equal(audit_count(f->s), n0);
	char *same = file_text(f->s, "tag-overrides.tsv", &builtin);
	assert_true(builtin);
	assert_string_equal(same, before);
	free(same);

	/* 健康福祉局's editor sets p0009's line: appended, audited, the finder sees it */
	const sasae_actor a_kenko = {.user_id = 10, .login = "kenko", .address = "192.0.2.10"};
	assert_int_equal(sasae_program_tags_set(f->s, &a_kenko, &u_kenko, f->version, "p0009",
						" +need:consultation ", "個別相談に応じるため", &err),
			 0);
	expect_last(f->s, "program.tags", "program:p0009", "kenko", NULL,
		    "{\"changes\":\"+need:consultation\",\"reason\":\"個別相談に応じるため\"}");
	char *after = file_text(f->s, "tag-overrides.tsv", &builtin);
	assert_false(builtin);
	assert_int_equal(strncmp(after, before, strlen(before)), 0); /* every other line kept */
	assert_string_equal(after + strlen(before),
			    "障害者差別解消の推進\t+need:consultation\t個別相談に応じるため\n");
	free(after);
	sasae_tag_data *data = NULL;
	assert_int_equal(sasae_finder_data_load(&data, f->s, NULL, &err), 0);
	size_t nrules, noverrides, nwords;
	sasae_tag_data_counts(data, &nrules, &noverrides, &nwords);
	sasae_tag_data_free(data);
	/* the same again: no change, no row; a new reason: one row, the line replaced in place */
	assert_int_equal(sasae_program_tags_set(f->s, &a_kenko, &u_kenko, f->version, "p0009",
						"+need:consultation", "個別相談に応じるため", &err),
			 0);
	assert_int_equal(audit_count(f->s), n0 + 1);
	assert_int_equal(sasae_program_tags_set(f->s, &cli, NULL, f->version, "p0009", "+need:consultation",
						"理由を改めた", &err),
			 0);
	expect_last(f->s, "program.tags", "program:p0009", "",
		    "{\"changes\":\"+need:consultation\",\"reason\":\"個別相談に応じるため\"}",
		    "{\"changes\":\"+need:consultation\",\"reason\":\"理由を改めた\"}");
	/* "" removes it: the file is the built-in text again (as stored) */
	assert_int_equal(sasae_program_tags_set(f->s, &cli, NULL, f->version, "p0009", "", "", &err), 0);
	expect_last(f->s, "program.tags", "program:p0009", "",
		    "{\"changes\":\"+need:consultation\",\"reason\":\"理由を改めた\"}", NULL);
	after = file_text(f->s, "tag-overrides.tsv", &builtin);
	assert_string_equal(after, before);
	free(after);
	assert_int_equal(sasae_program_tags_set(f->s, &cli, NULL, f->version, "p0009", "", "", &err), 0);
	assert_int_equal(audit_count(f->s), n0 + 3);
	sasae_tag_data *data2 = NULL;
	assert_int_equal(sasae_finder_data_load(&data2, f->s, NULL, &err), 0);
	size_t noverrides2;
	sasae_tag_data_counts(data2, &nrules, &noverrides2, &nwords);
	sasae_tag_data_free(data2);
	assert_int_equal(noverrides2 + 1, noverrides);
	free(before);
}

/* A program with two lines in the built-in tag-overrides.tsv: one line replaces both. */
static void test_program_tags_two_lines(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	sasae_plan *plan = NULL;
	assert_int_equal(sasae_store_load_plan(f->s, f->version, &plan, &err), 0);
	const char *id = NULL;
	for (size_t i = 0; i < plan->nprograms && id == NULL; i++)
		if (strcmp(plan->programs[i].name, "こころの悩みに関する相談") == 0)
			id = plan->programs[i].id;
	assert_non_null(id);
	char pid[32];
	snprintf(pid, sizeof pid, "%s", id);
	sasae_plan_free(plan);
	assert_int_equal(sasae_program_tags_set(f->s, &cli, NULL, f->version, pid, "+who:suicide +who:carers",
						"相談先として", &err),
			 0);
	char target[64];
	snprintf(target, sizeof target, "program:%s", pid);
	sasae_audit_entry *e = NULL;
	size_t n = 0, total = 0;
	sasae_audit_filter flt = {.target = target};
	assert_int_equal(sasae_audit_list(f->s, &flt, &e, &n, &total, &err), 0);
	assert_int_equal(n, 1);
	assert_non_null(strstr(e->before, "\"changes\":\"+who:suicide +who:carers\""));
	sasae_audit_free(e, n);
	bool builtin;
	char *text = file_text(f->s, "tag-overrides.tsv", &builtin);
	const char *line = "こころの悩みに関する相談\t+who:suicide +who:carers\t相談先として\n";
	char *at = strstr(text, line);
	assert_non_null(at);
	assert_null(strstr(at + 1, "こころの悩みに関する相談"));            /* one line now */
	assert_null(strstr(text, "こころの悩みに関する相談\t+who:carers")); /* the second one is gone */
	free(text);
}

/* ---- comments ---- */

static void test_comments(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	assert_int_equal(sasae_user_add(f->s, &cli, "ono", "審議会 小野", "correct horse battery staple", &err),
			 0);
	const sasae_actor ono = {.user_id = 1, .login = "ono", .address = "192.0.2.3"};
	size_t n0 = audit_count(f->s);
	char big[4001 * 3 + 1];
	for (int i = 0; i < 4001; i++)
		memcpy(big + 3 * i, "あ", 3);
	big[4001 * 3] = '\0';
	assert_int_equal(sasae_comment_add(f->s, &ono, "program:p0012", big, &err), SASAE_EUSAGE);
	big[4000 * 3] = '\0'; /* 4000 characters: allowed */
	assert_int_equal(sasae_comment_add(f->s, &ono, "program:p0012", "", &err), SASAE_EUSAGE);
	assert_int_equal(sasae_comment_add(f->s, &ono, "program:p0012", " \n　", &err), SASAE_EUSAGE);
	assert_int_equal(sasae_comment_add(f->s, &ono, "program:p0012", "bad \x01 control", &err),
			 SASAE_EUSAGE);
	assert_int_equal(sasae_comment_add(f->s, &ono, "user:tanaka", "x", &err), SASAE_EUSAGE);
	assert_int_equal(sasae_comment_add(f->s, &ono, "program:", "x", &err), SASAE_EUSAGE);
	assert_int_equal(audit_count(f->s), n0);
	assert_int_equal(sasae_comment_add(f->s, &ono, "program:p0012", "学校との連携を\n確認したい", &err), 0);
	expect_last(f->s, "comment.add", "program:p0012", "ono", NULL,
		    "{\"id\":1,\"text\":\"学校との連携を\\n確認したい\"}");
	assert_int_equal(sasae_comment_add(f->s, &cli, "finding:relist-drift\t2-2-9", "確認済み", &err), 0);
	assert_int_equal(sasae_comment_add(f->s, &ono, "program:p0012", big, &err), 0);
	assert_int_equal(audit_count(f->s), n0 + 3);
	sasae_comment *c = NULL;
	size_t n = 0;
	assert_int_equal(sasae_comment_list(f->s, "program:p0012", &c, &n, &err), 0);
	assert_int_equal(n, 2); /* oldest first */
	assert_string_equal(c[0].text, "学校との連携を\n確認したい");
	assert_string_equal(c[0].login, "ono");
	assert_string_equal(c[0].display_name, "審議会 小野");
	assert_int_equal(strlen(c[0].at), 24);
	assert_int_equal(strlen(c[1].text), 4000 * 3);
	sasae_comments_free(c, n);
	assert_int_equal(sasae_comment_list(f->s, NULL, &c, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(c[1].target, "finding:relist-drift\t2-2-9");
	assert_string_equal(c[1].login, "");
	assert_string_equal(c[1].display_name, "");
	sasae_comments_free(c, n);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_triage),        T(test_public_version),         T(test_part_title), T(test_files),
		T(test_program_scope), T(test_program_tags_two_lines), T(test_comments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
