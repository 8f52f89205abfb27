/*
 * data_pages.c — the plan as data: the /data page (every download of downloads.h with what it is
 * for, its format, size, licence and date), the downloads themselves (/data/{file}), their DCAT
 * catalogue (/data/catalog.json), the static files (/assets/…) and the OpenAPI description.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "downloads.h"
#include "page.h"
#include "pages.h"
#include "sasae/escape.h"
#include "web_assets.h"

/* "48,213" */
static void put_grouped(char *out, size_t n, size_t v)
{
	char digits[32];
	int len = snprintf(digits, sizeof digits, "%zu", v);
	size_t o = 0;
	for (int i = 0; i < len && o + 2 < n; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

/* "47.1 KB", "1.2 MB", "830 バイト" */
static void put_size(char *out, size_t n, size_t bytes)
{
	if (bytes < 1024)
		snprintf(out, n, "%zu バイト", bytes);
	else if (bytes < 1024 * 1024)
		snprintf(out, n, "%.1f KB", (double)bytes / 1024);
	else
		snprintf(out, n, "%.1f MB", (double)bytes / (1024 * 1024));
}

void web_page_data(web_ctx *c)
{
	web_site *w = web_of(c);
	const sasae_plan *plan = w->plan;
	char date[64];
	web_date_ja(date, sizeof date, plan->imported_at);
	json_t *list = json_array();
	for (size_t i = 0; i < web_ndownloads; i++) {
		const web_download *d = &web_downloads[i];
		const char *data;
		size_t len;
		sasae_error err = {0};
		int rc = web_download_get(w->downloads, i, &data, &len, &err);
		char size[64] = "", bytes[64] = "";
		if (rc == 0) {
			put_size(size, sizeof size, len);
			put_grouped(bytes, sizeof bytes, len);
		}
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:s, s:s?, s:s}",
						      "file", d->file, "title", d->title, "purpose",
						      d->purpose, "format", d->format, "type", d->media_type,
						      "encoding", d->encoding, "size", size, "bytes", bytes,
						      "error", rc ? err.message : NULL, "cli", d->cli));
	}
	web_render(c, 200, "data",
		   json_pack("{s:I, s:I, s:o, s:s, s:s, s:s, s:s?, s:s}", "listings",
			     (json_int_t)sasae_plan_count_listings(plan), "programs",
			     (json_int_t)plan->nprograms, "downloads", list, "license", WEB_DATA_LICENSE_NAME,
			     "license_short", WEB_DATA_LICENSE_SHORT, "license_url", WEB_DATA_LICENSE_JA,
			     "updated_iso", plan->imported_at, "updated", *date ? date : "不明"),
		   "データと API");
}

/* The answer for download d: its bytes with its type, as an attachment named for people. */
static void send_download(web_ctx *c, const web_download *d, const char *data, size_t len)
{
	const sasae_plan *plan = web_of(c)->plan;
	sasae_buf_clear(&c->res->body);
	sasae_buf_append(&c->res->body, data, len);
	c->res->status = 200;
	c->res->content_type = d->media_type;
	/* filename*: the plan's slug, version and the Japanese name, percent-encoded UTF-8 (RFC 6266,
	   RFC 8187); filename: the ASCII name of the address, for clients that know only that */
	sasae_buf name = SASAE_BUF_INIT, enc = SASAE_BUF_INIT;
	if (plan->version > 0)
		sasae_buf_appendf(&name, "%s_第%d版_%s", plan->slug ? plan->slug : "", plan->version,
				  d->name_ja);
	else
		sasae_buf_appendf(&name, "%s_%s", plan->slug ? plan->slug : "", d->name_ja);
	sasae_url_encode(&enc, name.data ? name.data : "", name.len);
	if (sasae_buf_ok(&enc) && enc.len < 400)
		sasae_http_header(c->res, "Content-Disposition",
				  "attachment; filename=\"%s\"; filename*=UTF-8''%s", d->file,
				  sasae_buf_cstr(&enc));
	else
		sasae_http_header(c->res, "Content-Disposition", "attachment; filename=\"%s\"", d->file);
	sasae_buf_free(&name);
	sasae_buf_free(&enc);
	sasae_http_header(c->res, "Access-Control-Allow-Origin", "*");
}

void web_data_file(web_ctx *c)
{
	size_t i;
	const web_download *d = web_download_find(c->req->args[0], &i);
	if (d == NULL) {
		web_fail(c, 404, "not-found", "見つかりません",
			 "そのファイルはありません。ダウンロードできるファイルは「データと API」のページにあります。");
		return;
	}
	const char *data;
	size_t len;
	sasae_error err = {0};
	int rc = web_download_get(web_of(c)->downloads, i, &data, &len, &err);
	if (rc == 0)
		send_download(c, d, data, len);
	else if (rc == SASAE_EUNAVAILABLE)
		web_fail(c, 503, "unavailable", "このファイルは今は作れません", err.message);
	else if (rc == SASAE_EDATA)
		web_fail(c, 404, "not-available", "この計画ではこの形式を作れません", err.message);
	else
		web_fail(c, 500, "internal", "ファイルを作れませんでした", err.message);
}

/* base + path, or path alone when there is no public address (a relative IRI). */
static json_t *url_of(const char *base, const char *path)
{
	return base ? json_sprintf("%s%s", base, path) : json_string(path);
}

void web_data_catalog(web_ctx *c)
{
	web_site *w = web_of(c);
	const sasae_plan *plan = w->plan;
	const char *base = web_finder_public_url(w->finder);
	json_t *dists = json_array();
	for (size_t i = 0; i < web_ndownloads; i++) {
		const web_download *d = &web_downloads[i];
		const char *data;
		size_t len;
		sasae_error err = {0};
		if (web_download_get(w->downloads, i, &data, &len, &err) != 0)
			continue; /* not downloadable: not in the catalogue (the /data page says why) */
		char path[128];
		snprintf(path, sizeof path, "/data/%s", d->file);
		json_t *dist = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:I, s:s, s:s?}", "@type",
					 "dcat:Distribution", "dct:identifier", d->file, "dct:title",
					 d->title, "dct:description", d->purpose, "dcat:downloadURL",
					 url_of(base, path), "dcat:mediaType", d->media_type, "dct:format",
					 d->format, "dcat:byteSize", (json_int_t)len, "dct:license",
					 WEB_DATA_LICENSE_URL, "dct:modified", plan->imported_at);
		if (d->encoding)
			json_object_set_new(dist, "cnt:characterEncoding", json_string(d->encoding));
		json_array_append_new(dists, dist);
	}
	json_t *ctx = json_pack("{s:s, s:s, s:s, s:s, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}", "dcat",
				"http://www.w3.org/ns/dcat#", "dct", "http://purl.org/dc/terms/", "xsd",
				"http://www.w3.org/2001/XMLSchema#", "cnt", "http://www.w3.org/2011/content#",
				"dcat:downloadURL", "@type", "@id", "dcat:landingPage", "@type", "@id",
				"dct:license", "@type", "@id", "dct:modified", "@type", "xsd:dateTime",
				"dcat:byteSize", "@type", "xsd:nonNegativeInteger");
	json_t *slug = plan->version > 0 ? json_sprintf("%s@%d", plan->slug, plan->version)
					 : json_string(plan->slug);
	json_t *doc =
		json_pack("{s:o, s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:s?, s:s, s:o, s:o}", "@context", ctx,
			  "@type", "dcat:Dataset", "@id", url_of(base, "/data"), "dct:identifier", slug,
			  "dct:title", plan->title, "dct:description",
			  "福祉計画の掲載予定事業一覧を構造化したデータ（部・施策・掲載・事業・担当局等）",
			  "dct:language", "ja", "dct:license", WEB_DATA_LICENSE_URL, "dct:modified",
			  plan->imported_at, "dct:source", plan->source ? plan->source : "",
			  "dcat:landingPage", url_of(base, "/"), "dcat:distribution", dists);
	if (doc == NULL) {
		web_fail(c, 500, "internal", "内部エラー", "目録を作れませんでした");
		return;
	}
	web_send_json(c, doc);
	c->res->content_type = "application/ld+json";
}

void web_asset(web_ctx *c)
{
	const char *const *args = c->req->args;
	for (size_t i = 0; i < sasae_web_nassets; i++)
		if (strcmp(sasae_web_assets[i].name, args[0]) == 0) {
			sasae_buf_clear(&c->res->body);
			sasae_buf_append(&c->res->body, sasae_web_assets[i].text, sasae_web_assets[i].len);
			c->res->status = 200;
			c->res->content_type = sasae_web_assets[i].type; /* Cache-Control: the route's flags */
			return;
		}
	web_fail(c, 404, "not-found", "見つかりません", "そのファイルはありません。");
}

void web_api_openapi(web_ctx *c)
{
	for (size_t i = 0; i < sasae_web_nassets; i++)
		if (strcmp(sasae_web_assets[i].name, "openapi.json") == 0) {
			sasae_buf_clear(&c->res->body);
			sasae_buf_append(&c->res->body, sasae_web_assets[i].text, sasae_web_assets[i].len);
			c->res->status = 200;
			c->res->content_type = "application/json";
			sasae_http_header(c->res, "Access-Control-Allow-Origin", "*");
			return;
		}
	web_fail(c, 404, "not-found", "見つかりません", "OpenAPI の記述がありません。");
}
