/* outline.c — the outline file naming a plan's parts (see include/core/sasae/outline.h). */
#include "sasae/outline.h"

#include <stdlib.h>
#include <string.h>

#include "sasae/buf.h"
#include "sasae/model.h"
#include "sasae/text.h"

void sasae_outline_clear(sasae_outline *o)
{
	for (size_t i = 0; i < o->n; i++)
		free(o->titles[i]);
	free(o->titles);
	o->titles = NULL;
	o->n = 0;
}

const char *sasae_outline_title(const sasae_outline *o, int part)
{
	if (o == NULL || part < 1 || (size_t)part > o->n)
		return NULL;
	return o->titles[part - 1];
}

int sasae_outline_parse(sasae_outline *out, const char *file, const char *bytes, size_t len, sasae_error *err)
{
	memset(out, 0, sizeof *out);
	if (sasae_text_check_utf8(file, bytes, len, err))
		return SASAE_EDATA;
	long line = 0;
	size_t pos = 0;
	const char *ln;
	size_t ll;
	while (sasae_text_next_line(bytes, len, &pos, &ln, &ll)) {
		line++;
		sasae_buf t = SASAE_BUF_INIT;
		sasae_text_append_trimmed(&t, ln, ll);
		if (t.len == 0 || t.data[0] == '#') {
			sasae_buf_free(&t);
			continue;
		}
		sasae_buf_free(&t);
		const char *tab = memchr(ln, '\t', ll);
		long n = 0;
		const char *d = ln;
		while (tab && d < tab && *d >= '0' && *d <= '9' && n <= 1000)
			n = n * 10 + (*d++ - '0');
		if (tab == NULL || d != tab || n < 1 || n > 1000) {
			sasae_outline_clear(out);
			return sasae_error_set(err, SASAE_EDATA, file, line,
					       "「部の番号<TAB>部の題名」の形ではありません（例: 1<TAB>基本目標1 …）");
		}
		if ((size_t)n > out->n) {
			char **p = realloc(out->titles, (size_t)n * sizeof *p);
			if (p == NULL) {
				sasae_outline_clear(out);
				return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			}
			for (size_t i = out->n; i < (size_t)n; i++)
				p[i] = NULL;
			out->titles = p;
			out->n = (size_t)n;
		}
		if (out->titles[n - 1] != NULL) {
			sasae_outline_clear(out);
			return sasae_error_set(err, SASAE_EDATA, file, line, "部 %ld の題名が二度書かれています", n);
		}
		sasae_buf title = SASAE_BUF_INIT;
		sasae_text_append_trimmed(&title, tab + 1, (size_t)(ln + ll - (tab + 1)));
		out->titles[n - 1] = sasae_buf_detach(&title);
		if (out->titles[n - 1] == NULL) {
			sasae_outline_clear(out);
			return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		}
	}
	return 0;
}
