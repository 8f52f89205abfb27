/*
 * accounts.c — people who sign in, their roles, the password policy, signing in with lockout,
 * sessions and CSRF tokens, and the audit log (include/core/sasae/accounts.h).  The rules live
 * here; the rows are kept by the store's backend (src/store/backend.h, version 2).  Every change is
 * one transaction that writes its audit row (acct_audit) before it commits.
 *
 * Secrets: passwords are hashed with crypto_pwhash_str (argon2id, interactive limits) and checked
 * with crypto_pwhash_str_verify; a session id is 32 random bytes, base64url in the cookie, stored as
 * its BLAKE2b-256 digest; the CSRF token is keyed BLAKE2b of a constant with the id's bytes as the
 * key.  None of them reaches an audit row, an error message or a log.
 */
#include "accounts_internal.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <utf8proc.h>

#include "sasae/buf.h"
#include "sasae/departments.h"
#include "sasae/escape.h"
#include "sasae/model.h"
#include "sasae/office.h"
#include "sasae/utf8.h"

/* ---- shared helpers (accounts_internal.h) ---- */

int acct_oom(sasae_error *err) { return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません"); }

void acct_iso(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}

/* Unix seconds t and milliseconds ms as "YYYY-MM-DDTHH:MM:SS.mmmZ". */
static void iso_ms(int64_t t, int ms, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm) != 19) {
		snprintf(out, 32, "1970-01-01T00:00:00.000Z");
		return;
	}
	out[19] = '.';
	out[20] = (char)('0' + ms / 100 % 10);
	out[21] = (char)('0' + ms / 10 % 10);
	out[22] = (char)('0' + ms % 10);
	out[23] = 'Z';
	out[24] = '\0';
}

void acct_iso_ms(int64_t t, char out[32]) { iso_ms(t, 0, out); }

void acct_now_ms(char out[32])
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	iso_ms((int64_t)ts.tv_sec, (int)(ts.tv_nsec / 1000000), out);
}

json_t *acct_json_str(const char *s) { return s ? json_string(s) : json_null(); }

int acct_audit(sasae_store_backend *b, const sasae_actor *who, const char *login_as, const char *action,
	       const char *target, unsigned has, json_t *before, json_t *after, const char *at,
	       sasae_error *err)
{
	char now[32];
	if (at == NULL) {
		acct_now_ms(now);
		at = now;
	}
	char *bj = (has & ACCT_BEFORE) && before ? json_dumps(before, JSON_COMPACT) : NULL;
	char *aj = (has & ACCT_AFTER) && after ? json_dumps(after, JSON_COMPACT) : NULL;
	int rc = 0;
	if (((has & ACCT_BEFORE) && bj == NULL) || ((has & ACCT_AFTER) && aj == NULL)) {
		rc = acct_oom(err);
	} else {
		sasae_audit_entry e = {
			.at = (char *)(uintptr_t)at,
			.login = (char *)(uintptr_t)(login_as            ? login_as
						     : who && who->login ? who->login
									 : ""),
			.address = (char *)(uintptr_t)(who && who->address ? who->address : ""),
			.action = (char *)(uintptr_t)action,
			.target = (char *)(uintptr_t)target,
			.before = bj,
			.after = aj,
		};
		rc = b->audit_add(b, &e, err);
	}
	free(bj);
	free(aj);
	json_decref(before);
	json_decref(after);
	return rc;
}

int sasae_audit_add_in(sasae_store *s, const sasae_actor *who, const char *action, const char *target,
		       const char *before, const char *after, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	sasae_actor cli = SASAE_ACTOR_CLI;
	if (who == NULL)
		who = &cli;
	char now[32];
	acct_now_ms(now);
	sasae_audit_entry e = {
		.at = now,
		.login = (char *)(uintptr_t)(who->login ? who->login : ""),
		.address = (char *)(uintptr_t)(who->address ? who->address : ""),
		.action = (char *)(uintptr_t)action,
		.target = (char *)(uintptr_t)target,
		.before = (char *)(uintptr_t)before,
		.after = (char *)(uintptr_t)after,
	};
	return b->audit_add(b, &e, err);
}

int acct_finish(sasae_store_backend *b, int rc, sasae_error *err)
{
	if (rc == 0)
		return b->tx_commit(b, err);
	b->tx_rollback(b);
	return rc;
}

bool acct_text_ok(const char *s, bool multiline, size_t max, size_t *ncp, const char **why)
{
	size_t len = strlen(s), bad, n = 0;
	*why = NULL;
	if (!sasae_utf8_valid(s, len, &bad)) {
		*why = "utf8";
		return false;
	}
	for (size_t i = 0; i < len;) {
		int32_t cp;
		size_t k = sasae_utf8_decode(s + i, len - i, &cp);
		if (k == 0)
			k = 1;
		i += k;
		n++;
		bool ctl = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
		if (ctl && !(multiline && (cp == '\n' || cp == '\r' || cp == '\t'))) {
			*why = "control";
			return false;
		}
	}
	if (ncp)
		*ncp = n;
	if (n > max) {
		*why = "long";
		return false;
	}
	return true;
}

/* libsodium initialised once per process, and the hash that an unknown login is checked against
   (so that it costs the same time as a known one). */
static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static bool sodium_ready;
static char dummy_hash[crypto_pwhash_STRBYTES];

static void sodium_setup(void)
{
	if (sodium_init() < 0)
		return;
	unsigned char pw[32];
	randombytes_buf(pw, sizeof pw);
	if (crypto_pwhash_str(dummy_hash, (const char *)pw, sizeof pw, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return;
	sodium_memzero(pw, sizeof pw);
	sodium_ready = true;
}

static int need_sodium(sasae_error *err)
{
	pthread_once(&sodium_once, sodium_setup);
	if (!sodium_ready)
		return sasae_error_set(err, SASAE_EINTERNAL, NULL, 0,
				       "libsodium を初期化できません（メモリが足りない可能性があります）");
	return 0;
}

/* ---- roles ---- */

static const struct {
	const char *name, *label;
	bool per_department;
} roles[SASAE_NROLES] = {
	[SASAE_ROLE_ADMIN] = {"admin", "管理者", false},
	[SASAE_ROLE_OFFICE] = {"office", "計画所管課", false},
	[SASAE_ROLE_EDITOR] = {"editor", "担当課 編集者", true},
	[SASAE_ROLE_APPROVER] = {"approver", "担当課 承認者", true},
	[SASAE_ROLE_COUNCIL] = {"council", "審議会", false},
};

const char *sasae_role_name(sasae_role r) { return (unsigned)r < SASAE_NROLES ? roles[r].name : "?"; }

const char *sasae_role_label(sasae_role r) { return (unsigned)r < SASAE_NROLES ? roles[r].label : "?"; }

bool sasae_role_per_department(sasae_role r) { return (unsigned)r < SASAE_NROLES && roles[r].per_department; }

int sasae_role_parse(const char *name, sasae_role *out, sasae_error *err)
{
	for (int i = 0; i < SASAE_NROLES; i++)
		if (name && strcmp(name, roles[i].name) == 0) {
			*out = (sasae_role)i;
			return 0;
		}
	return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
			       "役割「%.64s」はありません。admin（管理者）、office（計画所管課）、editor（担当課 編集者）、"
			       "approver（担当課 承認者）、council（審議会）のどれかを指定してください",
			       name && sasae_utf8_valid(name, strlen(name), NULL) ? name : "?");
}

/* ---- users ---- */

void sasae_user_clear(sasae_user *u)
{
	if (u == NULL)
		return;
	free(u->login);
	free(u->display_name);
	free(u->created_at);
	free(u->last_login_at);
	for (size_t i = 0; i < u->ngrants; i++)
		free(u->grants[i].department);
	free(u->grants);
	memset(u, 0, sizeof *u);
}

void sasae_users_free(sasae_user *users, size_t n)
{
	for (size_t i = 0; users && i < n; i++)
		sasae_user_clear(&users[i]);
	free(users);
}

bool sasae_user_has(const sasae_user *u, sasae_role r)
{
	for (size_t i = 0; u && i < u->ngrants; i++)
		if (u->grants[i].role == r)
			return true;
	return false;
}

bool sasae_user_has_in(const sasae_user *u, sasae_role r, const char *dept)
{
	for (size_t i = 0; u && dept && i < u->ngrants; i++)
		if (u->grants[i].role == r && u->grants[i].department &&
		    strcmp(u->grants[i].department, dept) == 0)
			return true;
	return false;
}

unsigned sasae_user_role_bits(const sasae_user *u)
{
	unsigned bits = 0;
	for (size_t i = 0; u && i < u->ngrants; i++)
		if ((unsigned)u->grants[i].role < SASAE_NROLES)
			bits |= 1u << u->grants[i].role;
	return bits;
}

/* Whether login has the form of a login: [a-z0-9._-]{1,64}. */
static bool login_valid(const char *login)
{
	size_t n = login ? strlen(login) : 0;
	return n >= 1 && n <= 64 && strspn(login, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

int sasae_login_check(const char *login, sasae_error *err)
{
	if (login_valid(login))
		return 0;
	return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
			       "ログイン名は英小文字・数字・「.」「_」「-」で 1〜64 文字にしてください");
}

static int not_found_user(const char *login, sasae_error *err)
{
	return sasae_error_set(err, SASAE_ENOTFOUND, NULL, 0,
			       "ログイン名「%s」の利用者はいません。「sasae user list」で確かめてください",
			       login_valid(login) ? login : "?");
}

/* The password's NFC form (malloc'd), or NULL when it is not valid UTF-8 or memory ran out. */
static char *password_nfc(const char *password)
{
	if (password == NULL || !sasae_utf8_valid(password, strlen(password), NULL))
		return NULL;
	return (char *)utf8proc_NFC((const utf8proc_uint8_t *)password);
}

int sasae_password_check(const char *login, const char *password, sasae_error *err)
{
	if (password == NULL || !sasae_utf8_valid(password, strlen(password), NULL))
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "パスワードが UTF-8 の文字列ではありません。入力し直してください");
	char *nfc = password_nfc(password);
	if (nfc == NULL)
		return acct_oom(err);
	size_t n = 0;
	const char *why = NULL;
	acct_text_ok(nfc, false, (size_t)-1, &n, &why);
	int rc = 0;
	if (why && strcmp(why, "control") == 0)
		rc = sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				     "パスワードに制御文字（改行・タブなど）は使えません");
	else if (n < 12)
		rc = sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				     "パスワードは 12 文字以上にしてください（いまは %zu 文字）。長い文や単語の組み合わせが覚えやすく安全です",
				     n);
	else if (n > 128)
		rc = sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				     "パスワードは 128 文字以内にしてください（いまは %zu 文字）", n);
	else if (login && strcasecmp(nfc, login) == 0)
		rc = sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				     "パスワードにログイン名と同じ文字列は使えません");
	sodium_memzero(nfc, strlen(nfc));
	free(nfc);
	return rc;
}

/* Check the policy and hash password into out (crypto_pwhash_STRBYTES). */
static int hash_password(const char *login, const char *password, char out[crypto_pwhash_STRBYTES],
			 sasae_error *err)
{
	int rc = need_sodium(err);
	if (rc || (rc = sasae_password_check(login, password, err)) != 0)
		return rc;
	char *nfc = password_nfc(password);
	if (nfc == NULL)
		return acct_oom(err);
	size_t n = strlen(nfc);
	if (crypto_pwhash_str(out, nfc, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "パスワードの処理にメモリが足りません");
	sodium_memzero(nfc, n);
	free(nfc);
	return rc;
}

int sasae_user_list(sasae_store *s, sasae_user **out, size_t *n, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	return b->user_list(b, out, n, err);
}

int sasae_user_get(sasae_store *s, const char *login, sasae_user *out, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	memset(out, 0, sizeof *out);
	if (!login_valid(login))
		return not_found_user(login, err);
	int rc = b->user_get(b, login, 0, out, NULL, err);
	if (rc == SASAE_ENOTFOUND)
		return not_found_user(login, err);
	return rc;
}

/* "user:LOGIN" into out. */
static void user_target(const char *login, char out[80]) { snprintf(out, 80, "user:%s", login); }

int sasae_user_add(sasae_store *s, const sasae_actor *who, const char *login, const char *display_name,
		   const char *password, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	int rc = sasae_login_check(login, err);
	if (rc)
		return rc;
	const char *why;
	if (display_name == NULL)
		display_name = "";
	if (!acct_text_ok(display_name, false, 100, NULL, &why))
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       strcmp(why, "long") == 0
					       ? "表示名は 100 文字以内にしてください"
					       : "表示名に使えない文字（制御文字や UTF-8 でないもの）があります");
	sasae_user u;
	if ((rc = b->user_get(b, login, 0, &u, NULL, err)) == 0) {
		sasae_user_clear(&u);
		return sasae_error_set(err, SASAE_ECONFLICT, NULL, 0,
				       "ログイン名「%s」はすでに使われています", login);
	}
	if (rc != SASAE_ENOTFOUND)
		return rc;
	char hash[crypto_pwhash_STRBYTES];
	if ((rc = hash_password(login, password, hash, err)) != 0)
		return rc;
	char created[32], target[80];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	acct_iso((int64_t)ts.tv_sec, created);
	user_target(login, target);
	if ((rc = b->tx_begin(b, err)) != 0)
		return rc;
	rc = b->user_get(b, login, 0, &u, NULL, err); /* again, inside the transaction */
	if (rc == 0) {
		sasae_user_clear(&u);
		rc = sasae_error_set(err, SASAE_ECONFLICT, NULL, 0, "ログイン名「%s」はすでに使われています",
				     login);
	} else if (rc == SASAE_ENOTFOUND) {
		int64_t id = 0;
		rc = b->user_insert(b, login, display_name, hash, created, &id, err);
		if (rc == 0)
			rc = acct_audit(b, who, NULL, "user.add", target, ACCT_AFTER, NULL,
					json_pack("{s:s, s:s}", "login", login, "display_name", display_name),
					NULL, err);
	}
	sodium_memzero(hash, sizeof hash);
	return acct_finish(b, rc, err);
}

int sasae_user_passwd(sasae_store *s, const sasae_actor *who, const char *login, const char *password,
		      sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	sasae_user u;
	int rc = sasae_user_get(s, login, &u, err);
	if (rc)
		return rc;
	sasae_user_clear(&u);
	char hash[crypto_pwhash_STRBYTES];
	if ((rc = hash_password(login, password, hash, err)) != 0)
		return rc;
	char target[80];
	user_target(login, target);
	if ((rc = b->tx_begin(b, err)) != 0)
		return rc;
	if ((rc = b->user_get(b, login, 0, &u, NULL, err)) == SASAE_ENOTFOUND)
		rc = not_found_user(login, err);
	size_t ended = 0;
	if (rc == 0)
		rc = b->user_set_hash(b, u.id, hash, err);
	if (rc == 0)
		rc = b->session_delete_user(b, u.id, &ended, err);
	if (rc == 0)
		rc = acct_audit(b, who, NULL, "user.passwd", target, ACCT_AFTER, NULL,
				json_pack("{s:b, s:I}", "password_changed", 1, "sessions_ended",
					  (json_int_t)ended),
				NULL, err);
	sasae_user_clear(&u);
	sodium_memzero(hash, sizeof hash);
	return acct_finish(b, rc, err);
}

/* Check department for a grant against the department table in force: a canonical name passes; an
   alias or an unknown name is SASAE_EUSAGE naming what to give instead. */
static int check_department(sasae_store *s, const char *dept, sasae_error *err)
{
	const char *why;
	if (!acct_text_ok(dept, false, 100, NULL, &why))
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0, "部署名に使えない文字があるか、長すぎます");
	sasae_dept_table *t = NULL;
	int rc = sasae_office_departments(s, &t, err);
	if (rc)
		return rc;
	const char *canon = sasae_dept_table_canonical(t, dept);
	if (canon == NULL)
		rc = sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				     "部署「%s」は部署の表（departments.tsv）にありません。正式な部署名を指定してください",
				     dept);
	else if (strcmp(canon, dept) != 0)
		rc = sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				     "部署「%s」は「%s」の別名です。正式な名前「%s」を指定してください", dept,
				     canon, canon);
	sasae_dept_table_free(t);
	return rc;
}

int sasae_user_role(sasae_store *s, const sasae_actor *who, const char *login, bool grant, sasae_role role,
		    const char *department, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	if ((unsigned)role >= SASAE_NROLES)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0, "役割の番号 %d はありません", (int)role);
	if (department && *department == '\0')
		department = NULL;
	if (sasae_role_per_department(role) && department == NULL)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "役割「%s」（%s）は部署ごとの役割です。部署を指定してください",
				       sasae_role_name(role), sasae_role_label(role));
	if (!sasae_role_per_department(role) && department)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "役割「%s」（%s）は部署ごとの役割ではありません。部署は指定できません",
				       sasae_role_name(role), sasae_role_label(role));
	sasae_user u;
	int rc = sasae_user_get(s, login, &u, err);
	if (rc)
		return rc;
	/* a department is checked when granting, and when revoking a grant that is not there (to say
	   what the name should have been); a grant held under a name since removed can be revoked */
	if (department && (grant || !sasae_user_has_in(&u, role, department)) &&
	    (rc = check_department(s, department, err)) != 0) {
		sasae_user_clear(&u);
		return rc;
	}
	sasae_user_clear(&u);
	char target[80];
	user_target(login, target);
	if ((rc = b->tx_begin(b, err)) != 0)
		return rc;
	if ((rc = b->user_get(b, login, 0, &u, NULL, err)) == SASAE_ENOTFOUND)
		rc = not_found_user(login, err);
	bool changed = false;
	if (rc == 0)
		rc = b->grant_put(b, u.id, grant, (int)role, department ? department : "", &changed, err);
	if (rc == 0 && changed) {
		json_t *g = json_pack("{s:s, s:o}", "role", sasae_role_name(role), "department",
				      acct_json_str(department));
		rc = acct_audit(b, who, NULL, grant ? "user.role.grant" : "user.role.revoke", target,
				grant ? ACCT_AFTER : ACCT_BEFORE, grant ? NULL : g, grant ? g : NULL, NULL,
				err);
	}
	sasae_user_clear(&u);
	return acct_finish(b, rc, err);
}

int sasae_user_disable(sasae_store *s, const sasae_actor *who, const char *login, bool disabled,
		       sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	sasae_user u;
	int rc = sasae_user_get(s, login, &u, err);
	if (rc)
		return rc;
	sasae_user_clear(&u);
	char target[80];
	user_target(login, target);
	if ((rc = b->tx_begin(b, err)) != 0)
		return rc;
	if ((rc = b->user_get(b, login, 0, &u, NULL, err)) == SASAE_ENOTFOUND)
		rc = not_found_user(login, err);
	if (rc == 0 && u.disabled != disabled) {
		size_t ended = 0;
		rc = b->user_set_disabled(b, u.id, disabled, err);
		if (rc == 0 && disabled)
			rc = b->session_delete_user(b, u.id, &ended, err);
		if (rc == 0)
			rc = acct_audit(b, who, NULL, disabled ? "user.disable" : "user.enable", target,
					ACCT_BOTH, json_pack("{s:b}", "disabled", !disabled),
					disabled ? json_pack("{s:b, s:I}", "disabled", 1, "sessions_ended",
							     (json_int_t)ended)
						 : json_pack("{s:b}", "disabled", 0),
					NULL, err);
	}
	sasae_user_clear(&u);
	return acct_finish(b, rc, err);
}

/* ---- signing in ---- */

sasae_login_policy sasae_login_policy_default(void)
{
	return (sasae_login_policy){
		.idle_seconds = 1800,
		.absolute_seconds = 43200,
		.account_failures = 5,
		.address_failures = 20,
		.window_seconds = 900,
		.lockout_seconds = 900,
	};
}

void sasae_session_clear(sasae_session *s)
{
	if (s == NULL)
		return;
	sasae_user_clear(&s->user);
	sodium_memzero(s->csrf, sizeof s->csrf);
	memset(s, 0, sizeof *s);
}

/* The 32 bytes of a session id as the cookie carries it (43 base64url characters); false when id
   does not have that form. */
static bool id_decode(const char *id, unsigned char raw[32])
{
	if (id == NULL || strlen(id) != SASAE_SESSION_ID_LEN)
		return false;
	size_t n = 0;
	if (sodium_base642bin(raw, 32, id, SASAE_SESSION_ID_LEN, NULL, &n, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n != 32)
		return false;
	return true;
}

/* The digest a session is stored under. */
static void id_digest(const unsigned char raw[32], unsigned char out[32])
{
	crypto_generichash(out, 32, raw, 32, NULL, 0);
}

/* The CSRF token of the session whose id's bytes are raw (SASAE_CSRF_TOKEN_LEN + 1 bytes). */
static void csrf_derive(const unsigned char raw[32], char out[SASAE_CSRF_TOKEN_LEN + 1])
{
	static const char label[] = "sasae csrf token v1";
	unsigned char mac[32];
	crypto_generichash(mac, sizeof mac, (const unsigned char *)label, sizeof label - 1, raw, 32);
	sodium_bin2base64(out, SASAE_CSRF_TOKEN_LEN + 1, mac, sizeof mac,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(mac, sizeof mac);
}

bool sasae_csrf_check(const char *id, const char *token)
{
	if (need_sodium(NULL) != 0)
		return false;
	unsigned char raw[32];
	if (!id_decode(id, raw) || token == NULL || strlen(token) != SASAE_CSRF_TOKEN_LEN)
		return false;
	char want[SASAE_CSRF_TOKEN_LEN + 1];
	csrf_derive(raw, want);
	bool ok = sodium_memcmp(want, token, SASAE_CSRF_TOKEN_LEN) == 0;
	sodium_memzero(raw, sizeof raw);
	sodium_memzero(want, sizeof want);
	return ok;
}

/* The login as typed, made safe to keep (audit row, failure counter): at most 64 code points of
   valid UTF-8, control characters and invalid bytes as '?', ASCII letters in lower case for the
   counter (lower true). */
static void typed_login(const char *login, bool lower, char out[260])
{
	size_t o = 0, n = 0, len = login ? strlen(login) : 0;
	for (size_t i = 0; i < len && n < 64 && o + 4 < 260; n++) {
		int32_t cp = -1;
		size_t k = sasae_utf8_decode(login + i, len - i, &cp);
		if (k == 0 || cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
			out[o++] = '?';
			i += k ? k : 1;
			continue;
		}
		for (size_t j = 0; j < k; j++) {
			char c = login[i + j];
			out[o++] = lower && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
		}
		i += k;
	}
	out[o] = '\0';
}

/*
 * Whether kind/key is locked at now: `limit` failures within window_seconds up to its last failure,
 * and now is less than lockout_seconds after that last one.  *until is raised to the time it opens
 * again.
 */
static int locked(sasae_store_backend *b, const sasae_login_policy *p, const char *kind, const char *key,
		  int limit, int64_t now, int64_t *until, sasae_error *err)
{
	int count = 0;
	int64_t last = 0, ignored = 0;
	if (limit <= 0)
		return 0;
	/* the last failure that can still hold a lock … */
	int rc = b->failure_count(b, kind, key, now - p->lockout_seconds, &count, &last, err);
	if (rc || count == 0)
		return rc;
	/* … and the failures of the window that ends with it */
	if ((rc = b->failure_count(b, kind, key, last - p->window_seconds, &count, &ignored, err)) != 0)
		return rc;
	if (count >= limit && now < last + p->lockout_seconds && last + p->lockout_seconds > *until)
		*until = last + p->lockout_seconds;
	return 0;
}

int sasae_password_change(sasae_store *s, const sasae_login_policy *p, const sasae_actor *who,
			  const char *current, const char *new_password, int64_t now, int64_t *retry_at,
			  sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	sasae_login_policy dflt = sasae_login_policy_default();
	if (p == NULL)
		p = &dflt;
	if (retry_at)
		*retry_at = 0;
	int rc = need_sodium(err);
	if (rc)
		return rc;
	if (who == NULL || who->login == NULL || !login_valid(who->login))
		return sasae_error_set(err, SASAE_EAUTH, NULL, 0, "ログインしていません");
	const char *login = who->login;
	char key[260], at[32], target[300];
	typed_login(login, true, key);
	acct_iso_ms(now, at);
	snprintf(target, sizeof target, "user:%s", login);
	const char *addr = who->address ? who->address : "";

	/* the same lockout as sign-in: a stolen session cannot be used to guess the password */
	int64_t until = 0;
	if ((rc = locked(b, p, "login", key, p->account_failures, now, &until, err)) != 0 ||
	    (rc = locked(b, p, "address", addr, p->address_failures, now, &until, err)) != 0)
		return rc;
	if (until > now) {
		if ((rc = b->tx_begin(b, err)) != 0)
			return rc;
		rc = acct_audit(b, who, NULL, "user.passwd-locked", target, 0, NULL, NULL, at, err);
		if ((rc = acct_finish(b, rc, err)) != 0)
			return rc;
		if (retry_at)
			*retry_at = until;
		return sasae_error_set(err, SASAE_ELOCKED, NULL, 0,
				       "パスワードの確認の失敗が続いたため、しばらく変更できません。%lld 分ほどたってからもう一度お試しください",
				       (long long)((until - now + 59) / 60));
	}

	sasae_user u = {0};
	char *hash = NULL;
	rc = b->user_get(b, login, 0, &u, &hash, err);
	if (rc && rc != SASAE_ENOTFOUND)
		return rc;
	bool found = rc == 0;
	char *nfc = password_nfc(current);
	size_t plen = nfc ? strlen(nfc) : 0;
	bool ok = crypto_pwhash_str_verify(found && nfc ? hash : dummy_hash, nfc ? nfc : "", plen) == 0;
	ok = ok && found && nfc != NULL && !u.disabled && plen > 0;
	char *nfc_new = ok ? password_nfc(new_password) : NULL;
	bool same = ok && nfc_new && strcmp(nfc, nfc_new) == 0;
	if (nfc) {
		sodium_memzero(nfc, plen);
		free(nfc);
	}
	if (nfc_new) {
		sodium_memzero(nfc_new, strlen(nfc_new));
		free(nfc_new);
	}
	if (hash) {
		sodium_memzero(hash, strlen(hash));
		free(hash);
	}
	if (found)
		sasae_user_clear(&u);
	if (!ok) {
		if ((rc = b->tx_begin(b, err)) != 0)
			return rc;
		rc = b->failure_add(b, "login", key, now, err);
		if (rc == 0)
			rc = b->failure_add(b, "address", addr, now, err);
		if (rc == 0)
			rc = acct_audit(b, who, NULL, "user.passwd-failed", target, 0, NULL, NULL, at, err);
		if ((rc = acct_finish(b, rc, err)) != 0)
			return rc;
		return sasae_error_set(err, SASAE_EAUTH, NULL, 0, "今のパスワードが違います");
	}
	if (same)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "新しいパスワードが今のパスワードと同じです。別のパスワードにしてください");
	if ((rc = sasae_password_check(login, new_password, err)) != 0)
		return rc;
	return sasae_user_passwd(s, who, login, new_password, err);
}

int sasae_login(sasae_store *s, const sasae_login_policy *p, const char *login, const char *password,
		const char *address, const char *previous_id, int64_t now, char *id_out, int64_t *retry_at,
		sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	sasae_login_policy dflt = sasae_login_policy_default();
	if (p == NULL)
		p = &dflt;
	if (id_out)
		id_out[0] = '\0';
	if (retry_at)
		*retry_at = 0;
	int rc = need_sodium(err);
	if (rc)
		return rc;
	char typed[260], key[260], at[32], target[300];
	typed_login(login, false, typed);
	typed_login(login, true, key);
	acct_iso_ms(now, at);
	snprintf(target, sizeof target, "user:%s", typed);
	const char *addr = address ? address : "";
	sasae_actor who = {.user_id = 0, .login = typed, .address = addr};

	/* locked: nothing is checked, the attempt is audited but not counted (it would extend the lock) */
	int64_t until = 0;
	if ((rc = locked(b, p, "login", key, p->account_failures, now, &until, err)) != 0 ||
	    (rc = locked(b, p, "address", addr, p->address_failures, now, &until, err)) != 0)
		return rc;
	if (until > now) {
		if ((rc = b->tx_begin(b, err)) != 0)
			return rc;
		rc = acct_audit(b, &who, typed, "session.login-locked", target, 0, NULL, NULL, at, err);
		if ((rc = acct_finish(b, rc, err)) != 0)
			return rc;
		if (retry_at)
			*retry_at = until;
		int64_t minutes = (until - now + 59) / 60;
		return sasae_error_set(err, SASAE_ELOCKED, NULL, 0,
				       "ログインの失敗が続いたため、しばらくログインできません。%lld 分ほどたってからもう一度お試しください",
				       (long long)minutes);
	}

	/* the password: always one argon2id verification, against the dummy hash when the login is
	   unknown or the password cannot be right, so that every answer costs the same time */
	sasae_user u = {0};
	char *hash = NULL;
	rc = login_valid(login) ? b->user_get(b, login, 0, &u, &hash, err) : SASAE_ENOTFOUND;
	if (rc && rc != SASAE_ENOTFOUND)
		return rc;
	bool found = rc == 0;
	char *nfc = password_nfc(password);
	size_t plen = nfc ? strlen(nfc) : 0;
	bool ok = crypto_pwhash_str_verify(found && nfc ? hash : dummy_hash, nfc ? nfc : "", plen) == 0;
	ok = ok && found && nfc != NULL && !u.disabled && plen > 0;
	if (nfc) {
		sodium_memzero(nfc, plen);
		free(nfc);
	}
	if (hash) {
		sodium_memzero(hash, strlen(hash));
		free(hash);
	}

	if (!ok) {
		if (found)
			sasae_user_clear(&u);
		if ((rc = b->tx_begin(b, err)) != 0)
			return rc;
		int64_t keep = (int64_t)p->window_seconds + p->lockout_seconds;
		rc = b->failure_clear(b, "login", NULL, now - keep, err); /* forget what no rule looks at */
		if (rc == 0)
			rc = b->failure_add(b, "login", key, now, err);
		if (rc == 0)
			rc = b->failure_add(b, "address", addr, now, err);
		if (rc == 0)
			rc = acct_audit(b, &who, typed, "session.login-failed", target, 0, NULL, NULL, at, err);
		if ((rc = acct_finish(b, rc, err)) != 0)
			return rc;
		return sasae_error_set(err, SASAE_EAUTH, NULL, 0, "ログイン名またはパスワードが違います");
	}

	/* a new session; the one the browser had before (if any) ends: no fixation */
	unsigned char raw[32], digest[32];
	randombytes_buf(raw, sizeof raw);
	id_digest(raw, digest);
	char id[SASAE_SESSION_ID_LEN + 1];
	sodium_bin2base64(id, sizeof id, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char when[32];
	acct_iso(now, when);
	snprintf(target, sizeof target, "user:%s", u.login);
	sasae_actor me = {.user_id = u.id, .login = u.login, .address = addr};
	if ((rc = b->tx_begin(b, err)) == 0) {
		unsigned char prev[32], prev_digest[32];
		if (id_decode(previous_id, prev)) {
			id_digest(prev, prev_digest);
			rc = b->session_delete(b, prev_digest, err);
			sodium_memzero(prev, sizeof prev);
		}
		if (rc == 0)
			rc = b->session_insert(b, digest, u.id, now, addr, err);
		if (rc == 0)
			rc = b->failure_clear(b, "login", key, 0, err);
		if (rc == 0)
			rc = b->user_set_last_login(b, u.id, when, err);
		if (rc == 0)
			rc = acct_audit(b, &me, NULL, "session.login", target, 0, NULL, NULL, at, err);
		rc = acct_finish(b, rc, err);
	}
	sasae_user_clear(&u);
	sodium_memzero(raw, sizeof raw);
	if (rc == 0 && id_out)
		memcpy(id_out, id, sizeof id);
	sodium_memzero(id, sizeof id);
	return rc;
}

static int no_session(sasae_error *err)
{
	return sasae_error_set(err, SASAE_ENOTFOUND, NULL, 0,
			       "ログインしていないか、ログインの有効期限が切れました。もう一度ログインしてください");
}

int sasae_session_get(sasae_store *s, const sasae_login_policy *p, const char *id, int64_t now,
		      sasae_session *out, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	sasae_login_policy dflt = sasae_login_policy_default();
	if (p == NULL)
		p = &dflt;
	memset(out, 0, sizeof *out);
	int rc = need_sodium(err);
	if (rc)
		return rc;
	unsigned char raw[32], digest[32];
	if (!id_decode(id, raw))
		return no_session(err);
	id_digest(raw, digest);
	sasae_backend_session row;
	if ((rc = b->session_get(b, digest, &row, err)) != 0) {
		sodium_memzero(raw, sizeof raw);
		return rc == SASAE_ENOTFOUND ? no_session(err) : rc;
	}
	int64_t idle_end = row.last_seen_at + p->idle_seconds, abs_end = row.signed_in_at + p->absolute_seconds;
	int64_t expires = idle_end < abs_end ? idle_end : abs_end;
	bool gone = now >= expires;
	if (!gone) {
		rc = b->user_get(b, NULL, row.account_id, &out->user, NULL, err);
		if (rc == SASAE_ENOTFOUND || (rc == 0 && out->user.disabled))
			gone = true;
		else if (rc) {
			sodium_memzero(raw, sizeof raw);
			return rc;
		}
	}
	if (gone) { /* expired, or its user disabled or removed: the row goes */
		sasae_session_clear(out);
		sodium_memzero(raw, sizeof raw);
		rc = b->session_delete(b, digest, err);
		return rc ? rc : no_session(err);
	}
	if (now - row.last_seen_at >= 60) { /* marked used at most once a minute */
		if ((rc = b->session_touch(b, digest, now, err)) != 0) {
			sasae_session_clear(out);
			sodium_memzero(raw, sizeof raw);
			return rc;
		}
		row.last_seen_at = now;
		idle_end = now + p->idle_seconds;
		expires = idle_end < abs_end ? idle_end : abs_end;
	}
	csrf_derive(raw, out->csrf);
	sodium_memzero(raw, sizeof raw);
	out->signed_in_at = row.signed_in_at;
	out->last_seen_at = row.last_seen_at;
	out->expires_at = expires;
	return 0;
}

int sasae_logout(sasae_store *s, const char *id, const char *address, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	int rc = need_sodium(err);
	if (rc)
		return rc;
	unsigned char raw[32], digest[32];
	if (!id_decode(id, raw))
		return 0;
	id_digest(raw, digest);
	sodium_memzero(raw, sizeof raw);
	if ((rc = b->tx_begin(b, err)) != 0)
		return rc;
	sasae_backend_session row;
	sasae_user u = {0};
	rc = b->session_get(b, digest, &row, err);
	if (rc == SASAE_ENOTFOUND) {
		b->tx_rollback(b);
		return 0;
	}
	if (rc == 0 && (rc = b->user_get(b, NULL, row.account_id, &u, NULL, err)) == SASAE_ENOTFOUND)
		rc = 0; /* no user: the session goes all the same */
	if (rc == 0)
		rc = b->session_delete(b, digest, err);
	if (rc == 0) {
		char target[80];
		user_target(u.login ? u.login : "", target);
		sasae_actor who = {.user_id = u.id, .login = u.login, .address = address ? address : ""};
		rc = acct_audit(b, &who, NULL, "session.logout", target, 0, NULL, NULL, NULL, err);
	}
	sasae_user_clear(&u);
	return acct_finish(b, rc, err);
}

/* ---- the audit log ---- */

void sasae_audit_free(sasae_audit_entry *e, size_t n)
{
	for (size_t i = 0; e && i < n; i++) {
		free(e[i].at);
		free(e[i].login);
		free(e[i].address);
		free(e[i].action);
		free(e[i].target);
		free(e[i].before);
		free(e[i].after);
	}
	free(e);
}

/* Whether s[0..n) are decimal digits. */
static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/*
 * A date or timestamp of the audit filter as the log's form ("YYYY-MM-DDTHH:MM:SS.mmmZ"): the
 * parts not given are the start of the period (since) or its end (until), so that both bounds are
 * inclusive.  Accepted: YYYY-MM-DD, YYYY-MM-DDTHH:MM, …:SS, …:SS.mmm, each with an optional Z.
 */
static int audit_bound(const char *in, bool end, const char *what, char out[32], sasae_error *err)
{
	size_t n = strlen(in);
	if (n && in[n - 1] == 'Z')
		n--;
	bool ok = n >= 10 && digits(in, 4) && in[4] == '-' && digits(in + 5, 2) && in[7] == '-' &&
		  digits(in + 8, 2);
	int mo = ok ? atoi(in + 5) : 0, d = ok ? atoi(in + 8) : 0;
	ok = ok && mo >= 1 && mo <= 12 && d >= 1 && d <= 31;
	char hh[3] = "00", mm[3] = "00", ss[3] = "00", ms[4] = "000";
	if (end) {
		memcpy(hh, "23", 2), memcpy(mm, "59", 2), memcpy(ss, "59", 2), memcpy(ms, "999", 3);
	}
	if (ok && n > 10) {
		ok = n >= 16 && in[10] == 'T' && digits(in + 11, 2) && in[13] == ':' && digits(in + 14, 2);
		if (ok) {
			memcpy(hh, in + 11, 2), memcpy(mm, in + 14, 2);
			if (n > 16) {
				ok = n >= 19 && in[16] == ':' && digits(in + 17, 2);
				if (ok)
					memcpy(ss, in + 17, 2);
				if (ok && n > 19) {
					ok = n == 23 && in[19] == '.' && digits(in + 20, 3);
					if (ok)
						memcpy(ms, in + 20, 3);
				} else if (ok) {
					memcpy(ms, end ? "999" : "000", 3);
				}
			} else {
				memcpy(ss, end ? "59" : "00", 2);
			}
			ok = ok && atoi(hh) < 24 && atoi(mm) < 60 && atoi(ss) < 60;
		}
	}
	if (!ok)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "%s には日付（例: 2026-04-01）か日時（例: 2026-04-01T09:30:00Z、UTC）を指定してください",
				       what);
	snprintf(out, 32, "%.10sT%s:%s:%s.%sZ", in, hh, mm, ss, ms);
	return 0;
}

int sasae_audit_list(sasae_store *s, const sasae_audit_filter *f, sasae_audit_entry **out, size_t *n,
		     size_t *total, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	*out = NULL;
	*n = 0;
	*total = 0;
	sasae_audit_filter none = {0};
	if (f == NULL)
		f = &none;
	char since[32], until[32];
	sasae_backend_audit_query q = {
		.login = f->login,
		.target = f->target && *f->target ? f->target : NULL,
		.action = f->action && *f->action ? f->action : NULL,
		.limit = f->limit,
		.offset = f->offset,
	};
	if (f->limit < 0 || f->offset < 0)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "件数（limit）と開始位置（offset）は 0 以上にしてください");
	q.action_prefix = q.action && q.action[strlen(q.action) - 1] == '.';
	int rc;
	if (f->since && *f->since) {
		if ((rc = audit_bound(f->since, false, "since", since, err)) != 0)
			return rc;
		q.since = since;
	}
	if (f->until && *f->until) {
		if ((rc = audit_bound(f->until, true, "until", until, err)) != 0)
			return rc;
		q.until = until;
	}
	return b->audit_list(b, &q, out, n, total, err);
}

void sasae_audit_csv(sasae_buf *out, const sasae_audit_entry *e, size_t n, bool excel)
{
	sasae_buf_puts(out, excel ? "\xEF\xBB\xBF番号,日時,利用者,アドレス,操作,対象,変更前,変更後\r\n"
				  : "id,at,login,address,action,target,before,after\r\n");
	for (size_t i = 0; i < n; i++) {
		sasae_buf_appendf(out, "%lld", (long long)e[i].id);
		const char *cells[] = {e[i].at,
				       e[i].login,
				       e[i].address,
				       e[i].action,
				       e[i].target,
				       e[i].before ? e[i].before : "",
				       e[i].after ? e[i].after : ""};
		for (size_t k = 0; k < sizeof cells / sizeof cells[0]; k++) {
			sasae_buf_putc(out, ',');
			sasae_csv_cell(out, cells[k]);
		}
		sasae_buf_puts(out, "\r\n");
	}
}

/* A stored before/after value: the JSON it holds, null for none, the text itself when not JSON. */
static json_t *stored_json(const char *s)
{
	if (s == NULL)
		return json_null();
	json_t *v = json_loads(s, JSON_DECODE_ANY, NULL);
	return v ? v : json_string(s);
}

json_t *sasae_audit_json(const sasae_audit_entry *e, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++) {
		json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "id", (json_int_t)e[i].id,
				      "at", e[i].at, "login", e[i].login, "address", e[i].address, "action",
				      e[i].action, "target", e[i].target, "before", stored_json(e[i].before),
				      "after", stored_json(e[i].after));
		if (o == NULL || json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}
