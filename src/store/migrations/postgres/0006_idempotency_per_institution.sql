-- Idempotency keys are unique per institution, not across all of them (sqlite/0006 says why).
-- PostgreSQL drops and adds constraints in place, where SQLite rebuilds both tables; approved_by
-- now names operators(id), as it always meant.
ALTER TABLE usage_applications DROP CONSTRAINT usage_applications_idempotency_key_key;
ALTER TABLE usage_applications ADD UNIQUE (institution_id, idempotency_key);

ALTER TABLE certificate_applications DROP CONSTRAINT certificate_applications_idempotency_key_key;
ALTER TABLE certificate_applications ADD UNIQUE (institution_id, idempotency_key);
ALTER TABLE certificate_applications ADD FOREIGN KEY (approved_by) REFERENCES operators(id);
