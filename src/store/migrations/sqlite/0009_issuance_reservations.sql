-- Issuance in steps (app/ca/issuance.cpp): a first transaction reserves each certificate's serial
-- and stores what is to be signed; signing runs outside any transaction; a second transaction
-- stores the certificates and marks the reservations issued. A reservation a crash left between
-- the two is abandoned by the sweeper, its serial never used again: no signed certificate is
-- unknown to the database.
CREATE TABLE issuance_reservations (
  id                 INTEGER PRIMARY KEY,
  application_id     INTEGER NOT NULL REFERENCES certificate_applications(id),
  position           INTEGER NOT NULL CHECK (position BETWEEN 1 AND 99),
  institution_id     INTEGER NOT NULL REFERENCES institutions(id),
  serial_hex         TEXT NOT NULL UNIQUE,
  issuance_number    TEXT NOT NULL,
  terminal           TEXT NOT NULL,
  public_key_der     BLOB NOT NULL,
  spki_sha256        TEXT NOT NULL,
  key_source         TEXT NOT NULL CHECK (key_source IN ('csr', 'generated')),
  sealed_key         TEXT,
  pickup_code_hash   TEXT NOT NULL,
  sealed_pickup_code TEXT,
  pickup_expires_at  INTEGER NOT NULL,
  operator_id        INTEGER REFERENCES operators(id),
  reserved_at        INTEGER NOT NULL,
  state              TEXT NOT NULL DEFAULT 'reserved'
                     CHECK (state IN ('reserved', 'issued', 'abandoned')),
  settled_at         INTEGER
);
-- One issuance of an application at a time: a second issuer's reservation is refused.
CREATE UNIQUE INDEX issuance_reservations_live ON issuance_reservations(application_id, position)
  WHERE state = 'reserved';
CREATE INDEX issuance_reservations_pending ON issuance_reservations(reserved_at)
  WHERE state = 'reserved';
