/* cmd_diff.c — `sasae diff OLD NEW`: what changed between two versions of a plan, each a version in
   the database (slug, slug@N) or a plan-list document (a file, parsed in memory).  docs/diff.md. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "sasae/buf.h"
#include "sasae/departments.h"
#include "sasae/diff.h"
#include "sasae/import.h"
#include "sasae/parse.h"

/* --threshold: a number in (0, 1] into the double at dest. */
static int convert_threshold(void *dest, const char *option, const char *value, sasae_error *err)
{
	char *end;
	errno = 0;
	double v = strtod(value, &end);
	if (errno || *value == '\0' || *end != '\0' || !(v > 0 && v <= 1))
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "%s には 0 より大きく 1 以下の数を指定してください（「%s」は使えません）",
				       option, value);
	*(double *)dest = v;
	return 0;
}

/* The options of `sasae diff` (besides --format and --db) go into the diff's own options. */
const cli_option cmd_diff_options[] = {
	{.use = &cli_opt_format},
	{.name = "threshold",
	 .arg = "X",
	 .kind = CLI_CUSTOM,
	 .convert = convert_threshold,
	 .help = "名称変更とみなす類似度（0 より大きく 1 以下。既定 0.6）",
	 .offset = offsetof(sasae_diff_options, threshold)},
	{.use = &cli_opt_db},
	{.use = &cli_opt_help},
	CLI_OPTIONS_END,
};

const cli_help cmd_diff_help = {
	.usage = "sasae diff 旧 新 [--format text|json] [--threshold X] [--db PATH]",
	.description = "事業一覧の二つの版を比べ、追加・削除・名称変更・掲載箇所（施策）の変更・事業概要の変更・\n"
		       "担当局等の変更を、種類ごとに件数とともに表示します。\n\n"
		       "旧・新にはそれぞれ次のどちらかを指定します:\n"
		       "  ファイル           事業一覧の文書（取り込まずにその場で読みます。同じ名前のファイルがあれば\n"
		       "                     ファイルとして扱います）\n"
		       "  SLUG または SLUG@N データベースにある計画（最新版）またはその第N版\n\n"
		       "事業はまず名称（全角・半角と空白の違いは無視）で対応づけ、残ったものどうしを名称と概要の\n"
		       "似ている度合い（文字の2文字組のダイス係数、名称と概要の平均）で対応づけます。\n"
		       "類似度がしきい値以上なら「名称変更」、それ以外は「削除」と「追加」です。\n"
		       "概要の変更では [-…-] が削られた文字、{+…+} が加えられた文字です。",
	.examples = "sasae diff sendai-2024-draft@1 sendai-2024-draft@2\n"
		    "sasae diff sendai-2024-draft 第2稿.txt\n"
		    "sasae diff 第1稿.txt 第2稿.txt --format json",
	.exit_codes = "0 違いなし, 1 違いあり, 2 使い方の誤り, 65 文書の誤り, 66 見つからない",
};

/* Read a whole file into a new buffer (*bytes, *len).  Fills err on failure. */
static int read_whole(const char *path, char **bytes, size_t *len, sasae_error *err)
{
	sasae_buf b = SASAE_BUF_INIT;
	int rc = cli_read_file(path, &b, err);
	*len = rc ? 0 : b.len;
	*bytes = rc ? NULL : sasae_buf_detach(&b);
	if (rc)
		sasae_buf_free(&b);
	else if (*bytes == NULL)
		rc = sasae_error_set(err, SASAE_ENOMEM, path, 0, "メモリが足りません");
	return rc;
}

/* One side of the comparison while it is loaded. */
typedef struct side_load {
	const char *arg;  /* as given */
	bool is_file;     /* arg names an existing file (else: a plan in the database) */
	sasae_plan *plan; /* the loaded plan (owned) */
	int rc;           /* reading and parsing a file: 0 or a sasae_code, with err */
	sasae_error err;
} side_load;

/* Read and parse the file of a side (no output: it may run in a thread of its own). */
static void parse_side(side_load *s)
{
	char *bytes = NULL;
	size_t len;
	sasae_dept_table *depts = NULL;
	s->rc = read_whole(s->arg, &bytes, &len, &s->err);
	if (s->rc == 0)
		s->rc = sasae_dept_table_default(&depts, &s->err);
	/* Warnings are not repeated here: `sasae import` and `sasae lint` report them. */
	if (s->rc == 0)
		s->rc = sasae_parse_document(&s->plan, s->arg, bytes, len, depts, NULL, NULL, &s->err);
	if (s->rc == 0) {
		char slug[256];
		sasae_import_slug_from_path(s->arg, slug, sizeof slug);
		if ((s->plan->slug = sasae_strdup(slug)) == NULL)
			s->rc = sasae_error_set(&s->err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	}
	free(bytes);
	sasae_dept_table_free(depts);
}

static void *parse_side_thread(void *arg)
{
	parse_side(arg);
	return NULL;
}

/* Is arg a file, or a plan of the database?  Prints a usage error and returns its status for a
   directory, or "not found" for a path that names nothing; 0 otherwise. */
static int classify_side(side_load *s)
{
	struct stat st;
	s->is_file = stat(s->arg, &st) == 0;
	if (s->is_file && S_ISDIR(st.st_mode)) {
		fprintf(stderr,
			"%s diff: 「%s」はディレクトリです。事業一覧のファイルか、計画（SLUG または SLUG@N）を指定してください。\n",
			cli_prog, s->arg);
		return 2;
	}
	if (!s->is_file && (*s->arg == '\0' || strchr(s->arg, '/') != NULL)) {
		fprintf(stderr, "%s diff: ファイル「%s」はありません。\n", cli_prog, s->arg);
		return 66;
	}
	return 0;
}

/* Load a side that is a plan of the database (opened once, on first need, into *store).  Prints
   the error and returns the exit status on failure. */
static int load_db_side(side_load *s, const char *db, sasae_store **store)
{
	sasae_error err = {0};
	if (*store == NULL && sasae_store_open(store, db, SASAE_STORE_READONLY, &err) != 0) {
		if (err.code == SASAE_ENOTFOUND) {
			fprintf(stderr,
				"%s diff: 「%s」という名前のファイルはなく、データベース %s もありません。\n",
				cli_prog, s->arg, db);
			return 66;
		}
		return cli_fail(&err);
	}
	int64_t version;
	if (sasae_store_resolve(*store, s->arg, &version, &err) != 0 ||
	    sasae_store_load_plan(*store, version, &s->plan, &err) != 0) {
		if (err.code == SASAE_ENOTFOUND) {
			fprintf(stderr, "%s diff: 「%s」という名前のファイルはありません。%s\n", cli_prog,
				s->arg, err.message);
			return 66;
		}
		return cli_fail(&err);
	}
	return 0;
}

/*
 * Load both sides.  Two files are parsed at the same time (one in a second thread: a national
 * catalogue takes seconds to parse); errors are reported in order, the old side's first.
 * Returns 0 or the exit status (the error printed).
 */
static int load_sides(side_load sides[2], const char *db)
{
	for (int i = 0; i < 2; i++) {
		int status = classify_side(&sides[i]);
		if (status)
			return status;
	}
	pthread_t thread;
	bool threaded = sides[0].is_file && sides[1].is_file &&
			pthread_create(&thread, NULL, parse_side_thread, &sides[0]) == 0;
	for (int i = threaded ? 1 : 0; i < 2; i++)
		if (sides[i].is_file)
			parse_side(&sides[i]);
	if (threaded)
		pthread_join(thread, NULL);
	sasae_store *store = NULL;
	int status = 0;
	for (int i = 0; i < 2 && status == 0; i++) {
		if (sides[i].is_file)
			status = sides[i].rc ? cli_fail(&sides[i].err) : 0;
		else
			status = load_db_side(&sides[i], db, &store);
	}
	sasae_store_close(store);
	return status;
}

int cmd_diff(const cli_command *cmd, int argc, char **argv, cli_common *common)
{
	sasae_diff_options opt = {0};
	int status;
	if (!cli_parse(&status, cmd, &argc, argv, common, &opt))
		return status;
	const char *db = common->db, *format = common->format ? common->format : "text";
	if (argc != 3)
		return cli_usage_error(cmd, "比べる二つ（旧と新）を指定してください（%d 個指定されました）", argc - 1);
	side_load load[2] = {{.arg = argv[1]}, {.arg = argv[2]}};
	sasae_diff *d = NULL;
	sasae_error err = {0};
	status = load_sides(load, db);
	if (status)
		goto done;
	sasae_diff_side sides[2] = {{load[0].arg, load[0].is_file}, {load[1].arg, load[1].is_file}};
	if (sasae_diff_plans(&d, load[0].plan, load[1].plan, &opt, &err) != 0) {
		status = cli_fail(&err);
		goto done;
	}
	int rc = strcmp(format, "json") == 0
			 ? sasae_diff_write_json(d, &sides[0], &sides[1], cli_write_file, stdout, &err)
			 : sasae_diff_write_text(d, &sides[0], &sides[1], cli_write_file, stdout, &err);
	if (rc) {
		status = cli_fail(&err);
	} else if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr,
			"%s diff: 結果を書き出せませんでした（ディスクの空きや出力先を確かめてください）\n",
			cli_prog);
		status = 74;
	} else {
		status = sasae_diff_empty(d) ? 0 : 1;
	}
done:
	sasae_diff_free(d);
	sasae_plan_free(load[0].plan);
	sasae_plan_free(load[1].plan);
	return status;
}
