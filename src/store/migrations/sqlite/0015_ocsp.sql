-- The OCSP responder (issue 16, CPIPCS 7.1.4 and 7.3). ocsp_responders: the delegated responder
-- certificates each issuing CA generation issues, a few days each, with their keys sealed under
-- the CA folder's secret; the newest valid one of a generation signs. ocsp_responses: the signed
-- answer for each certificate and CertID hash, pre-produced for requests without a nonce so that
-- every node serves the same bytes and answering costs one lookup. A revocation deletes the
-- certificate's rows in its own transaction (the trigger below); a response is stored only while
-- its certificate still has the status it says (ocsp.cpp), so no stale "good" survives it.
CREATE TABLE ocsp_responders (
  id INTEGER PRIMARY KEY,
  issuer_key_id TEXT NOT NULL,
  serial_hex TEXT NOT NULL UNIQUE,
  der BLOB NOT NULL,
  sealed_key TEXT NOT NULL,
  not_before INTEGER NOT NULL,
  not_after INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX ocsp_responders_issuer ON ocsp_responders(issuer_key_id, not_after);

CREATE TABLE ocsp_responses (
  certificate_id INTEGER NOT NULL REFERENCES certificates(id),
  hash_algorithm TEXT NOT NULL CHECK (hash_algorithm IN ('sha1', 'sha256')),
  status TEXT NOT NULL CHECK (status IN ('good', 'revoked')),
  response BLOB NOT NULL,
  this_update INTEGER NOT NULL,
  next_update INTEGER NOT NULL,
  refresh_at INTEGER NOT NULL,
  responder_id INTEGER NOT NULL REFERENCES ocsp_responders(id),
  PRIMARY KEY (certificate_id, hash_algorithm)
) WITHOUT ROWID;
CREATE INDEX ocsp_responses_refresh ON ocsp_responses(refresh_at);

-- A counter every revocation increments in its own transaction: each node keeps the responses it
-- served in memory and drops them all when the counter moved (app/ca/ocsp_cache.hpp).
CREATE TABLE ocsp_epoch (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  value INTEGER NOT NULL
);
INSERT INTO ocsp_epoch (id, value) VALUES (1, 0);

-- Every statement that revokes sets revoked_at (operator and institution revocations, reissue's
-- supersede, the scheduler's unpicked ones, and any added later): in that statement's
-- transaction, the stored responses go and the epoch moves.
CREATE TRIGGER certificates_revoked_forget_ocsp AFTER UPDATE OF revoked_at ON certificates
WHEN OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL
BEGIN
  DELETE FROM ocsp_responses WHERE certificate_id = NEW.id;
  UPDATE ocsp_epoch SET value = value + 1;
END;
