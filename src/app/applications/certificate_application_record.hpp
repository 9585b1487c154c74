#pragma once
// Shared by the first submission and the 再申請 of a certificate application: the record's
// fields from a checked form, and the acceptance mail.
#include "app/accounts/accounts.hpp"
#include "app/applications/certificate_applications.hpp"
#include "store/database.hpp"

namespace onshi::app {

// Copies what the applicant typed (normalised), the fee and the dates into `r`.
void fill_from_form(store::CertificateApplicationRecord& r, const CheckedCertificateForm& checked);

// 電子証明書発行申請受付のお知らせ to the form's address and, when different, the account's; a
// renewal's lists the certificates it renews.
void enqueue_acceptance_mail(const Services& s, store::WriteTx& tx, const SessionUser& user,
                             const store::CertificateApplicationRecord& a, store::Millis now,
                             bool resubmitted,
                             const std::vector<store::CertificateRecord>& renewed = {});

}  // namespace onshi::app
