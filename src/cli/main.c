/*
 * main.c — the sasae command: the table of commands, the global options, the overview of
 * `sasae --help` (made from both tables), and the only exit.
 *
 * Adding a command: write src/cli/cmd_<name>.c with its run function, its option table and its
 * help (docs/development.md), declare it in cli.h with CLI_DECLARE_COMMAND and add a line here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The commands, in the order `sasae --help` lists them. */
static const cli_command commands[] = {
	{.name = "import",
	 .run = cmd_import,
	 .options = cmd_import_options,
	 .help = &cmd_import_help,
	 .summary = "事業一覧（テキスト）をデータベースに取り込む"},
	{.name = "plans",
	 .run = cmd_plans,
	 .options = cmd_plans_options,
	 .help = &cmd_plans_help,
	 .summary = "データベースにある計画の一覧（版と件数）"},
	{.name = "outline",
	 .run = cmd_outline,
	 .options = cmd_outline_options,
	 .help = &cmd_outline_help,
	 .summary = "計画の構成（部・施策と掲載件数）"},
	{.name = "list",
	 .run = cmd_list,
	 .options = cmd_list_options,
	 .help = &cmd_list_help,
	 .summary = "掲載事業を表で表示する（部・施策・担当局等で絞り込み）"},
	{.name = "show",
	 .run = cmd_show,
	 .options = cmd_show_options,
	 .help = &cmd_show_help,
	 .summary = "一つの事業と、それが掲載されているすべての箇所"},
	{.name = "search",
	 .run = cmd_search,
	 .options = cmd_search_options,
	 .help = &cmd_search_help,
	 .summary = "事業を言葉で探す（日本語の全文検索）"},
	{.name = "export",
	 .run = cmd_export,
	 .options = cmd_export_options,
	 .help = &cmd_export_help,
	 .summary = "計画を JSON・CSV・XLSX・文書・HTML・HSDS などで書き出す"},
	{.name = "diff",
	 .run = cmd_diff,
	 .options = cmd_diff_options,
	 .help = &cmd_diff_help,
	 .summary = "二つの版（またはファイル）の事業一覧の違いを表示する"},
	{.name = "reindex",
	 .run = cmd_reindex,
	 .options = cmd_reindex_options,
	 .help = &cmd_reindex_help,
	 .summary = "検索の索引を作り直す（--no-index で取り込んだ後など）"},
	{.name = "backup",
	 .run = cmd_backup,
	 .options = cmd_backup_options,
	 .help = &cmd_backup_help,
	 .summary = "データベースの控えを取る（sasae serve が動いていても一時点のそのままの姿）"},
	{.name = "restore",
	 .run = cmd_restore,
	 .options = cmd_restore_options,
	 .help = &cmd_restore_help,
	 .summary = "控えを確かめてからデータベースを置き換える"},
	{.name = "check",
	 .run = cmd_check,
	 .options = cmd_check_options,
	 .help = &cmd_check_help,
	 .summary = "データベースの整合性と sasae の決まりごとを点検する"},
	{.name = "serve",
	 .run = cmd_serve,
	 .options = cmd_serve_options,
	 .help = &cmd_serve_help,
	 .summary = "ウェブサイトと JSON API を提供する（sasae serve）"},
	{.name = "lint",
	 .run = cmd_lint,
	 .options = cmd_lint_options,
	 .help = &cmd_lint_help,
	 .summary = "事業一覧の食い違い（再掲の違い・重複・番号・担当局等の表記ゆれ等）を点検する"},
	{.name = "tags",
	 .run = cmd_tags,
	 .options = cmd_tags_options,
	 .help = &cmd_tags_help,
	 .summary = "事業のタグ（対象・困りごと・種類）の付き方を確かめる／語彙・規則を読み込む"},
	{.name = "find",
	 .run = cmd_find,
	 .options = cmd_find_options,
	 .help = &cmd_find_help,
	 .summary = "困りごとから使える事業をさがす（対象・困りごと・ふだんの言葉で）"},
	{.name = "user",
	 .run = cmd_user,
	 .options = cmd_user_options,
	 .help = &cmd_user_help,
	 .summary = "ワークスペースの利用者・パスワード・役割（add list passwd role disable）"},
	{.name = "audit",
	 .run = cmd_audit,
	 .options = cmd_audit_options,
	 .help = &cmd_audit_help,
	 .summary = "監査ログ（だれが・いつ・何を変えたか）を表示する"},
	{.name = "progress",
	 .run = cmd_progress,
	 .options = cmd_progress_options,
	 .help = &cmd_progress_help,
	 .summary = "年度ごとの進捗管理（open status pending export import report）"},
};
enum { NCOMMANDS = sizeof commands / sizeof commands[0] };

/* The values of the global options that are not shared with the commands. */
typedef struct main_values {
	bool version; /* --version */
} main_values;

/* The options before the command: --db goes on to the command (cli_common). */
static const cli_option main_options[] = {
	{.use = &cli_opt_db, .help = "データベースのファイル（既定: 環境変数 SASAE_DB、なければ ./sasae.db）"},
	{.use = &cli_opt_help, .help = "使い方を表示する（各コマンドにも --help があります）"},
	{.use = &cli_opt_help, .short_name = 'h', .hidden = true},
	{.name = "version",
	 .kind = CLI_FLAG,
	 .help = "版を表示する",
	 .stop = true,
	 .offset = offsetof(main_values, version)},
	CLI_OPTIONS_END,
};

/* The overview of `sasae --help` on out. */
static void usage(FILE *out)
{
	sasae_buf b = SASAE_BUF_INIT;
	sasae_buf_appendf(&b,
			  "sasae %s — 福祉計画の事業一覧を取り込み、調べ、書き出すツール\n"
			  "(the program catalogue of a municipal welfare plan)\n\n"
			  "使い方: sasae [--db PATH] COMMAND [OPTIONS]\n\n"
			  "コマンド:\n",
			  SASAE_VERSION);
	for (size_t i = 0; i < NCOMMANDS; i++)
		sasae_buf_appendf(&b, "  %-9s %s\n", commands[i].name, commands[i].summary);
	sasae_buf_putc(&b, '\n');
	cli_opts_help(&b, "共通オプション:", main_options, 12);
	sasae_buf_puts(&b,
		       "\n例:\n"
		       "  sasae import data/sendai-2024-draft.txt --outline data/sendai-2024-draft.outline.tsv\n"
		       "  sasae outline\n"
		       "  sasae list --part 3 --section 2\n"
		       "  sasae show p0001\n"
		       "  sasae search \"ひとり暮らし 高齢者\"\n"
		       "  sasae export --format csv > plan.csv\n\n"
		       "終了コード: 0 成功, 1 指摘あり, 2 使い方の誤り, 65 入力データの誤り, 66 見つからない,\n"
		       "            69 必要なライブラリがない（serve, xlsx）, 70 内部エラー, 74 入出力エラー\n");
	fputs(sasae_buf_cstr(&b), out);
	sasae_buf_free(&b);
}

int main(int argc, char **argv)
{
	cli_common common = {.db = getenv("SASAE_DB")};
	if (common.db == NULL || *common.db == '\0')
		common.db = "./sasae.db";
	main_values values = {false};
	cli_parsed parsed;
	sasae_error err = {0};
	/* Global options before the command; the command and its arguments are then argv[1..]. */
	int rc = cli_opts_parse(&parsed, main_options, CLI_OPTS_IN_ORDER, argc, argv, &common, &values, &err);
	if (rc < 0) {
		fprintf(stderr,
			"sasae: オプション「%s」は使えません。「sasae --help」で使い方を表示できます。\n",
			parsed.bad ? parsed.bad : "");
		return 2;
	}
	if (common.help) {
		usage(stdout);
		return 0;
	}
	if (values.version) {
		printf("sasae %s\n", SASAE_VERSION);
		return 0;
	}
	if (parsed.noperands == 0) {
		usage(stderr);
		return 2;
	}
	for (size_t c = 0; c < NCOMMANDS; c++)
		if (strcmp(argv[1], commands[c].name) == 0) {
			int status = commands[c].run(&commands[c], parsed.noperands, argv + 1, &common);
			if ((fflush(stdout) != 0 || ferror(stdout)) && status == 0) {
				fprintf(stderr,
					"sasae: 結果を書き出せませんでした（ディスクの空きや出力先を確かめてください）\n");
				status = 74;
			}
			exit(status);
		}
	fprintf(stderr,
		"sasae: 「%s」というコマンドはありません。「sasae --help」でコマンドの一覧を表示できます。\n",
		argv[1]);
	return 2;
}
