/*
 * test_text.c — unit tests of src/text (include/core/sasae/text.h): UTF-8 validation and decoding,
 * NFKC, program identity keys, wrap-space removal, 【再掲】 stripping, display width and padding;
 * and of include/core/sasae/similar.h: the fast NFKC table, identity code points, bigram sets, the Dice
 * similarity, the edit distance and the edit script.  Expected values come from the rules in
 * text.h, similar.h and ../shared/docs/plan-format.md, worked out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sasae/similar.h"
#include "sasae/text.h"
#include "test_util.h"

/* ---- UTF-8 validation ---- */

typedef struct utf8_case {
	const char *what;
	const char *bytes;
	size_t len;
	bool valid;
	size_t bad; /* offset of the first bad byte when !valid */
} utf8_case;

#define U8(s) s, sizeof(s) - 1

static const utf8_case utf8_cases[] = {
	{"empty", U8(""), true, 0},
	{"ASCII", U8("abc\tdef"), true, 0},
	{"Japanese", U8("日本語のテキスト"), true, 0},
	{"2-byte", U8("caf\xC3\xA9"), true, 0},
	{"4-byte (U+2000B)", U8("\xF0\xA0\x80\x8B"), true, 0},
	{"U+10FFFF, the last code point", U8("\xF4\x8F\xBF\xBF"), true, 0},
	{"U+FEFF (BOM) is a valid character", U8("\xEF\xBB\xBF"), true, 0},
	{"overlong 2-byte slash", U8("ab\xC0\xAF"), false, 2},
	{"overlong 2-byte C1", U8("\xC1\xBF"), false, 0},
	{"overlong 3-byte", U8("x\xE0\x80\xAF"), false, 1},
	{"overlong 4-byte", U8("\xF0\x80\x80\xAF"), false, 0},
	{"overlong NUL (C0 80)", U8("a\xC0\x80"), false, 1},
	{"surrogate U+D800", U8("ok\xED\xA0\x80"), false, 2},
	{"surrogate U+DFFF", U8("\xED\xBF\xBF"), false, 0},
	{"above U+10FFFF", U8("\xF4\x90\x80\x80"), false, 0},
	{"F5 lead byte", U8("\xF5\x80\x80\x80"), false, 0},
	{"truncated 3-byte at end", U8("あ\xE3\x81"), false, 3},
	{"truncated 2-byte at end", U8("\xC3"), false, 0},
	{"truncated sequence followed by ASCII",
	 U8("\xE3\x81"
	    "a"),
	 false, 0},
	{"lone continuation byte", U8("abc\x80"), false, 3},
	{"FF byte", U8("日本\xFF"), false, 6},
	{"NUL byte", U8("a\0b"), false, 1},
	{"NUL byte first", U8("\0"), false, 0},
	{"Latin-1 e-acute", U8("caf\xE9"), false, 3},
	{"Shift_JIS 日本", U8("\x93\xfa\x96\x7b"), false, 0},
};

static void test_utf8_valid(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof utf8_cases / sizeof utf8_cases[0]; i++) {
		const utf8_case *c = &utf8_cases[i];
		size_t bad = (size_t)-1;
		char *exact = malloc(c->len ? c->len : 1); /* no NUL after it: ASan sees a read past the end */
		assert_non_null(exact);
		memcpy(exact, c->bytes, c->len);
		bool ok = sasae_utf8_valid(exact, c->len, &bad);
		free(exact);
		if (ok != c->valid)
			fail_msg("%s: valid=%d, want %d", c->what, ok, c->valid);
		if (!c->valid && bad != c->bad)
			fail_msg("%s: bad offset %zu, want %zu", c->what, bad, c->bad);
	}
	/* bad may be NULL */
	assert_false(sasae_utf8_valid("\xFF", 1, NULL));
	assert_true(sasae_utf8_valid("a", 1, NULL));
	/* only n bytes are looked at */
	assert_true(sasae_utf8_valid("ab\xFF", 2, NULL));
}

static void test_utf8_decode_encode(void **state)
{
	(void)state;
	static const struct {
		int32_t cp;
		const char *utf8;
	} cases[] = {
		{'A', "A"},
		{0xE9, "\xC3\xA9"},
		{0x3042, "あ"},
		{0xFF24, "Ｄ"},
		{0x3000, "\xE3\x80\x80"},
		{0x2000B, "\xF0\xA0\x80\x8B"},
		{0x10FFFF, "\xF4\x8F\xBF\xBF"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int32_t cp = -1;
		size_t n = strlen(cases[i].utf8);
		assert_int_equal(sasae_utf8_decode(cases[i].utf8, n, &cp), n);
		assert_int_equal(cp, cases[i].cp);
		char out[8] = {0};
		assert_int_equal(sasae_utf8_encode(cases[i].cp, out), n);
		assert_memory_equal(out, cases[i].utf8, n);
	}
	int32_t cp;
	assert_int_equal(sasae_utf8_decode("", 0, &cp), 0);
	assert_int_equal(sasae_utf8_decode("\xE3\x81", 2, &cp), 0);     /* truncated */
	assert_int_equal(sasae_utf8_decode("\xE3\x81\x82", 2, &cp), 0); /* n cuts it */
	assert_int_equal(sasae_utf8_decode("\xED\xA0\x80", 3, &cp), 0); /* surrogate */
	assert_int_equal(sasae_utf8_decode("\xC0\xAF", 2, &cp), 0);     /* overlong */
	assert_int_equal(sasae_utf8_decode("\x80", 1, &cp), 0);
}

static void test_first_last_cp(void **state)
{
	(void)state;
	assert_int_equal(sasae_text_first_cp(""), -1);
	assert_int_equal(sasae_text_last_cp(""), -1);
	assert_int_equal(sasae_text_first_cp("あいう"), 0x3042);
	assert_int_equal(sasae_text_last_cp("あいう"), 0x3046);
	assert_int_equal(sasae_text_first_cp("Aあ"), 'A');
	assert_int_equal(sasae_text_last_cp("あA"), 'A');
	assert_int_equal(sasae_text_last_cp("ボランティア"), 0x30A2);
	assert_int_equal(sasae_text_last_cp("x\xF0\xA0\x80\x8B"), 0x2000B);
}

/* ---- character classes ---- */

static void test_is_japanese_and_space(void **state)
{
	(void)state;
	static const struct {
		int32_t cp;
		bool japanese;
	} cases[] = {
		/* clang-format off */
		{0x3042, true},  /* あ */
		{0x30A2, true},  /* ア */
		{0x30FC, true},  /* ー */
		{0x30FB, true},  /* ・ */
		{0x6F22, true},  /* 漢 */
		{0x3001, true},  /* 、 */
		{0x3002, true},  /* 。 */
		{0x300C, true},  /* 「 */
		{0x3010, true},  /* 【 */
		{0xFF08, true},  /* （ */
		{0xFF09, true},  /* ） */
		{0xFF76, true},  /* ｶ half-width katakana */
		{0x20B9F, true}, /* 𠮟 CJK extension B */
		{'A', false},
		{'z', false},
		{'0', false},
		{'(', false},
		{' ', false},
		{0x3000, false}, /* IDEOGRAPHIC SPACE is a space, not text */
		{0xFF21, false}, /* Ａ full-width Latin */
		{0xFF41, false}, /* ａ */
		{0xFF11, false}, /* １ full-width digit */
		/* clang-format on */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (sasae_text_is_japanese(cases[i].cp) != cases[i].japanese)
			fail_msg("is_japanese(U+%04X) should be %d", (unsigned)cases[i].cp, cases[i].japanese);
	assert_true(sasae_text_is_space(' '));
	assert_true(sasae_text_is_space('\t'));
	assert_true(sasae_text_is_space(0x3000));
	assert_true(sasae_text_is_space(0xA0));
	assert_false(sasae_text_is_space('a'));
	assert_false(sasae_text_is_space(0x3042));
}

/* ---- NFKC ---- */

typedef struct str_case {
	const char *in;
	const char *want;
} str_case;

static const str_case nfkc_cases[] = {
	{"ＤＶ", "DV"},
	{"ＤＶや性暴力", "DVや性暴力"},
	{"１２３", "123"},
	{"令和５年４月", "令和5年4月"},
	{"ｶﾀｶﾅ", "カタカナ"},
	{"ｶﾞｲﾄﾞ", "ガイド"}, /* half-width voiced marks compose */
	{"（仮称）", "(仮称)"},
	{"ａｂｃ", "abc"},
	{"①", "1"},
	{"カタカナ", "カタカナ"}, /* already normal */
	{"發揮", "發揮"},         /* old character forms are not changed by NFKC */
	{"か\xE3\x82\x99", "が"}, /* combining voiced mark composes */
	{"\xE3\x80\x80", " "},    /* U+3000 becomes a space */
	{"", ""},
};

static void test_nfkc(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof nfkc_cases / sizeof nfkc_cases[0]; i++) {
		char *got = sasae_text_nfkc(nfkc_cases[i].in);
		assert_non_null(got);
		if (strcmp(got, nfkc_cases[i].want) != 0)
			fail_msg("nfkc(%s) = %s, want %s", nfkc_cases[i].in, got, nfkc_cases[i].want);
		free(got);
	}
}

/* ---- identity keys ---- */

static const str_case key_cases[] = {
	{"成年後見セミナー", "成年後見セミナー"},
	{"DV や性暴力の防止", "DVや性暴力の防止"},
	{"ＤＶや性暴力の防止", "DVや性暴力の防止"},
	{"ＤＶ　や性暴力の防止", "DVや性暴力の防止"}, /* U+3000 removed */
	{"居住支援法人等の 関係団体との連携 による入居支援", "居住支援法人等の関係団体との連携による入居支援"},
	{" 前後に空白 ", "前後に空白"},
	{"タブ\tも", "タブも"},
	{"ｾｰﾌﾃｨﾈｯﾄ住宅", "セーフティネット住宅"},
	{"(仮称) 再犯防止", "(仮称)再犯防止"},
	{"（仮称）　再犯防止", "(仮称)再犯防止"},
	{"マイスクールプラン２１", "マイスクールプラン21"},
	{"", ""},
};

static void test_identity_key(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof key_cases / sizeof key_cases[0]; i++) {
		char *got = sasae_text_identity_key(key_cases[i].in);
		assert_non_null(got);
		if (strcmp(got, key_cases[i].want) != 0)
			fail_msg("identity_key(%s) = %s, want %s", key_cases[i].in, got, key_cases[i].want);
		free(got);
	}
	/* Names that differ only in width and white space have one key. */
	char *a = sasae_text_identity_key("ＤＶ や 性暴力");
	char *b = sasae_text_identity_key("DVや性暴力");
	assert_string_equal(a, b);
	free(a);
	free(b);
	/* Names that differ in a character do not. */
	a = sasae_text_identity_key("社会を明るくする運動");
	b = sasae_text_identity_key("社会を明るくする運動の推進");
	assert_string_not_equal(a, b);
	free(a);
	free(b);
}

/* ---- wrap spaces ---- */

static const str_case wrap_cases[] = {
	/* a space between two Japanese characters is a line break left from the PDF */
	{"居住支援法人等の 関係団体との連携 による入居支援", "居住支援法人等の関係団体との連携による入居支援"},
	{"親子こころの相談 室業務", "親子こころの相談室業務"},
	{"セーフティネット 住宅登録制度", "セーフティネット住宅登録制度"},
	{"補助金 交付事業", "補助金交付事業"},
	{"相談  室", "相談室"},           /* a run of spaces */
	{"相談\xE3\x80\x80室", "相談室"}, /* U+3000 */
	{"相談 \xE3\x80\x80 室", "相談室"},
	{"である。 また、", "である。また、"}, /* 。 is Japanese punctuation */
	{"「仙台」 の", "「仙台」の"},
	{"（清流ホーム） 事業", "（清流ホーム）事業"}, /* full-width parentheses are Japanese */
	/* kept next to Latin letters, digits and ASCII punctuation */
	{"DV や性暴力", "DV や性暴力"},
	{"及び DV や", "及び DV や"},
	{"HP への情報掲載", "HP への情報掲載"},
	{"(仮称) 再犯防止", "(仮称) 再犯防止"},
	{"障害者福祉サービス (自立生活援助)", "障害者福祉サービス (自立生活援助)"},
	{"令和5年 4月", "令和5年 4月"},
	{"ＤＶ や", "ＤＶ や"}, /* full-width Latin letters are not Japanese text */
	{"１０ 月", "１０ 月"}, /* neither are full-width digits */
	{"a b", "a b"},
	/* leading and trailing spaces are dropped */
	{"  前後  ", "前後"},
	{" DV ", "DV"},
	{"\xE3\x80\x80事業\xE3\x80\x80", "事業"},
	{"   ", ""},
	{"", ""},
};

static void test_remove_wrap_spaces(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof wrap_cases / sizeof wrap_cases[0]; i++) {
		sasae_buf b = SASAE_BUF_INIT;
		sasae_text_remove_wrap_spaces(&b, wrap_cases[i].in);
		assert_true(sasae_buf_ok(&b));
		if (strcmp(sasae_buf_cstr(&b), wrap_cases[i].want) != 0)
			fail_msg("remove_wrap_spaces(\"%s\") = \"%s\", want \"%s\"", wrap_cases[i].in,
				 sasae_buf_cstr(&b), wrap_cases[i].want);
		sasae_buf_free(&b);
	}
	/* It appends. */
	sasae_buf b = SASAE_BUF_INIT;
	sasae_buf_puts(&b, "前:");
	sasae_text_remove_wrap_spaces(&b, "相談 室");
	assert_string_equal(sasae_buf_cstr(&b), "前:相談室");
	sasae_buf_free(&b);
}

static void test_append_trimmed(void **state)
{
	(void)state;
	static const str_case cases[] = {
		{"  a b  ", "a b"}, {"\t事業\t", "事業"}, {"\xE3\x80\x80事業 \xE3\x80\x80", "事業"},
		{"", ""},           {"   ", ""},          {"中 の 空白", "中 の 空白"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sasae_buf b = SASAE_BUF_INIT;
		sasae_text_append_trimmed(&b, cases[i].in, strlen(cases[i].in));
		if (strcmp(sasae_buf_cstr(&b), cases[i].want) != 0)
			fail_msg("append_trimmed(\"%s\") = \"%s\", want \"%s\"", cases[i].in,
				 sasae_buf_cstr(&b), cases[i].want);
		sasae_buf_free(&b);
	}
	/* Only n bytes are looked at. */
	sasae_buf b = SASAE_BUF_INIT;
	sasae_text_append_trimmed(&b, " ab cd", 4);
	assert_string_equal(sasae_buf_cstr(&b), "ab");
	sasae_buf_free(&b);
}

/* ---- 【再掲】 ---- */

typedef struct relist_case {
	const char *in;
	const char *want;
	bool removed;
} relist_case;

static const relist_case relist_cases[] = {
	{"の支援【再掲】", "の支援", true},
	{"ふれあい広場 【再掲】", "ふれあい広場", true},            /* a space before it */
	{"ふれあい広場\xE3\x80\x80【再掲】", "ふれあい広場", true}, /* U+3000 before it */
	{"セーフティネット 住宅登録制度【再 掲】", "セーフティネット 住宅登録制度", true},
	{"住宅登録制度【 再 掲 】", "住宅登録制度", true},
	{"住宅登録制度【再\xE3\x80\x80掲】", "住宅登録制度", true},
	{"住宅登録制度【再掲】 ", "住宅登録制度", true}, /* trailing space */
	{"【再掲】", "", true},
	{"【再掲】住宅登録制度", "【再掲】住宅登録制度", false}, /* not at the end: kept */
	{"住宅【再掲】登録制度", "住宅【再掲】登録制度", false},
	{"住宅登録制度【再掲】です", "住宅登録制度【再掲】です", false},
	{"住宅登録制度", "住宅登録制度", false},
	{"住宅登録制度【再】", "住宅登録制度【再】", false},
	{"住宅登録制度再掲】", "住宅登録制度再掲】", false},
	{"住宅登録制度【掲再】", "住宅登録制度【掲再】", false},
	{"住宅登録制度(再掲)", "住宅登録制度(再掲)", false},
	{"", "", false},
};

static void test_strip_relist_marker(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof relist_cases / sizeof relist_cases[0]; i++) {
		const relist_case *c = &relist_cases[i];
		sasae_buf b = SASAE_BUF_INIT;
		sasae_buf_puts(&b, c->in);
		bool removed = sasae_text_strip_relist_marker(&b);
		if (removed != c->removed)
			fail_msg("strip_relist_marker(\"%s\") returned %d, want %d", c->in, removed,
				 c->removed);
		if (strcmp(sasae_buf_cstr(&b), c->want) != 0)
			fail_msg("strip_relist_marker(\"%s\") left \"%s\", want \"%s\"", c->in,
				 sasae_buf_cstr(&b), c->want);
		assert_int_equal(b.len, strlen(c->want));
		sasae_buf_free(&b);
	}
}

/* ---- display width and padding ---- */

static void test_width(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		size_t width;
	} cases[] = {
		{"", 0},      {"abc", 3},  {"日本語", 6}, {"ｶﾀｶﾅ", 4},   {"カタカナ", 8},
		{"DV や", 5}, {"ＤＶ", 4}, {"(1)", 3},    {"（１）", 6}, {"\xE3\x80\x80", 2},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (sasae_text_width(cases[i].s) != cases[i].width)
			fail_msg("width(\"%s\") = %zu, want %zu", cases[i].s, sasae_text_width(cases[i].s),
				 cases[i].width);
}

typedef struct pad_case {
	const char *in;
	size_t width;
	const char *want;
} pad_case;

/* clang-format off */
static const pad_case pad_cases[] = {
	{"abc", 5, "abc  "},
	{"abc", 3, "abc"},
	{"abcdef", 4, "abc…"},
	{"日本語", 6, "日本語"},
	{"日本語", 8, "日本語  "},
	{"日本語", 5, "日本…"},
	{"日本語", 4, "日… "}, /* a wide character does not fit in the one column left */
	{"日本語", 3, "日…"},
	{"ｶﾀｶﾅ", 4, "ｶﾀｶﾅ"},
	{"ｶﾀｶﾅ", 3, "ｶﾀ…"},
	{"", 3, "   "},
	{"DV や性暴力", 7, "DV や… "},
};
/* clang-format on */

static void test_pad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof pad_cases / sizeof pad_cases[0]; i++) {
		const pad_case *c = &pad_cases[i];
		sasae_buf b = SASAE_BUF_INIT;
		sasae_text_pad(&b, c->in, c->width);
		if (strcmp(sasae_buf_cstr(&b), c->want) != 0)
			fail_msg("pad(\"%s\", %zu) = \"%s\", want \"%s\"", c->in, c->width,
				 sasae_buf_cstr(&b), c->want);
		sasae_buf_free(&b);
	}
	/* Whatever the text, the result is exactly `width` columns and cut text ends in "…". */
	static const char *const texts[] = {"居住支援法人等の関係団体との連携による入居支援",
					    "DV や性暴力の防止", "ｾｰﾌﾃｨﾈｯﾄ住宅", "abc", ""};
	for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++)
		for (size_t w = 1; w < 60; w++) {
			sasae_buf b = SASAE_BUF_INIT;
			sasae_text_pad(&b, texts[t], w);
			const char *s = sasae_buf_cstr(&b);
			if (sasae_text_width(s) != w)
				fail_msg("pad(\"%s\", %zu) is %zu columns wide", texts[t], w,
					 sasae_text_width(s));
			bool cut = sasae_text_width(texts[t]) > w;
			if (cut != (strstr(s, "…") != NULL))
				fail_msg("pad(\"%s\", %zu) = \"%s\": … should %sbe there", texts[t], w, s,
					 cut ? "" : "not ");
			if (!cut && strncmp(s, texts[t], strlen(texts[t])) != 0)
				fail_msg("pad(\"%s\", %zu) = \"%s\" changed the text", texts[t], w, s);
			sasae_buf_free(&b);
		}
}

/* ---- similar.h: the fast NFKC table ---- */

static void test_nfkc_fast(void **state)
{
	(void)state;
	static const struct {
		uint32_t cp;
		int32_t want;
	} cases[] = {
		{'A', 'A'},
		{' ', ' '},
		{'~', '~'},
		{0x3042, 0x3042} /* あ */,
		{0x30A2, 0x30A2} /* ア */,
		{0x30F4, 0x30F4} /* ヴ */,
		{0x30FC, 0x30FC} /* ー */,
		{0x30FB, 0x30FB} /* ・ */,
		{0x6F22, 0x6F22} /* 漢 */,
		{0x3005, 0x3005} /* 々 */,
		{0x3001, 0x3001} /* 、 */,
		{0x300C, 0x300C} /* 「 */,
		{0x3011, 0x3011} /* 】 */,
		{0xFF21, 'A'} /* Ａ */,
		{0xFF11, '1'} /* １ */,
		{0xFF5E, '~'} /* ～ */,
		{0xFF01, '!'} /* ！ */,
		{0xFF71, -1} /* half-width ｱ */,
		{0x3000, -1} /* U+3000 */,
		{0x3231, -1} /* ㈱ */,
		{0x3099, -1} /* voicing mark */,
		{0x00E9, -1} /* é */,
		{'\t', -1},
		{0x301C, -1} /* 〜 */,
		{0x2460, -1} /* ① */,
		{SASAE_CP_INVALID_BYTE | 0xFF, -1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (sasae_text_nfkc_fast(cases[i].cp) != cases[i].want)
			fail_msg("nfkc_fast(U+%04X) = %d, want %d", (unsigned)cases[i].cp,
				 (int)sasae_text_nfkc_fast(cases[i].cp), (int)cases[i].want);
	/* Every entry of the table agrees with utf8proc's NFKC of the character alone. */
	for (uint32_t cp = 1; cp < 0x110000; cp++) {
		int32_t f = sasae_text_nfkc_fast(cp);
		if (f < 0)
			continue;
		char in[5] = {0}, want[5] = {0};
		sasae_utf8_encode((int32_t)cp, in);
		sasae_utf8_encode(f, want);
		char *got = sasae_text_nfkc(in);
		assert_non_null(got);
		if (strcmp(got, want) != 0)
			fail_msg("nfkc_fast(U+%04X) disagrees with utf8proc", (unsigned)cp);
		free(got);
	}
}

/* ---- similar.h: identity code points ---- */

/* The code points as UTF-8 (malloc'd). */
static char *cps_string(const uint32_t *cp, size_t n)
{
	sasae_buf b = SASAE_BUF_INIT;
	sasae_text_put_cps(&b, cp, n);
	sasae_buf_cstr(&b);
	char *s = sasae_buf_detach(&b);
	assert_non_null(s);
	return s;
}

static void test_identity_cps(void **state)
{
	(void)state;
	static const struct {
		const char *name, *key;
	} cases[] = {
		{"", ""},
		{"社会を明るくする運動", "社会を明るくする運動"},
		{"ＤＶ 相談", "DV相談"},        /* full-width ASCII, space */
		{"地域　福祉", "地域福祉"},     /* U+3000 */
		{" a\tb\r\n", "ab"},            /* every white space */
		{"ｶﾞｲﾄﾞ", "ガイド"},            /* half-width kana: NFKC composes the voicing marks */
		{"か\xE3\x82\x99", "が"},       /* か + U+3099 */
		{"㈱サポート", "(株)サポート"}, /* compatibility character */
		{"①と々", "1と々"},
		{"a\xFF"
		 "b",
		 "ab"}, /* an invalid byte is dropped */
		{"ｱ\xC3", "ア"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = 99;
		uint32_t *cp = sasae_text_identity_cps(cases[i].name, &n);
		assert_non_null(cp);
		char *got = cps_string(cp, n);
		if (strcmp(got, cases[i].key) != 0)
			fail_msg("identity_cps(\"%s\") = \"%s\", want \"%s\"", cases[i].name, got,
				 cases[i].key);
		/* the same as the key itself, for valid text */
		if (sasae_utf8_valid(cases[i].name, strlen(cases[i].name), NULL)) {
			char *key = sasae_text_identity_key(cases[i].name);
			assert_non_null(key);
			assert_string_equal(got, key);
			free(key);
		}
		free(got);
		free(cp);
	}
}

/* ---- similar.h: bigrams, Dice, similarity ---- */

static void test_bigrams(void **state)
{
	(void)state;
	size_t n;
	uint64_t *t = sasae_text_bigrams("ａｂａｂ", false, &n); /* text order, repeats kept */
	assert_non_null(t);
	assert_int_equal(n, 3);
	assert_true(t[0] == ((uint64_t)'a' << 32 | 'b') && t[1] == ((uint64_t)'b' << 32 | 'a') && t[2] == t[0]);
	free(t);
	t = sasae_text_bigrams("ａｂａｂ", true, &n); /* a sorted set */
	assert_non_null(t);
	assert_int_equal(n, 2);
	assert_true(t[0] == ((uint64_t)'a' << 32 | 'b') && t[1] == ((uint64_t)'b' << 32 | 'a'));
	free(t);
	t = sasae_text_bigrams(" 塾 ", true, &n); /* one character: its unigram */
	assert_non_null(t);
	assert_int_equal(n, 1);
	assert_true(t[0] == ((uint64_t)0x587E << 32 | 0xFFFFFFFFu));
	free(t);
	t = sasae_text_bigrams("", true, &n);
	assert_non_null(t);
	assert_int_equal(n, 0);
	free(t);
}

static void test_similarity(void **state)
{
	(void)state;
	static const struct {
		const char *a, *b;
		double want;
	} cases[] = {
		{"社会を明るくする運動", "社会を明るくする運動", 1.0},
		{"ＤＶ 相談", "DV相談", 1.0}, /* the identity keys are equal */
		{"地域　福祉", "地域福祉", 1.0},
		{"あいう", "かきく", 0.0},
		/* 12 bigrams and 9, all 9 shared: 18/21 */
		{"社会を明るくする運動の推進", "社会を明るくする運動", 18.0 / 21},
		/* {地域 域福 福祉} and {地域 域の の福 福祉}: 2 shared, 4/7 */
		{"地域福祉", "地域の福祉", 4.0 / 7},
		{"abcd", "abce", 4.0 / 6},
		{"ああああ", "ああ", 1.0}, /* sets: repeats count once */
		{"あ", "あ", 1.0},         /* one character: unigrams */
		{"あ", "い", 0.0},
		{"塾", "学習塾", 0.0}, /* a unigram is no bigram */
		{"", "", 1.0},
		{"", "福祉", 0.0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double s = sasae_text_similarity(cases[i].a, cases[i].b);
		double r = sasae_text_similarity(cases[i].b, cases[i].a);
		if (s < cases[i].want - 1e-12 || s > cases[i].want + 1e-12 || s != r)
			fail_msg("similarity(\"%s\", \"%s\") = %f (reversed %f), want %f", cases[i].a,
				 cases[i].b, s, r, cases[i].want);
	}
	uint64_t x[] = {1, 2, 3}, y[] = {2, 3, 4, 5};
	assert_true(sasae_text_dice(x, 3, y, 4) == 4.0 / 7);
	assert_true(sasae_text_dice(NULL, 0, NULL, 0) == 1.0);
	uint64_t u[] = {5, 1, 5, 3, 1};
	assert_int_equal(sasae_text_sort_unique(u, 5), 3);
	assert_true(u[0] == 1 && u[1] == 3 && u[2] == 5);
}

static void test_edit_distance(void **state)
{
	(void)state;
	static const struct {
		const char *a, *b;
		long want;
	} cases[] = {
		{"kitten", "sitting", 3},
		{"", "あい", 2},
		{"abc", "", 3},
		{"あいう", "あいう", 0},
		{"事務所内に", "事務所に", 1},
		{"社会を明るくする運動の推進", "社会を明るくする運動", 3},
		{"ab", "ba", 2}, /* two substitutions */
		{"flaw", "lawn", 2},
		{"ＤＶ", "DV", 2}, /* as printed: no normalisation */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		long d = sasae_text_edit_distance(cases[i].a, cases[i].b);
		if (d != cases[i].want || sasae_text_edit_distance(cases[i].b, cases[i].a) != d)
			fail_msg("edit_distance(\"%s\", \"%s\") = %ld, want %ld", cases[i].a, cases[i].b, d,
				 cases[i].want);
	}
}

/* ---- similar.h: the edit script ---- */

/* The script of ASCII strings a → b as a string of ops (malloc'd), or "far" when beyond max_d. */
static char *script_of(const char *a, const char *b, size_t max_d)
{
	uint32_t ua[64], ub[64];
	size_t na = strlen(a), nb = strlen(b);
	for (size_t i = 0; i < na; i++)
		ua[i] = (unsigned char)a[i];
	for (size_t i = 0; i < nb; i++)
		ub[i] = (unsigned char)b[i];
	char *ops;
	size_t n;
	bool far;
	assert_int_equal(sasae_text_edit_script(&ops, &n, &far, ua, na, ub, nb, max_d), 0);
	if (far) {
		assert_null(ops);
		char *s = strdup("far");
		assert_non_null(s);
		return s;
	}
	char *s = malloc(n + 1);
	assert_non_null(s);
	memcpy(s, ops, n);
	s[n] = '\0';
	free(ops);
	return s;
}

static void test_edit_script_table(void **state)
{
	(void)state;
	static const struct {
		const char *a, *b;
		size_t max_d;
		const char *want;
	} cases[] = {
		{"", "", 10, ""},
		{"abc", "abc", 0, "==="},
		{"abc", "", 10, "---"},
		{"", "ab", 10, "++"},
		/* "b" is kept; deleting first: delete a, keep b, insert a */
		{"ab", "ba", 10, "-=+"},
		/* a change in the middle: the deletion before the insertion */
		{"abc", "axc", 10, "=-+="},
		/* the kept unit as early as possible: the second b is the inserted one */
		{"ab", "abb", 10, "==+"},
		{"aab", "ab", 10, "=-="},
		{"abc", "xyz", 6, "---+++"},
		{"abc", "xyz", 5, "far"}, /* six edits needed */
		{"abcd", "acbd", 1, "far"},
		{"abcd", "acbd", 2, "=-=+="},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = script_of(cases[i].a, cases[i].b, cases[i].max_d);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("edit_script(\"%s\", \"%s\", %zu) = \"%s\", want \"%s\"", cases[i].a,
				 cases[i].b, cases[i].max_d, got, cases[i].want);
		free(got);
	}
}

/*
 * The definition, checked on many small random pairs: the script turns a into b, is as short as
 * an LCS table says, and is the walk of that table from the start that keeps a unit whenever the
 * units are equal and otherwise deletes when the deletion loses no common unit.
 */
static void test_edit_script_is_lcs_walk(void **state)
{
	(void)state;
	uint64_t seed = 12345;
	for (int iter = 0; iter < 20000; iter++) {
		char a[13], b[13];
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		size_t na = (seed >> 33) % 13, nb = (seed >> 40) % 13, alpha = 2 + (seed >> 50) % 3;
		for (size_t i = 0; i < na; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			a[i] = (char)('a' + (seed >> 33) % alpha);
		}
		for (size_t i = 0; i < nb; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			b[i] = (char)('a' + (seed >> 33) % alpha);
		}
		a[na] = b[nb] = '\0';
		unsigned L[14][14] = {{0}};
		for (size_t i = na; i-- > 0;)
			for (size_t j = nb; j-- > 0;)
				L[i][j] = a[i] == b[j]
						  ? L[i + 1][j + 1] + 1
						  : (L[i + 1][j] >= L[i][j + 1] ? L[i + 1][j] : L[i][j + 1]);
		char want[27];
		size_t w = 0, i = 0, j = 0;
		while (i < na || j < nb) {
			if (i < na && j < nb && a[i] == b[j])
				want[w++] = '=', i++, j++;
			else if (j == nb || (i < na && L[i + 1][j] >= L[i][j + 1]))
				want[w++] = '-', i++;
			else
				want[w++] = '+', j++;
		}
		want[w] = '\0';
		char *got = script_of(a, b, na + nb);
		if (strcmp(got, want) != 0)
			fail_msg("edit_script(\"%s\", \"%s\") = \"%s\", want \"%s\"", a, b, got, want);
		/* just within and just beyond the distance */
		size_t d = na + nb - 2 * L[0][0];
		free(got);
		got = script_of(a, b, d);
		assert_string_equal(got, want);
		free(got);
		if (d > 0) {
			got = script_of(a, b, d - 1);
			assert_string_equal(got, "far");
			free(got);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_decode_encode),
		cmocka_unit_test(test_first_last_cp),
		cmocka_unit_test(test_is_japanese_and_space),
		cmocka_unit_test(test_nfkc),
		cmocka_unit_test(test_identity_key),
		cmocka_unit_test(test_remove_wrap_spaces),
		cmocka_unit_test(test_append_trimmed),
		cmocka_unit_test(test_strip_relist_marker),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_pad),
		cmocka_unit_test(test_nfkc_fast),
		cmocka_unit_test(test_identity_cps),
		cmocka_unit_test(test_bigrams),
		cmocka_unit_test(test_similarity),
		cmocka_unit_test(test_edit_distance),
		cmocka_unit_test(test_edit_script_table),
		cmocka_unit_test(test_edit_script_is_lcs_walk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
