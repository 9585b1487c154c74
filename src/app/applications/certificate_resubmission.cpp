// 再申請: a 差戻し application corrected by the clinic and sent again under the same 申請番号.
#include <fmt/format.h>

#include "app/applications/certificate_application_record.hpp"
#include "app/applications/certificate_applications.hpp"
#include "app/core/form_values.hpp"
#include "app/core/outbox.hpp"
#include "domain/certificate_application.hpp"
#include "domain/institution_code.hpp"
#include "domain/postal_code.hpp"
#include "util/secrets.hpp"
#include "util/text.hpp"

namespace onshi::app {

namespace {

Failure not_found() {
  return Failure::of(FailureCode::not_found, "certificate_form.not_found");
}
Failure not_returned() {
  return Failure::of(FailureCode::conflict, "certificate_application.not_returned");
}

// A renewal names its certificates, which this form does not show: a returned one is withdrawn
// and applied for again from /renewal.
Failure renewal_not_correctable() {
  return Failure::of(FailureCode::conflict, "renewal.not_correctable");
}

}  // namespace

Result<CertificateForm> form_for_correction(const Services& s, const SessionUser& user,
                                            const std::string& number) {
  const auto a = s.db.read([&](store::ReadTx& tx) {
    return tx.certificate_applications().find_certificate_application(user.institution.id, number);
  });
  if (!a) return std::unexpected(not_found());
  if (a->kind == store::ApplicationKind::renewal) return std::unexpected(renewal_not_correctable());
  if (!domain::resubmit(a->status)) return std::unexpected(not_returned());
  CertificateForm f;
  f.classification = a->classification;
  f.prefecture = std::to_string(a->prefecture);
  f.municipality = a->municipality_code;
  const auto postal = domain::PostalCode::parse(a->postal_code);
  f.postal_code = postal ? postal->display() : a->postal_code;
  f.address_line = a->address_line;
  const auto code = domain::InstitutionCode::parse(a->institution_code);
  f.institution_code = code ? code->formatted() : a->institution_code;
  f.institution_name = a->institution_name;
  f.department = a->department;
  f.contact_name = a->contact_name;
  f.phone = a->phone;
  f.email = a->email;
  f.signature_name = a->signature_name;
  f.certificates = std::to_string(a->certificates);
  f.payment_method = store::payment_method_name(a->payment_method);
  f.idempotency_key = util::random_token();
  return f;
}

Result<SubmittedCertificateApplication> resubmit_certificate_application(
    const Services& s, const SessionUser& user, const std::string& number,
    const CertificateForm& form) {
  auto checked = check_certificate_form(s, user, form);
  if (!checked) return std::unexpected(Failure::invalid(checked.error()));
  const std::string key = idempotency_key_of(form.idempotency_key);
  return s.db.write([&](store::WriteTx& tx) -> Result<SubmittedCertificateApplication> {
    auto a =
        tx.certificate_applications().find_certificate_application(user.institution.id, number);
    if (!a) return std::unexpected(not_found());
    if (a->kind == store::ApplicationKind::renewal)
      return std::unexpected(renewal_not_correctable());
    // The same form sent twice (a double click): the first one did it.
    if (a->idempotency_key == key) return SubmittedCertificateApplication{*a, true};
    const auto to = domain::resubmit(a->status);
    if (!to || tx.certificate_applications().find_certificate_application_by_key(
                   user.institution.id, key)) {
      return std::unexpected(not_returned());
    }
    const auto now = s.now_ms();
    const std::string returned_note = a->status_note;
    fill_from_form(*a, *checked);
    a->status = *to;
    a->status_note.clear();
    a->idempotency_key = key;
    a->applied_at = now;
    a->updated_at = now;
    if (!tx.certificate_applications().resubmit_certificate_application(*a))
      return std::unexpected(not_returned());
    enqueue_acceptance_mail(s, tx, user, *a, now, true);
    tx.audit().append_audit(
        {fmt::format("account:{}", user.account.id), "certificate_application.resubmit", a->number,
         audit_detail({{"certificates", std::to_string(a->certificates)},
                       {"total_yen", std::to_string(a->total_yen)},
                       {"expected_notice_on", a->expected_notice_on},
                       {"returned_note", returned_note}})},
        now);
    return SubmittedCertificateApplication{*a, false};
  });
}

}  // namespace onshi::app
