/*
 * parse.c — the plan-list push parser (see include/core/sasae/parse.h and docs/format.md).
 *
 * Lines are cut from the fed bytes and classified one at a time: blank, title, section heading,
 * column header, separator, row, or continuation of the row above.  A row stays pending until the
 * next row, heading or the end, because a page break (blank lines) can split it.  When a row is
 * flushed its cells are finished: 【再掲】 and wrap spaces are removed from the name, and the
 * department cells are split, their notes kept apart and their names canonicalised.
 */
#include "sasae/parse.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/buf.h"
#include "sasae/text.h"

enum {
	MAX_LINE = 1 << 20,      /* longest line accepted (bytes) */
	MAX_TITLE_LINES = 20,    /* non-blank lines before the first heading */
	MAX_CELLS = 4,           /* No, 事業名, 事業概要, 担当局等 */
	MAX_DEPTS_PER_TOKEN = 8, /* run-together names split from one token */
	PROGRESS_EVERY = 1 << 16,
};

struct sasae_parser {
	char *file;                   /* document name for messages (owned) */
	const sasae_dept_table *depts; /* borrowed, may be NULL */
	sasae_parse_sink sink;
	sasae_buf line;     /* bytes of the current, not yet complete line */
	long lineno;        /* number of the last complete line */
	size_t consumed;    /* bytes fed so far */
	size_t next_progress;
	int rc;             /* sticky error */
	bool in_body;       /* a section heading has been seen */
	sasae_buf title;
	int title_lines;
	long first_line;    /* first non-blank line (for "not a plan list" messages) */
	int part;           /* current part (0: none yet) */
	int section;        /* current section number as printed */
	int section_index;  /* 1-based order of the current section within its part */
	long section_line;
	int section_rows;   /* listings in the current section */
	/* the pending row */
	bool pending;
	long row_number;
	long row_line;
	sasae_buf name;
	sasae_buf summary;
	sasae_department *row_depts;
	size_t nrow_depts, cap_depts;
	size_t listings; /* listings emitted */
};

sasae_parser *sasae_parser_new(const char *file, const sasae_dept_table *depts, const sasae_parse_sink *sink)
{
	sasae_parser *p = calloc(1, sizeof *p);
	if (p == NULL)
		return NULL;
	p->file = sasae_strdup(file ? file : "-");
	if (p->file == NULL) {
		free(p);
		return NULL;
	}
	p->depts = depts;
	if (sink)
		p->sink = *sink;
	p->next_progress = PROGRESS_EVERY;
	return p;
}

static void clear_row(sasae_parser *p)
{
	sasae_buf_clear(&p->name);
	sasae_buf_clear(&p->summary);
	for (size_t i = 0; i < p->nrow_depts; i++) {
		free(p->row_depts[i].name);
		free(p->row_depts[i].note);
		free(p->row_depts[i].printed);
	}
	p->nrow_depts = 0;
	p->pending = false;
}

void sasae_parser_free(sasae_parser *p)
{
	if (p == NULL)
		return;
	clear_row(p);
	free(p->row_depts);
	sasae_buf_free(&p->name);
	sasae_buf_free(&p->summary);
	sasae_buf_free(&p->line);
	sasae_buf_free(&p->title);
	free(p->file);
	free(p);
}

/* Record a data error at the current line; returns SASAE_EDATA. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(sasae_parser *p, sasae_error *err, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	p->rc = sasae_error_set(err, SASAE_EDATA, p->file, p->lineno, "%s", msg);
	return p->rc;
}

static int oom(sasae_parser *p, sasae_error *err)
{
	p->rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	return p->rc;
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void warn(sasae_parser *p, long line, const char *kind, const char *fmt, ...)
{
	if (p->sink.on_warning == NULL)
		return;
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sasae_warning w = {p->file, line, kind, msg};
	p->sink.on_warning(p->sink.ctx, &w);
}

/* A cell of a line: [b, e) */
typedef struct cell {
	const char *b;
	size_t n;
} cell;

/* Split a line at TABs into at most max cells; returns the total number of cells (may be > max). */
static size_t split_cells(const char *s, size_t n, cell *cells, size_t max)
{
	size_t count = 0, start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '\t') {
			if (count < max)
				cells[count] = (cell){s + start, i - start};
			count++;
			start = i + 1;
		}
	}
	return count;
}

static bool is_blank(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		int32_t cp;
		size_t k = sasae_utf8_decode(s + i, n - i, &cp);
		if (k == 0 || !sasae_text_is_space(cp))
			return false;
		i += k;
	}
	return true;
}

/* Read one decimal digit (ASCII or full-width) at s; returns its length and sets *d, or 0. */
static size_t digit_at(const char *s, size_t n, int *d)
{
	if (n >= 1 && s[0] >= '0' && s[0] <= '9') {
		*d = s[0] - '0';
		return 1;
	}
	int32_t cp;
	size_t k = sasae_utf8_decode(s, n, &cp);
	if (k && cp >= 0xFF10 && cp <= 0xFF19) {
		*d = (int)(cp - 0xFF10);
		return k;
	}
	return 0;
}

/* Parse digits at s; returns bytes used (0 when none), the value in *v (saturated at 10^9). */
static size_t number_at(const char *s, size_t n, long *v)
{
	size_t i = 0;
	int d;
	*v = 0;
	for (size_t k; (k = digit_at(s + i, n - i, &d)) != 0; i += k)
		*v = *v >= 100000000 ? 1000000000 : *v * 10 + d;
	return i;
}

/* A section heading "(N) title" / "（Ｎ）title"; sets *number and the title span. */
static bool is_heading(const char *s, size_t n, long *number, const char **title, size_t *tlen)
{
	if (memchr(s, '\t', n))
		return false;
	size_t i = 0;
	int32_t cp;
	size_t k;
	while (i < n && (k = sasae_utf8_decode(s + i, n - i, &cp)) && sasae_text_is_space(cp))
		i += k;
	k = sasae_utf8_decode(s + i, n - i, &cp);
	if (k == 0 || (cp != '(' && cp != 0xFF08))
		return false;
	i += k;
	size_t d = number_at(s + i, n - i, number);
	if (d == 0 || d > 9)
		return false;
	i += d;
	k = sasae_utf8_decode(s + i, n - i, &cp);
	if (k == 0 || (cp != ')' && cp != 0xFF09))
		return false;
	i += k;
	*title = s + i;
	*tlen = n - i;
	return true;
}

/* A separator line: only dashes (of any kind), TABs and spaces, with at least one dash. */
static bool is_separator(const char *s, size_t n)
{
	bool dash = false;
	size_t i = 0;
	while (i < n) {
		int32_t cp;
		size_t k = sasae_utf8_decode(s + i, n - i, &cp);
		if (k == 0)
			return false;
		if (cp == '-' || cp == 0x2010 || cp == 0x2012 || cp == 0x2013 || cp == 0x2014 ||
		    cp == 0x2015 || cp == 0x2212 || cp == 0xFF0D || cp == 0x2500)
			dash = true;
		else if (!sasae_text_is_space(cp))
			return false;
		i += k;
	}
	return dash;
}

/* The column header "No<TAB>事業名<TAB>…": first cell No/NO/Ｎｏ/№ and at least one TAB. */
static bool is_header(const cell *c, size_t ncells)
{
	if (ncells < 2)
		return false;
	sasae_buf b = SASAE_BUF_INIT;
	sasae_text_append_trimmed(&b, c[0].b, c[0].n);
	const char *s = sasae_buf_cstr(&b);
	bool yes = strcmp(s, "No") == 0 || strcmp(s, "NO") == 0 || strcmp(s, "no") == 0 ||
		   strcmp(s, "No.") == 0 || strcmp(s, "Ｎｏ") == 0 || strcmp(s, "№") == 0 ||
		   strcmp(s, "番号") == 0;
	sasae_buf_free(&b);
	return yes;
}

/* A row: starts with a decimal number immediately followed by a TAB. */
static bool is_row(const char *s, size_t n, long *number)
{
	size_t d = number_at(s, n, number);
	return d > 0 && d < n && s[d] == '\t';
}

/* Append a name or summary fragment, warning when the join looks like a doubled character. */
static void append_fragment(sasae_parser *p, sasae_buf *to, const cell *c, const char *what)
{
	sasae_buf frag = SASAE_BUF_INIT;
	sasae_text_append_trimmed(&frag, c->b, c->n);
	if (frag.len > 0 && to->len > 0) {
		int32_t a = sasae_text_last_cp(sasae_buf_cstr(to));
		int32_t b = sasae_text_first_cp(sasae_buf_cstr(&frag));
		if (a == b && a > 0x7F) {
			char ch[5] = {0};
			sasae_utf8_encode(a, ch);
			warn(p, p->lineno, "doubled-char",
			     "継続行のつなぎ目で%sの文字「%s」が重なっています（印刷どおりに残します。誤りなら原稿を直してください）",
			     what, ch);
		}
	}
	sasae_buf_append(to, frag.data ? frag.data : "", frag.len);
	if (!sasae_buf_ok(&frag))
		to->oom = true;
	sasae_buf_free(&frag);
}

/* Add one department: its canonical name, and the token as printed when that differs (else NULL).
   0 or SASAE_ENOMEM. */
static int add_dept_name(sasae_parser *p, const char *name, const char *printed)
{
	if (p->nrow_depts == p->cap_depts) {
		size_t c = p->cap_depts ? p->cap_depts * 2 : 4;
		sasae_department *d = realloc(p->row_depts, c * sizeof *d);
		if (d == NULL)
			return SASAE_ENOMEM;
		p->row_depts = d;
		p->cap_depts = c;
	}
	char *s = sasae_strdup(name);
	char *pr = printed && strcmp(printed, name) != 0 ? sasae_strdup(printed) : NULL;
	if (s == NULL || (printed && strcmp(printed, name) != 0 && pr == NULL)) {
		free(s);
		return SASAE_ENOMEM;
	}
	p->row_depts[p->nrow_depts++] = (sasae_department){.name = s, .note = NULL, .printed = pr};
	return 0;
}

/* One space-free department token: canonicalise, or split run-together names, or keep + warn. */
static int add_dept_token(sasae_parser *p, const char *tok)
{
	if (p->depts == NULL)
		return add_dept_name(p, tok, NULL);
	const char *canon = sasae_dept_table_canonical(p->depts, tok);
	if (canon)
		return add_dept_name(p, canon, tok);
	const char *parts[MAX_DEPTS_PER_TOKEN];
	size_t n = sasae_dept_table_split(p->depts, tok, parts, MAX_DEPTS_PER_TOKEN);
	if (n > 0) {
		for (size_t i = 0; i < n; i++)
			if (add_dept_name(p, parts[i], tok))
				return SASAE_ENOMEM;
		return 0;
	}
	warn(p, p->lineno, "unknown-department",
	     "担当局等「%s」は部署の表（data/departments.tsv）にありません。表記ゆれなら別名として表に加えてください", tok);
	return add_dept_name(p, tok, NULL);
}

/* Attach a parenthesised note to the last department of the row (joined with "、" if several). */
static int add_dept_note(sasae_parser *p, const char *note)
{
	if (p->nrow_depts == 0) {
		warn(p, p->lineno, "orphan-note", "担当局等の注記「%s」の前に部署名がありません", note);
		return 0;
	}
	sasae_department *d = &p->row_depts[p->nrow_depts - 1];
	sasae_buf b = SASAE_BUF_INIT;
	if (d->note) {
		sasae_buf_puts(&b, d->note);
		sasae_buf_puts(&b, "、");
	}
	sasae_buf_puts(&b, note);
	char *s = sasae_buf_detach(&b);
	if (s == NULL)
		return SASAE_ENOMEM;
	free(d->note);
	d->note = s;
	return 0;
}

/* Parse a department cell: names separated by spaces, "(note)" after a name. */
static int add_departments(sasae_parser *p, const cell *c)
{
	const char *s = c->b;
	size_t n = c->n, i = 0;
	sasae_buf tok = SASAE_BUF_INIT;
	int rc = 0;
	while (i < n && rc == 0) {
		int32_t cp;
		size_t k = sasae_utf8_decode(s + i, n - i, &cp);
		if (k == 0)
			k = 1, cp = '?';
		if (sasae_text_is_space(cp) || cp == '(' || cp == 0xFF08) {
			if (tok.len) {
				rc = add_dept_token(p, sasae_buf_cstr(&tok));
				sasae_buf_clear(&tok);
			}
			i += k;
			if (cp == '(' || cp == 0xFF08) { /* a note up to the matching close paren */
				int depth = 1;
				size_t b = i;
				while (i < n && depth > 0) {
					k = sasae_utf8_decode(s + i, n - i, &cp);
					if (k == 0)
						k = 1, cp = '?';
					if (cp == '(' || cp == 0xFF08)
						depth++;
					else if (cp == ')' || cp == 0xFF09)
						depth--;
					i += k;
				}
				size_t e = depth == 0 ? i - k : i;
				sasae_buf note = SASAE_BUF_INIT;
				sasae_text_append_trimmed(&note, s + b, e - b);
				if (note.len && rc == 0)
					rc = add_dept_note(p, sasae_buf_cstr(&note));
				sasae_buf_free(&note);
			}
			continue;
		}
		sasae_buf_append(&tok, s + i, k);
		i += k;
	}
	if (rc == 0 && tok.len)
		rc = add_dept_token(p, sasae_buf_cstr(&tok));
	if (!sasae_buf_ok(&tok))
		rc = SASAE_ENOMEM;
	sasae_buf_free(&tok);
	return rc;
}

/* Finish the pending row and hand it to the sink. */
static int flush_row(sasae_parser *p, sasae_error *err)
{
	if (!p->pending)
		return 0;
	bool relisted = sasae_text_strip_relist_marker(&p->name);
	sasae_buf name = SASAE_BUF_INIT;
	sasae_text_remove_wrap_spaces(&name, sasae_buf_cstr(&p->name));
	sasae_buf summary = SASAE_BUF_INIT;
	sasae_text_append_trimmed(&summary, sasae_buf_cstr(&p->summary), p->summary.len);
	int rc = 0;
	if (!sasae_buf_ok(&name) || !sasae_buf_ok(&summary) || !sasae_buf_ok(&p->name) ||
	    !sasae_buf_ok(&p->summary)) {
		rc = oom(p, err);
		goto done;
	}
	if (name.len == 0)
		warn(p, p->row_line, "empty-name", "No.%ld の事業名が空です", p->row_number);
	p->section_rows++;
	sasae_listing l = {
		.part = p->part,
		.section = p->section,
		.section_index = p->section_index,
		.position = p->section_rows,
		.number = p->row_number,
		.name = (char *)(uintptr_t)sasae_buf_cstr(&name),
		.summary = (char *)(uintptr_t)sasae_buf_cstr(&summary),
		.relisted = relisted,
		.departments = p->row_depts,
		.ndepartments = p->nrow_depts,
		.program = NULL,
		.source_line = p->row_line,
	};
	p->listings++;
	if (p->sink.on_listing && (rc = p->sink.on_listing(p->sink.ctx, &l)) != 0) {
		p->rc = rc;
		if (err && err->code == 0)
			sasae_error_set(err, rc, p->file, p->row_line, "取り込みを中断しました");
	}
done:
	sasae_buf_free(&name);
	sasae_buf_free(&summary);
	clear_row(p);
	return rc;
}

static int finish_title(sasae_parser *p)
{
	p->in_body = true;
	if (p->sink.on_title)
		return p->sink.on_title(p->sink.ctx, sasae_buf_cstr(&p->title));
	return 0;
}

/* Append one title line without markdown decoration (** and leading #). */
static void add_title_line(sasae_parser *p, const char *s, size_t n)
{
	sasae_buf t = SASAE_BUF_INIT;
	sasae_text_append_trimmed(&t, s, n);
	const char *b = sasae_buf_cstr(&t);
	size_t len = t.len;
	while (len && (*b == '*' || *b == '#'))
		b++, len--;
	while (len && b[len - 1] == '*')
		len--;
	sasae_text_append_trimmed(&p->title, b, len);
	if (!sasae_buf_ok(&t))
		p->title.oom = true;
	sasae_buf_free(&t);
}

static int on_heading(sasae_parser *p, long number, const char *title, size_t tlen, sasae_error *err)
{
	int rc = flush_row(p, err);
	if (rc)
		return rc;
	if (!p->in_body && (rc = finish_title(p)) != 0)
		return p->rc = rc;
	if (p->part > 0 && p->section_rows == 0)
		warn(p, p->section_line, "empty-section", "見出し (%d) の下に事業の行がありません", p->section);
	if (p->part == 0 || number == 1) {
		p->part++;
		p->section_index = 0;
		if (p->sink.on_part && (rc = p->sink.on_part(p->sink.ctx, p->part)) != 0)
			return p->rc = rc;
	} else if (number != p->section + 1) {
		warn(p, p->lineno, "section-numbering", "見出しの番号が (%d) の次に (%ld) になっています",
		     p->section, number);
	}
	p->section = (int)number;
	p->section_index++;
	p->section_line = p->lineno;
	p->section_rows = 0;
	sasae_buf t = SASAE_BUF_INIT;
	sasae_text_append_trimmed(&t, title, tlen);
	if (!sasae_buf_ok(&t)) {
		sasae_buf_free(&t);
		return oom(p, err);
	}
	if (p->sink.on_section)
		rc = p->sink.on_section(p->sink.ctx, p->part, p->section, sasae_buf_cstr(&t), p->lineno);
	sasae_buf_free(&t);
	if (rc)
		p->rc = rc;
	return rc;
}

static int start_row(sasae_parser *p, long number, const cell *cells, size_t ncells, sasae_error *err)
{
	int rc = flush_row(p, err);
	if (rc)
		return rc;
	p->pending = true;
	p->row_number = number;
	p->row_line = p->lineno;
	if (ncells > 1)
		append_fragment(p, &p->name, &cells[1], "事業名");
	if (ncells > 2)
		append_fragment(p, &p->summary, &cells[2], "事業概要");
	if (ncells > 3 && (rc = add_departments(p, &cells[3])) != 0)
		return oom(p, err);
	return 0;
}

static int continue_row(sasae_parser *p, const cell *cells, size_t ncells, sasae_error *err)
{
	if (!p->pending)
		return fail(p, err,
			    "この行の上に事業の行がありません。継続行は「番号<TAB>事業名<TAB>事業概要<TAB>担当局等」の行の後に置いてください");
	size_t first = 0;
	if (ncells == 4) {
		if (!is_blank(cells[0].b, cells[0].n))
			return fail(p, err,
				    "4つのセルがある継続行の最初のセル（No）が空ではありません。番号で始まる行なら番号の後に TAB を入れてください");
		first = 1;
	} else if (ncells != 3) {
		return fail(p, err,
			    "前の行の続きとして読めません（セルが %zu 個）。継続行は TAB で区切った3つまたは4つのセルです",
			    ncells);
	}
	append_fragment(p, &p->name, &cells[first], "事業名");
	append_fragment(p, &p->summary, &cells[first + 1], "事業概要");
	if (add_departments(p, &cells[first + 2]))
		return oom(p, err);
	return 0;
}

static int process_line(sasae_parser *p, const char *s, size_t n, sasae_error *err)
{
	if (p->lineno == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) { /* a UTF-8 byte-order mark */
		s += 3;
		n -= 3;
	}
	if (n && s[n - 1] == '\r')
		n--;
	size_t bad;
	if (!sasae_utf8_valid(s, n, &bad))
		return fail(p, err,
			    "UTF-8 のテキストではありません（%zu バイト目）。事業一覧は UTF-8 のテキストファイルで指定してください",
			    bad + 1);
	if (is_blank(s, n))
		return 0;
	if (p->first_line == 0)
		p->first_line = p->lineno;
	long number;
	const char *title;
	size_t tlen;
	if (is_heading(s, n, &number, &title, &tlen))
		return on_heading(p, number, title, tlen, err);
	if (!p->in_body) {
		if (memchr(s, '\t', n)) {
			if (is_row(s, n, &number))
				return fail(p, err,
					    "最初の見出し「(1) …」より前に事業の行があります。行の前に施策の見出しを置いてください");
			return fail(p, err,
				    "最初の見出し「(1) …」より前に表の行があります。事業一覧（見出しと TAB 区切りの表）か確かめてください");
		}
		if (++p->title_lines > MAX_TITLE_LINES)
			return fail(p, err,
				    "事業一覧の形式ではありません: %d 行読んでも施策の見出し「(1) …」が見つかりません",
				    MAX_TITLE_LINES);
		add_title_line(p, s, n);
		return sasae_buf_ok(&p->title) ? 0 : oom(p, err);
	}
	if (is_separator(s, n))
		return 0;
	cell cells[MAX_CELLS + 1];
	size_t total = split_cells(s, n, cells, MAX_CELLS + 1);
	if (is_header(cells, total))
		return 0;
	if (total > MAX_CELLS) {
		/* Cells beyond the fourth must be empty (a trailing TAB is tolerated). */
		cell all_cells[64];
		size_t t2 = split_cells(s, n, all_cells, 64);
		for (size_t i = MAX_CELLS; i < t2 && i < 64; i++)
			if (!is_blank(all_cells[i].b, all_cells[i].n) || t2 > 64)
				return fail(p, err,
					    "セルが多すぎます（%zu 個）。行は「番号・事業名・事業概要・担当局等」の4つのセルまでです。セルの中の TAB を取り除いてください",
					    t2);
		total = MAX_CELLS;
	}
	if (is_row(s, n, &number))
		return start_row(p, number, cells, total, err);
	return continue_row(p, cells, total, err);
}

int sasae_parser_feed(sasae_parser *p, const char *bytes, size_t len, sasae_error *err)
{
	if (p->rc)
		return p->rc;
	size_t i = 0;
	while (i < len) {
		const char *nl = memchr(bytes + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (bytes + i)) : len - i;
		if (p->line.len + n > MAX_LINE) {
			p->lineno++;
			return fail(p, err, "行が長すぎます（%d バイトを超えています）。事業一覧のテキストか確かめてください",
				    MAX_LINE);
		}
		if (!nl) {
			sasae_buf_append(&p->line, bytes + i, n);
			if (!sasae_buf_ok(&p->line))
				return oom(p, err);
			break;
		}
		p->lineno++;
		int rc;
		if (p->line.len) {
			sasae_buf_append(&p->line, bytes + i, n);
			if (!sasae_buf_ok(&p->line))
				return oom(p, err);
			rc = process_line(p, p->line.data, p->line.len, err);
			sasae_buf_clear(&p->line);
		} else {
			rc = process_line(p, bytes + i, n, err);
		}
		if (rc)
			return p->rc = rc;
		i += n + 1;
	}
	p->consumed += len;
	if (p->sink.on_progress && p->consumed >= p->next_progress) {
		p->sink.on_progress(p->sink.ctx, p->consumed);
		p->next_progress = p->consumed + PROGRESS_EVERY;
	}
	return 0;
}

int sasae_parser_finish(sasae_parser *p, sasae_error *err)
{
	if (p->rc)
		return p->rc;
	int rc;
	if (p->line.len) { /* last line without a newline */
		p->lineno++;
		rc = process_line(p, p->line.data, p->line.len, err);
		sasae_buf_clear(&p->line);
		if (rc)
			return p->rc = rc;
	}
	if ((rc = flush_row(p, err)) != 0)
		return rc;
	if (!p->in_body) {
		if (p->first_line == 0) {
			p->lineno = 0;
			return fail(p, err, "ファイルが空です。事業一覧のテキストファイルを指定してください");
		}
		p->lineno = p->first_line;
		return fail(p, err,
			    "事業一覧の形式ではありません: 施策の見出し「(1) …」が見つかりません。事業一覧のテキストか確かめてください");
	}
	if (p->section_rows == 0)
		warn(p, p->section_line, "empty-section", "見出し (%d) の下に事業の行がありません", p->section);
	if (p->listings == 0) {
		p->lineno = p->section_line;
		return fail(p, err,
			    "事業の行が一つもありません。行は「番号<TAB>事業名<TAB>事業概要<TAB>担当局等」の形で書いてください");
	}
	return 0;
}

/* ---- the in-memory convenience ---- */

typedef struct doc_ctx {
	sasae_plan *plan;
	void (*on_warning)(void *ctx, const sasae_warning *w);
	void *warn_ctx;
	bool oom; /* a warning could not be kept in the plan */
} doc_ctx;

static int doc_title(void *ctx, const char *title)
{
	doc_ctx *d = ctx;
	free(d->plan->title);
	d->plan->title = sasae_strdup(title);
	return d->plan->title ? 0 : SASAE_ENOMEM;
}

static int doc_part(void *ctx, int part)
{
	doc_ctx *d = ctx;
	(void)part;
	return sasae_plan_add_part(d->plan) ? 0 : SASAE_ENOMEM;
}

static int doc_section(void *ctx, int part, int number, const char *title, long line)
{
	doc_ctx *d = ctx;
	(void)part;
	sasae_section *s = sasae_part_add_section(&d->plan->parts[d->plan->nparts - 1]);
	if (s == NULL)
		return SASAE_ENOMEM;
	s->number = number;
	s->source_line = line;
	s->title = sasae_strdup(title);
	return s->title ? 0 : SASAE_ENOMEM;
}

static int doc_listing(void *ctx, const sasae_listing *l)
{
	doc_ctx *d = ctx;
	sasae_part *part = &d->plan->parts[d->plan->nparts - 1];
	return sasae_section_add_listing(&part->sections[part->nsections - 1], l) ? 0 : SASAE_ENOMEM;
}

static void doc_warning(void *ctx, const sasae_warning *w)
{
	doc_ctx *d = ctx;
	if (sasae_plan_add_warning(d->plan, w->line, w->kind, w->message))
		d->oom = true;
	if (d->on_warning)
		d->on_warning(d->warn_ctx, w);
}

int sasae_parse_document(sasae_plan **out, const char *file, const char *bytes, size_t len,
			 const sasae_dept_table *depts,
			 void (*on_warning)(void *ctx, const sasae_warning *warning), void *ctx,
			 sasae_error *err)
{
	*out = NULL;
	doc_ctx d = {sasae_plan_new(), on_warning, ctx, false};
	sasae_parse_sink sink = {&d, doc_title, doc_part, doc_section, doc_listing, doc_warning, NULL};
	sasae_parser *p = d.plan ? sasae_parser_new(file, depts, &sink) : NULL;
	if (p == NULL) {
		sasae_plan_free(d.plan);
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	}
	int rc = sasae_parser_feed(p, bytes, len, err);
	if (rc == 0)
		rc = sasae_parser_finish(p, err);
	if (rc == 0 && d.oom)
		rc = SASAE_ENOMEM;
	if (rc == SASAE_ENOMEM && err && err->code == 0)
		sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	if (rc == 0 && (d.plan->source = sasae_strdup(file ? file : "-")) == NULL)
		rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	if (rc == 0 && (rc = sasae_plan_assign_programs(d.plan)) != 0)
		sasae_error_set(err, rc, NULL, 0, "メモリが足りません");
	sasae_parser_free(p);
	if (rc) {
		sasae_plan_free(d.plan);
		return rc;
	}
	*out = d.plan;
	return 0;
}
