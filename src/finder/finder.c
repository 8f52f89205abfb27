/*
 * finder.c — from a situation to the programs that fit (include/core/sasae/finder.h, docs/finder.md).
 * Everything happens in memory over the tagged plan; nothing about a query is kept or logged.
 */
#include "sasae/finder.h"

#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/morph.h"
#include "sasae/text.h"

extern const char sasae_data_first_contacts_tsv[];
extern const size_t sasae_data_first_contacts_tsv_len;

struct sasae_finder {
	const sasae_plan *plan;
	const sasae_tag_data *data;
	const sasae_variants *variants;
	sasae_plan_tags *tags;
	int *weight; /* per term: 10 × ln(1 + programs / programs with the tag) */
};

/* Scores are in tenths (docs/finder.md, "Ranking"). */
enum {
	SCORE_NEED_FACTOR = 8, /* a need match weighs 0.8 of a who match of the same rarity */
	SCORE_WORD = 20,
	SCORE_WORD_NAME = 30,
	SCORE_EVERYONE = 5,
	SCORE_USABLE = 15,       /* a kind the asker can use (services for a person) comes first */
	SCORE_NOT_USABLE = 15,   /* e.g. awareness or the city's own system, asked by a person */
	SCORE_OTHER_PEOPLE = 15, /* a program for other people than those asked about */
};

static int oom(sasae_error *err) { return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません"); }

int sasae_finder_new(sasae_finder **out, const sasae_plan *plan, const sasae_tag_data *data,
		     const sasae_variants *v, sasae_error *err)
{
	*out = NULL;
	sasae_finder *f = calloc(1, sizeof *f);
	if (f == NULL)
		return oom(err);
	f->plan = plan;
	f->data = data;
	f->variants = v;
	int rc = sasae_tags_apply(&f->tags, data, plan, err);
	if (rc) {
		free(f);
		return rc;
	}
	size_t nt = sasae_tag_data_nterms(data);
	f->weight = calloc(nt ? nt : 1, sizeof *f->weight);
	if (f->weight == NULL) {
		sasae_finder_free(f);
		return oom(err);
	}
	/* rarer tags say more about a program: an IDF weight per term */
	for (size_t i = 0; i < plan->nprograms; i++)
		for (size_t k = 0; k < f->tags->programs[i].ntags; k++)
			f->weight[f->tags->programs[i].tags[k].term]++;
	for (size_t t = 0; t < nt; t++)
		f->weight[t] = f->weight[t]
				       ? (int)(10.0 * log(1.0 + (double)plan->nprograms / f->weight[t]) + 0.5)
				       : 0;
	*out = f;
	return 0;
}

void sasae_finder_free(sasae_finder *f)
{
	if (f == NULL)
		return;
	sasae_plan_tags_free(f->tags);
	free(f->weight);
	free(f);
}

const sasae_plan *sasae_finder_plan(const sasae_finder *f) { return f->plan; }
const sasae_tag_data *sasae_finder_data(const sasae_finder *f) { return f->data; }
const sasae_plan_tags *sasae_finder_tags(const sasae_finder *f) { return f->tags; }

void sasae_finder_results_free(sasae_finder_results *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nresults; i++)
		free(r->results[i].why);
	free(r->results);
	for (size_t i = 0; i < r->ngroups; i++)
		free(r->groups[i].results);
	free(r->groups);
	free(r->who);
	free(r->need);
	for (size_t i = 0; r->word_cp && i < r->meaning.nwords; i++)
		free(r->word_cp[i]);
	free(r->word_cp);
	free(r->word_n);
	sasae_text_meaning_clear(&r->meaning);
	free(r);
}

/* Resolve a choice ("elderly" or "who:elderly") of facet; -1 when unknown. */
static int resolve(const sasae_tag_data *d, int facet, const char *name)
{
	size_t n = strlen(sasae_facet_name(facet));
	if (strncmp(name, sasae_facet_name(facet), n) == 0 && name[n] == ':')
		name += n + 1;
	return sasae_tag_data_find(d, facet, name);
}

/* Add term to the sorted set *arr (of *n). */
static int set_add(int **arr, size_t *n, int term)
{
	size_t i = 0;
	while (i < *n && (*arr)[i] < term)
		i++;
	if (i < *n && (*arr)[i] == term)
		return 0;
	int *na = realloc(*arr, (*n + 1) * sizeof *na);
	if (na == NULL)
		return -1;
	memmove(&na[i + 1], &na[i], (*n - i) * sizeof *na);
	na[i] = term;
	*arr = na;
	(*n)++;
	return 0;
}

static bool set_has(const int *arr, size_t n, int term)
{
	for (size_t i = 0; i < n; i++)
		if (arr[i] == term)
			return true;
	return false;
}

/* A candidate while ranking. */
typedef struct cand {
	size_t program;
	int score, rank;
	bool service;
} cand;

static int cand_cmp(const void *a, const void *b)
{
	const cand *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank > y->rank ? -1 : 1;
	return x->program < y->program ? -1 : x->program > y->program;
}

/* The reason slot of term among a program's tags, or NULL. */
static const sasae_tag_reason *reason_of(const sasae_program_tags *t, int term)
{
	for (size_t i = 0; i < t->ntags; i++)
		if (t->tags[i].term == term)
			return &t->tags[i];
	return NULL;
}

/* Whether the query asks as an organisation (a who term flagged "organisation" was chosen). */
static bool asks_as_organisation(const sasae_finder *f, const sasae_finder_results *r)
{
	for (size_t i = 0; i < r->nwho; i++)
		if (sasae_tag_data_term(f->data, (size_t)r->who[i])->organisation)
			return true;
	return false;
}

/* Whether a program is usable by whoever asks: a service, for a person; for an organisation, a
   kind flagged "organisation" (support to groups, trainings) or a program for the organisations
   asked about. */
static bool usable(const sasae_finder *f, const sasae_finder_results *r, const sasae_program_tags *t, bool org)
{
	const sasae_term *k = t->kind >= 0 ? sasae_tag_data_term(f->data, (size_t)t->kind) : NULL;
	if (!org)
		return k && k->service;
	if (k && k->organisation)
		return true;
	for (size_t i = 0; i < t->ntags; i++)
		if (sasae_tag_data_term(f->data, (size_t)t->tags[i].term)->organisation &&
		    set_has(r->who, r->nwho, t->tags[i].term))
			return true;
	return false;
}

/* Score program i for the query; false when it is not a candidate. */
static bool score_program(const sasae_finder *f, const sasae_finder_results *r, size_t i, bool org, int *score)
{
	const sasae_program_tags *t = &f->tags->programs[i];
	bool who_match = false, for_people = false, has_who = false;
	int s = 0;
	for (size_t k = 0; k < t->ntags; k++) {
		int term = t->tags[k].term;
		const sasae_term *tm = sasae_tag_data_term(f->data, (size_t)term);
		if (tm->facet == SASAE_FACET_WHO) {
			has_who = true;
			for_people |= !tm->organisation;
			if (set_has(r->who, r->nwho, term)) {
				who_match = true;
				s += f->weight[term];
			}
		} else if (tm->facet == SASAE_FACET_NEED && set_has(r->need, r->nneed, term)) {
			s += f->weight[term] * SCORE_NEED_FACTOR / 10;
		}
	}
	if (r->found_by == SASAE_FINDER_WORDS) {
		/* the sentence's own words, in names and summaries: more words first, then in the name */
		int n = 0, in_name = 0;
		for (size_t k = 0; k < r->meaning.nwords; k++) {
			const char *field = NULL;
			if (sasae_plan_tags_has_norm(f->tags, i, r->word_cp[k], r->word_n[k], &field) &&
			    (strcmp(field, "name") == 0 || strcmp(field, "summary") == 0)) {
				n++;
				in_name += strcmp(field, "name") == 0;
			}
		}
		if (n == 0)
			return false;
		*score = n * 100 + in_name * 10 + (usable(f, r, t, org) ? 5 : 0);
		return true;
	}
	int words = 0;
	for (size_t k = 0; k < r->meaning.nwords; k++) {
		const char *field = NULL;
		if (sasae_plan_tags_has_norm(f->tags, i, r->word_cp[k], r->word_n[k], &field)) {
			words++;
			s += strcmp(field, "name") == 0 ? SCORE_WORD_NAME : SCORE_WORD;
		}
	}
	if (s == 0)
		return false;
	/* a person is not shown what only organisations or staff can use */
	if (!org && has_who && !for_people && !who_match && words == 0)
		return false;
	if (r->nwho > 0 && !has_who)
		s += SCORE_EVERYONE;
	else if (r->nwho > 0 && for_people && !who_match && words == 0)
		s -= SCORE_OTHER_PEOPLE; /* for other people: shown after those for the people asked about */
	if (usable(f, r, t, org))
		s += SCORE_USABLE;
	else
		s -= SCORE_NOT_USABLE;
	if (s <= 0)
		return false; /* what speaks against it outweighs what matched */
	*score = s;
	return true;
}

/* The reasons a result is shown. */
static int fill_why(const sasae_finder *f, const sasae_finder_results *r, sasae_finder_result *res)
{
	const sasae_program_tags *t = &f->tags->programs[res->program];
	size_t cap = t->ntags + r->meaning.nwords;
	res->why = calloc(cap ? cap : 1, sizeof *res->why);
	if (res->why == NULL)
		return -1;
	for (size_t k = 0; k < t->ntags; k++) {
		int term = t->tags[k].term;
		if (set_has(r->who, r->nwho, term) || set_has(r->need, r->nneed, term))
			res->why[res->nwhy++] = (sasae_finder_why){term, NULL, NULL, &t->tags[k]};
	}
	for (size_t k = 0; k < r->meaning.nwords; k++) {
		const char *field = NULL;
		if (sasae_plan_tags_has_norm(f->tags, res->program, r->word_cp[k], r->word_n[k], &field) &&
		    (r->found_by != SASAE_FINDER_WORDS || strcmp(field, "name") == 0 ||
		     strcmp(field, "summary") == 0))
			res->why[res->nwhy++] = (sasae_finder_why){-1, r->meaning.words[k], field, NULL};
	}
	return 0;
}

/* The group of a result: the first need asked for that it has, else its own first need. */
static int group_of(const sasae_finder *f, const sasae_finder_results *r, size_t program)
{
	const sasae_program_tags *t = &f->tags->programs[program];
	for (size_t k = 0; k < r->nneed; k++)
		if (reason_of(t, r->need[k]))
			return r->need[k];
	for (size_t k = 0; k < t->ntags; k++)
		if (sasae_tag_data_term(f->data, (size_t)t->tags[k].term)->facet == SASAE_FACET_NEED)
			return t->tags[k].term;
	return -1;
}

static int make_groups(sasae_finder_results *r)
{
	/* groups in vocabulary order (-1 last); within a group, services first, then rank order */
	for (size_t i = 0; i < r->nresults; i++) {
		int g = r->results[i].group;
		size_t k = 0;
		while (k < r->ngroups && r->groups[k].term != g)
			k++;
		if (k == r->ngroups) {
			sasae_finder_group *ng = realloc(r->groups, (r->ngroups + 1) * sizeof *ng);
			if (ng == NULL)
				return -1;
			r->groups = ng;
			ng[r->ngroups++] = (sasae_finder_group){g, NULL, 0};
		}
		sasae_finder_group *grp = &r->groups[k];
		size_t *nr = realloc(grp->results, (grp->nresults + 1) * sizeof *nr);
		if (nr == NULL)
			return -1;
		grp->results = nr;
		nr[grp->nresults++] = i;
	}
	/* sort groups: by term, -1 last (insertion sort: few groups) */
	for (size_t i = 1; i < r->ngroups; i++) {
		sasae_finder_group g = r->groups[i];
		unsigned key = (unsigned)g.term; /* -1 becomes the largest */
		size_t j = i;
		while (j > 0 && (unsigned)r->groups[j - 1].term > key) {
			r->groups[j] = r->groups[j - 1];
			j--;
		}
		r->groups[j] = g;
	}
	for (size_t i = 0; i < r->ngroups; i++) { /* services first, stable */
		sasae_finder_group *g = &r->groups[i];
		size_t w = 0;
		size_t *tmp = malloc((g->nresults ? g->nresults : 1) * sizeof *tmp);
		if (tmp == NULL)
			return -1;
		for (int pass = 0; pass < 2; pass++)
			for (size_t k = 0; k < g->nresults; k++)
				if (r->results[g->results[k]].service == (pass == 0))
					tmp[w++] = g->results[k];
		memcpy(g->results, tmp, g->nresults * sizeof *tmp);
		free(tmp);
	}
	return 0;
}

/* Words too common to say anything about a situation (dictionary forms). */
static const char *const stop_words[] = {
	"する", "ある", "いる", "なる", "できる", "ない",   "いい",   "よい",   "良い",   "思う",
	"いう", "言う", "くる", "来る", "やる",   "もらう", "くれる", "あげる", "わかる", "分かる",
	"人",   "方",   "自分", "こと", "もの",   "感じ",   "気",     "今",     "最近",   "毎日",
	"ため", "よう", "何",   "どう", "とき",   "時",     "ほしい", "欲しい",
};

/* The sentence's content words (nouns, verbs, adjectives by MeCab's part of speech, minus the stop
   list and single kana) into r->meaning.words, in text order without repeats; 0 or SASAE_ENOMEM.
   Without MeCab there are none. */
static int content_words(sasae_finder_results *r, const char *text, sasae_error *err)
{
	sasae_morph *m = NULL;
	sasae_error e = {0};
	if (sasae_morph_shared(&m, &e) != 0)
		return 0;
	char *nfkc = sasae_text_nfkc(text);
	if (nfkc == NULL)
		return oom(err);
	sasae_morph_tokens tk = {0};
	int rc = 0;
	if (sasae_morph_parse(&tk, m, nfkc, strlen(nfkc), &e) == SASAE_ENOMEM)
		rc = oom(err);
	for (size_t i = 0; rc == 0 && i < tk.n; i++) {
		const sasae_morph_token *t = &tk.tok[i];
		if (!t->content || t->pos == SASAE_MORPH_OTHER || t->pos == SASAE_MORPH_SYMBOL)
			continue;
		size_t bl = strlen(t->base), ncp = 0;
		bool kanji = false;
		for (size_t b = 0; b < bl; b++)
			ncp += ((unsigned char)t->base[b] & 0xC0u) != 0x80u;
		kanji = (unsigned char)t->base[0] >= 0xE4; /* CJK ideographs start at U+4E00 */
		if (ncp < 2 && !kanji)
			continue;
		bool stop = false;
		for (size_t s = 0; s < sizeof stop_words / sizeof *stop_words && !stop; s++)
			stop = strcmp(t->base, stop_words[s]) == 0;
		for (size_t s = 0; s < r->meaning.nwords && !stop; s++)
			stop = strcmp(t->base, r->meaning.words[s]) == 0;
		if (stop)
			continue;
		char **nw = realloc(r->meaning.words, (r->meaning.nwords + 1) * sizeof *nw);
		if (nw == NULL) {
			rc = oom(err);
			break;
		}
		r->meaning.words = nw;
		if ((nw[r->meaning.nwords] = sasae_strdup(t->base)) == NULL)
			rc = oom(err);
		else
			r->meaning.nwords++;
	}
	sasae_morph_tokens_clear(&tk);
	free(nfkc);
	return rc;
}

static sasae_first_contact *contacts;
static size_t ncontacts;
static pthread_once_t contacts_once = PTHREAD_ONCE_INIT;

/* Parse data/first-contacts.tsv (name <TAB> about <TAB> phone); a line it cannot read is left out
   (the file is built in and checked by unit.finder). */
static void contacts_parse(void)
{
	static char *copy;
	copy = malloc(sasae_data_first_contacts_tsv_len + 1);
	if (copy == NULL)
		return;
	memcpy(copy, sasae_data_first_contacts_tsv, sasae_data_first_contacts_tsv_len);
	copy[sasae_data_first_contacts_tsv_len] = '\0';
	size_t cap = 0;
	for (char *p = copy; *p; p++)
		cap += *p == '\n';
	contacts = calloc(cap + 1, sizeof *contacts);
	if (contacts == NULL)
		return;
	for (char *line = copy; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (line[0] != '#' && line[0] != '\0') {
			char *t1 = strchr(line, '\t');
			char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
			if (t1 && t1 != line) {
				*t1 = '\0';
				if (t2)
					*t2 = '\0';
				contacts[ncontacts++] = (sasae_first_contact){line, t1 + 1, t2 ? t2 + 1 : ""};
			}
		}
		line = nl ? nl + 1 : NULL;
	}
}

const sasae_first_contact *sasae_first_contacts(size_t *n)
{
	pthread_once(&contacts_once, contacts_parse);
	*n = ncontacts;
	return contacts;
}

int sasae_finder_find(sasae_finder_results **out, const sasae_finder *f, const sasae_finder_query *q,
		      sasae_error *err)
{
	*out = NULL;
	int limit = q->limit ? q->limit : SASAE_FINDER_DEFAULT_LIMIT;
	if (limit < 1 || limit > 1000)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "limit は 1 から 1000 までの数にしてください");
	if (q->offset < 0)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0, "offset は 0 以上の数にしてください");
	if (q->nwho + q->nneed > SASAE_FINDER_MAX_CHOICES)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "選べるのは who と need を合わせて %d 個までです",
				       SASAE_FINDER_MAX_CHOICES);
	const char *text = q->text ? q->text : "";
	size_t tl = strlen(text);
	if (tl > SASAE_FINDER_MAX_TEXT)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "text が長すぎます（%zu バイト）。%d バイトまでにしてください", tl,
				       SASAE_FINDER_MAX_TEXT);
	size_t bad = 0;
	if (!sasae_utf8_valid(text, tl, &bad))
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "text の %zu バイト目が UTF-8 の文字ではありません", bad + 1);
	sasae_finder_results *r = calloc(1, sizeof *r);
	if (r == NULL)
		return oom(err);
	r->limit = limit;
	r->offset = q->offset;
	int rc = 0;
	for (int facet = SASAE_FACET_WHO; facet <= SASAE_FACET_NEED && rc == 0; facet++) {
		const char *const *ids = facet == SASAE_FACET_WHO ? q->who : q->need;
		size_t n = facet == SASAE_FACET_WHO ? q->nwho : q->nneed;
		for (size_t i = 0; i < n; i++) {
			int term = resolve(f->data, facet, ids[i]);
			if (term < 0) {
				rc = sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
						     "%s: 「%.60s」という選択肢はありません（/api/v1/tags に一覧があります）",
						     sasae_facet_name(facet), ids[i]);
				break;
			}
			if (set_add(facet == SASAE_FACET_WHO ? &r->who : &r->need,
				    facet == SASAE_FACET_WHO ? &r->nwho : &r->nneed, term) != 0) {
				rc = oom(err);
				break;
			}
		}
	}
	if (rc == 0)
		rc = sasae_tags_read_text(&r->meaning, f->data, text, err);
	/* never a dead end: when nothing was chosen and the vocabulary heard nothing, the sentence's own
	   words are looked for in programs' names and summaries */
	if (rc == 0 && text[0] && q->nwho + q->nneed == 0 && r->meaning.nterms + r->meaning.nwords == 0) {
		r->found_by = SASAE_FINDER_WORDS;
		rc = content_words(r, text, err);
	}
	if (rc == 0 && r->meaning.nwords) { /* the search words, normalised once for every program */
		r->word_cp = calloc(r->meaning.nwords, sizeof *r->word_cp);
		r->word_n = calloc(r->meaning.nwords, sizeof *r->word_n);
		if (r->word_cp == NULL || r->word_n == NULL)
			rc = oom(err);
		for (size_t k = 0; rc == 0 && k < r->meaning.nwords; k++)
			if ((r->word_cp[k] = sasae_tags_norm_word(r->meaning.words[k], f->variants,
								  &r->word_n[k])) == NULL)
				rc = oom(err);
	}
	for (size_t i = 0; rc == 0 && i < r->meaning.nterms; i++) {
		int term = r->meaning.terms[i];
		int facet = sasae_tag_data_term(f->data, (size_t)term)->facet;
		if (set_add(facet == SASAE_FACET_WHO ? &r->who : &r->need,
			    facet == SASAE_FACET_WHO ? &r->nwho : &r->nneed, term) != 0)
			rc = oom(err);
	}
	cand *c = NULL;
	size_t nc = 0;
	if (rc == 0 && (r->nwho || r->nneed || r->meaning.nwords)) {
		c = malloc((f->plan->nprograms ? f->plan->nprograms : 1) * sizeof *c);
		if (c == NULL)
			rc = oom(err);
		bool org = asks_as_organisation(f, r);
		for (size_t i = 0; rc == 0 && i < f->plan->nprograms; i++) {
			int score;
			if (!score_program(f, r, i, org, &score))
				continue;
			int kind = f->tags->programs[i].kind;
			bool service = kind >= 0 && sasae_tag_data_term(f->data, (size_t)kind)->service;
			c[nc++] = (cand){i, score, score, service};
		}
		if (nc > 1)
			qsort(c, nc, sizeof *c, cand_cmp);
	}
	r->total = nc;
	if (nc == 0 && text[0])
		r->found_by = SASAE_FINDER_NOTHING;
	size_t from = (size_t)q->offset < nc ? (size_t)q->offset : nc;
	size_t n = nc - from < (size_t)limit ? nc - from : (size_t)limit;
	if (rc == 0 && n > 0 && (r->results = calloc(n, sizeof *r->results)) == NULL)
		rc = oom(err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		sasae_finder_result *res = &r->results[r->nresults++];
		const cand *x = &c[from + i];
		res->program = x->program;
		res->score = x->score;
		res->service = x->service;
		res->kind = f->tags->programs[x->program].kind;
		res->group = group_of(f, r, x->program);
		if (fill_why(f, r, res) != 0)
			rc = oom(err);
	}
	free(c);
	if (rc == 0 && make_groups(r) != 0)
		rc = oom(err);
	if (rc) {
		sasae_finder_results_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

/* ---- JSON ---- */

static json_t *term_json(const sasae_tag_data *d, int term)
{
	const sasae_term *t = sasae_tag_data_term(d, (size_t)term);
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "tag", t->tag, "facet", sasae_facet_name(t->facet),
			 "id", t->id, "label", t->label, "plain", t->plain);
}

static json_t *departments_json(const sasae_program *p)
{
	json_t *a = json_array();
	for (size_t i = 0; i < p->ndepartments; i++)
		json_array_append_new(a, json_string(p->departments[i].name));
	return a;
}

static json_t *listings_json(const sasae_plan *plan, const sasae_program *p)
{
	json_t *a = json_array();
	for (size_t i = 0; i < p->nplaces; i++) {
		const sasae_place *pl = &p->places[i];
		const char *title = "";
		if (pl->part >= 1 && (size_t)pl->part <= plan->nparts) {
			const sasae_part *part = &plan->parts[pl->part - 1];
			if (pl->section_index >= 1 && (size_t)pl->section_index <= part->nsections)
				title = part->sections[pl->section_index - 1].title;
		}
		json_array_append_new(a, json_pack("{s:i, s:i, s:i, s:i, s:s}", "part", pl->part, "section",
						   pl->section, "section_index", pl->section_index,
						   "position", pl->position, "section_title", title));
	}
	return a;
}

static json_t *reason_json(const sasae_tag_data *d, const sasae_tag_reason *r)
{
	json_t *o = term_json(d, r->term);
	json_object_set_new(o, "evidence", json_string(r->evidence ? r->evidence : ""));
	json_object_set_new(o, "source", json_string(r->override ? "override" : "rule"));
	json_object_set_new(o, "line", json_integer(r->line));
	return o;
}

static json_t *kind_json(const sasae_finder *f, const sasae_program_tags *t)
{
	if (t->kind < 0)
		return json_null();
	json_t *o = reason_json(f->data, &t->kind_reason);
	json_object_set_new(o, "service", json_boolean(sasae_tag_data_term(f->data, (size_t)t->kind)->service));
	return o;
}

static json_t *chosen_json(const sasae_finder *f, const sasae_finder_results *r, const int *terms, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = term_json(f->data, terms[i]);
		/* from the text when an everyday word gave it */
		const char *heard = NULL;
		for (size_t k = 0; k < r->meaning.nterms; k++)
			if (r->meaning.terms[k] == terms[i])
				heard = r->meaning.heard[r->meaning.heard_terms[k]];
		json_object_set_new(o, "heard", heard ? json_string(heard) : json_null());
		json_array_append_new(a, o);
	}
	return a;
}

json_t *sasae_finder_results_json(const sasae_finder *f, const sasae_finder_results *r)
{
	const sasae_plan *plan = f->plan;
	json_t *results = json_array();
	for (size_t i = 0; i < r->nresults; i++) {
		const sasae_finder_result *x = &r->results[i];
		const sasae_program *p = &plan->programs[x->program];
		json_t *why = json_array();
		for (size_t k = 0; k < x->nwhy; k++) {
			const sasae_finder_why *w = &x->why[k];
			if (w->term >= 0)
				json_array_append_new(why, reason_json(f->data, w->reason));
			else
				json_array_append_new(why, json_pack("{s:s, s:s}", "word", w->word, "field",
								     w->field));
		}
		json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:i, s:o}", "program", p->id,
				      "name", p->name, "summary", p->summary, "departments",
				      departments_json(p), "listings", listings_json(plan, p), "kind",
				      kind_json(f, &f->tags->programs[x->program]), "service", x->service,
				      "score", x->score, "why", why);
		json_object_set_new(o, "group",
				    x->group >= 0
					    ? json_string(sasae_tag_data_term(f->data, (size_t)x->group)->tag)
					    : json_null());
		json_array_append_new(results, o);
	}
	json_t *groups = json_array();
	for (size_t i = 0; i < r->ngroups; i++) {
		const sasae_finder_group *g = &r->groups[i];
		json_t *ids = json_array();
		for (size_t k = 0; k < g->nresults; k++)
			json_array_append_new(ids,
					      json_string(plan->programs[r->results[g->results[k]].program].id));
		json_t *o = g->term >= 0 ? term_json(f->data, g->term)
					 : json_pack("{s:n, s:s, s:s}", "tag", "label", "その他", "plain",
						     "そのほか");
		json_object_set_new(o, "programs", ids);
		json_array_append_new(groups, o);
	}
	json_t *heard = json_array(), *words = json_array();
	for (size_t i = 0; i < r->meaning.nheard; i++)
		json_array_append_new(heard, json_string(r->meaning.heard[i]));
	for (size_t i = 0; i < r->meaning.nwords; i++)
		json_array_append_new(words, json_string(r->meaning.words[i]));
	json_t *first = json_array();
	if (r->found_by == SASAE_FINDER_NOTHING) {
		size_t nfc = 0;
		const sasae_first_contact *fc = sasae_first_contacts(&nfc);
		for (size_t i = 0; i < nfc; i++)
			json_array_append_new(first, json_pack("{s:s, s:s, s:s}", "name", fc[i].name, "about",
							       fc[i].about, "phone", fc[i].phone));
	}
	static const char *const found_by[] = {"heard", "words", "nothing"};
	return json_pack("{s:I, s:i, s:i, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "total",
			 (json_int_t)r->total, "limit", r->limit, "offset", r->offset, "found_by",
			 found_by[r->found_by], "who", chosen_json(f, r, r->who, r->nwho), "need",
			 chosen_json(f, r, r->need, r->nneed), "heard", heard, "words", words, "groups",
			 groups, "results", results, "first_contacts", first);
}

json_t *sasae_finder_tags_json(const sasae_finder *f)
{
	const sasae_plan *plan = f->plan;
	const sasae_tag_data *d = f->data;
	size_t nt = sasae_tag_data_nterms(d);
	size_t *count = calloc(nt ? nt : 1, sizeof *count);
	if (count == NULL)
		return NULL;
	json_t *programs = json_array(), *untagged = json_array();
	for (size_t i = 0; i < plan->nprograms; i++) {
		const sasae_program_tags *t = &f->tags->programs[i];
		json_t *tags = json_array();
		bool who_or_need = false;
		for (size_t k = 0; k < t->ntags; k++) {
			count[t->tags[k].term]++;
			who_or_need = true;
			json_array_append_new(tags, reason_json(d, &t->tags[k]));
		}
		if (t->kind >= 0)
			count[t->kind]++;
		if (!who_or_need)
			json_array_append_new(untagged, json_string(plan->programs[i].id));
		json_array_append_new(programs, json_pack("{s:s, s:s, s:o, s:o}", "program",
							  plan->programs[i].id, "name", plan->programs[i].name,
							  "kind", kind_json(f, t), "tags", tags));
	}
	json_t *vocab = json_array(), *unused = json_array();
	for (size_t i = 0; i < nt; i++) {
		const sasae_term *t = sasae_tag_data_term(d, i);
		json_t *o = term_json(d, (int)i);
		json_object_set_new(o, "programs", json_integer((json_int_t)count[i]));
		if (t->facet == SASAE_FACET_KIND)
			json_object_set_new(o, "service", json_boolean(t->service));
		json_array_append_new(vocab, o);
		if (count[i] == 0)
			json_array_append_new(unused, json_string(t->tag));
	}
	free(count);
	json_t *unknown = json_array();
	for (size_t i = 0; i < f->tags->nunknown; i++)
		json_array_append_new(unknown, json_pack("{s:I, s:s}", "line",
							 (json_int_t)f->tags->unknown_override_lines[i],
							 "name", f->tags->unknown_override_names[i]));
	return json_pack("{s:o, s:o, s:o, s:o, s:o}", "vocabulary", vocab, "programs", programs, "untagged",
			 untagged, "unused_tags", unused, "unknown_overrides", unknown);
}
