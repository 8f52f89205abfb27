/* cli_util.c — helpers shared by the CLI commands (see cli.h). */
#include <jansson.h>

#include "cli.h"

#include <errno.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *cli_prog = "sasae";

int cli_fail(const sasae_error *err)
{
	char msg[1024];
	fprintf(stderr, "%s: %s\n", cli_prog, sasae_error_format(err, msg, sizeof msg));
	return sasae_error_exit_status(err->code ? err->code : SASAE_EINTERNAL);
}

int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s %s: ", cli_prog, cmd->name);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n使い方は「%s %s --help」で表示できます。\n", cli_prog, cmd->name);
	return 2;
}

int cli_print_help(const cli_command *cmd)
{
	sasae_buf b = SASAE_BUF_INIT;
	cli_help_text(&b, cmd->help, cmd->options);
	int status = sasae_buf_ok(&b) ? 0 : 70;
	if (status == 0)
		fputs(sasae_buf_cstr(&b), stdout);
	sasae_buf_free(&b);
	return status;
}

bool cli_parse(int *status, const cli_command *cmd, int *argc, char **argv, cli_common *common, void *values)
{
	cli_parsed parsed;
	sasae_error err = {0};
	*status = 0;
	int rc = cli_opts_parse(&parsed, cmd->options, 0, *argc, argv, common, values, &err);
	*argc = 1 + parsed.noperands;
	if (rc == 0)
		return true;
	if (rc == CLI_OPTS_STOPPED) {
		cli_opts_free(cmd->options, values);
		*status = cli_print_help(cmd);
	} else if (rc == SASAE_EUSAGE) {
		*status = cli_usage_error(cmd, "%s", err.message);
	} else {
		*status = cli_fail(&err);
	}
	return false;
}

int cli_open_store(sasae_store **out, const char *db, int flags)
{
	sasae_error err = {0};
	if (sasae_store_open(out, db, flags, &err) != 0)
		return cli_fail(&err);
	return 0;
}

int cli_write_file(void *ctx, const char *data, size_t len)
{
	return fwrite(data, 1, len, (FILE *)ctx) == len ? 0 : -1;
}

int cli_load_plan(sasae_plan **plan, const char *db, const char *spec)
{
	*plan = NULL;
	sasae_store *store;
	int status = cli_open_store(&store, db, SASAE_STORE_READONLY);
	if (status)
		return status;
	sasae_error err = {0};
	int64_t version;
	if (sasae_store_resolve(store, spec, &version, &err) ||
	    sasae_store_load_plan(store, version, plan, &err))
		status = cli_fail(&err);
	sasae_store_close(store);
	return status;
}

int cli_read_file(const char *path, sasae_buf *out, sasae_error *err)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return sasae_error_set(err, errno == ENOENT ? SASAE_ENOTFOUND : SASAE_EIO, path, 0,
				       "ファイルを開けません: %s", strerror(errno));
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && st.st_size > 0)
		sasae_buf_reserve(out, (size_t)st.st_size);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		sasae_buf_append(out, chunk, n);
	int rc = 0;
	if (ferror(f))
		rc = sasae_error_set(err, SASAE_EIO, path, 0, "ファイルを読めません: %s", strerror(errno));
	else if (!sasae_buf_ok(out))
		rc = sasae_error_set(err, SASAE_ENOMEM, path, 0,
				     "メモリが足りません（ファイルが大きすぎます）");
	fclose(f);
	return rc;
}

int cli_open_finder(cli_finder *out, const char *db, const char *spec)
{
	memset(out, 0, sizeof *out);
	int status = cli_open_store(&out->store, db, SASAE_STORE_READONLY);
	if (status)
		return status;
	sasae_error err = {0};
	int64_t version;
	if (sasae_store_resolve(out->store, spec, &version, &err) ||
	    sasae_store_load_plan(out->store, version, &out->plan, &err) ||
	    sasae_finder_data_load(&out->data, out->store, NULL, &err) ||
	    sasae_finder_new(&out->finder, out->plan, out->data, sasae_store_variants(out->store), &err)) {
		status = cli_fail(&err);
		cli_close_finder(out);
	}
	return status;
}

void cli_close_finder(cli_finder *f)
{
	sasae_finder_free(f->finder);
	sasae_tag_data_free(f->data);
	sasae_plan_free(f->plan);
	sasae_store_close(f->store);
	memset(f, 0, sizeof *f);
}

int cli_print_json(json_t *j)
{
	if (j == NULL)
		return 70;
	int rc = json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (rc == 0 && putchar('\n') == EOF)
		rc = -1;
	return rc ? 74 : 0;
}
