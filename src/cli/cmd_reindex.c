/* cmd_reindex.c — `sasae reindex`: rebuild the search index of a plan version. */
#include <getopt.h>

#include "cli.h"

static int run(int argc, char **argv, const char *db);

const cli_command cmd_reindex = {
	.name = "reindex",
	.summary = "検索の索引を作り直す（--no-index で取り込んだ後など）",
	.usage = "使い方: sasae reindex [--plan SLUG[@版]] [--db PATH]\n\n"
		 "計画の版の検索索引を作り直します（一つのトランザクション）。\n"
		 "「sasae import --no-index」で取り込んだ後に使います。\n\n"
		 "オプション:\n"
		 "  --plan SLUG[@N]  計画（既定: 最後に取り込んだ計画の最新版）\n"
		 "  --db PATH        データベース（既定: $SASAE_DB、なければ ./sasae.db）\n"
		 "  --help           この説明を表示する\n",
	.run = run,
};

static int run(int argc, char **argv, const char *db)
{
	static const struct option longopts[] = {
		{"plan", required_argument, NULL, 'p'},
		{"db", required_argument, NULL, 'D'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *spec = NULL;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'p')
			spec = optarg;
		else if (c == 'D')
			db = optarg;
		else if (c == 'h')
			return cli_help(&cmd_reindex);
		else
			return cli_usage_error(&cmd_reindex, "オプション「%s」は使えないか、値がありません", argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error(&cmd_reindex, "余分な引数「%s」があります", argv[optind]);
	sasae_store *store;
	int status = cli_open_store(&store, db, 0);
	if (status)
		return status;
	sasae_error err = {0};
	int64_t version;
	if (sasae_store_resolve(store, spec, &version, &err) || sasae_store_reindex(store, version, &err))
		status = cli_fail(&err);
	sasae_store_close(store);
	return status;
}
