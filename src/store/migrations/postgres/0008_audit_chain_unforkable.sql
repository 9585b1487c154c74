-- One entry after each head of the audit chain: two appends racing in two transactions (possible
-- once the engine has more than one writer) cannot both chain to the same entry; the loser's
-- transaction fails and runs again after the winner.
CREATE UNIQUE INDEX audit_log_one_successor ON audit_log(prev_hash);
