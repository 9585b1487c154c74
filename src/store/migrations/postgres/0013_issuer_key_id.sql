-- Which issuing CA signed each certificate (its authorityKeyIdentifier, lower-case hex), so that
-- the CRL and the OCSP responder of each CA generation find its certificates without parsing DER.
-- Rows from before this migration stay NULL until `onshi serve` fills them in from their DER.
ALTER TABLE certificates ADD COLUMN issuer_key_id TEXT COLLATE "C";
CREATE INDEX certificates_issuer_serial ON certificates(issuer_key_id, serial_hex);
