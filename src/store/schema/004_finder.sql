-- 004_finder.sql — the needs finder's data files (PRAGMA user_version 4).  See docs/finder.md.

-- The vocabulary, tagging rules, overrides and everyday words as the plan office loaded them
-- (`sasae tags --load DIR`).  A file with no row here is the one built into the binary.
CREATE TABLE finder_file (
  name        TEXT PRIMARY KEY,                -- "vocabulary.tsv", "tag-rules.tsv", …
  text        TEXT NOT NULL,                   -- the whole file
  source      TEXT NOT NULL,                   -- the path it was loaded from
  loaded_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) WITHOUT ROWID;
