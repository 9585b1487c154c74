#include "app/applications/certificate_applications.hpp"
#include "app/core/dates_shown.hpp"

#include <fmt/format.h>

#include <charconv>

#include "app/applications/certificate_application_record.hpp"
#include "app/applications/mailing_address.hpp"
#include "app/core/form_values.hpp"
#include "app/core/keyed_write.hpp"
#include "app/core/outbox.hpp"
#include "domain/calendar_date.hpp"
#include "domain/certificate_application.hpp"
#include "domain/email.hpp"
#include "domain/institution_code.hpp"
#include "domain/institution_name.hpp"
#include "domain/phone_number.hpp"
#include "domain/postal_code.hpp"
#include "util/clock.hpp"
#include "util/secrets.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace {

constexpr int kNoticeBusinessDays = 5;

// The prefecture choice: a number the regions know, else nothing.
std::optional<int> prefecture_number(std::string_view typed) {
  auto n = count_in_range(typed, "prefecture", 1, 47);
  return n ? std::optional<int>(*n) : std::nullopt;
}

}  // namespace

const std::vector<std::string>& certificate_classifications() {
  static const std::vector<std::string> all = {"1", "2", "3"};
  return all;
}

NoticeEstimate notice_estimate(const Services& s) {
  const auto today = today_in_japan(s);
  const auto notice = s.reference.calendar.add_business_days(today, kNoticeBusinessDays);
  return {domain::format_date(today), notice ? domain::format_date(*notice) : std::string()};
}

std::expected<CheckedCertificateForm, FieldErrors> check_certificate_form(
    const Services& s, const SessionUser& user, const CertificateForm& form) {
  FieldErrors errors;
  CheckedCertificateForm out;
  const auto& classes = certificate_classifications();
  if (std::find(classes.begin(), classes.end(), form.classification) == classes.end()) {
    errors.push_back({"classification", "classification.empty"});
  } else {
    out.classification = form.classification;
  }
  const auto prefecture = prefecture_number(form.prefecture);
  if (!prefecture || !s.reference.regions.prefecture(*prefecture)) {
    errors.push_back({"prefecture", "prefecture.empty"});
  } else {
    out.prefecture = *prefecture;
    if (util::trim(form.municipality).empty()) {
      errors.push_back({"municipality", "municipality.empty"});
    } else if (auto m = s.reference.regions.validate(form.municipality, *prefecture); !m) {
      errors.push_back({"municipality", std::string(domain::error_key(m.error()))});
    } else {
      out.municipality_code = (*m)->code;
      out.municipality_name = (*m)->name;
    }
  }
  if (auto code = domain::InstitutionCode::parse(form.institution_code); !code) {
    errors.push_back({"institution_code", std::string(domain::error_key(code.error()))});
  } else if (code->digits() != user.institution.code) {
    // The certificate is for this account's institution; another code is a typo or a mix-up.
    errors.push_back({"institution_code", "certificate_form.code_mismatch"});
  } else {
    out.institution_code = code->digits();
    if (prefecture && code->prefecture() != *prefecture) {
      errors.push_back({"prefecture", "certificate_form.prefecture_mismatch"});
    }
  }
  if (auto name = domain::parse_institution_name(form.institution_name)) {
    out.institution_name = *name;
  } else {
    errors.push_back({"institution_name", std::string(domain::error_key(name.error()))});
  }
  if (auto v = plain_text(form.department, "department")) {
    out.department = *v;
  } else {
    errors.push_back({"department", v.error()});
  }
  if (auto v = plain_text(form.contact_name, "contact_name")) {
    out.contact_name = *v;
  } else {
    errors.push_back({"contact_name", v.error()});
  }
  if (auto phone = domain::PhoneNumber::parse(form.phone)) {
    out.phone = phone->formatted();
  } else {
    errors.push_back({"phone", std::string(domain::error_key(phone.error()))});
  }
  if (auto email = domain::parse_email(form.email)) {
    out.email = *email;
  } else {
    errors.push_back({"email", std::string(domain::error_key(email.error()))});
  }
  if (auto v = plain_text(form.signature_name, "signature_name")) {
    out.signature_name = *v;
  } else {
    errors.push_back({"signature_name", v.error()});
  }
  if (auto n =
          count_in_range(form.certificates, "certificates", 1, kMaxCertificatesPerApplication)) {
    out.certificates = *n;
  } else {
    errors.push_back({"certificates", n.error()});
  }
  // The real system's default is the deduction; a value no option has is a tampered form.
  if (const auto typed = util::trim(form.payment_method); typed.empty()) {
    out.payment_method = store::PaymentMethod::deduction;
  } else if (auto m = store::parse_payment_method(typed)) {
    out.payment_method = *m;
  } else {
    errors.push_back({"payment_method", "payment_method.invalid"});
  }
  // Where the notice letter goes by registered mail: the form's last card.
  if (auto code = domain::PostalCode::parse(form.postal_code)) {
    out.postal_code = code->digits();
  } else {
    errors.push_back({"postal_code", std::string(domain::error_key(code.error()))});
  }
  if (auto line = address_line_for(s, out.prefecture, out.municipality_code, form.address_line)) {
    out.address_line = *line;
  } else {
    errors.push_back(line.error());
  }
  // A postcode of another municipality sends the letter astray: the person picks which is wrong.
  // One the data does not know is let through, for the reviewer to check: a large hospital often
  // has a 事業所個別郵便番号 of its own, which Japan Post lists apart from KEN_ALL.
  if (!out.postal_code.empty() && !out.municipality_code.empty()) {
    if (auto mismatch = postcode_mismatch(s, out.postal_code, out.municipality_code);
        mismatch && mismatch->key != "mailing_address.unknown_postcode") {
      errors.push_back(*mismatch);
    }
  }
  if (!errors.empty()) return std::unexpected(std::move(errors));

  const auto today = today_in_japan(s);
  auto quote = s.reference.fees.quote(today, out.certificates);
  if (!quote)
    return std::unexpected(
        FieldErrors{{"certificates", std::string(domain::error_key(quote.error()))}});
  out.fee = *quote;
  const auto estimate = notice_estimate(s);
  out.applied_on = estimate.applied_on;
  out.expected_notice_on = estimate.expected_notice_on;
  return out;
}

void fill_from_form(store::CertificateApplicationRecord& r, const CheckedCertificateForm& checked) {
  r.classification = checked.classification;
  r.prefecture = checked.prefecture;
  r.municipality_code = checked.municipality_code;
  r.postal_code = checked.postal_code;
  r.address_line = checked.address_line;
  r.institution_code = checked.institution_code;
  r.institution_name = checked.institution_name;
  r.department = checked.department;
  r.contact_name = checked.contact_name;
  r.phone = checked.phone;
  r.email = checked.email;
  r.signature_name = checked.signature_name;
  r.certificates = checked.certificates;
  r.payment_method = checked.payment_method;
  r.fee_per_certificate = checked.fee.fee_per_certificate_yen;
  r.tax_rate_percent = checked.fee.tax_rate_percent;
  r.subtotal_yen = checked.fee.subtotal_yen;
  r.tax_yen = checked.fee.tax_yen;
  r.total_yen = checked.fee.total_yen;
  r.applied_on = checked.applied_on;
  r.expected_notice_on = checked.expected_notice_on;
}

void enqueue_acceptance_mail(const Services& s, store::WriteTx& tx, const SessionUser& user,
                             const store::CertificateApplicationRecord& a, store::Millis now,
                             bool resubmitted,
                             const std::vector<store::CertificateRecord>& renewed) {
  util::TemplateData d;
  d.set("institution_name", a.institution_name);
  d.set("contact_name", a.contact_name);
  d.set("number", a.number);
  d.set("applied_at", time_shown(s.messages, now));
  d.set("certificates", std::to_string(a.certificates));
  d.set("fee_per_certificate", util::group_thousands(a.fee_per_certificate));
  d.set("subtotal", util::group_thousands(a.subtotal_yen));
  d.set("tax", util::group_thousands(a.tax_yen));
  d.set("total", util::group_thousands(a.total_yen));
  d.set("expected_notice_on", date_shown(s.messages, a.expected_notice_on));
  d.set("mail_domain", s.config.mail_domain());
  d.set("resubmitted", resubmitted);
  d.set("renewal", a.kind == store::ApplicationKind::renewal);
  util::TemplateData list{util::TemplateData::type::list};
  for (const auto& c : renewed) {
    util::TemplateData item;
    item.set("issuance_number", c.issuance_number);
    item.set("terminal", c.terminal);
    item.set("not_after", time_shown(s.messages, c.not_after));
    list.push_back(item);
  }
  d.set("renewed", list);
  d.set("overlap_days", std::to_string(s.config.renewal_overlap_days));
  // To the address on the form (who handles the certificates) and, when different, the account.
  enqueue_mail(s, tx, a.email, "certificate_application_accepted", d);
  if (util::ascii_lower(a.email) != util::ascii_lower(user.account.email)) {
    enqueue_mail(s, tx, user.account.email, "certificate_application_accepted", d);
  }
}

Result<SubmittedCertificateApplication> submit_certificate_application(
    const Services& s, const SessionUser& user, const CertificateForm& form) {
  auto checked = check_certificate_form(s, user, form);
  if (!checked) return std::unexpected(Failure::invalid(checked.error()));
  const std::string key = idempotency_key_of(form.idempotency_key);
  return write_once_per_key(
      s.db, [&](store::WriteTx& tx) -> Result<SubmittedCertificateApplication> {
        if (auto earlier = tx.certificate_applications().find_certificate_application_by_key(
                user.institution.id, key)) {
          return SubmittedCertificateApplication{*earlier, true};
        }
        const auto usage = tx.usage_applications().usage_applications_of(user.institution.id);
        if (usage.empty()) {
          return std::unexpected(
              Failure::of(FailureCode::conflict, "certificate_form.no_usage_application"));
        }
        const auto now = s.now_ms();
        store::CertificateApplicationRecord r;
        r.institution_id = user.institution.id;
        r.account_id = user.account.id;
        r.usage_application_id = usage.front().id;
        fill_from_form(r, *checked);
        r.status = domain::CertificateApplicationState::applied;
        r.idempotency_key = key;
        r.applied_at = now;
        r.updated_at = now;
        const auto saved = tx.certificate_applications().insert_certificate_application(r);

        enqueue_acceptance_mail(s, tx, user, saved, now, false);
        tx.audit().append_audit(
            {fmt::format("account:{}", user.account.id), "certificate_application.apply",
             saved.number,
             audit_detail({{"certificates", std::to_string(saved.certificates)},
                           {"total_yen", std::to_string(saved.total_yen)},
                           {"payment_method", store::payment_method_name(saved.payment_method)},
                           {"expected_notice_on", saved.expected_notice_on}})},
            now);
        return SubmittedCertificateApplication{saved, false};
      });
}

std::optional<store::CertificateApplicationRecord> find_certificate_application(
    const Services& s, store::Id institution_id, const std::string& number) {
  std::optional<store::CertificateApplicationRecord> out;
  s.db.read([&](store::ReadTx& tx) {
    out = tx.certificate_applications().find_certificate_application(institution_id, number);
  });
  return out;
}

Result<> cancel_certificate_application(const Services& s, const SessionUser& user,
                                        const std::string& number) {
  return s.db.write([&](store::WriteTx& tx) -> Result<> {
    auto a =
        tx.certificate_applications().find_certificate_application(user.institution.id, number);
    if (!a)
      return std::unexpected(Failure::of(FailureCode::not_found, "certificate_form.not_found"));
    const auto to = domain::cancel(a->status);
    const auto now = s.now_ms();
    if (!to || !tx.certificate_applications().set_certificate_application_status(a->id, a->status,
                                                                                 *to, "", now)) {
      return std::unexpected(
          Failure::of(FailureCode::conflict, "certificate_form.too_late_to_cancel"));
    }
    tx.audit().append_audit({fmt::format("account:{}", user.account.id),
                             "certificate_application.cancel", a->number, "{}"},
                            now);
    return {};
  });
}

bool has_usage_application(const Services& s, store::Id institution_id) {
  bool found = false;
  s.db.read([&](store::ReadTx& tx) {
    found = !tx.usage_applications().usage_applications_of(institution_id).empty();
  });
  return found;
}

CertificateForm certificate_form_for(const Services& s, const SessionUser& user) {
  CertificateForm f;
  f.idempotency_key = util::random_token();
  f.classification = certificate_classifications()[1];  // "2" 医療機関等
  const auto code = domain::InstitutionCode::parse(user.institution.code);
  if (code) {
    f.prefecture = std::to_string(code->prefecture());
    f.institution_code = code->formatted();
  }
  f.institution_name = user.institution.name;
  f.email = user.account.email;
  f.signature_name = s.messages.get("certificate_form.default_signature_name");
  s.db.read([&](store::ReadTx& tx) {
    const auto usage = tx.usage_applications().usage_applications_of(user.institution.id);
    if (!usage.empty()) f.certificates = std::to_string(usage.front().terminals);
    // A clinic applying again keeps its own 担当, 市区町村 and address from its last application.
    const auto earlier =
        tx.certificate_applications().certificate_applications_of(user.institution.id);
    if (!earlier.empty()) {
      f.municipality = earlier.front().municipality_code;
      if (auto postal = domain::PostalCode::parse(earlier.front().postal_code)) {
        f.postal_code = postal->display();
      }
      f.address_line = earlier.front().address_line;
      f.department = earlier.front().department;
      f.contact_name = earlier.front().contact_name;
      f.phone = earlier.front().phone;
      f.email = earlier.front().email;
      f.signature_name = earlier.front().signature_name;
      f.payment_method = store::payment_method_name(earlier.front().payment_method);
    }
  });
  return f;
}

}  // namespace onshi::app
