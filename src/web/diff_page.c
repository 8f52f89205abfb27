/*
 * diff_page.c — /office/diff?old=slug@N&new=slug@M: what `sasae diff` reports about two versions,
 * side by side (the fragment of diff_view.c, web_render_diff), under a form to choose the two
 * versions among those in the database.  Read-only; any role of the workspace.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page.h"
#include "pages.h"

/* Every version in the database as choices: [{"spec", "label", "old", "new"}] (old/new: selected). */
static json_t *choices(sasae_store *s, const char *old_spec, const char *new_spec, sasae_error *err, int *rc)
{
	sasae_plan_info *plans = NULL;
	size_t n = 0;
	json_t *list = json_array();
	if ((*rc = sasae_store_plans(s, &plans, &n, err)) != 0)
		return list;
	for (size_t i = 0; i < n; i++)
		for (int v = plans[i].version; v >= 1; v--) {
			char spec[300], label[400];
			snprintf(spec, sizeof spec, "%s@%d", plans[i].slug, v);
			snprintf(label, sizeof label, "%s 第%d版", plans[i].slug, v);
			json_array_append_new(list,
					      json_pack("{s:s, s:s, s:b, s:b}", "spec", spec, "label", label,
							"old", old_spec && strcmp(old_spec, spec) == 0, "new",
							new_spec && strcmp(new_spec, spec) == 0));
		}
	sasae_plan_infos_free(plans, n);
	return list;
}

/* Load the version of spec (a "slug@N" parameter) into *plan; on failure *message says why for the
   field and *status is 400 or 404. */
static int load(sasae_store *s, const char *spec, sasae_plan **plan, const char **message, int *status)
{
	sasae_error err = {0};
	int64_t vid = 0;
	*plan = NULL;
	if (spec == NULL || *spec == '\0') {
		*message = "比べる版を選んでください。";
		*status = 400;
		return SASAE_EUSAGE;
	}
	int rc = strchr(spec, '@') ? sasae_store_resolve(s, spec, &vid, &err) : SASAE_EUSAGE;
	if (rc == 0)
		rc = sasae_store_load_plan(s, vid, plan, &err);
	if (rc == SASAE_EUSAGE) {
		*message = "版は「計画@版」の形で指定してください（例: sendai-2024-draft@1）。";
		*status = 400;
	} else if (rc == SASAE_ENOTFOUND) {
		*message = "その版はデータベースにありません。一覧から選んでください。";
		*status = 404;
	} else if (rc) {
		*message = "版を読み込めませんでした。";
		*status = 500;
	}
	return rc;
}

void web_office_diff(web_ctx *c)
{
	sasae_store *s = web_ws_store(c);
	if (s == NULL)
		return;
	const char *old_spec = web_param(c, "old"), *new_spec = web_param(c, "new");
	bool asked = (old_spec && *old_spec) || (new_spec && *new_spec);
	sasae_error err = {0};
	int rc = 0;
	json_t *list = choices(s, old_spec, new_spec, &err, &rc);
	if (rc) {
		json_decref(list);
		web_core_fail(c, rc, &err);
		return;
	}
	json_t *page = web_ws_page(c);
	json_object_set_new(page, "versions", list);
	int status = 200;
	if (asked) {
		sasae_plan *a = NULL, *b = NULL;
		const char *old_error = NULL, *new_error = NULL;
		int old_status = 200, new_status = 200;
		load(s, old_spec, &a, &old_error, &old_status);
		load(s, new_spec, &b, &new_error, &new_status);
		status = old_status > new_status ? old_status : new_status;
		json_object_set_new(page, "old_error", old_error ? json_string(old_error) : json_null());
		json_object_set_new(page, "new_error", new_error ? json_string(new_error) : json_null());
		if (a && b) {
			sasae_buf html = SASAE_BUF_INIT;
			if (web_render_diff(&html, a, NULL, b, NULL, &err) == 0 && sasae_buf_ok(&html)) {
				/* HTML the program built (diff_view.c: every value escaped by the templates) */
				json_object_set_new(page, "diff",
						    json_stringn(html.data ? html.data : "", html.len));
				json_object_set_new(page, "old", json_string(old_spec));
				json_object_set_new(page, "new", json_string(new_spec));
			} else {
				status = 500;
			}
			sasae_buf_free(&html);
		}
		sasae_plan_free(a);
		sasae_plan_free(b);
		if (status == 500) {
			json_decref(page);
			web_fail(c, 500, "internal", "内部エラー", "比較できませんでした。");
			return;
		}
	}
	web_render(c, status, "office_diff", page, "版の比較");
}
