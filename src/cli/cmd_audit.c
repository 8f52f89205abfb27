/* cmd_audit.c — `sasae audit`: the audit log of every change made through the CLI and the web
   workspace, newest first, filtered (docs/accounts.md), as text, CSV (RFC 4180) or JSON. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sasae/accounts.h"
#include "sasae/buf.h"
#include "sasae/escape.h"

/* The options of `sasae audit` (besides --format, --db and --help). */
typedef struct audit_values {
	const char *user, *target, *action, *since, *until;
	int limit;
} audit_values;

static const char *const audit_formats[] = {"text", "csv", "json", NULL};

const cli_option cmd_audit_options[] = {
	{.name = "user",
	 .arg = "LOGIN",
	 .kind = CLI_STRING,
	 .help = "この人の行だけ（端末の操作は \"\"。失敗したログインは入力されたログイン名）",
	 .offset = offsetof(audit_values, user)},
	{.name = "target",
	 .arg = "T",
	 .kind = CLI_STRING,
	 .help = "対象（user:tanaka、program:p0012、plan:sendai-2024-draft …）。plan:SLUG は\n"
		 "その計画のすべての版（plan:SLUG@N）も含む",
	 .offset = offsetof(audit_values, target)},
	{.name = "action",
	 .arg = "A",
	 .kind = CLI_STRING,
	 .help = "操作（user.add など）。「.」で終わると前方一致（user. で利用者の操作すべて）",
	 .offset = offsetof(audit_values, action)},
	{.name = "since",
	 .arg = "DATE",
	 .kind = CLI_STRING,
	 .help = "この日（2026-04-01）か日時（2026-04-01T09:00:00Z、UTC）から",
	 .offset = offsetof(audit_values, since)},
	{.name = "until",
	 .arg = "DATE",
	 .kind = CLI_STRING,
	 .help = "この日（その日の終わりまで）か日時まで",
	 .offset = offsetof(audit_values, until)},
	{.name = "limit",
	 .arg = "N",
	 .kind = CLI_INT,
	 .min = 1,
	 .max = 1000000,
	 .help = "新しいものから N 件（既定: すべて）",
	 .offset = offsetof(audit_values, limit)},
	{.use = &cli_opt_format, .choices = audit_formats, .help = "text（既定）、csv（見出し行つき）、json"},
	{.use = &cli_opt_db},
	{.use = &cli_opt_help},
	CLI_OPTIONS_END,
};

const cli_help cmd_audit_help = {
	.usage = "sasae audit [--user LOGIN] [--target T] [--action A] [--since DATE] [--until DATE]\n"
		 "        [--limit N] [--format text|csv|json] [--db PATH]",
	.description =
		"監査ログ（だれが・いつ・どこから・何を・どう変えたか）を新しい順に表示します。\n"
		"利用者と役割の変更、ログインとその失敗、計画の取り込み、指摘の判断、公開する版、\n"
		"データファイル、事業のタグ、コメントが記録されます（docs/accounts.md に一覧）。パスワード、\n"
		"セッション ID、CSRF トークンは記録しません。日時は UTC です。",
	.examples = "sasae audit --limit 20\n"
		    "sasae audit --user tanaka --since 2026-04-01\n"
		    "sasae audit --action session.login-failed --format csv > failures.csv",
	.exit_codes = "0 成功, 2 使い方の誤り（日付の形など）, 66 データベースがない, 70 内部エラー",
};

static void entries_text(sasae_buf *o, const sasae_audit_entry *e, size_t n)
{
	if (n == 0) {
		sasae_buf_puts(o, "該当する記録はありません。\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		sasae_buf_appendf(o, "%s  %s  %s  %s  %s", e[i].at, e[i].login[0] ? e[i].login : "(端末)",
				  e[i].address, e[i].action, e[i].target);
		if (e[i].before || e[i].after)
			sasae_buf_appendf(o, "  %s → %s", e[i].before ? e[i].before : "-",
					  e[i].after ? e[i].after : "-");
		sasae_buf_putc(o, '\n');
	}
}

int cmd_audit(const cli_command *cmd, int argc, char **argv, cli_common *common)
{
	audit_values v = {0};
	int status;
	if (!cli_parse(&status, cmd, &argc, argv, common, &v))
		return status;
	if (argc > 1)
		return cli_usage_error(cmd, "余分な引数「%s」があります", argv[1]);
	const char *format = common->format ? common->format : "text";
	sasae_audit_filter f = {
		.login = v.user,
		.target = v.target,
		.action = v.action,
		.since = v.since,
		.until = v.until,
		.limit = v.limit,
	};
	sasae_store *store;
	if ((status = cli_open_store(&store, common->db, SASAE_STORE_READONLY)) != 0)
		return status;
	sasae_audit_entry *e = NULL;
	size_t n = 0, total = 0;
	sasae_error err = {0};
	int rc = sasae_audit_list(store, &f, &e, &n, &total, &err);
	sasae_store_close(store);
	if (rc == SASAE_EUSAGE)
		return cli_usage_error(cmd, "%s", err.message);
	if (rc)
		return cli_fail(&err);
	if (strcmp(format, "json") == 0) {
		status = cli_print_json(sasae_audit_json(e, n));
	} else {
		sasae_buf o = SASAE_BUF_INIT;
		if (strcmp(format, "csv") == 0)
			sasae_audit_csv(&o, e, n, false);
		else
			entries_text(&o, e, n);
		fwrite(o.data ? o.data : "", 1, o.len, stdout);
		status = sasae_buf_ok(&o) ? 0 : 70;
		sasae_buf_free(&o);
		if (status == 0 && strcmp(format, "text") == 0 && total > n)
			fprintf(stderr, "（該当 %zu 件のうち新しい %zu 件を表示しました）\n", total, n);
	}
	sasae_audit_free(e, n);
	return status;
}
