/*
 * gen_national.c - deterministic generator of a synthetic, national-scale
 * program list (掲載予定事業一覧) for benchmarking the sasae importer.
 *
 * It reads one real plan list (the Sendai seed document), collects its
 * phrases (section titles, program names, summary clauses, department
 * strings) and writes, on stdout, one large document in the same text format
 * (docs: shared/docs/plan-format.md): the seed's title lines, then
 * municipality after municipality, each made of 6 parts whose section
 * headings restart at (1).  Rows carry the quirks of the real document at
 * roughly the real rates: 【再掲】 re-listings, rows split over a page break
 * (4-cell and 3-cell continuation lines), separator lines, wrap spaces,
 * numbering slips and the other inconsistencies the format page lists.
 *
 * Output depends only on the seed file and the arguments: the generator uses
 * its own PRNG (splitmix64), integer arithmetic only, no locale, no qsort,
 * so it is byte-identical on every machine.  Only libc is needed:
 *
 *   cc -std=c11 -O2 bench/gen_national.c -o gen_national
 *   gen_national SEED_FILE [--listings N] [--seed S] [--stats] > out.txt
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_LISTINGS 435000ULL
#define MAX_LISTINGS 20000000ULL
#define OUT_BUF_SIZE (4u << 20)

/* Municipality size (listings), drawn uniformly; mean 250. */
#define MUNI_MIN 180u
#define MUNI_MAX 320u
#define PARTS 6
#define MAX_SECTIONS (PARTS * 5)

/* Rates, in parts per million. */
#define PPM 1000000u
/* chance that a listing is a 【再掲】 re-listing, by part (1..6) */
static const uint32_t RELIST_PPM[PARTS] = {100000, 290000, 300000, 400000, 520000, 440000};
#define RELIST_SUMMARY_EDIT_PPM 100000u /* re-listing whose summary differs slightly */
#define RELIST_DEPT_ALT_PPM 20000u     /* re-listing with other departments */
#define RELIST_ORPHAN_PPM 15000u       /* re-listing whose name has no original */
#define UNMARKED_DUP_PPM 12000u        /* earlier program listed again, no marker */
#define SHARED_SUMMARY_PPM 5000u       /* new program re-using another's summary */
#define VERBATIM_NAME_PPM 5000u        /* seed name used as is (shared nationally) */
#define NUMBER_SLIP_PPM 20000u         /* section whose numbering skips / goes back */
#define PAGE_BREAK_PPM 90000u          /* page break after (or inside) a row */
#define SPLIT_GIVEN_BREAK_PPM 500000u  /* ... that splits the row */
#define DEPT_SPLIT_PPM 300000u         /* split row: 2nd department on continuation */
#define WRAP_PPM 30000u                /* name with wrap spaces */
#define SEPARATOR_PPM 80000u           /* separator line closing a section */
#define EXTRA_BLANK_PPM 80000u         /* two blank lines before a heading */
#define HEADING_NOSPACE_PPM 40000u     /* "(3)title" instead of "(3) title" */
#define FULLWIDTH_MUNI_PPM 30000u      /* municipality using "（１）title" headings */

/* Kanji that place names (municipalities, districts) are made of. */
static const char PLACE_KANJI[] =
    "青葉宮城野山川田北南東西中央泉原森岡松島崎浜沢谷富士高大小新本平和桜緑朝日"
    "月星若栄幸福長津江戸坂井石岩木林竹梅花池湖海港台丘里広安吉豊光明旭清水白赤"
    "金春秋美";

static const char *const FACILITIES[] = {"センター", "ホーム", "館", "プラザ",
                                         "広場", "会場", "地区", "事務所"};
#define N_FACILITIES (sizeof FACILITIES / sizeof FACILITIES[0])

/* Words before which an all-kanji program name may be cut. */
static const char *const CUT_WORDS[] = {
    "事業", "支援", "推進", "促進", "充実", "強化", "整備", "研修", "講座", "相談", "制度",
    "会議", "活動", "体制", "養成", "運営", "実施", "育成", "啓発", "対策", "機能"};
#define N_CUT_WORDS (sizeof CUT_WORDS / sizeof CUT_WORDS[0])

static const char MARKER[] = "【再掲】";
static const char HEADER_LINE[] = "No\t事業名\t事業概要\t担当局等\n";

/* ------------------------------------------------------------------------ */
/* Failure helpers                                                          */

/* Print "gen_national: MSG" on stderr and exit with status 1. */
static _Noreturn void fatal(const char *msg)
{
    fprintf(stderr, "gen_national: %s\n", msg);
    exit(1);
}

/* Print "gen_national: FILE: WHAT[: strerror(ERR)]" on stderr and exit 1;
   ERR == 0 leaves out the system message. */
static _Noreturn void fatal_file(const char *file, const char *what, int err)
{
    if (err)
        fprintf(stderr, "gen_national: %s: %s: %s\n", file, what, strerror(err));
    else
        fprintf(stderr, "gen_national: %s: %s\n", file, what);
    exit(1);
}

/* realloc that never returns NULL: exits with a message when out of memory.
   A zero size is treated as 1. */
static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        fatal("out of memory");
    return q;
}

/* ------------------------------------------------------------------------ */
/* Growable byte buffer                                                     */

typedef struct {
    char *p;
    size_t len, cap;
} Buf;

/* Make room for EXTRA more bytes after b->len (p may move). */
static void buf_reserve(Buf *b, size_t extra)
{
    if (b->len + extra <= b->cap)
        return;
    size_t nc = b->cap ? b->cap : 256;
    while (nc < b->len + extra)
        nc *= 2;
    b->p = xrealloc(b->p, nc);
    b->cap = nc;
}

/* Append N bytes of S. */
static void buf_put(Buf *b, const char *s, size_t n)
{
    if (n == 0)
        return;
    buf_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

/* Append the NUL-terminated string S. */
static void buf_puts(Buf *b, const char *s) { buf_put(b, s, strlen(s)); }

/* Append V in decimal. */
static void buf_putu(Buf *b, unsigned long long v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    buf_put(b, tmp + i, sizeof tmp - i);
}

/* Release the memory of B and leave it empty. */
static void buf_free(Buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* ------------------------------------------------------------------------ */
/* Output with a large buffer                                               */

typedef struct {
    FILE *f;
    const char *name; /* for error messages */
    char *buf;
    size_t len, cap;
} Out;

/* Write the buffered bytes; exits naming the file on a write error. */
static void out_flush(Out *o)
{
    if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
        fatal_file(o->name, "write error", errno);
    o->len = 0;
}

/* Append N bytes of S to the output. */
static void out_put(Out *o, const char *s, size_t n)
{
    if (o->cap - o->len < n) {
        out_flush(o);
        if (n > o->cap) {
            if (fwrite(s, 1, n, o->f) != n)
                fatal_file(o->name, "write error", errno);
            return;
        }
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

/* Append the NUL-terminated string S to the output. */
static void out_puts(Out *o, const char *s) { out_put(o, s, strlen(s)); }

/* Append the contents of B to the output. */
static void out_buf(Out *o, const Buf *b) { out_put(o, b->p, b->len); }

/* ------------------------------------------------------------------------ */
/* PRNG: splitmix64                                                         */

typedef struct {
    uint64_t s;
} Rng;

/* Next 64 random bits. */
static uint64_t rng_next(Rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform integer in [0, n); 0 when n == 0.  (Modulo bias < 2^-32.) */
static uint32_t rng_below(Rng *r, uint32_t n) { return n ? (uint32_t)(rng_next(r) % n) : 0; }

/* Uniform integer in [lo, hi]; requires lo <= hi. */
static uint32_t rng_range(Rng *r, uint32_t lo, uint32_t hi) { return lo + rng_below(r, hi - lo + 1); }

/* True with probability PPM / 1e6. */
static int rng_chance(Rng *r, uint32_t ppm) { return rng_below(r, PPM) < ppm; }

/* ------------------------------------------------------------------------ */
/* UTF-8                                                                    */

/* Length of the valid UTF-8 prefix of S[0..n): returns n when S is valid. */
static size_t utf8_valid_prefix(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = u[i];
        size_t k;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            k = 1;
            cp = c & 0x1F;
            min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2;
            cp = c & 0x0F;
            min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3;
            cp = c & 0x07;
            min = 0x10000;
        } else {
            return i;
        }
        if (n - i <= k)
            return i;
        for (size_t j = 1; j <= k; j++) {
            if ((u[i + j] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (u[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += k + 1;
    }
    return n;
}

/* Decode the code point at S[*i] (S valid UTF-8, *i < n) and advance *i. */
static uint32_t utf8_next(const char *s, size_t n, size_t *i)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned c = u[*i];
    size_t k = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    uint32_t cp = k == 0 ? c : k == 1 ? (c & 0x1F) : k == 2 ? (c & 0x0F) : (c & 0x07);
    for (size_t j = 1; j <= k && *i + j < n; j++)
        cp = (cp << 6) | (u[*i + j] & 0x3F);
    *i += k + 1;
    return cp;
}

/* Number of code points in the valid UTF-8 string S[0..n). */
static size_t utf8_count(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* Byte offset of code point number K (0-based) in S[0..n); n if K is past
   the end.  Always a character boundary. */
static size_t utf8_offset(const char *s, size_t n, size_t k)
{
    size_t i = 0;
    while (k > 0 && i < n) {
        utf8_next(s, n, &i);
        k--;
    }
    return i;
}

enum { CC_OTHER, CC_HIRA, CC_KATA, CC_KANJI };

/* Script class of code point C. */
static int char_class(uint32_t c)
{
    if (c >= 0x3041 && c <= 0x309F)
        return CC_HIRA;
    if (c >= 0x30A0 && c <= 0x30FF)
        return CC_KATA;
    if ((c >= 0x4E00 && c <= 0x9FFF) || c == 0x3005)
        return CC_KANJI;
    return CC_OTHER;
}

/* True when every bracket pair (「」『』（）()【】“”) in S[0..n) is balanced
   and properly ordered. */
static int brackets_balanced(const char *s, size_t n)
{
    static const uint32_t open[] = {0x300C, 0x300E, 0xFF08, 0x28, 0x3010, 0x201C};
    static const uint32_t close[] = {0x300D, 0x300F, 0xFF09, 0x29, 0x3011, 0x201D};
    int depth[6] = {0};
    size_t i = 0;
    while (i < n) {
        uint32_t c = utf8_next(s, n, &i);
        for (int k = 0; k < 6; k++) {
            if (c == open[k])
                depth[k]++;
            else if (c == close[k] && --depth[k] < 0)
                return 0;
        }
    }
    for (int k = 0; k < 6; k++)
        if (depth[k])
            return 0;
    return 1;
}

/* True when S[0..n) contains the NUL-terminated string PAT. */
static int contains(const char *s, size_t n, const char *pat)
{
    size_t m = strlen(pat);
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(s + i, pat, m) == 0)
            return 1;
    return 0;
}

/* Hash of a program name for identity checks: NFKC-ish (full-width ASCII
   forms folded to ASCII) with all spaces removed, as the format page defines
   program identity.  Never returns 0. */
static uint64_t name_hash(const char *s, size_t n)
{
    uint64_t h = 0xCBF29CE484222325ULL;
    size_t i = 0;
    while (i < n) {
        uint32_t c = utf8_next(s, n, &i);
        if (c == ' ' || c == '\t' || c == 0x3000)
            continue;
        if (c >= 0xFF01 && c <= 0xFF5E)
            c -= 0xFEE0;
        h = (h ^ c) * 0x100000001B3ULL;
    }
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    return h ? h : 1;
}

/* ------------------------------------------------------------------------ */
/* Hash set of 64-bit name hashes (open addressing, 0 = empty)              */

typedef struct {
    uint64_t *slot;
    size_t mask, count;
} HSet;

/* Initialise S empty with room for at least HINT entries. */
static void hset_init(HSet *s, size_t hint)
{
    size_t n = 1024;
    while (n < hint * 2)
        n *= 2;
    s->slot = xrealloc(NULL, n * sizeof *s->slot);
    memset(s->slot, 0, n * sizeof *s->slot);
    s->mask = n - 1;
    s->count = 0;
}

/* Insert H (non-zero); returns 1 if it was new, 0 if already present. */
static int hset_insert(HSet *s, uint64_t h)
{
    if ((s->count + 1) * 2 > s->mask + 1) {
        HSet big;
        hset_init(&big, (s->mask + 1) * 2);
        for (size_t i = 0; i <= s->mask; i++)
            if (s->slot[i])
                hset_insert(&big, s->slot[i]);
        free(s->slot);
        *s = big;
    }
    size_t i = (size_t)h & s->mask;
    while (s->slot[i]) {
        if (s->slot[i] == h)
            return 0;
        i = (i + 1) & s->mask;
    }
    s->slot[i] = h;
    s->count++;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Phrases collected from the seed                                          */

/* Pieces live in a pool of fixed blocks, so their pointers never move. */
typedef struct PoolBlock {
    struct PoolBlock *next;
    size_t used;
    char data[65536];
} PoolBlock;

/* Copy S[0..n) into pool *HEAD and return the stable copy (not NUL-ended). */
static const char *pool_dup(PoolBlock **head, const char *s, size_t n)
{
    if (n > sizeof((*head)->data))
        fatal("seed line too long");
    if (!*head || sizeof((*head)->data) - (*head)->used < n) {
        PoolBlock *b = xrealloc(NULL, sizeof *b);
        b->next = *head;
        b->used = 0;
        *head = b;
    }
    char *p = (*head)->data + (*head)->used;
    if (n)
        memcpy(p, s, n);
    (*head)->used += n;
    return p;
}

enum { SUB_SENDAI = 1, SUB_TAIHAKU = 2 }; /* text to localise per municipality */

typedef struct {
    const char *s;
    uint32_t len;   /* bytes */
    uint32_t nch;   /* code points */
    uint32_t src;   /* for name fragments: index of the source name */
    uint32_t flags; /* SUB_* */
} Piece;

typedef struct {
    Piece *v;
    size_t n, cap;
} PieceVec;

/* Append P to V. */
static void pv_push(PieceVec *v, Piece p)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 64;
        v->v = xrealloc(v->v, v->cap * sizeof *v->v);
    }
    v->v[v->n++] = p;
}

/* Index of the piece equal to S[0..n) in V, or -1. */
static long pv_find(const PieceVec *v, const char *s, size_t n)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->v[i].len == n && memcmp(v->v[i].s, s, n) == 0)
            return (long)i;
    return -1;
}

typedef struct {
    PoolBlock *pool;
    PieceVec title_lines; /* lines before the first heading */
    PieceVec titles;      /* section titles */
    PieceVec names;       /* distinct program names, marker and wrap spaces removed */
    PieceVec prefixes;    /* name[0..cut) */
    PieceVec suffixes;    /* name[cut..) */
    PieceVec mids;        /* summary clauses ending in 、 */
    PieceVec ends;        /* summary clauses ending in 。 */
    PieceVec finals;      /* summary tails with no delimiter */
    PieceVec depts;       /* department cells, one per original row (weights) */
} Seed;

/* Make a Piece from S[0..n), copied into the seed's pool. */
static Piece make_piece(Seed *sd, const char *s, size_t n, uint32_t src)
{
    Piece p;
    p.s = pool_dup(&sd->pool, s, n);
    p.len = (uint32_t)n;
    p.nch = (uint32_t)utf8_count(s, n);
    p.src = src;
    p.flags = (contains(s, n, "仙台") ? SUB_SENDAI : 0) | (contains(s, n, "太白") ? SUB_TAIHAKU : 0);
    return p;
}

/* Trim ASCII spaces and U+3000 from both ends of S[0..*n): returns the new
   start and updates *n. */
static const char *trim(const char *s, size_t *n)
{
    size_t a = 0, b = *n;
    for (;;) {
        if (a < b && s[a] == ' ')
            a++;
        else if (b - a >= 3 && memcmp(s + a, "\xE3\x80\x80", 3) == 0)
            a += 3;
        else
            break;
    }
    for (;;) {
        if (b > a && s[b - 1] == ' ')
            b--;
        else if (b - a >= 3 && memcmp(s + b - 3, "\xE3\x80\x80", 3) == 0)
            b -= 3;
        else
            break;
    }
    *n = b - a;
    return s + a;
}

/* Copy S[0..n) into OUT without wrap spaces: an ASCII space whose neighbours
   are both non-ASCII is dropped ("居住支援法人等の 関係団体" -> joined). */
static void drop_wrap_spaces(Buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ' && i > 0 && i + 1 < n && ((unsigned char)s[i - 1] & 0x80) &&
            ((unsigned char)s[i + 1] & 0x80))
            continue;
        buf_put(out, s + i, 1);
    }
}

/* A row of the seed being assembled from its row line and continuations. */
typedef struct {
    Buf name, sum, dept;
    int active;
} SeedRow;

/* Split LINE[0..n) at TABs into at most 4 cells; extra TABs stay in the last
   cell.  Returns the number of cells. */
static int split_cells(const char *line, size_t n, const char *cell[4], size_t len[4])
{
    int k = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || (line[i] == '\t' && k < 3)) {
            cell[k] = line + start;
            len[k] = i - start;
            k++;
            start = i + 1;
        }
    }
    return k;
}

/* Split summary S[0..n) into clauses at 、 and 。 and add the balanced ones
   to the clause pools (duplicates skipped). */
static void add_clauses(Seed *sd, const char *s, size_t n)
{
    size_t start = 0, i = 0;
    while (start < n) {
        size_t end = n;
        int kind = 2; /* 0 = 、, 1 = 。, 2 = tail */
        for (i = start; i + 3 <= n; i++) {
            if (memcmp(s + i, "、", 3) == 0 || memcmp(s + i, "。", 3) == 0) {
                kind = s[i + 2] == '\x81' ? 0 : 1;
                end = i + 3;
                break;
            }
        }
        size_t cl = end - start;
        const char *c = trim(s + start, &cl);
        PieceVec *pool = kind == 0 ? &sd->mids : kind == 1 ? &sd->ends : &sd->finals;
        if (utf8_count(c, cl) >= 3 && brackets_balanced(c, cl) && pv_find(pool, c, cl) < 0)
            pv_push(pool, make_piece(sd, c, cl, 0));
        start = end;
    }
}

/* Finish the seed row R: record its name, and for an original (unmarked) row
   its summary clauses and departments. */
static void seed_row_finish(Seed *sd, SeedRow *r)
{
    if (!r->active)
        return;
    r->active = 0;
    Buf clean = {0};
    drop_wrap_spaces(&clean, r->name.p, r->name.len);
    size_t n = clean.len;
    const char *name = trim(clean.p, &n);
    int relisted = 0;
    size_t ml = strlen(MARKER);
    if (n >= ml && memcmp(name + n - ml, MARKER, ml) == 0) {
        relisted = 1;
        n -= ml;
        name = trim(name, &n);
    }
    if (n > 0 && pv_find(&sd->names, name, n) < 0)
        pv_push(&sd->names, make_piece(sd, name, n, (uint32_t)sd->names.n));
    if (!relisted) {
        size_t sl = r->sum.len;
        const char *sum = trim(r->sum.p, &sl);
        add_clauses(sd, sum, sl);
        size_t dl = r->dept.len;
        const char *dept = trim(r->dept.p, &dl);
        if (dl > 0)
            pv_push(&sd->depts, make_piece(sd, dept, dl, 0));
    }
    buf_free(&clean);
    r->name.len = r->sum.len = r->dept.len = 0;
}

/* If LINE[0..n) is a section heading "(N) title" (ASCII or full-width
   parentheses and digits, space optional) store its title in *T and return 1. */
static int parse_heading(const char *line, size_t n, const char **t, size_t *tl)
{
    size_t i = 0;
    if (n >= 1 && line[0] == '(')
        i = 1;
    else if (n >= 3 && memcmp(line, "（", 3) == 0)
        i = 3;
    else
        return 0;
    size_t digits = 0;
    for (;;) {
        if (i < n && line[i] >= '0' && line[i] <= '9')
            i += 1;
        else if (i + 3 <= n && (unsigned char)line[i] == 0xEF && (unsigned char)line[i + 1] == 0xBC &&
                 (unsigned char)line[i + 2] >= 0x90 && (unsigned char)line[i + 2] <= 0x99)
            i += 3;
        else
            break;
        digits++;
    }
    if (!digits)
        return 0;
    if (i < n && line[i] == ')')
        i++;
    else if (i + 3 <= n && memcmp(line + i, "）", 3) == 0)
        i += 3;
    else
        return 0;
    *tl = n - i;
    *t = trim(line + i, tl);
    return *tl > 0;
}

/* True when LINE[0..n) is only dashes, TABs and spaces, with a dash. */
static int is_separator(const char *line, size_t n)
{
    int dash = 0;
    for (size_t i = 0; i < n; i++) {
        if (line[i] == '-')
            dash = 1;
        else if (line[i] != '\t' && line[i] != ' ')
            return 0;
    }
    return dash;
}

/* True when LINE[0..n) is empty or only white space (ASCII or U+3000). */
static int is_blank(const char *line, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')
            continue;
        if (i + 3 <= n && memcmp(line + i, "\xE3\x80\x80", 3) == 0) {
            i += 2;
            continue;
        }
        return 0;
    }
    return 1;
}

/* Length of the leading decimal number of LINE if a TAB follows it, else 0. */
static size_t row_number_len(const char *line, size_t n)
{
    size_t i = 0;
    while (i < n && line[i] >= '0' && line[i] <= '9')
        i++;
    return (i > 0 && i < n && line[i] == '\t') ? i : 0;
}

/* Length of the CUT_WORD at S[at..n), or 0 if none starts there. */
static size_t cut_word_len(const char *s, size_t n, size_t at)
{
    for (size_t w = 0; w < N_CUT_WORDS; w++) {
        size_t l = strlen(CUT_WORDS[w]);
        if (at + l <= n && memcmp(s + at, CUT_WORDS[w], l) == 0)
            return l;
    }
    return 0;
}

/* True when an all-kanji name may be cut at S[at]: a CUT_WORD starts there
   and is followed by the end, a non-kanji or another CUT_WORD (so that
   "工|事業者" is not cut but "利用|支援事業" is). */
static int cut_word_at(const char *s, size_t n, size_t at)
{
    size_t l = cut_word_len(s, n, at);
    if (!l)
        return 0;
    size_t end = at + l, i = end;
    return end == n || char_class(utf8_next(s, n, &i)) != CC_KANJI || cut_word_len(s, n, end) > 0;
}

/* Collect the cut points of program name P and add the prefixes and
   suffixes they make.  A cut goes before a kanji or katakana that starts a
   new script run (or a CUT_WORD inside a kanji run), leaving at least two
   characters on both sides. */
static void add_fragments(Seed *sd, const Piece *p, uint32_t src)
{
    size_t i = 0, ci = 0;
    int prev_cls = -1;
    uint32_t prev_cp = 0;
    while (i < p->len) {
        size_t at = i;
        uint32_t c = utf8_next(p->s, p->len, &i);
        int cls = char_class(c);
        int prev_ok = prev_cls == CC_HIRA || prev_cls == CC_KATA || prev_cls == CC_KANJI ||
                      prev_cp == 0x300D || prev_cp == 0xFF09;
        int cut = 0;
        if (ci >= 2 && ci + 2 <= p->nch && (cls == CC_KANJI || cls == CC_KATA) && prev_ok) {
            if (cls != prev_cls)
                cut = 1;
            else if (cls == CC_KANJI)
                cut = cut_word_at(p->s, p->len, at);
        }
        if (cut) {
            Piece a = *p, b = *p;
            a.len = (uint32_t)at;
            a.nch = (uint32_t)ci;
            a.src = src;
            a.flags = (contains(a.s, a.len, "仙台") ? SUB_SENDAI : 0) |
                      (contains(a.s, a.len, "太白") ? SUB_TAIHAKU : 0);
            b.s = p->s + at;
            b.len = p->len - (uint32_t)at;
            b.nch = p->nch - (uint32_t)ci;
            b.src = src;
            b.flags = (contains(b.s, b.len, "仙台") ? SUB_SENDAI : 0) |
                      (contains(b.s, b.len, "太白") ? SUB_TAIHAKU : 0);
            pv_push(&sd->prefixes, a);
            pv_push(&sd->suffixes, b);
        }
        prev_cls = cls;
        prev_cp = c;
        ci++;
    }
}

/* Read and parse the seed document PATH into SD; exits with a message
   naming PATH if it cannot be read, is not UTF-8 or has too few phrases. */
static void seed_load(Seed *sd, const char *path)
{
    memset(sd, 0, sizeof *sd);
    FILE *f = fopen(path, "rb");
    if (!f)
        fatal_file(path, "cannot open", errno);
    Buf text = {0};
    for (;;) {
        buf_reserve(&text, 65536);
        size_t got = fread(text.p + text.len, 1, text.cap - text.len, f);
        text.len += got;
        if (got == 0)
            break;
    }
    if (ferror(f))
        fatal_file(path, "read error", errno);
    fclose(f);
    if (utf8_valid_prefix(text.p, text.len) != text.len)
        fatal_file(path, "not valid UTF-8", 0);
    if (text.len >= 3 && memcmp(text.p, "\xEF\xBB\xBF", 3) == 0) /* BOM */
        memmove(text.p, text.p + 3, text.len -= 3);

    SeedRow row = {{0}, {0}, {0}, 0};
    int seen_heading = 0;
    size_t pos = 0;
    while (pos < text.len) {
        const char *line = text.p + pos;
        const char *nl = memchr(line, '\n', text.len - pos);
        size_t n = nl ? (size_t)(nl - line) : text.len - pos;
        pos += n + (nl != NULL);
        if (n && line[n - 1] == '\r')
            n--;
        const char *t;
        size_t tl;
        size_t numlen;
        if (parse_heading(line, n, &t, &tl)) {
            seed_row_finish(sd, &row);
            seen_heading = 1;
            pv_push(&sd->titles, make_piece(sd, t, tl, 0));
        } else if (!seen_heading) {
            pv_push(&sd->title_lines, make_piece(sd, line, n, 0));
        } else if (is_blank(line, n) || is_separator(line, n) || (n >= 3 && memcmp(line, "No\t", 3) == 0)) {
            /* page break, layout leftover, column header */
        } else if ((numlen = row_number_len(line, n)) > 0) {
            seed_row_finish(sd, &row);
            const char *cell[4];
            size_t cl[4];
            int k = split_cells(line, n, cell, cl);
            row.active = 1;
            if (k > 1)
                buf_put(&row.name, cell[1], cl[1]);
            if (k > 2)
                buf_put(&row.sum, cell[2], cl[2]);
            if (k > 3)
                buf_put(&row.dept, cell[3], cl[3]);
        } else if (row.active) {
            const char *cell[4];
            size_t cl[4];
            int k = split_cells(line, n, cell, cl);
            int base = k == 4 ? 1 : 0; /* 4 cells: the first is the empty No cell */
            if (k == 4 && cl[0] > 0)
                buf_put(&row.name, cell[0], cl[0]);
            if (k > base)
                buf_put(&row.name, cell[base], cl[base]);
            if (k > base + 1)
                buf_put(&row.sum, cell[base + 1], cl[base + 1]);
            if (k > base + 2) {
                size_t dl = cl[base + 2];
                const char *d = trim(cell[base + 2], &dl);
                if (dl) {
                    if (row.dept.len)
                        buf_puts(&row.dept, " ");
                    buf_put(&row.dept, d, dl);
                }
            }
        }
    }
    seed_row_finish(sd, &row);
    buf_free(&row.name);
    buf_free(&row.sum);
    buf_free(&row.dept);
    buf_free(&text);

    /* drop blank title lines at the end; the generator writes its own */
    while (sd->title_lines.n && is_blank(sd->title_lines.v[sd->title_lines.n - 1].s,
                                         sd->title_lines.v[sd->title_lines.n - 1].len))
        sd->title_lines.n--;
    for (size_t k = 0; k < sd->names.n; k++)
        add_fragments(sd, &sd->names.v[k], (uint32_t)k);

    if (sd->titles.n == 0)
        fatal_file(path, "no section headings found", 0);
    if (sd->names.n < 2 || sd->prefixes.n == 0 || sd->suffixes.n == 0)
        fatal_file(path, "too few program names to recombine", 0);
    if (sd->ends.n == 0 && sd->finals.n == 0)
        fatal_file(path, "no summary clauses found", 0);
    if (sd->depts.n == 0)
        fatal_file(path, "no department cells found", 0);
}

/* Release all memory held by SD. */
static void seed_free(Seed *sd)
{
    PieceVec *vs[] = {&sd->title_lines, &sd->titles, &sd->names, &sd->prefixes, &sd->suffixes,
                      &sd->mids, &sd->ends, &sd->finals, &sd->depts};
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++)
        free(vs[i]->v);
    while (sd->pool) {
        PoolBlock *next = sd->pool->next;
        free(sd->pool);
        sd->pool = next;
    }
}

/* ------------------------------------------------------------------------ */
/* Generator                                                                */

#define MAX_DISTRICTS 8

typedef struct {
    char place[16]; /* municipality place name: 2-4 kanji, unique per municipality */
    size_t place_len;
    char district[MAX_DISTRICTS][8];
    size_t n_districts;
    int fullwidth; /* headings as "（１）title" */
} Muni;

/* A program first listed in the current municipality (texts in Gen.arena). */
typedef struct {
    size_t name_off, sum_off;
    uint32_t name_len, sum_len;
    uint32_t dept;        /* index in seed->depts */
    uint32_t last_section; /* section (1-based) it was last listed in */
    uint64_t hash;
} Prog;

typedef struct {
    unsigned long long municipalities, sections, listings, relisted, split_rows, cont4, cont3,
        page_breaks, wrapped, separators, unmarked_dups, orphan_relists, edited_relists,
        alt_dept_relists, number_slips, shared_summaries, verbatim_names, forced_names;
} Stats;

typedef struct {
    const Seed *seed;
    Rng rng;
    Out *out;
    HSet names; /* hashes of every program name made so far (all municipalities) */
    Muni muni;
    uint32_t place_digits;
    uint64_t place_mod, place_mul, place_add;
    Buf arena; /* names and summaries of the current municipality's programs */
    Prog *progs;
    size_t n_progs, cap_progs;
    uint32_t *title_order; /* shuffled section title indices, seed->titles.n */
    Buf name, disp, sum, dept, line, tmp; /* scratch */
    Stats st;
} Gen;

/* Append S[0..n) to B, replacing 仙台 by the municipality's place name and
   太白 by its first district (the seed's own place names) as FLAGS (SUB_*)
   say S contains them. */
static void put_local(const Gen *g, Buf *b, const char *s, size_t n, uint32_t flags)
{
    if (!flags) {
        buf_put(b, s, n);
        return;
    }
    size_t i = 0;
    while (i < n) {
        if ((flags & SUB_SENDAI) && i + 6 <= n && memcmp(s + i, "仙台", 6) == 0) {
            buf_put(b, g->muni.place, g->muni.place_len);
            i += 6;
        } else if ((flags & SUB_TAIHAKU) && i + 6 <= n && memcmp(s + i, "太白", 6) == 0) {
            buf_puts(b, g->muni.district[0]);
            i += 6;
        } else {
            buf_put(b, s + i, 1);
            i++;
        }
    }
}

/* Append piece P to B localised for the current municipality. */
static void put_piece(const Gen *g, Buf *b, const Piece *p) { put_local(g, b, p->s, p->len, p->flags); }

/* Write one PLACE_KANJI character (number K) into DST; returns bytes (3). */
static size_t place_kanji(char *dst, uint32_t k)
{
    memcpy(dst, PLACE_KANJI + 3 * (size_t)k, 3);
    return 3;
}

/* Greatest common divisor of A and B. */
static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Prepare G for a document of N_LISTINGS listings: pick the bijection that
   gives every municipality a distinct place name. */
static void gen_setup_places(Gen *g, unsigned long long n_listings)
{
    uint64_t k = (uint64_t)(sizeof PLACE_KANJI - 1) / 3;
    uint64_t need = n_listings / (MUNI_MIN / 2) + 2;
    g->place_digits = 2;
    g->place_mod = k * k;
    while (g->place_mod < need && g->place_digits < 4) {
        g->place_digits++;
        g->place_mod *= k;
    }
    do
        g->place_mul = 1 + rng_next(&g->rng) % (g->place_mod - 1);
    while (gcd_u64(g->place_mul, g->place_mod) != 1);
    g->place_add = rng_next(&g->rng) % g->place_mod;
}

/* Set up municipality number IDX: its unique place name, its districts and
   its heading style. */
static void muni_setup(Gen *g, unsigned long long idx)
{
    Muni *m = &g->muni;
    uint64_t k = (uint64_t)(sizeof PLACE_KANJI - 1) / 3;
    uint64_t v = (g->place_mul * (idx % g->place_mod) + g->place_add) % g->place_mod;
    m->place_len = 0;
    for (uint32_t d = 0; d < g->place_digits; d++) {
        m->place_len += place_kanji(m->place + m->place_len, (uint32_t)(v % k));
        v /= k;
    }
    m->n_districts = rng_range(&g->rng, 4, MAX_DISTRICTS);
    for (size_t d = 0; d < m->n_districts; d++) {
        size_t l = place_kanji(m->district[d], rng_below(&g->rng, (uint32_t)k));
        l += place_kanji(m->district[d] + l, rng_below(&g->rng, (uint32_t)k));
        m->district[d][l] = '\0';
    }
    m->fullwidth = rng_chance(&g->rng, FULLWIDTH_MUNI_PPM);
}

/* Append a recombined program name to B: the prefix of one seed name plus
   the suffix of another, 4..36 characters, brackets balanced. */
static void put_recombined(Gen *g, Buf *b)
{
    const Seed *sd = g->seed;
    for (int t = 0; t < 64; t++) {
        const Piece *p = &sd->prefixes.v[rng_below(&g->rng, (uint32_t)sd->prefixes.n)];
        const Piece *s = &sd->suffixes.v[rng_below(&g->rng, (uint32_t)sd->suffixes.n)];
        uint32_t nch = p->nch + s->nch;
        if (p->src == s->src || nch < 4 || nch > 36)
            continue;
        size_t mark = b->len;
        put_piece(g, b, p);
        put_piece(g, b, s);
        if (brackets_balanced(b->p + mark, b->len - mark))
            return;
        b->len = mark;
    }
    put_piece(g, b, &sd->names.v[rng_below(&g->rng, (uint32_t)sd->names.n)]);
}

/* Append a random district name of the current municipality to B. */
static void put_district(Gen *g, Buf *b)
{
    buf_puts(b, g->muni.district[rng_below(&g->rng, (uint32_t)g->muni.n_districts)]);
}

/* Append one candidate name for a new program to B: a recombined name,
   often with a municipality-specific variation (district or place prefix,
   facility note, phase counter). */
static void put_candidate(Gen *g, Buf *b)
{
    uint32_t r = rng_below(&g->rng, PPM);
    if (r < 370000) { /* plain */
        put_recombined(g, b);
    } else if (r < 650000) { /* "若林地区ボランティアフォーラム" */
        put_district(g, b);
        if (rng_chance(&g->rng, 400000))
            buf_puts(b, "地区");
        put_recombined(g, b);
    } else if (r < 750000) { /* "青葉市…", "青葉版…" */
        buf_put(b, g->muni.place, g->muni.place_len);
        uint32_t k = rng_below(&g->rng, 5);
        buf_puts(b, k < 3 ? "市" : k < 4 ? "版" : "");
        put_recombined(g, b);
    } else if (r < 900000) { /* "…（若林センター）" */
        put_recombined(g, b);
        buf_puts(b, "（");
        put_district(g, b);
        buf_puts(b, FACILITIES[rng_below(&g->rng, N_FACILITIES)]);
        buf_puts(b, "）");
    } else { /* "…（第3期）" */
        put_recombined(g, b);
        buf_puts(b, "（第");
        buf_putu(b, rng_range(&g->rng, 2, 5));
        buf_puts(b, "期）");
    }
}

/* Make the name of a new program of the current municipality in g->name and
   return its hash.  The name is new across the whole document, except for
   the rare seed names used verbatim (national programs), which are only
   unique within the municipality. */
static uint64_t make_program_name(Gen *g)
{
    Buf *b = &g->name;
    const Seed *sd = g->seed;
    if (rng_chance(&g->rng, VERBATIM_NAME_PPM)) {
        for (int t = 0; t < 4; t++) {
            b->len = 0;
            put_piece(g, b, &sd->names.v[rng_below(&g->rng, (uint32_t)sd->names.n)]);
            uint64_t h = name_hash(b->p, b->len);
            size_t i;
            for (i = 0; i < g->n_progs && g->progs[i].hash != h; i++)
                ;
            if (i == g->n_progs) {
                hset_insert(&g->names, h);
                g->st.verbatim_names++;
                return h;
            }
        }
    }
    for (int t = 0; t < 8; t++) {
        b->len = 0;
        put_candidate(g, b);
        uint64_t h = name_hash(b->p, b->len);
        if (hset_insert(&g->names, h))
            return h;
    }
    /* forced: the place name makes it local; a counter makes it unique */
    g->st.forced_names++;
    b->len = 0;
    buf_put(b, g->muni.place, g->muni.place_len);
    buf_puts(b, "市");
    put_recombined(g, b);
    size_t base = b->len;
    for (unsigned k = 2;; k++) {
        uint64_t h = name_hash(b->p, b->len);
        if (hset_insert(&g->names, h))
            return h;
        b->len = base;
        buf_puts(b, "（第");
        buf_putu(b, k);
        buf_puts(b, "期）");
    }
}

/* Append a new summary to B: 1-3 sentences, each of 0-3 clauses ending in
   、 and one ending in 。 (the last sentence sometimes has no 。). */
static void put_summary(Gen *g, Buf *b)
{
    const Seed *sd = g->seed;
    uint32_t r = rng_below(&g->rng, 100);
    int sentences = r < 50 ? 1 : r < 88 ? 2 : 3;
    for (int s = 0; s < sentences; s++) {
        uint32_t q = rng_below(&g->rng, 100);
        int mids = q < 20 ? 0 : q < 60 ? 1 : q < 90 ? 2 : 3;
        if (sd->mids.n == 0)
            mids = 0;
        for (int k = 0; k < mids; k++)
            put_piece(g, b, &sd->mids.v[rng_below(&g->rng, (uint32_t)sd->mids.n)]);
        int last = s == sentences - 1;
        if (sd->ends.n == 0 || (last && sd->finals.n && rng_chance(&g->rng, 60000)))
            put_piece(g, b, &sd->finals.v[rng_below(&g->rng, (uint32_t)sd->finals.n)]);
        else
            put_piece(g, b, &sd->ends.v[rng_below(&g->rng, (uint32_t)sd->ends.n)]);
        if (!last && sd->ends.n == 0)
            break;
    }
}

/* Copy S[0..n) into B with a small edit, as a re-listed summary that
   differs from the original: a 、 inserted after a kanji, one character
   dropped, or a run of 2-6 characters dropped (never the whole text). */
static void put_edited_summary(Gen *g, Buf *b, const char *s, size_t n)
{
    size_t nch = utf8_count(s, n);
    uint32_t kind = rng_below(&g->rng, 10);
    if (nch < 8) {
        buf_put(b, s, n);
        return;
    }
    if (kind < 4) { /* insert 、 after the K-th kanji */
        size_t cand = 0, i = 0;
        while (i < n)
            cand += char_class(utf8_next(s, n, &i)) == CC_KANJI;
        if (cand > 0) {
            size_t pick = rng_below(&g->rng, (uint32_t)cand);
            i = 0;
            while (i < n) {
                size_t at = i;
                int kanji = char_class(utf8_next(s, n, &i)) == CC_KANJI;
                buf_put(b, s + at, i - at);
                if (kanji && pick-- == 0) {
                    buf_puts(b, "、");
                    buf_put(b, s + i, n - i);
                    return;
                }
            }
        }
        kind = 4;
    }
    size_t len = kind < 8 ? 1 : rng_range(&g->rng, 2, 6);
    size_t from = rng_below(&g->rng, (uint32_t)(nch - len));
    size_t a = utf8_offset(s, n, from), z = utf8_offset(s, n, from + len);
    buf_put(b, s, a);
    buf_put(b, s + z, n - z);
}

/* Append N dashes to B. */
static void put_dashes(Buf *b, uint32_t n)
{
    while (n--)
        buf_puts(b, "-");
}

/* Copy the display form of name S[0..n) (+ 【再掲】 if RELIST) into g->disp;
   with WIDTH > 0, a wrap space goes before every WIDTH-th character that sits
   between two non-ASCII characters (PDF cell line breaks). */
static void make_display_name(Gen *g, const char *s, size_t n, int relist, uint32_t width)
{
    Buf *d = &g->disp;
    d->len = 0;
    buf_put(d, s, n);
    if (relist)
        buf_puts(d, MARKER);
    if (!width)
        return;
    Buf *t = &g->tmp;
    t->len = 0;
    size_t i = 0, ci = 0;
    while (i < d->len) {
        size_t at = i;
        utf8_next(d->p, d->len, &i);
        if (ci > 0 && ci % width == 0 && ((unsigned char)d->p[at - 1] & 0x80) &&
            ((unsigned char)d->p[at] & 0x80))
            buf_puts(t, " ");
        buf_put(t, d->p + at, i - at);
        ci++;
    }
    Buf swap = *d;
    *d = *t;
    *t = swap;
}

enum { SPLIT_NONE, SPLIT_F1, SPLIT_F2, SPLIT_F3, SPLIT_F4 };

/* Pick the character index at which a cell is cut by a page break: a
   multiple of WIDTH (the PDF cell width), at most LIMIT; the first multiple
   with probability FIRST_PPM, else a random one; 0 if none fits. */
static size_t pick_cut(Gen *g, size_t limit, size_t width, uint32_t first_ppm)
{
    size_t jmax = limit / width;
    if (jmax == 0)
        return 0;
    if (jmax == 1 || rng_chance(&g->rng, first_ppm))
        return width;
    return width * (1 + rng_below(&g->rng, (uint32_t)jmax));
}

/* Write one listing row: number NUM, name S (+ marker if RELIST), summary
   SUM, departments DEPT.  Decides the row's layout quirks: wrap spaces, a
   page break after it, or a split over a page break with a 4-cell or 3-cell
   continuation line. */
static void emit_row(Gen *g, unsigned long long num, const char *name, size_t nlen, int relist,
                     const char *sum, size_t slen, const char *dept, size_t dlen)
{
    Out *o = g->out;
    Buf *ln = &g->line;
    int wrap = rng_chance(&g->rng, WRAP_PPM);
    make_display_name(g, name, nlen, relist, wrap ? rng_range(&g->rng, 7, 9) : 0);
    const char *dn = g->disp.p;
    size_t dnl = g->disp.len;
    g->st.listings++;
    g->st.relisted += relist != 0;
    g->st.wrapped += wrap != 0;

    int form = SPLIT_NONE, brk = 0;
    size_t ncut = dnl, scut = slen; /* byte offsets of the page-break cuts */
    if (rng_chance(&g->rng, PAGE_BREAK_PPM)) {
        brk = 1;
        if (rng_chance(&g->rng, SPLIT_GIVEN_BREAK_PPM)) {
            size_t nch = utf8_count(name, nlen);
            size_t sch = utf8_count(sum, slen);
            size_t nc = wrap ? 0 : pick_cut(g, relist ? nch : nch - 1, 8, 750000);
            size_t sc = pick_cut(g, sch ? sch - 1 : 0, 25, 700000);
            uint32_t r = rng_below(&g->rng, 100);
            if (nc && sc)
                form = r < 50 ? SPLIT_F1 : r < 68 ? SPLIT_F4 : r < 82 ? SPLIT_F3 : SPLIT_F2;
            else if (nc)
                form = SPLIT_F2;
            else if (sc)
                form = SPLIT_F3;
            if (form == SPLIT_F3) {
                nc = 0;
                sc = pick_cut(g, sch ? sch - 1 : 0, 25, 300000);
            }
            if (form == SPLIT_F2)
                sc = 0;
            ncut = nc ? utf8_offset(dn, dnl, nc) : dnl;
            scut = sc ? utf8_offset(sum, slen, sc) : slen;
            if (form == SPLIT_F4) { /* a 3-cell line must not look like a row or heading */
                size_t i = ncut;
                uint32_t c = utf8_next(dn, dnl, &i);
                if (c < 0x80 || c == 0xFF08 || (c >= 0xFF10 && c <= 0xFF19))
                    form = SPLIT_F1;
            }
        }
    }

    size_t d1 = dlen, d2 = dlen; /* dept[0..d1) on the first line, [d2..) continued */
    if (form == SPLIT_F1 && rng_chance(&g->rng, DEPT_SPLIT_PPM)) {
        const char *sp = memchr(dept, ' ', dlen);
        if (sp) {
            d1 = (size_t)(sp - dept);
            d2 = d1 + 1;
        }
    }

    ln->len = 0;
    buf_putu(ln, num);
    buf_puts(ln, "\t");
    buf_put(ln, dn, ncut);
    buf_puts(ln, "\t");
    buf_put(ln, sum, scut);
    buf_puts(ln, "\t");
    buf_put(ln, dept, d1);
    buf_puts(ln, "\n");
    if (brk)
        buf_puts(ln, "\n");
    if (form != SPLIT_NONE) {
        g->st.split_rows++;
        if (form != SPLIT_F4)
            buf_puts(ln, "\t");
        buf_put(ln, dn + ncut, dnl - ncut);
        buf_puts(ln, "\t");
        buf_put(ln, sum + scut, slen - scut);
        buf_puts(ln, "\t");
        buf_put(ln, dept + d2, dlen - d2);
        buf_puts(ln, "\n");
        if (form == SPLIT_F4)
            g->st.cont3++;
        else
            g->st.cont4++;
    } else if (brk) {
        g->st.page_breaks++;
    }
    out_buf(o, ln);
}

/* Add a program (texts copied from g->name and SUM) to the municipality's
   list; returns its index. */
static size_t add_prog(Gen *g, uint64_t hash, const char *sum, size_t slen, uint32_t dept)
{
    if (g->n_progs == g->cap_progs) {
        g->cap_progs = g->cap_progs ? g->cap_progs * 2 : 512;
        g->progs = xrealloc(g->progs, g->cap_progs * sizeof *g->progs);
    }
    Prog *p = &g->progs[g->n_progs];
    p->hash = hash;
    p->dept = dept;
    p->last_section = 0;
    p->name_off = g->arena.len;
    p->name_len = (uint32_t)g->name.len;
    buf_put(&g->arena, g->name.p, g->name.len);
    p->sum_off = g->arena.len;
    p->sum_len = (uint32_t)slen;
    buf_put(&g->arena, sum, slen);
    return g->n_progs++;
}

/* Localise department cell number IDX into g->dept. */
static void load_dept(Gen *g, uint32_t idx)
{
    g->dept.len = 0;
    put_piece(g, &g->dept, &g->seed->depts.v[idx]);
}

/* Write listing number NUM of section SEC (1-based in the municipality) of
   part PART (0-based): a 【再掲】 re-listing of an earlier program of the
   municipality, or a new program (rarely an unmarked repeat). */
static void emit_listing(Gen *g, int part, uint32_t sec, unsigned long long num)
{
    const Seed *sd = g->seed;
    Rng *r = &g->rng;
    if (g->n_progs > 0 && rng_chance(r, RELIST_PPM[part])) {
        for (int t = 0; t < 6; t++) {
            Prog *p = &g->progs[rng_below(r, (uint32_t)g->n_progs)];
            if (p->last_section == sec)
                continue;
            p->last_section = sec;
            g->name.len = 0;
            buf_put(&g->name, g->arena.p + p->name_off, p->name_len);
            if (rng_chance(r, RELIST_ORPHAN_PPM)) {
                static const char *const tails[] = {"の推進", "の充実", "の実施"};
                buf_puts(&g->name, tails[rng_below(r, 3)]);
                g->st.orphan_relists++;
            }
            g->sum.len = 0;
            if (rng_chance(r, RELIST_SUMMARY_EDIT_PPM)) {
                put_edited_summary(g, &g->sum, g->arena.p + p->sum_off, p->sum_len);
                g->st.edited_relists++;
            } else {
                buf_put(&g->sum, g->arena.p + p->sum_off, p->sum_len);
            }
            uint32_t dept = p->dept;
            if (rng_chance(r, RELIST_DEPT_ALT_PPM)) {
                dept = rng_below(r, (uint32_t)sd->depts.n);
                g->st.alt_dept_relists++;
            }
            load_dept(g, dept);
            emit_row(g, num, g->name.p, g->name.len, 1, g->sum.p, g->sum.len, g->dept.p, g->dept.len);
            return;
        }
    }
    if (g->n_progs > 0 && rng_chance(r, UNMARKED_DUP_PPM)) {
        Prog *p = &g->progs[rng_below(r, (uint32_t)g->n_progs)];
        if (p->last_section != sec) {
            p->last_section = sec;
            g->st.unmarked_dups++;
            load_dept(g, p->dept);
            emit_row(g, num, g->arena.p + p->name_off, p->name_len, 0, g->arena.p + p->sum_off,
                     p->sum_len, g->dept.p, g->dept.len);
            return;
        }
    }
    uint64_t h = make_program_name(g);
    g->sum.len = 0;
    if (g->n_progs > 0 && rng_chance(r, SHARED_SUMMARY_PPM)) {
        const Prog *q = &g->progs[rng_below(r, (uint32_t)g->n_progs)];
        buf_put(&g->sum, g->arena.p + q->sum_off, q->sum_len);
        g->st.shared_summaries++;
    } else {
        put_summary(g, &g->sum);
    }
    uint32_t dept = rng_below(r, (uint32_t)sd->depts.n);
    size_t idx = add_prog(g, h, g->sum.p, g->sum.len, dept);
    g->progs[idx].last_section = sec;
    load_dept(g, dept);
    const Prog *p = &g->progs[idx];
    emit_row(g, num, g->arena.p + p->name_off, p->name_len, 0, g->arena.p + p->sum_off, p->sum_len,
             g->dept.p, g->dept.len);
}

/* Write the heading of section number K (1-based in its part) with title T,
   the blank line(s) before it and the column header after it. */
static void emit_heading(Gen *g, uint32_t k, const Piece *t)
{
    Buf *ln = &g->line;
    ln->len = 0;
    buf_puts(ln, "\n");
    if (rng_chance(&g->rng, EXTRA_BLANK_PPM))
        buf_puts(ln, "\n");
    if (g->muni.fullwidth) {
        char digits[24];
        int nd = snprintf(digits, sizeof digits, "%u", (unsigned)k);
        buf_puts(ln, "（");
        for (int i = 0; i < nd; i++) {
            char fw[3] = {'\xEF', '\xBC', (char)(0x90 + (digits[i] - '0'))};
            buf_put(ln, fw, 3);
        }
        buf_puts(ln, "）");
    } else {
        buf_puts(ln, "(");
        buf_putu(ln, k);
        buf_puts(ln, rng_chance(&g->rng, HEADING_NOSPACE_PPM) ? ")" : ") ");
    }
    put_piece(g, ln, t);
    buf_puts(ln, "\n\n");
    buf_puts(ln, HEADER_LINE);
    out_buf(g->out, ln);
}

/* Write a separator line of dashes and TABs ("----\t-----\t---\t--"). */
static void emit_separator(Gen *g)
{
    Buf *ln = &g->line;
    ln->len = 0;
    uint32_t groups = rng_range(&g->rng, 3, 4);
    for (uint32_t i = 0; i < groups; i++) {
        if (i)
            buf_puts(ln, "\t");
        put_dashes(ln, rng_range(&g->rng, 2, 17));
    }
    buf_puts(ln, "\n");
    out_buf(g->out, ln);
    g->st.separators++;
}

/* Write municipality number IDX with exactly S listings (S >= 1): 6 parts
   (fewer if S is tiny) of 2-5 sections each, headings restarting at (1). */
static void emit_municipality(Gen *g, unsigned long long idx, uint32_t s)
{
    Rng *r = &g->rng;
    const Seed *sd = g->seed;
    muni_setup(g, idx);
    g->n_progs = 0;
    g->arena.len = 0;
    g->st.municipalities++;

    uint32_t nsec[PARTS], total = 0, nparts = PARTS;
    for (int p = 0; p < PARTS; p++)
        total += nsec[p] = rng_range(r, 2, 5);
    while (total > s) { /* tiny municipality: fewer sections, then fewer parts */
        uint32_t best = 0;
        for (uint32_t p = 1; p < nparts; p++)
            if (nsec[p] > nsec[best])
                best = p;
        if (nsec[best] > 1)
            nsec[best]--;
        else
            nparts--;
        total--;
    }

    uint32_t count[MAX_SECTIONS], weight[MAX_SECTIONS], wsum = 0;
    for (uint32_t i = 0; i < total; i++) /* weight 0: a section of 1 row */
        wsum += weight[i] = rng_below(r, 9);
    if (wsum == 0)
        wsum = weight[0] = 1;
    uint32_t rest = s - total, given = 0;
    for (uint32_t i = 0; i < total; i++) {
        count[i] = 1 + (uint32_t)((uint64_t)rest * weight[i] / wsum);
        given += count[i] - 1;
    }
    while (given < rest) {
        count[rng_below(r, total)]++;
        given++;
    }

    for (uint32_t i = 0; i < sd->titles.n; i++)
        g->title_order[i] = i;
    for (uint32_t i = (uint32_t)sd->titles.n; i > 1; i--) {
        uint32_t j = rng_below(r, i), t = g->title_order[i - 1];
        g->title_order[i - 1] = g->title_order[j];
        g->title_order[j] = t;
    }

    uint32_t sec = 0;
    for (uint32_t p = 0; p < nparts; p++) {
        for (uint32_t k = 0; k < nsec[p]; k++, sec++) {
            g->st.sections++;
            emit_heading(g, k + 1, &sd->titles.v[g->title_order[sec % sd->titles.n]]);
            uint32_t n = count[sec];
            uint32_t slip_at = UINT32_MAX;
            int slip_back = 0;
            if (n >= 3 && rng_chance(r, NUMBER_SLIP_PPM)) {
                slip_at = rng_range(r, 1, n - 1);
                slip_back = (int)rng_below(r, 2);
                g->st.number_slips++;
            }
            unsigned long long num = 1;
            for (uint32_t i = 0; i < n; i++, num++) {
                if (i == slip_at)
                    num = slip_back ? (num > 2 ? num - 1 - rng_below(r, (uint32_t)(num - 2)) : 1) : num + 1;
                emit_listing(g, (int)p, sec + 1, num);
            }
            if (rng_chance(r, SEPARATOR_PPM))
                emit_separator(g);
        }
    }
}

/* Write the whole document: title lines, then municipalities until exactly
   N listings have been written. */
static void gen_document(Gen *g, unsigned long long n)
{
    const Seed *sd = g->seed;
    for (size_t i = 0; i < sd->title_lines.n; i++) {
        out_put(g->out, sd->title_lines.v[i].s, sd->title_lines.v[i].len);
        out_puts(g->out, "\n");
    }
    gen_setup_places(g, n);
    unsigned long long left = n, idx = 0;
    while (left > 0) {
        unsigned long long s = rng_range(&g->rng, MUNI_MIN, MUNI_MAX);
        if (s > left || left - s < MUNI_MIN)
            s = left;
        emit_municipality(g, idx++, (uint32_t)s);
        left -= s;
    }
}

/* Print the command-line usage on F. */
static void usage(FILE *f)
{
    fprintf(f,
            "usage: gen_national SEED_FILE [--listings N] [--seed S] [--stats] > out.txt\n"
            "\n"
            "Writes a synthetic national-scale program list (掲載予定事業一覧) in the\n"
            "plan-list text format, built from the phrases of the real document SEED_FILE.\n"
            "The output is byte-identical for the same seed file and arguments.\n"
            "\n"
            "  --listings N  number of listing rows to write (default %llu, max %llu)\n"
            "  --seed S      PRNG seed, an unsigned 64-bit integer (default 1)\n"
            "  --stats       print counts (listings, re-listings, distinct names...) on stderr\n"
            "  --help        show this help\n",
            DEFAULT_LISTINGS, MAX_LISTINGS);
}

/* Parse the unsigned decimal S into *V; returns 1 on success. */
static int parse_u64(const char *s, unsigned long long *v)
{
    if (!s || *s < '0' || *s > '9')
        return 0;
    errno = 0;
    char *end;
    *v = strtoull(s, &end, 10);
    return errno == 0 && *end == '\0';
}

/* Print the statistics ST and the distinct name count on stderr. */
static void print_stats(const Gen *g)
{
    const Stats *st = &g->st;
    fprintf(stderr,
            "municipalities     %llu\n"
            "sections           %llu\n"
            "listings           %llu\n"
            "relisted           %llu\n"
            "distinct names     %llu\n"
            "split rows         %llu (4-cell %llu, 3-cell %llu)\n"
            "page breaks        %llu\n"
            "wrapped names      %llu\n"
            "separator lines    %llu\n"
            "unmarked repeats   %llu\n"
            "orphan re-listings %llu\n"
            "edited summaries   %llu\n"
            "other departments  %llu\n"
            "shared summaries   %llu\n"
            "verbatim names     %llu\n"
            "forced names       %llu\n"
            "numbering slips    %llu\n",
            st->municipalities, st->sections, st->listings, st->relisted,
            (unsigned long long)g->names.count, st->split_rows, st->cont4, st->cont3, st->page_breaks,
            st->wrapped, st->separators, st->unmarked_dups, st->orphan_relists, st->edited_relists,
            st->alt_dept_relists, st->shared_summaries, st->verbatim_names, st->forced_names,
            st->number_slips);
}

int main(int argc, char **argv)
{
    const char *seed_path = NULL;
    unsigned long long listings = DEFAULT_LISTINGS, seed = 1;
    int stats = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--listings") == 0 || strcmp(a, "--seed") == 0) {
            unsigned long long v;
            if (i + 1 >= argc || !parse_u64(argv[i + 1], &v)) {
                fprintf(stderr, "gen_national: %s needs an unsigned integer\n", a);
                usage(stderr);
                return 2;
            }
            if (a[2] == 'l')
                listings = v;
            else
                seed = v;
            i++;
        } else if (strcmp(a, "--stats") == 0) {
            stats = 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "gen_national: unknown option %s\n", a);
            usage(stderr);
            return 2;
        } else if (!seed_path) {
            seed_path = a;
        } else {
            fprintf(stderr, "gen_national: more than one SEED_FILE\n");
            usage(stderr);
            return 2;
        }
    }
    if (!seed_path) {
        usage(stderr);
        return 2;
    }
    if (listings > MAX_LISTINGS) {
        fprintf(stderr, "gen_national: --listings must be at most %llu\n", MAX_LISTINGS);
        return 2;
    }
    if ((sizeof PLACE_KANJI - 1) % 3 != 0)
        fatal("internal error: PLACE_KANJI must hold 3-byte characters");

    Seed sd;
    seed_load(&sd, seed_path);

    Out out = {stdout, "stdout", NULL, 0, OUT_BUF_SIZE};
    out.buf = xrealloc(NULL, out.cap);

    Gen g;
    memset(&g, 0, sizeof g);
    g.seed = &sd;
    g.rng.s = seed;
    g.out = &out;
    hset_init(&g.names, (size_t)(listings * 3 / 4) + 16);
    g.title_order = xrealloc(NULL, sd.titles.n * sizeof *g.title_order);

    gen_document(&g, listings);

    out_flush(&out);
    if (fflush(stdout) != 0 || ferror(stdout))
        fatal_file("stdout", "write error", errno);
    if (stats)
        print_stats(&g);

    free(out.buf);
    free(g.names.slot);
    free(g.title_order);
    free(g.progs);
    Buf *bufs[] = {&g.arena, &g.name, &g.disp, &g.sum, &g.dept, &g.line, &g.tmp};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        buf_free(bufs[i]);
    seed_free(&sd);
    return 0;
}
