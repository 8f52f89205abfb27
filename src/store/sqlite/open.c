/*
 * open.c — the SQLite backend: opening a database file, its schema (embedded migrations applied by
 * PRAGMA user_version), a new database's first transaction, the finder's data files, and the
 * helpers its other files share (see sqlite_store.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sasae/text.h"
#include "sqlite_store.h"

/* Embedded migrations (cmake/embed.cmake); migration i brings user_version from i-1 to i. */
extern const char sasae_schema_001[];
extern const char sasae_schema_002[];
extern const char sasae_schema_003[];
extern const char sasae_schema_004[];
extern const char sasae_schema_005[];
extern const char sasae_schema_006[];
extern const char sasae_data_variants_tsv[];
extern const size_t sasae_data_variants_tsv_len;
/* Page cache of a writing connection, in KiB. */
#define SASAE_STORE_CACHE_KIB "98304"

static const char *const migrations[] = {sasae_schema_001, sasae_schema_002, sasae_schema_003,
					 sasae_schema_004, sasae_schema_005, sasae_schema_006};
int sqlb_db_error(sqlb *s, sasae_error *err, const char *what)
{
	if ((sqlite3_extended_errcode(s->db) & 0xff) == SQLITE_FULL)
		return sasae_error_set(err, SASAE_EIO, s->path, 0,
				       "データベースの%sに失敗しました: ディスクの空きが足りません（%s）。何も変えていません",
				       what, sqlite3_errmsg(s->db));
	return sasae_error_set(err, SASAE_EDB, s->path, 0, "データベースの%sに失敗しました: %s", what,
			       sqlite3_errmsg(s->db));
}

int sqlb_exec(sqlb *s, const char *sql, sasae_error *err, const char *what)
{
	if (s->pending && strncmp(sql, "BEGIN", 5) == 0) { /* another transaction: the pending one first */
		int rc = sqlb_settle(s, err);
		if (rc)
			return rc;
	}
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int rc = (sqlite3_extended_errcode(s->db) & 0xff) == SQLITE_FULL
				 ? sasae_error_set(err, SASAE_EIO, s->path, 0,
						   "データベースの%sに失敗しました: ディスクの空きが足りません（%s）。何も変えていません",
						   what, msg ? msg : sqlite3_errmsg(s->db))
				 : sasae_error_set(err, SASAE_EDB, s->path, 0,
						   "データベースの%sに失敗しました: %s", what,
						   msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return rc;
	}
	return 0;
}

/* Prepare sql or fill err. */
int sqlb_prepare(sqlb *s, sqlite3_stmt **st, const char *sql, sasae_error *err)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return sqlb_db_error(s, err, "問い合わせ準備");
	return 0;
}

/* Like prepare, for a statement run again and again (search): prepared once per connection and
   kept; sql must be a string literal.  Give it back with sqlb_release(). */
int sqlb_prepare_cached(sqlb *s, sqlite3_stmt **st, const char *sql, sasae_error *err)
{
	for (size_t i = 0; i < s->ncache; i++)
		if (s->cache[i].sql == sql) {
			*st = s->cache[i].st;
			return 0;
		}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
		return sqlb_db_error(s, err, "問い合わせ準備");
	if (s->ncache < SQLB_STMT_CACHE) {
		s->cache[s->ncache].sql = sql;
		s->cache[s->ncache].st = *st;
		s->ncache++;
	}
	return 0;
}

/* Give back a statement: a cached one is reset for the next use, any other finalized. */
void sqlb_release(sqlb *s, sqlite3_stmt *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < s->ncache; i++)
		if (s->cache[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return;
		}
	sqlite3_finalize(st);
}

static int64_t query_int(sqlb *s, const char *sql, int64_t dflt)
{
	sqlite3_stmt *st = NULL;
	int64_t v = dflt;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Bring the schema to SASAE_SCHEMA_VERSION in one transaction; with keep, leave that transaction
   open for the caller (s->pending: a new database created for an import). */
int sqlb_migrate(sqlb *s, bool keep, sasae_error *err)
{
	int64_t have = query_int(s, "PRAGMA user_version", -1);
	if (have < 0)
		return sqlb_db_error(s, err, "読み取り");
	if (have > SASAE_SCHEMA_VERSION)
		return sasae_error_set(err, SASAE_EDB, s->path, 0,
				       "このデータベースは新しい版の sasae で作られています（スキーマ %lld）。sasae を更新してください",
				       (long long)have);
	if (have == 0 && query_int(s, "SELECT count(*) FROM sqlite_schema", 0) > 0)
		return sasae_error_set(err, SASAE_EDB, s->path, 0,
				       "sasae のデータベースではありません。別のファイル名を --db で指定してください");
	if (have == SASAE_SCHEMA_VERSION)
		return 0;
	if (s->readonly)
		return sasae_error_set(err, SASAE_EDB, s->path, 0,
				       "データベースのスキーマが古いままです。書き込みのできるコマンド（import）を一度実行してください");
	int rc = sqlb_exec(s, "BEGIN IMMEDIATE", err, "更新");
	if (rc)
		return rc;
	if (query_int(s, "PRAGMA user_version", -1) != have) { /* another process migrated meanwhile */
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return sqlb_migrate(s, keep, err);
	}
	/* Databases made before the first release named the document digest "sha256". */
	if (rc == 0 && have == 1 &&
	    query_int(s, "SELECT count(*) FROM pragma_table_info('version') WHERE name = 'sha256'", 0) == 1)
		rc = sqlb_exec(s, "ALTER TABLE version RENAME COLUMN sha256 TO digest", err, "スキーマ更新");
	for (int64_t v = have; v < SASAE_SCHEMA_VERSION && rc == 0; v++) {
		rc = sqlb_exec(s, migrations[v], err, "スキーマ作成");
		if (rc == 0 && v + 1 == 2) { /* the built-in variant table, as data the office can replace */
			sqlite3_stmt *st = NULL;
			if ((rc = sqlb_prepare(s, &st, "INSERT INTO search_variants (text) VALUES (?1)", err)) ==
			    0) {
				sqlite3_bind_text(st, 1, sasae_data_variants_tsv,
						  (int)sasae_data_variants_tsv_len, SQLITE_STATIC);
				if (sqlite3_step(st) != SQLITE_DONE)
					rc = sqlb_db_error(s, err, "スキーマ作成");
			}
			sqlite3_finalize(st);
		}
		if (rc == 0) {
			char pragma[64];
			snprintf(pragma, sizeof pragma, "PRAGMA user_version = %lld", (long long)(v + 1));
			rc = sqlb_exec(s, pragma, err, "スキーマ更新");
		}
	}
	if (rc == 0 && keep)
		s->pending = true;
	else if (rc == 0)
		rc = sqlb_exec(s, "COMMIT", err, "スキーマ更新");
	if (rc)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/*
 * End the first transaction of a new database (s->pending): commit it and put the database in WAL
 * mode like every other.  Until then the new file is in rollback-journal mode: its pages are written
 * once, into the file, instead of into the WAL and again into the file by the checkpoint at close
 * (docs/benchmarks.md, "Import").  A failed switch is not an error: the data is committed, and the
 * next writer to open the file switches it.
 */
int sqlb_settle(sqlb *s, sasae_error *err)
{
	if (!s->pending)
		return 0;
	s->pending = false;
	int rc = sqlb_exec(s, "COMMIT", err, "書き込みの確定");
	if (rc) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
	return 0;
}

/* Read the variant table stored in the database (the built-in one when there is none). */
static int load_variants(sqlb *s, sasae_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlb_prepare(s, &st, "SELECT text FROM search_variants ORDER BY id DESC LIMIT 1", err);
	if (rc)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = sasae_variants_parse(&s->variants, "search_variants",
					  (const char *)sqlite3_column_text(st, 0),
					  (size_t)sqlite3_column_bytes(st, 0), err);
	else
		rc = sasae_variants_default(&s->variants, err);
	sqlite3_finalize(st);
	return rc;
}

static const sasae_variants *sqlb_variants(const sasae_store_backend *b)
{
	return ((const sqlb *)b)->variants;
}

/* Step a write statement to completion and reset it. */
int sqlb_step_done(sqlb *s, sqlite3_stmt *st, sasae_error *err)
{
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (r != SQLITE_DONE)
		return sqlb_db_error(s, err, "書き込み");
	return 0;
}

static int sqlb_finder_file(sasae_store_backend *b, const char *name, sasae_store_file *out, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = NULL;
	int rc = sqlb_prepare(s, &st, "SELECT text, source, loaded_at FROM finder_file WHERE name = ?1", err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		const void *t = sqlite3_column_blob(st, 0);
		out->len = (size_t)sqlite3_column_bytes(st, 0);
		out->text = malloc(out->len + 1);
		out->source = sqlb_col_text(st, 1);
		out->loaded_at = sqlb_col_text(st, 2);
		if (out->text == NULL || out->source == NULL || out->loaded_at == NULL) {
			sasae_store_file_clear(out);
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		} else {
			if (out->len)
				memcpy(out->text, t, out->len);
			out->text[out->len] = '\0';
		}
	} else if (step != SQLITE_DONE) {
		rc = sqlb_db_error(s, err, "読み取り");
	}
	sqlite3_finalize(st);
	return rc;
}

/* Process-wide SQLite settings, before its first use: no global memory statistics (they take a
   global mutex on every allocation, which serialises the server's threads). */
static void configure_sqlite(void) { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

static void sqlb_free(sasae_store_backend *b);
static void sqlb_discard(sasae_store_backend *b);

/* The table of the backend's functions. */
static const sasae_store_backend sqlb_table = {
	.version = SASAE_STORE_BACKEND_VERSION,
	.name = "sqlite",
	.free = sqlb_free,
	.variants = sqlb_variants,
	.import_begin = sqlb_import_begin,
	.import_title = sqlb_import_title,
	.import_part = sqlb_import_part,
	.import_section = sqlb_import_section,
	.import_program = sqlb_import_program,
	.import_listing = sqlb_import_listing,
	.import_warning = sqlb_import_warning,
	.import_commit = sqlb_import_commit,
	.import_abort = sqlb_import_abort,
	.plans = sqlb_plans,
	.resolve = sqlb_resolve,
	.load_listings = sqlb_load_listings,
	.search = sqlb_search,
	.search_ids = sqlb_search_ids,
	.reindex = sqlb_reindex,
	.finder_file = sqlb_finder_file,
	.tx_begin = sqlb_tx_begin,
	.tx_commit = sqlb_tx_commit,
	.tx_rollback = sqlb_tx_rollback,
	.user_list = sqlb_user_list,
	.user_get = sqlb_user_get,
	.user_insert = sqlb_user_insert,
	.user_set_hash = sqlb_user_set_hash,
	.user_set_disabled = sqlb_user_set_disabled,
	.user_set_last_login = sqlb_user_set_last_login,
	.grant_put = sqlb_grant_put,
	.session_insert = sqlb_session_insert,
	.session_get = sqlb_session_get,
	.session_touch = sqlb_session_touch,
	.session_delete = sqlb_session_delete,
	.session_delete_user = sqlb_session_delete_user,
	.failure_add = sqlb_failure_add,
	.failure_count = sqlb_failure_count,
	.failure_clear = sqlb_failure_clear,
	.audit_add = sqlb_audit_add,
	.audit_list = sqlb_audit_list,
	.plan_id = sqlb_plan_id,
	.version_label = sqlb_version_label,
	.version_exists = sqlb_version_exists,
	.triage_list = sqlb_triage_list,
	.triage_get = sqlb_triage_get,
	.triage_put = sqlb_triage_put,
	.public_get = sqlb_public_get,
	.public_set = sqlb_public_set,
	.part_title_get = sqlb_part_title_get,
	.part_title_put = sqlb_part_title_put,
	.file_put = sqlb_file_put,
	.program_get = sqlb_program_get,
	.comment_list = sqlb_comment_list,
	.comment_insert = sqlb_comment_insert,
	.progress_cycle_get = sqlb_progress_cycle_get,
	.progress_cycle_list = sqlb_progress_cycle_list,
	.progress_cycle_insert = sqlb_progress_cycle_insert,
	.progress_sheet_get = sqlb_progress_sheet_get,
	.progress_sheet_list = sqlb_progress_sheet_list,
	.progress_sheet_put = sqlb_progress_sheet_put,
	.progress_comment_list = sqlb_progress_comment_list,
	.progress_comment_insert = sqlb_progress_comment_insert,
	.count = sqlb_count,
	.discard = sqlb_discard,
	.ping = sqlb_ping,
	.backup = sqlb_backup,
	.check = sqlb_check,
};

/*
 * Open (and with SASAE_STORE_CREATE create) the SQLite file at path (see sasae_store_open): WAL
 * mode, foreign keys on, the schema migrated.  With SASAE_STORE_IMPORT, a database created now is
 * written in one transaction with the first import — schema and data, in rollback-journal mode,
 * every page written once — and switched to WAL mode when that transaction ends: at the import's
 * commit, or at its abort (the schema alone is then committed), or at close, or before any other
 * transaction begins.
 */
int sasae_sqlite_backend_open(sasae_store_backend **out, const char *path, int flags, sasae_error *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, configure_sqlite);
	*out = NULL;
	struct stat st;
	bool exists = stat(path, &st) == 0;
	if (!exists && !(flags & SASAE_STORE_CREATE))
		return sasae_error_set(err, SASAE_ENOTFOUND, path, 0,
				       "データベースがありません。先に「sasae import ファイル」で事業一覧を取り込んでください");
	sqlb *s = calloc(1, sizeof *s);
	if (s == NULL || (s->path = sasae_strdup(path)) == NULL) {
		free(s);
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	}
	s->base = sqlb_table;
	s->readonly = (flags & SASAE_STORE_READONLY) != 0;
	s->created = !exists;
	int oflags = s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	int rc = 0;
	if (sqlite3_open_v2(path, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = sasae_error_set(err, SASAE_EDB, path, 0, "データベースを開けません: %s",
				     s->db ? sqlite3_errmsg(s->db) : "メモリが足りません");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if (sasae_fts_register(s->db, (const sasae_variants *const *)&s->variants) != SQLITE_OK) {
		rc = sasae_error_set(err, SASAE_EDB, path, 0, "全文検索（FTS5）を使えません: %s",
				     sqlite3_errmsg(s->db));
		goto fail;
	}
	if (sasae_fts_rank_register(s->db, &s->rank) != SQLITE_OK) {
		rc = sasae_error_set(err, SASAE_EDB, path, 0, "全文検索（FTS5）を使えません: %s",
				     sqlite3_errmsg(s->db));
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	/* A file that is not a database fails on the first read. */
	int64_t nschema = query_int(s, "SELECT count(*) FROM sqlite_schema", -1);
	if (nschema < 0) {
		int ec = sqlite3_extended_errcode(s->db) & 0xff;
		if (ec == SQLITE_FULL || ec == SQLITE_IOERR || ec == SQLITE_CANTOPEN)
			/* a full disk: the WAL index (-shm) or the journal cannot be made */
			rc = sasae_error_set(err, SASAE_EIO, path, 0,
					     "データベースを読み書きできません（ディスクの空きが足りないか、読み書きの誤り）: %s",
					     sqlite3_errmsg(s->db));
		else
			rc = sasae_error_set(err, SASAE_EDB, path, 0,
					     "SQLite のデータベースではありません: %s。別のファイル名を --db で指定してください",
					     sqlite3_errmsg(s->db));
		goto fail;
	}
	/* A new database opened for an import gets its schema in the import's transaction, in
	   rollback-journal mode, and WAL mode after it (sqlb_settle). */
	bool fresh = !s->readonly && (flags & SASAE_STORE_IMPORT) && nschema == 0;
	if (!s->readonly && !fresh && (rc = sqlb_exec(s, "PRAGMA journal_mode = WAL", err, "設定")) != 0)
		goto fail;
	if ((rc = sqlb_exec(s, "PRAGMA foreign_keys = ON", err, "設定")) != 0)
		goto fail;
	/* A large import is one transaction: a page cache that holds its working set keeps SQLite from
	   spilling pages to the WAL and reading them back (measured in docs/benchmarks.md). */
	if (!s->readonly && (rc = sqlb_exec(s, "PRAGMA cache_size = -" SASAE_STORE_CACHE_KIB, err, "設定")) != 0)
		goto fail;
	if ((rc = sqlb_migrate(s, fresh, err)) != 0)
		goto fail;
	if ((rc = load_variants(s, err)) != 0)
		goto fail;
	*out = &s->base;
	return 0;
fail:
	sqlb_free(&s->base);
	return rc;
}

/* Close the connection and free s (the pending first transaction is committed). */
static void sqlb_free(sasae_store_backend *b)
{
	sqlb *s = (sqlb *)b;
	if (s == NULL)
		return;
	sqlb_settle(s, NULL);
	for (size_t i = 0; i < s->ncache; i++)
		sqlite3_finalize(s->cache[i].st);
	sqlite3_close_v2(s->db);
	sasae_variants_free(s->variants);
	free(s->path);
	free(s);
}

/* Close, and remove the file with its -wal, -shm and -journal companions when this open created
   it (a failed first import leaves nothing behind). */
static void sqlb_discard(sasae_store_backend *b)
{
	sqlb *s = (sqlb *)b;
	bool remove = s->created && !s->readonly;
	char *path = s->path;
	s->path = NULL;
	sqlb_free(b);
	if (path == NULL || !remove) {
		free(path);
		return;
	}
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		sasae_buf f = SASAE_BUF_INIT;
		sasae_buf_appendf(&f, "%s%s", path, suffixes[i]);
		if (sasae_buf_ok(&f))
			unlink(sasae_buf_cstr(&f));
		sasae_buf_free(&f);
	}
	free(path);
}

/* A copy of a text column ("" for NULL); NULL when out of memory. */
char *sqlb_col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return sasae_strdup(t ? (const char *)t : "");
}

/* ---- import ---- */

/* The prepared statements of one import, finalized together. */