/*
 * auth.c — signing in and out on the web, and the router's authorizer (docs/security.md).
 *
 * The session cookie holds the 256-bit id sasae_login gives (base64url, 43 characters):
 * `sasae_session=…; Path=/; HttpOnly; SameSite=Strict`, or `__Host-sasae_session=…; …; Secure` when
 * the site is served over HTTPS (`--public-url https://…`).  The id is new at every sign-in (the one
 * the browser sent before is ended by the core: no fixation) and is never logged, put in a URL or
 * shown.  The authorizer (web_authorize) finds the session of the cookie for routes that need one,
 * keeps it for the handler (web_request), checks the route's roles and, for a write, that it comes
 * from a page of this site (Origin / Sec-Fetch-Site) and carries the session's CSRF token (form
 * field `csrf` or header X-CSRF-Token).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sasae/accounts.h"
#include "sasae/escape.h"
#include "page.h"
#include "pages.h"

static const char cookie_plain[] = "sasae_session";
static const char cookie_secure[] = "__Host-sasae_session";

/* The name of the session cookie this application sets and reads. */
static const char *cookie_name(const sasae_web *w) { return w->secure ? cookie_secure : cookie_plain; }

bool web_request_private(const sasae_http_request *req)
{
	/* either name, whatever the application's mode: a superset of the requests with a valid session */
	return sasae_http_cookie(req, cookie_plain) != NULL || sasae_http_cookie(req, cookie_secure) != NULL;
}

int64_t web_now(void) { return (int64_t)time(NULL); }

static void set_cookie(web_ctx *c, const char *id)
{
	const sasae_web *w = web_app(c);
	sasae_http_header(c->res, "Set-Cookie", "%s=%s; Path=/; HttpOnly; SameSite=Strict%s", cookie_name(w),
			  id, w->secure ? "; Secure" : "");
}

static void clear_cookie(web_ctx *c)
{
	const sasae_web *w = web_app(c);
	sasae_http_header(c->res, "Set-Cookie", "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
			  cookie_name(w), w->secure ? "; Secure" : "");
}

sasae_actor web_actor(const web_ctx *c)
{
	const sasae_session *s = web_session(c);
	const char *addr = c->req->remote_addr && *c->req->remote_addr ? c->req->remote_addr : "unknown";
	return (sasae_actor){.user_id = s ? s->user.id : 0, .login = s ? s->user.login : NULL, .address = addr};
}

/* Whether origin (an Origin header's value) is host (a Host header's value) on http or https. */
static bool origin_is_host(const char *origin, const char *host)
{
	size_t scheme = strncasecmp(origin, "https://", 8) == 0  ? 8
			: strncasecmp(origin, "http://", 7) == 0 ? 7
								 : 0;
	return scheme && host && *host && strcasecmp(origin + scheme, host) == 0;
}

bool web_same_origin(const web_ctx *c)
{
	const sasae_web *w = web_app(c);
	/* A browser's own word first: Sec-Fetch-Site cannot be set by a page.  (Origin alone is not
	   enough: with this site's `Referrer-Policy: no-referrer` Chromium sends `Origin: null` on its
	   own form posts.) */
	const char *site = sasae_http_header_get(c->req, "Sec-Fetch-Site");
	if (site)
		return strcmp(site, "same-origin") == 0;
	const char *origin = sasae_http_header_get(c->req, "Origin");
	if (origin == NULL) /* not a browser's cross-site request (those send Origin with a POST) */
		return true;
	if (w->public_origin[0])
		return strcasecmp(origin, w->public_origin) == 0;
	return origin_is_host(origin, sasae_http_header_get(c->req, "Host"));
}

/* Refuse with the authorizer's own words (web_problem renders them). */
static int deny(web_ctx *c, int status, int shown, const char *code, const char *title, const char *detail)
{
	web_request *r = web_req(c);
	if (r) {
		r->deny_status = shown;
		r->deny_code = code;
		r->deny_title = title;
		r->deny_detail = detail;
	}
	return status;
}

int web_authorize(sasae_http_ctx *x, unsigned flags)
{
	web_ctx *c = x;
	web_request *r = web_req(c);
	sasae_web *w = web_app(c);
	if (r == NULL) /* the router without sasae_web_handle: nobody is signed in */
		return 401;
	const char *id = sasae_http_cookie(c->req, cookie_name(w));
	if (id == NULL)
		return 401;
	sasae_error err = {0};
	sasae_store *s = web_write_store(w, &err);
	if (s == NULL)
		return deny(c, 403, 503, "unavailable", "作業画面を使えません",
			    "データベースに書き込めないため、ログインと作業画面は使えません。運用者にお知らせください。");
	int rc = strlen(id) == SASAE_SESSION_ID_LEN
			 ? sasae_session_get(s, &w->policy, id, web_now(), &r->session, &err)
			 : SASAE_ENOTFOUND;
	if (rc == SASAE_ENOTFOUND) { /* ended, expired, or never was: the browser forgets it */
		clear_cookie(c);
		r->expired = true;
		return 401;
	}
	if (rc)
		return deny(c, 403, 500, "internal", "内部エラー", "ログインの状態を確かめられませんでした。");
	r->signed_in = true;
	memcpy(r->sid, id, SASAE_SESSION_ID_LEN + 1);
	unsigned roles = (flags & SASAE_ROUTE_ROLE_MASK) >> SASAE_ROUTE_ROLE_SHIFT;
	if (roles && (sasae_user_role_bits(&r->session.user) & roles) == 0)
		return deny(c, 403, 0, "forbidden", "この操作はできません",
			    "このページを使う役割がありません。必要な役割は、管理者に付けてもらってください。");
	if (flags & SASAE_ROUTE_CSRF) {
		if (!web_same_origin(c))
			return deny(c, 403, 0, "cross-site", "この送信は受け付けられません",
				    "別のサイトからの送信は受け付けません。sasae のページから操作してください。");
		const char *token = sasae_http_form(c->req, "csrf");
		if (token == NULL)
			token = sasae_http_header_get(c->req, "X-CSRF-Token");
		if (token == NULL || !sasae_csrf_check(id, token))
			return deny(c, 403, 0, "csrf", "フォームが古くなっています",
				    "フォームの確認用の値がないか、正しくありません。ページを開き直してから、もう一度送信してください。");
	}
	return 0;
}

json_t *web_user_json(const sasae_session *s)
{
	const sasae_user *u = &s->user;
	sasae_buf roles = SASAE_BUF_INIT;
	for (size_t i = 0; i < u->ngrants; i++) {
		if (i)
			sasae_buf_puts(&roles, "、");
		sasae_buf_puts(&roles, sasae_role_label(u->grants[i].role));
		if (u->grants[i].department)
			sasae_buf_appendf(&roles, "（%s）", u->grants[i].department);
	}
	bool office = sasae_user_has(u, SASAE_ROLE_OFFICE), admin = sasae_user_has(u, SASAE_ROLE_ADMIN),
	     council = sasae_user_has(u, SASAE_ROLE_COUNCIL);
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:b}", "login", u->login, "name",
			      u->display_name && *u->display_name ? u->display_name : u->login, "csrf",
			      s->csrf, "roles", sasae_buf_ok(&roles) && roles.data ? roles.data : "",
			      "office", office, "audit", office || admin, "lint", office || council);
	sasae_buf_free(&roles);
	return j;
}

/* ---- the sign-in page ---- */

/* next if it is a local path of this site ("/office/lint?state=open"), else "/office": no scheme,
   no "//host", no backslash, no control character — never an open redirect. */
static const char *local_next(const char *next)
{
	if (next == NULL || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strlen(next) > 1000)
		return "/office";
	for (const unsigned char *p = (const unsigned char *)next; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			return "/office";
	return next;
}

/* The sign-in form (status: 200, or the failure's), with a message and what was typed. */
static void login_form(web_ctx *c, int status, const char *next, const char *login, const char *error,
		       const char *login_error, const char *password_error)
{
	const char *why = web_param(c, "why"), *done = web_param(c, "done");
	const char *notice =
		why && strcmp(why, "expired") == 0
			? "ログインの有効期限が切れました。もう一度ログインしてください。"
		: done && strcmp(done, "logout") == 0 ? "ログアウトしました。"
		: done && strcmp(done, "password") == 0
			? "パスワードを変更しました。ほかの端末のログインも終わりました。新しいパスワードでログインしてください。"
			: NULL;
	json_t *page = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s?}", "next", local_next(next), "login",
				 login ? login : "", "notice", error ? NULL : notice, "error", error,
				 "login_error", login_error, "password_error", password_error);
	web_render(c, status, "login", page, "ログイン");
}

void web_page_login(web_ctx *c) { login_form(c, 200, web_param(c, "next"), NULL, NULL, NULL, NULL); }

/* HH:MM of Unix time t in Japan (UTC+9, no summer time). */
static void japan_time(int64_t t, char *out, size_t n)
{
	time_t jt = (time_t)(t + 9 * 3600);
	struct tm tm;
	gmtime_r(&jt, &tm);
	snprintf(out, n, "%02d:%02d", tm.tm_hour, tm.tm_min);
}

void web_login_post(web_ctx *c)
{
	const char *next = sasae_http_form(c->req, "next");
	const char *login = sasae_http_form(c->req, "login");
	const char *password = sasae_http_form(c->req, "password");
	if (!web_same_origin(c)) {
		web_fail(c, 403, "cross-site", "この送信は受け付けられません",
			 "別のサイトからの送信は受け付けません。sasae のログインページからログインしてください。");
		return;
	}
	if (login == NULL || *login == '\0' || password == NULL || *password == '\0') {
		bool no_login = login == NULL || *login == '\0';
		bool no_password = password == NULL || *password == '\0';
		login_form(c, 400, next, login, "入力されていない欄があります。",
			   no_login ? "ログイン名を入力してください。" : NULL,
			   no_password ? "パスワードを入力してください。" : NULL);
		return;
	}
	sasae_error err = {0};
	sasae_store *s = web_write_store(web_app(c), &err);
	if (s == NULL) {
		web_fail(c, 503, "unavailable", "ログインできません",
			 "データベースに書き込めないため、ログインと作業画面は使えません。運用者にお知らせください。");
		return;
	}
	char id[SASAE_SESSION_ID_LEN + 1] = "";
	int64_t retry_at = 0, now = web_now();
	sasae_actor who = web_actor(c);
	int rc = sasae_login(s, &web_app(c)->policy, login, password, who.address,
			     sasae_http_cookie(c->req, cookie_name(web_app(c))), now, id, &retry_at, &err);
	if (rc == 0) {
		set_cookie(c, id);
		memset(id, 0, sizeof id);
		web_redirect(c, local_next(next));
	} else if (rc == SASAE_EAUTH) {
		login_form(c, 401, next, login, "ログイン名またはパスワードが違います。", NULL, NULL);
	} else if (rc == SASAE_ELOCKED) {
		char at[16], msg[400];
		japan_time(retry_at, at, sizeof at);
		snprintf(msg, sizeof msg,
			 "ログインの失敗が続いたため、しばらくログインできません。%s（日本時間）以降に、もう一度お試しください。",
			 at);
		login_form(c, 429, next, login, msg, NULL, NULL);
		sasae_http_header(c->res, "Retry-After", "%lld",
				  (long long)(retry_at > now ? retry_at - now : 1));
	} else {
		web_fail(c, 500, "internal", "内部エラー",
			 "ログインできませんでした。時間をおいてお試しください。");
	}
}

void web_logout(web_ctx *c)
{
	web_request *r = web_req(c);
	sasae_error err = {0};
	sasae_store *s = web_write_store(web_app(c), &err);
	if (s == NULL || sasae_logout(s, r->sid, web_actor(c).address, &err)) {
		web_fail(c, 500, "internal", "内部エラー",
			 "ログアウトできませんでした。もう一度お試しください。");
		return;
	}
	clear_cookie(c);
	web_redirect(c, "/login?done=logout");
}

/* ---- changing one's own password ---- */

/* The form (status: 200, or the failure's), with a message and the field errors; the passwords
   typed are never sent back. */
static void password_form(web_ctx *c, int status, const char *error, const char *current_error,
			  const char *new_error, const char *again_error)
{
	const sasae_session *s = web_session(c);
	json_t *page = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s?}", "csrf", s ? s->csrf : "", "login",
				 s ? s->user.login : "", "error", error, "current_error", current_error,
				 "new_error", new_error, "again_error", again_error);
	web_render(c, status, "password", page, "パスワードの変更");
}

void web_page_password(web_ctx *c) { password_form(c, 200, NULL, NULL, NULL, NULL); }

void web_password_post(web_ctx *c)
{
	const char *current = sasae_http_form(c->req, "current");
	const char *fresh = sasae_http_form(c->req, "new");
	const char *again = sasae_http_form(c->req, "again");
	bool no_current = current == NULL || *current == '\0';
	bool no_new = fresh == NULL || *fresh == '\0';
	bool no_again = again == NULL || *again == '\0';
	if (no_current || no_new || no_again) {
		password_form(c, 400, "入力されていない欄があります。",
			      no_current ? "今のパスワードを入力してください。" : NULL,
			      no_new ? "新しいパスワードを入力してください。" : NULL,
			      no_again ? "確認のため、新しいパスワードをもう一度入力してください。" : NULL);
		return;
	}
	if (strcmp(fresh, again) != 0) {
		password_form(c, 400, "新しいパスワードが二つの欄で違います。", NULL, NULL,
			      "上の欄と同じ新しいパスワードを入力してください。");
		return;
	}
	sasae_error err = {0};
	sasae_store *s = web_write_store(web_app(c), &err);
	if (s == NULL) {
		web_fail(c, 503, "unavailable", "変更できません",
			 "データベースに書き込めないため、パスワードを変更できません。運用者にお知らせください。");
		return;
	}
	int64_t retry_at = 0, now = web_now();
	sasae_actor who = web_actor(c);
	int rc = sasae_password_change(s, &web_app(c)->policy, &who, current, fresh, now, &retry_at, &err);
	if (rc == 0) {
		/* every session of the person has ended, this one too: sign in again with the new one */
		clear_cookie(c);
		web_redirect(c, "/login?done=password");
	} else if (rc == SASAE_EAUTH) {
		password_form(c, 401, "今のパスワードが違います。", "今のパスワードを確かめてください。",
			      NULL, NULL);
	} else if (rc == SASAE_EUSAGE) {
		password_form(c, 400, "新しいパスワードを受け付けられません。", NULL, err.message, NULL);
	} else if (rc == SASAE_ELOCKED) {
		char at[16], msg[400];
		japan_time(retry_at, at, sizeof at);
		snprintf(msg, sizeof msg,
			 "パスワードの確認の失敗が続いたため、しばらく変更できません。%s（日本時間）以降に、もう一度お試しください。",
			 at);
		password_form(c, 429, msg, NULL, NULL, NULL);
		sasae_http_header(c->res, "Retry-After", "%lld",
				  (long long)(retry_at > now ? retry_at - now : 1));
	} else {
		web_fail(c, 500, "internal", "内部エラー",
			 "パスワードを変更できませんでした。時間をおいてお試しください。");
	}
}
