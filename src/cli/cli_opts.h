/*
 * cli_opts.h — command-line options declared as data.
 *
 * Each command declares its options once, as a static table of cli_option (long name, short name,
 * the value's name, its kind, the Japanese help line and where the value goes); the parser
 * (cli_opts_parse) and the option block of --help (cli_opts_help) are both made from that table.
 * The options every command shares (--db, --plan, --format, --help) are declared once here
 * (cli_opt_db, …) and put into a table by reference: {.use = &cli_opt_plan}.
 *
 * This file and cli_opts.c are pure: they print nothing and exit nowhere (cli.h's cli_parse prints
 * the errors and the help), so that tests/unit/test_cli_opts.c can drive them directly.
 */
#ifndef SASAE_CLI_OPTS_H
#define SASAE_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "sasae/buf.h"
#include "sasae/error.h"

/* What an option's value is, and so the type of the member it goes into. */
typedef enum cli_kind {
	CLI_KIND_UNSET = 0, /* in a {.use = …} entry: the shared option's kind */
	CLI_FLAG,           /* no value: sets a bool to true ("--quiet=x" is an error) */
	CLI_STRING,         /* const char *, borrowed from argv; given twice, the last one counts */
	CLI_INT,            /* int in [min, max], decimal */
	CLI_LIST,           /* cli_list: may be repeated; each value is split at .separators */
	CLI_ENUM,           /* const char *: the word of .choices that was given */
	CLI_CUSTOM,         /* .convert checks the text and stores what it means */
} cli_kind;

/* The values of a CLI_LIST option, in the order given (owned: cli_list_free). */
typedef struct cli_list {
	char **items; /* the values, split at the option's separators; empty pieces dropped */
	size_t n;     /* how many */
} cli_list;

/* Free the items of l and empty it; NULL is a no-op. */
void cli_list_free(cli_list *l);

/* The values of the options every command shares (the cli_opt_* below go here). */
typedef struct cli_common {
	const char *db;     /* --db PATH: the database (main sets the default from SASAE_DB) */
	const char *plan;   /* --plan SLUG[@N]: the plan and version, NULL when not given */
	const char *format; /* --format FMT: one of the option's choices, NULL when not given */
	bool help;          /* --help was given (parsing stopped there) */
} cli_common;

typedef struct cli_option cli_option;

/*
 * One option.  Declare tables with designated initialisers and end them with CLI_OPTIONS_END.
 * A {.use = &shared} entry stands for the shared option; the fields it sets itself (arg, help,
 * choices, short_name, hidden) replace the shared option's for that command.
 */
struct cli_option {
	const cli_option *use;      /* a shared option this entry stands for, or NULL */
	const char *name;           /* long name without "--" ("plan") */
	char short_name;            /* '-x' form, or 0 for none */
	const char *arg;            /* the value's name in the help ("PATH"); NULL for a flag */
	cli_kind kind;              /* what the value is */
	int min, max;               /* CLI_INT: the allowed range (max 0: no upper bound) */
	const char *const *choices; /* CLI_ENUM: the allowed words, NULL-terminated, in help order */
	const char *separators;     /* CLI_LIST: UTF-8 characters that split a value ("," "、" " ") */
	/* CLI_CUSTOM: check value (given as option, "--name") and store it at dest.  Returns 0, or
	   SASAE_EUSAGE with err's message naming the option and saying what to give instead. */
	int (*convert)(void *dest, const char *option, const char *value, sasae_error *err);
	const char *help; /* the Japanese help; "\n" starts a continuation line */
	bool hidden;      /* accepted but not listed by --help (an alias such as "-h") */
	bool stop;        /* parsing stops when this flag is seen (--help, --version) */
	bool common;      /* the value goes into cli_common, not into the command's values */
	size_t offset;    /* where the value goes: offsetof(the values struct, member) */
};

/* The end of an option table. */
#define CLI_OPTIONS_END      \
	{                    \
		.name = NULL \
	}

/* The shared options (cli_opts.c): their values go into cli_common. */
extern const cli_option cli_opt_db;     /* --db PATH */
extern const cli_option cli_opt_plan;   /* --plan SLUG[@N] */
extern const cli_option cli_opt_format; /* --format FMT: text or json */
extern const cli_option cli_opt_help;   /* --help (stops parsing) */

/* The choices of cli_opt_format. */
extern const char *const cli_formats_text_json[];

/* Flags of cli_opts_parse. */
enum {
	CLI_OPTS_IN_ORDER = 1, /* the first operand ends the options (sasae [OPTIONS] COMMAND …) */
};

/* cli_opts_parse's result when a `stop` option (--help, --version) was seen. */
enum { CLI_OPTS_STOPPED = 1 };

/* What cli_opts_parse found besides the values. */
typedef struct cli_parsed {
	int noperands;   /* the operands, in order, are now argv[1..noperands] */
	const char *bad; /* after SASAE_EUSAGE: the argument at fault, as given (borrowed from argv) */
} cli_parsed;

/*
 * Parse argv[1..argc-1] (argv[0] is the command's name) by the table options: values of shared
 * options into common, the others into values (the command's struct the offsets refer to); what
 * common and values hold before is the default.  Options and operands may be mixed (GNU style): the
 * operands are moved, in order, to argv[1..out->noperands]; "--" ends the options.  Long options are
 * "--name value" or "--name=value", and may be shortened to any unambiguous prefix; short ones are
 * "-x value", "-xvalue" or grouped flags "-xy".
 *
 * Returns 0; CLI_OPTS_STOPPED when a `stop` flag was seen (its value set, the rest not parsed); or
 * SASAE_EUSAGE with err's message in Japanese naming the option ("オプション「--x」は使えないか、
 * 値がありません", "--part には 1 以上の整数を指定してください（「x」は使えません）", …) and
 * out->bad the argument at fault; SASAE_ENOMEM.  On any error the lists in values are freed.
 * Values are borrowed from argv (strings) or owned by values (cli_list: cli_list_free).
 */
int cli_opts_parse(cli_parsed *out, const cli_option *options, unsigned flags, int argc, char **argv,
		   cli_common *common, void *values, sasae_error *err);

/* Free the cli_list members of values that the table options describes. */
void cli_opts_free(const cli_option *options, void *values);

/*
 * Append the help block of options to out: a heading line ("オプション:") and one line per
 * option that is not hidden: "  --name ARG" with the label padded to column display columns (and
 * followed by two spaces at least), then the help; its continuation lines are indented to the same
 * place (2 + column).  column 0: the widest label + 2.
 */
void cli_opts_help(sasae_buf *out, const char *heading, const cli_option *options, size_t column);

/* The whole help of a command, from its parts (NULL parts are left out). */
typedef struct cli_help {
	const char *usage;       /* what follows "使い方: " (further lines as they are printed) */
	const char *description; /* the text between the usage and the options (no final newline) */
	const char *examples;    /* command lines, one a line, printed under "例:" */
	const char *exit_codes;  /* what follows "終了コード: " (further lines as printed) */
} cli_help;

/* Append a command's help to out: usage, description, options, examples and exit codes, with a
   blank line between them. */
void cli_help_text(sasae_buf *out, const cli_help *help, const cli_option *options);

#endif
