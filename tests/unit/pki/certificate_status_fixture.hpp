// The relying party's checks against a CA made in the test and an HTTP server on loopback that
// answers OCSP with the CA's own responder (OcspSigner) and serves CRLs the CA signed
// (CrlBuilder, sign_root_crl): the chain and its failures, OCSP good/revoked/unknown and the
// answers a client must not believe, CRLs with a delta that alone lists a revocation, the ARL,
// and StatusChecker's fallback and cache. The server notes whether each OCSP request carried a
// nonce (ocsp_nonces_), and the tests set the answers' nextUpdate and the delta's numbers.
#pragma once
#include "pki/certificate_status.hpp"

#include <map>

#include "http_test_server.hpp"
#include "pki/crl.hpp"
#include "pki/crl_encoder.hpp"
#include "pki/ocsp.hpp"
#include "pki/serial.hpp"
#include "pki_test_support.hpp"

namespace onshi::pki::test {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

inline std::string ossl_pem(const std::string& der) {
  const test::Cert cert = test::parse_der(der);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert.get());
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return pem;
}

struct Revocation {
  Clock::time_point at;
  int reason = 0;
};

class CertificateStatusTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<test::HttpTestServer>();
    dir_ = std::make_unique<test::TempDir>();
    CaSettings settings;
    settings.root_crl_url = server_->url("/root.crl");
    const auto now = Clock::now();
    init_ca(test::file_store(dir_->path()), settings, now - 24h);
    ca_ = IssuingCa::open(test::file_store(dir_->path()));
    ASSERT_TRUE(sign_root_crl(test::file_store(dir_->path()), std::nullopt, now).has_value());
    arl_ = test::read_text(dir_->path() / "root.crl");
    key_id_ = ca_->generations().front().key_id_hex;
    responder_ = issue_ocsp_responder(*ca_, key_id_, OcspResponderProfile{}, now - 1h);
    signer_ = OcspSigner::open(*ca_, responder_.der, responder_.sealed_private_key);
    TerminalProfile profile;
    profile.crl_url = server_->url("/issuing.crl");
    profile.delta_crl_url = server_->url("/issuing-delta.crl");
    profile.ocsp_url = server_->url("/ocsp");
    profile.ca_issuers_url = server_->url("/issuing.crt");
    terminal_ = ca_->issue(test::sample_subject(), test::spki_der(test::ec_key("P-256").get()),
                           profile, random_serial_hex(), now - 1h);
    root_pem_ = test::read_text(dir_->path() / "root.crt");
    issuing_der_ = ca_->generations().front().der;
    server_->handle(answer);
  }
  static void TearDownTestSuite() {
    server_.reset();
    signer_.reset();
    ca_.reset();
    dir_.reset();
  }
  void SetUp() override {
    const std::lock_guard lock(mutex_);
    ocsp_revoked_.clear();
    full_revoked_.clear();
    delta_revoked_.clear();
    ocsp_http_status_ = 200;
    crl_http_status_ = 200;
    arl_http_status_ = 200;
    drop_nonce_ = false;
    stale_ocsp_ = false;
    full_number_ = 10;
    delta_base_.reset();
    delta_number_.reset();
    delta_next_update_ = 3600s;
    ocsp_next_update_ = 3600s;
    ocsp_nonces_.clear();
  }

  // What the server answers; the test's settings above decide how.
  static test::HttpAnswer answer(const test::HttpExchange& ex) {
    const std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    if (ex.path == "/ocsp" && ex.method == "POST") {
      if (ocsp_http_status_ != 200) return {ocsp_http_status_, "text/plain", "down", "", 0};
      auto req = parse_ocsp_request(ex.body, 10);
      if (!req) return {400, "text/plain", "bad", "", 0};
      ocsp_nonces_.push_back(req->nonce.has_value());
      std::vector<OcspAnswer> answers;
      for (const auto& id : req->certs) {
        OcspAnswer a;
        a.cert_id_der = id.der;
        a.this_update = stale_ocsp_ ? now - 3h : now - 1min;
        a.next_update = stale_ocsp_ ? now - 1h : now + ocsp_next_update_;
        a.status =
            id.serial_hex == terminal_.serial_hex ? OcspCertStatus::good : OcspCertStatus::unknown;
        if (const auto it = ocsp_revoked_.find(id.serial_hex); it != ocsp_revoked_.end()) {
          a.status = OcspCertStatus::revoked;
          a.revoked_at = it->second.at;
          a.reason = it->second.reason;
        }
        answers.push_back(a);
      }
      const auto nonce = drop_nonce_ ? std::optional<std::string>() : req->nonce;
      return {200, "application/ocsp-response", signer_->sign(answers, nonce, now), "", 0};
    }
    if (ex.path == "/issuing.crl" || ex.path == "/issuing-delta.crl") {
      if (crl_http_status_ != 200) return {crl_http_status_, "text/plain", "down", "", 0};
      const bool delta = ex.path == "/issuing-delta.crl";
      CrlFields f;
      f.number = delta ? delta_number_.value_or(std::max(full_number_, delta_base_.value_or(0)) + 1)
                       : full_number_;
      if (delta) f.delta_base = delta_base_.value_or(full_number_);
      f.this_update = now - 1min;
      f.next_update = now + (delta ? delta_next_update_ : std::chrono::seconds(3600));
      f.distribution_point = server_->url("/issuing.crl");
      f.freshest_crl = server_->url("/issuing-delta.crl");
      CrlBuilder builder(*ca_, key_id_, f);
      for (const auto& [serial, r] : delta ? delta_revoked_ : full_revoked_)
        builder.add(CrlEntry{serial, r.at, r.reason, std::nullopt});
      return {200, "application/pkix-crl", builder.sign(), "", 0};
    }
    if (ex.path == "/root.crl") {
      if (arl_http_status_ != 200) return {arl_http_status_, "text/plain", "none", "", 0};
      return {200, "application/pkix-crl", revoked_arl_.empty() ? arl_ : revoked_arl_, "", 0};
    }
    return {404, "text/plain", "none", "", 0};
  }

  static std::vector<std::string> presented() { return {terminal_.der, issuing_der_}; }
  static TrustAnchors anchors() { return TrustAnchors(root_pem_); }
  static std::vector<std::string> verified_chain() {
    auto v = anchors().verify(presented(), Clock::now());
    EXPECT_TRUE(v.ok()) << v.detail;
    return v.chain;
  }
  static void set(const std::function<void()>& change) {
    const std::lock_guard lock(mutex_);
    change();
  }
  // Whether each OCSP request so far carried a nonce.
  static std::vector<bool> nonces_sent() {
    const std::lock_guard lock(mutex_);
    return ocsp_nonces_;
  }

  inline static std::unique_ptr<test::HttpTestServer> server_;
  inline static std::unique_ptr<test::TempDir> dir_;
  inline static std::unique_ptr<IssuingCa> ca_;
  inline static std::unique_ptr<OcspSigner> signer_;
  inline static OcspResponderCertificate responder_;
  inline static IssuedCertificate terminal_;
  inline static std::string key_id_, arl_, root_pem_, issuing_der_;
  inline static std::string revoked_arl_;  // served instead of arl_ when set
  inline static std::mutex mutex_;
  inline static std::map<std::string, Revocation> ocsp_revoked_, full_revoked_, delta_revoked_;
  inline static int ocsp_http_status_ = 200, crl_http_status_ = 200, arl_http_status_ = 200;
  inline static bool drop_nonce_ = false, stale_ocsp_ = false;
  inline static std::int64_t full_number_ = 10;
  inline static std::optional<std::int64_t> delta_base_;
  inline static std::optional<std::int64_t> delta_number_;  // the delta's own cRLNumber when set
  inline static std::chrono::seconds delta_next_update_{3600};
  // A current answer's nextUpdate, from the moment it is signed.
  inline static std::chrono::seconds ocsp_next_update_{3600};
  // Whether each OCSP request the server got carried a nonce, in the order received.
  inline static std::vector<bool> ocsp_nonces_;
};

}  // namespace onshi::pki::test
