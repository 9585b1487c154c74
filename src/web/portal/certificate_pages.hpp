#pragma once
// Shared by the two halves of the guide's step 3 in portal/: the form and its flow
// (certificate_application.cpp) and an application once sent (certificate_records.cpp); and by
// マイページ and the pages of the certificates issued (issued_certificates.cpp).
#include <string>
#include <string_view>

#include "app/core/failure.hpp"
#include "store/records.hpp"
#include "util/templates.hpp"
#include "web/site.hpp"

namespace onshi::app {
struct CheckedCertificateForm;
}

namespace onshi::web {

inline constexpr std::string_view kCertificateTitle = "電子証明書発行申請";

// 404 「申請が見つかりません」: also what another institution's number looks like.
Response certificate_not_found(Ctx& ctx);
// 404, or 409: the application is no longer in a state that allows what was asked.
Response certificate_refused(Ctx& ctx, const app::Failure& f);

// 発行申請成功, the detail page, the receipt and 取下げ.
void add_certificate_record_routes(Routes& routes);

// An issued certificate as マイページ's 電子証明書 lists it and its own page heads it: 端末,
// 発行番号, シリアル番号, 状況 today, 有効期間, 取得, ダウンロード回数 and the page's path.
// A revoked one's 状況 says 失効 with its date and reason (own_revocation.status_revoked).
util::TemplateData certificate_row_data(Ctx& ctx, const store::CertificateRow& c);
// /certificates/{発行番号}: the certificate's page and 受取を完了する (issued_certificates.cpp).
void add_issued_certificate_routes(Routes& routes);
// /certificates/revoke: 失効 of the institution's own certificates (revocation.cpp). Before the
// routes above, whose {発行番号} would take "revoke" for a number.
void add_revocation_routes(Routes& routes);
// マイページ「発行料・請求書」 and the invoices' PDF (billing.cpp).
void add_billing_page_routes(Routes& routes);

// What the certificate form and the renewal form share (application_form_parts.cpp), for the
// templates' partials/: the 市区町村 of `prefecture` with `municipality` selected and the text in
// front of 所在地; the お支払方法 radio buttons with `chosen` (a payment_method_name, empty for the
// default) checked; and the facts a confirmation page lists (partials/application_facts.html).
void set_address_choices(Ctx& ctx, util::TemplateData& d, int prefecture,
                         const std::string& municipality);
void set_payment_method_choices(Ctx& ctx, util::TemplateData& d, const std::string& chosen);
void set_application_facts(Ctx& ctx, util::TemplateData& d, const app::CheckedCertificateForm& c);

// /renewal: 更新申請 of the institution's certificates (renewal.cpp).
void add_renewal_routes(Routes& routes);

}  // namespace onshi::web
