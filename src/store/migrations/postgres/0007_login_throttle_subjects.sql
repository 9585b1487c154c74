-- A throttle row names whose attempts it counts: "account:" and an e-mail as typed, or "operator:"
-- and a login ID nobody has. The two never meet, so "operator:rev" typed at the clinics' login
-- cannot lock (or reveal) the operator login "rev". NOT ILIKE: SQLite's LIKE ignores the case of
-- ASCII letters, so there "OPERATOR:x" is left as it is too.
ALTER TABLE login_throttle RENAME COLUMN email_key TO subject;
UPDATE login_throttle SET subject = 'account:' || subject WHERE subject NOT ILIKE 'operator:%';
