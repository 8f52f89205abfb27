/* cmd_search.c — `sasae search`: Japanese full-text search over a plan (docs/search.md). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sasae/buf.h"
#include "sasae/search.h"

/* The options of `sasae search` (besides --format, --plan and --db). */
typedef struct search_values {
	int limit;  /* --limit N: how many results */
	int offset; /* --offset N: from which result */
} search_values;

const cli_option cmd_search_options[] = {
	{.name = "limit",
	 .arg = "N",
	 .kind = CLI_INT,
	 .min = 1,
	 .max = 1000,
	 .help = "表示する件数（既定 20、最大 1000）",
	 .offset = offsetof(search_values, limit)},
	{.name = "offset",
	 .arg = "N",
	 .kind = CLI_INT,
	 .min = 0,
	 .help = "何件目から表示するか（既定 0）",
	 .offset = offsetof(search_values, offset)},
	{.use = &cli_opt_format},
	{.use = &cli_opt_plan},
	{.use = &cli_opt_db},
	{.use = &cli_opt_help},
	CLI_OPTIONS_END,
};

const cli_help cmd_search_help = {
	.usage = "sasae search QUERY [--limit N] [--offset N] [--format text|json] [--plan SLUG[@版]] [--db PATH]",
	.description = "事業名・概要・担当局等・施策の題名から探し、事業ごとに一件として、よく合う順に表示します。\n"
		       "全角・半角、ひらがな・カタカナ、表記ゆれ（子ども/子供/こども、障害/障がい など）は区別しません。\n\n"
		       "検索語の書き方:\n"
		       "  介護 高齢者          空白で区切ると、すべてを含むもの（AND）\n"
		       "  ホームレス OR 路上生活  どちらかを含むもの\n"
		       "  成年後見 -セミナー    「-」を付けた語を含まないもの\n"
		       "  \"地域包括支援センター\" 引用符で囲むと一つの語句\n"
		       "  部署:教育局 不登校     担当局等で絞り込む（dept: も可）\n"
		       "  part:6 section:3 相談  部・施策の番号で絞り込む\n"
		       "  食                    一文字でも、その文字を含むものを探します",
	.exit_codes = "0 検索した（0件を含む）, 2 検索語や引数の誤り, 66 データベースや計画がない",
};

/* Write text with the spans wrapped in 【】 markers (text output) — spans in code points. */
static void put_marked(sasae_buf *b, const char *text, const sasae_span *m, size_t n, bool tty)
{
	size_t cp = 0, k = 0;
	const char *open = tty ? "\033[1;4m" : "[", *close = tty ? "\033[0m" : "]";
	for (const char *p = text; *p; p++) {
		bool lead = ((unsigned char)*p & 0xC0) != 0x80;
		if (lead) {
			if (k < n && cp == m[k].start + m[k].length && m[k].length) {
				sasae_buf_puts(b, close);
				k++;
			}
			if (k < n && cp == m[k].start)
				sasae_buf_puts(b, open);
			cp++;
		}
		sasae_buf_putc(b, *p);
	}
	if (k < n && cp == m[k].start + m[k].length)
		sasae_buf_puts(b, close);
}

static int run_parsed(const cli_command *cmd, int argc, char **argv, cli_common *common, char **excl, int nexcl);

int cmd_search(const cli_command *cmd, int argc, char **argv, cli_common *common)
{
	/* "-term" (exclusion) is part of the query, not an option: keep such words aside, in order. */
	char **terms = calloc((size_t)argc + 1, sizeof *terms);
	char **opts = calloc((size_t)argc + 1, sizeof *opts);
	int nterms = 0, nopts = 0;
	if (terms == NULL || opts == NULL) {
		free(terms);
		free(opts);
		return 70;
	}
	for (int i = 0; i < argc; i++) {
		bool exclusion = i > 0 && argv[i][0] == '-' && argv[i][1] != '-' && argv[i][1] != '\0' &&
				 !(argv[i][1] >= 'a' && argv[i][1] <= 'z') && !(argv[i][1] >= 'A' && argv[i][1] <= 'Z');
		if (exclusion)
			terms[nterms++] = argv[i];
		else
			opts[nopts++] = argv[i];
	}
	int status = run_parsed(cmd, nopts, opts, common, terms, nterms);
	free(terms);
	free(opts);
	return status;
}

/* The search, once the exclusions (excl[0..nexcl)) are set aside from the options and words. */
static int run_parsed(const cli_command *cmd, int argc, char **argv, cli_common *common, char **excl, int nexcl)
{
	search_values v = {20, 0};
	int status;
	if (!cli_parse(&status, cmd, &argc, argv, common, &v))
		return status;
	const char *db = common->db, *spec = common->plan;
	const char *format = common->format ? common->format : "text";
	int limit = v.limit, offset = v.offset;
	if (argc < 2 && nexcl == 0)
		return cli_usage_error(cmd, "検索語を指定してください（例: sasae search 認知症）");
	/* Several arguments are one query (the shell split it at spaces). */
	sasae_buf query = SASAE_BUF_INIT;
	for (int i = 1; i < argc; i++) {
		if (query.len)
			sasae_buf_putc(&query, ' ');
		sasae_buf_puts(&query, argv[i]);
	}
	for (int i = 0; i < nexcl; i++) {
		if (query.len)
			sasae_buf_putc(&query, ' ');
		sasae_buf_puts(&query, excl[i]);
	}
	sasae_store *store;
	status = cli_open_store(&store, db, SASAE_STORE_READONLY);
	if (status) {
		sasae_buf_free(&query);
		return status;
	}
	sasae_error err = {0};
	int64_t version;
	sasae_search_results *r = NULL;
	if (sasae_store_resolve(store, spec, &version, &err) ||
	    sasae_search(&r, store, version, sasae_buf_cstr(&query), limit, offset, &err)) {
		if (err.code == SASAE_EUSAGE)
			status = cli_usage_error(cmd, "%s", err.message);
		else
			status = cli_fail(&err);
		goto done;
	}
	if (strcmp(format, "json") == 0) {
		status = cli_print_json(sasae_search_results_json(r));
		goto done;
	}
	bool tty = isatty(STDOUT_FILENO) != 0;
	sasae_buf out = SASAE_BUF_INIT;
	if (r->total == 0) {
		sasae_buf_appendf(&out, "「%s」に合う事業はありません。\n", r->query);
		for (size_t i = 0; i < r->nsuggestions; i++)
			sasae_buf_appendf(&out, "%s %s\n", i ? "      " : "もしかして:", r->suggestions[i]);
	} else {
		sasae_buf_appendf(&out, "「%s」: %zu 件（%d〜%zu 件目）\n", r->query, r->total, offset + 1,
				  (size_t)offset + r->nresults);
	}
	for (size_t i = 0; i < r->nresults; i++) {
		const sasae_result *x = &r->results[i];
		sasae_buf_appendf(&out, "\n%s  ", x->hit.program);
		put_marked(&out, x->hit.name, x->name_marks, x->nname_marks, tty);
		sasae_buf_appendf(&out, "\n    %s\n    ", x->hit.departments);
		put_marked(&out, x->snippet, x->marks, x->nmarks, tty);
		sasae_buf_puts(&out, "\n    掲載:");
		for (size_t j = 0; j < x->hit.nplaces; j++)
			sasae_buf_appendf(&out, " 第%d部(%d)No.%ld%s", x->hit.places[j].part, x->hit.places[j].section,
					  x->hit.places[j].number, x->hit.places[j].relisted ? "【再掲】" : "");
		sasae_buf_putc(&out, '\n');
	}
	fputs(sasae_buf_cstr(&out), stdout);
	sasae_buf_free(&out);
done:
	sasae_search_results_free(r);
	sasae_store_close(store);
	sasae_buf_free(&query);
	return status;
}
