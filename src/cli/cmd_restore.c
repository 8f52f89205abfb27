/* cmd_restore.c — `sasae restore FILE`: replace the database with a backup made by `sasae backup`,
   after checking it (sasae_store_restore; docs/operations.md). */
#include <stdio.h>

#include "cli.h"

const cli_option cmd_restore_options[] = {
	{.use = &cli_opt_db},
	{.use = &cli_opt_help},
	CLI_OPTIONS_END,
};

const cli_help cmd_restore_help = {
	.usage = "sasae restore FILE [--db PATH]",
	.description = "「sasae backup」の控え FILE でデータベースを置き換えます。先に FILE を確かめます:\n"
		       "sasae のデータベースであること、この sasae の分かるスキーマの版であること（新しい版の\n"
		       "ものは sasae の更新を求めて断ります）、「sasae check」の点検に通ること。置き換えは\n"
		       "一つのトランザクションで、断ったときや失敗したときデータベースは元のままです。\n"
		       "動いている sasae serve は、復元の後で再起動してください。",
	.examples = "sasae restore /var/backups/sasae/sasae-2026-04-01.db --db /var/lib/sasae/sasae.db\n"
		    "systemctl restart sasae",
	.exit_codes = "0 成功, 2 使い方の誤り, 65 FILE が sasae の控えでない・新しい版・問題あり,\n"
		      "            66 FILE がない, 70 データベースの誤り, 74 書き込みエラー",
};

/* Print one problem of the backup. */
static int print_problem(void *ctx, const char *problem)
{
	const char *file = ctx;
	fprintf(stderr, "%s: %s: %s\n", cli_prog, file, problem);
	return 0;
}

int cmd_restore(const cli_command *cmd, int argc, char **argv, cli_common *common)
{
	int status;
	if (!cli_parse(&status, cmd, &argc, argv, common, NULL))
		return status;
	if (argc < 2)
		return cli_usage_error(cmd, "復元する控えのファイル名を指定してください");
	if (argc > 2)
		return cli_usage_error(cmd, "余分な引数「%s」があります", argv[2]);
	sasae_error err = {0};
	size_t n = 0;
	if (sasae_store_restore(common->db, argv[1], print_problem, argv[1], &n, &err) != 0)
		return cli_fail(&err);
	printf("%s を %s から復元しました。動いている sasae serve があれば再起動してください\n", common->db,
	       argv[1]);
	return 0;
}
