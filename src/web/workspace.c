/*
 * workspace.c — what the page files of the plan office's workspace (/office…, docs/office.md)
 * share: the page's base context (the CSRF token for its forms, the message after a change),
 * redirects after a change (POST → 303 → GET, with a fixed message code, never the user's words),
 * the answer to a core error, and the text of a textarea as the loaders read it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/escape.h"
#include "page.h"

/* The messages shown after a change (?done=CODE; unknown codes show nothing). */
static const struct {
	const char *code, *message;
} done_messages[] = {
	{"published", "公開する版を変えました。公開ページに反映しました。"},
	{"published-pinned",
	 "公開する版を記録しました。このサーバーは起動時に版が固定されているため（--plan 版）、公開ページは変わりません。"},
	{"reload-failed",
	 "変更は保存しましたが、公開ページへの反映に失敗しました。運用者に再読み込み（SIGHUP）か再起動を頼んでください。"},
	{"triage", "点検結果の判断を保存しました。"},
	{"title", "部の見出しを保存しました。"},
	{"file", "データファイルを保存しました。公開ページに反映しました。"},
	{"file-reset", "データファイルを組み込みの内容に戻しました。公開ページに反映しました。"},
	{"tags", "事業のタグの指定を保存しました。「支援をさがす」に反映しました。"},
	{"comment", "コメントを書き込みました。"},
	{"progress-saved", "シートを保存しました。"},
	{"progress-moved", "シートの状態を進めました。"},
};

const char *web_done_message(const web_ctx *c)
{
	const char *done = web_param(c, "done");
	for (size_t i = 0; done && i < sizeof done_messages / sizeof done_messages[0]; i++)
		if (strcmp(done, done_messages[i].code) == 0)
			return done_messages[i].message;
	return NULL;
}

json_t *web_ws_page(const web_ctx *c)
{
	const sasae_session *s = web_session(c);
	return json_pack("{s:s, s:s?}", "csrf", s ? s->csrf : "", "done", web_done_message(c));
}

void web_done(web_ctx *c, const char *path, const char *code, const char *anchor)
{
	sasae_buf loc = SASAE_BUF_INIT;
	sasae_buf_puts(&loc, path);
	sasae_buf_puts(&loc, strchr(path, '?') ? "&done=" : "?done=");
	sasae_buf_puts(&loc, code);
	if (anchor && *anchor) {
		sasae_buf_putc(&loc, '#');
		sasae_buf_puts(&loc, anchor);
	}
	web_redirect(c, sasae_buf_ok(&loc) && loc.len < 500 ? loc.data : "/office");
	sasae_buf_free(&loc);
}

void web_core_fail(web_ctx *c, int rc, const sasae_error *err)
{
	switch (rc) {
	case SASAE_EFORBIDDEN: web_fail(c, 403, "forbidden", "この操作はできません", err->message); break;
	case SASAE_ENOTFOUND: web_fail(c, 404, "not-found", "見つかりません", err->message); break;
	case SASAE_EUSAGE:
	case SASAE_EDATA: web_fail(c, 400, "bad-input", "入力が正しくありません", err->message); break;
	case SASAE_ECONFLICT: web_fail(c, 409, "conflict", "ほかの変更と重なりました", err->message); break;
	case SASAE_EUNAVAILABLE: web_fail(c, 503, "unavailable", "作業画面を使えません", err->message); break;
	default: /* a database or internal error: its words are for the operator, not the page */
		web_fail(c, 500, "internal", "内部エラー",
			 "処理できませんでした。時間をおいて、もう一度お試しください。");
		break;
	}
}

sasae_store *web_ws_store(web_ctx *c)
{
	sasae_error err = {0};
	sasae_store *s = web_write_store(web_app(c), &err);
	if (s == NULL)
		web_core_fail(c, err.code ? err.code : SASAE_EUNAVAILABLE, &err);
	return s;
}

char *web_text_lf(const char *text)
{
	size_t n = strlen(text);
	char *out = malloc(n + 1), *o = out;
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!(text[i] == '\r' && text[i + 1] == '\n'))
			*o++ = text[i] == '\r' ? '\n' : text[i];
	*o = '\0';
	return out;
}

const char *web_reload_code(web_ctx *c, const char *code)
{
	sasae_error err = {0};
	return sasae_web_reload(web_app(c), &err) == 0 ? code : "reload-failed";
}
