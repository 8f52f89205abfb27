/*
 * finder_page.c — the needs finder on the web (docs/web.md, "Finder pages"): the form and its
 * grouped results (/finder), the one-page handout with a QR code of the page's address
 * (/finder/print), and the API (/api/v1/finder, /api/v1/tags).
 *
 * Privacy: the whole state lives in the URL.  Nothing about a request is kept or written: no
 * database access per request (the finder works in memory), `Cache-Control: no-store` on every
 * answer (the routes' SASAE_ROUTE_QUERY_PRIVATE flag, app.c), and the access log never writes these
 * queries (sasae_web_query_loggable).
 */
#include <qrencode.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sasae/dynlib.h"
#include "sasae/escape.h"
#include "sasae/finder.h"
#include "sasae/store.h"
#include "sasae/template.h"
#include "sasae/text.h"
#include "pages.h"

struct web_finder {
	sasae_store *store;   /* kept open: the finder borrows its variant table */
	sasae_tag_data *data; /* the vocabulary, rules, overrides and everyday words */
	sasae_finder *finder; /* over the served plan */
	char *public_url;     /* `--public-url`, without a trailing '/'; NULL: from the Host header */
};

enum {
	PAGE_LIMIT = 100,   /* results on /finder (grouped on one page, no pagination) */
	PRINT_LIMIT = 8,    /* programs on the one-page handout */
	PRINT_SUMMARY = 64, /* characters of a summary on the handout */
	MAX_IDS = 40,       /* who or need values read from one request (more than the parameter limit) */
	QR_QUIET = 4,       /* modules of white around the QR code (its specification's quiet zone) */
};

int web_finder_new(web_finder **out, const char *db_path, const sasae_plan *plan, sasae_error *err)
{
	*out = NULL;
	web_finder *f = calloc(1, sizeof *f);
	if (f == NULL)
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	int rc = sasae_store_open(&f->store, db_path, SASAE_STORE_READONLY, err);
	if (rc == 0)
		rc = sasae_finder_data_load(&f->data, f->store, NULL, err);
	if (rc == 0)
		rc = sasae_finder_new(&f->finder, plan, f->data, sasae_store_variants(f->store), err);
	if (rc) {
		web_finder_free(f);
		return rc;
	}
	*out = f;
	return 0;
}

void web_finder_free(web_finder *f)
{
	if (f == NULL)
		return;
	sasae_finder_free(f->finder);
	sasae_tag_data_free(f->data);
	sasae_store_close(f->store);
	free(f->public_url);
	free(f);
}

/* ---- addresses ---- */

/* Whether h[0..n) is a plain host[:port]: a DNS name or IPv4 address, or an [IPv6] literal, and
   an optional port of 1–5 digits.  Nothing else (no user info, path, spaces or other bytes). */
static bool plain_host(const char *h, size_t n)
{
	if (n == 0 || n > 255)
		return false;
	size_t i = 0;
	if (h[0] == '[') {
		for (i = 1; i < n && h[i] != ']'; i++)
			if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f') ||
			      (h[i] >= 'A' && h[i] <= 'F') || h[i] == ':' || h[i] == '.'))
				return false;
		if (i == n || i == 1)
			return false;
		i++;
	} else {
		for (; i < n && h[i] != ':'; i++)
			if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'z') ||
			      (h[i] >= 'A' && h[i] <= 'Z') || h[i] == '-' || h[i] == '.'))
				return false;
		if (i == 0 || h[0] == '.' || h[0] == '-')
			return false;
	}
	if (i == n)
		return true;
	if (h[i] != ':' || n - i - 1 < 1 || n - i - 1 > 5)
		return false;
	for (i++; i < n; i++)
		if (h[i] < '0' || h[i] > '9')
			return false;
	return true;
}

const char *web_finder_public_url(const web_finder *f) { return f ? f->public_url : NULL; }

int web_finder_set_public_url(web_finder *f, const char *url, sasae_error *err)
{
	size_t scheme = strncmp(url, "https://", 8) == 0 ? 8 : strncmp(url, "http://", 7) == 0 ? 7 : 0;
	size_t n = strlen(url);
	size_t host_end = scheme ? scheme + strcspn(url + scheme, "/") : 0;
	bool ok = scheme && n <= 512 && plain_host(url + scheme, host_end - scheme);
	for (size_t i = host_end; ok && i < n; i++) { /* a path: printable ASCII without ? # and quotes */
		unsigned char ch = (unsigned char)url[i];
		ok = ch > 0x20 && ch < 0x7f && !strchr("?#\"'<>\\`{}|^", ch);
	}
	if (!ok)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "公開アドレス「%.200s」が正しくありません。http:// か https:// で始まるアドレスにしてください"
				       "（例: https://sasae.example.jp、https://www.city.example.jp/sasae）",
				       url);
	while (n > host_end && url[n - 1] == '/')
		n--;
	char *copy = malloc(n + 1);
	if (copy == NULL)
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	memcpy(copy, url, n);
	copy[n] = '\0';
	if (f) {
		free(f->public_url);
		f->public_url = copy;
	} else {
		free(copy);
	}
	return 0;
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

bool sasae_web_query_loggable(const char *target)
{
	if (target == NULL)
		return true;
	/* absolute-form "http://host/path?query", as sasae_web_handle reads it */
	if (strncasecmp(target, "http://", 7) == 0 || strncasecmp(target, "https://", 8) == 0) {
		const char *slash = strchr(target + (target[4] == ':' ? 7 : 8), '/');
		target = slash ? slash : "/";
	}
	/* the path percent-decoded (as routing sees it: "/%66inder" is /finder), enough of it to compare */
	char path[32];
	size_t n = 0;
	for (const char *p = target; *p && *p != '?' && n + 1 < sizeof path; p++) {
		char ch = *p;
		if (ch == '%') {
			int hi = hex_digit(p[1]), lo = hi < 0 ? -1 : hex_digit(p[2]);
			if (lo < 0)
				return false; /* malformed: the request fails anyway; say nothing of it */
			ch = (char)(hi * 16 + lo);
			p += 2;
		}
		path[n++] = ch;
	}
	path[n] = '\0';
	return strncmp(path, "/finder", 7) != 0 && strncmp(path, "/api/v1/finder", 14) != 0;
}

/* ---- the query ---- */

/* A finder request as read from the URL (strings borrowed from the request). */
typedef struct finder_req {
	const char *who[MAX_IDS], *need[MAX_IDS];
	size_t nwho, nneed;
	const char *text; /* NULL when empty or only white space */
	bool given;       /* a who, need or text parameter was there (the form was sent) */
} finder_req;

/* Non-empty values of parameter name into ids. */
static size_t read_ids(const web_ctx *c, const char *name, const char **ids, bool *given)
{
	size_t n = web_params(c, name, ids, MAX_IDS), k = 0;
	if (n > MAX_IDS)
		n = MAX_IDS; /* cannot happen under the parameter limit; the finder refuses more than 32 */
	*given |= n > 0;
	for (size_t i = 0; i < n; i++)
		if (ids[i][0] != '\0')
			ids[k++] = ids[i];
	return k;
}

static void read_req(const web_ctx *c, finder_req *q)
{
	memset(q, 0, sizeof *q);
	q->nwho = read_ids(c, "who", q->who, &q->given);
	q->nneed = read_ids(c, "need", q->need, &q->given);
	const char *t = web_param(c, "text");
	if (t == NULL)
		return;
	q->given = true;
	const char *p = t; /* white space only (U+3000 included) is no text */
	for (;;) {
		size_t n = strspn(p, " \t\r\n");
		p += n;
		if (strncmp(p, "\u3000", 3) == 0)
			p += 3;
		else if (n == 0)
			break;
	}
	q->text = *p ? t : NULL;
}

static bool asked(const finder_req *q) { return q->nwho + q->nneed > 0 || q->text != NULL; }

/* The query string of q (percent-encoded, "&"-joined; the same on /finder and /finder/print). */
static void query_string(sasae_buf *b, const finder_req *q)
{
	for (int k = 0; k < 2; k++) {
		const char *const *ids = k == 0 ? q->who : q->need;
		size_t n = k == 0 ? q->nwho : q->nneed;
		for (size_t i = 0; i < n; i++) {
			sasae_buf_puts(b, b->len ? "&" : "");
			sasae_buf_puts(b, k == 0 ? "who=" : "need=");
			sasae_url_encode(b, ids[i], strlen(ids[i]));
		}
	}
	if (q->text) {
		sasae_buf_puts(b, b->len ? "&text=" : "text=");
		sasae_url_encode(b, q->text, strlen(q->text));
	}
}

/* Run the finder.  On a usage error (an unknown id, too many choices, text too long) *usage gets the
   message (valid UTF-8) and 0 is returned with *out NULL; other errors return their code. */
static int find(sasae_finder_results **out, const web_finder *f, const finder_req *q, int limit, int offset,
		char usage[], size_t usage_size)
{
	sasae_finder_query fq = {q->who, q->nwho, q->need, q->nneed, q->text, limit, offset};
	sasae_error err = {0};
	usage[0] = '\0';
	int rc = sasae_finder_find(out, f->finder, &fq, &err);
	if (rc == SASAE_EUSAGE) {
		size_t bad; /* a message quoting a value can be cut mid-character at the end of its buffer */
		if (!sasae_utf8_valid(err.message, strlen(err.message), &bad))
			err.message[bad] = '\0';
		snprintf(usage, usage_size, "%s", err.message);
		if (!sasae_utf8_valid(usage, strlen(usage), &bad))
			usage[bad] = '\0';
		*out = NULL;
		return 0;
	}
	return rc;
}

/* ---- page contexts ---- */

static const char *field_label(const char *field, size_t n)
{
	static const struct {
		const char *field, *label;
	} names[] = {{"name", "事業名"},
		     {"summary", "説明"},
		     {"departments", "担当"},
		     {"sections", "施策の名前"}};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i].field) == n && strncmp(names[i].field, field, n) == 0)
			return names[i].label;
	return NULL;
}

/* Why a tag was given, in words: "事業名に「認知症」、説明に「もの忘れ」" from the evidence
   "name:認知症 summary:もの忘れ"; an override: "計画担当の判断（reason）". */
static void evidence_text(sasae_buf *b, const sasae_tag_reason *r)
{
	const char *ev = r->evidence ? r->evidence : "";
	if (r->override) {
		sasae_buf_puts(b, "計画担当の判断");
		if (*ev)
			sasae_buf_appendf(b, "（%s）", ev);
		return;
	}
	int shown = 0;
	for (const char *p = ev; *p && shown < 3;) {
		size_t len = strcspn(p, " ");
		const char *colon = memchr(p, ':', len);
		const char *label = colon ? field_label(p, (size_t)(colon - p)) : NULL;
		if (label && (size_t)(colon - p) + 1 < len) {
			sasae_buf_appendf(b, "%s%sに「%.*s」", shown ? "、" : "", label,
					  (int)(len - (size_t)(colon - p) - 1), colon + 1);
			shown++;
		}
		p += len;
		p += strspn(p, " ");
	}
}

/* The everyday word of the text that gave term, or NULL. */
static const char *heard_for(const sasae_finder_results *r, int term)
{
	for (size_t k = 0; k < r->meaning.nterms; k++)
		if (r->meaning.terms[k] == term && r->meaning.heard_terms)
			return r->meaning.heard[r->meaning.heard_terms[k]];
	return NULL;
}

static json_t *places_json(const sasae_plan *plan, const sasae_program *p)
{
	json_t *a = json_array();
	for (size_t k = 0; k < p->nplaces; k++) {
		const sasae_place *pl = &p->places[k];
		const char *title = "";
		if (pl->part >= 1 && (size_t)pl->part <= plan->nparts && pl->section_index >= 1 &&
		    (size_t)pl->section_index <= plan->parts[pl->part - 1].nsections)
			title = plan->parts[pl->part - 1].sections[pl->section_index - 1].title;
		json_array_append_new(a, json_pack("{s:i, s:i, s:i, s:i, s:s}", "part", pl->part, "section",
						   pl->section, "section_index", pl->section_index,
						   "position", pl->position, "section_title", title));
	}
	return a;
}

static json_t *departments_json(const sasae_program *p)
{
	json_t *a = json_array();
	for (size_t d = 0; d < p->ndepartments; d++)
		json_array_append_new(a, json_pack("{s:s}", "name", p->departments[d].name));
	return a;
}

/* The first max characters of s, with "…" when cut. */
static json_t *short_text(const char *s, size_t max)
{
	size_t i = 0, chars = 0;
	while (s[i] && chars < max) {
		i++;
		while (((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		chars++;
	}
	if (s[i] == '\0')
		return json_string(s);
	sasae_buf b = SASAE_BUF_INIT;
	sasae_buf_append(&b, s, i);
	sasae_buf_puts(&b, "…");
	json_t *v = json_string(sasae_buf_cstr(&b));
	sasae_buf_free(&b);
	return v;
}

/* One result as the templates show it. */
static json_t *result_json(const web_finder *f, const sasae_finder_results *r, const sasae_finder_result *x,
			   bool handout)
{
	const sasae_plan *plan = sasae_finder_plan(f->finder);
	const sasae_tag_data *d = f->data;
	const sasae_program *p = &plan->programs[x->program];
	const sasae_term *kind = x->kind >= 0 ? sasae_tag_data_term(d, (size_t)x->kind) : NULL;
	json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:b, s:s?}", "id", p->id, "name", p->name, "summary",
			      handout ? short_text(p->summary, PRINT_SUMMARY) : json_string(p->summary),
			      "departments", departments_json(p), "service", x->service, "kind",
			      kind ? kind->plain : NULL);
	json_object_set_new(o, "places", places_json(plan, p));
	json_t *why = json_array();
	sasae_buf tag = SASAE_BUF_INIT, ev = SASAE_BUF_INIT;
	for (size_t k = 0; k < x->nwhy; k++) {
		const sasae_finder_why *w = &x->why[k];
		sasae_buf_clear(&tag);
		sasae_buf_clear(&ev);
		if (w->term >= 0) {
			const char *heard = heard_for(r, w->term);
			const char *label = sasae_tag_data_term(d, (size_t)w->term)->label;
			if (heard && strcmp(heard, label) != 0)
				sasae_buf_appendf(&tag, "%s → %s", heard, label);
			else
				sasae_buf_puts(&tag, label);
			if (w->reason)
				evidence_text(&ev, w->reason);
		} else {
			sasae_buf_puts(&tag, w->word);
			const char *label = w->field ? field_label(w->field, strlen(w->field)) : NULL;
			if (label)
				sasae_buf_appendf(&ev, "%sにこのことば", label);
		}
		json_array_append_new(why, json_pack("{s:s, s:s?}", "tag", sasae_buf_cstr(&tag), "evidence",
						     ev.len ? sasae_buf_cstr(&ev) : NULL));
	}
	sasae_buf_free(&tag);
	sasae_buf_free(&ev);
	json_object_set_new(o, "why", why);
	return o;
}

/* The choices of one facet, with the ones in ids checked. */
static json_t *choices_json(const sasae_tag_data *d, int facet, const char *const *ids, size_t nids,
			    json_t *chosen)
{
	json_t *a = json_array();
	for (size_t i = 0; i < sasae_tag_data_nterms(d); i++) {
		const sasae_term *t = sasae_tag_data_term(d, i);
		if (t->facet != facet)
			continue;
		bool checked = false;
		for (size_t k = 0; k < nids && !checked; k++) {
			const char *id = ids[k];
			size_t fl = strlen(sasae_facet_name(facet));
			if (strncmp(id, sasae_facet_name(facet), fl) == 0 && id[fl] == ':')
				id += fl + 1;
			checked = strcmp(id, t->id) == 0;
		}
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}", "facet",
						   sasae_facet_name(facet), "id", t->id, "plain", t->plain,
						   "label", t->label, "office",
						   strcmp(t->plain, t->label) != 0, "checked", checked));
		if (checked && chosen)
			json_array_append_new(chosen, json_string(t->plain));
	}
	return a;
}

/* What the text was read as: [{"heard", "label", "plain"}], and the search words. */
static void understood_json(const web_finder *f, const sasae_finder_results *r, json_t *page)
{
	json_t *terms = json_array(), *words = json_array();
	for (size_t k = 0; r && k < r->meaning.nterms; k++) {
		const sasae_term *t = sasae_tag_data_term(f->data, (size_t)r->meaning.terms[k]);
		const char *heard = r->meaning.heard_terms ? r->meaning.heard[r->meaning.heard_terms[k]] : "";
		json_array_append_new(terms, json_pack("{s:s, s:s, s:s}", "heard", heard, "label", t->label,
						       "plain", t->plain));
	}
	for (size_t k = 0; r && k < r->meaning.nwords; k++)
		json_array_append_new(words, json_string(r->meaning.words[k]));
	sasae_buf all = SASAE_BUF_INIT; /* "介護、相談" for the handout */
	for (size_t k = 0; k < json_array_size(terms); k++)
		sasae_buf_appendf(&all, "%s%s", all.len ? "、" : "",
				  json_string_value(json_object_get(json_array_get(terms, k), "label")));
	for (size_t k = 0; k < json_array_size(words); k++)
		sasae_buf_appendf(&all, "%s「%s」", all.len ? "、" : "",
				  json_string_value(json_array_get(words, k)));
	json_object_set_new(page, "understood_text", json_string(sasae_buf_cstr(&all)));
	sasae_buf_free(&all);
	json_object_set_new(page, "understood", terms);
	json_object_set_new(page, "words", words);
	bool by_words = r && r->found_by == SASAE_FINDER_WORDS;
	json_object_set_new(page, "understood_any",
			    json_boolean(!by_words && json_array_size(terms) + json_array_size(words) > 0));
	/* never a dead end: the sentence's own words, then the first contacts */
	json_object_set_new(page, "by_words", json_boolean(by_words && json_array_size(words) > 0));
	json_t *first = json_array();
	if (r && r->found_by == SASAE_FINDER_NOTHING) {
		size_t nfc = 0;
		const sasae_first_contact *fc = sasae_first_contacts(&nfc);
		for (size_t i = 0; i < nfc; i++)
			json_array_append_new(first, json_pack("{s:s, s:s, s:s}", "name", fc[i].name, "about",
							       fc[i].about, "phone", fc[i].phone));
	}
	json_object_set_new(page, "first_contacts_any", json_boolean(json_array_size(first) > 0));
	json_object_set_new(page, "first_contacts", first);
}

/* The form's context: the choices (checked as asked), the text, the query string. */
static json_t *form_json(const web_finder *f, const finder_req *q)
{
	json_t *chosen = json_array(); /* who first, then need (the calls in this order) */
	json_t *who = choices_json(f->data, SASAE_FACET_WHO, q->who, q->nwho, chosen);
	json_t *need = choices_json(f->data, SASAE_FACET_NEED, q->need, q->nneed, chosen);
	json_t *page = json_pack("{s:o, s:o, s:s, s:b, s:b}", "who_terms", who, "need_terms", need, "text",
				 q->text ? q->text : "", "asked", asked(q), "nothing", q->given && !asked(q));
	json_object_set_new(page, "chosen", chosen);
	sasae_buf qs = SASAE_BUF_INIT;
	query_string(&qs, q);
	json_object_set_new(page, "qs", json_string(sasae_buf_cstr(&qs)));
	sasae_buf_free(&qs);
	return page;
}

/* For the pages: a message in plain words when q asks for an unknown choice or too many (the API
   gives the finder's own message, which names the parameter).  Returns false when q is fine. */
static bool page_problem(const web_finder *f, const finder_req *q, char msg[], size_t size)
{
	for (int k = 0; k < 2; k++) {
		int facet = k == 0 ? SASAE_FACET_WHO : SASAE_FACET_NEED;
		const char *const *ids = k == 0 ? q->who : q->need;
		size_t n = k == 0 ? q->nwho : q->nneed;
		for (size_t i = 0; i < n; i++) {
			const char *id = ids[i];
			size_t fl = strlen(sasae_facet_name(facet));
			if (strncmp(id, sasae_facet_name(facet), fl) == 0 && id[fl] == ':')
				id += fl + 1;
			if (sasae_tag_data_find(f->data, facet, id) < 0) {
				snprintf(msg, size, "「%.60s」という選択肢はありません。", ids[i]);
				size_t bad;
				if (!sasae_utf8_valid(msg, strlen(msg), &bad))
					msg[bad] = '\0';
				return true;
			}
		}
	}
	if (q->nwho + q->nneed > SASAE_FINDER_MAX_CHOICES) {
		snprintf(msg, size, "選べるのは、合わせて %d 個までです。", SASAE_FINDER_MAX_CHOICES);
		return true;
	}
	if (q->text && strlen(q->text) > SASAE_FINDER_MAX_TEXT) {
		snprintf(msg, size, "書いたことばが長すぎます。短くしてください（%d バイトまで）。",
			 SASAE_FINDER_MAX_TEXT);
		return true;
	}
	return false;
}

/* ---- GET /finder ---- */

void web_finder_page(web_ctx *c)
{
	const web_finder *f = web_of(c)->finder;
	finder_req q;
	read_req(c, &q);
	json_t *page = form_json(f, &q);
	if (!asked(&q)) {
		web_render(c, 200, "finder", page, "支援をさがす");
		return;
	}
	sasae_finder_results *r = NULL;
	char usage[512];
	int rc = page_problem(f, &q, usage, sizeof usage)
			 ? 0
			 : find(&r, f, &q, PAGE_LIMIT, 0, usage, sizeof usage);
	if (rc) {
		json_decref(page);
		web_fail(c, 500, "internal", "内部エラー",
			 "さがせませんでした。しばらくしてからもう一度お試しください。");
		return;
	}
	if (r == NULL) { /* an unknown choice, too many, a text too long: the form again, and why */
		json_object_set_new(page, "error", json_string(usage));
		json_object_set_new(page, "asked", json_false());
		web_render(c, 400, "finder", page, "支援をさがす");
		return;
	}
	json_t *groups = json_array(), *toc = json_array();
	for (size_t g = 0; g < r->ngroups; g++) {
		const sasae_finder_group *grp = &r->groups[g];
		const sasae_term *t = grp->term >= 0 ? sasae_tag_data_term(f->data, (size_t)grp->term) : NULL;
		json_t *items = json_array();
		size_t services = 0;
		for (size_t k = 0; k < grp->nresults; k++) {
			const sasae_finder_result *x = &r->results[grp->results[k]];
			services += x->service;
			json_array_append_new(items, result_json(f, r, x, false));
		}
		char anchor[80];
		snprintf(anchor, sizeof anchor, "g-%s", t ? t->id : "other");
		json_array_append_new(groups, json_pack("{s:s, s:s, s:s, s:b, s:I, s:I, s:o}", "anchor",
							anchor, "plain", t ? t->plain : "そのほか", "label",
							t ? t->label : "その他", "office",
							t && strcmp(t->plain, t->label) != 0, "count",
							(json_int_t)grp->nresults, "services",
							(json_int_t)services, "results", items));
		json_array_append_new(toc, json_pack("{s:s, s:s, s:I}", "anchor", anchor, "plain",
						     t ? t->plain : "そのほか", "count",
						     (json_int_t)grp->nresults));
	}
	understood_json(f, r, page);
	json_object_set_new(page, "total", json_integer((json_int_t)r->total));
	json_object_set_new(page, "shown", json_integer((json_int_t)r->nresults));
	json_object_set_new(page, "more", json_boolean(r->total > r->nresults));
	json_object_set_new(page, "groups", groups);
	json_object_set_new(page, "toc", toc);
	json_object_set_new(page, "has_text", json_boolean(q.text != NULL));
	sasae_finder_results_free(r);
	web_render(c, 200, "finder", page, "支援をさがす");
}

/* ---- GET /finder/print ---- */

/* libqrencode is loaded the first time a handout is printed, not linked (include/util/sasae/dynlib.h):
   no other page or command pays for it.  Without it the handout prints the address only. */
#ifndef SASAE_QRENCODE_SONAME
#define SASAE_QRENCODE_SONAME "libqrencode.so"
#endif
#define QR_FUNCTIONS(X) X(QRcode_encodeString) X(QRcode_free)
#define QR_FIELD(f)     __typeof__(f) *f;
static struct qr_api {
	QR_FUNCTIONS(QR_FIELD)
} qrlib;
#define QR_SYM(f) {#f, offsetof(struct qr_api, f)},
static const sasae_dynsym qr_syms[] = {QR_FUNCTIONS(QR_SYM)};
static sasae_dynlib qr_lib = {"libqrencode",
			      SASAE_QRENCODE_SONAME,
			      "/finder/print の QR コード",
			      qr_syms,
			      sizeof qr_syms / sizeof qr_syms[0],
			      &qrlib,
			      false,
			      NULL};

/* The QR code of text as inline SVG (dark modules as rects, one per run in a row, inside a white
   quiet zone); false when text does not fit in a QR code or memory ran out. */
static bool qr_svg(sasae_buf *out, const char *text)
{
	sasae_error err = {0};
	if (sasae_dynlib_load(&qr_lib, &err) != 0)
		return false; /* the handout still prints the address */
	QRcode *qr = qrlib.QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (qr == NULL) /* too long for level M: the lowest correction holds about 20% more */
		qr = qrlib.QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
	if (qr == NULL)
		return false;
	int w = qr->width, size = w + 2 * QR_QUIET;
	sasae_buf_appendf(out,
			  "<svg class=\"qr\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" role=\"img\" "
			  "aria-labelledby=\"qr-title\" shape-rendering=\"crispEdges\"><title id=\"qr-title\">"
			  "このページのアドレスの QR コード</title><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><g fill=\"#000\">",
			  size, size, size, size);
	for (int y = 0; y < w; y++)
		for (int x = 0; x < w;) {
			if (!(qr->data[y * w + x] & 1)) {
				x++;
				continue;
			}
			int run = 1;
			while (x + run < w && (qr->data[y * w + x + run] & 1))
				run++;
			sasae_buf_appendf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"1\"/>",
					  x + QR_QUIET, y + QR_QUIET, run);
			x += run;
		}
	sasae_buf_puts(out, "</g></svg>");
	qrlib.QRcode_free(qr);
	return sasae_buf_ok(out);
}

void web_finder_print(web_ctx *c)
{
	const web_finder *f = web_of(c)->finder;
	finder_req q;
	read_req(c, &q);
	json_t *page = form_json(f, &q);
	sasae_finder_results *r = NULL;
	char usage[512] = "";
	if (asked(&q)) {
		int rc = page_problem(f, &q, usage, sizeof usage)
				 ? 0
				 : find(&r, f, &q, PRINT_LIMIT, 0, usage, sizeof usage);
		if (rc) {
			json_decref(page);
			web_fail(c, 500, "internal", "内部エラー",
				 "さがせませんでした。しばらくしてからもう一度お試しください。");
			return;
		}
		if (r == NULL) {
			json_object_set_new(page, "error", json_string(usage));
			json_object_set_new(page, "asked", json_false());
			web_render(c, 400, "finder", page, "支援をさがす");
			return;
		}
	}
	json_t *items = json_array();
	for (size_t i = 0; r && i < r->nresults; i++)
		json_array_append_new(items, result_json(f, r, &r->results[i], true));
	understood_json(f, r, page);
	json_object_set_new(page, "results", items);
	json_object_set_new(page, "total", json_integer(r ? (json_int_t)r->total : 0));
	json_object_set_new(page, "shown", json_integer(r ? (json_int_t)r->nresults : 0));
	json_object_set_new(page, "more", json_boolean(r && r->total > r->nresults));
	json_object_set_new(page, "rest", json_integer(r ? (json_int_t)(r->total - r->nresults) : 0));
	sasae_finder_results_free(r);
	/* the address of the same finder page: --public-url, else the Host header when it is a plain
	   host[:port], else the path only (and no QR code: a phone cannot open a path) */
	sasae_buf url = SASAE_BUF_INIT, path = SASAE_BUF_INIT, svg = SASAE_BUF_INIT;
	sasae_buf_puts(&path, "/finder");
	const char *qs = json_string_value(json_object_get(page, "qs"));
	if (qs && *qs)
		sasae_buf_appendf(&path, "?%s", qs);
	const char *host = sasae_http_header_get(c->req, "Host");
	if (f->public_url)
		sasae_buf_puts(&url, f->public_url);
	else if (host && plain_host(host, strlen(host)))
		sasae_buf_appendf(&url, "http://%s", host);
	bool absolute = url.len > 0;
	sasae_buf_puts(&url, sasae_buf_cstr(&path));
	if (absolute && qr_svg(&svg, sasae_buf_cstr(&url)))
		json_object_set_new(page, "qr_svg", json_string(sasae_buf_cstr(&svg)));
	json_object_set_new(page, "url", json_string(sasae_buf_cstr(&url)));
	json_object_set_new(page, "absolute", json_boolean(absolute));
	sasae_buf_free(&url);
	sasae_buf_free(&path);
	sasae_buf_free(&svg);
	web_render(c, 200, "finder_print", page, "支援をさがす（印刷用）");
}

/* ---- the API ---- */

void web_api_finder(web_ctx *c)
{
	const web_finder *f = web_of(c)->finder;
	int limit, offset;
	if (!web_int_param(c, "limit", SASAE_FINDER_DEFAULT_LIMIT, 1, 1000, &limit) ||
	    !web_int_param(c, "offset", 0, 0, 1000000, &offset))
		return;
	finder_req q;
	read_req(c, &q);
	sasae_finder_results *r = NULL;
	char usage[512];
	int rc = find(&r, f, &q, limit, offset, usage, sizeof usage);
	if (rc) {
		web_fail(c, 500, "internal", "内部エラー",
			 "さがせませんでした。しばらくしてからもう一度お試しください。");
		return;
	}
	if (r == NULL) {
		web_fail(c, 400, "bad-parameter", "パラメータが正しくありません", usage);
		return;
	}
	json_t *j = sasae_finder_results_json(f->finder, r);
	sasae_finder_results_free(r);
	if (j == NULL) {
		web_fail(c, 500, "internal", "内部エラー", "応答を作れませんでした");
		return;
	}
	web_send_json(c, j);
}

void web_api_tags(web_ctx *c)
{
	json_t *j = sasae_finder_tags_json(web_of(c)->finder->finder);
	if (j == NULL) {
		web_fail(c, 500, "internal", "内部エラー", "応答を作れませんでした");
		return;
	}
	web_send_json(c, j);
}

/* ---- program pages ---- */

json_t *web_finder_program_tags(const web_ctx *c, const sasae_program *p)
{
	json_t *a = json_array();
	const web_finder *f = web_of(c)->finder;
	if (f == NULL)
		return a;
	const sasae_plan *plan = sasae_finder_plan(f->finder);
	if (p < plan->programs || p >= plan->programs + plan->nprograms) /* the served plan's programs only */
		return a;
	size_t i = (size_t)(p - plan->programs);
	const sasae_program_tags *t = &sasae_finder_tags(f->finder)->programs[i];
	for (size_t k = 0; k < t->ntags; k++) {
		const sasae_term *x = sasae_tag_data_term(f->data, (size_t)t->tags[k].term);
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s}", "facet", sasae_facet_name(x->facet),
						   "id", x->id, "label", x->label, "plain", x->plain));
	}
	return a;
}

/* A tag and why the program has it: {"tag", "label", "plain", "evidence", "override"}. */
static json_t *reason_json(const web_finder *f, const sasae_tag_reason *r)
{
	const sasae_term *x = sasae_tag_data_term(f->data, (size_t)r->term);
	return json_pack("{s:s, s:s, s:s, s:s, s:b}", "tag", x->tag, "label", x->label, "plain", x->plain,
			 "evidence", r->evidence ? r->evidence : "", "override", r->override);
}

json_t *web_finder_program_reasons(const web_ctx *c, const sasae_program *p)
{
	json_t *o = json_pack("{s:[], s:n}", "tags", "kind");
	const web_finder *f = web_of(c)->finder;
	if (f == NULL)
		return o;
	const sasae_plan *plan = sasae_finder_plan(f->finder);
	if (p < plan->programs || p >= plan->programs + plan->nprograms)
		return o;
	const sasae_program_tags *t = &sasae_finder_tags(f->finder)->programs[p - plan->programs];
	json_t *tags = json_object_get(o, "tags");
	for (size_t k = 0; k < t->ntags; k++)
		json_array_append_new(tags, reason_json(f, &t->tags[k]));
	if (t->kind >= 0)
		json_object_set_new(o, "kind", reason_json(f, &t->kind_reason));
	return o;
}

json_t *web_finder_terms(const web_ctx *c)
{
	json_t *a = json_array();
	const web_finder *f = web_of(c)->finder;
	for (size_t i = 0; f && i < sasae_tag_data_nterms(f->data); i++) {
		const sasae_term *x = sasae_tag_data_term(f->data, i);
		json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "tag", x->tag, "label", x->label,
						   "plain", x->plain));
	}
	return a;
}
