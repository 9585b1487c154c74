#include "app/core/audit.hpp"

#include <fmt/format.h>

#include "util/secrets.hpp"

namespace onshi::app {

std::string audit_hash(const std::string& prev_hash, const store::AuditRecord& e) {
  return util::sha256_hex(fmt::format("{}\n{}\n{}\n{}\n{}\n{}", prev_hash, e.at, e.actor, e.action,
                                      e.subject, e.detail));
}

std::vector<store::AuditRecord> audit_log(const Services& s, const store::AuditFilter& f) {
  std::vector<store::AuditRecord> out;
  s.db.read([&](store::ReadTx& tx) { out = tx.audit().audit_entries(f); });
  return out;
}

std::string AuditCheckpoint::text() const {
  return fmt::format("{}:{}", seq, hash);
}

std::optional<AuditCheckpoint> parse_audit_checkpoint(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  AuditCheckpoint c;
  for (const char ch : text.substr(0, colon)) {
    if (ch < '0' || ch > '9' || c.seq > 1'000'000'000'000) return std::nullopt;
    c.seq = c.seq * 10 + (ch - '0');
  }
  c.hash = std::string(text.substr(colon + 1));
  const bool hex =
      c.hash.size() == 64 && c.hash.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (c.seq < 1 || !hex) return std::nullopt;
  return c;
}

AuditVerification verify_audit_log(const Services& s,
                                   const std::optional<AuditCheckpoint>& checkpoint) {
  return s.db.read([&](store::ReadTx& tx) { return verify_audit_log(tx, checkpoint); });
}

AuditVerification verify_audit_log(store::ReadTx& tx,
                                   const std::optional<AuditCheckpoint>& checkpoint) {
  AuditVerification v;
  std::string prev = "genesis";
  std::int64_t expected_seq = 1;
  tx.audit().scan_audit([&](const store::AuditRecord& e) {
    const auto fail = [&](std::string problem, const char* key, std::int64_t other = 0) {
      v.ok = false;
      v.first_bad_seq = e.seq;
      v.problem = std::move(problem);
      v.problem_key = key;
      v.other_seq = other;
      return false;
    };
    // SQLite's INTEGER PRIMARY KEY grows by one per append; a gap is a deleted row.
    if (e.seq != expected_seq) {
      return fail(fmt::format("entry {} is missing (the next entry is {})", expected_seq, e.seq),
                  "audit_check.missing", expected_seq);
    }
    if (e.prev_hash != prev) {
      return fail(fmt::format("entry {} does not link to the entry before it", e.seq),
                  "audit_check.unlinked");
    }
    if (audit_hash(prev, e) != e.hash) {
      return fail(fmt::format("entry {} was changed after it was written", e.seq),
                  "audit_check.changed");
    }
    if (checkpoint && e.seq == checkpoint->seq && e.hash != checkpoint->hash) {
      return fail(fmt::format("entry {} is not the entry the checkpoint recorded: the log was "
                              "rewritten from there or before",
                              e.seq),
                  "audit_check.checkpoint_mismatch");
    }
    prev = e.hash;
    ++expected_seq;
    ++v.entries;
    return true;
  });
  v.head_hash = prev;
  if (v.entries > 0) v.head = AuditCheckpoint{v.entries, prev};
  if (v.ok && checkpoint && checkpoint->seq > v.entries) {
    v.ok = false;
    v.first_bad_seq = v.entries + 1;
    v.problem = fmt::format(
        "the log ends at entry {} but the checkpoint recorded entry {}: the newest entries were "
        "deleted",
        v.entries, checkpoint->seq);
    v.problem_key = "audit_check.truncated";
    v.other_seq = checkpoint->seq;
  }
  return v;
}

}  // namespace onshi::app
