// The delegated responder certificate (CPIPCS 7.1.4) and the responses it signs (7.3), read back
// by OpenSSL as a relying party reads them: OCSP_basic_verify against the CA, and the
// `openssl ocsp -respin` command.
#include <openssl/err.h>
#include <openssl/ocsp.h>

#include "pki/ocsp.hpp"
#include "pki/ossl.hpp"
#include "pki/serial.hpp"
#include "pki_test_support.hpp"
#include "support/error_of.hpp"

namespace onshi::pki {
namespace {

using onshi::test::error_of;
using namespace std::chrono_literals;
using test::day;
using test::run;
using test::write_text;

struct OcspRespFree {
  void operator()(OCSP_RESPONSE* p) const { OCSP_RESPONSE_free(p); }
};
struct BasicFree {
  void operator()(OCSP_BASICRESP* p) const { OCSP_BASICRESP_free(p); }
};

class OcspTest : public test::SuiteCaTest<OcspTest> {
 protected:
  static void SetUpTestSuite() {
    open_suite_ca();
    terminal_ = ca_->issue(test::sample_subject(), test::spki_der(test::ec_key("P-256").get()),
                           test::sample_profile(), random_serial_hex(), day(2025, 2, 1));
    responder_ = issue_ocsp_responder(*ca_, key_id(), OcspResponderProfile{}, now());
    signer_ = OcspSigner::open(*ca_, responder_.der, responder_.sealed_private_key);
    write_text(*dir_ / "terminal.pem", terminal_.pem);
  }
  static void TearDownTestSuite() {
    signer_.reset();
    SuiteCaTest::TearDownTestSuite();
  }
  static std::chrono::system_clock::time_point now() { return day(2025, 3, 1); }
  static std::string key_id() { return ca_->generations().front().key_id_hex; }

  static OcspAnswer answer(OcspCertStatus status, int reason = 0) {
    OcspAnswer a;
    a.cert_id_der = signer_->cert_id(OcspHash::sha1, terminal_.serial_hex);
    a.status = status;
    a.revoked_at = day(2025, 2, 20);
    a.reason = reason;
    a.this_update = now();
    a.next_update = now() + 12h;
    return a;
  }

  // The response parsed and verified by OpenSSL at `at`, as a client holding the root would.
  static std::unique_ptr<OCSP_BASICRESP, BasicFree> verified(const std::string& der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    std::unique_ptr<OCSP_RESPONSE, OcspRespFree> resp(
        d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
    EXPECT_TRUE(resp);
    if (!resp) return nullptr;
    EXPECT_EQ(OCSP_response_status(resp.get()), OCSP_RESPONSE_STATUS_SUCCESSFUL);
    std::unique_ptr<OCSP_BASICRESP, BasicFree> basic(OCSP_response_get1_basic(resp.get()));
    EXPECT_TRUE(basic);
    X509_STORE* store = X509_STORE_new();
    for (const char* name : {"root.crt", "issuing.crt"}) {
      test::Cert c(PEM_read_X509(fopen((*dir_ / name).c_str(), "r"), nullptr, nullptr, nullptr));
      X509_STORE_add_cert(store, c.get());
    }
    X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store),
                               std::chrono::system_clock::to_time_t(now()));
    EXPECT_EQ(OCSP_basic_verify(basic.get(), nullptr, store, 0), 1) << ossl_errors();
    X509_STORE_free(store);
    return basic;
  }
  static std::string ossl_errors() {
    std::string out;
    while (const unsigned long e = ERR_get_error()) out.append(ERR_error_string(e, nullptr));
    return out;
  }
  static OCSP_CERTID* terminal_id() {
    test::Cert cert = test::parse_der(terminal_.der);
    test::Cert issuer(
        PEM_read_X509(fopen((*dir_ / "issuing.crt").c_str(), "r"), nullptr, nullptr, nullptr));
    return OCSP_cert_to_id(EVP_sha1(), cert.get(), issuer.get());
  }

  inline static IssuedCertificate terminal_;
  inline static OcspResponderCertificate responder_;
  inline static std::unique_ptr<OcspSigner> signer_;
};

TEST_F(OcspTest, ResponderCertificateFollowsTheProfile) {
  test::Cert cert = test::parse_der(responder_.der);
  ASSERT_TRUE(cert);
  EXPECT_EQ(responder_.issuer_key_id_hex, key_id());
  EXPECT_EQ(authority_key_id_hex(responder_.der), key_id());
  EXPECT_EQ(responder_.not_before, now() - 1h) << "an hour's grace for slow clocks";
  EXPECT_EQ(responder_.not_after, now() + 24h * 7);
  EXPECT_EQ(X509_get_extended_key_usage(cert.get()), XKU_OCSP_SIGN);
  EXPECT_EQ(X509_get_key_usage(cert.get()), KU_DIGITAL_SIGNATURE);
  EXPECT_GE(X509_get_ext_by_NID(cert.get(), NID_id_pkix_OCSP_noCheck, -1), 0);
  EXPECT_EQ(X509_check_ca(cert.get()), 0);
  write_text(*dir_ / "responder.der", responder_.der);
  const auto shown =
      run("openssl x509 -inform DER -noout -text -in " + (*dir_ / "responder.der").string());
  EXPECT_NE(shown.output.find("OCSP Signing"), std::string::npos) << shown.output;
  EXPECT_NE(shown.output.find("OCSP No Check"), std::string::npos);
  EXPECT_NE(shown.output.find("Key Usage: critical"), std::string::npos);
  EXPECT_NE(shown.output.find("CA:FALSE"), std::string::npos);
  EXPECT_NE(shown.output.find("ASN1 OID: prime256v1"), std::string::npos);
  EXPECT_NE(shown.output.find("CN = onshi OCSP Responder"), std::string::npos);
  // A relying party verifies it to our root through the issuing CA, for OCSP signing.
  run("openssl x509 -inform DER -in " + (*dir_ / "responder.der").string() + " -out " +
      (*dir_ / "responder.pem").string());
  const auto v = run("openssl verify -purpose ocsphelper -attime " +
                     std::to_string(std::chrono::system_clock::to_time_t(now())) + " -CAfile " +
                     (*dir_ / "root.crt").string() + " -untrusted " +
                     (*dir_ / "issuing.crt").string() + " " + (*dir_ / "responder.pem").string());
  EXPECT_EQ(v.status, 0) << v.output;
}

TEST_F(OcspTest, SignerRefusesAKeyThatIsNotItsCertificates) {
  const auto other = issue_ocsp_responder(*ca_, key_id(), OcspResponderProfile{}, now());
  EXPECT_THROW(OcspSigner::open(*ca_, responder_.der, other.sealed_private_key),
               std::runtime_error);
  EXPECT_THROW(OcspSigner::open(*ca_, terminal_.der, responder_.sealed_private_key),
               std::runtime_error);
  EXPECT_THROW(issue_ocsp_responder(*ca_, "00ff", OcspResponderProfile{}, now()),
               std::invalid_argument);
}

TEST_F(OcspTest, GoodResponseVerifiesAgainstTheIssuingCa) {
  const auto basic = verified(signer_->sign({answer(OcspCertStatus::good)}, std::nullopt, now()));
  ASSERT_TRUE(basic);
  OCSP_CERTID* id = terminal_id();
  int status = -1, reason = -1;
  ASN1_GENERALIZEDTIME *revoked = nullptr, *this_update = nullptr, *next_update = nullptr;
  ASSERT_EQ(OCSP_resp_find_status(basic.get(), id, &status, &reason, &revoked, &this_update,
                                  &next_update),
            1);
  OCSP_CERTID_free(id);
  EXPECT_EQ(status, V_OCSP_CERTSTATUS_GOOD);
  EXPECT_EQ(ossl::to_time_point(this_update), now());
  EXPECT_EQ(ossl::to_time_point(next_update), now() + 12h);
  EXPECT_EQ(ossl::to_time_point(OCSP_resp_get0_produced_at(basic.get())), now());
  const ASN1_OCTET_STRING* by_key = nullptr;
  const X509_NAME* by_name = nullptr;
  ASSERT_EQ(OCSP_resp_get0_id(basic.get(), &by_key, &by_name), 1);
  EXPECT_NE(by_key, nullptr) << "responderID byKey";
  EXPECT_EQ(by_name, nullptr);
  EXPECT_EQ(sk_X509_num(OCSP_resp_get0_certs(basic.get())), 1) << "the responder certificate";
}

TEST_F(OcspTest, RevokedCarriesItsTimeAndReasonExceptUnspecified) {
  for (const int reason : {1, 0}) {
    const auto basic =
        verified(signer_->sign({answer(OcspCertStatus::revoked, reason)}, std::nullopt, now()));
    ASSERT_TRUE(basic);
    OCSP_CERTID* id = terminal_id();
    int status = -1, got_reason = -2;
    ASN1_GENERALIZEDTIME* revoked = nullptr;
    ASSERT_EQ(
        OCSP_resp_find_status(basic.get(), id, &status, &got_reason, &revoked, nullptr, nullptr),
        1);
    OCSP_CERTID_free(id);
    EXPECT_EQ(status, V_OCSP_CERTSTATUS_REVOKED);
    EXPECT_EQ(ossl::to_time_point(revoked), day(2025, 2, 20));
    EXPECT_EQ(got_reason, reason == 0 ? OCSP_REVOKED_STATUS_NOSTATUS : reason);
  }
}

TEST_F(OcspTest, NonceIsEchoedAsOpensslChecksIt) {
  OCSP_REQUEST* req = OCSP_REQUEST_new();
  ASSERT_NE(OCSP_request_add0_id(req, terminal_id()), nullptr);
  ASSERT_EQ(OCSP_request_add1_nonce(req, nullptr, 32), 1);
  unsigned char* buf = nullptr;
  const int len = i2d_OCSP_REQUEST(req, &buf);
  const std::string der(reinterpret_cast<char*>(buf), static_cast<std::size_t>(len));
  OPENSSL_free(buf);
  const auto parsed = parse_ocsp_request(der, 10);
  ASSERT_TRUE(parsed.has_value());
  ASSERT_TRUE(parsed->nonce.has_value());
  auto a = answer(OcspCertStatus::good);
  a.cert_id_der = parsed->certs[0].der;
  const auto basic = verified(signer_->sign({a}, parsed->nonce, now()));
  ASSERT_TRUE(basic);
  EXPECT_EQ(OCSP_check_nonce(req, basic.get()), 1);
  OCSP_REQUEST_free(req);
}

TEST_F(OcspTest, IssuerHashesNameTheGenerationOfARequest) {
  const auto issuers = ocsp_issuers(*ca_);
  ASSERT_EQ(issuers.size(), ca_->generations().size());
  const auto req = dir_->path() / "req.der";
  for (const char* digest : {"-sha1", "-sha256"}) {
    const auto r =
        run("openssl ocsp " + std::string(digest) + " -issuer " + (*dir_ / "issuing.crt").string() +
            " -cert " + (*dir_ / "terminal.pem").string() + " -no_nonce -reqout " + req.string());
    ASSERT_EQ(r.status, 0) << r.output;
    const auto parsed = parse_ocsp_request(test::read_text(req), 10);
    ASSERT_TRUE(parsed.has_value());
    const auto& id = parsed->certs.at(0);
    EXPECT_EQ(id.serial_hex, terminal_.serial_hex);
    const OcspIssuer* found = find_ocsp_issuer(issuers, id);
    ASSERT_NE(found, nullptr) << digest;
    EXPECT_EQ(found->key_id_hex, key_id());
    EXPECT_EQ(signer_->cert_id(digest == std::string("-sha1") ? OcspHash::sha1 : OcspHash::sha256,
                               id.serial_hex),
              id.der)
        << "the stored response's CertID is the one openssl sends";
  }
  // The root is another issuer.
  const auto r = run("openssl ocsp -issuer " + (*dir_ / "root.crt").string() +
                     " -serial 0x01 -no_nonce -reqout " + req.string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(find_ocsp_issuer(issuers, parse_ocsp_request(test::read_text(req), 10)->certs[0]),
            nullptr);
}

TEST_F(OcspTest, OpensslOcspReadsTheResponseAndTheErrors) {
  // `openssl ocsp` checks thisUpdate and nextUpdate against the real clock, whatever -attime.
  const auto real_now = std::chrono::system_clock::now();
  const auto fresh = issue_ocsp_responder(*ca_, key_id(), OcspResponderProfile{}, real_now);
  const auto signer = OcspSigner::open(*ca_, fresh.der, fresh.sealed_private_key);
  auto a = answer(OcspCertStatus::revoked, 1);
  a.this_update = std::chrono::floor<std::chrono::seconds>(real_now);
  a.next_update = a.this_update + 12h;
  const auto resp = dir_->path() / "resp.der";
  write_text(resp, signer->sign({a}, std::nullopt, a.this_update));
  std::string cmd = "openssl ocsp -respin ";
  cmd.append(resp.string()).append(" -issuer ").append((*dir_ / "issuing.crt").string());
  cmd.append(" -cert ").append((*dir_ / "terminal.pem").string()).append(" -CAfile ");
  cmd.append((*dir_ / "root.crt").string()).append(" -no_nonce -resp_text");
  const auto r = run(cmd);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("Response verify OK"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("terminal.pem: revoked"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Reason: keyCompromise"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Responder Id: "), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("WARNING"), std::string::npos) << r.output;

  write_text(resp, ocsp_error_response(OcspResponseStatus::malformed_request));
  const auto e = run("openssl ocsp -respin " + resp.string() + " -resp_text -noverify");
  EXPECT_NE(e.output.find("malformedrequest (1)"), std::string::npos) << e.output;
  write_text(resp, ocsp_error_response(OcspResponseStatus::unauthorized));
  const auto u = run("openssl ocsp -respin " + resp.string() + " -resp_text -noverify");
  EXPECT_NE(u.output.find("unauthorized (6)"), std::string::npos) << u.output;
}

TEST_F(OcspTest, ResponsesNeverOutliveTheResponder) {
  auto a = answer(OcspCertStatus::good);
  a.next_update = signer_->not_after() + 1s;
  EXPECT_THROW(signer_->sign({a}, std::nullopt, now()), std::invalid_argument);
  a.next_update = signer_->not_after();
  EXPECT_NO_THROW(signer_->sign({a}, std::nullopt, now()));
}

}  // namespace
}  // namespace onshi::pki
