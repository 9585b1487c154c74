// 有効期限のお知らせ (0018_expiry_reminders.sql). A reminder is recorded by one insert with ON
// CONFLICT DO NOTHING on (certificate_id, threshold_days), so that two nodes sweeping at once are
// serialised by the engine on that key: SQLite's single writer, or PostgreSQL's unique index, where
// the second insert waits for the first transaction and then stores nothing (or fails the
// SERIALIZABLE transaction, which Database::write runs again, to find the row there).
#include "store/sql/repositories.hpp"

namespace onshi::store::sql {
namespace {

// Still in use: 発行済 or 有効, never revoked, and its number's current generation: not replaced,
// and no newer generation of the number that is not revoked (a renewal issued and not yet picked
// up, before the old one is marked replaced). That newer one is reminded of in its turn.
constexpr std::string_view kInUse =
    "c.revoked_at IS NULL AND c.replaced_at IS NULL AND c.status IN (?1, ?2) AND "
    "c.not_after >= ?3 AND c.not_after < ?4 AND NOT EXISTS (SELECT 1 FROM certificates n "
    "WHERE n.issuance_number = c.issuance_number AND n.generation > c.generation AND "
    "n.revoked_at IS NULL)";

}  // namespace

std::vector<ExpiringCertificate> SqlReminders::expiring_certificates(Millis not_after_from,
                                                                     Millis not_after_before) {
  auto s = c_.prepare(
      "SELECT c.id, c.institution_id, c.application_id, c.issuance_number, c.terminal, "
      "c.serial_hex, c.subject, c.not_after, c.status, i.code, a.institution_name, "
      "a.contact_name, a.email, a.prefecture FROM certificates c "
      "JOIN institutions i ON i.id = c.institution_id "
      "JOIN certificate_applications a ON a.id = c.application_id WHERE " +
      std::string(kInUse) + " ORDER BY c.institution_id, c.not_after, c.issuance_number");
  s.bind_all(text_of(domain::CertificateState::issued), text_of(domain::CertificateState::active),
             not_after_from, not_after_before);
  std::vector<ExpiringCertificate> out;
  while (s.step()) {
    ExpiringCertificate e;
    e.certificate_id = s.int64(0);
    e.institution_id = s.int64(1);
    e.application_id = s.int64(2);
    e.issuance_number = s.text(3);
    e.terminal = s.text(4);
    e.serial_hex = s.text(5);
    e.subject = s.text(6);
    e.not_after = s.int64(7);
    e.status = parse_certificate_state(s.text(8));
    e.institution_code = s.text(9);
    e.institution_name = s.text(10);
    e.contact_name = s.text(11);
    e.contact_email = s.text(12);
    e.prefecture = s.integer(13);
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<ExpiryCount> SqlReminders::count_expiring(Millis not_after_from,
                                                      Millis not_after_before) {
  auto s = c_.prepare(
      "SELECT a.prefecture, count(*) FROM certificates c "
      "JOIN certificate_applications a ON a.id = c.application_id WHERE " +
      std::string(kInUse) + " GROUP BY a.prefecture ORDER BY a.prefecture");
  s.bind_all(text_of(domain::CertificateState::issued), text_of(domain::CertificateState::active),
             not_after_from, not_after_before);
  std::vector<ExpiryCount> out;
  while (s.step()) out.push_back({s.integer(0), s.int64(1)});
  return out;
}

std::vector<std::string> SqlReminders::account_addresses(Id institution_id) {
  auto s = c_.prepare(
      "SELECT email FROM accounts WHERE institution_id = ? AND verified_at IS NOT NULL AND "
      "disabled_at IS NULL ORDER BY id");
  s.bind_all(institution_id);
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

std::vector<int> SqlReminders::reminders_sent(Id certificate_id) {
  auto s = c_.prepare(
      "SELECT threshold_days FROM expiry_reminders WHERE certificate_id = ? "
      "ORDER BY sent_at, threshold_days DESC");
  s.bind_all(certificate_id);
  std::vector<int> out;
  while (s.step()) out.push_back(s.integer(0));
  return out;
}

bool SqlReminders::try_record_reminder(Id certificate_id, int threshold_days, Millis now) {
  auto s = c_.prepare(
      "INSERT INTO expiry_reminders (certificate_id, threshold_days, sent_at) VALUES (?, ?, ?) "
      "ON CONFLICT DO NOTHING RETURNING certificate_id");
  s.bind_all(certificate_id, threshold_days, now);
  return s.step();
}

}  // namespace onshi::store::sql
