-- 002_search.sql — the full-text index (PRAGMA user_version 2).  See docs/search.md.

-- One search document per program of a version; its rowid is the index row.
CREATE TABLE search_doc (
  id          INTEGER PRIMARY KEY,
  version_id  INTEGER NOT NULL REFERENCES version(id) ON DELETE CASCADE,
  program_id  INTEGER NOT NULL REFERENCES program(id),
  UNIQUE (version_id, program_id)
);

-- The index: columns in weight order (name highest).  Tokenizer 'sasae' (src/store/fts.c):
-- normalisation + notation variants, overlapping bigrams over Japanese, words over Latin/digits.
CREATE VIRTUAL TABLE search_index USING fts5(
  name, summary, departments, sections, parts, tags,
  tokenize = 'sasae'
);

-- The notation-variant table (表記ゆれ) the tokenizer folds with, as the office edits it
-- (data/variants.tsv).  Loaded from the built-in table when the database is created.
CREATE TABLE search_variants (
  id          INTEGER PRIMARY KEY,
  text        TEXT NOT NULL                    -- the whole file, as loaded
);
