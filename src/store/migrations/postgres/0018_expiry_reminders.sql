-- 有効期限のお知らせ (issue 19): each reminder mailed, one row per certificate and threshold, so
-- that it goes once whatever the number of nodes and restarts. The row is inserted (ON CONFLICT
-- DO NOTHING) in the transaction that queues the mail and its audit record: the node whose insert
-- stored it mails, any other finds it there. threshold_days is the days before notAfter (90, 60,
-- ...), or minus the day since it (-1 its first day expired, -2 the next, ...), daily.
CREATE TABLE expiry_reminders (
  certificate_id  BIGINT NOT NULL REFERENCES certificates(id),
  threshold_days  BIGINT NOT NULL,
  sent_at         BIGINT NOT NULL,
  PRIMARY KEY (certificate_id, threshold_days)
);
-- The sweep's query: the current, unrevoked certificates by notAfter.
CREATE INDEX certificates_not_after ON certificates(not_after);
