/* cmd_progress.c — `sasae progress`: the yearly progress cycle (docs/progress.md) from the terminal:
   open a fiscal year, see where it stands, list who has not submitted (for a cron mail), give each
   department its sheet as CSV and take it back, and print the roll-up.  The operator at the terminal
   acts as the plan office (SASAE_ACTOR_CLI); every change is audited by the core. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "sasae/buf.h"
#include "sasae/progress.h"
#include "sasae/text.h"
#include "sasae/utf8.h"

typedef struct progress_values {
	int year;               /* --year */
	const char *deadline;   /* --deadline (open) */
	const char *config;     /* --config FILE (open) */
	const char *department; /* --department (export, pending) */
	const char *output;     /* --output FILE (export) */
	const char *program;    /* --program ID (submit … publish) */
	const char *comment;    /* --comment TEXT (submit … publish; required by return) */
} progress_values;

static const char *const progress_formats[] = {"text", "json", "csv", NULL};

const cli_option cmd_progress_options[] = {
	{.name = "year",
	 .arg = "年度",
	 .kind = CLI_INT,
	 .min = 2000,
	 .max = 2100,
	 .help = "対象の年度（西暦、例: 2025）",
	 .offset = offsetof(progress_values, year)},
	{.name = "deadline",
	 .arg = "YYYY-MM-DD",
	 .kind = CLI_STRING,
	 .help = "open: 提出期限（この日まで。日本時間の日付）",
	 .offset = offsetof(progress_values, deadline)},
	{.name = "config",
	 .arg = "FILE",
	 .kind = CLI_STRING,
	 .help = "open: シートの項目と評価の段階（JSON、docs/progress.md）。既定は組み込みの設定",
	 .offset = offsetof(progress_values, config)},
	{.name = "department",
	 .arg = "部署名",
	 .kind = CLI_STRING,
	 .help = "export: その担当課のシートだけ／pending: その担当課だけ",
	 .offset = offsetof(progress_values, department)},
	{.name = "output",
	 .arg = "FILE",
	 .kind = CLI_STRING,
	 .help = "export: 書き出すファイル（既定: 標準出力）",
	 .offset = offsetof(progress_values, output)},
	{.name = "program",
	 .arg = "事業ID",
	 .kind = CLI_STRING,
	 .help = "submit〜publish: 対象の事業（例: p0012）",
	 .offset = offsetof(progress_values, program)},
	{.name = "comment",
	 .arg = "文",
	 .kind = CLI_STRING,
	 .help = "submit〜publish: コメント（return では必須）",
	 .offset = offsetof(progress_values, comment)},
	{.use = &cli_opt_plan, .help = "open: 評価する計画の版（既定: 最新の計画）"},
	{.use = &cli_opt_format,
	 .choices = progress_formats,
	 .help = "status/pending/report: text（既定）か json、export: csv"},
	{.use = &cli_opt_db},
	{.use = &cli_opt_help},
	CLI_OPTIONS_END,
};

const cli_help cmd_progress_help = {
	.usage = "sasae progress open --year 年度 --deadline YYYY-MM-DD [--plan SLUG[@版]] [--config FILE]\n"
		 "        sasae progress status [--year 年度] [--format text|json]\n"
		 "        sasae progress pending [--year 年度] [--department 部署名] [--format text|json]\n"
		 "        sasae progress export --year 年度 [--department 部署名] [--format csv] [--output FILE]\n"
		 "        sasae progress import FILE\n"
		 "        sasae progress report [--year 年度] [--format text|json]\n"
		 "        sasae progress submit|return|approve|accept|confirm|publish --year 年度\n"
		 "                       --program 事業ID [--comment 文]",
	.description =
		"事業の進捗管理（年度ごとの評価シート）を扱います（docs/progress.md）。\n\n"
		"open      年度を始めます。計画の版の事業ごとに下書きのシートを作り、前年度のシートの\n"
		"          改善策を「前年度の改善策」に引き継ぎます。\n"
		"status    担当課ごと・状態ごとのシートの数。\n"
		"pending   まだ提出していないシートを担当課ごとに、提出期限までの日数と一緒に表示します\n"
		"          （cron でメールにするため。未提出がなければ何も表示しません）。\n"
		"export    担当課に渡すシートを CSV（UTF-8、BOM つき）で書き出します。\n"
		"          指標は一行に一つ、同じ事業の 2 行目からは指標の列だけを書きます。\n"
		"import    記入した CSV を取り込みます。一つのトランザクションで、直すところが一つでも\n"
		"          あれば何も書き込まず、すべてを「ファイル:行:列: 内容」で表示します。\n"
		"          同じファイルをもう一度取り込んでも何も変わりません。\n"
		"report    部・施策・担当課ごとの自己評価の分布と指標の達成状況（集計）。\n"
		"submit    シートを提出します（下書き・差し戻しから。必須の項目がそろっていること）。\n"
		"return    シートを差し戻します（--comment に直すところを書きます）。\n"
		"approve   提出されたシートを担当課として承認します。\n"
		"accept    担当課が承認したシートを計画所管課として承認します。\n"
		"confirm   所管課承認のシートを確定します（以後の変更は計画所管課だけ）。\n"
		"publish   確定したシートを公開します。\n\n"
		"status、pending、report で --year を省くと、いちばん新しい年度を使います。\n"
		"端末の操作者は計画所管課として扱われ（担当課の承認もできます）、変更はすべて監査ログに\n"
		"残ります（sasae audit）。",
	.examples =
		"sasae progress open --year 2025 --deadline 2026-05-29\n"
		"sasae progress export --year 2025 --department 健康福祉局 --output 健康福祉局.csv\n"
		"sasae progress import 健康福祉局.csv\n"
		"sasae progress pending --year 2025\n"
		"sasae progress return --year 2025 --program p0012 --comment \"指標の実績値を記入してください\"",
	.exit_codes = "0 成功, 2 使い方の誤り, 65 その年度はもう始まっている／ファイルの中身の誤り／\n"
		      "            その状態からはできない操作, 66 年度・計画・事業・ファイルがない,\n"
		      "            70 内部エラー, 74 入出力エラー",
};

/* The state counts of one department. */
typedef struct dept_count {
	const char *name;
	size_t n[SASAE_PROGRESS_NSTATES];
} dept_count;

static int progress_status(sasae_store *store, int year, const char *format)
{
	sasae_progress_cycle c = {0};
	sasae_progress_sheet *sh = NULL;
	size_t n = 0;
	sasae_error err = {0};
	if (sasae_progress_cycle_get(store, year, &c, &err) ||
	    sasae_progress_sheets(store, year, &sh, &n, &err)) {
		sasae_progress_cycle_clear(&c);
		return cli_fail(&err);
	}
	dept_count *d = calloc(n * 4 + 1, sizeof *d);
	size_t nd = 0;
	size_t total[SASAE_PROGRESS_NSTATES] = {0};
	for (size_t i = 0; d && i < n; i++) {
		total[sh[i].state]++;
		for (size_t j = 0; j < sh[i].ndepartments; j++) {
			size_t k = 0;
			while (k < nd && strcmp(d[k].name, sh[i].departments[j]) != 0)
				k++;
			if (k == nd) {
				if (nd == n * 4)
					continue;
				d[nd++].name = sh[i].departments[j];
			}
			d[k].n[sh[i].state]++;
		}
	}
	int status = 0;
	if (d == NULL) {
		status = 70;
	} else if (strcmp(format, "json") == 0) {
		json_t *depts = json_array();
		for (size_t k = 0; k < nd; k++) {
			json_t *o = json_object();
			for (int s = 0; s < SASAE_PROGRESS_NSTATES; s++)
				json_object_set_new(o, sasae_progress_state_name(s),
						    json_integer((json_int_t)d[k].n[s]));
			json_array_append_new(depts,
					      json_pack("{s:s, s:o}", "department", d[k].name, "states", o));
		}
		json_t *t = json_object();
		for (int s = 0; s < SASAE_PROGRESS_NSTATES; s++)
			json_object_set_new(t, sasae_progress_state_name(s),
					    json_integer((json_int_t)total[s]));
		status = cli_print_json(json_pack("{s:i, s:s, s:I, s:o, s:o}", "year", year, "deadline",
						  c.deadline, "sheets", (json_int_t)n, "states", t,
						  "departments", depts));
	} else {
		sasae_buf o = SASAE_BUF_INIT;
		sasae_buf_appendf(&o, "%d 年度  提出期限 %s  シート %zu 件\n\n", year, c.deadline, n);
		sasae_text_pad(&o, "担当課", 24);
		for (int s = 0; s < SASAE_PROGRESS_NSTATES; s++) {
			sasae_buf_puts(&o, "  ");
			sasae_text_pad(&o, sasae_progress_state_label(s), 10);
		}
		sasae_buf_putc(&o, '\n');
		for (size_t k = 0; k <= nd; k++) {
			sasae_text_pad(&o, k < nd ? d[k].name : "計（事業ごとに一度）", 24);
			for (int s = 0; s < SASAE_PROGRESS_NSTATES; s++)
				sasae_buf_appendf(&o, "  %10zu", k < nd ? d[k].n[s] : total[s]);
			sasae_buf_putc(&o, '\n');
		}
		fputs(sasae_buf_cstr(&o), stdout);
		status = sasae_buf_ok(&o) ? 0 : 70;
		sasae_buf_free(&o);
	}
	free(d);
	sasae_progress_sheets_free(sh, n);
	sasae_progress_cycle_clear(&c);
	return status;
}

static bool in_department(const sasae_progress_sheet *sh, const char *dept)
{
	for (size_t j = 0; dept && j < sh->ndepartments; j++)
		if (strcmp(sh->departments[j], dept) == 0)
			return true;
	return dept == NULL;
}

static int progress_pending(sasae_store *store, int year, const char *dept, const char *format)
{
	sasae_progress_sheet *sh = NULL;
	size_t n = 0;
	int days = 0;
	sasae_error err = {0};
	if (sasae_progress_pending(store, year, (int64_t)time(NULL), &sh, &n, &days, &err))
		return cli_fail(&err);
	int status = 0;
	if (strcmp(format, "json") == 0) {
		json_t *a = json_array();
		for (size_t i = 0; i < n; i++) {
			if (!in_department(&sh[i], dept))
				continue;
			json_t *ds = json_array();
			for (size_t j = 0; j < sh[i].ndepartments; j++)
				json_array_append_new(ds, json_string(sh[i].departments[j]));
			json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:s, s:s}", "program",
							   sh[i].program, "name", sh[i].name, "departments",
							   ds, "state", sasae_progress_state_name(sh[i].state),
							   "note", sh[i].note));
		}
		status = cli_print_json(
			json_pack("{s:i, s:i, s:o}", "year", year, "days_left", days, "pending", a));
	} else {
		sasae_buf o = SASAE_BUF_INIT;
		const char *last = NULL;
		size_t shown = 0;
		for (size_t i = 0; i < n; i++) {
			if (!in_department(&sh[i], dept))
				continue;
			const char *lead = sh[i].ndepartments ? sh[i].departments[0] : "担当課なし";
			if (last == NULL || strcmp(last, lead) != 0) {
				size_t cnt = 0;
				for (size_t k = i; k < n; k++)
					cnt += strcmp(sh[k].ndepartments ? sh[k].departments[0] : "担当課なし",
						      lead) == 0 &&
					       in_department(&sh[k], dept);
				sasae_buf_appendf(&o, "%s%s  未提出 %zu 件\n", last ? "\n" : "", lead, cnt);
				last = lead;
			}
			sasae_buf_appendf(&o, "  %s  %s  %s", sh[i].program,
					  sasae_progress_state_label(sh[i].state), sh[i].name);
			for (size_t j = 1; j < sh[i].ndepartments; j++)
				sasae_buf_appendf(&o, "%s%s", j == 1 ? "（共管: " : "、", sh[i].departments[j]);
			sasae_buf_puts(&o, sh[i].ndepartments > 1 ? "）\n" : "\n");
			shown++;
		}
		if (shown) {
			if (days > 0)
				sasae_buf_appendf(&o,
						  "\n%d 年度のシートの提出期限まであと %d 日です（未提出 %zu 件）。\n",
						  year, days, shown);
			else if (days == 0)
				sasae_buf_appendf(&o,
						  "\n%d 年度のシートの提出期限は今日です（未提出 %zu 件）。\n",
						  year, shown);
			else
				sasae_buf_appendf(&o,
						  "\n%d 年度のシートの提出期限を %d 日過ぎています（未提出 %zu 件）。\n",
						  year, -days, shown);
		}
		fputs(sasae_buf_cstr(&o), stdout);
		status = sasae_buf_ok(&o) ? 0 : 70;
		sasae_buf_free(&o);
	}
	sasae_progress_sheets_free(sh, n);
	return status;
}

static void tally_json(json_t *o, const sasae_progress_rollup *r, const sasae_progress_tally *t)
{
	json_t *g = json_object();
	for (size_t i = 0; i < r->ngrades; i++)
		json_object_set_new(g, r->grades[i], json_integer((json_int_t)t->graded[i]));
	json_object_set_new(g, "none", json_integer((json_int_t)t->ungraded));
	json_object_set_new(o, "sheets", json_integer((json_int_t)t->sheets));
	json_object_set_new(o, "submitted", json_integer((json_int_t)t->submitted));
	json_object_set_new(o, "grades", g);
	json_object_set_new(o, "indicators", json_integer((json_int_t)t->indicators));
	json_object_set_new(o, "attained", json_integer((json_int_t)t->attained));
	json_object_set_new(o, "arrows", json_integer((json_int_t)t->arrows));
}

static void tally_text(sasae_buf *o, const sasae_progress_rollup *r, const char *label,
		       const sasae_progress_tally *t)
{
	sasae_buf_appendf(o, "  %s  %zu 件", label, t->sheets);
	for (size_t i = 0; i < r->ngrades; i++)
		sasae_buf_appendf(o, "  %s %zu", r->grades[i], t->graded[i]);
	sasae_buf_appendf(o, "  未評価 %zu", t->ungraded);
	if (t->indicators)
		sasae_buf_appendf(o, "  指標 %zu/%zu 達成（%.0f%%）", t->attained, t->indicators,
				  100.0 * (double)t->attained / (double)t->indicators);
	if (t->arrows)
		sasae_buf_appendf(o, "  矢印 %zu", t->arrows);
	sasae_buf_putc(o, '\n');
}

static int progress_report(sasae_store *store, int year, const char *format)
{
	sasae_progress_rollup *r = NULL;
	sasae_error err = {0};
	if (sasae_progress_rollup_compute(store, year, &r, &err))
		return cli_fail(&err);
	int status;
	const sasae_progress_group *gs[] = {r->parts, r->sections, r->departments};
	size_t ns[] = {r->nparts, r->nsections, r->ndepartments};
	static const char *const names[] = {"parts", "sections", "departments"};
	static const char *const heads[] = {"部", "施策", "担当課"};
	if (strcmp(format, "json") == 0) {
		json_t *o = json_pack("{s:i}", "year", year);
		json_t *t = json_object();
		tally_json(t, r, &r->total);
		json_object_set_new(o, "total", t);
		for (int k = 0; k < 3; k++) {
			json_t *a = json_array();
			for (size_t i = 0; i < ns[k]; i++) {
				json_t *g =
					json_pack("{s:s, s:s}", "key", gs[k][i].key, "title", gs[k][i].title);
				tally_json(g, r, &gs[k][i].tally);
				json_array_append_new(a, g);
			}
			json_object_set_new(o, names[k], a);
		}
		status = cli_print_json(o);
	} else {
		sasae_buf o = SASAE_BUF_INIT;
		sasae_buf_appendf(&o, "%d 年度の集計（再掲の事業は掲載された施策ごとに数えます）\n\n", year);
		tally_text(&o, r, "全体", &r->total);
		for (int k = 0; k < 3; k++) {
			sasae_buf_appendf(&o, "\n%s\n", heads[k]);
			for (size_t i = 0; i < ns[k]; i++) {
				char label[600];
				snprintf(label, sizeof label, "%s %s", gs[k][i].key,
					 k == 2 ? "" : gs[k][i].title);
				tally_text(&o, r, label, &gs[k][i].tally);
			}
		}
		fputs(sasae_buf_cstr(&o), stdout);
		status = sasae_buf_ok(&o) ? 0 : 70;
		sasae_buf_free(&o);
	}
	sasae_progress_rollup_free(r);
	return status;
}

static int progress_import(const cli_command *cmd, sasae_store *store, const char *path)
{
	sasae_buf text = SASAE_BUF_INIT;
	sasae_error err = {0};
	if (cli_read_file(path, &text, &err)) {
		sasae_buf_free(&text);
		return cli_fail(&err);
	}
	size_t changed = 0, np = 0;
	sasae_progress_problem *p = NULL;
	sasae_actor who = SASAE_ACTOR_CLI;
	int rc = sasae_progress_import_csv(store, &who, NULL, path, text.data ? text.data : "", text.len,
					   &changed, &p, &np, &err);
	sasae_buf_free(&text);
	(void)cmd;
	for (size_t i = 0; i < np; i++)
		fprintf(stderr, "%s: %s\n", p[i].field, p[i].message);
	sasae_progress_problems_free(p, np);
	if (rc)
		return cli_fail(&err);
	if (changed)
		printf("%zu 件のシートを更新しました。\n", changed);
	else
		printf("変更はありません（同じ内容です）。\n");
	return 0;
}

static int progress_export(sasae_store *store, int year, const char *dept, const char *output)
{
	sasae_buf o = SASAE_BUF_INIT;
	sasae_error err = {0};
	int status = 0;
	if (sasae_progress_export_csv(store, year, dept, &o, &err)) {
		sasae_buf_free(&o);
		return cli_fail(&err);
	}
	FILE *f = output ? fopen(output, "wb") : stdout;
	if (f == NULL) {
		sasae_error_set(&err, SASAE_EIO, output, 0, "書き出せません");
		status = cli_fail(&err);
	} else {
		if (fwrite(o.data, 1, o.len, f) != o.len || (output && fclose(f) != 0) ||
		    (!output && fflush(f) != 0)) {
			sasae_error_set(&err, SASAE_EIO, output ? output : "標準出力", 0,
					"書き込みに失敗しました");
			status = cli_fail(&err);
		}
	}
	sasae_buf_free(&o);
	return status;
}

/* The newest year with a cycle, for status/pending/report without --year: 0, or the exit status
   after printing why (66 when no year is open). */
static int newest_year(sasae_store *store, int *year)
{
	sasae_progress_cycle *c = NULL;
	size_t n = 0;
	sasae_error err = {0};
	if (sasae_progress_cycle_list(store, &c, &n, &err))
		return cli_fail(&err);
	if (n == 0) {
		sasae_error_set(&err, SASAE_ENOTFOUND, NULL, 0,
				"進捗管理を始めた年度がありません（sasae progress open で始めます）");
		return cli_fail(&err);
	}
	*year = c[0].year;
	sasae_progress_cycles_free(c, n);
	return 0;
}

/* submit|return|approve|accept|confirm|publish of one sheet as the operator (the office).  Problems that
   keep a sheet from being submitted are printed one a line as "PROGRAM: field: message". */
static int progress_act(sasae_store *store, int year, const char *name, const char *program, const char *comment)
{
	sasae_progress_action action;
	sasae_error err = {0};
	sasae_progress_problem *p = NULL;
	size_t np = 0;
	sasae_actor who = SASAE_ACTOR_CLI;
	int rc = sasae_progress_action_parse(name, &action, &err);
	if (rc == 0)
		rc = sasae_progress_act(store, &who, NULL, year, program, action, comment, &p, &np, &err);
	for (size_t i = 0; i < np; i++)
		fprintf(stderr, "%s: %s: %s\n", program, p[i].field, p[i].message);
	sasae_progress_problems_free(p, np);
	if (rc == SASAE_EUSAGE && np)
		rc = SASAE_EDATA, err.code = SASAE_EDATA;
	if (rc)
		return cli_fail(&err);
	sasae_progress_sheet sh = {0};
	if (sasae_progress_sheet_get(store, year, program, &sh, &err))
		return cli_fail(&err);
	printf("%d 年度 %s「%s」は「%s」になりました。\n", year, sh.program, sh.name,
	       sasae_progress_state_label(sh.state));
	sasae_progress_sheet_clear(&sh);
	return 0;
}

int cmd_progress(const cli_command *cmd, int argc, char **argv, cli_common *common)
{
	progress_values v = {0};
	int status;
	if (!cli_parse(&status, cmd, &argc, argv, common, &v))
		return status;
	const char *sub = argc > 1 ? argv[1] : NULL;
	/* 0–5 read or write as named; 6– move a sheet along the workflow (the operator at the terminal
	   may take every step, approve included: sasae_progress_may). */
	static const char *const subs[] = {"open",   "status", "pending", "export", "import",  "report",
					   "submit", "return", "approve", "accept", "confirm", "publish"};
	enum { NSUBS = sizeof subs / sizeof subs[0], FIRST_ACT = 6 };
	int which = -1;
	for (int i = 0; sub && i < NSUBS; i++)
		if (strcmp(sub, subs[i]) == 0)
			which = i;
	if (sub == NULL)
		return cli_usage_error(cmd, "open、status、pending、export、import、report、submit、return、"
					    "approve、accept、confirm、publish のどれかを指定してください");
	if (which < 0)
		return cli_usage_error(cmd,
				       "「%s」はありません。open、status、pending、export、import、report、submit、"
				       "return、approve、accept、confirm、publish のどれかです",
				       sasae_utf8_valid(sub, strlen(sub), NULL) && strlen(sub) < 32 ? sub
												    : "?");
	bool is_import = which == 4;
	bool is_act = which >= FIRST_ACT;
	if (argc > (is_import ? 3 : 2))
		return cli_usage_error(cmd, "余分な引数「%s」があります", argv[is_import ? 3 : 2]);
	if (is_import && argc < 3)
		return cli_usage_error(cmd, "import には取り込む CSV ファイルを指定してください");
	if ((which == 0 || which == 3 || is_act) && v.year == 0)
		return cli_usage_error(cmd, "%s には --year（年度、例: 2025）を指定してください", sub);
	if (is_import && v.year)
		return cli_usage_error(cmd,
				       "import の年度はファイルの「年度」の列で決まります（--year は使いません）");
	if ((v.deadline || v.config || common->plan) && which != 0)
		return cli_usage_error(cmd, "--deadline、--config、--plan は open で使います");
	if (which == 0 && v.deadline == NULL)
		return cli_usage_error(cmd,
				       "open には --deadline（提出期限、例: 2026-05-29）を指定してください");
	if (v.department && which != 3 && which != 2)
		return cli_usage_error(cmd, "--department は export と pending で使います");
	if (v.output && which != 3)
		return cli_usage_error(cmd, "--output は export で使います");
	if ((v.program || v.comment) && !is_act)
		return cli_usage_error(cmd, "--program と --comment は submit、return、approve、accept、"
					    "confirm、publish で使います");
	if (is_act && v.program == NULL)
		return cli_usage_error(cmd, "%s には --program（事業ID、例: p0012）を指定してください", sub);
	const char *format = common->format;
	if (format && which == 3 && strcmp(format, "csv") != 0)
		return cli_usage_error(cmd, "export の --format は csv です（xlsx はまだありません）");
	if (format && which != 3 && strcmp(format, "csv") == 0)
		return cli_usage_error(cmd, "--format csv は export で使います");
	if (format && (which == 0 || which == 4 || is_act))
		return cli_usage_error(cmd, "--format は status、pending、report、export で使います");
	if (format == NULL)
		format = "text";

	bool writes = which == 0 || which == 4 || is_act;
	sasae_store *store = NULL;
	if ((status = cli_open_store(&store, common->db, writes ? 0 : SASAE_STORE_READONLY)) != 0)
		return status;
	sasae_error err = {0};
	int year = v.year;
	if (year == 0 && (status = newest_year(store, &year)) != 0) {
		sasae_store_close(store);
		return status;
	}
	if (is_act) {
		status = progress_act(store, year, subs[which], v.program, v.comment);
		sasae_store_close(store);
		return status;
	}
	switch (which) {
	case 0: {
		int64_t version = 0;
		sasae_buf conf = SASAE_BUF_INIT;
		sasae_actor who = SASAE_ACTOR_CLI;
		int rc = sasae_store_resolve(store, common->plan, &version, &err);
		if (rc == 0 && v.config)
			rc = cli_read_file(v.config, &conf, &err);
		if (rc == 0)
			rc = sasae_progress_open(store, &who, NULL, v.year, version, v.deadline,
						 v.config ? sasae_buf_cstr(&conf) : NULL, &err);
		sasae_buf_free(&conf);
		if (rc == SASAE_EUSAGE)
			status = cli_usage_error(cmd, "%s", err.message);
		else if (rc)
			status = cli_fail(&err);
		else
			printf("%d 年度の進捗管理を始めました（提出期限 %s）。\n", v.year, v.deadline);
		break;
	}
	case 1: status = progress_status(store, year, format); break;
	case 2: status = progress_pending(store, year, v.department, format); break;
	case 3: status = progress_export(store, v.year, v.department, v.output); break;
	case 4: status = progress_import(cmd, store, argv[2]); break;
	default: status = progress_report(store, year, format); break;
	}
	sasae_store_close(store);
	return status;
}
