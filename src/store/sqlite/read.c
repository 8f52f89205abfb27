/*
 * read.c — the SQLite backend: the plans and versions there are, and a version's document structure
 * (parts, sections, listings with their program ids and departments, warnings) as a plan model whose
 * programs the core assembles (see sqlite_store.h).
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_store.h"

/* All plans with their latest version (the table's `plans`; see sasae_store_plans). */
int sqlb_plans(sasae_store_backend *b, sasae_plan_info **out, size_t *n, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = NULL;
	int rc = sqlb_prepare(s, &st,
			      "SELECT p.slug, v.title, v.seq, v.source, v.imported_at,"
			      " (SELECT count(*) FROM part WHERE version_id = v.id),"
			      " (SELECT count(*) FROM section JOIN part ON part.id = section.part_id WHERE part.version_id = v.id),"
			      " (SELECT count(*) FROM listing WHERE version_id = v.id),"
			      " (SELECT count(*) FROM version_program WHERE version_id = v.id)"
			      " FROM plan p JOIN version v ON v.plan_id = p.id"
			      " WHERE v.seq = (SELECT max(seq) FROM version WHERE plan_id = p.id) ORDER BY p.slug",
			      err);
	if (rc)
		return rc;
	sasae_plan_info *infos = NULL;
	size_t cnt = 0;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		sasae_plan_info *p = realloc(infos, (cnt + 1) * sizeof *p);
		if (p == NULL) {
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			break;
		}
		infos = p;
		sasae_plan_info *i = &infos[cnt++];
		memset(i, 0, sizeof *i);
		i->slug = sqlb_col_text(st, 0);
		i->title = sqlb_col_text(st, 1);
		i->version = sqlite3_column_int(st, 2);
		i->source = sqlb_col_text(st, 3);
		i->imported_at = sqlb_col_text(st, 4);
		i->parts = (size_t)sqlite3_column_int64(st, 5);
		i->sections = (size_t)sqlite3_column_int64(st, 6);
		i->listings = (size_t)sqlite3_column_int64(st, 7);
		i->programs = (size_t)sqlite3_column_int64(st, 8);
		if (!i->slug || !i->title || !i->source || !i->imported_at) {
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			break;
		}
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = sqlb_db_error(s, err, "読み取り");
	sqlite3_finalize(st);
	if (rc) {
		sasae_plan_infos_free(infos, cnt);
		return rc;
	}
	*out = infos;
	*n = cnt;
	return 0;
}

/* "slug", "slug@N" or NULL → a version id (the table's `resolve`; see sasae_store_resolve). */
int sqlb_resolve(sasae_store_backend *b, const char *spec, int64_t *version_id, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	*version_id = 0;
	sqlite3_stmt *st = NULL;
	int rc;
	if (spec == NULL || *spec == '\0') {
		rc = sqlb_prepare(s, &st, "SELECT id FROM version ORDER BY id DESC LIMIT 1", err);
		if (rc)
			return rc;
		if (sqlite3_step(st) == SQLITE_ROW)
			*version_id = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (*version_id == 0)
			return sasae_error_set(err, SASAE_ENOTFOUND, s->path, 0,
					       "計画がまだ取り込まれていません。「sasae import ファイル」で取り込んでください");
		return 0;
	}
	const char *at = strchr(spec, '@');
	size_t slen = at ? (size_t)(at - spec) : strlen(spec);
	long seq = 0;
	if (at) {
		char *end;
		seq = strtol(at + 1, &end, 10);
		if (*end != '\0' || seq < 1)
			return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
					       "--plan「%s」の版の番号が正しくありません（例: sendai-2024-draft@2）",
					       spec);
	}
	rc = sqlb_prepare(s, &st,
			  "SELECT v.id FROM version v JOIN plan p ON p.id = v.plan_id WHERE p.slug = ?1"
			  " AND (?2 = 0 AND v.seq = (SELECT max(seq) FROM version WHERE plan_id = p.id) OR v.seq = ?2)",
			  err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, spec, (int)slen, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	if (sqlite3_step(st) == SQLITE_ROW)
		*version_id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (*version_id)
		return 0;
	/* Name the plans there are, so the user can pick one. */
	sasae_buf names = SASAE_BUF_INIT;
	sasae_plan_info *infos;
	size_t n;
	if (sqlb_plans(b, &infos, &n, NULL) == 0) {
		for (size_t i = 0; i < n; i++)
			sasae_buf_appendf(&names, "%s%s（第%d版まで）", i ? "、" : "", infos[i].slug,
					  infos[i].version);
		sasae_plan_infos_free(infos, n);
	}
	rc = sasae_error_set(err, SASAE_ENOTFOUND, NULL, 0, "計画「%s」はありません。あるのは: %s", spec,
			     names.len ? sasae_buf_cstr(&names) : "（なし）");
	sasae_buf_free(&names);
	return rc;
}

/* Departments of every listing of a version, keyed by listing id, read in one pass. */
static int load_departments(sqlb *s, int64_t version_id, sasae_plan *plan, int64_t *listing_ids,
			    sasae_listing **listings, size_t n, sasae_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlb_prepare(s, &st,
			      "SELECT ld.listing_id, d.name, ld.note, ld.printed FROM listing_department ld"
			      " JOIN listing l ON l.id = ld.listing_id JOIN department d ON d.id = ld.department_id"
			      " WHERE l.version_id = ?1 ORDER BY ld.listing_id, ld.ordinal",
			      err);
	if (rc)
		return rc;
	(void)plan;
	sqlite3_bind_int64(st, 1, version_id);
	size_t j = 0;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t lid = sqlite3_column_int64(st, 0);
		while (j < n && listing_ids[j] < lid)
			j++;
		if (j == n || listing_ids[j] != lid)
			continue;
		sasae_listing *l = listings[j];
		sasae_department *d = realloc(l->departments, (l->ndepartments + 1) * sizeof *d);
		if (d == NULL) {
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			break;
		}
		l->departments = d;
		d = &l->departments[l->ndepartments++];
		d->name = sqlb_col_text(st, 1);
		d->note = sqlite3_column_type(st, 2) == SQLITE_NULL ? NULL : sqlb_col_text(st, 2);
		d->printed = sqlite3_column_type(st, 3) == SQLITE_NULL ? NULL : sqlb_col_text(st, 3);
		if (d->name == NULL || (d->note == NULL && sqlite3_column_type(st, 2) != SQLITE_NULL) ||
		    (d->printed == NULL && sqlite3_column_type(st, 3) != SQLITE_NULL)) {
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			break;
		}
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = sqlb_db_error(s, err, "読み取り");
	sqlite3_finalize(st);
	return rc;
}

/* A version as stored, programs left to the core (the table's `load_listings`): one ordered query
   for parts, sections and listings, one for departments, one for warnings. */
int sqlb_load_listings(sasae_store_backend *b, int64_t version_id, sasae_plan **out, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	*out = NULL;
	sasae_plan *plan = sasae_plan_new();
	sqlite3_stmt *st = NULL;
	int64_t *ids = NULL;
	sasae_listing **ptrs = NULL;
	size_t n = 0, cap = 0;
	int r, rc = 0;
	if (plan == NULL)
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	if ((rc = sqlb_prepare(s, &st,
			       "SELECT p.slug, v.title, v.source, v.seq, v.imported_at FROM version v JOIN plan p ON p.id = v.plan_id"
			       " WHERE v.id = ?1",
			       err)) != 0)
		goto done;
	sqlite3_bind_int64(st, 1, version_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = sasae_error_set(err, SASAE_ENOTFOUND, NULL, 0, "計画の版が見つかりません");
		goto done;
	}
	plan->slug = sqlb_col_text(st, 0);
	plan->title = sqlb_col_text(st, 1);
	plan->source = sqlb_col_text(st, 2);
	plan->version = sqlite3_column_int(st, 3);
	plan->imported_at = sqlb_col_text(st, 4);
	sqlite3_finalize(st);
	st = NULL;
	/* Parts, sections and listings in document order (one query, ordered). */
	if ((rc = sqlb_prepare(s, &st,
			       "SELECT pt.number, pt.title, se.id, se.number, se.title, se.source_line,"
			       " l.id, l.position, l.number, l.name, l.summary, l.relisted, pr.pid, l.source_line"
			       " FROM part pt LEFT JOIN section se ON se.part_id = pt.id"
			       " LEFT JOIN listing l ON l.section_id = se.id"
			       " LEFT JOIN program pr ON pr.id = l.program_id"
			       " WHERE pt.version_id = ?1 ORDER BY pt.number, se.ordinal, l.position",
			       err)) != 0)
		goto done;
	sqlite3_bind_int64(st, 1, version_id);
	int64_t cur_section = -1;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int partno = sqlite3_column_int(st, 0);
		if (plan->nparts == 0 || plan->parts[plan->nparts - 1].number != partno) {
			sasae_part *p = sasae_plan_add_part(plan);
			if (p == NULL)
				goto oom;
			p->number = partno;
			p->title = sqlite3_column_type(st, 1) == SQLITE_NULL ? NULL : sqlb_col_text(st, 1);
		}
		sasae_part *part = &plan->parts[plan->nparts - 1];
		if (sqlite3_column_type(st, 2) == SQLITE_NULL)
			continue;
		int64_t sid = sqlite3_column_int64(st, 2);
		if (sid != cur_section) {
			sasae_section *sec = sasae_part_add_section(part);
			if (sec == NULL)
				goto oom;
			sec->number = sqlite3_column_int(st, 3);
			sec->title = sqlb_col_text(st, 4);
			sec->source_line = sqlite3_column_int64(st, 5);
			if (sec->title == NULL)
				goto oom;
			cur_section = sid;
		}
		if (sqlite3_column_type(st, 6) == SQLITE_NULL)
			continue;
		sasae_section *sec = &part->sections[part->nsections - 1];
		sasae_listing l = {
			.part = partno,
			.section = sec->number,
			.section_index = (int)part->nsections,
			.position = sqlite3_column_int(st, 7),
			.number = (long)sqlite3_column_int64(st, 8),
			.name = (char *)(uintptr_t)sqlite3_column_text(st, 9),
			.summary = (char *)(uintptr_t)sqlite3_column_text(st, 10),
			.relisted = sqlite3_column_int(st, 11) != 0,
			.program = (char *)(uintptr_t)sqlite3_column_text(st, 12),
			.source_line = (long)sqlite3_column_int64(st, 13),
		};
		if (sasae_section_add_listing(sec, &l) == NULL)
			goto oom;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			int64_t *ni = realloc(ids, cap * sizeof *ni);
			if (ni == NULL)
				goto oom;
			ids = ni;
			sasae_listing **np = realloc(ptrs, cap * sizeof *np);
			if (np == NULL)
				goto oom;
			ptrs = np;
		}
		ids[n++] = sqlite3_column_int64(st, 6);
	}
	if (r != SQLITE_DONE) {
		rc = sqlb_db_error(s, err, "読み取り");
		goto done;
	}
	sqlite3_finalize(st);
	st = NULL;
	/* Listing pointers are stable now that all sections are filled. */
	{
		size_t k = 0;
		for (size_t i = 0; i < plan->nparts; i++)
			for (size_t j = 0; j < plan->parts[i].nsections; j++)
				for (size_t m = 0; m < plan->parts[i].sections[j].nlistings; m++)
					ptrs[k++] = &plan->parts[i].sections[j].listings[m];
	}
	/* ids were read ordered by (part, ordinal, position) = document order = ascending ids. */
	if ((rc = load_departments(s, version_id, plan, ids, ptrs, n, err)) != 0)
		goto done;
	/* The parser's warnings about the document (lint reports some of them). */
	sqlite3_finalize(st);
	st = NULL;
	if ((rc = sqlb_prepare(s, &st,
			       "SELECT line, kind, message FROM version_warning WHERE version_id = ?1 ORDER BY seq",
			       err)) != 0)
		goto done;
	sqlite3_bind_int64(st, 1, version_id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		if (sasae_plan_add_warning(plan, (long)sqlite3_column_int64(st, 0),
					   (const char *)sqlite3_column_text(st, 1),
					   (const char *)sqlite3_column_text(st, 2)))
			goto oom;
	if (r != SQLITE_DONE)
		rc = sqlb_db_error(s, err, "読み取り");
	goto done;
oom:
	rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
done:
	sqlite3_finalize(st);
	free(ids);
	free(ptrs);
	if (rc) {
		sasae_plan_free(plan);
		return rc;
	}
	*out = plan;
	return 0;
}
