-- 006_progress.sql — yearly progress management (進捗管理): a cycle per fiscal year, one sheet per
-- program, council comments and the office's section grades (PRAGMA user_version 6).  Rows only:
-- every rule (fields, workflow, scope, roll-up) is the core's (include/core/sasae/progress.h,
-- docs/progress.md).

-- A fiscal year's cycle: the plan version whose programs are evaluated, the deadline for
-- submission and the sheet's fields and scales (a JSON document the office configures).
CREATE TABLE progress_cycle (
  year        INTEGER PRIMARY KEY,                -- fiscal year (年度), e.g. 2025
  version_id  INTEGER NOT NULL REFERENCES version(id),
  deadline    TEXT NOT NULL,                      -- YYYY-MM-DD (the last day to submit)
  config      TEXT NOT NULL,                      -- JSON: fields and scales
  opened_at   TEXT NOT NULL,
  opened_by   TEXT NOT NULL                       -- login ('' for the operator)
);

-- One sheet per program and year (not per listing).
CREATE TABLE progress_sheet (
  year         INTEGER NOT NULL REFERENCES progress_cycle(year) ON DELETE CASCADE,
  program      TEXT NOT NULL,                     -- program id, "p0012"
  name         TEXT NOT NULL,                     -- the program's name when the cycle opened
  departments  TEXT NOT NULL,                     -- canonical names, LF-separated
  state        INTEGER NOT NULL,                  -- sasae_progress_state
  data         TEXT NOT NULL,                     -- JSON object: the sheet's values
  note         TEXT NOT NULL DEFAULT '',          -- the last return comment (差し戻し)
  updated_at   TEXT NOT NULL,
  updated_by   TEXT NOT NULL,
  PRIMARY KEY (year, program)
) WITHOUT ROWID;

-- Council comments, kept with the year: target "program:p0012" or "section:2-3".
CREATE TABLE progress_comment (
  id      INTEGER PRIMARY KEY,
  year    INTEGER NOT NULL REFERENCES progress_cycle(year) ON DELETE CASCADE,
  target  TEXT NOT NULL,
  login   TEXT NOT NULL,
  at      TEXT NOT NULL,
  text    TEXT NOT NULL
);
CREATE INDEX progress_comment_target ON progress_comment(year, target, id);

-- A section's grade given by the office: a judgement kept beside the computed roll-up.
CREATE TABLE progress_section_grade (
  year     INTEGER NOT NULL REFERENCES progress_cycle(year) ON DELETE CASCADE,
  section  TEXT NOT NULL,                         -- "part-section_index", "2-3"
  grade    TEXT NOT NULL,
  reason   TEXT NOT NULL DEFAULT '',
  login    TEXT NOT NULL,
  at       TEXT NOT NULL,
  PRIMARY KEY (year, section)
) WITHOUT ROWID;
