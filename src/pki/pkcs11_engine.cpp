// Token keys as EVP_PKEYs through the libp11 "pkcs11" ENGINE, so that X509_sign signs for both key
// stores by the same code path. The ENGINE API is deprecated in OpenSSL 3 but is what libp11
// offers on Debian 12; this is the only file that uses it.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "pki/key_store.hpp"

#include <openssl/engine.h>
#include <openssl/err.h>

#include <mutex>
#include <stdexcept>

namespace onshi::pki::detail {
namespace {

std::string pct_encode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    }
  }
  return out;
}

// One engine per process: libp11 initializes the module once, and finishing a second engine
// would C_Finalize the module under the first. Loading keys is serialized by the mutex because
// the engine's key lookup is not reentrant.
std::mutex engine_mutex;
ENGINE* engine = nullptr;
std::string engine_module;

ENGINE* load_engine(const KeyStoreConfig& cfg) {
  if (engine != nullptr) {
    if (engine_module != cfg.pkcs11_module) {
      throw std::runtime_error("a different PKCS#11 module is already loaded: " + engine_module);
    }
    return engine;
  }
  ENGINE_load_dynamic();
  ENGINE* e = ENGINE_by_id("dynamic");
  if (e == nullptr) ossl::fail("ENGINE_by_id(dynamic)");
  const bool ok = ENGINE_ctrl_cmd_string(e, "SO_PATH", cfg.pkcs11_engine.c_str(), 0) == 1 &&
                  ENGINE_ctrl_cmd_string(e, "ID", "pkcs11", 0) == 1 &&
                  ENGINE_ctrl_cmd_string(e, "LIST_ADD", "1", 0) == 1 &&
                  ENGINE_ctrl_cmd_string(e, "LOAD", nullptr, 0) == 1 &&
                  ENGINE_ctrl_cmd_string(e, "MODULE_PATH", cfg.pkcs11_module.c_str(), 0) == 1 &&
                  ENGINE_init(e) == 1;
  if (!ok) {
    const std::string errors = ossl::take_errors();
    ENGINE_free(e);
    throw std::runtime_error("cannot load the PKCS#11 engine " + cfg.pkcs11_engine + " with " +
                             cfg.pkcs11_module + ": " + errors);
  }
  // ENGINE_init took a functional reference; the structural one from ENGINE_by_id is not needed.
  ENGINE_free(e);
  engine = e;
  engine_module = cfg.pkcs11_module;
  return engine;
}

}  // namespace

ossl::Pkey token_private_key(const KeyStoreConfig& cfg, std::string_view id) {
  std::lock_guard lock(engine_mutex);
  ENGINE* e = load_engine(cfg);
  if (ENGINE_ctrl_cmd_string(e, "PIN", cfg.pkcs11_pin.c_str(), 0) != 1) ossl::fail("engine PIN");
  const std::string uri = "pkcs11:token=" + pct_encode(cfg.pkcs11_token_label) +
                          ";id=" + pct_encode(id) + ";type=private";
  ossl::Pkey key(ENGINE_load_private_key(e, uri.c_str(), nullptr, nullptr));
  if (!key) {
    const std::string errors = ossl::take_errors();
    throw std::runtime_error("cannot use the CA key in PKCS#11 token '" + cfg.pkcs11_token_label +
                             "' (wrong PIN, or key missing): " + errors);
  }
  return key;
}

}  // namespace onshi::pki::detail
