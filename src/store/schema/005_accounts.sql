-- 005_accounts.sql — people who sign in, their sessions, the audit log and the plan office's
-- decisions (PRAGMA user_version 5).  See include/core/sasae/accounts.h, office.h, docs/security.md.

CREATE TABLE account (
  id             INTEGER PRIMARY KEY,
  login          TEXT NOT NULL UNIQUE,            -- [a-z0-9._-]{1,64}
  display_name   TEXT NOT NULL DEFAULT '',
  password_hash  TEXT NOT NULL,                   -- crypto_pwhash_str (argon2id)
  disabled       INTEGER NOT NULL DEFAULT 0,
  created_at     TEXT NOT NULL,
  last_login_at  TEXT
);

-- Roles held; department is '' for the roles that are not per department.
CREATE TABLE account_role (
  account_id  INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  role        INTEGER NOT NULL,                   -- sasae_role
  department  TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (account_id, role, department)
) WITHOUT ROWID;

-- Sessions: only the BLAKE2b-256 digest of the id the browser holds.
CREATE TABLE session (
  id_hash       BLOB PRIMARY KEY,
  account_id    INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  signed_in_at  INTEGER NOT NULL,                 -- Unix seconds
  last_seen_at  INTEGER NOT NULL,
  address       TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX session_account ON session(account_id);

-- Failed sign-ins, for the rate limit (kind 'login' or 'address'); old rows are pruned.
CREATE TABLE login_failure (
  kind  TEXT NOT NULL,
  key   TEXT NOT NULL,
  at    INTEGER NOT NULL
);
CREATE INDEX login_failure_key ON login_failure(kind, key, at);

-- The audit log: append-only.
CREATE TABLE audit (
  id       INTEGER PRIMARY KEY,
  at       TEXT NOT NULL,                         -- ISO 8601 UTC with milliseconds
  login    TEXT NOT NULL,                         -- '' for the operator at the terminal
  address  TEXT NOT NULL,
  action   TEXT NOT NULL,
  target   TEXT NOT NULL,
  before   TEXT,                                  -- JSON or NULL
  after    TEXT                                   -- JSON or NULL
);
CREATE INDEX audit_login ON audit(login, at);
CREATE INDEX audit_target ON audit(target, at);
CREATE INDEX audit_at ON audit(at);

-- The plan office's decisions about lint findings (key as in `sasae lint --accept` files).
CREATE TABLE lint_triage (
  plan_id  INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
  finding  TEXT NOT NULL,
  state    INTEGER NOT NULL,                      -- sasae_triage_state (1 checked, 2 accepted)
  reason   TEXT NOT NULL DEFAULT '',
  login    TEXT NOT NULL,
  at       TEXT NOT NULL,
  PRIMARY KEY (plan_id, finding)
) WITHOUT ROWID;

-- Which version of a plan the public sees (no row: the latest).
CREATE TABLE plan_public (
  plan_id  INTEGER PRIMARY KEY REFERENCES plan(id) ON DELETE CASCADE,
  version  INTEGER NOT NULL
);

-- Comments in the workspace.
CREATE TABLE comment (
  id        INTEGER PRIMARY KEY,
  target    TEXT NOT NULL,
  login     TEXT NOT NULL,
  at        TEXT NOT NULL,
  text      TEXT NOT NULL
);
CREATE INDEX comment_target ON comment(target, id);
