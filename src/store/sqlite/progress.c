/*
 * progress.c — the SQLite backend's rows for yearly progress management (schema 006; the table of
 * functions in src/store/backend.h, version 3): cycles, sheets and council comments.  It stores and
 * looks up; every rule is the core's (src/progress/).  Writes run inside the core's transaction;
 * every statement is prepared with bound parameters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_store.h"

static int oom(sasae_error *err) { return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません"); }

#define PREP(st, sql)                                          \
	do {                                                   \
		int prc_ = sqlb_prepare(s, &(st), (sql), err); \
		if (prc_)                                      \
			return prc_;                           \
	} while (0)

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
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

/* ---- cycles ---- */

static const char CYCLE_COLS[] =
	"SELECT year, version_id, deadline, config, opened_at, opened_by FROM progress_cycle";

static bool cycle_row(sqlite3_stmt *st, sasae_progress_cycle *c)
{
	c->year = sqlite3_column_int(st, 0);
	c->version_id = sqlite3_column_int64(st, 1);
	c->deadline = sqlb_col_text(st, 2);
	c->config = sqlb_col_text(st, 3);
	c->opened_at = sqlb_col_text(st, 4);
	c->opened_by = sqlb_col_text(st, 5);
	return c->deadline && c->config && c->opened_at && c->opened_by;
}

int sqlb_progress_cycle_get(sasae_store_backend *b, int year, sasae_progress_cycle *out, bool *found,
			    sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	*found = false;
	sqlite3_stmt *st = NULL;
	char sql[200];
	snprintf(sql, sizeof sql, "%s WHERE year = ?1", CYCLE_COLS);
	PREP(st, sql);
	sqlite3_bind_int(st, 1, year);
	int rc = 0, r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		sasae_progress_cycle c = {0};
		if (!cycle_row(st, &c)) {
			sasae_progress_cycle_clear(&c);
			rc = oom(err);
		} else {
			*out = c;
			*found = true;
		}
	} else if (r != SQLITE_DONE) {
		rc = sqlb_db_error(s, err, "読み取り");
	}
	sqlite3_finalize(st);
	return rc;
}

int sqlb_progress_cycle_list(sasae_store_backend *b, sasae_progress_cycle **out, size_t *n, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = NULL;
	char sql[200];
	snprintf(sql, sizeof sql, "%s ORDER BY year DESC", CYCLE_COLS);
	PREP(st, sql);
	sasae_progress_cycle *v = NULL;
	size_t cnt = 0;
	int rc = 0, r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		sasae_progress_cycle *c = push(&v, &cnt, sizeof *c);
		if (c == NULL || !cycle_row(st, c)) {
			rc = oom(err);
			break;
		}
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = sqlb_db_error(s, err, "読み取り");
	sqlite3_finalize(st);
	if (rc) {
		sasae_progress_cycles_free(v, cnt);
		return rc;
	}
	*out = v;
	*n = cnt;
	return 0;
}

int sqlb_progress_cycle_insert(sasae_store_backend *b, const sasae_progress_cycle *c, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	sqlite3_stmt *st = NULL;
	PREP(st, "INSERT INTO progress_cycle (year, version_id, deadline, config, opened_at, opened_by)"
		 " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	sqlite3_bind_int(st, 1, c->year);
	sqlite3_bind_int64(st, 2, c->version_id);
	bind_text(st, 3, c->deadline);
	bind_text(st, 4, c->config);
	bind_text(st, 5, c->opened_at);
	bind_text(st, 6, c->opened_by ? c->opened_by : "");
	int rc = sqlb_step_done(s, st, err);
	sqlite3_finalize(st);
	return rc;
}

/* ---- sheets ---- */

static const char SHEET_COLS[] =
	"SELECT year, program, name, departments, state, data, note, updated_at, updated_by FROM progress_sheet";

/* Split an LF-separated list into a new array. */
static bool split_lines(const char *t, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (*t == '\0')
		return true;
	size_t cnt = 1;
	for (const char *p = t; *p; p++)
		cnt += *p == '\n';
	char **v = calloc(cnt, sizeof *v);
	if (v == NULL)
		return false;
	size_t i = 0;
	for (const char *p = t;; i++) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		v[i] = malloc(l + 1);
		if (v[i] == NULL) {
			*out = v;
			*n = i;
			return false;
		}
		memcpy(v[i], p, l);
		v[i][l] = '\0';
		if (e == NULL)
			break;
		p = e + 1;
	}
	*out = v;
	*n = cnt;
	return true;
}

static bool sheet_row(sqlite3_stmt *st, sasae_progress_sheet *sh)
{
	sh->year = sqlite3_column_int(st, 0);
	sh->program = sqlb_col_text(st, 1);
	sh->name = sqlb_col_text(st, 2);
	const unsigned char *d = sqlite3_column_text(st, 3);
	bool ok = split_lines(d ? (const char *)d : "", &sh->departments, &sh->ndepartments);
	sh->state = (sasae_progress_state)sqlite3_column_int(st, 4);
	sh->data = sqlb_col_text(st, 5);
	sh->note = sqlb_col_text(st, 6);
	sh->updated_at = sqlb_col_text(st, 7);
	sh->updated_by = sqlb_col_text(st, 8);
	return ok && sh->program && sh->name && sh->data && sh->note && sh->updated_at && sh->updated_by;
}

int sqlb_progress_sheet_get(sasae_store_backend *b, int year, const char *program, sasae_progress_sheet *out,
			    bool *found, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	*found = false;
	sqlite3_stmt *st = NULL;
	char sql[300];
	snprintf(sql, sizeof sql, "%s WHERE year = ?1 AND program = ?2", SHEET_COLS);
	PREP(st, sql);
	sqlite3_bind_int(st, 1, year);
	bind_text(st, 2, program);
	int rc = 0, r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		sasae_progress_sheet sh = {0};
		if (!sheet_row(st, &sh)) {
			sasae_progress_sheet_clear(&sh);
			rc = oom(err);
		} else {
			*out = sh;
			*found = true;
		}
	} else if (r != SQLITE_DONE) {
		rc = sqlb_db_error(s, err, "読み取り");
	}
	sqlite3_finalize(st);
	return rc;
}

int sqlb_progress_sheet_list(sasae_store_backend *b, int year, sasae_progress_sheet **out, size_t *n,
			     sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = NULL;
	char sql[300];
	snprintf(sql, sizeof sql, "%s WHERE year = ?1 ORDER BY program", SHEET_COLS);
	PREP(st, sql);
	sqlite3_bind_int(st, 1, year);
	sasae_progress_sheet *v = NULL;
	size_t cnt = 0;
	int rc = 0, r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		sasae_progress_sheet *sh = push(&v, &cnt, sizeof *sh);
		if (sh == NULL || !sheet_row(st, sh)) {
			rc = oom(err);
			break;
		}
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = sqlb_db_error(s, err, "読み取り");
	sqlite3_finalize(st);
	if (rc) {
		sasae_progress_sheets_free(v, cnt);
		return rc;
	}
	*out = v;
	*n = cnt;
	return 0;
}

int sqlb_progress_sheet_put(sasae_store_backend *b, const sasae_progress_sheet *sh, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	sasae_buf d = SASAE_BUF_INIT;
	for (size_t i = 0; i < sh->ndepartments; i++)
		sasae_buf_appendf(&d, "%s%s", i ? "\n" : "", sh->departments[i]);
	if (!sasae_buf_ok(&d)) {
		sasae_buf_free(&d);
		return oom(err);
	}
	sqlite3_stmt *st = NULL;
	int rc = sqlb_prepare(s, &st,
			      "INSERT OR REPLACE INTO progress_sheet (year, program, name, departments, state, data,"
			      " note, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			      err);
	if (rc == 0) {
		sqlite3_bind_int(st, 1, sh->year);
		bind_text(st, 2, sh->program);
		bind_text(st, 3, sh->name);
		bind_text(st, 4, sasae_buf_cstr(&d));
		sqlite3_bind_int(st, 5, (int)sh->state);
		bind_text(st, 6, sh->data);
		bind_text(st, 7, sh->note ? sh->note : "");
		bind_text(st, 8, sh->updated_at);
		bind_text(st, 9, sh->updated_by ? sh->updated_by : "");
		rc = sqlb_step_done(s, st, err);
		sqlite3_finalize(st);
	}
	sasae_buf_free(&d);
	return rc;
}

/* ---- council comments ---- */

int sqlb_progress_comment_list(sasae_store_backend *b, int year, const char *target, sasae_comment **out,
			       size_t *n, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = NULL;
	PREP(st, "SELECT c.id, c.target, c.login, coalesce(a.display_name, ''), c.at, c.text FROM progress_comment c"
		 " LEFT JOIN account a ON a.login = c.login AND c.login <> ''"
		 " WHERE c.year = ?1 AND (?2 IS NULL OR c.target = ?2) ORDER BY c.id");
	sqlite3_bind_int(st, 1, year);
	bind_text(st, 2, target);
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

int sqlb_progress_comment_insert(sasae_store_backend *b, int year, const char *target, const char *login,
				 const char *at, const char *text, int64_t *id, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	sqlite3_stmt *st = NULL;
	PREP(st, "INSERT INTO progress_comment (year, target, login, at, text) VALUES (?1, ?2, ?3, ?4, ?5)");
	sqlite3_bind_int(st, 1, year);
	bind_text(st, 2, target);
	bind_text(st, 3, login ? login : "");
	bind_text(st, 4, at);
	bind_text(st, 5, text);
	int rc = sqlb_step_done(s, st, err);
	sqlite3_finalize(st);
	if (rc == 0)
		*id = sqlite3_last_insert_rowid(s->db);
	return rc;
}
