/* escape.c — the escapers for HTML, URLs, CSV and JSON in <script> (see include/util/sasae/escape.h). */
#include "sasae/escape.h"

#include <string.h>

void sasae_html_escape(sasae_buf *out, const char *s, size_t len)
{
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		const char *rep = NULL;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: break;
		}
		if (rep) {
			sasae_buf_append(out, s + start, i - start);
			sasae_buf_puts(out, rep);
			start = i + 1;
		}
	}
	sasae_buf_append(out, s + start, len - start);
}

void sasae_url_encode(sasae_buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
		    c == '.' || c == '_' || c == '~') {
			sasae_buf_putc(out, (char)c);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			sasae_buf_append(out, e, 3);
		}
	}
}

void sasae_csv_field(sasae_buf *out, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		sasae_buf_puts(out, s);
		return;
	}
	sasae_buf_putc(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			sasae_buf_putc(out, '"');
		sasae_buf_putc(out, *s);
	}
	sasae_buf_putc(out, '"');
}

void sasae_csv_cell(sasae_buf *out, const char *s)
{
	if (s[0] == '\0' || strchr("=+-@\t\r", s[0]) == NULL) {
		sasae_csv_field(out, s);
		return;
	}
	sasae_buf_puts(out, "\"'");
	for (; *s; s++) {
		if (*s == '"')
			sasae_buf_putc(out, '"');
		sasae_buf_putc(out, *s);
	}
	sasae_buf_putc(out, '"');
}

void sasae_json_script_escape(sasae_buf *out, const char *s, size_t len)
{
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		const char *rep = s[i] == '<'   ? "\\u003c"
				  : s[i] == '>' ? "\\u003e"
				  : s[i] == '&' ? "\\u0026"
						: NULL;
		if (rep) {
			sasae_buf_append(out, s + start, i - start);
			sasae_buf_puts(out, rep);
			start = i + 1;
		}
	}
	sasae_buf_append(out, s + start, len - start);
}
