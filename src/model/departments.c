/* departments.c — the known-department table (see include/core/sasae/departments.h). */
#include "sasae/departments.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/buf.h"
#include "sasae/model.h"
#include "sasae/text.h"

/* Embedded at build time from data/departments.tsv (see cmake/embed.cmake). */
extern const char sasae_data_departments_tsv[];
extern const size_t sasae_data_departments_tsv_len;

/* One spelling: a canonical name or an alias, and the canonical name it stands for. */
typedef struct dept_name {
	char *spelling;        /* owned */
	const char *canonical; /* borrowed from the canonical entry's spelling */
	long line;             /* line of the table it was read from */
} dept_name;

struct sasae_dept_table {
	dept_name *names; /* sorted by spelling */
	size_t n, cap;
	size_t ncanonical;
};

void sasae_dept_table_free(sasae_dept_table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->names[i].spelling);
	free(t->names);
	free(t);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(((const dept_name *)a)->spelling, ((const dept_name *)b)->spelling);
}

/* Add one spelling; canonical NULL means "this spelling is canonical".  0 or SASAE_ENOMEM. */
static int add_name(sasae_dept_table *t, const char *spelling, size_t len, const char *canonical, long line)
{
	if (t->n == t->cap) {
		size_t c = t->cap ? t->cap * 2 : 32;
		dept_name *p = realloc(t->names, c * sizeof *p);
		if (p == NULL)
			return SASAE_ENOMEM;
		t->names = p;
		t->cap = c;
	}
	char *s = malloc(len + 1);
	if (s == NULL)
		return SASAE_ENOMEM;
	memcpy(s, spelling, len);
	s[len] = '\0';
	t->names[t->n].spelling = s;
	t->names[t->n].canonical = canonical ? canonical : s;
	t->names[t->n].line = line;
	t->n++;
	return 0;
}

int sasae_dept_table_parse(sasae_dept_table **out, const char *file, const char *bytes, size_t len,
			   sasae_error *err)
{
	*out = NULL;
	if (sasae_text_check_utf8(file, bytes, len, err))
		return SASAE_EDATA;
	sasae_dept_table *t = calloc(1, sizeof *t);
	if (t == NULL)
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	/* Canonical strings must not move once aliases point at them: collect canonicals first
	   (pass 0), then aliases (pass 1), storing canonical pointers only after all reallocs. */
	size_t *alias_of = NULL; /* for each name: index of its canonical entry (or itself) */
	int rc = 0;
	long line = 0;
	size_t pos = 0;
	const char *ln;
	size_t ll;
	while (sasae_text_next_line(bytes, len, &pos, &ln, &ll)) {
		line++;
		if (ll == 0 || ln[0] == '#')
			continue;
		const char *tab = memchr(ln, '\t', ll);
		size_t cl = tab ? (size_t)(tab - ln) : ll;
		sasae_buf canon = SASAE_BUF_INIT;
		sasae_text_append_trimmed(&canon, ln, cl);
		if (canon.len == 0) {
			sasae_buf_free(&canon);
			rc = sasae_error_set(err, SASAE_EDATA, file, line,
					     "行頭に正式名がありません（「正式名<TAB>別名 別名…」の形で書いてください）");
			goto fail;
		}
		size_t canon_index = t->n;
		rc = add_name(t, canon.data, canon.len, NULL, line);
		sasae_buf_free(&canon);
		if (rc)
			goto oom;
		t->ncanonical++;
		size_t *ao = realloc(alias_of, t->cap * sizeof *ao);
		if (ao == NULL)
			goto oom;
		alias_of = ao;
		alias_of[canon_index] = canon_index;
		if (!tab)
			continue;
		const char *a = tab + 1, *end = ln + ll;
		while (a < end) {
			while (a < end && (*a == ' ' || *a == '\t'))
				a++;
			const char *b = a;
			while (b < end && *b != ' ' && *b != '\t')
				b++;
			if (b > a) {
				if (add_name(t, a, (size_t)(b - a), NULL, line))
					goto oom;
				ao = realloc(alias_of, t->cap * sizeof *ao);
				if (ao == NULL)
					goto oom;
				alias_of = ao;
				alias_of[t->n - 1] = canon_index;
			}
			a = b;
		}
	}
	for (size_t i = 0; i < t->n; i++)
		t->names[i].canonical = t->names[alias_of[i]].spelling;
	free(alias_of);
	if (t->n > 1)
		qsort(t->names, t->n, sizeof *t->names, name_cmp);
	for (size_t i = 1; i < t->n; i++)
		if (strcmp(t->names[i].spelling, t->names[i - 1].spelling) == 0 &&
		    strcmp(t->names[i].canonical, t->names[i - 1].canonical) != 0) {
			long at = t->names[i].line > t->names[i - 1].line ? t->names[i].line : t->names[i - 1].line;
			rc = sasae_error_set(err, SASAE_EDATA, file, at,
					     "「%s」が「%s」と「%s」の両方の別名になっています。どちらか一方にしてください",
					     t->names[i].spelling, t->names[i].canonical,
					     t->names[i - 1].canonical);
			sasae_dept_table_free(t);
			return rc;
		}
	*out = t;
	return 0;
oom:
	rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
fail:
	free(alias_of);
	sasae_dept_table_free(t);
	return rc;
}

int sasae_dept_table_default(sasae_dept_table **out, sasae_error *err)
{
	return sasae_dept_table_parse(out, "data/departments.tsv", sasae_data_departments_tsv,
				      sasae_data_departments_tsv_len, err);
}

const char *sasae_dept_table_canonical(const sasae_dept_table *t, const char *name)
{
	if (t == NULL || t->n == 0)
		return NULL;
	dept_name key = {(char *)(uintptr_t)name, NULL, 0};
	const dept_name *hit = bsearch(&key, t->names, t->n, sizeof *t->names, name_cmp);
	return hit ? hit->canonical : NULL;
}

/* Recursive longest-first split of token into known names; returns count or 0. */
static size_t split_at(const sasae_dept_table *t, const char *token, const char **parts, size_t max,
		       size_t depth)
{
	if (*token == '\0')
		return depth;
	if (depth == max)
		return 0;
	/* Try the longest known spelling that is a prefix first. */
	size_t best_len = strlen(token) + 1;
	for (;;) {
		size_t found = 0;
		const dept_name *hit = NULL;
		for (size_t i = 0; i < t->n; i++) {
			size_t l = strlen(t->names[i].spelling);
			if (l < best_len && l > found && strncmp(token, t->names[i].spelling, l) == 0) {
				found = l;
				hit = &t->names[i];
			}
		}
		if (hit == NULL)
			return 0;
		parts[depth] = hit->canonical;
		size_t n = split_at(t, token + found, parts, max, depth + 1);
		if (n)
			return n;
		best_len = found; /* try a shorter prefix */
	}
}

size_t sasae_dept_table_split(const sasae_dept_table *t, const char *token, const char **parts,
			      size_t max)
{
	if (t == NULL || *token == '\0')
		return 0;
	return split_at(t, token, parts, max, 0);
}

size_t sasae_dept_table_count(const sasae_dept_table *t) { return t ? t->ncanonical : 0; }
