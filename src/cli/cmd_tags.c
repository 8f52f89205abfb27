/* cmd_tags.c — `sasae tags`: the finder's vocabulary and tags: coverage and evidence, and loading
   the office's edited data files into the database (docs/finder.md). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sasae/buf.h"
#include "sasae/finder.h"
#include "sasae/office.h"

/* The options of `sasae tags` (besides --plan, --format and --db). */
typedef struct tags_values {
	const char *load; /* --load DIR, or NULL */
	bool reset;       /* --reset */
} tags_values;

const cli_option cmd_tags_options[] = {
	{.use = &cli_opt_plan},
	{.use = &cli_opt_format},
	{.name = "load",
	 .arg = "DIR",
	 .kind = CLI_STRING,
	 .help = "DIR にある上の四つのファイル（あるものだけ）を確かめて、データベースに\n"
		 "読み込む。誤りがあれば「ファイル:行」を示し、何も変えません",
	 .offset = offsetof(tags_values, load)},
	{.name = "reset",
	 .kind = CLI_FLAG,
	 .help = "読み込んだファイルを消し、sasae に組み込みのものに戻す",
	 .offset = offsetof(tags_values, reset)},
	{.use = &cli_opt_db},
	{.use = &cli_opt_help},
	CLI_OPTIONS_END,
};

const cli_help cmd_tags_help = {
	.usage = "sasae tags [--plan SLUG[@版]] [--format text|json] [--db PATH]\n"
		 "        sasae tags --load DIR [--db PATH]\n"
		 "        sasae tags --reset [--db PATH]",
	.description =
		"「支援をさがす」（/finder、sasae find）が使うタグの付き方を表示します: タグのない事業、\n"
		"どの事業にも付かないタグ、事業ごとのタグとその根拠（どの語がどこで当たったか）。\n\n"
		"タグは四つのデータファイルから決まります（docs/finder.md）:\n"
		"  vocabulary.tsv      語彙: だれのため（who）、なにに困って（need）、事業の種類（kind）\n"
		"  tag-rules.tsv       事業名・概要などの語からタグを付ける規則\n"
		"  tag-overrides.tsv   計画担当の判断（規則より優先）\n"
		"  everyday-words.tsv  ふだんの言い方（「物忘れ」「住むところがない」）と語彙の対応",
	.examples = "sasae tags\n"
		    "sasae tags --load data/ && sasae tags",
	.exit_codes = "0 正常, 2 引数の誤り, 65 データファイルの誤り, 66 データベースや計画がない",
};

/* Read the files of dir that exist; *any set when at least one does. */
static int read_dir(const char *dir, sasae_buf bufs[SASAE_NTAGFILES], char paths[SASAE_NTAGFILES][1024],
		    sasae_store_file files[SASAE_NTAGFILES], bool *any)
{
	*any = false;
	for (int k = 0; k < SASAE_NTAGFILES; k++) {
		size_t dl = strlen(dir);
		snprintf(paths[k], sizeof paths[k], "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/",
			 sasae_tag_file_name(k));
		sasae_error err = {0};
		int rc = cli_read_file(paths[k], &bufs[k], &err);
		if (rc == SASAE_ENOTFOUND)
			continue;
		if (rc)
			return cli_fail(&err);
		if (bufs[k].data == NULL)
			sasae_buf_putc(&bufs[k], '\0'); /* an empty file is still a file */
		files[k].text = bufs[k].data;
		files[k].len = bufs[k].len;
		files[k].source = paths[k];
		*any = true;
	}
	return 0;
}

static int load(const cli_command *cmd, const char *db, const char *dir, bool reset)
{
	sasae_buf bufs[SASAE_NTAGFILES] = {SASAE_BUF_INIT, SASAE_BUF_INIT, SASAE_BUF_INIT, SASAE_BUF_INIT};
	char paths[SASAE_NTAGFILES][1024];
	sasae_store_file files[SASAE_NTAGFILES] = {0};
	int status = 0;
	bool any = reset;
	if (!reset && (status = read_dir(dir, bufs, paths, files, &any)) != 0)
		goto done;
	if (!any) {
		status = cli_usage_error(cmd,
					 "%s に vocabulary.tsv、tag-rules.tsv、tag-overrides.tsv、everyday-words.tsv のどれもありません",
					 dir);
		goto done;
	}
	sasae_store *store;
	if ((status = cli_open_store(&store, db, SASAE_STORE_CREATE)) != 0)
		goto done;
	sasae_error err = {0};
	unsigned changed = 0;
	sasae_actor cli = SASAE_ACTOR_CLI;
	/* checked as a whole (the files refer to each other), then stored with their audit rows */
	if (sasae_office_finder_files_set(store, &cli, files, reset, &changed, &err)) {
		status = cli_fail(&err);
	} else if (reset) {
		fprintf(stderr, changed ? "語彙・規則を sasae 組み込みのものに戻しました。\n"
					: "語彙・規則は sasae 組み込みのままです（変更なし）。\n");
	} else {
		for (int k = 0; k < SASAE_NTAGFILES; k++)
			if (files[k].text)
				fprintf(stderr, "%s: %s\n",
					changed & (1u << k) ? "読み込みました" : "変更なし", files[k].source);
	}
	sasae_store_close(store);
done:
	for (int k = 0; k < SASAE_NTAGFILES; k++)
		sasae_buf_free(&bufs[k]);
	return status;
}

/* The text report: counts, gaps, then every program's tags with their evidence. */
static void report(sasae_buf *o, const sasae_finder *f)
{
	const sasae_plan *plan = sasae_finder_plan(f);
	const sasae_tag_data *d = sasae_finder_data(f);
	const sasae_plan_tags *t = sasae_finder_tags(f);
	size_t nt = sasae_tag_data_nterms(d);
	size_t *count = calloc(nt ? nt : 1, sizeof *count);
	size_t untagged = 0, nokind = 0, overridden = 0;
	for (size_t i = 0; count && i < t->nprograms; i++) {
		const sasae_program_tags *p = &t->programs[i];
		for (size_t k = 0; k < p->ntags; k++) {
			count[p->tags[k].term]++;
			overridden += p->tags[k].override;
		}
		if (p->kind >= 0)
			count[p->kind]++;
		else
			nokind++;
		untagged += p->ntags == 0;
	}
	size_t nrules, noverrides, nwords;
	sasae_tag_data_counts(d, &nrules, &noverrides, &nwords);
	sasae_buf_appendf(o, "%s: 事業 %zu、語彙 %zu 語、規則 %zu 行、上書き %zu 行、ふだんの言い方 %zu 行\n",
			  plan->slug, plan->nprograms, nt, nrules, noverrides, nwords);
	sasae_buf_appendf(o,
			  "対象・困りごとのタグがない事業: %zu　種類のない事業: %zu　上書きで付いたタグ: %zu\n",
			  untagged, nokind, overridden);
	if (count == NULL)
		return;
	for (int facet = 0; facet < SASAE_NFACETS; facet++) {
		sasae_buf_appendf(o, "\n== %s ==\n", sasae_facet_name(facet));
		for (size_t i = 0; i < nt; i++) {
			const sasae_term *x = sasae_tag_data_term(d, i);
			if (x->facet == facet)
				sasae_buf_appendf(o, "%4zu  %-28s %s%s\n", count[i], x->tag, x->label,
						  x->service ? "（本人が使える）" : "");
		}
	}
	sasae_buf_puts(o, "\n== どの事業にも付かないタグ ==\n");
	size_t unused = 0;
	for (size_t i = 0; i < nt; i++)
		if (count[i] == 0) {
			sasae_buf_appendf(o, "  %s %s\n", sasae_tag_data_term(d, i)->tag,
					  sasae_tag_data_term(d, i)->label);
			unused++;
		}
	if (unused == 0)
		sasae_buf_puts(o, "  （なし）\n");
	sasae_buf_puts(o, "\n== 対象・困りごとのタグがない事業 ==\n");
	for (size_t i = 0; i < t->nprograms; i++)
		if (t->programs[i].ntags == 0)
			sasae_buf_appendf(o, "  %s %s\n", plan->programs[i].id, plan->programs[i].name);
	if (untagged == 0)
		sasae_buf_puts(o, "  （なし）\n");
	if (t->nunknown) {
		sasae_buf_puts(o, "\n== tag-overrides.tsv の事業名で、計画にないもの ==\n");
		for (size_t i = 0; i < t->nunknown; i++)
			sasae_buf_appendf(o, "  %ld行: %s\n", t->unknown_override_lines[i],
					  t->unknown_override_names[i]);
	}
	sasae_buf_puts(o, "\n== 事業ごとのタグと根拠 ==\n");
	for (size_t i = 0; i < t->nprograms; i++) {
		const sasae_program_tags *p = &t->programs[i];
		sasae_buf_appendf(o, "\n%s %s\n", plan->programs[i].id, plan->programs[i].name);
		if (p->kind >= 0)
			sasae_buf_appendf(o, "  %-26s %s（%s%ld行）\n",
					  sasae_tag_data_term(d, (size_t)p->kind)->tag,
					  p->kind_reason.evidence ? p->kind_reason.evidence : "",
					  p->kind_reason.override ? "tag-overrides.tsv " : "tag-rules.tsv ",
					  p->kind_reason.line);
		for (size_t k = 0; k < p->ntags; k++)
			sasae_buf_appendf(o, "  %-26s %s（%s%ld行）\n",
					  sasae_tag_data_term(d, (size_t)p->tags[k].term)->tag,
					  p->tags[k].evidence ? p->tags[k].evidence : "",
					  p->tags[k].override ? "tag-overrides.tsv " : "tag-rules.tsv ",
					  p->tags[k].line);
	}
	free(count);
}

int cmd_tags(const cli_command *cmd, int argc, char **argv, cli_common *common)
{
	tags_values v = {NULL, false};
	int status;
	if (!cli_parse(&status, cmd, &argc, argv, common, &v))
		return status;
	const char *db = common->db, *spec = common->plan, *dir = v.load;
	const char *format = common->format ? common->format : "text";
	bool reset = v.reset;
	if (argc > 1)
		return cli_usage_error(cmd, "余分な引数「%s」があります", argv[1]);
	if (dir && reset)
		return cli_usage_error(cmd, "--load と --reset は一緒に使えません");
	if (dir || reset)
		return load(cmd, db, dir, reset);
	cli_finder f;
	status = cli_open_finder(&f, db, spec);
	if (status)
		return status;
	if (strcmp(format, "json") == 0) {
		status = cli_print_json(sasae_finder_tags_json(f.finder));
	} else {
		sasae_buf o = SASAE_BUF_INIT;
		report(&o, f.finder);
		fputs(sasae_buf_cstr(&o), stdout);
		if (!sasae_buf_ok(&o))
			status = 70;
		sasae_buf_free(&o);
	}
	cli_close_finder(&f);
	return status;
}
