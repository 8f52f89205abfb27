/* cmd_reindex.c — `sasae reindex`: rebuild the search index of a plan version. */
#include "cli.h"

const cli_option cmd_reindex_options[] = {
	{.use = &cli_opt_plan},
	{.use = &cli_opt_db},
	{.use = &cli_opt_help},
	CLI_OPTIONS_END,
};

const cli_help cmd_reindex_help = {
	.usage = "sasae reindex [--plan SLUG[@版]] [--db PATH]",
	.description = "計画の版の検索索引を作り直します（一つのトランザクション）。\n"
		       "「sasae import --no-index」で取り込んだ後に使います。",
};

int cmd_reindex(const cli_command *cmd, int argc, char **argv, cli_common *common)
{
	int status;
	if (!cli_parse(&status, cmd, &argc, argv, common, NULL))
		return status;
	if (argc > 1)
		return cli_usage_error(cmd, "余分な引数「%s」があります", argv[1]);
	const char *spec = common->plan;
	sasae_store *store;
	if ((status = cli_open_store(&store, common->db, 0)) != 0)
		return status;
	sasae_error err = {0};
	int64_t version;
	if (sasae_store_resolve(store, spec, &version, &err) || sasae_store_reindex(store, version, &err))
		status = cli_fail(&err);
	sasae_store_close(store);
	return status;
}
