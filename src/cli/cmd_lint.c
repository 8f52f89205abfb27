/* cmd_lint.c — `sasae lint`: the consistency check of a plan list (docs/lint.md), as text grouped by
   kind for people or as JSON for tools; exit status 1 when there are findings. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sasae/buf.h"
#include "sasae/lint.h"

/* The options of `sasae lint` (besides --plan, --format and --db). */
typedef struct lint_values {
	const char *accept; /* --accept FILE, or NULL */
} lint_values;

const cli_option cmd_lint_options[] = {
	{.use = &cli_opt_plan},
	{.use = &cli_opt_format},
	{.name = "accept",
	 .arg = "FILE",
	 .kind = CLI_STRING,
	 .help = "受け入れリスト: 承知のうえで残す指摘を「種類<TAB>部-施策-位置[<TAB>コメント]」\n"
		 "の行で書いたファイル。当たる指摘は表示せず、件数だけ示します",
	 .offset = offsetof(lint_values, accept)},
	{.use = &cli_opt_db},
	{.use = &cli_opt_help},
	CLI_OPTIONS_END,
};

const cli_help cmd_lint_help = {
	.usage = "sasae lint [--plan SLUG[@版]] [--format text|json] [--accept FILE] [--db PATH]",
	.description = "取り込んだ事業一覧を点検し、食い違いを種類ごとに表示します（docs/lint.md）:\n"
		       "  relist-drift            【再掲】の事業概要・担当局等が原本と違う（差分を表示）\n"
		       "  relist-orphan           【再掲】なのに原本がない（名前の最も近い事業と類似度を表示）\n"
		       "  relist-before-original  【再掲】が原本より前にある\n"
		       "  duplicate-unmarked      同じ事業が【再掲】の印なしで二度以上載っている\n"
		       "  shared-summary          別の事業と事業概要が一字一句同じ\n"
		       "  numbering               番号の飛び・戻り、同じ見出し番号が部に二つ\n"
		       "  department-variant      同じ部署の書き方が違う（社会福祉協議会／市社会福祉協議会）\n"
		       "  department-joined       二つの部署が空白なしで続いている\n"
		       "  unknown-department      部署の表にない担当局等\n"
		       "  empty-cell, empty-section, doubled-char, orphan-note",
	.examples = "sasae lint\n"
		    "sasae lint --format json > lint.json\n"
		    "sasae lint --accept data/lint-accepted.tsv",
	.exit_codes = "0 指摘なし, 1 指摘あり, 2 使い方の誤り, 65 受け入れリストの誤り,\n"
		      "            66 計画・ファイルがない, 70 内部エラー",
};

/* Read a whole file; prints the error and returns the exit status, 0 on success. */
static int read_file(const char *path, sasae_buf *out)
{
	sasae_error err = {0};
	return cli_read_file(path, out, &err) ? cli_fail(&err) : 0;
}

/* "第2部 (1) No.8  88行" */
static void put_place(sasae_buf *b, const sasae_lint_place *p)
{
	if (p->position == 0)
		sasae_buf_appendf(b, "第%d部 (%d) 見出し  %ld行  %s", p->part, p->section, p->source_line,
				  p->name ? p->name : "");
	else
		sasae_buf_appendf(b, "第%d部 (%d) No.%ld  %ld行  %s", p->part, p->section, p->number,
				  p->source_line, p->name ? p->name : "");
}

/* The findings for people: a heading per kind, then each finding with its place, message and diff. */
static void render_text(sasae_buf *b, const sasae_plan *plan, const sasae_lint_findings *f,
			const char *accept_file)
{
	size_t nkinds;
	const char *const *kinds = sasae_lint_kinds(&nkinds);
	size_t open = sasae_lint_open_count(f);
	sasae_buf_appendf(b, "点検: %s 第%d版（%s）\n", plan->slug ? plan->slug : "", plan->version,
			  plan->source ? plan->source : "");
	for (size_t k = 0; k < nkinds; k++) {
		size_t count = 0;
		for (size_t i = 0; i < f->n; i++)
			count += !f->items[i].accepted && strcmp(f->items[i].kind, kinds[k]) == 0;
		if (count == 0)
			continue;
		sasae_buf_appendf(b, "\n■ %s [%s]  %zu 件\n", sasae_lint_kind_title(kinds[k]), kinds[k], count);
		for (size_t i = 0; i < f->n; i++) {
			const sasae_lint_finding *x = &f->items[i];
			if (x->accepted || strcmp(x->kind, kinds[k]) != 0)
				continue;
			sasae_buf_puts(b, "\n  ");
			put_place(b, &x->at);
			sasae_buf_appendf(b, "\n    %s\n", x->message ? x->message : "");
			if (x->diff && *x->diff)
				sasae_buf_appendf(b, "    差分: %s\n", x->diff);
		}
	}
	sasae_buf_puts(b, "\n");
	if (open == 0)
		sasae_buf_puts(b, "指摘はありません");
	else
		sasae_buf_appendf(b, "指摘 %zu 件", open);
	if (f->accepted)
		sasae_buf_appendf(b, "（ほかに受け入れリスト %s で受け入れ済み %zu 件）",
				  accept_file ? accept_file : "", f->accepted);
	sasae_buf_puts(b, "\n");
	if (open) {
		bool first = true;
		for (size_t k = 0; k < nkinds; k++) {
			size_t count = 0;
			for (size_t i = 0; i < f->n; i++)
				count += !f->items[i].accepted && strcmp(f->items[i].kind, kinds[k]) == 0;
			if (count) {
				sasae_buf_appendf(b, "%s%s %zu", first ? "  " : ", ", kinds[k], count);
				first = false;
			}
		}
		sasae_buf_puts(b, "\n");
	}
}

int cmd_lint(const cli_command *cmd, int argc, char **argv, cli_common *common)
{
	lint_values v = {NULL};
	int status;
	if (!cli_parse(&status, cmd, &argc, argv, common, &v))
		return status;
	const char *db = common->db, *spec = common->plan, *accept_path = v.accept;
	const char *format = common->format ? common->format : "text";
	if (argc > 1)
		return cli_usage_error(cmd, "余分な引数「%s」があります", argv[1]);
	sasae_error err = {0};
	sasae_lint_accept *accept = NULL;
	sasae_lint_findings *findings = NULL;
	sasae_plan *plan = NULL;
	/* The accept list first: a mistake in it is reported before any work. */
	if (accept_path) {
		sasae_buf bytes = SASAE_BUF_INIT;
		if ((status = read_file(accept_path, &bytes)) != 0) {
			sasae_buf_free(&bytes);
			return status;
		}
		int rc = sasae_lint_accept_parse(&accept, accept_path, bytes.data ? bytes.data : "",
						 bytes.len, &err);
		sasae_buf_free(&bytes);
		if (rc)
			return cli_fail(&err);
	}
	if ((status = cli_load_plan(&plan, db, spec)) != 0)
		goto done;
	if (sasae_lint(plan, &findings, &err) != 0) {
		status = cli_fail(&err);
		goto done;
	}
	sasae_lint_accept_apply(findings, accept);
	for (size_t i = 0; accept && i < accept->n; i++)
		if (accept->entries[i].used == 0)
			fprintf(stderr,
				"%s: %s:%ld: 注意: 受け入れリストのこの行（%s %d-%d-%d）に当たる指摘はありません。直したのなら行を消してください\n",
				cli_prog, accept->file, accept->entries[i].line, accept->entries[i].kind,
				accept->entries[i].part, accept->entries[i].section,
				accept->entries[i].position);
	if (strcmp(format, "json") == 0) {
		json_t *j = sasae_lint_json(plan, findings);
		if (j == NULL) {
			sasae_error_set(&err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			status = cli_fail(&err);
			goto done;
		}
		int rc = json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(j);
		putchar('\n');
		if (rc) {
			status = 74;
			goto done;
		}
	} else {
		sasae_buf out = SASAE_BUF_INIT;
		render_text(&out, plan, findings, accept_path);
		if (!sasae_buf_ok(&out)) {
			sasae_buf_free(&out);
			sasae_error_set(&err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			status = cli_fail(&err);
			goto done;
		}
		fwrite(out.data, 1, out.len, stdout);
		sasae_buf_free(&out);
	}
	status = sasae_lint_open_count(findings) > 0 ? 1 : 0;
done:
	sasae_lint_findings_free(findings);
	sasae_lint_accept_free(accept);
	sasae_plan_free(plan);
	return status;
}
