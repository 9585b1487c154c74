#include "pki/keys.hpp"

namespace onshi::pki {

std::optional<KeyAlgorithm> parse_key_algorithm(std::string_view text) {
  if (text == "ec-p256") return KeyAlgorithm::ec_p256;
  if (text == "ec-p384") return KeyAlgorithm::ec_p384;
  if (text == "rsa-2048") return KeyAlgorithm::rsa_2048;
  if (text == "rsa-3072") return KeyAlgorithm::rsa_3072;
  return std::nullopt;
}

std::string_view key_algorithm_name(KeyAlgorithm algorithm) {
  switch (algorithm) {
    case KeyAlgorithm::ec_p256:
      return "ec-p256";
    case KeyAlgorithm::ec_p384:
      return "ec-p384";
    case KeyAlgorithm::rsa_2048:
      return "rsa-2048";
    case KeyAlgorithm::rsa_3072:
      return "rsa-3072";
  }
  return "unknown";
}

}  // namespace onshi::pki
