/* hashmap.c — string or 64-bit keys → int64_t values, open addressing (include/util/sasae/hashmap.h). */
#include "sasae/hashmap.h"

#include <stdlib.h>
#include <string.h>

#include "sasae/error.h"

/* One slot.  In a string map `key` is the key (NULL: empty) and `h` its hash; in a 64-bit map `h`
   is the key and `key` is USED (non-NULL) once the slot is taken. */
typedef struct slot {
	uint64_t h;
	const char *key;
	int64_t val;
} slot;

struct sasae_hashmap {
	slot *slots;
	size_t cap; /* power of two, or 0 before the first put */
	size_t n;   /* keys */
	int flags;
};

static const char USED[] = "";

/* FNV-1a of a NUL-terminated string. */
static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The murmur3 finaliser: a 64-bit key spread over the table's low bits. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

/* Where a probe for hash h starts. */
static size_t home(const sasae_hashmap *m, uint64_t h)
{
	return (size_t)((m->flags & SASAE_HASHMAP_U64) ? mix64(h) : h ^ (h >> 29)) & (m->cap - 1);
}

sasae_hashmap *sasae_hashmap_new(int flags)
{
	sasae_hashmap *m = calloc(1, sizeof *m);
	if (m)
		m->flags = flags;
	return m;
}

void sasae_hashmap_free(sasae_hashmap *m)
{
	if (m == NULL)
		return;
	if (m->flags & SASAE_HASHMAP_COPY)
		for (size_t i = 0; i < m->cap; i++)
			free((char *)(uintptr_t)m->slots[i].key);
	free(m->slots);
	free(m);
}

size_t sasae_hashmap_count(const sasae_hashmap *m) { return m->n; }

/* Rebuild the table with cap slots (a power of two above the keys).  0 or SASAE_ENOMEM. */
static int rehash(sasae_hashmap *m, size_t cap)
{
	slot *slots = calloc(cap, sizeof *slots);
	if (slots == NULL)
		return SASAE_ENOMEM;
	slot *old = m->slots;
	size_t oldcap = m->cap;
	m->slots = slots;
	m->cap = cap;
	for (size_t i = 0; i < oldcap; i++) {
		if (old[i].key == NULL)
			continue;
		size_t j = home(m, old[i].h);
		while (slots[j].key)
			j = (j + 1) & (cap - 1);
		slots[j] = old[i];
	}
	free(old);
	return 0;
}

int sasae_hashmap_reserve(sasae_hashmap *m, size_t n)
{
	if (n > SIZE_MAX / 3 / sizeof(slot))
		return SASAE_ENOMEM;
	size_t cap = m->cap ? m->cap : 16;
	while (n * 3 > cap * 2)
		cap *= 2; /* cannot overflow: cap <= 3n / 2 * 2 < SIZE_MAX / sizeof(slot) */
	return cap == m->cap ? 0 : rehash(m, cap);
}

/* The slot holding (h, key), or the empty slot where it would go. */
static slot *find(const sasae_hashmap *m, uint64_t h, const char *key)
{
	size_t i = home(m, h);
	if (m->flags & SASAE_HASHMAP_U64) {
		while (m->slots[i].key && m->slots[i].h != h)
			i = (i + 1) & (m->cap - 1);
	} else {
		while (m->slots[i].key && (m->slots[i].h != h || strcmp(m->slots[i].key, key) != 0))
			i = (i + 1) & (m->cap - 1);
	}
	return &m->slots[i];
}

/* Find or insert; NULL on OOM. */
static int64_t *put(sasae_hashmap *m, uint64_t h, const char *key, int64_t value, bool *added)
{
	if (added)
		*added = false;
	if (m->cap) {
		slot *s = find(m, h, key);
		if (s->key)
			return &s->val;
	}
	if (sasae_hashmap_reserve(m, m->n + 1) != 0)
		return NULL;
	slot *s = find(m, h, key);
	const char *k = USED;
	if (!(m->flags & SASAE_HASHMAP_U64)) {
		k = key;
		if ((m->flags & SASAE_HASHMAP_COPY) && key != NULL) { /* key is never NULL here; the test
									 keeps gcc -O2 from warning */
			size_t len = strlen(key);
			char *c = malloc(len + 1);
			if (c == NULL)
				return NULL;
			k = memcpy(c, key, len + 1);
		}
	}
	*s = (slot){h, k, value};
	m->n++;
	if (added)
		*added = true;
	return &s->val;
}

int64_t *sasae_hashmap_get(const sasae_hashmap *m, const char *key)
{
	if (m->cap == 0)
		return NULL;
	slot *s = find(m, hash_str(key), key);
	return s->key ? &s->val : NULL;
}

int64_t *sasae_hashmap_put(sasae_hashmap *m, const char *key, int64_t value, bool *added)
{
	return put(m, hash_str(key), key, value, added);
}

int64_t *sasae_hashmap_get_u64(const sasae_hashmap *m, uint64_t key)
{
	if (m->cap == 0)
		return NULL;
	slot *s = find(m, key, NULL);
	return s->key ? &s->val : NULL;
}

int64_t *sasae_hashmap_put_u64(sasae_hashmap *m, uint64_t key, int64_t value, bool *added)
{
	return put(m, key, NULL, value, added);
}
