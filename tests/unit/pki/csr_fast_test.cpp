// check_csr's hand-read path for plain EC requests (pki/csr_fast.hpp) against OpenSSL's X509_REQ
// path: whatever the fast path accepts, OpenSSL accepts with the same result, and check_csr gives
// OpenSSL's verdict for every input, over many mutated and re-signed requests.
#include "pki/csr_fast.hpp"

#include "pki_test_support.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace {

using namespace onshi::pki;
using namespace onshi::pki::test;

// PEM as PEM_write lays it out, around any octets.
std::string pem_of(std::string_view der, std::string_view eol = "\n") {
  std::string out = "-----BEGIN CERTIFICATE REQUEST-----" + std::string(eol);
  unsigned char line[65];
  for (std::size_t at = 0; at < der.size(); at += 48) {
    const int n = static_cast<int>(std::min<std::size_t>(48, der.size() - at));
    const int len =
        EVP_EncodeBlock(line, reinterpret_cast<const unsigned char*>(der.data() + at), n);
    out.append(reinterpret_cast<char*>(line), static_cast<std::size_t>(len));
    out += eol;
  }
  return out + "-----END CERTIFICATE REQUEST-----" + std::string(eol);
}

std::string tlv(unsigned char tag, std::string_view content) {
  std::string out(1, static_cast<char>(tag));
  const std::size_t n = content.size();
  if (n < 0x80) {
    out.push_back(static_cast<char>(n));
  } else if (n < 0x100) {
    out += "\x81";
    out.push_back(static_cast<char>(n));
  } else {
    out += "\x82";
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xff));
  }
  return out.append(content);
}

// Offset and size of the TLV at `at`.
std::pair<std::size_t, std::size_t> header_at(const std::string& der, std::size_t at) {
  const auto b = static_cast<unsigned char>(der.at(at + 1));
  if (b < 0x80) return {2, b};
  std::size_t len = 0;
  for (unsigned i = 0; i < (b & 0x7fu); ++i)
    len = len << 8 | static_cast<unsigned char>(der.at(at + 2 + i));
  return {2 + (b & 0x7fu), len};
}

// The request's CertificationRequestInfo, changed by `edit`, signed again by `key`.
std::string resign(const std::string& der, EVP_PKEY* key,
                   const std::function<void(std::string&)>& edit, const EVP_MD* md = EVP_sha256()) {
  const auto [outer, ignored] = header_at(der, 0);
  const auto [h, len] = header_at(der, outer);
  std::string info = der.substr(outer, h + len);
  edit(info);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestSignInit(ctx, nullptr, md, nullptr, key);
  std::size_t sig_len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(info.data());
  EVP_DigestSign(ctx, nullptr, &sig_len, data, info.size());
  std::string sig(sig_len + 1, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(&sig[1]), &sig_len, data, info.size());
  sig.resize(sig_len + 1);
  EVP_MD_CTX_free(ctx);
  const std::string alg = md == EVP_sha384() ? "\x30\x0a\x06\x08\x2a\x86\x48\xce\x3d\x04\x03\x03"
                                             : "\x30\x0a\x06\x08\x2a\x86\x48\xce\x3d\x04\x03\x02";
  return tlv(0x30, info + alg + tlv(0x03, sig));
}

int fast_accepted = 0;

// The fast path never disagrees with OpenSSL, and check_csr answers as OpenSSL does.
void compare(const std::string& input) {
  const auto fast = detail::check_plain_ec_csr(input);
  const auto slow = detail::check_csr_openssl(input);
  const auto both = check_csr(input);
  if (fast) {
    ++fast_accepted;
    ASSERT_TRUE(slow) << "the fast path accepted what OpenSSL refuses ("
                      << csr_error_name(slow.error()) << ")";
    EXPECT_EQ(fast->public_key_der, slow->public_key_der);
    EXPECT_EQ(fast->key_description, slow->key_description);
    EXPECT_EQ(fast->subject_der, slow->subject_der);
    EXPECT_EQ(fast->subject_alt_name_der, slow->subject_alt_name_der);
  }
  ASSERT_EQ(both.has_value(), slow.has_value());
  if (slow) {
    EXPECT_EQ(both->public_key_der, slow->public_key_der);
    EXPECT_EQ(both->subject_der, slow->subject_der);
  } else {
    EXPECT_EQ(both.error(), slow.error());
  }
}

TEST(CsrFastPath, TakesPlainEcRequestsInPemAndDer) {
  for (const auto& [curve, md] :
       {std::pair{"P-256", EVP_sha256()}, std::pair{"P-256", EVP_sha384()},
        std::pair{"P-256", EVP_sha512()}, std::pair{"P-384", EVP_sha384()},
        std::pair{"P-384", EVP_sha256()}}) {
    Pkey key = ec_key(curve);
    const std::string pem = make_csr_pem(key.get(), false, md);
    for (const std::string& input : {pem, der_of(pem)}) {
      const auto fast = detail::check_plain_ec_csr(input);
      ASSERT_TRUE(fast) << curve;
      EXPECT_EQ(fast->public_key_der, spki_der(key.get()));
      compare(input);
    }
  }
}

TEST(CsrFastPath, LeavesOtherRequestsToOpenssl) {
  Pkey rsa = rsa_key(2048);
  EXPECT_FALSE(detail::check_plain_ec_csr(make_csr_pem(rsa.get())));
  EXPECT_TRUE(check_csr(make_csr_pem(rsa.get())));
  Pkey key = ec_key("P-256");
  const std::string pem = make_csr_pem(key.get());
  const std::string der = der_of(pem);
  // A layout other than PEM_write's: OpenSSL reads them, the fast path leaves them.
  for (const std::string& input :
       {pem_of(der, "\r\n"), "text before\n" + pem, pem + "text after\n",
        pem.substr(0, pem.size() - 1),
        "-----BEGIN NEW CERTIFICATE REQUEST-----" +
            pem.substr(pem.find('\n'), pem.rfind("-----END") - pem.find('\n')) +
            "-----END NEW CERTIFICATE REQUEST-----\n"}) {
    EXPECT_FALSE(detail::check_plain_ec_csr(input));
    compare(input);
  }
  EXPECT_TRUE(check_csr(pem_of(der, "\r\n"))) << "CRLF, as from Windows";
  // Compressed point: OpenSSL decodes it, the fast path leaves it.
  Pkey compressed = ec_key("P-256");
  EVP_PKEY_set_utf8_string_param(compressed.get(), "point-format", "compressed");
  const std::string c = make_csr_pem(compressed.get());
  EXPECT_FALSE(detail::check_plain_ec_csr(c));
  compare(c);
}

TEST(CsrFastPath, MutatedRequestsGetOpensslsVerdict) {
  fast_accepted = 0;
  for (const char* curve : {"P-256", "P-384"}) {
    Pkey key = ec_key(curve);
    const std::string der = der_of(make_csr_pem(key.get()));
    std::vector<std::string> inputs{der, pem_of(der)};
    for (std::size_t i = 0; i < der.size(); ++i) {
      for (unsigned char x : {0x01, 0x80, 0xff}) {
        std::string m = der;
        m[i] = static_cast<char>(m[i] ^ x);
        inputs.push_back(m);
      }
      inputs.push_back(der.substr(0, i));                         // truncated
      inputs.push_back(der.substr(0, i) + der.substr(i + 1));     // one octet missing
      inputs.push_back(der.substr(0, i) + '\0' + der.substr(i));  // one octet more
    }
    for (const std::string& tail : {std::string(1, '\0'), std::string("x"), der}) {
      inputs.push_back(der + tail);  // trailing garbage
    }
    const std::size_t n = inputs.size();
    for (std::size_t i = 1; i < n; ++i) inputs.push_back(pem_of(inputs[i]));
    for (const auto& input : inputs) {
      compare(input);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
  EXPECT_GE(fast_accepted, 4) << "the unchanged requests, in DER and PEM";
}

TEST(CsrFastPath, ResignedOdditiesGetOpensslsVerdict) {
  Pkey key = ec_key("P-256");
  const std::string der = der_of(make_csr_pem(key.get()));
  auto replace = [](std::string from, std::string to) {
    return [from, to](std::string& info) {
      const auto at = info.find(from);
      ASSERT_NE(at, std::string::npos);
      info.replace(at, from.size(), to);
    };
  };
  std::vector<std::string> inputs{
      // A UTF8String that is no UTF-8: OpenSSL cannot read the Name.
      resign(der, key.get(),
             replace("terminal",
                     "termin\xff"
                     "l")),
      resign(der, key.get(),
             replace("terminal",
                     "termin\xc3"
                     "l")),
      // version 2 (v3)
      resign(der, key.get(), replace(std::string("\x02\x01\x00", 3), "\x02\x01\x02")),
      // attributes: an empty challengePassword
      resign(der, key.get(),
             [](std::string& info) {
               const std::string attr =
                   tlv(0x30, tlv(0x06, "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x07") +
                                 tlv(0x31, tlv(0x0c, "secret")));
               info = tlv(0x30, info.substr(2, info.size() - 4) + tlv(0xa0, attr));
             }),
      // the Name's CN as PrintableString, then as BMPString of odd length
      resign(der, key.get(), replace("\x0c\x08terminal", "\x13\x08terminal")),
      resign(der, key.get(), replace("\x0c\x08terminal", "\x1e\x08terminal")),
      // SHA-384 over the same
      resign(
          der, key.get(), [](std::string&) {}, EVP_sha384()),
      resign(der, key.get(), [](std::string&) {}),
  };
  fast_accepted = 0;
  for (const auto& input : inputs) {
    compare(input);
    compare(pem_of(input));
  }
  EXPECT_GE(fast_accepted, 4);
}

}  // namespace
