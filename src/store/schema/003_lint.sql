-- 003_lint.sql — what `sasae lint` needs to know after the import (PRAGMA user_version 3).
-- See docs/lint.md.

-- A department as printed, when the printed token is not its canonical name: an alias
-- ("社会福祉協議会" for 市社会福祉協議会) or a run-together token ("健康福祉局市社会福祉協議会",
-- kept on each name split from it).  NULL when printed as the canonical name.
ALTER TABLE listing_department ADD COLUMN printed TEXT;

-- The parser's warnings about a version's document (docs/format.md, "Warnings"), in order.
CREATE TABLE version_warning (
  version_id  INTEGER NOT NULL REFERENCES version(id) ON DELETE CASCADE,
  seq         INTEGER NOT NULL,                -- 1, 2, … in document order
  line        INTEGER NOT NULL,                -- 1-based line of the document
  kind        TEXT NOT NULL,                   -- "doubled-char", "unknown-department", …
  message     TEXT NOT NULL,                   -- for people (Japanese)
  PRIMARY KEY (version_id, seq)
) WITHOUT ROWID;
