/*
 * main.c — the sasae command: global options, the command table, and the only exit.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_command *const commands[] = {
	&cmd_import, &cmd_plans, &cmd_outline, &cmd_list, &cmd_show, &cmd_search, &cmd_export, &cmd_diff, &cmd_reindex, &cmd_serve, &cmd_lint, &cmd_tags, &cmd_find,
};
enum { NCOMMANDS = sizeof commands / sizeof commands[0] };

static void usage(FILE *out)
{
	fprintf(out,
		"sasae %s — 福祉計画の事業一覧を取り込み、調べ、書き出すツール\n"
		"(the program catalogue of a municipal welfare plan)\n\n"
		"使い方: sasae [--db PATH] COMMAND [OPTIONS]\n\n"
		"コマンド:\n",
		SASAE_VERSION);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-9s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out, "\n共通オプション:\n"
		     "  --db PATH   データベースのファイル（既定: 環境変数 SASAE_DB、なければ ./sasae.db）\n"
		     "  --help      使い方を表示する（各コマンドにも --help があります）\n"
		     "  --version   版を表示する\n\n"
		     "例:\n"
		     "  sasae import data/sendai-2024-draft.txt --outline data/sendai-2024-draft.outline.tsv\n"
		     "  sasae outline\n"
		     "  sasae list --part 3 --section 2\n"
		     "  sasae show p0001\n"
		     "  sasae search \"ひとり暮らし 高齢者\"\n"
		     "  sasae export --format csv > plan.csv\n\n"
		     "終了コード: 0 成功, 1 指摘あり, 2 使い方の誤り, 65 入力データの誤り, 66 見つからない,\n"
		     "            69 必要なライブラリがない（serve, xlsx）, 70 内部エラー, 74 入出力エラー\n");
}

int main(int argc, char **argv)
{
	const char *db = getenv("SASAE_DB");
	if (db == NULL || *db == '\0')
		db = "./sasae.db";
	int i = 1;
	/* Global options before the command. */
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("sasae %s\n", SASAE_VERSION);
			return 0;
		} else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			db = argv[++i];
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			db = argv[i] + 5;
		} else {
			fprintf(stderr, "sasae: オプション「%s」は使えません。「sasae --help」で使い方を表示できます。\n", argv[i]);
			return 2;
		}
	}
	if (i == argc) {
		usage(stderr);
		return 2;
	}
	for (size_t c = 0; c < NCOMMANDS; c++)
		if (strcmp(argv[i], commands[c]->name) == 0) {
			int status = commands[c]->run(argc - i, argv + i, db);
			if ((fflush(stdout) != 0 || ferror(stdout)) && status == 0) {
				fprintf(stderr, "sasae: 結果を書き出せませんでした（ディスクの空きや出力先を確かめてください）\n");
				status = 74;
			}
			exit(status);
		}
	fprintf(stderr, "sasae: 「%s」というコマンドはありません。「sasae --help」でコマンドの一覧を表示できます。\n",
		argv[i]);
	return 2;
}
