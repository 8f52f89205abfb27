/*
 * office.c — the changes the plan office's workspace makes (include/core/sasae/office.h): lint
 * triage, the public version, part titles, the office's data files, a program's tag overrides with
 * the department scope, and comments.  Each change is one transaction with its audit row; each input
 * is checked by the loader of the file it would be a line of (sasae_lint_accept_parse,
 * sasae_outline_parse, sasae_dept_table_parse, sasae_finder_data_load), so that the messages are
 * the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts_internal.h"
#include "sasae/buf.h"
#include "sasae/departments.h"
#include "sasae/finder.h"
#include "sasae/lint.h"
#include "sasae/model.h"
#include "sasae/office.h"
#include "sasae/outline.h"
#include "sasae/tags.h"
#include "sasae/text.h"

extern const char sasae_data_departments_tsv[];
extern const size_t sasae_data_departments_tsv_len;

static const char DEPARTMENTS_FILE[] = "departments.tsv";

/* The actor's login for the rows that keep who decided ("" for the operator). */
static const char *actor_login(const sasae_actor *who) { return who && who->login ? who->login : ""; }

static int no_plan(const char *slug, sasae_error *err)
{
	return sasae_error_set(err, SASAE_ENOTFOUND, NULL, 0,
			       "計画「%.100s」はありません。「sasae plans」で確かめてください",
			       slug && sasae_utf8_valid(slug, strlen(slug), NULL) ? slug : "?");
}

/* The id of plan slug, or SASAE_ENOTFOUND with a message. */
static int plan_id(sasae_store_backend *b, const char *slug, int64_t *id, sasae_error *err)
{
	int rc = slug ? b->plan_id(b, slug, id, err) : SASAE_ENOTFOUND;
	return rc == SASAE_ENOTFOUND ? no_plan(slug, err) : rc;
}

/* ---- lint triage ---- */

static const char *const triage_names[] = {"open", "checked", "accepted"};

void sasae_triages_free(sasae_triage *t, size_t n)
{
	for (size_t i = 0; t && i < n; i++) {
		free(t[i].finding);
		free(t[i].reason);
		free(t[i].login);
		free(t[i].at);
	}
	free(t);
}

int sasae_triage_list(sasae_store *s, const char *slug, sasae_triage **out, size_t *n, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	*out = NULL;
	*n = 0;
	int64_t id;
	int rc = plan_id(b, slug, &id, err);
	return rc ? rc : b->triage_list(b, id, out, n, err);
}

/* The canonical key "kind<TAB>part-section-position" of finding, checked as one line of an accept
   file (sasae_lint_accept_parse): SASAE_EUSAGE with its message when it is not one. */
static int finding_key(const char *finding, char out[128], sasae_error *err)
{
	sasae_lint_accept *a = NULL;
	sasae_error e = {0};
	size_t len = finding ? strlen(finding) : 0;
	if (len == 0 || len > 100 || memchr(finding, '\n', len) || memchr(finding, '\r', len))
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "指摘のキーは「種類<TAB>部-施策-位置」の一行にしてください（例: relist-drift<TAB>2-2-9）");
	int rc = sasae_lint_accept_parse(&a, "finding", finding, len, &e);
	if (rc == SASAE_ENOMEM)
		return acct_oom(err);
	if (rc)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0, "指摘のキーが読めません: %s", e.message);
	if (a->n != 1 || a->entries[0].comment) {
		sasae_lint_accept_free(a);
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "指摘のキーは「種類<TAB>部-施策-位置」だけにしてください（例: relist-drift<TAB>2-2-9）");
	}
	const sasae_lint_accept_entry *x = &a->entries[0];
	snprintf(out, 128, "%s\t%d-%d-%d", x->kind, x->part, x->section, x->position);
	sasae_lint_accept_free(a);
	return 0;
}

/* Whether s is empty or only white space (ASCII or ideographic, line breaks included). */
static bool blank(const char *s)
{
	while (*s) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		else if (strncmp(s, "\u3000", 3) == 0)
			s += 3;
		else
			return false;
	}
	return true;
}

static json_t *triage_json(const char *finding, sasae_triage_state state, const char *reason)
{
	return json_pack("{s:s, s:s, s:s}", "finding", finding, "state", triage_names[state], "reason", reason);
}

int sasae_triage_set(sasae_store *s, const sasae_actor *who, const char *slug, const char *finding,
		     sasae_triage_state state, const char *reason, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	char key[128];
	int rc = finding_key(finding, key, err);
	if (rc)
		return rc;
	if ((unsigned)state > SASAE_TRIAGE_ACCEPTED)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "判断（state）は open、checked、accepted のどれかにしてください");
	if (reason == NULL || state == SASAE_TRIAGE_OPEN)
		reason = "";
	const char *why;
	if (!acct_text_ok(reason, false, 1000, NULL, &why))
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       strcmp(why, "long") == 0
					       ? "理由（reason）は 1000 文字以内にしてください"
					       : "理由（reason）に使えない文字（改行などの制御文字）があります");
	if (state == SASAE_TRIAGE_ACCEPTED && blank(reason))
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "「許容」にするには理由（reason）を書いてください。次の版の担当者が判断を確かめられるようにするためです");
	char target[160], at[32];
	snprintf(target, sizeof target, "plan:%s", slug ? slug : "");
	acct_now_ms(at);
	if ((rc = b->tx_begin(b, err)) != 0)
		return rc;
	int64_t pid = 0;
	sasae_triage old = {0};
	bool found = false;
	rc = plan_id(b, slug, &pid, err);
	if (rc == 0)
		rc = b->triage_get(b, pid, key, &old, &found, err);
	if (rc == 0 && state == SASAE_TRIAGE_OPEN) {
		if (found && (rc = b->triage_put(b, pid, key, NULL, err)) == 0)
			rc = acct_audit(b, who, NULL, "lint.triage", target, ACCT_BOTH,
					triage_json(key, old.state, old.reason),
					triage_json(key, SASAE_TRIAGE_OPEN, ""), at, err);
	} else if (rc == 0 && !(found && old.state == state && strcmp(old.reason, reason) == 0)) {
		sasae_triage t = {.finding = key,
				  .state = state,
				  .reason = (char *)(uintptr_t)reason,
				  .login = (char *)(uintptr_t)actor_login(who),
				  .at = at};
		rc = b->triage_put(b, pid, key, &t, err);
		if (rc == 0)
			rc = acct_audit(b, who, NULL, "lint.triage", target, ACCT_BOTH,
					found ? triage_json(key, old.state, old.reason)
					      : triage_json(key, SASAE_TRIAGE_OPEN, ""),
					triage_json(key, state, reason), at, err);
	}
	free(old.finding);
	free(old.reason);
	free(old.login);
	free(old.at);
	return acct_finish(b, rc, err);
}

/* ---- the public version ---- */

int sasae_plan_public_get(sasae_store *s, const char *slug, int *version, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	*version = 0;
	int64_t id;
	int rc = plan_id(b, slug, &id, err);
	return rc ? rc : b->public_get(b, id, version, err);
}

static json_t *version_json(int v)
{
	return json_pack("{s:o}", "version", v ? json_integer(v) : json_null());
}

int sasae_plan_public_set(sasae_store *s, const sasae_actor *who, const char *slug, int version,
			  sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	if (version < 0)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "公開する版（version）は 1 以上の版の番号か、0（最新の版）にしてください");
	char target[160];
	snprintf(target, sizeof target, "plan:%s", slug ? slug : "");
	int rc = b->tx_begin(b, err);
	if (rc)
		return rc;
	int64_t pid = 0;
	int old = 0;
	bool exists = true;
	rc = plan_id(b, slug, &pid, err);
	if (rc == 0 && version > 0 && (rc = b->version_exists(b, pid, version, &exists, err)) == 0 && !exists)
		rc = sasae_error_set(err, SASAE_ENOTFOUND, NULL, 0, "計画「%s」に第%d版はありません", slug,
				     version);
	if (rc == 0)
		rc = b->public_get(b, pid, &old, err);
	if (rc == 0 && old != version) {
		rc = b->public_set(b, pid, version, err);
		if (rc == 0)
			rc = acct_audit(b, who, NULL, "plan.publish", target, ACCT_BOTH, version_json(old),
					version_json(version), NULL, err);
	}
	return acct_finish(b, rc, err);
}

/* ---- part titles ---- */

static json_t *part_json(int part, const char *title)
{
	return json_pack("{s:i, s:o}", "part", part, "title", acct_json_str(title));
}

int sasae_part_title_set(sasae_store *s, const sasae_actor *who, int64_t version_id, int part,
			 const char *title, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	if (part < 1 || part > 1000)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0, "部の番号（part）は 1〜1000 にしてください");
	if (title == NULL)
		title = "";
	const char *why;
	if (!acct_text_ok(title, false, 200, NULL, &why))
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       strcmp(why, "long") == 0
					       ? "部の題名（title）は 200 文字以内にしてください"
					       : "部の題名（title）に使えない文字（改行・タブなどの制御文字）があります");
	/* the title as an outline line would give it (sasae_outline_parse: trimmed) */
	char *newt = NULL;
	if (!blank(title)) {
		sasae_buf line = SASAE_BUF_INIT;
		sasae_buf_appendf(&line, "%d\t%s\n", part, title);
		if (!sasae_buf_ok(&line)) {
			sasae_buf_free(&line);
			return acct_oom(err);
		}
		sasae_outline o;
		sasae_error e = {0};
		int prc = sasae_outline_parse(&o, "outline", line.data, line.len, &e);
		sasae_buf_free(&line);
		if (prc == SASAE_ENOMEM)
			return acct_oom(err);
		if (prc)
			return sasae_error_set(err, SASAE_EUSAGE, NULL, 0, "部の題名が読めません: %s",
					       e.message);
		const char *t = sasae_outline_title(&o, part);
		newt = t && *t ? sasae_strdup(t) : NULL;
		bool bad = t && *t && newt == NULL;
		sasae_outline_clear(&o);
		if (bad)
			return acct_oom(err);
	}
	char *slug = NULL, *old = NULL;
	int seq = 0;
	int rc = b->tx_begin(b, err);
	if (rc) {
		free(newt);
		return rc;
	}
	bool exists = false;
	if ((rc = b->version_label(b, version_id, &slug, &seq, err)) == SASAE_ENOTFOUND)
		rc = sasae_error_set(err, SASAE_ENOTFOUND, NULL, 0, "計画の版が見つかりません");
	if (rc == 0 && (rc = b->part_title_get(b, version_id, part, &exists, &old, err)) == 0 && !exists)
		rc = sasae_error_set(err, SASAE_ENOTFOUND, NULL, 0, "%s 第%d版に部 %d はありません", slug,
				     seq, part);
	if (rc == 0 && !(old == NULL ? newt == NULL : newt && strcmp(old, newt) == 0)) {
		char target[200];
		snprintf(target, sizeof target, "plan:%s@%d", slug, seq);
		rc = b->part_title_put(b, version_id, part, newt, err);
		if (rc == 0)
			rc = acct_audit(b, who, NULL, "plan.part-title", target, ACCT_BOTH,
					part_json(part, old), part_json(part, newt), NULL, err);
	}
	free(slug);
	free(old);
	free(newt);
	return acct_finish(b, rc, err);
}

/* ---- the office's data files ---- */

/* The finder role of name (SASAE_TAGFILE_…), -1 for departments.tsv, -2 for no such file. */
static int file_role(const char *name)
{
	if (name && strcmp(name, DEPARTMENTS_FILE) == 0)
		return -1;
	for (int k = 0; k < SASAE_NTAGFILES; k++)
		if (name && strcmp(name, sasae_tag_file_name(k)) == 0)
			return k;
	return -2;
}

static int no_file(sasae_error *err)
{
	return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
			       "データファイルは departments.tsv、vocabulary.tsv、tag-rules.tsv、tag-overrides.tsv、"
			       "everyday-words.tsv のどれかです");
}

/* The built-in copy of a file of role k (file_role). */
static void builtin(int k, const char **bytes, size_t *len)
{
	if (k == -1) {
		*bytes = sasae_data_departments_tsv;
		*len = sasae_data_departments_tsv_len;
	} else {
		sasae_tag_file_default(k, bytes, len);
	}
}

int sasae_office_file_get(sasae_store *s, const char *name, sasae_store_file *out, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	memset(out, 0, sizeof *out);
	int k = file_role(name);
	if (k == -2)
		return no_file(err);
	int rc = b->finder_file(b, name, out, err);
	if (rc || out->text)
		return rc;
	const char *bytes;
	size_t len;
	builtin(k, &bytes, &len);
	out->text = malloc(len + 1);
	out->source = sasae_strdup("built-in");
	out->loaded_at = sasae_strdup("");
	if (!out->text || !out->source || !out->loaded_at) {
		sasae_store_file_clear(out);
		return acct_oom(err);
	}
	memcpy(out->text, bytes, len);
	out->text[len] = '\0';
	out->len = len;
	return 0;
}

int sasae_office_departments(sasae_store *s, sasae_dept_table **out, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	*out = NULL;
	sasae_store_file f = {0};
	int rc = b->finder_file(b, DEPARTMENTS_FILE, &f, err);
	if (rc == 0 && f.text)
		rc = sasae_dept_table_parse(out, DEPARTMENTS_FILE, f.text, f.len, err);
	else if (rc == 0)
		rc = sasae_dept_table_default(out, err);
	sasae_store_file_clear(&f);
	return rc;
}

/* Check text as the loader of file role k reads it ("name:line: …" on failure). */
static int file_check(sasae_store *s, int k, const char *name, const char *text, size_t len, sasae_error *err)
{
	if (k == -1) {
		sasae_dept_table *t = NULL;
		int rc = sasae_dept_table_parse(&t, name, text, len, err);
		sasae_dept_table_free(t);
		return rc;
	}
	sasae_store_file given[SASAE_NTAGFILES] = {0};
	given[k] = (sasae_store_file){.text = (char *)(uintptr_t)text,
				      .len = len,
				      .source = (char *)(uintptr_t)name};
	sasae_tag_data *d = NULL;
	int rc = sasae_finder_data_load(&d, s, given, err);
	sasae_tag_data_free(d);
	return rc;
}

static json_t *text_json(const char *text, size_t len) { return json_pack("{s:s%}", "text", text, len); }

int sasae_office_file_set(sasae_store *s, const sasae_actor *who, const char *name, const char *text,
			  sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	int k = file_role(name);
	if (k == -2)
		return no_file(err);
	size_t len = text ? strlen(text) : 0;
	int rc = 0;
	const char *bi;
	size_t bilen;
	builtin(k, &bi, &bilen);
	char target[64];
	snprintf(target, sizeof target, "file:%s", name);
	if ((rc = b->tx_begin(b, err)) != 0)
		return rc;
	sasae_store_file cur = {0};
	/* checked inside the transaction: the finder's files are checked as a set with the others */
	if (text)
		rc = file_check(s, k, name, text, len, err);
	if (rc == 0)
		rc = b->finder_file(b, name, &cur, err);
	const char *cur_text = cur.text ? cur.text : bi;
	size_t cur_len = cur.text ? cur.len : bilen;
	if (rc == 0 && text == NULL) {
		if (cur.text) { /* back to the built-in file */
			rc = b->file_put(b, name, NULL, 0, NULL, err);
			if (rc == 0)
				rc = acct_audit(b, who, NULL, "file.reset", target, ACCT_BOTH,
						text_json(cur_text, cur_len), text_json(bi, bilen), NULL, err);
		}
	} else if (rc == 0 && !(len == cur_len && memcmp(text, cur_text, len) == 0)) {
		rc = b->file_put(b, name, text, len, name, err);
		if (rc == 0)
			rc = acct_audit(b, who, NULL, "file.set", target, ACCT_BOTH,
					text_json(cur_text, cur_len), text_json(text, len), NULL, err);
	}
	sasae_store_file_clear(&cur);
	return acct_finish(b, rc, err);
}

int sasae_office_finder_files_set(sasae_store *s, const sasae_actor *who, const sasae_store_file *given,
				  bool reset, unsigned *changed, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	if (changed)
		*changed = 0;
	int rc = b->tx_begin(b, err);
	if (rc)
		return rc;
	if (!reset) { /* the new set as a whole: the files refer to each other */
		sasae_tag_data *d = NULL;
		rc = sasae_finder_data_load(&d, s, given, err);
		sasae_tag_data_free(d);
	}
	unsigned done = 0;
	for (int k = 0; rc == 0 && k < SASAE_NTAGFILES; k++) {
		if (!reset && given[k].text == NULL)
			continue;
		const char *name = sasae_tag_file_name(k);
		char target[64];
		snprintf(target, sizeof target, "file:%s", name);
		const char *bi;
		size_t bilen;
		builtin(k, &bi, &bilen);
		sasae_store_file cur = {0};
		rc = b->finder_file(b, name, &cur, err);
		const char *cur_text = cur.text ? cur.text : bi;
		size_t cur_len = cur.text ? cur.len : bilen;
		if (rc == 0 && reset) {
			if (cur.text) {
				rc = b->file_put(b, name, NULL, 0, NULL, err);
				if (rc == 0)
					rc = acct_audit(b, who, NULL, "file.reset", target, ACCT_BOTH,
							text_json(cur_text, cur_len), text_json(bi, bilen),
							NULL, err);
				done |= 1u << k;
			}
		} else if (rc == 0 &&
			   !(given[k].len == cur_len && memcmp(given[k].text, cur_text, cur_len) == 0)) {
			rc = b->file_put(b, name, given[k].text, given[k].len, given[k].source, err);
			if (rc == 0)
				rc = acct_audit(b, who, NULL, "file.set", target, ACCT_BOTH,
						text_json(cur_text, cur_len),
						text_json(given[k].text, given[k].len), NULL, err);
			done |= 1u << k;
		}
		sasae_store_file_clear(&cur);
	}
	rc = acct_finish(b, rc, err);
	if (rc == 0 && changed)
		*changed = done;
	return rc;
}

/* ---- department scope: a program's tag overrides ---- */

static int no_program(const char *program, sasae_error *err)
{
	return sasae_error_set(err, SASAE_ENOTFOUND, NULL, 0, "事業「%.32s」はこの版にありません",
			       program && sasae_utf8_valid(program, strlen(program), NULL) ? program : "?");
}

/* The scope rule on a program already looked up. */
static int may_edit(const sasae_user *user, const char *program, const sasae_backend_program *p,
		    sasae_error *err)
{
	if (user == NULL || sasae_user_has(user, SASAE_ROLE_OFFICE))
		return 0;
	for (size_t i = 0; i < p->ndepartments; i++)
		if (sasae_user_has_in(user, SASAE_ROLE_EDITOR, p->departments[i]))
			return 0;
	sasae_buf d = SASAE_BUF_INIT;
	for (size_t i = 0; i < p->ndepartments; i++)
		sasae_buf_appendf(&d, "%s%s", i ? "、" : "", p->departments[i]);
	int rc = sasae_error_set(err, SASAE_EFORBIDDEN, NULL, 0,
				 "事業 %s（%s）を変更できるのは、計画所管課と担当課（%s）の編集者だけです",
				 program, p->name, p->ndepartments ? sasae_buf_cstr(&d) : "担当課なし");
	sasae_buf_free(&d);
	return rc;
}

/* Look up program of version_id (SASAE_ENOTFOUND with a message). */
static int program_get(sasae_store_backend *b, int64_t version_id, const char *program,
		       sasae_backend_program *p, sasae_error *err)
{
	int rc = program ? b->program_get(b, version_id, program, p, err) : SASAE_ENOTFOUND;
	return rc == SASAE_ENOTFOUND ? no_program(program, err) : rc;
}

int sasae_program_may_edit(sasae_store *s, const sasae_user *user, int64_t version_id, const char *program,
			   sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	sasae_backend_program p = {0};
	int rc = program_get(b, version_id, program, &p, err);
	if (rc == 0)
		rc = may_edit(user, program, &p, err);
	sasae_backend_program_clear(&p);
	return rc;
}

/* Trim ASCII and ideographic spaces around s[0..*n) (as tags.c reads a field). */
static const char *trim(const char *s, size_t *n)
{
	for (;;) {
		if (*n >= 1 && (s[0] == ' ' || s[0] == '\r'))
			s++, (*n)--;
		else if (*n >= 3 && memcmp(s, "\u3000", 3) == 0)
			s += 3, *n -= 3;
		else if (*n >= 1 && (s[*n - 1] == ' ' || s[*n - 1] == '\r'))
			(*n)--;
		else if (*n >= 3 && memcmp(s + *n - 3, "\u3000", 3) == 0)
			*n -= 3;
		else
			return s;
	}
}

/* What the rewrite of tag-overrides.tsv found and made. */
typedef struct overrides_edit {
	sasae_buf text;    /* the new file */
	sasae_buf changes; /* the program's old changes, lines joined with " " */
	sasae_buf reason;  /* its old reasons, joined with " / " */
	size_t lines;      /* how many lines were the program's */
} overrides_edit;

/*
 * Rewrite the overrides file old[0..len): the program's lines (first column's identity key equal to
 * key) become newline (at the place of the first; appended when there was none; none when newline is
 * NULL), every other line is kept as it is.
 */
static int overrides_rewrite(overrides_edit *e, const char *old, size_t len, const char *key,
			     const char *newline)
{
	size_t pos = 0;
	const char *ln;
	size_t ll;
	bool placed = false;
	while (sasae_text_next_line(old, len, &pos, &ln, &ll)) {
		bool mine = false;
		if (ll && ln[0] != '#') {
			const char *tab = memchr(ln, '\t', ll);
			size_t nl = tab ? (size_t)(tab - ln) : ll;
			const char *name = trim(ln, &nl);
			char *copy = malloc(nl + 1);
			if (copy == NULL)
				return SASAE_ENOMEM;
			memcpy(copy, name, nl);
			copy[nl] = '\0';
			char *k = sasae_text_identity_key(copy);
			free(copy);
			if (k == NULL)
				return SASAE_ENOMEM;
			mine = strcmp(k, key) == 0;
			free(k);
			if (mine && tab) {
				const char *rest = tab + 1, *end = ln + ll;
				const char *tab2 = memchr(rest, '\t', (size_t)(end - rest));
				size_t cl = (size_t)((tab2 ? tab2 : end) - rest),
				       rl = tab2 ? (size_t)(end - tab2 - 1) : 0;
				const char *c = trim(rest, &cl), *r = tab2 ? trim(tab2 + 1, &rl) : "";
				if (cl)
					sasae_buf_appendf(&e->changes, "%s%.*s", e->changes.len ? " " : "",
							  (int)cl, c);
				if (rl)
					sasae_buf_appendf(&e->reason, "%s%.*s", e->reason.len ? " / " : "",
							  (int)rl, r);
			}
		}
		if (!mine) {
			sasae_buf_append(&e->text, ln, ll);
			sasae_buf_putc(&e->text, '\n');
			continue;
		}
		e->lines++;
		if (!placed && newline)
			sasae_buf_puts(&e->text, newline);
		placed = true;
	}
	if (!placed && newline)
		sasae_buf_puts(&e->text, newline);
	return e->text.oom || e->changes.oom || e->reason.oom ? SASAE_ENOMEM : 0;
}

static json_t *tags_json(const char *changes, const char *reason)
{
	return json_pack("{s:s, s:s}", "changes", changes, "reason", reason);
}

int sasae_program_tags_set(sasae_store *s, const sasae_actor *who, const sasae_user *user, int64_t version_id,
			   const char *program, const char *changes, const char *reason, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	const char *why;
	if (changes == NULL)
		changes = "";
	if (reason == NULL)
		reason = "";
	if (!acct_text_ok(changes, false, 1000, NULL, &why))
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       strcmp(why, "long") == 0
					       ? "タグの変更（changes）は 1000 文字以内にしてください"
					       : "タグの変更（changes）に使えない文字（タブ・改行などの制御文字）があります");
	if (!acct_text_ok(reason, false, 1000, NULL, &why))
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       strcmp(why, "long") == 0
					       ? "理由（reason）は 1000 文字以内にしてください"
					       : "理由（reason）に使えない文字（タブ・改行などの制御文字）があります");
	size_t cl = strlen(changes), rl = strlen(reason);
	changes = trim(changes, &cl);
	reason = trim(reason, &rl);
	sasae_backend_program p = {0};
	int rc = program_get(b, version_id, program, &p, err);
	if (rc == 0)
		rc = may_edit(user, program, &p, err);
	char *key = rc == 0 ? sasae_text_identity_key(p.name) : NULL;
	if (rc == 0 && key == NULL)
		rc = acct_oom(err);
	sasae_store_file cur = {0};
	overrides_edit e = {SASAE_BUF_INIT, SASAE_BUF_INIT, SASAE_BUF_INIT, 0};
	sasae_buf line = SASAE_BUF_INIT;
	char *newc = NULL, *newr = NULL;
	/* read, check and write the file in one transaction: no other change is lost in between */
	bool began = rc == 0 && (rc = b->tx_begin(b, err)) == 0;
	if (rc == 0 && (rc = sasae_office_file_get(s, "tag-overrides.tsv", &cur, err)) == 0) {
		if (cl) {
			sasae_buf_appendf(&line, "%s\t%.*s", p.name, (int)cl, changes);
			if (rl)
				sasae_buf_appendf(&line, "\t%.*s", (int)rl, reason);
			sasae_buf_putc(&line, '\n');
		}
		newc = malloc(cl + 1);
		newr = malloc(rl + 1);
		if (line.oom || !newc || !newr ||
		    overrides_rewrite(&e, cur.text, cur.len, key, cl ? sasae_buf_cstr(&line) : NULL) != 0) {
			rc = acct_oom(err);
		} else {
			memcpy(newc, changes, cl), newc[cl] = '\0';
			memcpy(newr, reason, rl), newr[rl] = '\0';
		}
	}
	const char *oldc = sasae_buf_cstr(&e.changes), *oldr = sasae_buf_cstr(&e.reason);
	bool same = rc == 0 && (cl == 0 ? e.lines == 0
					: e.lines == 1 && strcmp(oldc, newc) == 0 && strcmp(oldr, newr) == 0);
	/* the finder reads the whole set with the new file: its message names the line */
	if (rc == 0 && !same)
		rc = file_check(s, SASAE_TAGFILE_OVERRIDES, "tag-overrides.tsv", sasae_buf_cstr(&e.text),
				e.text.len, err);
	if (rc == 0 && !same) {
		char target[64];
		snprintf(target, sizeof target, "program:%s", program);
		rc = b->file_put(b, "tag-overrides.tsv", sasae_buf_cstr(&e.text), e.text.len,
				 "tag-overrides.tsv", err);
		if (rc == 0)
			rc = acct_audit(b, who, NULL, "program.tags", target,
					(e.lines ? ACCT_BEFORE : 0) | (cl ? ACCT_AFTER : 0),
					e.lines ? tags_json(oldc, oldr) : NULL,
					cl ? tags_json(newc, newr) : NULL, NULL, err);
	}
	if (began)
		rc = acct_finish(b, rc, err);
	free(newc);
	free(newr);
	free(key);
	sasae_buf_free(&line);
	sasae_buf_free(&e.text);
	sasae_buf_free(&e.changes);
	sasae_buf_free(&e.reason);
	sasae_store_file_clear(&cur);
	sasae_backend_program_clear(&p);
	return rc;
}

/* ---- comments ---- */

void sasae_comments_free(sasae_comment *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++) {
		free(c[i].target);
		free(c[i].login);
		free(c[i].display_name);
		free(c[i].at);
		free(c[i].text);
	}
	free(c);
}

int sasae_comment_list(sasae_store *s, const char *target, sasae_comment **out, size_t *n, sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	return b->comment_list(b, target, out, n, err);
}

/* Whether target names something a comment can be about: "program:ID", "finding:KEY" or
   "plan:SLUG@N", at most 200 bytes, no control characters but the TAB of a finding key. */
static bool comment_target_ok(const char *target)
{
	static const char *const kinds[] = {"program:", "finding:", "plan:"};
	size_t len = target ? strlen(target) : 0;
	if (len == 0 || len > 200 || !sasae_utf8_valid(target, len, NULL))
		return false;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)target[i] < 0x20 && target[i] != '\t') || target[i] == 0x7F)
			return false;
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		size_t kl = strlen(kinds[k]);
		if (len > kl && strncmp(target, kinds[k], kl) == 0)
			return true;
	}
	return false;
}

int sasae_comment_add(sasae_store *s, const sasae_actor *who, const char *target, const char *text,
		      sasae_error *err)
{
	sasae_store_backend *b = sasae_store_backend_of(s);
	if (!comment_target_ok(target))
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "コメントの対象（target）は「program:事業ID」「finding:指摘のキー」「plan:計画@版」のどれかにしてください");
	const char *why;
	size_t n = 0;
	if (text == NULL)
		text = "";
	if (!acct_text_ok(text, true, 4000, &n, &why)) {
		if (strcmp(why, "long") == 0)
			return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
					       "コメント（text）は 4000 文字以内にしてください（いまは %zu 文字）",
					       n);
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       strcmp(why, "utf8") == 0
					       ? "コメント（text）が UTF-8 の文字列ではありません"
					       : "コメント（text）に使えない制御文字があります");
	}
	if (blank(text))
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0, "コメント（text）が空です");
	char at[32];
	acct_now_ms(at);
	int rc = b->tx_begin(b, err);
	if (rc)
		return rc;
	int64_t id = 0;
	rc = b->comment_insert(b, target, actor_login(who), at, text, &id, err);
	if (rc == 0)
		rc = acct_audit(b, who, NULL, "comment.add", target, ACCT_AFTER, NULL,
				json_pack("{s:I, s:s}", "id", (json_int_t)id, "text", text), at, err);
	return acct_finish(b, rc, err);
}
