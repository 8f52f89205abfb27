/* cmd_export.c — `sasae export`: the plan in one of the formats of docs/exports.md, on stdout or
   into --output (a file, or a directory for hsds). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "sasae/buf.h"
#include "sasae/export.h"

/* The formats, in the order of the help text. */
static const char *const formats[] = {"json",     "csv",  "tsv",  "xlsx",   "plan-text",
				      "markdown", "html", "hsds", "jsonld", NULL};
static const char *const encodings[] = {"utf-8", "utf8", "cp932", NULL};

/* The options of `sasae export` (besides --format, --plan and --db). */
typedef struct export_values {
	const char *output;   /* --output PATH, or NULL: stdout */
	const char *encoding; /* --encoding ENC (one of encodings), or NULL */
	const char *base_url; /* --base-url URL, or NULL */
} export_values;

const cli_option cmd_export_options[] = {
	{.use = &cli_opt_format, .choices = formats, .help = "上のどれか（必須）"},
	{.name = "output",
	 .arg = "PATH",
	 .kind = CLI_STRING,
	 .help = "標準出力の代わりにこのファイルへ（hsds ではディレクトリ。必須）。\n"
		 "書き終えてから置き換えるので、失敗しても元のファイルは残ります",
	 .offset = offsetof(export_values, output)},
	{.name = "encoding",
	 .arg = "ENC",
	 .kind = CLI_ENUM,
	 .choices = encodings,
	 .help = "csv・tsv の文字コード: utf-8（既定）か cp932（日本語版 Windows の\n"
		 "Excel 向け。CP932 で表せない文字があれば、その掲載を示して終了コード 65）",
	 .offset = offsetof(export_values, encoding)},
	{.name = "base-url",
	 .arg = "URL",
	 .kind = CLI_STRING,
	 .help = "jsonld: sasae serve のサイトのアドレス（事業・部署に @id と url が付く）",
	 .offset = offsetof(export_values, base_url)},
	{.use = &cli_opt_plan},
	{.use = &cli_opt_db},
	{.use = &cli_opt_help},
	CLI_OPTIONS_END,
};

const cli_help cmd_export_help = {
	.usage = "sasae export --format FMT [--output PATH] [--encoding utf-8|cp932] [--plan SLUG[@版]]\n"
		 "                    [--base-url URL] [--db PATH]",
	.description = "計画を書き出します（既定は標準出力。形式ごとの詳細は docs/exports.md）。\n"
		       "  json       データ契約（docs/data-contract.md）どおりの JSON: 部・施策・掲載と事業\n"
		       "  csv        掲載ごとに1行の CSV（UTF-8、BOM 付き: Excel でそのまま開けます）\n"
		       "  tsv        同じ列の TSV（UTF-8、BOM なし）\n"
		       "  xlsx       Excel のブック（部ごとに1シート）。バイナリなので --output FILE か\n"
		       "             リダイレクト（> FILE）で書き出します\n"
		       "  plan-text  事業一覧の文書そのもの（取り込むと同じ計画に戻ります）\n"
		       "  markdown   掲載予定事業一覧の表（部・施策ごと、No | 事業名 | 事業概要 | 担当局等）\n"
		       "  html       同じ表を1つの HTML 文書で（印刷・貼り付け用）\n"
		       "  hsds       Open Referral HSDS 3.0 のデータパッケージ（--output DIR に CSV と\n"
		       "             datapackage.json）\n"
		       "  jsonld     schema.org の GovernmentService（JSON-LD）",
	.examples = "sasae export --format csv --encoding cp932 > plan-sjis.csv\n"
		    "sasae export --format xlsx --output plan.xlsx\n"
		    "sasae export --format hsds --output hsds/",
};

/* Write the text format to out. */
static int export_text(const sasae_plan *plan, const char *format, bool cp932, const char *base_url,
		       FILE *out, sasae_error *err)
{
	if (strcmp(format, "json") == 0)
		return sasae_export_json(plan, cli_write_file, out, err);
	if (strcmp(format, "csv") == 0 || strcmp(format, "tsv") == 0) {
		char sep = format[0] == 'c' ? ',' : '\t';
		if (cp932)
			return sasae_export_table_cp932(plan, sep, cli_write_file, out, err);
		return sasae_export_table(plan, sep, sep == ',', cli_write_file, out, err);
	}
	if (strcmp(format, "plan-text") == 0)
		return sasae_export_plan_text(plan, cli_write_file, out, err);
	if (strcmp(format, "markdown") == 0)
		return sasae_export_markdown(plan, cli_write_file, out, err);
	if (strcmp(format, "html") == 0)
		return sasae_export_html(plan, cli_write_file, out, err);
	return sasae_export_jsonld(plan, base_url, cli_write_file, out, err);
}

/* A temporary name beside path ("path.tmp-XXXXXX"), created empty (malloc'd into *tmp).  Returns
   an open descriptor, or -1 with err filled. */
static int temp_beside(char **tmp, const char *path, sasae_error *err)
{
	sasae_buf b = SASAE_BUF_INIT;
	sasae_buf_appendf(&b, "%s.tmp-XXXXXX", path);
	*tmp = sasae_buf_detach(&b);
	if (*tmp == NULL) {
		sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		return -1;
	}
	int fd = mkstemp(*tmp);
	if (fd < 0) {
		sasae_error_set(err, SASAE_EIO, path, 0, "書き出せません: %s", strerror(errno));
		free(*tmp);
		*tmp = NULL;
	}
	return fd;
}

/* Move the finished temporary file into place. */
static int commit(const char *tmp, const char *path, sasae_error *err)
{
	if (rename(tmp, path) != 0) {
		sasae_error_set(err, SASAE_EIO, path, 0, "書き出せません: %s", strerror(errno));
		unlink(tmp);
		return SASAE_EIO;
	}
	return 0;
}

/* A text format into the file path: written beside it and renamed into place when complete. */
static int text_to_file(const sasae_plan *plan, const char *format, bool cp932, const char *base_url,
			const char *path, sasae_error *err)
{
	char *tmp;
	int fd = temp_beside(&tmp, path, err);
	if (fd < 0)
		return err->code;
	FILE *f = fdopen(fd, "wb");
	if (f == NULL) {
		close(fd);
		unlink(tmp);
		free(tmp);
		return sasae_error_set(err, SASAE_EIO, path, 0, "書き出せません: %s", strerror(errno));
	}
	fchmod(fd, 0644);
	int rc = export_text(plan, format, cp932, base_url, f, err);
	if (fclose(f) != 0 && rc == 0)
		rc = sasae_error_set(err, SASAE_EIO, path, 0, "書き出せません: %s", strerror(errno));
	if (rc == 0)
		rc = commit(tmp, path, err);
	else
		unlink(tmp);
	free(tmp);
	return rc;
}

/* Copy the file at path to stdout. */
static int copy_to_stdout(const char *path, sasae_error *err)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return sasae_error_set(err, SASAE_EIO, path, 0, "読めません: %s", strerror(errno));
	char chunk[65536];
	size_t n;
	int rc = 0;
	while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (fwrite(chunk, 1, n, stdout) != n)
			rc = sasae_error_set(err, SASAE_EIO, NULL, 0, "書き出しに失敗しました");
	if (rc == 0 && ferror(f))
		rc = sasae_error_set(err, SASAE_EIO, path, 0, "読めません");
	fclose(f);
	return rc;
}

/* The XLSX workbook into path, or (path NULL) through a temporary file onto stdout. */
static int xlsx(const sasae_plan *plan, const char *path, sasae_error *err)
{
	char *tmp;
	int fd;
	if (path) {
		fd = temp_beside(&tmp, path, err);
	} else {
		const char *dir = getenv("TMPDIR");
		char base[4096];
		snprintf(base, sizeof base, "%s/sasae-export.xlsx", dir && *dir ? dir : "/tmp");
		fd = temp_beside(&tmp, base, err);
	}
	if (fd < 0)
		return err->code;
	fchmod(fd, 0644);
	close(fd); /* libxlsxwriter writes the file by name */
	int rc = sasae_export_xlsx(plan, tmp, err);
	if (rc == 0)
		rc = path ? commit(tmp, path, err) : copy_to_stdout(tmp, err);
	if (rc || path == NULL)
		unlink(tmp);
	free(tmp);
	return rc;
}

int cmd_export(const cli_command *cmd, int argc, char **argv, cli_common *common)
{
	export_values v = {NULL, NULL, NULL};
	int status;
	if (!cli_parse(&status, cmd, &argc, argv, common, &v))
		return status;
	const char *db = common->db, *format = common->format, *spec = common->plan;
	const char *output = v.output, *encoding = v.encoding, *base_url = v.base_url;
	if (argc > 1)
		return cli_usage_error(cmd,
				       "余分な引数「%s」があります（出力先は --output か「> ファイル」で指定します）",
				       argv[1]);
	if (format == NULL) { /* the formats named from the option's table */
		sasae_buf list = SASAE_BUF_INIT;
		for (size_t i = 0; formats[i]; i++)
			sasae_buf_appendf(&list, "%s%s", i ? ", " : "", formats[i]);
		status = cli_usage_error(cmd, "--format を指定してください（%s）", sasae_buf_cstr(&list));
		sasae_buf_free(&list);
		return status;
	}
	bool table = strcmp(format, "csv") == 0 || strcmp(format, "tsv") == 0;
	bool cp932 = encoding && strcmp(encoding, "cp932") == 0;
	if (encoding && !table)
		return cli_usage_error(cmd, "--encoding は csv と tsv にだけ使えます");
	if (base_url && strcmp(format, "jsonld") != 0)
		return cli_usage_error(cmd, "--base-url は jsonld にだけ使えます");
	if (output && (*output == '\0' || strcmp(output, "-") == 0))
		output = strcmp(format, "hsds") == 0 ? "" : NULL; /* "-": stdout */
	if (strcmp(format, "hsds") == 0 && (output == NULL || *output == '\0'))
		return cli_usage_error(cmd,
				       "hsds は複数のファイルなので --output DIR で書き出し先のディレクトリを指定してください");
	if (strcmp(format, "xlsx") == 0 && output == NULL && isatty(STDOUT_FILENO))
		return cli_usage_error(cmd,
				       "xlsx はバイナリなので端末には書き出しません。"
				       "--output FILE を指定するか「> FILE」にリダイレクトしてください");
	sasae_plan *plan;
	status = cli_load_plan(&plan, db, spec);
	if (status)
		return status;
	sasae_error err = {0};
	int rc;
	if (strcmp(format, "hsds") == 0)
		rc = sasae_export_hsds(plan, output, &err);
	else if (strcmp(format, "xlsx") == 0)
		rc = xlsx(plan, output, &err);
	else if (output)
		rc = text_to_file(plan, format, cp932, base_url, output, &err);
	else
		rc = export_text(plan, format, cp932, base_url, stdout, &err);
	if (rc)
		status = cli_fail(&err);
	sasae_plan_free(plan);
	return status;
}
