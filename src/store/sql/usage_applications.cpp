#include <fmt/format.h>

#include "store/sql/repositories.hpp"
#include "store/sql/sql_tx.hpp"

namespace onshi::store::sql {

namespace {

constexpr std::string_view kUsageColumns =
    "id, institution_id, account_id, number, version, changes_id, line_type, customer_id, "
    "start_date, "
    "terminals, vendor_name, vendor_contact, vendor_phone, idempotency_key, finalized_at";

UsageApplicationRecord read_usage(const Statement& s) {
  UsageApplicationRecord a;
  a.id = s.int64(0);
  a.institution_id = s.int64(1);
  a.account_id = s.int64(2);
  a.number = s.text(3);
  a.version = s.integer(4);
  a.changes_id = s.optional_int64(5);
  a.line_type = s.text(6);
  a.customer_id = s.text(7);
  a.start_date = s.text(8);
  a.terminals = s.integer(9);
  a.vendor_name = s.text(10);
  a.vendor_contact = s.text(11);
  a.vendor_phone = s.text(12);
  a.idempotency_key = s.text(13);
  a.finalized_at = s.int64(14);
  return a;
}

std::string select_usage(std::string_view where) {
  return fmt::format("SELECT {} FROM usage_applications WHERE {}", kUsageColumns, where);
}

}  // namespace

UsageApplicationRecord SqlUsageApplications::insert_usage_application(
    const UsageApplicationRecord& a) {
  // The key is unique within the institution, so with it the row has a unique stand-in number
  // until it has its id.
  UsageApplicationRecord out = a;
  out.id = c_.prepare(
                 "INSERT INTO usage_applications (institution_id, account_id, number, version, "
                 "changes_id, "
                 "line_type, "
                 "customer_id, start_date, terminals, vendor_name, vendor_contact, vendor_phone, "
                 "idempotency_key, "
                 "finalized_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
               .bind_all(a.institution_id, a.account_id,
                         fmt::format("pending:{}:{}", a.institution_id, a.idempotency_key),
                         a.version, a.changes_id, a.line_type, a.customer_id, a.start_date,
                         a.terminals, a.vendor_name, a.vendor_contact, a.vendor_phone,
                         a.idempotency_key, a.finalized_at)
               .inserted_id();
  out.number = fmt::format("U-{:08d}", out.id);
  c_.prepare("UPDATE usage_applications SET number = ? WHERE id = ?")
      .bind_all(out.number, out.id)
      .run();
  return out;
}

std::optional<UsageApplicationRecord> SqlUsageApplications::find_usage_application_by_key(
    Id institution_id, const std::string& key) {
  static const std::string sql = select_usage("institution_id = ? AND idempotency_key = ?");
  auto s = c_.prepare(sql);
  s.bind_all(institution_id, key);
  if (!s.step()) return std::nullopt;
  return read_usage(s);
}

std::optional<UsageApplicationRecord> SqlUsageApplications::find_usage_application(
    Id institution_id, const std::string& number) {
  static const std::string sql = select_usage("institution_id = ? AND number = ?");
  auto s = c_.prepare(sql);
  s.bind_all(institution_id, number);
  if (!s.step()) return std::nullopt;
  return read_usage(s);
}

std::vector<UsageApplicationRecord> SqlUsageApplications::usage_applications_of(Id institution_id) {
  static const std::string sql = select_usage("institution_id = ? ORDER BY version DESC");
  auto s = c_.prepare(sql);
  s.bind_all(institution_id);
  std::vector<UsageApplicationRecord> out;
  while (s.step()) out.push_back(read_usage(s));
  return out;
}

}  // namespace onshi::store::sql
