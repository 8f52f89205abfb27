/*
 * program_pages.c — a program in the workspace (/office/programs/{id}/tags): the tags the needs
 * finder gives it and why, the office's overrides for it (the lines of tag-overrides.tsv naming
 * it) with a form to change them (the office, or an editor of one of the program's departments —
 * the core checks the department again, sasae_program_tags_set), and the comments on it; and
 * POST /office/comments, a comment on a program or on a lint finding (council, office, departments).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/lint.h"
#include "sasae/office.h"
#include "sasae/tags.h"
#include "sasae/text.h"
#include "page.h"
#include "pages.h"

/* Whether a names the program whose identity key is key (NFKC, no white space: how the core and
   the finder match a line of tag-overrides.tsv to a program). */
static bool same_name(const char *a, const char *key)
{
	char *k = sasae_text_identity_key(a);
	bool same = k && strcmp(k, key) == 0;
	free(k);
	return same;
}

/* The program's lines of the overrides file text: [{"changes", "reason"}], and *changes / *reason
   the lines' changes joined with spaces and reasons with "／" (the form's values). */
static json_t *override_lines(const char *text, const char *name, sasae_buf *changes, sasae_buf *reason)
{
	json_t *lines = json_array();
	char *key = sasae_text_identity_key(name);
	if (key == NULL)
		return lines;
	const char *p = text ? text : "";
	while (*p) {
		size_t len = strcspn(p, "\n");
		char *line = malloc(len + 1);
		if (line == NULL)
			break;
		memcpy(line, p, len);
		line[len] = '\0';
		if (len && line[len - 1] == '\r')
			line[len - 1] = '\0';
		char *tab1 = line[0] != '#' ? strchr(line, '\t') : NULL;
		if (tab1) {
			*tab1 = '\0';
			char *ch = tab1 + 1, *tab2 = strchr(ch, '\t');
			if (tab2)
				*tab2 = '\0';
			if (same_name(line, key)) {
				json_array_append_new(lines, json_pack("{s:s, s:s}", "changes", ch, "reason",
								       tab2 ? tab2 + 1 : ""));
				if (changes->len)
					sasae_buf_putc(changes, ' ');
				sasae_buf_puts(changes, ch);
				if (tab2 && tab2[1]) {
					if (reason->len)
						sasae_buf_puts(reason, "／");
					sasae_buf_puts(reason, tab2 + 1);
				}
			}
		}
		free(line);
		p += len + (p[len] == '\n');
	}
	free(key);
	return lines;
}

/* The program's page (status 200, or a failed form's 400 with its message at field "changes" or
   "comment", and what was typed). */
static void program_page(web_ctx *c, int status, const char *field, const char *error,
			 const char *typed_changes, const char *typed_reason, const char *typed_comment)
{
	const sasae_program *p = web_find_program(web_of(c), c->req->args[0]);
	if (p == NULL) {
		web_fail(c, 404, "not-found", "見つかりません", "その事業は公開中の計画にありません。");
		return;
	}
	sasae_store *s = web_ws_store(c);
	if (s == NULL)
		return;
	const sasae_user *u = &web_session(c)->user;
	sasae_error err = {0};
	int may = sasae_program_may_edit(s, u, web_of(c)->version_id, p->id, &err);
	if (may != 0 && may != SASAE_EFORBIDDEN) {
		web_core_fail(c, may, &err);
		return;
	}
	sasae_store_file f = {0};
	sasae_comment *comments = NULL;
	size_t ncomments = 0;
	char target[300];
	snprintf(target, sizeof target, "program:%s", p->id);
	int rc = sasae_office_file_get(s, "tag-overrides.tsv", &f, &err);
	if (rc == 0)
		rc = sasae_comment_list(s, target, &comments, &ncomments, &err);
	if (rc) {
		sasae_store_file_clear(&f);
		web_core_fail(c, rc, &err);
		return;
	}
	sasae_buf changes = SASAE_BUF_INIT, reason = SASAE_BUF_INIT;
	json_t *lines = override_lines(f.text, p->name, &changes, &reason);
	sasae_store_file_clear(&f);
	json_t *notes = json_array();
	for (size_t i = 0; i < ncomments; i++)
		json_array_append_new(notes, json_pack("{s:s, s:s, s:s}", "name",
						       comments[i].display_name && *comments[i].display_name
							       ? comments[i].display_name
							       : comments[i].login,
						       "at", comments[i].at, "text", comments[i].text));
	sasae_comments_free(comments, ncomments);
	bool changes_error = error && strcmp(field, "changes") == 0;
	json_t *page = web_ws_page(c);
	json_object_set_new(page, "program",
			    json_pack("{s:s, s:s, s:s, s:o}", "id", p->id, "name", p->name, "summary",
				      p->summary, "departments",
				      web_departments_json(p->departments, p->ndepartments)));
	json_object_set_new(page, "finder", web_finder_program_reasons(c, p));
	json_object_set_new(page, "terms", web_finder_terms(c));
	json_object_set_new(page, "lines", lines);
	json_object_set_new(page, "changes",
			    json_string(changes_error                            ? typed_changes
					: sasae_buf_ok(&changes) && changes.data ? changes.data
										 : ""));
	json_object_set_new(page, "reason",
			    json_string(changes_error                          ? typed_reason
					: sasae_buf_ok(&reason) && reason.data ? reason.data
									       : ""));
	sasae_buf_free(&changes);
	sasae_buf_free(&reason);
	json_object_set_new(page, "may_edit", json_boolean(may == 0));
	json_object_set_new(page, "can_comment",
			    json_boolean(sasae_user_has(u, SASAE_ROLE_OFFICE) ||
					 sasae_user_has(u, SASAE_ROLE_EDITOR) ||
					 sasae_user_has(u, SASAE_ROLE_APPROVER) ||
					 sasae_user_has(u, SASAE_ROLE_COUNCIL)));
	json_object_set_new(page, "comments", notes);
	json_object_set_new(page, "changes_error", changes_error ? json_string(error) : json_null());
	json_object_set_new(page, "comment_error",
			    error && strcmp(field, "comment") == 0 ? json_string(error) : json_null());
	json_object_set_new(page, "comment_typed", json_string(typed_comment ? typed_comment : ""));
	char title[600];
	snprintf(title, sizeof title, "%s のタグ", p->name);
	web_render(c, status, "office_program", page, title);
}

void web_program_tags_page(web_ctx *c) { program_page(c, 200, NULL, NULL, NULL, NULL, NULL); }

/* POST /office/programs/{id}/tags: changes ("+need:x -who:y"; "" removes the program's lines),
   reason. */
void web_program_tags_post(web_ctx *c)
{
	const sasae_program *p = web_find_program(web_of(c), c->req->args[0]);
	if (p == NULL) {
		web_fail(c, 404, "not-found", "見つかりません", "その事業は公開中の計画にありません。");
		return;
	}
	const char *changes = sasae_http_form(c->req, "changes"), *reason = sasae_http_form(c->req, "reason");
	if (changes == NULL) {
		program_page(c, 400, "changes", "「タグの指定」（changes）の欄がありません。", "",
			     reason ? reason : "", NULL);
		return;
	}
	sasae_store *s = web_ws_store(c);
	if (s == NULL)
		return;
	sasae_error err = {0};
	sasae_actor who = web_actor(c);
	int rc = sasae_program_tags_set(s, &who, &web_session(c)->user, web_of(c)->version_id, p->id, changes,
					reason ? reason : "", &err);
	if (rc == SASAE_EUSAGE || rc == SASAE_EDATA) {
		char msg[800];
		sasae_error_format(&err, msg, sizeof msg);
		program_page(c, 400, "changes", msg, changes, reason ? reason : "", NULL);
		return;
	}
	if (rc) {
		web_core_fail(c, rc, &err);
		return;
	}
	char path[300];
	snprintf(path, sizeof path, "/office/programs/%s/tags", p->id); /* ids are [a-z0-9] */
	web_done(c, path, web_reload_code(c, "tags"), NULL);
}

/* POST /office/comments: text, and what it is about — on=program with program=ID, or on=finding
   with kind and place (and the lint page's view and back, to return to). */
void web_comment_post(web_ctx *c)
{
	const char *on = sasae_http_form(c->req, "on"), *text = sasae_http_form(c->req, "text");
	const char *id = sasae_http_form(c->req, "program");
	const char *kind = sasae_http_form(c->req, "kind"), *place = sasae_http_form(c->req, "place");
	const char *view = sasae_http_form(c->req, "view"), *back = sasae_http_form(c->req, "back");
	const sasae_program *p = NULL;
	char target[300];
	bool finding = on && strcmp(on, "finding") == 0;
	if (on && strcmp(on, "program") == 0 && id && (p = web_find_program(web_of(c), id)) != NULL) {
		snprintf(target, sizeof target, "program:%s", p->id);
	} else if (finding && kind && place && sasae_lint_kind_known(kind) && strlen(place) < 40 &&
		   strspn(place, "0123456789-") == strlen(place)) {
		snprintf(target, sizeof target, "finding:%s\t%s", kind, place);
	} else {
		web_fail(c, 400, "bad-input", "入力が正しくありません",
			 "コメントの対象（事業か点検の指摘）がわかりません。事業や点検のページから送信してください。");
		return;
	}
	const char *empty = "コメントを入力してください。";
	sasae_error err = {0};
	int rc = 0;
	if (text == NULL || text[strspn(text, " \t\r\n")] == '\0') {
		rc = SASAE_EUSAGE;
		sasae_error_set(&err, rc, NULL, 0, "%s", empty);
	}
	sasae_store *s = NULL;
	char *lf = NULL;
	if (rc == 0 && (s = web_ws_store(c)) == NULL)
		return;
	if (rc == 0 && (lf = web_text_lf(text)) == NULL)
		rc = sasae_error_set(&err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	if (rc == 0) {
		sasae_actor who = web_actor(c);
		rc = sasae_comment_add(s, &who, target, lf, &err);
	}
	free(lf);
	if (rc == SASAE_EUSAGE || rc == SASAE_EDATA) {
		if (p) {
			c->req->args[0] = p->id; /* the program's page, as if asked for */
			c->req->nargs = 1;
			program_page(c, 400, "comment", err.message, NULL, NULL, text ? text : "");
		} else {
			web_lint_comment_failed(c, view, kind, place, text ? text : "", err.message);
		}
		return;
	}
	if (rc) {
		web_core_fail(c, rc, &err);
		return;
	}
	if (p) {
		char path[300];
		snprintf(path, sizeof path, "/office/programs/%s/tags", p->id);
		web_done(c, path, "comment", "comments");
	} else {
		web_lint_comment_done(c, view, back, kind, place);
	}
}
