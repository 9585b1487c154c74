-- A mail that carries a single-use link (e-mail verification, password reset) keeps its body only
-- until it is sent: a copy of the database must not hold working links. Subject, recipient and
-- Message-ID stay for the record. ILIKE: SQLite's LIKE ignores the case of ASCII letters, and on
-- a COLLATE "C" column ILIKE folds those only, as SQLite does.
ALTER TABLE outbox ADD COLUMN redact_when_sent BIGINT NOT NULL DEFAULT 0 CHECK (redact_when_sent IN (0, 1));
UPDATE outbox SET redact_when_sent = 1
 WHERE body ILIKE '%/verify?token=%' OR body ILIKE '%/password/reset?token=%';
UPDATE outbox SET body = '' WHERE redact_when_sent = 1 AND sent_at IS NOT NULL;
