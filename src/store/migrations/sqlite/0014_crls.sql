-- CRLs (issue 16, RFC 5280 §5): every full and delta CRL of each issuing CA generation, so that
-- every node serves the same bytes. A number is reserved (a row without der) in one transaction,
-- the CRL is signed outside any, then recorded; a reservation a crash left keeps its number, so
-- a number is never used twice, also across nodes (UNIQUE). Full and delta CRLs of one issuer
-- share one sequence (RFC 5280 5.2.4).
CREATE TABLE crls (
  id             INTEGER PRIMARY KEY,
  issuer_key_id  TEXT NOT NULL,        -- the issuing CA certificate's subjectKeyIdentifier, hex
  crl_number     INTEGER NOT NULL CHECK (crl_number > 0),
  delta_base     INTEGER,              -- a delta CRL: the number of its base; NULL: a full CRL
  this_update    INTEGER NOT NULL,
  next_update    INTEGER NOT NULL,
  der            BLOB,                 -- NULL while reserved
  revoked_seen   INTEGER,              -- the issuer's revocations up to this_update it saw
  created_at     INTEGER NOT NULL,
  UNIQUE (issuer_key_id, crl_number),
  CHECK (delta_base IS NULL OR delta_base < crl_number)
);

-- What the CRLs read of certificates: a full CRL walks the issuer's revoked certificates in
-- serial order, a delta those revoked since its base, the scheduler counts them and asks
-- whether an earlier CA still has certificates that have not expired.
CREATE INDEX certificates_revoked_serial ON certificates(issuer_key_id, serial_hex)
  WHERE revoked_at IS NOT NULL;
CREATE INDEX certificates_revoked_at ON certificates(issuer_key_id, revoked_at)
  WHERE revoked_at IS NOT NULL;
CREATE INDEX certificates_issuer_not_after ON certificates(issuer_key_id, not_after);
