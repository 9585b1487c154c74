// libFuzzer target: what an EST client sends (RFC 7030): the Authorization header (Basic with a
// 発行番号 and 取得コード, or a Bearer token) and the base64 body of its PKCS#10 request, which
// web/protocol/est.cpp decodes before check_csr (csr_fuzz.cpp) reads the DER.
#include <string>

#include "fuzz_check.hpp"
#include "util/base64.hpp"
#include "util/text.hpp"
#include "web/authorization.hpp"

using onshi::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace onshi;
  const auto in = fuzz::bytes(data, size);

  if (const auto der = util::base64_decode(in)) {
    require(!der->empty());
    // Decoding keeps every byte: encoding gives back the text without its line breaks and spaces.
    const auto again = util::base64_decode(util::base64_encode(*der, 64));
    require(again && *again == *der);
  }

  for (const std::string_view scheme : {"Basic ", "basic  ", ""}) {
    const std::string header = std::string(scheme) + std::string(in);
    if (const auto c = web::basic_credentials(header)) {
      require(!c->user.empty() && !c->password.empty());
      require(c->user.find(':') == std::string::npos);
      require(util::is_valid_utf8(c->user) && util::is_valid_utf8(c->password));
    }
    if (const auto token = web::bearer_token(header)) require(!token->empty());
  }
  return 0;
}
