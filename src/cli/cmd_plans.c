/* cmd_plans.c — `sasae plans` (the plans in the database) and `sasae outline` (one plan's parts
   and sections with their counts). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sasae/buf.h"
#include "sasae/text.h"

static int run_plans(int argc, char **argv, const char *db);
static int run_outline(int argc, char **argv, const char *db);

const cli_command cmd_plans = {
	.name = "plans",
	.summary = "データベースにある計画の一覧（版と件数）",
	.usage = "使い方: sasae plans [--db PATH]\n\n"
		 "データベースにある計画を、最新の版と部・施策・掲載・事業の数とともに表示します。\n\n"
		 "オプション:\n"
		 "  --db PATH   データベース（既定: $SASAE_DB、なければ ./sasae.db）\n"
		 "  --help      この説明を表示する\n",
	.run = run_plans,
};

const cli_command cmd_outline = {
	.name = "outline",
	.summary = "計画の構成（部・施策と掲載件数）",
	.usage = "使い方: sasae outline [--plan SLUG[@版]] [--db PATH]\n\n"
		 "計画の部と施策（見出し）を、それぞれの掲載件数とともに表示します。\n\n"
		 "オプション:\n"
		 "  --plan SLUG[@N]  計画（既定: 最後に取り込んだ計画の最新版。@N で版を指定）\n"
		 "  --db PATH        データベース（既定: $SASAE_DB、なければ ./sasae.db）\n"
		 "  --help           この説明を表示する\n",
	.run = run_outline,
};

/* Options shared by the simple read commands: --db, --plan, --help.  Returns -1 to go on, or an
   exit status. */
static int simple_options(const cli_command *cmd, int argc, char **argv, const char **db, const char **plan)
{
	static const struct option longopts[] = {
		{"plan", required_argument, NULL, 'p'},
		{"db", required_argument, NULL, 'D'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'p' && plan)
			*plan = optarg;
		else if (c == 'D')
			*db = optarg;
		else if (c == 'h')
			return cli_help(cmd);
		else
			return cli_usage_error(cmd, "オプション「%s」は使えないか、値がありません", argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error(cmd, "余分な引数「%s」があります", argv[optind]);
	return -1;
}

static int run_plans(int argc, char **argv, const char *db)
{
	int status = simple_options(&cmd_plans, argc, argv, &db, NULL);
	if (status >= 0)
		return status;
	sasae_store *store;
	if ((status = cli_open_store(&store, db, SASAE_STORE_READONLY)) != 0)
		return status;
	sasae_plan_info *infos;
	size_t n;
	sasae_error err = {0};
	if (sasae_store_plans(store, &infos, &n, &err)) {
		sasae_store_close(store);
		return cli_fail(&err);
	}
	if (n == 0)
		printf("計画はまだありません。「sasae import ファイル」で取り込んでください。\n");
	sasae_buf line = SASAE_BUF_INIT;
	if (n) {
		sasae_text_pad(&line, "計画", 24);
		sasae_buf_puts(&line, "  版   部  施策  掲載  事業  題名\n");
	}
	for (size_t i = 0; i < n; i++) {
		sasae_text_pad(&line, infos[i].slug, 24);
		sasae_buf_appendf(&line, " %3d  %3zu  %4zu  %4zu  %4zu  %s\n", infos[i].version, infos[i].parts,
				  infos[i].sections, infos[i].listings, infos[i].programs, infos[i].title);
	}
	fputs(sasae_buf_cstr(&line), stdout);
	sasae_buf_free(&line);
	sasae_plan_infos_free(infos, n);
	sasae_store_close(store);
	return 0;
}

static int run_outline(int argc, char **argv, const char *db)
{
	const char *spec = NULL;
	int status = simple_options(&cmd_outline, argc, argv, &db, &spec);
	if (status >= 0)
		return status;
	sasae_plan *plan;
	if ((status = cli_load_plan(&plan, db, spec)) != 0)
		return status;
	sasae_buf out = SASAE_BUF_INIT;
	sasae_buf_appendf(&out, "%s（%s 第%d版）\n", plan->title, plan->slug, plan->version);
	for (size_t i = 0; i < plan->nparts; i++) {
		const sasae_part *p = &plan->parts[i];
		size_t count = 0;
		for (size_t j = 0; j < p->nsections; j++)
			count += p->sections[j].nlistings;
		sasae_buf_appendf(&out, "\n第%d部%s%s（%zu 件）\n", p->number, p->title ? " " : "", p->title ? p->title : "",
				  count);
		for (size_t j = 0; j < p->nsections; j++) {
			const sasae_section *s = &p->sections[j];
			char head[32];
			snprintf(head, sizeof head, "  (%d) ", s->number);
			sasae_buf_puts(&out, head);
			sasae_text_pad(&out, s->title, 56);
			sasae_buf_appendf(&out, " %3zu 件\n", s->nlistings);
		}
	}
	sasae_buf_appendf(&out, "\n合計: %zu 部, %zu 施策, %zu 件の掲載, %zu 事業\n", plan->nparts,
			  sasae_plan_count_sections(plan), sasae_plan_count_listings(plan), plan->nprograms);
	fputs(sasae_buf_cstr(&out), stdout);
	sasae_buf_free(&out);
	sasae_plan_free(plan);
	return 0;
}
