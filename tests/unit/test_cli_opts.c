/*
 * test_cli_opts.c — unit tests of the CLI's option parser and generated help (src/cli/cli_opts.h):
 * each kind of value, "--opt=value" and "--opt value", abbreviations, short options, "--", operands
 * mixed with options, the errors (unknown option, missing value, bad or out-of-range integer,
 * unknown word, a value given to a flag) with their Japanese messages, --help stopping the parse,
 * and the help block made from a table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_opts.h"

/* The values of the test table. */
typedef struct tv {
	bool quiet;         /* --quiet */
	bool names;         /* --names (a longer name beginning with "name") */
	const char *name;   /* --name NAME */
	int count;          /* --count N in 1..10 */
	int offset;         /* --offset N, 0 or more */
	cli_list ids;       /* --id ID… split at "," and "、" */
	const char *color;  /* --color red|green */
	double ratio;       /* --ratio X in (0, 1] (custom) */
	bool verbose;       /* -v, --verbose */
	const char *output; /* -o, --output FILE */
} tv;

static const char *const colors[] = {"red", "green", NULL};

static int convert_ratio(void *dest, const char *option, const char *value, sasae_error *err)
{
	char *end;
	double v = strtod(value, &end);
	if (*value == '\0' || *end != '\0' || !(v > 0 && v <= 1))
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "%s には 0 より大きく 1 以下の数を（「%s」）", option, value);
	*(double *)dest = v;
	return 0;
}

static const cli_option options[] = {
	{.name = "quiet", .kind = CLI_FLAG, .help = "静かに", .offset = offsetof(tv, quiet)},
	{.name = "names", .kind = CLI_FLAG, .help = "名前の一覧", .offset = offsetof(tv, names)},
	{.name = "name", .arg = "NAME", .kind = CLI_STRING, .help = "名前", .offset = offsetof(tv, name)},
	{.name = "count",
	 .arg = "N",
	 .kind = CLI_INT,
	 .min = 1,
	 .max = 10,
	 .help = "数（1〜10）",
	 .offset = offsetof(tv, count)},
	{.name = "offset", .arg = "N", .kind = CLI_INT, .min = 0, .help = "位置", .offset = offsetof(tv, offset)},
	{.name = "id",
	 .arg = "ID",
	 .kind = CLI_LIST,
	 .separators = ",、",
	 .help = "ID（繰り返すか「,」で区切る）",
	 .offset = offsetof(tv, ids)},
	{.name = "color",
	 .arg = "色",
	 .kind = CLI_ENUM,
	 .choices = colors,
	 .help = "red か green\n二行目の説明",
	 .offset = offsetof(tv, color)},
	{.name = "ratio",
	 .arg = "X",
	 .kind = CLI_CUSTOM,
	 .convert = convert_ratio,
	 .help = "割合",
	 .offset = offsetof(tv, ratio)},
	{.name = "verbose", .short_name = 'v', .kind = CLI_FLAG, .help = "詳しく", .offset = offsetof(tv, verbose)},
	{.name = "output",
	 .short_name = 'o',
	 .arg = "FILE",
	 .kind = CLI_STRING,
	 .help = "出力先",
	 .offset = offsetof(tv, output)},
	{.use = &cli_opt_plan},
	{.use = &cli_opt_format},
	{.use = &cli_opt_db},
	{.use = &cli_opt_help},
	{.use = &cli_opt_help, .short_name = 'h', .hidden = true},
	CLI_OPTIONS_END,
};

/* One parse: the arguments (after the command's name), and what came of it. */
typedef struct run {
	char *argv[32];
	int argc;
	cli_parsed parsed;
	cli_common common;
	tv v;
	sasae_error err;
	int rc;
} run;

/* Parse the NULL-terminated words with the test table (flags as cli_opts_parse). */
static void parse(run *r, unsigned flags, ...)
{
	memset(r, 0, sizeof *r);
	r->argv[r->argc++] = (char *)(uintptr_t) "test";
	va_list ap;
	va_start(ap, flags);
	for (const char *w; (w = va_arg(ap, const char *)) != NULL;) {
		assert_true(r->argc < 31);
		r->argv[r->argc++] = (char *)(uintptr_t)w;
	}
	va_end(ap);
	r->common.db = "default.db";
	r->v.count = 5;
	r->rc = cli_opts_parse(&r->parsed, options, flags, r->argc, r->argv, &r->common, &r->v, &r->err);
}

/* The parse succeeded (fails the test with the message otherwise). */
static void ok(const run *r)
{
	if (r->rc != 0)
		fail_msg("rc %d: %s (bad %s)", r->rc, r->err.message, r->parsed.bad ? r->parsed.bad : "-");
}

/* The parse failed with a usage error about the argument bad, and this message. */
static void usage_error(const run *r, const char *bad, const char *message)
{
	assert_int_equal(r->rc, SASAE_EUSAGE);
	assert_non_null(r->parsed.bad);
	assert_string_equal(r->parsed.bad, bad);
	assert_string_equal(r->err.message, message);
	assert_int_equal(r->v.ids.n, 0); /* lists freed on error */
	assert_null(r->v.ids.items);
}

static void test_nothing(void **state)
{
	(void)state;
	run r;
	parse(&r, 0, NULL);
	ok(&r);
	assert_int_equal(r.parsed.noperands, 0);
	assert_false(r.v.quiet);
	assert_int_equal(r.v.count, 5); /* defaults stay */
	assert_string_equal(r.common.db, "default.db");
	assert_null(r.common.plan);
	assert_null(r.common.format);
}

/* Each kind, in both spellings, with operands between them, kept in order. */
static void test_kinds_and_operands(void **state)
{
	(void)state;
	run r;
	parse(&r, 0, "a", "--quiet", "--name", "花子", "b", "--count=7", "--offset", "0", "--color=green",
	      "--ratio", "0.5", "--plan=city@2", "c", "--format", "json", "--db", "x.db", NULL);
	ok(&r);
	assert_true(r.v.quiet);
	assert_false(r.v.names);
	assert_string_equal(r.v.name, "花子");
	assert_int_equal(r.v.count, 7);
	assert_int_equal(r.v.offset, 0);
	assert_ptr_equal(r.v.color, colors[1]); /* the table's word */
	assert_true(r.v.ratio == 0.5);
	assert_string_equal(r.common.plan, "city@2");
	assert_ptr_equal(r.common.format, cli_formats_text_json[1]);
	assert_string_equal(r.common.db, "x.db");
	assert_int_equal(r.parsed.noperands, 3);
	assert_string_equal(r.argv[1], "a");
	assert_string_equal(r.argv[2], "b");
	assert_string_equal(r.argv[3], "c");
}

/* A string option given twice: the last one counts; an empty value after "=" is a value. */
static void test_repeated_string(void **state)
{
	(void)state;
	run r;
	parse(&r, 0, "--name", "one", "--name=two", NULL);
	ok(&r);
	assert_string_equal(r.v.name, "two");
	parse(&r, 0, "--name=", NULL);
	ok(&r);
	assert_string_equal(r.v.name, "");
	/* the next word is the value even when it looks like an option */
	parse(&r, 0, "--name", "--quiet", NULL);
	ok(&r);
	assert_string_equal(r.v.name, "--quiet");
	assert_false(r.v.quiet);
}

/* A list: repeated, split at ASCII and Japanese separators, empty pieces dropped. */
static void test_list(void **state)
{
	(void)state;
	run r;
	parse(&r, 0, "--id", "a,b", "--id=c、高齢者", "--id", ",,", "--id", "d", NULL);
	ok(&r);
	assert_int_equal(r.v.ids.n, 5);
	const char *want[] = {"a", "b", "c", "高齢者", "d"};
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(r.v.ids.items[i], want[i]);
	cli_opts_free(options, &r.v);
	assert_int_equal(r.v.ids.n, 0);
	assert_null(r.v.ids.items);
	cli_list_free(NULL); /* no-op */
}

/* Integers: not a number, below the minimum, above the maximum. */
static void test_int_errors(void **state)
{
	(void)state;
	static const struct {
		const char *value, *message;
	} cases[] = {
		{"x", "--count には 1 以上の整数を指定してください（「x」は使えません）"},
		{"", "--count には 1 以上の整数を指定してください（「」は使えません）"},
		{"3x", "--count には 1 以上の整数を指定してください（「3x」は使えません）"},
		{"0", "--count には 1 以上の整数を指定してください（「0」は使えません）"},
		{"-2", "--count には 1 以上の整数を指定してください（「-2」は使えません）"},
		{"99999999999", "--count には 1 以上の整数を指定してください（「99999999999」は使えません）"},
		{"11", "--count は 1 から 10 までです"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		run r;
		parse(&r, 0, "--id", "a", "--count", cases[i].value, NULL);
		usage_error(&r, "--count", cases[i].message);
	}
	run r;
	parse(&r, 0, "--count=10", "--offset=-1", NULL);
	usage_error(&r, "--offset=-1", "--offset には 0 以上の整数を指定してください（「-1」は使えません）");
	parse(&r, 0, "--count", "10", NULL);
	ok(&r);
	assert_int_equal(r.v.count, 10);
}

/* An enum word that is not a choice; the shared --format's choices. */
static void test_enum_errors(void **state)
{
	(void)state;
	run r;
	parse(&r, 0, "--color", "blue", NULL);
	usage_error(&r, "--color", "--color「blue」は使えません。選べるのは: red, green");
	parse(&r, 0, "--format=xml", NULL);
	usage_error(&r, "--format=xml", "--format「xml」は使えません。選べるのは: text, json");
}

/* A custom conversion's own message. */
static void test_custom(void **state)
{
	(void)state;
	run r;
	parse(&r, 0, "--ratio", "2", NULL);
	usage_error(&r, "--ratio", "--ratio には 0 より大きく 1 以下の数を（「2」）");
}

/* Unknown options, a missing value, a value given to a flag: the argument as given is named. */
static void test_unusable(void **state)
{
	(void)state;
	static const char *const bad[] = {"--nosuch", "--nosuch=1", "--quiet=1", "-x", "-vx", "---", NULL};
	for (size_t i = 0; bad[i]; i++) {
		run r;
		parse(&r, 0, "--id", "a", bad[i], NULL);
		char want[128];
		snprintf(want, sizeof want, "オプション「%s」は使えないか、値がありません", bad[i]);
		usage_error(&r, bad[i], want);
	}
	run r;
	parse(&r, 0, "op", "--name", NULL); /* the value is missing at the end */
	usage_error(&r, "--name", "オプション「--name」は使えないか、値がありません");
	parse(&r, 0, "-o", NULL);
	usage_error(&r, "-o", "オプション「-o」は使えないか、値がありません");
}

/* Long names may be shortened to an unambiguous prefix; an exact name wins over longer ones. */
static void test_abbreviations(void **state)
{
	(void)state;
	run r;
	parse(&r, 0, "--qu", "--col", "red", "--pl", "p", "--name", "n", NULL);
	ok(&r);
	assert_true(r.v.quiet);
	assert_string_equal(r.v.color, "red");
	assert_string_equal(r.common.plan, "p");
	assert_string_equal(r.v.name, "n");
	assert_false(r.v.names);
	parse(&r, 0, "--nam", "x", NULL); /* name or names */
	usage_error(&r, "--nam", "オプション「--nam」は使えないか、値がありません");
	parse(&r, 0, "--co", "3", NULL); /* count or color */
	usage_error(&r, "--co", "オプション「--co」は使えないか、値がありません");
	parse(&r, 0, "--he", NULL); /* --help and its hidden alias are one option */
	assert_int_equal(r.rc, CLI_OPTS_STOPPED);
}

/* Short options: alone, grouped, with the value joined or apart; a hidden alias. */
static void test_short(void **state)
{
	(void)state;
	run r;
	parse(&r, 0, "-v", "-ofile", NULL);
	ok(&r);
	assert_true(r.v.verbose);
	assert_string_equal(r.v.output, "file");
	parse(&r, 0, "-vo", "out", "x", NULL);
	ok(&r);
	assert_true(r.v.verbose);
	assert_string_equal(r.v.output, "out");
	assert_int_equal(r.parsed.noperands, 1);
	assert_string_equal(r.argv[1], "x");
	parse(&r, 0, "-h", NULL);
	assert_int_equal(r.rc, CLI_OPTS_STOPPED);
	assert_true(r.common.help);
}

/* "--" ends the options; "-" alone is an operand. */
static void test_double_dash(void **state)
{
	(void)state;
	run r;
	parse(&r, 0, "a", "-", "--quiet", "--", "--name", "-v", "b", NULL);
	ok(&r);
	assert_true(r.v.quiet);
	assert_null(r.v.name);
	assert_false(r.v.verbose);
	assert_int_equal(r.parsed.noperands, 5);
	const char *want[] = {"a", "-", "--name", "-v", "b"};
	for (int i = 0; i < 5; i++)
		assert_string_equal(r.argv[1 + i], want[i]);
}

/* --help stops the parse where it stands: errors after it are not seen, errors before it are. */
static void test_help_stops(void **state)
{
	(void)state;
	run r;
	parse(&r, 0, "--id", "a", "--help", "--nosuch", "--count", "x", NULL);
	assert_int_equal(r.rc, CLI_OPTS_STOPPED);
	assert_true(r.common.help);
	assert_int_equal(r.v.ids.n, 1); /* not freed: the caller frees (cli_opts_free) */
	cli_opts_free(options, &r.v);
	parse(&r, 0, "--nosuch", "--help", NULL);
	usage_error(&r, "--nosuch", "オプション「--nosuch」は使えないか、値がありません");
}

/* In order: the first operand ends the options (sasae [--db PATH] COMMAND …). */
static void test_in_order(void **state)
{
	(void)state;
	run r;
	parse(&r, CLI_OPTS_IN_ORDER, "--db", "y.db", "list", "--quiet", "--nosuch", NULL);
	ok(&r);
	assert_string_equal(r.common.db, "y.db");
	assert_false(r.v.quiet);
	assert_int_equal(r.parsed.noperands, 3);
	assert_string_equal(r.argv[1], "list");
	assert_string_equal(r.argv[2], "--quiet");
	assert_string_equal(r.argv[3], "--nosuch");
}

/* The help block: labels padded to the widest + 2 (display width: 色 counts 2), continuation lines
   under the help, short names shown, hidden entries left out, shared options with their help. */
static void test_help_block(void **state)
{
	(void)state;
	sasae_buf b = SASAE_BUF_INIT;
	cli_opts_help(&b, "オプション:", options, 0);
	const char *want = "オプション:\n"
			   "  --quiet            静かに\n"
			   "  --names            名前の一覧\n"
			   "  --name NAME        名前\n"
			   "  --count N          数（1〜10）\n"
			   "  --offset N         位置\n"
			   "  --id ID            ID（繰り返すか「,」で区切る）\n"
			   "  --color 色         red か green\n"
			   "                     二行目の説明\n"
			   "  --ratio X          割合\n"
			   "  -v, --verbose      詳しく\n"
			   "  -o, --output FILE  出力先\n"
			   "  --plan SLUG[@N]    計画（既定: 最後に取り込んだ計画の最新版）\n"
			   "  --format FMT       text（既定）または json\n"
			   "  --db PATH          データベース（既定: $SASAE_DB、なければ ./sasae.db）\n"
			   "  --help             この説明を表示する\n";
	assert_string_equal(sasae_buf_cstr(&b), want);
	/* a fixed column narrower than a label: two spaces still follow it */
	static const cli_option two[] = {
		{.use = &cli_opt_db, .help = "DB"},
		{.name = "very-long-option", .arg = "X", .kind = CLI_STRING, .help = "長い"},
		CLI_OPTIONS_END,
	};
	sasae_buf_clear(&b);
	cli_opts_help(&b, "共通オプション:", two, 12);
	assert_string_equal(sasae_buf_cstr(&b), "共通オプション:\n"
						"  --db PATH   DB\n"
						"  --very-long-option X  長い\n");
	sasae_buf_free(&b);
}

/* The whole help of a command: usage, description, options, examples, exit codes. */
static void test_help_text(void **state)
{
	(void)state;
	static const cli_option opts[] = {{.use = &cli_opt_db}, {.use = &cli_opt_help}, CLI_OPTIONS_END};
	static const cli_help help = {
		.usage = "sasae demo [--db PATH]\n       sasae demo --help",
		.description = "説明の一行目。\n二行目。",
		.examples = "sasae demo\nsasae demo --db x.db",
		.exit_codes = "0 成功, 2 使い方の誤り",
	};
	sasae_buf b = SASAE_BUF_INIT;
	cli_help_text(&b, &help, opts);
	assert_string_equal(sasae_buf_cstr(&b),
			    "使い方: sasae demo [--db PATH]\n"
			    "       sasae demo --help\n\n"
			    "説明の一行目。\n二行目。\n\n"
			    "オプション:\n"
			    "  --db PATH  データベース（既定: $SASAE_DB、なければ ./sasae.db）\n"
			    "  --help     この説明を表示する\n\n"
			    "例:\n"
			    "  sasae demo\n"
			    "  sasae demo --db x.db\n\n"
			    "終了コード: 0 成功, 2 使い方の誤り\n");
	static const cli_help bare = {.usage = "sasae bare"};
	static const cli_option none[] = {CLI_OPTIONS_END};
	sasae_buf_clear(&b);
	cli_help_text(&b, &bare, none);
	assert_string_equal(sasae_buf_cstr(&b), "使い方: sasae bare\n");
	sasae_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing),         cmocka_unit_test(test_kinds_and_operands),
		cmocka_unit_test(test_repeated_string), cmocka_unit_test(test_list),
		cmocka_unit_test(test_int_errors),      cmocka_unit_test(test_enum_errors),
		cmocka_unit_test(test_custom),          cmocka_unit_test(test_unusable),
		cmocka_unit_test(test_abbreviations),   cmocka_unit_test(test_short),
		cmocka_unit_test(test_double_dash),     cmocka_unit_test(test_help_stops),
		cmocka_unit_test(test_in_order),        cmocka_unit_test(test_help_block),
		cmocka_unit_test(test_help_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
