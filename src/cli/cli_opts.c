/*
 * cli_opts.c — the option parser and the --help text of the CLI, both made from the commands'
 * option tables (cli_opts.h).  Prints nothing: errors go into a sasae_error, help into a sasae_buf.
 */
#include "cli_opts.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/text.h"

const char *const cli_formats_text_json[] = {"text", "json", NULL};

const cli_option cli_opt_db = {
	.name = "db",
	.arg = "PATH",
	.kind = CLI_STRING,
	.help = "データベース（既定: $SASAE_DB、なければ ./sasae.db）",
	.common = true,
	.offset = offsetof(cli_common, db),
};

const cli_option cli_opt_plan = {
	.name = "plan",
	.arg = "SLUG[@N]",
	.kind = CLI_STRING,
	.help = "計画（既定: 最後に取り込んだ計画の最新版）",
	.common = true,
	.offset = offsetof(cli_common, plan),
};

const cli_option cli_opt_format = {
	.name = "format",
	.arg = "FMT",
	.kind = CLI_ENUM,
	.choices = cli_formats_text_json,
	.help = "text（既定）または json",
	.common = true,
	.offset = offsetof(cli_common, format),
};

const cli_option cli_opt_help = {
	.name = "help",
	.kind = CLI_FLAG,
	.help = "この説明を表示する",
	.stop = true,
	.common = true,
	.offset = offsetof(cli_common, help),
};

void cli_list_free(cli_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

/* Is the end of a table reached at o? */
static bool at_end(const cli_option *o) { return o->use == NULL && o->name == NULL && o->short_name == 0; }

/* The option o stands for: the shared option with o's own arg, help, choices, short name and
   hidden mark laid over it, or o itself. */
static cli_option resolve(const cli_option *o)
{
	if (o->use == NULL)
		return *o;
	cli_option r = *o->use;
	r.use = NULL;
	if (o->arg)
		r.arg = o->arg;
	if (o->help)
		r.help = o->help;
	if (o->choices)
		r.choices = o->choices;
	if (o->short_name)
		r.short_name = o->short_name;
	if (o->hidden)
		r.hidden = true;
	return r;
}

/*
 * The option whose long name is name[0..len): an exact match, else the only option the text is a
 * prefix of (entries standing for the same name count once).  Returns false when there is none or
 * the prefix is ambiguous.
 */
static bool find_long(cli_option *out, const cli_option *options, const char *name, size_t len)
{
	if (len == 0)
		return false;
	const char *prefix_of = NULL;
	bool ambiguous = false;
	for (const cli_option *o = options; !at_end(o); o++) {
		cli_option r = resolve(o);
		if (r.name == NULL || strncmp(r.name, name, len) != 0)
			continue;
		if (r.name[len] == '\0') {
			*out = r;
			return true;
		}
		if (prefix_of == NULL) {
			prefix_of = r.name;
			*out = r;
		} else if (strcmp(prefix_of, r.name) != 0) {
			ambiguous = true;
		}
	}
	return prefix_of != NULL && !ambiguous;
}

/* The option with the short name c; false when there is none. */
static bool find_short(cli_option *out, const cli_option *options, char c)
{
	for (const cli_option *o = options; !at_end(o); o++) {
		cli_option r = resolve(o);
		if (r.short_name == c) {
			*out = r;
			return true;
		}
	}
	return false;
}

/* The length of the separator character at s (one of seps, UTF-8), or 0. */
static size_t separator_at(const char *s, const char *seps)
{
	for (const char *p = seps; *p;) {
		size_t n = 1;
		while (((unsigned char)p[n] & 0xC0) == 0x80)
			n++;
		if (strncmp(s, p, n) == 0)
			return n;
		p += n;
	}
	return 0;
}

/* Append the pieces of value (split at seps, NULL: not split; empty pieces dropped) to l. */
static int list_add(cli_list *l, const char *value, const char *seps, sasae_error *err)
{
	const char *p = value;
	while (*p) {
		size_t skip = seps ? separator_at(p, seps) : 0;
		if (skip) {
			p += skip;
			continue;
		}
		const char *start = p;
		while (*p && !(seps && separator_at(p, seps)))
			p++;
		char **items = realloc(l->items, (l->n + 1) * sizeof *items);
		if (items == NULL)
			return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		l->items = items;
		size_t n = (size_t)(p - start);
		if ((l->items[l->n] = malloc(n + 1)) == NULL)
			return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		memcpy(l->items[l->n], start, n);
		l->items[l->n++][n] = '\0';
	}
	return 0;
}

/* Parse value as the integer option o (named option in messages). */
static int parse_int(int *dest, const cli_option *o, const char *option, const char *value, sasae_error *err)
{
	char *end;
	errno = 0;
	long v = strtol(value, &end, 10);
	if (errno || *value == '\0' || *end != '\0' || v < o->min || v > INT_MAX)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "%s には %d 以上の整数を指定してください（「%s」は使えません）",
				       option, o->min, value);
	if (o->max && v > o->max)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0, "%s は %d から %d までです", option,
				       o->min, o->max);
	*dest = (int)v;
	return 0;
}

/* Check value against o's choices and store the choice. */
static int parse_enum(const char **dest, const cli_option *o, const char *option, const char *value,
		      sasae_error *err)
{
	for (size_t i = 0; o->choices[i]; i++)
		if (strcmp(value, o->choices[i]) == 0) {
			*dest = o->choices[i];
			return 0;
		}
	sasae_buf list = SASAE_BUF_INIT;
	for (size_t i = 0; o->choices[i]; i++)
		sasae_buf_appendf(&list, "%s%s", i ? ", " : "", o->choices[i]);
	int rc = sasae_error_set(err, SASAE_EUSAGE, NULL, 0, "%s「%s」は使えません。選べるのは: %s", option,
				 value, sasae_buf_cstr(&list));
	sasae_buf_free(&list);
	return rc;
}

/* Store the value of option o (value NULL for a flag) where o says. */
static int store(const cli_option *o, const char *value, cli_common *common, void *values, sasae_error *err)
{
	char *dest = (char *)(o->common ? (void *)common : values) + o->offset;
	char option[128];
	if (o->name)
		snprintf(option, sizeof option, "--%s", o->name);
	else
		snprintf(option, sizeof option, "-%c", o->short_name);
	switch (o->kind) {
	case CLI_FLAG: *(bool *)dest = true; return 0;
	case CLI_STRING: *(const char **)dest = value; return 0;
	case CLI_INT: return parse_int((int *)dest, o, option, value, err);
	case CLI_LIST: return list_add((cli_list *)dest, value, o->separators, err);
	case CLI_ENUM: return parse_enum((const char **)dest, o, option, value, err);
	case CLI_CUSTOM: return o->convert(dest, option, value, err);
	case CLI_KIND_UNSET: break;
	}
	return sasae_error_set(err, SASAE_EINTERNAL, NULL, 0, "オプション %s の表に種類がありません", option);
}

/* The error for an argument that names no option, or lacks its value or has one it should not. */
static int unusable(cli_parsed *out, const char *arg, sasae_error *err)
{
	out->bad = arg;
	return sasae_error_set(err, SASAE_EUSAGE, NULL, 0, "オプション「%s」は使えないか、値がありません", arg);
}

/* Parse the long option at argv[*i] ("--name[=value]"); the value may take argv[*i + 1]. */
static int parse_long(cli_parsed *out, cli_option *o, const cli_option *options, int argc, char **argv,
		      int *i, cli_common *common, void *values, sasae_error *err)
{
	const char *arg = argv[*i], *name = arg + 2;
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	if (!find_long(o, options, name, len))
		return unusable(out, arg, err);
	const char *value = NULL;
	if (o->kind == CLI_FLAG) {
		if (eq)
			return unusable(out, arg, err);
	} else if (eq) {
		value = eq + 1;
	} else if (*i + 1 < argc) {
		value = argv[++*i];
	} else {
		return unusable(out, arg, err);
	}
	int rc = store(o, value, common, values, err);
	if (rc)
		out->bad = arg;
	return rc;
}

/* Parse the short options at argv[*i] ("-x", "-xy", "-xVALUE", "-x VALUE"); *o is the last one. */
static int parse_short(cli_parsed *out, cli_option *o, const cli_option *options, int argc, char **argv,
		       int *i, cli_common *common, void *values, sasae_error *err)
{
	const char *arg = argv[*i];
	for (const char *p = arg + 1; *p; p++) {
		if (!find_short(o, options, *p))
			return unusable(out, arg, err);
		const char *value = NULL;
		if (o->kind != CLI_FLAG) {
			if (p[1])
				value = p + 1;
			else if (*i + 1 < argc)
				value = argv[++*i];
			else
				return unusable(out, arg, err);
		}
		int rc = store(o, value, common, values, err);
		if (rc) {
			out->bad = arg;
			return rc;
		}
		if (value || o->stop)
			break;
	}
	return 0;
}

int cli_opts_parse(cli_parsed *out, const cli_option *options, unsigned flags, int argc, char **argv,
		   cli_common *common, void *values, sasae_error *err)
{
	out->noperands = 0;
	out->bad = NULL;
	int next = 1; /* where the next operand goes: argv[1..next) hold the operands so far */
	int rc = 0;
	for (int i = 1; i < argc && rc == 0; i++) {
		char *arg = argv[i];
		bool operand = arg[0] != '-' || arg[1] == '\0';
		if (operand && !(flags & CLI_OPTS_IN_ORDER)) {
			argv[next++] = arg;
			continue;
		}
		if (operand || strcmp(arg, "--") == 0) { /* the rest are operands */
			int from = operand ? i : i + 1;
			memmove(&argv[next], &argv[from], (size_t)(argc - from) * sizeof *argv);
			next += argc - from;
			break;
		}
		cli_option o;
		if (arg[1] == '-')
			rc = parse_long(out, &o, options, argc, argv, &i, common, values, err);
		else
			rc = parse_short(out, &o, options, argc, argv, &i, common, values, err);
		if (rc == 0 && o.stop)
			rc = CLI_OPTS_STOPPED;
	}
	out->noperands = next - 1;
	if (rc < 0)
		cli_opts_free(options, values);
	return rc;
}

void cli_opts_free(const cli_option *options, void *values)
{
	for (const cli_option *o = options; !at_end(o); o++) {
		cli_option r = resolve(o);
		if (r.kind == CLI_LIST && !r.common)
			cli_list_free((cli_list *)(void *)((char *)values + r.offset));
	}
}

/* "-x, --name ARG" for the help. */
static void put_label(sasae_buf *out, const cli_option *o)
{
	if (o->short_name)
		sasae_buf_appendf(out, "-%c%s", o->short_name, o->name ? ", " : "");
	if (o->name)
		sasae_buf_appendf(out, "--%s", o->name);
	if (o->arg)
		sasae_buf_appendf(out, " %s", o->arg);
}

/* The display width of o's label. */
static size_t label_width(const cli_option *o)
{
	sasae_buf b = SASAE_BUF_INIT;
	put_label(&b, o);
	size_t w = sasae_text_width(sasae_buf_cstr(&b));
	sasae_buf_free(&b);
	return w;
}

void cli_opts_help(sasae_buf *out, const char *heading, const cli_option *options, size_t column)
{
	if (column == 0)
		for (const cli_option *o = options; !at_end(o); o++) {
			cli_option r = resolve(o);
			size_t w = label_width(&r);
			if (!r.hidden && w + 2 > column)
				column = w + 2;
		}
	sasae_buf_appendf(out, "%s\n", heading);
	for (const cli_option *o = options; !at_end(o); o++) {
		cli_option r = resolve(o);
		if (r.hidden)
			continue;
		size_t w = label_width(&r);
		sasae_buf_puts(out, "  ");
		put_label(out, &r);
		for (size_t k = w; k < column || k < w + 2; k++)
			sasae_buf_putc(out, ' ');
		for (const char *h = r.help ? r.help : ""; *h; h++) {
			sasae_buf_putc(out, *h);
			if (*h == '\n')
				for (size_t k = 0; k < 2 + column; k++)
					sasae_buf_putc(out, ' ');
		}
		sasae_buf_putc(out, '\n');
	}
}

void cli_help_text(sasae_buf *out, const cli_help *help, const cli_option *options)
{
	sasae_buf_appendf(out, "使い方: %s\n", help->usage ? help->usage : "");
	if (help->description)
		sasae_buf_appendf(out, "\n%s\n", help->description);
	bool any = false;
	for (const cli_option *o = options; !at_end(o) && !any; o++)
		any = !resolve(o).hidden;
	if (any) {
		sasae_buf_putc(out, '\n');
		cli_opts_help(out, "オプション:", options, 0);
	}
	if (help->examples) {
		sasae_buf_puts(out, "\n例:\n");
		for (const char *line = help->examples; *line;) {
			size_t n = strcspn(line, "\n");
			sasae_buf_puts(out, "  ");
			sasae_buf_append(out, line, n);
			sasae_buf_putc(out, '\n');
			line += n + (line[n] == '\n');
		}
	}
	if (help->exit_codes)
		sasae_buf_appendf(out, "\n終了コード: %s\n", help->exit_codes);
}
