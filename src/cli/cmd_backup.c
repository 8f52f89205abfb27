/* cmd_backup.c — `sasae backup FILE`: a consistent copy of the database while `sasae serve` runs
   and others write (sasae_store_backup; docs/operations.md). */
#include <stdio.h>

#include "cli.h"

/* The options of `sasae backup` (besides --db and --help). */
typedef struct backup_values {
	bool force;
} backup_values;

const cli_option cmd_backup_options[] = {
	{.name = "force",
	 .kind = CLI_FLAG,
	 .help = "FILE がすでにあれば置き換える",
	 .offset = offsetof(backup_values, force)},
	{.use = &cli_opt_db},
	{.use = &cli_opt_help},
	CLI_OPTIONS_END,
};

const cli_help cmd_backup_help = {
	.usage = "sasae backup FILE [--force] [--db PATH]",
	.description =
		"データベース全体の控えを FILE に書きます。sasae serve が動いていて書き込みが続いていても、\n"
		"控えはある一時点のそのままの姿です。同じディレクトリの一時ファイルに書いてディスクに\n"
		"書き切ってから FILE の名前にします（途中で止まっても半端な FILE は残りません）。\n"
		"戻すときは「sasae restore FILE」を使います。",
	.examples = "sasae backup /var/backups/sasae/sasae-$(date +%F).db\n"
		    "sasae backup --force /var/backups/sasae/latest.db",
	.exit_codes = "0 成功, 2 使い方の誤り, 65 FILE がすでにある（--force なし）, 66 データベースがない,\n"
		      "            70 データベースの誤り, 74 書き込みエラー",
};

int cmd_backup(const cli_command *cmd, int argc, char **argv, cli_common *common)
{
	int status;
	backup_values v = {0};
	if (!cli_parse(&status, cmd, &argc, argv, common, &v))
		return status;
	if (argc < 2)
		return cli_usage_error(cmd, "控えを書くファイル名を指定してください");
	if (argc > 2)
		return cli_usage_error(cmd, "余分な引数「%s」があります", argv[2]);
	sasae_store *store;
	if ((status = cli_open_store(&store, common->db, SASAE_STORE_READONLY)) != 0)
		return status;
	sasae_error err = {0};
	if (sasae_store_backup(store, argv[1], v.force, &err) != 0)
		status = cli_fail(&err);
	else
		printf("%s の控えを %s に書きました\n", common->db, argv[1]);
	sasae_store_close(store);
	return status;
}
