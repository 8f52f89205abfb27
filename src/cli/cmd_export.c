/* cmd_export.c — `sasae export`: the plan as JSON (data contract), CSV or TSV on stdout. */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "sasae/export.h"

static int run(int argc, char **argv, const char *db);

const cli_command cmd_export = {
	.name = "export",
	.summary = "計画を JSON・CSV・TSV で書き出す",
	.usage = "使い方: sasae export --format json|csv|tsv [--plan SLUG[@版]] [--db PATH] > FILE\n\n"
		 "計画を標準出力に書き出します。\n"
		 "  json  データ契約（docs/data-contract.md）どおりの JSON: 部・施策・掲載と事業\n"
		 "  csv   掲載ごとに1行の CSV（UTF-8、BOM 付き: Excel でそのまま開けます）\n"
		 "  tsv   同じ列の TSV（UTF-8、BOM なし）\n\n"
		 "オプション:\n"
		 "  --format FMT     json, csv, tsv のどれか（必須）\n"
		 "  --plan SLUG[@N]  計画（既定: 最後に取り込んだ計画の最新版）\n"
		 "  --db PATH        データベース（既定: $SASAE_DB、なければ ./sasae.db）\n"
		 "  --help           この説明を表示する\n",
	.run = run,
};

static int run(int argc, char **argv, const char *db)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'}, {"plan", required_argument, NULL, 'p'},
		{"db", required_argument, NULL, 'D'},     {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char *const formats[] = {"json", "csv", "tsv", NULL};
	const char *format = NULL, *spec = NULL;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!cli_check_choice(&cmd_export, "--format", optarg, formats))
				return 2;
			format = optarg;
			break;
		case 'p': spec = optarg; break;
		case 'D': db = optarg; break;
		case 'h': return cli_help(&cmd_export);
		default:
			return cli_usage_error(&cmd_export, "オプション「%s」は使えないか、値がありません", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(&cmd_export, "余分な引数「%s」があります（出力先は「> ファイル」で指定します）", argv[optind]);
	if (format == NULL)
		return cli_usage_error(&cmd_export, "--format json|csv|tsv を指定してください");
	sasae_plan *plan;
	int status = cli_load_plan(&plan, db, spec);
	if (status)
		return status;
	sasae_error err = {0};
	int rc;
	if (strcmp(format, "json") == 0)
		rc = sasae_export_json(plan, cli_write_file, stdout, &err);
	else
		rc = sasae_export_table(plan, strcmp(format, "csv") == 0 ? ',' : '\t', strcmp(format, "csv") == 0,
					cli_write_file, stdout, &err);
	if (rc)
		status = cli_fail(&err);
	sasae_plan_free(plan);
	return status;
}
