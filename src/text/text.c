/* text.c — NFKC, identity keys, wrap spaces, display width (see include/core/sasae/text.h). */
#include "sasae/text.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

bool sasae_text_is_japanese(int32_t cp)
{
	return (cp >= 0x3000 && cp <= 0x303F && cp != 0x3000) /* CJK symbols and punctuation */
	       || (cp >= 0x3040 && cp <= 0x30FF)               /* hiragana, katakana, ー, ・ */
	       || (cp >= 0x31F0 && cp <= 0x31FF)               /* katakana phonetic extensions */
	       || (cp >= 0x3400 && cp <= 0x4DBF)               /* CJK extension A */
	       || (cp >= 0x4E00 && cp <= 0x9FFF)               /* CJK unified ideographs */
	       || (cp >= 0xF900 && cp <= 0xFAFF)               /* CJK compatibility ideographs */
	       || (cp >= 0xFF01 && cp <= 0xFF0F)               /* full-width punctuation ！＂＃…／ */
	       || (cp >= 0xFF1A && cp <= 0xFF20)               /* ：；＜＝＞？＠ */
	       || (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65) /* ［＼］… ｛｜｝～ 「」 */
	       || (cp >= 0xFF66 && cp <= 0xFF9F)               /* half-width katakana */
	       || (cp >= 0x20000 && cp <= 0x3FFFF)             /* CJK extensions B… */
	       || cp == 0x2026 || cp == 0x301C || cp == 0x201C || cp == 0x201D; /* … 〜 “ ” */
}

bool sasae_text_is_space(int32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == 0x3000 || cp == 0xA0;
}

char *sasae_text_nfkc(const char *s)
{
	utf8proc_uint8_t *out = NULL;
	utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &out,
					  UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
						  UTF8PROC_COMPAT);
	if (n < 0)
		return NULL;
	return (char *)out;
}

char *sasae_text_identity_key(const char *name)
{
	char *n = sasae_text_nfkc(name);
	if (n == NULL)
		return NULL;
	/* Remove every white space character in place (the key only shrinks). */
	size_t len = strlen(n), w = 0, i = 0;
	while (i < len) {
		int32_t cp;
		size_t k = sasae_utf8_decode(n + i, len - i, &cp);
		if (k == 0)
			k = 1, cp = -1;
		bool space = cp >= 0 && (sasae_text_is_space(cp) || cp == '\n' || cp == '\r' ||
					 utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS);
		if (!space) {
			memmove(n + w, n + i, k);
			w += k;
		}
		i += k;
	}
	n[w] = '\0';
	return n;
}

void sasae_text_append_trimmed(sasae_buf *out, const char *s, size_t n)
{
	size_t b = 0, e = n;
	for (;;) {
		int32_t cp;
		size_t k = sasae_utf8_decode(s + b, e - b, &cp);
		if (k == 0 || !sasae_text_is_space(cp))
			break;
		b += k;
	}
	while (e > b) {
		/* step back one code point */
		size_t k = 1;
		while (k < 4 && e - k > b && ((unsigned char)s[e - k] & 0xC0) == 0x80)
			k++;
		int32_t cp;
		if (sasae_utf8_decode(s + e - k, k, &cp) != k || !sasae_text_is_space(cp))
			break;
		e -= k;
	}
	sasae_buf_append(out, s + b, e - b);
}

void sasae_text_remove_wrap_spaces(sasae_buf *out, const char *s)
{
	size_t n = strlen(s), i = 0;
	int32_t prev = -1; /* last non-space code point written, -1 at start */
	size_t run_start = 0, run_len = 0;
	while (i < n) {
		int32_t cp;
		size_t k = sasae_utf8_decode(s + i, n - i, &cp);
		if (k == 0) { /* not UTF-8: copy the byte as it is */
			k = 1;
			cp = -2;
		}
		if (cp >= 0 && sasae_text_is_space(cp)) {
			if (run_len == 0)
				run_start = i;
			run_len += k;
			i += k;
			continue;
		}
		if (run_len > 0) {
			bool wrap = prev >= 0 && sasae_text_is_japanese(prev) && sasae_text_is_japanese(cp);
			if (prev != -1 && !wrap)
				sasae_buf_append(out, s + run_start, run_len);
			run_len = 0;
		}
		sasae_buf_append(out, s + i, k);
		prev = cp;
		i += k;
	}
}

bool sasae_text_strip_relist_marker(sasae_buf *buf)
{
	/* Scan backwards over: spaces, 】, spaces, 掲, spaces, 再, spaces, 【, spaces. */
	static const int32_t want[] = {0x3011 /* 】 */, 0x63B2 /* 掲 */, 0x518D /* 再 */, 0x3010 /* 【 */};
	if (buf->len == 0)
		return false;
	size_t e = buf->len;
	size_t w = 0;
	while (e > 0) {
		size_t k = 1;
		while (k < 4 && e > k && ((unsigned char)buf->data[e - k] & 0xC0) == 0x80)
			k++;
		int32_t cp;
		if (sasae_utf8_decode(buf->data + e - k, k, &cp) != k)
			return false;
		if (sasae_text_is_space(cp)) {
			e -= k;
			continue;
		}
		if (w == 4)
			break;
		if (cp != want[w])
			return false;
		w++;
		e -= k;
	}
	if (w != 4)
		return false;
	buf->len = e;
	buf->data[e] = '\0';
	return true;
}

size_t sasae_text_width(const char *s)
{
	size_t n = strlen(s), i = 0, w = 0;
	while (i < n) {
		int32_t cp;
		size_t k = sasae_utf8_decode(s + i, n - i, &cp);
		if (k == 0) {
			k = 1;
			cp = '?';
		}
		int cw = utf8proc_charwidth(cp);
		w += cw > 0 ? (size_t)cw : 0;
		i += k;
	}
	return w;
}

void sasae_text_pad(sasae_buf *out, const char *s, size_t width)
{
	size_t total = sasae_text_width(s);
	size_t n = strlen(s), i = 0, w = 0;
	size_t limit = total <= width ? width : (width >= 1 ? width - 1 : 0); /* leave room for … */
	while (i < n) {
		int32_t cp;
		size_t k = sasae_utf8_decode(s + i, n - i, &cp);
		if (k == 0) {
			k = 1;
			cp = '?';
		}
		int cw = utf8proc_charwidth(cp);
		size_t c = cw > 0 ? (size_t)cw : 0;
		if (w + c > limit)
			break;
		sasae_buf_append(out, s + i, k);
		w += c;
		i += k;
	}
	if (total > width && width >= 1) {
		sasae_buf_puts(out, "…");
		w += 1;
	}
	while (w < width) {
		sasae_buf_putc(out, ' ');
		w++;
	}
}

int32_t sasae_text_first_cp(const char *s)
{
	int32_t cp;
	size_t n = strlen(s);
	if (n == 0 || sasae_utf8_decode(s, n, &cp) == 0)
		return -1;
	return cp;
}

int32_t sasae_text_last_cp(const char *s)
{
	size_t e = strlen(s);
	if (e == 0)
		return -1;
	size_t k = 1;
	while (k < 4 && e > k && ((unsigned char)s[e - k] & 0xC0) == 0x80)
		k++;
	int32_t cp;
	if (sasae_utf8_decode(s + e - k, k, &cp) != k)
		return -1;
	return cp;
}

long sasae_text_line_of(const char *s, size_t offset, size_t *column)
{
	long line = 1;
	size_t start = 0;
	for (size_t i = 0; i < offset; i++)
		if (s[i] == '\n') {
			line++;
			start = i + 1;
		}
	if (column)
		*column = offset - start + 1;
	return line;
}

int sasae_text_check_utf8(const char *file, const char *bytes, size_t len, sasae_error *err)
{
	size_t bad, col;
	if (sasae_utf8_valid(bytes, len, &bad))
		return 0;
	long line = sasae_text_line_of(bytes, bad, &col);
	return sasae_error_set(err, SASAE_EDATA, file, line,
			       "UTF-8 のテキストではありません（この行の %zu バイト目）。UTF-8 で保存し直してください", col);
}

bool sasae_text_next_line(const char *bytes, size_t len, size_t *pos, const char **line, size_t *n)
{
	if (*pos >= len)
		return false;
	const char *ln = bytes + *pos;
	const char *nl = memchr(ln, '\n', len - *pos);
	size_t ll = nl ? (size_t)(nl - ln) : len - *pos;
	*pos += ll + (nl ? 1 : 0);
	if (ll && ln[ll - 1] == '\r')
		ll--;
	*line = ln;
	*n = ll;
	return true;
}
