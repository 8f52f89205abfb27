/*
 * maint.c — the SQLite backend's operations (docs/operations.md): a consistent backup through
 * SQLite's online backup API (sqlite3_backup_*), the check of a database (integrity_check,
 * foreign_key_check and sasae's own invariants) and the restore of a backup, which is checked
 * first and then copied into the database in one transaction.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sasae/buf.h"
#include "sqlite_store.h"

/* ---- files ---- */

/* The directory part of path ("." when it has none); owned by the caller.  NULL: out of memory. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		return sasae_strdup(".");
	if (slash == path)
		return sasae_strdup("/");
	char *d = malloc((size_t)(slash - path) + 1);
	if (d) {
		memcpy(d, path, (size_t)(slash - path));
		d[slash - path] = '\0';
	}
	return d;
}

/* fsync the file or directory at path; 0 or -1 (errno set). */
static int sync_path(const char *path, bool dir)
{
	int fd = open(path, dir ? O_RDONLY | O_DIRECTORY : O_RDONLY);
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

/* Create an empty temporary file beside target (same directory, so that rename is atomic):
   "<dir>/.<name>.tmp-XXXXXX".  *out owned by the caller. */
static int make_temp(char **out, const char *target, sasae_error *err)
{
	*out = NULL;
	const char *slash = strrchr(target, '/');
	sasae_buf b = SASAE_BUF_INIT;
	if (slash)
		sasae_buf_appendf(&b, "%.*s/.%s.tmp-XXXXXX", (int)(slash - target), target, slash + 1);
	else
		sasae_buf_appendf(&b, ".%s.tmp-XXXXXX", target);
	if (!sasae_buf_ok(&b)) {
		sasae_buf_free(&b);
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	}
	char *path = sasae_strdup(sasae_buf_cstr(&b));
	sasae_buf_free(&b);
	if (path == NULL)
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	int fd = mkstemp(path);
	if (fd < 0) {
		int rc = sasae_error_set(err, SASAE_EIO, target, 0, "一時ファイルを作れません: %s",
					 strerror(errno));
		free(path);
		return rc;
	}
	close(fd);
	*out = path;
	return 0;
}

/* Remove a database file and its -journal, -wal and -shm companions (those that exist). */
static void remove_db_files(const char *path)
{
	static const char *const suffixes[] = {"", "-journal", "-wal", "-shm"};
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		sasae_buf f = SASAE_BUF_INIT;
		sasae_buf_appendf(&f, "%s%s", path, suffixes[i]);
		if (sasae_buf_ok(&f))
			unlink(sasae_buf_cstr(&f));
		sasae_buf_free(&f);
	}
}

/*
 * Copy the whole database src into the database at dst (opened, or created, here) with the
 * online backup API in one step: one read transaction on src (a consistent snapshot however
 * others write meanwhile) and one write transaction on dst (wholly old or wholly new).  Retries
 * while either is busy.  Returns the SQLite result (SQLITE_DONE on success); *msg a static text.
 */
static int copy_db(sqlite3 *src, const char *dst_path, int dst_flags, const char **msg)
{
	sqlite3 *dst = NULL;
	int r = sqlite3_open_v2(dst_path, &dst, dst_flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (r != SQLITE_OK) {
		*msg = sqlite3_errstr(r);
		sqlite3_close(dst);
		return r;
	}
	sqlite3_busy_timeout(dst, 5000);
	sqlite3_backup *bk = sqlite3_backup_init(dst, "main", src, "main");
	if (bk == NULL) {
		r = sqlite3_errcode(dst);
		*msg = sqlite3_errstr(r);
		sqlite3_close(dst);
		return r == SQLITE_OK ? SQLITE_ERROR : r;
	}
	for (int tries = 0; tries < 200; tries++) {
		r = sqlite3_backup_step(bk, -1);
		if (r != SQLITE_BUSY && r != SQLITE_LOCKED)
			break;
		sqlite3_sleep(50);
	}
	int f = sqlite3_backup_finish(bk);
	if (r == SQLITE_DONE && f != SQLITE_OK)
		r = f;
	*msg = sqlite3_errstr(r);
	if (sqlite3_close(dst) != SQLITE_OK && r == SQLITE_DONE) {
		r = SQLITE_IOERR;
		*msg = sqlite3_errstr(r);
	}
	return r;
}

int sqlb_backup(sasae_store_backend *b, const char *file, bool force, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	struct stat st;
	if (!force && lstat(file, &st) == 0)
		return sasae_error_set(err, SASAE_ECONFLICT, file, 0,
				       "ファイルがすでにあります。上書きするには --force を付けてください");
	char *tmp = NULL, *dir = NULL;
	int rc = make_temp(&tmp, file, err);
	if (rc)
		return rc;
	const char *msg = NULL;
	int r = copy_db(s->db, tmp, SQLITE_OPEN_READWRITE, &msg);
	if (r != SQLITE_DONE) {
		rc = sasae_error_set(err, SASAE_EDB, file, 0, "控えを書けませんでした: %s", msg);
		goto done;
	}
	if (sync_path(tmp, false) != 0) {
		rc = sasae_error_set(err, SASAE_EIO, file, 0, "控えをディスクに書き切れませんでした: %s",
				     strerror(errno));
		goto done;
	}
	if (force) {
		if (rename(tmp, file) != 0)
			rc = sasae_error_set(err, SASAE_EIO, file, 0, "控えを置けませんでした: %s",
					     strerror(errno));
	} else if (link(tmp, file) != 0) { /* never replaces a file made meanwhile */
		rc = errno == EEXIST
			     ? sasae_error_set(err, SASAE_ECONFLICT, file, 0,
					       "ファイルがすでにあります。上書きするには --force を付けてください")
			     : sasae_error_set(err, SASAE_EIO, file, 0, "控えを置けませんでした: %s",
					       strerror(errno));
	}
	if (rc)
		goto done;
	if ((dir = dir_of(file)) == NULL) {
		rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		goto done;
	}
	if (sync_path(dir, true) != 0)
		rc = sasae_error_set(err, SASAE_EIO, file, 0, "控えのディレクトリを書き切れませんでした: %s",
				     strerror(errno));
done:
	remove_db_files(tmp); /* after rename, tmp no longer names the backup */
	free(tmp);
	free(dir);
	return rc;
}

/* ---- ping ---- */

int sqlb_ping(sasae_store_backend *b, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	sqlite3_stmt *st = NULL;
	int rc = sqlb_prepare_cached(s, &st, "SELECT count(*) FROM plan", err);
	if (rc)
		return rc;
	if (sqlite3_step(st) != SQLITE_ROW)
		rc = sqlb_db_error(s, err, "読み取り");
	sqlb_release(s, st);
	return rc;
}

/* ---- check ---- */

/* A check in progress: where problems go and how many there were. */
typedef struct check_ctx {
	sasae_store_problem_fn fn;
	void *ctx;
	size_t n;
	bool stopped; /* fn asked to stop */
} check_ctx;

/* Report one problem (text built by the caller). */
static void report(check_ctx *c, const char *text)
{
	c->n++;
	if (c->fn && !c->stopped && c->fn(c->ctx, text) != 0)
		c->stopped = true;
}

/*
 * An invariant: a query whose every row is a problem, and the message that names it, in which
 * "{1}", "{2}", "{3}" stand for the row's columns.
 */
typedef struct invariant {
	const char *sql;
	const char *message;
} invariant;

/* The version a row is about, as "slug@seq" (or the version's row id when it is gone). */
#define VERSION_LABEL(V)                                                                                         \
	"coalesce((SELECT p.slug || '@' || v.seq FROM version v JOIN plan p ON p.id = v.plan_id WHERE v.id = " V \
	"), '版 ' || " V ")"

static const invariant invariants[] = {
	{"SELECT " VERSION_LABEL(
		 "l.version_id") ", l.id, l.program_id FROM listing l"
				 " WHERE NOT EXISTS (SELECT 1 FROM program g WHERE g.id = l.program_id)",
	 "{1}: 掲載（listing.id {2}）の事業（program.id {3}）がありません"},
	{"SELECT " VERSION_LABEL(
		 "x.version_id") ", g.pid, count(vp.listing_id)"
				 " FROM (SELECT DISTINCT version_id, program_id FROM listing) x"
				 " JOIN program g ON g.id = x.program_id"
				 " LEFT JOIN version_program vp ON vp.version_id = x.version_id AND vp.program_id = x.program_id"
				 " GROUP BY x.version_id, x.program_id HAVING count(vp.listing_id) != 1",
	 "{1}: 事業 {2} の元の掲載が {3} 件です（1 件のはずです）"},
	{"SELECT " VERSION_LABEL(
		 "vp.version_id") ", coalesce(g.pid, 'program.id ' || vp.program_id), vp.listing_id"
				  " FROM version_program vp LEFT JOIN program g ON g.id = vp.program_id"
				  " LEFT JOIN listing l ON l.id = vp.listing_id"
				  " WHERE l.id IS NULL OR l.program_id != vp.program_id OR l.version_id != vp.version_id",
	 "{1}: 事業 {2} の元の掲載（listing.id {3}）がこの版のこの事業の掲載ではありません"},
	{"SELECT * FROM (SELECT " VERSION_LABEL(
		 "v.id") " AS label,"
			 " (SELECT count(*) FROM search_doc d WHERE d.version_id = v.id) AS docs,"
			 " (SELECT count(*) FROM version_program vp WHERE vp.version_id = v.id) AS programs FROM version v)"
			 " WHERE docs != 0 AND docs != programs",
	 "{1}: 検索索引の文書が {2} 件、この版の事業は {3} 件です（sasae reindex --plan {1} で作り直せます）"},
	{"SELECT * FROM (SELECT (SELECT count(*) FROM search_index) AS rows,"
	 " (SELECT count(*) FROM search_doc) AS docs) WHERE rows != docs",
	 "検索索引（search_index）の行が {1} 件、検索文書（search_doc）は {2} 件です（sasae reindex で作り直せます）"},
};

/* Append message with {1}…{3} replaced by the row's columns. */
static void fill_message(sasae_buf *out, const char *message, sqlite3_stmt *st)
{
	int ncol = sqlite3_column_count(st);
	for (const char *p = message; *p; p++) {
		if (p[0] == '{' && p[1] >= '1' && p[1] <= '3' && p[2] == '}') {
			int i = p[1] - '1';
			const unsigned char *t = i < ncol ? sqlite3_column_text(st, i) : NULL;
			sasae_buf_append(out, t ? (const char *)t : "(NULL)",
					 strlen(t ? (const char *)t : "(NULL)"));
			p += 2;
		} else {
			sasae_buf_append(out, p, 1);
		}
	}
}

/* Run one query whose rows are problems; a query that fails is itself a problem. */
static int run_invariant(sqlb *s, check_ctx *c, const invariant *inv, sasae_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;
	if (sqlite3_prepare_v2(s->db, inv->sql, -1, &st, NULL) != SQLITE_OK) {
		sasae_buf b = SASAE_BUF_INIT;
		sasae_buf_appendf(&b, "点検の問い合わせが動きません（表が欠けているか壊れています）: %s",
				  sqlite3_errmsg(s->db));
		report(c, sasae_buf_ok(&b) ? sasae_buf_cstr(&b) : "点検の問い合わせが動きません");
		sasae_buf_free(&b);
		return 0;
	}
	int r;
	while (!c->stopped && (r = sqlite3_step(st)) == SQLITE_ROW) {
		sasae_buf b = SASAE_BUF_INIT;
		fill_message(&b, inv->message, st);
		if (!sasae_buf_ok(&b)) {
			sasae_buf_free(&b);
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			break;
		}
		report(c, sasae_buf_cstr(&b));
		sasae_buf_free(&b);
	}
	if (rc == 0 && !c->stopped && r != SQLITE_DONE) {
		sasae_buf b = SASAE_BUF_INIT;
		sasae_buf_appendf(&b, "点検の途中で読めなくなりました: %s", sqlite3_errmsg(s->db));
		report(c, sasae_buf_ok(&b) ? sasae_buf_cstr(&b) : "点検の途中で読めなくなりました");
		sasae_buf_free(&b);
	}
	sqlite3_finalize(st);
	return rc;
}

/* SQLite's integrity_check ("ok" or problems, one a row) and foreign_key_check (one row per
   dangling reference: table, rowid, parent table). */
static void run_pragmas(sqlb *s, check_ctx *c)
{
	static const struct {
		const char *sql, *message;
		bool ok_row; /* a single row "ok" means none */
	} pragmas[] = {
		{"PRAGMA integrity_check", "SQLite の整合性検査: {1}", true},
		{"PRAGMA foreign_key_check", "外部キー: 表 {1} の行 {2} が参照する表 {3} の行がありません",
		 false},
	};
	for (size_t i = 0; i < sizeof pragmas / sizeof pragmas[0] && !c->stopped; i++) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(s->db, pragmas[i].sql, -1, &st, NULL) != SQLITE_OK) {
			sasae_buf b = SASAE_BUF_INIT;
			sasae_buf_appendf(&b, "%s ができません: %s", pragmas[i].sql, sqlite3_errmsg(s->db));
			report(c, sasae_buf_ok(&b) ? sasae_buf_cstr(&b) : pragmas[i].sql);
			sasae_buf_free(&b);
			continue;
		}
		int r;
		while (!c->stopped && (r = sqlite3_step(st)) == SQLITE_ROW) {
			const unsigned char *t = sqlite3_column_text(st, 0);
			if (pragmas[i].ok_row && t && strcmp((const char *)t, "ok") == 0)
				continue;
			sasae_buf b = SASAE_BUF_INIT;
			fill_message(&b, pragmas[i].message, st);
			report(c, sasae_buf_ok(&b) ? sasae_buf_cstr(&b) : pragmas[i].sql);
			sasae_buf_free(&b);
		}
		if (!c->stopped && r != SQLITE_DONE) {
			sasae_buf b = SASAE_BUF_INIT;
			sasae_buf_appendf(&b, "%s が途中で止まりました: %s", pragmas[i].sql,
					  sqlite3_errmsg(s->db));
			report(c, sasae_buf_ok(&b) ? sasae_buf_cstr(&b) : pragmas[i].sql);
			sasae_buf_free(&b);
		}
		sqlite3_finalize(st);
	}
}

/* Every audit row's before and after: NULL or JSON (read with jansson). */
static void run_audit_json(sqlb *s, check_ctx *c)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT id, before, after FROM audit ORDER BY id", -1, &st, NULL) !=
	    SQLITE_OK) {
		sasae_buf b = SASAE_BUF_INIT;
		sasae_buf_appendf(&b, "監査ログ（audit）を読めません: %s", sqlite3_errmsg(s->db));
		report(c, sasae_buf_ok(&b) ? sasae_buf_cstr(&b) : "監査ログ（audit）を読めません");
		sasae_buf_free(&b);
		return;
	}
	static const char *const columns[] = {"before", "after"};
	int r;
	while (!c->stopped && (r = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < 2; i++) {
			if (sqlite3_column_type(st, i + 1) == SQLITE_NULL)
				continue;
			const char *text = (const char *)sqlite3_column_text(st, i + 1);
			size_t len = (size_t)sqlite3_column_bytes(st, i + 1);
			json_error_t je;
			json_t *j = json_loadb(text ? text : "", text ? len : 0, JSON_DECODE_ANY, &je);
			if (j) {
				json_decref(j);
				continue;
			}
			sasae_buf b = SASAE_BUF_INIT;
			sasae_buf_appendf(&b, "監査ログ %lld 番の %s が JSON として読めません: %s（%d 文字目）",
					  (long long)sqlite3_column_int64(st, 0), columns[i], je.text,
					  je.position);
			report(c, sasae_buf_ok(&b) ? sasae_buf_cstr(&b) : "監査ログの JSON が読めません");
			sasae_buf_free(&b);
		}
	}
	if (!c->stopped && r != SQLITE_DONE) {
		sasae_buf b = SASAE_BUF_INIT;
		sasae_buf_appendf(&b, "監査ログ（audit）が途中で読めなくなりました: %s", sqlite3_errmsg(s->db));
		report(c, sasae_buf_ok(&b) ? sasae_buf_cstr(&b) : "監査ログ（audit）を読めません");
		sasae_buf_free(&b);
	}
	sqlite3_finalize(st);
}

int sqlb_check(sasae_store_backend *b, sasae_store_problem_fn problem, void *ctx, size_t *nproblems,
	       sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	check_ctx c = {.fn = problem, .ctx = ctx};
	int rc = 0;
	/* One read transaction: every check sees the same state. */
	if ((rc = sqlb_exec(s, "BEGIN", err, "読み取り")) != 0)
		return rc;
	run_pragmas(s, &c);
	for (size_t i = 0; i < sizeof invariants / sizeof invariants[0] && rc == 0 && !c.stopped; i++)
		rc = run_invariant(s, &c, &invariants[i], err);
	if (rc == 0 && !c.stopped)
		run_audit_json(s, &c);
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	*nproblems = c.n;
	if (rc == 0 && c.stopped)
		rc = sasae_error_set(err, SASAE_ECANCELLED, NULL, 0, "点検を途中でやめました");
	return rc;
}

/* ---- restore ---- */

/* Read what makes file a sasae database: *version its schema version; EDATA when it is not one. */
static int probe_backup(sqlite3 *src, const char *file, int64_t *version, sasae_error *err)
{
	sqlite3_stmt *st = NULL;
	int r = sqlite3_prepare_v2(src,
				   "SELECT (SELECT user_version FROM pragma_user_version),"
				   " (SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('plan', 'version', 'listing'))",
				   -1, &st, NULL);
	if (r == SQLITE_OK)
		r = sqlite3_step(st);
	if (r != SQLITE_ROW) {
		int rc = sasae_error_set(err, SASAE_EDATA, file, 0,
					 "SQLite のデータベースとして読めません（別のファイルか、壊れているか、途中で切れています）: %s",
					 sqlite3_errmsg(src));
		sqlite3_finalize(st);
		return rc;
	}
	*version = sqlite3_column_int64(st, 0);
	int64_t tables = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	if (*version > SASAE_SCHEMA_VERSION)
		return sasae_error_set(err, SASAE_EDATA, file, 0,
				       "新しい版の sasae で作られた控えです（スキーマ %lld、この sasae は %d まで）。sasae を更新してから復元してください",
				       (long long)*version, SASAE_SCHEMA_VERSION);
	if (*version < 1 || tables != 3)
		return sasae_error_set(err, SASAE_EDATA, file, 0, "sasae のデータベースではありません");
	return 0;
}

int sasae_sqlite_restore(const char *db, const char *file, sasae_store_problem_fn problem, void *ctx,
			 size_t *nproblems, sasae_error *err)
{
	*nproblems = 0;
	struct stat st;
	if (stat(file, &st) != 0)
		return sasae_error_set(err, SASAE_ENOTFOUND, file, 0, "復元する控えがありません: %s",
				       strerror(errno));
	if (!S_ISREG(st.st_mode))
		return sasae_error_set(err, SASAE_EDATA, file, 0, "普通のファイルではありません");
	char *tmp = NULL;
	sqlite3 *src = NULL;
	sasae_store_backend *b = NULL;
	const char *msg = NULL;
	int rc = 0, r;
	/* 1. The backup, read only: a sasae database of a schema this build knows. */
	r = sqlite3_open_v2(file, &src, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (r != SQLITE_OK) {
		rc = sasae_error_set(err, SASAE_EDATA, file, 0, "開けません: %s", sqlite3_errstr(r));
		goto done;
	}
	int64_t version;
	if ((rc = probe_backup(src, file, &version, err)) != 0)
		goto done;
	/* 2. A working copy beside the database: migrated to this build's schema and checked. */
	if ((rc = make_temp(&tmp, db, err)) != 0)
		goto done;
	if ((r = copy_db(src, tmp, SQLITE_OPEN_READWRITE, &msg)) != SQLITE_DONE) {
		rc = sasae_error_set(err, SASAE_EDATA, file, 0,
				     "控えを読み切れません（壊れているか、途中で切れています）: %s", msg);
		goto done;
	}
	sqlite3_close(src);
	src = NULL;
	if ((rc = sasae_sqlite_backend_open(&b, tmp, 0, err)) != 0) {
		char m[sizeof err->message];
		snprintf(m, sizeof m, "%s", err ? err->message : "");
		rc = sasae_error_set(err, SASAE_EDATA, file, 0, "控えを開けません: %s", m);
		goto done;
	}
	if ((rc = b->check(b, problem, ctx, nproblems, err)) != 0)
		goto done;
	if (*nproblems > 0) {
		rc = sasae_error_set(err, SASAE_EDATA, file, 0,
				     "控えに問題が %zu 件あります。復元しません（データベースは元のままです）",
				     *nproblems);
		goto done;
	}
	b->free(b);
	b = NULL;
	/* 3. The database replaced by the checked copy in one write transaction. */
	if ((r = sqlite3_open_v2(tmp, &src, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL)) != SQLITE_OK) {
		rc = sasae_error_set(err, SASAE_EIO, tmp, 0, "作業用の写しを開けません: %s", sqlite3_errstr(r));
		goto done;
	}
	if ((r = copy_db(src, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &msg)) != SQLITE_DONE)
		rc = sasae_error_set(err, SASAE_EDB, db, 0,
				     "データベースを置き換えられませんでした（元のままです）: %s", msg);
done:
	if (b)
		b->free(b);
	sqlite3_close(src);
	if (tmp)
		remove_db_files(tmp);
	free(tmp);
	return rc;
}
