#include "store/sqlite/sqlite_tx.hpp"

namespace onshi::store::sqlite {
namespace {

AuditRecord read_audit(const Statement& s) {
  return AuditRecord{s.int64(0), s.int64(1), s.text(2), s.text(3),
                     s.text(4),  s.text(5),  s.text(6), s.text(7)};
}

}  // namespace

std::vector<AuditRecord> SqliteTx::audit_entries(const AuditFilter& f) {
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

void SqliteTx::scan_audit(const std::function<bool(const AuditRecord&)>& visit) {
  auto s = c_.prepare(
      "SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY "
      "seq");
  while (s.step()) {
    if (!visit(read_audit(s))) return;
  }
}

}  // namespace onshi::store::sqlite
