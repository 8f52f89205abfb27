/*
 * test_plan.h — looking things up in a sasae_plan and comparing two plans field by field, for the
 * parser and store tests.  Static inline helpers that fail the cmocka test on a mismatch.
 *
 * Include after <cmocka.h> and sasae/model.h.
 */
#ifndef SASAE_TEST_PLAN_H
#define SASAE_TEST_PLAN_H

#include <stdlib.h>
#include <string.h>

#include "sasae/model.h"

/* The section printed as (number) in part (1-based), or a test failure. */
static inline const sasae_section *section_of(const sasae_plan *plan, int part, int number)
{
	if (part < 1 || (size_t)part > plan->nparts)
		fail_msg("no part %d (the plan has %zu)", part, plan->nparts);
	const sasae_part *p = &plan->parts[part - 1];
	for (size_t j = 0; j < p->nsections; j++)
		if (p->sections[j].number == number)
			return &p->sections[j];
	fail_msg("no section (%d) in part %d", number, part);
	abort(); /* not reached: fail_msg does not return */
}

/* The listing at (part, section as printed, position), checking that it says so itself. */
static inline const sasae_listing *listing_at(const sasae_plan *plan, int part, int section, int position)
{
	const sasae_section *s = section_of(plan, part, section);
	if (position < 1 || (size_t)position > s->nlistings)
		fail_msg("no position %d in part %d section (%d) (%zu listings)", position, part, section,
			 s->nlistings);
	const sasae_listing *l = &s->listings[position - 1];
	assert_int_equal(l->part, part);
	assert_int_equal(l->section, section);
	assert_int_equal(l->section_index, (int)(s - plan->parts[part - 1].sections) + 1);
	assert_int_equal(l->position, position);
	return l;
}

static inline const sasae_program *program_by_id(const sasae_plan *plan, const char *id)
{
	for (size_t i = 0; i < plan->nprograms; i++)
		if (strcmp(plan->programs[i].id, id) == 0)
			return &plan->programs[i];
	fail_msg("no program %s", id);
	abort(); /* not reached: fail_msg does not return */
}

/* The listing a program's place names (by the section's order in its part), checking that the
   place's printed section number is that section's. */
static inline const sasae_listing *listing_of_place(const sasae_plan *plan, const sasae_place *pl)
{
	if (pl->part < 1 || (size_t)pl->part > plan->nparts)
		fail_msg("place names no part %d", pl->part);
	const sasae_part *p = &plan->parts[pl->part - 1];
	if (pl->section_index < 1 || (size_t)pl->section_index > p->nsections)
		fail_msg("place names no section #%d in part %d", pl->section_index, pl->part);
	const sasae_section *s = &p->sections[pl->section_index - 1];
	assert_int_equal(s->number, pl->section);
	if (pl->position < 1 || (size_t)pl->position > s->nlistings)
		fail_msg("place names no position %d in part %d section #%d", pl->position, pl->part,
			 pl->section_index);
	return &s->listings[pl->position - 1];
}

static inline void assert_departments_equal(const sasae_department *a, size_t na, const sasae_department *b,
					    size_t nb)
{
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		assert_string_equal(a[i].name, b[i].name);
		if (a[i].note == NULL || b[i].note == NULL)
			assert_true(a[i].note == b[i].note);
		else
			assert_string_equal(a[i].note, b[i].note);
	}
}

static inline void assert_listings_equal(const sasae_listing *a, const sasae_listing *b)
{
	assert_int_equal(a->part, b->part);
	assert_int_equal(a->section, b->section);
	assert_int_equal(a->section_index, b->section_index);
	assert_int_equal(a->position, b->position);
	assert_int_equal(a->number, b->number);
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->summary, b->summary);
	assert_int_equal(a->relisted, b->relisted);
	assert_departments_equal(a->departments, a->ndepartments, b->departments, b->ndepartments);
	if (a->program == NULL || b->program == NULL)
		assert_true(a->program == b->program);
	else
		assert_string_equal(a->program, b->program);
	assert_int_equal(a->source_line, b->source_line);
}

/* Two plans hold the same title, parts, sections, listings and programs (programs matched by id,
   so their order in plan->programs does not matter). Part titles are compared too. */
static inline void assert_plans_equal(const sasae_plan *a, const sasae_plan *b)
{
	assert_string_equal(a->title ? a->title : "", b->title ? b->title : "");
	assert_int_equal(a->nparts, b->nparts);
	for (size_t i = 0; i < a->nparts; i++) {
		const sasae_part *pa = &a->parts[i], *pb = &b->parts[i];
		assert_int_equal(pa->number, pb->number);
		assert_string_equal(pa->title ? pa->title : "(none)", pb->title ? pb->title : "(none)");
		assert_int_equal(pa->nsections, pb->nsections);
		for (size_t j = 0; j < pa->nsections; j++) {
			const sasae_section *sa = &pa->sections[j], *sb = &pb->sections[j];
			assert_int_equal(sa->number, sb->number);
			assert_string_equal(sa->title, sb->title);
			assert_int_equal(sa->source_line, sb->source_line);
			assert_int_equal(sa->nlistings, sb->nlistings);
			for (size_t k = 0; k < sa->nlistings; k++)
				assert_listings_equal(&sa->listings[k], &sb->listings[k]);
		}
	}
	assert_int_equal(a->nprograms, b->nprograms);
	for (size_t i = 0; i < a->nprograms; i++) {
		const sasae_program *x = &a->programs[i], *y = program_by_id(b, a->programs[i].id);
		assert_string_equal(x->name, y->name);
		assert_string_equal(x->summary, y->summary);
		assert_departments_equal(x->departments, x->ndepartments, y->departments, y->ndepartments);
		assert_int_equal(x->nplaces, y->nplaces);
		for (size_t k = 0; k < x->nplaces; k++) {
			assert_int_equal(x->places[k].part, y->places[k].part);
			assert_int_equal(x->places[k].section, y->places[k].section);
			assert_int_equal(x->places[k].section_index, y->places[k].section_index);
			assert_int_equal(x->places[k].position, y->places[k].position);
		}
	}
}

#endif
