-- オンライン資格確認利用開始・変更申請. Only finalized (確定) applications are stored: 入力中 and 確認
-- live in the form and its confirmation page. A change application (変更申請) names the
-- application it changes; each application can be changed once, so versions form one chain.
CREATE TABLE usage_applications (
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
  idempotency_key  TEXT NOT NULL UNIQUE,
  finalized_at     INTEGER NOT NULL,
  CHECK ((version = 1) = (changes_id IS NULL))
);
-- One first application (利用開始申請) per institution: two tabs cannot both start one.
CREATE UNIQUE INDEX usage_applications_first ON usage_applications(institution_id) WHERE changes_id IS NULL;
CREATE INDEX usage_applications_institution ON usage_applications(institution_id, version);

-- Tokens vendors' systems use for the JSON API (/api/v1/), stored hashed.
CREATE TABLE api_tokens (
  id            INTEGER PRIMARY KEY,
  account_id    INTEGER NOT NULL REFERENCES accounts(id),
  token_hash    TEXT NOT NULL UNIQUE,
  label         TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  last_used_at  INTEGER,
  revoked_at    INTEGER
);
CREATE INDEX api_tokens_account ON api_tokens(account_id);
