/* cmd_user.c — `sasae user`: the people who sign in to the workspace, their roles and passwords
   (docs/accounts.md).  Every change is made by the operator at the terminal (SASAE_ACTOR_CLI) and
   audited; passwords are read from the terminal without echo or as one line of standard input,
   never from the command line. */
#include <errno.h>
#include <signal.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "sasae/accounts.h"
#include "sasae/buf.h"
#include "sasae/text.h"
#include "sasae/utf8.h"

/* The options of `sasae user` (besides --format, --db and --help). */
typedef struct user_values {
	const char *name;       /* --name: the display name (add) */
	const char *grant;      /* --grant ROLE (role) */
	const char *revoke;     /* --revoke ROLE (role) */
	const char *department; /* --department (role) */
	bool enable;            /* --enable (disable) */
} user_values;

const cli_option cmd_user_options[] = {
	{.name = "name",
	 .arg = "表示名",
	 .kind = CLI_STRING,
	 .help = "add: 画面に出す名前（例: 「健康福祉局 田中」）",
	 .offset = offsetof(user_values, name)},
	{.name = "grant",
	 .arg = "ROLE",
	 .kind = CLI_STRING,
	 .help = "role: 役割を与える（admin office editor approver council）",
	 .offset = offsetof(user_values, grant)},
	{.name = "revoke",
	 .arg = "ROLE",
	 .kind = CLI_STRING,
	 .help = "role: 役割を外す",
	 .offset = offsetof(user_values, revoke)},
	{.name = "department",
	 .arg = "部署名",
	 .kind = CLI_STRING,
	 .help = "role: editor と approver の部署（部署の表の正式な名前）",
	 .offset = offsetof(user_values, department)},
	{.name = "enable",
	 .kind = CLI_FLAG,
	 .help = "disable: 停止した利用者を使えるように戻す",
	 .offset = offsetof(user_values, enable)},
	{.use = &cli_opt_format, .help = "list: text（既定）または json"},
	{.use = &cli_opt_db},
	{.use = &cli_opt_help},
	CLI_OPTIONS_END,
};

const cli_help cmd_user_help = {
	.usage = "sasae user add LOGIN [--name 表示名] [--db PATH]\n"
		 "        sasae user list [--format text|json] [--db PATH]\n"
		 "        sasae user passwd LOGIN [--db PATH]\n"
		 "        sasae user role LOGIN (--grant|--revoke) ROLE [--department 部署名] [--db PATH]\n"
		 "        sasae user disable LOGIN [--enable] [--db PATH]",
	.description =
		"ワークスペース（/office）にログインする人と、その役割を管理します（docs/accounts.md）。\n"
		"LOGIN は英小文字・数字・「.」「_」「-」の 1〜64 文字です。変更はすべて監査ログに残ります\n"
		"（sasae audit）。\n\n"
		"パスワードは端末で二度たずねます（表示しません）。標準入力が端末でないときは、その一行を\n"
		"パスワードにします。コマンドラインの引数では受け取りません。12〜128 文字、改行などの制御\n"
		"文字とログイン名そのものは使えません。\n\n"
		"役割: admin 管理者、office 計画所管課、editor 担当課 編集者、approver 担当課 承認者、\n"
		"council 審議会。editor と approver には --department で部署を指定します（データベースの\n"
		"departments.tsv、なければ組み込みの部署の表の正式な名前）。\n\n"
		"passwd と disable はその人のログイン中のセッションをすべて終わらせます。",
	.examples = "sasae user add tanaka --name \"健康福祉局 田中\"\n"
		    "sasae user role tanaka --grant editor --department 健康福祉局\n"
		    "printf '%s\\n' \"$PASSWORD\" | sasae user passwd tanaka\n"
		    "sasae user list --format json",
	.exit_codes = "0 成功, 2 使い方の誤り, 65 ログイン名がすでにある, 66 利用者やデータベースがない,\n"
		      "            70 内部エラー, 74 入出力エラー",
};

/* Longest password line read (bytes); the policy allows 128 characters, at most 512 bytes. */
enum { PASSWORD_MAX = 1024 };

/* Read one line from f into buf (size n) without its line break.  Returns 1 when a line was read,
   0 at the end of input, -1 when the line is longer than n - 1. */
static int read_line(FILE *f, char *buf, size_t n)
{
	if (fgets(buf, (int)n, f) == NULL)
		return 0;
	size_t len = strlen(buf);
	if (len == n - 1 && buf[len - 1] != '\n') {
		int c;
		while ((c = fgetc(f)) != EOF && c != '\n')
			;
		return -1;
	}
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (len && buf[len - 1] == '\r')
		buf[--len] = '\0';
	return 1;
}

/* The signals that end the command while the terminal does not echo (Ctrl-C, Ctrl-\\, a closed
   terminal, kill), and the terminal's settings to give back before it ends. */
static const int quiet_signals[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP};
#define N_QUIET_SIGNALS (sizeof quiet_signals / sizeof quiet_signals[0])
static struct termios echoing;

/* Give the terminal its echo back, then take the signal's default action (the command ends).  Only
   async-signal-safe calls.  (Ctrl-Z is left alone: the shell restores the terminal of a stopped job.) */
static void restore_and_raise(int sig)
{
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &echoing);
	(void)!write(STDERR_FILENO, "\n", 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Ask for a password on the terminal (no echo): prompt on stderr, one line of stdin.  A signal that
   arrives meanwhile leaves the terminal as it was (echo on) before it takes effect. */
static int ask(const char *prompt, char *buf, size_t n)
{
	struct termios quiet;
	struct sigaction before[N_QUIET_SIGNALS];
	bool tty = tcgetattr(STDIN_FILENO, &echoing) == 0;
	if (tty) {
		struct sigaction sa = {.sa_handler = restore_and_raise};
		sigemptyset(&sa.sa_mask);
		for (size_t i = 0; i < N_QUIET_SIGNALS; i++)
			sigaddset(&sa.sa_mask, quiet_signals[i]);
		for (size_t i = 0; i < N_QUIET_SIGNALS; i++)
			sigaction(quiet_signals[i], &sa, &before[i]);
		quiet = echoing;
		quiet.c_lflag &= (tcflag_t) ~(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	fputs(prompt, stderr);
	fflush(stderr);
	int r = read_line(stdin, buf, n);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &echoing);
		for (size_t i = 0; i < N_QUIET_SIGNALS; i++)
			sigaction(quiet_signals[i], &before[i], NULL);
		fputc('\n', stderr);
	}
	return r;
}

/*
 * The new password: on a terminal asked twice without echo, else the first line of standard input.
 * buf (PASSWORD_MAX bytes) holds it; the caller wipes it.  Returns 0, or the exit status after
 * printing why there is none.
 */
static int read_password(const cli_command *cmd, const char *login, char *buf)
{
	if (isatty(STDIN_FILENO)) {
		char again[PASSWORD_MAX];
		char prompt[160];
		snprintf(prompt, sizeof prompt, "%s の新しいパスワード: ", login);
		int r = ask(prompt, buf, PASSWORD_MAX);
		int r2 = r == 1 ? ask("もう一度入力してください: ", again, sizeof again) : 0;
		int status = 0;
		if (r < 0 || r2 < 0)
			status = cli_usage_error(cmd, "パスワードが長すぎます（128 文字まで）");
		else if (r == 0 || r2 == 0)
			status = cli_usage_error(cmd, "パスワードが入力されませんでした");
		else if (strcmp(buf, again) != 0)
			status = cli_usage_error(cmd,
						 "二度入力したパスワードが違います。もう一度やり直してください");
		sodium_memzero(again, sizeof again);
		return status;
	}
	int r = read_line(stdin, buf, PASSWORD_MAX);
	if (r < 0)
		return cli_usage_error(cmd, "標準入力の一行目のパスワードが長すぎます（128 文字まで）");
	if (r == 0 || buf[0] == '\0')
		return cli_usage_error(cmd,
				       "パスワードがありません。標準入力の一行目にパスワードを書いてください");
	return 0;
}

/* Whether arg looks like an attempt to give a password as an option ("--password=…", "--pass …"). */
static bool password_option(const char *arg)
{
	if (strncmp(arg, "--", 2) != 0)
		return false;
	const char *name = arg + 2;
	size_t n = strcspn(name, "=");
	return n >= 3 && n <= 8 && strncmp(name, "password", n) == 0;
}

/* The text of `sasae user list`. */
static void list_text(sasae_buf *o, const sasae_user *u, size_t n)
{
	if (n == 0) {
		sasae_buf_puts(o, "利用者はまだいません。「sasae user add LOGIN」で追加してください。\n");
		return;
	}
	sasae_text_pad(o, "ログイン名", 16);
	sasae_buf_puts(o, "  ");
	sasae_text_pad(o, "表示名", 24);
	sasae_buf_puts(o, "  状態  最終ログイン          役割\n");
	for (size_t i = 0; i < n; i++) {
		sasae_text_pad(o, u[i].login, 16);
		sasae_buf_puts(o, "  ");
		sasae_text_pad(o, u[i].display_name, 24);
		sasae_buf_appendf(o, "  %s  %-20s  ", u[i].disabled ? "停止" : "有効",
				  u[i].last_login_at ? u[i].last_login_at : "-");
		for (size_t g = 0; g < u[i].ngrants; g++)
			sasae_buf_appendf(o, "%s%s%s%s", g ? ", " : "", sasae_role_name(u[i].grants[g].role),
					  u[i].grants[g].department ? ":" : "",
					  u[i].grants[g].department ? u[i].grants[g].department : "");
		if (u[i].ngrants == 0)
			sasae_buf_puts(o, "-");
		sasae_buf_putc(o, '\n');
	}
}

/* The JSON of `sasae user list`: an array of users. */
static json_t *list_json(const sasae_user *u, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++) {
		json_t *roles = json_array();
		for (size_t g = 0; roles && g < u[i].ngrants; g++) {
			const sasae_grant *x = &u[i].grants[g];
			if (json_array_append_new(roles, json_pack("{s:s, s:s, s:o}", "role",
								   sasae_role_name(x->role), "label",
								   sasae_role_label(x->role), "department",
								   x->department ? json_string(x->department)
										 : json_null())) != 0) {
				json_decref(roles);
				roles = NULL;
			}
		}
		json_t *o =
			roles ? json_pack("{s:s, s:s, s:b, s:s, s:o, s:o}", "login", u[i].login,
					  "display_name", u[i].display_name, "disabled", u[i].disabled,
					  "created_at", u[i].created_at, "last_login_at",
					  u[i].last_login_at ? json_string(u[i].last_login_at) : json_null(),
					  "roles", roles)
			      : NULL;
		if (o == NULL || json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* `sasae user list`. */
static int user_list(sasae_store *store, const char *format)
{
	sasae_user *u = NULL;
	size_t n = 0;
	sasae_error err = {0};
	if (sasae_user_list(store, &u, &n, &err))
		return cli_fail(&err);
	int status = 0;
	if (strcmp(format, "json") == 0) {
		status = cli_print_json(list_json(u, n));
	} else {
		sasae_buf o = SASAE_BUF_INIT;
		list_text(&o, u, n);
		fputs(sasae_buf_cstr(&o), stdout);
		status = sasae_buf_ok(&o) ? 0 : 70;
		sasae_buf_free(&o);
	}
	sasae_users_free(u, n);
	return status;
}

int cmd_user(const cli_command *cmd, int argc, char **argv, cli_common *common)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (password_option(argv[i]))
			return cli_usage_error(cmd,
					       "パスワードはコマンドラインでは受け取りません（ほかの人やシェルの履歴に"
					       "残るため）。端末で入力するか、標準入力の一行で渡してください");
	}
	user_values v = {NULL, NULL, NULL, NULL, false};
	int status;
	if (!cli_parse(&status, cmd, &argc, argv, common, &v))
		return status;
	const char *sub = argc > 1 ? argv[1] : NULL;
	const char *login = argc > 2 ? argv[2] : NULL;
	bool list = sub && strcmp(sub, "list") == 0;
	if (sub == NULL)
		return cli_usage_error(cmd, "add、list、passwd、role、disable のどれかを指定してください");
	if (!list && strcmp(sub, "add") != 0 && strcmp(sub, "passwd") != 0 && strcmp(sub, "role") != 0 &&
	    strcmp(sub, "disable") != 0)
		return cli_usage_error(cmd,
				       "「%s」はありません。add、list、passwd、role、disable のどれかを指定してください",
				       sasae_utf8_valid(sub, strlen(sub), NULL) && strlen(sub) < 32 ? sub
												    : "?");
	/* an extra operand is not echoed: it may be a password typed on the command line */
	if (argc > (list ? 2 : 3))
		return cli_usage_error(cmd,
				       "余分な引数があります（パスワードはコマンドラインでは受け取りません）");
	if (!list && login == NULL)
		return cli_usage_error(cmd, "%s にはログイン名を指定してください（例: sasae user %s tanaka）",
				       sub, sub);
	bool is_add = strcmp(sub, "add") == 0, is_role = strcmp(sub, "role") == 0,
	     is_disable = strcmp(sub, "disable") == 0;
	if (v.name && !is_add)
		return cli_usage_error(cmd, "--name は add で使います");
	if ((v.grant || v.revoke || v.department) && !is_role)
		return cli_usage_error(cmd, "--grant、--revoke、--department は role で使います");
	if (v.enable && !is_disable)
		return cli_usage_error(cmd, "--enable は disable で使います");
	if (common->format && !list)
		return cli_usage_error(cmd, "--format は list で使います");
	if (is_role && (v.grant != NULL) == (v.revoke != NULL))
		return cli_usage_error(cmd,
				       "role には --grant ROLE か --revoke ROLE のどちらか一つを指定してください");
	sasae_error err = {0};
	sasae_role role = SASAE_ROLE_ADMIN;
	if (is_role && sasae_role_parse(v.grant ? v.grant : v.revoke, &role, &err))
		return cli_usage_error(cmd, "%s", err.message);

	sasae_store *store = NULL;
	if ((status = cli_open_store(&store, common->db, list ? SASAE_STORE_READONLY : SASAE_STORE_CREATE)) != 0)
		return status;
	const sasae_actor who = SASAE_ACTOR_CLI;
	int rc = 0;
	char password[PASSWORD_MAX] = "";
	if (list) {
		status = user_list(store, common->format ? common->format : "text");
	} else if (is_add || strcmp(sub, "passwd") == 0) {
		sasae_user u;
		/* say at once what is wrong with the login, before asking for a password */
		if (is_add && (rc = sasae_login_check(login, &err)) != 0) {
			; /* a malformed login */
		} else if (is_add && (rc = sasae_user_get(store, login, &u, &err)) == 0) {
			sasae_user_clear(&u);
			rc = sasae_error_set(&err, SASAE_ECONFLICT, NULL, 0,
					     "ログイン名「%s」はすでに使われています", login);
		} else if (is_add && rc == SASAE_ENOTFOUND) {
			rc = 0;
		} else if (!is_add) {
			rc = sasae_user_get(store, login, &u, &err);
			if (rc == 0)
				sasae_user_clear(&u);
		}
		if (rc)
			status = cli_fail(&err);
		else if ((status = read_password(cmd, login, password)) != 0)
			; /* read_password said why */
		else if (is_add && sasae_user_add(store, &who, login, v.name, password, &err))
			status = cli_fail(&err);
		else if (!is_add && sasae_user_passwd(store, &who, login, password, &err))
			status = cli_fail(&err);
		else if (is_add)
			printf("利用者 %s を追加しました。役割は「sasae user role %s --grant ROLE」で与えます。\n",
			       login, login);
		else
			printf("利用者 %s のパスワードを変えました（ログイン中のセッションは終わりました）。\n",
			       login);
	} else if (is_role) {
		if (sasae_user_role(store, &who, login, v.grant != NULL, role, v.department, &err))
			status = cli_fail(&err);
		else
			printf("%s: %s %s%s%s\n", login,
			       v.grant ? "役割を与えました:" : "役割を外しました:", sasae_role_name(role),
			       v.department ? " " : "", v.department ? v.department : "");
	} else {
		if (sasae_user_disable(store, &who, login, !v.enable, &err))
			status = cli_fail(&err);
		else
			printf(v.enable ? "利用者 %s を使えるように戻しました。\n"
					: "利用者 %s を停止しました（ログイン中のセッションは終わりました）。\n",
			       login);
	}
	sodium_memzero(password, sizeof password);
	sasae_store_close(store);
	return status;
}
