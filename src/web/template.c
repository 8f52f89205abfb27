/* template.c — the escaping template engine (see include/web/sasae/template.h). */
#include "sasae/template.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/escape.h"

enum { MAX_DEPTH = 32, MAX_PARTIAL_DEPTH = 8 };

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

/* Highlighted text ({{*name}}): an array of strings, alternately plain and marked, each escaped. */
static void put_marked(render *r, const json_t *v)
{
	size_t i;
	json_t *el;
	json_array_foreach(v, i, el)
	{
		if (!json_is_string(el) || json_string_length(el) == 0)
			continue;
		if (i % 2)
			sasae_buf_append(r->out, "<mark>", 6);
		sasae_html_escape(r->out, json_string_value(el), json_string_length(el));
		if (i % 2)
			sasae_buf_append(r->out, "</mark>", 7);
	}
}

/* Append a scalar value as text through the chosen escaping. */
static void put_value(render *r, const json_t *v, char mode)
{
	char num[64];
	const char *s = NULL;
	size_t len = 0;
	if (mode == '*' && json_is_array(v)) {
		put_marked(r, v);
		return;
	}
	if (json_is_string(v)) {
		s = json_string_value(v);
		len = json_string_length(v);
	} else if (json_is_integer(v)) { /* in decimal (as "%" JSON_INTEGER_FORMAT, without printf) */
		json_int_t x = json_integer_value(v);
		unsigned long long u = x < 0 ? 0ULL - (unsigned long long)x : (unsigned long long)x;
		char *e = num + sizeof num, *d = e;
		do
			*--d = (char)('0' + u % 10);
		while ((u /= 10) != 0);
		if (x < 0)
			*--d = '-';
		s = d;
		len = (size_t)(e - d);
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
static int render_template(render *r, const sasae_template_src *t);

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
		bool sigil = kind == '#' || kind == '^' || kind == '/' || kind == '&' || kind == '%' || kind == '*' ||
			     kind == '>' || kind == '!';
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
			rc = render_template(r, p);
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

/* ---- compiled templates ----
 * A template is parsed once into a list of operations, and rendering walks the list (instead of
 * finding every tag and the end of every section again at each render).  Only a template that
 * parses without error is compiled; any other is rendered by render_range above, which reports
 * its error where it meets it.  Compiled templates are kept, keyed by the address of their text:
 * the texts must not change while the process renders (the embedded sets do not). */

enum op_kind { OP_TEXT, OP_VALUE, OP_SECTION, OP_INVERTED, OP_PARTIAL };

typedef struct op {
	unsigned char kind;
	char mode;        /* OP_VALUE: 0 (escaped), '&' (raw), '%' (URL) or '*' (highlighted) */
	const char *s;    /* OP_TEXT: the text; otherwise the name */
	size_t len;
	size_t end;       /* OP_SECTION, OP_INVERTED: the index of the first operation after the body */
	size_t tag;       /* position of the tag in the text (error messages) */
} op;

typedef struct compiled {
	const char *text;
	op *ops;
	size_t nops, cap;
	bool failed; /* does not parse: rendered by render_range */
} compiled;

enum { MAX_COMPILED = 64 };
static compiled compiled_set[MAX_COMPILED];
static size_t ncompiled;
static pthread_mutex_t compiled_lock = PTHREAD_MUTEX_INITIALIZER;

static bool add_op(compiled *c, op o)
{
	if (c->nops == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		op *n = realloc(c->ops, cap * sizeof *n);
		if (n == NULL)
			return false;
		c->ops = n;
		c->cap = cap;
	}
	c->ops[c->nops++] = o;
	return true;
}

/* Parse t->text[from, to) as render_range reads it; false on any error (or out of memory). */
static bool compile_range(compiled *c, const sasae_template_src *t, size_t from, size_t to)
{
	size_t pos = from;
	while (pos < to) {
		const char *o = strstr(t->text + pos, "{{");
		size_t tag = o ? (size_t)(o - t->text) : to;
		if (tag > to)
			tag = to;
		if (tag > pos && !add_op(c, (op){OP_TEXT, 0, t->text + pos, tag - pos, 0, pos}))
			return false;
		if (tag >= to)
			break;
		const char *e = strstr(o + 2, "}}");
		if (e == NULL || (size_t)(e - t->text) + 2 > to)
			return false;
		char kind = o[2];
		bool sigil = kind == '#' || kind == '^' || kind == '/' || kind == '&' || kind == '%' || kind == '*' ||
			     kind == '>' || kind == '!';
		const char *nm = o + 2 + (sigil ? 1 : 0);
		while (*nm == ' ')
			nm++;
		size_t l = (size_t)(e - nm);
		while (l && nm[l - 1] == ' ')
			l--;
		size_t after = (size_t)(e + 2 - t->text);
		switch (sigil ? kind : 0) {
		case '!': break;
		case '/': return false;
		case '>':
			if (!add_op(c, (op){OP_PARTIAL, 0, nm, l, 0, tag}))
				return false;
			break;
		case '#':
		case '^': {
			size_t end_after;
			long close = find_close(t, after, to, nm, l, &end_after);
			if (close < 0)
				return false;
			size_t at = c->nops;
			if (!add_op(c, (op){kind == '#' ? OP_SECTION : OP_INVERTED, 0, nm, l, 0, tag}) ||
			    !compile_range(c, t, after, (size_t)close))
				return false;
			c->ops[at].end = c->nops;
			after = end_after;
			break;
		}
		default:
			if (!add_op(c, (op){OP_VALUE, sigil ? kind : 0, nm, l, 0, tag}))
				return false;
			break;
		}
		pos = after;
	}
	return true;
}

/* The compiled form of t, or NULL (render it with render_range). */
static const compiled *compiled_of(const sasae_template_src *t)
{
	const compiled *found = NULL;
	pthread_mutex_lock(&compiled_lock);
	for (size_t i = 0; i < ncompiled && found == NULL; i++)
		if (compiled_set[i].text == t->text)
			found = &compiled_set[i];
	if (found == NULL && ncompiled < MAX_COMPILED) {
		compiled *c = &compiled_set[ncompiled];
		*c = (compiled){t->text, NULL, 0, 0, false};
		if (!compile_range(c, t, 0, t->len)) {
			free(c->ops);
			*c = (compiled){t->text, NULL, 0, 0, true};
		}
		ncompiled++;
		found = c;
	}
	pthread_mutex_unlock(&compiled_lock);
	return found && !found->failed ? found : NULL;
}

/* Run the operations [from, to) of c (the template t). */
static int run(render *r, const sasae_template_src *t, const compiled *c, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		const op *o = &c->ops[i];
		int rc = 0;
		switch (o->kind) {
		case OP_TEXT: sasae_buf_append(r->out, o->s, o->len); break;
		case OP_VALUE: {
			const json_t *v = lookup(r, o->s, o->len);
			if (v)
				put_value(r, v, o->mode);
			break;
		}
		case OP_PARTIAL: {
			const sasae_template_src *p = find_template(r, o->s, o->len);
			if (p == NULL)
				return sasae_error_set(r->err, SASAE_EDATA, t->name, line_at(t->text, o->tag),
						       "テンプレート「%.*s」がありません", (int)o->len, o->s);
			if (r->partials == MAX_PARTIAL_DEPTH)
				return sasae_error_set(r->err, SASAE_EDATA, t->name, line_at(t->text, o->tag), "部品の入れ子が深すぎます");
			r->partials++;
			rc = render_template(r, p);
			r->partials--;
			break;
		}
		case OP_SECTION:
		case OP_INVERTED: {
			const json_t *v = lookup(r, o->s, o->len);
			if (o->kind == OP_INVERTED) {
				if (!truthy(v))
					rc = run(r, t, c, i + 1, o->end);
			} else if (json_is_array(v)) {
				size_t k;
				json_t *el;
				json_array_foreach(v, k, el)
				{
					if ((rc = push(r, el)) != 0)
						break;
					rc = run(r, t, c, i + 1, o->end);
					r->depth--;
					if (rc)
						break;
				}
			} else if (truthy(v)) {
				if ((rc = push(r, v)) == 0) {
					rc = run(r, t, c, i + 1, o->end);
					r->depth--;
				}
			}
			i = o->end - 1;
			break;
		}
		}
		if (rc)
			return rc;
	}
	return sasae_buf_ok(r->out) ? 0 : sasae_error_set(r->err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
}

static int render_template(render *r, const sasae_template_src *t)
{
	const compiled *c = compiled_of(t);
	return c ? run(r, t, c, 0, c->nops) : render_range(r, t, 0, t->len);
}

int sasae_template_render(sasae_buf *out, const sasae_template_src *set, size_t nset, const char *name,
			  const json_t *ctx, sasae_error *err)
{
	render r = {set, nset, {ctx}, 1, 0, err, out};
	const sasae_template_src *t = find_template(&r, name, strlen(name));
	if (t == NULL)
		return sasae_error_set(err, SASAE_EDATA, NULL, 0, "テンプレート「%s」がありません", name);
	return render_template(&r, t);
}
