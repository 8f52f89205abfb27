/* template.c — the escaping template engine (see include/sasae/template.h). */
#include "sasae/template.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum { MAX_DEPTH = 32, MAX_PARTIAL_DEPTH = 8 };

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

/* The rendering state: the context stack and where errors point. */
typedef struct render {
	const sasae_template_src *set;
	size_t nset;
	const json_t *stack[MAX_DEPTH];
	size_t depth;
	int partials;
	sasae_error *err;
	sasae_buf *out;
} render;

static const sasae_template_src *find_template(const render *r, const char *name, size_t len)
{
	for (size_t i = 0; i < r->nset; i++)
		if (strlen(r->set[i].name) == len && strncmp(r->set[i].name, name, len) == 0)
			return &r->set[i];
	return NULL;
}

/* Look up a dotted name, from the innermost context outwards. */
static const json_t *lookup(const render *r, const char *name, size_t len)
{
	if (len == 1 && name[0] == '.')
		return r->stack[r->depth - 1];
	const char *dot = memchr(name, '.', len);
	size_t first = dot ? (size_t)(dot - name) : len;
	const json_t *v = NULL;
	for (size_t d = r->depth; d-- > 0 && v == NULL;)
		if (json_is_object(r->stack[d]))
			v = json_object_getn(r->stack[d], name, first);
	while (v && dot) {
		const char *next = dot + 1;
		dot = memchr(next, '.', len - (size_t)(next - name));
		size_t seg = dot ? (size_t)(dot - next) : len - (size_t)(next - name);
		if (json_is_array(v)) { /* a numeric segment indexes an array: items.0 */
			size_t idx = 0, k = 0;
			for (; k < seg && next[k] >= '0' && next[k] <= '9'; k++)
				idx = idx * 10 + (size_t)(next[k] - '0');
			v = (k == seg && seg > 0) ? json_array_get(v, idx) : NULL;
		} else {
			v = json_is_object(v) ? json_object_getn(v, next, seg) : NULL;
		}
	}
	return v;
}

static bool truthy(const json_t *v)
{
	if (v == NULL || json_is_null(v) || json_is_false(v))
		return false;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	return true;
}

/* Append a scalar value as text through the chosen escaping. */
static void put_value(render *r, const json_t *v, char mode)
{
	char num[64];
	const char *s = NULL;
	size_t len = 0;
	if (json_is_string(v)) {
		s = json_string_value(v);
		len = json_string_length(v);
	} else if (json_is_integer(v)) {
		len = (size_t)snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		s = num;
	} else if (json_is_real(v)) {
		len = (size_t)snprintf(num, sizeof num, "%g", json_real_value(v));
		s = num;
	} else if (json_is_true(v)) {
		s = "true", len = 4;
	} else if (json_is_false(v)) {
		s = "false", len = 5;
	}
	if (s == NULL)
		return;
	if (mode == '&')
		sasae_buf_append(r->out, s, len);
	else if (mode == '%')
		sasae_url_encode(r->out, s, len);
	else
		sasae_html_escape(r->out, s, len);
}

static long line_at(const char *text, size_t pos)
{
	long line = 1;
	for (size_t i = 0; i < pos; i++)
		line += text[i] == '\n';
	return line;
}

static int render_range(render *r, const sasae_template_src *t, size_t from, size_t to);

/* Find the matching {{/name}} of a section opened at body start; returns its tag position or -1. */
static long find_close(const sasae_template_src *t, size_t pos, size_t to, const char *name, size_t nlen,
		       size_t *after)
{
	int depth = 1;
	while (pos < to) {
		const char *o = strstr(t->text + pos, "{{");
		if (o == NULL || (size_t)(o - t->text) >= to)
			return -1;
		size_t tag = (size_t)(o - t->text);
		const char *c = strstr(o + 2, "}}");
		if (c == NULL)
			return -1;
		char kind = o[2];
		const char *nm = o + 3;
		while (*nm == ' ')
			nm++;
		size_t l = (size_t)(c - nm);
		while (l && nm[l - 1] == ' ')
			l--;
		if ((kind == '#' || kind == '^') && l == nlen && strncmp(nm, name, nlen) == 0)
			depth++;
		else if (kind == '/' && l == nlen && strncmp(nm, name, nlen) == 0 && --depth == 0) {
			*after = (size_t)(c + 2 - t->text);
			return (long)tag;
		}
		pos = (size_t)(c + 2 - t->text);
	}
	return -1;
}

static int push(render *r, const json_t *v)
{
	if (r->depth == MAX_DEPTH)
		return sasae_error_set(r->err, SASAE_EDATA, NULL, 0, "テンプレートの入れ子が深すぎます");
	r->stack[r->depth++] = v;
	return 0;
}

static int render_range(render *r, const sasae_template_src *t, size_t from, size_t to)
{
	size_t pos = from;
	while (pos < to) {
		const char *o = strstr(t->text + pos, "{{");
		size_t tag = o ? (size_t)(o - t->text) : to;
		if (tag > to)
			tag = to;
		sasae_buf_append(r->out, t->text + pos, tag - pos);
		if (tag >= to)
			break;
		const char *c = strstr(o + 2, "}}");
		if (c == NULL || (size_t)(c - t->text) + 2 > to)
			return sasae_error_set(r->err, SASAE_EDATA, t->name, line_at(t->text, tag), "「{{」が閉じていません");
		char kind = o[2];
		bool sigil = kind == '#' || kind == '^' || kind == '/' || kind == '&' || kind == '%' || kind == '>' ||
			     kind == '!';
		const char *nm = o + 2 + (sigil ? 1 : 0);
		while (*nm == ' ')
			nm++;
		size_t l = (size_t)(c - nm);
		while (l && nm[l - 1] == ' ')
			l--;
		size_t after = (size_t)(c + 2 - t->text);
		int rc = 0;
		switch (sigil ? kind : 0) {
		case '!': break;
		case '/':
			return sasae_error_set(r->err, SASAE_EDATA, t->name, line_at(t->text, tag), "対応する {{#%.*s}} がありません",
					       (int)l, nm);
		case '>': {
			const sasae_template_src *p = find_template(r, nm, l);
			if (p == NULL)
				return sasae_error_set(r->err, SASAE_EDATA, t->name, line_at(t->text, tag),
						       "テンプレート「%.*s」がありません", (int)l, nm);
			if (r->partials == MAX_PARTIAL_DEPTH)
				return sasae_error_set(r->err, SASAE_EDATA, t->name, line_at(t->text, tag), "部品の入れ子が深すぎます");
			r->partials++;
			rc = render_range(r, p, 0, p->len);
			r->partials--;
			break;
		}
		case '#':
		case '^': {
			size_t end_after;
			long close = find_close(t, after, to, nm, l, &end_after);
			if (close < 0)
				return sasae_error_set(r->err, SASAE_EDATA, t->name, line_at(t->text, tag),
						       "{{%c%.*s}} が閉じていません", kind, (int)l, nm);
			const json_t *v = lookup(r, nm, l);
			if (kind == '^') {
				if (!truthy(v))
					rc = render_range(r, t, after, (size_t)close);
			} else if (json_is_array(v)) {
				size_t i;
				json_t *el;
				json_array_foreach(v, i, el)
				{
					if ((rc = push(r, el)) != 0)
						break;
					rc = render_range(r, t, after, (size_t)close);
					r->depth--;
					if (rc)
						break;
				}
			} else if (truthy(v)) {
				if ((rc = push(r, v)) == 0) {
					rc = render_range(r, t, after, (size_t)close);
					r->depth--;
				}
			}
			after = end_after;
			break;
		}
		default: {
			const json_t *v = lookup(r, nm, l);
			if (v)
				put_value(r, v, sigil ? kind : 0);
			break;
		}
		}
		if (rc)
			return rc;
		pos = after;
	}
	return sasae_buf_ok(r->out) ? 0 : sasae_error_set(r->err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
}

int sasae_template_render(sasae_buf *out, const sasae_template_src *set, size_t nset, const char *name,
			  const json_t *ctx, sasae_error *err)
{
	render r = {set, nset, {ctx}, 1, 0, err, out};
	const sasae_template_src *t = find_template(&r, name, strlen(name));
	if (t == NULL)
		return sasae_error_set(err, SASAE_EDATA, NULL, 0, "テンプレート「%s」がありません", name);
	return render_range(&r, t, 0, t->len);
}
