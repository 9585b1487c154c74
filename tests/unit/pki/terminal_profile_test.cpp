// The terminal certificate profile of CPIPCS 7.1.1, read back with OpenSSL and the openssl CLI.
#include "pki/terminal_profile.hpp"

#include "pki/csr.hpp"
#include "pki/serial.hpp"
#include "pki_test_support.hpp"

#include <gtest/gtest.h>

#include <openssl/obj_mac.h>

#include <cctype>
#include <thread>
#include <vector>

namespace {

using namespace onshi::pki;
using namespace onshi::pki::test;
using std::chrono::system_clock;

class TerminalProfileTest : public SuiteCaTest<TerminalProfileTest> {
 protected:
  static void SetUpTestSuite() {
    CaSettings s;
    s.root_crl_url = "https://onshi.example.jp/pki/crl/root.crl";
    s.root_ca_issuers_url = "https://onshi.example.jp/pki/ca/root.crt";
    open_suite_ca(s);
  }
  static IssuedCertificate issue_now(const std::string& spki, system_clock::time_point now,
                                     const TerminalProfile& profile = sample_profile()) {
    return ca_->issue(sample_subject(), spki, profile, random_serial_hex(), now);
  }
  static std::string p256() { return spki_der(ec_key("P-256").get()); }
};

X509_EXTENSION* ext(const X509* cert, int nid) {
  const int i = X509_get_ext_by_NID(cert, nid, -1);
  return i < 0 ? nullptr : X509_get_ext(cert, i);
}

std::string ia5(const ASN1_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
}

std::string name_der(const X509_NAME* name) {
  unsigned char* buf = nullptr;
  const int len = i2d_X509_NAME(name, &buf);
  std::string out(reinterpret_cast<char*>(buf), static_cast<std::size_t>(len));
  OPENSSL_free(buf);
  return out;
}

TEST(AddMonths, SameDayAndTimeWithMonthEndClamp) {
  EXPECT_EQ(utc_text(add_months_clamped(day(2025, 4, 1), 39)), "2028-07-01 09:30:15");
  EXPECT_EQ(utc_text(add_months_clamped(day(2025, 11, 30), 39)), "2029-02-28 09:30:15");
  EXPECT_EQ(utc_text(add_months_clamped(day(2024, 11, 30), 39)), "2028-02-29 09:30:15");
  EXPECT_EQ(utc_text(add_months_clamped(day(2025, 3, 31), 39)), "2028-06-30 09:30:15");
  EXPECT_EQ(utc_text(add_months_clamped(day(2025, 1, 31), 1)), "2025-02-28 09:30:15");
  EXPECT_EQ(utc_text(add_months_clamped(day(2025, 12, 15), 1)), "2026-01-15 09:30:15");
  // Fractions of a second are cut, as for notBefore.
  EXPECT_EQ(add_months_clamped(day(2025, 4, 1) + std::chrono::milliseconds(999), 0),
            day(2025, 4, 1));
}

TEST(TruncateCodePoints, NeverSplitsACharacter) {
  EXPECT_EQ(truncate_code_points("オンライン医院", 3), "オンラ");
  EXPECT_EQ(truncate_code_points("abc", 64), "abc");
  EXPECT_EQ(truncate_code_points("aé日", 2), "aé");
}

TEST_F(TerminalProfileTest, SubjectHasTheOrderAndStringTypesOfTheProfile) {
  const auto issued = issue_now(p256(), day(2025, 4, 1));
  Cert cert = parse_der(issued.der);
  ASSERT_TRUE(cert);
  const X509_NAME* name = X509_get_subject_name(cert.get());
  ASSERT_EQ(X509_NAME_entry_count(name), 5);
  const struct {
    int nid, type;
    const char* value;
  } expected[] = {
      {NID_countryName, V_ASN1_PRINTABLESTRING, "JP"},
      {NID_organizationName, V_ASN1_UTF8STRING, "医療法人社団　オンライン医院"},
      {NID_organizationalUnitName, V_ASN1_UTF8STRING, "1310123455"},
      {NID_commonName, V_ASN1_UTF8STRING, "1310123455-T01"},
      {NID_serialNumber, V_ASN1_PRINTABLESTRING, "C-00000123-01"},
  };
  for (int i = 0; i < 5; ++i) {
    const X509_NAME_ENTRY* e = X509_NAME_get_entry(name, i);
    EXPECT_EQ(OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)), expected[i].nid) << i;
    EXPECT_EQ(ASN1_STRING_type(X509_NAME_ENTRY_get_data(e)), expected[i].type) << i;
    EXPECT_EQ(ia5(X509_NAME_ENTRY_get_data(e)), expected[i].value) << i;
    EXPECT_EQ(X509_NAME_ENTRY_set(e), i) << "one attribute per RDN";
  }
  EXPECT_EQ(issued.subject,
            "serialNumber=C-00000123-01,CN=1310123455-T01,OU=1310123455,O="
            "医療法人社団　オンライン医院,C=JP");
  // Issuer is byte for byte the issuing CA's subject.
  Cert issuing = parse_der(ca_->issuing_der());
  EXPECT_EQ(name_der(X509_get_issuer_name(cert.get())),
            name_der(X509_get_subject_name(issuing.get())));
}

TEST_F(TerminalProfileTest, OrganizationIsCutTo64CodePoints) {
  TerminalSubject subject = sample_subject();
  subject.institution_name.clear();
  for (int i = 0; i < 70; ++i) subject.institution_name += "医";
  const auto issued =
      ca_->issue(subject, p256(), sample_profile(), random_serial_hex(), day(2025, 4, 1));
  Cert cert = parse_der(issued.der);
  const X509_NAME* name = X509_get_subject_name(cert.get());
  const auto* o = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, 1));
  EXPECT_EQ(ia5(o).size(), 64u * 3);
}

TEST_F(TerminalProfileTest, ExtensionsAreExactlyTheProfile) {
  const auto issued = issue_now(p256(), day(2025, 4, 1));
  Cert cert = parse_der(issued.der);
  X509* c = cert.get();
  EXPECT_EQ(X509_get_version(c), X509_VERSION_3);
  EXPECT_EQ(X509_get_signature_nid(c), NID_ecdsa_with_SHA256);
  EXPECT_EQ(X509_get_ext_count(c), 8);

  ASSERT_TRUE(ext(c, NID_key_usage));
  EXPECT_TRUE(X509_EXTENSION_get_critical(ext(c, NID_key_usage)));
  EXPECT_EQ(X509_get_key_usage(c), static_cast<uint32_t>(KU_DIGITAL_SIGNATURE));

  ASSERT_TRUE(ext(c, NID_ext_key_usage));
  EXPECT_FALSE(X509_EXTENSION_get_critical(ext(c, NID_ext_key_usage)));
  auto* eku =
      static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(c, NID_ext_key_usage, nullptr, nullptr));
  ASSERT_EQ(sk_ASN1_OBJECT_num(eku), 1);
  EXPECT_EQ(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 0)), NID_client_auth);
  sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);

  ASSERT_TRUE(ext(c, NID_basic_constraints));
  EXPECT_TRUE(X509_EXTENSION_get_critical(ext(c, NID_basic_constraints)));
  const ASN1_OCTET_STRING* bc = X509_EXTENSION_get_data(ext(c, NID_basic_constraints));
  EXPECT_EQ(ia5(bc), std::string("\x30\x00", 2)) << "cA FALSE is the empty SEQUENCE";

  // SKI method 1: SHA-1 of the subjectPublicKey BIT STRING.
  const unsigned char* bits = nullptr;
  int bits_len = 0;
  X509_PUBKEY_get0_param(nullptr, &bits, &bits_len, nullptr, X509_get_X509_PUBKEY(c));
  unsigned char sha1[20];
  EVP_Digest(bits, static_cast<std::size_t>(bits_len), sha1, nullptr, EVP_sha1(), nullptr);
  ASSERT_TRUE(ext(c, NID_subject_key_identifier));
  EXPECT_FALSE(X509_EXTENSION_get_critical(ext(c, NID_subject_key_identifier)));
  EXPECT_EQ(ia5(X509_get0_subject_key_id(c)), std::string(reinterpret_cast<char*>(sha1), 20));

  ASSERT_TRUE(ext(c, NID_authority_key_identifier));
  EXPECT_FALSE(X509_EXTENSION_get_critical(ext(c, NID_authority_key_identifier)));
  auto* aki = static_cast<AUTHORITY_KEYID*>(
      X509_get_ext_d2i(c, NID_authority_key_identifier, nullptr, nullptr));
  Cert issuing = parse_der(ca_->issuing_der());
  ASSERT_TRUE(aki && aki->keyid);
  EXPECT_EQ(ia5(aki->keyid), ia5(X509_get0_subject_key_id(issuing.get())));
  EXPECT_EQ(aki->issuer, nullptr);
  EXPECT_EQ(aki->serial, nullptr);
  AUTHORITY_KEYID_free(aki);

  ASSERT_TRUE(ext(c, NID_crl_distribution_points));
  EXPECT_FALSE(X509_EXTENSION_get_critical(ext(c, NID_crl_distribution_points)));
  auto* dps = static_cast<CRL_DIST_POINTS*>(
      X509_get_ext_d2i(c, NID_crl_distribution_points, nullptr, nullptr));
  ASSERT_EQ(sk_DIST_POINT_num(dps), 1);
  const DIST_POINT* dp = sk_DIST_POINT_value(dps, 0);
  ASSERT_EQ(dp->distpoint->type, 0);
  const GENERAL_NAME* gn = sk_GENERAL_NAME_value(dp->distpoint->name.fullname, 0);
  ASSERT_EQ(gn->type, GEN_URI);
  EXPECT_EQ(ia5(gn->d.uniformResourceIdentifier), sample_profile().crl_url);
  sk_DIST_POINT_pop_free(dps, DIST_POINT_free);

  // freshestCRL (RFC 5280 4.2.1.15): where the delta CRLs are, non-critical, the same syntax.
  ASSERT_TRUE(ext(c, NID_freshest_crl));
  EXPECT_FALSE(X509_EXTENSION_get_critical(ext(c, NID_freshest_crl)));
  auto* fresh =
      static_cast<CRL_DIST_POINTS*>(X509_get_ext_d2i(c, NID_freshest_crl, nullptr, nullptr));
  ASSERT_EQ(sk_DIST_POINT_num(fresh), 1);
  const DIST_POINT* delta = sk_DIST_POINT_value(fresh, 0);
  ASSERT_EQ(delta->distpoint->type, 0);
  const GENERAL_NAME* delta_name = sk_GENERAL_NAME_value(delta->distpoint->name.fullname, 0);
  ASSERT_EQ(delta_name->type, GEN_URI);
  EXPECT_EQ(ia5(delta_name->d.uniformResourceIdentifier), sample_profile().delta_crl_url);
  sk_DIST_POINT_pop_free(fresh, DIST_POINT_free);

  ASSERT_TRUE(ext(c, NID_info_access));
  EXPECT_FALSE(X509_EXTENSION_get_critical(ext(c, NID_info_access)));
  auto* aia =
      static_cast<AUTHORITY_INFO_ACCESS*>(X509_get_ext_d2i(c, NID_info_access, nullptr, nullptr));
  ASSERT_EQ(sk_ACCESS_DESCRIPTION_num(aia), 2);
  EXPECT_EQ(OBJ_obj2nid(sk_ACCESS_DESCRIPTION_value(aia, 0)->method), NID_ad_OCSP);
  EXPECT_EQ(ia5(sk_ACCESS_DESCRIPTION_value(aia, 0)->location->d.uniformResourceIdentifier),
            sample_profile().ocsp_url);
  EXPECT_EQ(OBJ_obj2nid(sk_ACCESS_DESCRIPTION_value(aia, 1)->method), NID_ad_ca_issuers);
  EXPECT_EQ(ia5(sk_ACCESS_DESCRIPTION_value(aia, 1)->location->d.uniformResourceIdentifier),
            sample_profile().ca_issuers_url);
  sk_ACCESS_DESCRIPTION_pop_free(aia, ACCESS_DESCRIPTION_free);

  EXPECT_EQ(ext(c, NID_certificate_policies), nullptr);
  EXPECT_EQ(ext(c, NID_subject_alt_name), nullptr);
}

TEST_F(TerminalProfileTest, FreshestCrlOnlyWhenConfigured) {
  TerminalProfile profile = sample_profile();
  profile.delta_crl_url.clear();
  Cert cert = parse_der(issue_now(p256(), day(2025, 4, 1), profile).der);
  EXPECT_EQ(ext(cert.get(), NID_freshest_crl), nullptr);
  EXPECT_NE(ext(cert.get(), NID_crl_distribution_points), nullptr);
}

TEST_F(TerminalProfileTest, RsaKeysAlsoGetKeyEncipherment) {
  const auto issued = issue_now(spki_der(rsa_key(2048).get()), day(2025, 4, 1));
  Cert cert = parse_der(issued.der);
  EXPECT_EQ(X509_get_key_usage(cert.get()),
            static_cast<uint32_t>(KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT));
}

TEST_F(TerminalProfileTest, PoliciesOnlyWhenConfigured) {
  TerminalProfile profile = sample_profile();
  profile.policy_oid = "1.2.392.200999.1.1";
  profile.cps_url = "https://onshi.example.jp/cps";
  Cert cert = parse_der(issue_now(p256(), day(2025, 4, 1), profile).der);
  ASSERT_TRUE(ext(cert.get(), NID_certificate_policies));
  EXPECT_FALSE(X509_EXTENSION_get_critical(ext(cert.get(), NID_certificate_policies)));
  auto* pols = static_cast<CERTIFICATEPOLICIES*>(
      X509_get_ext_d2i(cert.get(), NID_certificate_policies, nullptr, nullptr));
  ASSERT_EQ(sk_POLICYINFO_num(pols), 1);
  const POLICYINFO* info = sk_POLICYINFO_value(pols, 0);
  char oid[64];
  OBJ_obj2txt(oid, sizeof oid, info->policyid, 1);
  EXPECT_STREQ(oid, "1.2.392.200999.1.1");
  ASSERT_EQ(sk_POLICYQUALINFO_num(info->qualifiers), 1);
  const POLICYQUALINFO* q = sk_POLICYQUALINFO_value(info->qualifiers, 0);
  EXPECT_EQ(OBJ_obj2nid(q->pqualid), NID_id_qt_cps);
  EXPECT_EQ(ia5(q->d.cpsuri), profile.cps_url);
  sk_POLICYINFO_pop_free(pols, POLICYINFO_free);
}

TEST_F(TerminalProfileTest, ValidityIs39MonthsFromTheSecondOfIssue) {
  const auto now = day(2025, 11, 30) + std::chrono::milliseconds(700);
  const auto issued = issue_now(p256(), now);
  EXPECT_EQ(utc_text(issued.not_before), "2025-11-30 09:30:15");
  EXPECT_EQ(utc_text(issued.not_after), "2029-02-28 09:30:15");
  Cert cert = parse_der(issued.der);
  EXPECT_EQ(ASN1_STRING_type(X509_get0_notAfter(cert.get())), V_ASN1_UTCTIME);
  const auto leap = issue_now(p256(), day(2025, 2, 28));
  EXPECT_EQ(utc_text(leap.not_after), "2028-05-28 09:30:15");
  TerminalProfile p36 = sample_profile();
  p36.validity_months = 36;
  EXPECT_EQ(utc_text(issue_now(p256(), day(2025, 4, 1), p36).not_after), "2028-04-01 09:30:15");
}

TEST_F(TerminalProfileTest, SerialIsTheOneGiven) {
  const std::string serial = random_serial_hex();
  const auto issued =
      ca_->issue(sample_subject(), p256(), sample_profile(), serial, day(2025, 4, 1));
  EXPECT_EQ(issued.serial_hex, serial);
  Cert cert = parse_der(issued.der);
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr);
  char* hex = BN_bn2hex(bn);
  std::string encoded = hex;
  OPENSSL_free(hex);
  BN_free(bn);
  for (auto& ch : encoded) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  EXPECT_EQ(encoded, serial);
  EXPECT_THROW(ca_->issue(sample_subject(), p256(), sample_profile(), "0", day(2025, 4, 1)),
               std::invalid_argument);
  EXPECT_THROW(ca_->issue(sample_subject(), p256(), sample_profile(), "xyz", day(2025, 4, 1)),
               std::invalid_argument);
}

// What is stored (and later looked up by OCSP) is the serial as the certificate encodes it:
// leading zeros a caller writes, or upper case, do not make a second spelling of one number.
TEST_F(TerminalProfileTest, ReportedSerialIsTheEncodedOneWithoutLeadingZeros) {
  const auto issued = ca_->issue(sample_subject(), p256(), sample_profile(),
                                 "000000ABCDEF0123456789abcdef0123", day(2025, 4, 1));
  EXPECT_EQ(issued.serial_hex, "abcdef0123456789abcdef0123");
  const auto odd = ca_->issue(sample_subject(), p256(), sample_profile(),
                              "000fedcba9876543210fedcba9", day(2025, 4, 1));
  EXPECT_EQ(odd.serial_hex, "0fedcba9876543210fedcba9") << "whole octets, as openssl prints them";
}

TEST_F(TerminalProfileTest, OpensslVerifiesTheChainForClientAuth) {
  const auto now = day(2025, 4, 1);
  const auto issued = issue_now(p256(), now);
  const auto r = openssl_verify(dir_->path(), issued.pem, now + std::chrono::hours(1));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find(": OK"), std::string::npos) << r.output;
  // And the CLI agrees about what is in it.
  write_text(dir_->path() / "t.pem", issued.pem);
  const auto text = run("openssl x509 -noout -text -in " + (dir_->path() / "t.pem").string());
  EXPECT_NE(text.output.find("TLS Web Client Authentication"), std::string::npos);
  EXPECT_NE(text.output.find("CA:FALSE"), std::string::npos);
  EXPECT_EQ(text.output.find("TLS Web Server Authentication"), std::string::npos);
}

TEST_F(TerminalProfileTest, RefusesSubjectsAndKeysOutsideTheProfile) {
  TerminalSubject bad = sample_subject();
  bad.institution_code = "131012345";
  EXPECT_THROW(ca_->issue(bad, p256(), sample_profile(), random_serial_hex(), day(2025, 4, 1)),
               std::invalid_argument);
  bad = sample_subject();
  bad.issuance_number = "発行-1";
  EXPECT_THROW(ca_->issue(bad, p256(), sample_profile(), random_serial_hex(), day(2025, 4, 1)),
               std::invalid_argument);
  EXPECT_THROW(issue_now(spki_der(ec_key("secp256k1").get()), day(2025, 4, 1)),
               std::invalid_argument);
  EXPECT_THROW(issue_now("not a key", day(2025, 4, 1)), std::invalid_argument);
}

TEST_F(TerminalProfileTest, CertificatesFromCsrAndGeneratedKeysAreIssued) {
  Pkey key = ec_key("P-256");
  auto csr = check_csr(make_csr_pem(key.get()));
  ASSERT_TRUE(csr);
  const auto from_csr = issue_now(csr->public_key_der, day(2025, 4, 1));
  Cert cert = parse_der(from_csr.der);
  EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);

  const TerminalKey generated = ca_->generate_terminal_key(KeyAlgorithm::ec_p256);
  EXPECT_NE(generated.sealed_private_key.find("ENCRYPTED PRIVATE KEY"), std::string::npos);
  const auto issued = issue_now(generated.public_key_der, day(2025, 4, 1));
  EXPECT_EQ(openssl_verify(dir_->path(), issued.pem, day(2025, 4, 2)).status, 0);
}

TEST_F(TerminalProfileTest, ConcurrentIssuesAllVerify) {
  std::vector<std::thread> threads;
  std::vector<std::string> ders(40);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) ders[t * 10 + i] = issue_now(p256(), day(2025, 4, 1)).der;
    });
  }
  for (auto& th : threads) th.join();
  Cert issuing = parse_der(ca_->issuing_der());
  for (const auto& der : ders) {
    Cert cert = parse_der(der);
    ASSERT_TRUE(cert);
    EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(issuing.get())), 1);
  }
}

TEST(TerminalValidityCap, NotAfterNeverPassesTheIssuingCa) {
  TempDir dir;
  CaSettings s;
  s.issuing_validity_years = 2;
  init_ca(file_store(dir.path()), s, day(2025, 1, 10));
  auto ca = IssuingCa::open(file_store(dir.path()));
  const auto issued = ca->issue(sample_subject(), spki_der(ec_key("P-256").get()), sample_profile(),
                                random_serial_hex(), day(2025, 6, 1));
  EXPECT_EQ(utc_text(issued.not_after), "2027-01-10 09:30:15");
  EXPECT_EQ(openssl_verify(dir.path(), issued.pem, day(2026, 1, 1)).status, 0);
}

TEST(TerminalValidityCap, GeneralizedTimeFrom2050) {
  TempDir dir;
  init_ca(file_store(dir.path()), CaSettings{}, day(2047, 1, 10));
  auto ca = IssuingCa::open(file_store(dir.path()));
  const auto issued = ca->issue(sample_subject(), spki_der(ec_key("P-256").get()), sample_profile(),
                                random_serial_hex(), day(2047, 6, 1));
  Cert cert = parse_der(issued.der);
  EXPECT_EQ(ASN1_STRING_type(X509_get0_notBefore(cert.get())), V_ASN1_UTCTIME);
  EXPECT_EQ(ASN1_STRING_type(X509_get0_notAfter(cert.get())), V_ASN1_GENERALIZEDTIME);
  EXPECT_EQ(utc_text(issued.not_after), "2050-09-01 09:30:15");
}

}  // namespace
