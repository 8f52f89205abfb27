/*
 * similar.c — identity code points, bigram sets, Dice similarity, edit distance and the character
 * diff, shared by lint, diff and the finder (see include/core/sasae/similar.h).
 */
#include "sasae/similar.h"

#include <stdlib.h>
#include <string.h>

#include "sasae/error.h"
#include "sasae/text.h"

/* The unigram token of a one-character key has this as its second half (no code point). */
#define UNIGRAM_MARK 0xFFFFFFFFu

uint32_t *sasae_text_decode_cps(const char *s, size_t *n)
{
	size_t len = strlen(s), k = 0;
	uint32_t *cp = malloc((len + 1) * sizeof *cp);
	if (cp == NULL)
		return NULL;
	for (size_t i = 0; i < len;) {
		int32_t c;
		size_t m = sasae_utf8_decode(s + i, len - i, &c);
		if (m == 0) {
			cp[k++] = SASAE_CP_INVALID_BYTE | (unsigned char)s[i];
			i++;
		} else {
			cp[k++] = (uint32_t)c;
			i += m;
		}
	}
	*n = k;
	return cp;
}

void sasae_text_put_cps(sasae_buf *b, const uint32_t *cp, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (cp[i] & SASAE_CP_INVALID_BYTE) {
			sasae_buf_putc(b, (char)(cp[i] & 0xFF));
		} else {
			char u[4];
			sasae_buf_append(b, u, sasae_utf8_encode((int32_t)cp[i], u));
		}
	}
}

int32_t sasae_text_nfkc_fast(uint32_t c)
{
	if ((c >= 0x20 && c <= 0x7E) || (c >= 0x3041 && c <= 0x3096) || (c >= 0x30A1 && c <= 0x30FC) ||
	    (c >= 0x4E00 && c <= 0x9FFF) || c == 0x3001 || c == 0x3002 || c == 0x3005 ||
	    (c >= 0x300C && c <= 0x3011))
		return (int32_t)c;
	if (c >= 0xFF01 && c <= 0xFF5E) /* full-width ASCII */
		return (int32_t)(c - 0xFEE0);
	return -1;
}

/* White space the identity key removes, as far as it can be told before NFKC. */
static bool identity_space(uint32_t c)
{
	return c == '\n' || c == '\r' || (c < SASAE_CP_INVALID_BYTE && sasae_text_is_space((int32_t)c));
}

/* The identity key of s with its invalid bytes dropped first (the general path). */
static char *identity_key_lenient(const char *s)
{
	size_t len = strlen(s);
	if (sasae_utf8_valid(s, len, NULL))
		return sasae_text_identity_key(s);
	sasae_buf b = SASAE_BUF_INIT;
	for (size_t i = 0; i < len;) {
		int32_t c;
		size_t m = sasae_utf8_decode(s + i, len - i, &c);
		if (m > 0 && c != 0)
			sasae_buf_append(&b, s + i, m);
		i += m ? m : 1;
	}
	char *clean = sasae_buf_detach(&b);
	char *key = clean ? sasae_text_identity_key(clean) : NULL;
	free(clean);
	return key;
}

uint32_t *sasae_text_identity_cps(const char *s, size_t *n)
{
	size_t ncp = 0;
	uint32_t *cp = sasae_text_decode_cps(s, &ncp);
	if (cp == NULL)
		return NULL;
	size_t w = 0;
	for (size_t i = 0; i < ncp; i++) {
		if (identity_space(cp[i]))
			continue;
		int32_t f = sasae_text_nfkc_fast(cp[i]);
		if (f < 0) { /* the general way: utf8proc over the whole name */
			free(cp);
			char *key = identity_key_lenient(s);
			cp = key ? sasae_text_decode_cps(key, n) : NULL;
			free(key);
			return cp;
		}
		cp[w++] = (uint32_t)f;
	}
	*n = w;
	return cp;
}

/* Sort a[0..n) ascending: insertion sort for the short arrays of names, Shell sort with Ciura's
   gaps (extended by 2.25) for longer ones; no comparison callback. */
static void sort_u64(uint64_t *a, size_t n)
{
	size_t gaps[64] = {1, 4, 10, 23, 57, 132, 301, 701}, ng = 8;
	while (ng < 64 && gaps[ng - 1] < n / 2) {
		gaps[ng] = gaps[ng - 1] * 9 / 4;
		ng++;
	}
	for (size_t g = ng; g-- > 0;) {
		size_t gap = gaps[g];
		for (size_t i = gap; i < n; i++) {
			uint64_t v = a[i];
			size_t j = i;
			for (; j >= gap && a[j - gap] > v; j -= gap)
				a[j] = a[j - gap];
			a[j] = v;
		}
	}
}

size_t sasae_text_sort_unique(uint64_t *t, size_t n)
{
	sort_u64(t, n);
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (w == 0 || t[w - 1] != t[i])
			t[w++] = t[i];
	return w;
}

uint64_t *sasae_text_bigrams(const char *s, bool distinct, size_t *n)
{
	*n = 0;
	size_t ncp = 0;
	uint32_t *cp = sasae_text_identity_cps(s, &ncp);
	if (cp == NULL)
		return NULL;
	size_t nt = ncp >= 2 ? ncp - 1 : ncp;
	uint64_t *t = malloc((nt ? nt : 1) * sizeof *t);
	if (t == NULL) {
		free(cp);
		return NULL;
	}
	if (ncp == 1)
		t[0] = (uint64_t)cp[0] << 32 | UNIGRAM_MARK;
	for (size_t i = 0; i + 1 < ncp; i++)
		t[i] = (uint64_t)cp[i] << 32 | cp[i + 1];
	free(cp);
	*n = distinct ? sasae_text_sort_unique(t, nt) : nt;
	return t;
}

double sasae_text_dice(const uint64_t *x, size_t nx, const uint64_t *y, size_t ny)
{
	if (nx + ny == 0)
		return 1.0;
	size_t i = 0, j = 0, common = 0;
	while (i < nx && j < ny) {
		if (x[i] == y[j])
			common++, i++, j++;
		else if (x[i] < y[j])
			i++;
		else
			j++;
	}
	return 2.0 * (double)common / (double)(nx + ny);
}

double sasae_text_similarity(const char *a, const char *b)
{
	size_t na = 0, nb = 0;
	uint64_t *x = sasae_text_bigrams(a, true, &na);
	uint64_t *y = x ? sasae_text_bigrams(b, true, &nb) : NULL;
	double r = x && y ? sasae_text_dice(x, na, y, nb) : -1;
	free(x);
	free(y);
	return r;
}

long sasae_text_edit_distance(const char *a, const char *b)
{
	size_t na = 0, nb = 0;
	uint32_t *x = sasae_text_decode_cps(a, &na), *y = sasae_text_decode_cps(b, &nb);
	long *row = malloc((nb + 1) * sizeof *row);
	long r = -1;
	if (x && y && row) {
		for (size_t j = 0; j <= nb; j++)
			row[j] = (long)j;
		for (size_t i = 1; i <= na; i++) {
			long diag = row[0];
			row[0] = (long)i;
			for (size_t j = 1; j <= nb; j++) {
				long up = row[j];
				long best = diag + (x[i - 1] != y[j - 1]);
				if (up + 1 < best)
					best = up + 1;
				if (row[j - 1] + 1 < best)
					best = row[j - 1] + 1;
				row[j] = best;
				diag = up;
			}
		}
		r = row[nb];
	}
	free(x);
	free(y);
	free(row);
	return r;
}

/*
 * The edit script.  Myers' greedy algorithm runs over the reversed texts: V_d[k] is the furthest
 * point reachable from the end with d edits on diagonal k (counted from the end), and the number of
 * edits from a point to the end never grows along a diagonal towards the end.  So the distance from
 * any point (i, j) to the end is at most d exactly when n - i <= V_d[(n - i) - (m - j)], and a walk
 * from the start can choose, at every step, the move that keeps the script shortest: a kept unit
 * whenever the units are equal (that never lengthens it), else a deletion when it leaves d - 1 edits
 * to go, else an insertion.  The V of every d is kept: level d has d + 1 entries, from offset
 * d(d+1)/2.
 */
int sasae_text_edit_script(char **ops, size_t *nops, bool *too_far, const uint32_t *a, size_t na,
			   const uint32_t *b, size_t nb, size_t max_d)
{
	*ops = NULL;
	*nops = 0;
	*too_far = false;
	if (na > INT32_MAX / 2 || nb > INT32_MAX / 2) {
		*too_far = true;
		return 0;
	}
	if (max_d > na + nb)
		max_d = na + nb;
	int32_t *v = NULL;
	size_t cap = 0, D = 0;
	bool found = false;
	const long n = (long)na, m = (long)nb;
	for (size_t d = 0; d <= max_d && !found; d++) {
		if (d + 1 > SIZE_MAX / (d + 2) / 2 / sizeof *v)
			break;
		size_t need = (d + 1) * (d + 2) / 2;
		if (need > cap) {
			size_t nc = cap ? cap : 256;
			while (nc < need)
				nc = nc > SIZE_MAX / 2 / sizeof *v ? need : nc * 2;
			int32_t *nv = realloc(v, nc * sizeof *nv);
			if (nv == NULL) {
				free(v);
				return SASAE_ENOMEM;
			}
			v = nv;
			cap = nc;
		}
		int32_t *cur = v + d * (d + 1) / 2;
		const int32_t *prev = d ? v + (d - 1) * d / 2 : NULL; /* prev[(k + d - 1) / 2] */
		long ld = (long)d;
		for (long k = -ld; k <= ld; k += 2) {
			long x;
			if (d == 0)
				x = 0;
			else if (k == -ld ||
				 (k != ld && prev[(k - 1 + ld - 1) / 2] < prev[(k + 1 + ld - 1) / 2]))
				x = prev[(k + 1 + ld - 1) / 2];
			else
				x = prev[(k - 1 + ld - 1) / 2] + 1;
			long y = x - k;
			while (x < n && y < m && a[n - 1 - x] == b[m - 1 - y])
				x++, y++;
			cur[(k + ld) / 2] = (int32_t)x;
			if (x >= n && y >= m) {
				found = true;
				D = d;
			}
		}
	}
	if (!found) {
		free(v);
		*too_far = true;
		return 0;
	}
	char *out = malloc(na + nb + 1);
	if (out == NULL) {
		free(v);
		return SASAE_ENOMEM;
	}
	size_t w = 0, i = 0, j = 0, r = D;
	while (i < na || j < nb) {
		if (i < na && j < nb && a[i] == b[j]) {
			out[w++] = '=';
			i++, j++;
			continue;
		}
		/* delete a[i] when the rest, (i + 1, j), is r - 1 edits from the end */
		bool del = false;
		if (i < na && r > 0) {
			long x = n - (long)i - 1, k = x - (m - (long)j), ld = (long)r - 1;
			del = k >= -ld && k <= ld && x <= v[(r - 1) * r / 2 + (size_t)((k + ld) / 2)];
		}
		if (del || j == nb) {
			out[w++] = '-';
			i++;
		} else {
			out[w++] = '+';
			j++;
		}
		r--;
	}
	free(v);
	*ops = out;
	*nops = w;
	return 0;
}
