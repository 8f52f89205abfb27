/*
 * hashmap.h — the one hash map of sasae: keys are strings (borrowed or copied, as the map was
 * made) or 64-bit numbers, values are int64_t (an index, a row id, a count).
 *
 * Open addressing with linear probing over a power-of-two table, kept at most 2/3 full; growth is
 * overflow-checked.  A string map stores each key's hash beside it, so a probe compares strings
 * only when the hashes agree.  There is no removal (no caller needs it).  Slots move when the map
 * grows: a value pointer returned by put or get is valid until the next put.
 */
#ifndef SASAE_HASHMAP_H
#define SASAE_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sasae_hashmap sasae_hashmap;

enum {
	SASAE_HASHMAP_BORROW = 0, /* string keys stay the caller's: alive and unchanged while mapped */
	SASAE_HASHMAP_COPY = 1,   /* string keys are copied on insertion and freed with the map */
	SASAE_HASHMAP_U64 = 2,    /* keys are uint64_t (the *_u64 functions) */
};

/* A new empty map of the kind flags says (one of the enum above).  NULL on OOM.  Free with
   sasae_hashmap_free. */
sasae_hashmap *sasae_hashmap_new(int flags);

/* Free the map (and the keys it copied); NULL is a no-op. */
void sasae_hashmap_free(sasae_hashmap *m);

/* The number of keys. */
size_t sasae_hashmap_count(const sasae_hashmap *m);

/* Make room for n keys in all without growing again.  0, or SASAE_ENOMEM (the map unchanged). */
int sasae_hashmap_reserve(sasae_hashmap *m, size_t n);

/*
 * The value of key (a string map), or NULL when absent.  The pointer is the map's: it can be
 * written through, until the next put.
 */
int64_t *sasae_hashmap_get(const sasae_hashmap *m, const char *key);

/*
 * The value of key (a string map); when absent, key is inserted with value and *added (if not
 * NULL) set true.  An existing value is left as it is (*added false).  NULL on OOM (the map is
 * then unchanged).
 */
int64_t *sasae_hashmap_put(sasae_hashmap *m, const char *key, int64_t value, bool *added);

/* The same for a map of 64-bit keys (SASAE_HASHMAP_U64). */
int64_t *sasae_hashmap_get_u64(const sasae_hashmap *m, uint64_t key);
int64_t *sasae_hashmap_put_u64(sasae_hashmap *m, uint64_t key, int64_t value, bool *added);

#endif
