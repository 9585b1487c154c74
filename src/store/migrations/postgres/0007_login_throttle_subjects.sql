-- A throttle row names whose attempts it counts: "account:" and an e-mail as typed, or "operator:"
-- and a login ID nobody has. The two never meet, so "operator:rev" typed at the clinics' login
-- cannot lock (or reveal) the operator login "rev".
ALTER TABLE login_throttle RENAME COLUMN email_key TO subject;
UPDATE login_throttle SET subject = 'account:' || subject WHERE subject NOT LIKE 'operator:%';
