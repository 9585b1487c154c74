#include <fmt/format.h>

#include "store/sql/repositories.hpp"
#include "store/sql/sql_tx.hpp"

namespace onshi::store::sql {

namespace {

constexpr std::string_view kColumns =
    "id, institution_id, account_id, usage_application_id, number, classification, prefecture, "
    "municipality_code, institution_code, institution_name, department, contact_name, phone, "
    "email, "
    "signature_name, certificates, fee_per_certificate, tax_rate_percent, subtotal_yen, tax_yen, "
    "total_yen, "
    "applied_on, expected_notice_on, status, status_note, idempotency_key, applied_at, updated_at, "
    "postal_code, address_line, approved_by, payment_method, kind";

}  // namespace

CertificateApplicationRecord read_certificate_application(const Statement& s) {
  CertificateApplicationRecord a;
  int i = 0;
  a.id = s.int64(i++);
  a.institution_id = s.int64(i++);
  a.account_id = s.int64(i++);
  a.usage_application_id = s.int64(i++);
  a.number = s.text(i++);
  a.classification = s.text(i++);
  a.prefecture = s.integer(i++);
  a.municipality_code = s.text(i++);
  a.institution_code = s.text(i++);
  a.institution_name = s.text(i++);
  a.department = s.text(i++);
  a.contact_name = s.text(i++);
  a.phone = s.text(i++);
  a.email = s.text(i++);
  a.signature_name = s.text(i++);
  a.certificates = s.integer(i++);
  a.fee_per_certificate = s.int64(i++);
  a.tax_rate_percent = s.integer(i++);
  a.subtotal_yen = s.int64(i++);
  a.tax_yen = s.int64(i++);
  a.total_yen = s.int64(i++);
  a.applied_on = s.text(i++);
  a.expected_notice_on = s.text(i++);
  a.status = parse_application_state(s.text(i++));
  a.status_note = s.text(i++);
  a.idempotency_key = s.text(i++);
  a.applied_at = s.int64(i++);
  a.updated_at = s.int64(i++);
  a.postal_code = s.text(i++);
  a.address_line = s.text(i++);
  if (!s.is_null(i)) a.approved_by = s.int64(i);
  ++i;
  a.payment_method = parse_payment_method(s.text(i++)).value_or(PaymentMethod::deduction);
  a.kind = s.text(i) == application_kind_name(ApplicationKind::renewal)
               ? ApplicationKind::renewal
               : ApplicationKind::new_certificates;
  return a;
}

std::string select_certificate_applications(std::string_view where) {
  return fmt::format("SELECT {} FROM certificate_applications WHERE {}", kColumns, where);
}

CertificateApplicationRecord SqlCertificateApplications::insert_certificate_application(
    const CertificateApplicationRecord& a) {
  // The id is the engine's; every other column is bound.
  CertificateApplicationRecord out = a;
  out.id =
      c_.prepare(fmt::format("INSERT INTO certificate_applications ({}) VALUES ({}) RETURNING id",
                             kColumns.substr(std::string_view("id, ").size()),
                             std::string_view(
                                 "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                 "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?")))
          .bind_all(a.institution_id, a.account_id, a.usage_application_id,
                    fmt::format("pending:{}:{}", a.institution_id, a.idempotency_key),
                    a.classification, a.prefecture, a.municipality_code, a.institution_code,
                    a.institution_name, a.department, a.contact_name, a.phone, a.email,
                    a.signature_name, a.certificates, a.fee_per_certificate, a.tax_rate_percent,
                    a.subtotal_yen, a.tax_yen, a.total_yen, a.applied_on, a.expected_notice_on,
                    text_of(a.status), a.status_note, a.idempotency_key, a.applied_at, a.updated_at,
                    a.postal_code, a.address_line, a.approved_by,
                    std::string(payment_method_name(a.payment_method)),
                    std::string(application_kind_name(a.kind)))
          .inserted_id();
  out.number = fmt::format("C-{:08d}", out.id);
  c_.prepare("UPDATE certificate_applications SET number = ? WHERE id = ?")
      .bind_all(out.number, out.id)
      .run();
  return out;
}

std::optional<CertificateApplicationRecord>
SqlCertificateApplications::find_certificate_application_by_key(Id institution_id,
                                                                const std::string& key) {
  static const std::string sql =
      select_certificate_applications("institution_id = ? AND idempotency_key = ?");
  auto s = c_.prepare(sql);
  s.bind_all(institution_id, key);
  if (!s.step()) return std::nullopt;
  return read_certificate_application(s);
}

std::optional<CertificateApplicationRecord>
SqlCertificateApplications::find_certificate_application(Id institution_id,
                                                         const std::string& number) {
  static const std::string sql =
      select_certificate_applications("institution_id = ? AND number = ?");
  auto s = c_.prepare(sql);
  s.bind_all(institution_id, number);
  if (!s.step()) return std::nullopt;
  return read_certificate_application(s);
}

std::vector<CertificateApplicationRecord> SqlCertificateApplications::certificate_applications_of(
    Id institution_id) {
  static const std::string sql =
      select_certificate_applications("institution_id = ? ORDER BY id DESC");
  auto s = c_.prepare(sql);
  s.bind_all(institution_id);
  std::vector<CertificateApplicationRecord> out;
  while (s.step()) out.push_back(read_certificate_application(s));
  return out;
}

bool SqlCertificateApplications::set_certificate_application_status(
    Id id, domain::CertificateApplicationState from, domain::CertificateApplicationState to,
    const std::string& note, Millis now) {
  return c_.prepare(
               "UPDATE certificate_applications SET status = ?, status_note = ?, updated_at = ? "
               "WHERE id "
               "= ? AND status = ?")
             .bind_all(text_of(to), note, now, id, text_of(from))
             .run() > 0;
}

bool SqlCertificateApplications::resubmit_certificate_application(
    const CertificateApplicationRecord& a) {
  return c_.prepare(
               "UPDATE certificate_applications SET classification = ?, prefecture = ?, "
               "municipality_code = ?, institution_code = ?, institution_name = ?, department = ?, "
               "contact_name = ?, phone = ?, email = ?, signature_name = ?, postal_code = ?, "
               "address_line = ?, certificates = ?, fee_per_certificate = ?, tax_rate_percent = ?, "
               "subtotal_yen = ?, tax_yen = ?, total_yen = ?, applied_on = ?, expected_notice_on = "
               "?, "
               "idempotency_key = ?, applied_at = ?, updated_at = ?, status = ?, status_note = '', "
               "payment_method = ? WHERE id = ? AND status = 'returned'")
             .bind_all(a.classification, a.prefecture, a.municipality_code, a.institution_code,
                       a.institution_name, a.department, a.contact_name, a.phone, a.email,
                       a.signature_name, a.postal_code, a.address_line, a.certificates,
                       a.fee_per_certificate, a.tax_rate_percent, a.subtotal_yen, a.tax_yen,
                       a.total_yen, a.applied_on, a.expected_notice_on, a.idempotency_key,
                       a.applied_at, a.updated_at, text_of(a.status),
                       std::string(payment_method_name(a.payment_method)), a.id)
             .run() > 0;
}

std::vector<CertificateApplicationRecord> SqlCertificateApplications::find_certificate_applications(
    const ApplicationFilter& f) {
  // Every condition is always present and switched off by its own parameter, so the SQL text (and
  // its cached statement) stays the same whatever the filter.
  // '' is no status: the list is never empty, and all of it is text as the column is.
  std::string statuses = "''";
  for (std::size_t i = 0; i < f.statuses.size(); ++i) statuses += fmt::format(", ?{}", 7 + i);
  const std::string sql = select_certificate_applications(fmt::format(
      "(?1 = 0 OR status IN ({})) AND (?2 = 0 OR prefecture = ?2) AND (?3 = '' OR applied_on >= "
      "?3) AND (?4 = '' OR applied_on <= ?4) AND (?5 = '' OR number = ?5) ORDER BY applied_at, "
      "id LIMIT ?6",
      statuses));
  auto s = c_.prepare(sql);
  s.bind(1, static_cast<std::int64_t>(f.statuses.size()))
      .bind(2, f.prefecture)
      .bind(3, f.applied_from)
      .bind(4, f.applied_to)
      .bind(5, f.number)
      .bind(6, f.limit);
  for (std::size_t i = 0; i < f.statuses.size(); ++i) {
    s.bind(static_cast<int>(7 + i), text_of(f.statuses[i]));
  }
  std::vector<CertificateApplicationRecord> out;
  while (s.step()) out.push_back(read_certificate_application(s));
  return out;
}

std::optional<CertificateApplicationRecord>
SqlCertificateApplications::find_certificate_application_by_number(const std::string& number) {
  static const std::string sql = select_certificate_applications("number = ?");
  auto s = c_.prepare(sql);
  s.bind_all(number);
  if (!s.step()) return std::nullopt;
  return read_certificate_application(s);
}

std::optional<CertificateApplicationRecord>
SqlCertificateApplications::find_certificate_application_by_id(Id id) {
  static const std::string sql = select_certificate_applications("id = ?");
  auto s = c_.prepare(sql);
  s.bind_all(id);
  if (!s.step()) return std::nullopt;
  return read_certificate_application(s);
}

void SqlCertificateApplications::set_certificate_application_approved_by(
    Id id, std::optional<Id> operator_id) {
  c_.prepare("UPDATE certificate_applications SET approved_by = ? WHERE id = ?")
      .bind_all(operator_id, id)
      .run();
}

std::vector<RenewalItem> SqlCertificateApplications::renewal_items(Id application_id) {
  auto s = c_.prepare(
      "SELECT application_id, position, certificate_id, issuance_number FROM renewal_items WHERE "
      "application_id = ? ORDER BY position");
  s.bind_all(application_id);
  std::vector<RenewalItem> out;
  while (s.step()) {
    RenewalItem r;
    r.application_id = s.int64(0);
    r.position = s.integer(1);
    r.certificate_id = s.int64(2);
    r.issuance_number = s.text(3);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::string> SqlCertificateApplications::numbers_being_renewed(Id institution_id) {
  auto s = c_.prepare(
      "SELECT DISTINCT r.issuance_number FROM renewal_items r JOIN certificate_applications a ON "
      "a.id = r.application_id WHERE a.institution_id = ? AND a.kind = 'renewal' AND a.status IN "
      "(?, ?, ?, ?) ORDER BY r.issuance_number");
  s.bind_all(institution_id, text_of(domain::CertificateApplicationState::applied),
             text_of(domain::CertificateApplicationState::under_review),
             text_of(domain::CertificateApplicationState::returned),
             text_of(domain::CertificateApplicationState::approved));
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

void SqlCertificateApplications::insert_renewal_item(const RenewalItem& item) {
  c_.prepare(
        "INSERT INTO renewal_items (application_id, position, certificate_id, issuance_number) "
        "VALUES (?, ?, ?, ?)")
      .bind_all(item.application_id, item.position, item.certificate_id, item.issuance_number)
      .run();
}

}  // namespace onshi::store::sql
