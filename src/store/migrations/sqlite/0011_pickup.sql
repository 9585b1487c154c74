-- 受取 (issue 15): the pickup page and EST. A 発行番号 may now name several certificates in turn:
-- a generated-key certificate replaced by one for the terminal's own CSR before it was used
-- (superseded), or a certificate re-enrolled over EST (renewed). Each is a new row with the next
-- generation; the one whose replaced_at is NULL is the number's current certificate. SQLite cannot
-- drop the UNIQUE on issuance_number in place, so the table is rebuilt (nothing references it).
CREATE TABLE certificates_new (
  id                 INTEGER PRIMARY KEY,
  institution_id     INTEGER NOT NULL REFERENCES institutions(id),
  application_id     INTEGER NOT NULL REFERENCES certificate_applications(id),
  issuance_number    TEXT NOT NULL,                 -- 発行番号, e.g. C-00000123-01
  generation         INTEGER NOT NULL DEFAULT 1,    -- 1, then 2 for its replacement, ...
  terminal           TEXT NOT NULL,
  serial_hex         TEXT NOT NULL UNIQUE,
  subject            TEXT NOT NULL,
  not_before         INTEGER NOT NULL,
  not_after          INTEGER NOT NULL,
  der                BLOB NOT NULL,
  spki_sha256        TEXT NOT NULL,
  key_source         TEXT NOT NULL CHECK (key_source IN ('csr', 'generated')),
  -- The generated key, sealed by pki/, until the pickup closes (受取を完了する, the re-download
  -- days after the first download, a replacement or the window's end): then NULL for ever.
  sealed_key         TEXT,
  status             TEXT NOT NULL,
  pickup_code_hash   TEXT NOT NULL,                 -- '' for a re-enrolled certificate: no code
  sealed_pickup_code TEXT,
  pickup_expires_at  INTEGER NOT NULL,
  pickup_failures    INTEGER NOT NULL DEFAULT 0,
  pickup_locked_at   INTEGER,                       -- pki.pickup_max_attempts wrong codes
  picked_up_at       INTEGER,                       -- the first download
  -- When the code stopped working for good, and why: completed (受取を完了する), lapsed (the
  -- re-download days passed), replaced (a CSR took its place), voided (通知書の再発行 gave the
  -- number a new code while this one was in its re-download days), expired (the window ended
  -- unused).
  pickup_closed_at   INTEGER,
  pickup_closed_how  TEXT CHECK (pickup_closed_how IN ('completed', 'lapsed', 'replaced',
                                                       'voided', 'expired')),
  replaced_at        INTEGER,
  replaced_how       TEXT CHECK (replaced_how IN ('superseded', 'renewed')),
  revoked_at         INTEGER,
  revocation_reason  INTEGER,
  issued_by          INTEGER REFERENCES operators(id),
  issued_at          INTEGER NOT NULL,
  UNIQUE (issuance_number, generation)
);
INSERT INTO certificates_new (id, institution_id, application_id, issuance_number, terminal,
  serial_hex, subject, not_before, not_after, der, spki_sha256, key_source, sealed_key, status,
  pickup_code_hash, sealed_pickup_code, pickup_expires_at, pickup_failures, picked_up_at,
  revoked_at, revocation_reason, issued_by, issued_at)
SELECT id, institution_id, application_id, issuance_number, terminal, serial_hex, subject,
  not_before, not_after, der, spki_sha256, key_source, sealed_key, status, pickup_code_hash,
  sealed_pickup_code, pickup_expires_at, pickup_failures, picked_up_at, revoked_at,
  revocation_reason, issued_by, issued_at FROM certificates;
DROP TABLE certificates;
ALTER TABLE certificates_new RENAME TO certificates;
CREATE INDEX certificates_institution ON certificates(institution_id);
CREATE INDEX certificates_application ON certificates(application_id);
CREATE INDEX certificates_spki ON certificates(spki_sha256);
-- The pickups still open, for the sweeper that closes lapsed ones and destroys their keys.
CREATE INDEX certificates_open_pickup ON certificates(picked_up_at)
  WHERE pickup_closed_at IS NULL;

-- Every download of a certificate (page or EST): マイページ lists them and each sends a mail.
CREATE TABLE certificate_downloads (
  id              INTEGER PRIMARY KEY,
  certificate_id  INTEGER NOT NULL REFERENCES certificates(id),
  downloaded_at   INTEGER NOT NULL,
  client_address  TEXT NOT NULL,
  -- pkcs12-standard, pkcs12-compatible, pem, der, p7b, csr (a replacement for the terminal's
  -- CSR), est-enroll, est-serverkeygen, est-reenroll
  what            TEXT NOT NULL
);
CREATE INDEX certificate_downloads_certificate ON certificate_downloads(certificate_id);
