/*
 * cli.h — what the command files of the sasae CLI share: the command table entry, the common
 * options, and helpers that open the store, print errors and write to stdout.
 * Only main() exits; commands return an exit status.
 */
#ifndef SASAE_CLI_H
#define SASAE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sasae/error.h"
#include "sasae/buf.h"
#include "sasae/finder.h"
#include "sasae/store.h"

/* One command: its name, a one-line summary, its usage text and the function that runs it. */
typedef struct cli_command {
	const char *name;
	const char *summary; /* one line, Japanese */
	const char *usage;   /* full help text printed by --help */
	int (*run)(int argc, char **argv, const char *db);
} cli_command;

/* The commands (each defined in its cmd_<name>.c). */
extern const cli_command cmd_import, cmd_plans, cmd_outline, cmd_list, cmd_show, cmd_search, cmd_export, cmd_diff, cmd_reindex, cmd_serve, cmd_lint, cmd_tags, cmd_find;

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

/* Print cmd's help on stdout; returns 0. */
int cli_help(const cli_command *cmd);

/* Open the store at db (flags as sasae_store_open); prints the error and returns its exit status
   (non-zero) on failure, 0 on success. */
int cli_open_store(sasae_store **out, const char *db, int flags);

/* The sasae_write_fn for a FILE *. */
int cli_write_file(void *ctx, const char *data, size_t len);

/* Parse a positive integer option value; returns false (after printing a usage error) if bad. */
bool cli_parse_int(const cli_command *cmd, const char *opt, const char *value, int *out);

/* True when the value of --format is one of the choices (a NULL-terminated list). */
bool cli_check_choice(const cli_command *cmd, const char *opt, const char *value, const char *const *choices);

/* Append the whole file at path to out.  Returns 0, or SASAE_ENOTFOUND / SASAE_EIO / SASAE_ENOMEM
   with err filled (path named); prints nothing. */
int cli_read_file(const char *path, sasae_buf *out, sasae_error *err);

/* Open the database read-only, resolve --plan (spec may be NULL) and load that version.  On
   failure prints the error and returns the exit status; 0 on success (*plan freed by caller). */
int cli_load_plan(sasae_plan **plan, const char *db, const char *spec);

/* The common option loop helper: returns true for --help/--db handled (sets *db), used by the
   simple read commands. */

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
