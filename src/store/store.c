/*
 * store.c — the SQLite backend of the store (see include/sasae/store.h).  The only file that
 * speaks SQL.  All statements are prepared with bound parameters.
 */
#include "sasae/store.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fts.h"
#include "sasae/buf.h"
#include "sasae/text.h"

/* Embedded migrations (cmake/embed.cmake); migration i brings user_version from i-1 to i. */
extern const char sasae_schema_001[];
extern const char sasae_schema_002[];
extern const char sasae_schema_003[];
extern const char sasae_schema_004[];
extern const char sasae_data_variants_tsv[];
extern const size_t sasae_data_variants_tsv_len;
/* Page cache of a writing connection, in KiB. */
#define SASAE_STORE_CACHE_KIB "98304"

static const char *const migrations[] = {sasae_schema_001, sasae_schema_002, sasae_schema_003, sasae_schema_004};
enum { NMIGRATIONS = sizeof migrations / sizeof migrations[0] };

enum { STMT_CACHE = 32 };

struct sasae_store {
	sqlite3 *db;
	char *path;
	bool readonly;
	sasae_variants *variants; /* the search normalisation's variant table (from the database) */
	bool pending; /* a new database's first transaction is open (SASAE_STORE_IMPORT; see settle) */
	struct {
		const char *sql; /* a string literal of this file: compared by address */
		sqlite3_stmt *st;
	} cache[STMT_CACHE]; /* statements of the read path, prepared once per connection */
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
	} scope;                 /* of the version searched last (search_scope) */
};

/* Fill err with the database's message; returns SASAE_EDB. */
static int db_error(sasae_store *s, sasae_error *err, const char *what)
{
	return sasae_error_set(err, SASAE_EDB, s->path, 0, "データベースの%sに失敗しました: %s", what,
			       sqlite3_errmsg(s->db));
}

static int settle(sasae_store *s, sasae_error *err);

static int exec(sasae_store *s, const char *sql, sasae_error *err, const char *what)
{
	if (s->pending && strncmp(sql, "BEGIN", 5) == 0) { /* another transaction: the pending one first */
		int rc = settle(s, err);
		if (rc)
			return rc;
	}
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int rc = sasae_error_set(err, SASAE_EDB, s->path, 0, "データベースの%sに失敗しました: %s",
					 what, msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return rc;
	}
	return 0;
}

/* Prepare sql or fill err. */
static int prepare(sasae_store *s, sqlite3_stmt **st, const char *sql, sasae_error *err)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return db_error(s, err, "問い合わせ準備");
	return 0;
}

/* Like prepare, for a statement run again and again (search): prepared once per connection and
   kept; sql must be a string literal.  Give it back with release(). */
static int prepare_cached(sasae_store *s, sqlite3_stmt **st, const char *sql, sasae_error *err)
{
	for (size_t i = 0; i < s->ncache; i++)
		if (s->cache[i].sql == sql) {
			*st = s->cache[i].st;
			return 0;
		}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
		return db_error(s, err, "問い合わせ準備");
	if (s->ncache < STMT_CACHE) {
		s->cache[s->ncache].sql = sql;
		s->cache[s->ncache].st = *st;
		s->ncache++;
	}
	return 0;
}

/* Give back a statement: a cached one is reset for the next use, any other finalized. */
static void release(sasae_store *s, sqlite3_stmt *st)
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

static int64_t query_int(sasae_store *s, const char *sql, int64_t dflt)
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
static int migrate(sasae_store *s, bool keep, sasae_error *err)
{
	int64_t have = query_int(s, "PRAGMA user_version", -1);
	if (have < 0)
		return db_error(s, err, "読み取り");
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
	int rc = exec(s, "BEGIN IMMEDIATE", err, "更新");
	if (rc)
		return rc;
	if (query_int(s, "PRAGMA user_version", -1) != have) { /* another process migrated meanwhile */
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return migrate(s, keep, err);
	}
	/* Databases made before the first release named the document digest "sha256". */
	if (rc == 0 && have == 1 &&
	    query_int(s, "SELECT count(*) FROM pragma_table_info('version') WHERE name = 'sha256'", 0) == 1)
		rc = exec(s, "ALTER TABLE version RENAME COLUMN sha256 TO digest", err, "スキーマ更新");
	for (int64_t v = have; v < SASAE_SCHEMA_VERSION && rc == 0; v++) {
		rc = exec(s, migrations[v], err, "スキーマ作成");
		if (rc == 0 && v + 1 == 2) { /* the built-in variant table, as data the office can replace */
			sqlite3_stmt *st = NULL;
			if ((rc = prepare(s, &st, "INSERT INTO search_variants (text) VALUES (?1)", err)) == 0) {
				sqlite3_bind_text(st, 1, sasae_data_variants_tsv, (int)sasae_data_variants_tsv_len,
						  SQLITE_STATIC);
				if (sqlite3_step(st) != SQLITE_DONE)
					rc = db_error(s, err, "スキーマ作成");
			}
			sqlite3_finalize(st);
		}
		if (rc == 0) {
			char pragma[64];
			snprintf(pragma, sizeof pragma, "PRAGMA user_version = %lld", (long long)(v + 1));
			rc = exec(s, pragma, err, "スキーマ更新");
		}
	}
	if (rc == 0 && keep)
		s->pending = true;
	else if (rc == 0)
		rc = exec(s, "COMMIT", err, "スキーマ更新");
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
static int settle(sasae_store *s, sasae_error *err)
{
	if (!s->pending)
		return 0;
	s->pending = false;
	int rc = exec(s, "COMMIT", err, "書き込みの確定");
	if (rc) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
	return 0;
}

/* Read the variant table stored in the database (the built-in one when there is none). */
static int load_variants(sasae_store *s, sasae_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = prepare(s, &st, "SELECT text FROM search_variants ORDER BY id DESC LIMIT 1", err);
	if (rc)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = sasae_variants_parse(&s->variants, "search_variants", (const char *)sqlite3_column_text(st, 0),
					  (size_t)sqlite3_column_bytes(st, 0), err);
	else
		rc = sasae_variants_default(&s->variants, err);
	sqlite3_finalize(st);
	return rc;
}

const sasae_variants *sasae_store_variants(const sasae_store *s) { return s->variants; }

static char *col_text(sqlite3_stmt *st, int i);
static int step_done(sasae_store *s, sqlite3_stmt *st, sasae_error *err);

int sasae_store_finder_file(sasae_store *s, const char *name, sasae_store_file *out, sasae_error *err)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = NULL;
	int rc = prepare(s, &st, "SELECT text, source, loaded_at FROM finder_file WHERE name = ?1", err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		const void *t = sqlite3_column_blob(st, 0);
		out->len = (size_t)sqlite3_column_bytes(st, 0);
		out->text = malloc(out->len + 1);
		out->source = col_text(st, 1);
		out->loaded_at = col_text(st, 2);
		if (out->text == NULL || out->source == NULL || out->loaded_at == NULL) {
			sasae_store_file_clear(out);
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		} else {
			if (out->len)
				memcpy(out->text, t, out->len);
			out->text[out->len] = '\0';
		}
	} else if (step != SQLITE_DONE) {
		rc = db_error(s, err, "読み取り");
	}
	sqlite3_finalize(st);
	return rc;
}

void sasae_store_file_clear(sasae_store_file *f)
{
	free(f->text);
	free(f->source);
	free(f->loaded_at);
	memset(f, 0, sizeof *f);
}

int sasae_store_set_finder_files(sasae_store *s, const sasae_store_file *files, const char *const *names, size_t n,
				 sasae_error *err)
{
	int rc = exec(s, "BEGIN IMMEDIATE", err, "書き込み開始");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		sqlite3_stmt *st = NULL;
		if (files[i].text == NULL)
			rc = prepare(s, &st, "DELETE FROM finder_file WHERE name = ?1", err);
		else
			rc = prepare(s, &st,
				     "INSERT INTO finder_file (name, text, source) VALUES (?1, ?2, ?3)"
				     " ON CONFLICT (name) DO UPDATE SET text = excluded.text, source = excluded.source,"
				     " loaded_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
				     err);
		if (rc == 0) {
			sqlite3_bind_text(st, 1, names[i], -1, SQLITE_STATIC);
			if (files[i].text) {
				sqlite3_bind_text(st, 2, files[i].text, (int)files[i].len, SQLITE_STATIC);
				sqlite3_bind_text(st, 3, files[i].source ? files[i].source : "", -1, SQLITE_STATIC);
			}
			rc = step_done(s, st, err);
		}
		sqlite3_finalize(st);
	}
	if (rc == 0)
		rc = exec(s, "COMMIT", err, "書き込みの確定");
	if (rc)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* Process-wide SQLite settings, before its first use: no global memory statistics (they take a
   global mutex on every allocation, which serialises the server's threads). */
static void configure_sqlite(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int sasae_store_open(sasae_store **out, const char *path, int flags, sasae_error *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, configure_sqlite);
	*out = NULL;
	struct stat st;
	bool exists = stat(path, &st) == 0;
	if (!exists && !(flags & SASAE_STORE_CREATE))
		return sasae_error_set(err, SASAE_ENOTFOUND, path, 0,
				       "データベースがありません。先に「sasae import ファイル」で事業一覧を取り込んでください");
	sasae_store *s = calloc(1, sizeof *s);
	if (s == NULL || (s->path = sasae_strdup(path)) == NULL) {
		free(s);
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	}
	s->readonly = (flags & SASAE_STORE_READONLY) != 0;
	int oflags = s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	int rc = 0;
	if (sqlite3_open_v2(path, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = sasae_error_set(err, SASAE_EDB, path, 0, "データベースを開けません: %s",
				     s->db ? sqlite3_errmsg(s->db) : "メモリが足りません");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if (sasae_fts_register(s->db, (const sasae_variants *const *)&s->variants) != SQLITE_OK) {
		rc = sasae_error_set(err, SASAE_EDB, path, 0, "全文検索（FTS5）を使えません: %s", sqlite3_errmsg(s->db));
		goto fail;
	}
	if (sasae_fts_rank_register(s->db, &s->rank) != SQLITE_OK) {
		rc = sasae_error_set(err, SASAE_EDB, path, 0, "全文検索（FTS5）を使えません: %s", sqlite3_errmsg(s->db));
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	/* A file that is not a database fails on the first read. */
	int64_t nschema = query_int(s, "SELECT count(*) FROM sqlite_schema", -1);
	if (nschema < 0) {
		rc = sasae_error_set(err, SASAE_EDB, path, 0,
				     "SQLite のデータベースではありません: %s。別のファイル名を --db で指定してください",
				     sqlite3_errmsg(s->db));
		goto fail;
	}
	/* A new database opened for an import gets its schema in the import's transaction, in
	   rollback-journal mode, and WAL mode after it (settle). */
	bool fresh = !s->readonly && (flags & SASAE_STORE_IMPORT) && nschema == 0;
	if (!s->readonly && !fresh && (rc = exec(s, "PRAGMA journal_mode = WAL", err, "設定")) != 0)
		goto fail;
	if ((rc = exec(s, "PRAGMA foreign_keys = ON", err, "設定")) != 0)
		goto fail;
	/* A large import is one transaction: a page cache that holds its working set keeps SQLite from
	   spilling pages to the WAL and reading them back (measured in docs/benchmarks.md). */
	if (!s->readonly && (rc = exec(s, "PRAGMA cache_size = -" SASAE_STORE_CACHE_KIB, err, "設定")) != 0)
		goto fail;
	if ((rc = migrate(s, fresh, err)) != 0)
		goto fail;
	if ((rc = load_variants(s, err)) != 0)
		goto fail;
	*out = s;
	return 0;
fail:
	sasae_store_close(s);
	return rc;
}

void sasae_store_close(sasae_store *s)
{
	if (s == NULL)
		return;
	settle(s, NULL);
	for (size_t i = 0; i < s->ncache; i++)
		sqlite3_finalize(s->cache[i].st);
	sqlite3_close_v2(s->db);
	sasae_variants_free(s->variants);
	free(s->path);
	free(s);
}

/* A copy of a text column ("" for NULL); NULL when out of memory. */
static char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return sasae_strdup(t ? (const char *)t : "");
}

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
	[ST_LISTING_DEPT_ADD] = "INSERT INTO listing_department (listing_id, ordinal, department_id, note, printed)"
				" VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_PART_ADD] = "INSERT INTO part (version_id, number, title) VALUES (?1, ?2, ?3)",
	[ST_SECTION_ADD] = "INSERT INTO section (part_id, ordinal, number, title, source_line)"
			   " VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_WARNING_ADD] = "INSERT INTO version_warning (version_id, seq, line, kind, message)"
			   " VALUES (?1, ?2, ?3, ?4, ?5)",
};

/* A small cache of department ids (a plan names a few dozen bodies). */
typedef struct dept_cache_entry {
	char *name;
	int64_t id;
} dept_cache_entry;

/* Identity key → program row id, for the plan being imported: an open-addressing hash table,
   preloaded with the plan's programs, so that each listing costs no index probe. */
typedef struct key_slot {
	char *key;  /* owned; NULL = empty slot */
	int64_t id; /* program.id */
} key_slot;

typedef struct key_map {
	key_slot *slots;
	size_t cap; /* power of two */
	size_t n;
} key_map;

static uint64_t key_hash(const char *k)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211ULL;
	return h;
}

/* The slot where key is or would go. */
static key_slot *key_map_slot(key_map *m, const char *key)
{
	size_t i = (size_t)key_hash(key) & (m->cap - 1);
	while (m->slots[i].key && strcmp(m->slots[i].key, key) != 0)
		i = (i + 1) & (m->cap - 1);
	return &m->slots[i];
}

/* Insert (key is moved into the map).  0 or SASAE_ENOMEM (key then freed). */
static int key_map_put(key_map *m, char *key, int64_t id)
{
	if ((m->n + 1) * 4 > m->cap * 3) { /* keep the load under 3/4 */
		size_t cap = m->cap ? m->cap * 2 : 1024;
		key_slot *slots = calloc(cap, sizeof *slots);
		if (slots == NULL) {
			free(key);
			return SASAE_ENOMEM;
		}
		key_map old = *m;
		m->slots = slots;
		m->cap = cap;
		for (size_t i = 0; i < old.cap; i++)
			if (old.slots[i].key)
				*key_map_slot(m, old.slots[i].key) = old.slots[i];
		free(old.slots);
	}
	key_slot *slot = key_map_slot(m, key);
	if (slot->key)
		free(slot->key);
	else
		m->n++;
	slot->key = key;
	slot->id = id;
	return 0;
}

static void key_map_free(key_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	memset(m, 0, sizeof *m);
}

struct sasae_store_import {
	sasae_store *s;
	key_map keys;
	sqlite3_stmt *st[ST_COUNT];
	int64_t plan_id, version_id, part_id, section_id;
	int version;
	int section_ordinal;
	bool no_index; /* leave the search index to a later sasae_store_reindex */
	bool nested;   /* in a new database's first transaction, with its schema (s->pending) */
	int64_t next_program;
	sasae_import_summary sum;
	dept_cache_entry *depts;
	size_t ndepts, capdepts;
	size_t nwarnings; /* warnings written (their seq) */
};

static void import_free(sasae_store_import *imp)
{
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(imp->st[i]);
	for (size_t i = 0; i < imp->ndepts; i++)
		free(imp->depts[i].name);
	free(imp->depts);
	key_map_free(&imp->keys);
	free(imp);
}

/* Undo an import's writes.  In a new database (nested) the schema was undone with them: it is
   created again, alone. */
static void import_rollback(sasae_store *s, bool nested)
{
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	if (nested) {
		s->pending = false;
		if (migrate(s, false, NULL) == 0)
			sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
	}
}

void sasae_store_import_abort(sasae_store_import *imp)
{
	if (imp == NULL)
		return;
	import_rollback(imp->s, imp->nested);
	import_free(imp);
}

/* Step a write statement to completion and reset it. */
static int step_done(sasae_store *s, sqlite3_stmt *st, sasae_error *err)
{
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (r != SQLITE_DONE)
		return db_error(s, err, "書き込み");
	return 0;
}

static int load_keys(sasae_store_import *imp, sasae_error *err);

int sasae_store_import_begin(sasae_store_import **out, int *existing, sasae_store *s, const char *slug,
			     const char *source, const char *digest, sasae_error *err)
{
	*out = NULL;
	*existing = 0;
	if (s->readonly)
		return sasae_error_set(err, SASAE_EINTERNAL, s->path, 0, "読み取り専用で開いたデータベースには書き込めません");
	sqlite3_stmt *st = NULL;
	int rc = 0;
	bool nested = s->pending; /* a new database: the import joins the transaction of its schema */
	if (!nested && (rc = exec(s, "BEGIN IMMEDIATE", err, "書き込み開始")) != 0)
		return rc;
	sasae_store_import *imp = calloc(1, sizeof *imp);
	if (imp == NULL) {
		import_rollback(s, nested);
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	}
	imp->s = s;
	imp->nested = nested;
	/* The plan, and whether this document is already one of its versions. */
	if ((rc = prepare(s, &st, "SELECT id, next_program FROM plan WHERE slug = ?1", err)) != 0)
		goto fail;
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		imp->plan_id = sqlite3_column_int64(st, 0);
		imp->next_program = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (imp->plan_id) {
		if ((rc = prepare(s, &st, "SELECT seq FROM version WHERE plan_id = ?1 AND digest = ?2", err)) != 0)
			goto fail;
		sqlite3_bind_int64(st, 1, imp->plan_id);
		sqlite3_bind_text(st, 2, digest, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			*existing = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
		st = NULL;
		if (*existing) {
			sasae_store_import_abort(imp);
			return 0;
		}
	} else {
		if ((rc = prepare(s, &st, "INSERT INTO plan (slug) VALUES (?1)", err)) != 0)
			goto fail;
		sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
		if ((rc = step_done(s, st, err)) != 0)
			goto fail;
		sqlite3_finalize(st);
		st = NULL;
		imp->plan_id = sqlite3_last_insert_rowid(s->db);
		imp->next_program = 1;
	}
	if ((rc = prepare(s, &st,
			  "INSERT INTO version (plan_id, seq, title, source, digest) VALUES (?1,"
			  " (SELECT coalesce(max(seq), 0) + 1 FROM version WHERE plan_id = ?1), '', ?2, ?3)"
			  " RETURNING id, seq",
			  err)) != 0)
		goto fail;
	sqlite3_bind_int64(st, 1, imp->plan_id);
	sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, digest, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = db_error(s, err, "書き込み");
		goto fail;
	}
	imp->version_id = sqlite3_column_int64(st, 0);
	imp->version = sqlite3_column_int(st, 1);
	sqlite3_finalize(st);
	st = NULL;
	for (int i = 0; i < ST_COUNT; i++)
		if ((rc = prepare(s, &imp->st[i], import_sql[i], err)) != 0)
			goto fail;
	if ((rc = load_keys(imp, err)) != 0)
		goto fail;
	*out = imp;
	return 0;
fail:
	sqlite3_finalize(st);
	sasae_store_import_abort(imp);
	return rc;
}

int sasae_store_import_title(sasae_store_import *imp, const char *title, sasae_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = prepare(imp->s, &st, "UPDATE version SET title = ?1 WHERE id = ?2", err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, imp->version_id);
	rc = step_done(imp->s, st, err);
	sqlite3_finalize(st);
	return rc;
}

int sasae_store_import_part(sasae_store_import *imp, int number, const char *title, sasae_error *err)
{
	sqlite3_stmt *st = imp->st[ST_PART_ADD];
	sqlite3_bind_int64(st, 1, imp->version_id);
	sqlite3_bind_int(st, 2, number);
	if (title)
		sqlite3_bind_text(st, 3, title, -1, SQLITE_STATIC);
	int rc = step_done(imp->s, st, err);
	if (rc)
		return rc;
	imp->part_id = sqlite3_last_insert_rowid(imp->s->db);
	imp->section_ordinal = 0;
	imp->sum.parts++;
	return 0;
}

int sasae_store_import_section(sasae_store_import *imp, int number, const char *title, long line,
			       sasae_error *err)
{
	sqlite3_stmt *st = imp->st[ST_SECTION_ADD];
	sqlite3_bind_int64(st, 1, imp->part_id);
	sqlite3_bind_int(st, 2, ++imp->section_ordinal);
	sqlite3_bind_int(st, 3, number);
	sqlite3_bind_text(st, 4, title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, line);
	int rc = step_done(imp->s, st, err);
	if (rc)
		return rc;
	imp->section_id = sqlite3_last_insert_rowid(imp->s->db);
	imp->sum.sections++;
	return 0;
}

/* The id of the department called name, created when new. */
static int department_id(sasae_store_import *imp, const char *name, int64_t *id, sasae_error *err)
{
	for (size_t i = 0; i < imp->ndepts; i++)
		if (strcmp(imp->depts[i].name, name) == 0) {
			*id = imp->depts[i].id;
			return 0;
		}
	sqlite3_stmt *st = imp->st[ST_DEPT_FIND];
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	*id = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return db_error(imp->s, err, "読み取り");
	if (*id == 0) {
		st = imp->st[ST_DEPT_ADD];
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		int rc = step_done(imp->s, st, err);
		if (rc)
			return rc;
		*id = sqlite3_last_insert_rowid(imp->s->db);
	}
	if (imp->ndepts < 4096) { /* a bounded cache; beyond it every lookup goes to the index */
		if (imp->ndepts == imp->capdepts) {
			size_t c = imp->capdepts ? imp->capdepts * 2 : 32;
			dept_cache_entry *d = realloc(imp->depts, c * sizeof *d);
			if (d == NULL)
				return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			imp->depts = d;
			imp->capdepts = c;
		}
		char *copy = sasae_strdup(name);
		if (copy == NULL)
			return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		imp->depts[imp->ndepts++] = (dept_cache_entry){copy, *id};
	}
	return 0;
}

/* The program of a listing: found by identity key within the plan, created when new. */
static int program_id(sasae_store_import *imp, const char *name, int64_t *id, sasae_error *err)
{
	char *key = sasae_text_identity_key(name);
	if (key == NULL)
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	key_slot *slot = imp->keys.cap ? key_map_slot(&imp->keys, key) : NULL;
	if (slot && slot->key) {
		*id = slot->id;
		free(key);
		return 0;
	}
	char pid[32];
	snprintf(pid, sizeof pid, "p%04lld", (long long)imp->next_program++);
	sqlite3_stmt *st = imp->st[ST_PROGRAM_ADD];
	sqlite3_bind_int64(st, 1, imp->plan_id);
	sqlite3_bind_text(st, 2, pid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
	int rc = step_done(imp->s, st, err);
	if (rc) {
		free(key);
		return rc;
	}
	*id = sqlite3_last_insert_rowid(imp->s->db);
	imp->sum.new_programs++;
	if (key_map_put(&imp->keys, key, *id))
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	return 0;
}

/* Load the plan's existing identities into the key map. */
static int load_keys(sasae_store_import *imp, sasae_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = prepare(imp->s, &st, "SELECT key, id FROM program WHERE plan_id = ?1", err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, imp->plan_id);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		char *key = col_text(st, 0);
		if (key == NULL || key_map_put(&imp->keys, key, sqlite3_column_int64(st, 1))) {
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			break;
		}
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = db_error(imp->s, err, "読み取り");
	sqlite3_finalize(st);
	return rc;
}

int sasae_store_import_listing(sasae_store_import *imp, const sasae_listing *l, sasae_error *err)
{
	int64_t prog = 0;
	int rc = program_id(imp, l->name, &prog, err);
	if (rc)
		return rc;
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
	if ((rc = step_done(imp->s, st, err)) != 0)
		return rc;
	int64_t listing = sqlite3_last_insert_rowid(imp->s->db);
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
		if ((rc = step_done(imp->s, st, err)) != 0)
			return rc;
	}
	imp->sum.listings++;
	return 0;
}

int sasae_store_import_warning(sasae_store_import *imp, long line, const char *kind, const char *message,
			       sasae_error *err)
{
	sqlite3_stmt *st = imp->st[ST_WARNING_ADD];
	sqlite3_bind_int64(st, 1, imp->version_id);
	sqlite3_bind_int64(st, 2, (int64_t)++imp->nwarnings);
	sqlite3_bind_int64(st, 3, line);
	sqlite3_bind_text(st, 4, kind ? kind : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, message ? message : "", -1, SQLITE_STATIC);
	return step_done(imp->s, st, err);
}

/* Write the search index of a version: one document per program (docs/search.md). */
static int build_index(sasae_store *s, int64_t version_id, sasae_error *err)
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
		int rc = prepare(s, &st, sql[i], err);
		if (rc)
			return rc;
		sqlite3_bind_int64(st, 1, version_id);
		rc = step_done(s, st, err);
		sqlite3_finalize(st);
		if (rc)
			return rc;
	}
	return 0;
}

void sasae_store_import_skip_index(sasae_store_import *imp) { imp->no_index = true; }

int sasae_store_reindex(sasae_store *s, int64_t version_id, sasae_error *err)
{
	static const char *const sql[] = {
		"DELETE FROM search_index WHERE rowid IN (SELECT id FROM search_doc WHERE version_id = ?1)",
		"DELETE FROM search_doc WHERE version_id = ?1",
	};
	int rc = exec(s, "BEGIN IMMEDIATE", err, "書き込み開始");
	for (size_t i = 0; rc == 0 && i < sizeof sql / sizeof sql[0]; i++) {
		sqlite3_stmt *st = NULL;
		if ((rc = prepare(s, &st, sql[i], err)) == 0) {
			sqlite3_bind_int64(st, 1, version_id);
			rc = step_done(s, st, err);
		}
		sqlite3_finalize(st);
	}
	if (rc == 0)
		rc = build_index(s, version_id, err);
	if (rc == 0)
		rc = exec(s, "COMMIT", err, "書き込みの確定");
	if (rc)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int sasae_store_import_commit(sasae_store_import *imp, sasae_import_summary *summary, sasae_error *err)
{
	sasae_store *s = imp->s;
	sqlite3_stmt *st = NULL;
	int rc = prepare(s, &st,
			 "INSERT INTO version_program (version_id, program_id, listing_id)"
			 " SELECT ?1, program_id, coalesce(min(CASE WHEN relisted = 0 THEN id END), min(id))"
			 " FROM listing WHERE version_id = ?1 GROUP BY program_id",
			 err);
	if (rc == 0) {
		sqlite3_bind_int64(st, 1, imp->version_id);
		rc = step_done(s, st, err);
		imp->sum.programs = (size_t)sqlite3_changes(s->db);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc == 0 && !imp->no_index)
		rc = build_index(s, imp->version_id, err);
	if (rc == 0 && (rc = prepare(s, &st, "UPDATE plan SET next_program = ?1 WHERE id = ?2", err)) == 0) {
		sqlite3_bind_int64(st, 1, imp->next_program);
		sqlite3_bind_int64(st, 2, imp->plan_id);
		rc = step_done(s, st, err);
	}
	sqlite3_finalize(st);
	if (rc == 0)
		rc = imp->nested ? settle(s, err) : exec(s, "COMMIT", err, "書き込みの確定");
	if (rc) {
		sasae_store_import_abort(imp);
		return rc;
	}
	imp->sum.version = imp->version;
	if (summary)
		*summary = imp->sum;
	import_free(imp);
	return 0;
}

/* ---- reading ---- */


void sasae_plan_infos_free(sasae_plan_info *infos, size_t n)
{
	if (infos == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(infos[i].slug);
		free(infos[i].title);
		free(infos[i].source);
		free(infos[i].imported_at);
	}
	free(infos);
}

int sasae_store_plans(sasae_store *s, sasae_plan_info **out, size_t *n, sasae_error *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = NULL;
	int rc = prepare(s, &st,
			 "SELECT p.slug, v.title, v.seq, v.source, v.imported_at,"
			 " (SELECT count(*) FROM part WHERE version_id = v.id),"
			 " (SELECT count(*) FROM section JOIN part ON part.id = section.part_id WHERE part.version_id = v.id),"
			 " (SELECT count(*) FROM listing WHERE version_id = v.id),"
			 " (SELECT count(*) FROM version_program WHERE version_id = v.id)"
			 " FROM plan p JOIN version v ON v.plan_id = p.id"
			 " WHERE v.seq = (SELECT max(seq) FROM version WHERE plan_id = p.id) ORDER BY p.slug",
			 err);
	if (rc)
		return rc;
	sasae_plan_info *infos = NULL;
	size_t cnt = 0;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		sasae_plan_info *p = realloc(infos, (cnt + 1) * sizeof *p);
		if (p == NULL) {
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			break;
		}
		infos = p;
		sasae_plan_info *i = &infos[cnt++];
		memset(i, 0, sizeof *i);
		i->slug = col_text(st, 0);
		i->title = col_text(st, 1);
		i->version = sqlite3_column_int(st, 2);
		i->source = col_text(st, 3);
		i->imported_at = col_text(st, 4);
		i->parts = (size_t)sqlite3_column_int64(st, 5);
		i->sections = (size_t)sqlite3_column_int64(st, 6);
		i->listings = (size_t)sqlite3_column_int64(st, 7);
		i->programs = (size_t)sqlite3_column_int64(st, 8);
		if (!i->slug || !i->title || !i->source || !i->imported_at) {
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			break;
		}
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = db_error(s, err, "読み取り");
	sqlite3_finalize(st);
	if (rc) {
		sasae_plan_infos_free(infos, cnt);
		return rc;
	}
	*out = infos;
	*n = cnt;
	return 0;
}

int sasae_store_resolve(sasae_store *s, const char *spec, int64_t *version_id, sasae_error *err)
{
	*version_id = 0;
	sqlite3_stmt *st = NULL;
	int rc;
	if (spec == NULL || *spec == '\0') {
		rc = prepare(s, &st, "SELECT id FROM version ORDER BY id DESC LIMIT 1", err);
		if (rc)
			return rc;
		if (sqlite3_step(st) == SQLITE_ROW)
			*version_id = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (*version_id == 0)
			return sasae_error_set(err, SASAE_ENOTFOUND, s->path, 0,
					       "計画がまだ取り込まれていません。「sasae import ファイル」で取り込んでください");
		return 0;
	}
	const char *at = strchr(spec, '@');
	size_t slen = at ? (size_t)(at - spec) : strlen(spec);
	long seq = 0;
	if (at) {
		char *end;
		seq = strtol(at + 1, &end, 10);
		if (*end != '\0' || seq < 1)
			return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
					       "--plan「%s」の版の番号が正しくありません（例: sendai-2024-draft@2）", spec);
	}
	rc = prepare(s, &st,
		     "SELECT v.id FROM version v JOIN plan p ON p.id = v.plan_id WHERE p.slug = ?1"
		     " AND (?2 = 0 AND v.seq = (SELECT max(seq) FROM version WHERE plan_id = p.id) OR v.seq = ?2)",
		     err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, spec, (int)slen, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	if (sqlite3_step(st) == SQLITE_ROW)
		*version_id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (*version_id)
		return 0;
	/* Name the plans there are, so the user can pick one. */
	sasae_buf names = SASAE_BUF_INIT;
	sasae_plan_info *infos;
	size_t n;
	if (sasae_store_plans(s, &infos, &n, NULL) == 0) {
		for (size_t i = 0; i < n; i++)
			sasae_buf_appendf(&names, "%s%s（第%d版まで）", i ? "、" : "", infos[i].slug, infos[i].version);
		sasae_plan_infos_free(infos, n);
	}
	rc = sasae_error_set(err, SASAE_ENOTFOUND, NULL, 0, "計画「%s」はありません。あるのは: %s", spec,
			     names.len ? sasae_buf_cstr(&names) : "（なし）");
	sasae_buf_free(&names);
	return rc;
}

/* Departments of every listing of a version, keyed by listing id, read in one pass. */
static int load_departments(sasae_store *s, int64_t version_id, sasae_plan *plan, int64_t *listing_ids,
			    sasae_listing **listings, size_t n, sasae_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = prepare(s, &st,
			 "SELECT ld.listing_id, d.name, ld.note, ld.printed FROM listing_department ld"
			 " JOIN listing l ON l.id = ld.listing_id JOIN department d ON d.id = ld.department_id"
			 " WHERE l.version_id = ?1 ORDER BY ld.listing_id, ld.ordinal",
			 err);
	if (rc)
		return rc;
	(void)plan;
	sqlite3_bind_int64(st, 1, version_id);
	size_t j = 0;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t lid = sqlite3_column_int64(st, 0);
		while (j < n && listing_ids[j] < lid)
			j++;
		if (j == n || listing_ids[j] != lid)
			continue;
		sasae_listing *l = listings[j];
		sasae_department *d = realloc(l->departments, (l->ndepartments + 1) * sizeof *d);
		if (d == NULL) {
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			break;
		}
		l->departments = d;
		d = &l->departments[l->ndepartments++];
		d->name = col_text(st, 1);
		d->note = sqlite3_column_type(st, 2) == SQLITE_NULL ? NULL : col_text(st, 2);
		d->printed = sqlite3_column_type(st, 3) == SQLITE_NULL ? NULL : col_text(st, 3);
		if (d->name == NULL || (d->note == NULL && sqlite3_column_type(st, 2) != SQLITE_NULL) ||
		    (d->printed == NULL && sqlite3_column_type(st, 3) != SQLITE_NULL)) {
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			break;
		}
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = db_error(s, err, "読み取り");
	sqlite3_finalize(st);
	return rc;
}

/* A program id and its index in plan->programs, for lookups by id. */
typedef struct pid_index {
	const char *id;
	size_t index;
} pid_index;

static int pid_cmp(const void *a, const void *b)
{
	return strcmp(((const pid_index *)a)->id, ((const pid_index *)b)->id);
}

int sasae_store_load_plan(sasae_store *s, int64_t version_id, sasae_plan **out, sasae_error *err)
{
	*out = NULL;
	sasae_plan *plan = sasae_plan_new();
	sqlite3_stmt *st = NULL;
	int64_t *ids = NULL;
	sasae_listing **ptrs = NULL;
	size_t n = 0, cap = 0;
	int r, rc = 0;
	if (plan == NULL)
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	if ((rc = prepare(s, &st,
			  "SELECT p.slug, v.title, v.source, v.seq FROM version v JOIN plan p ON p.id = v.plan_id"
			  " WHERE v.id = ?1",
			  err)) != 0)
		goto done;
	sqlite3_bind_int64(st, 1, version_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = sasae_error_set(err, SASAE_ENOTFOUND, NULL, 0, "計画の版が見つかりません");
		goto done;
	}
	plan->slug = col_text(st, 0);
	plan->title = col_text(st, 1);
	plan->source = col_text(st, 2);
	plan->version = sqlite3_column_int(st, 3);
	sqlite3_finalize(st);
	st = NULL;
	/* Parts, sections and listings in document order (one query, ordered). */
	if ((rc = prepare(s, &st,
			  "SELECT pt.number, pt.title, se.id, se.number, se.title, se.source_line,"
			  " l.id, l.position, l.number, l.name, l.summary, l.relisted, pr.pid, l.source_line"
			  " FROM part pt LEFT JOIN section se ON se.part_id = pt.id"
			  " LEFT JOIN listing l ON l.section_id = se.id"
			  " LEFT JOIN program pr ON pr.id = l.program_id"
			  " WHERE pt.version_id = ?1 ORDER BY pt.number, se.ordinal, l.position",
			  err)) != 0)
		goto done;
	sqlite3_bind_int64(st, 1, version_id);
	int64_t cur_section = -1;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int partno = sqlite3_column_int(st, 0);
		if (plan->nparts == 0 || plan->parts[plan->nparts - 1].number != partno) {
			sasae_part *p = sasae_plan_add_part(plan);
			if (p == NULL)
				goto oom;
			p->number = partno;
			p->title = sqlite3_column_type(st, 1) == SQLITE_NULL ? NULL : col_text(st, 1);
		}
		sasae_part *part = &plan->parts[plan->nparts - 1];
		if (sqlite3_column_type(st, 2) == SQLITE_NULL)
			continue;
		int64_t sid = sqlite3_column_int64(st, 2);
		if (sid != cur_section) {
			sasae_section *sec = sasae_part_add_section(part);
			if (sec == NULL)
				goto oom;
			sec->number = sqlite3_column_int(st, 3);
			sec->title = col_text(st, 4);
			sec->source_line = sqlite3_column_int64(st, 5);
			if (sec->title == NULL)
				goto oom;
			cur_section = sid;
		}
		if (sqlite3_column_type(st, 6) == SQLITE_NULL)
			continue;
		sasae_section *sec = &part->sections[part->nsections - 1];
		sasae_listing l = {
			.part = partno,
			.section = sec->number,
			.section_index = (int)part->nsections,
			.position = sqlite3_column_int(st, 7),
			.number = (long)sqlite3_column_int64(st, 8),
			.name = (char *)(uintptr_t)sqlite3_column_text(st, 9),
			.summary = (char *)(uintptr_t)sqlite3_column_text(st, 10),
			.relisted = sqlite3_column_int(st, 11) != 0,
			.program = (char *)(uintptr_t)sqlite3_column_text(st, 12),
			.source_line = (long)sqlite3_column_int64(st, 13),
		};
		if (sasae_section_add_listing(sec, &l) == NULL)
			goto oom;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			int64_t *ni = realloc(ids, cap * sizeof *ni);
			if (ni == NULL)
				goto oom;
			ids = ni;
			sasae_listing **np = realloc(ptrs, cap * sizeof *np);
			if (np == NULL)
				goto oom;
			ptrs = np;
		}
		ids[n++] = sqlite3_column_int64(st, 6);
	}
	if (r != SQLITE_DONE) {
		rc = db_error(s, err, "読み取り");
		goto done;
	}
	sqlite3_finalize(st);
	st = NULL;
	/* Listing pointers are stable now that all sections are filled. */
	{
		size_t k = 0;
		for (size_t i = 0; i < plan->nparts; i++)
			for (size_t j = 0; j < plan->parts[i].nsections; j++)
				for (size_t m = 0; m < plan->parts[i].sections[j].nlistings; m++)
					ptrs[k++] = &plan->parts[i].sections[j].listings[m];
	}
	/* ids were read ordered by (part, ordinal, position) = document order = ascending ids. */
	if ((rc = load_departments(s, version_id, plan, ids, ptrs, n, err)) != 0)
		goto done;
	/* Programs: every program of the version with its original listing, and its places. */
	if ((rc = prepare(s, &st,
			  "SELECT pr.pid, vp.listing_id FROM version_program vp JOIN program pr ON pr.id = vp.program_id"
			  " WHERE vp.version_id = ?1 ORDER BY vp.listing_id",
			  err)) != 0)
		goto done;
	sqlite3_bind_int64(st, 1, version_id);
	{
		size_t np = 0, capp = 0;
		while ((r = sqlite3_step(st)) == SQLITE_ROW) {
			if (np == capp) {
				capp = capp ? capp * 2 : 64;
				sasae_program *pp = realloc(plan->programs, capp * sizeof *pp);
				if (pp == NULL)
					goto oom;
				plan->programs = pp;
			}
			sasae_program *p = &plan->programs[np++];
			memset(p, 0, sizeof *p);
			plan->nprograms = np;
			p->id = col_text(st, 0);
			int64_t lid = sqlite3_column_int64(st, 1);
			/* binary search the listing */
			size_t lo = 0, hi = n;
			while (lo < hi) {
				size_t mid = (lo + hi) / 2;
				if (ids[mid] < lid)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (p->id == NULL || lo == n || ids[lo] != lid)
				goto oom;
			const sasae_listing *orig = ptrs[lo];
			p->name = sasae_strdup(orig->name);
			p->summary = sasae_strdup(orig->summary);
			p->departments = sasae_departments_copy(orig->departments, orig->ndepartments);
			p->ndepartments = p->departments ? orig->ndepartments : 0;
			if (!p->name || !p->summary)
				goto oom;
		}
		if (r != SQLITE_DONE) {
			rc = db_error(s, err, "読み取り");
			goto done;
		}
	}
	/* Places: walk the listings in document order, finding each one's program by id. */
	{
		size_t np = plan->nprograms;
		pid_index *order = malloc((np ? np : 1) * sizeof *order);
		if (order == NULL)
			goto oom;
		for (size_t i = 0; i < np; i++)
			order[i] = (pid_index){plan->programs[i].id, i};
		qsort(order, np, sizeof *order, pid_cmp);
		for (size_t i = 0; i < n; i++) {
			const sasae_listing *l = ptrs[i];
			pid_index key = {l->program, 0};
			const pid_index *hit = bsearch(&key, order, np, sizeof *order, pid_cmp);
			if (hit == NULL)
				continue;
			sasae_program *p = &plan->programs[hit->index];
			sasae_place *pl = realloc(p->places, (p->nplaces + 1) * sizeof *pl);
			if (pl == NULL) {
				free(order);
				goto oom;
			}
			p->places = pl;
			p->places[p->nplaces++] = (sasae_place){l->part, l->section, l->section_index, l->position};
		}
		free(order);
	}
	/* The parser's warnings about the document (lint reports some of them). */
	sqlite3_finalize(st);
	st = NULL;
	if ((rc = prepare(s, &st, "SELECT line, kind, message FROM version_warning WHERE version_id = ?1 ORDER BY seq",
			  err)) != 0)
		goto done;
	sqlite3_bind_int64(st, 1, version_id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		if (sasae_plan_add_warning(plan, (long)sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
					   (const char *)sqlite3_column_text(st, 2)))
			goto oom;
	if (r != SQLITE_DONE)
		rc = db_error(s, err, "読み取り");
	goto done;
oom:
	rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
done:
	sqlite3_finalize(st);
	free(ids);
	free(ptrs);
	if (rc) {
		sasae_plan_free(plan);
		return rc;
	}
	*out = plan;
	return 0;
}

/* ---- search ---- */

void sasae_store_hits_free(sasae_store_hit *hits, size_t n)
{
	if (hits == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(hits[i].program);
		free(hits[i].name);
		free(hits[i].summary);
		free(hits[i].departments);
		for (size_t j = 0; j < hits[i].nplaces; j++)
			free(hits[i].places[j].section_title);
		free(hits[i].places);
	}
	free(hits);
}

/* The filter shared by the count and the page of results (?1 match, ?2 version, ?3 part, ?4 section);
   FILTER_WHERE is the same without full-text match (?1: the exclusions, or NULL). */
#define SEARCH_WHERE " WHERE search_index MATCH ?1 AND d.version_id = ?2" SEARCH_FILTERS
#define FILTER_WHERE                                                                                               \
	" WHERE d.version_id = ?2 AND (?1 IS NULL OR d.id NOT IN (SELECT rowid FROM search_index"                 \
	"  WHERE search_index MATCH ?1))" SEARCH_FILTERS
#define SEARCH_FILTERS                                                                                             \
	" AND (?3 = 0 AND ?4 = 0 OR EXISTS (SELECT 1 FROM listing lf JOIN section sf ON sf.id = lf.section_id"   \
	"  JOIN part pf ON pf.id = sf.part_id WHERE lf.version_id = d.version_id AND lf.program_id = d.program_id" \
	"  AND (?3 = 0 OR pf.number = ?3) AND (?4 = 0 OR sf.number = ?4)))"

/* Bind the parameters of SEARCH_WHERE. */
static void bind_search(sqlite3_stmt *st, int64_t version_id, const sasae_store_query *q)
{
	sqlite3_bind_text(st, 1, q->match ? q->match : q->exclude, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, version_id);
	sqlite3_bind_int(st, 3, q->part);
	sqlite3_bind_int(st, 4, q->section);
}

/* An FTS5 refusal of the expression is a bug of the query compiler, not the user's. */
static int search_error(sasae_store *s, sasae_error *err)
{
	const char *msg = sqlite3_errmsg(s->db);
	if (strstr(msg, "fts5") || strstr(msg, "syntax"))
		return sasae_error_set(err, SASAE_EINTERNAL, NULL, 0, "検索式を組み立てられませんでした（内部エラー: %s）", msg);
	return db_error(s, err, "検索");
}

/* Every place a hit (program row program_id) is listed, in document order. */
static int load_places(sasae_store *s, int64_t version_id, int64_t program_id, sasae_store_hit *h, sqlite3_stmt *st,
		       sasae_error *err)
{
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, version_id);
	sqlite3_bind_int64(st, 2, program_id);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		sasae_store_place *p = realloc(h->places, (h->nplaces + 1) * sizeof *p);
		if (p == NULL)
			return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		h->places = p;
		p = &h->places[h->nplaces++];
		p->part = sqlite3_column_int(st, 0);
		p->section = sqlite3_column_int(st, 1);
		p->position = sqlite3_column_int(st, 2);
		p->number = (long)sqlite3_column_int64(st, 3);
		p->relisted = sqlite3_column_int(st, 4) != 0;
		p->section_title = col_text(st, 5);
		p->section_index = sqlite3_column_int(st, 6);
		if (p->section_title == NULL)
			return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	}
	return r == SQLITE_DONE ? 0 : db_error(s, err, "検索");
}

/* Start a read transaction unless one is open (*began says which), so that the statements of one
   search see one state of the database. */
static int read_begin(sasae_store *s, bool *began, sasae_error *err)
{
	*began = false;
	if (!sqlite3_get_autocommit(s->db))
		return 0;
	sqlite3_stmt *st = NULL;
	int rc = prepare_cached(s, &st, "BEGIN", err);
	if (rc)
		return rc;
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_error(s, err, "読み取り開始");
	release(s, st);
	*began = rc == 0;
	return rc;
}

static void read_end(sasae_store *s, bool began)
{
	if (!began)
		return;
	sqlite3_stmt *st = NULL;
	bool ok = prepare_cached(s, &st, "COMMIT", NULL) == 0 && sqlite3_step(st) == SQLITE_DONE;
	release(s, st);
	if (!ok)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/*
 * The scope of a search of version_id: the range of its search_doc ids, and whether the range holds
 * nothing else (an index is written by one INSERT … SELECT, so it is contiguous).  Kept per
 * connection until the database changes; run inside the search's read transaction.
 */
static int search_scope(sasae_store *s, int64_t version_id, sasae_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = prepare_cached(s, &st, "PRAGMA data_version", err);
	if (rc)
		return rc;
	int64_t data_version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	release(s, st);
	sqlite3_int64 changes = sqlite3_total_changes64(s->db);
	bool same_data = s->scope.valid && s->scope.data_version == data_version && s->scope.changes == changes;
	if (same_data && s->scope.version_id == version_id)
		return 0;
	if (!same_data)
		sasae_fts_rank_reset(s->rank); /* the index may have changed */
	s->scope.valid = false;
	/* When the table holds this version alone (the usual case), its ends and its count say it in a
	   few page reads; otherwise the version's own index entries are read (40 ms for 287,000). */
	if ((rc = prepare_cached(s, &st,
				 "SELECT (SELECT min(id) FROM search_doc), (SELECT max(id) FROM search_doc),"
				 " (SELECT count(*) FROM search_doc), EXISTS (SELECT 1 FROM search_doc WHERE version_id < ?1)"
				 " OR EXISTS (SELECT 1 FROM search_doc WHERE version_id > ?1)",
				 err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, version_id);
	bool others = true;
	int64_t lo = 0, hi = 0, n = 0;
	for (int pass = 0; rc == 0 && others && pass < 2; pass++) {
		if (pass == 1) {
			if ((rc = prepare_cached(s, &st,
						 "SELECT min(id), max(id), count(*), 0 FROM search_doc WHERE version_id = ?1",
						 err)) != 0)
				return rc;
			sqlite3_bind_int64(st, 1, version_id);
		}
		if (sqlite3_step(st) == SQLITE_ROW) {
			lo = sqlite3_column_int64(st, 0);
			hi = sqlite3_column_int64(st, 1);
			n = sqlite3_column_int64(st, 2);
			others = sqlite3_column_int(st, 3) != 0;
		} else {
			rc = db_error(s, err, "検索");
		}
		release(s, st);
	}
	if (rc)
		return rc;
	if (n == 0)
		lo = hi = 0;
	if ((rc = prepare_cached(s, &st,
				 "SELECT (SELECT rowid FROM search_index ORDER BY rowid LIMIT 1),"
				 " (SELECT rowid FROM search_index ORDER BY rowid DESC LIMIT 1)",
				 err)) != 0)
		return rc;
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = db_error(s, err, "検索");
		release(s, st);
		return rc;
	}
	s->scope.whole_index = sqlite3_column_int64(st, 0) >= lo && sqlite3_column_int64(st, 1) <= hi;
	release(s, st);
	s->scope.valid = true;
	s->scope.data_version = data_version;
	s->scope.changes = changes;
	s->scope.version_id = version_id;
	s->scope.lo = lo;
	s->scope.hi = hi;
	s->scope.contiguous = n > 0 && hi - lo + 1 == n;
	sasae_fts_rank_scope(s->rank, lo, hi);
	return 0;
}

/* A matching document, ranked: an exact name first, then the score (lower is better), then document
   order. */
typedef struct ranked {
	int64_t id;
	double score;
	bool exact;
} ranked;

static bool ranked_before(const ranked *a, const ranked *b)
{
	if (a->exact != b->exact)
		return a->exact;
	if (a->score != b->score)
		return a->score < b->score;
	return a->id < b->id;
}

static int ranked_cmp(const void *a, const void *b)
{
	return ranked_before(a, b) ? -1 : ranked_before(b, a) ? 1 : 0;
}

/* The best `want` of the matches offered (a collector for sasae_collect): a heap whose root is the
   worst kept. */
typedef struct topk {
	sasae_fts_collector base; /* lo, hi: documents outside [lo, hi] are not the version's */
	ranked *h;
	size_t n, cap, want;
	int64_t exact;  /* the exact name's document, or 0 */
	double rej[2];  /* the two best distinct scores of the matches not kept, */
	int nrej;       /* how many of them there are */
} topk;

static void topk_reject(topk *t, const ranked *x)
{
	if (t->nrej == 0 || x->score < t->rej[0]) {
		t->rej[1] = t->rej[0];
		t->rej[0] = x->score;
		t->nrej = t->nrej ? 2 : 1;
	} else if (x->score > t->rej[0] && (t->nrej == 1 || x->score < t->rej[1])) {
		t->rej[1] = x->score;
		t->nrej = 2;
	}
}

static int topk_offer(sasae_fts_collector *c, int64_t id, double score)
{
	topk *t = (topk *)c;
	ranked x = {id, score, t->exact != 0 && id == t->exact};
	if (id < c->lo || id > c->hi)
		return SQLITE_OK;
	if (t->want == 0) {
		topk_reject(t, &x);
	} else if (t->n < t->want) {
		if (t->n == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 64;
			cap = cap < t->want ? cap : t->want;
			ranked *h = realloc(t->h, cap * sizeof *h);
			if (h == NULL)
				return SQLITE_NOMEM;
			t->h = h;
			t->cap = cap;
		}
		size_t i = t->n++;
		t->h[i] = x;
		while (i > 0 && ranked_before(&t->h[(i - 1) / 2], &t->h[i])) { /* up */
			ranked tmp = t->h[i];
			t->h[i] = t->h[(i - 1) / 2];
			t->h[(i - 1) / 2] = tmp;
			i = (i - 1) / 2;
		}
	} else if (!ranked_before(&x, &t->h[0])) {
		topk_reject(t, &x);
	} else {
		topk_reject(t, &t->h[0]);
		t->h[0] = x;
		for (size_t i = 0;;) { /* down */
			size_t w = i, l = 2 * i + 1, r = l + 1;
			if (l < t->n && ranked_before(&t->h[w], &t->h[l]))
				w = l;
			if (r < t->n && ranked_before(&t->h[w], &t->h[r]))
				w = r;
			if (w == i)
				break;
			ranked tmp = t->h[i];
			t->h[i] = t->h[w];
			t->h[w] = tmp;
			i = w;
		}
	}
	return SQLITE_OK;
}

/* Name weighted highest, then departments and tags, summary, sections (docs/search.md). */
#define RANK_WEIGHTS "10.0, 1.0, 2.0, 0.5, 0.3, 2.0"

/* One pass of rank_matches into t (reset first); whole: allow the idf to be deferred (and so sasae_pass). */
static int rank_pass(sasae_store *s, int64_t version_id, const sasae_store_query *q, topk *t, bool whole,
		     size_t *total, sasae_error *err)
{
	sqlite3_stmt *st = NULL;
	int r, rc;
	t->n = 0;
	t->nrej = 0;
	t->base.deferred = false;
	t->base.passed = false;
	*total = 0;
	if (whole && s->scope.contiguous && s->scope.whole_index && q->part == 0 && q->section == 0) {
		/* A query of one phrase over an index of this version alone: ranked in one call from its first
		   match (sasae_pass), without an SQL row per match.  Other queries go on below. */
		if ((rc = prepare_cached(s, &st,
					 "SELECT sasae_pass(search_index, ?2, " RANK_WEIGHTS ") FROM search_index"
					 " WHERE search_index MATCH ?1 LIMIT 1",
					 err)) != 0)
			return rc;
		t->base.lo = s->scope.lo;
		t->base.hi = s->scope.hi;
		t->base.whole_index = true;
		sqlite3_bind_text(st, 1, q->match, -1, SQLITE_STATIC);
		sqlite3_bind_pointer(st, 2, t, "sasae_fts_collector", NULL);
		r = sqlite3_step(st);
		if (r != SQLITE_ROW && r != SQLITE_DONE)
			rc = search_error(s, err);
		release(s, st);
		st = NULL;
		if (rc || r == SQLITE_DONE || t->base.passed) { /* an error, no match at all, or done */
			*total = t->base.passed ? (size_t)t->base.count : 0;
			return rc;
		}
		t->n = 0; /* nothing was offered; as before the pass */
		t->nrej = 0;
		t->base.deferred = false;
	}
	if (s->scope.contiguous && q->part == 0 && q->section == 0) {
		/* The index alone, restricted to the version's rowids; every match is offered to the top-k
		   inside the pass, and only the count comes back. */
		if ((rc = prepare_cached(s, &st,
					 "SELECT count(*) FROM search_index WHERE search_index MATCH ?1 AND rowid BETWEEN ?2 AND ?3"
					 " AND sasae_collect(search_index, ?4, " RANK_WEIGHTS ")",
					 err)) != 0)
			return rc;
		t->base.lo = s->scope.lo;
		t->base.hi = s->scope.hi;
		t->base.whole_index = whole && s->scope.whole_index;
		sqlite3_bind_text(st, 1, q->match, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, t->base.lo);
		sqlite3_bind_int64(st, 3, t->base.hi);
		sqlite3_bind_pointer(st, 4, t, "sasae_fts_collector", NULL);
		if ((r = sqlite3_step(st)) == SQLITE_ROW)
			*total = (size_t)sqlite3_column_int64(st, 0);
		else
			rc = search_error(s, err);
	} else {
		/* Joined with search_doc for the version and the filters (CROSS JOIN: the index drives). */
		if ((rc = prepare_cached(s, &st,
					 "SELECT d.id, sasae_rank(search_index, " RANK_WEIGHTS ") FROM search_index"
					 " CROSS JOIN search_doc d ON d.id = search_index.rowid" SEARCH_WHERE,
					 err)) != 0)
			return rc;
		t->base.lo = INT64_MIN;
		t->base.hi = INT64_MAX;
		t->base.whole_index = false;
		bind_search(st, version_id, q);
		while ((r = sqlite3_step(st)) == SQLITE_ROW) {
			++*total;
			int64_t id = sqlite3_column_int64(st, 0);
			if (topk_offer(&t->base, id, sqlite3_column_double(st, 1)) != SQLITE_OK) {
				rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
				break;
			}
		}
		if (rc == 0 && r != SQLITE_DONE)
			rc = search_error(s, err);
	}
	release(s, st);
	return rc;
}

/*
 * Rank every match of a full-text query in one pass over the index: count them and keep the best
 * offset + limit (*top, sorted; *ntop of them).  Only ids and scores are read here; the programs'
 * columns are read for the page alone.
 */
static int rank_matches(sasae_store *s, int64_t version_id, const sasae_store_query *q, ranked **top, size_t *ntop,
			size_t *total, sasae_error *err)
{
	*top = NULL;
	*ntop = 0;
	topk t = {{topk_offer, 0, 0, false, false, 0, false, 0}, NULL, 0, 0, 0, 0, {0.0, 0.0}, 0};
	t.want = q->limit > 0 ? (size_t)q->limit + (size_t)(q->offset > 0 ? q->offset : 0) : 0;
	sqlite3_stmt *st = NULL;
	int r, rc = 0;
	if (q->exact_key) { /* the program whose identity key is the query's, if the version has it */
		if ((rc = prepare_cached(s, &st,
					 "SELECT d.id FROM program p JOIN search_doc d ON d.program_id = p.id AND d.version_id = ?1"
					 " WHERE p.key = ?2 AND p.plan_id = (SELECT plan_id FROM version WHERE id = ?1)",
					 err)) != 0)
			return rc;
		sqlite3_bind_int64(st, 1, version_id);
		sqlite3_bind_text(st, 2, q->exact_key, -1, SQLITE_STATIC);
		if ((r = sqlite3_step(st)) == SQLITE_ROW)
			t.exact = sqlite3_column_int64(st, 0);
		else if (r != SQLITE_DONE)
			rc = db_error(s, err, "検索");
		release(s, st);
		if (rc)
			return rc;
	}
	rc = rank_pass(s, version_id, q, &t, true, total, err);
	if (rc == 0 && t.base.deferred) {
		/* The idf of the query's one phrase, now that its count is known: the same scores as bm25's.
		   Applying it keeps the order, but two scores may become equal, and equal scores go in
		   document order: if a match that was not kept now ties with the last one kept (rare), rank
		   again with the idf first.  (Those not kept score no better than the last kept one.) */
		double last = 0.0;
		bool any = false;
		for (size_t i = 0; i < t.n; i++)
			if (!t.h[i].exact && (!any || t.h[i].score > last)) {
				last = t.h[i].score;
				any = true;
			}
		double next = t.nrej > 0 && t.rej[0] > last ? t.rej[0] : t.rej[1];
		bool next_exists = t.nrej > 0 && (t.rej[0] > last || t.nrej == 2);
		for (size_t i = 0; i < t.n; i++)
			t.h[i].score = sasae_fts_final_score(&t.base, t.h[i].score, (int64_t)*total);
		if (any && next_exists &&
		    sasae_fts_final_score(&t.base, next, (int64_t)*total) <=
			    sasae_fts_final_score(&t.base, last, (int64_t)*total))
			rc = rank_pass(s, version_id, q, &t, false, total, err);
	}
	if (rc) {
		*total = 0;
		free(t.h);
		return rc;
	}
	if (t.n > 1)
		qsort(t.h, t.n, sizeof *t.h, ranked_cmp);
	*top = t.h;
	*ntop = t.n;
	return 0;
}

int sasae_store_search(sasae_store *s, int64_t version_id, const sasae_store_query *q, sasae_store_hit **hits,
		       size_t *nhits, size_t *total, sasae_error *err)
{
	*hits = NULL;
	*nhits = 0;
	*total = 0;
	sqlite3_stmt *st = NULL, *places = NULL;
	sasae_store_hit *out = NULL;
	ranked *top = NULL;
	size_t n = 0, ntop = 0;
	bool began;
	int r, rc = read_begin(s, &began, err);
	if (rc)
		return rc;
	if (q->match) {
		/* Two steps: rank the matches by id, then read the columns of the page's programs only. */
		if ((rc = search_scope(s, version_id, err)) != 0 ||
		    (rc = rank_matches(s, version_id, q, &top, &ntop, total, err)) != 0)
			goto done;
		size_t from = q->offset > 0 ? (size_t)q->offset : 0;
		if (from >= ntop)
			goto done;
		if ((rc = prepare_cached(s, &st,
					 "SELECT p.pid, l.name, l.summary,"
					 " (SELECT group_concat(dep.name, '、') FROM listing_department ld JOIN department dep"
					 "  ON dep.id = ld.department_id WHERE ld.listing_id = l.id), 0.0, p.id"
					 " FROM search_doc d JOIN program p ON p.id = d.program_id"
					 " JOIN version_program vp ON vp.version_id = d.version_id AND vp.program_id = d.program_id"
					 " JOIN listing l ON l.id = vp.listing_id WHERE d.id = ?1",
					 err)) != 0)
			goto done;
		if ((out = calloc(ntop - from, sizeof *out)) == NULL) {
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			goto done;
		}
	} else {
		/* A filter-only query: the programs of a part or section in document order. */
		if ((rc = prepare_cached(s, &st, "SELECT count(*) FROM search_doc d" FILTER_WHERE, err)) != 0)
			goto done;
		bind_search(st, version_id, q);
		if (sqlite3_step(st) != SQLITE_ROW) {
			rc = search_error(s, err);
			goto done;
		}
		*total = (size_t)sqlite3_column_int64(st, 0);
		release(s, st);
		st = NULL;
		if (*total == 0 || q->limit <= 0)
			goto done;
		if ((rc = prepare_cached(s, &st,
					 "SELECT p.pid, l.name, l.summary,"
					 " (SELECT group_concat(dep.name, '、') FROM listing_department ld JOIN department dep"
					 "  ON dep.id = ld.department_id WHERE ld.listing_id = l.id), 0.0, p.id"
					 " FROM search_doc d JOIN program p ON p.id = d.program_id"
					 " JOIN version_program vp ON vp.version_id = d.version_id AND vp.program_id = d.program_id"
					 " JOIN listing l ON l.id = vp.listing_id" FILTER_WHERE " ORDER BY d.id LIMIT ?5 OFFSET ?6",
					 err)) != 0)
			goto done;
		bind_search(st, version_id, q);
		sqlite3_bind_int(st, 5, q->limit);
		sqlite3_bind_int(st, 6, q->offset > 0 ? q->offset : 0);
	}
	if ((rc = prepare_cached(s, &places,
				 "SELECT pt.number, se.number, l.position, l.number, l.relisted, se.title, se.ordinal FROM listing l"
				 " JOIN section se ON se.id = l.section_id JOIN part pt ON pt.id = se.part_id"
				 " WHERE l.version_id = ?1 AND l.program_id = ?2 ORDER BY l.id",
				 err)) != 0)
		goto done;
	for (size_t k = q->offset > 0 ? (size_t)q->offset : 0;; k++) {
		if (top) { /* the page of ranked ids, one program each */
			if (k >= ntop)
				break;
			sqlite3_reset(st);
			sqlite3_bind_int64(st, 1, top[k].id);
		}
		if ((r = sqlite3_step(st)) != SQLITE_ROW) {
			if (r != SQLITE_DONE)
				rc = search_error(s, err);
			if (top == NULL || rc)
				break;
			continue; /* not reachable within one read transaction */
		}
		if (top == NULL) {
			sasae_store_hit *h = realloc(out, (n + 1) * sizeof *h);
			if (h == NULL) {
				rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
				break;
			}
			out = h;
		}
		sasae_store_hit *h = &out[n++];
		memset(h, 0, sizeof *h);
		h->program = col_text(st, 0);
		h->name = col_text(st, 1);
		h->summary = col_text(st, 2);
		h->departments = col_text(st, 3);
		h->score = top ? top[k].score : sqlite3_column_double(st, 4);
		if (!h->program || !h->name || !h->summary || !h->departments) {
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			break;
		}
		if ((rc = load_places(s, version_id, sqlite3_column_int64(st, 5), h, places, err)) != 0)
			break;
	}
done:
	release(s, st);
	release(s, places);
	read_end(s, began);
	free(top);
	if (rc) {
		sasae_store_hits_free(out, n);
		*total = 0;
		return rc;
	}
	if (n == 0) {
		free(out);
		out = NULL;
	}
	*hits = out;
	*nhits = n;
	return 0;
}

/* ---- search: a bounded count ---- */

int sasae_store_count(sasae_store *s, int64_t version_id, const char *match, size_t cap, size_t *n, sasae_error *err)
{
	*n = 0;
	sqlite3_stmt *st = NULL;
	bool began;
	int rc = read_begin(s, &began, err);
	if (rc == 0)
		rc = search_scope(s, version_id, err);
	if (rc == 0 && s->scope.contiguous) {
		if ((rc = prepare_cached(s, &st,
					 "SELECT count(*) FROM (SELECT 1 FROM search_index WHERE search_index MATCH ?1"
					 " AND rowid BETWEEN ?2 AND ?3 LIMIT ?4)",
					 err)) == 0) {
			sqlite3_bind_int64(st, 2, s->scope.lo);
			sqlite3_bind_int64(st, 3, s->scope.hi);
			sqlite3_bind_int64(st, 4, (sqlite3_int64)cap + 1);
		}
	} else if (rc == 0) {
		if ((rc = prepare_cached(s, &st,
					 "SELECT count(*) FROM (SELECT 1 FROM search_index CROSS JOIN search_doc d"
					 " ON d.id = search_index.rowid WHERE search_index MATCH ?1 AND d.version_id = ?2 LIMIT ?3)",
					 err)) == 0) {
			sqlite3_bind_int64(st, 2, version_id);
			sqlite3_bind_int64(st, 3, (sqlite3_int64)cap + 1);
		}
	}
	if (rc == 0) {
		sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			*n = (size_t)sqlite3_column_int64(st, 0);
		else
			rc = search_error(s, err);
	}
	release(s, st);
	read_end(s, began);
	return rc;
}

/* ---- search: every matching id ---- */

void sasae_store_ids_free(char **ids, size_t n)
{
	for (size_t i = 0; ids && i < n; i++)
		free(ids[i]);
	free(ids);
}

int sasae_store_search_ids(sasae_store *s, int64_t version_id, const sasae_store_query *q, char ***ids, size_t *n,
			   sasae_error *err)
{
	*ids = NULL;
	*n = 0;
	sqlite3_stmt *st = NULL;
	int rc = prepare_cached(s, &st,
				q->match ? "SELECT p.pid FROM search_index CROSS JOIN search_doc d ON d.id = search_index.rowid"
					   " JOIN program p ON p.id = d.program_id" SEARCH_WHERE
					 : "SELECT p.pid FROM search_doc d JOIN program p ON p.id = d.program_id" FILTER_WHERE,
				err);
	if (rc)
		return rc;
	bind_search(st, version_id, q);
	char **out = NULL;
	size_t cnt = 0, cap = 0;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			char **p = realloc(out, cap * sizeof *p);
			if (p == NULL) {
				rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
				break;
			}
			out = p;
		}
		if ((out[cnt] = col_text(st, 0)) == NULL) {
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			break;
		}
		cnt++;
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = search_error(s, err);
	release(s, st);
	if (rc) {
		sasae_store_ids_free(out, cnt);
		return rc;
	}
	*ids = out;
	*n = cnt;
	return 0;
}

/* ---- search facets ---- */

void sasae_facets_clear(sasae_facets *f)
{
	sasae_facet *lists[] = {f->parts, f->sections, f->departments};
	size_t counts[] = {f->nparts, f->nsections, f->ndepartments};
	for (size_t k = 0; k < 3; k++) {
		for (size_t i = 0; i < counts[k]; i++)
			free(lists[k][i].label);
		free(lists[k]);
	}
	memset(f, 0, sizeof *f);
}

/* Run one facet query (columns: part, section, section_index, label, count) into *list. */
static int facet_query(sasae_store *s, const char *sql, int64_t version_id, const sasae_store_query *q,
		       sasae_facet **list, size_t *n, sasae_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = prepare_cached(s, &st, sql, err);
	if (rc)
		return rc;
	bind_search(st, version_id, q);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		sasae_facet *f = realloc(*list, (*n + 1) * sizeof *f);
		if (f == NULL) {
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			break;
		}
		*list = f;
		f = &(*list)[(*n)++];
		f->part = sqlite3_column_int(st, 0);
		f->section = sqlite3_column_int(st, 1);
		f->section_index = sqlite3_column_int(st, 2);
		f->label = col_text(st, 3);
		f->count = (size_t)sqlite3_column_int64(st, 4);
		if (f->label == NULL) {
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			break;
		}
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = search_error(s, err);
	release(s, st);
	return rc;
}

int sasae_store_search_facets(sasae_store *s, int64_t version_id, const sasae_store_query *q, sasae_facets *out,
			      sasae_error *err)
{
	memset(out, 0, sizeof *out);
	/* The matching programs, then their places and departments. */
#define MATCHED                                                                                                    \
	"WITH m AS (SELECT d.id, d.program_id FROM search_index CROSS JOIN search_doc d ON d.id = search_index.rowid" \
	SEARCH_WHERE ") "
#define MATCHED_FILTER "WITH m AS (SELECT d.id, d.program_id FROM search_doc d" FILTER_WHERE ") "
	const char *parts_sql = q->match ? MATCHED
		"SELECT pt.number, 0, 0, coalesce(pt.title, ''), count(DISTINCT m.id) FROM m JOIN listing l"
		" ON l.program_id = m.program_id AND l.version_id = ?2 JOIN section se ON se.id = l.section_id"
		" JOIN part pt ON pt.id = se.part_id GROUP BY pt.number ORDER BY pt.number"
					 : MATCHED_FILTER
		"SELECT pt.number, 0, 0, coalesce(pt.title, ''), count(DISTINCT m.id) FROM m JOIN listing l"
		" ON l.program_id = m.program_id AND l.version_id = ?2 JOIN section se ON se.id = l.section_id"
		" JOIN part pt ON pt.id = se.part_id GROUP BY pt.number ORDER BY pt.number";
	const char *sections_sql = q->match ? MATCHED
		"SELECT pt.number, se.number, se.ordinal, se.title, count(DISTINCT m.id) FROM m JOIN listing l"
		" ON l.program_id = m.program_id AND l.version_id = ?2 JOIN section se ON se.id = l.section_id"
		" JOIN part pt ON pt.id = se.part_id GROUP BY se.id ORDER BY pt.number, se.ordinal"
					    : MATCHED_FILTER
		"SELECT pt.number, se.number, se.ordinal, se.title, count(DISTINCT m.id) FROM m JOIN listing l"
		" ON l.program_id = m.program_id AND l.version_id = ?2 JOIN section se ON se.id = l.section_id"
		" JOIN part pt ON pt.id = se.part_id GROUP BY se.id ORDER BY pt.number, se.ordinal";
	const char *depts_sql = q->match ? MATCHED
		"SELECT 0, 0, 0, dep.name, count(DISTINCT m.id) FROM m JOIN version_program vp"
		" ON vp.version_id = ?2 AND vp.program_id = m.program_id JOIN listing_department ld"
		" ON ld.listing_id = vp.listing_id JOIN department dep ON dep.id = ld.department_id"
		" GROUP BY dep.id ORDER BY count(DISTINCT m.id) DESC, dep.name"
					 : MATCHED_FILTER
		"SELECT 0, 0, 0, dep.name, count(DISTINCT m.id) FROM m JOIN version_program vp"
		" ON vp.version_id = ?2 AND vp.program_id = m.program_id JOIN listing_department ld"
		" ON ld.listing_id = vp.listing_id JOIN department dep ON dep.id = ld.department_id"
		" GROUP BY dep.id ORDER BY count(DISTINCT m.id) DESC, dep.name";
#undef MATCHED
#undef MATCHED_FILTER
	int rc = facet_query(s, parts_sql, version_id, q, &out->parts, &out->nparts, err);
	if (rc == 0)
		rc = facet_query(s, sections_sql, version_id, q, &out->sections, &out->nsections, err);
	if (rc == 0)
		rc = facet_query(s, depts_sql, version_id, q, &out->departments, &out->ndepartments, err);
	if (rc)
		sasae_facets_clear(out);
	return rc;
}
