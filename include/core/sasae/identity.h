/*
 * identity.h — the rules of program identity, in one place (docs/plan-format.md, "Program
 * identity"): listings whose names have the same identity key (NFKC, no white space) are one
 * program; a new program takes the plan's next id ("p0001", "p0002", …); a program's original
 * listing — whose name, summary and departments are the program's — is its first unmarked (not
 * 【再掲】) listing in the document, else its first.
 *
 * Used by sasae_plan_assign_programs (a plan in memory), by the store's import (the plan's known
 * identities preloaded from the store, which only keeps what is decided here) and by
 * sasae_plan_collect_programs (a plan loaded from the store).
 *
 * Ownership: a table is initialised with sasae_identities_init and freed with
 * sasae_identities_clear; the identities it holds are borrowed by index.
 */
#ifndef SASAE_IDENTITY_H
#define SASAE_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sasae/model.h"

/* One program identity. */
typedef struct sasae_identity {
	char *key;              /* identity key (or the program id, in a table keyed by id), owned */
	char *id;               /* program id, owned; NULL for one created here: "p%04lld" of number */
	int64_t number;         /* with id NULL: the number of its id */
	int64_t ref;            /* the store's handle of the program (0 in memory) */
	int64_t original;       /* the caller's handle of its original listing so far (with listed) */
	bool listed;            /* listed in the document being read */
	bool original_relisted; /* that listing is marked 【再掲】 */
} sasae_identity;

/* A table of identities: key → identity, and the identities listed in the document being read. */
typedef struct sasae_identities {
	sasae_identity *v; /* in order of addition (known ones first, then new ones) */
	size_t n, cap;
	struct sasae_hashmap *map; /* key → index in v (keys borrowed from v[i].key); NULL until the first put */
	size_t *listed; /* indices of the identities listed, in order of their first listing */
	size_t nlisted, caplisted;
	int64_t next_number; /* the number of the next new program id */
	size_t created;      /* identities created by sasae_identities_find */
} sasae_identities;

/* The program id of e: e->id, or formatted into buf from e->number.  Returns e->id or buf. */
const char *sasae_identity_id(const sasae_identity *e, char buf[32]);

/* An empty table whose next new id is p<next_number>. */
void sasae_identities_init(sasae_identities *t, int64_t next_number);
/* Free everything t holds and empty it; a zeroed table is a no-op. */
void sasae_identities_clear(sasae_identities *t);

/* Add an identity known before (from the store): key and id are copied.  0 or SASAE_ENOMEM. */
int sasae_identities_add(sasae_identities *t, const char *key, const char *id, int64_t ref);

/*
 * The identity of a listing named `name`: the one with its identity key, or a new one with the next
 * id (*created true).  *index is its index in t->v.  0 or SASAE_ENOMEM.
 */
int sasae_identities_find(sasae_identities *t, const char *name, size_t *index, bool *created);

/* The identity whose key is exactly `key` (no normalisation), adding one with id = key when there
   is none.  0 or SASAE_ENOMEM. */
int sasae_identities_find_key(sasae_identities *t, const char *key, size_t *index);

/*
 * Record a listing of identity `index`, in document order: `listing` is the caller's handle of it
 * (an index, a store's row), `relisted` its 【再掲】 mark.  The first listing makes the identity
 * listed; the original listing is decided here (see the top of this file).  0 or SASAE_ENOMEM.
 */
int sasae_identities_offer(sasae_identities *t, size_t index, int64_t listing, bool relisted);

/* The order of a plan's programs: by first listing (as assigned), or by original listing (as the
   store has always returned them). */
typedef enum sasae_program_order { SASAE_PROGRAMS_BY_FIRST, SASAE_PROGRAMS_BY_ORIGINAL } sasae_program_order;

/*
 * Fill plan->programs from the listings, whose program ids are set: one program per id, its text
 * from its original listing, its places every listing in document order.  Replaces no existing
 * programs (plan->programs must be empty).  Returns 0 or SASAE_ENOMEM (plan->programs is then
 * partly filled; sasae_plan_free frees it).
 */
int sasae_plan_collect_programs(sasae_plan *plan, sasae_program_order order);

#endif
