// 失効 asked by an institution: its requests by idempotency key (migration 0016).
#include "store/sql/repositories.hpp"
#include "store/sql/sql_tx.hpp"

namespace onshi::store::sql {
namespace {

// 発行番号 hold no comma (C-00000001-01), so a comma-separated list keeps them apart.
std::string joined(const std::vector<std::string>& numbers) {
  std::string out;
  for (const auto& n : numbers) {
    if (!out.empty()) out.push_back(',');
    out.append(n);
  }
  return out;
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from <= text.size() && !text.empty()) {
    const auto comma = text.find(',', from);
    out.push_back(text.substr(from, comma == std::string::npos ? std::string::npos : comma - from));
    if (comma == std::string::npos) break;
    from = comma + 1;
  }
  return out;
}

}  // namespace

std::optional<RevocationRequestRecord> SqlCertificates::find_revocation_request(
    Id institution_id, const std::string& idempotency_key) {
  auto s = c_.prepare(
      "SELECT id, institution_id, account_id, idempotency_key, certificates, reason, requested_at "
      "FROM revocation_requests WHERE institution_id = ? AND idempotency_key = ?");
  s.bind_all(institution_id, idempotency_key);
  if (!s.step()) return std::nullopt;
  RevocationRequestRecord r;
  r.id = s.int64(0);
  r.institution_id = s.int64(1);
  r.account_id = s.int64(2);
  r.idempotency_key = s.text(3);
  r.certificates = split(s.text(4));
  r.reason = s.integer(5);
  r.requested_at = s.int64(6);
  s.run();
  return r;
}

bool SqlCertificates::try_insert_revocation_request(const RevocationRequestRecord& r) {
  auto s = c_.prepare(
      "INSERT INTO revocation_requests (institution_id, account_id, idempotency_key, "
      "certificates, reason, requested_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING "
      "RETURNING id");
  s.bind_all(r.institution_id, r.account_id, r.idempotency_key, joined(r.certificates), r.reason,
             r.requested_at);
  return s.step();
}

}  // namespace onshi::store::sql
