/* fts.h — the 'sasae' FTS5 tokenizer, registered on every store connection (internal to store). */
#ifndef SASAE_STORE_FTS_H
#define SASAE_STORE_FTS_H

#include <sqlite3.h>

#include "sasae/normalize.h"

/*
 * Register the tokenizer 'sasae' on db.  *variants is read at every tokenisation (so the store can
 * load or replace its variant table after registering); it may be NULL.  Returns an SQLite code.
 */
int sasae_fts_register(sqlite3 *db, const sasae_variants *const *variants);

#endif
