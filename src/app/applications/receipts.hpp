#pragma once
// The one-page 申請受付票 a clinic prints after applying (「閉じる(1枚印刷)」).
#include <string>

#include "app/core/services.hpp"
#include "store/records.hpp"

namespace onshi::app {

// The receipt as PDF bytes. Its labels come from the message catalogue (receipt.*).
std::string certificate_receipt_pdf(const Services& s,
                                    const store::CertificateApplicationRecord& a);

}  // namespace onshi::app
