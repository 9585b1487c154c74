-- Idempotency keys are chosen by vendors' systems, so they are unique per institution, not across
-- all of them: one clinic claiming a predictable key must not block another's application.
-- SQLite cannot drop a UNIQUE column constraint, so both tables are rebuilt the way its manual
-- says (new table, copy, drop, rename); the migration runner turns foreign keys off around it and
-- checks them before committing. approved_by now names operators(id), as it always meant: an
-- approval by an operator who does not exist would stop this migration rather than be copied.
CREATE TABLE usage_applications_new (
  id               INTEGER PRIMARY KEY,
  institution_id   INTEGER NOT NULL REFERENCES institutions(id),
  account_id       INTEGER NOT NULL REFERENCES accounts(id),
  number           TEXT NOT NULL UNIQUE,
  version          INTEGER NOT NULL CHECK (version >= 1),
  changes_id       INTEGER UNIQUE REFERENCES usage_applications(id),
  line_type        TEXT NOT NULL,
  customer_id      TEXT NOT NULL,
  start_date       TEXT NOT NULL,
  terminals        INTEGER NOT NULL CHECK (terminals BETWEEN 1 AND 99),
  vendor_name      TEXT NOT NULL,
  vendor_contact   TEXT NOT NULL,
  vendor_phone     TEXT NOT NULL,
  idempotency_key  TEXT NOT NULL,
  finalized_at     INTEGER NOT NULL,
  CHECK ((version = 1) = (changes_id IS NULL)),
  UNIQUE (institution_id, idempotency_key)
);
INSERT INTO usage_applications_new (id, institution_id, account_id, number, version, changes_id,
  line_type, customer_id, start_date, terminals, vendor_name, vendor_contact, vendor_phone,
  idempotency_key, finalized_at)
SELECT id, institution_id, account_id, number, version, changes_id, line_type, customer_id,
  start_date, terminals, vendor_name, vendor_contact, vendor_phone, idempotency_key, finalized_at
FROM usage_applications;
DROP TABLE usage_applications;
ALTER TABLE usage_applications_new RENAME TO usage_applications;
CREATE UNIQUE INDEX usage_applications_first ON usage_applications(institution_id) WHERE changes_id IS NULL;
CREATE INDEX usage_applications_institution ON usage_applications(institution_id, version);

CREATE TABLE certificate_applications_new (
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
  idempotency_key        TEXT NOT NULL,
  applied_at             INTEGER NOT NULL,
  updated_at             INTEGER NOT NULL,
  postal_code            TEXT NOT NULL DEFAULT '',
  address_line           TEXT NOT NULL DEFAULT '',
  approved_by            INTEGER REFERENCES operators(id),
  UNIQUE (institution_id, idempotency_key)
);
INSERT INTO certificate_applications_new (id, institution_id, account_id, usage_application_id,
  number, classification, prefecture, municipality_code, institution_code, institution_name,
  department, contact_name, phone, email, signature_name, certificates, fee_per_certificate,
  tax_rate_percent, subtotal_yen, tax_yen, total_yen, applied_on, expected_notice_on, status,
  status_note, idempotency_key, applied_at, updated_at, postal_code, address_line, approved_by)
SELECT id, institution_id, account_id, usage_application_id, number, classification, prefecture,
  municipality_code, institution_code, institution_name, department, contact_name, phone, email,
  signature_name, certificates, fee_per_certificate, tax_rate_percent, subtotal_yen, tax_yen,
  total_yen, applied_on, expected_notice_on, status, status_note, idempotency_key, applied_at,
  updated_at, postal_code, address_line, approved_by
FROM certificate_applications;
DROP TABLE certificate_applications;
ALTER TABLE certificate_applications_new RENAME TO certificate_applications;
CREATE INDEX certificate_applications_institution ON certificate_applications(institution_id, id);
CREATE INDEX certificate_applications_status ON certificate_applications(status, applied_on);
