-- Institutions, their portal accounts, sessions, e-mailed tokens, the mail outbox and the audit log.
CREATE TABLE institutions (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE CHECK (length(code) = 10),
  name        TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);

CREATE TABLE accounts (
  id              INTEGER PRIMARY KEY,
  institution_id  INTEGER NOT NULL REFERENCES institutions(id),
  email           TEXT NOT NULL,
  email_key       TEXT NOT NULL UNIQUE,
  password_hash   TEXT NOT NULL,
  verified_at     INTEGER,
  disabled_at     INTEGER,
  created_at      INTEGER NOT NULL
);
CREATE INDEX accounts_institution ON accounts(institution_id);

CREATE TABLE login_throttle (
  email_key     TEXT PRIMARY KEY,
  failures      INTEGER NOT NULL,
  locked_until  INTEGER NOT NULL
);

CREATE TABLE tokens (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('verify_email', 'reset_password')),
  token_hash  TEXT NOT NULL UNIQUE,
  account_id  INTEGER NOT NULL REFERENCES accounts(id),
  expires_at  INTEGER NOT NULL,
  used_at     INTEGER,
  created_at  INTEGER NOT NULL
);
CREATE INDEX tokens_account ON tokens(account_id, kind);

CREATE TABLE sessions (
  id_hash       TEXT PRIMARY KEY,
  account_id    INTEGER NOT NULL REFERENCES accounts(id),
  created_at    INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE outbox (
  id               INTEGER PRIMARY KEY,
  recipient        TEXT NOT NULL,
  subject          TEXT NOT NULL,
  body             TEXT NOT NULL,
  message_id       TEXT NOT NULL UNIQUE,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  last_error       TEXT,
  sent_at          INTEGER,
  created_at       INTEGER NOT NULL
);
CREATE INDEX outbox_pending ON outbox(next_attempt_at) WHERE sent_at IS NULL;

-- Terminal certificates; the certificate authority issue adds the rest of their columns.
CREATE TABLE certificates (
  id              INTEGER PRIMARY KEY,
  institution_id  INTEGER NOT NULL REFERENCES institutions(id),
  serial_hex      TEXT NOT NULL UNIQUE,
  terminal        TEXT NOT NULL,
  status          TEXT NOT NULL,
  not_after       INTEGER NOT NULL
);
CREATE INDEX certificates_institution ON certificates(institution_id);

-- Append-only: triggers refuse UPDATE and DELETE; each row's hash covers the previous row's hash.
CREATE TABLE audit_log (
  seq         INTEGER PRIMARY KEY,
  at          INTEGER NOT NULL,
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  subject     TEXT NOT NULL,
  detail      TEXT NOT NULL,
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE settings (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);
