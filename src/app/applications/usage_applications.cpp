#include "app/applications/usage_applications.hpp"
#include "app/core/dates_shown.hpp"

#include <fmt/format.h>

#include <charconv>

#include "app/core/form_values.hpp"
#include "app/core/keyed_write.hpp"
#include "app/core/outbox.hpp"
#include "domain/calendar_date.hpp"
#include "domain/network_line.hpp"
#include "domain/phone_number.hpp"
#include "domain/usage_application.hpp"
#include "util/clock.hpp"
#include "util/secrets.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace {

constexpr int kMaxTerminals = 99;
// The planned start may be at most this far ahead; further is almost surely a typo.
constexpr int kMaxStartYearsAhead = 2;

}  // namespace

std::expected<CheckedUsageForm, FieldErrors> check_usage_form(const Services& s,
                                                              const UsageForm& form) {
  FieldErrors errors;
  CheckedUsageForm out;
  const auto line = domain::parse_line_key(form.line_type);
  if (!line) {
    errors.push_back({"line_type", "line_type.empty"});
  } else {
    out.line_type = std::string(domain::line_key(*line));
    auto id = domain::customer_id_for_line(*line, form.customer_id);
    if (id) {
      out.customer_id = *id;
    } else if (id.error().line_error) {
      errors.push_back({"customer_id", std::string(domain::error_key(*id.error().line_error))});
    } else {
      errors.push_back({"customer_id", std::string(domain::error_key(*id.error().format_error))});
    }
  }
  if (util::trim(form.start_date).empty()) {
    errors.push_back({"start_date", "start_date.empty"});
  } else if (auto date = domain::parse_date(form.start_date); !date) {
    errors.push_back({"start_date", std::string(domain::error_key(date.error()))});
  } else {
    const auto today = std::chrono::sys_days{today_in_japan(s)};
    const auto latest = today + std::chrono::days{366 * kMaxStartYearsAhead};
    // A change application keeps the date usage began, which is usually past by then.
    if (form.changes.empty() && std::chrono::sys_days{*date} < today) {
      errors.push_back({"start_date", "start_date.past"});
    } else if (std::chrono::sys_days{*date} > latest) {
      errors.push_back({"start_date", "start_date.too_far"});
    } else {
      out.start_date = domain::format_date(*date);
    }
  }
  if (auto n = count_in_range(form.terminals, "terminals", 1, kMaxTerminals)) {
    out.terminals = *n;
  } else {
    errors.push_back({"terminals", n.error()});
  }
  if (auto v = plain_text(form.vendor_name, "vendor_name")) {
    out.vendor_name = *v;
  } else {
    errors.push_back({"vendor_name", v.error()});
  }
  if (auto v = plain_text(form.vendor_contact, "vendor_contact")) {
    out.vendor_contact = *v;
  } else {
    errors.push_back({"vendor_contact", v.error()});
  }
  if (auto phone = domain::PhoneNumber::parse(form.vendor_phone)) {
    out.vendor_phone = phone->formatted();
  } else {
    errors.push_back({"vendor_phone", std::string(domain::error_key(phone.error()))});
  }
  if (!errors.empty()) return std::unexpected(std::move(errors));
  // 入力中 → 確認 through the one function that may change the state.
  if (!domain::confirm(domain::UsageApplicationState::editing))
    throw std::logic_error("confirm refused");
  return out;
}

Result<FinalizedUsage> finalize_usage_application(const Services& s, const SessionUser& user,
                                                  const UsageForm& form) {
  auto checked = check_usage_form(s, form);
  if (!checked) return std::unexpected(Failure::invalid(checked.error()));
  const std::string key = idempotency_key_of(form.idempotency_key);
  const auto refused = [](FailureCode code, const char* message) {
    return Result<FinalizedUsage>(std::unexpected(Failure::of(code, message)));
  };
  return write_once_per_key(s.db, [&](store::WriteTx& tx) -> Result<FinalizedUsage> {
    if (auto earlier =
            tx.usage_applications().find_usage_application_by_key(user.institution.id, key)) {
      return FinalizedUsage{*earlier, true};
    }
    const auto history = tx.usage_applications().usage_applications_of(user.institution.id);
    store::UsageApplicationRecord record;
    if (form.changes.empty()) {
      if (!history.empty()) return refused(FailureCode::conflict, "usage.already_started");
      domain::start_usage_application();
    } else {
      auto target =
          tx.usage_applications().find_usage_application(user.institution.id, form.changes);
      // Another institution's number looks exactly like one that does not exist.
      if (!target) return refused(FailureCode::not_found, "usage.not_found");
      if (history.front().id != target->id ||
          !domain::start_change_application(target->id, domain::UsageApplicationState::finalized)) {
        return refused(FailureCode::conflict, "usage.already_changed");
      }
      record.version = target->version + 1;
      record.changes_id = target->id;
    }
    if (!domain::finalize(domain::UsageApplicationState::confirming))
      throw std::logic_error("finalize refused");
    const auto now = s.now_ms();
    record.institution_id = user.institution.id;
    record.account_id = user.account.id;
    record.line_type = checked->line_type;
    record.customer_id = checked->customer_id;
    record.start_date = checked->start_date;
    record.terminals = checked->terminals;
    record.vendor_name = checked->vendor_name;
    record.vendor_contact = checked->vendor_contact;
    record.vendor_phone = checked->vendor_phone;
    record.idempotency_key = key;
    record.finalized_at = now;
    const auto saved = tx.usage_applications().insert_usage_application(record);

    util::TemplateData d;
    d.set("institution_name", user.institution.name);
    d.set("number", saved.number);
    d.set("kind", s.messages.get(saved.changes_id ? "usage.kind.change" : "usage.kind.first"));
    d.set("line_type", s.messages.get("line_type." + saved.line_type));
    d.set("customer_id",
          saved.customer_id.empty() ? s.messages.get("usage.no_customer_id") : saved.customer_id);
    d.set("start_date", date_shown(s.messages, saved.start_date));
    d.set("terminals", std::to_string(saved.terminals));
    d.set("vendor_name", saved.vendor_name);
    d.set("vendor_contact", saved.vendor_contact);
    d.set("vendor_phone", saved.vendor_phone);
    d.set("finalized_at", time_shown(s.messages, now));
    enqueue_mail(s, tx, user.account.email, "usage_application_accepted", d);
    tx.audit().append_audit(
        {fmt::format("account:{}", user.account.id),
         saved.changes_id ? "usage_application.change" : "usage_application.finalize", saved.number,
         audit_detail({{"line_type", saved.line_type},
                       {"customer_id", saved.customer_id},
                       {"start_date", saved.start_date},
                       {"terminals", std::to_string(saved.terminals)}})},
        now);
    return FinalizedUsage{saved, false};
  });
}

std::vector<store::UsageApplicationRecord> usage_history(const Services& s,
                                                         store::Id institution_id) {
  std::vector<store::UsageApplicationRecord> out;
  s.db.read([&](store::ReadTx& tx) {
    out = tx.usage_applications().usage_applications_of(institution_id);
  });
  return out;
}

std::optional<store::UsageApplicationRecord> find_usage_application(const Services& s,
                                                                    store::Id institution_id,
                                                                    const std::string& number) {
  std::optional<store::UsageApplicationRecord> out;
  s.db.read([&](store::ReadTx& tx) {
    out = tx.usage_applications().find_usage_application(institution_id, number);
  });
  return out;
}

UsageForm usage_form_for(const Services& s, store::Id institution_id) {
  UsageForm f;
  f.idempotency_key = util::random_token();
  const auto history = usage_history(s, institution_id);
  if (history.empty()) return f;
  const auto& latest = history.front();
  f.line_type = latest.line_type;
  f.customer_id = latest.customer_id;
  f.start_date = latest.start_date;
  f.terminals = std::to_string(latest.terminals);
  f.vendor_name = latest.vendor_name;
  f.vendor_contact = latest.vendor_contact;
  f.vendor_phone = latest.vendor_phone;
  f.changes = latest.number;
  return f;
}

}  // namespace onshi::app
