/* cmd_find.c — `sasae find`: the programs that fit a situation, grouped by need, with why
   (docs/finder.md).  Nothing about the situation is written anywhere. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sasae/buf.h"
#include "sasae/finder.h"

/* The options of `sasae find` (besides --format, --plan and --db). */
typedef struct find_values {
	cli_list who;     /* --who ID… (owned) */
	cli_list need;    /* --need ID… (owned) */
	const char *text; /* --text "…", or NULL */
	int limit;        /* --limit N, 0: the finder's default */
	int offset;       /* --offset N */
} find_values;

const cli_option cmd_find_options[] = {
	{.name = "who",
	 .arg = "ID",
	 .kind = CLI_LIST,
	 .separators = ",、 ",
	 .help = "だれのための事業か（例: elderly、dementia、withdrawal）。繰り返すか「,」で区切る",
	 .offset = offsetof(find_values, who)},
	{.name = "need",
	 .arg = "ID",
	 .kind = CLI_LIST,
	 .separators = ",、 ",
	 .help = "なにに困っているか（例: consultation、money、work、housing）",
	 .offset = offsetof(find_values, need)},
	{.name = "text",
	 .arg = "文",
	 .kind = CLI_STRING,
	 .help = "ふだんの言葉で（例: \"80代の母がひとり暮らしで物忘れが増えた\"）",
	 .offset = offsetof(find_values, text)},
	{.name = "limit",
	 .arg = "N",
	 .kind = CLI_INT,
	 .min = 1,
	 .help = "表示する件数（既定 30、最大 1000）",
	 .offset = offsetof(find_values, limit)},
	{.name = "offset",
	 .arg = "N",
	 .kind = CLI_INT,
	 .min = 0,
	 .help = "何件目から表示するか（既定 0）",
	 .offset = offsetof(find_values, offset)},
	{.use = &cli_opt_format, .help = "text（既定）または json（sasae search と同じ形: total と results）"},
	{.use = &cli_opt_plan},
	{.use = &cli_opt_db},
	{.use = &cli_opt_help},
	CLI_OPTIONS_END,
};

const cli_help cmd_find_help = {
	.usage = "sasae find [--who ID]… [--need ID]… [--text \"…\"] [--limit N] [--offset N]\n"
		 "                  [--format text|json] [--plan SLUG[@版]] [--db PATH]",
	.description =
		"だれが（--who）、なにに困っているか（--need）、またはふだんの言葉（--text）から、\n"
		"合う事業を困りごとごとにまとめて表示します。本人が使えるサービス（相談窓口・居場所・給付など）が先です。\n"
		"各事業に、なぜ表示したか（当たったタグと語）を示します。選べる ID は「sasae tags」で見られます。",
	.examples = "sasae find --who elderly,dementia --need consultation\n"
		    "sasae find --text \"親の介護で疲れた\"",
	.exit_codes = "0 さがした（0件を含む）, 2 引数の誤り, 66 データベースや計画がない",
};

static void put_text(sasae_buf *o, const sasae_finder *f, const sasae_finder_results *r)
{
	const sasae_plan *plan = sasae_finder_plan(f);
	const sasae_tag_data *d = sasae_finder_data(f);
	if (r->found_by == SASAE_FINDER_NOTHING) {
		size_t nfc = 0;
		const sasae_first_contact *fc = sasae_first_contacts(&nfc);
		sasae_buf_puts(o, "書かれたことに合う事業は、計画の中に見つかりませんでした。");
		if (r->meaning.nwords) {
			sasae_buf_puts(o, "（さがした言葉:");
			for (size_t i = 0; i < r->meaning.nwords; i++)
				sasae_buf_appendf(o, " 「%s」", r->meaning.words[i]);
			sasae_buf_puts(o, "）");
		}
		sasae_buf_puts(o, "\n\nまず相談できるところ:\n");
		for (size_t i = 0; i < nfc; i++)
			sasae_buf_appendf(o, "  %s（%s）%s%s\n", fc[i].name, fc[i].about,
					  fc[i].phone[0] ? "  " : "", fc[i].phone);
		return;
	}
	if (r->nwho + r->nneed + r->meaning.nwords == 0) {
		sasae_buf_puts(o, "だれが、なにに困っているかを --who、--need、--text で指定してください"
				  "（選べる ID は sasae tags に）。\n");
		return;
	}
	if (r->found_by == SASAE_FINDER_WORDS)
		sasae_buf_puts(o, "決まった言い方は見つからなかったので、文の言葉で事業名と概要をさがしました"
				  "（ことばが一致した事業）。\n");
	sasae_buf_puts(o, "さがしたこと:");
	for (size_t i = 0; i < r->nwho; i++)
		sasae_buf_appendf(o, " [%s]", sasae_tag_data_term(d, (size_t)r->who[i])->label);
	for (size_t i = 0; i < r->nneed; i++)
		sasae_buf_appendf(o, " [%s]", sasae_tag_data_term(d, (size_t)r->need[i])->label);
	for (size_t i = 0; i < r->meaning.nwords; i++)
		sasae_buf_appendf(o, " 「%s」", r->meaning.words[i]);
	if (r->meaning.nheard) {
		sasae_buf_puts(o, "（文から:");
		for (size_t i = 0; i < r->meaning.nheard; i++)
			sasae_buf_appendf(o, " %s", r->meaning.heard[i]);
		sasae_buf_puts(o, "）");
	}
	sasae_buf_appendf(o, "\n合う事業: %zu 件", r->total);
	if (r->nresults)
		sasae_buf_appendf(o, "（%d〜%zu 件目）", r->offset + 1, (size_t)r->offset + r->nresults);
	sasae_buf_putc(o, '\n');
	for (size_t g = 0; g < r->ngroups; g++) {
		const sasae_finder_group *grp = &r->groups[g];
		sasae_buf_appendf(o, "\n■ %s\n",
				  grp->term >= 0 ? sasae_tag_data_term(d, (size_t)grp->term)->label : "その他");
		for (size_t k = 0; k < grp->nresults; k++) {
			const sasae_finder_result *x = &r->results[grp->results[k]];
			const sasae_program *p = &plan->programs[x->program];
			sasae_buf_appendf(o, "%s  %s%s\n", p->id, p->name,
					  x->service ? "" : "（本人向けの窓口ではありません）");
			sasae_buf_puts(o, "    担当:");
			for (size_t j = 0; j < p->ndepartments; j++)
				sasae_buf_appendf(o, "%s%s", j ? "、" : " ", p->departments[j].name);
			sasae_buf_puts(o, "\n    理由:");
			for (size_t j = 0; j < x->nwhy; j++) {
				const sasae_finder_why *w = &x->why[j];
				if (w->term >= 0)
					sasae_buf_appendf(o, " [%s: %s]",
							  sasae_tag_data_term(d, (size_t)w->term)->label,
							  w->reason->evidence ? w->reason->evidence : "");
				else
					sasae_buf_appendf(o, " 「%s」(%s)", w->word, w->field);
			}
			sasae_buf_puts(o, "\n    掲載:");
			for (size_t j = 0; j < p->nplaces; j++)
				sasae_buf_appendf(o, " 第%d部(%d)-%d", p->places[j].part,
						  p->places[j].section, p->places[j].position);
			sasae_buf_putc(o, '\n');
		}
	}
}

int cmd_find(const cli_command *cmd, int argc, char **argv, cli_common *common)
{
	find_values v = {{NULL, 0}, {NULL, 0}, NULL, 0, 0};
	int status;
	if (!cli_parse(&status, cmd, &argc, argv, common, &v))
		return status;
	enum { CAP = SASAE_FINDER_MAX_CHOICES + 1 };
	const char *format = common->format ? common->format : "text";
	cli_finder f = {0};
	if (v.who.n > CAP || v.need.n > CAP)
		status = cli_usage_error(cmd, "--who と --need は合わせて %d 個までです",
					 SASAE_FINDER_MAX_CHOICES);
	else if (argc > 1)
		status = cli_usage_error(cmd, "余分な引数「%s」があります（文は --text \"…\" で渡します）",
					 argv[1]);
	else if (v.who.n + v.need.n == 0 && (v.text == NULL || *v.text == '\0'))
		status = cli_usage_error(cmd,
					 "--who、--need、--text のどれかを指定してください（例: sasae find --text \"物忘れ\"）");
	else
		status = cli_open_finder(&f, common->db, common->plan);
	if (status) {
		cli_opts_free(cmd->options, &v);
		return status;
	}
	sasae_finder_query q = {(const char *const *)v.who.items,
				v.who.n,
				(const char *const *)v.need.items,
				v.need.n,
				v.text,
				v.limit,
				v.offset};
	sasae_finder_results *r = NULL;
	sasae_error err = {0};
	if (sasae_finder_find(&r, f.finder, &q, &err)) {
		status = err.code == SASAE_EUSAGE ? cli_usage_error(cmd, "%s", err.message) : cli_fail(&err);
	} else if (strcmp(format, "json") == 0) {
		status = cli_print_json(sasae_finder_results_json(f.finder, r));
	} else {
		sasae_buf o = SASAE_BUF_INIT;
		put_text(&o, f.finder, r);
		fputs(sasae_buf_cstr(&o), stdout);
		if (!sasae_buf_ok(&o))
			status = 70;
		sasae_buf_free(&o);
	}
	sasae_finder_results_free(r);
	cli_close_finder(&f);
	cli_opts_free(cmd->options, &v);
	return status;
}
