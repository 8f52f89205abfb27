/* cmd_serve.c — `sasae serve`: the web application and JSON API. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sasae/web.h"

static int run(int argc, char **argv, const char *db);

const cli_command cmd_serve = {
	.name = "serve",
	.summary = "ウェブサイトと JSON API を提供する（sasae serve）",
	.usage = "使い方: sasae serve [--bind ADDR] [--port N] [--threads N] [--public-url URL] [--plan SLUG[@版]] [--db PATH]\n\n"
		 "計画の事業一覧をウェブで公開します（日本語の画面、検索、JSON API /api/v1/）。\n"
		 "Ctrl-C（SIGINT）か SIGTERM で、処理中の要求を終えてから止まります。\n"
		 "アクセス記録（標準エラー）には、検索語などの URL のパラメータを書きません（--log-queries で書く）。\n"
		 "「支援をさがす」（/finder）のパラメータは、--log-queries でも書きません。\n\n"
		 "オプション:\n"
		 "  --bind ADDR        待ち受けるアドレス（既定 127.0.0.1。すべてなら 0.0.0.0）\n"
		 "  --port N           ポート（既定 8080）\n"
		 "  --threads N        処理スレッドの数（既定: CPU の数）\n"
		 "  --max-connections N  同時接続の上限（既定 256）\n"
		 "  --log-queries      アクセス記録に URL のパラメータも書く（住民の状況が残りうるので注意。\n"
		 "                     /finder と /api/v1/finder のパラメータは書かない）\n"
		 "  --public-url URL   利用者から見たサイトのアドレス（例: https://sasae.example.jp）。\n"
		 "                     印刷用ページの QR コードに使う。なければ要求の Host ヘッダーから作る\n"
		 "  --quiet            アクセス記録を書かない\n"
		 "  --plan SLUG[@N]    公開する計画（既定: 最後に取り込んだ計画の最新版）\n"
		 "  --db PATH          データベース（既定: $SASAE_DB、なければ ./sasae.db）\n"
		 "  --help             この説明を表示する\n",
	.run = run,
};

static void log_line(const char *line)
{
	fprintf(stderr, "%s\n", line);
}

static void ready(const char *url)
{
	printf("sasae: %s で公開しています（止めるには Ctrl-C）\n", url);
	fflush(stdout);
}

static int run(int argc, char **argv, const char *db)
{
	static const struct option longopts[] = {
		{"bind", required_argument, NULL, 'b'},  {"port", required_argument, NULL, 'p'},
		{"threads", required_argument, NULL, 't'}, {"max-connections", required_argument, NULL, 'm'},
		{"log-queries", no_argument, NULL, 'L'},  {"quiet", no_argument, NULL, 'q'},
		{"plan", required_argument, NULL, 'P'},   {"db", required_argument, NULL, 'D'},
		{"public-url", required_argument, NULL, 'U'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	sasae_serve_options opt = {"127.0.0.1", 8080, 0, 256, false, false};
	const char *spec = NULL, *public_url = NULL;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'b': opt.bind = optarg; break;
		case 'p':
			if (!cli_parse_int(&cmd_serve, "--port", optarg, &opt.port))
				return 2;
			if (opt.port > 65535)
				return cli_usage_error(&cmd_serve, "--port は 1 から 65535 までです");
			break;
		case 't':
			if (!cli_parse_int(&cmd_serve, "--threads", optarg, &opt.threads))
				return 2;
			break;
		case 'm':
			if (!cli_parse_int(&cmd_serve, "--max-connections", optarg, &opt.max_connections))
				return 2;
			break;
		case 'L': opt.log_queries = true; break;
		case 'q': opt.quiet = true; break;
		case 'P': spec = optarg; break;
		case 'U': public_url = optarg; break;
		case 'D': db = optarg; break;
		case 'h': return cli_help(&cmd_serve);
		default:
			return cli_usage_error(&cmd_serve, "オプション「%s」は使えないか、値がありません", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(&cmd_serve, "余分な引数「%s」があります", argv[optind]);
	sasae_error err = {0};
	sasae_web *w;
	if (sasae_web_new(&w, db, spec, &err))
		return cli_fail(&err);
	int status = 0;
	if (public_url && sasae_web_set_public_url(w, public_url, &err))
		status = cli_usage_error(&cmd_serve, "%s", err.message);
	else if (sasae_web_serve(w, &opt, log_line, ready, &err))
		status = err.code == SASAE_EUSAGE ? cli_usage_error(&cmd_serve, "%s", err.message) : cli_fail(&err);
	sasae_web_free(w);
	return status;
}
