/*
 * cp932.c — the listing table (CSV or TSV) in CP932 for Excel on Japanese Windows, through glibc's
 * iconv (see sasae_export_table_cp932 in include/core/sasae/export.h).
 *
 * Every row is built in UTF-8 exactly as for the UTF-8 export and converted at once; the converted
 * table is kept in memory and written only when every row converted, so a character without a
 * CP932 form leaves the output untouched.  glibc's CP932 maps the characters that JIS and Microsoft
 * code differently one way (〜 U+301C → 0x8160, which reads back as ～ U+FF5E; − U+2212 → －; ‖ →
 * ∥; — U+2014 → ―; ¢ £ ¬ → their full-width forms); they are not errors.
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export_internal.h"
#include "sasae/text.h"

/*
 * Convert the UTF-8 bytes in[0..n) to CP932, appended to out.  Returns 0, SASAE_ENOMEM, or
 * SASAE_EDATA with *bad set to the offset in `in` of the first character that has no CP932 form
 * (or is not UTF-8).
 */
static int convert(iconv_t cd, const char *in, size_t n, sasae_buf *out, size_t *bad)
{
	char *inp = (char *)(uintptr_t)in; /* iconv's prototype takes char **, it does not write */
	size_t inleft = n;
	iconv(cd, NULL, NULL, NULL, NULL);
	while (inleft > 0) {
		if (!sasae_buf_reserve(out, inleft + 16))
			return SASAE_ENOMEM;
		char *outp = out->data + out->len;
		size_t room = out->cap - out->len - 1, outleft = room;
		size_t r = iconv(cd, &inp, &inleft, &outp, &outleft);
		out->len += room - outleft;
		out->data[out->len] = '\0';
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG)
			continue;
		*bad = n - inleft; /* EILSEQ, or EINVAL: a truncated sequence at the end */
		return SASAE_EDATA;
	}
	/* flush any shift state (none for CP932, but keep iconv's contract) */
	if (!sasae_buf_reserve(out, 16))
		return SASAE_ENOMEM;
	char *outp = out->data + out->len;
	size_t room = out->cap - out->len - 1, outleft = room;
	iconv(cd, NULL, NULL, &outp, &outleft);
	out->len += room - outleft;
	out->data[out->len] = '\0';
	return 0;
}

/* Which value of listing l (in section s) holds the character ch (its UTF-8 bytes). */
static const char *column_of(const sasae_section *s, const sasae_listing *l, const char *ch)
{
	if (strstr(l->name, ch))
		return "事業名";
	if (strstr(l->summary, ch))
		return "事業概要";
	for (size_t i = 0; i < l->ndepartments; i++)
		if (strstr(l->departments[i].name, ch) ||
		    (l->departments[i].note && strstr(l->departments[i].note, ch)))
			return "担当局等";
	if (strstr(s->title, ch))
		return "施策名";
	return "値";
}

/* Fill err for the unconvertible character at row[bad] of listing l. */
static int unconvertible(const sasae_plan *plan, const sasae_part *p, const sasae_section *s,
			 const sasae_listing *l, const char *row, size_t len, size_t bad, sasae_error *err)
{
	int32_t cp;
	size_t k = sasae_utf8_decode(row + bad, len - bad, &cp);
	const char *file = plan->source && *plan->source ? plan->source : NULL;
	if (k == 0)
		return sasae_error_set(err, SASAE_EDATA, file, l->source_line,
				       "第%d部 (%d) No.%ld「%s」に UTF-8 でないバイトがあり、CP932 に変換できません",
				       p->number, s->number, l->number, l->name);
	char ch[8] = {0};
	memcpy(ch, row + bad, k);
	return sasae_error_set(err, SASAE_EDATA, file, l->source_line,
			       "第%d部 (%d) No.%ld「%s」の%sにある文字「%s」(U+%04X) は CP932（Windows の Shift_JIS）で"
			       "表せません。--encoding utf-8（既定）で書き出すか、文字を置き換えてください",
			       p->number, s->number, l->number, l->name, column_of(s, l, ch), ch, (unsigned)cp);
}

int sasae_export_table_cp932(const sasae_plan *plan, char sep, sasae_write_fn write, void *ctx, sasae_error *err)
{
	iconv_t cd = iconv_open("CP932", "UTF-8");
	if (cd == (iconv_t)-1)
		return sasae_error_set(err, SASAE_EINTERNAL, NULL, 0,
				       "この環境の iconv は CP932 に変換できません（glibc の gconv モジュールを確かめてください）");
	sasae_buf row = SASAE_BUF_INIT, out = SASAE_BUF_INIT;
	size_t bad = 0;
	int rc = 0;
	sasae_export_table_header_row(&row, sep);
	if (!sasae_buf_ok(&row))
		rc = SASAE_ENOMEM;
	else if ((rc = convert(cd, row.data, row.len, &out, &bad)) == SASAE_EDATA)
		rc = sasae_error_set(err, SASAE_EINTERNAL, NULL, 0, "見出し行を CP932 に変換できません");
	for (size_t i = 0; i < plan->nparts && rc == 0; i++) {
		const sasae_part *p = &plan->parts[i];
		for (size_t j = 0; j < p->nsections && rc == 0; j++) {
			const sasae_section *s = &p->sections[j];
			for (size_t k = 0; k < s->nlistings && rc == 0; k++) {
				const sasae_listing *l = &s->listings[k];
				sasae_buf_clear(&row);
				rc = sasae_export_table_row(&row, p, s, l, sep);
				if (rc == 0)
					rc = convert(cd, row.data, row.len, &out, &bad);
				if (rc == SASAE_EDATA)
					rc = unconvertible(plan, p, s, l, row.data, row.len, bad, err);
			}
		}
	}
	iconv_close(cd);
	sasae_buf_free(&row);
	if (rc) {
		sasae_buf_free(&out);
		return rc == SASAE_ENOMEM ? sasae_export_fail(err, rc) : rc;
	}
	return sasae_export_finish(&out, write, ctx, err);
}
