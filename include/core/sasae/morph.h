/*
 * morph.h — morphological analysis of Japanese text with MeCab and the IPA dictionary
 * (docs/morphology.md): a sentence typed by a resident becomes words, each with its byte span, its
 * dictionary form (基本形), its reading in hiragana and its part of speech, so that every
 * conjugation, particle and contraction of a known phrase can be heard (行けなくなった → 行ける ない
 * なる た) and kana spellings meet kanji words (にんちしょう = 認知症 by reading).
 *
 * libmecab is not linked: it is loaded with dlopen (include/util/sasae/dynlib.h) when an analyzer is
 * first opened, so that no other command pays for it at start-up.  The dictionary is Debian's
 * mecab-ipadic-utf8 (/var/lib/mecab/dic/ipadic-utf8) unless the options name another directory;
 * only a UTF-8 IPA dictionary is accepted (its feature columns are what this module reads).
 *
 * Threads: one sasae_morph per process (sasae_morph_shared gives it), used by any number of threads
 * at once; each call parses in its own MeCab lattice (taken from a small pool under a mutex), over
 * one shared MeCab model and tagger.  A sasae_morph_tokens belongs to one thread at a time.
 */
#ifndef SASAE_MORPH_H
#define SASAE_MORPH_H

#include <stdbool.h>
#include <stddef.h>

#include "sasae/error.h"

/* The longest input sasae_morph_parse accepts, in bytes (longer: SASAE_EUSAGE, never truncated —
   a cut could split a word and silently change what was said).  The finder's free text is at most
   SASAE_FINDER_MAX_TEXT (1000) bytes. */
#define SASAE_MORPH_MAX_INPUT 16384

/* Where Debian's mecab-ipadic-utf8 puts the dictionary, and Debian's MeCab configuration file. */
#define SASAE_MORPH_DEBIAN_DICDIR  "/var/lib/mecab/dic/ipadic-utf8"
#define SASAE_MORPH_DEBIAN_MECABRC "/etc/mecabrc"

/* An analyzer: the MeCab model (the dictionary, mapped once) and a pool of lattices. */
typedef struct sasae_morph sasae_morph;

/* How to open an analyzer.  Zero-initialise ({0}) for the defaults. */
typedef struct sasae_morph_options {
	/* A dictionary directory (holding dicrc, sys.dic, matrix.bin, …), used alone; NULL: first
	   SASAE_MORPH_DEBIAN_DICDIR, then the dicdir that `mecabrc` names. */
	const char *dicdir;
	/* The MeCab configuration file whose dicdir is the fallback; NULL: SASAE_MORPH_DEBIAN_MECABRC.
	   Only its "dicdir =" line is read; ~/.mecabrc and $MECABRC are never read. */
	const char *mecabrc;
} sasae_morph_options;

/* Major parts of speech of the IPA dictionary (its first feature column). */
typedef enum sasae_morph_pos {
	SASAE_MORPH_OTHER = 0,    /* その他, or a class this module does not know */
	SASAE_MORPH_NOUN,         /* 名詞 (形容動詞語幹 and サ変接続 included: 心配, 相談) */
	SASAE_MORPH_VERB,         /* 動詞 */
	SASAE_MORPH_ADJECTIVE,    /* 形容詞 */
	SASAE_MORPH_ADVERB,       /* 副詞 */
	SASAE_MORPH_ADNOMINAL,    /* 連体詞 */
	SASAE_MORPH_CONJUNCTION,  /* 接続詞 */
	SASAE_MORPH_PARTICLE,     /* 助詞 */
	SASAE_MORPH_AUXILIARY,    /* 助動詞 */
	SASAE_MORPH_INTERJECTION, /* 感動詞 */
	SASAE_MORPH_SYMBOL,       /* 記号 (punctuation, U+3000 and other spaces, symbols) */
	SASAE_MORPH_PREFIX,       /* 接頭詞 (お, ご, 再) */
	SASAE_MORPH_FILLER,       /* フィラー (えーと, あのー) */
} sasae_morph_pos;

/* One word of the input. */
typedef struct sasae_morph_token {
	size_t from, to;        /* byte span of the surface in the input: text[from..to) */
	const char *base;       /* dictionary form (基本形); the surface when the dictionary has none */
	const char *reading;    /* reading in hiragana (ー kept), or "" when there is none in kana */
	const char *pos_name;   /* 品詞 as the dictionary spells it: "動詞" */
	const char *pos_detail; /* 品詞細分類1: "自立", "非自立", "サ変接続", …, or "" ("*") */
	sasae_morph_pos pos;    /* pos_name as an enum */
	bool content;           /* a content word (see sasae_morph_parse) */
	bool unknown;           /* not in the dictionary (MeCab guessed its class) */
} sasae_morph_token;

/* The words of one input.  Zero-initialise; filled by sasae_morph_parse, freed by
   sasae_morph_tokens_clear.  The strings live in the struct and stay valid until the next parse
   into it or the clear. */
typedef struct sasae_morph_tokens {
	sasae_morph_token *tok; /* the words, in input order */
	size_t n;               /* how many */
	size_t cap;             /* allocated tok entries */
	char *strings;          /* the tokens' strings, NUL-separated */
	size_t strings_len;     /* bytes of strings used */
	size_t strings_cap;     /* bytes of strings allocated */
} sasae_morph_tokens;

/*
 * Open an analyzer: load libmecab (once per process), find the dictionary, check that it is a
 * UTF-8 IPA dictionary (a probe word is parsed) and build the model.  opts may be NULL (defaults).
 * On success *out is new: close it with sasae_morph_close.  On failure *out is NULL and:
 * SASAE_EUNAVAILABLE (exit 69) when libmecab or the dictionary is missing or unusable, the message
 * naming the Debian package (libmecab2 / mecab-ipadic-utf8) and scripts/install-deps.sh;
 * SASAE_EUSAGE for an empty dicdir string; SASAE_ENOMEM.
 */
int sasae_morph_open(sasae_morph **out, const sasae_morph_options *opts, sasae_error *err);

/* Close an analyzer (NULL: nothing).  No call on it may be running. */
void sasae_morph_close(sasae_morph *m);

/*
 * The process's analyzer with the default options, opened at the first call (under a lock) and
 * never closed; *out is borrowed.  A failure is remembered: later calls return the same code and
 * message at once, without trying again (a missing package does not appear during a run).
 */
int sasae_morph_shared(sasae_morph **out, sasae_error *err);

/* The dictionary directory in use (borrowed, as given or found). */
const char *sasae_morph_dicdir(const sasae_morph *m);

/*
 * Split text[0..len) into words, into *out (zeroed or filled by an earlier parse; its content is
 * replaced, its memory reused).  The text is UTF-8, at most SASAE_MORPH_MAX_INPUT bytes, and need
 * not be NUL-terminated; ASCII spaces, tabs and line ends separate words and give no token (MeCab
 * skips them), U+3000 is a 記号 token.  The text is analysed as it is: pass NFKC'd text
 * (sasae_text_nfkc) to fold half-width katakana and the like first.
 *
 * content is true for 名詞 except 非自立 (こと, ところ), 代名詞 (私, 何), 数, 接尾 (さん, 症, 年), 特殊
 * (the そう of 降りそう), 接続詞的 (対) and 動詞非自立的 (ちょうだい); for 動詞 and 形容詞 自立
 * (ひきこもる, 行ける, しんどい, ない — not the いる of ている, nor the みる, しまう, なる marked
 * 非自立); for unknown words except symbols and numbers.  Adverbs, particles, auxiliaries, prefixes,
 * adnominals, conjunctions, interjections and fillers are not content words.
 *
 * Returns 0; SASAE_EDATA when the text is not valid UTF-8 (or holds a NUL byte), the message
 * giving the byte offset; SASAE_EUSAGE when it is longer than SASAE_MORPH_MAX_INPUT or m or out is
 * NULL; SASAE_EINTERNAL when MeCab fails; SASAE_ENOMEM.  On failure out holds no tokens (n == 0).
 * Thread-safe on one m.
 */
int sasae_morph_parse(sasae_morph_tokens *out, sasae_morph *m, const char *text, size_t len, sasae_error *err);

/* Free the tokens' memory (the struct is left zeroed and reusable).  NULL: nothing. */
void sasae_morph_tokens_clear(sasae_morph_tokens *t);

/* The dictionary's name of a part of speech ("名詞"; "その他" for SASAE_MORPH_OTHER). */
const char *sasae_morph_pos_text(sasae_morph_pos pos);

/* Flags of sasae_morph_join. */
enum {
	SASAE_MORPH_CONTENT_ONLY = 1, /* only content words */
};

/* A sentence as sequences for phrase matching. */
typedef struct sasae_morph_seq {
	/* Dictionary forms, each followed by one ASCII space, after a leading space:
	   " 子ども が 学校 に 行ける ない なる た "; a phrase's sequence found in it with strstr
	   matches whole words only (no surface or form holds an ASCII space).  Symbols (記号) are
	   left out. */
	char *bases;
	/* Readings in hiragana, run together; a word without a kana reading (a symbol, a Latin word)
	   is one ASCII space, and runs of them one space: "こどもががっこうにいけなくなった".
	   Spelling-independent: 認知症 and にんちしょう give "にんちしょう" alike. */
	char *readings;
} sasae_morph_seq;

/*
 * Build both sequences of t into *out (previous content freed first; zero-initialise it before
 * the first call), with flags (0 or SASAE_MORPH_CONTENT_ONLY: then readings are of content words
 * only, separated by a space).  Returns 0 or SASAE_ENOMEM (out then empty).
 */
int sasae_morph_join(sasae_morph_seq *out, const sasae_morph_tokens *t, unsigned flags, sasae_error *err);

/* Parse text (as sasae_morph_parse) and build its sequences (as sasae_morph_join) in one call. */
int sasae_morph_sequences(sasae_morph_seq *out, sasae_morph *m, const char *text, size_t len, unsigned flags,
			  sasae_error *err);

/* Free the sequences (the struct is left zeroed).  NULL: nothing. */
void sasae_morph_seq_clear(sasae_morph_seq *s);

#endif
