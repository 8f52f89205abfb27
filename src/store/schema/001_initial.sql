-- 001_initial.sql — the first schema of a sasae database (PRAGMA user_version 1).
-- One database holds several plans, each with versions (imported documents); program identities
-- belong to the plan so that ids stay stable from version to version.

CREATE TABLE plan (
  id          INTEGER PRIMARY KEY,
  slug        TEXT NOT NULL UNIQUE,            -- "sendai-2024-draft"
  next_program INTEGER NOT NULL DEFAULT 1,     -- number of the next new program id
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE version (
  id          INTEGER PRIMARY KEY,
  plan_id     INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
  seq         INTEGER NOT NULL,                -- 1, 2, … within the plan
  title       TEXT NOT NULL,
  source      TEXT NOT NULL,                   -- file name as given to import
  digest      TEXT NOT NULL,                   -- BLAKE2b-256 (hex) of the document's bytes
  imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  UNIQUE (plan_id, seq),
  UNIQUE (plan_id, digest)
);

CREATE TABLE part (
  id          INTEGER PRIMARY KEY,
  version_id  INTEGER NOT NULL REFERENCES version(id) ON DELETE CASCADE,
  number      INTEGER NOT NULL,                -- 1-based order
  title       TEXT,                            -- from the outline file, or NULL
  UNIQUE (version_id, number)
);

CREATE TABLE section (
  id          INTEGER PRIMARY KEY,
  part_id     INTEGER NOT NULL REFERENCES part(id) ON DELETE CASCADE,
  ordinal     INTEGER NOT NULL,                -- 1-based order within the part
  number      INTEGER NOT NULL,                -- as printed
  title       TEXT NOT NULL,
  source_line INTEGER NOT NULL,
  UNIQUE (part_id, ordinal)
);

CREATE TABLE program (
  id          INTEGER PRIMARY KEY,
  plan_id     INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
  pid         TEXT NOT NULL,                   -- "p0001", stable
  key         TEXT NOT NULL,                   -- identity: NFKC name without white space
  UNIQUE (plan_id, pid),
  UNIQUE (plan_id, key)
);

CREATE TABLE listing (
  id          INTEGER PRIMARY KEY,             -- ascending in document order
  version_id  INTEGER NOT NULL REFERENCES version(id) ON DELETE CASCADE,
  section_id  INTEGER NOT NULL REFERENCES section(id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,                -- 1-based order within the section
  number      INTEGER NOT NULL,                -- No as printed
  name        TEXT NOT NULL,
  summary     TEXT NOT NULL,
  relisted    INTEGER NOT NULL CHECK (relisted IN (0, 1)),
  program_id  INTEGER NOT NULL REFERENCES program(id),
  source_line INTEGER NOT NULL,
  UNIQUE (section_id, position)
);
CREATE INDEX listing_version_program ON listing (version_id, program_id);

CREATE TABLE department (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE             -- canonical name
);

CREATE TABLE listing_department (
  listing_id    INTEGER NOT NULL REFERENCES listing(id) ON DELETE CASCADE,
  ordinal       INTEGER NOT NULL,              -- printed order, 1-based
  department_id INTEGER NOT NULL REFERENCES department(id),
  note          TEXT,                          -- parenthesised note printed after it
  PRIMARY KEY (listing_id, ordinal)
) WITHOUT ROWID;
CREATE INDEX listing_department_department ON listing_department (department_id);

-- For each program of a version, the listing whose text is the program's own: the first unmarked
-- listing, else the first (plan-format.md, "Program identity").
CREATE TABLE version_program (
  version_id  INTEGER NOT NULL REFERENCES version(id) ON DELETE CASCADE,
  program_id  INTEGER NOT NULL REFERENCES program(id),
  listing_id  INTEGER NOT NULL REFERENCES listing(id) ON DELETE CASCADE,
  PRIMARY KEY (version_id, program_id)
) WITHOUT ROWID;
