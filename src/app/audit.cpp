#include "app/audit.hpp"

#include <fmt/format.h>

#include "util/secrets.hpp"

namespace onshi::app {

std::string audit_hash(const std::string& prev_hash, const store::AuditRecord& e) {
  return util::sha256_hex(fmt::format("{}\n{}\n{}\n{}\n{}\n{}", prev_hash, e.at, e.actor, e.action,
                                      e.subject, e.detail));
}

std::vector<store::AuditRecord> audit_log(const Services& s, const store::AuditFilter& f) {
  std::vector<store::AuditRecord> out;
  s.db.read([&](store::Tx& tx) { out = tx.audit_entries(f); });
  return out;
}

AuditVerification verify_audit_log(const Services& s) {
  AuditVerification v;
  std::string prev = "genesis";
  std::int64_t expected_seq = 1;
  s.db.read([&](store::Tx& tx) {
    tx.scan_audit([&](const store::AuditRecord& e) {
      const auto fail = [&](std::string problem) {
        v.ok = false;
        v.first_bad_seq = e.seq;
        v.problem = std::move(problem);
        return false;
      };
      // SQLite's INTEGER PRIMARY KEY grows by one per append; a gap is a deleted row.
      if (e.seq != expected_seq) {
        return fail(fmt::format("entry {} is missing (the next entry is {})", expected_seq, e.seq));
      }
      if (e.prev_hash != prev) {
        return fail(fmt::format("entry {} does not link to the entry before it", e.seq));
      }
      if (audit_hash(prev, e) != e.hash) {
        return fail(fmt::format("entry {} was changed after it was written", e.seq));
      }
      prev = e.hash;
      ++expected_seq;
      ++v.entries;
      return true;
    });
  });
  v.head_hash = prev;
  return v;
}

}  // namespace onshi::app
