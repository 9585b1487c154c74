-- 失効 by an operator (issue 16, first part): keyCompromise may carry the date from which the key
-- is known or suspected to be compromised (RFC 5280 5.3.2, invalidityDate), before revoked_at.
ALTER TABLE certificates ADD COLUMN invalidity_date BIGINT;
CREATE INDEX certificates_status ON certificates(status, id);
