/*
 * identity.c — program identity and original listings, decided once (see include/core/sasae/identity.h).
 */
#include "sasae/identity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/error.h"
#include "sasae/hashmap.h"
#include "sasae/text.h"

void sasae_identities_init(sasae_identities *t, int64_t next_number)
{
	memset(t, 0, sizeof *t);
	t->next_number = next_number;
}

void sasae_identities_clear(sasae_identities *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].key);
		free(t->v[i].id);
	}
	free(t->v);
	sasae_hashmap_free(t->map);
	free(t->listed);
	memset(t, 0, sizeof *t);
}

/* The index of key in t->v, or -1. */
static long long index_of(const sasae_identities *t, const char *key)
{
	const int64_t *v = t->map ? sasae_hashmap_get(t->map, key) : NULL;
	return v ? (long long)*v : -1;
}

const char *sasae_identity_id(const sasae_identity *e, char buf[32])
{
	if (e->id)
		return e->id;
	snprintf(buf, 32, "p%04lld", (long long)e->number);
	return buf;
}

/* Append an identity with key (moved in) and id (moved in; NULL: p<number>) and put it in the hash
   table.  *index is its index.  0 or SASAE_ENOMEM (key and id freed). */
static int put(sasae_identities *t, char *key, char *id, int64_t number, int64_t ref, size_t *index)
{
	if (key == NULL || (id == NULL && number == 0))
		goto oom;
	if (t->map == NULL && (t->map = sasae_hashmap_new(SASAE_HASHMAP_BORROW)) == NULL)
		goto oom;
	long long at = index_of(t, key);
	if (at >= 0) { /* already there (a known identity given twice): keep the first */
		free(key);
		free(id);
		*index = (size_t)at;
		return 0;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		sasae_identity *v = realloc(t->v, cap * sizeof *v);
		if (v == NULL)
			goto oom;
		t->v = v;
		t->cap = cap;
	}
	if (sasae_hashmap_put(t->map, key, (int64_t)t->n, NULL) == NULL)
		goto oom;
	t->v[t->n] = (sasae_identity){.key = key, .id = id, .number = number, .ref = ref};
	*index = t->n++;
	return 0;
oom:
	free(key);
	free(id);
	return SASAE_ENOMEM;
}

int sasae_identities_add(sasae_identities *t, const char *key, const char *id, int64_t ref)
{
	size_t index;
	/* An id of the form this table creates is kept as its number (no string per program). */
	char *end = NULL;
	long long number = id[0] == 'p' && id[1] >= '0' && id[1] <= '9' ? strtoll(id + 1, &end, 10) : 0;
	char again[32];
	if (number > 0 && *end == '\0' && snprintf(again, sizeof again, "p%04lld", number) > 0 &&
	    strcmp(again, id) == 0)
		return put(t, sasae_strdup(key), NULL, number, ref, &index);
	char *copy = sasae_strdup(id);
	if (copy == NULL)
		return SASAE_ENOMEM;
	return put(t, sasae_strdup(key), copy, 0, ref, &index);
}

int sasae_identities_find(sasae_identities *t, const char *name, size_t *index, bool *created)
{
	*created = false;
	char *key = sasae_text_identity_key(name);
	if (key == NULL)
		return SASAE_ENOMEM;
	long long at = index_of(t, key);
	if (at >= 0) {
		*index = (size_t)at;
		free(key);
		return 0;
	}
	int rc = put(t, key, NULL, t->next_number, 0, index); /* the id is formatted when asked for */
	if (rc == 0) {
		t->next_number++;
		t->created++;
		*created = true;
	}
	return rc;
}

int sasae_identities_find_key(sasae_identities *t, const char *key, size_t *index)
{
	long long at = index_of(t, key);
	if (at >= 0) {
		*index = (size_t)at;
		return 0;
	}
	char *id = sasae_strdup(key);
	if (id == NULL)
		return SASAE_ENOMEM;
	return put(t, sasae_strdup(key), id, 0, 0, index);
}

int sasae_identities_offer(sasae_identities *t, size_t index, int64_t listing, bool relisted)
{
	sasae_identity *e = &t->v[index];
	if (!e->listed) { /* its first listing in this document */
		if (t->nlisted == t->caplisted) {
			size_t cap = t->caplisted ? t->caplisted * 2 : 256;
			size_t *l = realloc(t->listed, cap * sizeof *l);
			if (l == NULL)
				return SASAE_ENOMEM;
			t->listed = l;
			t->caplisted = cap;
		}
		t->listed[t->nlisted++] = index;
		e->listed = true;
		e->original = listing;
		e->original_relisted = relisted;
	} else if (e->original_relisted && !relisted) { /* the first unmarked listing is the original */
		e->original = listing;
		e->original_relisted = false;
	}
	return 0;
}

/* For sorting programs by their original listing. */
typedef struct by_original {
	int64_t original;
	size_t index;
} by_original;

static int by_original_cmp(const void *a, const void *b)
{
	const by_original *x = a, *y = b;
	return x->original < y->original ? -1 : x->original > y->original;
}

int sasae_plan_collect_programs(sasae_plan *plan, sasae_program_order order)
{
	size_t n = sasae_plan_count_listings(plan), m = n ? n : 1, got = 0;
	int rc = SASAE_ENOMEM;
	sasae_identities t;
	sasae_identities_init(&t, 1);
	sasae_listing **all = calloc(m, sizeof *all);
	size_t *ident_of = calloc(m, sizeof *ident_of); /* listing → identity */
	size_t *prog_of = NULL;                         /* identity → program */
	by_original *sorted = NULL;
	if (!all || !ident_of)
		goto done;
	for (size_t i = 0; i < plan->nparts; i++)
		for (size_t j = 0; j < plan->parts[i].nsections; j++)
			for (size_t k = 0; k < plan->parts[i].sections[j].nlistings; k++)
				all[got++] = &plan->parts[i].sections[j].listings[k];
	for (size_t i = 0; i < n; i++)
		if (sasae_identities_find_key(&t, all[i]->program ? all[i]->program : "", &ident_of[i]) ||
		    sasae_identities_offer(&t, ident_of[i], (int64_t)i, all[i]->relisted))
			goto done;
	size_t np = t.nlisted;
	prog_of = calloc(t.n ? t.n : 1, sizeof *prog_of);
	sorted = calloc(np ? np : 1, sizeof *sorted);
	plan->programs = calloc(np ? np : 1, sizeof(sasae_program));
	if (!prog_of || !sorted || !plan->programs)
		goto done;
	for (size_t k = 0; k < np; k++)
		sorted[k] = (by_original){t.v[t.listed[k]].original, t.listed[k]};
	if (order == SASAE_PROGRAMS_BY_ORIGINAL)
		qsort(sorted, np, sizeof *sorted, by_original_cmp);
	for (size_t k = 0; k < np; k++) {
		const sasae_identity *e = &t.v[sorted[k].index];
		const sasae_listing *orig = all[e->original];
		sasae_program *p = &plan->programs[plan->nprograms++];
		prog_of[sorted[k].index] = k;
		char idbuf[32];
		p->id = sasae_strdup(sasae_identity_id(e, idbuf));
		p->name = sasae_strdup(orig->name);
		p->summary = sasae_strdup(orig->summary);
		p->departments = sasae_departments_copy(orig->departments, orig->ndepartments);
		p->ndepartments = p->departments ? orig->ndepartments : 0;
		if (!p->id || !p->name || !p->summary || (orig->ndepartments && !p->departments))
			goto done;
	}
	for (size_t i = 0; i < n; i++) {
		sasae_program *p = &plan->programs[prog_of[ident_of[i]]];
		sasae_place *pl = realloc(p->places, (p->nplaces + 1) * sizeof *pl);
		if (pl == NULL)
			goto done;
		p->places = pl;
		p->places[p->nplaces++] =
			(sasae_place){all[i]->part, all[i]->section, all[i]->section_index, all[i]->position};
	}
	rc = 0;
done:
	sasae_identities_clear(&t);
	free(all);
	free(ident_of);
	free(prog_of);
	free(sorted);
	return rc;
}
