/*
 * import.c — the SQLite backend: writing one version of a plan in one transaction, and its search
 * index (see sqlite_store.h).  Program identities and original listings are decided by the core
 * (src/store/store.c, include/core/sasae/identity.h); this file stores them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/hashmap.h"
#include "sqlite_store.h"

/* ---- import ---- */

/* The prepared statements of one import, finalized together. */
enum {
	ST_PROGRAM_ADD,
	ST_DEPT_FIND,
	ST_DEPT_ADD,
	ST_LISTING_ADD,
	ST_LISTING_DEPT_ADD,
	ST_PART_ADD,
	ST_SECTION_ADD,
	ST_WARNING_ADD,
	ST_COUNT
};

static const char *const import_sql[ST_COUNT] = {
	[ST_PROGRAM_ADD] = "INSERT INTO program (plan_id, pid, key) VALUES (?1, ?2, ?3)",
	[ST_DEPT_FIND] = "SELECT id FROM department WHERE name = ?1",
	[ST_DEPT_ADD] = "INSERT INTO department (name) VALUES (?1)",
	[ST_LISTING_ADD] = "INSERT INTO listing (version_id, section_id, position, number, name, summary,"
			   " relisted, program_id, source_line) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_LISTING_DEPT_ADD] =
		"INSERT INTO listing_department (listing_id, ordinal, department_id, note, printed)"
		" VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_PART_ADD] = "INSERT INTO part (version_id, number, title) VALUES (?1, ?2, ?3)",
	[ST_SECTION_ADD] = "INSERT INTO section (part_id, ordinal, number, title, source_line)"
			   " VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_WARNING_ADD] = "INSERT INTO version_warning (version_id, seq, line, kind, message)"
			   " VALUES (?1, ?2, ?3, ?4, ?5)",
};

struct sasae_backend_import {
	sqlb *s;
	sqlite3_stmt *st[ST_COUNT];
	int64_t plan_id, version_id, part_id, section_id;
	int version;
	int section_ordinal;
	bool nested; /* in a new database's first transaction, with its schema (s->pending) */
	sasae_hashmap *depts; /* department name → row id: a cache (a plan names a few dozen bodies) */
	size_t nwarnings; /* warnings written (their seq) */
};

static void import_free(sasae_backend_import *imp)
{
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(imp->st[i]);
	sasae_hashmap_free(imp->depts);
	free(imp);
}

/* Undo an import's writes.  In a new database (nested) the schema was undone with them: it is
   created again, alone. */
static void import_rollback(sqlb *s, bool nested)
{
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	if (nested) {
		s->pending = false;
		if (sqlb_migrate(s, false, NULL) == 0)
			sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
	}
}

/* Roll back (a new database keeps its schema alone) and free; NULL is a no-op. */
void sqlb_import_abort(sasae_backend_import *imp)
{
	if (imp == NULL)
		return;
	import_rollback(imp->s, imp->nested);
	import_free(imp);
}

static int load_keys(sasae_backend_import *imp, sasae_backend_known_fn known, void *ctx, sasae_error *err);

/* The table's `import_begin` (backend.h): BEGIN IMMEDIATE (or join a new database's first
   transaction), find or create the plan, add the version row, give the plan's identities to known. */
int sqlb_import_begin(sasae_backend_import **out, int *existing, int *version, int64_t *next_program,
		      sasae_store_backend *b, const char *slug, const char *source, const char *digest,
		      sasae_backend_known_fn known, void *ctx, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	*out = NULL;
	*existing = 0;
	*version = 0;
	*next_program = 1;
	if (s->readonly)
		return sasae_error_set(err, SASAE_EINTERNAL, s->path, 0,
				       "読み取り専用で開いたデータベースには書き込めません");
	sqlite3_stmt *st = NULL;
	int rc = 0;
	bool nested = s->pending; /* a new database: the import joins the transaction of its schema */
	if (!nested && (rc = sqlb_exec(s, "BEGIN IMMEDIATE", err, "書き込み開始")) != 0)
		return rc;
	sasae_backend_import *imp = calloc(1, sizeof *imp);
	if (imp == NULL) {
		import_rollback(s, nested);
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	}
	imp->s = s;
	imp->nested = nested;
	/* The plan, and whether this document is already one of its versions. */
	if ((rc = sqlb_prepare(s, &st, "SELECT id, next_program FROM plan WHERE slug = ?1", err)) != 0)
		goto fail;
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		imp->plan_id = sqlite3_column_int64(st, 0);
		*next_program = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (imp->plan_id) {
		if ((rc = sqlb_prepare(s, &st, "SELECT seq FROM version WHERE plan_id = ?1 AND digest = ?2",
				       err)) != 0)
			goto fail;
		sqlite3_bind_int64(st, 1, imp->plan_id);
		sqlite3_bind_text(st, 2, digest, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			*existing = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
		st = NULL;
		if (*existing) {
			sqlb_import_abort(imp);
			return 0;
		}
	} else {
		if ((rc = sqlb_prepare(s, &st, "INSERT INTO plan (slug) VALUES (?1)", err)) != 0)
			goto fail;
		sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
		if ((rc = sqlb_step_done(s, st, err)) != 0)
			goto fail;
		sqlite3_finalize(st);
		st = NULL;
		imp->plan_id = sqlite3_last_insert_rowid(s->db);
	}
	if ((rc = sqlb_prepare(s, &st,
			       "INSERT INTO version (plan_id, seq, title, source, digest) VALUES (?1,"
			       " (SELECT coalesce(max(seq), 0) + 1 FROM version WHERE plan_id = ?1), '', ?2, ?3)"
			       " RETURNING id, seq",
			       err)) != 0)
		goto fail;
	sqlite3_bind_int64(st, 1, imp->plan_id);
	sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, digest, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = sqlb_db_error(s, err, "書き込み");
		goto fail;
	}
	imp->version_id = sqlite3_column_int64(st, 0);
	*version = sqlite3_column_int(st, 1);
	sqlite3_finalize(st);
	st = NULL;
	for (int i = 0; i < ST_COUNT; i++)
		if ((rc = sqlb_prepare(s, &imp->st[i], import_sql[i], err)) != 0)
			goto fail;
	if ((rc = load_keys(imp, known, ctx, err)) != 0)
		goto fail;
	*out = imp;
	return 0;
fail:
	sqlite3_finalize(st);
	sqlb_import_abort(imp);
	return rc;
}

/* The version's title. */
int sqlb_import_title(sasae_backend_import *imp, const char *title, sasae_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlb_prepare(imp->s, &st, "UPDATE version SET title = ?1 WHERE id = ?2", err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, imp->version_id);
	rc = sqlb_step_done(imp->s, st, err);
	sqlite3_finalize(st);
	return rc;
}

/* A part row of the version. */
int sqlb_import_part(sasae_backend_import *imp, int number, const char *title, sasae_error *err)
{
	sqlite3_stmt *st = imp->st[ST_PART_ADD];
	sqlite3_bind_int64(st, 1, imp->version_id);
	sqlite3_bind_int(st, 2, number);
	if (title)
		sqlite3_bind_text(st, 3, title, -1, SQLITE_STATIC);
	int rc = sqlb_step_done(imp->s, st, err);
	if (rc)
		return rc;
	imp->part_id = sqlite3_last_insert_rowid(imp->s->db);
	imp->section_ordinal = 0;
	return 0;
}

/* A section row of the current part (its ordinal counted here). */
int sqlb_import_section(sasae_backend_import *imp, int number, const char *title, long line, sasae_error *err)
{
	sqlite3_stmt *st = imp->st[ST_SECTION_ADD];
	sqlite3_bind_int64(st, 1, imp->part_id);
	sqlite3_bind_int(st, 2, ++imp->section_ordinal);
	sqlite3_bind_int(st, 3, number);
	sqlite3_bind_text(st, 4, title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, line);
	int rc = sqlb_step_done(imp->s, st, err);
	if (rc)
		return rc;
	imp->section_id = sqlite3_last_insert_rowid(imp->s->db);
	return 0;
}

/* The id of the department called name, created when new. */
static int department_id(sasae_backend_import *imp, const char *name, int64_t *id, sasae_error *err)
{
	const int64_t *cached = imp->depts ? sasae_hashmap_get(imp->depts, name) : NULL;
	if (cached) {
		*id = *cached;
		return 0;
	}
	sqlite3_stmt *st = imp->st[ST_DEPT_FIND];
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	*id = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return sqlb_db_error(imp->s, err, "読み取り");
	if (*id == 0) {
		st = imp->st[ST_DEPT_ADD];
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		int rc = sqlb_step_done(imp->s, st, err);
		if (rc)
			return rc;
		*id = sqlite3_last_insert_rowid(imp->s->db);
	}
	/* a bounded cache; beyond it every lookup goes to the index */
	if (imp->depts == NULL && (imp->depts = sasae_hashmap_new(SASAE_HASHMAP_COPY)) == NULL)
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	if (sasae_hashmap_count(imp->depts) < 4096 && sasae_hashmap_put(imp->depts, name, *id, NULL) == NULL)
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	return 0;
}

/* A new program row of the plan (id and key decided by the core); *ref is its row id. */
int sqlb_import_program(sasae_backend_import *imp, const char *id, const char *key, int64_t *ref,
			sasae_error *err)
{
	sqlite3_stmt *st = imp->st[ST_PROGRAM_ADD];
	sqlite3_bind_int64(st, 1, imp->plan_id);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
	int rc = sqlb_step_done(imp->s, st, err);
	if (rc)
		return rc;
	*ref = sqlite3_last_insert_rowid(imp->s->db);
	return 0;
}

/* Give the plan's known identities to known(). */
static int load_keys(sasae_backend_import *imp, sasae_backend_known_fn known, void *ctx, sasae_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlb_prepare(imp->s, &st, "SELECT key, pid, id FROM program WHERE plan_id = ?1", err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, imp->plan_id);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0),
			   *pid = (const char *)sqlite3_column_text(st, 1);
		if (known(ctx, key ? key : "", pid ? pid : "", sqlite3_column_int64(st, 2))) {
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			break;
		}
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = sqlb_db_error(imp->s, err, "読み取り");
	sqlite3_finalize(st);
	return rc;
}

/* A listing row and its departments, of program row `prog`; *ref is the listing's row id. */
int sqlb_import_listing(sasae_backend_import *imp, const sasae_listing *l, int64_t prog, int64_t *ref,
			sasae_error *err)
{
	int rc;
	sqlite3_stmt *st = imp->st[ST_LISTING_ADD];
	sqlite3_bind_int64(st, 1, imp->version_id);
	sqlite3_bind_int64(st, 2, imp->section_id);
	sqlite3_bind_int(st, 3, l->position);
	sqlite3_bind_int64(st, 4, l->number);
	sqlite3_bind_text(st, 5, l->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, l->summary, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, l->relisted ? 1 : 0);
	sqlite3_bind_int64(st, 8, prog);
	sqlite3_bind_int64(st, 9, l->source_line);
	if ((rc = sqlb_step_done(imp->s, st, err)) != 0)
		return rc;
	int64_t listing = sqlite3_last_insert_rowid(imp->s->db);
	*ref = listing;
	for (size_t i = 0; i < l->ndepartments; i++) {
		int64_t dept;
		if ((rc = department_id(imp, l->departments[i].name, &dept, err)) != 0)
			return rc;
		st = imp->st[ST_LISTING_DEPT_ADD];
		sqlite3_bind_int64(st, 1, listing);
		sqlite3_bind_int64(st, 2, (int64_t)i + 1);
		sqlite3_bind_int64(st, 3, dept);
		if (l->departments[i].note)
			sqlite3_bind_text(st, 4, l->departments[i].note, -1, SQLITE_STATIC);
		if (l->departments[i].printed)
			sqlite3_bind_text(st, 5, l->departments[i].printed, -1, SQLITE_STATIC);
		if ((rc = sqlb_step_done(imp->s, st, err)) != 0)
			return rc;
	}
	return 0;
}

/* A parser warning row (its seq counted here). */
int sqlb_import_warning(sasae_backend_import *imp, long line, const char *kind, const char *message,
			sasae_error *err)
{
	sqlite3_stmt *st = imp->st[ST_WARNING_ADD];
	sqlite3_bind_int64(st, 1, imp->version_id);
	sqlite3_bind_int64(st, 2, (int64_t)++imp->nwarnings);
	sqlite3_bind_int64(st, 3, line);
	sqlite3_bind_text(st, 4, kind ? kind : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, message ? message : "", -1, SQLITE_STATIC);
	return sqlb_step_done(imp->s, st, err);
}

/* Write the search index of a version: one document per program (docs/search.md). */
static int build_index(sqlb *s, int64_t version_id, sasae_error *err)
{
	static const char *const sql[] = {
		"INSERT INTO search_doc (version_id, program_id) SELECT version_id, program_id FROM version_program"
		" WHERE version_id = ?1 ORDER BY listing_id",
		"INSERT INTO search_index (rowid, name, summary, departments, sections, parts)"
		" SELECT d.id, l.name, l.summary,"
		" (SELECT group_concat(dep.name, ' ') FROM listing_department ld JOIN department dep"
		"  ON dep.id = ld.department_id WHERE ld.listing_id = l.id),"
		" (SELECT group_concat(DISTINCT se.title) FROM listing l2 JOIN section se ON se.id = l2.section_id"
		"  WHERE l2.version_id = ?1 AND l2.program_id = d.program_id),"
		" NULL" /* part titles are not indexed: outline titles are broad themes (docs/search.md) */
		" FROM search_doc d JOIN version_program vp ON vp.version_id = d.version_id AND vp.program_id = d.program_id"
		" JOIN listing l ON l.id = vp.listing_id WHERE d.version_id = ?1",
	};
	for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		sqlite3_stmt *st = NULL;
		int rc = sqlb_prepare(s, &st, sql[i], err);
		if (rc)
			return rc;
		sqlite3_bind_int64(st, 1, version_id);
		rc = sqlb_step_done(s, st, err);
		sqlite3_finalize(st);
		if (rc)
			return rc;
	}
	return 0;
}

/* Rebuild a version's search index in one transaction. */
int sqlb_reindex(sasae_store_backend *b, int64_t version_id, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	static const char *const sql[] = {
		"DELETE FROM search_index WHERE rowid IN (SELECT id FROM search_doc WHERE version_id = ?1)",
		"DELETE FROM search_doc WHERE version_id = ?1",
	};
	int rc = sqlb_exec(s, "BEGIN IMMEDIATE", err, "書き込み開始");
	for (size_t i = 0; rc == 0 && i < sizeof sql / sizeof sql[0]; i++) {
		sqlite3_stmt *st = NULL;
		if ((rc = sqlb_prepare(s, &st, sql[i], err)) == 0) {
			sqlite3_bind_int64(st, 1, version_id);
			rc = sqlb_step_done(s, st, err);
		}
		sqlite3_finalize(st);
	}
	if (rc == 0)
		rc = build_index(s, version_id, err);
	if (rc == 0)
		rc = sqlb_exec(s, "COMMIT", err, "書き込みの確定");
	if (rc)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* The table's `import_commit`: version_program from the core's originals, the search index unless
   !index, the plan's next program number, COMMIT (or the first transaction settled).  imp is freed;
   on failure everything is rolled back. */
int sqlb_import_commit(sasae_backend_import *imp, const sasae_backend_original *programs, size_t n,
		       int64_t next_program, bool index, sasae_error *err)
{
	sqlb *s = imp->s;
	sqlite3_stmt *st = NULL;
	int rc = sqlb_prepare(s, &st,
			      "INSERT INTO version_program (version_id, program_id, listing_id) VALUES (?1, ?2, ?3)",
			      err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		sqlite3_bind_int64(st, 1, imp->version_id);
		sqlite3_bind_int64(st, 2, programs[i].program);
		sqlite3_bind_int64(st, 3, programs[i].listing);
		rc = sqlb_step_done(s, st, err);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc == 0 && index)
		rc = build_index(s, imp->version_id, err);
	if (rc == 0 &&
	    (rc = sqlb_prepare(s, &st, "UPDATE plan SET next_program = ?1 WHERE id = ?2", err)) == 0) {
		sqlite3_bind_int64(st, 1, next_program);
		sqlite3_bind_int64(st, 2, imp->plan_id);
		rc = sqlb_step_done(s, st, err);
	}
	sqlite3_finalize(st);
	if (rc == 0)
		rc = imp->nested ? sqlb_settle(s, err) : sqlb_exec(s, "COMMIT", err, "書き込みの確定");
	if (rc) {
		sqlb_import_abort(imp);
		return rc;
	}
	import_free(imp);
	return 0;
}
