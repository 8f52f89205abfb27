/* cmd_serve.c — `sasae serve`: the web application and JSON API. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sasae/web.h"

/* The options of `sasae serve` (besides --plan and --db). */
typedef struct serve_values {
	sasae_serve_options opt;  /* --bind, --port, --threads, --max-connections, --log-queries, --quiet */
	const char *public_url;   /* --public-url URL, or NULL */
	const char *metrics_from; /* --metrics-from ADDR, or NULL */
	int session_idle;         /* --session-idle SECONDS (0: the default) */
	int session_max;          /* --session-max SECONDS (0: the default) */
} serve_values;

const cli_option cmd_serve_options[] = {
	{.name = "bind",
	 .arg = "ADDR",
	 .kind = CLI_STRING,
	 .help = "待ち受けるアドレス（既定 127.0.0.1。すべてなら 0.0.0.0）",
	 .offset = offsetof(serve_values, opt.bind)},
	{.name = "port",
	 .arg = "N",
	 .kind = CLI_INT,
	 .min = 1,
	 .max = 65535,
	 .help = "ポート（既定 8080）",
	 .offset = offsetof(serve_values, opt.port)},
	{.name = "threads",
	 .arg = "N",
	 .kind = CLI_INT,
	 .min = 1,
	 .help = "処理スレッドの数（既定: CPU の数）",
	 .offset = offsetof(serve_values, opt.threads)},
	{.name = "max-connections",
	 .arg = "N",
	 .kind = CLI_INT,
	 .min = 1,
	 .help = "同時接続の上限（既定 256）。超えた接続はすぐ閉じる",
	 .offset = offsetof(serve_values, opt.max_connections)},
	{.name = "per-ip-connections",
	 .arg = "N",
	 .kind = CLI_INT,
	 .min = 1,
	 .max = 100000,
	 .help = "一つのアドレスからの同時接続の上限（既定: 上限なし。リバースプロキシの\n"
		 "後ろでは、すべての接続がプロキシのアドレスから来ることに注意）",
	 .offset = offsetof(serve_values, opt.per_ip_connections)},
	{.name = "connection-timeout",
	 .arg = "SECONDS",
	 .kind = CLI_INT,
	 .min = 1,
	 .max = 3600,
	 .help = "何も送ってこない接続を閉じるまでの秒数（既定 30）",
	 .offset = offsetof(serve_values, opt.connection_timeout)},
	{.name = "log-queries",
	 .kind = CLI_FLAG,
	 .help = "アクセス記録に URL のパラメータも書く（住民の状況が残りうるので注意。\n"
		 "/finder と /api/v1/finder のパラメータは書かない）",
	 .offset = offsetof(serve_values, opt.log_queries)},
	{.name = "public-url",
	 .arg = "URL",
	 .kind = CLI_STRING,
	 .help = "利用者から見たサイトのアドレス（例: https://sasae.example.jp）。\n"
		 "印刷用ページの QR コードに使う。なければ要求の Host ヘッダーから作る。\n"
		 "https:// なら、ログインのクッキーに Secure を付ける（TLS を終える\n"
		 "リバースプロキシの後ろでは必ず指定する）",
	 .offset = offsetof(serve_values, public_url)},
	{.name = "metrics-from",
	 .arg = "ADDR",
	 .kind = CLI_STRING,
	 .help = "/metrics を読んでよい監視サーバーのアドレス（例: 192.0.2.10）。\n"
		 "既定では同じ計算機（127.0.0.1、::1）からだけ読める。ほかからは 404",
	 .offset = offsetof(serve_values, metrics_from)},
	{.name = "session-idle",
	 .arg = "SECONDS",
	 .kind = CLI_INT,
	 .min = 1,
	 .max = 7 * 86400,
	 .help = "作業画面のログインが、使わないまま切れるまでの秒数（既定 1800）",
	 .offset = offsetof(serve_values, session_idle)},
	{.name = "session-max",
	 .arg = "SECONDS",
	 .kind = CLI_INT,
	 .min = 1,
	 .max = 30 * 86400,
	 .help = "作業画面のログインが、使っていても切れるまでの秒数（既定 43200）",
	 .offset = offsetof(serve_values, session_max)},
	{.name = "quiet",
	 .kind = CLI_FLAG,
	 .help = "アクセス記録を書かない",
	 .offset = offsetof(serve_values, opt.quiet)},
	{.use = &cli_opt_plan, .help = "公開する計画（既定: 最後に取り込んだ計画の最新版）"},
	{.use = &cli_opt_db},
	{.use = &cli_opt_help},
	CLI_OPTIONS_END,
};

const cli_help cmd_serve_help = {
	.usage = "sasae serve [--bind ADDR] [--port N] [--threads N] [--public-url URL] [--session-idle SECONDS]\n"
		 "            [--session-max SECONDS] [--metrics-from ADDR] [--max-connections N]\n"
		 "            [--per-ip-connections N] [--connection-timeout SECONDS] [--plan SLUG[@版]] [--db PATH]",
	.description =
		"計画の事業一覧をウェブで公開します（日本語の画面、検索、JSON API /api/v1/）。\n"
		"Ctrl-C（SIGINT）か SIGTERM で、処理中の要求を終えてから止まります。\n"
		"アクセス記録（標準エラー）には、検索語などの URL のパラメータを書きません（--log-queries で書く）。\n"
		"「支援をさがす」（/finder）のパラメータは、--log-queries でも書きません。\n"
		"作業画面（/office、/login）は sasae user で作った人が使います（docs/office.md）。\n"
		"SIGHUP で、公開する版とデータファイルをデータベースから読み込み直します。\n"
		"監視には /healthz（200 ok か 503）と /metrics（Prometheus の形式。docs/operations.md）。",
};

static void log_line(const char *line) { fprintf(stderr, "%s\n", line); }

static void ready(const char *url)
{
	printf("sasae: %s で公開しています（止めるには Ctrl-C）\n", url);
	fflush(stdout);
}

int cmd_serve(const cli_command *cmd, int argc, char **argv, cli_common *common)
{
	serve_values v = {{"127.0.0.1", 8080, 0, 256, false, false, 0, 0}, NULL, NULL, 0, 0};
	int parsed;
	if (!cli_parse(&parsed, cmd, &argc, argv, common, &v))
		return parsed;
	if (argc > 1)
		return cli_usage_error(cmd, "余分な引数「%s」があります", argv[1]);
	sasae_serve_options opt = v.opt;
	const char *db = common->db, *spec = common->plan, *public_url = v.public_url;
	sasae_error err = {0};
	sasae_web *w;
	if (sasae_web_new(&w, db, spec, &err))
		return cli_fail(&err);
	sasae_login_policy policy = sasae_login_policy_default();
	if (v.session_idle)
		policy.idle_seconds = v.session_idle;
	if (v.session_max)
		policy.absolute_seconds = v.session_max;
	sasae_web_set_login_policy(w, &policy);
	int status = 0;
	if ((public_url && sasae_web_set_public_url(w, public_url, &err)) ||
	    (v.metrics_from && sasae_web_set_metrics_from(w, v.metrics_from, &err)))
		status = cli_usage_error(cmd, "%s", err.message);
	else if (sasae_web_serve(w, &opt, log_line, ready, &err))
		status = err.code == SASAE_EUSAGE ? cli_usage_error(cmd, "%s", err.message) : cli_fail(&err);
	sasae_web_free(w);
	return status;
}
