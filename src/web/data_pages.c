/*
 * data_pages.c — the plan as data: the /data page, the downloads (/data/plan.json and
 * /data/plan.csv, made once at start-up), the static files (/assets/…) and the OpenAPI description.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web_assets.h"
#include "page.h"
#include "pages.h"

void web_page_data(web_ctx *c)
{
	web_render(c, 200, "data",
		   json_pack("{s:I, s:I}", "listings", (json_int_t)sasae_plan_count_listings(web_of(c)->plan),
			     "programs", (json_int_t)web_of(c)->plan->nprograms),
		   "データと API");
}

static void download(web_ctx *c, const char *type, const char *data, size_t len, const char *filename)
{
	sasae_buf_clear(&c->res->body);
	sasae_buf_append(&c->res->body, data, len);
	c->res->status = 200;
	c->res->content_type = type;
	sasae_http_header(c->res, "Content-Disposition", "attachment; filename=\"%s\"", filename);
	sasae_http_header(c->res, "Access-Control-Allow-Origin", "*");
}

void web_data_json(web_ctx *c)
{
	download(c, "application/json", web_of(c)->export_json, web_of(c)->export_json_len, "plan.json");
}

void web_data_csv(web_ctx *c)
{
	download(c, "text/csv; charset=utf-8", web_of(c)->export_csv, web_of(c)->export_csv_len, "plan.csv");
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
