/*
 * jsonld.c — schema.org JSON-LD for the programs of a plan (see sasae_export_jsonld in
 * include/core/sasae/export.h and docs/exports.md): one document with an @graph of GovernmentService
 * items, their providers as GovernmentOrganization.  Built with jansson only.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "export_internal.h"
#include "sasae/escape.h"

/* base_url without trailing slashes + path + (percent-encoded) tail, malloc'd; NULL on OOM. */
static char *address(const char *base, const char *path, const char *tail)
{
	size_t n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	sasae_buf b = SASAE_BUF_INIT;
	sasae_buf_append(&b, base, n);
	sasae_buf_puts(&b, path);
	sasae_url_encode(&b, tail, strlen(tail));
	return sasae_buf_detach(&b);
}

/* Set key of o to a new string (when s is non-NULL and non-empty).  0 or -1 on OOM. */
static int set_str(json_t *o, const char *key, const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	return json_object_set_new(o, key, json_string(s));
}

/* Set key of o to the address base+path+tail when base is given. */
static int set_addr(json_t *o, const char *key, const char *base, const char *path, const char *tail)
{
	if (base == NULL || *base == '\0')
		return 0;
	char *a = address(base, path, tail);
	int r = a ? set_str(o, key, a) : -1;
	free(a);
	return r;
}

/* The GovernmentOrganization of one department. */
static json_t *organization(const sasae_department *d, const char *base)
{
	json_t *o = json_object();
	if (o == NULL)
		return NULL;
	int r = set_addr(o, "@id", base, "/departments/", d->name);
	r |= set_str(o, "@type", "GovernmentOrganization");
	r |= set_str(o, "name", d->name);
	r |= set_addr(o, "url", base, "/departments/", d->name);
	if (r) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The GovernmentService of program pr. */
static json_t *service(const sasae_plan *plan, const sasae_program *pr, const char *base)
{
	json_t *o = json_object(), *providers = json_array(), *categories = json_array();
	int r = (o && providers && categories) ? 0 : -1;
	if (r == 0) {
		r |= set_addr(o, "@id", base, "/programs/", pr->id);
		r |= set_str(o, "@type", "GovernmentService");
		r |= set_str(o, "identifier", pr->id);
		r |= set_str(o, "name", pr->name);
		r |= set_str(o, "description", pr->summary);
		r |= set_addr(o, "url", base, "/programs/", pr->id);
	}
	for (size_t i = 0; r == 0 && i < pr->ndepartments; i++)
		r |= json_array_append_new(providers, organization(&pr->departments[i], base));
	/* the sections it is listed in, once each, in document order */
	for (size_t i = 0; r == 0 && i < pr->nplaces; i++) {
		const sasae_place *pl = &pr->places[i];
		if (pl->part < 1 || (size_t)pl->part > plan->nparts)
			continue;
		const sasae_part *p = &plan->parts[pl->part - 1];
		if (pl->section_index < 1 || (size_t)pl->section_index > p->nsections)
			continue;
		const char *t = p->sections[pl->section_index - 1].title;
		bool seen = false;
		for (size_t k = 0; k < json_array_size(categories); k++)
			seen |= strcmp(json_string_value(json_array_get(categories, k)), t) == 0;
		if (!seen && *t)
			r |= json_array_append_new(categories, json_string(t));
	}
	if (r == 0 && json_array_size(categories))
		r |= json_object_set(o, "category", categories);
	if (r == 0 && json_array_size(providers))
		r |= json_object_set(o, "provider", providers);
	json_decref(providers);
	json_decref(categories);
	if (r) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Adapter from jansson's dump callback to ours. */
typedef struct dump_ctx {
	sasae_write_fn write;
	void *ctx;
} dump_ctx;

static int dump_cb(const char *buffer, size_t size, void *data)
{
	dump_ctx *d = data;
	return d->write(d->ctx, buffer, size) ? -1 : 0;
}

int sasae_export_jsonld(const sasae_plan *plan, const char *base_url, sasae_write_fn write, void *ctx,
			sasae_error *err)
{
	json_t *graph = json_array();
	for (size_t i = 0; graph && i < plan->nprograms; i++)
		if (json_array_append_new(graph, service(plan, &plan->programs[i], base_url)) != 0)
			json_decref(graph), graph = NULL;
	/* the context: schema.org's terms, and Japanese as the language of every string */
	json_t *doc = json_pack("{s:[s, {s:s}], s:o}", "@context", "https://schema.org", "@language", "ja",
				"@graph", graph);
	if (doc == NULL)
		return sasae_export_fail(err, SASAE_ENOMEM);
	dump_ctx d = {write, ctx};
	int rc = json_dump_callback(doc, dump_cb, &d, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (rc == 0 && write(ctx, "\n", 1) != 0)
		rc = -1;
	return rc ? sasae_export_fail(err, SASAE_EIO) : 0;
}
