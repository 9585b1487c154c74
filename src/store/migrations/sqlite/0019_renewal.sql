-- 更新申請 (renewal): a certificate application is either a first one ('new', 電子証明書発行申請)
-- or a renewal ('renewal') of certificates the institution holds, which the review queue labels
-- 更新 and issuance turns into the next generation of each renewed 発行番号 (same terminal).
ALTER TABLE certificate_applications ADD COLUMN kind TEXT NOT NULL DEFAULT 'new'
  CHECK (kind IN ('new', 'renewal'));
-- The certificates a renewal application renews, by position: the certificate as it was current
-- when the clinic applied (issuance checks it still is), and its 発行番号, by which the portal
-- tells a certificate with a renewal under way.
CREATE TABLE renewal_items (
  application_id   INTEGER NOT NULL REFERENCES certificate_applications(id),
  position         INTEGER NOT NULL CHECK (position BETWEEN 1 AND 99),
  certificate_id   INTEGER NOT NULL REFERENCES certificates(id),
  issuance_number  TEXT NOT NULL,
  PRIMARY KEY (application_id, position)
);
CREATE INDEX renewal_items_number ON renewal_items(issuance_number);
-- The overlap sweep (app/ca/renewal_overlap.cpp) reads renewed certificates still unrevoked.
CREATE INDEX certificates_renewed_live ON certificates(issuance_number, generation)
  WHERE replaced_how = 'renewed' AND revoked_at IS NULL;
