/* cmd_find.c — `sasae find`: the programs that fit a situation, grouped by need, with why
   (docs/finder.md).  Nothing about the situation is written anywhere. */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sasae/buf.h"
#include "sasae/finder.h"

static int run(int argc, char **argv, const char *db);

const cli_command cmd_find = {
	.name = "find",
	.summary = "困りごとから使える事業をさがす（対象・困りごと・ふだんの言葉で）",
	.usage = "使い方: sasae find [--who ID]… [--need ID]… [--text \"…\"] [--limit N] [--offset N]\n"
		 "                  [--format text|json] [--plan SLUG[@版]] [--db PATH]\n\n"
		 "だれが（--who）、なにに困っているか（--need）、またはふだんの言葉（--text）から、\n"
		 "合う事業を困りごとごとにまとめて表示します。本人が使えるサービス（相談窓口・居場所・給付など）が先です。\n"
		 "各事業に、なぜ表示したか（当たったタグと語）を示します。選べる ID は「sasae tags」で見られます。\n\n"
		 "オプション:\n"
		 "  --who ID      だれのための事業か（例: elderly、dementia、withdrawal）。繰り返すか「,」で区切る\n"
		 "  --need ID     なにに困っているか（例: consultation、money、work、housing）\n"
		 "  --text 文     ふだんの言葉で（例: \"80代の母がひとり暮らしで物忘れが増えた\"）\n"
		 "  --limit N     表示する件数（既定 30、最大 1000）\n"
		 "  --offset N    何件目から表示するか（既定 0）\n"
		 "  --format FMT  text（既定）または json（sasae search と同じ形: total と results）\n"
		 "  --plan SLUG[@N]  計画（既定: 最後に取り込んだ計画の最新版）\n"
		 "  --db PATH     データベース（既定: $SASAE_DB、なければ ./sasae.db）\n"
		 "  --help        この説明を表示する\n\n"
		 "例:\n"
		 "  sasae find --who elderly,dementia --need consultation\n"
		 "  sasae find --text \"親の介護で疲れた\"\n\n"
		 "終了コード: 0 さがした（0件を含む）, 2 引数の誤り, 66 データベースや計画がない\n",
	.run = run,
};

/* Split "a,b" values of a repeated option into list (pointers into copies kept in *keep). */
static bool add_ids(const char *v, const char **list, size_t *n, size_t cap, char **keep, size_t *nkeep)
{
	char *copy = strdup(v);
	if (copy == NULL)
		return false;
	keep[(*nkeep)++] = copy;
	for (char *tok = strtok(copy, ",、 "); tok; tok = strtok(NULL, ",、 ")) {
		if (*n == cap)
			return false;
		list[(*n)++] = tok;
	}
	return true;
}

static void put_text(sasae_buf *o, const sasae_finder *f, const sasae_finder_results *r)
{
	const sasae_plan *plan = sasae_finder_plan(f);
	const sasae_tag_data *d = sasae_finder_data(f);
	if (r->nwho + r->nneed + r->meaning.nwords == 0) {
		sasae_buf_puts(o, "だれが、なにに困っているかを --who、--need、--text で指定してください"
				  "（選べる ID は sasae tags に）。\n");
		return;
	}
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

static int run(int argc, char **argv, const char *db)
{
	static const struct option longopts[] = {
		{"who", required_argument, NULL, 'w'},    {"need", required_argument, NULL, 'n'},
		{"text", required_argument, NULL, 't'},   {"limit", required_argument, NULL, 'l'},
		{"offset", required_argument, NULL, 'o'}, {"format", required_argument, NULL, 'f'},
		{"plan", required_argument, NULL, 'p'},   {"db", required_argument, NULL, 'D'},
		{"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	static const char *const formats[] = {"text", "json", NULL};
	enum { CAP = SASAE_FINDER_MAX_CHOICES + 1 };
	const char *who[CAP], *need[CAP];
	char *keep[64];
	size_t nwho = 0, nneed = 0, nkeep = 0;
	const char *text = NULL, *format = "text", *spec = NULL;
	int limit = 0, offset = 0, c, status = 0;
	optind = 0;
	opterr = 0;
	while (status == 0 && (c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'w':
		case 'n':
			if (nkeep == sizeof keep / sizeof keep[0] ||
			    !add_ids(optarg, c == 'w' ? who : need, c == 'w' ? &nwho : &nneed, CAP, keep,
				     &nkeep))
				status = cli_usage_error(&cmd_find, "--who と --need は合わせて %d 個までです",
							 SASAE_FINDER_MAX_CHOICES);
			break;
		case 't': text = optarg; break;
		case 'l':
			if (!cli_parse_int(&cmd_find, "--limit", optarg, &limit))
				status = 2;
			break;
		case 'o':
			if (strcmp(optarg, "0") != 0 && !cli_parse_int(&cmd_find, "--offset", optarg, &offset))
				status = 2;
			break;
		case 'f':
			if (!cli_check_choice(&cmd_find, "--format", optarg, formats))
				status = 2;
			format = optarg;
			break;
		case 'p': spec = optarg; break;
		case 'D': db = optarg; break;
		case 'h': status = -1; break;
		default:
			status = cli_usage_error(&cmd_find, "オプション「%s」は使えないか、値がありません",
						 argv[optind - 1]);
		}
	}
	if (status == 0 && optind < argc)
		status = cli_usage_error(&cmd_find,
					 "余分な引数「%s」があります（文は --text \"…\" で渡します）",
					 argv[optind]);
	if (status == 0 && nwho + nneed == 0 && (text == NULL || *text == '\0'))
		status = cli_usage_error(&cmd_find,
					 "--who、--need、--text のどれかを指定してください（例: sasae find --text \"物忘れ\"）");
	if (status == -1) {
		for (size_t i = 0; i < nkeep; i++)
			free(keep[i]);
		return cli_help(&cmd_find);
	}
	cli_finder f = {0};
	if (status == 0)
		status = cli_open_finder(&f, db, spec);
	if (status) {
		for (size_t i = 0; i < nkeep; i++)
			free(keep[i]);
		return status;
	}
	sasae_finder_query q = {who, nwho, need, nneed, text, limit, offset};
	sasae_finder_results *r = NULL;
	sasae_error err = {0};
	if (sasae_finder_find(&r, f.finder, &q, &err)) {
		status = err.code == SASAE_EUSAGE ? cli_usage_error(&cmd_find, "%s", err.message)
						  : cli_fail(&err);
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
	for (size_t i = 0; i < nkeep; i++)
		free(keep[i]);
	return status;
}
