// What an open pickup hands over: the PKCS#12 of a generated key, the chain of a CSR's
// certificate, or a certificate for the terminal's own CSR in place of the generated key. Each is
// made outside any transaction and handed over only once the transaction that records it
// commits, after checking that the pickup is still open.
#include <fmt/format.h>

#include <algorithm>

#include "app/ca/certificate_authority.hpp"
#include "app/ca/issuance.hpp"
#include "app/ca/pickup.hpp"
#include "app/ca/pickup_mail.hpp"
#include "app/ca/reissue.hpp"
#include "pki/certs_only.hpp"
#include "pki/csr.hpp"
#include "pki/issuing_ca.hpp"
#include "util/secrets.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace {

constexpr std::size_t kMinPasswordLength = 8;
constexpr std::size_t kMaxPasswordBytes = 1024;

std::string_view pkcs12_what(Pkcs12Choice f) {
  return f == Pkcs12Choice::standard ? "pkcs12-standard" : "pkcs12-compatible";
}

}  // namespace

Result<DownloadedFile> download_pkcs12(const Services& s, const PickupGrant& grant,
                                       const Pkcs12Request& request) {
  if (!s.ca) return std::unexpected(Failure::of(FailureCode::unavailable, "pickup.unavailable"));
  const auto& c = grant.certificate;
  if (!grant.generated_key() || !c.sealed_key)
    return std::unexpected(Failure::of(FailureCode::conflict, "pickup.not_generated"));
  FieldErrors errors;
  if (request.password.size() > kMaxPasswordBytes) {
    errors.push_back({"password", "pickup.password_long"});
  } else if (util::code_points(request.password) < kMinPasswordLength) {
    errors.push_back({"password", "pickup.password_short", {std::to_string(kMinPasswordLength)}});
  } else if (!normalize_pickup_code(request.password).empty() &&
             util::sha256_hex(normalize_pickup_code(request.password)) == c.pickup_code_hash) {
    errors.push_back({"password", "pickup.password_is_code"});
  } else if (request.password.find('\0') != std::string::npos) {
    errors.push_back({"password", "pkcs12.password_bad"});
  } else if (!std::ranges::all_of(request.password,
                                  [](char ch) { return ch >= 0x20 && ch < 0x7f; })) {
    // Java's PKCS#12 (keytool) takes only ASCII passwords (PBES2 refuses the key, "Password is
    // not ASCII", and the MAC does not match), and a terminal's import box may not take them.
    errors.push_back({"password", "pickup.password_ascii"});
  }
  if (errors.empty() && request.password_again != request.password)
    errors.push_back({"password_again", "pickup.password_mismatch"});
  if (!request.format) errors.push_back({"format", "pickup.format_missing"});
  if (!errors.empty()) return std::unexpected(Failure::invalid(std::move(errors)));

  const auto format = *request.format == Pkcs12Choice::standard
                          ? pki::IssuingCa::Pkcs12Format::standard
                          : pki::IssuingCa::Pkcs12Format::compatible;
  auto p12 = s.ca->issuing().make_pkcs12(c.der, *c.sealed_key, request.password, format);
  if (!p12) {
    return std::unexpected(Failure::invalid(
        {{"password", "pkcs12." + std::string(pki::IssuingCa::pkcs12_error_name(p12.error()))}}));
  }
  if (auto recorded = record_download_if_open(s, grant.certificate, pkcs12_what(*request.format),
                                              request.client_address);
      !recorded) {
    return std::unexpected(recorded.error());
  }
  return DownloadedFile{c.issuance_number + ".p12", "application/x-pkcs12", std::move(*p12)};
}

Result<DownloadedFile> download_chain(const Services& s, const PickupGrant& grant,
                                      ChainFormat format, std::string_view client_address) {
  if (!s.ca) return std::unexpected(Failure::of(FailureCode::unavailable, "pickup.unavailable"));
  const auto& c = grant.certificate;
  const auto issuing = s.ca->issuing().issuing_der();
  const auto root = s.ca->issuing().root_der();
  DownloadedFile f;
  std::string_view what;
  switch (format) {
    case ChainFormat::pem:
      f = {c.issuance_number + ".pem", "application/x-pem-file",
           pki::certificates_pem({c.der, issuing, root})};
      what = "pem";
      break;
    case ChainFormat::der:
      // .cer: the extension Windows opens as one DER certificate.
      f = {c.issuance_number + ".cer", "application/pkix-cert", c.der};
      what = "der";
      break;
    case ChainFormat::p7b:
      f = {c.issuance_number + ".p7b", "application/x-pkcs7-certificates",
           pki::certs_only_pkcs7({c.der, issuing, root})};
      what = "p7b";
      break;
  }
  if (auto recorded = record_download_if_open(s, grant.certificate, what, client_address);
      !recorded)
    return std::unexpected(recorded.error());
  return f;
}

Result<ReplacementResult> replace_with_csr(const Services& s, const PickupGrant& grant,
                                           std::string_view csr, std::string_view client_address,
                                           std::string_view what) {
  if (!grant.replaceable())
    return std::unexpected(Failure::of(FailureCode::conflict, "pickup.not_replaceable"));
  const auto checked = pki::check_csr(csr);
  if (!checked) {
    return std::unexpected(Failure::invalid(
        {{"csr", "csr." + std::string(pki::csr_error_name(checked.error()))}}, "pickup.bad_csr"));
  }
  auto issued =
      reissue_certificate(s, {grant.certificate, checked->public_key_der, ReissueKind::supersede,
                              "pickup", std::string(client_address), std::string(what)});
  if (!issued) return std::unexpected(issued.error());
  auto g = grant_for(s, *issued);
  return ReplacementResult{std::move(g), issued->der};
}

}  // namespace onshi::app
