// The OCSP request parser against requests that `openssl ocsp -reqout` writes, and against
// requests built here octet by octet for what openssl never sends.
#include <openssl/sha.h>

#include "pki/ocsp.hpp"
#include "pki_test_support.hpp"
#include "support/error_of.hpp"

namespace onshi::pki {
namespace {

using onshi::test::error_of;
using test::read_text;
using test::run;

// DER TLV with a definite length, short or long form.
std::string tlv(unsigned char tag, std::string_view contents) {
  std::string out(1, static_cast<char>(tag));
  const std::size_t n = contents.size();
  if (n < 0x80) {
    out.push_back(static_cast<char>(n));
  } else if (n < 0x100) {
    out.append({'\x81', static_cast<char>(n)});
  } else {
    out.append({'\x82', static_cast<char>(n >> 8), static_cast<char>(n & 0xff)});
  }
  return out.append(contents);
}
std::string seq(std::string_view contents) {
  return tlv(0x30, contents);
}

const std::string kSha1Oid("\x2b\x0e\x03\x02\x1a", 5);
const std::string kNonceOid("\x2b\x06\x01\x05\x05\x07\x30\x01\x02", 9);

std::string cert_id(std::string_view serial_octets, std::size_t hash_len = 20) {
  const std::string alg = seq(tlv(0x06, kSha1Oid).append(tlv(0x05, "")));
  return seq(std::string(alg)
                 .append(tlv(0x04, std::string(hash_len, 'n')))
                 .append(tlv(0x04, std::string(hash_len, 'k')))
                 .append(tlv(0x02, serial_octets)));
}
std::string extension(std::string_view oid, std::string_view value, bool critical) {
  std::string body = tlv(0x06, oid);
  if (critical) body.append(tlv(0x01, "\xff"));
  return seq(body.append(tlv(0x04, value)));
}
// OCSPRequest with one Request per CertID; `prefix` goes before the requestList (a version),
// `extensions` after it.
std::string request(const std::vector<std::string>& ids, std::string_view prefix = {},
                    std::string_view extensions = {}) {
  std::string list;
  for (const auto& id : ids) list.append(seq(id));
  std::string tbs(prefix);
  tbs.append(seq(list));
  if (!extensions.empty()) tbs.append(tlv(0xa2, seq(extensions)));
  return seq(seq(tbs));
}

std::string sha1(std::string_view data) {
  unsigned char md[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
  return std::string(reinterpret_cast<char*>(md), sizeof md);
}

class OcspRequestTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<test::TempDir>();
    const auto r =
        run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
            "-subj '/C=JP/O=onshi/CN=issuer under test' -days 2 -keyout " +
            (*dir_ / "issuer.key").string() + " -out " + (*dir_ / "issuer.pem").string());
    ASSERT_EQ(r.status, 0) << r.output;
  }
  static void TearDownTestSuite() { dir_.reset(); }

  // `openssl ocsp -reqout` for these serials (hex) with the extra flags.
  static std::string openssl_request(const std::vector<std::string>& serials,
                                     const std::string& flags) {
    // A digest must come before -serial.
    std::string cmd = "openssl ocsp ";
    cmd.append(flags).append(" -issuer ").append((*dir_ / "issuer.pem").string());
    for (const auto& s : serials) cmd.append(" -serial 0x").append(s);
    cmd.append(" -reqout ").append((*dir_ / "req.der").string());
    const auto r = run(cmd);
    EXPECT_EQ(r.status, 0) << r.output;
    return read_text(*dir_ / "req.der");
  }

  inline static std::unique_ptr<test::TempDir> dir_;
};

TEST_F(OcspRequestTest, ReadsOpensslRequestWithNonce) {
  const std::string der = openssl_request({"5f3a0011223344556677889900aabbcc"}, "-nonce");
  const auto req = parse_ocsp_request(der, 10);
  ASSERT_TRUE(req.has_value()) << ocsp_request_error_name(req.error());
  ASSERT_EQ(req->certs.size(), 1u);
  const auto& id = req->certs[0];
  EXPECT_EQ(id.hash, OcspHash::sha1);
  EXPECT_EQ(id.serial_hex, "5f3a0011223344556677889900aabbcc");
  // The key hash is SHA-1 of the issuer's public key bits, which `openssl x509 -pubkey` shows.
  test::Cert issuer(
      PEM_read_X509(fopen((*dir_ / "issuer.pem").c_str(), "r"), nullptr, nullptr, nullptr));
  ASSERT_TRUE(issuer);
  const ASN1_BIT_STRING* bits = X509_get0_pubkey_bitstr(issuer.get());
  EXPECT_EQ(id.issuer_key_hash, sha1(std::string_view(reinterpret_cast<const char*>(bits->data),
                                                      static_cast<std::size_t>(bits->length))));
  unsigned char* name = nullptr;
  const int name_len = i2d_X509_NAME(X509_get_subject_name(issuer.get()), &name);
  EXPECT_EQ(id.issuer_name_hash, sha1(std::string_view(reinterpret_cast<char*>(name),
                                                       static_cast<std::size_t>(name_len))));
  OPENSSL_free(name);
  EXPECT_EQ(id.der, der.substr(der.find(id.der), id.der.size()));
  // OpenSSL's nonce: an OCTET STRING of 16 random octets inside the extnValue.
  ASSERT_TRUE(req->nonce.has_value());
  EXPECT_EQ(req->nonce->size(), 18u);
  EXPECT_EQ(req->nonce->substr(0, 2), std::string("\x04\x10", 2));
}

TEST_F(OcspRequestTest, ReadsSeveralSerialsWithoutNonceAndSha256) {
  const auto req =
      parse_ocsp_request(openssl_request({"01", "00ff", "7fffffff"}, "-no_nonce -sha256"), 10);
  ASSERT_TRUE(req.has_value()) << ocsp_request_error_name(req.error());
  ASSERT_EQ(req->certs.size(), 3u);
  EXPECT_FALSE(req->nonce.has_value());
  EXPECT_EQ(req->certs[0].hash, OcspHash::sha256);
  EXPECT_EQ(req->certs[0].issuer_key_hash.size(), 32u);
  // As the store spells serials: whole octets, no leading zero octet.
  EXPECT_EQ(req->certs[0].serial_hex, "01");
  EXPECT_EQ(req->certs[1].serial_hex, "ff");
  EXPECT_EQ(req->certs[2].serial_hex, "7fffffff");
}

TEST_F(OcspRequestTest, ReadsSignedRequest) {
  const auto signer = (*dir_ / "issuer.pem").string();
  const auto key = (*dir_ / "issuer.key").string();
  const auto req = parse_ocsp_request(
      openssl_request({"0a0b"}, "-no_nonce -signer " + signer + " -signkey " + key), 10);
  ASSERT_TRUE(req.has_value()) << ocsp_request_error_name(req.error());
  EXPECT_EQ(req->certs.at(0).serial_hex, "0a0b");
}

TEST_F(OcspRequestTest, RefusesMoreCertificatesThanTheBound) {
  std::vector<std::string> serials;
  for (const char* s : {"01", "02", "03", "04", "05", "06", "07", "08", "09", "0a", "0b"})
    serials.emplace_back(s);
  const std::string der = openssl_request(serials, "-no_nonce");
  EXPECT_EQ(error_of(parse_ocsp_request(der, 10)), OcspRequestError::too_many);
  EXPECT_TRUE(parse_ocsp_request(der, 11).has_value());
}

TEST_F(OcspRequestTest, EveryTruncationIsRefused) {
  const std::string der = openssl_request({"5f3a", "77"}, "-nonce");
  ASSERT_TRUE(parse_ocsp_request(der, 10).has_value());
  for (std::size_t n = 0; n < der.size(); ++n) {
    EXPECT_FALSE(parse_ocsp_request(std::string_view(der).substr(0, n), 10).has_value()) << n;
  }
  EXPECT_EQ(error_of(parse_ocsp_request(std::string(der).append(1, '\0'), 10)),
            OcspRequestError::trailing_bytes);
}

TEST(OcspRequestGrammar, AcceptsExplicitVersionOneAndRefusesOthers) {
  const std::string v1 = tlv(0xa0, tlv(0x02, std::string(1, '\0')));
  EXPECT_TRUE(parse_ocsp_request(request({cert_id("\x01")}, v1), 10).has_value());
  const std::string v2 = tlv(0xa0, tlv(0x02, "\x01"));
  EXPECT_EQ(error_of(parse_ocsp_request(request({cert_id("\x01")}, v2), 10)),
            OcspRequestError::version);
}

TEST(OcspRequestGrammar, SerialsAsTheStoreSpellsThem) {
  const auto req = parse_ocsp_request(request({cert_id(std::string("\x00\x80\x01", 3)),
                                               cert_id("\x80"), cert_id(std::string(1, '\0'))}),
                                      10);
  ASSERT_TRUE(req.has_value());
  EXPECT_EQ(req->certs[0].serial_hex, "8001");
  EXPECT_EQ(req->certs[1].serial_hex, "");  // negative
  EXPECT_EQ(req->certs[2].serial_hex, "");  // zero
}

TEST(OcspRequestGrammar, RefusesNoncesOutsideOneToThirtyTwoOctets) {
  const auto with_nonce = [](std::string_view value) {
    return parse_ocsp_request(request({cert_id("\x01")}, {}, extension(kNonceOid, value, false)),
                              10);
  };
  EXPECT_TRUE(with_nonce(tlv(0x04, std::string(32, 'x'))).has_value());
  EXPECT_TRUE(with_nonce(tlv(0x04, "x")).has_value());
  EXPECT_EQ(error_of(with_nonce(tlv(0x04, std::string(33, 'x')))), OcspRequestError::bad_nonce);
  EXPECT_EQ(error_of(with_nonce(tlv(0x04, ""))), OcspRequestError::bad_nonce);
  // Raw octets without the inner OCTET STRING, as some old clients sent.
  EXPECT_EQ(error_of(with_nonce("0123456789abcdef")), OcspRequestError::bad_nonce);
  const std::string two =
      extension(kNonceOid, tlv(0x04, "a"), false) + extension(kNonceOid, tlv(0x04, "b"), false);
  EXPECT_EQ(error_of(parse_ocsp_request(request({cert_id("\x01")}, {}, two), 10)),
            OcspRequestError::bad_nonce);
}

TEST(OcspRequestGrammar, UnknownExtensionsMatterOnlyWhenCritical) {
  const std::string oid("\x2a\x03\x04", 3);
  EXPECT_TRUE(parse_ocsp_request(request({cert_id("\x01")}, {}, extension(oid, "x", false)), 10)
                  .has_value());
  EXPECT_EQ(
      error_of(parse_ocsp_request(request({cert_id("\x01")}, {}, extension(oid, "x", true)), 10)),
      OcspRequestError::critical_extension);
  // The same inside one Request (singleRequestExtensions).
  const std::string single = seq(cert_id("\x01").append(tlv(0xa0, seq(extension(oid, "x", true)))));
  EXPECT_EQ(error_of(parse_ocsp_request(seq(seq(seq(single))), 10)),
            OcspRequestError::critical_extension);
}

TEST(OcspRequestGrammar, RefusesWrongShapes) {
  EXPECT_EQ(error_of(parse_ocsp_request("", 10)), OcspRequestError::truncated);
  EXPECT_EQ(error_of(parse_ocsp_request("GET / HTTP/1.1\r\n", 10)), OcspRequestError::not_der);
  EXPECT_EQ(error_of(parse_ocsp_request(request({}), 10)), OcspRequestError::no_certificates);
  EXPECT_EQ(error_of(parse_ocsp_request(request({cert_id("\x01", 19)}), 10)),
            OcspRequestError::bad_hash);
  // Indefinite length (BER) is no DER.
  EXPECT_EQ(error_of(parse_ocsp_request(std::string("\x30\x80\x00\x00", 4), 10)),
            OcspRequestError::not_der);
  // A length that claims more than there is.
  EXPECT_EQ(error_of(parse_ocsp_request(std::string("\x30\x84\x7f\xff\xff\xff", 6), 10)),
            OcspRequestError::truncated);
}

}  // namespace
}  // namespace onshi::pki
