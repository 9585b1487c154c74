-- 失効 asked by an institution (マイページ, the JSON API): one row per request, whatever number of
-- certificates it names, so that the same idempotency key sent again (a double click, a vendor's
-- retry) answers with what was revoked instead of refusing it as already revoked. Keys are chosen
-- by vendors' systems, so they are unique per institution (as in 0006).
CREATE TABLE revocation_requests (
  id               INTEGER PRIMARY KEY,
  institution_id   INTEGER NOT NULL REFERENCES institutions(id),
  account_id       INTEGER NOT NULL REFERENCES accounts(id),
  idempotency_key  TEXT NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 64),
  certificates     TEXT NOT NULL,  -- the 発行番号 revoked, comma separated, in the request's order
  reason           INTEGER NOT NULL,
  requested_at     INTEGER NOT NULL,
  UNIQUE (institution_id, idempotency_key)
);
-- The scheduler's sweep of certificates never picked up (CPIPCS 4.4.4) reads by deadline.
CREATE INDEX certificates_unpicked ON certificates(pickup_expires_at)
  WHERE picked_up_at IS NULL AND revoked_at IS NULL;
