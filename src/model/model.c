/* model.c — construction, copying and freeing of the plan model (see include/core/sasae/model.h). */
#include "sasae/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/error.h"
#include "sasae/identity.h"
#include "sasae/text.h"

char *sasae_strdup(const char *s)
{
	if (s == NULL)
		return NULL;
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

/* Grow an array of elements of size `size` so that it holds at least n+1; 0 or -1. */
static int grow(void **items, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 8;
	if (c > ((size_t)-1) / size)
		return -1;
	void *p = realloc(*items, c * size);
	if (p == NULL)
		return -1;
	*items = p;
	*cap = c;
	return 0;
}

sasae_plan *sasae_plan_new(void) { return calloc(1, sizeof(sasae_plan)); }

void sasae_departments_free(sasae_department *d, size_t n)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(d[i].name);
		free(d[i].note);
		free(d[i].printed);
	}
	free(d);
}

sasae_department *sasae_departments_copy(const sasae_department *d, size_t n)
{
	if (n == 0)
		return NULL;
	sasae_department *c = calloc(n, sizeof *c);
	if (c == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		c[i].name = sasae_strdup(d[i].name);
		c[i].note = sasae_strdup(d[i].note);
		c[i].printed = sasae_strdup(d[i].printed);
		if (c[i].name == NULL || (d[i].note && c[i].note == NULL) ||
		    (d[i].printed && c[i].printed == NULL)) {
			sasae_departments_free(c, n);
			return NULL;
		}
	}
	return c;
}

void sasae_listing_clear(sasae_listing *l)
{
	free(l->name);
	free(l->summary);
	free(l->program);
	sasae_departments_free(l->departments, l->ndepartments);
	memset(l, 0, sizeof *l);
}

int sasae_listing_copy(sasae_listing *dst, const sasae_listing *src)
{
	*dst = *src;
	dst->name = sasae_strdup(src->name ? src->name : "");
	dst->summary = sasae_strdup(src->summary ? src->summary : "");
	dst->program = sasae_strdup(src->program);
	dst->departments = sasae_departments_copy(src->departments, src->ndepartments);
	if (dst->name == NULL || dst->summary == NULL || (src->program && dst->program == NULL) ||
	    (src->ndepartments && dst->departments == NULL)) {
		sasae_listing_clear(dst);
		return SASAE_ENOMEM;
	}
	return 0;
}

static void program_clear(sasae_program *p)
{
	free(p->id);
	free(p->name);
	free(p->summary);
	sasae_departments_free(p->departments, p->ndepartments);
	free(p->places);
}

void sasae_plan_free(sasae_plan *plan)
{
	if (plan == NULL)
		return;
	for (size_t i = 0; i < plan->nparts; i++) {
		sasae_part *part = &plan->parts[i];
		for (size_t j = 0; j < part->nsections; j++) {
			sasae_section *s = &part->sections[j];
			for (size_t k = 0; k < s->nlistings; k++)
				sasae_listing_clear(&s->listings[k]);
			free(s->listings);
			free(s->title);
		}
		free(part->sections);
		free(part->title);
	}
	free(plan->parts);
	for (size_t i = 0; i < plan->nprograms; i++)
		program_clear(&plan->programs[i]);
	free(plan->programs);
	for (size_t i = 0; i < plan->nwarnings; i++) {
		free(plan->warnings[i].kind);
		free(plan->warnings[i].message);
	}
	free(plan->warnings);
	free(plan->slug);
	free(plan->title);
	free(plan->source);
	free(plan->imported_at);
	free(plan);
}

sasae_part *sasae_plan_add_part(sasae_plan *plan)
{
	if (grow((void **)&plan->parts, &plan->cap, plan->nparts, sizeof(sasae_part)))
		return NULL;
	sasae_part *p = &plan->parts[plan->nparts++];
	memset(p, 0, sizeof *p);
	p->number = (int)plan->nparts;
	return p;
}

sasae_section *sasae_part_add_section(sasae_part *part)
{
	if (grow((void **)&part->sections, &part->cap, part->nsections, sizeof(sasae_section)))
		return NULL;
	sasae_section *s = &part->sections[part->nsections++];
	memset(s, 0, sizeof *s);
	return s;
}

sasae_listing *sasae_section_add_listing(sasae_section *section, const sasae_listing *src)
{
	if (grow((void **)&section->listings, &section->cap, section->nlistings, sizeof(sasae_listing)))
		return NULL;
	sasae_listing *l = &section->listings[section->nlistings];
	if (sasae_listing_copy(l, src))
		return NULL;
	section->nlistings++;
	return l;
}

int sasae_plan_add_warning(sasae_plan *plan, long line, const char *kind, const char *message)
{
	size_t n = plan->nwarnings; /* capacity: 8, 16, 32 …, grown when n reaches it */
	if (n == 0 || (n >= 8 && (n & (n - 1)) == 0)) {
		size_t c = n ? n * 2 : 8;
		sasae_plan_warning *w = realloc(plan->warnings, c * sizeof *w);
		if (w == NULL)
			return SASAE_ENOMEM;
		plan->warnings = w;
	}
	sasae_plan_warning *w = &plan->warnings[plan->nwarnings];
	w->line = line;
	w->kind = sasae_strdup(kind ? kind : "");
	w->message = sasae_strdup(message ? message : "");
	if (w->kind == NULL || w->message == NULL) {
		free(w->kind);
		free(w->message);
		return SASAE_ENOMEM;
	}
	plan->nwarnings++;
	return 0;
}

size_t sasae_plan_count_listings(const sasae_plan *plan)
{
	size_t n = 0;
	for (size_t i = 0; i < plan->nparts; i++)
		for (size_t j = 0; j < plan->parts[i].nsections; j++)
			n += plan->parts[i].sections[j].nlistings;
	return n;
}

size_t sasae_plan_count_sections(const sasae_plan *plan)
{
	size_t n = 0;
	for (size_t i = 0; i < plan->nparts; i++)
		n += plan->parts[i].nsections;
	return n;
}

int sasae_plan_assign_programs(sasae_plan *plan)
{
	/* Ids by identity key (include/core/sasae/identity.h), then the programs from the listings. */
	sasae_identities t;
	sasae_identities_init(&t, 1);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < plan->nparts; i++)
		for (size_t j = 0; rc == 0 && j < plan->parts[i].nsections; j++)
			for (size_t k = 0; rc == 0 && k < plan->parts[i].sections[j].nlistings; k++) {
				sasae_listing *l = &plan->parts[i].sections[j].listings[k];
				size_t index;
				bool created;
				if ((rc = sasae_identities_find(&t, l->name, &index, &created)) != 0)
					break;
				char id[32];
				free(l->program);
				if ((l->program = sasae_strdup(sasae_identity_id(&t.v[index], id))) == NULL)
					rc = SASAE_ENOMEM;
			}
	sasae_identities_clear(&t);
	if (rc == 0)
		rc = sasae_plan_collect_programs(plan, SASAE_PROGRAMS_BY_FIRST);
	return rc ? SASAE_ENOMEM : 0;
}
