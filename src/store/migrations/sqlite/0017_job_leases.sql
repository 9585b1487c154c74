-- The scheduler's jobs that several `onshi serve` nodes on one database run once between them
-- (app/core/housekeeping.hpp): a job runs on the node that holds its row, until lease_until; a
-- node that stops deletes its rows, one that dies leaves them to run out. claimed_at is when the
-- holder took the job over, renewed_at its latest claim, so that an operator sees which node
-- runs what and whether it is still alive.
CREATE TABLE job_leases (
  name         TEXT PRIMARY KEY,
  holder       TEXT NOT NULL,  -- the node: host:pid:random, logged at its start
  lease_until  INTEGER NOT NULL,
  claimed_at   INTEGER NOT NULL,
  renewed_at   INTEGER NOT NULL
);
