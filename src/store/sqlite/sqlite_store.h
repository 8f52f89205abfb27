/*
 * sqlite_store.h — the SQLite backend of the store, shared by its files (internal to
 * src/store/sqlite/): open.c (open, schema migrations, the first import's transaction, finder
 * files), accounts.c (accounts, sessions, audit, the office's decisions), import.c (writing a version, the search index), read.c (plans, versions, a version's
 * listings), search.c (full-text search over FTS5), compile.c (query tree → FTS5 expression),
 * fts.c (the tokenizer and ranking function).  The only code that speaks SQL; every statement is
 * prepared with bound parameters.
 */
#ifndef SASAE_SQLITE_STORE_H
#define SASAE_SQLITE_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "../backend.h"
#include "fts.h"
#include "sasae/buf.h"

enum { SQLB_STMT_CACHE = 32 };

/* An open SQLite database (the backend object). */
typedef struct sqlb {
	sasae_store_backend base; /* first: the table of functions */
	sqlite3 *db;
	char *path;
	bool readonly;
	bool created;             /* the file did not exist before this open (sasae_store_discard) */
	sasae_variants *variants; /* the search normalisation's variant table (from the database) */
	bool pending; /* a new database's first transaction is open (SASAE_STORE_IMPORT; see sqlb_settle) */
	struct {
		const char *sql; /* a string literal: compared by address */
		sqlite3_stmt *st;
	} cache[SQLB_STMT_CACHE]; /* statements of the read path, prepared once per connection */
	size_t ncache;
	sasae_fts_rank *rank; /* the ranking function's state (owned by the connection) */
	struct {
		bool valid;
		int64_t data_version;  /* PRAGMA data_version: changes when another connection commits */
		sqlite3_int64 changes; /* sqlite3_total_changes64: changes when this one writes */
		int64_t version_id;
		int64_t lo, hi;   /* the range of the version's search_doc ids (0, 0: none) */
		bool contiguous;  /* every id of [lo, hi] is one of the version's documents */
		bool whole_index; /* and the full-text index has no row outside [lo, hi] */
	} scope;                  /* of the version searched last (search_scope in search.c) */
} sqlb;

/* ---- open.c: helpers shared by the backend's files ---- */

/* Fill err with the database's message; returns SASAE_EDB. */
int sqlb_db_error(sqlb *s, sasae_error *err, const char *what);
/* Run sql (no parameters); a BEGIN first ends a pending first transaction (sqlb_settle). */
int sqlb_exec(sqlb *s, const char *sql, sasae_error *err, const char *what);
/* Prepare sql or fill err. */
int sqlb_prepare(sqlb *s, sqlite3_stmt **st, const char *sql, sasae_error *err);
/* Like sqlb_prepare, for a statement run again and again (search): prepared once per connection
   and kept; sql must be a string literal.  Give it back with sqlb_release(). */
int sqlb_prepare_cached(sqlb *s, sqlite3_stmt **st, const char *sql, sasae_error *err);
/* Give back a statement: a cached one is reset for the next use, any other finalized. */
void sqlb_release(sqlb *s, sqlite3_stmt *st);
/* Step a write statement to completion and reset it. */
int sqlb_step_done(sqlb *s, sqlite3_stmt *st, sasae_error *err);
/* A copy of a text column ("" for NULL); NULL when out of memory. */
char *sqlb_col_text(sqlite3_stmt *st, int i);
/* Bring the schema to SASAE_SCHEMA_VERSION; with keep, leave its transaction open (s->pending). */
int sqlb_migrate(sqlb *s, bool keep, sasae_error *err);
/* End a new database's first transaction (s->pending): commit, then WAL mode. */
int sqlb_settle(sqlb *s, sasae_error *err);

/* ---- the functions of the table (import.c, read.c, search.c) ---- */

int sqlb_import_begin(sasae_backend_import **out, int *existing, int *version, int64_t *next_program,
		      sasae_store_backend *b, const char *slug, const char *source, const char *digest,
		      sasae_backend_known_fn known, void *ctx, sasae_error *err);
int sqlb_import_title(sasae_backend_import *imp, const char *title, sasae_error *err);
int sqlb_import_part(sasae_backend_import *imp, int number, const char *title, sasae_error *err);
int sqlb_import_section(sasae_backend_import *imp, int number, const char *title, long line, sasae_error *err);
int sqlb_import_program(sasae_backend_import *imp, const char *id, const char *key, int64_t *ref,
			sasae_error *err);
int sqlb_import_listing(sasae_backend_import *imp, const sasae_listing *l, int64_t program, int64_t *ref,
			sasae_error *err);
int sqlb_import_warning(sasae_backend_import *imp, long line, const char *kind, const char *message,
			sasae_error *err);
int sqlb_import_commit(sasae_backend_import *imp, const sasae_backend_original *programs, size_t n,
		       int64_t next_program, bool index, sasae_error *err);
void sqlb_import_abort(sasae_backend_import *imp);
int sqlb_reindex(sasae_store_backend *b, int64_t version_id, sasae_error *err);

int sqlb_plans(sasae_store_backend *b, sasae_plan_info **out, size_t *n, sasae_error *err);
int sqlb_resolve(sasae_store_backend *b, const char *spec, int64_t *version_id, sasae_error *err);
int sqlb_load_listings(sasae_store_backend *b, int64_t version_id, sasae_plan **out, sasae_error *err);

int sqlb_search(sasae_store_backend *b, int64_t version_id, const sasae_store_query *q,
		sasae_store_hit **hits, size_t *nhits, size_t *total, sasae_error *err);
int sqlb_search_ids(sasae_store_backend *b, int64_t version_id, const sasae_store_query *q, char ***ids,
		    size_t *n, sasae_error *err);
/* maint.c: ping, backup and check (see sasae_store_ping, …) */
int sqlb_ping(sasae_store_backend *b, sasae_error *err);
/* maint.c: backup and check (see sasae_store_backup, sasae_store_check). */
int sqlb_backup(sasae_store_backend *b, const char *file, bool force, sasae_error *err);
int sqlb_check(sasae_store_backend *b, sasae_store_problem_fn problem, void *ctx, size_t *nproblems,
	       sasae_error *err);
int sqlb_count(sasae_store_backend *b, int64_t version_id, const sasae_query_node *expr, size_t cap,
	       size_t *n, sasae_error *err);

/* ---- accounts.c: accounts, sessions, audit, the office's decisions (schema 005) ---- */

int sqlb_tx_begin(sasae_store_backend *b, sasae_error *err);
int sqlb_tx_commit(sasae_store_backend *b, sasae_error *err);
void sqlb_tx_rollback(sasae_store_backend *b);
int sqlb_user_list(sasae_store_backend *b, sasae_user **out, size_t *n, sasae_error *err);
int sqlb_user_get(sasae_store_backend *b, const char *login, int64_t id, sasae_user *out, char **hash,
		  sasae_error *err);
int sqlb_user_insert(sasae_store_backend *b, const char *login, const char *display_name, const char *hash,
		     const char *created_at, int64_t *id, sasae_error *err);
int sqlb_user_set_hash(sasae_store_backend *b, int64_t id, const char *hash, sasae_error *err);
int sqlb_user_set_disabled(sasae_store_backend *b, int64_t id, bool disabled, sasae_error *err);
int sqlb_user_set_last_login(sasae_store_backend *b, int64_t id, const char *at, sasae_error *err);
int sqlb_grant_put(sasae_store_backend *b, int64_t id, bool add, int role, const char *department,
		   bool *changed, sasae_error *err);
int sqlb_session_insert(sasae_store_backend *b, const unsigned char hash[32], int64_t account_id, int64_t now,
			const char *address, sasae_error *err);
int sqlb_session_get(sasae_store_backend *b, const unsigned char hash[32], sasae_backend_session *out,
		     sasae_error *err);
int sqlb_session_touch(sasae_store_backend *b, const unsigned char hash[32], int64_t now, sasae_error *err);
int sqlb_session_delete(sasae_store_backend *b, const unsigned char hash[32], sasae_error *err);
int sqlb_session_delete_user(sasae_store_backend *b, int64_t account_id, size_t *n, sasae_error *err);
int sqlb_failure_add(sasae_store_backend *b, const char *kind, const char *key, int64_t at, sasae_error *err);
int sqlb_failure_count(sasae_store_backend *b, const char *kind, const char *key, int64_t since, int *count,
		       int64_t *last, sasae_error *err);
int sqlb_failure_clear(sasae_store_backend *b, const char *kind, const char *key, int64_t before,
		       sasae_error *err);
int sqlb_audit_add(sasae_store_backend *b, const sasae_audit_entry *e, sasae_error *err);
int sqlb_audit_list(sasae_store_backend *b, const sasae_backend_audit_query *q, sasae_audit_entry **out,
		    size_t *n, size_t *total, sasae_error *err);
int sqlb_plan_id(sasae_store_backend *b, const char *slug, int64_t *plan_id, sasae_error *err);
int sqlb_version_label(sasae_store_backend *b, int64_t version_id, char **slug, int *seq, sasae_error *err);
int sqlb_version_exists(sasae_store_backend *b, int64_t plan_id, int seq, bool *exists, sasae_error *err);
int sqlb_triage_list(sasae_store_backend *b, int64_t plan_id, sasae_triage **out, size_t *n, sasae_error *err);
int sqlb_triage_get(sasae_store_backend *b, int64_t plan_id, const char *finding, sasae_triage *out,
		    bool *found, sasae_error *err);
int sqlb_triage_put(sasae_store_backend *b, int64_t plan_id, const char *finding, const sasae_triage *t,
		    sasae_error *err);
int sqlb_public_get(sasae_store_backend *b, int64_t plan_id, int *version, sasae_error *err);
int sqlb_public_set(sasae_store_backend *b, int64_t plan_id, int version, sasae_error *err);
int sqlb_part_title_get(sasae_store_backend *b, int64_t version_id, int part, bool *exists, char **title,
			sasae_error *err);
int sqlb_part_title_put(sasae_store_backend *b, int64_t version_id, int part, const char *title,
			sasae_error *err);
int sqlb_file_put(sasae_store_backend *b, const char *name, const char *text, size_t len, const char *source,
		  sasae_error *err);
int sqlb_program_get(sasae_store_backend *b, int64_t version_id, const char *program,
		     sasae_backend_program *out, sasae_error *err);
int sqlb_comment_list(sasae_store_backend *b, const char *target, sasae_comment **out, size_t *n,
		      sasae_error *err);
int sqlb_comment_insert(sasae_store_backend *b, const char *target, const char *login, const char *at,
			const char *text, int64_t *id, sasae_error *err);

/* ---- progress.c: yearly progress (schema 006) ---- */

int sqlb_progress_cycle_get(sasae_store_backend *b, int year, sasae_progress_cycle *out, bool *found,
			    sasae_error *err);
int sqlb_progress_cycle_list(sasae_store_backend *b, sasae_progress_cycle **out, size_t *n, sasae_error *err);
int sqlb_progress_cycle_insert(sasae_store_backend *b, const sasae_progress_cycle *c, sasae_error *err);
int sqlb_progress_sheet_get(sasae_store_backend *b, int year, const char *program, sasae_progress_sheet *out,
			    bool *found, sasae_error *err);
int sqlb_progress_sheet_list(sasae_store_backend *b, int year, sasae_progress_sheet **out, size_t *n,
			     sasae_error *err);
int sqlb_progress_sheet_put(sasae_store_backend *b, const sasae_progress_sheet *sh, sasae_error *err);
int sqlb_progress_comment_list(sasae_store_backend *b, int year, const char *target, sasae_comment **out,
			       size_t *n, sasae_error *err);
int sqlb_progress_comment_insert(sasae_store_backend *b, int year, const char *target, const char *login,
				 const char *at, const char *text, int64_t *id, sasae_error *err);

/* ---- compile.c ---- */

/*
 * The FTS5 expression of a query tree, appended to b: user text only inside FTS5 string literals
 * ("…" with " doubled); a field restriction as a column filter ("departments : …").  The same
 * expression the query parser has always produced (docs/search.md).
 */
void sqlb_compile(sasae_buf *b, const sasae_query_node *n);
/* The expression as a new string (NULL for n NULL, or when out of memory: *oom set). */
char *sqlb_compile_new(const sasae_query_node *n, bool *oom);

#endif
