/*
 * accounts.c — the SQLite backend's rows for accounts, sessions, failed sign-ins, the audit log and
 * the plan office's decisions (schema 005; the table of functions in src/store/backend.h, version 2).
 * It stores and looks up; every rule is the core's (src/accounts/).  Writes run inside the core's
 * transaction (sqlb_tx_begin … sqlb_tx_commit); every statement is prepared with bound parameters.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_store.h"

static int oom(sasae_error *err) { return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません"); }

/* Bind a text parameter (NULL binds SQL NULL). */
static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* A copy of a text column, NULL for SQL NULL; *bad set when out of memory. */
static char *col_text_or_null(sqlite3_stmt *st, int i, bool *bad)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	char *t = sqlb_col_text(st, i);
	if (t == NULL)
		*bad = true;
	return t;
}

/* Grow *v (of *n elements of size sz) by one zeroed element; returns it or NULL. */
static void *push(void *v, size_t *n, size_t sz)
{
	void **pv = v;
	char *p = realloc(*pv, (*n + 1) * sz);
	if (p == NULL)
		return NULL;
	*pv = p;
	memset(p + *n * sz, 0, sz);
	return p + (*n)++ * sz;
}

/* Prepare sql, bind nothing; the caller binds, steps and finalizes. */
#define PREP(st, sql)                                          \
	do {                                                   \
		int prc_ = sqlb_prepare(s, &(st), (sql), err); \
		if (prc_)                                      \
			return prc_;                           \
	} while (0)

/* Step a write statement once, finalize it. */
static int run_write(sqlb *s, sqlite3_stmt *st, sasae_error *err)
{
	int rc = sqlb_step_done(s, st, err);
	sqlite3_finalize(st);
	return rc;
}

/* ---- transactions ---- */

int sqlb_tx_begin(sasae_store_backend *b, sasae_error *err)
{
	return sqlb_exec((sqlb *)b, "BEGIN IMMEDIATE", err, "書き込み開始");
}

int sqlb_tx_commit(sasae_store_backend *b, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	int rc = sqlb_exec(s, "COMMIT", err, "書き込みの確定");
	if (rc)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

void sqlb_tx_rollback(sasae_store_backend *b)
{
	sqlb *s = (sqlb *)b;
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- users ---- */

/* Load the grants of user u (ordered by role, then department). */
static int load_grants(sqlb *s, sasae_user *u, sasae_error *err)
{
	sqlite3_stmt *st = NULL;
	PREP(st, "SELECT role, department FROM account_role WHERE account_id = ?1 ORDER BY role, department");
	sqlite3_bind_int64(st, 1, u->id);
	int rc = 0, r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		sasae_grant *g = push(&u->grants, &u->ngrants, sizeof *g);
		if (g == NULL) {
			rc = oom(err);
			break;
		}
		g->role = (sasae_role)sqlite3_column_int(st, 0);
		const unsigned char *d = sqlite3_column_text(st, 1);
		if (d && *d && (g->department = sasae_strdup((const char *)d)) == NULL) {
			rc = oom(err);
			break;
		}
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = sqlb_db_error(s, err, "読み取り");
	sqlite3_finalize(st);
	return rc;
}

/* Fill u from a row of (id, login, display_name, disabled, created_at, last_login_at). */
static int user_from_row(sqlb *s, sqlite3_stmt *st, sasae_user *u, sasae_error *err)
{
	bool bad = false;
	memset(u, 0, sizeof *u);
	u->id = sqlite3_column_int64(st, 0);
	u->login = sqlb_col_text(st, 1);
	u->display_name = sqlb_col_text(st, 2);
	u->disabled = sqlite3_column_int(st, 3) != 0;
	u->created_at = sqlb_col_text(st, 4);
	u->last_login_at = col_text_or_null(st, 5, &bad);
	if (bad || !u->login || !u->display_name || !u->created_at)
		return oom(err);
	return load_grants(s, u, err);
}

int sqlb_user_list(sasae_store_backend *b, sasae_user **out, size_t *n, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = NULL;
	PREP(st,
	     "SELECT id, login, display_name, disabled, created_at, last_login_at FROM account ORDER BY login");
	sasae_user *v = NULL;
	size_t cnt = 0;
	int rc = 0, r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		sasae_user *u = push(&v, &cnt, sizeof *u);
		if (u == NULL) {
			rc = oom(err);
			break;
		}
		if ((rc = user_from_row(s, st, u, err)) != 0)
			break;
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = sqlb_db_error(s, err, "読み取り");
	sqlite3_finalize(st);
	if (rc) {
		sasae_users_free(v, cnt);
		return rc;
	}
	*out = v;
	*n = cnt;
	return 0;
}

int sqlb_user_get(sasae_store_backend *b, const char *login, int64_t id, sasae_user *out, char **hash,
		  sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	memset(out, 0, sizeof *out);
	if (hash)
		*hash = NULL;
	sqlite3_stmt *st = NULL;
	if (login) {
		PREP(st, "SELECT id, login, display_name, disabled, created_at, last_login_at, password_hash"
			 " FROM account WHERE login = ?1");
		sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
	} else {
		PREP(st, "SELECT id, login, display_name, disabled, created_at, last_login_at, password_hash"
			 " FROM account WHERE id = ?1");
		sqlite3_bind_int64(st, 1, id);
	}
	int rc = 0;
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		rc = user_from_row(s, st, out, err);
		if (rc == 0 && hash && (*hash = sqlb_col_text(st, 6)) == NULL)
			rc = oom(err);
	} else if (r == SQLITE_DONE) {
		rc = SASAE_ENOTFOUND;
	} else {
		rc = sqlb_db_error(s, err, "読み取り");
	}
	sqlite3_finalize(st);
	if (rc) {
		sasae_user_clear(out);
		if (hash) {
			free(*hash);
			*hash = NULL;
		}
	}
	return rc;
}

int sqlb_user_insert(sasae_store_backend *b, const char *login, const char *display_name, const char *hash,
		     const char *created_at, int64_t *id, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	sqlite3_stmt *st = NULL;
	PREP(st,
	     "INSERT INTO account (login, display_name, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)");
	bind_text(st, 1, login);
	bind_text(st, 2, display_name ? display_name : "");
	bind_text(st, 3, hash);
	bind_text(st, 4, created_at);
	int rc = run_write(s, st, err);
	if (rc == 0)
		*id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

int sqlb_user_set_hash(sasae_store_backend *b, int64_t id, const char *hash, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	sqlite3_stmt *st = NULL;
	PREP(st, "UPDATE account SET password_hash = ?2 WHERE id = ?1");
	sqlite3_bind_int64(st, 1, id);
	bind_text(st, 2, hash);
	return run_write(s, st, err);
}

int sqlb_user_set_disabled(sasae_store_backend *b, int64_t id, bool disabled, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	sqlite3_stmt *st = NULL;
	PREP(st, "UPDATE account SET disabled = ?2 WHERE id = ?1");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, disabled ? 1 : 0);
	return run_write(s, st, err);
}

int sqlb_user_set_last_login(sasae_store_backend *b, int64_t id, const char *at, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	sqlite3_stmt *st = NULL;
	PREP(st, "UPDATE account SET last_login_at = ?2 WHERE id = ?1");
	sqlite3_bind_int64(st, 1, id);
	bind_text(st, 2, at);
	return run_write(s, st, err);
}

int sqlb_grant_put(sasae_store_backend *b, int64_t id, bool add, int role, const char *department,
		   bool *changed, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	sqlite3_stmt *st = NULL;
	if (add)
		PREP(st,
		     "INSERT OR IGNORE INTO account_role (account_id, role, department) VALUES (?1, ?2, ?3)");
	else
		PREP(st, "DELETE FROM account_role WHERE account_id = ?1 AND role = ?2 AND department = ?3");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, role);
	bind_text(st, 3, department ? department : "");
	int rc = run_write(s, st, err);
	if (rc == 0)
		*changed = sqlite3_changes(s->db) > 0;
	return rc;
}

/* ---- sessions ---- */

int sqlb_session_insert(sasae_store_backend *b, const unsigned char hash[32], int64_t account_id, int64_t now,
			const char *address, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	sqlite3_stmt *st = NULL;
	PREP(st, "INSERT INTO session (id_hash, account_id, signed_in_at, last_seen_at, address)"
		 " VALUES (?1, ?2, ?3, ?3, ?4)");
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, account_id);
	sqlite3_bind_int64(st, 3, now);
	bind_text(st, 4, address ? address : "");
	return run_write(s, st, err);
}

int sqlb_session_get(sasae_store_backend *b, const unsigned char hash[32], sasae_backend_session *out,
		     sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = NULL;
	PREP(st, "SELECT account_id, signed_in_at, last_seen_at FROM session WHERE id_hash = ?1");
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	int r = sqlite3_step(st), rc = 0;
	if (r == SQLITE_ROW) {
		out->account_id = sqlite3_column_int64(st, 0);
		out->signed_in_at = sqlite3_column_int64(st, 1);
		out->last_seen_at = sqlite3_column_int64(st, 2);
	} else if (r == SQLITE_DONE) {
		rc = SASAE_ENOTFOUND;
	} else {
		rc = sqlb_db_error(s, err, "読み取り");
	}
	sqlite3_finalize(st);
	return rc;
}

int sqlb_session_touch(sasae_store_backend *b, const unsigned char hash[32], int64_t now, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	sqlite3_stmt *st = NULL;
	PREP(st, "UPDATE session SET last_seen_at = ?2 WHERE id_hash = ?1");
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	return run_write(s, st, err);
}

int sqlb_session_delete(sasae_store_backend *b, const unsigned char hash[32], sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	sqlite3_stmt *st = NULL;
	PREP(st, "DELETE FROM session WHERE id_hash = ?1");
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	return run_write(s, st, err);
}

int sqlb_session_delete_user(sasae_store_backend *b, int64_t account_id, size_t *n, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	sqlite3_stmt *st = NULL;
	PREP(st, "DELETE FROM session WHERE account_id = ?1");
	sqlite3_bind_int64(st, 1, account_id);
	int rc = run_write(s, st, err);
	if (n)
		*n = rc == 0 ? (size_t)sqlite3_changes(s->db) : 0;
	return rc;
}

/* ---- failed sign-ins ---- */

int sqlb_failure_add(sasae_store_backend *b, const char *kind, const char *key, int64_t at, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	sqlite3_stmt *st = NULL;
	PREP(st, "INSERT INTO login_failure (kind, key, at) VALUES (?1, ?2, ?3)");
	bind_text(st, 1, kind);
	bind_text(st, 2, key);
	sqlite3_bind_int64(st, 3, at);
	return run_write(s, st, err);
}

int sqlb_failure_count(sasae_store_backend *b, const char *kind, const char *key, int64_t since, int *count,
		       int64_t *last, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	*count = 0;
	*last = 0;
	sqlite3_stmt *st = NULL;
	PREP(st,
	     "SELECT count(*), coalesce(max(at), 0) FROM login_failure WHERE kind = ?1 AND key = ?2 AND at > ?3");
	bind_text(st, 1, kind);
	bind_text(st, 2, key);
	sqlite3_bind_int64(st, 3, since);
	int rc = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*count = sqlite3_column_int(st, 0);
		*last = sqlite3_column_int64(st, 1);
	} else {
		rc = sqlb_db_error(s, err, "読み取り");
	}
	sqlite3_finalize(st);
	return rc;
}

int sqlb_failure_clear(sasae_store_backend *b, const char *kind, const char *key, int64_t before,
		       sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	sqlite3_stmt *st = NULL;
	if (key) {
		PREP(st, "DELETE FROM login_failure WHERE kind = ?1 AND key = ?2");
		bind_text(st, 1, kind);
		bind_text(st, 2, key);
	} else {
		PREP(st, "DELETE FROM login_failure WHERE at < ?1");
		sqlite3_bind_int64(st, 1, before);
	}
	return run_write(s, st, err);
}

/* ---- the audit log ---- */

int sqlb_audit_add(sasae_store_backend *b, const sasae_audit_entry *e, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	sqlite3_stmt *st = NULL;
	PREP(st, "INSERT INTO audit (at, login, address, action, target, before, after)"
		 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	bind_text(st, 1, e->at);
	bind_text(st, 2, e->login ? e->login : "");
	bind_text(st, 3, e->address ? e->address : "");
	bind_text(st, 4, e->action);
	bind_text(st, 5, e->target);
	bind_text(st, 6, e->before);
	bind_text(st, 7, e->after);
	return run_write(s, st, err);
}

/* The WHERE clause of an audit query: each condition is off when its parameter is NULL. */
#define AUDIT_WHERE                                                                                       \
	" WHERE (?1 IS NULL OR login = ?1)"                                                               \
	" AND (?2 IS NULL OR target = ?2 OR substr(target, 1, length(?2) + 1) IN (?2 || ':', ?2 || '@'))" \
	" AND (?3 IS NULL OR action = ?3)"                                                                \
	" AND (?4 IS NULL OR substr(action, 1, length(?4)) = ?4)"                                         \
	" AND (?5 IS NULL OR at >= ?5)"                                                                   \
	" AND (?6 IS NULL OR at <= ?6)"

static void bind_audit_query(sqlite3_stmt *st, const sasae_backend_audit_query *q)
{
	bind_text(st, 1, q->login);
	bind_text(st, 2, q->target);
	bind_text(st, 3, q->action_prefix ? NULL : q->action);
	bind_text(st, 4, q->action_prefix ? q->action : NULL);
	bind_text(st, 5, q->since);
	bind_text(st, 6, q->until);
}

int sqlb_audit_list(sasae_store_backend *b, const sasae_backend_audit_query *q, sasae_audit_entry **out,
		    size_t *n, size_t *total, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	*out = NULL;
	*n = 0;
	*total = 0;
	sqlite3_stmt *st = NULL;
	PREP(st, "SELECT count(*) FROM audit" AUDIT_WHERE);
	bind_audit_query(st, q);
	int rc = 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		*total = (size_t)sqlite3_column_int64(st, 0);
	else
		rc = sqlb_db_error(s, err, "読み取り");
	sqlite3_finalize(st);
	if (rc)
		return rc;
	PREP(st, "SELECT id, at, login, address, action, target, before, after FROM audit" AUDIT_WHERE
		 " ORDER BY id DESC LIMIT ?7 OFFSET ?8");
	bind_audit_query(st, q);
	sqlite3_bind_int64(st, 7, q->limit > 0 ? q->limit : -1);
	sqlite3_bind_int64(st, 8, q->offset > 0 ? q->offset : 0);
	sasae_audit_entry *v = NULL;
	size_t cnt = 0;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		sasae_audit_entry *e = push(&v, &cnt, sizeof *e);
		if (e == NULL) {
			rc = oom(err);
			break;
		}
		bool bad = false;
		e->id = sqlite3_column_int64(st, 0);
		e->at = sqlb_col_text(st, 1);
		e->login = sqlb_col_text(st, 2);
		e->address = sqlb_col_text(st, 3);
		e->action = sqlb_col_text(st, 4);
		e->target = sqlb_col_text(st, 5);
		e->before = col_text_or_null(st, 6, &bad);
		e->after = col_text_or_null(st, 7, &bad);
		if (bad || !e->at || !e->login || !e->address || !e->action || !e->target) {
			rc = oom(err);
			break;
		}
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = sqlb_db_error(s, err, "読み取り");
	sqlite3_finalize(st);
	if (rc) {
		sasae_audit_free(v, cnt);
		return rc;
	}
	*out = v;
	*n = cnt;
	return 0;
}

/* ---- plans and versions ---- */

int sqlb_plan_id(sasae_store_backend *b, const char *slug, int64_t *plan_id, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	*plan_id = 0;
	sqlite3_stmt *st = NULL;
	PREP(st, "SELECT id FROM plan WHERE slug = ?1");
	bind_text(st, 1, slug);
	int r = sqlite3_step(st), rc = 0;
	if (r == SQLITE_ROW)
		*plan_id = sqlite3_column_int64(st, 0);
	else if (r == SQLITE_DONE)
		rc = SASAE_ENOTFOUND;
	else
		rc = sqlb_db_error(s, err, "読み取り");
	sqlite3_finalize(st);
	return rc;
}

int sqlb_version_label(sasae_store_backend *b, int64_t version_id, char **slug, int *seq, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	*slug = NULL;
	*seq = 0;
	sqlite3_stmt *st = NULL;
	PREP(st, "SELECT p.slug, v.seq FROM version v JOIN plan p ON p.id = v.plan_id WHERE v.id = ?1");
	sqlite3_bind_int64(st, 1, version_id);
	int r = sqlite3_step(st), rc = 0;
	if (r == SQLITE_ROW) {
		*seq = sqlite3_column_int(st, 1);
		if ((*slug = sqlb_col_text(st, 0)) == NULL)
			rc = oom(err);
	} else if (r == SQLITE_DONE) {
		rc = SASAE_ENOTFOUND;
	} else {
		rc = sqlb_db_error(s, err, "読み取り");
	}
	sqlite3_finalize(st);
	return rc;
}

int sqlb_version_exists(sasae_store_backend *b, int64_t plan_id, int seq, bool *exists, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	*exists = false;
	sqlite3_stmt *st = NULL;
	PREP(st, "SELECT 1 FROM version WHERE plan_id = ?1 AND seq = ?2");
	sqlite3_bind_int64(st, 1, plan_id);
	sqlite3_bind_int(st, 2, seq);
	int r = sqlite3_step(st), rc = 0;
	if (r == SQLITE_ROW)
		*exists = true;
	else if (r != SQLITE_DONE)
		rc = sqlb_db_error(s, err, "読み取り");
	sqlite3_finalize(st);
	return rc;
}

/* ---- lint triage ---- */

/* Fill t from a row of (finding, state, reason, login, at). */
static int triage_from_row(sqlite3_stmt *st, sasae_triage *t, sasae_error *err)
{
	memset(t, 0, sizeof *t);
	t->finding = sqlb_col_text(st, 0);
	t->state = (sasae_triage_state)sqlite3_column_int(st, 1);
	t->reason = sqlb_col_text(st, 2);
	t->login = sqlb_col_text(st, 3);
	t->at = sqlb_col_text(st, 4);
	if (!t->finding || !t->reason || !t->login || !t->at)
		return oom(err);
	return 0;
}

int sqlb_triage_list(sasae_store_backend *b, int64_t plan_id, sasae_triage **out, size_t *n, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = NULL;
	PREP(st,
	     "SELECT finding, state, reason, login, at FROM lint_triage WHERE plan_id = ?1 ORDER BY finding");
	sqlite3_bind_int64(st, 1, plan_id);
	sasae_triage *v = NULL;
	size_t cnt = 0;
	int rc = 0, r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		sasae_triage *t = push(&v, &cnt, sizeof *t);
		if (t == NULL) {
			rc = oom(err);
			break;
		}
		if ((rc = triage_from_row(st, t, err)) != 0)
			break;
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = sqlb_db_error(s, err, "読み取り");
	sqlite3_finalize(st);
	if (rc) {
		sasae_triages_free(v, cnt);
		return rc;
	}
	*out = v;
	*n = cnt;
	return 0;
}

int sqlb_triage_get(sasae_store_backend *b, int64_t plan_id, const char *finding, sasae_triage *out,
		    bool *found, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	*found = false;
	sqlite3_stmt *st = NULL;
	PREP(st,
	     "SELECT finding, state, reason, login, at FROM lint_triage WHERE plan_id = ?1 AND finding = ?2");
	sqlite3_bind_int64(st, 1, plan_id);
	bind_text(st, 2, finding);
	int r = sqlite3_step(st), rc = 0;
	if (r == SQLITE_ROW) {
		*found = true;
		rc = triage_from_row(st, out, err);
	} else if (r != SQLITE_DONE) {
		rc = sqlb_db_error(s, err, "読み取り");
	}
	sqlite3_finalize(st);
	return rc;
}

int sqlb_triage_put(sasae_store_backend *b, int64_t plan_id, const char *finding, const sasae_triage *t,
		    sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	sqlite3_stmt *st = NULL;
	if (t == NULL) {
		PREP(st, "DELETE FROM lint_triage WHERE plan_id = ?1 AND finding = ?2");
	} else {
		PREP(st,
		     "INSERT INTO lint_triage (plan_id, finding, state, reason, login, at)"
		     " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (plan_id, finding) DO UPDATE SET"
		     " state = excluded.state, reason = excluded.reason, login = excluded.login, at = excluded.at");
		sqlite3_bind_int(st, 3, (int)t->state);
		bind_text(st, 4, t->reason ? t->reason : "");
		bind_text(st, 5, t->login ? t->login : "");
		bind_text(st, 6, t->at);
	}
	sqlite3_bind_int64(st, 1, plan_id);
	bind_text(st, 2, finding);
	return run_write(s, st, err);
}

/* ---- the public version ---- */

int sqlb_public_get(sasae_store_backend *b, int64_t plan_id, int *version, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	*version = 0;
	sqlite3_stmt *st = NULL;
	PREP(st, "SELECT version FROM plan_public WHERE plan_id = ?1");
	sqlite3_bind_int64(st, 1, plan_id);
	int r = sqlite3_step(st), rc = 0;
	if (r == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	else if (r != SQLITE_DONE)
		rc = sqlb_db_error(s, err, "読み取り");
	sqlite3_finalize(st);
	return rc;
}

int sqlb_public_set(sasae_store_backend *b, int64_t plan_id, int version, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	sqlite3_stmt *st = NULL;
	if (version == 0) {
		PREP(st, "DELETE FROM plan_public WHERE plan_id = ?1");
	} else {
		PREP(st, "INSERT INTO plan_public (plan_id, version) VALUES (?1, ?2)"
			 " ON CONFLICT (plan_id) DO UPDATE SET version = excluded.version");
		sqlite3_bind_int(st, 2, version);
	}
	sqlite3_bind_int64(st, 1, plan_id);
	return run_write(s, st, err);
}

/* ---- part titles ---- */

int sqlb_part_title_get(sasae_store_backend *b, int64_t version_id, int part, bool *exists, char **title,
			sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	*exists = false;
	*title = NULL;
	sqlite3_stmt *st = NULL;
	PREP(st, "SELECT title FROM part WHERE version_id = ?1 AND number = ?2");
	sqlite3_bind_int64(st, 1, version_id);
	sqlite3_bind_int(st, 2, part);
	int r = sqlite3_step(st), rc = 0;
	if (r == SQLITE_ROW) {
		bool bad = false;
		*exists = true;
		*title = col_text_or_null(st, 0, &bad);
		if (bad)
			rc = oom(err);
	} else if (r != SQLITE_DONE) {
		rc = sqlb_db_error(s, err, "読み取り");
	}
	sqlite3_finalize(st);
	return rc;
}

int sqlb_part_title_put(sasae_store_backend *b, int64_t version_id, int part, const char *title,
			sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	sqlite3_stmt *st = NULL;
	PREP(st, "UPDATE part SET title = ?3 WHERE version_id = ?1 AND number = ?2");
	sqlite3_bind_int64(st, 1, version_id);
	sqlite3_bind_int(st, 2, part);
	bind_text(st, 3, title);
	return run_write(s, st, err);
}

/* ---- data files ---- */

int sqlb_file_put(sasae_store_backend *b, const char *name, const char *text, size_t len, const char *source,
		  sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	sqlite3_stmt *st = NULL;
	if (text == NULL) {
		PREP(st, "DELETE FROM finder_file WHERE name = ?1");
	} else {
		PREP(st, "INSERT INTO finder_file (name, text, source) VALUES (?1, ?2, ?3)"
			 " ON CONFLICT (name) DO UPDATE SET text = excluded.text, source = excluded.source,"
			 " loaded_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')");
		sqlite3_bind_text(st, 2, text, (int)len, SQLITE_STATIC);
		bind_text(st, 3, source ? source : "");
	}
	bind_text(st, 1, name);
	return run_write(s, st, err);
}

/* ---- a program's departments ---- */

int sqlb_program_get(sasae_store_backend *b, int64_t version_id, const char *program,
		     sasae_backend_program *out, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = NULL;
	PREP(st, "SELECT l.name FROM version_program vp JOIN version v ON v.id = vp.version_id"
		 " JOIN program p ON p.id = vp.program_id AND p.plan_id = v.plan_id"
		 " JOIN listing l ON l.id = vp.listing_id WHERE vp.version_id = ?1 AND p.pid = ?2");
	sqlite3_bind_int64(st, 1, version_id);
	bind_text(st, 2, program);
	int r = sqlite3_step(st), rc = 0;
	if (r == SQLITE_ROW) {
		if ((out->name = sqlb_col_text(st, 0)) == NULL)
			rc = oom(err);
	} else if (r == SQLITE_DONE) {
		rc = SASAE_ENOTFOUND;
	} else {
		rc = sqlb_db_error(s, err, "読み取り");
	}
	sqlite3_finalize(st);
	if (rc)
		return rc;
	/* every listing of the program in the version, in document order; each department once */
	PREP(st,
	     "SELECT d.name FROM listing l JOIN version v ON v.id = l.version_id"
	     " JOIN program p ON p.id = l.program_id AND p.plan_id = v.plan_id"
	     " JOIN listing_department ld ON ld.listing_id = l.id JOIN department d ON d.id = ld.department_id"
	     " WHERE l.version_id = ?1 AND p.pid = ?2 GROUP BY d.id ORDER BY min(l.id * 1000 + ld.ordinal)");
	sqlite3_bind_int64(st, 1, version_id);
	bind_text(st, 2, program);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		char **d = push(&out->departments, &out->ndepartments, sizeof *d);
		if (d == NULL || (*d = sqlb_col_text(st, 0)) == NULL) {
			rc = oom(err);
			break;
		}
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = sqlb_db_error(s, err, "読み取り");
	sqlite3_finalize(st);
	if (rc)
		sasae_backend_program_clear(out);
	return rc;
}

/* ---- comments ---- */

int sqlb_comment_list(sasae_store_backend *b, const char *target, sasae_comment **out, size_t *n,
		      sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = NULL;
	PREP(st, "SELECT c.id, c.target, c.login, coalesce(a.display_name, ''), c.at, c.text FROM comment c"
		 " LEFT JOIN account a ON a.login = c.login AND c.login <> ''"
		 " WHERE ?1 IS NULL OR c.target = ?1 ORDER BY c.id");
	bind_text(st, 1, target);
	sasae_comment *v = NULL;
	size_t cnt = 0;
	int rc = 0, r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		sasae_comment *c = push(&v, &cnt, sizeof *c);
		if (c == NULL) {
			rc = oom(err);
			break;
		}
		c->id = sqlite3_column_int64(st, 0);
		c->target = sqlb_col_text(st, 1);
		c->login = sqlb_col_text(st, 2);
		c->display_name = sqlb_col_text(st, 3);
		c->at = sqlb_col_text(st, 4);
		c->text = sqlb_col_text(st, 5);
		if (!c->target || !c->login || !c->display_name || !c->at || !c->text) {
			rc = oom(err);
			break;
		}
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = sqlb_db_error(s, err, "読み取り");
	sqlite3_finalize(st);
	if (rc) {
		sasae_comments_free(v, cnt);
		return rc;
	}
	*out = v;
	*n = cnt;
	return 0;
}

int sqlb_comment_insert(sasae_store_backend *b, const char *target, const char *login, const char *at,
			const char *text, int64_t *id, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	sqlite3_stmt *st = NULL;
	PREP(st, "INSERT INTO comment (target, login, at, text) VALUES (?1, ?2, ?3, ?4)");
	bind_text(st, 1, target);
	bind_text(st, 2, login ? login : "");
	bind_text(st, 3, at);
	bind_text(st, 4, text);
	int rc = run_write(s, st, err);
	if (rc == 0)
		*id = sqlite3_last_insert_rowid(s->db);
	return rc;
}
