#pragma once
// A new certificate for a terminal that has one: for the terminal's own key in place of an
// unused generated one (端末で作成した CSR を使う, EST simpleenroll: superseded), or for a new key
// by EST re-enrolment (renewed). Same 発行番号, terminal and subject, the next generation. The
// serial is reserved before signing and the signing runs outside any transaction, as issuance.cpp
// issues; the store step replaces the old one, inserts the new one (picked up at once: its holder
// has it), its download, audit, mail and (a renewal only: CPIPCS 9.1) its charge in one
// transaction.
#include <string>
#include <string_view>

#include "app/core/services.hpp"
#include "store/records.hpp"

namespace onshi::app {

enum class ReissueKind { supersede, renew };

struct ReissueRequest {
  store::CertificateRecord current;  // as read: the store step checks it is still current
  std::string public_key_der;        // checked by pki::check_csr, never certified before
  ReissueKind kind = ReissueKind::supersede;
  std::string actor;  // audit actor: "pickup", "est"
  std::string client_address;
  std::string what;  // the download's kind: csr, est-enroll, est-reenroll
};

// The new current certificate. conflict pickup.not_replaceable when the current one changed,
// was downloaded (supersede) or revoked meanwhile; invalid csr.duplicate_key for a key certified
// before; unavailable pickup.unavailable without a CA.
Result<store::CertificateRecord> reissue_certificate(const Services& s, const ReissueRequest& r);

}  // namespace onshi::app
