/*
 * test_progress.c — unit tests of yearly progress management (include/core/sasae/progress.h) over a
 * real SQLite file holding the bundled plan (data/sendai-2024-draft.txt, 174 programs).
 *
 * Expected figures are read from the document, not from the program:
 *   p0001 多様な性のあり方についての理解促進、性的少数者への支援  市民局      sections 1-1, 1-2 (line 36 【再掲】)
 *   p0002 DV や性暴力の防止と被害者支援に向けた取り組み           市民局      sections 1-1, 3-2, 6-4
 *   p0009 障害者差別解消の推進                                    健康福祉局  section 1-1 only
 *   p0012 いじめ防止等対策推進事業                                子供未来局 教育局
 * Sections 1-1, 1-2, 3-2 and 6-4 list 20, 12, 15 and 5 programs (tests/data/sendai-expected.json).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include "sasae/accounts.h"
#include "sasae/buf.h"
#include "sasae/departments.h"
#include "sasae/import.h"
#include "sasae/progress.h"
#include "sasae/store.h"
#include "test_util.h"

#define SLUG "sendai-2024-draft"

typedef struct fixture {
	char *dir;
	char *db;
	sasae_store *s;
	int64_t version;
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

static void expect_last(sasae_store *s, const char *action, const char *target, const char *login,
			const char *before, const char *after)
{
	sasae_audit_entry *e = NULL;
	size_t n = 0, total = 0;
	sasae_error err = {0};
	sasae_audit_filter fl = {.limit = 1};
	assert_int_equal(sasae_audit_list(s, &fl, &e, &n, &total, &err), 0);
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

static sasae_user person(sasae_grant *g, size_t n, const char *login)
{
	static char name[] = "";
	return (sasae_user){.id = 9,
			    .login = (char *)(uintptr_t)login,
			    .display_name = name,
			    .grants = g,
			    .ngrants = n};
}

static char d_kenko[] = "健康福祉局", d_shimin[] = "市民局";

/* ---- the state machine: every action × state × role ---- */

static void test_may_matrix(void **state)
{
	(void)state;
	sasae_grant g_office = {SASAE_ROLE_OFFICE, NULL}, g_admin = {SASAE_ROLE_ADMIN, NULL},
		    g_council = {SASAE_ROLE_COUNCIL, NULL}, g_ed = {SASAE_ROLE_EDITOR, d_kenko},
		    g_ed_other = {SASAE_ROLE_EDITOR, d_shimin}, g_ap = {SASAE_ROLE_APPROVER, d_kenko},
		    g_ap_other = {SASAE_ROLE_APPROVER, d_shimin};
	sasae_user u_office = person(&g_office, 1, "o"), u_admin = person(&g_admin, 1, "a"),
		   u_council = person(&g_council, 1, "c"), u_ed = person(&g_ed, 1, "e"),
		   u_ed_other = person(&g_ed_other, 1, "e2"), u_ap = person(&g_ap, 1, "p"),
		   u_ap_other = person(&g_ap_other, 1, "p2");
	/* per role, per action (edit submit return approve accept confirm publish), one character per
	   state (draft submitted returned approved accepted confirmed published): 1 allowed — the rule of
	   docs/progress.md written out by hand */
	static const struct {
		int user;
		const char *allowed[7];
	} cases[] = {
		{-1, {"1111110", "1010000", "0101100", "0100000", "0001000", "0000100", "0000010"}}, /* operator */
		{0, {"1111110", "1010000", "0101100", "0000000", "0001000", "0000100", "0000010"}}, /* office */
		{1, {"1010000", "1010000", "0000000", "0000000", "0000000", "0000000", "0000000"}}, /* editor */
		{2, {"0000000", "0000000", "0000000", "0000000", "0000000", "0000000", "0000000"}}, /* other ed */
		{3, {"0000000", "0000000", "0100000", "0100000", "0000000", "0000000", "0000000"}}, /* approver */
		{4, {"0000000", "0000000", "0000000", "0000000", "0000000", "0000000", "0000000"}}, /* other ap */
		{5, {"0000000", "0000000", "0000000", "0000000", "0000000", "0000000", "0000000"}}, /* admin */
		{6, {"0000000", "0000000", "0000000", "0000000", "0000000", "0000000", "0000000"}}, /* council */
	};
	const sasae_user *users[] = {&u_office, &u_ed, &u_ed_other, &u_ap, &u_ap_other, &u_admin, &u_council};
	const char *depts[] = {"健康福祉局", "市社会福祉協議会"};
	/* where an action applies at all, by hand: edit all but published; submit from draft/returned;
	   return from submitted/approved/accepted; then one state each */
	static const char *const applies[7] = {"1111110", "1010000", "0101100", "0100000",
					       "0001000", "0000100", "0000010"};
	size_t checked = 0;
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		const sasae_user *u = cases[c].user < 0 ? NULL : users[cases[c].user];
		for (int a = 0; a < SASAE_PROGRESS_NACTIONS; a++)
			for (int st = 0; st < SASAE_PROGRESS_NSTATES; st++) {
				sasae_error err = {0};
				bool want = cases[c].allowed[a][st] == '1';
				bool got = sasae_progress_may(u, (sasae_progress_action)a,
							      (sasae_progress_state)st, depts, 2, &err);
				if (got != want)
					fail_msg("role %d action %s state %s: %d, want %d (%s)",
						 cases[c].user, sasae_progress_action_name(a),
						 sasae_progress_state_name(st), got, want, err.message);
				if (!got)
					assert_int_equal(err.code, applies[a][st] == '1' ? SASAE_EFORBIDDEN
											 : SASAE_ECONFLICT);
				checked++;
			}
	}
	assert_int_equal(checked, 8 * 7 * 7);
	/* the next states, by hand */
	assert_int_equal(sasae_progress_next(SASAE_PROGRESS_SUBMIT, SASAE_PROGRESS_RETURNED),
			 SASAE_PROGRESS_SUBMITTED);
	assert_int_equal(sasae_progress_next(SASAE_PROGRESS_RETURN, SASAE_PROGRESS_ACCEPTED),
			 SASAE_PROGRESS_RETURNED);
	assert_int_equal(sasae_progress_next(SASAE_PROGRESS_PUBLISH, SASAE_PROGRESS_CONFIRMED),
			 SASAE_PROGRESS_PUBLISHED);
	assert_int_equal(sasae_progress_next(SASAE_PROGRESS_CONFIRM, SASAE_PROGRESS_APPROVED), -1);
}

/* ---- configuration ---- */

static void test_config(void **state)
{
	(void)state;
	sasae_error err = {0};
	assert_int_equal(sasae_progress_config_check(sasae_progress_config_default(), &err), 0);
	static const struct {
		const char *config, *needle;
	} bad[] = {
		{"{", "JSON"},
		{"{\"grades\":[{\"code\":\"A\",\"label\":\"x\"}],\"fields\":[]}", "grades"},
		{"{\"grades\":[{\"code\":\"A\",\"label\":\"x\"},{\"code\":\"A\",\"label\":\"y\"}],"
		 "\"fields\":[{\"key\":\"a\",\"label\":\"a\",\"type\":\"text\"}]}",
		 "同じ"},
		{"{\"grades\":[{\"code\":\"A\",\"label\":\"x\"},{\"code\":\"B\",\"label\":\"y\"}],"
		 "\"fields\":[{\"key\":\"a\",\"label\":\"a\",\"type\":\"date\"}]}",
		 "type"},
		{"{\"grades\":[{\"code\":\"A\",\"label\":\"x\"},{\"code\":\"B\",\"label\":\"y\"}],"
		 "\"fields\":[{\"key\":\"a\",\"label\":\"a\",\"type\":\"choice\"}]}",
		 "options"},
		{"{\"grades\":[{\"code\":\"A\",\"label\":\"x\"},{\"code\":\"B\",\"label\":\"y\"}],"
		 "\"fields\":[{\"key\":\"A-1\",\"label\":\"a\",\"type\":\"text\"}]}",
		 "key"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(sasae_progress_config_check(bad[i].config, &err), SASAE_EUSAGE);
		if (!strstr(err.message, bad[i].needle))
			fail_msg("case %zu: %s", i, err.message);
	}
}

/* ---- opening a year and carrying forward ---- */

static void sheet_data(sasae_store *s, int year, const char *program, char **data, sasae_progress_state *st)
{
	sasae_progress_sheet sh;
	sasae_error err = {0};
	assert_int_equal(sasae_progress_sheet_get(s, year, program, &sh, &err), 0);
	*data = strdup(sh.data);
	if (st)
		*st = sh.state;
	sasae_progress_sheet_clear(&sh);
}

static void save_ok(sasae_store *s, const sasae_actor *who, const sasae_user *u, int year,
		    const char *program, const char *values)
{
	sasae_progress_problem *p = NULL;
	size_t np = 0;
	sasae_error err = {0};
	int rc = sasae_progress_sheet_save(s, who, u, year, program, values, &p, &np, &err);
	if (rc)
		fail_msg("save %s: %s (%s)", program, err.message, np ? p[0].message : "");
	sasae_progress_problems_free(p, np);
}

static void act(sasae_store *s, const sasae_actor *who, const sasae_user *u, int year, const char *program,
		sasae_progress_action a, const char *comment, int want)
{
	sasae_progress_problem *p = NULL;
	size_t np = 0;
	sasae_error err = {0};
	int rc = sasae_progress_act(s, who, u, year, program, a, comment, &p, &np, &err);
	if (rc != want)
		fail_msg("%s %s: %d, want %d (%s)", sasae_progress_action_name(a), program, rc, want,
			 err.message);
	sasae_progress_problems_free(p, np);
}

static void test_open_and_carry(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	sasae_grant g_ed = {SASAE_ROLE_EDITOR, d_kenko};
	sasae_user u_ed = person(&g_ed, 1, "kenko");
	size_t n0 = audit_count(f->s);
	/* refused: an editor, a bad year, a date that does not exist, a bad configuration */
	assert_int_equal(sasae_progress_open(f->s, &cli, &u_ed, 2024, f->version, "2025-05-31", NULL, &err),
			 SASAE_EFORBIDDEN);
	assert_int_equal(sasae_progress_open(f->s, &cli, NULL, 1999, f->version, "2025-05-31", NULL, &err),
			 SASAE_EUSAGE);
	assert_int_equal(sasae_progress_open(f->s, &cli, NULL, 2024, f->version, "2025-02-29", NULL, &err),
			 SASAE_EUSAGE);
	assert_non_null(strstr(err.message, "提出期限"));
	assert_int_equal(sasae_progress_open(f->s, &cli, NULL, 2024, f->version, "2025-05-31", "{}", &err),
			 SASAE_EUSAGE);
	assert_int_equal(audit_count(f->s), n0);
	sasae_progress_cycle c;
	assert_int_equal(sasae_progress_cycle_get(f->s, 2024, &c, &err), SASAE_ENOTFOUND);

	assert_int_equal(sasae_progress_open(f->s, &cli, NULL, 2024, f->version, "2025-05-31", NULL, &err), 0);
	expect_last(f->s, "progress.open", "progress:2024", "", NULL,
		    "{\"year\":2024,\"version\":\"sendai-2024-draft@1\",\"deadline\":\"2025-05-31\","
		    "\"sheets\":174,\"carried\":0}");
	assert_int_equal(sasae_progress_open(f->s, &cli, NULL, 2024, f->version, "2025-06-30", NULL, &err),
			 SASAE_ECONFLICT);
	assert_int_equal(audit_count(f->s), n0 + 1);
	sasae_progress_sheet *sh = NULL;
	size_t n = 0;
	assert_int_equal(sasae_progress_sheets(f->s, 2024, &sh, &n, &err), 0);
	assert_int_equal(n, 174);
	assert_string_equal(sh[8].program, "p0009");
	assert_string_equal(sh[8].name, "障害者差別解消の推進");
	assert_int_equal(sh[8].ndepartments, 1);
	assert_string_equal(sh[8].departments[0], "健康福祉局");
	assert_int_equal(sh[8].state, SASAE_PROGRESS_DRAFT);
	assert_string_equal(sh[8].data, "{}");
	sasae_progress_sheets_free(sh, n);

	/* last year's improvement plan carried into next year's sheet, for that program only */
	const sasae_actor a_ed = {.user_id = 3, .login = "kenko", .address = "192.0.2.3"};
	save_ok(f->s, &a_ed, &u_ed, 2024, "p0009", "{\"improvement\":\"相談窓口を区役所にも設ける\"}");
	assert_int_equal(sasae_progress_open(f->s, &cli, NULL, 2025, f->version, "2026-05-29", NULL, &err), 0);
	expect_last(f->s, "progress.open", "progress:2025", "", NULL,
		    "{\"year\":2025,\"version\":\"sendai-2024-draft@1\",\"deadline\":\"2026-05-29\","
		    "\"sheets\":174,\"carried\":1}");
	char *d;
	sheet_data(f->s, 2025, "p0009", &d, NULL);
	assert_string_equal(d, "{\"previous_improvement\":\"相談窓口を区役所にも設ける\"}");
	free(d);
	sheet_data(f->s, 2025, "p0001", &d, NULL);
	assert_string_equal(d, "{}");
	free(d);
	sasae_progress_cycle *cs = NULL;
	assert_int_equal(sasae_progress_cycle_list(f->s, &cs, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(cs[0].year, 2025);
	assert_string_equal(cs[1].deadline, "2025-05-31");
	sasae_progress_cycles_free(cs, n);
}

/* ---- saving values and the workflow ---- */

static const char COMPLETE[] =
	"{\"status\":\"研修を 3 回開いた\",\"grade\":\"B\",\"grade_reason\":\"参加者が目標に届かなかった\","
	"\"direction\":\"継続\",\"budget\":1200,\"indicators\":[{\"name\":\"研修の参加者\",\"unit\":\"人\","
	"\"kind\":\"活動\",\"target\":100,\"actual\":80}]}";

static void test_workflow(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	sasae_grant g_ed = {SASAE_ROLE_EDITOR, d_kenko}, g_ap = {SASAE_ROLE_APPROVER, d_kenko},
		    g_office = {SASAE_ROLE_OFFICE, NULL}, g_other = {SASAE_ROLE_EDITOR, d_shimin};
	sasae_user u_ed = person(&g_ed, 1, "kenko"), u_ap = person(&g_ap, 1, "boss"),
		   u_office = person(&g_office, 1, "office"), u_other = person(&g_other, 1, "shimin");
	const sasae_actor a_ed = {.user_id = 3, .login = "kenko", .address = "192.0.2.3"},
			  a_ap = {.user_id = 4, .login = "boss", .address = "192.0.2.4"},
			  a_office = {.user_id = 5, .login = "office", .address = "192.0.2.5"};
	assert_int_equal(sasae_progress_open(f->s, &cli, NULL, 2025, f->version, "2026-05-29", NULL, &err), 0);
	size_t n0 = audit_count(f->s);

	/* bad values: every problem listed, nothing written */
	sasae_progress_problem *p = NULL;
	size_t np = 0;
	assert_int_equal(sasae_progress_sheet_save(f->s, &a_ed, &u_ed, 2025, "p0009",
						   "{\"grade\":\"E\",\"direction\":\"やめる\",\"budget\":-1,"
						   "\"indicators\":[{\"name\":\"x\",\"kind\":\"結果\",\"target\":\"十\"}],"
						   "\"colour\":\"red\"}",
						   &p, &np, &err),
			 SASAE_EUSAGE);
	assert_int_equal(np, 6);
	static const char *const fields[] = {"colour", "indicators[1].kind", "indicators[1].target",
					     "grade",  "direction",          "budget"};
	for (size_t i = 0; i < np; i++)
		assert_string_equal(p[i].field, fields[i]);
	assert_non_null(strstr(p[3].message, "A、B、C、D"));
	assert_non_null(strstr(p[4].message, "拡充、継続、改善・見直し、縮小、廃止、終了"));
	sasae_progress_problems_free(p, np);
	assert_int_equal(audit_count(f->s), n0);
	char *d;
	sheet_data(f->s, 2025, "p0009", &d, NULL);
	assert_string_equal(d, "{}");
	free(d);
	/* another department's editor */
	assert_int_equal(sasae_progress_sheet_save(f->s, &a_ed, &u_other, 2025, "p0009", "{\"status\":\"x\"}",
						   &p, &np, &err),
			 SASAE_EFORBIDDEN);
	assert_non_null(strstr(err.message, "健康福祉局"));

	/* a draft may be incomplete; submitting it is refused with what is missing */
	save_ok(f->s, &a_ed, &u_ed, 2025, "p0009", "{\"status\":\"研修を 3 回開いた\",\"issues\":\"  \"}");
	expect_last(f->s, "progress.edit", "progress:2025:p0009", "kenko", "{\"status\":null}",
		    "{\"status\":\"研修を 3 回開いた\"}");
	size_t n1 = audit_count(f->s);
	save_ok(f->s, &a_ed, &u_ed, 2025, "p0009", "{\"status\":\"研修を 3 回開いた\"}"); /* the same: no row */
	assert_int_equal(audit_count(f->s), n1);
	assert_int_equal(sasae_progress_act(f->s, &a_ed, &u_ed, 2025, "p0009", SASAE_PROGRESS_SUBMIT, NULL,
					    &p, &np, &err),
			 SASAE_EUSAGE);
	assert_int_equal(np, 3); /* 自己評価, 評価理由, 今後の方向性 */
	assert_string_equal(p[0].field, "grade");
	assert_string_equal(p[1].field, "grade_reason");
	assert_string_equal(p[2].field, "direction");
	sasae_progress_problems_free(p, np);
	assert_int_equal(audit_count(f->s), n1);

	save_ok(f->s, &a_ed, &u_ed, 2025, "p0009", COMPLETE);
	act(f->s, &a_ed, &u_ed, 2025, "p0009", SASAE_PROGRESS_SUBMIT, NULL, 0);
	expect_last(f->s, "progress.submit", "progress:2025:p0009", "kenko",
		    "{\"state\":\"draft\",\"comment\":null}", "{\"state\":\"submitted\",\"comment\":null}");
	/* submitted: the editor may no longer change it */
	assert_int_equal(sasae_progress_sheet_save(f->s, &a_ed, &u_ed, 2025, "p0009", "{}", &p, &np, &err),
			 SASAE_EFORBIDDEN);
	act(f->s, &a_ed, &u_ed, 2025, "p0009", SASAE_PROGRESS_APPROVE, NULL, SASAE_EFORBIDDEN);
	act(f->s, &a_ap, &u_ap, 2025, "p0009", SASAE_PROGRESS_RETURN, NULL, SASAE_EUSAGE); /* no comment */
	act(f->s, &a_ap, &u_ap, 2025, "p0009", SASAE_PROGRESS_RETURN, "参加者数の根拠を書いてください", 0);
	expect_last(f->s, "progress.return", "progress:2025:p0009", "boss",
		    "{\"state\":\"submitted\",\"comment\":null}",
		    "{\"state\":\"returned\",\"comment\":\"参加者数の根拠を書いてください\"}");
	sasae_progress_sheet sh;
	assert_int_equal(sasae_progress_sheet_get(f->s, 2025, "p0009", &sh, &err), 0);
	assert_int_equal(sh.state, SASAE_PROGRESS_RETURNED);
	assert_string_equal(sh.note, "参加者数の根拠を書いてください");
	assert_string_equal(sh.updated_by, "boss");
	sasae_progress_sheet_clear(&sh);
	act(f->s, &a_ed, &u_ed, 2025, "p0009", SASAE_PROGRESS_SUBMIT, NULL, 0);
	act(f->s, &a_office, &u_office, 2025, "p0009", SASAE_PROGRESS_ACCEPT, NULL, SASAE_ECONFLICT);
	act(f->s, &a_ap, &u_ap, 2025, "p0009", SASAE_PROGRESS_APPROVE, NULL, 0);
	act(f->s, &a_office, &u_office, 2025, "p0009", SASAE_PROGRESS_ACCEPT, NULL, 0);
	act(f->s, &a_ap, &u_ap, 2025, "p0009", SASAE_PROGRESS_CONFIRM, NULL, SASAE_EFORBIDDEN);
	act(f->s, &a_office, &u_office, 2025, "p0009", SASAE_PROGRESS_CONFIRM, NULL, 0);
	/* confirmed: frozen for the department; the office amends, audited as such */
	assert_int_equal(sasae_progress_sheet_save(f->s, &a_ed, &u_ed, 2025, "p0009", COMPLETE, &p, &np, &err),
			 SASAE_EFORBIDDEN);
	char *amended = strdup(COMPLETE);
	memcpy(strstr(amended, "\"B\""), "\"C\"", 3);
	save_ok(f->s, &a_office, &u_office, 2025, "p0009", amended);
	free(amended);
	expect_last(f->s, "progress.amend", "progress:2025:p0009", "office", "{\"grade\":\"B\"}",
		    "{\"grade\":\"C\"}");
	act(f->s, &a_office, &u_office, 2025, "p0009", SASAE_PROGRESS_PUBLISH, NULL, 0);
	/* published: nobody changes it any more, and it does not move on */
	assert_int_equal(sasae_progress_sheet_save(f->s, &a_office, &u_office, 2025, "p0009", "{}", &p, &np,
						   &err),
			 SASAE_ECONFLICT);
	act(f->s, &cli, NULL, 2025, "p0009", SASAE_PROGRESS_PUBLISH, NULL, SASAE_ECONFLICT);
	/* unknown program, unknown year */
	act(f->s, &cli, NULL, 2025, "p9999", SASAE_PROGRESS_SUBMIT, NULL, SASAE_ENOTFOUND);
	act(f->s, &cli, NULL, 2030, "p0009", SASAE_PROGRESS_SUBMIT, NULL, SASAE_ENOTFOUND);
	/* every accepted step wrote one row: edit, submit, return, submit, approve, accept, confirm,
	   amend, publish after n1 (the first edit) */
	assert_int_equal(audit_count(f->s), n1 + 9);
}

/* ---- comments ---- */

static void test_comments(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	sasae_grant g_council = {SASAE_ROLE_COUNCIL, NULL}, g_ed = {SASAE_ROLE_EDITOR, d_kenko};
	sasae_user u_council = person(&g_council, 1, "iin"), u_ed = person(&g_ed, 1, "kenko");
	const sasae_actor a_c = {.user_id = 7, .login = "iin", .address = "192.0.2.7"};
	assert_int_equal(sasae_progress_open(f->s, &cli, NULL, 2025, f->version, "2026-05-29", NULL, &err), 0);
	assert_int_equal(sasae_progress_comment_add(f->s, &a_c, &u_ed, 2025, "program:p0009", "x", &err),
			 SASAE_EFORBIDDEN);
	assert_int_equal(sasae_progress_comment_add(f->s, &a_c, &u_council, 2025, "plan:x", "x", &err),
			 SASAE_EUSAGE);
	assert_int_equal(sasae_progress_comment_add(f->s, &a_c, &u_council, 2025, "program:p9999", "x", &err),
			 SASAE_ENOTFOUND);
	assert_int_equal(sasae_progress_comment_add(f->s, &a_c, &u_council, 2025, "section:1-1", " \u3000",
						    &err),
			 SASAE_EUSAGE);
	assert_int_equal(sasae_progress_comment_add(f->s, &a_c, &u_council, 2025, "program:p0009",
						    "成果指標を加えては", &err),
			 0);
	expect_last(f->s, "progress.comment", "progress:2025:program:p0009", "iin", NULL,
		    "{\"id\":1,\"text\":\"成果指標を加えては\"}");
	assert_int_equal(sasae_progress_comment_add(f->s, &a_c, &u_council, 2025, "section:1-1", "全体に順調",
						    &err),
			 0);
	sasae_comment *c = NULL;
	size_t n = 0;
	assert_int_equal(sasae_progress_comment_list(f->s, 2025, NULL, &c, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(c[1].target, "section:1-1");
	assert_string_equal(c[1].login, "iin");
	sasae_comments_free(c, n);
	assert_int_equal(sasae_progress_comment_list(f->s, 2024, NULL, &c, &n, &err), 0);
	assert_int_equal(n, 0); /* kept with their year */
	sasae_comments_free(c, n);
}

/* ---- roll-up and reminders ---- */

static const sasae_progress_group *group(const sasae_progress_group *g, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(g[i].key, key) == 0)
			return &g[i];
	fail_msg("no group %s", key);
	static const sasae_progress_group none = {0};
	return &none;
}

/* graded A B C D, ungraded, indicators, attained, arrows */
static void expect_tally(const sasae_progress_tally *t, size_t sheets, size_t a, size_t b, size_t c, size_t d,
			 size_t ind, size_t att, size_t arrows)
{
	assert_int_equal(t->sheets, sheets);
	assert_int_equal(t->graded[0], a);
	assert_int_equal(t->graded[1], b);
	assert_int_equal(t->graded[2], c);
	assert_int_equal(t->graded[3], d);
	assert_int_equal(t->ungraded, sheets - a - b - c - d);
	assert_int_equal(t->indicators, ind);
	assert_int_equal(t->attained, att);
	assert_int_equal(t->arrows, arrows);
}

static void test_rollup(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	assert_int_equal(sasae_progress_open(f->s, &cli, NULL, 2025, f->version, "2026-05-29", NULL, &err), 0);
	/* p0001 A, one indicator attained (12 ≥ 10); p0002 D, an arrow; p0009 B, one indicator missed
	   (80 < 100) and a reduction attained (baseline 50, target 30, actual 25 ≤ 30) */
	save_ok(f->s, &cli, NULL, 2025, "p0001",
		"{\"grade\":\"A\",\"indicators\":[{\"name\":\"講座\",\"kind\":\"活動\",\"target\":10,\"actual\":12}]}");
	save_ok(f->s, &cli, NULL, 2025, "p0002",
		"{\"grade\":\"D\",\"indicators\":[{\"name\":\"相談の質\",\"kind\":\"成果\",\"arrow\":\"↑\"}]}");
	save_ok(f->s, &cli, NULL, 2025, "p0009",
		"{\"grade\":\"B\",\"indicators\":[{\"name\":\"研修\",\"kind\":\"活動\",\"target\":100,\"actual\":80},"
		"{\"name\":\"待機\",\"kind\":\"成果\",\"baseline\":50,\"target\":30,\"actual\":25.5}]}");
	sasae_progress_rollup *r = NULL;
	assert_int_equal(sasae_progress_rollup_compute(f->s, 2025, &r, &err), 0);
	assert_int_equal(r->ngrades, 4);
	assert_string_equal(r->grades[3], "D");
	expect_tally(&r->total, 174, 1, 1, 0, 1, 3, 2, 1);
	expect_tally(&group(r->sections, r->nsections, "1-1")->tally, 20, 1, 1, 0, 1, 3, 2, 1);
	expect_tally(&group(r->sections, r->nsections, "1-2")->tally, 12, 1, 0, 0, 0, 1, 1, 0);
	expect_tally(&group(r->sections, r->nsections, "3-2")->tally, 15, 0, 0, 0, 1, 0, 0, 1);
	expect_tally(&group(r->sections, r->nsections, "6-4")->tally, 5, 0, 0, 0, 1, 0, 0, 1);
	/* a part counts a program once though it lists it twice (p0001 in 1-1 and 1-2) */
	const sasae_progress_tally *p1 = &group(r->parts, r->nparts, "1")->tally;
	assert_int_equal(p1->graded[0], 1);
	assert_int_equal(p1->graded[1], 1);
	assert_int_equal(p1->graded[3], 1);
	assert_int_equal(p1->indicators, 3);
	assert_int_equal(group(r->parts, r->nparts, "3")->tally.graded[3], 1);
	assert_int_equal(group(r->parts, r->nparts, "2")->tally.graded[3], 0);
	const sasae_progress_tally *shimin = &group(r->departments, r->ndepartments, "市民局")->tally;
	assert_int_equal(shimin->graded[0], 1);
	assert_int_equal(shimin->graded[3], 1);
	assert_int_equal(group(r->departments, r->ndepartments, "健康福祉局")->tally.graded[1], 1);
	sasae_progress_rollup_free(r);

	/* reminders: 2026-05-20 09:00 JST is 9 days before 2026-05-29 */
	sasae_progress_sheet *sh = NULL;
	size_t n = 0;
	int days = 0;
	assert_int_equal(sasae_progress_pending(f->s, 2025, 1779235200, &sh, &n, &days, &err), 0);
	assert_int_equal(days, 9);
	assert_int_equal(n, 174);
	sasae_progress_sheets_free(sh, n);
	save_ok(f->s, &cli, NULL, 2025, "p0009", COMPLETE);
	act(f->s, &cli, NULL, 2025, "p0009", SASAE_PROGRESS_SUBMIT, NULL, 0);
	/* 2026-05-30 00:30 JST (2026-05-29 15:30 UTC): one day late */
	assert_int_equal(sasae_progress_pending(f->s, 2025, 1780068600, &sh, &n, &days, &err), 0);
	assert_int_equal(days, -1);
	assert_int_equal(n, 173);
	for (size_t i = 0; i < n; i++)
		assert_string_not_equal(sh[i].program, "p0009");
	for (size_t i = 1; i < n; i++)
		assert_true(strcmp(sh[i - 1].departments[0], sh[i].departments[0]) <= 0);
	sasae_progress_sheets_free(sh, n);
}

/* ---- the CSV round trip (stored values: compact JSON, keys sorted at every level) ---- */

static const char HEADER[] =
	"\xEF\xBB\xBF年度,事業ID,事業名,担当課,状態,実施状況,自己評価,評価理由,課題,今後の方向性,"
	"予算（千円）,決算（千円）,改善策,前年度の改善策,指標名,単位,種別,基準値,目標値,実績値,矢印\r\n";

/* The database file and its write-ahead log, concatenated (to compare bytes). */
static char *db_bytes(const char *db, size_t *len)
{
	sasae_buf b = SASAE_BUF_INIT;
	char wal[512];
	snprintf(wal, sizeof wal, "%s-wal", db);
	const char *paths[] = {db, wal};
	for (int i = 0; i < 2; i++) {
		FILE *fp = fopen(paths[i], "rb");
		if (fp == NULL)
			continue;
		char chunk[65536];
		size_t n;
		while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
			sasae_buf_append(&b, chunk, n);
		fclose(fp);
	}
	*len = b.len;
	return sasae_buf_detach(&b);
}

static int import(sasae_store *s, const sasae_actor *who, const sasae_user *u, const char *text,
		  size_t *changed, sasae_progress_problem **p, size_t *np)
{
	sasae_error err = {0};
	return sasae_progress_import_csv(s, who, u, "f.csv", text, strlen(text), changed, p, np, &err);
}

static void test_csv(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	assert_int_equal(sasae_progress_open(f->s, &cli, NULL, 2025, f->version, "2026-05-29", NULL, &err), 0);
	save_ok(f->s, &cli, NULL, 2025, "p0009", COMPLETE);
	sasae_buf out = SASAE_BUF_INIT;
	assert_int_equal(sasae_progress_export_csv(f->s, 2025, "健康福祉局", &out, &err), 0);
	const char *csv = sasae_buf_cstr(&out);
	assert_memory_equal(csv, HEADER, strlen(HEADER));
	assert_non_null(strstr(csv,
			       "\r\n2025,p0009,障害者差別解消の推進,健康福祉局,下書き,研修を 3 回開いた,B,"
			       "参加者が目標に届かなかった,,継続,1200,,,,研修の参加者,人,活動,,100,80,\r\n"));
	assert_null(strstr(csv, "p0001")); /* 市民局's */
	sasae_buf none = SASAE_BUF_INIT;
	assert_int_equal(sasae_progress_export_csv(f->s, 2025, "無い局", &none, &err), SASAE_ENOTFOUND);
	sasae_buf_free(&none);

	sasae_grant g_ed = {SASAE_ROLE_EDITOR, d_kenko};
	sasae_user u_ed = person(&g_ed, 1, "kenko");
	const sasae_actor a_ed = {.user_id = 3, .login = "kenko", .address = "192.0.2.3"};
	/* the same file back: nothing changes, no audit row */
	size_t n0 = audit_count(f->s), changed = 99, np = 0;
	sasae_progress_problem *p = NULL;
	assert_int_equal(import(f->s, &a_ed, &u_ed, csv, &changed, &p, &np), 0);
	assert_int_equal(changed, 0);
	assert_int_equal(np, 0);
	assert_int_equal(audit_count(f->s), n0);
	sasae_buf_free(&out);

	/* a changed grade and a second indicator row (Excel's "'" before a minus sign taken off) */
	char good[2048];
	snprintf(good, sizeof good,
		 "%s2025,p0009,障害者差別解消の推進,健康福祉局,下書き,研修を 3 回開いた,A,目標を超えた,,拡充,"
		 "\"1,200\",,,,研修の参加者,人,活動,,100,120,\r\n"
		 "2025,p0009,,,,,,,,,,,,,増減,件,成果,0,\"'-5\",-6.5,\r\n",
		 HEADER);
	assert_int_equal(import(f->s, &a_ed, &u_ed, good, &changed, &p, &np), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(audit_count(f->s), n0 + 2);
	expect_last(f->s, "progress.import", "progress:2025", "kenko", NULL,
		    "{\"file\":\"f.csv\",\"changed\":1,\"programs\":[\"p0009\"]}");
	char *d;
	sheet_data(f->s, 2025, "p0009", &d, NULL);
	assert_string_equal(d,
			    "{\"budget\":1200,\"direction\":\"拡充\",\"grade\":\"A\",\"grade_reason\":\"目標を超えた\","
			    "\"indicators\":[{\"actual\":120,\"kind\":\"活動\",\"name\":\"研修の参加者\",\"target\":100,"
			    "\"unit\":\"人\"},{\"actual\":-6.5,\"baseline\":0,\"kind\":\"成果\",\"name\":\"増減\","
			    "\"target\":-5,\"unit\":\"件\"}],\"status\":\"研修を 3 回開いた\"}");
	free(d);
	assert_int_equal(import(f->s, &a_ed, &u_ed, good, &changed, &p, &np), 0); /* again: nothing */
	assert_int_equal(changed, 0);
	assert_int_equal(audit_count(f->s), n0 + 2);

	/* a bad file: every bad cell named, the database's bytes unchanged */
	char bad[2048];
	snprintf(bad, sizeof bad,
		 "%s2025,p0009,,,,,E,,,やめる,千二百,,,,研修の参加者,人,活動,,百,120,\r\n"
		 "2025,p0009,,,,継続中,,,,,,,,,増減,件,結果,0,1,2,\r\n"
		 "2025,p0001,,,,書いた,,,,,,,,,,,,,,,\r\n",
		 HEADER);
	size_t len0 = 0, len1 = 0;
	char *before = db_bytes(f->db, &len0);
	assert_int_equal(import(f->s, &a_ed, &u_ed, bad, &changed, &p, &np), SASAE_EDATA);
	static const char *const where[] = {"f.csv:2:11", "f.csv:2:19", "f.csv:3:6"};
	assert_true(np >= 3);
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(p[i].field, where[i]);
	assert_non_null(strstr(p[0].message, "予算（千円）"));
	assert_non_null(strstr(p[1].message, "目標値"));
	sasae_progress_problems_free(p, np);
	/* values checked as the form checks them: grade on column 7, direction 10, kind on the indicator's row */
	snprintf(bad, sizeof bad,
		 "%s2025,p0009,,,,,E,,,やめる,,,,,研修の参加者,人,活動,,1,2,\r\n"
		 "2025,p0009,,,,,,,,,,,,,増減,件,結果,0,1,2,\r\n",
		 HEADER);
	assert_int_equal(import(f->s, &a_ed, &u_ed, bad, &changed, &p, &np), SASAE_EDATA);
	assert_int_equal(np, 3);
	assert_string_equal(p[0].field, "f.csv:3:17"); /* indicators[2].kind */
	assert_string_equal(p[1].field, "f.csv:2:7");
	assert_string_equal(p[2].field, "f.csv:2:10");
	sasae_progress_problems_free(p, np);
	/* another department's sheet */
	snprintf(bad, sizeof bad, "%s2025,p0001,,,,書いた,,,,,,,,,,,,,,,\r\n", HEADER);
	assert_int_equal(import(f->s, &a_ed, &u_ed, bad, &changed, &p, &np), SASAE_EDATA);
	assert_int_equal(np, 1);
	assert_string_equal(p[0].field, "f.csv:2:2");
	assert_non_null(strstr(p[0].message, "市民局"));
	sasae_progress_problems_free(p, np);
	/* a malformed file and an unknown column */
	assert_int_equal(import(f->s, &a_ed, &u_ed, "年度,事業ID\r\n2025,\"p0009\r\n", &changed, &p, &np),
			 SASAE_EDATA);
	assert_string_equal(p[0].field, "f.csv:2:2");
	sasae_progress_problems_free(p, np);
	assert_int_equal(import(f->s, &a_ed, &u_ed, "年度,事業ID,色\r\n2025,p0009,赤\r\n", &changed, &p, &np),
			 SASAE_EDATA);
	assert_string_equal(p[0].field, "f.csv:1:3");
	sasae_progress_problems_free(p, np);
	char *after = db_bytes(f->db, &len1);
	assert_int_equal(len0, len1);
	assert_memory_equal(before, after, len0);
	free(before);
	free(after);
	assert_int_equal(audit_count(f->s), n0 + 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_may_matrix),
		cmocka_unit_test(test_config),
		cmocka_unit_test_setup_teardown(test_open_and_carry, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_workflow, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_comments, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rollup, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_csv, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
