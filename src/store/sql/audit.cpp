#include <fmt/format.h>
#include <algorithm>

#include "store/sql/repositories.hpp"
#include "store/sql/sql_tx.hpp"
#include "util/secrets.hpp"

namespace onshi::store::sql {

namespace {

// The sequence is the chain's length, gap-free: max + 1 inside the appending transaction, not an
// identity, whose numbers a transaction that runs again would skip.
constexpr std::int64_t kAuditChainLockKey = 0x6f6e736869'00'02;  // "onshi" 0 2

AuditRecord read_audit(const Statement& s) {
  return AuditRecord{s.int64(0), s.int64(1), s.text(2), s.text(3),
                     s.text(4),  s.text(5),  s.text(6), s.text(7)};
}

}  // namespace

std::vector<AuditRecord> SqlAudit::audit_entries(const AuditFilter& f) {
  auto s = c_.prepare(
      "SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log WHERE "
      "(?1 = '' OR actor = ?1) AND (?2 = '' OR substr(action, 1, length(?2)) = ?2) AND "
      "(?3 = '' OR subject = ?3) AND (?4 = 0 OR at >= ?4) AND (?5 = 0 OR at < ?5) AND "
      "(?6 = 0 OR seq < ?6) ORDER BY seq DESC LIMIT ?7");
  s.bind_all(f.actor, f.action_prefix, f.subject, f.from, f.to, f.before_seq, f.limit);
  std::vector<AuditRecord> out;
  while (s.step()) out.push_back(read_audit(s));
  return out;
}

void SqlAudit::scan_audit(const std::function<bool(const AuditRecord&)>& visit) {
  auto s = c_.prepare(
      "SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY "
      "seq");
  while (s.step()) {
    if (!visit(read_audit(s))) return;
  }
}

void SqlAudit::append_audit(const AuditEntry& e, Millis now) {
  // Reading the head and appending after it are two statements; the unique index on prev_hash
  // (0008) makes the engine refuse a second entry after the same head, whichever engine and
  // however many writers.
  // SQLite's writer lock already serialises appends; on PostgreSQL this lock does, until the
  // transaction ends, so that parallel appenders queue instead of failing on the index and
  // running again.
  if (c_.engine() == Engine::postgresql)
    c_.prepare("SELECT pg_advisory_xact_lock(?)").bind_all(kAuditChainLockKey).run();
  std::string prev = "genesis";
  {
    auto s = c_.prepare("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1");
    if (s.step()) prev = s.text(0);
  }
  const std::string hash = util::sha256_hex(
      fmt::format("{}\n{}\n{}\n{}\n{}\n{}", prev, now, e.actor, e.action, e.subject, e.detail));
  try {
    c_.prepare(
          "INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash) "
          "SELECT coalesce(max(seq), 0) + 1, ?, ?, ?, ?, ?, ?, ? FROM audit_log")
        .bind_all(now, e.actor, e.action, e.subject, e.detail, prev, hash)
        .run();
  } catch (const UniqueViolation&) {
    throw TransientConflict("audit_log: another entry was appended after " + prev);
  }
}

}  // namespace onshi::store::sql
