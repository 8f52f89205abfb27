/*
 * downloads.h — the served plan in every format `sasae export` writes, as files under /data/
 * (docs/web.md, "Downloads"; docs/exports.md).  One table describes them (address, what for,
 * format, encoding, type); each file is made by the same core function the CLI calls
 * (include/core/sasae/export.h) at its first request and kept for the life of the application,
 * since the served plan does not change while serving.  Not a public header: src/web only.
 */
#ifndef SASAE_WEB_DOWNLOADS_H
#define SASAE_WEB_DOWNLOADS_H

#include <stdbool.h>
#include <stddef.h>

#include "sasae/buf.h"
#include "sasae/error.h"
#include "sasae/model.h"

/* The open-data licence of every download (docs/web.md says why this one). */
#define WEB_DATA_LICENSE_NAME  "クリエイティブ・コモンズ 表示 4.0 国際（CC BY 4.0）"
#define WEB_DATA_LICENSE_SHORT "CC BY 4.0"
#define WEB_DATA_LICENSE_URL   "https://creativecommons.org/licenses/by/4.0/"
#define WEB_DATA_LICENSE_JA    "https://creativecommons.org/licenses/by/4.0/deed.ja"

/* One download. */
typedef struct web_download {
	const char *file;       /* the name under /data/ ("plan.xlsx"): the address, and the ASCII filename */
	const char *cli;        /* the same export from the command line ("--format xlsx") */
	const char *title;      /* the link's words (Japanese) */
	const char *purpose;    /* what it is for (Japanese, one line) */
	const char *format;     /* the format for people ("XLSX（Excel のブック）") */
	const char *encoding;   /* the character encoding for people, or NULL for a binary file */
	const char *media_type; /* Content-Type */
	const char *name_ja;    /* the UTF-8 download name after the plan's slug ("事業一覧.xlsx") */
	/* Write the plan in this format to out; base_url is the site's public address or NULL. */
	int (*make)(sasae_buf *out, const sasae_plan *plan, const char *base_url, sasae_error *err);
} web_download;

/* Every download, in the order the /data page lists them. */
extern const web_download web_downloads[];
extern const size_t web_ndownloads;

/* The download named file ("plan.xlsx"), or NULL; *index set to its place in web_downloads. */
const web_download *web_download_find(const char *file, size_t *index);

/* The made files of one served plan. */
typedef struct web_download_cache web_download_cache;

/* A cache for plan (borrowed: it must outlive the cache) and the site's address base_url (copied;
   NULL: none, JSON-LD items are blank nodes).  Nothing is made yet.  Returns 0 or SASAE_ENOMEM. */
int web_download_cache_new(web_download_cache **out, const sasae_plan *plan, sasae_error *err);
/* Set the site's public address used by the JSON-LD download (copied; before its first request). */
int web_download_cache_set_base_url(web_download_cache *c, const char *base_url, sasae_error *err);
void web_download_cache_free(web_download_cache *c);

/*
 * The bytes of download i (thread-safe): made at the first call, under the cache's lock, then
 * returned as they are.  *data (borrowed: valid until the cache is freed) and *len.  Returns 0, or
 * the export's error with err filled: SASAE_EDATA (a value the format cannot hold, e.g. a character
 * without a CP932 form) and SASAE_EUNAVAILABLE (a library loaded at run time is missing) are kept and
 * given again without retrying; SASAE_ENOMEM, SASAE_EIO are retried at the next call.
 */
int web_download_get(web_download_cache *c, size_t i, const char **data, size_t *len, sasae_error *err);

/* "2026年11月24日": the date in Japan (UTC+9) of an ISO 8601 UTC time "YYYY-MM-DDTHH:MM:SSZ", into
   out; false (out "") when iso is NULL or not of that form. */
bool web_date_ja(char *out, size_t n, const char *iso);

#endif
