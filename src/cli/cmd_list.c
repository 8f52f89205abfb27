/* cmd_list.c — `sasae list` (listings as a table lined up by display width) and `sasae show`
   (one program with every place it is listed). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "sasae/buf.h"
#include "sasae/departments.h"
#include "sasae/export.h"
#include "sasae/text.h"

/* The options of `sasae list` (besides --plan and --db). */
typedef struct list_values {
	int part;               /* --part N, 0 for all */
	int section;            /* --section N, 0 for all */
	const char *department; /* --department NAME, or NULL */
} list_values;

const cli_option cmd_list_options[] = {
	{.name = "part",
	 .arg = "N",
	 .kind = CLI_INT,
	 .min = 1,
	 .help = "第N部だけ",
	 .offset = offsetof(list_values, part)},
	{.name = "section",
	 .arg = "N",
	 .kind = CLI_INT,
	 .min = 1,
	 .help = "施策 (N) だけ（--part と一緒に使います）",
	 .offset = offsetof(list_values, section)},
	{.name = "department",
	 .arg = "NAME",
	 .kind = CLI_STRING,
	 .help = "担当局等に NAME を含む事業だけ（別名も可。例: 社会福祉協議会）",
	 .offset = offsetof(list_values, department)},
	{.use = &cli_opt_plan},
	{.use = &cli_opt_db},
	{.use = &cli_opt_help},
	CLI_OPTIONS_END,
};

const cli_help cmd_list_help = {
	.usage = "sasae list [--part N] [--section N] [--department NAME] [--plan SLUG[@版]] [--db PATH]",
	.description = "掲載事業を印刷の順に、部・施策・No・事業名・担当局等の表で表示します。\n"
		       "【再掲】の行には「再掲」と表示します。",
};

const cli_option cmd_show_options[] = {
	{.use = &cli_opt_format},
	{.use = &cli_opt_plan},
	{.use = &cli_opt_db},
	{.use = &cli_opt_help},
	CLI_OPTIONS_END,
};

const cli_help cmd_show_help = {
	.usage = "sasae show PROGRAM [--format text|json] [--plan SLUG[@版]] [--db PATH]",
	.description = "事業を ID（例: p0001）または事業名で指定し、概要・担当局等と掲載箇所をすべて表示します。\n"
		       "事業名は完全に一致しなくても、一つに絞れれば表示します（全角・半角と空白の違いは無視します）。",
	.exit_codes = "0 表示した, 2 候補が複数ある, 66 見つからない",
};

/* Does the listing name a department equal to want (already canonical)? */
static bool has_department(const sasae_listing *l, const char *want)
{
	for (size_t i = 0; i < l->ndepartments; i++)
		if (strcmp(l->departments[i].name, want) == 0)
			return true;
	return false;
}

int cmd_list(const cli_command *cmd, int argc, char **argv, cli_common *common)
{
	list_values v = {0, 0, NULL};
	int status;
	if (!cli_parse(&status, cmd, &argc, argv, common, &v))
		return status;
	int part = v.part, section = v.section;
	const char *dept = v.department;
	if (argc > 1)
		return cli_usage_error(cmd, "余分な引数「%s」があります", argv[1]);
	if (section && !part)
		return cli_usage_error(cmd, "--section は --part と一緒に指定してください（施策の番号は部ごとに 1 から始まります）");
	sasae_plan *plan;
	if ((status = cli_load_plan(&plan, common->db, common->plan)) != 0)
		return status;
	/* Canonical department name through the table, so that aliases work. */
	sasae_dept_table *table = NULL;
	sasae_error err = {0};
	const char *want = dept;
	if (dept && sasae_dept_table_default(&table, &err) == 0) {
		const char *canon = sasae_dept_table_canonical(table, dept);
		if (canon)
			want = canon;
	}
	if (part && (size_t)part > plan->nparts) {
		status = cli_usage_error(cmd, "第%d部はありません（この計画は第%zu部まで）", part, plan->nparts);
		goto done;
	}
	/* Column widths: the name column takes what the terminal leaves. */
	size_t cols = 120;
	struct winsize ws;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 60)
		cols = ws.ws_col;
	size_t dept_w = 26, name_w = cols - 18 - dept_w;
	sasae_buf out = SASAE_BUF_INIT;
	sasae_buf_puts(&out, "部 施策  No  ");
	sasae_text_pad(&out, "事業名", name_w);
	sasae_buf_puts(&out, " 再掲 担当局等\n");
	size_t shown = 0;
	bool found_section = section == 0;
	for (size_t i = 0; i < plan->nparts; i++) {
		const sasae_part *p = &plan->parts[i];
		if (part && p->number != part)
			continue;
		for (size_t j = 0; j < p->nsections; j++) {
			const sasae_section *s = &p->sections[j];
			if (section && s->number != section)
				continue;
			found_section = true;
			for (size_t k = 0; k < s->nlistings; k++) {
				const sasae_listing *l = &s->listings[k];
				if (want && !has_department(l, want))
					continue;
				char *depts = sasae_departments_join(l->departments, l->ndepartments);
				sasae_buf_appendf(&out, "%2d  (%d) %3ld  ", p->number, s->number, l->number);
				sasae_text_pad(&out, l->name, name_w);
				sasae_buf_puts(&out, l->relisted ? " 再掲 " : "      ");
				sasae_buf_puts(&out, depts ? depts : "");
				sasae_buf_putc(&out, '\n');
				free(depts);
				shown++;
			}
		}
	}
	if (!found_section) {
		sasae_buf_free(&out);
		status = cli_usage_error(cmd, "第%d部に施策 (%d) はありません", part, section);
		goto done;
	}
	sasae_buf_appendf(&out, "（%zu 件）\n", shown);
	if (!sasae_buf_ok(&out)) {
		sasae_error_set(&err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		status = cli_fail(&err);
	} else {
		fputs(sasae_buf_cstr(&out), stdout);
	}
	sasae_buf_free(&out);
done:
	sasae_dept_table_free(table);
	sasae_plan_free(plan);
	return status;
}

/* The section a place names (by its order in the part: printed numbers can repeat). */
static const sasae_section *find_section(const sasae_plan *plan, const sasae_place *pl)
{
	if (pl->part < 1 || (size_t)pl->part > plan->nparts)
		return NULL;
	const sasae_part *p = &plan->parts[pl->part - 1];
	if (pl->section_index < 1 || (size_t)pl->section_index > p->nsections)
		return NULL;
	return &p->sections[pl->section_index - 1];
}

static const sasae_listing *find_listing(const sasae_plan *plan, const sasae_place *pl)
{
	const sasae_section *s = find_section(plan, pl);
	if (s == NULL || pl->position < 1 || (size_t)pl->position > s->nlistings)
		return NULL;
	return &s->listings[pl->position - 1];
}

static void show_text(const sasae_plan *plan, const sasae_program *p)
{
	char *depts = sasae_departments_join(p->departments, p->ndepartments);
	printf("%s  %s\n", p->id, p->name);
	printf("担当局等: %s\n", depts ? depts : "");
	printf("事業概要: %s\n", p->summary);
	printf("掲載箇所（%zu）:\n", p->nplaces);
	free(depts);
	for (size_t i = 0; i < p->nplaces; i++) {
		const sasae_section *s = find_section(plan, &p->places[i]);
		const sasae_listing *l = find_listing(plan, &p->places[i]);
		if (s == NULL || l == NULL)
			continue;
		printf("  第%d部 (%d) %s  No.%ld%s  （%s:%ld）\n", l->part, s->number, s->title, l->number,
		       l->relisted ? " 【再掲】" : "", plan->source, l->source_line);
	}
}

static int show_json(const sasae_plan *plan, const sasae_program *p)
{
	json_t *places = json_array();
	for (size_t i = 0; i < p->nplaces; i++) {
		const sasae_section *s = find_section(plan, &p->places[i]);
		const sasae_listing *l = find_listing(plan, &p->places[i]);
		if (s == NULL || l == NULL)
			continue;
		json_array_append_new(places, json_pack("{s:i, s:i, s:s, s:i, s:I, s:b, s:s, s:I}", "part", l->part,
							"section", s->number, "section_title", s->title, "position",
							l->position, "number", (json_int_t)l->number, "relisted",
							l->relisted, "name", l->name, "source_line",
							(json_int_t)l->source_line));
	}
	json_t *depts = json_array();
	for (size_t i = 0; i < p->ndepartments; i++)
		json_array_append_new(depts, json_string(p->departments[i].name));
	json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:o}", "id", p->id, "name", p->name, "summary", p->summary,
			      "departments", depts, "listings", places);
	if (o == NULL)
		return 70;
	return cli_print_json(o);
}

int cmd_show(const cli_command *cmd, int argc, char **argv, cli_common *common)
{
	int status;
	if (!cli_parse(&status, cmd, &argc, argv, common, NULL))
		return status;
	const char *format = common->format ? common->format : "text";
	if (argc < 2)
		return cli_usage_error(cmd, "事業の ID（例: p0001）か事業名を指定してください");
	if (argc > 2)
		return cli_usage_error(cmd, "事業は一つだけ指定できます（空白を含む名前は引用符で囲んでください）");
	const char *what = argv[1];
	sasae_plan *plan;
	status = cli_load_plan(&plan, common->db, common->plan);
	if (status)
		return status;
	/* By id, then by identity key, then by a unique partial name. */
	const sasae_program *hit = NULL;
	char *key = sasae_text_identity_key(what);
	size_t partial = 0;
	const sasae_program *first_partial = NULL;
	for (size_t i = 0; i < plan->nprograms && hit == NULL; i++)
		if (strcmp(plan->programs[i].id, what) == 0)
			hit = &plan->programs[i];
	for (size_t i = 0; i < plan->nprograms && hit == NULL && key; i++) {
		char *k = sasae_text_identity_key(plan->programs[i].name);
		if (k && strcmp(k, key) == 0)
			hit = &plan->programs[i];
		else if (k && *key && strstr(k, key)) {
			if (partial++ == 0)
				first_partial = &plan->programs[i];
		}
		free(k);
	}
	if (hit == NULL && partial == 1)
		hit = first_partial;
	if (hit) {
		if (strcmp(format, "json") == 0)
			status = show_json(plan, hit);
		else
			show_text(plan, hit);
	} else if (partial > 1) {
		fprintf(stderr, "%s show: 「%s」を含む事業が %zu 件あります。ID か、もっと長い名前で指定してください:\n", cli_prog,
			what, partial);
		for (size_t i = 0; i < plan->nprograms && key; i++) {
			char *k = sasae_text_identity_key(plan->programs[i].name);
			if (k && strstr(k, key))
				fprintf(stderr, "  %s  %s\n", plan->programs[i].id, plan->programs[i].name);
			free(k);
		}
		status = 2;
	} else {
		fprintf(stderr, "%s show: 事業「%s」は見つかりません。「sasae list」で一覧を表示できます。\n", cli_prog, what);
		status = 66;
	}
	free(key);
	sasae_plan_free(plan);
	return status;
}
