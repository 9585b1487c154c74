// The scheduler's job leases (0017_job_leases.sql). The claim is one upsert, so that nodes
// claiming at once are serialised on the job's row by the engine: SQLite's single writer, or
// PostgreSQL's unique index, where a claim that finds a row committed after its snapshot fails
// the SERIALIZABLE transaction and Database::write runs it again, to find that lease held.
#include "store/sql/repositories.hpp"

namespace onshi::store::sql {

std::optional<JobLease> SqlJobs::job_lease(const std::string& name) {
  auto s = c_.prepare(
      "SELECT name, holder, lease_until, claimed_at, renewed_at FROM job_leases WHERE name = ?");
  s.bind_all(name);
  if (!s.step()) return std::nullopt;
  JobLease l;
  l.name = s.text(0);
  l.holder = s.text(1);
  l.lease_until = s.int64(2);
  l.claimed_at = s.int64(3);
  l.renewed_at = s.int64(4);
  return l;
}

bool SqlJobs::try_claim_job(const std::string& name, const std::string& holder, Millis now,
                            Millis lease_until) {
  // A renewal keeps claimed_at; a takeover starts it again.
  return c_.prepare(
               "INSERT INTO job_leases (name, holder, lease_until, claimed_at, renewed_at) "
               "VALUES (?1, ?2, ?4, ?3, ?3) ON CONFLICT (name) DO UPDATE SET "
               "holder = excluded.holder, lease_until = excluded.lease_until, "
               "claimed_at = CASE WHEN job_leases.holder = excluded.holder "
               "THEN job_leases.claimed_at ELSE excluded.claimed_at END, "
               "renewed_at = excluded.renewed_at "
               "WHERE job_leases.holder = excluded.holder OR job_leases.lease_until <= ?3")
             .bind_all(name, holder, now, lease_until)
             .run() == 1;
}

bool SqlJobs::release_job(const std::string& name, const std::string& holder) {
  return c_.prepare("DELETE FROM job_leases WHERE name = ? AND holder = ?")
             .bind_all(name, holder)
             .run() == 1;
}

}  // namespace onshi::store::sql
