/* cmd_import.c — `sasae import`: a plan-list document into the database. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sasae/buf.h"
#include "sasae/departments.h"
#include "sasae/office.h"
#include "sasae/import.h"
#include "sasae/outline.h"

/* The bundled Sendai draft and its outline (embedded at build time). */
extern const char sasae_data_sendai_plan[];
extern const size_t sasae_data_sendai_plan_len;
extern const char sasae_data_sendai_outline[];
extern const size_t sasae_data_sendai_outline_len;

/* The options of `sasae import` (besides --db). */
typedef struct import_values {
	const char *slug;        /* --plan SLUG, or NULL: from the file name */
	const char *title;       /* --title T, or NULL: the document's */
	const char *outline;     /* --outline FILE, or NULL */
	const char *departments; /* --departments FILE, or NULL: the built-in table */
	bool sample;             /* --sample */
	bool no_index;           /* --no-index */
	bool quiet;              /* --quiet */
} import_values;

const cli_option cmd_import_options[] = {
	{.name = "plan",
	 .arg = "SLUG",
	 .kind = CLI_STRING,
	 .help = "計画の識別名（既定: ファイル名から。例 sendai-2024-draft）",
	 .offset = offsetof(import_values, slug)},
	{.name = "title",
	 .arg = "T",
	 .kind = CLI_STRING,
	 .help = "計画の題名（既定: 文書の冒頭の題名の行）",
	 .offset = offsetof(import_values, title)},
	{.name = "outline",
	 .arg = "FILE",
	 .kind = CLI_STRING,
	 .help = "部の題名を書いたファイル（「番号<TAB>題名」の行）",
	 .offset = offsetof(import_values, outline)},
	{.name = "departments",
	 .arg = "FILE",
	 .kind = CLI_STRING,
	 .help = "部署の表（既定: データベースに保存された departments.tsv、なければ組み込みの\n"
		 "data/departments.tsv）",
	 .offset = offsetof(import_values, departments)},
	{.name = "sample",
	 .kind = CLI_FLAG,
	 .help = "同梱の仙台市の計画案（data/sendai-2024-draft.txt）を取り込む",
	 .offset = offsetof(import_values, sample)},
	{.name = "no-index",
	 .kind = CLI_FLAG,
	 .help = "検索の索引を作らない（大量に取り込むとき。後で sasae reindex）",
	 .offset = offsetof(import_values, no_index)},
	{.name = "quiet",
	 .kind = CLI_FLAG,
	 .help = "警告と要約を表示しない",
	 .offset = offsetof(import_values, quiet)},
	{.use = &cli_opt_db},
	{.use = &cli_opt_help},
	CLI_OPTIONS_END,
};

const cli_help cmd_import_help = {
	.usage = "sasae import FILE [--plan SLUG] [--title T] [--outline FILE] [--departments FILE]\n"
		 "       sasae import --sample",
	.description =
		"事業一覧のテキスト（PDF から取り出した TAB 区切りの表。形式は docs/format.md）を読み、\n"
		"計画の新しい版としてデータベースに取り込みます。取り込みは一つのトランザクションです:\n"
		"誤りがあればデータベースは元のまま変わりません。同じ文書をもう一度取り込んでも何も変わらず、\n"
		"事業ID は版が変わっても同じ事業には同じ ID が付きます。",
	.exit_codes = "0 成功, 2 使い方の誤り, 65 文書の誤り（file:line で場所を示します）,\n"
		      "            66 ファイルがない, 70 内部エラー, 74 読み込みエラー",
};

/* Read a whole (small) file into memory; prints the error and returns the exit status. */
static int slurp(const char *path, sasae_buf *out)
{
	sasae_error err = {0};
	return cli_read_file(path, out, &err) ? cli_fail(&err) : 0;
}

typedef struct import_ui {
	bool quiet;
	bool tty;
	int last_percent;
} import_ui;

static void show_warning(void *ctx, const sasae_warning *w)
{
	import_ui *ui = ctx;
	if (ui->quiet)
		return;
	if (ui->tty && ui->last_percent >= 0)
		fputs("\r\033[K", stderr);
	fprintf(stderr, "%s:%ld: 警告: %s [%s]\n", w->file, w->line, w->message, w->kind);
}

/* A progress bar on a terminal, for documents over 1 MiB. */
static void show_progress(void *ctx, size_t done, size_t total)
{
	import_ui *ui = ctx;
	if (ui->quiet || !ui->tty || total < (1u << 20))
		return;
	int percent = (int)(done * 100 / total);
	if (percent == ui->last_percent)
		return;
	ui->last_percent = percent;
	char bar[41];
	int fill = percent * 40 / 100;
	for (int i = 0; i < 40; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[40] = '\0';
	fprintf(stderr, "\r取り込み中 [%s] %3d%%", bar, percent);
	if (done >= total)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

int cmd_import(const cli_command *cmd, int argc, char **argv, cli_common *common)
{
	import_values v = {NULL, NULL, NULL, NULL, false, false, false};
	int status;
	if (!cli_parse(&status, cmd, &argc, argv, common, &v))
		return status;
	const char *db = common->db;
	const char *slug = v.slug, *title = v.title, *outline_path = v.outline, *depts_path = v.departments;
	bool sample = v.sample, no_index = v.no_index;
	import_ui ui = {v.quiet, isatty(STDERR_FILENO) != 0, -1};
	const char *file = argc > 1 ? argv[1] : NULL;
	if (sample && file)
		return cli_usage_error(cmd, "--sample とファイル名は一緒に指定できません");
	if (!sample && file == NULL)
		return cli_usage_error(cmd, "取り込むファイルを指定してください（同梱の計画案なら --sample）");
	if (argc > 2)
		return cli_usage_error(cmd, "ファイルは一つだけ指定できます（余分な引数「%s」）", argv[2]);
	if (slug && (*slug == '\0' || strspn(slug, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != strlen(slug)))
		return cli_usage_error(cmd,
				       "--plan には英小文字・数字・「-」だけの名前を指定してください（例: sendai-2024-draft）");

	sasae_error err = {0};
	sasae_dept_table *depts = NULL;
	sasae_outline outline = {0};
	sasae_store *store = NULL;
	sasae_buf bytes = SASAE_BUF_INIT;
	if (depts_path) {
		if ((status = slurp(depts_path, &bytes)) != 0)
			goto done;
		if (sasae_dept_table_parse(&depts, depts_path, sasae_buf_cstr(&bytes), bytes.len, &err)) {
			status = cli_fail(&err);
			goto done;
		}
		sasae_buf_clear(&bytes);
	}
	if (outline_path) {
		if ((status = slurp(outline_path, &bytes)) != 0)
			goto done;
		if (sasae_outline_parse(&outline, outline_path, sasae_buf_cstr(&bytes), bytes.len, &err)) {
			status = cli_fail(&err);
			goto done;
		}
	} else if (sample &&
		   sasae_outline_parse(&outline, "data/sendai-2024-draft.outline.tsv",
				       sasae_data_sendai_outline, sasae_data_sendai_outline_len, &err)) {
		status = cli_fail(&err);
		goto done;
	}
	if ((status = cli_open_store(&store, db, SASAE_STORE_CREATE | SASAE_STORE_IMPORT)) != 0)
		goto done;
	/* without --departments: the table the office stored (sasae_office_file_set), else the built-in one */
	if (depts == NULL && sasae_office_departments(store, &depts, &err)) {
		status = cli_fail(&err);
		sasae_store_discard(store); /* a database this open created is removed */
		store = NULL;
		goto done;
	}
	sasae_import_options opt = {.slug = slug,
				    .title = title,
				    .outline = &outline,
				    .depts = depts,
				    .no_index = no_index,
				    .on_warning = show_warning,
				    .on_progress = show_progress,
				    .ctx = &ui};
	sasae_import_summary sum;
	int rc = sample ? sasae_import_bytes(store, "data/sendai-2024-draft.txt", sasae_data_sendai_plan,
					     sasae_data_sendai_plan_len, &opt, &sum, &err)
			: sasae_import_file(store, file, &opt, &sum, &err);
	if (rc) {
		if (ui.tty && ui.last_percent >= 0)
			fputs("\r\033[K", stderr);
		status = cli_fail(&err);
		if (rc == SASAE_EDATA)
			fprintf(stderr,
				"%s: データベースは変更していません。文書を直してからもう一度取り込んでください。\n",
				cli_prog);
		sasae_store_discard(store); /* a database this failed import created is removed */
		store = NULL;
		goto done;
	}
	char plan_slug[128];
	if (slug)
		snprintf(plan_slug, sizeof plan_slug, "%s", slug);
	else
		sasae_import_slug_from_path(sample ? "sendai-2024-draft.txt" : file, plan_slug,
					    sizeof plan_slug);
	if (sum.unchanged) {
		if (!ui.quiet)
			printf("%s: 変更なし（この文書は第%d版として取り込み済みです）\n", plan_slug,
			       sum.version);
	} else if (!ui.quiet) {
		printf("%s 第%d版: %zu 部, %zu 施策, %zu 件の掲載, %zu 事業（新規 %zu）, 警告 %zu 件\n",
		       plan_slug, sum.version, sum.parts, sum.sections, sum.listings, sum.programs,
		       sum.new_programs, sum.warnings);
	}
done:
	sasae_store_close(store);
	sasae_outline_clear(&outline);
	sasae_dept_table_free(depts);
	sasae_buf_free(&bytes);
	return status;
}
