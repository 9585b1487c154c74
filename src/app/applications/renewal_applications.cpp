#include "app/applications/renewal_applications.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "app/applications/certificate_application_record.hpp"
#include "app/applications/mailing_address.hpp"
#include "app/core/form_values.hpp"
#include "app/core/keyed_write.hpp"
#include "app/core/outbox.hpp"
#include "domain/certificate_application.hpp"
#include "domain/certificate_state.hpp"
#include "domain/institution_code.hpp"
#include "domain/postal_code.hpp"
#include "util/secrets.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace {

constexpr store::Millis kDayMs = 86'400'000;

Failure no_previous_application() {
  return Failure::of(FailureCode::conflict, "renewal.no_previous_application");
}

bool window_open(store::Millis not_after, store::Millis now) {
  return now >= not_after - static_cast<store::Millis>(kRenewalWindowDays) * kDayMs;
}

// The application whose fixed fields (分類, 医療機関コード, 名称, 署名名称) a renewal carries on.
std::optional<store::CertificateApplicationRecord> last_application(store::ReadTx& tx,
                                                                    store::Id institution_id) {
  const auto all = tx.certificate_applications().certificate_applications_of(institution_id);
  if (all.empty()) return std::nullopt;
  return all.front();
}

CertificateForm base_form(const store::CertificateApplicationRecord& a, const RenewalForm& f) {
  CertificateForm out;
  out.classification = a.classification;
  out.prefecture = std::to_string(a.prefecture);
  out.municipality = f.municipality;
  out.postal_code = f.postal_code;
  out.address_line = f.address_line;
  out.institution_code = a.institution_code;
  out.institution_name = a.institution_name;
  out.department = f.department;
  out.contact_name = f.contact_name;
  out.phone = f.phone;
  out.email = f.email;
  out.signature_name = a.signature_name;
  out.certificates = std::to_string(f.certificates.size());
  out.idempotency_key = f.idempotency_key;
  out.payment_method = f.payment_method;
  return out;
}

// The chosen certificates as current now, or what is wrong with each: `being_renewed` are the
// numbers of renewal applications under way.
std::expected<std::vector<store::CertificateRecord>, FieldErrors> chosen_certificates(
    store::CertificatesReader& certs, store::Id institution_id,
    const std::vector<std::string>& numbers, const std::vector<std::string>& being_renewed,
    store::Millis now) {
  FieldErrors errors;
  std::vector<store::CertificateRecord> out;
  for (const auto& n : numbers) {
    const auto c = certs.find_current_certificate(n);
    const bool renewing = std::ranges::find(being_renewed, n) != being_renewed.end();
    if (!c || c->institution_id != institution_id || !in_renewal_window(*c, now) || renewing) {
      errors.push_back({"certificates", "renewal.not_renewable", {n}});
      continue;
    }
    out.push_back(*c);
  }
  if (numbers.empty()) errors.push_back({"certificates", "renewal.none_chosen"});
  if (!errors.empty()) return std::unexpected(std::move(errors));
  return out;
}

// A number chosen twice (a page posted with a hidden copy of a box) counts once.
RenewalForm without_repeats(const RenewalForm& f) {
  RenewalForm out = f;
  out.certificates.clear();
  for (const auto& n : f.certificates) {
    if (std::ranges::find(out.certificates, n) == out.certificates.end())
      out.certificates.push_back(n);
  }
  return out;
}

// The name and address on the new form are those of the application behind each certificate
// renewed: what the certificates certify and where their letters went still hold.
bool unchanged(store::CertificateApplicationsReader& apps,
               const std::vector<store::CertificateRecord>& certs,
               const CheckedCertificateForm& f) {
  for (const auto& c : certs) {
    const auto a = apps.find_certificate_application_by_id(c.application_id);
    if (!a || f.institution_name != a->institution_name || f.prefecture != a->prefecture ||
        f.municipality_code != a->municipality_code || f.postal_code != a->postal_code ||
        f.address_line != a->address_line)
      return false;
  }
  return !certs.empty();
}

// 申請済 -> 審査中 -> 承認 by nobody: the queue shows it 承認, ready for the issuer.
bool approve_automatically(store::WriteTx& tx, const store::CertificateApplicationRecord& a,
                           store::Millis now) {
  using State = domain::CertificateApplicationState;
  auto& apps = tx.certificate_applications();
  if (!apps.set_certificate_application_status(a.id, State::applied, State::under_review, "", now))
    return false;
  if (!apps.set_certificate_application_status(a.id, State::under_review, State::approved, "", now))
    return false;
  apps.set_certificate_application_approved_by(a.id, std::nullopt);
  tx.audit().append_audit({"system", "application.auto_approve", a.number,
                           audit_detail({{"kind", "renewal"},
                                         {"rule", "review.auto_approve_renewals"},
                                         {"why", "unchanged_institution"}})},
                          now);
  return true;
}

}  // namespace

bool in_renewal_window(const store::CertificateRecord& c, store::Millis now) {
  if (c.revoked_at || c.replaced_at) return false;
  if (c.status != domain::CertificateState::issued && c.status != domain::CertificateState::active)
    return false;
  return window_open(c.not_after, now);
}

bool in_renewal_window(const store::CertificateRow& c, store::Millis now) {
  if (c.revoked_at) return false;
  if (c.status != domain::CertificateState::issued && c.status != domain::CertificateState::active)
    return false;
  return window_open(c.not_after, now);
}

std::vector<store::CertificateRow> renewable_among(std::vector<store::CertificateRow> certificates,
                                                   const std::vector<std::string>& being_renewed,
                                                   store::Millis now) {
  std::erase_if(certificates, [&](const store::CertificateRow& c) {
    return !in_renewal_window(c, now) ||
           std::ranges::find(being_renewed, c.issuance_number) != being_renewed.end();
  });
  return certificates;
}

std::vector<store::CertificateRow> renewable_certificates(const Services& s,
                                                          store::Id institution_id) {
  return s.db.read([&](store::ReadTx& tx) {
    return renewable_among(tx.certificates().certificates_of(institution_id),
                           tx.certificate_applications().numbers_being_renewed(institution_id),
                           s.now_ms());
  });
}

std::optional<store::CertificateApplicationRecord> last_certificate_application(
    const Services& s, store::Id institution_id) {
  return s.db.read([&](store::ReadTx& tx) { return last_application(tx, institution_id); });
}

std::vector<store::RenewalItem> renewal_items_of(const Services& s, store::Id application_id) {
  return s.db.read([&](store::ReadTx& tx) {
    return tx.certificate_applications().renewal_items(application_id);
  });
}

Result<RenewalForm> renewal_form_for(const Services& s, const SessionUser& user) {
  const auto last = last_certificate_application(s, user.institution.id);
  if (!last) return std::unexpected(no_previous_application());
  RenewalForm f;
  for (const auto& c : renewable_certificates(s, user.institution.id))
    f.certificates.push_back(c.issuance_number);
  f.municipality = last->municipality_code;
  const auto postal = domain::PostalCode::parse(last->postal_code);
  f.postal_code = postal ? postal->display() : last->postal_code;
  f.address_line = last->address_line;
  f.department = last->department;
  f.contact_name = last->contact_name;
  f.phone = last->phone;
  f.email = last->email;
  f.payment_method = store::payment_method_name(last->payment_method);
  f.idempotency_key = util::random_token();
  return f;
}

FilledRenewalForm fill_renewal_from_postcode(const Services& s, const SessionUser& user,
                                             RenewalForm form) {
  const auto last = last_certificate_application(s, user.institution.id);
  auto found = postcode_address(s, form.postal_code);
  if (!found) return {std::move(form), {found.error()}};
  if (!last || found->prefecture != last->prefecture) {
    const auto* p = last ? s.reference.regions.prefecture(last->prefecture) : nullptr;
    return {std::move(form),
            {{"postal_code",
              "renewal.postcode_other_prefecture",
              {found->postal_code, found->prefecture_name, p ? p->name : ""}}}};
  }
  form.postal_code = found->postal_code;
  form.municipality = found->municipality_code;
  if (util::trim(form.address_line).empty() && found->towns.size() == 1) {
    form.address_line = found->towns.front();
  }
  return {std::move(form), {}};
}

Result<CheckedRenewal> check_renewal(const Services& s, const SessionUser& user,
                                     const RenewalForm& typed) {
  const auto form = without_repeats(typed);
  const auto now = s.now_ms();
  std::optional<store::CertificateApplicationRecord> last;
  std::expected<std::vector<store::CertificateRecord>, FieldErrors> certs;
  s.db.read([&](store::ReadTx& tx) {
    last = last_application(tx, user.institution.id);
    certs = chosen_certificates(
        tx.certificates(), user.institution.id, form.certificates,
        tx.certificate_applications().numbers_being_renewed(user.institution.id), now);
  });
  if (!last) return std::unexpected(no_previous_application());
  FieldErrors errors;
  if (!certs) errors = certs.error();
  // The count is checked by the certificate form too: none chosen is said once, by the list.
  auto base = base_form(*last, form);
  if (form.certificates.empty()) base.certificates = std::to_string(1);
  auto checked = check_certificate_form(s, user, base);
  if (!checked) {
    for (auto& e : checked.error()) {
      if (e.field != "certificates" || errors.empty()) errors.push_back(std::move(e));
    }
  }
  if (!errors.empty()) return std::unexpected(Failure::invalid(std::move(errors)));
  CheckedRenewal out;
  out.form = std::move(*checked);
  out.certificates = std::move(*certs);
  s.db.read([&](store::ReadTx& tx) {
    out.unchanged = unchanged(tx.certificate_applications(), out.certificates, out.form);
  });
  return out;
}

Result<SubmittedCertificateApplication> submit_renewal_application(const Services& s,
                                                                   const SessionUser& user,
                                                                   const RenewalForm& typed) {
  const auto form = without_repeats(typed);
  const std::string key = idempotency_key_of(form.idempotency_key);
  // Sent again (a double click, the back button): what the first one made, though its
  // certificates are no longer renewable now that it names them.
  if (auto earlier = s.db.read([&](store::ReadTx& tx) {
        return tx.certificate_applications().find_certificate_application_by_key(
            user.institution.id, key);
      })) {
    return SubmittedCertificateApplication{*earlier, true};
  }
  auto checked = check_renewal(s, user, form);
  if (!checked) return std::unexpected(checked.error());
  return write_once_per_key(
      s.db, [&](store::WriteTx& tx) -> Result<SubmittedCertificateApplication> {
        auto& apps = tx.certificate_applications();
        if (auto earlier = apps.find_certificate_application_by_key(user.institution.id, key)) {
          return SubmittedCertificateApplication{*earlier, true};
        }
        const auto now = s.now_ms();
        // Checked again here: another tab may have applied for the same certificates meanwhile.
        auto certs = chosen_certificates(tx.certificates(), user.institution.id, form.certificates,
                                         apps.numbers_being_renewed(user.institution.id), now);
        if (!certs) return std::unexpected(Failure::invalid(certs.error()));
        const auto last = last_application(tx, user.institution.id);
        const auto usage = tx.usage_applications().usage_applications_of(user.institution.id);
        if (!last || usage.empty()) return std::unexpected(no_previous_application());

        store::CertificateApplicationRecord r;
        r.institution_id = user.institution.id;
        r.account_id = user.account.id;
        r.usage_application_id = usage.front().id;
        fill_from_form(r, checked->form);
        r.kind = store::ApplicationKind::renewal;
        r.status = domain::CertificateApplicationState::applied;
        r.idempotency_key = key;
        r.applied_at = now;
        r.updated_at = now;
        auto saved = apps.insert_certificate_application(r);
        std::vector<std::string> numbers;
        int position = 0;
        for (const auto& c : *certs) {
          store::RenewalItem item;
          item.application_id = saved.id;
          item.position = ++position;
          item.certificate_id = c.id;
          item.issuance_number = c.issuance_number;
          apps.insert_renewal_item(item);
          numbers.push_back(c.issuance_number);
        }
        enqueue_acceptance_mail(s, tx, user, saved, now, false, *certs);
        tx.audit().append_audit(
            {fmt::format("account:{}", user.account.id), "certificate_application.apply",
             saved.number,
             audit_detail({{"kind", "renewal"},
                           {"certificates", std::to_string(saved.certificates)},
                           {"renews", fmt::format("{}", fmt::join(numbers, ","))},
                           {"total_yen", std::to_string(saved.total_yen)},
                           {"expected_notice_on", saved.expected_notice_on}})},
            now);
        if (s.config.auto_approve_renewals && unchanged(apps, *certs, checked->form) &&
            approve_automatically(tx, saved, now)) {
          saved.status = domain::CertificateApplicationState::approved;
        }
        return SubmittedCertificateApplication{saved, false};
      });
}

}  // namespace onshi::app
