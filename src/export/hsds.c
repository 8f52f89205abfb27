/*
 * hsds.c — an Open Referral HSDS 3.0 tabular data package of a plan (see sasae_export_hsds in
 * include/core/sasae/export.h; the mapping is explained in docs/exports.md):
 *
 *   department (担当局等)          → organization
 *   program (one per identity)    → service (organization_id: its first department)
 *   part / section                → taxonomy_term of the plan's structure taxonomy (section's parent:
 *                                   its part)
 *   listing (program in section)  → attribute: service ↔ section term, value = the printed No,
 *                                   link_type plan_section or plan_section_relisted (【再掲】)
 *   every department of a program → attribute: service ↔ term "担当局等", value = the department
 *   program id (p0001)            → attribute: service ↔ term "sasae 事業ID", value = the id
 *
 * programs.csv is written with its header only: an HSDS program groups services of one
 * organization, and the plan's groupings (parts, sections) cut across departments, so they are
 * taxonomy terms instead.  Every column of the specification is written, empty where sasae has no
 * value.  Identifiers are name-based UUIDs (RFC 9562 version 8, SHA-256 of the plan slug, a kind
 * and a stable key), so a re-export gives the same ids.
 */
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export_internal.h"
#include "sasae/hashmap.h"
#include "hsds_schema.h"
#include "sasae/escape.h"

/* ---- identifiers ---- */

/* A UUID string (36 characters and NUL). */
typedef struct uuid_str {
	char s[37];
} uuid_str;

/* The version-8 UUID of (slug, kind, key): the first 128 bits of SHA-256 over the three strings,
   each followed by a NUL, with the version and variant bits set. */
static uuid_str uuid_of(const char *slug, const char *kind, const char *key)
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)"sasae-hsds", 11);
	crypto_hash_sha256_update(&st, (const unsigned char *)slug, strlen(slug) + 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)kind, strlen(kind) + 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)key, strlen(key) + 1);
	crypto_hash_sha256_final(&st, h);
	h[6] = (unsigned char)((h[6] & 0x0F) | 0x80); /* version 8 */
	h[8] = (unsigned char)((h[8] & 0x3F) | 0x80); /* variant 10 */
	uuid_str u;
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			u.s[o++] = '-';
		u.s[o++] = hex[h[i] >> 4];
		u.s[o++] = hex[h[i] & 15];
	}
	u.s[o] = '\0';
	return u;
}

/* ---- CSV tables ---- */

enum { HSDS_MAX_FIELDS = 32 };

/* One CSV file being built: the resource, its bytes, and the values of the current row. */
typedef struct table {
	const hsds_resource *res;
	sasae_buf csv;
	char *row[HSDS_MAX_FIELDS]; /* values by field index (owned), NULL = empty */
	size_t nrows;
	bool bad_field; /* a value was set for a field the resource does not have (a bug) */
} table;

/* Append one CSV field (RFC 4180: quoted when it holds a comma, quote or line break). */
static void csv_field(sasae_buf *b, const char *s, bool first)
{
	if (!first)
		sasae_buf_putc(b, ',');
	if (s == NULL)
		return;
	sasae_csv_field(b, s);
}

static void table_init(table *t, const hsds_resource *res)
{
	memset(t, 0, sizeof *t);
	t->res = res;
	t->bad_field = res->nfields > HSDS_MAX_FIELDS;
	for (size_t i = 0; i < res->nfields; i++)
		csv_field(&t->csv, res->fields[i].name, i == 0);
	sasae_buf_puts(&t->csv, "\r\n");
}

/* Set field `name` of the current row to a copy of value (NULL or "" leaves it empty). */
static void set(table *t, const char *name, const char *value)
{
	for (size_t i = 0; i < t->res->nfields && i < HSDS_MAX_FIELDS; i++)
		if (strcmp(t->res->fields[i].name, name) == 0) {
			free(t->row[i]);
			t->row[i] = value && *value ? strdup(value) : NULL;
			if (value && *value && t->row[i] == NULL)
				t->csv.oom = true;
			return;
		}
	t->bad_field = true;
}

/* Finish the current row: append it to the CSV and clear the values. */
static void end_row(table *t)
{
	for (size_t i = 0; i < t->res->nfields; i++) {
		csv_field(&t->csv, i < HSDS_MAX_FIELDS ? t->row[i] : NULL, i == 0);
		if (i >= HSDS_MAX_FIELDS)
			continue;
		free(t->row[i]);
		t->row[i] = NULL;
	}
	sasae_buf_puts(&t->csv, "\r\n");
	t->nrows++;
}

static void table_free(table *t)
{
	for (size_t i = 0; i < HSDS_MAX_FIELDS; i++)
		free(t->row[i]);
	sasae_buf_free(&t->csv);
}

/* ---- files ---- */

/* Write len bytes to dir/name through a temporary file in dir renamed into place. */
static int write_file(const char *dir, const char *name, const char *data, size_t len, sasae_error *err)
{
	sasae_buf path = SASAE_BUF_INIT, tmp = SASAE_BUF_INIT;
	sasae_buf_appendf(&path, "%s/%s", dir, name);
	sasae_buf_appendf(&tmp, "%s/.%s.tmp-XXXXXX", dir, name);
	if (!sasae_buf_ok(&path) || !sasae_buf_ok(&tmp)) {
		sasae_buf_free(&path);
		sasae_buf_free(&tmp);
		return sasae_export_fail(err, SASAE_ENOMEM);
	}
	int rc = 0;
	int fd = mkstemp(tmp.data);
	if (fd < 0) {
		rc = sasae_error_set(err, SASAE_EIO, path.data, 0, "書き出せません: %s", strerror(errno));
		goto done;
	}
	FILE *f = fdopen(fd, "wb");
	if (f == NULL) {
		close(fd);
		unlink(tmp.data);
		rc = sasae_error_set(err, SASAE_EIO, path.data, 0, "書き出せません: %s", strerror(errno));
		goto done;
	}
	fchmod(fd, 0644);
	bool ok = fwrite(data, 1, len, f) == len;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp.data, path.data) != 0) {
		rc = sasae_error_set(err, SASAE_EIO, path.data, 0, "書き出せません: %s", strerror(errno));
		unlink(tmp.data);
	}
done:
	sasae_buf_free(&path);
	sasae_buf_free(&tmp);
	return rc;
}

/* ---- datapackage.json ---- */

static json_t *field_json(const hsds_field *f)
{
	json_t *o = json_pack("{s:s, s:s}", "name", f->name, "type", f->type);
	if (o && f->title)
		json_object_set_new(o, "title", json_string(f->title));
	if (o && f->format)
		json_object_set_new(o, "format", json_string(f->format));
	json_t *c = json_pack("{s:b, s:b}", "required", f->required, "unique", f->unique);
	if (c && f->enumeration) {
		json_t *e = json_array();
		for (size_t i = 0; e && f->enumeration[i]; i++)
			json_array_append_new(e, json_string(f->enumeration[i]));
		json_object_set_new(c, "enum", e);
	}
	if (o)
		json_object_set_new(o, "constraints", c);
	else
		json_decref(c);
	return o;
}

static json_t *resource_json(const hsds_resource *r)
{
	json_t *fields = json_array(), *fks = json_array();
	for (size_t i = 0; fields && i < r->nfields; i++)
		if (json_array_append_new(fields, field_json(&r->fields[i])))
			json_decref(fields), fields = NULL;
	for (size_t i = 0; fks && i < r->nfks; i++)
		if (json_array_append_new(fks, json_pack("{s:s, s:{s:s, s:s}}", "fields", r->fks[i].fields,
							 "reference", "resource", r->fks[i].resource,
							 "fields", r->fks[i].ref_fields)))
			json_decref(fks), fks = NULL;
	json_t *schema = json_pack("{s:s, s:o}", "primaryKey", r->primary_key, "fields", fields);
	if (schema && r->nfks)
		json_object_set(schema, "foreignKeys", fks);
	json_decref(fks);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "name", r->name, "path", r->path,
			 "description", r->description, "format", "csv", "mediatype", "text/csv", "encoding",
			 "utf-8", "profile", "tabular-data-resource", "schema", schema);
}

/* A data package name: lower-case letters, digits, '-', '_', '.' (the slug already is). */
static void package_name(char *out, size_t n, const char *slug)
{
	size_t o = 0;
	for (const char *s = slug ? slug : ""; *s && o + 1 < n; s++) {
		char c = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
		out[o++] =
			((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')
				? c
				: '-';
	}
	if (o == 0)
		snprintf(out, n, "plan");
	else
		out[o] = '\0';
}

static char *datapackage(const sasae_plan *plan)
{
	char name[128];
	package_name(name, sizeof name, plan->slug);
	json_t *resources = json_array();
	for (size_t i = 0; resources && i < HSDS_NRESOURCES; i++)
		if (json_array_append_new(resources, resource_json(&hsds_resources[i])))
			json_decref(resources), resources = NULL;
	sasae_buf desc = SASAE_BUF_INIT;
	sasae_buf_appendf(&desc,
			  "「%s」の事業一覧を Open Referral HSDS 3.0 の表形式で表したもの（sasae が書き出し）。"
			  "事業は service、担当局等は organization、計画の部と施策は taxonomy_term、掲載は attribute。",
			  plan->title ? plan->title : "");
	json_t *doc =
		json_pack("{s:s, s:s, s:s, s:s?, s:[{s:s?}], s:o}", "profile", "tabular-data-package", "name",
			  name, "title", plan->title && *plan->title ? plan->title : name, "description",
			  sasae_buf_cstr(&desc), "sources", "title", plan->source, "resources", resources);
	sasae_buf_free(&desc);
	char *s = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	return s;
}

/* ---- the mapping ---- */

/* The distinct department names of the programs, in order of first appearance. */
typedef struct names {
	const char **v;
	size_t n, cap;
	sasae_hashmap *seen; /* the names of v (borrowed) */
} names;

/* Add name (borrowed) unless it is there already.  0 or SASAE_ENOMEM. */
static int names_add(names *ns, const char *name)
{
	if (ns->seen == NULL && (ns->seen = sasae_hashmap_new(SASAE_HASHMAP_BORROW)) == NULL)
		return SASAE_ENOMEM;
	bool added;
	if (sasae_hashmap_put(ns->seen, name, (int64_t)ns->n, &added) == NULL)
		return SASAE_ENOMEM;
	if (!added)
		return 0;
	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 16;
		const char **v = cap < SIZE_MAX / sizeof *v ? realloc(ns->v, cap * sizeof *v) : NULL;
		if (v == NULL)
			return SASAE_ENOMEM; /* (name stays in seen: the export fails anyway) */
		ns->v = v;
		ns->cap = cap;
	}
	ns->v[ns->n++] = name;
	return 0;
}

/* Build every table of the package in t (indexed like hsds_resources). */
static int build(const sasae_plan *plan, table t[HSDS_NRESOURCES])
{
	const char *slug = plan->slug ? plan->slug : "";
	const char *title = plan->title && *plan->title ? plan->title : slug;
	char num[64], key[256];
	sasae_buf text = SASAE_BUF_INIT;
	names depts = {NULL, 0, 0, NULL};
	int rc = 0;

	/* taxonomies */
	uuid_str tax_structure = uuid_of(slug, "taxonomy", "structure");
	uuid_str tax_sasae = uuid_of(slug, "taxonomy", "sasae");
	table *tx = &t[HSDS_TAXONOMY];
	sasae_buf_appendf(&text, "%s 施策体系", title);
	set(tx, "id", tax_structure.s);
	set(tx, "name", sasae_buf_cstr(&text));
	set(tx, "description",
	    "計画の部（基本目標・個別計画）と施策の方向。部の語の下に施策の語が入る。"
	    "事業がどの施策に掲載されているかは attribute が示す（value は印刷された No）。");
	snprintf(num, sizeof num, "%d", plan->version);
	set(tx, "version", plan->version > 0 ? num : NULL);
	end_row(tx);
	set(tx, "id", tax_sasae.s);
	set(tx, "name", "sasae 事業属性");
	set(tx, "description",
	    "事業（service）に付く sasae の属性: 担当局等（value は局等の名前）と sasae の事業ID。");
	end_row(tx);

	/* terms: the sasae attributes, then parts and sections */
	table *tt = &t[HSDS_TAXONOMY_TERM];
	uuid_str term_body = uuid_of(slug, "taxonomy_term", "responsible-body");
	uuid_str term_pid = uuid_of(slug, "taxonomy_term", "sasae-program-id");
	set(tt, "id", term_body.s);
	set(tt, "code", "responsible-body");
	set(tt, "name", "担当局等");
	set(tt, "description",
	    "事業を担当する局・室・区・市社会福祉協議会など。attribute の value がその名前"
	    "（括弧内は計画の注記）。");
	set(tt, "taxonomy_id", tax_sasae.s);
	set(tt, "language", "ja");
	end_row(tt);
	set(tt, "id", term_pid.s);
	set(tt, "code", "sasae-program-id");
	set(tt, "name", "sasae 事業ID");
	set(tt, "description", "sasae の事業ID（p0001 など。sasae export --format json の programs[].id）。");
	set(tt, "taxonomy_id", tax_sasae.s);
	set(tt, "language", "ja");
	end_row(tt);
	for (size_t i = 0; i < plan->nparts; i++) {
		const sasae_part *p = &plan->parts[i];
		char *label = sasae_export_part_label(p);
		snprintf(key, sizeof key, "part-%d", p->number);
		uuid_str part_id = uuid_of(slug, "taxonomy_term", key);
		set(tt, "id", part_id.s);
		set(tt, "code", key);
		set(tt, "name", label);
		sasae_buf_clear(&text);
		sasae_buf_appendf(&text, "「%s」の第%d部", title, p->number);
		if (p->title && *p->title)
			sasae_buf_appendf(&text, "（%s）", p->title);
		set(tt, "description", sasae_buf_cstr(&text));
		set(tt, "taxonomy_id", tax_structure.s);
		set(tt, "language", "ja");
		end_row(tt);
		free(label);
		for (size_t j = 0; j < p->nsections; j++) {
			const sasae_section *s = &p->sections[j];
			snprintf(key, sizeof key, "part-%d-section-%zu", p->number, j + 1);
			uuid_str sid = uuid_of(slug, "taxonomy_term", key);
			set(tt, "id", sid.s);
			set(tt, "code", key);
			set(tt, "name", *s->title ? s->title : key);
			sasae_buf_clear(&text);
			sasae_buf_appendf(&text, "第%d部 (%d) %s", p->number, s->number, s->title);
			set(tt, "description", sasae_buf_cstr(&text));
			set(tt, "parent_id", part_id.s);
			set(tt, "taxonomy_id", tax_structure.s);
			set(tt, "language", "ja");
			end_row(tt);
		}
	}

	/* organizations: the departments of the programs ("" when a program names none) */
	for (size_t i = 0; i < plan->nprograms && rc == 0; i++) {
		const sasae_program *pr = &plan->programs[i];
		if (pr->ndepartments == 0)
			rc = names_add(&depts, "");
		for (size_t d = 0; d < pr->ndepartments && rc == 0; d++)
			rc = names_add(&depts, pr->departments[d].name);
	}
	table *org = &t[HSDS_ORGANIZATION];
	for (size_t i = 0; i < depts.n && rc == 0; i++) {
		uuid_str id = uuid_of(slug, "organization", depts.v[i]);
		set(org, "id", id.s);
		set(org, "name", *depts.v[i] ? depts.v[i] : "担当局等の記載なし");
		sasae_buf_clear(&text);
		if (*depts.v[i])
			sasae_buf_appendf(&text, "「%s」で事業を担当する局等。", title);
		else
			sasae_buf_appendf(&text, "「%s」で担当局等の記載がない事業をまとめる仮の組織。", title);
		set(org, "description", sasae_buf_cstr(&text));
		end_row(org);
	}

	/* services and their attributes */
	table *sv = &t[HSDS_SERVICE], *at = &t[HSDS_ATTRIBUTE];
	for (size_t i = 0; i < plan->nprograms && rc == 0; i++) {
		const sasae_program *pr = &plan->programs[i];
		uuid_str id = uuid_of(slug, "service", pr->id);
		uuid_str oid = uuid_of(slug, "organization", pr->ndepartments ? pr->departments[0].name : "");
		set(sv, "id", id.s);
		set(sv, "organization_id", oid.s);
		set(sv, "name", pr->name);
		set(sv, "description", pr->summary);
		set(sv, "status", "active");
		end_row(sv);

		snprintf(key, sizeof key, "%s/id", pr->id);
		uuid_str aid = uuid_of(slug, "attribute", key);
		set(at, "id", aid.s);
		set(at, "link_id", id.s);
		set(at, "taxonomy_term_id", term_pid.s);
		set(at, "link_type", "identifier");
		set(at, "link_entity", "service");
		set(at, "value", pr->id);
		end_row(at);
		for (size_t k = 0; k < pr->nplaces; k++) {
			const sasae_place *pl = &pr->places[k];
			if (pl->part < 1 || (size_t)pl->part > plan->nparts)
				continue;
			const sasae_part *p = &plan->parts[pl->part - 1];
			if (pl->section_index < 1 || (size_t)pl->section_index > p->nsections)
				continue;
			const sasae_section *s = &p->sections[pl->section_index - 1];
			if (pl->position < 1 || (size_t)pl->position > s->nlistings)
				continue;
			const sasae_listing *l = &s->listings[pl->position - 1];
			snprintf(key, sizeof key, "part-%d-section-%d", pl->part, pl->section_index);
			uuid_str sid = uuid_of(slug, "taxonomy_term", key);
			snprintf(key, sizeof key, "%s/listing/%d/%d/%d", pr->id, pl->part, pl->section_index,
				 pl->position);
			aid = uuid_of(slug, "attribute", key);
			snprintf(num, sizeof num, "%ld", l->number);
			set(at, "id", aid.s);
			set(at, "link_id", id.s);
			set(at, "taxonomy_term_id", sid.s);
			set(at, "link_type", l->relisted ? "plan_section_relisted" : "plan_section");
			set(at, "link_entity", "service");
			set(at, "value", num);
			end_row(at);
		}
		for (size_t d = 0; d < pr->ndepartments; d++) {
			snprintf(key, sizeof key, "%s/body/%zu", pr->id, d + 1);
			aid = uuid_of(slug, "attribute", key);
			char *v = sasae_departments_join(&pr->departments[d], 1);
			set(at, "id", aid.s);
			set(at, "link_id", id.s);
			set(at, "taxonomy_term_id", term_body.s);
			set(at, "link_type", "responsible_body");
			set(at, "link_entity", "service");
			set(at, "value", v);
			end_row(at);
			if (v == NULL)
				rc = SASAE_ENOMEM;
			free(v);
		}
	}
	free(depts.v);
	sasae_hashmap_free(depts.seen);
	if (!sasae_buf_ok(&text))
		rc = SASAE_ENOMEM;
	sasae_buf_free(&text);
	for (size_t i = 0; i < HSDS_NRESOURCES && rc == 0; i++) {
		if (t[i].bad_field)
			rc = SASAE_EINTERNAL;
		else if (!sasae_buf_ok(&t[i].csv))
			rc = SASAE_ENOMEM;
	}
	return rc;
}

int sasae_export_hsds(const sasae_plan *plan, const char *dir, sasae_error *err)
{
	if (sodium_init() < 0)
		return sasae_error_set(err, SASAE_EINTERNAL, NULL, 0, "libsodium を初期化できません");
	struct stat st;
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return sasae_error_set(err, SASAE_EIO, dir, 0, "ディレクトリではありません");
	} else if (errno != ENOENT || mkdir(dir, 0777) != 0) {
		return sasae_error_set(err, SASAE_EIO, dir, 0, "ディレクトリを作れません: %s", strerror(errno));
	}
	table t[HSDS_NRESOURCES];
	for (size_t i = 0; i < HSDS_NRESOURCES; i++)
		table_init(&t[i], &hsds_resources[i]);
	int rc = build(plan, t);
	if (rc == SASAE_EINTERNAL)
		sasae_error_set(err, rc, NULL, 0,
				"HSDS の表に無い列に値を入れようとしました（sasae の不具合）");
	else if (rc)
		sasae_export_fail(err, rc);
	for (size_t i = 0; i < HSDS_NRESOURCES && rc == 0; i++)
		rc = write_file(dir, hsds_resources[i].path, t[i].csv.data, t[i].csv.len, err);
	if (rc == 0) {
		char *dp = datapackage(plan);
		if (dp == NULL) {
			rc = sasae_export_fail(err, SASAE_ENOMEM);
		} else {
			sasae_buf b = SASAE_BUF_INIT;
			sasae_buf_puts(&b, dp);
			sasae_buf_putc(&b, '\n');
			free(dp);
			rc = sasae_buf_ok(&b) ? write_file(dir, "datapackage.json", b.data, b.len, err)
					      : sasae_export_fail(err, SASAE_ENOMEM);
			sasae_buf_free(&b);
		}
	}
	for (size_t i = 0; i < HSDS_NRESOURCES; i++)
		table_free(&t[i]);
	return rc;
}
