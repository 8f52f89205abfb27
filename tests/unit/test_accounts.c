/*
 * test_accounts.c — unit tests of accounts, signing in, sessions, CSRF tokens and the audit log
 * (include/core/sasae/accounts.h) over a real SQLite file in a temporary directory.
 *
 * The expected values come from the header's contract and docs/accounts.md: the password policy
 * (12–128 code points after NFC, no control characters, not the login), the lockout (5 failures of
 * a login or 20 of an address within 900 s lock for 900 s after the last one), the session limits
 * (1800 s idle, 43200 s absolute), one audit row per change and none for a failed one, and no secret
 * in the database file.  The clock is the test's: every sign-in and session call gets `now`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sasae/accounts.h"
#include "sasae/store.h"
#include "test_util.h"

/* 2024-01-10T10:00:00Z: the test clock's start. */
#define T0  ((int64_t)1704880800)
#define PW  "correct horse battery staple"
#define PW2 "another long passphrase 2"

typedef struct fixture {
	char *dir;
	char *db;
	sasae_store *s;
} fixture;

static const sasae_actor cli = {.user_id = 0, .login = NULL, .address = "cli"};

static int fx_setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	f->dir = tu_mkdtemp();
	f->db = tu_join(f->dir, "sasae.db");
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

/* How many audit rows the database holds. */
static size_t audit_count(sasae_store *s)
{
	sasae_audit_entry *e = NULL;
	size_t n = 0, total = 0;
	sasae_error err = {0};
	assert_int_equal(sasae_audit_list(s, NULL, &e, &n, &total, &err), 0);
	sasae_audit_free(e, n);
	return total;
}

/* The newest audit row (the caller frees it with sasae_audit_free(e, 1)). */
static sasae_audit_entry *audit_last(sasae_store *s)
{
	sasae_audit_entry *e = NULL;
	size_t n = 0, total = 0;
	sasae_error err = {0};
	sasae_audit_filter f = {.limit = 1};
	assert_int_equal(sasae_audit_list(s, &f, &e, &n, &total, &err), 0);
	assert_int_equal(n, 1);
	return e;
}

/* Check the newest audit row: action, target, login, before and after (NULL: SQL NULL). */
static void expect_last(sasae_store *s, const char *action, const char *target, const char *login,
			const char *before, const char *after)
{
	sasae_audit_entry *e = audit_last(s);
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
	sasae_audit_free(e, 1);
}

static void add_user(sasae_store *s, const char *login, const char *name, const char *pw)
{
	sasae_error err = {0};
	int rc = sasae_user_add(s, &cli, login, name, pw, &err);
	if (rc)
		fail_msg("user add %s: %s", login, err.message);
}

/* Sign in at now from address; returns the result code, the id in id. */
static int login_at(sasae_store *s, const sasae_login_policy *p, const char *login, const char *pw,
		    const char *address, int64_t now, char id[SASAE_SESSION_ID_LEN + 1], int64_t *retry,
		    sasae_error *err)
{
	int64_t r = 0;
	int rc = sasae_login(s, p, login, pw, address, NULL, now, id, retry ? retry : &r, err);
	return rc;
}

/* How many rows of table the database file has (read with SQLite directly). */
static int64_t rows(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

static double seconds_since(const struct timespec *a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

/* ---- roles ---- */

static void test_roles(void **state)
{
	(void)state;
	static const struct {
		const char *name, *label;
		sasae_role role;
		bool per_department;
	} want[] = {
		{"admin", "管理者", SASAE_ROLE_ADMIN, false},
		{"office", "計画所管課", SASAE_ROLE_OFFICE, false},
		{"editor", "担当課 編集者", SASAE_ROLE_EDITOR, true},
		{"approver", "担当課 承認者", SASAE_ROLE_APPROVER, true},
		{"council", "審議会", SASAE_ROLE_COUNCIL, false},
	};
	assert_int_equal(sizeof want / sizeof want[0], SASAE_NROLES);
	for (size_t i = 0; i < SASAE_NROLES; i++) {
		sasae_role r;
		sasae_error err = {0};
		assert_int_equal(sasae_role_parse(want[i].name, &r, &err), 0);
		assert_int_equal(r, want[i].role);
		assert_string_equal(sasae_role_name(r), want[i].name);
		assert_string_equal(sasae_role_label(r), want[i].label);
		assert_int_equal(sasae_role_per_department(r), want[i].per_department);
	}
	sasae_role r;
	sasae_error err = {0};
	assert_int_equal(sasae_role_parse("root", &r, &err), SASAE_EUSAGE);
	assert_non_null(strstr(err.message, "root"));
	assert_non_null(strstr(err.message, "council"));
	/* role bits are the router's: bit n for role n */
	char dept[] = "健康福祉局";
	sasae_grant g[2] = {{SASAE_ROLE_OFFICE, NULL}, {SASAE_ROLE_EDITOR, dept}};
	sasae_user u = {.grants = g, .ngrants = 2};
	assert_int_equal(sasae_user_role_bits(&u), (1u << 1) | (1u << 2));
	assert_true(sasae_user_has(&u, SASAE_ROLE_EDITOR));
	assert_false(sasae_user_has(&u, SASAE_ROLE_ADMIN));
	assert_true(sasae_user_has_in(&u, SASAE_ROLE_EDITOR, "健康福祉局"));
	assert_false(sasae_user_has_in(&u, SASAE_ROLE_EDITOR, "市民局"));
	assert_false(sasae_user_has_in(&u, SASAE_ROLE_APPROVER, "健康福祉局"));
}

/* ---- the password policy ---- */

static void test_password_policy(void **state)
{
	(void)state;
	static const struct {
		const char *password;
		int rc;
		const char *why; /* a piece of the message */
	} cases[] = {
		{"abcdefghijk", SASAE_EUSAGE, "12 文字以上"},            /* 11 */
		{"abcdefghijkl", 0, NULL},                               /* 12 */
		{"あいうえおかきくけこさ", SASAE_EUSAGE, "12 文字以上"}, /* 11 code points, 33 bytes */
		{"あいうえおかきくけこさし", 0, NULL},                   /* 12 code points */
		/* six "e" + COMBINING ACUTE: 12 code points as typed, 6 after NFC */
		{"e\xcc\x81"
		 "e\xcc\x81"
		 "e\xcc\x81"
		 "e\xcc\x81"
		 "e\xcc\x81"
		 "e\xcc\x81",
		 SASAE_EUSAGE, "いまは 6 文字"},
		{"abcdefghijkl\nmnop", SASAE_EUSAGE, "制御文字"},
		{"abcdefghijkl\tmnop", SASAE_EUSAGE, "制御文字"},
		{"abcdefghijkl\x7fmnop", SASAE_EUSAGE, "制御文字"},
		{"abcdefghijkl\xc2\x85mnop", SASAE_EUSAGE, "制御文字"}, /* U+0085, a C1 control */
		{"abcdefghijkl\xff", SASAE_EUSAGE, "UTF-8"},
		{"tanaka.taro.x", SASAE_EUSAGE, "ログイン名"}, /* the login itself */
		{"TANAKA.TARO.X", SASAE_EUSAGE, "ログイン名"}, /* in other case too */
		{"tanaka.taro.x!", 0, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sasae_error err = {0};
		int rc = sasae_password_check("tanaka.taro.x", cases[i].password, &err);
		if (rc != cases[i].rc)
			fail_msg("case %zu: %d, want %d (%s)", i, rc, cases[i].rc, err.message);
		if (cases[i].why && strstr(err.message, cases[i].why) == NULL)
			fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err.message, cases[i].why);
	}
	/* 128 code points pass, 129 do not */
	char pw[600];
	memset(pw, 'a', 128);
	pw[128] = '\0';
	sasae_error err = {0};
	assert_int_equal(sasae_password_check("x", pw, &err), 0);
	pw[128] = 'a';
	pw[129] = '\0';
	assert_int_equal(sasae_password_check("x", pw, &err), SASAE_EUSAGE);
	assert_non_null(strstr(err.message, "128 文字以内"));
	/* no message ever holds the password */
	assert_null(strstr(err.message, "aaaa"));
}

static void test_login_check(void **state)
{
	(void)state;
	const char *good[] = {"a", "tanaka", "t.tanaka-2_x",
			      "0123456789012345678901234567890123456789012345678901234567890123"};
	const char *bad[] = {"",
			     "Tanaka",
			     "田中",
			     "a b",
			     "a@b",
			     "a/b",
			     "01234567890123456789012345678901234567890123456789012345678901234"};
	sasae_error err = {0};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_int_equal(sasae_login_check(good[i], &err), 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(sasae_login_check(bad[i], &err), SASAE_EUSAGE);
	assert_int_equal(sasae_login_check(NULL, &err), SASAE_EUSAGE);
}

/* ---- users ---- */

static void test_user_add_list(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	add_user(f->s, "tanaka", "健康福祉局 田中", PW);
	add_user(f->s, "abe", "", PW2);
	assert_int_equal(audit_count(f->s), 2);
	expect_last(f->s, "user.add", "user:abe", "", NULL, "{\"login\":\"abe\",\"display_name\":\"\"}");

	/* failed additions: nothing written, no row */
	assert_int_equal(sasae_user_add(f->s, &cli, "tanaka", "x", PW2, &err), SASAE_ECONFLICT);
	assert_non_null(strstr(err.message, "tanaka"));
	assert_int_equal(sasae_user_add(f->s, &cli, "Suzuki", "", PW, &err), SASAE_EUSAGE);
	assert_int_equal(sasae_user_add(f->s, &cli, "suzuki", "", "short", &err), SASAE_EUSAGE);
	assert_int_equal(sasae_user_add(f->s, &cli, "suzuki", "名前\n改行", PW, &err), SASAE_EUSAGE);
	assert_int_equal(audit_count(f->s), 2);
	assert_int_equal(rows(f->db, "SELECT count(*) FROM account"), 2);

	sasae_user *u = NULL;
	size_t n = 0;
	assert_int_equal(sasae_user_list(f->s, &u, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(u[0].login, "abe"); /* ordered by login */
	assert_string_equal(u[1].login, "tanaka");
	assert_string_equal(u[1].display_name, "健康福祉局 田中");
	assert_false(u[1].disabled);
	assert_null(u[1].last_login_at);
	assert_int_equal(u[1].ngrants, 0);
	assert_int_equal(strlen(u[1].created_at), 20); /* 2026-12-05T12:00:00Z */
	assert_int_equal(u[1].created_at[19], 'Z');
	sasae_users_free(u, n);

	sasae_user one;
	assert_int_equal(sasae_user_get(f->s, "tanaka", &one, &err), 0);
	assert_string_equal(one.login, "tanaka");
	sasae_user_clear(&one);
	assert_int_equal(sasae_user_get(f->s, "nobody", &one, &err), SASAE_ENOTFOUND);
	assert_non_null(strstr(err.message, "nobody"));
	/* the stored hash is argon2id, never the password */
	assert_int_equal(rows(f->db, "SELECT count(*) FROM account WHERE password_hash LIKE '$argon2id$%'"), 2);
}

static void test_roles_grant_revoke(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	add_user(f->s, "tanaka", "", PW);
	size_t base = audit_count(f->s);
	assert_int_equal(sasae_user_role(f->s, &cli, "tanaka", true, SASAE_ROLE_EDITOR, "健康福祉局", &err), 0);
	expect_last(f->s, "user.role.grant", "user:tanaka", "", NULL,
		    "{\"role\":\"editor\",\"department\":\"健康福祉局\"}");
	assert_int_equal(sasae_user_role(f->s, &cli, "tanaka", true, SASAE_ROLE_OFFICE, NULL, &err), 0);
	expect_last(f->s, "user.role.grant", "user:tanaka", "", NULL,
		    "{\"role\":\"office\",\"department\":null}");
	assert_int_equal(audit_count(f->s), base + 2);
	/* held already: no change, no row */
	assert_int_equal(sasae_user_role(f->s, &cli, "tanaka", true, SASAE_ROLE_OFFICE, NULL, &err), 0);
	assert_int_equal(audit_count(f->s), base + 2);

	/* refused, nothing written */
	assert_int_equal(sasae_user_role(f->s, &cli, "tanaka", true, SASAE_ROLE_EDITOR, NULL, &err),
			 SASAE_EUSAGE);
	assert_int_equal(sasae_user_role(f->s, &cli, "tanaka", true, SASAE_ROLE_ADMIN, "健康福祉局", &err),
			 SASAE_EUSAGE);
	/* an alias: the message names the canonical name (data/departments.tsv: 市社協 → 市社会福祉協議会) */
	assert_int_equal(sasae_user_role(f->s, &cli, "tanaka", true, SASAE_ROLE_EDITOR, "市社協", &err),
			 SASAE_EUSAGE);
	assert_non_null(strstr(err.message, "市社会福祉協議会"));
	assert_int_equal(sasae_user_role(f->s, &cli, "tanaka", true, SASAE_ROLE_EDITOR, "架空局", &err),
			 SASAE_EUSAGE);
	assert_non_null(strstr(err.message, "架空局"));
	assert_int_equal(sasae_user_role(f->s, &cli, "nobody", true, SASAE_ROLE_OFFICE, NULL, &err),
			 SASAE_ENOTFOUND);
	assert_int_equal(audit_count(f->s), base + 2);
	assert_int_equal(rows(f->db, "SELECT count(*) FROM account_role"), 2);

	sasae_user u;
	assert_int_equal(sasae_user_get(f->s, "tanaka", &u, &err), 0);
	assert_int_equal(u.ngrants, 2); /* ordered by role: office (1), editor (2) */
	assert_int_equal(u.grants[0].role, SASAE_ROLE_OFFICE);
	assert_null(u.grants[0].department);
	assert_int_equal(u.grants[1].role, SASAE_ROLE_EDITOR);
	assert_string_equal(u.grants[1].department, "健康福祉局");
	sasae_user_clear(&u);

	assert_int_equal(sasae_user_role(f->s, &cli, "tanaka", false, SASAE_ROLE_EDITOR, "健康福祉局", &err),
			 0);
	expect_last(f->s, "user.role.revoke", "user:tanaka", "",
		    "{\"role\":\"editor\",\"department\":\"健康福祉局\"}", NULL);
	/* not held: no change, no row */
	assert_int_equal(sasae_user_role(f->s, &cli, "tanaka", false, SASAE_ROLE_EDITOR, "健康福祉局", &err),
			 0);
	assert_int_equal(audit_count(f->s), base + 3);
}

/* ---- signing in ---- */

static void test_login_verify(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	/* the password stored as typed in NFD, signed in with as NFC: the same password */
	add_user(f->s, "tanaka", "", "cafe\xcc\x81 au lait, s'il vous pla\xc3\xaet");
	char id[SASAE_SESSION_ID_LEN + 1];
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	assert_int_equal(login_at(f->s, NULL, "tanaka", "caf\xc3\xa9 au lait, s'il vous pla\xc3\xaet",
				  "10.0.0.1", T0, id, NULL, &err),
			 0);
	double known = seconds_since(&t);
	assert_int_equal(strlen(id), SASAE_SESSION_ID_LEN);
	assert_int_equal(strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
			 SASAE_SESSION_ID_LEN);
	expect_last(f->s, "session.login", "user:tanaka", "tanaka", NULL, NULL);
	sasae_user u;
	assert_int_equal(sasae_user_get(f->s, "tanaka", &u, &err), 0);
	assert_string_equal(u.last_login_at, "2024-01-10T10:00:00Z");
	sasae_user_clear(&u);

	/* a wrong password and an unknown login: one answer, one message */
	char msg[512];
	assert_int_equal(login_at(f->s, NULL, "tanaka", "wrong password here", "10.0.0.1", T0 + 1, id, NULL,
				  &err),
			 SASAE_EAUTH);
	snprintf(msg, sizeof msg, "%s", err.message);
	assert_string_equal(id, "");
	expect_last(f->s, "session.login-failed", "user:tanaka", "tanaka", NULL, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t);
	assert_int_equal(login_at(f->s, NULL, "nobody", "wrong password here", "10.0.0.1", T0 + 2, id, NULL,
				  &err),
			 SASAE_EAUTH);
	double unknown = seconds_since(&t);
	assert_string_equal(err.message, msg);
	expect_last(f->s, "session.login-failed", "user:nobody", "nobody", NULL, NULL);
	/* an unknown login costs an argon2id verification too (against a dummy hash): without it the
	   answer would come a thousand times sooner */
	if (unknown < known / 4)
		fail_msg("an unknown login took %.4f s, a known one %.4f s", unknown, known);
	/* a login that cannot be one: the same answer, typed login kept safe in the row */
	assert_int_equal(login_at(f->s, NULL, "Ta\nnaka", "x", "10.0.0.1", T0 + 3, id, NULL, &err),
			 SASAE_EAUTH);
	assert_string_equal(err.message, msg);
	expect_last(f->s, "session.login-failed", "user:Ta?naka", "Ta?naka", NULL, NULL);
}

static void test_lockout_account(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	sasae_login_policy p = sasae_login_policy_default();
	assert_int_equal(p.account_failures, 5);
	assert_int_equal(p.window_seconds, 900);
	assert_int_equal(p.lockout_seconds, 900);
	add_user(f->s, "tanaka", "", PW);
	char id[SASAE_SESSION_ID_LEN + 1];
	int64_t retry = 0;
	/* 4 failures, then a success: the login's count starts again */
	for (int i = 0; i < 4; i++)
		assert_int_equal(login_at(f->s, &p, "tanaka", "not the password", "10.0.0.1", T0 + i, id,
					  NULL, &err),
				 SASAE_EAUTH);
	assert_int_equal(login_at(f->s, &p, "tanaka", PW, "10.0.0.1", T0 + 10, id, NULL, &err), 0);
	/* 5 failures (from several addresses: the login is counted) lock the login */
	for (int i = 0; i < 5; i++) {
		char addr[32];
		snprintf(addr, sizeof addr, "10.0.1.%d", i);
		assert_int_equal(login_at(f->s, &p, "tanaka", "not the password", addr, T0 + 20 + i, id, NULL,
					  &err),
				 SASAE_EAUTH);
	}
	size_t before = audit_count(f->s);
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	/* the right password now: locked, not even checked */
	assert_int_equal(login_at(f->s, &p, "tanaka", PW, "10.0.2.1", T0 + 30, id, &retry, &err),
			 SASAE_ELOCKED);
	double locked = seconds_since(&t);
	assert_int_equal(retry, T0 + 24 + 900); /* the last failure + lockout_seconds */
	assert_string_equal(id, "");
	assert_non_null(strstr(err.message, "15 分"));
	expect_last(f->s, "session.login-locked", "user:tanaka", "tanaka", NULL, NULL);
	assert_int_equal(audit_count(f->s), before + 1);
	clock_gettime(CLOCK_MONOTONIC, &t);
	/* a wrong password while locked: locked too, and not counted */
	assert_int_equal(login_at(f->s, &p, "tanaka", "not the password", "10.0.2.1", T0 + 31, id, NULL, &err),
			 SASAE_ELOCKED);
	/* a locked attempt is not counted: the lock still ends 900 s after the last real failure */
	assert_int_equal(login_at(f->s, &p, "tanaka", PW, "10.0.2.1", T0 + 24 + 899, id, &retry, &err),
			 SASAE_ELOCKED);
	assert_int_equal(retry, T0 + 24 + 900);
	assert_int_equal(login_at(f->s, &p, "tanaka", PW, "10.0.2.1", T0 + 24 + 900, id, &retry, &err), 0);
	/* a locked attempt returns without an argon2id verification (the sign-ins above take one each) */
	clock_gettime(CLOCK_MONOTONIC, &t);
	assert_int_equal(login_at(f->s, &p, "nobody", "not the password", "10.0.3.1", T0 + 2000, id, NULL, &err),
			 SASAE_EAUTH);
	double checked = seconds_since(&t);
	if (locked > checked / 4)
		fail_msg("a locked attempt took %.4f s, a checked one %.4f s", locked, checked);
}

/* Changing one's own password: the current one checked and counted with sign-in's lockout; the new
   one against the policy; then every session ends and only the new one signs in. */
static void test_password_change(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	sasae_login_policy p = sasae_login_policy_default(); /* 5 failures in 900 s lock for 900 s */
	add_user(f->s, "tanaka", "", PW);
	char id[SASAE_SESSION_ID_LEN + 1];
	assert_int_equal(login_at(f->s, &p, "tanaka", PW, "10.0.0.1", T0, id, NULL, &err), 0);
	sasae_actor me = {.user_id = 0, .login = "tanaka", .address = "10.0.0.1"};
	int64_t retry = 0;
	assert_int_equal(sasae_password_change(f->s, &p, NULL, PW, PW2, T0 + 1, &retry, &err), SASAE_EAUTH);
	assert_int_equal(sasae_password_change(f->s, &p, &me, PW, PW, T0 + 1, &retry, &err), SASAE_EUSAGE);
	assert_int_equal(sasae_password_change(f->s, &p, &me, PW, "tanaka", T0 + 1, &retry, &err),
			 SASAE_EUSAGE);
	/* four wrong current passwords, then one wrong sign-in: the fifth failure locks the login */
	for (int i = 0; i < 4; i++)
		assert_int_equal(sasae_password_change(f->s, &p, &me, "not the password", PW2, T0 + 2 + i,
						       &retry, &err),
				 SASAE_EAUTH);
	expect_last(f->s, "user.passwd-failed", "user:tanaka", "tanaka", NULL, NULL);
	assert_int_equal(login_at(f->s, &p, "tanaka", "not the password", "10.0.0.9", T0 + 10, id, NULL, &err),
			 SASAE_EAUTH);
	assert_int_equal(sasae_password_change(f->s, &p, &me, PW, PW2, T0 + 11, &retry, &err), SASAE_ELOCKED);
	assert_int_equal(retry, T0 + 10 + 900);
	expect_last(f->s, "user.passwd-locked", "user:tanaka", "tanaka", NULL, NULL);
	/* after the lock: the change, every session ended, only the new password signs in */
	assert_int_equal(sasae_password_change(f->s, &p, &me, PW, PW2, T0 + 911, &retry, &err), 0);
	expect_last(f->s, "user.passwd", "user:tanaka", "tanaka", NULL,
		    "{\"password_changed\":true,\"sessions_ended\":1}");
	sasae_session sess;
	assert_int_equal(sasae_session_get(f->s, &p, id, T0 + 912, &sess, &err), SASAE_ENOTFOUND);
	assert_int_equal(login_at(f->s, &p, "tanaka", PW, "10.0.0.1", T0 + 913, id, NULL, &err), SASAE_EAUTH);
	assert_int_equal(login_at(f->s, &p, "tanaka", PW2, "10.0.0.1", T0 + 914, id, NULL, &err), 0);
}

static void test_lockout_address(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	sasae_login_policy p = sasae_login_policy_default();
	p.address_failures = 3;
	p.account_failures = 100;
	add_user(f->s, "tanaka", "", PW);
	char id[SASAE_SESSION_ID_LEN + 1];
	int64_t retry = 0;
	/* two failures from A (different logins), a success from A: the address keeps its count */
	assert_int_equal(login_at(f->s, &p, "ito", "not the password", "192.0.2.1", T0, id, NULL, &err),
			 SASAE_EAUTH);
	assert_int_equal(login_at(f->s, &p, "ueda", "not the password", "192.0.2.1", T0 + 1, id, NULL, &err),
			 SASAE_EAUTH);
	assert_int_equal(login_at(f->s, &p, "tanaka", PW, "192.0.2.1", T0 + 2, id, NULL, &err), 0);
	assert_int_equal(login_at(f->s, &p, "endo", "not the password", "192.0.2.1", T0 + 3, id, NULL, &err),
			 SASAE_EAUTH);
	/* three failures from A within the window: A is locked, for every login */
	assert_int_equal(login_at(f->s, &p, "tanaka", PW, "192.0.2.1", T0 + 4, id, &retry, &err),
			 SASAE_ELOCKED);
	assert_int_equal(retry, T0 + 3 + 900);
	/* another address is not */
	assert_int_equal(login_at(f->s, &p, "tanaka", PW, "192.0.2.2", T0 + 5, id, NULL, &err), 0);
	/* 900 s after the last failure the lock ends */
	assert_int_equal(login_at(f->s, &p, "tanaka", PW, "192.0.2.1", T0 + 3 + 900, id, NULL, &err), 0);
}

/* ---- sessions ---- */

static void test_session_expiry(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	add_user(f->s, "tanaka", "田中", PW);
	const sasae_login_policy *p = NULL; /* the defaults: 1800 s idle, 43200 s absolute */
	char id[SASAE_SESSION_ID_LEN + 1];
	assert_int_equal(login_at(f->s, p, "tanaka", PW, "10.0.0.1", T0, id, NULL, &err), 0);
	sasae_session s;
	assert_int_equal(sasae_session_get(f->s, p, id, T0 + 10, &s, &err), 0);
	assert_string_equal(s.user.login, "tanaka");
	assert_string_equal(s.user.display_name, "田中");
	assert_int_equal(s.signed_in_at, T0);
	assert_int_equal(s.last_seen_at, T0); /* used 10 s later: not written (at most once a minute) */
	assert_int_equal(s.expires_at, T0 + 1800);
	sasae_session_clear(&s);
	assert_int_equal(sasae_session_get(f->s, p, id, T0 + 1000, &s, &err), 0);
	assert_int_equal(s.last_seen_at, T0 + 1000);
	assert_int_equal(s.expires_at, T0 + 2800);
	sasae_session_clear(&s);
	/* idle: 1800 s without use ends it, and the row goes */
	assert_int_equal(sasae_session_get(f->s, p, id, T0 + 2799, &s, &err), 0);
	sasae_session_clear(&s);
	assert_int_equal(sasae_session_get(f->s, p, id, T0 + 2799 + 1800, &s, &err), SASAE_ENOTFOUND);
	assert_int_equal(rows(f->db, "SELECT count(*) FROM session"), 0);
	assert_int_equal(sasae_session_get(f->s, p, id, T0 + 2799 + 1800, &s, &err), SASAE_ENOTFOUND);

	/* absolute: used every 1000 s, it still ends 43200 s after sign-in */
	int64_t t1 = T0 + 100000;
	assert_int_equal(login_at(f->s, p, "tanaka", PW, "10.0.0.1", t1, id, NULL, &err), 0);
	for (int64_t t = t1 + 1000; t < t1 + 43200; t += 1000) {
		assert_int_equal(sasae_session_get(f->s, p, id, t, &s, &err), 0);
		sasae_session_clear(&s);
	}
	assert_int_equal(sasae_session_get(f->s, p, id, t1 + 43199, &s, &err), 0);
	assert_int_equal(s.expires_at, t1 + 43200); /* the earlier of the two ends */
	sasae_session_clear(&s);
	assert_int_equal(sasae_session_get(f->s, p, id, t1 + 43200, &s, &err), SASAE_ENOTFOUND);
	assert_int_equal(rows(f->db, "SELECT count(*) FROM session"), 0);

	/* malformed and unknown ids */
	assert_int_equal(sasae_session_get(f->s, p, "", T0, &s, &err), SASAE_ENOTFOUND);
	assert_int_equal(sasae_session_get(f->s, p, NULL, T0, &s, &err), SASAE_ENOTFOUND);
	assert_int_equal(sasae_session_get(f->s, p, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", T0, &s, &err),
			 SASAE_ENOTFOUND);
	assert_int_equal(sasae_session_get(f->s, p, "!AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", T0, &s, &err),
			 SASAE_ENOTFOUND);
}

static void test_fixation_and_logout(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	add_user(f->s, "tanaka", "", PW);
	char id1[SASAE_SESSION_ID_LEN + 1], id2[SASAE_SESSION_ID_LEN + 1];
	int64_t retry;
	assert_int_equal(sasae_login(f->s, NULL, "tanaka", PW, "10.0.0.1", NULL, T0, id1, &retry, &err), 0);
	/* signing in again with the id the browser holds: that one ends, a fresh one is made */
	assert_int_equal(sasae_login(f->s, NULL, "tanaka", PW, "10.0.0.1", id1, T0 + 5, id2, &retry, &err), 0);
	assert_string_not_equal(id1, id2);
	sasae_session s;
	assert_int_equal(sasae_session_get(f->s, NULL, id1, T0 + 6, &s, &err), SASAE_ENOTFOUND);
	assert_int_equal(sasae_session_get(f->s, NULL, id2, T0 + 6, &s, &err), 0);
	sasae_session_clear(&s);
	assert_int_equal(rows(f->db, "SELECT count(*) FROM session"), 1);
	/* an id that an attacker planted and that no session has is simply not there */
	size_t before = audit_count(f->s);
	assert_int_equal(sasae_logout(f->s, "not-a-session-id", "10.0.0.1", &err), 0);
	assert_int_equal(sasae_logout(f->s, id1, "10.0.0.1", &err), 0);
	assert_int_equal(audit_count(f->s), before);
	assert_int_equal(sasae_logout(f->s, id2, "10.0.0.1", &err), 0);
	expect_last(f->s, "session.logout", "user:tanaka", "tanaka", NULL, NULL);
	assert_int_equal(sasae_session_get(f->s, NULL, id2, T0 + 7, &s, &err), SASAE_ENOTFOUND);
	assert_int_equal(rows(f->db, "SELECT count(*) FROM session"), 0);
}

static void test_disabled_user(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	add_user(f->s, "tanaka", "", PW);
	char id[SASAE_SESSION_ID_LEN + 1], wrong_msg[512];
	assert_int_equal(login_at(f->s, NULL, "tanaka", "not the password", "10.0.0.1", T0, id, NULL, &err),
			 SASAE_EAUTH);
	snprintf(wrong_msg, sizeof wrong_msg, "%s", err.message);
	assert_int_equal(login_at(f->s, NULL, "tanaka", PW, "10.0.0.1", T0 + 1, id, NULL, &err), 0);
	assert_int_equal(sasae_user_disable(f->s, &cli, "tanaka", true, &err), 0);
	expect_last(f->s, "user.disable", "user:tanaka", "", "{\"disabled\":false}",
		    "{\"disabled\":true,\"sessions_ended\":1}");
	size_t n = audit_count(f->s);
	assert_int_equal(sasae_user_disable(f->s, &cli, "tanaka", true, &err), 0); /* no change, no row */
	assert_int_equal(audit_count(f->s), n);
	sasae_session s;
	assert_int_equal(sasae_session_get(f->s, NULL, id, T0 + 2, &s, &err), SASAE_ENOTFOUND);
	/* the right password: refused with the message of a wrong one */
	assert_int_equal(login_at(f->s, NULL, "tanaka", PW, "10.0.0.1", T0 + 3, id, NULL, &err), SASAE_EAUTH);
	assert_string_equal(err.message, wrong_msg);
	assert_int_equal(rows(f->db, "SELECT count(*) FROM session"), 0);
	assert_int_equal(sasae_user_disable(f->s, &cli, "tanaka", false, &err), 0);
	expect_last(f->s, "user.enable", "user:tanaka", "", "{\"disabled\":true}", "{\"disabled\":false}");
	assert_int_equal(login_at(f->s, NULL, "tanaka", PW, "10.0.0.1", T0 + 4, id, NULL, &err), 0);
	assert_int_equal(sasae_user_disable(f->s, &cli, "nobody", true, &err), SASAE_ENOTFOUND);
}

static void test_passwd(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	add_user(f->s, "tanaka", "", PW);
	char a[SASAE_SESSION_ID_LEN + 1], b[SASAE_SESSION_ID_LEN + 1];
	assert_int_equal(login_at(f->s, NULL, "tanaka", PW, "10.0.0.1", T0, a, NULL, &err), 0);
	assert_int_equal(login_at(f->s, NULL, "tanaka", PW, "10.0.0.2", T0 + 1, b, NULL, &err), 0);
	size_t n = audit_count(f->s);
	/* a new password against the policy: refused, nothing changed */
	assert_int_equal(sasae_user_passwd(f->s, &cli, "tanaka", "short", &err), SASAE_EUSAGE);
	assert_int_equal(sasae_user_passwd(f->s, &cli, "tanaka", "tanaka", &err), SASAE_EUSAGE);
	assert_int_equal(sasae_user_passwd(f->s, &cli, "nobody", PW2, &err), SASAE_ENOTFOUND);
	assert_int_equal(audit_count(f->s), n);
	assert_int_equal(rows(f->db, "SELECT count(*) FROM session"), 2);
	assert_int_equal(sasae_user_passwd(f->s, &cli, "tanaka", PW2, &err), 0);
	expect_last(f->s, "user.passwd", "user:tanaka", "", NULL,
		    "{\"password_changed\":true,\"sessions_ended\":2}");
	sasae_session s;
	assert_int_equal(sasae_session_get(f->s, NULL, a, T0 + 2, &s, &err), SASAE_ENOTFOUND);
	assert_int_equal(sasae_session_get(f->s, NULL, b, T0 + 2, &s, &err), SASAE_ENOTFOUND);
	assert_int_equal(login_at(f->s, NULL, "tanaka", PW, "10.0.0.1", T0 + 3, a, NULL, &err), SASAE_EAUTH);
	assert_int_equal(login_at(f->s, NULL, "tanaka", PW2, "10.0.0.1", T0 + 4, a, NULL, &err), 0);
}

static void test_csrf(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	add_user(f->s, "tanaka", "", PW);
	char a[SASAE_SESSION_ID_LEN + 1], b[SASAE_SESSION_ID_LEN + 1];
	assert_int_equal(login_at(f->s, NULL, "tanaka", PW, "10.0.0.1", T0, a, NULL, &err), 0);
	assert_int_equal(login_at(f->s, NULL, "tanaka", PW, "10.0.0.2", T0, b, NULL, &err), 0);
	sasae_session sa, sb;
	assert_int_equal(sasae_session_get(f->s, NULL, a, T0 + 1, &sa, &err), 0);
	assert_int_equal(sasae_session_get(f->s, NULL, b, T0 + 1, &sb, &err), 0);
	assert_int_equal(strlen(sa.csrf), SASAE_CSRF_TOKEN_LEN);
	assert_string_not_equal(sa.csrf, a); /* derived from the id, not the id */
	assert_string_not_equal(sa.csrf, sb.csrf);
	assert_true(sasae_csrf_check(a, sa.csrf));
	assert_true(sasae_csrf_check(b, sb.csrf));
	assert_false(sasae_csrf_check(a, sb.csrf)); /* another session's token */
	assert_false(sasae_csrf_check(b, sa.csrf));
	char wrong[SASAE_CSRF_TOKEN_LEN + 1];
	memcpy(wrong, sa.csrf, sizeof wrong);
	wrong[10] = wrong[10] == 'A' ? 'B' : 'A';
	assert_false(sasae_csrf_check(a, wrong));
	wrong[SASAE_CSRF_TOKEN_LEN - 1] = '\0';
	assert_false(sasae_csrf_check(a, wrong)); /* too short */
	assert_false(sasae_csrf_check(a, ""));
	assert_false(sasae_csrf_check(a, NULL));
	assert_false(sasae_csrf_check("not-an-id", sa.csrf));
	/* the same id gives the same token every time (nothing stored) */
	sasae_session again;
	assert_int_equal(sasae_session_get(f->s, NULL, a, T0 + 2, &again, &err), 0);
	assert_string_equal(again.csrf, sa.csrf);
	sasae_session_clear(&again);
	sasae_session_clear(&sa);
	sasae_session_clear(&sb);
}

/* Whether the bytes of file path contain needle. */
static bool file_has(const char *path, const void *needle, size_t n)
{
	FILE *fp = fopen(path, "rb");
	if (fp == NULL)
		return false;
	fclose(fp);
	size_t len = 0;
	char *bytes = tu_read_file(path, &len);
	bool found = false;
	for (size_t i = 0; i + n <= len && !found; i++)
		found = memcmp(bytes + i, needle, n) == 0;
	free(bytes);
	return found;
}

static void test_no_secrets_stored(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	add_user(f->s, "tanaka", "", PW);
	assert_int_equal(sasae_user_passwd(f->s, &cli, "tanaka", PW2, &err), 0);
	char id[SASAE_SESSION_ID_LEN + 1], old_id[SASAE_SESSION_ID_LEN + 1];
	assert_int_equal(login_at(f->s, NULL, "tanaka", PW, "10.0.0.1", T0, id, NULL, &err), SASAE_EAUTH);
	assert_int_equal(login_at(f->s, NULL, "tanaka", PW2, "10.0.0.1", T0 + 1, old_id, NULL, &err), 0);
	assert_int_equal(sasae_login(f->s, NULL, "tanaka", PW2, "10.0.0.1", old_id, T0 + 2, id, &(int64_t){0},
				     &err),
			 0);
	sasae_session s;
	assert_int_equal(sasae_session_get(f->s, NULL, id, T0 + 100, &s, &err), 0);
	char csrf[SASAE_CSRF_TOKEN_LEN + 1];
	memcpy(csrf, s.csrf, sizeof csrf);
	sasae_session_clear(&s);
	assert_int_equal(sasae_logout(f->s, old_id, "10.0.0.1", &err), 0);
	/* the audit rows say what happened … */
	assert_true(audit_count(f->s) >= 5);
	sasae_store_close(f->s);
	f->s = NULL;
	/* … and neither the database nor its WAL holds a password, a session id or a token */
	char *wal = tu_join(f->dir, "sasae.db-wal");
	const char *files[] = {f->db, wal};
	const char *secrets[] = {PW, PW2, id, old_id, csrf};
	for (size_t i = 0; i < 2; i++)
		for (size_t k = 0; k < sizeof secrets / sizeof secrets[0]; k++)
			if (file_has(files[i], secrets[k], strlen(secrets[k])))
				fail_msg("%s holds secret %zu", files[i], k);
	/* the control: the file is readable and holds what is not secret */
	assert_true(file_has(f->db, "session.login-failed", 20) || file_has(wal, "session.login-failed", 20));
	free(wal);
	sasae_error e2 = {0};
	assert_int_equal(sasae_store_open(&f->s, f->db, 0, &e2), 0);
}

/* ---- the audit log's filter ---- */

static void test_audit_filter(void **state)
{
	fixture *f = *state;
	sasae_error err = {0};
	add_user(f->s, "tanaka", "", PW);
	add_user(f->s, "suzuki", "", PW2);
	char id[SASAE_SESSION_ID_LEN + 1];
	/* rows at the test clock's times: 2024-01-10T10:00:00Z, 2024-01-11T00:00:00Z, 2024-01-12T23:59:59Z */
	assert_int_equal(login_at(f->s, NULL, "tanaka", PW, "10.0.0.1", T0, id, NULL, &err), 0);
	assert_int_equal(login_at(f->s, NULL, "suzuki", "wrong password!", "10.0.0.2", T0 + 50400, id, NULL,
				  &err),
			 SASAE_EAUTH);
	assert_int_equal(login_at(f->s, NULL, "suzuki", PW2, "10.0.0.2", T0 + 50400 + 86400 + 86399, id, NULL,
				  &err),
			 0);

	static const struct {
		sasae_audit_filter f;
		size_t total;
		const char *first_action; /* the newest match */
	} cases[] = {
		{{0}, 5, "session.login"},
		{{.login = "tanaka"}, 1, "session.login"},
		{{.login = "suzuki"}, 2, "session.login"},
		{{.login = ""}, 2, "user.add"}, /* the operator */
		{{.target = "user:tanaka"}, 2, "session.login"},
		{{.target = "user"}, 5, "session.login"}, /* user:… */
		{{.target = "user:"}, 0, NULL},           /* not a target, nor one followed by ':' or '@' */
		{{.target = "user:tan"}, 0, NULL},        /* a prefix that is not followed by ':' or '@' */
		{{.action = "session.login"}, 2, "session.login"}, /* exactly: not session.login-failed */
		{{.action = "session."}, 3, "session.login"},
		{{.action = "user."}, 2, "user.add"},
		{{.action = "session"}, 0, NULL},
		{{.since = "2024-01-11", .until = "2024-01-12"}, 2, "session.login"},
		{{.until = "2024-01-10"}, 1, "session.login"},           /* the whole day */
		{{.until = "2024-01-10T10:00:00Z"}, 1, "session.login"}, /* inclusive */
		{{.until = "2024-01-10T09:59:59Z"}, 0, NULL},
		{{.since = "2024-01-10T10:00:00.001Z", .until = "2024-01-11T00:00"}, 1, "session.login-failed"},
		{{.since = "2024-01-12T23:59:59", .until = "2024-01-12T23:59"}, 1, "session.login"},
		{{.login = "suzuki", .action = "session.login-failed", .until = "2024-12-31"},
		 1,
		 "session.login-failed"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sasae_audit_entry *e = NULL;
		size_t n = 0, total = 0;
		if (sasae_audit_list(f->s, &cases[i].f, &e, &n, &total, &err) != 0)
			fail_msg("case %zu: %s", i, err.message);
		if (total != cases[i].total || n != total)
			fail_msg("case %zu: %zu rows (total %zu), want %zu", i, n, total, cases[i].total);
		if (cases[i].first_action)
			assert_string_equal(e[0].action, cases[i].first_action);
		for (size_t k = 1; k < n; k++)
			assert_true(e[k - 1].id > e[k].id); /* newest first */
		sasae_audit_free(e, n);
	}
	/* limit and offset page; total counts all */
	sasae_audit_filter page = {.limit = 2, .offset = 1};
	sasae_audit_entry *e = NULL;
	size_t n = 0, total = 0;
	assert_int_equal(sasae_audit_list(f->s, &page, &e, &n, &total, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(total, 5);
	assert_string_equal(e[0].action, "session.login-failed");
	assert_string_equal(e[0].address, "10.0.0.2");
	assert_string_equal(e[0].at, "2024-01-11T00:00:00.000Z");
	assert_string_equal(e[1].action, "session.login");
	sasae_audit_free(e, n);
	/* malformed dates are refused with the parameter named */
	const char *bad[] = {"2024-13-01", "2024-1-1", "yesterday", "2024-01-10T25:00", "2024-01-10 10:00"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		sasae_audit_filter b = {.since = bad[i]};
		assert_int_equal(sasae_audit_list(f->s, &b, &e, &n, &total, &err), SASAE_EUSAGE);
		assert_non_null(strstr(err.message, "since"));
		sasae_audit_filter u = {.until = bad[i]};
		assert_int_equal(sasae_audit_list(f->s, &u, &e, &n, &total, &err), SASAE_EUSAGE);
		assert_non_null(strstr(err.message, "until"));
	}
}

/* ---- the audit log's two file formats, one writer for the CLI and the workspace ---- */

static void test_audit_formats(void **state)
{
	(void)state;
	sasae_audit_entry e[2] = {
		{.id = 7,
		 .at = (char[]){"2026-04-01T09:30:00.000Z"},
		 .login = (char[]){"tanaka"},
		 .address = (char[]){"192.0.2.1"},
		 .action = (char[]){"lint.triage"},
		 .target = (char[]){"plan:sendai@1"},
		 .before = NULL,
		 .after = (char[]){"{\"reason\":\"=1+1, 再掲\"}"}},
		{.id = 8,
		 .at = (char[]){"2026-04-01T09:31:00.000Z"},
		 .login = (char[]){"-x"},
		 .address = (char[]){"cli"},
		 .action = (char[]){"session.login-failed"},
		 .target = (char[]){"user:-x"},
		 .before = NULL,
		 .after = NULL},
	};
	sasae_buf b = SASAE_BUF_INIT;
	sasae_audit_csv(&b, e, 2, false);
	assert_true(sasae_buf_ok(&b));
	assert_string_equal(sasae_buf_cstr(&b),
			    "id,at,login,address,action,target,before,after\r\n"
			    "7,2026-04-01T09:30:00.000Z,tanaka,192.0.2.1,lint.triage,plan:sendai@1,,"
			    "\"{\"\"reason\"\":\"\"=1+1, 再掲\"\"}\"\r\n"
			    "8,2026-04-01T09:31:00.000Z,\"'-x\",cli,session.login-failed,user:-x,,\r\n");
	sasae_buf_free(&b);
	sasae_audit_csv(&b, e, 0, true);
	assert_string_equal(sasae_buf_cstr(&b),
			    "\xEF\xBB\xBF番号,日時,利用者,アドレス,操作,対象,変更前,変更後\r\n");
	sasae_buf_free(&b);
	json_t *j = sasae_audit_json(e, 2);
	assert_non_null(j);
	assert_int_equal(json_array_size(j), 2);
	json_t *first = json_array_get(j, 0);
	assert_int_equal(json_integer_value(json_object_get(first, "id")), 7);
	assert_true(json_is_null(json_object_get(first, "before")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(first, "after"), "reason")),
			    "=1+1, 再掲");
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 1), "login")), "-x");
	json_decref(j);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_password_policy),
		cmocka_unit_test(test_login_check),
		cmocka_unit_test(test_audit_formats),
		T(test_user_add_list),
		T(test_roles_grant_revoke),
		T(test_login_verify),
		T(test_lockout_account),
		T(test_password_change),
		T(test_lockout_address),
		T(test_session_expiry),
		T(test_fixation_and_logout),
		T(test_disabled_user),
		T(test_passwd),
		T(test_csrf),
		T(test_no_secrets_stored),
		T(test_audit_filter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
