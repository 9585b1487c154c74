-- 新しい取得コードで再印刷 (issue 14): a letter already posted whose codes were renewed goes by
-- registered mail again, free of charge (CPIPCS 4.4.4). notice_letters keeps its latest mailing;
-- the earlier one moves here when the resend is recorded, so a 書留 number stays used for ever.
ALTER TABLE notice_letters ADD COLUMN reprinted_at INTEGER;   -- the latest 再印刷
-- 1 from a reprint of a posted letter until the resend's registered mail is recorded.
ALTER TABLE notice_letters ADD COLUMN resend_due INTEGER NOT NULL DEFAULT 0
  CHECK (resend_due IN (0, 1));
CREATE INDEX notice_letters_resend_due ON notice_letters(id) WHERE resend_due = 1;

CREATE TABLE notice_letter_mailings (
  id               INTEGER PRIMARY KEY,
  letter_id        INTEGER NOT NULL REFERENCES notice_letters(id),
  tracking_number  TEXT NOT NULL UNIQUE,             -- 書留の引受番号 of an earlier mailing
  mailed_on        TEXT NOT NULL,                    -- YYYY-MM-DD (JST)
  recorded_by      INTEGER REFERENCES operators(id),
  recorded_at      INTEGER,
  superseded_at    INTEGER NOT NULL                  -- when the resend was recorded
);
CREATE INDEX notice_letter_mailings_letter ON notice_letter_mailings(letter_id);
