-- 電子証明書発行申請. The fee and the expected notice date are fixed when the clinic applies, so
-- the receipt and the letter always show what the clinic saw.
CREATE TABLE certificate_applications (
  id                     INTEGER PRIMARY KEY,
  institution_id         INTEGER NOT NULL REFERENCES institutions(id),
  account_id             INTEGER NOT NULL REFERENCES accounts(id),
  usage_application_id   INTEGER NOT NULL REFERENCES usage_applications(id),
  number                 TEXT NOT NULL UNIQUE,
  classification         TEXT NOT NULL,
  prefecture             INTEGER NOT NULL CHECK (prefecture BETWEEN 1 AND 47),
  municipality_code      TEXT NOT NULL,
  institution_code       TEXT NOT NULL,
  institution_name       TEXT NOT NULL,
  department             TEXT NOT NULL,
  contact_name           TEXT NOT NULL,
  phone                  TEXT NOT NULL,
  email                  TEXT NOT NULL,
  signature_name         TEXT NOT NULL,
  certificates           INTEGER NOT NULL CHECK (certificates BETWEEN 1 AND 99),
  fee_per_certificate    INTEGER NOT NULL,
  tax_rate_percent       INTEGER NOT NULL,
  subtotal_yen           INTEGER NOT NULL,
  tax_yen                INTEGER NOT NULL,
  total_yen              INTEGER NOT NULL,
  applied_on             TEXT NOT NULL,
  expected_notice_on     TEXT NOT NULL,
  status                 TEXT NOT NULL,
  status_note            TEXT NOT NULL DEFAULT '',
  idempotency_key        TEXT NOT NULL UNIQUE,
  applied_at             INTEGER NOT NULL,
  updated_at             INTEGER NOT NULL
);
CREATE INDEX certificate_applications_institution ON certificate_applications(institution_id, id);
CREATE INDEX certificate_applications_status ON certificate_applications(status, applied_on);
