#pragma once
// Internal to pki/: the state behind IssuingCa, shared by issuing_ca.cpp and terminal_keys.cpp.
#include "pki/issuing_ca.hpp"
#include "pki/ossl.hpp"

#include <string>

namespace onshi::pki {

struct IssuingCa::Impl {
  ossl::Cert issuing_cert;
  ossl::Pkey issuing_key;
  std::string issuing_der, root_der;
  std::string chain_pem;
  std::string terminal_secret_hex;
};

}  // namespace onshi::pki
