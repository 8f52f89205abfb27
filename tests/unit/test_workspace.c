/*
 * test_workspace.c — the signed-in workspace through the web application as a function
 * (sasae_web_handle) over a real SQLite file: the bundled plan imported twice (two versions), six
 * people made with the core (sasae_user_add, sasae_user_role) as `sasae user` makes them.
 *
 *   authorization  every write route × {nobody, admin, office, editor of the program's department,
 *                  editor of another department, approver, council} × {the CSRF token, none, another
 *                  session's} (and a program of another department): the allow/deny table is written
 *                  below from the rules of docs/security.md, not read from the program
 *   audit          each write that is allowed leaves exactly one audit row (sasae_audit_list): the
 *                  action, target, who, from where, and the fields before and after as the request
 *                  changed them; each refused one leaves none
 *   sessions       the id changes at sign-in and the old one is dead (fixation), idle and absolute
 *                  ends with a short policy, lockout (429, Retry-After, the time in Japanese), sign-out
 *                  (the cookie cleared, the id dead), the Secure __Host- cookie behind https
 *   payloads       XSS and SQL injection strings, control characters, invalid and overlong UTF-8 in
 *                  every form field and workspace query parameter: never reflected unescaped, never
 *                  a 500, and the database is intact afterwards
 *   headers        Cache-Control: private, no-store and no ETag for every request with a session
 *                  cookie and every /login and /office answer; Origin / Sec-Fetch-Site on writes
 *   publish        a publish changes what the public pages serve without a restart
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sasae/accounts.h"
#include "sasae/departments.h"
#include "sasae/escape.h"
#include "sasae/http.h"
#include "sasae/import.h"
#include "sasae/lint.h"
#include "sasae/office.h"
#include "sasae/store.h"
#include "sasae/web.h"
#include "test_util.h"

static const char PASSWORD[] = "correct horse battery staple";
static const char SLUG[] = "sendai-2024-draft";
/* The version titles given at import: the layout prints the served version's title on every page. */
static const char TITLE1[] = "支えあいプラン 第1案";
static const char TITLE2[] = "支えあいプラン 第2案";

static char *dir, *db;
static sasae_store *store; /* the test's own connection: users, audit rows, files */
static sasae_web *web;

/* ---- the people ---- */

enum { NOBODY, ADMIN, OFFICE, EDITOR_A, EDITOR_B, APPROVER, COUNCIL, NACTORS };
typedef struct actor {
	const char *login;
	sasae_role role;
	int dept; /* 0: none, 1: department A, 2: department B */
	const char *addr;
	char sid[SASAE_SESSION_ID_LEN + 1];
	char csrf[SASAE_CSRF_TOKEN_LEN + 1];
} actor;
static actor actors[NACTORS] = {
	[NOBODY] = {NULL, 0, 0, "192.0.2.10", "", ""},
	[ADMIN] = {"admin1", SASAE_ROLE_ADMIN, 0, "192.0.2.11", "", ""},
	[OFFICE] = {"office1", SASAE_ROLE_OFFICE, 0, "192.0.2.12", "", ""},
	[EDITOR_A] = {"editor.a", SASAE_ROLE_EDITOR, 1, "192.0.2.13", "", ""},
	[EDITOR_B] = {"editor.b", SASAE_ROLE_EDITOR, 2, "192.0.2.14", "", ""},
	[APPROVER] = {"approver1", SASAE_ROLE_APPROVER, 1, "192.0.2.15", "", ""},
	[COUNCIL] = {"council1", SASAE_ROLE_COUNCIL, 0, "192.0.2.16", "", ""},
};
static const char *actor_names[NACTORS] = {"nobody",      "admin",    "office", "editor of A",
					   "editor of B", "approver", "council"};

/* Program A (one department: A) and program B (a department B that A does not have). */
static char prog_a[16], prog_b[16], dept_a[256], dept_b[256];
/* A lint finding of the served plan: kind and place (the accept file's key). */
static char finding_kind[64], finding_place[32];

/* ---- requests ---- */

typedef struct reply {
	int status;
	char *body;
	char location[600];
	char cookie[600]; /* Set-Cookie, or "" */
	char cache[128];  /* Cache-Control, or "" */
	bool etag;
	char retry_after[32];
} reply;

static void reply_free(reply *r)
{
	free(r->body);
	memset(r, 0, sizeof *r);
}

typedef struct req_opts {
	const char *sid;         /* session cookie value, or NULL */
	const char *cookie_name; /* default "sasae_session" */
	const char *origin;      /* Origin header, or NULL */
	const char *fetch_site;  /* Sec-Fetch-Site header, or NULL */
	const char *addr;        /* client address */
	size_t body_len;         /* 0: strlen(body) */
} req_opts;

static void send_to(sasae_web *w, reply *r, const char *method, const char *target, const char *body,
		    const req_opts *o)
{
	sasae_http_field h[6];
	size_t n = 0;
	char cookie[200];
	h[n++] = (sasae_http_field){"Host", "example.jp"};
	if (o && o->sid) {
		snprintf(cookie, sizeof cookie, "%s=%s", o->cookie_name ? o->cookie_name : "sasae_session",
			 o->sid);
		h[n++] = (sasae_http_field){"Cookie", cookie};
	}
	if (body)
		h[n++] = (sasae_http_field){"Content-Type", "application/x-www-form-urlencoded"};
	if (o && o->origin)
		h[n++] = (sasae_http_field){"Origin", o->origin};
	if (o && o->fetch_site)
		h[n++] = (sasae_http_field){"Sec-Fetch-Site", o->fetch_site};
	sasae_http_request req = {.method = method,
				  .target = target,
				  .headers = h,
				  .nheaders = n,
				  .body = body,
				  .body_len = body ? (o && o->body_len ? o->body_len : strlen(body)) : 0,
				  .remote_addr = o && o->addr ? o->addr : "192.0.2.1"};
	sasae_http_response res = {0};
	sasae_web_handle(w, &req, &res);
	memset(r, 0, sizeof *r);
	r->status = res.status;
	r->body = strdup(sasae_buf_cstr(&res.body));
	const char *v;
	if ((v = sasae_http_response_header(&res, "Location")) != NULL)
		snprintf(r->location, sizeof r->location, "%s", v);
	if ((v = sasae_http_response_header(&res, "Set-Cookie")) != NULL)
		snprintf(r->cookie, sizeof r->cookie, "%s", v);
	if ((v = sasae_http_response_header(&res, "Cache-Control")) != NULL)
		snprintf(r->cache, sizeof r->cache, "%s", v);
	if ((v = sasae_http_response_header(&res, "Retry-After")) != NULL)
		snprintf(r->retry_after, sizeof r->retry_after, "%s", v);
	r->etag = sasae_http_response_header(&res, "ETag") != NULL;
	sasae_http_response_clear(&res);
	sasae_http_request_clear(&req);
}

static void send(reply *r, const char *method, const char *target, const char *body, const req_opts *o)
{
	send_to(web, r, method, target, body, o);
}

/* A form body: key=value pairs, percent-encoded (NULL ends the list). */
static char *form(const char *key, ...)
{
	sasae_buf b = SASAE_BUF_INIT;
	va_list ap;
	va_start(ap, key);
	for (const char *k = key; k; k = va_arg(ap, const char *)) {
		const char *v = va_arg(ap, const char *);
		if (b.len)
			sasae_buf_putc(&b, '&');
		sasae_buf_puts(&b, k);
		sasae_buf_putc(&b, '=');
		sasae_url_encode(&b, v, strlen(v));
	}
	va_end(ap);
	sasae_buf_putc(&b, '\0');
	b.len--;
	return sasae_buf_detach(&b);
}

/* The value of attribute value="…" after `name="csrf" ` in an HTML body (the token of a page). */
static void csrf_of(const char *html, char *out)
{
	const char *p = strstr(html, "name=\"csrf\" value=\"");
	assert_non_null(p);
	p += strlen("name=\"csrf\" value=\"");
	size_t n = strcspn(p, "\"");
	assert_int_equal(n, SASAE_CSRF_TOKEN_LEN);
	memcpy(out, p, n);
	out[n] = '\0';
}

/* The session id of a Set-Cookie header "NAME=ID; …" (name checked). */
static void sid_of(const char *set_cookie, const char *name, char *out)
{
	size_t nl = strlen(name);
	assert_true(strncmp(set_cookie, name, nl) == 0 && set_cookie[nl] == '=');
	const char *v = set_cookie + nl + 1;
	size_t n = strcspn(v, ";");
	assert_int_equal(n, SASAE_SESSION_ID_LEN);
	memcpy(out, v, n);
	out[n] = '\0';
}

/* Sign in as login on w (the previous session id a, if any, is sent as the browser would); fills
   sid and csrf. */
static void sign_in_on(sasae_web *w, const char *login, const char *addr, const char *previous, char *sid,
		       char *csrf)
{
	reply r;
	char *body = form("login", login, "password", PASSWORD, "next", "/office", NULL);
	req_opts o = {.sid = previous, .addr = addr};
	send_to(w, &r, "POST", "/login", body, &o);
	free(body);
	if (r.status != 303)
		fail_msg("sign-in of %s: %d %s", login, r.status, r.body);
	assert_string_equal(r.location, "/office");
	sid_of(r.cookie, "sasae_session", sid);
	reply_free(&r);
	req_opts g = {.sid = sid, .addr = addr};
	send_to(w, &r, "GET", "/office", NULL, &g);
	assert_int_equal(r.status, 200);
	csrf_of(r.body, csrf);
	reply_free(&r);
}

static void sign_in(actor *a) { sign_in_on(web, a->login, a->addr, NULL, a->sid, a->csrf); }

/* ---- the audit log ---- */

static size_t audit_total(void)
{
	sasae_audit_filter f = {.limit = 1};
	sasae_audit_entry *e = NULL;
	size_t n = 0, total = 0;
	sasae_error err = {0};
	assert_int_equal(sasae_audit_list(store, &f, &e, &n, &total, &err), 0);
	sasae_audit_free(e, n);
	return total;
}

/* The newest audit row (free with sasae_audit_free(e, 1)). */
static sasae_audit_entry *audit_newest(void)
{
	sasae_audit_filter f = {.limit = 1};
	sasae_audit_entry *e = NULL;
	size_t n = 0, total = 0;
	sasae_error err = {0};
	assert_int_equal(sasae_audit_list(store, &f, &e, &n, &total, &err), 0);
	assert_int_equal(n, 1);
	return e;
}

/* Sleep ms milliseconds. */
static void nap(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&t, NULL);
}

static json_t *parse(const char *s)
{
	if (s == NULL)
		return NULL;
	json_t *j = json_loads(s, 0, NULL);
	if (j == NULL)
		fail_msg("not JSON: %s", s);
	return j;
}

/* ---- set-up ---- */

static int setup(void **state)
{
	(void)state;
	dir = tu_mkdtemp();
	size_t n = strlen(dir) + 16;
	db = malloc(n);
	snprintf(db, n, "%s/ws.db", dir);
	sasae_error err = {0};
	sasae_dept_table *depts = NULL;
	size_t len;
	char *text = tu_read_source("data/sendai-2024-draft.txt", &len);
	assert_int_equal(sasae_dept_table_default(&depts, &err), 0);
	assert_int_equal(sasae_store_open(&store, db, SASAE_STORE_CREATE, &err), 0);
	sasae_import_options opt = {.slug = SLUG, .title = TITLE1, .depts = depts};
	sasae_import_summary sum;
	assert_int_equal(sasae_import_bytes(store, "sendai-2024-draft.txt", text, len, &opt, &sum, &err), 0);
	/* the second version: the same rows (one more blank line: another digest), another title */
	char *text2 = malloc(len + 2);
	memcpy(text2, text, len);
	memcpy(text2 + len, "\n", 2);
	opt.title = TITLE2;
	assert_int_equal(sasae_import_bytes(store, "sendai-2024-draft.txt", text2, len + 1, &opt, &sum, &err),
			 0);
	assert_int_equal(sum.version, 2);
	free(text2);
	free(text);
	sasae_dept_table_free(depts);

	/* programs A and B and their departments, from the served (latest) version */
	int64_t vid;
	sasae_plan *plan = NULL;
	assert_int_equal(sasae_store_resolve(store, SLUG, &vid, &err), 0);
	assert_int_equal(sasae_store_load_plan(store, vid, &plan, &err), 0);
	for (size_t i = 0; i < plan->nprograms && !prog_a[0]; i++)
		if (plan->programs[i].ndepartments == 1) {
			snprintf(prog_a, sizeof prog_a, "%s", plan->programs[i].id);
			snprintf(dept_a, sizeof dept_a, "%s", plan->programs[i].departments[0].name);
		}
	for (size_t i = 0; i < plan->nprograms && !prog_b[0]; i++) {
		const sasae_program *p = &plan->programs[i];
		bool has_a = false;
		for (size_t d = 0; d < p->ndepartments; d++)
			has_a |= strcmp(p->departments[d].name, dept_a) == 0;
		if (!has_a) {
			snprintf(prog_b, sizeof prog_b, "%s", p->id);
			snprintf(dept_b, sizeof dept_b, "%s", p->departments[0].name);
		}
	}
	assert_true(prog_a[0] && prog_b[0]);
	sasae_lint_findings *f = NULL;
	assert_int_equal(sasae_lint(plan, &f, &err), 0);
	assert_true(f->n > 0);
	snprintf(finding_kind, sizeof finding_kind, "%s", f->items[0].kind);
	snprintf(finding_place, sizeof finding_place, "%d-%d-%d", f->items[0].at.part, f->items[0].at.section,
		 f->items[0].at.position);
	sasae_lint_findings_free(f);
	sasae_plan_free(plan);

	/* the people, as `sasae user add` and `sasae user role` make them */
	sasae_actor cli = SASAE_ACTOR_CLI;
	for (int i = ADMIN; i < NACTORS; i++) {
		actor *a = &actors[i];
		assert_int_equal(sasae_user_add(store, &cli, a->login, a->login, PASSWORD, &err), 0);
		const char *d = a->dept == 1 ? dept_a : a->dept == 2 ? dept_b : NULL;
		if (sasae_user_role(store, &cli, a->login, true, a->role, d, &err))
			fail_msg("role for %s: %s", a->login, err.message);
	}

	assert_int_equal(sasae_web_new(&web, db, NULL, &err), 0);
	/* failures counted per login and address would lock the payload tests out: generous limits here
	   (the lockout has its own test and application) */
	sasae_login_policy p = sasae_login_policy_default();
	p.account_failures = p.address_failures = 100000;
	sasae_web_set_login_policy(web, &p);
	for (int i = ADMIN; i < NACTORS; i++)
		sign_in(&actors[i]);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sasae_web_free(web);
	sasae_store_close(store);
	free(db);
	tu_rmdir(dir);
	return 0;
}

/* ---- the authorization matrix ---- */

enum { R_LOGOUT, R_PUBLISH, R_TRIAGE, R_PART_TITLE, R_FILE, R_TAGS_A, R_TAGS_B, R_COMMENT, NROUTES };
static const char *route_names[NROUTES] = {"POST /logout",
					   "POST /office/publish",
					   "POST /office/lint/triage",
					   "POST /office/plans/{spec}/parts/{n}",
					   "POST /office/files/{name}",
					   "POST /office/programs/{A}/tags",
					   "POST /office/programs/{B}/tags",
					   "POST /office/comments"};

/* Who may use each write route with a valid token (docs/security.md, V4): sign-out is anybody's;
   publishing, decisions, outline titles and data files are the plan office's; a program's tags are
   the office's or an editor's of one of the program's departments (B's editor not on A's program,
   A's editor not on B's); comments are the council's, the office's and the departments'. */
static const bool allowed[NROUTES][NACTORS] = {
	/*                nobody admin office edA   edB    approver council */
	[R_LOGOUT] = {false, true, true, true, true, true, true},
	[R_PUBLISH] = {false, false, true, false, false, false, false},
	[R_TRIAGE] = {false, false, true, false, false, false, false},
	[R_PART_TITLE] = {false, false, true, false, false, false, false},
	[R_FILE] = {false, false, true, false, false, false, false},
	[R_TAGS_A] = {false, false, true, true, false, false, false},
	[R_TAGS_B] = {false, false, true, false, true, false, false},
	[R_COMMENT] = {false, false, true, true, true, true, true},
};

enum { TOKEN_VALID, TOKEN_NONE, TOKEN_WRONG, NTOKENS };
static const char *token_names[NTOKENS] = {"valid token", "no token", "another session's token"};

/* What the test expects the database to hold now, to write a request that changes something and
   to know the values before it. */
static int published = 0;    /* 0: none chosen */
static int triage_state = 0; /* the finding's decision */
static char triage_reason[128] = "";
static char part_title[128] = ""; /* version 1's part 1 (no title imported) */
static char *vocabulary;          /* the text of vocabulary.tsv in force */
static char tags_changes[2][64], tags_reason[2][128];
static int counter;

/* The request of route r with token (NULL: none) and what changes if it is applied. */
typedef struct write_req {
	char target[200];
	char *body;
	/* expected audit row */
	const char *action;
	char audit_target[200];
	json_t *before, *after; /* expected fields (NULL: none); owned */
	/* what the test's state becomes */
	int new_published, new_state;
	char new_text[128];
	char *new_vocabulary;
} write_req;

static void write_req_free(write_req *w)
{
	free(w->body);
	json_decref(w->before);
	json_decref(w->after);
	free(w->new_vocabulary);
}

static void make_request(write_req *w, int route, const char *token, const actor *a)
{
	memset(w, 0, sizeof *w);
	const char *tok = token ? token : NULL;
	char n[32];
	snprintf(n, sizeof n, "%d", ++counter);
	switch (route) {
	case R_LOGOUT:
		snprintf(w->target, sizeof w->target, "/logout");
		w->body = tok ? form("csrf", tok, NULL) : strdup("");
		w->action = "session.logout";
		snprintf(w->audit_target, sizeof w->audit_target, "user:%s", a->login ? a->login : "");
		break;
	case R_PUBLISH: {
		w->new_published = published == 2 ? 1 : 2;
		char v[8];
		snprintf(v, sizeof v, "%d", w->new_published);
		snprintf(w->target, sizeof w->target, "/office/publish");
		w->body = tok ? form("csrf", tok, "plan", SLUG, "version", v, NULL)
			      : form("plan", SLUG, "version", v, NULL);
		w->action = "plan.publish";
		snprintf(w->audit_target, sizeof w->audit_target, "plan:%s", SLUG);
		w->before = json_pack("{s:o}", "version", published ? json_integer(published) : json_null());
		w->after = json_pack("{s:i}", "version", w->new_published);
		break;
	}
	case R_TRIAGE: {
		static const char *names[] = {"open", "checked", "accepted"};
		w->new_state = triage_state == 1 ? 2 : 1;
		snprintf(w->new_text, sizeof w->new_text, "理由 %s", n);
		snprintf(w->target, sizeof w->target, "/office/lint/triage");
		const char *st = names[w->new_state];
		w->body = tok ? form("csrf", tok, "plan", SLUG, "kind", finding_kind, "place", finding_place,
				     "state", st, "reason", w->new_text, NULL)
			      : form("plan", SLUG, "kind", finding_kind, "place", finding_place, "state", st,
				     "reason", w->new_text, NULL);
		w->action = "lint.triage";
		snprintf(w->audit_target, sizeof w->audit_target, "plan:%s", SLUG);
		char key[128];
		snprintf(key, sizeof key, "%s\t%s", finding_kind, finding_place);
		w->before = json_pack("{s:s, s:s, s:s}", "finding", key, "state", names[triage_state],
				      "reason", triage_reason);
		w->after = json_pack("{s:s, s:s, s:s}", "finding", key, "state", st, "reason", w->new_text);
		break;
	}
	case R_PART_TITLE:
		snprintf(w->new_text, sizeof w->new_text, "見出し %s", n);
		snprintf(w->target, sizeof w->target, "/office/plans/%s%%401/parts/1", SLUG);
		w->body = tok ? form("csrf", tok, "title", w->new_text, NULL)
			      : form("title", w->new_text, NULL);
		w->action = "plan.part-title";
		snprintf(w->audit_target, sizeof w->audit_target, "plan:%s@1", SLUG);
		w->before = json_pack("{s:i, s:o}", "part", 1, "title",
				      part_title[0] ? json_string(part_title) : json_null());
		w->after = json_pack("{s:i, s:s}", "part", 1, "title", w->new_text);
		break;
	case R_FILE: {
		size_t len = strlen(vocabulary) + 64;
		w->new_vocabulary = malloc(len);
		snprintf(w->new_vocabulary, len, "%s# 変更 %s\n", vocabulary, n);
		snprintf(w->target, sizeof w->target, "/office/files/vocabulary.tsv");
		w->body = tok ? form("csrf", tok, "text", w->new_vocabulary, NULL)
			      : form("text", w->new_vocabulary, NULL);
		w->action = "file.set";
		snprintf(w->audit_target, sizeof w->audit_target, "file:vocabulary.tsv");
		w->before = json_pack("{s:s}", "text", vocabulary);
		w->after = json_pack("{s:s}", "text", w->new_vocabulary);
		break;
	}
	case R_TAGS_A:
	case R_TAGS_B: {
		int k = route == R_TAGS_A ? 0 : 1;
		const char *id = k == 0 ? prog_a : prog_b;
		snprintf(w->new_text, sizeof w->new_text, "理由 %s", n);
		snprintf(w->target, sizeof w->target, "/office/programs/%s/tags", id);
		w->body = tok ? form("csrf", tok, "changes", "+need:money", "reason", w->new_text, NULL)
			      : form("changes", "+need:money", "reason", w->new_text, NULL);
		w->action = "program.tags";
		snprintf(w->audit_target, sizeof w->audit_target, "program:%s", id);
		w->before = tags_changes[k][0] ? json_pack("{s:s, s:s}", "changes", tags_changes[k], "reason",
							   tags_reason[k])
					       : NULL;
		w->after = json_pack("{s:s, s:s}", "changes", "+need:money", "reason", w->new_text);
		break;
	}
	case R_COMMENT:
		snprintf(w->new_text, sizeof w->new_text, "コメント %s", n);
		snprintf(w->target, sizeof w->target, "/office/comments");
		w->body = tok ? form("csrf", tok, "on", "program", "program", prog_a, "text", w->new_text, NULL)
			      : form("on", "program", "program", prog_a, "text", w->new_text, NULL);
		w->action = "comment.add";
		snprintf(w->audit_target, sizeof w->audit_target, "program:%s", prog_a);
		w->after = json_pack("{s:s}", "text", w->new_text); /* and the comment's id */
		break;
	}
}

/* After an applied write: the test's state follows the database. */
static void applied(int route, write_req *w)
{
	switch (route) {
	case R_PUBLISH: published = w->new_published; break;
	case R_TRIAGE:
		triage_state = w->new_state;
		snprintf(triage_reason, sizeof triage_reason, "%s", w->new_text);
		break;
	case R_PART_TITLE: snprintf(part_title, sizeof part_title, "%s", w->new_text); break;
	case R_FILE:
		free(vocabulary);
		vocabulary = w->new_vocabulary;
		w->new_vocabulary = NULL;
		break;
	case R_TAGS_A:
	case R_TAGS_B: {
		int k = route == R_TAGS_A ? 0 : 1;
		snprintf(tags_changes[k], sizeof tags_changes[k], "+need:money");
		snprintf(tags_reason[k], sizeof tags_reason[k], "%s", w->new_text);
		break;
	}
	default: break;
	}
}

/* The audit row of an applied write: one, with the action, target, who, where, before and after. */
static void check_audit_row(const write_req *w, const actor *a, const char *what)
{
	sasae_audit_entry *e = audit_newest();
	if (strcmp(e->action, w->action) != 0 || strcmp(e->target, w->audit_target) != 0)
		fail_msg("%s: audit row %s %s, expected %s %s", what, e->action, e->target, w->action,
			 w->audit_target);
	assert_string_equal(e->login, a->login);
	assert_string_equal(e->address, a->addr);
	json_t *before = parse(e->before), *after = parse(e->after);
	if (w->before == NULL) {
		if (before != NULL)
			fail_msg("%s: before should be empty, is %s", what, e->before);
	} else if (!json_equal(before, w->before)) {
		fail_msg("%s: before is %s", what, e->before);
	}
	if (w->after == NULL) {
		if (after != NULL)
			fail_msg("%s: after should be empty, is %s", what, e->after);
	} else {
		/* every expected field, with its value (a comment's row also names the comment's id) */
		const char *k;
		json_t *v;
		json_object_foreach(w->after, k, v)
		{
			if (!json_equal(json_object_get(after, k), v))
				fail_msg("%s: after.%s in %s", what, k, e->after);
		}
		if (strcmp(w->action, "comment.add") != 0 && !json_equal(after, w->after))
			fail_msg("%s: after is %s", what, e->after);
	}
	json_decref(before);
	json_decref(after);
	sasae_audit_free(e, 1);
}

static void test_authorization_matrix(void **state)
{
	(void)state;
	sasae_error err = {0};
	sasae_store_file f = {0};
	assert_int_equal(sasae_office_file_get(store, "vocabulary.tsv", &f, &err), 0);
	vocabulary = strdup(f.text);
	sasae_store_file_clear(&f);
	int checked = 0, allowed_count = 0;
	for (int route = 0; route < NROUTES; route++)
		for (int who = 0; who < NACTORS; who++)
			for (int t = 0; t < NTOKENS; t++) {
				actor *a = &actors[who];
				/* another session's token: the council's, or for the council the office's */
				const char *wrong = who == COUNCIL ? actors[OFFICE].csrf : actors[COUNCIL].csrf;
				const char *token = t == TOKEN_VALID
							    ? (who == NOBODY ? actors[OFFICE].csrf : a->csrf)
						    : t == TOKEN_WRONG ? wrong
								       : NULL;
				write_req w;
				make_request(&w, route, token, a);
				char what[300];
				snprintf(what, sizeof what, "%s as %s with %s", route_names[route],
					 actor_names[who], token_names[t]);
				size_t before = audit_total();
				reply r;
				req_opts o = {.sid = who == NOBODY ? NULL : a->sid, .addr = a->addr};
				send(&r, "POST", w.target, w.body, &o);
				size_t after = audit_total();
				bool ok = allowed[route][who] && t == TOKEN_VALID;
				if (who == NOBODY) {
					/* not signed in: to the sign-in page, nothing done */
					if (r.status != 303 || strncmp(r.location, "/login?next=", 12) != 0)
						fail_msg("%s: %d %s", what, r.status, r.location);
				} else if (ok) {
					/* done: back to the page (sign-out: to the sign-in page, saying so) */
					bool back = route == R_LOGOUT
							    ? strcmp(r.location, "/login?done=logout") == 0
							    : strncmp(r.location, "/login", 6) != 0;
					if (r.status != 303 || !back)
						fail_msg("%s: %d %s %s", what, r.status, r.location, r.body);
				} else if (r.status != 403) {
					fail_msg("%s: %d (expected 403) %s", what, r.status, r.location);
				}
				if (ok) {
					if (after != before + 1)
						fail_msg("%s: %zu audit rows, expected one", what,
							 after - before);
					check_audit_row(&w, a, what);
					applied(route, &w);
					allowed_count++;
				} else if (after != before) {
					fail_msg("%s: refused, but %zu audit rows were written", what,
						 after - before);
				}
				if (ok && route == R_LOGOUT) { /* signed out: the id is dead; sign in again */
					reply g;
					req_opts go = {.sid = a->sid, .addr = a->addr};
					send(&g, "GET", "/office", NULL, &go);
					assert_int_equal(g.status, 303);
					reply_free(&g);
					sign_in(a);
				}
				reply_free(&r);
				write_req_free(&w);
				checked++;
			}
	assert_int_equal(checked, NROUTES * NACTORS * NTOKENS);
	/* the allowed cells of the table, each with its one valid token */
	int expected = 0;
	for (int route = 0; route < NROUTES; route++)
		for (int who = 0; who < NACTORS; who++)
			expected += allowed[route][who];
	assert_int_equal(allowed_count, expected);
	free(vocabulary);
	vocabulary = NULL;
}

/* The reads of the workspace: which role sees which page (200), and who gets 403. */
static void test_read_roles(void **state)
{
	(void)state;
	static const struct {
		const char *path;
		bool allow[NACTORS];
	} pages[] = {
		/*                                      nobody admin office edA edB approver council */
		{"/office", {false, true, true, true, true, true, true}},
		{"/office/lint", {false, false, true, false, false, false, true}},
		{"/office/lint/decisions.csv", {false, false, true, false, false, false, true}},
		{"/office/lint/accept.tsv", {false, false, true, false, false, false, true}},
		{"/office/diff", {false, true, true, true, true, true, true}},
		{"/office/plans/sendai-2024-draft%401", {false, true, true, true, true, true, true}},
		{"/office/files", {false, false, true, false, false, false, false}},
		{"/office/files/tag-rules.tsv", {false, false, true, false, false, false, false}},
		{"/office/audit", {false, true, true, false, false, false, false}},
		{"/office/audit.csv", {false, true, true, false, false, false, false}},
		{"/office/audit.json", {false, true, true, false, false, false, false}},
	};
	char tags[64];
	snprintf(tags, sizeof tags, "/office/programs/%s/tags", prog_a);
	for (size_t i = 0; i < sizeof pages / sizeof pages[0] + 1; i++) {
		const char *path = i < sizeof pages / sizeof pages[0] ? pages[i].path : tags;
		for (int who = 0; who < NACTORS; who++) {
			bool allow = i < sizeof pages / sizeof pages[0] ? pages[i].allow[who] : who != NOBODY;
			reply r;
			req_opts o = {.sid = who == NOBODY ? NULL : actors[who].sid, .addr = actors[who].addr};
			send(&r, "GET", path, NULL, &o);
			int want = who == NOBODY ? 303 : allow ? 200 : 403;
			if (r.status != want)
				fail_msg("GET %s as %s: %d, expected %d", path, actor_names[who], r.status,
					 want);
			/* every answer of the workspace is private, without ETag */
			assert_string_equal(r.cache, "private, no-store");
			assert_false(r.etag);
			reply_free(&r);
		}
	}
}

/* ---- sessions ---- */

static void test_fixation_and_logout(void **state)
{
	(void)state;
	char sid1[64], csrf1[64], sid2[64], csrf2[64];
	sign_in_on(web, "council1", "192.0.2.30", NULL, sid1, csrf1);
	/* signing in again from a browser that holds sid1: a new id, and sid1 is dead */
	sign_in_on(web, "council1", "192.0.2.30", sid1, sid2, csrf2);
	assert_string_not_equal(sid1, sid2);
	assert_string_not_equal(csrf1, csrf2);
	reply r;
	req_opts old = {.sid = sid1};
	send(&r, "GET", "/office", NULL, &old);
	assert_int_equal(r.status, 303);
	assert_string_equal(r.location, "/login?next=%2Foffice&why=expired");
	assert_non_null(strstr(r.cookie, "Max-Age=0")); /* the browser forgets the dead id */
	reply_free(&r);
	/* an id an attacker planted (well-formed, never issued) is not taken over either */
	char planted[] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	char sid3[64], csrf3[64];
	sign_in_on(web, "council1", "192.0.2.30", planted, sid3, csrf3);
	assert_string_not_equal(sid3, planted);
	/* sign-out: 303 to /login, the cookie cleared, the id dead */
	char *body = form("csrf", csrf2, NULL);
	req_opts o2 = {.sid = sid2, .addr = "192.0.2.30"};
	send(&r, "POST", "/logout", body, &o2);
	free(body);
	assert_int_equal(r.status, 303);
	assert_string_equal(r.location, "/login?done=logout");
	assert_string_equal(r.cookie, "sasae_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
	reply_free(&r);
	send(&r, "GET", "/office", NULL, &o2);
	assert_int_equal(r.status, 303);
	reply_free(&r);
	/* the cookie's attributes at sign-in */
	body = form("login", "council1", "password", PASSWORD, NULL);
	send(&r, "POST", "/login", body, &(req_opts){.addr = "192.0.2.30"});
	free(body);
	assert_int_equal(r.status, 303);
	assert_string_equal(r.location, "/office"); /* no next: the workspace */
	assert_non_null(strstr(r.cookie, "; Path=/; HttpOnly; SameSite=Strict"));
	assert_null(strstr(r.cookie, "Secure"));
	reply_free(&r);
}

/* next must be a path of this site: anything else signs in to /office. */
static void test_no_open_redirect(void **state)
{
	(void)state;
	static const struct {
		const char *next, *location;
	} cases[] = {
		{"/office/lint?state=open", "/office/lint?state=open"},
		{"https://evil.example/", "/office"},
		{"//evil.example/x", "/office"},
		{"/\\evil.example", "/office"},
		{"javascript:alert(1)", "/office"},
		{"/office\r\nSet-Cookie: x=1", "/office"},
		{"", "/office"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *body = form("login", "office1", "password", PASSWORD, "next", cases[i].next, NULL);
		reply r;
		send(&r, "POST", "/login", body, &(req_opts){.addr = "192.0.2.31"});
		free(body);
		assert_int_equal(r.status, 303);
		if (strcmp(r.location, cases[i].location) != 0)
			fail_msg("next=%s: Location %s", cases[i].next, r.location);
		reply_free(&r);
	}
}

static void test_expiry(void **state)
{
	(void)state;
	sasae_error err = {0};
	sasae_web *w = NULL;
	assert_int_equal(sasae_web_new(&w, db, NULL, &err), 0);
	/* idle: 2 seconds (Unix seconds: used 1.9 s after a second turned may count as 2) */
	sasae_login_policy p = sasae_login_policy_default();
	p.idle_seconds = 2;
	p.absolute_seconds = 3600;
	sasae_web_set_login_policy(w, &p);
	char sid[64], csrf[64];
	sign_in_on(w, "office1", "192.0.2.40", NULL, sid, csrf);
	sleep(4);
	reply r;
	send_to(w, &r, "GET", "/office/lint", NULL, &(req_opts){.sid = sid});
	assert_int_equal(r.status, 303);
	assert_string_equal(r.location, "/login?next=%2Foffice%2Flint&why=expired");
	reply_free(&r);
	/* absolute: 3 seconds after sign-in, however the session is used */
	p.idle_seconds = 3600;
	p.absolute_seconds = 3;
	sasae_web_set_login_policy(w, &p);
	time_t t0 = time(NULL); /* before the sign-in: its session ends by t0 + 3 + the sign-in's time */
	sign_in_on(w, "office1", "192.0.2.40", NULL, sid, csrf);
	time_t t1 = time(NULL);
	send_to(w, &r, "GET", "/office", NULL, &(req_opts){.sid = sid});
	if (time(NULL) - t0 < 2) /* still in time (unless the sign-in itself was slow) */
		assert_int_equal(r.status, 200);
	reply_free(&r);
	while (time(NULL) - t1 < 5) {
		nap(500);
		send_to(w, &r, "GET", "/office", NULL, &(req_opts){.sid = sid}); /* used all along */
		reply_free(&r);
	}
	send_to(w, &r, "GET", "/office", NULL, &(req_opts){.sid = sid});
	assert_int_equal(r.status, 303);
	assert_non_null(strstr(r.location, "why=expired"));
	reply_free(&r);
	sasae_web_free(w);
}

static void test_lockout(void **state)
{
	(void)state;
	sasae_error err = {0};
	sasae_actor cli = SASAE_ACTOR_CLI;
	assert_int_equal(sasae_user_add(store, &cli, "locked1", "", PASSWORD, &err), 0);
	assert_int_equal(sasae_user_role(store, &cli, "locked1", true, SASAE_ROLE_COUNCIL, NULL, &err), 0);
	sasae_web *w = NULL;
	assert_int_equal(sasae_web_new(&w, db, NULL, &err), 0);
	sasae_login_policy p = sasae_login_policy_default();
	p.account_failures = 3;
	p.lockout_seconds = 600;
	sasae_web_set_login_policy(w, &p);
	reply r;
	/* a wrong password and an unknown login get the same answer */
	char *body = form("login", "nosuchuser", "password", "wrong password 1", NULL);
	send_to(w, &r, "POST", "/login", body, &(req_opts){.addr = "192.0.2.50"});
	free(body);
	assert_int_equal(r.status, 401);
	assert_non_null(strstr(r.body, "ログイン名またはパスワードが違います。"));
	reply_free(&r);
	for (int i = 0; i < 3; i++) {
		body = form("login", "locked1", "password", "wrong password 1", NULL);
		send_to(w, &r, "POST", "/login", body, &(req_opts){.addr = "192.0.2.50"});
		free(body);
		assert_int_equal(r.status, 401);
		assert_null(strstr(r.body, "wrong password")); /* the password is never shown again */
		assert_true(r.cookie[0] == '\0');
		reply_free(&r);
	}
	/* locked: even the right password gets 429, Retry-After, and the time to come back */
	time_t now = time(NULL);
	body = form("login", "locked1", "password", PASSWORD, NULL);
	send_to(w, &r, "POST", "/login", body, &(req_opts){.addr = "192.0.2.51"});
	free(body);
	assert_int_equal(r.status, 429);
	assert_true(r.cookie[0] == '\0');
	long retry = strtol(r.retry_after, NULL, 10);
	assert_true(retry > 590 && retry <= 600);
	time_t at = now + retry + 9 * 3600; /* Japan */
	struct tm tm;
	gmtime_r(&at, &tm);
	char hhmm[64], hhmm2[64];
	snprintf(hhmm, sizeof hhmm, "%02d:%02d（日本時間）以降に", tm.tm_hour, tm.tm_min);
	at -= 60; /* the minute may turn between the two clocks */
	gmtime_r(&at, &tm);
	snprintf(hhmm2, sizeof hhmm2, "%02d:%02d（日本時間）以降に", tm.tm_hour, tm.tm_min);
	if (!strstr(r.body, hhmm) && !strstr(r.body, hhmm2))
		fail_msg("the message does not say %s: %s", hhmm, r.body);
	assert_string_equal(r.cache, "private, no-store");
	reply_free(&r);
	sasae_web_free(w);
}

/* A signed-in person changes their own password: the current one is checked (and counted like a
   sign-in failure), the new one twice and against the policy; on success every session of theirs ends
   (other devices too), the cookie is cleared, and only the new password signs in. */
static void test_password_change(void **state)
{
	(void)state;
	static const char NEW_PASSWORD[] = "a longer passphrase for the new year";
	sasae_error err = {0};
	sasae_actor cli = SASAE_ACTOR_CLI;
	assert_int_equal(sasae_user_add(store, &cli, "changer", "", PASSWORD, &err), 0);
	assert_int_equal(sasae_user_role(store, &cli, "changer", true, SASAE_ROLE_COUNCIL, NULL, &err), 0);
	const char *addr = "192.0.2.60";
	char sid[SASAE_SESSION_ID_LEN + 1], csrf[SASAE_CSRF_TOKEN_LEN + 1];
	char sid2[SASAE_SESSION_ID_LEN + 1], csrf2[SASAE_CSRF_TOKEN_LEN + 1];
	sign_in_on(web, "changer", addr, NULL, sid, csrf);
	sign_in_on(web, "changer", "192.0.2.61", NULL, sid2, csrf2); /* another device */
	reply r;
	send(&r, "GET", "/office/password", NULL, &(req_opts){.sid = sid, .addr = addr});
	assert_int_equal(r.status, 200);
	assert_string_equal(r.cache, "private, no-store");
	assert_non_null(strstr(r.body, "name=\"csrf\""));
	assert_non_null(strstr(r.body, "autocomplete=\"new-password\""));
	reply_free(&r);
	size_t rows = audit_total();
	/* refused before anything is checked: nobody, no token, another session's token */
	char *body = form("current", PASSWORD, "new", NEW_PASSWORD, "again", NEW_PASSWORD, NULL);
	send(&r, "POST", "/office/password", body, &(req_opts){.addr = addr});
	assert_true(r.status == 401 || r.status == 303);
	reply_free(&r);
	send(&r, "POST", "/office/password", body, &(req_opts){.sid = sid, .addr = addr});
	assert_int_equal(r.status, 403);
	reply_free(&r);
	free(body);
	body = form("csrf", csrf2, "current", PASSWORD, "new", NEW_PASSWORD, "again", NEW_PASSWORD, NULL);
	send(&r, "POST", "/office/password", body, &(req_opts){.sid = sid, .addr = addr});
	assert_int_equal(r.status, 403);
	reply_free(&r);
	free(body);
	assert_int_equal(audit_total(), rows);
	/* form errors: nothing changes, no row, the passwords typed are not sent back */
	const struct {
		const char *current, *fresh, *again;
		int status;
		const char *shows;
	} bad[] = {
		{"", NEW_PASSWORD, NEW_PASSWORD, 400, "id=\"current-error\""},
		{PASSWORD, NEW_PASSWORD, "a longer passphrase for the new yeaR", 400, "id=\"again-error\""},
		{PASSWORD, "short one", "short one", 400, "id=\"new-error\""},
		{PASSWORD, "changer", "changer", 400, "id=\"new-error\""},
		{PASSWORD, PASSWORD, PASSWORD, 400, "今のパスワードと同じです"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		body = form("csrf", csrf, "current", bad[i].current, "new", bad[i].fresh, "again",
			    bad[i].again, NULL);
		send(&r, "POST", "/office/password", body, &(req_opts){.sid = sid, .addr = addr});
		free(body);
		if (r.status != bad[i].status || strstr(r.body, bad[i].shows) == NULL)
			fail_msg("case %zu: %d, want %d and %s", i, r.status, bad[i].status, bad[i].shows);
		assert_null(strstr(r.body, "passphrase"));
		assert_null(strstr(r.body, PASSWORD));
		reply_free(&r);
	}
	assert_int_equal(audit_total(), rows);
	/* a wrong current password: 401, counted and audited, the session still works */
	body = form("csrf", csrf, "current", "not my password at all", "new", NEW_PASSWORD, "again",
		    NEW_PASSWORD, NULL);
	send(&r, "POST", "/office/password", body, &(req_opts){.sid = sid, .addr = addr});
	free(body);
	assert_int_equal(r.status, 401);
	assert_non_null(strstr(r.body, "id=\"current-error\""));
	reply_free(&r);
	sasae_audit_entry *e = audit_newest();
	assert_string_equal(e->action, "user.passwd-failed");
	assert_string_equal(e->login, "changer");
	assert_string_equal(e->address, addr);
	sasae_audit_free(e, 1);
	send(&r, "GET", "/office", NULL, &(req_opts){.sid = sid, .addr = addr});
	assert_int_equal(r.status, 200);
	reply_free(&r);
	/* the change */
	body = form("csrf", csrf, "current", PASSWORD, "new", NEW_PASSWORD, "again", NEW_PASSWORD, NULL);
	send(&r, "POST", "/office/password", body, &(req_opts){.sid = sid, .addr = addr});
	free(body);
	assert_int_equal(r.status, 303);
	assert_string_equal(r.location, "/login?done=password");
	assert_non_null(strstr(r.cookie, "Max-Age=0"));
	reply_free(&r);
	e = audit_newest();
	assert_string_equal(e->action, "user.passwd");
	assert_string_equal(e->login, "changer");
	assert_string_equal(e->target, "user:changer");
	assert_non_null(strstr(e->after, "\"sessions_ended\":2"));
	assert_null(strstr(e->after, "passphrase"));
	sasae_audit_free(e, 1);
	const char *sids[] = {sid, sid2};
	for (size_t i = 0; i < 2; i++) { /* both sessions have ended */
		send(&r, "GET", "/office", NULL, &(req_opts){.sid = sids[i], .addr = addr});
		assert_int_not_equal(r.status, 200);
		reply_free(&r);
	}
	send(&r, "GET", "/login?done=password", NULL, &(req_opts){.addr = addr});
	assert_non_null(strstr(r.body, "パスワードを変更しました。"));
	reply_free(&r);
	body = form("login", "changer", "password", PASSWORD, NULL);
	send(&r, "POST", "/login", body, &(req_opts){.addr = "192.0.2.62"});
	free(body);
	assert_int_equal(r.status, 401); /* the old password no longer signs in */
	reply_free(&r);
	body = form("login", "changer", "password", NEW_PASSWORD, "next", "/office", NULL);
	send(&r, "POST", "/login", body, &(req_opts){.addr = "192.0.2.62"});
	free(body);
	assert_int_equal(r.status, 303);
	reply_free(&r);
}

/* Behind https (--public-url https://…): the __Host- cookie with Secure; the plain name is not read. */
static void test_secure_cookie(void **state)
{
	(void)state;
	sasae_error err = {0};
	sasae_web *w = NULL;
	assert_int_equal(sasae_web_new(&w, db, NULL, &err), 0);
	assert_int_equal(sasae_web_set_public_url(w, "https://sasae.example.jp", &err), 0);
	char *body = form("login", "office1", "password", PASSWORD, NULL);
	reply r;
	send_to(w, &r, "POST", "/login", body,
		&(req_opts){.addr = "192.0.2.60", .origin = "https://sasae.example.jp"});
	free(body);
	assert_int_equal(r.status, 303);
	char sid[64];
	sid_of(r.cookie, "__Host-sasae_session", sid);
	assert_non_null(strstr(r.cookie, "; Path=/; HttpOnly; SameSite=Strict; Secure"));
	reply_free(&r);
	send_to(w, &r, "GET", "/office", NULL, &(req_opts){.sid = sid, .cookie_name = "__Host-sasae_session"});
	assert_int_equal(r.status, 200);
	reply_free(&r);
	send_to(w, &r, "GET", "/office", NULL, &(req_opts){.sid = sid});
	assert_int_equal(r.status, 303);
	reply_free(&r);
	/* the origin of writes is the public URL's */
	body = form("login", "office1", "password", PASSWORD, NULL);
	send_to(w, &r, "POST", "/login", body, &(req_opts){.origin = "http://example.jp"});
	free(body);
	assert_int_equal(r.status, 403);
	reply_free(&r);
	sasae_web_free(w);
}

/* Writes from another site are refused even with the right token (defence in depth). */
static void test_origin(void **state)
{
	(void)state;
	actor *a = &actors[OFFICE];
	static const struct {
		const char *origin, *site;
		int status;
	} cases[] = {
		{"http://evil.example", NULL, 403},
		{"null", NULL, 403},
		{NULL, "cross-site", 403},
		{NULL, "same-site", 403},
		{"http://example.jp", "same-origin", 303},
		{"null", "same-origin", 303}, /* Chromium's own form post under Referrer-Policy: no-referrer */
		{"http://example.jp", "cross-site", 403},
		{"https://example.jp", NULL, 303}, /* behind a TLS proxy without --public-url */
		{NULL, NULL, 303},                 /* not a browser */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[64];
		snprintf(text, sizeof text, "送信元の確かめ %zu", i);
		char *body = form("csrf", a->csrf, "on", "program", "program", prog_a, "text", text, NULL);
		reply r;
		send(&r, "POST", "/office/comments", body,
		     &(req_opts){.sid = a->sid,
				 .addr = a->addr,
				 .origin = cases[i].origin,
				 .fetch_site = cases[i].site});
		free(body);
		if (r.status != cases[i].status)
			fail_msg("Origin %s, Sec-Fetch-Site %s: %d", cases[i].origin ? cases[i].origin : "-",
				 cases[i].site ? cases[i].site : "-", r.status);
		reply_free(&r);
	}
	/* and the sign-in form too (login CSRF) */
	char *body = form("login", "office1", "password", PASSWORD, NULL);
	reply r;
	send(&r, "POST", "/login", body, &(req_opts){.origin = "http://evil.example"});
	free(body);
	assert_int_equal(r.status, 403);
	assert_true(r.cookie[0] == '\0');
	reply_free(&r);
}

/* Every answer to a request with a session cookie is private and has no ETag, public pages too;
   /login is private whoever asks; public pages without a cookie stay cacheable. */
static void test_private_answers(void **state)
{
	(void)state;
	const char *paths[] = {"/",     "/programs/p0001", "/search?q=%E8%AA%8D%E7%9F%A5%E7%97%87",
			       "/data", "/no/such/page",   "/assets/style.css"};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		reply r;
		send(&r, "GET", paths[i], NULL, &(req_opts){.sid = actors[OFFICE].sid});
		if (strcmp(r.cache, "private, no-store") != 0 || r.etag)
			fail_msg("%s with a session: Cache-Control %s, ETag %d", paths[i], r.cache, r.etag);
		reply_free(&r);
		send(&r, "GET", paths[i], NULL, &(req_opts){.sid = "not-a-session"});
		assert_string_equal(r.cache, "private, no-store");
		reply_free(&r);
	}
	reply r;
	send(&r, "GET", "/", NULL, NULL);
	assert_string_equal(r.cache, "public, max-age=300");
	assert_true(r.etag);
	reply_free(&r);
	send(&r, "GET", "/login", NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.cache, "private, no-store");
	assert_false(r.etag);
	reply_free(&r);
}

/* ---- publishing without a restart ---- */

static void test_publish_applies(void **state)
{
	(void)state;
	actor *a = &actors[OFFICE];
	for (int v = 1; v <= 2; v++) {
		char ver[4];
		snprintf(ver, sizeof ver, "%d", v);
		char *body = form("csrf", a->csrf, "plan", SLUG, "version", ver, NULL);
		reply r;
		send(&r, "POST", "/office/publish", body, &(req_opts){.sid = a->sid, .addr = a->addr});
		free(body);
		assert_int_equal(r.status, 303);
		assert_string_equal(r.location, "/office?done=published#plans");
		reply_free(&r);
		published = v;
		send(&r, "GET", "/", NULL, NULL); /* a public page, nobody signed in */
		assert_int_equal(r.status, 200);
		const char *want = v == 1 ? TITLE1 : TITLE2, *other = v == 1 ? TITLE2 : TITLE1;
		if (!strstr(r.body, want) || strstr(r.body, other))
			fail_msg("after publishing version %d the home page does not show %s", v, want);
		reply_free(&r);
	}
	/* back to "the latest" (0) */
	char *body = form("csrf", a->csrf, "plan", SLUG, "version", "0", NULL);
	reply r;
	send(&r, "POST", "/office/publish", body, &(req_opts){.sid = a->sid, .addr = a->addr});
	free(body);
	assert_int_equal(r.status, 303);
	reply_free(&r);
	published = 0;
	send(&r, "GET", "/", NULL, NULL);
	assert_non_null(strstr(r.body, TITLE2));
	reply_free(&r);
}

/* ---- payloads ---- */

static const char *const payloads[] = {
	"<script>alert(1)</script>",
	"\"><img src=x onerror=alert(1)>",
	"' OR 1=1 --",
	"'); DROP TABLE account;--",
	"\" OR \"\"=\"",
	"javascript:alert(1)",
	"\x01\x02\x1b[31m\x7f",
	"line1\r\nline2\ttab",
	"ａｂｃ　全角　<b>太字</b>",
	"%00%0d%0a",
	"{{csrf}}{{&content}}",
	"\xF0\x9F\x98\x80 😀 絵文字",
};

/* Whether the raw payload appears in body where it could be markup: a payload without < > " is
   inert text; one with them must not appear unescaped. */
static void assert_not_reflected(const char *body, const char *payload, const char *what)
{
	if (strpbrk(payload, "<>\"") && strstr(body, payload))
		fail_msg("%s: reflected unescaped: %s", what, payload);
	assert_null(strstr(body, "<script>alert"));
	assert_null(strstr(body, "<img src=x"));
}

/* One form field set to each payload (the others valid); also as raw bytes: a NUL, invalid and
   overlong UTF-8 (the HTTP layer: 400). */
typedef struct field_case {
	const char *path;       /* POST target */
	const char *fields[16]; /* name, value pairs; the value "@" is replaced by the payload */
} field_case;

static char *payload_body(const field_case *fc, const char *field, const char *payload, const char *csrf)
{
	sasae_buf b = SASAE_BUF_INIT;
	sasae_buf_appendf(&b, "csrf=%s", csrf);
	for (size_t i = 0; fc->fields[i]; i += 2) {
		const char *v = strcmp(fc->fields[i], field) == 0 ? payload : fc->fields[i + 1];
		sasae_buf_putc(&b, '&');
		sasae_buf_puts(&b, fc->fields[i]);
		sasae_buf_putc(&b, '=');
		sasae_url_encode(&b, v, strlen(v));
	}
	return sasae_buf_detach(&b);
}

static void test_payloads(void **state)
{
	(void)state;
	actor *a = &actors[OFFICE];
	char tags_a[64], spec_title[96];
	snprintf(tags_a, sizeof tags_a, "/office/programs/%s/tags", prog_a);
	snprintf(spec_title, sizeof spec_title, "/office/plans/%s%%401/parts/1", SLUG);
	const field_case cases[] = {
		{"/office/publish", {"plan", SLUG, "version", "1", NULL}},
		{"/office/lint/triage",
		 {"plan", SLUG, "kind", finding_kind, "place", finding_place, "state", "accepted", "reason",
		  "理由", "view", "", NULL}},
		{spec_title, {"title", "見出し", NULL}},
		{"/office/files/tag-overrides.tsv", {"text", "# 空\n", NULL}},
		{tags_a, {"changes", "+need:money", "reason", "理由", NULL}},
		{"/office/comments", {"on", "program", "program", prog_a, "text", "コメント", NULL}},
		{"/office/comments",
		 {"on", "finding", "kind", finding_kind, "place", finding_place, "text", "コメント", "view",
		  "", "back", "all", NULL}},
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
		for (size_t f = 0; cases[c].fields[f]; f += 2)
			for (size_t p = 0; p < sizeof payloads / sizeof payloads[0]; p++) {
				char *body = payload_body(&cases[c], cases[c].fields[f], payloads[p], a->csrf);
				reply r;
				send(&r, "POST", cases[c].path, body,
				     &(req_opts){.sid = a->sid, .addr = a->addr});
				char what[300];
				snprintf(what, sizeof what, "%s %s=%s", cases[c].path, cases[c].fields[f],
					 payloads[p]);
				if (r.status >= 500 || r.status == 0)
					fail_msg("%s: %d %s", what, r.status, r.body);
				assert_not_reflected(r.body, payloads[p], what);
				reply_free(&r);
				free(body);
			}
	/* the sign-in form's fields */
	for (size_t p = 0; p < sizeof payloads / sizeof payloads[0]; p++) {
		const char *fields[][2] = {{"login", "password"}, {"password", "login"}, {"next", NULL}};
		for (int k = 0; k < 3; k++) {
			char *body = k == 0   ? form("login", payloads[p], "password", "x", NULL)
				     : k == 1 ? form("login", "office1", "password", payloads[p], NULL)
					      : form("login", "office1", "password", "wrong password", "next",
						     payloads[p], NULL);
			reply r;
			send(&r, "POST", "/login", body, &(req_opts){.addr = "192.0.2.70"});
			free(body);
			if (r.status != 401 && r.status != 400)
				fail_msg("/login %s=%s: %d", fields[k][0], payloads[p], r.status);
			assert_not_reflected(r.body, payloads[p], "/login");
			reply_free(&r);
		}
	}
	/* the workspace's query parameters */
	const char *queries[] = {"/office/audit?login=",
				 "/office/audit?target=",
				 "/office/audit?action=",
				 "/office/audit?since=",
				 "/office/lint?state=",
				 "/office/lint?plan=",
				 "/office/diff?old=sendai-2024-draft%401&new=",
				 "/login?next=",
				 "/office/lint/accept.tsv?plan="};
	for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++)
		for (size_t p = 0; p < sizeof payloads / sizeof payloads[0]; p++) {
			sasae_buf t = SASAE_BUF_INIT;
			sasae_buf_puts(&t, queries[q]);
			sasae_url_encode(&t, payloads[p], strlen(payloads[p]));
			reply r;
			send(&r, "GET", sasae_buf_cstr(&t), NULL, &(req_opts){.sid = a->sid, .addr = a->addr});
			if (r.status >= 500 || r.status == 0)
				fail_msg("GET %s: %d %s", sasae_buf_cstr(&t), r.status, r.body);
			assert_not_reflected(r.body, payloads[p], sasae_buf_cstr(&t));
			assert_true(strchr(r.location, '\r') == NULL && strchr(r.location, '\n') == NULL);
			reply_free(&r);
			sasae_buf_free(&t);
		}
	/* bytes no form may carry: a NUL, invalid UTF-8, an overlong "/" (C0 AF) */
	const char *raw[] = {"text=a%00b", "text=%FF%FE", "text=%C0%AF", "text=%E3%81"};
	for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
		char body[200];
		snprintf(body, sizeof body, "csrf=%s&on=program&program=%s&%s", a->csrf, prog_a, raw[i]);
		reply r;
		send(&r, "POST", "/office/comments", body, &(req_opts){.sid = a->sid, .addr = a->addr});
		assert_int_equal(r.status, 400);
		reply_free(&r);
	}
	/* a NUL inside the raw body (not percent-encoded) */
	char nul[160];
	int n = snprintf(nul, sizeof nul, "csrf=%s&on=program&program=%s&text=a", a->csrf, prog_a);
	nul[n] = '\0';
	memcpy(nul + n + 1, "b", 2);
	reply r;
	send(&r, "POST", "/office/comments", nul,
	     &(req_opts){.sid = a->sid, .addr = a->addr, .body_len = (size_t)n + 2});
	assert_true(r.status == 400 || r.status == 303);
	reply_free(&r);

	/* stored values are escaped wherever they are shown */
	const char *xss = "<script>alert(1)</script>";
	char *body = form("csrf", a->csrf, "on", "program", "program", prog_a, "text", xss, NULL);
	send(&r, "POST", "/office/comments", body, &(req_opts){.sid = a->sid, .addr = a->addr});
	free(body);
	assert_int_equal(r.status, 303);
	reply_free(&r);
	body = form("csrf", a->csrf, "title", "\"><img src=x onerror=alert(1)>", NULL);
	send(&r, "POST", spec_title, body, &(req_opts){.sid = a->sid, .addr = a->addr});
	free(body);
	assert_true(r.status == 303 || r.status == 400);
	reply_free(&r);
	const char *shown[] = {tags_a, "/office/audit", spec_title};
	for (size_t i = 0; i < 3; i++) {
		const char *path = i == 2 ? "/office/plans/sendai-2024-draft%401" : shown[i];
		send(&r, "GET", path, NULL, &(req_opts){.sid = a->sid, .addr = a->addr});
		assert_int_equal(r.status, 200);
		assert_not_reflected(r.body, xss, path);
		assert_not_reflected(r.body, "\"><img src=x onerror=alert(1)>", path);
		reply_free(&r);
	}
	send(&r, "GET", "/office/audit.csv", NULL, &(req_opts){.sid = a->sid});
	assert_int_equal(r.status, 200);
	reply_free(&r);

	/* the database is intact: the users, the plan, the audit log, the public pages */
	sasae_error err = {0};
	sasae_user *users = NULL;
	size_t nusers = 0;
	assert_int_equal(sasae_user_list(store, &users, &nusers, &err), 0);
	assert_true(nusers >= NACTORS - 1);
	bool office = false;
	for (size_t i = 0; i < nusers; i++)
		office |= strcmp(users[i].login, "office1") == 0 &&
			  sasae_user_has(&users[i], SASAE_ROLE_OFFICE);
	assert_true(office);
	sasae_users_free(users, nusers);
	sasae_plan_info *plans = NULL;
	size_t nplans = 0;
	assert_int_equal(sasae_store_plans(store, &plans, &nplans, &err), 0);
	assert_int_equal(nplans, 1);
	assert_int_equal(plans[0].version, 2);
	sasae_plan_infos_free(plans, nplans);
	assert_true(audit_total() > 0);
	send(&r, "GET", "/programs/p0001", NULL, NULL);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	sign_in_on(web, "office1", "192.0.2.71", NULL, a->sid, a->csrf); /* accounts still work */
}

/* What people type goes out in the CSV files as text: a triage reason or a comment starting with "="
   cannot become a formula when the office opens the file in a spreadsheet (CWE-1236). */
static void test_csv_injection(void **state)
{
	(void)state;
	actor *a = &actors[OFFICE];
	const char *formula = "=HYPERLINK(\"http://example.invalid/\",\"ok\")";
	reply r;
	char *body = form("csrf", a->csrf, "plan", SLUG, "kind", finding_kind, "place", finding_place,
			  "state", "accepted", "reason", formula, "view", "", "back", "all", NULL);
	send(&r, "POST", "/office/lint/triage", body, &(req_opts){.sid = a->sid, .addr = a->addr});
	free(body);
	assert_int_equal(r.status, 303);
	reply_free(&r);
	const char *files[] = {"/office/lint/decisions.csv", "/office/audit.csv"};
	for (size_t i = 0; i < 2; i++) {
		send(&r, "GET", files[i], NULL, &(req_opts){.sid = a->sid});
		assert_int_equal(r.status, 200);
		/* the cell is quoted and starts with an apostrophe; no cell starts with the formula */
		if (i == 0)
			assert_non_null(strstr(r.body, "\"'=HYPERLINK(\"\"http://example.invalid/\"\""));
		else /* for Excel: a BOM and the header in Japanese */
			assert_memory_equal(r.body,
					    "\xEF\xBB\xBF番号,日時,利用者,アドレス,操作,対象,変更前,変更後\r\n",
					    strlen("\xEF\xBB\xBF番号,日時,利用者,アドレス,操作,対象,変更前,変更後\r\n"));
		assert_null(strstr(r.body, ",=HYPERLINK"));
		assert_null(strstr(r.body, ",\"=HYPERLINK"));
		assert_null(strstr(r.body, "\n=HYPERLINK"));
		reply_free(&r);
	}
}

/* A form that fails keeps what was typed and says what is wrong next to the field. */
static void test_form_errors(void **state)
{
	(void)state;
	actor *a = &actors[OFFICE];
	reply r;
	/* 許容 without a reason */
	char *body = form("csrf", a->csrf, "plan", SLUG, "kind", finding_kind, "place", finding_place,
			  "state", "accepted", "reason", "", "view", "", "back", "all", NULL);
	send(&r, "POST", "/office/lint/triage", body, &(req_opts){.sid = a->sid, .addr = a->addr});
	free(body);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "class=\"field-error\""));
	assert_non_null(strstr(r.body, "aria-invalid=\"true\""));
	reply_free(&r);
	/* a data file that does not parse: "name:line: …" next to the field, the text kept */
	body = form("csrf", a->csrf, "text", "# 語彙\nwho\tno-such-column-count\n", NULL);
	size_t before = audit_total();
	send(&r, "POST", "/office/files/vocabulary.tsv", body, &(req_opts){.sid = a->sid, .addr = a->addr});
	free(body);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "id=\"text-error\">vocabulary.tsv:"));
	assert_non_null(strstr(r.body, "no-such-column-count"));
	assert_non_null(strstr(r.body, "aria-describedby=\"text-hint text-error\""));
	assert_int_equal(audit_total(), before);
	reply_free(&r);
	/* an empty comment */
	body = form("csrf", a->csrf, "on", "program", "program", prog_a, "text", "  ", NULL);
	send(&r, "POST", "/office/comments", body, &(req_opts){.sid = a->sid, .addr = a->addr});
	free(body);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "id=\"comment-error\""));
	reply_free(&r);
	/* a tag that does not exist */
	char path[64];
	snprintf(path, sizeof path, "/office/programs/%s/tags", prog_a);
	body = form("csrf", a->csrf, "changes", "+need:no-such-need", "reason", "理由", NULL);
	send(&r, "POST", path, body, &(req_opts){.sid = a->sid, .addr = a->addr});
	free(body);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "id=\"changes-error\""));
	assert_non_null(strstr(r.body, "value=\"+need:no-such-need\""));
	reply_free(&r);
	/* an audit filter that is not a date */
	send(&r, "GET", "/office/audit?since=yesterday", NULL, &(req_opts){.sid = a->sid});
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "id=\"f-since-error\""));
	reply_free(&r);
	/* sign-in without a password */
	body = form("login", "office1", "password", "", NULL);
	send(&r, "POST", "/login", body, NULL);
	free(body);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "id=\"password-error\""));
	assert_non_null(strstr(r.body, "value=\"office1\""));
	reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_authorization_matrix),
		cmocka_unit_test(test_read_roles),
		cmocka_unit_test(test_fixation_and_logout),
		cmocka_unit_test(test_no_open_redirect),
		cmocka_unit_test(test_origin),
		cmocka_unit_test(test_private_answers),
		cmocka_unit_test(test_publish_applies),
		cmocka_unit_test(test_form_errors),
		cmocka_unit_test(test_payloads),
		cmocka_unit_test(test_csv_injection),
		cmocka_unit_test(test_password_change),
		cmocka_unit_test(test_secure_cookie),
		cmocka_unit_test(test_lockout),
		cmocka_unit_test(test_expiry),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
