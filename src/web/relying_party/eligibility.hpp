#pragma once
// POST /eligibility: a demo 資格確認. A test 被保険者記号・番号 in, a fixed answer out, marked as
// test data, for the institution of the certificate that made the request.
#include "app/core/messages.hpp"
#include "pki/certificate_status.hpp"
#include "web/http.hpp"
#include "web/relying_party/rp_metrics.hpp"

namespace onshi::web::relying_party {

// `who` is the verified terminal; `result` is set to ok or bad_request.
Response eligibility(const Request& r, const pki::TerminalIdentity& who,
                     const app::Messages& messages, RequestResult& result);

}  // namespace onshi::web::relying_party
