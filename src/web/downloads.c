/*
 * downloads.c — the served plan as the files of /data/ (downloads.h): the table of downloads, each
 * made by the core's export function that `sasae export` calls (src/cli/cmd_export.c) at its first
 * request and kept; the XLSX workbook and the HSDS package, which the core writes to a path, go
 * through a temporary file or directory; the HSDS files are put into one ZIP with libzip, loaded at
 * the first request (include/util/sasae/dynlib.h) like libxlsxwriter.
 */
#include "downloads.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#include "sasae/dynlib.h"
#include "sasae/export.h"
#include "sasae/isotime.h"

/* ---- the formats: each a thin call of the core's export ---- */

static int to_buf(void *out, const char *data, size_t len)
{
	sasae_buf_append(out, data, len);
	return sasae_buf_ok((sasae_buf *)out) ? 0 : -1;
}

static int make_json(sasae_buf *out, const sasae_plan *plan, const char *base_url, sasae_error *err)
{
	(void)base_url;
	return sasae_export_json(plan, to_buf, out, err);
}

static int make_csv(sasae_buf *out, const sasae_plan *plan, const char *base_url, sasae_error *err)
{
	(void)base_url;
	return sasae_export_table(plan, ',', true, to_buf, out, err);
}

static int make_csv_cp932(sasae_buf *out, const sasae_plan *plan, const char *base_url, sasae_error *err)
{
	(void)base_url;
	return sasae_export_table_cp932(plan, ',', to_buf, out, err);
}

static int make_tsv(sasae_buf *out, const sasae_plan *plan, const char *base_url, sasae_error *err)
{
	(void)base_url;
	return sasae_export_table(plan, '\t', false, to_buf, out, err);
}

static int make_tsv_cp932(sasae_buf *out, const sasae_plan *plan, const char *base_url, sasae_error *err)
{
	(void)base_url;
	return sasae_export_table_cp932(plan, '\t', to_buf, out, err);
}

static int make_plan_text(sasae_buf *out, const sasae_plan *plan, const char *base_url, sasae_error *err)
{
	(void)base_url;
	return sasae_export_plan_text(plan, to_buf, out, err);
}

static int make_markdown(sasae_buf *out, const sasae_plan *plan, const char *base_url, sasae_error *err)
{
	(void)base_url;
	return sasae_export_markdown(plan, to_buf, out, err);
}

static int make_html(sasae_buf *out, const sasae_plan *plan, const char *base_url, sasae_error *err)
{
	(void)base_url;
	return sasae_export_html(plan, to_buf, out, err);
}

static int make_jsonld(sasae_buf *out, const sasae_plan *plan, const char *base_url, sasae_error *err)
{
	return sasae_export_jsonld(plan, base_url, to_buf, out, err);
}

/* $TMPDIR, else /tmp (as the CLI's xlsx export). */
static const char *temp_dir(void)
{
	const char *dir = getenv("TMPDIR");
	return dir && *dir ? dir : "/tmp";
}

/* Append the whole file at path to out. */
static int read_into(sasae_buf *out, const char *path, sasae_error *err)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return sasae_error_set(err, SASAE_EIO, path, 0, "読めません: %s", strerror(errno));
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		sasae_buf_append(out, chunk, n);
	int rc = ferror(f) ? sasae_error_set(err, SASAE_EIO, path, 0, "読めません") : 0;
	fclose(f);
	if (rc == 0 && !sasae_buf_ok(out))
		rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	return rc;
}

static int make_xlsx(sasae_buf *out, const sasae_plan *plan, const char *base_url, sasae_error *err)
{
	(void)base_url;
	char path[4096];
	snprintf(path, sizeof path, "%s/sasae-web-xlsx-XXXXXX", temp_dir());
	int fd = mkstemp(path);
	if (fd < 0)
		return sasae_error_set(err, SASAE_EIO, path, 0, "一時ファイルを作れません: %s",
				       strerror(errno));
	close(fd); /* libxlsxwriter writes the file by name */
	int rc = sasae_export_xlsx(plan, path, err);
	if (rc == 0)
		rc = read_into(out, path, err);
	unlink(path);
	return rc;
}

/* libzip, loaded at the first HSDS download (not linked: its dependencies include libcrypto). */
#ifndef SASAE_LIBZIP_SONAME
#define SASAE_LIBZIP_SONAME "libzip.so"
#endif
/* clang-format's layout of this macro does not settle from one run to the next: kept by hand */
/* clang-format off */
#define ZIP_FUNCTIONS(X) \
	X(zip_open) X(zip_source_buffer) X(zip_source_free) X(zip_file_add) X(zip_file_set_mtime) \
	X(zip_set_file_compression) X(zip_close) X(zip_discard) X(zip_strerror)
/* clang-format on */
#define ZIP_FIELD(f) __typeof__(f) *f;
static struct zip_api {
	ZIP_FUNCTIONS(ZIP_FIELD)
} ziplib;
#define ZIP_SYM(f) {#f, offsetof(struct zip_api, f)},
static const sasae_dynsym zip_syms[] = {ZIP_FUNCTIONS(ZIP_SYM)};
static sasae_dynlib zip_lib = {"libzip",
			       SASAE_LIBZIP_SONAME,
			       "/data/hsds.zip（HSDS の ZIP）",
			       zip_syms,
			       sizeof zip_syms / sizeof zip_syms[0],
			       &ziplib,
			       false,
			       NULL};

static int name_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

bool web_date_ja(char *out, size_t n, const char *iso)
{
	long long t;
	int y, m, d;
	if (n)
		out[0] = '\0';
	if (!sasae_isotime_parse(iso, &t))
		return false;
	sasae_isotime_date(t + 9 * 3600, &y, &m, &d); /* in Japan (UTC+9, no summer time) */
	snprintf(out, n, "%d年%d月%d日", y, m, d);
	return true;
}

/* The files of dir (regular files; names malloc'd, sorted) into *names. */
static int list_dir(const char *dir, char ***names, size_t *n, sasae_error *err)
{
	*names = NULL;
	*n = 0;
	DIR *d = opendir(dir);
	if (d == NULL)
		return sasae_error_set(err, SASAE_EIO, dir, 0, "読めません: %s", strerror(errno));
	struct dirent *e;
	int rc = 0;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char **grown = realloc(*names, (*n + 1) * sizeof **names);
		char *copy = sasae_strdup(e->d_name);
		if (grown == NULL || copy == NULL) {
			if (grown)
				*names = grown;
			free(copy);
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			break;
		}
		*names = grown;
		(*names)[(*n)++] = copy;
	}
	closedir(d);
	if (*n)
		qsort(*names, *n, sizeof **names, name_cmp);
	return rc;
}

/* The files of dir into a new ZIP at zip_path (stored at its root, in name order, dated mtime). */
static int zip_dir(const char *zip_path, const char *dir, char **names, size_t n, time_t mtime, sasae_error *err)
{
	if (sasae_dynlib_load(&zip_lib, err))
		return err->code;
	int zerr = 0;
	zip_t *za = ziplib.zip_open(zip_path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	if (za == NULL)
		return sasae_error_set(err, SASAE_EIO, zip_path, 0, "ZIP を作れません（libzip のエラー %d）",
				       zerr);
	sasae_buf *files = calloc(n ? n : 1, sizeof *files); /* the contents live until zip_close */
	int rc = files ? 0 : sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char path[4400];
		if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= (int)sizeof path) {
			rc = sasae_error_set(err, SASAE_EIO, dir, 0, "パスが長すぎます");
			break;
		}
		rc = read_into(&files[i], path, err);
		if (rc)
			break;
		zip_source_t *src = ziplib.zip_source_buffer(za, files[i].data, files[i].len, 0);
		zip_int64_t idx = src ? ziplib.zip_file_add(za, names[i], src, ZIP_FL_ENC_UTF_8) : -1;
		if (idx < 0) {
			ziplib.zip_source_free(src);
			rc = sasae_error_set(err, SASAE_EIO, zip_path, 0, "ZIP に入れられません: %s",
					     ziplib.zip_strerror(za));
		} else if (ziplib.zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 9) != 0 ||
			   ziplib.zip_file_set_mtime(za, (zip_uint64_t)idx, mtime, 0) != 0) {
			rc = sasae_error_set(err, SASAE_EIO, zip_path, 0, "ZIP を作れません: %s",
					     ziplib.zip_strerror(za));
		}
	}
	if (rc == 0 && ziplib.zip_close(za) != 0)
		rc = sasae_error_set(err, SASAE_EIO, zip_path, 0, "ZIP を書けません: %s",
				     ziplib.zip_strerror(za));
	if (rc)
		ziplib.zip_discard(za);
	for (size_t i = 0; files && i < n; i++)
		sasae_buf_free(&files[i]);
	free(files);
	return rc;
}

/* HSDS: the CLI's directory export into a temporary directory, then one ZIP of its files. */
static int make_hsds_zip(sasae_buf *out, const sasae_plan *plan, const char *base_url, sasae_error *err)
{
	(void)base_url;
	char dir[4096], zip_path[4200];
	snprintf(dir, sizeof dir, "%s/sasae-web-hsds-XXXXXX", temp_dir());
	if (mkdtemp(dir) == NULL)
		return sasae_error_set(err, SASAE_EIO, dir, 0, "一時ディレクトリを作れません: %s",
				       strerror(errno));
	snprintf(zip_path, sizeof zip_path, "%s.zip", dir);
	char **names = NULL;
	size_t n = 0;
	long long t = 0;
	if (!sasae_isotime_parse(plan->imported_at, &t))
		t = 315532800; /* 1980-01-01, ZIP's first date, for a plan that was never stored */
	int rc = sasae_export_hsds(plan, dir, err);
	if (rc == 0)
		rc = list_dir(dir, &names, &n, err);
	if (rc == 0)
		rc = zip_dir(zip_path, dir, names, n, (time_t)t, err);
	if (rc == 0)
		rc = read_into(out, zip_path, err);
	unlink(zip_path);
	for (size_t i = 0; i < n; i++) {
		char path[4400];
		if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) < (int)sizeof path)
			unlink(path);
		free(names[i]);
	}
	free(names);
	rmdir(dir);
	return rc;
}

/* ---- the table ---- */

const web_download web_downloads[] = {
	{.file = "plan.xlsx",
	 .cli = "--format xlsx",
	 .title = "事業一覧（Excel）",
	 .purpose = "Excel で開いて並べ替え・絞り込み・印刷する（部ごとに1シート）",
	 .format = "XLSX（Excel のブック）",
	 .encoding = NULL,
	 .media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	 .name_ja = "事業一覧.xlsx",
	 .make = make_xlsx},
	{.file = "plan.csv",
	 .cli = "--format csv",
	 .title = "事業一覧（CSV）",
	 .purpose = "表計算ソフトやほかのシステムに取り込む（掲載ごとに1行）",
	 .format = "CSV（カンマ区切り）",
	 .encoding = "UTF-8（BOM 付き）",
	 .media_type = "text/csv; charset=utf-8",
	 .name_ja = "事業一覧.csv",
	 .make = make_csv},
	{.file = "plan-cp932.csv",
	 .cli = "--format csv --encoding cp932",
	 .title = "事業一覧（CSV・Shift_JIS）",
	 .purpose = "UTF-8 を読めない古い Excel や業務システムに取り込む",
	 .format = "CSV（カンマ区切り）",
	 .encoding = "Shift_JIS（CP932、Windows-31J）",
	 .media_type = "text/csv; charset=Windows-31J",
	 .name_ja = "事業一覧_Shift_JIS.csv",
	 .make = make_csv_cp932},
	{.file = "plan.tsv",
	 .cli = "--format tsv",
	 .title = "事業一覧（TSV）",
	 .purpose = "タブ区切りのまま、ほかのツールやプログラムで扱う",
	 .format = "TSV（タブ区切り）",
	 .encoding = "UTF-8（BOM なし）",
	 .media_type = "text/tab-separated-values; charset=utf-8",
	 .name_ja = "事業一覧.tsv",
	 .make = make_tsv},
	{.file = "plan-cp932.tsv",
	 .cli = "--format tsv --encoding cp932",
	 .title = "事業一覧（TSV・Shift_JIS）",
	 .purpose = "タブ区切りを Shift_JIS しか読めないシステムに取り込む",
	 .format = "TSV（タブ区切り）",
	 .encoding = "Shift_JIS（CP932、Windows-31J）",
	 .media_type = "text/tab-separated-values; charset=Windows-31J",
	 .name_ja = "事業一覧_Shift_JIS.tsv",
	 .make = make_tsv_cp932},
	{.file = "plan.json",
	 .cli = "--format json",
	 .title = "計画のデータ（JSON）",
	 .purpose = "プログラムから使う（部・施策・掲載と事業の全体。形は公開している約束どおり）",
	 .format = "JSON",
	 .encoding = "UTF-8",
	 .media_type = "application/json",
	 .name_ja = "計画データ.json",
	 .make = make_json},
	{.file = "plan.jsonld",
	 .cli = "--format jsonld",
	 .title = "事業の Linked Data（JSON-LD）",
	 .purpose = "schema.org の行政サービス（GovernmentService）として検索エンジンやオープンデータのサイトで使う",
	 .format = "JSON-LD（schema.org）",
	 .encoding = "UTF-8",
	 .media_type = "application/ld+json",
	 .name_ja = "事業一覧.jsonld",
	 .make = make_jsonld},
	{.file = "hsds.zip",
	 .cli = "--format hsds",
	 .title = "サービス情報（Open Referral HSDS 3.0）",
	 .purpose = "福祉サービスを探すツールに取り込む（HSDS の CSV と datapackage.json を ZIP にまとめたもの）",
	 .format = "ZIP（HSDS 3.0 の表形式データパッケージ）",
	 .encoding = "UTF-8（BOM なし）",
	 .media_type = "application/zip",
	 .name_ja = "HSDS.zip",
	 .make = make_hsds_zip},
	{.file = "plan.txt",
	 .cli = "--format plan-text",
	 .title = "事業一覧の原稿（テキスト）",
	 .purpose = "事業一覧の原稿として編集し、sasae に取り込み直す",
	 .format = "テキスト（タブ区切りの事業一覧）",
	 .encoding = "UTF-8",
	 .media_type = "text/plain; charset=utf-8",
	 .name_ja = "事業一覧.txt",
	 .make = make_plan_text},
	{.file = "plan.md",
	 .cli = "--format markdown",
	 .title = "掲載予定事業一覧の表（Markdown）",
	 .purpose = "計画書や Web ページに、部・施策ごとの表として貼り付ける",
	 .format = "Markdown（表）",
	 .encoding = "UTF-8",
	 .media_type = "text/markdown; charset=utf-8",
	 .name_ja = "掲載予定事業一覧.md",
	 .make = make_markdown},
	{.file = "plan.html",
	 .cli = "--format html",
	 .title = "掲載予定事業一覧の表（HTML）",
	 .purpose = "ブラウザで開いて印刷する、計画書に貼り付ける",
	 .format = "HTML（1つの文書）",
	 .encoding = "UTF-8",
	 .media_type = "text/html; charset=utf-8",
	 .name_ja = "掲載予定事業一覧.html",
	 .make = make_html},
};
const size_t web_ndownloads = sizeof web_downloads / sizeof web_downloads[0];

const web_download *web_download_find(const char *file, size_t *index)
{
	for (size_t i = 0; i < web_ndownloads; i++)
		if (strcmp(web_downloads[i].file, file) == 0) {
			if (index)
				*index = i;
			return &web_downloads[i];
		}
	return NULL;
}

/* ---- the cache ---- */

/* One made file, or why it could not be made. */
typedef struct made {
	bool done;       /* made, or failed for good (rc set) */
	int rc;          /* 0, or the kept error */
	sasae_error err; /* the kept error's message */
	char *data;
	size_t len;
} made;

struct web_download_cache {
	const sasae_plan *plan;
	char *base_url;
	pthread_mutex_t lock;
	made files[sizeof web_downloads / sizeof web_downloads[0]];
};

int web_download_cache_new(web_download_cache **out, const sasae_plan *plan, sasae_error *err)
{
	*out = NULL;
	web_download_cache *c = calloc(1, sizeof *c);
	if (c == NULL)
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return sasae_error_set(err, SASAE_EINTERNAL, NULL, 0, "ロックを作れません");
	}
	c->plan = plan;
	*out = c;
	return 0;
}

int web_download_cache_set_base_url(web_download_cache *c, const char *base_url, sasae_error *err)
{
	char *copy = NULL;
	if (base_url && (copy = sasae_strdup(base_url)) == NULL)
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	pthread_mutex_lock(&c->lock);
	free(c->base_url);
	c->base_url = copy;
	pthread_mutex_unlock(&c->lock);
	return 0;
}

void web_download_cache_free(web_download_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < web_ndownloads; i++)
		free(c->files[i].data);
	free(c->base_url);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

int web_download_get(web_download_cache *c, size_t i, const char **data, size_t *len, sasae_error *err)
{
	*data = NULL;
	*len = 0;
	if (i >= web_ndownloads)
		return sasae_error_set(err, SASAE_ENOTFOUND, NULL, 0, "そのファイルはありません");
	pthread_mutex_lock(&c->lock);
	made *m = &c->files[i];
	if (!m->done) {
		sasae_buf b = SASAE_BUF_INIT;
		sasae_error e = {0};
		int rc = web_downloads[i].make(&b, c->plan, c->base_url, &e);
		if (rc == 0 && !sasae_buf_ok(&b))
			rc = sasae_error_set(&e, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		if (rc == 0) {
			m->len = b.len;
			m->data = sasae_buf_detach(&b);
			if (m->data == NULL) /* an empty buffer has nothing to detach */
				m->data = calloc(1, 1);
			m->done = m->data != NULL;
			if (!m->done)
				rc = sasae_error_set(&e, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		} else {
			sasae_buf_free(&b);
			if (rc == SASAE_EDATA || rc == SASAE_EUNAVAILABLE) { /* the same again next time */
				m->done = true;
				m->rc = rc;
				m->err = e;
			}
		}
		if (rc && !m->done) {
			pthread_mutex_unlock(&c->lock);
			*err = e;
			return rc;
		}
	}
	int rc = m->rc;
	if (rc)
		*err = m->err;
	*data = m->data;
	*len = m->len;
	pthread_mutex_unlock(&c->lock);
	return rc;
}
