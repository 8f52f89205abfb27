/* cmd_plans.c — `sasae plans` (the plans in the database) and `sasae outline` (one plan's parts
   and sections with their counts). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sasae/buf.h"
#include "sasae/text.h"

const cli_option cmd_plans_options[] = {
	{.use = &cli_opt_db},
	{.use = &cli_opt_help},
	CLI_OPTIONS_END,
};

const cli_help cmd_plans_help = {
	.usage = "sasae plans [--db PATH]",
	.description = "データベースにある計画を、最新の版と部・施策・掲載・事業の数とともに表示します。",
};

const cli_option cmd_outline_options[] = {
	{.use = &cli_opt_plan, .help = "計画（既定: 最後に取り込んだ計画の最新版。@N で版を指定）"},
	{.use = &cli_opt_db},
	{.use = &cli_opt_help},
	CLI_OPTIONS_END,
};

const cli_help cmd_outline_help = {
	.usage = "sasae outline [--plan SLUG[@版]] [--db PATH]",
	.description = "計画の部と施策（見出し）を、それぞれの掲載件数とともに表示します。",
};

/* The arguments of plans and outline (options only: an operand is an error).  Returns true to go
   on, else false with *status the command's exit status. */
static bool no_operands(int *status, const cli_command *cmd, int argc, char **argv, cli_common *common)
{
	if (!cli_parse(status, cmd, &argc, argv, common, NULL))
		return false;
	if (argc > 1) {
		*status = cli_usage_error(cmd, "余分な引数「%s」があります", argv[1]);
		return false;
	}
	return true;
}

int cmd_plans(const cli_command *cmd, int argc, char **argv, cli_common *common)
{
	int status;
	if (!no_operands(&status, cmd, argc, argv, common))
		return status;
	sasae_store *store;
	if ((status = cli_open_store(&store, common->db, SASAE_STORE_READONLY)) != 0)
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

int cmd_outline(const cli_command *cmd, int argc, char **argv, cli_common *common)
{
	int status;
	if (!no_operands(&status, cmd, argc, argv, common))
		return status;
	sasae_plan *plan;
	if ((status = cli_load_plan(&plan, common->db, common->plan)) != 0)
		return status;
	sasae_buf out = SASAE_BUF_INIT;
	sasae_buf_appendf(&out, "%s（%s 第%d版）\n", plan->title, plan->slug, plan->version);
	for (size_t i = 0; i < plan->nparts; i++) {
		const sasae_part *p = &plan->parts[i];
		size_t count = 0;
		for (size_t j = 0; j < p->nsections; j++)
			count += p->sections[j].nlistings;
		sasae_buf_appendf(&out, "\n第%d部%s%s（%zu 件）\n", p->number, p->title ? " " : "",
				  p->title ? p->title : "", count);
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
