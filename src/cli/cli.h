/*
 * cli.h — what the command files of the sasae CLI share: the command table entry, option
 * parsing with the help (cli_opts.h), and helpers that open the store, print errors and write to stdout.
 * Only main() exits; commands return an exit status.
 */
#ifndef SASAE_CLI_H
#define SASAE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cli_opts.h"
#include "sasae/buf.h"
#include "sasae/error.h"
#include "sasae/finder.h"
#include "sasae/store.h"

typedef struct cli_command cli_command;

/*
 * One command of the table in main.c: its name, the function that runs it, its options (a table
 * declared beside the function, cli_opts.h) and its help.  run gets argv[0] = the command's name,
 * and common with the global --db already in it; it parses its own options with cli_parse.
 */
struct cli_command {
	const char *name;
	int (*run)(const cli_command *cmd, int argc, char **argv, cli_common *common);
	const cli_option *options; /* ends with CLI_OPTIONS_END */
	const cli_help *help;      /* the text of `sasae NAME --help` (with the options) */
	const char *summary;       /* one line, Japanese, for the list of `sasae --help` */
};

/* What each cmd_<name>.c defines for the table: int cmd_NAME(…), cmd_NAME_options, cmd_NAME_help. */
#define CLI_DECLARE_COMMAND(NAME)                                                          \
	int cmd_##NAME(const cli_command *cmd, int argc, char **argv, cli_common *common); \
	extern const cli_option cmd_##NAME##_options[];                                    \
	extern const cli_help cmd_##NAME##_help

CLI_DECLARE_COMMAND(import);
CLI_DECLARE_COMMAND(plans);
CLI_DECLARE_COMMAND(outline);
CLI_DECLARE_COMMAND(list);
CLI_DECLARE_COMMAND(show);
CLI_DECLARE_COMMAND(search);
CLI_DECLARE_COMMAND(export);
CLI_DECLARE_COMMAND(diff);
CLI_DECLARE_COMMAND(reindex);
CLI_DECLARE_COMMAND(backup);
CLI_DECLARE_COMMAND(restore);
CLI_DECLARE_COMMAND(check);
CLI_DECLARE_COMMAND(serve);
CLI_DECLARE_COMMAND(lint);
CLI_DECLARE_COMMAND(tags);
CLI_DECLARE_COMMAND(find);
CLI_DECLARE_COMMAND(user);
CLI_DECLARE_COMMAND(audit);
CLI_DECLARE_COMMAND(progress);

/* The program name used in messages ("sasae"). */
extern const char *cli_prog;

/* Print "sasae: file:line: message" for err on stderr and return its exit status. */
int cli_fail(const sasae_error *err);

/* Print a usage error for cmd ("sasae CMD: message" and a hint to --help); returns 2. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* Print cmd's help (cli_help_text of its help and options) on stdout; returns 0, 70 when out of
   memory. */
int cli_print_help(const cli_command *cmd);

/*
 * Parse the options of cmd (cmd->options, cli_opts_parse) from argv: the shared ones into common,
 * the command's own into values (its struct, holding the defaults).  Afterwards argv[1..*argc) are
 * the operands.  Returns true when the command goes on; false when it returns *status at once:
 * 0 after printing its help (--help), 2 after printing a usage error (the option named), 70 when
 * out of memory.  On false the lists in values are already freed.
 */
bool cli_parse(int *status, const cli_command *cmd, int *argc, char **argv, cli_common *common, void *values);

/* Open the store at db (flags as sasae_store_open); prints the error and returns its exit status
   (non-zero) on failure, 0 on success. */
int cli_open_store(sasae_store **out, const char *db, int flags);

/* The sasae_write_fn for a FILE *. */
int cli_write_file(void *ctx, const char *data, size_t len);

/* Append the whole file at path to out.  Returns 0, or SASAE_ENOTFOUND / SASAE_EIO / SASAE_ENOMEM
   with err filled (path named); prints nothing. */
int cli_read_file(const char *path, sasae_buf *out, sasae_error *err);

/* Open the database read-only, resolve --plan (spec may be NULL) and load that version.  On
   failure prints the error and returns the exit status; 0 on success (*plan freed by caller). */
int cli_load_plan(sasae_plan **plan, const char *db, const char *spec);

/* Print a JSON value on stdout (2-space indent, keys in order, a final newline) and release it.
   Returns 0, 70 when j is NULL (it could not be built: out of memory) or 74 when writing failed. */
struct json_t;
int cli_print_json(struct json_t *j);

/* A plan with its finder (store kept open: the finder borrows its variant table). */
typedef struct cli_finder {
	sasae_store *store;
	sasae_plan *plan;
	sasae_tag_data *data;
	sasae_finder *finder;
} cli_finder;

/* Open the database read-only, load the plan (--plan spec, may be NULL) and the finder's data files
   and tag the plan.  On failure prints the error and returns the exit status; 0 on success.
   Close with cli_close_finder. */
int cli_open_finder(cli_finder *out, const char *db, const char *spec);
void cli_close_finder(cli_finder *f);

#endif
