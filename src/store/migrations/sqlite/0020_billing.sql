-- 発行料 (issue 19): how each application pays, one charge per certificate issued (written in the
-- transaction that stores the certificate), the monthly close that bills them, the invoices of
-- institutions paying by transfer, and the transfers operators record.
--
-- 診療報酬等からの控除 is what the real system does unless the clinic asks for a 払込請求書.
ALTER TABLE certificate_applications ADD COLUMN payment_method TEXT NOT NULL DEFAULT 'deduction'
  CHECK (payment_method IN ('deduction', 'transfer'));

-- The close of a month: one row per month, ever (the UNIQUE is what makes a second close, or two
-- at once on two nodes, find the first one's files instead of billing again). The deduction CSV
-- is kept as written, so that running the close again hands out the same bytes.
CREATE TABLE billing_closes (
  id              INTEGER PRIMARY KEY,
  month           TEXT NOT NULL UNIQUE CHECK (length(month) = 7),  -- YYYY-MM
  closed_at       INTEGER NOT NULL,
  closed_by       TEXT NOT NULL,   -- the audit actor
  issued_on       TEXT NOT NULL,   -- 請求日 / 控除依頼日, YYYY-MM-DD (JST)
  due_on          TEXT NOT NULL,   -- 支払期限 of the invoices, a business day
  charges         INTEGER NOT NULL,
  deduction_csv   BLOB NOT NULL
);

-- A certificate's fee, at the rate in force on its issue date (Japan time). One per certificate;
-- the free generations (a terminal's own CSR in place of an unused generated key) have none.
-- billing_month is the month of issued_on; a close of month M bills every charge of M or before
-- still unbilled, so that one stored just after an earlier close is billed by the next one.
CREATE TABLE charges (
  id                INTEGER PRIMARY KEY,
  certificate_id    INTEGER NOT NULL UNIQUE REFERENCES certificates(id),
  institution_id    INTEGER NOT NULL REFERENCES institutions(id),
  application_id    INTEGER NOT NULL REFERENCES certificate_applications(id),
  issuance_number   TEXT NOT NULL,
  serial_hex        TEXT NOT NULL,
  kind              TEXT NOT NULL CHECK (kind IN ('issue', 'renewal')),
  payment_method    TEXT NOT NULL CHECK (payment_method IN ('deduction', 'transfer')),
  issued_on         TEXT NOT NULL,  -- YYYY-MM-DD (JST)
  billing_month     TEXT NOT NULL,  -- YYYY-MM
  fee_yen           INTEGER NOT NULL CHECK (fee_yen >= 0),
  tax_rate_percent  INTEGER NOT NULL CHECK (tax_rate_percent BETWEEN 0 AND 100),
  close_id          INTEGER REFERENCES billing_closes(id),
  created_at        INTEGER NOT NULL
);
CREATE INDEX charges_unbilled ON charges(billing_month) WHERE close_id IS NULL;
CREATE INDEX charges_institution ON charges(institution_id, id);
CREATE INDEX charges_close ON charges(close_id, institution_id);

-- 請求書 (払込請求書による振込): one per institution and close, its PDF as rendered at the close.
CREATE TABLE invoices (
  id              INTEGER PRIMARY KEY,
  close_id        INTEGER NOT NULL REFERENCES billing_closes(id),
  institution_id  INTEGER NOT NULL REFERENCES institutions(id),
  number          TEXT NOT NULL UNIQUE,
  month           TEXT NOT NULL,
  issued_on       TEXT NOT NULL,
  due_on          TEXT NOT NULL,
  items           INTEGER NOT NULL,
  subtotal_yen    INTEGER NOT NULL,
  tax_yen         INTEGER NOT NULL,
  total_yen       INTEGER NOT NULL,
  pdf             BLOB NOT NULL,
  UNIQUE (close_id, institution_id)
);
CREATE INDEX invoices_institution ON invoices(institution_id, id);

-- 入金: a transfer the operators saw on the fund's account, against one invoice.
CREATE TABLE invoice_payments (
  id            INTEGER PRIMARY KEY,
  invoice_id    INTEGER NOT NULL REFERENCES invoices(id),
  amount_yen    INTEGER NOT NULL CHECK (amount_yen > 0),
  received_on   TEXT NOT NULL,  -- YYYY-MM-DD
  recorded_by   TEXT NOT NULL,
  recorded_at   INTEGER NOT NULL
);
CREATE INDEX invoice_payments_invoice ON invoice_payments(invoice_id);
