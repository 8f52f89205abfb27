/*
 * lint.c — the consistency check of a plan list (see include/core/sasae/lint.h and docs/lint.md).
 *
 * The plan's listings are put in document order and grouped into programs (by program id, else by
 * identity key).  Every check is one pass over listings, groups, sections or departments, using
 * hash maps where it compares across the whole plan, so that the national-scale catalogue
 * (435,000 listings) is checked in about a second.  The one search that is not linear — the
 * closest name for a re-listing with no original — goes through an inverted index of character
 * bigrams, built only when there is such a re-listing.
 */
#include "sasae/lint.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/buf.h"
#include "sasae/hashmap.h"
#include "sasae/similar.h"
#include "sasae/text.h"

enum {
	DIFF_CONTEXT = 10,        /* code points of unchanged text shown around a change */
	DIFF_ABSORB = 1,          /* unchanged runs this short between two changes join them */
	DIFF_MAX_CELLS = 4000000, /* (units of one side) × (of the other) above which a middle is
				     shown replaced whole */
	DIFF_MAX_EDITS = 4000,    /* … and edits above which (the edit script's memory grows with
				     their square) */
	DIFF_MAX_WORK = 50000000, /* … and (N+M)·D, the edit script's time, above which */
};
#define NONE         ((size_t)-1)
#define ORPHAN_CLOSE 0.5 /* similarity from which a closest name is offered as "probably meant" */

/* ---- kinds ---- */

static const struct kind_info {
	const char *kind;
	const char *title; /* for people */
} kinds[] = {
	{SASAE_LINT_RELIST_DRIFT, "再掲の内容が原本と違う"},
	{SASAE_LINT_RELIST_ORPHAN, "原本のない再掲"},
	{SASAE_LINT_RELIST_BEFORE_ORIGINAL, "原本より前にある再掲"},
	{SASAE_LINT_DUPLICATE_UNMARKED, "【再掲】のない重複掲載"},
	{SASAE_LINT_SHARED_SUMMARY, "別の事業と同じ事業概要"},
	{SASAE_LINT_NUMBERING, "番号の飛び・戻り・重複"},
	{SASAE_LINT_DEPARTMENT_VARIANT, "担当局等の表記ゆれ"},
	{SASAE_LINT_DEPARTMENT_JOINED, "空白なしで続けて書かれた担当局等"},
	{SASAE_LINT_UNKNOWN_DEPARTMENT, "部署の表にない担当局等"},
	{SASAE_LINT_EMPTY_CELL, "空のセル"},
	{SASAE_LINT_EMPTY_SECTION, "事業のない施策"},
	{SASAE_LINT_DOUBLED_CHAR, "継続行のつなぎ目で重なった文字"},
	{SASAE_LINT_ORPHAN_NOTE, "部署名のない注記"},
};
enum { NKINDS = sizeof kinds / sizeof kinds[0] };

static const char *const kind_names[] = {
	SASAE_LINT_RELIST_DRIFT,       SASAE_LINT_RELIST_ORPHAN,     SASAE_LINT_RELIST_BEFORE_ORIGINAL,
	SASAE_LINT_DUPLICATE_UNMARKED, SASAE_LINT_SHARED_SUMMARY,    SASAE_LINT_NUMBERING,
	SASAE_LINT_DEPARTMENT_VARIANT, SASAE_LINT_DEPARTMENT_JOINED, SASAE_LINT_UNKNOWN_DEPARTMENT,
	SASAE_LINT_EMPTY_CELL,         SASAE_LINT_EMPTY_SECTION,     SASAE_LINT_DOUBLED_CHAR,
	SASAE_LINT_ORPHAN_NOTE,
};
_Static_assert(sizeof kind_names / sizeof kind_names[0] == NKINDS, "kind_names and kinds agree");

const char *const *sasae_lint_kinds(size_t *n)
{
	*n = NKINDS;
	return kind_names;
}

static size_t kind_rank(const char *kind)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return i;
	return NKINDS;
}

const char *sasae_lint_kind_title(const char *kind)
{
	size_t r = kind_rank(kind);
	return r < NKINDS ? kinds[r].title : kind;
}

bool sasae_lint_kind_known(const char *kind) { return kind_rank(kind) < NKINDS; }

/* ---- diff (a shortest edit script over units: code points, or department names) ---- */

typedef struct seg {
	bool eq;
	size_t a, na; /* range of the old text */
	size_t b, nb; /* range of the new text */
} seg;

typedef struct segs {
	seg *v;
	size_t n, cap;
	bool oom;
} segs;

/* Append one unit step: equal (both advance), deletion (a advances) or insertion (b advances). */
static void segs_step(segs *s, bool eq, size_t a, size_t b, int which)
{
	if (s->oom)
		return;
	if (s->n > 0 && s->v[s->n - 1].eq == eq) {
		seg *l = &s->v[s->n - 1];
		if (eq || which & 1)
			l->na++;
		if (eq || which & 2)
			l->nb++;
		return;
	}
	if (s->n == s->cap) {
		size_t c = s->cap ? s->cap * 2 : 16;
		seg *v = realloc(s->v, c * sizeof *v);
		if (v == NULL) {
			s->oom = true;
			return;
		}
		s->v = v;
		s->cap = c;
	}
	s->v[s->n++] = (seg){eq, a, eq || (which & 1) ? 1 : 0, b, eq || (which & 2) ? 1 : 0};
}

/* The alignment of a[0..na) and b[0..nb) (sasae_text_edit_script, after the common prefix and
   suffix) as segments of equal and changed runs; a middle too long or too different to align is
   one change.  0 or SASAE_ENOMEM. */
static int diff_units(segs *out, const uint32_t *a, size_t na, const uint32_t *b, size_t nb, size_t absorb)
{
	memset(out, 0, sizeof *out);
	size_t p = 0, s = 0;
	while (p < na && p < nb && a[p] == b[p])
		p++;
	while (s < na - p && s < nb - p && a[na - 1 - s] == b[nb - 1 - s])
		s++;
	for (size_t i = 0; i < p; i++)
		segs_step(out, true, i, i, 3);
	size_t m = na - p - s, k = nb - p - s;
	const uint32_t *A = a + p, *B = b + p;
	char *ops = NULL;
	size_t nops = 0;
	bool too_far = true;
	if (m > 0 && k > 0 && m < DIFF_MAX_CELLS && (k + 1) <= DIFF_MAX_CELLS / (m + 1)) {
		size_t max_d = DIFF_MAX_EDITS;
		if (max_d > DIFF_MAX_WORK / (m + k + 1))
			max_d = DIFF_MAX_WORK / (m + k + 1);
		if (sasae_text_edit_script(&ops, &nops, &too_far, A, m, B, k, max_d) != 0) {
			free(out->v);
			memset(out, 0, sizeof *out);
			return SASAE_ENOMEM;
		}
	}
	if (!too_far) {
		size_t i = 0, j = 0;
		for (size_t o = 0; o < nops; o++) {
			if (ops[o] == '=') {
				segs_step(out, true, p + i, p + j, 3);
				i++, j++;
			} else if (ops[o] == '-') {
				segs_step(out, false, p + i, p + j, 1);
				i++;
			} else {
				segs_step(out, false, p + i, p + j, 2);
				j++;
			}
		}
		free(ops);
	} else {
		for (size_t i = 0; i < m; i++)
			segs_step(out, false, p + i, p + k, 1);
		for (size_t j = 0; j < k; j++)
			segs_step(out, false, p + m, p + j, 2);
	}
	for (size_t i = 0; i < s; i++)
		segs_step(out, true, na - s + i, nb - s + i, 3);
	if (out->oom) {
		free(out->v);
		memset(out, 0, sizeof *out);
		return SASAE_ENOMEM;
	}
	/* Each segment's start is the sum of the lengths before it (a change's deletions are
	   contiguous in a and its insertions in b). */
	size_t ai = 0, bi = 0;
	for (size_t i = 0; i < out->n; i++) {
		out->v[i].a = ai;
		out->v[i].b = bi;
		ai += out->v[i].na;
		bi += out->v[i].nb;
	}
	/* Join changes separated by a very short unchanged run: "[-ab-]{+cd+}" reads better than
	   "[-a-]{+c+}b[-…" when only one character happens to match. */
	size_t w = 0;
	for (size_t i = 0; i < out->n; i++) {
		seg cur = out->v[i];
		if (w >= 2 && !cur.eq && out->v[w - 1].eq && out->v[w - 1].na <= absorb && !out->v[w - 2].eq) {
			seg *prev = &out->v[w - 2];
			prev->na = cur.a + cur.na - prev->a;
			prev->nb = cur.b + cur.nb - prev->b;
			w--;
			continue;
		}
		out->v[w++] = cur;
	}
	out->n = w;
	return 0;
}

/* Render an equal run for a code-point diff, shortened to the context around changes. */
static void render_equal(sasae_buf *b, const uint32_t *cp, size_t n, bool first, bool last)
{
	if (first && last) {
		sasae_text_put_cps(b, cp, n);
	} else if (first) {
		if (n > DIFF_CONTEXT) {
			sasae_buf_puts(b, "…");
			sasae_text_put_cps(b, cp + n - DIFF_CONTEXT, DIFF_CONTEXT);
		} else {
			sasae_text_put_cps(b, cp, n);
		}
	} else if (last) {
		if (n > DIFF_CONTEXT) {
			sasae_text_put_cps(b, cp, DIFF_CONTEXT);
			sasae_buf_puts(b, "…");
		} else {
			sasae_text_put_cps(b, cp, n);
		}
	} else if (n > 2 * DIFF_CONTEXT + 1) {
		sasae_text_put_cps(b, cp, DIFF_CONTEXT);
		sasae_buf_puts(b, "…");
		sasae_text_put_cps(b, cp + n - DIFF_CONTEXT, DIFF_CONTEXT);
	} else {
		sasae_text_put_cps(b, cp, n);
	}
}

char *sasae_lint_diff(const char *from, const char *to)
{
	size_t na = 0, nb = 0;
	uint32_t *a = sasae_text_decode_cps(from ? from : "", &na);
	uint32_t *bcp = sasae_text_decode_cps(to ? to : "", &nb);
	char *result = NULL;
	segs s = {0};
	if (a == NULL || bcp == NULL || diff_units(&s, a, na, bcp, nb, DIFF_ABSORB) != 0)
		goto done;
	sasae_buf out = SASAE_BUF_INIT;
	if (!(s.n == 1 && s.v[0].eq) && s.n > 0) {
		for (size_t i = 0; i < s.n; i++) {
			const seg *g = &s.v[i];
			if (g->eq) {
				render_equal(&out, a + g->a, g->na, i == 0, i + 1 == s.n);
				continue;
			}
			if (g->na) {
				sasae_buf_puts(&out, "[-");
				sasae_text_put_cps(&out, a + g->a, g->na);
				sasae_buf_puts(&out, "-]");
			}
			if (g->nb) {
				sasae_buf_puts(&out, "{+");
				sasae_text_put_cps(&out, bcp + g->b, g->nb);
				sasae_buf_puts(&out, "+}");
			}
		}
	}
	sasae_buf_cstr(&out);
	result = sasae_buf_detach(&out); /* NULL when out of memory */
done:
	free(s.v);
	free(a);
	free(bcp);
	return result;
}

/* A token diff of two department lists ("健康福祉局 {+市社会福祉協議会+}"); NULL on OOM. */
static char *diff_departments(const sasae_department *a, size_t na, const sasae_department *b, size_t nb)
{
	const char **names = malloc((na + nb + 1) * sizeof *names);
	uint32_t *ua = malloc((na + 1) * sizeof *ua), *ub = malloc((nb + 1) * sizeof *ub);
	char *result = NULL;
	segs s = {0};
	size_t nn = 0;
	if (names == NULL || ua == NULL || ub == NULL)
		goto done;
	for (size_t i = 0; i < na + nb; i++) { /* intern: unit = index of the first equal name */
		const char *nm = i < na ? a[i].name : b[i - na].name;
		size_t id = 0;
		while (id < nn && strcmp(names[id], nm) != 0)
			id++;
		if (id == nn)
			names[nn++] = nm;
		if (i < na)
			ua[i] = (uint32_t)id;
		else
			ub[i - na] = (uint32_t)id;
	}
	if (diff_units(&s, ua, na, ub, nb, 0) != 0)
		goto done;
	sasae_buf out = SASAE_BUF_INIT;
	bool sp = false;
	for (size_t i = 0; i < s.n; i++) {
		const seg *g = &s.v[i];
		for (size_t k = 0; k < g->na && g->eq; k++) {
			sasae_buf_puts(&out, sp ? " " : "");
			sasae_buf_puts(&out, names[ua[g->a + k]]);
			sp = true;
		}
		if (g->eq)
			continue;
		for (size_t k = 0; k < g->na; k++) {
			sasae_buf_appendf(&out, "%s[-%s-]", sp ? " " : "", names[ua[g->a + k]]);
			sp = true;
		}
		for (size_t k = 0; k < g->nb; k++) {
			sasae_buf_appendf(&out, "%s{+%s+}", sp ? " " : "", names[ub[g->b + k]]);
			sp = true;
		}
	}
	sasae_buf_cstr(&out);
	result = sasae_buf_detach(&out);
done:
	free(s.v);
	free(names);
	free(ua);
	free(ub);
	return result;
}

/* ---- findings ---- */

void sasae_lint_findings_free(sasae_lint_findings *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++) {
		sasae_lint_finding *x = &f->items[i];
		free(x->at.name);
		free(x->other.name);
		free(x->message);
		free(x->text);
		free(x->other_text);
		free(x->diff);
	}
	free(f->items);
	free(f);
}

size_t sasae_lint_open_count(const sasae_lint_findings *f) { return f ? f->n - f->accepted : 0; }

/* One group of listings with the same program identity. */
typedef struct group {
	size_t first;    /* index of its first listing (document order) */
	size_t original; /* index of its first unmarked listing, or NONE */
	size_t count;    /* listings */
} group;

/* A group and the hash of its summary without white space (0: an empty summary). */
typedef struct summary_key {
	uint64_t h;
	size_t g;
} summary_key;

typedef struct lint_ctx {
	const sasae_plan *plan;
	sasae_lint_findings *f;
	const sasae_listing **all; /* every listing in document order */
	size_t n;
	size_t *group_of; /* listing → group */
	group *groups;
	size_t ngroups;
	char **keys; /* identity keys made here (listings without a program id), or NULL entries */
	summary_key *by_summary; /* every group with the hash of its summary, ordered by (hash, group) */
	bool oom;
} lint_ctx;

static void place_of_listing(lint_ctx *c, sasae_lint_place *p, const sasae_listing *l)
{
	*p = (sasae_lint_place){l->part,   l->section,     l->section_index,     l->position,
				l->number, l->source_line, sasae_strdup(l->name)};
	if (p->name == NULL)
		c->oom = true;
}

static void place_of_heading(lint_ctx *c, sasae_lint_place *p, int part, int section_index,
			     const sasae_section *s)
{
	*p = (sasae_lint_place){part,
				s->number,
				section_index,
				0,
				0,
				s->source_line,
				sasae_strdup(s->title ? s->title : "")};
	if (p->name == NULL)
		c->oom = true;
}

/* "第2部 (1) No.8（88行）" for messages. */
static void place_label(sasae_buf *b, const sasae_lint_place *p)
{
	if (p->position == 0)
		sasae_buf_appendf(b, "第%d部 (%d) の見出し、%ld行", p->part, p->section, p->source_line);
	else
		sasae_buf_appendf(b, "第%d部 (%d) No.%ld、%ld行", p->part, p->section, p->number,
				  p->source_line);
}

/* A new finding (zeroed but for kind and the "none" values); NULL on OOM. */
static sasae_lint_finding *finding_new(lint_ctx *c, const char *kind)
{
	sasae_lint_findings *f = c->f;
	if (c->oom)
		return NULL;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		sasae_lint_finding *v = realloc(f->items, cap * sizeof *v);
		if (v == NULL) {
			c->oom = true;
			return NULL;
		}
		f->items = v;
		f->cap = cap;
	}
	sasae_lint_finding *x = &f->items[f->n++];
	memset(x, 0, sizeof *x);
	x->kind = kind;
	x->similarity = -1;
	x->distance = -1;
	return x;
}

/* Set a finding's message from a printf format (any length: names can be long). */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
set_message(lint_ctx *c, sasae_lint_finding *x, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *msg = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (msg)
		vsnprintf(msg, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	free(x->message);
	x->message = msg;
	if (msg == NULL)
		c->oom = true;
}

static char *dup_or_oom(lint_ctx *c, const char *s)
{
	char *d = sasae_strdup(s);
	if (d == NULL && s)
		c->oom = true;
	return d;
}

/* The departments of a listing joined with " " (malloc'd). */
static char *departments_text(lint_ctx *c, const sasae_listing *l)
{
	sasae_buf b = SASAE_BUF_INIT;
	for (size_t i = 0; i < l->ndepartments; i++) {
		if (i)
			sasae_buf_putc(&b, ' ');
		sasae_buf_puts(&b, l->departments[i].name);
	}
	sasae_buf_cstr(&b);
	char *s = sasae_buf_detach(&b);
	if (s == NULL)
		c->oom = true;
	return s;
}

static bool same_department_names(const sasae_listing *a, const sasae_listing *b)
{
	if (a->ndepartments != b->ndepartments)
		return false;
	for (size_t i = 0; i < a->ndepartments; i++)
		if (strcmp(a->departments[i].name, b->departments[i].name) != 0)
			return false;
	return true;
}

/* The next code point of s at *i that is not white space (0 at the end). */
static int32_t next_nonspace(const char *s, size_t len, size_t *i)
{
	while (*i < len) {
		int32_t cp;
		size_t m = sasae_utf8_decode(s + *i, len - *i, &cp);
		if (m == 0)
			m = 1, cp = (unsigned char)s[*i] | 0x40000000; /* a stray byte: compared as itself */
		*i += m;
		if (!sasae_text_is_space(cp))
			return cp;
	}
	return 0;
}

/* Equal but for white space? */
static bool same_but_spaces(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i = 0, j = 0;
	for (;;) {
		int32_t x = next_nonspace(a, la, &i), y = next_nonspace(b, lb, &j);
		if (x != y)
			return false;
		if (x == 0)
			return true;
	}
}

/* The length of the white space (sasae_text_is_space: space, TAB, U+3000, NBSP) at s, or 0. */
static size_t space_len(const unsigned char *s)
{
	if (s[0] == ' ' || s[0] == '\t')
		return 1;
	if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)
		return 3;
	if (s[0] == 0xC2 && s[1] == 0xA0)
		return 2;
	return 0;
}

/* FNV-1a of s without its white space; 0 for a text that is only white space. */
static uint64_t summary_hash(const char *str)
{
	uint64_t h = 1469598103934665603ULL;
	bool any = false;
	for (const unsigned char *s = (const unsigned char *)str; *s;) {
		size_t sp = space_len(s);
		if (sp) {
			s += sp;
			continue;
		}
		h = (h ^ *s++) * 1099511628211ULL;
		any = true;
	}
	return any ? (h ? h : 1) : 0;
}

/* The text of a group (its original listing, else its first). */
static const sasae_listing *group_text(const lint_ctx *c, size_t g)
{
	const group *gr = &c->groups[g];
	return c->all[gr->original != NONE ? gr->original : gr->first];
}

static int by_summary_cmp(const void *x, const void *y)
{
	const summary_key *a = x, *b = y;
	if (a->h != b->h)
		return a->h < b->h ? -1 : 1;
	return a->g < b->g ? -1 : a->g > b->g;
}

/* Hash every group's summary and order the groups by it.  0 or SASAE_ENOMEM. */
static int index_summaries(lint_ctx *c)
{
	c->by_summary = malloc((c->ngroups + 1) * sizeof *c->by_summary);
	if (c->by_summary == NULL)
		return SASAE_ENOMEM;
	for (size_t g = 0; g < c->ngroups; g++)
		c->by_summary[g] = (summary_key){summary_hash(group_text(c, g)->summary), g};
	qsort(c->by_summary, c->ngroups, sizeof *c->by_summary, by_summary_cmp);
	return 0;
}

/* The first program with an original whose summary equals (white space aside) that of listing l,
   or NONE. */
static size_t group_with_summary(const lint_ctx *c, const sasae_listing *l)
{
	uint64_t h = summary_hash(l->summary);
	if (h == 0)
		return NONE;
	size_t lo = 0, hi = c->ngroups;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->by_summary[mid].h < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t r = lo; r < c->ngroups && c->by_summary[r].h == h; r++) {
		size_t g = c->by_summary[r].g;
		if (c->groups[g].original != NONE &&
		    same_but_spaces(c->all[c->groups[g].original]->summary, l->summary))
			return g;
	}
	return NONE;
}

/* A finding at listing l compared with listing o, about their summaries (text = l's). */
static sasae_lint_finding *summary_finding(lint_ctx *c, const char *kind, const sasae_listing *l,
					   const sasae_listing *o)
{
	sasae_lint_finding *x = finding_new(c, kind);
	if (x == NULL)
		return NULL;
	place_of_listing(c, &x->at, l);
	place_of_listing(c, &x->other, o);
	x->has_other = true;
	x->field = "summary";
	x->text = dup_or_oom(c, l->summary);
	x->other_text = dup_or_oom(c, o->summary);
	x->diff = sasae_lint_diff(o->summary, l->summary);
	if (x->diff == NULL)
		c->oom = true;
	return x;
}

/* ---- the checks ---- */

/* relist-drift: a re-listing's summary or departments differ from its original's. */
static void check_relist_drift(lint_ctx *c)
{
	for (size_t i = 0; i < c->n && !c->oom; i++) {
		const sasae_listing *l = c->all[i];
		const group *g = &c->groups[c->group_of[i]];
		if (!l->relisted || g->original == NONE)
			continue;
		const sasae_listing *o = c->all[g->original];
		sasae_buf where = SASAE_BUF_INIT;
		if (strcmp(l->summary, o->summary) != 0) {
			sasae_lint_finding *x = summary_finding(c, SASAE_LINT_RELIST_DRIFT, l, o);
			if (x) {
				place_label(&where, &x->other);
				set_message(c, x, "事業概要が原本（%s）と%s違います", sasae_buf_cstr(&where),
					    same_but_spaces(l->summary, o->summary) ? "空白だけ" : "");
			}
		}
		if (!same_department_names(l, o)) {
			sasae_lint_finding *x = finding_new(c, SASAE_LINT_RELIST_DRIFT);
			if (x) {
				place_of_listing(c, &x->at, l);
				place_of_listing(c, &x->other, o);
				x->has_other = true;
				x->field = "departments";
				x->text = departments_text(c, l);
				x->other_text = departments_text(c, o);
				x->diff = diff_departments(o->departments, o->ndepartments, l->departments,
							   l->ndepartments);
				if (x->diff == NULL)
					c->oom = true;
				sasae_buf_clear(&where);
				place_label(&where, &x->other);
				set_message(c, x, "担当局等が原本（%s）と違います: 「%s」／原本「%s」",
					    sasae_buf_cstr(&where), x->text ? x->text : "",
					    x->other_text ? x->other_text : "");
			}
		}
		if (!sasae_buf_ok(&where))
			c->oom = true;
		sasae_buf_free(&where);
	}
}

/* An inverted index of character bigrams over the names of programs that have an original. */
typedef struct bigram_index {
	size_t ncand;
	size_t *cand;       /* candidate → group */
	size_t *cand_nbg;   /* candidate → number of distinct bigrams */
	sasae_hashmap *ids; /* bigram → dense bigram id */
	size_t *post_start; /* bigram id → first posting (CSR), nbig + 1 entries */
	uint32_t *post;     /* candidate indices */
	size_t nbig;
} bigram_index;

static void bigram_index_free(bigram_index *ix)
{
	free(ix->cand);
	free(ix->cand_nbg);
	sasae_hashmap_free(ix->ids);
	free(ix->post_start);
	free(ix->post);
	memset(ix, 0, sizeof *ix);
}

static int bigram_index_build(lint_ctx *c, bigram_index *ix)
{
	memset(ix, 0, sizeof *ix);
	size_t ncand = 0;
	for (size_t g = 0; g < c->ngroups; g++)
		ncand += c->groups[g].original != NONE;
	ix->cand = malloc((ncand + 1) * sizeof *ix->cand);
	ix->cand_nbg = malloc((ncand + 1) * sizeof *ix->cand_nbg);
	uint64_t **bgs = calloc(ncand + 1, sizeof *bgs);
	size_t total = 0;
	size_t *count = NULL;
	int rc = SASAE_ENOMEM;
	if (ix->cand == NULL || ix->cand_nbg == NULL || bgs == NULL)
		goto done;
	for (size_t g = 0; g < c->ngroups; g++) {
		if (c->groups[g].original == NONE)
			continue;
		size_t k = ix->ncand++;
		ix->cand[k] = g;
		if ((bgs[k] = sasae_text_bigrams(c->all[c->groups[g].original]->name, true, &ix->cand_nbg[k])) ==
		    NULL)
			goto done;
		total += ix->cand_nbg[k];
	}
	/* Pass 1: dense ids (written over the bigrams) and posting counts. */
	size_t countcap = 1024;
	count = calloc(countcap, sizeof *count);
	if (count == NULL || (ix->ids = sasae_hashmap_new(SASAE_HASHMAP_U64)) == NULL)
		goto done;
	for (size_t k = 0; k < ix->ncand; k++)
		for (size_t j = 0; j < ix->cand_nbg[k]; j++) {
			bool added;
			int64_t *id = sasae_hashmap_put_u64(ix->ids, bgs[k][j], (int64_t)ix->nbig, &added);
			if (id == NULL)
				goto done;
			if (added && ++ix->nbig > countcap) {
				size_t *nc = realloc(count, countcap * 2 * sizeof *nc);
				if (nc == NULL)
					goto done;
				memset(nc + countcap, 0, countcap * sizeof *nc);
				count = nc;
				countcap *= 2;
			}
			bgs[k][j] = (uint64_t)*id;
			count[*id]++;
		}
	/* Pass 2: postings. */
	ix->post_start = malloc((ix->nbig + 1) * sizeof *ix->post_start);
	ix->post = malloc((total + 1) * sizeof *ix->post);
	if (ix->post_start == NULL || ix->post == NULL)
		goto done;
	size_t sum = 0;
	for (size_t b = 0; b < ix->nbig; b++) {
		ix->post_start[b] = sum;
		sum += count[b];
		count[b] = ix->post_start[b];
	}
	ix->post_start[ix->nbig] = sum;
	for (size_t k = 0; k < ix->ncand; k++)
		for (size_t j = 0; j < ix->cand_nbg[k]; j++)
			ix->post[count[bgs[k][j]]++] = (uint32_t)k;
	rc = 0;
done:
	free(count);
	if (bgs)
		for (size_t k = 0; k < ncand; k++)
			free(bgs[k]);
	free(bgs);
	if (rc)
		bigram_index_free(ix);
	return rc;
}

/* Does candidate k have bigram id (postings are in ascending candidate order)? */
static bool posting_has(const bigram_index *ix, uint32_t id, uint32_t k)
{
	size_t lo = ix->post_start[id], hi = ix->post_start[id + 1];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ix->post[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->post_start[id + 1] && ix->post[lo] == k;
}

/*
 * The candidate whose name is closest to name (Dice over bigrams); NONE when no candidate shares
 * a bigram with it.  Exact while every posting list is short (any plan of a city); in a large
 * catalogue the candidates are first narrowed by the name's rarer bigrams (posting lists of at
 * most RARE_POSTINGS, or the two rarest) to the CLOSEST_SHORTLIST that share most of them, and
 * only those are scored over all bigrams.  counts and touched are scratch arrays of ix->ncand
 * entries; counts is all zero on entry and on return.
 */
static size_t bigram_index_closest(const bigram_index *ix, const char *name, uint32_t *counts,
				   uint32_t *touched, double *sim, bool *oom)
{
	enum { RARE_POSTINGS = 2000, CLOSEST_SHORTLIST = 64 };
	size_t nbg;
	uint64_t *bg = sasae_text_bigrams(name, true, &nbg);
	*sim = 0;
	uint32_t *ids = malloc((nbg + 1) * sizeof *ids);
	size_t *len = malloc((nbg + 1) * sizeof *len);
	if (bg == NULL || ids == NULL || len == NULL) {
		free(bg);
		free(ids);
		free(len);
		*oom = true;
		return NONE;
	}
	size_t nid = 0;
	for (size_t j = 0; j < nbg; j++) { /* the name's bigrams that some candidate has */
		const int64_t *id = sasae_hashmap_get_u64(ix->ids, bg[j]);
		if (id == NULL)
			continue;
		ids[nid] = (uint32_t)*id;
		len[nid] = ix->post_start[ids[nid] + 1] - ix->post_start[ids[nid]];
		nid++;
	}
	/* rare bigrams: short posting lists; at least the two rarest */
	size_t rare_max = RARE_POSTINGS;
	size_t nrare = 0;
	for (size_t j = 0; j < nid; j++)
		nrare += len[j] <= rare_max;
	if (nrare < 2 && nid > 0) {
		size_t m1 = (size_t)-1, m2 = (size_t)-1;
		for (size_t j = 0; j < nid; j++) {
			if (len[j] < m1)
				m2 = m1, m1 = len[j];
			else if (len[j] < m2)
				m2 = len[j];
		}
		rare_max = nid > 1 ? m2 : m1;
	}
	bool exact = true;
	size_t ntouched = 0;
	for (size_t j = 0; j < nid; j++) {
		if (len[j] > rare_max) {
			exact = false;
			continue;
		}
		for (size_t p = ix->post_start[ids[j]]; p < ix->post_start[ids[j] + 1]; p++) {
			uint32_t k = ix->post[p];
			if (counts[k]++ == 0)
				touched[ntouched++] = k;
		}
	}
	/* the shortlist: the candidates sharing most rare bigrams (a count threshold) */
	uint32_t threshold = 0;
	if (!exact && ntouched > CLOSEST_SHORTLIST) {
		size_t hist[65] = {0};
		for (size_t t = 0; t < ntouched; t++)
			hist[counts[touched[t]] > 64 ? 64 : counts[touched[t]]]++;
		size_t above = 0;
		for (size_t v = 64; v > 0; v--) {
			if (above + hist[v] > CLOSEST_SHORTLIST && above > 0) {
				threshold = (uint32_t)(v + 1);
				break;
			}
			above += hist[v];
		}
	}
	size_t best = NONE;
	for (size_t t = 0; t < ntouched; t++) {
		uint32_t k = touched[t];
		size_t common = counts[k];
		counts[k] = 0;
		if (common < threshold)
			continue;
		if (!exact) /* add the common bigrams the candidate also has */
			for (size_t j = 0; j < nid; j++)
				if (len[j] > rare_max && posting_has(ix, ids[j], k))
					common++;
		double d = 2.0 * (double)common / (double)(nbg + ix->cand_nbg[k]);
		if (best == NONE || d > *sim || (d == *sim && k < best)) {
			best = k;
			*sim = d;
		}
	}
	free(bg);
	free(ids);
	free(len);
	return best;
}

/* relist-orphan: a program listed only with 【再掲】; the closest name among programs with an
   original is offered. */
static void check_relist_orphan(lint_ctx *c)
{
	bool any = false;
	for (size_t g = 0; g < c->ngroups && !any; g++)
		any = c->groups[g].original == NONE;
	if (!any)
		return;
	bigram_index ix;
	if (bigram_index_build(c, &ix) != 0) {
		c->oom = true;
		return;
	}
	uint32_t *counts = calloc(ix.ncand + 1, sizeof *counts);
	uint32_t *touched = malloc((ix.ncand + 1) * sizeof *touched);
	if (counts == NULL || touched == NULL)
		c->oom = true;
	for (size_t g = 0; g < c->ngroups && !c->oom; g++) {
		const group *gr = &c->groups[g];
		if (gr->original != NONE)
			continue;
		const sasae_listing *l = c->all[gr->first];
		double sim = 0;
		/* the closest name; but a program with the very same summary and a name close enough
		   is the likelier original */
		size_t k = bigram_index_closest(&ix, l->name, counts, touched, &sim, &c->oom);
		const sasae_listing *o = k != NONE ? c->all[c->groups[ix.cand[k]].original] : NULL;
		size_t sg = group_with_summary(c, l);
		bool same = false;
		if (sg != NONE) {
			const sasae_listing *os = c->all[c->groups[sg].original];
			double ss = sasae_text_similarity(l->name, os->name);
			if (ss < 0)
				c->oom = true;
			if (o == NULL || ss >= ORPHAN_CLOSE || ss >= sim) {
				o = os;
				sim = ss;
				same = true;
			}
		}
		if (o && !same)
			same = same_but_spaces(o->summary, l->summary);
		sasae_lint_finding *x = finding_new(c, SASAE_LINT_RELIST_ORPHAN);
		if (x == NULL)
			break;
		place_of_listing(c, &x->at, l);
		x->field = "name";
		x->text = dup_or_oom(c, l->name);
		char count[96] = "";
		if (gr->count > 1)
			snprintf(count, sizeof count, "（この事業の掲載 %zu か所はすべて【再掲】です）",
				 gr->count);
		if (o == NULL) {
			set_message(c, x,
				    "【再掲】とありますが、【再掲】のない掲載（原本）がどこにもありません%s。似た名前の事業もありません",
				    count);
			continue;
		}
		place_of_listing(c, &x->other, o);
		x->has_other = true;
		x->other_text = dup_or_oom(c, o->name);
		x->similarity = sim;
		x->distance = sasae_text_edit_distance(l->name, o->name);
		x->diff = sasae_lint_diff(o->name, l->name);
		if (x->diff == NULL)
			c->oom = true;
		sasae_buf where = SASAE_BUF_INIT;
		place_label(&where, &x->other);
		if (same && sim >= ORPHAN_CLOSE)
			set_message(c, x,
				    "【再掲】とありますが、【再掲】のない掲載（原本）がどこにもありません%s。事業概要が一字一句同じ事業「%s」（%s、名前の類似度 %.2f、%ld 字違い）の再掲なら名前をそろえてください",
				    count, o->name, sasae_buf_cstr(&where), sim, x->distance);
		else if (sim >= ORPHAN_CLOSE)
			set_message(c, x,
				    "【再掲】とありますが、【再掲】のない掲載（原本）がどこにもありません%s。名前の近い事業「%s」（%s、類似度 %.2f、%ld 字違い）の再掲なら名前をそろえてください",
				    count, o->name, sasae_buf_cstr(&where), sim, x->distance);
		else
			set_message(c, x,
				    "【再掲】とありますが、【再掲】のない掲載（原本）がどこにもありません%s。似た名前の事業はありません（最も近い「%s」（%s）でも類似度 %.2f）",
				    count, o->name, sasae_buf_cstr(&where), sim);
		if (!sasae_buf_ok(&where))
			c->oom = true;
		sasae_buf_free(&where);
	}
	free(counts);
	free(touched);
	bigram_index_free(&ix);
}

/* relist-before-original: a re-listing printed before its original. */
static void check_relist_before_original(lint_ctx *c)
{
	for (size_t i = 0; i < c->n && !c->oom; i++) {
		const group *g = &c->groups[c->group_of[i]];
		if (!c->all[i]->relisted || g->original == NONE || g->original < i)
			continue;
		sasae_lint_finding *x = finding_new(c, SASAE_LINT_RELIST_BEFORE_ORIGINAL);
		if (x == NULL)
			return;
		place_of_listing(c, &x->at, c->all[i]);
		place_of_listing(c, &x->other, c->all[g->original]);
		x->has_other = true;
		sasae_buf where = SASAE_BUF_INIT;
		place_label(&where, &x->other);
		set_message(c, x,
			    "【再掲】の掲載が原本（%s）より前にあります。原本と再掲が入れ替わっていないか確かめてください",
			    sasae_buf_cstr(&where));
		if (!sasae_buf_ok(&where))
			c->oom = true;
		sasae_buf_free(&where);
	}
}

/* duplicate-unmarked: a program listed again without 【再掲】. */
static void check_duplicate_unmarked(lint_ctx *c)
{
	for (size_t i = 0; i < c->n && !c->oom; i++) {
		const sasae_listing *l = c->all[i];
		const group *g = &c->groups[c->group_of[i]];
		if (l->relisted || g->original == i)
			continue;
		const sasae_listing *o = c->all[g->original];
		sasae_lint_finding *x;
		bool differs = strcmp(l->summary, o->summary) != 0;
		if (differs) {
			x = summary_finding(c, SASAE_LINT_DUPLICATE_UNMARKED, l, o);
		} else if ((x = finding_new(c, SASAE_LINT_DUPLICATE_UNMARKED)) != NULL) {
			place_of_listing(c, &x->at, l);
			place_of_listing(c, &x->other, o);
			x->has_other = true;
		}
		if (x == NULL)
			return;
		sasae_buf where = SASAE_BUF_INIT;
		place_label(&where, &x->other);
		set_message(c, x,
			    "同じ事業が【再掲】の印なしでもう一度載っています（最初は %s）。再掲なら【再掲】を付けてください%s",
			    sasae_buf_cstr(&where), differs ? "。事業概要も違います" : "");
		if (!sasae_buf_ok(&where))
			c->oom = true;
		sasae_buf_free(&where);
	}
}

/* shared-summary: different programs with the same summary (white space ignored).  A program
   listed only with 【再掲】 is left out: its summary being another program's is what
   relist-orphan reports (the re-listing's name differs from its original's). */
static void check_shared_summary(lint_ctx *c)
{
	for (size_t r = 0; r < c->ngroups && !c->oom; r++) {
		size_t g = c->by_summary[r].g;
		uint64_t h = c->by_summary[r].h;
		const group *gr = &c->groups[g];
		if (gr->original == NONE || h == 0)
			continue;
		/* the earliest program of the run with the same summary */
		size_t r0 = r;
		while (r0 > 0 && c->by_summary[r0 - 1].h == h)
			r0--;
		const sasae_listing *l = c->all[gr->original], *o = NULL;
		for (size_t k = r0; k < r && o == NULL; k++) {
			const group *fg = &c->groups[c->by_summary[k].g];
			if (fg->original != NONE && same_but_spaces(c->all[fg->original]->summary, l->summary))
				o = c->all[fg->original];
		}
		if (o == NULL)
			continue;
		sasae_lint_finding *x = finding_new(c, SASAE_LINT_SHARED_SUMMARY);
		if (x == NULL)
			break;
		place_of_listing(c, &x->at, l);
		place_of_listing(c, &x->other, o);
		x->has_other = true;
		x->field = "summary";
		x->text = dup_or_oom(c, l->summary);
		sasae_buf where = SASAE_BUF_INIT;
		place_label(&where, &x->other);
		set_message(c, x, "別の事業「%s」（%s）と事業概要が一字一句同じです%s", o->name,
			    sasae_buf_cstr(&where),
			    strcmp(l->summary, o->summary) != 0 ? "（空白の違いを除いて）" : "");
		if (!sasae_buf_ok(&where))
			c->oom = true;
		sasae_buf_free(&where);
	}
}

/* numbering: numbers that do not run 1, 2, 3 … within a section; headings that do not run (1),
   (2), … within a part (a number printed twice included). */
static void check_numbering(lint_ctx *c)
{
	const sasae_plan *plan = c->plan;
	for (size_t pi = 0; pi < plan->nparts && !c->oom; pi++) {
		const sasae_part *part = &plan->parts[pi];
		for (size_t si = 0; si < part->nsections && !c->oom; si++) {
			const sasae_section *s = &part->sections[si];
			/* the heading */
			int want = si == 0 ? 1 : part->sections[si - 1].number + 1;
			if (s->number != want) {
				sasae_lint_finding *x = finding_new(c, SASAE_LINT_NUMBERING);
				if (x == NULL)
					return;
				place_of_heading(c, &x->at, part->number, (int)si + 1, s);
				if (si == 0) {
					set_message(c, x, "部の最初の見出しが (1) ではなく (%d) です",
						    s->number);
				} else {
					const sasae_section *prev = &part->sections[si - 1];
					place_of_heading(c, &x->other, part->number, (int)si, prev);
					x->has_other = true;
					const sasae_section *twice = NULL;
					for (size_t k = 0; k < si && twice == NULL; k++)
						if (part->sections[k].number == s->number)
							twice = &part->sections[k];
					if (twice)
						set_message(c, x,
							    "見出しの番号 (%d) がこの部に二度あります（前の (%d) は %ld行）",
							    s->number, s->number, twice->source_line);
					else if (s->number > want)
						set_message(c, x,
							    "見出しの番号が (%d) の次に (%d) です（飛んでいます）",
							    prev->number, s->number);
					else
						set_message(c, x,
							    "見出しの番号が (%d) の次に (%d) です（戻っています）",
							    prev->number, s->number);
				}
			}
			/* the rows */
			for (size_t k = 0; k < s->nlistings && !c->oom; k++) {
				const sasae_listing *l = &s->listings[k];
				long expect = k == 0 ? 1 : s->listings[k - 1].number + 1;
				if (l->number == expect)
					continue;
				sasae_lint_finding *x = finding_new(c, SASAE_LINT_NUMBERING);
				if (x == NULL)
					return;
				place_of_listing(c, &x->at, l);
				if (k == 0) {
					set_message(c, x, "施策の最初の番号が 1 ではなく %ld です", l->number);
					continue;
				}
				const sasae_listing *p = &s->listings[k - 1];
				place_of_listing(c, &x->other, p);
				x->has_other = true;
				size_t again = 0;
				for (size_t j = 0; j < k; j++)
					again += s->listings[j].number == l->number;
				if (l->number == p->number)
					set_message(c, x, "No.%ld が続けて二度あります", l->number);
				else if (l->number > expect && l->number == expect + 1)
					set_message(c, x, "No.%ld の次が No.%ld です（%ld が抜けています）",
						    p->number, l->number, expect);
				else if (l->number > expect)
					set_message(c, x,
						    "No.%ld の次が No.%ld です（%ld〜%ld が抜けています）",
						    p->number, l->number, expect, l->number - 1);
				else if (again)
					set_message(c, x,
						    "No.%ld の次が No.%ld に戻っています（No.%ld はこの施策に二度あります）",
						    p->number, l->number, l->number);
				else
					set_message(c, x, "No.%ld の次が No.%ld に戻っています", p->number,
						    l->number);
			}
		}
	}
}

/* Is department j of l part of a run-together token (shares its printed token with a neighbour)? */
static bool dept_joined(const sasae_listing *l, size_t j)
{
	const char *pr = l->departments[j].printed;
	if (pr == NULL)
		return false;
	return (j > 0 && l->departments[j - 1].printed && strcmp(l->departments[j - 1].printed, pr) == 0) ||
	       (j + 1 < l->ndepartments && l->departments[j + 1].printed &&
		strcmp(l->departments[j + 1].printed, pr) == 0);
}

/* One spelling of a department and where it is used. */
typedef struct spelling {
	const char *text;
	size_t count;
	size_t first; /* listing index */
} spelling;

typedef struct dept_info {
	const char *name; /* canonical */
	spelling *sp;
	size_t nsp;
	size_t usual; /* index into sp */
} dept_info;

/* department-variant and department-joined. */
static void check_departments(lint_ctx *c)
{
	sasae_hashmap *m = sasae_hashmap_new(SASAE_HASHMAP_BORROW); /* canonical name → index into d */
	dept_info *d = NULL;
	size_t nd = 0, capd = 0;
	if (m == NULL)
		c->oom = true;
	for (size_t i = 0; i < c->n && !c->oom; i++) {
		const sasae_listing *l = c->all[i];
		for (size_t j = 0; j < l->ndepartments && !c->oom; j++) {
			if (dept_joined(l, j))
				continue;
			const sasae_department *dep = &l->departments[j];
			bool added;
			int64_t *idx = sasae_hashmap_put(m, dep->name, (int64_t)nd, &added);
			if (idx == NULL) {
				c->oom = true;
				break;
			}
			if (added) {
				if (nd == capd) {
					size_t cap = capd ? capd * 2 : 64;
					dept_info *nv = realloc(d, cap * sizeof *nv);
					if (nv == NULL) {
						c->oom = true;
						break;
					}
					d = nv;
					capd = cap;
				}
				d[nd++] = (dept_info){dep->name, NULL, 0, 0};
			}
			dept_info *di = &d[*idx];
			const char *text = dep->printed ? dep->printed : dep->name;
			size_t k = 0;
			while (k < di->nsp && strcmp(di->sp[k].text, text) != 0)
				k++;
			if (k == di->nsp) {
				spelling *nsp = realloc(di->sp, (di->nsp + 1) * sizeof *nsp);
				if (nsp == NULL) {
					c->oom = true;
					break;
				}
				di->sp = nsp;
				di->sp[di->nsp++] = (spelling){text, 0, i};
			}
			di->sp[k].count++;
		}
	}
	/* The usual spelling: the most used; on a tie the canonical name, then the first seen. */
	for (size_t k = 0; k < nd; k++) {
		dept_info *di = &d[k];
		for (size_t s = 1; s < di->nsp; s++) {
			const spelling *a = &di->sp[s], *u = &di->sp[di->usual];
			if (a->count > u->count || (a->count == u->count && strcmp(a->text, di->name) == 0))
				di->usual = s;
		}
	}
	for (size_t i = 0; i < c->n && !c->oom; i++) {
		const sasae_listing *l = c->all[i];
		for (size_t j = 0; j < l->ndepartments && !c->oom; j++) {
			const sasae_department *dep = &l->departments[j];
			if (dept_joined(l, j)) {
				if (j > 0 && dept_joined(l, j - 1) &&
				    strcmp(l->departments[j - 1].printed, dep->printed) == 0)
					continue; /* reported with the first name of the run */
				size_t e = j + 1;
				while (e < l->ndepartments && l->departments[e].printed &&
				       strcmp(l->departments[e].printed, dep->printed) == 0)
					e++;
				sasae_lint_finding *x = finding_new(c, SASAE_LINT_DEPARTMENT_JOINED);
				if (x == NULL)
					break;
				place_of_listing(c, &x->at, l);
				x->field = "departments";
				x->text = dup_or_oom(c, dep->printed);
				sasae_buf names = SASAE_BUF_INIT;
				for (size_t k = j; k < e; k++)
					sasae_buf_appendf(&names, "%s%s", k > j ? " " : "",
							  l->departments[k].name);
				set_message(c, x,
					    "担当局等「%s」は %zu つの部署が空白なしで続いています。「%s」と空白で区切ってください",
					    dep->printed, e - j, sasae_buf_cstr(&names));
				if (!sasae_buf_ok(&names))
					c->oom = true;
				sasae_buf_free(&names);
				continue;
			}
			const int64_t *idx = sasae_hashmap_get(m, dep->name);
			if (idx == NULL) {
				c->oom = true;
				break;
			}
			const dept_info *di = &d[*idx];
			const char *text = dep->printed ? dep->printed : dep->name;
			const spelling *u = &di->sp[di->usual];
			if (di->nsp < 2 || strcmp(text, u->text) == 0)
				continue;
			size_t others = 0;
			for (size_t s = 0; s < di->nsp; s++)
				if (strcmp(di->sp[s].text, text) != 0)
					others += di->sp[s].count;
			sasae_lint_finding *x = finding_new(c, SASAE_LINT_DEPARTMENT_VARIANT);
			if (x == NULL)
				break;
			place_of_listing(c, &x->at, l);
			place_of_listing(c, &x->other, c->all[u->first]);
			x->has_other = true;
			x->field = "departments";
			x->text = dup_or_oom(c, text);
			x->other_text = dup_or_oom(c, u->text);
			x->diff = sasae_lint_diff(u->text, text);
			if (x->diff == NULL)
				c->oom = true;
			sasae_buf where = SASAE_BUF_INIT;
			place_label(&where, &x->other);
			set_message(c, x,
				    "担当局等が「%s」と書かれています。同じ部署（%s）はほかの %zu か所で「%s」と書かれています（最初は %s）",
				    text, di->name, others, u->text, sasae_buf_cstr(&where));
			if (!sasae_buf_ok(&where))
				c->oom = true;
			sasae_buf_free(&where);
		}
	}
	for (size_t k = 0; k < nd; k++)
		free(d[k].sp);
	free(d);
	sasae_hashmap_free(m);
}

/* empty-cell and empty-section. */
static void check_empty(lint_ctx *c)
{
	const sasae_plan *plan = c->plan;
	for (size_t pi = 0; pi < plan->nparts && !c->oom; pi++) {
		const sasae_part *part = &plan->parts[pi];
		for (size_t si = 0; si < part->nsections && !c->oom; si++) {
			const sasae_section *s = &part->sections[si];
			if (s->nlistings == 0) {
				sasae_lint_finding *x = finding_new(c, SASAE_LINT_EMPTY_SECTION);
				if (x == NULL)
					return;
				place_of_heading(c, &x->at, part->number, (int)si + 1, s);
				set_message(c, x, "見出し (%d) の下に事業の行がありません", s->number);
			}
			for (size_t k = 0; k < s->nlistings && !c->oom; k++) {
				const sasae_listing *l = &s->listings[k];
				static const char *const fields[] = {"name", "summary", "departments"};
				static const char *const labels[] = {"事業名", "事業概要", "担当局等"};
				bool empty[3] = {l->name[0] == '\0', l->summary[0] == '\0',
						 l->ndepartments == 0};
				for (int fi = 0; fi < 3; fi++) {
					if (!empty[fi])
						continue;
					sasae_lint_finding *x = finding_new(c, SASAE_LINT_EMPTY_CELL);
					if (x == NULL)
						return;
					place_of_listing(c, &x->at, l);
					x->field = fields[fi];
					set_message(c, x, "No.%ld の%sが空です", l->number, labels[fi]);
				}
			}
		}
	}
}

/* doubled-char, unknown-department and orphan-note: the parser's warnings, at their listing. */
static void check_warnings(lint_ctx *c)
{
	const sasae_plan *plan = c->plan;
	for (size_t w = 0; w < plan->nwarnings && !c->oom && c->n > 0; w++) {
		const sasae_plan_warning *pw = &plan->warnings[w];
		const char *kind = NULL;
		if (strcmp(pw->kind, SASAE_LINT_DOUBLED_CHAR) == 0)
			kind = SASAE_LINT_DOUBLED_CHAR;
		else if (strcmp(pw->kind, SASAE_LINT_UNKNOWN_DEPARTMENT) == 0)
			kind = SASAE_LINT_UNKNOWN_DEPARTMENT;
		else if (strcmp(pw->kind, SASAE_LINT_ORPHAN_NOTE) == 0)
			kind = SASAE_LINT_ORPHAN_NOTE;
		if (kind == NULL)
			continue; /* the other warnings are checks of their own here */
		/* the listing whose row is the last at or before the line */
		size_t lo = 0, hi = c->n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (c->all[mid]->source_line <= pw->line)
				lo = mid + 1;
			else
				hi = mid;
		}
		const sasae_listing *l = c->all[lo ? lo - 1 : 0];
		sasae_lint_finding *x = finding_new(c, kind);
		if (x == NULL)
			return;
		place_of_listing(c, &x->at, l);
		if (strcmp(kind, SASAE_LINT_DOUBLED_CHAR) == 0) {
			x->field = strstr(pw->message, "事業名") ? "name" : "summary";
			x->text = dup_or_oom(c, x->field[0] == 'n' ? l->name : l->summary);
		} else {
			x->field = "departments";
			x->text = departments_text(c, l);
		}
		if (pw->line != l->source_line)
			set_message(c, x, "%ld行: %s", pw->line, pw->message);
		else
			set_message(c, x, "%s", pw->message);
	}
}

/* ---- driver ---- */

static int finding_cmp(const void *x, const void *y)
{
	const sasae_lint_finding *a = x, *b = y;
	size_t ra = kind_rank(a->kind), rb = kind_rank(b->kind);
	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (a->at.part != b->at.part)
		return a->at.part < b->at.part ? -1 : 1;
	if (a->at.section_index != b->at.section_index)
		return a->at.section_index < b->at.section_index ? -1 : 1;
	if (a->at.position != b->at.position)
		return a->at.position < b->at.position ? -1 : 1;
	return 0;
}

/* Stable merge sort of the findings (same place: the order the checks made them in).  0 or
   SASAE_ENOMEM. */
static int sort_findings(sasae_lint_findings *f)
{
	if (f->n < 2)
		return 0;
	sasae_lint_finding *tmp = malloc(f->n * sizeof *tmp), *src = f->items, *dst = tmp;
	if (tmp == NULL)
		return SASAE_ENOMEM;
	for (size_t w = 1; w < f->n; w *= 2) {
		for (size_t lo = 0; lo < f->n; lo += 2 * w) {
			size_t mid = lo + w < f->n ? lo + w : f->n, hi = lo + 2 * w < f->n ? lo + 2 * w : f->n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				dst[k++] = finding_cmp(&src[j], &src[i]) < 0 ? src[j++] : src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		sasae_lint_finding *t = src;
		src = dst;
		dst = t;
	}
	if (src != f->items)
		memcpy(f->items, src, f->n * sizeof *src);
	free(tmp);
	return 0;
}

/* Group the listings into programs. */
static int build_groups(lint_ctx *c)
{
	c->group_of = malloc((c->n + 1) * sizeof *c->group_of);
	c->groups = malloc((c->n + 1) * sizeof *c->groups);
	c->keys = calloc(c->n + 1, sizeof *c->keys);
	sasae_hashmap *m = sasae_hashmap_new(SASAE_HASHMAP_BORROW); /* program id or key → group */
	if (c->group_of == NULL || c->groups == NULL || c->keys == NULL || m == NULL)
		goto oom;
	for (size_t i = 0; i < c->n; i++) {
		const sasae_listing *l = c->all[i];
		const char *key = l->program;
		if (key == NULL) {
			if ((c->keys[i] = sasae_text_identity_key(l->name)) == NULL)
				goto oom;
			key = c->keys[i];
		}
		bool added;
		const int64_t *g = sasae_hashmap_put(m, key, (int64_t)c->ngroups, &added);
		if (g == NULL)
			goto oom;
		if (added)
			c->groups[c->ngroups++] = (group){i, NONE, 0};
		group *gr = &c->groups[*g];
		c->group_of[i] = (size_t)*g;
		gr->count++;
		if (!l->relisted && gr->original == NONE)
			gr->original = i;
	}
	sasae_hashmap_free(m);
	return 0;
oom:
	sasae_hashmap_free(m);
	return SASAE_ENOMEM;
}

int sasae_lint(const sasae_plan *plan, sasae_lint_findings **out, sasae_error *err)
{
	*out = NULL;
	lint_ctx c = {0};
	c.plan = plan;
	c.f = calloc(1, sizeof *c.f);
	size_t n = sasae_plan_count_listings(plan);
	c.all = malloc((n + 1) * sizeof *c.all);
	int rc = SASAE_ENOMEM;
	if (c.f == NULL || c.all == NULL)
		goto done;
	for (size_t i = 0; i < plan->nparts; i++)
		for (size_t j = 0; j < plan->parts[i].nsections; j++)
			for (size_t k = 0; k < plan->parts[i].sections[j].nlistings; k++)
				c.all[c.n++] = &plan->parts[i].sections[j].listings[k];
	if (build_groups(&c) != 0 || index_summaries(&c) != 0)
		goto done;
	check_relist_drift(&c);
	check_relist_orphan(&c);
	check_relist_before_original(&c);
	check_duplicate_unmarked(&c);
	check_shared_summary(&c);
	check_numbering(&c);
	check_departments(&c);
	check_empty(&c);
	check_warnings(&c);
	if (c.oom)
		goto done;
	if (sort_findings(c.f) != 0)
		goto done;
	rc = 0;
done:
	if (c.keys)
		for (size_t i = 0; i < c.n; i++)
			free(c.keys[i]);
	free(c.keys);
	free(c.by_summary);
	free(c.groups);
	free(c.group_of);
	free(c.all);
	if (rc) {
		sasae_lint_findings_free(c.f);
		return sasae_error_set(err, rc, NULL, 0, "メモリが足りません");
	}
	*out = c.f;
	return 0;
}

/* ---- the accept list ---- */

void sasae_lint_accept_free(sasae_lint_accept *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->n; i++) {
		free(a->entries[i].kind);
		free(a->entries[i].comment);
	}
	free(a->entries);
	free(a->file);
	free(a);
}

/* Parse "P-S-N" (non-negative decimal numbers). */
static bool parse_place(const char *s, size_t n, int v[3])
{
	size_t i = 0;
	for (int k = 0; k < 3; k++) {
		if (k > 0) {
			if (i >= n || s[i] != '-')
				return false;
			i++;
		}
		if (i >= n || s[i] < '0' || s[i] > '9')
			return false;
		long x = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			x = x * 10 + (s[i] - '0');
			if (x > 1000000000)
				return false;
			i++;
		}
		v[k] = (int)x;
	}
	return i == n && v[0] >= 1 && v[1] >= 1;
}

int sasae_lint_accept_parse(sasae_lint_accept **out, const char *file, const char *bytes, size_t len,
			    sasae_error *err)
{
	*out = NULL;
	sasae_lint_accept *a = calloc(1, sizeof *a);
	size_t cap = 0;
	long lineno = 0;
	int rc = 0;
	if (a == NULL || (a->file = sasae_strdup(file ? file : "-")) == NULL) {
		rc = SASAE_ENOMEM;
		goto fail;
	}
	if (len >= 3 && memcmp(bytes, "\xEF\xBB\xBF", 3) == 0) /* a byte-order mark from Excel */
		bytes += 3, len -= 3;
	size_t bad;
	if (!sasae_utf8_valid(bytes, len, &bad)) {
		rc = sasae_error_set(err, SASAE_EDATA, a->file, sasae_text_line_of(bytes, bad, NULL),
				     "UTF-8 のテキストではありません。受け入れリストは UTF-8 で保存してください");
		goto fail;
	}
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(bytes + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (bytes + i)) : len - i;
		const char *s = bytes + i;
		i += n + 1;
		lineno++;
		if (n && s[n - 1] == '\r')
			n--;
		size_t b = 0;
		while (b < n && (s[b] == ' ' || s[b] == '\t'))
			b++;
		if (b == n || s[b] == '#')
			continue;
		/* fields: TAB-separated, or separated by runs of spaces when the line has no TAB; the
		   third field (the comment) is the rest of the line */
		bool tabs = memchr(s + b, '\t', n - b) != NULL;
		const char *f[3] = {NULL, NULL, NULL};
		size_t fl[3] = {0, 0, 0};
		size_t p = b;
		for (int k = 0; k < 3 && p <= n; k++) {
			size_t e = p;
			if (k < 2)
				while (e < n && s[e] != '\t' && (tabs || s[e] != ' '))
					e++;
			else
				e = n;
			f[k] = s + p;
			fl[k] = e - p;
			while (fl[k] && (f[k][fl[k] - 1] == ' ')) /* spaces before a TAB */
				fl[k]--;
			if (e == n)
				break;
			p = e + 1;
			if (!tabs)
				while (p < n && s[p] == ' ')
					p++;
		}
		char kind[64];
		int v[3];
		if (f[0] == NULL || f[1] == NULL || fl[0] == 0 || fl[1] == 0 || fl[0] >= sizeof kind) {
			rc = sasae_error_set(err, SASAE_EDATA, a->file, lineno,
					     "受け入れリストの行が読めません。「種類<TAB>部-施策-位置[<TAB>コメント]」の形で書いてください（例: relist-drift\t2-2-9\t区の事情で違う）");
			goto fail;
		}
		memcpy(kind, f[0], fl[0]);
		kind[fl[0]] = '\0';
		if (!sasae_lint_kind_known(kind)) {
			rc = sasae_error_set(err, SASAE_EDATA, a->file, lineno,
					     "指摘の種類「%s」はありません（relist-drift、relist-orphan、duplicate-unmarked、shared-summary、numbering、department-variant など。docs/lint.md）",
					     kind);
			goto fail;
		}
		if (!parse_place(f[1], fl[1], v)) {
			rc = sasae_error_set(err, SASAE_EDATA, a->file, lineno,
					     "場所「%.*s」が読めません。「部-施策-位置」の形で書いてください（例: 2-2-9。見出しは位置 0）",
					     (int)(fl[1] > 100 ? 100 : fl[1]), f[1]);
			goto fail;
		}
		if (a->n == cap) {
			size_t c = cap ? cap * 2 : 16;
			sasae_lint_accept_entry *ne = realloc(a->entries, c * sizeof *ne);
			if (ne == NULL) {
				rc = SASAE_ENOMEM;
				goto fail;
			}
			a->entries = ne;
			cap = c;
		}
		sasae_lint_accept_entry *e = &a->entries[a->n];
		memset(e, 0, sizeof *e);
		e->kind = sasae_strdup(kind);
		e->part = v[0];
		e->section = v[1];
		e->position = v[2];
		e->line = lineno;
		if (f[2] && fl[2]) {
			sasae_buf cb = SASAE_BUF_INIT;
			sasae_text_append_trimmed(&cb, f[2], fl[2]);
			sasae_buf_cstr(&cb);
			e->comment = sasae_buf_detach(&cb);
		}
		a->n++;
		if (e->kind == NULL || (f[2] && fl[2] && e->comment == NULL)) {
			rc = SASAE_ENOMEM;
			goto fail;
		}
	}
	*out = a;
	return 0;
fail:
	sasae_lint_accept_free(a);
	if (rc == SASAE_ENOMEM)
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	return rc;
}

static int entry_place_cmp(int p1, int s1, int n1, int p2, int s2, int n2)
{
	if (p1 != p2)
		return p1 < p2 ? -1 : 1;
	if (s1 != s2)
		return s1 < s2 ? -1 : 1;
	if (n1 != n2)
		return n1 < n2 ? -1 : 1;
	return 0;
}

static int entry_ptr_cmp(const void *x, const void *y)
{
	const sasae_lint_accept_entry *a = *(const sasae_lint_accept_entry *const *)x;
	const sasae_lint_accept_entry *b = *(const sasae_lint_accept_entry *const *)y;
	int r = entry_place_cmp(a->part, a->section, a->position, b->part, b->section, b->position);
	return r ? r : (a->line < b->line ? -1 : a->line > b->line);
}

size_t sasae_lint_accept_apply(sasae_lint_findings *f, sasae_lint_accept *a)
{
	if (f == NULL || a == NULL || a->n == 0)
		return f ? f->accepted : 0;
	sasae_lint_accept_entry **sorted = malloc(a->n * sizeof *sorted);
	for (size_t i = 0; i < a->n; i++) {
		if (sorted)
			sorted[i] = &a->entries[i];
	}
	if (sorted)
		qsort(sorted, a->n, sizeof *sorted, entry_ptr_cmp);
	for (size_t i = 0; i < f->n; i++) {
		sasae_lint_finding *x = &f->items[i];
		if (x->accepted)
			continue;
		if (sorted == NULL) { /* out of memory for the index: a linear scan still works */
			for (size_t k = 0; k < a->n && !x->accepted; k++) {
				sasae_lint_accept_entry *e = &a->entries[k];
				if (strcmp(e->kind, x->kind) == 0 && e->part == x->at.part &&
				    e->section == x->at.section && e->position == x->at.position) {
					x->accepted = true;
					e->used++;
				}
			}
		} else {
			size_t lo = 0, hi = a->n;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				const sasae_lint_accept_entry *e = sorted[mid];
				if (entry_place_cmp(e->part, e->section, e->position, x->at.part,
						    x->at.section, x->at.position) < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (size_t k = lo; k < a->n; k++) {
				sasae_lint_accept_entry *e = sorted[k];
				if (entry_place_cmp(e->part, e->section, e->position, x->at.part,
						    x->at.section, x->at.position) != 0)
					break;
				if (strcmp(e->kind, x->kind) == 0) {
					if (!x->accepted)
						e->used++;
					x->accepted = true;
				}
			}
		}
		if (x->accepted)
			f->accepted++;
	}
	free(sorted);
	return f->accepted;
}

/* ---- JSON ---- */

static json_t *place_json(const sasae_lint_place *p)
{
	return json_pack("{s:i, s:i, s:i, s:i, s:I, s:s, s:I}", "part", p->part, "section", p->section,
			 "section_index", p->section_index, "position", p->position, "number",
			 (json_int_t)p->number, "name", p->name ? p->name : "", "source_line",
			 (json_int_t)p->source_line);
}

/* Set key to a new value; false when the value is NULL (out of memory). */
static bool set_new(json_t *o, const char *key, json_t *v)
{
	return v != NULL && json_object_set_new(o, key, v) == 0;
}

static json_t *finding_json(const sasae_lint_finding *x)
{
	json_t *o = json_object();
	bool ok = o != NULL;
	ok = ok && set_new(o, "kind", json_string(x->kind));
	ok = ok && set_new(o, "listing", place_json(&x->at));
	ok = ok && set_new(o, "message", json_string(x->message ? x->message : ""));
	ok = ok && set_new(o, "source_line", json_integer(x->at.source_line));
	if (x->has_other)
		ok = ok && set_new(o, "other", place_json(&x->other));
	if (x->field)
		ok = ok && set_new(o, "field", json_string(x->field));
	if (x->diff)
		ok = ok && set_new(o, "diff", json_string(x->diff));
	if (x->text)
		ok = ok && set_new(o, "text", json_string(x->text));
	if (x->other_text)
		ok = ok && set_new(o, "other_text", json_string(x->other_text));
	if (x->similarity >= 0)
		ok = ok &&
		     set_new(o, "similarity", json_real((double)(long)(x->similarity * 1000 + 0.5) / 1000));
	if (x->distance >= 0)
		ok = ok && set_new(o, "distance", json_integer(x->distance));
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *sasae_lint_json(const sasae_plan *plan, const sasae_lint_findings *f)
{
	json_t *root = json_object(), *list = json_array(), *counts = json_object();
	bool ok = root && list && counts;
	size_t per[NKINDS + 1] = {0};
	for (size_t i = 0; ok && f && i < f->n; i++) {
		const sasae_lint_finding *x = &f->items[i];
		if (x->accepted)
			continue;
		per[kind_rank(x->kind)]++;
		ok = json_array_append_new(list, finding_json(x)) == 0;
	}
	for (size_t k = 0; ok && k < NKINDS; k++)
		ok = set_new(counts, kinds[k].kind, json_integer((json_int_t)per[k]));
	if (ok && plan)
		ok = set_new(root, "plan",
			     json_pack("{s:s?, s:i, s:s?, s:s?}", "slug", plan->slug, "version",
				       plan->version, "title", plan->title, "source", plan->source));
	ok = ok && set_new(root, "total", json_integer((json_int_t)sasae_lint_open_count(f)));
	ok = ok && set_new(root, "accepted", json_integer((json_int_t)(f ? f->accepted : 0)));
	if (ok) {
		ok = json_object_set_new(root, "counts", counts) == 0;
		counts = NULL;
	}
	if (ok) {
		ok = json_object_set_new(root, "findings", list) == 0;
		list = NULL;
	}
	json_decref(counts);
	json_decref(list);
	if (!ok) {
		json_decref(root);
		return NULL;
	}
	return root;
}
