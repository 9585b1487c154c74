// The hand-written terminal certificate (pki/terminal_signer.hpp) against the one OpenSSL builds
// through X509 objects (detail::build_terminal_certificate) for the same inputs: the same
// TBSCertificate octet for octet, the same refusals, and the openssl CLI reads what it signs.
#include "pki/terminal_signer.hpp"

#include "pki/issuing_ca_impl.hpp"
#include "pki/profiles.hpp"
#include "pki_test_support.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace onshi::pki;
using namespace onshi::pki::test;
using std::chrono::system_clock;

// The first element of a DER SEQUENCE, whole: a certificate's TBSCertificate.
std::string first_element(const std::string& der) {
  auto length_at = [&](std::size_t at, std::size_t& header) {
    const auto b = static_cast<unsigned char>(der.at(at + 1));
    if (b < 0x80) {
      header = 2;
      return std::size_t{b};
    }
    std::size_t len = 0;
    for (unsigned i = 0; i < (b & 0x7fu); ++i)
      len = len << 8 | static_cast<unsigned char>(der.at(at + 2 + i));
    header = 2 + (b & 0x7fu);
    return len;
  };
  std::size_t outer = 0;
  length_at(0, outer);
  std::size_t inner = 0;
  const std::size_t len = length_at(outer, inner);
  return der.substr(outer, inner + len);
}

std::string openssl_der(const X509* cert) {
  unsigned char* buf = nullptr;
  const int len = i2d_X509(cert, &buf);
  std::string out(reinterpret_cast<char*>(buf), static_cast<std::size_t>(len));
  OPENSSL_free(buf);
  return out;
}

struct Case {
  TerminalSubject subject = sample_subject();
  std::string spki;
  TerminalProfile profile = sample_profile();
  std::string serial = "4c0ffee";
  system_clock::time_point now = day(2025, 4, 1);
};

class TerminalSignerTest : public ::testing::Test {
 protected:
  struct Ca {
    std::unique_ptr<TempDir> dir;
    std::unique_ptr<IssuingCa> ca;
  };
  static Ca& ca_for(KeyAlgorithm issuing) {
    static std::map<KeyAlgorithm, Ca> cas;
    Ca& c = cas[issuing];
    if (!c.ca) {
      c.dir = std::make_unique<TempDir>();
      CaSettings s;
      s.issuing_algorithm = issuing;
      init_ca(file_store(c.dir->path()), s, day(2025, 1, 10));
      c.ca = IssuingCa::open(file_store(c.dir->path()));
    }
    return c;
  }

  // The TBSCertificate both ways, and the whole certificate issue() returns, checked against
  // OpenSSL's reading of it.
  static void expect_same(const Case& c, KeyAlgorithm issuing = KeyAlgorithm::ec_p256) {
    Ca& ca = ca_for(issuing);
    const CaGeneration& g = detail::impl_of(*ca.ca).current;
    const auto* p = reinterpret_cast<const unsigned char*>(c.spki.data());
    Pkey key(d2i_PUBKEY(nullptr, &p, static_cast<long>(c.spki.size())));
    ASSERT_TRUE(key);
    ossl::Cert reference = detail::build_terminal_certificate(
        c.subject, key.get(), c.profile, c.serial, c.now, g.cert.get(), g.key.get());
    const std::string want = openssl_der(reference.get());
    const std::string tbs = detail::impl_of(*ca.ca).terminal_signer->tbs_certificate(
        c.subject, c.spki, c.profile, c.serial, c.now);
    ASSERT_EQ(tbs, first_element(want)) << "serial " << c.serial;

    const IssuedCertificate issued = ca.ca->issue(c.subject, c.spki, c.profile, c.serial, c.now);
    EXPECT_EQ(first_element(issued.der), tbs);
    // RSA PKCS#1 v1.5 signatures are deterministic: the whole certificate must match.
    if (issuing == KeyAlgorithm::rsa_2048) {
      EXPECT_EQ(issued.der, want);
    }
    Cert cert = parse_der(issued.der);
    ASSERT_TRUE(cert);
    EXPECT_EQ(openssl_der(cert.get()), issued.der) << "DER that OpenSSL reads back unchanged";
    EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(g.cert.get())), 1);
    EXPECT_EQ(ossl::cert_pem(cert.get()), issued.pem);
    EXPECT_EQ(issued.serial_hex, ossl::serial_hex(cert.get()));
    EXPECT_EQ(issued.subject, ossl::rfc2253(X509_get_subject_name(cert.get())));
    EXPECT_EQ(issued.not_before, ossl::to_time_point(X509_get0_notBefore(cert.get())));
    EXPECT_EQ(issued.not_after, ossl::to_time_point(X509_get0_notAfter(cert.get())));
    EXPECT_EQ(issued.sha256_fingerprint, ossl::sha256_colon_fingerprint(issued.der));
    EXPECT_EQ(issued.issuer_key_id_hex, g.key_id_hex);
  }

  // Both ways refuse with the same exception type.
  static void expect_same_refusal(const Case& c) {
    Ca& ca = ca_for(KeyAlgorithm::ec_p256);
    const CaGeneration& g = detail::impl_of(*ca.ca).current;
    auto reference = [&] {
      const auto* p = reinterpret_cast<const unsigned char*>(c.spki.data());
      Pkey key(d2i_PUBKEY(nullptr, &p, static_cast<long>(c.spki.size())));
      if (!key) throw std::invalid_argument("unreadable public key");
      detail::build_terminal_certificate(c.subject, key.get(), c.profile, c.serial, c.now,
                                         g.cert.get(), g.key.get());
    };
    auto hand = [&] { ca.ca->issue(c.subject, c.spki, c.profile, c.serial, c.now); };
    auto kind = [](const std::function<void()>& f) -> std::string {
      try {
        f();
      } catch (const std::invalid_argument&) {
        return "invalid_argument";
      } catch (const std::runtime_error&) {
        return "runtime_error";
      }
      return "accepted";
    };
    const std::string want = kind(reference);
    EXPECT_NE(want, "accepted");
    EXPECT_EQ(kind(hand), want);
  }
};

std::string p256() {
  return spki_der(ec_key("P-256").get());
}

TEST_F(TerminalSignerTest, SameTbsForEverySubjectKey) {
  for (const auto& spki : {p256(), spki_der(ec_key("P-384").get()), spki_der(rsa_key(2048).get()),
                           spki_der(rsa_key(3072).get())}) {
    Case c;
    c.spki = spki;
    expect_same(c);
  }
}

TEST_F(TerminalSignerTest, SameTbsForP384AndRsaIssuingKeys) {
  Case c;
  c.spki = p256();
  expect_same(c, KeyAlgorithm::ec_p384);
  expect_same(c, KeyAlgorithm::rsa_2048);
  c.spki = spki_der(rsa_key(2048).get());
  expect_same(c, KeyAlgorithm::rsa_2048);
}

TEST_F(TerminalSignerTest, SameTbsForLongAndJapaneseNames) {
  Case c;
  c.spki = p256();
  // Past 64 code points (cut), past 127 and 255 octets (long-form lengths).
  std::string long_name;
  for (int i = 0; i < 90; ++i) long_name += "医";
  for (const std::string& name :
       {std::string("医療法人社団　オンライン医院"), long_name, std::string(200, 'a'),
        std::string("A"), std::string("株式会社ＡＢＣ　メディカル（東京）")}) {
    c.subject.institution_name = name;
    expect_same(c);
  }
  c.subject.terminal = std::string(150, 'T');
  c.subject.issuance_number = "C-" + std::string(120, '9');
  expect_same(c);
}

TEST_F(TerminalSignerTest, SubjectLineEscapesAsOpensslDoes) {
  Case c;
  c.spki = p256();
  for (const std::string& name :
       {std::string("a,b+c\"d\\e<f>g;h"), std::string("#lead"), std::string(" lead and trail "),
        std::string("#"), std::string(" "), std::string("mid#dle = x"), std::string("tab\there"),
        std::string("nu\0l\x01\x1f\x7f", 7), std::string("é,医;")}) {
    c.subject.institution_name = name;
    expect_same(c);
  }
  c.subject.terminal = "T,01+";
  c.subject.issuance_number = "C-1,2+3 ";
  expect_same(c);
}

TEST_F(TerminalSignerTest, SameTbsForEverySerialLength) {
  Case c;
  c.spki = p256();
  for (const char* serial :
       {"1", "7f", "80", "ff", "00ff", "0080", "100", "0000000001", "ABCDEF0123",
        "7fffffffffffffffffffffffffffffffffffffff", "0ffffffffffffffffffffffffffffffffffffff",
        "80000000000000000000000000000000000000", "00fedcba9876543210fedcba9876543210fedcba"}) {
    c.serial = serial;
    expect_same(c);
  }
}

TEST_F(TerminalSignerTest, SameTbsForEveryProfile) {
  Case c;
  c.spki = p256();
  expect_same(c);
  c.profile.delta_crl_url.clear();
  expect_same(c);
  c.profile.policy_oid = "1.2.392.200091.100.901.1";
  c.profile.cps_url = "https://onshi.example.jp/cps,v1";
  expect_same(c);
  c.profile.cps_url.clear();
  expect_same(c);
  c.profile.ocsp_url.clear();
  expect_same(c);
  c.profile.ca_issuers_url.clear();
  c.profile.crl_url.clear();
  expect_same(c);
  c.profile = sample_profile();
  c.profile.validity_months = 1;
  c.now = day(2025, 1, 31, 23, 59, 59);
  expect_same(c);
  c.profile.validity_months = 600;  // capped by the issuing CA
  expect_same(c);
}

TEST_F(TerminalSignerTest, RefusesWhatOpensslPathRefuses) {
  std::vector<Case> cases(16);
  for (auto& c : cases) c.spki = p256();
  cases[0].subject.institution_code = "131012345";
  cases[1].subject.issuance_number = "発行-1";
  cases[2].subject.terminal.clear();
  cases[3].subject.institution_name.clear();
  cases[4].profile.validity_months = 0;
  cases[5].serial = "0";
  cases[6].serial = "";
  cases[7].serial = "12g4";
  cases[8].serial = "8000000000000000000000000000000000000000";
  cases[9].serial = "000000000000000000000000000000000000000001";
  cases[10].spki = spki_der(ec_key("secp256k1").get());
  cases[11].spki = spki_der(rsa_key(1024).get());
  cases[12].spki = "not a key";
  cases[13].spki = p256();
  cases[13].spki.back() ^= 0x01;  // a point off the curve
  cases[14].spki = spki_der(ec_key("P-521").get());
  cases[15].now = day(2040, 1, 1);  // after the issuing CA
  for (const Case& c : cases) expect_same_refusal(c);
}

TEST_F(TerminalSignerTest, OpensslCliReadsAndVerifiesIt) {
  Ca& ca = ca_for(KeyAlgorithm::ec_p256);
  TerminalSubject s = sample_subject();
  s.institution_name = "医療法人　\"テスト\", 診療所+";
  const auto issued = ca.ca->issue(s, p256(), sample_profile(), "00f1", day(2025, 4, 1));
  const auto r = openssl_verify(ca.dir->path(), issued.pem, day(2025, 4, 2));
  EXPECT_EQ(r.status, 0) << r.output;
  write_text(ca.dir->path() / "t.pem", issued.pem);
  const auto text = run("openssl x509 -noout -text -in " + (ca.dir->path() / "t.pem").string());
  EXPECT_EQ(text.status, 0) << text.output;
  EXPECT_NE(text.output.find("Serial Number: 241 (0xf1)"), std::string::npos) << text.output;
}

}  // namespace
