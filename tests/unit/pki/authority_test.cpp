// The CA folder with the "file" key store: init, describe, open, reissue, and the CA profiles of
// CPIPCS 7.1.2 and 7.1.3.
#include "pki/authority.hpp"

#include "pki/serial.hpp"
#include "pki_test_support.hpp"

#include <gtest/gtest.h>

#include <openssl/obj_mac.h>

namespace {

using namespace onshi::pki;
using namespace onshi::pki::test;

std::string str(const ASN1_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
}

Cert read_pem(const fs::path& p) {
  const std::string pem = read_text(p);
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  Cert cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return cert;
}

bool critical(const X509* c, int nid) {
  return X509_EXTENSION_get_critical(X509_get_ext(c, X509_get_ext_by_NID(c, nid, -1))) == 1;
}

TEST(FileKeyStore, InitWritesTheFolderWithSecretsOwnerOnly) {
  TempDir dir;
  const auto cfg = file_store(dir / "ca");
  EXPECT_FALSE(ca_exists(cfg));
  const CaDescription d = init_ca(cfg, CaSettings{}, day(2025, 1, 10));
  EXPECT_TRUE(ca_exists(cfg));
  EXPECT_EQ(d.key_store, "file");
  for (const char* f : {"root.key", "issuing.key", "terminal-keys.secret"}) {
    EXPECT_EQ(file_mode(cfg.dir / f), 0600u) << f;
  }
  EXPECT_EQ(fs::file_size(cfg.dir / "terminal-keys.secret"), 32u);
  EXPECT_EQ(file_mode(cfg.dir), 0700u);
  for (const char* f : {"root.key", "issuing.key"}) {
    const std::string pem = read_text(cfg.dir / f);
    EXPECT_TRUE(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----")) << f;
    // The openssl CLI opens it with the passphrase: plain PKCS#8 with PBES2 AES-256-CBC.
    const auto r = run("openssl pkcs8 -topk8 -nocrypt -passin pass:'" + cfg.passphrase + "' -in " +
                       (cfg.dir / f).string() + " -out /dev/null");
    EXPECT_EQ(r.status, 0) << r.output;
    const auto info = run("openssl asn1parse -in " + (cfg.dir / f).string());
    EXPECT_NE(info.output.find("aes-256-cbc"), std::string::npos) << info.output;
    EXPECT_NE(info.output.find(":scrypt"), std::string::npos) << info.output;
    const auto wrong =
        run("openssl pkcs8 -topk8 -nocrypt -passin pass:wrong -in " + (cfg.dir / f).string());
    EXPECT_NE(wrong.status, 0);
  }
  EXPECT_EQ(d.root.subject, "CN=onshi Root CA G1,O=onshi,C=JP");
  EXPECT_EQ(d.issuing.issuer, d.root.subject);
  EXPECT_EQ(d.root.key_algorithm, "ECDSA P-384");
  EXPECT_EQ(d.issuing.key_algorithm, "ECDSA P-256");
  EXPECT_EQ(d.root.not_before_utc, "2025-01-10T09:30:15Z");
  EXPECT_EQ(d.root.not_after_utc, "2045-01-10T09:30:15Z");
  EXPECT_EQ(d.issuing.not_after_utc, "2035-01-10T09:30:15Z");
  EXPECT_EQ(d.root.sha256_fingerprint.size(), 32u * 3 - 1);
  const auto fp =
      run("openssl x509 -noout -fingerprint -sha256 -in " + (cfg.dir / "root.crt").string());
  EXPECT_NE(fp.output.find(d.root.sha256_fingerprint), std::string::npos) << fp.output;
  EXPECT_EQ(d.issuing.pem, read_text(cfg.dir / "issuing.crt"));

  const CaDescription again = describe_ca(cfg);
  EXPECT_EQ(again.root.serial_hex, d.root.serial_hex);
  EXPECT_EQ(again.issuing.sha256_fingerprint, d.issuing.sha256_fingerprint);
}

TEST(FileKeyStore, InitRefusesAnExistingCa) {
  TempDir dir;
  const auto cfg = file_store(dir.path());
  init_ca(cfg, CaSettings{}, day(2025, 1, 10));
  const std::string before = read_text(dir / "root.key");
  EXPECT_THROW(init_ca(cfg, CaSettings{}, day(2025, 1, 11)), std::runtime_error);
  EXPECT_EQ(read_text(dir / "root.key"), before);
}

TEST(FileKeyStore, WrongPassphraseIsAClearError) {
  TempDir dir;
  auto cfg = file_store(dir.path());
  init_ca(cfg, CaSettings{}, day(2025, 1, 10));
  EXPECT_NO_THROW(IssuingCa::open(cfg));
  cfg.passphrase = "not the passphrase";
  try {
    IssuingCa::open(cfg);
    FAIL() << "opened with a wrong passphrase";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("wrong passphrase"), std::string::npos) << e.what();
  }
  KeyStoreConfig missing = file_store(dir / "nowhere");
  EXPECT_THROW(IssuingCa::open(missing), std::runtime_error);
  EXPECT_THROW(describe_ca(missing), std::runtime_error);
}

TEST(FileKeyStore, KeyThatDoesNotMatchItsCertificateIsRefused) {
  TempDir a, b;
  init_ca(file_store(a.path()), CaSettings{}, day(2025, 1, 10));
  init_ca(file_store(b.path()), CaSettings{}, day(2025, 1, 10));
  fs::copy_file(b / "issuing.key", a / "issuing.key", fs::copy_options::overwrite_existing);
  EXPECT_THROW(IssuingCa::open(file_store(a.path())), std::runtime_error);
}

TEST(CaProfiles, RootAndIssuingCertificates) {
  TempDir dir;
  CaSettings s;
  s.root_crl_url = "https://onshi.example.jp/pki/crl/root.crl";
  s.root_ca_issuers_url = "https://onshi.example.jp/pki/ca/root.crt";
  init_ca(file_store(dir.path()), s, day(2025, 1, 10));
  Cert root = read_pem(dir / "root.crt");
  Cert issuing = read_pem(dir / "issuing.crt");
  ASSERT_TRUE(root && issuing);

  EXPECT_EQ(X509_get_version(root.get()), X509_VERSION_3);
  EXPECT_EQ(X509_get_signature_nid(root.get()), NID_ecdsa_with_SHA384);
  EXPECT_EQ(X509_check_issued(root.get(), root.get()), X509_V_OK);
  EXPECT_EQ(X509_get_ext_count(root.get()), 3);
  EXPECT_TRUE(critical(root.get(), NID_basic_constraints));
  EXPECT_TRUE(critical(root.get(), NID_key_usage));
  EXPECT_EQ(X509_get_key_usage(root.get()), static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  EXPECT_EQ(X509_get_pathlen(root.get()), -1);
  EXPECT_NE(X509_get0_subject_key_id(root.get()), nullptr);
  EXPECT_EQ(X509_get_ext_by_NID(root.get(), NID_authority_key_identifier, -1), -1);
  const X509_NAME* name = X509_get_subject_name(root.get());
  EXPECT_EQ(ASN1_STRING_type(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, 0))),
            V_ASN1_PRINTABLESTRING);
  EXPECT_EQ(ASN1_STRING_type(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, 1))),
            V_ASN1_UTF8STRING);

  EXPECT_EQ(X509_get_signature_nid(issuing.get()), NID_ecdsa_with_SHA384);
  EXPECT_EQ(X509_check_issued(root.get(), issuing.get()), X509_V_OK);
  EXPECT_EQ(X509_get_ext_count(issuing.get()), 6);
  EXPECT_TRUE(critical(issuing.get(), NID_basic_constraints));
  EXPECT_EQ(X509_get_pathlen(issuing.get()), 0);
  EXPECT_TRUE(critical(issuing.get(), NID_key_usage));
  EXPECT_EQ(X509_get_key_usage(issuing.get()),
            static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  EXPECT_EQ(str(X509_get0_authority_key_id(issuing.get())),
            str(X509_get0_subject_key_id(root.get())));
  EXPECT_EQ(X509_get_ext_by_NID(issuing.get(), NID_ext_key_usage, -1), -1);
  const auto text = run("openssl x509 -noout -text -in " + (dir / "issuing.crt").string());
  EXPECT_NE(text.output.find("URI:https://onshi.example.jp/pki/crl/root.crl"), std::string::npos);
  EXPECT_NE(text.output.find("CA Issuers - URI:https://onshi.example.jp/pki/ca/root.crt"),
            std::string::npos);
  EXPECT_EQ(text.output.find("OCSP - URI"), std::string::npos);
  EXPECT_NE(text.output.find("CA:TRUE, pathlen:0"), std::string::npos) << text.output;
}

TEST(CaProfiles, RsaIssuingCaSignsWithSha256) {
  TempDir dir;
  CaSettings s;
  s.root_algorithm = KeyAlgorithm::rsa_3072;
  s.issuing_algorithm = KeyAlgorithm::rsa_2048;
  init_ca(file_store(dir.path()), s, day(2025, 1, 10));
  auto ca = IssuingCa::open(file_store(dir.path()));
  const auto issued = ca->issue(sample_subject(), spki_der(ec_key("P-256").get()), sample_profile(),
                                random_serial_hex(), day(2025, 2, 1));
  Cert cert = parse_der(issued.der);
  EXPECT_EQ(X509_get_signature_nid(cert.get()), NID_sha256WithRSAEncryption);
  EXPECT_EQ(openssl_verify(dir.path(), issued.pem, day(2025, 2, 2)).status, 0);
  EXPECT_EQ(describe_ca(file_store(dir.path())).root.key_algorithm, "RSA 3072");
}

TEST(CaProfiles, BadSubjectIsRefusedBeforeAnythingIsWritten) {
  TempDir dir;
  CaSettings s;
  s.issuing_subject = "C=JPN, O=onshi";
  EXPECT_THROW(init_ca(file_store(dir.path()), s, day(2025, 1, 10)), std::invalid_argument);
  s.issuing_subject = "C=JP, XX=onshi";
  EXPECT_THROW(init_ca(file_store(dir.path()), s, day(2025, 1, 10)), std::invalid_argument);
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(Reissue, NewIssuingCaKeepsTheOldOne) {
  TempDir dir;
  const auto cfg = file_store(dir.path());
  const CaDescription first = init_ca(cfg, CaSettings{}, day(2025, 1, 10));
  const std::string old_key = read_text(dir / "issuing.key");
  CaSettings s;
  s.issuing_subject = "C=JP, O=onshi, CN=onshi Issuing CA G2";
  const CaDescription second = reissue_issuing_ca(cfg, s, day(2030, 1, 10));
  EXPECT_EQ(second.root.sha256_fingerprint, first.root.sha256_fingerprint);
  EXPECT_NE(second.issuing.serial_hex, first.issuing.serial_hex);
  EXPECT_EQ(second.issuing.subject, "CN=onshi Issuing CA G2,O=onshi,C=JP");
  EXPECT_EQ(second.issuing.not_after_utc, "2040-01-10T09:30:15Z");
  const std::string old_name = "issuing-" + first.issuing.serial_hex;
  EXPECT_EQ(read_text(dir / (old_name + ".crt")), first.issuing.pem);
  EXPECT_EQ(read_text(dir / (old_name + ".key")), old_key);
  EXPECT_EQ(file_mode(dir / (old_name + ".key")), 0600u);
  EXPECT_NE(read_text(dir / "issuing.key"), old_key);

  auto ca = IssuingCa::open(cfg);
  const auto issued = ca->issue(sample_subject(), spki_der(ec_key("P-256").get()), sample_profile(),
                                random_serial_hex(), day(2030, 2, 1));
  EXPECT_NE(issued.subject.find("1310123455-T01"), std::string::npos);
  EXPECT_EQ(openssl_verify(dir.path(), issued.pem, day(2030, 2, 2)).status, 0);
  Cert cert = parse_der(issued.der);
  EXPECT_EQ(X509_NAME_cmp(X509_get_issuer_name(cert.get()),
                          X509_get_subject_name(parse_der(ca->issuing_der()).get())),
            0);

  // The earlier generation is still held, for the CRLs of what it issued.
  const auto generations = ca->generations();
  ASSERT_EQ(generations.size(), 2u);
  EXPECT_TRUE(generations[0].current);
  EXPECT_EQ(generations[0].serial_hex, second.issuing.serial_hex);
  EXPECT_EQ(generations[0].der, ca->issuing_der());
  EXPECT_FALSE(generations[1].current);
  EXPECT_EQ(generations[1].serial_hex, first.issuing.serial_hex);
  EXPECT_EQ(generations[1].subject, first.issuing.subject);
  EXPECT_NE(generations[0].key_id_hex, generations[1].key_id_hex);
  EXPECT_EQ(generations[0].key_id_hex.size(), 40u);
  EXPECT_EQ(issued.issuer_key_id_hex, generations[0].key_id_hex);
  EXPECT_EQ(authority_key_id_hex(issued.der), generations[0].key_id_hex);
  // The issuing CA certificate's own AKI names the root, not itself.
  EXPECT_NE(authority_key_id_hex(generations[1].der), generations[1].key_id_hex);
}

TEST(CertificateText, DescribesACertificate) {
  TempDir dir;
  const CaDescription d = init_ca(file_store(dir.path()), CaSettings{}, day(2025, 1, 10));
  auto ca = IssuingCa::open(file_store(dir.path()));
  const std::string text = describe_certificate_text(ca->root_der());
  EXPECT_NE(text.find("onshi Root CA G1"), std::string::npos) << text;
  EXPECT_NE(text.find("Certificate Sign, CRL Sign"), std::string::npos) << text;
  EXPECT_EQ(sha256_fingerprint(ca->root_der()), d.root.sha256_fingerprint);
  EXPECT_EQ(ca->chain_pem(), d.issuing.pem + d.root.pem);
  EXPECT_THROW(describe_certificate_text("junk"), std::runtime_error);
}

}  // namespace
