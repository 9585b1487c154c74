-- The back office and the certificate authority: operators with TOTP, their sessions, the review
-- of certificate applications, issued certificates, notice letters and their registered mail.

-- The notice letter goes to this address by registered mail (書留); the form asks for it.
ALTER TABLE certificate_applications ADD COLUMN postal_code TEXT NOT NULL DEFAULT '';
ALTER TABLE certificate_applications ADD COLUMN address_line TEXT NOT NULL DEFAULT '';
-- Who approved, so that the issuer can be required to be someone else (review.separate_issuer).
ALTER TABLE certificate_applications ADD COLUMN approved_by INTEGER;

CREATE TABLE operators (
  id              INTEGER PRIMARY KEY,
  login           TEXT NOT NULL UNIQUE,
  display_name    TEXT NOT NULL,
  role            TEXT NOT NULL CHECK (role IN ('reviewer', 'issuer', 'admin')),
  password_hash   TEXT NOT NULL,
  totp_secret     TEXT NOT NULL,
  -- The last TOTP time step accepted: a code is good once, even within its 30 seconds.
  totp_last_step  INTEGER NOT NULL DEFAULT 0,
  failures        INTEGER NOT NULL DEFAULT 0,
  locked_until    INTEGER NOT NULL DEFAULT 0,
  disabled_at     INTEGER,
  created_at      INTEGER NOT NULL
);

CREATE TABLE operator_sessions (
  id_hash       TEXT PRIMARY KEY,
  operator_id   INTEGER NOT NULL REFERENCES operators(id),
  created_at    INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL
);
CREATE INDEX operator_sessions_operator ON operator_sessions(operator_id);

-- Nothing ever inserted into the placeholder of 0001; this is the full table.
DROP INDEX certificates_institution;
DROP TABLE certificates;
CREATE TABLE certificates (
  id                 INTEGER PRIMARY KEY,
  institution_id     INTEGER NOT NULL REFERENCES institutions(id),
  application_id     INTEGER NOT NULL REFERENCES certificate_applications(id),
  issuance_number    TEXT NOT NULL UNIQUE,          -- 発行番号, e.g. C-00000123-01
  terminal           TEXT NOT NULL,                 -- T01, T02, ...
  serial_hex         TEXT NOT NULL UNIQUE,          -- 128-bit random, lower-case hex
  subject            TEXT NOT NULL,                 -- RFC 2253 text, for lists and search
  not_before         INTEGER NOT NULL,              -- Unix milliseconds
  not_after          INTEGER NOT NULL,
  der                BLOB NOT NULL,
  -- SHA-256 of the SubjectPublicKeyInfo: a key certified once is never certified again (CPIPCS 4.2).
  spki_sha256        TEXT NOT NULL,
  key_source         TEXT NOT NULL CHECK (key_source IN ('csr', 'generated')),
  -- The generated key, sealed by pki/ until the PKCS#12 pickup; NULL for CSRs and once picked up.
  sealed_key         TEXT,
  status             TEXT NOT NULL,                 -- domain certificate state_key
  pickup_code_hash   TEXT NOT NULL,
  -- The pickup code itself, sealed, only until its notice letter is printed; then NULL.
  sealed_pickup_code TEXT,
  pickup_expires_at  INTEGER NOT NULL,
  pickup_failures    INTEGER NOT NULL DEFAULT 0,
  picked_up_at       INTEGER,
  revoked_at         INTEGER,
  revocation_reason  INTEGER,
  issued_by          INTEGER REFERENCES operators(id),
  issued_at          INTEGER NOT NULL
);
CREATE INDEX certificates_institution ON certificates(institution_id);
CREATE INDEX certificates_application ON certificates(application_id);
CREATE INDEX certificates_spki ON certificates(spki_sha256);

-- One 電子証明書発行通知書 per issued application; the registered mail's number once posted.
CREATE TABLE notice_letters (
  id               INTEGER PRIMARY KEY,
  application_id   INTEGER NOT NULL UNIQUE REFERENCES certificate_applications(id),
  created_at       INTEGER NOT NULL,
  printed_at       INTEGER,                         -- first included in a print batch
  tracking_number  TEXT UNIQUE,                     -- 書留の引受番号
  mailed_on        TEXT,                            -- YYYY-MM-DD (JST)
  recorded_by      INTEGER REFERENCES operators(id),
  recorded_at      INTEGER
);
CREATE INDEX notice_letters_unprinted ON notice_letters(printed_at) WHERE printed_at IS NULL;

CREATE INDEX audit_log_action ON audit_log(action, seq);
CREATE INDEX audit_log_actor ON audit_log(actor, seq);
