/*
 * import.c — stream a document through the parser into one store transaction (see
 * include/core/sasae/import.h).  The file is read twice: once to hash it (so an unchanged document is
 * recognised before anything is written), once to parse it; memory stays constant in its size.
 */
#include "sasae/import.h"

#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CHUNK = 1 << 18 };

/* A source of bytes: a file or a memory block, read from the start. */
typedef struct source {
	FILE *f;
	const char *mem;
	size_t len, pos;
	const char *name;
} source;

/* Read up to cap bytes; returns the count (0 at the end), or (size_t)-1 on a read error. */
static size_t source_read(source *src, char *buf, size_t cap)
{
	if (src->f) {
		size_t n = fread(buf, 1, cap, src->f);
		if (n == 0 && ferror(src->f))
			return (size_t)-1;
		return n;
	}
	size_t n = src->len - src->pos < cap ? src->len - src->pos : cap;
	memcpy(buf, src->mem + src->pos, n);
	src->pos += n;
	return n;
}

static void source_rewind(source *src)
{
	if (src->f)
		rewind(src->f);
	src->pos = 0;
}

/* What the parser's callbacks need to write into the store. */
typedef struct import_ctx {
	sasae_store_import *imp;
	const sasae_import_options *opt;
	sasae_error *err;
	size_t warnings;
	size_t total;
	bool titled;
	int rc; /* a warning could not be stored (reported after the parse) */
} import_ctx;

static int on_title(void *ctx, const char *title)
{
	import_ctx *c = ctx;
	c->titled = true;
	const char *t = c->opt->title ? c->opt->title : title;
	return sasae_store_import_title(c->imp, t, c->err);
}

static int on_part(void *ctx, int part)
{
	import_ctx *c = ctx;
	return sasae_store_import_part(c->imp, part, sasae_outline_title(c->opt->outline, part), c->err);
}

static int on_section(void *ctx, int part, int number, const char *title, long line)
{
	import_ctx *c = ctx;
	(void)part;
	return sasae_store_import_section(c->imp, number, title, line, c->err);
}

static int on_listing(void *ctx, const sasae_listing *l)
{
	import_ctx *c = ctx;
	return sasae_store_import_listing(c->imp, l, c->err);
}

static void on_warning(void *ctx, const sasae_warning *w)
{
	import_ctx *c = ctx;
	c->warnings++;
	if (c->rc == 0)
		c->rc = sasae_store_import_warning(c->imp, w->line, w->kind, w->message, c->err);
	if (c->opt->on_warning)
		c->opt->on_warning(c->opt->ctx, w);
}

static void on_progress(void *ctx, size_t bytes)
{
	import_ctx *c = ctx;
	if (c->opt->on_progress)
		c->opt->on_progress(c->opt->ctx, bytes, c->total);
}

void sasae_import_slug_from_path(const char *path, char *out, size_t n)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	size_t w = 0;
	bool dash = false;
	for (size_t i = 0; i < len && w + 1 < n; i++) {
		unsigned char ch = (unsigned char)base[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (unsigned char)(ch - 'A' + 'a');
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
			if (dash && w > 0 && w + 2 < n)
				out[w++] = '-';
			out[w++] = (char)ch;
			dash = false;
		} else {
			dash = true;
		}
	}
	if (w == 0)
		snprintf(out, n, "plan");
	else
		out[w] = '\0';
}

/* The audit row "plan.import" in the import's transaction: who, the version, the file and what it
   holds (docs/accounts.md). */
static int audit_import(sasae_store *s, const sasae_store_import *imp, const sasae_import_options *opt,
			const char *slug, const char *file, const char *digest, size_t warnings,
			sasae_error *err)
{
	sasae_import_summary sum = sasae_store_import_so_far(imp);
	char target[192];
	snprintf(target, sizeof target, "plan:%s@%d", slug, sum.version);
	json_t *after = json_pack("{s:i, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "version", sum.version,
				  "source", file, "digest", digest, "parts", (json_int_t)sum.parts,
				  "sections", (json_int_t)sum.sections, "listings", (json_int_t)sum.listings,
				  "programs", (json_int_t)sum.programs, "new_programs",
				  (json_int_t)sum.new_programs, "warnings", (json_int_t)warnings);
	char *text = after ? json_dumps(after, JSON_COMPACT) : NULL;
	json_decref(after);
	if (text == NULL)
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	int rc = sasae_audit_add_in(s, opt->actor, "plan.import", target, NULL, text, err);
	free(text);
	return rc;
}

static int import_source(sasae_store *s, source *src, const sasae_import_options *opt,
			 sasae_import_summary *summary, sasae_error *err)
{
	memset(summary, 0, sizeof *summary);
	char *buf = malloc(CHUNK);
	if (buf == NULL)
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	int rc = 0;
	sasae_store_import *imp = NULL;
	sasae_parser *p = NULL;
	/* Pass 1: the document's hash (and size, for progress). */
	if (sodium_init() < 0) {
		rc = sasae_error_set(err, SASAE_EINTERNAL, NULL, 0, "libsodium を初期化できません");
		goto done;
	}
	crypto_generichash_state h; /* BLAKE2b-256: several times faster than SHA-256 here */
	crypto_generichash_init(&h, NULL, 0, crypto_generichash_BYTES);
	size_t n, total = 0;
	while ((n = source_read(src, buf, CHUNK)) != 0 && n != (size_t)-1) {
		crypto_generichash_update(&h, (const unsigned char *)buf, n);
		total += n;
	}
	if (n == (size_t)-1) {
		rc = sasae_error_set(err, SASAE_EIO, src->name, 0, "読み込めません: %s", strerror(errno));
		goto done;
	}
	unsigned char digest[crypto_generichash_BYTES];
	crypto_generichash_final(&h, digest, sizeof digest);
	char hex[crypto_generichash_BYTES * 2 + 1];
	sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);

	char slug[128];
	if (opt->slug)
		snprintf(slug, sizeof slug, "%s", opt->slug);
	else
		sasae_import_slug_from_path(src->name, slug, sizeof slug);
	const char *base = strrchr(src->name, '/');
	base = base ? base + 1 : src->name;
	int existing = 0;
	if ((rc = sasae_store_import_begin(&imp, &existing, s, slug, base, hex, err)) != 0)
		goto done;
	if (existing) {
		summary->unchanged = true;
		summary->version = existing;
		goto done;
	}
	if (opt->no_index)
		sasae_store_import_skip_index(imp);
	/* Pass 2: parse into the open transaction. */
	import_ctx c = {imp, opt, err, 0, total, false, 0};
	sasae_parse_sink sink = {&c, on_title, on_part, on_section, on_listing, on_warning, on_progress};
	if ((p = sasae_parser_new(src->name, opt->depts, &sink)) == NULL) {
		rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		goto done;
	}
	source_rewind(src);
	while (rc == 0 && (n = source_read(src, buf, CHUNK)) != 0) {
		if (n == (size_t)-1) {
			rc = sasae_error_set(err, SASAE_EIO, src->name, 0, "読み込めません: %s",
					     strerror(errno));
			break;
		}
		rc = sasae_parser_feed(p, buf, n, err);
	}
	if (rc == 0)
		rc = sasae_parser_finish(p, err);
	if (rc == 0 && c.rc)
		rc = c.rc;
	if (rc == SASAE_ENOMEM && err && err->code == 0)
		sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	if (rc == 0 && opt->on_progress)
		opt->on_progress(opt->ctx, total, total);
	if (rc == 0)
		rc = audit_import(s, imp, opt, slug, base, hex, c.warnings, err);
	if (rc == 0) {
		rc = sasae_store_import_commit(imp, summary, err);
		imp = NULL; /* commit frees it, also on failure */
		summary->warnings = c.warnings;
	}
done:
	sasae_store_import_abort(imp);
	sasae_parser_free(p);
	free(buf);
	return rc;
}

int sasae_import_file(sasae_store *s, const char *path, const sasae_import_options *opt,
		      sasae_import_summary *summary, sasae_error *err)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return sasae_error_set(err, errno == ENOENT ? SASAE_ENOTFOUND : SASAE_EIO, path, 0,
				       "ファイルを開けません: %s", strerror(errno));
	source src = {f, NULL, 0, 0, path};
	int rc = import_source(s, &src, opt, summary, err);
	fclose(f);
	return rc;
}

int sasae_import_bytes(sasae_store *s, const char *name, const char *bytes, size_t len,
		       const sasae_import_options *opt, sasae_import_summary *summary, sasae_error *err)
{
	source src = {NULL, bytes, len, 0, name};
	return import_source(s, &src, opt, summary, err);
}
