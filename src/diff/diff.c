/*
 * diff.c — the differences between two versions of a plan (include/core/sasae/diff.h, docs/diff.md).
 *
 * Four steps, each linear or close to it in the number of programs:
 *   1. exact identities through a hash table: equal printed names, then, among the rest, equal
 *      identity keys (NFKC, no white space);
 *   2. renames among the programs left over on both sides: character-bigram features of name and
 *      summary, an inverted index over the old leftovers, and for each new leftover a candidate
 *      search that visits the rarest bigrams first under a work budget, keeps the best few
 *      candidates and scores them exactly; then a greedy one-to-one assignment, best score first;
 *   3. sections mapped from the old version to the new one (by title within a part, else by
 *      printed number), so that a program's set of sections can be compared across versions;
 *   4. every matched pair compared for sections (moved), summary and printed name (changed, with
 *      a character diff: sasae_text_edit_script over code points) and departments.
 * The rest of the file writes the result as text for people and as JSON for tools.
 */
#include "sasae/diff.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/buf.h"
#include "sasae/hashmap.h"
#include "sasae/similar.h"
#include "sasae/text.h"

#define OOM_MESSAGE "メモリが足りません"

/* Default total number of posting-list entries the rename search may visit. */
#define DEFAULT_WORK_BUDGET 60000000u
/* Each new program may visit at least this many entries, however many programs there are. */
#define MIN_ITEM_BUDGET 256u
/* Candidates scored exactly per new program. */
#define TOP_CANDIDATES 8
/* The character diff gives up (one deletion, one insertion) beyond this many edits. */
#define MAX_EDIT_DISTANCE 4000
/* … or when (N+M)·D, the work of Myers' algorithm, would pass this. */
#define MAX_DIFF_WORK 50000000u

/* ------------------------------------------------------------------------------------------ */
/* Small growable arrays                                                                      */

/* Grow *p (elements of size sz) to hold at least need elements; *cap is updated.  false on OOM. */
static bool grow(void **p, size_t *cap, size_t need, size_t sz)
{
	if (need <= *cap)
		return true;
	size_t nc = *cap ? *cap : 16;
	while (nc < need) {
		if (nc > SIZE_MAX / 2 / sz)
			return false;
		nc *= 2;
	}
	void *q = realloc(*p, nc * sz);
	if (q == NULL)
		return false;
	*p = q;
	*cap = nc;
	return true;
}

/* calloc that never asks for 0 bytes (so that NULL always means out of memory). */
static void *xcalloc(size_t n, size_t sz) { return calloc(n ? n : 1, sz); }

/* ------------------------------------------------------------------------------------------ */
/* The character diff                                                                         */

/* A run of the edit script: kept text (a_len == b_len) or a change (a_len deleted, b_len inserted). */
typedef struct seg {
	bool equal;
	size_t a_off, a_len, b_off, b_len;
} seg;

/* Append a segment, merging with the previous one of the same kind. */
static bool seg_push(seg **segs, size_t *n, size_t *cap, bool equal, size_t a_off, size_t a_len, size_t b_off,
		     size_t b_len)
{
	if (a_len == 0 && b_len == 0)
		return true;
	if (*n && (*segs)[*n - 1].equal == equal) {
		(*segs)[*n - 1].a_len += a_len;
		(*segs)[*n - 1].b_len += b_len;
		return true;
	}
	if (!grow((void **)segs, cap, *n + 1, sizeof **segs))
		return false;
	(*segs)[(*n)++] = (seg){equal, a_off, a_len, b_off, b_len};
	return true;
}

/* Fold a short kept run between two changes into them (the rule of diff-match-patch's semantic
   cleanup): a run no longer than the larger side of the change on each side of it. */
static void seg_cleanup(seg *s, size_t *n)
{
	bool again = true;
	while (again) {
		again = false;
		for (size_t i = 1; i + 1 < *n; i++) {
			if (!s[i].equal || s[i - 1].equal || s[i + 1].equal)
				continue;
			size_t len = s[i].a_len;
			size_t left = s[i - 1].a_len > s[i - 1].b_len ? s[i - 1].a_len : s[i - 1].b_len;
			size_t right = s[i + 1].a_len > s[i + 1].b_len ? s[i + 1].a_len : s[i + 1].b_len;
			if (len > left || len > right)
				continue;
			s[i - 1].a_len += s[i].a_len + s[i + 1].a_len;
			s[i - 1].b_len += s[i].b_len + s[i + 1].b_len;
			memmove(&s[i], &s[i + 2], (*n - i - 2) * sizeof *s);
			*n -= 2;
			again = true;
			break;
		}
	}
}

void sasae_diff_spans_free(sasae_diff_span *spans, size_t n)
{
	if (spans == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(spans[i].text);
	free(spans);
}

int sasae_diff_text(sasae_diff_span **spans, size_t *nspans, const char *a, const char *b)
{
	*spans = NULL;
	*nspans = 0;
	uint32_t *ca = NULL, *cb = NULL;
	size_t na = 0, nb = 0, nops = 0, nsegs = 0, segcap = 0, nout = 0;
	char *ops = NULL;
	seg *segs = NULL;
	sasae_diff_span *out = NULL;
	int rc = SASAE_ENOMEM;
	if ((ca = sasae_text_decode_cps(a, &na)) == NULL || (cb = sasae_text_decode_cps(b, &nb)) == NULL)
		goto done;
	/* Common prefix and suffix first: usually all that is left is the edited part. */
	size_t pre = 0, suf = 0;
	while (pre < na && pre < nb && ca[pre] == cb[pre])
		pre++;
	while (suf < na - pre && suf < nb - pre && ca[na - 1 - suf] == cb[nb - 1 - suf])
		suf++;
	size_t ma = na - pre - suf, mb = nb - pre - suf;
	if (!seg_push(&segs, &nsegs, &segcap, true, 0, pre, 0, pre))
		goto done;
	/* When more than half of what is left differs, a character diff is no help to a reader (and
	   costs (N+M)·D): the middle is then shown as one change. */
	size_t max_d = (ma + mb) / 2 + 1;
	if (max_d > MAX_EDIT_DISTANCE)
		max_d = MAX_EDIT_DISTANCE;
	if (max_d > MAX_DIFF_WORK / (ma + mb + 1))
		max_d = MAX_DIFF_WORK / (ma + mb + 1);
	bool too_far;
	if (sasae_text_edit_script(&ops, &nops, &too_far, ca + pre, ma, cb + pre, mb, max_d) != 0)
		goto done;
	if (too_far) { /* too different: the middle as one change */
		if (!seg_push(&segs, &nsegs, &segcap, false, pre, ma, pre, mb))
			goto done;
	} else {
		size_t x = pre, y = pre;
		for (size_t i = 0; i < nops; i++) {
			bool ok = ops[i] == '='   ? seg_push(&segs, &nsegs, &segcap, true, x++, 1, y++, 1)
				  : ops[i] == '-' ? seg_push(&segs, &nsegs, &segcap, false, x++, 1, y, 0)
						  : seg_push(&segs, &nsegs, &segcap, false, x, 0, y++, 1);
			if (!ok)
				goto done;
		}
	}
	if (!seg_push(&segs, &nsegs, &segcap, true, na - suf, suf, nb - suf, suf))
		goto done;
	seg_cleanup(segs, &nsegs);
	out = xcalloc(2 * nsegs, sizeof *out);
	if (out == NULL)
		goto done;
	for (size_t i = 0; i < nsegs; i++) {
		const seg *s = &segs[i];
		for (int side = 0; side < 2; side++) {
			size_t len = side ? s->b_len : s->a_len;
			if (len == 0 || (s->equal && side == 1))
				continue;
			sasae_buf t = SASAE_BUF_INIT;
			sasae_text_put_cps(&t, side ? cb + s->b_off : ca + s->a_off, len);
			out[nout].op = s->equal ? '=' : side ? '+' : '-';
			if ((out[nout].text = sasae_buf_detach(&t)) == NULL)
				goto done;
			nout++;
		}
	}
	*spans = out;
	*nspans = nout;
	out = NULL;
	rc = 0;
done:
	sasae_diff_spans_free(out, nout);
	free(ca);
	free(cb);
	free(ops);
	free(segs);
	return rc;
}

char *sasae_diff_spans_markup(const sasae_diff_span *spans, size_t n)
{
	sasae_buf b = SASAE_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (spans[i].op == '-')
			sasae_buf_appendf(&b, "[-%s-]", spans[i].text);
		else if (spans[i].op == '+')
			sasae_buf_appendf(&b, "{+%s+}", spans[i].text);
		else
			sasae_buf_puts(&b, spans[i].text);
	}
	return sasae_buf_detach(&b);
}

/* ------------------------------------------------------------------------------------------ */
/* Programs of one side                                                                       */

/* What the comparison keeps about one program. */
typedef struct prog {
	const sasae_program *p;
	char *key;    /* identity key, computed only when the printed name found no match */
	size_t rank;  /* position in document order (by first place) */
	size_t match; /* index of the counterpart on the other side, or NONE */
	double score; /* for renames: the score of the match (-1 for an exact identity) */
	double name_score, summary_score;
} prog;

#define NONE SIZE_MAX

typedef struct side {
	const sasae_plan *plan;
	prog *progs;
	size_t n;
	size_t *order; /* program indices in document order */
	/* Sections: global id of (part index, section index) = base[part index] + section index. */
	size_t *base;
	size_t nsections;
} side;

static int place_cmp(const sasae_place *a, const sasae_place *b)
{
	if (a->part != b->part)
		return a->part < b->part ? -1 : 1;
	if (a->section_index != b->section_index)
		return a->section_index < b->section_index ? -1 : 1;
	return (a->position > b->position) - (a->position < b->position);
}

/* A program's first place, for sorting programs into document order. */
typedef struct first_place {
	sasae_place place;
	bool has; /* the program has a place at all */
	size_t index;
} first_place;

static int first_place_cmp(const void *a, const void *b)
{
	const first_place *x = a, *y = b;
	if (x->has != y->has)
		return x->has ? -1 : 1;
	int c = x->has ? place_cmp(&x->place, &y->place) : 0;
	return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Fill s for plan: keys, document order, section ids.  false on OOM. */
static bool side_init(side *s, const sasae_plan *plan)
{
	memset(s, 0, sizeof *s);
	s->plan = plan;
	s->n = plan->nprograms;
	s->progs = xcalloc(s->n, sizeof *s->progs);
	s->order = xcalloc(s->n, sizeof *s->order);
	s->base = xcalloc(plan->nparts + 1, sizeof *s->base);
	if (!s->progs || !s->order || !s->base)
		return false;
	for (size_t i = 0; i < s->n; i++) {
		s->progs[i] = (prog){&plan->programs[i], NULL, 0, NONE, -1, 0, 0};
	}
	/* Places are in document order within a program; programs go by their first place. */
	first_place *fp = xcalloc(s->n, sizeof *fp);
	if (fp == NULL)
		return false;
	for (size_t i = 0; i < s->n; i++) {
		const sasae_program *p = &plan->programs[i];
		fp[i] = (first_place){p->nplaces ? p->places[0] : (sasae_place){0, 0, 0, 0}, p->nplaces > 0, i};
	}
	qsort(fp, s->n, sizeof *fp, first_place_cmp);
	for (size_t i = 0; i < s->n; i++)
		s->order[i] = fp[i].index;
	free(fp);
	for (size_t i = 0; i < s->n; i++)
		s->progs[s->order[i]].rank = i;
	for (size_t i = 0; i < plan->nparts; i++)
		s->base[i + 1] = s->base[i] + plan->parts[i].nsections;
	s->nsections = s->base[plan->nparts];
	return true;
}

static void side_clear(side *s)
{
	if (s->progs)
		for (size_t i = 0; i < s->n; i++)
			free(s->progs[i].key);
	free(s->progs);
	free(s->order);
	free(s->base);
}

/* The part index of a place's part number (parts are numbered 1, 2, … in order), or NONE. */
static size_t part_index(const sasae_plan *plan, int part)
{
	if (part >= 1 && (size_t)part <= plan->nparts && plan->parts[part - 1].number == part)
		return (size_t)part - 1;
	for (size_t i = 0; i < plan->nparts; i++)
		if (plan->parts[i].number == part)
			return i;
	return NONE;
}

/* The global section id of a place, or NONE when the place names no section. */
static size_t section_gid(const side *s, const sasae_place *pl)
{
	size_t pi = part_index(s->plan, pl->part);
	if (pi == NONE || pl->section_index < 1 || (size_t)pl->section_index > s->plan->parts[pi].nsections)
		return NONE;
	return s->base[pi] + (size_t)pl->section_index - 1;
}

/* The section and listing a place names (NULL when it names none). */
static const sasae_section *place_section(const sasae_plan *plan, const sasae_place *pl)
{
	size_t pi = part_index(plan, pl->part);
	if (pi == NONE || pl->section_index < 1 || (size_t)pl->section_index > plan->parts[pi].nsections)
		return NULL;
	return &plan->parts[pi].sections[pl->section_index - 1];
}

static const sasae_listing *place_listing(const sasae_plan *plan, const sasae_place *pl)
{
	const sasae_section *sec = place_section(plan, pl);
	if (sec == NULL || pl->position < 1 || (size_t)pl->position > sec->nlistings)
		return NULL;
	return &sec->listings[pl->position - 1];
}

/* ------------------------------------------------------------------------------------------ */
/* Step 1: exact identities                                                                   */

/* The name a program is matched by in this pass: its printed name, or its identity key. */
static const char *match_name(const prog *p, bool by_key) { return by_key ? p->key : p->p->name; }

/*
 * Pair the programs of o and n whose names are equal: first as printed (almost all of them, with
 * no normalisation to pay for), then, among the rest, by identity key.  Keys are unique within a
 * plan, and equal printed names have equal keys, so the two passes pair exactly what one pass over
 * the keys would.  false on OOM.
 */
static bool match_exact(side *o, side *n)
{
	/* name → first unmatched new program with it; next[j]: the following new program with the
	   same name (in index order), or NONE */
	size_t *next = xcalloc(n->n, sizeof *next);
	sasae_hashmap *first = NULL;
	bool ok = false;
	if (next == NULL)
		return false;
	for (int by_key = 0; by_key < 2; by_key++) {
		if (by_key) { /* keys of the programs still unmatched */
			for (size_t i = 0; i < o->n; i++)
				if (o->progs[i].match == NONE &&
				    (o->progs[i].key = sasae_text_identity_key(o->progs[i].p->name)) == NULL)
					goto done;
			for (size_t i = 0; i < n->n; i++)
				if (n->progs[i].match == NONE &&
				    (n->progs[i].key = sasae_text_identity_key(n->progs[i].p->name)) == NULL)
					goto done;
		}
		sasae_hashmap_free(first);
		if ((first = sasae_hashmap_new(SASAE_HASHMAP_BORROW)) == NULL ||
		    sasae_hashmap_reserve(first, n->n) != 0)
			goto done;
		for (size_t i = n->n; i-- > 0;) { /* backwards, so that each name's chain is in index order */
			if (n->progs[i].match != NONE)
				continue;
			bool added;
			int64_t *f =
				sasae_hashmap_put(first, match_name(&n->progs[i], by_key), (int64_t)i, &added);
			if (f == NULL)
				goto done;
			next[i] = added ? NONE : (size_t)*f;
			*f = (int64_t)i;
		}
		for (size_t i = 0; i < o->n; i++) {
			if (o->progs[i].match != NONE)
				continue;
			int64_t *f = sasae_hashmap_get(first, match_name(&o->progs[i], by_key));
			if (f == NULL || *f < 0)
				continue;
			size_t j = (size_t)*f;
			o->progs[i].match = j;
			n->progs[j].match = i;
			*f = next[j] == NONE ? -1 : (int64_t)next[j];
		}
	}
	ok = true;
done:
	sasae_hashmap_free(first);
	free(next);
	return ok;
}

/* ------------------------------------------------------------------------------------------ */
/* Step 2: renames among the leftovers                                                        */

/* The dense 32-bit id of token t in m (a SASAE_HASHMAP_U64 map), a new one (the count of tokens so
   far) when absent; UINT32_MAX on OOM. */
static uint32_t token_id(sasae_hashmap *m, uint64_t t)
{
	size_t n = sasae_hashmap_count(m);
	if (n >= UINT32_MAX)
		return UINT32_MAX;
	const int64_t *id = sasae_hashmap_put_u64(m, t, (int64_t)n, NULL);
	return id ? (uint32_t)*id : UINT32_MAX;
}

/* The token ids of the leftover programs of one side, for one field (name or summary): item i's
   ids, all different, are ids[off[i] .. off[i+1]). */
typedef struct feats {
	uint32_t *ids;
	size_t *off;
	size_t cap; /* of ids */
} feats;

static size_t feats_len(const feats *f, size_t i) { return f->off[i + 1] - f->off[i]; }

/* Add the bigram ids of text as item `item` of f (items are added in order), each id once: seen
   (of *seen_cap entries, grown here) remembers the mark of the last item that had an id, and mark
   is this item's (different for every item of both sides).  false on OOM. */
static bool feats_add(feats *f, size_t item, uint32_t mark, sasae_hashmap *m, uint32_t **seen,
		      size_t *seen_cap, const char *text)
{
	uint64_t *toks;
	size_t nt, w = f->off[item];
	if ((toks = sasae_text_bigrams(text, false, &nt)) == NULL)
		return false;
	bool ok = grow((void **)&f->ids, &f->cap, w + nt, sizeof *f->ids);
	for (size_t i = 0; ok && i < nt; i++) {
		uint32_t id = token_id(m, toks[i]);
		size_t old_cap = *seen_cap;
		ok = id != UINT32_MAX && grow((void **)seen, seen_cap, (size_t)id + 1, sizeof **seen);
		if (!ok)
			break;
		if (*seen_cap > old_cap)
			memset(*seen + old_cap, 0, (*seen_cap - old_cap) * sizeof **seen);
		if ((*seen)[id] != mark) {
			(*seen)[id] = mark;
			f->ids[w++] = id;
		}
	}
	free(toks);
	f->off[item + 1] = w;
	return ok;
}

/* An inverted index over the old leftovers: the items holding token t are post[start[t] .. start[t+1]). */
typedef struct postings {
	size_t *start;
	uint32_t *post;
	size_t ntok;
} postings;

static bool postings_build(postings *p, const feats *f, size_t nitems, size_t ntok)
{
	p->ntok = ntok;
	p->start = xcalloc(ntok + 1, sizeof *p->start);
	p->post = xcalloc(f->off[nitems], sizeof *p->post);
	size_t *fill = xcalloc(ntok, sizeof *fill);
	if (!p->start || !p->post || !fill) {
		free(fill);
		return false;
	}
	for (size_t i = 0; i < f->off[nitems]; i++)
		p->start[f->ids[i] + 1]++;
	for (size_t t = 0; t < ntok; t++)
		p->start[t + 1] += p->start[t];
	for (size_t i = 0; i < nitems; i++)
		for (size_t k = f->off[i]; k < f->off[i + 1]; k++) {
			uint32_t t = f->ids[k];
			p->post[p->start[t] + fill[t]++] = (uint32_t)i;
		}
	free(fill);
	return true;
}

static size_t postings_len(const postings *p, uint32_t t)
{
	return t < p->ntok ? p->start[t + 1] - p->start[t] : 0;
}

/* A scored candidate pair (indices into the leftover arrays). */
typedef struct pair {
	double score, name_score, summary_score;
	uint32_t o, n;
} pair;

/* The score of a pair from the numbers of bigrams of each field and how many they share. */
static void score_counts(pair *pr, size_t name_common, size_t name_o, size_t name_n, size_t sum_common,
			 size_t sum_o, size_t sum_n)
{
	pr->name_score = name_o + name_n ? 2.0 * (double)name_common / (double)(name_o + name_n) : 1.0;
	pr->summary_score = sum_o + sum_n ? 2.0 * (double)sum_common / (double)(sum_o + sum_n) : 1.0;
	/* No summary on either side: the name alone decides. */
	pr->score = sum_o + sum_n ? (pr->name_score + pr->summary_score) / 2 : pr->name_score;
}

/* One field (name or summary) of the candidate search. */
typedef struct field {
	feats o, n;         /* token ids of the old and the new leftovers */
	sasae_hashmap *map; /* token → id (SASAE_HASHMAP_U64), shared by both sides */
	postings post;      /* over the old leftovers */
	uint32_t *stamp;    /* per token id: the mark of the last item that has it (building the features:
			     see feats_add; searching: 1 + the index of the new item) */
	size_t stamp_cap;
	uint64_t *order; /* scratch: the current new item's tokens as (list length << 32 | token) */
	size_t order_cap;
} field;

static void field_free(field *f)
{
	free(f->o.ids), free(f->o.off);
	free(f->n.ids), free(f->n.off);
	sasae_hashmap_free(f->map);
	free(f->post.start), free(f->post.post);
	free(f->stamp);
	free(f->order);
}

/* Per old leftover: the bigrams of each field it shares with the current new item, and its own
   numbers of bigrams (kept side by side: the candidate loop touches them at random). */
typedef struct old_counts {
	uint32_t common[2];
	uint32_t len[2];
} old_counts;

/*
 * Visit the posting lists of new item ni's tokens of field f (fi: 0 names, 1 summaries), rarest
 * first, while *budget lasts: oc[o].common[fi] counts the tokens old item o shares with it; an old
 * item seen for the first time joins touched.  Clears *complete when a list did not fit in the
 * budget (the counts are then lower bounds).  false on OOM.
 */
static bool visit(field *f, int fi, size_t ni, old_counts *oc, uint32_t *touched, size_t *ntouched,
		  size_t *budget, bool *complete)
{
	size_t nt = feats_len(&f->n, ni), k = 0, sum = 0;
	if (!grow((void **)&f->order, &f->order_cap, nt, sizeof *f->order))
		return false;
	for (size_t i = 0; i < nt; i++) {
		uint32_t t = f->n.ids[f->n.off[ni] + i];
		size_t len = postings_len(&f->post, t);
		if (len > *budget || len >= UINT32_MAX) /* can never fit */
			*complete = false;
		else if (len)
			f->order[k++] = (uint64_t)len << 32 | t, sum += len;
	}
	if (sum > *budget)                           /* not all of them: the rarest first */
		sasae_text_sort_unique(f->order, k); /* no repeats: every t differs */
	for (size_t i = 0; i < k; i++) {
		size_t len = (size_t)(f->order[i] >> 32);
		uint32_t tok = (uint32_t)f->order[i];
		if (len > *budget) {
			*complete = false;
			break;
		}
		*budget -= len;
		const uint32_t *p = f->post.post + f->post.start[tok];
		const uint32_t *end = p + len;
		for (; p < end; p++) {
			old_counts *c = &oc[*p];
			if (c->common[0] == 0 && c->common[1] == 0)
				touched[(*ntouched)++] = *p;
			c->common[fi]++;
		}
	}
	return true;
}

/* The tokens old item oi shares with the new item whose tokens carry stamp mark (exact). */
static size_t shared(const field *f, size_t oi, uint32_t mark)
{
	size_t c = 0;
	for (size_t k = f->o.off[oi]; k < f->o.off[oi + 1]; k++)
		c += f->stamp[f->o.ids[k]] == mark;
	return c;
}

static int pair_cmp(const void *a, const void *b)
{
	const pair *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	return (x->o > y->o) - (x->o < y->o);
}

/*
 * Find renames among the leftovers and record them in the progs' match, score fields.
 *
 * For each new leftover, the old leftovers sharing bigrams with it are counted through the
 * inverted index, rarest bigrams first, within a budget of posting entries per new item
 * (work_budget spread over the new leftovers, at least min_item): the work is bounded
 * whatever the numbers, and the search is exhaustive when they are small.  The TOP_CANDIDATES best
 * by the counted score are scored exactly; pairs reaching the threshold are assigned one to one,
 * best score first.  false on OOM.
 */
static bool match_renames(side *o, side *n, double threshold, size_t work_budget, size_t min_item, bool *capped)
{
	field fl[2]; /* 0: names, 1: summaries */
	memset(fl, 0, sizeof fl);
	size_t *lo = xcalloc(o->n, sizeof *lo), *ln = xcalloc(n->n, sizeof *ln), nlo = 0, nln = 0;
	uint32_t *touched = NULL;
	old_counts *oc = NULL;
	pair *pairs = NULL;
	size_t npairs = 0, pcap = 0;
	bool ok = false;
	if (!lo || !ln)
		goto done;
	for (size_t r = 0; r < o->n; r++)
		if (o->progs[o->order[r]].match == NONE)
			lo[nlo++] = o->order[r];
	for (size_t r = 0; r < n->n; r++)
		if (n->progs[n->order[r]].match == NONE)
			ln[nln++] = n->order[r];
	if (nlo == 0 || nln == 0 || nlo >= UINT32_MAX / 2 || nln >= UINT32_MAX / 2) {
		ok = true;
		goto done;
	}
	for (int f = 0; f < 2; f++) {
		fl[f].o.off = xcalloc(nlo + 1, sizeof(size_t));
		fl[f].n.off = xcalloc(nln + 1, sizeof(size_t));
		fl[f].map = sasae_hashmap_new(SASAE_HASHMAP_U64);
		if (!fl[f].o.off || !fl[f].n.off || !fl[f].map)
			goto done;
	}
	for (size_t i = 0; i < nlo; i++) {
		const sasae_program *p = o->progs[lo[i]].p;
		uint32_t mark = (uint32_t)i + 1;
		if (!feats_add(&fl[0].o, i, mark, fl[0].map, &fl[0].stamp, &fl[0].stamp_cap, p->name) ||
		    !feats_add(&fl[1].o, i, mark, fl[1].map, &fl[1].stamp, &fl[1].stamp_cap, p->summary))
			goto done;
	}
	for (size_t i = 0; i < nln; i++) {
		const sasae_program *p = n->progs[ln[i]].p;
		uint32_t mark = (uint32_t)(nlo + i) + 1;
		if (!feats_add(&fl[0].n, i, mark, fl[0].map, &fl[0].stamp, &fl[0].stamp_cap, p->name) ||
		    !feats_add(&fl[1].n, i, mark, fl[1].map, &fl[1].stamp, &fl[1].stamp_cap, p->summary))
			goto done;
	}
	for (int f = 0; f < 2; f++) {
		if (!postings_build(&fl[f].post, &fl[f].o, nlo, sasae_hashmap_count(fl[f].map)))
			goto done;
		if (fl[f].stamp_cap) /* from marks of the features to marks of the search */
			memset(fl[f].stamp, 0, fl[f].stamp_cap * sizeof *fl[f].stamp);
	}
	touched = xcalloc(nlo, sizeof *touched);
	oc = xcalloc(nlo, sizeof *oc);
	if (touched == NULL || oc == NULL)
		goto done;
	for (size_t i = 0; i < nlo; i++)
		for (int f = 0; f < 2; f++)
			oc[i].len[f] = (uint32_t)feats_len(&fl[f].o, i);
	size_t per_item = work_budget / nln;
	if (per_item < min_item)
		per_item = min_item;
	for (size_t ni = 0; ni < nln; ni++) {
		/* Names get half the budget; what they leave goes to summaries. */
		size_t ntouched = 0, budget = per_item / 2;
		bool complete = true;
		if (!visit(&fl[0], 0, ni, oc, touched, &ntouched, &budget, &complete))
			goto done;
		budget += per_item - per_item / 2;
		if (!visit(&fl[1], 1, ni, oc, touched, &ntouched, &budget, &complete))
			goto done;
		if (!complete)
			*capped = true;
		/* The best few by the counted score (exact when every list was visited). */
		pair best[TOP_CANDIDATES];
		size_t nbest = 0;
		size_t nn = feats_len(&fl[0].n, ni), ns = feats_len(&fl[1].n, ni);
		for (size_t i = 0; i < ntouched; i++) {
			uint32_t oi = touched[i];
			pair pr = {0, 0, 0, oi, (uint32_t)ni};
			old_counts *c = &oc[oi];
			score_counts(&pr, c->common[0], c->len[0], nn, c->common[1], c->len[1], ns);
			c->common[0] = c->common[1] = 0;
			size_t at = nbest;
			while (at > 0 && pair_cmp(&pr, &best[at - 1]) < 0)
				at--;
			if (at >= TOP_CANDIDATES)
				continue;
			size_t last = nbest < TOP_CANDIDATES ? nbest : TOP_CANDIDATES - 1;
			memmove(&best[at + 1], &best[at], (last - at) * sizeof *best);
			best[at] = pr;
			if (nbest < TOP_CANDIDATES)
				nbest++;
		}
		if (!complete) { /* recount exactly: mark the new item's tokens */
			for (int f = 0; f < 2; f++)
				for (size_t k = fl[f].n.off[ni]; k < fl[f].n.off[ni + 1]; k++)
					fl[f].stamp[fl[f].n.ids[k]] = (uint32_t)ni + 1;
			for (size_t i = 0; i < nbest; i++) {
				uint32_t oi = best[i].o;
				score_counts(&best[i], shared(&fl[0], oi, (uint32_t)ni + 1),
					     feats_len(&fl[0].o, oi), nn, shared(&fl[1], oi, (uint32_t)ni + 1),
					     feats_len(&fl[1].o, oi), ns);
			}
		}
		for (size_t i = 0; i < nbest; i++) {
			if (best[i].score + 1e-9 < threshold)
				continue;
			if (!grow((void **)&pairs, &pcap, npairs + 1, sizeof *pairs))
				goto done;
			pairs[npairs++] = best[i];
		}
	}
	/* Greedy one-to-one assignment, best score first (ties: new, then old document order). */
	if (npairs)
		qsort(pairs, npairs, sizeof *pairs, pair_cmp);
	for (size_t i = 0; i < npairs; i++) {
		prog *op = &o->progs[lo[pairs[i].o]], *np = &n->progs[ln[pairs[i].n]];
		if (op->match != NONE || np->match != NONE)
			continue;
		op->match = ln[pairs[i].n];
		np->match = lo[pairs[i].o];
		op->score = np->score = pairs[i].score;
		op->name_score = np->name_score = pairs[i].name_score;
		op->summary_score = np->summary_score = pairs[i].summary_score;
	}
	ok = true;
done:
	free(lo);
	free(ln);
	free(touched);
	free(oc);
	free(pairs);
	field_free(&fl[0]);
	field_free(&fl[1]);
	return ok;
}

/* ------------------------------------------------------------------------------------------ */
/* Step 3: sections of the old version mapped onto the new one                                */

/* old_to_new[old gid] = new gid or NONE.  false on OOM. */
static bool map_sections(const side *o, const side *n, size_t *old_to_new)
{
	bool ok = false;
	bool *taken = xcalloc(n->nsections, sizeof *taken);
	char **okeys = xcalloc(o->nsections, sizeof *okeys), **nkeys = xcalloc(n->nsections, sizeof *nkeys);
	if (!taken || !okeys || !nkeys)
		goto done;
	for (size_t g = 0; g < o->nsections; g++)
		old_to_new[g] = NONE;
	for (size_t pi = 0; pi < o->plan->nparts; pi++) {
		const sasae_part *op = &o->plan->parts[pi];
		size_t npi = part_index(n->plan, op->number);
		if (npi == NONE)
			continue;
		const sasae_part *np = &n->plan->parts[npi];
		for (size_t j = 0; j < op->nsections; j++)
			if ((okeys[o->base[pi] + j] = sasae_text_identity_key(op->sections[j].title)) == NULL)
				goto done;
		for (size_t j = 0; j < np->nsections; j++)
			if ((nkeys[n->base[npi] + j] = sasae_text_identity_key(np->sections[j].title)) == NULL)
				goto done;
		/* By title, where the title is unique in the part on both sides. */
		for (size_t j = 0; j < op->nsections; j++) {
			const char *k = okeys[o->base[pi] + j];
			size_t same_old = 0, same_new = 0, hit = NONE;
			for (size_t x = 0; x < op->nsections; x++)
				same_old += strcmp(okeys[o->base[pi] + x], k) == 0;
			for (size_t x = 0; x < np->nsections; x++)
				if (strcmp(nkeys[n->base[npi] + x], k) == 0)
					same_new++, hit = x;
			if (same_old == 1 && same_new == 1) {
				old_to_new[o->base[pi] + j] = n->base[npi] + hit;
				taken[n->base[npi] + hit] = true;
			}
		}
		/* The rest by printed number (a retitled section keeps its number). */
		for (size_t j = 0; j < op->nsections; j++) {
			if (old_to_new[o->base[pi] + j] != NONE)
				continue;
			for (size_t x = 0; x < np->nsections; x++)
				if (!taken[n->base[npi] + x] &&
				    np->sections[x].number == op->sections[j].number) {
					old_to_new[o->base[pi] + j] = n->base[npi] + x;
					taken[n->base[npi] + x] = true;
					break;
				}
		}
	}
	ok = true;
done:
	if (okeys)
		for (size_t g = 0; g < o->nsections; g++)
			free(okeys[g]);
	if (nkeys)
		for (size_t g = 0; g < n->nsections; g++)
			free(nkeys[g]);
	free(okeys);
	free(nkeys);
	free(taken);
	return ok;
}

/* ------------------------------------------------------------------------------------------ */
/* Step 4: the entries                                                                        */

typedef struct entries {
	sasae_diff_entry *e;
	size_t n, cap;
} entries;

static sasae_diff_entry *entry_add(entries *v, sasae_diff_kind kind, const sasae_program *op,
				   const sasae_program *np)
{
	if (!grow((void **)&v->e, &v->cap, v->n + 1, sizeof *v->e))
		return NULL;
	sasae_diff_entry *e = &v->e[v->n++];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->old_program = op;
	e->new_program = np;
	return e;
}

static void entry_clear(sasae_diff_entry *e)
{
	free(e->gained);
	free(e->lost);
	sasae_diff_spans_free(e->summary_diff, e->nsummary_diff);
	sasae_diff_spans_free(e->name_diff, e->nname_diff);
	free(e->depts_added);
	free(e->depts_removed);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

static bool sorted_has(const size_t *a, size_t n, size_t v)
{
	return n && bsearch(&v, a, n, sizeof *a, cmp_size) != NULL;
}

/* Work arrays reused from program to program (the sections of one matched pair). */
typedef struct scratch {
	size_t *os, *ns;
	size_t ocap, ncap;
} scratch;

/* The section of an old place as a new section id; an old section with no counterpart gets an id
   past every new one, so that it equals none of them. */
static size_t old_place_gid(const side *o, const side *n, const size_t *old_to_new, const sasae_place *pl)
{
	size_t g = section_gid(o, pl);
	if (g == NONE)
		return NONE;
	return old_to_new[g] != NONE ? old_to_new[g] : n->nsections + g;
}

/* MOVED: the places on each side in sections the other side does not list the program in. */
static bool check_moved(entries *v, scratch *w, const side *o, const side *n, const size_t *old_to_new,
			const sasae_program *op, const sasae_program *np)
{
	if (!grow((void **)&w->os, &w->ocap, op->nplaces, sizeof *w->os) ||
	    !grow((void **)&w->ns, &w->ncap, np->nplaces, sizeof *w->ns))
		return false;
	bool same = op->nplaces == np->nplaces;
	for (size_t i = 0; i < op->nplaces; i++)
		w->os[i] = old_place_gid(o, n, old_to_new, &op->places[i]);
	for (size_t i = 0; i < np->nplaces; i++) {
		w->ns[i] = section_gid(n, &np->places[i]);
		same = same && w->ns[i] == w->os[i];
	}
	if (same) /* the usual case: the same sections in the same order */
		return true;
	if (op->nplaces)
		qsort(w->os, op->nplaces, sizeof *w->os, cmp_size);
	if (np->nplaces)
		qsort(w->ns, np->nplaces, sizeof *w->ns, cmp_size);
	size_t ngained = 0, nlost = 0;
	for (size_t i = 0; i < np->nplaces; i++)
		ngained += !sorted_has(w->os, op->nplaces, section_gid(n, &np->places[i]));
	for (size_t i = 0; i < op->nplaces; i++)
		nlost += !sorted_has(w->ns, np->nplaces, old_place_gid(o, n, old_to_new, &op->places[i]));
	if (ngained == 0 && nlost == 0)
		return true;
	sasae_diff_entry *e = entry_add(v, SASAE_DIFF_MOVED, op, np);
	if (e == NULL)
		return false;
	e->gained = xcalloc(ngained, sizeof *e->gained);
	e->lost = xcalloc(nlost, sizeof *e->lost);
	if (!e->gained || !e->lost)
		return false;
	for (size_t i = 0; i < np->nplaces; i++)
		if (!sorted_has(w->os, op->nplaces, section_gid(n, &np->places[i])))
			e->gained[e->ngained++] = np->places[i];
	for (size_t i = 0; i < op->nplaces; i++)
		if (!sorted_has(w->ns, np->nplaces, old_place_gid(o, n, old_to_new, &op->places[i])))
			e->lost[e->nlost++] = op->places[i];
	return true;
}

/* CHANGED: summary (and, for the same identity, the printed name). */
static bool check_changed(entries *v, const sasae_program *op, const sasae_program *np, bool renamed)
{
	bool summary = strcmp(op->summary, np->summary) != 0;
	bool name = !renamed && strcmp(op->name, np->name) != 0;
	if (!summary && !name)
		return true;
	sasae_diff_entry *e = entry_add(v, SASAE_DIFF_CHANGED, op, np);
	if (e == NULL)
		return false;
	if (summary && sasae_diff_text(&e->summary_diff, &e->nsummary_diff, op->summary, np->summary) != 0)
		return false;
	if (name && sasae_diff_text(&e->name_diff, &e->nname_diff, op->name, np->name) != 0)
		return false;
	return true;
}

static bool has_dept(const sasae_program *p, const char *name)
{
	for (size_t i = 0; i < p->ndepartments; i++)
		if (strcmp(p->departments[i].name, name) == 0)
			return true;
	return false;
}

/* The department names of a that b lacks, without repeats (borrowed strings in *out). */
static bool depts_minus(const sasae_program *a, const sasae_program *b, const char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < a->ndepartments; i++) {
		const char *name = a->departments[i].name;
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(a->departments[j].name, name) == 0;
		if (seen || has_dept(b, name))
			continue;
		if (*out == NULL && (*out = xcalloc(a->ndepartments, sizeof **out)) == NULL)
			return false;
		(*out)[(*n)++] = name;
	}
	return true;
}

/* DEPARTMENTS: the set of canonical names differs (order and notes are not compared). */
static bool check_departments(entries *v, const sasae_program *op, const sasae_program *np)
{
	const char **added = NULL, **removed = NULL;
	size_t nadded = 0, nremoved = 0;
	if (!depts_minus(np, op, &added, &nadded) || !depts_minus(op, np, &removed, &nremoved)) {
		free(added);
		free(removed);
		return false;
	}
	if (nadded == 0 && nremoved == 0)
		return true;
	sasae_diff_entry *e = entry_add(v, SASAE_DIFF_DEPARTMENTS, op, np);
	if (e == NULL) {
		free(added);
		free(removed);
		return false;
	}
	e->depts_added = added, e->ndepts_added = nadded;
	e->depts_removed = removed, e->ndepts_removed = nremoved;
	return true;
}

void sasae_diff_free(sasae_diff *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->nentries; i++)
		entry_clear(&d->entries[i]);
	free(d->entries);
	free(d);
}

bool sasae_diff_empty(const sasae_diff *d) { return d->nentries == 0; }

int sasae_diff_plans(sasae_diff **out, const sasae_plan *old_plan, const sasae_plan *new_plan,
		     const sasae_diff_options *opt, sasae_error *err)
{
	*out = NULL;
	side o, n;
	memset(&o, 0, sizeof o);
	memset(&n, 0, sizeof n);
	entries kinds[SASAE_DIFF_NKINDS];
	memset(kinds, 0, sizeof kinds);
	size_t *old_to_new = NULL;
	scratch w = {NULL, NULL, 0, 0};
	sasae_diff *d = xcalloc(1, sizeof *d);
	bool ok = d && side_init(&o, old_plan);
	ok = side_init(&n, new_plan) && ok;
	double threshold = opt && opt->threshold > 0 ? opt->threshold : SASAE_DIFF_RENAME_THRESHOLD;
	size_t budget = opt && opt->work_budget ? opt->work_budget : DEFAULT_WORK_BUDGET;
	if (!ok || !match_exact(&o, &n))
		goto oom;
	for (size_t i = 0; i < o.n; i++)
		d->unmatched_old += o.progs[i].match == NONE;
	for (size_t i = 0; i < n.n; i++)
		d->unmatched_new += n.progs[i].match == NONE;
	/* A budget set by the caller is taken as it is (tests use a tiny one to exercise the cut). */
	size_t min_item = opt && opt->work_budget ? 2 : MIN_ITEM_BUDGET;
	if (!match_renames(&o, &n, threshold, budget, min_item, &d->candidates_capped))
		goto oom;
	old_to_new = xcalloc(o.nsections, sizeof *old_to_new);
	if (old_to_new == NULL || !map_sections(&o, &n, old_to_new))
		goto oom;
	/* New programs in document order: added, renamed, and the comparisons of matched pairs. */
	for (size_t r = 0; r < n.n; r++) {
		const prog *np = &n.progs[n.order[r]];
		if (np->match == NONE) {
			if (!entry_add(&kinds[SASAE_DIFF_ADDED], SASAE_DIFF_ADDED, NULL, np->p))
				goto oom;
			continue;
		}
		const prog *op = &o.progs[np->match];
		bool renamed = np->score >= 0;
		if (renamed) {
			sasae_diff_entry *e =
				entry_add(&kinds[SASAE_DIFF_RENAMED], SASAE_DIFF_RENAMED, op->p, np->p);
			if (e == NULL)
				goto oom;
			e->score = np->score;
			e->name_score = np->name_score;
			e->summary_score = np->summary_score;
		}
		if (!check_moved(&kinds[SASAE_DIFF_MOVED], &w, &o, &n, old_to_new, op->p, np->p) ||
		    !check_changed(&kinds[SASAE_DIFF_CHANGED], op->p, np->p, renamed) ||
		    !check_departments(&kinds[SASAE_DIFF_DEPARTMENTS], op->p, np->p))
			goto oom;
	}
	for (size_t r = 0; r < o.n; r++) {
		const prog *op = &o.progs[o.order[r]];
		if (op->match == NONE && !entry_add(&kinds[SASAE_DIFF_REMOVED], SASAE_DIFF_REMOVED, op->p, NULL))
			goto oom;
	}
	size_t total = 0;
	for (int k = 0; k < SASAE_DIFF_NKINDS; k++)
		total += kinds[k].n;
	d->entries = xcalloc(total, sizeof *d->entries);
	if (d->entries == NULL)
		goto oom;
	for (int k = 0; k < SASAE_DIFF_NKINDS; k++) {
		if (kinds[k].n)
			memcpy(d->entries + d->nentries, kinds[k].e, kinds[k].n * sizeof *kinds[k].e);
		d->nentries += kinds[k].n;
		d->count[k] = kinds[k].n;
		free(kinds[k].e);
		kinds[k].e = NULL;
		kinds[k].n = 0;
	}
	d->old_plan = old_plan;
	d->new_plan = new_plan;
	d->threshold = threshold;
	*out = d;
	d = NULL;
	side_clear(&o);
	side_clear(&n);
	free(old_to_new);
	free(w.os);
	free(w.ns);
	return 0;
oom:
	for (int k = 0; k < SASAE_DIFF_NKINDS; k++) {
		for (size_t i = 0; i < kinds[k].n; i++)
			entry_clear(&kinds[k].e[i]);
		free(kinds[k].e);
	}
	sasae_diff_free(d);
	side_clear(&o);
	side_clear(&n);
	free(old_to_new);
	free(w.os);
	free(w.ns);
	return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, OOM_MESSAGE);
}

/* ------------------------------------------------------------------------------------------ */
/* Output: a buffered writer                                                                  */

typedef struct writer {
	sasae_buf b;
	sasae_write_fn write;
	void *ctx;
	bool failed; /* the write callback failed: the rest is dropped */
	bool oom;    /* an append failed */
} writer;

#define WRITER_INIT(write, ctx)                              \
	{                                                    \
		SASAE_BUF_INIT, (write), (ctx), false, false \
	}

/* Pass what is buffered to the write callback once it is large (always when force).  After a
   failure, output is dropped (and w_stopped() says so). */
static void w_flush(writer *w, bool force)
{
	if (!sasae_buf_ok(&w->b))
		w->oom = true;
	if (w->failed || w->oom) {
		sasae_buf_clear(&w->b);
		return;
	}
	if (!force && w->b.len < 65536)
		return;
	if (w->b.len && w->write(w->ctx, w->b.data, w->b.len) != 0)
		w->failed = true;
	sasae_buf_clear(&w->b);
}

static bool w_stopped(const writer *w) { return w->failed || w->oom; }

static int w_finish(writer *w, sasae_error *err)
{
	w_flush(w, true);
	sasae_buf_free(&w->b);
	if (w->oom)
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, OOM_MESSAGE);
	if (w->failed)
		return sasae_error_set(err, SASAE_EIO, NULL, 0, "書き出しに失敗しました");
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Output: text for people                                                                    */

static const char *const KIND_LABEL[SASAE_DIFF_NKINDS] = {
	[SASAE_DIFF_ADDED] = "追加",         [SASAE_DIFF_REMOVED] = "削除",
	[SASAE_DIFF_RENAMED] = "名称変更",   [SASAE_DIFF_MOVED] = "掲載箇所の変更",
	[SASAE_DIFF_CHANGED] = "概要の変更", [SASAE_DIFF_DEPARTMENTS] = "担当局等の変更",
};

static const char *const KIND_HEADING[SASAE_DIFF_NKINDS] = {
	[SASAE_DIFF_ADDED] = "追加された事業",
	[SASAE_DIFF_REMOVED] = "削除された事業",
	[SASAE_DIFF_RENAMED] = "名称が変わった事業",
	[SASAE_DIFF_MOVED] = "掲載箇所（施策）が変わった事業",
	[SASAE_DIFF_CHANGED] = "事業概要が変わった事業",
	[SASAE_DIFF_DEPARTMENTS] = "担当局等が変わった事業",
};

/* At most this many places are listed per program in text (the rest are counted). */
#define TEXT_MAX_PLACES 6

/* "第1部 (2) 施策の題 No.7【再掲】" */
static void put_place(sasae_buf *b, const sasae_plan *plan, const sasae_place *pl)
{
	const sasae_section *sec = place_section(plan, pl);
	const sasae_listing *l = place_listing(plan, pl);
	sasae_buf_appendf(b, "第%d部 (%d) %s", pl->part, pl->section, sec ? sec->title : "");
	if (l)
		sasae_buf_appendf(b, " No.%ld%s", l->number, l->relisted ? "【再掲】" : "");
}

/* One line per place, indented, at most TEXT_MAX_PLACES. */
static void put_places(sasae_buf *b, const char *label, const sasae_plan *plan, const sasae_place *pl, size_t n)
{
	for (size_t i = 0; i < n && i < TEXT_MAX_PLACES; i++) {
		sasae_buf_appendf(b, "      %s", i == 0 ? label : "");
		if (i > 0) /* align under the first place */
			for (size_t k = sasae_text_width(label); k > 0; k--)
				sasae_buf_putc(b, ' ');
		put_place(b, plan, &pl[i]);
		sasae_buf_putc(b, '\n');
	}
	if (n > TEXT_MAX_PLACES) {
		sasae_buf_puts(b, "      ");
		for (size_t k = sasae_text_width(label); k > 0; k--)
			sasae_buf_putc(b, ' ');
		sasae_buf_appendf(b, "ほか %zu か所\n", n - TEXT_MAX_PLACES);
	}
}

static void put_departments(sasae_buf *b, const char *label, const sasae_program *p)
{
	char *j = sasae_departments_join(p->departments, p->ndepartments);
	sasae_buf_appendf(b, "      %s%s\n", label, j ? j : "");
	if (j == NULL && p->ndepartments)
		b->oom = true;
	free(j);
}

/* A side's description: "sendai-2024-draft 第1版（sendai-2024-draft.txt）" or "v2.txt（ファイル）". */
static void put_side(sasae_buf *b, const sasae_plan *plan, const sasae_diff_side *s)
{
	if (s && s->is_file)
		sasae_buf_appendf(b, "%s（ファイル）", s->spec);
	else if (plan->version > 0)
		sasae_buf_appendf(b, "%s 第%d版（%s）", plan->slug ? plan->slug : "", plan->version,
				  plan->source ? plan->source : "");
	else
		sasae_buf_puts(b, s && s->spec ? s->spec : (plan->source ? plan->source : ""));
	if (plan->title && *plan->title)
		sasae_buf_appendf(b, "「%s」", plan->title);
	sasae_buf_appendf(b, " 事業 %zu・掲載 %zu\n", plan->nprograms, sasae_plan_count_listings(plan));
}

/* "事業名（第1部 (1) No.7）": a program and where it is first listed. */
static void put_program_line(sasae_buf *b, const char *prefix, const sasae_plan *plan, const sasae_program *p)
{
	sasae_buf_appendf(b, "  %s%s", prefix, p->name);
	if (p->nplaces) {
		const sasae_listing *l = place_listing(plan, &p->places[0]);
		sasae_buf_appendf(b, "（第%d部 (%d)", p->places[0].part, p->places[0].section);
		if (l)
			sasae_buf_appendf(b, " No.%ld", l->number);
		if (p->nplaces > 1)
			sasae_buf_appendf(b, " ほか %zu か所", p->nplaces - 1);
		sasae_buf_puts(b, "）");
	}
	sasae_buf_putc(b, '\n');
}

static void put_spans(sasae_buf *b, const sasae_diff_span *spans, size_t n)
{
	char *m = sasae_diff_spans_markup(spans, n);
	if (m == NULL)
		b->oom = true;
	else
		sasae_buf_puts(b, m);
	free(m);
}

static void text_entry(sasae_buf *b, const sasae_diff *d, const sasae_diff_entry *e)
{
	const sasae_program *op = e->old_program, *np = e->new_program;
	switch (e->kind) {
	case SASAE_DIFF_ADDED:
		sasae_buf_appendf(b, "  + %s\n", np->name);
		put_places(b, "掲載: ", d->new_plan, np->places, np->nplaces);
		put_departments(b, "担当局等: ", np);
		sasae_buf_appendf(b, "      概要: %s\n", np->summary);
		break;
	case SASAE_DIFF_REMOVED:
		sasae_buf_appendf(b, "  - %s\n", op->name);
		put_places(b, "旧の掲載: ", d->old_plan, op->places, op->nplaces);
		put_departments(b, "担当局等: ", op);
		break;
	case SASAE_DIFF_RENAMED:
		sasae_buf_appendf(b, "  %s\n    → %s\n", op->name, np->name);
		sasae_buf_appendf(b, "      類似度 %.2f（名称 %.2f・概要 %.2f）\n", e->score, e->name_score,
				  e->summary_score);
		put_places(b, "掲載: ", d->new_plan, np->places, np->nplaces);
		break;
	case SASAE_DIFF_MOVED:
		sasae_buf_appendf(b, "  %s\n", np->name);
		if (strcmp(op->name, np->name) != 0)
			sasae_buf_appendf(b, "      （旧名: %s）\n", op->name);
		put_places(b, "掲載をやめた: ", d->old_plan, e->lost, e->nlost);
		put_places(b, "新たに掲載: ", d->new_plan, e->gained, e->ngained);
		break;
	case SASAE_DIFF_CHANGED:
		put_program_line(b, "", d->new_plan, np);
		if (e->nname_diff) {
			sasae_buf_puts(b, "      名称: ");
			put_spans(b, e->name_diff, e->nname_diff);
			sasae_buf_putc(b, '\n');
		} else if (strcmp(op->name, np->name) != 0) {
			sasae_buf_appendf(b, "      （旧名: %s）\n", op->name);
		}
		if (e->nsummary_diff) {
			sasae_buf_puts(b, "      概要: ");
			put_spans(b, e->summary_diff, e->nsummary_diff);
			sasae_buf_putc(b, '\n');
		}
		break;
	case SASAE_DIFF_DEPARTMENTS:
		put_program_line(b, "", d->new_plan, np);
		if (strcmp(op->name, np->name) != 0)
			sasae_buf_appendf(b, "      （旧名: %s）\n", op->name);
		put_departments(b, "旧: ", op);
		put_departments(b, "新: ", np);
		sasae_buf_puts(b, "      （");
		for (size_t i = 0; i < e->ndepts_added; i++)
			sasae_buf_appendf(b, "%s%s", i ? "、" : "加わった: ", e->depts_added[i]);
		for (size_t i = 0; i < e->ndepts_removed; i++)
			sasae_buf_appendf(b, "%s%s",
					  i                 ? "、"
					  : e->ndepts_added ? "／外れた: "
							    : "外れた: ",
					  e->depts_removed[i]);
		sasae_buf_puts(b, "）\n");
		break;
	case SASAE_DIFF_NKINDS: break;
	}
}

int sasae_diff_write_text(const sasae_diff *d, const sasae_diff_side *old_side,
			  const sasae_diff_side *new_side, sasae_write_fn write, void *ctx, sasae_error *err)
{
	writer w = WRITER_INIT(write, ctx);
	sasae_buf *b = &w.b;
	sasae_buf_puts(b, "事業一覧の比較\n  旧: ");
	put_side(b, d->old_plan, old_side);
	sasae_buf_puts(b, "  新: ");
	put_side(b, d->new_plan, new_side);
	sasae_buf_putc(b, '\n');
	if (sasae_diff_empty(d)) {
		sasae_buf_puts(b, "違いはありません。\n");
		return w_finish(&w, err);
	}
	sasae_buf_appendf(b, "違い %zu 件:", d->nentries);
	for (int k = 0; k < SASAE_DIFF_NKINDS; k++)
		sasae_buf_appendf(b, "%s%s %zu", k ? "・" : " ", KIND_LABEL[k], d->count[k]);
	sasae_buf_puts(b, "\n");
	size_t i = 0;
	for (int k = 0; k < SASAE_DIFF_NKINDS; k++) {
		if (d->count[k] == 0)
			continue;
		sasae_buf_appendf(b, "\n■ %s（%zu 件）\n", KIND_HEADING[k], d->count[k]);
		if (k == SASAE_DIFF_RENAMED)
			sasae_buf_appendf(b,
					  "  （名称と事業概要の似ている度合い（0〜1）が %.2f 以上の事業を、名称が変わった同じ事業とみなしました）\n",
					  d->threshold);
		else if (k == SASAE_DIFF_CHANGED)
			sasae_buf_puts(b, "  （[-…-] は削られた文字、{+…+} は加えられた文字です）\n");
		for (size_t j = 0; j < d->count[k] && !w_stopped(&w); j++, i++) {
			if (j)
				sasae_buf_putc(b, '\n');
			text_entry(b, d, &d->entries[i]);
			w_flush(&w, false);
		}
	}
	return w_finish(&w, err);
}

/* ------------------------------------------------------------------------------------------ */
/* Output: JSON for tools                                                                     */

static json_t *side_json(const sasae_plan *plan, const sasae_diff_side *s)
{
	bool file = s && s->is_file;
	json_t *version = !file && plan->version > 0 ? json_integer(plan->version) : json_null();
	return json_pack("{s:s?, s:s, s:s?, s:o, s:s?, s:s?, s:I, s:I}", "spec", s ? s->spec : NULL, "kind",
			 file ? "file" : "database", "slug", plan->slug, "version", version, "title",
			 plan->title, "source", plan->source, "programs", (json_int_t)plan->nprograms,
			 "listings", (json_int_t)sasae_plan_count_listings(plan));
}

static json_t *place_json(const sasae_plan *plan, const sasae_place *pl)
{
	const sasae_section *sec = place_section(plan, pl);
	const sasae_listing *l = place_listing(plan, pl);
	return json_pack("{s:i, s:i, s:s, s:i, s:I, s:b}", "part", pl->part, "section", pl->section,
			 "section_title", sec ? sec->title : "", "position", pl->position, "number",
			 (json_int_t)(l ? l->number : 0), "relisted", l ? l->relisted : 0);
}

static json_t *places_json(const sasae_plan *plan, const sasae_place *pl, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, place_json(plan, &pl[i])) != 0)
			json_decref(a), a = NULL;
	return a;
}

static json_t *names_json(const char *const *names, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_string(names[i])) != 0)
			json_decref(a), a = NULL;
	return a;
}

static json_t *depts_json(const sasae_program *p)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < p->ndepartments; i++)
		if (json_array_append_new(a, json_string(p->departments[i].name)) != 0)
			json_decref(a), a = NULL;
	return a;
}

/* The whole program: id, name, summary, departments, listings. */
static json_t *program_json(const sasae_plan *plan, const sasae_program *p)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:o}", "id", p->id, "name", p->name, "summary", p->summary,
			 "departments", depts_json(p), "listings", places_json(plan, p->places, p->nplaces));
}

/* A reference: id and name. */
static json_t *ref_json(const sasae_program *p)
{
	return json_pack("{s:s, s:s}", "id", p->id, "name", p->name);
}

static json_t *spans_json(const sasae_diff_span *spans, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++) {
		char op[2] = {spans[i].op, '\0'};
		if (json_array_append_new(a, json_pack("{s:s, s:s}", "op", op, "text", spans[i].text)) != 0)
			json_decref(a), a = NULL;
	}
	return a;
}

/* {"old": …, "new": …, "diff": "…[-x-]{+y+}…", "spans": [...]} */
static json_t *text_change_json(const char *old_text, const char *new_text, const sasae_diff_span *spans,
				size_t n)
{
	char *m = sasae_diff_spans_markup(spans, n);
	json_t *o = m ? json_pack("{s:s, s:s, s:s, s:o}", "old", old_text, "new", new_text, "diff", m,
				  "spans", spans_json(spans, n))
		      : NULL;
	free(m);
	return o;
}

/* A score (0..1) rounded to three decimals (without libm). */
static json_t *score_json(double x) { return json_real((double)(long long)(x * 1000 + 0.5) / 1000); }

static json_t *entry_json(const sasae_diff *d, const sasae_diff_entry *e)
{
	const sasae_program *op = e->old_program, *np = e->new_program;
	json_t *o = NULL;
	switch (e->kind) {
	case SASAE_DIFF_ADDED: return program_json(d->new_plan, np);
	case SASAE_DIFF_REMOVED: return program_json(d->old_plan, op);
	case SASAE_DIFF_RENAMED:
		return json_pack("{s:o, s:o, s:o, s:o, s:o}", "old", program_json(d->old_plan, op), "new",
				 program_json(d->new_plan, np), "score", score_json(e->score), "name_score",
				 score_json(e->name_score), "summary_score", score_json(e->summary_score));
	case SASAE_DIFF_MOVED:
		return json_pack("{s:o, s:o, s:o, s:o}", "old", ref_json(op), "new", ref_json(np), "added_to",
				 places_json(d->new_plan, e->gained, e->ngained), "removed_from",
				 places_json(d->old_plan, e->lost, e->nlost));
	case SASAE_DIFF_CHANGED:
		o = json_pack("{s:o, s:o}", "old", ref_json(op), "new", ref_json(np));
		if (o && e->nsummary_diff &&
		    json_object_set_new(o, "summary",
					text_change_json(op->summary, np->summary, e->summary_diff,
							 e->nsummary_diff)) != 0)
			json_decref(o), o = NULL;
		if (o && e->nname_diff &&
		    json_object_set_new(o, "name",
					text_change_json(op->name, np->name, e->name_diff, e->nname_diff)) != 0)
			json_decref(o), o = NULL;
		return o;
	case SASAE_DIFF_DEPARTMENTS:
		return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "old", ref_json(op), "new", ref_json(np),
				 "old_departments", depts_json(op), "new_departments", depts_json(np),
				 "added", names_json(e->depts_added, e->ndepts_added), "removed",
				 names_json(e->depts_removed, e->ndepts_removed));
	case SASAE_DIFF_NKINDS: break;
	}
	return NULL;
}

static const char *const KIND_KEY[SASAE_DIFF_NKINDS] = {
	[SASAE_DIFF_ADDED] = "added",     [SASAE_DIFF_REMOVED] = "removed",
	[SASAE_DIFF_RENAMED] = "renamed", [SASAE_DIFF_MOVED] = "moved",
	[SASAE_DIFF_CHANGED] = "changed", [SASAE_DIFF_DEPARTMENTS] = "departments_changed",
};

/*
 * The document is written value by value, so that a diff of a national catalogue (hundreds of
 * thousands of entries) never exists as one JSON tree in memory: every value is built and encoded
 * by jansson, one entry at a time; only the punctuation between them (the top-level keys, which
 * are fixed ASCII, commas and brackets) is written here, with jansson's indentation of each value
 * shifted to its depth, so that the result reads as one indented document.
 */

#define JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6))

/* jansson's dump callback: append to the writer, indenting every new line by depth levels. */
typedef struct indent_ctx {
	writer *w;
	int depth;
} indent_ctx;

static int indent_cb(const char *buf, size_t size, void *data)
{
	indent_ctx *ic = data;
	sasae_buf *b = &ic->w->b;
	for (const char *p = buf, *end = buf + size; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL) {
			sasae_buf_append(b, p, (size_t)(end - p));
			break;
		}
		sasae_buf_append(b, p, (size_t)(nl - p) + 1);
		for (int i = 0; i < ic->depth; i++)
			sasae_buf_append(b, "  ", 2);
		p = nl + 1;
	}
	return sasae_buf_ok(b) ? 0 : -1;
}

/* Append v (stolen: freed here) encoded by jansson and indented by `depth` levels.  false when v
   is NULL (out of memory while building it) or cannot be encoded. */
static bool put_json(writer *w, json_t *v, int depth)
{
	indent_ctx ic = {w, depth};
	bool ok = v && json_dump_callback(v, indent_cb, &ic, JSON_FLAGS | JSON_ENCODE_ANY) == 0;
	json_decref(v);
	w_flush(w, false);
	return ok;
}

int sasae_diff_write_json(const sasae_diff *d, const sasae_diff_side *old_side,
			  const sasae_diff_side *new_side, sasae_write_fn write, void *ctx, sasae_error *err)
{
	writer w = WRITER_INIT(write, ctx);
	bool ok = true;
	json_t *counts = json_object();
	for (int k = 0; counts && k < SASAE_DIFF_NKINDS; k++)
		if (json_object_set_new(counts, KIND_KEY[k], json_integer((json_int_t)d->count[k])) != 0)
			json_decref(counts), counts = NULL;
	sasae_buf_puts(&w.b, "{\n  \"old\": ");
	ok = ok && put_json(&w, side_json(d->old_plan, old_side), 1);
	sasae_buf_puts(&w.b, ",\n  \"new\": ");
	ok = ok && put_json(&w, side_json(d->new_plan, new_side), 1);
	sasae_buf_appendf(&w.b, ",\n  \"equal\": %s,\n  \"counts\": ", sasae_diff_empty(d) ? "true" : "false");
	ok = ok && put_json(&w, counts, 1);
	size_t i = 0;
	for (int k = 0; ok && k < SASAE_DIFF_NKINDS; k++) {
		sasae_buf_appendf(&w.b, ",\n  \"%s\": [", KIND_KEY[k]);
		for (size_t j = 0; ok && !w_stopped(&w) && j < d->count[k]; j++, i++) {
			sasae_buf_puts(&w.b, j ? ",\n    " : "\n    ");
			ok = put_json(&w, entry_json(d, &d->entries[i]), 2);
		}
		sasae_buf_puts(&w.b, d->count[k] ? "\n  ]" : "]");
	}
	sasae_buf_puts(&w.b, "\n}\n");
	if (!ok) {
		sasae_buf_free(&w.b);
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, OOM_MESSAGE);
	}
	return w_finish(&w, err);
}
