/* cmd_check.c — `sasae check`: the database's integrity, foreign keys and sasae's own invariants
   (sasae_store_check; docs/operations.md).  Each problem one line on standard output. */
#include <stdio.h>

#include "cli.h"

const cli_option cmd_check_options[] = {
	{.use = &cli_opt_db},
	{.use = &cli_opt_help},
	CLI_OPTIONS_END,
};

const cli_help cmd_check_help = {
	.usage = "sasae check [--db PATH]",
	.description = "データベースを点検します: SQLite の整合性検査（integrity_check）、外部キー\n"
		       "（foreign_key_check）、sasae の決まりごと（どの掲載の事業もあること、事業ごと・版ごとに\n"
		       "元の掲載がちょうど一つあること、検索索引の件数が版の事業の数と合うこと、監査ログの\n"
		       "変更前・変更後が JSON であること）。見つかった問題を一行に一つずつ書きます。\n"
		       "データベースは読むだけで、変えません。",
	.examples = "sasae check --db /var/lib/sasae/sasae.db",
	.exit_codes = "0 問題なし, 2 使い方の誤り, 65 問題あり（一つずつ示します）, 66 データベースがない,\n"
		      "            70 データベースを読めない",
};

/* Print one problem. */
static int print_problem(void *ctx, const char *problem)
{
	size_t *n = ctx;
	(*n)++;
	printf("%s\n", problem);
	return 0;
}

int cmd_check(const cli_command *cmd, int argc, char **argv, cli_common *common)
{
	int status;
	if (!cli_parse(&status, cmd, &argc, argv, common, NULL))
		return status;
	if (argc > 1)
		return cli_usage_error(cmd, "余分な引数「%s」があります", argv[1]);
	sasae_store *store;
	if ((status = cli_open_store(&store, common->db, SASAE_STORE_READONLY)) != 0)
		return status;
	sasae_error err = {0};
	size_t printed = 0, n = 0;
	if (sasae_store_check(store, print_problem, &printed, &n, &err) != 0) {
		status = cli_fail(&err);
	} else if (n > 0) {
		fprintf(stderr, "%s: %s に問題が %zu 件あります\n", cli_prog, common->db, n);
		status = sasae_error_exit_status(SASAE_EDATA);
	} else {
		printf("%s: 問題はありません\n", common->db);
	}
	sasae_store_close(store);
	return status;
}
