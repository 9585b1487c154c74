// The issuing CA's full and delta CRLs (CPIPCS 7.2.1), encoded by hand in pki/crl_encoder.cpp and
// read back here by OpenSSL's own parser and by the openssl CLI, which trust nothing of ours.
#include "pki/crl.hpp"

#include "pki/serial.hpp"
#include "pki_test_support.hpp"

#include <gtest/gtest.h>

#include <openssl/x509v3.h>

namespace {

using namespace onshi::pki;
using namespace onshi::pki::test;
using std::chrono::hours;
using std::chrono::system_clock;

const std::string kCrlUrl = "https://onshi.example.jp/pki/crl/issuing.crl";
const std::string kDeltaUrl = "https://onshi.example.jp/pki/crl/issuing-delta.crl";

struct CrlFree {
  void operator()(X509_CRL* p) const { X509_CRL_free(p); }
};
using Crl = std::unique_ptr<X509_CRL, CrlFree>;

Crl parse_crl(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  Crl crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  EXPECT_EQ(p, reinterpret_cast<const unsigned char*>(der.data()) + der.size())
      << "the DER is exactly one CRL";
  return crl;
}

std::string octets(const ASN1_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
}

long integer_ext(const X509_CRL* crl, int nid, int* critical) {
  auto* v = static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl, nid, critical, nullptr));
  if (v == nullptr) return -1;
  const long n = ASN1_INTEGER_get(v);
  ASN1_INTEGER_free(v);
  return n;
}

std::string serial_of(const X509_REVOKED* r) {
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_REVOKED_get0_serialNumber(r), nullptr);
  char* hex = BN_bn2hex(bn);
  std::string out(hex);
  OPENSSL_free(hex);
  BN_free(bn);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class CrlTest : public SuiteCaTest<CrlTest> {
 protected:
  static void SetUpTestSuite() { open_suite_ca(); }

  static std::string key_id() { return ca_->generations().front().key_id_hex; }

  static CrlFields fields(std::int64_t number, std::optional<std::int64_t> base = std::nullopt) {
    CrlFields f;
    f.number = number;
    f.delta_base = base;
    f.this_update = day(2025, 4, 1);
    f.next_update = day(2025, 4, 2);
    f.distribution_point = kCrlUrl;
    f.freshest_crl = kDeltaUrl;
    return f;
  }

  // Three entries: keyCompromise with its date, unspecified, superseded with a high-bit serial.
  static std::string three_entry_crl(const CrlFields& f) {
    CrlBuilder b(*ca_, key_id(), f);
    b.add({"0a1b2c3d4e5f60718293a4b5c6d7e8f9", day(2025, 3, 1), 1, day(2025, 2, 27, 0, 0, 0)});
    b.add({"1234", day(2025, 3, 2), 0, std::nullopt});
    b.add({"ff00ff00ff00ff00", day(2025, 3, 3), 4, std::nullopt});
    EXPECT_EQ(b.entries(), 3u);
    return b.sign();
  }

  static std::string write_file(const std::string& name, const std::string& data) {
    const fs::path p = dir_->path() / name;
    write_text(p, data);
    return p.string();
  }
};

TEST_F(CrlTest, FullCrlSaysWhatTheProfileSays) {
  const std::string der = three_entry_crl(fields(7));
  Crl crl = parse_crl(der);
  ASSERT_TRUE(crl);
  Cert issuing = parse_der(ca_->issuing_der());
  EXPECT_EQ(X509_CRL_verify(crl.get(), X509_get0_pubkey(issuing.get())), 1);
  EXPECT_EQ(X509_CRL_get_version(crl.get()), 1) << "v2";
  EXPECT_EQ(X509_CRL_get_signature_nid(crl.get()), NID_ecdsa_with_SHA256);
  EXPECT_EQ(X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(issuing.get())), 0);
  EXPECT_EQ(ASN1_TIME_cmp_time_t(X509_CRL_get0_lastUpdate(crl.get()),
                                 system_clock::to_time_t(day(2025, 4, 1))),
            0);
  EXPECT_EQ(ASN1_TIME_cmp_time_t(X509_CRL_get0_nextUpdate(crl.get()),
                                 system_clock::to_time_t(day(2025, 4, 2))),
            0);

  int critical = -1;
  EXPECT_EQ(integer_ext(crl.get(), NID_crl_number, &critical), 7);
  EXPECT_EQ(critical, 0);
  EXPECT_EQ(integer_ext(crl.get(), NID_delta_crl, &critical), -1) << "a full CRL";

  auto* aki = static_cast<AUTHORITY_KEYID*>(
      X509_CRL_get_ext_d2i(crl.get(), NID_authority_key_identifier, &critical, nullptr));
  ASSERT_TRUE(aki && aki->keyid);
  EXPECT_EQ(critical, 0);
  EXPECT_EQ(octets(aki->keyid), octets(X509_get0_subject_key_id(issuing.get())));
  AUTHORITY_KEYID_free(aki);

  auto* idp = static_cast<ISSUING_DIST_POINT*>(
      X509_CRL_get_ext_d2i(crl.get(), NID_issuing_distribution_point, &critical, nullptr));
  ASSERT_TRUE(idp && idp->distpoint);
  EXPECT_EQ(critical, 1);
  EXPECT_EQ(idp->onlyuser, 0xff);
  EXPECT_EQ(idp->onlyCA, 0);
  ASSERT_EQ(idp->distpoint->type, 0);
  const GENERAL_NAME* name = sk_GENERAL_NAME_value(idp->distpoint->name.fullname, 0);
  ASSERT_EQ(name->type, GEN_URI);
  EXPECT_EQ(octets(name->d.uniformResourceIdentifier), kCrlUrl);
  ISSUING_DIST_POINT_free(idp);

  auto* fresh = static_cast<CRL_DIST_POINTS*>(
      X509_CRL_get_ext_d2i(crl.get(), NID_freshest_crl, &critical, nullptr));
  ASSERT_TRUE(fresh);
  EXPECT_EQ(critical, 0);
  const GENERAL_NAME* delta =
      sk_GENERAL_NAME_value(sk_DIST_POINT_value(fresh, 0)->distpoint->name.fullname, 0);
  EXPECT_EQ(octets(delta->d.uniformResourceIdentifier), kDeltaUrl);
  sk_DIST_POINT_pop_free(fresh, DIST_POINT_free);
}

TEST_F(CrlTest, EntriesKeepSerialDateReasonAndInvalidityDate) {
  Crl crl = parse_crl(three_entry_crl(fields(1)));
  ASSERT_TRUE(crl);
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
  ASSERT_EQ(sk_X509_REVOKED_num(revoked), 3);
  const X509_REVOKED* compromised = sk_X509_REVOKED_value(revoked, 0);
  const X509_REVOKED* unspecified = sk_X509_REVOKED_value(revoked, 1);
  const X509_REVOKED* superseded = sk_X509_REVOKED_value(revoked, 2);
  EXPECT_EQ(serial_of(compromised), "0a1b2c3d4e5f60718293a4b5c6d7e8f9");
  EXPECT_EQ(serial_of(unspecified), "1234");
  EXPECT_EQ(serial_of(superseded), "ff00ff00ff00ff00") << "positive: a zero octet in front";
  EXPECT_EQ(ASN1_TIME_cmp_time_t(X509_REVOKED_get0_revocationDate(compromised),
                                 system_clock::to_time_t(day(2025, 3, 1))),
            0);

  int critical = -1;
  auto* reason = static_cast<ASN1_ENUMERATED*>(
      X509_REVOKED_get_ext_d2i(compromised, NID_crl_reason, &critical, nullptr));
  ASSERT_TRUE(reason);
  EXPECT_EQ(ASN1_ENUMERATED_get(reason), 1);
  EXPECT_EQ(critical, 0);
  ASN1_ENUMERATED_free(reason);
  auto* since = static_cast<ASN1_GENERALIZEDTIME*>(
      X509_REVOKED_get_ext_d2i(compromised, NID_invalidity_date, &critical, nullptr));
  ASSERT_TRUE(since);
  EXPECT_EQ(ASN1_STRING_type(since), V_ASN1_GENERALIZEDTIME) << "RFC 5280 5.3.2";
  EXPECT_EQ(octets(since), "20250227000000Z");
  ASN1_GENERALIZEDTIME_free(since);

  EXPECT_EQ(X509_REVOKED_get_ext_count(unspecified), 0) << "unspecified gets no reasonCode";
  reason = static_cast<ASN1_ENUMERATED*>(
      X509_REVOKED_get_ext_d2i(superseded, NID_crl_reason, nullptr, nullptr));
  ASSERT_TRUE(reason);
  EXPECT_EQ(ASN1_ENUMERATED_get(reason), 4);
  ASN1_ENUMERATED_free(reason);
  EXPECT_EQ(X509_REVOKED_get_ext_count(superseded), 1);
}

TEST_F(CrlTest, DeltaCrlNamesItsBaseCriticallyAndTheSameScope) {
  Crl crl = parse_crl(three_entry_crl(fields(8, 5)));
  ASSERT_TRUE(crl);
  int critical = -1;
  EXPECT_EQ(integer_ext(crl.get(), NID_delta_crl, &critical), 5);
  EXPECT_EQ(critical, 1);
  EXPECT_EQ(integer_ext(crl.get(), NID_crl_number, &critical), 8);
  EXPECT_EQ(X509_CRL_get_ext_by_NID(crl.get(), NID_freshest_crl, -1), -1)
      << "freshestCRL is for complete CRLs only (RFC 5280 5.2.6)";
  auto* idp = static_cast<ISSUING_DIST_POINT*>(
      X509_CRL_get_ext_d2i(crl.get(), NID_issuing_distribution_point, &critical, nullptr));
  ASSERT_TRUE(idp);
  EXPECT_EQ(critical, 1);
  EXPECT_EQ(idp->onlyuser, 0xff);
  ISSUING_DIST_POINT_free(idp);
}

TEST_F(CrlTest, OpensslCliReadsAndVerifiesIt) {
  const std::string full = write_file("full.crl", three_entry_crl(fields(3)));
  const std::string issuing = (dir_->path() / "issuing.crt").string();
  auto r = run("openssl crl -inform DER -in " + full + " -noout -text -CAfile " + issuing);
  ASSERT_EQ(r.status, 0) << r.output;
  for (const char* line :
       {"verify OK", "Version 2 (0x1)", "X509v3 CRL Number: \n                3",
        "X509v3 Issuing Distribution Point: critical", "Only User Certificates",
        "URI:https://onshi.example.jp/pki/crl/issuing.crl",
        "X509v3 Freshest CRL:", "URI:https://onshi.example.jp/pki/crl/issuing-delta.crl",
        "Serial Number: 0A1B2C3D4E5F60718293A4B5C6D7E8F9", "Key Compromise",
        "Invalidity Date: \n                Feb 27 00:00:00 2025 GMT", "Serial Number: 1234",
        "Superseded", "Serial Number: FF00FF00FF00FF00"}) {
    EXPECT_NE(r.output.find(line), std::string::npos) << line << "\n" << r.output;
  }
  const std::string delta = write_file("delta.crl", three_entry_crl(fields(4, 3)));
  r = run("openssl crl -inform DER -in " + delta + " -noout -text");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("X509v3 Delta CRL Indicator: critical\n                3"),
            std::string::npos)
      << r.output;
}

TEST_F(CrlTest, WithoutEntriesTheListIsAbsentNotEmpty) {
  CrlBuilder b(*ca_, key_id(), fields(2));
  const std::string der = b.sign();
  const auto r =
      run("openssl crl -inform DER -in " + write_file("empty.crl", der) + " -noout -text");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("No Revoked Certificates."), std::string::npos) << r.output;
  const auto summary = summarize_crl(der);
  EXPECT_EQ(summary.entries, 0u);
  EXPECT_EQ(summary.number, 2);
  EXPECT_FALSE(summary.delta_base);
  EXPECT_EQ(summary.this_update, day(2025, 4, 1));
  EXPECT_EQ(summary.next_update, day(2025, 4, 2));
  EXPECT_EQ(summary.issuer, "CN=onshi Issuing CA G1,O=onshi,C=JP");
}

// Long-form lengths at every level: 20,000 entries make a list of more than 64 KiB.
TEST_F(CrlTest, ManyEntriesAllComeBack) {
  CrlBuilder b(*ca_, key_id(), fields(9));
  b.reserve(20'000);
  std::vector<std::string> serials;
  for (int i = 0; i < 20'000; ++i) serials.push_back(random_serial_hex());
  for (const auto& s : serials) b.add({s, day(2025, 3, 1), 5, std::nullopt});
  const std::string der = b.sign();
  EXPECT_GT(der.size(), 65'536u);
  Crl crl = parse_crl(der);
  ASSERT_TRUE(crl);
  Cert issuing = parse_der(ca_->issuing_der());
  EXPECT_EQ(X509_CRL_verify(crl.get(), X509_get0_pubkey(issuing.get())), 1);
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
  ASSERT_EQ(sk_X509_REVOKED_num(revoked), 20'000);
  EXPECT_EQ(serial_of(sk_X509_REVOKED_value(revoked, 12'345)), serials[12'345]);
}

TEST_F(CrlTest, RevokedCertificateFailsOpensslVerifyAndAnotherPasses) {
  const auto revoked = ca_->issue(sample_subject(), spki_der(ec_key("P-256").get()),
                                  sample_profile(), random_serial_hex(), day(2025, 3, 1));
  const auto good = ca_->issue(sample_subject(), spki_der(ec_key("P-256").get()), sample_profile(),
                               random_serial_hex(), day(2025, 3, 1));
  CrlBuilder b(*ca_, key_id(), fields(11));
  b.add({revoked.serial_hex, day(2025, 3, 20), 1, std::nullopt});
  Crl crl = parse_crl(b.sign());
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509_CRL(bio, crl.get());
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(bio, &mem);
  const std::string crl_file = write_file("verify.crl.pem", std::string(mem->data, mem->length));
  BIO_free(bio);
  const auto at = std::to_string(system_clock::to_time_t(day(2025, 4, 1, 12)));
  auto verify = [&](const IssuedCertificate& c) {
    return run("openssl verify -crl_check -attime " + at + " -CAfile " +
               (dir_->path() / "root.crt").string() + " -untrusted " +
               (dir_->path() / "issuing.crt").string() + " -CRLfile " + crl_file + " " +
               write_file("leaf.pem", c.pem));
  };
  const auto refused = verify(revoked);
  EXPECT_NE(refused.status, 0);
  EXPECT_NE(refused.output.find("certificate revoked"), std::string::npos) << refused.output;
  const auto passed = verify(good);
  EXPECT_EQ(passed.status, 0) << passed.output;
}

TEST_F(CrlTest, RefusesWhatNoCrlCanSay) {
  EXPECT_THROW(CrlBuilder(*ca_, "00ff", fields(1)), std::invalid_argument) << "no such CA";
  CrlFields backwards = fields(1);
  backwards.next_update = backwards.this_update;
  EXPECT_THROW(CrlBuilder(*ca_, key_id(), backwards), std::invalid_argument);
  EXPECT_THROW(CrlBuilder(*ca_, key_id(), fields(3, 3)), std::invalid_argument)
      << "a delta's base comes before it";
  CrlFields nowhere = fields(1);
  nowhere.distribution_point.clear();
  EXPECT_THROW(CrlBuilder(*ca_, key_id(), nowhere), std::invalid_argument);
  CrlBuilder b(*ca_, key_id(), fields(1));
  for (const char* bad : {"", "00", "xyz", "123456789012345678901234567890123456789012"})
    EXPECT_THROW(b.add({bad, day(2025, 3, 1), 1, std::nullopt}), std::invalid_argument) << bad;
  EXPECT_THROW(b.add({"12", day(2025, 3, 1), 7, std::nullopt}), std::invalid_argument)
      << "7 is no CRLReason";
  EXPECT_EQ(b.entries(), 0u);
}

}  // namespace
